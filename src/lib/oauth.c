/*
 * OAuth 2.0 with Zoom (or any RFC 6749/7636 server): authorize URL (state +
 * PKCE S256), callback query, token endpoint grants, revocation, and the
 * mapping of token errors (Zoom's {"reason": "...", "error": "..."}, or RFC
 * 6749's error_description) to codes with hints. Messages name the server
 * that answered: "Zoom" only when it is Zoom.
 *
 * The parsers (zf_oauth_parse_callback, zf_oauth_parse_token_response,
 * zf_oauth_token_claims) only read the bytes they are given, bounded by
 * *_MAX constants.
 */
#include "zoomflow/oauth.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "zoomflow/buf.h"
#include "zoomflow/crypt.h"
#include "zoomflow/json.h"
#include "text.h"

const char *const zf_oauth_required_scopes[] = {
    "meeting:read:list_meetings:admin",
    "meeting:read:meeting:admin",
    "meeting:write:meeting:admin",
    "meeting:read:list_registrants:admin",
    "meeting:write:registrant:admin",
    "user:read:list_users:admin",
    "user:read:settings:admin",
    "user:write:user:admin",
    "cloud_recording:read:list_recording_files:admin",
    "contact:read:list_contacts:admin",
    NULL,
};

#define URL_MAX 8192
#define FORM_MAX 16384
#define API_URL_MAX 512

#define HINT_REAUTH                                                                                \
    "The refresh token has expired or been revoked. Re-authenticate the integration: "             \
    "reconnect the Zoom connection to generate new tokens."
#define HINT_REINITIATE                                                                            \
    "Re-initiate the OAuth flow: connect again; check that the redirect URI registered "           \
    "in the Zoom app matches %s exactly."

void zf_token_set_free(zf_token_set *s)
{
    if (!s)
        return;
    zf_secret_free(&s->access_token);
    zf_secret_free(&s->refresh_token);
    free(s->scope);
    free(s->api_url);
    s->scope = s->api_url = NULL;
    s->expires_at = 0;
}

void zf_oauth_authz_free(zf_oauth_authz *a)
{
    if (!a)
        return;
    zf_secret_free(&a->verifier);
    free(a->url);
    memset(a, 0, sizeof *a);
}

void zf_oauth_callback_free(zf_oauth_callback *cb)
{
    if (!cb)
        return;
    zf_secret_free(&cb->code);
    free(cb->state);
    free(cb->error);
    free(cb->error_description);
    cb->state = cb->error = cb->error_description = NULL;
}

/* Length of base without trailing slashes. */
static int base_len(const char *base)
{
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    return (int)n;
}

static int check_app(const zf_oauth_app *app, zf_error *err)
{
    if (!app || !app->oauth_base ||
        (strncmp(app->oauth_base, "https://", 8) != 0 &&
         strncmp(app->oauth_base, "http://", 7) != 0)) {
        zf_error_set(err, ZF_ECONFIG, "OAuth base URL \"%s\" is not an http(s) URL",
                     app && app->oauth_base ? app->oauth_base : "");
        zf_error_hint_id(err, ZF_HINT_CHECK_OAUTH_BASE,
                         "Use https://zoom.us, "
                         "https://zoomgov.com, or your zoomsim URL.");
        return ZF_ECONFIG;
    }
    if (!app->client_id || !app->client_id[0]) {
        zf_error_set(err, ZF_ECONFIG, "no OAuth client id given");
        zf_error_hint_id(err, ZF_HINT_APP_CREDENTIALS,
                         "Copy the Client ID from your app's App "
                         "Credentials page in the Zoom App Marketplace.");
        zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, "client_id");
        return ZF_ECONFIG;
    }
    if (!app->client_secret || zf_secret_empty(app->client_secret)) {
        zf_error_set(err, ZF_ECONFIG, "no OAuth client secret given for client %s", app->client_id);
        zf_error_hint_id(err, ZF_HINT_APP_CREDENTIALS,
                         "Copy the Client Secret from your app's "
                         "App Credentials page.");
        zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, "client_secret");
        return ZF_ECONFIG;
    }
    return 0;
}

static int http_url(const char *s)
{
    return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

/* No byte that would change what the URL means or let it carry a second
 * line: spaces and controls, a fragment, userinfo before the first '/'. */
static int url_clean(const char *s)
{
    const char *host = strstr(s, "://");
    const char *slash = host ? strchr(host + 3, '/') : NULL;
    const char *at = host ? strchr(host + 3, '@') : NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '#' || *p == '\\')
            return 0;
    return !(at && (!slash || at < slash));
}

int zf_oauth_endpoint_url(char **out, const char *oauth_base, const char *endpoint,
                          const char *deflt, zf_error *err)
{
    zf_buf url = ZF_BUF_INIT(URL_MAX);
    *out = NULL;
    if (!endpoint || !*endpoint)
        endpoint = deflt;
    if (http_url(endpoint) && url_clean(endpoint)) {
        zf_buf_puts(&url, endpoint);
    } else if (endpoint[0] == '/' && endpoint[1] != '/' && url_clean(endpoint) && oauth_base) {
        zf_buf_appendf(&url, "%.*s%s", base_len(oauth_base), oauth_base, endpoint);
    } else {
        zf_error_set(err, ZF_ECONFIG,
                     "OAuth endpoint \"%.200s\" is neither a path nor an "
                     "http(s) URL",
                     endpoint);
        zf_error_hint_id(err, ZF_HINT_CHECK_OAUTH_BASE,
                         "Give a path under the OAuth base (Zoom's: %s) or a whole URL "
                         "such as https://auth.example.com/oauth2/token, without spaces, "
                         "'#' or user:password@.",
                         deflt);
        return ZF_ECONFIG;
    }
    if (url.failed)
        return zf_error_set(err, ZF_ENOMEM, "OAuth endpoint URL too long");
    *out = zf_buf_take(&url);
    return 0;
}

/* 1 when host (length n) is d or a subdomain of it. */
static int host_in(const char *host, size_t n, const char *d)
{
    size_t dn = strlen(d);
    return (n == dn && strncasecmp(host, d, n) == 0) ||
           (n > dn && host[n - dn - 1] == '.' && strncasecmp(host + n - dn, d, dn) == 0);
}

void zf_oauth_server_name(const char *url, char *out, size_t outlen)
{
    const char *h = url ? strstr(url, "://") : NULL;
    h = h ? h + 3 : NULL;
    size_t n = h ? strcspn(h, "/?#") : 0, hn = n;
    if (h && n && h[0] != '[' && memchr(h, ':', n))
        hn = (size_t)((const char *)memchr(h, ':', n) - h); /* without the port */
    if (h && (host_in(h, hn, "zoom.us") || host_in(h, hn, "zoomgov.com")))
        snprintf(out, outlen, "Zoom");
    else if (h && n)
        snprintf(out, outlen, "the authorization server at %.*s", (int)(n > 200 ? 200 : n), h);
    else
        snprintf(out, outlen, "the authorization server (an unknown host)");
}

int zf_oauth_default_api_base(char **out, const char *oauth_base)
{
    static const struct {
        const char *oauth, *api;
    } known[] = {{"https://zoom.us", "https://api.zoom.us/v2"},
                 {"https://zoomgov.com", "https://api.zoomgov.com/v2"}};
    zf_buf b = ZF_BUF_INIT(URL_MAX);
    if (!oauth_base || !oauth_base[0])
        oauth_base = "https://zoom.us"; /* NULL means Zoom's */
    int n = base_len(oauth_base);
    const char *api = NULL;
    *out = NULL;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if ((size_t)n == strlen(known[i].oauth) && strncmp(oauth_base, known[i].oauth, n) == 0)
            api = known[i].api;
    if (api)
        zf_buf_puts(&b, api);
    else
        zf_buf_appendf(&b, "%.*s/v2", n, oauth_base);
    if (b.failed)
        return ZF_ENOMEM;
    *out = zf_buf_take(&b);
    return 0;
}

int zf_oauth_authorize_begin(zf_oauth_authz *out, const zf_oauth_app *app, const char *redirect_uri,
                             zf_error *err)
{
    char verifier[ZF_OAUTH_VERIFIER_CHARS + 1];
    unsigned char digest[32];
    zf_buf url = ZF_BUF_INIT(URL_MAX);
    char *endpoint = NULL;
    int rc = 0;
    memset(out, 0, sizeof *out);
    if ((rc = check_app(app, err)) < 0 ||
        (rc = zf_oauth_endpoint_url(&endpoint, app->oauth_base, app->authorize_endpoint,
                                    ZF_OAUTH_AUTHORIZE_PATH, err)) < 0)
        return rc;
    if (!redirect_uri || !redirect_uri[0]) {
        free(endpoint);
        zf_error_set(err, ZF_ECONFIG, "no OAuth redirect URI given");
        zf_error_hint_id(err, ZF_HINT_APP_CREDENTIALS,
                         "Give the redirect URI registered in "
                         "the Zoom app, e.g. https://zoomflow.example.com/oauth/zoom/callback.");
        zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, "redirect_uri");
        return ZF_ECONFIG;
    }
    if (zf_random_token(out->state, sizeof out->state) < 0 ||
        zf_random_token(verifier, sizeof verifier) < 0) {
        rc = zf_error_set(err, ZF_EIO, "no random bytes available for the OAuth state");
        goto done;
    }
    zf_sha256(verifier, ZF_OAUTH_VERIFIER_CHARS, digest);
    zf_base64url(digest, sizeof digest, out->challenge);
    if ((rc = zf_secret_set(&out->verifier, verifier, ZF_OAUTH_VERIFIER_CHARS)) < 0) {
        zf_error_set(err, rc, "out of memory");
        goto done;
    }
    zf_buf_appendf(&url, "%s%sresponse_type=code&client_id=", endpoint,
                   strchr(endpoint, '?') ? "&" : "?");
    zf_buf_put_urlenc(&url, app->client_id);
    zf_buf_puts(&url, "&redirect_uri=");
    zf_buf_put_urlenc(&url, redirect_uri);
    zf_buf_appendf(&url, "&state=%s&code_challenge=%s&code_challenge_method=S256", out->state,
                   out->challenge);
    if (url.failed) {
        rc = zf_error_set(err, ZF_ENOMEM, "authorize URL too long");
        goto done;
    }
    out->url = zf_buf_take(&url);
done:
    memset(verifier, 0, sizeof verifier);
    zf_buf_free(&url);
    free(endpoint);
    if (rc < 0)
        zf_oauth_authz_free(out);
    return rc;
}

/* Percent-decodes s[0..n) ('+' is a space) into out. 0, ZF_EPARSE for a
 * bad escape or a control byte, or ZF_ENOMEM. */
static int form_decode(const char *s, size_t n, zf_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int b = zf_pct_byte(s + i, n - i);
            if (b < 0)
                return ZF_EPARSE;
            c = (char)b;
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == '\0' || (unsigned char)c < 0x20)
            return ZF_EPARSE;
        zf_buf_putc(out, c);
    }
    return out->failed ? ZF_ENOMEM : 0;
}

static int callback_field(zf_oauth_callback *cb, const char *key, size_t klen, const char *val,
                          size_t vlen, zf_error *err)
{
    static const char *const names[] = {"code", "state", "error", "error_description"};
    size_t which = sizeof names / sizeof names[0];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == klen && memcmp(names[i], key, klen) == 0)
            which = i;
    if (which == sizeof names / sizeof names[0])
        return 0; /* other parameters are ignored */
    char **slots[] = {NULL, &cb->state, &cb->error, &cb->error_description};
    int present = which == 0 ? !zf_secret_empty(&cb->code) : *slots[which] != NULL;
    if (present)
        return zf_error_set(err, ZF_EPARSE, "OAuth callback repeats the \"%s\" parameter",
                            names[which]);
    zf_buf v = ZF_BUF_INIT(ZF_OAUTH_CALLBACK_MAX);
    int rc = form_decode(val, vlen, &v);
    if (rc == ZF_EPARSE) {
        zf_error_set(err, ZF_EPARSE,
                     "OAuth callback parameter \"%s\" is not valid percent-encoding", names[which]);
    } else if (rc) {
        zf_error_set(err, ZF_ENOMEM, "out of memory");
    } else if (which == 0) {
        if (zf_secret_set(&cb->code, v.ptr ? v.ptr : "", v.len) < 0)
            rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    } else if (!(*slots[which] = strdup(v.ptr ? v.ptr : ""))) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    zf_buf_free(&v);
    return rc;
}

int zf_oauth_parse_callback(zf_oauth_callback *out, const char *query, size_t len, zf_error *err)
{
    zf_oauth_callback init = ZF_OAUTH_CALLBACK_INIT;
    *out = init;
    if (len > ZF_OAUTH_CALLBACK_MAX)
        return zf_error_set(err, ZF_ETOOBIG, "OAuth callback query is %zu bytes (limit %d)", len,
                            ZF_OAUTH_CALLBACK_MAX);
    if (memchr(query, '\0', len))
        return zf_error_set(err, ZF_EPARSE, "OAuth callback query contains a NUL byte");
    const char *q = memchr(query, '?', len);
    const char *end = query + len;
    const char *p = q ? q + 1 : query;
    const char *hash = memchr(p, '#', (size_t)(end - p));
    if (hash)
        end = hash;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pe = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pe - p));
        const char *ke = eq ? eq : pe;
        const char *v = eq ? eq + 1 : pe;
        int rc = callback_field(out, p, (size_t)(ke - p), v, (size_t)(pe - v), err);
        if (rc < 0) {
            zf_oauth_callback_free(out);
            return rc;
        }
        p = pe + 1;
    }
    return 0;
}

static int has_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* Accepts "http(s)://host[:port][/]" only: a bearer token goes there. */
static int valid_api_url(const char *u)
{
    const char *h = strncmp(u, "https://", 8) == 0  ? u + 8
                    : strncmp(u, "http://", 7) == 0 ? u + 7
                                                    : NULL;
    if (!h || !*h || strlen(u) > API_URL_MAX)
        return 0;
    for (; *h; h++) {
        if (*h == '/' && h[1] == '\0')
            return 1;
        if (!isalnum((unsigned char)*h) && !strchr(".-:[]", *h))
            return 0;
    }
    return 1;
}

/* 1 when a valid api_url ends in its one optional slash (dropped). */
static size_t api_url_slash(const char *u)
{
    return u[strlen(u) - 1] == '/';
}

static int tokenish(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/* Copies Zoom's reason, with token-shaped words (16+ characters of a
 * token alphabet, e.g. an echoed authorization code) replaced, so a
 * message that ends up in logs carries no credential. */
static void scrub_reason(const char *in, char *out, size_t outlen)
{
    zf_buf b = ZF_BUF_INIT(ZF_ERROR_MSG_MAX);
    while (*in) {
        size_t n = 0;
        while (tokenish(in[n]))
            n++;
        if (n >= 16)
            zf_buf_puts(&b, ZF_REDACTED);
        else if (n)
            zf_buf_append(&b, in, n);
        else
            zf_buf_putc(&b, isprint((unsigned char)*in) ? *in : '?');
        in += n ? n : 1;
        if (b.failed)
            break;
    }
    snprintf(out, outlen, "%s", b.ptr ? b.ptr : "");
    zf_buf_free(&b);
}

/* "Zoom" / "Zoom's token endpoint", or the server's host for any other. */
typedef struct who {
    char server[256];
    char endpoint[280];
    int zoom;
} who;

static void who_of(const zf_oauth_exchange *ex, who *w)
{
    snprintf(w->server, sizeof w->server, "%s", ex->server ? ex->server : "Zoom");
    w->zoom = strcmp(w->server, "Zoom") == 0;
    if (w->zoom)
        snprintf(w->endpoint, sizeof w->endpoint, "Zoom's token endpoint");
    else if (strncmp(w->server, "the authorization server at ", 28) == 0)
        snprintf(w->endpoint, sizeof w->endpoint, "the token endpoint at %s", w->server + 28);
    else
        snprintf(w->endpoint, sizeof w->endpoint, "the token endpoint of %s", w->server);
}

static int token_error(const zf_oauth_exchange *ex, const char *error, const char *reason,
                       zf_error *err)
{
    const char *cid = ex->client_id ? ex->client_id : "(unknown)";
    const char *uri = ex->redirect_uri ? ex->redirect_uri : "the one in use";
    char why[256];
    who w;
    who_of(ex, &w);
    scrub_reason(reason && *reason ? reason
                 : error && *error ? error
                                   : "no reason given",
                 why, sizeof why);
    if (ex->status == 429) {
        zf_error_set(err, ZF_ERATELIMIT, "%s is rate limiting: %s", w.endpoint, why);
        zf_error_hint_id(err, ZF_HINT_SLOW_DOWN,
                         "Wait a minute and retry; the stored tokens are unchanged.");
        return ZF_ERATELIMIT;
    }
    if (ex->status >= 502 && ex->status <= 504) {
        zf_error_set(err, ZF_ESERVER,
                     "%s was unavailable (HTTP %ld: %s); the stored tokens were kept, "
                     "retry later",
                     w.endpoint, ex->status, why);
        if (w.zoom)
            zf_error_hint_id(err, ZF_HINT_RETRY_LATER,
                             "Zoom's token endpoint is down for now; the stored tokens are kept. "
                             "Retry later and check https://status.zoom.us.");
        else
            zf_error_hint_id(err, ZF_HINT_RETRY_LATER,
                             "A failure of %s; the stored tokens are kept. Retry later.", w.server);
        return ZF_ESERVER;
    }
    if (ex->status >= 500) {
        zf_error_set(err, ZF_ESERVER, "%s failed with HTTP %ld: %s", w.endpoint, ex->status, why);
        if (w.zoom)
            zf_error_hint_id(err, ZF_HINT_RETRY_LATER,
                             "A Zoom-side failure; the stored tokens are kept. Retry later "
                             "and check https://status.zoom.us.");
        else
            zf_error_hint_id(err, ZF_HINT_RETRY_LATER,
                             "A failure of %s; the stored tokens are kept. Retry later.", w.server);
        return ZF_ESERVER;
    }
    if ((error && strcmp(error, "invalid_client") == 0) || has_ci(why, "client_id") ||
        has_ci(why, "client secret") || has_ci(why, "client_secret")) {
        zf_error_set(err, ZF_EAUTH, "%s rejected the app credentials for client id %s: %s",
                     w.server, cid, why);
        zf_error_hint_id(err, ZF_HINT_RECONNECT,
                         "Check the client id and secret of client %s against the Zoom "
                         "app's App Credentials page (a regenerated secret must be "
                         "entered again), then reconnect.",
                         cid);
        return ZF_EAUTH;
    }
    if (ex->grant == ZF_GRANT_AUTHORIZATION_CODE) {
        int redirect = has_ci(why, "redirect");
        zf_error_set(err, ZF_EAUTH, "%s refused the code exchange: %s: %s", w.server,
                     redirect ? "redirect URI mismatch"
                              : "the authorization code is expired, used or invalid",
                     why);
        zf_error_hint_id(err, ZF_HINT_CHECK_REDIRECT_URI, HINT_REINITIATE, uri);
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, ex->redirect_uri);
        return ZF_EAUTH;
    }
    if (ex->grant == ZF_GRANT_ACCOUNT_CREDENTIALS) {
        zf_error_set(err, ZF_EAUTH, "%s refused a Server-to-Server token: %s", w.server, why);
        zf_error_hint_id(err, ZF_HINT_CHECK_APP,
                         "Check the account id and that the Server-to-Server app of "
                         "client %s is activated in the Zoom App Marketplace.",
                         cid);
        return ZF_EAUTH;
    }
    if ((error && strcmp(error, "invalid_grant") == 0) || has_ci(why, "invalid token")) {
        zf_error_set(err, ZF_EREAUTH, "%s refused the refresh token: %s", w.server, why);
        zf_error_hint_id(err, ZF_HINT_RECONNECT, HINT_REAUTH);
        return ZF_EREAUTH;
    }
    zf_error_set(err, ZF_EAUTH, "%s answered HTTP %ld: %s", w.endpoint, ex->status, why);
    zf_error_hint_id(err, ZF_HINT_RECONNECT, HINT_REAUTH);
    return ZF_EAUTH;
}

static const char *json_str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int token_success(zf_token_set *out, const zf_oauth_exchange *ex, json_t *o, zf_error *err)
{
    const char *at = json_str(o, "access_token"), *rt = json_str(o, "refresh_token");
    const char *type = json_str(o, "token_type"), *api = json_str(o, "api_url");
    const char *scope = json_str(o, "scope");
    json_t *exp = json_object_get(o, "expires_in");
    json_int_t secs = json_is_integer(exp) ? json_integer_value(exp) : -1;
    if (!at || !*at)
        return zf_error_set(err, ZF_EPARSE, "token response has no access_token");
    if (secs <= 0 || secs > (json_int_t)10 * 366 * 86400)
        return zf_error_set(err, ZF_EPARSE, "token response has no valid expires_in");
    if (type && strcasecmp(type, "bearer") != 0)
        return zf_error_set(err, ZF_EPARSE,
                            "token response has token_type \"%.40s\", "
                            "expected bearer",
                            type);
    if (ex->grant != ZF_GRANT_ACCOUNT_CREDENTIALS && (!rt || !*rt))
        return zf_error_set(err, ZF_EPARSE, "token response has no refresh_token");
    if (api && *api && !valid_api_url(api))
        return zf_error_set(err, ZF_EPARSE, "token response has an unusable api_url");
    if (zf_secret_set(&out->access_token, at, strlen(at)) < 0 ||
        (rt && *rt && zf_secret_set(&out->refresh_token, rt, strlen(rt)) < 0) ||
        (scope && !(out->scope = strdup(scope))) ||
        (api && *api && !(out->api_url = strndup(api, strlen(api) - api_url_slash(api)))))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    out->expires_at = ex->now + (int64_t)secs;
    return 0;
}

int zf_oauth_parse_token_response(zf_token_set *out, const zf_oauth_exchange *ex, const char *body,
                                  size_t len, zf_error *err)
{
    zf_token_set init = ZF_TOKEN_SET_INIT;
    json_error_t jerr;
    json_t *o = NULL;
    int rc;
    *out = init;
    if (err)
        err->http_status = (int)ex->status;
    if (len > ZF_OAUTH_RESPONSE_MAX)
        return zf_error_set(err, ZF_ETOOBIG, "token response is %zu bytes (limit %d)", len,
                            ZF_OAUTH_RESPONSE_MAX);
    o = body && len ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (ex->status >= 200 && ex->status < 300) {
        rc = json_is_object(o) ? token_success(out, ex, o, err)
                               : zf_error_set(err, ZF_EPARSE,
                                              "token response is not a "
                                              "JSON object");
    } else {
        const char *reason = json_is_object(o) ? json_str(o, "reason") : NULL;
        if (!reason && json_is_object(o))
            reason = json_str(o, "error_description");
        if (!reason && json_is_object(o))
            reason = json_str(o, "message");
        rc = token_error(ex, json_is_object(o) ? json_str(o, "error") : NULL, reason, err);
    }
    json_decref(o);
    if (rc < 0)
        zf_token_set_free(out);
    return rc;
}

/* --- access token claims */

static int is_zoom_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > ZF_OAUTH_ID_MAX)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return 0;
    return 1;
}

/* A claim's value into *out (NULL when absent, null or ""); or ZF_EPARSE. */
static int claim(char **out, const json_t *payload, const char *name, zf_error *err)
{
    const char *v = NULL;
    if (!out)
        return 0;
    if (zf_json_opt_str(payload, name, &v, NULL, err) < 0)
        return zf_error_set(err, ZF_EPARSE, "access token claim %s is not a string", name);
    if (!v || !*v)
        return 0;
    if (!is_zoom_id(v))
        return zf_error_set(err, ZF_EPARSE,
                            "access token claim %s is not a Zoom id (1 to %d characters of "
                            "A-Z a-z 0-9 _ -)",
                            name, ZF_OAUTH_ID_MAX);
    if (!(*out = strdup(v)))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    return 0;
}

/* header "." payload "." signature: the payload's offset and length. The
 * signature may be empty (an unsigned JWT); header and payload may not. */
static int jwt_payload(const char *token, size_t len, size_t *start, size_t *n, zf_error *err)
{
    const char *end = token + len;
    const char *d1 = memchr(token, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', (size_t)(end - d1 - 1)) : NULL;
    if (!d1 || !d2 || d1 == token || d2 == d1 + 1 || memchr(d2 + 1, '.', (size_t)(end - d2 - 1)))
        return zf_error_set(err, ZF_EPARSE,
                            "access token is not a JWT (expected three base64url parts "
                            "separated by '.')");
    *start = (size_t)(d1 + 1 - token);
    *n = (size_t)(d2 - d1 - 1);
    return 0;
}

int zf_oauth_token_claims(char **account_id, char **user_id, const char *token, size_t len,
                          zf_error *err)
{
    unsigned char *raw = NULL;
    json_t *payload = NULL;
    size_t start = 0, n = 0;
    int rc;
    if (account_id)
        *account_id = NULL;
    if (user_id)
        *user_id = NULL;
    if (!token)
        return zf_error_set(err, ZF_EINVAL, "zf_oauth_token_claims: token needed");
    if (len > ZF_OAUTH_TOKEN_MAX)
        return zf_error_set(err, ZF_ETOOBIG, "access token is %zu bytes (limit %d)", len,
                            ZF_OAUTH_TOKEN_MAX);
    if ((rc = jwt_payload(token, len, &start, &n, err)) < 0)
        return rc;
    if (!(raw = malloc(n)))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    long got = zf_base64_decode(token + start, n, raw, n);
    if (got < 0) {
        rc = zf_error_set(err, ZF_EPARSE, "access token payload is not base64url");
        goto done;
    }
    /* zf_json_parse's message may quote the payload: replace it */
    if ((rc = zf_json_parse(&payload, raw, (size_t)got, ZF_OAUTH_TOKEN_MAX, "access token payload",
                            err)) < 0 ||
        !json_is_object(payload)) {
        rc = zf_error_set(err, ZF_EPARSE, "access token payload is not a JSON object");
        goto done;
    }
    if ((rc = claim(account_id, payload, "aid", err)) == 0)
        rc = claim(user_id, payload, "uid", err);
done:
    if (rc < 0 && account_id) {
        free(*account_id);
        *account_id = NULL;
    }
    json_decref(payload);
    free(raw);
    return rc;
}

/* RFC 6749 §2.3.1: the client id and secret are each form-urlencoded, then
 * joined by ':' and base64'd (libcurl does the last two). */
static int basic_credentials(const zf_oauth_app *app, zf_buf *user, zf_secret *pass, zf_error *err)
{
    zf_buf p = ZF_BUF_INIT(FORM_MAX);
    int rc = 0;
    zf_buf_put_urlenc(user, app->client_id);
    zf_buf_put_urlenc(&p, zf_secret_reveal(app->client_secret));
    if (user->failed || p.failed || zf_secret_set(pass, p.ptr, p.len) < 0)
        rc = zf_error_set(err, ZF_ENOMEM, "OAuth client credentials too long");
    zf_buf_free(&p); /* wipes */
    return rc;
}

/* POSTs form to the endpoint's URL with Basic client auth. */
static int post_form(zf_http *http, const zf_oauth_app *app, const char *url, const zf_buf *form,
                     zf_http_resp *resp, zf_error *err)
{
    static const char *const headers[] = {"Content-Type: application/x-www-form-urlencoded",
                                          "Accept: application/json", NULL};
    zf_buf user = ZF_BUF_INIT(FORM_MAX);
    zf_secret pass = ZF_SECRET_INIT;
    zf_http_req req = ZF_HTTP_REQ_INIT;
    int rc;
    if (form->failed)
        return zf_error_set(err, ZF_ENOMEM, "OAuth request body too long");
    if ((rc = basic_credentials(app, &user, &pass, err)) == 0) {
        req.method = "POST";
        req.url = url;
        req.headers = headers;
        req.body = form->ptr;
        req.body_len = form->len;
        req.basic_user = user.ptr;
        req.basic_pass = &pass;
        rc = zf_http_do(http, &req, resp, err);
    }
    zf_secret_free(&pass);
    zf_buf_free(&user);
    return rc;
}

static int token_call(zf_token_set *out, zf_http *http, const zf_oauth_app *app, const zf_buf *form,
                      const zf_oauth_exchange *ex, int *sent, zf_error *err)
{
    zf_http_resp resp;
    zf_token_set init = ZF_TOKEN_SET_INIT;
    char *url = NULL, server[256];
    *out = init;
    if (sent)
        *sent = 0;
    int rc =
        zf_oauth_endpoint_url(&url, app->oauth_base, app->token_endpoint, ZF_OAUTH_TOKEN_PATH, err);
    if (rc < 0)
        return rc;
    zf_oauth_server_name(url, server, sizeof server);
    zf_http_resp_init(&resp);
    rc = post_form(http, app, url, form, &resp, err);
    if (sent)
        *sent = rc < 0 ? resp.sent : 1;
    if (rc == 0) {
        zf_oauth_exchange e = *ex;
        e.status = resp.status;
        e.server = server;
        rc = zf_oauth_parse_token_response(out, &e, resp.body.ptr, resp.body.len, err);
    }
    zf_http_resp_free(&resp);
    free(url);
    return rc;
}

int zf_oauth_exchange_code(zf_token_set *out, zf_http *http, const zf_oauth_app *app,
                           const zf_secret *code, const char *redirect_uri,
                           const zf_secret *verifier, int64_t now, zf_error *err)
{
    zf_buf form = ZF_BUF_INIT(FORM_MAX);
    zf_oauth_exchange ex = {ZF_GRANT_AUTHORIZATION_CODE, 0, now, NULL, redirect_uri, NULL};
    int rc = check_app(app, err);
    if (rc < 0)
        return rc;
    ex.client_id = app->client_id;
    zf_buf_puts(&form, "grant_type=authorization_code&code=");
    zf_buf_put_urlenc(&form, zf_secret_reveal(code));
    zf_buf_puts(&form, "&redirect_uri=");
    zf_buf_put_urlenc(&form, redirect_uri ? redirect_uri : "");
    if (verifier && !zf_secret_empty(verifier)) {
        zf_buf_puts(&form, "&code_verifier=");
        zf_buf_put_urlenc(&form, zf_secret_reveal(verifier));
    }
    rc = token_call(out, http, app, &form, &ex, NULL, err);
    zf_buf_free(&form);
    return rc;
}

int zf_oauth_refresh(zf_token_set *out, zf_http *http, const zf_oauth_app *app,
                     const zf_secret *refresh_token, int64_t now, int *sent, zf_error *err)
{
    zf_buf form = ZF_BUF_INIT(FORM_MAX);
    zf_oauth_exchange ex = {ZF_GRANT_REFRESH_TOKEN, 0, now, NULL, NULL, NULL};
    int rc = check_app(app, err);
    if (sent)
        *sent = 0;
    if (rc < 0)
        return rc;
    ex.client_id = app->client_id;
    zf_buf_puts(&form, "grant_type=refresh_token&refresh_token=");
    zf_buf_put_urlenc(&form, zf_secret_reveal(refresh_token));
    rc = token_call(out, http, app, &form, &ex, sent, err);
    zf_buf_free(&form);
    return rc;
}

int zf_oauth_s2s_token(zf_token_set *out, zf_http *http, const zf_oauth_app *app, int64_t now,
                       zf_error *err)
{
    zf_buf form = ZF_BUF_INIT(FORM_MAX);
    zf_oauth_exchange ex = {ZF_GRANT_ACCOUNT_CREDENTIALS, 0, now, NULL, NULL, NULL};
    int rc = check_app(app, err);
    if (rc < 0)
        return rc;
    if (!app->account_id || !app->account_id[0]) {
        zf_error_set(err, ZF_ECONFIG, "no account id given for Server-to-Server client %s",
                     app->client_id);
        zf_error_hint_id(err, ZF_HINT_APP_CREDENTIALS,
                         "Copy the Account ID from the "
                         "Server-to-Server app's App Credentials page.");
        zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, "account_id");
        return ZF_ECONFIG;
    }
    ex.client_id = app->client_id;
    zf_buf_puts(&form, "grant_type=account_credentials&account_id=");
    zf_buf_put_urlenc(&form, app->account_id);
    rc = token_call(out, http, app, &form, &ex, NULL, err);
    zf_buf_free(&form);
    return rc;
}

int zf_oauth_revoke(zf_http *http, const zf_oauth_app *app, const zf_secret *token, zf_error *err)
{
    zf_buf form = ZF_BUF_INIT(FORM_MAX);
    zf_http_resp resp;
    char *url = NULL, server[256];
    int rc = check_app(app, err);
    if (rc < 0 || (rc = zf_oauth_endpoint_url(&url, app->oauth_base, app->revoke_endpoint,
                                              ZF_OAUTH_REVOKE_PATH, err)) < 0)
        return rc;
    zf_oauth_server_name(url, server, sizeof server);
    zf_http_resp_init(&resp);
    zf_buf_puts(&form, "token=");
    zf_buf_put_urlenc(&form, zf_secret_reveal(token));
    rc = post_form(http, app, url, &form, &resp, err);
    if (rc == 0 && (resp.status < 200 || resp.status >= 300)) {
        json_t *o = json_loadb(resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, NULL);
        const char *why = json_is_object(o) ? json_str(o, "reason") : NULL;
        if (!why && json_is_object(o))
            why = json_str(o, "error_description");
        char safe[256];
        scrub_reason(why ? why : "no reason given", safe, sizeof safe);
        if (err)
            err->http_status = (int)resp.status;
        rc = zf_error_set(err, resp.status >= 500 ? ZF_ESERVER : ZF_EAUTH,
                          "%s did not revoke the token (HTTP %ld): %s", server, resp.status, safe);
        json_decref(o);
    }
    zf_http_resp_free(&resp);
    zf_buf_free(&form);
    free(url);
    return rc;
}
