/*
 * POST /api/v1/events/{name} (operator): the body is the event; it starts
 * a run of each of the org's workflows whose trigger is `on: {event: NAME}`
 * (the latest version of each, wf_engine.h).
 *
 *   trigger id   the Idempotency-Key header, else the body's "id" (a string
 *                or an integer), else a new random id: the same id again
 *                (also from another replica, at the same instant) gives the
 *                runs it made, "created": false
 *   202          {"event", "trigger_id", "runs": [{id, workflow, version,
 *                state, created}]}
 *   404          no workflow of the org listens to NAME: the message and
 *                "known_events" list the names that do (hint UNKNOWN_EVENT)
 *   422          the body is not an object, the id is unusable, or the event
 *                fails a workflow's `input:` schema: every field in
 *                "problems" ({field, message, workflow}), no run made
 *   400          malformed JSON (the core's, naming line and column)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "wf_engine.h"
#include "zoomflow/crypt.h"
#include "zoomflow/hint.h"
#include "zoomflow/log.h"

#define TRIGGER_ID_MAX 200

static int bad_id(srv_resp *resp, const char *field, const char *why)
{
    zf_error err = ZF_ERROR_INIT;
    zf_error_set(&err, ZF_EVALIDATION, "%s %s", field, why);
    zf_error_hint_id(&err, ZF_HINT_FIX_FIELDS, NULL);
    return srv_error_problems(resp, &err, json_pack("[{s:s,s:s}]", "field", field, "message", why));
}

static int id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > TRIGGER_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

/* The trigger id into out; 0, or 1 with the 422 answered. */
static int trigger_id(srv_req *req, srv_resp *resp, char *out, size_t cap)
{
    const char *key = srv_header(req, "Idempotency-Key");
    if (key) {
        if (!id_ok(key))
            return bad_id(resp, "Idempotency-Key",
                          "must be 1-200 characters without control characters"),
                   1;
        snprintf(out, cap, "%s", key);
        return 0;
    }
    json_t *id = json_object_get(req->json, "id");
    if (json_is_string(id)) {
        if (!id_ok(json_string_value(id)))
            return bad_id(resp, "id",
                          "must be 1-200 characters without control characters (or leave it out "
                          "and send an Idempotency-Key header)"),
                   1;
        snprintf(out, cap, "%s", json_string_value(id));
        return 0;
    }
    if (json_is_integer(id)) {
        snprintf(out, cap, "%lld", (long long)json_integer_value(id));
        return 0;
    }
    if (id && !json_is_null(id))
        return bad_id(resp, "id", "must be a string or an integer: the event's id"), 1;
    unsigned char rnd[16];
    char hex[33];
    zf_random_bytes(rnd, sizeof rnd);
    zf_hex(rnd, sizeof rnd, hex);
    snprintf(out, cap, "ev-%s", hex);
    return 0;
}

static int unknown_event(srv_resp *resp, const char *request_id, const char *org, const char *name,
                         const srv_wf_list *l)
{
    json_t *known = json_array();
    zf_buf names;
    zf_buf_init(&names, 4096);
    for (size_t i = 0; i < l->n; i++) {
        const zf_workflow *w = l->items[i].w;
        if (zf_workflow_trigger(w) != ZF_WF_ON_EVENT)
            continue;
        const char *ev = zf_workflow_trigger_value(w);
        int dup = 0;
        for (size_t j = 0; j < json_array_size(known); j++)
            dup |= strcmp(json_string_value(json_array_get(known, j)), ev) == 0;
        if (dup)
            continue;
        json_array_append_new(known, json_string(ev));
        zf_buf_appendf(&names, "%s%s", names.len ? ", " : "", ev);
    }
    zf_error err = ZF_ERROR_INIT;
    if (json_array_size(known))
        zf_error_set(&err, ZF_ENOTFOUND,
                     "no workflow of org %s listens to event \"%.64s\"; the events its workflows "
                     "listen to: %.400s",
                     org, name, zf_buf_cstr(&names));
    else
        zf_error_set(&err, ZF_ENOTFOUND,
                     "no workflow of org %s listens to event \"%.64s\": none of its workflows has "
                     "an `on: {event: NAME}` trigger",
                     org, name);
    zf_error_hint_id(&err, ZF_HINT_UNKNOWN_EVENT, NULL);
    zf_error_hint_arg(&err, ZF_HINT_ARG_VALUE, name);
    zf_buf_free(&names);
    srv_error(resp, &err);
    /* the names as a list too, for programs */
    json_t *body = srv_error_json(&err, 404, request_id);
    json_t *e = json_object_get(body, "error");
    if (e)
        json_object_set_new(e, "known_events", known);
    else
        json_decref(known);
    return srv_json(resp, 404, body);
}

/* Every matching workflow's `input:` first: any problem answers 422 with
 * all of them and no run is made. 0 when the event passes. */
static int check_inputs(srv_req *req, srv_resp *resp, const srv_wf **m, size_t n)
{
    json_t *all = json_array();
    zf_error first = ZF_ERROR_INIT;
    for (size_t i = 0; i < n; i++) {
        zf_problems p = ZF_PROBLEMS_INIT;
        if (zf_workflow_check_input(m[i]->w, req->json, &p) == ZF_EVALIDATION) {
            json_t *pj = NULL;
            zf_problems_json(&pj, &p);
            size_t k;
            json_t *v;
            json_array_foreach (pj, k, v)
                json_object_set_new(v, "workflow", json_string(m[i]->name));
            json_array_extend(all, pj);
            json_decref(pj);
            if (!first.code) {
                zf_problems_to_error(&first, &p);
                zf_error_restate(&first, ZF_EVALIDATION,
                                 "the event does not fit the input of workflow %s: %.400s",
                                 m[i]->name, first.message);
            }
        }
        zf_problems_free(&p);
    }
    if (!first.code) {
        json_decref(all);
        return 0;
    }
    zf_error_hint_id(&first, ZF_HINT_CHECK_RUN_DATA, NULL);
    srv_error_problems(resp, &first, all);
    return 1;
}

static int answer_runs(srv_req *req, srv_resp *resp, const char *name, const char *tid,
                       const srv_wf **m, size_t n)
{
    json_t *runs = json_array();
    const char *org = req->who->org;
    for (size_t i = 0; i < n; i++) {
        zf_runner_start_opts o = {org, ZF_TRIGGER_EVENT, tid, req->json, NULL, req->who->actor, 0};
        zf_store_run run;
        int created = 0;
        zf_error err = ZF_ERROR_INIT;
        int rc = srv_wf_start_run(req->ctx, m[i]->w, &o, &run, &created, NULL, &err);
        if (rc != 0) {
            json_decref(runs);
            srv_log(req, ZF_LOG_WARN, "event.failed", "event %s (%s): run of %s: %s", name, tid,
                    m[i]->name, err.message);
            return srv_error(resp, &err);
        }
        json_array_append_new(runs, json_pack("{s:I,s:s,s:I,s:s,s:b}", "id", (json_int_t)run.id,
                                              "workflow", run.workflow, "version",
                                              (json_int_t)run.version, "state",
                                              zf_run_state_name(run.state), "created", created));
        zf_store_run_free(&run);
    }
    return srv_json(resp, 202,
                    json_pack("{s:s,s:s,s:o}", "event", name, "trigger_id", tid, "runs", runs));
}

int srv_h_events_post(srv_req *req, srv_resp *resp)
{
    const char *name = srv_param(req, "name");
    zf_error err = ZF_ERROR_INIT;
    if (!srv_wf_enabled())
        return srv_fail(resp, ZF_ECONFIG, "the service runs no workflows");
    if (!json_is_object(req->json)) {
        zf_error_set(&err, ZF_EVALIDATION,
                     "the event must be a JSON object (its members are the workflow's event.*)");
        zf_error_hint_id(&err, ZF_HINT_SEND_JSON, NULL);
        return srv_error_problems(
            resp, &err,
            json_pack("[{s:s,s:s}]", "field", "(body)", "message", "must be a JSON object"));
    }
    char tid[TRIGGER_ID_MAX + 8];
    if (trigger_id(req, resp, tid, sizeof tid))
        return 0;
    srv_wf_list *l = NULL;
    if (srv_wf_for_org(req->ctx, req->who->org, &l, &err) != 0)
        return srv_error(resp, &err);
    const srv_wf **m = calloc(l->n ? l->n : 1, sizeof *m);
    size_t n = 0;
    for (size_t i = 0; m && i < l->n; i++)
        if (zf_workflow_trigger(l->items[i].w) == ZF_WF_ON_EVENT &&
            strcmp(zf_workflow_trigger_value(l->items[i].w), name) == 0)
            m[n++] = &l->items[i];
    int rc;
    if (!m)
        rc = srv_fail(resp, ZF_ENOMEM, "out of memory");
    else if (!n)
        rc = unknown_event(resp, req->request_id, req->who->org, name, l);
    else if (check_inputs(req, resp, m, n))
        rc = 0;
    else
        rc = answer_runs(req, resp, name, tid, m, n);
    free(m);
    srv_wf_release(l);
    return rc;
}

/* The schemas the route row names (routes.c). */
int srv_events_openapi(srv_ctx *ctx, json_t *doc)
{
    (void)ctx;
    json_t *comp = json_object_get(doc, "components");
    if (!comp && json_object_set_new(doc, "components", comp = json_object()) != 0)
        return ZF_ENOMEM;
    json_t *schemas = json_object_get(comp, "schemas");
    if (!schemas && json_object_set_new(comp, "schemas", schemas = json_object()) != 0)
        return ZF_ENOMEM;
    json_t *event = json_pack(
        "{s:s,s:s,s:{s:{s:[s,s],s:s}}}", "type", "object", "description",
        "the event: any JSON object, checked against each listening workflow's input schema; "
        "its members are event.* in the templates",
        "properties", "id", "type", "string", "integer", "description",
        "the event's id (the trigger id when no Idempotency-Key header is sent)");
    json_t *run =
        json_pack("{s:s,s:[s,s,s,s,s],s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:s}}}", "type",
                  "object", "required", "id", "workflow", "version", "state", "created",
                  "properties", "id", "type", "integer", "workflow", "type", "string", "version",
                  "type", "integer", "state", "type", "string", "created", "type", "boolean",
                  "description", "false: the trigger id had this run already");
    json_t *runs = json_pack("{s:s,s:[s,s,s],s:{s:{s:s},s:{s:s},s:{s:s,s:{s:s}}}}", "type",
                             "object", "required", "event", "trigger_id", "runs", "properties",
                             "event", "type", "string", "trigger_id", "type", "string", "runs",
                             "type", "array", "items", "$ref", "#/components/schemas/EventRun");
    if (!event || !run || !runs) {
        json_decref(event);
        json_decref(run);
        json_decref(runs);
        return ZF_ENOMEM;
    }
    json_object_set_new(schemas, "Event", event);
    json_object_set_new(schemas, "EventRun", run);
    json_object_set_new(schemas, "EventRuns", runs);
    return 0;
}
