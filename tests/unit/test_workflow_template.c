/* Templates given bad and edge input: every compile error with its exact
 * place and hint, every filter's refusals with the exact message, and the
 * edge values of the date filters (ends of the years, offsets, formats). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zoomflow/workflow.h"

#define CTX                                                                                        \
    "{\"event\": {\"n\": 42, \"r\": 1.5, \"t\": true, \"z\": null, \"s\": \"Ab\", "                \
    "\"u\": \"h\\u00e9llo\", \"list\": [1, \"b\", null, true], \"deep\": [[1]], "                  \
    "\"obj\": {\"k\": 1}, \"d\": \"2026-03-08\", \"tz\": \"America/New_York\"}, "                  \
    "\"steps\": {\"a\": {\"output\": {\"id\": 7}}}, \"env\": {\"HOME_URL\": \"x\"}, "              \
    "\"item\": \"it\"}"

static const char *const BEFORE[] = {"a", NULL};
static const char *const ALL[] = {"a", "s", "later", NULL};
static const char *const ENV[] = {"HOME_URL", NULL};

/* The error of compiling or rendering tmpl (at t.yaml:3:10 in step s), as
 * "L:C: message [hint]" for a compile problem or the render's message;
 * "" and *out set when it renders. */
static const char *run(const char *tmpl, json_t **out)
{
    static char msg[1024];
    msg[0] = '\0';
    *out = NULL;
    zf_wf_template *t = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    zf_wf_scope sc = {.file = "t.yaml",
                      .step = "s",
                      .steps_before = BEFORE,
                      .steps_all = ALL,
                      .env_allowed = ENV,
                      .has_item = 1};
    int rc = zf_wf_template_compile_string(&t, tmpl, &sc, 3, 10, &p);
    if (rc) {
        assert_int_equal(rc, ZF_EVALIDATION);
        assert_int_equal(p.count, 1);
        assert_null(t);
        snprintf(msg, sizeof msg, "%d:%d: %s [%s]", p.items[0].line, p.items[0].col,
                 p.items[0].message, p.items[0].hint);
        zf_wf_problems_free(&p);
        return msg;
    }
    assert_int_equal(p.count, 0);
    json_t *ctx = json_loads(CTX, 0, NULL);
    assert_non_null(ctx);
    zf_error err = ZF_ERROR_INIT;
    rc = zf_wf_render(out, t, ctx, &err);
    if (rc) {
        assert_int_equal(rc, ZF_EVALIDATION);
        assert_null(*out);
        snprintf(msg, sizeof msg, "%s", err.message);
    }
    json_decref(ctx);
    zf_wf_template_free(t);
    return msg;
}

static int mismatches;

static void ok(const char *tmpl, const char *want_json)
{
    json_t *v = NULL;
    const char *e = run(tmpl, &v);
    if (!v)
        fail_msg("%s: %s", tmpl, e);
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (strcmp(s, want_json) != 0) {
        print_error("%s -> %s, want %s\n", tmpl, s, want_json);
        mismatches++;
    }
    free(s);
    json_decref(v);
}

static void bad(const char *tmpl, const char *want)
{
    json_t *v = NULL;
    const char *e = run(tmpl, &v);
    if (v) {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        json_decref(v);
        fail_msg("%s -> %s, want the error %s", tmpl, s, want);
    }
    if (strcmp(e, want) != 0) {
        print_error("%s\n got: %s\nwant: %s\n", tmpl, e, want);
        mismatches++;
    }
}

/* Each test reports every mismatch, then fails once. */
#define DONE()                                                                                     \
    do {                                                                                           \
        int m_ = mismatches;                                                                       \
        mismatches = 0;                                                                            \
        assert_int_equal(m_, 0);                                                                   \
    } while (0)

/* A render error of the filter in step s at the template's "{{". */
#define FERR(col, text) "step s (t.yaml:3:" #col "): filter " text

static void test_compile_syntax(void **state)
{
    (void)state;
    bad("{{ }}", "3:13: a value is missing [write a value such as event.name]");
    bad("{{ event.n | }}", "3:23: a filter name is missing [name a filter after '|']");
    bad("{{ event. }}", "3:19: a field name is missing [write a field name after '.']");
    bad("{{ event.list[x] }}", "3:24: an index must be digits in [ ] [write an index as [0]]");
    bad("{{ event.list[1 }}", "3:24: an index must be digits in [ ] [write an index as [0]]");
    bad("{{ event.list[1234567890] }}",
        "3:24: an index must be digits in [ ] [write an index as [0]]");
    bad("{{ 'abc }}", "3:13: a quoted text is not closed [close the quote]");
    bad("{{ - }}", "3:13: a number is not valid here [write a whole number of at most 18 digits]");
    bad("{{ 1234567890123456789 }}",
        "3:13: a number is not valid here [write a whole number of at most 18 digits]");
    bad("{{ @x }}", "3:13: unexpected '@' [write a value such as event.name]");
    bad("{{ event.n event.s }}",
        "3:21: unexpected 'e' [end the template with }}, or join filters with |]");
    bad("{{ event.n | join('-' }}", "3:32: expected ',' or ')' [close the arguments with ')']");
    bad("{{ event.n | join() }}", "3:28: unexpected ')' [write a value such as event.name]");
    /* past the most any filter takes (3): still parsed, then refused */
    bad("{{ event.d | at(1, 2, 3, 4) }}",
        "3:23: at takes two arguments (the time \"HH:mm\" and the zone) [docs/workflows.md lists "
        "the filters]");
    bad("{{ event.d | at(1, 2, 3, 4, 'x) }}",
        "3:38: a quoted text is not closed [close the quote]");
    bad("{{ event.n | upper('x') }}",
        "3:23: upper takes no arguments [docs/workflows.md lists the filters]");
    bad("{{ event.d | at('09:00') }}",
        "3:23: at takes two arguments (the time \"HH:mm\" and the zone) [docs/workflows.md lists "
        "the filters]");
    bad("{{ event.n | zzzzzzzz }}",
        "3:23: there is no filter zzzzzzzz [docs/workflows.md lists the filters]");
    bad("{{ event.n | lowr }}", "3:23: there is no filter lowr [did you mean lower? "
                                "(docs/workflows.md lists the filters)]");
    bad("{{ event.n | trim | trim | trim | trim | trim | trim | trim | trim | trim | trim | trim "
        "| trim | trim | trim | trim | trim | trim }}",
        "3:134: more than 16 filters in one template [split the work over two steps, or drop a "
        "filter]");
    bad("a }} b", "3:12: '}}' closes no template [remove it, or open the template with {{]");
    bad("{{ event.n }} }}",
        "3:24: '}}' closes no template [remove it, or open the template with {{]");
    bad("x\ny {{ event.n", "4:3: a template is not closed [close it with }}]");
    /* the place of an error on the second line of a template */
    bad("x\n{{ bogus }}", "4:4: bogus is not something a template can read [start a path with "
                          "event, steps, env or item]");
    DONE();
}

static void test_compile_refs(void **state)
{
    (void)state;
    ok("{{ steps.a.output.id }}", "7");
    bad("{{ steps.a }}", "3:13: a step is read as steps.ID.output [write steps.ID.output.FIELD]");
    bad("{{ steps.a.result }}",
        "3:13: a step is read as steps.ID.output [write steps.ID.output.FIELD]");
    bad("{{ steps.s.output }}",
        "3:13: step s cannot read its own output [a step reads only the steps before it]");
    bad("{{ steps.later.output.x }}", "3:13: step later comes later; a step reads only the steps "
                                      "before it [move the step it reads before this one, or read "
                                      "another step]");
    bad("{{ steps.nope.output.x }}",
        "3:13: there is no step nope [check the step ids of the workflow]");
    ok("{{ env.HOME_URL }}", "\"x\"");
    bad("{{ env }}", "3:13: `env` needs a variable name [name the variable: env.NAME]");
    bad("{{ env.SECRET }}", "3:13: env.SECRET is not an environment variable workflows may read "
                            "[add the name to the environment names workflows may read]");
    ok("{{ input.n }}", "42");
    /* `not` needs a blank after it: "nothing" is a path */
    bad("{{ nothing }}", "3:13: nothing is not something a template can read [start a path with "
                         "event, steps, env or item]");
    ok("{{ not\tevent.z | default(false) }}", "true");
    DONE();
}

static void test_compile_limits(void **state)
{
    (void)state;
    char *big = malloc(ZF_WF_TEMPLATE_MAX + 2);
    memset(big, 'a', ZF_WF_TEMPLATE_MAX + 1);
    memcpy(big, "{{", 2);
    big[ZF_WF_TEMPLATE_MAX + 1] = '\0';
    bad(big, "3:10: a template is longer than 4096 bytes [split the text]");
    DONE();
    free(big);
    bad("{{ '\xff' }}", "3:10: a template is not valid UTF-8 [save the text as UTF-8]");
    /* text without a template is a literal; so is "" */
    zf_wf_template *t = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    zf_wf_scope sc = {.file = "t.yaml", .step = ""};
    assert_int_equal(zf_wf_template_compile_string(&t, "plain", &sc, 1, 1, &p), 0);
    assert_true(zf_wf_template_is_literal(t));
    assert_string_equal(json_string_value(zf_wf_template_literal(t)), "plain");
    zf_wf_template_free(t);
    assert_int_equal(zf_wf_template_compile_string(&t, "", &sc, 1, 1, &p), 0);
    assert_string_equal(json_string_value(zf_wf_template_literal(t)), "");
    zf_wf_template_free(t);
    assert_int_equal(zf_wf_template_compile_string(&t, "{{ item }}", &sc, 1, 1, &p),
                     ZF_EVALIDATION);
    assert_string_equal(p.items[0].message, "`item` is only defined inside a for_each step");
    assert_false(zf_wf_template_is_literal(NULL));
    assert_null(zf_wf_template_literal(NULL));
    zf_wf_problems_free(&p);
}

static void test_literals_and_compare(void **state)
{
    (void)state;
    ok("{{ 'a\\'b\\n\\t\\\\' }}", "\"a'b\\n\\t\\\\\"");
    ok("{{ \"q\" }}", "\"q\"");
    ok("{{ -12 }}", "-12");
    ok("{{ -999999999999999999 }}", "-999999999999999999");
    ok("{{ 999999999999999999 }}", "999999999999999999");
    ok("{{ null }}", "null");
    ok("{{ true }}", "true");
    ok("{{ event.s != 'Ab' }}", "false");
    ok("{{ event.obj == event.obj }}", "true");
    ok("{{ not event.list }}", "false");
    ok("{{ event.deep[0][0] }}", "1");
    /* text around templates, and two templates in one string */
    ok("<{{ event.n }}|{{ event.s }}>", "\"<42|Ab>\"");
    ok("{{ event.z }}", "null");
    ok("{{ event.z | default(1) }}", "1");
    ok("{{ event.n | default(1) }}", "42");
    bad("{{ event.nope == 1 }}", "step s (t.yaml:3:10): event.nope is missing from the run's data "
                                 "(add `| default(...)` to allow that)");
    bad("{{ 1 == event.nope }}", "step s (t.yaml:3:10): event.nope is missing from the run's data "
                                 "(add `| default(...)` to allow that)");
    bad("{{ event.n | default(event.nope) }}",
        "step s (t.yaml:3:10): event.nope is missing from the run's data (add `| default(...)` "
        "to allow that)");
    bad("{{ event.nope | upper }}", "step s (t.yaml:3:10): event.nope is missing from the run's "
                                    "data (add `| default(...)` to allow that)");
    /* an index into a non-list, a field of a non-object: missing */
    bad("{{ event.s[0] }}", "step s (t.yaml:3:10): event.s[0] is missing from the run's data "
                            "(add `| default(...)` to allow that)");
    bad("{{ event.n.x }}", "step s (t.yaml:3:10): event.n.x is missing from the run's data "
                           "(add `| default(...)` to allow that)");
    DONE();
}

static void test_filters_text(void **state)
{
    (void)state;
    ok("{{ event.s | lower }}", "\"ab\"");
    ok("{{ ' \\t x \\n' | trim }}", "\"x\"");
    ok("{{ '   ' | trim }}", "\"\"");
    bad("{{ event.list | lower }}", FERR(10, "lower: needs text, got a list"));
    bad("{{ event.obj | trim }}", FERR(10, "trim: needs text, got an object"));
    bad("{{ event.t | upper }}", FERR(10, "upper: needs text, got a boolean"));
    bad("{{ event.z | upper }}", FERR(10, "upper: needs text, got null"));
    ok("{{ event.obj | json }}", "\"{\\\"k\\\":1}\"");
    ok("{{ event.z | json }}", "\"null\"");
    ok("{{ event.list | join }}", "\"1,b,,true\"");
    ok("{{ event.list | join('') }}", "\"1btrue\"");
    bad("{{ event.list | join(5) }}", FERR(10, "join: the separator must be text"));
    bad("{{ event.deep | join }}", FERR(10, "join: joins text and numbers, not a list"));
    bad("{{ event.s | join }}", FERR(10, "join: needs a list, got text"));
    ok("{{ event.u | length }}", "5");
    ok("{{ event.obj | length }}", "1");
    bad("{{ event.n | length }}",
        FERR(10, "length: needs text, a list or an object, got a number"));
    ok("{{ event.n | int }}", "42");
    ok("{{ '-17' | int }}", "-17");
    bad("{{ 'x1' | int }}", FERR(10, "int: \"x1\" is not a whole number of at most 18 digits"));
    bad("{{ '9999999999999999999' | int }}",
        FERR(10, "int: \"9999999999999999999\" is not a whole number of at most 18 digits"));
    bad("{{ event.r | int }}", FERR(10, "int: needs digits or a number, got a number"));
    ok("{{ event.n | string }}", "\"42\"");
    ok("{{ event.r | string }}", "\"1.5\"");
    ok("{{ event.t | string }}", "\"true\"");
    ok("{{ event.z | string }}", "\"\"");
    ok("{{ event.s | string }}", "\"Ab\"");
    bad("{{ event.obj | string }}",
        FERR(10, "string: turns a scalar into text, not an object (use json)"));
    DONE();
}

#define NOTDATE                                                                                    \
    "is not a date (yyyy-MM-dd) or time (yyyy-MM-ddTHH:mm:ss, optionally with Z or an offset)"

static void test_filters_dates(void **state)
{
    (void)state;
    const char *notdate = "is not a date (yyyy-MM-dd) or time (yyyy-MM-ddTHH:mm:ss, optionally "
                          "with Z or an offset)";
    static const char *const bad_dates[] = {"2026-3-08",
                                            "2026-13-01",
                                            "2026-02-29",
                                            "2026-00-10",
                                            "2026-01-00",
                                            "20260308",
                                            "2026-03-08X",
                                            "2026-03-08T",
                                            "2026-03-08T24:00",
                                            "2026-03-08T09:60",
                                            "2026-03-08T09-00",
                                            "2026-03-08T09:00:60",
                                            "2026-03-08T09:00Z1",
                                            "2026-03-08T09:00+24",
                                            "2026-03-08T09:00+05",
                                            "2026-03-08T09:00+05:60",
                                            "2026-03-08T09:00+05:00x",
                                            "2026-03-08T09:00:0x",
                                            "2026/03/08",
                                            "2026-03/08",
                                            "2026-03-08T0900",
                                            "2026-03-08T09:00+0x:00",
                                            "2026-03-08T09:00:00.5+",
                                            NULL};
    for (const char *const *d = bad_dates; *d; d++) {
        char tmpl[128], want[512];
        snprintf(tmpl, sizeof tmpl, "{{ '%s' | utc }}", *d);
        snprintf(want, sizeof want, "step s (t.yaml:3:10): filter utc: \"%s\" %s", *d, notdate);
        bad(tmpl, want);
    }
    bad("{{ 'x' | at('09:00', 'UTC') }}", FERR(10, "at: \"x\" " NOTDATE));
    bad("{{ 'x' | in_zone('UTC') }}", FERR(10, "in_zone: \"x\" " NOTDATE));
    bad("{{ 'x' | date }}", FERR(10, "date: \"x\" " NOTDATE));
    bad("{{ event.n | add_days(1) }}",
        FERR(10, "add_days: needs a date as text (2026-03-09), got a number"));
    /* accepted forms */
    ok("{{ '2026-03-08 09:00' | add_minutes(90) }}", "\"2026-03-08T10:30:00\"");
    ok("{{ '2026-03-08T09:00:05.250Z' | add_hours(-10) }}", "\"2026-03-07T23:00:05Z\"");
    ok("{{ '2026-03-08T09:00+0530' | utc }}", "\"2026-03-08T03:30:00Z\"");
    ok("{{ '2026-03-08T01:00:00-05:30' | add_hours(1) }}", "\"2026-03-08T02:00:00-05:30\"");
    ok("{{ '2026-03-08T23:30:00Z' | add_days(1) }}", "\"2026-03-09T23:30:00Z\"");
    bad("{{ event.d | add_hours(1) }}",
        FERR(10, "add_hours: adds hours and minutes to a time, not to a date"));
    bad("{{ event.d | add_days('1') }}",
        FERR(10, "add_days: the amount must be a whole number within range"));
    bad("{{ event.d | add_days(-3660001) }}",
        FERR(10, "add_days: the amount must be a whole number within range"));
    bad("{{ event.d | add_days(3660001) }}",
        FERR(10, "add_days: the amount must be a whole number within range"));
    bad("{{ '0000-01-01' | add_days(-1) }}",
        FERR(10, "add_days: the date falls outside the years 0000-9999"));
    bad("{{ '9999-12-31T23:00:00Z' | add_hours(1) }}",
        FERR(10, "add_hours: the date falls outside the years 0000-9999"));
    ok("{{ '1969-12-31T23:00:00Z' | add_minutes(30) }}", "\"1969-12-31T23:30:00Z\"");
    /* utc and in_zone take instants only */
    bad("{{ event.d | utc }}", FERR(10, "utc: needs an instant (a time with Z or an offset)"));
    bad("{{ '2026-03-08T09:00' | in_zone('UTC') }}",
        FERR(10, "in_zone: needs an instant (a time with Z or an offset); for a date or a wall "
                 "time use at(TIME, ZONE)"));
    ok("{{ '2026-03-08T09:00Z' | in_zone('UTC') }}", "\"2026-03-08T09:00:00+00:00\"");
    bad("{{ '2026-03-08T09:00Z' | in_zone(5) }}",
        FERR(10, "in_zone: the time zone must be text (America/New_York)"));
    /* at: the time's form */
    static const char *const bad_times[] = {"9:00",     "09:0",     "24:00",     "09:60",  "09-00",
                                            "09:00:60", "09:00:5",  "09:00:00x", "09:00x", "0a:00",
                                            "09:0a",    "09:00:0a", NULL};
    for (const char *const *t = bad_times; *t; t++) {
        char tmpl[128], want[256];
        snprintf(tmpl, sizeof tmpl, "{{ event.d | at('%s', 'UTC') }}", *t);
        snprintf(want, sizeof want,
                 "step s (t.yaml:3:10): filter at: the time \"%s\" is not HH:mm or HH:mm:ss", *t);
        bad(tmpl, want);
    }
    bad("{{ event.d | at(9, 'UTC') }}",
        FERR(10, "at: the time must be text (\"HH:mm\" or \"HH:mm:ss\")"));
    ok("{{ event.d | at('09:00:30', 'UTC') }}", "\"2026-03-08T09:00:30+00:00\"");
    ok("{{ event.d | at('09:00', 'Asia/Kolkata') }}", "\"2026-03-08T09:00:00+05:30\"");
    bad("{{ event.d | at('09:00', event.n) }}",
        FERR(10, "at: the time zone must be text (America/New_York)"));
    DONE();
}

static void test_filters_date_format(void **state)
{
    (void)state;
    ok("{{ '2026-03-08T13:05:09-04:00' | date('%Y|%m|%d|%e|%H|%I|%p|%M|%S|%B|%b|%A|%a|%z|%%') }}",
       "\"2026|03|08|8|13|01|PM|05|09|March|Mar|Sunday|Sun|-04:00|%\"");
    ok("{{ '2026-03-08T00:05:00Z' | date('%I %p %z') }}", "\"12 AM Z\"");
    ok("{{ '2026-03-08T00:05:00' | date('%z.') }}", "\".\"");
    ok("{{ event.d | date }}", "\"2026-03-08\"");
    ok("{{ event.d | date('100%') }}", "\"100%\"");
    ok("{{ '2026-09-01' | date('%b %a') }}", "\"Sep Tue\"");
    bad("{{ event.d | date('%Q') }}",
        FERR(10, "date: %Q is not a date format directive (see docs/workflows.md)"));
    bad("{{ event.d | date(1) }}", FERR(10, "date: the format must be text"));
    /* the output is bounded */
    char tmpl[4200];
    int n = snprintf(tmpl, sizeof tmpl, "{{ '2026-09-01' | date('");
    for (int i = 0; i < 460; i++)
        n += snprintf(tmpl + n, sizeof tmpl - (size_t)n, "%%B");
    snprintf(tmpl + n, sizeof tmpl - (size_t)n, "') }}");
    bad(tmpl, FERR(10, "date: the formatted date is too long"));
    DONE();
}

/* Places of a tree's members for zf_wf_template_compile: line 1, the
 * column is the path's length (a stand-in that tells paths apart). */
static int pos_of(void *ctx, const char *path, int *line, int *col)
{
    (void)ctx;
    *line = 1;
    *col = (int)strlen(path);
    return 0;
}

static void test_compile_tree(void **state)
{
    (void)state;
    zf_wf_scope sc = {.file = "t.json", .step = "s", .has_item = 1};
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    zf_wf_template *t = NULL;
    json_t *v = json_loads("{\"a\": [1, \"{{ item }}\", {\"b\": \"x{{ event.n }}\"}], "
                           "\"c\": {\"d\": [true]}}",
                           0, NULL);
    assert_int_equal(zf_wf_template_compile(&t, v, "with", &sc, pos_of, NULL, &p), 0);
    assert_false(zf_wf_template_is_literal(t));
    json_t *ctx = json_loads(CTX, 0, NULL), *out = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_wf_render(&out, t, ctx, &err), 0);
    char *s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(s, "{\"a\":[1,\"it\",{\"b\":\"x42\"}],\"c\":{\"d\":[true]}}");
    free(s);
    json_decref(out);
    zf_wf_template_free(t);
    json_decref(v);
    /* two bad strings: both reported, each at its own path's place, no tree */
    v = json_loads("{\"a\": [\"{{ bogus }}\"], \"bb\": \"}}\"}", 0, NULL);
    assert_int_equal(zf_wf_template_compile(&t, v, "with", &sc, pos_of, NULL, &p), ZF_EVALIDATION);
    assert_null(t);
    assert_int_equal(p.count, 2);
    assert_string_equal(p.items[0].message, "bogus is not something a template can read");
    assert_int_equal(p.items[0].col, (int)strlen("with.a[0]") + 3);
    assert_string_equal(p.items[1].message, "'}}' closes no template");
    assert_int_equal(p.items[1].col, (int)strlen("with.bb"));
    zf_wf_problems_free(&p);
    json_decref(v);
    /* no templates anywhere: one literal; no position function: line 0 */
    v = json_loads("[1, {\"a\": \"b\"}]", 0, NULL);
    assert_int_equal(zf_wf_template_compile(&t, v, NULL, &sc, NULL, NULL, &p), 0);
    assert_true(zf_wf_template_is_literal(t));
    assert_true(json_equal(zf_wf_template_literal(t), v));
    assert_int_equal(zf_wf_render(&out, t, ctx, &err), 0);
    assert_true(json_equal(out, v));
    json_decref(out);
    zf_wf_template_free(t);
    json_decref(v);
    /* deeper than 32 levels: a problem at the place, not "out of memory" */
    v = json_string("{{ event.n }}");
    for (int i = 0; i < 33; i++)
        v = json_pack("[o]", v);
    assert_int_equal(zf_wf_template_compile(&t, v, "w", &sc, pos_of, NULL, &p), ZF_EVALIDATION);
    assert_false(p.oom);
    assert_int_equal(p.count, 1);
    assert_string_equal(p.items[0].message,
                        "w[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                        "[0][0][0][0][0][0][0][0] nests more than 32 levels");
    assert_string_equal(p.items[0].hint, "flatten the value");
    zf_wf_problems_free(&p);
    json_decref(v);
    /* a render without a template, or of the rest of a tree */
    assert_int_equal(zf_wf_render(&out, NULL, ctx, &err), ZF_EINVAL);
    json_decref(ctx);
}

/* A path of 32 parts is read; 33 are refused, by name and place. */
static void test_compile_path_parts(void **state)
{
    (void)state;
    char tmpl[256] = "{{ event";
    for (int i = 0; i < 31; i++)
        strcat(tmpl, ".a");
    strcat(tmpl, " | default(1) }}");
    ok(tmpl, "1");
    char *cut = strstr(tmpl, " |");
    memcpy(cut, ".b | default(1) }}", sizeof ".b | default(1) }}");
    bad(tmpl, "3:80: a path has more than 32 parts [read a shorter path (at most 32 parts)]");
    /* an expression that fails after == */
    bad("{{ event.n == }}", "3:24: a value is missing [write a value such as event.name]");
    bad("{{ event.n == bogus }}", "3:24: bogus is not something a template can read [start a "
                                  "path with event, steps, env or item]");
    DONE();
}

/* Rendering's own edges: a text past 1 MiB (placed at its first template,
 * not at the text before it), a join past it, null inside text, a failing
 * right-hand side, truthiness of every type. */
static void test_render_edges(void **state)
{
    (void)state;
    size_t n = 600 * 1024;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    json_t *ctx = json_pack("{s{ss s[ss]}}", "event", "big", big, "two", big, big);
    free(big);
    zf_wf_scope sc = {.file = "t.yaml", .step = "s"};
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    zf_error err = ZF_ERROR_INIT;
    zf_wf_template *t = NULL;
    json_t *out = NULL;
    assert_int_equal(
        zf_wf_template_compile_string(&t, "ab\n{{ event.big }}{{ event.big }}", &sc, 5, 7, &p), 0);
    assert_int_equal(zf_wf_render(&out, t, ctx, &err), ZF_EVALIDATION);
    assert_null(out);
    assert_string_equal(err.message, "step s (t.yaml:6:1): the rendered text is larger than 1 MiB");
    zf_wf_template_free(t);
    assert_int_equal(zf_wf_template_compile_string(&t, "{{ event.two | join }}", &sc, 1, 1, &p), 0);
    assert_int_equal(zf_wf_render(&out, t, ctx, &err), ZF_EVALIDATION);
    assert_string_equal(err.message,
                        "step s (t.yaml:1:1): filter join: the joined text is larger than 1 MiB");
    zf_wf_template_free(t);
    json_decref(ctx);
    ok("a{{ event.z }}b{{ event.t }}{{ event.r }}", "\"abtrue1.5\"");
    bad("{{ event.n == event.s | int }}",
        FERR(10, "int: \"Ab\" is not a whole number of at most 18 digits"));
    /* truthiness: false, null, "", "false", 0, 0.0, [], {} are false */
    static const char *const falsy[] = {"false", "null", "\"\"", "\"false\"", "0",
                                        "0.0",   "[]",   "{}",   NULL};
    static const char *const truthy[] = {"true", "\"no\"", "1", "-0.5", "[0]", "{\"a\": 0}", NULL};
    for (const char *const *v = falsy; *v; v++) {
        json_t *j = json_loads(*v, JSON_DECODE_ANY, NULL);
        assert_false(zf_wf_truthy(j));
        json_decref(j);
    }
    for (const char *const *v = truthy; *v; v++) {
        json_t *j = json_loads(*v, JSON_DECODE_ANY, NULL);
        assert_true(zf_wf_truthy(j));
        json_decref(j);
    }
    DONE();
}

static void test_filter_docs(void **state)
{
    (void)state;
    zf_wf_filter_doc d;
    size_t n = 0;
    while (zf_wf_filter_doc_at(n, &d) == 0) {
        assert_non_null(d.name);
        assert_true(strlen(d.summary) > 10);
        n++;
    }
    assert_int_equal(n, 16);
    assert_int_equal(zf_wf_filter_doc_at(0, &d), 0);
    assert_string_equal(d.name, "default");
    assert_int_equal(zf_wf_filter_doc_at(99, &d), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compile_syntax),      cmocka_unit_test(test_compile_refs),
        cmocka_unit_test(test_compile_limits),      cmocka_unit_test(test_literals_and_compare),
        cmocka_unit_test(test_filters_text),        cmocka_unit_test(test_filters_dates),
        cmocka_unit_test(test_filters_date_format), cmocka_unit_test(test_filter_docs),
        cmocka_unit_test(test_compile_tree),        cmocka_unit_test(test_compile_path_parts),
        cmocka_unit_test(test_render_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
