/*
 * Numbers given by the user (cli_parse_int): one strict, bounded parser for
 * every numeric setting and flag, so "abc", "-5" or "0.001" is an error
 * naming the setting instead of a silent 0 or a clamped value.
 *
 * Building JSON input from the command line: `a.b.c=value` pairs set nested
 * object members (objects made on the way), values either as strings or
 * typed by the library's flag rule for text without a description
 * (zf_action_flag_value: a JSON literal when the text is one: 12, true,
 * null, [..], {..}, "quoted"; otherwise the text as a string). Shared by
 * `api -f/-F` and the dotted flags of the action commands.
 */
#include "cli.h"
#include "input.h"

#include <limits.h>
#include <string.h>

#define KEY_MAX 256
#define SHOW_MAX 64 /* bytes of a refused value shown in messages */

int cli_parse_int(const char *text, size_t len, long long min, long long max, long long *out)
{
    size_t i = 0;
    int neg = len > 0 && text[0] == '-';
    unsigned long long mag = 0, limit;
    i = (size_t)neg;
    if (i == len || len - i > 19)
        return ZF_EVALIDATION;
    for (; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return ZF_EVALIDATION;
        mag = mag * 10 + (unsigned)(text[i] - '0'); /* 19 digits fit in 64 bits */
    }
    limit = neg ? (unsigned long long)LLONG_MAX + 1u : (unsigned long long)LLONG_MAX;
    if (mag > limit)
        return ZF_EVALIDATION;
    long long v = neg ? (mag == limit ? LLONG_MIN : -(long long)mag) : (long long)mag;
    if (v < min || v > max)
        return ZF_EVALIDATION;
    *out = v;
    return 0;
}

int cli_number(long long *out, const char *what, const char *text, size_t len, long long min,
               long long max, const char *unit, zf_error *err)
{
    if (cli_parse_int(text, len, min, max, out) == 0)
        return 0;
    return zf_error_set(err, ZF_EVALIDATION,
                        "%s: '%.*s%s' is not a whole number of %s from "
                        "%lld to %lld",
                        what, (int)(len > SHOW_MAX ? SHOW_MAX : len), text,
                        len > SHOW_MAX ? "..." : "", unit, min, max);
}

void cli_json_merge(json_t *dst, const json_t *over)
{
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)over, key, v) {
        json_t *cur = json_object_get(dst, key);
        if (json_is_object(cur) && json_is_object(v))
            json_object_update_recursive(cur, v);
        else
            json_object_set(dst, key, v);
    }
}

int cli_json_set_path(json_t *root, const char *dotted, json_t *value, zf_error *err)
{
    json_t *cur = root;
    const char *p = dotted;
    int rc = 0;
    if (!value)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char key[KEY_MAX];
        if (n == 0 || n >= sizeof key) {
            rc = zf_error_set(err, ZF_EVALIDATION,
                              "'%s': every dotted part of a key needs a name "
                              "(1 to %d characters)",
                              dotted, KEY_MAX - 1);
            break;
        }
        memcpy(key, p, n);
        key[n] = '\0';
        if (!dot) {
            json_t *had = json_object_get(cur, key);
            if (json_is_object(had) && json_is_object(value))
                json_object_update_recursive(had, value); /* merged, as flags merge */
            else
                json_object_set(cur, key, value);
            break;
        }
        json_t *next = json_object_get(cur, key);
        if (!next) {
            next = json_object();
            json_object_set_new(cur, key, next);
        } else if (!json_is_object(next)) {
            rc = zf_error_set(err, ZF_EVALIDATION,
                              "'%s': '%s' is already set to a value, so it "
                              "cannot also hold fields",
                              dotted, key);
            break;
        }
        cur = next;
        p = dot + 1;
    }
    json_decref(value);
    return rc;
}

int cli_json_set_pair(json_t *root, const char *pair, int typed, zf_error *err)
{
    const char *eq = strchr(pair, '=');
    if (!eq || eq == pair) {
        zf_error_set(err, ZF_EVALIDATION, "'%s' is not key=value", pair);
        zf_error_hint(err, "write it as name=value, e.g. topic=Standup or settings.jbh_time=5");
        return ZF_EVALIDATION;
    }
    char key[KEY_MAX * 4];
    size_t n = (size_t)(eq - pair);
    if (n >= sizeof key)
        return zf_error_set(err, ZF_EVALIDATION, "the key of '%.40s...' is too long", pair);
    memcpy(key, pair, n);
    key[n] = '\0';
    json_t *v = NULL;
    int rc = 0;
    if (!typed)
        v = json_string(eq + 1);
    else if ((rc = zf_action_flag_value(&v, NULL, key, eq + 1, err)) < 0)
        return rc;
    return cli_json_set_path(root, key, v, err);
}

int cli_report_problems(const char *what, const zf_problems *p)
{
    return cli_report_problems_with(what, p, NULL, NULL);
}

int cli_report_problems_with(const char *what, const zf_problems *p, cli_problem_note note,
                             void *ctx)
{
    fprintf(stderr, "zoomflow: invalid input for %s (%zu problem%s%s); nothing was sent:\n", what,
            p->count, p->count == 1 ? "" : "s", p->truncated ? ", more not shown" : "");
    for (size_t i = 0; i < p->count; i++) {
        const zf_problem *x = &p->items[i];
        fprintf(stderr, "  - %s: %s", x->path && x->path[0] ? x->path : "(input)",
                x->message ? x->message : x->rule);
        /* the message already names the position of a fault inside a string */
        if (x->value && x->value[0])
            fprintf(stderr, " (got %s)", x->value);
        fprintf(stderr, " [%s]\n", x->rule);
        if (note)
            note(ctx, x, stderr);
    }
    fputs("hint: fix every field listed and run it again (--help lists the fields)\n", stderr);
    return 2;
}
