/* The zoom client's call loop, pager and pacer against a scripted fake
 * transport and a fake clock: nothing touches the network or sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoom_fake.h"

/* jansson's allocations, counted (test_pager_holds_one_page sets these) */
static void *counting_malloc(size_t n)
{
    json_live++;
    return malloc(n);
}

static void counting_free(void *p)
{
    if (p)
        json_live--;
    free(p);
}

static int call(zf_zoom *z, zf_zoom_kind kind, const char *path, zf_zoom_resp *resp, zf_error *err)
{
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.kind = kind;
    req.path = path;
    if (kind == ZF_ZOOM_CREATE) {
        req.body = "{\"topic\":\"x\"}";
        req.body_len = strlen(req.body);
    }
    zf_zoom_resp_init(resp);
    return zf_zoom_call(z, &req, resp, err);
}

static void test_call_success_builds_url_and_token(void **state)
{
    fake f = {0};
    snprintf(f.base, sizeof f.base, "http://127.0.0.1:9/");
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 200, "x-zm-trackingid: v=2.0;abc\r\n", "{\"id\":\"u1\"}");
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    zf_zoom_param q[] = {{"status", "active"}, {"role id", "1&2"}};
    req.path = "/users";
    req.query = q;
    req.nquery = 2;
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_call(z, &req, &resp, &err), 0);
    assert_string_equal(f.seen[0].method, "GET");
    assert_string_equal(f.seen[0].url, "http://127.0.0.1:9/v2/users?status=active&role%20id=1%262");
    assert_string_equal(f.seen[0].bearer, "tok-1");
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 1);
    assert_string_equal(json_string_value(json_object_get(resp.json, "id")), "u1");
    assert_string_equal(resp.request_id, "v=2.0;abc");
    char hv[32];
    assert_non_null(zf_zoom_resp_header(&resp, "X-Zm-Trackingid", hv, sizeof hv));
    assert_string_equal(hv, "v=2.0;abc");
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

/* zf_zoom_req.headers (api -H): sent after the client's own; an Accept or
 * Content-Type of the caller's replaces the client's, whatever its case. */
static void test_call_extra_headers(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 200, "", "{}");
    push(&f, 0, 1, 201, "", "{}");
    push(&f, 0, 1, 200, "", "{}");
    const char *const extra[] = {"X-Trace: 1", "accept: text/plain", NULL};
    const char *const ctype[] = {"Content-type: application/merge-patch+json", NULL};
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.path = "/users/me";
    req.headers = extra;
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    zf_zoom_resp_init(&resp);
    assert_int_equal(zf_zoom_call(z, &req, &resp, &err), 0);
    assert_string_equal(f.seen[0].headers, "X-Trace: 1\naccept: text/plain\n");
    zf_zoom_resp_free(&resp);
    req.kind = ZF_ZOOM_CREATE;
    req.body = "{}";
    req.body_len = 2;
    req.headers = ctype;
    zf_zoom_resp_init(&resp);
    assert_int_equal(zf_zoom_call(z, &req, &resp, &err), 0);
    assert_string_equal(f.seen[1].headers, "Accept: application/json\n"
                                           "Content-type: application/merge-patch+json\n");
    zf_zoom_resp_free(&resp);
    req.headers = NULL; /* none: the client's two */
    zf_zoom_resp_init(&resp);
    assert_int_equal(zf_zoom_call(z, &req, &resp, &err), 0);
    assert_string_equal(f.seen[2].headers, "Accept: application/json\n"
                                           "Content-Type: application/json\n");
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

static void test_call_refused_path_never_sent(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_READ, "https://evil.example/x", &resp, &err), ZF_EPATH);
    assert_int_equal(call(z, ZF_ZOOM_READ, "/a/%2e%2e/oauth", &resp, &err), ZF_EPATH);
    assert_int_equal(f.next, 0);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

static void test_call_read_retries_5xx_then_ok(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, ZF_ENET, 0, 0, NULL, NULL);
    push(&f, 0, 1, 503, "", "{\"code\":503,\"message\":\"busy\"}");
    push(&f, 0, 1, 200, "", "{\"ok\":true}");
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_READ, "/users/me", &resp, &err), 0);
    assert_int_equal(resp.attempts, 3);
    assert_true(f.slept > 0 && f.slept <= 1000 + 2000);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

/* The counters a service reads for its metrics: per exchange, by class. */
static void test_call_stats_count_each_exchange(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_zoom_stats st;
    zf_zoom_stats_get(z, &st);
    assert_int_equal(st.calls + st.attempts, 0);
    push(&f, ZF_ENET, 0, 0, NULL, NULL);
    push(&f, 0, 1, 503, "", "{\"code\":503,\"message\":\"busy\"}");
    push(&f, 0, 1, 429, "X-RateLimit-Type: QPS\r\n", "{\"code\":429,\"message\":\"slow\"}");
    push(&f, 0, 1, 200, "", "{\"ok\":true}");
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_READ, "/users/me", &resp, &err), 0);
    zf_zoom_resp_free(&resp);
    zf_zoom_stats_get(z, &st);
    assert_int_equal(st.calls, 1);
    assert_int_equal(st.attempts, 4);
    assert_int_equal(st.retries, 3);
    assert_int_equal(st.transport_errors, 1);
    assert_int_equal(st.status_5xx, 1);
    assert_int_equal(st.status_4xx, 1);
    assert_int_equal(st.rate_limited, 1);
    assert_int_equal(st.status_2xx, 1);
    assert_true(st.backoff_ms > 0);
    /* a refused path sends nothing and counts nothing */
    assert_int_equal(call(z, ZF_ZOOM_READ, "//evil/x", &resp, &err), ZF_EPATH);
    zf_zoom_resp_free(&resp);
    zf_zoom_stats after;
    zf_zoom_stats_get(z, &after);
    assert_int_equal(after.calls, 1);
    zf_zoom_free(z);
}

static void test_call_read_gives_up_within_budget(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    for (int i = 0; i < 4; i++)
        push(&f, 0, 1, 500, "", "{\"code\":500,\"message\":\"down\"}");
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_READ, "/users", &resp, &err), ZF_ESERVER);
    assert_int_equal(f.next, 4);
    assert_non_null(strstr(err.message, "gave up after 4 attempts"));
    assert_non_null(strstr(err.hint, "retried 3 times"));
    assert_true(f.mono <= 30000);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

static void test_call_retry_after_past_budget_fails_without_sleeping(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 429, "Retry-After: 120\r\n", "{\"code\":429,\"message\":\"slow\"}");
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_READ, "/users", &resp, &err), ZF_ERATELIMIT);
    assert_int_equal(f.slept, 0);
    assert_int_equal(err.retry_after, 120);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

static void test_call_create_ambiguous_not_retried(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, ZF_ETIMEOUT, 1, 0, NULL, NULL);
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_CREATE, "/users/me/meetings", &resp, &err), ZF_EAMBIGUOUS);
    assert_int_equal(f.next, 1);
    assert_string_equal(f.seen[0].method, "POST");
    assert_string_equal(f.seen[0].body, "{\"topic\":\"x\"}");
    zf_zoom_resp_free(&resp);
    /* a malformed 201 body is ambiguous too */
    push(&f, 0, 1, 201, "", "{\"id\":12");
    zf_error e2 = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_CREATE, "/users/me/meetings", &resp, &e2), ZF_EAMBIGUOUS);
    assert_int_equal(e2.http_status, 201);
    assert_int_equal(f.next, 2);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

/* A write retried after an attempt that may have been processed says so
 * (resp.unsure), also when the retry fails: a DELETE retried after a
 * dropped answer hears 404 and the caller must know the first attempt may
 * have done it. Unprocessed answers (unsent, 429, 401) leave it 0. */
static void test_call_write_retry_reports_unsure_attempts(void **state)
{
    static const char nf[] = "{\"code\":3001,\"message\":\"Meeting does not exist: 1.\"}";
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    push(&f, ZF_ETIMEOUT, 1, 0, NULL, NULL); /* sent, no answer: maybe done */
    push(&f, 0, 1, 404, "", nf);
    assert_int_equal(call(z, ZF_ZOOM_WRITE, "/meetings/1", &resp, &err), ZF_ENOTFOUND);
    assert_int_equal(resp.unsure, 1);
    assert_int_equal(resp.attempts, 2);
    assert_int_equal(err.zoom_code, 3001);
    zf_zoom_resp_free(&resp);
    push(&f, 0, 1, 502, "", "{\"code\":502,\"message\":\"Bad Gateway.\"}"); /* maybe done */
    push(&f, 0, 1, 204, "", "");
    zf_error_reset(&err);
    assert_int_equal(call(z, ZF_ZOOM_WRITE, "/meetings/1", &resp, &err), 0);
    assert_int_equal(resp.unsure, 1);
    zf_zoom_resp_free(&resp);
    push(&f, ZF_ENET, 0, 0, NULL, NULL); /* never sent */
    push(&f, 0, 1, 429, "X-RateLimit-Type: QPS\r\n", "{\"code\":429,\"message\":\"slow\"}");
    push(&f, 0, 1, 404, "", nf);
    zf_error_reset(&err);
    assert_int_equal(call(z, ZF_ZOOM_WRITE, "/meetings/1", &resp, &err), ZF_ENOTFOUND);
    assert_int_equal(resp.attempts, 3);
    assert_int_equal(resp.unsure, 0);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

static void test_call_create_retries_unsent_and_qps(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, ZF_ENET, 0, 0, NULL, NULL);
    push(&f, 0, 1, 429, "X-RateLimit-Type: QPS\r\n",
         "{\"code\":429,\"message\":\"You have "
         "reached the maximum per-second rate limit for this API. Try again later.\"}");
    push(&f, 0, 1, 201, "", "{\"id\":85746065432}");
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_CREATE, "/users/me/meetings", &resp, &err), 0);
    assert_int_equal(resp.status, 201);
    assert_int_equal(json_integer_value(json_object_get(resp.json, "id")), 85746065432LL);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

static void test_call_124_rejects_once(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    const char *b124 = "{\"code\":124,\"message\":\"Invalid access token.\"}";
    push(&f, 0, 1, 401, "", b124);
    push(&f, 0, 1, 201, "", "{\"id\":1}");
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_CREATE, "/users", &resp, &err), 0);
    assert_int_equal(f.rejects, 1);
    assert_string_equal(f.seen[0].bearer, "tok-1");
    assert_string_equal(f.seen[1].bearer, "fresh-1");
    assert_int_equal(f.slept, 0);
    zf_zoom_resp_free(&resp);
    /* a second 124 in the same call is EREAUTH, without a second reject */
    push(&f, 0, 1, 401, "", b124);
    push(&f, 0, 1, 401, "", b124);
    zf_error e2 = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_READ, "/users", &resp, &e2), ZF_EREAUTH);
    assert_int_equal(f.rejects, 2);
    assert_int_equal(e2.http_status, 401);
    assert_int_equal(e2.zoom_code, 124);
    assert_non_null(strstr(e2.hint, "reconnect the Zoom connection"));
    assert_int_equal(e2.hint_id, ZF_HINT_RECONNECT);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

static void test_call_static_token_cannot_refresh(void **state)
{
    fake f = {0};
    zf_zoom_tokens src;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_tokens_static(&src, "", NULL, &err), ZF_EINVAL);
    assert_int_equal(zf_zoom_tokens_static(&src, "t", "https://x/v3", &err), ZF_ECONFIG);
    assert_int_equal(zf_zoom_tokens_static(&src, "static-tok", NULL, &err), 0);
    zf_zoom_opts o = ZF_ZOOM_OPTS_INIT;
    o.tokens = src;
    o.mono_ms = fake_mono;
    o.sleep_ms = fake_sleep;
    o.clock_ctx = &f;
    zf_zoom *z = NULL;
    assert_int_equal(zf_zoom_new(&z, &o, &err), 0);
    zf_zoom__set_transport(z, fake_transport, &f);
    push(&f, 0, 1, 401, "", "{\"code\":124,\"message\":\"Access token is expired.\"}");
    zf_zoom_resp resp;
    assert_int_equal(call(z, ZF_ZOOM_READ, "/users/me", &resp, &err), ZF_EREAUTH);
    assert_string_equal(f.seen[0].url, "https://api.zoom.us/v2/users/me");
    assert_string_equal(f.seen[0].bearer, "static-tok");
    assert_int_equal(err.http_status, 401);
    assert_non_null(strstr(err.message, "cannot be refreshed"));
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
    zf_zoom_tokens_free(&src);
}

static void test_call_daily_limit_fails_fast(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 429, "X-RateLimit-Type: Daily-limit\r\nRetry-After: 2025-11-30T00:00:00Z\r\n",
         "{\"code\":429,\"message\":\"You have reached the maximum daily rate limit\"}");
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_READ, "/users", &resp, &err), ZF_EDAILYLIMIT);
    assert_int_equal(f.next, 1);
    assert_int_equal(f.slept, 0);
    assert_int_equal(err.reset_at, 1764374400 + 86400);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

typedef struct sinkbuf {
    char data[256];
    size_t n;
} sinkbuf;

static int sink(void *ctx, const void *data, size_t n)
{
    sinkbuf *s = ctx;
    memcpy(s->data + s->n, data, n);
    s->n += n;
    return 0;
}

static void test_call_stream_holds_error_bodies(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 503, "", "{\"code\":503,\"message\":\"busy\"}");
    push(&f, 0, 1, 200, "", "RAWBYTES");
    sinkbuf sb = {{0}, 0};
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.path = "/meetings/1/recordings";
    req.sink = sink;
    req.sink_ctx = &sb;
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_call(z, &req, &resp, &err), 0);
    assert_int_equal(sb.n, 8);
    assert_memory_equal(sb.data, "RAWBYTES", 8);
    assert_null(resp.json);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

static char logged[1024];

static void capture(void *ctx, zf_log_level level, const char *line)
{
    if (level == ZF_LOG_DEBUG && strstr(line, "zoom"))
        snprintf(logged, sizeof logged, "%s", line);
}

static void test_call_logs_request_id_redacted(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 503, "", "{\"code\":503,\"message\":\"busy\"}");
    push(&f, 0, 1, 200, "x-zm-trackingid: v=2.0;rid42\r\n", "{}");
    zf_log_configure(capture, NULL, ZF_LOG_DEBUG, 0);
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    logged[0] = '\0';
    assert_int_equal(call(z, ZF_ZOOM_READ, "/users?access_token=sekrit", &resp, &err), 0);
    zf_log_configure(NULL, NULL, ZF_LOG_WARN, 0);
    assert_non_null(strstr(logged, "GET /v2/users?access_token="));
    assert_non_null(strstr(logged, "-> 200, 2 attempts"));
    assert_non_null(strstr(logged, "request id v=2.0;rid42"));
    assert_null(strstr(logged, "sekrit"));
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

/* --- pacer */

static void test_pacer_spacing_and_backoff(void **state)
{
    zf_zoom_pacer p;
    zf_zoom__pacer_init(&p);
    int c = zf_zoom__pacer_category(&p, NULL, "GET", "/users/abc123/meetings");
    assert_int_equal(c, ZF_ZOOM_NCAT - 1);
    assert_int_equal(zf_zoom__pacer_wait(&p, c, 0), 0);
    zf_zoom__pacer_update(&p, c, "GET", "/users/abc123/meetings",
                          "X-RateLimit-Category: Medium\r\nX-RateLimit-Limit: 20\r\n"
                          "X-RateLimit-Remaining: 19\r\n",
                          200, 0, 0);
    int m = zf_zoom__pacer_category(&p, NULL, "GET", "/users/other9/meetings?page_size=3");
    assert_int_equal(m, zf_zoom__category("medium"));
    assert_int_equal(zf_zoom__pacer_category(&p, "Heavy", "GET", "/x"), 2);
    /* 20/s -> 50 ms apart */
    assert_int_equal(zf_zoom__pacer_wait(&p, m, 1000), 0);
    assert_int_equal(zf_zoom__pacer_wait(&p, m, 1000), 50);
    assert_int_equal(zf_zoom__pacer_wait(&p, m, 1000), 100);
    /* a QPS 429 pushes the category back by at least 250 ms, doubling */
    zf_zoom__pacer_update(&p, m, "GET", "/users/a1/meetings", "", 429, 1, 2000);
    assert_true(zf_zoom__pacer_wait(&p, m, 2000) >= 250);
    zf_zoom__pacer_update(&p, m, "GET", "/users/a1/meetings", "", 429, 1, 5000);
    int64_t w = zf_zoom__pacer_wait(&p, m, 5000);
    assert_true(w >= 500);
    /* remaining 0 holds the category for the rest of the second */
    zf_zoom__pacer_update(&p, 0, "POST", "/users",
                          "X-RateLimit-Limit: 30\r\n"
                          "X-RateLimit-Remaining: 0\r\n",
                          200, 0, 9000);
    assert_int_equal(zf_zoom__pacer_wait(&p, 0, 9000), 1000);
    /* daily headers do not pace */
    zf_zoom__pacer_update(&p, 2, "GET", "/h",
                          "X-RateLimit-Type: Daily-limit\r\n"
                          "X-RateLimit-Limit: 1\r\nX-RateLimit-Remaining: 0\r\n",
                          200, 0, 0);
    assert_int_equal(zf_zoom__pacer_wait(&p, 2, 0), 0);
    assert_int_equal(zf_zoom__pacer_wait(&p, 2, 0), 0);
}

static void test_call_paces_bulk_work(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 1);
    for (int i = 0; i < 5; i++)
        push(&f, 0, 1, 200,
             "X-RateLimit-Category: Light\r\nX-RateLimit-Limit: 10\r\n"
             "X-RateLimit-Remaining: 5\r\n",
             "{}");
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(call(z, ZF_ZOOM_READ, "/meetings/1", &resp, &err), 0);
        zf_zoom_resp_free(&resp);
    }
    /* 10/s: after learning, requests are 100 ms apart (10 ms spent in each) */
    assert_true(f.slept >= 3 * 90);
    zf_zoom_free(z);
}

/* A sibling (another thread's client) shares the pacer: what the first
 * client learnt paces the sibling's first call; freed in either order. */
static void test_sibling_shares_the_pacer(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 1);
    for (int i = 0; i < 4; i++)
        push(&f, 0, 1, 200,
             "X-RateLimit-Category: Light\r\nX-RateLimit-Limit: 10\r\n"
             "X-RateLimit-Remaining: 5\r\n",
             "{}");
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    /* the first call learns the route's category, the second takes its slot */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(call(z, ZF_ZOOM_READ, "/meetings/1", &resp, &err), 0);
        zf_zoom_resp_free(&resp);
    }
    zf_zoom *sib = NULL;
    assert_int_equal(zf_zoom_sibling_new(&sib, z, &err), 0);
    assert_ptr_equal(zf_zoom_token_source(sib)->ctx, zf_zoom_token_source(z)->ctx);
    int64_t before = f.slept;
    assert_int_equal(call(sib, ZF_ZOOM_READ, "/meetings/2", &resp, &err), 0);
    zf_zoom_resp_free(&resp);
    assert_true(f.slept - before >= 80); /* 100 ms after the other's call */
    zf_zoom_stats st;
    zf_zoom_stats_get(sib, &st);
    assert_int_equal(st.calls, 1); /* its own stats */
    assert_int_equal(st.pacer_waits, 1);
    zf_zoom_free(z); /* the sibling keeps the pacer */
    before = f.slept;
    assert_int_equal(call(sib, ZF_ZOOM_READ, "/meetings/3", &resp, &err), 0);
    zf_zoom_resp_free(&resp);
    assert_true(f.slept - before >= 80);
    zf_zoom_free(sib);
}

/* --- pager */

static void test_pager_streams_pages_same_query(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 200, "",
         "{\"total_records\":3,\"next_page_token\":\"T1\","
         "\"users\":[{\"id\":\"a\"},{\"id\":\"b\"}]}");
    push(&f, 0, 1, 200, "", "{\"next_page_token\":\"\",\"users\":[{\"id\":\"c\"}]}");
    zf_zoom_param q[] = {{"page_size", "2"}, {"status", "active"}};
    zf_pager *p = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_pager_new(&p, z, "/users", q, 2, "users", NULL, &err), 0);
    assert_int_equal(zf_pager_total(p), -1);
    const char *want[] = {"a", "b", "c"};
    json_t *it;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(zf_pager_next(p, &it, &err), 1);
        assert_string_equal(json_string_value(json_object_get(it, "id")), want[i]);
    }
    assert_int_equal(zf_pager_next(p, &it, &err), 0);
    assert_int_equal(zf_pager_next(p, &it, &err), 0);
    assert_int_equal(zf_pager_total(p), 3);
    assert_int_equal(zf_pager_delivered(p), 3);
    assert_string_equal(f.seen[0].url, "https://api.zoom.us/v2/users?page_size=2&status=active");
    assert_string_equal(
        f.seen[1].url, "https://api.zoom.us/v2/users?page_size=2&status=active&next_page_token=T1");
    assert_int_equal(f.next, 2);
    zf_pager_free(p);
    zf_zoom_free(z);
}

/* The page whose items are used up is released before the next one is
 * fetched and parsed: a listing holds one parsed page, not two, at its peak
 * (users list --all with page_size 2000 peaked 6 MB higher before). */
static void test_pager_holds_one_page(void **state)
{
    json_set_alloc_funcs(counting_malloc, counting_free);
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_buf page1 = ZF_BUF_INIT(1 << 20);
    zf_buf_puts(&page1, "{\"next_page_token\":\"T1\",\"users\":[");
    for (int i = 0; i < 100; i++)
        zf_buf_appendf(&page1, "%s{\"id\":\"u%d\",\"email\":\"u%d@example.com\"}", i ? "," : "", i,
                       i);
    zf_buf_puts(&page1, "]}");
    push(&f, 0, 1, 200, "", page1.ptr);
    push(&f, 0, 1, 200, "", "{\"next_page_token\":\"\",\"users\":[{\"id\":\"last\"}]}");
    zf_pager *p = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_pager_new(&p, z, "/users", NULL, 0, "users", NULL, &err), 0);
    json_t *it;
    for (int i = 0; i < 100; i++)
        assert_int_equal(zf_pager_next(p, &it, &err), 1);
    long holding_page1 = json_live;
    assert_true(holding_page1 > f.live_at_call[0] + 300); /* 100 items x 5 blocks */
    assert_int_equal(zf_pager_next(p, &it, &err), 1);
    assert_string_equal(json_string_value(json_object_get(it, "id")), "last");
    /* when page 2 was requested, nothing of page 1 was alive any more */
    assert_true(f.live_at_call[1] <= f.live_at_call[0] + 2);
    assert_int_equal(zf_pager_next(p, &it, &err), 0);
    zf_pager_free(p);
    zf_zoom_free(z);
    zf_buf_free(&page1);
    json_set_alloc_funcs(malloc, free);
}

#define EXPIRED "{\"code\":300,\"message\":\"The next page token is invalid or expired.\"}"

static void test_pager_expired_token_fails_loudly(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 200, "", "{\"next_page_token\":\"T1\",\"users\":[{\"id\":\"a\"}]}");
    push(&f, 0, 1, 400, "", EXPIRED);
    zf_pager *p = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_pager_new(&p, z, "/users", NULL, 0, "users", NULL, &err), 0);
    json_t *it;
    assert_int_equal(zf_pager_next(p, &it, &err), 1);
    assert_int_equal(zf_pager_next(p, &it, &err), ZF_EZOOM);
    assert_non_null(strstr(err.message, "after 1 item was delivered"));
    assert_non_null(strstr(err.message, "incomplete"));
    assert_non_null(strstr(err.hint, "rerun"));
    zf_pager_free(p);
    zf_zoom_free(z);
}

static void test_pager_restart_skips_delivered(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 200, "",
         "{\"next_page_token\":\"T1\",\"registrants\":"
         "[{\"email\":\"a@x\"},{\"email\":\"b@x\"}]}");
    push(&f, 0, 1, 400, "", EXPIRED);
    push(&f, 0, 1, 200, "",
         "{\"next_page_token\":\"T2\",\"registrants\":"
         "[{\"email\":\"a@x\"},{\"email\":\"b@x\"}]}");
    push(&f, 0, 1, 200, "", "{\"next_page_token\":\"\",\"registrants\":[{\"email\":\"c@x\"}]}");
    zf_pager_opts po = ZF_PAGER_OPTS_INIT;
    po.restart = 1;
    po.dedupe_key = "email";
    zf_pager *p = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(
        zf_pager_new(&p, z, "/meetings/1/registrants", NULL, 0, "registrants", &po, &err), 0);
    json_t *it;
    const char *want[] = {"a@x", "b@x", "c@x"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(zf_pager_next(p, &it, &err), 1);
        assert_string_equal(json_string_value(json_object_get(it, "email")), want[i]);
    }
    assert_int_equal(zf_pager_next(p, &it, &err), 0);
    assert_int_equal(f.next, 4);
    assert_null(strstr(f.seen[2].url, "next_page_token"));
    zf_pager_free(p);
    zf_zoom_free(z);
}

static void test_pager_bad_pages(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 200, "", "{\"users\":{\"id\":1}}");
    zf_pager *p = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_pager_new(&p, z, "/users", NULL, 0, "users", NULL, &err), 0);
    json_t *it;
    assert_int_equal(zf_pager_next(p, &it, &err), ZF_EPARSE);
    zf_pager_free(p);
    zf_zoom_param bad[] = {{"next_page_token", "x"}};
    assert_int_equal(zf_pager_new(&p, z, "/users", bad, 1, "users", NULL, &err), ZF_EINVAL);
    assert_int_equal(zf_pager_new(&p, z, "//evil/users", NULL, 0, "users", NULL, &err), ZF_EPATH);
    zf_zoom_free(z);
}

/* --- pager, raw mode: the same pages as above, items as bytes of the body */

/* 1 in the _prefetch variants: the same pages fetched on the pager's
 * thread, the next one asked for while the current one is handed out */
static int raw_prefetch;

/* A raw pager over /users (prefetching when raw_prefetch says so). */
static zf_pager *raw_users_pager(zf_zoom *z, zf_error *err)
{
    zf_pager_opts po = ZF_PAGER_OPTS_INIT;
    po.raw = 1;
    po.prefetch = raw_prefetch;
    zf_pager *p = NULL;
    assert_int_equal(zf_pager_new(&p, z, "/users", NULL, 0, "users", &po, err), 0);
    return p;
}

static int raw_is(const char *it, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(it, want, n) == 0;
}

static void test_pager_raw_streams_pages_same_query(void **state)
{
    json_set_alloc_funcs(counting_malloc, counting_free);
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 200, "",
         " {\"total_records\":3,\"next_page_token\":\"T\\u0031\","
         "\"users\":[ {\"id\" : \"a\"} ,{\"id\":\"b\",\"n\":[1,{\"x\":\"]\"}]}]} ");
    push(&f, 0, 1, 200, "", "{\"next_page_token\":\"\",\"users\":[{\"id\":\"c\"}]}");
    zf_zoom_param q[] = {{"page_size", "2"}, {"status", "active"}};
    zf_pager_opts po = ZF_PAGER_OPTS_INIT;
    po.raw = 1;
    po.prefetch = raw_prefetch;
    zf_pager *p = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_pager_new(&p, z, "/users", q, 2, "users", &po, &err), 0);
    long live = json_live;
    const char *it;
    size_t n;
    json_t *jt;
    assert_int_equal(zf_pager_next(p, &jt, &err), ZF_EINVAL);
    assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), 1);
    assert_true(raw_is(it, n, "{\"id\" : \"a\"}"));
    assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), 1);
    assert_true(raw_is(it, n, "{\"id\":\"b\",\"n\":[1,{\"x\":\"]\"}]}"));
    assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), 1);
    assert_true(raw_is(it, n, "{\"id\":\"c\"}"));
    assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), 0);
    assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), 0);
    /* no jansson tree was built for any page */
    assert_int_equal(json_live, live);
    assert_int_equal(zf_pager_total(p), 3);
    assert_int_equal(zf_pager_delivered(p), 3);
    assert_string_equal(
        f.seen[1].url, "https://api.zoom.us/v2/users?page_size=2&status=active&next_page_token=T1");
    assert_int_equal(f.next, 2);
    zf_pager_free(p);
    zf_pager *tree = NULL;
    assert_int_equal(zf_pager_new(&tree, z, "/users", q, 2, "users", NULL, &err), 0);
    assert_int_equal(zf_pager_next_raw(tree, &it, &n, &err), ZF_EINVAL);
    zf_pager_free(tree);
    zf_zoom_free(z);
    json_set_alloc_funcs(malloc, free);
}

static void test_pager_raw_restart_skips_delivered(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    /* the dedupe key spelled with an escape, a repeated key (the last one
     * counts) and an integer key */
    push(&f, 0, 1, 200, "",
         "{\"next_page_token\":\"T1\",\"registrants\":"
         "[{\"em\\u0061il\":\"a@x\"},{\"email\":\"zz\",\"email\":\"b@x\"},{\"email\":7}]}");
    push(&f, 0, 1, 400, "", EXPIRED);
    push(&f, 0, 1, 200, "",
         "{\"next_page_token\":\"T2\",\"registrants\":"
         "[{\"email\":\"a@x\"},{\"email\":\"b@x\"},{\"email\":7},{\"email\":\"zz\"}]}");
    push(&f, 0, 1, 200, "", "{\"next_page_token\":\"\",\"registrants\":[{\"email\":\"c@x\"}]}");
    zf_pager_opts po = ZF_PAGER_OPTS_INIT;
    po.restart = 1;
    po.dedupe_key = "email";
    po.raw = 1;
    po.prefetch = raw_prefetch;
    zf_pager *p = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(
        zf_pager_new(&p, z, "/meetings/1/registrants", NULL, 0, "registrants", &po, &err), 0);
    const char *it;
    size_t n;
    const char *want[] = {"{\"em\\u0061il\":\"a@x\"}", "{\"email\":\"zz\",\"email\":\"b@x\"}",
                          "{\"email\":7}", "{\"email\":\"zz\"}", "{\"email\":\"c@x\"}"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), 1);
        assert_true(raw_is(it, n, want[i]));
    }
    assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), 0);
    assert_int_equal(f.next, 4);
    assert_null(strstr(f.seen[2].url, "next_page_token"));
    zf_pager_free(p);
    zf_zoom_free(z);
}

static void test_pager_raw_bad_pages(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_pager_opts po = ZF_PAGER_OPTS_INIT;
    po.raw = 1;
    po.prefetch = raw_prefetch;
    push(&f, 0, 1, 200, "", "{\"users\":{\"id\":1}}");
    push(&f, 0, 1, 200, "", "[{\"id\":1}]");
    zf_pager *p = NULL;
    zf_error err = ZF_ERROR_INIT;
    const char *it;
    size_t n;
    assert_int_equal(zf_pager_new(&p, z, "/users", NULL, 0, "users", &po, &err), 0);
    assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), ZF_EPARSE);
    assert_non_null(strstr(err.message, "not a list"));
    zf_pager_free(p);
    assert_int_equal(zf_pager_new(&p, z, "/users", NULL, 0, "users", &po, &err), 0);
    assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), ZF_EPARSE);
    assert_non_null(strstr(err.message, "not a JSON object"));
    zf_pager_free(p);
    zf_zoom_free(z);
}

/* The one pass per page: a truncated 200 is retried and its leftovers
 * never leak into the page that follows; only the top-level
 * next_page_token counts (not one in a nested object or inside a string),
 * the last of a repeated one wins; a page read into the buffers of a
 * bigger one before it holds exactly its own items. */
static void test_pager_raw_page_pass(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 200, "", "{\"next_page_token\":\"BAD\",\"users\":[{\"id\":\"x\"},");
    push(&f, 0, 1, 200, "",
         "{\"x\":{\"next_page_token\":\"NESTED\"},\"s\":\"\\\"next_page_token\\\":\\\"STR\\\"\","
         "\"next_page_token\":\"OLD\",\"users\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"}],"
         "\"next_page_token\":\"T2\"}");
    push(&f, 0, 1, 200, "", "{\"users\":[{\"id\":\"d\"}],\"next_page_token\":\"\"}");
    zf_error err = ZF_ERROR_INIT;
    zf_pager *p = raw_users_pager(z, &err);
    const char *it;
    size_t n;
    const char *want[] = {"{\"id\":\"a\"}", "{\"id\":\"b\"}", "{\"id\":\"c\"}", "{\"id\":\"d\"}"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), 1);
        assert_true(raw_is(it, n, want[i]));
    }
    assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), 0);
    assert_int_equal(f.next, 3);
    assert_null(strstr(f.seen[1].url, "next_page_token"));
    assert_non_null(strstr(f.seen[2].url, "next_page_token=T2"));
    zf_pager_free(p);
    zf_zoom_free(z);
}

/* Malformed pages are refused with the client's clear error, however
 * they are malformed, and nothing of them is handed out. */
static void test_pager_raw_malformed_pages(void **state)
{
    static const char *const bad[] = {
        "{\"users\":[{\"id\":\"a\"}",                     /* truncated */
        "{\"users\":[{\"id\":\"a\\q\"}]}",                /* bad escape */
        "{\"users\":[],\"next_page_token\":\"\\ud800\"}", /* lone surrogate */
        "{\"users\":[1,]}",                               /* trailing comma */
        "{\"users\":[\"caf\xc3\"]}",                      /* bad UTF-8 */
    };
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        fake f = {0};
        zf_zoom *z = client(&f, 0);
        for (int i = 0; i < 8; i++)
            push(&f, 0, 1, 200, "", bad[b]);
        zf_error err = ZF_ERROR_INIT;
        zf_pager *p = raw_users_pager(z, &err);
        const char *it;
        size_t n;
        int rc = zf_pager_next_raw(p, &it, &n, &err);
        assert_true(rc < 0);
        assert_null(it);
        assert_non_null(strstr(err.message, "malformed"));
        zf_pager_free(p);
        zf_zoom_free(z);
    }
}

static void test_pager_raw_expired_token_fails_loudly(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 200, "", "{\"next_page_token\":\"T1\",\"users\":[{\"id\":\"a\"}]}");
    push(&f, 0, 1, 400, "", EXPIRED);
    zf_error err = ZF_ERROR_INIT;
    zf_pager *p = raw_users_pager(z, &err);
    const char *it;
    size_t n;
    assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), 1);
    assert_int_equal(zf_pager_next_raw(p, &it, &n, &err), ZF_EZOOM);
    assert_non_null(strstr(err.message, "after 1 item was delivered"));
    zf_pager_free(p);
    zf_zoom_free(z);
}

#define PREFETCH_VARIANT(name)                                                                     \
    static void name##_prefetch(void **state)                                                      \
    {                                                                                              \
        raw_prefetch = 1;                                                                          \
        name(state);                                                                               \
        raw_prefetch = 0;                                                                          \
    }
PREFETCH_VARIANT(test_pager_raw_streams_pages_same_query)
PREFETCH_VARIANT(test_pager_raw_restart_skips_delivered)
PREFETCH_VARIANT(test_pager_raw_bad_pages)
PREFETCH_VARIANT(test_pager_raw_expired_token_fails_loudly)
PREFETCH_VARIANT(test_pager_raw_page_pass)
PREFETCH_VARIANT(test_pager_raw_malformed_pages)

/* --- zf_zoom_tokens_pin_base: an explicit API base (--api-base) wins over the
 * base the token source hands out (the connection's api_url), while tokens
 * and the on-401 refresh still come from the wrapped source. */

static zf_zoom *pinned_client(fake *f, zf_zoom_tokens *src, const char *pin)
{
    snprintf(f->token, sizeof f->token, "tok-1");
    snprintf(f->base, sizeof f->base, "https://api-eu.zoom.us");
    f->wall = 1764374400;
    *src = (zf_zoom_tokens){f, tok_get, tok_reject, NULL, NULL};
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_tokens_pin_base(src, pin, &err), 0);
    zf_zoom_opts o = ZF_ZOOM_OPTS_INIT;
    o.tokens = *src;
    o.retry = (zf_zoom_retry){4, 1000, 8000, 30000};
    o.mono_ms = fake_mono;
    o.wall_s = fake_wall;
    o.sleep_ms = fake_sleep;
    o.clock_ctx = f;
    o.pacer = 0;
    zf_zoom *z = NULL;
    assert_int_equal(zf_zoom_new(&z, &o, &err), 0);
    zf_zoom__set_transport(z, fake_transport, f);
    zf_zoom__set_random(z, fake_rand, f);
    return z;
}

static void test_calls_go_to_the_pinned_base(void **state)
{
    fake f = {0};
    zf_zoom_tokens src;
    zf_zoom *z = pinned_client(&f, &src, "http://127.0.0.1:9");
    push(&f, 0, 1, 401, "", "{\"code\":124,\"message\":\"Access token is expired.\"}");
    push(&f, 0, 1, 200, "", "{\"id\":\"u1\"}");
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.path = "/users/me";
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_call(z, &req, &resp, &err), 0);
    /* not the source's https://api-eu.zoom.us */
    assert_string_equal(f.seen[0].url, "http://127.0.0.1:9/v2/users/me");
    assert_string_equal(f.seen[0].bearer, "tok-1");
    /* the refresh after 124 is the wrapped source's, and the retry stays pinned */
    assert_int_equal(f.rejects, 1);
    assert_string_equal(f.seen[1].url, "http://127.0.0.1:9/v2/users/me");
    assert_string_equal(f.seen[1].bearer, "fresh-1");
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
    zf_zoom_tokens_free(&src);
}

static void test_get_hands_out_the_pinned_base(void **state)
{
    fake f = {0};
    snprintf(f.token, sizeof f.token, "tok-1");
    snprintf(f.base, sizeof f.base, "https://api.zoom.us");
    zf_zoom_tokens src = {&f, tok_get, tok_reject, NULL, NULL};
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_tokens_pin_base(&src, "https://proxy.example/v2", &err), 0);
    zf_secret tok = ZF_SECRET_INIT;
    char *base = NULL;
    assert_int_equal(src.get(src.ctx, &tok, &base, &err), 0);
    assert_string_equal(base, "https://proxy.example/v2");
    assert_string_equal(zf_secret_reveal(&tok), "tok-1");
    free(base);
    zf_secret_free(&tok);
    zf_zoom_tokens_free(&src);
    assert_null(src.get);
}

static void test_bad_base_is_refused_and_source_kept(void **state)
{
    static const char *const BAD[] = {"ftp://x.example", "https://x.example/other",
                                      "https://user@x.example", "", NULL};
    fake f = {0};
    snprintf(f.token, sizeof f.token, "tok-1");
    snprintf(f.base, sizeof f.base, "https://api.zoom.us");
    zf_zoom_tokens src = {&f, tok_get, tok_reject, NULL, NULL};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        zf_error err = ZF_ERROR_INIT;
        assert_int_equal(zf_zoom_tokens_pin_base(&src, BAD[i], &err), ZF_ECONFIG);
        assert_non_null(strstr(err.message, "API base URL"));
        assert_ptr_equal(src.ctx, &f);
        assert_ptr_equal(src.get, tok_get);
    }
    zf_error err = ZF_ERROR_INIT;
    zf_zoom_tokens none = {NULL, NULL, NULL, NULL, NULL};
    assert_int_equal(zf_zoom_tokens_pin_base(&none, "https://api.zoom.us", &err), ZF_EINVAL);
}

/* unsure: set after an attempt that was sent and cut off or got a 5xx,
 * not after one that never left or got a 429 (Zoom did not process it);
 * kept on failure too, with the attempts made. */
static void test_call_unsure_by_first_attempt(void **state)
{
    static const struct {
        int rc, sent;
        long status;
        int want;
    } first[] = {{ZF_ENET, 1, 0, 1}, {0, 1, 502, 1}, {ZF_ENET, 0, 0, 0}, {0, 1, 429, 0}};
    for (size_t i = 0; i < sizeof first / sizeof first[0]; i++) {
        fake f = {0};
        zf_zoom *z = client(&f, 0);
        push(&f, first[i].rc, first[i].sent, first[i].status, "Retry-After: 1\r\n", "{}");
        push(&f, 0, 1, 404, "", "{\"code\":1001,\"message\":\"User does not exist: x.\"}");
        zf_zoom_resp resp;
        zf_error err = ZF_ERROR_INIT;
        assert_int_equal(call(z, ZF_ZOOM_WRITE, "/users/x", &resp, &err), ZF_ENOTFOUND);
        assert_int_equal(resp.attempts, 2);
        assert_int_equal(resp.unsure, first[i].want);
        zf_zoom_resp_free(&resp);
        zf_zoom_free(z);
    }
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    push(&f, 0, 1, 204, "", "");
    zf_zoom_resp resp;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(call(z, ZF_ZOOM_WRITE, "/users/x", &resp, &err), 0);
    assert_int_equal((resp.attempts << 1) | resp.unsure, 2);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_success_builds_url_and_token),
        cmocka_unit_test(test_call_extra_headers),
        cmocka_unit_test(test_call_refused_path_never_sent),
        cmocka_unit_test(test_call_read_retries_5xx_then_ok),
        cmocka_unit_test(test_call_stats_count_each_exchange),
        cmocka_unit_test(test_call_unsure_by_first_attempt),
        cmocka_unit_test(test_call_read_gives_up_within_budget),
        cmocka_unit_test(test_call_retry_after_past_budget_fails_without_sleeping),
        cmocka_unit_test(test_call_create_ambiguous_not_retried),
        cmocka_unit_test(test_call_create_retries_unsent_and_qps),
        cmocka_unit_test(test_call_write_retry_reports_unsure_attempts),
        cmocka_unit_test(test_call_124_rejects_once),
        cmocka_unit_test(test_call_static_token_cannot_refresh),
        cmocka_unit_test(test_call_daily_limit_fails_fast),
        cmocka_unit_test(test_call_stream_holds_error_bodies),
        cmocka_unit_test(test_call_logs_request_id_redacted),
        cmocka_unit_test(test_pacer_spacing_and_backoff),
        cmocka_unit_test(test_call_paces_bulk_work),
        cmocka_unit_test(test_sibling_shares_the_pacer),
        cmocka_unit_test(test_pager_streams_pages_same_query),
        cmocka_unit_test(test_pager_holds_one_page),
        cmocka_unit_test(test_pager_expired_token_fails_loudly),
        cmocka_unit_test(test_pager_restart_skips_delivered),
        cmocka_unit_test(test_pager_bad_pages),
        cmocka_unit_test(test_pager_raw_streams_pages_same_query),
        cmocka_unit_test(test_pager_raw_restart_skips_delivered),
        cmocka_unit_test(test_pager_raw_restart_skips_delivered_prefetch),
        cmocka_unit_test(test_pager_raw_streams_pages_same_query_prefetch),
        cmocka_unit_test(test_pager_raw_bad_pages_prefetch),
        cmocka_unit_test(test_pager_raw_expired_token_fails_loudly_prefetch),
        cmocka_unit_test(test_pager_raw_bad_pages),
        cmocka_unit_test(test_pager_raw_expired_token_fails_loudly),
        cmocka_unit_test(test_pager_raw_page_pass),
        cmocka_unit_test(test_pager_raw_page_pass_prefetch),
        cmocka_unit_test(test_pager_raw_malformed_pages),
        cmocka_unit_test(test_pager_raw_malformed_pages_prefetch),
        cmocka_unit_test(test_calls_go_to_the_pinned_base),
        cmocka_unit_test(test_get_hands_out_the_pinned_base),
        cmocka_unit_test(test_bad_base_is_refused_and_source_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
