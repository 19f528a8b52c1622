/*
 * The Zoom client: one call = token, URL, pacing, exchanges and retries.
 *
 * The loop here only executes; every decision (retry or not, how long to
 * wait, which error) is made by the pure functions in retry.c,
 * headers.c, errors.c and pacer.c. The bearer token is attached only to
 * URLs built by zf_zoom__build_url from the token source's API base, and
 * redirects are never followed, so it cannot leave that origin.
 */
#include "zoom_internal.h"
#include "json_scan.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Bytes of a streamed answer held back until its status is known: error
 * bodies are small, so a streamed error body never reaches the sink. */
#define STREAM_HOLD ZF_ZOOM_ERRBODY_MAX

/* The pacer of a client and its siblings (zf_zoom_sibling_new): one for
 * all of them, under its lock, freed with the last client. */
typedef struct shared_pacer {
    pthread_mutex_t mu;
    int refs;
    zf_zoom_pacer p;
} shared_pacer;

struct zf_zoom {
    zf_zoom_tokens tokens;
    zf_http_opts http_opts; /* kept for siblings (its strings borrowed, as given) */
    zf_zoom_retry retry;
    zf_http *http;
    int64_t (*mono_ms)(void *ctx);
    int64_t (*wall_s)(void *ctx);
    void (*sleep_ms)(void *ctx, int64_t ms);
    void *clock_ctx;
    int pace;
    shared_pacer *pacer;
    zf_zoom__transport_fn transport;
    void *transport_ctx;
    uint64_t (*rand)(void *ctx);
    void *rand_ctx;
    uint64_t rng;
    zf_zoom_stats stats;
};

void zf_zoom_stats_get(const zf_zoom *z, zf_zoom_stats *out)
{
    if (z)
        *out = z->stats;
    else
        memset(out, 0, sizeof *out);
}

static int64_t sys_mono_ms(void *ctx)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t sys_wall_s(void *ctx)
{
    return (int64_t)time(NULL);
}

static void sys_sleep_ms(void *ctx, int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* xorshift64*: jitter needs spread, not secrecy. */
static uint64_t next_random(zf_zoom *z)
{
    if (z->rand)
        return z->rand(z->rand_ctx);
    z->rng ^= z->rng >> 12;
    z->rng ^= z->rng << 25;
    z->rng ^= z->rng >> 27;
    return z->rng * 0x2545F4914F6CDD1DULL;
}

static int http_transport(void *ctx, const zf_http_req *req, zf_http_resp *resp, zf_error *err)
{
    return zf_http_do(ctx, req, resp, err);
}

void zf_zoom__set_transport(zf_zoom *z, zf_zoom__transport_fn fn, void *ctx)
{
    z->transport = fn ? fn : http_transport;
    z->transport_ctx = fn ? ctx : z->http;
}

void zf_zoom__set_random(zf_zoom *z, uint64_t (*fn)(void *ctx), void *ctx)
{
    z->rand = fn;
    z->rand_ctx = ctx;
}

int zf_zoom_new(zf_zoom **out, const zf_zoom_opts *opts, zf_error *err)
{
    *out = NULL;
    if (!opts || !opts->tokens.get || !opts->tokens.reject)
        return zf_error_set(err, ZF_EINVAL,
                            "zf_zoom_new: a token source (get and reject) "
                            "is required");
    if (opts->retry.max_attempts < 1 || opts->retry.budget_ms < 0 || opts->retry.base_ms < 0 ||
        opts->retry.max_backoff_ms < 0)
        return zf_error_set(err, ZF_EINVAL,
                            "zf_zoom_new: retry policy needs max_attempts >= 1 "
                            "and non-negative times");
    zf_zoom *z = calloc(1, sizeof *z);
    if (!z)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    z->tokens = opts->tokens;
    z->retry = opts->retry;
    z->mono_ms = opts->mono_ms ? opts->mono_ms : sys_mono_ms;
    z->wall_s = opts->wall_s ? opts->wall_s : sys_wall_s;
    z->sleep_ms = opts->sleep_ms ? opts->sleep_ms : sys_sleep_ms;
    z->clock_ctx = opts->clock_ctx;
    z->pace = opts->pacer;
    z->http_opts = opts->http;
    z->pacer = calloc(1, sizeof *z->pacer);
    if (!z->pacer) {
        free(z);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&z->pacer->mu, NULL);
    z->pacer->refs = 1;
    zf_zoom__pacer_init(&z->pacer->p);
    z->rng = ((uint64_t)sys_mono_ms(NULL) << 20) ^ (uint64_t)(uintptr_t)z ^ 0x9E3779B97F4A7C15ULL;
    int rc = zf_http_new(&z->http, &opts->http, err);
    if (rc) {
        zf_zoom_free(z);
        return rc;
    }
    zf_zoom__set_transport(z, NULL, NULL);
    *out = z;
    return 0;
}

int zf_zoom_sibling_new(zf_zoom **out, zf_zoom *z, zf_error *err)
{
    *out = NULL;
    zf_zoom *s = calloc(1, sizeof *s);
    if (!s)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    s->tokens = z->tokens;
    s->http_opts = z->http_opts;
    s->retry = z->retry;
    s->mono_ms = z->mono_ms;
    s->wall_s = z->wall_s;
    s->sleep_ms = z->sleep_ms;
    s->clock_ctx = z->clock_ctx;
    s->pace = z->pace;
    s->rand = z->rand;
    s->rand_ctx = z->rand_ctx;
    s->rng = ((uint64_t)sys_mono_ms(NULL) << 20) ^ (uint64_t)(uintptr_t)s ^ 0x9E3779B97F4A7C15ULL;
    int rc = zf_http_new(&s->http, &z->http_opts, err);
    if (rc) {
        free(s);
        return rc;
    }
    if (z->transport == http_transport)
        zf_zoom__set_transport(s, NULL, NULL);
    else
        zf_zoom__set_transport(s, z->transport, z->transport_ctx);
    pthread_mutex_lock(&z->pacer->mu);
    z->pacer->refs++;
    pthread_mutex_unlock(&z->pacer->mu);
    s->pacer = z->pacer;
    *out = s;
    return 0;
}

const zf_zoom_tokens *zf_zoom_token_source(const zf_zoom *z)
{
    return z ? &z->tokens : NULL;
}

int zf_zoom_conn_kind(const zf_zoom *z)
{
    return z && z->tokens.kind ? z->tokens.kind(z->tokens.ctx) : -1;
}

void zf_zoom_free(zf_zoom *z)
{
    if (!z)
        return;
    zf_http_free(z->http);
    if (z->pacer) {
        pthread_mutex_lock(&z->pacer->mu);
        int last = --z->pacer->refs == 0;
        pthread_mutex_unlock(&z->pacer->mu);
        if (last) {
            pthread_mutex_destroy(&z->pacer->mu);
            free(z->pacer);
        }
    }
    free(z);
}

void zf_zoom_resp_init(zf_zoom_resp *r)
{
    memset(r, 0, sizeof *r);
    zf_buf_init(&r->body, (size_t)64 << 20);
    zf_buf_init(&r->headers, (size_t)1 << 20);
}

void zf_zoom_resp_free(zf_zoom_resp *r)
{
    if (!r)
        return;
    zf_buf_free(&r->body);
    zf_buf_free(&r->headers);
    json_decref(r->json);
    r->json = NULL;
}

const char *zf_zoom_resp_header(const zf_zoom_resp *r, const char *name, char *out, size_t outlen)
{
    if (!r || !name || !out || !outlen)
        return NULL;
    return zf_zoom__header(zf_buf_cstr(&r->headers), name, out, outlen);
}

/* --- streaming: hold back the start of the body until the status is known */

typedef struct stream_ctx {
    const zf_zoom_req *req;
    zf_buf held;
    long *status; /* set by the transport when known; NULL = unknown */
    int flushed;  /* bytes reached the caller's sink */
    int aborted;
} stream_ctx;

/* Hands the held bytes to the caller's sink; false when it refused them. */
static bool stream_flush(stream_ctx *s)
{
    if (s->held.len && s->req->sink(s->req->sink_ctx, s->held.ptr, s->held.len) != 0) {
        s->aborted = 1;
        return false;
    }
    s->flushed = s->flushed || s->held.len > 0;
    zf_buf_reset(&s->held);
    return true;
}

static int stream_write(void *ctx, const void *data, size_t n)
{
    stream_ctx *s = ctx;
    if (!s->flushed && s->held.len + n <= STREAM_HOLD)
        return zf_buf_append(&s->held, data, n) == 0 ? 0 : 1;
    if (!stream_flush(s))
        return 1;
    s->flushed = 1;
    if (s->req->sink(s->req->sink_ctx, data, n) != 0) {
        s->aborted = 1;
        return 1;
    }
    return 0;
}

/* --- the call */

typedef struct call_state {
    zf_zoom *z;
    const zf_zoom_req *req;
    const char *method;
    zf_secret token;
    char *base;
    zf_buf url;
    int cat;
    int64_t start_ms;
    int attempts;
    int unsure; /* an attempt reached Zoom with an unknown outcome */
} call_state;

static int64_t elapsed(const call_state *cs)
{
    return cs->z->mono_ms(cs->z->clock_ctx) - cs->start_ms;
}

static const char *method_of(const zf_zoom_req *req)
{
    if (req->method)
        return req->method;
    return req->kind == ZF_ZOOM_CREATE ? "POST" : req->kind == ZF_ZOOM_WRITE ? "PATCH" : "GET";
}

static void log_call(const call_state *cs, long status, const char *rid, int rc)
{
    if (!zf_log_enabled(ZF_LOG_DEBUG))
        return;
    char path[256];
    zf_zoom__snippet(cs->req->path, strlen(cs->req->path), sizeof path - 1, path, sizeof path);
    zf_log(ZF_LOG_DEBUG, "zoom", "%s /v2%s%s -> %ld, %d attempt%s, %lld ms, request id %s%s%s",
           cs->method, path[0] == '/' ? "" : "/", path, status, cs->attempts,
           cs->attempts == 1 ? "" : "s", (long long)elapsed(cs), rid && *rid ? rid : "-",
           rc ? ", error " : "", rc ? zf_code_name(rc) : "");
}

/* Sleeps, but never past the budget. */
static void wait_ms(call_state *cs, int64_t ms)
{
    int64_t left = cs->z->retry.budget_ms - elapsed(cs);
    if (ms > left)
        ms = left;
    if (ms > 0)
        cs->z->sleep_ms(cs->z->clock_ctx, ms);
}

/* Whether the caller's extra headers name this one (case-insensitive). */
static int has_header(const char *const *h, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; h && h[i] && i < ZF_ZOOM_HEADERS_MAX; i++)
        if (strncasecmp(h[i], name, n) == 0 && h[i][n] == ':')
            return 1;
    return 0;
}

static int exchange(call_state *cs, zf_http_resp *hr, stream_ctx *sc, zf_error *err)
{
    const zf_zoom_req *req = cs->req;
    const char *hdrs[ZF_ZOOM_HEADERS_MAX + 3];
    size_t nh = 0;
    if (!has_header(req->headers, "Accept"))
        hdrs[nh++] = "Accept: application/json";
    if (req->body && !has_header(req->headers, "Content-Type"))
        hdrs[nh++] = "Content-Type: application/json";
    for (size_t i = 0; req->headers && req->headers[i] && i < ZF_ZOOM_HEADERS_MAX; i++)
        hdrs[nh++] = req->headers[i];
    hdrs[nh] = NULL;
    zf_http_req h = ZF_HTTP_REQ_INIT;
    h.method = cs->method;
    h.url = zf_buf_cstr(&cs->url);
    h.headers = hdrs;
    h.body = req->body;
    h.body_len = req->body ? req->body_len : 0;
    h.bearer = &cs->token;
    if (req->sink) {
        h.sink = stream_write;
        h.sink_ctx = sc;
    }
    zf_error terr = ZF_ERROR_INIT;
    int rc = cs->z->transport(cs->z->transport_ctx, &h, hr, &terr);
    cs->attempts++;
    if (rc)
        *err = terr;
    return rc;
}

/* Fills the decision's view of one exchange; parses a 2xx JSON body into
 * *json (NULL when empty or streamed). */
static void outcome_of(const zf_http_resp *hr, int rc, const zf_error *terr, const stream_ctx *sc,
                       const zf_zoom_req *req, json_t **json, zf_zoom_outcome *o)
{
    int streamed = req->sink != NULL, raw_json = req->raw_json;
    memset(o, 0, sizeof *o);
    o->transport_err = rc;
    o->transport_msg = rc ? terr->message : NULL;
    o->sent = hr->sent;
    o->status = rc ? 0 : hr->status;
    o->headers = zf_buf_cstr(&hr->headers);
    const zf_buf *body = streamed ? &sc->held : &hr->body;
    o->body = zf_buf_cstr(body);
    o->body_len = body->len;
    if (rc || o->status < 200 || o->status >= 300 || streamed || body->len == 0)
        return;
    if (raw_json) {
        zf_jspan v;
        o->body_bad = req->raw_check
                          ? req->raw_check(req->raw_check_ctx, body->ptr, body->len) != 0
                          : zf_json_scan_validate(body->ptr, body->len, &v, NULL, NULL) != 0;
        return;
    }
    *json = json_loadb(body->ptr, body->len, 0, NULL);
    o->body_bad = *json == NULL;
}

static int finish_ok(call_state *cs, zf_http_resp *hr, json_t *json, stream_ctx *sc,
                     zf_zoom_resp *resp, zf_error *err)
{
    if (cs->req->sink && !stream_flush(sc))
        return zf_error_set(err, ZF_ECANCELED, "the download was stopped by its receiver");
    resp->status = hr->status;
    resp->json = json;
    resp->attempts = cs->attempts;
    resp->unsure = cs->unsure;
    zf_buf_free(&resp->body);
    resp->body = hr->body;
    zf_buf_init(&hr->body, hr->body.max);
    if (!hr->request_id[0])
        zf_zoom__header(zf_buf_cstr(&hr->headers), "x-zm-trackingid", hr->request_id,
                        sizeof hr->request_id);
    memcpy(resp->request_id, hr->request_id, sizeof resp->request_id);
    zf_buf_free(&resp->headers);
    resp->headers = hr->headers;
    zf_buf_init(&hr->headers, hr->headers.max);
    return 0;
}

/* A call that failed on Zoom's answer (4xx, 5xx after the retries): its
 * status, headers and body stay in resp (json NULL), as `api --include`
 * shows them. */
static void keep_refusal(zf_zoom_resp *resp, zf_http_resp *hr)
{
    resp->status = hr->status;
    zf_buf_free(&resp->body);
    resp->body = hr->body;
    zf_buf_init(&hr->body, hr->body.max);
    zf_buf_free(&resp->headers);
    resp->headers = hr->headers;
    zf_buf_init(&hr->headers, hr->headers.max);
}

/* Zoom refused the token (401, code 124): a new one from the token source.
 * When that fails at the token endpoint (a 503 there, a refused refresh
 * token), the error is the endpoint's, with its status: not the 401 that
 * started it. Only a refusal with no exchange of its own (the source has
 * nothing better) keeps the API's 401 and code 124. */
static int reauth(call_state *cs, const zf_zoom_outcome *o, zf_error *err)
{
    zf_secret fresh = ZF_SECRET_INIT;
    err->http_status = 0;
    err->zoom_code = 0;
    int rc = cs->z->tokens.reject(cs->z->tokens.ctx, &cs->token, &fresh, err);
    if (rc) {
        if (!err->http_status && (rc == ZF_EREAUTH || rc == ZF_EAUTH)) {
            err->http_status = (int)o->status;
            err->zoom_code = 124;
        }
        zf_secret_free(&fresh);
        return rc;
    }
    zf_secret_free(&cs->token);
    cs->token = fresh;
    return 0;
}

/* The exchange may have been processed without the caller learning how. */
static int outcome_unsure(const zf_zoom_outcome *o)
{
    if (o->transport_err)
        return o->sent;
    return o->status >= 500 || (o->status >= 200 && o->status < 300 && o->body_bad);
}

static void count_attempt(zf_zoom_stats *st, const zf_zoom_outcome *o, const zf_zoom_decision *d)
{
    st->attempts++;
    if (o->transport_err)
        st->transport_errors++;
    else if (o->status >= 500)
        st->status_5xx++;
    else if (o->status >= 400)
        st->status_4xx++;
    else if (o->status >= 200 && o->status < 300)
        st->status_2xx++;
    st->rate_limited += o->status == 429;
    st->reauths += d->action == ZF_ZOOM_REAUTH;
    if (d->action == ZF_ZOOM_RETRY) {
        st->retries++;
        st->backoff_ms += d->delay_ms > 0 ? d->delay_ms : 0;
    }
}

static int run(call_state *cs, zf_zoom_resp *resp, zf_error *err)
{
    zf_zoom *z = cs->z;
    int rejected = 0;
    for (;;) {
        if (z->pace) {
            pthread_mutex_lock(&z->pacer->mu);
            int64_t pw = zf_zoom__pacer_wait(&z->pacer->p, cs->cat, z->mono_ms(z->clock_ctx));
            pthread_mutex_unlock(&z->pacer->mu);
            if (pw > 0) {
                z->stats.pacer_waits++;
                z->stats.pacer_wait_ms += pw;
            }
            wait_ms(cs, pw);
        }
        zf_http_resp hr;
        zf_http_resp_init(&hr);
        if (cs->req->body_room && cs->attempts == 0) {
            hr.body = *cs->req->body_room; /* the transport keeps its allocation */
            zf_buf_init(cs->req->body_room, 0);
        }
        stream_ctx sc = {cs->req, ZF_BUF_INIT(STREAM_HOLD), NULL, 0, 0};
        zf_error terr = ZF_ERROR_INIT;
        int rc = exchange(cs, &hr, &sc, &terr);
        json_t *json = NULL;
        zf_zoom_outcome o;
        outcome_of(&hr, rc, &terr, &sc, cs->req, &json, &o);
        zf_zoom_attempt a = {cs->attempts, elapsed(cs), z->wall_s(z->clock_ctx), next_random(z),
                             rejected};
        zf_zoom_decision d;
        zf_zoom__decide(&z->retry, cs->req->kind, &o, &a, &d, err);
        cs->unsure |= outcome_unsure(&o);
        count_attempt(&z->stats, &o, &d);
        if (sc.flushed && d.action != ZF_ZOOM_DONE) {
            /* part of the body already went to the caller: cannot replay */
            d.action = ZF_ZOOM_FAIL;
            if (!err->code)
                zf_error_set(err, rc ? rc : ZF_EIO,
                             "the download broke off after data was "
                             "delivered: %s",
                             o.transport_msg ? o.transport_msg : "");
        }
        if (z->pace) {
            pthread_mutex_lock(&z->pacer->mu);
            zf_zoom__pacer_update(&z->pacer->p, cs->cat, cs->method, cs->req->path, o.headers,
                                  o.status, d.qps_limited, z->mono_ms(z->clock_ctx));
            pthread_mutex_unlock(&z->pacer->mu);
        }
        int out = 1; /* 1 = go round again */
        if (d.action == ZF_ZOOM_DONE)
            out = finish_ok(cs, &hr, json, &sc, resp, err);
        else
            json_decref(json);
        if (d.action == ZF_ZOOM_REAUTH) {
            rejected = 1;
            if ((out = reauth(cs, &o, err)) == 0)
                out = 1;
        } else if (d.action == ZF_ZOOM_RETRY) {
            wait_ms(cs, d.delay_ms);
        } else if (d.action == ZF_ZOOM_FAIL) {
            out = err->code ? err->code : ZF_EHTTP;
        }
        if (out != 1 || d.action == ZF_ZOOM_DONE) {
            if (!hr.request_id[0])
                zf_zoom__header(o.headers, "x-zm-trackingid", hr.request_id, sizeof hr.request_id);
            log_call(cs, o.status, hr.request_id, out);
        }
        if (out != 1 && d.action != ZF_ZOOM_DONE && o.status && !cs->req->sink)
            keep_refusal(resp, &hr); /* what Zoom answered, for the caller to show */
        zf_buf_free(&sc.held);
        zf_http_resp_free(&hr);
        if (out != 1) {
            resp->attempts = cs->attempts;
            resp->unsure = cs->unsure;
            return out;
        }
    }
}

int zf_zoom_call(zf_zoom *z, const zf_zoom_req *req, zf_zoom_resp *resp, zf_error *err)
{
    if (!err)
        return ZF_EINVAL;
    if (!z || !req || !resp)
        return zf_error_set(err, ZF_EINVAL,
                            "zf_zoom_call: client, request and response are "
                            "required");
    zf_error_reset(err);
    int rc = zf_zoom_check_path(req->path, err);
    if (rc)
        return rc;
    call_state cs = {z,
                     req,
                     method_of(req),
                     ZF_SECRET_INIT,
                     NULL,
                     ZF_BUF_INIT(ZF_ZOOM_URL_MAX),
                     0,
                     z->mono_ms(z->clock_ctx),
                     0,
                     0};
    if ((rc = z->tokens.get(z->tokens.ctx, &cs.token, &cs.base, err)) != 0)
        goto done;
    if ((rc = zf_zoom__build_url(&cs.url, cs.base, req->path, req->query, req->nquery, err)) != 0)
        goto done;
    char o1[256], o2[256];
    if (!zf_zoom__url_origin(cs.base, o1, sizeof o1) ||
        !zf_zoom__url_origin(zf_buf_cstr(&cs.url), o2, sizeof o2) || strcmp(o1, o2) != 0) {
        rc = zf_error_set(err, ZF_EPATH, "refusing to send the token outside the API base %s", o1);
        goto done;
    }
    pthread_mutex_lock(&z->pacer->mu);
    cs.cat = zf_zoom__pacer_category(&z->pacer->p, req->category, cs.method, req->path);
    pthread_mutex_unlock(&z->pacer->mu);
    z->stats.calls++;
    rc = run(&cs, resp, err);
done:
    zf_secret_free(&cs.token);
    free(cs.base);
    zf_buf_free(&cs.url);
    return rc;
}
