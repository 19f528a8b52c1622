/*
 * The actions as a surface shows them (actions.h, "Views"): the
 * descriptor as JSON (the REST service's action list, the admin page's
 * forms), a dry run's request, the actions a connection's scopes leave
 * out, and a result as {action, outcome, output, warnings}. Pure: the
 * descriptors and the pipeline, no client, no store.
 */
#include "actions_internal.h"

#include <stdlib.h>
#include <string.h>

const char *zf_action_kind_name(int kind)
{
    return kind == ZF_ACTION_CREATE ? "create" : kind == ZF_ACTION_WRITE ? "write" : "read";
}

static json_t *str_array(const char *const *list, size_t max)
{
    json_t *a = json_array();
    for (size_t i = 0; a && list && i < max && list[i]; i++)
        json_array_append_new(a, json_string(list[i]));
    return a;
}

int zf_action_view_json(json_t **out, const zf_action *a)
{
    json_t *schema = NULL;
    *out = NULL;
    if (!a)
        return ZF_EINVAL;
    int rc = zf_action_schema_json(&schema, a);
    if (rc)
        return rc;
    json_t *o = json_pack("{s:s,s:s,s:o,s:o,s:o,s:s,s:o}", "name", a->name, "summary",
                          a->summary ? a->summary : "", "words", str_array(a->words, 2), "scopes",
                          a->scope ? json_pack("[s]", a->scope) : json_array(), "classic_scopes",
                          str_array(a->classic_scopes, 64), "kind", zf_action_kind_name(a->kind),
                          "input_schema", schema);
    if (!o)
        return ZF_ENOMEM;
    *out = o;
    return 0;
}

int zf_actions_view_json(json_t **out)
{
    json_t *list = json_array();
    *out = NULL;
    for (const zf_action *const *a = zf_actions(); list && *a; a++) {
        json_t *one;
        int rc = zf_action_view_json(&one, *a);
        if (rc || json_array_append_new(list, one) != 0) {
            json_decref(list);
            return rc ? rc : ZF_ENOMEM;
        }
    }
    if (!list || !(*out = json_pack("{s:o}", "actions", list)))
        return ZF_ENOMEM;
    return 0;
}

int zf_action_dry_run_json(json_t **out, const zf_action *a, const json_t *in, zf_problems *p,
                           zf_error *err)
{
    zf_action_request req;
    memset(&req, 0, sizeof req);
    *out = NULL;
    int rc = zf_action_validate(p, a, in);
    if (rc == ZF_EVALIDATION)
        return zf_problems_to_error(err, p);
    if (rc || (rc = zf_action_build(&req, a, in, err)) != 0)
        return rc ? rc : ZF_EINVAL;
    json_t *q = json_object();
    for (size_t i = 0; q && i < req.nquery; i++)
        json_object_set_new(q, req.query[i].key, json_string(req.query[i].value));
    zf_buf path = ZF_BUF_INIT(ZF_ACTION_PATH_SHOWN_MAX);
    zf_buf_puts(&path, "/v2");
    zf_buf_puts(&path, req.path ? req.path : "");
    json_t *body = req.body ? json_loads(req.body, JSON_DECODE_ANY, NULL) : json_null();
    json_t *o = json_pack("{s:b,s:s,s:{s:s,s:s,s:o,s:o}}", "dry_run", 1, "action", a->name,
                          "request", "method", req.method, "path", zf_buf_cstr(&path), "query",
                          q ? q : json_object(), "body", body ? body : json_null());
    if (o && req.follow_pages)
        json_object_set_new(json_object_get(o, "request"), "follows_pages", json_true());
    zf_buf_free(&path);
    zf_action_request_free(&req);
    if (!o)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    *out = o;
    return 0;
}

json_t *zf_actions_unavailable_json(const char *granted)
{
    json_t *out = json_array();
    for (const zf_action *const *a = zf_actions(); out && granted && *a; a++) {
        zf_error ignored = ZF_ERROR_INIT;
        if (!(*a)->scope || zf_action_scope_check(*a, granted, &ignored) != ZF_ESCOPE)
            continue;
        json_array_append_new(out, json_pack("{s:s,s:s,s:o}", "action", (*a)->name, "scope",
                                             (*a)->scope, "words", str_array((*a)->words, 2)));
    }
    return out;
}

const char *zf_action_outcome_name(const zf_action *a, const json_t *output)
{
    if (a->kind == ZF_ACTION_READ)
        return "read";
    if (json_is_true(json_object_get(output, "found")))
        return "found";
    if (json_is_true(json_object_get(output, "existing")))
        return "existing";
    if (json_is_true(json_object_get(output, "created")))
        return "created";
    if (json_is_true(json_object_get(output, "already_deleted")))
        return "gone";
    return a->kind == ZF_ACTION_CREATE ? "created" : "written";
}

int zf_action_result_json(json_t **out, const zf_action *a, const zf_action_result *res)
{
    json_t *o = json_pack("{s:s,s:s}", "action", a->name, "outcome",
                          zf_action_outcome_name(a, res->output));
    if (o) {
        json_object_set(o, "output", res->output ? res->output : json_null());
        json_object_set_new(o, "warnings",
                            res->warnings ? json_incref(res->warnings) : json_array());
    }
    *out = o;
    return o ? 0 : ZF_ENOMEM;
}

int zf_action_result_text(zf_buf *out, const zf_action *a, const zf_action_result *res,
                          const char *output, size_t len)
{
    json_t *name = json_string(a->name), *outcome = json_string(zf_action_outcome_name(a, NULL));
    char *n = name ? json_dumps(name, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY) : NULL;
    char *oc =
        outcome ? json_dumps(outcome, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY) : NULL;
    char *w = res->warnings ? json_dumps(res->warnings, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    int rc = n && oc && (w || !res->warnings) ? 0 : ZF_ENOMEM;
    if (rc == 0) {
        zf_buf_puts(out, "{\"action\":");
        zf_buf_puts(out, n);
        zf_buf_puts(out, ",\"outcome\":");
        zf_buf_puts(out, oc);
        zf_buf_puts(out, ",\"output\":");
        zf_buf_append(out, output, len);
        zf_buf_puts(out, ",\"warnings\":");
        zf_buf_puts(out, w ? w : "[]");
        zf_buf_putc(out, '}');
        rc = out->failed ? ZF_ENOMEM : 0;
    }
    free(n);
    free(oc);
    free(w);
    json_decref(name);
    json_decref(outcome);
    return rc;
}
