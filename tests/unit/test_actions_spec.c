/*
 * Every constraint of every action descriptor against Zoom's 2026 OpenAPI
 * files (the committed subset tests/spec/zoom-actions-subset.json, made by
 * tests/spec/trim.py): maxLength, minLength, enum, minimum, maximum,
 * maxItems, required, type and default. A constraint that knowingly differs
 * must say so (zf_field.spec_diff + spec_note), and such a declared
 * difference must really exist, so stale exceptions fail too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zoomflow/actions.h"

static json_t *subset;
static int compared; /* constraints compared, so a vacuous run fails */
static int failures;

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void
failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    failures++;
}

static int load_subset(void **state)
{
    char path[4096];
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    int dir = slash ? (int)(slash - here) : 0;
    snprintf(path, sizeof path, "%.*s%s../spec/zoom-actions-subset.json", dir, here,
             slash ? "/" : "");
    json_error_t e;
    subset = json_load_file(path, 0, &e);
    if (!subset)
        fprintf(stderr, "cannot load %s: %s\n", path, e.text);
    return subset ? 0 : -1;
}

static int free_subset(void **state)
{
    json_decref(subset);
    return 0;
}

static unsigned spec_type_bit(const char *t)
{
    static const struct {
        const char *name;
        unsigned bit;
    } m[] = {{"string", ZF_T_STRING},
             {"integer", ZF_T_INTEGER},
             {"boolean", ZF_T_BOOLEAN},
             {"object", ZF_T_OBJECT},
             {"array", ZF_T_ARRAY}};
    for (size_t i = 0; t && i < sizeof m / sizeof m[0]; i++)
        if (strcmp(m[i].name, t) == 0)
            return m[i].bit;
    return 0;
}

/* mine/spec: NULL when the side has no such constraint. */
static void compare_kw(const char *where, const zf_field *f, unsigned bit, const char *kw,
                       json_t *mine, const json_t *spec)
{
    int equal = (!mine && !spec) || (mine && spec && json_equal(mine, (json_t *)spec));
    if (kw[0] == 'e' && mine && spec && json_array_size(mine) == json_array_size(spec)) {
        /* enums: same set, any order */
        equal = 1;
        size_t i;
        json_t *v;
        json_array_foreach (mine, i, v) {
            size_t j, found = 0;
            json_t *w;
            json_array_foreach ((json_t *)spec, j, w)
                found |= json_equal(v, w);
            equal &= (int)found;
        }
    }
    if (mine || spec)
        compared++;
    if (f->spec_diff & bit) {
        if (equal)
            failf("%s: %s declared as differing from Zoom, but it is equal (stale exception)",
                  where, kw);
    } else if (!equal) {
        char *a = mine ? json_dumps(mine, JSON_ENCODE_ANY) : NULL;
        char *b = spec ? json_dumps(spec, JSON_ENCODE_ANY) : NULL;
        failf("%s: %s is %s here but %s in Zoom's spec", where, kw, a ? a : "absent",
              b ? b : "absent");
        free(a);
        free(b);
    }
    json_decref(mine);
}

static json_t *mine_enum(const zf_field *f)
{
    if (!f->enum_str && !f->n_enum_int)
        return NULL;
    json_t *e = json_array();
    for (const char *const *s = f->enum_str; s && *s; s++)
        json_array_append_new(e, json_string(*s));
    for (size_t i = 0; i < f->n_enum_int; i++)
        json_array_append_new(e, json_integer(f->enum_int[i]));
    return e;
}

static int in_required(const json_t *req, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach (req, i, v)
        if (strcmp(json_string_value(v), name) == 0)
            return 1;
    return 0;
}

static void compare_field(const char *where, const zf_field *f, const json_t *s);

static void compare_required(const char *where, const zf_field *f, int spec_required)
{
    compared++;
    int mine = (f->flags & ZF_F_REQUIRED) != 0;
    if ((f->spec_diff & ZF_DIFF_REQUIRED) ? mine == spec_required : mine != spec_required)
        failf("%s: required is %s here, %s in Zoom's spec%s", where, mine ? "yes" : "no",
              spec_required ? "yes" : "no",
              (f->spec_diff & ZF_DIFF_REQUIRED) ? " (declared as differing)" : "");
}

static void compare_members(const char *where, const zf_field *fields, const json_t *s)
{
    json_t *props = json_object_get(s, "properties");
    for (const zf_field *g = fields; g && g->name; g++) {
        char sub[512];
        snprintf(sub, sizeof sub, "%s.%s", where, g->name);
        json_t *gs = json_object_get(props, g->name);
        if (!gs) {
            failf("%s: no such field in Zoom's spec", sub);
            continue;
        }
        compare_required(sub, g, in_required(json_object_get(s, "required"), g->name));
        compare_field(sub, g, gs);
    }
}

#define KW_INT(cond, v) ((cond) ? json_integer(v) : NULL)

static void compare_field(const char *where, const zf_field *f, const json_t *s)
{
    if (f->spec_diff && !f->spec_note)
        failf("%s: spec_diff without a spec_note saying why", where);
    unsigned bit = spec_type_bit(json_string_value(json_object_get(s, "type")));
    compared++;
    if (!(f->types & ZF_T_ANY) && !(bit & f->types) && !(f->spec_diff & ZF_DIFF_TYPE))
        failf("%s: Zoom's type %s is not accepted here", where,
              json_string_value(json_object_get(s, "type")));
    compare_kw(where, f, ZF_DIFF_MAXLEN, "maxLength", KW_INT(f->max_len > 0, f->max_len),
               json_object_get(s, "maxLength"));
    compare_kw(where, f, ZF_DIFF_MINLEN, "minLength", KW_INT(f->min_len > 0, f->min_len),
               json_object_get(s, "minLength"));
    compare_kw(where, f, ZF_DIFF_MIN, "minimum", KW_INT(f->flags & ZF_F_MIN, f->min),
               json_object_get(s, "minimum"));
    compare_kw(where, f, ZF_DIFF_MAX, "maximum", KW_INT(f->flags & ZF_F_MAX, f->max),
               json_object_get(s, "maximum"));
    compare_kw(where, f, ZF_DIFF_MAXITEMS, "maxItems", KW_INT(f->max_items > 0, f->max_items),
               json_object_get(s, "maxItems"));
    compare_kw(where, f, ZF_DIFF_ENUM, "enum", mine_enum(f), json_object_get(s, "enum"));
    if (f->default_json) {
        json_t *d = json_loads(f->default_json, JSON_DECODE_ANY, NULL);
        compared++;
        if (!json_equal(d, json_object_get(s, "default")))
            failf("%s: default %s here differs from Zoom's", where, f->default_json);
        json_decref(d);
    }
    if (f->fields)
        compare_members(where, f->fields, s);
    if (f->items) {
        char sub[512];
        snprintf(sub, sizeof sub, "%s[]", where);
        compare_field(sub, f->items, json_object_get(s, "items"));
    }
}

static void compare_scopes(const zf_action *a, const json_t *op)
{
    json_t *granular = json_object_get(op, "granular_scopes");
    size_t i;
    json_t *v;
    int listed = 0;
    json_array_foreach (granular, i, v) {
        listed |= strcmp(json_string_value(v), a->scope) == 0;
        zf_error err = ZF_ERROR_INIT;
        compared++;
        if (zf_action_scope_check(a, json_string_value(v), &err) != 0)
            failf("%s: Zoom accepts scope %s but the preflight refuses it", a->name,
                  json_string_value(v));
    }
    if (!listed)
        failf("%s: scope %s is not among Zoom's for the operation", a->name, a->scope);
    json_t *classic = json_object_get(op, "classic_scopes");
    size_t n = 0;
    for (const char *const *c = a->classic_scopes; c && *c; c++, n++)
        if (!in_required(classic, *c))
            failf("%s: classic scope %s is not Zoom's", a->name, *c);
    if (n != json_array_size(classic))
        failf("%s: %zu classic scopes here, %zu in Zoom's spec", a->name, n,
              json_array_size(classic));
}

/* Endpoints in none of Zoom's 2026 files, each compared against the
 * operation whose query parameters it shares. Their own path parameter and
 * scopes have nothing to be compared with; everything else is. */
static const struct stand_in {
    const char *operation, *compared_with, *why;
} stand_ins[] = {
    {"GET /accounts/{accountId}/recordings", "GET /users/{userId}/recordings",
     "Zoom documents the account listing with its account-level APIs, not in the Meetings "
     "or Users files; its from/to/page_size are those of the user listing"},
};

static const struct stand_in *stand_in_for(const char *key)
{
    for (size_t i = 0; i < sizeof stand_ins / sizeof stand_ins[0]; i++)
        if (strcmp(stand_ins[i].operation, key) == 0)
            return &stand_ins[i];
    return NULL;
}

static void compare_action(const zf_action *a)
{
    char key[256];
    snprintf(key, sizeof key, "%s %s", a->method, a->path);
    json_t *ops = json_object_get(subset, "operations");
    json_t *op = json_object_get(ops, key);
    const struct stand_in *si = stand_in_for(key);
    if (op && si)
        failf("%s: %s is in the spec subset now: drop its stand-in", a->name, key);
    if (!op && si)
        op = json_object_get(ops, si->compared_with);
    if (!op) {
        failf("%s: operation %s is not in the spec subset", a->name, key);
        return;
    }
    if (!si)
        compare_scopes(a, op);
    json_t *params = json_object_get(op, "parameters"), *body = json_object_get(op, "body");
    for (const zf_field *f = a->input; f->name; f++) {
        const char *wire = f->wire ? f->wire : f->name;
        char where[256];
        snprintf(where, sizeof where, "%s.%s", a->name, f->name);
        if (f->in == ZF_IN_LOCAL || (si && f->in == ZF_IN_PATH))
            continue;
        if (f->in == ZF_IN_BODY) {
            json_t *s = json_object_get(json_object_get(body, "properties"), wire);
            if (!s) {
                failf("%s: no body field %s in Zoom's spec", where, wire);
                continue;
            }
            compare_required(where, f, in_required(json_object_get(body, "required"), wire));
            compare_field(where, f, s);
            continue;
        }
        json_t *p = json_object_get(params, wire);
        const char *in = json_string_value(json_object_get(p, "in"));
        if (!p || !in || strcmp(in, f->in == ZF_IN_PATH ? "path" : "query") != 0) {
            failf("%s: no %s parameter %s in Zoom's spec", where,
                  f->in == ZF_IN_PATH ? "path" : "query", wire);
            continue;
        }
        compare_required(where, f, json_is_true(json_object_get(p, "required")));
        compare_field(where, f, json_object_get(p, "schema"));
    }
}

static void test_every_descriptor_matches_zoom(void **state)
{
    int actions = 0;
    for (const zf_action *const *a = zf_actions(); *a; a++) {
        if (!(*a)->method)
            continue; /* call_api has no fixed endpoint */
        compare_action(*a);
        actions++;
    }
    fprintf(stderr, "compared %d constraints of %d actions\n", compared, actions);
    /* every action with a fixed endpoint is compared: the seven of the seed
     * and the meeting, registration, attendance, user and recordings
     * actions of issue 9 */
    assert_true(actions >= 19);
    assert_true(compared > 750);
    assert_int_equal(failures, 0);
}

/* The comparison itself must catch a drift: a copy of a real field with
 * one constraint changed fails, and a stale exception fails. */
static void test_comparison_catches_drift(void **state)
{
    json_t *op =
        json_object_get(json_object_get(subset, "operations"), "POST /users/{userId}/meetings");
    json_t *topic =
        json_object_get(json_object_get(json_object_get(op, "body"), "properties"), "topic");
    assert_non_null(topic);
    zf_field f = {.name = "topic", .types = ZF_T_STRING, .max_len = 200, .summary = "t"};
    int before = failures;
    compare_field("probe", &f, topic);
    assert_int_equal(failures, before);
    f.max_len = 199;
    compare_field("probe", &f, topic);
    assert_int_equal(failures, before + 1);
    f.max_len = 200;
    f.spec_diff = ZF_DIFF_MAXLEN;
    f.spec_note = "stale";
    compare_field("probe", &f, topic);
    assert_int_equal(failures, before + 2);
    failures = before;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comparison_catches_drift),
        cmocka_unit_test(test_every_descriptor_matches_zoom),
    };
    return cmocka_run_group_tests(tests, load_subset, free_subset);
}
