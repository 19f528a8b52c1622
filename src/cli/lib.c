/*
 * Library handles a command needs, opened on first use and closed once at
 * exit: the master key (crypt), the store, the token manager. Paths default
 * to the XDG directories: the key in ~/.config/zoomflow/master.key (0600,
 * created on first use), the store in ~/.local/share/zoomflow/zoomflow.db.
 */
#include "commands.h"
#include "input.h"
#include "lib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cli_lib {
    zf_crypt *crypt;
    zf_store *store;
    zf_tokens *tokens;
    zf_zoom_tokens source;
    zf_zoom *zoom;
    char *granted;
};

static int mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

void cli_http_opts(const cli_ctx *ctx, zf_http_opts *h)
{
    zf_http_opts def = ZF_HTTP_OPTS_INIT;
    *h = def;
    h->ca_file = ctx->cfg.ca_file;
    long long t; /* checked when the configuration was loaded (config.c) */
    if (ctx->cfg.timeout && cli_parse_int(ctx->cfg.timeout, strlen(ctx->cfg.timeout),
                                          CLI_TIMEOUT_MIN, CLI_TIMEOUT_MAX, &t) == 0)
        h->timeout_ms = (long)t * 1000;
    h->trace = ctx->verbose >= 2;
}

static int open_crypt(cli_ctx *ctx, zf_error *err)
{
    zf_buf path = ZF_BUF_INIT(4096);
    int rc = 0;
    if (ctx->cfg.key_file) {
        zf_buf_puts(&path, ctx->cfg.key_file);
    } else if (!getenv("ZOOMFLOW_MASTER_KEY")) {
        if (cli_config_dir(&path) != 0 || mkdirs(path.ptr) != 0) {
            rc = zf_error_set(err, ZF_ECONFIG, "cannot create the config directory %s: %s",
                              zf_buf_cstr(&path), strerror(errno));
            zf_error_hint(err, "set HOME, or ZOOMFLOW_KEY_FILE / ZOOMFLOW_MASTER_KEY");
            goto done;
        }
        zf_buf_puts(&path, "/master.key");
    }
    rc = zf_crypt_new(&ctx->lib->crypt, path.len ? path.ptr : NULL, err);
done:
    zf_buf_free(&path);
    return rc;
}

int cli_tokens(cli_ctx *ctx, zf_tokens **out, zf_error *err)
{
    if (!ctx->lib && !(ctx->lib = calloc(1, sizeof *ctx->lib)))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    struct cli_lib *l = ctx->lib;
    int rc;
    if (l->tokens) {
        *out = l->tokens;
        return 0;
    }
    if (!l->crypt && (rc = open_crypt(ctx, err)) != 0)
        return rc;
    if (!l->store && (rc = zf_store_open(&l->store, ctx->cfg.db, err)) != 0)
        return rc;
    zf_tokens_opts o = ZF_TOKENS_OPTS_INIT;
    o.store = l->store;
    o.crypt = l->crypt;
    o.actor = "cli";
    cli_http_opts(ctx, &o.http);
    if ((rc = zf_tokens_new(&l->tokens, &o, err)) != 0)
        return rc;
    *out = l->tokens;
    return 0;
}

int cli_token_source(cli_ctx *ctx, zf_tokens *tk, zf_zoom_tokens *out, zf_error *err)
{
    int rc = zf_zoom_tokens_conn(out, tk, ctx->cfg.profile, err);
    if (rc == 0 && ctx->cfg.api_base_from != CLI_FROM_DEFAULT &&
        (rc = zf_zoom_tokens_pin_base(out, ctx->cfg.api_base, err)) != 0)
        zf_zoom_tokens_release(out);
    return rc;
}

int cli_zoom(cli_ctx *ctx, zf_zoom **out, const char **granted, zf_error *err)
{
    zf_tokens *tk = NULL;
    int rc = cli_tokens(ctx, &tk, err);
    if (rc)
        return rc;
    struct cli_lib *l = ctx->lib;
    if (!l->zoom) {
        zf_conn_info info;
        if ((rc = zf_tokens_info(&info, tk, ctx->cfg.profile, err)) != 0)
            return rc;
        l->granted = info.scopes ? strdup(info.scopes) : NULL;
        zf_conn_info_free(&info);
        if ((rc = cli_token_source(ctx, tk, &l->source, err)) != 0)
            return rc;
        zf_zoom_opts o = ZF_ZOOM_OPTS_INIT;
        o.tokens = l->source;
        cli_http_opts(ctx, &o.http);
        if ((rc = zf_zoom_new(&l->zoom, &o, err)) != 0)
            return rc;
    }
    *out = l->zoom;
    if (granted)
        *granted = l->granted;
    return 0;
}

zf_store *cli_store(cli_ctx *ctx)
{
    return ctx->lib ? ctx->lib->store : NULL;
}

int cli_cfg_api_base(const cli_cfg *cfg, zf_buf *out)
{
    char *derived = NULL;
    zf_buf_reset(out);
    if (cfg->api_base_from != CLI_FROM_DEFAULT && cfg->api_base) {
        zf_buf_puts(out, cfg->api_base);
    } else {
        if (zf_oauth_default_api_base(&derived, cfg->oauth_base) < 0)
            return ZF_ENOMEM;
        zf_buf_puts(out, derived);
        free(derived);
    }
    while (out->len && out->ptr[out->len - 1] == '/')
        out->ptr[--out->len] = '\0';
    if (out->len < 3 || strcmp(out->ptr + out->len - 3, "/v2") != 0)
        zf_buf_puts(out, "/v2");
    return out->failed ? ZF_ENOMEM : 0;
}

int cli_api_base(cli_ctx *ctx, zf_buf *out)
{
    zf_tokens *tk = NULL;
    zf_conn_info info;
    zf_error err = ZF_ERROR_INIT;
    if (ctx->cfg.api_base_from == CLI_FROM_DEFAULT && cli_tokens(ctx, &tk, &err) == 0 &&
        zf_tokens_info(&info, tk, ctx->cfg.profile, &err) == 0) {
        int have = info.api_base && *info.api_base;
        zf_buf_reset(out);
        if (have)
            zf_buf_puts(out, info.api_base);
        zf_conn_info_free(&info);
        if (have)
            return out->failed ? ZF_ENOMEM : 0;
    }
    return cli_cfg_api_base(&ctx->cfg, out);
}

void cli_lib_close(cli_ctx *ctx)
{
    struct cli_lib *l = ctx->lib;
    if (!l)
        return;
    zf_zoom_free(l->zoom);
    zf_zoom_tokens_release(&l->source);
    free(l->granted);
    zf_tokens_free(l->tokens);
    zf_store_close(l->store);
    zf_crypt_free(l->crypt);
    free(l);
    ctx->lib = NULL;
}
