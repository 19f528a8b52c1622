/*
 * zf_store: picks a driver by DSN scheme, runs the migrations, and makes
 * one handle safe for many threads. The queries live in the domain files
 * (connections.c, states.c, audit.c), which reach the driver through
 * zf_store__enter.
 *
 * Threading: one recursive mutex per handle. Every call holds it for its
 * duration; zf_store__lock() (zf_store_lock_connection) takes it and keeps
 * it until zf_store_commit()/zf_store_rollback(), so a transaction belongs
 * to one thread and the driver never sees two callers at once.
 */
#include "zoomflow/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "zoomflow/buf.h"

struct zf_store {
    zf_store_db db;
    pthread_mutex_t mu;
    int in_tx;
};

/* The drivers, by DSN scheme. */
static const zf_store_driver *const drivers[] = {&zf_store_sqlite_driver};

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

static const zf_store_driver *find_driver(const char *dsn)
{
    for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++) {
        size_t n = strlen(drivers[i]->scheme);
        if (strncmp(dsn, drivers[i]->scheme, n) == 0 && dsn[n] == ':')
            return drivers[i];
    }
    return NULL;
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
    const zf_store_driver *drv = find_driver(dsn);
    if (!drv || drv->version != ZF_STORE_DRIVER_VERSION) {
        rc = zf_error_set(err, ZF_ECONFIG, "unsupported database DSN \"%.200s\"", dsn);
        zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE,
                         "Use a DSN of the form sqlite:PATH (for "
                         "example sqlite:/var/lib/zoomflow/zoomflow.db).");
        goto done;
    }
    if (!(st = calloc(1, sizeof *st))) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
        goto done;
    }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&st->mu, &attr);
    pthread_mutexattr_destroy(&attr);
    st->db.drv = drv;
    if ((rc = drv->open(&st->db.h, dsn, err)) < 0)
        goto done;
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
    if (st->db.h)
        st->db.drv->close(st->db.h);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

const zf_store_db *zf_store__enter(zf_store *st)
{
    pthread_mutex_lock(&st->mu);
    return &st->db;
}

void zf_store__leave(zf_store *st)
{
    pthread_mutex_unlock(&st->mu);
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
    const zf_store_db *db = zf_store__enter(st);
    if (st->in_tx) {
        zf_store__leave(st);
        return zf_error_set(err, ZF_EINVAL,
                            "store transaction already open on this thread");
    }
    int rc = db->drv->begin(db->h, err);
    if (rc == 0 && (rc = db->drv->lock_row(db->h, domain, key, err)) < 0)
        db->drv->rollback(db->h);
    if (rc < 0) {
        zf_store__leave(st);
        return rc;
    }
    st->in_tx = 1; /* the mutex stays held until commit or rollback */
    return 0;
}

/* Commit and rollback without a transaction are caller mistakes too. */
int zf_store_commit(zf_store *st, zf_error *err)
{
    if (!st->in_tx)
        return zf_error_set(err, ZF_EINVAL, "commit without a store transaction");
    int rc = st->db.drv->commit(st->db.h, err);
    st->in_tx = 0;
    zf_store__leave(st);
    return rc;
}

void zf_store_rollback(zf_store *st)
{
    if (!st->in_tx)
        return;
    st->db.drv->rollback(st->db.h);
    st->in_tx = 0;
    zf_store__leave(st);
}
