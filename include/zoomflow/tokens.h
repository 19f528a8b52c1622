/*
 * The connection and token lifecycle (DESIGN §5).
 *
 *   ABSENT --connect_finish / connect_s2s--> VALID
 *   VALID --(expires in < margin, or zf_tokens_reject)--> refresh --> VALID
 *   refresh --invalid_grant--> NEEDS_REAUTH (fails fast, no further calls)
 *   any --disconnect--> ABSENT (revoked at Zoom when possible, row wiped)
 *
 * Zoom rotates refresh tokens: the old one dies as the new one is issued.
 * So exactly one refresh per connection is in flight across threads
 * (mutex + condition per connection) and processes (the store's connection
 * lock, then a re-read: a token refreshed meanwhile is used as it is), and
 * the new pair is committed before it is used or the lock released.
 * Token requests are capped at 30 s so processes queued on the store lock
 * (60 s busy timeout) outlast them.
 *
 * The one unavoidable loss: a refresh that reached Zoom but whose answer
 * never arrived (connection cut, process killed before COMMIT) leaves a
 * refresh token that Zoom already rotated away. It is kept (we cannot
 * know), and the next refresh turns the connection NEEDS_REAUTH. Every
 * refresh is recorded as started in the store (committed before the
 * request goes out), so after a kill that next refresh says what happened
 * (when, which pid on which host) and that a reconnect is needed, and
 * zf_tokens_info() shows the interrupted refresh meanwhile; after a cut
 * connection last_error says so. A network failure before Zoom saw the
 * request keeps a working pair.
 *
 * A zf_tokens is thread-safe. Token values returned are owned by the
 * caller (zf_secret_free); api_base strings likewise (free()).
 */
#ifndef ZOOMFLOW_TOKENS_H
#define ZOOMFLOW_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/crypt.h"
#include "zoomflow/error.h"
#include "zoomflow/http.h"
#include "zoomflow/log.h"
#include "zoomflow/oauth.h"
#include "zoomflow/store.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

typedef struct zf_tokens zf_tokens;

/* Unix seconds; tests pass a fake clock. */
typedef int64_t (*zf_clock_fn)(void *ctx);

typedef struct zf_tokens_opts {
    zf_store *store;        /* borrowed; must outlive the zf_tokens */
    zf_crypt *crypt;        /* borrowed */
    zf_http_opts http;      /* for token endpoint calls */
    int64_t refresh_margin; /* refresh when the token expires within this (s) */
    int64_t state_ttl;      /* pending authorizations expire after this (s) */
    zf_clock_fn clock;      /* NULL = time() */
    void *clock_ctx;
    const char *actor; /* recorded in the audit log; NULL = "library" */
} zf_tokens_opts;

#define ZF_TOKENS_OPTS_INIT                                                                        \
    {                                                                                              \
        NULL, NULL, ZF_HTTP_OPTS_INIT, 300, 600, NULL, NULL, NULL                                  \
    }

int zf_tokens_new(zf_tokens **out, const zf_tokens_opts *opts, zf_error *err);
void zf_tokens_free(zf_tokens *tk);

/* How to connect. id NULL = "default". The connection's API base is
 * "{api_url}/v2" from the token response (Zoom's regional clusters); when
 * the server sends no api_url it is api_base (Server-to-Server only), else
 * zf_oauth_default_api_base(oauth_base). The endpoints (zf_oauth_app) are
 * stored with the connection: refresh and disconnect use the same ones. */
typedef struct zf_connect_cfg {
    const char *id;
    const char *oauth_base;
    const char *api_base;
    const char *client_id;
    const char *client_secret;
    const char *redirect_uri;       /* user OAuth */
    const char *account_id;         /* Server-to-Server */
    const char *authorize_endpoint; /* NULL = Zoom's /oauth/authorize */
    const char *token_endpoint;     /* NULL = Zoom's /oauth/token */
    const char *revoke_endpoint;    /* NULL = Zoom's /oauth/revoke */
    /* Who connects, for the audit log (a service's signed-in admin): kept
     * with a pending authorization, so the callback, which no session
     * authenticates, records the same actor. NULL = the manager's. */
    const char *actor;
} zf_connect_cfg;

#define ZF_CONNECT_CFG_INIT                                                                        \
    {                                                                                              \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL                           \
    }

/* Starts a user authorization: stores the state (hashed) with the sealed
 * PKCE verifier and the app's settings, valid for state_ttl seconds; the
 * caller sends the user to out->url. */
int zf_tokens_connect_begin(zf_oauth_authz *out, zf_tokens *tk, const zf_connect_cfg *cfg,
                            zf_error *err);
/* Completes it from the callback query. The state is consumed atomically:
 * unknown, reused or expired -> ZF_ESTATE. Then the code is exchanged with
 * the verifier and the pair stored sealed; state VALID. *id_out (may be
 * NULL) gets the connection id. */
int zf_tokens_connect_finish(char **id_out, zf_tokens *tk, const char *query, size_t len,
                             zf_error *err);
/* Server-to-Server: account_credentials now, stored; state VALID. */
int zf_tokens_connect_s2s(zf_tokens *tk, const zf_connect_cfg *cfg, zf_error *err);

/* Revokes at Zoom when possible, then wipes the row. When revocation fails
 * the row is still wiped, the call returns 0, and revoke_err (may be NULL)
 * says why. 1 when the row held no token to revoke (the app was removed at
 * Zoom, which wiped them) and was wiped without asking Zoom.
 * ZF_ENOTCONNECTED when there is no such connection. */
int zf_tokens_disconnect(zf_tokens *tk, const char *id, zf_error *revoke_err, zf_error *err);

/* Health of a connection, without secrets. */
typedef struct zf_conn_info {
    char *id;
    int kind;  /* zf_conn_kind */
    int state; /* zf_conn_state */
    char *account_id;
    char *client_id;
    char *oauth_base;
    char *api_base;
    char *scopes;         /* granted, space-separated */
    char *missing_scopes; /* required but not granted, or NULL */
    int64_t expires_at;
    int64_t connected_at;
    int64_t last_refresh_at;
    int64_t refresh_count;
    char *last_error;
    char *last_hint;
    char *token_endpoint; /* as stored: NULL = Zoom's */
    char *revoke_endpoint;
    /* A refresh recorded as started and not finished: refresh_started_at 0
     * = none. refresh_interrupted is 1 when it cannot be running any more
     * (its process is gone, it is older than any token request may take,
     * or it ended the connection in NEEDS_REAUTH), 0 while it may still
     * be in flight. */
    int64_t refresh_started_at;
    int64_t refresh_pid;
    char *refresh_host;
    int refresh_interrupted;
    /* The Zoom user the grant belongs to (user OAuth), from the access
     * token's "uid" claim; NULL when the token carries none or cannot be
     * read. Zoom keeps one grant per user and app: two connections with
     * the same client_id, oauth_base and user_id cannot both be valid. */
    char *user_id;
} zf_conn_info;

void zf_conn_info_free(zf_conn_info *info);
int zf_tokens_info(zf_conn_info *out, zf_tokens *tk, const char *id, zf_error *err);
/* The scopes the connection was granted (malloc'd, space-separated; NULL
 * when the row records none), as zf_tokens_info has them; from the token this process keeps while
 * it is fresh (at most a second: see zf_tokens_access), else from the row. ZF_ENOTCONNECTED when
 * there is no connection. */
/* The zf_conn_kind of connection id (>= 0), as zf_tokens_scopes has the
 * scopes: from the token this process keeps while it is fresh, else from
 * the row; a negative zf_code (ZF_ENOTCONNECTED, ...) with err filled. */
int zf_tokens_kind(zf_tokens *tk, const char *id, zf_error *err);
int zf_tokens_scopes(char **out, zf_tokens *tk, const char *id, zf_error *err);
int zf_tokens_list(char ***ids, size_t *n, zf_tokens *tk, zf_error *err);
/* Marks a connection NEEDS_REAUTH because something outside it ended its
 * grant (another connection authorized the same app for the same user):
 * reason becomes its last_error, the hint says to reconnect. Its tokens
 * are kept; Zoom is not called. ZF_ENOTCONNECTED when there is no such
 * connection. */
int zf_tokens_mark_reauth(zf_tokens *tk, const char *id, const char *reason, zf_error *err);

/* Token refreshes this zf_tokens sent to the token endpoint since it was
 * made (any connection), and how many of them failed: for metrics. */
void zf_tokens_stats(zf_tokens *tk, int64_t *refreshes, int64_t *failures);

/* Views of a connection for a surface (the service's connection route,
 * status pages): the caller owns what is returned. ----------------------- */

/* Each required scope (zf_oauth_required_scopes) that `granted` lacks, in
 * order, with the actions it disables: [{scope, actions: [name, ...]}]
 * (an action with a classic scope granted instead is not disabled). NULL
 * when out of memory. */
struct json_t;
struct json_t *zf_scopes_missing_json(const char *granted);
/* {id, state, kind, account_id, user_id, client_id, api_base,
 * granted_scopes, required_scopes, missing_scopes (zf_scopes_missing_json),
 * unavailable_actions (zf_actions_unavailable_json), access_expires_at,
 * connected_at, last_refresh_at, refresh_count, refresh_started ({at, pid,
 * host, interrupted} or null), last_error ({message, hint, hint_id: the
 * zf_hint name a surface renders, RECONNECT when re-authorization is
 * needed} or null)}. */
int zf_conn_info_json(struct json_t **out, const zf_conn_info *i);
/* zf_tokens_info of id as zf_conn_info_json; a connection that does not
 * exist is state "ABSENT" (kind null, every required scope missing), not
 * an error. */
int zf_conn_view_json(struct json_t **out, zf_tokens *tk, const char *id, zf_error *err);

/* A valid access token and the API base ("{api_url}/v2") to use it with,
 * refreshing first when it expires within the margin. NEEDS_REAUTH fails
 * fast with ZF_EREAUTH and the stored hint. api_base may be NULL.
 * The token read last is kept in memory for at most one second of the
 * clock (and only while fresh by the margin), so a busy process reads the
 * row about once a second; zf_tokens_reject, and this zf_tokens' connect,
 * disconnect and mark_reauth, drop it at once. Another process's
 * disconnect or reconnect is seen within that second (at once when it
 * revoked the token at Zoom: the 401 makes the caller reject it). */
int zf_tokens_access(zf_secret *token, char **api_base, zf_tokens *tk, const char *id,
                     zf_error *err);
/* After Zoom answered 401 (code 124) to `rejected`: refreshes once, unless
 * the stored token already differs from it (someone refreshed), in which
 * case that one is returned. */
int zf_tokens_reject(zf_secret *token, char **api_base, zf_tokens *tk, const char *id,
                     const zf_secret *rejected, zf_error *err);

ZF_PUBLIC_END

#endif
