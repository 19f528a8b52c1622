/*
 * zf_store: picks a backend by DSN scheme, runs the migrations, and makes
 * one handle safe for many threads.
 *
 * Threading: one recursive mutex per handle. Every call holds it for its
 * duration; zf_store_lock_connection() takes it and keeps it until
 * zf_store_commit()/zf_store_rollback(), so a transaction belongs to one
 * thread and the backend never sees two callers at once.
 */
#include "zoomflow/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zoomflow/buf.h"
#include "zoomflow/sys/store_driver.h"

struct zf_store {
    const zf_store_backend *be;
    void *h;
    pthread_mutex_t mu;
    int in_tx;
};

static const zf_store_backend *const backends[] = {&zf_store_sqlite_backend};

#define DSN_MAX 4096

/* Creates every missing directory of path's parent with mode 0700. */
static int make_parents(const char *path, zf_error *err)
{
    zf_buf b = ZF_BUF_INIT(DSN_MAX);
    int rc = 0;
    zf_buf_puts(&b, path);
    if (b.failed)
        return zf_error_set(err, ZF_ENOMEM, "database path too long");
    char *p = b.ptr;
    for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            rc = zf_error_set(err, ZF_ESTORE, "cannot create directory %s: %s", p,
                              strerror(errno));
            zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE, "Create it yourself or choose "
                                                           "another database (sqlite:PATH).");
            goto done;
        }
        *s = '/';
    }
done:
    zf_buf_free(&b);
    return rc;
}

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
        zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE, "Set HOME or XDG_DATA_HOME, or choose "
                                                       "a database (sqlite:PATH).");
        return ZF_ECONFIG;
    }
    if (b.failed)
        return zf_error_set(err, ZF_ENOMEM, "data directory path too long");
    *out = zf_buf_take(&b);
    return 0;
}

static const zf_store_backend *find_backend(const char *dsn, const char **rest)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        size_t n = strlen(backends[i]->scheme);
        if (strncmp(dsn, backends[i]->scheme, n) == 0 && dsn[n] == ':') {
            *rest = dsn + n + 1;
            return backends[i];
        }
    }
    return NULL;
}

int zf_store_open(zf_store **out, const char *dsn, zf_error *err)
{
    char *deflt = NULL;
    zf_store *st = NULL;
    const char *rest = NULL;
    int rc = 0;
    *out = NULL;
    if (!dsn) {
        if ((rc = zf_store_default_dsn(&deflt, err)) < 0)
            return rc;
        dsn = deflt;
    }
    const zf_store_backend *be = find_backend(dsn, &rest);
    if (!be || be->version != ZF_STORE_BACKEND_VERSION) {
        rc = zf_error_set(err, ZF_ECONFIG, "unsupported database DSN \"%.200s\"", dsn);
        zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE, "Use a DSN of the form sqlite:PATH (for "
                         "example sqlite:/var/lib/zoomflow/zoomflow.db).");
        goto done;
    }
    if (!*rest) {
        rc = zf_error_set(err, ZF_ECONFIG, "database DSN \"%s\" names no path", dsn);
        zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE, "Use a DSN of the form sqlite:PATH.");
        goto done;
    }
    if (rest[0] == '/' && (rc = make_parents(rest, err)) < 0)
        goto done;
    if (!(st = calloc(1, sizeof *st))) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
        goto done;
    }
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&st->mu, &attr);
    pthread_mutexattr_destroy(&attr);
    st->be = be;
    if ((rc = be->open(&st->h, rest, err)) < 0)
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
    if (st->h)
        st->be->close(st->h);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

int zf_store_migrate(zf_store *st, int *version, zf_error *err)
{
    int v = 0;
    pthread_mutex_lock(&st->mu);
    int rc = st->be->migrate(st->h, zf_store_migrations, zf_store_migrations_count, &v, err);
    pthread_mutex_unlock(&st->mu);
    if (version)
        *version = v;
    return rc;
}

int zf_store_lock_connection(zf_store *st, const char *id, zf_error *err)
{
    pthread_mutex_lock(&st->mu);
    if (st->in_tx) {
        pthread_mutex_unlock(&st->mu);
        return zf_error_set(err, ZF_EINVAL, "store transaction already open on this thread");
    }
    int rc = st->be->lock_connection(st->h, id, err);
    if (rc < 0) {
        pthread_mutex_unlock(&st->mu);
        return rc;
    }
    st->in_tx = 1; /* the mutex stays held until commit or rollback */
    return 0;
}

int zf_store_commit(zf_store *st, zf_error *err)
{
    if (!st->in_tx)
        return zf_error_set(err, ZF_EINVAL, "commit without a store transaction");
    int rc = st->be->commit(st->h, err);
    st->in_tx = 0;
    pthread_mutex_unlock(&st->mu);
    return rc;
}

void zf_store_rollback(zf_store *st)
{
    if (!st->in_tx)
        return;
    st->be->rollback(st->h);
    st->in_tx = 0;
    pthread_mutex_unlock(&st->mu);
}

/* Each forwarder holds the handle's mutex for one backend call. */
#define ZF_STORE_CALL(st, call)                                                          \
    do {                                                                                 \
        pthread_mutex_lock(&(st)->mu);                                                   \
        int rc_ = (st)->be->call;                                                        \
        pthread_mutex_unlock(&(st)->mu);                                                 \
        return rc_;                                                                      \
    } while (0)

int zf_store_conn_get(zf_store *st, const char *id, zf_store_conn *out, zf_error *err)
{
    ZF_STORE_CALL(st, conn_get(st->h, id, out, err));
}

int zf_store_conn_put(zf_store *st, zf_store_conn *c, zf_error *err)
{
    ZF_STORE_CALL(st, conn_put(st->h, c, err));
}

int zf_store_conn_delete(zf_store *st, const char *id, zf_error *err)
{
    ZF_STORE_CALL(st, conn_delete(st->h, id, err));
}

int zf_store_conn_list(zf_store *st, char ***ids, size_t *n, zf_error *err)
{
    ZF_STORE_CALL(st, conn_list(st->h, ids, n, err));
}

int zf_store_state_put(zf_store *st, const zf_store_state *s, zf_error *err)
{
    ZF_STORE_CALL(st, state_put(st->h, s, err));
}

int zf_store_state_take(zf_store *st, const char *state_hash, zf_store_state *out,
                        zf_error *err)
{
    ZF_STORE_CALL(st, state_take(st->h, state_hash, out, err));
}

int zf_store_state_purge(zf_store *st, int64_t now, zf_error *err)
{
    ZF_STORE_CALL(st, state_purge(st->h, now, err));
}

int zf_store_audit_add(zf_store *st, const zf_store_audit *a, zf_error *err)
{
    ZF_STORE_CALL(st, audit_add(st->h, a, err));
}

int zf_store_audit_list(zf_store *st, const char *conn_id, size_t limit,
                        zf_store_audit **out, size_t *n, zf_error *err)
{
    ZF_STORE_CALL(st, audit_list(st->h, conn_id, limit, out, n, err));
}
