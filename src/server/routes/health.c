/*
 * GET /healthz (the process answers), /readyz (the store answers within a
 * bound), /metrics (Prometheus text), /api/v1/openapi.json.
 */
#include "core.h"
#include "handlers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/store.h"

int srv_h_healthz(srv_req *req, srv_resp *resp)
{
    return srv_json(resp, 200, json_pack("{s:s}", "status", "ok"));
}

/* The store probe runs on a thread of its own so a hung database costs
 * /readyz its bound, not a pool thread forever. */
typedef struct probe {
    pthread_mutex_t lock;
    pthread_cond_t done_cv;
    int done, rc, refs;
    char message[ZF_ERROR_MSG_MAX];
    srv_ctx *ctx;
} probe;

static void probe_unref(probe *p)
{
    pthread_mutex_lock(&p->lock);
    int left = --p->refs;
    pthread_mutex_unlock(&p->lock);
    if (left == 0) {
        pthread_cond_destroy(&p->done_cv);
        pthread_mutex_destroy(&p->lock);
        free(p);
    }
}

static void *probe_main(void *arg)
{
    probe *p = arg;
    zf_error e = ZF_ERROR_INIT;
    zf_store *st;
    int rc = srv_ctx_store(p->ctx, &st, &e);
    if (rc == 0) {
        zf_store_conn c;
        memset(&c, 0, sizeof c);
        rc = zf_store_conn_get(st, "readyz-probe", &c, &e);
        if (rc == 0)
            zf_store_conn_free(&c);
        if (rc == ZF_ENOTFOUND)
            rc = 0;
    }
    pthread_mutex_lock(&p->lock);
    p->rc = rc;
    snprintf(p->message, sizeof p->message, "%s", rc ? e.message : "");
    p->done = 1;
    pthread_cond_signal(&p->done_cv);
    pthread_mutex_unlock(&p->lock);
    probe_unref(p);
    return NULL;
}

int srv_h_readyz(srv_req *req, srv_resp *resp)
{
    probe *p = calloc(1, sizeof *p);
    if (!p)
        return srv_fail(resp, ZF_ENOMEM, "out of memory");
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    p->refs = 2;
    p->ctx = req->ctx;
    pthread_t t;
    if (pthread_create(&t, NULL, probe_main, p) != 0) {
        p->refs = 1;
        probe_unref(p);
        return srv_fail(resp, ZF_ENOMEM, "cannot start the store probe");
    }
    pthread_detach(t);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    pthread_mutex_lock(&p->lock);
    while (!p->done)
        if (pthread_cond_timedwait(&p->done_cv, &p->lock, &until) != 0)
            break;
    int done = p->done, rc = p->rc;
    char msg[ZF_ERROR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", p->message);
    pthread_mutex_unlock(&p->lock);
    probe_unref(p);
    if (done && rc == 0)
        return srv_json(
            resp, 200,
            json_pack("{s:s,s:{s:{s:s}}}", "status", "ready", "checks", "store", "status", "ok"));
    zf_error e = ZF_ERROR_INIT;
    zf_error_set(&e, ZF_ESTORE, "not ready: the store %s",
                 done ? "failed" : "did not answer within 2 s");
    json_t *body = srv_error_json(&e, 503, req->request_id);
    json_t *checks = json_pack("{s:{s:s,s:s}}", "store", "status", "failed", "message",
                               done ? msg : "no answer within 2 s");
    if (body && checks) {
        json_object_set_new(body, "status", json_string("not ready"));
        json_object_set_new(body, "checks", checks);
    } else {
        json_decref(checks);
    }
    srv_resp_header(resp, "Retry-After", "5");
    return srv_json(resp, 503, body);
}

int srv_h_metrics(srv_req *req, srv_resp *resp)
{
    zf_buf b = ZF_BUF_INIT(16u << 20);
    int rc = srv_metrics_render(req->ctx, &b);
    if (rc < 0 || b.failed) {
        zf_buf_free(&b);
        return srv_fail(resp, ZF_ENOMEM, "cannot render the metrics");
    }
    rc = srv_text(resp, 200, "text/plain; version=0.0.4; charset=utf-8", b.ptr ? b.ptr : "", b.len);
    zf_buf_free(&b);
    return rc;
}

int srv_h_openapi(srv_req *req, srv_resp *resp)
{
    json_t *doc = srv_openapi_doc(req->ctx);
    if (!doc)
        return srv_fail(resp, ZF_ENOMEM, "cannot make the document");
    return srv_json(resp, 200, doc);
}
