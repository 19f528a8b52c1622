/*
 * zf_runs_driver: drives the store's runs domain from a process of its own,
 * for tests/integration/test_runs_claim.py (several of these claim from one
 * database at once, as replicas would).
 *
 *   zf_runs_driver --db DSN seed --runs N
 *       creates N runs of workflow "w" in org "acme" (triggers t0..tN-1);
 *       prints "seeded N created=K" (K < N when they were there already)
 *   zf_runs_driver --db DSN work --owner NAME [--ttl S] [--batch K]
 *                  [--abandon-every M] [--tolerate-errors] [--max-seconds T]
 *       claims runs in a loop (K at a time, leases of S seconds, default 2)
 *       and works each: adds step s1, sends it (recorded before the
 *       "request", which is the printed line), marks it done, finishes the
 *       run. A run whose s1 is sent already is reconciled (marked done
 *       without a second send); one whose s1 is done is finished. Every Mth run claimed is abandoned, half
 *       before the send and half after it, as an owner that died would
 *       leave it: its lease runs out and another owner takes it over.
 *       Prints one line per event, flushed:
 *         claim ID SEQ     a run claimed under lease SEQ
 *         send ID SEQ      s1 recorded sent (the request would go out now)
 *         reconcile ID SEQ s1 found sent by an earlier owner
 *         resume ID SEQ    s1 found done by an earlier owner (its finish was
 *                          refused: the lease had ended)
 *         done ID SEQ      the run finished
 *         abandon ID SEQ   left for a takeover
 *         lost ID SEQ      a write refused because the lease was gone
 *         error CODE MSG   a store failure (with --tolerate-errors the run
 *                          is left for its lease to run out, and the loop
 *                          goes on; else the exit status is 1)
 *       and ends when no run is queued or running (or after T seconds,
 *       default 120: exit 2), with "worked claims=C".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text.h"
#include "zoomflow/store.h"

typedef struct opts {
    const char *db, *cmd, *owner;
    long runs, ttl, batch, abandon_every, max_seconds;
    int tolerate;
} opts;

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int usage(void)
{
    fprintf(stderr, "usage: zf_runs_driver --db DSN seed --runs N\n"
                    "       zf_runs_driver --db DSN work --owner NAME [--ttl S] [--batch K] "
                    "[--abandon-every M] [--tolerate-errors] [--max-seconds T]\n");
    return 64;
}

static int parse(opts *o, int argc, char **argv)
{
    *o = (opts){NULL, NULL, NULL, 0, 2, 3, 0, 120, 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long *num = strcmp(a, "--runs") == 0            ? &o->runs
                    : strcmp(a, "--ttl") == 0           ? &o->ttl
                    : strcmp(a, "--batch") == 0         ? &o->batch
                    : strcmp(a, "--abandon-every") == 0 ? &o->abandon_every
                    : strcmp(a, "--max-seconds") == 0   ? &o->max_seconds
                                                        : NULL;
        int64_t x = 0;
        if (num && v) {
            if (zf_parse_i64(v, 0, 1000000, &x) < 0)
                return -1;
            *num = (long)x;
            i++;
        } else if (strcmp(a, "--db") == 0 && v) {
            o->db = argv[++i];
        } else if (strcmp(a, "--owner") == 0 && v) {
            o->owner = argv[++i];
        } else if (strcmp(a, "--tolerate-errors") == 0) {
            o->tolerate = 1;
        } else if (a[0] != '-' && !o->cmd) {
            o->cmd = a;
        } else {
            return -1;
        }
    }
    return o->db && o->cmd ? 0 : -1;
}

static int seed(zf_store *st, const opts *o)
{
    zf_error err = ZF_ERROR_INIT;
    long created = 0;
    for (long i = 0; i < o->runs; i++) {
        char trig[32];
        snprintf(trig, sizeof trig, "t%ld", i);
        zf_store_run r = {0}, got;
        r.org = (char *)"acme";
        r.workflow = (char *)"w";
        r.version = 1;
        r.trigger_kind = ZF_TRIGGER_EVENT;
        r.trigger_id = trig;
        r.input = (char *)"{}";
        int c = 0, rc = zf_store_run_create(st, &r, now_s(), &got, &c, &err);
        if (rc < 0) {
            fprintf(stderr, "error %s %s\n", zf_code_name(rc), err.message);
            return 1;
        }
        created += c;
        zf_store_run_free(&got);
    }
    printf("seeded %ld created=%ld\n", o->runs, created);
    return 0;
}

/* A failed call: lost leases are expected; store errors end the run's turn.
 * Returns 1 when the loop may go on. */
static int failed(const opts *o, const zf_store_lease *l, int rc, const zf_error *err)
{
    if (rc == ZF_EBUSY) {
        printf("lost %lld %lld\n", (long long)l->run_id, (long long)l->seq);
        return 1;
    }
    printf("error %s %s\n", zf_code_name(rc), err->message);
    return o->tolerate;
}

/* Works one claimed run; n counts the runs this process claimed. */
static int work_one(zf_store *st, const opts *o, const zf_store_run *r, long n)
{
    zf_error err = ZF_ERROR_INIT;
    zf_store_lease l = zf_store_run_lease(r);
    int abandon = o->abandon_every > 0 && n % o->abandon_every == 0;
    zf_store_step s1 = {.step_id = (char *)"s1", .item = -1, .step_index = 0}, got = {0};
    int rc = zf_store_step_add(st, &l, &s1, 1, now_s(), &err);
    if (rc < 0)
        return failed(o, &l, rc, &err);
    if (abandon && (n / o->abandon_every) % 2) {
        printf("abandon %lld %lld\n", (long long)l.run_id, (long long)l.seq);
        return 1;
    }
    rc = zf_store_step_send(st, &l, "s1", -1, "{\"n\":1}", now_s(), &got, &err);
    int was_done = rc == ZF_ECONFLICT && got.state == ZF_STEP_DONE;
    if (rc == ZF_ECONFLICT && got.state == ZF_STEP_SENT) {
        printf("reconcile %lld %lld\n", (long long)l.run_id, (long long)l.seq);
    } else if (was_done) {
        printf("resume %lld %lld\n", (long long)l.run_id, (long long)l.seq);
    } else if (rc < 0) {
        zf_store_step_free(&got);
        return failed(o, &l, rc, &err);
    } else {
        printf("send %lld %lld\n", (long long)l.run_id, (long long)l.seq);
    }
    zf_store_step_free(&got);
    if (abandon) {
        printf("abandon %lld %lld\n", (long long)l.run_id, (long long)l.seq);
        return 1;
    }
    if ((!was_done &&
         (rc = zf_store_step_done(st, &l, "s1", -1, "{\"ok\":true}", now_s(), NULL, &err)) < 0) ||
        (rc = zf_store_run_finish(st, &l, ZF_RUN_DONE, NULL, now_s(), &err)) < 0)
        return failed(o, &l, rc, &err);
    printf("done %lld %lld\n", (long long)l.run_id, (long long)l.seq);
    return 1;
}

/* 1 while some run is queued or running, 0 when none, < 0 on failure. */
static int unfinished(zf_store *st, zf_error *err)
{
    static const int states[] = {ZF_RUN_QUEUED, ZF_RUN_RUNNING};
    for (size_t i = 0; i < 2; i++) {
        zf_store_run_filter f = ZF_STORE_RUN_FILTER_INIT;
        zf_store_run *list = NULL;
        size_t n = 0;
        int64_t next = 0;
        f.org = "acme";
        f.state = states[i];
        f.limit = 1;
        int rc = zf_store_run_list(st, &f, &list, &n, &next, err);
        zf_store_run_free_list(list, n);
        if (rc < 0)
            return rc;
        if (n)
            return 1;
    }
    return 0;
}

static int work(zf_store *st, const opts *o)
{
    zf_error err = ZF_ERROR_INIT;
    int64_t end = now_s() + o->max_seconds;
    long claims = 0;
    if (!o->owner)
        return usage();
    while (now_s() < end) {
        zf_store_run *list = NULL;
        size_t n = 0;
        int rc = zf_store_run_claim(st, o->owner, now_s(), o->ttl, (size_t)o->batch, &list, &n,
                                    &err);
        if (rc < 0) {
            printf("error %s %s\n", zf_code_name(rc), err.message);
            fflush(stdout);
            if (!o->tolerate)
                return 1;
            pause_ms(100);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            printf("claim %lld %lld\n", (long long)list[i].id, (long long)list[i].lease_seq);
        int go = 1;
        for (size_t i = 0; i < n && go; i++)
            go = work_one(st, o, &list[i], ++claims);
        zf_store_run_free_list(list, n);
        fflush(stdout);
        if (!go)
            return 1;
        if (n == 0) {
            if ((rc = unfinished(st, &err)) == 0)
                break;
            if (rc < 0) {
                printf("error %s %s\n", zf_code_name(rc), err.message);
                if (!o->tolerate)
                    return 1;
            }
            pause_ms(50); /* others' leases: wait for them to end or finish */
        }
    }
    printf("worked claims=%ld\n", claims);
    return now_s() < end ? 0 : 2;
}

int main(int argc, char **argv)
{
    opts o;
    zf_error err = ZF_ERROR_INIT;
    zf_store *st = NULL;
    if (parse(&o, argc, argv) < 0)
        return usage();
    int rc = zf_store_open(&st, o.db, &err);
    if (rc < 0) {
        fprintf(stderr, "error %s %s\n", zf_code_name(rc), err.message);
        return 1;
    }
    rc = strcmp(o.cmd, "seed") == 0 ? seed(st, &o) : strcmp(o.cmd, "work") == 0 ? work(st, &o)
                                                                                 : usage();
    fflush(stdout);
    zf_store_free(st);
    return rc;
}
