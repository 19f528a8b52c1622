/*
 * GET /healthz (the process answers), /readyz (the store and the modules'
 * checks answer within a bound), /metrics (Prometheus text), /api/v1/openapi.json.
 */
#include "core.h"
#include "handlers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/hint.h"
#include "zoomflow/store.h"

int srv_h_healthz(srv_req *req, srv_resp *resp)
{
    return srv_json(resp, 200, json_pack("{s:s}", "status", "ok"));
}

/* The probe runs on a thread of its own so a hung database costs /readyz
 * its bound, not a pool thread forever: the store, then each module's
 * ready hook. The answer so far is kept under the lock, so a waiter that
 * gives up still says what answered and which part did not. */
typedef struct probe {
    pthread_mutex_t lock;
    pthread_cond_t done_cv;
    int done, rc, refs;
    const char *part;     /* the part running (or the one that failed) */
    const char *degraded; /* the first degraded module */
    json_t *checks;       /* under lock */
    srv_ctx *ctx;
} probe;

static void probe_unref(probe *p)
{
    pthread_mutex_lock(&p->lock);
    int left = --p->refs;
    pthread_mutex_unlock(&p->lock);
    if (left == 0) {
        json_decref(p->checks);
        pthread_cond_destroy(&p->done_cv);
        pthread_mutex_destroy(&p->lock);
        free(p);
    }
}

static void probe_at(probe *p, const char *part, const char *name, json_t *check)
{
    pthread_mutex_lock(&p->lock);
    if (name && check)
        json_object_set_new(p->checks, name, check);
    else
        json_decref(check);
    p->part = part;
    pthread_mutex_unlock(&p->lock);
}

static json_t *failed_check(json_t *check, const zf_error *e, int rc)
{
    if (!check)
        check = json_object();
    json_object_set_new(check, "status", json_string("failed"));
    json_object_set_new(check, "message",
                        json_string(e->message[0] ? e->message : zf_strerror(rc)));
    return check;
}

static int store_check(srv_ctx *ctx, zf_error *e)
{
    zf_store *st;
    int rc = srv_ctx_store(ctx, &st, e);
    if (rc == 0) {
        zf_store_conn c;
        memset(&c, 0, sizeof c);
        rc = zf_store_conn_get(st, "readyz-probe", &c, e);
        if (rc == 0)
            zf_store_conn_free(&c);
        if (rc == ZF_ENOTFOUND)
            rc = 0;
    }
    return rc;
}

static void *probe_main(void *arg)
{
    probe *p = arg;
    zf_error e = ZF_ERROR_INIT;
    const char *failed = NULL, *degraded = NULL;
    int rc = store_check(p->ctx, &e);
    if (rc < 0)
        failed = "store";
    probe_at(p, NULL, "store",
             rc < 0 ? failed_check(NULL, &e, rc) : json_pack("{s:s}", "status", "ok"));
    for (const srv_module *m = srv_modules; rc >= 0 && m->name; m++) {
        if (!m->ready)
            continue;
        probe_at(p, m->name, NULL, NULL);
        zf_error me = ZF_ERROR_INIT;
        json_t *check = json_object();
        int r = check ? m->ready(p->ctx, check, &me) : ZF_ENOMEM;
        if (r < 0) {
            rc = r;
            failed = m->name;
            check = failed_check(check, &me, r);
        } else {
            json_object_set_new(check, "status", json_string(r ? "degraded" : "ok"));
            if (r && !degraded)
                degraded = m->name;
        }
        probe_at(p, NULL, m->name, check);
    }
    pthread_mutex_lock(&p->lock);
    p->rc = rc < 0 ? rc : degraded ? SRV_READY_DEGRADED : 0;
    p->part = failed;
    p->degraded = degraded;
    p->done = 1;
    pthread_cond_signal(&p->done_cv);
    pthread_mutex_unlock(&p->lock);
    atomic_fetch_sub(&p->ctx->probes, 1);
    probe_unref(p);
    return NULL;
}

int srv_ready_probe(srv_ctx *ctx, json_t **checks, const char **failed, const char **degraded)
{
    *checks = NULL;
    *failed = *degraded = NULL;
    probe *p = calloc(1, sizeof *p);
    if (!p || !(p->checks = json_object())) {
        free(p);
        *failed = "store";
        return ZF_ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    p->refs = 2;
    p->ctx = ctx;
    p->part = "store";
    pthread_t t;
    atomic_fetch_add(&ctx->probes, 1);
    if (pthread_create(&t, NULL, probe_main, p) != 0) {
        atomic_fetch_sub(&ctx->probes, 1);
        p->refs = 1;
        probe_unref(p);
        *failed = "store";
        return ZF_ENOMEM;
    }
    pthread_detach(t);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    pthread_mutex_lock(&p->lock);
    while (!p->done)
        if (pthread_cond_timedwait(&p->done_cv, &p->lock, &until) != 0)
            break;
    int rc = p->done ? p->rc : ZF_ETIMEOUT;
    *checks = json_deep_copy(p->checks);
    *failed = p->done ? p->part : p->part ? p->part : "store";
    *degraded = p->done ? p->degraded : NULL;
    pthread_mutex_unlock(&p->lock);
    probe_unref(p);
    if (!*checks) {
        *failed = "store";
        return ZF_ENOMEM;
    }
    if (rc == ZF_ETIMEOUT)
        json_object_set_new(
            *checks, *failed,
            json_pack("{s:s,s:s}", "status", "failed", "message", "no answer within 2 s"));
    return rc;
}

/* ?require=NAME: a module with a ready hook (or "store") whose degraded
 * state makes the answer 503 too. */
static int require_known(const char *name)
{
    if (strcmp(name, "store") == 0)
        return 1;
    for (const srv_module *m = srv_modules; m->name; m++)
        if (m->ready && strcmp(m->name, name) == 0)
            return 1;
    return 0;
}

int srv_h_readyz(srv_req *req, srv_resp *resp)
{
    const char *require = srv_query(req, "require");
    if (require && !require_known(require)) {
        zf_error e = ZF_ERROR_INIT;
        zf_error_set(&e, ZF_EVALIDATION, "require=%.64s names no check of /readyz", require);
        zf_error_hint(&e, "use ?require=connection (503 while an org's Zoom connection needs "
                          "a person), or no require");
        return srv_error_status(resp, 400, &e);
    }
    json_t *checks;
    const char *failed, *degraded;
    int rc = srv_ready_probe(req->ctx, &checks, &failed, &degraded);
    if (rc == ZF_ENOMEM && !checks)
        return srv_fail(resp, ZF_ENOMEM, "cannot run the readiness probe");
    json_t *req_check = require ? json_object_get(checks, require) : NULL;
    const char *req_status = json_string_value(json_object_get(req_check, "status"));
    int required_degraded = rc >= 0 && req_status && strcmp(req_status, "degraded") == 0;
    if (rc >= 0 && !required_degraded) {
        json_t *body = json_pack("{s:s,s:o}", "status", "ready", "checks", checks);
        if (body && degraded)
            json_object_set_new(body, "degraded", json_string(degraded));
        return srv_json(resp, 200, body);
    }
    zf_error e = ZF_ERROR_INIT;
    if (required_degraded) {
        const char *why = json_string_value(json_object_get(req_check, "message"));
        zf_error_set(&e, ZF_EREAUTH, "not ready: %s needs attention%s%s", require, why ? ": " : "",
                     why ? why : "");
        zf_error_hint_id(&e, ZF_HINT_CHECK_CONNECTION, NULL);
    } else {
        int store = strcmp(failed, "store") == 0;
        zf_error_set(&e, store ? ZF_ESTORE : ZF_EIO, "not ready: %s %s", failed,
                     rc == ZF_ETIMEOUT ? "did not answer within 2 s" : "failed");
    }
    json_t *body = srv_error_json(&e, 503, req->request_id);
    if (body) {
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
