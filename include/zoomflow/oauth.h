/*
 * OAuth 2.0 against Zoom (zoom-api.md §B): the authorize URL with state and
 * PKCE (S256), the callback query, the token endpoint (authorization_code,
 * refresh_token, account_credentials), and revocation.
 *
 * Hosts are configurable (https://zoom.us, https://zoomgov.com, a zoomsim
 * URL, a proxy, or any RFC 6749/7636 server), and so is each endpoint: a
 * path under oauth_base ("/oauth/token", Zoom's, by default) or an absolute
 * http(s) URL. Token and revocation requests are POSTs with a form body and
 * HTTP Basic client authentication, the client id and secret each
 * application/x-www-form-urlencoded before base64 (RFC 6749 §2.3.1; a
 * no-op for Zoom's alphanumeric credentials). No `scope=` is sent on the
 * authorize URL: Zoom takes scopes from the app's Marketplace configuration
 * and has rejected granular scope lists in the URL.
 *
 * The parse functions take untrusted bytes and limits only (no socket, file
 * or clock) and have fuzz targets (fuzz/fuzz_oauth_callback.c,
 * fuzz/fuzz_token_response.c, fuzz/fuzz_token_claims.c).
 */
#ifndef ZOOMFLOW_OAUTH_H
#define ZOOMFLOW_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/error.h"
#include "zoomflow/http.h"
#include "zoomflow/log.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* The ten scopes the connect flow needs (DESIGN §4), NULL-terminated. */
extern const char *const zf_oauth_required_scopes[];

/* Zoom's endpoints, the defaults of zf_oauth_app's *_endpoint fields. */
#define ZF_OAUTH_AUTHORIZE_PATH "/oauth/authorize"
#define ZF_OAUTH_TOKEN_PATH "/oauth/token"
#define ZF_OAUTH_REVOKE_PATH "/oauth/revoke"

typedef struct zf_oauth_app {
    const char *oauth_base; /* "https://zoom.us", no trailing slash needed */
    const char *client_id;
    const zf_secret *client_secret;
    const char *account_id; /* Server-to-Server apps only, else NULL */
    /* Each: a path under oauth_base ("/oauth/token") or an absolute http(s)
     * URL; NULL or "" = Zoom's (ZF_OAUTH_*_PATH). */
    const char *authorize_endpoint;
    const char *token_endpoint;
    const char *revoke_endpoint;
} zf_oauth_app;

#define ZF_OAUTH_APP_INIT                                                                          \
    {                                                                                              \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL                                                   \
    }

/* The URL of an endpoint: endpoint when it is an absolute http(s) URL,
 * else oauth_base + endpoint (a path starting with '/'), else oauth_base +
 * deflt when endpoint is NULL or "". malloc'd into *out. ZF_ECONFIG naming
 * the setting when endpoint is neither a path nor an http(s) URL, or holds
 * spaces, control bytes, '#' or a userinfo '@'. */
int zf_oauth_endpoint_url(char **out, const char *oauth_base, const char *endpoint,
                          const char *deflt, zf_error *err);

/* Who answered, for messages: "Zoom" for zoom.us, zoomgov.com and their
 * subdomains, else "the authorization server at HOST[:PORT]" of url (or of
 * "an unknown host" when url has none). Written into out (at most outlen). */
void zf_oauth_server_name(const char *url, char *out, size_t outlen);

/* The API base ("…/v2", no trailing slash) a connection uses when neither an
 * explicit api_base nor the token response's api_url says otherwise:
 * https://zoom.us -> https://api.zoom.us/v2, https://zoomgov.com ->
 * https://api.zoomgov.com/v2, any other OAuth host -> {oauth_base}/v2 (zoomsim
 * and test servers serve OAuth and the API on one origin). The one rule behind
 * the library, `zoomflow config` and docs/cli.md. malloc'd; ZF_ENOMEM. */
int zf_oauth_default_api_base(char **out, const char *oauth_base);

/* A token endpoint answer. expires_at is unix seconds (now + expires_in).
 * refresh_token is empty for Server-to-Server tokens. scope and api_url are
 * NULL when Zoom sent none. */
typedef struct zf_token_set {
    zf_secret access_token;
    zf_secret refresh_token;
    int64_t expires_at;
    char *scope;   /* space-separated, as granted */
    char *api_url; /* e.g. "https://eu01api.zoom.us" (regional cluster) */
} zf_token_set;

#define ZF_TOKEN_SET_INIT                                                                          \
    {                                                                                              \
        ZF_SECRET_INIT, ZF_SECRET_INIT, 0, NULL, NULL                                              \
    }
void zf_token_set_free(zf_token_set *s);

#define ZF_OAUTH_STATE_CHARS 43    /* 32 random bytes, base64url */
#define ZF_OAUTH_VERIFIER_CHARS 64 /* RFC 7636 allows 43..128 */
#define ZF_OAUTH_CHALLENGE_CHARS 43

/* One authorization attempt. The verifier is secret (it is stored sealed);
 * the state is a CSRF nonce that the callback must echo. */
typedef struct zf_oauth_authz {
    char state[ZF_OAUTH_STATE_CHARS + 1];
    zf_secret verifier;
    char challenge[ZF_OAUTH_CHALLENGE_CHARS + 1];
    char *url; /* the authorize URL to open in a browser */
} zf_oauth_authz;

void zf_oauth_authz_free(zf_oauth_authz *a);

/* Fresh state + PKCE verifier/challenge and the authorize URL:
 * {oauth_base}/oauth/authorize?response_type=code&client_id=..&redirect_uri=..
 * &state=..&code_challenge=..&code_challenge_method=S256 */
int zf_oauth_authorize_begin(zf_oauth_authz *out, const zf_oauth_app *app, const char *redirect_uri,
                             zf_error *err);

/* The query string Zoom redirected to (with or without a leading '?', or a
 * whole "path?query"). Fields are NULL when absent. A callback carrying
 * `error` is parsed successfully: the caller reports it. Fails with
 * ZF_EPARSE for a malformed query (bad percent-encoding, NUL, duplicate
 * fields) and ZF_ETOOBIG over ZF_OAUTH_CALLBACK_MAX bytes. */
#define ZF_OAUTH_CALLBACK_MAX 8192
typedef struct zf_oauth_callback {
    zf_secret code;
    char *state;
    char *error;
    char *error_description;
} zf_oauth_callback;

#define ZF_OAUTH_CALLBACK_INIT                                                                     \
    {                                                                                              \
        ZF_SECRET_INIT, NULL, NULL, NULL                                                           \
    }
int zf_oauth_parse_callback(zf_oauth_callback *out, const char *query, size_t len, zf_error *err);
void zf_oauth_callback_free(zf_oauth_callback *cb);

typedef enum zf_oauth_grant {
    ZF_GRANT_AUTHORIZATION_CODE = 0,
    ZF_GRANT_REFRESH_TOKEN,
    ZF_GRANT_ACCOUNT_CREDENTIALS
} zf_oauth_grant;

/* What the token response parser needs to know about the request it
 * answers, so errors can name the client id and the redirect URI. */
typedef struct zf_oauth_exchange {
    zf_oauth_grant grant;
    long status;              /* HTTP status of the answer */
    int64_t now;              /* unix seconds, for expires_at */
    const char *client_id;    /* may be NULL */
    const char *redirect_uri; /* may be NULL */
    const char *server;       /* zf_oauth_server_name() of the endpoint; NULL = "Zoom" */
} zf_oauth_exchange;

/*
 * Maps a token endpoint answer (untrusted; at most ZF_OAUTH_RESPONSE_MAX
 * bytes) to a token set or an error:
 *   2xx with access_token, expires_in   -> 0
 *   invalid_grant on refresh/S2S         -> ZF_EREAUTH (re-authenticate hint)
 *   redirect mismatch, bad/expired code  -> ZF_EAUTH (re-initiate hint)
 *   invalid_client                       -> ZF_EAUTH (names the client id)
 *   429 -> ZF_ERATELIMIT; 5xx -> ZF_ESERVER; other -> ZF_EAUTH/ZF_EHTTP;
 *   malformed JSON or missing fields     -> ZF_EPARSE
 */
#define ZF_OAUTH_RESPONSE_MAX 65536
int zf_oauth_parse_token_response(zf_token_set *out, const zf_oauth_exchange *ex, const char *body,
                                  size_t len, zf_error *err);

/*
 * Reads the account and user ids from an access token (untrusted; at most
 * ZF_OAUTH_TOKEN_MAX bytes). Zoom's access tokens are JWTs whose payload
 * carries "aid" (account id) and "uid" (user id); the signature is not
 * checked, so use the ids for display and bookkeeping, never to authorize.
 * 0 with malloc'd ids, each NULL when its claim is absent or empty; either
 * output may be NULL when not wanted. Not a JWT or a payload that is not
 * base64url JSON -> ZF_EPARSE, a claim that is not a Zoom id (1..64 of
 * [A-Za-z0-9_-]) -> ZF_EPARSE, too long -> ZF_ETOOBIG. Messages never
 * quote the token.
 */
#define ZF_OAUTH_TOKEN_MAX 16384
#define ZF_OAUTH_ID_MAX 64
int zf_oauth_token_claims(char **account_id, char **user_id, const char *token, size_t len,
                          zf_error *err);

/* Token endpoint calls. `now` stamps expires_at. Transport failures return
 * the zf_http code (ZF_ENET, ZF_ETIMEOUT...) with err->http_status 0; when
 * `sent` is non-NULL it says whether the request may have reached Zoom. */
int zf_oauth_exchange_code(zf_token_set *out, zf_http *http, const zf_oauth_app *app,
                           const zf_secret *code, const char *redirect_uri,
                           const zf_secret *verifier, int64_t now, zf_error *err);
int zf_oauth_refresh(zf_token_set *out, zf_http *http, const zf_oauth_app *app,
                     const zf_secret *refresh_token, int64_t now, int *sent, zf_error *err);
int zf_oauth_s2s_token(zf_token_set *out, zf_http *http, const zf_oauth_app *app, int64_t now,
                       zf_error *err);
/* Revokes the grant behind token (access or refresh token). */
int zf_oauth_revoke(zf_http *http, const zf_oauth_app *app, const zf_secret *token, zf_error *err);

ZF_PUBLIC_END

#endif
