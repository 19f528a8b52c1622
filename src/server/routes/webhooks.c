/*
 * Zoom webhooks over HTTP: the intake POST /webhooks/zoom/{org} (anonymous:
 * the signature is the authentication) and the admin's settings
 * GET/PUT /api/v1/webhook. The decisions are the library's
 * (zf_webhook_intake, zoomflow/webhook.h); this file maps them to HTTP:
 *
 *   ACCEPTED   200 {"status":"accepted", event, event_id}  (row committed first)
 *              app_deauthorized: then the org's connection to that account
 *              and app is wiped (deauthorize.c), "deauthorized" says how
 *   DUPLICATE  200 {"status":"duplicate", ...}  (Zoom must stop retrying)
 *   ANSWERED   200 {plainToken, encryptedToken}
 *   signature / timestamp  401 EAUTH naming the header or the window
 *   malformed  400 EVALIDATION naming the part
 *   unknown_org  404 ENOTFOUND, the same for an unknown org and an org
 *              without a secret token, so the answer does not tell which
 *   store or key failure  503 / 500: nothing decided, Zoom retries
 *
 * Metrics: zoomflow_webhook_accepted_total, zoomflow_webhook_answered_total
 * (url_validation) and zoomflow_webhook_refused_total{reason} with reason
 * signature | timestamp | malformed | duplicate | unknown_org.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "deauthorize.h"
#include "handlers.h"
#include "server.h"
#include "wf_engine.h"
#include "zoomflow/log.h"
#include "zoomflow/session.h"
#include "zoomflow/store.h"
#include "zoomflow/webhook.h"

#define M_ACCEPTED "zoomflow_webhook_accepted_total"
#define M_ANSWERED "zoomflow_webhook_answered_total"
#define M_REFUSED "zoomflow_webhook_refused_total"

int srv_webhooks_init(srv_ctx *ctx, zf_error *err)
{
    int rc = srv_metric_declare(ctx, M_ACCEPTED, SRV_METRIC_COUNTER,
                                "Zoom webhook events accepted and stored");
    if (rc == 0)
        rc = srv_metric_declare(ctx, M_ANSWERED, SRV_METRIC_COUNTER,
                                "Zoom endpoint.url_validation requests answered");
    if (rc == 0)
        rc = srv_metric_declare(ctx, M_REFUSED, SRV_METRIC_COUNTER,
                                "Zoom webhook deliveries not stored, by reason");
    if (rc != 0)
        return zf_error_set(err, rc, "declaring the webhook metrics failed");
    /* every reason shows from the start, at 0 */
    for (int r = ZF_WEBHOOK_SIGNATURE; r < ZF_WEBHOOK_REFUSAL_COUNT; r++) {
        char label[64];
        snprintf(label, sizeof label, "reason=\"%s\"", zf_webhook_refusal_name(r));
        srv_metric_add(ctx, M_REFUSED, label, 0);
    }
    srv_metric_add(ctx, M_REFUSED, "reason=\"duplicate\"", 0);
    srv_metric_add(ctx, M_ACCEPTED, NULL, 0);
    srv_metric_add(ctx, M_ANSWERED, NULL, 0);
    return 0;
}

/* The schemas the route rows name (routes.c). */
int srv_webhooks_openapi(srv_ctx *ctx, json_t *doc)
{
    (void)ctx;
    json_t *comp = json_object_get(doc, "components");
    if (!comp && json_object_set_new(doc, "components", comp = json_object()) != 0)
        return ZF_ENOMEM;
    json_t *schemas = json_object_get(comp, "schemas");
    if (!schemas && json_object_set_new(comp, "schemas", schemas = json_object()) != 0)
        return ZF_ENOMEM;
    json_t *settings = json_pack(
        "{s:s,s:[s,s],s:{s:{s:s,s:s},s:{s:s,s:s,s:s},s:{s:[s,s],s:s},s:{s:[s,s],s:s}}}", "type",
        "object", "required", "configured", "url", "properties", "configured", "type", "boolean",
        "description", "whether the org's Secret Token is set", "url", "type", "string", "format",
        "uri", "description",
        "the Event notification endpoint URL to give the Zoom app (from the public URL)",
        "updated_at", "type", "integer", "null", "description", "unix time the token was set",
        "updated_by", "type", "string", "null", "description", "who set it");
    json_t *secret =
        json_pack("{s:s,s:[s],s:b,s:{s:{s:s,s:i,s:i,s:s}}}", "type", "object", "required",
                  "secret_token", "additionalProperties", 0, "properties", "secret_token", "type",
                  "string", "minLength", 1, "maxLength", ZF_WEBHOOK_SECRET_MAX, "description",
                  "the Zoom app's Secret Token (Features > Access); stored "
                  "encrypted, never shown again");
    if (!settings || !secret) {
        json_decref(settings);
        json_decref(secret);
        return ZF_ENOMEM;
    }
    json_object_set_new(schemas, "WebhookSettings", settings);
    json_object_set_new(schemas, "WebhookSecret", secret);
    return 0;
}

static void count_refused(srv_req *req, const char *reason)
{
    char label[64];
    snprintf(label, sizeof label, "reason=\"%s\"", reason);
    srv_metric_add(req->ctx, M_REFUSED, label, 1);
}

/* The store and the master key: the org's session opens the key, and only
 * for an org that has a secret token, so unknown names open nothing. */
static int open_parts(srv_req *req, const char *org, zf_store **st, zf_crypt **c, zf_error *err)
{
    zf_session *s = NULL;
    int rc = srv_ctx_store(req->ctx, st, err);
    if (rc == 0)
        rc = srv_ctx_session(req->ctx, org, &s, err);
    if (rc == 0)
        rc = zf_session_crypt(s, c, err);
    return rc;
}

static int known_org(srv_req *req, const char *org, zf_error *err)
{
    zf_store *st = NULL;
    zf_store_webhook_secret row;
    int rc = srv_ctx_store(req->ctx, &st, err);
    if (rc == 0 && (rc = zf_store_webhook_secret_get(st, org, &row, err)) == 0)
        zf_store_webhook_secret_free(&row);
    return rc;
}

static int refused(srv_req *req, srv_resp *resp, const zf_webhook_result *r, const zf_error *err)
{
    const char *reason = zf_webhook_refusal_name(r->refusal);
    count_refused(req, reason);
    srv_log(req, ZF_LOG_WARN, "webhook.refused", "refused a webhook delivery (%s): %s", reason,
            err->message);
    if (r->refusal == ZF_WEBHOOK_MALFORMED && err->code != ZF_ETOOBIG) {
        zf_error e = *err;
        e.code = ZF_EVALIDATION;
        return srv_error_status(resp, 400, &e);
    }
    return srv_error(resp, err);
}

static int not_found(srv_req *req, srv_resp *resp)
{
    zf_error e = ZF_ERROR_INIT;
    count_refused(req, "unknown_org");
    zf_error_set(&e, ZF_ENOTFOUND, "no webhook endpoint here");
    zf_error_hint_id(&e, ZF_HINT_WEBHOOK_SECRET, NULL);
    return srv_error(resp, &e);
}

int srv_h_webhook_intake(srv_req *req, srv_resp *resp)
{
    const char *org = srv_param(req, "org");
    zf_error err = ZF_ERROR_INIT;
    zf_store *st = NULL;
    zf_crypt *c = NULL;
    int rc = known_org(req, org, &err);
    if (rc == ZF_ENOTFOUND)
        return not_found(req, resp);
    if (rc < 0 || (rc = open_parts(req, org, &st, &c, &err)) < 0)
        return srv_error(resp, &err);
    zf_webhook_request rq = {
        srv_header(req, "x-zm-signature"),  srv_header(req, "x-zm-request-timestamp"),
        srv_header(req, "x-zm-request-id"), srv_header(req, "x-zm-trackingid"),
        req->body ? req->body : "",         req->body ? req->body_len : 0};
    zf_webhook_result r;
    rc = zf_webhook_intake(&r, st, c, org, &rq, (int64_t)time(NULL), &err);
    if (rc < 0 && r.outcome == ZF_WEBHOOK_REFUSED && r.refusal == ZF_WEBHOOK_UNKNOWN_ORG)
        return not_found(req, resp);
    if (rc < 0 && r.outcome == ZF_WEBHOOK_REFUSED && r.refusal != ZF_WEBHOOK_OK)
        return refused(req, resp, &r, &err);
    if (rc < 0) {
        srv_log(req, ZF_LOG_ERROR, "webhook.failed", "a webhook delivery was not stored: %s",
                err.message);
        return srv_error(resp, &err);
    }
    if (r.outcome == ZF_WEBHOOK_ANSWERED) {
        srv_metric_add(req->ctx, M_ANSWERED, NULL, 1);
        return srv_json(resp, 200, r.answer);
    }
    int fresh = r.outcome == ZF_WEBHOOK_ACCEPTED;
    if (fresh)
        srv_metric_add(req->ctx, M_ACCEPTED, NULL, 1);
    else
        count_refused(req, "duplicate");
    srv_log(req, ZF_LOG_INFO, fresh ? "webhook.accepted" : "webhook.duplicate", "%s %s %s",
            fresh ? "stored" : "already had", r.event, r.event_id);
    /* the workflows' dispatcher takes it from the store (a duplicate too: the
     * first delivery's dispatch may have been cut off) */
    srv_wf_kick(req->ctx);
    /* the app removed in Zoom: acted on after the event is stored, again on
     * a retry (a duplicate), so a failure here (503) is healed by Zoom's */
    json_t *deauth = NULL;
    if (strcmp(r.event, ZF_WEBHOOK_DEAUTHORIZED_EVENT) == 0) {
        zf_error derr = ZF_ERROR_INIT;
        int drc = 0;
        deauth = srv_deauthorize(req, org, &derr, &drc);
        if (drc < 0)
            return srv_error(resp, &derr);
    }
    json_t *body = json_pack("{s:s,s:s,s:s}", "status", fresh ? "accepted" : "duplicate", "event",
                             r.event, "event_id", r.event_id);
    if (body && deauth)
        json_object_set_new(body, "deauthorized", deauth);
    else
        json_decref(deauth);
    return srv_json(resp, 200, body);
}

/* --- the admin's settings */

static json_t *settings(srv_req *req, const char *org, zf_error *err, int *rc)
{
    zf_store *st = NULL;
    zf_store_webhook_secret row;
    char url[1024];
    snprintf(url, sizeof url, "%s/webhooks/zoom/%s", srv_ctx_public_url(req->ctx), org);
    *rc = srv_ctx_store(req->ctx, &st, err);
    if (*rc == 0)
        *rc = zf_store_webhook_secret_get(st, org, &row, err);
    if (*rc == ZF_ENOTFOUND) {
        *rc = 0;
        return json_pack("{s:b,s:s,s:n,s:n}", "configured", 0, "url", url, "updated_at",
                         "updated_by");
    }
    if (*rc < 0)
        return NULL;
    json_t *j = json_pack("{s:b,s:s,s:I,s:s?}", "configured", 1, "url", url, "updated_at",
                          (json_int_t)row.updated_at, "updated_by", row.updated_by);
    zf_store_webhook_secret_free(&row);
    return j;
}

int srv_h_webhook_get(srv_req *req, srv_resp *resp)
{
    zf_error err = ZF_ERROR_INIT;
    int rc = 0;
    json_t *j = settings(req, req->who->org, &err, &rc);
    return rc < 0 ? srv_error(resp, &err) : srv_json(resp, 200, j);
}

int srv_h_webhook_put(srv_req *req, srv_resp *resp)
{
    zf_error err = ZF_ERROR_INIT;
    const char *k;
    json_t *v, *tok = json_object_get(req->json, "secret_token");
    json_object_foreach (req->json, k, v) {
        if (strcmp(k, "secret_token") != 0) {
            zf_error_set(&err, ZF_EVALIDATION, "\"%.64s\" is not a webhook setting", k);
            return srv_error_problems(resp, &err,
                                      json_pack("[{s:s,s:s}]", "field", k, "message",
                                                "not a setting; send secret_token"));
        }
    }
    if (!json_is_string(tok)) {
        zf_error_set(&err, ZF_EVALIDATION, "secret_token is required: the Zoom app's Secret Token");
        zf_error_hint_id(&err, ZF_HINT_WEBHOOK_SECRET, NULL);
        return srv_error_problems(
            resp, &err,
            json_pack("[{s:s,s:s}]", "field", "secret_token", "message", "required, a string"));
    }
    zf_store *st = NULL;
    zf_crypt *c = NULL;
    int rc = open_parts(req, req->who->org, &st, &c, &err);
    if (rc == 0)
        rc = zf_webhook_secret_set(st, c, req->who->org, json_string_value(tok),
                                   json_string_length(tok), req->who->actor, (int64_t)time(NULL),
                                   &err);
    if (rc == ZF_EVALIDATION)
        return srv_error_problems(
            resp, &err, json_pack("[{s:s,s:s}]", "field", "secret_token", "message", err.message));
    if (rc < 0)
        return srv_error(resp, &err);
    json_t *j = settings(req, req->who->org, &err, &rc);
    return rc < 0 ? srv_error(resp, &err) : srv_json(resp, 200, j);
}
