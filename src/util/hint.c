/*
 * Hint ids (ZF_HINT_MAP) and the one template walk every surface shares
 * (in util beside error.c, which fills in an id's words):
 * a surface is a table of zf_hint_row plus a resolver for the arguments.
 */
#include "zoomflow/hint.h"

#include <string.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"

const char *zf_hint_name(int id)
{
    switch (id) {
#define ZF_X_HINT_NAME(name, num, args, words)                                                     \
    case num:                                                                                      \
        return #name;
        ZF_HINT_MAP(ZF_X_HINT_NAME)
#undef ZF_X_HINT_NAME
    }
    return NULL;
}

const char *zf_hint_words(int id)
{
    switch (id) {
#define ZF_X_HINT_WORDS(name, num, args, words)                                                    \
    case num:                                                                                      \
        return words;
        ZF_HINT_MAP(ZF_X_HINT_WORDS)
#undef ZF_X_HINT_WORDS
    }
    return NULL;
}

unsigned zf_hint_args(int id)
{
    switch (id) {
#define ZF_X_HINT_ARGS(name, num, args, words)                                                     \
    case num:                                                                                      \
        return args;
        ZF_HINT_MAP(ZF_X_HINT_ARGS)
#undef ZF_X_HINT_ARGS
    }
    return 0;
}

const int *zf_hint_ids(void)
{
    static const int ids[] = {
#define ZF_X_HINT_ID(name, num, args, words) num,
        ZF_HINT_MAP(ZF_X_HINT_ID)
#undef ZF_X_HINT_ID
        - 1};
    return ids;
}

const zf_hint_row *zf_hint_row_find(const zf_hint_row *table, int id)
{
    for (const zf_hint_row *r = table; r && r->id != ZF_HINT_NONE; r++)
        if (r->id == id)
            return r;
    return NULL;
}

#define FIXED_MAX 128

/* The placeholder at p: "{connection}", or "{action:list_users}" naming
 * the value itself (copied to fixed). Its length, 0 when p is not one. */
static int placeholder(const char *p, zf_hint_arg *which, char fixed[FIXED_MAX], int *has)
{
    static const struct {
        const char *name;
        zf_hint_arg arg;
    } names[] = {{"connection", ZF_HINT_ARG_CONNECTION},
                 {"action", ZF_HINT_ARG_ACTION},
                 {"field", ZF_HINT_ARG_FIELD},
                 {"value", ZF_HINT_ARG_VALUE}};
    const char *end = strchr(p, '}');
    for (size_t i = 0; end && i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i].name);
        if (strncmp(p + 1, names[i].name, n) != 0 || (p[1 + n] != '}' && p[1 + n] != ':'))
            continue;
        const char *lit = p + 1 + n + 1;
        *has = p[1 + n] == ':';
        if (*has && (size_t)(end - lit) >= FIXED_MAX)
            return 0;
        if (*has) {
            memcpy(fixed, lit, (size_t)(end - lit));
            fixed[end - lit] = '\0';
        }
        *which = names[i].arg;
        return (int)(end - p + 1);
    }
    return 0;
}

int zf_hint_render(zf_buf *out, const zf_hint_row *table, const zf_error *err,
                   zf_hint_resolve_fn resolve, void *ctx)
{
    const zf_hint_row *row = err ? zf_hint_row_find(table, err->hint_id) : NULL;
    if (!row || !row->how)
        return 0;
    zf_buf b = ZF_BUF_INIT(out->max);
    int ok = 1;
    for (const char *p = row->how; *p && ok;) {
        zf_hint_arg which;
        char fixed[FIXED_MAX];
        int has_fixed = 0;
        int n = *p == '{' ? placeholder(p, &which, fixed, &has_fixed) : 0;
        if (!n) {
            zf_buf_putc(&b, *p++);
            continue;
        }
        const char *v = has_fixed ? fixed : err->hint_arg[which];
        ok = resolve ? resolve(ctx, which, v, &b) == 0 : (zf_buf_puts(&b, v), *v != '\0');
        p += n;
    }
    int rc = 0;
    if (ok && b.failed)
        rc = ZF_ENOMEM;
    else if (ok && (zf_buf_puts(out, zf_buf_cstr(&b)) != 0 || out->failed))
        rc = ZF_ENOMEM;
    else if (ok)
        rc = 1;
    zf_buf_free(&b);
    return rc;
}
