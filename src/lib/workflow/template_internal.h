/* The compiled form of templates (template.c), rendered by render.c with
 * the filters of filters.c. */
#ifndef ZOOMFLOW_TEMPLATE_INTERNAL_H
#define ZOOMFLOW_TEMPLATE_INTERNAL_H

#include <jansson.h>

#include "zoomflow/error.h"
#include "zoomflow/workflow.h"

#define WF_ARGS_MAX 3

/* A value between filters: v NULL = undefined (a path that is missing). */
typedef struct wf_val {
    json_t *v;           /* owned */
    const char *missing; /* the path that was missing (borrowed) */
} wf_val;

typedef struct wf_operand {
    json_t *lit; /* a literal, or NULL for a path */
    char **seg;  /* path segments; "[3]" for an index */
    size_t nseg;
    char *text; /* the path as written */
    int col;    /* offset in the expression */
} wf_operand;

typedef struct wf_filter_def {
    const char *name;
    size_t min_args, max_args;
    const char *args_text; /* "no arguments", "1 argument (the separator)" */
    const char *summary;
    int takes_undefined; /* default: sees a missing value */
    /* in (consumed into *out or freed), args rendered; 0 or ZF_EVALIDATION
     * with a message in msg (the render adds the place) */
    int (*fn)(wf_val *out, wf_val *in, json_t *const *args, size_t nargs, char *msg, size_t cap);
} wf_filter_def;

typedef struct wf_filter {
    const wf_filter_def *def;
    wf_operand args[WF_ARGS_MAX];
    size_t nargs;
    int col;
} wf_filter;

typedef struct wf_pipe {
    wf_operand head;
    wf_filter *f;
    size_t nf;
} wf_pipe;

typedef struct wf_expr {
    int negate;
    wf_pipe lhs;
    int cmp; /* 0 none, 1 ==, 2 != */
    wf_pipe rhs;
    int line, col;
    char *src;
} wf_expr;

typedef struct wf_part {
    char *text; /* literal text, or NULL */
    wf_expr *e;
} wf_part;

enum { WF_LIT = 0, WF_TEXT, WF_OBJ, WF_ARR };

struct zf_wf_template {
    int kind;
    json_t *lit;
    wf_part *parts;
    size_t nparts;
    char **keys; /* WF_OBJ */
    struct zf_wf_template **kids;
    size_t nkids;
    char *path;
    char *step, *file; /* the root's */
};

/* zf_wf_template_compile, but the tree is kept (*out set) on
 * ZF_EVALIDATION too, with the failed strings as nodes that never render:
 * the loader still checks the literal members beside a bad template. */
int zf_wf__template_compile_all(zf_wf_template **out, const json_t *value, const char *path,
                                const zf_wf_scope *scope, zf_wf_pos_fn pos, void *pos_ctx,
                                zf_wf_problems *p);
const wf_filter_def *zf_wf__filter_find(const char *name);
const char *zf_wf__filter_nearest(const char *name);

#endif
