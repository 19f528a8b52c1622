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
    zf_error_reset(&err);
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
    zf_error_reset(&err);
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

/* --- the fast path (on_item_raw): the same items as the tree path, shaped
 * from the page bytes */

typedef struct gathered {
    json_t *items;  /* each item as parsed back */
    char first[512]; /* the first raw item, as written */
} gathered;

static int gather_tree(void *ctx, const json_t *item)
{
    gathered *g = ctx;
    json_array_append_new(g->items, json_deep_copy(item));
    return 0;
}

static int gather_raw(void *ctx, const char *j, size_t n)
{
    gathered *g = ctx;
    json_error_t je;
    json_t *v = json_loadb(j, n, 0, &je);
    if (!v)
        fail_msg("raw item is not JSON (%s): %.*s", je.text, (int)n, j);
    if (json_array_size(g->items) == 0)
        snprintf(g->first, sizeof g->first, "%.*s", (int)n, j);
    json_array_append_new(g->items, v);
    return 0;
}

/* Same values and the same key order, nested objects included. */
static void assert_same_ordered(json_t *a, json_t *b)
{
    assert_true(json_equal(a, b));
    if (json_is_object(a)) {
        void *ia = json_object_iter(a), *ib = json_object_iter(b);
        for (; ia && ib; ia = json_object_iter_next(a, ia), ib = json_object_iter_next(b, ib)) {
            assert_string_equal(json_object_iter_key(ia), json_object_iter_key(ib));
            assert_same_ordered(json_object_iter_value(ia), json_object_iter_value(ib));
        }
        assert_null(ia);
        assert_null(ib);
    } else if (json_is_array(a)) {
        for (size_t i = 0; i < json_array_size(a); i++)
            assert_same_ordered(json_array_get(a, i), json_array_get(b, i));
    }
}

static json_t *list_with(const char *action, json_t *in, const char *const *pages, int n,
                         int raw, char *first, size_t firstlen)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    gathered g = {json_array(), ""};
    if (raw)
        o.on_item_raw = gather_raw;
    else
        o.on_item = gather_tree;
    o.item_ctx = &g;
    for (int i = 0; i < n; i++)
        push(&f, 0, 1, 200, NULL, pages[i]);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_action_run(&res, zf_action_find(action), in, &o, NULL, &err), 0);
    assert_int_equal(f.next, n);
    /* the pager counts every element; non-objects are not written */
    assert_true(json_integer_value(json_object_get(res.output, "delivered")) >=
                (json_int_t)json_array_size(g.items));
    if (first)
        snprintf(first, firstlen, "%s", g.first);
    zf_action_result_free(&res);
    zf_zoom_free(z);
    return g.items;
}

static void test_action_run_list_all_raw_matches_tree(void **state)
{
    static const char *const users[] = {
        "{\"total_records\":9,\"next_page_token\":\"p2\",\"users\":[ "
        "{\"id\":\"u1\", \"email\" : \"a\\\"b\\\\c\\u00e9\\ud83d\\ude00@x\",\"extra\":{\"x\":1},"
        "\"first_name\":\"tab\\there\",\"pmi\": 1.5e+3,\"type\":1E2,"
        "\"dept\":{ \"nested\" : [ 1 , {\"a\" : \"b c\"} ] ,\"s\":\"  spaced  \"},"
        "\"role_id\":null,\"verified\":-0,\"last_login_time\":\"caf\xc3\xa9\"},"
        "{\"email\":\"b@x\",\"id\":\"u2\"},"
        "\"not an object\",[1,2],"
        "{\"id\":\"u3\",\"status\":\"active\",\"id\":\"u3b\"}]}",
        "{\"total_records\":9,\"next_page_token\":\"\",\"users\":[{},"
        "{\"\\u0069d\":\"esc-key\",\"timezone\":\"Europe/Berlin\",\"pmi\":-12.5E-3},"
        "{\"id\":\"u6\",\"dept\":[\"\\n\",\"\\/\",true,false,{}],\"status\":{\"deep\":[[[]]]}}]}"};
    json_t *in = json_pack("{s:b,s:i}", "all", 1, "page_size", 5);
    char first[512];
    json_t *tree = list_with("list_users", in, users, 2, 0, NULL, 0);
    json_t *raw = list_with("list_users", in, users, 2, 1, first, sizeof first);
    assert_int_equal(json_array_size(tree), 6); /* the string and array are skipped */
    assert_same_ordered(tree, raw);
    /* values' bytes as sent (escapes, exponents), output_keys order, no
     * whitespace outside strings */
    assert_string_equal(first, "{\"id\":\"u1\",\"email\":\"a\\\"b\\\\c\\u00e9\\ud83d\\ude00@x\","
                               "\"first_name\":\"tab\\there\",\"type\":1E2,\"pmi\":1.5e+3,"
                               "\"dept\":{\"nested\":[1,{\"a\":\"b c\"}],\"s\":\"  spaced  \"},"
                               "\"role_id\":null,\"verified\":-0,"
                               "\"last_login_time\":\"caf\xc3\xa9\"}");
    json_decref(tree);
    json_decref(raw);
    json_decref(in);

    static const char *const meetings[] = {
        "{\"next_page_token\":\"m2\",\"meetings\":[{\"uuid\":\"/ab==\",\"id\":123456789012,"
        "\"topic\":\"\\u2603 \\\"q\\\"\",\"duration\":3.0,\"agenda\":\"line1\\r\\nline2\"}]}",
        "{\"next_page_token\":\"\",\"meetings\":[{\"id\":2,\"settings\":{\"a\":1},"
        "\"start_time\":\"2031-03-04T09:30:00Z\",\"pmi\":\"\"}]}"};
    in = json_pack("{s:s,s:b}", "user_id", "me", "all", 1);
    tree = list_with("list_meetings", in, meetings, 2, 0, NULL, 0);
    raw = list_with("list_meetings", in, meetings, 2, 1, NULL, 0);
    assert_int_equal(json_array_size(raw), 2);
    assert_same_ordered(tree, raw);
    json_decref(tree);
    json_decref(raw);
    json_decref(in);

    static const char *const regs[] = {
        "{\"next_page_token\":\"\",\"registrants\":[{\"email\":\"g@x\",\"custom_questions\":"
        "[{\"title\":\"Why?\",\"value\":\"\\u00fcber\"}],\"org\":null,\"id\":\"r1\"}]}"};
    in = json_pack("{s:s,s:b}", "meeting_id", "85746065432", "all", 1);
    tree = list_with("list_meeting_registrants", in, regs, 1, 0, NULL, 0);
    raw = list_with("list_meeting_registrants", in, regs, 1, 1, NULL, 0);
    assert_int_equal(json_array_size(raw), 1);
    assert_same_ordered(tree, raw);
    json_decref(tree);
    json_decref(raw);
    json_decref(in);
}

static void test_action_shape_raw_edges(void **state)
{
    const zf_action *a = zf_action_find("list_users");
    zf_buf b = ZF_BUF_INIT(1 << 10);
    assert_int_equal(zf_action_shape_raw(a, "\"x\"", 3, &b), 0);
    assert_int_equal(zf_action_shape_raw(a, "", 0, &b), 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(zf_action_shape_raw(a, "{\"zzz\":1}", 9, &b), 1);
    assert_string_equal(b.ptr, "{}");
    zf_buf small = ZF_BUF_INIT(4);
    assert_int_equal(zf_action_shape_raw(a, "{\"id\":\"abcdef\"}", 15, &small),
                     ZF_ENOMEM);
    zf_buf_free(&small);
    /* no output_keys: the whole item, compacted */
    zf_action whole = *a;
    whole.output_keys = NULL;
    zf_buf_reset(&b);
    assert_int_equal(zf_action_shape_raw(&whole, "{ \"b\" : [ 1 ] , \"a\":\" \" }", 25, &b), 1);
    assert_string_equal(b.ptr, "{\"b\":[1],\"a\":\" \"}");
    zf_buf_free(&b);
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
        cmocka_unit_test(test_action_run_list_all_raw_matches_tree),
        cmocka_unit_test(test_action_shape_raw_edges),
        cmocka_unit_test(test_action_run_daily_warning_from_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
