/*
 * The SQLite store backend ("sqlite:PATH").
 *
 * WAL mode (readers never wait for the one writer), synchronous=FULL (a
 * committed refresh token survives power loss, not only a crash), a busy
 * timeout longer than a token request, and the database file created 0600
 * before SQLite opens it (its -wal/-shm files inherit that mode).
 *
 * lock_connection is BEGIN IMMEDIATE: SQLite has one writer per database,
 * so it excludes writers of every row, in every process, until COMMIT or
 * ROLLBACK. A process killed inside leaves the last committed data only.
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zoomflow/sys/store_driver.h"

#define BUSY_TIMEOUT_MS 60000

typedef struct sqlite_be {
    sqlite3 *db;
    char *path;
} sqlite_be;

static int db_error(sqlite_be *b, zf_error *err, const char *what)
{
    zf_error_set(err, ZF_ESTORE, "database %s: %s failed: %s", b->path, what,
                 sqlite3_errmsg(b->db));
    if (sqlite3_errcode(b->db) == SQLITE_BUSY)
        zf_error_hint_id(err, ZF_HINT_DATABASE_BUSY, "Another process held the database lock "
                         "for over %d s; retry, and check for a stuck process.",
                         BUSY_TIMEOUT_MS / 1000);
    return ZF_ESTORE;
}

static int exec(sqlite_be *b, const char *sql, zf_error *err)
{
    if (sqlite3_exec(b->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(b, err, sql);
    return 0;
}

static int prepare(sqlite_be *b, const char *sql, sqlite3_stmt **st, zf_error *err)
{
    if (sqlite3_prepare_v2(b->db, sql, -1, st, NULL) != SQLITE_OK)
        return db_error(b, err, "prepare");
    return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

static void sqlite_close(void *h)
{
    sqlite_be *b = h;
    if (!b)
        return;
    sqlite3_close(b->db);
    free(b->path);
    free(b);
}

static int sqlite_open(void **out, const char *path, zf_error *err)
{
    sqlite_be *b = calloc(1, sizeof *b);
    int rc = 0;
    if (!b || !(b->path = strdup(path))) {
        free(b);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = zf_error_set(err, ZF_ESTORE, "cannot open database %s", path);
        zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE, "Check that the directory exists and is "
                         "writable, or choose another database (sqlite:PATH).");
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, path);
        goto done;
    }
    close(fd);
    if (sqlite3_open_v2(path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        rc = db_error(b, err, "open");
        goto done;
    }
    sqlite3_busy_timeout(b->db, BUSY_TIMEOUT_MS);
    if ((rc = exec(b, "PRAGMA journal_mode=WAL", err)) < 0 ||
        (rc = exec(b, "PRAGMA synchronous=FULL", err)) < 0)
        goto done;
    *out = b;
    b = NULL;
done:
    sqlite_close(b);
    return rc;
}

static int current_version(sqlite_be *b, int *v, zf_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(b, "SELECT COALESCE(MAX(version), 0) FROM schema_version", &st, err);
    if (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
        *v = sqlite3_column_int(st, 0);
    else if (rc == 0)
        rc = db_error(b, err, "reading schema_version");
    sqlite3_finalize(st);
    return rc;
}

static int record_version(sqlite_be *b, const zf_store_migration *m, zf_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(b, "INSERT INTO schema_version (version, name, applied_at) "
                        "VALUES (?, ?, strftime('%s','now'))", &st, err);
    if (rc == 0) {
        sqlite3_bind_int(st, 1, m->version);
        bind_text(st, 2, m->name);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(b, err, "recording a migration");
    }
    sqlite3_finalize(st);
    return rc;
}

/* 1 when the schema is already at the last version: read without the write
 * lock, so opening the store does not wait for a refresh that holds it. */
static int up_to_date(sqlite_be *b, const zf_store_migration *migs, size_t n)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(b->db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", -1,
                           &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n && v == migs[n - 1].version;
}

/* All pending migrations in one write transaction: concurrent starters
 * queue on the lock, and the second finds nothing left to do. */
static int sqlite_migrate(void *h, const zf_store_migration *migs, size_t n, int *version,
                          zf_error *err)
{
    sqlite_be *b = h;
    int v = 0, rc;
    if (up_to_date(b, migs, n)) {
        *version = migs[n - 1].version;
        return 0;
    }
    if ((rc = exec(b, "BEGIN IMMEDIATE", err)) < 0)
        return rc;
    if ((rc = exec(b, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                      "name TEXT NOT NULL, applied_at BIGINT NOT NULL)", err)) < 0 ||
        (rc = current_version(b, &v, err)) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (migs[i].version <= v)
            continue;
        const char *sql = migs[i].sql_sqlite ? migs[i].sql_sqlite : migs[i].sql;
        if ((rc = exec(b, sql, err)) < 0 || (rc = record_version(b, &migs[i], err)) < 0)
            goto done;
        v = migs[i].version;
    }
    rc = exec(b, "COMMIT", err);
done:
    if (rc < 0)
        sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
    *version = v;
    return rc;
}

/* SQLite has one writer: the whole database is the lock; id is unused. */
static int sqlite_lock_connection(void *h, const char *id, zf_error *err)
{
    return exec(h, "BEGIN IMMEDIATE", err);
}

static int sqlite_commit(void *h, zf_error *err)
{
    sqlite_be *b = h;
    int rc = exec(b, "COMMIT", err);
    if (rc < 0)
        sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static void sqlite_rollback(void *h)
{
    sqlite_be *b = h;
    sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
}

#define CONN_COLS                                                                        \
    "id, kind, oauth_base, api_base, client_id, client_secret_sealed, account_id, "      \
    "redirect_uri, access_token_sealed, refresh_token_sealed, access_expires_at, "       \
    "scopes, state, connected_at, last_refresh_at, refresh_count, last_error, "          \
    "last_hint, generation, updated_at, token_endpoint, revoke_endpoint, "               \
    "refresh_started_at, refresh_pid, refresh_host, refresh_seq"

static void read_conn(sqlite3_stmt *st, zf_store_conn *c)
{
    const unsigned char *kind = sqlite3_column_text(st, 1);
    const unsigned char *state = sqlite3_column_text(st, 12);
    c->id = col_text(st, 0);
    c->kind = kind && strcmp((const char *)kind, "s2s") == 0 ? ZF_CONN_S2S : ZF_CONN_OAUTH;
    c->oauth_base = col_text(st, 2);
    c->api_base = col_text(st, 3);
    c->client_id = col_text(st, 4);
    c->client_secret_sealed = col_text(st, 5);
    c->account_id = col_text(st, 6);
    c->redirect_uri = col_text(st, 7);
    c->access_token_sealed = col_text(st, 8);
    c->refresh_token_sealed = col_text(st, 9);
    c->access_expires_at = sqlite3_column_int64(st, 10);
    c->scopes = col_text(st, 11);
    c->state = state && strcmp((const char *)state, "NEEDS_REAUTH") == 0 ? ZF_CONN_NEEDS_REAUTH
                                                                         : ZF_CONN_VALID;
    c->connected_at = sqlite3_column_int64(st, 13);
    c->last_refresh_at = sqlite3_column_int64(st, 14);
    c->refresh_count = sqlite3_column_int64(st, 15);
    c->last_error = col_text(st, 16);
    c->last_hint = col_text(st, 17);
    c->generation = sqlite3_column_int64(st, 18);
    c->updated_at = sqlite3_column_int64(st, 19);
    c->token_endpoint = col_text(st, 20);
    c->revoke_endpoint = col_text(st, 21);
    c->refresh_started_at = sqlite3_column_int64(st, 22);
    c->refresh_pid = sqlite3_column_int64(st, 23);
    c->refresh_host = col_text(st, 24);
    c->refresh_seq = sqlite3_column_int64(st, 25);
}

static int sqlite_conn_get(void *h, const char *id, zf_store_conn *out, zf_error *err)
{
    sqlite_be *b = h;
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = prepare(b, "SELECT " CONN_COLS " FROM connections WHERE id = ?", &st, err);
    if (rc < 0)
        return rc;
    bind_text(st, 1, id);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        read_conn(st, out);
    else if (s == SQLITE_DONE)
        rc = zf_error_set(err, ZF_ENOTFOUND, "no connection named \"%s\"", id);
    else
        rc = db_error(b, err, "reading a connection");
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_conn_put(void *h, zf_store_conn *c, zf_error *err)
{
    sqlite_be *b = h;
    sqlite3_stmt *st = NULL;
    int rc = prepare(b,
                     "INSERT INTO connections (" CONN_COLS ") VALUES "
                     "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                     "ON CONFLICT (id) DO UPDATE SET "
                     "kind=excluded.kind, oauth_base=excluded.oauth_base, "
                     "api_base=excluded.api_base, client_id=excluded.client_id, "
                     "client_secret_sealed=excluded.client_secret_sealed, "
                     "account_id=excluded.account_id, redirect_uri=excluded.redirect_uri, "
                     "access_token_sealed=excluded.access_token_sealed, "
                     "refresh_token_sealed=excluded.refresh_token_sealed, "
                     "access_expires_at=excluded.access_expires_at, scopes=excluded.scopes, "
                     "state=excluded.state, connected_at=excluded.connected_at, "
                     "last_refresh_at=excluded.last_refresh_at, "
                     "refresh_count=excluded.refresh_count, last_error=excluded.last_error, "
                     "last_hint=excluded.last_hint, generation=excluded.generation, "
                     "updated_at=excluded.updated_at, token_endpoint=excluded.token_endpoint, "
                     "revoke_endpoint=excluded.revoke_endpoint, "
                     "refresh_started_at=excluded.refresh_started_at, "
                     "refresh_pid=excluded.refresh_pid, refresh_host=excluded.refresh_host, "
                     "refresh_seq=excluded.refresh_seq",
                     &st, err);
    if (rc < 0)
        return rc;
    int64_t gen = c->generation + 1;
    bind_text(st, 1, c->id);
    bind_text(st, 2, zf_conn_kind_name(c->kind));
    bind_text(st, 3, c->oauth_base);
    bind_text(st, 4, c->api_base);
    bind_text(st, 5, c->client_id);
    bind_text(st, 6, c->client_secret_sealed);
    bind_text(st, 7, c->account_id);
    bind_text(st, 8, c->redirect_uri);
    bind_text(st, 9, c->access_token_sealed);
    bind_text(st, 10, c->refresh_token_sealed);
    sqlite3_bind_int64(st, 11, c->access_expires_at);
    bind_text(st, 12, c->scopes);
    bind_text(st, 13, zf_conn_state_name(c->state));
    sqlite3_bind_int64(st, 14, c->connected_at);
    sqlite3_bind_int64(st, 15, c->last_refresh_at);
    sqlite3_bind_int64(st, 16, c->refresh_count);
    bind_text(st, 17, c->last_error);
    bind_text(st, 18, c->last_hint);
    sqlite3_bind_int64(st, 19, gen);
    sqlite3_bind_int64(st, 20, c->updated_at);
    bind_text(st, 21, c->token_endpoint);
    bind_text(st, 22, c->revoke_endpoint);
    sqlite3_bind_int64(st, 23, c->refresh_started_at);
    sqlite3_bind_int64(st, 24, c->refresh_pid);
    bind_text(st, 25, c->refresh_host);
    sqlite3_bind_int64(st, 26, c->refresh_seq);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(b, err, "writing a connection");
    else
        c->generation = gen;
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_conn_delete(void *h, const char *id, zf_error *err)
{
    sqlite_be *b = h;
    sqlite3_stmt *st = NULL;
    int rc = prepare(b, "DELETE FROM connections WHERE id = ?", &st, err);
    if (rc < 0)
        return rc;
    bind_text(st, 1, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(b, err, "deleting a connection");
    else if (sqlite3_changes(b->db) == 0)
        rc = zf_error_set(err, ZF_ENOTFOUND, "no connection named \"%s\"", id);
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_conn_list(void *h, char ***ids, size_t *n, zf_error *err)
{
    sqlite_be *b = h;
    sqlite3_stmt *st = NULL;
    char **v = NULL;
    size_t cnt = 0;
    *ids = NULL;
    *n = 0;
    int s = SQLITE_DONE;
    int rc = prepare(b, "SELECT id FROM connections ORDER BY id", &st, err);
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        char **nv = realloc(v, (cnt + 1) * sizeof *v);
        if (!nv || !(nv[cnt] = col_text(st, 0))) {
            v = nv ? nv : v;
            rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
            break;
        }
        v = nv;
        cnt++;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = db_error(b, err, "listing connections");
    sqlite3_finalize(st);
    if (rc < 0) {
        for (size_t i = 0; i < cnt; i++)
            free(v[i]);
        free(v);
        return rc;
    }
    *ids = v;
    *n = cnt;
    return 0;
}

#define STATE_COLS                                                                       \
    "state_hash, conn_id, verifier_sealed, redirect_uri, oauth_base, client_id, "        \
    "client_secret_sealed, actor, created_at, expires_at, token_endpoint, revoke_endpoint"

static int sqlite_state_put(void *h, const zf_store_state *s, zf_error *err)
{
    sqlite_be *b = h;
    sqlite3_stmt *st = NULL;
    int rc = prepare(b, "INSERT INTO oauth_states (" STATE_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                     &st, err);
    if (rc < 0)
        return rc;
    const char *t[] = {s->state_hash, s->conn_id, s->verifier_sealed, s->redirect_uri,
                       s->oauth_base, s->client_id, s->client_secret_sealed, s->actor};
    for (int i = 0; i < 8; i++)
        bind_text(st, i + 1, t[i]);
    sqlite3_bind_int64(st, 9, s->created_at);
    sqlite3_bind_int64(st, 10, s->expires_at);
    bind_text(st, 11, s->token_endpoint);
    bind_text(st, 12, s->revoke_endpoint);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(b, err, "storing an OAuth state");
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_state_take(void *h, const char *hash, zf_store_state *out, zf_error *err)
{
    sqlite_be *b = h;
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out);
    int rc = prepare(b, "DELETE FROM oauth_states WHERE state_hash = ? RETURNING " STATE_COLS,
                     &st, err);
    if (rc < 0)
        return rc;
    bind_text(st, 1, hash);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        char **f[] = {&out->state_hash, &out->conn_id, &out->verifier_sealed,
                      &out->redirect_uri, &out->oauth_base, &out->client_id,
                      &out->client_secret_sealed, &out->actor};
        for (int i = 0; i < 8; i++)
            *f[i] = col_text(st, i);
        out->created_at = sqlite3_column_int64(st, 8);
        out->expires_at = sqlite3_column_int64(st, 9);
        out->token_endpoint = col_text(st, 10);
        out->revoke_endpoint = col_text(st, 11);
        s = sqlite3_step(st); /* finishes the DELETE */
        if (s != SQLITE_DONE)
            rc = db_error(b, err, "consuming an OAuth state");
    } else if (s == SQLITE_DONE) {
        rc = zf_error_set(err, ZF_ENOTFOUND, "no such OAuth state");
    } else {
        rc = db_error(b, err, "consuming an OAuth state");
    }
    sqlite3_finalize(st);
    if (rc < 0)
        zf_store_state_free(out);
    return rc;
}

static int sqlite_state_purge(void *h, int64_t now, zf_error *err)
{
    sqlite_be *b = h;
    sqlite3_stmt *st = NULL;
    int rc = prepare(b, "DELETE FROM oauth_states WHERE expires_at < ?", &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, now);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(b, err, "purging OAuth states");
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_audit_add(void *h, const zf_store_audit *a, zf_error *err)
{
    sqlite_be *b = h;
    sqlite3_stmt *st = NULL;
    int rc = prepare(b, "INSERT INTO audit_log (at, conn_id, actor, action, outcome, detail) "
                        "VALUES (?,?,?,?,?,?)", &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, a->at);
    bind_text(st, 2, a->conn_id);
    bind_text(st, 3, a->actor);
    bind_text(st, 4, a->action);
    bind_text(st, 5, a->outcome);
    bind_text(st, 6, a->detail);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(b, err, "writing the audit log");
    sqlite3_finalize(st);
    return rc;
}

static int sqlite_audit_list(void *h, const char *conn_id, size_t limit, zf_store_audit **out,
                             size_t *n, zf_error *err)
{
    sqlite_be *b = h;
    sqlite3_stmt *st = NULL;
    zf_store_audit *v = NULL;
    size_t cnt = 0;
    int s = SQLITE_DONE;
    *out = NULL;
    *n = 0;
    int rc = prepare(b, "SELECT id, at, conn_id, actor, action, outcome, detail FROM audit_log "
                        "WHERE (? IS NULL OR conn_id = ?) ORDER BY id DESC LIMIT ?", &st, err);
    if (rc < 0)
        return rc;
    bind_text(st, 1, conn_id);
    bind_text(st, 2, conn_id);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        zf_store_audit *nv = realloc(v, (cnt + 1) * sizeof *v);
        if (!nv) {
            rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
            break;
        }
        v = nv;
        zf_store_audit *a = &v[cnt++];
        a->id = sqlite3_column_int64(st, 0);
        a->at = sqlite3_column_int64(st, 1);
        a->conn_id = col_text(st, 2);
        a->actor = col_text(st, 3);
        a->action = col_text(st, 4);
        a->outcome = col_text(st, 5);
        a->detail = col_text(st, 6);
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = db_error(b, err, "reading the audit log");
    sqlite3_finalize(st);
    if (rc < 0) {
        zf_store_audit_free_list(v, cnt);
        return rc;
    }
    *out = v;
    *n = cnt;
    return 0;
}

const zf_store_backend zf_store_sqlite_backend = {
    ZF_STORE_BACKEND_VERSION,
    "sqlite",
    sqlite_open,
    sqlite_close,
    sqlite_migrate,
    sqlite_lock_connection,
    sqlite_commit,
    sqlite_rollback,
    sqlite_conn_get,
    sqlite_conn_put,
    sqlite_conn_delete,
    sqlite_conn_list,
    sqlite_state_put,
    sqlite_state_take,
    sqlite_state_purge,
    sqlite_audit_add,
    sqlite_audit_list,
};
