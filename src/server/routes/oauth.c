/*
 * The OAuth web flow ("Settings > App Store > Zoom > Connect"):
 *
 *   GET /oauth/zoom/connect   an org admin's browser session: a state and a
 *                             PKCE pair stored by zf_tokens_connect_begin
 *                             (with the org as the connection id and the
 *                             admin as the actor), then 303 to Zoom's
 *                             authorize page; redirect URI = the public
 *                             URL + /oauth/zoom/callback
 *   GET /oauth/zoom/callback  Zoom's redirect back: a cross-site
 *                             navigation, so the SameSite=Strict cookie is
 *                             not sent and no session is needed; the
 *                             one-time state row names the org and the
 *                             actor (zf_tokens_connect_finish consumes it)
 *
 * Both end on a small HTML page that says what happened (on failure the
 * setup page's cause and resolution) and navigates to the admin page
 * (same-site: the cookie is sent there) with the result in the fragment
 * (the resolution is the error's own advice when the page has no row):
 *   /#zoom?connect=ok
 *   /#zoom?connect=error&code=EAUTH&hint_id=CHECK_REDIRECT_URI&message=..
 *          &title=..&cause=..&resolution=..
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "oauth_app.h"
#include "zoomflow/doctor.h"
#include "server.h"
#include "zoom_clients.h"
#include "zoomflow/hint.h"
#include "zoomflow/session.h"
#include "zoomflow/tokens.h"

#define SECRET_MAX 4096
/* The session whose token manager completes callbacks: the state row, not
 * this session, names the org (any manager over the shared store can). */
#define CALLBACK_SESSION "*oauth-callback*"

static srv_oauth_app app;
static int app_set;

static void app_clear(void)
{
    char *s[] = {(char *)app.client_id, (char *)app.client_secret, (char *)app.authorize_endpoint,
                 (char *)app.token_endpoint, (char *)app.revoke_endpoint};
    /* the secret's bytes are zeroed before they go back to the heap (the
     * old code zeroed 0 bytes of it after the free) */
    if (app.client_secret)
        memset(s[1], 0, strlen(s[1]));
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        free(s[i]);
    memset(&app, 0, sizeof app);
    app_set = 0;
}

static int dup_or_null(const char **slot, const char *v)
{
    *slot = v && *v ? strdup(v) : NULL;
    return !v || !*v || *slot ? 0 : ZF_ENOMEM;
}

int srv_oauth_app_set(const srv_oauth_app *in, zf_error *err)
{
    app_clear();
    if (!in)
        return 0;
    if ((in->client_id && *in->client_id) != (in->client_secret && *in->client_secret))
        return zf_error_set(err, ZF_ECONFIG,
                            "the Zoom OAuth app needs both a client id and a client secret");
    if (dup_or_null(&app.client_id, in->client_id) ||
        dup_or_null(&app.client_secret, in->client_secret) ||
        dup_or_null(&app.authorize_endpoint, in->authorize_endpoint) ||
        dup_or_null(&app.token_endpoint, in->token_endpoint) ||
        dup_or_null(&app.revoke_endpoint, in->revoke_endpoint)) {
        app_clear();
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    app_set = 1;
    return 0;
}

const srv_oauth_app *srv_oauth_app_get(void)
{
    return &app;
}

static int read_secret(const char *path, char *out, size_t cap, zf_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return zf_error_set(err, ZF_ECONFIG, "cannot read the client secret file %s", path);
    size_t n = fread(out, 1, cap - 1, f);
    fclose(f);
    out[n] = '\0';
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
        out[--n] = '\0';
    if (!n)
        return zf_error_set(err, ZF_ECONFIG, "the client secret file %s is empty", path);
    return 0;
}

int srv_oauth_module_init(srv_ctx *ctx, zf_error *err)
{
    if (app_set)
        return 0;
    char secret[SECRET_MAX] = "";
    const char *file = getenv("ZOOMFLOW_CLIENT_SECRET_FILE");
    int rc = file && *file ? read_secret(file, secret, sizeof secret, err) : 0;
    if (rc == 0) {
        srv_oauth_app env = {getenv("ZOOMFLOW_CLIENT_ID"), secret[0] ? secret : NULL,
                             getenv("ZOOMFLOW_AUTHORIZE_ENDPOINT"),
                             getenv("ZOOMFLOW_TOKEN_ENDPOINT"), getenv("ZOOMFLOW_REVOKE_ENDPOINT")};
        rc = srv_oauth_app_set(&env, err);
    }
    memset(secret, 0, sizeof secret);
    return rc;
}

void srv_oauth_module_fini(srv_ctx *ctx)
{
    app_clear();
}

static void html_put(zf_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            zf_buf_puts(b, "&lt;");
            break;
        case '>':
            zf_buf_puts(b, "&gt;");
            break;
        case '&':
            zf_buf_puts(b, "&amp;");
            break;
        case '"':
            zf_buf_puts(b, "&quot;");
            break;
        case '\'':
            zf_buf_puts(b, "&#39;");
            break;
        default:
            zf_buf_putc(b, *s);
        }
    }
}

static void frag_put(zf_buf *b, const char *name, const char *value)
{
    if (!value)
        return;
    zf_buf_appendf(b, "&%s=", name);
    zf_buf_put_urlenc(b, value);
}

/* The landing page: what happened, and on to the admin page. */
static int land(srv_resp *resp, const zf_error *err)
{
    zf_buf to = ZF_BUF_INIT(16384), page = ZF_BUF_INIT(65536);
    json_t *seed = err ? zf_seed_problem(err->hint_id, err->code) : NULL;
    const char *title = seed ? json_string_value(json_object_get(seed, "title")) : NULL;
    const char *cause = seed ? json_string_value(json_object_get(seed, "cause")) : NULL;
    const char *fix = seed ? json_string_value(json_object_get(seed, "resolution")) : NULL;
    /* no row of the setup page for it (a malformed callback, no app): the
     * error's own advice is the resolution */
    if (!fix && err && err->hint[0])
        fix = err->hint;
    if (!err) {
        zf_buf_puts(&to, "/#zoom?connect=ok");
    } else {
        zf_buf_puts(&to, "/#zoom?connect=error");
        frag_put(&to, "code", zf_code_name(err->code));
        frag_put(&to, "hint_id", err->hint_id ? zf_hint_name(err->hint_id) : NULL);
        frag_put(&to, "message", err->message);
        frag_put(&to, "title", title);
        frag_put(&to, "cause", cause);
        frag_put(&to, "resolution", fix);
    }
    zf_buf_puts(&page, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width\">"
                       "<meta http-equiv=\"refresh\" content=\"0; url=");
    html_put(&page, zf_buf_cstr(&to));
    zf_buf_puts(&page, "\"><title>");
    zf_buf_puts(&page, err ? "Zoom was not connected" : "Zoom is connected");
    zf_buf_puts(&page, "</title></head><body><main>");
    if (!err) {
        zf_buf_puts(&page, "<h1>Zoom is connected</h1>");
    } else {
        zf_buf_puts(&page, "<h1 id=\"title\">");
        html_put(&page, title ? title : "Zoom was not connected");
        zf_buf_puts(&page, "</h1><p id=\"message\">");
        html_put(&page, err->message);
        zf_buf_puts(&page, "</p>");
        if (cause) {
            zf_buf_puts(&page, "<p><strong>Cause:</strong> <span id=\"cause\">");
            html_put(&page, cause);
            zf_buf_puts(&page, "</span></p><p><strong>Resolution:</strong> <span "
                               "id=\"resolution\">");
            html_put(&page, fix);
            zf_buf_puts(&page, "</span></p>");
        } else if (fix) {
            zf_buf_puts(&page, "<p><strong>Resolution:</strong> <span id=\"resolution\">");
            html_put(&page, fix);
            zf_buf_puts(&page, "</span></p>");
        }
    }
    zf_buf_puts(&page, "<p><a href=\"");
    html_put(&page, zf_buf_cstr(&to));
    zf_buf_puts(&page,
                "\">Back to Settings &gt; App Store &gt; Zoom</a></p></main></body></html>\n");
    json_decref(seed);
    int rc = page.failed || to.failed ? srv_fail(resp, ZF_ENOMEM, "out of memory")
                                      : srv_text(resp, err ? 400 : 200, "text/html; charset=utf-8",
                                                 zf_buf_cstr(&page), page.len);
    zf_buf_free(&to);
    zf_buf_free(&page);
    return rc;
}

int srv_h_oauth_connect(srv_req *req, srv_resp *resp)
{
    zf_error err = ZF_ERROR_INIT;
    if (req->who->kind != SRV_AUTH_SESSION) {
        zf_error_set(&err, ZF_EFORBIDDEN,
                     "the Zoom OAuth flow is started by a signed-in org admin in a browser, "
                     "not with an API key");
        return srv_error(resp, &err);
    }
    if (!app.client_id) {
        zf_error_set(&err, ZF_ECONFIG,
                     "this service has no Zoom OAuth app configured (its client id and "
                     "client secret file)");
        zf_error_hint_id(&err, ZF_HINT_APP_CREDENTIALS,
                         "Start the service with --client-id and --client-secret-file (or "
                         "ZOOMFLOW_CLIENT_ID and ZOOMFLOW_CLIENT_SECRET_FILE), from the Zoom "
                         "app's App Credentials page.");
        return land(resp, &err);
    }
    char redirect[1200];
    snprintf(redirect, sizeof redirect, "%s/oauth/zoom/callback", srv_ctx_public_url(req->ctx));
    const srv_opts *so = srv_ctx_opts(req->ctx);
    zf_connect_cfg cfg = ZF_CONNECT_CFG_INIT;
    cfg.id = req->who->org;
    cfg.oauth_base = so && so->session.oauth_base ? so->session.oauth_base : "https://zoom.us";
    cfg.api_base = so ? so->session.api_base : NULL;
    cfg.client_id = app.client_id;
    cfg.client_secret = app.client_secret;
    cfg.redirect_uri = redirect;
    cfg.authorize_endpoint = app.authorize_endpoint;
    cfg.token_endpoint = app.token_endpoint;
    cfg.revoke_endpoint = app.revoke_endpoint;
    cfg.actor = req->who->actor;
    zf_tokens *tk;
    zf_oauth_authz authz;
    memset(&authz, 0, sizeof authz);
    int rc = srv_org_tokens(req->ctx, req->who->org, &tk, &err);
    if (rc == 0)
        rc = zf_tokens_connect_begin(&authz, tk, &cfg, &err);
    if (rc)
        return land(resp, &err);
    rc = srv_redirect(resp, 303, authz.url);
    zf_oauth_authz_free(&authz);
    return rc;
}

int srv_h_oauth_callback(srv_req *req, srv_resp *resp)
{
    zf_error err = ZF_ERROR_INIT;
    zf_session *s;
    zf_tokens *tk;
    char *id = NULL;
    const char *q = req->query_raw ? req->query_raw : "";
    int rc = srv_ctx_session(req->ctx, CALLBACK_SESSION, &s, &err);
    if (rc == 0)
        rc = zf_session_tokens(s, &tk, &err);
    if (rc == 0)
        rc = zf_tokens_connect_finish(&id, tk, q, strlen(q), &err);
    if (rc == 0)
        srv_log(req, ZF_LOG_INFO, "oauth", "org %s connected to Zoom", id);
    else
        srv_log(req, ZF_LOG_WARN, "oauth", "a Zoom authorization did not complete: %s",
                err.message);
    free(id);
    return land(resp, rc ? &err : NULL);
}
