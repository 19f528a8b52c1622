/*
 * zoomflow CLI internals: one zf_cmd per command (tmux/libgit2 style), the
 * resolved configuration, and the context handed to every command.
 *
 * Configuration precedence (highest first): command-line flags, then
 * ZOOMFLOW_* environment variables, then the profile's section of the config
 * file, then built-in defaults. cli_cfg_origin() says where a value came
 * from, for `zoomflow config`.
 */
#ifndef ZOOMFLOW_CLI_H
#define ZOOMFLOW_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"
#include "opt.h"

/* X(field, config key, environment variable, default, help) */
#define CLI_CFG_MAP(X)                                                                             \
    X(db, "db", "ZOOMFLOW_DB", NULL,                                                               \
      "store DSN: sqlite:PATH or postgresql://USER@HOST:PORT/DB (default: data dir)")              \
    X(key_file, "key_file", "ZOOMFLOW_KEY_FILE", NULL,                                             \
      "master key file (default: config dir/master.key; ZOOMFLOW_MASTER_KEY wins)")                \
    X(oauth_base, "oauth_base", "ZOOMFLOW_OAUTH_BASE", "https://zoom.us",                          \
      "Zoom OAuth host: https://zoom.us, https://zoomgov.com or a zoomsim URL")                    \
    X(api_base, "api_base", "ZOOMFLOW_API_BASE", NULL,                                             \
      "Zoom API base; set explicitly it wins over the token's api_url (default: the "              \
      "token's api_url, else derived from oauth_base)")                                            \
    X(authorize_endpoint, "authorize_endpoint", "ZOOMFLOW_AUTHORIZE_ENDPOINT", "/oauth/authorize", \
      "OAuth authorize endpoint: a path under oauth_base or a URL")                                \
    X(token_endpoint, "token_endpoint", "ZOOMFLOW_TOKEN_ENDPOINT", "/oauth/token",                 \
      "OAuth token endpoint (kept with the connection for refreshes)")                             \
    X(revoke_endpoint, "revoke_endpoint", "ZOOMFLOW_REVOKE_ENDPOINT", "/oauth/revoke",             \
      "OAuth revocation endpoint (kept with the connection for disconnect)")                       \
    X(client_id, "client_id", "ZOOMFLOW_CLIENT_ID", NULL, "OAuth app client id")                   \
    X(client_secret_file, "client_secret_file", "ZOOMFLOW_CLIENT_SECRET_FILE", NULL,               \
      "file holding the client secret ('-' = stdin)")                                              \
    X(account_id, "account_id", "ZOOMFLOW_ACCOUNT_ID", NULL,                                       \
      "Zoom account id (Server-to-Server apps)")                                                   \
    X(redirect_uri, "redirect_uri", "ZOOMFLOW_REDIRECT_URI", NULL,                                 \
      "OAuth redirect URI (default http://127.0.0.1:<free port>/callback)")                        \
    X(ca_file, "ca_file", "ZOOMFLOW_CA_FILE", NULL, "extra trusted CA bundle (PEM)")               \
    X(timeout, "timeout", "ZOOMFLOW_TIMEOUT", "60", "request timeout in seconds")                  \
    X(listen, "listen", "ZOOMFLOW_LISTEN", "127.0.0.1:8080",                                       \
      "serve: the address to listen on (HOST:PORT; port 0 = any free one)")                        \
    X(public_url, "public_url", "ZOOMFLOW_PUBLIC_URL", NULL,                                       \
      "serve: the service's URL as browsers and Zoom reach it (default: the listen address)")      \
    X(trusted_proxy, "trusted_proxy", "ZOOMFLOW_TRUSTED_PROXY", NULL,                              \
      "serve: proxies whose X-Forwarded-For names the client (addresses, CIDR blocks)")            \
    X(tls_cert, "tls_cert", "ZOOMFLOW_TLS_CERT", NULL, "serve: TLS certificate chain (PEM)")       \
    X(tls_key, "tls_key", "ZOOMFLOW_TLS_KEY", NULL, "serve: TLS private key (PEM)")                \
    X(threads, "threads", "ZOOMFLOW_THREADS", NULL,                                                \
      "serve: worker threads (default: 2 x cores, at most 8)")                                     \
    X(workflows, "workflows", "ZOOMFLOW_WORKFLOWS", NULL,                                          \
      "serve, workflows: the directory of workflow definitions")                                   \
    X(workflows_org, "workflows_org", "ZOOMFLOW_WORKFLOWS_ORG", NULL,                              \
      "serve: the orgs (comma list) the definitions are saved for (default: every org)")           \
    X(workers, "workers", "ZOOMFLOW_WORKERS", "4",                                                 \
      "serve: threads executing workflow runs (0: none)")                                          \
    X(lease_ttl, "lease_ttl", "ZOOMFLOW_LEASE_TTL", NULL,                                          \
      "serve: a run's lease in seconds (default 30)")

/* the range of `timeout` (seconds per HTTP request) */
#define CLI_TIMEOUT_MIN 1
#define CLI_TIMEOUT_MAX 86400

typedef enum cli_origin { CLI_FROM_DEFAULT, CLI_FROM_FILE, CLI_FROM_ENV, CLI_FROM_FLAG } cli_origin;

typedef struct cli_cfg {
    char *profile;
    char *config_path;
#define CLI_X_FIELD(f, key, env, def, help)                                                        \
    char *f;                                                                                       \
    cli_origin f##_from;
    CLI_CFG_MAP(CLI_X_FIELD)
#undef CLI_X_FIELD
} cli_cfg;

typedef struct cli_ctx {
    cli_cfg cfg;
    int verbose; /* -v: debug logs; -vv: HTTP traces (redacted) */
    int out_tty; /* stdout is a terminal */
    int err_tty;
    struct zf_session *session; /* the library session, opened on first use (lib.c) */
    const struct zf_cmd *cmd;   /* the command being run */
} cli_ctx;

/* One command: a row of the command table (commands.c). An action command
 * (`meetings create`) is made from its descriptor at start: name from the
 * action's words, summary, flags and --help from the descriptor. */
typedef struct zf_cmd {
    const char *name;    /* "connect", "meetings create" */
    const char *summary; /* one line; NULL = the action's summary */
    const char *usage;   /* after the name; NULL = made from opts */
    const cli_opt *opts; /* the option specs (opt.h): the parser, the usage
                            and the options of --help; NULL: none */
    const char *help;    /* notes after the options, printed by --help */
    int (*run)(cli_ctx *ctx, int argc, char **argv);
    const char *action; /* the zf_action the command runs, or NULL; a written
                           row naming one (api) stands for it, so no
                           command is made for that action */
    int action_flags;   /* 1: flags and --help come from the descriptor */
} zf_cmd;

/* --- config.c */
/* Parses config-file text (untrusted: bounded, no I/O) for one profile into
 * cfg; errors name the file (name), the line and the fix. Numeric keys are
 * checked in every profile's section. */
int cli_cfg_parse(const char *text, size_t len, const char *name, const char *profile, cli_cfg *cfg,
                  zf_error *err);
/* Defaults, then the file (cfg->config_path or the default path), then env. */
int cli_cfg_load(cli_cfg *cfg, zf_error *err);
/* Sets a value from a command-line flag (highest precedence). */
int cli_cfg_set_flag(cli_cfg *cfg, const char *key, const char *value, zf_error *err);
void cli_cfg_free(cli_cfg *cfg);
const char *cli_origin_name(cli_origin o);
/* Default directories: $XDG_CONFIG_HOME/zoomflow, $XDG_DATA_HOME/zoomflow. */
int cli_config_dir(zf_buf *out);
int cli_data_dir(zf_buf *out);

/* --- output.c */
typedef enum cli_format {
    CLI_FMT_AUTO,
    CLI_FMT_JSON,
    CLI_FMT_NDJSON,
    CLI_FMT_TABLE,
    CLI_FMT_CSV
} cli_format;
int cli_format_parse(const char *s, cli_format *out, zf_error *err);
/* cli_format_parse taking only the names in allowed (NULL-terminated; NULL:
 * every format and auto); a refusal names the allowed ones. */
int cli_format_parse_in(const char *s, const char *const *allowed, cli_format *out, zf_error *err);
/* The formats a list prints in: json, ndjson, table, csv (NULL-terminated),
 * for --format's completion. */
extern const char *const cli_format_names[];
/* A streaming writer for lists of objects and single objects. */
typedef struct cli_out cli_out;
/* `columns` (NULL-terminated, copied; at most 64): the table/csv columns
 * of every item, in order; NULL: the first item's keys. */
int cli_out_new(cli_out **out, FILE *f, cli_format fmt, int tty, const char *const *columns);
/* Frames the json list as one object, {"<key>": [items...]} (call before
 * the first item); cli_out_close adds the tail's members after the array.
 * Other formats are not affected. */
int cli_out_list(cli_out *o, const char *key);
/* Ends a json list, adding tail's members to a framed one (tail may be
 * NULL); cli_out_end then writes nothing more. Other formats: nothing. */
int cli_out_close(cli_out *o, const json_t *tail);
/* Emits one item (a JSON object) of a list. */
int cli_out_item(cli_out *o, json_t *item);
/* Emits a single object (not a list). */
/* 1 when items may be written as ready-made compact JSON (cli_out_raw):
 * ndjson, or json not on a terminal (a terminal gets it indented). */
int cli_out_raw_ok(const cli_out *o);
/* One item given as compact JSON bytes, framed as cli_out_item frames it. */
int cli_out_raw(cli_out *o, const char *json, size_t len);
int cli_out_object(cli_out *o, json_t *obj);
int cli_out_end(cli_out *o); /* flushes table/closes JSON arrays; frees */
/* The listing failed (an error follows on stderr): cli_out_end then writes
 * what arrived and nothing more: no json closing (a consumer sees a
 * truncated document, not a complete or empty list), no header alone. */
void cli_out_failed(cli_out *o);

/* --- cmd_status.c */
/* The actions a connection's granted scopes (space-separated) do not
 * cover, beyond the ten every connection needs: [{action, command, scope}]
 * (status --json), and the same as text lines, the first labelled (status,
 * connect). */
json_t *cli_unavailable_actions(const char *granted);
void cli_print_unavailable(const char *granted, const char *label);

/* --- errors.c: the exit table and the CLI's rendering of hint ids */
/* The exit status of a zf_code (cli_exit_help documents them). */
int cli_exit_status(int code);
extern const char cli_exit_help[];
/* What a hint's arguments fall back to: the profile and command in use
 * (either may be NULL). */
typedef struct cli_hint_ctx {
    const char *profile;
    const struct zf_cmd *cmd;
} cli_hint_ctx;
/* Appends how to follow err's hint in this CLI ("run `zoomflow --profile
 * work connect`"): 1 when there is such a line, 0 when the hint's words
 * are all there is, -1 when out failed. */
int cli_hint_how(zf_buf *out, const zf_error *err, const cli_hint_ctx *c);
/* The CLI's rows, for tests that walk them. */
const struct zf_hint_row *cli_hint_table(void);
/* Prints "zoomflow: <message>", the hint's words and how to follow them
 * here to stderr; returns the exit status. */
int cli_fail(cli_ctx *ctx, const zf_error *err);
/* A usage error of cmd (NULL: the global options): prints "zoomflow:
 * <message>", the hint (default: see `zoomflow CMD --help`) and the usage
 * line to stderr; returns the exit status of bad usage (2). */
int cli_usage_fail(const zf_cmd *cmd, const zf_error *err);
/* cli_usage_fail with a message made here. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int cli_usage_error(const zf_cmd *cmd, const char *fmt, ...);
/* The one place a command's arguments are parsed (opt.h): p's specs
 * default to cmd->opts and its command to cmd->name; a failure is reported
 * by cli_usage_fail (what a did-you-mean would add goes here). 0, or the
 * exit status to return. */
int cli_parse(const zf_cmd *cmd, cli_opt_parser *p, int argc, char **argv);
/* cli_parse with cmd->opts into args and on_value. */
int cli_parse_args(const zf_cmd *cmd, void *args, cli_opt_fn on_value, void *ctx, int argc,
                   char **argv);
/* Reads a whole file ('-' = stdin) into out, which it initialises first (the
 * caller frees it on every path). Stops at the cap, so an endless device,
 * FIFO or pipe ends with an error naming the file and the cap. */
int cli_read_file(const char *path, size_t max, zf_buf *out, zf_error *err);

/* The OAuth app's client secret (connect, serve): file when given (the
 * --client-secret-file of a command that keeps it apart), else the
 * client_secret_file setting (flag > ZOOMFLOW_CLIENT_SECRET_FILE > config),
 * else, with allow_env, ZOOMFLOW_CLIENT_SECRET (connect; the service takes
 * files only); trailing blanks dropped. ZF_ECONFIG naming
 * the file and where it was set when it cannot be read or is empty, or
 * when there is none. */
#define CLI_SECRET_MAX 4096
struct zf_secret;
int cli_client_secret(const cli_cfg *cfg, const char *file, int allow_env, struct zf_secret *out,
                      zf_error *err);

#endif
