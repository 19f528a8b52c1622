/* zoomsim OAuth: PKCE, redirect matching, Basic auth, escaping, app specs,
 * token tolerance (which earlier access tokens a new one supersedes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oauth.h"

/* RFC 7636 Appendix B */
#define RFC_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static void test_pkce_s256_rfc_vector(void **st)
{
    char out[44];
    sim_oauth_pkce_s256(RFC_VERIFIER, out);
    assert_string_equal(out, RFC_CHALLENGE);
    assert_true(sim_oauth_pkce_verify("S256", RFC_CHALLENGE, RFC_VERIFIER));
}

static void test_pkce_s256_mismatch(void **st)
{
    /* same length, one character changed */
    assert_false(sim_oauth_pkce_verify("S256", RFC_CHALLENGE,
                                       "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXa"));
    /* the challenge itself is not a valid verifier under S256 */
    assert_false(sim_oauth_pkce_verify("S256", RFC_CHALLENGE, RFC_CHALLENGE));
}

static void test_pkce_plain(void **st)
{
    assert_true(sim_oauth_pkce_verify("plain", RFC_VERIFIER, RFC_VERIFIER));
    assert_false(sim_oauth_pkce_verify("plain", RFC_VERIFIER, RFC_CHALLENGE));
    assert_false(sim_oauth_pkce_verify("unknown", RFC_VERIFIER, RFC_VERIFIER));
}

static void test_pkce_verifier_length_and_charset(void **st)
{
    char v[130];
    memset(v, 'a', sizeof v);
    v[42] = '\0';
    assert_false(sim_oauth_pkce_verifier_ok(v)); /* 42 */
    v[42] = 'a';
    v[43] = '\0';
    assert_true(sim_oauth_pkce_verifier_ok(v)); /* 43 */
    memset(v, 'a', sizeof v);
    v[128] = '\0';
    assert_true(sim_oauth_pkce_verifier_ok(v)); /* 128 */
    v[128] = 'a';
    v[129] = '\0';
    assert_false(sim_oauth_pkce_verifier_ok(v)); /* 129 */
    assert_false(sim_oauth_pkce_verifier_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+"));
    assert_true(sim_oauth_pkce_verifier_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-._~"));
    assert_false(sim_oauth_pkce_verifier_ok(NULL));
    /* a short verifier never verifies, even when it equals a plain challenge */
    assert_false(sim_oauth_pkce_verify("plain", "short", "short"));
}

static void test_pkce_challenge_ok(void **st)
{
    assert_true(sim_oauth_pkce_challenge_ok("S256", RFC_CHALLENGE));
    assert_false(sim_oauth_pkce_challenge_ok("S256", RFC_CHALLENGE "A")); /* 44 */
    assert_false(
        sim_oauth_pkce_challenge_ok("S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"));
    assert_true(sim_oauth_pkce_challenge_ok("plain", RFC_VERIFIER));
    assert_false(sim_oauth_pkce_challenge_ok("plain", "tooshort"));
    assert_false(sim_oauth_pkce_challenge_ok("S512", RFC_CHALLENGE));
}

static void test_redirect_exact(void **st)
{
    const char *r = "https://app.example.com/oauth/callback";
    assert_true(sim_oauth_redirect_match(r, "https://app.example.com/oauth/callback"));
    assert_false(sim_oauth_redirect_match(r, "https://app.example.com/oauth/callback/"));
    assert_false(sim_oauth_redirect_match(r, "http://app.example.com/oauth/callback"));
    assert_false(sim_oauth_redirect_match(r, "https://app.example.com:443/oauth/callback"));
    assert_false(sim_oauth_redirect_match(r, "https://app.example.com/oauth/callback?x=1"));
    assert_false(sim_oauth_redirect_match(r, "https://APP.example.com/oauth/callback"));
    assert_false(sim_oauth_redirect_match(r, NULL));
    /* trailing slash registered: the bare form does not match */
    assert_false(sim_oauth_redirect_match("http://127.0.0.1:8080/cb/", "http://127.0.0.1:8080/cb"));
    assert_true(sim_oauth_redirect_match("http://127.0.0.1:8080/cb/", "http://127.0.0.1:8080/cb/"));
}

static void test_redirect_loopback_star_port(void **st)
{
    const char *r = "http://127.0.0.1:*/callback";
    assert_true(sim_oauth_redirect_match(r, "http://127.0.0.1:1/callback"));
    assert_true(sim_oauth_redirect_match(r, "http://127.0.0.1:54321/callback"));
    assert_true(sim_oauth_redirect_match(r, "http://127.0.0.1:65535/callback"));
    assert_false(sim_oauth_redirect_match(r, "http://127.0.0.1:0/callback"));
    assert_false(sim_oauth_redirect_match(r, "http://127.0.0.1:65536/callback"));
    assert_false(sim_oauth_redirect_match(r, "http://127.0.0.1:123456/callback"));
    assert_false(sim_oauth_redirect_match(r, "http://127.0.0.1:80a/callback"));
    assert_false(sim_oauth_redirect_match(r, "http://127.0.0.1/callback"));
    assert_false(sim_oauth_redirect_match(r, "http://127.0.0.1:/callback"));
    assert_false(sim_oauth_redirect_match(r, "http://127.0.0.1:5000/callback/"));
    assert_false(sim_oauth_redirect_match(r, "http://127.0.0.1:5000/callbackx"));
    assert_false(sim_oauth_redirect_match(r, "http://127.0.0.2:5000/callback"));
    assert_false(sim_oauth_redirect_match(r, "https://127.0.0.1:5000/callback"));
    assert_false(sim_oauth_redirect_match(r, "http://localhost:5000/callback"));
    assert_true(
        sim_oauth_redirect_match("http://localhost:*/callback", "http://localhost:8000/callback"));
    assert_true(sim_oauth_redirect_match("http://[::1]:*/cb", "http://[::1]:8000/cb"));
    /* the literal registered string is not a wildcard for itself */
    assert_false(sim_oauth_redirect_match(r, "http://127.0.0.1:*/callback"));
}

static int redirect_check(const char *uri)
{
    char err[256];
    return sim_oauth_redirect_check(uri, err, sizeof err);
}

static void test_redirect_star_refused_off_loopback(void **st)
{
    char err[256];
    /* matching: a non-loopback '*' is no wildcard */
    assert_false(sim_oauth_redirect_match("http://example.com:*/cb", "http://example.com:80/cb"));
    /* registration: refused with the reason */
    assert_int_equal(sim_oauth_redirect_check("http://example.com:*/cb", err, sizeof err),
                     ZF_EVALIDATION);
    assert_non_null(strstr(err, "loopback"));
    assert_int_equal(redirect_check("http://127.0.0.1:*/cb"), 0);
    assert_int_equal(redirect_check("http://127.0.0.1:8*/cb"), ZF_EVALIDATION);
    assert_int_equal(redirect_check("http://127.0.0.1/*"), ZF_EVALIDATION);
    assert_int_equal(redirect_check("ftp://127.0.0.1/cb"), ZF_EVALIDATION);
    assert_int_equal(redirect_check("http://127.0.0.1/cb#frag"), ZF_EVALIDATION);
    assert_int_equal(redirect_check("http:///cb"), ZF_EVALIDATION);
    assert_int_equal(redirect_check("http://h/a b"), ZF_EVALIDATION);
    assert_int_equal(redirect_check("https://app.example.com/cb?x=1"), 0);
}

static void basic_ok(const char *hdr, const char *id, const char *secret)
{
    char *i, *s;
    assert_int_equal(sim_oauth_basic_parse(hdr, &i, &s), 0);
    assert_string_equal(i, id);
    assert_string_equal(s, secret);
    free(i);
    sim_oauth_secret_free(s);
}

static void basic_bad(const char *hdr)
{
    char *i, *s;
    assert_int_equal(sim_oauth_basic_parse(hdr, &i, &s), ZF_EPARSE);
    assert_null(i);
    assert_null(s);
}

static void test_basic_auth_parse(void **st)
{
    basic_ok("Basic em9vbXNpbS1jbGllbnQ6em9vbXNpbS1zZWNyZXQ=", "zoomsim-client", "zoomsim-secret");
    basic_ok("basic   em9vbXNpbS1jbGllbnQ6em9vbXNpbS1zZWNyZXQ=  ", "zoomsim-client",
             "zoomsim-secret");
    basic_ok("Basic YTpiOmM", "a", "b:c"); /* no padding; the secret keeps its ':' */
    basic_ok("Basic YTo=", "a", "");       /* empty secret parses; auth then fails */
    basic_bad("Basic YWJj");               /* "abc": no ':' */
    basic_bad("Basic OmI=");               /* ":b": empty id */
    basic_bad("Basic !!!!");
    basic_bad("Basic ");
    basic_bad("Basic");
    basic_bad("Bearer em9vbXNpbS1jbGllbnQ6em9vbXNpbS1zZWNyZXQ=");
    basic_bad("BasicYTpi");
    basic_bad("Basic YQBiOmM="); /* "a\0b:c": embedded NUL */
    basic_bad(NULL);
    /* RFC 6749 §2.3.1: each part form-urlencoded before base64 */
    basic_ok("Basic Y2xpZW50LTE6cyUyQmUlMjVjJTJGciUzQWUlMjB0", "client-1", "s+e%c/r:e t");
    basic_ok("Basic bXkrYXBwOmErYg==", "my app", "a b"); /* "my+app:a+b" */
    basic_bad("Basic YTpiJTJ6");                         /* "a:b%2z": bad escape */
    basic_bad("Basic YTpiJTAwYw==");                     /* "a:b%00c": NUL */
}

static void test_secret_eq(void **st)
{
    assert_true(sim_oauth_secret_eq("abc", "abc"));
    assert_false(sim_oauth_secret_eq("abc", "abd"));
    assert_false(sim_oauth_secret_eq("abc", "abcd"));
    assert_false(sim_oauth_secret_eq("", "x"));
    assert_false(sim_oauth_secret_eq(NULL, "x"));
}

static void test_html_escape(void **st)
{
    zf_buf b = ZF_BUF_INIT(1024);
    sim_oauth_html_escape(&b, "<a href=\"x\">'&'</a>");
    assert_string_equal(zf_buf_cstr(&b), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    zf_buf_free(&b);
}

static void test_scope_desc(void **st)
{
    assert_string_equal(sim_oauth_scope_desc("user:write:user:admin"),
                        "Create users on the account");
    assert_non_null(strstr(sim_oauth_scope_desc("x:write:y"), "Change"));
    assert_non_null(strstr(sim_oauth_scope_desc("x:read:y"), "Read"));
}

static sim *new_sim(int *rc, const char *spec1, const char *spec2)
{
    sim_opts o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    if (spec1)
        o.app_specs[o.napp_specs++] = spec1;
    if (spec2)
        o.app_specs[o.napp_specs++] = spec2;
    sim *s = NULL;
    *rc = sim_new(&s, &o);
    return s;
}

static void test_app_specs_parsed(void **st)
{
    int rc;
    sim *s = new_sim(&rc,
                     "cli:sec:http://127.0.0.1:*/cb,https://x.example/cb/"
                     ":user:read:list_users:admin,meeting:read:meeting:admin",
                     "s2s:svc:sec2:user:read:list_users:admin");
    assert_int_equal(rc, 0);
    assert_int_equal(s->napps, 2);
    const sim_app *a = sim_oauth_app_find(s, "cli");
    assert_non_null(a);
    assert_int_equal(a->nredirect, 2);
    assert_string_equal(a->redirect_uris[0], "http://127.0.0.1:*/cb");
    assert_string_equal(a->redirect_uris[1], "https://x.example/cb/");
    assert_string_equal(a->scopes, "user:read:list_users:admin meeting:read:meeting:admin");
    assert_string_equal(a->client_secret, "sec");
    assert_false(a->s2s);
    const sim_app *b = sim_oauth_app_find(s, "svc");
    assert_non_null(b);
    assert_true(b->s2s);
    assert_int_equal(b->nredirect, 0);
    assert_string_equal(b->client_secret, "sec2");
    assert_string_equal(b->scopes, "user:read:list_users:admin");
    sim_free(s);
}

static void test_app_spec_default_scopes(void **st)
{
    int rc;
    sim *s = new_sim(&rc, "cli:sec:http://localhost:8080/callback", NULL);
    assert_int_equal(rc, 0);
    const sim_app *a = sim_oauth_app_find(s, "cli");
    assert_non_null(a);
    assert_non_null(strstr(a->scopes, "contact:read:list_contacts:admin"));
    assert_non_null(strstr(a->scopes, "user:read:user:admin"));
    assert_null(sim_oauth_app_find(s, "zoomsim-client")); /* no defaults when configured */
    sim_free(s);
}

static void test_defaults_without_apps(void **st)
{
    int rc;
    sim *s = new_sim(&rc, NULL, NULL);
    assert_int_equal(rc, 0);
    const sim_app *a = sim_oauth_app_find(s, "zoomsim-client");
    const sim_app *b = sim_oauth_app_find(s, "zoomsim-s2s");
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a->client_secret, "zoomsim-secret");
    assert_string_equal(b->client_secret, "zoomsim-s2s-secret");
    assert_true(b->s2s);
    assert_true(sim_oauth_redirect_match(a->redirect_uris[0], "http://127.0.0.1:40000/callback"));
    assert_true(sim_oauth_redirect_match(a->redirect_uris[1], "http://localhost:40000/callback"));
    sim_free(s);
}

static void test_bad_specs_are_config_errors(void **st)
{
    static const char *const bad[] = {
        "nocolon",
        "id:secret", /* no redirect */
        "id:secret:ftp://127.0.0.1/cb",
        "id:secret:http://127.0.0.1:8080",   /* no path */
        "id:secret:http://example.com:*/cb", /* '*' off loopback */
        "id:secret:http://127.0.0.1/cb:bad scope!",
        "id:secret:http://127.0.0.1/cb:", /* empty scope list */
        "i d:secret:http://127.0.0.1/cb",
        "id::http://127.0.0.1/cb", /* empty secret */
        "s2s:id",
        NULL,
    };
    for (int i = 0; bad[i]; i++) {
        int rc;
        sim *s = new_sim(&rc, bad[i], NULL);
        assert_int_equal(rc, ZF_ECONFIG);
        assert_null(s);
    }
    int rc;
    assert_null(new_sim(&rc, "dup:a:http://127.0.0.1/cb", "dup:b:http://127.0.0.1/cb"));
    assert_int_equal(rc, ZF_ECONFIG);
}

static void test_tolerance_defaults_by_kind(void **st)
{
    int rc;
    sim *s = new_sim(&rc, NULL, NULL);
    assert_int_equal(rc, 0);
    /* as Zoom: one live access token per user grant; S2S tokens coexist */
    assert_int_equal(sim_oauth_app_find(s, "zoomsim-client")->token_tolerance, 1);
    assert_int_equal(sim_oauth_app_find(s, "zoomsim-s2s")->token_tolerance, 0);
    sim_free(s);
    sim_opts o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.app_specs[o.napp_specs++] = "cli:sec:http://127.0.0.1:*/cb";
    o.app_specs[o.napp_specs++] = "s2s:svc:sec2";
    o.token_tolerance_set = true; /* --token-tolerance 3 */
    o.token_tolerance = 3;
    assert_int_equal(sim_new(&s, &o), 0);
    assert_int_equal(sim_oauth_app_find(s, "cli")->token_tolerance, 3);
    assert_int_equal(sim_oauth_app_find(s, "svc")->token_tolerance, 3);
    sim_free(s);
    o.token_tolerance = 0; /* --token-tolerance 0: no limit, even for OAuth apps */
    assert_int_equal(sim_new(&s, &o), 0);
    assert_int_equal(sim_oauth_app_find(s, "cli")->token_tolerance, 0);
    sim_free(s);
}

static const sim_access *issue(sim *s, const char *client, int s2s, uint64_t grant)
{
    const sim_access *a =
        sim_auth_issue(s, client, s->account_id, s->owner_id, "x:read:y", 3600, s2s, grant);
    assert_non_null(a);
    return a;
}

static void test_supersede_keeps_the_newest(void **st)
{
    int rc;
    sim *s = new_sim(&rc, NULL, NULL);
    assert_int_equal(rc, 0);
    const sim_access *t1 = issue(s, "c", 0, 7), *t2, *t3;
    sim_auth_supersede(s, t1, 2, -1);
    sim_auth_supersede(s, t2 = issue(s, "c", 0, 7), 2, -1);
    assert_false(t1->superseded); /* two of tolerance 2 */
    sim_auth_supersede(s, t3 = issue(s, "c", 0, 7), 2, -1);
    assert_true(t1->superseded); /* the oldest goes */
    assert_false(t2->superseded);
    assert_false(t3->superseded);
    sim_auth_supersede(s, issue(s, "c", 0, 7), 1, -1);
    assert_true(t2->superseded); /* tolerance 1: every earlier one */
    assert_true(t3->superseded);
    int expired = 1;
    assert_ptr_equal(sim_auth_lookup(s, t1->token, &expired), t1); /* still known */
    assert_false(expired);
    sim_free(s);
}

static void test_supersede_stays_in_its_lineage(void **st)
{
    int rc;
    sim *s = new_sim(&rc, NULL, NULL);
    assert_int_equal(rc, 0);
    const sim_access *g1 = issue(s, "c", 0, 1), *g0 = issue(s, "c", 0, 0);
    const sim_access *s2a = issue(s, "svc", 1, 10), *s2b = issue(s, "other", 1, 11);
    sim_auth_supersede(s, issue(s, "c", 0, 2), 1, -1); /* another grant */
    sim_auth_supersede(s, issue(s, "c", 0, 0), 1, -1); /* no grant: competes with none */
    assert_false(g1->superseded);
    assert_false(g0->superseded);
    /* S2S tokens each have their own grant (revocation) but one lineage per app */
    sim_auth_supersede(s, issue(s, "svc", 1, 12), 1, -1);
    assert_true(s2a->superseded);
    assert_false(s2b->superseded);
    const sim_access *u = issue(s, "svc", 1, 13);
    sim_auth_supersede(s, u, 0, -1); /* 0: no limit */
    assert_false(u->superseded);
    sim_free(s);
}

static void test_supersede_by_slot(void **st)
{
    int rc;
    sim *s = new_sim(&rc, NULL, NULL);
    assert_int_equal(rc, 0);
    const sim_access *a = issue(s, "svc", 1, 1), *b = issue(s, "svc", 1, 2), *c;
    sim_auth_supersede(s, a, 3, 0);
    sim_auth_supersede(s, b, 3, 1);
    assert_int_equal(a->slot, 0);
    sim_auth_supersede(s, c = issue(s, "svc", 1, 3), 3, 0); /* token_index=0 again */
    assert_true(a->superseded);
    assert_false(b->superseded);
    assert_false(c->superseded);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkce_s256_rfc_vector),
        cmocka_unit_test(test_pkce_s256_mismatch),
        cmocka_unit_test(test_pkce_plain),
        cmocka_unit_test(test_pkce_verifier_length_and_charset),
        cmocka_unit_test(test_pkce_challenge_ok),
        cmocka_unit_test(test_redirect_exact),
        cmocka_unit_test(test_redirect_loopback_star_port),
        cmocka_unit_test(test_redirect_star_refused_off_loopback),
        cmocka_unit_test(test_basic_auth_parse),
        cmocka_unit_test(test_secret_eq),
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_scope_desc),
        cmocka_unit_test(test_app_specs_parsed),
        cmocka_unit_test(test_app_spec_default_scopes),
        cmocka_unit_test(test_defaults_without_apps),
        cmocka_unit_test(test_bad_specs_are_config_errors),
        cmocka_unit_test(test_tolerance_defaults_by_kind),
        cmocka_unit_test(test_supersede_keeps_the_newest),
        cmocka_unit_test(test_supersede_stays_in_its_lineage),
        cmocka_unit_test(test_supersede_by_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
