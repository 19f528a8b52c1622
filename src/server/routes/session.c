/*
 * POST /api/v1/session (sign in: the zf_session cookie and the CSRF
 * token), GET (who the request is), DELETE (sign out).
 */
#include "handlers.h"

#include <string.h>
#include <time.h>

#include "zoomflow/access.h"
#include "zoomflow/hint.h"
#include "zoomflow/json.h"
#include "zoomflow/log.h"

/* A required string member of the body, else a 422 naming it. */
static int body_str(srv_req *req, srv_resp *resp, const char *field, int required, const char **out,
                    json_t *problems)
{
    json_t *v = req->json ? json_object_get(req->json, field) : NULL;
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            json_array_append_new(problems,
                                  json_pack("{s:s,s:s}", "field", field, "message", "required"));
        return 0;
    }
    if (!json_is_string(v)) {
        json_array_append_new(
            problems, json_pack("{s:s,s:s}", "field", field, "message", "must be a string"));
        return 0;
    }
    *out = json_string_value(v);
    return 0;
}

static json_t *session_json(const srv_principal *w, const zf_principal *p)
{
    json_t *o;
    if (w->kind == SRV_AUTH_KEY)
        o = json_pack("{s:s,s:s,s:s,s:s}", "kind", "key", "key_id", w->account, "org", w->org,
                      "role", srv_role_name(w->role));
    else
        o = json_pack("{s:s,s:{s:I,s:s},s:s,s:s,s:s}", "kind", "session", "account", "id",
                      (json_int_t)(p ? p->account_id : 0), "email", w->email, "org", w->org, "role",
                      srv_role_name(w->role), "csrf_token", w->csrf);
    if (o && p && p->expires_at)
        json_object_set_new(o, "expires_at", json_integer((json_int_t)p->expires_at));
    return o;
}

int srv_h_session_create(srv_req *req, srv_resp *resp)
{
    if (!req->json || !json_is_object(req->json))
        return srv_fail(resp, ZF_EVALIDATION, "send {\"email\", \"password\", \"org\"?} as JSON");
    json_t *problems = json_array();
    const char *email, *password, *org;
    body_str(req, resp, "email", 1, &email, problems);
    body_str(req, resp, "password", 1, &password, problems);
    body_str(req, resp, "org", 0, &org, problems);
    if (json_array_size(problems)) {
        zf_error e = ZF_ERROR_INIT;
        zf_error_set(&e, ZF_EVALIDATION, "sign-in needs an email and a password");
        zf_error_hint_id(&e, ZF_HINT_FIX_FIELDS, NULL);
        return srv_error_problems(resp, &e, problems);
    }
    json_decref(problems);
    zf_access *a;
    zf_error e = ZF_ERROR_INIT;
    if (srv_ctx_access(req->ctx, &a, &e) < 0)
        return srv_error(resp, &e);
    zf_signin_req in = ZF_SIGNIN_REQ_INIT;
    in.email = email;
    in.password = password;
    /* the string's own bytes: a password holding "\u0000" is cut there by
     * jansson's string value, so use its length */
    in.password_len = json_string_length(json_object_get(req->json, "password"));
    in.org = org;
    in.addr = req->client && *req->client ? req->client : NULL;
    zf_secret cookie = ZF_SECRET_INIT;
    zf_principal p;
    memset(&p, 0, sizeof p);
    int rc = zf_signin(a, &in, &cookie, &p, &e);
    if (rc < 0) {
        if (rc == ZF_EAUTH)
            srv_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"zoomflow\"");
        srv_log(req, ZF_LOG_WARN, "signin", "sign-in refused: %s", e.message);
        return srv_error(resp, &e);
    }
    int64_t now = (int64_t)time(NULL);
    int64_t max_age = p.session_max_at > now ? p.session_max_at - now : -1;
    rc = srv_set_cookie(resp, "zf_session", zf_secret_reveal(&cookie), max_age);
    zf_secret_free(&cookie);
    if (rc < 0)
        return srv_fail(resp, ZF_EIO, "cannot set the session cookie");
    srv_principal w;
    memset(&w, 0, sizeof w);
    w.kind = SRV_AUTH_SESSION;
    w.role = p.role;
    snprintf(w.org, sizeof w.org, "%s", p.org);
    snprintf(w.email, sizeof w.email, "%s", p.email);
    snprintf(w.csrf, sizeof w.csrf, "%s", p.csrf);
    srv_log(req, ZF_LOG_INFO, "signin", "signed in %s to org %s as %s", p.actor, p.org,
            srv_role_name(p.role));
    return srv_json(resp, 200, session_json(&w, &p));
}

int srv_h_session_get(srv_req *req, srv_resp *resp)
{
    return srv_json(resp, 200, session_json(req->who, req->who->zf));
}

int srv_h_session_delete(srv_req *req, srv_resp *resp)
{
    if (req->who->kind != SRV_AUTH_SESSION)
        return srv_fail(resp, ZF_EVALIDATION,
                        "an API key has no session to end: an admin revokes keys "
                        "(DELETE /api/v1/keys/{id})");
    const char *cookie = srv_cookie(req, "zf_session");
    zf_access *a;
    zf_error e = ZF_ERROR_INIT;
    if (srv_ctx_access(req->ctx, &a, &e) < 0 ||
        zf_web_session_end(a, cookie, cookie ? strlen(cookie) : 0, &e) < 0)
        return srv_error(resp, &e);
    srv_set_cookie(resp, "zf_session", "", 0);
    return srv_json(resp, 200, json_pack("{s:b}", "signed_out", 1));
}
