/*
 * zf_store: picks a driver by DSN scheme, runs the migrations, and makes
 * one handle safe for many threads. The queries live in the domain files
 * (connections.c, states.c, audit.c), which reach the driver through
 * zf_store__enter.
 *
 * Threading: a small pool of driver handles per zf_store (the driver row's
 * `pool`: SQLite 1, since the database has one writer anyway; PostgreSQL 4,
 * opened as threads need them, so a one-shot command makes one connection).
 * A call takes a free handle for its duration, and zf_store__lock()
 * (zf_store_lock_connection) keeps it until zf_store_commit() or
 * zf_store_rollback(); the calls of the thread holding a handle, in a
 * transaction or nested, go to that same handle, so a transaction belongs
 * to one thread and a driver handle never sees two callers at once. While
 * one thread's transaction waits on a refresh at Zoom, the others go on
 * with the other handles (the service shares one store among its workers).
 * With every handle taken, a call waits for one. A handle that cannot be
 * opened (the server is at max_connections) lowers the pool to those open.
 */
#include "zoomflow/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "zoomflow/buf.h"
#include "zoomflow/secret.h"

#define POOL_MAX 8

/* One driver handle of the pool. depth counts the owner's enter()s not yet
 * left (0: free); in_tx is set by zf_store__lock until commit/rollback. */
typedef struct slot {
    zf_store_db db;
    pthread_t owner;
    int depth;
    int in_tx;
} slot;

struct zf_store {
    const zf_store_driver *drv;
    zf_secret dsn; /* to open more handles; may hold a password */
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a handle was left or opened */
    size_t max, opened;
    int opening; /* a thread is opening slots[opened] */
    slot slots[POOL_MAX];
};

/* The drivers, by DSN scheme, with the size of each one's pool. */
static const struct {
    const char *scheme;
    const zf_store_driver *drv;
    size_t pool;
} drivers[] = {
    {"sqlite", &zf_store_sqlite_driver, 1},
    {"postgresql", &zf_store_postgresql_driver, 4},
    {"postgres", &zf_store_postgresql_driver, 4},
};

#define DSN_MAX 4096

int zf_store_default_dsn(char **out, zf_error *err)
{
    zf_buf b = ZF_BUF_INIT(DSN_MAX);
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    *out = NULL;
    if (xdg && xdg[0] == '/')
        zf_buf_appendf(&b, "sqlite:%s/zoomflow/zoomflow.db", xdg);
    else if (home && home[0] == '/')
        zf_buf_appendf(&b, "sqlite:%s/.local/share/zoomflow/zoomflow.db", home);
    else {
        zf_error_set(err, ZF_ECONFIG, "cannot find a data directory: HOME is not set");
        zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE,
                         "Set HOME or XDG_DATA_HOME, or choose "
                         "a database (sqlite:PATH).");
        return ZF_ECONFIG;
    }
    if (b.failed)
        return zf_error_set(err, ZF_ENOMEM, "data directory path too long");
    *out = zf_buf_take(&b);
    return 0;
}

static size_t find_driver(const char *dsn)
{
    size_t i = 0, n = sizeof drivers / sizeof drivers[0];
    for (; i < n; i++) {
        size_t len = strlen(drivers[i].scheme);
        if (strncmp(dsn, drivers[i].scheme, len) == 0 && dsn[len] == ':' &&
            drivers[i].drv->version == ZF_STORE_DRIVER_VERSION)
            break;
    }
    return i;
}

static int unsupported(const char *dsn, zf_error *err)
{
    char *shown = NULL;
    zf_error quiet = ZF_ERROR_INIT;
    zf_store_redact_dsn(&shown, dsn, &quiet);
    zf_error_set(err, ZF_ECONFIG, "unsupported database DSN \"%.200s\"",
                 shown ? shown : "(unprintable)");
    zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE,
                     "Use a DSN of the form sqlite:PATH (for example "
                     "sqlite:/var/lib/zoomflow/zoomflow.db) or "
                     "postgresql://USER@HOST:PORT/DATABASE.");
    free(shown);
    return ZF_ECONFIG;
}

static zf_store *store_new(size_t row, const char *dsn)
{
    zf_store *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    if (zf_secret_set(&st->dsn, dsn, strlen(dsn)) < 0) {
        free(st);
        return NULL;
    }
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->cv, NULL);
    st->drv = drivers[row].drv;
    st->max = drivers[row].pool;
    return st;
}

int zf_store_open(zf_store **out, const char *dsn, zf_error *err)
{
    char *deflt = NULL;
    zf_store *st = NULL;
    int rc = 0;
    *out = NULL;
    if (!dsn) {
        if ((rc = zf_store_default_dsn(&deflt, err)) < 0)
            return rc;
        dsn = deflt;
    }
    size_t row = find_driver(dsn);
    if (row == sizeof drivers / sizeof drivers[0]) {
        rc = unsupported(dsn, err);
        goto done;
    }
    if (!(st = store_new(row, dsn))) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
        goto done;
    }
    slot *first = &st->slots[0];
    first->db.drv = st->drv;
    if ((rc = st->drv->open(&first->db.h, dsn, err)) < 0)
        goto done;
    st->opened = 1;
    if ((rc = zf_store_migrate(st, NULL, err)) < 0)
        goto done;
    *out = st;
    st = NULL;
done:
    zf_store_free(st);
    free(deflt);
    return rc;
}

void zf_store_free(zf_store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->opened; i++)
        st->drv->close(st->slots[i].db.h);
    pthread_cond_destroy(&st->cv);
    pthread_mutex_destroy(&st->mu);
    zf_secret_free(&st->dsn);
    free(st);
}

/* The calling thread's handle, NULL when it holds none (under mu). */
static slot *mine(zf_store *st)
{
    pthread_t self = pthread_self();
    for (size_t i = 0; i < st->opened; i++)
        if (st->slots[i].depth > 0 && pthread_equal(st->slots[i].owner, self))
            return &st->slots[i];
    return NULL;
}

static slot *free_slot(zf_store *st)
{
    for (size_t i = 0; i < st->opened; i++)
        if (st->slots[i].depth == 0)
            return &st->slots[i];
    return NULL;
}

/* Opens one more handle, mu released meanwhile; 1 when one was added. A
 * failure lowers the pool to the handles open: the calls wait for them. */
static int grow(zf_store *st)
{
    if (st->opening || st->opened >= st->max || st->opened >= POOL_MAX)
        return 0;
    zf_error quiet = ZF_ERROR_INIT;
    void *h = NULL;
    st->opening = 1;
    pthread_mutex_unlock(&st->mu);
    int rc = st->drv->open(&h, zf_secret_reveal(&st->dsn), &quiet);
    pthread_mutex_lock(&st->mu);
    st->opening = 0;
    if (rc < 0) {
        st->max = st->opened;
    } else {
        st->slots[st->opened].db.drv = st->drv;
        st->slots[st->opened].db.h = h;
        st->opened++;
    }
    pthread_cond_broadcast(&st->cv);
    return rc == 0;
}

/* The calling thread's handle, taken from the pool when it holds none. */
static slot *enter_slot(zf_store *st)
{
    pthread_mutex_lock(&st->mu);
    slot *s = mine(st);
    while (!s && !(s = free_slot(st)))
        if (!grow(st))
            pthread_cond_wait(&st->cv, &st->mu);
    if (s->depth++ == 0)
        s->owner = pthread_self();
    pthread_mutex_unlock(&st->mu);
    return s;
}

const zf_store_db *zf_store__enter(zf_store *st)
{
    return &enter_slot(st)->db;
}

void zf_store__leave(zf_store *st)
{
    pthread_mutex_lock(&st->mu);
    slot *s = mine(st);
    if (s && --s->depth == 0)
        pthread_cond_signal(&st->cv);
    pthread_mutex_unlock(&st->mu);
}

/* The calling thread's handle when it is in a transaction, else NULL. */
static slot *in_tx(zf_store *st)
{
    pthread_mutex_lock(&st->mu);
    slot *s = mine(st);
    pthread_mutex_unlock(&st->mu);
    return s && s->in_tx ? s : NULL;
}

int zf_store_migrate(zf_store *st, int *version, zf_error *err)
{
    int v = 0;
    int rc = zf_store__migrate(zf_store__enter(st), zf_store__migrations,
                               zf_store__migrations_count, &v, err);
    zf_store__leave(st);
    if (version)
        *version = v;
    return rc;
}

/* A nested lock on the owning thread is a caller mistake (ZF_EINVAL):
 * the store has no savepoints, and the outer commit would end both. */
int zf_store__lock(zf_store *st, const char *domain, const char *key, zf_error *err)
{
    slot *s = enter_slot(st);
    const zf_store_db *db = &s->db;
    if (s->in_tx) {
        zf_store__leave(st);
        return zf_error_set(err, ZF_EINVAL, "store transaction already open on this thread");
    }
    int rc = db->drv->begin(db->h, err);
    if (rc == 0 && domain && (rc = db->drv->lock_row(db->h, domain, key, err)) < 0)
        db->drv->rollback(db->h);
    if (rc < 0) {
        zf_store__leave(st);
        return rc;
    }
    s->in_tx = 1; /* the handle stays this thread's until commit or rollback */
    return 0;
}

/* Commit and rollback without a transaction are caller mistakes too. */
int zf_store_commit(zf_store *st, zf_error *err)
{
    slot *s = in_tx(st);
    if (!s)
        return zf_error_set(err, ZF_EINVAL, "commit without a store transaction");
    int rc = s->db.drv->commit(s->db.h, err);
    s->in_tx = 0;
    zf_store__leave(st);
    return rc;
}

void zf_store_rollback(zf_store *st)
{
    slot *s = in_tx(st);
    if (!s)
        return;
    s->db.drv->rollback(s->db.h);
    s->in_tx = 0;
    zf_store__leave(st);
}
