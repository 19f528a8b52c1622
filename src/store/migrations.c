/*
 * The schema, as numbered migrations applied in order and recorded in
 * schema_version, and the one runner that applies them on every driver. A
 * released migration is never edited: a change is a new row.
 *
 * The SQL is kept to what SQLite (>= 3.35) and PostgreSQL both accept:
 * TEXT, BIGINT, INTEGER, PRIMARY KEY, CREATE INDEX IF NOT EXISTS. Where the
 * dialects differ (auto-increment keys) a row carries per-dialect text.
 * Secrets are stored only as zf_crypt_seal text (the *_sealed columns);
 * times are unix seconds.
 */
#include <time.h>

#include "store_internal.h"

static const char m1_connections[] =
    "CREATE TABLE connections (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  kind TEXT NOT NULL,\n" /* oauth | s2s */
    "  oauth_base TEXT NOT NULL,\n"
    "  api_base TEXT NOT NULL,\n"
    "  client_id TEXT NOT NULL,\n"
    "  client_secret_sealed TEXT NOT NULL,\n"
    "  account_id TEXT,\n"
    "  redirect_uri TEXT,\n"
    "  access_token_sealed TEXT,\n"
    "  refresh_token_sealed TEXT,\n"
    "  access_expires_at BIGINT NOT NULL DEFAULT 0,\n"
    "  scopes TEXT,\n"
    "  state TEXT NOT NULL,\n" /* VALID | NEEDS_REAUTH */
    "  connected_at BIGINT NOT NULL DEFAULT 0,\n"
    "  last_refresh_at BIGINT NOT NULL DEFAULT 0,\n"
    "  refresh_count BIGINT NOT NULL DEFAULT 0,\n"
    "  last_error TEXT,\n"
    "  last_hint TEXT,\n"
    "  generation BIGINT NOT NULL DEFAULT 0,\n"
    "  updated_at BIGINT NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE TABLE oauth_states (\n"
    "  state_hash TEXT PRIMARY KEY,\n" /* sha256 hex of the state */
    "  conn_id TEXT NOT NULL,\n"
    "  verifier_sealed TEXT NOT NULL,\n"
    "  redirect_uri TEXT NOT NULL,\n"
    "  oauth_base TEXT NOT NULL,\n"
    "  client_id TEXT NOT NULL,\n"
    "  client_secret_sealed TEXT NOT NULL,\n"
    "  actor TEXT,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  expires_at BIGINT NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS oauth_states_expires ON oauth_states (expires_at);\n";

/* Dialects differ only in the auto-increment key. */
#define M2_AUDIT(idcol)                                                                            \
    "CREATE TABLE audit_log (\n"                                                                   \
    "  " idcol ",\n"                                                                               \
    "  at BIGINT NOT NULL,\n"                                                                      \
    "  conn_id TEXT,\n"                                                                            \
    "  actor TEXT,\n"                                                                              \
    "  action TEXT NOT NULL,\n"                                                                    \
    "  outcome TEXT NOT NULL,\n"                                                                   \
    "  detail TEXT\n"                                                                              \
    ");\n"                                                                                         \
    "CREATE INDEX IF NOT EXISTS audit_log_conn ON audit_log (conn_id, id);\n"

/* Where refresh and revoke go, per connection (NULL: Zoom's paths, which is
 * what every connection made before this migration used). */
static const char m3_endpoints[] = "ALTER TABLE connections ADD COLUMN token_endpoint TEXT;\n"
                                   "ALTER TABLE connections ADD COLUMN revoke_endpoint TEXT;\n"
                                   "ALTER TABLE oauth_states ADD COLUMN token_endpoint TEXT;\n"
                                   "ALTER TABLE oauth_states ADD COLUMN revoke_endpoint TEXT;\n";

/* A refresh recorded as started before its request goes out (tokens.c). */
static const char m4_refresh_started[] =
    "ALTER TABLE connections ADD COLUMN refresh_started_at BIGINT NOT NULL DEFAULT 0;\n"
    "ALTER TABLE connections ADD COLUMN refresh_pid BIGINT NOT NULL DEFAULT 0;\n"
    "ALTER TABLE connections ADD COLUMN refresh_host TEXT;\n"
    "ALTER TABLE connections ADD COLUMN refresh_seq BIGINT NOT NULL DEFAULT 0;\n";

/* Tenancy (zoomflow/access.h). Only hashes of credentials: password_hash
 * is argon2id, key_hash, id_hash and csrf_hash SHA-256 hex. No foreign
 * keys: SQLite enforces them only with a per-connection pragma, and the
 * two backends must behave alike, so access.c deletes a membership's
 * sessions and an account's memberships itself. The dialects differ in
 * the account id's auto-increment alone. */
#define M5_TENANCY(idcol)                                                                          \
    "CREATE TABLE orgs (\n"                                                                        \
    "  slug TEXT PRIMARY KEY,\n"                                                                   \
    "  name TEXT NOT NULL,\n"                                                                      \
    "  created_at BIGINT NOT NULL\n"                                                               \
    ");\n"                                                                                         \
    "CREATE TABLE accounts (\n"                                                                    \
    "  " idcol ",\n"                                                                               \
    "  email TEXT NOT NULL UNIQUE,\n"                                                              \
    "  password_hash TEXT NOT NULL,\n"                                                             \
    "  created_at BIGINT NOT NULL,\n"                                                              \
    "  disabled BIGINT NOT NULL DEFAULT 0\n"                                                       \
    ");\n"                                                                                         \
    "CREATE TABLE memberships (\n"                                                                 \
    "  account_id BIGINT NOT NULL,\n"                                                              \
    "  org TEXT NOT NULL,\n"                                                                       \
    "  role TEXT NOT NULL,\n" /* viewer | operator | admin */                                      \
    "  created_at BIGINT NOT NULL,\n"                                                              \
    "  PRIMARY KEY (account_id, org)\n"                                                            \
    ");\n"                                                                                         \
    "CREATE INDEX IF NOT EXISTS memberships_org ON memberships (org);\n"                           \
    "CREATE TABLE api_keys (\n"                                                                    \
    "  id TEXT PRIMARY KEY,\n"                                                                     \
    "  org TEXT NOT NULL,\n"                                                                       \
    "  name TEXT NOT NULL,\n"                                                                      \
    "  role TEXT NOT NULL,\n"                                                                      \
    "  key_hash TEXT NOT NULL,\n"                                                                  \
    "  created_by TEXT,\n"                                                                         \
    "  created_at BIGINT NOT NULL,\n"                                                              \
    "  expires_at BIGINT NOT NULL DEFAULT 0,\n"                                                    \
    "  revoked_at BIGINT NOT NULL DEFAULT 0,\n"                                                    \
    "  last_used_at BIGINT NOT NULL DEFAULT 0\n"                                                   \
    ");\n"                                                                                         \
    "CREATE INDEX IF NOT EXISTS api_keys_org ON api_keys (org, created_at);\n"                     \
    "CREATE TABLE web_sessions (\n"                                                                \
    "  id_hash TEXT PRIMARY KEY,\n"                                                                \
    "  account_id BIGINT NOT NULL,\n"                                                              \
    "  org TEXT NOT NULL,\n"                                                                       \
    "  csrf_hash TEXT NOT NULL,\n"                                                                 \
    "  created_at BIGINT NOT NULL,\n"                                                              \
    "  expires_at BIGINT NOT NULL,\n"                                                              \
    "  last_seen_at BIGINT NOT NULL\n"                                                             \
    ");\n"                                                                                         \
    "CREATE INDEX IF NOT EXISTS web_sessions_account ON web_sessions (account_id);\n"              \
    "CREATE TABLE signin_throttle (\n"                                                             \
    "  throttle_key TEXT PRIMARY KEY,\n" /* account:<email> | addr:<address> */                    \
    "  window_start BIGINT NOT NULL,\n"                                                            \
    "  failures BIGINT NOT NULL,\n"                                                                \
    "  locked_until BIGINT NOT NULL DEFAULT 0\n"                                                   \
    ");\n"
/* Idempotency-Key records of the service (idempotency.c): one row per
 * (org, key), claimed by the first request before it runs, so a repeat,
 * also from another process on the same database, finds it. */
static const char m7_idempotency[] =
    "CREATE TABLE idempotency_keys (\n"
    "  org TEXT NOT NULL,\n"
    "  idem_key TEXT NOT NULL,\n"
    "  request_hash TEXT NOT NULL,\n" /* sha256 hex of action name + canonical input */
    "  state TEXT NOT NULL,\n"        /* pending | done */
    "  claim TEXT NOT NULL,\n"        /* the claiming request's random token */
    "  status BIGINT NOT NULL DEFAULT 0,\n"
    "  response TEXT,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  expires_at BIGINT NOT NULL,\n"
    "  PRIMARY KEY (org, idem_key)\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS idempotency_keys_expires ON idempotency_keys (expires_at);\n";

/* Zoom webhook intake (src/store/webhooks.c): each accepted event once per
 * org, keyed by its dedupe id (zoomflow/webhook.h), so a replay, also from
 * another replica, is refused by the primary key itself; and each org's
 * secret token, sealed. received_at orders an org's events. */
static const char m6_webhooks[] =
    "CREATE TABLE webhook_events (\n"
    "  org TEXT NOT NULL,\n"
    "  event_id TEXT NOT NULL,\n"
    "  event TEXT NOT NULL,\n"
    "  event_ts BIGINT NOT NULL,\n" /* Zoom's, in milliseconds */
    "  received_at BIGINT NOT NULL,\n"
    "  account_id TEXT,\n"
    "  request_id TEXT,\n"     /* x-zm-request-id of the first delivery */
    "  tracking_id TEXT,\n"    /* x-zm-trackingid of the first delivery */
    "  body TEXT NOT NULL,\n"  /* the raw body, as signed */
    "  state TEXT NOT NULL,\n" /* new (for the workflows to consume) */
    "  PRIMARY KEY (org, event_id)\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS webhook_events_state ON webhook_events (org, state, received_at);\n"
    "CREATE TABLE webhook_secrets (\n"
    "  org TEXT PRIMARY KEY,\n"
    "  secret_sealed TEXT NOT NULL,\n"
    "  updated_at BIGINT NOT NULL,\n"
    "  updated_by TEXT\n"
    ");\n";

/* Durable workflows (workflows.c, runs.c; docs/runs.md). A definition
 * version is immutable and kept while runs name it; the same content
 * (content_hash, SHA-256 hex of the normalised JSON) posted again is the
 * version it already is. A run's trigger is unique per (org, kind, id,
 * workflow), so a trigger delivered any number of times, from any number
 * of replicas at once, makes one run: the unique index itself refuses the
 * second insert (NULL trigger ids are distinct: every manual start without
 * one is a run). The lease (owner, seq, expiry) says who may write a
 * running run and its steps; seq counts the claims and names the lease.
 * Steps are keyed by (run, step id, for_each item; -1 for a step without
 * for_each). A webhook event consumed by the workflows gets consumed_at
 * (its state becomes "consumed"). The dialects differ in the run id's
 * auto-increment alone. */
#define M8_WORKFLOWS(idcol)                                                                        \
    "CREATE TABLE workflow_versions (\n"                                                           \
    "  org TEXT NOT NULL,\n"                                                                       \
    "  name TEXT NOT NULL,\n"                                                                      \
    "  version BIGINT NOT NULL,\n"                                                                 \
    "  source TEXT NOT NULL,\n"     /* the file as written, YAML or JSON */                        \
    "  definition TEXT NOT NULL,\n" /* the normalised JSON model */                                \
    "  content_hash TEXT NOT NULL,\n"                                                              \
    "  created_at BIGINT NOT NULL,\n"                                                              \
    "  created_by TEXT,\n"                                                                         \
    "  PRIMARY KEY (org, name, version),\n"                                                        \
    "  UNIQUE (org, name, content_hash)\n"                                                         \
    ");\n"                                                                                         \
    "CREATE TABLE workflow_runs (\n"                                                               \
    "  " idcol ",\n"                                                                               \
    "  org TEXT NOT NULL,\n"                                                                       \
    "  workflow TEXT NOT NULL,\n"                                                                  \
    "  version BIGINT NOT NULL,\n"                                                                 \
    "  trigger_kind TEXT NOT NULL,\n" /* event | zoom | schedule | manual | api */                 \
    "  trigger_id TEXT,\n"                                                                         \
    "  input TEXT NOT NULL,\n" /* JSON */                                                          \
    "  state TEXT NOT NULL,\n" /* queued | running | done | failed | cancelled */                  \
    "  lease_owner TEXT,\n"                                                                        \
    "  lease_seq BIGINT NOT NULL DEFAULT 0,\n"                                                     \
    "  lease_expires_at BIGINT NOT NULL DEFAULT 0,\n"                                              \
    "  attempts BIGINT NOT NULL DEFAULT 1,\n"                                                      \
    "  run_after BIGINT NOT NULL DEFAULT 0,\n"                                                     \
    "  created_at BIGINT NOT NULL,\n"                                                              \
    "  updated_at BIGINT NOT NULL,\n"                                                              \
    "  finished_at BIGINT NOT NULL DEFAULT 0,\n"                                                   \
    "  error TEXT\n" /* JSON */                                                                    \
    ");\n"                                                                                         \
    "CREATE UNIQUE INDEX IF NOT EXISTS workflow_runs_trigger ON workflow_runs "                    \
    "(org, trigger_kind, trigger_id, workflow);\n"                                                 \
    "CREATE INDEX IF NOT EXISTS workflow_runs_claim ON workflow_runs (state, id);\n"               \
    "CREATE INDEX IF NOT EXISTS workflow_runs_org ON workflow_runs (org, id);\n"                   \
    "CREATE TABLE workflow_steps (\n"                                                              \
    "  run_id BIGINT NOT NULL,\n"                                                                  \
    "  step_id TEXT NOT NULL,\n"                                                                   \
    "  item BIGINT NOT NULL,\n"       /* for_each index, -1 = none */                              \
    "  step_index BIGINT NOT NULL,\n" /* the step's place in the definition */                     \
    "  state TEXT NOT NULL,\n"        /* pending | sent | done | failed | skipped */               \
    "  input TEXT,\n"                 /* JSON, rendered when sent */                               \
    "  output TEXT,\n"                                                                             \
    "  error TEXT,\n"                                                                              \
    "  attempts BIGINT NOT NULL DEFAULT 0,\n"                                                      \
    "  sent_at BIGINT NOT NULL DEFAULT 0,\n"                                                       \
    "  done_at BIGINT NOT NULL DEFAULT 0,\n"                                                       \
    "  updated_at BIGINT NOT NULL,\n"                                                              \
    "  PRIMARY KEY (run_id, step_id, item)\n"                                                      \
    ");\n"                                                                                         \
    "ALTER TABLE webhook_events ADD COLUMN consumed_at BIGINT NOT NULL DEFAULT 0;\n"

/* The audit log's keyset paging (audit.c, q_page): one org's rows newest
 * first by (at, id). audit_log_conn (conn_id, id) serves the listing by
 * id alone. */
static const char m9_audit_page[] =
    "CREATE INDEX IF NOT EXISTS audit_log_page ON audit_log (conn_id, at, id);\n";

/* Signals for the doctor (store.h "signals"): counters per hour. */
static const char m13_signals[] = "CREATE TABLE signals (\n"
                                  "  conn_id TEXT NOT NULL,\n"
                                  "  kind TEXT NOT NULL,\n"
                                  "  label TEXT NOT NULL,\n"
                                  "  hour BIGINT NOT NULL,\n"
                                  "  count BIGINT NOT NULL,\n"
                                  "  last_at BIGINT NOT NULL,\n"
                                  "  value BIGINT NOT NULL DEFAULT 0,\n"
                                  "  PRIMARY KEY (conn_id, kind, label, hour)\n"
                                  ");\n";

/* Deleted workflows (workflows.c): a name's versions up to `version` are
 * hidden from the latest and the list; the rows stay (runs name them). */
static const char m14_workflow_deletions[] = "CREATE TABLE workflow_deletions (\n"
                                             "  org TEXT NOT NULL,\n"
                                             "  name TEXT NOT NULL,\n"
                                             "  version BIGINT NOT NULL,\n"
                                             "  deleted_at BIGINT NOT NULL,\n"
                                             "  deleted_by TEXT,\n"
                                             "  PRIMARY KEY (org, name)\n"
                                             ");\n";

const zf_store_migration zf_store__migrations[] = {
    {1, "connections and oauth states", m1_connections, NULL, NULL},
    {2, "audit log", NULL, M2_AUDIT("id INTEGER PRIMARY KEY AUTOINCREMENT"),
     M2_AUDIT("id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
    {3, "OAuth endpoints per connection", m3_endpoints, NULL, NULL},
    {4, "refresh in flight", m4_refresh_started, NULL, NULL},
    {5, "orgs, accounts, keys and web sessions", NULL,
     M5_TENANCY("id INTEGER PRIMARY KEY AUTOINCREMENT"),
     M5_TENANCY("id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
    {6, "webhook events and secrets", m6_webhooks, NULL, NULL},
    {7, "idempotency keys", m7_idempotency, NULL, NULL},
    {8, "workflows and runs", NULL, M8_WORKFLOWS("id INTEGER PRIMARY KEY AUTOINCREMENT"),
     M8_WORKFLOWS("id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
    {9, "audit log keyset index", m9_audit_page, NULL, NULL},
    {13, "signals for the doctor", m13_signals, NULL, NULL},
    {14, "deleted workflows", m14_workflow_deletions, NULL, NULL},
};

const size_t zf_store__migrations_count =
    sizeof zf_store__migrations / sizeof zf_store__migrations[0];

/* --- the runner */

static const char schema_version_ddl[] =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

typedef struct version_row {
    int64_t version;
} version_row;

static const zf_store_column version_columns[] = {
    {"version", ZF_COL_INT64, offsetof(version_row, version), 0, NULL}};
static const zf_store_row version_row_type = ZF_STORE_ROW(version_row, version_columns);

static const zf_store_query q_version = {
    .what = "reading schema_version",
    .sql = "SELECT COALESCE(MAX(version), 0) AS version FROM schema_version",
    .row = &version_row_type,
};
static const zf_store_query q_record = {
    .what = "recording a migration",
    .sql = "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)",
};

static int current_version(const zf_store_db *db, int *v, zf_error *err)
{
    version_row r;
    int rc = zf_store__get(db, &q_version, NULL, 0, &r, err);
    if (rc < 0)
        return rc;
    *v = (int)r.version; /* the aggregate always makes one row */
    return 0;
}

/* A database past migs' last version was upgraded by a newer zoomflow,
 * whose tables this build would misread or break: refused. */
static int too_new(int v, const zf_store_migration *migs, size_t n, zf_error *err)
{
    int known = n ? migs[n - 1].version : 0;
    if (v <= known)
        return 0;
    zf_error_set(err, ZF_ESTORE,
                 "the database's schema is at version %d, newer than this zoomflow "
                 "knows (%d): a newer zoomflow has upgraded it",
                 v, known);
    zf_error_hint_id(err, ZF_HINT_DATABASE_TOO_NEW, NULL);
    return ZF_ESTORE;
}

/* 1 when the schema is already at migs' last version, 0 when migrations
 * may be pending, < 0 when the database is refused. Read without the write
 * lock, so opening the store does not wait for a refresh that holds it. A
 * database without schema_version is not up to date; one whose role may
 * not read it is told so now (the locked path would only say that it may
 * not create it). */
static int up_to_date(const zf_store_db *db, const zf_store_migration *migs, size_t n,
                      zf_error *err)
{
    zf_error quiet = ZF_ERROR_INIT;
    int v = -1, rc = current_version(db, &v, &quiet);
    if (rc < 0 && quiet.hint_id == ZF_HINT_DATABASE_GRANTS) {
        if (err)
            *err = quiet;
        return rc;
    }
    if (rc < 0)
        return 0;
    if ((rc = too_new(v, migs, n, err)) < 0)
        return rc;
    return n && v == migs[n - 1].version;
}

static int apply(const zf_store_db *db, const zf_store_migration *m, zf_error *err)
{
    const char *sql =
        zf_store__dialect_text(db->drv->dialect, m->sql, m->sql_sqlite, m->sql_postgresql);
    zf_store_value v[] = {zf_store__int64(m->version), zf_store__text(m->name),
                          zf_store__int64((int64_t)time(NULL))};
    int rc = db->drv->script(db->h, sql, err);
    if (rc < 0)
        return zf_error_restate(err, rc, "migration %d (%s) failed: %s", m->version, m->name,
                                err->message);
    return zf_store__run(db, &q_record, v, 3, err);
}

/* All pending migrations in one write transaction: concurrent starters
 * queue on the lock, and the second finds nothing left to do. */
int zf_store__migrate(const zf_store_db *db, const zf_store_migration *migs, size_t n, int *version,
                      zf_error *err)
{
    const zf_store_driver *d = db->drv;
    int v = 0, rc = up_to_date(db, migs, n, err);
    if (rc != 0) {
        *version = rc > 0 ? migs[n - 1].version : 0;
        return rc < 0 ? rc : 0;
    }
    if ((rc = d->begin(db->h, err)) < 0)
        return rc;
    if ((rc = d->lock_row(db->h, "schema_version", "migrate", err)) < 0)
        goto done;
    if ((rc = d->script(db->h, schema_version_ddl, err)) < 0) {
        zf_error_restate(err, rc, "creating schema_version failed: %s", err->message);
        goto done;
    }
    if ((rc = current_version(db, &v, err)) < 0 || (rc = too_new(v, migs, n, err)) < 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (migs[i].version <= v)
            continue;
        if ((rc = apply(db, &migs[i], err)) < 0)
            goto done;
        v = migs[i].version;
    }
    rc = d->commit(db->h, err);
done:
    if (rc < 0)
        d->rollback(db->h);
    *version = v;
    return rc;
}
