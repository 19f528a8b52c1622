/*
 * The global options (globals.h): the table, their settings, and the
 * merge of those given after the command. Precedence among them is the
 * order given: a flag after the command overrides the same flag before it.
 */
#include "globals.h"

#include <stdlib.h>
#include <string.h>

#include "zoomflow/log.h"

enum { GLOBAL_SETTING = 1 };

const cli_opt cli_global_opts[] = {
    {.kind = CLI_OPT_VALUE,
     .name = "profile",
     .value_name = "NAME",
     .at = CLI_AT(cli_globals, profile),
     .help = "connection profile (default: default; env ZOOMFLOW_PROFILE)"},
    {.kind = CLI_OPT_VALUE,
     .name = "config",
     .value_name = "FILE",
     .at = CLI_AT(cli_globals, config),
     .help = "config file (default: ~/.config/zoomflow/config;\nenv ZOOMFLOW_CONFIG)"},
    {.kind = CLI_OPT_VALUE,
     .name = "db",
     .value_name = "DSN",
     .id = GLOBAL_SETTING,
     .help =
         "store: sqlite:/path/zoomflow.db or\npostgresql://USER@HOST:PORT/DB (env ZOOMFLOW_DB)"},
    {.kind = CLI_OPT_VALUE,
     .name = "oauth-base",
     .value_name = "URL",
     .id = GLOBAL_SETTING,
     .help = "Zoom OAuth host (env ZOOMFLOW_OAUTH_BASE)"},
    {.kind = CLI_OPT_VALUE,
     .name = "api-base",
     .value_name = "URL",
     .id = GLOBAL_SETTING,
     .help = "Zoom API base (env ZOOMFLOW_API_BASE)"},
    {.kind = CLI_OPT_VALUE,
     .name = "ca-file",
     .value_name = "FILE",
     .id = GLOBAL_SETTING,
     .help = "extra trusted CA bundle (env ZOOMFLOW_CA_FILE)"},
    {.kind = CLI_OPT_VALUE,
     .name = "key-file",
     .value_name = "FILE",
     .id = GLOBAL_SETTING,
     .help = "master key file (env ZOOMFLOW_KEY_FILE; ZOOMFLOW_MASTER_KEY\n"
             "holds the key itself)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "verbose",
     .alias = 'v',
     .at = CLI_AT(cli_globals, verbose),
     .help = "more detail on stderr; -vv traces HTTP (secrets redacted)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "help",
     .alias = 'h',
     .at = CLI_AT(cli_globals, help),
     .help = "this text; `zoomflow COMMAND --help` for a command"},
    {.kind = CLI_OPT_SWITCH,
     .name = "version",
     .at = CLI_AT(cli_globals, version),
     .help = "print the version"},
    {.kind = CLI_OPT_REST, .name = "COMMAND", .at = CLI_AT(cli_globals, command)},
    {0}};

const char cli_global_notes[] =
    "Global options may also follow the command (`zoomflow users list --profile\n"
    "work -v`) or stand between a group and its verb (`zoomflow users -v list`);\n"
    "a command's own flag of the same name would win.\n"
    "Precedence: flags > ZOOMFLOW_* environment > config file > defaults.\n";

/* The variables zoomflow reads: the two main.c resolves first, every
 * setting of CLI_CFG_MAP (config.c reads them), then the ones single
 * commands read. */
static const struct {
    const char *name, *help;
} env_rows[] = {
    {"ZOOMFLOW_PROFILE", "the profile (--profile; default: default)"},
    {"ZOOMFLOW_CONFIG", "the config file (--config; default: ~/.config/zoomflow/config)"},
#define CLI_X_ENV(f, k, env, def, help) {env, help},
    CLI_CFG_MAP(CLI_X_ENV)
#undef CLI_X_ENV
        {"ZOOMFLOW_CLIENT_SECRET", "the client secret itself (connect; never on the command line)"},
    {"ZOOMFLOW_MASTER_KEY", "the master key itself (wins over the key file)"},
    {"ZOOMFLOW_LIST_TREE", "1: --all lists parse every page as a JSON tree (a debugging aid)"},
    {"BROWSER", "the browser connect opens the authorize URL with"},
    {"XDG_CONFIG_HOME", "the config directory's parent (default: ~/.config)"},
    {"XDG_DATA_HOME", "the store's directory's parent (default: ~/.local/share)"},
    {"HOME", "where the default directories are"},
};

#define ENV_COL 30

int cli_env_help(zf_buf *out)
{
    zf_buf_puts(out, "Environment (config file keys: `zoomflow config --help`):\n");
    for (size_t i = 0; i < sizeof env_rows / sizeof env_rows[0]; i++)
        zf_buf_appendf(out, "  %-*s%s\n", ENV_COL, env_rows[i].name, env_rows[i].help);
    return out->failed ? ZF_ENOMEM : 0;
}

int cli_is_global_opt(const cli_opt *o)
{
    for (const cli_opt *g = cli_global_opts; g->kind != CLI_OPT_END; g++)
        if (g == o)
            return 1;
    return 0;
}

int cli_globals_on_value(void *ctx, const cli_opt *o, const char *key, const char *value,
                         zf_error *err)
{
    cli_globals *g = ctx;
    char setting[32];
    (void)key;
    snprintf(setting, sizeof setting, "%s", o->name);
    for (char *p = setting; *p; p++)
        if (*p == '-')
            *p = '_';
    return cli_cfg_set_flag(&g->flags, setting, value, err);
}

static int valid_profile(const char *p)
{
    if (!p[0] || strlen(p) > 64)
        return 0;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return 0;
    return 1;
}

int cli_globals_apply(cli_ctx *ctx, const cli_globals *g)
{
    zf_error err = ZF_ERROR_INIT;
    ctx->verbose = g->verbose;
    ctx->cfg.profile = (char *)(g->profile ? g->profile : getenv("ZOOMFLOW_PROFILE"));
    ctx->cfg.config_path = (char *)(g->config ? g->config : getenv("ZOOMFLOW_CONFIG"));
    if (!ctx->cfg.profile)
        ctx->cfg.profile = "default";
    if (!valid_profile(ctx->cfg.profile))
        return cli_usage_error(NULL,
                               "profile name '%s' may use only letters, digits, "
                               "'-', '_' and '.' (at most 64)",
                               ctx->cfg.profile);
    cli_cfg_free(&ctx->cfg);
    int rc = cli_cfg_load(&ctx->cfg, &err);
#define CLI_X_FLAG(f, k, env, def, help)                                                           \
    if (rc == 0 && g->flags.f)                                                                     \
        rc = cli_cfg_set_flag(&ctx->cfg, k, g->flags.f, &err);
    CLI_CFG_MAP(CLI_X_FLAG)
#undef CLI_X_FLAG
    if (rc != 0)
        return cli_fail(ctx, &err);
    zf_log_configure(NULL, NULL,
                     ctx->verbose >= 2 ? ZF_LOG_TRACE
                     : ctx->verbose    ? ZF_LOG_DEBUG
                                       : ZF_LOG_WARN,
                     0);
    return 0;
}

/* Set once by main.c; the CLI runs one command per process. */
static cli_ctx *attached_ctx;
static cli_globals *attached;

void cli_globals_attach(cli_ctx *ctx, cli_globals *before)
{
    attached_ctx = ctx;
    attached = before;
}

/* The parser's on_value while wired: a global row to its settings, any
 * other to the command's own callback. */
static int late_on_value(void *ctx, const cli_opt *o, const char *key, const char *value,
                         zf_error *err)
{
    cli_late *l = ctx;
    if (cli_is_global_opt(o))
        return cli_globals_on_value(&l->g, o, key, value, err);
    if (!l->on_value)
        return zf_error_set(err, ZF_EINVAL, "option %s has no member and no on_value", o->name);
    return l->on_value(l->ctx, o, key, value, err);
}

void cli_late_wire(cli_late *l, cli_opt_parser *p)
{
    memset(l, 0, sizeof *l);
    if (!attached || p->also)
        return;
    l->on_value = p->on_value;
    l->ctx = p->ctx;
    l->wired = 1;
    p->also = cli_global_opts;
    p->also_args = &l->g;
    p->on_value = late_on_value;
    p->ctx = l;
}

void cli_late_unwire(cli_late *l, cli_opt_parser *p)
{
    if (!l->wired)
        return;
    p->also = NULL;
    p->also_args = NULL;
    p->on_value = l->on_value;
    p->ctx = l->ctx;
}

static int any_setting(const cli_cfg *c)
{
    int any = 0;
#define CLI_X_ANY(f, k, env, def, help) any |= c->f != NULL;
    CLI_CFG_MAP(CLI_X_ANY)
#undef CLI_X_ANY
    return any;
}

int cli_late_apply(cli_late *l, const zf_cmd *cmd)
{
    int status = 0;
    if (!l->wired)
        goto done;
    if (l->g.version) {
        status = cli_usage_error(cmd, "--version goes before the command: zoomflow --version");
        goto done;
    }
    if (!l->g.profile && !l->g.config && !l->g.verbose && !any_setting(&l->g.flags))
        goto done;
    if (l->g.profile)
        attached->profile = l->g.profile;
    if (l->g.config)
        attached->config = l->g.config;
    attached->verbose += l->g.verbose;
    zf_error err = ZF_ERROR_INIT;
#define CLI_X_MERGE(f, k, env, def, help)                                                          \
    if (status == 0 && l->g.flags.f &&                                                             \
        cli_cfg_set_flag(&attached->flags, k, l->g.flags.f, &err) != 0)                            \
        status = cli_fail(attached_ctx, &err);
    CLI_CFG_MAP(CLI_X_MERGE)
#undef CLI_X_MERGE
    if (status == 0)
        status = cli_globals_apply(attached_ctx, attached);
done:
    cli_cfg_free(&l->g.flags);
    return status;
}

void cli_late_free(cli_late *l)
{
    cli_cfg_free(&l->g.flags);
}
