/* Definition files given bad and edge input: the reader's refusals (bytes,
 * YAML features, numbers, keys, limits) and the loader's checks of every
 * key, each asserted with its exact place, message and hint; the problem
 * set's own edges (truncation, JSON, the error it becomes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "workflow_internal.h"
#include "zoomflow/workflow.h"

static int mismatches;

/* Every problem of loading text as "L:C: message [hint]\n", in order. */
static const char *load_n(const char *text, size_t len, const char *file, const zf_wf_load_opts *o)
{
    static char out[16384];
    zf_workflow *w = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    int rc = zf_workflow_load(&w, file, text, len, o, &p);
    out[0] = '\0';
    size_t n = 0;
    for (size_t i = 0; i < p.count && n < sizeof out; i++)
        n += (size_t)snprintf(out + n, sizeof out - n, "%d:%d: %s [%s]\n", p.items[i].line,
                              p.items[i].col, p.items[i].message, p.items[i].hint);
    assert_int_equal(rc, p.count ? ZF_EVALIDATION : 0);
    assert_true(rc ? w == NULL : w != NULL);
    zf_workflow_free(w);
    zf_wf_problems_free(&p);
    return out;
}

static void check(const char *text, const char *file, const char *want)
{
    const char *got = load_n(text, strlen(text), file, NULL);
    if (strcmp(got, want) != 0) {
        print_error("%s\n--- got:\n%s--- want:\n%s\n", text, got, want);
        mismatches++;
    }
}

#define DONE()                                                                                     \
    do {                                                                                           \
        int m_ = mismatches;                                                                       \
        mismatches = 0;                                                                            \
        assert_int_equal(m_, 0);                                                                   \
    } while (0)

#define HEAD "name: t\non: manual\nsteps:\n"
#define STEP "  - id: a\n    action: get_user\n    with: {user_id: me}\n"

static void test_read_bytes(void **state)
{
    (void)state;
    assert_string_equal(load_n("a: 1\nb: x\0y\n", 11, "t.yaml", NULL),
                        "2:5: not UTF-8 text (a NUL byte here) [save the file as UTF-8 text]\n");
    check("a: 1\nb: \xc3\xa9\xff\n", "t.yaml",
          "2:5: not UTF-8 text (a stray byte here) [save the file as UTF-8 text]\n");
    /* both a stray byte and a NUL: the first of them */
    assert_string_equal(load_n("a: \xff\nb: \0\n", 10, "t.yaml", NULL),
                        "1:4: not UTF-8 text (a stray byte here) [save the file as UTF-8 text]\n");
    assert_string_equal(load_n("a: \0\nb: \xff\n", 10, "t.yaml", NULL),
                        "1:4: not UTF-8 text (a NUL byte here) [save the file as UTF-8 text]\n");
    /* an escape that makes no character: libfyaml refuses it */
    check("a: \"\\ud800\"\n", "t.yaml",
          "1:5: not valid YAML: double-quoted scalar has invalid UTF8 escape [correct the syntax "
          "at that place (examples/workflows has working files)]\n");
    check("", "t.yaml", "0:0: t.yaml is empty [start from an example in examples/workflows]\n");
    check("# only a comment\n", "t.yaml",
          "0:0: t.yaml is empty [start from an example in examples/workflows]\n");
    check("---\n- 1\n", "t.yaml",
          "2:1: a workflow is a mapping (name:, on:, steps:) [start from an example in "
          "examples/workflows]\n");
    check("a: 1\n---\nb: 2\n", "t.yaml",
          "2:1: the file holds more than one document [put each workflow in its own file]\n");
    check("a: [1, 2\n", "t.yaml",
          "2:1: not valid YAML: flow sequence without a closing bracket [correct the syntax at "
          "that place (examples/workflows has working files)]\n");
    check("{\"a\": 1 \"b\": 2}", "t.json",
          "1:7: not valid JSON: Invalid JSON plain scalar [correct the syntax at "
          "that place (examples/workflows has working files)]\n");
    size_t big = ZF_WF_FILE_MAX + 1;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    assert_string_equal(load_n(huge, big, "big.yaml", NULL),
                        "0:0: big.yaml is larger than 1 MiB [split it into smaller workflows]\n");
    free(huge);
    DONE();
}

static void test_read_yaml_features(void **state)
{
    (void)state;
    check("a: &x [1]\n", "t.yaml",
          "1:4: anchors (&name) are not allowed in a workflow definition [write the value out "
          "where it is used]\n");
    check("a: !!map {}\n", "t.yaml",
          "1:4: tags (!name, !!type) are not allowed in a workflow definition [remove the tag; a "
          "value's type comes from how it is written]\n");
    check("a: 1\nb: *x\n", "t.yaml",
          "2:4: aliases (*name) are not allowed in a workflow definition [write the value out "
          "where it is used]\n");
    check("a: &x 1\nb: [*x]\n", "t.yaml",
          "1:4: anchors (&name) are not allowed in a workflow definition [write the value out "
          "where it is used]\n");
    check("- !foo x\n", "t.yaml",
          "1:3: tags (!name, !!type) are not allowed in a workflow definition [remove the tag; a "
          "value's type comes from how it is written]\n");
    check("? {a: 1}\n: 2\n", "t.yaml",
          "1:3: a key is a mapping or a list (keys must be strings) [use a plain word as the "
          "key]\n");
    check("1: a\n", "t.yaml",
          "1:1: the key 1 is not text (keys must be strings) [quote the key to make it text]\n");
    check("null: a\n", "t.yaml",
          "1:1: the key null is not text (keys must be strings) [quote the key to make it "
          "text]\n");
    /* a quoted scalar's place is its first character inside the quotes */
    check("\"k\\0\": 1\n", "t.yaml",
          "1:2: a key holds a NUL character [remove the \\0 escape: a key cannot hold a NUL "
          "character]\n");
    check("a: \"x\\0y\"\n", "t.yaml",
          "1:5: a value holds a NUL character [remove the \\0 escape: text cannot hold a NUL "
          "character]\n");
    DONE();
}

/* The JSON a YAML value becomes (held where the loader keeps it as is). */
static void scalar(const char *yaml, const char *want_json)
{
    char text[256];
    snprintf(text, sizeof text, HEAD STEP "input:\n  properties:\n    x: {description: %s}\n",
             yaml);
    zf_workflow *w = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    if (zf_workflow_load(&w, "t.yaml", text, strlen(text), NULL, &p) != 0) {
        print_error("%s: %s\n", yaml, p.count ? p.items[0].message : "?");
        mismatches++;
        zf_wf_problems_free(&p);
        return;
    }
    const json_t *v = json_object_get(
        json_object_get(
            json_object_get(json_object_get(zf_workflow_model(w), "input"), "properties"), "x"),
        "description");
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!s || strcmp(s, want_json) != 0) {
        print_error("%s -> %s, want %s\n", yaml, s ? s : "(none)", want_json);
        mismatches++;
    }
    free(s);
    zf_workflow_free(w);
}

/* Plain scalars: YAML 1.2's core schema, numbers JSON cannot hold refused. */
static void test_read_scalars(void **state)
{
    (void)state;
    static const char *const out_of_range[] = {"99999999999999999999",
                                               "-99999999999999999999",
                                               "+99999999999999999999",
                                               ".inf",
                                               "-.inf",
                                               "+.inf",
                                               ".nan",
                                               ".INF",
                                               ".NAN",
                                               "-1e999",
                                               "9223372036854775808",
                                               ".NaN",
                                               "1e999",
                                               NULL};
    for (const char *const *v = out_of_range; *v; v++) {
        char text[128], want[256];
        snprintf(text, sizeof text, "name: t\nx: %s\n", *v);
        snprintf(want, sizeof want,
                 "2:4: the number %s is out of range [quote it to keep it as text]\n", *v);
        check(text, "t.yaml", want);
    }
    scalar("~", "null");
    scalar("Null", "null");
    scalar("TRUE", "true");
    scalar("False", "false");
    scalar("-0", "0");
    scalar("+12", "12");
    scalar("0012", "12");
    scalar("-012", "-12");
    scalar("-000", "0");
    scalar("+0", "0");
    scalar("1.5", "1.5");
    scalar(".5", "0.5");
    scalar("-2.", "-2.0");
    scalar("1e3", "1000.0");
    scalar("2.5E-1", "0.25");
    scalar("1e+3", "1000.0");
    scalar("-9223372036854775808", "-9223372036854775808");
    scalar(".", "\".\"");
    scalar("1e", "\"1e\"");
    scalar("1.5x", "\"1.5x\"");
    scalar("0x1F", "\"0x1F\"");
    scalar("'007'", "\"007\"");
    scalar("\"\\u00e9\"", "\"\xc3\xa9\"");
    scalar("yes", "\"yes\"");
    scalar("'-'", "\"-\"");
    scalar("+", "\"+\"");
    scalar("\"\"", "\"\"");
    DONE();
}

static void test_read_limits(void **state)
{
    (void)state;
    /* 32 levels are allowed, the 33rd is refused where it opens */
    char deep[256];
    memset(deep, 0, sizeof deep);
    for (int i = 0; i < 33; i++)
        deep[i] = '[';
    for (int i = 0; i < 33; i++)
        deep[33 + i] = ']';
    check(deep, "t.yaml",
          "1:33: the definition nests more than 32 levels [flatten the definition]\n");
    deep[32] = ' ';
    deep[33] = ' ';
    check(deep, "t.yaml",
          "1:1: a workflow is a mapping (name:, on:, steps:) [start from an example in "
          "examples/workflows]\n");
    /* 20000 values: the list and 19999 items pass, one more is refused */
    size_t cap = 3 * 20001 + 16;
    char *many = malloc(cap);
    size_t n = 0;
    many[n++] = '[';
    for (int i = 0; i < 20000; i++) {
        many[n++] = '0';
        many[n++] = ',';
    }
    many[n - 1] = ']';
    many[n] = '\0';
    check(many, "t.yaml",
          "1:40000: the definition has more than 20000 values [split the definition into smaller "
          "workflows]\n");
    free(many);
    /* a path longer than 1024 characters, for a scalar and for a mapping */
    char longk[1200];
    memset(longk, 'k', 1100);
    snprintf(longk + 1100, sizeof longk - 1100, ": 1\n");
    check(longk, "t.yaml",
          "1:1103: the path to this value is longer than 1024 characters [use shorter keys or "
          "nest less]\n");
    snprintf(longk + 1100, sizeof longk - 1100, ": {}\n");
    check(longk, "t.yaml",
          "1:1103: the path to this value is longer than 1024 characters [use shorter keys or "
          "nest less]\n");
    /* a key given twice: both places */
    check("on:\n  event: x\n  event: y\n", "t.yaml",
          "3:3: the key event is given twice (first at line 2, column 3) [keep one of them]\n");
    check("{\"a\": {\"b\": 1, \"b\": 2}}", "t.json",
          "1:17: the key b is given twice (first at line 1, column 9) [keep one of them]\n");
    DONE();
}

static void test_load_header(void **state)
{
    (void)state;
    check("name: Bad Name\non: manual\nsteps:\n" STEP, "t.yaml",
          "1:7: \"Bad Name\" is not a workflow name [use 1-64 of a-z, 0-9, '_', '-', '.', "
          "starting with a letter or digit]\n");
    check("name: -t\non: manual\nsteps:\n" STEP, "t.yaml",
          "1:7: \"-t\" is not a workflow name [use 1-64 of a-z, 0-9, '_', '-', '.', starting "
          "with a letter or digit]\n");
    check("name: \"\"\non: manual\nsteps:\n" STEP, "t.yaml",
          "1:8: \"\" is not a workflow name [use 1-64 of a-z, 0-9, '_', '-', '.', starting "
          "with a letter or digit]\n");
    check("name: a12345678901234567890123456789012345678901234567890123456789012345\n"
          "on: manual\nsteps:\n" STEP,
          "t.yaml",
          "1:7: \"a12345678901234567890123456789012345678901234567890123456789012345\" is not a "
          "workflow name [use 1-64 of a-z, 0-9, '_', '-', '.', starting with a letter or "
          "digit]\n");
    check("name: 5\non: manual\nsteps:\n" STEP, "t.yaml",
          "1:7: name must be text [quote the value]\n");
    check("on: manual\nsteps:\n" STEP, "t.yaml",
          "1:1: the key name is required here [add name: here]\n");
    check(HEAD STEP "description: [x]\nversion: \"\"\nnmae: x\nzzzz: 1\n", "t.yaml",
          "9:1: a workflow has no key nmae [did you mean name?]\n"
          "10:1: a workflow has no key zzzz [the keys are name description version on input "
          "steps]\n"
          "7:14: description must be text [quote the value]\n"
          "8:11: version must be a number or text of 1-32 characters [give a number or a short "
          "text (at most 32 characters)]\n");
    check(HEAD STEP "version: abcdefghijklmnopqrstuvwxyz1234567\n", "t.yaml",
          "7:10: version must be a number or text of 1-32 characters [give a number or a short "
          "text (at most 32 characters)]\n");
    check(HEAD STEP "version: 1.5\n", "t.yaml",
          "7:10: version must be a number or text of 1-32 characters [give a number or a short "
          "text (at most 32 characters)]\n");
    DONE();
}

static void test_load_trigger(void **state)
{
    (void)state;
    check("name: t\nsteps:\n" STEP, "t.yaml",
          "1:1: the key on (the trigger) is required [add on: manual, on: {event: NAME}, on: "
          "{zoom: EVENT} or on: {schedule: ...}]\n");
    check("name: t\non: auto\nsteps:\n" STEP, "t.yaml",
          "2:5: on needs exactly one trigger [write one of: manual, {event: NAME}, {zoom: EVENT}, "
          "{schedule: ...}]\n");
    check("name: t\non: {event: a, zoom: meeting.ended}\nsteps:\n" STEP, "t.yaml",
          "2:5: on needs exactly one trigger [write one of: manual, {event: NAME}, {zoom: EVENT}, "
          "{schedule: ...}]\n");
    check("name: t\non: {evnt: a}\nsteps:\n" STEP, "t.yaml",
          "2:6: on has no key evnt [did you mean event?]\n");
    check("name: t\non: {manual: true}\nsteps:\n" STEP, "t.yaml", "");
    check("name: t\non: {event: Hired!}\nsteps:\n" STEP, "t.yaml",
          "2:13: \"Hired!\" is not an event name [use 1-64 of a-z, 0-9, '_', '-', '.' "
          "(employee.onboarded)]\n");
    check("name: t\non: {event: 5}\nsteps:\n" STEP, "t.yaml",
          "2:13: event must be text [quote the value]\n");
    check("name: t\non: {zoom: [x]}\nsteps:\n" STEP, "t.yaml",
          "2:12: zoom must be text [quote the value]\n");
    check("name: t\non: {schedule: 5}\nsteps:\n" STEP, "t.yaml",
          "2:16: a schedule is a cron text or a mapping [write schedule: {cron: \"0 9 * * mon\", "
          "timezone: Area/City}]\n");
    check("name: t\non: {schedule: \"0 9 * * mon\"}\nsteps:\n" STEP, "t.yaml", "");
    /* the column of a cron problem is the place inside the cron text */
    check("name: t\non: {schedule: \"0 9 * *\"}\nsteps:\n" STEP, "t.yaml",
          "2:24: bad cron schedule: fewer than five fields (column 8) [write five fields: minute "
          "hour day-of-month month day-of-week, e.g. \"0 9 * * mon-fri\"]\n");
    check("name: t\non: {schedule: \"\"}\nsteps:\n" STEP, "t.yaml",
          "2:17: bad cron schedule: fewer than five fields (column 1) [write five fields: minute "
          "hour day-of-month month day-of-week, e.g. \"0 9 * * mon-fri\"]\n");
    check("name: t\non: {schedule: {timezone: Mars/Base, every: 5}}\nsteps:\n" STEP, "t.yaml",
          "2:38: a schedule has no key every [the keys are cron timezone]\n"
          "2:16: the key cron is required here [add cron: here]\n"
          "2:27: \"Mars/Base\" is not a known time zone [use an IANA zone id such as "
          "America/New_York or Europe/Berlin]\n");
    check("name: t\non: {schedule: {cron: 5, timezone: \"../../etc/passwd\"}}\nsteps:\n" STEP,
          "t.yaml",
          "2:23: cron must be text [quote the value]\n"
          "2:37: \"../../etc/passwd\" is not a known time zone [use an IANA zone id such as "
          "America/New_York or Europe/Berlin]\n");
    DONE();
}

static void test_load_input(void **state)
{
    (void)state;
    check(HEAD STEP "input: [a]\n", "t.yaml",
          "7:8: input is a JSON Schema mapping [write input: {properties: {...}, required: "
          "[...]}]\n");
    check(HEAD STEP "input:\n  propertys: {}\n  properties:\n    a: 5\n"
                    "    b: {type: text, format: phone, default: 1}\n"
                    "    c: {type: 5, format: [x]}\n  required: [a, z, 5]\n",
          "t.yaml",
          "8:3: input has no key propertys [did you mean properties?]\n"
          "10:8: a property is a mapping [write {type: string, format: email}]\n"
          "11:36: a property has no key default [the keys are type format enum description]\n"
          "11:15: \"text\" is not a type [use string, integer, boolean, object or array]\n"
          "11:29: \"phone\" is not a format the schema knows [use email, date, date-time, "
          "zoom-date-time or timezone (docs/workflows.md)]\n"
          "12:15: type must be text [quote the value]\n"
          "12:26: format must be text [quote the value]\n"
          "13:17: z is required but is not one of the properties [list names of "
          "input.properties, or add the property]\n"
          "13:20: a required name must be text [list names of input.properties]\n");
    check(HEAD STEP "input:\n  properties: [a]\n  required: a\n", "t.yaml",
          "8:15: properties is a mapping of names to their types [write properties: {email: "
          "{type: string}}]\n"
          "9:13: required is a list of property names [write required: [email]]\n");
    check(HEAD STEP "input:\n  properties:\n    a: {type: string, enum: [x, 1, y]}\n"
                    "    b: {enum: []}\n    c: {enum: x}\n",
          "t.yaml",
          "9:33: an enum value must be text [quote the value]\n"
          "10:15: enum is a list of 1 to 63 texts [write enum: [staff, contractor]]\n"
          "11:15: enum is a list of 1 to 63 texts [write enum: [staff, contractor]]\n");
    char many[1024] = HEAD STEP "input:\n  properties:\n";
    for (int i = 0; i < 65; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "    p%d: {}\n", i);
    check(many, "t.yaml", "9:5: at most 64 properties [list at most 64 properties]\n");
    DONE();
}

static void test_load_steps(void **state)
{
    (void)state;
    check("name: t\non: manual\n", "t.yaml",
          "1:1: a workflow needs a non-empty list of steps [list the steps: steps: [{id: ..., "
          "action: ...}]]\n");
    check("name: t\non: manual\nsteps: []\n", "t.yaml",
          "3:8: a workflow needs a non-empty list of steps [list the steps: steps: [{id: ..., "
          "action: ...}]]\n");
    check("name: t\non: manual\nsteps: {a: 1}\n", "t.yaml",
          "3:8: a workflow needs a non-empty list of steps [list the steps: steps: [{id: ..., "
          "action: ...}]]\n");
    check(HEAD "  - 5\n  - {action: get_user, with: {user_id: me}}\n"
               "  - {id: 7, action: get_user, with: {user_id: me}}\n"
               "  - {id: Bad, action: get_user, with: {user_id: me}}\n"
               "  - {id: x, action: get_user, with: {user_id: me}}\n"
               "  - {id: x, action: get_user, with: {user_id: me}, colour: red}\n",
          "t.yaml",
          "5:5: a step needs an id (text) [give each step an id: a word such as create_user]\n"
          "6:5: a step needs an id (text) [give each step an id: a word such as create_user]\n"
          "7:10: \"Bad\" is not a step id [use 1-64 of a-z, 0-9, '_', '-']\n"
          "9:10: the step id x is used twice [give each step its own id]\n"
          "4:5: a step is a mapping [write a step as {id: ..., action: ..., with: {...}}]\n"
          "9:52: a step has no key colour [the keys are id action download with if for_each "
          "concurrency retry continue_on_error]\n");
    char *many = malloc(16384);
    snprintf(many, 16384, "name: t\non: manual\nsteps:\n");
    for (int i = 0; i < 201; i++)
        snprintf(many + strlen(many), 16384 - strlen(many),
                 "  - {id: s%d, action: get_user, with: {user_id: me}}\n", i);
    assert_string_equal(load_n(many, strlen(many), "t.yaml", NULL),
                        "4:3: more than 200 steps [split it into several workflows]\n");
    free(many);
    check(HEAD "  - {id: -a, action: get_user, with: {user_id: me}}\n"
               "  - {id: a.b, action: get_user, with: {user_id: me}}\n",
          "t.yaml",
          "4:10: \"-a\" is not a step id [use 1-64 of a-z, 0-9, '_', '-']\n"
          "5:10: \"a.b\" is not a step id [use 1-64 of a-z, 0-9, '_', '-']\n");
    check(HEAD "  - id: a\n    action: [get_user]\n", "t.yaml",
          "5:13: action must be text [quote the value]\n");
    check(HEAD "  - id: a\n    action: zzzzzzzzzz\n", "t.yaml",
          "5:13: there is no action zzzzzzzzzz [docs/actions.md lists the actions]\n");
    check(HEAD "  - id: a\n    download: [recording]\n", "t.yaml",
          "5:15: download: takes recording (the files of a meeting's cloud recording) [write "
          "download: recording]\n");
    DONE();
}

static void test_load_step_keys(void **state)
{
    (void)state;
    check(HEAD STEP "    if: 5\n    continue_on_error: \"yes\"\n    concurrency: 2\n", "t.yaml",
          "9:5: concurrency applies only to for_each [remove it, or add for_each]\n"
          "7:9: if: takes a template [write if: \"{{ event.kind == 'staff' }}\"]\n"
          "8:25: continue_on_error must be true or false [write true or false]\n");
    check(HEAD STEP "    if: true\n    continue_on_error: true\n", "t.yaml", "");
    check(HEAD STEP "    for_each: {a: 1}\n", "t.yaml",
          "7:15: for_each takes a list [give a list, or a template that renders one ({{ "
          "event.attendees }})]\n");
    check(HEAD STEP "    for_each: \"{{ item }}\"\n", "t.yaml",
          "7:19: `item` is only defined inside a for_each step [use item only in a step with "
          "for_each]\n");
    check(HEAD STEP "    for_each: [1, 2]\n    concurrency: 0\n", "t.yaml",
          "8:18: concurrency must be a whole number from 1 to 64 [give 1 to 64]\n");
    check(HEAD STEP "    for_each: [1, 2]\n    concurrency: 65\n", "t.yaml",
          "8:18: concurrency must be a whole number from 1 to 64 [give 1 to 64]\n");
    check(HEAD STEP "    for_each: [1, 2]\n    concurrency: two\n", "t.yaml",
          "8:18: concurrency must be a whole number from 1 to 64 [give 1 to 64]\n");
    check(HEAD STEP "    retry: 3\n", "t.yaml",
          "7:12: retry is a mapping [write retry: {max_attempts: 3, backoff: exponential}]\n");
    check(HEAD STEP "    retry: {max_attempts: 0, backoff: linear, delay_ms: -1, max_delay_ms: x, "
                    "tries: 2}\n",
          "t.yaml",
          "7:78: retry has no key tries [the keys are max_attempts backoff delay_ms "
          "max_delay_ms]\n"
          "7:27: max_attempts must be a whole number from 1 to 20 [give 1 to 20]\n"
          "7:39: \"linear\" is not a backoff [use exponential or fixed]\n"
          "7:57: delay_ms must be a whole number of milliseconds [give milliseconds from 0 to "
          "86400000]\n"
          "7:75: max_delay_ms must be a whole number of milliseconds [give milliseconds from 0 to "
          "86400000]\n");
    check(HEAD STEP "    retry: {max_attempts: 21, backoff: 5, delay_ms: 86400001}\n", "t.yaml",
          "7:27: max_attempts must be a whole number from 1 to 20 [give 1 to 20]\n"
          "7:40: backoff must be text [quote the value]\n"
          "7:53: delay_ms must be a whole number of milliseconds [give milliseconds from 0 to "
          "86400000]\n");
    DONE();
}

static void test_load_with(void **state)
{
    (void)state;
    check(HEAD "  - id: a\n    action: get_user\n    with: me\n", "t.yaml",
          "6:11: with: is a mapping of inputs [write the inputs as a mapping]\n");
    check(HEAD "  - id: a\n    action: get_user\n    with: [me]\n", "t.yaml",
          "6:11: with: is a mapping of inputs [write the inputs as a mapping]\n");
    /* a template for the whole input: checked when it renders */
    check(HEAD "  - id: a\n    action: get_user\n    with: \"{{ event.input }}\"\n", "t.yaml", "");
    check(HEAD "  - id: a\n    action: get_user\n    with: {usr_id: \"{{ event.u }}\"}\n", "t.yaml",
          "6:11: the input user_id is required [add it under with:]\n"
          "6:12: the action takes no input usr_id [did you mean user_id?]\n");
    check(HEAD "  - id: a\n    download: recording\n    with: \"{{ event.x }}\"\n", "t.yaml",
          "6:12: with: is a mapping of inputs [write with: {meeting_id: ..., dir: ...}]\n");
    check(HEAD "  - id: a\n    download: recording\n    with: [1]\n", "t.yaml",
          "6:11: with: is a mapping of inputs [write with: {meeting_id: ..., dir: ...}]\n");
    /* inside a templated mapping: its literal members, unknown keys and
     * required ones, level by level */
    check(HEAD "  - id: a\n    action: create_meeting\n    with:\n      user_id: me\n"
               "      settings: {approval_typ: 0, host_video: \"{{ event.v }}\", "
               "approval_type: 9}\n",
          "t.yaml",
          "8:18: the action takes no input settings.approval_typ [did you mean "
          "approval_type?]\n"
          "8:79: steps[0].with.settings.approval_type: must be one of 0, 1, 2 [see the action's "
          "input description (docs/actions.md)]\n");
    /* a template beside a bad literal member: both are checked */
    check(HEAD "  - id: a\n    action: get_user\n    with: {user_id: \"{{ bogus }}\", "
               "colour: 1}\n",
          "t.yaml",
          "6:25: bogus is not something a template can read [start a path with event, steps, env "
          "or item]\n"
          "6:36: the action takes no input colour [see the action's input description "
          "(docs/actions.md)]\n");
    DONE();
}

static void test_load_env(void **state)
{
    (void)state;
    static const char *const env[] = {"BASE", NULL};
    zf_wf_load_opts o = ZF_WF_LOAD_OPTS_INIT;
    o.env_allowed = env;
    const char *text = HEAD "  - id: a\n    action: get_user\n"
                            "    with: {user_id: \"{{ env.BASE }}{{ env.HOME }}\"}\n";
    assert_string_equal(load_n(text, strlen(text), "t.yaml", &o),
                        "6:39: env.HOME is not an environment variable workflows may read [add "
                        "the name to the environment names workflows may read]\n");
    assert_string_equal(load_n(text, strlen(text), "t.yaml", NULL), "");
}

/* The problem set: bounded, as JSON, and the error it becomes. */
static void test_problems(void **state)
{
    (void)state;
    /* 150 unknown keys: 100 problems kept, the set marked truncated */
    char text[4096] = HEAD STEP;
    for (int i = 0; i < 150; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "zz%d: 1\n", i);
    zf_workflow *w = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    assert_int_equal(zf_workflow_load(&w, "t.yaml", text, strlen(text), NULL, &p), ZF_EVALIDATION);
    assert_null(w);
    assert_int_equal(p.count, ZF_WF_PROBLEMS_MAX);
    assert_true(p.truncated);
    assert_string_equal(p.items[99].message, "a workflow has no key zz99");
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_wf_problems_to_error(&err, &p), ZF_EVALIDATION);
    assert_string_equal(err.message, "t.yaml:7:1: a workflow has no key zz0 (and more problems)");
    assert_int_equal(err.hint_id, ZF_HINT_FIX_WORKFLOW);
    assert_string_equal(err.hint, "the keys are name description version on input steps");
    json_t *j = zf_wf_problems_json(&p);
    assert_int_equal(json_array_size(j), 100);
    char *s = json_dumps(json_array_get(j, 0), JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(s, "{\"column\":1,\"file\":\"t.yaml\",\"hint\":\"the keys are name "
                           "description version on input steps\",\"line\":7,\"message\":\"a "
                           "workflow has no key zz0\"}");
    free(s);
    json_decref(j);
    zf_wf_problems_free(&p);
    zf_wf_problems_free(&p); /* twice: a freed set is empty */
    zf_wf_problems_free(NULL);
    /* a file named NULL is ""; one problem without a hint: the hint id's own words */
    const char *one = "a: 1\n";
    assert_int_equal(zf_workflow_load(&w, NULL, one, strlen(one), NULL, &p), ZF_EVALIDATION);
    assert_string_equal(p.items[0].file, "");
    zf_wf_problems_free(&p);
    zf_wf__problem(&p, NULL, 2, 3, NULL, "a template is not valid UTF-8");
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(zf_wf_problems_to_error(&err, &p), ZF_EVALIDATION);
    assert_string_equal(err.message, ":2:3: a template is not valid UTF-8");
    assert_string_equal(err.hint,
                        "fix the workflow definition at the place named, then validate it again");
    zf_wf_problems_free(&p);
    /* no problem at all: a bare "invalid workflow" (or out of memory) */
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(zf_wf_problems_to_error(&err, &p), ZF_EVALIDATION);
    assert_string_equal(err.message, "invalid workflow");
    p.oom = 1;
    assert_int_equal(zf_wf_problems_to_error(&err, &p), ZF_ENOMEM);
    assert_string_equal(err.message, "out of memory loading a workflow");
    json_t *none = zf_wf_problems_json(&p);
    assert_int_equal(json_array_size(none), 0);
    json_decref(none);
}

/* A loaded definition as the API and the service show it. */
static void test_workflow_json(void **state)
{
    (void)state;
    const char *text =
        "name: nightly\ndescription: archive\non: {schedule: {cron: \"30 2 * * *\", "
        "timezone: Europe/Berlin}}\nsteps:\n"
        "  - id: a\n    action: get_user\n    with: {user_id: me}\n"
        "    if: \"{{ event.go }}\"\n    retry: {max_attempts: 3, backoff: fixed, delay_ms: 5, "
        "max_delay_ms: 9}\n    continue_on_error: true\n"
        "  - id: b\n    download: recording\n    for_each: [\"1\"]\n    concurrency: 2\n"
        "    with: {meeting_id: \"{{ item }}\", dir: /tmp/x}\n";
    zf_workflow *w = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    assert_int_equal(zf_workflow_load(&w, "n.yaml", text, strlen(text), NULL, &p), 0);
    assert_string_equal(zf_workflow_description(w), "archive");
    assert_string_equal(zf_workflow_file(w), "n.yaml");
    assert_string_equal(zf_workflow_timezone(w), "Europe/Berlin");
    assert_non_null(zf_workflow_cron(w));
    assert_null(zf_workflow_input(w));
    assert_int_equal(zf_workflow_step_count(w), 2);
    assert_null(zf_workflow_step(w, 2));
    /* no version: the model's hash */
    assert_int_equal(strncmp(zf_workflow_version(w), "sha256:", 7), 0);
    assert_int_equal(strlen(zf_workflow_version(w)), 7 + 16);
    json_t *j = zf_workflow_json(w);
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    char want[2048];
    snprintf(want, sizeof want,
             "{\"description\":\"archive\",\"file\":\"n.yaml\",\"name\":\"nightly\","
             "\"on\":{\"cron\":\"30 2 * * *\",\"timezone\":\"Europe/Berlin\",\"type\":"
             "\"schedule\"},\"steps\":[{\"action\":\"get_user\",\"concurrency\":1,"
             "\"continue_on_error\":true,\"id\":\"a\",\"if\":\"{{ event.go }}\","
             "\"retry\":{\"backoff\":\"fixed\",\"delay_ms\":5,\"max_attempts\":3,"
             "\"max_delay_ms\":9},\"with\":{\"user_id\":\"me\"}},{\"action\":"
             "\"download: recording\",\"concurrency\":2,\"continue_on_error\":false,"
             "\"for_each\":[\"1\"],\"id\":\"b\",\"retry\":{\"backoff\":\"exponential\","
             "\"delay_ms\":1000,\"max_attempts\":1,\"max_delay_ms\":60000},\"with\":"
             "{\"dir\":\"/tmp/x\",\"meeting_id\":\"{{ item }}\"}}],\"version\":\"%s\"}",
             zf_workflow_version(w));
    assert_string_equal(s, want);
    free(s);
    json_decref(j);
    /* the event must be an object; without input: any object passes */
    zf_problems ip = ZF_PROBLEMS_INIT;
    json_t *arr = json_array();
    assert_int_equal(zf_workflow_check_input(w, arr, &ip), ZF_EVALIDATION);
    assert_string_equal(ip.items[0].message, "the event must be a JSON object");
    zf_problems_free(&ip);
    json_t *obj = json_pack("{si}", "x", 1);
    assert_int_equal(zf_workflow_check_input(w, obj, &ip), 0);
    json_decref(arr);
    json_decref(obj);
    zf_workflow_free(w);
    zf_workflow_free(NULL);
    /* a version given as a number; a manual trigger has no value */
    text = "name: t\nversion: v1.2\non: manual\nsteps:\n" STEP;
    assert_int_equal(zf_workflow_load(&w, "t.yaml", text, strlen(text), NULL, &p), 0);
    assert_string_equal(zf_workflow_version(w), "v1.2");
    zf_workflow_free(w);
    const zf_field *df = zf_wf_download_fields();
    assert_string_equal(df[0].name, "meeting_id");
    assert_string_equal(df[1].name, "dir");
    assert_null(df[2].name);
    text = "name: t\nversion: 7\non: manual\nsteps:\n" STEP;
    assert_int_equal(zf_workflow_load(&w, "t.json.yaml", text, strlen(text), NULL, &p), 0);
    assert_string_equal(zf_workflow_version(w), "7");
    assert_string_equal(zf_workflow_step(w, 0)->action->name, "get_user");
    assert_string_equal(zf_workflow_description(w), "");
    assert_null(zf_workflow_trigger_value(w));
    assert_null(zf_workflow_cron(w));
    assert_string_equal(zf_workflow_timezone(w), "UTC");
    j = zf_workflow_json(w);
    s = json_dumps(json_object_get(j, "on"), JSON_COMPACT);
    assert_string_equal(s, "{\"type\":\"manual\"}");
    free(s);
    json_decref(j);
    zf_workflow_free(w);
    assert_string_equal(zf_wf_trigger_name(ZF_WF_ON_ZOOM), "zoom");
    assert_string_equal(zf_wf_trigger_name((zf_wf_trigger)9), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_bytes),     cmocka_unit_test(test_read_yaml_features),
        cmocka_unit_test(test_read_scalars),   cmocka_unit_test(test_read_limits),
        cmocka_unit_test(test_load_header),    cmocka_unit_test(test_load_trigger),
        cmocka_unit_test(test_load_input),     cmocka_unit_test(test_load_steps),
        cmocka_unit_test(test_load_step_keys), cmocka_unit_test(test_load_with),
        cmocka_unit_test(test_load_env),       cmocka_unit_test(test_problems),
        cmocka_unit_test(test_workflow_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
