/*
 * Building JSON input from the command line: `a.b.c=value` pairs set nested
 * object members (objects made on the way), values either as strings or
 * typed (a JSON literal when the text is one: 12, true, null, [..], {..},
 * "quoted"; otherwise the text as a string). Shared by `api -f/-F` and the
 * dotted flags of the action commands.
 */
#include "cli.h"
#include "input.h"

#include <string.h>

#define KEY_MAX 256

json_t *cli_json_typed(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(text);
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
            rc = zf_error_set(err, ZF_EINVAL, "'%s': every dotted part of a key needs a name "
                              "(1 to %d characters)", dotted, KEY_MAX - 1);
            break;
        }
        memcpy(key, p, n);
        key[n] = '\0';
        if (!dot) {
            json_object_set(cur, key, value);
            break;
        }
        json_t *next = json_object_get(cur, key);
        if (!next) {
            next = json_object();
            json_object_set_new(cur, key, next);
        } else if (!json_is_object(next)) {
            rc = zf_error_set(err, ZF_EINVAL, "'%s': '%s' is already set to a value, so it "
                              "cannot also hold fields", dotted, key);
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
        zf_error_set(err, ZF_EINVAL, "'%s' is not key=value", pair);
        zf_error_hint(err, "write it as name=value, e.g. topic=Standup or settings.jbh_time=5");
        return ZF_EINVAL;
    }
    char key[KEY_MAX * 4];
    size_t n = (size_t)(eq - pair);
    if (n >= sizeof key)
        return zf_error_set(err, ZF_EINVAL, "the key of '%.40s...' is too long", pair);
    memcpy(key, pair, n);
    key[n] = '\0';
    json_t *v = typed ? cli_json_typed(eq + 1) : json_string(eq + 1);
    return cli_json_set_path(root, key, v, err);
}

int cli_report_problems(const char *what, const zf_problems *p)
{
    fprintf(stderr, "zoomflow: invalid input for %s (%zu problem%s%s); nothing was sent:\n",
            what, p->count, p->count == 1 ? "" : "s", p->truncated ? ", more not shown" : "");
    for (size_t i = 0; i < p->count; i++) {
        const zf_problem *x = &p->items[i];
        fprintf(stderr, "  - %s: %s", x->path && x->path[0] ? x->path : "(input)",
                x->message ? x->message : x->rule);
        /* the message already names the position of a fault inside a string */
        if (x->value && x->value[0])
            fprintf(stderr, " (got %s)", x->value);
        fprintf(stderr, " [%s]\n", x->rule);
    }
    fputs("hint: fix every field listed and run it again (--help lists the fields)\n", stderr);
    return 2;
}
