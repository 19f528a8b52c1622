/* zf_action_run over a scripted fake transport and a fake clock:
 * validation and scope refusals send nothing, 4711 reads like the
 * preflight, ambiguous creates are reconciled (found, or proven absent and
 * sent once more), list streaming with all=true; writes Zoom answers with
 * 204 make their output from the input, and a delete retried after a
 * dropped answer that hears "not found" reports already_deleted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions_internal.h"
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
    json_t *in =
        json_pack("{s:s,s:s,s:i,s:i}", "user_id", "me", "topic", "t", "type", 7, "duration", 0);
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
    push(&f, 0, 1, 400, NULL,
         "{\"code\":4711,\"message\":\"Invalid access token, does not "
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
    push(&f, 0, 1, 200, NULL,
         "{\"total_records\":3,\"next_page_token\":\"p2\",\"users\":["
         "{\"id\":\"1\",\"email\":\"a@x.co\",\"secret_field\":1},"
         "{\"id\":\"2\",\"email\":\"b@x.co\"}]}");
    push(&f, 0, 1, 200, NULL,
         "{\"total_records\":3,\"next_page_token\":\"\",\"users\":["
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
    assert_int_equal(zf_action_run(&res, zf_action_find("create_meeting"), in, &o, NULL, &err), 0);
    assert_int_equal(json_array_size(res.warnings), 1);
    const char *w = json_string_value(json_array_get(res.warnings, 0));
    assert_non_null(strstr(w, "host@example.com: Zoom reports 4 meeting creates"));
    zf_action_result_free(&res);
    assert_int_equal(zf_action_run(&res, zf_action_find("create_meeting"), in, &o, NULL, &err), 0);
    assert_null(res.warnings); /* 40 left: nothing to say */
    zf_action_result_free(&res);
    json_decref(in);
    zf_zoom_free(z);
}

/* A registrant add Zoom answers with success: its create_time, against
 * Zoom's Date (or the local clock less the skew), says whether it was there
 * before; a refused lookup keeps "created". fake wall: 2025-11-29T00:00Z. */
static void readd(fake *f, zf_zoom *z, const char *date, long get_status, const char *get_body,
                  const char *want)
{
    zf_action_run_opts o = run_opts(f, z);
    char hdr[96];
    snprintf(hdr, sizeof hdr, "Date: %s\r\n", date ? date : "");
    push(f, 0, 1, 201, date ? hdr : NULL,
         "{\"id\":85746065123,\"registrant_id\":\"r/1\",\"topic\":\"t\"}");
    push(f, 0, 1, get_status, NULL, get_body);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = json_pack("{s:I,s:s,s:s}", "meeting_id", (json_int_t)85746065123, "email",
                           "g@example.com", "first_name", "G");
    int at = f->next;
    assert_int_equal(
        zf_action_run(&res, zf_action_find("add_meeting_registrant"), in, &o, NULL, &err), 0);
    assert_int_equal(f->next, at + 2);
    assert_string_equal(f->seen[at + 1].method, "GET");
    assert_non_null(strstr(f->seen[at + 1].url, "/meetings/85746065123/registrants/r%2F1"));
    int existing = !strcmp(want, "existing");
    assert_true(json_is_boolean(json_object_get(res.output, "created")));
    assert_int_equal(json_is_true(json_object_get(res.output, "created")), !existing);
    assert_int_equal(json_is_true(json_object_get(res.output, "existing")), existing);
    assert_null(json_object_get(res.output, "found"));
    zf_action_result_free(&res);
    json_decref(in);
}

static void test_action_run_registrant_existing(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    const char *date = "Sat, 29 Nov 2025 00:00:00 GMT";
    /* Zoom's clock: two seconds before its Date is before; the same second is now */
    readd(&f, z, date, 200, "{\"id\":\"r/1\",\"create_time\":\"2025-11-28T23:59:58Z\"}",
          "existing");
    readd(&f, z, date, 200, "{\"id\":\"r/1\",\"create_time\":\"2025-11-29T00:00:00Z\"}", "created");
    /* no Date: the local clock less the reconcile skew (120 s) */
    readd(&f, z, NULL, 200, "{\"id\":\"r/1\",\"create_time\":\"2025-11-28T23:59:00Z\"}", "created");
    readd(&f, z, NULL, 200, "{\"id\":\"r/1\",\"create_time\":\"2025-11-28T23:00:00Z\"}",
          "existing");
    /* the lookup refused (no scope) or without create_time: Zoom's word stands */
    readd(&f, z, date, 400,
          "{\"code\":4711,\"message\":\"Invalid access token, does not "
          "contain scopes:[meeting:read:registrant:admin].\"}",
          "created");
    readd(&f, z, date, 200, "{\"id\":\"r/1\"}", "created");
    zf_zoom_free(z);
}

/* --- the fast path (on_item_raw): the same items as the tree path, shaped
 * from the page bytes */

typedef struct gathered {
    json_t *items;   /* each item as parsed back */
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

static json_t *list_with(const char *action, json_t *in, const char *const *pages, int n, int raw,
                         char *first, size_t firstlen)
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
    assert_int_equal(zf_action_shape_raw(a, "{\"id\":\"abcdef\"}", 15, &small), ZF_ENOMEM);
    zf_buf_free(&small);
    /* no output_keys: the whole item, compacted */
    zf_action whole = *a;
    whole.output_keys = NULL;
    zf_buf_reset(&b);
    assert_int_equal(zf_action_shape_raw(&whole, "{ \"b\" : [ 1 ] , \"a\":\" \" }", 25, &b), 1);
    assert_string_equal(b.ptr, "{\"b\":[1],\"a\":\" \"}");
    zf_buf_free(&b);
}

/* The memo of a list walk (zf_action__shape_raw_memo) changes nothing:
 * items whose members move, change, repeat, are escaped, unknown, too
 * long to remember or past the positions it keeps shape as without it. */
static void test_action_shape_memo_same_output(void **state)
{
    const zf_action *a = zf_action_find("list_users");
    static const char *const items[] = {
        "{\"id\":\"a\",\"first_name\":\"A\",\"language\":\"en\",\"email\":\"a@x\",\"type\":1}",
        "{\"id\":\"b\",\"first_name\":\"B\",\"language\":\"en\",\"email\":\"b@x\",\"type\":2}",
        "{\"email\":\"c@x\",\"id\":\"c\",\"language\":\"en\",\"first_name\":\"C\"}",
        "{\"id\":\"d\",\"first_n\\u0061me\":\"D\",\"langu\\u0061ge\":\"x\",\"email\":\"d@x\"}",
        "{\"id\":\"e\",\"first_name\":\"E\",\"em\\u0061il\":\"e@x\",\"email\":\"e2@x\"}",
        "{\"id\":\"f\",\"a_rather_long_unknown_member_name\":1,\"email\":\"f@x\"}",
        "{\"id\":\"g\",\"a_rather_long_unknown_member_name\":1,\"email\":\"g@x\"}",
        "{\"id\":\"h\",\"first_name\":\"H\",\"email\":\"h@x\",\"email\":\"h2@x\"}",
        "{}",
        "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,"
        "\"k9\":9,\"k10\":0,\"k11\":1,\"k12\":2,\"k13\":3,\"k14\":4,\"k15\":5,\"k16\":6,"
        "\"k17\":7,\"k18\":8,\"k19\":9,\"k20\":0,\"k21\":1,\"k22\":2,\"k23\":3,\"k24\":4,"
        "\"k25\":5,\"k26\":6,\"k27\":7,\"k28\":8,\"k29\":9,\"k30\":0,\"k31\":1,\"k32\":2,"
        "\"id\":\"past 32\",\"email\":\"i@x\"}",
        "{\"id\":\"j\",\"first_name\":\"J\",\"language\":\"en\",\"email\":\"j@x\",\"type\":3}",
    };
    zf_shape_memo memo;
    memset(&memo, 0, sizeof memo);
    zf_buf with = ZF_BUF_INIT(1 << 12), without = ZF_BUF_INIT(1 << 12);
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
            zf_buf_reset(&with);
            zf_buf_reset(&without);
            size_t n = strlen(items[i]);
            assert_int_equal(zf_action__shape_raw_memo(a, items[i], n, &with, &memo), 1);
            assert_int_equal(zf_action_shape_raw(a, items[i], n, &without), 1);
            assert_string_equal(with.ptr, without.ptr);
        }
    }
    zf_buf_reset(&with);
    assert_int_equal(zf_action__shape_raw_memo(a, items[4], strlen(items[4]), &with, &memo), 1);
    assert_string_equal(with.ptr, "{\"id\":\"e\",\"email\":\"e2@x\",\"first_name\":\"E\"}");
    /* another action with the same memo: it starts afresh */
    const zf_action *m = zf_action_find("list_meetings");
    zf_buf_reset(&with);
    zf_buf_reset(&without);
    const char *mt = "{\"id\":1,\"topic\":\"T\",\"email\":\"x\"}";
    assert_int_equal(zf_action__shape_raw_memo(m, mt, strlen(mt), &with, &memo), 1);
    assert_int_equal(zf_action_shape_raw(m, mt, strlen(mt), &without), 1);
    assert_string_equal(with.ptr, without.ptr);
    zf_buf_free(&with);
    zf_buf_free(&without);
}

/* What the tree path writes for one page: json_loadb(flags 0), normalise,
 * json_dumps as srv_json does. NULL when jansson refuses the page. */
static char *page_by_tree(const zf_action *a, const char *body)
{
    json_t *j = json_loadb(body, strlen(body), 0, NULL), *out = NULL;
    zf_error err = ZF_ERROR_INIT;
    if (!j)
        return NULL;
    assert_int_equal(zf_action_normalise(&out, a, j, ZF_OUTCOME_READ, &err), 0);
    char *s = json_dumps(out, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(out);
    json_decref(j);
    return s;
}

/* Pages the bytes can tell about: the raw shape must be taken, and equal
 * the tree's bytes. Then pages it must leave to jansson (or may). */
static void test_action_shape_page_raw_matches_tree(void **state)
{
    static const char *const taken[] = {
        "{\"page_size\":30,\"total_records\":3,\"next_page_token\":\"abc\",\"users\":[ "
        "{\"id\":\"u1\", \"email\" : \"a\\\"b\\\\c\\u00e9\\ud83d\\ude00@x\",\"extra\":{\"x\":1},"
        "\"first_name\":\"Jos\\u00E9 \\/ \\b\\f\\n\\r\\t\\u001f\\u007f\x7f\",\"pmi\": 12345,"
        "\"last_name\":\"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\",\"type\":-0,"
        "\"dept\":{ \"nested\" : [ 1 , {\"a\" : \"b c\"}, [], {} ] ,\"s\":\"  spaced  \"},"
        "\"role_id\":null,\"verified\":true,\"status\":false,\"timezone\":\"\"},"
        "\"not an object\",[1,2],null,"
        "{\"id\":\"u3\",\"status\":\"active\",\"id\":\"u3b\"},{},{\"\\u0069d\":\"esc-key\"}]}",
        "{\"users\":[],\"total_records\":0,\"next_page_token\":\"\"}",
        "{\"users\":[]}",
        "{}",
        "  {\"users\":null,\"total_records\":\"5\"}\n",
        "{\"users\":{\"id\":\"x\"},\"total_records\":-0}",
        "{\"users\":[{\"id\":\"a\"}],\"total_records\":7,\"users\":[{\"id\":\"b\"},{\"id\":\"c\"}],"
        "\"next_page_token\":\"\\u00e9\\\"t\"}",
        "{\"users\":[{\"id\":\"a\",\"pmi\":999999999999999999,\"type\":-999999999999999999}],"
        "\"total_records\":1.0}",
    };
    static const char *const left[] = {
        "{\"users\":[{\"id\":\"a\",\"pmi\":1.5}]}", /* a real kept */
        "{\"users\":[{\"id\":\"a\",\"pmi\":1e2}]}", /* a real kept */
        "{\"users\":[{\"id\":\"a\"}],\"total_records\":12345678901234567890}",
        "{\"users\":[{\"id\":\"a\",\"x\":\"\\u0000\"}]}",          /* jansson refuses */
        "{\"users\":[{\"id\":\"a\",\"x\":1e400}]}",                /* jansson refuses */
        "{\"users\":[{\"id\":\"a\",\"dept\":{\"k\":1,\"k\":2}}]}", /* repeated key */
        "{\"users\":[{\"id\":\"a\",\"dept\":{\"\\u006b\":1}}]}",   /* escaped key */
        "[{\"id\":\"a\"}]",                                        /* not an object */
        "",
    };
    const zf_action *a = zf_action_find("list_users");
    zf_buf b = ZF_BUF_INIT(1 << 20);
    for (size_t i = 0; i < sizeof taken / sizeof *taken; i++) {
        char *want = page_by_tree(a, taken[i]);
        assert_non_null(want);
        zf_buf_reset(&b);
        zf_buf_puts(&b, "pre");
        if (zf_action_shape_page_raw(a, taken[i], strlen(taken[i]), &b) != 1)
            fail_msg("page %zu not shaped from its bytes", i);
        if (strcmp(b.ptr + 3, want) != 0)
            fail_msg("page %zu:\n raw  %s\n tree %s", i, b.ptr + 3, want);
        free(want);
    }
    for (size_t i = 0; i < sizeof left / sizeof *left; i++) {
        zf_buf_reset(&b);
        zf_buf_puts(&b, "pre");
        assert_int_equal(zf_action_shape_page_raw(a, left[i], strlen(left[i]), &b), 0);
        assert_string_equal(b.ptr, "pre"); /* left as it was */
    }
    zf_buf small = ZF_BUF_INIT(16);
    assert_int_equal(zf_action_shape_page_raw(a, taken[0], strlen(taken[0]), &small), ZF_ENOMEM);
    zf_buf_free(&small);
    zf_action whole = *a;
    whole.output_keys = NULL;
    assert_int_equal(zf_action_shape_page_raw(&whole, "{}", 2, &b), 0);
    zf_buf_free(&b);
}

/* zf_action_run with output_raw: one page answered from the bytes equals
 * the tree run's answer; a page the bytes cannot tell about goes the tree
 * way from the same answer; one jansson refuses is asked for again the
 * tree's way, so its retries and its error are the tree's. */
static void test_action_run_one_page_raw(void **state)
{
    static const char page[] =
        "{\"total_records\":2,\"next_page_token\":\"n\\u00e9\",\"users\":[{\"id\":\"u1\","
        "\"first_name\":\"\\ud83d\\ude00 caf\xc3\xa9\"},{\"id\":\"u2\",\"type\":1}]}";
    const zf_action *a = zf_action_find("list_users");
    json_t *in = json_pack("{s:i}", "page_size", 30);
    for (int round = 0; round < 3; round++) {
        fake f = {0};
        zf_zoom *z = client(&f, 0);
        zf_action_run_opts o = run_opts(&f, z);
        zf_buf raw = ZF_BUF_INIT(1 << 20);
        o.output_raw = &raw;
        zf_action_result res = ZF_ACTION_RESULT_INIT;
        zf_error err = ZF_ERROR_INIT;
        if (round == 0) {
            push(&f, 0, 1, 200, NULL, page);
        } else if (round == 1) {
            push(&f, 0, 1, 200, NULL, "{\"users\":[{\"id\":\"u1\",\"pmi\":2.5}]}");
        } else {
            for (int i = 0; i < 8; i++)
                push(&f, 0, 1, 200, NULL, "{\"users\":[{\"id\":\"u\\u0000\"}]}");
        }
        int rc = zf_action_run(&res, a, in, &o, NULL, &err);
        if (round == 0) {
            assert_int_equal(rc, 0);
            assert_null(res.output);
            assert_int_equal(f.next, 1);
            char *want = page_by_tree(a, page);
            assert_string_equal(raw.ptr, want);
            free(want);
            /* the whole answer as srv_json writes the tree's */
            zf_buf text = ZF_BUF_INIT(1 << 20);
            json_t *tree = NULL;
            res.output = json_loads(raw.ptr, 0, NULL);
            assert_int_equal(zf_action_result_json(&tree, a, &res), 0);
            char *tj = json_dumps(tree, JSON_COMPACT | JSON_ENSURE_ASCII);
            assert_int_equal(zf_action_result_text(&text, a, &res, raw.ptr, raw.len), 0);
            assert_string_equal(text.ptr, tj);
            free(tj);
            json_decref(tree);
            zf_buf_free(&text);
        } else if (round == 1) {
            assert_int_equal(rc, 0);
            assert_int_equal(raw.len, 0);
            assert_non_null(res.output);
            assert_int_equal(f.next, 1);
        } else {
            /* the tree path retries a body it cannot parse, then fails */
            assert_true(rc < 0);
            assert_true(f.next >= 2);
            assert_int_equal(raw.len, 0);
        }
        zf_action_result_free(&res);
        zf_buf_free(&raw);
        zf_zoom_free(z);
    }
    json_decref(in);
}

static json_t *run_ok(fake *f, zf_zoom *z, const char *action, const char *input,
                      zf_action_result *res)
{
    zf_action_run_opts o = run_opts(f, z);
    zf_error err = ZF_ERROR_INIT;
    json_t *in = json_loads(input, 0, NULL);
    assert_non_null(in);
    int rc = zf_action_run(res, zf_action_find(action), in, &o, NULL, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", action, err.message);
    assert_int_equal(rc, 0);
    json_decref(in);
    return res->output;
}

static void assert_json(const json_t *got, const char *want)
{
    json_t *w = json_loads(want, 0, NULL);
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
    if (!json_equal((json_t *)got, w))
        fail_msg("got %s, want %s", g, want);
    free(g);
    json_decref(w);
}

static const char nf_3001[] = "{\"code\":3001,\"message\":\"Meeting does not exist: "
                              "85746065432.\"}";

static void test_action_run_delete_retried_after_lost_answer(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    push(&f, ZF_ETIMEOUT, 1, 0, NULL, NULL); /* deleted, the answer lost */
    push(&f, 0, 1, 404, NULL, nf_3001);
    run_ok(&f, z, "delete_meeting", "{\"meeting_id\":85746065432}", &res);
    assert_json(res.output, "{\"deleted\":true,\"meeting_id\":85746065432,"
                            "\"occurrence_id\":null,\"already_deleted\":true}");
    assert_int_equal(json_array_size(res.warnings), 1);
    assert_non_null(strstr(json_string_value(json_array_get(res.warnings, 0)),
                           "already gone when the request was retried"));
    assert_string_equal(f.seen[1].method, "DELETE");
    zf_action_result_free(&res);
    /* an occurrence: the retry hears 400 code 300 "Invalid parameter: occurrence_id" */
    push(&f, 0, 1, 503, NULL, "{\"code\":503,\"message\":\"Service Unavailable.\"}");
    push(&f, 0, 1, 400, NULL,
         "{\"code\":300,\"message\":\"Invalid parameter: "
         "occurrence_id.\"}");
    run_ok(&f, z, "delete_meeting",
           "{\"meeting_id\":85746065432,\"occurrence_id\":"
           "\"1648194360000\",\"cancel_meeting_reminder\":true}",
           &res);
    assert_true(json_is_true(json_object_get(res.output, "already_deleted")));
    assert_non_null(strstr(f.seen[3].url, "occurrence_id=1648194360000"));
    assert_non_null(strstr(f.seen[3].url, "cancel_meeting_reminder=true"));
    zf_action_result_free(&res);
    zf_zoom_free(z);
}

/* Without an attempt whose outcome is unknown, "not found" stays a failure,
 * and so does a 300 for a delete of the whole meeting. */
static void test_action_run_delete_not_found_fails(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = json_pack("{s:I}", "meeting_id", (json_int_t)85746065432LL);
    const zf_action *del = zf_action_find("delete_meeting");
    push(&f, 0, 1, 404, NULL, nf_3001);
    assert_int_equal(zf_action_run(&res, del, in, &o, NULL, &err), ZF_ENOTFOUND);
    assert_int_equal(err.zoom_code, 3001);
    assert_null(res.output);
    assert_null(res.warnings);
    push(&f, ZF_ETIMEOUT, 1, 0, NULL, NULL);
    push(&f, 0, 1, 400, NULL, "{\"code\":300,\"message\":\"Invalid parameter: x.\"}");
    zf_error_reset(&err);
    assert_int_equal(zf_action_run(&res, del, in, &o, NULL, &err), ZF_EVALIDATION);
    assert_null(res.output);
    json_decref(in);
    zf_zoom_free(z);
}

static void test_action_run_update_meeting_output(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0); /* wall clock: 2025-11-29 */
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    push(&f, 0, 1, 204, NULL, "");
    run_ok(&f, z, "update_meeting",
           "{\"meeting_id\":\"85746065432\",\"start_time\":"
           "\"2031-03-05T10:00:00\",\"timezone\":\"Europe/Berlin\","
           "\"settings\":{\"waiting_room\":true}}",
           &res);
    assert_json(res.output, "{\"updated\":true,\"meeting_id\":\"85746065432\","
                            "\"occurrence_id\":null,\"fields\":[\"start_time\",\"timezone\","
                            "\"settings.waiting_room\"]}");
    assert_null(res.warnings);
    assert_string_equal(f.seen[0].method, "PATCH");
    assert_non_null(strstr(f.seen[0].url, "/v2/meetings/85746065432"));
    assert_non_null(strstr(f.seen[0].body, "\"settings\":{\"waiting_room\":true}"));
    zf_action_result_free(&res);
    /* a start in the past (Zoom ignores it): sent, with a warning; local times
     * without a zone count as past only beyond the widest offset */
    static const char *const past[] = {
        "{\"meeting_id\":85746065432,\"occurrence_id\":\"1\",\"start_time\":"
        "\"2025-11-28T09:00:00Z\"}",
        "{\"meeting_id\":85746065432,\"start_time\":\"2025-11-28T09:00:00\","
        "\"timezone\":\"Asia/Tokyo\"}",
        "{\"meeting_id\":85746065432,\"start_time\":\"2025-11-27T09:00:00\"}",
    };
    for (size_t i = 0; i < sizeof past / sizeof past[0]; i++) {
        push(&f, 0, 1, 204, NULL, "");
        run_ok(&f, z, "update_meeting", past[i], &res);
        assert_int_equal(json_array_size(res.warnings), 1);
        assert_non_null(strstr(json_string_value(json_array_get(res.warnings, 0)),
                               "is in the past: Zoom ignores a past start time"));
        zf_action_result_free(&res);
    }
    push(&f, 0, 1, 204, NULL, "");
    run_ok(&f, z, "update_meeting",
           "{\"meeting_id\":85746065432,\"start_time\":"
           "\"2025-11-29T09:00:00\"}",
           &res);
    assert_null(res.warnings); /* may be today in a zone west of UTC */
    zf_action_result_free(&res);
    zf_zoom_free(z);
}

static void test_action_run_registrant_status_and_questions(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    push(&f, 0, 1, 204, NULL, "");
    run_ok(&f, z, "update_registrant_status",
           "{\"meeting_id\":85746065432,\"action\":\"approve\",\"registrants\":"
           "[{\"email\":\"a@example.com\"},{\"id\":\"r1\"}]}",
           &res);
    assert_json(res.output, "{\"updated\":true,\"meeting_id\":85746065432,"
                            "\"occurrence_id\":null,\"action\":\"approve\",\"registrants\":2}");
    assert_string_equal(f.seen[0].method, "PUT");
    assert_non_null(strstr(f.seen[0].url, "/v2/meetings/85746065432/registrants/status"));
    assert_non_null(strstr(f.seen[0].body, "\"action\":\"approve\""));
    zf_action_result_free(&res);
    push(&f, 0, 1, 204, NULL, "");
    run_ok(&f, z, "update_registrant_questions",
           "{\"meeting_id\":85746065432,\"custom_questions\":[]}", &res);
    assert_json(res.output, "{\"updated\":true,\"meeting_id\":85746065432,"
                            "\"fields\":[\"custom_questions\"]}");
    assert_string_equal(f.seen[1].body, "{\"custom_questions\":[]}");
    zf_action_result_free(&res);
    /* reads keep Zoom's answer, shaped by the output keys */
    push(&f, 0, 1, 200, NULL, "{\"questions\":[],\"custom_questions\":[],\"extra\":1}");
    run_ok(&f, z, "get_registrant_questions", "{\"meeting_id\":85746065432}", &res);
    assert_json(res.output, "{\"questions\":[],\"custom_questions\":[]}");
    zf_action_result_free(&res);
    zf_zoom_free(z);
}

/* ---- limit, month windows, writes ------------------------------------------ */

/* A users page of `n` items ids from..from+n-1, with next_page_token `next`. */
static char *users_page(int from, int n, const char *next)
{
    zf_buf b = ZF_BUF_INIT(1 << 16);
    zf_buf_appendf(&b, "{\"total_records\":99,\"next_page_token\":\"%s\",\"users\":[", next);
    for (int i = 0; i < n; i++)
        zf_buf_appendf(&b, "%s{\"id\":\"%d\",\"email\":\"u%d@x.co\"}", i ? "," : "", from + i,
                       from + i);
    zf_buf_puts(&b, "]}");
    return zf_buf_take(&b);
}

/* Runs list_users with `in` over pages of 2 (at most 4 pages scripted), in
 * raw or tree mode; returns how many requests went out, *got the items. */
static int run_limited(json_t *in, int raw, int *got)
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
    char *pages[4];
    for (int i = 0; i < 4; i++) {
        pages[i] = users_page(1 + 2 * i, 2, i < 3 ? "more" : "");
        push(&f, 0, 1, 200, NULL, pages[i]);
    }
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_action_run(&res, zf_action_find("list_users"), in, &o, NULL, &err), 0);
    *got = (int)json_array_size(g.items);
    assert_int_equal(json_integer_value(json_object_get(res.output, "delivered")), *got);
    for (int i = 0; i < *got; i++) {
        char want[16];
        snprintf(want, sizeof want, "%d", i + 1);
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(g.items, (size_t)i), "id")), want);
    }
    zf_action_result_free(&res);
    json_decref(g.items);
    for (int i = 0; i < 4; i++)
        free(pages[i]);
    zf_zoom_free(z);
    return f.next;
}

static void test_action_run_limit_stops_without_an_extra_page(void **state)
{
    for (int raw = 0; raw < 2; raw++) {
        int got;
        json_t *in = json_pack("{s:i,s:i}", "limit", 3, "page_size", 2);
        assert_int_equal(run_limited(in, raw, &got), 2); /* 3 is on page 2 */
        assert_int_equal(got, 3);
        json_decref(in);
        /* a limit that ends a page: the next page is not asked for */
        in = json_pack("{s:i}", "limit", 4);
        assert_int_equal(run_limited(in, raw, &got), 2);
        assert_int_equal(got, 4);
        json_decref(in);
        /* a limit beyond the list: every page, then the end */
        in = json_pack("{s:i}", "limit", 100);
        assert_int_equal(run_limited(in, raw, &got), 4);
        assert_int_equal(got, 8);
        json_decref(in);
        /* limit 1: one page, one item */
        in = json_pack("{s:i,s:b}", "limit", 1, "all", 1);
        assert_int_equal(run_limited(in, raw, &got), 1);
        assert_int_equal(got, 1);
        json_decref(in);
    }
}

/* Without on_item the limited items are gathered into the output. */
static void test_action_run_limit_gathers_without_a_receiver(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    char *p1 = users_page(1, 2, "more"), *p2 = users_page(3, 2, "more");
    push(&f, 0, 1, 200, NULL, p1);
    push(&f, 0, 1, 200, NULL, p2);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = json_pack("{s:i}", "limit", 3);
    assert_int_equal(zf_action_run(&res, zf_action_find("list_users"), in, &o, NULL, &err), 0);
    assert_int_equal(json_array_size(json_object_get(res.output, "users")), 3);
    assert_int_equal(f.next, 2);
    assert_null(strstr(f.seen[0].url, "limit")); /* local: never sent */
    zf_action_result_free(&res);
    json_decref(in);
    free(p1);
    free(p2);
    zf_zoom_free(z);
}

static const char *query_of(const seen_req *s, const char *key, char *out, size_t n)
{
    char pat[32];
    snprintf(pat, sizeof pat, "%s=", key);
    const char *q = strchr(s->url, '?');
    for (const char *p = q; p && (p = strstr(p, pat)) != NULL; p++) {
        if (p[-1] != '?' && p[-1] != '&')
            continue;
        p += strlen(pat);
        snprintf(out, n, "%.*s", (int)strcspn(p, "&"), p);
        return out;
    }
    return NULL;
}

/* A recordings page: `n` recordings ids base.., next token `next`. */
static char *recs_page(int base, int n, int total, const char *next)
{
    zf_buf b = ZF_BUF_INIT(1 << 16);
    zf_buf_appendf(&b, "{\"total_records\":%d,\"next_page_token\":\"%s\",\"meetings\":[", total,
                   next);
    for (int i = 0; i < n; i++)
        zf_buf_appendf(&b, "%s{\"uuid\":\"u%d\",\"id\":%d,\"recording_files\":[]}", i ? "," : "",
                       base + i, base + i);
    zf_buf_puts(&b, "]}");
    return zf_buf_take(&b);
}

static void test_action_run_months_walk_every_window_and_page(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    gathered g = {json_array(), ""};
    o.on_item = gather_tree;
    o.item_ctx = &g;
    char *pages[4] = {recs_page(1, 2, 3, "jan2"), recs_page(3, 1, 3, ""), recs_page(4, 0, 0, ""),
                      recs_page(5, 1, 1, "")};
    for (int i = 0; i < 4; i++)
        push(&f, 0, 1, 200, NULL, pages[i]);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = json_pack("{s:s,s:s,s:s,s:i}", "user_id", "me", "from", "2024-01-30", "to",
                           "2024-03-02", "page_size", 2);
    assert_int_equal(
        zf_action_run(&res, zf_action_find("list_user_recordings"), in, &o, NULL, &err), 0);
    static const char *const want[4][2] = {{"2024-01-30", "2024-01-31"},
                                           {"2024-01-30", "2024-01-31"},
                                           {"2024-02-01", "2024-02-29"},
                                           {"2024-03-01", "2024-03-02"}};
    assert_int_equal(f.next, 4);
    for (int i = 0; i < 4; i++) {
        char v[32];
        assert_non_null(strstr(f.seen[i].url, "/v2/users/me/recordings?"));
        assert_string_equal(query_of(&f.seen[i], "from", v, sizeof v), want[i][0]);
        assert_string_equal(query_of(&f.seen[i], "to", v, sizeof v), want[i][1]);
        assert_string_equal(query_of(&f.seen[i], "page_size", v, sizeof v), "2");
    }
    assert_non_null(strstr(f.seen[1].url, "next_page_token=jan2"));
    assert_null(strstr(f.seen[2].url, "next_page_token"));
    assert_int_equal(json_array_size(g.items), 4);
    assert_int_equal(json_integer_value(json_object_get(res.output, "total_records")), 4);
    assert_int_equal(json_integer_value(json_object_get(res.output, "delivered")), 4);
    zf_action_result_free(&res);
    json_decref(in);
    json_decref(g.items);
    for (int i = 0; i < 4; i++)
        free(pages[i]);
    zf_zoom_free(z);
}

/* Without `to` the months run up to the runner's UTC date; a limit ends
 * the walk inside a month, and later months are never asked for. */
static void test_action_run_months_to_today_and_limit(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0); /* wall clock 2025-11-29 */
    zf_action_run_opts o = run_opts(&f, z);
    char *pages[3] = {recs_page(1, 1, 1, ""), recs_page(2, 1, 1, ""), recs_page(3, 1, 1, "")};
    for (int i = 0; i < 3; i++)
        push(&f, 0, 1, 200, NULL, pages[i]);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = json_pack("{s:s,s:s}", "account_id", "me", "from", "2025-09-20");
    assert_int_equal(
        zf_action_run(&res, zf_action_find("list_account_recordings"), in, &o, NULL, &err), 0);
    char v[32];
    assert_int_equal(f.next, 3);
    assert_string_equal(query_of(&f.seen[2], "from", v, sizeof v), "2025-11-01");
    assert_string_equal(query_of(&f.seen[2], "to", v, sizeof v), "2025-11-29");
    assert_non_null(strstr(f.seen[0].url, "/v2/accounts/me/recordings?"));
    assert_int_equal(json_array_size(json_object_get(res.output, "meetings")), 3);
    zf_action_result_free(&res);
    json_decref(in);

    fake f2 = {0};
    zf_zoom *z2 = client(&f2, 0);
    o = run_opts(&f2, z2);
    for (int i = 0; i < 3; i++)
        push(&f2, 0, 1, 200, NULL, pages[i]);
    in = json_pack("{s:s,s:s,s:s,s:i}", "account_id", "me", "from", "2025-09-20", "to",
                   "2025-11-10", "limit", 2);
    assert_int_equal(
        zf_action_run(&res, zf_action_find("list_account_recordings"), in, &o, NULL, &err), 0);
    assert_int_equal(f2.next, 2); /* September and October; November never asked */
    assert_int_equal(json_integer_value(json_object_get(res.output, "delivered")), 2);
    zf_action_result_free(&res);
    json_decref(in);
    for (int i = 0; i < 3; i++)
        free(pages[i]);
    zf_zoom_free(z);
    zf_zoom_free(z2);
}

static json_t *delete_input(void)
{
    return json_pack("{s:s,s:s,s:s,s:b,s:b}", "user_id", "leaver@example.com", "action", "delete",
                     "transfer_email", "boss@example.com", "transfer_meeting", 1,
                     "transfer_recording", 1);
}

static const char *const gone_404 =
    "{\"code\":1001,\"message\":\"User does not exist: leaver@example.com.\"}";

/* The first attempt was applied but its answer lost; the repeat's 404
 * means it is done. */
static void test_action_run_delete_repeat_404_is_already_deleted(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    push(&f, ZF_ENET, 1, 0, NULL, NULL); /* sent, then the connection died */
    push(&f, 0, 1, 404, NULL, gone_404);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = delete_input();
    assert_int_equal(zf_action_run(&res, zf_action_find("delete_user"), in, &o, NULL, &err), 0);
    assert_int_equal(f.next, 2);
    assert_string_equal(f.seen[0].method, "DELETE");
    assert_non_null(strstr(f.seen[0].url, "/v2/users/leaver%40example.com?action=delete&"
                                          "transfer_email=boss%40example.com&"
                                          "transfer_meeting=true&transfer_recording=true"));
    assert_true(json_is_true(json_object_get(res.output, "deleted")));
    assert_true(json_is_true(json_object_get(res.output, "already_deleted")));
    assert_string_equal(json_string_value(json_object_get(res.output, "transfer_email")),
                        "boss@example.com");
    assert_non_null(strstr(json_string_value(json_array_get(res.warnings, 0)), "already gone"));
    zf_action_result_free(&res);
    /* a 5xx that may have been processed counts the same */
    fake f2 = {0};
    zf_zoom *z2 = client(&f2, 0);
    o = run_opts(&f2, z2);
    push(&f2, 0, 1, 502, NULL, "{}");
    push(&f2, 0, 1, 404, NULL, gone_404);
    assert_int_equal(zf_action_run(&res, zf_action_find("delete_user"), in, &o, NULL, &err), 0);
    assert_true(json_is_true(json_object_get(res.output, "already_deleted")));
    zf_action_result_free(&res);
    json_decref(in);
    zf_zoom_free(z);
    zf_zoom_free(z2);
}

/* A 404 on the first attempt, or after a 429 (refused unprocessed), is a
 * user that does not exist. A 204 is a plain success. */
static void test_action_run_delete_unknown_user_is_not_found(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    push(&f, 0, 1, 404, NULL, gone_404);
    push(&f, 0, 1, 429, "Retry-After: 1\r\n", "{\"code\":429,\"message\":\"slow down\"}");
    push(&f, 0, 1, 404, NULL, gone_404);
    push(&f, 0, 1, 204, NULL, "");
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = delete_input();
    const zf_action *a = zf_action_find("delete_user");
    assert_int_equal(zf_action_run(&res, a, in, &o, NULL, &err), ZF_ENOTFOUND);
    assert_int_equal(err.zoom_code, 1001);
    assert_null(res.output);
    assert_int_equal(zf_action_run(&res, a, in, &o, NULL, &err), ZF_ENOTFOUND);
    assert_int_equal(f.next, 3);
    assert_int_equal(zf_action_run(&res, a, in, &o, NULL, &err), 0);
    assert_true(json_is_true(json_object_get(res.output, "deleted")));
    assert_true(json_is_false(json_object_get(res.output, "already_deleted")));
    assert_null(res.warnings);
    zf_action_result_free(&res);
    json_decref(in);
    zf_zoom_free(z);
}

/* update_user's output is the user read back; a failed read is a warning. */
static void test_action_run_update_user_reads_back(void **state)
{
    fake f = {0};
    zf_zoom *z = client(&f, 0);
    zf_action_run_opts o = run_opts(&f, z);
    push(&f, 0, 1, 204, NULL, "");
    push(&f, 0, 1, 200, NULL,
         "{\"id\":\"u1\",\"email\":\"ada@x.co\",\"first_name\":\"Ada\","
         "\"display_name\":\"Ada L\",\"cluster\":\"us06\"}");
    push(&f, 0, 1, 204, NULL, "");
    push(&f, 0, 1, 400, NULL,
         "{\"code\":4711,\"message\":\"Invalid access token, does not "
         "contain scopes:[user:read:user:admin].\"}");
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *in = json_pack("{s:s,s:s,s:s}", "user_id", "ada@x.co", "first_name", "Ada", "timezone",
                           "Europe/Berlin");
    const zf_action *a = zf_action_find("update_user");
    assert_int_equal(zf_action_run(&res, a, in, &o, NULL, &err), 0);
    assert_string_equal(f.seen[0].method, "PATCH");
    assert_string_equal(f.seen[0].body, "{\"first_name\":\"Ada\",\"timezone\":\"Europe/Berlin\"}");
    assert_string_equal(f.seen[1].method, "GET");
    assert_non_null(strstr(f.seen[1].url, "/v2/users/ada%40x.co"));
    assert_string_equal(json_string_value(json_object_get(res.output, "display_name")), "Ada L");
    assert_true(json_is_true(json_object_get(res.output, "updated")));
    assert_null(json_object_get(res.output, "cluster")); /* shaped by the output keys */
    assert_null(res.warnings);
    zf_action_result_free(&res);
    assert_int_equal(zf_action_run(&res, a, in, &o, NULL, &err), 0);
    assert_string_equal(json_string_value(json_object_get(res.output, "user_id")), "ada@x.co");
    assert_true(json_is_true(json_object_get(res.output, "updated")));
    assert_non_null(
        strstr(json_string_value(json_array_get(res.warnings, 0)), "reading it back failed"));
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
        cmocka_unit_test(test_action_run_list_all_raw_matches_tree),
        cmocka_unit_test(test_action_shape_raw_edges),
        cmocka_unit_test(test_action_shape_memo_same_output),
        cmocka_unit_test(test_action_run_daily_warning_from_headers),
        cmocka_unit_test(test_action_run_registrant_existing),
        cmocka_unit_test(test_action_run_delete_retried_after_lost_answer),
        cmocka_unit_test(test_action_run_delete_not_found_fails),
        cmocka_unit_test(test_action_run_update_meeting_output),
        cmocka_unit_test(test_action_run_registrant_status_and_questions),
        cmocka_unit_test(test_action_run_limit_stops_without_an_extra_page),
        cmocka_unit_test(test_action_run_limit_gathers_without_a_receiver),
        cmocka_unit_test(test_action_run_months_walk_every_window_and_page),
        cmocka_unit_test(test_action_run_months_to_today_and_limit),
        cmocka_unit_test(test_action_run_delete_repeat_404_is_already_deleted),
        cmocka_unit_test(test_action_run_delete_unknown_user_is_not_found),
        cmocka_unit_test(test_action_run_update_user_reads_back),
        cmocka_unit_test(test_action_shape_page_raw_matches_tree),
        cmocka_unit_test(test_action_run_one_page_raw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
