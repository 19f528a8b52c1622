/* The CLI's side of the runner (cmd_run.c, cmd_runs.c): the org's
 * sessions, step lines, a run printed, and the signal that stops work. */
#ifndef ZOOMFLOW_CLI_RUNS_H
#define ZOOMFLOW_CLI_RUNS_H

#include "cli.h"
#include "zoomflow/runner.h"

#define CLI_LEASE_TTL_MAX 3600

/* The sessions of orgs: the CLI's own for the profile's org, others
 * opened with the same settings and conn_id = the org (the connection an
 * org's runs use has the org's id, as `zoomflow serve` maps them). */
typedef struct cli_orgs cli_orgs;
int cli_orgs_new(cli_orgs **out, cli_ctx *ctx);
void cli_orgs_free(cli_orgs *o);
int cli_orgs_session(void *orgs, const char *org, zf_session **out, zf_error *err);

/* on_step: "run 12 account: done (created)" lines to stdout (stderr when
 * ctx is 1: --json keeps stdout for the JSON). */
void cli_run_step_line(void *ctx, const zf_store_run *run, const char *step_id, int64_t item,
                       int state, const json_t *detail, const char *note);
/* The run with its steps: JSON (json) or lines. 0, or the store error. */
int cli_run_print(zf_store *st, const zf_store_run *run, int json, zf_error *err);
/* A failed run's stored error JSON back into err (message, hint). */
void cli_run_error(const zf_store_run *run, zf_error *err);
/* SIGINT / SIGTERM call zf_runner_stop(r) (NULL: the default actions). */
void cli_runs_on_signal(zf_runner *r);
/* --lease-ttl's text (NULL: the default) into *ttl; the exit status on a refusal. */
int cli_lease_ttl(cli_ctx *ctx, const char *text, int64_t *ttl);
/* A load's problems on stderr, each "file:line:col: message" then its hint
 * (cmd_workflows.c; `zoomflow serve --workflows` prints the same). */
void cli_wf_print_problems(const zf_wf_problems *p);

/* --env's text ("NAME,NAME"; NULL: none) as the runner's env_allowed:
 * *names NULL-terminated in storage of its own, freed with cli_env_free.
 * The exit status on a bad name (letters, digits and '_', 1-64). */
typedef struct cli_env {
    char *buf;
    const char **names;
} cli_env;
int cli_env_names(cli_ctx *ctx, const char *text, cli_env *out);
void cli_env_free(cli_env *e);

#define CLI_ENV_HELP                                                                               \
    "environment variables the workflows may read as env.NAME, comma-\n"                           \
    "separated (ARCHIVE_DIR,REGION); others are refused at load"

#endif
