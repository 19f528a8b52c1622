/* The access module (zoomflow/access.h) over a real store, on the backend
 * ZF_TEST_DB names (unit.test_access, unit.test_access.pg): passwords,
 * sign-in and its rate limits (also across two store handles, as two
 * replicas), sessions and their ends, CSRF, API keys, org isolation, the
 * audit rows, and that the database holds no credential in clear.
 *
 * The clock is the test's (zf_access_opts.now), and hashing runs at
 * libsodium's minimum cost except where the timing is what is tested.
 * CRYPTO_memcmp is interposed to count that the comparisons use it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/access.h"
#include "zoomflow/buf.h"
#include "store_test_db.h"

/* --- CRYPTO_memcmp, counted (the library's calls resolve to this one) */

static int memcmp_calls;

int CRYPTO_memcmp(const void *in_a, const void *in_b, size_t len)
{
    const volatile unsigned char *a = in_a, *b = in_b;
    unsigned char x = 0;
    memcmp_calls++;
    for (size_t i = 0; i < len; i++)
        x |= a[i] ^ b[i];
    return x;
}

/* --- fixture */

static int64_t clock_now = 1700000000;

static int64_t test_now(void *ctx)
{
    (void)ctx;
    return clock_now;
}

typedef struct fx {
    tdb db;
    zf_store *st;
    zf_access *a;
} fx;

static const char PW[] = "correct horse battery";
#define PWLEN (sizeof PW - 1)

static zf_access_opts fast_opts(void)
{
    zf_access_opts o = ZF_ACCESS_OPTS_INIT;
    o.pwhash_ops = 1;
    o.pwhash_mem = 8192;
    o.now = test_now;
    return o;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    zf_error err = ZF_ERROR_INIT;
    tdb_fresh(&f->db);
    assert_int_equal(zf_store_open(&f->st, f->db.dsn, &err), 0);
    zf_access_opts o = fast_opts();
    assert_int_equal(zf_access_new(&f->a, f->st, &o, &err), 0);
    clock_now = 1700000000;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    zf_access_free(f->a);
    zf_store_free(f->st);
    tdb_drop(&f->db);
    free(f);
    return 0;
}

static int64_t make_account(fx *f, const char *org, const char *email, int role)
{
    zf_error err = ZF_ERROR_INIT;
    zf_org o;
    if (zf_org_get(f->a, org, &o, &err) == 0)
        zf_org_free(&o);
    else
        assert_int_equal(zf_org_create(f->a, org, NULL, "test", &err), 0);
    zf_account_new_req r = ZF_ACCOUNT_NEW_REQ_INIT;
    r.org = org;
    r.email = email;
    r.role = role;
    r.password = PW;
    r.password_len = PWLEN;
    r.actor = "test";
    zf_account acc;
    int rc = zf_account_create(f->a, &r, &acc, NULL, &err);
    if (rc)
        fail_msg("account_create: %s", err.message);
    int64_t id = acc.id;
    zf_account_free(&acc);
    return id;
}

static int signin(fx *f, zf_access *a, const char *email, const char *pw, size_t len,
                  const char *org, const char *addr, zf_secret *cookie, zf_principal *p,
                  zf_error *err)
{
    zf_signin_req r = ZF_SIGNIN_REQ_INIT;
    (void)f;
    r.email = email;
    r.password = pw;
    r.password_len = len;
    r.org = org;
    r.addr = addr;
    zf_error_reset(err);
    return zf_signin(a, &r, cookie, p, err);
}

/* --- tests */

static void test_roles(void **state)
{
    zf_error err = ZF_ERROR_INIT;
    zf_role r;
    assert_string_equal(zf_role_name(ZF_ROLE_VIEWER), "viewer");
    assert_string_equal(zf_role_name(3), "admin");
    assert_null(zf_role_name(0));
    assert_null(zf_role_name(4));
    assert_int_equal(zf_role_parse("operator", &r, &err), 0);
    assert_int_equal(r, ZF_ROLE_OPERATOR);
    assert_int_equal(zf_role_parse("Admin", &r, &err), ZF_EVALIDATION);
    assert_int_equal(err.hint_id, ZF_HINT_CHECK_ROLE);
    assert_int_equal(zf_role_parse(NULL, &r, &err), ZF_EVALIDATION);
    zf_principal p = {0};
    p.role = ZF_ROLE_OPERATOR;
    assert_true(zf_principal_allows(&p, ZF_ROLE_VIEWER));
    assert_true(zf_principal_allows(&p, ZF_ROLE_OPERATOR));
    assert_false(zf_principal_allows(&p, ZF_ROLE_ADMIN));
    p.role = 0;
    assert_false(zf_principal_allows(&p, 0)); /* no role: nothing */
    assert_false(zf_principal_allows(NULL, 0));
}

static void test_input_rules(void **state)
{
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_org_slug_check("acme", &err), 0);
    assert_int_equal(zf_org_slug_check("0-a-b", &err), 0);
    assert_int_equal(zf_org_slug_check("1234567890123456789012345678901234567890", &err), 0);
    const char *bad[] = {"",       "-acme", "Acme",  "ac me",
                         "acme_x", "ac/me", "ac.me", "12345678901234567890123456789012345678901",
                         NULL};
    for (int i = 0; bad[i]; i++) {
        assert_int_equal(zf_org_slug_check(bad[i], &err), ZF_EVALIDATION);
        assert_int_equal(err.hint_id, ZF_HINT_ORG_SLUG);
    }
    assert_int_equal(zf_org_slug_check(NULL, &err), ZF_EVALIDATION);

    assert_int_equal(zf_password_check("", 0, &err), ZF_EVALIDATION);
    assert_non_null(strstr(err.message, "empty"));
    assert_int_equal(zf_password_check("abcdefghi", 9, &err), ZF_EVALIDATION);
    assert_non_null(strstr(err.message, "shorter"));
    assert_int_equal(zf_password_check("aaaaaaaaaaaaaaaa", 16, &err), ZF_EVALIDATION);
    assert_int_equal(zf_password_check("abababababab", 12, &err), ZF_EVALIDATION);
    assert_int_equal(err.hint_id, ZF_HINT_PASSWORD_RULES);
    assert_int_equal(zf_password_check("abcdefghij", 10, &err), 0);
    char big[ZF_PASSWORD_MAX + 2];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    assert_int_equal(zf_password_check(big, ZF_PASSWORD_MAX, &err), 0);
    assert_int_equal(zf_password_check(big, ZF_PASSWORD_MAX + 1, &err), ZF_EVALIDATION);
    /* bytes with a length: a NUL inside counts */
    assert_int_equal(zf_password_check("ab\0cdefghij", 11, &err), 0);
}

static void test_password_hash(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    char *h = NULL, *h2 = NULL;
    assert_int_equal(zf_password_hash(f->a, PW, PWLEN, &h, &err), 0);
    assert_non_null(strstr(h, "$argon2id$"));
    assert_null(strstr(h, PW));
    assert_int_equal(zf_password_hash(f->a, PW, PWLEN, &h2, &err), 0);
    assert_string_not_equal(h, h2); /* salted */
    assert_int_equal(zf_password_verify(h, PW, PWLEN, &err), 0);
    assert_int_equal(zf_password_verify(h, PW, PWLEN - 1, &err), ZF_EAUTH);
    assert_int_equal(zf_password_verify("not a hash", PW, PWLEN, &err), ZF_EAUTH);
    assert_int_equal(zf_password_verify(NULL, PW, PWLEN, &err), ZF_EAUTH);
    free(h);
    free(h2);
    /* a NUL inside the password is part of it */
    const char nul[] = "abc\0defghijk";
    assert_int_equal(zf_password_hash(f->a, nul, sizeof nul - 1, &h, &err), 0);
    assert_int_equal(zf_password_verify(h, nul, sizeof nul - 1, &err), 0);
    assert_int_equal(zf_password_verify(h, "abc", 3, &err), ZF_EAUTH);
    free(h);
}

static void test_orgs_and_accounts(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_org_create(f->a, "acme", "Acme Inc.", "test", &err), 0);
    assert_int_equal(zf_org_create(f->a, "acme", NULL, "test", &err), ZF_ECONFLICT);
    assert_int_equal(zf_org_create(f->a, "Bad Org", NULL, "test", &err), ZF_EVALIDATION);
    assert_int_equal(zf_org_create(f->a, "beta", "bad\nname", "test", &err), ZF_EVALIDATION);
    zf_org o;
    assert_int_equal(zf_org_get(f->a, "acme", &o, &err), 0);
    assert_string_equal(o.name, "Acme Inc.");
    assert_int_equal(o.created_at, clock_now);
    zf_org_free(&o);

    zf_account_new_req r = ZF_ACCOUNT_NEW_REQ_INIT;
    r.org = "nope";
    r.email = "a@example.com";
    r.password = PW;
    r.password_len = PWLEN;
    assert_int_equal(zf_account_create(f->a, &r, NULL, NULL, &err), ZF_ENOTFOUND);
    assert_int_equal(err.hint_id, ZF_HINT_CREATE_ORG);
    r.org = "acme";
    r.email = "not-an-email";
    assert_int_equal(zf_account_create(f->a, &r, NULL, NULL, &err), ZF_EVALIDATION);
    r.email = "Ann@Example.COM";
    r.password = "short";
    r.password_len = 5;
    assert_int_equal(zf_account_create(f->a, &r, NULL, NULL, &err), ZF_EVALIDATION);
    r.password = PW;
    r.password_len = PWLEN;
    r.role = 7;
    assert_int_equal(zf_account_create(f->a, &r, NULL, NULL, &err), ZF_EVALIDATION);
    r.role = ZF_ROLE_ADMIN;
    zf_account acc;
    int created = -1;
    assert_int_equal(zf_account_create(f->a, &r, &acc, &created, &err), 0);
    assert_int_equal(created, 1);
    assert_string_equal(acc.email, "ann@example.com"); /* lowercased */
    assert_string_equal(acc.org, "acme");
    assert_int_equal(acc.role, ZF_ROLE_ADMIN);
    int64_t ann = acc.id;
    zf_account_free(&acc);
    r.email = "ANN@example.com";
    assert_int_equal(zf_account_create(f->a, &r, NULL, NULL, &err), ZF_ECONFLICT);
    assert_non_null(strstr(err.message, "already a member"));

    /* the same person joins a second org with her own password */
    assert_int_equal(zf_org_create(f->a, "beta", NULL, "test", &err), 0);
    r.org = "beta";
    r.role = ZF_ROLE_VIEWER;
    r.password = NULL;
    r.password_len = 0;
    assert_int_equal(zf_account_create(f->a, &r, &acc, &created, &err), 0);
    assert_int_equal(created, 0);
    assert_int_equal(acc.id, ann);
    assert_int_equal(acc.role, ZF_ROLE_VIEWER);
    zf_account_free(&acc);

    /* each org sees its own role, and lists only its members */
    make_account(f, "beta", "bob@example.com", ZF_ROLE_OPERATOR);
    zf_account *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_account_list(f->a, "acme", &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].role, ZF_ROLE_ADMIN);
    zf_account_free_list(list, n);
    assert_int_equal(zf_account_list(f->a, "beta", &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].email, "ann@example.com");
    assert_int_equal(list[0].role, ZF_ROLE_VIEWER);
    assert_string_equal(list[1].email, "bob@example.com");
    zf_account_free_list(list, n);
    assert_int_equal(zf_account_get_by_email(f->a, "acme", "bob@example.com", &acc, &err),
                     ZF_ENOTFOUND);
    assert_int_equal(zf_account_get_by_email(f->a, "beta", "BOB@example.com", &acc, &err), 0);
    int64_t bob = acc.id;
    zf_account_free(&acc);
    assert_int_equal(zf_account_get(f->a, "acme", bob, &acc, &err), ZF_ENOTFOUND);
    /* another org's account cannot be touched through this org */
    assert_int_equal(zf_account_set_role(f->a, "acme", bob, ZF_ROLE_ADMIN, "test", &err),
                     ZF_ENOTFOUND);
    assert_int_equal(zf_account_remove(f->a, "acme", bob, "test", &err), ZF_ENOTFOUND);
    assert_int_equal(zf_account_disable(f->a, "acme", bob, 1, "test", &err), ZF_ENOTFOUND);
    assert_int_equal(zf_account_set_password(f->a, "acme", bob, "another fine pw", 15, "t", &err),
                     ZF_ENOTFOUND);
}

static void test_signin_and_failures_say_the_same(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_secret cookie = ZF_SECRET_INIT;
    zf_principal p;
    int64_t id = make_account(f, "acme", "ann@example.com", ZF_ROLE_OPERATOR);
    assert_int_equal(
        signin(f, f->a, "Ann@example.com", PW, PWLEN, NULL, "10.0.0.1", &cookie, &p, &err), 0);
    assert_int_equal(cookie.len, 43);
    assert_int_equal(p.kind, ZF_PRINCIPAL_SESSION);
    assert_string_equal(p.org, "acme");
    assert_int_equal(p.role, ZF_ROLE_OPERATOR);
    assert_int_equal(p.account_id, id);
    assert_string_equal(p.email, "ann@example.com");
    assert_string_equal(p.actor, "account:ann@example.com");
    assert_int_equal(strlen(p.csrf), ZF_CSRF_LEN);
    assert_int_equal(p.expires_at, clock_now + 2 * 3600);
    assert_int_equal(p.session_max_at, clock_now + 12 * 3600);
    zf_secret_free(&cookie);

    /* wrong password, unknown email, disabled, another org: one answer */
    make_account(f, "beta", "bob@example.com", ZF_ROLE_ADMIN);
    int64_t cy = make_account(f, "acme", "cy@example.com", ZF_ROLE_VIEWER);
    make_account(f, "acme", "root@example.com", ZF_ROLE_ADMIN);
    assert_int_equal(zf_account_disable(f->a, "acme", cy, 1, "test", &err), 0);
    struct {
        const char *email, *pw, *org;
    } cases[] = {
        {"ann@example.com", "wrong password!", NULL},
        {"nobody@example.com", PW, NULL},
        {"cy@example.com", PW, NULL},
        {"ann@example.com", PW, "beta"},
        {"ann@example.com", PW, "no such org!"},
    };
    char first[ZF_ERROR_MSG_MAX] = "";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = signin(f, f->a, cases[i].email, cases[i].pw, strlen(cases[i].pw), cases[i].org,
                        "10.0.0.2", &cookie, &p, &err);
        assert_int_equal(rc, ZF_EAUTH);
        assert_int_equal(err.hint_id, ZF_HINT_CHECK_CREDENTIALS);
        if (!first[0])
            snprintf(first, sizeof first, "%s", err.message);
        assert_string_equal(err.message, first);
        assert_null(cookie.ptr);
        assert_string_equal(p.org, "");
    }
    /* a prefix of the password (as a C string would cut it) is not it */
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, 7, NULL, NULL, &cookie, &p, &err),
                     ZF_EAUTH);
    assert_int_equal(signin(f, f->a, "ann@example.com", "", 0, NULL, NULL, &cookie, &p, &err),
                     ZF_EVALIDATION);
}

static double ms_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* This thread's CPU time: what the KDF costs, whatever else the machine
 * runs (wall time on a loaded 2-core CI machine told them apart wrongly). */
static double cpu_ms_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* At the real cost, an unknown email takes about as long as a wrong
 * password (a dummy hash is checked), so timing does not tell them apart. */
static void test_unknown_email_takes_as_long(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_access_opts o = ZF_ACCESS_OPTS_INIT; /* the defaults: INTERACTIVE */
    o.now = test_now;
    o.account_failures = 1000;
    o.addr_failures = 1000;
    zf_access *real = NULL;
    assert_int_equal(zf_access_new(&real, f->st, &o, &err), 0);
    assert_int_equal(zf_org_create(real, "acme", NULL, "test", &err), 0);
    zf_account_new_req r = ZF_ACCOUNT_NEW_REQ_INIT;
    r.org = "acme";
    r.email = "ann@example.com";
    r.password = PW;
    r.password_len = PWLEN;
    double t0 = ms_now();
    assert_int_equal(zf_account_create(real, &r, NULL, NULL, &err), 0);
    double hash_ms = ms_now() - t0;
    zf_secret cookie = ZF_SECRET_INIT;
    zf_principal p;
    /* the first unknown email makes the dummy hash: not timed */
    signin(f, real, "warmup@example.com", PW, PWLEN, NULL, NULL, &cookie, &p, &err);
    /* the fastest of 5 in CPU time: interference only ever adds */
    double known = 1e9, unknown = 1e9;
    for (int i = 0; i < 5; i++) {
        t0 = cpu_ms_now();
        assert_int_equal(
            signin(f, real, "ann@example.com", "wrong password", 14, NULL, NULL, &cookie, &p, &err),
            ZF_EAUTH);
        double k = cpu_ms_now() - t0;
        known = k < known ? k : known;
        t0 = cpu_ms_now();
        assert_int_equal(signin(f, real, "nobody@example.com", "wrong password", 14, NULL, NULL,
                                &cookie, &p, &err),
                         ZF_EAUTH);
        double u = cpu_ms_now() - t0;
        unknown = u < unknown ? u : unknown;
    }
    print_message("argon2id default cost: create %.1f ms; sign-in known %.1f ms, unknown %.1f "
                  "ms of CPU (fastest of 5)\n",
                  hash_ms, known, unknown);
    assert_true(unknown > known * 0.6);
    assert_true(known > unknown * 0.6);
    zf_access_free(real);
}

/* Two handles on one database (two replicas): the failures add up, and
 * both refuse once the account is locked, even the right password. */
static void test_lock_per_account_across_replicas(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store *st2 = NULL;
    zf_access *a2 = NULL;
    zf_access_opts o = fast_opts();
    assert_int_equal(zf_store_open(&st2, f->db.dsn, &err), 0);
    assert_int_equal(zf_access_new(&a2, st2, &o, &err), 0);
    make_account(f, "acme", "ann@example.com", ZF_ROLE_ADMIN);
    zf_secret cookie = ZF_SECRET_INIT;
    zf_principal p;
    for (int i = 0; i < 5; i++) { /* five addresses: the account's count, not theirs */
        char addr[32];
        snprintf(addr, sizeof addr, "10.0.1.%d", i);
        assert_int_equal(signin(f, i % 2 ? a2 : f->a, "ann@example.com", "bad password", 12, NULL,
                                addr, &cookie, &p, &err),
                         ZF_EAUTH);
        clock_now += 10;
    }
    for (int i = 0; i < 2; i++) {
        assert_int_equal(signin(f, i ? a2 : f->a, "ann@example.com", PW, PWLEN, NULL, "10.9.9.9",
                                &cookie, &p, &err),
                         ZF_ERATELIMIT);
        assert_true(err.retry_after > 800 && err.retry_after <= 900);
        assert_int_equal(err.hint_id, ZF_HINT_SIGNIN_WAIT);
    }
    /* another account is not locked */
    make_account(f, "acme", "bob@example.com", ZF_ROLE_VIEWER);
    assert_int_equal(
        signin(f, a2, "bob@example.com", PW, PWLEN, NULL, "10.9.9.9", &cookie, &p, &err), 0);
    zf_secret_free(&cookie);
    /* an unknown email locks the same way (no telling it apart) */
    for (int i = 0; i < 5; i++)
        signin(f, f->a, "ghost@example.com", "bad password", 12, NULL, NULL, &cookie, &p, &err);
    assert_int_equal(
        signin(f, a2, "ghost@example.com", "bad password", 12, NULL, NULL, &cookie, &p, &err),
        ZF_ERATELIMIT);
    /* the lock ends */
    clock_now += 901;
    assert_int_equal(
        signin(f, a2, "ann@example.com", PW, PWLEN, NULL, "10.9.9.9", &cookie, &p, &err), 0);
    zf_secret_free(&cookie);
    /* a success cleared the count: four more failures do not lock */
    for (int i = 0; i < 4; i++)
        signin(f, f->a, "ann@example.com", "bad password", 12, NULL, NULL, &cookie, &p, &err);
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &cookie, &p, &err),
                     0);
    zf_secret_free(&cookie);
    zf_access_free(a2);
    zf_store_free(st2);
}

static void test_lock_per_address(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store *st2 = NULL;
    zf_access *a2 = NULL;
    zf_access_opts o = fast_opts();
    assert_int_equal(zf_store_open(&st2, f->db.dsn, &err), 0);
    assert_int_equal(zf_access_new(&a2, st2, &o, &err), 0);
    make_account(f, "acme", "ann@example.com", ZF_ROLE_ADMIN);
    zf_secret cookie = ZF_SECRET_INIT;
    zf_principal p;
    for (int i = 0; i < 20; i++) { /* twenty emails, one address, two replicas */
        char email[64];
        snprintf(email, sizeof email, "guess%d@example.com", i);
        assert_int_equal(signin(f, i % 2 ? a2 : f->a, email, "bad password", 12, NULL,
                                "203.0.113.7", &cookie, &p, &err),
                         ZF_EAUTH);
    }
    assert_int_equal(
        signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, "203.0.113.7", &cookie, &p, &err),
        ZF_ERATELIMIT);
    assert_true(err.retry_after > 0);
    /* from another address the account signs in */
    assert_int_equal(
        signin(f, a2, "ann@example.com", PW, PWLEN, NULL, "203.0.113.8", &cookie, &p, &err), 0);
    zf_secret_free(&cookie);
    zf_access_free(a2);
    zf_store_free(st2);
}

static void test_session_check_and_csrf(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_secret cookie = ZF_SECRET_INIT;
    zf_principal p, q;
    make_account(f, "acme", "ann@example.com", ZF_ROLE_ADMIN);
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, "acme", NULL, &cookie, &p, &err),
                     0);
    const char *c = zf_secret_reveal(&cookie);
    assert_int_equal(zf_web_session_check(f->a, c, cookie.len, &q, &err), 0);
    assert_string_equal(q.org, "acme");
    assert_int_equal(q.role, ZF_ROLE_ADMIN);
    assert_string_equal(q.csrf, p.csrf); /* the same token after a reload */

    memcmp_calls = 0;
    assert_int_equal(zf_principal_csrf_check(&q, p.csrf, strlen(p.csrf), &err), 0);
    assert_true(memcmp_calls > 0); /* constant-time compare */
    assert_int_equal(zf_principal_csrf_check(&q, NULL, 0, &err), ZF_EFORBIDDEN);
    assert_non_null(strstr(err.message, "no CSRF token"));
    assert_int_equal(err.hint_id, ZF_HINT_SEND_CSRF_TOKEN);
    char wrong[ZF_CSRF_LEN + 1];
    snprintf(wrong, sizeof wrong, "%s", p.csrf);
    wrong[5] = wrong[5] == 'A' ? 'B' : 'A';
    assert_int_equal(zf_principal_csrf_check(&q, wrong, ZF_CSRF_LEN, &err), ZF_EFORBIDDEN);
    assert_int_equal(zf_principal_csrf_check(&q, p.csrf, ZF_CSRF_LEN - 1, &err), ZF_EFORBIDDEN);

    /* a changed cookie, a short one, junk: not signed in */
    char other[64];
    snprintf(other, sizeof other, "%s", c);
    other[0] = other[0] == 'x' ? 'y' : 'x';
    assert_int_equal(zf_web_session_check(f->a, other, cookie.len, &q, &err), ZF_EAUTH);
    assert_int_equal(err.hint_id, ZF_HINT_SIGN_IN_AGAIN);
    assert_int_equal(zf_web_session_check(f->a, c, cookie.len - 1, &q, &err), ZF_EAUTH);
    assert_int_equal(zf_web_session_check(f->a, "a;b=c", 5, &q, &err), ZF_EAUTH);
    assert_int_equal(zf_web_session_check(f->a, NULL, 0, &q, &err), ZF_EAUTH);

    /* sign-out ends it */
    assert_int_equal(zf_web_session_end(f->a, c, cookie.len, &err), 0);
    assert_int_equal(zf_web_session_check(f->a, c, cookie.len, &q, &err), ZF_EAUTH);
    assert_int_equal(zf_web_session_end(f->a, c, cookie.len, &err), 0); /* again: fine */
    zf_secret_free(&cookie);
}

static void test_session_expiry(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_secret cookie = ZF_SECRET_INIT;
    zf_principal p;
    make_account(f, "acme", "ann@example.com", ZF_ROLE_ADMIN);
    /* idle: 2 h without a request */
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &cookie, &p, &err),
                     0);
    clock_now += 2 * 3600 - 1;
    assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&cookie), 43, &p, &err), 0);
    assert_int_equal(p.expires_at, clock_now + 2 * 3600); /* the use moved the idle end */
    clock_now += 2 * 3600;
    assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&cookie), 43, &p, &err), ZF_EAUTH);
    assert_non_null(strstr(err.message, "expired"));
    zf_secret_free(&cookie);
    /* absolute: 12 h after sign-in however busy */
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &cookie, &p, &err),
                     0);
    int64_t max = p.session_max_at;
    while (clock_now + 3600 < max) {
        clock_now += 3600;
        assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&cookie), 43, &p, &err), 0);
        assert_true(p.expires_at <= max);
    }
    clock_now = max;
    assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&cookie), 43, &p, &err), ZF_EAUTH);
    zf_secret_free(&cookie);
    assert_int_equal(zf_access_purge(f->a, &err), 0);
}

static void test_password_change_ends_sessions(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_secret c1 = ZF_SECRET_INIT, c2 = ZF_SECRET_INIT, c3 = ZF_SECRET_INIT;
    zf_principal p;
    int64_t ann = make_account(f, "acme", "ann@example.com", ZF_ROLE_ADMIN);
    make_account(f, "acme", "bob@example.com", ZF_ROLE_ADMIN);
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &c1, &p, &err), 0);
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &c2, &p, &err), 0);
    assert_int_equal(signin(f, f->a, "bob@example.com", PW, PWLEN, NULL, NULL, &c3, &p, &err), 0);
    const char np[] = "a new pass phrase";
    assert_int_equal(
        zf_account_change_password(f->a, ann, "wrong one!", 10, np, sizeof np - 1, "t", &err),
        ZF_EAUTH);
    assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&c1), 43, &p, &err), 0);
    assert_int_equal(zf_account_change_password(f->a, ann, PW, PWLEN, "weak", 4, "t", &err),
                     ZF_EVALIDATION);
    assert_int_equal(zf_account_change_password(f->a, ann, PW, PWLEN, np, sizeof np - 1,
                                                "account:ann@example.com", &err),
                     0);
    assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&c1), 43, &p, &err), ZF_EAUTH);
    assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&c2), 43, &p, &err), ZF_EAUTH);
    assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&c3), 43, &p, &err), 0);
    zf_secret_free(&c1);
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &c1, &p, &err),
                     ZF_EAUTH);
    assert_int_equal(
        signin(f, f->a, "ann@example.com", np, sizeof np - 1, NULL, NULL, &c1, &p, &err), 0);
    /* an admin's reset ends them too */
    assert_int_equal(zf_account_set_password(f->a, "acme", ann, PW, PWLEN, "account:bob", &err), 0);
    assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&c1), 43, &p, &err), ZF_EAUTH);
    zf_secret_free(&c1);
    zf_secret_free(&c2);
    zf_secret_free(&c3);
}

static void test_role_disable_remove(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_secret c = ZF_SECRET_INIT;
    zf_principal p;
    int64_t ann = make_account(f, "acme", "ann@example.com", ZF_ROLE_ADMIN);
    /* the last admin stays */
    assert_int_equal(zf_account_set_role(f->a, "acme", ann, ZF_ROLE_VIEWER, "t", &err),
                     ZF_ECONFLICT);
    assert_int_equal(err.hint_id, ZF_HINT_KEEP_AN_ADMIN);
    assert_int_equal(zf_account_disable(f->a, "acme", ann, 1, "t", &err), ZF_ECONFLICT);
    assert_int_equal(zf_account_remove(f->a, "acme", ann, "t", &err), ZF_ECONFLICT);
    int64_t bob = make_account(f, "acme", "bob@example.com", ZF_ROLE_ADMIN);
    /* a role change ends the sessions in that org */
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &c, &p, &err), 0);
    assert_int_equal(zf_account_set_role(f->a, "acme", ann, ZF_ROLE_OPERATOR, "t", &err), 0);
    assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&c), 43, &p, &err), ZF_EAUTH);
    zf_secret_free(&c);
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &c, &p, &err), 0);
    assert_int_equal(p.role, ZF_ROLE_OPERATOR);
    /* disable: sessions end, sign-in says what a wrong password says */
    assert_int_equal(zf_account_disable(f->a, "acme", ann, 1, "t", &err), 0);
    assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&c), 43, &p, &err), ZF_EAUTH);
    zf_secret_free(&c);
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &c, &p, &err),
                     ZF_EAUTH);
    assert_int_equal(zf_account_disable(f->a, "acme", ann, 0, "t", &err), 0);
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &c, &p, &err), 0);
    zf_secret_free(&c);

    /* an account of two orgs: one org's admin may not disable or reset it */
    zf_account_new_req r = ZF_ACCOUNT_NEW_REQ_INIT;
    make_account(f, "beta", "root@example.com", ZF_ROLE_ADMIN);
    r.org = "beta";
    r.email = "ann@example.com";
    r.role = ZF_ROLE_VIEWER;
    assert_int_equal(zf_account_create(f->a, &r, NULL, NULL, &err), 0);
    assert_int_equal(zf_account_disable(f->a, "beta", ann, 1, "t", &err), ZF_EFORBIDDEN);
    assert_int_equal(err.hint_id, ZF_HINT_REMOVE_FROM_ORG);
    assert_int_equal(zf_account_set_password(f->a, "beta", ann, "a new pass phrase", 17, "t", &err),
                     ZF_EFORBIDDEN);
    /* signing in with several orgs needs one named */
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &c, &p, &err),
                     ZF_EVALIDATION);
    assert_int_equal(err.hint_id, ZF_HINT_CHOOSE_ORG);
    assert_non_null(strstr(err.message, "acme, beta"));
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, "beta", NULL, &c, &p, &err), 0);
    assert_int_equal(p.role, ZF_ROLE_VIEWER);
    /* removed from beta: the beta session ends, the account stays in acme */
    assert_int_equal(zf_account_remove(f->a, "beta", ann, "t", &err), 0);
    assert_int_equal(zf_web_session_check(f->a, zf_secret_reveal(&c), 43, &p, &err), ZF_EAUTH);
    zf_secret_free(&c);
    zf_account acc;
    assert_int_equal(zf_account_get(f->a, "acme", ann, &acc, &err), 0);
    zf_account_free(&acc);
    /* removed from its last org: the account is gone (once ann is an
     * admin again, bob is not the last one) */
    assert_int_equal(zf_account_remove(f->a, "acme", bob, "t", &err), ZF_ECONFLICT);
    assert_int_equal(zf_account_set_role(f->a, "acme", ann, ZF_ROLE_ADMIN, "t", &err), 0);
    assert_int_equal(zf_account_remove(f->a, "acme", bob, "t", &err), 0);
    assert_int_equal(zf_account_disable(f->a, NULL, bob, 1, "t", &err), ZF_ENOTFOUND);
    assert_int_equal(signin(f, f->a, "bob@example.com", PW, PWLEN, NULL, NULL, &c, &p, &err),
                     ZF_EAUTH);
}

static void test_api_keys(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_secret key = ZF_SECRET_INIT, key2 = ZF_SECRET_INIT, kb = ZF_SECRET_INIT;
    zf_api_key k;
    zf_principal p;
    make_account(f, "acme", "ann@example.com", ZF_ROLE_ADMIN);
    make_account(f, "beta", "bob@example.com", ZF_ROLE_ADMIN);
    zf_api_key_req r = ZF_API_KEY_REQ_INIT;
    r.org = "acme";
    r.name = "ci";
    r.role = ZF_ROLE_OPERATOR;
    r.actor = "account:ann@example.com";
    r.expires_at = clock_now - 1;
    assert_int_equal(zf_api_key_create(f->a, &r, &key, NULL, &err), ZF_EVALIDATION);
    r.expires_at = 0;
    r.name = "";
    assert_int_equal(zf_api_key_create(f->a, &r, &key, NULL, &err), ZF_EVALIDATION);
    r.name = "ci";
    r.role = 0;
    assert_int_equal(zf_api_key_create(f->a, &r, &key, NULL, &err), ZF_EVALIDATION);
    r.role = ZF_ROLE_OPERATOR;
    assert_int_equal(zf_api_key_create(f->a, &r, &key, &k, &err), 0);
    const char *s = zf_secret_reveal(&key);
    assert_int_equal(key.len, 64);
    assert_memory_equal(s, "zfk_", 4);
    assert_memory_equal(s + 4, k.id, 16);
    assert_int_equal(s[20], '_');
    assert_string_equal(k.created_by, "account:ann@example.com");
    assert_int_equal(k.expires_at, 0);
    char id[17];
    snprintf(id, sizeof id, "%s", k.id);
    zf_api_key_free(&k);

    memcmp_calls = 0;
    assert_int_equal(zf_api_key_check(f->a, s, key.len, &p, &err), 0);
    assert_true(memcmp_calls > 0); /* the hash compare is constant-time */
    assert_int_equal(p.kind, ZF_PRINCIPAL_KEY);
    assert_string_equal(p.org, "acme");
    assert_int_equal(p.role, ZF_ROLE_OPERATOR);
    assert_string_equal(p.key_id, id);
    assert_string_equal(p.email, "");
    assert_string_equal(p.csrf, "");
    assert_int_equal(zf_principal_csrf_check(&p, NULL, 0, &err), 0); /* no cookie, no CSRF */
    assert_int_equal(zf_api_key_get(f->a, "acme", id, &k, &err), 0);
    assert_int_equal(k.last_used_at, clock_now);
    zf_api_key_free(&k);

    /* one changed character of the secret, of the id, a short key, junk */
    char bad[80];
    snprintf(bad, sizeof bad, "%s", s);
    bad[40] = bad[40] == 'A' ? 'B' : 'A';
    assert_int_equal(zf_api_key_check(f->a, bad, 64, &p, &err), ZF_EAUTH);
    assert_int_equal(err.hint_id, ZF_HINT_CHECK_API_KEY);
    snprintf(bad, sizeof bad, "%s", s);
    bad[6] = bad[6] == '0' ? '1' : '0';
    assert_int_equal(zf_api_key_check(f->a, bad, 64, &p, &err), ZF_EAUTH);
    assert_int_equal(zf_api_key_check(f->a, s, 63, &p, &err), ZF_EAUTH);
    assert_int_equal(zf_api_key_check(f->a, "Bearer x", 8, &p, &err), ZF_EAUTH);
    assert_int_equal(zf_api_key_check(f->a, NULL, 0, &p, &err), ZF_EAUTH);

    /* another org's key: not listed, not revocable, not readable here */
    zf_api_key_req rb = r;
    rb.org = "beta";
    rb.name = "beta's";
    rb.role = ZF_ROLE_ADMIN;
    assert_int_equal(zf_api_key_create(f->a, &rb, &kb, &k, &err), 0);
    char bid[17];
    snprintf(bid, sizeof bid, "%s", k.id);
    zf_api_key_free(&k);
    assert_int_equal(zf_api_key_revoke(f->a, "acme", bid, "t", &err), ZF_ENOTFOUND);
    assert_int_equal(zf_api_key_get(f->a, "acme", bid, &k, &err), ZF_ENOTFOUND);
    zf_api_key *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_api_key_list(f->a, "acme", &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].id, id);
    zf_api_key_free_list(list, n);
    assert_int_equal(zf_api_key_check(f->a, zf_secret_reveal(&kb), 64, &p, &err), 0);
    assert_string_equal(p.org, "beta"); /* the key names its own org, never acme */

    /* revoked */
    assert_int_equal(zf_api_key_revoke(f->a, "acme", id, "account:ann@example.com", &err), 0);
    assert_int_equal(zf_api_key_check(f->a, s, 64, &p, &err), ZF_EAUTH);
    assert_int_equal(zf_api_key_revoke(f->a, "acme", id, "t", &err), 0); /* again: no change */
    assert_int_equal(zf_api_key_list(f->a, "acme", &list, &n, &err), 0);
    assert_int_equal(list[0].revoked_at, clock_now);
    zf_api_key_free_list(list, n);

    /* expired */
    r.expires_at = clock_now + 60;
    assert_int_equal(zf_api_key_create(f->a, &r, &key2, NULL, &err), 0);
    assert_int_equal(zf_api_key_check(f->a, zf_secret_reveal(&key2), 64, &p, &err), 0);
    assert_int_equal(p.expires_at, clock_now + 60);
    clock_now += 60;
    assert_int_equal(zf_api_key_check(f->a, zf_secret_reveal(&key2), 64, &p, &err), ZF_EAUTH);
    zf_secret_free(&key);
    zf_secret_free(&key2);
    zf_secret_free(&kb);
}

typedef struct found {
    const char *needle[8];
    int hits;
    zf_buf all;
} found;

static void collect(void *ctx, const char *value)
{
    found *fd = ctx;
    if (value)
        zf_buf_appendf(&fd->all, "%s\n", value);
}

static int file_has(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(buf + i, needle, k) == 0)
            return 1;
    return 0;
}

/* After accounts, sessions and keys exist, nothing in the database (every
 * table's text on PostgreSQL; the SQLite file and its WAL, byte for byte)
 * holds a password, a cookie value, a CSRF token or a key. */
static void test_database_holds_no_credential(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_secret cookie = ZF_SECRET_INIT, key = ZF_SECRET_INIT;
    zf_principal p;
    make_account(f, "acme", "ann@example.com", ZF_ROLE_ADMIN);
    assert_int_equal(
        signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, "10.1.1.1", &cookie, &p, &err), 0);
    zf_principal q;
    signin(f, f->a, "ann@example.com", "a wrong guess", 13, NULL, "10.1.1.1", NULL, &q, &err);
    assert_int_equal(strlen(p.csrf), ZF_CSRF_LEN);
    zf_api_key_req r = ZF_API_KEY_REQ_INIT;
    r.org = "acme";
    r.name = "ci";
    r.role = ZF_ROLE_VIEWER;
    assert_int_equal(zf_api_key_create(f->a, &r, &key, NULL, &err), 0);
    const char *secret = zf_secret_reveal(&key) + 21; /* the part after the id */
    const char *needles[] = {PW, "a wrong guess", zf_secret_reveal(&cookie), p.csrf, secret};
    if (tdb_pg()) {
        found fd = {{0}, 0, ZF_BUF_INIT(1 << 22)};
        const char *tables[] = {"orgs",         "accounts",        "memberships", "api_keys",
                                "web_sessions", "signin_throttle", "audit_log"};
        for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
            char sql[128];
            snprintf(sql, sizeof sql, "SELECT CAST(x AS TEXT) FROM %s x", tables[t]);
            tdb_each(&f->db, sql, NULL, collect, &fd);
        }
        assert_non_null(strstr(zf_buf_cstr(&fd.all), "ann@example.com")); /* it did look */
        for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
            if (strstr(zf_buf_cstr(&fd.all), needles[i]))
                fail_msg("the database holds credential %zu in clear", i);
        zf_buf_free(&fd.all);
    } else {
        char wal[200];
        snprintf(wal, sizeof wal, "%s-wal", f->db.path);
        assert_true(file_has(f->db.path, "ann@example.com") || file_has(wal, "ann@example.com"));
        for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
            if (file_has(f->db.path, needles[i]) || file_has(wal, needles[i]))
                fail_msg("the database file holds credential %zu in clear", i);
    }
    zf_secret_free(&cookie);
    zf_secret_free(&key);
}

typedef struct audit_seen {
    zf_buf all;
} audit_seen;

static void test_audit_rows(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_secret cookie = ZF_SECRET_INIT, key = ZF_SECRET_INIT;
    zf_principal p;
    int64_t ann = make_account(f, "acme", "ann@example.com", ZF_ROLE_ADMIN);
    int64_t bob = make_account(f, "acme", "bob@example.com", ZF_ROLE_VIEWER);
    make_account(f, "beta", "zed@example.com", ZF_ROLE_ADMIN);
    assert_int_equal(signin(f, f->a, "ann@example.com", PW, PWLEN, NULL, NULL, &cookie, &p, &err),
                     0);
    zf_principal q;
    signin(f, f->a, "ann@example.com", "a wrong guess", 13, NULL, NULL, NULL, &q, &err);
    assert_int_equal(zf_account_set_role(f->a, "acme", bob, ZF_ROLE_OPERATOR, p.actor, &err), 0);
    assert_int_equal(zf_account_set_role(f->a, "acme", ann, ZF_ROLE_VIEWER, p.actor, &err),
                     ZF_ECONFLICT);
    zf_api_key_req r = ZF_API_KEY_REQ_INIT;
    r.org = "acme";
    r.name = "ci";
    r.role = ZF_ROLE_VIEWER;
    r.actor = p.actor;
    zf_api_key k;
    assert_int_equal(zf_api_key_create(f->a, &r, &key, &k, &err), 0);
    assert_int_equal(zf_api_key_revoke(f->a, "acme", k.id, p.actor, &err), 0);
    zf_api_key_free(&k);
    assert_int_equal(zf_account_remove(f->a, "acme", bob, p.actor, &err), 0);
    assert_int_equal(zf_web_session_end(f->a, zf_secret_reveal(&cookie), 43, &err), 0);
    assert_int_equal(zf_account_change_password(f->a, ann, PW, PWLEN, "a new pass phrase", 17,
                                                "account:ann@example.com", &err),
                     0);

    zf_store_audit *rows = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_audit_list(f->st, "acme", 100, &rows, &n, &err), 0);
    zf_buf b = ZF_BUF_INIT(1 << 16);
    for (size_t i = n; i-- > 0;) {
        zf_buf_appendf(&b, "%s|%s|%s|%s\n", rows[i].action, rows[i].actor, rows[i].outcome,
                       rows[i].detail ? rows[i].detail : "");
        assert_int_equal(rows[i].at, clock_now);
        assert_string_equal(rows[i].conn_id, "acme");
    }
    const char *log = zf_buf_cstr(&b);
    const char *want[] = {
        "org.create|test|ok|org=acme",
        "account.create|test|ok|email=ann@example.com role=admin new account",
        "signin|account:ann@example.com|ok|email=ann@example.com",
        "signin|anonymous|EAUTH|email=ann@example.com",
        "account.role|account:ann@example.com|ok|account=",
        "account.role|account:ann@example.com|ECONFLICT|",
        "key.create|account:ann@example.com|ok|key=",
        "key.revoke|account:ann@example.com|ok|key=",
        "account.remove|account:ann@example.com|ok|",
        "signout|account:ann@example.com|ok|",
        "account.password|account:ann@example.com|ok|account=",
    };
    const char *at = log;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *hit = strstr(at, want[i]);
        if (!hit)
            fail_msg("audit lacks (in order) \"%s\":\n%s", want[i], log);
        at = hit;
    }
    assert_null(strstr(log, "zed@example.com")); /* beta's rows are beta's */
    assert_null(strstr(log, PW));
    assert_null(strstr(log, zf_secret_reveal(&key) + 21));
    zf_buf_free(&b);
    zf_store_audit_free_list(rows, n);
    zf_secret_free(&cookie);
    zf_secret_free(&key);
}

int main(void)
{
    tdb_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_input_rules),
        cmocka_unit_test_setup_teardown(test_password_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orgs_and_accounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signin_and_failures_say_the_same, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_email_takes_as_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_per_account_across_replicas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_per_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_check_and_csrf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_change_ends_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_role_disable_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_holds_no_credential, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_rows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
