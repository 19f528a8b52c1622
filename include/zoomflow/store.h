/*
 * The store: connections, pending OAuth states and the audit log, over a
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

int zf_store_audit_add(zf_store *st, const zf_store_audit *a, zf_error *err);
/* Newest first; conn_id NULL = all connections. */
int zf_store_audit_list(zf_store *st, const char *conn_id, size_t limit, zf_store_audit **out,
                        size_t *n, zf_error *err);

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
    char *state; /* "new" until a workflow takes it */
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

ZF_PUBLIC_END

#endif
