/* zoomflow config: the resolved settings of the profile and where each one
 * came from (flag, environment, config file, default), then what they come
 * to ("effective"): the API base calls go to (a connection's api_url
 * counts), and the store and key file as absolute paths. No secrets here,
 * and nothing is created: the connection is read only when its key exists. */
#include "cli.h"
#include "lib.h"
#include "zoomflow/store.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_CAP 4096

/* path made absolute against the current directory (not resolved further:
 * the file may not exist yet). */
static json_t *absolute(const char *path)
{
    char cwd[PATH_CAP];
    if (!path || path[0] == '/' || !getcwd(cwd, sizeof cwd))
        return json_string(path);
    zf_buf b = ZF_BUF_INIT(2 * PATH_CAP);
    zf_buf_appendf(&b, "%s/%s", cwd, path[0] == '.' && path[1] == '/' ? path + 2 : path);
    json_t *v = json_string(zf_buf_cstr(&b));
    zf_buf_free(&b);
    return v;
}

static int exists(const char *path)
{
    struct stat st;
    return path && lstat(path, &st) == 0;
}

static json_t *effective_db(const cli_ctx *ctx)
{
    char *dsn = NULL;
    const char *from = cli_origin_name(ctx->cfg.db_from);
    if (!ctx->cfg.db && zf_store_default_dsn(&dsn, NULL) != 0)
        return json_null();
    const char *v = ctx->cfg.db ? ctx->cfg.db : dsn;
    char *shown = NULL; /* a DSN's password is never shown */
    if (zf_store_redact_dsn(&shown, v, NULL) != 0) {
        free(dsn);
        return json_null();
    }
    json_t *o = json_pack("{s:s,s:s}", "value", shown, "from", from);
    free(shown);
    if (strncmp(v, "sqlite:", 7) == 0) {
        json_object_set_new(o, "path", absolute(v + 7));
        json_object_set_new(o, "exists", json_boolean(exists(v + 7)));
    }
    free(dsn);
    return o;
}

/* The key file's absolute path (out), or "" when ZOOMFLOW_MASTER_KEY holds
 * the key itself. */
static json_t *effective_key(const cli_ctx *ctx, zf_buf *out)
{
    const char *env = getenv("ZOOMFLOW_MASTER_KEY");
    if (env && *env)
        return json_pack("{s:s,s:s}", "value", "ZOOMFLOW_MASTER_KEY", "from", "environment");
    const char *from = cli_origin_name(ctx->cfg.key_file_from);
    if (ctx->cfg.key_file) {
        zf_buf_puts(out, ctx->cfg.key_file);
    } else if (cli_config_dir(out) == 0) {
        zf_buf_puts(out, "/master.key");
    } else {
        return json_null();
    }
    return json_pack("{s:o,s:s,s:b}", "value", absolute(zf_buf_cstr(out)), "from", from, "exists",
                     exists(zf_buf_cstr(out)));
}

/* Where calls go: the settings' base, or the stored connection's api_url
 * when the settings do not pin one and the connection can be read without
 * creating anything (the key and the store are there). */
static json_t *effective_api_base(cli_ctx *ctx, const char *key_path, int store_there)
{
    zf_buf cfg = ZF_BUF_INIT(PATH_CAP), got = ZF_BUF_INIT(PATH_CAP);
    zf_session *s = NULL;
    zf_error err = ZF_ERROR_INIT;
    const char *env = getenv("ZOOMFLOW_MASTER_KEY");
    const char *from = cli_origin_name(ctx->cfg.api_base_from);
    json_t *o = NULL;
    if (cli_cfg_api_base(&ctx->cfg, &cfg) != 0)
        goto done;
    if (ctx->cfg.api_base_from == CLI_FROM_DEFAULT && ((env && *env) || exists(key_path)) &&
        store_there && cli_session(ctx, &s, &err) == 0 && zf_session_api_base(s, &got) == 0 &&
        strcmp(got.ptr, cfg.ptr) != 0) {
        o = json_pack("{s:s,s:s}", "value", got.ptr, "from", "connection");
        goto done;
    }
    o = json_pack("{s:s,s:s}", "value", cfg.ptr, "from",
                  ctx->cfg.api_base_from == CLI_FROM_DEFAULT ? "default (from oauth_base)" : from);
done:
    zf_buf_free(&cfg);
    zf_buf_free(&got);
    return o ? o : json_null();
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    int status = cli_parse_args(ctx->cmd, NULL, NULL, NULL, argc, argv);
    if (status)
        return status;
    json_t *o = json_object();
    json_object_set_new(o, "profile", json_string(ctx->cfg.profile));
    if (ctx->cfg.config_path)
        json_object_set_new(o, "config", json_string(ctx->cfg.config_path));
#define CLI_X_SHOW(f, k, env, def, help)                                                           \
    json_object_set_new(                                                                           \
        o, k,                                                                                      \
        json_pack("{s:s?,s:s}", "value", ctx->cfg.f, "from", cli_origin_name(ctx->cfg.f##_from)));
    CLI_CFG_MAP(CLI_X_SHOW)
#undef CLI_X_SHOW
    char *shown = NULL; /* a DSN's password is never shown */
    if (ctx->cfg.db && zf_store_redact_dsn(&shown, ctx->cfg.db, NULL) == 0)
        json_object_set_new(
            o, "db",
            json_pack("{s:s,s:s}", "value", shown, "from", cli_origin_name(ctx->cfg.db_from)));
    free(shown);
    zf_buf api = ZF_BUF_INIT(4096); /* the one rule (cli_cfg_api_base), not a third value */
    if (cli_cfg_api_base(&ctx->cfg, &api) == 0 && ctx->cfg.api_base_from == CLI_FROM_DEFAULT)
        json_object_set_new(o, "api_base",
                            json_pack("{s:s,s:s,s:s}", "value", api.ptr, "from", "default", "note",
                                      "derived from oauth_base; a connection's api_url "
                                      "from the token response wins"));
    zf_buf_free(&api);
    zf_buf key = ZF_BUF_INIT(PATH_CAP);
    json_t *eff = json_object();
    json_t *db = effective_db(ctx);
    json_t *db_exists = json_object_get(db, "exists");
    json_object_set_new(eff, "db", db);
    json_object_set_new(eff, "key_file", effective_key(ctx, &key));
    json_object_set_new(
        eff, "api_base",
        effective_api_base(ctx, zf_buf_cstr(&key), !db_exists || json_is_true(db_exists)));
    json_object_set_new(o, "effective", eff);
    zf_buf_free(&key);
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
    return 0;
}

const zf_cmd zf_cmd_config = {
    .name = "config",
    .summary = "show the resolved settings of the profile and where each came from",
    .help = "\"effective\" shows what they come to: the API base calls go to (the\n"
            "connection's api_url when no api_base is set), and the store and key file\n"
            "as absolute paths, with whether each exists (nothing is created).\n\n"
            "Settings (config file key / environment variable):\n"
#define CLI_X_HELP(f, k, env, def, help) "  " k " / " env "\n      " help "\n"
    CLI_CFG_MAP(CLI_X_HELP)
#undef CLI_X_HELP
        ,
    .run = run,
};
