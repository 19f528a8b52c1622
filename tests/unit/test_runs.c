/* Workflow definitions, runs and steps (store.h, src/store/workflows.c and
 * runs.c) on the database ZF_TEST_DB names (store_test_db.h): unit.test_runs
 * on SQLite, unit.test_runs.pg on PostgreSQL. Races come from threads over
 * two stores on one database (two processes' worth of connections);
 * tests/integration/test_runs_claim.py races whole processes. Leases run on
 * the caller's clock, so expiry is tested by passing a later now. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/hint.h"
#include "zoomflow/store.h"
#include "store_test_db.h"

#define NOW 1800000000
#define TTL 30

typedef struct fx {
    tdb db;
    zf_store *st, *other; /* two stores on one database */
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    zf_error err = ZF_ERROR_INIT;
    tdb_fresh(&f->db);
    assert_int_equal(zf_store_open(&f->st, f->db.dsn, &err), 0);
    assert_int_equal(zf_store_open(&f->other, f->db.dsn, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    zf_store_free(f->st);
    zf_store_free(f->other);
    tdb_drop(&f->db);
    free(f);
    return 0;
}

static zf_store_run run_of(const char *wf, int kind, const char *trigger)
{
    zf_store_run r = {0};
    r.org = (char *)"acme";
    r.workflow = (char *)wf;
    r.version = 1;
    r.trigger_kind = kind;
    r.trigger_id = (char *)trigger;
    r.input = (char *)"{\"email\":\"a@example.com\"}";
    return r;
}

/* Creates a run and returns its id. */
static int64_t make_run(zf_store *st, const char *wf, const char *trigger)
{
    zf_error err = ZF_ERROR_INIT;
    zf_store_run r = run_of(wf, ZF_TRIGGER_EVENT, trigger), got;
    int created = 0;
    assert_int_equal(zf_store_run_create(st, &r, NOW, &got, &created, &err), 0);
    int64_t id = got.id;
    zf_store_run_free(&got);
    return id;
}

/* Claims exactly one run for owner at now; returns it. */
static zf_store_run claim_one(zf_store *st, const char *owner, int64_t now)
{
    zf_error err = ZF_ERROR_INIT;
    zf_store_run *list = NULL, r;
    size_t n = 0;
    assert_int_equal(zf_store_run_claim(st, owner, now, TTL, 1, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    r = list[0];
    free(list);
    return r;
}

static void test_runs_names(void **state)
{
    (void)state;
    assert_string_equal(zf_run_state_name(ZF_RUN_CANCELLED), "cancelled");
    assert_string_equal(zf_step_state_name(ZF_STEP_SENT), "sent");
    assert_string_equal(zf_trigger_kind_name(ZF_TRIGGER_API), "api");
    assert_null(zf_run_state_name(5));
    assert_null(zf_trigger_kind_name(-1));
    assert_int_equal(zf_run_state_parse("failed"), ZF_RUN_FAILED);
    assert_int_equal(zf_step_state_parse("skipped"), ZF_STEP_SKIPPED);
    assert_int_equal(zf_trigger_kind_parse("zoom"), ZF_TRIGGER_ZOOM);
    assert_int_equal(zf_run_state_parse("Failed"), -1);
    assert_int_equal(zf_run_state_parse(NULL), -1);
}

/* The same content is one version; other content the next; a run's
 * version stays readable. */
static void test_runs_workflow_versions(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_workflow w = {(char *)"acme",
                           (char *)"new-hire",
                           0,
                           (char *)"name: new-hire\n",
                           (char *)"{\"name\":\"new-hire\"}",
                           (char *)"h1",
                           NOW,
                           (char *)"admin"};
    zf_store_workflow got, *list = NULL;
    size_t n = 0;
    int created = -1;
    assert_int_equal(zf_store_workflow_save(f->st, &w, &got, &created, &err), 0);
    assert_int_equal(created, 1);
    assert_int_equal(got.version, 1);
    zf_store_workflow_free(&got);
    /* posted again, from the other store: version 1 still */
    w.created_at = NOW + 5;
    assert_int_equal(zf_store_workflow_save(f->other, &w, &got, &created, &err), 0);
    assert_int_equal(created, 0);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.created_at, NOW);
    zf_store_workflow_free(&got);
    w.content_hash = (char *)"h2";
    w.definition = (char *)"{\"name\":\"new-hire\",\"v\":2}";
    w.version = 7; /* ignored: the store numbers */
    assert_int_equal(zf_store_workflow_save(f->st, &w, &got, &created, &err), 0);
    assert_int_equal(created, 1);
    assert_int_equal(got.version, 2);
    zf_store_workflow_free(&got);
    /* another workflow, another org */
    w.name = (char *)"archive";
    assert_int_equal(zf_store_workflow_save(f->st, &w, &got, &created, &err), 0);
    assert_int_equal(got.version, 1);
    zf_store_workflow_free(&got);
    w.org = (char *)"other";
    assert_int_equal(zf_store_workflow_save(f->st, &w, &got, &created, &err), 0);
    assert_int_equal(got.version, 1);
    zf_store_workflow_free(&got);

    assert_int_equal(zf_store_workflow_get(f->st, "acme", "new-hire", 0, &got, &err), 0);
    assert_int_equal(got.version, 2);
    zf_store_workflow_free(&got);
    assert_int_equal(zf_store_workflow_get(f->st, "acme", "new-hire", 1, &got, &err), 0);
    assert_string_equal(got.definition, "{\"name\":\"new-hire\"}");
    assert_string_equal(got.source, "name: new-hire\n");
    assert_string_equal(got.created_by, "admin");
    zf_store_workflow_free(&got);
    assert_int_equal(zf_store_workflow_get(f->st, "acme", "new-hire", 3, &got, &err), ZF_ENOTFOUND);
    assert_int_equal(err.hint_id, ZF_HINT_LIST_WORKFLOWS);
    assert_int_equal(zf_store_workflow_get(f->st, "acme", "nope", 0, &got, &err), ZF_ENOTFOUND);
    assert_non_null(strstr(err.message, "\"nope\""));

    assert_int_equal(zf_store_workflow_list(f->st, "acme", &list, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "archive");
    assert_string_equal(list[1].name, "new-hire");
    assert_int_equal(list[1].version, 2);
    zf_store_workflow_free_list(list, n);
    w.source = NULL;
    assert_int_equal(zf_store_workflow_save(f->st, &w, &got, &created, &err), ZF_EINVAL);
}

/* A delete hides the name from the latest and the list, never a version a
 * run names; the other org's is untouched; saving it again ends it. */
static void test_runs_workflow_delete(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_workflow w = {(char *)"acme",      (char *)"w",  0,   (char *)"s",
                           (char *)"{\"v\":1}", (char *)"h1", NOW, NULL},
                      got, *list = NULL;
    size_t n = 0;
    int created = 0;
    assert_int_equal(zf_store_workflow_save(f->st, &w, &got, &created, &err), 0);
    zf_store_workflow_free(&got);
    w.content_hash = (char *)"h2";
    assert_int_equal(zf_store_workflow_save(f->st, &w, &got, &created, &err), 0);
    zf_store_workflow_free(&got);
    w.org = (char *)"other";
    assert_int_equal(zf_store_workflow_save(f->st, &w, &got, &created, &err), 0);
    zf_store_workflow_free(&got);
    assert_int_equal(zf_store_workflow_delete(f->st, "acme", "w", NOW, "admin", &got, &err), 0);
    assert_int_equal(got.version, 2);
    zf_store_workflow_free(&got);
    /* gone for the latest and the list, on the other store too */
    assert_int_equal(zf_store_workflow_get(f->other, "acme", "w", 0, &got, &err), ZF_ENOTFOUND);
    assert_int_equal(zf_store_workflow_list(f->other, "acme", &list, &n, &err), 0);
    assert_int_equal(n, 0);
    zf_store_workflow_free_list(list, n);
    assert_int_equal(zf_store_workflow_get(f->other, "acme", "w", 1, &got, &err), 0);
    zf_store_workflow_free(&got);
    assert_int_equal(zf_store_workflow_get(f->other, "other", "w", 0, &got, &err), 0);
    zf_store_workflow_free(&got);
    assert_int_equal(zf_store_workflow_delete(f->other, "acme", "w", NOW, NULL, &got, &err),
                     ZF_ENOTFOUND);
    assert_int_equal(err.hint_id, ZF_HINT_LIST_WORKFLOWS);
    /* the content of version 1 again: back, as it was (version 2 latest) */
    w.org = (char *)"acme";
    w.content_hash = (char *)"h1";
    assert_int_equal(zf_store_workflow_save(f->other, &w, &got, &created, &err), 0);
    assert_int_equal(created, 0);
    zf_store_workflow_free(&got);
    assert_int_equal(zf_store_workflow_get(f->st, "acme", "w", 0, &got, &err), 0);
    assert_int_equal(got.version, 2);
    zf_store_workflow_free(&got);
    /* deleted again, then a new content: version 3, visible */
    assert_int_equal(zf_store_workflow_delete(f->st, "acme", "w", NOW, "admin", &got, &err), 0);
    zf_store_workflow_free(&got);
    w.content_hash = (char *)"h3";
    assert_int_equal(zf_store_workflow_save(f->st, &w, &got, &created, &err), 0);
    assert_int_equal((int)got.version, 3);
    zf_store_workflow_free(&got);
    assert_int_equal(zf_store_workflow_list(f->st, "acme", &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].version, 3);
    zf_store_workflow_free_list(list, n);
}

/* Threads on two stores save distinct contents of one name at once: the
 * versions are 1..N, each once. */
#define SAVERS 6

typedef struct saver {
    zf_store *st;
    int i;
    int64_t version;
    pthread_barrier_t *go;
} saver;

static void *save_one(void *arg)
{
    saver *s = arg;
    zf_error err = ZF_ERROR_INIT;
    char hash[16], def[32];
    snprintf(hash, sizeof hash, "h%d", s->i);
    snprintf(def, sizeof def, "{\"i\":%d}", s->i);
    zf_store_workflow w = {(char *)"acme", (char *)"w", 0, def, def, hash, NOW, NULL}, got;
    int created = 0;
    pthread_barrier_wait(s->go);
    if (zf_store_workflow_save(s->st, &w, &got, &created, &err) == 0 && created)
        s->version = got.version;
    zf_store_workflow_free(&got);
    return NULL;
}

static void test_runs_workflow_save_race(void **state)
{
    fx *f = *state;
    pthread_t t[SAVERS];
    saver s[SAVERS];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, SAVERS);
    for (int i = 0; i < SAVERS; i++) {
        s[i] = (saver){i % 2 ? f->other : f->st, i, 0, &go};
        pthread_create(&t[i], NULL, save_one, &s[i]);
    }
    int seen[SAVERS + 1] = {0};
    for (int i = 0; i < SAVERS; i++) {
        pthread_join(t[i], NULL);
        assert_true(s[i].version >= 1 && s[i].version <= SAVERS);
        seen[s[i].version]++;
    }
    pthread_barrier_destroy(&go);
    for (int v = 1; v <= SAVERS; v++)
        assert_int_equal(seen[v], 1);
}

/* One trigger, one run; another workflow or kind is another run; no
 * trigger id, a run each time. */
static void test_runs_create_once_per_trigger(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_run r = run_of("new-hire", ZF_TRIGGER_EVENT, "evt-1"), a, b;
    int created = -1;
    assert_int_equal(zf_store_run_create(f->st, &r, NOW, &a, &created, &err), 0);
    assert_int_equal(created, 1);
    assert_int_equal(a.state, ZF_RUN_QUEUED);
    assert_int_equal(a.attempts, 1);
    assert_int_equal(a.lease_seq, 0);
    assert_null(a.lease_owner);
    assert_string_equal(a.input, r.input);
    r.input = (char *)"{\"other\":true}"; /* a repeat's body does not matter */
    assert_int_equal(zf_store_run_create(f->other, &r, NOW + 9, &b, &created, &err), 0);
    assert_int_equal(created, 0);
    assert_int_equal(b.id, a.id);
    assert_string_equal(b.input, a.input);
    zf_store_run_free(&b);
    r.workflow = (char *)"archive";
    assert_int_equal(zf_store_run_create(f->st, &r, NOW, &b, &created, &err), 0);
    assert_int_equal(created, 1);
    assert_true(b.id > a.id);
    zf_store_run_free(&b);
    r.trigger_kind = ZF_TRIGGER_API;
    assert_int_equal(zf_store_run_create(f->st, &r, NOW, &b, &created, &err), 0);
    assert_int_equal(created, 1);
    zf_store_run_free(&b);
    r.trigger_kind = ZF_TRIGGER_MANUAL;
    r.trigger_id = NULL;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(zf_store_run_create(f->st, &r, NOW, &b, &created, &err), 0);
        assert_int_equal(created, 1);
        zf_store_run_free(&b);
    }
    assert_int_equal(tdb_long(&f->db, "SELECT COUNT(*) FROM workflow_runs"), 5);
    zf_store_run_free(&a);
    r.version = 0;
    assert_int_equal(zf_store_run_create(f->st, &r, NOW, &b, &created, &err), ZF_EINVAL);
}

/* 8 threads, half on each store, create one trigger's run at once. */
#define RACERS 8

typedef struct racer {
    zf_store *st;
    int created, rc;
    int64_t id;
    pthread_barrier_t *go;
} racer;

static void *race_create(void *arg)
{
    racer *r = arg;
    zf_error err = ZF_ERROR_INIT;
    zf_store_run want = run_of("new-hire", ZF_TRIGGER_ZOOM, "zb1-race"), got;
    pthread_barrier_wait(r->go);
    r->rc = zf_store_run_create(r->st, &want, NOW, &got, &r->created, &err);
    r->id = got.id;
    zf_store_run_free(&got);
    return NULL;
}

static void test_runs_create_race_one_run(void **state)
{
    fx *f = *state;
    pthread_t t[RACERS];
    racer r[RACERS];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, RACERS);
    for (int i = 0; i < RACERS; i++) {
        r[i] = (racer){i % 2 ? f->other : f->st, 0, 0, 0, &go};
        pthread_create(&t[i], NULL, race_create, &r[i]);
    }
    int created = 0;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(r[i].rc, 0);
        created += r[i].created;
        assert_int_equal(r[i].id, r[0].id);
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(created, 1);
    assert_int_equal(tdb_long(&f->db, "SELECT COUNT(*) FROM workflow_runs"), 1);
}

/* Claims take the oldest runnable runs, each once; a lease ends at its
 * expiry, and then the next claim takes the run over under a new seq. */
static void test_runs_claim_and_takeover(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    int64_t id1 = make_run(f->st, "w", "t1"), id2 = make_run(f->st, "w", "t2");
    int64_t id3 = make_run(f->st, "w", "t3");
    zf_store_run *first = NULL, *list = NULL;
    size_t nf = 0, n = 0;
    assert_int_equal(zf_store_run_claim(f->st, "A", NOW, TTL, 2, &first, &nf, &err), 0);
    assert_int_equal(nf, 2);
    assert_int_equal(first[0].id, id1);
    assert_int_equal(first[1].id, id2);
    assert_int_equal(first[0].state, ZF_RUN_RUNNING);
    assert_string_equal(first[0].lease_owner, "A");
    assert_int_equal(first[0].lease_seq, 1);
    assert_int_equal(first[0].lease_expires_at, NOW + TTL);
    zf_store_lease a1 = zf_store_run_lease(&first[0]), a2 = zf_store_run_lease(&first[1]);
    zf_store_run b = claim_one(f->other, "B", NOW);
    assert_int_equal(b.id, id3);
    assert_int_equal(zf_store_run_claim(f->st, "C", NOW + TTL - 1, TTL, 5, &list, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_null(list);
    /* A renews run 1 only; at NOW + TTL run 2's lease has ended */
    assert_int_equal(zf_store_run_renew(f->st, &a1, NOW + 10, TTL, &err), 0);
    zf_store_lease bl = zf_store_run_lease(&b);
    assert_int_equal(zf_store_run_renew(f->other, &bl, NOW + 10, TTL, &err), 0);
    zf_store_run c = claim_one(f->other, "C", NOW + TTL);
    assert_int_equal(c.id, id2);
    assert_int_equal(c.lease_seq, 2);
    assert_string_equal(c.lease_owner, "C");
    /* A's lease on run 2 is gone: renew, finish and release are refused */
    assert_int_equal(zf_store_run_renew(f->st, &a2, NOW + TTL, TTL, &err), ZF_EBUSY);
    assert_int_equal(err.hint_id, ZF_HINT_RUN_LEASE_LOST);
    assert_int_equal(zf_store_run_finish(f->st, &a2, ZF_RUN_DONE, NULL, NOW + 1, &err), ZF_EBUSY);
    assert_int_equal(zf_store_run_release(f->st, &a2, NOW + 1, NOW + 1, &err), ZF_EBUSY);
    /* even with a clock that says the old lease is live: the seq differs */
    zf_store_lease c_as_a = {id2, "A", 2};
    assert_int_equal(zf_store_run_renew(f->st, &c_as_a, NOW + TTL + 1, TTL, &err), ZF_EBUSY);
    zf_store_run cur;
    assert_int_equal(zf_store_run_get(f->st, "acme", id2, &cur, &err), 0);
    assert_string_equal(cur.lease_owner, "C");
    assert_int_equal(cur.state, ZF_RUN_RUNNING);
    zf_store_run_free(&cur);
    /* an expired lease nobody took is lost too */
    assert_int_equal(zf_store_run_renew(f->st, &a1, NOW + 10 + TTL, TTL, &err), ZF_EBUSY);
    /* release gives a run back for later; finish ends it */
    zf_store_lease cl = zf_store_run_lease(&c);
    assert_int_equal(zf_store_run_release(f->other, &cl, NOW + TTL, NOW + 100, &err), 0);
    assert_int_equal(zf_store_run_finish(f->other, &bl, ZF_RUN_DONE, NULL, NOW + 20, &err), 0);
    assert_int_equal(zf_store_run_finish(f->other, &bl, ZF_RUN_DONE, NULL, NOW + 21, &err),
                     ZF_EBUSY);
    assert_int_equal(zf_store_run_claim(f->st, "D", NOW + 99, TTL, 1, &list, &n, &err), 0);
    assert_true(n == 1 && list[0].id == id1); /* run 1's renewed lease ended at NOW + 40 */
    zf_store_run_free_list(list, n);
    zf_store_run d = claim_one(f->st, "D", NOW + 100);
    assert_int_equal(d.id, id2);
    assert_int_equal(d.lease_seq, 3);
    assert_int_equal(zf_store_run_claim(f->st, "E", NOW + 100, TTL, 9, &list, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(zf_store_run_get(f->st, "acme", id3, &cur, &err), 0);
    assert_int_equal(cur.state, ZF_RUN_DONE);
    assert_int_equal(cur.finished_at, NOW + 20);
    zf_store_run_free(&cur);
    assert_int_equal(zf_store_run_finish(f->st, &a1, ZF_RUN_QUEUED, NULL, NOW, &err), ZF_EINVAL);
    assert_int_equal(zf_store_run_claim(f->st, "", NOW, TTL, 1, &list, &n, &err), ZF_EINVAL);
    zf_store_run_free(&b);
    zf_store_run_free(&c);
    zf_store_run_free(&d);
    zf_store_run_free_list(first, nf);
}

/* PostgreSQL: a claim skips a run whose row another transaction holds (a
 * step's write in progress, another replica's claim) instead of waiting
 * for it: SKIP LOCKED. SQLite has one writer: nothing to skip. */
static void test_runs_claim_skips_locked(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    if (!tdb_pg())
        skip();
    int64_t id1 = make_run(f->st, "w", "t1"), id2 = make_run(f->st, "w", "t2");
    char sql[128];
    snprintf(sql, sizeof sql, "SET search_path TO %s", f->db.schema);
    tdb_admin(sql);
    tdb_admin("BEGIN");
    snprintf(sql, sizeof sql, "SELECT id FROM workflow_runs WHERE id = %lld FOR UPDATE",
             (long long)id1);
    tdb_admin(sql);
    zf_store_run *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_run_claim(f->st, "A", NOW, TTL, 5, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, id2);
    zf_store_run_free_list(list, n);
    tdb_admin("ROLLBACK");
    tdb_admin("RESET search_path");
    assert_int_equal(zf_store_run_claim(f->other, "B", NOW, TTL, 5, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, id1);
    zf_store_run_free_list(list, n);
}

/* The step moves and their guards; a resumed owner reads `sent`. */
static void test_runs_step_moves(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    int64_t id = make_run(f->st, "new-hire", "t1");
    zf_store_run r = claim_one(f->st, "A", NOW);
    zf_store_lease l = zf_store_run_lease(&r);
    zf_store_step steps[] = {
        {.step_id = (char *)"account", .item = -1, .step_index = 0},
        {.step_id = (char *)"invite", .item = 1, .step_index = 2},
        {.step_id = (char *)"invite", .item = 0, .step_index = 2},
        {.step_id = (char *)"orientation", .item = -1, .step_index = 1},
    };
    assert_int_equal(zf_store_step_add(f->st, &l, steps, 4, NOW, &err), 0);
    zf_store_step s, *list = NULL;
    size_t n = 0;
    assert_int_equal(
        zf_store_step_send(f->st, &l, "account", -1, "{\"email\":\"a\"}", NOW + 1, &s, &err), 0);
    assert_int_equal(s.state, ZF_STEP_SENT);
    assert_int_equal(s.attempts, 1);
    assert_int_equal(s.sent_at, NOW + 1);
    assert_string_equal(s.input, "{\"email\":\"a\"}");
    zf_store_step_free(&s);
    /* sent twice: refused, and the caller sees it is sent */
    assert_int_equal(zf_store_step_send(f->st, &l, "account", -1, "{}", NOW + 2, &s, &err),
                     ZF_ECONFLICT);
    assert_int_equal(s.state, ZF_STEP_SENT);
    assert_non_null(strstr(err.message, "is sent"));
    zf_store_step_free(&s);
    /* adding again (a resumed owner) changes nothing */
    assert_int_equal(zf_store_step_add(f->other, &l, steps, 1, NOW + 2, &err), 0);
    assert_int_equal(zf_store_step_list(f->other, id, &list, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_string_equal(list[0].step_id, "account");
    assert_int_equal(list[0].state, ZF_STEP_SENT);
    assert_string_equal(list[1].step_id, "orientation");
    assert_string_equal(list[2].step_id, "invite");
    assert_int_equal(list[2].item, 0);
    assert_int_equal(list[3].item, 1);
    assert_int_equal(list[3].state, ZF_STEP_PENDING);
    zf_store_step_free_list(list, n);
    /* done from sent only */
    assert_int_equal(zf_store_step_done(f->st, &l, "orientation", -1, "{}", NOW, NULL, &err),
                     ZF_ECONFLICT);
    assert_int_equal(
        zf_store_step_done(f->st, &l, "account", -1, "{\"id\":\"u1\"}", NOW + 3, &s, &err), 0);
    assert_int_equal(s.state, ZF_STEP_DONE);
    assert_string_equal(s.output, "{\"id\":\"u1\"}");
    assert_int_equal(s.done_at, NOW + 3);
    zf_store_step_free(&s);
    assert_int_equal(zf_store_step_fail(f->st, &l, "account", -1, "{}", NOW, NULL, &err),
                     ZF_ECONFLICT);
    assert_int_equal(zf_store_step_reset(f->st, &l, "account", -1, NOW, NULL, &err), ZF_ECONFLICT);
    /* sent -> pending (reconcile found nothing) -> sent again */
    assert_int_equal(zf_store_step_send(f->st, &l, "orientation", -1, "{}", NOW, NULL, &err), 0);
    assert_int_equal(zf_store_step_reset(f->st, &l, "orientation", -1, NOW, &s, &err), 0);
    assert_int_equal(s.state, ZF_STEP_PENDING);
    zf_store_step_free(&s);
    assert_int_equal(zf_store_step_send(f->st, &l, "orientation", -1, "{}", NOW, &s, &err), 0);
    assert_int_equal(s.attempts, 2);
    zf_store_step_free(&s);
    /* pending -> failed (an input that could not be rendered), skipped */
    assert_int_equal(
        zf_store_step_fail(f->st, &l, "invite", 0, "{\"code\":\"EVALIDATION\"}", NOW, &s, &err), 0);
    assert_int_equal(s.state, ZF_STEP_FAILED);
    assert_string_equal(s.error, "{\"code\":\"EVALIDATION\"}");
    zf_store_step_free(&s);
    assert_int_equal(zf_store_step_skip(f->st, &l, "invite", 1, NOW, &s, &err), 0);
    assert_int_equal(s.state, ZF_STEP_SKIPPED);
    zf_store_step_free(&s);
    assert_int_equal(zf_store_step_skip(f->st, &l, "invite", 1, NOW, NULL, &err), ZF_ECONFLICT);
    assert_int_equal(zf_store_step_send(f->st, &l, "nope", -1, "{}", NOW, NULL, &err),
                     ZF_ENOTFOUND);
    assert_non_null(strstr(err.message, "\"nope\""));
    zf_store_run_free(&r);
}

/* An owner whose lease expired, was taken over, or whose run was
 * cancelled writes no step; the new owner does. */
static void test_runs_zombie_refused(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    int64_t id = make_run(f->st, "new-hire", "t1");
    zf_store_run a = claim_one(f->st, "A", NOW);
    zf_store_lease la = zf_store_run_lease(&a);
    zf_store_step steps[] = {{.step_id = (char *)"s1", .item = -1},
                             {.step_id = (char *)"s2", .item = -1}};
    assert_int_equal(zf_store_step_add(f->st, &la, steps, 2, NOW, &err), 0);
    /* expired, nobody took it yet: refused all the same */
    assert_int_equal(zf_store_step_send(f->st, &la, "s1", -1, "{}", NOW + TTL, NULL, &err),
                     ZF_EBUSY);
    assert_int_equal(err.hint_id, ZF_HINT_RUN_LEASE_LOST);
    zf_store_run b = claim_one(f->other, "B", NOW + TTL);
    zf_store_lease lb = zf_store_run_lease(&b);
    /* the zombie, even with its clock behind, writes nothing */
    assert_int_equal(zf_store_step_send(f->st, &la, "s1", -1, "{}", NOW + 1, NULL, &err), ZF_EBUSY);
    assert_int_equal(zf_store_step_add(f->st, &la, steps, 2, NOW + 1, &err), ZF_EBUSY);
    assert_int_equal(zf_store_step_skip(f->st, &la, "s2", -1, NOW + 1, NULL, &err), ZF_EBUSY);
    assert_int_equal(
        zf_store_step_send(f->other, &lb, "s1", -1, "{\"b\":1}", NOW + TTL, NULL, &err), 0);
    assert_int_equal(zf_store_step_done(f->st, &la, "s1", -1, "{\"a\":1}", NOW + 2, NULL, &err),
                     ZF_EBUSY);
    assert_int_equal(zf_store_step_fail(f->st, &la, "s1", -1, "{}", NOW + 2, NULL, &err), ZF_EBUSY);
    assert_int_equal(zf_store_step_reset(f->st, &la, "s1", -1, NOW + 2, NULL, &err), ZF_EBUSY);
    zf_store_step *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_step_list(f->st, id, &list, &n, &err), 0);
    assert_int_equal(list[0].state, ZF_STEP_SENT);
    assert_string_equal(list[0].input, "{\"b\":1}");
    assert_int_equal(list[0].attempts, 1);
    assert_int_equal(list[1].state, ZF_STEP_PENDING);
    zf_store_step_free_list(list, n);
    /* cancelled under B: no new request, but the one in flight records
     * its outcome while B's lease lasts */
    assert_int_equal(zf_store_run_cancel(f->st, "acme", id, NOW + TTL + 1, NULL, &err), 0);
    assert_int_equal(zf_store_step_send(f->other, &lb, "s2", -1, "{}", NOW + TTL + 2, NULL, &err),
                     ZF_EBUSY);
    assert_int_equal(
        zf_store_step_done(f->other, &lb, "s1", -1, "{\"id\":9}", NOW + TTL + 2, NULL, &err), 0);
    assert_int_equal(zf_store_run_renew(f->other, &lb, NOW + TTL + 2, TTL, &err), ZF_EBUSY);
    assert_int_equal(zf_store_run_finish(f->other, &lb, ZF_RUN_DONE, NULL, NOW + TTL + 2, &err),
                     ZF_EBUSY);
    zf_store_run cur;
    assert_int_equal(zf_store_run_get(f->st, NULL, id, &cur, &err), 0);
    assert_int_equal(cur.state, ZF_RUN_CANCELLED);
    zf_store_run_free(&cur);
    zf_store_run *runs = NULL;
    assert_int_equal(zf_store_run_claim(f->st, "C", NOW + 1000, TTL, 5, &runs, &n, &err), 0);
    assert_int_equal(n, 0);
    zf_store_run_free(&a);
    zf_store_run_free(&b);
}

/* A failed run goes on from its failed step; cancel and retry refuse the
 * states they do not start from. */
static void test_runs_retry_and_cancel(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    int64_t id = make_run(f->st, "new-hire", "t1");
    zf_store_run a = claim_one(f->st, "A", NOW), got;
    zf_store_lease la = zf_store_run_lease(&a);
    zf_store_step steps[] = {{.step_id = (char *)"s1", .item = -1, .step_index = 0},
                             {.step_id = (char *)"s2", .item = -1, .step_index = 1}};
    assert_int_equal(zf_store_step_add(f->st, &la, steps, 2, NOW, &err), 0);
    assert_int_equal(zf_store_step_send(f->st, &la, "s1", -1, "{}", NOW, NULL, &err), 0);
    assert_int_equal(zf_store_step_done(f->st, &la, "s1", -1, "{\"id\":1}", NOW, NULL, &err), 0);
    assert_int_equal(zf_store_step_send(f->st, &la, "s2", -1, "{}", NOW, NULL, &err), 0);
    assert_int_equal(
        zf_store_step_fail(f->st, &la, "s2", -1, "{\"code\":\"EZOOM\"}", NOW, NULL, &err), 0);
    /* not failed yet: no retry */
    assert_int_equal(zf_store_run_retry(f->st, "acme", id, NOW, &got, &err), ZF_ECONFLICT);
    assert_int_equal(err.hint_id, ZF_HINT_RUN_NOT_FAILED);
    assert_int_equal(got.state, ZF_RUN_RUNNING);
    zf_store_run_free(&got);
    assert_int_equal(
        zf_store_run_finish(f->st, &la, ZF_RUN_FAILED, "{\"step\":\"s2\"}", NOW + 1, &err), 0);
    assert_int_equal(zf_store_run_get(f->st, "acme", id, &got, &err), 0);
    assert_int_equal(got.state, ZF_RUN_FAILED);
    assert_string_equal(got.error, "{\"step\":\"s2\"}");
    assert_int_equal(got.finished_at, NOW + 1);
    zf_store_run_free(&got);
    /* another org's run of that id is not there */
    assert_int_equal(zf_store_run_retry(f->st, "other", id, NOW, NULL, &err), ZF_ENOTFOUND);
    assert_int_equal(err.hint_id, ZF_HINT_LIST_RUNS);
    assert_int_equal(zf_store_run_retry(f->other, "acme", id, NOW + 5, &got, &err), 0);
    assert_int_equal(got.state, ZF_RUN_QUEUED);
    assert_int_equal(got.attempts, 2);
    assert_null(got.error);
    assert_int_equal(got.finished_at, 0);
    zf_store_run_free(&got);
    zf_store_step *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_step_list(f->st, id, &list, &n, &err), 0);
    assert_int_equal(list[0].state, ZF_STEP_DONE);
    assert_string_equal(list[0].output, "{\"id\":1}");
    assert_int_equal(list[1].state, ZF_STEP_PENDING);
    assert_null(list[1].error);
    zf_store_step_free_list(list, n);
    zf_store_run b = claim_one(f->st, "B", NOW + 5);
    assert_int_equal(b.lease_seq, 2);
    zf_store_lease lb = zf_store_run_lease(&b);
    assert_int_equal(zf_store_step_send(f->st, &lb, "s2", -1, "{}", NOW + 6, NULL, &err), 0);
    assert_int_equal(zf_store_step_done(f->st, &lb, "s2", -1, "{}", NOW + 6, NULL, &err), 0);
    assert_int_equal(zf_store_run_finish(f->st, &lb, ZF_RUN_DONE, NULL, NOW + 7, &err), 0);
    assert_int_equal(zf_store_run_cancel(f->st, "acme", id, NOW, &got, &err), ZF_ECONFLICT);
    assert_int_equal(err.hint_id, ZF_HINT_RUN_FINISHED);
    assert_int_equal(got.state, ZF_RUN_DONE);
    zf_store_run_free(&got);
    assert_int_equal(zf_store_run_retry(f->st, "acme", id, NOW, NULL, &err), ZF_ECONFLICT);
    /* a queued run is cancelled before anyone claims it */
    int64_t id2 = make_run(f->st, "new-hire", "t2");
    assert_int_equal(zf_store_run_cancel(f->other, "acme", id2, NOW, &got, &err), 0);
    assert_int_equal(got.state, ZF_RUN_CANCELLED);
    zf_store_run_free(&got);
    assert_int_equal(zf_store_run_cancel(f->other, "acme", id2, NOW, NULL, &err), ZF_ECONFLICT);
    assert_int_equal(zf_store_run_cancel(f->other, "acme", 99999, NOW, NULL, &err), ZF_ENOTFOUND);
    zf_store_run *runs = NULL;
    assert_int_equal(zf_store_run_claim(f->st, "C", NOW + 1000, TTL, 5, &runs, &n, &err), 0);
    assert_int_equal(n, 0);
    zf_store_run_free(&a);
    zf_store_run_free(&b);
}

/* Keyset pages: newest first, no run twice or missed, also while runs are
 * created between pages; the filters. */
static void test_runs_list_pages(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    int64_t ids[7];
    char t[16];
    for (int i = 0; i < 7; i++) {
        snprintf(t, sizeof t, "t%d", i);
        ids[i] = make_run(f->st, i % 2 ? "odd" : "even", t);
    }
    zf_store_run_filter q = ZF_STORE_RUN_FILTER_INIT;
    q.org = "acme";
    q.limit = 3;
    zf_store_run *page = NULL;
    size_t n = 0;
    int64_t next = 0;
    assert_int_equal(zf_store_run_list(f->st, &q, &page, &n, &next, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(page[0].id, ids[6]);
    assert_int_equal(page[2].id, ids[4]);
    assert_int_equal(next, ids[4]);
    zf_store_run_free_list(page, n);
    make_run(f->st, "odd", "late"); /* newer: not on the later pages */
    q.before = next;
    assert_int_equal(zf_store_run_list(f->other, &q, &page, &n, &next, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(page[0].id, ids[3]);
    assert_int_equal(page[2].id, ids[1]);
    zf_store_run_free_list(page, n);
    q.before = next;
    assert_int_equal(zf_store_run_list(f->st, &q, &page, &n, &next, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(page[0].id, ids[0]);
    assert_int_equal(next, 0);
    zf_store_run_free_list(page, n);
    /* exactly a page left: the next (empty) page ends it */
    q.before = ids[3];
    assert_int_equal(zf_store_run_list(f->st, &q, &page, &n, &next, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(next, 0);
    zf_store_run_free_list(page, n);
    /* filters */
    zf_store_run_filter w = ZF_STORE_RUN_FILTER_INIT;
    w.org = "acme";
    w.workflow = "odd";
    assert_int_equal(zf_store_run_list(f->st, &w, &page, &n, &next, &err), 0);
    assert_int_equal(n, 4);
    zf_store_run_free_list(page, n);
    zf_store_run r = claim_one(f->st, "A", NOW);
    w.workflow = NULL;
    w.state = ZF_RUN_RUNNING;
    assert_int_equal(zf_store_run_list(f->st, &w, &page, &n, &next, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(page[0].id, r.id);
    zf_store_run_free_list(page, n);
    w.state = -1;
    w.trigger_kind = ZF_TRIGGER_EVENT;
    w.trigger_id = "t3";
    assert_int_equal(zf_store_run_list(f->st, &w, &page, &n, &next, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(page[0].id, ids[3]);
    zf_store_run_free_list(page, n);
    w.org = "other";
    assert_int_equal(zf_store_run_list(f->st, &w, &page, &n, &next, &err), 0);
    assert_int_equal(n, 0);
    w.state = 42;
    assert_int_equal(zf_store_run_list(f->st, &w, &page, &n, &next, &err), ZF_EINVAL);
    zf_store_run_free(&r);
}

/* A webhook event is consumed once; its runs are found by its id. */
static void test_runs_webhook_consumed_once(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_webhook_event e = {(char *)"acme",
                                (char *)"zb1-e1",
                                (char *)"recording.completed",
                                1785368934000,
                                NOW,
                                NULL,
                                NULL,
                                NULL,
                                (char *)"{}",
                                (char *)"new",
                                0};
    int ins = 0, consumed = -1, created = 0;
    assert_int_equal(zf_store_webhook_event_add(f->st, &e, &ins, &err), 0);
    zf_store_run r = run_of("archive", ZF_TRIGGER_ZOOM, "zb1-e1"), got;
    for (int i = 0; i < 2; i++) { /* a dispatcher, and one that repeats it */
        assert_int_equal(zf_store_run_create(i ? f->other : f->st, &r, NOW, &got, &created, &err),
                         0);
        assert_int_equal(created, i == 0);
        zf_store_run_free(&got);
        assert_int_equal(zf_store_webhook_event_consume(i ? f->other : f->st, "acme", "zb1-e1",
                                                        NOW + 1, &consumed, &err),
                         0);
        assert_int_equal(consumed, i == 0);
    }
    zf_store_webhook_event *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_webhook_event_list(f->st, "acme", "new", 10, &list, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(zf_store_webhook_event_list(f->st, "acme", "consumed", 10, &list, &n, &err),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].consumed_at, NOW + 1);
    zf_store_webhook_event_free_list(list, n);
    assert_int_equal(
        zf_store_webhook_event_consume(f->st, "acme", "zb1-none", NOW, &consumed, &err),
        ZF_ENOTFOUND);
    zf_store_run_filter q = ZF_STORE_RUN_FILTER_INIT;
    q.org = "acme";
    q.trigger_kind = ZF_TRIGGER_ZOOM;
    q.trigger_id = "zb1-e1";
    zf_store_run *runs = NULL;
    int64_t next = 0;
    assert_int_equal(zf_store_run_list(f->st, &q, &runs, &n, &next, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(runs[0].workflow, "archive");
    zf_store_run_free_list(runs, n);
}

/* 6 threads on two stores claim 120 runs in batches until none is left,
 * each finishing what it got: every run is claimed exactly once. */
#define CLAIMERS 6
#define CLAIM_RUNS 120

typedef struct claimer {
    zf_store *st;
    char owner[8];
    int got, failed;
    int64_t ids[CLAIM_RUNS];
    pthread_barrier_t *go;
} claimer;

static void *claim_loop(void *arg)
{
    claimer *c = arg;
    zf_error err = ZF_ERROR_INIT;
    pthread_barrier_wait(c->go);
    for (;;) {
        zf_store_run *list = NULL;
        size_t n = 0;
        if (zf_store_run_claim(c->st, c->owner, NOW, TTL, 3, &list, &n, &err) < 0) {
            c->failed++;
            break;
        }
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            zf_store_lease l = zf_store_run_lease(&list[i]);
            if (list[i].lease_seq != 1 || c->got >= CLAIM_RUNS ||
                zf_store_run_finish(c->st, &l, ZF_RUN_DONE, NULL, NOW, &err) < 0)
                c->failed++;
            else
                c->ids[c->got++] = list[i].id;
        }
        zf_store_run_free_list(list, n);
    }
    return NULL;
}

static void test_runs_claim_race_each_once(void **state)
{
    fx *f = *state;
    char t[16];
    for (int i = 0; i < CLAIM_RUNS; i++) {
        snprintf(t, sizeof t, "t%d", i);
        make_run(f->st, "w", t);
    }
    pthread_t th[CLAIMERS];
    claimer *c = calloc(CLAIMERS, sizeof *c);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, CLAIMERS);
    for (int i = 0; i < CLAIMERS; i++) {
        c[i].st = i % 2 ? f->other : f->st;
        snprintf(c[i].owner, sizeof c[i].owner, "o%d", i);
        c[i].go = &go;
        pthread_create(&th[i], NULL, claim_loop, &c[i]);
    }
    static int seen[CLAIM_RUNS + 1];
    memset(seen, 0, sizeof seen);
    int total = 0;
    for (int i = 0; i < CLAIMERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(c[i].failed, 0);
        for (int k = 0; k < c[i].got; k++) {
            assert_true(c[i].ids[k] >= 1 && c[i].ids[k] <= CLAIM_RUNS);
            seen[c[i].ids[k]]++;
        }
        total += c[i].got;
    }
    pthread_barrier_destroy(&go);
    free(c);
    assert_int_equal(total, CLAIM_RUNS);
    for (int i = 1; i <= CLAIM_RUNS; i++)
        assert_int_equal(seen[i], 1);
    assert_int_equal(
        tdb_long(&f->db,
                 "SELECT COUNT(*) FROM workflow_runs WHERE state = 'done' AND lease_seq = 1"),
        CLAIM_RUNS);
}

int main(void)
{
    tdb_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_names),
        cmocka_unit_test_setup_teardown(test_runs_workflow_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_workflow_save_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_workflow_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_create_once_per_trigger, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_create_race_one_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_claim_and_takeover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_claim_skips_locked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_step_moves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_zombie_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_retry_and_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_list_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_webhook_consumed_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_claim_race_each_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
