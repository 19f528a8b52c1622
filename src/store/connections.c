/*
 * The connections domain: one row per Zoom connection (a profile), its
 * sealed secrets, token state and refresh claim; the names its kind and
 * state have in the database and in output; the connection row lock.
 *
 * Every column is in conn_columns once: the SELECT and RETURNING lists,
 * the upsert's columns, parameters and SET list, the fields read and the
 * strings freed all come from it.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* The stored text of each zf_conn_kind and zf_conn_state value. */
static const char *const kind_names[] = {"oauth", "s2s", NULL};
static const char *const state_names[] = {"VALID", "NEEDS_REAUTH", NULL};

const char *zf_conn_kind_name(int kind)
{
    return zf_store__enum_name(kind_names, kind);
}

const char *zf_conn_state_name(int state)
{
    return zf_store__enum_name(state_names, state);
}

#define TEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_conn, f)
#define INT64(f) #f, ZF_COL_INT64, offsetof(zf_store_conn, f)

static const zf_store_column conn_columns[] = {
    {TEXT(id), ZF_COL_KEY, NULL},
    {"kind", ZF_COL_ENUM, offsetof(zf_store_conn, kind), 0, kind_names},
    {TEXT(oauth_base), 0, NULL},
    {TEXT(api_base), 0, NULL},
    {TEXT(client_id), 0, NULL},
    {TEXT(client_secret_sealed), 0, NULL},
    {TEXT(account_id), 0, NULL},
    {TEXT(redirect_uri), 0, NULL},
    {TEXT(access_token_sealed), 0, NULL},
    {TEXT(refresh_token_sealed), 0, NULL},
    {INT64(access_expires_at), 0, NULL},
    {TEXT(scopes), 0, NULL},
    {"state", ZF_COL_ENUM, offsetof(zf_store_conn, state), 0, state_names},
    {INT64(connected_at), 0, NULL},
    {INT64(last_refresh_at), 0, NULL},
    {INT64(refresh_count), 0, NULL},
    {TEXT(last_error), 0, NULL},
    {TEXT(last_hint), 0, NULL},
    {INT64(generation), 0, NULL},
    {INT64(updated_at), 0, NULL},
    {TEXT(token_endpoint), 0, NULL},
    {TEXT(revoke_endpoint), 0, NULL},
    {INT64(refresh_started_at), 0, NULL},
    {INT64(refresh_pid), 0, NULL},
    {TEXT(refresh_host), 0, NULL},
    {INT64(refresh_seq), 0, NULL},
};

const zf_store_row zf_store__conn_row = ZF_STORE_ROW(zf_store_conn, conn_columns);

/* conn_list's row: the id alone. */
typedef struct id_row {
    char *id;
} id_row;

static const zf_store_column id_columns[] = {{"id", ZF_COL_TEXT, offsetof(id_row, id), 0, NULL}};
static const zf_store_row id_row_type = ZF_STORE_ROW(id_row, id_columns);

static const zf_store_query q_get = {
    .what = "reading a connection",
    .sql = "SELECT {columns} FROM connections WHERE id = $1",
    .row = &zf_store__conn_row,
};
static const zf_store_query q_put = {
    .what = "writing a connection",
    .sql = "INSERT INTO connections {insert} ON CONFLICT (id) DO UPDATE SET {update}",
    .row = &zf_store__conn_row,
};
static const zf_store_query q_delete = {
    .what = "deleting a connection",
    .sql = "DELETE FROM connections WHERE id = $1 RETURNING id",
    .row = &id_row_type,
};
/* Name order is byte order, as SQLite's BINARY collation has it; a
 * PostgreSQL database's default collation follows its locale. */
static const zf_store_query q_list = {
    .what = "listing connections",
    .sql = "SELECT id FROM connections ORDER BY id",
    .sql_postgresql = "SELECT id FROM connections ORDER BY id COLLATE \"C\"",
    .row = &id_row_type,
};

void zf_store_conn_free(zf_store_conn *c)
{
    zf_store__release(&zf_store__conn_row, c);
}

/* A lock wait past the driver's timeout is, for a connection, almost
 * always another process or replica refreshing its tokens. */
int zf_store_lock_connection(zf_store *st, const char *id, zf_error *err)
{
    int rc = zf_store__lock(st, "connections", id, err);
    if (rc == ZF_ESTORE && err && err->hint_id == ZF_HINT_DATABASE_BUSY)
        zf_error_hint_id(err, ZF_HINT_DATABASE_BUSY,
                         "another process or replica is refreshing this connection (or "
                         "holds its lock) and has not finished within the lock timeout; "
                         "retry, and look for a stuck process");
    return rc;
}

static int conn_get(const zf_store_db *db, const char *id, zf_store_conn *out, zf_error *err)
{
    zf_store_value key = zf_store__text(id);
    int rc = zf_store__get(db, &q_get, &key, 1, out, err);
    if (rc == 0)
        return zf_error_set(err, ZF_ENOTFOUND, "no connection named \"%s\"", id);
    return rc < 0 ? rc : 0;
}

/* The stored row gets generation + 1, written back into c on success. */
static int conn_put(const zf_store_db *db, zf_store_conn *c, zf_error *err)
{
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    zf_store_conn next = *c; /* shallow: borrows c's strings for the binds */
    next.generation = c->generation + 1;
    size_t n = zf_store__params(&zf_store__conn_row, &next, v);
    int rc = zf_store__run(db, &q_put, v, n, err);
    if (rc == 0)
        c->generation = next.generation;
    return rc;
}

static int conn_delete(const zf_store_db *db, const char *id, zf_error *err)
{
    zf_store_value key = zf_store__text(id);
    id_row gone;
    int rc = zf_store__get(db, &q_delete, &key, 1, &gone, err);
    zf_store__release(&id_row_type, &gone);
    if (rc == 0)
        return zf_error_set(err, ZF_ENOTFOUND, "no connection named \"%s\"", id);
    return rc < 0 ? rc : 0;
}

static int conn_list(const zf_store_db *db, char ***ids, size_t *n, zf_error *err)
{
    void *rows = NULL;
    size_t cnt = 0;
    char **v = NULL;
    *ids = NULL;
    *n = 0;
    int rc = zf_store__get_all(db, &q_list, NULL, 0, &rows, &cnt, err);
    if (rc < 0)
        return rc;
    if (cnt && !(v = calloc(cnt, sizeof *v))) {
        for (size_t i = 0; i < cnt; i++)
            zf_store__release(&id_row_type, &((id_row *)rows)[i]);
        free(rows);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < cnt; i++)
        v[i] = ((id_row *)rows)[i].id; /* the strings change hands */
    free(rows);
    *ids = v;
    *n = cnt;
    return 0;
}

int zf_store_conn_get(zf_store *st, const char *id, zf_store_conn *out, zf_error *err)
{
    int rc = conn_get(zf_store__enter(st), id, out, err);
    zf_store__leave(st);
    return rc;
}

int zf_store_conn_put(zf_store *st, zf_store_conn *c, zf_error *err)
{
    int rc = conn_put(zf_store__enter(st), c, err);
    zf_store__leave(st);
    return rc;
}

int zf_store_conn_delete(zf_store *st, const char *id, zf_error *err)
{
    int rc = conn_delete(zf_store__enter(st), id, err);
    zf_store__leave(st);
    return rc;
}

int zf_store_conn_list(zf_store *st, char ***ids, size_t *n, zf_error *err)
{
    int rc = conn_list(zf_store__enter(st), ids, n, err);
    zf_store__leave(st);
    return rc;
}
