/*
 * The org's stored workflow definitions (docs/service.md, docs/runs.md):
 *   GET  /api/v1/workflows          the latest version of each, by name
 *   GET  /api/v1/workflows/{name}   one version (?version=N, default the
 *                                   latest) with its definition (the model)
 *   POST /api/v1/workflows          a definition as JSON, or YAML with
 *                                   Content-Type application/yaml: checked
 *                                   by the loader (every problem with its
 *                                   line:column, 422), saved as a new
 *                                   version only when its model changed
 *   DELETE /api/v1/workflows/{name} the name gone from the list and the
 *                                   triggers (admin); its versions stay, so
 *                                   runs in progress go on with theirs
 * The JSON of a version is the library's (zf_runner_workflow_json), the
 * same the runs' surfaces use.
 */
#include "common.h"
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "text.h"
#include "wf_engine.h"
#include "zoomflow/runner.h"
#include "zoomflow/store.h"
#include "zoomflow/workflow.h"

int srv_h_workflows_list(srv_req *req, srv_resp *resp)
{
    if (srv_query_only(req, resp, NULL) != 0)
        return 0; /* takes no query */
    zf_store *st;
    zf_error e = ZF_ERROR_INIT;
    if (srv_ctx_store(req->ctx, &st, &e) < 0)
        return srv_error(resp, &e);
    zf_store_workflow *list = NULL;
    size_t n = 0;
    if (zf_store_workflow_list(st, req->who->org, &list, &n, &e) < 0)
        return srv_error(resp, &e);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, zf_runner_workflow_json(&list[i], 0));
    zf_store_workflow_free_list(list, n);
    return srv_json(resp, 200, json_pack("{s:o}", "workflows", arr));
}

int srv_h_workflows_get(srv_req *req, srv_resp *resp)
{
    const char *name = srv_param(req, "name");
    const char *vs = srv_query(req, "version");
    int64_t version = 0;
    static const char *const known[] = {"version", NULL};
    if (srv_query_only(req, resp, known) != 0)
        return 0;
    if (vs && zf_parse_i64(vs, 1, INT64_MAX, &version) < 0) {
        srv_bad_query(resp, "version", vs, "expected a version number (1, 2, ...)",
                      ZF_HINT_LIST_WORKFLOWS);
        return 0;
    }
    zf_store *st;
    zf_error e = ZF_ERROR_INIT;
    if (srv_ctx_store(req->ctx, &st, &e) < 0)
        return srv_error(resp, &e);
    zf_store_workflow w;
    memset(&w, 0, sizeof w);
    if (zf_store_workflow_get(st, req->who->org, name ? name : "", version, &w, &e) < 0)
        return srv_error(resp, &e);
    json_t *j = zf_runner_workflow_json(&w, 1);
    zf_store_workflow_free(&w);
    return srv_json(resp, 200, j);
}

/* "json" or "yaml" from the Content-Type, NULL for any other. */
static const char *body_kind(const srv_req *req)
{
    const char *ct = srv_header(req, "Content-Type");
    if (!ct)
        return NULL;
    while (*ct == ' ')
        ct++;
    static const char *const kinds[][2] = {{"application/json", "json"},
                                           {"application/yaml", "yaml"},
                                           {"application/x-yaml", "yaml"},
                                           {"text/yaml", "yaml"}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t l = strlen(kinds[i][0]);
        if (strncasecmp(ct, kinds[i][0], l) == 0 && (ct[l] == '\0' || ct[l] == ';' || ct[l] == ' '))
            return kinds[i][1];
    }
    return NULL;
}

/* The loader's problems as the 422's problems: {field, line, column,
 * message, hint}; field is the place ("line:col") as the file has none. */
static int answer_problems(srv_resp *resp, const zf_wf_problems *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < p->count; i++) {
        const zf_wf_problem *x = &p->items[i];
        char at[48];
        snprintf(at, sizeof at, "%d:%d", x->line, x->col);
        json_array_append_new(arr, json_pack("{s:s,s:i,s:i,s:s,s:s}", "field",
                                             x->line ? at : "body", "line", x->line, "column",
                                             x->col, "message", x->message ? x->message : "",
                                             "hint", x->hint ? x->hint : ""));
    }
    zf_error e = ZF_ERROR_INIT;
    zf_wf_problems_to_error(&e, p);
    if (p->count && p->items[0].line)
        zf_error_restate(&e, ZF_EVALIDATION,
                         "the definition has %zu problem%s; first, at %d:%d: %.400s", p->count,
                         p->count == 1 ? "" : "s", p->items[0].line, p->items[0].col,
                         p->items[0].message);
    else if (p->count)
        zf_error_restate(&e, ZF_EVALIDATION, "the definition has %zu problem%s; first: %.400s",
                         p->count, p->count == 1 ? "" : "s", p->items[0].message);
    zf_error_hint_id(&e, ZF_HINT_FIX_WORKFLOW, NULL);
    return srv_error_problems(resp, &e, arr);
}

int srv_h_workflows_create(srv_req *req, srv_resp *resp)
{
    const char *kind = body_kind(req);
    if (!kind) {
        zf_error e = ZF_ERROR_INIT;
        zf_error_set(&e, ZF_EVALIDATION,
                     "the body must be a definition as application/json or application/yaml "
                     "(Content-Type: %.80s)",
                     srv_header(req, "Content-Type") ? srv_header(req, "Content-Type") : "none");
        zf_error_hint_id(&e, ZF_HINT_FIX_WORKFLOW, NULL);
        return srv_error_status(resp, 415, &e);
    }
    const char *file = strcmp(kind, "json") == 0 ? "request.json" : "request.yaml";
    zf_workflow *w = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    zf_wf_load_opts o = ZF_WF_LOAD_OPTS_INIT;
    int rc = zf_workflow_load(&w, file, req->body ? req->body : "", req->body_len, &o, &p);
    if (rc != 0) {
        if (p.count)
            answer_problems(resp, &p);
        else
            srv_fail(resp, rc, "loading the definition failed");
        zf_wf_problems_free(&p);
        return 0;
    }
    zf_wf_problems_free(&p);
    zf_store *st;
    zf_error e = ZF_ERROR_INIT;
    if (srv_ctx_store(req->ctx, &st, &e) < 0) {
        zf_workflow_free(w);
        return srv_error(resp, &e);
    }
    zf_store_workflow got;
    int created = 0;
    rc = zf_runner_save_workflow(st, w, req->who->org, req->body, req->who->actor,
                                 (int64_t)time(NULL), &got, &created, &e);
    zf_workflow_free(w);
    if (rc != 0)
        return srv_error(resp, &e);
    srv_wf_forget(req->who->org); /* new, or back after a delete: this replica's triggers now */
    if (created) {
        char detail[400];
        snprintf(detail, sizeof detail, "workflow %.200s version %lld", got.name,
                 (long long)got.version);
        srv_audit_ok(st, req, "workflow.save", detail);
    }
    json_t *j = zf_runner_workflow_json(&got, 0);
    zf_store_workflow_free(&got);
    if (j)
        json_object_set_new(j, "created", json_boolean(created));
    return srv_json(resp, created ? 201 : 200, j);
}

/* The 404 of a name the org has not (or no longer), naming the ones it has. */
static int not_found(srv_resp *resp, zf_store *st, const char *org, const char *name)
{
    zf_store_workflow *list = NULL;
    size_t n = 0;
    zf_error e = ZF_ERROR_INIT;
    char known[600] = "";
    size_t at = 0;
    if (zf_store_workflow_list(st, org, &list, &n, &e) == 0) {
        for (size_t i = 0; i < n && at + 4 < sizeof known; i++) {
            int w = snprintf(known + at, sizeof known - at, "%s%s", i ? ", " : "", list[i].name);
            if (w < 0 || (size_t)w >= sizeof known - at) {
                snprintf(known + at, sizeof known - at, ", ...");
                break;
            }
            at += (size_t)w;
        }
        zf_store_workflow_free_list(list, n);
    }
    zf_error_set(&e, ZF_ENOTFOUND, "no workflow \"%.200s\" to delete; the org's workflows: %s",
                 name, n ? known : "none");
    zf_error_hint_id(&e, ZF_HINT_LIST_WORKFLOWS, NULL);
    zf_error_hint_arg(&e, ZF_HINT_ARG_VALUE, name);
    return srv_error(resp, &e);
}

int srv_h_workflows_delete(srv_req *req, srv_resp *resp)
{
    const char *name = srv_param(req, "name");
    zf_store *st;
    zf_error e = ZF_ERROR_INIT;
    if (srv_query_only(req, resp, NULL) != 0)
        return 0;
    if (srv_ctx_store(req->ctx, &st, &e) < 0)
        return srv_error(resp, &e);
    zf_store_workflow got;
    memset(&got, 0, sizeof got);
    int rc = zf_store_workflow_delete(st, req->who->org, name ? name : "", (int64_t)time(NULL),
                                      req->who->actor, &got, &e);
    if (rc == ZF_ENOTFOUND)
        return not_found(resp, st, req->who->org, name ? name : "");
    if (rc != 0)
        return srv_error(resp, &e);
    srv_wf_forget(req->who->org); /* this replica's triggers stop at once */
    size_t queued = srv_wf_count_runs(st, req->who->org, got.name, ZF_RUN_QUEUED);
    size_t running = srv_wf_count_runs(st, req->who->org, got.name, ZF_RUN_RUNNING);
    int from_dir = got.created_by && strncmp(got.created_by, "directory ", 10) == 0;
    char detail[400];
    snprintf(detail, sizeof detail, "workflow %.200s (latest version %lld)", got.name,
             (long long)got.version);
    srv_audit_ok(st, req, "workflow.delete", detail);
    char note[800];
    snprintf(note, sizeof note, "%s%s",
             queued + running
                 ? "Runs in progress go on with the version they started with; cancel them "
                   "(POST /api/v1/runs/{id}/cancel) if they should not. "
                 : "",
             from_dir ? "It was saved from a --workflows directory: delete its file there too, "
                        "or the next start of the service saves it again."
                      : "Posting it again (POST /api/v1/workflows) brings it back.");
    json_t *j = json_pack("{s:s,s:I,s:b,s:{s:I,s:I},s:s}", "name", got.name, "version",
                          (json_int_t)got.version, "deleted", 1, "runs_in_progress", "queued",
                          (json_int_t)queued, "running", (json_int_t)running, "note", note);
    zf_store_workflow_free(&got);
    return srv_json(resp, 200, j);
}
