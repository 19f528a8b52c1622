/* Unit tests: log.c (secrets, redaction, log lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "zoomflow/zoomflow.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char *redact(const char *in)
{
    char *s = strdup(in);
    zf_log_redact(s);
    return s;
}

static void check(const char *in, const char *want)
{
    char *got = redact(in);
    if (strcmp(got, want) != 0)
        fail_msg("redact(%s)\n  got:  %s\n  want: %s", in, got, want);
    free(got);
}

static void test_log_redact_headers(void **state)
{
    check("Authorization: Bearer eyJhbGciOiJIUzUxMiJ9.payload.sig\r\nHost: x\r\n",
          "Authorization: [redacted]\r\nHost: x\r\n");
    check("authorization:Basic Y2xpZW50OnNlY3JldA==", "authorization:[redacted]");
    check("> Proxy-Authorization: Basic dXNlcjpwYXNzd29yZA==\n",
          "> Proxy-Authorization: [redacted]\n");
    check("token was Bearer abcdefghijklmnop, then", "token was Bearer [redacted], then");
    check("Authorization: Bearer ab\n", "Authorization: *********\n");
}

static void test_log_redact_query_and_form(void **state)
{
    check("GET /oauth/callback?code=obBEe8ewaL_KdyNjniT4KPd8ffDWt9fGB&state=xyz HTTP/1.1",
          "GET /oauth/callback?code=[redacted]&state=xyz HTTP/1.1");
    check("grant_type=refresh_token&refresh_token=eyJzdiI6IjAwMDAwMSJ9.abc.def",
          "grant_type=refresh_token&refresh_token=[redacted]");
    check("grant_type=authorization_code&code=AbCdEfGhIjKl&redirect_uri=https%3A%2F%2Fx"
          "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
          "grant_type=authorization_code&code=[redacted]&redirect_uri=https%3A%2F%2Fx"
          "&code_verifier=[redacted]");
    check("https://zoom.us/rec/download/abc?access_token=eyJ0eXAiOiJKV1QifQ.x.y#frag",
          "https://zoom.us/rec/download/abc?access_token=[redacted]#frag");
    check("client_secret=s3cr3tvalue123&password=hunter2",
          "client_secret=[redacted]&password=*******");
    check("download_access_token=abcdefghijklmnopq token=0123456789ab",
          "download_access_token=[redacted] token=[redacted]");
    /* whole names only */
    check("zipcode=12345&code_type=x&mytoken=abcdefghijkl",
          "zipcode=12345&code_type=x&mytoken=abcdefghijkl");
    check("code=&state=1", "code=&state=1");
}

static void test_log_redact_json(void **state)
{
    check("{\"access_token\":\"eyJhbGciOiJIUzUxMiJ9.eyJ2ZXIiOjl9.sig\",\"token_type\":"
          "\"bearer\",\"refresh_token\" : \"eyJhbGciOi.rt.sig\",\"expires_in\":3599}",
          "{\"access_token\":\"[redacted]\",\"token_type\":\"bearer\",\"refresh_token\" : "
          "\"[redacted]\",\"expires_in\":3599}");
    check("{\"plainToken\":\"qgg8vlvZRS6UYooatFL8Aw\",\"encryptedToken\":\"23a89b634c017e5364a1c"
          "8d9c8ea909b60dd5599e2bb04bb1558d9c3a121faa5\"}",
          "{\"plainToken\":\"[redacted]\",\"encryptedToken\":\"[redacted]\"}");
    check("{\"password\":\"Sup3r\\\"S3cret!\",\"email\":\"a@b.c\"}",
          "{\"password\":\"[redacted]\",\"email\":\"a@b.c\"}");
    check("{\"client_secret\": \"abcdefghijklmnopqrstuvwxyz\", \"token\":\"short\"}",
          "{\"client_secret\": \"[redacted]\", \"token\":\"*****\"}");
    /* Zoom's numeric error code is not a secret */
    check("{\"code\":124,\"message\":\"Invalid access token.\"}",
          "{\"code\":124,\"message\":\"Invalid access token.\"}");
    check("{\"download_access_token\":\"abcdefghijklmnopqr\"}",
          "{\"download_access_token\":\"[redacted]\"}");
    /* JSON embedded as an escaped string in another JSON document */
    check("{\"body\":\"{\\\"access_token\\\":\\\"abcdefghijklmnop\\\"}\"}",
          "{\"body\":\"{\\\"access_token\\\":\\\"[redacted]\\\"}\"}");
    /* unterminated: scrub to the end */
    check("{\"refresh_token\":\"abcdefghijklmnopqrstu", "{\"refresh_token\":\"[redacted]");
    check("{\"token_type\":\"bearer\"}", "{\"token_type\":\"bearer\"}");
}

static void test_log_redact_never_grows(void **state)
{
    const char *in = "code=a&token=bb&password=ccc&{\"token\":\"\"}";
    char *got = redact(in);
    assert_true(strlen(got) <= strlen(in));
    assert_string_equal(got, "code=*&token=**&password=***&{\"token\":\"\"}");
    free(got);
    zf_log_redact(NULL); /* tolerated */
}

static void test_log_secret_wipe_and_compare(void **state)
{
    zf_secret s = ZF_SECRET_INIT, c = ZF_SECRET_INIT;
    assert_true(zf_secret_empty(&s));
    assert_string_equal(zf_secret_reveal(&s), "");
    assert_int_equal(zf_secret_set(&s, "tok-123", 7), 0);
    assert_int_equal(s.len, 7);
    assert_true(zf_secret_eq(&s, "tok-123", 7));
    assert_false(zf_secret_eq(&s, "tok-124", 7));
    assert_false(zf_secret_eq(&s, "tok-12", 6));
    assert_false(zf_secret_eq(&s, "tok-1234", 8));
    assert_int_equal(zf_secret_copy(&c, &s), 0);
    assert_string_equal(zf_secret_reveal(&c), "tok-123");
    assert_ptr_not_equal(c.ptr, s.ptr);
    /* replacing a value replaces it; freeing empties it */
    assert_int_equal(zf_secret_set(&s, "other", 5), 0);
    assert_string_equal(zf_secret_reveal(&s), "other");
    zf_secret_free(&s);
    assert_null(s.ptr);
    assert_int_equal(s.len, 0);
    assert_true(zf_secret_empty(&s));
    assert_true(zf_secret_eq(&s, "", 0));
    zf_secret_free(&s);
    zf_secret_free(NULL);
    assert_int_equal(zf_secret_copy(&c, NULL), 0);
    assert_true(zf_secret_empty(&c));
}

/* test_log is linked with -Wl,--wrap=free (CMakeLists.txt), so the
 * library's free() calls pass through here: when the watched secret buffer
 * is released, its bytes must already be zero. */
void __real_free(void *p);
void __wrap_free(void *p);
static const void *watched;
static size_t watched_len;
static int watched_state; /* 0 not freed, 1 freed wiped, 2 freed with data */

void __wrap_free(void *p)
{
    if (p && p == watched) {
        const unsigned char *b = p;
        watched_state = 1;
        for (size_t i = 0; i < watched_len; i++)
            if (b[i])
                watched_state = 2;
        watched = NULL;
    }
    __real_free(p);
}

static void test_log_secret_free_wipes(void **state)
{
    zf_secret s = ZF_SECRET_INIT;
    assert_int_equal(zf_secret_set(&s, "refresh-token-value", 19), 0);
    watched = s.ptr;
    watched_len = s.len + 1;
    watched_state = 0;
    zf_secret_free(&s);
    assert_int_equal(watched_state, 1);
    /* replacing a value wipes the old one too */
    assert_int_equal(zf_secret_set(&s, "first-value", 11), 0);
    watched = s.ptr;
    watched_len = s.len + 1;
    watched_state = 0;
    assert_int_equal(zf_secret_set(&s, "second", 6), 0);
    assert_int_equal(watched_state, 1);
    zf_secret_free(&s);
}

static void test_log_secret_set_embedded_nul(void **state)
{
    zf_secret s = ZF_SECRET_INIT;
    assert_int_equal(zf_secret_set(&s, "a\0b", 3), 0);
    assert_int_equal(s.len, 3);
    assert_true(zf_secret_eq(&s, "a\0b", 3));
    assert_false(zf_secret_eq(&s, "a\0c", 3));
    zf_secret_free(&s);
}

typedef struct captured {
    int n;
    zf_log_level level[8];
    char line[8][1024];
} captured;

static void capture(void *ctx, zf_log_level level, const char *line)
{
    captured *c = ctx;
    if (c->n < 8) {
        c->level[c->n] = level;
        snprintf(c->line[c->n], sizeof c->line[0], "%s", line);
    }
    c->n++;
}

static void test_log_levels_and_text_lines(void **state)
{
    captured c = {0};
    zf_log_configure(capture, &c, ZF_LOG_INFO, 0);
    assert_true(zf_log_enabled(ZF_LOG_INFO));
    assert_false(zf_log_enabled(ZF_LOG_DEBUG));
    zf_log(ZF_LOG_DEBUG, "http", "hidden %d", 1);
    zf_log(ZF_LOG_WARN, "tokens", "refresh failed: %s", "refresh_token=abcdefghijklmnop");
    assert_int_equal(c.n, 1);
    assert_int_equal(c.level[0], ZF_LOG_WARN);
    assert_non_null(strstr(c.line[0], " warn  tokens: refresh failed: refresh_token=[redacted]"));
    assert_null(strstr(c.line[0], "abcdefghijklmnop"));
    assert_int_equal(c.line[0][4], '-'); /* starts with an ISO date */
    zf_log_configure(NULL, NULL, ZF_LOG_WARN, 0);
}

static void test_log_json_lines(void **state)
{
    captured c = {0};
    zf_log_configure(capture, &c, ZF_LOG_TRACE, 1);
    zf_log(ZF_LOG_TRACE, "http", "< {\"access_token\":\"abcdefghijklmnop\",\"n\":\"a\tb\"}");
    assert_int_equal(c.n, 1);
    json_error_t e;
    json_t *j = json_loads(c.line[0], 0, &e);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "level")), "trace");
    assert_string_equal(json_string_value(json_object_get(j, "module")), "http");
    assert_non_null(json_string_value(json_object_get(j, "ts")));
    assert_string_equal(json_string_value(json_object_get(j, "msg")),
                        "< {\"access_token\":\"[redacted]\",\"n\":\"a\tb\"}");
    json_decref(j);
    zf_log_configure(NULL, NULL, ZF_LOG_WARN, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_redact_headers),
        cmocka_unit_test(test_log_redact_query_and_form),
        cmocka_unit_test(test_log_redact_json),
        cmocka_unit_test(test_log_redact_never_grows),
        cmocka_unit_test(test_log_secret_wipe_and_compare),
        cmocka_unit_test(test_log_secret_free_wipes),
        cmocka_unit_test(test_log_secret_set_embedded_nul),
        cmocka_unit_test(test_log_levels_and_text_lines),
        cmocka_unit_test(test_log_json_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
