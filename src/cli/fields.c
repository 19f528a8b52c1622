/*
 * gh api's field grammar for -f/-F (see fields.h): a key is cut into
 * segments (the dotted parts of NAME, then each [SUB] or []), then walked
 * from the root, making objects and arrays on the way.
 */
#include "fields.h"

#include <string.h>

#define SEG_MAX 64   /* segments of one key */
#define PART_MAX 256 /* bytes of one segment */

typedef struct seg {
    const char *p;
    size_t n;
    int array; /* "[]" */
} seg;

static int bad_key(zf_error *err, const char *key, const char *why)
{
    zf_error_set(err, ZF_EVALIDATION, "field '%.200s': %s", key, why);
    zf_error_hint(err, "write name=value, a.b=value, name[sub]=value, name[]=value or name[]");
    return ZF_EVALIDATION;
}

int cli_field_split(const char *arg, char *key, size_t cap, const char **value, zf_error *err)
{
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    *value = NULL;
    if (n == 0)
        return bad_key(err, arg, "the key before '=' is empty");
    if (n >= cap)
        return zf_error_set(err, ZF_EVALIDATION,
                            "field '%.40s...': the key is longer than %zu "
                            "bytes",
                            arg, cap - 1);
    memcpy(key, arg, n);
    key[n] = '\0';
    if (eq) {
        *value = eq + 1;
        return 0;
    }
    if (n < 2 || strcmp(key + n - 2, "[]") != 0) {
        zf_error_set(err, ZF_EVALIDATION, "field '%.200s' has no value", arg);
        zf_error_hint(err, "write it as %.200s=VALUE (only name[] stands alone: an empty list)",
                      arg);
        return ZF_EVALIDATION;
    }
    return 0;
}

/* NAME's dotted parts, then the bracket groups. */
static int cut(const char *key, seg *s, size_t *ns, zf_error *err)
{
    size_t n = 0;
    const char *p = key, *open = strchr(key, '[');
    const char *name_end = open ? open : key + strlen(key);
    if (strchr(key, ']') && (!open || strchr(key, ']') < open))
        return bad_key(err, key, "']' without a '[' before it");
    for (;;) {
        const char *dot = memchr(p, '.', (size_t)(name_end - p));
        const char *e = dot ? dot : name_end;
        if (e == p)
            return bad_key(err, key, "every dotted part of the name needs a name");
        if (n == SEG_MAX)
            return bad_key(err, key, "too many parts");
        s[n++] = (seg){p, (size_t)(e - p), 0};
        if (!dot)
            break;
        p = dot + 1;
    }
    for (p = name_end; *p;) {
        if (*p != '[')
            return bad_key(err, key, "only [SUB] or [] may follow a ']'");
        const char *close = strchr(p + 1, ']');
        const char *inner = strchr(p + 1, '[');
        if (!close)
            return bad_key(err, key, "a '[' is not closed");
        if (inner && inner < close)
            return bad_key(err, key, "a '[' inside [..]");
        if (n == SEG_MAX)
            return bad_key(err, key, "too many parts");
        s[n] = (seg){p + 1, (size_t)(close - p - 1), close == p + 1};
        if (s[n].array && n > 0 && s[n - 1].array)
            return bad_key(err, key, "an array of arrays ([][]) cannot be built from fields");
        n++;
        p = close + 1;
    }
    for (size_t i = 0; i < n; i++)
        if (s[i].n >= PART_MAX)
            return bad_key(err, key, "a part is longer than 255 bytes");
    *ns = n;
    return 0;
}

/* holder[name] as an object, made when missing. */
static json_t *child_object(json_t *holder, const char *name, const char *key, zf_error *err)
{
    json_t *v = json_object_get(holder, name);
    if (!v) {
        v = json_object();
        if (!v || json_object_set_new(holder, name, v) != 0) {
            zf_error_set(err, ZF_ENOMEM, "out of memory");
            return NULL;
        }
        return v;
    }
    if (json_is_object(v))
        return v;
    zf_error_set(err, ZF_EVALIDATION,
                 "field '%.200s': '%s' is already %s, so it cannot also "
                 "hold fields",
                 key, name, json_is_array(v) ? "a list" : "set to a value");
    return NULL;
}

/* holder[name] as a list of objects: its last object when that has no sub
 * yet, else a new object appended (gh's rule). */
static json_t *slice_object(json_t *holder, const char *name, const char *sub, const char *key,
                            zf_error *err)
{
    json_t *arr = json_object_get(holder, name);
    if (!arr) {
        arr = json_array();
        if (!arr || json_object_set_new(holder, name, arr) != 0) {
            zf_error_set(err, ZF_ENOMEM, "out of memory");
            return NULL;
        }
    } else if (!json_is_array(arr)) {
        zf_error_set(err, ZF_EVALIDATION, "field '%.200s': '%s' is already %s, not a list", key,
                     name, json_is_object(arr) ? "an object" : "set to a value");
        return NULL;
    }
    size_t len = json_array_size(arr);
    json_t *last = len ? json_array_get(arr, len - 1) : NULL;
    if (json_is_object(last) && !json_object_get(last, sub))
        return last;
    if (last && !json_is_object(last)) {
        zf_error_set(err, ZF_EVALIDATION,
                     "field '%.200s': the list '%s' holds values, not "
                     "objects",
                     key, name);
        return NULL;
    }
    json_t *o = json_object();
    if (!o || json_array_append_new(arr, o) != 0) {
        zf_error_set(err, ZF_ENOMEM, "out of memory");
        return NULL;
    }
    return o;
}

static int put(json_t *root, const char *key, json_t *value, zf_error *err)
{
    seg s[SEG_MAX];
    size_t ns = 0;
    int rc = cut(key, s, &ns, err);
    if (rc)
        return rc;
    json_t *holder = root;
    char name[PART_MAX], sub[PART_MAX];
    memcpy(name, s[0].p, s[0].n);
    name[s[0].n] = '\0';
    int array = 0;
    for (size_t i = 1; i < ns; i++) {
        if (s[i].array) {
            array = 1;
            continue;
        }
        memcpy(sub, s[i].p, s[i].n);
        sub[s[i].n] = '\0';
        if (s[i].n == 0)
            return bad_key(err, key, "empty [..] is only for lists ([])");
        holder = array ? slice_object(holder, name, sub, key, err)
                       : child_object(holder, name, key, err);
        if (!holder)
            return err->code;
        array = 0;
        memcpy(name, sub, s[i].n + 1);
    }
    json_t *cur = json_object_get(holder, name);
    if (array) {
        if (cur && !json_is_array(cur))
            return zf_error_set(err, ZF_EVALIDATION,
                                "field '%.200s': '%s' is already %s, not a "
                                "list",
                                key, name, json_is_object(cur) ? "an object" : "a value");
        if (!value) /* name[]: the empty list, as gh sets it (a list before is emptied) */
            return json_object_set_new(holder, name, json_array())
                       ? zf_error_set(err, ZF_ENOMEM, "out of memory")
                       : 0;
        if (!cur) {
            cur = json_array();
            if (!cur || json_object_set_new(holder, name, cur) != 0)
                return zf_error_set(err, ZF_ENOMEM, "out of memory");
        }
        return json_array_append(cur, value) ? zf_error_set(err, ZF_ENOMEM, "out of memory") : 0;
    }
    if (!value)
        return bad_key(err, key, "needs =VALUE");
    if (json_is_object(cur) || json_is_array(cur))
        return zf_error_set(err, ZF_EVALIDATION,
                            "field '%.200s': '%s' already holds %s; a value "
                            "would replace them",
                            key, name, json_is_object(cur) ? "fields" : "a list");
    return json_object_set(holder, name, value) ? zf_error_set(err, ZF_ENOMEM, "out of memory") : 0;
}

int cli_field_put(json_t *root, const char *key, json_t *value, zf_error *err)
{
    int rc = put(root, key, value, err);
    json_decref(value);
    return rc;
}
