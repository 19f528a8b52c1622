/*
 * The runner's handle, starting runs (runner.h) and the definitions the
 * runs keep, read back from the store by version.
 */
#include "runner_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/crypt.h"
#include "zoomflow/json.h"

int zf_runner_new(zf_runner **out, const zf_runner_opts *opts, zf_error *err)
{
    *out = NULL;
    if (!opts || !opts->store)
        return zf_error_set(err, ZF_EINVAL, "zf_runner_new: a store is required");
    zf_runner *r = calloc(1, sizeof *r);
    if (!r)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    r->o = *opts;
    if (r->o.lease_ttl <= 0)
        r->o.lease_ttl = ZF_RUNNER_TTL_DEFAULT;
    if (r->o.settle_ms == 0)
        r->o.settle_ms = 2000;
    pthread_mutex_init(&r->lock, NULL);
    *out = r;
    return 0;
}

void zf_runner_free(zf_runner *r)
{
    if (!r)
        return;
    while (r->cache) {
        runner_wf *c = r->cache;
        r->cache = c->next;
        zf_workflow_free(c->w);
        free(c->org);
        free(c->name);
        free(c);
    }
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* zf_runner_stop may be called from a signal handler: a lock-free atomic
 * store is safe there */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the stop flag must be lock-free");

void zf_runner_stop(zf_runner *r)
{
    if (r)
        r->stop = 1;
}

int zf_runner_stopping(const zf_runner *r)
{
    return r && r->stop;
}

int64_t zf_runner__ttl(const zf_runner *r)
{
    return r->o.lease_ttl;
}

int zf_runner__sleep(zf_runner *r, int64_t ms, const atomic_int *abort_flag)
{
    if (r->o.sleep_ms) {
        r->o.sleep_ms(r->o.sleep_ctx, ms);
        return r->stop || (abort_flag && *abort_flag);
    }
    while (ms > 0) {
        if (r->stop || (abort_flag && *abort_flag))
            return 1;
        int64_t slice = ms < 100 ? ms : 100;
        struct timespec ts = {(time_t)(slice / 1000), (long)(slice % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
    return r->stop || (abort_flag && *abort_flag);
}

/* ---- errors ---------------------------------------------------------------- */

json_t *zf_runner_error_json(const zf_error *e, const char *step, int64_t item)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "code", json_string(zf_code_name(e->code)));
    json_object_set_new(j, "message", json_string(e->message));
    if (e->hint[0])
        json_object_set_new(j, "hint", json_string(e->hint));
    if (e->hint_id)
        json_object_set_new(j, "hint_id", json_integer(e->hint_id));
    if (e->http_status)
        json_object_set_new(j, "http_status", json_integer(e->http_status));
    if (e->zoom_code)
        json_object_set_new(j, "zoom_code", json_integer(e->zoom_code));
    if (e->retry_after >= 0)
        json_object_set_new(j, "retry_after", json_integer(e->retry_after));
    if (e->reset_at > 0)
        json_object_set_new(j, "reset_at", json_integer(e->reset_at));
    if (step) {
        json_object_set_new(j, "step", json_string(step));
        if (item >= 0)
            json_object_set_new(j, "item", json_integer(item));
    }
    return j;
}

/* ---- definitions by version ------------------------------------------------- */

static char *model_text(const zf_workflow *w)
{
    return json_dumps(zf_workflow_model(w), JSON_SORT_KEYS | JSON_COMPACT);
}

static int load_version(zf_runner *r, const zf_store_run *run, zf_workflow **out, zf_error *err)
{
    zf_store_workflow sw;
    memset(&sw, 0, sizeof sw);
    int rc = zf_store_workflow_get(r->o.store, run->org, run->workflow, run->version, &sw, err);
    if (rc != 0)
        return rc;
    char file[256];
    snprintf(file, sizeof file, "%s@%lld.json", run->workflow, (long long)run->version);
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    zf_wf_load_opts lo = ZF_WF_LOAD_OPTS_INIT;
    lo.env_allowed = r->o.env_allowed;
    const char *def = sw.definition ? sw.definition : "";
    rc = zf_workflow_load(out, file, def, strlen(def), &lo, &p);
    if (rc != 0) {
        zf_wf_problems_to_error(err, &p);
        zf_error_restate(err, rc, "workflow %s version %lld no longer loads: %.300s", run->workflow,
                         (long long)run->version, err->message);
    }
    zf_wf_problems_free(&p);
    zf_store_workflow_free(&sw);
    return rc;
}

int zf_runner__workflow(zf_runner *r, const zf_store_run *run, const zf_workflow **out,
                        zf_error *err)
{
    pthread_mutex_lock(&r->lock);
    for (runner_wf *c = r->cache; c; c = c->next)
        if (c->version == run->version && strcmp(c->org, run->org) == 0 &&
            strcmp(c->name, run->workflow) == 0) {
            *out = c->w;
            pthread_mutex_unlock(&r->lock);
            return 0;
        }
    pthread_mutex_unlock(&r->lock);
    zf_workflow *w = NULL;
    int rc = load_version(r, run, &w, err);
    if (rc != 0)
        return rc;
    runner_wf *c = calloc(1, sizeof *c);
    if (!c || !(c->org = strdup(run->org)) || !(c->name = strdup(run->workflow))) {
        if (c) {
            free(c->org);
            free(c);
        }
        zf_workflow_free(w);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    c->version = run->version;
    c->w = w;
    pthread_mutex_lock(&r->lock);
    c->next = r->cache; /* a twin loaded by another thread meanwhile is harmless */
    r->cache = c;
    pthread_mutex_unlock(&r->lock);
    *out = w;
    return 0;
}

/* ---- starting a run ----------------------------------------------------------- */

static int check_input(const zf_workflow *w, const json_t *in, zf_problems *problems, zf_error *err)
{
    zf_problems local = ZF_PROBLEMS_INIT;
    zf_problems *p = problems ? problems : &local;
    int rc = zf_workflow_check_input(w, in, p);
    if (rc == ZF_EVALIDATION) {
        zf_problems_to_error(err, p);
        zf_error_restate(err, ZF_EVALIDATION, "the input of workflow %s: %.400s",
                         zf_workflow_name(w), err->message);
        zf_error_hint_id(err, ZF_HINT_CHECK_RUN_DATA,
                         "give the fields the workflow's input schema requires, of the "
                         "types it names");
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, zf_workflow_name(w));
    } else if (rc != 0) {
        zf_error_set(err, rc, "checking the input of workflow %s failed", zf_workflow_name(w));
    }
    zf_problems_free(&local);
    return rc;
}

static json_t *parsed(const char *text);

int zf_runner_save_workflow(zf_store *st, const zf_workflow *w, const char *org, const char *source,
                            const char *created_by, int64_t now, zf_store_workflow *out,
                            int *created, zf_error *err)
{
    memset(out, 0, sizeof *out);
    *created = 0;
    char *model = model_text(w);
    if (!model)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    unsigned char h[32];
    char hex[65];
    zf_sha256(model, strlen(model), h);
    zf_hex(h, sizeof h, hex);
    zf_store_workflow sw = {0};
    sw.org = (char *)org;
    sw.name = (char *)zf_workflow_name(w);
    sw.source = (char *)(source ? source : model);
    sw.definition = model;
    sw.content_hash = hex;
    sw.created_at = now > 0 ? now : (int64_t)time(NULL);
    sw.created_by = (char *)created_by;
    int rc = zf_store_workflow_save(st, &sw, out, created, err);
    free(model);
    return rc;
}

json_t *zf_runner_workflow_json(const zf_store_workflow *w, int with_definition)
{
    json_t *model = parsed(w->definition);
    json_t *j = json_pack("{s:s, s:I, s:s, s:I, s:s?}", "name", w->name, "version",
                          (json_int_t)w->version, "sha256", w->content_hash ? w->content_hash : "",
                          "created_at", (json_int_t)w->created_at, "created_by", w->created_by);
    if (!j) {
        json_decref(model);
        return NULL;
    }
    json_t *d = json_object_get(model, "description");
    json_object_set_new(j, "description",
                        json_string(json_is_string(d) ? json_string_value(d) : ""));
    json_t *on = json_object_get(model, "on");
    json_object_set(j, "on", on ? on : json_null());
    json_t *steps = json_object_get(model, "steps");
    json_object_set_new(
        j, "steps", json_integer(json_is_array(steps) ? (json_int_t)json_array_size(steps) : 0));
    if (with_definition)
        json_object_set(j, "definition", model ? model : json_null());
    json_decref(model);
    return j;
}

static int save_version(zf_runner *r, const zf_workflow *w, const zf_runner_start_opts *o,
                        int64_t *version, zf_error *err)
{
    zf_store_workflow got;
    int created = 0;
    int rc = zf_runner_save_workflow(r->o.store, w, o->org, o->source, o->created_by, o->now, &got,
                                     &created, err);
    if (rc == 0)
        *version = got.version;
    zf_store_workflow_free(&got);
    return rc;
}

int zf_runner_save_version(zf_runner *r, const zf_workflow *w, const zf_runner_start_opts *o,
                           int64_t *version, zf_error *err)
{
    *version = 0;
    if (!o || !o->org || !*o->org || !w)
        return zf_error_set(err, ZF_EINVAL,
                            "zf_runner_save_version: an org and a workflow are "
                            "required");
    zf_runner_start_opts so = *o;
    if (so.now <= 0)
        so.now = (int64_t)time(NULL);
    return save_version(r, w, &so, version, err);
}

int zf_runner_start(zf_runner *r, const zf_workflow *w, const zf_runner_start_opts *o,
                    zf_store_run *run, int *created, zf_problems *problems, zf_error *err)
{
    memset(run, 0, sizeof *run);
    *created = 0;
    if (!o || !o->org || !*o->org || !w)
        return zf_error_set(err, ZF_EINVAL, "zf_runner_start: an org and a workflow are required");
    json_t *empty = json_object();
    const json_t *in = o->input ? o->input : empty;
    int rc = check_input(w, in, problems, err);
    zf_runner_start_opts so = *o;
    if (so.now <= 0)
        so.now = (int64_t)time(NULL);
    int64_t version = 0;
    if (rc == 0)
        rc = save_version(r, w, &so, &version, err);
    char *input = rc == 0 ? json_dumps(in, JSON_COMPACT) : NULL;
    if (rc == 0 && !input)
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    if (rc == 0) {
        zf_store_run want = {0};
        want.org = (char *)so.org;
        want.workflow = (char *)zf_workflow_name(w);
        want.version = version;
        want.trigger_kind = so.trigger_kind;
        want.trigger_id = (char *)so.trigger_id;
        want.input = input;
        want.run_after = so.now;
        rc = zf_store_run_create(r->o.store, &want, so.now, run, created, err);
    }
    free(input);
    json_decref(empty);
    return rc;
}

/* ---- views -------------------------------------------------------------------- */

static json_t *parsed(const char *text)
{
    json_t *j = NULL;
    zf_error err = ZF_ERROR_INIT;
    if (!text || zf_json_parse_value(&j, text, strlen(text), 16u << 20, "stored JSON", &err) != 0)
        return text ? json_string(text) : json_null();
    return j;
}

static json_t *time_or_null(int64_t t)
{
    return t > 0 ? json_integer(t) : json_null();
}

static json_t *step_json(const zf_store_step *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(s->step_id));
    json_object_set_new(j, "item", s->item >= 0 ? json_integer(s->item) : json_null());
    json_object_set_new(j, "index", json_integer(s->step_index));
    json_object_set_new(j, "state", json_string(zf_step_state_name(s->state)));
    json_object_set_new(j, "input", parsed(s->input));
    json_object_set_new(j, "output", parsed(s->output));
    json_object_set_new(j, "error", parsed(s->error));
    json_object_set_new(j, "attempts", json_integer(s->attempts));
    json_object_set_new(j, "sent_at", time_or_null(s->sent_at));
    json_object_set_new(j, "done_at", time_or_null(s->done_at));
    return j;
}

json_t *zf_runner_run_json(const zf_store_run *r, const zf_store_step *steps, size_t n)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(r->id));
    json_object_set_new(j, "org", json_string(r->org));
    json_object_set_new(j, "workflow", json_string(r->workflow));
    json_object_set_new(j, "version", json_integer(r->version));
    json_object_set_new(j, "trigger",
                        json_pack("{s:s?, s:s?}", "kind", zf_trigger_kind_name(r->trigger_kind),
                                  "id", r->trigger_id));
    json_object_set_new(j, "state", json_string(zf_run_state_name(r->state)));
    json_object_set_new(j, "input", parsed(r->input));
    json_object_set_new(j, "attempts", json_integer(r->attempts));
    if (r->state == ZF_RUN_RUNNING)
        json_object_set_new(j, "lease",
                            json_pack("{s:s?, s:I, s:I}", "owner", r->lease_owner, "seq",
                                      (json_int_t)r->lease_seq, "expires_at",
                                      (json_int_t)r->lease_expires_at));
    json_object_set_new(j, "created_at", json_integer(r->created_at));
    json_object_set_new(j, "updated_at", json_integer(r->updated_at));
    json_object_set_new(j, "finished_at", time_or_null(r->finished_at));
    json_object_set_new(j, "error", parsed(r->error));
    if (steps) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, step_json(&steps[i]));
        json_object_set_new(j, "steps", a);
    }
    return j;
}

void zf_runner_error_from_json(zf_error *err, const char *text)
{
    json_t *j = parsed(text);
    const char *msg = json_string_value(json_object_get(j, "message"));
    const char *hint = json_string_value(json_object_get(j, "hint"));
    const char *code = json_string_value(json_object_get(j, "code"));
    int c = ZF_EZOOM;
#define ZF_X_CODE(name, num, desc)                                                                 \
    if (code && strcmp(code, #name) == 0)                                                          \
        c = num;
    ZF_ERRNO_MAP(ZF_X_CODE)
#undef ZF_X_CODE
    zf_error_set(err, c, "%s", msg ? msg : "the step failed");
    if (hint)
        zf_error_hint_id(err, (zf_hint)json_integer_value(json_object_get(j, "hint_id")), "%s",
                         hint);
    json_decref(j);
}
