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

#include "zoom_fake.h"
#include "zoomflow/action_run.h"

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

static void test_action_run_daily_warning_from_headers(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    const char *m = "{\"id\":12345678901,\"topic\":\"t\"}";
    push(&f, 0, 1, 201, "X-RateLimit-Type: Daily-limit\r\nX-RateLimit-Remaining: 4\r\n", m);
    push(&f, 0, 1, 201, "X-RateLimit-Type: Daily-limit\r\nX-RateLimit-Remaining: 40\r\n", m);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = json_pack("{s:s,s:s}", "user_id", "Host@example.com", "topic", "t");
    assert_int_equal(zf_action_run(&res, zf_action_find("create_meeting"), in, &o, NULL, &err),
                     0);
    assert_int_equal(json_array_size(res.warnings), 1);
    const char *w = json_string_value(json_array_get(res.warnings, 0));
    assert_non_null(strstr(w, "host@example.com: Zoom reports 4 meeting creates"));
    zf_action_result_free(&res);
    assert_int_equal(zf_action_run(&res, zf_action_find("create_meeting"), in, &o, NULL, &err),
                     0);
    assert_null(res.warnings); /* 40 left: nothing to say */
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
        cmocka_unit_test(test_action_run_daily_warning_from_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
