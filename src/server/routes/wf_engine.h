/*
 * The service's workflows (issue 12; docs/service.md "Workflows"): which
 * workflows an org has, starting their runs from triggers, the worker pool,
 * the Zoom-event dispatcher and the scheduler (wf_engine.c, wf_triggers.c).
 * The runner itself is the library's (zoomflow/runner.h).
 *
 * An org's workflows are the latest version of each workflow name stored
 * for it (zf_store_workflow_list), re-read at most every
 * SRV_WF_CACHE_MS, so a version another replica or a REST call saved is
 * picked up; the definitions of --workflows DIR are saved as versions of
 * every org they apply to at start (and of an org first seen later).
 */
#ifndef ZOOMFLOW_SERVER_WF_ENGINE_H
#define ZOOMFLOW_SERVER_WF_ENGINE_H

#include "../server.h"
#include "zoomflow/runner.h"
#include "zoomflow/schema.h"
#include "zoomflow/workflow.h"

#define SRV_WF_CACHE_MS 2000

/* One workflow of an org: its latest stored version, loaded. */
typedef struct srv_wf {
    char *name;
    int64_t version;
    int64_t saved_at; /* the version's created_at */
    zf_workflow *w;
} srv_wf;

/* An org's workflows at one moment; shared, released with srv_wf_release. */
typedef struct srv_wf_list {
    int refs; /* under the engine's lock */
    char org[SRV_ID_MAX];
    int64_t loaded_ms;
    srv_wf *items;
    size_t n;
} srv_wf_list;

/* The org's workflows (cached; *out the caller's reference). */
int srv_wf_for_org(srv_ctx *ctx, const char *org, srv_wf_list **out, zf_error *err);
void srv_wf_release(srv_wf_list *l);

/* zf_runner_start with the service's runner, counting the run in the
 * metrics and logging it when it was created. */
int srv_wf_start_run(srv_ctx *ctx, const zf_workflow *w, const zf_runner_start_opts *o,
                     zf_store_run *run, int *created, zf_problems *problems, zf_error *err);

/* Wakes the Zoom-event dispatcher (after the intake stored an event). */
void srv_wf_kick(srv_ctx *ctx);
/* Drops this process's list of org's workflows: the next use reads the
 * store (a deleted workflow stops triggering at once here; other
 * replicas within SRV_WF_CACHE_MS). */
void srv_wf_forget(const char *org);

/* The org's runs in state, of workflow (NULL: of every workflow); up to
 * 1000, 0 when the store fails (a count for metrics and answers). */
size_t srv_wf_count_runs(zf_store *st, const char *org, const char *workflow, int state);

/* The scheduler's clock: time() plus srv_opts.clock_skew. */
int64_t srv_wf_now(srv_ctx *ctx);

/* 1 when the engine runs (srv_wf_init was called). */
int srv_wf_enabled(void);

/* wf_triggers.c: one pass of the dispatcher over every org's new Zoom
 * events, and one tick of the scheduler; run by the engine's threads. */
void srv_wf_dispatch_pass(srv_ctx *ctx);
void srv_wf_schedule_tick(srv_ctx *ctx);
void srv_wf_schedule_free(void);
/* "2026-03-09T09:00:00Z" of a unix time (out: 21 bytes at least), and back
 * (-1 when text is not that form). */
void srv_wf_iso(int64_t t, char *out, size_t cap);
int64_t srv_wf_iso_parse(const char *text);

#endif
