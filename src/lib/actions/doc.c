/*
 * Text surfaces generated from the descriptors: CLI flag names, --help and
 * docs/actions.md. A test keeps the committed docs equal to this output.
 */
#include "actions_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zoomflow/json.h"

#define ZF_ACTION_FLAG_WHAT 96             /* "--settings" */
#define ZF_ACTION_FLAG_JSON_MAX (1u << 20) /* a JSON flag value */

static const char *type_word(unsigned t)
{
    if (t & ZF_T_ANY)
        return "JSON";
    if (t == (ZF_T_INTEGER | ZF_T_STRING))
        return "ID";
    if (t & ZF_T_INTEGER)
        return "INT";
    if (t & ZF_T_BOOLEAN)
        return "BOOL";
    if (t & (ZF_T_OBJECT | ZF_T_ARRAY))
        return "JSON";
    return "TEXT";
}

int zf_action_flag_name(zf_buf *out, const zf_field *f)
{
    zf_buf_puts(out, "--");
    for (const char *c = f->name; *c; c++)
        zf_buf_putc(out, *c == '_' ? '-' : *c);
    return out->failed ? ZF_ENOMEM : 0;
}

const zf_field *zf_action_flag_field(const zf_action *a, const char *flag)
{
    if (!flag)
        return NULL;
    if (flag[0] == '-' && flag[1] == '-')
        flag += 2;
    for (const zf_field *f = a->input; f->name; f++) {
        size_t i = 0;
        while (f->name[i] && (flag[i] == f->name[i] || (flag[i] == '-' && f->name[i] == '_')))
            i++;
        if (!f->name[i] && !flag[i])
            return f;
    }
    return NULL;
}

static int unknown_flag(zf_error *err, const zf_action *a, const char *flag)
{
    zf_buf b = ZF_BUF_INIT(ZF_ERROR_HINT_MAX - 1);
    for (const zf_field *f = a->input; f->name; f++) {
        zf_buf_puts(&b, f == a->input ? "" : ", ");
        zf_buf_puts(&b, f->name);
    }
    zf_error_set(err, ZF_EINVAL, "%s has no flag %s", a->name, flag);
    zf_error_hint_id(err, ZF_HINT_SEE_ACTION_HELP, "its input fields are %s", b.ptr ? b.ptr : "");
    zf_error_hint_arg(err, ZF_HINT_ARG_ACTION, a->name);
    zf_buf_free(&b);
    return ZF_EINVAL;
}

/* A decimal integer: an optional '-' and digits, within int64; 1 and *out,
 * or 0. Stricter than strtoll: no spaces, '+', hex or trailing bytes. */
static int decimal(const char *text, json_int_t *out)
{
    const char *p = text + (text[0] == '-');
    uint64_t mag = 0, limit = text[0] == '-' ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    if (!*p)
        return 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || mag > (limit - (uint64_t)(*p - '0')) / 10)
            return 0;
        mag = mag * 10 + (uint64_t)(*p - '0');
    }
    *out = text[0] == '-' ? (mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(json_int_t)mag)
                          : (json_int_t)mag;
    return 1;
}

int zf_action_flag_bool(const char *text)
{
    static const char *const yes[] = {"true", "yes", "1"}, *const no[] = {"false", "no", "0"};
    for (size_t i = 0; text && i < ZF_NELEM(yes); i++) {
        if (strcasecmp(text, yes[i]) == 0) /* Yes, TRUE: as people type them */
            return 1;
        if (strcasecmp(text, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* Text that starts as JSON would (after blanks): an object, an array, a
 * string, a number or a literal. */
static int looks_like_json(const char *text)
{
    text += strspn(text, " \t\r\n");
    return strchr("{[\"-0123456789", *text) || !strncmp(text, "true", 4) ||
           !strncmp(text, "false", 5) || !strncmp(text, "null", 4);
}

/* A plain word given to a JSON-valued flag (--registrants a@b.c): says
 * what the flag takes, with the shape its members make. */
static void json_shape_error(const zf_field *f, const char *what, const char *text, zf_error *err)
{
    const zf_field *obj = (f->types & ZF_T_ARRAY) && f->items ? f->items : f;
    zf_buf ex = ZF_BUF_INIT(512), names = ZF_BUF_INIT(512);
    int n = 0;
    for (const zf_field *m = obj->fields; m && m->name; m++, n++)
        if (n < 6)
            zf_buf_appendf(&names, "%s%s", n ? ", " : "", m->name);
        else if (n == 6)
            zf_buf_puts(&names, ", ...");
    const char *first = obj->fields && obj->fields[0].name ? obj->fields[0].name : "key";
    if ((f->types & ZF_T_ARRAY) && !(obj->types & ZF_T_OBJECT))
        zf_buf_puts(&ex, "[\"a\", \"b\"]");
    else
        zf_buf_appendf(&ex, "%s{\"%s\": \"...\"}%s", f->types & ZF_T_ARRAY ? "[" : "", first,
                       f->types & ZF_T_ARRAY ? "]" : "");
    zf_error_set(err, ZF_EVALIDATION, "%s takes JSON: %s%s%s%s (got %.60s%s)", what,
                 f->types & ZF_T_ARRAY ? "an array" : "an object",
                 f->types & ZF_T_ARRAY && (obj->types & ZF_T_OBJECT) ? " of objects" : "",
                 names.len ? " with " : "", names.len ? zf_buf_cstr(&names) : "", text,
                 strlen(text) > 60 ? "..." : "");
    if (f->types & ZF_T_ARRAY)
        zf_error_hint_id(err, ZF_HINT_FIX_FIELDS, "for example %s '%s'", what, zf_buf_cstr(&ex));
    else
        zf_error_hint_id(err, ZF_HINT_FIX_FIELDS,
                         "for example %s '%s', or one member at a time: %s.%s VALUE", what,
                         zf_buf_cstr(&ex), what, first);
    zf_buf_free(&ex);
    zf_buf_free(&names);
}

/* The one typing rule of flag text (actions.h). */
int zf_action_flag_value(json_t **out, const zf_field *f, const char *what, const char *text,
                         zf_error *err)
{
    json_int_t n;
    int b;
    *out = NULL;
    if (!f || (f->types & ZF_T_ANY)) {
        /* no descriptor to go by: JSON when the text is JSON, else the text */
        json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
        *out = v ? v : json_string(text);
    } else if ((f->types & (ZF_T_OBJECT | ZF_T_ARRAY)) && !(f->types & ZF_T_STRING)) {
        /* meant as JSON: a syntax error, a duplicate key or an out-of-range
         * number is named here, with its position */
        if (zf_json_parse_value(out, text, strlen(text), ZF_ACTION_FLAG_JSON_MAX, what, err)) {
            if (err && !looks_like_json(text))
                json_shape_error(f, what, text, err);
            return err ? (err->code = ZF_EVALIDATION) : ZF_EVALIDATION;
        }
    } else if ((f->types & ZF_T_INTEGER) && decimal(text, &n) &&
               /* an id with a leading zero stays the text it is */
               (text[0] != '0' || !text[1] || !(f->types & ZF_T_STRING))) {
        *out = json_integer(n);
    } else if ((f->types & ZF_T_BOOLEAN) && (b = zf_action_flag_bool(text)) >= 0) {
        *out = json_boolean(b);
    } else {
        *out = json_string(text);
        if (*out && !(f->types & ZF_T_STRING))
            return 1; /* not the field's type: validation names it with the rest */
    }
    return *out ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
}

/* A boolean word where JSON input holds a field that takes only booleans:
 * the flags' grammar (zf_action_flag_bool) for "yes" or 1 in a file. */
static json_t *bool_word(const zf_field *f, const json_t *v)
{
    int b = -1;
    if (!(f->types & ZF_T_BOOLEAN))
        return NULL;
    if (json_is_string(v) && !(f->types & (ZF_T_STRING | ZF_T_ANY)))
        b = zf_action_flag_bool(json_string_value(v));
    else if (json_is_integer(v) && !(f->types & (ZF_T_INTEGER | ZF_T_ANY)) &&
             (json_integer_value(v) == 0 || json_integer_value(v) == 1))
        b = (int)json_integer_value(v);
    return b < 0 ? NULL : json_boolean(b);
}

static void words_in(json_t *obj, const zf_field *fields);

static void words_at(json_t *parent, const char *key, size_t index, json_t *v, const zf_field *f)
{
    json_t *b = bool_word(f, v);
    if (b) {
        if (key)
            json_object_set_new(parent, key, b);
        else
            json_array_set_new(parent, index, b);
    } else if (json_is_object(v) && f->fields) {
        words_in(v, f->fields);
    } else if (json_is_array(v) && f->items) {
        size_t i;
        json_t *item;
        json_array_foreach (v, i, item)
            words_at(v, NULL, i, item, f->items);
    }
}

static void words_in(json_t *obj, const zf_field *fields)
{
    for (const zf_field *f = fields; f && f->name; f++) {
        json_t *v = json_object_get(obj, f->name);
        if (v)
            words_at(obj, f->name, 0, v, f);
    }
}

void zf_action_input_words(json_t *in, const zf_action *a)
{
    if (json_is_object(in))
        words_in(in, a->input);
}

int zf_action_set_flag(json_t *input, const zf_action *a, const char *flag, const char *text,
                       zf_error *err)
{
    const zf_field *f = zf_action_flag_field(a, flag);
    if (!f)
        return unknown_flag(err, a, flag);
    char what[ZF_ACTION_FLAG_WHAT];
    snprintf(what, sizeof what, "--%s", f->name);
    json_t *v = NULL;
    int rc = zf_action_flag_value(&v, f, what, text, err);
    if (rc == ZF_EVALIDATION)
        return err ? (err->code = ZF_EINVAL) : ZF_EINVAL;
    if (rc < 0)
        return rc;
    if (rc == 1) {
        json_decref(v);
        const char *want = type_word(f->types);
        zf_error_set(err, ZF_EINVAL, "--%s: \"%.200s\" is not %s", f->name, text,
                     strcmp(want, "INT") == 0    ? "an integer"
                     : strcmp(want, "BOOL") == 0 ? "a boolean (true/false, yes/no, 1/0)"
                                                 : "of the field's type");
        zf_error_hint_id(err, ZF_HINT_SEE_ACTION_HELP,
                         "the action's input description gives "
                         "each field's type");
        zf_error_hint_arg(err, ZF_HINT_ARG_ACTION, a->name);
        zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, f->name);
        return ZF_EINVAL;
    }
    return json_object_set_new(input, f->name, v) == 0
               ? 0
               : zf_error_set(err, ZF_ENOMEM, "out of memory");
}

/* "max 200 characters; one of 1, 2; format date; default 2" */
static void constraints(zf_buf *b, const zf_field *f)
{
    const char *sep = "";
#define NEXT() (zf_buf_puts(b, sep), sep = "; ")
    if (f->min_len > 0 && f->max_len > 0)
        NEXT(), zf_buf_appendf(b, "%d to %d characters", f->min_len, f->max_len);
    else if (f->max_len > 0)
        NEXT(), zf_buf_appendf(b, "at most %d characters", f->max_len);
    if ((f->flags & ZF_F_MIN) && (f->flags & ZF_F_MAX))
        NEXT(), zf_buf_appendf(b, "%lld to %lld", (long long)f->min, (long long)f->max);
    else if (f->flags & ZF_F_MIN)
        NEXT(), zf_buf_appendf(b, "at least %lld", (long long)f->min);
    else if (f->flags & ZF_F_MAX)
        NEXT(), zf_buf_appendf(b, "at most %lld", (long long)f->max);
    if (f->enum_str) {
        NEXT(), zf_buf_puts(b, "one of");
        for (const char *const *e = f->enum_str; *e; e++)
            zf_buf_appendf(b, "%s \"%s\"", e == f->enum_str ? "" : ",", *e);
    }
    if (f->n_enum_int) {
        NEXT(), zf_buf_puts(b, "one of");
        for (size_t i = 0; i < f->n_enum_int; i++)
            zf_buf_appendf(b, "%s %lld", i ? "," : "", (long long)f->enum_int[i]);
    }
    if (f->flags & ZF_F_MULTILINE)
        NEXT(), zf_buf_puts(b, "may span lines");
    if (f->format != ZF_FMT_NONE)
        NEXT(), zf_buf_appendf(b, "format %s", zf_schema_format_name(f->format));
    if (f->max_items > 0)
        NEXT(), zf_buf_appendf(b, "at most %d items", f->max_items);
    if (f->default_json)
        NEXT(), zf_buf_appendf(b, "Zoom's default %s", f->default_json);
#undef NEXT
}

static void help_field(zf_buf *b, const zf_field *f)
{
    size_t start = b->len;
    zf_buf_puts(b, "  ");
    zf_action_flag_name(b, f);
    zf_buf_appendf(b, " %s", type_word(f->types));
    while (b->len - start < 30 && !b->failed)
        zf_buf_putc(b, ' ');
    zf_buf_appendf(b, " %s%s", f->flags & ZF_F_REQUIRED ? "(required) " : "", f->summary);
    zf_buf c = ZF_BUF_INIT(8192);
    constraints(&c, f);
    if (c.len)
        zf_buf_appendf(b, " [%s]", c.ptr);
    zf_buf_free(&c);
    if (f->fields && f->fields->name) {
        zf_buf_puts(b, " keys:");
        for (const zf_field *k = f->fields; k->name; k++)
            zf_buf_appendf(b, "%s %s", k == f->fields ? "" : ",", k->name);
    }
    zf_buf_putc(b, '\n');
}

/* What an action prints, one line ending in '\n': its output_doc, else the
 * list or object shape, then the output keys. The one text of --help's and
 * docs/actions.md's "Output:". */
static void output_text(zf_buf *b, const zf_action *a)
{
    if (a->output_doc)
        zf_buf_puts(b, a->output_doc);
    else if (a->items_key && zf_action_flag_field(a, "all"))
        zf_buf_appendf(b,
                       "`{\"%s\": [%s...], \"total_records\", \"next_page_token\"}`"
                       " (the same with `all` or `limit`, which leave no next_page_token)",
                       a->items_key, a->item_type);
    else if (a->items_key)
        zf_buf_appendf(b,
                       "`{\"%s\": [%s...], \"total_records\"}`, every page of "
                       "the whole range",
                       a->items_key, a->item_type);
    else
        zf_buf_appendf(b, "one %s%s", a->item_type,
                       a->reconcile ? " with `created`; when false, `found` (an interrupted "
                                      "attempt's, reconciled) or `existing` (there before)"
                                    : "");
    for (const char *const *k = a->output_keys; k && *k; k++)
        zf_buf_appendf(b, "%s`%s`", k == a->output_keys ? "; keys " : ", ", *k);
    zf_buf_puts(b, a->output_keys || a->output_doc ? "\n" : " (Zoom's answer as is)\n");
}

int zf_action_help(zf_buf *out, const zf_action *a)
{
    zf_buf_appendf(out, "Usage: zoomflow %s [flags]\n\n%s\n\n", a->name, a->summary);
    if (a->method)
        zf_buf_appendf(out, "Zoom call: %s /v2%s\n", a->method, a->path);
    zf_buf_appendf(out, "Scope: %s\n\nFlags (JSON values for objects and arrays):\n",
                   a->scope ? a->scope : "the endpoint's own");
    for (const zf_field *f = a->input; f->name; f++)
        help_field(out, f);
    zf_buf_puts(out, "\nOutput: ");
    output_text(out, a);
    if (a->rules) {
        zf_buf_puts(out, "\nAlso checked:\n");
        for (const char *const *r = a->rules; *r; r++)
            zf_buf_appendf(out, "  - %s\n", *r);
    }
    if (a->notes) {
        zf_buf_puts(out, "\nNotes:\n");
        for (const char *const *n = a->notes; *n; n++)
            zf_buf_appendf(out, "  - %s\n", *n);
    }
    return out->failed ? ZF_ENOMEM : 0;
}

/* ---- docs/actions.md ----------------------------------------------------- */

static void md_escape(zf_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            zf_buf_puts(b, "\\|");
        else
            zf_buf_putc(b, *s);
    }
}

static void md_rows(zf_buf *b, const zf_field *fields, const char *prefix)
{
    static const char *const where[] = {"body", "path", "query", "local"};
    for (const zf_field *f = fields; f->name; f++) {
        zf_buf path = ZF_BUF_INIT(1024);
        zf_buf_appendf(&path, "%s%s", prefix, f->name);
        zf_buf_appendf(b, "| `%s` | %s | %s | %s | ", path.ptr ? path.ptr : "", type_word(f->types),
                       f->flags & ZF_F_REQUIRED ? "yes" : "", *prefix ? "" : where[f->in]);
        zf_buf c = ZF_BUF_INIT(8192);
        constraints(&c, f);
        md_escape(b, c.ptr ? c.ptr : "");
        zf_buf_free(&c);
        zf_buf_puts(b, " | ");
        md_escape(b, f->summary);
        zf_buf_puts(b, " |\n");
        const zf_field *sub = f->fields ? f->fields : f->items ? f->items->fields : NULL;
        if (sub) {
            zf_buf_puts(&path, f->items ? "[]." : ".");
            md_rows(b, sub, path.ptr ? path.ptr : "");
        }
        zf_buf_free(&path);
    }
}

static const char *kind_text(const zf_action *a)
{
    if (a->kind == ZF_ACTION_CREATE)
        return "create (not idempotent; reconciled after an ambiguous failure)";
    if (a->kind == ZF_ACTION_READ)
        return "read";
    if (!a->method)
        return "chosen by the method";
    return a->gone ? "write (retried when the connection drops; a \"not found\" to the retry "
                     "means the dropped attempt already did it)"
                   : "write (retried when the connection drops: applying it again changes "
                     "nothing more)";
}

static void md_action(zf_buf *b, const zf_action *a)
{
    zf_buf_appendf(b, "## %s\n\n%s\n\n", a->name, a->summary);
    if (a->method)
        zf_buf_appendf(b, "* Zoom call: `%s /v2%s`\n", a->method, a->path);
    zf_buf_appendf(b, "* Scope: `%s`", a->scope ? a->scope : "the endpoint's own");
    for (const char *const *c = a->classic_scopes; c && *c; c++)
        zf_buf_appendf(b, "%s`%s`", c == a->classic_scopes ? " (older apps: " : ", ", *c);
    zf_buf_puts(b, a->classic_scopes ? ")\n" : "\n");
    zf_buf_appendf(b, "* Kind: %s\n", kind_text(a));
    zf_buf_puts(b, "* Output: ");
    output_text(b, a);
    if (a->items_key) {
        const char *const *cols = a->columns ? a->columns : a->output_keys;
        for (const char *const *k = cols; k && *k; k++)
            zf_buf_appendf(b, "%s`%s`", k == cols ? "* Table columns: " : ", ", *k);
        if (cols)
            zf_buf_puts(b, " (CSV: every key; the CLI's --columns chooses)\n");
    }
    zf_buf_puts(b, "\n| field | type | required | in | constraints | description |\n"
                   "|---|---|---|---|---|---|\n");
    md_rows(b, a->input, "");
    if (a->rules) {
        zf_buf_puts(b, "\nAlso checked:\n\n");
        for (const char *const *r = a->rules; *r; r++)
            zf_buf_appendf(b, "* %s\n", *r);
    }
    if (a->notes) {
        zf_buf_puts(b, "\nNotes:\n\n");
        for (const char *const *n = a->notes; *n; n++)
            zf_buf_appendf(b, "* %s\n", *n);
    }
    if (a->guide)
        zf_buf_appendf(b, "\n%s", a->guide);
    zf_buf_putc(b, '\n');
}

int zf_actions_markdown(zf_buf *out)
{
    zf_buf_puts(out, "# Actions\n\n"
                     "Generated from the action descriptors (`src/lib/actions/defs/*.c`) by "
                     "`zf_actions_markdown()`; do not edit by hand: run "
                     "`build/test_actions_docs --write` and commit the result.\n\n"
                     "Every problem in an input is reported at once, before any request is "
                     "sent. Fields marked `local` are read by zoomflow, not sent to Zoom.\n\n"
                     "Text is UTF-8 without control characters (U+0000-U+001F, "
                     "U+007F-U+009F), line or paragraph separators (U+2028, U+2029) or "
                     "bidirectional formatting characters (U+061C, U+200E, U+200F, "
                     "U+202A-U+202E, U+2066-U+2069); only fields that say \"may span "
                     "lines\" take TAB, LF and CR.\n\n");
    for (const zf_action *const *a = zf_actions(); *a; a++)
        md_action(out, *a);
    zf_buf_puts(out, "## Formats\n\n| format | accepted values |\n|---|---|\n");
    for (int f = ZF_FMT_NONE + 1; zf_schema_format_name((zf_format)f); f++) {
        zf_buf_appendf(out, "| `%s` | ", zf_schema_format_name((zf_format)f));
        md_escape(out, zf_schema_format_text((zf_format)f));
        zf_buf_puts(out, " |\n");
    }
    zf_buf_puts(out, "\nA meeting UUID that starts with `/` or contains `//` is percent-encoded "
                     "twice in the request path (Zoom's rule); every other path value once. "
                     "Time zones are the IANA ids of the committed list in "
                     "`src/lib/actions/timezones.c`.\n");
    return out->failed ? ZF_ENOMEM : 0;
}
