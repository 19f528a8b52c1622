/* zf_action_run over a scripted fake transport and a fake clock:
 * validation and scope refusals send nothing, 4711 reads like the
 * preflight, ambiguous creates are reconciled (found, or proven absent and
 * sent once more), list streaming with all=true. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoom_internal.h"
#include "zoomflow/action_run.h"

#define MAXX 24

typedef struct canned {
    int rc, sent;
    long status;
    const char *headers, *body;
} canned;

typedef struct seen_req {
    char method[8];
    char url[512];
    char bearer[64];
    char body[128];
} seen_req;

typedef struct fake {
    canned script[MAXX];
    int n, next;
    seen_req seen[MAXX];
    int64_t mono, slept;
    int64_t wall;
    int rejects;
    char token[64];
    char base[64];
} fake;

static int fake_transport(void *ctx, const zf_http_req *req, zf_http_resp *resp,
                          zf_error *err)
{
    fake *f = ctx;
    assert_true(f->next < f->n);
    seen_req *s = &f->seen[f->next];
    snprintf(s->method, sizeof s->method, "%s", req->method);
    snprintf(s->url, sizeof s->url, "%s", req->url);
    snprintf(s->bearer, sizeof s->bearer, "%s", zf_secret_reveal(req->bearer));
    snprintf(s->body, sizeof s->body, "%.*s", (int)req->body_len, req->body ? req->body : "");
    assert_int_equal(req->follow_redirects, 0);
    const canned *c = &f->script[f->next++];
    f->mono += 10;
    resp->sent = c->sent;
    if (c->rc)
        return zf_error_set(err, c->rc, "scripted transport failure");
    resp->status = c->status;
    zf_buf_puts(&resp->headers, c->headers ? c->headers : "");
    const char *b = c->body ? c->body : "";
    if (req->sink)
        return req->sink(req->sink_ctx, b, strlen(b)) ? zf_error_set(err, ZF_ECANCELED, "x")
                                                      : 0;
    zf_buf_init(&resp->body, (size_t)1 << 20); /* as zf_http_do does */
    zf_buf_puts(&resp->body, b);
    return 0;
}

static int64_t fake_mono(void *ctx) { return ((fake *)ctx)->mono; }
static int64_t fake_wall(void *ctx) { return ((fake *)ctx)->wall + ((fake *)ctx)->mono / 1000; }
static void fake_sleep(void *ctx, int64_t ms)
{
    ((fake *)ctx)->mono += ms;
    ((fake *)ctx)->slept += ms;
}
static uint64_t fake_rand(void *ctx) { return 0x7fffffffffffULL; }

static int tok_get(void *ctx, zf_secret *token, char **api_base, zf_error *err)
{
    fake *f = ctx;
    *api_base = strdup(f->base);
    return zf_secret_set(token, f->token, strlen(f->token));
}

static int tok_reject(void *ctx, const zf_secret *rejected, zf_secret *token, zf_error *err)
{
    fake *f = ctx;
    f->rejects++;
    assert_string_equal(zf_secret_reveal(rejected), f->token);
    snprintf(f->token, sizeof f->token, "fresh-%d", f->rejects);
    return zf_secret_set(token, f->token, strlen(f->token));
}

static zf_zoom *client(fake *f, int pacer)
{
    zf_zoom_opts o = ZF_ZOOM_OPTS_INIT;
    o.tokens = (zf_zoom_tokens){f, tok_get, tok_reject, NULL};
    o.retry = (zf_zoom_retry){4, 1000, 8000, 30000};
    o.mono_ms = fake_mono;
    o.wall_s = fake_wall;
    o.sleep_ms = fake_sleep;
    o.clock_ctx = f;
    o.pacer = pacer;
    if (!f->token[0])
        snprintf(f->token, sizeof f->token, "tok-1");
    if (!f->base[0])
        snprintf(f->base, sizeof f->base, "https://api.zoom.us");
    if (!f->wall)
        f->wall = 1764374400;
    zf_zoom *z = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_new(&z, &o, &err), 0);
    zf_zoom__set_transport(z, fake_transport, f);
    zf_zoom__set_random(z, fake_rand, f);
    return z;
}


static void push(fake *f, int rc, int sent, long status, const char *headers, const char *body)
{
    f->script[f->n++] = (canned){rc, sent, status, headers, body};
}

static void fake_sleep_run(void *ctx, int64_t ms)
{
    fake_sleep(ctx, ms);
}

static zf_action_run_opts run_opts(fake *f, zf_zoom *z)
{
    zf_action_run_opts o = ZF_ACTION_RUN_OPTS_INIT;
    o.zoom = z;
    o.wall_s = fake_wall;
    o.sleep_ms = fake_sleep_run;
    o.clock_ctx = f;
    return o;
}

static json_t *user_input(void)
{
    return json_pack("{s:s,s:{s:s,s:i}}", "action", "custCreate", "user_info", "email",
                     "a@example.com", "type", 1);
}

static void test_action_run_validation_sends_nothing(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_problems p = ZF_PROBLEMS_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = json_pack("{s:s,s:s,s:i,s:i}", "user_id", "me", "topic", "t", "type", 7,
                           "duration", 0);
    assert_int_equal(zf_action_run(&res, zf_action_find("create_meeting"), in, &o, &p, &err),
                     ZF_EVALIDATION);
    assert_int_equal(p.count, 2);
    assert_int_equal(f.next, 0);
    json_decref(in);
    zf_problems_free(&p);
    zf_zoom_free(z);
}

static void test_action_run_scope_preflight(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    o.granted_scopes = "user:read:list_users:admin";
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = user_input();
    assert_int_equal(zf_action_run(&res, zf_action_find("create_user"), in, &o, NULL, &err),
                     ZF_ESCOPE);
    assert_non_null(strstr(err.message, "user:write:user:admin"));
    assert_int_equal(f.next, 0);
    /* the same words when Zoom itself answers 4711 */
    o.granted_scopes = NULL;
    push(&f, 0, 1, 400, NULL, "{\"code\":4711,\"message\":\"Invalid access token, does not "
                               "contain scopes:[user:write:user:admin].\"}");
    zf_error_clear(&err);
    assert_int_equal(zf_action_run(&res, zf_action_find("create_user"), in, &o, NULL, &err),
                     ZF_ESCOPE);
    assert_non_null(strstr(err.message, "create_user needs the Zoom scope user:write:user:admin"));
    assert_int_equal(err.zoom_code, 4711);
    json_decref(in);
    zf_zoom_free(z);
}

static void test_action_run_ambiguous_create_found(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    push(&f, 0, 1, 502, NULL, "{\"code\":502,\"message\":\"Bad Gateway.\"}");
    push(&f, 0, 1, 200, NULL, "{\"id\":\"u1\",\"email\":\"A@example.com\",\"type\":1}");
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = user_input();
    assert_int_equal(zf_action_run(&res, zf_action_find("create_user"), in, &o, NULL, &err), 0);
    assert_true(json_is_false(json_object_get(res.output, "created")));
    assert_true(json_is_true(json_object_get(res.output, "found")));
    assert_string_equal(json_string_value(json_object_get(res.output, "id")), "u1");
    assert_int_equal(f.next, 2);
    assert_string_equal(f.seen[1].method, "GET");
    zf_action_result_free(&res);
    json_decref(in);
    zf_zoom_free(z);
}

static void test_action_run_absent_create_sent_once_more(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    const char *nf = "{\"code\":1001,\"message\":\"User does not exist: a@example.com.\"}";
    push(&f, ZF_ETIMEOUT, 1, 0, NULL, NULL);
    push(&f, 0, 1, 404, NULL, nf);
    push(&f, 0, 1, 404, NULL, nf);
    push(&f, 0, 1, 201, NULL, "{\"id\":\"u2\",\"email\":\"a@example.com\",\"type\":1}");
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = user_input();
    int64_t slept = f.slept;
    assert_int_equal(zf_action_run(&res, zf_action_find("create_user"), in, &o, NULL, &err), 0);
    assert_true(json_is_true(json_object_get(res.output, "created")));
    assert_int_equal(f.next, 4);
    assert_string_equal(f.seen[3].method, "POST");
    assert_true(f.slept - slept >= o.settle_ms); /* looked twice, settle_ms apart */
    zf_action_result_free(&res);
    /* ambiguous twice and absent twice: a clear "not done", no third POST */
    f.n = f.next = 0;
    push(&f, 0, 1, 500, NULL, NULL);
    push(&f, 0, 1, 404, NULL, nf);
    push(&f, 0, 1, 404, NULL, nf);
    push(&f, 0, 1, 500, NULL, NULL);
    push(&f, 0, 1, 404, NULL, nf);
    push(&f, 0, 1, 404, NULL, nf);
    zf_error_clear(&err);
    assert_int_equal(zf_action_run(&res, zf_action_find("create_user"), in, &o, NULL, &err),
                     ZF_ESERVER);
    assert_non_null(strstr(err.message, "was not done"));
    assert_int_equal(f.next, 6);
    json_decref(in);
    zf_zoom_free(z);
}

static void test_action_run_reconcile_failure_is_ambiguous(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    push(&f, 0, 1, 502, NULL, NULL);
    push(&f, 0, 1, 403, NULL, "{\"code\":200,\"message\":\"No privilege.\"}");
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = user_input();
    assert_int_equal(zf_action_run(&res, zf_action_find("create_user"), in, &o, NULL, &err),
                     ZF_EAMBIGUOUS);
    assert_non_null(strstr(err.message, "may or may not have happened"));
    assert_non_null(strstr(err.hint, "before running this again"));
    assert_int_equal(f.next, 2); /* no second POST */
    json_decref(in);
    zf_zoom_free(z);
}

typedef struct collected {
    int n;
    char emails[8][32];
} collected;

static int collect(void *ctx, const json_t *item)
{
    collected *c = ctx;
    snprintf(c->emails[c->n++], 32, "%s", json_string_value(json_object_get(item, "email")));
    assert_null(json_object_get(item, "secret_field")); /* normalised */
    return 0;
}

static void test_action_run_list_all_streams(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    collected c = {0};
    o.on_item = collect;
    o.item_ctx = &c;
    push(&f, 0, 1, 200, NULL, "{\"total_records\":3,\"next_page_token\":\"p2\",\"users\":["
                              "{\"id\":\"1\",\"email\":\"a@x.co\",\"secret_field\":1},"
                              "{\"id\":\"2\",\"email\":\"b@x.co\"}]}");
    push(&f, 0, 1, 200, NULL, "{\"total_records\":3,\"next_page_token\":\"\",\"users\":["
                              "{\"id\":\"3\",\"email\":\"c@x.co\"}]}");
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = json_pack("{s:b,s:i}", "all", 1, "page_size", 2);
    assert_int_equal(zf_action_run(&res, zf_action_find("list_users"), in, &o, NULL, &err), 0);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.emails[2], "c@x.co");
    assert_int_equal(json_integer_value(json_object_get(res.output, "total_records")), 3);
    assert_null(json_object_get(res.output, "users"));
    assert_non_null(strstr(f.seen[1].url, "next_page_token=p2"));
    assert_non_null(strstr(f.seen[1].url, "page_size=2"));
    zf_action_result_free(&res);
    json_decref(in);
    zf_zoom_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action_run_validation_sends_nothing),
        cmocka_unit_test(test_action_run_scope_preflight),
        cmocka_unit_test(test_action_run_ambiguous_create_found),
        cmocka_unit_test(test_action_run_absent_create_sent_once_more),
        cmocka_unit_test(test_action_run_reconcile_failure_is_ambiguous),
        cmocka_unit_test(test_action_run_list_all_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
