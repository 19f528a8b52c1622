/*
 * Loading a definition (workflow.h): the JSON model from yaml.c, then every
 * check that can be made before a run -- the shape of each key, the
 * trigger (a known Zoom event, a cron that parses, a zone of the list),
 * the steps (unique ids, known actions, `with:` keys and literal values
 * against the action's schema, required inputs, templates compiled with
 * their references checked). Problems are collected, not stopped at, so
 * one validate shows them all, each at file:line:col.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"
#include "template_internal.h"
#include "workflow_internal.h"
#include "zoomflow/buf.h"
#include "zoomflow/crypt.h"

#define NAME_MAX_LEN 64
#define INPUT_FIELDS_MAX 64
#define ENUM_MAX 63

struct zf_workflow {
    char *file, *name, *description, *version, *trigger_value, *timezone;
    zf_wf_trigger trigger;
    zf_cron cron;
    zf_field *input; /* NULL-terminated, or NULL */
    char **input_names;
    char ***input_enums;
    size_t ninput; /* entries of input_names and input_enums (a name may be NULL) */
    zf_wf_step *steps;
    zf_wf_template **tmpl; /* every template the steps point at */
    size_t nsteps, ntmpl;
    char **ids;
    json_t *model;
};

typedef struct loader {
    zf_workflow *w;
    zf_wf__doc doc;
    const char *file;
    zf_wf_problems *p;
    const zf_wf_load_opts *o;
    size_t before; /* problems before this file */
} loader;

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void
at(loader *l, const char *path, int key, const char *hint, const char *fmt, ...)
{
    int line, col;
    zf_wf__place(&l->doc, path, key, &line, &col);
    char msg[ZF_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    zf_wf__problem(l->p, l->file, line, col, hint, "%s", msg);
}

/* Templates carry paths relative to their step ("with.user_id"); their
 * places are looked up under the step's own path. */
typedef struct pos_ctx {
    loader *l;
    const char *prefix; /* "steps[2]" */
} pos_ctx;

static int pos_fn(void *ctx, const char *path, int *line, int *col)
{
    pos_ctx *pc = ctx;
    char full[1100];
    snprintf(full, sizeof full, "%s.%s", pc->prefix, path);
    return zf_wf__place(&pc->l->doc, full, 0, line, col);
}

static char *path_of(const char *base, const char *key)
{
    zf_buf b = ZF_BUF_INIT(1024);
    zf_buf_appendf(&b, "%s%s%s", base, base[0] && key[0] && key[0] != '[' ? "." : "", key);
    return b.failed ? (zf_buf_free(&b), NULL) : zf_buf_take(&b);
}

/* Keys of obj outside allowed[] are problems, with the nearest name. */
static void only_keys(loader *l, const json_t *obj, const char *path, const char *const *allowed,
                      const char *what)
{
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)obj, k, v) {
        int ok = 0;
        zf_suggest s;
        zf_suggest_init(&s, k);
        for (const char *const *a = allowed; *a; a++) {
            ok |= !strcmp(*a, k);
            zf_suggest_offer(&s, *a);
        }
        if (ok)
            continue;
        char *kp = path_of(path, k), hint[160];
        if (s.best)
            snprintf(hint, sizeof hint, "did you mean %s?", s.best);
        else {
            zf_buf b = ZF_BUF_INIT(sizeof hint);
            zf_buf_puts(&b, "the keys are");
            for (const char *const *a = allowed; *a; a++)
                zf_buf_appendf(&b, " %s", *a);
            snprintf(hint, sizeof hint, "%s", b.ptr ? b.ptr : "");
            zf_buf_free(&b);
        }
        at(l, kp ? kp : path, 1, hint, "%s has no key %s", what, k);
        free(kp);
    }
}

static const char *str_at(loader *l, const json_t *obj, const char *key, const char *path,
                          int required)
{
    json_t *v = json_object_get(obj, key);
    char *kp = path_of(path, key);
    const char *r = NULL;
    char hint[96];
    snprintf(hint, sizeof hint, "add %s: here", key);
    if (!v && required)
        at(l, path, 0, hint, "the key %s is required here", key);
    else if (v && !json_is_string(v))
        at(l, kp ? kp : path, 0, "quote the value", "%s must be text", key);
    else
        r = json_string_value(v);
    free(kp);
    return r;
}

static char *dup_or_oom(loader *l, const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        l->p->oom = 1;
    return d;
}

static int valid_name(const char *s, int allow_dot)
{
    size_t n = strlen(s);
    if (!n || n > NAME_MAX_LEN)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                 (allow_dot && c == '.');
        if (!ok || (i == 0 && (c == '-' || c == '.')))
            return 0;
    }
    return 1;
}

/* ---- the header: name, description, version ------------------------------ */

static void load_header(loader *l, const json_t *m)
{
    static const char *const keys[] = {"name",  "description", "version", "on",
                                       "input", "steps",       NULL};
    only_keys(l, m, "", keys, "a workflow");
    const char *name = str_at(l, m, "name", "", 1);
    if (name && !valid_name(name, 1))
        at(l, "name", 0, "use 1-64 of a-z, 0-9, '_', '-', '.', starting with a letter or digit",
           "\"%s\" is not a workflow name", name);
    l->w->name = dup_or_oom(l, name);
    l->w->description = dup_or_oom(l, str_at(l, m, "description", "", 0));
    json_t *ver = json_object_get(m, "version");
    char vbuf[40] = "";
    if (json_is_integer(ver))
        snprintf(vbuf, sizeof vbuf, "%lld", (long long)json_integer_value(ver));
    else if (json_is_string(ver) && json_string_length(ver) && json_string_length(ver) <= 32)
        snprintf(vbuf, sizeof vbuf, "%s", json_string_value(ver));
    else if (ver)
        at(l, "version", 0, "give a number or a short text (at most 32 characters)",
           "version must be a number or text of 1-32 characters");
    if (!vbuf[0]) {
        char *text = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
        unsigned char h[32];
        zf_sha256(text ? text : "", text ? strlen(text) : 0, h);
        free(text);
        int n = snprintf(vbuf, sizeof vbuf, "sha256:");
        for (int i = 0; i < 8; i++)
            n += snprintf(vbuf + n, sizeof vbuf - (size_t)n, "%02x", h[i]);
    }
    l->w->version = dup_or_oom(l, vbuf);
}

/* ---- on: ------------------------------------------------------------------ */

static void load_schedule(loader *l, const json_t *s)
{
    static const char *const keys[] = {"cron", "timezone", NULL};
    if (json_is_string(s)) {
        l->w->trigger_value = dup_or_oom(l, json_string_value(s));
    } else if (json_is_object(s)) {
        only_keys(l, s, "on.schedule", keys, "a schedule");
        const char *cron = str_at(l, s, "cron", "on.schedule", 1);
        if (cron)
            l->w->trigger_value = dup_or_oom(l, cron);
        const char *tz = str_at(l, s, "timezone", "on.schedule", 0);
        if (tz) {
            zf_wf__zone z;
            zf_error err = ZF_ERROR_INIT;
            long pos;
            int rc = zf_schema_format_ok(ZF_FMT_TIMEZONE, tz, &pos) ? zf_wf__zone_open(&z, tz, &err)
                                                                    : ZF_EVALIDATION;
            if (rc == ZF_ENOMEM)
                l->p->oom = 1;
            else if (rc != 0)
                at(l, "on.schedule.timezone", 0,
                   "use an IANA zone id such as America/New_York or Europe/Berlin",
                   "\"%s\" is not a known time zone", tz);
            else
                zf_wf__zone_close(&z);
        }
        l->w->timezone = dup_or_oom(l, tz ? tz : "UTC");
    } else {
        at(l, "on.schedule", 0, "write schedule: {cron: \"0 9 * * mon\", timezone: Area/City}",
           "a schedule is a cron text or a mapping");
        return;
    }
    if (!l->w->timezone)
        l->w->timezone = dup_or_oom(l, "UTC");
    const char *cron = l->w->trigger_value;
    if (!cron) /* missing or not text: said above */
        return;
    int col;
    zf_error err = ZF_ERROR_INIT;
    if (zf_cron_parse(&l->w->cron, cron, &col, &err) != 0) {
        const char *path = json_is_object(s) ? "on.schedule.cron" : "on.schedule";
        int line, c;
        zf_wf__place(&l->doc, path, 0, &line, &c);
        zf_wf__problem(l->p, l->file, line, c + col - 1, err.hint, "bad cron schedule: %s",
                       err.message);
    }
}

static void load_on(loader *l, const json_t *m)
{
    json_t *on = json_object_get(m, "on");
    static const char *const keys[] = {"event", "zoom", "schedule", "manual", NULL};
    if (!on) {
        at(l, "", 0, "add on: manual, on: {event: NAME}, on: {zoom: EVENT} or on: {schedule: ...}",
           "the key on (the trigger) is required");
        return;
    }
    if (json_is_string(on) && !strcmp(json_string_value(on), "manual")) {
        l->w->trigger = ZF_WF_ON_MANUAL;
        return;
    }
    if (!json_is_object(on) || json_object_size(on) != 1) {
        at(l, "on", 0, "write one of: manual, {event: NAME}, {zoom: EVENT}, {schedule: ...}",
           "on needs exactly one trigger");
        return;
    }
    only_keys(l, on, "on", keys, "on");
    json_t *v;
    if ((v = json_object_get(on, "manual")) != NULL) {
        l->w->trigger = ZF_WF_ON_MANUAL;
    } else if ((v = json_object_get(on, "event")) != NULL) {
        l->w->trigger = ZF_WF_ON_EVENT;
        const char *e = str_at(l, on, "event", "on", 1);
        if (e && !valid_name(e, 1))
            at(l, "on.event", 0, "use 1-64 of a-z, 0-9, '_', '-', '.' (employee.onboarded)",
               "\"%s\" is not an event name", e);
        l->w->trigger_value = dup_or_oom(l, e);
    } else if ((v = json_object_get(on, "zoom")) != NULL) {
        l->w->trigger = ZF_WF_ON_ZOOM;
        const char *e = str_at(l, on, "zoom", "on", 1);
        if (e && !zf_wf_zoom_event_known(e))
            at(l, "on.zoom", 0,
               "name an event of Zoom's webhook list, e.g. recording.completed or "
               "meeting.ended",
               "\"%s\" is not a Zoom webhook event", e);
        l->w->trigger_value = dup_or_oom(l, e);
    } else if ((v = json_object_get(on, "schedule")) != NULL) {
        l->w->trigger = ZF_WF_ON_SCHEDULE;
        load_schedule(l, v);
    }
}

/* ---- input: a small JSON Schema for the event ----------------------------- */

static unsigned type_bits(const char *t)
{
    static const struct {
        const char *n;
        unsigned b;
    } types[] = {{"string", ZF_T_STRING},
                 {"integer", ZF_T_INTEGER},
                 {"boolean", ZF_T_BOOLEAN},
                 {"object", ZF_T_OBJECT},
                 {"array", ZF_T_ARRAY}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(types[i].n, t))
            return types[i].b;
    return 0;
}

static zf_format format_named(const char *n)
{
    if (!strcmp(n, "timezone"))
        return ZF_FMT_TIMEZONE;
    for (int f = ZF_FMT_EMAIL; f <= ZF_FMT_OCCURRENCE_ID; f++) {
        const char *name = zf_schema_format_name((zf_format)f);
        if (name && !strcmp(name, n))
            return (zf_format)f;
    }
    return ZF_FMT_NONE;
}

/* enum: 1 to ENUM_MAX texts; anything else is a problem, never a list
 * cut short at its first non-text item. */
static void load_input_enum(loader *l, zf_field *f, const json_t *en, const char *path, size_t idx)
{
    if (!en)
        return;
    char *ep = path_of(path, "enum");
    size_t n = json_array_size(en), i;
    json_t *x;
    if (!json_is_array(en) || !n || n > ENUM_MAX) {
        at(l, ep ? ep : path, 0, "write enum: [staff, contractor]",
           "enum is a list of 1 to 63 texts");
        free(ep);
        return;
    }
    json_array_foreach ((json_t *)en, i, x)
        if (!json_is_string(x)) {
            char ip[32];
            snprintf(ip, sizeof ip, "[%zu]", i);
            char *xp = ep ? path_of(ep, ip) : NULL;
            at(l, xp ? xp : path, 0, "quote the value", "an enum value must be text");
            free(xp);
            free(ep);
            return;
        }
    free(ep);
    char **list = calloc(n + 1, sizeof *list);
    l->w->input_enums[idx] = list;
    if (!list) {
        l->p->oom = 1;
        return;
    }
    json_array_foreach ((json_t *)en, i, x)
        if (!(list[i] = dup_or_oom(l, json_string_value(x))))
            break;
    f->enum_str = (const char *const *)list;
}

static void load_input_field(loader *l, zf_field *f, const char *name, const json_t *spec,
                             const char *path, size_t idx)
{
    static const char *const keys[] = {"type", "format", "enum", "description", NULL};
    f->name = l->w->input_names[idx] = dup_or_oom(l, name);
    f->types = ZF_T_ANY;
    if (!json_is_object(spec)) {
        at(l, path, 0, "write {type: string, format: email}", "a property is a mapping");
        return;
    }
    only_keys(l, spec, path, keys, "a property");
    char *tp = path_of(path, "type"), *fp = path_of(path, "format");
    const char *t = str_at(l, spec, "type", path, 0);
    if (t && !(f->types = type_bits(t)))
        at(l, tp ? tp : path, 0, "use string, integer, boolean, object or array",
           "\"%s\" is not a type", t);
    if (!t)
        f->types = ZF_T_ANY;
    const char *fmt = str_at(l, spec, "format", path, 0);
    if (fmt && (f->format = format_named(fmt)) == ZF_FMT_NONE)
        at(l, fp ? fp : path, 0,
           "use email, date, date-time, zoom-date-time or timezone (docs/workflows.md)",
           "\"%s\" is not a format the schema knows", fmt);
    load_input_enum(l, f, json_object_get(spec, "enum"), path, idx);
    free(tp);
    free(fp);
}

static void load_input(loader *l, const json_t *m)
{
    json_t *in = json_object_get(m, "input");
    if (!in)
        return;
    static const char *const keys[] = {"type", "properties", "required", NULL};
    if (!json_is_object(in)) {
        at(l, "input", 0, "write input: {properties: {...}, required: [...]}",
           "input is a JSON Schema mapping");
        return;
    }
    only_keys(l, in, "input", keys, "input");
    json_t *props = json_object_get(in, "properties");
    if (props && !json_is_object(props))
        at(l, "input.properties", 0, "write properties: {email: {type: string}}",
           "properties is a mapping of names to their types");
    size_t n = json_is_object(props) ? json_object_size(props) : 0;
    if (n > INPUT_FIELDS_MAX) {
        at(l, "input.properties", 0, "list at most 64 properties", "at most 64 properties");
        return;
    }
    l->w->input = calloc(n + 1, sizeof *l->w->input);
    l->w->input_names = calloc(n + 1, sizeof *l->w->input_names);
    l->w->input_enums = calloc(n + 1, sizeof *l->w->input_enums);
    if (!l->w->input || !l->w->input_names || !l->w->input_enums) {
        l->p->oom = 1;
        return;
    }
    l->w->ninput = n;
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach (props, k, v) {
        char *pp = path_of("input.properties", k);
        load_input_field(l, &l->w->input[i], k, v, pp ? pp : "input", i);
        free(pp);
        i++;
    }
    json_t *req = json_object_get(in, "required");
    if (req && !json_is_array(req))
        at(l, "input.required", 0, "write required: [email]",
           "required is a list of property names");
    size_t j;
    json_array_foreach (req, j, v) {
        int found = 0;
        for (size_t f = 0; f < n; f++)
            if (json_is_string(v) && l->w->input[f].name &&
                !strcmp(l->w->input[f].name, json_string_value(v))) {
                l->w->input[f].flags |= ZF_F_REQUIRED;
                found = 1;
            }
        if (!found) {
            char rp[40];
            snprintf(rp, sizeof rp, "input.required[%zu]", j);
            if (json_is_string(v))
                at(l, rp, 0, "list names of input.properties, or add the property",
                   "%s is required but is not one of the properties", json_string_value(v));
            else
                at(l, rp, 0, "list names of input.properties", "a required name must be text");
        }
    }
}

/* ---- steps ------------------------------------------------------------------ */

static zf_wf_template *keep(loader *l, zf_wf_template *t)
{
    zf_wf_template **n = realloc(l->w->tmpl, (l->w->ntmpl + 1) * sizeof *n);
    if (!n) {
        zf_wf_template_free(t);
        l->p->oom = 1;
        return NULL;
    }
    l->w->tmpl = n;
    l->w->tmpl[l->w->ntmpl++] = t;
    return t;
}

/* The problems of zf_schema_check / zf_action_validate, placed. */
static void place_problems(loader *l, const zf_problems *sp, const char *base)
{
    for (size_t i = 0; i < sp->count; i++) {
        char *pp = path_of(base, sp->items[i].path);
        at(l, pp ? pp : base, !strcmp(sp->items[i].rule, "unknown"),
           "see the action's input description (docs/actions.md)", "%s: %s", pp ? pp : base,
           sp->items[i].message);
        free(pp);
    }
}

static const zf_field *field_named(const zf_field *fields, const char *name)
{
    for (const zf_field *f = fields; f && f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

/* `with:` (compiled t) against fields: unknown keys, required ones missing,
 * literal values checked now; templated values are checked at run time. */
static void check_members(loader *l, const zf_field *fields, int open, const zf_wf_template *t,
                          const char *path)
{
    const json_t *lit = zf_wf_template_literal(t);
    if (lit) {
        zf_problems sp = ZF_PROBLEMS_INIT;
        zf_schema_check_object(&sp, fields, "", lit, open);
        place_problems(l, &sp, path);
        zf_problems_free(&sp);
        return;
    }
    if (t->kind != WF_OBJ)
        return; /* a template: the run checks what it renders */
    for (const zf_field *f = fields; f && f->name; f++)
        if ((f->flags & ZF_F_REQUIRED)) {
            int have = 0;
            for (size_t i = 0; i < t->nkids; i++)
                have |= !strcmp(t->keys[i], f->name);
            if (!have)
                at(l, path, 0, "add it under with:", "the input %s is required", f->name);
        }
    for (size_t i = 0; i < t->nkids; i++) {
        const zf_field *f = field_named(fields, t->keys[i]);
        char *kp = path_of(path, t->keys[i]);
        if (!f && !open) {
            zf_suggest s;
            zf_suggest_init(&s, t->keys[i]);
            for (const zf_field *x = fields; x && x->name; x++)
                zf_suggest_offer(&s, x->name);
            char hint[128];
            snprintf(hint, sizeof hint, s.best ? "did you mean %s?" : "%s",
                     s.best ? s.best : "see the action's input description (docs/actions.md)");
            /* named from with: down, so a nested key says where it is */
            const char *rel = kp ? strstr(kp, ".with.") : NULL;
            at(l, kp ? kp : path, 1, hint, "the action takes no input %s",
               rel ? rel + 6 : t->keys[i]);
        } else if (f && zf_wf_template_literal(t->kids[i])) {
            zf_problems sp = ZF_PROBLEMS_INIT;
            zf_schema_check(&sp, f, "", zf_wf_template_literal(t->kids[i]));
            place_problems(l, &sp, kp ? kp : path);
            zf_problems_free(&sp);
        } else if (f && f->fields && t->kids[i]->kind == WF_OBJ) {
            check_members(l, f->fields, (f->flags & ZF_F_OPEN) != 0, t->kids[i], kp ? kp : path);
        }
        free(kp);
    }
}

static void check_with(loader *l, const zf_action *a, const zf_wf_template *t, const char *path)
{
    const json_t *lit = zf_wf_template_literal(t);
    if (lit && json_is_object(lit)) { /* all known now: the action's own rules too */
        zf_problems sp = ZF_PROBLEMS_INIT;
        zf_action_validate(&sp, a, lit);
        place_problems(l, &sp, path);
        zf_problems_free(&sp);
        return;
    }
    if (lit || (t->kind != WF_OBJ)) {
        if (!json_is_object(lit) && t->kind != WF_TEXT)
            at(l, path, 0, "write the inputs as a mapping", "with: is a mapping of inputs");
        return;
    }
    check_members(l, a->input, 0, t, path);
}

static const zf_action *find_action(loader *l, const char *name, const char *path)
{
    const zf_action *a = zf_action_find(name);
    if (a)
        return a;
    zf_suggest s;
    zf_suggest_init(&s, name);
    for (const zf_action *const *x = zf_actions(); *x; x++)
        zf_suggest_offer(&s, (*x)->name);
    char hint[128];
    snprintf(hint, sizeof hint, s.best ? "did you mean %s?" : "%s",
             s.best ? s.best : "docs/actions.md lists the actions");
    at(l, path, 0, hint, "there is no action %s", name);
    return NULL;
}

static void load_retry(loader *l, zf_wf_step *s, const json_t *r, const char *path)
{
    static const char *const keys[] = {"max_attempts", "backoff", "delay_ms", "max_delay_ms", NULL};
    s->retry = (zf_wf_retry){1, ZF_WF_BACKOFF_EXPONENTIAL, 1000, 60000};
    if (!r)
        return;
    if (!json_is_object(r)) {
        at(l, path, 0, "write retry: {max_attempts: 3, backoff: exponential}",
           "retry is a mapping");
        return;
    }
    only_keys(l, r, path, keys, "retry");
    json_t *v = json_object_get(r, "max_attempts");
    char *p = path_of(path, "max_attempts");
    if (v && (!json_is_integer(v) || json_integer_value(v) < 1 ||
              json_integer_value(v) > ZF_WF_ATTEMPTS_MAX))
        at(l, p ? p : path, 0, "give 1 to 20", "max_attempts must be a whole number from 1 to 20");
    else if (v)
        s->retry.max_attempts = (int)json_integer_value(v);
    free(p);
    const char *b = str_at(l, r, "backoff", path, 0);
    if (b && strcmp(b, "exponential") && strcmp(b, "fixed")) {
        p = path_of(path, "backoff");
        at(l, p ? p : path, 0, "use exponential or fixed", "\"%s\" is not a backoff", b);
        free(p);
    } else if (b)
        s->retry.backoff = !strcmp(b, "fixed") ? ZF_WF_BACKOFF_FIXED : ZF_WF_BACKOFF_EXPONENTIAL;
    static const char *const ms[] = {"delay_ms", "max_delay_ms"};
    for (int i = 0; i < 2; i++) {
        v = json_object_get(r, ms[i]);
        if (!v)
            continue;
        p = path_of(path, ms[i]);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 86400000)
            at(l, p ? p : path, 0, "give milliseconds from 0 to 86400000",
               "%s must be a whole number of milliseconds", ms[i]);
        else if (i == 0)
            s->retry.delay_ms = json_integer_value(v);
        else
            s->retry.max_delay_ms = json_integer_value(v);
        free(p);
    }
}

static const zf_wf_template *compile_at(loader *l, const json_t *v, const char *path,
                                        const zf_wf_scope *sc)
{
    zf_wf_template *t = NULL;
    char prefix[32];
    const char *dot = strchr(path, '.');
    snprintf(prefix, sizeof prefix, "%.*s", (int)(dot ? dot - path : 0), path);
    pos_ctx pc = {l, prefix};
    zf_wf__template_compile_all(&t, v, dot ? dot + 1 : path, sc, pos_fn, &pc, l->p);
    return t ? keep(l, t) : NULL; /* a failed one is kept for the checks; the load fails */
}

/* ---- built-in steps ----------------------------------------------------------- */

static const zf_field DOWNLOAD_FIELDS[] = {
    {.name = "meeting_id",
     .types = ZF_T_STRING | ZF_T_INTEGER,
     .flags = ZF_F_REQUIRED,
     .summary = "the meeting (its latest recording) or the meeting instance's UUID",
     .format = ZF_FMT_MEETING_ID_UUID},
    {.name = "dir",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .summary = "the archive directory (created when missing; its parent must exist)",
     .min_len = 1,
     .max_len = 4096},
    {0}};

const zf_field *zf_wf_download_fields(void)
{
    return DOWNLOAD_FIELDS;
}

static void check_download_with(loader *l, const zf_wf_template *t, const char *path)
{
    const json_t *lit = zf_wf_template_literal(t);
    if ((lit && !json_is_object(lit)) || (!lit && t->kind != WF_OBJ)) {
        at(l, path, 0, "write with: {meeting_id: ..., dir: ...}", "with: is a mapping of inputs");
        return;
    }
    check_members(l, DOWNLOAD_FIELDS, 0, t, path);
}

/* `action: NAME` or `download: recording`: exactly one of them. */
static void load_kind(loader *l, zf_wf_step *s, const json_t *js, const char *path)
{
    json_t *dl = json_object_get(js, "download");
    if (!dl && !json_object_get(js, "action")) {
        at(l, path, 0, "add action: NAME (docs/actions.md lists them), or download: recording",
           "the key action is required here");
        return;
    }
    if (!dl) {
        const char *action = str_at(l, js, "action", path, 1);
        char *ap = path_of(path, "action");
        if (action)
            s->action = find_action(l, action, ap ? ap : path);
        free(ap);
        return;
    }
    char *dp = path_of(path, "download");
    if (json_object_get(js, "action"))
        at(l, dp ? dp : path, 1, "keep one: a step runs an action or the built-in download",
           "a step has either action: or download:, not both");
    else if (!json_is_string(dl) || strcmp(json_string_value(dl), "recording") != 0) {
        const char *v = json_is_string(dl) ? json_string_value(dl) : "";
        zf_suggest sg;
        zf_suggest_init(&sg, v);
        zf_suggest_offer(&sg, "recording");
        at(l, dp ? dp : path, 0, sg.best ? "did you mean recording?" : "write download: recording",
           "download: takes recording (the files of a meeting's cloud recording)");
    } else
        s->builtin = ZF_WF_BUILTIN_DOWNLOAD_RECORDING;
    free(dp);
}

static void load_step(loader *l, size_t i, const json_t *js, const char **before)
{
    static const char *const keys[] = {
        "id",          "action", "download",          "with", "if", "for_each",
        "concurrency", "retry",  "continue_on_error", NULL};
    zf_wf_step *s = &l->w->steps[i];
    char path[32];
    snprintf(path, sizeof path, "steps[%zu]", i);
    zf_wf__place(&l->doc, path, 0, &s->line, &s->col);
    s->concurrency = 1;
    s->retry = (zf_wf_retry){1, ZF_WF_BACKOFF_EXPONENTIAL, 1000, 60000};
    if (!json_is_object(js)) {
        at(l, path, 0, "write a step as {id: ..., action: ..., with: {...}}",
           "a step is a mapping");
        return;
    }
    only_keys(l, js, path, keys, "a step");
    s->id = l->w->ids[i];
    load_kind(l, s, js, path);
    zf_wf_scope sc = {.file = l->file,
                      .step = s->id,
                      .steps_before = before,
                      .steps_all = (const char *const *)l->w->ids,
                      .env_allowed = l->o ? l->o->env_allowed : NULL,
                      .has_item = json_object_get(js, "for_each") != NULL};
    char p[64]; /* "steps[N].KEY": on the stack, so memory cannot run out for it */
    snprintf(p, sizeof p, "%s.for_each", path);
    json_t *fe = json_object_get(js, "for_each");
    if (fe && !json_is_array(fe) && !json_is_string(fe))
        at(l, p, 0, "give a list, or a template that renders one ({{ event.attendees }})",
           "for_each takes a list");
    else if (fe) {
        zf_wf_scope outer = sc;
        outer.has_item = 0;
        s->for_each = compile_at(l, fe, p, &outer);
        const json_t *lit = zf_wf_template_literal(s->for_each);
        if (lit && !json_is_array(lit))
            at(l, p, 0, "give a list, or a template that renders one ({{ event.attendees }})",
               "for_each takes a list");
    }
    json_t *cc = json_object_get(js, "concurrency");
    snprintf(p, sizeof p, "%s.concurrency", path);
    if (cc && !fe)
        at(l, p, 1, "remove it, or add for_each", "concurrency applies only to for_each");
    else if (cc && (!json_is_integer(cc) || json_integer_value(cc) < 1 ||
                    json_integer_value(cc) > ZF_WF_CONCURRENCY_MAX))
        at(l, p, 0, "give 1 to 64", "concurrency must be a whole number from 1 to 64");
    else if (cc)
        s->concurrency = (int)json_integer_value(cc);
    snprintf(p, sizeof p, "%s.if", path);
    json_t *cond = json_object_get(js, "if");
    if (cond && !json_is_string(cond) && !json_is_boolean(cond))
        at(l, p, 0, "write if: \"{{ event.kind == 'staff' }}\"", "if: takes a template");
    else if (cond)
        s->cond = compile_at(l, cond, p, &sc);
    snprintf(p, sizeof p, "%s.with", path);
    json_t *with = json_object_get(js, "with");
    json_t *empty = with ? NULL : json_object();
    s->with = compile_at(l, with ? with : empty, p, &sc);
    json_decref(empty);
    if (s->action && s->with)
        check_with(l, s->action, s->with, p);
    else if (s->builtin == ZF_WF_BUILTIN_DOWNLOAD_RECORDING && s->with)
        check_download_with(l, s->with, p);
    snprintf(p, sizeof p, "%s.retry", path);
    load_retry(l, s, json_object_get(js, "retry"), p);
    json_t *coe = json_object_get(js, "continue_on_error");
    if (coe && !json_is_boolean(coe)) {
        snprintf(p, sizeof p, "%s.continue_on_error", path);
        at(l, p, 0, "write true or false", "continue_on_error must be true or false");
    }
    s->continue_on_error = json_is_true(coe);
}

static void load_steps(loader *l, const json_t *m)
{
    json_t *steps = json_object_get(m, "steps");
    if (!json_is_array(steps) || !json_array_size(steps)) {
        at(l, steps ? "steps" : "", 0, "list the steps: steps: [{id: ..., action: ...}]",
           "a workflow needs a non-empty list of steps");
        return;
    }
    size_t n = json_array_size(steps);
    if (n > ZF_WF_STEPS_MAX) {
        at(l, "steps", 0, "split it into several workflows", "more than 200 steps");
        return;
    }
    zf_workflow *w = l->w;
    w->steps = calloc(n, sizeof *w->steps);
    w->ids = calloc(n + 1, sizeof *w->ids);
    const char **before = calloc(n + 1, sizeof *before);
    if (!w->steps || !w->ids || !before) {
        free(before);
        l->p->oom = 1;
        return;
    }
    w->nsteps = n;
    for (size_t i = 0; i < n; i++) { /* ids first: references may point forward */
        char path[40];
        snprintf(path, sizeof path, "steps[%zu].id", i);
        json_t *st = json_array_get(steps, i);
        const char *id = json_is_object(st) ? json_string_value(json_object_get(st, "id")) : NULL;
        if (json_is_object(st) && !id) {
            snprintf(path, sizeof path, "steps[%zu]", i);
            at(l, path, 0, "give each step an id: a word such as create_user",
               "a step needs an id (text)");
        } else if (id && !valid_name(id, 0))
            at(l, path, 0, "use 1-64 of a-z, 0-9, '_', '-'", "\"%s\" is not a step id", id);
        for (size_t j = 0; id && j < i; j++)
            if (w->ids[j][0] && !strcmp(w->ids[j], id))
                at(l, path, 0, "give each step its own id", "the step id %s is used twice", id);
        w->ids[i] = dup_or_oom(l, id ? id : "");
        if (!w->ids[i])
            break;
    }
    for (size_t i = 0; i < n && !l->p->oom; i++) {
        before[i] = NULL;
        load_step(l, i, json_array_get(steps, i), before);
        before[i] = w->ids[i];
    }
    free(before);
}

int zf_workflow_load(zf_workflow **out, const char *file, const void *bytes, size_t len,
                     const zf_wf_load_opts *o, zf_wf_problems *p)
{
    *out = NULL;
    size_t flen = file ? strlen(file) : 0;
    int json = flen >= 5 && !strcmp(file + flen - 5, ".json");
    loader l = {.file = file ? file : "", .p = p, .o = o, .before = p->count};
    int rc = zf_wf__read(&l.doc, l.file, bytes, len, json, p);
    if (rc)
        return rc;
    if (!json_is_object(l.doc.model)) {
        at(&l, "", 0, "start from an example in examples/workflows",
           "a workflow is a mapping (name:, on:, steps:)");
        zf_wf__doc_free(&l.doc);
        return ZF_EVALIDATION;
    }
    l.w = calloc(1, sizeof *l.w);
    if (!l.w) {
        zf_wf__doc_free(&l.doc);
        p->oom = 1;
        return ZF_ENOMEM;
    }
    l.w->file = dup_or_oom(&l, l.file);
    load_header(&l, l.doc.model);
    load_on(&l, l.doc.model);
    load_input(&l, l.doc.model);
    load_steps(&l, l.doc.model);
    l.w->model = json_incref(l.doc.model);
    zf_wf__doc_free(&l.doc);
    if (p->oom || p->count > l.before || p->truncated) {
        int oom = p->oom && p->count == l.before;
        zf_workflow_free(l.w);
        return oom ? ZF_ENOMEM : ZF_EVALIDATION;
    }
    *out = l.w;
    return 0;
}

void zf_workflow_free(zf_workflow *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->ntmpl; i++)
        zf_wf_template_free(w->tmpl[i]);
    free(w->tmpl);
    for (size_t i = 0; w->ids && i < w->nsteps; i++)
        free(w->ids[i]);
    free(w->ids);
    free(w->steps);
    for (size_t i = 0; i < w->ninput; i++) { /* not to the first NULL name: one may be missing */
        free(w->input_names[i]);
        for (char **e = w->input_enums[i]; e && *e; e++)
            free(*e);
        free(w->input_enums[i]);
    }
    free(w->input);
    free(w->input_names);
    free(w->input_enums);
    free(w->file);
    free(w->name);
    free(w->description);
    free(w->version);
    free(w->trigger_value);
    free(w->timezone);
    json_decref(w->model);
    free(w);
}

const char *zf_workflow_name(const zf_workflow *w)
{
    return w->name;
}
const char *zf_workflow_description(const zf_workflow *w)
{
    return w->description;
}
const char *zf_workflow_version(const zf_workflow *w)
{
    return w->version;
}
const char *zf_workflow_file(const zf_workflow *w)
{
    return w->file;
}
zf_wf_trigger zf_workflow_trigger(const zf_workflow *w)
{
    return w->trigger;
}
const char *zf_workflow_trigger_value(const zf_workflow *w)
{
    return w->trigger_value;
}
const char *zf_workflow_timezone(const zf_workflow *w)
{
    return w->timezone ? w->timezone : "UTC";
}
const zf_cron *zf_workflow_cron(const zf_workflow *w)
{
    return w->trigger == ZF_WF_ON_SCHEDULE ? &w->cron : NULL;
}
const zf_field *zf_workflow_input(const zf_workflow *w)
{
    return w->input;
}

int zf_workflow_check_input(const zf_workflow *w, const json_t *event, zf_problems *p)
{
    if (!json_is_object(event)) {
        zf_problems_add(p, "", "type", event, -1, "the event must be a JSON object");
        return ZF_EVALIDATION;
    }
    size_t before = p->count;
    if (w->input)
        zf_schema_check_object(p, w->input, "", event, 1);
    return p->count > before || p->oom ? ZF_EVALIDATION : 0;
}
size_t zf_workflow_step_count(const zf_workflow *w)
{
    return w->nsteps;
}
const zf_wf_step *zf_workflow_step(const zf_workflow *w, size_t i)
{
    return i < w->nsteps ? &w->steps[i] : NULL;
}
const json_t *zf_workflow_model(const zf_workflow *w)
{
    return w->model;
}

const char *zf_wf_trigger_name(zf_wf_trigger t)
{
    static const char *const names[] = {"manual", "event", "zoom", "schedule"};
    return (unsigned)t < 4 ? names[t] : "unknown";
}

json_t *zf_workflow_json(const zf_workflow *w)
{
    json_t *on = json_pack("{ss}", "type", zf_wf_trigger_name(w->trigger));
    if (on && w->trigger_value)
        json_object_set_new(on, w->trigger == ZF_WF_ON_SCHEDULE ? "cron" : "name",
                            json_string(w->trigger_value));
    if (on && w->trigger == ZF_WF_ON_SCHEDULE)
        json_object_set_new(on, "timezone", json_string(zf_workflow_timezone(w)));
    json_t *steps = json_array();
    for (size_t i = 0; steps && i < w->nsteps; i++) {
        const zf_wf_step *s = &w->steps[i];
        json_t *js = json_pack(
            "{ss ss sb si s{si ss sI sI}}", "id", s->id, "action",
            s->action                                        ? s->action->name
            : s->builtin == ZF_WF_BUILTIN_DOWNLOAD_RECORDING ? "download: recording"
                                                             : "",
            "continue_on_error", s->continue_on_error, "concurrency", s->concurrency, "retry",
            "max_attempts", s->retry.max_attempts, "backoff",
            s->retry.backoff == ZF_WF_BACKOFF_FIXED ? "fixed" : "exponential", "delay_ms",
            (json_int_t)s->retry.delay_ms, "max_delay_ms", (json_int_t)s->retry.max_delay_ms);
        json_t *src = json_array_get(json_object_get(w->model, "steps"), i);
        if (js) {
            json_t *with = json_object_get(src, "with");
            json_object_set_new(js, "with", with ? json_incref(with) : json_object());
            if (json_object_get(src, "if"))
                json_object_set(js, "if", json_object_get(src, "if"));
            if (json_object_get(src, "for_each"))
                json_object_set(js, "for_each", json_object_get(src, "for_each"));
        }
        json_array_append_new(steps, js);
    }
    return json_pack("{ss ss ss ss so so}", "name", w->name, "description", w->description,
                     "version", w->version, "file", w->file, "on", on, "steps", steps);
}
