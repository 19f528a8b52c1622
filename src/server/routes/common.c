/* Helpers of the core's handlers (common.h). */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/log.h"
#include "zoomflow/store.h"

#include "zoomflow/hint.h"
#include "text.h"

void srv_body_problem(srv_body *b, const char *field, const char *message)
{
    json_array_append_new(b->problems, json_pack("{s:s,s:s}", "field", field, "message", message));
}

int srv_body_begin(srv_body *b, srv_req *req, srv_resp *resp, const char *const *allowed)
{
    b->req = req;
    b->problems = NULL;
    if (!req->json || !json_is_object(req->json)) {
        srv_fail(resp, ZF_EVALIDATION, "the body must be a JSON object");
        return -1;
    }
    b->problems = json_array();
    if (!b->problems) {
        srv_fail(resp, ZF_ENOMEM, "out of memory");
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach (req->json, k, v) {
        int ok = 0;
        for (const char *const *a = allowed; a && *a; a++)
            if (strcmp(*a, k) == 0)
                ok = 1;
        if (!ok)
            srv_body_problem(b, k, "unknown member");
    }
    return 0;
}

void srv_body_str(srv_body *b, const char *field, int required, const char **out)
{
    json_t *v = json_object_get(b->req->json, field);
    if (!v || json_is_null(v)) {
        if (required)
            srv_body_problem(b, field, "required");
        return;
    }
    if (!json_is_string(v)) {
        srv_body_problem(b, field, "must be a string");
        return;
    }
    *out = json_string_value(v);
}

void srv_body_int(srv_body *b, const char *field, int64_t *out, int *present)
{
    json_t *v = json_object_get(b->req->json, field);
    *present = 0;
    if (!v || json_is_null(v))
        return;
    if (!json_is_integer(v)) {
        srv_body_problem(b, field, "must be an integer");
        return;
    }
    *out = (int64_t)json_integer_value(v);
    *present = 1;
}

void srv_body_bool(srv_body *b, const char *field, int *out, int *present)
{
    json_t *v = json_object_get(b->req->json, field);
    *present = 0;
    if (!v || json_is_null(v))
        return;
    if (!json_is_boolean(v)) {
        srv_body_problem(b, field, "must be true or false");
        return;
    }
    *out = json_is_true(v);
    *present = 1;
}

void srv_body_role(srv_body *b, const char *field, int *out)
{
    const char *s = NULL;
    json_t *v = json_object_get(b->req->json, field);
    *out = 0;
    if (!v || json_is_null(v))
        return;
    if (!json_is_string(v)) {
        srv_body_problem(b, field, "must be one of viewer, operator, admin");
        return;
    }
    s = json_string_value(v);
    zf_role r;
    zf_error e = ZF_ERROR_INIT;
    if (zf_role_parse(s, &r, &e) < 0)
        srv_body_problem(b, field, "must be one of viewer, operator, admin");
    else
        *out = (int)r;
}

int srv_body_end(srv_body *b, srv_resp *resp, const char *what)
{
    if (json_array_size(b->problems) == 0) {
        json_decref(b->problems);
        b->problems = NULL;
        return 0;
    }
    zf_error e = ZF_ERROR_INIT;
    zf_error_set(&e, ZF_EVALIDATION, "%s: %zu problem(s) in the body", what,
                 json_array_size(b->problems));
    zf_error_hint_id(&e, ZF_HINT_FIX_FIELDS, NULL);
    srv_error_problems(resp, &e, b->problems);
    b->problems = NULL;
    return 1;
}

zf_access *srv_body_done(srv_body *b, srv_resp *resp, const char *what)
{
    if (srv_body_end(b, resp, what))
        return NULL;
    return srv_access_or_fail(b->req, resp);
}

int srv_bad_query(srv_resp *resp, const char *field, const char *value, const char *accepts,
                  int hint)
{
    zf_error e = ZF_ERROR_INIT;
    zf_error_set(&e, ZF_EVALIDATION, "?%.60s=%.80s: %s", field, value ? value : "", accepts);
    zf_error_hint_id(&e, hint ? hint : ZF_HINT_FIX_QUERY, NULL);
    srv_error_status_problems(resp, 400, &e,
                              json_pack("[{s:s,s:s}]", "field", field, "message", accepts));
    return -1;
}

int srv_query_only(srv_req *req, srv_resp *resp, const char *const *allowed)
{
    const char *name;
    for (size_t i = 0; (name = srv_query_name(req, i)) != NULL; i++) {
        int ok = 0;
        for (const char *const *a = allowed; a && *a && !ok; a++)
            ok = strcmp(*a, name) == 0;
        if (ok)
            continue;
        char takes[256] = "";
        size_t at = 0;
        for (const char *const *a = allowed; a && *a && at < sizeof takes; a++) {
            int n = snprintf(takes + at, sizeof takes - at, "%s?%s=", at ? ", " : "", *a);
            if (n < 0)
                break;
            at += (size_t)n;
        }
        char accepts[320];
        snprintf(accepts, sizeof accepts, "unknown query parameter: this route takes %s",
                 at ? takes : "none");
        return srv_bad_query(resp, name, srv_query(req, name), accepts, ZF_HINT_FIX_QUERY);
    }
    return 0;
}

int64_t srv_param_id(const srv_req *req, const char *name)
{
    const char *s = srv_param(req, name);
    int64_t v;
    return zf_parse_i64(s, 1, INT64_MAX, &v) < 0 ? 0 : v;
}

zf_access *srv_access_or_fail(srv_req *req, srv_resp *resp)
{
    zf_access *a = NULL;
    zf_error e = ZF_ERROR_INIT;
    if (srv_ctx_access(req->ctx, &a, &e) < 0) {
        srv_error(resp, &e);
        return NULL;
    }
    return a;
}

int srv_answer_org_list(srv_req *req, srv_resp *resp, const srv_org_list *l)
{
    if (srv_query_only(req, resp, NULL) != 0)
        return 0; /* the lists take no query */
    zf_access *a = srv_access_or_fail(req, resp);
    if (!a)
        return 0;
    void *rows = NULL;
    size_t n = 0;
    zf_error e = ZF_ERROR_INIT;
    if (l->list(a, req->who->org, &rows, &n, &e) < 0)
        return srv_error(resp, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, l->row_json((const char *)rows + i * l->row_size));
    l->free_list(rows, n);
    return srv_json(resp, 200, json_pack("{s:o}", l->member, arr));
}

void srv_audit_ok(zf_store *st, const srv_req *req, const char *action, const char *detail)
{
    zf_store_audit a = {0};
    a.at = (int64_t)time(NULL);
    a.conn_id = (char *)req->who->org;
    a.actor = (char *)req->who->actor;
    a.action = (char *)action;
    a.outcome = (char *)"ok";
    a.detail = (char *)detail;
    zf_error e = ZF_ERROR_INIT;
    if (zf_store_audit_add(st, &a, &e) < 0)
        srv_log(req, ZF_LOG_WARN, "audit", "audit row %s not written: %s", action, e.message);
}
