/* Loading, compiling and rendering when an allocation fails: each
 * allocation of the library's own code (malloc, calloc, realloc, strdup,
 * strndup, linked with -Wl,--wrap, see CMakeLists.txt) and of jansson (its
 * hooks) is failed in turn, one per attempt. Every attempt must end in a
 * clean state: a result or no result with ZF_ENOMEM / ZF_EVALIDATION and
 * the problem set marked, nothing leaked (the valgrind stage checks), no
 * crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zoomflow/workflow.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static long fail_at = -1; /* the allocation that fails (counted from 0); -1: none */
static long seen;

static int fails(void)
{
    return fail_at >= 0 && seen++ == fail_at;
}

void *__wrap_malloc(size_t n)
{
    return fails() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size)
{
    return fails() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n)
{
    return fails() ? NULL : __real_realloc(p, n);
}
char *__wrap_strdup(const char *s)
{
    return fails() ? NULL : __real_strdup(s);
}
char *__wrap_strndup(const char *s, size_t n)
{
    return fails() ? NULL : __real_strndup(s, n);
}

static void *json_alloc(size_t n)
{
    return fails() ? NULL : __real_malloc(n);
}

static void arm(long n)
{
    seen = 0;
    fail_at = n;
}

/* 1 while the armed allocation was reached (so a next attempt is due). */
static int disarm(void)
{
    int reached = seen > fail_at;
    fail_at = -1;
    return reached;
}

static const char DEF[] =
    "name: t\non: {schedule: {cron: \"0 9 * * mon\", timezone: America/New_York}}\n"
    "input:\n  properties:\n    email: {type: string, format: email}\n"
    "    kind: {type: string, enum: [staff, contractor]}\n  required: [email]\n"
    "steps:\n"
    "  - id: a\n    action: create_user\n"
    "    with: {action: create, user_info: {email: \"{{ event.email | lower }}\", type: 1,"
    " first_name: \"Hi {{ event.name | default('x') }}\"}}\n"
    "  - id: b\n    action: create_meeting\n    for_each: \"{{ event.list }}\"\n"
    "    concurrency: 2\n    if: \"{{ not event.skip | default(false) }}\"\n"
    "    retry: {max_attempts: 3, backoff: fixed}\n"
    "    with:\n      user_id: \"{{ steps.a.output.id }}\"\n      type: 2\n"
    "      start_time: \"{{ event.d | at('09:00', 'UTC') }}\"\n      settings: {approval_type: 0}\n"
    "  - id: c\n    download: recording\n    with: {meeting_id: \"{{ item }}\", dir: /tmp/x}\n"
    "    for_each: [\"1\"]\n";

static void test_load_oom(void **state)
{
    (void)state;
    long n = 0;
    int ok = 0;
    for (;; n++) {
        zf_workflow *w = NULL;
        zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
        arm(n);
        int rc = zf_workflow_load(&w, "t.yaml", DEF, strlen(DEF), NULL, &p);
        int reached = disarm();
        if (rc == 0) {
            assert_non_null(w);
            json_t *j = zf_workflow_json(w); /* may be NULL only under a fault */
            json_decref(j);
            ok++;
        } else {
            if (rc != ZF_ENOMEM && rc != ZF_EVALIDATION)
                fail_msg("allocation %ld: rc %d", n, rc);
            assert_null(w);
            if (!p.oom)
                fail_msg("allocation %ld failed: rc %d without the set marked oom (%s)", n, rc,
                         p.count ? p.items[0].message : "no problem");
        }
        zf_workflow_free(w);
        zf_wf_problems_free(&p);
        if (!reached) {
            assert_int_equal(rc, 0); /* no fault: it loads */
            break;
        }
    }
    assert_true(n > 100);
}

/* A definition with problems: the problems' own allocations fail too. */
static void test_problems_oom(void **state)
{
    (void)state;
    static const char bad[] = "name: T\non: {zoom: nope}\nsteps:\n"
                              "  - {id: a, action: get_usr, colour: 1}\n"
                              "  - {id: a, action: get_user, with: {user_id: \"{{ bogus }}\"}}\n";
    for (long n = 0;; n++) {
        zf_workflow *w = NULL;
        zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
        arm(n);
        int rc = zf_workflow_load(&w, "t.yaml", bad, strlen(bad), NULL, &p);
        json_t *j = rc == ZF_EVALIDATION ? zf_wf_problems_json(&p) : NULL;
        int reached = disarm();
        assert_null(w);
        if (rc != ZF_ENOMEM && rc != ZF_EVALIDATION)
            fail_msg("allocation %ld: rc %d", n, rc);
        if (rc == ZF_ENOMEM)
            assert_true(p.oom);
        /* the problems kept are whole: each has its texts */
        for (size_t i = 0; i < p.count; i++)
            assert_true(p.items[i].file && p.items[i].message && p.items[i].hint);
        if (j)
            assert_int_equal(json_array_size(j), p.count);
        json_decref(j);
        zf_wf_problems_free(&p);
        if (!reached) {
            assert_int_equal(rc, ZF_EVALIDATION);
            break;
        }
    }
}

static const char CTX[] = "{\"event\": {\"n\": 42, \"s\": \"Ab\", \"list\": [1, \"b\"], "
                          "\"d\": \"2026-03-08\"}, \"steps\": {}, \"item\": \"x\"}";

static void test_template_oom(void **state)
{
    (void)state;
    static const char *const tmpls[] = {
        "a {{ event.s | lower | trim }} b {{ event.n == 42 }}",
        "{{ event.list | join('-') | upper }}",
        "{{ event.d | at('09:00', 'UTC') | date('%A %B') }}",
        "{{ event.d | add_days(1) }}{{ event.list | json }}{{ event.n | string }}",
        "{{ event.missing | default(event.list[1]) | length }}",
        NULL};
    json_t *ctx = json_loads(CTX, 0, NULL);
    for (const char *const *s = tmpls; *s; s++) {
        for (long n = 0;; n++) {
            zf_wf_template *t = NULL;
            zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
            zf_wf_scope sc = {.file = "t.yaml", .step = "s", .has_item = 1};
            json_t *out = NULL;
            zf_error err = ZF_ERROR_INIT;
            arm(n);
            int rc = zf_wf_template_compile_string(&t, *s, &sc, 1, 1, &p);
            if (rc == 0)
                rc = zf_wf_render(&out, t, ctx, &err);
            int reached = disarm();
            if (rc != 0 && rc != ZF_ENOMEM)
                fail_msg("%s, allocation %ld: rc %d (%s%s)", *s, n, rc,
                         p.count ? p.items[0].message : "", err.message);
            json_decref(out);
            zf_wf_template_free(t);
            zf_wf_problems_free(&p);
            if (!reached) {
                assert_int_equal(rc, 0);
                break;
            }
        }
    }
    json_decref(ctx);
}

int main(void)
{
    json_set_alloc_funcs(json_alloc, free);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_oom),
        cmocka_unit_test(test_template_oom),
        cmocka_unit_test(test_problems_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
