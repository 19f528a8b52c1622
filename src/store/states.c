/*
 * The OAuth states domain: pending authorizations, keyed by the SHA-256
 * hex of the state, each consumed at most once (zf_store_state_take
 * deletes and returns in one statement, so of two racing callers one gets
 * the row and the other ZF_ENOTFOUND).
 */
#include <stddef.h>

#include "store_internal.h"

#define TEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_state, f), 0, NULL
#define INT64(f) #f, ZF_COL_INT64, offsetof(zf_store_state, f), 0, NULL

static const zf_store_column state_columns[] = {
    {TEXT(state_hash)},  {TEXT(conn_id)},     {TEXT(verifier_sealed)},      {TEXT(redirect_uri)},
    {TEXT(oauth_base)},  {TEXT(client_id)},   {TEXT(client_secret_sealed)}, {TEXT(actor)},
    {INT64(created_at)}, {INT64(expires_at)}, {TEXT(token_endpoint)},       {TEXT(revoke_endpoint)},
};

const zf_store_row zf_store__state_row = ZF_STORE_ROW(zf_store_state, state_columns);

static const zf_store_query q_put = {
    .what = "storing an OAuth state",
    .sql = "INSERT INTO oauth_states {insert}",
    .row = &zf_store__state_row,
};
static const zf_store_query q_take = {
    .what = "consuming an OAuth state",
    .sql = "DELETE FROM oauth_states WHERE state_hash = $1 RETURNING {columns}",
    .row = &zf_store__state_row,
};
static const zf_store_query q_purge = {
    .what = "purging OAuth states",
    .sql = "DELETE FROM oauth_states WHERE expires_at < $1",
};

void zf_store_state_free(zf_store_state *s)
{
    zf_store__release(&zf_store__state_row, s);
}

int zf_store_state_put(zf_store *st, const zf_store_state *s, zf_error *err)
{
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    size_t n = zf_store__params(&zf_store__state_row, s, v);
    int rc = zf_store__run(zf_store__enter(st), &q_put, v, n, err);
    zf_store__leave(st);
    return rc;
}

int zf_store_state_take(zf_store *st, const char *state_hash, zf_store_state *out, zf_error *err)
{
    zf_store_value key = zf_store__text(state_hash);
    int rc = zf_store__get(zf_store__enter(st), &q_take, &key, 1, out, err);
    zf_store__leave(st);
    if (rc == 0)
        return zf_error_set(err, ZF_ENOTFOUND, "no such OAuth state");
    return rc < 0 ? rc : 0;
}

int zf_store_state_purge(zf_store *st, int64_t now, zf_error *err)
{
    zf_store_value when = zf_store__int64(now);
    int rc = zf_store__run(zf_store__enter(st), &q_purge, &when, 1, err);
    zf_store__leave(st);
    return rc;
}
