/*
 * Access: who a request is (the zf_session cookie or an API key, through
 * access.h) and whether the route lets them: the row's min_role, CSRF on
 * a state-changing request made with a session. Every /api/v1 route acts
 * on who->org, which comes from the credential, never from the request.
 */
#include "core.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "zoomflow/hint.h"

static int state_changing(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static void to_srv(const zf_principal *p, srv_principal *w)
{
    memset(w, 0, sizeof *w);
    w->kind = p->kind == ZF_PRINCIPAL_KEY ? SRV_AUTH_KEY : SRV_AUTH_SESSION;
    w->role = p->role;
    snprintf(w->org, sizeof w->org, "%s", p->org);
    if (p->kind == ZF_PRINCIPAL_KEY)
        snprintf(w->account, sizeof w->account, "%s", p->key_id);
    else
        snprintf(w->account, sizeof w->account, "%lld", (long long)p->account_id);
    snprintf(w->email, sizeof w->email, "%s", p->email);
    snprintf(w->actor, sizeof w->actor, "%s", p->actor);
    snprintf(w->csrf, sizeof w->csrf, "%s", p->csrf);
    w->zf = p;
}

static int unauthorized(srv_req *req, srv_resp *resp, const char *msg, int key_sent)
{
    zf_error e = ZF_ERROR_INIT;
    zf_error_set(&e, ZF_EAUTH, "%s", msg);
    zf_error_hint_id(&e, ZF_HINT_SIGN_IN_AGAIN, NULL);
    srv_resp_header(resp, "WWW-Authenticate",
                    key_sent ? "Bearer realm=\"zoomflow\", error=\"invalid_token\""
                             : "Bearer realm=\"zoomflow\"");
    srv_error_status(resp, 401, &e);
    return 1;
}

/* The Bearer credential of an Authorization header, NULL when none. */
static const char *bearer(const char *h)
{
    if (!h)
        return NULL;
    while (*h == ' ')
        h++;
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return h;
}

int srv_access_check(srv_req *req, srv_resp *resp)
{
    const srv_route *r = req->route;
    if (r->flags & SRV_ANON) {
        /* an anonymous route still learns who is asking when it can (the
         * page, sign-out of a stale cookie), without refusing anyone */
        return 0;
    }
    zf_access *acc;
    zf_error e = ZF_ERROR_INIT;
    const char *auth = srv_header(req, "Authorization");
    const char *key = bearer(auth);
    const char *cookie = srv_cookie(req, "zf_session");
    if (auth && !key)
        return unauthorized(req, resp, "the Authorization header must be \"Bearer zfk_...\"", 1);
    if (!key && !cookie)
        return unauthorized(req, resp, "sign in or send an API key", 0);
    if (srv_ctx_access(req->ctx, &acc, &e) < 0) {
        srv_error(resp, &e);
        return 1;
    }
    zf_principal *p = &req->priv->principal;
    int rc;
    if (key)
        rc = zf_api_key_check(acc, key, strlen(key), p, &e);
    else
        rc = zf_web_session_check(acc, cookie, strlen(cookie), p, &e);
    if (rc == ZF_EAUTH)
        return unauthorized(req, resp,
                            key ? "the API key is not valid (unknown, revoked or expired)"
                                : "the session has ended: sign in again",
                            key != NULL);
    if (rc < 0) {
        srv_error(resp, &e);
        return 1;
    }
    to_srv(p, &req->priv->who);
    req->who = &req->priv->who;
    if (!zf_principal_allows(p, r->min_role)) {
        zf_error_set(&e, ZF_EFORBIDDEN, "%s %s needs the %s role; %s is %s in org %s", req->method,
                     r->pattern, srv_role_name(r->min_role), p->actor, srv_role_name(p->role),
                     p->org);
        zf_error_hint_id(&e, ZF_HINT_NEED_ROLE, NULL);
        zf_error_hint_arg(&e, ZF_HINT_ARG_VALUE, srv_role_name(r->min_role));
        srv_error(resp, &e);
        return 1;
    }
    if (p->kind == ZF_PRINCIPAL_SESSION && state_changing(req->method) &&
        !(r->flags & SRV_NO_CSRF)) {
        const char *t = srv_header(req, "X-CSRF-Token");
        if (zf_principal_csrf_check(p, t, t ? strlen(t) : 0, &e) < 0) {
            zf_error_set(&e, ZF_EFORBIDDEN,
                         "%s %s needs the X-CSRF-Token header with the session's CSRF token (%s)",
                         req->method, r->pattern, t && *t ? "it does not match" : "it is missing");
            zf_error_hint_id(&e, ZF_HINT_SEND_CSRF_TOKEN, NULL);
            srv_error(resp, &e);
            return 1;
        }
    }
    return 0;
}
