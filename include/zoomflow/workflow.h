/*
 * Workflow definitions (DESIGN §8, docs/workflows.md): the loader, the
 * compiled templates and the cron schedules. Pure: bytes in, no store, no
 * network, no clock (the caller passes "now"); zone files are read for
 * time-zone arithmetic only.
 *
 *   zf_workflow_load       YAML or JSON bytes -> a checked definition, or
 *                          every problem at once, each with file:line:col
 *   zf_workflow_set_*      the definitions of a directory, names unique
 *   zf_wf_render           a compiled template against a run's context
 *   zf_cron_parse/next     a schedule and its next fire time in a zone
 *
 * The runner's view of a definition: its steps in order, each with its
 * action (a registry row), its compiled `with:` (zf_wf_render gives the
 * action's input), `if:`, `for_each:` (a list; each item is `item` in the
 * context), concurrency, retry policy and continue_on_error.
 *
 * A render context is one JSON object: {"event": ..., "steps": {ID:
 * {"output": ...}}, "env": {NAME: "value"}, "item": ...}; only the
 * members a template names are read.
 *
 * Memory: handles from **out are the caller's, freed by the matching
 * *_free (NULL accepted); const pointers returned are borrowed from the
 * handle and live as long as it.
 */
#ifndef ZOOMFLOW_WORKFLOW_H
#define ZOOMFLOW_WORKFLOW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "zoomflow/actions.h"
#include "zoomflow/error.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* ---- problems: what a load found, each with its place ------------------- */

typedef struct zf_wf_problem {
    char *file;    /* as given to the loader */
    int line, col; /* 1-based; 0 when the problem has no place (a file) */
    char *message; /* what is wrong */
    char *hint;    /* how to fix it ("" when the message says it all) */
    int hint_id;   /* zf_hint */
} zf_wf_problem;

/* Loading stops collecting past this many problems (truncated set). */
#define ZF_WF_PROBLEMS_MAX 100

typedef struct zf_wf_problems {
    zf_wf_problem *items;
    size_t count, cap;
    int truncated;
    int oom;
} zf_wf_problems;

#define ZF_WF_PROBLEMS_INIT                                                                        \
    {                                                                                              \
        NULL, 0, 0, 0, 0                                                                           \
    }

void zf_wf_problems_free(zf_wf_problems *p);
/* [{file, line, column, message, hint}] */
json_t *zf_wf_problems_json(const zf_wf_problems *p);
/* ZF_EVALIDATION into err, the first problem as the message. */
int zf_wf_problems_to_error(zf_error *err, const zf_wf_problems *p);

/* ---- limits on untrusted definitions ------------------------------------ */

#define ZF_WF_FILE_MAX (1u << 20) /* bytes of one definition file */
#define ZF_WF_DEPTH_MAX 32        /* nesting of mappings and sequences */
#define ZF_WF_NODES_MAX 20000     /* scalars, mappings and sequences */
#define ZF_WF_STEPS_MAX 200
#define ZF_WF_TEMPLATE_MAX 4096     /* bytes of one template string */
#define ZF_WF_CONCURRENCY_MAX 64    /* for_each's bound */
#define ZF_WF_ATTEMPTS_MAX 20       /* retry.max_attempts */
#define ZF_WF_RENDER_MAX (1u << 20) /* bytes a rendered string may reach */

/* ---- templates ----------------------------------------------------------- */

typedef struct zf_wf_template zf_wf_template;

/* Where a template is and what it may name, for compile-time checks and
 * for the messages of rendering. */
typedef struct zf_wf_scope {
    const char *file;                /* for messages */
    const char *step;                /* the step's id ("" outside steps) */
    const char *const *steps_before; /* the ids a step may reference (NULL-terminated) */
    const char *const *steps_all;    /* every id (to say "comes later") */
    const char *const *env_allowed;  /* env names allowed; NULL: any */
    int has_item;                    /* inside a for_each step */
} zf_wf_scope;

/* Compiles a JSON value (objects and arrays walked; strings holding
 * "{{" parsed as templates) whose place is given by pos(ctx, path, &line,
 * &col) -- path is "with.user_id", "with.settings[0]". Problems go to p.
 * 0 with *out set (a value without templates compiles to its literal), or
 * ZF_EVALIDATION / ZF_ENOMEM. */
typedef int (*zf_wf_pos_fn)(void *ctx, const char *path, int *line, int *col);
int zf_wf_template_compile(zf_wf_template **out, const json_t *value, const char *path,
                           const zf_wf_scope *scope, zf_wf_pos_fn pos, void *pos_ctx,
                           zf_wf_problems *p);
/* The same for one string ("{{ event.x | upper }}"), placed at line:col
 * of file: what the fuzz target and tests drive. */
int zf_wf_template_compile_string(zf_wf_template **out, const char *text, const zf_wf_scope *scope,
                                  int line, int col, zf_wf_problems *p);
void zf_wf_template_free(zf_wf_template *t);
/* 1 when the value holds no template (rendering returns a copy). */
int zf_wf_template_is_literal(const zf_wf_template *t);
/* The literal value (is_literal) or NULL. Borrowed. */
const json_t *zf_wf_template_literal(const zf_wf_template *t);

/* Renders against ctx (see the top). A string that is exactly one
 * "{{ expr }}" keeps the expression's JSON type; text mixed with
 * templates renders to a string. Errors (ZF_EVALIDATION) name the step,
 * the field path and file:line:col of the template: a missing key with
 * no default, a filter given the wrong type, a bad date. */
int zf_wf_render(json_t **out, const zf_wf_template *t, const json_t *ctx, zf_error *err);
/* `if:` truthiness of a rendered value: false, null, "", 0, "false", an
 * empty array or object are false; all else is true. */
int zf_wf_truthy(const json_t *v);

/* The filters' names, arguments and one-line descriptions (for docs and
 * tests): 0 with *out for i below their count, else -1. */
typedef struct zf_wf_filter_doc {
    const char *name, *args, *summary;
} zf_wf_filter_doc;
int zf_wf_filter_doc_at(size_t i, zf_wf_filter_doc *out);

/* ---- cron ---------------------------------------------------------------- */

typedef struct zf_cron {
    uint64_t minute; /* bit m: 0..59 */
    uint32_t hour;   /* 0..23 */
    uint32_t dom;    /* 1..31 */
    uint16_t month;  /* 1..12 */
    uint8_t dow;     /* 0..6, Sunday 0 (7 read as 0) */
    int dom_star;    /* the field was '*' (Vixie: restricted dom and dow OR) */
    int dow_star;
    int hour_star; /* every hour: fires by real time through DST shifts */
} zf_cron;

/* Five fields: minute hour day-of-month month day-of-week; each a list of
 * '*', N, N-M, with /STEP; months jan-dec and days sun-sat by name.
 * ZF_EVALIDATION with *col (1-based, into text) and err's message. */
int zf_cron_parse(zf_cron *out, const char *text, int *col, zf_error *err);
/* The first fire time strictly after `after` (unix seconds) in the IANA
 * zone: a wall time skipped by a forward DST shift fires at the shifted
 * time (02:30 -> 03:30), one repeated by a backward shift fires once, at
 * its first occurrence; a schedule whose hour is '*' follows real time
 * through both. ZF_ENOTFOUND when it never fires within 8 years (Feb 30). */
int zf_cron_next(const zf_cron *c, const char *zone, int64_t after, int64_t *next, zf_error *err);

/* ---- definitions --------------------------------------------------------- */

typedef enum zf_wf_trigger {
    ZF_WF_ON_MANUAL = 0,
    ZF_WF_ON_EVENT,   /* REST event NAME */
    ZF_WF_ON_ZOOM,    /* Zoom webhook event */
    ZF_WF_ON_SCHEDULE /* cron in a zone */
} zf_wf_trigger;

typedef enum zf_wf_backoff { ZF_WF_BACKOFF_EXPONENTIAL = 0, ZF_WF_BACKOFF_FIXED } zf_wf_backoff;

typedef struct zf_wf_retry {
    int max_attempts; /* 1 = no retry (the default) */
    zf_wf_backoff backoff;
    int64_t delay_ms;     /* the first wait (default 1000) */
    int64_t max_delay_ms; /* cap of the exponential wait (default 60000) */
} zf_wf_retry;

/* A step the runner carries out itself instead of an action of the
 * registry (`download: recording`, docs/workflows.md). */
typedef enum zf_wf_builtin {
    ZF_WF_BUILTIN_NONE = 0,          /* an `action:` */
    ZF_WF_BUILTIN_DOWNLOAD_RECORDING /* every file of a recording into a dir */
} zf_wf_builtin;

/* The inputs of `download: recording` (meeting_id, dir), as the loader
 * checks them. */
const zf_field *zf_wf_download_fields(void);

typedef struct zf_wf_step {
    const char *id;
    const zf_action *action; /* NULL for a built-in step */
    zf_wf_builtin builtin;
    const zf_wf_template *with;     /* renders to the action's input */
    const zf_wf_template *cond;     /* `if:`, or NULL */
    const zf_wf_template *for_each; /* renders to an array, or NULL */
    int concurrency;                /* for_each: items at once (default 1) */
    zf_wf_retry retry;
    int continue_on_error;
    int line, col; /* the step's place in its file */
} zf_wf_step;

typedef struct zf_workflow zf_workflow;

typedef struct zf_wf_load_opts {
    /* Names a template may read as env.NAME; NULL: any name. */
    const char *const *env_allowed;
} zf_wf_load_opts;

#define ZF_WF_LOAD_OPTS_INIT                                                                       \
    {                                                                                              \
        NULL                                                                                       \
    }

/* Parses (YAML, or JSON when the name ends in .json) and checks one
 * definition: structure, trigger, cron, steps, actions, `with:` against
 * each action's schema, templates. 0 with *out, or ZF_EVALIDATION with
 * every problem in p (file:line:col each), ZF_ENOMEM. */
int zf_workflow_load(zf_workflow **out, const char *file, const void *bytes, size_t len,
                     const zf_wf_load_opts *o, zf_wf_problems *p);
void zf_workflow_free(zf_workflow *w);

const char *zf_workflow_name(const zf_workflow *w);
const char *zf_workflow_description(const zf_workflow *w); /* "" when none */
/* The `version:` given, else "sha256:<first 16 hex of the model's hash>". */
const char *zf_workflow_version(const zf_workflow *w);
const char *zf_workflow_file(const zf_workflow *w);
zf_wf_trigger zf_workflow_trigger(const zf_workflow *w);
/* The event name (event, zoom), the cron text (schedule), NULL (manual). */
const char *zf_workflow_trigger_value(const zf_workflow *w);
const char *zf_workflow_timezone(const zf_workflow *w); /* schedule; "UTC" default */
const zf_cron *zf_workflow_cron(const zf_workflow *w);  /* schedule, else NULL */
/* The input schema's fields (checked against event/manual input), or NULL. */
const zf_field *zf_workflow_input(const zf_workflow *w);
/* Checks a run's event (or manual input) against `input:`: every problem
 * into p (keys the schema does not name are allowed). 0, or ZF_EVALIDATION
 * (a non-object event is one). A workflow without `input:` takes any
 * object. */
int zf_workflow_check_input(const zf_workflow *w, const json_t *event, zf_problems *p);
size_t zf_workflow_step_count(const zf_workflow *w);
const zf_wf_step *zf_workflow_step(const zf_workflow *w, size_t i);
/* The definition as loaded (the JSON model). Borrowed. */
const json_t *zf_workflow_model(const zf_workflow *w);
/* {name, description, version, file, on: {...}, steps: [{id, action, ...}]}. */
json_t *zf_workflow_json(const zf_workflow *w);
/* "manual", "event", "zoom", "schedule". */
const char *zf_wf_trigger_name(zf_wf_trigger t);
/* 1 when name is a Zoom webhook event of the committed list. */
int zf_wf_zoom_event_known(const char *name);

/* ---- a directory of definitions ----------------------------------------- */

typedef struct zf_workflow_set zf_workflow_set;

int zf_workflow_set_new(zf_workflow_set **out);
void zf_workflow_set_free(zf_workflow_set *s);
/* Loads one file's bytes into the set (a name already there is a problem
 * at the new file's `name:`). 0, ZF_EVALIDATION, ZF_ENOMEM. */
int zf_workflow_set_add(zf_workflow_set *s, const char *file, const void *bytes, size_t len,
                        const zf_wf_load_opts *o, zf_wf_problems *p);
/* One file read and added (ZF_EIO when it cannot be read). */
int zf_workflow_set_load_file(zf_workflow_set *s, const char *path, const zf_wf_load_opts *o,
                              zf_wf_problems *p);
/* Every *.yaml, *.yml and *.json of dir (not recursive, sorted by name). */
int zf_workflow_set_load_dir(zf_workflow_set *s, const char *dir, const zf_wf_load_opts *o,
                             zf_wf_problems *p);
size_t zf_workflow_set_count(const zf_workflow_set *s);
const zf_workflow *zf_workflow_set_at(const zf_workflow_set *s, size_t i);
const zf_workflow *zf_workflow_set_find(const zf_workflow_set *s, const char *name);

ZF_PUBLIC_END

#endif
