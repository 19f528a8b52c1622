/* Unit tests: json_scan.c (strict validation, walking, decoding). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "json_scan.h"

#include <jansson.h>
#include <string.h>

static int valid(const char *s)
{
    zf_jspan v;
    return zf_json_scan_validate(s, strlen(s), &v, NULL, NULL) == 0;
}

/* Every sample is judged the same way by the scanner and by jansson. */
static void test_scan_agrees_with_jansson(void **state)
{
    static const char *const good[] = {
        "{}",
        "[]",
        " [ ] ",
        "0",
        "-0",
        "1.5e+10",
        "-12.0E-3",
        "\"\"",
        "true",
        "false",
        "null",
        "{\"a\":[1,{\"b\":null}],\"c\":\"\\u00e9\\ud83d\\ude00\\n\\/\"}",
        "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"",
        "[\"\\u0000\"]",
        "{\"a\":1,\"a\":2}",
        "\t\r\n{\"k\" : \"v\" }\n"};
    static const char *const bad[] = {"",
                                      " ",
                                      "{",
                                      "[",
                                      "]",
                                      "{]",
                                      "[}",
                                      "{\"a\"}",
                                      "{\"a\":}",
                                      "{a:1}",
                                      "[1,]",
                                      "[,1]",
                                      "{\"a\":1,}",
                                      "01",
                                      "-",
                                      "1.",
                                      ".5",
                                      "+1",
                                      "1e",
                                      "1e+",
                                      "0x1",
                                      "tru",
                                      "nul",
                                      "True",
                                      "[1 2]",
                                      "\"abc",
                                      "\"a\x01\"",
                                      "\"\\x\"",
                                      "\"\\u12\"",
                                      "\"\\ud800\"",
                                      "\"\\udc00\"",
                                      "\"\\ud800\\u0041\"",
                                      "\"\xc0\xaf\"",
                                      "\"\xed\xa0\x80\"",
                                      "\"\xf4\x90\x80\x80\"",
                                      "\"\xe2\x82\"",
                                      "\"\xff\"",
                                      "{} {}",
                                      "[]x",
                                      "\xef\xbb\xbf[]",
                                      "[1]\x00"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        json_error_t je;
        json_t *j = json_loads(good[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        assert_non_null(j);
        json_decref(j);
        if (!valid(good[i]))
            fail_msg("scanner refused %s", good[i]);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = strlen(bad[i]) + (strcmp(bad[i], "[1]") == 0);
        json_error_t je;
        json_t *j = json_loadb(bad[i], n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        assert_null(j);
        zf_jspan v;
        if (zf_json_scan_validate(bad[i], n, &v, NULL, NULL) == 0)
            fail_msg("scanner accepted %s", bad[i]);
    }
}

static void test_scan_depth_cap(void **state)
{
    char doc[2 * 2049 + 1];
    memset(doc, '[', 2048);
    memset(doc + 2048, ']', 2048);
    zf_jspan v;
    assert_int_equal(zf_json_scan_validate(doc, 4096, &v, NULL, NULL), 0);
    memset(doc, '[', 2049);
    memset(doc + 2049, ']', 2049);
    size_t at = 0;
    const char *why = NULL;
    assert_int_equal(zf_json_scan_validate(doc, 4098, &v, &at, &why), ZF_EPARSE);
    assert_int_equal(at, 2048);
    assert_string_equal(why, "nested deeper than 2048 levels");
}

static void test_scan_error_position(void **state)
{
    size_t at = 0;
    const char *why = NULL;
    zf_jspan v;
    const char *s = "{\"a\":1 \"b\":2}";
    assert_int_equal(zf_json_scan_validate(s, strlen(s), &v, &at, &why), ZF_EPARSE);
    assert_int_equal(at, 7);
    assert_string_equal(why, "expected ',' or '}' after an object member");
}

static int span_is(zf_jspan s, const char *want)
{
    return s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

static void test_scan_walk_members_and_elements(void **state)
{
    const char *s = " { \"users\" : [ {\"id\":\"a\"} , 12.5e3 ,\"x\\\"]\"] ,\"n\":-0,\"e\":{} } ";
    zf_jspan v, key, val;
    assert_int_equal(zf_json_scan_validate(s, strlen(s), &v, NULL, NULL), 0);
    assert_int_equal(v.p - s, 1);
    assert_int_equal(v.p[v.n - 1], '}');
    assert_int_equal(zf_json_scan_type(v), ZF_JT_OBJECT);
    zf_jiter it, ai;
    assert_int_equal(zf_json_scan_elements(&ai, v), ZF_EPARSE);
    assert_int_equal(zf_json_scan_members(&it, v), 0);
    assert_int_equal(zf_json_scan_next_member(&it, &key, &val), 1);
    assert_true(span_is(key, "\"users\""));
    assert_true(zf_json_scan_str_eq(key, "users"));
    assert_true(span_is(val, "[ {\"id\":\"a\"} , 12.5e3 ,\"x\\\"]\"]"));
    zf_jiter not_members;
    assert_int_equal(zf_json_scan_members(&not_members, val), ZF_EPARSE);
    assert_int_equal(zf_json_scan_elements(&ai, val), 0);
    assert_int_equal(zf_json_scan_next_element(&ai, &v), 1);
    assert_true(span_is(v, "{\"id\":\"a\"}"));
    assert_int_equal(zf_json_scan_next_element(&ai, &v), 1);
    assert_true(span_is(v, "12.5e3"));
    assert_int_equal(zf_json_scan_type(v), ZF_JT_NUMBER);
    assert_int_equal(zf_json_scan_next_element(&ai, &v), 1);
    assert_true(span_is(v, "\"x\\\"]\""));
    assert_int_equal(zf_json_scan_next_element(&ai, &v), 0);
    assert_int_equal(zf_json_scan_next_member(&it, &key, &val), 1);
    assert_true(span_is(val, "-0"));
    int64_t i = 7;
    assert_int_equal(zf_json_scan_int(val, &i), 1);
    assert_int_equal(i, 0);
    assert_int_equal(zf_json_scan_next_member(&it, &key, &val), 1);
    assert_true(span_is(val, "{}"));
    assert_int_equal(zf_json_scan_members(&ai, val), 0);
    assert_int_equal(zf_json_scan_next_member(&ai, &key, &val), 0);
    assert_int_equal(zf_json_scan_next_member(&it, &key, &val), 0);
}

static zf_jspan str_span(const char *s)
{
    zf_jspan v = {s, strlen(s)};
    return v;
}

static void test_scan_strings(void **state)
{
    char out[64];
    const char *s = "\"a\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/b\"";
    assert_true(valid(s));
    size_t n = zf_json_scan_str(str_span(s), out, sizeof out);
    assert_string_equal(out, "a\xc3\xa9\xf0\x9f\x98\x80\n\t\"\\/b");
    assert_int_equal(n, strlen(out));
    /* too small: a prefix, and the full length is reported */
    assert_int_equal(zf_json_scan_str(str_span(s), out, 3), n);
    assert_string_equal(out, "a\xc3");
    assert_true(zf_json_scan_str_eq(str_span("\"\\u0069d\""), "id"));
    assert_false(zf_json_scan_str_eq(str_span("\"\\u0069d\""), "i"));
    assert_false(zf_json_scan_str_eq(str_span("\"\\u0069d\""), "idx"));
    assert_false(zf_json_scan_str_eq(str_span("\"id\\u0000\""), "id"));
    assert_true(zf_json_scan_str_eq(str_span("\"\""), ""));
    n = zf_json_scan_str(str_span("\"x\\u0000y\""), out, sizeof out);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "x\0y", 3);
}

static void test_scan_integers(void **state)
{
    int64_t v = 0;
    assert_int_equal(zf_json_scan_int(str_span("9223372036854775807"), &v), 1);
    assert_true(v == INT64_MAX);
    assert_int_equal(zf_json_scan_int(str_span("-9223372036854775808"), &v), 1);
    assert_true(v == INT64_MIN);
    assert_int_equal(zf_json_scan_int(str_span("9223372036854775808"), &v), 0);
    assert_int_equal(zf_json_scan_int(str_span("-9223372036854775809"), &v), 0);
    assert_int_equal(zf_json_scan_int(str_span("1.0"), &v), 0);
    assert_int_equal(zf_json_scan_int(str_span("1e2"), &v), 0);
    assert_int_equal(zf_json_scan_int(str_span("-42"), &v), 1);
    assert_true(v == -42);
}

static void test_scan_compact(void **state)
{
    const char *s = "{ \"a b\" : [ 1 ,\n 2 ] ,\t\"c\" : \" x \\\" y \" }";
    zf_jspan v;
    assert_int_equal(zf_json_scan_validate(s, strlen(s), &v, NULL, NULL), 0);
    zf_buf b = ZF_BUF_INIT(1024);
    assert_int_equal(zf_json_scan_compact(v, &b), 0);
    assert_string_equal(b.ptr, "{\"a b\":[1,2],\"c\":\" x \\\" y \"}");
    zf_buf_reset(&b);
    assert_int_equal(zf_json_scan_compact(str_span("\" a \""), &b), 0);
    assert_string_equal(b.ptr, "\" a \"");
    char to[64];
    size_t n = zf_json_scan_compact_to(v, to);
    assert_int_equal(n, strlen("{\"a b\":[1,2],\"c\":\" x \\\" y \"}"));
    assert_memory_equal(to, "{\"a b\":[1,2],\"c\":\" x \\\" y \"}", n);
    zf_buf small = ZF_BUF_INIT(4);
    assert_int_equal(zf_json_scan_compact(v, &small), ZF_ENOMEM);
    zf_buf_free(&small);
    zf_buf_free(&b);
}

static int span_or_none(zf_jspan s, const char *want)
{
    return want ? s.p && span_is(s, want) : s.p == NULL;
}

/* zf_json_scan_page on good pages: the top-level members only (not nested
 * ones, not text inside strings), the last of a repeated name, an escaped
 * key, the items' element spans; elems reused across pages. */
static void test_scan_page_finds_members(void **state)
{
    zf_jpage pg;
    memset(&pg, 0, sizeof pg);
    pg.items_key = "users";
    const char *page = " {\"x\":{\"next_page_token\":\"N\",\"users\":[0]},"
                       "\"s\":\"\\\"next_page_token\\\":\\\"S\\\"\",\"next_page_token\":\"A\","
                       "\"us\\u0065rs\":[ {\"id\":\"a\",\"n\":[1,[2]]} , 3,\"x]\" ,[]],"
                       "\"total_records\":12,\"next_page_token\":\"B\"} ";
    assert_int_equal(zf_json_scan_page(page, strlen(page), &pg, NULL, NULL), 0);
    assert_int_equal(pg.is_object, 1);
    assert_true(span_or_none(pg.next_token, "\"B\""));
    assert_true(span_or_none(pg.total, "12"));
    assert_int_equal(pg.nelems, 4);
    assert_true(span_or_none(pg.elems[0], "{\"id\":\"a\",\"n\":[1,[2]]}"));
    assert_true(span_or_none(pg.elems[1], "3"));
    assert_true(span_or_none(pg.elems[2], "\"x]\""));
    assert_true(span_or_none(pg.elems[3], "[]"));
    /* the same buffers for a smaller page: only its own */
    const char *small = "{\"users\":[{}],\"users\":[true,false]}";
    assert_int_equal(zf_json_scan_page(small, strlen(small), &pg, NULL, NULL), 0);
    assert_true(span_or_none(pg.next_token, NULL));
    assert_true(span_or_none(pg.total, NULL));
    assert_int_equal(pg.nelems, 2);
    assert_true(span_or_none(pg.elems[1], "false"));
    /* the last items is not an array: no elements; an empty one */
    const char *null_items = "{\"users\":[1,2],\"users\":null}";
    assert_int_equal(zf_json_scan_page(null_items, strlen(null_items), &pg, NULL, NULL), 0);
    assert_true(span_or_none(pg.items, "null"));
    assert_int_equal(pg.nelems, 0);
    assert_int_equal(zf_json_scan_page("{\"users\":[]}", 12, &pg, NULL, NULL), 0);
    assert_true(span_or_none(pg.items, "[]"));
    assert_int_equal(pg.nelems, 0);
    /* not an object: valid, nothing found */
    assert_int_equal(zf_json_scan_page("[{\"users\":[1]}]", 15, &pg, NULL, NULL), 0);
    assert_int_equal(pg.is_object, 0);
    assert_true(span_or_none(pg.items, NULL));
    assert_int_equal(pg.nelems, 0);
    /* more elements than the first allocation holds */
    char big[8192] = "{\"users\":[";
    size_t n = strlen(big);
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s%d", i ? "," : "", i % 10);
    n += (size_t)snprintf(big + n, sizeof big - n, "]}");
    assert_int_equal(zf_json_scan_page(big, n, &pg, NULL, NULL), 0);
    assert_int_equal(pg.nelems, 1000);
    assert_true(span_or_none(pg.elems[999], "9"));
    zf_jpage_free(&pg);
}

/* zf_json_scan_next_member_as: the same members as without a hint; 2 only
 * for the key token that is exactly the hint (not a longer key, not one
 * spelled with an escape, not a prefix). */
static void test_scan_member_hint(void **state)
{
    const char *obj = "{\"id\":1, \"idx\" : \"a\",\"i\\u0064\":[2],\"id\":{\"id\":3},\"\":4}";
    zf_jspan v = {obj, strlen(obj)}, k, val;
    zf_jiter it;
    assert_int_equal(zf_json_scan_members(&it, v), 0);
    static const int want[] = {2, 1, 1, 2, 1};
    static const char *const vals[] = {"1", "\"a\"", "[2]", "{\"id\":3}", "4"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(zf_json_scan_next_member_as(&it, "id", 2, &k, &val), want[i]);
        assert_true(span_is(val, vals[i]));
    }
    assert_int_equal(zf_json_scan_next_member_as(&it, "id", 2, &k, &val), 0);
    assert_int_equal(zf_json_scan_members(&it, v), 0);
    assert_int_equal(zf_json_scan_next_member_as(&it, NULL, 0, &k, &val), 1);
    assert_true(span_is(k, "\"id\""));
    const char *esc = "{\"a\\\\\":1,\"a\\\\\":2}";
    zf_jspan e = {esc, strlen(esc)};
    assert_int_equal(zf_json_scan_members(&it, e), 0);
    assert_int_equal(zf_json_scan_next_member_as(&it, "a\\\\", 3, &k, &val), 2);
    assert_true(span_is(val, "1"));
    assert_int_equal(zf_json_scan_next_member_as(&it, "a\\\\", 3, &k, &val), 2);
    assert_true(span_is(val, "2"));
}

/* Malformed pages fail exactly as zf_json_scan_validate does (same offset,
 * same reason): truncated, nested too deep, bad escapes, bad UTF-8,
 * trailing data, a token that is not closed. */
static void test_scan_page_malformed(void **state)
{
    static char deep[2 * 2100 + 32];
    size_t d = (size_t)snprintf(deep, sizeof deep, "{\"users\":");
    for (int i = 0; i < 2100; i++)
        deep[d++] = '[';
    for (int i = 0; i < 2100; i++)
        deep[d++] = ']';
    deep[d++] = '}';
    deep[d] = '\0';
    static const char *const bad[] = {
        "",
        "{\"users\":[{\"id\":\"a\"}",
        "{\"users\":[{\"id\":\"a\"}]",
        "{\"users\":[{\"id\":\"a\\q\"}]}",
        "{\"users\":[],\"next_page_token\":\"\\ud800\"}",
        "{\"users\":[],\"next_page_token\":\"abc",
        "{\"users\":[\"caf\xc3\"]}",
        "{\"users\":[1,]}",
        "{\"users\":[] ,}",
        "{\"users\" [1]}",
        "{\"users\":[01]}",
        "{\"users\":[]} {}",
        "{\"next_page_token\":\"A\",\"users\":[",
        deep,
    };
    zf_jpage pg;
    memset(&pg, 0, sizeof pg);
    pg.items_key = "users";
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t at1 = 99, at2 = 98;
        const char *why1 = NULL, *why2 = NULL;
        zf_jspan v;
        size_t n = strlen(bad[i]);
        assert_int_equal(zf_json_scan_validate(bad[i], n, &v, &at1, &why1), ZF_EPARSE);
        assert_int_equal(zf_json_scan_page(bad[i], n, &pg, &at2, &why2), ZF_EPARSE);
        assert_int_equal(at1, at2);
        assert_string_equal(why1, why2);
    }
    size_t at = 0;
    const char *why = NULL;
    assert_int_equal(zf_json_scan_page(deep, strlen(deep), &pg, &at, &why), ZF_EPARSE);
    assert_non_null(strstr(why, "deeper than 2048"));
    zf_jpage_free(&pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_agrees_with_jansson),
        cmocka_unit_test(test_scan_depth_cap),
        cmocka_unit_test(test_scan_error_position),
        cmocka_unit_test(test_scan_walk_members_and_elements),
        cmocka_unit_test(test_scan_strings),
        cmocka_unit_test(test_scan_integers),
        cmocka_unit_test(test_scan_compact),
        cmocka_unit_test(test_scan_page_finds_members),
        cmocka_unit_test(test_scan_page_malformed),
        cmocka_unit_test(test_scan_member_hint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
