/* util's text.h and civil.h: the one hexval, percent escape, header lookup
 * and days_from_civil that the library and zoomsim share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "civil.h"
#include "text.h"

static void test_hexval(void **state)
{
    const char *digits = "0123456789abcdef", *upper = "ABCDEF";
    for (int i = 0; i < 16; i++)
        assert_int_equal(zf_hexval(digits[i]), i);
    for (int i = 0; i < 6; i++)
        assert_int_equal(zf_hexval(upper[i]), 10 + i);
    const int bad[] = {'g', 'G', '/', ':', '@', '`', ' ', 0, -1, 0x80, 0xff};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(zf_hexval(bad[i]), -1);
}

static void test_pct_byte(void **state)
{
    assert_int_equal(zf_pct_byte("%2F", 3), '/');
    assert_int_equal(zf_pct_byte("%2fx", 4), '/');
    assert_int_equal(zf_pct_byte("%00", 3), 0);
    assert_int_equal(zf_pct_byte("%FF", 3), 255);
    assert_int_equal(zf_pct_byte("%2F", 2), -1); /* the escape runs past n */
    assert_int_equal(zf_pct_byte("%2", 3), -1);
    assert_int_equal(zf_pct_byte("%G0", 3), -1);
    assert_int_equal(zf_pct_byte("x2F", 3), -1);
    assert_int_equal(zf_pct_byte("%", 1), -1);
}

static void test_header_find(void **state)
{
    const char *h = "HTTP/1.1 429 Too Many Requests\r\n"
                    "Retry-After:  5 \r\n"
                    "x-ratelimit-type:\tDaily-limit\r\n"
                    "Empty:\r\n"
                    "Last: no newline";
    char v[32];
    assert_string_equal(zf_header_find(h, "retry-after", v, sizeof v), "5");
    assert_string_equal(zf_header_find(h, "X-RateLimit-Type", v, sizeof v), "Daily-limit");
    assert_string_equal(zf_header_find(h, "Empty", v, sizeof v), "");
    assert_string_equal(zf_header_find(h, "Last", v, sizeof v), "no newline");
    assert_null(zf_header_find(h, "Retry", v, sizeof v)); /* a prefix is not a name */
    assert_null(zf_header_find(h, "HTTP/1.1 429 Too Many Requests", v, sizeof v));
    assert_null(zf_header_find("", "A", v, sizeof v));
    assert_null(zf_header_find(NULL, "A", v, sizeof v));
    /* "\n" alone ends a line too (curl's header callback keeps "\r\n") */
    assert_string_equal(zf_header_find("A: 1\nB: 2\n", "B", v, sizeof v), "2");
    /* cut to outlen - 1 */
    assert_string_equal(zf_header_find("A: 123456", "A", v, 4), "123");
}

/* outlen 0 writes nothing: zoom's copy of this parser wrote outlen - 1
 * (SIZE_MAX) bytes here. */
static void test_header_find_outlen_zero(void **state)
{
    char v[4] = "xyz";
    assert_ptr_equal(zf_header_find("A: 123456", "A", v, 0), v);
    assert_string_equal(v, "xyz");
}

static void test_parse_u64(void **state)
{
    (void)state;
    uint64_t v = 7;
    const char *end;
    assert_int_equal(zf_parse_u64("0", 10, &v), 0);
    assert_true(v == 0);
    assert_int_equal(zf_parse_u64("18446744073709551615", UINT64_MAX, &v), 0);
    assert_true(v == UINT64_MAX);
    v = 7;
    /* wraps, blanks, signs, empty, junk, over max: refused, out untouched */
    const char *bad[] = {"18446744073709551616",
                         "99999999999999999999999",
                         " 1",
                         "+1",
                         "-1",
                         "",
                         "1 ",
                         "1x",
                         "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(zf_parse_u64(bad[i], UINT64_MAX, &v), -1);
    assert_int_equal(zf_parse_u64("11", 10, &v), -1);
    assert_int_equal(zf_parse_u64(NULL, 10, &v), -1);
    assert_true(v == 7);
    assert_int_equal(zf_parse_u64_prefix("123-456", &end, 1000, &v), 0);
    assert_true(v == 123);
    assert_string_equal(end, "-456");
    assert_int_equal(zf_parse_u64_prefix("-456", &end, 1000, &v), -1);
    assert_int_equal(zf_parse_u64_prefix("5000x", &end, 1000, &v), -1);
    assert_string_equal(end, "x");
}

static void test_parse_i64(void **state)
{
    (void)state;
    int64_t v = 7;
    assert_int_equal(zf_parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(zf_parse_i64("9223372036854775807", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(zf_parse_i64("-5", -10, 10, &v), 0);
    assert_true(v == -5);
    v = 7;
    assert_int_equal(zf_parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &v), -1);
    assert_int_equal(zf_parse_i64("-9223372036854775809", INT64_MIN, INT64_MAX, &v), -1);
    assert_int_equal(zf_parse_i64("-1", 0, 10, &v), -1); /* no sign when min >= 0 */
    assert_int_equal(zf_parse_i64("--1", -10, 10, &v), -1);
    assert_int_equal(zf_parse_i64("-", -10, 10, &v), -1);
    assert_int_equal(zf_parse_i64("11", -10, 10, &v), -1);
    assert_int_equal(zf_parse_i64("-11", -10, 10, &v), -1);
    assert_int_equal(zf_parse_i64("3", 5, 10, &v), -1);
    assert_int_equal(zf_parse_i64("-3", -10, -5, &v), -1);
    assert_int_equal(zf_parse_i64("1", -10, -5, &v), -1);
    assert_true(v == 7);
}

static void test_days_from_civil(void **state)
{
    assert_int_equal(zf_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(zf_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(zf_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(zf_days_from_civil(2000, 2, 29), 11016);
    assert_int_equal(zf_days_from_civil(2024, 12, 31) - zf_days_from_civil(2024, 1, 1), 365);
    assert_int_equal(zf_days_from_civil(2100, 3, 1) - zf_days_from_civil(2100, 2, 28), 1);
    assert_int_equal(zf_days_from_civil(9999, 12, 31), 2932896);
    assert_int_equal(zf_days_from_civil(1, 1, 1), -719162);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hexval),          cmocka_unit_test(test_pct_byte),
        cmocka_unit_test(test_header_find),     cmocka_unit_test(test_header_find_outlen_zero),
        cmocka_unit_test(test_days_from_civil), cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_parse_i64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
