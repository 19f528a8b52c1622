/*
 * call_api: any method and path under the API base (relative to /v2).
 * The path is checked here for the obvious escapes before any traffic;
 * the Zoom client's own path check stays the guard that keeps the token
 * on the API origin. The scope needed is the endpoint's, unknown here, so
 * the scope preflight lets call_api through and Zoom answers 4711.
 */
#include "actions_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};
static const zf_field no_fields[] = {{0}};

static const zf_field input[] = {
    {.name = "method",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .in = ZF_IN_LOCAL,
     .enum_str = methods,
     .summary = "HTTP method"},
    {.name = "path",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .in = ZF_IN_LOCAL,
     .min_len = 1,
     .max_len = 2048,
     .format = ZF_FMT_API_PATH,
     .summary = "path relative to /v2, e.g. /users/me/meetings (encode ids yourself)"},
    {.name = "query",
     .types = ZF_T_OBJECT,
     .flags = ZF_F_OPEN,
     .in = ZF_IN_LOCAL,
     .fields = no_fields,
     .summary = "query parameters: {\"name\": string, number or boolean}"},
    {.name = "body",
     .types = ZF_T_ANY,
     .in = ZF_IN_LOCAL,
     .summary = "JSON body (not with GET or DELETE)"},
    {0},
};

static void check(zf_problems *p, const json_t *in)
{
    json_t *q = json_object_get(in, "query");
    const char *key;
    json_t *v;
    size_t n = 0;
    if (json_is_object(q)) {
        json_object_foreach (q, key, v) {
            char path[96];
            snprintf(path, sizeof path, "query.%.80s", key);
            if (!json_is_string(v) && !json_is_integer(v) && !json_is_boolean(v))
                zf_problems_add(p, path, "type", v, -1,
                                "a query value must be a string, an integer or a boolean");
            n++;
        }
        if (n > ZF_ACTION_QUERY_MAX)
            zf_problems_add(p, "query", "maxItems", NULL, -1, "at most %d query parameters",
                            ZF_ACTION_QUERY_MAX);
    }
    const char *m = zf_actions__str(in, "method");
    json_t *body = json_object_get(in, "body");
    if (m && body && !json_is_null(body) && (strcmp(m, "GET") == 0 || strcmp(m, "DELETE") == 0))
        zf_problems_add(p, "body", "dependency", body, -1,
                        "%s requests carry no body; put parameters in `query`", m);
}

static zf_action_kind kind_of(const char *method)
{
    if (strcmp(method, "GET") == 0)
        return ZF_ACTION_READ;
    return strcmp(method, "POST") == 0 ? ZF_ACTION_CREATE : ZF_ACTION_WRITE;
}

static int build(zf_action_request *req, const json_t *in, zf_error *err)
{
    const char *method = zf_actions__str(in, "method");
    snprintf(req->method, sizeof req->method, "%s", method);
    req->kind = kind_of(method);
    req->path = strdup(zf_actions__str(in, "path"));
    int rc = req->path ? 0 : ZF_ENOMEM;
    json_t *q = json_object_get(in, "query");
    const char *key;
    json_t *v;
    json_object_foreach (q, key, v) {
        char text[1024];
        if (json_is_string(v))
            snprintf(text, sizeof text, "%s", json_string_value(v));
        else if (json_is_integer(v))
            snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
        else
            snprintf(text, sizeof text, "%s", json_is_true(v) ? "true" : "false");
        if (rc == 0)
            rc = zf_action_request_add_query(req, key, text);
    }
    json_t *body = json_object_get(in, "body");
    if (rc == 0 && body && !json_is_null(body)) {
        req->body = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
        rc = req->body ? 0 : ZF_ENOMEM;
    }
    return rc ? zf_error_set(err, rc, "cannot build the call_api request") : 0;
}

static const char *const rules[] = {
    "query values are strings, integers or booleans (at most 16).",
    "GET and DELETE take no body.",
    NULL,
};

const zf_action zf_action__call_api = {
    .name = "call_api",
    .summary = "Call any Zoom API endpoint under /v2 (the scope is the endpoint's).",
    .words = {"api", NULL},
    .kind = ZF_ACTION_WRITE,
    .input = input,
    .check = check,
    .rules = rules,
    .build = build,
    .item_type = "response",
};
