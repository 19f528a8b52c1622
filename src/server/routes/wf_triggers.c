/*
 * Triggers the service fires by itself (wf_engine.h; docs/service.md
 * "Workflows"):
 *
 * zoom: the intake stores each webhook event once (state new). A pass, run
 *   after each stored event (a kick) and every few seconds (a crash, another
 *   replica's events), creates for each new event the run of every workflow
 *   whose trigger is `zoom: <event>` (trigger zoom, the event's dedupe id:
 *   one run per event and workflow however many replicas race), then marks
 *   the event consumed. A crash between the two re-dispatches the event and
 *   creates nothing twice. An event no workflow listens to is consumed too.
 *
 * schedule: each tick finds, per org and schedule workflow, whether a fire
 *   time has come since the last one (the newest schedule run's trigger id,
 *   or, before the first run, the time the version was saved). Of the fire
 *   times that passed, only the most recent fires (once): after downtime a
 *   schedule does not replay every missed minute. The trigger id is the
 *   fire time in ISO UTC, so replicas ticking the same minute make one run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "wf_engine.h"
#include "zoomflow/log.h"
#include "zoomflow/store.h"

#define M_RUNS "zoomflow_workflow_runs"
#define EVENTS_PER_PASS 200
#define CATCHUP_STEPS_MAX 2000000 /* fire times walked after a long downtime */

/* ---- ISO times ---------------------------------------------------------------- */

void srv_wf_iso(int64_t t, char *out, size_t cap)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    int64_t y;
    unsigned m, d;
    zf_civil_from_days(days, &y, &m, &d);
    snprintf(out, cap, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", (long long)y, m, d,
             (long long)(secs / 3600), (long long)(secs / 60 % 60), (long long)(secs % 60));
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int64_t srv_wf_iso_parse(const char *s)
{
    int y, mo, d, h, mi, se;
    if (!s || strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != 'Z' || digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
        digits(s + 8, 2, &d) || digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
        digits(s + 17, 2, &se) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 59)
        return -1;
    return zf_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
}

/* ---- zoom: webhook events -------------------------------------------------------- */

/* Creates the runs of one event; 0 when it may be consumed. */
static int dispatch_event(srv_ctx *ctx, const srv_wf_list *l, const zf_store_webhook_event *ev)
{
    json_t *body = NULL;
    json_error_t je;
    if (ev->body)
        body = json_loads(ev->body, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(body)) {
        json_decref(body);
        body = json_object();
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < l->n; i++) {
        const zf_workflow *w = l->items[i].w;
        if (zf_workflow_trigger(w) != ZF_WF_ON_ZOOM ||
            strcmp(zf_workflow_trigger_value(w), ev->event) != 0)
            continue;
        zf_runner_start_opts o = {
            ev->org, ZF_TRIGGER_ZOOM, ev->event_id, body, NULL, "zoom webhook", 0};
        zf_store_run run;
        int created = 0;
        zf_error err = ZF_ERROR_INIT;
        int src = srv_wf_start_run(ctx, w, &o, &run, &created, NULL, &err);
        if (src == ZF_EVALIDATION) {
            srv_log(NULL, ZF_LOG_WARN, "workflow.refused",
                    "org %s: Zoom event %s (%s) starts no run of %s: %s", ev->org, ev->event,
                    ev->event_id, zf_workflow_name(w), err.message);
        } else if (src != 0) {
            srv_log(NULL, ZF_LOG_WARN, "workflow.dispatch",
                    "org %s: Zoom event %s (%s): run of %s not created, tried again: %s", ev->org,
                    ev->event, ev->event_id, zf_workflow_name(w), err.message);
            rc = src;
        } else {
            zf_store_run_free(&run);
        }
    }
    json_decref(body);
    return rc;
}

static void dispatch_org(srv_ctx *ctx, zf_store *st, const char *org)
{
    zf_store_webhook_event *evs = NULL;
    size_t n = 0;
    zf_error err = ZF_ERROR_INIT;
    if (zf_store_webhook_event_list(st, org, "new", EVENTS_PER_PASS, &evs, &n, &err) != 0) {
        srv_log(NULL, ZF_LOG_WARN, "workflow.dispatch", "org %s: reading new Zoom events: %s", org,
                err.message);
        return;
    }
    srv_wf_list *l = NULL;
    if (n && srv_wf_for_org(ctx, org, &l, &err) != 0) {
        srv_log(NULL, ZF_LOG_WARN, "workflow.dispatch", "org %s: reading its workflows: %s", org,
                err.message);
        zf_store_webhook_event_free_list(evs, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (dispatch_event(ctx, l, &evs[i]) != 0)
            continue;
        int consumed = 0;
        if (zf_store_webhook_event_consume(st, org, evs[i].event_id, (int64_t)time(NULL), &consumed,
                                           &err) != 0)
            srv_log(NULL, ZF_LOG_WARN, "workflow.dispatch",
                    "org %s: Zoom event %s not marked consumed (dispatched again): %s", org,
                    evs[i].event_id, err.message);
    }
    srv_wf_release(l);
    zf_store_webhook_event_free_list(evs, n);
}

size_t srv_wf_count_runs(zf_store *st, const char *org, const char *workflow, int state)
{
    zf_store_run_filter f = ZF_STORE_RUN_FILTER_INIT;
    f.org = org;
    f.workflow = workflow;
    f.state = state;
    f.limit = 1000;
    zf_store_run *list = NULL;
    size_t n = 0;
    int64_t next = 0;
    zf_error err = ZF_ERROR_INIT;
    if (zf_store_run_list(st, &f, &list, &n, &next, &err) != 0)
        return 0;
    zf_store_run_free_list(list, n);
    return n;
}

void srv_wf_dispatch_pass(srv_ctx *ctx)
{
    zf_store *st = NULL;
    zf_store_org *orgs = NULL;
    size_t n = 0;
    zf_error err = ZF_ERROR_INIT;
    if (srv_ctx_store(ctx, &st, &err) != 0 || zf_store_org_list(st, &orgs, &n, &err) != 0) {
        srv_log(NULL, ZF_LOG_WARN, "workflow.dispatch", "listing the orgs: %s", err.message);
        return;
    }
    size_t queued = 0, running = 0;
    for (size_t i = 0; i < n; i++) {
        dispatch_org(ctx, st, orgs[i].slug);
        queued += srv_wf_count_runs(st, orgs[i].slug, NULL, ZF_RUN_QUEUED);
        running += srv_wf_count_runs(st, orgs[i].slug, NULL, ZF_RUN_RUNNING);
    }
    srv_metric_set(ctx, M_RUNS, "state=\"queued\"", (double)queued);
    srv_metric_set(ctx, M_RUNS, "state=\"running\"", (double)running);
    zf_store_org_free_list(orgs, n);
}

/* ---- schedule: cron ------------------------------------------------------------------ */

/* One schedule workflow of an org, as the scheduler thread (alone) knows it. */
typedef struct sched {
    char org[SRV_ID_MAX];
    char *name;
    int64_t version;
    int64_t last; /* the last fire time made (or the baseline) */
    int64_t next; /* the next fire time; 0 = never */
    struct sched *link;
} sched;

static sched *S;

void srv_wf_schedule_free(void)
{
    while (S) {
        sched *x = S;
        S = x->link;
        free(x->name);
        free(x);
    }
}

/* The newest fire time a schedule run of the workflow holds, 0 when none. */
static int last_fire(zf_store *st, const char *org, const char *name, int64_t *out, zf_error *err)
{
    *out = 0;
    zf_store_run_filter f = ZF_STORE_RUN_FILTER_INIT;
    f.org = org;
    f.workflow = name;
    f.limit = 200;
    zf_store_run *list = NULL;
    size_t n = 0;
    int64_t next = 0;
    int rc = zf_store_run_list(st, &f, &list, &n, &next, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int64_t t =
            list[i].trigger_kind == ZF_TRIGGER_SCHEDULE ? srv_wf_iso_parse(list[i].trigger_id) : -1;
        if (t > *out)
            *out = t;
    }
    zf_store_run_free_list(list, n);
    return rc;
}

static int64_t cron_next(const zf_workflow *w, int64_t after)
{
    int64_t t = 0;
    zf_error err = ZF_ERROR_INIT;
    if (zf_cron_next(zf_workflow_cron(w), zf_workflow_timezone(w), after, &t, &err) != 0)
        return 0;
    return t;
}

static int sched_init(sched *x, zf_store *st, const srv_wf *item)
{
    zf_error err = ZF_ERROR_INIT;
    int64_t last = 0;
    if (last_fire(st, x->org, item->name, &last, &err) != 0) {
        srv_log(NULL, ZF_LOG_WARN, "workflow.schedule", "org %s: reading the runs of %s: %s",
                x->org, item->name, err.message);
        return -1;
    }
    x->version = item->version;
    x->last = last > 0 ? last : item->saved_at;
    x->next = cron_next(item->w, x->last);
    if (!x->next)
        srv_log(NULL, ZF_LOG_WARN, "workflow.schedule",
                "org %s: workflow %s: its schedule never fires within 8 years", x->org, item->name);
    return 0;
}

static void fire(srv_ctx *ctx, sched *x, const srv_wf *item, int64_t now)
{
    int64_t t = x->next, n, missed = 0;
    for (int i = 0; i < CATCHUP_STEPS_MAX && (n = cron_next(item->w, t)) > 0 && n <= now; i++)
        t = n, missed++;
    char iso[32], at[32];
    srv_wf_iso(t, iso, sizeof iso);
    srv_wf_iso(now, at, sizeof at);
    json_t *in =
        json_pack("{s:s, s:s, s:s, s:s}", "fire_time", iso, "fired_at", at, "cron",
                  zf_workflow_trigger_value(item->w), "timezone", zf_workflow_timezone(item->w));
    /* the run's own times are the store's clock (a worker claims by it) */
    zf_runner_start_opts o = {x->org, ZF_TRIGGER_SCHEDULE, iso, in, NULL, "schedule", 0};
    zf_store_run run;
    int created = 0;
    zf_error err = ZF_ERROR_INIT;
    int rc = in ? srv_wf_start_run(ctx, item->w, &o, &run, &created, NULL, &err)
                : zf_error_set(&err, ZF_ENOMEM, "out of memory");
    json_decref(in);
    if (rc != 0 && rc != ZF_EVALIDATION) {
        srv_log(NULL, ZF_LOG_WARN, "workflow.schedule",
                "org %s: workflow %s at %s: not started, tried again: %s", x->org, item->name, iso,
                err.message);
        return;
    }
    if (rc == 0) {
        if (missed)
            srv_log(NULL, ZF_LOG_INFO, "workflow.schedule",
                    "org %s: workflow %s: %lld fire time(s) passed while no scheduler ran; "
                    "fired the latest (%s) once",
                    x->org, item->name, (long long)missed, iso);
        zf_store_run_free(&run);
    } else {
        srv_log(NULL, ZF_LOG_WARN, "workflow.refused", "org %s: workflow %s at %s: %s", x->org,
                item->name, iso, err.message);
    }
    x->last = t;
    x->next = cron_next(item->w, t);
}

static void schedule_org(srv_ctx *ctx, zf_store *st, const char *org, int64_t now)
{
    srv_wf_list *l = NULL;
    zf_error err = ZF_ERROR_INIT;
    if (srv_wf_for_org(ctx, org, &l, &err) != 0) {
        srv_log(NULL, ZF_LOG_WARN, "workflow.schedule", "org %s: reading its workflows: %s", org,
                err.message);
        return;
    }
    for (size_t i = 0; i < l->n; i++) {
        const srv_wf *item = &l->items[i];
        if (zf_workflow_trigger(item->w) != ZF_WF_ON_SCHEDULE)
            continue;
        sched *x = S;
        while (x && !(strcmp(x->org, org) == 0 && strcmp(x->name, item->name) == 0))
            x = x->link;
        if (!x) {
            x = calloc(1, sizeof *x);
            if (!x || !(x->name = strdup(item->name))) {
                free(x);
                continue;
            }
            snprintf(x->org, sizeof x->org, "%s", org);
            x->link = S;
            S = x;
        }
        if ((x->version != item->version || !x->last) && sched_init(x, st, item) != 0) {
            x->version = 0;
            continue;
        }
        if (x->next > 0 && now >= x->next)
            fire(ctx, x, item, now);
    }
    srv_wf_release(l);
}

void srv_wf_schedule_tick(srv_ctx *ctx)
{
    zf_store *st = NULL;
    zf_store_org *orgs = NULL;
    size_t n = 0;
    zf_error err = ZF_ERROR_INIT;
    if (srv_ctx_store(ctx, &st, &err) != 0 || zf_store_org_list(st, &orgs, &n, &err) != 0)
        return;
    int64_t now = srv_wf_now(ctx);
    for (size_t i = 0; i < n; i++)
        schedule_org(ctx, st, orgs[i].slug, now);
    zf_store_org_free_list(orgs, n);
}
