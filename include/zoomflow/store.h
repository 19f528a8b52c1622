/*
 * The store: connections, pending OAuth states, the audit log and the
 * service's idempotency keys, over a
 * driver chosen by the DSN's scheme ("sqlite:PATH", "postgresql://..." or
 * "postgres://...", see zoomflow/sys/store_driver.h and docs/postgresql.md).
 * Each query is written once and behaves the same on every driver.
 *
 * A zf_store is thread-safe, over a small pool of database connections
 * (SQLite: one; PostgreSQL: up to four, opened as threads need them).
 * zf_store_lock_connection() opens a write transaction that also
 * serialises against other processes and replicas (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock on the
 * connection's id); it belongs to the calling thread, whose store calls all
 * run inside it until zf_store_commit() or zf_store_rollback(); other
 * threads' calls use the pool's other connections, or wait for one.
 *
 * Rows hold secrets only sealed (zf_crypt_seal text); the store never sees
 * a plaintext secret. Strings in rows are heap-allocated, NULL when absent.
 *
 * Errors: a database failure is ZF_ESTORE with the engine's message and a
 * hint (a lock waited past the busy timeout: retry; a server that cannot be
 * reached, a refused password, missing grants, a schema newer than this
 * build: what to fix); ZF_ENOMEM; ZF_ECONFIG for a DSN no driver takes or
 * one that cannot be read; ZF_EINVAL for a caller mistake (a second lock on
 * the thread holding one, commit without a lock). No message carries a
 * DSN's password.
 */
#ifndef ZOOMFLOW_STORE_H
#define ZOOMFLOW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/error.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

typedef struct zf_store zf_store;

typedef enum zf_conn_kind { ZF_CONN_OAUTH = 0, ZF_CONN_S2S = 1 } zf_conn_kind;
typedef enum zf_conn_state { ZF_CONN_VALID = 0, ZF_CONN_NEEDS_REAUTH = 1 } zf_conn_state;

const char *zf_conn_kind_name(int kind);   /* "oauth", "s2s" */
const char *zf_conn_state_name(int state); /* "VALID", "NEEDS_REAUTH" */

typedef struct zf_store_conn {
    char *id; /* the profile name, e.g. "default" */
    int kind; /* zf_conn_kind */
    char *oauth_base;
    char *api_base;
    char *client_id;
    char *client_secret_sealed;
    char *account_id;
    char *redirect_uri;
    char *access_token_sealed;
    char *refresh_token_sealed; /* NULL for S2S */
    int64_t access_expires_at;
    char *scopes;
    int state; /* zf_conn_state */
    int64_t connected_at;
    int64_t last_refresh_at;
    int64_t refresh_count;
    char *last_error;
    char *last_hint;
    int64_t generation; /* bumped by every zf_store_conn_put */
    int64_t updated_at;
    /* The OAuth endpoints the connection was made with (a path under
     * oauth_base or a URL; NULL = Zoom's), so refresh and revoke use them. */
    char *token_endpoint;
    char *revoke_endpoint;
    /* A refresh in flight, or one that never finished (the process died):
     * started_at 0 = none. Written and committed before the token request
     * goes out, cleared in the commit that stores its outcome. refresh_seq
     * counts refreshes started (it names the attempt). */
    int64_t refresh_started_at;
    int64_t refresh_pid;
    char *refresh_host;
    int64_t refresh_seq;
} zf_store_conn;

void zf_store_conn_free(zf_store_conn *c);

/* A pending authorization: keyed by the SHA-256 hex of the state. */
typedef struct zf_store_state {
    char *state_hash;
    char *conn_id;
    char *verifier_sealed;
    char *redirect_uri;
    char *oauth_base;
    char *client_id;
    char *client_secret_sealed;
    char *actor;
    int64_t created_at;
    int64_t expires_at;
    char *token_endpoint;  /* NULL = Zoom's */
    char *revoke_endpoint; /* NULL = Zoom's */
} zf_store_state;

void zf_store_state_free(zf_store_state *s);

/* One audit record. detail never holds a secret. */
typedef struct zf_store_audit {
    int64_t id;
    int64_t at;
    char *conn_id;
    char *actor;
    char *action;  /* "connect", "refresh", "disconnect", ... */
    char *outcome; /* "ok", or a zf_code name */
    char *detail;
} zf_store_audit;

void zf_store_audit_free(zf_store_audit *a);
void zf_store_audit_free_list(zf_store_audit *list, size_t n);

/* One Idempotency-Key record of the service (idempotency.h says the
 * rules): keyed by (org, idem_key), claimed by one request (claim: its
 * random token) while pending, then done with the answer it gave. */
typedef enum zf_idem_state { ZF_IDEM_PENDING = 0, ZF_IDEM_DONE = 1 } zf_idem_state;

typedef struct zf_store_idem {
    char *org;
    char *idem_key;
    char *request_hash; /* sha256 hex of what the request asked */
    int state;          /* zf_idem_state */
    char *claim;
    int64_t status; /* the answer's HTTP status once done */
    char *response; /* the answer's body once done */
    int64_t created_at;
    int64_t expires_at;
} zf_store_idem;

void zf_store_idem_free(zf_store_idem *r);

/* "sqlite:PATH", "postgresql://USER@HOST:PORT/DATABASE?PARAMS" (or
 * postgres://, or "postgresql:" and libpq's key=value form), or NULL for
 * the default: sqlite:$XDG_DATA_HOME/zoomflow/zoomflow.db or
 * sqlite:~/.local/share/zoomflow/zoomflow.db (directories made 0700).
 * Opening applies pending migrations, and refuses a database whose schema
 * is newer than this build knows. */
int zf_store_open(zf_store **out, const char *dsn, zf_error *err);
void zf_store_free(zf_store *st);
int zf_store_default_dsn(char **out, zf_error *err);
/* dsn with its passwords replaced by "[redacted]" (a URI's user:password@,
 * password= and sslpassword= parameters or keywords), for showing it;
 * *out is the caller's (free()). */
int zf_store_redact_dsn(char **out, const char *dsn, zf_error *err);
/* Applies pending migrations (idempotent); *version gets the schema version. */
int zf_store_migrate(zf_store *st, int *version, zf_error *err);

int zf_store_lock_connection(zf_store *st, const char *id, zf_error *err);
int zf_store_commit(zf_store *st, zf_error *err);
void zf_store_rollback(zf_store *st);

/* ZF_ENOTFOUND when there is no such row. */
int zf_store_conn_get(zf_store *st, const char *id, zf_store_conn *out, zf_error *err);
/* Insert or replace; sets the stored generation to c->generation + 1 and
 * writes it back into c. */
int zf_store_conn_put(zf_store *st, zf_store_conn *c, zf_error *err);
int zf_store_conn_delete(zf_store *st, const char *id, zf_error *err);
/* Ids in name order; free each and the array. */
int zf_store_conn_list(zf_store *st, char ***ids, size_t *n, zf_error *err);

int zf_store_state_put(zf_store *st, const zf_store_state *s, zf_error *err);
/* Deletes and returns the row in one statement (single use);
 * ZF_ENOTFOUND when absent or already taken. */
int zf_store_state_take(zf_store *st, const char *state_hash, zf_store_state *out, zf_error *err);
/* Deletes states that expired before now. */
int zf_store_state_purge(zf_store *st, int64_t now, zf_error *err);

/* Claims (row->org, row->idem_key) with row (its state pending): first
 * drops that key's row when it expired at or before now, then inserts
 * unless a row exists. 1: claimed, *out the stored row; 0: the key is
 * held (pending) or answered (done) by another request, *out that row;
 * < 0 on failure. Of requests racing for one key, on any number of
 * processes sharing the database, exactly one gets 1. */
int zf_store_idem_claim(zf_store *st, const zf_store_idem *row, int64_t now, zf_store_idem *out,
                        zf_error *err);
/* ZF_ENOTFOUND when there is no such row. */
int zf_store_idem_get(zf_store *st, const char *org, const char *key, zf_store_idem *out,
                      zf_error *err);
/* The claim's request answered: the row becomes done with status and
 * response. ZF_ENOTFOUND when claim no longer holds the pending row. */
int zf_store_idem_finish(zf_store *st, const char *org, const char *key, const char *claim,
                         int64_t status, const char *response, zf_error *err);
/* Gives the key up (its request did nothing a repeat must not redo): the
 * pending row is deleted. ZF_ENOTFOUND when claim does not hold it. */
int zf_store_idem_release(zf_store *st, const char *org, const char *key, const char *claim,
                          zf_error *err);
/* Moves a pending row from old_claim to new_claim (its request is
 * presumed dead). ZF_ENOTFOUND when old_claim does not hold it (any more). */
int zf_store_idem_takeover(zf_store *st, const char *org, const char *key, const char *old_claim,
                           const char *new_claim, zf_error *err);
/* Deletes the rows that expired at or before now. */
int zf_store_idem_purge(zf_store *st, int64_t now, zf_error *err);

int zf_store_audit_add(zf_store *st, const zf_store_audit *a, zf_error *err);
/* Newest first; conn_id NULL = all connections. */
int zf_store_audit_list(zf_store *st, const char *conn_id, size_t limit, zf_store_audit **out,
                        size_t *n, zf_error *err);

/* Paging through one log by keyset: newest first by (at, id) (rows that
 * share a timestamp in id order), each page the rows strictly before the
 * last one of the page before, so a row added meanwhile never shifts a
 * page and every row is seen once. The cursor is opaque text to callers
 * (ZF_STORE_AUDIT_CURSOR_LEN lowercase hex digits); it names a position,
 * not a row that must still exist. */
#define ZF_STORE_AUDIT_CURSOR_LEN 32
typedef struct zf_store_audit_cursor {
    int64_t at;
    int64_t id; /* >= 1 */
} zf_store_audit_cursor;
/* At most limit of conn_id's rows (one log: conn_id is not NULL) before
 * *before (NULL = from the newest). */
int zf_store_audit_page(zf_store *st, const char *conn_id, const zf_store_audit_cursor *before,
                        size_t limit, zf_store_audit **out, size_t *n, zf_error *err);
/* The cursor just past row, in out (ZF_STORE_AUDIT_CURSOR_LEN + 1 bytes). */
void zf_store_audit_cursor_format(const zf_store_audit *row,
                                  char out[ZF_STORE_AUDIT_CURSOR_LEN + 1]);
/* Reads a cursor zf_store_audit_cursor_format made (NUL-ended text).
 * ZF_EVALIDATION (hint AUDIT_CURSOR) for anything else. */
int zf_store_audit_cursor_parse(const char *s, zf_store_audit_cursor *out, zf_error *err);

/* ---- tenancy: orgs, accounts, memberships, API keys, web sessions and
 * sign-in counters (the rows under zoomflow/access.h, which is how the
 * service uses them: the checks, hashing and audit live there). Secrets
 * are only hashes here: password_hash is an argon2id string, key_hash,
 * id_hash and csrf_hash are SHA-256 hex. role is a zf_role number (1
 * viewer, 2 operator, 3 admin), stored by name. */

typedef struct zf_store_org {
    char *slug; /* [a-z0-9][a-z0-9-]{0,39}; also the id of the org's connection */
    char *name;
    int64_t created_at;
} zf_store_org;

typedef struct zf_store_account {
    int64_t id;  /* made by the database */
    char *email; /* lowercased, unique */
    char *password_hash;
    int64_t created_at;
    int64_t disabled; /* 0 or 1 */
} zf_store_account;

typedef struct zf_store_membership {
    int64_t account_id;
    char *org;
    int role;
    int64_t created_at;
} zf_store_membership;

/* A membership with its account (the org's view of a member). */
typedef struct zf_store_member {
    int64_t account_id;
    char *org;
    int role;
    int64_t created_at;
    char *email;
    int64_t disabled;
    int64_t account_created_at;
} zf_store_member;

typedef struct zf_store_api_key {
    char *id; /* 16 hex digits, the key's public part */
    char *org;
    char *name;
    int role;
    char *key_hash;
    char *created_by;
    int64_t created_at;
    int64_t expires_at; /* 0 = never */
    int64_t revoked_at; /* 0 = live */
    int64_t last_used_at;
} zf_store_api_key;

typedef struct zf_store_web_session {
    char *id_hash; /* SHA-256 hex of the cookie value */
    int64_t account_id;
    char *org;
    char *csrf_hash; /* SHA-256 hex of the CSRF token */
    int64_t created_at;
    int64_t expires_at; /* the absolute end */
    int64_t last_seen_at;
} zf_store_web_session;

/* Sign-in failures of one key ("account:<email>", "addr:<address>"). */
typedef struct zf_store_throttle {
    char *throttle_key;
    int64_t window_start;
    int64_t failures;
    int64_t locked_until; /* 0 = not locked */
} zf_store_throttle;

void zf_store_org_free(zf_store_org *o);
void zf_store_org_free_list(zf_store_org *list, size_t n);
void zf_store_account_free(zf_store_account *a);
void zf_store_membership_free(zf_store_membership *m);
void zf_store_membership_free_list(zf_store_membership *list, size_t n);
void zf_store_member_free(zf_store_member *m);
void zf_store_member_free_list(zf_store_member *list, size_t n);
void zf_store_api_key_free(zf_store_api_key *k);
void zf_store_api_key_free_list(zf_store_api_key *list, size_t n);
void zf_store_web_session_free(zf_store_web_session *s);
void zf_store_throttle_free(zf_store_throttle *t);

/* A write transaction holding the org's row lock (as
 * zf_store_lock_connection for a connection): changes that check the
 * org's admins first run under it, so two replicas cannot both remove
 * "the other" admin. Ended by zf_store_commit / zf_store_rollback. */
int zf_store_lock_org(zf_store *st, const char *slug, zf_error *err);

/* ZF_ECONFLICT when the slug is taken. */
int zf_store_org_add(zf_store *st, const zf_store_org *o, zf_error *err);
int zf_store_org_get(zf_store *st, const char *slug, zf_store_org *out, zf_error *err);
/* By slug (byte order). */
int zf_store_org_list(zf_store *st, zf_store_org **out, size_t *n, zf_error *err);

/* Inserts a->email etc. and writes the new id into a->id; ZF_ECONFLICT
 * when the email has an account. */
int zf_store_account_add(zf_store *st, zf_store_account *a, zf_error *err);
int zf_store_account_get(zf_store *st, int64_t id, zf_store_account *out, zf_error *err);
int zf_store_account_get_by_email(zf_store *st, const char *email, zf_store_account *out,
                                  zf_error *err);
int zf_store_account_set_password(zf_store *st, int64_t id, const char *password_hash,
                                  zf_error *err);
int zf_store_account_set_disabled(zf_store *st, int64_t id, int disabled, zf_error *err);
/* Deletes the account row (its memberships and sessions are the
 * caller's to delete first). */
int zf_store_account_delete(zf_store *st, int64_t id, zf_error *err);

/* ZF_ECONFLICT when the account is already a member of the org. */
int zf_store_membership_add(zf_store *st, const zf_store_membership *m, zf_error *err);
/* ZF_ENOTFOUND when the account is not a member of org. */
int zf_store_membership_set_role(zf_store *st, const char *org, int64_t account_id, int role,
                                 zf_error *err);
int zf_store_membership_delete(zf_store *st, const char *org, int64_t account_id, zf_error *err);
/* The account's memberships, by org. */
int zf_store_membership_list(zf_store *st, int64_t account_id, zf_store_membership **out, size_t *n,
                             zf_error *err);
/* ZF_ENOTFOUND when the account is not a member of org. */
int zf_store_member_get(zf_store *st, const char *org, int64_t account_id, zf_store_member *out,
                        zf_error *err);
/* org's members, by email. */
int zf_store_member_list(zf_store *st, const char *org, zf_store_member **out, size_t *n,
                         zf_error *err);
/* How many enabled accounts hold the admin role in org. */
int zf_store_member_admins(zf_store *st, const char *org, int64_t *count, zf_error *err);

/* ZF_ECONFLICT when the id is taken. */
int zf_store_api_key_add(zf_store *st, const zf_store_api_key *k, zf_error *err);
/* By id alone (the key check, which then compares the hash); ZF_ENOTFOUND. */
int zf_store_api_key_get(zf_store *st, const char *id, zf_store_api_key *out, zf_error *err);
/* org's keys, newest first. */
int zf_store_api_key_list(zf_store *st, const char *org, zf_store_api_key **out, size_t *n,
                          zf_error *err);
/* Sets revoked_at = at when org's key id is live: 1 when it was revoked
 * now, 0 when it was already revoked; ZF_ENOTFOUND when org has no such
 * key. */
int zf_store_api_key_revoke(zf_store *st, const char *org, const char *id, int64_t at,
                            zf_error *err);
/* last_used_at = at when it is before `before` (so a busy key is written
 * once a minute, not once a request). */
int zf_store_api_key_touch(zf_store *st, const char *id, int64_t at, int64_t before, zf_error *err);

int zf_store_web_session_add(zf_store *st, const zf_store_web_session *s, zf_error *err);
/* ZF_ENOTFOUND when absent. */
int zf_store_web_session_get(zf_store *st, const char *id_hash, zf_store_web_session *out,
                             zf_error *err);
/* last_seen_at = at when it is before `before`. */
int zf_store_web_session_touch(zf_store *st, const char *id_hash, int64_t at, int64_t before,
                               zf_error *err);
/* 0 also when absent. */
int zf_store_web_session_delete(zf_store *st, const char *id_hash, zf_error *err);
/* Every session of the account (org NULL) or those in org; *n (may be
 * NULL) gets how many went. */
int zf_store_web_session_delete_account(zf_store *st, int64_t account_id, const char *org,
                                        size_t *n, zf_error *err);
/* Deletes sessions past their absolute end (expires_at <= now) or idle
 * since before idle_before. */
int zf_store_web_session_purge(zf_store *st, int64_t now, int64_t idle_before, zf_error *err);

/* The key's counter; a key with none reads as zeroes (not an error). */
int zf_store_throttle_get(zf_store *st, const char *key, zf_store_throttle *out, zf_error *err);
/* Counts one failure of key at now in one atomic statement (safe across
 * replicas): a window older than `window` seconds starts again at now; the
 * failure that reaches max_failures sets locked_until = now + lockout.
 * *out gets the row after. */
int zf_store_throttle_fail(zf_store *st, const char *key, int64_t now, int64_t max_failures,
                           int64_t window, int64_t lockout, zf_store_throttle *out, zf_error *err);
int zf_store_throttle_clear(zf_store *st, const char *key, zf_error *err);
/* Deletes counters whose window started before `before` and whose lock
 * has ended by then. */
int zf_store_throttle_purge(zf_store *st, int64_t before, zf_error *err);

/* --- Zoom webhooks (src/store/webhooks.c) */

/* One accepted webhook event: the raw body as signed, kept once per
 * (org, event_id) (zoomflow/webhook.h makes the id). */
typedef struct zf_store_webhook_event {
    char *org;
    char *event_id;
    char *event;      /* "recording.completed" */
    int64_t event_ts; /* Zoom's, milliseconds */
    int64_t received_at;
    char *account_id;
    char *request_id;  /* x-zm-request-id of the first delivery, NULL when none */
    char *tracking_id; /* x-zm-trackingid of the first delivery, NULL when none */
    char *body;
    char *state;         /* "new" until the workflows consume it, then "consumed" */
    int64_t consumed_at; /* 0 until then */
} zf_store_webhook_event;

void zf_store_webhook_event_free(zf_store_webhook_event *e);
void zf_store_webhook_event_free_list(zf_store_webhook_event *list, size_t n);

/* Inserts e unless (org, event_id) is stored already, in one statement
 * (ON CONFLICT DO NOTHING): *inserted 1 when this call stored it (and it
 * is committed, unless the thread holds a transaction), 0 when it was
 * there, also when another process or replica stored it a moment ago. */
int zf_store_webhook_event_add(zf_store *st, const zf_store_webhook_event *e, int *inserted,
                               zf_error *err);
/* An org's events, oldest first (received_at, then id); state NULL = any. */
int zf_store_webhook_event_list(zf_store *st, const char *org, const char *state, size_t limit,
                                zf_store_webhook_event **out, size_t *n, zf_error *err);

/* Marks the event consumed by the workflows (state "new" -> "consumed",
 * consumed_at = now) in one statement: *consumed 1 when this call did it,
 * 0 when it was consumed already (also by another replica a moment ago);
 * ZF_ENOTFOUND when there is no such event. The runs it started are the
 * runs whose trigger is (ZF_TRIGGER_ZOOM, event_id): create them first
 * (zf_store_run_create, idempotent), then consume (docs/runs.md). */
int zf_store_webhook_event_consume(zf_store *st, const char *org, const char *event_id, int64_t now,
                                   int *consumed, zf_error *err);

/* An org's webhook secret token, sealed (zf_crypt_seal text). */
typedef struct zf_store_webhook_secret {
    char *org;
    char *secret_sealed;
    int64_t updated_at;
    char *updated_by;
} zf_store_webhook_secret;

void zf_store_webhook_secret_free(zf_store_webhook_secret *s);
/* Insert or replace. */
int zf_store_webhook_secret_put(zf_store *st, const zf_store_webhook_secret *s, zf_error *err);
/* ZF_ENOTFOUND when the org has none. */
int zf_store_webhook_secret_get(zf_store *st, const char *org, zf_store_webhook_secret *out,
                                zf_error *err);
int zf_store_webhook_secret_delete(zf_store *st, const char *org, zf_error *err);

/* --- workflows and runs (src/store/workflows.c, src/store/runs.c)
 *
 * docs/runs.md tells the state machine, the lease rules and why a trigger
 * makes one run and a step one request. In short:
 *
 *   run:  queued --claim--> running --finish--> done | failed
 *                 <--release--  |  (lease expired: the next claim takes it)
 *         failed --retry--> queued;  queued | running | failed --cancel--> cancelled
 *   step: pending --send--> sent --done--> done
 *                             \--fail--> failed   (pending --fail/skip--> failed/skipped)
 *         sent | failed --reset--> pending (reconcile found nothing; a retry)
 *
 * A running run belongs to the owner of its lease (owner, seq) until the
 * lease's expiry. Every write to a running run or its steps names the
 * lease and is refused with ZF_EBUSY when it is not the run's any more:
 * expired (even when no one took it yet), taken over by another owner,
 * cancelled, finished. The check and the write are one transaction that
 * holds the run's row (PostgreSQL: its row lock; SQLite: the write lock),
 * so a claim can never slip between them. Times are unix seconds from the
 * caller's clock (replicas need synchronised clocks: keep leases far longer
 * than the skew). JSON columns hold text the caller made (jansson dumps);
 * the store does not parse them. These calls each run their own
 * transaction: call them outside zf_store_lock_* (ZF_EINVAL otherwise). */

/* One version of a workflow definition. Immutable once saved. */
typedef struct zf_store_workflow {
    char *org;
    char *name;
    int64_t version;    /* 1, 2, ... per (org, name); made by the store */
    char *source;       /* the definition as written (YAML or JSON) */
    char *definition;   /* the normalised JSON model */
    char *content_hash; /* SHA-256 hex of definition (the caller's) */
    int64_t created_at;
    char *created_by; /* who saved it (an account, "api key ...", a directory), or NULL */
} zf_store_workflow;

void zf_store_workflow_free(zf_store_workflow *w);
void zf_store_workflow_free_list(zf_store_workflow *list, size_t n);

/* Saves w as the next version of (w->org, w->name), under that name's row
 * lock so replicas saving at once number their versions apart, unless a
 * version with w->content_hash exists: then nothing is written. *out gets
 * the stored row (the new one, or the existing one with its version);
 * *created 1 or 0. ZF_EINVAL when a field is missing. */
int zf_store_workflow_save(zf_store *st, const zf_store_workflow *w, zf_store_workflow *out,
                           int *created, zf_error *err);
/* version 0 = the latest. ZF_ENOTFOUND when there is none. */
int zf_store_workflow_get(zf_store *st, const char *org, const char *name, int64_t version,
                          zf_store_workflow *out, zf_error *err);
/* Deletes org's workflow name: its latest version and every one before are
 * hidden from zf_store_workflow_get (version 0) and _list, under the
 * name's row lock; the versions stay, so a run keeps the one it names
 * (get with its version). Saving the name again (a changed definition, or
 * the content of one of its versions) brings it back. *out gets the
 * version that was the latest. ZF_ENOTFOUND when there is none (never
 * saved, or deleted already). */
int zf_store_workflow_delete(zf_store *st, const char *org, const char *name, int64_t at,
                             const char *by, zf_store_workflow *out, zf_error *err);
/* The latest version of each of org's workflows, by name (byte order). */
int zf_store_workflow_list(zf_store *st, const char *org, zf_store_workflow **out, size_t *n,
                           zf_error *err);

typedef enum zf_trigger_kind {
    ZF_TRIGGER_EVENT = 0,    /* POST /api/v1/events/NAME: the event's id */
    ZF_TRIGGER_ZOOM = 1,     /* a Zoom webhook: webhook_events.event_id */
    ZF_TRIGGER_SCHEDULE = 2, /* a schedule: its fire time */
    ZF_TRIGGER_MANUAL = 3,   /* the CLI or the admin page */
    ZF_TRIGGER_API = 4       /* the REST API: the caller's Idempotency-Key */
} zf_trigger_kind;

typedef enum zf_run_state {
    ZF_RUN_QUEUED = 0,
    ZF_RUN_RUNNING = 1,
    ZF_RUN_DONE = 2,
    ZF_RUN_FAILED = 3,
    ZF_RUN_CANCELLED = 4
} zf_run_state;

typedef enum zf_step_state {
    ZF_STEP_PENDING = 0,
    ZF_STEP_SENT = 1,
    ZF_STEP_DONE = 2,
    ZF_STEP_FAILED = 3,
    ZF_STEP_SKIPPED = 4
} zf_step_state;

/* The stored names ("event", "queued", "sent", ...); NULL out of range. */
const char *zf_trigger_kind_name(int kind);
const char *zf_run_state_name(int state);
const char *zf_step_state_name(int state);
/* The value of a name, -1 when it is none (for filters given as text). */
int zf_trigger_kind_parse(const char *name);
int zf_run_state_parse(const char *name);
int zf_step_state_parse(const char *name);

typedef struct zf_store_run {
    int64_t id; /* made by the database, increasing */
    char *org;
    char *workflow;
    int64_t version; /* the definition version the run keeps */
    int trigger_kind;
    char *trigger_id; /* NULL: none (every create makes a run) */
    char *input;      /* JSON: the event, the CSV row, the caller's input */
    int state;        /* zf_run_state */
    char *lease_owner;
    int64_t lease_seq; /* how many times the run was claimed: names the lease */
    int64_t lease_expires_at;
    int64_t attempts;  /* 1, plus one per retry */
    int64_t run_after; /* a queued run is claimed from then on */
    int64_t created_at;
    int64_t updated_at;
    int64_t finished_at; /* 0 until done, failed or cancelled */
    char *error;         /* JSON, NULL when none */
} zf_store_run;

void zf_store_run_free(zf_store_run *r);
void zf_store_run_free_list(zf_store_run *list, size_t n);

/* What a claim hands out and every guarded write names. owner is
 * borrowed. */
typedef struct zf_store_lease {
    int64_t run_id;
    const char *owner;
    int64_t seq;
} zf_store_lease;

/* The lease a claim gave r. */
zf_store_lease zf_store_run_lease(const zf_store_run *r);

/* Creates the run r names (org, workflow, version, trigger_kind,
 * trigger_id, input, run_after; created_at is now) as queued, unless its
 * trigger (org, trigger_kind, trigger_id, workflow) has a run already:
 * then *out is that run and *created 0. Of creates racing with one trigger,
 * on any number of processes and replicas, exactly one gets *created 1. */
int zf_store_run_create(zf_store *st, const zf_store_run *r, int64_t now, zf_store_run *out,
                        int *created, zf_error *err);
/* Claims up to max runnable runs for owner, oldest first, in one
 * statement: queued ones whose run_after has come and running ones whose
 * lease expired at or before now (their owner is presumed dead: taken
 * over). Each becomes running with lease (owner, seq + 1) until now + ttl.
 * PostgreSQL: FOR UPDATE SKIP LOCKED, so replicas claiming at once take
 * different runs and never wait on each other; SQLite: the one writer.
 * No run is ever handed to two owners under one lease. *out (*n of them)
 * is the caller's (zf_store_run_free_list); *n 0 when there is nothing. */
int zf_store_run_claim(zf_store *st, const char *owner, int64_t now, int64_t ttl, size_t max,
                       zf_store_run **out, size_t *n, zf_error *err);
/* Claims the one run id as zf_store_run_claim would (queued with its
 * run_after come, or running with its lease expired): the caller that
 * started a run and executes it itself (the CLI's `run`). ZF_EBUSY with
 * *out the run as it is when it is not claimable now (done, failed,
 * cancelled, or under a live lease); ZF_ENOTFOUND. */
int zf_store_run_claim_id(zf_store *st, int64_t id, const char *owner, int64_t now, int64_t ttl,
                          zf_store_run *out, zf_error *err);
/* Extends the lease to now + ttl. ZF_EBUSY when it is not held any more
 * (expired, taken over, cancelled): stop working on the run. */
int zf_store_run_renew(zf_store *st, const zf_store_lease *l, int64_t now, int64_t ttl,
                       zf_error *err);
/* Gives the run back (running -> queued, claimed again from run_after):
 * a shutdown, or a wait before the next try. ZF_EBUSY as renew. */
int zf_store_run_release(zf_store *st, const zf_store_lease *l, int64_t now, int64_t run_after,
                         zf_error *err);
/* running -> done (error NULL) or failed (error JSON). ZF_EBUSY as renew;
 * ZF_EINVAL for another state. */
int zf_store_run_finish(zf_store *st, const zf_store_lease *l, int state, const char *error,
                        int64_t now, zf_error *err);
/* A failed run queued again (attempts + 1, error cleared), its failed
 * steps pending again; its done steps keep their outputs, so the run goes
 * on from the step that failed. ZF_ENOTFOUND (no such run in org),
 * ZF_ECONFLICT when it is not failed (then *out, when non-NULL, gets the
 * run as it is). */
int zf_store_run_retry(zf_store *st, const char *org, int64_t id, int64_t now, zf_store_run *out,
                       zf_error *err);
/* queued, running or failed -> cancelled. A running run's owner finds its
 * lease gone at its next write (a request already sent may still record
 * its outcome: zf_store_step_done / _fail). ZF_ENOTFOUND, ZF_ECONFLICT
 * when it is done or cancelled already; *out as retry. */
int zf_store_run_cancel(zf_store *st, const char *org, int64_t id, int64_t now, zf_store_run *out,
                        zf_error *err);
/* org NULL = any org (the runner). ZF_ENOTFOUND. */
int zf_store_run_get(zf_store *st, const char *org, int64_t id, zf_store_run *out, zf_error *err);

/* Which runs zf_store_run_list returns; NULL / -1 / 0 fields do not filter. */
typedef struct zf_store_run_filter {
    const char *org; /* required */
    const char *workflow;
    int state;        /* zf_run_state, -1 = any */
    int trigger_kind; /* with trigger_id: the runs of one trigger; -1 = any */
    const char *trigger_id;
    int64_t before; /* the cursor: runs with id < before; 0 = from the newest */
    size_t limit;   /* 0 = 50; at most 1000 */
} zf_store_run_filter;

#define ZF_STORE_RUN_FILTER_INIT                                                                   \
    {                                                                                              \
        NULL, NULL, -1, -1, NULL, 0, 0                                                             \
    }

/* Newest first (id descending). *next is the cursor of the next page
 * (the last id returned) when there may be more, 0 when this was the
 * last; a run created meanwhile never shifts a page. */
int zf_store_run_list(zf_store *st, const zf_store_run_filter *f, zf_store_run **out, size_t *n,
                      int64_t *next, zf_error *err);

typedef struct zf_store_step {
    int64_t run_id;
    char *step_id;
    int64_t item;       /* the for_each index, -1 for a step without for_each */
    int64_t step_index; /* the step's place in the definition: orders a run's steps */
    int state;          /* zf_step_state */
    char *input;        /* JSON: the rendered `with:`, set by send */
    char *output;       /* JSON, set by done */
    char *error;        /* JSON, set by fail */
    int64_t attempts;   /* requests sent */
    int64_t sent_at;
    int64_t done_at; /* done, failed or skipped */
    int64_t updated_at;
} zf_store_step;

void zf_store_step_free(zf_store_step *s);
void zf_store_step_free_list(zf_store_step *list, size_t n);

/* Adds steps[0..n) (run_id, step_id, item, step_index) to the lease's run
 * as pending; a step already there is left as it is, so a resumed owner
 * may add what it is about to do again. ZF_EBUSY when the lease is lost. */
int zf_store_step_add(zf_store *st, const zf_store_lease *l, const zf_store_step *steps, size_t n,
                      int64_t now, zf_error *err);

/* The step transitions. Each checks the lease (ZF_EBUSY when lost) and
 * the step's state in one transaction: ZF_ENOTFOUND when the run has no
 * such step, ZF_ECONFLICT when it is not in a state the move starts from;
 * *out (may be NULL) gets the step after the move, or as it is on
 * ZF_ECONFLICT (so a resumed owner sees `sent` and reconciles); on any
 * other failure it is emptied, so zf_store_step_free(out) is always safe.
 *   send   pending -> sent, input recorded, attempts + 1. Call it, and see
 *          it return 0, BEFORE the request goes out: a failure (a lost
 *          commit included) means do not send; the step is pending or
 *          sent, and the next owner reads which.
 *   done   sent -> done with output (also for a sent step whose outcome
 *          reconcile found)
 *   fail   pending | sent -> failed with error
 *   skip   pending -> skipped (`if:` false, or not reached)
 *   reset  sent | failed -> pending (reconcile found the request had no
 *          effect, or the step's retry policy tries again)
 * done and fail also record the outcome of a request sent before the run
 * was cancelled, while the lease has not expired. */
int zf_store_step_send(zf_store *st, const zf_store_lease *l, const char *step_id, int64_t item,
                       const char *input, int64_t now, zf_store_step *out, zf_error *err);
int zf_store_step_done(zf_store *st, const zf_store_lease *l, const char *step_id, int64_t item,
                       const char *output, int64_t now, zf_store_step *out, zf_error *err);
int zf_store_step_fail(zf_store *st, const zf_store_lease *l, const char *step_id, int64_t item,
                       const char *error, int64_t now, zf_store_step *out, zf_error *err);
int zf_store_step_skip(zf_store *st, const zf_store_lease *l, const char *step_id, int64_t item,
                       int64_t now, zf_store_step *out, zf_error *err);
int zf_store_step_reset(zf_store *st, const zf_store_lease *l, const char *step_id, int64_t item,
                        int64_t now, zf_store_step *out, zf_error *err);
/* A run's steps by step_index, then item; needs no lease (resume, show). */
int zf_store_step_list(zf_store *st, int64_t run_id, zf_store_step **out, size_t *n, zf_error *err);

/* --- signals (docs/doctor.md): what `zoomflow doctor` reads later, kept
 * durably because the metrics live in one process's memory. One row per
 * (connection, kind, label, UTC hour) with a count, so a flood (refused
 * webhooks) grows a counter, not the table; rows older than
 * ZF_STORE_SIGNAL_KEEP seconds are dropped on the next add. kind:
 * "rate_limited" (label: the rate-limit category), "daily_limit" (label:
 * the category, value: when it resets), "webhook_refused" (label: the
 * refusal's name), "url_validation" (label ""), "s2s_me" (label: the
 * action that named the user `me` on a Server-to-Server connection). */
#define ZF_STORE_SIGNAL_KEEP (7 * 86400)

typedef struct zf_store_signal {
    char *conn_id;
    char *kind;
    char *label;
    int64_t count;   /* in the window read */
    int64_t last_at; /* unix seconds of the newest */
    int64_t value;   /* the kind's figure (daily_limit: reset_at), the newest's */
} zf_store_signal;

void zf_store_signal_free_list(zf_store_signal *list, size_t n);
/* Counts one signal at `at` (unix seconds). label NULL = "". */
int zf_store_signal_add(zf_store *st, const char *conn_id, const char *kind, const char *label,
                        int64_t at, int64_t value, zf_error *err);
/* The signals of conn_id since `since` summed per (kind, label), ordered
 * by kind, label. */
int zf_store_signal_list(zf_store *st, const char *conn_id, int64_t since, zf_store_signal **out,
                         size_t *n, zf_error *err);

ZF_PUBLIC_END

#endif
