/*
 * The service's OpenAPI 3.1 document, made from the route table: every
 * row (but SRV_HIDDEN ones) is an operation with its path parameters, its
 * summary, its security (none for SRV_ANON, else the session cookie or a
 * bearer key, with the role in x-min-role), its body limit, its request
 * and response schemas by name, and the error body. Modules may add to it
 * (srv_module.openapi: svcactions adds each action's input schema).
 */
#include "core.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "zoomflow/json.h"

/* Query parameters of the rows (the table names none). */
typedef struct query_param {
    const char *method, *pattern, *name, *type, *description;
} query_param;

static const query_param query_params[] = {
    {"GET", "/api/v1/audit", "limit", "integer", "rows to answer, 1-500 (default 50)"},
    {"GET", "/api/v1/audit", "before", "string",
     "the next_before of the page before (an opaque cursor; paging)"},
    {"GET", "/api/v1/runs", "state", "string",
     "only runs in this state: queued, running, done, failed, cancelled"},
    {"GET", "/api/v1/runs", "workflow", "string", "only runs of this workflow (its name)"},
    {"GET", "/api/v1/runs", "trigger", "string",
     "only runs of this trigger kind: event, zoom, schedule, manual, api"},
    {"GET", "/api/v1/runs", "limit", "integer", "runs to answer, 1-1000 (default 50)"},
    {"GET", "/api/v1/runs", "before", "string",
     "the next_before of the page before (an opaque cursor; paging)"},
    {"GET", "/api/v1/workflows/{name}", "version", "integer",
     "the version to answer, 1, 2, ... (default the latest)"},
    {NULL, NULL, NULL, NULL, NULL},
};

/* The schemas the core's rows name. Other names get an open object. */
static const char *const schemas_json[][2] = {
    {"Error",
     "{\"type\":\"object\",\"required\":[\"error\"],\"properties\":{\"error\":{\"type\":\"object\","
     "\"required\":[\"code\",\"status\",\"message\"],\"properties\":{"
     "\"code\":{\"type\":\"string\",\"examples\":[\"EVALIDATION\"]},"
     "\"status\":{\"type\":\"integer\"},\"message\":{\"type\":\"string\"},"
     "\"hint\":{\"type\":\"string\"},\"hint_id\":{\"type\":\"string\"},"
     "\"hint_button\":{\"type\":\"object\",\"properties\":{\"label\":{\"type\":\"string\"},"
     "\"href\":{\"type\":\"string\"}}},"
     "\"zoom_code\":{\"type\":\"integer\"},\"retry_after\":{\"type\":\"integer\"},"
     "\"problems\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
     "\"field\":{\"type\":\"string\"},\"message\":{\"type\":\"string\"}}}},"
     "\"request_id\":{\"type\":\"string\"}}}}}"},
    {"Health", "{\"type\":\"object\",\"properties\":{\"status\":{\"type\":\"string\"}}}"},
    {"Ready", "{\"type\":\"object\",\"properties\":{\"status\":{\"type\":\"string\"},"
              "\"degraded\":{\"type\":\"string\"},"
              "\"checks\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"object\"}}}}"},
    {"SignIn", "{\"type\":\"object\",\"required\":[\"email\",\"password\"],\"properties\":{"
               "\"email\":{\"type\":\"string\"},\"password\":{\"type\":\"string\"},"
               "\"org\":{\"type\":\"string\"}},\"additionalProperties\":false}"},
    {"Session",
     "{\"type\":\"object\",\"properties\":{\"account\":{\"type\":\"object\",\"properties\":{"
     "\"id\":{\"type\":\"integer\"},\"email\":{\"type\":\"string\"}}},"
     "\"org\":{\"type\":\"string\"},\"role\":{\"enum\":[\"viewer\",\"operator\",\"admin\"]},"
     "\"kind\":{\"enum\":[\"session\",\"key\"]},"
     "\"csrf_token\":{\"type\":\"string\"},\"expires_at\":{\"type\":\"integer\"}}}"},
    {"Account",
     "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
     "\"email\":{\"type\":\"string\"},\"role\":{\"enum\":[\"viewer\",\"operator\",\"admin\"]},"
     "\"disabled\":{\"type\":\"boolean\"},\"created_at\":{\"type\":\"integer\"},"
     "\"member_since\":{\"type\":\"integer\"}}}"},
    {"AccountList",
     "{\"type\":\"object\",\"properties\":{\"accounts\":{\"type\":\"array\",\"items\":"
     "{\"$ref\":\"#/components/schemas/Account\"}}}}"},
    {"AccountCreate",
     "{\"type\":\"object\",\"required\":[\"email\"],\"properties\":{"
     "\"email\":{\"type\":\"string\"},\"password\":{\"type\":\"string\"},"
     "\"role\":{\"enum\":[\"viewer\",\"operator\",\"admin\"]}},\"additionalProperties\":false}"},
    {"AccountUpdate",
     "{\"type\":\"object\",\"properties\":{\"role\":{\"enum\":[\"viewer\",\"operator\","
     "\"admin\"]},\"password\":{\"type\":\"string\"},\"disabled\":{\"type\":\"boolean\"}},"
     "\"additionalProperties\":false}"},
    {"Key",
     "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
     "\"name\":{\"type\":\"string\"},\"role\":{\"enum\":[\"viewer\",\"operator\",\"admin\"]},"
     "\"created_by\":{\"type\":\"string\"},\"created_at\":{\"type\":\"integer\"},"
     "\"expires_at\":{\"type\":[\"integer\",\"null\"]},\"revoked_at\":{\"type\":[\"integer\","
     "\"null\"]},\"last_used_at\":{\"type\":[\"integer\",\"null\"]}}}"},
    {"KeyList", "{\"type\":\"object\",\"properties\":{\"keys\":{\"type\":\"array\",\"items\":"
                "{\"$ref\":\"#/components/schemas/Key\"}}}}"},
    {"KeyCreate",
     "{\"type\":\"object\",\"required\":[\"name\",\"role\"],\"properties\":{"
     "\"name\":{\"type\":\"string\"},\"role\":{\"enum\":[\"viewer\",\"operator\",\"admin\"]},"
     "\"expires_at\":{\"type\":\"integer\"},\"expires_in\":{\"type\":\"integer\"}},"
     "\"additionalProperties\":false}"},
    {"KeyCreated",
     "{\"type\":\"object\",\"required\":[\"id\",\"key\"],\"properties\":{"
     "\"id\":{\"type\":\"string\"},\"key\":{\"type\":\"string\",\"description\":"
     "\"zfk_<id>_<secret>: shown once, never again\"},\"name\":{\"type\":\"string\"},"
     "\"role\":{\"type\":\"string\"},\"expires_at\":{\"type\":[\"integer\",\"null\"]}}}"},
    {"AuditList",
     "{\"type\":\"object\",\"properties\":{\"entries\":{\"type\":\"array\",\"items\":{"
     "\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
     "\"at\":{\"type\":\"integer\"},\"actor\":{\"type\":\"string\"},"
     "\"action\":{\"type\":\"string\"},\"outcome\":{\"type\":\"string\"},"
     "\"detail\":{\"type\":\"string\"}}}},\"next_before\":{\"type\":[\"string\",\"null\"]}}}"},
    {NULL, NULL},
};

static json_t *ref(const char *name)
{
    char r[256];
    snprintf(r, sizeof r, "#/components/schemas/%s", name);
    return json_pack("{s:s}", "$ref", r);
}

static void lower_method(const char *m, char *out, size_t cap)
{
    size_t i = 0;
    for (; m[i] && i + 1 < cap; i++)
        out[i] = (char)tolower((unsigned char)m[i]);
    out[i] = '\0';
}

/* "GET /api/v1/keys/{id}" -> "get_api_v1_keys_id" */
static void operation_id(const srv_route *r, char *out, size_t cap)
{
    lower_method(r->method, out, cap);
    size_t o = strlen(out);
    int last_us = 0;
    for (const char *p = r->pattern; *p && o + 2 < cap; p++) {
        if (isalnum((unsigned char)*p)) {
            out[o++] = *p;
            last_us = 0;
        } else if (!last_us) {
            out[o++] = '_';
            last_us = 1;
        }
    }
    while (o > 0 && out[o - 1] == '_')
        o--;
    out[o] = '\0';
}

static json_t *operation(const srv_route *r, json_t *schemas)
{
    json_t *op = json_object();
    char oid[256];
    operation_id(r, oid, sizeof oid);
    json_object_set_new(op, "operationId", json_string(oid));
    json_object_set_new(op, "summary", json_string(r->summary ? r->summary : ""));
    json_t *params = json_array();
    for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e)
            break;
        json_array_append_new(params, json_pack("{s:s%,s:s,s:b,s:{s:s}}", "name", p + 1,
                                                (size_t)(e - p - 1), "in", "path", "required", 1,
                                                "schema", "type", "string"));
    }
    for (const query_param *q = query_params; q->method; q++)
        if (strcmp(q->method, r->method) == 0 && strcmp(q->pattern, r->pattern) == 0)
            json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:s,s:{s:s}}", "name", q->name,
                                                    "in", "query", "required", 0, "description",
                                                    q->description, "schema", "type", q->type));
    size_t nquery = 0;
    for (const query_param *q = query_params; q->method; q++)
        nquery += strcmp(q->method, r->method) == 0 && strcmp(q->pattern, r->pattern) == 0;
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    if (r->flags & SRV_ANON) {
        json_object_set_new(op, "security", json_array());
    } else {
        json_object_set_new(op, "security", json_pack("[{s:[]},{s:[]}]", "session", "bearer"));
        json_object_set_new(op, "x-min-role", json_string(srv_role_name(r->min_role)));
    }
    if (r->request_schema) {
        const char *ct = r->flags & SRV_RAW ? "application/octet-stream" : "application/json";
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content", ct, "schema",
                                      ref(r->request_schema)));
        if (!json_object_get(schemas, r->request_schema))
            json_object_set_new(schemas, r->request_schema, json_pack("{s:s}", "type", "object"));
    }
    size_t limit = r->body_limit ? r->body_limit : SRV_BODY_DEFAULT;
    if (strcmp(r->method, "GET") != 0)
        json_object_set_new(op, "x-body-limit", json_integer((json_int_t)limit));
    json_t *responses = json_object();
    json_t *ok = json_pack("{s:s}", "description", "success");
    if (r->response_schema) {
        json_object_set_new(
            ok, "content",
            json_pack("{s:{s:o}}", "application/json", "schema", ref(r->response_schema)));
        if (!json_object_get(schemas, r->response_schema))
            json_object_set_new(schemas, r->response_schema, json_pack("{s:s}", "type", "object"));
    }
    json_object_set_new(responses, "200", ok);
    if (nquery)
        json_object_set_new(responses, "400",
                            json_pack("{s:s,s:{s:{s:o}}}", "description",
                                      "a query parameter refused (unknown, or a value it does not "
                                      "accept): the error names it and what it accepts",
                                      "content", "application/json", "schema", ref("Error")));
    json_object_set_new(responses, "default",
                        json_pack("{s:s,s:{s:{s:o}}}", "description",
                                  "an error (the contract's error body)", "content",
                                  "application/json", "schema", ref("Error")));
    json_object_set_new(op, "responses", responses);
    return op;
}

json_t *srv_openapi_doc(srv_ctx *ctx)
{
    json_t *schemas = json_object();
    for (size_t i = 0; schemas_json[i][0]; i++) {
        json_t *s = json_loads(schemas_json[i][1], 0, NULL);
        if (s)
            json_object_set_new(schemas, schemas_json[i][0], s);
    }
    json_t *paths = json_object();
    for (const srv_route *r = srv_routes; r->method; r++) {
        if (r->flags & SRV_HIDDEN)
            continue;
        json_t *item = json_object_get(paths, r->pattern);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, r->pattern, item);
        }
        char m[16];
        lower_method(r->method, m, sizeof m);
        json_object_set_new(item, m, operation(r, schemas));
    }
    json_t *doc = json_pack(
        "{s:s,s:{s:s,s:s,s:s},s:[{s:s}],s:o,s:{s:o,s:{s:{s:s,s:s,s:s,s:s},s:{s:s,s:s,s:s,s:s}}}}",
        "openapi", "3.1.0", "info", "title", "zoomflow service", "version", ZF_VERSION_STRING,
        "description",
        "The REST API of `zoomflow serve`. Every error answers the Error schema; every answer "
        "carries X-Request-Id.",
        "servers", "url", ctx ? srv_ctx_public_url(ctx) : "/", "paths", paths, "components",
        "schemas", schemas, "securitySchemes", "session", "type", "apiKey", "in", "cookie", "name",
        "zf_session", "description",
        "the web session (POST /api/v1/session); state-changing requests also need the "
        "X-CSRF-Token header",
        "bearer", "type", "http", "scheme", "bearer", "bearerFormat", "zfk_<id>_<secret>",
        "description", "an API key (POST /api/v1/keys)");
    if (!doc)
        return NULL;
    for (const srv_module *m = srv_modules; m->name; m++)
        if (m->openapi)
            m->openapi(ctx, doc);
    return doc;
}
