/* download.h's pure rules: safe stable names, the SHA256SUMS manifest,
 * the resume decision, the reading of a download response, and where a
 * token may be sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/download.h"

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void sanitized(const char *in, const char *want)
{
    char b[512];
    snprintf(b, sizeof b, "%s", in);
    zf_download_sanitize(b);
    assert_string_equal(b, want);
}

static void test_sanitize(void **state)
{
    sanitized("plain-name_1.mp4", "plain-name_1.mp4");
    sanitized("../../etc/passwd", "_._.._etc_passwd");
    sanitized(".hidden", "_hidden");
    sanitized("a/b\\c", "a_b_c");
    sanitized("tab\there\nnl\x7f", "tab_here_nl_");
    sanitized("caf\xc3\xa9", "caf__");
    sanitized("", "file");
    sanitized("a:b*c?\"<>|", "a_b_c_____");
    char longname[400];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    zf_download_sanitize(longname);
    assert_int_equal(strlen(longname), ZF_DOWNLOAD_NAME_MAX);
}

static void name_of(const char *json, const char *want)
{
    json_t *j = json_loads(json, 0, NULL);
    assert_non_null(j);
    char out[ZF_DOWNLOAD_NAME_MAX + 1];
    assert_int_equal(zf_download_file_name(out, sizeof out, j, 7), 0);
    assert_string_equal(out, want);
    json_decref(j);
}

static void test_file_name(void **state)
{
    name_of("{\"id\":\"abc-123\",\"recording_start\":\"2031-01-02T09:00:00Z\","
            "\"recording_type\":\"shared_screen_with_speaker_view\",\"file_type\":\"MP4\","
            "\"file_extension\":\"MP4\"}",
            "20310102T090000Z_shared_screen_with_speaker_view_abc-123.mp4");
    /* no id (CC, TIMELINE): the URL's last segment; no recording_type: file_type */
    name_of("{\"recording_start\":\"2031-01-02T09:00:00Z\",\"file_type\":\"CC\","
            "\"file_extension\":\"VTT\",\"download_url\":\"https://zoom.us/rec/download/"
            "XyZ?x=1\"}",
            "20310102T090000Z_CC_XyZ.vtt");
    /* nothing but the index */
    name_of("{}", "nostart_file_7");
    /* hostile values cannot escape the directory or hide the file */
    name_of("{\"id\":\"../../x\",\"recording_type\":\"a/b\",\"recording_start\":\".\","
            "\"file_extension\":\"m/p\\n4\"}",
            "_a_b_.._.._x.m_p_4");
    /* a huge id is cut, the extension survives */
    char big[1200];
    int n = snprintf(big, sizeof big, "{\"id\":\"");
    memset(big + n, 'i', 1000);
    snprintf(big + n + 1000, sizeof big - (size_t)n - 1000, "\",\"file_extension\":\"MP4\"}");
    json_t *j = json_loads(big, 0, NULL);
    char out[ZF_DOWNLOAD_NAME_MAX + 1];
    assert_int_equal(zf_download_file_name(out, sizeof out, j, 0), 0);
    assert_int_equal(strlen(out), ZF_DOWNLOAD_NAME_MAX);
    assert_string_equal(out + ZF_DOWNLOAD_NAME_MAX - 4, ".mp4");
    json_decref(j);
    j = json_object();
    assert_int_equal(zf_download_file_name(out, 10, j, 0), ZF_EINVAL);
    json_decref(j);
    /* an entry of Zoom's listing that is not an object is Zoom's malformed
     * answer, not a caller's mistake */
    j = json_string("file");
    assert_int_equal(zf_download_file_name(out, sizeof out, j, 0), ZF_EPARSE);
    json_decref(j);
    assert_int_equal(zf_download_file_name(out, sizeof out, NULL, 0), ZF_EINVAL);
}

static void test_manifest_parse_format(void **state)
{
    const char text[] = HEX_A "  b.mp4\n"
                              "not a line\n" HEX_B " *a.m4a\r\n"
                              "\n" HEX_A "  \n"    /* no name */
                              "zz" HEX_A "  bad\n" /* not hex at the start */
        HEX_B "  b.mp4\n";                         /* later line wins */
    zf_manifest *m;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_manifest_parse(&m, text, sizeof text - 1, &err), 0);
    assert_string_equal(zf_manifest_get(m, "b.mp4"), HEX_B);
    assert_string_equal(zf_manifest_get(m, "a.m4a"), HEX_B);
    assert_null(zf_manifest_get(m, "bad"));
    assert_null(zf_manifest_get(m, ""));
    char *out;
    assert_int_equal(zf_manifest_format(&out, m), 0);
    assert_string_equal(out, HEX_B "  a.m4a\n" HEX_B "  b.mp4\n");
    free(out);
    /* upper-case hex is stored lower-case; junk is refused */
    assert_int_equal(
        zf_manifest_set(m, "c", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        0);
    assert_string_equal(zf_manifest_get(m, "c"), HEX_A);
    assert_int_equal(zf_manifest_set(m, "d", "xyz"), ZF_EINVAL);
    assert_int_equal(zf_manifest_set(m, "e\nf", HEX_A), ZF_EINVAL);
    zf_manifest_free(m);
    /* empty text: an empty manifest that formats to nothing */
    assert_int_equal(zf_manifest_parse(&m, NULL, 0, &err), 0);
    assert_int_equal(zf_manifest_format(&out, m), 0);
    assert_string_equal(out, "");
    free(out);
    zf_manifest_free(m);
}

static void test_manifest_round_trip(void **state)
{
    zf_manifest *m, *m2;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_manifest_parse(&m, "", 0, &err), 0);
    assert_int_equal(zf_manifest_set(m, "z.mp4", HEX_A), 0);
    assert_int_equal(zf_manifest_set(m, "y.vtt", HEX_B), 0);
    char *out;
    assert_int_equal(zf_manifest_format(&out, m), 0);
    assert_int_equal(zf_manifest_parse(&m2, out, strlen(out), &err), 0);
    assert_string_equal(zf_manifest_get(m2, "z.mp4"), HEX_A);
    assert_string_equal(zf_manifest_get(m2, "y.vtt"), HEX_B);
    free(out);
    zf_manifest_free(m);
    zf_manifest_free(m2);
}

typedef struct decide_case {
    zf_download_disk d;
    zf_download_plan want;
} decide_case;

static void test_decide(void **state)
{
    static const decide_case cases[] = {
        /* final, part, listed, manifest listed, manifest matches */
        {{-1, -1, 100, 0, 0}, ZF_DL_PLAN_FRESH},
        {{100, -1, 100, 0, 0}, ZF_DL_PLAN_SKIP},   /* complete, no manifest line */
        {{100, -1, 100, 1, 1}, ZF_DL_PLAN_SKIP},   /* complete and verified */
        {{100, -1, 100, 1, 0}, ZF_DL_PLAN_FRESH},  /* right size, wrong bytes */
        {{100, 40, 100, 1, 0}, ZF_DL_PLAN_RESUME}, /* ...but a .part to continue */
        {{90, -1, 100, 0, 0}, ZF_DL_PLAN_FRESH},   /* short final file */
        {{-1, 40, 100, 0, 0}, ZF_DL_PLAN_RESUME},
        {{-1, 100, 100, 0, 0}, ZF_DL_PLAN_RESUME}, /* full .part: the 416 path */
        {{-1, 150, 100, 0, 0}, ZF_DL_PLAN_FRESH},  /* .part longer than the file */
        {{-1, 0, 100, 0, 0}, ZF_DL_PLAN_FRESH},    /* empty .part */
        {{-1, 40, -1, 0, 0}, ZF_DL_PLAN_RESUME},   /* size unknown */
        {{5, -1, -1, 0, 0}, ZF_DL_PLAN_SKIP},
        {{0, -1, 0, 0, 0}, ZF_DL_PLAN_SKIP}, /* an empty file is complete */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (zf_download_decide(&cases[i].d) != cases[i].want)
            fail_msg("case %zu: got %d", i, zf_download_decide(&cases[i].d));
    }
}

typedef struct judge_case {
    long status;
    const char *cr;
    uint64_t from;
    int64_t listed;
    zf_download_verdict want;
    int64_t total;
} judge_case;

static void test_judge(void **state)
{
    static const judge_case cases[] = {
        {206, "bytes 40-99/100", 40, 100, ZF_DL_APPEND, 100},
        {206, "bytes 0-99/100", 40, 100, ZF_DL_RESTART, 100}, /* not where we asked */
        {206, "bytes 40-99/*", 40, 100, ZF_DL_APPEND, -1},
        {206, NULL, 40, 100, ZF_DL_RESTART, -1},
        {206, "bytes x-99/100", 40, 100, ZF_DL_RESTART, -1},
        {200, NULL, 40, 100, ZF_DL_RESTART, -1}, /* Range ignored */
        {200, NULL, 0, 100, ZF_DL_RESTART, -1},
        {416, "bytes */100", 100, 100, ZF_DL_COMPLETE, 100}, /* .part already full */
        {416, NULL, 100, 100, ZF_DL_COMPLETE, -1},
        {416, "bytes */100", 100, -1, ZF_DL_COMPLETE, 100}, /* size from the server */
        {416, "bytes */90", 100, 100, ZF_DL_RESTART, 90},   /* server disagrees */
        {416, "bytes */100", 120, 100, ZF_DL_RESTART, 100},
        {416, NULL, 100, -1, ZF_DL_RESTART, -1},
        {401, NULL, 0, 100, ZF_DL_REAUTH, -1},
        {500, NULL, 0, 100, ZF_DL_RETRY, -1},
        {503, NULL, 10, 100, ZF_DL_RETRY, -1},
        {429, NULL, 10, 100, ZF_DL_RETRY, -1},
        {403, NULL, 0, 100, ZF_DL_FAIL, -1},
        {404, NULL, 0, 100, ZF_DL_FAIL, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const judge_case *c = &cases[i];
        int64_t total = 7;
        zf_download_verdict v = zf_download_judge(c->status, c->cr, c->from, c->listed, &total);
        if (v != c->want || total != c->total)
            fail_msg("case %zu: verdict %d total %lld", i, v, (long long)total);
    }
}

static void test_url_allowed(void **state)
{
    const char *api = "http://127.0.0.1:8080/v2";
    assert_true(zf_download_url_allowed("http://127.0.0.1:8080/rec/download/x", api));
    assert_true(zf_download_url_allowed("https://zoom.us/rec/download/x", api));
    assert_true(zf_download_url_allowed("https://us06web.zoom.us/rec/download/x?a=b", api));
    assert_true(zf_download_url_allowed("https://ZOOM.US:443/rec/download/x", api));
    assert_true(zf_download_url_allowed("https://zoomgov.com/rec/download/x", NULL));
    assert_false(zf_download_url_allowed("http://127.0.0.1:8081/rec/download/x", api));
    assert_false(zf_download_url_allowed("https://127.0.0.1:8080/rec/download/x", api));
    assert_false(zf_download_url_allowed("http://zoom.us/rec/download/x", api));
    assert_false(zf_download_url_allowed("https://evilzoom.us/rec", api));
    assert_false(zf_download_url_allowed("https://zoom.us.evil.com/rec", api));
    assert_false(zf_download_url_allowed("https://zoom.us@evil.com/rec", api));
    assert_false(zf_download_url_allowed("https://zoom.us:8443/rec", api));
    assert_false(zf_download_url_allowed("ftp://zoom.us/rec", api));
    assert_false(zf_download_url_allowed("//zoom.us/rec", api));
    assert_false(zf_download_url_allowed("https://zoom.us/rec\r\nX: y", api));
    assert_false(zf_download_url_allowed(NULL, api));
}

/* A 401 from Zoom's file host or a redirect's target used to renew the Zoom
 * access token; only the API origin's own 401 with code 124 may. */
static void test_may_renew(void **state)
{
    const char *api = "https://api.zoom.us/v2";
    assert_true(zf_download_may_renew("https://api.zoom.us/rec/download/x", 0, api, 124));
    assert_true(zf_download_may_renew("https://API.zoom.us/rec/x", 0, "https://api.zoom.us", 124));
    assert_false(zf_download_may_renew("https://api.zoom.us/rec/download/x", 1, api, 124));
    assert_false(zf_download_may_renew("https://api.zoom.us/rec/download/x", 0, api, 0));
    assert_false(zf_download_may_renew("https://api.zoom.us/rec/download/x", 0, api, 4700));
    assert_false(zf_download_may_renew("https://zoom.us/rec/download/x", 0, api, 124));
    assert_false(zf_download_may_renew("https://us06web.zoom.us/rec/download/x", 0, api, 124));
    assert_false(zf_download_may_renew("https://api.zoom.us:8443/rec/x", 0, api, 124));
    assert_false(zf_download_may_renew("http://api.zoom.us/rec/x", 0, api, 124));
    assert_false(zf_download_may_renew(NULL, 0, api, 124));
    assert_false(zf_download_may_renew("https://api.zoom.us/rec/x", 0, NULL, 124));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sanitize),
        cmocka_unit_test(test_file_name),
        cmocka_unit_test(test_manifest_parse_format),
        cmocka_unit_test(test_manifest_round_trip),
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_url_allowed),
        cmocka_unit_test(test_may_renew),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
