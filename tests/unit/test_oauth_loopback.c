/* zf_oauth_loopback_decide: one case per row of the refusal table in
 * oauth_loopback.h, the incremental reads, and the FINISH span. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zoomflow/oauth_loopback.h"

#define H "Host: 127.0.0.1:8000\r\n"
#define OK_LINE "GET /callback?code=abc&state=S1 HTTP/1.1\r\n"

static const zf_oauth_loopback_expect ex = {"127.0.0.1:8000", "/callback", "S1"};

static zf_oauth_loopback_verdict decide(const char *req, int eof)
{
    zf_oauth_loopback_verdict v;
    zf_oauth_loopback_decide(&v, req, strlen(req), eof, &ex);
    return v;
}

static void test_refusal_table(void **state)
{
    static const struct {
        const char *req;
        int status;
        zf_oauth_loopback_kind kind;
        const char *why;
    } rows[] = {
        {"GARBAGE\r\n\r\n", 400, ZF_LOOPBACK_NOT_CALLBACK, "not an HTTP request"},
        {"GET /callback HTTP/2.0\r\n\r\n", 505, ZF_LOOPBACK_NOT_CALLBACK, "HTTP/1.1"},
        {"POST /callback HTTP/1.1\r\n" H "\r\n", 405, ZF_LOOPBACK_NOT_CALLBACK, "GET"},
        {OK_LINE "\r\n", 400, ZF_LOOPBACK_NOT_CALLBACK, "no Host"},
        {"GET /callback?code=abc&state=S1 HTTP/1.0\r\nOrigin: http://evil\r\n\r\n", 400,
         ZF_LOOPBACK_NOT_CALLBACK, "no Host"},
        {OK_LINE H H "\r\n", 400, ZF_LOOPBACK_NOT_CALLBACK, "two Host"},
        {OK_LINE "Host: evil.example.com\r\n\r\n", 421, ZF_LOOPBACK_NOT_CALLBACK, "Host"},
        {OK_LINE "Host: 127.0.0.1:8001\r\n\r\n", 421, ZF_LOOPBACK_NOT_CALLBACK, "Host"},
        {OK_LINE H "Origin: http://evil.example.com\r\n\r\n", 403, ZF_LOOPBACK_NOT_CALLBACK,
         "Origin"},
        {OK_LINE H "Origin: null\r\n\r\n", 403, ZF_LOOPBACK_NOT_CALLBACK, "Origin"},
        {OK_LINE H "Origin: http://127.0.0.1:8000\r\nOrigin: http://127.0.0.1:8000\r\n\r\n", 403,
         ZF_LOOPBACK_NOT_CALLBACK, "Origin"},
        {OK_LINE H " folded\r\n\r\n", 400, ZF_LOOPBACK_NOT_CALLBACK, "header"},
        {"GET /other?code=abc&state=S1 HTTP/1.1\r\n" H "\r\n", 404, ZF_LOOPBACK_NOT_CALLBACK,
         "path"},
        {"GET /callback?code=%zz&state=S1 HTTP/1.1\r\n" H "\r\n", 400, ZF_LOOPBACK_BAD_CALLBACK,
         "malformed"},
        {"GET /callback?code=abc HTTP/1.1\r\n" H "\r\n", 400, ZF_LOOPBACK_WRONG_STATE, "no state"},
        {"GET /callback?code=abc&state=S2 HTTP/1.1\r\n" H "\r\n", 400, ZF_LOOPBACK_WRONG_STATE,
         "not this connect attempt"},
        {"GET /callback?code=abc&state=S HTTP/1.1\r\n" H "\r\n", 400, ZF_LOOPBACK_WRONG_STATE,
         "not this connect attempt"},
        {"GET /callback?state=S1 HTTP/1.1\r\n" H "\r\n", 400, ZF_LOOPBACK_BAD_CALLBACK, "no code"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        zf_oauth_loopback_verdict v = decide(rows[i].req, 0);
        if (v.outcome != ZF_LOOPBACK_REFUSE || v.status != rows[i].status ||
            v.kind != rows[i].kind || !strstr(v.reason, rows[i].why))
            fail_msg("row %zu: outcome %d status %d reason %s", i, v.outcome, v.status,
                     v.reason ? v.reason : "(none)");
    }
}

static void test_finish_spans_the_query(void **state)
{
    static const char *const ok[] = {
        OK_LINE H "\r\n", "GET /callback?code=abc&state=S1 HTTP/1.1\n" H "\n", /* bare LF */
        OK_LINE "host: 127.0.0.1:8000 \r\nOrigin: HTTP://127.0.0.1:8000\r\n\r\n",
        "GET /callback?code=abc&state=S1 HTTP/1.0\r\n" H "\r\n", /* 1.0 with Host */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        zf_oauth_loopback_verdict v = decide(ok[i], 0);
        assert_int_equal(v.outcome, ZF_LOOPBACK_FINISH);
        assert_int_equal(v.query_len, strlen("code=abc&state=S1"));
        assert_memory_equal(v.query, "code=abc&state=S1", v.query_len);
    }
    /* the server's error with this attempt's state ends the flow too */
    zf_oauth_loopback_verdict v =
        decide("GET /callback?error=access_denied&state=S1 HTTP/1.1\r\n" H "\r\n", 0);
    assert_int_equal(v.outcome, ZF_LOOPBACK_FINISH);
}

static void test_default_port_may_be_left_out(void **state)
{
    static const zf_oauth_loopback_expect ex80 = {"localhost:80", "/callback", "S1"};
    const char *req = OK_LINE "Host: LOCALHOST\r\nOrigin: http://localhost\r\n\r\n";
    zf_oauth_loopback_verdict v;
    zf_oauth_loopback_decide(&v, req, strlen(req), 0, &ex80);
    assert_int_equal(v.outcome, ZF_LOOPBACK_FINISH);
    /* only port 80 is implied */
    req = OK_LINE "Host: 127.0.0.1\r\n\r\n";
    zf_oauth_loopback_decide(&v, req, strlen(req), 0, &ex);
    assert_int_equal(v.status, 421);
    req = OK_LINE "Host: localhost:8\r\n\r\n";
    zf_oauth_loopback_decide(&v, req, strlen(req), 0, &ex80);
    assert_int_equal(v.status, 421);
}

static void test_incomplete_head_reads_on(void **state)
{
    const char *req = OK_LINE H "\r\n";
    size_t n = strlen(req);
    for (size_t i = 0; i < n; i++) {
        zf_oauth_loopback_verdict v;
        zf_oauth_loopback_decide(&v, req, i, 0, &ex);
        assert_int_equal(v.outcome, ZF_LOOPBACK_MORE);
        zf_oauth_loopback_decide(&v, req, i, 1, &ex); /* the client gave up */
        assert_int_equal(v.outcome, ZF_LOOPBACK_REFUSE);
        assert_int_equal(v.status, 400);
    }
}

static void test_sizes(void **state)
{
    size_t n = ZF_LOOPBACK_LINE_MAX + 64;
    char *req = malloc(2 * ZF_LOOPBACK_HEAD_MAX);
    assert_non_null(req);
    /* a request line over the limit is 414 before its end arrives */
    memcpy(req, "GET /callback?pad=", 18);
    memset(req + 18, 'j', n - 18);
    zf_oauth_loopback_verdict v;
    zf_oauth_loopback_decide(&v, req, ZF_LOOPBACK_LINE_MAX, 0, &ex);
    assert_int_equal(v.outcome, ZF_LOOPBACK_MORE);
    zf_oauth_loopback_decide(&v, req, n, 0, &ex);
    assert_int_equal(v.status, 414);
    assert_null(strstr(v.reason, "jjj"));
    /* headers over the limit are 431, whether complete or not */
    size_t len = strlen(OK_LINE H);
    memcpy(req, OK_LINE H, len);
    while (len < ZF_LOOPBACK_HEAD_MAX + 100) {
        memcpy(req + len, "X-Pad: ppppppppppppppppppppppppppppppppppppppppppppppp\r\n", 56);
        len += 56;
    }
    zf_oauth_loopback_decide(&v, req, len, 0, &ex);
    assert_int_equal(v.status, 431);
    memcpy(req + len, "\r\n", 2);
    zf_oauth_loopback_decide(&v, req, len + 2, 0, &ex);
    assert_int_equal(v.status, 431);
    free(req);
    /* a NUL anywhere is refused */
    zf_oauth_loopback_decide(&v, "GET /\0 HTTP/1.1\r\n\r\n", 19, 0, &ex);
    assert_int_equal(v.status, 400);
}

static void test_status_texts(void **state)
{
    assert_string_equal(zf_oauth_loopback_status_text(414), "URI Too Long");
    assert_string_equal(zf_oauth_loopback_status_text(431), "Request Header Fields Too Large");
    assert_string_equal(zf_oauth_loopback_status_text(421), "Misdirected Request");
    assert_string_equal(zf_oauth_loopback_status_text(499), "Error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusal_table),
        cmocka_unit_test(test_finish_spans_the_query),
        cmocka_unit_test(test_default_port_may_be_left_out),
        cmocka_unit_test(test_incomplete_head_reads_on),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_status_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
