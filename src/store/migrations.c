/*
 * The schema, as numbered migrations applied in order and recorded in
 * schema_version (created by each backend). A released migration is never
 * edited: a change is a new row.
 *
 * The SQL is kept to what SQLite (>= 3.35) and PostgreSQL both accept:
 * TEXT, BIGINT, INTEGER, PRIMARY KEY, CREATE INDEX IF NOT EXISTS. Where the
 * dialects differ (auto-increment keys) a row carries per-backend text.
 * Secrets are stored only as zf_crypt_seal text (the *_sealed columns);
 * times are unix seconds.
 */
#include "zoomflow/sys/store_driver.h"

static const char m1_connections[] =
    "CREATE TABLE connections (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  kind TEXT NOT NULL,\n"                /* oauth | s2s */
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
    "  state TEXT NOT NULL,\n"               /* VALID | NEEDS_REAUTH */
    "  connected_at BIGINT NOT NULL DEFAULT 0,\n"
    "  last_refresh_at BIGINT NOT NULL DEFAULT 0,\n"
    "  refresh_count BIGINT NOT NULL DEFAULT 0,\n"
    "  last_error TEXT,\n"
    "  last_hint TEXT,\n"
    "  generation BIGINT NOT NULL DEFAULT 0,\n"
    "  updated_at BIGINT NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE TABLE oauth_states (\n"
    "  state_hash TEXT PRIMARY KEY,\n"       /* sha256 hex of the state */
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
#define M2_AUDIT(idcol)                                                                  \
    "CREATE TABLE audit_log (\n"                                                         \
    "  " idcol ",\n"                                                                     \
    "  at BIGINT NOT NULL,\n"                                                            \
    "  conn_id TEXT,\n"                                                                  \
    "  actor TEXT,\n"                                                                    \
    "  action TEXT NOT NULL,\n"                                                          \
    "  outcome TEXT NOT NULL,\n"                                                         \
    "  detail TEXT\n"                                                                    \
    ");\n"                                                                               \
    "CREATE INDEX IF NOT EXISTS audit_log_conn ON audit_log (conn_id, id);\n"

/* Where refresh and revoke go, per connection (NULL: Zoom's paths, which is
 * what every connection made before this migration used). */
static const char m3_endpoints[] =
    "ALTER TABLE connections ADD COLUMN token_endpoint TEXT;\n"
    "ALTER TABLE connections ADD COLUMN revoke_endpoint TEXT;\n"
    "ALTER TABLE oauth_states ADD COLUMN token_endpoint TEXT;\n"
    "ALTER TABLE oauth_states ADD COLUMN revoke_endpoint TEXT;\n";

/* A refresh recorded as started before its request goes out (tokens.c). */
static const char m4_refresh_started[] =
    "ALTER TABLE connections ADD COLUMN refresh_started_at BIGINT NOT NULL DEFAULT 0;\n"
    "ALTER TABLE connections ADD COLUMN refresh_pid BIGINT NOT NULL DEFAULT 0;\n"
    "ALTER TABLE connections ADD COLUMN refresh_host TEXT;\n"
    "ALTER TABLE connections ADD COLUMN refresh_seq BIGINT NOT NULL DEFAULT 0;\n";

const zf_store_migration zf_store_migrations[] = {
    {1, "connections and oauth states", m1_connections, NULL, NULL},
    {2, "audit log", NULL, M2_AUDIT("id INTEGER PRIMARY KEY AUTOINCREMENT"),
     M2_AUDIT("id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")},
    {3, "OAuth endpoints per connection", m3_endpoints, NULL, NULL},
    {4, "refresh in flight", m4_refresh_started, NULL, NULL},
};

const size_t zf_store_migrations_count =
    sizeof zf_store_migrations / sizeof zf_store_migrations[0];
