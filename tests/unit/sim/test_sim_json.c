/* zoomsim's JSON writer (jsonout.c) against what JavaScript writes: the
 * expected texts below are String(x) / JSON.stringify from node 20, so a
 * body zoomsim signs is the one Zoom's Node SDK re-serialises and checks.
 * Also: every double it writes reads back as the same double and no shorter
 * form does (random bit patterns), strings are escaped as JSON.stringify
 * escapes them, index-like keys come first, and deep nesting is refused
 * without a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static const struct {
    double v;
    const char *js;
} numbers[] = {
    {1e-1, "0.1"},
    {2e-1, "0.2"},
    {3.0000000000000004e-1, "0.30000000000000004"},
    {3.333333333333333e-1, "0.3333333333333333"},
    {6.666666666666666e-1, "0.6666666666666666"},
    {5e+0, "5"},
    {-5.5e+0, "-5.5"},
    {1e+21, "1e+21"},
    {1e+20, "100000000000000000000"},
    {1.2345678901234568e+20, "123456789012345680000"},
    {1.5e-7, "1.5e-7"},
    {1e-6, "0.000001"},
    {1.234e-6, "0.000001234"},
    {1e-7, "1e-7"},
    {-1e-7, "-1e-7"},
    {2.5e-5, "0.000025"},
    {1e+300, "1e+300"},
    {-1e-300, "-1e-300"},
    {5e-324, "5e-324"},
    {1.7976931348623157e+308, "1.7976931348623157e+308"},
    {2.2250738585072014e-308, "2.2250738585072014e-308"},
    {1.23456789125e+8, "123456789.125"},
    {5e-1, "0.5"},
    {1e+2, "100"},
    {1e+15, "1000000000000000"},
    {1e+16, "10000000000000000"},
    {9.007199254740992e+15, "9007199254740992"},
    {4.35e+0, "4.35"},
    {7e-2, "0.07"},
    {1.005e+0, "1.005"},
    {3.14159e+0, "3.14159"},
    {-1e-4, "-0.0001"},
    {6.02214076e+23, "6.02214076e+23"},
    {2.997924585e+8, "299792458.5"},
    {0.0, "0"},
    {-0.0, "0"},
};

static char *number_text(double d)
{
    zf_buf b = ZF_BUF_INIT(1024);
    sim_json_number(&b, d);
    return zf_buf_take(&b);
}

static void numbers_as_javascript_writes_them(void **state)
{
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        char *t = number_text(numbers[i].v);
        assert_string_equal(t, numbers[i].js);
        free(t);
    }
}

/* significant digits of a decimal text */
static int sig_digits(const char *t)
{
    int n = 0, started = 0, trailing = 0;
    for (; *t && *t != 'e'; t++) {
        if (*t < '0' || *t > '9')
            continue;
        if (*t != '0')
            started = 1;
        if (!started)
            continue;
        n++;
        trailing = *t == '0' ? trailing + 1 : 0;
    }
    return n - trailing;
}

static void random_doubles_round_trip_shortest(void **state)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        memcpy(&d, &x, sizeof d);
        if (!isfinite(d) || d == 0)
            continue;
        char *t = number_text(d);
        assert_true(strtod(t, NULL) == d);
        int k = sig_digits(t);
        if (k > 1) { /* no shorter form reads back as d */
            char shorter[40];
            snprintf(shorter, sizeof shorter, "%.*e", k - 2, d);
            assert_false(strtod(shorter, NULL) == d);
        }
        free(t);
    }
}

static void strings_escaped_as_json_stringify(void **state)
{
    json_t *j = json_pack("{s:s}", "k", "a\x01\x1f\"\\/\n\t\b\f\r\x7f\xc3\xa9\xe2\x80\xa8");
    char *t = sim_json_text(j);
    assert_string_equal(
        t, "{\"k\":\"a\\u0001\\u001f\\\"\\\\/\\n\\t\\b\\f\\r\x7f\xc3\xa9\xe2\x80\xa8\"}");
    free(t);
    json_decref(j);
    /* embedded NUL (jansson allows it with a length) */
    j = json_stringn("a\0b", 3);
    t = sim_json_text(j);
    assert_string_equal(t, "\"a\\u0000b\"");
    free(t);
    json_decref(j);
}

static void index_keys_first_in_order(void **state)
{
    json_t *j = json_object();
    json_object_set_new(j, "b", json_integer(1));
    json_object_set_new(j, "10", json_integer(2));
    json_object_set_new(j, "01", json_integer(3)); /* not canonical: stays put */
    json_object_set_new(j, "2", json_integer(4));
    json_object_set_new(j, "4294967295", json_integer(5)); /* 2^32-1: not an index */
    json_object_set_new(j, "4294967294", json_integer(6));
    json_object_set_new(j, "a", json_real(2.5));
    char *t = sim_json_text(j);
    assert_string_equal(t, "{\"2\":4,\"10\":2,\"4294967294\":6,\"b\":1,\"01\":3,"
                           "\"4294967295\":5,\"a\":2.5}");
    free(t);
    json_decref(j);
}

static void scalars_and_containers(void **state)
{
    json_t *j = json_pack("[i,I,b,b,n,f,[],{}]", -7, (json_int_t)85746065432, 1, 0, 0.1);
    char *t = sim_json_text(j);
    assert_string_equal(t, "[-7,85746065432,true,false,null,0.1,[],{}]");
    free(t);
    json_decref(j);
    assert_null(sim_json_text(NULL));
}

static void deep_nesting_refused(void **state)
{
    json_t *top = json_array(), *cur = top;
    for (int i = 0; i < 3000; i++) {
        json_t *n = json_array();
        json_array_append_new(cur, n);
        cur = n;
    }
    assert_null(sim_json_text(top));
    zf_buf b = ZF_BUF_INIT(1 << 20);
    zf_buf_puts(&b, "keep");
    assert_int_equal(sim_json_write(&b, top), ZF_EVALIDATION);
    assert_string_equal(zf_buf_cstr(&b), "keep");
    zf_buf_free(&b);
    json_decref(top);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_as_javascript_writes_them),
        cmocka_unit_test(random_doubles_round_trip_shortest),
        cmocka_unit_test(strings_escaped_as_json_stringify),
        cmocka_unit_test(index_keys_first_in_order),
        cmocka_unit_test(scalars_and_containers),
        cmocka_unit_test(deep_nesting_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
