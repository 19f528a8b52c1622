/*
 * zf_action_run: the action pipeline over the Zoom client (action_run.h).
 *
 * Invariant: a create is sent a second time only after reconcile has
 * looked twice (settle_ms apart) and found nothing; every other failure
 * is returned as it is, so nothing is ever created twice by this file.
 */
#include "zoomflow/action_run.h"
#include "zoomflow/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOST_MAX 256
#define AUDIT_SCAN 4096
#define RECONCILE_LOOKS 3

/* ---- the Zoom client as a zf_action_source ------------------------------ */

static void to_params(zf_zoom_param *out, const zf_action_request *req)
{
    for (size_t i = 0; i < req->nquery; i++) {
        out[i].key = req->query[i].key;
        out[i].value = req->query[i].value;
    }
}

static int src_get(void *ctx, json_t **out, const zf_action_request *req, zf_error *err)
{
    zf_zoom_param q[ZF_ACTION_QUERY_MAX];
    to_params(q, req);
    zf_zoom_req zr = ZF_ZOOM_REQ_INIT;
    zr.path = req->path;
    zr.query = q;
    zr.nquery = req->nquery;
    zr.kind = ZF_ZOOM_READ;
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    int rc = zf_zoom_call(ctx, &zr, &resp, err);
    if (rc == 0) {
        *out = resp.json ? resp.json : json_object();
        resp.json = NULL;
    }
    zf_zoom_resp_free(&resp);
    return rc;
}

static int src_list(void *ctx, const zf_action_request *req, const char *items_key,
                    int (*each)(void *arg, const json_t *items), void *arg, zf_error *err)
{
    zf_zoom_param q[ZF_ACTION_QUERY_MAX];
    to_params(q, req);
    zf_pager *p = NULL;
    int rc = zf_pager_new(&p, ctx, req->path, q, req->nquery, items_key, NULL, err);
    json_t *one = json_array();
    if (rc == 0 && !one)
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    json_t *item;
    while (rc == 0 && (rc = zf_pager_next(p, &item, err)) == 1) {
        /* one item at a time: the pager holds one page, we hold nothing */
        json_array_clear(one);
        json_array_append(one, item);
        if (each(arg, one) != 0) {
            rc = 0;
            break;
        }
        rc = 0;
    }
    json_decref(one);
    zf_pager_free(p);
    return rc;
}

void zf_action_source_zoom(zf_action_source *out, zf_zoom *z)
{
    out->ctx = z;
    out->get = src_get;
    out->list = src_list;
}

/* ---- clocks ---------------------------------------------------------------- */

static int64_t now_s(const zf_action_run_opts *o)
{
    return o->wall_s ? o->wall_s(o->clock_ctx) : (int64_t)time(NULL);
}

static void pause_ms(const zf_action_run_opts *o, int64_t ms)
{
    if (ms <= 0)
        return;
    if (o->sleep_ms) {
        o->sleep_ms(o->clock_ctx, ms);
        return;
    }
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* ---- one exchange ------------------------------------------------------- */

static zf_zoom_kind zoom_kind(zf_action_kind k)
{
    return k == ZF_ACTION_CREATE ? ZF_ZOOM_CREATE
           : k == ZF_ACTION_WRITE ? ZF_ZOOM_WRITE : ZF_ZOOM_READ;
}

static int send_once(const zf_action_run_opts *o, const zf_action_request *req,
                     zf_zoom_resp *resp, zf_error *err)
{
    zf_zoom_param q[ZF_ACTION_QUERY_MAX];
    to_params(q, req);
    zf_zoom_req zr = ZF_ZOOM_REQ_INIT;
    zr.method = req->method[0] ? req->method : NULL;
    zr.path = req->path;
    zr.query = q;
    zr.nquery = req->nquery;
    zr.body = req->body;
    zr.body_len = req->body ? strlen(req->body) : 0;
    zr.kind = zoom_kind(req->kind);
    return zf_zoom_call(o->zoom, &zr, resp, err);
}

/* Zoom's 4711 names the scope in its own words; say it as the preflight
 * does, keeping the HTTP detail. */
static void scope_message(const zf_action *a, zf_error *err)
{
    if (err->code != ZF_ESCOPE || !a->scope)
        return;
    int http = err->http_status, zcode = err->zoom_code;
    zf_action_scope_check(a, "", err);
    err->http_status = http;
    err->zoom_code = zcode;
}

/* ---- the daily meeting-create count ------------------------------------- */

static void host_key(char *out, size_t n, const json_t *in)
{
    const char *u = json_string_value(json_object_get(in, "user_id"));
    snprintf(out, n, "host=%s", u ? u : "me");
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
}

/* Counts today's (UTC) meeting creates for the host, this one included. */
static int count_today(const zf_action_run_opts *o, const char *host, int64_t now, long *count,
                       zf_error *err)
{
    const char *conn = o->conn_id ? o->conn_id : "default";
    zf_store_audit rec = {0, now, (char *)conn, "action", "meeting.create", "ok", (char *)host};
    int rc = zf_store_audit_add(o->store, &rec, err);
    zf_store_audit *list = NULL;
    size_t n = 0;
    if (rc == 0)
        rc = zf_store_audit_list(o->store, conn, AUDIT_SCAN, &list, &n, err);
    int64_t day_start = now - now % 86400;
    *count = 0;
    for (size_t i = 0; rc == 0 && i < n && list[i].at >= day_start; i++)
        if (list[i].action && strcmp(list[i].action, "meeting.create") == 0 && list[i].detail &&
            strcmp(list[i].detail, host) == 0)
            (*count)++;
    zf_store_audit_free_list(list, n);
    return rc;
}

static void warn_daily(zf_action_result *res, const zf_action *a, const json_t *in,
                       const zf_action_run_opts *o, const zf_zoom_resp *resp)
{
    if (strcmp(a->name, "create_meeting") != 0)
        return;
    char type[64], rem[32], host[HOST_MAX];
    host_key(host, sizeof host, in);
    if (resp && zf_zoom_resp_header(resp, "X-RateLimit-Type", type, sizeof type) &&
        strcmp(type, "Daily-limit") == 0 &&
        zf_zoom_resp_header(resp, "X-RateLimit-Remaining", rem, sizeof rem)) {
        long left = strtol(rem, NULL, 10);
        if (left <= ZF_ACTION_DAILY_MEETING_CREATES - ZF_ACTION_DAILY_WARN_AT)
            zf_action_result_warn(res, "%s: Zoom reports %ld meeting creates/updates left today "
                                  "(UTC) for this host; the count resets at 00:00 UTC",
                                  host + 5, left);
        return;
    }
    if (!o->store)
        return;
    long used = 0;
    zf_error e = ZF_ERROR_INIT;
    if (count_today(o, host, now_s(o), &used, &e) != 0) {
        zf_action_result_warn(res, "cannot count today's meeting creates: %s", e.message);
        return;
    }
    if (used >= ZF_ACTION_DAILY_WARN_AT)
        zf_action_result_warn(res, "%s: %ld of Zoom's %d meeting creates/updates per host per "
                              "UTC day used by this connection (counted by zoomflow); the "
                              "limit resets at 00:00 UTC", host + 5, used,
                              ZF_ACTION_DAILY_MEETING_CREATES);
}

/* ---- ambiguous creates ---------------------------------------------------- */

static int transient(int code)
{
    return code == ZF_ESERVER || code == ZF_ENET || code == ZF_ETIMEOUT ||
           code == ZF_ERATELIMIT;
}

/* One reconcile; a look that fails for a passing reason (5xx, network,
 * per-second 429: the client already retried it) is tried again after
 * settle_ms, up to RECONCILE_LOOKS times, since giving up here leaves the
 * caller not knowing whether the object exists. */
static int look_once(json_t **found, const zf_action *a, const json_t *in,
                     const zf_action_run_opts *o, const zf_reconcile_opts *ro, zf_error *err)
{
    zf_action_source src;
    zf_action_source_zoom(&src, o->zoom);
    int rc = 0;
    for (int i = 0; i < RECONCILE_LOOKS; i++) {
        if (i)
            pause_ms(o, o->settle_ms);
        zf_error_reset(err);
        rc = zf_action_reconcile(found, a, in, ro, &src, err);
        if (rc >= 0 || !transient(rc))
            break;
    }
    return rc;
}

/* 1 found (*found set), 0 absent after looking twice, < 0 error. */
static int look(json_t **found, const zf_action *a, const json_t *in,
                const zf_action_run_opts *o, int64_t started, zf_error *err)
{
    zf_reconcile_opts ro = ZF_RECONCILE_OPTS_INIT;
    ro.attempt_started = started;
    int rc = look_once(found, a, in, o, &ro, err);
    if (rc == 0 && o->settle_ms > 0) {
        pause_ms(o, o->settle_ms);
        rc = look_once(found, a, in, o, &ro, err);
    }
    return rc;
}

static int unknown_outcome(const zf_action *a, const zf_error *first, zf_error *err)
{
    char why[ZF_ERROR_MSG_MAX], check[ZF_ERROR_MSG_MAX];
    memcpy(why, first->message, sizeof why);
    memcpy(check, err->message, sizeof check);
    /* both halves are cut to fit the message */
    zf_error_set(err, ZF_EAMBIGUOUS, "%s may or may not have happened: %.200s; checking for "
                 "it failed too: %.200s", a->name, why, check);
    zf_error_hint_id(err, ZF_HINT_CHECK_IN_ZOOM, "look for the %s in Zoom before running this again (running it blindly "
                       "could create it twice)", a->item_type ? a->item_type : "object");
    return ZF_EAMBIGUOUS;
}

/* The create was ambiguous: reconcile, and send it once more only when
 * the object is proven absent. */
static int settle_create(json_t **body, zf_outcome *outcome, const zf_action *a,
                         const json_t *in, const zf_action_run_opts *o,
                         const zf_action_request *req, zf_zoom_resp *resp, zf_error *err)
{
    int64_t started = now_s(o);
    for (int round = 0;; round++) {
        zf_error first = *err;
        zf_error_reset(err);
        json_t *found = NULL;
        int rc = look(&found, a, in, o, started, err);
        if (rc < 0)
            return unknown_outcome(a, &first, err);
        if (rc == 1) {
            *body = found;
            *outcome = ZF_OUTCOME_FOUND;
            return 0;
        }
        if (round == 1) {
            zf_error_set(err, ZF_ESERVER, "%s was not done: two attempts failed (%s) and Zoom "
                         "shows no such %s", a->name, first.message,
                         a->item_type ? a->item_type : "object");
            zf_error_hint_id(err, ZF_HINT_RETRY_LATER, "Zoom is having trouble (see status.zoom.us); "
                                                   "it is safe to run "
                               "this again later");
            return ZF_ESERVER;
        }
        zf_log(ZF_LOG_INFO, "action", "%s: proven absent after an ambiguous failure; sending "
               "it once more", a->name);
        zf_zoom_resp_free(resp);
        zf_zoom_resp_init(resp);
        rc = send_once(o, req, resp, err);
        if (rc == 0) {
            *body = resp->json ? json_incref(resp->json) : json_object();
            *outcome = ZF_OUTCOME_CREATED;
            return 0;
        }
        if (rc != ZF_EAMBIGUOUS)
            return rc;
    }
}

/* ---- lists with all=true -------------------------------------------------- */

/* The request's query without next_page_token (the pager sets that). */
static size_t list_query(zf_zoom_param *q, const zf_action_request *req)
{
    size_t nq = 0;
    for (size_t i = 0; i < req->nquery; i++) {
        if (strcmp(req->query[i].key, "next_page_token") == 0)
            continue;
        q[nq].key = req->query[i].key;
        q[nq++].value = req->query[i].value;
    }
    return nq;
}

static void list_summary(zf_action_result *res, const zf_pager *p, json_t *all,
                         const zf_action *a)
{
    int64_t total = zf_pager_total(p);
    res->output = json_object();
    if (all)
        json_object_set(res->output, a->items_key, all);
    json_object_set_new(res->output, "total_records",
                        json_integer(total >= 0 ? total : zf_pager_delivered(p)));
    json_object_set_new(res->output, "delivered", json_integer(zf_pager_delivered(p)));
}

/* An item's shaped JSON: bounded by the largest page zf_zoom_call keeps. */
#define RAW_ITEM_MAX ((size_t)64 << 20)

/* The fast path: the pager in raw mode, items shaped from the page bytes. */
static int stream_list_raw(zf_action_result *res, const zf_action *a,
                           const zf_action_request *req, const zf_action_run_opts *o,
                           zf_error *err)
{
    zf_zoom_param q[ZF_ACTION_QUERY_MAX];
    size_t nq = list_query(q, req);
    zf_pager_opts po = ZF_PAGER_OPTS_INIT;
    po.raw = 1;
    zf_pager *p = NULL;
    zf_buf line = ZF_BUF_INIT(RAW_ITEM_MAX);
    int rc = zf_pager_new(&p, o->zoom, req->path, q, nq, a->items_key, &po, err);
    zf_log(ZF_LOG_DEBUG, "action", "%s --all: items shaped from the page bytes (fast path; "
           "ZOOMFLOW_LIST_TREE=1 parses pages instead)", a->name);
    const char *item;
    size_t len;
    while (rc == 0 && (rc = zf_pager_next_raw(p, &item, &len, err)) == 1) {
        zf_buf_reset(&line);
        int w = zf_action_shape_raw(a, item, len, &line);
        rc = 0;
        if (w == ZF_ENOMEM)
            rc = zf_error_set(err, ZF_ENOMEM, "out of memory shaping an item of %s", a->name);
        else if (w < 0)
            rc = zf_error_set(err, w, "%s has too many output keys to shape items from "
                              "the page's bytes", a->name);
        else if (w == 1 && (rc = o->on_item_raw(o->item_ctx, line.ptr, line.len)) != 0 &&
                 !err->code)
            zf_error_set(err, rc, "the receiver of %s's items stopped the listing", a->name);
    }
    if (rc == 0)
        list_summary(res, p, NULL, a);
    zf_buf_free(&line);
    zf_pager_free(p);
    return rc;
}

static int stream_list(zf_action_result *res, const zf_action *a,
                       const zf_action_request *req, const zf_action_run_opts *o,
                       zf_error *err)
{
    if (o->on_item_raw)
        return stream_list_raw(res, a, req, o, err);
    zf_zoom_param q[ZF_ACTION_QUERY_MAX];
    size_t nq = list_query(q, req);
    zf_pager *p = NULL;
    int rc = zf_pager_new(&p, o->zoom, req->path, q, nq, a->items_key, NULL, err);
    json_t *page = json_object(), *one = json_array(), *all = o->on_item ? NULL : json_array();
    if (rc == 0 && (!page || !one || (!o->on_item && !all)))
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    json_object_set(page, a->items_key, one);
    json_t *item;
    while (rc == 0 && (rc = zf_pager_next(p, &item, err)) == 1) {
        json_t *norm = NULL;
        json_array_clear(one);
        json_array_append(one, item);
        rc = zf_action_normalise(&norm, a, page, ZF_OUTCOME_READ, err);
        json_t *it = norm ? json_array_get(json_object_get(norm, a->items_key), 0) : NULL;
        if (rc == 0 && it && o->on_item && (rc = o->on_item(o->item_ctx, it)) != 0 &&
            !err->code)
            zf_error_set(err, rc, "the receiver of %s's items stopped the listing", a->name);
        if (rc == 0 && it && all)
            json_array_append(all, it);
        json_decref(norm);
    }
    if (rc == 0)
        list_summary(res, p, all, a);
    json_decref(page);
    json_decref(one);
    json_decref(all);
    zf_pager_free(p);
    return rc;
}

/* ---- the pipeline ---------------------------------------------------------- */

int zf_action_run(zf_action_result *res, const zf_action *a, const json_t *in,
                  const zf_action_run_opts *o, zf_problems *problems, zf_error *err)
{
    zf_problems local = ZF_PROBLEMS_INIT;
    zf_problems *p = problems ? problems : &local;
    zf_action_request req;
    zf_zoom_resp resp;
    json_t *body = NULL;
    zf_outcome outcome = a->kind == ZF_ACTION_CREATE ? ZF_OUTCOME_CREATED : ZF_OUTCOME_READ;
    memset(&req, 0, sizeof req);
    zf_zoom_resp_init(&resp);
    res->output = res->warnings = NULL;
    int rc = zf_action_validate(p, a, in);
    if (rc != 0) {
        rc = rc == ZF_EVALIDATION ? zf_problems_to_error(err, p)
                                  : zf_error_set(err, rc, "out of memory validating");
        zf_error_hint_arg(err, ZF_HINT_ARG_ACTION, a->name);
        goto done;
    }
    if (!o || !o->zoom) {
        rc = zf_error_set(err, ZF_EINVAL, "zf_action_run: a Zoom client is required");
        goto done;
    }
    if (o->granted_scopes && (rc = zf_action_scope_check(a, o->granted_scopes, err)) != 0)
        goto done;
    if ((rc = zf_action_build(&req, a, in, err)) != 0)
        goto done;
    if (req.follow_pages && a->items_key) {
        rc = stream_list(res, a, &req, o, err);
        goto done;
    }
    rc = send_once(o, &req, &resp, err);
    if (rc == ZF_EAMBIGUOUS && a->kind == ZF_ACTION_CREATE && a->reconcile)
        rc = settle_create(&body, &outcome, a, in, o, &req, &resp, err);
    else if (rc == 0)
        body = resp.json ? json_incref(resp.json) : json_object();
    if (rc != 0) {
        scope_message(a, err);
        goto done;
    }
    if ((rc = zf_action_normalise(&res->output, a, body, outcome, err)) != 0)
        goto done;
    if (a->kind == ZF_ACTION_CREATE)
        warn_daily(res, a, in, o, outcome == ZF_OUTCOME_CREATED ? &resp : NULL);
done:
    json_decref(body);
    zf_zoom_resp_free(&resp);
    zf_action_request_free(&req);
    zf_problems_free(&local);
    return rc;
}
