/*
 * The workflows module of the service (wf_engine.h): the runner over the
 * service's store, the org's workflows as stored, the worker pool
 * (zf_runner_work on a thread of its own), the Zoom-event dispatcher and
 * the scheduler threads, their metrics and log lines.
 *
 * Start and stop: init (before listening) makes the runner and declares
 * the metrics; start (once listening) saves the directory's definitions
 * for the orgs they apply to and starts the threads; stop (SIGTERM, once
 * the requests in flight are done) stops the runner (each worker finishes
 * the step it is in and releases its run: queued again, resumed by the
 * next claim, here after a restart or in another replica) and joins the
 * threads; fini frees.
 */
#include "wf_engine.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "zoomflow/log.h"
#include "zoomflow/session.h"
#include "zoomflow/store.h"

#define M_STARTED "zoomflow_workflow_runs_started_total"
#define M_FINISHED "zoomflow_workflow_runs_finished_total"
#define M_RUNS "zoomflow_workflow_runs"
#define M_WORKERS "zoomflow_workflow_workers"

#define SWEEP_MS 5000 /* the dispatcher's pass without a kick */
#define TICK_MS 1000  /* the scheduler's */

/* the directory's definitions, with their bytes as written */
typedef struct dir_wf {
    const zf_workflow *w;
    char *source;
} dir_wf;

typedef struct seeded {
    char org[SRV_ID_MAX];
    struct seeded *next;
} seeded;

static struct engine {
    int on;
    srv_ctx *ctx;
    zf_runner *runner;
    pthread_mutex_t mu; /* lists, seeded, kick */
    pthread_cond_t cv;
    int kicked, stopping;
    srv_wf_list **lists;
    size_t nlists;
    seeded *seeded;
    dir_wf *dir;
    size_t ndir;
    pthread_t pool_t, disp_t, sched_t;
    int pool_on, disp_on, sched_on;
} E = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

int srv_wf_enabled(void)
{
    return E.on;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t srv_wf_now(srv_ctx *ctx)
{
    return (int64_t)time(NULL) + srv_ctx_opts(ctx)->clock_skew;
}

/* ---- which orgs the directory applies to --------------------------------- */

static int dir_applies(srv_ctx *ctx, const char *org)
{
    const char *list = srv_ctx_opts(ctx)->workflows_orgs;
    if (!list || !*list || strcmp(list, "*") == 0)
        return 1;
    size_t n = strlen(org);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && *p == ' ')
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        if (len == n && memcmp(p, org, n) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

/* Saves the directory's definitions as versions of org, once per process
 * (the same content is the same version: a restart writes nothing, and a
 * newer version saved through the API stays the latest). */
static int seed_org(srv_ctx *ctx, const char *org, zf_error *err)
{
    if (!E.ndir || !dir_applies(ctx, org))
        return 0;
    pthread_mutex_lock(&E.mu);
    seeded *s = E.seeded;
    while (s && strcmp(s->org, org) != 0)
        s = s->next;
    pthread_mutex_unlock(&E.mu);
    if (s)
        return 0;
    char by[600];
    snprintf(by, sizeof by, "directory %.500s",
             srv_ctx_opts(ctx)->workflows_dir ? srv_ctx_opts(ctx)->workflows_dir : "(workflows)");
    for (size_t i = 0; i < E.ndir; i++) {
        zf_runner_start_opts o = {org, ZF_TRIGGER_MANUAL, NULL, NULL, E.dir[i].source, by, 0};
        o.now = srv_wf_now(ctx);
        int64_t version = 0;
        int rc = zf_runner_save_version(E.runner, E.dir[i].w, &o, &version, err);
        if (rc != 0)
            return zf_error_restate(err, rc, "saving workflow %s for org %s: %s",
                                    zf_workflow_name(E.dir[i].w), org, err->message);
    }
    s = calloc(1, sizeof *s);
    if (!s)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    snprintf(s->org, sizeof s->org, "%s", org);
    pthread_mutex_lock(&E.mu);
    s->next = E.seeded;
    E.seeded = s;
    pthread_mutex_unlock(&E.mu);
    return 0;
}

/* ---- an org's workflows ----------------------------------------------------- */

static void list_free(srv_wf_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].name);
        zf_workflow_free(l->items[i].w);
    }
    free(l->items);
    free(l);
}

void srv_wf_release(srv_wf_list *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&E.mu);
    int last = --l->refs == 0;
    pthread_mutex_unlock(&E.mu);
    if (last)
        list_free(l);
}

static int load_list(srv_ctx *ctx, const char *org, srv_wf_list **out, zf_error *err)
{
    zf_store *st = NULL;
    zf_store_workflow *rows = NULL;
    size_t n = 0;
    int rc = srv_ctx_store(ctx, &st, err);
    if (rc == 0)
        rc = zf_store_workflow_list(st, org, &rows, &n, err);
    if (rc != 0)
        return rc;
    srv_wf_list *l = calloc(1, sizeof *l);
    if (!l || (n && !(l->items = calloc(n, sizeof *l->items)))) {
        free(l);
        zf_store_workflow_free_list(rows, n);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    snprintf(l->org, sizeof l->org, "%s", org);
    l->refs = 1;
    for (size_t i = 0; i < n; i++) {
        char file[256];
        snprintf(file, sizeof file, "%.180s@%lld.json", rows[i].name, (long long)rows[i].version);
        zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
        zf_wf_load_opts lo = ZF_WF_LOAD_OPTS_INIT;
        const char *def = rows[i].definition ? rows[i].definition : "";
        zf_workflow *w = NULL;
        if (zf_workflow_load(&w, file, def, strlen(def), &lo, &p) != 0) {
            srv_log(NULL, ZF_LOG_WARN, "workflow.skipped",
                    "org %s: workflow %s version %lld does not load, it triggers nothing: %s", org,
                    rows[i].name, (long long)rows[i].version,
                    p.count ? p.items[0].message : "out of memory");
            zf_wf_problems_free(&p);
            continue;
        }
        zf_wf_problems_free(&p);
        srv_wf *x = &l->items[l->n];
        if (!(x->name = strdup(rows[i].name))) {
            zf_workflow_free(w);
            continue;
        }
        x->version = rows[i].version;
        x->saved_at = rows[i].created_at;
        x->w = w;
        l->n++;
    }
    zf_store_workflow_free_list(rows, n);
    l->loaded_ms = now_ms();
    *out = l;
    return 0;
}

int srv_wf_for_org(srv_ctx *ctx, const char *org, srv_wf_list **out, zf_error *err)
{
    *out = NULL;
    int rc = seed_org(ctx, org, err);
    if (rc != 0)
        return rc;
    int64_t now = now_ms();
    pthread_mutex_lock(&E.mu);
    for (size_t i = 0; i < E.nlists; i++)
        if (strcmp(E.lists[i]->org, org) == 0 && now - E.lists[i]->loaded_ms < SRV_WF_CACHE_MS) {
            E.lists[i]->refs++;
            *out = E.lists[i];
            pthread_mutex_unlock(&E.mu);
            return 0;
        }
    pthread_mutex_unlock(&E.mu);
    srv_wf_list *l = NULL;
    if ((rc = load_list(ctx, org, &l, err)) != 0)
        return rc;
    pthread_mutex_lock(&E.mu);
    size_t i = 0;
    while (i < E.nlists && strcmp(E.lists[i]->org, org) != 0)
        i++;
    srv_wf_list *old = NULL;
    if (i < E.nlists) {
        old = E.lists[i];
        E.lists[i] = l;
        l->refs++;
    } else {
        srv_wf_list **grown = realloc(E.lists, (E.nlists + 1) * sizeof *grown);
        if (grown) {
            E.lists = grown;
            E.lists[E.nlists++] = l;
            l->refs++;
        }
    }
    int last = old && --old->refs == 0;
    pthread_mutex_unlock(&E.mu);
    if (last)
        list_free(old);
    *out = l;
    return 0;
}

void srv_wf_forget(const char *org)
{
    srv_wf_list *old = NULL;
    pthread_mutex_lock(&E.mu);
    for (size_t i = 0; i < E.nlists; i++)
        if (strcmp(E.lists[i]->org, org) == 0) {
            old = E.lists[i];
            E.lists[i] = E.lists[--E.nlists];
            break;
        }
    int last = old && --old->refs == 0;
    pthread_mutex_unlock(&E.mu);
    if (last)
        list_free(old);
}

/* ---- starting runs ------------------------------------------------------------ */

int srv_wf_start_run(srv_ctx *ctx, const zf_workflow *w, const zf_runner_start_opts *o,
                     zf_store_run *run, int *created, zf_problems *problems, zf_error *err)
{
    if (!E.on)
        return zf_error_set(err, ZF_EINVAL, "the service's workflows are not set up");
    int rc = zf_runner_start(E.runner, w, o, run, created, problems, err);
    if (rc == 0 && *created) {
        zf_buf lb;
        zf_buf_init(&lb, 512);
        srv_metric_label(&lb, "workflow", zf_workflow_name(w));
        srv_metric_add(ctx, M_STARTED, zf_buf_cstr(&lb), 1);
        zf_buf_free(&lb);
        srv_log(NULL, ZF_LOG_INFO, "run.created", "org %s: run %lld of %s version %lld (%s %s)",
                run->org, (long long)run->id, run->workflow, (long long)run->version,
                zf_trigger_kind_name(run->trigger_kind), run->trigger_id ? run->trigger_id : "-");
    }
    return rc;
}

/* ---- the worker pool ------------------------------------------------------------ */

static int session_for(void *vctx, const char *org, zf_session **out, zf_error *err)
{
    return srv_ctx_session(vctx, org, out, err);
}

static void on_run(void *vctx, const zf_store_run *run, int phase, int state, const zf_error *err)
{
    srv_ctx *ctx = vctx;
    if (phase == ZF_RUNNER_RUN_START) {
        srv_log(NULL, ZF_LOG_INFO, "run.start",
                "org %s: run %lld of %s version %lld started (lease %lld)", run->org,
                (long long)run->id, run->workflow, (long long)run->version,
                (long long)run->lease_seq);
        return;
    }
    if (phase != ZF_RUNNER_RUN_END) {
        const char *what = phase == ZF_RUNNER_RUN_LOST       ? "lost its lease"
                           : phase == ZF_RUNNER_RUN_RELEASED ? "released (stopping)"
                                                             : "left to the next claim";
        srv_log(NULL, phase == ZF_RUNNER_RUN_RELEASED ? ZF_LOG_INFO : ZF_LOG_WARN, "run.stop",
                "org %s: run %lld of %s %s%s%s", run->org, (long long)run->id, run->workflow, what,
                err && err->message[0] ? ": " : "", err ? err->message : "");
        return;
    }
    const char *sname = zf_run_state_name(state);
    zf_buf lb;
    zf_buf_init(&lb, 512);
    srv_metric_label(&lb, "workflow", run->workflow);
    srv_metric_label(&lb, "state", sname ? sname : "unknown");
    srv_metric_add(ctx, M_FINISHED, zf_buf_cstr(&lb), 1);
    zf_buf_free(&lb);
    if (state == ZF_RUN_DONE)
        srv_log(NULL, ZF_LOG_INFO, "run.finish", "org %s: run %lld of %s done", run->org,
                (long long)run->id, run->workflow);
    else
        srv_log(NULL, ZF_LOG_WARN, "run.finish", "org %s: run %lld of %s %s: %s", run->org,
                (long long)run->id, run->workflow, sname ? sname : "ended",
                err && err->message[0] ? err->message : "(no error)");
}

static void *pool_main(void *arg)
{
    srv_ctx *ctx = arg;
    zf_runner_work_opts wo = ZF_RUNNER_WORK_OPTS_INIT;
    wo.workers = srv_ctx_opts(ctx)->workers;
    wo.poll_ms = 500;
    wo.on_run = on_run;
    wo.run_ctx = ctx;
    zf_runner_work_stats stats = {0};
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_runner_work(E.runner, &wo, &stats, &err);
    srv_log(NULL, rc ? ZF_LOG_ERROR : ZF_LOG_INFO, "workers.stop",
            "workers stopped: %lld claimed, %lld done, %lld failed, %lld released, %lld lost%s%s",
            (long long)stats.claimed, (long long)stats.done, (long long)stats.failed,
            (long long)stats.released, (long long)stats.lost, rc ? ": " : "",
            rc ? err.message : "");
    srv_metric_set(ctx, M_WORKERS, NULL, 0);
    return NULL;
}

/* ---- the dispatcher and the scheduler threads ----------------------------------- */

void srv_wf_kick(srv_ctx *ctx)
{
    (void)ctx;
    if (!E.on)
        return;
    pthread_mutex_lock(&E.mu);
    E.kicked = 1;
    /* the scheduler waits on the same condition (not kickable): a signal
     * could wake it alone, and the dispatcher slept on to its sweep */
    pthread_cond_broadcast(&E.cv);
    pthread_mutex_unlock(&E.mu);
}

/* Waits up to ms or a kick (kickable) or the stop; 1 when stopping. */
static int wait_ms(int64_t ms, int kickable)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&E.mu);
    while (!E.stopping && !(kickable && E.kicked))
        if (pthread_cond_timedwait(&E.cv, &E.mu, &until) != 0)
            break;
    if (kickable)
        E.kicked = 0;
    int stop = E.stopping;
    pthread_mutex_unlock(&E.mu);
    return stop;
}

static void *disp_main(void *arg)
{
    srv_ctx *ctx = arg;
    do
        srv_wf_dispatch_pass(ctx);
    while (!wait_ms(SWEEP_MS, 1));
    return NULL;
}

static void *sched_main(void *arg)
{
    srv_ctx *ctx = arg;
    do
        srv_wf_schedule_tick(ctx);
    while (!wait_ms(TICK_MS, 0));
    return NULL;
}

/* ---- the module -------------------------------------------------------------------- */

static int read_source(const char *path, char **out)
{
    *out = NULL;
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f)
        return -1;
    zf_buf b;
    zf_buf_init(&b, ZF_WF_FILE_MAX + sizeof(char[4096]));
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= ZF_WF_FILE_MAX)
        zf_buf_append(&b, chunk, got);
    fclose(f);
    *out = b.failed ? NULL : strdup(zf_buf_cstr(&b));
    zf_buf_free(&b);
    return *out ? 0 : -1;
}

int srv_wf_init(srv_ctx *ctx, zf_error *err)
{
    const srv_opts *o = srv_ctx_opts(ctx);
    int rc = srv_metric_declare(ctx, M_STARTED, SRV_METRIC_COUNTER,
                                "Workflow runs created by this process's triggers, by workflow");
    if (rc == 0)
        rc = srv_metric_declare(ctx, M_FINISHED, SRV_METRIC_COUNTER,
                                "Workflow runs this process's workers finished, by workflow and "
                                "state (done, failed)");
    if (rc == 0)
        rc = srv_metric_declare(ctx, M_RUNS, SRV_METRIC_GAUGE,
                                "Workflow runs in the store by state (queued: the queue's depth; "
                                "running), every org, read every few seconds (at most 1000 an "
                                "org)");
    if (rc == 0)
        rc = srv_metric_declare(ctx, M_WORKERS, SRV_METRIC_GAUGE,
                                "Run-executing worker threads of this process");
    if (rc != 0)
        return zf_error_set(err, rc, "declaring the workflow metrics failed");
    srv_metric_set(ctx, M_RUNS, "state=\"queued\"", 0);
    srv_metric_set(ctx, M_RUNS, "state=\"running\"", 0);
    srv_metric_set(ctx, M_WORKERS, NULL, 0);
    zf_store *st = NULL;
    if ((rc = srv_ctx_store(ctx, &st, err)) != 0)
        return rc;
    zf_runner_opts ro = ZF_RUNNER_OPTS_INIT;
    ro.store = st;
    ro.session_for = session_for;
    ro.session_ctx = ctx;
    ro.lease_ttl = o->lease_ttl;
    ro.env_allowed = o->workflows_env;
    /* a download step's HTTP (CA file, timeouts) is the service's */
    ro.download_http = &o->session.http;
    if ((rc = zf_runner_new(&E.runner, &ro, err)) != 0)
        return rc;
    size_t n = o->workflows ? zf_workflow_set_count(o->workflows) : 0;
    if (n && !(E.dir = calloc(n, sizeof *E.dir)))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        E.dir[i].w = zf_workflow_set_at(o->workflows, i);
        read_source(zf_workflow_file(E.dir[i].w), &E.dir[i].source);
        E.ndir++;
    }
    E.ctx = ctx;
    E.stopping = 0;
    E.kicked = 0;
    E.on = 1;
    return 0;
}

/* The directory's definitions for every org they apply to, now: an org
 * named by --workflows-org that does not exist yet is warned about and
 * seeded when it first shows up. */
static int seed_all(srv_ctx *ctx, zf_error *err)
{
    zf_store *st = NULL;
    zf_store_org *orgs = NULL;
    size_t n = 0;
    int rc = srv_ctx_store(ctx, &st, err);
    if (rc == 0)
        rc = zf_store_org_list(st, &orgs, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = seed_org(ctx, orgs[i].slug, err);
    const char *list = srv_ctx_opts(ctx)->workflows_orgs;
    if (rc == 0 && E.ndir && list && *list && strcmp(list, "*") != 0) {
        char *copy = strdup(list);
        for (char *p = copy, *e; p && *p; p = e ? e + 1 : NULL) {
            e = strchr(p, ',');
            if (e)
                *e = '\0';
            /* the names as dir_applies reads them: spaces around dropped */
            while (*p == ' ')
                p++;
            for (char *t = p + strlen(p); t > p && t[-1] == ' ';)
                *--t = '\0';
            if (!*p)
                continue;
            int found = 0;
            for (size_t i = 0; i < n; i++)
                found |= strcmp(orgs[i].slug, p) == 0;
            if (!found)
                srv_log(NULL, ZF_LOG_WARN, "workflows.org",
                        "--workflows-org names org \"%s\", which does not exist yet: create it "
                        "(zoomflow admin create ... --org %s); its workflows are saved when it "
                        "first shows up",
                        p, p);
        }
        free(copy);
    }
    zf_store_org_free_list(orgs, n);
    return rc;
}

int srv_wf_start(srv_ctx *ctx, zf_error *err)
{
    if (!E.on)
        return 0;
    int rc = seed_all(ctx, err);
    if (rc != 0)
        return rc;
    const srv_opts *o = srv_ctx_opts(ctx);
    if (o->workers > 0) {
        srv_metric_set(ctx, M_WORKERS, NULL, o->workers);
        E.pool_on = pthread_create(&E.pool_t, NULL, pool_main, ctx) == 0;
        if (!E.pool_on)
            srv_metric_set(ctx, M_WORKERS, NULL, 0);
    }
    E.disp_on = pthread_create(&E.disp_t, NULL, disp_main, ctx) == 0;
    E.sched_on = pthread_create(&E.sched_t, NULL, sched_main, ctx) == 0;
    if (!E.disp_on || !E.sched_on || (o->workers > 0 && !E.pool_on))
        return zf_error_set(err, ZF_ENOMEM, "the workflow threads could not be started");
    srv_log(NULL, ZF_LOG_INFO, "workflows.start",
            "%zu workflow definition(s) from %s for %s; %d worker(s), lease %lld s", E.ndir,
            o->workflows_dir ? o->workflows_dir : "(none)",
            o->workflows_orgs ? o->workflows_orgs : "every org", o->workers,
            (long long)(o->lease_ttl > 0 ? o->lease_ttl : ZF_RUNNER_TTL_DEFAULT));
    return 0;
}

void srv_wf_stop(srv_ctx *ctx)
{
    (void)ctx;
    if (!E.on)
        return;
    pthread_mutex_lock(&E.mu);
    E.stopping = 1;
    pthread_cond_broadcast(&E.cv);
    pthread_mutex_unlock(&E.mu);
    zf_runner_stop(E.runner);
    if (E.pool_on)
        pthread_join(E.pool_t, NULL);
    if (E.disp_on)
        pthread_join(E.disp_t, NULL);
    if (E.sched_on)
        pthread_join(E.sched_t, NULL);
    E.pool_on = E.disp_on = E.sched_on = 0;
}

void srv_wf_fini(srv_ctx *ctx)
{
    (void)ctx;
    if (!E.on)
        return;
    srv_wf_stop(ctx);
    E.on = 0;
    srv_wf_schedule_free();
    for (size_t i = 0; i < E.nlists; i++)
        srv_wf_release(E.lists[i]);
    free(E.lists);
    E.lists = NULL;
    E.nlists = 0;
    while (E.seeded) {
        seeded *s = E.seeded;
        E.seeded = s->next;
        free(s);
    }
    for (size_t i = 0; i < E.ndir; i++)
        free(E.dir[i].source);
    free(E.dir);
    E.dir = NULL;
    E.ndir = 0;
    zf_runner_free(E.runner);
    E.runner = NULL;
}
