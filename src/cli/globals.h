#ifndef ZOOMFLOW_CLI_GLOBALS_H
#define ZOOMFLOW_CLI_GLOBALS_H
/*
 * The global options (--profile, --config, --db, ..., -v): one table, read
 * before the command by main.c and after it by every command's parser
 * (cli_parse wires it as the parser's `also` table), so `zoomflow
 * meetings list --profile work -v` means `zoomflow --profile work -v
 * meetings list`. A command's own flag of the same name is looked up first
 * and wins; test_cli_discover checks that no command has one today.
 * Completion and the man page read the same table.
 */
#include "cli.h"

typedef struct cli_globals {
    const char *profile, *config;
    int verbose, help, version;
    cli_opt_rest command;
    cli_cfg flags; /* --db, --oauth-base, ... by their setting's name */
} cli_globals;

extern const cli_opt cli_global_opts[];
#define CLI_GLOBALS_HEADING "Global options (before or after the command)"
extern const char cli_global_notes[];
/* The "Environment:" section of `zoomflow --help` (and the man page's
 * ENVIRONMENT): every variable zoomflow reads, one a line. ZF_ENOMEM. */
int cli_env_help(zf_buf *out);

/* on_value of the global table: --oauth-base URL -> the setting oauth_base
 * of g->flags (ctx is the cli_globals). */
int cli_globals_on_value(void *ctx, const cli_opt *o, const char *key, const char *value,
                         zf_error *err);
/* 1 when o is a row of cli_global_opts. */
int cli_is_global_opt(const cli_opt *o);

/* Resolves profile and config path (flag, env, "default"), loads the
 * configuration (defaults, file, environment, then g's flags) into
 * ctx->cfg and sets the log level. 0, or the exit status of the failure
 * (printed). ctx->cfg is emptied first, so a second call redoes it. */
int cli_globals_apply(cli_ctx *ctx, const cli_globals *g);

/* The globals main.c parsed, for the flags given after the command to be
 * merged into (cli_parse). Set once by main.c before the command runs;
 * NULL (a test linking the CLI without main) turns the wiring off. */
void cli_globals_attach(cli_ctx *ctx, cli_globals *before);

/* cli_parse's part: wire p to take the global flags too (its own table
 * first), then, after a successful parse, merge those given into the
 * attached globals and redo cli_globals_apply when there were any. */
typedef struct cli_late {
    cli_globals g;
    cli_opt_fn on_value;
    void *ctx;
    int wired;
} cli_late;
void cli_late_wire(cli_late *l, cli_opt_parser *p);
void cli_late_unwire(cli_late *l, cli_opt_parser *p);
/* 0, or the exit status of a failure (printed). Frees what l holds. */
int cli_late_apply(cli_late *l, const zf_cmd *cmd);
/* Frees what l holds without applying it (a failed parse). */
void cli_late_free(cli_late *l);

#endif
