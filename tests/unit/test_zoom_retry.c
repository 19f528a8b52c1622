/* The retry policy and error mapping of the zoom client, as pure functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "zoom_internal.h"

#define NOW 1764374400 /* 2025-11-29T00:00:00Z */

static void test_retry_after_forms(void **state)
{
    int64_t at;
    assert_int_equal(zf_zoom__parse_retry_after("120", NOW, &at), 0);
    assert_int_equal(at, NOW + 120);
    assert_int_equal(zf_zoom__parse_retry_after("  0 ", NOW, &at), 0);
    assert_int_equal(at, NOW);
    assert_int_equal(zf_zoom__parse_retry_after("2020-05-31T00:00:00Z", NOW, &at), 0);
    assert_int_equal(at, 1590883200);
    assert_int_equal(zf_zoom__parse_retry_after("2020-05-31T02:00:00+02:00", NOW, &at), 0);
    assert_int_equal(at, 1590883200);
    assert_int_equal(zf_zoom__parse_retry_after("2020-05-30T19:00:00-0500", NOW, &at), 0);
    assert_int_equal(at, 1590883200);
    assert_int_equal(zf_zoom__parse_retry_after("2020-05-31T00:00:00.123Z", NOW, &at), 0);
    assert_int_equal(at, 1590883200);
    assert_int_equal(zf_zoom__parse_retry_after("2020-05-31 00:00", NOW, &at), 0);
    assert_int_equal(at, 1590883200);
    assert_int_equal(zf_zoom__parse_retry_after("2024-02-29T12:00:00Z", NOW, &at), 0);
    assert_int_equal(at, 1709208000);
    assert_int_equal(zf_zoom__parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", NOW, &at), 0);
    assert_int_equal(at, 784111777);
}

static void test_retry_after_garbage(void **state)
{
    const char *bad[] = {"",
                         "  ",
                         "soon",
                         "-5",
                         "1.5",
                         "12345678901",
                         "2020-13-01T00:00:00Z",
                         "2020-02-30T00:00:00Z",
                         "2020-05-31T25:00:00Z",
                         "2020-05-31",
                         "2020-05-31T00:00:00+2",
                         "2020-05-31T00:00:00Zjunk",
                         "Sun, 06 Nov 1994 08:49:37 PST",
                         "Xyz, 06 Nov 1994 08:49:37 GMT",
                         "Sun, 06 Foo 1994 08:49:37 GMT",
                         "1969-12-31T23:59:59Z",
                         "2020-05-31T00:00:00.Z",
                         NULL};
    for (int i = 0; bad[i]; i++) {
        int64_t at = 42;
        if (zf_zoom__parse_retry_after(bad[i], NOW, &at) == 0)
            fail_msg("'%s' parsed as %lld", bad[i], (long long)at);
        /* a malformed header is Zoom's malformed answer, not a caller's mistake */
        assert_int_equal(zf_zoom__parse_retry_after(bad[i], NOW, &at), ZF_EPARSE);
        assert_int_equal(at, 42);
    }
    int64_t at;
    assert_int_equal(zf_zoom__parse_retry_after(NULL, NOW, &at), ZF_EINVAL);
}

static void test_backoff_bounds(void **state)
{
    zf_zoom_retry p = {5, 500, 8000, 60000};
    assert_int_equal(zf_zoom__backoff_ms(&p, 0, 0), 0);
    assert_int_equal(zf_zoom__backoff_ms(&p, 0, 500), 500);
    assert_int_equal(zf_zoom__backoff_ms(&p, 0, 501), 0);
    assert_int_equal(zf_zoom__backoff_ms(&p, 2, 2000), 2000); /* ceiling 2000 */
    assert_int_equal(zf_zoom__backoff_ms(&p, 2, 2001), 0);
    assert_int_equal(zf_zoom__backoff_ms(&p, 10, UINT64_MAX), (int64_t)(UINT64_MAX % 8001));
    assert_int_equal(zf_zoom__backoff_ms(&p, 62, 8000), 8000);
    for (uint64_t r = 0; r < 20000; r += 7)
        for (int n = 0; n < 70; n += 3) {
            int64_t v = zf_zoom__backoff_ms(&p, n, r * 2654435761u);
            assert_true(v >= 0 && v <= 8000);
            assert_true(v <= (n < 5 ? (500 << n) : 8000));
        }
}

static void test_next_midnight(void **state)
{
    assert_int_equal(zf_zoom__next_utc_midnight(NOW), NOW + 86400);
    assert_int_equal(zf_zoom__next_utc_midnight(NOW + 1), NOW + 86400);
    assert_int_equal(zf_zoom__next_utc_midnight(NOW - 1), NOW);
}

static void test_header_lookup(void **state)
{
    char v[32];
    const char *h = "HTTP/1.1 429 x\r\nx-ratelimit-type:  Daily-limit \r\nRetry-After: 5\r\n";
    assert_string_equal(zf_zoom__header(h, "X-RateLimit-Type", v, sizeof v), "Daily-limit");
    assert_string_equal(zf_zoom__header(h, "retry-after", v, sizeof v), "5");
    assert_null(zf_zoom__header(h, "Retry", v, sizeof v));
    assert_null(zf_zoom__header("", "Retry-After", v, sizeof v));
    assert_string_equal(zf_zoom__header("A: 123456", "A", v, 4), "123");
}

/* --- decide */

static const zf_zoom_retry POLICY = {4, 1000, 8000, 30000};

typedef struct dcase {
    zf_zoom_kind kind;
    int transport_err, sent;
    long status;
    const char *headers, *body;
    int body_bad, attempt, rejected;
    int64_t elapsed_ms;
    zf_zoom_action want;
    int want_code;      /* on FAIL */
    int64_t want_delay; /* on RETRY, -1 = any backoff */
} dcase;

#define B429_QPS                                                                                   \
    "{\"code\":429,\"message\":\"You have reached the maximum per-second rate "                    \
    "limit for this API. Try again later.\"}"
#define B429_HOST                                                                                  \
    "{\"code\":429,\"message\":\"You have exceeded the daily rate limit (100) "                    \
    "of Meeting Create/Update API requests permitted for this particular user. "                   \
    "You may resume these requests at GMT 00:00:00.\"}"
#define B124 "{\"code\":124,\"message\":\"Access token is expired.\"}"
#define B500 "{\"code\":500,\"message\":\"Internal error\"}"

static const dcase DCASES[] = {
    /* success */
    {ZF_ZOOM_READ, 0, 1, 200, "", "{}", 0, 1, 0, 0, ZF_ZOOM_DONE, 0, 0},
    {ZF_ZOOM_CREATE, 0, 1, 201, "", "{}", 0, 1, 0, 0, ZF_ZOOM_DONE, 0, 0},
    {ZF_ZOOM_WRITE, 0, 1, 204, "", "", 0, 1, 0, 0, ZF_ZOOM_DONE, 0, 0},
    /* transport errors */
    {ZF_ZOOM_READ, ZF_ENET, 0, 0, "", "", 0, 1, 0, 0, ZF_ZOOM_RETRY, 0, -1},
    {ZF_ZOOM_READ, ZF_ETIMEOUT, 1, 0, "", "", 0, 1, 0, 0, ZF_ZOOM_RETRY, 0, -1},
    {ZF_ZOOM_WRITE, ZF_ENET, 1, 0, "", "", 0, 1, 0, 0, ZF_ZOOM_RETRY, 0, -1},
    {ZF_ZOOM_CREATE, ZF_ENET, 0, 0, "", "", 0, 1, 0, 0, ZF_ZOOM_RETRY, 0, -1},
    {ZF_ZOOM_CREATE, ZF_ETIMEOUT, 1, 0, "", "", 0, 1, 0, 0, ZF_ZOOM_FAIL, ZF_EAMBIGUOUS, 0},
    {ZF_ZOOM_CREATE, ZF_ENET, 1, 0, "", "", 0, 1, 0, 0, ZF_ZOOM_FAIL, ZF_EAMBIGUOUS, 0},
    {ZF_ZOOM_READ, ZF_ETLS, 0, 0, "", "", 0, 1, 0, 0, ZF_ZOOM_FAIL, ZF_ETLS, 0},
    {ZF_ZOOM_READ, ZF_ETOOBIG, 1, 0, "", "", 0, 1, 0, 0, ZF_ZOOM_FAIL, ZF_ETOOBIG, 0},
    {ZF_ZOOM_READ, ZF_ENET, 0, 0, "", "", 0, 4, 0, 0, ZF_ZOOM_FAIL, ZF_ENET, 0},
    /* 5xx */
    {ZF_ZOOM_READ, 0, 1, 503, "", B500, 0, 1, 0, 0, ZF_ZOOM_RETRY, 0, -1},
    {ZF_ZOOM_WRITE, 0, 1, 502, "", "<html>bad gateway</html>", 0, 2, 0, 0, ZF_ZOOM_RETRY, 0, -1},
    {ZF_ZOOM_READ, 0, 1, 503, "Retry-After: 2\r\n", B500, 0, 1, 0, 0, ZF_ZOOM_RETRY, 0, 2000},
    {ZF_ZOOM_CREATE, 0, 1, 500, "", B500, 0, 1, 0, 0, ZF_ZOOM_FAIL, ZF_EAMBIGUOUS, 0},
    {ZF_ZOOM_READ, 0, 1, 503, "", B500, 0, 4, 0, 0, ZF_ZOOM_FAIL, ZF_ESERVER, 0},
    /* malformed 2xx */
    {ZF_ZOOM_READ, 0, 1, 200, "", "{\"a\":", 1, 1, 0, 0, ZF_ZOOM_RETRY, 0, -1},
    {ZF_ZOOM_CREATE, 0, 1, 201, "", "{\"id\":", 1, 1, 0, 0, ZF_ZOOM_FAIL, ZF_EAMBIGUOUS, 0},
    {ZF_ZOOM_READ, 0, 1, 200, "", "{\"a\":", 1, 4, 0, 0, ZF_ZOOM_FAIL, ZF_EPARSE, 0},
    /* 429 per-second: every kind retries, Retry-After wins */
    {ZF_ZOOM_CREATE, 0, 1, 429, "X-RateLimit-Type: QPS\r\n", B429_QPS, 0, 1, 0, 0, ZF_ZOOM_RETRY, 0,
     -1},
    {ZF_ZOOM_READ, 0, 1, 429, "Retry-After: 3\r\n", B429_QPS, 0, 1, 0, 0, ZF_ZOOM_RETRY, 0, 3000},
    {ZF_ZOOM_READ, 0, 1, 429, "Retry-After: 2025-11-29T00:00:02Z\r\n", B429_QPS, 0, 1, 0, 0,
     ZF_ZOOM_RETRY, 0, 2000},
    {ZF_ZOOM_READ, 0, 1, 429, "Retry-After: Sat, 29 Nov 2025 00:00:05 GMT\r\n", B429_QPS, 0, 1, 0,
     0, ZF_ZOOM_RETRY, 0, 5000},
    {ZF_ZOOM_READ, 0, 1, 429, "Retry-After: 2025-11-28T00:00:00Z\r\n", B429_QPS, 0, 1, 0, 0,
     ZF_ZOOM_RETRY, 0, 0},
    {ZF_ZOOM_READ, 0, 1, 429, "Retry-After: 40\r\n", B429_QPS, 0, 1, 0, 0, ZF_ZOOM_FAIL,
     ZF_ERATELIMIT, 0},
    {ZF_ZOOM_READ, 0, 1, 429, "Retry-After: 5\r\n", B429_QPS, 0, 2, 0, 26000, ZF_ZOOM_FAIL,
     ZF_ERATELIMIT, 0},
    /* daily limits fail fast, any kind */
    {ZF_ZOOM_READ, 0, 1, 429, "X-RateLimit-Type: Daily-limit\r\n", "{}", 0, 1, 0, 0, ZF_ZOOM_FAIL,
     ZF_EDAILYLIMIT, 0},
    {ZF_ZOOM_CREATE, 0, 1, 429, "X-RateLimit-Category: Light\r\n", B429_HOST, 0, 1, 0, 0,
     ZF_ZOOM_FAIL, ZF_EDAILYLIMIT, 0},
    /* 124: one reject+retry for every kind, then EREAUTH */
    {ZF_ZOOM_READ, 0, 1, 401, "", B124, 0, 1, 0, 0, ZF_ZOOM_REAUTH, 0, 0},
    {ZF_ZOOM_CREATE, 0, 1, 401, "", B124, 0, 1, 0, 0, ZF_ZOOM_REAUTH, 0, 0},
    {ZF_ZOOM_WRITE, 0, 1, 400, "", B124, 0, 4, 0, 0, ZF_ZOOM_REAUTH, 0, 0},
    {ZF_ZOOM_READ, 0, 1, 401, "", B124, 0, 2, 1, 0, ZF_ZOOM_FAIL, ZF_EREAUTH, 0},
    /* other 4xx: no retry */
    {ZF_ZOOM_READ, 0, 1, 404, "", "{\"code\":1001,\"message\":\"User does not exist: x.\"}", 0, 1,
     0, 0, ZF_ZOOM_FAIL, ZF_ENOTFOUND, 0},
    {ZF_ZOOM_CREATE, 0, 1, 409, "", "{\"code\":1005,\"message\":\"Email has been used\"}", 0, 1, 0,
     0, ZF_ZOOM_FAIL, ZF_ECONFLICT, 0},
    {ZF_ZOOM_READ, 0, 1, 401, "", "{\"code\":4711,\"message\":\"x\"}", 0, 1, 0, 0, ZF_ZOOM_FAIL,
     ZF_ESCOPE, 0},
};

static void test_decide_table(void **state)
{
    for (size_t i = 0; i < sizeof DCASES / sizeof DCASES[0]; i++) {
        const dcase *c = &DCASES[i];
        zf_zoom_outcome o = {c->transport_err, "connection reset", c->sent,
                             c->status,        c->headers,         c->body,
                             strlen(c->body),  c->body_bad};
        zf_zoom_attempt a = {c->attempt, c->elapsed_ms, NOW, 12345, c->rejected};
        zf_zoom_decision d;
        zf_error err = ZF_ERROR_INIT;
        zf_zoom__decide(&POLICY, c->kind, &o, &a, &d, &err);
        if (d.action != c->want)
            fail_msg("case %zu: action %d, want %d (%s)", i, d.action, c->want, err.message);
        if (c->want == ZF_ZOOM_FAIL && err.code != c->want_code)
            fail_msg("case %zu: code %s, want %s (%s)", i, zf_code_name(err.code),
                     zf_code_name(c->want_code), err.message);
        if (c->want == ZF_ZOOM_FAIL && !err.message[0])
            fail_msg("case %zu: no message", i);
        if (c->want == ZF_ZOOM_RETRY && c->want_delay >= 0 && d.delay_ms != c->want_delay)
            fail_msg("case %zu: delay %lld, want %lld", i, (long long)d.delay_ms,
                     (long long)c->want_delay);
        if (c->want == ZF_ZOOM_RETRY && c->want_delay < 0 &&
            (d.delay_ms < 0 || d.delay_ms > POLICY.max_backoff_ms))
            fail_msg("case %zu: backoff %lld out of bounds", i, (long long)d.delay_ms);
        if (c->status == 429 && c->want == ZF_ZOOM_RETRY)
            assert_true(d.qps_limited);
    }
}

static void decide1(zf_zoom_kind kind, long status, const char *headers, const char *body,
                    int attempt, zf_zoom_decision *d, zf_error *err)
{
    zf_zoom_outcome o = {0, NULL, 1, status, headers, body, strlen(body), 0};
    zf_zoom_attempt a = {attempt, 1500, NOW, 0, 0};
    zf_zoom__decide(&POLICY, kind, &o, &a, d, err);
}

static void test_decide_gave_up_message(void **state)
{
    zf_zoom_decision d;
    zf_error err = ZF_ERROR_INIT;
    decide1(ZF_ZOOM_READ, 503, "", B500, 4, &d, &err);
    assert_int_equal(err.code, ZF_ESERVER);
    assert_int_equal(err.http_status, 503);
    assert_non_null(strstr(err.message, "gave up after 4 attempts"));
    assert_non_null(strstr(err.message, "HTTP 503"));
    assert_non_null(strstr(err.message, "Zoom: Internal error"));
    assert_string_equal(err.hint, "Zoom is having trouble (HTTP 503). Check "
                                  "https://status.zoom.us and retry; it was retried 3 times.");
    assert_int_equal(err.hint_id, ZF_HINT_RETRY_LATER); /* kept through the restated message */
    zf_error e2 = ZF_ERROR_INIT;
    decide1(ZF_ZOOM_READ, 429, "Retry-After: 60\r\n", B429_QPS, 1, &d, &e2);
    assert_int_equal(e2.code, ZF_ERATELIMIT);
    assert_non_null(strstr(e2.message, "time budget"));
    assert_int_equal(e2.retry_after, 60);
}

static void test_decide_ambiguous_detail(void **state)
{
    zf_zoom_decision d;
    zf_error err = ZF_ERROR_INIT;
    decide1(ZF_ZOOM_CREATE, 504, "", "{\"code\":504,\"message\":\"Gateway Timeout\"}", 1, &d, &err);
    assert_int_equal(d.action, ZF_ZOOM_FAIL);
    assert_int_equal(err.code, ZF_EAMBIGUOUS);
    assert_int_equal(err.http_status, 504);
    assert_int_equal(err.zoom_code, 504);
    assert_non_null(strstr(err.message, "HTTP 504"));
    assert_non_null(strstr(err.hint, "created twice"));
}

static void test_decide_daily_reset(void **state)
{
    zf_zoom_decision d;
    zf_error err = ZF_ERROR_INIT;
    decide1(ZF_ZOOM_CREATE, 429,
            "X-RateLimit-Type: Daily-limit\r\n"
            "Retry-After: 2025-11-30T00:00:00Z\r\n",
            "{\"code\":429,\"message\":\"You have "
            "reached the maximum daily rate limit for this API.\"}",
            1, &d, &err);
    assert_int_equal(err.code, ZF_EDAILYLIMIT);
    assert_int_equal(err.reset_at, NOW + 86400);
    assert_int_equal(err.retry_after, 86400);
    assert_non_null(strstr(err.message, "2025-11-30 00:00:00 UTC"));
    assert_non_null(strstr(err.message, "local time"));
    /* no Retry-After: next 00:00 UTC; per-host message named */
    zf_error e2 = ZF_ERROR_INIT;
    zf_zoom_outcome o = {0, NULL, 1, 429, "", B429_HOST, strlen(B429_HOST), 0};
    zf_zoom_attempt a = {1, 0, NOW + 3600, 0, 0};
    zf_zoom__decide(&POLICY, ZF_ZOOM_CREATE, &o, &a, &d, &e2);
    assert_int_equal(e2.code, ZF_EDAILYLIMIT);
    assert_int_equal(e2.reset_at, NOW + 86400);
    assert_non_null(strstr(e2.message, "100 meeting creates/updates for this host"));
    assert_non_null(strstr(e2.message, "2025-11-30 00:00:00 UTC"));
}

/* --- error mapping */

typedef struct mcase {
    long status;
    const char *body;
    int code;
    const char *msg_has;
    const char *hint_has;
} mcase;

static const mcase MCASES[] = {
    {400,
     "{\"code\":4711,\"message\":\"Invalid access token, does not contain scopes:"
     "[user:read:list_users:admin].\"}",
     ZF_ESCOPE, "Zoom: Invalid access token",
     "lacks the scope user:read:list_users:admin: re-authorize the app with that scope "
     "added (Zoom Marketplace > your app > Scopes), then reconnect"},
    {400,
     "{\"code\":4711,\"message\":\"does not contain scopes:[contact:read:list_contacts, "
     "contact:read:list_contacts:admin]\"}",
     ZF_ESCOPE, "Zoom:", "contact:read:list_contacts, contact:read:list_contacts:admin"},
    {401, "{\"code\":4700,\"message\":\"Invalid access token, does not contain scopes.\"}",
     ZF_ESCOPE, "Zoom:", "Zoom Marketplace > your app > Scopes"},
    {401, B124, ZF_EREAUTH, "Zoom: Access token is expired.", "reconnect the Zoom connection"},
    {503, B500, ZF_ESERVER, "Zoom: Internal error", "https://status.zoom.us"},
    {502, "<html>Bad gateway</html>", ZF_ESERVER, "HTTP 502", "HTTP 502"},
    {404, "{\"code\":1001,\"message\":\"User does not exist: a@b.c.\"}", ZF_ENOTFOUND,
     "Zoom: User does not exist: a@b.c.", "list the account's users"},
    {404, "{\"code\":3001,\"message\":\"Meeting does not exist: 1.\"}", ZF_ENOTFOUND,
     "Meeting does not exist", "meeting id"},
    {404, "{\"code\":3301,\"message\":\"There is no recording for this meeting.\"}", ZF_ENOTFOUND,
     "no recording", "cloud recording"},
    {404, "{\"code\":2300,\"message\":\"This API endpoint is not recognized.\"}", ZF_ENOTFOUND,
     "not recognized", "developers.zoom.us"},
    {409, "{\"code\":1005,\"message\":\"User already in the account: a@b.c\"}", ZF_ECONFLICT,
     "Zoom: User already", "already exists"},
    {400,
     "{\"code\":300,\"message\":\"Validation Failed.\",\"errors\":[{\"field\":"
     "\"user_info.email\",\"message\":\"Invalid field.\"},{\"field\":\"type\","
     "\"message\":\"Must be 1, 2 or 4\"}]}",
     ZF_EVALIDATION,
     "Zoom: Validation Failed. (user_info.email: Invalid field.; type: Must be 1, 2 or 4)",
     "fields"},
    {429, B429_QPS, ZF_ERATELIMIT, "per-second", "rate limit"},
    {403, "{\"code\":200,\"message\":\"No permission.\"}", ZF_EZOOM, "No permission", "scopes"},
    {401, "{\"code\":1,\"message\":\"Bad\"}", ZF_EAUTH, "Zoom: Bad", "connection's status"},
    {400, "{\"code\":3161,\"message\":\"Not allowed\"}", ZF_EZOOM, "Not allowed", "rejected"},
    {400, "not json at all, access_token=abc123secret", ZF_EPARSE, "first bytes", NULL},
    {404, "", ZF_EPARSE, "not a Zoom error", "API base"},
    {302, "{\"code\":1,\"message\":\"moved\"}", ZF_EHTTP, "moved", "unexpected HTTP 302"},
};

static void test_map_table(void **state)
{
    for (size_t i = 0; i < sizeof MCASES / sizeof MCASES[0]; i++) {
        const mcase *c = &MCASES[i];
        zf_error err = ZF_ERROR_INIT;
        int rc = zf_zoom__map_error(c->status, "", c->body, strlen(c->body), 4, NOW, &err);
        if (rc != c->code || err.code != c->code)
            fail_msg("case %zu: %s, want %s (%s)", i, zf_code_name(rc), zf_code_name(c->code),
                     err.message);
        assert_int_equal(err.http_status, c->status);
        if (!strstr(err.message, c->msg_has))
            fail_msg("case %zu: message '%s' lacks '%s'", i, err.message, c->msg_has);
        if (c->hint_has && !strstr(err.hint, c->hint_has))
            fail_msg("case %zu: hint '%s' lacks '%s'", i, err.hint, c->hint_has);
    }
}

static void test_map_parse_redacts(void **state)
{
    const char *body = "oops access_token=abc123secret\x01 and more";
    zf_error err = ZF_ERROR_INIT;
    zf_zoom__map_error(400, "", body, strlen(body), 1, NOW, &err);
    assert_int_equal(err.code, ZF_EPARSE);
    assert_null(strstr(err.message, "abc123secret"));
    assert_non_null(strstr(err.message, ZF_REDACTED));
    assert_null(strchr(err.message, '\x01'));
}

static void test_map_zoom_code_and_hostile_strings(void **state)
{
    zf_error err = ZF_ERROR_INIT;
    const char *b = "{\"code\":3001,\"message\":\"line1\\nline2\\u0007x\"}";
    zf_zoom__map_error(404, "", b, strlen(b), 1, NOW, &err);
    assert_int_equal(err.zoom_code, 3001);
    assert_null(strchr(err.message, '\n'));
    assert_null(strchr(err.message, '\a'));
    char *big = malloc(ZF_ZOOM_ERRBODY_MAX + 10);
    memset(big, ' ', ZF_ZOOM_ERRBODY_MAX + 9);
    big[0] = '{';
    memcpy(big + ZF_ZOOM_ERRBODY_MAX + 7, "}", 2);
    zf_error e2 = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom__map_error(400, "", big, strlen(big), 1, NOW, &e2), ZF_EPARSE);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_after_forms),
        cmocka_unit_test(test_retry_after_garbage),
        cmocka_unit_test(test_backoff_bounds),
        cmocka_unit_test(test_next_midnight),
        cmocka_unit_test(test_header_lookup),
        cmocka_unit_test(test_decide_table),
        cmocka_unit_test(test_decide_gave_up_message),
        cmocka_unit_test(test_decide_ambiguous_detail),
        cmocka_unit_test(test_decide_daily_reset),
        cmocka_unit_test(test_map_table),
        cmocka_unit_test(test_map_parse_redacts),
        cmocka_unit_test(test_map_zoom_code_and_hostile_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
