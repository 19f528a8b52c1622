/* oauth: authorize URL, callback parser, token response mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/crypt.h"
#include "zoomflow/oauth.h"

static zf_secret secret = ZF_SECRET_INIT;

static const char *param_of(const char *url, const char *key, char *out, size_t n)
{
    char pat[64];
    snprintf(pat, sizeof pat, "%s=", key);
    const char *p = strstr(url, pat);
    if (!p || (p[-1] != '?' && p[-1] != '&'))
        return NULL;
    p += strlen(pat);
    size_t len = strcspn(p, "&");
    snprintf(out, n, "%.*s", (int)len, p);
    return out;
}

static void test_oauth_authorize_url(void **state)
{
    (void)state;
    zf_oauth_app app = {"https://zoom.us/", "my client", &secret, NULL, NULL, NULL, NULL};
    zf_oauth_authz a, b;
    zf_error err = ZF_ERROR_INIT;
    char v[256];
    assert_int_equal(zf_oauth_authorize_begin(&a, &app, "http://127.0.0.1:8080/callback", &err), 0);
    assert_true(strncmp(a.url, "https://zoom.us/oauth/authorize?", 32) == 0);
    assert_string_equal(param_of(a.url, "response_type", v, sizeof v), "code");
    assert_string_equal(param_of(a.url, "client_id", v, sizeof v), "my%20client");
    assert_string_equal(param_of(a.url, "redirect_uri", v, sizeof v),
                        "http%3A%2F%2F127.0.0.1%3A8080%2Fcallback");
    assert_string_equal(param_of(a.url, "code_challenge_method", v, sizeof v), "S256");
    assert_string_equal(param_of(a.url, "state", v, sizeof v), a.state);
    assert_string_equal(param_of(a.url, "code_challenge", v, sizeof v), a.challenge);
    assert_null(strstr(a.url, "scope="));
    assert_true(strlen(a.state) >= 32);
    assert_int_equal(a.verifier.len, 64);
    /* challenge = base64url(sha256(verifier)) */
    unsigned char d[32];
    char expect[64];
    zf_sha256(zf_secret_reveal(&a.verifier), a.verifier.len, d);
    zf_base64url(d, 32, expect);
    assert_string_equal(a.challenge, expect);
    assert_null(strstr(a.url, zf_secret_reveal(&a.verifier)));
    assert_int_equal(zf_oauth_authorize_begin(&b, &app, "http://x/cb", &err), 0);
    assert_string_not_equal(a.state, b.state);
    zf_oauth_authz_free(&a);
    zf_oauth_authz_free(&b);
}

static void test_oauth_authorize_bad_config(void **state)
{
    (void)state;
    zf_oauth_authz a;
    zf_error err = ZF_ERROR_INIT;
    zf_oauth_app app = {"zoom.us", "cid", &secret, NULL, NULL, NULL, NULL};
    assert_int_equal(zf_oauth_authorize_begin(&a, &app, "http://x/cb", &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "zoom.us"));
    app.oauth_base = "https://zoom.us";
    app.client_id = "";
    assert_int_equal(zf_oauth_authorize_begin(&a, &app, "http://x/cb", &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "client id"));
    app.client_id = "cid";
    assert_int_equal(zf_oauth_authorize_begin(&a, &app, "", &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "redirect URI"));
}

static void test_oauth_callback_ok(void **state)
{
    (void)state;
    zf_oauth_callback cb;
    zf_error err = ZF_ERROR_INIT;
    const char *q = "/oauth/zoom/callback?code=ab%2Bc+d&state=S1&extra=1#frag";
    assert_int_equal(zf_oauth_parse_callback(&cb, q, strlen(q), &err), 0);
    assert_string_equal(zf_secret_reveal(&cb.code), "ab+c d");
    assert_string_equal(cb.state, "S1");
    assert_null(cb.error);
    zf_oauth_callback_free(&cb);
    q = "error=access_denied&error_description=The%20user%20said%20no&state=S2";
    assert_int_equal(zf_oauth_parse_callback(&cb, q, strlen(q), &err), 0);
    assert_true(zf_secret_empty(&cb.code));
    assert_string_equal(cb.error, "access_denied");
    assert_string_equal(cb.error_description, "The user said no");
    assert_string_equal(cb.state, "S2");
    zf_oauth_callback_free(&cb);
    assert_int_equal(zf_oauth_parse_callback(&cb, "", 0, &err), 0);
    assert_null(cb.state);
    zf_oauth_callback_free(&cb);
}

static void test_oauth_callback_bad(void **state)
{
    (void)state;
    zf_oauth_callback cb;
    zf_error err = ZF_ERROR_INIT;
    const char *bad[] = {"code=a&code=b", "state=%zz",       "state=%4",
                         "state=a%00b",   "state=1&state=2", "code=%0d%0a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(zf_oauth_parse_callback(&cb, bad[i], strlen(bad[i]), &err), ZF_EPARSE);
        assert_true(err.message[0] != '\0');
    }
    char nul[] = "code=a\0b";
    assert_int_equal(zf_oauth_parse_callback(&cb, nul, sizeof nul - 1, &err), ZF_EPARSE);
    assert_non_null(strstr(err.message, "NUL"));
    char *big = malloc(ZF_OAUTH_CALLBACK_MAX + 2);
    memset(big, 'a', ZF_OAUTH_CALLBACK_MAX + 1);
    big[ZF_OAUTH_CALLBACK_MAX + 1] = '\0';
    assert_int_equal(zf_oauth_parse_callback(&cb, big, strlen(big), &err), ZF_ETOOBIG);
    free(big);
}

static int parse(zf_oauth_grant g, long status, const char *body, zf_token_set *set, zf_error *err)
{
    zf_oauth_exchange ex = {g, status, 1000, "my-client", "http://127.0.0.1:9/callback", NULL};
    zf_error_reset(err);
    return zf_oauth_parse_token_response(set, &ex, body, strlen(body), err);
}

static void test_oauth_token_ok(void **state)
{
    (void)state;
    zf_token_set s;
    zf_error err = ZF_ERROR_INIT;
    const char *body =
        "{\"access_token\":\"AT\",\"token_type\":\"bearer\",\"refresh_token\":\"RT\","
        "\"expires_in\":3599,\"scope\":\"a b\",\"api_url\":\"https://eu01api.zoom.us/\"}";
    assert_int_equal(parse(ZF_GRANT_REFRESH_TOKEN, 200, body, &s, &err), 0);
    assert_string_equal(zf_secret_reveal(&s.access_token), "AT");
    assert_string_equal(zf_secret_reveal(&s.refresh_token), "RT");
    assert_int_equal(s.expires_at, 1000 + 3599);
    assert_string_equal(s.scope, "a b");
    assert_string_equal(s.api_url, "https://eu01api.zoom.us");
    zf_token_set_free(&s);
    body = "{\"access_token\":\"AT\",\"token_type\":\"bearer\",\"expires_in\":3600}";
    assert_int_equal(parse(ZF_GRANT_ACCOUNT_CREDENTIALS, 200, body, &s, &err), 0);
    assert_true(zf_secret_empty(&s.refresh_token));
    assert_null(s.api_url);
    zf_token_set_free(&s);
}

static void test_oauth_token_malformed(void **state)
{
    (void)state;
    zf_token_set s;
    zf_error err = ZF_ERROR_INIT;
    const char *bad[] = {
        "",
        "not json",
        "[1]",
        "{\"token_type\":\"bearer\",\"expires_in\":5}",
        "{\"access_token\":\"AT\",\"refresh_token\":\"R\"}",
        "{\"access_token\":\"AT\",\"refresh_token\":\"R\",\"expires_in\":\"3599\"}",
        "{\"access_token\":\"AT\",\"refresh_token\":\"R\",\"expires_in\":-1}",
        "{\"access_token\":\"AT\",\"expires_in\":3599}", /* no refresh token */
        "{\"access_token\":\"AT\",\"refresh_token\":\"R\",\"expires_in\":3599,\"token_type\":"
        "\"mac\"}",
        "{\"access_token\":\"AT\",\"refresh_token\":\"R\",\"expires_in\":3599,\"api_url\":\"https:/"
        "/evil.example/x?y\"}",
        "{\"access_token\":\"AT\",\"refresh_token\":\"R\",\"expires_in\":3599,\"api_url\":\"ftp://"
        "h\"}",
        "{\"access_token\":\"AT\",\"access_token\":\"B\",\"refresh_token\":\"R\",\"expires_in\":"
        "3599}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse(ZF_GRANT_REFRESH_TOKEN, 200, bad[i], &s, &err), ZF_EPARSE);
        assert_true(zf_secret_empty(&s.access_token));
    }
}

static void test_oauth_token_invalid_grant(void **state)
{
    (void)state;
    zf_token_set s;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(parse(ZF_GRANT_REFRESH_TOKEN, 400,
                           "{\"reason\":\"Invalid Token!\",\"error\":\"invalid_grant\"}", &s, &err),
                     ZF_EREAUTH);
    assert_int_equal(err.http_status, 400);
    assert_non_null(strstr(err.message, "Invalid Token!"));
    /* neutral words (no CLI command, no admin page that does not exist) */
    assert_string_equal(err.hint,
                        "The refresh token has expired or been revoked. Re-authenticate the "
                        "integration: reconnect the Zoom connection to generate new tokens.");
    assert_int_equal(err.hint_id, ZF_HINT_RECONNECT);
    /* cal.com saw invalid_request with the same reason */
    assert_int_equal(parse(ZF_GRANT_REFRESH_TOKEN, 400,
                           "{\"reason\":\"Invalid Token!\",\"error\":\"invalid_request\"}", &s,
                           &err),
                     ZF_EREAUTH);
}

static void test_oauth_token_code_errors(void **state)
{
    (void)state;
    zf_token_set s;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(parse(ZF_GRANT_AUTHORIZATION_CODE, 400,
                           "{\"reason\":\"Redirect URI mismatch.\",\"error\":\"invalid_request\"}",
                           &s, &err),
                     ZF_EAUTH);
    assert_non_null(strstr(err.message, "redirect URI mismatch"));
    assert_non_null(strstr(err.hint, "Re-initiate the OAuth flow: connect again"));
    assert_int_equal(err.hint_id, ZF_HINT_CHECK_REDIRECT_URI);
    assert_string_equal(err.hint_arg[ZF_HINT_ARG_VALUE], "http://127.0.0.1:9/callback");
    assert_non_null(strstr(err.hint, "matches http://127.0.0.1:9/callback exactly."));
    assert_int_equal(
        parse(ZF_GRANT_AUTHORIZATION_CODE, 400,
              "{\"reason\":\"Authorization code is expired.\",\"error\":\"invalid_request\"}", &s,
              &err),
        ZF_EAUTH);
    assert_non_null(strstr(err.message, "expired, used or invalid"));
    assert_non_null(strstr(err.hint, "Re-initiate"));
    assert_int_equal(parse(ZF_GRANT_AUTHORIZATION_CODE, 400,
                           "{\"reason\":\"Invalid code_verifier\",\"error\":\"invalid_grant\"}", &s,
                           &err),
                     ZF_EAUTH);
    /* a code echoed in Zoom's reason is not repeated in our message */
    assert_int_equal(parse(ZF_GRANT_AUTHORIZATION_CODE, 400,
                           "{\"reason\":\"Invalid authorization code zsc_AbCdEfGhIjKlMnOpQrStUv\","
                           "\"error\":\"invalid_request\"}",
                           &s, &err),
                     ZF_EAUTH);
    assert_null(strstr(err.message, "zsc_AbCdEfGhIjKlMnOpQrStUv"));
}

static void test_oauth_token_client_and_server_errors(void **state)
{
    (void)state;
    zf_token_set s;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(
        parse(ZF_GRANT_REFRESH_TOKEN, 401,
              "{\"reason\":\"Invalid client_id or client_secret\",\"error\":\"invalid_client\"}",
              &s, &err),
        ZF_EAUTH);
    assert_non_null(strstr(err.message, "my-client"));
    assert_non_null(strstr(err.hint, "check the client id and secret") ||
                    strstr(err.hint, "Check the client id and secret"));
    assert_int_equal(parse(ZF_GRANT_REFRESH_TOKEN, 503, "<html>down</html>", &s, &err), ZF_ESERVER);
    assert_int_equal(err.http_status, 503);
    assert_int_equal(parse(ZF_GRANT_REFRESH_TOKEN, 429, "{}", &s, &err), ZF_ERATELIMIT);
    assert_int_equal(parse(ZF_GRANT_ACCOUNT_CREDENTIALS, 400,
                           "{\"reason\":\"Invalid account_id: x\",\"error\":\"invalid_request\"}",
                           &s, &err),
                     ZF_EAUTH);
    assert_non_null(strstr(err.hint, "account id"));
    assert_int_equal(parse(ZF_GRANT_REFRESH_TOKEN, 418, "", &s, &err), ZF_EAUTH);
    assert_non_null(strstr(err.message, "418"));
}

static void test_oauth_required_scopes(void **state)
{
    (void)state;
    size_t n = 0;
    while (zf_oauth_required_scopes[n])
        n++;
    assert_int_equal(n, 10);
    assert_string_equal(zf_oauth_required_scopes[9], "contact:read:list_contacts:admin");
}

/* --- access token claims */

/* "<header>.<base64url(payload)>.<sig>" into out. */
static const char *jwt(char *out, size_t n, const char *payload)
{
    char enc[1024];
    zf_base64url((const unsigned char *)payload, strlen(payload), enc);
    snprintf(out, n, "eyJhbGciOiJIUzUxMiJ9.%s.c2lnbmF0dXJl", enc);
    return out;
}

static int claims(char **aid, char **uid, const char *tok, zf_error *err)
{
    return zf_oauth_token_claims(aid, uid, tok, strlen(tok), err);
}

static void test_oauth_token_claims_ok(void **state)
{
    (void)state;
    char tok[2048], *aid = NULL, *uid = NULL;
    zf_error err = ZF_ERROR_INIT;
    jwt(tok, sizeof tok,
        "{\"aud\":\"https://oauth.zoom.us\",\"uid\":\"u-1_X\",\"ver\":9,"
        "\"exp\":1700003600,\"type\":3,\"aid\":\"AcctAbc_123-z\"}");
    assert_int_equal(claims(&aid, &uid, tok, &err), 0);
    assert_string_equal(aid, "AcctAbc_123-z");
    assert_string_equal(uid, "u-1_X");
    free(aid);
    free(uid);
    /* either output may be skipped */
    assert_int_equal(claims(&aid, NULL, tok, &err), 0);
    assert_string_equal(aid, "AcctAbc_123-z");
    free(aid);
    /* an unsigned JWT (empty signature) still names its claims */
    char *dot = strrchr(tok, '.');
    dot[1] = '\0';
    assert_int_equal(claims(NULL, &uid, tok, &err), 0);
    assert_string_equal(uid, "u-1_X");
    free(uid);
}

static void test_oauth_token_claims_missing(void **state)
{
    (void)state;
    char tok[2048], *aid = (char *)"x", *uid = (char *)"x";
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(claims(&aid, &uid, jwt(tok, sizeof tok, "{\"type\":0}"), &err), 0);
    assert_null(aid);
    assert_null(uid);
    jwt(tok, sizeof tok, "{\"aid\":\"\",\"uid\":null}");
    assert_int_equal(claims(&aid, &uid, tok, &err), 0);
    assert_null(aid);
    assert_null(uid);
}

static void assert_claims_fail(const char *tok, size_t len, int code, const char *words)
{
    char *aid = (char *)"x", *uid = (char *)"x";
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_oauth_token_claims(&aid, &uid, tok, len, &err), code);
    assert_null(aid);
    assert_null(uid);
    if (!strstr(err.message, words))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, words);
}

/* A JWT around payload that must fail with code and words. */
static void assert_payload_fails(const char *payload, int code, const char *words)
{
    char tok[2048];
    jwt(tok, sizeof tok, payload);
    assert_claims_fail(tok, strlen(tok), code, words);
}

static void test_oauth_token_claims_bad(void **state)
{
    (void)state;
    static const char *const not_jwt[] = {
        "", "zsa_opaque-token", "a.b", "a.b.c.d", ".eyJ9.c", "a..c", "...",
    };
    for (size_t i = 0; i < sizeof not_jwt / sizeof *not_jwt; i++)
        assert_claims_fail(not_jwt[i], strlen(not_jwt[i]), ZF_EPARSE, "not a JWT");
    assert_claims_fail("h.e*J9.s", 8, ZF_EPARSE, "not base64url");
    /* 17 characters: no byte count has that base64 length */
    assert_claims_fail("h.eyJhaWQiOiJ4In0xx.s", 21, ZF_EPARSE, "not base64url");
    /* a NUL inside the payload part */
    assert_claims_fail("h.ey\0J9.s", 9, ZF_EPARSE, "not base64url");
    assert_payload_fails("not json at all", ZF_EPARSE, "not a JSON object");
    assert_payload_fails("[\"aid\"]", ZF_EPARSE, "not a JSON object");
    assert_payload_fails("{\"aid\":1,\"aid\":2}", ZF_EPARSE, "not a JSON object");
    assert_payload_fails("{\"aid\":42}", ZF_EPARSE, "claim aid is not a string");
    assert_payload_fails("{\"aid\":\"ok\",\"uid\":\"a b\"}", ZF_EPARSE,
                         "claim uid is not a Zoom id");
    assert_payload_fails("{\"aid\":\"x\\ny\"}", ZF_EPARSE, "claim aid is not a Zoom id");
    char big[160];
    memset(big, 'a', sizeof big);
    snprintf(big + 80, sizeof big - 80, "\"}");
    char payload[200];
    snprintf(payload, sizeof payload, "{\"aid\":\"%s", big);
    assert_payload_fails(payload, ZF_EPARSE, "Zoom id");
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_oauth_token_claims(NULL, NULL, NULL, 0, &err), ZF_EINVAL);
}

static void test_oauth_token_claims_huge_and_secret(void **state)
{
    (void)state;
    size_t n = ZF_OAUTH_TOKEN_MAX + 1;
    char *tok = malloc(n + 1);
    assert_non_null(tok);
    memset(tok, 'A', n);
    tok[1] = tok[n - 2] = '.';
    tok[n] = '\0';
    assert_claims_fail(tok, n, ZF_ETOOBIG, "limit");
    /* just under the limit: parsed, and the bad payload is refused */
    assert_claims_fail(tok, n - 1, ZF_EPARSE, "");
    free(tok);
    /* no message quotes the token, even a syntax error in its payload */
    char t[2048];
    zf_error err = ZF_ERROR_INIT;
    jwt(t, sizeof t, "{\"aid\": SECRETVALUE}");
    assert_int_equal(claims(NULL, NULL, t, &err), ZF_EPARSE);
    assert_null(strstr(err.message, "SECRETVALUE"));
    assert_null(strstr(err.message, "c2lnbmF0dXJl"));
}

static void test_oauth_endpoint_url(void **state)
{
    (void)state;
    zf_error err = ZF_ERROR_INIT;
    char *u = NULL;
    assert_int_equal(zf_oauth_endpoint_url(&u, "https://zoom.us/", NULL, ZF_OAUTH_TOKEN_PATH, &err),
                     0);
    assert_string_equal(u, "https://zoom.us/oauth/token");
    free(u);
    assert_int_equal(zf_oauth_endpoint_url(&u, "http://127.0.0.1:5", "/custom/token", "/x", &err),
                     0);
    assert_string_equal(u, "http://127.0.0.1:5/custom/token");
    free(u);
    assert_int_equal(
        zf_oauth_endpoint_url(&u, "https://zoom.us", "https://idp.example.com/t?a=1", "/x", &err),
        0);
    assert_string_equal(u, "https://idp.example.com/t?a=1");
    free(u);
    const char *bad[] = {"custom/token", "//evil.example.com/t", "/a b",       "/a#b",
                         "ftp://h/t",    "https://u:p@h/t",      "/a\r\nX: y", "/a\\b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(zf_oauth_endpoint_url(&u, "https://zoom.us", bad[i], "/x", &err),
                         ZF_ECONFIG);
        assert_null(u);
        assert_non_null(strstr(err.message, "neither a path nor"));
    }
}

static void test_oauth_server_name(void **state)
{
    (void)state;
    char n[256];
    const char *zoom[] = {"https://zoom.us/oauth/token", "https://ZOOM.US/x",
                          "https://eu01.zoom.us:443/t", "https://zoomgov.com/oauth/token"};
    for (size_t i = 0; i < sizeof zoom / sizeof zoom[0]; i++) {
        zf_oauth_server_name(zoom[i], n, sizeof n);
        assert_string_equal(n, "Zoom");
    }
    zf_oauth_server_name("http://127.0.0.1:8999/oauth/token", n, sizeof n);
    assert_string_equal(n, "the authorization server at 127.0.0.1:8999");
    zf_oauth_server_name("https://notzoom.us/t", n, sizeof n);
    assert_string_equal(n, "the authorization server at notzoom.us");
    zf_oauth_server_name("https://zoom.us.evil.example/t", n, sizeof n);
    assert_string_equal(n, "the authorization server at zoom.us.evil.example");
}

static void test_oauth_default_api_base(void **state)
{
    (void)state;
    const char *cases[][2] = {{"https://zoom.us", "https://api.zoom.us/v2"},
                              {"https://zoom.us/", "https://api.zoom.us/v2"},
                              {"https://zoomgov.com", "https://api.zoomgov.com/v2"},
                              {"http://127.0.0.1:8999/", "http://127.0.0.1:8999/v2"},
                              {"https://zoom.us.example.com", "https://zoom.us.example.com/v2"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *api = NULL;
        assert_int_equal(zf_oauth_default_api_base(&api, cases[i][0]), 0);
        assert_string_equal(api, cases[i][1]);
        free(api);
    }
}

static void test_oauth_error_names_server(void **state)
{
    (void)state;
    zf_token_set set;
    zf_error err = ZF_ERROR_INIT;
    const char *body =
        "{\"reason\":\"Invalid client_id or client_secret\",\"error\":\"invalid_client\"}";
    zf_oauth_exchange ex = {ZF_GRANT_REFRESH_TOKEN,
                            401,
                            1000,
                            "cid",
                            NULL,
                            "the authorization server at 127.0.0.1:8999"};
    assert_int_equal(zf_oauth_parse_token_response(&set, &ex, body, strlen(body), &err), ZF_EAUTH);
    assert_non_null(strstr(err.message, "the authorization server at 127.0.0.1:8999 rejected"));
    ex.status = 503;
    assert_int_equal(zf_oauth_parse_token_response(&set, &ex, "{}", 2, &err), ZF_ESERVER);
    assert_non_null(strstr(err.message, "the token endpoint at 127.0.0.1:8999 was unavailable"));
    assert_non_null(strstr(err.message, "the stored tokens were kept, retry later"));
    assert_int_equal(err.http_status, 503);
    assert_null(strstr(err.hint, "status.zoom.us"));
    ex.server = "Zoom";
    assert_int_equal(zf_oauth_parse_token_response(&set, &ex, "{}", 2, &err), ZF_ESERVER);
    assert_non_null(strstr(err.message, "Zoom's token endpoint was unavailable (HTTP 503"));
    assert_non_null(strstr(err.hint, "status.zoom.us"));
    ex.status = 500; /* not "unavailable": it answered, and failed */
    assert_int_equal(zf_oauth_parse_token_response(&set, &ex, "{}", 2, &err), ZF_ESERVER);
    assert_non_null(strstr(err.message, "Zoom's token endpoint failed with HTTP 500"));
    assert_int_equal(err.http_status, 500);
}

int main(void)
{
    zf_secret_set(&secret, "shh", 3);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oauth_endpoint_url),
        cmocka_unit_test(test_oauth_server_name),
        cmocka_unit_test(test_oauth_default_api_base),
        cmocka_unit_test(test_oauth_error_names_server),
        cmocka_unit_test(test_oauth_authorize_url),
        cmocka_unit_test(test_oauth_authorize_bad_config),
        cmocka_unit_test(test_oauth_callback_ok),
        cmocka_unit_test(test_oauth_callback_bad),
        cmocka_unit_test(test_oauth_token_ok),
        cmocka_unit_test(test_oauth_token_malformed),
        cmocka_unit_test(test_oauth_token_invalid_grant),
        cmocka_unit_test(test_oauth_token_code_errors),
        cmocka_unit_test(test_oauth_token_client_and_server_errors),
        cmocka_unit_test(test_oauth_required_scopes),
        cmocka_unit_test(test_oauth_token_claims_ok),
        cmocka_unit_test(test_oauth_token_claims_missing),
        cmocka_unit_test(test_oauth_token_claims_bad),
        cmocka_unit_test(test_oauth_token_claims_huge_and_secret),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zf_secret_free(&secret);
    return rc;
}
