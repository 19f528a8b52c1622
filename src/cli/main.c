/*
 * zoomflow: the command-line program. main() resolves the global options and
 * the configuration, finds the command (one or two words: "status",
 * "meetings create") in the command table (commands.c), and runs it. Every
 * command's --help comes from its zf_cmd row.
 */
#include "cli.h"
#include "commands.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zoomflow/actions.h"
#include "zoomflow/log.h"

/* The global options: before the command (REST stops there). Settings go
 * through on_global into a cli_cfg applied after the file and the
 * environment, as flags outrank both. */
typedef struct globals {
    const char *profile, *config;
    int verbose, help, version;
    cli_opt_rest command;
    cli_cfg flags; /* --db, --oauth-base, ... by their setting's name */
} globals;

enum { GLOBAL_SETTING = 1 };

static const cli_opt global_opts[] = {
    {.kind = CLI_OPT_VALUE, .name = "profile", .value_name = "NAME",
     .at = CLI_AT(globals, profile),
     .help = "connection profile (default: default; env ZOOMFLOW_PROFILE)"},
    {.kind = CLI_OPT_VALUE, .name = "config", .value_name = "FILE",
     .at = CLI_AT(globals, config),
     .help = "config file (default: ~/.config/zoomflow/config;\nenv ZOOMFLOW_CONFIG)"},
    {.kind = CLI_OPT_VALUE, .name = "db", .value_name = "DSN", .id = GLOBAL_SETTING,
     .help = "store, e.g. sqlite:/path/zoomflow.db (env ZOOMFLOW_DB)"},
    {.kind = CLI_OPT_VALUE, .name = "oauth-base", .value_name = "URL", .id = GLOBAL_SETTING,
     .help = "Zoom OAuth host (env ZOOMFLOW_OAUTH_BASE)"},
    {.kind = CLI_OPT_VALUE, .name = "api-base", .value_name = "URL", .id = GLOBAL_SETTING,
     .help = "Zoom API base (env ZOOMFLOW_API_BASE)"},
    {.kind = CLI_OPT_VALUE, .name = "ca-file", .value_name = "FILE", .id = GLOBAL_SETTING,
     .help = "extra trusted CA bundle (env ZOOMFLOW_CA_FILE)"},
    {.kind = CLI_OPT_VALUE, .name = "key-file", .value_name = "FILE", .id = GLOBAL_SETTING,
     .help = "master key file (env ZOOMFLOW_KEY_FILE; ZOOMFLOW_MASTER_KEY\n"
             "holds the key itself)"},
    {.kind = CLI_OPT_SWITCH, .name = "verbose", .alias = 'v', .at = CLI_AT(globals, verbose),
     .help = "more detail on stderr; -vv traces HTTP (secrets redacted)"},
    {.kind = CLI_OPT_SWITCH, .name = "help", .alias = 'h', .at = CLI_AT(globals, help),
     .help = "this text; `zoomflow COMMAND --help` for a command"},
    {.kind = CLI_OPT_SWITCH, .name = "version", .at = CLI_AT(globals, version),
     .help = "print the version"},
    {.kind = CLI_OPT_REST, .name = "COMMAND", .at = CLI_AT(globals, command)},
    {0}};

static const char global_notes[] =
    "Precedence: flags > ZOOMFLOW_* environment > config file > defaults.\n"
    "Also: ZOOMFLOW_CLIENT_ID, ZOOMFLOW_CLIENT_SECRET(_FILE), ZOOMFLOW_ACCOUNT_ID,\n"
    "ZOOMFLOW_REDIRECT_URI, ZOOMFLOW_TIMEOUT (see `zoomflow config --help`, docs/cli.md).\n";

static void print_overview(FILE *f)
{
    fputs("usage: zoomflow [global options] COMMAND [options]\n\n"
          "Connect a Zoom account once (OAuth 2.0 or Server-to-Server), then run Zoom\n"
          "actions from scripts and workflows.\n\nCommands:\n", f);
    for (const zf_cmd *const *c = cli_commands(); *c; c++)
        fprintf(f, "  %-26s %s\n", (*c)->name, cli_cmd_summary(*c));
    zf_buf b = ZF_BUF_INIT(1 << 16);
    cli_opt_help(&b, global_opts, "Global options (before the command)");
    fprintf(f, "\n%s\n%s\n%s", zf_buf_cstr(&b), global_notes, cli_exit_help);
    zf_buf_free(&b);
}

/* --oauth-base URL -> the setting oauth_base. */
static int on_global(void *ctx, const cli_opt *o, const char *key, const char *value,
                     zf_error *err)
{
    globals *g = ctx;
    char setting[32];
    snprintf(setting, sizeof setting, "%s", o->name);
    for (char *p = setting; *p; p++)
        if (*p == '-')
            *p = '_';
    return cli_cfg_set_flag(&g->flags, setting, value, err);
}

static bool valid_profile(const char *p)
{
    if (!p[0] || strlen(p) > 64)
        return false;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

/* The command's own --help, wherever it stands before "--". */
static bool wants_help(int argc, char **argv)
{
    for (int a = 0; a < argc && strcmp(argv[a], "--") != 0; a++)
        if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h"))
            return true;
    return false;
}

/* The configuration: defaults, file, environment, then the flags. */
static int load_config(cli_ctx *ctx, const cli_cfg *flags, zf_error *err)
{
    int rc = cli_cfg_load(&ctx->cfg, err);
#define CLI_X_FLAG(f, k, env, def, help)                                                 \
    if (rc == 0 && flags->f)                                                             \
        rc = cli_cfg_set_flag(&ctx->cfg, k, flags->f, err);
    CLI_CFG_MAP(CLI_X_FLAG)
#undef CLI_X_FLAG
    return rc;
}

static int run(globals *g, cli_ctx *ctx, int argc, char **argv)
{
    zf_error err = ZF_ERROR_INIT;
    cli_opt_parser p = CLI_OPT_PARSER_INIT;
    p.specs = global_opts;
    p.args = g;
    p.on_value = on_global;
    p.ctx = g;
    if (cli_opt_parse(&p, argc, argv, &err) != 0)
        return cli_usage_fail(NULL, &err);
    if (g->help) {
        print_overview(stdout);
        return 0;
    }
    if (g->version) {
        printf("zoomflow %s\n", ZF_VERSION_STRING);
        return 0;
    }
    if (!g->command.argc) {
        print_overview(stderr);
        return cli_exit_status(ZF_EVALIDATION);
    }
    int consumed = 0;
    const zf_cmd *cmd = cli_find(g->command.argc, g->command.argv, &consumed);
    if (!cmd)
        return cli_usage_error(NULL, "unknown command '%s'", g->command.argv[0]);
    ctx->verbose = g->verbose;
    ctx->cfg.profile = (char *)(g->profile ? g->profile : getenv("ZOOMFLOW_PROFILE"));
    ctx->cfg.config_path = (char *)(g->config ? g->config : getenv("ZOOMFLOW_CONFIG"));
    if (!ctx->cfg.profile)
        ctx->cfg.profile = "default";
    if (!valid_profile(ctx->cfg.profile))
        return cli_usage_error(NULL, "profile name '%s' may use only letters, digits, "
                               "'-', '_' and '.' (at most 64)", ctx->cfg.profile);
    /* the command sees argv[0] = its name's last word, like getopt expects */
    int cargc = g->command.argc - consumed + 1;
    char **cargv = g->command.argv + consumed - 1;
    if (wants_help(cargc - 1, cargv + 1)) {
        cli_print_help(cmd, stdout);
        return 0;
    }
    if (load_config(ctx, &g->flags, &err) != 0)
        return cli_fail(ctx, &err);
    zf_log_configure(NULL, NULL, ctx->verbose >= 2 ? ZF_LOG_TRACE
                                 : ctx->verbose ? ZF_LOG_DEBUG : ZF_LOG_WARN, 0);
    ctx->cmd = cmd;
    return cmd->run(ctx, cargc, cargv);
}

int main(int argc, char **argv)
{
    cli_ctx ctx;
    globals g;
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
