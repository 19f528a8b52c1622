/*
 * The service core without sockets: the route table's rows are well
 * formed and unique, the matcher's choices (literal over {param}, 405's
 * Allow, HEAD as GET), the path check on the tricks, the status of every
 * code and the error body's members, the hint rows, the response helpers
 * (cookie attributes, header injection refused), a handler called on a
 * request made by hand, the OpenAPI document's shape, and the web flow's
 * OAuth app as an embedder sets it (srv_oauth_app_set) or leaves it to the
 * environment (srv_oauth_module_init: a missing or empty secret file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core.h"
#include "handlers.h"
#include "routes/oauth_app.h"
#include "routes/wf_engine.h"
#include "zoomflow/hint.h"

static void test_route_rows(void **state)
{
    size_t n = 0;
    for (const srv_route *r = srv_routes; r->method; r++, n++) {
        assert_non_null(r->handler);
        assert_non_null(r->summary);
        assert_true(r->summary[0]);
        assert_int_equal(r->pattern[0], '/');
        char clean[SRV_PATH_MAX + 1];
        /* a pattern is a clean path itself */
        assert_int_equal(srv_path_clean(r->pattern, strlen(r->pattern), clean, sizeof clean, NULL),
                         0);
        assert_true(r->body_limit <= SRV_BODY_MAX);
        if (r->flags & SRV_ANON)
            assert_int_equal(r->min_role, SRV_ROLE_ANON);
        else
            assert_true(r->min_role >= SRV_ROLE_VIEWER && r->min_role <= SRV_ROLE_ADMIN);
        /* {param} segments are whole segments with a name */
        for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
            assert_int_equal(p[-1], '/');
            const char *e = strchr(p, '}');
            assert_non_null(e);
            assert_true(e > p + 1);
            assert_true(e[1] == '\0' || e[1] == '/');
        }
        for (const srv_route *q = srv_routes; q < r; q++)
            if (strcmp(q->method, r->method) == 0 && strcmp(q->pattern, r->pattern) == 0)
                fail_msg("%s %s is in the table twice", r->method, r->pattern);
    }
    assert_true(n >= 16);
}

static int nop(srv_req *req, srv_resp *resp)
{
    return 0;
}

static const srv_route table[] = {
    {"GET", "/api/v1/actions", nop, 1, 0, 0, "list", NULL, NULL},
    {"GET", "/api/v1/actions/{name}", nop, 1, 0, 0, "one", NULL, NULL},
    {"POST", "/api/v1/actions/{name}", nop, 2, 0, 0, "run", NULL, NULL},
    {"GET", "/api/v1/actions/schema", nop, 1, 0, 0, "literal", NULL, NULL},
    {"DELETE", "/api/v1/keys/{id}", nop, 3, 0, 0, "revoke", NULL, NULL},
    {"GET", "/", nop, 0, 0, SRV_ANON, "page", NULL, NULL},
    {NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL},
};

static void test_matcher(void **state)
{
    srv_match m;
    assert_int_equal(srv_route_match(table, "GET", "/api/v1/actions/list_users", &m), SRV_MATCH_OK);
    assert_string_equal(m.route->summary, "one");
    assert_int_equal(m.nparams, 1);
    assert_string_equal(m.params[0].name, "name");
    assert_string_equal(m.params[0].value, "list_users");
    srv_match_free(&m);
    /* a literal segment beats a {param} at the same place, whatever the order */
    assert_int_equal(srv_route_match(table, "GET", "/api/v1/actions/schema", &m), SRV_MATCH_OK);
    assert_string_equal(m.route->summary, "literal");
    srv_match_free(&m);
    /* POST on the literal: the literal path has GET only */
    assert_int_equal(srv_route_match(table, "POST", "/api/v1/actions/schema", &m), SRV_MATCH_PATH);
    assert_string_equal(m.allow, "GET");
    srv_match_free(&m);
    assert_int_equal(srv_route_match(table, "PUT", "/api/v1/actions/x", &m), SRV_MATCH_PATH);
    assert_string_equal(m.allow, "GET, POST");
    srv_match_free(&m);
    assert_int_equal(srv_route_match(table, "HEAD", "/", &m), SRV_MATCH_OK);
    srv_match_free(&m);
    assert_int_equal(srv_route_match(table, "GET", "/api/v1", &m), SRV_MATCH_NONE);
    assert_int_equal(srv_route_match(table, "GET", "/api/v1/actions/x/y", &m), SRV_MATCH_NONE);
    assert_int_equal(srv_route_match(table, "GET", "/api/v1/actions/", &m), SRV_MATCH_NONE);
    assert_int_equal(srv_route_match(table, "get", "/", &m), SRV_MATCH_PATH);
    srv_match_free(&m);
}

static void test_path_check(void **state)
{
    static const char *const bad[] = {
        "/a/%2e%2e/b", "/a/%2E%2E", "/a/..",     "/a/./b", "//a",   "/a//b", "/a%2fb",
        "/a%2Fb",      "/a\\b",     "/a%5cb",    "/a%00",  "/a%zz", "/a%4",  "/a%",
        "a",           "",          "/a%0d%0ab", "/a\tb",  "/a%7f",
    };
    char out[SRV_PATH_MAX + 1];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = NULL;
        if (srv_path_clean(bad[i], strlen(bad[i]), out, sizeof out, &why) == 0)
            fail_msg("%s was accepted as %s", bad[i], out);
        assert_non_null(why);
    }
    assert_int_equal(srv_path_clean("/a%20b/%25/x.y/..z", 18, out, sizeof out, NULL), 0);
    assert_string_equal(out, "/a b/%/x.y/..z");
    /* a NUL inside the raw bytes */
    assert_int_not_equal(srv_path_clean("/a\0b", 4, out, sizeof out, NULL), 0);
    char *longp = malloc(SRV_PATH_MAX + 10);
    memset(longp, 'a', SRV_PATH_MAX + 9);
    longp[0] = '/';
    assert_int_not_equal(srv_path_clean(longp, SRV_PATH_MAX + 9, out, sizeof out, NULL), 0);
    free(longp);
}

static void test_query_and_cookies(void **state)
{
    srv_kvlist l;
    const char *why;
    assert_int_equal(srv_query_parse("a=1&b=x+y%21&a=2&c&=z", 21, &l, &why), 0);
    assert_string_equal(srv_kvlist_get(&l, "a"), "1");
    assert_string_equal(srv_kvlist_get(&l, "b"), "x y!");
    assert_string_equal(srv_kvlist_get(&l, "c"), "");
    assert_null(srv_kvlist_get(&l, "z"));
    srv_kvlist_free(&l);
    assert_int_not_equal(srv_query_parse("a=%G1", 5, &l, &why), 0);
    assert_int_not_equal(srv_query_parse("a=%00", 5, &l, &why), 0);
    const char *h = "zf_session=abc; theme=\"dark\"; bad name=1; zf_session=second; x";
    assert_int_equal(srv_cookie_parse(h, strlen(h), &l), 0);
    assert_string_equal(srv_kvlist_get(&l, "zf_session"), "abc");
    assert_string_equal(srv_kvlist_get(&l, "theme"), "dark");
    assert_null(srv_kvlist_get(&l, "bad name"));
    assert_null(srv_kvlist_get(&l, "x"));
    srv_kvlist_free(&l);
    assert_true(srv_request_id_ok("abc-123_x.y"));
    assert_false(srv_request_id_ok(""));
    assert_false(srv_request_id_ok("a b"));
    char id65[66];
    memset(id65, 'a', 65);
    id65[65] = '\0';
    assert_false(srv_request_id_ok(id65));
    id65[64] = '\0';
    assert_true(srv_request_id_ok(id65));
}

static void test_status_and_error_body(void **state)
{
    static const struct {
        int code, status;
    } map[] = {
        {ZF_EVALIDATION, 422}, {ZF_EAUTH, 401},      {ZF_EFORBIDDEN, 403},    {ZF_ESCOPE, 403},
        {ZF_ENOTFOUND, 404},   {ZF_ECONFLICT, 409},  {ZF_ENOTCONNECTED, 409}, {ZF_EREAUTH, 409},
        {ZF_ETOOBIG, 413},     {ZF_ERATELIMIT, 429}, {ZF_EDAILYLIMIT, 429},   {ZF_ESERVER, 502},
        {ZF_ENET, 502},        {ZF_EAMBIGUOUS, 502}, {ZF_ETIMEOUT, 504},      {ZF_ESTORE, 503},
        {ZF_EIO, 500},         {ZF_ECRYPT, 500},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        assert_int_equal(srv_status_of(map[i].code), map[i].status);
    zf_error e = ZF_ERROR_INIT;
    zf_error_set(&e, ZF_ERATELIMIT, "slow down");
    zf_error_hint_id(&e, ZF_HINT_RECONNECT, NULL);
    e.retry_after = 7;
    e.zoom_code = 429;
    json_t *j = srv_error_json(&e, 429, "rid-1");
    json_t *o = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(o, "code")), "ERATELIMIT");
    assert_int_equal(json_integer_value(json_object_get(o, "status")), 429);
    assert_string_equal(json_string_value(json_object_get(o, "message")), "slow down");
    assert_string_equal(json_string_value(json_object_get(o, "hint_id")), "RECONNECT");
    assert_string_equal(json_string_value(json_object_get(o, "hint")),
                        "reconnect Zoom to get new tokens");
    json_t *btn = json_object_get(o, "hint_button");
    assert_string_equal(json_string_value(json_object_get(btn, "href")), "/oauth/zoom/connect");
    assert_int_equal(json_integer_value(json_object_get(o, "retry_after")), 7);
    assert_int_equal(json_integer_value(json_object_get(o, "zoom_code")), 429);
    assert_string_equal(json_string_value(json_object_get(o, "request_id")), "rid-1");
    json_decref(j);
    /* absent members are left out */
    zf_error plain = ZF_ERROR_INIT;
    zf_error_set(&plain, ZF_ENOTFOUND, "gone");
    j = srv_error_json(&plain, 404, NULL);
    o = json_object_get(j, "error");
    assert_int_equal(json_object_size(o), 3);
    json_decref(j);
    /* a message that is not UTF-8 still makes a body */
    zf_error_set(&plain, ZF_EIO, "bad \xff byte");
    j = srv_error_json(&plain, 500, NULL);
    assert_non_null(json_string_value(json_object_get(json_object_get(j, "error"), "message")));
    json_decref(j);
}

static void test_hint_rows(void **state)
{
    int rows = 0;
    for (const int *id = zf_hint_ids(); *id >= 0; id++) {
        const srv_hint_row *r = srv_hint_find(*id);
        if (!r)
            continue;
        rows++;
        assert_non_null(r->text);
        assert_true((r->label == NULL) == (r->href == NULL));
        if (r->href)
            assert_int_equal(r->href[0], '/');
    }
    assert_true(rows >= 10);
    /* every id of the map has the service's words, or is one the service
     * never emits (and then has no row): a new id fails here until the
     * service words it */
    for (const int *id = zf_hint_ids(); *id >= 0; id++) {
        if (*id == ZF_HINT_NONE)
            continue;
        int skipped = 0;
        for (const srv_hint_skip *k = srv_hints_not_emitted; k->id != ZF_HINT_NONE; k++)
            if (k->id == *id) {
                skipped = 1;
                assert_non_null(k->why);
            }
        if (skipped != (srv_hint_find(*id) == NULL))
            fail_msg("hint %d (%s): %s", *id, zf_hint_name(*id),
                     skipped ? "is listed as never emitted but has a row"
                             : "has no row in src/server/hints.c");
    }
    assert_non_null(srv_hint_find(ZF_HINT_NEW_IDEMPOTENCY_KEY));
    assert_non_null(srv_hint_find(ZF_HINT_RETRY_IN_PROGRESS));
    /* the service's own ids are 80-99 */
    assert_int_equal(ZF_HINT_NEED_ROLE, 80);
    assert_non_null(srv_hint_find(ZF_HINT_CHECK_ROUTE));
}

static void test_resp_helpers(void **state)
{
    srv_resp r;
    srv_resp_init(&r, NULL, "id");
    assert_int_equal(srv_set_cookie(&r, "zf_session", "abc", 60), 0);
    assert_string_equal(r.hdrs[0].value, "zf_session=abc; Path=/; HttpOnly; SameSite=Strict; "
                                         "Max-Age=60");
    assert_int_not_equal(srv_set_cookie(&r, "zf_session", "a;b", 60), 0);
    assert_int_not_equal(srv_resp_header(&r, "X-A", "v\r\nSet-Cookie: x=1"), 0);
    assert_int_not_equal(srv_resp_header(&r, "X-A\r\n", "v"), 0);
    assert_int_not_equal(srv_redirect(&r, 303, "/x\r\nX: y"), 0);
    assert_int_equal(srv_redirect(&r, 303, "/after"), 0);
    assert_int_equal(r.status, 303);
    assert_int_equal(srv_json(&r, 200, NULL), ZF_ENOMEM);
    assert_int_equal(r.status, 500);
    assert_int_equal(srv_fail(&r, ZF_ECONFLICT, "dup %d", 7), 0);
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(r.body, "\"dup 7\""));
    assert_string_equal(r.err_code, "ECONFLICT");
    srv_resp_clear(&r);
}

static void test_handlers_by_hand(void **state)
{
    srv_req q;
    memset(&q, 0, sizeof q);
    srv_req_priv priv;
    memset(&priv, 0, sizeof priv);
    q.priv = &priv;
    q.method = "GET";
    q.path = "/healthz";
    srv_resp r;
    srv_resp_init(&r, NULL, "x");
    assert_int_equal(srv_h_healthz(&q, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"status\":\"ok\"}");
    assert_int_equal(srv_h_openapi(&q, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *doc = json_loads(r.body, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    json_t *paths = json_object_get(doc, "paths");
    /* every visible row is in the document, hidden ones are not */
    for (const srv_route *rt = srv_routes; rt->method; rt++) {
        json_t *item = json_object_get(paths, rt->pattern);
        char m[16];
        size_t i = 0;
        for (; rt->method[i] && i + 1 < sizeof m; i++)
            m[i] = (char)(rt->method[i] - 'A' + 'a');
        m[i] = '\0';
        if (rt->flags & SRV_HIDDEN)
            assert_true(!item || !json_object_get(item, m));
        else
            assert_non_null(json_object_get(item, m));
    }
    json_decref(doc);
    /* an asset that is not there */
    priv.match.nparams = 0;
    assert_int_equal(srv_h_asset(&q, &r), 0);
    assert_int_equal(r.status, 404);
    srv_resp_clear(&r);
}

static int collect(void *arg, zf_buf *out)
{
    (*(int *)arg)++;
    return zf_buf_puts(out, "# TYPE zoomflow_webhook_events_total counter\n"
                            "zoomflow_webhook_events_total{outcome=\"accepted\"} 3\n");
}

static void test_trusted_proxies(void **state)
{
    srv_net nets[SRV_NETS_MAX];
    size_t n = 0;
    char bad[96], out[64];
    assert_int_equal(srv_net_list_parse("127.0.0.1, ::1 10.0.0.0/8,,172.16.0.0/12", nets,
                                        SRV_NETS_MAX, &n, bad, sizeof bad),
                     0);
    assert_int_equal(n, 4);
    assert_int_equal(nets[0].bits, 128);
    assert_int_equal(nets[2].bits, 96 + 8);
    assert_true(srv_net_match(nets, n, "10.200.3.4"));
    assert_true(srv_net_match(nets, n, "172.31.255.255"));
    assert_false(srv_net_match(nets, n, "172.32.0.1"));
    assert_true(srv_net_match(nets, n, "::ffff:127.0.0.1")); /* mapped: the same peer */
    assert_true(srv_net_match(nets, n, "::1"));
    assert_false(srv_net_match(nets, n, "::2"));
    assert_false(srv_net_match(nets, n, "not an address"));
    assert_false(srv_net_match(nets, n, NULL));
    /* refused: host bits under the prefix, a name, a prefix out of range,
     * too many */
    const char *bads[] = {"10.0.0.1/8", "proxy.local", "::1/129",      "1.2.3.4/33",
                          "1.2.3.4/",   "1.2.3.4/x",   "fe80::1%eth0", "1.2.3.4/0008"};
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        assert_int_equal(srv_net_list_parse(bads[i], nets, SRV_NETS_MAX, &n, bad, sizeof bad), -1);
        assert_string_equal(bad, bads[i]);
    }
    char many[40 * 12] = "";
    for (int i = 0; i < SRV_NETS_MAX + 1; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "10.0.0.%d,", i);
    assert_int_equal(srv_net_list_parse(many, nets, SRV_NETS_MAX, &n, bad, sizeof bad), -1);
    assert_string_equal(bad, "10.0.0.32");
    /* the list is "10.9.0.0/16 127.0.0.1" */
    assert_int_equal(
        srv_net_list_parse("10.9.0.0/16 127.0.0.1", nets, SRV_NETS_MAX, &n, bad, sizeof bad), 0);
    struct {
        const char *xff, *client; /* NULL: the peer stays */
    } cases[] = {
        {"203.0.113.5", "203.0.113.5"},
        {"1.2.3.4, 203.0.113.5", "203.0.113.5"},
        {"1.2.3.4,203.0.113.5 , 10.9.1.1,127.0.0.1", "203.0.113.5"},
        {" 2001:DB8::7 ", "2001:db8::7"},
        {"::ffff:198.51.100.1", "198.51.100.1"},
        {"10.9.0.1, 127.0.0.1", NULL},
        {"unknown", NULL},
        {"198.51.100.1:443", NULL},
        {"1.2.3.4, garbage, 10.9.0.1", NULL},
        {"", NULL},
        {",", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        strcpy(out, "peer");
        int rc = srv_forwarded_client(cases[i].xff, strlen(cases[i].xff), nets, n, out, sizeof out);
        assert_int_equal(rc, cases[i].client != NULL);
        assert_string_equal(out, cases[i].client ? cases[i].client : "peer");
    }
    /* a NUL inside an entry is not an address */
    assert_int_equal(srv_forwarded_client("1.2.3.4\0x", 9, nets, n, out, sizeof out), 0);
    /* the answer does not fit: the peer stays */
    assert_int_equal(srv_forwarded_client("2001:db8::7", 11, nets, n, out, 4), 0);
}

static void test_metrics(void **state)
{
    srv_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    assert_int_equal(srv_metrics_new(&ctx.metrics), 0);
    assert_int_equal(srv_metric_declare(&ctx, "zoomflow_zoom_calls_total", SRV_METRIC_COUNTER,
                                        "Zoom API calls\nby endpoint"),
                     0);
    /* the same again is fine, another type is not, nor a bad name */
    assert_int_equal(srv_metric_declare(&ctx, "zoomflow_zoom_calls_total", SRV_METRIC_COUNTER, ""),
                     0);
    assert_int_equal(srv_metric_declare(&ctx, "zoomflow_zoom_calls_total", SRV_METRIC_GAUGE, ""),
                     ZF_EINVAL);
    assert_int_equal(srv_metric_declare(&ctx, "9bad", SRV_METRIC_GAUGE, ""), ZF_EINVAL);
    assert_int_equal(srv_metric_declare(&ctx, "zoomflow_tokens", SRV_METRIC_GAUGE, "g"), 0);
    zf_buf l = ZF_BUF_INIT(1024);
    srv_metric_label(&l, "endpoint", "/users/\"x\"\\");
    srv_metric_label(&l, "status", "200");
    for (int i = 0; i < 3; i++)
        srv_metric_add(&ctx, "zoomflow_zoom_calls_total", zf_buf_cstr(&l), 1);
    srv_metric_add(&ctx, "zoomflow_unknown_total", "", 1); /* ignored */
    srv_metric_set(&ctx, "zoomflow_tokens", NULL, 5);
    srv_metric_set(&ctx, "zoomflow_tokens", NULL, 2);
    srv_metrics_observe(&ctx, "/healthz", "GET", 200, 0.003);
    srv_metrics_observe(&ctx, "/healthz", "GET", 200, 7.0);
    int calls = 0;
    assert_int_equal(srv_metrics_collector(&ctx, collect, &calls), 0);
    zf_buf out = ZF_BUF_INIT(1 << 20);
    assert_int_equal(srv_metrics_render(&ctx, &out), 0);
    const char *t = zf_buf_cstr(&out);
    assert_non_null(strstr(t, "# HELP zoomflow_zoom_calls_total Zoom API calls\\nby endpoint\n"));
    assert_non_null(strstr(t, "zoomflow_zoom_calls_total{endpoint=\"/users/\\\"x\\\"\\\\\","
                              "status=\"200\"} 3\n"));
    assert_non_null(strstr(t, "zoomflow_tokens 2\n"));
    assert_null(strstr(t, "zoomflow_unknown_total"));
    assert_non_null(strstr(t, "zoomflow_http_request_duration_seconds_bucket{route=\"/healthz\","
                              "le=\"0.005\"} 1\n"));
    assert_non_null(strstr(t, "zoomflow_http_request_duration_seconds_bucket{route=\"/healthz\","
                              "le=\"+Inf\"} 2\n"));
    assert_non_null(
        strstr(t, "zoomflow_http_request_duration_seconds_count{route=\"/healthz\"} 2"));
    assert_non_null(strstr(t, "zoomflow_http_requests_total{route=\"/healthz\",method=\"GET\","
                              "status=\"200\"} 2\n"));
    assert_non_null(strstr(t, "zoomflow_webhook_events_total{outcome=\"accepted\"} 3"));
    assert_int_equal(calls, 1);
    zf_buf_free(&out);
    zf_buf_free(&l);
    srv_metrics_free(ctx.metrics);
}

/* The schedule's trigger ids: the fire time in ISO UTC and back. */
static void test_schedule_times(void **state)
{
    (void)state;
    char out[32];
    srv_wf_iso(0, out, sizeof out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    srv_wf_iso(1773061200, out, sizeof out);
    assert_string_equal(out, "2026-03-09T13:00:00Z");
    srv_wf_iso(4107542399LL, out, sizeof out);
    assert_string_equal(out, "2100-02-28T23:59:59Z");
    for (int64_t t = 0; t < 5000000000LL; t += 86399 * 37 + 61)
        srv_wf_iso(t, out, sizeof out), assert_int_equal(srv_wf_iso_parse(out), t);
    assert_int_equal(srv_wf_iso_parse("2026-03-09T13:00:00Z"), 1773061200);
    const char *bad[] = {NULL,
                         "",
                         "2026-03-09T13:00:00",
                         "2026-03-09 13:00:00Z",
                         "2026-13-09T13:00:00Z",
                         "2026-03-09T24:00:00Z",
                         "2026-03-09T13:60:00Z",
                         "2026-03-09T13:00:00+01",
                         "20x6-03-09T13:00:00Z",
                         "2026-03-09T13:00:00ZZ",
                         "hire-ada"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(srv_wf_iso_parse(bad[i]), -1);
}

static void secret_file(char *path, const char *text)
{
    snprintf(path, 64, "/tmp/zf-test-server-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_oauth_app(void **state)
{
    (void)state;
    zf_error err = ZF_ERROR_INIT;
    /* half an app is refused, and leaves none */
    srv_oauth_app half = {"cid", NULL, NULL, NULL, NULL};
    assert_int_equal(srv_oauth_app_set(&half, &err), ZF_ECONFIG);
    assert_string_equal(err.message,
                        "the Zoom OAuth app needs both a client id and a client secret");
    assert_null(srv_oauth_app_get()->client_id);
    srv_oauth_app both = {"cid", "sec", "/authz", NULL, ""};
    assert_int_equal(srv_oauth_app_set(&both, &err), 0);
    assert_string_equal(srv_oauth_app_get()->client_secret, "sec");
    assert_string_equal(srv_oauth_app_get()->authorize_endpoint, "/authz");
    assert_null(srv_oauth_app_get()->revoke_endpoint); /* "" is the default */
    /* set: the environment is not read */
    setenv("ZOOMFLOW_CLIENT_SECRET_FILE", "/nonexistent/zf-secret", 1);
    assert_int_equal(srv_oauth_module_init(NULL, &err), 0);
    assert_string_equal(srv_oauth_app_get()->client_id, "cid");
    /* not set: the environment's, the file named and why */
    assert_int_equal(srv_oauth_app_set(NULL, &err), 0);
    assert_int_equal(srv_oauth_module_init(NULL, &err), ZF_ECONFIG);
    assert_string_equal(err.message, "cannot read the client secret file /nonexistent/zf-secret");
    char path[64];
    secret_file(path, " \r\n\n");
    setenv("ZOOMFLOW_CLIENT_SECRET_FILE", path, 1);
    assert_int_equal(srv_oauth_module_init(NULL, &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "is empty"));
    assert_non_null(strstr(err.message, path));
    unlink(path);
    secret_file(path, "s3cret \n");
    setenv("ZOOMFLOW_CLIENT_SECRET_FILE", path, 1);
    unsetenv("ZOOMFLOW_CLIENT_ID");
    assert_int_equal(srv_oauth_module_init(NULL, &err), ZF_ECONFIG); /* a secret, no id */
    setenv("ZOOMFLOW_CLIENT_ID", "env-cid", 1);
    setenv("ZOOMFLOW_TOKEN_ENDPOINT", "/tok", 1);
    assert_int_equal(srv_oauth_module_init(NULL, &err), 0);
    assert_string_equal(srv_oauth_app_get()->client_id, "env-cid");
    assert_string_equal(srv_oauth_app_get()->client_secret, "s3cret");
    assert_string_equal(srv_oauth_app_get()->token_endpoint, "/tok");
    assert_null(srv_oauth_app_get()->authorize_endpoint);
    unlink(path);
    srv_oauth_module_fini(NULL);
    assert_null(srv_oauth_app_get()->client_id);
    unsetenv("ZOOMFLOW_CLIENT_SECRET_FILE");
    unsetenv("ZOOMFLOW_CLIENT_ID");
    unsetenv("ZOOMFLOW_TOKEN_ENDPOINT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_rows),
        cmocka_unit_test(test_matcher),
        cmocka_unit_test(test_path_check),
        cmocka_unit_test(test_query_and_cookies),
        cmocka_unit_test(test_status_and_error_body),
        cmocka_unit_test(test_hint_rows),
        cmocka_unit_test(test_resp_helpers),
        cmocka_unit_test(test_handlers_by_hand),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_trusted_proxies),
        cmocka_unit_test(test_schedule_times),
        cmocka_unit_test(test_oauth_app),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
