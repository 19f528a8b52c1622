/*
 * GET /api/v1/audit?limit=&before=: the org's audit log, newest first
 * (admin only). The log of an org is the store's audit rows whose conn_id
 * is the org's slug (access.h). Paged by the store's keyset cursor
 * (zf_store_audit_page): next_before is opaque, null on the last page.
 */
#include "common.h"
#include "handlers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/store.h"
#include "text.h"

static int query_int(srv_req *req, srv_resp *resp, const char *name, int64_t lo, int64_t hi,
                     int64_t dflt, int64_t *out)
{
    const char *s = srv_query(req, name);
    *out = dflt;
    if (!s)
        return 0;
    int64_t v;
    if (zf_parse_i64(s, lo, hi, &v) < 0) {
        char accepts[96];
        snprintf(accepts, sizeof accepts, "expected an integer from %lld to %lld", (long long)lo,
                 (long long)hi);
        return srv_bad_query(resp, name, s, accepts, ZF_HINT_NONE);
    }
    *out = v;
    return 0;
}

/* ?before=: the opaque cursor of the page before (the store's keyset
 * position), absent for the newest page. */
static int query_cursor(srv_req *req, srv_resp *resp, zf_store_audit_cursor *cur,
                        const zf_store_audit_cursor **out)
{
    const char *s = srv_query(req, "before");
    *out = NULL;
    if (!s)
        return 0;
    zf_error e = ZF_ERROR_INIT;
    if (zf_store_audit_cursor_parse(s, cur, &e) < 0) {
        char accepts[ZF_ERROR_MSG_MAX + 64];
        snprintf(accepts, sizeof accepts, "%s; pass next_before from the page before, unchanged",
                 e.message);
        return srv_bad_query(resp, "before", s, accepts, ZF_HINT_AUDIT_CURSOR);
    }
    *out = cur;
    return 0;
}

int srv_h_audit_list(srv_req *req, srv_resp *resp)
{
    int64_t limit;
    zf_store_audit_cursor cur;
    const zf_store_audit_cursor *before;
    static const char *const known[] = {"limit", "before", NULL};
    if (srv_query_only(req, resp, known) != 0 ||
        query_int(req, resp, "limit", 1, 500, 50, &limit) < 0 ||
        query_cursor(req, resp, &cur, &before) < 0)
        return 0;
    zf_store *st;
    zf_error e = ZF_ERROR_INIT;
    if (srv_ctx_store(req->ctx, &st, &e) < 0)
        return srv_error(resp, &e);
    zf_store_audit *rows = NULL;
    size_t n = 0;
    /* one row more than the page: whether there is a next one */
    if (zf_store_audit_page(st, req->who->org, before, (size_t)limit + 1, &rows, &n, &e) < 0)
        return srv_error(resp, &e);
    size_t taken = n > (size_t)limit ? (size_t)limit : n;
    json_t *arr = json_array();
    for (size_t i = 0; i < taken; i++) {
        const zf_store_audit *r = &rows[i];
        json_array_append_new(
            arr, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)r->id, "at",
                           (json_int_t)r->at, "actor", r->actor ? r->actor : "", "action",
                           r->action ? r->action : "", "outcome", r->outcome ? r->outcome : "",
                           "detail", r->detail ? r->detail : ""));
    }
    json_t *next = json_null();
    if (n > taken) {
        char c[ZF_STORE_AUDIT_CURSOR_LEN + 1];
        zf_store_audit_cursor_format(&rows[taken - 1], c);
        json_decref(next);
        next = json_string(c);
    }
    zf_store_audit_free_list(rows, n);
    return srv_json(resp, 200, json_pack("{s:o,s:o}", "entries", arr, "next_before", next));
}
