/*
 * The worker pool (runner.h zf_runner_work): W threads, each claiming one
 * run at a time for the pool's owner and executing it with its own Zoom
 * client per org (zf_session_zoom_new over the org's session), until
 * zf_runner_stop or, with `once`, until nothing is left.
 *
 * Leader and followers: one idle worker at a time claims (and polls the
 * store while nothing is queued); the others wait until it has a run and
 * hands the claiming on. An idle pool so costs one query a poll, not one
 * per worker, and the idle workers touch no memory (a thread's first
 * malloc gives it an arena: four polling workers held ~2 MiB of the
 * service's idle RSS).
 */
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zoomflow/crypt.h"
#include "zoomflow/log.h"

typedef struct org_zoom {
    char *org;
    zf_zoom *z;
    const char *granted;
    struct org_zoom *next;
} org_zoom;

typedef struct pool {
    zf_runner *r;
    const zf_runner_work_opts *o;
    char owner[320];
    pthread_mutex_t mu;
    pthread_cond_t turn; /* the claimer has handed on, or the pool is ending */
    int claiming;        /* a worker is the claimer (under mu) */
    int finished;        /* once found nothing, or the store failed: all end */
    zf_runner_work_stats stats;
    int rc;
    zf_error err;
} pool;

static void pool_fail(pool *p, int rc, const zf_error *err)
{
    pthread_mutex_lock(&p->mu);
    if (!p->rc) {
        p->rc = rc;
        p->err = *err;
    }
    p->finished = 1;
    pthread_cond_broadcast(&p->turn);
    pthread_mutex_unlock(&p->mu);
}

static void count(pool *p, int64_t *what)
{
    pthread_mutex_lock(&p->mu);
    (*what)++;
    pthread_mutex_unlock(&p->mu);
}

static int zoom_for(pool *p, org_zoom **cache, const char *org, org_zoom **out, zf_error *err)
{
    for (org_zoom *c = *cache; c; c = c->next)
        if (strcmp(c->org, org) == 0) {
            *out = c;
            return 0;
        }
    if (!p->r->o.session_for)
        return zf_error_set(err, ZF_EINVAL, "the runner was given no sessions to work with");
    zf_session *s = NULL;
    int rc = p->r->o.session_for(p->r->o.session_ctx, org, &s, err);
    org_zoom *c = rc == 0 ? calloc(1, sizeof *c) : NULL;
    if (rc == 0 && (!c || !(c->org = strdup(org))))
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    if (rc == 0)
        rc = zf_session_zoom_new(s, &c->z, NULL, &c->granted, err);
    if (rc != 0) {
        if (c)
            free(c->org);
        free(c);
        return rc;
    }
    c->next = *cache;
    *cache = c;
    *out = c;
    return 0;
}

/* A run whose org has no working connection fails (the error says how
 * to connect), so it is not claimed again and again. */
static int fail_unconnected(pool *p, zf_store_run *run, const zf_error *why)
{
    json_t *j = zf_runner_error_json(why, NULL, -1);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    zf_store_lease l = zf_store_run_lease(run);
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_store_run_finish(p->r->o.store, &l, ZF_RUN_FAILED, text, (int64_t)time(NULL), &err);
    if (rc == 0)
        count(p, &p->stats.failed);
    free(text);
    return rc;
}

static void tell(pool *p, const zf_store_run *run, int phase, int state, const zf_error *err)
{
    if (p->o->on_run)
        p->o->on_run(p->o->run_ctx, run, phase, state, err);
}

static void exec_one(pool *p, org_zoom **cache, zf_store_run *run)
{
    zf_error err = ZF_ERROR_INIT;
    org_zoom *c = NULL;
    tell(p, run, ZF_RUNNER_RUN_START, ZF_RUN_RUNNING, &err);
    if (zoom_for(p, cache, run->org, &c, &err) != 0) {
        zf_log(ZF_LOG_WARN, "runner", "run %lld: org %s: %s", (long long)run->id, run->org,
               err.message);
        if (err.code == ZF_ENOTCONNECTED || err.code == ZF_ECONFIG) {
            if (fail_unconnected(p, run, &err) == 0) {
                tell(p, run, ZF_RUNNER_RUN_END, ZF_RUN_FAILED, &err);
                return;
            }
        }
        tell(p, run, ZF_RUNNER_RUN_LEFT, ZF_RUN_RUNNING, &err);
        return;
    }
    int state = 0;
    int rc = zf_runner_exec(p->r, run, c->z, c->granted, &state, &err);
    if (rc == 0) {
        count(p, state == ZF_RUN_DONE ? &p->stats.done : &p->stats.failed);
        tell(p, run, ZF_RUNNER_RUN_END, state, &err);
    } else if (rc == ZF_EBUSY) {
        count(p, &p->stats.lost);
        tell(p, run, ZF_RUNNER_RUN_LOST, ZF_RUN_RUNNING, &err);
    } else if (rc == ZF_ECANCELED) {
        count(p, &p->stats.released);
        tell(p, run, ZF_RUNNER_RUN_RELEASED, ZF_RUN_QUEUED, &err);
    } else {
        zf_log(ZF_LOG_WARN, "runner", "run %lld: %s (left to the next claim)", (long long)run->id,
               err.message);
        tell(p, run, ZF_RUNNER_RUN_LEFT, ZF_RUN_RUNNING, &err);
    }
}

/* With once: 1 when none of once_org's runs is queued or running. */
static int nothing_left(pool *p)
{
    if (!p->o->once_org)
        return 1;
    for (int state = ZF_RUN_QUEUED; state <= ZF_RUN_RUNNING; state++) {
        zf_store_run_filter f = ZF_STORE_RUN_FILTER_INIT;
        f.org = p->o->once_org;
        f.state = state;
        f.limit = 1;
        zf_store_run *list = NULL;
        size_t n = 0;
        int64_t next = 0;
        zf_error err = ZF_ERROR_INIT;
        int rc = zf_store_run_list(p->r->o.store, &f, &list, &n, &next, &err);
        zf_store_run_free_list(list, n);
        if (rc != 0 || n)
            return 0;
    }
    return 1;
}

/* Waits to be the claimer: 1 once it is, 0 when the pool is ending. The
 * wait wakes every 100 ms to see zf_runner_stop (a signal handler's flag,
 * which cannot signal the condition). */
static int take_turn(pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->claiming && !p->finished && !zf_runner_stopping(p->r)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->turn, &p->mu, &ts);
    }
    int mine = !p->finished && !zf_runner_stopping(p->r);
    if (mine)
        p->claiming = 1;
    pthread_mutex_unlock(&p->mu);
    return mine;
}

static void hand_on(pool *p, int finished)
{
    pthread_mutex_lock(&p->mu);
    p->claiming = 0;
    if (finished)
        p->finished = 1;
    pthread_cond_broadcast(&p->turn);
    pthread_mutex_unlock(&p->mu);
}

/* As the claimer: claims until a run comes (*list, *n > 0; returns 1),
 * polling while none is queued. 0: the pool ends (stop, once and nothing
 * left, or the store failed 20 times in a row). */
static int claim_next(pool *p, zf_store_run **list, size_t *n)
{
    int64_t poll = p->o->poll_ms > 0 ? p->o->poll_ms : 500;
    int store_failures = 0;
    while (!zf_runner_stopping(p->r)) {
        zf_error err = ZF_ERROR_INIT;
        int rc = zf_store_run_claim(p->r->o.store, p->owner, (int64_t)time(NULL),
                                    zf_runner__ttl(p->r), 1, list, n, &err);
        if (rc != 0) {
            zf_log(ZF_LOG_WARN, "runner", "claiming runs failed: %s", err.message);
            if (++store_failures >= 20) {
                pool_fail(p, rc, &err);
                return 0;
            }
            zf_runner__sleep(p->r, poll, NULL);
            continue;
        }
        store_failures = 0;
        if (*n)
            return 1;
        zf_store_run_free_list(*list, *n);
        *list = NULL;
        if (p->o->once && nothing_left(p))
            return 0;
        zf_runner__sleep(p->r, poll, NULL);
    }
    return 0;
}

static void *worker_main(void *arg)
{
    pool *p = arg;
    org_zoom *cache = NULL;
    while (take_turn(p)) {
        zf_store_run *list = NULL;
        size_t n = 0;
        int got = claim_next(p, &list, &n);
        hand_on(p, !got);
        if (!got)
            break;
        count(p, &p->stats.claimed);
        for (size_t i = 0; i < n; i++)
            exec_one(p, &cache, &list[i]);
        zf_store_run_free_list(list, n);
    }
    while (cache) {
        org_zoom *c = cache;
        cache = c->next;
        zf_zoom_free(c->z);
        free(c->org);
        free(c);
    }
    return NULL;
}

static void default_owner(char *out, size_t cap)
{
    char host[256] = "host";
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "host");
    host[sizeof host - 1] = '\0';
    unsigned char rnd[4] = {0};
    char hex[9];
    zf_random_bytes(rnd, sizeof rnd);
    zf_hex(rnd, sizeof rnd, hex);
    snprintf(out, cap, "%.200s:%ld:%s", host, (long)getpid(), hex);
}

int zf_runner_work(zf_runner *r, const zf_runner_work_opts *o, zf_runner_work_stats *stats,
                   zf_error *err)
{
    zf_runner_work_opts def = ZF_RUNNER_WORK_OPTS_INIT;
    pool p;
    memset(&p, 0, sizeof p);
    p.r = r;
    p.o = o ? o : &def;
    if (p.o->owner)
        snprintf(p.owner, sizeof p.owner, "%s", p.o->owner);
    else
        default_owner(p.owner, sizeof p.owner);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.turn, NULL);
    int n = p.o->workers < 1 ? 1 : p.o->workers > 64 ? 64 : p.o->workers;
    pthread_t *t = calloc((size_t)n, sizeof *t);
    int started = 0;
    for (int i = 0; t && i < n; i++, started++)
        if (pthread_create(&t[i], NULL, worker_main, &p) != 0)
            break;
    zf_log(ZF_LOG_INFO, "runner", "%d workers as %s", started, p.owner);
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
    pthread_cond_destroy(&p.turn);
    pthread_mutex_destroy(&p.mu);
    if (stats)
        *stats = p.stats;
    if (!started)
        return zf_error_set(err, ZF_ENOMEM, "no worker thread could be started");
    if (p.rc && err)
        *err = p.err;
    return p.rc;
}
