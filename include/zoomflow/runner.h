/*
 * The workflow runner (issue 12, DESIGN §8, docs/runs.md "The runner"):
 * starts runs from definitions and executes claimed runs step by step
 * against Zoom, so that a run is exactly once in effect whatever crashes.
 *
 *   zf_runner_start     a definition + trigger + input -> a queued run
 *                       (the definition's version saved; one run per
 *                       trigger id; the input checked first)
 *   zf_runner_exec      one claimed run, step by step, under its lease
 *   zf_runner_work      a pool of worker threads claiming and executing
 *                       queued runs and runs whose lease expired
 *
 * A step is recorded `sent` (its rendered input committed) before its
 * request; `done` with its output or `failed` with its error after. A step
 * found `sent` on resume is never sent again blindly: a create is
 * reconciled with the input recorded at send (found: done with the found
 * object, created=false found=true; proven absent: reset and sent; the
 * look failing: the run fails with ZF_EAMBIGUOUS saying what to check);
 * reads and idempotent writes are sent again. The lease is renewed by a
 * thread every ttl/3 while the run executes; once a renewal or a write
 * says ZF_EBUSY the runner writes nothing more to that run.
 *
 * Threads: a zf_runner may be shared by threads (zf_runner_exec from
 * several at once, each with its own zf_zoom); the store and sessions it
 * is given must be thread-safe (store.h, session.h).
 */
#ifndef ZOOMFLOW_RUNNER_H
#define ZOOMFLOW_RUNNER_H

#include <jansson.h>
#include <stdint.h>

#include "zoomflow/error.h"
#include "zoomflow/schema.h"
#include "zoomflow/session.h"
#include "zoomflow/store.h"
#include "zoomflow/workflow.h"
#include "zoomflow/zoom.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

#define ZF_RUNNER_TTL_DEFAULT 30 /* seconds of a lease; renewed every ttl/3 */

/* What the runner tells as it goes (for a terminal or a log): a step (item
 * -1 without for_each) reaching `state` (zf_step_state), with its output
 * or error (borrowed; NULL when none) and a note ("reconciled: found",
 * "retry 2 of 3 in 1000 ms", ...; may be NULL). The items of a for_each
 * with concurrency > 1 run on several threads: the calls of one exec are
 * serialised, but may come from any of them. */
typedef void (*zf_runner_step_fn)(void *ctx, const zf_store_run *run, const char *step_id,
                                  int64_t item, int state, const json_t *detail, const char *note);

typedef struct zf_runner_opts {
    zf_store *store; /* required; borrowed */
    /* The session of an org (whose connection the org's runs use; the
     * service and the CLI map an org to the connection of the same id).
     * Used by zf_runner_work for one zf_zoom per worker thread and org
     * (zf_session_zoom_new). Borrowed; NULL for zf_runner_exec alone. */
    int (*session_for)(void *ctx, const char *org, zf_session **out, zf_error *err);
    void *session_ctx;
    int64_t lease_ttl; /* seconds; 0 = ZF_RUNNER_TTL_DEFAULT */
    /* Names env.NAME may read (NULL-terminated); the values come from the
     * process environment. NULL: env is empty. Also the load's allowed
     * names for definitions read back from the store. */
    const char *const *env_allowed;
    zf_runner_step_fn on_step;
    void *step_ctx;
    /* A create's reconcile that finds nothing is repeated once after this
     * long when the step was sent less than this long ago (a request still
     * being processed). 0 = 2000; < 0 = never. */
    int64_t settle_ms;
    /* Pauses in tests (retry backoff); NULL = nanosleep in slices that
     * watch the stop flag and the lease. */
    void (*sleep_ms)(void *ctx, int64_t ms);
    void *sleep_ctx;
    /* The transport of `download: recording` steps (CA file, user agent,
     * stall timeout; timeout_ms is always 0 there). NULL = the defaults of
     * ZF_DOWNLOAD_OPTS_INIT. Borrowed. */
    const zf_http_opts *download_http;
} zf_runner_opts;

#define ZF_RUNNER_OPTS_INIT                                                                        \
    {                                                                                              \
        NULL, NULL, NULL, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL                                 \
    }

typedef struct zf_runner zf_runner;

/* Copies opts (the pointers in it stay borrowed). ZF_EINVAL without a
 * store, ZF_ENOMEM. */
int zf_runner_new(zf_runner **out, const zf_runner_opts *opts, zf_error *err);
/* After every exec and work call has returned. NULL is fine. */
void zf_runner_free(zf_runner *r);

/* Asks every exec and worker of r to stop at the next step boundary (or
 * backoff slice): each releases the run it holds (queued again, resumed
 * by the next claim). Async-signal-safe (sets a flag). */
void zf_runner_stop(zf_runner *r);
int zf_runner_stopping(const zf_runner *r);

/* What a start is given. */
typedef struct zf_runner_start_opts {
    const char *org;        /* required */
    int trigger_kind;       /* zf_trigger_kind */
    const char *trigger_id; /* NULL: every start makes a new run */
    const json_t *input;    /* the event or manual input (an object) */
    const char *source;     /* the definition as written; NULL: its model JSON */
    const char *created_by; /* recorded with the version; may be NULL */
    int64_t now;            /* unix seconds; 0 = time() */
} zf_runner_start_opts;

/* Checks the input against the workflow's `input:` (ZF_EVALIDATION with
 * every problem in *problems, when not NULL, and err naming the fields),
 * saves the definition's version (its model JSON and SHA-256; the same
 * content is one version) and creates the run (queued; a trigger id that
 * has a run already gives that run with *created 0). *run is the caller's
 * (zf_store_run_free). */
int zf_runner_start(zf_runner *r, const zf_workflow *w, const zf_runner_start_opts *o,
                    zf_store_run *run, int *created, zf_problems *problems, zf_error *err);

/* Saves w's version for o->org (o->source, created_by and now as in a
 * start; the input and trigger are not read) without making a run: the
 * same content is the same version. *version gets its number. */
int zf_runner_save_version(zf_runner *r, const zf_workflow *w, const zf_runner_start_opts *o,
                           int64_t *version, zf_error *err);

/* Executes a claimed run (state running, its lease from the claim) with
 * the Zoom client z (borrowed; this thread's) and the scopes granted
 * (NULL: no preflight). Returns 0 when the run finished (done or failed:
 * *state says which, and err holds a failed run's error), or:
 *   ZF_EBUSY      the lease was lost (expired, taken over, cancelled):
 *                 nothing was written after that was seen
 *   ZF_ECANCELED  zf_runner_stop: the run was released
 *   another code  a store failure; the run is left to the next claim
 * state may be NULL. */
int zf_runner_exec(zf_runner *r, zf_store_run *run, zf_zoom *z, const char *granted, int *state,
                   zf_error *err);

/* The run's error JSON of a failed step or run: {code, message, hint,
 * hint_id, http_status, zoom_code, retry_after, reset_at, step, item}
 * (members that are unknown left out; step NULL: none). */
json_t *zf_runner_error_json(const zf_error *e, const char *step, int64_t item);
/* The other way: a stored error JSON (of a step or a run) back into err:
 * its code (by name; ZF_EZOOM when unknown), message and hint. */
void zf_runner_error_from_json(zf_error *err, const char *text);

/* A run as surfaces show it: {id, org, workflow, version, trigger: {kind,
 * id}, state, input, attempts, lease: {owner, seq, expires_at} (running
 * only), created_at, updated_at, finished_at, error, steps: [{id, item,
 * index, state, input, output, error, attempts, sent_at, done_at}]} (JSON
 * columns parsed; steps left out when steps is NULL). NULL: no memory. */
json_t *zf_runner_run_json(const zf_store_run *run, const zf_store_step *steps, size_t n);

/* Saves w's model (its JSON, SHA-256 of it) as the next version of (org,
 * name) unless that content is a version already (*created 0, *out that
 * version). source: the definition as written (NULL: the model JSON).
 * *out is the caller's (zf_store_workflow_free). */
int zf_runner_save_workflow(zf_store *st, const zf_workflow *w, const char *org, const char *source,
                            const char *created_by, int64_t now, zf_store_workflow *out,
                            int *created, zf_error *err);
/* A stored version as surfaces show it: {name, version, sha256,
 * created_at, created_by, description, on, steps (how many)}, plus
 * definition (the model) when with_definition. NULL: no memory. */
json_t *zf_runner_workflow_json(const zf_store_workflow *w, int with_definition);

typedef struct zf_runner_work_opts {
    int workers;       /* threads; < 1 = 1 */
    const char *owner; /* NULL: "<host>:<pid>:<random hex>" */
    /* Stop once a claim finds nothing and none of once_org's runs is
     * queued or running (NULL: as soon as a claim finds nothing). */
    int once;
    const char *once_org;
    int64_t poll_ms; /* the wait after an empty claim; 0 = 500 */
    /* Told on a worker's thread as a claimed run starts (phase
     * ZF_RUNNER_RUN_START, state running) and when its exec returns
     * (ZF_RUNNER_RUN_END: state done or failed with err the run's error,
     * or ZF_RUNNER_RUN_LOST (the lease was lost), ZF_RUNNER_RUN_RELEASED
     * (zf_runner_stop), ZF_RUNNER_RUN_LEFT (a store failure; the next
     * claim takes it)). For logs and metrics; NULL: none. */
    void (*on_run)(void *ctx, const zf_store_run *run, int phase, int state, const zf_error *err);
    void *run_ctx;
} zf_runner_work_opts;

enum {
    ZF_RUNNER_RUN_START = 0,
    ZF_RUNNER_RUN_END,
    ZF_RUNNER_RUN_LOST,
    ZF_RUNNER_RUN_RELEASED,
    ZF_RUNNER_RUN_LEFT
};

#define ZF_RUNNER_WORK_OPTS_INIT                                                                   \
    {                                                                                              \
        1, NULL, 0, NULL, 0, NULL, NULL                                                            \
    }

/* Counts of a work call. */
typedef struct zf_runner_work_stats {
    int64_t claimed, done, failed, lost, released;
} zf_runner_work_stats;

/* Runs workers threads, each claiming one run at a time for the owner and
 * executing it over its own zf_zoom per org, until zf_runner_stop (or,
 * with once, until nothing is left). Returns 0, or the first store error
 * that stopped a worker. stats may be NULL. */
int zf_runner_work(zf_runner *r, const zf_runner_work_opts *o, zf_runner_work_stats *stats,
                   zf_error *err);

ZF_PUBLIC_END

#endif
