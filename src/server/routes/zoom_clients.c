/*
 * One Zoom client per worker thread and org (session.h: a zf_zoom belongs
 * to one thread; all of an org's clients share its session's token
 * source, so one refresh per connection), and the Zoom-call metrics:
 * counters the library keeps (zf_zoom_stats per client, zf_tokens_stats
 * per token manager), turned into Prometheus families here. No HTTP of
 * Zoom's is parsed in the service.
 */
#include "zoom_clients.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/session.h"
#include "zoomflow/tokens.h"

typedef struct zclient {
    pthread_t thread;
    char org[SRV_ID_MAX];
    zf_zoom *z;
    struct zclient *next;
} zclient;

/* The orgs whose token managers the collector reads. */
typedef struct zorg {
    char org[SRV_ID_MAX];
    zf_tokens *tk;
    struct zorg *next;
} zorg;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static zclient *clients;
static zorg *orgs;

static void remember_org(const char *org, zf_tokens *tk)
{
    pthread_mutex_lock(&mu);
    zorg *o = orgs;
    while (o && strcmp(o->org, org) != 0)
        o = o->next;
    if (!o && (o = calloc(1, sizeof *o)) != NULL) {
        snprintf(o->org, sizeof o->org, "%s", org);
        o->tk = tk;
        o->next = orgs;
        orgs = o;
    }
    pthread_mutex_unlock(&mu);
}

int srv_org_tokens(srv_ctx *ctx, const char *org, zf_tokens **out, zf_error *err)
{
    zf_session *s;
    int rc = srv_ctx_session(ctx, org, &s, err);
    if (rc == 0 && (rc = zf_session_tokens(s, out, err)) == 0)
        remember_org(org, *out);
    return rc;
}

int srv_zoom_client(srv_ctx *ctx, const char *org, zf_zoom **out, zf_error *err)
{
    pthread_t me = pthread_self();
    pthread_mutex_lock(&mu);
    for (zclient *c = clients; c; c = c->next)
        if (pthread_equal(c->thread, me) && strcmp(c->org, org) == 0) {
            *out = c->z;
            pthread_mutex_unlock(&mu);
            return 0;
        }
    pthread_mutex_unlock(&mu);
    zf_session *s;
    zf_tokens *tk;
    int rc = srv_org_tokens(ctx, org, &tk, err);
    if (rc == 0)
        rc = srv_ctx_session(ctx, org, &s, err);
    zclient *c = rc == 0 ? calloc(1, sizeof *c) : NULL;
    if (rc == 0 && !c)
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    if (rc == 0 && (rc = zf_session_zoom_new(s, &c->z, NULL, NULL, err)) != 0) {
        free(c);
        return rc;
    }
    if (rc)
        return rc;
    c->thread = me;
    snprintf(c->org, sizeof c->org, "%s", org);
    pthread_mutex_lock(&mu);
    c->next = clients;
    clients = c;
    pthread_mutex_unlock(&mu);
    *out = c->z;
    return 0;
}

static void add(srv_ctx *ctx, const char *family, const char *endpoint, const char *status,
                double v)
{
    if (v <= 0)
        return;
    zf_buf l = ZF_BUF_INIT(512);
    srv_metric_label(&l, "endpoint", endpoint);
    if (status)
        srv_metric_label(&l, "status", status);
    srv_metric_add(ctx, family, zf_buf_cstr(&l), v);
    zf_buf_free(&l);
}

void srv_zoom_count(srv_ctx *ctx, const char *endpoint, const zf_zoom_stats *b, const zf_zoom *z)
{
    zf_zoom_stats a;
    zf_zoom_stats_get(z, &a);
    add(ctx, "zoomflow_zoom_requests_total", endpoint, "2xx",
        (double)(a.status_2xx - b->status_2xx));
    add(ctx, "zoomflow_zoom_requests_total", endpoint, "429",
        (double)(a.rate_limited - b->rate_limited));
    add(ctx, "zoomflow_zoom_requests_total", endpoint, "4xx",
        (double)(a.status_4xx - b->status_4xx - (a.rate_limited - b->rate_limited)));
    add(ctx, "zoomflow_zoom_requests_total", endpoint, "5xx",
        (double)(a.status_5xx - b->status_5xx));
    add(ctx, "zoomflow_zoom_requests_total", endpoint, "transport_error",
        (double)(a.transport_errors - b->transport_errors));
    add(ctx, "zoomflow_zoom_retries_total", endpoint, NULL, (double)(a.retries - b->retries));
    add(ctx, "zoomflow_zoom_rate_limited_total", endpoint, NULL,
        (double)(a.rate_limited - b->rate_limited));
    add(ctx, "zoomflow_zoom_token_rejected_total", endpoint, NULL,
        (double)(a.reauths - b->reauths));
    add(ctx, "zoomflow_zoom_pacer_waits_total", endpoint, NULL,
        (double)(a.pacer_waits - b->pacer_waits));
    add(ctx, "zoomflow_zoom_pacer_wait_seconds_total", endpoint, NULL,
        (double)(a.pacer_wait_ms - b->pacer_wait_ms) / 1000.0);
    add(ctx, "zoomflow_zoom_backoff_seconds_total", endpoint, NULL,
        (double)(a.backoff_ms - b->backoff_ms) / 1000.0);
}

/* Token refreshes per org, from the token managers (a refresh may come
 * from any client of the org, or from a connection route). */
static int collect(void *arg, zf_buf *out)
{
    zf_buf_puts(out, "# HELP zoomflow_zoom_token_refreshes_total Token refreshes sent to the "
                     "OAuth token endpoint, by org and result.\n"
                     "# TYPE zoomflow_zoom_token_refreshes_total counter\n");
    pthread_mutex_lock(&mu);
    for (zorg *o = orgs; o; o = o->next) {
        int64_t n = 0, failed = 0;
        zf_tokens_stats(o->tk, &n, &failed);
        zf_buf l = ZF_BUF_INIT(512);
        srv_metric_label(&l, "org", o->org);
        zf_buf_appendf(out, "zoomflow_zoom_token_refreshes_total{%s,result=\"ok\"} %lld\n",
                       zf_buf_cstr(&l), (long long)(n - failed));
        zf_buf_appendf(out, "zoomflow_zoom_token_refreshes_total{%s,result=\"failed\"} %lld\n",
                       zf_buf_cstr(&l), (long long)failed);
        zf_buf_free(&l);
    }
    pthread_mutex_unlock(&mu);
    return out->failed ? ZF_ENOMEM : 0;
}

static const struct {
    const char *name;
    const char *help;
} families[] = {
    {"zoomflow_zoom_requests_total", "HTTP exchanges with the Zoom API, by endpoint (the "
                                     "action) and status class"},
    {"zoomflow_zoom_retries_total", "Zoom exchanges repeated after a retryable failure"},
    {"zoomflow_zoom_rate_limited_total", "Zoom answers 429 (rate limited)"},
    {"zoomflow_zoom_token_rejected_total",
     "Zoom answers 401 code 124: the token was rejected and refreshed"},
    {"zoomflow_zoom_pacer_waits_total", "Requests the rate-limit pacer made wait"},
    {"zoomflow_zoom_pacer_wait_seconds_total", "Time requests waited for the rate-limit pacer"},
    {"zoomflow_zoom_backoff_seconds_total", "Time slept between retries of Zoom calls"},
    {"zoomflow_idempotency_total",
     "Requests with an Idempotency-Key, by result (run, replayed, in_progress, mismatch, "
     "unknown_outcome)"},
};

int srv_zoom_module_init(srv_ctx *ctx, zf_error *err)
{
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (srv_metric_declare(ctx, families[i].name, SRV_METRIC_COUNTER, families[i].help) != 0)
            return zf_error_set(err, ZF_EINVAL, "cannot declare the metric %s", families[i].name);
    if (srv_metrics_collector(ctx, collect, NULL) != 0)
        return zf_error_set(err, ZF_ENOMEM, "cannot add the Zoom metrics collector");
    return 0;
}

void srv_zoom_module_fini(srv_ctx *ctx)
{
    pthread_mutex_lock(&mu);
    while (clients) {
        zclient *c = clients;
        clients = c->next;
        zf_zoom_free(c->z);
        free(c);
    }
    while (orgs) {
        zorg *o = orgs;
        orgs = o->next;
        free(o);
    }
    pthread_mutex_unlock(&mu);
}
