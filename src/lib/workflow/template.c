/*
 * Templates (workflow.h): compiled once at load, rendered per run.
 *
 * Grammar of what stands between "{{" and "}}":
 *   expr     := ["not"] pipeline [("==" | "!=") pipeline]
 *   pipeline := operand ("|" filter)*
 *   filter   := NAME ["(" operand ("," operand)* ")"]
 *   operand  := path | 'text' | "text" | integer | true | false | null
 *   path     := ROOT ("." NAME | "[" digits "]")*   ROOT: event steps env item
 * Checked at compile time: syntax, filters and their argument counts,
 * roots, steps that do not exist or do not come before, env names.
 * A missing value is "undefined" until a `default` replaces it; anything
 * else meeting it is a render error naming the step, field and place.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "template_internal.h"
#include "text.h"
#include "workflow_internal.h"
#include "zoomflow/buf.h"

#define SEGS_MAX 32
#define FILTERS_MAX 16

static void operand_free(wf_operand *o)
{
    json_decref(o->lit);
    for (size_t i = 0; i < o->nseg; i++)
        free(o->seg[i]);
    free(o->seg);
    free(o->text);
}

static void pipe_free(wf_pipe *p)
{
    operand_free(&p->head);
    for (size_t i = 0; i < p->nf; i++)
        for (size_t j = 0; j < p->f[i].nargs; j++)
            operand_free(&p->f[i].args[j]);
    free(p->f);
}

static void expr_free(wf_expr *e)
{
    if (!e)
        return;
    pipe_free(&e->lhs);
    if (e->cmp)
        pipe_free(&e->rhs);
    free(e->src);
    free(e);
}

void zf_wf_template_free(zf_wf_template *t)
{
    if (!t)
        return;
    json_decref(t->lit);
    for (size_t i = 0; i < t->nparts; i++) {
        free(t->parts[i].text);
        expr_free(t->parts[i].e);
    }
    free(t->parts);
    for (size_t i = 0; i < t->nkids; i++) {
        free(t->keys ? t->keys[i] : NULL);
        zf_wf_template_free(t->kids[i]);
    }
    free(t->keys);
    free(t->kids);
    free(t->path);
    free(t->step);
    free(t->file);
    free(t);
}

int zf_wf_template_is_literal(const zf_wf_template *t)
{
    return t && t->kind == WF_LIT;
}

const json_t *zf_wf_template_literal(const zf_wf_template *t)
{
    return zf_wf_template_is_literal(t) ? t->lit : NULL;
}

/* ---- the scanner ---------------------------------------------------------- */

typedef struct scan {
    const char *s; /* the expression's text */
    size_t i, n;
    const zf_wf_scope *scope;
    zf_wf_problems *p;
    int line, col; /* of s[0] */
    int failed;
} scan;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void
bad(scan *sc, size_t at, const char *hint, const char *fmt, ...)
{
    if (sc->failed)
        return;
    char msg[ZF_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    zf_wf__problem(sc->p, sc->scope->file, sc->line, sc->col + (int)at, hint, "%s", msg);
    sc->failed = 1;
}

static void skip_ws(scan *sc)
{
    while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' || sc->s[sc->i] == '\n' ||
                             sc->s[sc->i] == '\r'))
        sc->i++;
}

static int is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* Out of memory: the scan stops, and no problem is added (bad() is off). */
static void scan_oom(scan *sc)
{
    sc->p->oom = 1;
    sc->failed = 1;
}

/* NULL when no name starts here, or (sc->failed) when memory ran out. */
static char *take_name(scan *sc)
{
    size_t b = sc->i;
    if (sc->i >= sc->n || !is_name_start(sc->s[sc->i]))
        return NULL;
    while (sc->i < sc->n && is_name_char(sc->s[sc->i]))
        sc->i++;
    char *name = strndup(sc->s + b, sc->i - b);
    if (!name)
        scan_oom(sc);
    return name;
}

static int in_list(const char *const *list, const char *s)
{
    for (; list && *list; list++)
        if (!strcmp(*list, s))
            return 1;
    return 0;
}

static int push_seg(wf_operand *o, char *seg)
{
    if (!seg) /* the caller checked the count */
        return -1;
    char **n = realloc(o->seg, (o->nseg + 1) * sizeof *n);
    if (!n) {
        free(seg);
        return -1;
    }
    o->seg = n;
    o->seg[o->nseg++] = seg;
    return 0;
}

/* 'text' or "text", with \\ \' \" \n \t escapes. */
static json_t *quoted(scan *sc)
{
    char q = sc->s[sc->i];
    size_t start = sc->i++;
    zf_buf b = ZF_BUF_INIT(ZF_WF_TEMPLATE_MAX);
    while (sc->i < sc->n && sc->s[sc->i] != q) {
        char c = sc->s[sc->i++];
        if (c == '\\' && sc->i < sc->n) {
            char e = sc->s[sc->i++];
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
        zf_buf_putc(&b, c);
    }
    if (sc->i >= sc->n) {
        zf_buf_free(&b);
        bad(sc, start, "close the quote", "a quoted text is not closed");
        return NULL;
    }
    sc->i++;
    /* the text was checked as UTF-8 and is shorter than the cap: a
     * failure here is memory */
    json_t *v = b.failed ? NULL : json_stringn(b.ptr ? b.ptr : "", b.len);
    zf_buf_free(&b);
    if (!v)
        scan_oom(sc);
    return v;
}

static json_t *number(scan *sc)
{
    size_t b = sc->i, sign = sc->s[sc->i] == '-';
    sc->i += sign;
    while (sc->i < sc->n && sc->s[sc->i] >= '0' && sc->s[sc->i] <= '9')
        sc->i++;
    size_t nd = sc->i - b - sign; /* the digits, not the sign: -18 digits fits too */
    if (nd == 0 || nd > 18) {
        bad(sc, b, "write a whole number of at most 18 digits", "a number is not valid here");
        return NULL;
    }
    char tmp[24];
    int64_t v = 0;
    memcpy(tmp, sc->s + b, sc->i - b);
    tmp[sc->i - b] = '\0';
    zf_parse_i64(tmp, -999999999999999999LL, 999999999999999999LL, &v); /* 18 digits: fits */
    json_t *j = json_integer(v);
    if (!j)
        scan_oom(sc);
    return j;
}

static void check_root(scan *sc, wf_operand *o, size_t at)
{
    const char *root = o->seg[0];
    if (!strcmp(root, "event") || !strcmp(root, "input"))
        return;
    if (!strcmp(root, "item")) {
        if (!sc->scope->has_item)
            bad(sc, at, "use item only in a step with for_each",
                "`item` is only defined inside a for_each step");
        return;
    }
    if (!strcmp(root, "env")) {
        if (o->nseg < 2)
            bad(sc, at, "name the variable: env.NAME", "`env` needs a variable name");
        else if (sc->scope->env_allowed && !in_list(sc->scope->env_allowed, o->seg[1]))
            bad(sc, at, "add the name to the environment names workflows may read",
                "env.%s is not an environment variable workflows may read", o->seg[1]);
        return;
    }
    if (!strcmp(root, "steps")) {
        if (o->nseg < 3 || strcmp(o->seg[2], "output") != 0) {
            bad(sc, at, "write steps.ID.output.FIELD", "a step is read as steps.ID.output");
            return;
        }
        const char *id = o->seg[1];
        if (in_list(sc->scope->steps_before, id))
            return;
        if (sc->scope->step && !strcmp(sc->scope->step, id))
            bad(sc, at, "a step reads only the steps before it",
                "step %s cannot read its own output", id);
        else if (in_list(sc->scope->steps_all, id))
            bad(sc, at, "move the step it reads before this one, or read another step",
                "step %s comes later; a step reads only the steps before it", id);
        else
            bad(sc, at, "check the step ids of the workflow", "there is no step %s", id);
        return;
    }
    bad(sc, at, "start a path with event, steps, env or item",
        "%s is not something a template can read", root);
}

static int operand(scan *sc, wf_operand *o)
{
    skip_ws(sc);
    memset(o, 0, sizeof *o);
    size_t at = sc->i;
    o->col = (int)at;
    if (sc->i >= sc->n) {
        bad(sc, at, "write a value such as event.name", "a value is missing");
        return -1;
    }
    char c = sc->s[sc->i];
    if (c == '\'' || c == '"')
        return (o->lit = quoted(sc)) ? 0 : -1;
    if (c == '-' || (c >= '0' && c <= '9'))
        return (o->lit = number(sc)) ? 0 : -1;
    char *name = take_name(sc);
    if (!name) {
        char ch[2] = {c, 0};
        bad(sc, at, "write a value such as event.name", "unexpected '%s'", ch);
        return -1;
    }
    if (!strcmp(name, "true") || !strcmp(name, "false") || !strcmp(name, "null")) {
        o->lit = !strcmp(name, "null") ? json_null() : json_boolean(name[0] == 't');
        free(name);
        return 0;
    }
    if (push_seg(o, name))
        goto oom;
    while (sc->i < sc->n && (sc->s[sc->i] == '.' || sc->s[sc->i] == '[')) {
        if (o->nseg >= SEGS_MAX) {
            bad(sc, sc->i, "read a shorter path (at most 32 parts)",
                "a path has more than 32 parts");
            return -1;
        }
        if (sc->s[sc->i++] == '.') {
            char *seg = take_name(sc);
            if (!seg) {
                bad(sc, sc->i, "write a field name after '.'", "a field name is missing");
                return -1;
            }
            if (push_seg(o, seg))
                goto oom;
        } else {
            size_t b = sc->i;
            while (sc->i < sc->n && sc->s[sc->i] >= '0' && sc->s[sc->i] <= '9')
                sc->i++;
            if (sc->i == b || sc->i - b > 9 || sc->i >= sc->n || sc->s[sc->i] != ']') {
                bad(sc, b, "write an index as [0]", "an index must be digits in [ ]");
                return -1;
            }
            char *seg = malloc(sc->i - b + 2);
            if (!seg)
                goto oom;
            seg[0] = '[';
            memcpy(seg + 1, sc->s + b, sc->i - b);
            seg[sc->i - b + 1] = '\0';
            sc->i++;
            if (push_seg(o, seg))
                goto oom;
        }
    }
    o->text = strndup(sc->s + at, sc->i - at);
    if (!o->text)
        goto oom;
    check_root(sc, o, at);
    return sc->failed ? -1 : 0;
oom:
    scan_oom(sc);
    return -1;
}

static int filter(scan *sc, wf_filter *f)
{
    skip_ws(sc);
    size_t at = sc->i;
    char *name = take_name(sc);
    memset(f, 0, sizeof *f);
    f->col = (int)at;
    if (!name) {
        bad(sc, at, "name a filter after '|'", "a filter name is missing");
        return -1;
    }
    f->def = zf_wf__filter_find(name);
    if (!f->def) {
        const char *near = zf_wf__filter_nearest(name);
        char hint[128];
        snprintf(hint, sizeof hint,
                 near ? "did you mean %s? (docs/workflows.md lists the filters)"
                      : "docs/workflows.md lists the filters%s",
                 near ? near : "");
        bad(sc, at, hint, "there is no filter %s", name);
        free(name);
        return -1;
    }
    free(name);
    skip_ws(sc);
    size_t given = 0; /* arguments written; those past WF_ARGS_MAX are parsed, then dropped */
    if (sc->i < sc->n && sc->s[sc->i] == '(') {
        sc->i++;
        for (;;) {
            wf_operand extra, *o = f->nargs < WF_ARGS_MAX ? &f->args[f->nargs++] : &extra;
            int rc = operand(sc, o);
            given++;
            if (o == &extra)
                operand_free(&extra);
            if (rc)
                return -1;
            skip_ws(sc);
            if (sc->i < sc->n && sc->s[sc->i] == ',') {
                sc->i++;
                continue;
            }
            if (sc->i < sc->n && sc->s[sc->i] == ')') {
                sc->i++;
                break;
            }
            bad(sc, sc->i, "close the arguments with ')'", "expected ',' or ')'");
            return -1;
        }
    }
    if (given < f->def->min_args || given > f->def->max_args) {
        char what[96];
        snprintf(what, sizeof what, "%s takes %s", f->def->name, f->def->args_text);
        bad(sc, at, "docs/workflows.md lists the filters", "%s", what);
        return -1;
    }
    return 0;
}

static int pipeline(scan *sc, wf_pipe *pp)
{
    memset(pp, 0, sizeof *pp);
    if (operand(sc, &pp->head))
        return -1;
    for (;;) {
        skip_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] != '|')
            return 0;
        sc->i++;
        if (pp->nf >= FILTERS_MAX) {
            bad(sc, sc->i, "split the work over two steps, or drop a filter",
                "more than 16 filters in one template");
            return -1;
        }
        wf_filter *n = realloc(pp->f, (pp->nf + 1) * sizeof *n);
        if (!n) {
            scan_oom(sc);
            return -1;
        }
        pp->f = n;
        if (filter(sc, &pp->f[pp->nf++]))
            return -1;
    }
}

static wf_expr *expression(scan *sc)
{
    wf_expr *e = calloc(1, sizeof *e);
    if (!e) {
        scan_oom(sc);
        return NULL;
    }
    skip_ws(sc);
    if (sc->n - sc->i > 4 && !strncmp(sc->s + sc->i, "not", 3) &&
        (sc->s[sc->i + 3] == ' ' || sc->s[sc->i + 3] == '\t')) {
        e->negate = 1;
        sc->i += 4;
    }
    if (pipeline(sc, &e->lhs))
        goto fail;
    skip_ws(sc);
    if (sc->n - sc->i >= 2 &&
        (!strncmp(sc->s + sc->i, "==", 2) || !strncmp(sc->s + sc->i, "!=", 2))) {
        e->cmp = sc->s[sc->i] == '=' ? 1 : 2;
        sc->i += 2;
        if (pipeline(sc, &e->rhs))
            goto fail;
        skip_ws(sc);
    }
    if (sc->i < sc->n) {
        char ch[2] = {sc->s[sc->i], 0};
        bad(sc, sc->i, "end the template with }}, or join filters with |", "unexpected '%s'", ch);
        goto fail;
    }
    return e;
fail:
    expr_free(e);
    return NULL;
}

/* ---- compiling strings and trees ------------------------------------------ */

/* text is taken (freed on failure); e stays the caller's on failure. */
static int add_part(zf_wf_template *t, char *text, wf_expr *e)
{
    wf_part *n = realloc(t->parts, (t->nparts + 1) * sizeof *n);
    if (!n) {
        free(text);
        return -1;
    }
    t->parts = n;
    t->parts[t->nparts++] = (wf_part){text, e};
    return 0;
}

/* line:col of s[off], s starting at line:col. */
static void place_at(const char *s, size_t off, int line, int col, int *ol, int *oc)
{
    *ol = line;
    *oc = col;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            (*ol)++;
            *oc = 1;
        } else
            (*oc)++;
    }
}

static int compile_text(zf_wf_template *t, const char *s, const zf_wf_scope *scope, int line,
                        int col, zf_wf_problems *p)
{
    size_t n = strlen(s), i = 0;
    zf_buf text = ZF_BUF_INIT(ZF_WF_TEMPLATE_MAX + 1);
    int failed = 0;
    if (n > ZF_WF_TEMPLATE_MAX) {
        zf_wf__problem(p, scope->file, line, col, "split the text",
                       "a template is longer than "
                       "4096 bytes");
        return -1;
    }
    while (i < n && !failed) {
        const char *open = strstr(s + i, "{{");
        const char *stray = strstr(s + i, "}}");
        if (stray && (!open || stray < open)) {
            int l, c;
            place_at(s, (size_t)(stray - s), line, col, &l, &c);
            zf_wf__problem(p, scope->file, l, c, "remove it, or open the template with {{",
                           "'}}' closes no template");
            failed = 1;
            break;
        }
        if (!open) {
            zf_buf_append(&text, s + i, n - i);
            break;
        }
        zf_buf_append(&text, s + i, (size_t)(open - (s + i)));
        const char *close = strstr(open + 2, "}}");
        int l, c;
        place_at(s, (size_t)(open - s), line, col, &l, &c);
        if (!close) {
            zf_wf__problem(p, scope->file, l, c, "close it with }}", "a template is not closed");
            failed = 1;
            break;
        }
        if (text.failed || (text.len && add_part(t, zf_buf_take(&text), NULL))) {
            p->oom = failed = 1;
            break;
        }
        zf_buf_reset(&text);
        /* the expression's own text starts 2 past "{{" */
        scan sc = {.s = open + 2,
                   .n = (size_t)(close - open - 2),
                   .scope = scope,
                   .p = p,
                   .line = l,
                   .col = c + 2};
        wf_expr *e = expression(&sc);
        if (!e) {
            failed = 1;
            break;
        }
        e->line = l;
        e->col = c;
        e->src = strndup(open, (size_t)(close - open + 2));
        if (!e->src || add_part(t, NULL, e)) {
            expr_free(e);
            p->oom = failed = 1;
            break;
        }
        i = (size_t)(close - s) + 2;
    }
    if (!failed && (text.failed || (text.len && add_part(t, zf_buf_take(&text), NULL))))
        p->oom = failed = 1;
    zf_buf_free(&text);
    return failed ? -1 : 0;
}

static zf_wf_template *node_new(int kind, const char *path)
{
    zf_wf_template *t = calloc(1, sizeof *t);
    if (t) {
        t->kind = kind;
        t->path = strdup(path ? path : "");
        if (!t->path) {
            free(t);
            return NULL;
        }
    }
    return t;
}

typedef struct compiler {
    const zf_wf_scope *scope;
    zf_wf_pos_fn pos;
    void *pos_ctx;
    zf_wf_problems *p;
    int failed;
    size_t depth;
} compiler;

static zf_wf_template *compile_node(compiler *c, const json_t *v, const char *path);

static int add_kid(zf_wf_template *t, const char *key, zf_wf_template *kid)
{
    zf_wf_template **k = realloc(t->kids, (t->nkids + 1) * sizeof *k);
    if (!k)
        return -1;
    t->kids = k;
    if (key) {
        char **ks = realloc(t->keys, (t->nkids + 1) * sizeof *ks);
        if (!ks)
            return -1;
        t->keys = ks;
        if (!(t->keys[t->nkids] = strdup(key)))
            return -1;
    }
    t->kids[t->nkids++] = kid;
    return 0;
}

static zf_wf_template *compile_tree(compiler *c, const json_t *v, const char *path)
{
    zf_wf_template *t = node_new(json_is_object(v) ? WF_OBJ : WF_ARR, path);
    if (!t)
        return NULL;
    int any = 0;
    zf_buf kp = ZF_BUF_INIT(1024);
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach ((json_t *)v, k, x) {
            zf_buf_reset(&kp);
            zf_buf_appendf(&kp, "%s%s%s", path, path[0] ? "." : "", k);
            zf_wf_template *kid = compile_node(c, x, kp.failed ? path : kp.ptr);
            if (!kid || add_kid(t, k, kid)) {
                zf_wf_template_free(kid);
                goto fail;
            }
            any |= kid->kind != WF_LIT;
        }
    } else {
        size_t i;
        json_t *x;
        json_array_foreach (v, i, x) {
            zf_buf_reset(&kp);
            zf_buf_appendf(&kp, "%s[%zu]", path, i);
            zf_wf_template *kid = compile_node(c, x, kp.failed ? path : kp.ptr);
            if (!kid || add_kid(t, NULL, kid)) {
                zf_wf_template_free(kid);
                goto fail;
            }
            any |= kid->kind != WF_LIT;
        }
    }
    zf_buf_free(&kp);
    if (!any) { /* nothing to render: keep the literal */
        zf_wf_template *lit = node_new(WF_LIT, path);
        if (lit)
            lit->lit = json_deep_copy(v);
        zf_wf_template_free(t);
        if (lit && !lit->lit) {
            zf_wf_template_free(lit);
            return NULL;
        }
        return lit;
    }
    return t;
fail:
    zf_buf_free(&kp);
    zf_wf_template_free(t);
    return NULL;
}

static zf_wf_template *compile_node(compiler *c, const json_t *v, const char *path)
{
    if (c->depth >= ZF_WF_DEPTH_MAX) { /* a value from a definition file never gets here */
        int line = 0, col = 0;
        if (c->pos)
            c->pos(c->pos_ctx, path, &line, &col);
        zf_wf__problem(c->p, c->scope->file, line, col, "flatten the value",
                       "%s nests more than 32 levels", path[0] ? path : "the value");
        c->failed = 1;
        return node_new(WF_LIT, path); /* a stand-in that keeps the tree whole */
    }
    c->depth++;
    zf_wf_template *t = NULL;
    if (json_is_object(v) || json_is_array(v)) {
        t = compile_tree(c, v, path);
    } else if (json_is_string(v) &&
               (strstr(json_string_value(v), "{{") || strstr(json_string_value(v), "}}"))) {
        int line = 0, col = 0;
        if (c->pos)
            c->pos(c->pos_ctx, path, &line, &col);
        t = node_new(WF_TEXT, path);
        if (t && compile_text(t, json_string_value(v), c->scope, line, col, c->p) != 0) {
            c->failed = 1;
            /* keep the node so the tree stays whole; it never renders */
        }
    } else {
        t = node_new(WF_LIT, path);
        if (t && !(t->lit = json_deep_copy(v))) {
            zf_wf_template_free(t);
            t = NULL;
        }
    }
    c->depth--;
    if (!t)
        c->p->oom = 1;
    return t;
}

static int set_names(zf_wf_template *t, const zf_wf_scope *scope)
{
    t->file = strdup(scope->file ? scope->file : "");
    t->step = strdup(scope->step ? scope->step : "");
    return t->file && t->step ? 0 : -1;
}

int zf_wf__template_compile_all(zf_wf_template **out, const json_t *value, const char *path,
                                const zf_wf_scope *scope, zf_wf_pos_fn pos, void *pos_ctx,
                                zf_wf_problems *p)
{
    *out = NULL;
    compiler c = {.scope = scope, .pos = pos, .pos_ctx = pos_ctx, .p = p};
    zf_wf_template *t = compile_node(&c, value, path ? path : "");
    if (!t || set_names(t, scope)) {
        zf_wf_template_free(t);
        p->oom = 1;
        return ZF_ENOMEM;
    }
    *out = t;
    return c.failed ? ZF_EVALIDATION : 0;
}

int zf_wf_template_compile(zf_wf_template **out, const json_t *value, const char *path,
                           const zf_wf_scope *scope, zf_wf_pos_fn pos, void *pos_ctx,
                           zf_wf_problems *p)
{
    *out = NULL;
    compiler c = {.scope = scope, .pos = pos, .pos_ctx = pos_ctx, .p = p};
    zf_wf_template *t = compile_node(&c, value, path ? path : "");
    if (!t)
        return ZF_ENOMEM;
    if (set_names(t, scope)) {
        zf_wf_template_free(t);
        p->oom = 1;
        return ZF_ENOMEM;
    }
    if (c.failed) {
        zf_wf_template_free(t);
        return ZF_EVALIDATION;
    }
    *out = t;
    return 0;
}

int zf_wf_template_compile_string(zf_wf_template **out, const char *text, const zf_wf_scope *scope,
                                  int line, int col, zf_wf_problems *p)
{
    *out = NULL;
    size_t at;
    if (!zf_csv_utf8_valid(text, strlen(text), &at)) {
        zf_wf__problem(p, scope->file, line, col, "save the text as UTF-8",
                       "a template is not valid UTF-8");
        return ZF_EVALIDATION;
    }
    zf_wf_template *t = node_new(WF_TEXT, "");
    int rc = 0;
    if (!t || set_names(t, scope))
        rc = ZF_ENOMEM;
    else if (compile_text(t, text, scope, line, col, p) != 0)
        rc = p->oom ? ZF_ENOMEM : ZF_EVALIDATION;
    if (rc == ZF_ENOMEM)
        p->oom = 1;
    if (rc) {
        zf_wf_template_free(t);
        return rc;
    }
    if (t->nparts == 0 || (t->nparts == 1 && !t->parts[0].e)) {
        t->kind = WF_LIT;
        t->lit = json_string(t->nparts ? t->parts[0].text : "");
        if (!t->lit) {
            zf_wf_template_free(t);
            p->oom = 1;
            return ZF_ENOMEM;
        }
    }
    *out = t;
    return 0;
}
