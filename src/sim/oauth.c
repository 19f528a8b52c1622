/*
 * OAuth as Zoom does it (docs/zoomsim-oauth.md, zoom-api.md §B):
 *
 *   GET /oauth/authorize --(--auto-approve)-----------------------> code
 *          \--> consent page --Authorize--> code
 *                           \--Deny-----> redirect ?error=access_denied
 *   POST /oauth/token
 *     authorization_code: code (single use, 5 min) -> grant G: access A1 + refresh R1
 *     refresh_token R1 -> access A2 + refresh R2; R1 is dead at once (rotation),
 *       and A1 too when the app's token tolerance is 1 (Zoom's default)
 *     account_credentials (S2S apps) -> access token only, each its own grant
 *       (for revocation); with a tolerance N > 0 the app's N newest stay
 *       valid, or token_index=K replaces the token of slot K
 *   The tolerance: sim_app.token_tolerance, applied by sim_auth_supersede
 *   once a token is issued; a superseded token gets 401 code 124 "Invalid
 *   access token." from the API, as a second process still holding it sees.
 *   A grant dies, with every access token it produced, on POST /oauth/revoke,
 *   on a replay of the code that created it (RFC 6749 §4.1.2), and when the
 *   same user authorizes the same app again (Zoom's "last token issued is
 *   valid", 4741).
 *
 * Access tokens live in auth.c's table (sim_auth_issue); this module keeps
 * grants, codes and consents, keyed by SHA-256 of their secret part where
 * there is one, so lookups and the state file never hold a refresh token or
 * code in clear. Errors of /oauth/token are Zoom's {"reason","error"} bodies;
 * errors of /oauth/authorize before the redirect URI is trusted are HTML
 * pages with Zoom's numeric code, never a redirect.
 */
#include "oauth.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PURGE_EVERY 256
#define PAGE_MAX (256u << 10)
#define LOCATION_MAX (sizeof(((sim_resp_header *)0)->value))

/* --- records */

static void grant_free(void *p)
{
    sim_grant *g = p;
    if (g)
        free(g->scopes);
    free(g);
}

static void code_free(void *p)
{
    sim_code *c = p;
    if (!c)
        return;
    free(c->redirect_uri);
    sim_oauth_secret_free(c->challenge);
    free(c->scopes);
    free(c);
}

static void consent_free(void *p)
{
    sim_consent *c = p;
    if (!c)
        return;
    free(c->redirect_uri);
    free(c->state);
    sim_oauth_secret_free(c->challenge);
    free(c);
}

static void purge(sim *s)
{
    struct sim_oauth *o = s->oauth;
    int64_t now = sim_now(s);
    if (++o->ops_since_purge < PURGE_EVERY)
        return;
    o->ops_since_purge = 0;
    for (size_t i = 0; i < o->codes.cap; i++)
        if (sim_map_live(&o->codes, i) && ((sim_code *)o->codes.vals[i])->expires_at + 86400 < now)
            code_free(sim_map_del(&o->codes, o->codes.keys[i]));
    for (size_t i = 0; i < o->consents.cap; i++)
        if (sim_map_live(&o->consents, i) && ((sim_consent *)o->consents.vals[i])->expires_at < now)
            consent_free(sim_map_del(&o->consents, o->consents.keys[i]));
}

/* Kills a grant: its access tokens and its refresh token. */
static void revoke_grant(sim *s, uint64_t id)
{
    sim_map *m = &s->oauth->grants;
    if (!id)
        return; /* tokens minted by /_sim/token belong to no grant */
    sim_auth_revoke_grant(s, id);
    for (size_t i = 0; i < m->cap; i++)
        if (sim_map_live(m, i) && ((sim_grant *)m->vals[i])->id == id)
            grant_free(sim_map_del(m, m->keys[i]));
}

/* A new authorization supersedes the user's earlier ones of the same app. */
static void revoke_user_app(sim *s, const char *client_id, const char *user_id)
{
    sim_map *m = &s->oauth->grants;
    for (size_t i = 0; i < m->cap; i++) {
        if (!sim_map_live(m, i))
            continue;
        sim_grant *g = m->vals[i];
        if (!strcmp(g->client_id, client_id) && !strcmp(g->user_id, user_id))
            revoke_grant(s, g->id);
    }
}

/* --- answers */

static void oauth_error(sim_resp *rs, int status, const char *error, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void oauth_error(sim_resp *rs, int status, const char *error, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    sim_json(rs, status, json_pack("{s:s,s:s}", "reason", reason, "error", error));
    sim_resp_header_add(rs, "Cache-Control", "no-store");
}

static void page_start(zf_buf *b, const char *title)
{
    zf_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width\"><title>");
    sim_oauth_html_escape(b, title);
    zf_buf_puts(b, "</title><style>body{font-family:sans-serif;max-width:40em;margin:3em auto;"
                   "padding:0 1em}li{margin:.4em 0}code{background:#eee;padding:0 .2em}"
                   "button{font-size:1em;padding:.5em 1.5em;margin-right:1em}</style></head>"
                   "<body><h1>");
    sim_oauth_html_escape(b, title);
    zf_buf_puts(b, "</h1>\n");
}

static void page_send(sim_resp *rs, int status, zf_buf *b)
{
    zf_buf_puts(b, "</body></html>\n");
    zf_buf_reset(&rs->body);
    zf_buf_append(&rs->body, b->ptr ? b->ptr : "", b->len);
    zf_buf_free(b);
    rs->status = status;
    rs->content_type = "text/html; charset=utf-8";
    sim_resp_header_add(rs, "Cache-Control", "no-store");
    sim_resp_header_add(rs, "X-Frame-Options", "DENY"); /* no clickjacking of the consent */
}

/* Zoom shows authorize errors on its own page: "Invalid client_id: X (4,702)". */
static void error_page(sim_resp *rs, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void error_page(sim_resp *rs, int code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    zf_buf b = ZF_BUF_INIT(PAGE_MAX);
    page_start(&b, "zoomsim: authorization failed");
    zf_buf_puts(&b, "<p id=\"reason\">");
    sim_oauth_html_escape(&b, msg);
    zf_buf_appendf(&b, " (%d,%03d)</p>\n<p>Error code: <code id=\"code\">%d</code></p>\n",
                   code / 1000, code % 1000, code);
    page_send(rs, 400, &b);
}

/* 302 to redirect_uri with key=value (and state, echoed exactly). */
static void redirect_to(sim_resp *rs, const char *redirect, const char *key, const char *value,
                        const char *desc, const char *state)
{
    zf_buf loc = ZF_BUF_INIT(LOCATION_MAX - 1);
    zf_buf_puts(&loc, redirect);
    zf_buf_putc(&loc, strchr(redirect, '?') ? '&' : '?');
    zf_buf_appendf(&loc, "%s=", key);
    zf_buf_put_urlenc(&loc, value);
    if (desc) {
        zf_buf_puts(&loc, "&error_description=");
        zf_buf_put_urlenc(&loc, desc);
    }
    if (state) {
        zf_buf_puts(&loc, "&state=");
        zf_buf_put_urlenc(&loc, state);
    }
    if (loc.failed) {
        zf_buf_free(&loc);
        error_page(rs, 4700,
                   "The redirect URL would be longer than %zu bytes; send a "
                   "shorter state parameter",
                   LOCATION_MAX - 1);
        return;
    }
    zf_buf b = ZF_BUF_INIT(PAGE_MAX);
    page_start(&b, "Redirecting");
    zf_buf_puts(&b, "<p><a href=\"");
    sim_oauth_html_escape(&b, zf_buf_cstr(&loc));
    zf_buf_puts(&b, "\">Continue</a></p>\n");
    page_send(rs, 302, &b);
    sim_resp_header_add(rs, "Location", "%s", zf_buf_cstr(&loc));
    zf_buf_free(&loc);
}

/* --- request parameters: query string or x-www-form-urlencoded body */

static int form_body(const sim_req *rq)
{
    const char *ct = sim_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE);
    return rq->body_len && (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0);
}

/* malloc'd; free with sim_oauth_secret_free (values may be secrets). */
static char *param(sim_req *rq, const char *key)
{
    const char *q = sim_query(rq, key);
    if (q)
        return strdup(q);
    return form_body(rq) ? sim_form_value(rq->body, rq->body_len, key) : NULL;
}

static const sim_app *client_auth(sim_req *rq, sim_resp *rs)
{
    char *id, *secret;
    const sim_app *app = NULL;
    if (sim_oauth_basic_parse(sim_header(rq, MHD_HTTP_HEADER_AUTHORIZATION), &id, &secret) == 0) {
        const sim_app *a = sim_oauth_app_find(rq->s, id);
        /* compare even for an unknown id, so timing does not tell ids apart */
        if (sim_oauth_secret_eq(a ? a->client_secret : "", secret) && a)
            app = a;
        free(id);
        sim_oauth_secret_free(secret);
    }
    if (!app) {
        oauth_error(rs, 401, "invalid_client", "Invalid client_id or client_secret");
        sim_resp_header_add(rs, "WWW-Authenticate", "Basic realm=\"zoomsim\"");
    }
    return app;
}

/* --- /oauth/authorize */

typedef struct authz {
    const sim_app *app;
    const char *redirect, *state, *challenge, *method;
} authz;

/* 0 and *z for a request that may see the consent page; otherwise
 * ZF_EVALIDATION with the error page or the redirect already in rs. */
static int authorize_check(sim_req *rq, sim_resp *rs, authz *z)
{
    const char *client = sim_query(rq, "client_id");
    memset(z, 0, sizeof *z);
    z->app = sim_oauth_app_find(rq->s, client);
    if (!z->app || z->app->s2s) {
        error_page(rs, 4702, "Invalid client_id: %.200s", client ? client : "(missing)");
        return ZF_EVALIDATION;
    }
    snprintf(rq->log_detail, sizeof rq->log_detail, "client_id=%s", z->app->client_id);
    z->redirect = sim_query(rq, "redirect_uri");
    int ok = 0;
    for (int i = 0; z->redirect && !ok && i < z->app->nredirect; i++)
        ok = sim_oauth_redirect_match(z->app->redirect_uris[i], z->redirect);
    if (!ok) {
        error_page(rs, 4709, "Redirect URI mismatch: %.300s is not a redirect URI of this app",
                   z->redirect ? z->redirect : "(missing redirect_uri)");
        return ZF_EVALIDATION;
    }
    /* from here on, errors go back to the client (RFC 6749 §4.1.2.1) */
    z->state = sim_query(rq, "state");
    const char *rt = sim_query(rq, "response_type"), *err = NULL;
    z->challenge = sim_query(rq, "code_challenge");
    z->method = sim_query(rq, "code_challenge_method");
    if (!rt || strcmp(rt, "code") != 0) {
        redirect_to(rs, z->redirect, "error", rt ? "unsupported_response_type" : "invalid_request",
                    rt ? "response_type must be code" : "response_type is missing", z->state);
        return ZF_EVALIDATION;
    }
    if (z->method && !z->challenge)
        err = "code_challenge_method was sent without code_challenge";
    else if (z->challenge && !z->method)
        z->method = "plain"; /* Zoom's default, as RFC 7636's */
    if (!err && z->method && strcmp(z->method, "S256") && strcmp(z->method, "plain"))
        err = "code_challenge_method must be S256 or plain";
    else if (!err && z->challenge && !sim_oauth_pkce_challenge_ok(z->method, z->challenge))
        err = "code_challenge is malformed (S256: 43 base64url characters; plain: 43-128 "
              "characters of A-Z a-z 0-9 - . _ ~)";
    if (err) {
        redirect_to(rs, z->redirect, "error", "invalid_request", err, z->state);
        return ZF_EVALIDATION;
    }
    return 0;
}

static void code_issue(sim_req *rq, sim_resp *rs, const char *client_id, const char *redirect,
                       const char *challenge, const char *method, const char *state)
{
    sim *s = rq->s;
    const sim_app *app = sim_oauth_app_find(s, client_id);
    sim_code *c = calloc(1, sizeof *c);
    char code[40], hash[65];
    if (!c || !app)
        goto fail;
    sim_random_id(code, sizeof code, 32);
    snprintf(c->client_id, sizeof c->client_id, "%s", client_id);
    snprintf(c->user_id, sizeof c->user_id, "%s", s->owner_id);
    snprintf(c->method, sizeof c->method, "%s", method ? method : "");
    c->redirect_uri = strdup(redirect);
    c->challenge = challenge ? strdup(challenge) : NULL;
    c->scopes = strdup(app->scopes);
    c->expires_at = rq->now + SIM_OAUTH_CODE_TTL;
    sim_oauth_sha256_hex(code, hash);
    if (!c->redirect_uri || !c->scopes || (challenge && !c->challenge) ||
        sim_map_put(&s->oauth->codes, hash, c) != 0)
        goto fail;
    redirect_to(rs, redirect, "code", code, NULL, state);
    return;
fail:
    code_free(c);
    sim_error(rs, 500, 500, "cannot issue an authorization code");
}

static void consent_page(sim_req *rq, sim_resp *rs, const authz *z, const char *id)
{
    const sim_app *a = z->app;
    zf_buf b = ZF_BUF_INIT(PAGE_MAX);
    page_start(&b, "Authorize app");
    zf_buf_puts(&b, "<p><strong id=\"app-name\">");
    sim_oauth_html_escape(&b, a->name);
    zf_buf_puts(&b, "</strong> (client ID <code>");
    sim_oauth_html_escape(&b, a->client_id);
    zf_buf_puts(&b, "</code>) would like to access your Zoom account <code>");
    sim_oauth_html_escape(&b, rq->s->account_id);
    zf_buf_puts(&b, "</code> as user <code>");
    sim_oauth_html_escape(&b, rq->s->owner_id);
    zf_buf_puts(&b, "</code>. It asks for these permissions:</p>\n<ul id=\"scopes\">\n");
    for (const char *p = a->scopes; *p;) {
        size_t n = strcspn(p, " ");
        char *scope = strndup(p, n);
        if (scope) {
            zf_buf_puts(&b, "<li><code class=\"scope\">");
            sim_oauth_html_escape(&b, scope);
            zf_buf_puts(&b, "</code>: ");
            sim_oauth_html_escape(&b, sim_oauth_scope_desc(scope));
            zf_buf_puts(&b, "</li>\n");
        }
        free(scope);
        p += n;
        while (*p == ' ')
            p++;
    }
    zf_buf_puts(&b, "</ul>\n<p>You will be sent back to <code>");
    sim_oauth_html_escape(&b, z->redirect);
    zf_buf_puts(&b, "</code>.</p>\n<form method=\"post\" action=\"/oauth/authorize/decision\">"
                    "<input type=\"hidden\" name=\"consent\" value=\"");
    sim_oauth_html_escape(&b, id);
    zf_buf_puts(&b, "\"><button type=\"submit\" name=\"decision\" value=\"authorize\">Authorize"
                    "</button><button type=\"submit\" name=\"decision\" value=\"deny\">Deny"
                    "</button></form>\n");
    page_send(rs, 200, &b);
}

static void h_authorize(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    authz z;
    purge(s);
    if (authorize_check(rq, rs, &z) != 0)
        return;
    if (s->opts.auto_approve) {
        code_issue(rq, rs, z.app->client_id, z.redirect, z.challenge, z.method, z.state);
        return;
    }
    sim_consent *c = calloc(1, sizeof *c);
    char id[40];
    sim_random_id(id, sizeof id, 32);
    if (c) {
        snprintf(c->client_id, sizeof c->client_id, "%s", z.app->client_id);
        snprintf(c->method, sizeof c->method, "%s", z.method ? z.method : "");
        c->redirect_uri = strdup(z.redirect);
        c->state = z.state ? strdup(z.state) : NULL;
        c->challenge = z.challenge ? strdup(z.challenge) : NULL;
        c->expires_at = rq->now + SIM_OAUTH_CONSENT_TTL;
    }
    if (!c || !c->redirect_uri || (z.state && !c->state) || (z.challenge && !c->challenge) ||
        sim_map_put(&s->oauth->consents, id, c) != 0) {
        consent_free(c);
        sim_error(rs, 500, 500, "cannot store the consent request");
        return;
    }
    consent_page(rq, rs, &z, id);
}

/* POST /oauth/authorize/decision: consent=ID&decision=authorize|deny */
static void h_decision(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    char *id = form_body(rq) ? sim_form_value(rq->body, rq->body_len, "consent") : NULL;
    char *d = form_body(rq) ? sim_form_value(rq->body, rq->body_len, "decision") : NULL;
    sim_consent *c = id ? sim_map_get(&s->oauth->consents, id) : NULL;
    if (!c || c->expires_at <= rq->now) {
        error_page(rs, 4700,
                   "This authorization request is unknown, expired or already "
                   "answered; start again from the app");
    } else if (!d || (strcmp(d, "authorize") && strcmp(d, "deny"))) {
        error_page(rs, 4700, "The decision must be authorize or deny");
        c = NULL;
    } else {
        sim_map_del(&s->oauth->consents, id); /* single use */
        snprintf(rq->log_detail, sizeof rq->log_detail, "client_id=%s decision=%s", c->client_id,
                 d);
        if (!strcmp(d, "deny"))
            redirect_to(rs, c->redirect_uri, "error", "access_denied",
                        "The user denied the authorization request", c->state);
        else if (!sim_oauth_app_find(s, c->client_id))
            error_page(rs, 4702, "Invalid client_id: %s", c->client_id);
        else
            code_issue(rq, rs, c->client_id, c->redirect_uri, c->challenge,
                       c->challenge ? c->method : NULL, c->state);
        consent_free(c);
    }
    free(id);
    free(d);
}

/* --- /oauth/token */

static void token_answer(sim_req *rq, sim_resp *rs, const sim_access *a, const char *refresh,
                         int expires_in)
{
    json_t *j = json_pack("{s:s,s:s}", "access_token", a->token, "token_type", "bearer");
    if (refresh)
        json_object_set_new(j, "refresh_token", json_string(refresh));
    json_object_set_new(j, "expires_in", json_integer(expires_in));
    json_object_set_new(j, "scope", json_string(a->scopes));
    json_object_set_new(j, "api_url", json_string(rq->s->base_url));
    sim_json(rs, 200, j);
    sim_resp_header_add(rs, "Cache-Control", "no-store");
    sim_resp_header_add(rs, "Pragma", "no-cache");
}

/* Issues an access token and a fresh refresh token for g (not in the map);
 * the app's tolerance decides which earlier access tokens of g die. */
static void grant_answer(sim_req *rq, sim_resp *rs, const sim_app *app, sim_grant *g)
{
    sim *s = rq->s;
    char refresh[64], hash[65];
    const sim_access *a = sim_auth_issue(s, g->client_id, s->account_id, g->user_id, g->scopes,
                                         SIM_OAUTH_ACCESS_TTL, 0, g->id);
    sim_random_id(refresh, sizeof refresh, 56);
    memcpy(refresh, "zsr_", 4);
    sim_oauth_sha256_hex(refresh, hash);
    g->refresh_expires_at = s->opts.refresh_ttl > 0 ? rq->now + s->opts.refresh_ttl : 0;
    if (!a || sim_map_put(&s->oauth->grants, hash, g) != 0) {
        sim_auth_revoke_grant(s, g->id);
        grant_free(g);
        sim_error(rs, 500, 500, "cannot issue tokens");
        return;
    }
    sim_auth_supersede(s, a, app->token_tolerance, -1);
    token_answer(rq, rs, a, refresh, SIM_OAUTH_USER_EXPIRES_IN);
}

/* Looks up a code; on failure writes Zoom's error. */
static sim_code *code_check(sim_req *rq, sim_resp *rs, const sim_app *app, const char *code)
{
    sim *s = rq->s;
    char hash[65];
    if (!code || !*code) {
        oauth_error(rs, 400, "invalid_request", "Missing authorization code");
        return NULL;
    }
    sim_oauth_sha256_hex(code, hash);
    sim_code *c = sim_map_get(&s->oauth->codes, hash);
    if (c && c->used && !strcmp(c->client_id, app->client_id)) {
        revoke_grant(s, c->grant_id); /* a replayed code: its tokens may be stolen */
        c->grant_id = 0;
    }
    if (!c || c->used || strcmp(c->client_id, app->client_id) != 0) {
        oauth_error(rs, 400, "invalid_request", "Invalid authorization code %s", code);
        return NULL;
    }
    if (rq->now >= c->expires_at) {
        oauth_error(rs, 400, "invalid_request", "Authorization code is expired.");
        return NULL;
    }
    return c;
}

static void grant_code(sim_req *rq, sim_resp *rs, const sim_app *app)
{
    sim *s = rq->s;
    char *code = param(rq, "code"), *redirect = param(rq, "redirect_uri");
    char *verifier = param(rq, "code_verifier");
    sim_code *c = code_check(rq, rs, app, code);
    if (!c)
        goto done;
    if (!redirect || strcmp(redirect, c->redirect_uri) != 0) {
        oauth_error(rs, 400, "invalid_request", "Redirect URI mismatch.");
        goto done;
    }
    if (c->challenge && !verifier) {
        oauth_error(rs, 400, "invalid_request",
                    "Missing code_verifier (the authorization "
                    "request had a code_challenge)");
        goto done;
    }
    if (c->challenge && !sim_oauth_pkce_verifier_ok(verifier)) {
        oauth_error(rs, 400, "invalid_request",
                    "Invalid code_verifier: it must be 43-128 "
                    "characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)");
        goto done;
    }
    if (c->challenge && !sim_oauth_pkce_verify(c->method, c->challenge, verifier)) {
        oauth_error(rs, 400, "invalid_grant", "Invalid code_verifier");
        goto done;
    }
    sim_grant *g = calloc(1, sizeof *g);
    if (!g || !(g->scopes = strdup(c->scopes))) {
        free(g);
        sim_error(rs, 500, 500, "out of memory");
        goto done;
    }
    revoke_user_app(s, c->client_id, c->user_id);
    g->id = ++s->oauth->next_grant;
    snprintf(g->client_id, sizeof g->client_id, "%s", c->client_id);
    snprintf(g->user_id, sizeof g->user_id, "%s", c->user_id);
    g->created_at = rq->now;
    c->used = 1;
    c->grant_id = g->id;
    grant_answer(rq, rs, app, g);
done:
    sim_oauth_secret_free(code);
    free(redirect);
    sim_oauth_secret_free(verifier);
}

static void grant_refresh(sim_req *rq, sim_resp *rs, const sim_app *app)
{
    sim *s = rq->s;
    char hash[65];
    char *rt = param(rq, "refresh_token");
    sim_grant *g = NULL;
    if (rt && *rt) {
        sim_oauth_sha256_hex(rt, hash);
        g = sim_map_get(&s->oauth->grants, hash);
    }
    if (g && g->refresh_expires_at && rq->now >= g->refresh_expires_at) {
        grant_free(sim_map_del(&s->oauth->grants, hash)); /* access tokens run out alone */
        g = NULL;
    }
    if (!g || strcmp(g->client_id, app->client_id) != 0)
        oauth_error(rs, 400, "invalid_grant", "Invalid Token!");
    else
        grant_answer(rq, rs, app, sim_map_del(&s->oauth->grants, hash)); /* rotation */
    sim_oauth_secret_free(rt);
}

/* Zoom's token_index (its changelog says "index"; both names are read): the
 * tolerance slot a Server-to-Server token takes, 0 to tolerance-1, in *slot;
 * -1 when absent or when the app has no limit (Zoom ignores it then).
 * ZF_EVALIDATION with the error in rs when it names no slot of the app. */
static int s2s_slot(sim_req *rq, sim_resp *rs, const sim_app *app, int *slot)
{
    char *v = param(rq, "token_index");
    int tol = app->token_tolerance, k = 0, rc = 0;
    if (!v)
        v = param(rq, "index");
    *slot = -1;
    if (!v || tol <= 0)
        goto done;
    size_t n = strlen(v);
    int digits = n >= 1 && n <= 3 && strspn(v, "0123456789") == n;
    for (size_t i = 0; digits && i < n; i++)
        k = k * 10 + (v[i] - '0');
    if (!digits || k >= tol) {
        oauth_error(rs, 400, "invalid_request",
                    "Invalid token_index: %.16s (this app's token "
                    "tolerance is %d: use 0 to %d, or leave it out)",
                    v, tol, tol - 1);
        rc = ZF_EVALIDATION;
    } else {
        *slot = k;
    }
done:
    free(v);
    return rc;
}

static void grant_s2s(sim_req *rq, sim_resp *rs, const sim_app *app)
{
    sim *s = rq->s;
    char *acct = param(rq, "account_id");
    int slot = -1;
    if (!app->s2s) {
        oauth_error(rs, 400, "unsupported_grant_type", "unsupported grant type");
    } else if (!acct || !*acct) {
        oauth_error(rs, 400, "invalid_request", "Missing account_id");
    } else if (strcmp(acct, s->account_id) != 0) {
        oauth_error(rs, 400, "invalid_request", "Invalid account_id: %.64s", acct);
    } else if (s2s_slot(rq, rs, app, &slot) == 0) {
        const sim_access *a =
            sim_auth_issue(s, app->client_id, s->account_id, s->owner_id, app->scopes,
                           SIM_OAUTH_ACCESS_TTL, 1, ++s->oauth->next_grant);
        if (a) {
            sim_auth_supersede(s, a, app->token_tolerance, slot);
            token_answer(rq, rs, a, NULL, SIM_OAUTH_S2S_EXPIRES_IN);
        } else {
            sim_error(rs, 500, 500, "cannot issue a token");
        }
    }
    free(acct);
}

typedef void (*grant_fn)(sim_req *rq, sim_resp *rs, const sim_app *app);

static const struct {
    const char *type;
    grant_fn fn;
    int s2s; /* which kind of app may use it */
} grant_types[] = {
    {"authorization_code", grant_code, 0},
    {"refresh_token", grant_refresh, 0},
    {"account_credentials", grant_s2s, -1}, /* grant_s2s answers OAuth apps itself */
    {NULL, NULL, 0},
};

static void h_token(sim_req *rq, sim_resp *rs)
{
    char *gt = param(rq, "grant_type");
    int i = 0;
    purge(rq->s);
    while (grant_types[i].type && (!gt || strcmp(gt, grant_types[i].type) != 0))
        i++;
    snprintf(rq->log_detail, sizeof rq->log_detail, "grant_type=%s",
             grant_types[i].type ? grant_types[i].type
             : gt                ? "unsupported"
                                 : "missing");
    const sim_app *app = client_auth(rq, rs);
    if (!app)
        goto done;
    if (!gt || !*gt)
        oauth_error(rs, 400, "invalid_request", "Missing grant type");
    else if (!grant_types[i].type || (grant_types[i].s2s == 0 && app->s2s))
        oauth_error(rs, 400, "unsupported_grant_type", "unsupported grant type");
    else
        grant_types[i].fn(rq, rs, app);
done:
    free(gt);
}

/* --- /oauth/revoke */

static void h_revoke(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    char *tok = NULL, hash[65];
    const sim_app *app = client_auth(rq, rs);
    if (!app)
        return;
    tok = param(rq, "token");
    uint64_t grant = 0;
    if (!tok || !*tok) {
        oauth_error(rs, 400, "invalid_request", "Token cannot be empty.");
        goto done;
    }
    int expired;
    const sim_access *a = sim_auth_lookup(s, tok, &expired);
    if (a && !strcmp(a->client_id, app->client_id))
        grant = a->grant_id;
    if (!a) {
        sim_oauth_sha256_hex(tok, hash);
        sim_grant *g = sim_map_get(&s->oauth->grants, hash);
        if (g && !strcmp(g->client_id, app->client_id))
            grant = g->id;
    }
    if (!grant) {
        oauth_error(rs, 400, "invalid_request", "Invalid Token!");
        goto done;
    }
    revoke_grant(s, grant);
    sim_json(rs, 200, json_pack("{s:s}", "status", "success"));
done:
    sim_oauth_secret_free(tok);
}

/* --- control plane: introspection (tests, troubleshooting) */

static json_t *access_json(const sim *s, const sim_access *a, int expired)
{
    const char *status = a->superseded ? "superseded" : expired ? "expired" : "active";
    return json_pack("{s:b,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:b,s:I}", "active",
                     !expired && !a->superseded, "token_type", "access_token", "status", status,
                     "client_id", a->client_id, "account_id", a->account_id, "user_id", a->user_id,
                     "scope", a->scopes, "expires_at", (json_int_t)a->expires_at, "expires_in",
                     (json_int_t)(a->expires_at - sim_now(s)), "s2s", a->s2s, "grant_id",
                     (json_int_t)a->grant_id);
}

/* GET /_sim/tokens/introspect?token=: what an access or refresh token is. */
static void h_introspect(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    const char *tok = sim_query(rq, "token");
    char hash[65];
    int expired = 0;
    if (!tok || !*tok) {
        sim_error(rs, 400, 300, "Give the token to look up as ?token=...");
        return;
    }
    const sim_access *a = sim_auth_lookup(s, tok, &expired);
    if (a) {
        sim_json(rs, 200, access_json(s, a, expired));
        return;
    }
    sim_oauth_sha256_hex(tok, hash);
    sim_grant *g = sim_map_get(&s->oauth->grants, hash);
    if (!g) {
        sim_json(rs, 200, json_pack("{s:b,s:s}", "active", 0, "status", "unknown"));
        return;
    }
    expired = g->refresh_expires_at && rq->now >= g->refresh_expires_at;
    json_t *j = json_pack("{s:b,s:s,s:s,s:s,s:s,s:s,s:I}", "active", !expired, "token_type",
                          "refresh_token", "status", expired ? "expired" : "active", "client_id",
                          g->client_id, "user_id", g->user_id, "scope", g->scopes, "grant_id",
                          (json_int_t)g->id);
    if (g->refresh_expires_at)
        json_object_set_new(j, "expires_at", json_integer(g->refresh_expires_at));
    sim_json(rs, 200, j);
}

/* GET /_sim/tokens/me with a bearer token: passes the API's own token check
 * (401 code 124 when invalid or expired), then says whose token it is. */
static void h_token_me(sim_req *rq, sim_resp *rs)
{
    sim_json(rs, 200, access_json(rq->s, rq->auth, 0));
}

/* POST /_sim/apps/deauthorize {client_id, user_id?}: the user (default:
 * the account owner) removes the app, as in the App Marketplace (Manage >
 * Added Apps > Remove): every grant of that user and app dies with its
 * tokens, and the app's subscription gets app_deauthorized, shaped as
 * Zoom's Marketplace webhooks file shows it (no payload.object, event_ts
 * inside the payload). */
static void h_deauthorize(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    json_t *j = sim_body_json(rq, rs);
    if (!j)
        return;
    const char *cid = json_string_value(json_object_get(j, "client_id"));
    json_t *uv = json_object_get(j, "user_id");
    const char *user = uv ? json_string_value(uv) : s->owner_id;
    if (!cid || !*cid) {
        sim_error(rs, 400, 300, "client_id is required: the app the user removes");
    } else if (!sim_oauth_app_find(s, cid)) {
        sim_error(rs, 404, 300, "no app with client_id '%.63s' (GET /_sim/apps lists them)", cid);
    } else if (!user || !*user || strlen(user) >= sizeof((sim_grant *)0)->user_id) {
        sim_error(rs, 400, 300, "user_id must be a user's id (default: the account owner)");
    } else {
        size_t before = s->oauth->grants.n;
        revoke_user_app(s, cid, user);
        size_t revoked = before - s->oauth->grants.n;
        char when[32], sig[65];
        sim_fmt_time(when, sim_now(s));
        sim_random_hex(sig, 32);
        json_t *env = json_pack("{s:s,s:{s:s,s:s,s:s,s:s,s:s,s:I}}", "event", "app_deauthorized",
                                "payload", "account_id", s->account_id, "user_id", user,
                                "signature", sig, "deauthorization_time", when, "client_id", cid,
                                "event_ts", (json_int_t)sim_webhook_now_ms(s));
        uint64_t id = env ? sim_webhook_emit_app(s, cid, env) : 0;
        sim_json(rs, 200,
                 json_pack("{s:s,s:s,s:I,s:I}", "client_id", cid, "user_id", user, "grants_revoked",
                           (json_int_t)revoked, "event_id", (json_int_t)id));
    }
    json_decref(j);
}

static const sim_route routes[] = {
    {"GET", "/oauth/authorize", h_authorize, 0, SIM_CAT_NONE, {NULL}, "oauth.authorize"},
    {"POST",
     "/oauth/authorize/decision",
     h_decision,
     0,
     SIM_CAT_NONE,
     {NULL},
     "oauth.authorize.decision"},
    {"POST", "/oauth/token", h_token, 0, SIM_CAT_NONE, {NULL}, "oauth.token"},
    {"POST", "/oauth/revoke", h_revoke, 0, SIM_CAT_NONE, {NULL}, "oauth.revoke"},
    {"GET", "/_sim/apps", sim_oauth_h_apps_list, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.apps"},
    {"POST",
     "/_sim/apps",
     sim_oauth_h_apps_add,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.apps.add"},
    {"POST",
     "/_sim/apps/deauthorize",
     h_deauthorize,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.apps.deauthorize"},
    {"GET",
     "/_sim/tokens/introspect",
     h_introspect,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.tokens.introspect"},
    {"GET",
     "/_sim/tokens/me",
     h_token_me,
     SIM_R_CONTROL | SIM_R_BEARER,
     SIM_CAT_NONE,
     {NULL},
     "sim.tokens.me"},
    {NULL, NULL, NULL, 0, SIM_CAT_NONE, {NULL}, NULL}, /* end */
};

/* --- module hooks */

static int oauth_init(sim *s)
{
    s->oauth = calloc(1, sizeof *s->oauth);
    if (!s->oauth)
        return ZF_ENOMEM;
    sim_map_init(&s->oauth->grants);
    sim_map_init(&s->oauth->codes);
    sim_map_init(&s->oauth->consents);
    return sim_oauth_apps_init(s);
}

static void oauth_reset(sim *s)
{
    struct sim_oauth *o = s->oauth;
    sim_map_clear(&o->grants, grant_free);
    sim_map_clear(&o->codes, code_free);
    sim_map_clear(&o->consents, consent_free);
    o->next_grant = 0;
    sim_oauth_apps_reset(s);
}

static void oauth_destroy(sim *s)
{
    if (!s->oauth)
        return;
    oauth_reset(s);
    sim_oauth_apps_destroy(s);
    free(s->oauth);
    s->oauth = NULL;
}

static json_t *oauth_dump(sim *s)
{
    struct sim_oauth *o = s->oauth;
    json_t *grants = json_array(), *codes = json_array(), *consents = json_array();
    for (size_t i = 0; i < o->grants.cap; i++) {
        if (!sim_map_live(&o->grants, i))
            continue;
        sim_grant *g = o->grants.vals[i];
        json_array_append_new(grants,
                              json_pack("{s:s,s:I,s:s,s:s,s:s,s:I,s:I}", "refresh_hash",
                                        o->grants.keys[i], "id", (json_int_t)g->id, "client_id",
                                        g->client_id, "user_id", g->user_id, "scopes", g->scopes,
                                        "created_at", (json_int_t)g->created_at,
                                        "refresh_expires_at", (json_int_t)g->refresh_expires_at));
    }
    for (size_t i = 0; i < o->codes.cap; i++) {
        if (!sim_map_live(&o->codes, i))
            continue;
        sim_code *c = o->codes.vals[i];
        json_array_append_new(
            codes, json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s,s:s,s:I,s:b,s:I}", "hash", o->codes.keys[i],
                             "client_id", c->client_id, "user_id", c->user_id, "redirect_uri",
                             c->redirect_uri, "challenge", c->challenge, "method", c->method,
                             "scopes", c->scopes, "expires_at", (json_int_t)c->expires_at, "used",
                             c->used, "grant_id", (json_int_t)c->grant_id));
    }
    for (size_t i = 0; i < o->consents.cap; i++) {
        if (!sim_map_live(&o->consents, i))
            continue;
        sim_consent *c = o->consents.vals[i];
        json_array_append_new(
            consents,
            json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s,s:I}", "id", o->consents.keys[i], "client_id",
                      c->client_id, "redirect_uri", c->redirect_uri, "state", c->state, "challenge",
                      c->challenge, "method", c->method, "expires_at", (json_int_t)c->expires_at));
    }
    return json_pack("{s:I,s:o,s:o,s:o,s:o}", "next_grant", (json_int_t)o->next_grant, "apps",
                     sim_oauth_apps_dump(s), "grants", grants, "codes", codes, "consents",
                     consents);
}

static const char *jstr(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static char *jdup(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? strdup(v) : NULL;
}

static int64_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static int load_grants(sim *s, json_t *arr)
{
    size_t i;
    json_t *t;
    json_array_foreach (arr, i, t) {
        sim_grant *g = calloc(1, sizeof *g);
        if (!g)
            return ZF_ENOMEM;
        g->id = (uint64_t)jint(t, "id");
        snprintf(g->client_id, sizeof g->client_id, "%s", jstr(t, "client_id"));
        snprintf(g->user_id, sizeof g->user_id, "%s", jstr(t, "user_id"));
        g->scopes = jdup(t, "scopes");
        g->created_at = jint(t, "created_at");
        g->refresh_expires_at = jint(t, "refresh_expires_at");
        if (!g->scopes || strlen(jstr(t, "refresh_hash")) != 64 ||
            sim_map_put(&s->oauth->grants, jstr(t, "refresh_hash"), g) != 0) {
            grant_free(g);
            return ZF_EPARSE;
        }
    }
    return 0;
}

static int load_codes(sim *s, json_t *arr)
{
    size_t i;
    json_t *t;
    json_array_foreach (arr, i, t) {
        sim_code *c = calloc(1, sizeof *c);
        if (!c)
            return ZF_ENOMEM;
        snprintf(c->client_id, sizeof c->client_id, "%s", jstr(t, "client_id"));
        snprintf(c->user_id, sizeof c->user_id, "%s", jstr(t, "user_id"));
        snprintf(c->method, sizeof c->method, "%s", jstr(t, "method"));
        c->redirect_uri = jdup(t, "redirect_uri");
        c->challenge = jdup(t, "challenge");
        c->scopes = jdup(t, "scopes");
        c->expires_at = jint(t, "expires_at");
        c->used = json_is_true(json_object_get(t, "used"));
        c->grant_id = (uint64_t)jint(t, "grant_id");
        if (!c->redirect_uri || !c->scopes || strlen(jstr(t, "hash")) != 64 ||
            sim_map_put(&s->oauth->codes, jstr(t, "hash"), c) != 0) {
            code_free(c);
            return ZF_EPARSE;
        }
    }
    return 0;
}

static int load_consents(sim *s, json_t *arr)
{
    size_t i;
    json_t *t;
    json_array_foreach (arr, i, t) {
        sim_consent *c = calloc(1, sizeof *c);
        if (!c)
            return ZF_ENOMEM;
        snprintf(c->client_id, sizeof c->client_id, "%s", jstr(t, "client_id"));
        snprintf(c->method, sizeof c->method, "%s", jstr(t, "method"));
        c->redirect_uri = jdup(t, "redirect_uri");
        c->state = jdup(t, "state");
        c->challenge = jdup(t, "challenge");
        c->expires_at = jint(t, "expires_at");
        if (!c->redirect_uri || !*jstr(t, "id") ||
            sim_map_put(&s->oauth->consents, jstr(t, "id"), c) != 0) {
            consent_free(c);
            return ZF_EPARSE;
        }
    }
    return 0;
}

static int oauth_load(sim *s, json_t *obj)
{
    s->oauth->next_grant = (uint64_t)jint(obj, "next_grant");
    int rc = sim_oauth_apps_load(s, json_object_get(obj, "apps"));
    if (rc == 0)
        rc = load_grants(s, json_object_get(obj, "grants"));
    if (rc == 0)
        rc = load_codes(s, json_object_get(obj, "codes"));
    return rc != 0 ? rc : load_consents(s, json_object_get(obj, "consents"));
}

const sim_module sim_mod_oauth = {
    "oauth", routes, oauth_init, oauth_reset, oauth_destroy, oauth_dump, oauth_load,
};
