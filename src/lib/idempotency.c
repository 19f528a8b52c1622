/*
 * Idempotency keys over the store's idempotency domain (idempotency.h).
 *
 * Invariant: a request runs only after its own INSERT claimed the key, and
 * a claim that is not this request's is never finished or released by it
 * (the store's statements are guarded by the claim token), so no repeat,
 * concurrent or late, runs the work a second time.
 */
#include "zoomflow/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/crypt.h"
#include "zoomflow/hint.h"

int zf_idem_check_key(const char *key, zf_error *err)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0)
        return zf_error_set(err, ZF_EVALIDATION, "the idempotency key is empty");
    if (n > ZF_IDEM_KEY_MAX)
        return zf_error_set(err, ZF_EVALIDATION,
                            "the idempotency key is %zu bytes long; at most %d are allowed", n,
                            ZF_IDEM_KEY_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] <= 0x20 || (unsigned char)key[i] >= 0x7f)
            return zf_error_set(err, ZF_EVALIDATION,
                                "the idempotency key holds a byte that is not printable ASCII "
                                "(0x%02x at position %zu)",
                                (unsigned char)key[i], i + 1);
    return 0;
}

int zf_idem_request_hash(char out[65], const char *action, const json_t *input, zf_error *err)
{
    char *canon =
        input ? json_dumps(input, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : strdup("null");
    if (!canon || !action) {
        free(canon);
        return zf_error_set(err, canon ? ZF_EINVAL : ZF_ENOMEM, "cannot hash the request");
    }
    size_t an = strlen(action), cn = strlen(canon);
    char *all = malloc(an + 1 + cn);
    if (!all) {
        free(canon);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    memcpy(all, action, an);
    all[an] = '\n';
    memcpy(all + an + 1, canon, cn);
    unsigned char d[32];
    zf_sha256(all, an + 1 + cn, d);
    zf_hex(d, sizeof d, out);
    free(all);
    free(canon);
    return 0;
}

/* Copies the stored answer into h for a replay. */
static int take_answer(zf_idem *h, zf_store_idem *row, zf_error *err)
{
    h->status = row->status;
    h->response = row->response;
    row->response = NULL;
    h->verdict = ZF_IDEM_REPLAY;
    return ZF_IDEM_REPLAY;
}

int zf_idem_begin(zf_idem *h, zf_store *st, const char *org, const char *key, const char *action,
                  const json_t *input, int64_t now, zf_error *err)
{
    zf_idem fresh = ZF_IDEM_INIT;
    *h = fresh;
    int rc;
    if (!st || !org)
        return zf_error_set(err, ZF_EINVAL, "zf_idem_begin: store and org are required");
    if ((rc = zf_idem_check_key(key, err)) != 0)
        return rc;
    if ((rc = zf_idem_request_hash(h->request_hash, action, input, err)) != 0)
        return rc;
    if (!now)
        now = (int64_t)time(NULL);
    h->store = st;
    h->org = strdup(org);
    h->key = strdup(key);
    if (!h->org || !h->key || zf_random_token(h->claim, sizeof h->claim) != 0)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    zf_store_idem mine = {h->org, h->key, h->request_hash,    ZF_IDEM_PENDING, h->claim, 0,
                          NULL,   now,    now + ZF_IDEM_TTL_S};
    zf_store_idem got;
    memset(&got, 0, sizeof got);
    rc = zf_store_idem_claim(st, &mine, now, &got, err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        zf_store_idem_free(&got);
        h->held = 1;
        h->verdict = ZF_IDEM_RUN;
        return ZF_IDEM_RUN;
    }
    if (!got.request_hash || strcmp(got.request_hash, h->request_hash) != 0) {
        zf_store_idem_free(&got);
        zf_error_set(err, ZF_EVALIDATION,
                     "the idempotency key \"%.200s\" was used for another request (another "
                     "action or input); a key repeats one request only",
                     key);
        zf_error_hint_id(err, ZF_HINT_NEW_IDEMPOTENCY_KEY, NULL);
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, key);
        return ZF_EVALIDATION;
    }
    if (got.state == ZF_IDEM_DONE) {
        rc = take_answer(h, &got, err);
        zf_store_idem_free(&got);
        return rc;
    }
    if (now - got.created_at < ZF_IDEM_LEASE_S) {
        zf_store_idem_free(&got);
        zf_error_set(err, ZF_ECONFLICT,
                     "a request with the idempotency key \"%.200s\" is in progress; retry", key);
        err->retry_after = ZF_IDEM_RETRY_AFTER_S;
        zf_error_hint_id(err, ZF_HINT_RETRY_IN_PROGRESS, NULL);
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, key);
        return ZF_ECONFLICT;
    }
    /* the first request's claim outlived any run: presumed dead */
    rc = zf_store_idem_takeover(st, h->org, h->key, got.claim, h->claim, err);
    zf_store_idem_free(&got);
    if (rc == ZF_ENOTFOUND) { /* someone else moved first: ask again */
        zf_idem_free(h);
        return zf_idem_begin(h, st, org, key, action, input, now, err);
    }
    if (rc < 0)
        return rc;
    h->held = 1;
    h->verdict = ZF_IDEM_ABANDONED;
    return ZF_IDEM_ABANDONED;
}

int zf_idem_finish(zf_idem *h, int64_t status, const char *response, zf_error *err)
{
    if (!h->held)
        return zf_error_set(err, ZF_EINVAL, "zf_idem_finish: no claim held");
    h->held = 0;
    return zf_store_idem_finish(h->store, h->org, h->key, h->claim, status, response, err);
}

int zf_idem_release(zf_idem *h, zf_error *err)
{
    if (!h->held)
        return 0;
    h->held = 0;
    int rc = zf_store_idem_release(h->store, h->org, h->key, h->claim, err);
    return rc == ZF_ENOTFOUND ? 0 : rc;
}

int zf_idem_keeps(int rc)
{
    switch (rc) {
    case ZF_EVALIDATION:
    case ZF_ENOTCONNECTED:
    case ZF_EREAUTH:
    case ZF_ESCOPE:
    case ZF_EPATH:
    case ZF_ECONFIG:
    case ZF_ERATELIMIT:
    case ZF_EDAILYLIMIT:
    case ZF_EAUTH:
    case ZF_EFORBIDDEN:
    case ZF_ECRYPT:
        return 0;
    default:
        return 1;
    }
}

void zf_idem_free(zf_idem *h)
{
    if (!h)
        return;
    if (h->held && h->store) {
        zf_error ignored = ZF_ERROR_INIT;
        zf_idem_release(h, &ignored);
    }
    free(h->org);
    free(h->key);
    free(h->response);
    zf_idem fresh = ZF_IDEM_INIT;
    *h = fresh;
}
