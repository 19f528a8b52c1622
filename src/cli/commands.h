#ifndef ZOOMFLOW_COMMANDS_H
#define ZOOMFLOW_COMMANDS_H
#include "cli.h"

/* The command table (commands.c), NULL-terminated. */
extern const zf_cmd *const cli_commands[];

const zf_cmd *cli_find(int argc, char **argv, int *consumed);
/* The command that runs an action (registry name), or NULL. */
const zf_cmd *cli_command_for_action(const char *action);
void cli_print_help(const zf_cmd *cmd, FILE *f);
/* The command's summary line (an action command's comes from its descriptor). */
const char *cli_cmd_summary(const zf_cmd *cmd);
/* Closes whatever lib.c opened for the command. */
void cli_lib_close(cli_ctx *ctx);

#endif
