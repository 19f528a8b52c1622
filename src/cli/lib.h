#ifndef ZOOMFLOW_CLI_LIB_H
#define ZOOMFLOW_CLI_LIB_H
#include "cli.h"
#include "zoomflow/crypt.h"
#include "zoomflow/http.h"
#include "zoomflow/store.h"
#include "zoomflow/tokens.h"
#include "zoomflow/zoom.h"

/* The profile's token manager (opens key, store and migrations on first use). */
int cli_tokens(cli_ctx *ctx, zf_tokens **out, zf_error *err);
/* HTTP options from the config (CA file, timeout, -vv traces). */
void cli_http_opts(const cli_ctx *ctx, zf_http_opts *h);
/* The token source for the profile's connection. An explicit api_base
 * (--api-base, ZOOMFLOW_API_BASE or the config file; not the default) wins
 * over the connection's own base (Zoom's api_url) for every API call. */
int cli_token_source(cli_ctx *ctx, zf_tokens *tk, zf_zoom_tokens *out, zf_error *err);
/* A Zoom client over the profile's connection, and the scopes it was
 * granted (borrowed, may be NULL). Fails with ZF_ENOTCONNECTED and a hint
 * when the profile is not connected. */
int cli_zoom(cli_ctx *ctx, zf_zoom **out, const char **granted, zf_error *err);
/* The store opened by cli_tokens/cli_zoom, or NULL. */
zf_store *cli_store(cli_ctx *ctx);
/* "{api base}/v2": an explicit api_base, else the connection's, else
 * cli_cfg_api_base (no token is read). */
int cli_api_base(cli_ctx *ctx, zf_buf *out);
/* The API base the settings alone give ("…/v2"): an explicit api_base, else
 * zf_oauth_default_api_base(oauth_base) -- the rule `zoomflow config` shows. */
int cli_cfg_api_base(const cli_cfg *cfg, zf_buf *out);
#endif
