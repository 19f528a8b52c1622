/*
 * The action routes: the registry as JSON, one action's view, and a run
 * (POST /api/v1/actions/{name}) with ?dry_run=1 and Idempotency-Key. The
 * logic is the library's (actions.h views, action_run.h, idempotency.h);
 * this file maps it to HTTP.
 *
 * A run with a key, in order: the input is validated (a 422 stores
 * nothing); the key is claimed (idempotency.h: a repeat replays the first
 * answer with Idempotent-Replayed: true, another request under the key is
 * 422, one still running is 409 with Retry-After); the action runs on this
 * thread's Zoom client; the answer is stored with its status, unless the
 * run provably did nothing (zf_idem_keeps), then the key is given back.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "server.h"
#include "zoom_clients.h"
#include "zoomflow/action_run.h"
#include "zoomflow/actions.h"
#include "zoomflow/hint.h"
#include "zoomflow/idempotency.h"
#include "zoomflow/session.h"
#include "zoomflow/tokens.h"

/* A one-page answer shaped from Zoom's bytes: the largest page the Zoom
 * client keeps, plus the envelope. */
#define SRV_RAW_ANSWER_MAX ((size_t)65 << 20)

int srv_h_actions_list(srv_req *req, srv_resp *resp)
{
    json_t *o;
    if (zf_actions_view_json(&o) != 0)
        return srv_fail(resp, ZF_ENOMEM, "out of memory");
    return srv_json(resp, 200, o);
}

static const zf_action *find(srv_req *req, srv_resp *resp)
{
    const char *name = srv_param(req, "name");
    const zf_action *a = name ? zf_action_find(name) : NULL;
    if (!a) {
        zf_error e = ZF_ERROR_INIT;
        zf_error_set(&e, ZF_ENOTFOUND, "no action named \"%.100s\"", name ? name : "");
        zf_error_hint_id(&e, ZF_HINT_SEE_ACTION_HELP, "list the actions (GET /api/v1/actions)");
        srv_error(resp, &e);
    }
    return a;
}

int srv_h_actions_get(srv_req *req, srv_resp *resp)
{
    const zf_action *a = find(req, resp);
    json_t *o;
    if (!a)
        return 0;
    if (zf_action_view_json(&o, a) != 0)
        return srv_fail(resp, ZF_ENOMEM, "out of memory");
    return srv_json(resp, 200, o);
}

static int truthy(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

/* An answer kept as JSON text too (what a key stores). */
typedef struct answer {
    int status;
    json_t *body;
} answer;

static void answer_error(answer *an, const srv_req *req, const zf_error *err, json_t *problems)
{
    an->status = srv_status_of(err->code);
    an->body = srv_error_json(err, an->status, req->request_id);
    json_t *e = json_object_get(an->body, "error");
    if (e && problems && json_array_size(problems))
        json_object_set(e, "problems", problems);
    if (e && err->retry_after >= 0 && !json_object_get(e, "retry_after"))
        json_object_set_new(e, "retry_after", json_integer((json_int_t)err->retry_after));
    json_decref(problems);
}

static int send_answer(srv_resp *resp, answer *an, const zf_error *err)
{
    json_t *e = json_object_get(an->body, "error");
    json_t *ra = json_object_get(e, "retry_after");
    if (e && json_is_integer(ra)) {
        char v[32];
        snprintf(v, sizeof v, "%lld", (long long)json_integer_value(ra));
        srv_resp_header(resp, "Retry-After", v);
    }
    json_t *b = an->body;
    an->body = NULL;
    return srv_json(resp, an->status, b);
}

static void count_idem(srv_req *req, const char *result)
{
    zf_buf l = ZF_BUF_INIT(128);
    srv_metric_label(&l, "result", result);
    srv_metric_add(req->ctx, "zoomflow_idempotency_total", zf_buf_cstr(&l), 1);
    zf_buf_free(&l);
}

/* The input: the body's object (none = {}), booleans written as words
 * made booleans as the CLI's flags read them. NULL with resp filled. */
static json_t *input_of(srv_req *req, srv_resp *resp, const zf_action *a)
{
    if (req->json && !json_is_object(req->json)) {
        srv_fail(resp, ZF_EVALIDATION, "the body must be a JSON object: the input of %s", a->name);
        return NULL;
    }
    json_t *in = req->json ? json_deep_copy(req->json) : json_object();
    if (!in) {
        srv_fail(resp, ZF_ENOMEM, "out of memory");
        return NULL;
    }
    zf_action_input_words(in, a);
    return in;
}

/* Validates; call_api's path also through the client's own check, so a
 * refused path is a field problem before any traffic. 0, or 1 with an
 * error answer in an. */
static int check_input(answer *an, const srv_req *req, const zf_action *a, const json_t *in)
{
    zf_problems p = ZF_PROBLEMS_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *pj = NULL;
    int rc = zf_action_validate(&p, a, in);
    if (rc == 0 && strcmp(a->name, "call_api") == 0) {
        const char *path = json_string_value(json_object_get(in, "path"));
        if (zf_zoom_check_path(path, &err) != 0) {
            zf_problems_add(&p, "path", "format", json_object_get(in, "path"), -1, "%s",
                            err.message);
            rc = ZF_EVALIDATION;
        }
    }
    if (rc == 0)
        return 0;
    if (rc == ZF_EVALIDATION) {
        zf_problems_to_error(&err, &p);
        zf_error_hint_id(&err, ZF_HINT_FIX_FIELDS, NULL);
        zf_problems_json(&pj, &p);
    } else {
        zf_error_set(&err, rc, "cannot validate the input of %s", a->name);
    }
    zf_problems_free(&p);
    answer_error(an, req, &err, pj);
    return 1;
}

/* Runs a on this thread's client of the caller's org. With text, a
 * one-page read may answer as JSON text (the output shaped from Zoom's
 * bytes, zf_action_run_opts.output_raw): then an->body stays NULL and
 * text holds the whole answer, the same bytes srv_json writes. */
static void run_action(answer *an, srv_req *req, const zf_action *a, const json_t *in, int *rc_out,
                       zf_buf *text)
{
    const char *org = req->who->org;
    zf_error err = ZF_ERROR_INIT;
    zf_zoom *z = NULL;
    zf_tokens *tk = NULL;
    zf_session *s = NULL;
    zf_store *st = NULL;
    char *scopes = NULL;
    int rc = srv_org_tokens(req->ctx, org, &tk, &err);
    if (rc == 0) /* kept in memory with the token while it is fresh */
        rc = zf_tokens_scopes(&scopes, tk, org, &err);
    if (rc == ZF_ENOTCONNECTED) {
        zf_error_set(&err, ZF_ENOTCONNECTED, "the org has no Zoom connection");
        zf_error_hint_id(&err, ZF_HINT_CONNECT, NULL);
        zf_error_hint_arg(&err, ZF_HINT_ARG_CONNECTION, org);
    }
    if (rc == 0)
        rc = srv_zoom_client(req->ctx, org, &z, &err);
    if (rc == 0 && (rc = srv_ctx_session(req->ctx, org, &s, &err)) == 0)
        rc = zf_session_store(s, &st, &err);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_problems p = ZF_PROBLEMS_INIT;
    zf_buf raw = ZF_BUF_INIT(SRV_RAW_ANSWER_MAX);
    if (rc == 0) {
        zf_zoom_stats before;
        zf_zoom_stats_get(z, &before);
        zf_action_run_opts o = ZF_ACTION_RUN_OPTS_INIT;
        o.zoom = z;
        o.granted_scopes = scopes;
        o.store = st;
        o.conn_id = org;
        o.output_raw = text ? &raw : NULL;
        rc = zf_action_run(&res, a, in, &o, &p, &err);
        srv_zoom_count(req->ctx, a->name, &before, z);
    }
    *rc_out = rc;
    if (rc == 0 && !res.output && raw.len) {
        an->status = 200;
        if (zf_action_result_text(text, a, &res, raw.ptr, raw.len) != 0)
            zf_buf_reset(text); /* out of memory: the caller's 500 */
    } else if (rc == 0) {
        an->status = 200;
        if (zf_action_result_json(&an->body, a, &res) != 0)
            an->body = NULL;
    } else {
        json_t *pj = NULL;
        if (rc == ZF_EVALIDATION)
            zf_problems_json(&pj, &p);
        answer_error(an, req, &err, pj);
    }
    zf_buf_free(&raw);
    zf_problems_free(&p);
    zf_action_result_free(&res);
    free(scopes);
}

int srv_h_actions_run(srv_req *req, srv_resp *resp)
{
    const zf_action *a = find(req, resp);
    if (!a)
        return 0;
    json_t *in = input_of(req, resp, a);
    if (!in)
        return 0;
    answer an = {0, NULL};
    if (truthy(srv_query(req, "dry_run"))) {
        zf_problems p = ZF_PROBLEMS_INIT;
        zf_error err = ZF_ERROR_INIT;
        json_t *out = NULL;
        if (check_input(&an, req, a, in) == 0 &&
            zf_action_dry_run_json(&out, a, in, &p, &err) != 0) {
            json_t *pj = NULL;
            zf_problems_json(&pj, &p);
            answer_error(&an, req, &err, pj);
        }
        zf_problems_free(&p);
        json_decref(in);
        if (out)
            return srv_json(resp, 200, out);
        return send_answer(resp, &an, NULL);
    }
    if (check_input(&an, req, a, in) != 0) {
        json_decref(in);
        return send_answer(resp, &an, NULL);
    }
    const char *key = srv_header(req, "Idempotency-Key");
    zf_idem h = ZF_IDEM_INIT;
    zf_error err = ZF_ERROR_INIT;
    zf_store *st = NULL;
    int verdict = -1, rc = 0;
    if (key) {
        if ((rc = srv_ctx_store(req->ctx, &st, &err)) == 0)
            rc = verdict = zf_idem_begin(&h, st, req->who->org, key, a->name, in, 0, &err);
        if (rc < 0) {
            count_idem(req, rc == ZF_ECONFLICT     ? "in_progress"
                            : rc == ZF_EVALIDATION ? "mismatch"
                                                   : "error");
            if (rc == ZF_EVALIDATION || rc == ZF_ECONFLICT)
                zf_error_hint_arg(&err, ZF_HINT_ARG_FIELD, "Idempotency-Key");
            answer_error(&an, req, &err, NULL);
            zf_idem_free(&h);
            json_decref(in);
            return send_answer(resp, &an, NULL);
        }
        if (verdict == ZF_IDEM_REPLAY) {
            count_idem(req, "replayed");
            srv_resp_header(resp, "Idempotent-Replayed", "true");
            rc = srv_text(resp, (int)h.status, "application/json", h.response ? h.response : "{}",
                          h.response ? strlen(h.response) : 2);
            zf_idem_free(&h);
            json_decref(in);
            return rc;
        }
    }
    int run_rc = 0;
    zf_buf answer_text = ZF_BUF_INIT(SRV_RAW_ANSWER_MAX);
    if (verdict == ZF_IDEM_ABANDONED) {
        /* the first request may have done it: never run it again */
        count_idem(req, "unknown_outcome");
        zf_error_set(&err, ZF_EAMBIGUOUS,
                     "the first request with the idempotency key \"%.200s\" did not finish; "
                     "whether %s was done is unknown",
                     key, a->name);
        zf_error_hint_id(&err, ZF_HINT_CHECK_IN_ZOOM, NULL);
        answer_error(&an, req, &err, NULL);
        run_rc = ZF_EAMBIGUOUS;
    } else {
        if (key)
            count_idem(req, "run");
        /* with a key the answer is stored as jansson writes it: the tree */
        run_action(&an, req, a, in, &run_rc, key ? NULL : &answer_text);
    }
    json_decref(in);
    if (!an.body && answer_text.len) {
        rc = srv_text(resp, an.status, "application/json", answer_text.ptr, answer_text.len);
        zf_buf_free(&answer_text);
        return rc;
    }
    zf_buf_free(&answer_text);
    if (!an.body) {
        zf_idem_free(&h); /* releases the claim */
        return srv_fail(resp, ZF_ENOMEM, "out of memory");
    }
    if (key && h.held) {
        zf_error serr = ZF_ERROR_INIT;
        if (zf_idem_keeps(run_rc)) {
            char *text = json_dumps(an.body, JSON_COMPACT);
            if (!text || zf_idem_finish(&h, an.status, text, &serr) != 0)
                srv_log(req, ZF_LOG_WARN, "idempotency",
                        "the answer under idempotency key %.100s was not stored: %s", key,
                        text ? serr.message : "out of memory");
            free(text);
        } else {
            zf_idem_release(&h, &serr);
        }
    }
    zf_idem_free(&h);
    return send_answer(resp, &an, NULL);
}

/* The OpenAPI document's schemas for these routes: every action's input
 * schema (Input_<name>, from zf_action_schema_json), ActionInput as any of
 * them, the views and the result. */
static json_t *loads(const char *text)
{
    return json_loads(text, 0, NULL);
}

int srv_actions_openapi(srv_ctx *ctx, json_t *doc)
{
    json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
    if (!json_is_object(schemas))
        return 0;
    json_t *any = json_array();
    for (const zf_action *const *a = zf_actions(); any && *a; a++) {
        json_t *s = NULL;
        char name[160], ref[200];
        if (zf_action_schema_json(&s, *a) != 0)
            continue;
        json_object_del(s, "$schema");
        snprintf(name, sizeof name, "Input_%s", (*a)->name);
        snprintf(ref, sizeof ref, "#/components/schemas/%s", name);
        json_object_set_new(schemas, name, s);
        json_array_append_new(any, json_pack("{s:s}", "$ref", ref));
    }
    json_object_set_new(schemas, "ActionInput",
                        json_pack("{s:s,s:o}", "description",
                                  "The input of the action the path names (Input_<name>)", "anyOf",
                                  any ? any : json_array()));
    json_object_set_new(
        schemas, "Action",
        loads("{\"type\":\"object\",\"required\":[\"name\",\"summary\",\"words\",\"scopes\","
              "\"kind\",\"input_schema\"],\"properties\":{\"name\":{\"type\":\"string\"},"
              "\"summary\":{\"type\":\"string\"},\"words\":{\"type\":\"array\",\"items\":"
              "{\"type\":\"string\"}},\"scopes\":{\"type\":\"array\",\"items\":{\"type\":"
              "\"string\"}},\"classic_scopes\":{\"type\":\"array\",\"items\":{\"type\":"
              "\"string\"}},\"kind\":{\"enum\":[\"read\",\"create\",\"write\"]},"
              "\"input_schema\":{\"type\":\"object\"}}}"));
    json_object_set_new(schemas, "ActionList",
                        loads("{\"type\":\"object\",\"properties\":{\"actions\":{\"type\":"
                              "\"array\",\"items\":{\"$ref\":\"#/components/schemas/Action\"}}}}"));
    json_object_set_new(
        schemas, "ActionResult",
        loads("{\"oneOf\":[{\"type\":\"object\",\"required\":[\"action\",\"outcome\",\"output\","
              "\"warnings\"],\"properties\":{\"action\":{\"type\":\"string\"},\"outcome\":"
              "{\"enum\":[\"read\",\"created\",\"found\",\"existing\",\"gone\",\"written\"]},"
              "\"output\":{},\"warnings\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}},"
              "{\"type\":\"object\",\"required\":[\"dry_run\",\"request\"],\"properties\":"
              "{\"dry_run\":{\"const\":true},\"action\":{\"type\":\"string\"},\"request\":"
              "{\"type\":\"object\",\"properties\":{\"method\":{\"type\":\"string\"},\"path\":"
              "{\"type\":\"string\"},\"query\":{\"type\":\"object\"},\"body\":{},"
              "\"follows_pages\":{\"type\":\"boolean\"}}}}}]}"));
    json_object_set_new(
        schemas, "ConnectionS2S",
        loads("{\"type\":\"object\",\"required\":[\"client_id\",\"client_secret\","
              "\"account_id\"],\"properties\":{\"client_id\":{\"type\":\"string\"},"
              "\"client_secret\":{\"type\":\"string\"},\"account_id\":{\"type\":\"string\"}}}"));
    json_object_set_new(
        schemas, "Connection",
        loads("{\"type\":\"object\",\"required\":[\"id\",\"state\"],\"properties\":{\"id\":"
              "{\"type\":\"string\"},\"state\":{\"enum\":[\"ABSENT\",\"VALID\","
              "\"NEEDS_REAUTH\"]},\"kind\":{\"enum\":[\"oauth\",\"s2s\",null]},"
              "\"account_id\":{\"type\":[\"string\",\"null\"]},\"granted_scopes\":{\"type\":"
              "\"array\"},\"required_scopes\":{\"type\":\"array\"},\"missing_scopes\":{\"type\":"
              "\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"scope\":{\"type\":"
              "\"string\"},\"actions\":{\"type\":\"array\"}}}},\"unavailable_actions\":"
              "{\"type\":\"array\"},\"access_expires_at\":{\"type\":\"integer\"},"
              "\"last_refresh_at\":{\"type\":\"integer\"},\"refresh_count\":{\"type\":"
              "\"integer\"},\"last_error\":{\"type\":[\"object\",\"null\"]},\"oauth\":"
              "{\"type\":\"object\"}}}"));
    json_object_set_new(schemas, "Disconnected",
                        loads("{\"type\":\"object\",\"required\":[\"disconnected\",\"revoked\"],"
                              "\"properties\":{\"disconnected\":{\"type\":\"boolean\"},"
                              "\"revoked\":{\"type\":\"boolean\"},\"revoke_error\":{}}}"));
    return 0;
}
