#ifndef ZOOMFLOW_CLI_LIB_H
#define ZOOMFLOW_CLI_LIB_H
#include "cli.h"
#include "zoomflow/http.h"
#include "zoomflow/session.h"

/* HTTP options from the config (CA file, timeout, -vv traces). */
void cli_http_opts(const cli_ctx *ctx, zf_http_opts *h);
/* The session options the configuration gives (store, key, HTTP, bases;
 * conn_id = the profile): cli_session's, and `zoomflow serve`'s template
 * for every org's session. */
void cli_session_opts(const cli_ctx *ctx, zf_session_opts *o);
/* The command's session over the profile's connection, opened (nothing
 * inside it yet) on first use; freed by cli_lib_close at exit. An explicit
 * api_base (--api-base, ZOOMFLOW_API_BASE or the config file; not the
 * default) is pinned over the connection's own base for every API call. */
int cli_session(cli_ctx *ctx, zf_session **out, zf_error *err);
/* Shorthands: zf_session_tokens / zf_session_zoom of cli_session. */
int cli_tokens(cli_ctx *ctx, zf_tokens **out, zf_error *err);
int cli_zoom(cli_ctx *ctx, zf_zoom **out, const char **granted, zf_error *err);
/* The API base the settings alone give ("…/v2"): an explicit api_base, else
 * zf_oauth_default_api_base(oauth_base), normalised by zf_session_api_base
 * (the one rule; no connection is read) -- what `zoomflow config` shows. */
int cli_cfg_api_base(const cli_cfg *cfg, zf_buf *out);
/* cmd_status.c: when err says the profile id is not connected and the store
 * holds other connections, rewrites err to name them with the
 * LIST_CONNECTIONS hint (else leaves it: connect first). Returns err->code. */
int cli_unknown_profile(cli_ctx *ctx, zf_tokens *tk, const char *id, zf_error *err);
#endif
