/* The problems a load collects (workflow.h): each with file, line, column,
 * message and hint; bounded at ZF_WF_PROBLEMS_MAX. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflow_internal.h"

void zf_wf__problem(zf_wf_problems *p, const char *file, int line, int col, const char *hint,
                    const char *fmt, ...)
{
    if (p->count >= ZF_WF_PROBLEMS_MAX) {
        p->truncated = 1;
        return;
    }
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        zf_wf_problem *n = realloc(p->items, cap * sizeof *n);
        if (!n) {
            p->oom = 1;
            return;
        }
        p->items = n;
        p->cap = cap;
    }
    char msg[ZF_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    zf_wf_problem *x = &p->items[p->count];
    x->file = strdup(file ? file : "");
    x->message = strdup(msg);
    x->hint = strdup(hint ? hint : "");
    x->line = line;
    x->col = col;
    x->hint_id = ZF_HINT_FIX_WORKFLOW;
    if (!x->file || !x->message || !x->hint) {
        free(x->file);
        free(x->message);
        free(x->hint);
        p->oom = 1;
        return;
    }
    p->count++;
}

void zf_wf_problems_free(zf_wf_problems *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i].file);
        free(p->items[i].message);
        free(p->items[i].hint);
    }
    free(p->items);
    memset(p, 0, sizeof *p);
}

json_t *zf_wf_problems_json(const zf_wf_problems *p)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < p->count; i++) {
        const zf_wf_problem *x = &p->items[i];
        if (json_array_append_new(a, json_pack("{ss si si ss ss}", "file", x->file, "line", x->line,
                                               "column", x->col, "message", x->message, "hint",
                                               x->hint)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int zf_wf_problems_to_error(zf_error *err, const zf_wf_problems *p)
{
    if (!p->count)
        return zf_error_set(err, p->oom ? ZF_ENOMEM : ZF_EVALIDATION,
                            p->oom ? "out of memory loading a workflow" : "invalid workflow");
    const zf_wf_problem *x = &p->items[0];
    zf_error_set(err, ZF_EVALIDATION, "%s:%d:%d: %s%s", x->file, x->line, x->col, x->message,
                 p->count > 1 ? " (and more problems)" : "");
    if (x->hint[0])
        zf_error_hint_id(err, ZF_HINT_FIX_WORKFLOW, "%s", x->hint);
    else
        zf_error_hint_id(err, ZF_HINT_FIX_WORKFLOW, NULL);
    return ZF_EVALIDATION;
}
