/*
 * The CLI's one library session (zoomflow/session.h), built from the
 * resolved configuration on first use and freed once at exit. The
 * defaults (key and store under the XDG directories) are the library's;
 * this file only maps cli_cfg to zf_session_opts.
 */
#include "commands.h"
#include "input.h"
#include "lib.h"

#include <stdlib.h>
#include <string.h>

#include "zoomflow/oauth.h"

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

void cli_session_opts(const cli_ctx *ctx, zf_session_opts *o)
{
    zf_session_opts def = ZF_SESSION_OPTS_INIT;
    *o = def;
    o->db = ctx->cfg.db;
    o->key_file = ctx->cfg.key_file;
    o->conn_id = ctx->cfg.profile;
    o->actor = "cli";
    o->oauth_base = ctx->cfg.oauth_base;
    cli_http_opts(ctx, &o->http);
    /* an explicit api_base (flag, env or file; not the default) wins
     * over the connection's own base */
    if (ctx->cfg.api_base_from != CLI_FROM_DEFAULT)
        o->api_base = ctx->cfg.api_base;
}

int cli_session(cli_ctx *ctx, zf_session **out, zf_error *err)
{
    if (!ctx->session) {
        zf_session_opts o;
        cli_session_opts(ctx, &o);
        int rc = zf_session_open(&ctx->session, &o, err);
        if (rc)
            return rc;
    }
    *out = ctx->session;
    return 0;
}

int cli_tokens(cli_ctx *ctx, zf_tokens **out, zf_error *err)
{
    zf_session *s;
    int rc = cli_session(ctx, &s, err);
    return rc ? rc : zf_session_tokens(s, out, err);
}

int cli_zoom(cli_ctx *ctx, zf_zoom **out, const char **granted, zf_error *err)
{
    zf_session *s;
    int rc = cli_session(ctx, &s, err);
    return rc ? rc : zf_session_zoom(s, out, granted, err);
}

int cli_cfg_api_base(const cli_cfg *cfg, zf_buf *out)
{
    /* the session's rule, with what the settings give pinned, so that it
     * reads no connection (and opens no store or key) */
    char *derived = NULL;
    const char *pin = cfg->api_base_from != CLI_FROM_DEFAULT ? cfg->api_base : NULL;
    if (!pin && zf_oauth_default_api_base(&derived, cfg->oauth_base) < 0)
        return ZF_ENOMEM;
    zf_session_opts o = ZF_SESSION_OPTS_INIT;
    o.api_base = pin ? pin : derived;
    o.oauth_base = cfg->oauth_base;
    zf_session *s = NULL;
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_session_open(&s, &o, &err);
    if (rc == 0)
        rc = zf_session_api_base(s, out);
    zf_session_free(s);
    free(derived);
    return rc;
}

void cli_lib_close(cli_ctx *ctx)
{
    zf_session_free(ctx->session);
    ctx->session = NULL;
}
