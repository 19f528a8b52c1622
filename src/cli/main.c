/*
 * zoomflow: the command-line program. main() resolves the global options and
 * the configuration, finds the command (one or two words: "status",
 * "meetings create") in the command table (commands.c), and runs it. Every
 * command's --help comes from its zf_cmd row.
 */
#include "cli.h"
#include "commands.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zoomflow/actions.h"
#include "zoomflow/log.h"

static const char global_help[] =
    "Global options (before the command):\n"
    "  --profile NAME    connection profile (default: default; env ZOOMFLOW_PROFILE)\n"
    "  --config FILE     config file (default: ~/.config/zoomflow/config;\n"
    "                    env ZOOMFLOW_CONFIG)\n"
    "  --db DSN          store: sqlite:/path/zoomflow.db or\n"
    "                    postgresql://USER@HOST:PORT/DB (env ZOOMFLOW_DB)\n"
    "  --oauth-base URL  Zoom OAuth host (env ZOOMFLOW_OAUTH_BASE)\n"
    "  --api-base URL    Zoom API base (env ZOOMFLOW_API_BASE)\n"
    "  --ca-file FILE    extra trusted CA bundle (env ZOOMFLOW_CA_FILE)\n"
    "  --key-file FILE   master key file (env ZOOMFLOW_KEY_FILE; ZOOMFLOW_MASTER_KEY\n"
    "                    holds the key itself)\n"
    "  -v, --verbose     more detail on stderr; -vv traces HTTP (secrets redacted)\n"
    "  -h, --help        this text; `zoomflow COMMAND --help` for a command\n"
    "  --version         print the version\n"
    "\n"
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
    fputc('\n', f);
    fputs(global_help, f);
    fputc('\n', f);
    fputs(cli_exit_help, f);
}

static int global_flag(cli_ctx *ctx, const char *flag, const char *key, int *i, int argc,
                       char **argv, zf_error *err)
{
    size_t n = strlen(flag);
    const char *a = argv[*i], *v = NULL;
    if (strncmp(a, flag, n) != 0)
        return 1;
    if (a[n] == '=')
        v = a + n + 1;
    else if (a[n] == '\0' && *i + 1 < argc)
        v = argv[++*i];
    else if (a[n] == '\0')
        return zf_error_set(err, ZF_EINVAL, "%s needs a value", flag);
    else
        return 1;
    if (strcmp(key, "profile") == 0)
        ctx->cfg.profile = (char *)v;
    else if (strcmp(key, "config") == 0)
        ctx->cfg.config_path = (char *)v;
    else
        return cli_cfg_set_flag(&ctx->cfg, key, v, err);
    return 0;
}

static int valid_profile(const char *p)
{
    if (!p[0] || strlen(p) > 64)
        return 0;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    static const struct { const char *flag, *key; } globals[] = {
        {"--profile", "profile"}, {"--config", "config"}, {"--db", "db"},
        {"--oauth-base", "oauth_base"}, {"--api-base", "api_base"},
        {"--ca-file", "ca_file"}, {"--key-file", "key_file"}};
    cli_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.out_tty = isatty(1);
    ctx.err_tty = isatty(2);
    ctx.cfg.profile = getenv("ZOOMFLOW_PROFILE");
    ctx.cfg.config_path = getenv("ZOOMFLOW_CONFIG");
    zf_error err = ZF_ERROR_INIT;
    /* flags are applied after the file and env, so collect them first */
    cli_cfg flags;
    memset(&flags, 0, sizeof flags);
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            print_overview(stdout);
            return 0;
        }
        if (!strcmp(a, "--version")) {
            printf("zoomflow %s\n", ZF_VERSION_STRING);
            return 0;
        }
        if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            ctx.verbose++;
            continue;
        }
        if (!strcmp(a, "-vv")) {
            ctx.verbose += 2;
            continue;
        }
        int matched = 0;
        for (size_t g = 0; g < sizeof globals / sizeof globals[0] && !matched; g++) {
            cli_ctx tmp = ctx;
            tmp.cfg = flags;
            int rc = global_flag(&tmp, globals[g].flag, globals[g].key, &i, argc, argv, &err);
            if (rc < 0)
                return cli_fail(NULL, &err);
            if (rc == 0) {
                matched = 1;
                flags = tmp.cfg;
                ctx.cfg.profile = tmp.cfg.profile ? tmp.cfg.profile : ctx.cfg.profile;
                ctx.cfg.config_path = tmp.cfg.config_path ? tmp.cfg.config_path
                                                          : ctx.cfg.config_path;
            }
        }
        if (!matched)
            return cli_usage_error(NULL, "unknown global option %s", a);
    }
    if (i >= argc) {
        print_overview(stderr);
        return 2;
    }
    int consumed = 0;
    const zf_cmd *cmd = cli_find(argc - i, argv + i, &consumed);
    if (!cmd)
        return cli_usage_error(NULL, "unknown command '%s'", argv[i]);
    if (!ctx.cfg.profile)
        ctx.cfg.profile = "default";
    if (!valid_profile(ctx.cfg.profile))
        return cli_usage_error(NULL, "profile name '%s' may use only letters, digits, "
                               "'-', '_' and '.' (at most 64)", ctx.cfg.profile);
    for (int a = i + consumed; a < argc; a++) {
        if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
            cli_print_help(cmd, stdout);
            return 0;
        }
        if (!strcmp(argv[a], "--"))
            break;
    }
    int rc = cli_cfg_load(&ctx.cfg, &err);
    if (rc == 0) {
#define CLI_X_FLAG(f, k, env, def, help)                                                 \
        if (flags.f && cli_cfg_set_flag(&ctx.cfg, k, flags.f, &err))                    \
            rc = err.code;
        CLI_CFG_MAP(CLI_X_FLAG)
#undef CLI_X_FLAG
    }
    cli_cfg_free(&flags);
    if (rc) {
        cli_cfg_free(&ctx.cfg);
        return cli_fail(&ctx, &err);
    }
    zf_log_configure(NULL, NULL, ctx.verbose >= 2 ? ZF_LOG_TRACE
                                 : ctx.verbose ? ZF_LOG_DEBUG : ZF_LOG_WARN, 0);
    /* the command sees argv[0] = its name's last word, like getopt expects */
    int cargc = argc - i - consumed + 1;
    char **cargv = argv + i + consumed - 1;
    ctx.cmd = cmd;
    rc = cmd->run(&ctx, cargc, cargv);
    cli_lib_close(&ctx);
    cli_cfg_free(&ctx.cfg);
    return rc;
}
