/*
 * Executing one claimed run (runner.h, docs/runs.md "The runner"): the
 * render context, the steps in order (if:, for_each: items one after the
 * other), send before the request, reconcile of a sent create on resume,
 * the retry policy, and the lease renewed by a thread meanwhile.
 *
 * Invariant: no request goes out unless its step's `sent` committed under
 * the lease, and a step found `sent` is reconciled (creates) before any
 * new request. for_each items run up to `concurrency` at once: one lane
 * per item in flight, each a thread with its own Zoom client made from the
 * run's (zf_zoom_sibling_new: one rate-limit pacer for all) and its own
 * render context; the items' records, the lease and the failure state are
 * the exec's, shared (the store is thread-safe; the rest under e->smu).
 */
#include "runner_internal.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/action_run.h"
#include "zoomflow/download.h"
#include "zoomflow/json.h"
#include "zoomflow/log.h"

#define STEP_FAILED 1 /* the step failed: err holds why */
#define STEP_RESET 2  /* a sent step proven to have had no effect: send it */
#define COND_RUN 4    /* `if:` true (or none): run the step */
#define JSON_MAX (16u << 20)

typedef struct exec {
    zf_runner *r;
    zf_store *st;
    zf_store_run *run;
    zf_store_lease l;
    zf_zoom *z;
    const char *granted;
    const zf_workflow *w;
    json_t *ctx, *steps; /* steps: borrowed from ctx */
    zf_store_step *recs;
    size_t nrecs;
    /* what concurrent items share (under smu) */
    pthread_mutex_t smu;
    int must_fail;           /* a failure continue_on_error does not cover */
    const char *failed_step; /* the last step (and item) that failed */
    int64_t failed_item;
    /* the renewal thread */
    pthread_t renewer;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int renewing, quit;
    atomic_int lost; /* set by the renewer and by a write answered ZF_EBUSY */
} exec;

/* Where one item runs: the Zoom client and render context of its thread
 * (the run's own for the steps and the first lane of a for_each). */
typedef struct lane {
    zf_zoom *z;
    json_t *ctx;
} lane;

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* Serialised: items of a concurrent for_each tell from several threads. */
static void note(exec *e, const char *step, int64_t item, int state, const json_t *detail,
                 const char *text)
{
    if (!e->r->o.on_step)
        return;
    pthread_mutex_lock(&e->smu);
    e->r->o.on_step(e->r->o.step_ctx, e->run, step, item, state, detail, text);
    pthread_mutex_unlock(&e->smu);
}

static void set_failed(exec *e, const char *step, int64_t item, int must)
{
    pthread_mutex_lock(&e->smu);
    e->failed_step = step;
    e->failed_item = item;
    if (must)
        e->must_fail = 1;
    pthread_mutex_unlock(&e->smu);
}

static int must_fail(exec *e)
{
    pthread_mutex_lock(&e->smu);
    int m = e->must_fail;
    pthread_mutex_unlock(&e->smu);
    return m;
}

/* ---- the lease ------------------------------------------------------------- */

static void *renew_main(void *arg)
{
    exec *e = arg;
    int64_t ttl = zf_runner__ttl(e->r);
    int64_t every_ms = ttl * 1000 / 3;
    if (every_ms < 100)
        every_ms = 100;
    pthread_mutex_lock(&e->mu);
    while (!e->quit) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += (time_t)(every_ms / 1000);
        ts.tv_nsec += (long)(every_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int w = pthread_cond_timedwait(&e->cv, &e->mu, &ts);
        if (e->quit)
            break;
        if (w != ETIMEDOUT)
            continue;
        pthread_mutex_unlock(&e->mu);
        zf_error err = ZF_ERROR_INIT;
        int rc = zf_store_run_renew(e->st, &e->l, now_s(), ttl, &err);
        if (rc == ZF_EBUSY)
            e->lost = 1;
        else if (rc != 0)
            zf_log(ZF_LOG_WARN, "runner", "run %lld: renewing the lease failed: %s",
                   (long long)e->l.run_id, err.message);
        pthread_mutex_lock(&e->mu);
        if (e->lost)
            break;
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

static void renew_start(exec *e)
{
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cv, NULL);
    e->renewing = pthread_create(&e->renewer, NULL, renew_main, e) == 0;
}

static void renew_stop(exec *e)
{
    if (e->renewing) {
        pthread_mutex_lock(&e->mu);
        e->quit = 1;
        pthread_cond_signal(&e->cv);
        pthread_mutex_unlock(&e->mu);
        pthread_join(e->renewer, NULL);
    }
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->mu);
}

/* A store write's code, with the lease watch: ZF_EBUSY marks it lost. */
static int guard(exec *e, int rc)
{
    if (rc == ZF_EBUSY)
        e->lost = 1;
    return rc;
}

/* ---- records --------------------------------------------------------------- */

static zf_store_step *find_rec(exec *e, const char *id, int64_t item)
{
    for (size_t i = 0; i < e->nrecs; i++)
        if (e->recs[i].item == item && strcmp(e->recs[i].step_id, id) == 0)
            return &e->recs[i];
    return NULL;
}

static int add_rec(exec *e, const char *id, int64_t item, int64_t index, zf_error *err)
{
    if (e->lost)
        return zf_error_set(err, ZF_EBUSY, "the lease on run %lld was lost",
                            (long long)e->l.run_id);
    zf_store_step row;
    memset(&row, 0, sizeof row);
    row.run_id = e->run->id;
    row.step_id = (char *)id;
    row.item = item;
    row.step_index = index;
    return guard(e, zf_store_step_add(e->st, &e->l, &row, 1, now_s(), err));
}

static json_t *parse_or_null(const char *text)
{
    json_t *j = NULL;
    zf_error err = ZF_ERROR_INIT;
    if (!text || zf_json_parse_value(&j, text, strlen(text), JSON_MAX, "stored step", &err) != 0)
        return json_null();
    return j;
}

static int fail_rec(exec *e, const zf_wf_step *s, int64_t item, zf_error *why, zf_error *err)
{
    json_t *j = zf_runner_error_json(why, s->id, item);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    zf_error werr = ZF_ERROR_INIT;
    int rc = guard(e, zf_store_step_fail(e->st, &e->l, s->id, item, text, now_s(), NULL, &werr));
    free(text);
    if (rc != 0) {
        *err = werr;
        return rc;
    }
    set_failed(e, s->id, item, 0);
    json_t *detail = json_string(why->message);
    note(e, s->id, item, ZF_STEP_FAILED, detail, why->hint[0] ? why->hint : NULL);
    json_decref(detail);
    if (err != why)
        *err = *why;
    return STEP_FAILED;
}

static int done_rec(exec *e, const zf_wf_step *s, int64_t item, const json_t *out, const char *how,
                    zf_error *err)
{
    char *text = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    int rc = guard(e, zf_store_step_done(e->st, &e->l, s->id, item, text, now_s(), NULL, err));
    free(text);
    if (rc == 0)
        note(e, s->id, item, ZF_STEP_DONE, out, how);
    return rc;
}

/* ---- resume: a step found sent ------------------------------------------------ */

static int transient(int code)
{
    return code == ZF_ESERVER || code == ZF_ENET || code == ZF_ETIMEOUT || code == ZF_ERATELIMIT;
}

/* 1 found, 0 absent, < 0 the look failed (err says why). */
static int look(exec *e, zf_zoom *z, const zf_action *a, const json_t *in, int64_t sent_at,
                json_t **found, zf_error *err)
{
    zf_action_source src;
    zf_action_source_zoom(&src, z);
    zf_reconcile_opts ro = ZF_RECONCILE_OPTS_INIT;
    ro.attempt_started = sent_at;
    int rc = 0;
    for (int round = 0; round < 3; round++) {
        if (round && zf_runner__sleep(e->r, 1000, &e->lost))
            return zf_error_set(err, ZF_ECANCELED, "stopped while reconciling");
        zf_error_reset(err);
        rc = zf_action_reconcile(found, a, in, &ro, &src, err);
        if (rc >= 0 || !transient(rc))
            break;
    }
    int64_t settle = e->r->o.settle_ms;
    if (rc == 0 && settle > 0 && (now_s() - sent_at) * 1000 < settle + 1000) {
        /* sent a moment ago: Zoom may still be working on it */
        if (zf_runner__sleep(e->r, settle, &e->lost))
            return zf_error_set(err, ZF_ECANCELED, "stopped while reconciling");
        zf_error_reset(err);
        rc = zf_action_reconcile(found, a, in, &ro, &src, err);
    }
    return rc;
}

static int found_output(json_t **out, const zf_action *a, const json_t *in, json_t *found,
                        zf_error *err)
{
    if (!a->output)
        return zf_action_normalise(out, a, found, ZF_OUTCOME_FOUND, err);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    int rc = a->output(&res, in, ZF_OUTCOME_FOUND, now_s(), err);
    *out = res.output;
    res.output = NULL;
    zf_action_result_free(&res);
    return rc;
}

static int resume_sent(exec *e, lane *ln, const zf_wf_step *s, const zf_store_step *rec,
                       json_t **out, zf_error *err)
{
    const zf_action *a = s->action;
    /* reads, idempotent writes and the download (it finishes the .part
     * files and skips the complete ones): again */
    if (!a || a->kind != ZF_ACTION_CREATE) {
        int rc = guard(e, zf_store_step_reset(e->st, &e->l, s->id, rec->item, now_s(), NULL, err));
        return rc ? rc : STEP_RESET;
    }
    json_t *in = parse_or_null(rec->input), *found = NULL;
    zf_error why = ZF_ERROR_INIT;
    int rc = a->reconcile ? look(e, ln->z, a, in, rec->sent_at, &found, &why)
                          : zf_error_set(&why, ZF_EAMBIGUOUS,
                                         "%s has no way to look for what "
                                         "it made",
                                         a->name);
    if (rc == ZF_ECANCELED || e->lost) {
        json_decref(in);
        *err = why;
        return e->lost ? ZF_EBUSY : ZF_ECANCELED;
    }
    if (rc == 1) {
        rc = found_output(out, a, in, found, err);
        json_decref(found);
        json_decref(in);
        if (rc == 0 && (rc = done_rec(e, s, rec->item, *out, "reconciled: found", err)) != 0) {
            json_decref(*out);
            *out = NULL;
        }
        return rc;
    }
    json_decref(in);
    if (rc == 0) {
        note(e, s->id, rec->item, ZF_STEP_PENDING, NULL, "reconciled: not there, sending again");
        rc = guard(e, zf_store_step_reset(e->st, &e->l, s->id, rec->item, now_s(), NULL, err));
        return rc ? rc : STEP_RESET;
    }
    char msg[ZF_ERROR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", why.message);
    zf_error_set(&why, ZF_EAMBIGUOUS,
                 "step %s (%s) was sent before its worker stopped, and whether it happened "
                 "cannot be told: %.300s",
                 s->id, a->name, msg);
    zf_error_hint_id(&why, ZF_HINT_CHECK_IN_ZOOM,
                     "look in Zoom for the %s this step creates (its recorded input is in the "
                     "run's steps) before retrying the run: a retry could create it twice",
                     a->item_type ? a->item_type : "object");
    zf_error_hint_arg(&why, ZF_HINT_ARG_ACTION, a->name);
    set_failed(e, s->id, rec->item, 1);
    return fail_rec(e, s, rec->item, &why, err);
}

/* ---- one step (or item) ------------------------------------------------------ */

static int retryable(int code)
{
    return code == ZF_ENET || code == ZF_ETIMEOUT || code == ZF_ESERVER || code == ZF_ERATELIMIT;
}

static int64_t backoff_ms(const zf_wf_retry *p, int attempt, const zf_error *err)
{
    int64_t d = p->delay_ms > 0 ? p->delay_ms : 1000;
    if (p->backoff == ZF_WF_BACKOFF_EXPONENTIAL)
        for (int i = 1; i < attempt && d < p->max_delay_ms; i++)
            d *= 2;
    if (p->max_delay_ms > 0 && d > p->max_delay_ms)
        d = p->max_delay_ms;
    if (err->retry_after > 0 && err->retry_after * 1000 > d && err->retry_after < 3600)
        d = err->retry_after * 1000;
    return d;
}

/* The step's `with:` against the context: the input to record. */
static int render_input(const json_t *ctx, const zf_wf_step *s, json_t **in, zf_error *err)
{
    if (!s->with) {
        *in = json_object();
        return *in ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    int rc = zf_wf_render(in, s->with, ctx, err);
    if (rc == 0 && !json_is_object(*in)) {
        json_decref(*in);
        *in = NULL;
        rc = zf_error_set(err, ZF_EVALIDATION, "step %s: `with:` did not render to an object",
                          s->id);
    }
    return rc;
}

/* The rendered inputs of `download: recording` checked (a templated value
 * is only known now): 0, or ZF_EVALIDATION naming each problem. */
static int download_check(const zf_wf_step *s, const json_t *in, zf_error *err)
{
    zf_problems p = ZF_PROBLEMS_INIT;
    zf_schema_check_object(&p, zf_wf_download_fields(), "", in, 0);
    if (p.count == 0) {
        zf_problems_free(&p);
        return 0;
    }
    zf_error_set(err, ZF_EVALIDATION, "step %s (download: recording): %s: %s", s->id,
                 p.items[0].path, p.items[0].message);
    zf_problems_free(&p);
    return ZF_EVALIDATION;
}

/* `download: recording`: every file of the recording into with.dir (made
 * when missing), resumed and skipped by zf_download_recording, so sending
 * it again after a crash finishes what was begun. */
static int run_download(exec *e, lane *ln, const zf_wf_step *s, const json_t *in, json_t **out,
                        zf_error *err)
{
    int rc = download_check(s, in, err);
    if (rc != 0)
        return rc;
    const json_t *mid = json_object_get(in, "meeting_id");
    char meeting[64];
    if (json_is_integer(mid))
        snprintf(meeting, sizeof meeting, "%lld", (long long)json_integer_value(mid));
    else
        snprintf(meeting, sizeof meeting, "%s", json_string_value(mid));
    const char *dir = json_string_value(json_object_get(in, "dir"));
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return zf_error_set(err, ZF_EIO, "step %s: cannot make the archive directory %s: %s", s->id,
                            dir, strerror(errno));
    zf_download_opts o = ZF_DOWNLOAD_OPTS_INIT;
    o.zoom = ln->z;
    o.tokens = zf_zoom_token_source(ln->z);
    if (e->r->o.download_http)
        o.http = *e->r->o.download_http;
    o.http.timeout_ms = 0; /* a large file may take long; a stall ends it */
    zf_download_result res;
    memset(&res, 0, sizeof res);
    rc = zf_download_recording(&res, &o, meeting, dir, err);
    if (rc != 0)
        return rc;
    *out = json_pack("{sI sI sI sI sI sI ss ss}", "files", (json_int_t)res.files, "downloaded",
                     (json_int_t)res.downloaded, "skipped", (json_int_t)res.skipped, "bytes",
                     (json_int_t)res.bytes, "total", (json_int_t)res.total, "attempts",
                     (json_int_t)res.attempts, "dir", dir, "manifest", ZF_DOWNLOAD_MANIFEST);
    return *out ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
}

/* Sends the pending step: send (recorded), the request, done or fail. 0
 * with *out, STEP_FAILED, a retry wanted (3), or < 0 (stop). */
/* The action's warnings (a `me` on a Server-to-Server connection, a
 * daily limit near) as the step's note, "warning: ..." each; NULL when
 * there are none or memory is short (the note is the log's, not the run's). */
static char *warnings_note(const zf_action_result *res)
{
    size_t n = json_array_size(res->warnings);
    if (!n)
        return NULL;
    zf_buf b = ZF_BUF_INIT(8192);
    for (size_t k = 0; k < n; k++)
        zf_buf_appendf(&b, "%swarning: %s", k ? "; " : "",
                       json_string_value(json_array_get(res->warnings, k)));
    if (b.failed) {
        zf_buf_free(&b);
        return NULL;
    }
    return zf_buf_take(&b);
}

static int send_step(exec *e, lane *ln, const zf_wf_step *s, int64_t item, int attempt,
                     json_t **out, zf_error *err)
{
    json_t *in = NULL;
    zf_error why = ZF_ERROR_INIT;
    if (render_input(ln->ctx, s, &in, &why) != 0)
        return fail_rec(e, s, item, &why, err);
    char *text = json_dumps(in, JSON_COMPACT);
    int rc = text ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
    if (rc == 0 && e->lost)
        rc = zf_error_set(err, ZF_EBUSY, "the lease was lost");
    if (rc == 0)
        rc = guard(e, zf_store_step_send(e->st, &e->l, s->id, item, text, now_s(), NULL, err));
    free(text);
    if (rc != 0) { /* not sent: the next owner reads what the store holds */
        json_decref(in);
        return rc;
    }
    note(e, s->id, item, ZF_STEP_SENT, in, NULL);
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    if (s->builtin == ZF_WF_BUILTIN_DOWNLOAD_RECORDING) {
        rc = run_download(e, ln, s, in, &res.output, &why);
    } else {
        zf_action_run_opts ao = ZF_ACTION_RUN_OPTS_INIT;
        ao.zoom = ln->z;
        ao.granted_scopes = e->granted;
        ao.store = e->st;
        ao.conn_id = e->run->org;
        rc = zf_action_run(&res, s->action, in, &ao, NULL, &why);
    }
    json_decref(in);
    if (rc == 0) {
        *out = res.output;
        res.output = NULL;
        char *how = warnings_note(&res);
        zf_action_result_free(&res);
        rc = done_rec(e, s, item, *out, how, err);
        free(how);
        if (rc != 0) {
            json_decref(*out);
            *out = NULL;
        }
        return rc;
    }
    zf_action_result_free(&res);
    if (e->lost)
        return zf_error_set(err, ZF_EBUSY, "the lease was lost during the request");
    if (retryable(rc) && attempt < s->retry.max_attempts) {
        *err = why;
        return 3;
    }
    if (rc == ZF_EAMBIGUOUS)
        set_failed(e, s->id, item, 1);
    return fail_rec(e, s, item, &why, err);
}

/* One step or for_each item: whatever its record says, to done (0 with
 * *out), STEP_FAILED (err), or < 0: stop working on the run. */
static int run_item(exec *e, lane *ln, const zf_wf_step *s, size_t index, int64_t item,
                    int have_row, json_t **out, zf_error *err)
{
    *out = NULL;
    zf_store_step *rec = find_rec(e, s->id, item);
    int rc = 0;
    if (!rec && !have_row && (rc = add_rec(e, s->id, item, (int64_t)index, err)) != 0)
        return rc;
    int state = rec ? rec->state : ZF_STEP_PENDING;
    if (state == ZF_STEP_DONE || state == ZF_STEP_SKIPPED) {
        *out = parse_or_null(rec->output);
        return 0;
    }
    if (state == ZF_STEP_FAILED) {
        set_failed(e, s->id, item, 0);
        zf_runner_error_from_json(err, rec->error);
        return STEP_FAILED;
    }
    if (state == ZF_STEP_SENT) {
        rc = resume_sent(e, ln, s, rec, out, err);
        if (rc != STEP_RESET)
            return rc;
    }
    for (int attempt = 1;; attempt++) {
        if (zf_runner_stopping(e->r))
            return zf_error_set(err, ZF_ECANCELED, "the runner is stopping");
        rc = send_step(e, ln, s, item, attempt, out, err);
        if (rc != 3)
            return rc;
        int64_t wait = backoff_ms(&s->retry, attempt, err);
        char text[160];
        snprintf(text, sizeof text, "retry %d of %d in %lld ms: %.80s", attempt + 1,
                 s->retry.max_attempts, (long long)wait, err->message);
        note(e, s->id, item, ZF_STEP_PENDING, NULL, text);
        rc = guard(e, zf_store_step_reset(e->st, &e->l, s->id, item, now_s(), NULL, err));
        if (rc != 0)
            return rc;
        if (zf_runner__sleep(e->r, wait, &e->lost))
            return e->lost ? zf_error_set(err, ZF_EBUSY, "the lease was lost")
                           : zf_error_set(err, ZF_ECANCELED, "the runner is stopping");
    }
}

/* ---- the steps ------------------------------------------------------------------ */

static void set_output(exec *e, const char *id, json_t *out, int skipped)
{
    json_t *o = json_object();
    json_object_set_new(o, "output", out ? out : json_null());
    if (skipped)
        json_object_set_new(o, "skipped", json_true());
    json_object_set_new(e->steps, id, o);
}

/* `if:`: COND_RUN, 0 skip (recorded), < 0 stop, STEP_FAILED. */
static int check_cond(exec *e, const zf_wf_step *s, size_t index, zf_error *err)
{
    zf_store_step *rec = find_rec(e, s->id, -1);
    if (rec && rec->state == ZF_STEP_SKIPPED)
        return 0;
    /* a for_each step's `if:` is rendered for each item (item_cond) */
    if (!s->cond || s->for_each || (rec && rec->state != ZF_STEP_PENDING))
        return COND_RUN;
    json_t *v = NULL;
    zf_error why = ZF_ERROR_INIT;
    if (zf_wf_render(&v, s->cond, e->ctx, &why) != 0) {
        int rc = rec ? 0 : add_rec(e, s->id, -1, (int64_t)index, err);
        return rc ? rc : fail_rec(e, s, -1, &why, err);
    }
    int yes = zf_wf_truthy(v);
    json_decref(v);
    if (yes)
        return COND_RUN;
    int rc = rec ? 0 : add_rec(e, s->id, -1, (int64_t)index, err);
    if (rc == 0)
        rc = guard(e, zf_store_step_skip(e->st, &e->l, s->id, -1, now_s(), NULL, err));
    if (rc == 0)
        note(e, s->id, -1, ZF_STEP_SKIPPED, NULL, "if: false");
    return rc;
}

/* What a for_each item whose `if:` was false leaves in the step's output. */
static json_t *skipped_item(int64_t i)
{
    return json_pack("{s:b,s:I,s:s}", "skipped", 1, "item", (json_int_t)i, "reason", "if: false");
}

/* A for_each step's `if:` for item i, rendered with the item (in ln's
 * context): COND_RUN, 0 skipped (recorded; *one the marker), STEP_FAILED
 * (it did not render), < 0 stop. */
static int item_cond(exec *e, lane *ln, const zf_wf_step *s, int64_t i, json_t **one, zf_error *err)
{
    zf_store_step *rec = find_rec(e, s->id, i);
    int state = rec ? rec->state : ZF_STEP_PENDING;
    if (state == ZF_STEP_SKIPPED) {
        *one = skipped_item(i);
        return 0;
    }
    if (!s->cond || state != ZF_STEP_PENDING)
        return COND_RUN;
    json_t *v = NULL;
    zf_error why = ZF_ERROR_INIT;
    if (zf_wf_render(&v, s->cond, ln->ctx, &why) != 0)
        return fail_rec(e, s, i, &why, err);
    int yes = zf_wf_truthy(v);
    json_decref(v);
    if (yes)
        return COND_RUN;
    int rc = guard(e, zf_store_step_skip(e->st, &e->l, s->id, i, now_s(), NULL, err));
    if (rc == 0) {
        note(e, s->id, i, ZF_STEP_SKIPPED, NULL, "if: false");
        *one = skipped_item(i);
    }
    return rc;
}

/* A for_each's items, shared by its lanes: the next index to take, the
 * outputs, and the first outcome that stops the rest (under mu). */
typedef struct each {
    exec *e;
    const zf_wf_step *s;
    size_t index;
    json_t *list, *out;
    pthread_mutex_t mu;
    size_t next;
    int rc; /* 0, STEP_FAILED (the first), or < 0 (the first; wins) */
    zf_error err;
} each;

typedef struct each_lane {
    each *x;
    lane ln;
    pthread_t th;
    int started;
} each_lane;

/* Records one item's outcome: 1 when no more items are to be taken. */
static int each_outcome(each *x, size_t i, json_t *one, int rc, const zf_error *err)
{
    pthread_mutex_lock(&x->mu);
    json_array_set_new(x->out, i, one ? one : json_null());
    if (rc == STEP_FAILED && x->s->continue_on_error && !must_fail(x->e))
        rc = 0;
    if (rc < 0 && x->rc >= 0) {
        x->rc = rc;
        x->err = *err;
    } else if (rc == STEP_FAILED && x->rc == 0) {
        x->rc = rc;
        x->err = *err;
    }
    int stop = x->rc != 0 || x->e->lost;
    pthread_mutex_unlock(&x->mu);
    return stop;
}

static void each_run(each_lane *el)
{
    each *x = el->x;
    for (;;) {
        pthread_mutex_lock(&x->mu);
        int stop = x->rc != 0 || x->e->lost || x->next >= json_array_size(x->list);
        size_t i = x->next++;
        pthread_mutex_unlock(&x->mu);
        if (stop)
            return;
        zf_error err = ZF_ERROR_INIT;
        json_t *one = NULL;
        int rc = zf_runner_stopping(x->e->r)
                     ? zf_error_set(&err, ZF_ECANCELED, "the runner is stopping")
                     : 0;
        if (rc == 0) {
            json_object_set(el->ln.ctx, "item", json_array_get(x->list, i));
            rc = item_cond(x->e, &el->ln, x->s, (int64_t)i, &one, &err);
            if (rc == COND_RUN)
                rc = run_item(x->e, &el->ln, x->s, x->index, (int64_t)i, 1, &one, &err);
        }
        if (each_outcome(x, i, one, rc, &err))
            return;
    }
}

static void *each_main(void *arg)
{
    each_run(arg);
    return NULL;
}

/* The items on up to `concurrency` lanes: this thread with the run's
 * client, the others on threads with sibling clients (one pacer). A lane
 * that cannot be made leaves the work to the others. */
static int run_lanes(each *x, zf_error *err)
{
    exec *e = x->e;
    size_t n = (size_t)(x->s->concurrency > 1 ? x->s->concurrency : 1);
    if (n > json_array_size(x->list))
        n = json_array_size(x->list);
    each_lane *lanes = n > 1 ? calloc(n, sizeof *lanes) : NULL;
    if (!lanes)
        n = 1;
    for (size_t k = 1; k < n; k++) {
        each_lane *el = &lanes[k];
        el->x = x;
        zf_error lerr = ZF_ERROR_INIT;
        if (zf_zoom_sibling_new(&el->ln.z, e->z, &lerr) != 0 || !(el->ln.ctx = json_copy(e->ctx))) {
            zf_log(ZF_LOG_WARN, "runner", "run %lld: step %s: one lane fewer: %s",
                   (long long)e->run->id, x->s->id, lerr.message[0] ? lerr.message : "no memory");
            continue;
        }
        el->started = pthread_create(&el->th, NULL, each_main, el) == 0;
    }
    each_lane self = {x, {e->z, e->ctx}, 0, 0};
    each_run(&self);
    for (size_t k = 1; k < n; k++) {
        if (lanes[k].started)
            pthread_join(lanes[k].th, NULL);
        zf_zoom_free(lanes[k].ln.z);
        json_decref(lanes[k].ln.ctx);
    }
    free(lanes);
    if (x->rc != 0)
        *err = x->err;
    return x->rc;
}

/* The rows of the items not recorded yet, in one write (the store leaves
 * rows already there as they are). */
static int add_items(exec *e, const zf_wf_step *s, size_t index, size_t n, zf_error *err)
{
    zf_store_step *rows = n ? calloc(n, sizeof *rows) : NULL;
    if (n && !rows)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (find_rec(e, s->id, (int64_t)i))
            continue;
        rows[k].run_id = e->run->id;
        rows[k].step_id = (char *)s->id;
        rows[k].item = (int64_t)i;
        rows[k].step_index = (int64_t)index;
        k++;
    }
    int rc = 0;
    if (k && e->lost)
        rc = zf_error_set(err, ZF_EBUSY, "the lease on run %lld was lost", (long long)e->l.run_id);
    else if (k)
        rc = guard(e, zf_store_step_add(e->st, &e->l, rows, k, now_s(), err));
    free(rows);
    return rc;
}

static int run_each(exec *e, const zf_wf_step *s, size_t index, json_t **out, zf_error *err)
{
    json_t *list = NULL;
    zf_error why = ZF_ERROR_INIT;
    int rc = zf_wf_render(&list, s->for_each, e->ctx, &why);
    if (rc == 0 && !json_is_array(list))
        rc = zf_error_set(&why, ZF_EVALIDATION, "step %s: for_each rendered %s, not a list", s->id,
                          zf_json_type_name(list));
    if (rc != 0) {
        json_decref(list);
        zf_store_step *rec = find_rec(e, s->id, -1);
        if (rec && rec->state == ZF_STEP_FAILED) { /* failed before a crash */
            set_failed(e, s->id, -1, 0);
            zf_runner_error_from_json(err, rec->error);
            return STEP_FAILED;
        }
        rc = rec ? 0 : add_rec(e, s->id, -1, (int64_t)index, err);
        return rc ? rc : fail_rec(e, s, -1, &why, err);
    }
    if ((rc = add_items(e, s, index, json_array_size(list), err)) != 0) {
        json_decref(list);
        return rc;
    }
    *out = json_array();
    for (size_t i = 0; *out && i < json_array_size(list); i++)
        json_array_append_new(*out, json_null());
    each x;
    memset(&x, 0, sizeof x);
    x.e = e;
    x.s = s;
    x.index = index;
    x.list = list;
    x.out = *out;
    pthread_mutex_init(&x.mu, NULL);
    rc = *out ? run_lanes(&x, err) : zf_error_set(err, ZF_ENOMEM, "out of memory");
    pthread_mutex_destroy(&x.mu);
    json_object_del(e->ctx, "item");
    json_decref(list);
    return rc;
}

/* 0 on (done | skipped | failed under continue_on_error), STEP_FAILED, < 0. */
static int run_step(exec *e, size_t index, zf_error *err)
{
    const zf_wf_step *s = zf_workflow_step(e->w, index);
    int rc = check_cond(e, s, index, err);
    if (rc != COND_RUN) {
        if (rc == 0)
            set_output(e, s->id, NULL, 1);
        return rc;
    }
    json_t *out = NULL;
    lane self = {e->z, e->ctx};
    rc = s->for_each ? run_each(e, s, index, &out, err)
                     : run_item(e, &self, s, index, -1, 0, &out, err);
    if (rc == STEP_FAILED && s->continue_on_error && !must_fail(e)) {
        zf_log(ZF_LOG_INFO, "runner", "run %lld: step %s failed, continue_on_error: %s",
               (long long)e->run->id, s->id, err->message);
        zf_error_reset(err);
        rc = 0;
    }
    if (rc == 0)
        set_output(e, s->id, out, 0);
    else
        json_decref(out);
    return rc;
}

static json_t *env_object(const zf_runner *r)
{
    json_t *env = json_object();
    for (const char *const *n = r->o.env_allowed; n && *n; n++) {
        const char *v = getenv(*n);
        if (v)
            json_object_set_new(env, *n, json_string(v));
    }
    return env;
}

static int exec_prepare(exec *e, zf_error *err)
{
    json_t *event = NULL;
    const char *in = e->run->input ? e->run->input : "{}";
    int rc = zf_json_parse_value(&event, in, strlen(in), JSON_MAX, "the run's input", err);
    if (rc != 0)
        return rc;
    e->ctx = json_object();
    e->steps = json_object();
    json_object_set(e->ctx, "event", event);
    json_object_set_new(e->ctx, "input", event);
    json_object_set(e->ctx, "steps", e->steps);
    json_object_set_new(e->ctx, "env", env_object(e->r));
    json_decref(e->steps);
    return zf_store_step_list(e->st, e->run->id, &e->recs, &e->nrecs, err);
}

/* The run's end under the lease: done, or failed with err as its error. */
static int finish(exec *e, int failed, const zf_error *why, zf_error *err)
{
    char *text = NULL;
    if (failed) {
        json_t *j = zf_runner_error_json(why, e->failed_step, e->failed_item);
        text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
    }
    int rc =
        e->lost
            ? zf_error_set(err, ZF_EBUSY, "the lease on run %lld was lost", (long long)e->l.run_id)
            : guard(e, zf_store_run_finish(e->st, &e->l, failed ? ZF_RUN_FAILED : ZF_RUN_DONE, text,
                                           now_s(), err));
    free(text);
    return rc;
}

int zf_runner_exec(zf_runner *r, zf_store_run *run, zf_zoom *z, const char *granted, int *state,
                   zf_error *err)
{
    exec e;
    memset(&e, 0, sizeof e);
    e.r = r;
    e.st = r->o.store;
    e.run = run;
    e.l = zf_store_run_lease(run);
    e.z = z;
    e.granted = granted;
    pthread_mutex_init(&e.smu, NULL);
    if (state)
        *state = ZF_RUN_RUNNING;
    renew_start(&e);
    zf_error why = ZF_ERROR_INIT;
    int rc = zf_runner__workflow(r, run, &e.w, &why);
    if (rc == 0)
        rc = exec_prepare(&e, &why);
    if (rc != 0 && rc != ZF_ESTORE && rc != ZF_ENOMEM && rc != ZF_EBUSY)
        rc = STEP_FAILED; /* a version that no longer loads, an input that does not parse */
    else if (rc != 0)
        *err = why;
    for (size_t i = 0; rc == 0 && i < zf_workflow_step_count(e.w); i++) {
        if (e.lost)
            rc = zf_error_set(err, ZF_EBUSY, "the lease on run %lld was lost", (long long)run->id);
        else if (zf_runner_stopping(r))
            rc = zf_error_set(err, ZF_ECANCELED, "the runner is stopping");
        else if ((rc = run_step(&e, i, &why)) < 0)
            *err = why;
    }
    if (rc == ZF_ECANCELED && !e.lost) {
        zf_error rerr = ZF_ERROR_INIT;
        if (guard(&e, zf_store_run_release(e.st, &e.l, now_s(), now_s(), &rerr)) == ZF_EBUSY)
            rc = ZF_EBUSY;
    } else if (rc == 0 || rc == STEP_FAILED) {
        int failed = rc == STEP_FAILED;
        rc = finish(&e, failed, &why, err);
        if (rc == 0) {
            if (state)
                *state = failed ? ZF_RUN_FAILED : ZF_RUN_DONE;
            if (failed)
                *err = why;
        }
    }
    if (e.lost && rc != 0)
        rc = ZF_EBUSY;
    renew_stop(&e);
    pthread_mutex_destroy(&e.smu);
    json_decref(e.ctx);
    zf_store_step_free_list(e.recs, e.nrecs);
    return rc;
}
