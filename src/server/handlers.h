/*
 * The handlers of the route table (routes.c), one group per file of
 * routes/. Each branch of the service adds its own group (additive).
 */
#ifndef ZOOMFLOW_SERVER_HANDLERS_H
#define ZOOMFLOW_SERVER_HANDLERS_H
#include "server.h"

/* routes/health.c */
int srv_h_healthz(srv_req *req, srv_resp *resp);
int srv_h_readyz(srv_req *req, srv_resp *resp);
int srv_h_metrics(srv_req *req, srv_resp *resp);
int srv_h_openapi(srv_req *req, srv_resp *resp);
/* The /readyz probe (routes/health.c): the store, then each module's ready
 * hook, on a thread of its own, waited for at most 2 s. *checks gets the
 * answer's "checks" object (the caller's); returns 0 ready, 1 when a module
 * is degraded (*degraded names the first, static), or the negative code of
 * the failure (*failed names the part: "store" or a module). */
int srv_ready_probe(srv_ctx *ctx, json_t **checks, const char **failed, const char **degraded);

/* routes/web.c: the admin page (svcweb's embedded assets) */
int srv_h_index(srv_req *req, srv_resp *resp);
int srv_h_doctor(srv_req *req, srv_resp *resp);
int srv_h_asset(srv_req *req, srv_resp *resp);

/* routes/session.c */
int srv_h_session_create(srv_req *req, srv_resp *resp);
int srv_h_session_get(srv_req *req, srv_resp *resp);
int srv_h_session_delete(srv_req *req, srv_resp *resp);

/* routes/accounts.c */
int srv_h_accounts_list(srv_req *req, srv_resp *resp);
int srv_h_accounts_create(srv_req *req, srv_resp *resp);
int srv_h_accounts_update(srv_req *req, srv_resp *resp);
int srv_h_accounts_delete(srv_req *req, srv_resp *resp);

/* routes/keys.c */
int srv_h_keys_list(srv_req *req, srv_resp *resp);
int srv_h_keys_create(srv_req *req, srv_resp *resp);
int srv_h_keys_delete(srv_req *req, srv_resp *resp);

/* routes/audit.c */
int srv_h_audit_list(srv_req *req, srv_resp *resp);

/* routes/actions.c */
int srv_h_actions_list(srv_req *req, srv_resp *resp);
int srv_h_actions_get(srv_req *req, srv_resp *resp);
int srv_h_actions_run(srv_req *req, srv_resp *resp);
int srv_actions_openapi(srv_ctx *ctx, json_t *doc);

/* routes/connection.c */
int srv_h_connection_get(srv_req *req, srv_resp *resp);
int srv_h_connection_s2s(srv_req *req, srv_resp *resp);
int srv_h_connection_delete(srv_req *req, srv_resp *resp);

/* routes/oauth.c */
int srv_h_oauth_connect(srv_req *req, srv_resp *resp);
int srv_h_oauth_callback(srv_req *req, srv_resp *resp);
int srv_oauth_module_init(srv_ctx *ctx, zf_error *err);
void srv_oauth_module_fini(srv_ctx *ctx);

/* routes/zoom_clients.c (the Zoom clients and their metrics) */
int srv_zoom_module_init(srv_ctx *ctx, zf_error *err);
void srv_zoom_module_fini(srv_ctx *ctx);

/* routes/conn_health.c: each org's connection as stored, for /readyz
 * and the connection gauges of /metrics */
int srv_conn_health_init(srv_ctx *ctx, zf_error *err);
int srv_conn_health_ready(srv_ctx *ctx, json_t *check, zf_error *err);

/* routes/webhooks.c */
int srv_h_webhook_intake(srv_req *req, srv_resp *resp);
int srv_h_webhook_get(srv_req *req, srv_resp *resp);
int srv_h_webhook_put(srv_req *req, srv_resp *resp);
int srv_webhooks_init(srv_ctx *ctx, zf_error *err);
int srv_webhooks_openapi(srv_ctx *ctx, json_t *doc);

/* routes/workflows.c, routes/runs.c (wfrest) */
int srv_h_workflows_list(srv_req *req, srv_resp *resp);
int srv_h_workflows_get(srv_req *req, srv_resp *resp);
int srv_h_workflows_create(srv_req *req, srv_resp *resp);
int srv_h_workflows_delete(srv_req *req, srv_resp *resp);
int srv_h_runs_list(srv_req *req, srv_resp *resp);
int srv_h_runs_get(srv_req *req, srv_resp *resp);
int srv_h_runs_retry(srv_req *req, srv_resp *resp);
int srv_h_runs_cancel(srv_req *req, srv_resp *resp);
/* routes/events.c: POST /api/v1/events/{name} */
int srv_h_events_post(srv_req *req, srv_resp *resp);
int srv_events_openapi(srv_ctx *ctx, json_t *doc);

/* routes/wf_engine.c: the workflows module (triggers, workers, scheduler) */
int srv_wf_init(srv_ctx *ctx, zf_error *err);
void srv_wf_fini(srv_ctx *ctx);
int srv_wf_start(srv_ctx *ctx, zf_error *err);
void srv_wf_stop(srv_ctx *ctx);

#endif
