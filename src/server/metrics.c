/*
 * Metrics: counter and gauge families with label sets, the request
 * histogram, collectors of other parts, and the Prometheus text
 * exposition (version 0.0.4) of them all. One mutex guards the lot; each
 * update is a hash lookup and an add under it.
 */
#include "core.h"

#include <stdlib.h>
#include <string.h>

#define NBUCKETS 12
static const double buckets[NBUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                         0.1,   0.25,   0.5,   1.0,  2.5,   5.0};

#define HASH_SIZE 256
#define HIST -1 /* the family type of the request histogram */

typedef struct series {
    char *labels;
    double value;
    uint64_t counts[NBUCKETS + 1]; /* histograms: per bucket, last = +Inf */
    double sum;
    uint64_t count;
    struct series *next_in_family, *next_in_hash;
    struct family *fam;
} series;

typedef struct family {
    char *name;
    char *help;
    int type;
    series *first, *last;
    struct family *next;
} family;

typedef struct collector {
    srv_metrics_fn fn;
    void *arg;
    struct collector *next;
} collector;

struct srv_metrics {
    pthread_mutex_t lock;
    family *families, *families_last;
    series *hash[HASH_SIZE];
    collector *collectors, *collectors_last;
};

static uint32_t hash2(const char *a, const char *b)
{
    uint32_t h = 2166136261u;
    for (; *a; a++)
        h = (h ^ (unsigned char)*a) * 16777619u;
    h = (h ^ 0xff) * 16777619u;
    for (; *b; b++)
        h = (h ^ (unsigned char)*b) * 16777619u;
    return h % HASH_SIZE;
}

static int name_ok(const char *n)
{
    if (!n || !*n)
        return 0;
    for (const char *p = n; *p; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                 (p != n && c >= '0' && c <= '9');
        if (!ok)
            return 0;
    }
    return 1;
}

static family *family_find(srv_metrics *m, const char *name)
{
    for (family *f = m->families; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static int declare_locked(srv_metrics *m, const char *name, int type, const char *help)
{
    family *f = family_find(m, name);
    if (f)
        return f->type == type ? 0 : ZF_EINVAL;
    f = calloc(1, sizeof *f);
    if (!f)
        return ZF_ENOMEM;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    if (!f->name || !f->help) {
        free(f->name);
        free(f->help);
        free(f);
        return ZF_ENOMEM;
    }
    f->type = type;
    if (m->families_last)
        m->families_last->next = f;
    else
        m->families = f;
    m->families_last = f;
    return 0;
}

int srv_metrics_new(srv_metrics **out)
{
    srv_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return ZF_ENOMEM;
    pthread_mutex_init(&m->lock, NULL);
    if (declare_locked(m, "zoomflow_http_requests_total", SRV_METRIC_COUNTER,
                       "HTTP requests answered, by route pattern, method and status") < 0 ||
        declare_locked(m, "zoomflow_http_request_duration_seconds", HIST,
                       "Time from the request line to the answer queued, by route pattern") < 0) {
        srv_metrics_free(m);
        return ZF_ENOMEM;
    }
    *out = m;
    return 0;
}

void srv_metrics_free(srv_metrics *m)
{
    if (!m)
        return;
    for (family *f = m->families; f;) {
        family *nf = f->next;
        for (series *s = f->first; s;) {
            series *ns = s->next_in_family;
            free(s->labels);
            free(s);
            s = ns;
        }
        free(f->name);
        free(f->help);
        free(f);
        f = nf;
    }
    for (collector *c = m->collectors; c;) {
        collector *n = c->next;
        free(c);
        c = n;
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* The series of family + labels, made when new; NULL when out of memory
 * or the family is unknown. Under the lock. */
static series *series_get(srv_metrics *m, const char *name, const char *labels)
{
    if (!labels)
        labels = "";
    uint32_t h = hash2(name, labels);
    for (series *s = m->hash[h]; s; s = s->next_in_hash)
        if (strcmp(s->labels, labels) == 0 && strcmp(s->fam->name, name) == 0)
            return s;
    family *f = family_find(m, name);
    if (!f)
        return NULL;
    series *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->labels = strdup(labels);
    if (!s->labels) {
        free(s);
        return NULL;
    }
    s->fam = f;
    if (f->last)
        f->last->next_in_family = s;
    else
        f->first = s;
    f->last = s;
    s->next_in_hash = m->hash[h];
    m->hash[h] = s;
    return s;
}

int srv_metric_declare(srv_ctx *ctx, const char *family_name, int type, const char *help)
{
    if (!ctx || !ctx->metrics || !name_ok(family_name) ||
        (type != SRV_METRIC_COUNTER && type != SRV_METRIC_GAUGE))
        return ZF_EINVAL;
    pthread_mutex_lock(&ctx->metrics->lock);
    int rc = declare_locked(ctx->metrics, family_name, type, help);
    pthread_mutex_unlock(&ctx->metrics->lock);
    return rc;
}

static void metric_update(srv_ctx *ctx, const char *name, const char *labels, double v, int set)
{
    if (!ctx || !ctx->metrics || !name)
        return;
    pthread_mutex_lock(&ctx->metrics->lock);
    series *s = series_get(ctx->metrics, name, labels);
    if (s && s->fam->type != HIST) {
        if (set)
            s->value = v;
        else
            s->value += v;
    }
    pthread_mutex_unlock(&ctx->metrics->lock);
}

void srv_metric_add(srv_ctx *ctx, const char *family_name, const char *labels, double v)
{
    metric_update(ctx, family_name, labels, v, 0);
}

void srv_metric_set(srv_ctx *ctx, const char *family_name, const char *labels, double v)
{
    metric_update(ctx, family_name, labels, v, 1);
}

int srv_metric_label(zf_buf *out, const char *name, const char *value)
{
    if (out->len)
        zf_buf_putc(out, ',');
    zf_buf_appendf(out, "%s=\"", name);
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '\\')
            zf_buf_puts(out, "\\\\");
        else if (*p == '"')
            zf_buf_puts(out, "\\\"");
        else if (*p == '\n')
            zf_buf_puts(out, "\\n");
        else
            zf_buf_putc(out, *p);
    }
    return zf_buf_putc(out, '"');
}

int srv_metrics_collector(srv_ctx *ctx, srv_metrics_fn fn, void *arg)
{
    if (!ctx || !ctx->metrics || !fn)
        return ZF_EINVAL;
    collector *c = calloc(1, sizeof *c);
    if (!c)
        return ZF_ENOMEM;
    c->fn = fn;
    c->arg = arg;
    pthread_mutex_lock(&ctx->metrics->lock);
    if (ctx->metrics->collectors_last)
        ctx->metrics->collectors_last->next = c;
    else
        ctx->metrics->collectors = c;
    ctx->metrics->collectors_last = c;
    pthread_mutex_unlock(&ctx->metrics->lock);
    return 0;
}

void srv_metrics_observe(srv_ctx *ctx, const char *route, const char *method, int status,
                         double seconds)
{
    if (!ctx || !ctx->metrics)
        return;
    zf_buf l = ZF_BUF_INIT(4096);
    srv_metric_label(&l, "route", route);
    srv_metric_label(&l, "method", method);
    char st[16];
    snprintf(st, sizeof st, "%d", status);
    srv_metric_label(&l, "status", st);
    zf_buf h = ZF_BUF_INIT(4096);
    srv_metric_label(&h, "route", route);
    if (l.failed || h.failed) {
        zf_buf_free(&l);
        zf_buf_free(&h);
        return;
    }
    srv_metrics *m = ctx->metrics;
    pthread_mutex_lock(&m->lock);
    series *c = series_get(m, "zoomflow_http_requests_total", zf_buf_cstr(&l));
    if (c)
        c->value += 1;
    series *s = series_get(m, "zoomflow_http_request_duration_seconds", zf_buf_cstr(&h));
    if (s) {
        size_t b = 0;
        while (b < NBUCKETS && seconds > buckets[b])
            b++;
        s->counts[b]++;
        s->sum += seconds;
        s->count++;
    }
    pthread_mutex_unlock(&m->lock);
    zf_buf_free(&l);
    zf_buf_free(&h);
}

static void put_help(zf_buf *out, const char *name, const char *help)
{
    zf_buf_appendf(out, "# HELP %s ", name);
    for (const char *p = help; *p; p++) {
        if (*p == '\\')
            zf_buf_puts(out, "\\\\");
        else if (*p == '\n')
            zf_buf_puts(out, "\\n");
        else
            zf_buf_putc(out, *p);
    }
    zf_buf_putc(out, '\n');
}

int srv_metrics_render(srv_ctx *ctx, zf_buf *out)
{
    srv_metrics *m = ctx->metrics;
    if (!m)
        return 0;
    pthread_mutex_lock(&m->lock);
    for (family *f = m->families; f; f = f->next) {
        put_help(out, f->name, f->help);
        zf_buf_appendf(out, "# TYPE %s %s\n", f->name,
                       f->type == HIST                 ? "histogram"
                       : f->type == SRV_METRIC_COUNTER ? "counter"
                                                       : "gauge");
        for (series *s = f->first; s; s = s->next_in_family) {
            const char *comma = s->labels[0] ? "," : "";
            if (f->type == HIST) {
                uint64_t cum = 0;
                for (size_t b = 0; b <= NBUCKETS; b++) {
                    cum += s->counts[b];
                    if (b < NBUCKETS)
                        zf_buf_appendf(out, "%s_bucket{%s%sle=\"%g\"} %llu\n", f->name, s->labels,
                                       comma, buckets[b], (unsigned long long)cum);
                    else
                        zf_buf_appendf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", f->name, s->labels,
                                       comma, (unsigned long long)cum);
                }
                zf_buf_appendf(out, "%s_sum{%s} %.9g\n", f->name, s->labels, s->sum);
                zf_buf_appendf(out, "%s_count{%s} %llu\n", f->name, s->labels,
                               (unsigned long long)s->count);
            } else if (s->labels[0]) {
                zf_buf_appendf(out, "%s{%s} %.17g\n", f->name, s->labels, s->value);
            } else {
                zf_buf_appendf(out, "%s %.17g\n", f->name, s->value);
            }
        }
    }
    collector *cs = m->collectors;
    pthread_mutex_unlock(&m->lock);
    int rc = 0;
    for (collector *c = cs; c && rc == 0; c = c->next)
        rc = c->fn(c->arg, out);
    return out->failed ? ZF_ENOMEM : rc;
}
