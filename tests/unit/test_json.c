/* Unit tests: json.c (bounded parse, typed getters, dump). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "zoomflow/zoomflow.h"

#include <string.h>

static json_t *parse_ok(const char *s)
{
    json_t *j = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_json_parse(&j, s, strlen(s), 4096, "test", &err), 0);
    assert_non_null(j);
    return j;
}

static void test_json_parse_ok_and_limits(void **state)
{
    json_t *j = parse_ok("{\"a\":1}");
    json_decref(j);
    zf_error err = ZF_ERROR_INIT;
    const char *big = "{\"a\":\"0123456789\"}";
    assert_int_equal(zf_json_parse(&j, big, strlen(big), 10, "Zoom response", &err), ZF_ETOOBIG);
    assert_null(j);
    assert_string_equal(err.message, "Zoom response is 18 bytes; the limit is 10 bytes");
    assert_int_equal(zf_json_parse(&j, "", 0, 10, "webhook body", &err), ZF_EPARSE);
    assert_non_null(strstr(err.message, "webhook body is empty"));
}

static void test_json_parse_error_line_column(void **state)
{
    json_t *j = NULL;
    zf_error err = ZF_ERROR_INIT;
    const char *bad = "{\n  \"a\": 1,\n  \"b\": tru\n}";
    assert_int_equal(zf_json_parse(&j, bad, strlen(bad), 4096, "workflow file w.json", &err),
                     ZF_EPARSE);
    assert_null(j);
    assert_non_null(strstr(err.message, "workflow file w.json: invalid JSON at line 3, column"));
    /* trailing garbage, duplicate keys, NUL escapes and bytes after the cap */
    const char *cases[] = {"{\"a\":1} x", "{\"a\":1,\"a\":2}", "{\"a\":\"x\\u0000y\"}", "[1,",
                           "\"scalar\""};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(zf_json_parse(&j, cases[i], strlen(cases[i]), 4096, "in", &err),
                         ZF_EPARSE);
        assert_null(j);
    }
    /* the length bounds the parse: bytes beyond it are never read */
    const char *pre = "{\"a\":1}GARBAGE";
    assert_int_equal(zf_json_parse(&j, pre, 7, 4096, "in", &err), 0);
    json_decref(j);
}

static void parse_fails(const char *in, const char *want_message)
{
    json_t *j = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_json_parse_value(&j, in, strlen(in), 4096, "--input x.json", &err),
                     ZF_EPARSE);
    assert_null(j);
    assert_string_equal(err.message, want_message);
}

/* A duplicate key was refused as "invalid JSON ... duplicate object key"
 * (jansson names no path, and none at all past 20 characters); a number out
 * of range was "not valid JSON". Both are now named with their field. */
static void test_json_parse_names_duplicates_and_ranges(void **state)
{
    parse_fails("{\"first_name\":\"A\",\"first_name\":\"B\"}",
                "--input x.json: duplicate key first_name (line 1, column 30): a key may "
                "appear only once in an object");
    parse_fails("{\"a\":[{\"b\":1},{\"settings\":{\"jbh\":1,\"x\":{},\"jbh\":2}}]}",
                "--input x.json: duplicate key a[1].settings.jbh (line 1, column 47): a key "
                "may appear only once in an object");
    parse_fails("{\"a_very_long_key_name_beyond_twenty\":1,\n"
                "\"a_very_long_key_name_beyond_twenty\":2}",
                "--input x.json: duplicate key a_very_long_key_name_beyond_twenty (line 2, "
                "column 36): a key may appear only once in an object");
    parse_fails("{\"k\\u0001\":1,\"k\\u0001\":1}",
                "--input x.json: duplicate key k\\u0001 (line 1, column 22): a key may "
                "appear only once in an object");
    parse_fails("{\"topic\":\"t\",\"duration\":1e400}",
                "--input x.json: field duration: number 1e400 is out of range (line 1, column "
                "29): numbers must be within +-1.7976931348623157e308");
    parse_fails("{\"s\":{\"ids\":[1,-99999999999999999999]}}",
                "--input x.json: field s.ids[1]: number -99999999999999999999 is out of range "
                "(line 1, column 36): integers must be within "
                "-9223372036854775808..9223372036854775807");
    parse_fails("1e400", "--input x.json: field (top level): number 1e400 is out of range "
                         "(line 1, column 5): numbers must be within +-1.7976931348623157e308");
    /* another error after the duplicate: jansson's own words */
    parse_fails("{\"a\":1,\"a\":2,", "--input x.json: invalid JSON at line 1, column 10: "
                                     "duplicate object key near '\"a\"'");
    json_t *j = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_json_parse_value(&j, "9223372036854775807", 19, 64, "x", &err), 0);
    json_decref(j);
    assert_int_equal(zf_json_parse_value(&j, "\"s\"", 3, 64, "x", &err), 0);
    json_decref(j);
    assert_int_equal(zf_json_parse(&j, "\"s\"", 3, 64, "x", &err), ZF_EPARSE);
    const char *dup = "{\"a\":{},\"a\":1}";
    assert_int_equal(zf_json_parse(&j, dup, strlen(dup), 64, "x", &err), ZF_EPARSE);
    assert_non_null(strstr(err.message, "duplicate key a "));
    assert_non_null(strstr(err.hint, "remove one"));
}

static void test_json_getters(void **state)
{
    json_t *j = parse_ok("{\"s\":\"x\",\"i\":42,\"b\":true,\"o\":{},\"a\":[1],\"n\":null,"
                         "\"r\":1.5}");
    zf_error err = ZF_ERROR_INIT;
    const char *s;
    int64_t i;
    int b;
    json_t *o;
    assert_int_equal(zf_json_get_str(j, "s", &s, &err), 0);
    assert_string_equal(s, "x");
    assert_int_equal(zf_json_get_int(j, "i", &i, &err), 0);
    assert_int_equal(i, 42);
    assert_int_equal(zf_json_get_bool(j, "b", &b, &err), 0);
    assert_true(b);
    assert_int_equal(zf_json_get_obj(j, "o", &o, &err), 0);
    assert_true(json_is_object(o));
    assert_int_equal(zf_json_get_arr(j, "a", &o, &err), 0);
    assert_true(json_is_array(o));

    assert_int_equal(zf_json_get_str(j, "i", &s, &err), ZF_EPARSE);
    assert_string_equal(err.message, "field i: expected string, got integer");
    assert_int_equal(zf_json_get_int(j, "r", &i, &err), ZF_EPARSE);
    assert_string_equal(err.message, "field r: expected integer, got real");
    assert_int_equal(zf_json_get_bool(j, "s", &b, &err), ZF_EPARSE);
    assert_string_equal(err.message, "field s: expected boolean, got string");
    assert_int_equal(zf_json_get_obj(j, "a", &o, &err), ZF_EPARSE);
    assert_string_equal(err.message, "field a: expected object, got array");
    assert_int_equal(zf_json_get_str(j, "missing", &s, &err), ZF_EPARSE);
    assert_string_equal(err.message, "field missing: missing (expected string)");
    assert_int_equal(zf_json_get_str(j, "n", &s, &err), ZF_EPARSE);
    assert_int_equal(zf_json_get_str(json_object_get(j, "a"), "x", &s, &err), ZF_EPARSE);
    assert_string_equal(err.message, "field x: expected an object around it, got array");
    json_decref(j);
}

static void test_json_optional_getters(void **state)
{
    json_t *j = parse_ok("{\"s\":\"x\",\"n\":null,\"i\":7}");
    zf_error err = ZF_ERROR_INIT;
    const char *s;
    int64_t i;
    int b;
    json_t *o = (json_t *)1;
    assert_int_equal(zf_json_opt_str(j, "nope", &s, "dflt", &err), 0);
    assert_string_equal(s, "dflt");
    assert_int_equal(zf_json_opt_str(j, "n", &s, "dflt", &err), 0);
    assert_string_equal(s, "dflt");
    assert_int_equal(zf_json_opt_str(j, "s", &s, "dflt", &err), 0);
    assert_string_equal(s, "x");
    assert_int_equal(zf_json_opt_int(j, "nope", &i, -1, &err), 0);
    assert_int_equal(i, -1);
    assert_int_equal(zf_json_opt_int(j, "i", &i, -1, &err), 0);
    assert_int_equal(i, 7);
    assert_int_equal(zf_json_opt_bool(j, "nope", &b, 1, &err), 0);
    assert_int_equal(b, 1);
    assert_int_equal(zf_json_opt_obj(j, "nope", &o, &err), 0);
    assert_null(o);
    assert_int_equal(zf_json_opt_arr(j, "n", &o, &err), 0);
    assert_null(o);
    /* present but mistyped is still an error */
    assert_int_equal(zf_json_opt_int(j, "s", &i, -1, &err), ZF_EPARSE);
    assert_string_equal(err.message, "field s: expected integer, got string");
    json_decref(j);
}

static void test_json_dump(void **state)
{
    json_t *j = parse_ok("{\"b\": [1, 2], \"a\": \"\\u00e9\"}");
    zf_buf b = ZF_BUF_INIT(1024);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_json_dump(j, &b, &err), 0);
    assert_string_equal(zf_buf_cstr(&b), "{\"b\":[1,2],\"a\":\"\xc3\xa9\"}");
    zf_buf small = ZF_BUF_INIT(4);
    assert_int_equal(zf_json_dump(j, &small, &err), ZF_ETOOBIG);
    assert_int_equal(zf_json_dump(NULL, &b, &err), ZF_EINVAL);
    zf_buf_free(&b);
    zf_buf_free(&small);
    json_decref(j);
    assert_string_equal(zf_json_type_name(NULL), "null");
}

static void test_json_version(void **state)
{
    /* zf_version comes from CMake's project(VERSION): MAJOR.MINOR.PATCH */
    const char *v = zf_version();
    int dots = 0;
    for (const char *p = v; *p; p++)
        dots += *p == '.';
    assert_int_equal(dots, 2);
    assert_true(v[0] >= '0' && v[0] <= '9');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_parse_ok_and_limits),
        cmocka_unit_test(test_json_parse_error_line_column),
        cmocka_unit_test(test_json_parse_names_duplicates_and_ranges),
        cmocka_unit_test(test_json_getters),
        cmocka_unit_test(test_json_optional_getters),
        cmocka_unit_test(test_json_dump),
        cmocka_unit_test(test_json_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
