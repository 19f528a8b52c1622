/*
 * Webhook delivery, as Zoom does it (zoom-api.md §D).
 *
 * Subscriptions: one per app (client_id; "" is the default one that
 * --webhook-url/--webhook-secret and a POST /_sim/webhooks without
 * client_id set), each a URL, the app's secret token and an optional event
 * list, at most WH_MAX_SUBS. Each goes through
 *
 *   none --configure--> pending --url_validation answered right--> active
 *                          |   ^                                      |
 *                          |   +---- every 72 h (sim time), or -------+
 *                          |         POST /_sim/webhooks/validate
 *                          +--wrong answer / error / timeout--> failed
 *
 * sim_webhook_emit() runs under s->lock: it serialises the envelope once and
 * queues a copy for every subscription (pending: held until validation
 * ends; failed, or no subscription at all: recorded as "no subscription";
 * active but not in the event list: "not subscribed").
 *
 * One delivery thread does all I/O without s->lock. It waits on `cv` (with
 * s->lock as the mutex), takes the earliest due event of the active
 * subscriptions, unlocks, POSTs it signed (x-zm-signature v0 over the raw
 * body), locks again and records the attempt. Success is 200 or 204 within
 * 3 s; otherwise the event goes back into its queue due 5, 20, then 60
 * minutes later (times the subscription's retry scale, on the real
 * monotonic clock), and after the fourth attempt it is dropped. A
 * configure, delete or reset bumps the subscription's `gen`: whatever the
 * thread had in flight for an older generation is discarded when it comes
 * back (slots are reused, generations only grow).
 *
 * Times: event_ts is sim time (ms); x-zm-request-timestamp is the real wall
 * clock, because receivers check it against their own clock.
 */
#include "webhooks.h"
#include "data.h"
#include "text.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WH_TIMEOUT_MS 3000
#define WH_MAX_ATTEMPTS 4
#define WH_MAX_SUBS 16          /* subscriptions (apps) at once */
#define WH_LOG_MAX 10000        /* attempts kept for GET deliveries */
#define WH_QUEUE_MAX 100000     /* undelivered events held per subscription */
#define WH_RESP_MAX (64u << 10) /* receiver answers read for validation */
#define WH_USER_AGENT "Zoom Marketplace/1.0a"
#define WH_REVALIDATE_S (72 * 3600) /* Zoom validates the URL again every 72 h */
#define WH_APP_MAX 64

static const double retry_delay[WH_MAX_ATTEMPTS - 1] = {5 * 60, 20 * 60, 60 * 60};

typedef enum sub_state { SUB_NONE, SUB_PENDING, SUB_ACTIVE, SUB_FAILED } sub_state;
static const char *const sub_names[] = {"none", "pending", "active", "failed"};

typedef struct wh_event {
    uint64_t id;
    char event[64];
    char *body;
    int attempts; /* made so far */
    double due;   /* monotonic seconds */
    struct wh_event *next;
} wh_event;

typedef struct wh_attempt {
    uint64_t seq, event_id;
    char event[64];
    char app[WH_APP_MAX];
    int attempt;
    int status;         /* HTTP status, 0 when there was none */
    const char *result; /* static string */
    char error[128];
    int64_t time;    /* sim time */
    int64_t real_ms; /* monotonic ms since the emulator started */
    int64_t duration_ms;
    int64_t retry_in_ms; /* -1: no retry */
} wh_attempt;

typedef struct wh_sub {
    int used;
    char app[WH_APP_MAX]; /* client_id; "" = the default subscription */
    char *url, *secret;
    char **events; /* NULL: every event */
    size_t nevents;
    double scale;
    sub_state state;
    char reason[192];
    uint64_t gen;
    uint64_t validated_gen;   /* the generation validation last started for */
    int revalidate;           /* POST /_sim/webhooks/validate asked for one */
    uint64_t nvalidations;    /* url_validation requests sent */
    int64_t validated_at;     /* sim time the last validation ended, 0 none */
    char last_validation[24]; /* "", "validated", "validation failed" */
    /* queue, ordered by emission */
    wh_event *head, *tail;
    size_t queued;
} wh_sub;

struct sim_hooks {
    pthread_t thread;
    int started;
    pthread_cond_t cv;
    atomic_int stop;
    double t0; /* monotonic start, for real_ms */
    wh_sub subs[WH_MAX_SUBS];
    uint64_t next_event_id;
    /* attempt log ring */
    wh_attempt *log;
    uint64_t nlog;
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sim_webhook__hmac_hex(const char *key, const void *msg, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), key, (int)strlen(key), msg, len, mac, &maclen);
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[64] = '\0';
}

void sim_webhook__signature(const char *secret, int64_t ts, const char *body, size_t len,
                            char out[68])
{
    zf_buf msg = ZF_BUF_INIT(SIM_MAX_RESP);
    zf_buf_appendf(&msg, "v0:%lld:", (long long)ts);
    zf_buf_append(&msg, body, len);
    memcpy(out, "v0=", 3);
    sim_webhook__hmac_hex(secret, msg.ptr ? msg.ptr : "", msg.len, out + 3);
    zf_buf_free(&msg);
}

static int64_t event_ts_ms(const sim *s)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec + s->clock_offset) * 1000 + ts.tv_nsec / 1000000;
}

char *sim_webhook__envelope_payload(sim *s, const char *event, json_t *payload, json_t *top)
{
    json_t *env = json_pack("{s:s,s:I,s:{s:s}}", "event", event, "event_ts",
                            (json_int_t)event_ts_ms(s), "payload", "account_id", s->account_id);
    if (!env)
        return NULL;
    json_t *pl = json_object_get(env, "payload");
    const char *k;
    json_t *v;
    if (json_is_object(payload))
        json_object_foreach (payload, k, v)
            if (!json_object_get(pl, k))
                json_object_set(pl, k, v);
    if (!json_object_get(pl, "object"))
        json_object_set_new(pl, "object", json_object());
    if (json_is_object(top))
        json_object_foreach (top, k, v)
            if (!json_object_get(env, k))
                json_object_set(env, k, v);
    char *out = sim_json_text(env);
    json_decref(env);
    return out;
}

char *sim_webhook__envelope(sim *s, const char *event, json_t *object, json_t *top)
{
    json_t *pl = json_pack("{s:O}", "object", object ? object : json_object());
    char *out = pl ? sim_webhook__envelope_payload(s, event, pl, top) : NULL;
    json_decref(pl);
    return out;
}

json_t *sim_webhook_operator(sim *s, const sim_req *rq)
{
    const sim_user *u = rq && rq->auth ? sim_map_get(&s->data->by_id, rq->auth->user_id) : NULL;
    if (!u)
        u = sim_map_get(&s->data->by_id, s->owner_id);
    return json_pack("{s:s,s:s}", "operator", u ? u->email : "", "operator_id",
                     u ? u->id : s->owner_id);
}

int64_t sim_webhook_now_ms(const sim *s)
{
    return event_ts_ms(s);
}

/* --- the attempt log (caller holds s->lock) */

static wh_attempt *log_add(sim *s, const char *app, uint64_t event_id, const char *event,
                           int attempt, const char *result)
{
    struct sim_hooks *h = s->hooks;
    wh_attempt *a = &h->log[h->nlog % WH_LOG_MAX];
    memset(a, 0, sizeof *a);
    a->seq = ++h->nlog;
    a->event_id = event_id;
    snprintf(a->event, sizeof a->event, "%s", event);
    snprintf(a->app, sizeof a->app, "%s", app);
    a->attempt = attempt;
    a->result = result;
    a->time = sim_now(s);
    a->real_ms = (int64_t)((mono() - h->t0) * 1000);
    a->retry_in_ms = -1;
    return a;
}

json_t *sim_webhook__deliveries(sim *s, const char *event, uint64_t since)
{
    return sim_webhook__deliveries_of(s, event, NULL, since);
}

json_t *sim_webhook__deliveries_of(sim *s, const char *event, const char *app, uint64_t since)
{
    struct sim_hooks *h = s->hooks;
    json_t *arr = json_array();
    uint64_t first = h->nlog > WH_LOG_MAX ? h->nlog - WH_LOG_MAX : 0;
    for (uint64_t i = first; i < h->nlog; i++) {
        const wh_attempt *a = &h->log[i % WH_LOG_MAX];
        if (a->seq <= since || (event && strcmp(event, a->event) != 0) ||
            (app && strcmp(app, a->app) != 0))
            continue;
        char when[32];
        sim_fmt_time(when, a->time);
        json_t *o = json_pack("{s:I,s:I,s:s,s:i,s:s,s:s,s:I,s:I}", "seq", (json_int_t)a->seq,
                              "event_id", (json_int_t)a->event_id, "event", a->event, "attempt",
                              a->attempt, "result", a->result, "time", when, "real_ms",
                              (json_int_t)a->real_ms, "duration_ms", (json_int_t)a->duration_ms);
        json_object_set_new(o, "client_id", a->app[0] ? json_string(a->app) : json_null());
        json_object_set_new(o, "status", a->status ? json_integer(a->status) : json_null());
        if (a->error[0])
            json_object_set_new(o, "error", json_string(a->error));
        if (a->retry_in_ms >= 0)
            json_object_set_new(o, "retry_in_ms", json_integer(a->retry_in_ms));
        json_array_append_new(arr, o);
    }
    return json_pack("{s:I,s:o}", "total", (json_int_t)h->nlog, "deliveries", arr);
}

/* --- queues (caller holds s->lock) */

static void event_free(wh_event *e)
{
    if (e)
        free(e->body);
    free(e);
}

static void queue_push(wh_sub *sb, wh_event *e)
{
    e->next = NULL;
    if (sb->tail)
        sb->tail->next = e;
    else
        sb->head = e;
    sb->tail = e;
    sb->queued++;
}

static void queue_unlink(wh_sub *sb, wh_event *prev, wh_event *e)
{
    if (prev)
        prev->next = e->next;
    else
        sb->head = e->next;
    if (sb->tail == e)
        sb->tail = prev;
    sb->queued--;
}

/* Empties a queue; with `result`, each event is logged with it first. */
static void queue_flush(sim *s, wh_sub *sb, const char *result)
{
    while (sb->head) {
        wh_event *e = sb->head;
        queue_unlink(sb, NULL, e);
        if (result)
            log_add(s, sb->app, e->id, e->event, 0, result);
        event_free(e);
    }
}

static int subscribed(const wh_sub *sb, const char *event)
{
    if (!sb->events)
        return 1;
    for (size_t i = 0; i < sb->nevents; i++)
        if (strcmp(sb->events[i], event) == 0)
            return 1;
    return 0;
}

void sim_webhook_emit(sim *s, const char *event, json_t *object, json_t *top)
{
    json_t *pl = json_object();
    json_object_set_new(pl, "object", object ? object : json_object());
    sim_webhook_emit_payload(s, event, pl, top);
}

/* Queues body for the subscriptions: every one (only NULL), or only that
 * app's (the default subscription when no subscription is that app's). */
static void queue_for(sim *s, uint64_t id, const char *event, const char *body, const char *only)
{
    struct sim_hooks *h = s->hooks;
    int any = 0, queued = 0, own = 0;
    for (int i = 0; only && i < WH_MAX_SUBS; i++)
        own |= h->subs[i].used && strcmp(h->subs[i].app, only) == 0;
    for (int i = 0; i < WH_MAX_SUBS; i++) {
        wh_sub *sb = &h->subs[i];
        if (!sb->used || (only && strcmp(sb->app, own ? only : "") != 0))
            continue;
        any = 1;
        if (sb->state == SUB_NONE || sb->state == SUB_FAILED) {
            log_add(s, sb->app, id, event, 0, "no subscription");
            continue;
        }
        if (!subscribed(sb, event)) {
            log_add(s, sb->app, id, event, 0, "not subscribed");
            continue;
        }
        if (sb->queued >= WH_QUEUE_MAX) {
            log_add(s, sb->app, id, event, 0, "dropped: queue full");
            continue;
        }
        wh_event *e = calloc(1, sizeof *e);
        if (e && body)
            e->body = strdup(body);
        if (!e || !e->body) {
            event_free(e);
            log_add(s, sb->app, id, event, 0, "dropped: out of memory");
            continue;
        }
        e->id = id;
        snprintf(e->event, sizeof e->event, "%s", event);
        e->due = mono();
        queue_push(sb, e);
        queued = 1;
    }
    if (!any)
        log_add(s, only ? only : "", id, event, 0, "no subscription");
    if (queued)
        pthread_cond_signal(&h->cv);
}

void sim_webhook_emit_payload(sim *s, const char *event, json_t *payload, json_t *top)
{
    uint64_t id = ++s->hooks->next_event_id;
    char *body = sim_webhook__envelope_payload(s, event, payload, top);
    queue_for(s, id, event, body, NULL);
    free(body);
    json_decref(payload);
    json_decref(top);
}

uint64_t sim_webhook_emit_app(sim *s, const char *client_id, json_t *envelope)
{
    uint64_t id = ++s->hooks->next_event_id;
    const char *event = json_string_value(json_object_get(envelope, "event"));
    char *body = sim_json_text(envelope);
    queue_for(s, id, event ? event : "", body, client_id);
    free(body);
    json_decref(envelope);
    return id;
}

/* --- HTTP (no lock held) */

typedef struct post_result {
    long status;
    zf_buf body;
    char error[128];
    int64_t duration_ms;
} post_result;

static size_t on_body(char *p, size_t size, size_t n, void *cls)
{
    zf_buf_append(cls, p, size * n);
    return size * n;
}

static int on_progress(void *cls, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    struct sim_hooks *h = cls;
    return atomic_load(&h->stop) ? 1 : 0;
}

/* Zoom's id shapes, new for every request (zoom-api.md has nothing on
 * them; Zoom's forum calls the tracking id unique per delivery, and
 * whether either survives a retry is not said, so nothing may lean on
 * them): a UUID-like x-zm-request-id and a tracking id naming the cluster. */
static void request_ids(char rid[40], char tid[64])
{
    char hex[33];
    sim_random_hex(hex, 16);
    snprintf(rid, 40, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
    sim_random_hex(hex, 16);
    snprintf(tid, 64, "v=2.0;clid=us05;rid=WEB_%.32s", hex);
}

static void post(struct sim_hooks *h, const char *url, const char *secret, const char *body,
                 post_result *out)
{
    out->status = 0;
    out->error[0] = '\0';
    zf_buf_init(&out->body, WH_RESP_MAX);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(out->error, sizeof out->error, "cannot start libcurl");
        return;
    }
    int64_t ts = (int64_t)time(NULL);
    char sig[68], hsig[96], hts[64], hrid[64], htid[96], request_id[40], tracking_id[64];
    request_ids(request_id, tracking_id);
    sim_webhook__signature(secret, ts, body, strlen(body), sig);
    snprintf(hsig, sizeof hsig, "x-zm-signature: %s", sig);
    snprintf(hts, sizeof hts, "x-zm-request-timestamp: %lld", (long long)ts);
    snprintf(hrid, sizeof hrid, "x-zm-request-id: %s", request_id);
    snprintf(htid, sizeof htid, "x-zm-trackingid: %s", tracking_id);
    struct curl_slist *hd =
        curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    hd = curl_slist_append(hd, hts);
    hd = curl_slist_append(hd, hsig);
    hd = curl_slist_append(hd, hrid);
    hd = curl_slist_append(hd, htid);
    hd = curl_slist_append(hd, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_USERAGENT, WH_USER_AGENT);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)WH_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    double t = mono();
    CURLcode rc = curl_easy_perform(c);
    out->duration_ms = (int64_t)((mono() - t) * 1000);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(out->error, sizeof out->error, "no answer within %d ms", WH_TIMEOUT_MS);
    else
        snprintf(out->error, sizeof out->error, "%s", curl_easy_strerror(rc));
    curl_slist_free_all(hd);
    curl_easy_cleanup(c);
}

/* --- the delivery thread */

/* Checks a url_validation answer; "" when right, else why not in why. */
static void check_validation(const post_result *r, const char *secret, const char *plain, char *why,
                             size_t whylen)
{
    why[0] = '\0';
    if (r->error[0]) {
        snprintf(why, whylen, "%s", r->error);
        return;
    }
    if (r->status != 200) {
        snprintf(why, whylen, "the endpoint answered HTTP %ld; it must answer 200", r->status);
        return;
    }
    json_t *j = json_loadb(r->body.ptr ? r->body.ptr : "", r->body.len, 0, NULL);
    const char *p = json_string_value(json_object_get(j, "plainToken"));
    const char *enc = json_string_value(json_object_get(j, "encryptedToken"));
    char want[65];
    sim_webhook__hmac_hex(secret, plain, strlen(plain), want);
    if (!json_is_object(j))
        snprintf(why, whylen, "the answer is not a JSON object {plainToken, encryptedToken}");
    else if (!p || strcmp(p, plain) != 0)
        snprintf(why, whylen, "plainToken in the answer is not the one sent");
    else if (!enc || strcmp(enc, want) != 0)
        snprintf(why, whylen,
                 "encryptedToken is not hex(HMAC-SHA256(secret token, "
                 "plainToken))");
    json_decref(j);
}

/* Called with s->lock held; returns with it held. */
static void run_validation(sim *s, wh_sub *sb)
{
    struct sim_hooks *h = s->hooks;
    char plain[40];
    sim_random_id(plain, sizeof plain, 22);
    json_t *obj = json_pack("{s:s,s:{s:s},s:I}", "event", "endpoint.url_validation", "payload",
                            "plainToken", plain, "event_ts", (json_int_t)event_ts_ms(s));
    char *body = sim_json_text(obj);
    json_decref(obj);
    char *url = strdup(sb->url), *secret = strdup(sb->secret);
    uint64_t gen = sb->gen;
    sb->nvalidations++;
    pthread_mutex_unlock(&s->lock);

    post_result r;
    char why[128] = "out of memory";
    if (body && url && secret) {
        post(h, url, secret, body, &r);
        check_validation(&r, secret, plain, why, sizeof why);
        zf_buf_free(&r.body);
    } else {
        r.status = 0;
        r.duration_ms = 0;
    }
    free(body);
    free(url);
    free(secret);

    pthread_mutex_lock(&s->lock);
    if (gen != sb->gen || atomic_load(&h->stop))
        return;
    wh_attempt *a = log_add(s, sb->app, 0, "endpoint.url_validation", 1,
                            why[0] ? "validation failed" : "validated");
    a->status = (int)r.status;
    a->duration_ms = r.duration_ms;
    snprintf(a->error, sizeof a->error, "%s", why);
    sb->state = why[0] ? SUB_FAILED : SUB_ACTIVE;
    snprintf(sb->reason, sizeof sb->reason, "%s", why);
    snprintf(sb->last_validation, sizeof sb->last_validation, "%s",
             why[0] ? "validation failed" : "validated");
    sb->validated_at = sim_now(s);
    if (sb->state == SUB_FAILED)
        queue_flush(s, sb, "no subscription");
}

/* Delivers e (already out of sb's queue). Lock held on entry and exit. */
static void deliver(sim *s, wh_sub *sb, wh_event *e)
{
    struct sim_hooks *h = s->hooks;
    char *url = strdup(sb->url), *secret = strdup(sb->secret);
    uint64_t gen = sb->gen;
    pthread_mutex_unlock(&s->lock);
    post_result r;
    if (url && secret) {
        post(h, url, secret, e->body, &r);
    } else {
        r.status = 0;
        r.duration_ms = 0;
        zf_buf_init(&r.body, 0);
        snprintf(r.error, sizeof r.error, "out of memory");
    }
    zf_buf_free(&r.body);
    free(url);
    free(secret);
    pthread_mutex_lock(&s->lock);

    if (gen != sb->gen || atomic_load(&h->stop)) {
        event_free(e);
        return;
    }
    e->attempts++;
    int ok = !r.error[0] && (r.status == 200 || r.status == 204);
    const char *result = ok                              ? "delivered"
                         : e->attempts < WH_MAX_ATTEMPTS ? "failed, retry scheduled"
                                                         : "failed, dropped";
    wh_attempt *a = log_add(s, sb->app, e->id, e->event, e->attempts, result);
    a->status = (int)r.status;
    a->duration_ms = r.duration_ms;
    if (r.error[0])
        snprintf(a->error, sizeof a->error, "%s", r.error);
    else if (!ok)
        snprintf(a->error, sizeof a->error, "answered HTTP %ld; Zoom wants 200 or 204", r.status);
    if (ok || e->attempts >= WH_MAX_ATTEMPTS) {
        event_free(e);
        return;
    }
    double wait = retry_delay[e->attempts - 1] * sb->scale;
    a->retry_in_ms = (int64_t)(wait * 1000);
    e->due = mono() + wait;
    queue_push(sb, e);
}

/* The earliest due event of the active subscriptions, unlinked (its
 * subscription in *from); else NULL and the earliest due time in *next
 * (or -1). */
static wh_event *take_due(struct sim_hooks *h, double now, double *next, wh_sub **from)
{
    wh_event *best = NULL, *bestprev = NULL;
    wh_sub *bestsub = NULL;
    for (int i = 0; i < WH_MAX_SUBS; i++) {
        wh_sub *sb = &h->subs[i];
        if (!sb->used || sb->state != SUB_ACTIVE)
            continue;
        wh_event *prev = NULL;
        for (wh_event *e = sb->head; e; prev = e, e = e->next) {
            if (!best || e->due < best->due) {
                best = e;
                bestprev = prev;
                bestsub = sb;
            }
        }
    }
    *next = best ? best->due : -1;
    if (!best || best->due > now)
        return NULL;
    queue_unlink(bestsub, bestprev, best);
    *from = bestsub;
    return best;
}

static int any_active(const struct sim_hooks *h)
{
    for (int i = 0; i < WH_MAX_SUBS; i++)
        if (h->subs[i].used && h->subs[i].state == SUB_ACTIVE)
            return 1;
    return 0;
}

static void wait_until(sim *s, double due)
{
    struct sim_hooks *h = s->hooks;
    int active = any_active(h);
    if (due < 0 && !active) {
        pthread_cond_wait(&h->cv, &s->lock);
        return;
    }
    /* active: look at the sim clock now and then for the 72 h revalidation
     * (an advance of the clock does not signal) */
    if (active && (due < 0 || due > mono() + 0.5))
        due = mono() + 0.5;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double wait = due - mono();
    if (wait <= 0)
        return;
    double t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + wait;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    pthread_cond_timedwait(&h->cv, &s->lock, &ts);
}

/* A subscription whose URL is due for url_validation, or NULL. */
static wh_sub *validation_due(sim *s)
{
    struct sim_hooks *h = s->hooks;
    for (int i = 0; i < WH_MAX_SUBS; i++) {
        wh_sub *sb = &h->subs[i];
        if (!sb->used)
            continue;
        if (sb->state == SUB_PENDING && sb->validated_gen != sb->gen) {
            sb->validated_gen = sb->gen;
            return sb;
        }
        if (sb->state == SUB_ACTIVE &&
            (sb->revalidate || sim_now(s) - sb->validated_at >= WH_REVALIDATE_S)) {
            /* as Zoom does every 72 h (or when asked): events wait meanwhile */
            sb->revalidate = 0;
            sb->state = SUB_PENDING;
            return sb;
        }
    }
    return NULL;
}

static void *delivery_thread(void *arg)
{
    sim *s = arg;
    struct sim_hooks *h = s->hooks;
    pthread_mutex_lock(&s->lock);
    while (!atomic_load(&h->stop)) {
        wh_sub *sb = validation_due(s);
        if (sb) {
            run_validation(s, sb);
            continue;
        }
        double next = -1;
        wh_event *e = take_due(h, mono(), &next, &sb);
        if (e)
            deliver(s, sb, e);
        else
            wait_until(s, next);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* --- subscriptions (caller holds s->lock) */

static wh_sub *sub_find(struct sim_hooks *h, const char *app)
{
    for (int i = 0; i < WH_MAX_SUBS; i++)
        if (h->subs[i].used && strcmp(h->subs[i].app, app) == 0)
            return &h->subs[i];
    return NULL;
}

/* Back to unused; undelivered events are discarded, the generation moves. */
static void sub_clear(sim *s, wh_sub *sb)
{
    queue_flush(s, sb, NULL);
    free(sb->url);
    if (sb->secret)
        memset(sb->secret, 0, strlen(sb->secret));
    free(sb->secret);
    for (size_t i = 0; i < sb->nevents; i++)
        free(sb->events[i]);
    free(sb->events);
    uint64_t gen = sb->gen + 1, vgen = sb->validated_gen;
    memset(sb, 0, sizeof *sb);
    sb->gen = gen;
    sb->validated_gen = vgen;
}

/* Sets app's subscription (replacing it); copies everything. events may be
 * NULL (all events). ZF_ENOMEM, or ZF_EBUSY when every slot is taken. */
static int sub_set(sim *s, const char *app, const char *url, const char *secret, json_t *events,
                   double scale)
{
    struct sim_hooks *h = s->hooks;
    wh_sub *sb = sub_find(h, app);
    for (int i = 0; !sb && i < WH_MAX_SUBS; i++)
        if (!h->subs[i].used)
            sb = &h->subs[i];
    if (!sb)
        return ZF_EBUSY;
    sub_clear(s, sb);
    sb->used = 1;
    snprintf(sb->app, sizeof sb->app, "%s", app);
    sb->scale = scale;
    sb->url = strdup(url);
    sb->secret = strdup(secret);
    if (!sb->url || !sb->secret)
        goto oom;
    if (events) {
        sb->events = calloc(json_array_size(events) + 1, sizeof *sb->events);
        if (!sb->events)
            goto oom;
        for (size_t i = 0; i < json_array_size(events); i++)
            if (!(sb->events[sb->nevents++] = strdup(json_string_value(json_array_get(events, i)))))
                goto oom;
    }
    sb->state = SUB_PENDING;
    pthread_cond_signal(&h->cv);
    return 0;
oom:
    sub_clear(s, sb);
    return ZF_ENOMEM;
}

static json_t *sub_json(sim *s, const wh_sub *sb, const char *app)
{
    struct sim_hooks *h = s->hooks;
    static const wh_sub none;
    if (!sb)
        sb = &none;
    json_t *ev = json_null();
    if (sb->events) {
        ev = json_array();
        for (size_t i = 0; i < sb->nevents; i++)
            json_array_append_new(ev, json_string(sb->events[i]));
    }
    const char *reason = sb->state == SUB_FAILED ? sb->reason : "";
    json_t *j =
        json_pack("{s:o,s:s?,s:b,s:s,s:s,s:o,s:f,s:I,s:I}", "client_id",
                  app[0] ? json_string(app) : json_null(), "url", sb->url, "secret_set",
                  sb->secret != NULL, "subscription", sub_names[sb->state], "reason", reason,
                  "events", ev, "retry_scale", sb->used ? sb->scale : s->opts.webhook_retry_scale,
                  "queued", (json_int_t)sb->queued, "emitted", (json_int_t)h->next_event_id);
    if (!sb->url)
        json_object_set_new(j, "url", json_null());
    /* the last url_validation: what it found and when the next one is due */
    json_t *v = json_object();
    json_object_set_new(v, "count", json_integer((json_int_t)sb->nvalidations));
    json_object_set_new(v, "result",
                        sb->last_validation[0] ? json_string(sb->last_validation) : json_null());
    json_object_set_new(v, "reason", json_string(sb->last_validation[0] ? sb->reason : ""));
    char at[32];
    if (sb->validated_at) {
        sim_fmt_time(at, sb->validated_at);
        json_object_set_new(v, "time", json_string(at));
    } else {
        json_object_set_new(v, "time", json_null());
    }
    if (sb->state == SUB_ACTIVE) {
        sim_fmt_time(at, sb->validated_at + WH_REVALIDATE_S);
        json_object_set_new(v, "next", json_string(at));
    } else {
        json_object_set_new(v, "next", json_null());
    }
    json_object_set_new(j, "validation", v);
    return j;
}

/* --- control plane */

/* ?client_id=: the app a control request is about ("" when absent); NULL
 * after a 400 when it is not a usable name. */
static const char *app_of(sim_req *rq, sim_resp *rs, json_t *body)
{
    json_t *b = json_object_get(body, "client_id");
    const char *app = b ? json_string_value(b) : sim_query(rq, "client_id");
    if (b && !json_is_string(b))
        app = NULL;
    else if (!app)
        return "";
    if (!app || strlen(app) >= WH_APP_MAX) {
        sim_error(rs, 400, 300,
                  "\"client_id\" must be the app's client ID, a string of at most %d "
                  "characters.",
                  WH_APP_MAX - 1);
        return NULL;
    }
    return app;
}

static void h_hooks_get(sim_req *rq, sim_resp *rs)
{
    const char *app = app_of(rq, rs, NULL);
    if (app)
        sim_json(rs, 200, sub_json(rq->s, sub_find(rq->s->hooks, app), app));
}

static void h_subs_list(sim_req *rq, sim_resp *rs)
{
    struct sim_hooks *h = rq->s->hooks;
    json_t *arr = json_array();
    for (int i = 0; i < WH_MAX_SUBS; i++)
        if (h->subs[i].used)
            json_array_append_new(arr, sub_json(rq->s, &h->subs[i], h->subs[i].app));
    sim_json(rs, 200, json_pack("{s:o}", "subscriptions", arr));
}

static int check_config(json_t *j, char *err, size_t errlen)
{
    static const char *const keys[] = {"client_id", "url", "secret", "events", "retry_scale", NULL};
    const char *k;
    json_t *v;
    json_object_foreach (j, k, v) {
        int i = 0;
        while (keys[i] && strcmp(keys[i], k))
            i++;
        if (!keys[i]) {
            snprintf(err, errlen,
                     "\"%s\" is not a setting; use client_id, url, secret, events, "
                     "retry_scale.",
                     k);
            return ZF_EVALIDATION;
        }
    }
    const char *url = json_string_value(json_object_get(j, "url"));
    const char *secret = json_string_value(json_object_get(j, "secret"));
    json_t *ev = json_object_get(j, "events"), *sc = json_object_get(j, "retry_scale");
    if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
        snprintf(err, errlen, "\"url\" must be an http:// or https:// URL.");
    else if (!secret || !*secret)
        snprintf(err, errlen, "\"secret\" (the app's secret token) must be a non-empty string.");
    else if (ev && !json_is_array(ev))
        snprintf(err, errlen,
                 "\"events\" must be an array of event names, e.g. "
                 "[\"recording.completed\"].");
    else if (sc && (!json_is_number(sc) || json_number_value(sc) < 0 || json_number_value(sc) > 10))
        snprintf(err, errlen, "\"retry_scale\" must be a number from 0 to 10.");
    else
        err[0] = '\0';
    for (size_t i = 0; !err[0] && ev && i < json_array_size(ev); i++) {
        json_t *e = json_array_get(ev, i);
        if (!json_is_string(e) || !json_string_length(e) || json_string_length(e) >= 64)
            snprintf(err, errlen,
                     "\"events[%zu]\" must be an event name like "
                     "\"meeting.created\".",
                     i);
    }
    return err[0] ? ZF_EVALIDATION : 0;
}

/* POST /_sim/webhooks: answers 202 at once; validation runs on the
 * delivery thread and GET shows pending -> active | failed. */
static void h_hooks_post(sim_req *rq, sim_resp *rs)
{
    json_t *j = sim_body_json(rq, rs);
    if (!j)
        return;
    char err[200];
    const char *app = NULL;
    int rc = 0;
    if (check_config(j, err, sizeof err) != 0) {
        sim_error(rs, 400, 300, "%s", err);
    } else if ((app = app_of(rq, rs, j)) != NULL) {
        json_t *sc = json_object_get(j, "retry_scale");
        rc = sub_set(rq->s, app, json_string_value(json_object_get(j, "url")),
                     json_string_value(json_object_get(j, "secret")), json_object_get(j, "events"),
                     sc ? json_number_value(sc) : rq->s->opts.webhook_retry_scale);
        if (rc == ZF_EBUSY)
            sim_error(rs, 409, 300, "At most %d webhook subscriptions (apps) at once.",
                      WH_MAX_SUBS);
        else if (rc != 0)
            sim_error(rs, 500, 500, "out of memory");
        else
            sim_json(rs, 202, sub_json(rq->s, sub_find(rq->s->hooks, app), app));
    }
    json_decref(j);
}

static void h_hooks_delete(sim_req *rq, sim_resp *rs)
{
    const char *app = app_of(rq, rs, NULL);
    if (!app)
        return;
    wh_sub *sb = sub_find(rq->s->hooks, app);
    if (sb)
        sub_clear(rq->s, sb);
    sim_empty(rs, 204);
}

/* POST /_sim/webhooks/validate[?client_id=]: sends endpoint.url_validation
 * again now, as Zoom does when the URL is saved and every 72 hours. */
static void h_hooks_validate(sim_req *rq, sim_resp *rs)
{
    struct sim_hooks *h = rq->s->hooks;
    const char *app = app_of(rq, rs, NULL);
    if (!app)
        return;
    wh_sub *sb = sub_find(h, app);
    if (!sb) {
        sim_error(rs, 409, 300,
                  "There is no webhook subscription to validate; POST /_sim/webhooks first.");
        return;
    }
    if (sb->state == SUB_FAILED) {
        /* a failed endpoint may have been fixed: try it again, as saving
         * the URL in the app's page does */
        sb->state = SUB_PENDING;
        sb->gen++;
    } else if (sb->state == SUB_ACTIVE) {
        sb->revalidate = 1;
    }
    pthread_cond_signal(&h->cv);
    json_t *j = sub_json(rq->s, sb, app);
    json_object_set_new(j, "subscription", json_string("pending"));
    sim_json(rs, 202, j);
}

static void h_deliveries(sim_req *rq, sim_resp *rs)
{
    const char *since_s = sim_query(rq, "since");
    uint64_t since = 0;
    if (since_s && zf_parse_u64(since_s, UINT64_MAX, &since) < 0) {
        sim_error(rs, 400, 300, "\"since\" must be a delivery number (0 or more).");
        return;
    }
    sim_json(rs, 200,
             sim_webhook__deliveries_of(rq->s, sim_query(rq, "event"), sim_query(rq, "client_id"),
                                        since));
}

static void h_deliveries_clear(sim_req *rq, sim_resp *rs)
{
    memset(rq->s->hooks->log, 0, WH_LOG_MAX * sizeof *rq->s->hooks->log);
    rq->s->hooks->nlog = 0;
    sim_empty(rs, 204);
}

/* POST /_sim/webhooks/emit {event, object, top?} */
static void h_emit(sim_req *rq, sim_resp *rs)
{
    json_t *j = sim_body_json(rq, rs);
    if (!j)
        return;
    const char *event = json_string_value(json_object_get(j, "event"));
    json_t *obj = json_object_get(j, "object"), *top = json_object_get(j, "top");
    if (!event || !*event || strlen(event) >= 64)
        sim_error(rs, 400, 300, "\"event\" must be an event name like \"meeting.created\".");
    else if (obj && !json_is_object(obj))
        sim_error(rs, 400, 300, "\"object\" must be a JSON object (it becomes payload.object).");
    else if (top && !json_is_object(top))
        sim_error(rs, 400, 300, "\"top\" must be a JSON object of extra envelope keys.");
    else {
        sim_webhook_emit(rq->s, event, obj ? json_incref(obj) : json_object(),
                         top ? json_incref(top) : NULL);
        sim_json(rs, 202, json_pack("{s:I}", "event_id", (json_int_t)rq->s->hooks->next_event_id));
    }
    json_decref(j);
}

static const sim_route routes[] = {
    {"GET", "/_sim/webhooks", h_hooks_get, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.webhooks"},
    {"POST",
     "/_sim/webhooks",
     h_hooks_post,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.webhooks.set"},
    {"DELETE",
     "/_sim/webhooks",
     h_hooks_delete,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.webhooks.delete"},
    {"GET",
     "/_sim/webhooks/subscriptions",
     h_subs_list,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.webhooks.subscriptions"},
    {"POST",
     "/_sim/webhooks/validate",
     h_hooks_validate,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.webhooks.validate"},
    {"GET",
     "/_sim/webhooks/deliveries",
     h_deliveries,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.webhooks.deliveries"},
    {"DELETE",
     "/_sim/webhooks/deliveries",
     h_deliveries_clear,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.webhooks.deliveries.clear"},
    {"POST",
     "/_sim/webhooks/emit",
     h_emit,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.webhooks.emit"},
    {0}, /* terminator */
};

/* --- lifecycle */

static int hooks_init(sim *s)
{
    if (s->opts.webhook_url && !s->opts.webhook_secret) {
        fprintf(stderr, "zoomsim: --webhook-url needs --webhook-secret (the app's secret "
                        "token that signs deliveries)\n");
        return ZF_EINVAL; /* options that contradict: sim_new says so (exit 1) */
    }
    struct sim_hooks *h = calloc(1, sizeof *h);
    if (!h)
        return ZF_ENOMEM;
    s->hooks = h;
    h->log = calloc(WH_LOG_MAX, sizeof *h->log);
    if (!h->log)
        return ZF_ENOMEM;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return ZF_EIO;
    h->t0 = mono();
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&h->thread, NULL, delivery_thread, s) != 0)
        return ZF_EIO;
    h->started = 1;
    return 0;
}

static void hooks_reset(sim *s)
{
    struct sim_hooks *h = s->hooks;
    for (int i = 0; i < WH_MAX_SUBS; i++)
        sub_clear(s, &h->subs[i]);
    memset(h->log, 0, WH_LOG_MAX * sizeof *h->log);
    h->nlog = 0;
    h->next_event_id = 0;
    if (s->opts.webhook_url && s->opts.webhook_secret)
        sub_set(s, "", s->opts.webhook_url, s->opts.webhook_secret, NULL,
                s->opts.webhook_retry_scale);
}

static void hooks_destroy(sim *s)
{
    struct sim_hooks *h = s->hooks;
    if (!h)
        return;
    if (h->started) {
        pthread_mutex_lock(&s->lock);
        atomic_store(&h->stop, 1);
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&s->lock);
        pthread_join(h->thread, NULL);
        pthread_cond_destroy(&h->cv);
    }
    if (h->log) {
        for (int i = 0; i < WH_MAX_SUBS; i++)
            sub_clear(s, &h->subs[i]);
        curl_global_cleanup();
    }
    free(h->log);
    free(h);
    s->hooks = NULL;
}

const sim_module sim_mod_webhooks = {
    "webhooks", routes, hooks_init, hooks_reset, hooks_destroy, NULL, NULL,
};
