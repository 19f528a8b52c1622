/*
 * The webhook store domain and the intake over it, on the backend
 * ZF_TEST_DB names (store_test_db.h; ctest: unit.test_webhook_store and
 * unit.test_webhook_store.pg): an event is stored once per (org, id), also
 * when eight separate stores (eight database connections) insert it at
 * the same instant; orgs never see each other's events; the secret token
 * is never in clear in the database and is bound to its org.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_test_db.h"
#include "zoomflow/crypt.h"
#include "zoomflow/store.h"
#include "zoomflow/webhook.h"

#define KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define SECRET "Zs3cr3tT0kenNeverInClear"
#define NOW 1785368934

typedef struct fx {
    tdb t;
    zf_store *st;
    zf_crypt *c;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    zf_error err = ZF_ERROR_INIT;
    setenv("ZOOMFLOW_MASTER_KEY", KEY, 1);
    tdb_fresh(&f->t);
    assert_int_equal(zf_store_open(&f->st, f->t.dsn, &err), 0);
    assert_int_equal(zf_crypt_new(&f->c, NULL, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    zf_crypt_free(f->c);
    zf_store_free(f->st);
    tdb_drop(&f->t);
    free(f);
    return 0;
}

static zf_store_webhook_event event(const char *org, const char *id, const char *body)
{
    zf_store_webhook_event e = {(char *)org,
                                (char *)id,
                                (char *)"meeting.created",
                                1785368934000,
                                NOW,
                                (char *)"acc1",
                                (char *)"rid_1",
                                (char *)"v=2.0;rid=x",
                                (char *)body,
                                (char *)"new",
                                0};
    return e;
}

static void test_webhook_store_event_once_per_org(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    int ins = -1;
    const char *body = "{\"event\":\"meeting.created\",\"topic\":\"Caf\xc3\xa9 \\u00e9\"}";
    zf_store_webhook_event e = event("org-a", "zb1-aaa", body);
    assert_int_equal(zf_store_webhook_event_add(f->st, &e, &ins, &err), 0);
    assert_int_equal(ins, 1);
    /* the same id again, even with another body: refused, nothing changed */
    zf_store_webhook_event again = event("org-a", "zb1-aaa", "{\"other\":1}");
    again.received_at = NOW + 60;
    assert_int_equal(zf_store_webhook_event_add(f->st, &again, &ins, &err), 0);
    assert_int_equal(ins, 0);
    /* the same id in another org is that org's own event */
    zf_store_webhook_event b = event("org-b", "zb1-aaa", "{\"b\":1}");
    assert_int_equal(zf_store_webhook_event_add(f->st, &b, &ins, &err), 0);
    assert_int_equal(ins, 1);

    zf_store_webhook_event *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_webhook_event_list(f->st, "org-a", NULL, 100, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].body, body); /* byte for byte */
    assert_string_equal(list[0].event_id, "zb1-aaa");
    assert_string_equal(list[0].state, "new");
    assert_string_equal(list[0].request_id, "rid_1");
    assert_string_equal(list[0].tracking_id, "v=2.0;rid=x");
    assert_true(list[0].event_ts == 1785368934000LL);
    assert_true(list[0].received_at == NOW);
    zf_store_webhook_event_free_list(list, n);
    assert_int_equal(zf_store_webhook_event_list(f->st, "org-b", "new", 100, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].body, "{\"b\":1}");
    zf_store_webhook_event_free_list(list, n);
    assert_int_equal(zf_store_webhook_event_list(f->st, "org-b", "done", 100, &list, &n, &err), 0);
    assert_int_equal(n, 0);
    free(list);
    assert_int_equal(tdb_long(&f->t, "SELECT COUNT(*) FROM webhook_events"), 2);
}

typedef struct racer {
    const char *dsn;
    pthread_barrier_t *go;
    int inserted, rc;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    zf_store *st = NULL;
    zf_error err = ZF_ERROR_INIT;
    r->rc = zf_store_open(&st, r->dsn, &err);
    pthread_barrier_wait(r->go);
    if (r->rc == 0) {
        zf_store_webhook_event e = event("org-a", "zb1-race", "{\"race\":true}");
        r->rc = zf_store_webhook_event_add(st, &e, &r->inserted, &err);
    }
    if (r->rc != 0)
        fprintf(stderr, "racer: %s\n", err.message);
    zf_store_free(st);
    return NULL;
}

/* Eight stores, each its own database connection, insert one event at
 * once: exactly one is told it stored it, and one row exists. */
static void test_webhook_store_concurrent_insert_one_row(void **state)
{
    fx *f = *state;
    enum { N = 8 };
    for (int round = 0; round < 3; round++) {
        pthread_t th[N];
        racer r[N];
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, N);
        char sql[96];
        snprintf(sql, sizeof sql, "DELETE FROM webhook_events WHERE event_id = 'zb1-race'");
        tdb_exec(&f->t, sql);
        for (int i = 0; i < N; i++) {
            r[i] = (racer){f->t.dsn, &go, 0, 0};
            pthread_create(&th[i], NULL, race, &r[i]);
        }
        int winners = 0;
        for (int i = 0; i < N; i++) {
            pthread_join(th[i], NULL);
            assert_int_equal(r[i].rc, 0);
            winners += r[i].inserted;
        }
        pthread_barrier_destroy(&go);
        assert_int_equal(winners, 1);
        assert_int_equal(
            tdb_long(&f->t, "SELECT COUNT(*) FROM webhook_events WHERE event_id = 'zb1-race'"), 1);
    }
}

static void test_webhook_store_secret_sealed_and_bound(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_secret s = ZF_SECRET_INIT;
    assert_int_equal(zf_webhook_secret_get(f->st, f->c, "org-a", &s, &err), ZF_ENOTFOUND);
    assert_int_equal(
        zf_webhook_secret_set(f->st, f->c, "org-a", SECRET, strlen(SECRET), "admin@a", NOW, &err),
        0);
    assert_int_equal(zf_webhook_secret_get(f->st, f->c, "org-a", &s, &err), 0);
    assert_string_equal(zf_secret_reveal(&s), SECRET);
    zf_secret_free(&s);
    assert_false(tdb_holds(&f->t, SECRET));
    zf_store_audit *log = NULL;
    size_t nlog = 0;
    assert_int_equal(zf_store_audit_list(f->st, "org-a", 10, &log, &nlog, &err), 0);
    assert_int_equal(nlog, 1);
    assert_string_equal(log[0].action, "webhook.secret.set");
    assert_string_equal(log[0].actor, "admin@a");
    assert_string_equal(log[0].outcome, "ok");
    zf_store_audit_free_list(log, nlog);
    zf_store_webhook_secret row;
    assert_int_equal(zf_store_webhook_secret_get(f->st, "org-a", &row, &err), 0);
    assert_int_equal(strncmp(row.secret_sealed, "zf1:", 4), 0);
    assert_string_equal(row.updated_by, "admin@a");
    assert_true(row.updated_at == NOW);
    /* org-a's sealed value moved to org-b does not open there */
    zf_store_webhook_secret moved = {(char *)"org-b", row.secret_sealed, NOW, NULL};
    assert_int_equal(zf_store_webhook_secret_put(f->st, &moved, &err), 0);
    assert_int_equal(zf_webhook_secret_get(f->st, f->c, "org-b", &s, &err), ZF_ECRYPT);
    zf_store_webhook_secret_free(&row);
    /* replaced, then deleted */
    assert_int_equal(zf_webhook_secret_set(f->st, f->c, "org-a", "second", 6, NULL, NOW, &err), 0);
    assert_int_equal(zf_webhook_secret_get(f->st, f->c, "org-a", &s, &err), 0);
    assert_string_equal(zf_secret_reveal(&s), "second");
    zf_secret_free(&s);
    assert_int_equal(zf_store_webhook_secret_delete(f->st, "org-a", &err), 0);
    assert_int_equal(zf_webhook_secret_get(f->st, f->c, "org-a", &s, &err), ZF_ENOTFOUND);
    /* tokens that are not one */
    assert_int_equal(zf_webhook_secret_set(f->st, f->c, "org-a", "", 0, NULL, NOW, &err),
                     ZF_EVALIDATION);
    assert_int_equal(zf_webhook_secret_set(f->st, f->c, "org-a", "a b", 3, NULL, NOW, &err),
                     ZF_EVALIDATION);
    assert_int_equal(zf_webhook_secret_set(f->st, f->c, "org/x", "abc", 3, NULL, NOW, &err),
                     ZF_EVALIDATION);
}

/* One delivery through the intake: answered, accepted, duplicate, refused. */
static int deliver(fx *f, const char *org, const char *secret, const char *ts, const char *body,
                   int64_t now, zf_webhook_result *out, zf_error *err)
{
    zf_secret k = ZF_SECRET_INIT;
    char sig[68];
    zf_secret_set(&k, secret, strlen(secret));
    zf_webhook_sign(&k, ts, body, strlen(body), sig);
    zf_secret_free(&k);
    zf_webhook_request rq = {sig, ts, "rid", "tid", body, strlen(body)};
    return zf_webhook_intake(out, f->st, f->c, org, &rq, now, err);
}

static const char EV[] = "{\"event\":\"recording.completed\",\"event_ts\":1785368934000,"
                         "\"payload\":{\"account_id\":\"acc1\",\"object\":{\"uuid\":\"u==\"}},"
                         "\"download_token\":\"t1\"}";
static const char EV_RESENT[] = "{\"event\":\"recording.completed\",\"event_ts\":1785368934000,"
                                "\"payload\":{\"account_id\":\"acc1\",\"object\":{\"uuid\":"
                                "\"u==\"}},\"download_token\":\"t2-fresh\"}";

static void test_webhook_intake_outcomes(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_webhook_result r;
    assert_int_equal(deliver(f, "org-a", SECRET, "1785368934", EV, NOW, &r, &err), ZF_ENOTFOUND);
    assert_int_equal(r.refusal, ZF_WEBHOOK_UNKNOWN_ORG);
    assert_int_equal(
        zf_webhook_secret_set(f->st, f->c, "org-a", SECRET, strlen(SECRET), NULL, NOW, &err), 0);

    static const char val[] = "{\"payload\":{\"plainToken\":\"plain1\"},\"event_ts\":1,"
                              "\"event\":\"endpoint.url_validation\"}";
    assert_int_equal(deliver(f, "org-a", SECRET, "1785368934", val, NOW, &r, &err), 0);
    assert_int_equal(r.outcome, ZF_WEBHOOK_ANSWERED);
    assert_string_equal(json_string_value(json_object_get(r.answer, "plainToken")), "plain1");
    json_decref(r.answer);
    /* url_validation with a forged signature gets no answer */
    assert_int_equal(deliver(f, "org-a", "forged", "1785368934", val, NOW, &r, &err), ZF_EAUTH);
    assert_int_equal(r.refusal, ZF_WEBHOOK_SIGNATURE);
    assert_null(r.answer);

    assert_int_equal(deliver(f, "org-a", SECRET, "1785368934", EV, NOW, &r, &err), 0);
    assert_int_equal(r.outcome, ZF_WEBHOOK_ACCEPTED);
    assert_string_equal(r.event, "recording.completed");
    char first[ZF_WEBHOOK_ID_LEN + 1];
    snprintf(first, sizeof first, "%s", r.event_id);
    /* Zoom's retry 5 minutes on: fresh timestamp, fresh download token */
    assert_int_equal(deliver(f, "org-a", SECRET, "1785369234", EV_RESENT, NOW + 300, &r, &err), 0);
    assert_int_equal(r.outcome, ZF_WEBHOOK_DUPLICATE);
    assert_string_equal(r.event_id, first);
    /* refusals store nothing */
    assert_int_equal(deliver(f, "org-a", "forged", "1785368934", EV, NOW, &r, &err), ZF_EAUTH);
    assert_int_equal(r.refusal, ZF_WEBHOOK_SIGNATURE);
    assert_int_equal(deliver(f, "org-a", SECRET, "1785368934", EV, NOW + 301, &r, &err), ZF_EAUTH);
    assert_int_equal(r.refusal, ZF_WEBHOOK_TIMESTAMP);
    assert_int_equal(deliver(f, "org-a", SECRET, "1785368934", "{\"event\":1}", NOW, &r, &err),
                     ZF_EPARSE);
    assert_int_equal(r.refusal, ZF_WEBHOOK_MALFORMED);
    /* the other org has no secret: the same answer as an unknown org */
    assert_int_equal(deliver(f, "org-b", SECRET, "1785368934", EV, NOW, &r, &err), ZF_ENOTFOUND);
    assert_int_equal(r.refusal, ZF_WEBHOOK_UNKNOWN_ORG);
    assert_string_equal(err.message, "no webhook endpoint here");
    assert_int_equal(tdb_long(&f->t, "SELECT COUNT(*) FROM webhook_events"), 1);
    zf_store_webhook_event *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_webhook_event_list(f->st, "org-a", "new", 10, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].body, EV); /* the first delivery's bytes */
    assert_string_equal(list[0].request_id, "rid");
    assert_string_equal(list[0].account_id, "acc1");
    zf_store_webhook_event_free_list(list, n);
}

int main(void)
{
    tdb_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_webhook_store_event_once_per_org, setup, teardown),
        cmocka_unit_test_setup_teardown(test_webhook_store_concurrent_insert_one_row, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_webhook_store_secret_sealed_and_bound, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_webhook_intake_outcomes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
