/* zf_zoom_check_path and URL building: the token must never leave
 * {api_base}/v2 (DESIGN §4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "zoom_internal.h"

typedef struct path_case {
    const char *path;
    const char *refusal; /* NULL = accepted; else a word the message contains */
} path_case;

static const path_case CASES[] = {
    {"/users/me", NULL},
    {"/users", NULL},
    {"users/me", NULL},
    {"/", NULL},
    {"/users/me/meetings?type=upcoming&page_size=30", NULL},
    {"/meetings/85746065432/registrants", NULL},
    {"/meetings/%252Fab%252F%252Fcd%253D%253D/recordings", NULL},
    {"/users/jane%40example.com", NULL},
    {"/users/jane@example.com/meetings", NULL},
    {"/users/me/meetings:batch", NULL},
    {"/a/...", NULL},
    {"/a/.hidden", NULL},
    {"/a/b..c", NULL},
    {"/users?q=%23tag", NULL},
    {"/users/me?next=a.b", NULL},
    {"/contacts?search_key=a%2Fb", NULL},
    {"", "empty"},
    {"https://evil.example/v2/users", "absolute URL"},
    {"http:/users", "absolute URL"},
    {"javascript:alert(1)", "absolute URL"},
    {"HTTPS://evil.example", "absolute URL"},
    {"//evil.example/users", "'//'"},
    {"evil.example@x/users", "'@'"},
    {"user@evil.example", "'@'"},
    {"/users/../oauth/token", "'..'"},
    {"/..", "'..'"},
    {"/users/.", "'..'"},
    {"/users/./me", "'..'"},
    {"/users/%2e%2e/x", "'..'"},
    {"/users/%2E%2E/x", "'..'"},
    {"/users/%2E./x", "'..'"},
    {"/users/.%2e/x", "'..'"},
    {"/users/%252e%252e/x", "'..'"},
    {"/users/..;jsessionid=1/x", "'..'"},
    {"/users/a%2f..%2fb", "'..'"},
    {"/users\\me", "backslash"},
    {"/users/%5c..", "backslash"},
    {"/users/me\r\nHost: evil", "CR or LF"},
    {"/users/me\n", "CR or LF"},
    {"/users/me%0d%0aX:y", "CR, LF or NUL"},
    {"/users/me%00", "CR, LF or NUL"},
    {"/users?x=%0A", "CR, LF or NUL"},
    {"/users/%250d", "CR, LF or NUL"},
    {"/users/\x01", "control"},
    {"/users/%7f", "control"},
    {"/users#frag", "'#'"},
    {"/users/me me", "space"},
    {"/users/caf\xc3\xa9", "non-ASCII"},
    {"/users/100%", "two hex digits"},
    {"/users/%zz", "two hex digits"},
};

static void test_path_table(void **state)
{
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        zf_error err = ZF_ERROR_INIT;
        int rc = zf_zoom_check_path(CASES[i].path, &err);
        if (!CASES[i].refusal) {
            if (rc != 0)
                fail_msg("path %zu '%s' refused: %s", i, CASES[i].path, err.message);
            continue;
        }
        if (rc != ZF_EPATH)
            fail_msg("path %zu '%s' accepted", i, CASES[i].path);
        if (!strstr(err.message, CASES[i].refusal))
            fail_msg("path %zu: message '%s' lacks '%s'", i, err.message, CASES[i].refusal);
        assert_non_null(strstr(err.message, "/v2"));
    }
}

static void test_path_null_and_long(void **state)
{
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_check_path(NULL, &err), ZF_EPATH);
    char longp[ZF_ZOOM_PATH_MAX + 2];
    memset(longp, 'a', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = '\0';
    assert_int_equal(zf_zoom_check_path(longp, &err), ZF_EPATH);
    assert_non_null(strstr(err.message, "longer than 2048"));
    longp[ZF_ZOOM_PATH_MAX] = '\0';
    assert_int_equal(zf_zoom_check_path(longp, &err), 0);
}

static void test_path_dot_message(void **state)
{
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_check_path("/a/%2e%2e/b", &err), ZF_EPATH);
    assert_string_equal(err.message, "path contains a '..' or '.' segment (also when "
                                     "percent-encoded): zoomflow only calls paths under the "
                                     "API base's /v2 (e.g. /users/me)");
    assert_true(err.hint[0] != '\0');
}

/* "%" then (depth - 1) times "25" then hex: c percent-encoded depth times */
static void encode_deep(char *out, size_t cap, const char *hex, int depth)
{
    size_t o = 0;
    out[o++] = '%';
    for (int i = 1; i < depth; i++) {
        out[o++] = '2';
        out[o++] = '5';
    }
    assert_true(o + 3 <= cap);
    memcpy(out + o, hex, 3);
}

/* docs/cli.md promises '..' is refused "at any depth" of percent-encoding:
 * it used to be refused only to 4 levels. */
static void test_path_dot_any_depth(void **state)
{
    for (int depth = 1; depth <= 10; depth++) {
        char dot[32], path[96], cr[32], ok[32];
        encode_deep(dot, sizeof dot, "2e", depth);
        snprintf(path, sizeof path, "/users/%s%s/oauth", dot, dot);
        zf_error err = ZF_ERROR_INIT;
        if (zf_zoom_check_path(path, &err) != ZF_EPATH)
            fail_msg("depth %d: '%s' accepted", depth, path);
        assert_non_null(strstr(err.message, "'..'"));
        encode_deep(cr, sizeof cr, "0a", depth);
        snprintf(path, sizeof path, "/users/me%sX", cr);
        if (zf_zoom_check_path(path, &err) != ZF_EPATH)
            fail_msg("depth %d: '%s' accepted", depth, path);
        assert_non_null(strstr(err.message, "CR, LF or NUL"));
        /* deep encoding of harmless data stays accepted */
        encode_deep(ok, sizeof ok, "41", depth);
        snprintf(path, sizeof path, "/users/%s/meetings", ok);
        if (zf_zoom_check_path(path, &err) != 0)
            fail_msg("depth %d: '%s' refused: %s", depth, path, err.message);
    }
}

static void build(const char *base, const char *path, const zf_zoom_param *q, size_t nq,
                  const char *want)
{
    zf_buf url = ZF_BUF_INIT(ZF_ZOOM_URL_MAX);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom__build_url(&url, base, path, q, nq, &err), 0);
    assert_string_equal(zf_buf_cstr(&url), want);
    zf_buf_free(&url);
}

static void test_build_url(void **state)
{
    zf_zoom_param q[] = {{"page_size", "300"}, {"search key", "a&b=c/d é"}, {"empty", NULL}};
    build("https://api.zoom.us", "/users/me", NULL, 0, "https://api.zoom.us/v2/users/me");
    build("https://api.zoom.us/", "users", NULL, 0, "https://api.zoom.us/v2/users");
    build("https://eu01api.zoom.us/v2", "/users", NULL, 0, "https://eu01api.zoom.us/v2/users");
    build("http://127.0.0.1:5/v2/", "/users", NULL, 0, "http://127.0.0.1:5/v2/users");
    build("http://127.0.0.1:8080", "/users", q, 3,
          "http://127.0.0.1:8080/v2/users?page_size=300&search%20key=a%26b%3Dc%2Fd%20%C3%A9"
          "&empty=");
    build("https://api.zoom.us", "/users?status=active", q, 1,
          "https://api.zoom.us/v2/users?status=active&page_size=300");
}

static void test_build_url_refuses_bad_base(void **state)
{
    const char *bad[] = {"ftp://api.zoom.us",
                         "https://",
                         "https://api.zoom.us/v3",
                         "https://api.zoom.us/v2/users",
                         "https://u:p@api.zoom.us",
                         "api.zoom.us",
                         "https://api.zoom.us?x",
                         "https://api zoom.us",
                         NULL};
    for (int i = 0; bad[i]; i++) {
        zf_buf url = ZF_BUF_INIT(ZF_ZOOM_URL_MAX);
        zf_error err = ZF_ERROR_INIT;
        if (zf_zoom__build_url(&url, bad[i], "/users", NULL, 0, &err) != ZF_ECONFIG)
            fail_msg("base '%s' accepted", bad[i]);
        assert_non_null(strstr(err.message, "https://api.zoom.us"));
        zf_buf_free(&url);
    }
}

static void test_origin(void **state)
{
    char o[128];
    assert_true(zf_zoom__url_origin("HTTPS://API.Zoom.us:443/v2/x?y#z", o, sizeof o));
    assert_string_equal(o, "https://api.zoom.us:443");
    assert_false(zf_zoom__url_origin("mailto:x", o, sizeof o));
    assert_false(zf_zoom__url_origin("https:///x", o, sizeof o));
}

static void segment(const char *value, const char *want)
{
    zf_buf b = ZF_BUF_INIT(1024);
    assert_int_equal(zf_zoom_put_segment(&b, value), 0);
    assert_string_equal(zf_buf_cstr(&b), want);
    zf_error err = ZF_ERROR_INIT;
    zf_buf path = ZF_BUF_INIT(1024);
    zf_buf_puts(&path, "/meetings/");
    zf_buf_puts(&path, zf_buf_cstr(&b));
    assert_int_equal(zf_zoom_check_path(zf_buf_cstr(&path), &err), 0);
    zf_buf_free(&path);
    zf_buf_free(&b);
}

static void test_put_segment_uuid_rules(void **state)
{
    segment("85746065432", "85746065432");
    segment("aB3+xYz==", "aB3%2BxYz%3D%3D");
    segment("jane@example.com", "jane%40example.com");
    segment("/ajXp112QmuoKj4854875==", "%252FajXp112QmuoKj4854875%253D%253D");
    segment("ab//cd==", "ab%252F%252Fcd%253D%253D");
    /* a hostile id stays a hostile segment, which the path check refuses */
    zf_buf b = ZF_BUF_INIT(64);
    zf_buf_puts(&b, "/users/");
    zf_zoom_put_segment(&b, "..");
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_check_path(zf_buf_cstr(&b), &err), ZF_EPATH);
    zf_buf_free(&b);
}

/* Zoom's `me` is a whole segment of the path, never a query value or a
 * part of an id (the S2S warning, actions/run.c). */
static void test_path_names_me(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        int me;
    } cases[] = {
        {"/users/me", 1},
        {"users/me", 1},
        {"/users/me/", 1},
        {"/users/me/meetings", 1},
        {"/users/me/meetings?type=live", 1},
        {"/report/users/me/meetings", 1},
        {"//users//me", 1},
        {"/users/mE", 0},
        {"/users/meg", 0},
        {"/users/ame", 0},
        {"/users/me@example.com/meetings", 0},
        {"/users/abc123/meetings?user=me", 0},
        {"/users?me", 0},
        {"/users/abc#me", 0},
        {"/me-too", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (zf_zoom_path_names_me(cases[i].path) != cases[i].me)
            fail_msg("%s: expected %d", cases[i].path, cases[i].me);
    }
    assert_int_equal(zf_zoom_path_names_me(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_table),       cmocka_unit_test(test_path_null_and_long),
        cmocka_unit_test(test_path_dot_message), cmocka_unit_test(test_path_dot_any_depth),
        cmocka_unit_test(test_build_url),        cmocka_unit_test(test_build_url_refuses_bad_base),
        cmocka_unit_test(test_origin),           cmocka_unit_test(test_put_segment_uuid_rules),
        cmocka_unit_test(test_path_names_me),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
