/*
 * The runner (runner.h) on the database ZF_TEST_DB names (store_test_db.h):
 * starting runs (input checked first, one version per content, one run per
 * trigger), executing runs that need no Zoom request (`if:` false, an
 * empty for_each), a lost lease that writes nothing, and the error JSON.
 * The Zoom side is the integration tests' (test_runs_runner.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/runner.h"
#include "store_test_db.h"

static const char wf_text[] = "name: skip-all\n"
                              "on: manual\n"
                              "input:\n"
                              "  properties:\n"
                              "    email: {type: string, format: email}\n"
                              "  required: [email]\n"
                              "steps:\n"
                              "  - id: look\n"
                              "    action: get_user\n"
                              "    if: \"{{ event.go | default(false) }}\"\n"
                              "    with: {user_id: \"{{ event.email }}\"}\n"
                              "  - id: each\n"
                              "    action: get_user\n"
                              "    for_each: \"{{ event.ids }}\"\n"
                              "    with: {user_id: \"{{ item }}\"}\n";

typedef struct fx {
    tdb db;
    zf_store *st;
    zf_runner *r;
    zf_workflow *w;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    zf_error err = ZF_ERROR_INIT;
    tdb_fresh(&f->db);
    assert_int_equal(zf_store_open(&f->st, f->db.dsn, &err), 0);
    zf_runner_opts o = ZF_RUNNER_OPTS_INIT;
    o.store = f->st;
    o.lease_ttl = 30;
    assert_int_equal(zf_runner_new(&f->r, &o, &err), 0);
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    assert_int_equal(zf_workflow_load(&f->w, "skip.yaml", wf_text, strlen(wf_text), NULL, &p), 0);
    zf_wf_problems_free(&p);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    zf_runner_free(f->r);
    zf_workflow_free(f->w);
    zf_store_free(f->st);
    tdb_drop(&f->db);
    free(f);
    return 0;
}

static int start(fx *f, const char *input, const char *trigger, zf_store_run *run, int *created,
                 zf_problems *p, zf_error *err)
{
    json_error_t je;
    json_t *in = json_loads(input, 0, &je);
    assert_non_null(in);
    zf_runner_start_opts so = {0};
    so.org = "acme";
    so.trigger_kind = ZF_TRIGGER_MANUAL;
    so.trigger_id = trigger;
    so.input = in;
    int rc = zf_runner_start(f->r, f->w, &so, run, created, p, err);
    json_decref(in);
    return rc;
}

static void test_start_checks_input_first(void **state)
{
    fx *f = *state;
    zf_store_run run;
    int created = 0;
    zf_problems p = ZF_PROBLEMS_INIT;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(start(f, "{\"email\": \"nope\"}", "t1", &run, &created, &p, &err),
                     ZF_EVALIDATION);
    assert_true(p.count >= 1);
    assert_string_equal(p.items[0].path, "email");
    assert_non_null(strstr(err.message, "skip-all"));
    zf_problems_free(&p);
    /* nothing was made: no version, no run */
    zf_store_workflow w;
    assert_int_equal(zf_store_workflow_get(f->st, "acme", "skip-all", 0, &w, &err), ZF_ENOTFOUND);
}

static void test_start_one_run_per_trigger(void **state)
{
    fx *f = *state;
    zf_store_run a, b;
    int ca = 0, cb = 0;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(start(f, "{\"email\": \"a@example.com\"}", "t2", &a, &ca, NULL, &err), 0);
    assert_int_equal(start(f, "{\"email\": \"a@example.com\"}", "t2", &b, &cb, NULL, &err), 0);
    assert_int_equal(ca, 1);
    assert_int_equal(cb, 0);
    assert_int_equal(a.id, b.id);
    assert_int_equal(a.version, 1);
    assert_int_equal(b.version, 1);
    assert_int_equal(a.state, ZF_RUN_QUEUED);
    zf_store_run_free(&a);
    zf_store_run_free(&b);
}

static void test_exec_without_requests(void **state)
{
    fx *f = *state;
    zf_store_run run, claimed;
    int created = 0, st = -1;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(
        start(f, "{\"email\": \"a@example.com\", \"ids\": []}", "t3", &run, &created, NULL, &err),
        0);
    assert_int_equal(
        zf_store_run_claim_id(f->st, run.id, "test:1", (int64_t)time(NULL), 30, &claimed, &err), 0);
    /* no step sends anything, so no Zoom client is needed */
    assert_int_equal(zf_runner_exec(f->r, &claimed, NULL, NULL, &st, &err), 0);
    assert_int_equal(st, ZF_RUN_DONE);
    zf_store_step *steps = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_step_list(f->st, run.id, &steps, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(steps[0].step_id, "look");
    assert_int_equal(steps[0].state, ZF_STEP_SKIPPED);
    zf_store_step_free_list(steps, n);
    zf_store_run now;
    assert_int_equal(zf_store_run_get(f->st, "acme", run.id, &now, &err), 0);
    assert_int_equal(now.state, ZF_RUN_DONE);
    /* claimed again: not claimable */
    zf_store_run again;
    assert_int_equal(
        zf_store_run_claim_id(f->st, run.id, "test:2", (int64_t)time(NULL), 30, &again, &err),
        ZF_EBUSY);
    assert_int_equal(again.state, ZF_RUN_DONE);
    zf_store_run_free(&again);
    zf_store_run_free(&now);
    zf_store_run_free(&claimed);
    zf_store_run_free(&run);
}

static void test_lost_lease_writes_nothing(void **state)
{
    fx *f = *state;
    zf_store_run run, claimed, cancelled;
    int created = 0, st = -1;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(start(f, "{\"email\": \"a@example.com\"}", "t4", &run, &created, NULL, &err),
                     0);
    assert_int_equal(
        zf_store_run_claim_id(f->st, run.id, "test:1", (int64_t)time(NULL), 30, &claimed, &err), 0);
    assert_int_equal(
        zf_store_run_cancel(f->st, "acme", run.id, (int64_t)time(NULL), &cancelled, &err), 0);
    assert_int_equal(zf_runner_exec(f->r, &claimed, NULL, NULL, &st, &err), ZF_EBUSY);
    zf_store_step *steps = NULL;
    size_t n = 9;
    assert_int_equal(zf_store_step_list(f->st, run.id, &steps, &n, &err), 0);
    assert_int_equal(n, 0);
    zf_store_step_free_list(steps, n);
    zf_store_run_free(&cancelled);
    zf_store_run_free(&claimed);
    zf_store_run_free(&run);
}

static void test_error_json(void **state)
{
    (void)state;
    zf_error e = ZF_ERROR_INIT;
    zf_error_set(&e, ZF_EDAILYLIMIT, "the daily limit is reached; it resets at 00:00 UTC");
    zf_error_hint_id(&e, ZF_HINT_WAIT_FOR_RESET, NULL);
    e.reset_at = 1800000000;
    e.http_status = 429;
    json_t *j = zf_runner_error_json(&e, "orientation", 3);
    assert_string_equal(json_string_value(json_object_get(j, "code")), "EDAILYLIMIT");
    assert_int_equal(json_integer_value(json_object_get(j, "reset_at")), 1800000000);
    assert_int_equal(json_integer_value(json_object_get(j, "http_status")), 429);
    assert_int_equal(json_integer_value(json_object_get(j, "hint_id")), ZF_HINT_WAIT_FOR_RESET);
    assert_string_equal(json_string_value(json_object_get(j, "step")), "orientation");
    assert_int_equal(json_integer_value(json_object_get(j, "item")), 3);
    assert_null(json_object_get(j, "zoom_code"));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_start_checks_input_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_one_run_per_trigger, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_without_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_lease_writes_nothing, setup, teardown),
        cmocka_unit_test(test_error_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
