/*
 * The webhook checks (zoomflow/webhook.h), pure: signatures against
 * vectors computed here with OpenSSL's HMAC() (not the library's code),
 * one published vector, every way a header can be wrong, the window's
 * edges, the url_validation answer, the envelope's malformed parts and the
 * dedupe id's promises (same on a resend, different between two events).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/webhook.h"

#define SECRET "wh-secret-token-1"
#define NOW 1785368934

static zf_secret secret;

static int setup(void **state)
{
    (void)state;
    return zf_secret_set(&secret, SECRET, strlen(SECRET));
}

static int teardown(void **state)
{
    (void)state;
    zf_secret_free(&secret);
    return 0;
}

/* "v0=" + hex(HMAC-SHA256(key, "v0:" ts ":" body)), by OpenSSL directly. */
static void expect_sig(const char *key, const char *ts, const char *body, size_t len, char out[68])
{
    size_t n = 3 + strlen(ts) + 1 + len;
    unsigned char *msg = malloc(n + 1), mac[32];
    unsigned int maclen = 0;
    snprintf((char *)msg, n + 1, "v0:%s:", ts);
    memcpy(msg + 4 + strlen(ts), body, len);
    HMAC(EVP_sha256(), key, (int)strlen(key), msg, n, mac, &maclen);
    free(msg);
    memcpy(out, "v0=", 3);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 3 + 2 * i, 3, "%02x", mac[i]);
}

static int verify(const char *sig, const char *ts, const char *body, size_t len, int64_t now,
                  zf_webhook_refusal *why, zf_error *err)
{
    zf_webhook_request rq = {sig, ts, NULL, NULL, body, len};
    return zf_webhook_verify(&rq, &secret, now, why, err);
}

static const char BODY[] = "{\"event\":\"meeting.created\",\"event_ts\":1785368934000,"
                           "\"payload\":{\"account_id\":\"acc1\",\"object\":{\"id\":85746065,"
                           "\"topic\":\"Day 1\"}}}";

static void test_webhook_signature_vector_accepted(void **state)
{
    (void)state;
    char want[68], got[68];
    expect_sig(SECRET, "1785368934", BODY, strlen(BODY), want);
    zf_webhook_sign(&secret, "1785368934", BODY, strlen(BODY), got);
    assert_string_equal(got, want);
    zf_webhook_refusal why = ZF_WEBHOOK_MALFORMED;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(verify(want, "1785368934", BODY, strlen(BODY), NOW, &why, &err), 0);
    assert_int_equal(why, ZF_WEBHOOK_OK);
}

/* A redacted real delivery signed by another project's fixture script
 * (brentcurtis76/fne-lms, __tests__/lib/zoom/fixtures/webhooks/
 * meeting-started.json): a vector this code never produced, UTF-8 inside. */
static void test_webhook_signature_published_vector(void **state)
{
    (void)state;
    static const char body[] =
        "{\"event\":\"meeting.started\",\"payload\":{\"account_id\":\"AcctSynthetic0001XXXXXX\","
        "\"object\":{\"duration\":30,\"start_time\":\"2026-07-29T23:55:56Z\",\"timezone\":"
        "\"America/Santiago\",\"topic\":\"PRUEBA SPIKE \xe2\x80\x94 no unirse\",\"id\":"
        "\"80000000001\",\"type\":2,\"uuid\":\"c3Bpa2V1dWlkMDAwMDAx==\",\"host_id\":"
        "\"UserSynthetic0001XXXXXXX\",\"host_email\":\"host1@example-synthetic.test\"}},"
        "\"event_ts\":1785369356750}";
    zf_secret k = ZF_SECRET_INIT;
    zf_secret_set(&k, "fixture-secret-token-not-a-real-secret", 38);
    zf_webhook_request rq = {"v0=411a041210f272c3945b94ae29fe25d62d10dd23a3b9d68b74303b07ad453c18",
                             "1785368934",
                             NULL,
                             NULL,
                             body,
                             strlen(body)};
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(strlen(body), 372);
    assert_int_equal(zf_webhook_verify(&rq, &k, 1785368934 + 200, NULL, &err), 0);
    zf_secret_free(&k);
}

static void expect_refused(const char *sig, const char *ts, const char *body, size_t len,
                           int64_t now, zf_webhook_refusal want, const char *words)
{
    zf_webhook_refusal why = ZF_WEBHOOK_OK;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(verify(sig, ts, body, len, now, &why, &err), ZF_EAUTH);
    assert_int_equal(why, want);
    if (!strstr(err.message, words))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, words);
    assert_int_not_equal(err.hint_id, ZF_HINT_NONE);
}

static void test_webhook_altered_body_refused(void **state)
{
    (void)state;
    char sig[68], body[sizeof BODY];
    expect_sig(SECRET, "1785368934", BODY, strlen(BODY), sig);
    for (size_t i = 0; i < strlen(BODY); i += 7) {
        memcpy(body, BODY, sizeof BODY);
        body[i] ^= 0x01;
        expect_refused(sig, "1785368934", body, strlen(body), NOW, ZF_WEBHOOK_SIGNATURE,
                       "does not match");
    }
    /* one byte more or less */
    expect_refused(sig, "1785368934", BODY, strlen(BODY) - 1, NOW, ZF_WEBHOOK_SIGNATURE,
                   "does not match");
    char longer[sizeof BODY + 1];
    snprintf(longer, sizeof longer, "%s ", BODY);
    expect_refused(sig, "1785368934", longer, strlen(longer), NOW, ZF_WEBHOOK_SIGNATURE,
                   "does not match");
}

static void test_webhook_altered_timestamp_refused(void **state)
{
    (void)state;
    char sig[68];
    expect_sig(SECRET, "1785368934", BODY, strlen(BODY), sig);
    expect_refused(sig, "1785368935", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE,
                   "does not match");
    /* the MAC covers the header's text, not its value */
    expect_sig(SECRET, "1785368934", BODY, strlen(BODY), sig);
    expect_refused(sig, "01785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_TIMESTAMP, "malformed");
}

static void test_webhook_wrong_secret_refused(void **state)
{
    (void)state;
    char sig[68];
    expect_sig("another-secret", "1785368934", BODY, strlen(BODY), sig);
    expect_refused(sig, "1785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE,
                   "secret token");
}

static void test_webhook_signature_shapes_refused(void **state)
{
    (void)state;
    char sig[68], bad[80];
    expect_sig(SECRET, "1785368934", BODY, strlen(BODY), sig);
    /* wrong prefix */
    snprintf(bad, sizeof bad, "v1=%s", sig + 3);
    expect_refused(bad, "1785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE, "malformed");
    snprintf(bad, sizeof bad, "%s", sig + 3); /* no prefix */
    expect_refused(bad, "1785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE, "malformed");
    /* uppercase hex: not what Zoom makes */
    snprintf(bad, sizeof bad, "%s", sig);
    for (char *p = bad + 3; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    assert_string_not_equal(bad, sig);
    expect_refused(bad, "1785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE, "malformed");
    /* truncated, extended, with a space */
    snprintf(bad, sizeof bad, "%.*s", 66, sig);
    expect_refused(bad, "1785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE, "malformed");
    snprintf(bad, sizeof bad, "%s0", sig);
    expect_refused(bad, "1785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE, "malformed");
    snprintf(bad, sizeof bad, " %s", sig);
    expect_refused(bad, "1785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE, "malformed");
    expect_refused("", "1785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE, "malformed");
    expect_refused("v0=", "1785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE, "malformed");
    expect_refused(NULL, "1785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE, "missing");
    /* an all-zero MAC of the right shape is compared, and fails */
    snprintf(bad, sizeof bad, "v0=%064d", 0);
    expect_refused(bad, "1785368934", BODY, strlen(BODY), NOW, ZF_WEBHOOK_SIGNATURE,
                   "does not match");
}

static void test_webhook_timestamp_shapes_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",           "-1785368934", "+1785368934",  " 1785368934",   "1785368934 ",
        "17853689x4", "0x6a8c",      "1785368934.5", "1234567890123", "00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char sig[68];
        expect_sig(SECRET, bad[i], BODY, strlen(BODY), sig);
        expect_refused(sig, bad[i], BODY, strlen(BODY), NOW, ZF_WEBHOOK_TIMESTAMP, "malformed");
    }
    char sig[68];
    expect_sig(SECRET, "1785368934", BODY, strlen(BODY), sig);
    expect_refused(sig, NULL, BODY, strlen(BODY), NOW, ZF_WEBHOOK_TIMESTAMP, "missing");
}

/* The window is +-300 s inclusive; a signed stale or future delivery is
 * refused naming the window, a forged one as a signature first. */
static void test_webhook_timestamp_window(void **state)
{
    (void)state;
    char sig[68];
    zf_error err = ZF_ERROR_INIT;
    expect_sig(SECRET, "1785368934", BODY, strlen(BODY), sig);
    assert_int_equal(verify(sig, "1785368934", BODY, strlen(BODY), NOW + 300, NULL, &err), 0);
    assert_int_equal(verify(sig, "1785368934", BODY, strlen(BODY), NOW - 300, NULL, &err), 0);
    expect_refused(sig, "1785368934", BODY, strlen(BODY), NOW + 301, ZF_WEBHOOK_TIMESTAMP,
                   "301 seconds behind");
    expect_refused(sig, "1785368934", BODY, strlen(BODY), NOW - 301, ZF_WEBHOOK_TIMESTAMP,
                   "301 seconds ahead");
    expect_refused(sig, "1785368934", BODY, strlen(BODY), NOW + 86400, ZF_WEBHOOK_TIMESTAMP,
                   "within 300 seconds (5 minutes)");
    expect_refused(sig, "1785368934", BODY, strlen(BODY), 0, ZF_WEBHOOK_TIMESTAMP, "ahead");
    /* a stale delivery with a forged signature is a signature refusal */
    char forged[68];
    expect_sig("x", "1785368934", BODY, strlen(BODY), forged);
    expect_refused(forged, "1785368934", BODY, strlen(BODY), NOW + 9999, ZF_WEBHOOK_SIGNATURE,
                   "does not match");
}

/* An empty body is signed like any other (verify passes) but is no
 * envelope. */
static void test_webhook_empty_body(void **state)
{
    (void)state;
    char sig[68];
    zf_error err = ZF_ERROR_INIT;
    expect_sig(SECRET, "1785368934", "", 0, sig);
    assert_int_equal(verify(sig, "1785368934", NULL, 0, NOW, NULL, &err), 0);
    assert_int_equal(verify(sig, "1785368934", "", 0, NOW, NULL, &err), 0);
    zf_webhook_event ev;
    assert_int_equal(zf_webhook_decode(&ev, "", 0, &err), ZF_EPARSE);
    assert_non_null(strstr(err.message, "empty"));
    assert_null(ev.name);
}

static void test_webhook_validation_answer(void **state)
{
    (void)state;
    json_t *a = NULL;
    zf_error err = ZF_ERROR_INIT;
    unsigned char mac[32];
    unsigned int n = 0;
    char hex[65];
    HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)"qgg8vlvZRS6UYooatFL8Aw",
         22, mac, &n);
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    assert_int_equal(zf_webhook_validation_answer(&a, &secret, "qgg8vlvZRS6UYooatFL8Aw", &err), 0);
    assert_string_equal(json_string_value(json_object_get(a, "plainToken")),
                        "qgg8vlvZRS6UYooatFL8Aw");
    assert_string_equal(json_string_value(json_object_get(a, "encryptedToken")), hex);
    assert_int_equal(json_object_size(a), 2);
    json_decref(a);
}

static void test_webhook_decode_event(void **state)
{
    (void)state;
    zf_webhook_event ev;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_webhook_decode(&ev, BODY, strlen(BODY), &err), 0);
    assert_string_equal(ev.name, "meeting.created");
    assert_true(ev.event_ts == 1785368934000LL);
    assert_string_equal(ev.account_id, "acc1");
    assert_int_equal(json_integer_value(json_object_get(ev.object, "id")), 85746065);
    assert_false(ev.is_validation);
    assert_null(ev.plain_token);
    assert_int_equal(strlen(ev.id), ZF_WEBHOOK_ID_LEN);
    assert_int_equal(strncmp(ev.id, "zb1-", 4), 0);
    zf_webhook_event_free(&ev);
    zf_webhook_event_free(&ev); /* zeroed: twice is fine */

    static const char v[] = "{\"event\":\"endpoint.url_validation\",\"payload\":{\"plainToken\":"
                            "\"abc_DEF-123\"},\"event_ts\":1654503849680}";
    assert_int_equal(zf_webhook_decode(&ev, v, strlen(v), &err), 0);
    assert_true(ev.is_validation);
    assert_string_equal(ev.plain_token, "abc_DEF-123");
    assert_null(ev.account_id);
    assert_null(ev.object);
    assert_string_equal(ev.id, "");
    zf_webhook_event_free(&ev);
}

/* Each malformed part is named. */
static void test_webhook_decode_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *body, *words;
    } cases[] = {
        {"[1]", "expected a JSON object"},
        {"\"x\"", "invalid JSON"},
        {"{", "invalid JSON"},
        {"{\"event_ts\":1,\"payload\":{}}", "event: missing"},
        {"{\"event\":5,\"event_ts\":1,\"payload\":{}}", "event: expected string"},
        {"{\"event\":\"\",\"event_ts\":1,\"payload\":{}}", "field event must be"},
        {"{\"event\":\"a b\",\"event_ts\":1,\"payload\":{}}", "field event must be"},
        {"{\"event\":\"a\\u0000b\",\"event_ts\":1,\"payload\":{}}", "webhook body"},
        {"{\"event\":\"m.c\",\"payload\":{}}", "event_ts: missing"},
        {"{\"event\":\"m.c\",\"event_ts\":\"1\",\"payload\":{}}", "event_ts: expected"},
        {"{\"event\":\"m.c\",\"event_ts\":1.5,\"payload\":{}}", "event_ts: expected"},
        {"{\"event\":\"m.c\",\"event_ts\":-1,\"payload\":{}}", "must not be negative"},
        {"{\"event\":\"m.c\",\"event_ts\":1}", "payload: missing"},
        {"{\"event\":\"m.c\",\"event_ts\":1,\"payload\":[]}", "payload: expected"},
        {"{\"event\":\"m.c\",\"event_ts\":1,\"payload\":{\"object\":{}}}",
         "payload.account_id: missing"},
        {"{\"event\":\"m.c\",\"event_ts\":1,\"payload\":{\"account_id\":7,\"object\":{}}}",
         "payload.account_id: expected"},
        {"{\"event\":\"m.c\",\"event_ts\":1,\"payload\":{\"account_id\":\"\",\"object\":{}}}",
         "payload.account_id must be"},
        {"{\"event\":\"m.c\",\"event_ts\":1,\"payload\":{\"account_id\":\"a\"}}",
         "payload.object: missing"},
        {"{\"event\":\"m.c\",\"event_ts\":1,\"payload\":{\"account_id\":\"a\",\"object\":1}}",
         "payload.object: expected"},
        {"{\"event\":\"endpoint.url_validation\",\"event_ts\":1,\"payload\":{}}",
         "payload.plainToken: missing"},
        {"{\"event\":\"endpoint.url_validation\",\"event_ts\":1,\"payload\":{\"plainToken\":"
         "\"a b\"}}",
         "payload.plainToken must be"},
        {"{\"event\":\"m.c\",\"event\":\"m.d\",\"event_ts\":1,\"payload\":{}}", "duplicate key"},
        {"{\"event\":\"m.c\",\"event_ts\":1,\"payload\":{\"account_id\":\"a\",\"object\":{}}} x",
         "invalid JSON"},
        {"{\"event\":\"m.c\",\"event_ts\":99999999999999999999,\"payload\":{}}", "range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zf_webhook_event ev;
        zf_error err = ZF_ERROR_INIT;
        int rc = zf_webhook_decode(&ev, cases[i].body, strlen(cases[i].body), &err);
        if (rc != ZF_EPARSE || !strstr(err.message, cases[i].words))
            fail_msg("case %zu (%s): rc %d, message \"%s\", wanted \"%s\"", i, cases[i].body, rc,
                     err.message, cases[i].words);
        assert_null(ev.name);
    }
    /* a raw NUL byte and invalid UTF-8 */
    zf_webhook_event ev;
    zf_error err = ZF_ERROR_INIT;
    static const char nul[] = "{\"event\":\"m\0c\",\"event_ts\":1,\"payload\":{}}";
    assert_int_equal(zf_webhook_decode(&ev, nul, sizeof nul - 1, &err), ZF_EPARSE);
    static const char utf[] = "{\"event\":\"m.c\",\"event_ts\":1,\"payload\":{\"account_id\":"
                              "\"\xff\",\"object\":{}}}";
    assert_int_equal(zf_webhook_decode(&ev, utf, strlen(utf), &err), ZF_EPARSE);
    /* over the cap */
    size_t big = ZF_WEBHOOK_BODY_MAX + 1;
    char *b = malloc(big);
    memset(b, ' ', big);
    b[0] = '{';
    b[big - 1] = '}';
    assert_int_equal(zf_webhook_decode(&ev, b, big, &err), ZF_ETOOBIG);
    free(b);
}

static void id_of(const char *body, char out[ZF_WEBHOOK_ID_LEN + 1])
{
    zf_webhook_event ev;
    zf_error err = ZF_ERROR_INIT;
    if (zf_webhook_decode(&ev, body, strlen(body), &err) != 0)
        fail_msg("%s: %s", body, err.message);
    snprintf(out, ZF_WEBHOOK_ID_LEN + 1, "%s", ev.id);
    zf_webhook_event_free(&ev);
}

#define REC(token, url, ts, fid)                                                                   \
    "{\"event\":\"recording.completed\",\"event_ts\":" ts ",\"payload\":{\"account_id\":\"acc1\"," \
    "\"object\":{\"uuid\":\"u1==\",\"id\":1,\"recording_files\":[{\"id\":\"" fid "\","             \
    "\"download_url\":\"https://x.zoom.us/rec/webhook_download/" url "\"}]}},"                     \
    "\"download_token\":\"" token "\"}"

/* The id is the same for a resend (fresh download token and URLs, other
 * key order and whitespace) and differs for any other event. */
static void test_webhook_event_id_promises(void **state)
{
    (void)state;
    char a[69], b[69];
    id_of(REC("tok1", "aaa", "1785368934000", "f1"), a);
    id_of(REC("tok2", "bbb", "1785368934000", "f1"), b);
    assert_string_equal(a, b);
    id_of("{ \"download_token\" : \"tok3\", \"payload\":{\"object\":{\"recording_files\":[{"
          "\"download_url\":\"https://x.zoom.us/rec/webhook_download/ccc\",\"id\":\"f1\"}],"
          "\"id\":1,\"uuid\":\"u1==\"},\"account_id\":\"acc1\"},\n\"event_ts\":1785368934000,"
          "\"event\":\"recording.completed\"}",
          b);
    assert_string_equal(a, b);
    /* another millisecond, another file, another name, another account */
    id_of(REC("tok1", "aaa", "1785368934001", "f1"), b);
    assert_string_not_equal(a, b);
    id_of(REC("tok1", "aaa", "1785368934000", "f2"), b);
    assert_string_not_equal(a, b);
    char other[512];
    snprintf(other, sizeof other, "%s", REC("tok1", "aaa", "1785368934000", "f1"));
    memcpy(strstr(other, "completed"), "completex", 9);
    id_of(other, b);
    assert_string_not_equal(a, b);
    snprintf(other, sizeof other, "%s", REC("tok1", "aaa", "1785368934000", "f1"));
    memcpy(strstr(other, "acc1"), "acc2", 4);
    id_of(other, b);
    assert_string_not_equal(a, b);
    /* two registrations of one meeting in one millisecond differ by registrant */
    id_of("{\"event\":\"meeting.registration_created\",\"event_ts\":5,\"payload\":{\"account_id\":"
          "\"a\",\"object\":{\"id\":1,\"registrant\":{\"email\":\"x@example.com\"}}}}",
          a);
    id_of("{\"event\":\"meeting.registration_created\",\"event_ts\":5,\"payload\":{\"account_id\":"
          "\"a\",\"object\":{\"id\":1,\"registrant\":{\"email\":\"y@example.com\"}}}}",
          b);
    assert_string_not_equal(a, b);
}

/* Every example of Zoom's Meetings webhooks OpenAPI file (105 events,
 * tests/spec/webhook_examples.py) decodes, signs and verifies, and no two
 * share an id. */
static void test_webhook_zoom_examples_decode(void **state)
{
    (void)state;
    const char *src = getenv("ZF_SOURCE_DIR");
    char path[1024], line[65536];
    snprintf(path, sizeof path, "%s/tests/unit/data/zoom-meetings-webhook-examples.jsonl",
             src ? src : "..");
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (set ZF_SOURCE_DIR)", path);
    static char ids[200][ZF_WEBHOOK_ID_LEN + 1];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\n");
        line[len] = '\0';
        zf_webhook_event ev;
        zf_error err = ZF_ERROR_INIT;
        if (zf_webhook_decode(&ev, line, len, &err) != 0)
            fail_msg("example %zu: %s: %.200s", n, err.message, line);
        assert_false(ev.is_validation);
        char want[68];
        expect_sig(SECRET, "1785368934", line, len, want);
        assert_int_equal(verify(want, "1785368934", line, len, NOW, NULL, &err), 0);
        for (size_t i = 0; i < n; i++)
            if (strcmp(ids[i], ev.id) == 0)
                fail_msg("examples %zu and %zu share the id %s", i, n, ev.id);
        assert_true(n < 200);
        snprintf(ids[n++], sizeof ids[0], "%s", ev.id);
        zf_webhook_event_free(&ev);
    }
    fclose(f);
    assert_int_equal(n, 105);
}

/* app_deauthorized as the Marketplace webhooks file has it (no object,
 * event_ts inside the payload, as a date string in Zoom's own example),
 * as zoomsim sends it (ms in the payload), and what is refused. */
static void test_webhook_decode_deauthorized(void **state)
{
    (void)state;
    zf_webhook_event ev;
    zf_error err = ZF_ERROR_INIT;
    static const char zoom[] =
        "{\"event\": \"app_deauthorized\", \"payload\": {\"account_id\": \"AAAAAABBBB\", "
        "\"user_id\": \"abcD3ojfdbjfg\", \"signature\": "
        "\"827edc3452044f0bc86bdd5684afb7d1e6becfa1a767f24df1b287853cf73000\", "
        "\"deauthorization_time\": \"2020-06-17T13:52:28.632Z\", \"client_id\": "
        "\"ABCDEFGHIJKLMNOPQRST!V\", \"event_ts\": \"2024-09-08 15:58:40\"}}";
    assert_int_equal(zf_webhook_decode(&ev, zoom, strlen(zoom), &err), 0);
    assert_true(ev.is_deauthorization);
    assert_false(ev.is_validation);
    assert_null(ev.object);
    assert_string_equal(ev.account_id, "AAAAAABBBB");
    assert_string_equal(ev.client_id, "ABCDEFGHIJKLMNOPQRST!V");
    assert_string_equal(ev.user_id, "abcD3ojfdbjfg");
    assert_string_equal(ev.deauthorization_time, "2020-06-17T13:52:28.632Z");
    assert_int_equal(strlen(ev.signature), 64);
    assert_true(ev.event_ts == 0);
    assert_int_equal(strlen(ev.id), ZF_WEBHOOK_ID_LEN);
    char first[ZF_WEBHOOK_ID_LEN + 1];
    snprintf(first, sizeof first, "%s", ev.id);
    zf_webhook_event_free(&ev);

    static const char sim[] = "{\"event\":\"app_deauthorized\",\"payload\":{\"account_id\":"
                              "\"acc1\",\"client_id\":\"c1\",\"event_ts\":1785368934000}}";
    assert_int_equal(zf_webhook_decode(&ev, sim, strlen(sim), &err), 0);
    assert_true(ev.event_ts == 1785368934000LL);
    assert_null(ev.user_id);
    assert_null(ev.signature);
    assert_string_not_equal(ev.id, first);
    zf_webhook_event_free(&ev);

    static const struct {
        const char *body, *names;
    } bad[] = {
        {"{\"event\":\"app_deauthorized\",\"payload\":{\"account_id\":\"a\"}}",
         "payload.client_id"},
        {"{\"event\":\"app_deauthorized\",\"payload\":{\"client_id\":\"c\"}}",
         "payload.account_id"},
        {"{\"event\":\"app_deauthorized\",\"payload\":{\"account_id\":\"a\",\"client_id\":"
         "\"c\",\"user_id\":7}}",
         "payload.user_id"},
        {"{\"event\":\"app_deauthorized\",\"event_ts\":-1,\"payload\":{\"account_id\":\"a\","
         "\"client_id\":\"c\"}}",
         "event_ts"},
        {"{\"event\":\"app_deauthorized\",\"payload\":{\"account_id\":\"a\",\"client_id\":"
         "\"c c\"}}",
         "payload.client_id"},
        /* another event still needs its event_ts and object */
        {"{\"event\":\"meeting.created\",\"payload\":{\"account_id\":\"a\",\"client_id\":"
         "\"c\"}}",
         "event_ts"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zf_error e = ZF_ERROR_INIT;
        assert_int_equal(zf_webhook_decode(&ev, bad[i].body, strlen(bad[i].body), &e), ZF_EPARSE);
        if (!strstr(e.message, bad[i].names))
            fail_msg("case %zu: '%s' does not name %s", i, e.message, bad[i].names);
        assert_null(ev.name);
    }
}

static void test_webhook_refusal_names(void **state)
{
    (void)state;
    assert_string_equal(zf_webhook_refusal_name(ZF_WEBHOOK_SIGNATURE), "signature");
    assert_string_equal(zf_webhook_refusal_name(ZF_WEBHOOK_TIMESTAMP), "timestamp");
    assert_string_equal(zf_webhook_refusal_name(ZF_WEBHOOK_MALFORMED), "malformed");
    assert_string_equal(zf_webhook_refusal_name(ZF_WEBHOOK_UNKNOWN_ORG), "unknown_org");
    assert_string_equal(zf_webhook_refusal_name(ZF_WEBHOOK_OK), "ok");
    assert_string_equal(zf_webhook_refusal_name(99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webhook_signature_vector_accepted),
        cmocka_unit_test(test_webhook_signature_published_vector),
        cmocka_unit_test(test_webhook_altered_body_refused),
        cmocka_unit_test(test_webhook_altered_timestamp_refused),
        cmocka_unit_test(test_webhook_wrong_secret_refused),
        cmocka_unit_test(test_webhook_signature_shapes_refused),
        cmocka_unit_test(test_webhook_timestamp_shapes_refused),
        cmocka_unit_test(test_webhook_timestamp_window),
        cmocka_unit_test(test_webhook_empty_body),
        cmocka_unit_test(test_webhook_validation_answer),
        cmocka_unit_test(test_webhook_decode_event),
        cmocka_unit_test(test_webhook_decode_malformed),
        cmocka_unit_test(test_webhook_event_id_promises),
        cmocka_unit_test(test_webhook_zoom_examples_decode),
        cmocka_unit_test(test_webhook_decode_deauthorized),
        cmocka_unit_test(test_webhook_refusal_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
