/* The store over the driver ZF_TEST_DB names (store_test_db.h): SQLite on
 * a temporary file by default, a fresh PostgreSQL schema per test with
 * ZF_TEST_DB=postgresql (ctest: unit.test_store.pg). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zoomflow/store.h"
#include "store_internal.h"
#include "store_test_db.h"
#include "zoomflow/sys/store_driver.h"

typedef struct fx {
    tdb db;
    char dir[64];
    char dsn[2048];
    zf_store *st;
} fx;

/* SQLite: the file in directories that do not exist yet (made 0700). */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    zf_error err = ZF_ERROR_INIT;
    tdb_fresh(&f->db);
    snprintf(f->dir, sizeof f->dir, "%s", f->db.dir);
    if (tdb_pg())
        snprintf(f->dsn, sizeof f->dsn, "%s", f->db.dsn);
    else
        snprintf(f->dsn, sizeof f->dsn, "sqlite:%s/sub/dir/zf.db", f->dir);
    assert_int_equal(zf_store_open(&f->st, f->dsn, &err), 0);
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
    assert_int_equal(v, zf_store__migrations[zf_store__migrations_count - 1].version);
    zf_store_free(again);
}

static void test_store_files_private(void **state)
{
    fx *f = *state;
    char p[160];
    struct stat sb;
    if (tdb_pg())
        skip(); /* the server's files are the server's */
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
    zf_store_conn c = {strdup("all"),
                       ZF_CONN_S2S,
                       strdup("ob"),
                       strdup("ab"),
                       strdup("ci"),
                       strdup("cs"),
                       strdup("ac"),
                       strdup("ru"),
                       strdup("at"),
                       strdup("rt"),
                       11,
                       strdup("sc"),
                       ZF_CONN_NEEDS_REAUTH,
                       13,
                       14,
                       15,
                       strdup("le"),
                       strdup("lh"),
                       40,
                       20,
                       strdup("te"),
                       strdup("re"),
                       23,
                       24,
                       strdup("rh"),
                       26};
    zf_store_conn got;
    assert_int_equal(zf_store_conn_put(f->st, &c, &err), 0);
    assert_int_equal(zf_store_conn_get(f->st, "all", &got, &err), 0);
    const char *want[] = {"all", "ob", "ab", "ci", "cs", "ac", "ru", "at",
                          "rt",  "sc", "le", "lh", "te", "re", "rh"};
    const char *have[] = {got.id,
                          got.oauth_base,
                          got.api_base,
                          got.client_id,
                          got.client_secret_sealed,
                          got.account_id,
                          got.redirect_uri,
                          got.access_token_sealed,
                          got.refresh_token_sealed,
                          got.scopes,
                          got.last_error,
                          got.last_hint,
                          got.token_endpoint,
                          got.revoke_endpoint,
                          got.refresh_host};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_non_null(have[i]);
        assert_string_equal(have[i], want[i]);
    }
    assert_int_equal(got.kind, ZF_CONN_S2S);
    assert_int_equal(got.state, ZF_CONN_NEEDS_REAUTH);
    int64_t nums[] = {got.access_expires_at,  got.connected_at, got.last_refresh_at,
                      got.refresh_count,      got.generation,   got.updated_at,
                      got.refresh_started_at, got.refresh_pid,  got.refresh_seq};
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
    (void)state;
    zf_error err = ZF_ERROR_INIT;
    tdb t;
    zf_store_db sdb = {tdb_driver(), NULL};
    int v = 0;
    tdb_fresh(&t);
    assert_int_equal(sdb.drv->open(&sdb.h, t.dsn, &err), 0);
    assert_int_equal(zf_store__migrate(&sdb, zf_store__migrations, 2, &v, &err), 0);
    assert_int_equal(v, 2);
    sdb.drv->close(sdb.h);
    tdb_exec(&t, "INSERT INTO connections (id, kind, oauth_base, api_base, "
                 "client_id, client_secret_sealed, state, refresh_count) VALUES "
                 "('old', 'oauth', 'https://zoom.us', 'https://api.zoom.us/v2', "
                 "'cid', 'zf1:s', 'VALID', 3)");
    zf_store *st = NULL;
    assert_int_equal(zf_store_open(&st, t.dsn, &err), 0);
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
    tdb_drop(&t);
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
    zf_store_state s = {"h1",
                        "default",
                        "zf1:v",
                        "http://127.0.0.1/cb",
                        "https://zoom.us",
                        "cid",
                        "zf1:s",
                        "tester",
                        100,
                        700,
                        "/custom/token",
                        NULL};
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

/* Keyset paging over more rows than the route ever read before (5,000):
 * timestamps shared by many rows (one by more than a page), ids not in
 * timestamp order, another org's rows between, and rows added while paging.
 * Each page after the first starts from the cursor text the one before
 * gave; every row is seen once, in (at, id) descending order. */
#define KS_ROWS 5200
#define KS_PAGE 97
/* The doctor's signals: counts summed per (kind, label) over the hours
 * since a time, one connection's only; a row older than the keep window
 * is dropped by the next add. */
static void test_store_signals(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    const int64_t t = 1764000000; /* an hour's start + 0 */
    for (int i = 0; i < 3; i++)
        assert_int_equal(zf_store_signal_add(f->st, "p", "rate_limited", "Medium", t + i, 0, &err),
                         0);
    assert_int_equal(zf_store_signal_add(f->st, "p", "rate_limited", "Medium", t + 3600, 0, &err),
                     0);
    assert_int_equal(
        zf_store_signal_add(f->st, "p", "daily_limit", "Heavy", t + 5, 1764028800, &err), 0);
    assert_int_equal(zf_store_signal_add(f->st, "q", "rate_limited", "Light", t, 0, &err), 0);
    zf_store_signal *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_signal_list(f->st, "p", t, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].kind, "daily_limit");
    assert_int_equal(list[0].value, 1764028800);
    assert_string_equal(list[1].kind, "rate_limited");
    assert_string_equal(list[1].label, "Medium");
    assert_int_equal(list[1].count, 4);
    assert_int_equal(list[1].last_at, t + 3600);
    zf_store_signal_free_list(list, n);
    /* since the next hour: the later row only */
    assert_int_equal(zf_store_signal_list(f->st, "p", t + 3600, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].count, 1);
    zf_store_signal_free_list(list, n);
    /* an add a week later drops the old hours */
    int64_t later = t + ZF_STORE_SIGNAL_KEEP + 7200;
    assert_int_equal(zf_store_signal_add(f->st, "p", "url_validation", NULL, later, 0, &err), 0);
    assert_int_equal(zf_store_signal_list(f->st, "p", 0, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].kind, "url_validation");
    assert_string_equal(list[0].label, "");
    zf_store_signal_free_list(list, n);
    /* the other connection's row is untouched by p's purge */
    assert_int_equal(zf_store_signal_list(f->st, "q", 0, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    zf_store_signal_free_list(list, n);
}

static void test_store_audit_keyset(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    /* one transaction for the lot: fast on both backends */
    assert_int_equal(zf_store_lock_org(f->st, "big", &err), 0);
    for (int i = 0; i < KS_ROWS; i++) {
        /* 650 rows at 9000 (more than six pages), the rest spread over 743
         * timestamps, each shared by about 6 rows, in no order of id */
        int64_t at = i % 8 == 0 ? 9000 : 1000 + (int64_t)((i * 37) % 743) * 10;
        zf_store_audit a = {0, at, "big", "me", "key.create", "ok", NULL};
        zf_store_audit o = {0, at, "other", "me", "key.create", "ok", NULL};
        assert_int_equal(zf_store_audit_add(f->st, &a, &err), 0);
        if (i % 10 == 0)
            assert_int_equal(zf_store_audit_add(f->st, &o, &err), 0);
    }
    assert_int_equal(zf_store_commit(f->st, &err), 0);

    char text[ZF_STORE_AUDIT_CURSOR_LEN + 1] = "";
    int64_t seen = 0, pages = 0, last_at = INT64_MAX, last_id = INT64_MAX, at9000 = 0;
    for (;;) {
        zf_store_audit_cursor cur;
        const zf_store_audit_cursor *before = NULL;
        if (text[0]) {
            assert_int_equal(zf_store_audit_cursor_parse(text, &cur, &err), 0);
            before = &cur;
        }
        zf_store_audit *list = NULL;
        size_t n = 0;
        assert_int_equal(zf_store_audit_page(f->st, "big", before, KS_PAGE, &list, &n, &err), 0);
        assert_true(n <= KS_PAGE);
        for (size_t i = 0; i < n; i++) {
            assert_string_equal(list[i].conn_id, "big");
            /* strictly after the row before, in (at desc, id desc) */
            assert_true(list[i].at < last_at || (list[i].at == last_at && list[i].id < last_id));
            last_at = list[i].at;
            last_id = list[i].id;
            at9000 += list[i].at == 9000;
        }
        seen += (int64_t)n;
        pages++;
        if (n)
            zf_store_audit_cursor_format(&list[n - 1], text);
        zf_store_audit_free_list(list, n);
        if (pages == 3) {
            /* newer rows while paging (one at the cursor's own timestamp)
             * are not on the later pages: the cursor is a position */
            zf_store_audit late = {0, 9999, "big", "me", "late", "ok", NULL};
            zf_store_audit same = {0, cur.at, "big", "me", "late", "ok", NULL};
            assert_int_equal(zf_store_audit_add(f->st, &late, &err), 0);
            assert_int_equal(zf_store_audit_add(f->st, &same, &err), 0);
        }
        if (n < KS_PAGE)
            break;
    }
    /* strictly descending and as many as were added: each row once */
    assert_int_equal(seen, KS_ROWS);
    assert_int_equal(at9000, KS_ROWS / 8);
    assert_int_equal(pages, KS_ROWS / KS_PAGE + 1);
    /* the first page now starts with the late rows */
    zf_store_audit *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_audit_page(f->st, "big", NULL, 2, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].at, 9999);
    assert_string_equal(list[0].action, "late");
    zf_store_audit_free_list(list, n);
    /* the other org's log is apart */
    assert_int_equal(zf_store_audit_page(f->st, "other", NULL, 1000, &list, &n, &err), 0);
    assert_int_equal(n, KS_ROWS / 10);
    zf_store_audit_free_list(list, n);
}

/* The cursor's text: what format wrote reads back (a negative time too);
 * anything else is refused with the hint, its text quoted and cut. */
static void test_store_audit_cursor_text(void **state)
{
    (void)state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_audit rows[] = {{1, 0, NULL, NULL, NULL, NULL, NULL},
                             {INT64_MAX, INT64_MAX, NULL, NULL, NULL, NULL, NULL},
                             {42, -5, NULL, NULL, NULL, NULL, NULL},
                             {7, INT64_MIN, NULL, NULL, NULL, NULL, NULL}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char text[ZF_STORE_AUDIT_CURSOR_LEN + 1];
        zf_store_audit_cursor c = {0, 0};
        zf_store_audit_cursor_format(&rows[i], text);
        assert_int_equal(strlen(text), ZF_STORE_AUDIT_CURSOR_LEN);
        assert_int_equal(zf_store_audit_cursor_parse(text, &c, &err), 0);
        assert_true(c.at == rows[i].at && c.id == rows[i].id);
    }
    static const char *const bad[] = {"",
                                      "12",
                                      "00000000000000010000000000000002x",
                                      "0000000000000001000000000000000",
                                      "0000000000000001000000000000000A",
                                      "000000000000000100000000000000g2",
                                      "00000000000000010000000000000000", /* id 0 */
                                      "00000000000000018000000000000000", /* id past INT64_MAX */
                                      "0000000000000001 000000000000002",
                                      "-000000000000001000000000000002",
                                      "not a cursor at all, but a long text that goes on and on"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zf_store_audit_cursor c;
        zf_error e = ZF_ERROR_INIT;
        assert_int_equal(zf_store_audit_cursor_parse(bad[i], &c, &e), ZF_EVALIDATION);
        assert_int_equal(e.hint_id, ZF_HINT_AUDIT_CURSOR);
        assert_non_null(strstr(e.message, "is not an audit log cursor"));
    }
    zf_error e = ZF_ERROR_INIT;
    zf_store_audit_cursor c;
    zf_store_audit_cursor_parse(bad[10], &c, &e);
    assert_non_null(strstr(e.message, "\"not a cursor at all, but a long text tha...\""));
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
    if (tdb_pg())
        skip(); /* the default is SQLite's: unit.test_store covers it */
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

/* Passwords never show; the rest of the DSN does, to name the database. */
static void test_store_redact_dsn(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"sqlite:/var/lib/zf.db", "sqlite:/var/lib/zf.db"},
        {"postgresql://zf:s3cret@db:5432/zoomflow?sslmode=require",
         "postgresql://zf:[redacted]@db:5432/zoomflow?sslmode=require"},
        {"postgres://zf@db/zoomflow", "postgres://zf@db/zoomflow"},
        {"postgresql://zf:p@ss@db/z", "postgresql://zf:[redacted]@db/z"},
        {"postgresql://db/z?user=zf&password=s3cret&sslmode=verify-full",
         "postgresql://db/z?user=zf&password=[redacted]&sslmode=verify-full"},
        {"postgresql:host=db password=s3cret dbname=z",
         "postgresql:host=db password=[redacted] dbname=z"},
        {"postgresql:host=db password = 'it\\'s s3cret' sslpassword=k3y",
         "postgresql:host=db password=[redacted] sslpassword=[redacted]"},
        /* not libpq's quoting: what follows the password is hidden too */
        {"postgresql:password='it''s s3cret' host=db", "postgresql:password=[redacted]host=db"},
        {"postgresql:password='a \\' b' host=db", "postgresql:password=[redacted] host=db"},
        {"mysql://root:s3cret@db/x", "mysql://root:[redacted]@db/x"},
        {"", ""},
    };
    zf_error err = ZF_ERROR_INIT;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *shown = NULL;
        assert_int_equal(zf_store_redact_dsn(&shown, cases[i][0], &err), 0);
        assert_string_equal(shown, cases[i][1]);
        free(shown);
    }
    /* and the store's own message about a DSN no driver takes */
    zf_store *st = NULL;
    assert_int_equal(zf_store_open(&st, "mysql://root:s3cret@db/x", &err), ZF_ECONFIG);
    assert_null(strstr(err.message, "s3cret"));
    assert_non_null(strstr(err.message, "mysql://root:[redacted]@db/x"));
}

/* A thread's transaction does not stop the others: on PostgreSQL they use
 * the pool's other connections (and wait on the server only for the same
 * row); on SQLite (one connection) they wait for the commit. */
typedef struct lock_arg {
    zf_store *st;
    const char *id;
    int rc;
} lock_arg;

static void *lock_and_commit(void *p)
{
    lock_arg *a = p;
    zf_error err = ZF_ERROR_INIT;
    a->rc = zf_store_lock_connection(a->st, a->id, &err);
    if (a->rc == 0) {
        zf_store_conn c;
        a->rc = zf_store_conn_get(a->st, "held", &c, &err) == ZF_ENOTFOUND ? 0 : -1;
        if (a->rc == 0)
            a->rc = zf_store_commit(a->st, &err);
        else
            zf_store_rollback(a->st);
    }
    return NULL;
}

static void test_store_threads_share_the_store(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_audit a = {0, 5, "held", "me", "connect", "ok", NULL};
    lock_arg other = {f->st, "other", -99};
    pthread_t th;
    assert_int_equal(zf_store_lock_connection(f->st, "held", &err), 0);
    assert_int_equal(zf_store_audit_add(f->st, &a, &err), 0); /* inside: same handle */
    assert_int_equal(pthread_create(&th, NULL, lock_and_commit, &other), 0);
    if (tdb_pg()) {
        assert_int_equal(pthread_join(th, NULL), 0); /* done while we hold ours */
        assert_int_equal(other.rc, 0);
    }
    assert_int_equal(zf_store_commit(f->st, &err), 0);
    if (!tdb_pg())
        assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(other.rc, 0);
    zf_store_audit *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_audit_list(f->st, "held", 10, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    zf_store_audit_free_list(list, n);
}

int main(void)
{
    tdb_init();
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
        cmocka_unit_test_setup_teardown(test_store_audit_keyset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_signals, setup, teardown),
        cmocka_unit_test(test_store_audit_cursor_text),
        cmocka_unit_test(test_store_bad_dsn),
        cmocka_unit_test(test_store_redact_dsn),
        cmocka_unit_test_setup_teardown(test_store_threads_share_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_default_dsn, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
