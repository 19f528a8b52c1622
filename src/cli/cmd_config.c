/* zoomflow config: the resolved settings of the profile and where each one
 * came from (flag, environment, config file, default). No secrets here. */
#include "cli.h"
#include "lib.h"

#include <string.h>

static int run(cli_ctx *ctx, int argc, char **argv)
{
    int status = cli_parse_args(ctx->cmd, NULL, NULL, NULL, argc, argv);
    if (status)
        return status;
    json_t *o = json_object();
    json_object_set_new(o, "profile", json_string(ctx->cfg.profile));
    if (ctx->cfg.config_path)
        json_object_set_new(o, "config", json_string(ctx->cfg.config_path));
#define CLI_X_SHOW(f, k, env, def, help)                                                 \
    json_object_set_new(o, k, json_pack("{s:s?,s:s}", "value", ctx->cfg.f, "from",        \
                                        cli_origin_name(ctx->cfg.f##_from)));
    CLI_CFG_MAP(CLI_X_SHOW)
#undef CLI_X_SHOW
    zf_buf api = ZF_BUF_INIT(4096); /* the one rule (cli_cfg_api_base), not a third value */
    if (cli_cfg_api_base(&ctx->cfg, &api) == 0 && ctx->cfg.api_base_from == CLI_FROM_DEFAULT)
        json_object_set_new(o, "api_base",
                            json_pack("{s:s,s:s,s:s}", "value", api.ptr, "from", "default",
                                      "note", "derived from oauth_base; a connection's api_url "
                                              "from the token response wins"));
    zf_buf_free(&api);
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
    return 0;
}

const zf_cmd zf_cmd_config = {
    .name = "config",
    .summary = "show the resolved settings of the profile and where each came from",
    .help = "Settings (config file key / environment variable):\n"
#define CLI_X_HELP(f, k, env, def, help) "  " k " / " env "\n      " help "\n"
    CLI_CFG_MAP(CLI_X_HELP)
#undef CLI_X_HELP
    ,
    .run = run,
};
