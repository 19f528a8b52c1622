#ifndef ZOOMFLOW_COMMANDS_H
#define ZOOMFLOW_COMMANDS_H
#include "cli.h"
#include "zoomflow/actions.h"

/* The command table (commands.c), NULL-terminated, in `zoomflow --help`
 * order: the written rows and one row per registry action without a written
 * row, made from the descriptors on first use. Walked by main.c (lookup),
 * `zoomflow --help`, `zoomflow actions` and whatever generates completion or
 * a man page. */
const zf_cmd *const *cli_commands(void);
const zf_cmd *cli_find(int argc, char **argv, int *consumed);
/* The command that runs an action (registry name), or NULL. */
const zf_cmd *cli_command_for_action(const char *action);
/* --help: usage, summary, the action's flags (action commands), the
 * Options from cmd->opts, the notes, the exit statuses. */
void cli_print_help(const zf_cmd *cmd, FILE *f);
/* The usage after the command's name: cmd->usage, else made from its opts. */
int cli_cmd_usage(const zf_cmd *cmd, zf_buf *out);
/* The command's summary line (an action command's comes from its descriptor). */
const char *cli_cmd_summary(const zf_cmd *cmd);
/* Closes whatever lib.c opened for the command. */
void cli_lib_close(cli_ctx *ctx);

/* cmd_action.c: the run and the common help text of every action command. */
int cli_action_run(cli_ctx *ctx, int argc, char **argv);
extern const char cli_action_help[];
/* The options every action command takes besides its fields (--input,
 * --format, --dry-run). */
extern const cli_opt cli_action_opts[];
/* An action command's whole table: cli_action_opts, then one spec per
 * top-level field of the descriptor (free() it). ZF_ENOMEM. */
int cli_action_specs(cli_opt **out, const zf_action *a);

#endif
