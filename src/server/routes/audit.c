/*
 * GET /api/v1/audit?limit=&before=: the org's audit log, newest first
 * (admin only). The log of an org is the store's audit rows whose conn_id
 * is the org's slug (access.h).
 */
#include "common.h"
#include "handlers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/store.h"

#define AUDIT_SCAN_MAX 5000

static int query_int(srv_req *req, srv_resp *resp, const char *name, int64_t lo, int64_t hi,
                     int64_t dflt, int64_t *out)
{
    const char *s = srv_query(req, name);
    *out = dflt;
    if (!s)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || !*s || *end || v < lo || v > hi) {
        json_t *p = json_pack("[{s:s,s:s}]", "field", name, "message", "out of range");
        zf_error e = ZF_ERROR_INIT;
        zf_error_set(&e, ZF_EVALIDATION, "?%s=%s: expected an integer from %lld to %lld", name, s,
                     (long long)lo, (long long)hi);
        srv_error_problems(resp, &e, p);
        return -1;
    }
    *out = v;
    return 0;
}

int srv_h_audit_list(srv_req *req, srv_resp *resp)
{
    int64_t limit, before;
    if (query_int(req, resp, "limit", 1, 500, 50, &limit) < 0 ||
        query_int(req, resp, "before", 1, INT64_MAX, 0, &before) < 0)
        return 0;
    zf_store *st;
    zf_error e = ZF_ERROR_INIT;
    if (srv_ctx_store(req->ctx, &st, &e) < 0)
        return srv_error(resp, &e);
    zf_store_audit *rows = NULL;
    size_t n = 0;
    /* the store lists newest first without a cursor: read far enough for
     * the page asked (bounded) and skip what is not before the cursor */
    size_t want = before ? AUDIT_SCAN_MAX : (size_t)limit + 1;
    if (zf_store_audit_list(st, req->who->org, want, &rows, &n, &e) < 0)
        return srv_error(resp, &e);
    json_t *arr = json_array();
    int64_t last = 0;
    size_t taken = 0, more = 0;
    for (size_t i = 0; i < n; i++) {
        const zf_store_audit *r = &rows[i];
        if (before && r->id >= before)
            continue;
        if (taken == (size_t)limit) {
            more = 1;
            break;
        }
        json_array_append_new(
            arr, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)r->id, "at",
                           (json_int_t)r->at, "actor", r->actor ? r->actor : "", "action",
                           r->action ? r->action : "", "outcome", r->outcome ? r->outcome : "",
                           "detail", r->detail ? r->detail : ""));
        last = r->id;
        taken++;
    }
    zf_store_audit_free_list(rows, n);
    return srv_json(resp, 200,
                    json_pack("{s:o,s:o}", "entries", arr, "next_before",
                              more ? json_integer((json_int_t)last) : json_null()));
}
