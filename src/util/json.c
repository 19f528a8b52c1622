/*
 * JSON helpers. Guarantees: zf_json_parse never hands jansson more than
 * `max` bytes and never accepts trailing garbage, duplicate keys or NUL in
 * strings; every failure leaves *out NULL and a message that names the
 * input (or the field) and what was wrong: a duplicate key or a number out
 * of range (which jansson refuses as it parses) is named by its path, not
 * called invalid JSON.
 */
#include "zoomflow/json.h"

#include <stdbool.h>
#include <string.h>

#include "json_scan.h"

/* Appends the member key token k to path ("a" + "b" -> "a.b"), control
 * bytes escaped so a message cannot carry them to a terminal. */
static void path_key(zf_buf *path, zf_jspan k)
{
    char key[96];
    size_t n = zf_json_scan_str(k, key, sizeof key);
    if (path->len)
        zf_buf_putc(path, '.');
    for (size_t i = 0; i < n && i < sizeof key - 1; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x20 || c == 0x7f)
            zf_buf_appendf(path, "\\u%04x", c);
        else
            zf_buf_putc(path, (char)c);
    }
    if (n >= sizeof key)
        zf_buf_puts(path, "...");
}

static int holds(zf_jspan v, const char *at)
{
    return at >= v.p && at < v.p + v.n;
}

/* Names where byte offset at falls in a document that is valid but for
 * what jansson refused (a duplicate key, a number out of range): the path
 * of the innermost member or element holding it ("settings.jbh_time",
 * "items[2]"; "" for the top level) and, in *tok, the innermost token (the
 * key itself when at falls in one). false when the bytes do not validate:
 * some other error follows, and jansson's own message is all there is. */
static bool locate(const char *data, size_t len, size_t at, zf_buf *path, zf_jspan *tok)
{
    zf_jspan v;
    if (zf_json_scan_validate(data, len, &v, NULL, NULL) != 0)
        return false;
    const char *t = data + at;
    for (int descended = 1; descended;) {
        zf_jiter it;
        zf_jspan k, m;
        descended = 0;
        if (zf_json_scan_members(&it, v) == 0) {
            while (!descended && zf_json_scan_next_member(&it, &k, &m) == 1) {
                if (!holds(k, t) && !holds(m, t))
                    continue;
                path_key(path, k);
                if (holds(k, t)) {
                    *tok = k;
                    return true;
                }
                v = m;
                descended = 1;
            }
        } else if (zf_json_scan_elements(&it, v) == 0) {
            for (size_t i = 0; !descended && zf_json_scan_next_element(&it, &m) == 1; i++) {
                if (holds(m, t)) {
                    zf_buf_appendf(path, "[%zu]", i);
                    v = m;
                    descended = 1;
                }
            }
        }
    }
    *tok = v;
    return true;
}

/* A duplicate key or an out-of-range number, said with the path of the
 * field; ZF_EPARSE, or 0 when locate cannot tell (the caller then reports
 * jansson's text). */
static int refine(const char *data, size_t len, const char *what, const json_error_t *je,
                  zf_error *err)
{
    enum json_error_code code = json_error_code(je);
    if ((code != json_error_duplicate_key && code != json_error_numeric_overflow) ||
        je->position <= 0 || (size_t)je->position > len)
        return 0;
    zf_buf path = ZF_BUF_INIT(512);
    zf_jspan tok;
    int rc = 0;
    if (!locate(data, len, (size_t)je->position - 1, &path, &tok))
        goto done;
    const char *where = path.len ? zf_buf_cstr(&path) : "(top level)";
    if (code == json_error_duplicate_key) {
        rc = zf_error_set(err, ZF_EPARSE,
                          "%s: duplicate key %s (line %d, column %d): a key "
                          "may appear only once in an object",
                          what, where, je->line, je->column);
        zf_error_hint_id(err, ZF_HINT_FIX_FIELDS,
                         "remove one of the two members; JSON "
                         "readers disagree on which one wins, so neither is taken");
        goto done;
    }
    int integer = tok.n && !memchr(tok.p, '.', tok.n) && !memchr(tok.p, 'e', tok.n) &&
                  !memchr(tok.p, 'E', tok.n);
    rc = zf_error_set(err, ZF_EPARSE,
                      "%s: field %s: number %.*s%s is out of range (line %d, "
                      "column %d): %s",
                      what, where, (int)(tok.n > 40 ? 40 : tok.n), tok.p, tok.n > 40 ? "..." : "",
                      je->line, je->column,
                      integer ? "integers must be within -9223372036854775808.."
                                "9223372036854775807"
                              : "numbers must be within +-1.7976931348623157e308");
    zf_error_hint_id(err, ZF_HINT_FIX_FIELDS, "write the number within the range its field allows");
done:
    zf_buf_free(&path);
    return rc;
}

static int parse(json_t **out, const void *data, size_t len, size_t max, const char *what,
                 size_t flags, zf_error *err)
{
    if (!out)
        return zf_error_set(err, ZF_EINVAL, "zf_json_parse: output needed");
    *out = NULL;
    what = what ? what : "JSON input";
    if (len > max)
        return zf_error_set(err, ZF_ETOOBIG, "%s is %zu bytes; the limit is %zu bytes", what, len,
                            max);
    if (!data || len == 0)
        return zf_error_set(err, ZF_EPARSE, "%s is empty; expected a JSON %s", what,
                            (flags & JSON_DECODE_ANY) ? "value" : "object or array");
    json_error_t je;
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES | flags, &je);
    if (!j) {
        int rc = refine(data, len, what, &je, err);
        return rc ? rc
                  : zf_error_set(err, ZF_EPARSE,
                                 "%s: invalid JSON at line %d, column %d: "
                                 "%s",
                                 what, je.line, je.column, je.text);
    }
    *out = j;
    return 0;
}

int zf_json_parse(json_t **out, const void *data, size_t len, size_t max, const char *what,
                  zf_error *err)
{
    return parse(out, data, len, max, what, 0, err);
}

int zf_json_parse_value(json_t **out, const void *data, size_t len, size_t max, const char *what,
                        zf_error *err)
{
    return parse(out, data, len, max, what, JSON_DECODE_ANY, err);
}

const char *zf_json_type_name(const json_t *j)
{
    switch (j ? json_typeof(j) : JSON_NULL) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "real";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "unknown";
}

/* The field's value when it has the wanted type; otherwise an error (or, for
 * optional fields, NULL with *absent set when it is missing or null). */
static json_t *field(const json_t *obj, const char *name, json_type want, int optional, int *absent,
                     zf_error *err, int *rc)
{
    static const char *const want_names[] = {"object", "array",   "string",  "integer",
                                             "real",   "boolean", "boolean", "null"};
    *rc = 0;
    *absent = 0;
    if (!json_is_object(obj)) {
        *rc = zf_error_set(err, ZF_EPARSE, "field %s: expected an object around it, got %s", name,
                           zf_json_type_name(obj));
        return NULL;
    }
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v)) {
        *absent = 1;
        if (!optional)
            *rc = zf_error_set(err, ZF_EPARSE, "field %s: missing (expected %s)", name,
                               want_names[want]);
        return NULL;
    }
    int ok = want == JSON_TRUE ? json_is_boolean(v) : json_typeof(v) == want;
    if (!ok) {
        *rc = zf_error_set(err, ZF_EPARSE, "field %s: expected %s, got %s", name, want_names[want],
                           zf_json_type_name(v));
        return NULL;
    }
    return v;
}

static int get_str(const json_t *o, const char *f, const char **out, const char *dflt, int opt,
                   zf_error *err)
{
    int rc, absent;
    json_t *v = field(o, f, JSON_STRING, opt, &absent, err, &rc);
    *out = v ? json_string_value(v) : dflt;
    return rc;
}

static int get_int(const json_t *o, const char *f, int64_t *out, int64_t dflt, int opt,
                   zf_error *err)
{
    int rc, absent;
    json_t *v = field(o, f, JSON_INTEGER, opt, &absent, err, &rc);
    *out = v ? (int64_t)json_integer_value(v) : dflt;
    return rc;
}

static int get_bool(const json_t *o, const char *f, int *out, int dflt, int opt, zf_error *err)
{
    int rc, absent;
    json_t *v = field(o, f, JSON_TRUE, opt, &absent, err, &rc);
    *out = v ? json_is_true(v) : dflt;
    return rc;
}

static int get_node(const json_t *o, const char *f, json_type t, json_t **out, int opt,
                    zf_error *err)
{
    int rc, absent;
    *out = field(o, f, t, opt, &absent, err, &rc);
    return rc;
}

int zf_json_get_str(const json_t *obj, const char *f, const char **out, zf_error *err)
{
    return get_str(obj, f, out, NULL, 0, err);
}

int zf_json_get_int(const json_t *obj, const char *f, int64_t *out, zf_error *err)
{
    return get_int(obj, f, out, 0, 0, err);
}

int zf_json_get_bool(const json_t *obj, const char *f, int *out, zf_error *err)
{
    return get_bool(obj, f, out, 0, 0, err);
}

int zf_json_get_obj(const json_t *obj, const char *f, json_t **out, zf_error *err)
{
    return get_node(obj, f, JSON_OBJECT, out, 0, err);
}

int zf_json_get_arr(const json_t *obj, const char *f, json_t **out, zf_error *err)
{
    return get_node(obj, f, JSON_ARRAY, out, 0, err);
}

int zf_json_opt_str(const json_t *obj, const char *f, const char **out, const char *dflt,
                    zf_error *err)
{
    return get_str(obj, f, out, dflt, 1, err);
}

int zf_json_opt_int(const json_t *obj, const char *f, int64_t *out, int64_t dflt, zf_error *err)
{
    return get_int(obj, f, out, dflt, 1, err);
}

int zf_json_opt_bool(const json_t *obj, const char *f, int *out, int dflt, zf_error *err)
{
    return get_bool(obj, f, out, dflt, 1, err);
}

int zf_json_opt_obj(const json_t *obj, const char *f, json_t **out, zf_error *err)
{
    return get_node(obj, f, JSON_OBJECT, out, 1, err);
}

int zf_json_opt_arr(const json_t *obj, const char *f, json_t **out, zf_error *err)
{
    return get_node(obj, f, JSON_ARRAY, out, 1, err);
}

static int dump_cb(const char *data, size_t n, void *ctx)
{
    return zf_buf_append(ctx, data, n);
}

int zf_json_dump(const json_t *j, zf_buf *out, zf_error *err)
{
    if (!j)
        return zf_error_set(err, ZF_EINVAL, "nothing to serialise (NULL JSON value)");
    if (json_dump_callback(j, dump_cb, out, JSON_COMPACT | JSON_ENCODE_ANY) != 0 || out->failed)
        return zf_error_set(err, ZF_ETOOBIG, "JSON output exceeds its %zu-byte limit", out->max);
    return 0;
}
