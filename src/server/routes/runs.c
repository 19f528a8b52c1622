/*
 * The org's workflow runs (docs/runs.md, docs/service.md):
 *   GET  /api/v1/runs               newest first; ?state= ?workflow=
 *                                   ?trigger= ?limit= ?before= (the opaque
 *                                   next_before of the page before)
 *   GET  /api/v1/runs/{id}          the run with its steps
 *   POST /api/v1/runs/{id}/retry    a failed run queued again (operator)
 *   POST /api/v1/runs/{id}/cancel   a queued, running or failed run ended
 * The JSON of a run is the library's (zf_runner_run_json), the same as
 * `zoomflow runs show --json`. A run of another org is 404: every read and
 * change names the principal's org.
 */
#include "common.h"
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text.h"
#include "zoomflow/runner.h"
#include "zoomflow/store.h"

/* The cursor is "r" and the last id of the page before, in decimal: the
 * store's keyset position (runs with a smaller id). Clients pass it back
 * unchanged; its form is not part of the contract. */
static int cursor_parse(const char *s, int64_t *before)
{
    if (!s || s[0] != 'r')
        return -1;
    return zf_parse_i64(s + 1, 1, INT64_MAX, before) < 0 ? -1 : 0;
}

static int filter_of(srv_req *req, srv_resp *resp, zf_store_run_filter *f)
{
    static const char *const known[] = {"state", "workflow", "trigger", "limit", "before", NULL};
    const char *s;
    if (srv_query_only(req, resp, known) != 0)
        return -1;
    f->org = req->who->org;
    f->workflow = srv_query(req, "workflow");
    if (f->workflow && !*f->workflow)
        return srv_bad_query(resp, "workflow", "", "give a workflow's name, or leave it out",
                             ZF_HINT_LIST_RUNS);
    if ((s = srv_query(req, "state")) && (f->state = zf_run_state_parse(s)) < 0)
        return srv_bad_query(resp, "state", s,
                             "not a run state (queued, running, done, failed, cancelled)",
                             ZF_HINT_LIST_RUNS);
    if ((s = srv_query(req, "trigger")) && (f->trigger_kind = zf_trigger_kind_parse(s)) < 0)
        return srv_bad_query(resp, "trigger", s,
                             "not a trigger kind (event, zoom, schedule, manual, api)",
                             ZF_HINT_LIST_RUNS);
    int64_t lim = 50;
    if ((s = srv_query(req, "limit")) && zf_parse_i64(s, 1, 1000, &lim) < 0)
        return srv_bad_query(resp, "limit", s, "expected an integer from 1 to 1000",
                             ZF_HINT_LIST_RUNS);
    f->limit = (size_t)lim;
    if ((s = srv_query(req, "before")) && cursor_parse(s, &f->before) < 0)
        return srv_bad_query(resp, "before", s,
                             "not a cursor: pass next_before from the page before, unchanged",
                             ZF_HINT_LIST_RUNS);
    return 0;
}

int srv_h_runs_list(srv_req *req, srv_resp *resp)
{
    zf_store_run_filter f = ZF_STORE_RUN_FILTER_INIT;
    if (filter_of(req, resp, &f) != 0)
        return 0;
    zf_store *st;
    zf_error e = ZF_ERROR_INIT;
    if (srv_ctx_store(req->ctx, &st, &e) < 0)
        return srv_error(resp, &e);
    zf_store_run *list = NULL;
    size_t n = 0;
    int64_t next = 0;
    if (zf_store_run_list(st, &f, &list, &n, &next, &e) < 0)
        return srv_error(resp, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, zf_runner_run_json(&list[i], NULL, 0));
    zf_store_run_free_list(list, n);
    json_t *nb = json_null();
    if (next > 0) {
        char c[32];
        snprintf(c, sizeof c, "r%lld", (long long)next);
        json_decref(nb);
        nb = json_string(c);
    }
    return srv_json(resp, 200, json_pack("{s:o,s:o}", "runs", arr, "next_before", nb));
}

/* The {id} of the path, or the 404 answered (0). */
static int64_t run_id(srv_req *req, srv_resp *resp)
{
    int64_t id = srv_param_id(req, "id");
    if (id <= 0) {
        zf_error e = ZF_ERROR_INIT;
        zf_error_set(&e, ZF_ENOTFOUND, "no run %.40s: a run's id is a number >= 1",
                     srv_param(req, "id") ? srv_param(req, "id") : "");
        zf_error_hint_id(&e, ZF_HINT_LIST_RUNS, NULL);
        srv_error(resp, &e);
    }
    return id;
}

static int answer_run(srv_resp *resp, zf_store *st, const zf_store_run *run)
{
    zf_store_step *steps = NULL;
    size_t n = 0;
    zf_error e = ZF_ERROR_INIT;
    if (zf_store_step_list(st, run->id, &steps, &n, &e) < 0)
        return srv_error(resp, &e);
    json_t *j = zf_runner_run_json(run, steps, n);
    zf_store_step_free_list(steps, n);
    return srv_json(resp, 200, j);
}

int srv_h_runs_get(srv_req *req, srv_resp *resp)
{
    int64_t id = run_id(req, resp);
    if (id <= 0)
        return 0;
    zf_store *st;
    zf_error e = ZF_ERROR_INIT;
    if (srv_ctx_store(req->ctx, &st, &e) < 0)
        return srv_error(resp, &e);
    zf_store_run run;
    memset(&run, 0, sizeof run);
    if (zf_store_run_get(st, req->who->org, id, &run, &e) < 0)
        return srv_error(resp, &e);
    answer_run(resp, st, &run);
    zf_store_run_free(&run);
    return 0;
}

static int change(srv_req *req, srv_resp *resp, int retry)
{
    int64_t id = run_id(req, resp);
    if (id <= 0)
        return 0;
    zf_store *st;
    zf_error e = ZF_ERROR_INIT;
    if (srv_ctx_store(req->ctx, &st, &e) < 0)
        return srv_error(resp, &e);
    zf_store_run run;
    memset(&run, 0, sizeof run);
    int64_t now = (int64_t)time(NULL);
    int rc = retry ? zf_store_run_retry(st, req->who->org, id, now, &run, &e)
                   : zf_store_run_cancel(st, req->who->org, id, now, &run, &e);
    if (rc != 0) {
        zf_store_run_free(&run);
        return srv_error(resp, &e);
    }
    char detail[320];
    snprintf(detail, sizeof detail, "run %lld of workflow %.200s", (long long)id, run.workflow);
    srv_audit_ok(st, req, retry ? "run.retry" : "run.cancel", detail);
    answer_run(resp, st, &run);
    zf_store_run_free(&run);
    return 0;
}

int srv_h_runs_retry(srv_req *req, srv_resp *resp)
{
    return change(req, resp, 1);
}

int srv_h_runs_cancel(srv_req *req, srv_resp *resp)
{
    return change(req, resp, 0);
}
