/* util's csv.h: the strict RFC 4180 reader zoomflow batch --csv reads
 * user files with: quoting, doubled quotes, CRLF and LF, newlines inside
 * quotes (and the line numbers after them), and every refusal with its
 * line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "zoomflow/error.h"

typedef struct reader {
    zf_csv c;
    zf_csv_record r;
    char why[256];
} reader;

static void open_text(reader *x, const char *text)
{
    zf_csv_init(&x->c, text, strlen(text));
    zf_csv_record_init(&x->r);
    x->why[0] = '\0';
}

/* The next record must be exactly the fields given (NULL-ended). */
static void expect(reader *x, long line, ...)
{
    assert_int_equal(zf_csv_next(&x->c, &x->r, x->why, sizeof x->why), 1);
    assert_int_equal(x->r.line, line);
    va_list ap;
    va_start(ap, line);
    size_t i = 0;
    for (const char *f; (f = va_arg(ap, const char *)) != NULL; i++) {
        assert_true(i < x->r.count);
        assert_string_equal(zf_csv_field(&x->r, i), f);
        assert_int_equal(x->r.flen[i], strlen(f));
    }
    va_end(ap);
    assert_int_equal(x->r.count, i);
}

static void expect_end(reader *x)
{
    assert_int_equal(zf_csv_next(&x->c, &x->r, x->why, sizeof x->why), 0);
    zf_csv_record_free(&x->r);
}

static void expect_refusal(const char *text, const char *why)
{
    reader x;
    open_text(&x, text);
    int rc;
    while ((rc = zf_csv_next(&x.c, &x.r, x.why, sizeof x.why)) == 1)
        ;
    assert_int_equal(rc, ZF_EVALIDATION);
    assert_non_null(strstr(x.why, why));
    zf_csv_record_free(&x.r);
}

static void test_plain(void **state)
{
    reader x;
    open_text(&x, "email,first_name,user_info.type\na@x.com,Ann,1\nb@x.com,,2");
    expect(&x, 1, "email", "first_name", "user_info.type", NULL);
    expect(&x, 2, "a@x.com", "Ann", "1", NULL);
    expect(&x, 3, "b@x.com", "", "2", NULL); /* no newline at the end */
    expect_end(&x);
}

static void test_byte_order_mark(void **state)
{
    reader x;
    open_text(&x, "\xEF\xBB\xBF"
                  "email,type\r\na@x.com,1\r\n");
    expect(&x, 1, "email", "type", NULL);
    expect(&x, 2, "a@x.com", "1", NULL);
    expect_end(&x);
    open_text(&x, "a,\xEF\xBB\xBF\n"); /* only at the start */
    expect(&x, 1, "a", "\xEF\xBB\xBF", NULL);
    expect_end(&x);
}

static void test_crlf_and_empty(void **state)
{
    reader x;
    open_text(&x, "a,b\r\n\r\n,\r\nx,\r\n");
    expect(&x, 1, "a", "b", NULL);
    expect(&x, 2, "", NULL); /* an empty line: one empty field */
    expect(&x, 3, "", "", NULL);
    expect(&x, 4, "x", "", NULL);
    expect_end(&x);
}

static void test_quoted(void **state)
{
    reader x;
    open_text(&x, "\"Smith, Ann\",\"say \"\"hi\"\"\",\"\"\n"
                  "\"two\nlines\",\"crlf\r\ninside\",z\r\n"
                  "after,\"\"\"\"\n");
    expect(&x, 1, "Smith, Ann", "say \"hi\"", "", NULL);
    expect(&x, 2, "two\nlines", "crlf\r\ninside", "z", NULL);
    expect(&x, 5, "after", "\"", NULL); /* lines counted through the quotes */
    expect_end(&x);
}

static void test_refusals(void **state)
{
    expect_refusal("a,b\n\"open,x\nmore\n", "line 4: the quoted field opened on line 2 never");
    expect_refusal("a,b\nc\"d,e\n", "line 2: a quote inside an unquoted field");
    expect_refusal("\"x\"y,z\n", "line 1: text after a quoted field's closing quote");
    expect_refusal("a\rb\n", "line 1: a carriage return that is not followed");
}

static void test_nul_and_width(void **state)
{
    static const char nul[] = "a\nb\0c\n";
    reader x;
    zf_csv_init(&x.c, nul, sizeof nul - 1);
    zf_csv_record_init(&x.r);
    assert_int_equal(zf_csv_next(&x.c, &x.r, x.why, sizeof x.why), 1);
    assert_int_equal(zf_csv_next(&x.c, &x.r, x.why, sizeof x.why), ZF_EVALIDATION);
    assert_non_null(strstr(x.why, "line 2: a NUL byte"));
    zf_csv_record_free(&x.r);

    static char wide[ZF_CSV_FIELDS_MAX * 2 + 8];
    memset(wide, ',', ZF_CSV_FIELDS_MAX); /* 513 empty fields */
    wide[ZF_CSV_FIELDS_MAX] = '\n';
    expect_refusal(wide, "more than 512 fields");
    wide[ZF_CSV_FIELDS_MAX - 1] = '\n'; /* 512 fields: fine */
    wide[ZF_CSV_FIELDS_MAX] = '\0';
    open_text(&x, wide);
    assert_int_equal(zf_csv_next(&x.c, &x.r, x.why, sizeof x.why), 1);
    assert_int_equal(x.r.count, ZF_CSV_FIELDS_MAX);
    expect_end(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),          cmocka_unit_test(test_byte_order_mark),
        cmocka_unit_test(test_crlf_and_empty), cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_refusals),       cmocka_unit_test(test_nul_and_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
