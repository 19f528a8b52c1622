/* zf_buf: cap and sticky failure, formatting, URL and JSON string encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"

static void test_cap_is_sticky(void **state)
{
    zf_buf b = ZF_BUF_INIT(8);
    assert_int_equal(zf_buf_puts(&b, "12345"), 0);
    assert_int_equal(zf_buf_puts(&b, "6789"), ZF_ENOMEM);
    assert_true(b.failed);
    assert_string_equal(zf_buf_cstr(&b), "12345");     /* contents kept */
    assert_int_equal(zf_buf_puts(&b, "x"), ZF_ENOMEM); /* sticky */
    assert_null(zf_buf_take(&b));
    zf_buf_free(&b);
}

static void test_reserve(void **state)
{
    zf_buf b = ZF_BUF_INIT(16);
    zf_buf_puts(&b, "ab");
    assert_int_equal(zf_buf_reserve(&b, 13), 0);
    assert_true(b.cap >= 16);
    memcpy(b.ptr + b.len, "cd", 3);
    b.len += 2;
    assert_string_equal(zf_buf_cstr(&b), "abcd");
    assert_int_equal(zf_buf_reserve(&b, 13), ZF_ENOMEM); /* 4 + 13 > 16 */
    assert_true(b.failed);
    zf_buf_free(&b);
    zf_buf big = ZF_BUF_INIT((size_t)-1);
    zf_buf_putc(&big, 'x');
    assert_int_equal(zf_buf_reserve(&big, (size_t)-1), ZF_ENOMEM); /* wraps */
    zf_buf_free(&big);
}

static void test_appendf_long(void **state)
{
    zf_buf b = ZF_BUF_INIT(1 << 20);
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    zf_buf_appendf(&b, "%s-%d", big, 42);
    assert_int_equal(b.len, 999 + 3);
    assert_string_equal(b.ptr + 999, "-42");
    char *t = zf_buf_take(&b);
    assert_non_null(t);
    free(t);
    zf_buf_free(&b);
}

static void test_urlenc(void **state)
{
    zf_buf b = ZF_BUF_INIT(256);
    zf_buf_put_urlenc(&b, "/ajX p==~._-\xc3\xa9");
    assert_string_equal(b.ptr, "%2FajX%20p%3D%3D~._-%C3%A9");
    zf_buf_free(&b);
}

static char *jsonstr(const char *s)
{
    zf_buf b = ZF_BUF_INIT(1024);
    zf_buf_put_jsonstr(&b, s);
    return zf_buf_take(&b);
}

static void assert_valid_json_string(const char *encoded, const char *decoded)
{
    json_error_t e;
    json_t *j = json_loads(encoded, JSON_DECODE_ANY, &e);
    assert_non_null(j);
    assert_string_equal(json_string_value(j), decoded);
    json_decref(j);
}

static void test_jsonstr_escapes(void **state)
{
    char *t = jsonstr("a\"b\\c\n\t\x01");
    assert_string_equal(t, "\"a\\\"b\\\\c\\n\\t\\u0001\"");
    assert_valid_json_string(t, "a\"b\\c\n\t\x01");
    free(t);
}

static void test_jsonstr_utf8(void **state)
{
    /* valid multi-byte sequences pass through */
    char *t = jsonstr("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_string_equal(t, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    free(t);
    /* invalid bytes become U+FFFD, so the result is always valid JSON */
    static const char *const bad[] = {"\xff",         "a\x80z",           "\xc3",    "\xc0\xaf",
                                      "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = jsonstr(bad[i]);
        json_error_t e;
        json_t *j = json_loads(t, JSON_DECODE_ANY, &e);
        assert_non_null(j);
        assert_non_null(strstr(json_string_value(j), "\xef\xbf\xbd"));
        json_decref(j);
        free(t);
    }
}

/* zf_buf_fit: one allocation of exactly the size asked for, kept when it
 * is already big enough, refused past max (sticky, as the others). */
static void test_fit(void **state)
{
    zf_buf b = ZF_BUF_INIT(1000);
    assert_int_equal(zf_buf_fit(&b, 700), 0);
    assert_int_equal(b.cap, 701);
    assert_string_equal(zf_buf_cstr(&b), "");
    assert_int_equal(zf_buf_puts(&b, "abc"), 0);
    assert_int_equal(zf_buf_fit(&b, 10), 0);
    assert_int_equal(b.cap, 701);
    assert_int_equal(zf_buf_fit(&b, 900), 0);
    assert_int_equal(b.cap, 901);
    assert_string_equal(b.ptr, "abc");
    assert_int_equal(zf_buf_fit(&b, 1001), ZF_ENOMEM);
    assert_int_equal(zf_buf_puts(&b, "d"), ZF_ENOMEM);
    zf_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_is_sticky),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_appendf_long),
        cmocka_unit_test(test_urlenc),
        cmocka_unit_test(test_jsonstr_escapes),
        cmocka_unit_test(test_jsonstr_utf8),
        cmocka_unit_test(test_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
