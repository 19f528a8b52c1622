/*
 * The idempotency domain: the service's Idempotency-Key records, one per
 * (org, key). The first request with a key claims the row (an INSERT that
 * does nothing when the row exists, so of two racing requests, in one
 * process or on two replicas of one database, exactly one gets it) and
 * runs; the others read the row. A finished request stores its answer
 * under its claim token; a claim that is no longer the row's (taken over
 * after its request was presumed dead) finishes nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include "store_internal.h"

#define TEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_idem, f), 0, NULL
#define INT64(f) #f, ZF_COL_INT64, offsetof(zf_store_idem, f), 0, NULL

static const char *const idem_states[] = {"pending", "done", NULL};

static const zf_store_column idem_columns[] = {
    {"org", ZF_COL_TEXT, offsetof(zf_store_idem, org), ZF_COL_KEY, NULL},
    {"idem_key", ZF_COL_TEXT, offsetof(zf_store_idem, idem_key), ZF_COL_KEY, NULL},
    {TEXT(request_hash)},
    {"state", ZF_COL_ENUM, offsetof(zf_store_idem, state), 0, idem_states},
    {TEXT(claim)},
    {INT64(status)},
    {TEXT(response)},
    {INT64(created_at)},
    {INT64(expires_at)},
};

const zf_store_row zf_store__idem_row = ZF_STORE_ROW(zf_store_idem, idem_columns);

static const zf_store_query q_expire_one = {
    .what = "dropping an expired idempotency key",
    .sql = "DELETE FROM idempotency_keys WHERE org = $1 AND idem_key = $2 AND expires_at <= $3",
};
static const zf_store_query q_claim = {
    .what = "claiming an idempotency key",
    .sql = "INSERT INTO idempotency_keys {insert} ON CONFLICT (org, idem_key) DO NOTHING "
           "RETURNING {columns}",
    .row = &zf_store__idem_row,
};
static const zf_store_query q_get = {
    .what = "reading an idempotency key",
    .sql = "SELECT {columns} FROM idempotency_keys WHERE org = $1 AND idem_key = $2",
    .row = &zf_store__idem_row,
};
static const zf_store_query q_finish = {
    .what = "storing an idempotent answer",
    .sql = "UPDATE idempotency_keys SET state = 'done', status = $4, response = $5 "
           "WHERE org = $1 AND idem_key = $2 AND claim = $3 AND state = 'pending' "
           "RETURNING {columns}",
    .row = &zf_store__idem_row,
};
static const zf_store_query q_release = {
    .what = "releasing an idempotency key",
    .sql = "DELETE FROM idempotency_keys WHERE org = $1 AND idem_key = $2 AND claim = $3 "
           "AND state = 'pending' RETURNING {columns}",
    .row = &zf_store__idem_row,
};
static const zf_store_query q_takeover = {
    .what = "taking over an idempotency key",
    .sql = "UPDATE idempotency_keys SET claim = $4 "
           "WHERE org = $1 AND idem_key = $2 AND claim = $3 AND state = 'pending' "
           "RETURNING {columns}",
    .row = &zf_store__idem_row,
};
static const zf_store_query q_purge = {
    .what = "purging expired idempotency keys",
    .sql = "DELETE FROM idempotency_keys WHERE expires_at <= $1",
};

void zf_store_idem_free(zf_store_idem *r)
{
    zf_store__release(&zf_store__idem_row, r);
}

/* Claims once: 1 claimed (*out the new row), 0 the row exists (*out it),
 * 2 it vanished between the insert and the read (try again), < 0. */
static int claim_once(const zf_store_db *db, const zf_store_idem *row, int64_t now,
                      zf_store_idem *out, zf_error *err)
{
    zf_store_value k[] = {zf_store__text(row->org), zf_store__text(row->idem_key),
                          zf_store__int64(now)};
    int rc = zf_store__run(db, &q_expire_one, k, 3, err);
    if (rc < 0)
        return rc;
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    size_t n = zf_store__params(&zf_store__idem_row, row, v);
    if ((rc = zf_store__get(db, &q_claim, v, n, out, err)) != 0)
        return rc;
    rc = zf_store__get(db, &q_get, k, 2, out, err);
    return rc < 0 ? rc : rc == 1 ? 0 : 2;
}

int zf_store_idem_claim(zf_store *st, const zf_store_idem *row, int64_t now, zf_store_idem *out,
                        zf_error *err)
{
    if (!st || !row || !row->org || !row->idem_key || !row->claim || !row->request_hash || !out)
        return zf_error_set(err, ZF_EINVAL, "zf_store_idem_claim: a required argument is NULL");
    const zf_store_db *db = zf_store__enter(st);
    int rc = 2;
    /* a row released by its owner between our insert and our read: again */
    for (int i = 0; i < 3 && rc == 2; i++)
        rc = claim_once(db, row, now, out, err);
    zf_store__leave(st);
    if (rc == 2)
        return zf_error_set(err, ZF_ECONFLICT, "idempotency key \"%s\" keeps changing",
                            row->idem_key);
    return rc;
}

int zf_store_idem_get(zf_store *st, const char *org, const char *key, zf_store_idem *out,
                      zf_error *err)
{
    zf_store_value k[] = {zf_store__text(org), zf_store__text(key)};
    int rc = zf_store__get(zf_store__enter(st), &q_get, k, 2, out, err);
    zf_store__leave(st);
    if (rc == 0)
        return zf_error_set(err, ZF_ENOTFOUND, "no such idempotency key");
    return rc < 0 ? rc : 0;
}

/* Runs one of the claim-guarded statements: 0 when it matched the row,
 * ZF_ENOTFOUND when the claim is not the row's (any more). */
static int guarded(zf_store *st, const zf_store_query *q, const zf_store_value *v, size_t n,
                   zf_error *err)
{
    zf_store_idem got;
    int rc = zf_store__get(zf_store__enter(st), q, v, n, &got, err);
    zf_store__leave(st);
    if (rc == 1)
        zf_store_idem_free(&got);
    if (rc == 0)
        return zf_error_set(err, ZF_ENOTFOUND, "the idempotency key is not held by this claim");
    return rc < 0 ? rc : 0;
}

int zf_store_idem_finish(zf_store *st, const char *org, const char *key, const char *claim,
                         int64_t status, const char *response, zf_error *err)
{
    zf_store_value v[] = {zf_store__text(org), zf_store__text(key), zf_store__text(claim),
                          zf_store__int64(status), zf_store__text(response)};
    return guarded(st, &q_finish, v, 5, err);
}

int zf_store_idem_release(zf_store *st, const char *org, const char *key, const char *claim,
                          zf_error *err)
{
    zf_store_value v[] = {zf_store__text(org), zf_store__text(key), zf_store__text(claim)};
    return guarded(st, &q_release, v, 3, err);
}

int zf_store_idem_takeover(zf_store *st, const char *org, const char *key, const char *old_claim,
                           const char *new_claim, zf_error *err)
{
    zf_store_value v[] = {zf_store__text(org), zf_store__text(key), zf_store__text(old_claim),
                          zf_store__text(new_claim)};
    return guarded(st, &q_takeover, v, 4, err);
}

int zf_store_idem_purge(zf_store *st, int64_t now, zf_error *err)
{
    zf_store_value when = zf_store__int64(now);
    int rc = zf_store__run(zf_store__enter(st), &q_purge, &when, 1, err);
    zf_store__leave(st);
    return rc;
}
