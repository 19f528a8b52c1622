/*
 * The service's Zoom clients and their counters (routes/zoom_clients.c):
 * one zf_zoom per worker thread and org (zf_session_zoom_new over the
 * org's session), freed at shutdown; the Zoom-call metrics read from each
 * client's zf_zoom_stats and each org's zf_tokens_stats. Shared by the
 * action and connection routes (and the workflows later).
 */
#ifndef ZOOMFLOW_SERVER_ZOOM_CLIENTS_H
#define ZOOMFLOW_SERVER_ZOOM_CLIENTS_H

#include "server.h"
#include "zoomflow/zoom.h"

/* This thread's client for org (made on first use; borrowed until
 * shutdown). ZF_ENOTCONNECTED when the org has no connection. */
int srv_zoom_client(srv_ctx *ctx, const char *org, zf_zoom **out, zf_error *err);
/* Adds what z did between before and now to the metrics, labelled with
 * the endpoint (the action's name). */
void srv_zoom_count(srv_ctx *ctx, const char *endpoint, const zf_zoom_stats *before,
                    const zf_zoom *z);
/* The org's token manager (through its session). */
int srv_org_tokens(srv_ctx *ctx, const char *org, zf_tokens **out, zf_error *err);

/* The module row (routes.c): declares the families, frees the clients. */
int srv_zoom_module_init(srv_ctx *ctx, zf_error *err);
void srv_zoom_module_fini(srv_ctx *ctx);

#endif
