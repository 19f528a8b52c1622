/*
 * The API keys domain: one row per key of an org, holding the SHA-256 of
 * the whole key (never the key), its role, expiry, revocation and last
 * use. A key is looked up by its id (the public part of the key); the
 * comparison of the hash is access.c's, in constant time.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store_internal.h"

static const char *const role_names[] = {"none", "viewer", "operator", "admin", NULL};

#define TEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_api_key, f), 0, NULL
#define INT64(f) #f, ZF_COL_INT64, offsetof(zf_store_api_key, f), 0, NULL

static const zf_store_column key_columns[] = {
    {"id", ZF_COL_TEXT, offsetof(zf_store_api_key, id), ZF_COL_KEY, NULL},
    {TEXT(org)},
    {TEXT(name)},
    {"role", ZF_COL_ENUM, offsetof(zf_store_api_key, role), 0, role_names},
    {TEXT(key_hash)},
    {TEXT(created_by)},
    {INT64(created_at)},
    {INT64(expires_at)},
    {INT64(revoked_at)},
    {INT64(last_used_at)},
};

const zf_store_row zf_store__api_key_row = ZF_STORE_ROW(zf_store_api_key, key_columns);

static const zf_store_query q_add = {
    .what = "adding an API key",
    .sql = "INSERT INTO api_keys {insert} ON CONFLICT (id) DO NOTHING RETURNING {columns}",
    .row = &zf_store__api_key_row,
};
static const zf_store_query q_get = {
    .what = "reading an API key",
    .sql = "SELECT {columns} FROM api_keys WHERE id = $1",
    .row = &zf_store__api_key_row,
};
static const zf_store_query q_list = {
    .what = "listing API keys",
    .sql = "SELECT {columns} FROM api_keys WHERE org = $1 ORDER BY created_at DESC, id",
    .row = &zf_store__api_key_row,
};
/* Two steps in one statement would need a CTE per dialect; the org's key
 * is found first (absent: ENOTFOUND), then revoked when live. */
static const zf_store_query q_org_key = {
    .what = "reading an API key",
    .sql = "SELECT {columns} FROM api_keys WHERE org = $1 AND id = $2",
    .row = &zf_store__api_key_row,
};
static const zf_store_query q_revoke = {
    .what = "revoking an API key",
    .sql = "UPDATE api_keys SET revoked_at = $3 WHERE org = $1 AND id = $2 AND revoked_at = 0 "
           "RETURNING {columns}",
    .row = &zf_store__api_key_row,
};
static const zf_store_query q_touch = {
    .what = "recording an API key's use",
    .sql = "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND last_used_at < $3",
};

void zf_store_api_key_free(zf_store_api_key *k)
{
    zf_store__release(&zf_store__api_key_row, k);
}

void zf_store_api_key_free_list(zf_store_api_key *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        zf_store_api_key_free(&list[i]);
    free(list);
}

static int get_one(zf_store *st, const zf_store_query *q, const zf_store_value *v, size_t n,
                   zf_store_api_key *out, int missing_code, const char *missing, zf_error *err)
{
    int rc = zf_store__get(zf_store__enter(st), q, v, n, out, err);
    zf_store__leave(st);
    if (rc == 0)
        return zf_error_set(err, missing_code, "%s", missing);
    return rc < 0 ? rc : 0;
}

int zf_store_api_key_add(zf_store *st, const zf_store_api_key *k, zf_error *err)
{
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    zf_store_api_key back;
    size_t n = zf_store__params(&zf_store__api_key_row, k, v);
    int rc = get_one(st, &q_add, v, n, &back, ZF_ECONFLICT, "the API key id is taken", err);
    zf_store_api_key_free(&back);
    return rc;
}

int zf_store_api_key_get(zf_store *st, const char *id, zf_store_api_key *out, zf_error *err)
{
    zf_store_value v = zf_store__text(id);
    return get_one(st, &q_get, &v, 1, out, ZF_ENOTFOUND, "no such API key", err);
}

int zf_store_api_key_list(zf_store *st, const char *org, zf_store_api_key **out, size_t *n,
                          zf_error *err)
{
    void *list = NULL;
    zf_store_value v = zf_store__text(org);
    int rc = zf_store__get_all(zf_store__enter(st), &q_list, &v, 1, &list, n, err);
    zf_store__leave(st);
    *out = list;
    return rc;
}

int zf_store_api_key_revoke(zf_store *st, const char *org, const char *id, int64_t at,
                            zf_error *err)
{
    zf_store_value v[] = {zf_store__text(org), zf_store__text(id), zf_store__int64(at)};
    zf_store_api_key k;
    int rc = get_one(st, &q_revoke, v, 3, &k, ZF_ENOTFOUND, "no such API key", err);
    if (rc == 0) {
        zf_store_api_key_free(&k);
        return 1;
    }
    if (rc != ZF_ENOTFOUND)
        return rc;
    /* not revoked now: already revoked, or not org's */
    if ((rc = get_one(st, &q_org_key, v, 2, &k, ZF_ENOTFOUND, "no such API key", err)) < 0)
        return rc;
    zf_store_api_key_free(&k);
    return 0;
}

int zf_store_api_key_touch(zf_store *st, const char *id, int64_t at, int64_t before, zf_error *err)
{
    zf_store_value v[] = {zf_store__text(id), zf_store__int64(at), zf_store__int64(before)};
    int rc = zf_store__run(zf_store__enter(st), &q_touch, v, 3, err);
    zf_store__leave(st);
    return rc;
}
