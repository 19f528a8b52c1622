/* The runner's parts shared by runner.c (start, the definition cache,
 * errors), runner_exec.c (one run) and runner_work.c (the pool). */
#ifndef ZF_RUNNER_INTERNAL_H
#define ZF_RUNNER_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "zoomflow/runner.h"

typedef struct runner_wf {
    char *org, *name;
    int64_t version;
    zf_workflow *w;
    struct runner_wf *next;
} runner_wf;

struct zf_runner {
    zf_runner_opts o;
    atomic_int stop;      /* set by zf_runner_stop, from a signal handler too (lock-free) */
    pthread_mutex_t lock; /* the definition cache */
    runner_wf *cache;
};

/* The definition a run keeps (org, workflow, version), loaded from the
 * store once and kept (borrowed, lives as long as r). */
int zf_runner__workflow(zf_runner *r, const zf_store_run *run, const zf_workflow **out,
                        zf_error *err);
int64_t zf_runner__ttl(const zf_runner *r);
/* Sleeps ms in slices, returning early (1) when *abort_flag or r->stop
 * is set; 0 after the whole wait. */
int zf_runner__sleep(zf_runner *r, int64_t ms, const atomic_int *abort_flag);

#endif
