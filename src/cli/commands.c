/*
 * The command table, and what is read from it: finding a command by its
 * words, the command of an action, and each command's --help.
 */
#include "commands.h"

#include <string.h>

#include "zoomflow/actions.h"

extern const zf_cmd zf_cmd_config, zf_cmd_connect, zf_cmd_disconnect, zf_cmd_status,
    zf_cmd_api, zf_cmd_actions, zf_cmd_actions_schema, zf_cmd_meetings_create,
    zf_cmd_meetings_list, zf_cmd_users_create, zf_cmd_users_list, zf_cmd_registrants_add,
    zf_cmd_registrants_list, zf_cmd_recordings_get, zf_cmd_recordings_download;

/* Order is the order of `zoomflow --help`. */
const zf_cmd *const cli_commands[] = {
    &zf_cmd_connect,
    &zf_cmd_status,
    &zf_cmd_disconnect,
    &zf_cmd_config,
    &zf_cmd_api,
    &zf_cmd_meetings_create,
    &zf_cmd_meetings_list,
    &zf_cmd_users_create,
    &zf_cmd_users_list,
    &zf_cmd_registrants_add,
    &zf_cmd_registrants_list,
    &zf_cmd_recordings_get,
    &zf_cmd_recordings_download,
    &zf_cmd_actions,
    &zf_cmd_actions_schema,
    NULL,
};

const zf_cmd *cli_find(int argc, char **argv, int *consumed)
{
    /* two-word commands first ("meetings create"), then one word */
    for (int words = 2; words >= 1; words--) {
        if (argc < words)
            continue;
        for (int i = 0; cli_commands[i]; i++) {
            const char *n = cli_commands[i]->name;
            size_t l0 = strlen(argv[0]);
            if (words == 1 && strcmp(n, argv[0]) == 0) {
                *consumed = 1;
                return cli_commands[i];
            }
            if (words == 2 && strncmp(n, argv[0], l0) == 0 && n[l0] == ' ' &&
                strcmp(n + l0 + 1, argv[1]) == 0) {
                *consumed = 2;
                return cli_commands[i];
            }
        }
    }
    return NULL;
}

const zf_cmd *cli_command_for_action(const char *action)
{
    for (int i = 0; action && cli_commands[i]; i++)
        if (cli_commands[i]->action && !strcmp(cli_commands[i]->action, action))
            return cli_commands[i];
    return NULL;
}

const char *cli_cmd_summary(const zf_cmd *cmd)
{
    const zf_action *a = cmd->action ? zf_action_find(cmd->action) : NULL;
    if (cmd->summary)
        return cmd->summary;
    return a ? a->summary : "";
}

void cli_print_help(const zf_cmd *cmd, FILE *f)
{
    fprintf(f, "usage: zoomflow %s %s\n\n%s\n", cmd->name, cmd->usage, cli_cmd_summary(cmd));
    const zf_action *a = cmd->action ? zf_action_find(cmd->action) : NULL;
    if (a) {
        /* the descriptor's text, minus its own usage line and summary */
        zf_buf b = ZF_BUF_INIT(1 << 20);
        zf_action_help(&b, a);
        const char *body = b.ptr ? strstr(b.ptr, "\n\n") : NULL;
        body = body ? strstr(body + 2, "\n\n") : NULL;
        fprintf(f, "\nAction: %s\n%s", a->name, body ? body + 1 : "");
        zf_buf_free(&b);
    }
    if (cmd->help && cmd->help[0])
        fprintf(f, "\n%s", cmd->help);
    fprintf(f, "\n%s", cli_exit_help);
}
