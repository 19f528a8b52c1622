/*
 * zoomsim OAuth internals shared by oauth.c (the endpoints and grant state),
 * oauth_apps.c (registered apps) and oauth_proto.c (pure protocol checks:
 * PKCE, redirect matching, Basic auth, secret comparison). The unit tests
 * call the pure functions directly.
 */
#ifndef ZOOMSIM_OAUTH_H
#define ZOOMSIM_OAUTH_H

#include "sim.h"

#define SIM_OAUTH_CODE_TTL 300         /* authorization codes: 5 minutes */
#define SIM_OAUTH_CONSENT_TTL 600      /* an unanswered consent page: 10 minutes */
#define SIM_OAUTH_ACCESS_TTL 3600      /* access tokens really live 1 hour ... */
#define SIM_OAUTH_USER_EXPIRES_IN 3599 /* ... user OAuth answers say 3599, as Zoom */
#define SIM_OAUTH_S2S_EXPIRES_IN 3600
#define SIM_OAUTH_MAX_REDIRECT 512 /* bytes of one registered redirect URI */
#define SIM_OAUTH_MAX_REDIRECTS 16 /* redirect URIs per app */
#define SIM_OAUTH_MAX_SECRET 256

/* A user authorization: one per (app, user) at a time; its refresh token
 * rotates on every use. Keyed in sim_oauth.grants by SHA-256 hex of the
 * current refresh token, so neither a lookup nor the state file holds it. */
typedef struct sim_grant {
    uint64_t id; /* sim_access.grant_id of its access tokens */
    char client_id[64];
    char user_id[32];
    char *scopes;
    int64_t created_at;
    int64_t refresh_expires_at; /* 0: no expiry (--refresh-ttl unset) */
} sim_grant;

/* An authorization code, keyed by SHA-256 hex of the code. Used codes stay
 * (until a day after expiry) so a replay can revoke what they produced. */
typedef struct sim_code {
    char client_id[64];
    char user_id[32];
    char *redirect_uri; /* exactly as given on /oauth/authorize */
    char *challenge;    /* NULL without PKCE */
    char method[8];     /* "S256" or "plain" */
    char *scopes;
    int64_t expires_at;
    int used;
    uint64_t grant_id; /* what the exchange produced (when used) */
} sim_code;

/* A consent page waiting for Authorize/Deny, keyed by its single-use id. */
typedef struct sim_consent {
    char client_id[64];
    char *redirect_uri;
    char *state; /* NULL when the client sent none */
    char *challenge;
    char method[8];
    int64_t expires_at;
} sim_consent;

struct sim_oauth {
    int nconfigured;  /* s->apps[0, nconfigured): --app/--config/defaults */
    sim_map grants;   /* sha256hex(refresh token) -> sim_grant* */
    sim_map codes;    /* sha256hex(code) -> sim_code* */
    sim_map consents; /* consent id -> sim_consent* */
    uint64_t next_grant;
    unsigned ops_since_purge;
};

/* --- oauth_proto.c: pure functions, no sim state */
/* 1 when secrets a and b are equal; compares SHA-256 digests in constant time. */
int sim_oauth_secret_eq(const char *a, const char *b);
/* Lower-case hex SHA-256 of s into out[65]. */
void sim_oauth_sha256_hex(const char *s, char out[65]);
/* Frees a string holding a secret after zeroing it; NULL is fine. */
void sim_oauth_secret_free(char *p);
/* RFC 7636 §4.1: 43-128 characters of [A-Za-z0-9-._~]. */
int sim_oauth_pkce_verifier_ok(const char *v);
/* A code_challenge valid for method ("S256": 43 base64url chars; "plain":
 * same rule as a verifier). */
int sim_oauth_pkce_challenge_ok(const char *method, const char *challenge);
/* 1 when verifier proves challenge under method, 0 otherwise. */
int sim_oauth_pkce_verify(const char *method, const char *challenge, const char *verifier);
/* base64url(SHA-256(verifier)) without padding into out[44]. */
void sim_oauth_pkce_s256(const char *verifier, char out[44]);
/* 1 when given matches the registered redirect URI: byte for byte, except
 * that a registered port of "*" on a loopback host (127.0.0.1, localhost,
 * [::1]) matches any explicit port 1-65535 (RFC 8252 §7.3). */
int sim_oauth_redirect_match(const char *registered, const char *given);
/* 0 when uri may be registered; otherwise ZF_EVALIDATION and why (with the
 * fix) in err. */
int sim_oauth_redirect_check(const char *uri, char *err, size_t errlen);
/* Parses "Basic base64(id:secret)" with id and secret each form-urlencoded
 * (RFC 6749 §2.3.1) and decodes them; 0 and malloc'd *id, *secret (free the
 * secret with sim_oauth_secret_free), ZF_EPARSE when absent or malformed. */
int sim_oauth_basic_parse(const char *header, char **id, char **secret);
/* Appends s with & < > " ' escaped for HTML text and attribute values. */
void sim_oauth_html_escape(zf_buf *b, const char *s);
/* One-line human description of a scope (a generic one for unknown scopes). */
const char *sim_oauth_scope_desc(const char *scope);

/* --- oauth_apps.c: the registered apps in s->apps */
/* Parses --app/--s2s-app specs and --config apps, or registers the two
 * defaults; ZF_ECONFIG after printing what is wrong with a spec, ZF_ENOMEM. */
int sim_oauth_apps_init(sim *s);
void sim_oauth_apps_reset(sim *s); /* drops apps registered at runtime */
void sim_oauth_apps_destroy(sim *s);
const sim_app *sim_oauth_app_find(const sim *s, const char *client_id);
json_t *sim_oauth_apps_dump(sim *s); /* runtime apps only (secrets included) */
int sim_oauth_apps_load(sim *s, json_t *arr);
void sim_oauth_h_apps_list(sim_req *rq, sim_resp *rs);
void sim_oauth_h_apps_add(sim_req *rq, sim_resp *rs);

#endif
