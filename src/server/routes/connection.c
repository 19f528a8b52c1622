/*
 * The org's Zoom connection (its id is the org's slug): the view
 * (tokens.h zf_conn_view_json) with the page's words for its last failure,
 * Server-to-Server connect, and disconnect (revoked at Zoom, wiped). Each
 * change is in the org's audit log with the admin who made it.
 */
#include <string.h>
#include <time.h>

#include "deauthorize.h"
#include "handlers.h"
#include "oauth_app.h"
#include "seed_texts.h"
#include "server.h"
#include "zoom_clients.h"
#include "zoomflow/hint.h"
#include "zoomflow/store.h"
#include "zoomflow/tokens.h"

static void audit(srv_req *req, const char *action, int rc, const char *detail)
{
    zf_store *st;
    zf_error ignored = ZF_ERROR_INIT;
    if (srv_ctx_store(req->ctx, &st, &ignored) != 0)
        return;
    zf_store_audit a = {0,
                        (int64_t)time(NULL),
                        (char *)req->who->org,
                        (char *)req->who->actor,
                        (char *)action,
                        (char *)(rc < 0 ? zf_code_name(rc) : "ok"),
                        (char *)detail};
    if (zf_store_audit_add(st, &a, &ignored) != 0)
        srv_log(req, ZF_LOG_WARN, "audit", "audit record for %s not written: %s", action,
                ignored.message);
}

/* The view plus what the page needs: the seed's words for the last
 * failure, and how to connect. */
static int view(srv_req *req, json_t **out, zf_error *err)
{
    zf_tokens *tk;
    int rc = srv_org_tokens(req->ctx, req->who->org, &tk, err);
    if (rc || (rc = zf_conn_view_json(out, tk, req->who->org, err)) != 0)
        return rc;
    json_t *le = json_object_get(*out, "last_error");
    if (json_is_object(le)) {
        const char *name = json_string_value(json_object_get(le, "hint_id"));
        int id = ZF_HINT_NONE;
        for (const int *h = zf_hint_ids(); name && *h >= 0; h++)
            if (strcmp(zf_hint_name(*h), name) == 0)
                id = *h;
        int gone = srv_deauthorized(json_string_value(json_object_get(le, "message")));
        json_t *seed = gone ? srv_seed_deauthorized() : srv_seed_problem(id, 0);
        if (seed)
            json_object_set_new(le, "resolution", seed);
        if (gone)
            json_object_set_new(*out, "deauthorized", json_true());
    }
    const srv_oauth_app *app = srv_oauth_app_get();
    char redirect[1200];
    snprintf(redirect, sizeof redirect, "%s/oauth/zoom/callback", srv_ctx_public_url(req->ctx));
    json_object_set_new(*out, "oauth",
                        json_pack("{s:b,s:s,s:s}", "configured", app && app->client_id,
                                  "connect_url", "/oauth/zoom/connect", "redirect_uri", redirect));
    return 0;
}

int srv_h_connection_get(srv_req *req, srv_resp *resp)
{
    json_t *o;
    zf_error err = ZF_ERROR_INIT;
    if (view(req, &o, &err) != 0)
        return srv_error(resp, &err);
    return srv_json(resp, 200, o);
}

static const char *member(srv_req *req, const char *name, json_t *problems)
{
    json_t *v = json_object_get(req->json, name);
    const char *s = json_string_value(v);
    if (s && *s && strlen(s) <= 512)
        return s;
    json_array_append_new(
        problems,
        json_pack("{s:s,s:s,s:s}", "field", name, "rule", v ? "type" : "required", "message",
                  v ? "must be a non-empty string of at most 512 bytes" : "is required"));
    return NULL;
}

int srv_h_connection_s2s(srv_req *req, srv_resp *resp)
{
    zf_error err = ZF_ERROR_INIT;
    json_t *problems = json_array();
    if (!json_is_object(req->json)) {
        json_decref(problems);
        return srv_fail(resp, ZF_EVALIDATION,
                        "the body must be a JSON object {client_id, client_secret, account_id}");
    }
    const char *cid = member(req, "client_id", problems);
    const char *secret = member(req, "client_secret", problems);
    const char *account = member(req, "account_id", problems);
    if (json_array_size(problems)) {
        zf_error_set(&err, ZF_EVALIDATION, "%zu problem%s in the credentials",
                     json_array_size(problems), json_array_size(problems) == 1 ? "" : "s");
        zf_error_hint_id(&err, ZF_HINT_APP_CREDENTIALS, NULL);
        return srv_error_problems(resp, &err, problems);
    }
    json_decref(problems);
    const srv_opts *so = srv_ctx_opts(req->ctx);
    const srv_oauth_app *app = srv_oauth_app_get();
    zf_connect_cfg cfg = ZF_CONNECT_CFG_INIT;
    cfg.id = req->who->org;
    cfg.oauth_base = so && so->session.oauth_base ? so->session.oauth_base : "https://zoom.us";
    cfg.api_base = so ? so->session.api_base : NULL;
    cfg.client_id = cid;
    cfg.client_secret = secret;
    cfg.account_id = account;
    cfg.token_endpoint = app ? app->token_endpoint : NULL;
    cfg.revoke_endpoint = app ? app->revoke_endpoint : NULL;
    cfg.actor = req->who->actor;
    zf_tokens *tk;
    int rc = srv_org_tokens(req->ctx, req->who->org, &tk, &err);
    if (rc == 0)
        rc = zf_tokens_connect_s2s(tk, &cfg, &err);
    audit(req, "connection.connect_s2s", rc, rc ? err.message : account);
    json_t *o;
    if (rc || (rc = view(req, &o, &err)) != 0)
        return srv_error(resp, &err);
    return srv_json(resp, 200, o);
}

int srv_h_connection_delete(srv_req *req, srv_resp *resp)
{
    zf_error err = ZF_ERROR_INIT, rerr = ZF_ERROR_INIT;
    zf_tokens *tk;
    int rc = srv_org_tokens(req->ctx, req->who->org, &tk, &err);
    if (rc == 0)
        rc = zf_tokens_disconnect(tk, req->who->org, &rerr, &err);
    int nothing_held = rc == 1;
    if (nothing_held)
        rc = 0;
    audit(req, "connection.disconnect", rc,
          rc             ? err.message
          : rerr.code    ? "wiped; revoking at Zoom failed"
          : nothing_held ? "wiped; no token held to revoke (the app was removed at Zoom)"
                         : "revoked at Zoom and wiped");
    if (rc)
        return srv_error(resp, &err);
    json_t *o =
        json_pack("{s:b,s:b}", "disconnected", 1, "revoked", rerr.code == 0 && !nothing_held);
    if (o && nothing_held)
        json_object_set_new(o, "nothing_to_revoke", json_true());
    if (o && rerr.code)
        json_object_set_new(o, "revoke_error", srv_error_json(&rerr, 502, NULL));
    return srv_json(resp, 200, o);
}
