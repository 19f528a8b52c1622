/*
 * The web sessions domain, and the sign-in counters beside it: a session
 * row is keyed by the SHA-256 hex of its cookie value and holds the
 * SHA-256 hex of its CSRF token (access.c derives both from the cookie; the
 * database can produce neither). A counter row counts one key's sign-in
 * failures ("account:<email>", "addr:<address>") in one atomic upsert, so
 * replicas sharing the database share the count.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store_internal.h"

#define TEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_web_session, f), 0, NULL
#define INT64(f) #f, ZF_COL_INT64, offsetof(zf_store_web_session, f), 0, NULL

static const zf_store_column session_columns[] = {
    {"id_hash", ZF_COL_TEXT, offsetof(zf_store_web_session, id_hash), ZF_COL_KEY, NULL},
    {INT64(account_id)},
    {TEXT(org)},
    {TEXT(csrf_hash)},
    {INT64(created_at)},
    {INT64(expires_at)},
    {INT64(last_seen_at)},
};

const zf_store_row zf_store__web_session_row = ZF_STORE_ROW(zf_store_web_session, session_columns);

static const zf_store_query q_add = {
    .what = "adding a web session",
    .sql = "INSERT INTO web_sessions {insert}",
    .row = &zf_store__web_session_row,
};
static const zf_store_query q_get = {
    .what = "reading a web session",
    .sql = "SELECT {columns} FROM web_sessions WHERE id_hash = $1",
    .row = &zf_store__web_session_row,
};
static const zf_store_query q_touch = {
    .what = "recording a web session's use",
    .sql = "UPDATE web_sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $3",
};
static const zf_store_query q_delete = {
    .what = "ending a web session",
    .sql = "DELETE FROM web_sessions WHERE id_hash = $1",
};
/* $2 NULL = every org (the CAST types the NULL for PostgreSQL). */
static const zf_store_query q_delete_account = {
    .what = "ending an account's web sessions",
    .sql = "DELETE FROM web_sessions WHERE account_id = $1 AND "
           "(CAST($2 AS TEXT) IS NULL OR org = $2) RETURNING {columns}",
    .row = &zf_store__web_session_row,
};
static const zf_store_query q_purge = {
    .what = "purging web sessions",
    .sql = "DELETE FROM web_sessions WHERE expires_at <= $1 OR last_seen_at < $2",
};

#undef TEXT
#undef INT64
#define TEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_throttle, f), 0, NULL
#define INT64(f) #f, ZF_COL_INT64, offsetof(zf_store_throttle, f), 0, NULL

static const zf_store_column throttle_columns[] = {
    {"throttle_key", ZF_COL_TEXT, offsetof(zf_store_throttle, throttle_key), ZF_COL_KEY, NULL},
    {INT64(window_start)},
    {INT64(failures)},
    {INT64(locked_until)},
};

const zf_store_row zf_store__throttle_row = ZF_STORE_ROW(zf_store_throttle, throttle_columns);

static const zf_store_query q_throttle_get = {
    .what = "reading a sign-in counter",
    .sql = "SELECT {columns} FROM signin_throttle WHERE throttle_key = $1",
    .row = &zf_store__throttle_row,
};
/* $1 key, $2 now, $3 most failures, $4 window, $5 lockout. A window that
 * started at or before now - window is over: the count starts again at 1.
 * Every SET expression reads the row as it was (both dialects), so the
 * new count is spelled out again where the lock is decided. */
#define FRESH "signin_throttle.window_start <= $2 - $4"
#define NEXT "(CASE WHEN " FRESH " THEN 1 ELSE signin_throttle.failures + 1 END)"
static const zf_store_query q_throttle_fail = {
    .what = "counting a sign-in failure",
    .sql = "INSERT INTO signin_throttle (throttle_key, window_start, failures, locked_until) "
           "VALUES ($1, $2, 1, CASE WHEN 1 >= $3 THEN $2 + $5 ELSE 0 END) "
           "ON CONFLICT (throttle_key) DO UPDATE SET "
           "window_start = CASE WHEN " FRESH " THEN $2 ELSE signin_throttle.window_start END, "
           "failures = " NEXT ", "
           "locked_until = CASE WHEN " NEXT " >= $3 THEN $2 + $5 "
           "ELSE signin_throttle.locked_until END "
           "RETURNING {columns}",
    .row = &zf_store__throttle_row,
};
#undef FRESH
#undef NEXT
static const zf_store_query q_throttle_clear = {
    .what = "clearing a sign-in counter",
    .sql = "DELETE FROM signin_throttle WHERE throttle_key = $1",
};
static const zf_store_query q_throttle_purge = {
    .what = "purging sign-in counters",
    .sql = "DELETE FROM signin_throttle WHERE window_start < $1 AND locked_until <= $1",
};

void zf_store_web_session_free(zf_store_web_session *s)
{
    zf_store__release(&zf_store__web_session_row, s);
}

void zf_store_throttle_free(zf_store_throttle *t)
{
    zf_store__release(&zf_store__throttle_row, t);
}

static int run(zf_store *st, const zf_store_query *q, const zf_store_value *v, size_t n,
               zf_error *err)
{
    int rc = zf_store__run(zf_store__enter(st), q, v, n, err);
    zf_store__leave(st);
    return rc;
}

static int get(zf_store *st, const zf_store_query *q, const zf_store_value *v, size_t n, void *out,
               zf_error *err)
{
    int rc = zf_store__get(zf_store__enter(st), q, v, n, out, err);
    zf_store__leave(st);
    return rc;
}

int zf_store_web_session_add(zf_store *st, const zf_store_web_session *s, zf_error *err)
{
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    size_t n = zf_store__params(&zf_store__web_session_row, s, v);
    return run(st, &q_add, v, n, err);
}

int zf_store_web_session_get(zf_store *st, const char *id_hash, zf_store_web_session *out,
                             zf_error *err)
{
    zf_store_value v = zf_store__text(id_hash);
    int rc = get(st, &q_get, &v, 1, out, err);
    if (rc == 0)
        return zf_error_set(err, ZF_ENOTFOUND, "no such web session");
    return rc < 0 ? rc : 0;
}

int zf_store_web_session_touch(zf_store *st, const char *id_hash, int64_t at, int64_t before,
                               zf_error *err)
{
    zf_store_value v[] = {zf_store__text(id_hash), zf_store__int64(at), zf_store__int64(before)};
    return run(st, &q_touch, v, 3, err);
}

int zf_store_web_session_delete(zf_store *st, const char *id_hash, zf_error *err)
{
    zf_store_value v = zf_store__text(id_hash);
    return run(st, &q_delete, &v, 1, err);
}

int zf_store_web_session_delete_account(zf_store *st, int64_t account_id, const char *org,
                                        size_t *n, zf_error *err)
{
    zf_store_value v[] = {zf_store__int64(account_id), zf_store__text(org)};
    void *gone = NULL;
    size_t cnt = 0;
    int rc = zf_store__get_all(zf_store__enter(st), &q_delete_account, v, 2, &gone, &cnt, err);
    zf_store__leave(st);
    for (size_t i = 0; i < cnt; i++)
        zf_store_web_session_free(&((zf_store_web_session *)gone)[i]);
    free(gone);
    if (n)
        *n = rc == 0 ? cnt : 0;
    return rc;
}

int zf_store_web_session_purge(zf_store *st, int64_t now, int64_t idle_before, zf_error *err)
{
    zf_store_value v[] = {zf_store__int64(now), zf_store__int64(idle_before)};
    return run(st, &q_purge, v, 2, err);
}

int zf_store_throttle_get(zf_store *st, const char *key, zf_store_throttle *out, zf_error *err)
{
    zf_store_value v = zf_store__text(key);
    int rc = get(st, &q_throttle_get, &v, 1, out, err);
    return rc < 0 ? rc : 0; /* none: zeroes */
}

int zf_store_throttle_fail(zf_store *st, const char *key, int64_t now, int64_t max_failures,
                           int64_t window, int64_t lockout, zf_store_throttle *out, zf_error *err)
{
    zf_store_value v[] = {zf_store__text(key), zf_store__int64(now), zf_store__int64(max_failures),
                          zf_store__int64(window), zf_store__int64(lockout)};
    int rc = get(st, &q_throttle_fail, v, 5, out, err);
    if (rc == 0)
        return zf_error_set(err, ZF_ESTORE, "counting a sign-in failure gave no row");
    return rc < 0 ? rc : 0;
}

int zf_store_throttle_clear(zf_store *st, const char *key, zf_error *err)
{
    zf_store_value v = zf_store__text(key);
    return run(st, &q_throttle_clear, &v, 1, err);
}

int zf_store_throttle_purge(zf_store *st, int64_t before, zf_error *err)
{
    zf_store_value v = zf_store__int64(before);
    return run(st, &q_throttle_purge, &v, 1, err);
}
