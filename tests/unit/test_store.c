/* The store over the SQLite backend, on a temporary file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "zoomflow/store.h"
#include "store_internal.h"
#include "zoomflow/sys/store_driver.h"

typedef struct fx {
    char dir[64];
    char dsn[128];
    zf_store *st;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/zf-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->dsn, sizeof f->dsn, "sqlite:%s/sub/dir/zf.db", f->dir);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_store_open(&f->st, f->dsn, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char cmd[128];
    zf_store_free(f->st);
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void test_store_migrations_idempotent(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    int v = 0;
    assert_int_equal(zf_store_migrate(f->st, &v, &err), 0);
    assert_int_equal(v, zf_store__migrations[zf_store__migrations_count - 1].version);
    zf_store *again = NULL;
    assert_int_equal(zf_store_open(&again, f->dsn, &err), 0);
    assert_int_equal(zf_store_migrate(again, &v, &err), 0);
    assert_int_equal(v, (int)zf_store__migrations_count);
    zf_store_free(again);
}

static void test_store_files_private(void **state)
{
    fx *f = *state;
    char p[160];
    struct stat sb;
    snprintf(p, sizeof p, "%s/sub/dir/zf.db", f->dir);
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(p, sizeof p, "%s/sub/dir", f->dir);
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
}

static void fill(zf_store_conn *c, const char *id)
{
    memset(c, 0, sizeof *c);
    c->id = strdup(id);
    c->kind = ZF_CONN_S2S;
    c->oauth_base = strdup("https://zoom.us");
    c->api_base = strdup("https://api.zoom.us/v2");
    c->client_id = strdup("cid");
    c->client_secret_sealed = strdup("zf1:k:sealed-secret");
    c->account_id = strdup("acct");
    c->access_token_sealed = strdup("zf1:k:sealed-access");
    c->access_expires_at = 1234;
    c->scopes = strdup("a b");
    c->state = ZF_CONN_NEEDS_REAUTH;
    c->refresh_count = 7;
    c->last_hint = strdup("do this");
}

static void test_store_conn_roundtrip(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_conn c, got;
    fill(&c, "beta");
    assert_int_equal(zf_store_conn_put(f->st, &c, &err), 0);
    assert_int_equal(c.generation, 1);
    assert_int_equal(zf_store_conn_put(f->st, &c, &err), 0);
    assert_int_equal(c.generation, 2);
    zf_store_conn_free(&c);
    fill(&c, "alpha");
    assert_int_equal(zf_store_conn_put(f->st, &c, &err), 0);
    assert_int_equal(zf_store_conn_get(f->st, "beta", &got, &err), 0);
    assert_string_equal(got.client_secret_sealed, "zf1:k:sealed-secret");
    assert_int_equal(got.kind, ZF_CONN_S2S);
    assert_int_equal(got.state, ZF_CONN_NEEDS_REAUTH);
    assert_int_equal(got.access_expires_at, 1234);
    assert_int_equal(got.refresh_count, 7);
    assert_int_equal(got.generation, 2);
    assert_null(got.refresh_token_sealed);
    assert_string_equal(got.last_hint, "do this");
    zf_store_conn_free(&got);

    char **ids = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_conn_list(f->st, &ids, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], "alpha");
    assert_string_equal(ids[1], "beta");
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);

    assert_int_equal(zf_store_conn_delete(f->st, "beta", &err), 0);
    assert_int_equal(zf_store_conn_get(f->st, "beta", &got, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_conn_delete(f->st, "beta", &err), ZF_ENOTFOUND);
    zf_store_conn_free(&c);
}

/* The endpoints and the refresh claim survive a round trip; a put with the
 * claim cleared clears it. */
static void test_store_conn_claim_roundtrip(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_conn c, got;
    fill(&c, "claimed");
    c.token_endpoint = strdup("https://auth.example.com/t");
    c.revoke_endpoint = strdup("/custom/revoke");
    c.refresh_started_at = 1764600000;
    c.refresh_pid = 4242;
    c.refresh_host = strdup("host-a");
    c.refresh_seq = 9;
    assert_int_equal(zf_store_conn_put(f->st, &c, &err), 0);
    assert_int_equal(zf_store_conn_get(f->st, "claimed", &got, &err), 0);
    assert_string_equal(got.token_endpoint, "https://auth.example.com/t");
    assert_string_equal(got.revoke_endpoint, "/custom/revoke");
    assert_int_equal(got.refresh_started_at, 1764600000);
    assert_int_equal(got.refresh_pid, 4242);
    assert_string_equal(got.refresh_host, "host-a");
    assert_int_equal(got.refresh_seq, 9);
    got.refresh_started_at = 0;
    got.refresh_pid = 0;
    free(got.refresh_host);
    got.refresh_host = NULL;
    assert_int_equal(zf_store_conn_put(f->st, &got, &err), 0);
    zf_store_conn_free(&got);
    assert_int_equal(zf_store_conn_get(f->st, "claimed", &got, &err), 0);
    assert_int_equal(got.refresh_started_at, 0);
    assert_null(got.refresh_host);
    assert_int_equal(got.refresh_seq, 9);
    zf_store_conn_free(&got);
    zf_store_conn_free(&c);
}

/* Every field of a connection is written and read back (a field the
 * column table forgot would come back NULL or 0). */
static void test_store_conn_every_field(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_conn c = {strdup("all"), ZF_CONN_S2S, strdup("ob"), strdup("ab"), strdup("ci"),
                       strdup("cs"), strdup("ac"), strdup("ru"), strdup("at"), strdup("rt"),
                       11, strdup("sc"), ZF_CONN_NEEDS_REAUTH, 13, 14, 15, strdup("le"),
                       strdup("lh"), 40, 20, strdup("te"), strdup("re"), 23, 24, strdup("rh"),
                       26};
    zf_store_conn got;
    assert_int_equal(zf_store_conn_put(f->st, &c, &err), 0);
    assert_int_equal(zf_store_conn_get(f->st, "all", &got, &err), 0);
    const char *want[] = {"all", "ob", "ab", "ci", "cs", "ac", "ru", "at", "rt", "sc", "le",
                          "lh", "te", "re", "rh"};
    const char *have[] = {got.id, got.oauth_base, got.api_base, got.client_id,
                          got.client_secret_sealed, got.account_id, got.redirect_uri,
                          got.access_token_sealed, got.refresh_token_sealed, got.scopes,
                          got.last_error, got.last_hint, got.token_endpoint,
                          got.revoke_endpoint, got.refresh_host};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_non_null(have[i]);
        assert_string_equal(have[i], want[i]);
    }
    assert_int_equal(got.kind, ZF_CONN_S2S);
    assert_int_equal(got.state, ZF_CONN_NEEDS_REAUTH);
    int64_t nums[] = {got.access_expires_at, got.connected_at, got.last_refresh_at,
                      got.refresh_count, got.generation, got.updated_at,
                      got.refresh_started_at, got.refresh_pid, got.refresh_seq};
    int64_t expect[] = {11, 13, 14, 15, 41, 20, 23, 24, 26};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        assert_int_equal(nums[i], expect[i]);
    assert_int_equal(c.generation, 41);
    zf_store_conn_free(&got);
    zf_store_conn_free(&c);
    assert_null(c.id);
}

/* A second lock on the thread that holds one is refused, and the held one
 * still commits. */
static void test_store_nested_lock_refused(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_store_lock_connection(f->st, "a", &err), 0);
    assert_int_equal(zf_store_lock_connection(f->st, "b", &err), ZF_EINVAL);
    assert_int_equal(zf_store_commit(f->st, &err), 0);
    assert_int_equal(zf_store_commit(f->st, &err), ZF_EINVAL);
    zf_store_rollback(f->st); /* none open: nothing happens */
}

/* A database made by schema version 2 (before endpoints and claims) is
 * migrated in place: its rows keep their data and read with no endpoints
 * (Zoom's) and no claim. */
static void test_store_migrates_from_v2(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    char path[160], dsn[170];
    zf_store_db sdb = {&zf_store_sqlite_driver, NULL};
    int v = 0;
    snprintf(path, sizeof path, "%s/v2.db", f->dir);
    snprintf(dsn, sizeof dsn, "sqlite:%s", path);
    assert_int_equal(zf_store_sqlite_driver.open(&sdb.h, dsn, &err), 0);
    assert_int_equal(zf_store__migrate(&sdb, zf_store__migrations, 2, &v, &err), 0);
    assert_int_equal(v, 2);
    zf_store_sqlite_driver.close(sdb.h);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO connections (id, kind, oauth_base, api_base, "
                                  "client_id, client_secret_sealed, state, refresh_count) VALUES "
                                  "('old', 'oauth', 'https://zoom.us', 'https://api.zoom.us/v2', "
                                  "'cid', 'zf1:s', 'VALID', 3)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    zf_store *st = NULL;
    assert_int_equal(zf_store_open(&st, dsn, &err), 0);
    assert_int_equal(zf_store_migrate(st, &v, &err), 0);
    assert_int_equal(v, zf_store__migrations[zf_store__migrations_count - 1].version);
    assert_true(v >= 4);
    zf_store_conn got;
    assert_int_equal(zf_store_conn_get(st, "old", &got, &err), 0);
    assert_int_equal(got.refresh_count, 3);
    assert_null(got.token_endpoint);
    assert_null(got.revoke_endpoint);
    assert_int_equal(got.refresh_started_at, 0);
    assert_int_equal(got.refresh_seq, 0);
    assert_null(got.refresh_host);
    zf_store_conn_free(&got);
    zf_store_free(st);
}

static void test_store_rollback_discards(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_conn c, got;
    fill(&c, "tx");
    assert_int_equal(zf_store_lock_connection(f->st, "tx", &err), 0);
    assert_int_equal(zf_store_conn_put(f->st, &c, &err), 0);
    zf_store_rollback(f->st);
    assert_int_equal(zf_store_conn_get(f->st, "tx", &got, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_lock_connection(f->st, "tx", &err), 0);
    assert_int_equal(zf_store_conn_put(f->st, &c, &err), 0);
    assert_int_equal(zf_store_commit(f->st, &err), 0);
    assert_int_equal(zf_store_conn_get(f->st, "tx", &got, &err), 0);
    zf_store_conn_free(&got);
    zf_store_conn_free(&c);
}

static void test_store_state_single_use(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_state s = {"h1", "default", "zf1:v", "http://127.0.0.1/cb", "https://zoom.us",
                        "cid", "zf1:s", "tester", 100, 700, "/custom/token", NULL};
    zf_store_state got;
    assert_int_equal(zf_store_state_put(f->st, &s, &err), 0);
    assert_int_not_equal(zf_store_state_put(f->st, &s, &err), 0); /* hash is the key */
    assert_int_equal(zf_store_state_take(f->st, "h1", &got, &err), 0);
    assert_string_equal(got.conn_id, "default");
    assert_string_equal(got.verifier_sealed, "zf1:v");
    assert_int_equal(got.expires_at, 700);
    assert_string_equal(got.token_endpoint, "/custom/token");
    assert_null(got.revoke_endpoint);
    zf_store_state_free(&got);
    assert_int_equal(zf_store_state_take(f->st, "h1", &got, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_state_take(f->st, "nope", &got, &err), ZF_ENOTFOUND);
}

static void test_store_state_purge(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_state s = {"old", "default", "v", "r", "b", "c", "s", NULL, 1, 10, NULL, NULL};
    zf_store_state t = {"new", "default", "v", "r", "b", "c", "s", NULL, 1, 1000, NULL, NULL};
    zf_store_state got;
    assert_int_equal(zf_store_state_put(f->st, &s, &err), 0);
    assert_int_equal(zf_store_state_put(f->st, &t, &err), 0);
    assert_int_equal(zf_store_state_purge(f->st, 500, &err), 0);
    assert_int_equal(zf_store_state_take(f->st, "old", &got, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_state_take(f->st, "new", &got, &err), 0);
    zf_store_state_free(&got);
}

static void test_store_audit(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_audit a = {0, 5, "default", "me", "connect", "ok", "oauth"};
    zf_store_audit b = {0, 6, "other", "me", "refresh", "EREAUTH", NULL};
    zf_store_audit *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_audit_add(f->st, &a, &err), 0);
    assert_int_equal(zf_store_audit_add(f->st, &b, &err), 0);
    assert_int_equal(zf_store_audit_add(f->st, &a, &err), 0);
    assert_int_equal(zf_store_audit_list(f->st, NULL, 10, &list, &n, &err), 0);
    assert_int_equal(n, 3);
    zf_store_audit_free_list(list, n);
    assert_int_equal(zf_store_audit_list(f->st, "other", 10, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].outcome, "EREAUTH");
    assert_null(list[0].detail);
    zf_store_audit_free_list(list, n);
    assert_int_equal(zf_store_audit_list(f->st, NULL, 1, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].action, "connect"); /* newest first */
    zf_store_audit_free_list(list, n);
}

static void test_store_bad_dsn(void **state)
{
    (void)state;
    zf_error err = ZF_ERROR_INIT;
    zf_store *st = NULL;
    assert_int_equal(zf_store_open(&st, "mysql://x", &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "mysql://x"));
    assert_non_null(strstr(err.hint, "sqlite:PATH"));
    assert_int_equal(zf_store_open(&st, "sqlite:", &err), ZF_ECONFIG);
    assert_null(st);
}

static void test_store_default_dsn(void **state)
{
    fx *f = *state;
    char *dsn = NULL, expect[160];
    zf_error err = ZF_ERROR_INIT;
    setenv("XDG_DATA_HOME", f->dir, 1);
    assert_int_equal(zf_store_default_dsn(&dsn, &err), 0);
    snprintf(expect, sizeof expect, "sqlite:%s/zoomflow/zoomflow.db", f->dir);
    assert_string_equal(dsn, expect);
    free(dsn);
    zf_store *st = NULL;
    assert_int_equal(zf_store_open(&st, NULL, &err), 0);
    zf_store_free(st);
    struct stat sb;
    snprintf(expect, sizeof expect, "%s/zoomflow", f->dir);
    assert_int_equal(stat(expect, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", "/nonexistent-home", 1);
    assert_int_equal(zf_store_default_dsn(&dsn, &err), 0);
    assert_string_equal(dsn, "sqlite:/nonexistent-home/.local/share/zoomflow/zoomflow.db");
    free(dsn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_migrations_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_conn_claim_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_conn_every_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_nested_lock_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_migrates_from_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_files_private, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_conn_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_rollback_discards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_state_single_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_state_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_audit, setup, teardown),
        cmocka_unit_test(test_store_bad_dsn),
        cmocka_unit_test_setup_teardown(test_store_default_dsn, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
