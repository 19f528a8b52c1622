/*
 * zoomflow: the command-line program. main() resolves the global options and
 * the configuration, finds the command (one or two words: "status",
 * "meetings create") in the command table (commands.c), and runs it. Every
 * command's --help comes from its zf_cmd row.
 */
#include "cli.h"
#include "commands.h"
#include "globals.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zoomflow/actions.h"
#include "zoomflow/log.h"

/* The command's own --help, wherever it stands before "--". */
static bool wants_help(int argc, char **argv)
{
    for (int a = 0; a < argc && strcmp(argv[a], "--") != 0; a++)
        if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h"))
            return true;
    return false;
}

static int run(cli_globals *g, cli_ctx *ctx, int argc, char **argv)
{
    zf_error err = ZF_ERROR_INIT;
    cli_opt_parser p = CLI_OPT_PARSER_INIT;
    p.specs = cli_global_opts;
    p.args = g;
    p.on_value = cli_globals_on_value;
    p.ctx = g;
    if (cli_opt_parse(&p, argc, argv, &err) != 0)
        return cli_parse_failed(NULL, &p, &err);
    if (g->help) {
        cli_print_overview(stdout);
        return 0;
    }
    if (g->version) {
        printf("zoomflow %s\n", ZF_VERSION_STRING);
        return 0;
    }
    if (!g->command.argc) {
        cli_print_overview(stderr);
        return cli_exit_status(ZF_EVALIDATION);
    }
    int consumed = 0;
    const zf_cmd *cmd = cli_find(g->command.argc, g->command.argv, &consumed);
    if (!cmd) /* a group word alone lists its verbs; else did-you-mean */
        return cli_no_such_command(g->command.argc, g->command.argv);
    /* the command sees argv[0] = its name's last word, like getopt expects */
    int cargc = g->command.argc - consumed + 1;
    char **cargv = g->command.argv + consumed - 1;
    if (wants_help(cargc - 1, cargv + 1)) {
        cli_print_help(cmd, stdout);
        return 0;
    }
    int status = cli_globals_apply(ctx, g);
    if (status)
        return status;
    ctx->cmd = cmd;
    cli_globals_attach(ctx, g);
    return cmd->run(ctx, cargc, cargv);
}

int main(int argc, char **argv)
{
    cli_ctx ctx;
    cli_globals g;
    memset(&ctx, 0, sizeof ctx);
    memset(&g, 0, sizeof g);
    ctx.out_tty = isatty(1);
    ctx.err_tty = isatty(2);
    int status = run(&g, &ctx, argc, argv);
    cli_lib_close(&ctx);
    cli_cfg_free(&ctx.cfg);
    cli_cfg_free(&g.flags);
    return status;
}
