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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zoomflow/actions.h"
#include "zoomflow/http.h"
#include "zoomflow/log.h"

/* The command's own --help, wherever it stands before "--". */
static bool wants_help(int argc, char **argv)
{
    for (int a = 0; a < argc && strcmp(argv[a], "--") != 0; a++)
        if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h"))
            return true;
    return false;
}

/* The global options of argv[1..] into g, up to the first word (the
 * command, in g->command). 0, or the exit status of a failure (printed). */
static int parse_globals(cli_globals *g, int argc, char **argv)
{
    zf_error err = ZF_ERROR_INIT;
    cli_opt_parser p = CLI_OPT_PARSER_INIT;
    p.specs = cli_global_opts;
    p.args = g;
    p.on_value = cli_globals_on_value;
    p.ctx = g;
    if (cli_opt_parse(&p, argc, argv, &err) != 0)
        return cli_parse_failed(NULL, &p, &err);
    return 0;
}

/* A group word with global options after it (`zoomflow meetings -v list`,
 * `zoomflow meetings --help`): the options are read as if given before
 * the group, and the group's word joins its verb again. *rest is g's
 * command made anew (free it). 1 when there were such options, 0 when
 * not (g untouched), -1 for an exit status in *status (printed). A word
 * that is a command itself (`actions`) keeps its own --help. */
static int group_globals(cli_globals *g, char ***rest, int *status)
{
    int argc = g->command.argc;
    char **argv = g->command.argv;
    int consumed = 0;
    if (argc < 2 || argv[1][0] != '-' || !argv[1][1] || !cli_is_group(argv[0]))
        return 0;
    if (cli_find(1, argv, &consumed)) {
        /* `actions -v schema X` reaches a verb; `actions --help` does not */
        zf_error err = ZF_ERROR_INIT;
        cli_globals probe;
        memset(&probe, 0, sizeof probe);
        cli_opt_parser p = CLI_OPT_PARSER_INIT;
        p.specs = cli_global_opts;
        p.args = &probe;
        p.on_value = cli_globals_on_value;
        p.ctx = &probe;
        int verb = cli_opt_parse(&p, argc, argv, &err) == 0 && probe.command.argc > 0 &&
                   cli_find(2, (char *[]){argv[0], probe.command.argv[0]}, &consumed) &&
                   consumed == 2;
        cli_cfg_free(&probe.flags);
        if (!verb)
            return 0;
    }
    int rc = parse_globals(g, argc, argv);
    if (rc) {
        *status = rc;
        return -1;
    }
    *rest = calloc((size_t)g->command.argc + 2, sizeof **rest);
    if (!*rest) {
        *status = 1;
        return -1;
    }
    (*rest)[0] = argv[0];
    for (int i = 0; i < g->command.argc; i++)
        (*rest)[i + 1] = g->command.argv[i];
    g->command.argc++;
    g->command.argv = *rest;
    return 1;
}

static int run(cli_globals *g, cli_ctx *ctx, int argc, char **argv, char ***rest)
{
    int status = parse_globals(g, argc, argv);
    if (status)
        return status;
    if (!g->help && !g->version && g->command.argc && group_globals(g, rest, &status) < 0)
        return status;
    if (g->help && g->command.argc >= 1 && cli_is_group(g->command.argv[0]) &&
        (g->command.argc > 1 || !cli_find(1, g->command.argv, &(int){0}))) {
        /* `zoomflow meetings --help`: the group's verbs, or a verb's help */
        int consumed = 0;
        const zf_cmd *cmd = cli_find(g->command.argc, g->command.argv, &consumed);
        if (cmd && consumed == 2)
            cli_print_help(cmd, stdout);
        else
            cli_print_group(g->command.argv[0], stdout);
        return 0;
    }
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
    /* Before anything touches OpenSSL: every command but doctor runs it
     * without its error strings (half a mebibyte of resident memory; a TLS
     * error then names the `openssl errstr` code, http.h). doctor, whose
     * TLS check explains failures, keeps OpenSSL's words. */
    if (strcmp(cmd->name, "doctor") != 0 && zf_http_global_init_lean() == ZF_EIO) {
        fprintf(stderr, "zoomflow: cannot initialise libcurl\n");
        return cli_exit_status(ZF_EIO);
    }
    status = cli_globals_apply(ctx, g);
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
    char **rest = NULL;
    int status = run(&g, &ctx, argc, argv, &rest);
    cli_lib_close(&ctx);
    cli_cfg_free(&ctx.cfg);
    cli_cfg_free(&g.flags);
    free(rest);
    return status;
}
