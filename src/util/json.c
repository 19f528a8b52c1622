/*
 * JSON helpers. Guarantees: zf_json_parse never hands jansson more than
 * `max` bytes and never accepts trailing garbage, duplicate keys or NUL in
 * strings; every failure leaves *out NULL and a message that names the
 * input (or the field) and what was wrong.
 */
#include "zoomflow/json.h"

#include <string.h>

int zf_json_parse(json_t **out, const void *data, size_t len, size_t max, const char *what,
                  zf_error *err)
{
    if (!out)
        return zf_error_set(err, ZF_EINVAL, "zf_json_parse: output needed");
    *out = NULL;
    what = what ? what : "JSON input";
    if (len > max)
        return zf_error_set(err, ZF_ETOOBIG, "%s is %zu bytes; the limit is %zu bytes", what,
                            len, max);
    if (!data || len == 0)
        return zf_error_set(err, ZF_EPARSE, "%s is empty; expected a JSON object or array",
                            what);
    json_error_t je;
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return zf_error_set(err, ZF_EPARSE, "%s: invalid JSON at line %d, column %d: %s", what,
                            je.line, je.column, je.text);
    *out = j;
    return 0;
}

const char *zf_json_type_name(const json_t *j)
{
    switch (j ? json_typeof(j) : JSON_NULL) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "real";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

/* The field's value when it has the wanted type; otherwise an error (or, for
 * optional fields, NULL with *absent set when it is missing or null). */
static json_t *field(const json_t *obj, const char *name, json_type want, int optional,
                     int *absent, zf_error *err, int *rc)
{
    static const char *const want_names[] = {"object", "array",   "string", "integer",
                                             "real",   "boolean", "boolean", "null"};
    *rc = 0;
    *absent = 0;
    if (!json_is_object(obj)) {
        *rc = zf_error_set(err, ZF_EPARSE, "field %s: expected an object around it, got %s",
                           name, zf_json_type_name(obj));
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
        *rc = zf_error_set(err, ZF_EPARSE, "field %s: expected %s, got %s", name,
                           want_names[want], zf_json_type_name(v));
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
        return zf_error_set(err, ZF_ETOOBIG, "JSON output exceeds its %zu-byte limit",
                            out->max);
    return 0;
}
