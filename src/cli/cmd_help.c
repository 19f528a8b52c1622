/* zoomflow help [COMMAND...]: the same text as `zoomflow COMMAND --help`
 * (a group word: its verbs; nothing: the overview), on stdout, exit 0; an
 * unknown command is bad usage with a did-you-mean (discover.c). */
#include "commands.h"

typedef struct help_args {
    cli_opt_rest words;
} help_args;

static const cli_opt help_opts[] = {
    {.kind = CLI_OPT_REST,
     .name = "COMMAND",
     .at = CLI_AT(help_args, words),
     .complete = CLI_COMPLETE_COMMAND,
     .help = "a command (\"meetings create\") or a group (\"meetings\")"},
    {0}};

static int run(cli_ctx *ctx, int argc, char **argv)
{
    help_args a = {{0, NULL}};
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    if (status)
        return status;
    if (!a.words.argc) {
        cli_print_overview(stdout);
        return 0;
    }
    int consumed = 0;
    const zf_cmd *cmd = cli_find(a.words.argc, a.words.argv, &consumed);
    if (cmd && consumed == a.words.argc) {
        cli_print_help(cmd, stdout);
        return 0;
    }
    if (cmd) /* "help status extra" */
        return cli_usage_error(ctx->cmd, "no command '%s %s'", cmd->name, a.words.argv[consumed]);
    return cli_no_such_command(a.words.argc, a.words.argv);
}

const zf_cmd zf_cmd_help = {
    .name = "help",
    .summary = "show a command's help (the same as COMMAND --help)",
    .opts = help_opts,
    .run = run,
};
