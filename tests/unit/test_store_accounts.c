/* The tenancy rows of the store (orgs, accounts, memberships, API keys,
 * web sessions, sign-in counters) over the driver ZF_TEST_DB names
 * (store_test_db.h): unit.test_store_accounts on SQLite,
 * unit.test_store_accounts.pg on PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/store.h"
#include "store_internal.h"
#include "store_test_db.h"

typedef struct fx {
    tdb db;
    zf_store *st;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    zf_error err = ZF_ERROR_INIT;
    tdb_fresh(&f->db);
    assert_int_equal(zf_store_open(&f->st, f->db.dsn, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    zf_store_free(f->st);
    tdb_drop(&f->db);
    free(f);
    return 0;
}

static void add_org(zf_store *st, const char *slug)
{
    zf_error err = ZF_ERROR_INIT;
    zf_store_org o = {(char *)slug, (char *)"Org", 100};
    assert_int_equal(zf_store_org_add(st, &o, &err), 0);
}

static int64_t add_account(zf_store *st, const char *email)
{
    zf_error err = ZF_ERROR_INIT;
    zf_store_account a = {0, (char *)email, (char *)"$argon2id$fake", 200, 0};
    assert_int_equal(zf_store_account_add(st, &a, &err), 0);
    assert_true(a.id > 0);
    return a.id;
}

static void add_member(zf_store *st, int64_t id, const char *org, int role)
{
    zf_error err = ZF_ERROR_INIT;
    zf_store_membership m = {id, (char *)org, role, 300};
    assert_int_equal(zf_store_membership_add(st, &m, &err), 0);
}

static void test_orgs(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    add_org(f->st, "zeta");
    add_org(f->st, "acme");
    zf_store_org o = {(char *)"acme", (char *)"Again", 1};
    assert_int_equal(zf_store_org_add(f->st, &o, &err), ZF_ECONFLICT);
    zf_store_org got;
    assert_int_equal(zf_store_org_get(f->st, "acme", &got, &err), 0);
    assert_string_equal(got.name, "Org"); /* the conflict changed nothing */
    zf_store_org_free(&got);
    assert_int_equal(zf_store_org_get(f->st, "nope", &got, &err), ZF_ENOTFOUND);
    zf_store_org *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_org_list(f->st, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].slug, "acme");
    assert_string_equal(list[1].slug, "zeta");
    zf_store_org_free_list(list, n);
}

static void test_accounts_and_members(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    add_org(f->st, "acme");
    add_org(f->st, "beta");
    int64_t bob = add_account(f->st, "bob@example.com");
    int64_t al = add_account(f->st, "al@example.com");
    assert_true(al != bob);
    zf_store_account dup = {0, (char *)"bob@example.com", (char *)"x", 1, 0};
    assert_int_equal(zf_store_account_add(f->st, &dup, &err), ZF_ECONFLICT);

    add_member(f->st, bob, "acme", 3);
    add_member(f->st, al, "acme", 1);
    add_member(f->st, al, "beta", 2);
    zf_store_membership again = {bob, (char *)"acme", 1, 1};
    assert_int_equal(zf_store_membership_add(f->st, &again, &err), ZF_ECONFLICT);

    zf_store_member *ms = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_member_list(f->st, "acme", &ms, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ms[0].email, "al@example.com"); /* by email */
    assert_int_equal(ms[0].role, 1);
    assert_string_equal(ms[1].email, "bob@example.com");
    assert_int_equal(ms[1].role, 3);
    assert_int_equal(ms[1].account_created_at, 200);
    assert_int_equal(ms[1].created_at, 300);
    zf_store_member_free_list(ms, n);

    int64_t admins = -1;
    assert_int_equal(zf_store_member_admins(f->st, "acme", &admins, &err), 0);
    assert_int_equal(admins, 1);
    assert_int_equal(zf_store_account_set_disabled(f->st, bob, 1, &err), 0);
    assert_int_equal(zf_store_member_admins(f->st, "acme", &admins, &err), 0);
    assert_int_equal(admins, 0); /* a disabled admin does not count */
    assert_int_equal(zf_store_member_admins(f->st, "beta", &admins, &err), 0);
    assert_int_equal(admins, 0);

    /* another org's member is not this org's */
    zf_store_member m;
    assert_int_equal(zf_store_member_get(f->st, "beta", bob, &m, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_member_get(f->st, "beta", al, &m, &err), 0);
    assert_int_equal(m.role, 2);
    zf_store_member_free(&m);
    assert_int_equal(zf_store_membership_set_role(f->st, "beta", bob, 3, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_membership_set_role(f->st, "beta", al, 3, &err), 0);
    assert_int_equal(zf_store_member_admins(f->st, "beta", &admins, &err), 0);
    assert_int_equal(admins, 1);

    zf_store_membership *orgs = NULL;
    assert_int_equal(zf_store_membership_list(f->st, al, &orgs, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(orgs[0].org, "acme");
    assert_string_equal(orgs[1].org, "beta");
    zf_store_membership_free_list(orgs, n);

    assert_int_equal(zf_store_membership_delete(f->st, "acme", al, &err), 0);
    assert_int_equal(zf_store_membership_delete(f->st, "acme", al, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_account_set_password(f->st, al, "$argon2id$new", &err), 0);
    zf_store_account acc;
    assert_int_equal(zf_store_account_get_by_email(f->st, "al@example.com", &acc, &err), 0);
    assert_string_equal(acc.password_hash, "$argon2id$new");
    assert_int_equal(acc.id, al);
    zf_store_account_free(&acc);
    assert_int_equal(zf_store_account_delete(f->st, al, &err), 0);
    assert_int_equal(zf_store_account_get(f->st, al, &acc, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_account_set_password(f->st, al, "x", &err), ZF_ENOTFOUND);
}

static void test_api_keys(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    add_org(f->st, "acme");
    add_org(f->st, "beta");
    zf_store_api_key k = {(char *)"00112233aabbccdd",
                          (char *)"acme",
                          (char *)"ci",
                          2,
                          (char *)"hash1",
                          (char *)"account:a@b.c",
                          10,
                          0,
                          0,
                          0};
    assert_int_equal(zf_store_api_key_add(f->st, &k, &err), 0);
    assert_int_equal(zf_store_api_key_add(f->st, &k, &err), ZF_ECONFLICT);
    zf_store_api_key k2 = k;
    k2.id = (char *)"ffffffffffffffff";
    k2.created_at = 20;
    assert_int_equal(zf_store_api_key_add(f->st, &k2, &err), 0);

    zf_store_api_key *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_api_key_list(f->st, "acme", &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].id, "ffffffffffffffff"); /* newest first */
    assert_int_equal(list[1].role, 2);
    zf_store_api_key_free_list(list, n);
    assert_int_equal(zf_store_api_key_list(f->st, "beta", &list, &n, &err), 0);
    assert_int_equal(n, 0);
    zf_store_api_key_free_list(list, n);

    /* revoke: once, never another org's */
    assert_int_equal(zf_store_api_key_revoke(f->st, "beta", k.id, 50, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_api_key_revoke(f->st, "acme", k.id, 50, &err), 1);
    assert_int_equal(zf_store_api_key_revoke(f->st, "acme", k.id, 60, &err), 0);
    zf_store_api_key got;
    assert_int_equal(zf_store_api_key_get(f->st, k.id, &got, &err), 0);
    assert_int_equal(got.revoked_at, 50);
    zf_store_api_key_free(&got);

    /* touch writes only when last use is older than `before` */
    assert_int_equal(zf_store_api_key_touch(f->st, k.id, 100, 100, &err), 0);
    assert_int_equal(zf_store_api_key_touch(f->st, k.id, 130, 100, &err), 0);
    assert_int_equal(zf_store_api_key_get(f->st, k.id, &got, &err), 0);
    assert_int_equal(got.last_used_at, 100);
    zf_store_api_key_free(&got);
    assert_int_equal(zf_store_api_key_get(f->st, "0000000000000000", &got, &err), ZF_ENOTFOUND);
}

static void test_web_sessions(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_web_session s = {(char *)"h1", 7, (char *)"acme", (char *)"c1", 100, 1000, 100};
    assert_int_equal(zf_store_web_session_add(f->st, &s, &err), 0);
    s.id_hash = (char *)"h2";
    s.org = (char *)"beta";
    assert_int_equal(zf_store_web_session_add(f->st, &s, &err), 0);
    s.id_hash = (char *)"h3";
    s.account_id = 8;
    assert_int_equal(zf_store_web_session_add(f->st, &s, &err), 0);

    assert_int_equal(zf_store_web_session_touch(f->st, "h1", 500, 200, &err), 0);
    zf_store_web_session got;
    assert_int_equal(zf_store_web_session_get(f->st, "h1", &got, &err), 0);
    assert_int_equal(got.last_seen_at, 500);
    assert_string_equal(got.csrf_hash, "c1");
    zf_store_web_session_free(&got);

    size_t n = 99;
    assert_int_equal(zf_store_web_session_delete_account(f->st, 7, "beta", &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(zf_store_web_session_get(f->st, "h2", &got, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_web_session_get(f->st, "h1", &got, &err), 0);
    zf_store_web_session_free(&got);
    assert_int_equal(zf_store_web_session_delete_account(f->st, 7, NULL, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(zf_store_web_session_get(f->st, "h3", &got, &err), 0); /* account 8's */
    zf_store_web_session_free(&got);

    /* purge: absolute end reached, or idle since before the mark */
    assert_int_equal(zf_store_web_session_purge(f->st, 999, 50, &err), 0);
    assert_int_equal(zf_store_web_session_get(f->st, "h3", &got, &err), 0);
    zf_store_web_session_free(&got);
    assert_int_equal(zf_store_web_session_purge(f->st, 999, 101, &err), 0);
    assert_int_equal(zf_store_web_session_get(f->st, "h3", &got, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_web_session_delete(f->st, "h3", &err), 0); /* absent: fine */
}

static void test_throttle_window_and_lock(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_throttle t;
    assert_int_equal(zf_store_throttle_get(f->st, "account:x", &t, &err), 0);
    assert_int_equal(t.failures, 0); /* none: zeroes */
    for (int i = 1; i <= 2; i++) {
        assert_int_equal(
            zf_store_throttle_fail(f->st, "account:x", 1000 + i, 3, 900, 600, &t, &err), 0);
        assert_int_equal(t.failures, i);
        assert_int_equal(t.window_start, 1001);
        assert_int_equal(t.locked_until, 0);
        zf_store_throttle_free(&t);
    }
    assert_int_equal(zf_store_throttle_fail(f->st, "account:x", 1010, 3, 900, 600, &t, &err), 0);
    assert_int_equal(t.failures, 3);
    assert_int_equal(t.locked_until, 1610);
    zf_store_throttle_free(&t);
    /* a window over starts again at 1, the old lock kept until it ends */
    assert_int_equal(zf_store_throttle_fail(f->st, "account:x", 1901, 3, 900, 600, &t, &err), 0);
    assert_int_equal(t.failures, 1);
    assert_int_equal(t.window_start, 1901);
    assert_int_equal(t.locked_until, 1610);
    zf_store_throttle_free(&t);
    /* one failure allowed: the first locks */
    assert_int_equal(zf_store_throttle_fail(f->st, "addr:1.2.3.4", 50, 1, 900, 600, &t, &err), 0);
    assert_int_equal(t.locked_until, 650);
    zf_store_throttle_free(&t);
    assert_int_equal(zf_store_throttle_clear(f->st, "account:x", &err), 0);
    assert_int_equal(zf_store_throttle_get(f->st, "account:x", &t, &err), 0);
    assert_int_equal(t.failures, 0);
    assert_int_equal(zf_store_throttle_purge(f->st, 651, &err), 0);
    assert_int_equal(zf_store_throttle_get(f->st, "addr:1.2.3.4", &t, &err), 0);
    assert_int_equal(t.failures, 0);
}

/* Two store handles (two replicas) and two threads each count failures of
 * one key at once: no failure is lost. */
typedef struct hammer {
    zf_store *st;
    int n;
    int failed;
} hammer;

static void *hammer_run(void *p)
{
    hammer *h = p;
    for (int i = 0; i < h->n; i++) {
        zf_error err = ZF_ERROR_INIT;
        zf_store_throttle t;
        int rc = -1;
        for (int tries = 0; tries < 50 && rc < 0; tries++)
            rc = zf_store_throttle_fail(h->st, "addr:shared", 5000, 1000000, 900, 600, &t, &err);
        if (rc < 0)
            h->failed++;
        else
            zf_store_throttle_free(&t);
    }
    return NULL;
}

static void test_throttle_counts_across_handles(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store *other = NULL;
    assert_int_equal(zf_store_open(&other, f->db.dsn, &err), 0);
    hammer h[4] = {{f->st, 25, 0}, {f->st, 25, 0}, {other, 25, 0}, {other, 25, 0}};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, hammer_run, &h[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++)
        assert_int_equal(h[i].failed, 0);
    zf_store_throttle t;
    assert_int_equal(zf_store_throttle_get(other, "addr:shared", &t, &err), 0);
    assert_int_equal(t.failures, 100);
    zf_store_throttle_free(&t);
    zf_store_free(other);
}

int main(void)
{
    tdb_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_orgs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts_and_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_web_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle_window_and_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle_counts_across_handles, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
