/* Idempotency keys (idempotency.h) over the store's idempotency domain, on
 * the database ZF_TEST_DB names (store_test_db.h): unit.test_idempotency
 * on SQLite, unit.test_idempotency.pg on PostgreSQL. Racing claims come
 * from threads over one store and from two stores on one database (two
 * processes' worth of connections). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/idempotency.h"
#include "zoomflow/hint.h"
#include "zoomflow/store.h"
#include "store_test_db.h"

#define NOW 1800000000

typedef struct fx {
    tdb db;
    char dsn[2048];
    zf_store *st, *other; /* two stores on one database */
    json_t *in;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    zf_error err = ZF_ERROR_INIT;
    tdb_fresh(&f->db);
    snprintf(f->dsn, sizeof f->dsn, "%s", f->db.dsn);
    assert_int_equal(zf_store_open(&f->st, f->dsn, &err), 0);
    assert_int_equal(zf_store_open(&f->other, f->dsn, &err), 0);
    f->in = json_pack("{s:s,s:i}", "topic", "Day 1", "duration", 30);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    zf_store_free(f->st);
    zf_store_free(f->other);
    json_decref(f->in);
    tdb_drop(&f->db);
    free(f);
    return 0;
}

static void test_idem_key_rules(void **state)
{
    zf_error err = ZF_ERROR_INIT;
    char big[ZF_IDEM_KEY_MAX + 2];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(zf_idem_check_key("a-1_b.c:D/e", &err), 0);
    assert_int_equal(zf_idem_check_key("", &err), ZF_EVALIDATION);
    assert_int_equal(zf_idem_check_key(NULL, &err), ZF_EVALIDATION);
    assert_int_equal(zf_idem_check_key("with space", &err), ZF_EVALIDATION);
    assert_int_equal(zf_idem_check_key("tab\there", &err), ZF_EVALIDATION);
    assert_int_equal(zf_idem_check_key("caf\xc3\xa9", &err), ZF_EVALIDATION);
    assert_int_equal(zf_idem_check_key(big, &err), ZF_EVALIDATION);
    big[ZF_IDEM_KEY_MAX] = '\0';
    assert_int_equal(zf_idem_check_key(big, &err), 0);
}

/* Members in another order are the same request; another action or value
 * is another. */
static void test_idem_hash_canonical(void **state)
{
    zf_error err = ZF_ERROR_INIT;
    char a[65], b[65], c[65], d[65];
    json_t *x = json_loads("{\"a\":1,\"b\":{\"y\":2,\"x\":[1,\"s\"]}}", 0, NULL);
    json_t *y = json_loads("{\"b\":{\"x\":[1,\"s\"],\"y\":2},\"a\":1}", 0, NULL);
    json_t *z = json_loads("{\"b\":{\"x\":[\"s\",1],\"y\":2},\"a\":1}", 0, NULL);
    assert_int_equal(zf_idem_request_hash(a, "create_meeting", x, &err), 0);
    assert_int_equal(zf_idem_request_hash(b, "create_meeting", y, &err), 0);
    assert_int_equal(zf_idem_request_hash(c, "create_user", x, &err), 0);
    assert_int_equal(zf_idem_request_hash(d, "create_meeting", z, &err), 0);
    assert_int_equal(strlen(a), 64);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    json_decref(x);
    json_decref(y);
    json_decref(z);
}

static void test_idem_run_then_replay(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_idem h = ZF_IDEM_INIT, r = ZF_IDEM_INIT;
    assert_int_equal(zf_idem_begin(&h, f->st, "acme", "k1", "create_meeting", f->in, NOW, &err),
                     ZF_IDEM_RUN);
    assert_int_equal(zf_idem_finish(&h, 201, "{\"id\":1}", &err), 0);
    /* the same request from the other store (another replica) replays */
    assert_int_equal(
        zf_idem_begin(&r, f->other, "acme", "k1", "create_meeting", f->in, NOW + 5, &err),
        ZF_IDEM_REPLAY);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.response, "{\"id\":1}");
    assert_int_equal(r.held, 0);
    zf_idem_free(&r);
    /* finishing twice is refused: the claim is spent */
    assert_int_equal(zf_idem_finish(&h, 500, "x", &err), ZF_EINVAL);
    zf_idem_free(&h);
    /* another org's same key is another key */
    assert_int_equal(
        zf_idem_begin(&r, f->st, "other-org", "k1", "create_meeting", f->in, NOW, &err),
        ZF_IDEM_RUN);
    zf_idem_free(&r);
}

static void test_idem_other_request_refused(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_idem h = ZF_IDEM_INIT, r = ZF_IDEM_INIT;
    json_t *other = json_pack("{s:s,s:i}", "topic", "Day 2", "duration", 30);
    assert_int_equal(zf_idem_begin(&h, f->st, "acme", "k2", "create_meeting", f->in, NOW, &err),
                     ZF_IDEM_RUN);
    /* while pending, and after: another body names the key */
    assert_int_equal(zf_idem_begin(&r, f->st, "acme", "k2", "create_meeting", other, NOW, &err),
                     ZF_EVALIDATION);
    assert_non_null(strstr(err.message, "\"k2\""));
    assert_int_equal(err.hint_id, ZF_HINT_NEW_IDEMPOTENCY_KEY);
    zf_idem_free(&r);
    assert_int_equal(zf_idem_finish(&h, 201, "{}", &err), 0);
    assert_int_equal(zf_idem_begin(&r, f->st, "acme", "k2", "create_user", f->in, NOW, &err),
                     ZF_EVALIDATION);
    zf_idem_free(&r);
    zf_idem_free(&h);
    json_decref(other);
}

static void test_idem_in_progress(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_idem h = ZF_IDEM_INIT, r = ZF_IDEM_INIT;
    assert_int_equal(zf_idem_begin(&h, f->st, "acme", "k3", "create_meeting", f->in, NOW, &err),
                     ZF_IDEM_RUN);
    assert_int_equal(
        zf_idem_begin(&r, f->other, "acme", "k3", "create_meeting", f->in, NOW + 60, &err),
        ZF_ECONFLICT);
    assert_int_equal(err.retry_after, ZF_IDEM_RETRY_AFTER_S);
    assert_non_null(strstr(err.message, "in progress"));
    assert_int_equal(r.held, 0);
    zf_idem_free(&r);
    /* the repeat holds nothing: the first still finishes */
    assert_int_equal(zf_idem_finish(&h, 502, "{\"error\":{\"code\":\"EAMBIGUOUS\"}}", &err), 0);
    zf_idem_free(&h);
    /* an unknown outcome is an answer like any other */
    assert_int_equal(zf_idem_begin(&r, f->st, "acme", "k3", "create_meeting", f->in, NOW, &err),
                     ZF_IDEM_REPLAY);
    assert_int_equal(r.status, 502);
    zf_idem_free(&r);
}

/* A run that did nothing gives the key back; freeing a held claim does too. */
static void test_idem_release(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_idem h = ZF_IDEM_INIT;
    assert_int_equal(zf_idem_begin(&h, f->st, "acme", "k4", "create_meeting", f->in, NOW, &err),
                     ZF_IDEM_RUN);
    assert_int_equal(zf_idem_release(&h, &err), 0);
    zf_idem_free(&h);
    assert_int_equal(zf_idem_begin(&h, f->st, "acme", "k4", "create_meeting", f->in, NOW, &err),
                     ZF_IDEM_RUN);
    zf_idem_free(&h); /* released on the way */
    assert_int_equal(zf_idem_begin(&h, f->st, "acme", "k4", "create_meeting", f->in, NOW, &err),
                     ZF_IDEM_RUN);
    zf_idem_free(&h);
    assert_int_equal(zf_idem_keeps(0), 1);
    assert_int_equal(zf_idem_keeps(ZF_EAMBIGUOUS), 1);
    assert_int_equal(zf_idem_keeps(ZF_ESERVER), 1);
    assert_int_equal(zf_idem_keeps(ZF_EZOOM), 1);
    assert_int_equal(zf_idem_keeps(ZF_EVALIDATION), 0);
    assert_int_equal(zf_idem_keeps(ZF_ENOTCONNECTED), 0);
    assert_int_equal(zf_idem_keeps(ZF_ERATELIMIT), 0);
}

/* Past the lease the claim is taken over (never run again: the caller
 * answers "unknown"); the dead claim can then finish nothing. Past the
 * TTL the key is new. */
static void test_idem_abandoned_and_expired(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_idem dead = ZF_IDEM_INIT, h = ZF_IDEM_INIT, r = ZF_IDEM_INIT;
    assert_int_equal(zf_idem_begin(&dead, f->st, "acme", "k5", "create_meeting", f->in, NOW, &err),
                     ZF_IDEM_RUN);
    assert_int_equal(zf_idem_begin(&h, f->other, "acme", "k5", "create_meeting", f->in,
                                   NOW + ZF_IDEM_LEASE_S, &err),
                     ZF_IDEM_ABANDONED);
    assert_int_equal(zf_idem_finish(&dead, 201, "{\"late\":true}", &err), ZF_ENOTFOUND);
    assert_int_equal(zf_idem_finish(&h, 502, "{\"unknown\":true}", &err), 0);
    assert_int_equal(zf_idem_begin(&r, f->st, "acme", "k5", "create_meeting", f->in,
                                   NOW + ZF_IDEM_LEASE_S + 1, &err),
                     ZF_IDEM_REPLAY);
    assert_string_equal(r.response, "{\"unknown\":true}");
    zf_idem_free(&r);
    assert_int_equal(
        zf_idem_begin(&r, f->st, "acme", "k5", "create_meeting", f->in, NOW + ZF_IDEM_TTL_S, &err),
        ZF_IDEM_RUN);
    zf_idem_free(&r);
    zf_idem_free(&dead);
    zf_idem_free(&h);
    /* purge drops what expired */
    assert_int_equal(zf_idem_begin(&r, f->st, "acme", "k6", "create_meeting", f->in, NOW, &err),
                     ZF_IDEM_RUN);
    assert_int_equal(zf_idem_finish(&r, 200, "{}", &err), 0);
    zf_idem_free(&r);
    assert_int_equal(zf_store_idem_purge(f->st, NOW + ZF_IDEM_TTL_S, &err), 0);
    zf_store_idem got;
    assert_int_equal(zf_store_idem_get(f->st, "acme", "k6", &got, &err), ZF_ENOTFOUND);
}

/* 8 threads, half on each store, race for one key: exactly one runs; the
 * others see it in progress (or, once it finished, its answer). */
#define RACERS 8

typedef struct racer {
    fx *f;
    zf_store *st;
    int verdict;
    pthread_barrier_t *go;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    zf_error err = ZF_ERROR_INIT;
    zf_idem h = ZF_IDEM_INIT;
    pthread_barrier_wait(r->go);
    r->verdict = zf_idem_begin(&h, r->st, "acme", "race", "create_meeting", r->f->in, NOW, &err);
    if (r->verdict == ZF_IDEM_RUN) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        if (zf_idem_finish(&h, 201, "{\"won\":true}", &err) != 0)
            r->verdict = -999;
    }
    zf_idem_free(&h);
    return NULL;
}

static void test_idem_race_one_runs(void **state)
{
    fx *f = *state;
    pthread_t t[RACERS];
    racer r[RACERS];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, RACERS);
    for (int i = 0; i < RACERS; i++) {
        r[i] = (racer){f, i % 2 ? f->other : f->st, 0, &go};
        pthread_create(&t[i], NULL, race, &r[i]);
    }
    int runs = 0, busy = 0, replays = 0;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(t[i], NULL);
        runs += r[i].verdict == ZF_IDEM_RUN;
        busy += r[i].verdict == ZF_ECONFLICT;
        replays += r[i].verdict == ZF_IDEM_REPLAY;
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(runs, 1);
    assert_int_equal(runs + busy + replays, RACERS);
    zf_error err = ZF_ERROR_INIT;
    zf_store_idem got;
    assert_int_equal(zf_store_idem_get(f->st, "acme", "race", &got, &err), 0);
    assert_int_equal(got.state, ZF_IDEM_DONE);
    assert_string_equal(got.response, "{\"won\":true}");
    zf_store_idem_free(&got);
}

int main(void)
{
    tdb_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idem_key_rules),
        cmocka_unit_test(test_idem_hash_canonical),
        cmocka_unit_test_setup_teardown(test_idem_run_then_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idem_other_request_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idem_in_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idem_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idem_abandoned_and_expired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idem_race_one_runs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
