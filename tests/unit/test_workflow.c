/* Workflow definitions: loader errors at exact places, templates (types
 * kept, filters, errors), date filters across DST, cron next fire times
 * (DST gaps and overlaps), and the checks against the actions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civil.h"
#include "zoomflow/workflow.h"

/* Loads text; returns the problems' "line:col: message" lines joined. */
static char *problems_of(const char *text, const char *file)
{
    zf_workflow *w = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    int rc = zf_workflow_load(&w, file, text, strlen(text), NULL, &p);
    static char out[8192];
    out[0] = '\0';
    size_t n = 0;
    for (size_t i = 0; i < p.count; i++)
        n += (size_t)snprintf(out + n, sizeof out - n, "%d:%d: %s\n", p.items[i].line,
                              p.items[i].col, p.items[i].message);
    assert_true((rc == 0) == (p.count == 0));
    zf_workflow_free(w);
    zf_wf_problems_free(&p);
    return out;
}

#define HEAD "name: t\non: manual\nsteps:\n"

static void test_load_ok(void **state)
{
    (void)state;
    assert_string_equal(problems_of(HEAD "  - id: a\n    action: get_user\n"
                                         "    with: {user_id: me}\n",
                                    "t.yaml"),
                        "");
}

static void test_load_positions(void **state)
{
    (void)state;
    char *s = problems_of(HEAD "  - id: a\n    action: create_usr\n", "t.yaml");
    assert_string_equal(s, "5:13: there is no action create_usr\n");
    s = problems_of(HEAD "  - id: a\n    action: get_user\n    with: {user_id: me, colour: 1}\n",
                    "t.yaml");
    assert_non_null(strstr(s, "6:25: steps[0].with.colour: unknown field \"colour\""));
    s = problems_of("name: t\nname: u\non: manual\n", "t.yaml");
    assert_non_null(strstr(s, "2:1: the key name is given twice (first at line 1, column 1)"));
    s = problems_of("a: &x 1\nb: *x\n", "t.yaml");
    assert_non_null(strstr(s, "1:4: anchors"));
    s = problems_of("a: !!str 1\n", "t.yaml");
    assert_non_null(strstr(s, "tags"));
    s = problems_of("{\"a\": 1,}", "t.json");
    assert_string_equal(s, "1:8: not valid JSON: JSON disallows trailing comma before closing "
                           "brace\n");
    /* libfyaml 0.7.12 loops forever on this one: refused before it parses */
    s = problems_of("%.Inf\x92:\nto n:", "t.yaml");
    assert_string_equal(s, "1:6: not UTF-8 text (a stray byte here)\n");
    s = problems_of("? [a]\n: 1\n", "t.yaml");
    assert_non_null(strstr(s, "keys must be strings"));
    s = problems_of("name: t\non: {zoom: recording.complete}\nsteps: [{id: a, action: get_user, "
                    "with: {user_id: me}}]\n",
                    "t.yaml");
    assert_non_null(strstr(s, "2:12: \"recording.complete\" is not a Zoom webhook event"));
    s = problems_of("name: t\non: {schedule: {cron: \"0 25 * * *\", timezone: Europe/Berlin}}\n"
                    "steps: [{id: a, action: get_user, with: {user_id: me}}]\n",
                    "t.yaml");
    assert_non_null(strstr(s, "2:26: bad cron schedule: a value out of range in the hour"));
    s = problems_of("{\"name\": \"t\", \"on\": \"manual\", \"steps\": [{\"id\": \"a\", \"action\": "
                    "\"get_user\", \"with\": {\"user_id\": 5}}]}",
                    "t.json");
    assert_non_null(strstr(s, "1:95: steps[0].with.user_id: must be a string"));
}

static void test_load_refs(void **state)
{
    (void)state;
    char *s = problems_of(HEAD "  - id: a\n    action: get_user\n"
                               "    with: {user_id: \"{{ steps.b.output.id }}\"}\n"
                               "  - id: b\n    action: get_user\n    with: {user_id: me}\n",
                          "t.yaml");
    assert_non_null(strstr(s, "6:25: step b comes later"));
    s = problems_of(HEAD "  - id: a\n    action: get_user\n"
                         "    with: {user_id: \"{{ event.x | uper }}\"}\n",
                    "t.yaml");
    assert_non_null(strstr(s, "6:35: there is no filter uper"));
    s = problems_of(HEAD "  - id: a\n    action: get_user\n    with: {user_id: \"{{ item }}\"}\n",
                    "t.yaml");
    assert_non_null(strstr(s, "only defined inside a for_each"));
    s = problems_of(HEAD
                    "  - id: a\n    action: create_user\n"
                    "    with: {action: create, user_info: {email: \"{{ event.e }}\", type: 9}}\n",
                    "t.yaml");
    assert_non_null(strstr(s, "user_info"));
    s = problems_of(HEAD "  - id: a\n    action: create_user\n    with: {action: create}\n",
                    "t.yaml");
    assert_non_null(strstr(s, "user_info"));
}

static json_t *render(const char *tmpl, const char *ctx_json, char *err_out)
{
    zf_wf_template *t = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    zf_wf_scope sc = {.file = "t.yaml", .step = "s", .has_item = 1};
    int rc = zf_wf_template_compile_string(&t, tmpl, &sc, 3, 10, &p);
    if (rc) {
        snprintf(err_out, 512, "%d:%d: %s", p.items[0].line, p.items[0].col, p.items[0].message);
        zf_wf_problems_free(&p);
        return NULL;
    }
    json_t *ctx = json_loads(ctx_json, 0, NULL);
    json_t *out = NULL;
    zf_error err = ZF_ERROR_INIT;
    if (zf_wf_render(&out, t, ctx, &err) != 0)
        snprintf(err_out, 512, "%s", err.message);
    json_decref(ctx);
    zf_wf_template_free(t);
    return out;
}

#define CTX                                                                                        \
    "{\"event\": {\"n\": 42, \"name\": \"  Ada \", \"list\": [1, \"b\"], \"d\": \"2026-03-08\", "  \
    "\"tz\": \"America/New_York\", \"nested\": {\"k\": true}}, \"steps\": {}, \"item\": \"x\"}"

static void expect(const char *tmpl, const char *want_json)
{
    char err[512] = "";
    json_t *v = render(tmpl, CTX, err);
    if (!v)
        fail_msg("%s: %s", tmpl, err);
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (strcmp(s, want_json) != 0)
        fail_msg("%s -> %s, want %s", tmpl, s, want_json);
    free(s);
    json_decref(v);
}

static void expect_err(const char *tmpl, const char *want)
{
    char err[512] = "";
    json_t *v = render(tmpl, CTX, err);
    if (v || !strstr(err, want))
        fail_msg("%s -> %s, want an error with %s", tmpl, err, want);
    json_decref(v);
}

static void test_template_types(void **state)
{
    (void)state;
    expect("{{ event.n }}", "42");
    expect("n={{ event.n }}", "\"n=42\"");
    expect("{{ event.nested }}", "{\"k\":true}");
    expect("{{ event.list[1] }}", "\"b\"");
    expect("{{ item }}", "\"x\"");
    expect("{{ event.name | trim | upper }}", "\"ADA\"");
    expect("{{ event.missing | default('none') }}", "\"none\"");
    expect("{{ event.missing | default(event.n) }}", "42");
    expect("{{ event.list | join('-') }}", "\"1-b\"");
    expect("{{ event.nested | json }}", "\"{\\\"k\\\":true}\"");
    expect("{{ event.list | length }}", "2");
    expect("{{ event.n == 42 }}", "true");
    expect("{{ not event.nested.k }}", "false");
    expect("{{ '7' | int }}", "7");
}

static void test_template_errors(void **state)
{
    (void)state;
    expect_err("{{ event.missing }}", "step s (t.yaml:3:10): event.missing is missing");
    expect_err("a {{ event.n | upper }}", "t.yaml:3:12): filter upper: needs text, got a number");
    expect_err("{{ event.n ", "3:10: a template is not closed");
    expect_err("{{ event.n | nope }}", "3:23: there is no filter nope");
    expect_err("{{ bogus.x }}", "3:13: bogus is not something");
    expect_err("{{ event.d | at('25:00', event.tz) }}", "is not HH:mm");
    expect_err("{{ event.d | at('09:00', 'Mars/Base') }}", "Mars/Base");
}

static void test_dates_dst(void **state)
{
    (void)state;
    /* 2026-03-08: New York springs forward at 02:00 */
    expect("{{ event.d | at('09:00', event.tz) }}", "\"2026-03-08T09:00:00-04:00\"");
    expect("{{ event.d | add_days(-1) | at('09:00', event.tz) }}", "\"2026-03-07T09:00:00-05:00\"");
    expect("{{ event.d | at('02:30', event.tz) }}", "\"2026-03-08T03:30:00-04:00\"");
    expect("{{ '2026-11-01' | at('01:30', event.tz) }}", "\"2026-11-01T01:30:00-04:00\"");
    expect("{{ event.d | at('09:00', event.tz) | utc }}", "\"2026-03-08T13:00:00Z\"");
    expect("{{ '2026-03-08T06:30:00Z' | in_zone(event.tz) }}", "\"2026-03-08T01:30:00-05:00\"");
    expect("{{ '2026-03-08T06:30:00Z' | add_hours(1) | in_zone(event.tz) }}",
           "\"2026-03-08T03:30:00-04:00\"");
    expect("{{ '2024-02-28' | add_days(1) }}", "\"2024-02-29\"");
    expect("{{ event.d | date('%A %e %B %Y') }}", "\"Sunday 8 March 2026\"");
}

/* `download: recording`: its inputs checked like an action's, and the
 * refusals of a wrong kind, both keys, neither. */
static void test_download_step(void **state)
{
    (void)state;
    const char *ok = HEAD "  - id: archive\n    download: recording\n    with:\n"
                          "      meeting_id: \"{{ event.payload.object.uuid }}\"\n"
                          "      dir: \"/srv/{{ event.payload.object.id }}\"\n";
    assert_string_equal(problems_of(ok, "t.yaml"), "");
    zf_workflow *w = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    assert_int_equal(zf_workflow_load(&w, "t.yaml", ok, strlen(ok), NULL, &p), 0);
    const zf_wf_step *st = zf_workflow_step(w, 0);
    assert_int_equal(st->builtin, ZF_WF_BUILTIN_DOWNLOAD_RECORDING);
    assert_null(st->action);
    zf_workflow_free(w);
    const char *bad =
        HEAD "  - id: a\n    download: recordings\n"
             "  - id: b\n    download: recording\n    action: get_user\n"
             "  - id: c\n    download: recording\n"
             "    with: {meeting: 81234567890, dir: /tmp/x}\n"
             "  - id: d\n    download: recording\n    with: {meeting_id: 12, dir: \"\"}\n"
             "  - id: e\n    with: {}\n";
    const char *got = problems_of(bad, "t.yaml");
    assert_non_null(strstr(got, "5:15: download: takes recording"));
    assert_non_null(strstr(got, "a step has either action: or download:, not both"));
    assert_non_null(strstr(got, "steps[2].with.meeting_id: is required"));
    assert_non_null(strstr(got, "steps[2].with.meeting: unknown field"));
    assert_non_null(strstr(got, "steps[3].with.meeting_id"));        /* 12: not a meeting id */
    assert_non_null(strstr(got, "steps[3].with.dir"));               /* "" */
    assert_non_null(strstr(got, "the key action is required here")); /* e */
}

/* A loaded step renders its with: against a run's context, and errors name
 * the step, the input's path and the template's place. */
static void test_render_step(void **state)
{
    (void)state;
    const char *text = HEAD "  - id: orientation\n    action: create_meeting\n    with:\n"
                            "      user_id: me\n      type: 2\n"
                            "      start_time: \"{{ event.d | at('09:00', event.tz) }}\"\n"
                            "      duration: \"{{ event.n }}\"\n";
    zf_workflow *w = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    assert_int_equal(zf_workflow_load(&w, "t.yaml", text, strlen(text), NULL, &p), 0);
    const zf_wf_step *st = zf_workflow_step(w, 0);
    assert_string_equal(st->id, "orientation");
    assert_string_equal(st->action->name, "create_meeting");
    json_t *ctx = json_loads(CTX, 0, NULL), *out = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_wf_render(&out, st->with, ctx, &err), 0);
    assert_string_equal(json_string_value(json_object_get(out, "start_time")),
                        "2026-03-08T09:00:00-04:00");
    assert_int_equal(json_integer_value(json_object_get(out, "duration")), 42);
    json_decref(out);
    json_object_del(json_object_get(ctx, "event"), "d");
    assert_int_equal(zf_wf_render(&out, st->with, ctx, &err), ZF_EVALIDATION);
    assert_string_equal(err.message, "step orientation, with.start_time (t.yaml:9:20): event.d is "
                                     "missing from the run's data (add `| default(...)` to allow "
                                     "that)");
    assert_int_equal(err.hint_id, ZF_HINT_CHECK_RUN_DATA);
    json_decref(ctx);
    zf_workflow_free(w);
}

static void test_input_schema(void **state)
{
    (void)state;
    const char *text = "name: t\non: {event: hired}\ninput:\n  properties:\n"
                       "    email: {type: string, format: email}\n"
                       "    kind: {type: string, enum: [staff, contractor]}\n"
                       "    n: {type: integer}\n  required: [email]\n"
                       "steps: [{id: a, action: get_user, with: {user_id: me}}]\n";
    zf_workflow *w = NULL;
    zf_wf_problems wp = ZF_WF_PROBLEMS_INIT;
    assert_int_equal(zf_workflow_load(&w, "t.yaml", text, strlen(text), NULL, &wp), 0);
    assert_int_equal(zf_workflow_trigger(w), ZF_WF_ON_EVENT);
    assert_string_equal(zf_workflow_trigger_value(w), "hired");
    zf_problems p = ZF_PROBLEMS_INIT;
    json_t *ok = json_pack("{ss ss si ss}", "email", "a@b.co", "kind", "staff", "n", 3, "x", "y");
    assert_int_equal(zf_workflow_check_input(w, ok, &p), 0);
    json_t *bad = json_pack("{ss si}", "kind", "boss", "n", 3);
    json_object_set_new(bad, "n", json_string("three"));
    assert_int_equal(zf_workflow_check_input(w, bad, &p), ZF_EVALIDATION);
    assert_int_equal(p.count, 3); /* email missing, kind not in the enum, n not an integer */
    zf_problems_free(&p);
    json_decref(ok);
    json_decref(bad);
    zf_workflow_free(w);
    char *s = problems_of(
        HEAD "  - {id: a, action: get_user, for_each: \"abc\", with: {user_id: me}}\n", "t.yaml");
    assert_non_null(strstr(s, "for_each takes a list"));
}

static int64_t utc(int y, unsigned m, unsigned d, int hh, int mm)
{
    return zf_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

static int64_t next(const char *cron, const char *zone, int64_t after)
{
    zf_cron c;
    int col;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_cron_parse(&c, cron, &col, &err), 0);
    int64_t n = 0;
    assert_int_equal(zf_cron_next(&c, zone, after, &n, &err), 0);
    return n;
}

static void test_cron(void **state)
{
    (void)state;
    const char *ny = "America/New_York";
    assert_int_equal(next("0 9 * * mon-fri", "UTC", utc(2026, 3, 6, 9, 0)), utc(2026, 3, 9, 9, 0));
    assert_int_equal(next("*/15 * * * *", "UTC", utc(2026, 1, 1, 0, 7)), utc(2026, 1, 1, 0, 15));
    assert_int_equal(next("0 0 29 feb *", "UTC", utc(2026, 1, 1, 0, 0)), utc(2028, 2, 29, 0, 0));
    /* steps: N/S runs from N to the field's end; N-M/S stays in the range */
    assert_int_equal(next("50/5 * * * *", "UTC", utc(2026, 1, 1, 0, 56)), utc(2026, 1, 1, 1, 50));
    assert_int_equal(next("1-1/2 * * * *", "UTC", utc(2026, 1, 1, 0, 1)), utc(2026, 1, 1, 1, 1));
    /* both day fields restricted: either matches (Vixie); 2026-01-01 is a Thursday */
    assert_int_equal(next("0 0 15 * fri", "UTC", utc(2026, 1, 1, 0, 0)), utc(2026, 1, 2, 0, 0));
    assert_int_equal(next("0 12 * * 7", "UTC", utc(2026, 1, 1, 0, 0)), utc(2026, 1, 4, 12, 0));
    /* spring forward: 02:30 does not exist on 2026-03-08; fires at 03:30 EDT (07:30Z) */
    assert_int_equal(next("30 2 * * *", ny, utc(2026, 3, 8, 0, 0)), utc(2026, 3, 8, 7, 30));
    /* fall back: 01:30 happens twice on 2026-11-01; fires once, at the EDT one (05:30Z) */
    assert_int_equal(next("30 1 * * *", ny, utc(2026, 11, 1, 0, 0)), utc(2026, 11, 1, 5, 30));
    assert_int_equal(next("30 1 * * *", ny, utc(2026, 11, 1, 5, 30)), utc(2026, 11, 2, 6, 30));
    /* an hourly schedule follows real time through the repeated hour */
    assert_int_equal(next("30 * * * *", ny, utc(2026, 11, 1, 5, 30)), utc(2026, 11, 1, 6, 30));
    zf_cron c;
    int col;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_cron_parse(&c, "0 9 * * fry", &col, &err), ZF_EVALIDATION);
    assert_int_equal(col, 9);
    assert_int_equal(zf_cron_parse(&c, "0 9 * *", &col, &err), ZF_EVALIDATION);
    assert_int_equal(zf_cron_parse(&c, "0 9 5-1 * *", &col, &err), ZF_EVALIDATION);
    assert_int_equal(zf_cron_parse(&c, "0 0 30 2 *", &col, &err), 0);
    int64_t n;
    assert_int_equal(zf_cron_next(&c, "UTC", 0, &n, &err), ZF_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_ok),
        cmocka_unit_test(test_load_positions),
        cmocka_unit_test(test_load_refs),
        cmocka_unit_test(test_template_types),
        cmocka_unit_test(test_template_errors),
        cmocka_unit_test(test_dates_dst),
        cmocka_unit_test(test_cron),
        cmocka_unit_test(test_render_step),
        cmocka_unit_test(test_download_step),
        cmocka_unit_test(test_input_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
