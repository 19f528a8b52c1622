/*
 * Access: the service's tenancy and credentials. Orgs, accounts with a role
 * per org, password hashing, sign-in with rate limiting, web sessions with
 * CSRF tokens, API keys, and the principal a request acts as.
 *
 *   zf_access_opts o = ZF_ACCESS_OPTS_INIT;
 *   zf_access *a;
 *   zf_access_new(&a, store, &o, &err);          // borrows the store
 *   zf_signin_req in = ZF_SIGNIN_REQ_INIT;        // email, password, addr
 *   zf_secret cookie = ZF_SECRET_INIT;
 *   zf_principal who;
 *   if (zf_signin(a, &in, &cookie, &who, &err) == 0) ... Set-Cookie: cookie
 *   ... later, per request:
 *   zf_web_session_check(a, cookie_bytes, len, &who, &err);   // or
 *   zf_api_key_check(a, bearer_bytes, len, &who, &err);
 *   zf_principal_allows(&who, ZF_ROLE_OPERATOR);
 *   zf_principal_csrf_check(&who, header_bytes, len, &err);   // writes
 *
 * Tenancy. Everything belongs to an org, named by a slug
 * ([a-z0-9][a-z0-9-]{0,39}). Every call that reads or changes an account,
 * a membership or a key takes the org it acts in and sees only that org's
 * rows: an account id or key id of another org is ZF_ENOTFOUND, exactly as
 * an id that does not exist. The org's Zoom connection is the store
 * connection whose id is the org's slug (zf_session_opts.conn_id = slug),
 * so the CLI's `--profile acme` is org acme's connection.
 *
 * Audit. Every state change (org created, account created, role changed,
 * account disabled or removed, password changed or reset, key created or
 * revoked, signed in or out, a sign-in refused) writes one audit_log row
 * with the actor, the time, the action ("account.create", "key.revoke",
 * ...), the outcome ("ok" or a zf_code name) and a detail without secrets.
 * The row's conn_id is the org's slug (the same id as the org's
 * connection), so one org's log is `zf_store_audit_list(st, slug, ...)`
 * and holds its connection's events too. A refused sign-in whose org is
 * unknown is logged with conn_id NULL.
 *
 * Secrets at rest. The store holds an argon2id hash of each password
 * (libsodium's crypto_pwhash_str), the SHA-256 of each session cookie
 * value, the SHA-256 of each session's CSRF token and the SHA-256 of each
 * API key: never a password, a cookie value, a CSRF token or a key.
 *
 * CSRF tokens are derived, not stored: HMAC-SHA256(cookie value,
 * "zoomflow csrf v1"), base64url. So the holder of the cookie can be told
 * the token again (GET of the session after a page reload) while the
 * database, which keeps only the token's SHA-256, cannot produce it; a
 * check compares in constant time.
 *
 * Passwords are bytes with a length: they may hold any byte, NUL included,
 * and are never assumed NUL-terminated. A new password must be 10 to 1024
 * bytes and use at least 5 distinct bytes (ZF_EVALIDATION saying which rule
 * failed). Emails are trimmed of nothing, lowercased (ASCII), 3 to 254
 * bytes, one '@' with text on both sides, no spaces or control bytes.
 *
 * Sign-in failures are counted per account ("account:<email>") and per
 * client address ("addr:<address>") in the store, in one atomic statement
 * per key, so they hold across replicas sharing a database. After
 * account_failures failures of an account (or addr_failures of an address)
 * within `window` seconds, sign-in for it is refused for `lockout` seconds
 * with ZF_ERATELIMIT and zf_error.retry_after, before any password is
 * checked. A failing sign-in says the same thing (ZF_EAUTH "email or
 * password is wrong") whether the email is unknown, the password wrong, the
 * account disabled or not a member of the org asked for, and takes about as
 * long: an unknown email is verified against a dummy hash of the same
 * parameters. A successful sign-in clears the account's counter.
 *
 * Sessions end on their idle TTL (no check for session_idle seconds) or
 * their absolute TTL (session_max seconds after sign-in), on sign-out, and
 * all of an account's sessions end when its password changes or is reset,
 * when it is disabled, and (in that org) when it is removed from an org or
 * its role there changes. An expired or unknown cookie is ZF_EAUTH.
 *
 * API keys are "zfk_<id>_<secret>": id 16 hex digits, secret 43 base64url
 * characters (256 random bits). The key is handed out once, by
 * zf_api_key_create; the store keeps its SHA-256, looked up by id and
 * compared with CRYPTO_memcmp. A revoked, expired, malformed or unknown key
 * is ZF_EAUTH, all with the same message. A successful check records
 * last_used_at (at most once a minute per key).
 *
 * Roles: viewer (read) < operator (run actions) < admin (connect Zoom,
 * manage accounts and keys). An org always keeps one enabled admin: a
 * change that would leave it none (demote, disable or remove the last
 * one) is ZF_ECONFLICT.
 *
 * Errors: ZF_EVALIDATION for bad input (slug, email, password, role, name,
 * expiry); ZF_EAUTH for bad credentials, an expired or unknown session or
 * key; ZF_ERATELIMIT for a locked sign-in; ZF_ECONFLICT for an org that
 * exists, an email already a member of the org, the last admin; ZF_ENOTFOUND
 * for an org, account or key that is not there (or is another org's);
 * ZF_EFORBIDDEN for a change an org admin may not make (resetting the
 * password of, or disabling, an account that also belongs to other orgs);
 * ZF_ESTORE, ZF_ENOMEM, ZF_EINVAL (a caller's mistake) as elsewhere.
 *
 * Threads: a zf_access may be shared by threads (it holds no per-call
 * state; the store is thread-safe). It borrows the store, which must
 * outlive it.
 */
#ifndef ZOOMFLOW_ACCESS_H
#define ZOOMFLOW_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/error.h"
#include "zoomflow/secret.h"
#include "zoomflow/store.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* ---- roles ---- */

typedef enum zf_role {
    ZF_ROLE_NONE = 0,
    ZF_ROLE_VIEWER = 1,
    ZF_ROLE_OPERATOR = 2,
    ZF_ROLE_ADMIN = 3
} zf_role;

/* "viewer", "operator", "admin"; NULL for any other number. */
const char *zf_role_name(int role);
/* The role named by s (exactly one of the names above); ZF_EVALIDATION
 * naming the choices otherwise. */
int zf_role_parse(const char *s, zf_role *out, zf_error *err);

/* ---- limits ---- */

#define ZF_ORG_SLUG_MAX 40
#define ZF_ORG_NAME_MAX 200
#define ZF_EMAIL_MAX 254
#define ZF_PASSWORD_MIN 10
#define ZF_PASSWORD_MAX 1024
#define ZF_KEY_NAME_MAX 100
#define ZF_KEY_ID_LEN 16
#define ZF_CSRF_LEN 43 /* base64url of 32 bytes */
/* "account:" + an email, or "key:" + a key id, or a caller's actor */
#define ZF_ACTOR_MAX (8 + ZF_EMAIL_MAX + 1)

/* ZF_EVALIDATION (with the rule broken) unless slug is a valid org slug. */
int zf_org_slug_check(const char *slug, zf_error *err);
/* ZF_EVALIDATION unless the password meets the rules above. */
int zf_password_check(const char *password, size_t len, zf_error *err);

/* ---- the handle ---- */

typedef struct zf_access_opts {
    /* argon2id cost (crypto_pwhash_str); 0 = the defaults, which are
     * libsodium's INTERACTIVE opslimit (2) with 64 MiB of memory. Tests may
     * lower them (libsodium's minimum). */
    unsigned long long pwhash_ops;
    size_t pwhash_mem;
    int64_t session_idle; /* seconds; 0 = 2 h */
    int64_t session_max;  /* seconds after sign-in; 0 = 12 h */
    int account_failures; /* 0 = 5 */
    int addr_failures;    /* 0 = 20 */
    int64_t window;       /* seconds failures are counted over; 0 = 15 min */
    int64_t lockout;      /* seconds a locked key stays locked; 0 = 15 min */
    /* The clock, unix seconds; NULL = time(). For tests of expiry. */
    int64_t (*now)(void *ctx);
    void *now_ctx;
} zf_access_opts;

#define ZF_ACCESS_OPTS_INIT                                                                        \
    {                                                                                              \
        0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL                                                         \
    }

typedef struct zf_access zf_access;

/* Borrows st (which must outlive the handle). Checks that libsodium
 * initialises; opens nothing. */
int zf_access_new(zf_access **out, zf_store *st, const zf_access_opts *opts, zf_error *err);
void zf_access_free(zf_access *a);
/* The borrowed store. */
zf_store *zf_access_store(zf_access *a);

/* ---- password hashing ---- */

/* An argon2id hash string ("$argon2id$v=19$m=...") of the password under
 * the handle's cost; *out is the caller's (free()). Does not apply
 * zf_password_check (a caller checks a new password first). */
int zf_password_hash(zf_access *a, const char *password, size_t len, char **out, zf_error *err);
/* 0 when password matches hash; ZF_EAUTH when it does not or the hash is
 * not one libsodium reads. */
int zf_password_verify(const char *hash, const char *password, size_t len, zf_error *err);

/* ---- the principal ---- */

typedef enum zf_principal_kind {
    ZF_PRINCIPAL_SESSION = 1, /* a person, signed in with a web session */
    ZF_PRINCIPAL_KEY = 2      /* a machine, with an API key */
} zf_principal_kind;

/* Who a request acts as. A plain value (no heap): copy it freely. */
typedef struct zf_principal {
    int kind;                       /* zf_principal_kind */
    char org[ZF_ORG_SLUG_MAX + 1];  /* the org every request acts on */
    int role;                       /* zf_role in that org */
    int64_t account_id;             /* session: the account; key: 0 */
    char email[ZF_EMAIL_MAX + 1];   /* session: the account's email; key: "" */
    char key_id[ZF_KEY_ID_LEN + 1]; /* key: its id; session: "" */
    char actor[ZF_ACTOR_MAX];       /* "account:<email>" or "key:<id>", for the audit log */
    /* session: the CSRF token every state-changing request must carry (not a
     * credential alone: it is useless without the cookie); key: "". */
    char csrf[ZF_CSRF_LEN + 1];
    /* session: when it ends unless used again (the earlier of its idle and
     * absolute ends); key: its expiry, 0 = never */
    int64_t expires_at;
    int64_t session_max_at; /* session: the absolute end; key: 0 */
} zf_principal;

/* 1 when p's role is at least min_role (a zf_role), else 0. */
int zf_principal_allows(const zf_principal *p, int min_role);
/* 0 when token (len bytes, e.g. the X-CSRF-Token header) equals the
 * session's CSRF token, compared in constant time; ZF_EFORBIDDEN when it
 * is missing (NULL or empty) or differs. A key principal needs no token:
 * 0 for any. */
int zf_principal_csrf_check(const zf_principal *p, const char *token, size_t len, zf_error *err);

/* ---- orgs ---- */

typedef struct zf_org {
    char *slug;
    char *name;
    int64_t created_at;
} zf_org;

void zf_org_free(zf_org *o);
void zf_org_free_list(zf_org *list, size_t n);

/* Creates the org (name NULL = the slug; 1-200 bytes of text, no control
 * bytes); ZF_ECONFLICT when it exists. actor: who did it (audit). */
int zf_org_create(zf_access *a, const char *slug, const char *name, const char *actor,
                  zf_error *err);
/* ZF_ENOTFOUND when absent. */
int zf_org_get(zf_access *a, const char *slug, zf_org *out, zf_error *err);
/* Every org, by slug. */
int zf_org_list(zf_access *a, zf_org **out, size_t *n, zf_error *err);

/* ---- accounts and memberships ---- */

/* An account as one org sees it: its membership there. */
typedef struct zf_account {
    int64_t id;
    char *email;
    char *org;
    int role; /* zf_role in org */
    int disabled;
    int64_t created_at;   /* the account's */
    int64_t member_since; /* the membership's */
} zf_account;

void zf_account_free(zf_account *acc);
void zf_account_free_list(zf_account *list, size_t n);

typedef struct zf_account_new_req {
    const char *org; /* must exist */
    const char *email;
    int role; /* zf_role; 0 = viewer */
    /* The new account's password (len bytes). When the email already has
     * an account (it belongs to another org), it joins this org with its own
     * password, which is left alone: password may then be NULL, and one
     * given is ignored (*created says which happened). */
    const char *password;
    size_t password_len;
    const char *actor; /* who did it (audit); NULL = "library" */
} zf_account_new_req;

#define ZF_ACCOUNT_NEW_REQ_INIT                                                                    \
    {                                                                                              \
        NULL, NULL, 0, NULL, 0, NULL                                                               \
    }

/* Adds the email to the org with the role, creating the account when the
 * email has none (then the password must pass zf_password_check).
 * *out (may be NULL) gets the account as the org sees it; *created (may be
 * NULL) 1 when a new account was made, 0 when an existing one joined.
 * ZF_ECONFLICT when the email is already a member of the org. */
int zf_account_create(zf_access *a, const zf_account_new_req *req, zf_account *out, int *created,
                      zf_error *err);
/* The account as org sees it; ZF_ENOTFOUND when it is not a member. */
int zf_account_get(zf_access *a, const char *org, int64_t id, zf_account *out, zf_error *err);
int zf_account_get_by_email(zf_access *a, const char *org, const char *email, zf_account *out,
                            zf_error *err);
/* The org's members, by email. */
int zf_account_list(zf_access *a, const char *org, zf_account **out, size_t *n, zf_error *err);
/* Changes the account's role in org; ends its sessions in that org.
 * ZF_ECONFLICT when it would leave the org without an enabled admin. */
int zf_account_set_role(zf_access *a, const char *org, int64_t id, int role, const char *actor,
                        zf_error *err);
/* Disables (disabled 1) or enables (0) the account. Disabling ends all its
 * sessions; a disabled account cannot sign in (the same ZF_EAUTH as a
 * wrong password). An org admin (org given) may disable only an account
 * that belongs to that org alone (ZF_EFORBIDDEN otherwise); org NULL is
 * the deployment's operator (the CLI) and may disable any. ZF_ECONFLICT
 * for the org's last enabled admin. */
int zf_account_disable(zf_access *a, const char *org, int64_t id, int disabled, const char *actor,
                       zf_error *err);
/* Removes the account from org (ends its sessions there); an account left
 * in no org is deleted. ZF_ECONFLICT for the org's last enabled admin. */
int zf_account_remove(zf_access *a, const char *org, int64_t id, const char *actor, zf_error *err);
/* The account's own change: checks the old password (ZF_EAUTH when
 * wrong), checks the new one (zf_password_check), stores its hash and
 * ends every session of the account. */
int zf_account_change_password(zf_access *a, int64_t id, const char *old_pw, size_t old_len,
                               const char *new_pw, size_t new_len, const char *actor,
                               zf_error *err);
/* An admin's reset, without the old password: like change_password.
 * org given: the account must be a member of org alone (ZF_EFORBIDDEN
 * when it belongs to other orgs too); org NULL: the deployment's operator. */
int zf_account_set_password(zf_access *a, const char *org, int64_t id, const char *new_pw,
                            size_t new_len, const char *actor, zf_error *err);

/* ---- sign-in and web sessions ---- */

typedef struct zf_signin_req {
    const char *email;
    const char *password; /* password_len bytes */
    size_t password_len;
    /* the org to sign in to; NULL = the account's one org (ZF_EVALIDATION,
     * after the password is checked, when it has several) */
    const char *org;
    /* the client's address, for the per-address counter; NULL = none
     * counted */
    const char *addr;
} zf_signin_req;

#define ZF_SIGNIN_REQ_INIT                                                                         \
    {                                                                                              \
        NULL, NULL, 0, NULL, NULL                                                                  \
    }

/* Checks the rate limit, the email and the password; on success makes a
 * web session and answers its cookie value (*cookie: 43 base64url
 * characters of 256 random bits, shown once; the store keeps its SHA-256)
 * and the principal (with the CSRF token). ZF_EAUTH, ZF_ERATELIMIT
 * (+ retry_after), ZF_EVALIDATION (several orgs), as described above. */
int zf_signin(zf_access *a, const zf_signin_req *req, zf_secret *cookie, zf_principal *out,
              zf_error *err);
/* The principal of a session cookie value (len bytes); refreshes its idle
 * end. ZF_EAUTH when unknown, expired or the account is disabled or no
 * longer a member. */
int zf_web_session_check(zf_access *a, const char *cookie, size_t len, zf_principal *out,
                         zf_error *err);
/* Ends the session of the cookie (sign-out); 0 also when it was not
 * there. */
int zf_web_session_end(zf_access *a, const char *cookie, size_t len, zf_error *err);
/* Ends every session of the account (org NULL) or its sessions in org;
 * *ended (may be NULL) gets how many. */
int zf_web_session_end_account(zf_access *a, int64_t account_id, const char *org, size_t *ended,
                               zf_error *err);

/* ---- API keys ---- */

/* A key as listed: never its secret. */
typedef struct zf_api_key {
    char *id;
    char *org;
    char *name;
    int role;
    char *created_by; /* the actor who made it */
    int64_t created_at;
    int64_t expires_at;   /* 0 = never */
    int64_t revoked_at;   /* 0 = not revoked */
    int64_t last_used_at; /* 0 = never used */
} zf_api_key;

void zf_api_key_free(zf_api_key *k);
void zf_api_key_free_list(zf_api_key *list, size_t n);

typedef struct zf_api_key_req {
    const char *org;
    const char *name;   /* 1-100 bytes of text */
    int role;           /* zf_role */
    int64_t expires_at; /* unix time, 0 = never; else must be in the future */
    const char *actor;  /* who made it (audit, created_by) */
} zf_api_key_req;

#define ZF_API_KEY_REQ_INIT                                                                        \
    {                                                                                              \
        NULL, NULL, 0, 0, NULL                                                                     \
    }

/* Makes a key: *key gets "zfk_<id>_<secret>" (shown once, never again),
 * *out (may be NULL) the key as listed. */
int zf_api_key_create(zf_access *a, const zf_api_key_req *req, zf_secret *key, zf_api_key *out,
                      zf_error *err);
/* The principal of a key (len bytes, as sent after "Bearer "): ZF_EAUTH
 * when malformed, unknown, revoked or expired. */
int zf_api_key_check(zf_access *a, const char *key, size_t len, zf_principal *out, zf_error *err);
/* Revokes org's key id (ZF_ENOTFOUND when not org's; 0 when already
 * revoked, which changes nothing). */
int zf_api_key_revoke(zf_access *a, const char *org, const char *id, const char *actor,
                      zf_error *err);
int zf_api_key_get(zf_access *a, const char *org, const char *id, zf_api_key *out, zf_error *err);
/* org's keys, newest first, revoked ones included. */
int zf_api_key_list(zf_access *a, const char *org, zf_api_key **out, size_t *n, zf_error *err);

/* ---- upkeep and audit ---- */

/* Deletes expired sessions and stale sign-in counters. */
int zf_access_purge(zf_access *a, zf_error *err);
/* One audit row in org's log (org NULL = none) at the handle's clock:
 * for callers recording their own state changes the same way. outcome:
 * "ok" or zf_code_name(code). detail must hold no secret. */
int zf_access_audit(zf_access *a, const char *org, const char *actor, const char *action,
                    const char *outcome, const char *detail, zf_error *err);

ZF_PUBLIC_END

#endif
