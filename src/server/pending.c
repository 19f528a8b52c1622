/* Placeholders so the first commit of the interface links; replaced by the
 * real core (daemon.c, router.c, req.c, resp.c, metrics.c) next. */
#include "handlers.h"
#include "server.h"

#define PENDING(fn)                                                                                \
    int fn(srv_req *req, srv_resp *resp)                                                           \
    {                                                                                              \
        return srv_fail(resp, ZF_ENOTFOUND, "not yet");                                            \
    }
PENDING(srv_h_healthz)
PENDING(srv_h_readyz)
PENDING(srv_h_metrics)
PENDING(srv_h_openapi)
PENDING(srv_h_index)
PENDING(srv_h_asset)
PENDING(srv_h_session_create)
PENDING(srv_h_session_get)
PENDING(srv_h_session_delete)
PENDING(srv_h_accounts_list)
PENDING(srv_h_accounts_create)
PENDING(srv_h_accounts_update)
PENDING(srv_h_accounts_delete)
PENDING(srv_h_keys_list)
PENDING(srv_h_keys_create)
PENDING(srv_h_keys_delete)
PENDING(srv_h_audit_list)

int srv_main(const srv_opts *opts, zf_error *err)
{
    return zf_error_set(err, ZF_ECONFIG, "zoomflow serve is not built yet");
}
const char *srv_role_name(int role)
{
    return "anonymous";
}
int srv_ctx_store(srv_ctx *ctx, zf_store **out, zf_error *err)
{
    return ZF_ESTORE;
}
int srv_ctx_session(srv_ctx *ctx, const char *org, zf_session **out, zf_error *err)
{
    return ZF_ESTORE;
}
const char *srv_ctx_public_url(const srv_ctx *ctx)
{
    return "";
}
int srv_ctx_secure(const srv_ctx *ctx)
{
    return 0;
}
const srv_opts *srv_ctx_opts(const srv_ctx *ctx)
{
    return NULL;
}
const char *srv_param(const srv_req *req, const char *name)
{
    return NULL;
}
const char *srv_query(const srv_req *req, const char *name)
{
    return NULL;
}
const char *srv_header(const srv_req *req, const char *name)
{
    return NULL;
}
const char *srv_cookie(const srv_req *req, const char *name)
{
    return NULL;
}
int srv_json(srv_resp *resp, int status, json_t *steal)
{
    json_decref(steal);
    return 0;
}
int srv_error(srv_resp *resp, const zf_error *err)
{
    return 0;
}
int srv_error_status(srv_resp *resp, int status, const zf_error *err)
{
    return 0;
}
int srv_error_problems(srv_resp *resp, const zf_error *err, json_t *p)
{
    json_decref(p);
    return 0;
}
int srv_fail(srv_resp *resp, int code, const char *fmt, ...)
{
    return 0;
}
int srv_redirect(srv_resp *resp, int status, const char *url)
{
    return 0;
}
int srv_text(srv_resp *resp, int status, const char *ct, const char *body, size_t len)
{
    return 0;
}
int srv_static(srv_resp *resp, int status, const char *ct, const void *body, size_t len)
{
    return 0;
}
int srv_resp_header(srv_resp *resp, const char *name, const char *value)
{
    return 0;
}
int srv_set_cookie(srv_resp *resp, const char *name, const char *value, int64_t max_age)
{
    return 0;
}
int srv_status_of(int code)
{
    return 500;
}
json_t *srv_error_json(const zf_error *err, int status, const char *request_id)
{
    return NULL;
}
void srv_log(const srv_req *req, int level, const char *event, const char *fmt, ...)
{
}
int srv_metric_declare(srv_ctx *ctx, const char *family, int type, const char *help)
{
    return 0;
}
void srv_metric_add(srv_ctx *ctx, const char *family, const char *labels, double v)
{
}
void srv_metric_set(srv_ctx *ctx, const char *family, const char *labels, double v)
{
}
int srv_metric_label(zf_buf *out, const char *name, const char *value)
{
    return 0;
}
int srv_metrics_collector(srv_ctx *ctx, srv_metrics_fn fn, void *arg)
{
    return 0;
}
