/*
 * The service's JSON log lines (src/server/log.c): one object per line on
 * stderr, every level named, the request's id, route and actor when there
 * is one (the thread's current request for library lines), secrets
 * redacted, text that is not UTF-8 replaced rather than dropped or escaped
 * byte by byte, the query never logged, and lines below the level skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core.h"
#include "zoomflow/log.h"

/* ---- stderr captured into a file, read back as JSON lines ------------- */

static int saved_fd = -1;
static FILE *cap;

static void capture(void)
{
    fflush(stderr);
    cap = tmpfile();
    assert_non_null(cap);
    saved_fd = dup(2);
    assert_true(saved_fd >= 0);
    assert_true(dup2(fileno(cap), 2) >= 0);
}

/* The captured lines as a JSON array (each line must parse alone). */
static json_t *captured(void)
{
    fflush(stderr);
    assert_true(dup2(saved_fd, 2) >= 0);
    close(saved_fd);
    rewind(cap);
    json_t *arr = json_array();
    char line[8192];
    while (fgets(line, sizeof line, cap)) {
        size_t n = strlen(line);
        assert_true(n > 0 && line[n - 1] == '\n'); /* whole lines only */
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        if (!o)
            fail_msg("not a JSON line: %s (%s)", line, e.text);
        json_array_append_new(arr, o);
    }
    fclose(cap);
    return arr;
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const srv_route route = {.method = "GET", .pattern = "/api/v1/keys/{id}"};

static srv_principal *principal(void)
{
    static srv_principal who;
    memset(&who, 0, sizeof who);
    snprintf(who.actor, sizeof who.actor, "account:ann@example.com");
    snprintf(who.org, sizeof who.org, "acme");
    return &who;
}

static void test_every_level_and_the_request(void **state)
{
    zf_log_configure(NULL, NULL, ZF_LOG_TRACE, 0);
    srv_req req = {.method = "GET",
                   .path = "/api/v1/keys/7",
                   .request_id = "rid-1",
                   .route = &route,
                   .who = principal()};
    capture();
    srv_log(&req, ZF_LOG_ERROR, "e1", "boom %d", 1);
    srv_log(&req, ZF_LOG_WARN, "e2", "careful");
    srv_log(NULL, ZF_LOG_INFO, "e3", "no request");
    srv_log(NULL, ZF_LOG_DEBUG, "e4", "detail");
    srv_log(NULL, ZF_LOG_TRACE, "e5", "more detail");
    json_t *lines = captured();
    assert_int_equal(json_array_size(lines), 5);
    const char *want[] = {"error", "warn", "info", "debug", "trace"};
    for (size_t i = 0; i < 5; i++) {
        json_t *o = json_array_get(lines, i);
        assert_string_equal(str(o, "level"), want[i]);
        assert_non_null(str(o, "ts"));
        assert_int_equal(strlen(str(o, "ts")), strlen("2026-01-01T00:00:00.000Z"));
    }
    json_t *o = json_array_get(lines, 0);
    assert_string_equal(str(o, "event"), "e1");
    assert_string_equal(str(o, "msg"), "boom 1");
    assert_string_equal(str(o, "request_id"), "rid-1");
    assert_string_equal(str(o, "route"), "/api/v1/keys/{id}");
    assert_string_equal(str(o, "actor"), "account:ann@example.com");
    assert_string_equal(str(o, "org"), "acme");
    /* without a request (and none current): no request fields at all */
    o = json_array_get(lines, 2);
    assert_null(json_object_get(o, "request_id"));
    assert_null(json_object_get(o, "route"));
    json_decref(lines);
}

static void test_below_the_level_skipped_and_secrets_redacted(void **state)
{
    zf_log_configure(NULL, NULL, ZF_LOG_WARN, 0);
    capture();
    srv_log(NULL, ZF_LOG_INFO, "quiet", "not shown");
    srv_log(NULL, ZF_LOG_ERROR, "loud", "Authorization: Bearer abc.def.ghi refresh_token=r123");
    /* bytes that are not UTF-8 in a field: replaced, the line still parses */
    srv_req req = {.request_id = "rid-\xff", .route = NULL, .who = NULL};
    srv_log(&req, ZF_LOG_ERROR, "odd", "%s", "caf\xe9");
    /* an empty field is left out */
    srv_log(NULL, ZF_LOG_ERROR, "", "%s", "");
    json_t *lines = captured();
    assert_int_equal(json_array_size(lines), 3);
    const char *msg = str(json_array_get(lines, 0), "msg");
    assert_null(strstr(msg, "abc.def.ghi"));
    assert_null(strstr(msg, "r123"));
    assert_non_null(strstr(msg, ZF_REDACTED));
    json_t *o = json_array_get(lines, 1);
    assert_string_equal(str(o, "request_id"), "(not UTF-8)");
    assert_string_equal(str(o, "msg"), "(not UTF-8)");
    o = json_array_get(lines, 2);
    assert_null(json_object_get(o, "event"));
    assert_null(json_object_get(o, "msg"));
    assert_string_equal(str(o, "level"), "error");
    json_decref(lines);
}

static void test_library_lines_carry_the_current_request(void **state)
{
    srv_log_setup(); /* zf_log lines at INFO and above go through the service's sink */
    srv_req req = {.request_id = "rid-lib", .route = &route, .who = principal()};
    capture();
    srv_log_set_current(&req);
    zf_log(ZF_LOG_WARN, "tokens", "refresh took %d s", 3);
    srv_log(NULL, ZF_LOG_ERROR, "ev", "from the current request");
    srv_log_set_current(NULL);
    zf_log(ZF_LOG_ERROR, "store", "no request now");
    zf_log(ZF_LOG_DEBUG, "store", "below INFO: skipped");
    json_t *lines = captured();
    assert_int_equal(json_array_size(lines), 3);
    json_t *o = json_array_get(lines, 0);
    assert_string_equal(str(o, "event"), "lib");
    assert_string_equal(str(o, "level"), "warn");
    assert_string_equal(str(o, "request_id"), "rid-lib");
    assert_string_equal(str(o, "actor"), "account:ann@example.com");
    assert_non_null(strstr(str(o, "msg"), "refresh took 3 s"));
    assert_string_equal(str(json_array_get(lines, 1), "request_id"), "rid-lib");
    o = json_array_get(lines, 2);
    assert_string_equal(str(o, "level"), "error");
    assert_null(json_object_get(o, "request_id"));
    json_decref(lines);
    zf_log_configure(NULL, NULL, ZF_LOG_WARN, 0);
}

static void test_access_line(void **state)
{
    srv_req req = {.method = "POST",
                   .path = "/api/v1/oauth/callback?code=s3cret",
                   .request_id = "rid-a",
                   .client = "127.0.0.1",
                   .who = principal()};
    srv_resp ok = {.status = 201};
    srv_resp bad = {.status = 503};
    snprintf(bad.err_code, sizeof bad.err_code, "ZF_ESTORE");
    srv_req anon = {.method = "GET", .path = NULL, .request_id = "rid-b"};
    capture();
    srv_log_access(&req, &ok, "/api/v1/oauth/callback", 0.0123456);
    srv_log_access(&anon, &bad, NULL, 2.5);
    json_t *lines = captured();
    assert_int_equal(json_array_size(lines), 2);
    json_t *o = json_array_get(lines, 0);
    assert_string_equal(str(o, "event"), "http");
    assert_string_equal(str(o, "level"), "info");
    assert_string_equal(str(o, "method"), "POST");
    assert_string_equal(str(o, "route"), "/api/v1/oauth/callback");
    assert_null(strstr(str(o, "path"), "s3cret")); /* redacted even in a path */
    assert_int_equal(json_integer_value(json_object_get(o, "status")), 201);
    assert_true(json_real_value(json_object_get(o, "ms")) > 12.0 &&
                json_real_value(json_object_get(o, "ms")) < 12.5);
    assert_string_equal(str(o, "client"), "127.0.0.1");
    assert_string_equal(str(o, "org"), "acme");
    assert_null(json_object_get(o, "error"));
    o = json_array_get(lines, 1);
    assert_string_equal(str(o, "level"), "error"); /* 5xx */
    assert_string_equal(str(o, "error"), "ZF_ESTORE");
    assert_null(json_object_get(o, "path")); /* none: left out, not "" */
    assert_null(json_object_get(o, "route"));
    assert_null(json_object_get(o, "actor"));
    json_decref(lines);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_level_and_the_request),
        cmocka_unit_test(test_below_the_level_skipped_and_secrets_redacted),
        cmocka_unit_test(test_library_lines_carry_the_current_request),
        cmocka_unit_test(test_access_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
