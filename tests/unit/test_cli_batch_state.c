/* The reader of `zoomflow batch --state-file` files (src/cli/batch_state.c):
 * what a resume trusts. A run's own records are read back row by row; a
 * last line cut short by a crash is ignored and good_len stops before
 * it; another run's header, garbage, rows out of range and a second
 * result of a done row are refused, naming the line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "batch_state.h"

#define HEADER CLI_BSTATE_MAGIC "create_user 0123456789abcdef 3"
#define R1 "{\"row\":1,\"line\":2,\"status\":\"done\",\"output\":{}}"
#define R2F "{\"row\":2,\"line\":3,\"status\":\"failed\",\"error\":{}}"
#define R2 "{\"row\":2,\"line\":3,\"status\":\"found\",\"output\":{}}"

static int parse(cli_bstate *st, const char *text, zf_error *err)
{
    return cli_bstate_parse(st, text, strlen(text), HEADER, 3, err);
}

static void test_records(void **state)
{
    const char *text = HEADER "\n"
                              "sent 1 100\n"
                              "done 1 " R1 "\n"
                              "sent 2 200\n"
                              "done 2 " R2F "\n"
                              "sent 2 300\n"
                              "sent 3 400\n";
    cli_bstate st;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(parse(&st, text, &err), 0);
    assert_true(st.has_header);
    assert_false(st.truncated);
    assert_int_equal(st.good_len, strlen(text));
    assert_true(st.rows[0].ok);
    assert_false(st.rows[0].sent);
    assert_string_equal(st.rows[0].result, R1);
    /* failed, sent again: still sent, since its first attempt */
    assert_false(st.rows[1].ok);
    assert_true(st.rows[1].sent);
    assert_int_equal(st.rows[1].sent_at, 200);
    assert_string_equal(st.rows[1].result, R2F);
    assert_true(st.rows[2].sent);
    assert_null(st.rows[2].result);
    cli_bstate_free(&st);
}

static void test_cut_last_line(void **state)
{
    const char *text = HEADER "\nsent 1 100\ndone 1 {\"row\":1,\"li";
    cli_bstate st;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(parse(&st, text, &err), 0);
    assert_true(st.truncated);
    assert_int_equal(st.good_len, strlen(HEADER "\nsent 1 100\n"));
    assert_true(st.rows[0].sent);
    assert_false(st.rows[0].ok);
    cli_bstate_free(&st);
    /* an empty file, and a header cut short: a new run */
    assert_int_equal(parse(&st, "", &err), 0);
    assert_false(st.has_header);
    cli_bstate_free(&st);
    assert_int_equal(parse(&st, "zoomflow-ba", &err), 0);
    assert_false(st.has_header);
    assert_int_equal(st.good_len, 0);
    cli_bstate_free(&st);
}

static void refused(const char *text, int code, const char *why)
{
    cli_bstate st;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(parse(&st, text, &err), code);
    if (!strstr(err.message, why))
        fail_msg("'%s' does not say '%s'", err.message, why);
    assert_null(st.rows);
}

#define HEADER7 CLI_BSTATE_MAGIC "create_user 0123456789abcdef 3 1111111111111111 2222222222222222"

static int parse7(cli_bstate *st, const char *text, zf_error *err)
{
    return cli_bstate_parse(st, text, strlen(text), HEADER7, 3, err);
}

/* The header of this version names which part differs; an earlier
 * version's header (no flags and input fields) is still read. */
static void test_header_parts(void **state)
{
    (void)state;
    cli_bstate st;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(parse7(&st, HEADER "\nsent 1 5\n", &err), 0);
    assert_true(st.has_header);
    assert_true(st.rows[0].sent);
    cli_bstate_free(&st);
    assert_int_equal(parse7(&st,
                            CLI_BSTATE_MAGIC "create_user 9999999999999999 4 "
                                             "1111111111111111 3333333333333333\n",
                            &err),
                     ZF_EVALIDATION);
    assert_non_null(strstr(err.message, "another input (its input had 4 rows, this one has 3)"));
    assert_null(strstr(err.message, "flags"));
    assert_non_null(strstr(err.hint, "would send"));
    assert_int_equal(parse7(&st,
                            CLI_BSTATE_MAGIC "create_user 9999999999999999 3 "
                                             "4444444444444444 2222222222222222\n",
                            &err),
                     ZF_EVALIDATION);
    assert_non_null(strstr(err.message, "other flags"));
    assert_null(strstr(err.message, "another input"));
}

/* A failure Zoom refused leaves nothing to look for; an unsure one does. */
static void test_refused_is_not_sent(void **state)
{
    (void)state;
    cli_bstate st;
    zf_error err = ZF_ERROR_INIT;
    const char *text =
        HEADER "\nsent 1 5\n"
               "done 1 {\"row\":1,\"status\":\"failed\",\"error\":{\"code\":\"EZOOM\"}}\n"
               "sent 2 6\n"
               "done 2 {\"row\":2,\"status\":\"failed\",\"error\":{\"code\":"
               "\"EAMBIGUOUS\"}}\n";
    assert_int_equal(parse(&st, text, &err), 0);
    assert_false(st.rows[0].sent);
    assert_false(st.rows[0].ok);
    assert_true(st.rows[1].sent);
    assert_int_equal(st.rows[1].sent_at, 6);
    cli_bstate_free(&st);
}

static void test_refusals(void **state)
{
    refused(CLI_BSTATE_MAGIC "create_user fedcba9876543210 3\n", ZF_EVALIDATION,
            "another input or other flags");
    refused(CLI_BSTATE_MAGIC "create_meeting 0123456789abcdef 3\n", ZF_EVALIDATION,
            "another action (create_meeting)");
    refused("hello\n", ZF_EVALIDATION, "line 1: not a zoomflow batch state file");
    refused(HEADER "\nsent 4 1\n", ZF_EVALIDATION, "line 2: not a 'sent ROW SECONDS'");
    refused(HEADER "\nsent 0 1\n", ZF_EVALIDATION, "line 2:");
    refused(HEADER "\nsent 1 -5\n", ZF_EVALIDATION, "line 2:");
    refused(HEADER "\nsent 1 1 \n", ZF_EVALIDATION, "line 2:");
    refused(HEADER "\nsent 1 1\nbogus\n", ZF_EVALIDATION, "line 3: not a batch state record");
    refused(HEADER "\ndone 1 [1]\n", ZF_EVALIDATION, "line 2: a result without its row");
    refused(HEADER "\ndone 1 {\"row\":1,\n", ZF_EVALIDATION, "line 2: a result that is not a JSON");
    refused(HEADER "\ndone 1 " R2 "\n", ZF_EVALIDATION, "without its row or a known status");
    refused(HEADER "\ndone 1 {\"row\":1,\"status\":\"maybe\"}\n", ZF_EVALIDATION, "a known status");
    refused(HEADER "\ndone 1 " R1 "\ndone 1 " R1 "\n", ZF_EVALIDATION,
            "line 3: a second result for a row already done");
    refused(HEADER "\ndone 1 " R1 "\nsent 1 5\n", ZF_EVALIDATION,
            "line 3: a row sent again after it was done");
    static const char nul[] = HEADER "\nsent 1\0 5\n";
    cli_bstate st;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(cli_bstate_parse(&st, nul, sizeof nul - 1, HEADER, 3, &err), ZF_EVALIDATION);
    assert_non_null(strstr(err.message, "line 2: a NUL byte"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_cut_last_line),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_header_parts),
        cmocka_unit_test(test_refused_is_not_sent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
