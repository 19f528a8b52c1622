/*
 * Rendering a compiled template against a run's context (workflow.h). A
 * string that is exactly one template keeps its value's JSON type; text
 * around templates makes a string. Every failure names the step, the
 * field's path and the template's file:line:col.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_internal.h"
#include "text.h"
#include "workflow_internal.h"
#include "zoomflow/buf.h"

typedef struct rctx {
    const json_t *ctx;
    const zf_wf_template *root;
    const zf_wf_template *node;
    zf_error *err;
} rctx;

static int fail_at(rctx *r, const wf_expr *e, int hint, const char *msg)
{
    const char *step = r->root->step && r->root->step[0] ? r->root->step : NULL;
    zf_error_set(r->err, ZF_EVALIDATION, "%s%s%s%s%s (%s:%d:%d): %s", step ? "step " : "",
                 step ? step : "", step && r->node->path[0] ? ", " : "", r->node->path,
                 !step && !r->node->path[0] ? "template" : "", r->root->file, e ? e->line : 0,
                 e ? e->col : 0, msg);
    zf_error_hint_id(r->err, hint, NULL);
    zf_error_hint_arg(r->err, ZF_HINT_ARG_VALUE, e ? e->src : NULL);
    return ZF_EVALIDATION;
}

static const json_t *root_of(const json_t *ctx, const char *name)
{
    if (!strcmp(name, "input"))
        name = "event";
    return json_object_get(ctx, name);
}

static void eval_operand(const rctx *r, const wf_operand *o, wf_val *out)
{
    out->v = NULL;
    out->missing = NULL;
    if (o->lit) {
        out->v = json_incref(o->lit);
        return;
    }
    const json_t *at = root_of(r->ctx, o->seg[0]);
    for (size_t i = 1; at && i < o->nseg; i++) {
        uint64_t k = 0;
        if (o->seg[i][0] == '[') /* "[digits" (the compiler made it) */
            at = json_is_array(at) && zf_parse_u64(o->seg[i] + 1, SIZE_MAX, &k) == 0
                     ? json_array_get(at, (size_t)k)
                     : NULL;
        else
            at = json_is_object(at) ? json_object_get(at, o->seg[i]) : NULL;
    }
    if (at)
        out->v = json_incref((json_t *)at);
    else
        out->missing = o->text;
}

static int missing(rctx *r, const wf_expr *e, const char *what)
{
    char msg[ZF_ERROR_MSG_MAX];
    snprintf(msg, sizeof msg,
             "%s is missing from the run's data (add `| default(...)` to allow that)", what);
    return fail_at(r, e, ZF_HINT_CHECK_RUN_DATA, msg);
}

static int eval_pipe(rctx *r, const wf_expr *e, const wf_pipe *p, wf_val *out)
{
    eval_operand(r, &p->head, out);
    for (size_t i = 0; i < p->nf; i++) {
        const wf_filter *f = &p->f[i];
        if (!out->v && !f->def->takes_undefined)
            return missing(r, e, out->missing);
        json_t *args[WF_ARGS_MAX] = {0};
        int rc = 0;
        for (size_t j = 0; j < f->nargs && !rc; j++) {
            wf_val a;
            eval_operand(r, &f->args[j], &a);
            if (!a.v)
                rc = missing(r, e, a.missing);
            args[j] = a.v;
        }
        char msg[ZF_ERROR_MSG_MAX] = "";
        if (!rc) {
            wf_val in = *out;
            out->v = NULL;
            int frc = f->def->fn(out, &in, args, f->nargs, msg, sizeof msg);
            json_decref(in.v); /* what the filter did not consume */
            if (frc == ZF_ENOMEM)
                rc = zf_error_set(r->err, ZF_ENOMEM, "out of memory rendering a template");
            else if (frc != 0) {
                char full[ZF_ERROR_MSG_MAX + 64];
                snprintf(full, sizeof full, "filter %s: %s", f->def->name, msg);
                rc = fail_at(r, e, ZF_HINT_CHECK_RUN_DATA, full);
            }
        }
        for (size_t j = 0; j < f->nargs; j++)
            json_decref(args[j]);
        if (rc) {
            json_decref(out->v);
            out->v = NULL;
            return rc;
        }
    }
    return 0;
}

static int eval_expr(rctx *r, const wf_expr *e, json_t **out)
{
    wf_val a;
    *out = NULL;
    int rc = eval_pipe(r, e, &e->lhs, &a);
    if (rc)
        return rc;
    if (!a.v)
        return missing(r, e, a.missing);
    if (e->cmp) {
        wf_val b;
        if ((rc = eval_pipe(r, e, &e->rhs, &b)) != 0) {
            json_decref(a.v);
            return rc;
        }
        if (!b.v) {
            json_decref(a.v);
            return missing(r, e, b.missing);
        }
        int eq = json_equal(a.v, b.v);
        json_decref(a.v);
        json_decref(b.v);
        a.v = json_boolean(e->cmp == 1 ? eq : !eq);
    }
    if (e->negate) {
        int t = zf_wf_truthy(a.v);
        json_decref(a.v);
        a.v = json_boolean(!t);
    }
    *out = a.v;
    return a.v ? 0 : zf_error_set(r->err, ZF_ENOMEM, "out of memory rendering a template");
}

int zf_wf_truthy(const json_t *v)
{
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE:
        return 0;
    case JSON_STRING:
        return json_string_length(v) && strcmp(json_string_value(v), "false") != 0;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    case JSON_ARRAY:
        return json_array_size(v) != 0;
    case JSON_OBJECT:
        return json_object_size(v) != 0;
    default:
        return 1;
    }
}

/* Appends v as text; the bytes it meant to append (0 when memory ran out
 * before it knew), so a failed buffer tells the cap from memory. */
static size_t text_of(zf_buf *b, const json_t *v)
{
    if (json_is_string(v)) {
        zf_buf_append(b, json_string_value(v), json_string_length(v));
        return json_string_length(v);
    }
    if (json_is_null(v))
        return 0;
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    size_t n = s ? strlen(s) : 0;
    if (s)
        zf_buf_puts(b, s);
    else
        b->failed = 1;
    free(s);
    return n;
}

/* The first expression of a text, for the place of its errors. */
static const wf_expr *first_expr(const zf_wf_template *t)
{
    for (size_t i = 0; i < t->nparts; i++)
        if (t->parts[i].e)
            return t->parts[i].e;
    return NULL;
}

static int render_text(rctx *r, const zf_wf_template *t, json_t **out)
{
    if (t->nparts == 1 && t->parts[0].e)
        return eval_expr(r, t->parts[0].e, out);
    zf_buf b = ZF_BUF_INIT(ZF_WF_RENDER_MAX);
    size_t need = 0; /* the bytes the text would take */
    for (size_t i = 0; i < t->nparts; i++) {
        if (t->parts[i].text) {
            zf_buf_puts(&b, t->parts[i].text);
            need += strlen(t->parts[i].text);
            continue;
        }
        json_t *v;
        int rc = eval_expr(r, t->parts[i].e, &v);
        if (rc) {
            zf_buf_free(&b);
            return rc;
        }
        need += text_of(&b, v);
        json_decref(v);
    }
    if (b.failed && need > ZF_WF_RENDER_MAX) {
        zf_buf_free(&b);
        return fail_at(r, first_expr(t), ZF_HINT_FIX_WORKFLOW,
                       "the rendered text is larger than 1 MiB");
    }
    /* every piece is valid UTF-8 (checked templates, jansson's strings):
     * what fails now is memory */
    *out = b.failed ? NULL : json_stringn(b.ptr ? b.ptr : "", b.len);
    zf_buf_free(&b);
    if (!*out)
        return zf_error_set(r->err, ZF_ENOMEM, "out of memory rendering a template");
    return 0;
}

static int render_node(rctx *r, const zf_wf_template *t, json_t **out)
{
    *out = NULL;
    r->node = t;
    if (t->kind == WF_LIT) {
        *out = json_deep_copy(t->lit);
        return *out ? 0 : zf_error_set(r->err, ZF_ENOMEM, "out of memory rendering a template");
    }
    if (t->kind == WF_TEXT)
        return render_text(r, t, out);
    json_t *c = t->kind == WF_OBJ ? json_object() : json_array();
    if (!c)
        return zf_error_set(r->err, ZF_ENOMEM, "out of memory rendering a template");
    for (size_t i = 0; i < t->nkids; i++) {
        json_t *v;
        int rc = render_node(r, t->kids[i], &v);
        if (rc) {
            json_decref(c);
            return rc;
        }
        if ((t->kind == WF_OBJ ? json_object_set_new(c, t->keys[i], v)
                               : json_array_append_new(c, v)) != 0) {
            json_decref(c);
            return zf_error_set(r->err, ZF_ENOMEM, "out of memory rendering a template");
        }
    }
    *out = c;
    return 0;
}

int zf_wf_render(json_t **out, const zf_wf_template *t, const json_t *ctx, zf_error *err)
{
    if (!out || !t)
        return zf_error_set(err, ZF_EINVAL, "zf_wf_render: no template");
    rctx r = {.ctx = ctx, .root = t, .node = t, .err = err};
    return render_node(&r, t, out);
}
