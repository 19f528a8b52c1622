#ifndef ZOOMFLOW_CLI_LIB_H
#define ZOOMFLOW_CLI_LIB_H
#include "cli.h"
#include "zoomflow/crypt.h"
#include "zoomflow/http.h"
#include "zoomflow/store.h"
#include "zoomflow/tokens.h"

/* The profile's token manager (opens key, store and migrations on first use). */
int cli_tokens(cli_ctx *ctx, zf_tokens **out, zf_error *err);
/* HTTP options from the config (CA file, timeout, -vv traces). */
void cli_http_opts(const cli_ctx *ctx, zf_http_opts *h);
#endif
