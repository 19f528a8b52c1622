/*
 * zf_action_run: the action pipeline over the Zoom client (action_run.h).
 *
 * Invariant: a create is sent a second time only after reconcile has
 * looked twice (settle_ms apart) and found nothing; every other failure
 * is returned as it is, so nothing is ever created twice by this file.
 */
#include "zoomflow/action_run.h"
#include "zoomflow/log.h"
#include "actions_internal.h"
#include "text.h"

#include <curl/curl.h>
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
    return k == ZF_ACTION_CREATE  ? ZF_ZOOM_CREATE
           : k == ZF_ACTION_WRITE ? ZF_ZOOM_WRITE
                                  : ZF_ZOOM_READ;
}

/* 429s of one exchange as signals for the doctor (store.h): every 429 the
 * client met (retried ones too), and a daily limit with its reset time.
 * Best effort: a failure to count changes nothing of the call. */
static void note_limits(const zf_action_run_opts *o, const zf_zoom_stats *before,
                        const zf_zoom_resp *resp, int rc, const zf_error *err)
{
    zf_zoom_stats after;
    zf_zoom_stats_get(o->zoom, &after);
    int64_t n = after.rate_limited - before->rate_limited;
    if (!o->store || (n <= 0 && rc != ZF_EDAILYLIMIT))
        return;
    char cat[64];
    if (!zf_zoom_resp_header(resp, "X-RateLimit-Category", cat, sizeof cat))
        snprintf(cat, sizeof cat, "%s", "unknown");
    const char *conn = o->conn_id ? o->conn_id : "default";
    int64_t now = now_s(o);
    zf_error quiet = ZF_ERROR_INIT;
    if (rc == ZF_EDAILYLIMIT)
        zf_store_signal_add(o->store, conn, "daily_limit", cat, now, err->reset_at, &quiet);
    for (int64_t i = rc == ZF_EDAILYLIMIT ? 1 : 0; i < n && i < 64; i++)
        zf_store_signal_add(o->store, conn, "rate_limited", cat, now, 0, &quiet);
}

/* `me` names the user behind the token; a Server-to-Server token has none
 * (zoom-api.md §1: Zoom says S2S apps must not use it, uncertain). The
 * kind is asked only for a path naming `me`: one row read. */
int zf_action_s2s_me(zf_zoom *z, const char *path, zf_store *st, const char *conn_id,
                     const char *action, int64_t now)
{
    if (!zf_zoom_path_names_me(path) || zf_zoom_conn_kind(z) != ZF_CONN_S2S)
        return 0;
    zf_log(ZF_LOG_WARN, "action", ZF_ACTION_S2S_ME_WARNING, action);
    zf_error quiet = ZF_ERROR_INIT;
    if (st)
        zf_store_signal_add(st, conn_id ? conn_id : "default", "s2s_me", action, now, 0, &quiet);
    return 1;
}

static void note_s2s_me(zf_action_result *res, const zf_action *a, const zf_action_request *req,
                        const zf_action_run_opts *o)
{
    if (zf_action_s2s_me(o->zoom, req->path, o->store, o->conn_id, a->name, now_s(o)))
        zf_action_result_warn(res, ZF_ACTION_S2S_ME_WARNING, a->name);
}

static int send_raw(const zf_action_run_opts *o, const zf_action_request *req, zf_zoom_resp *resp,
                    int raw_json, zf_error *err)
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
    zr.raw_json = raw_json;
    zf_zoom_stats before;
    zf_zoom_stats_get(o->zoom, &before);
    int rc = zf_zoom_call(o->zoom, &zr, resp, err);
    note_limits(o, &before, resp, rc, err);
    return rc;
}

static int send_once(const zf_action_run_opts *o, const zf_action_request *req, zf_zoom_resp *resp,
                     zf_error *err)
{
    return send_raw(o, req, resp, 0, err);
}

/* ---- one page from the bytes -------------------------------------------- */

static int page_from_bytes(const zf_action *a, const zf_action_request *req,
                           const zf_action_run_opts *o)
{
    return o->output_raw && a->kind == ZF_ACTION_READ && a->items_key && a->output_keys &&
           !a->output && !a->read_back && !req->follow_pages;
}

/* The page Zoom sent (raw_json) shaped into o->output_raw: 1 done; 0 the
 * tree path goes on with resp->json set (the body parsed, or the request
 * made again without raw_json when jansson refuses what the scanner took:
 * what the tree path would have done, retries and errors included). */
static int take_page(const zf_action *a, const zf_action_run_opts *o, const zf_action_request *req,
                     zf_zoom_resp *resp, int *rc, zf_error *err)
{
    int shaped = resp->body.len
                     ? zf_action_shape_page_raw(a, resp->body.ptr, resp->body.len, o->output_raw)
                     : 0;
    if (shaped == 1)
        return 1;
    if (shaped < 0) {
        *rc = zf_error_set(err, ZF_ENOMEM, "out of memory shaping the page of %s", a->name);
        return 1;
    }
    if (!resp->body.len)
        return 0;
    zf_log(ZF_LOG_DEBUG, "action", "%s: the page's bytes left to jansson", a->name);
    if ((resp->json = json_loadb(resp->body.ptr, resp->body.len, 0, NULL)) != NULL)
        return 0;
    zf_zoom_resp_free(resp);
    zf_zoom_resp_init(resp);
    *rc = send_once(o, req, resp, err);
    return 0;
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
        int64_t left;
        if (zf_parse_i64(rem, 0, 1000000, &left) == 0 &&
            left <= ZF_ACTION_DAILY_MEETING_CREATES - ZF_ACTION_DAILY_WARN_AT)
            zf_action_result_warn(res,
                                  "%s: Zoom reports %ld meeting creates/updates left today "
                                  "(UTC) for this host; the count resets at 00:00 UTC",
                                  host + 5, (long)left);
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
        zf_action_result_warn(res,
                              "%s: %ld of Zoom's %d meeting creates/updates per host per "
                              "UTC day used by this connection (counted by zoomflow); the "
                              "limit resets at 00:00 UTC",
                              host + 5, used, ZF_ACTION_DAILY_MEETING_CREATES);
}

/* ---- ambiguous creates ---------------------------------------------------- */

static int transient(int code)
{
    return code == ZF_ESERVER || code == ZF_ENET || code == ZF_ETIMEOUT || code == ZF_ERATELIMIT;
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
static int look(json_t **found, const zf_action *a, const json_t *in, const zf_action_run_opts *o,
                int64_t started, zf_error *err)
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
    zf_error_set(err, ZF_EAMBIGUOUS,
                 "%s may or may not have happened: %.200s; checking for "
                 "it failed too: %.200s",
                 a->name, why, check);
    zf_error_hint_id(err, ZF_HINT_CHECK_IN_ZOOM,
                     "look for the %s in Zoom before running this again (running it blindly "
                     "could create it twice)",
                     a->item_type ? a->item_type : "object");
    return ZF_EAMBIGUOUS;
}

/* The create was ambiguous: reconcile, and send it once more only when
 * the object is proven absent. */
static int settle_create(json_t **body, zf_outcome *outcome, const zf_action *a, const json_t *in,
                         const zf_action_run_opts *o, const zf_action_request *req,
                         zf_zoom_resp *resp, zf_error *err)
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
            zf_error_set(err, ZF_ESERVER,
                         "%s was not done: two attempts failed (%s) and Zoom "
                         "shows no such %s",
                         a->name, first.message, a->item_type ? a->item_type : "object");
            zf_error_hint_id(err, ZF_HINT_RETRY_LATER,
                             "Zoom is having trouble (see status.zoom.us); "
                             "it is safe to run "
                             "this again later");
            return ZF_ESERVER;
        }
        zf_log(ZF_LOG_INFO, "action",
               "%s: proven absent after an ambiguous failure; sending "
               "it once more",
               a->name);
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

/* A create Zoom answered at once: was the object there before (a->existed)?
 * The attempt's time is Zoom's Date header when there is one (Zoom's own
 * clock, as create_time is: a second's tolerance), else the local clock
 * with the reconcile skew. Not telling is not an error: "created" stays. */
static void check_existed(zf_outcome *outcome, const zf_action *a, const json_t *in,
                          const json_t *body, const zf_action_run_opts *o, int64_t sent,
                          const zf_zoom_resp *resp)
{
    zf_reconcile_opts ro = ZF_RECONCILE_OPTS_INIT;
    ro.attempt_started = sent;
    char date[64];
    if (zf_zoom_resp_header(resp, "Date", date, sizeof date)) {
        time_t t = curl_getdate(date, NULL);
        if (t > 0) {
            ro.attempt_started = (int64_t)t;
            ro.skew = 1;
        }
    }
    zf_action_source src;
    zf_action_source_zoom(&src, o->zoom);
    zf_error e = ZF_ERROR_INIT;
    int rc = a->existed(body, in, &ro, &src, &e);
    if (rc == 1)
        *outcome = ZF_OUTCOME_EXISTING;
    else if (rc < 0)
        zf_log(ZF_LOG_DEBUG, "action", "%s: cannot tell whether the %s was there before: %s",
               a->name, a->item_type ? a->item_type : "object", e.message);
}

/* ---- a write whose target is gone ------------------------------------------- */

/* A write retried by the client after an attempt with an unknown outcome
 * (sent, no answer) that now hears "not found": the first attempt did it.
 * Only the descriptor knows which refusal means "gone" (its `gone` rule);
 * without an unsure attempt the refusal stands (the object never existed
 * or was removed by someone else), so a delete of a wrong id still fails. */
static int done_before(zf_action_result *res, const zf_action *a, const json_t *in,
                       const zf_zoom_resp *resp, zf_error *err)
{
    if (!a->gone || !resp->unsure || !a->gone(in, err))
        return 0;
    zf_log(ZF_LOG_INFO, "action",
           "%s: an earlier attempt got no answer and Zoom now answers "
           "\"%s\": it was done by that attempt",
           a->name, err->message);
    zf_action_result_warn(res,
                          "the %s was already gone when the request was retried: an "
                          "earlier attempt reached Zoom without an answer and most likely did "
                          "it (Zoom's answer to the retry: %.200s)",
                          a->item_type ? a->item_type : "object", err->message);
    zf_error_reset(err);
    return 1;
}

/* ---- lists that follow pages ---------------------------------------------- */

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

/* One walk over a list: the pages of each month in turn (one pager per
 * month, one page held at a time), counting what the receiver got against
 * the limit. Invariant: once `limit` items are out no pager is asked for
 * more, so no page past the one holding the last item is fetched. */
typedef struct list_walk {
    const zf_action *a;
    const zf_action_run_opts *o;
    int64_t limit;      /* 0 = none */
    int64_t delivered;  /* items handed to the receiver, over all months */
    int64_t total;      /* Zoom's total_records, summed over the months fetched */
    json_t *all;        /* tree path without on_item: the items gathered */
    json_t *page, *one; /* tree path: a one-item page for zf_action_normalise */
    zf_buf line;        /* raw path: one shaped item */
    zf_shape_memo memo; /* raw path: what shaping learnt from the items before */
} list_walk;

/* An item's shaped JSON: bounded by the largest page zf_zoom_call keeps. */
#define RAW_ITEM_MAX ((size_t)64 << 20)

static int walk_full(const list_walk *w)
{
    return w->limit > 0 && w->delivered >= w->limit;
}

static int stopped(const list_walk *w, int rc, zf_error *err)
{
    if (!err->code)
        zf_error_set(err, rc, "the receiver of %s's items stopped the listing", w->a->name);
    return rc;
}

/* The fast path: the pager in raw mode, items shaped from the page bytes. */
static int drain_raw(list_walk *w, zf_pager *p, zf_error *err)
{
    const char *item;
    size_t len;
    int rc = 0;
    while (rc == 0 && !walk_full(w) && (rc = zf_pager_next_raw(p, &item, &len, err)) == 1) {
        zf_buf_reset(&w->line);
        int shaped = zf_action__shape_raw_memo(w->a, item, len, &w->line, &w->memo);
        rc = 0;
        if (shaped == ZF_ENOMEM)
            rc = zf_error_set(err, ZF_ENOMEM, "out of memory shaping an item of %s", w->a->name);
        else if (shaped < 0)
            rc = zf_error_set(err, shaped,
                              "%s has too many output keys to shape items from "
                              "the page's bytes",
                              w->a->name);
        else if (shaped == 1) {
            w->delivered++;
            if ((rc = w->o->on_item_raw(w->o->item_ctx, w->line.ptr, w->line.len)) != 0)
                rc = stopped(w, rc, err);
        }
    }
    return rc;
}

static int drain_tree(list_walk *w, zf_pager *p, zf_error *err)
{
    json_t *item;
    int rc = 0;
    while (rc == 0 && !walk_full(w) && (rc = zf_pager_next(p, &item, err)) == 1) {
        json_t *norm = NULL;
        json_array_clear(w->one);
        json_array_append(w->one, item);
        rc = zf_action_normalise(&norm, w->a, w->page, ZF_OUTCOME_READ, err);
        json_t *it = norm ? json_array_get(json_object_get(norm, w->a->items_key), 0) : NULL;
        if (rc == 0 && it) {
            w->delivered++;
            if (w->o->on_item && (rc = w->o->on_item(w->o->item_ctx, it)) != 0)
                rc = stopped(w, rc, err);
            if (rc == 0 && w->all)
                json_array_append(w->all, it);
        }
        json_decref(norm);
    }
    return rc;
}

/* The last day of a month-split range: its `to`, or today (UTC). */
static void range_end(char out[11], const zf_action_request *req, const zf_action_run_opts *o)
{
    if (req->month_to[0]) {
        memcpy(out, req->month_to, 11);
        return;
    }
    time_t t = (time_t)now_s(o);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        memcpy(out, "9999-12-31", 11);
}

/* Points q's from/to at the month being listed. */
static void month_query(zf_zoom_param *q, size_t nq, const char *from, const char *to)
{
    for (size_t i = 0; i < nq; i++) {
        if (strcmp(q[i].key, "from") == 0)
            q[i].value = from;
        else if (strcmp(q[i].key, "to") == 0)
            q[i].value = to;
    }
}

static int walk_list(list_walk *w, const zf_action_request *req, int raw, zf_error *err)
{
    zf_zoom_param q[ZF_ACTION_QUERY_MAX];
    size_t nq = list_query(q, req);
    char from[11] = "", to[11] = "", last[11];
    int months = req->month_from[0] != '\0', rc = 0;
    zf_pager_opts po = ZF_PAGER_OPTS_INIT;
    po.raw = raw;
    /* the next page arrives while this one is shaped and written; not with
     * a limit, which must fetch no page past the one holding its last item */
    po.prefetch = raw && w->limit <= 0;
    range_end(last, req, w->o);
    do {
        if (months) {
            int more = zf_action_next_month(from, to, req->month_from, last);
            if (more <= 0)
                return more < 0 ? zf_error_set(err, more, "%s: cannot split %s..%s by month",
                                               w->a->name, req->month_from, last)
                                : 0;
            month_query(q, nq, from, to);
            zf_log(ZF_LOG_DEBUG, "action", "%s: listing %s..%s", w->a->name, from, to);
        }
        zf_pager *p = NULL;
        rc = zf_pager_new(&p, w->o->zoom, req->path, q, nq, w->a->items_key, &po, err);
        if (rc == 0)
            rc = raw ? drain_raw(w, p, err) : drain_tree(w, p, err);
        int64_t total = zf_pager_total(p);
        if (rc == 0)
            w->total += total >= 0 ? total : zf_pager_delivered(p);
        zf_pager_free(p);
    } while (rc == 0 && months && !walk_full(w));
    return rc;
}

/* Lists that follow pages stream: each item goes to on_item_raw (items
 * shaped from the page bytes, no JSON tree: the fast path), or to on_item,
 * or into the output when neither is set; the output then summarises. */
static int stream_list(zf_action_result *res, const zf_action *a, const zf_action_request *req,
                       const zf_action_run_opts *o, zf_error *err)
{
    int raw = o->on_item_raw != NULL;
    list_walk w = {a, o, req->limit, 0, 0, NULL, NULL, NULL, ZF_BUF_INIT(RAW_ITEM_MAX), {0}};
    int rc = 0;
    if (raw) {
        zf_log(ZF_LOG_DEBUG, "action",
               "%s: items shaped from the page bytes (fast path; "
               "ZOOMFLOW_LIST_TREE=1 parses pages instead)",
               a->name);
    } else {
        w.page = json_object();
        w.one = json_array();
        w.all = o->on_item ? NULL : json_array();
        if (!w.page || !w.one || (!o->on_item && !w.all) ||
            json_object_set(w.page, a->items_key, w.one) != 0)
            rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    if (rc == 0)
        rc = walk_list(&w, req, raw, err);
    if (rc == 0) {
        res->output = json_object();
        if (w.all)
            json_object_set(res->output, a->items_key, w.all);
        json_object_set_new(res->output, "total_records", json_integer(w.total));
        json_object_set_new(res->output, "delivered", json_integer(w.delivered));
        if (!res->output)
            rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    zf_buf_free(&w.line);
    json_decref(w.page);
    json_decref(w.one);
    json_decref(w.all);
    return rc;
}

/* ---- writes -------------------------------------------------------------- */

/* After a write Zoom applied: the object as Zoom now has it, shaped by the
 * output keys, with `output`'s members over it. Failing to read it is a
 * warning, not a failure: the write happened. */
static void read_back(zf_action_result *res, const zf_action *a, const json_t *in,
                      const zf_action_run_opts *o)
{
    zf_action_request req;
    zf_error e = ZF_ERROR_INIT;
    json_t *obj = NULL, *shaped = NULL;
    zf_action_source src;
    zf_action_source_zoom(&src, o->zoom);
    memset(&req, 0, sizeof req);
    int rc = a->read_back(&req, in, &e);
    if (rc == 0)
        rc = src.get(src.ctx, &obj, &req, &e);
    if (rc == 0)
        rc = zf_action_normalise(&shaped, a, obj, ZF_OUTCOME_READ, &e);
    if (rc == 0 && json_object_update(shaped, res->output) == 0) {
        json_decref(res->output);
        res->output = shaped;
        shaped = NULL;
    } else {
        zf_action_result_warn(res, "the %s was changed, but reading it back failed: %s",
                              a->item_type ? a->item_type : "object",
                              e.message[0] ? e.message : "out of memory");
    }
    json_decref(shaped);
    json_decref(obj);
    zf_action_request_free(&req);
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
    note_s2s_me(res, a, &req, o);
    if (req.follow_pages && a->items_key) {
        rc = stream_list(res, a, &req, o, err);
        goto done;
    }
    int64_t sent = now_s(o);
    int raw = page_from_bytes(a, &req, o);
    rc = send_raw(o, &req, &resp, raw, err);
    if (rc == 0 && raw && take_page(a, o, &req, &resp, &rc, err))
        goto done;
    /* the set's answer, asked before the create: its own key joins it after */
    int had = o->known && a->kind == ZF_ACTION_CREATE ? zf_action_known_has(o->known, in) : -1;
    if (rc == ZF_EAMBIGUOUS && a->kind == ZF_ACTION_CREATE && a->reconcile) {
        rc = settle_create(&body, &outcome, a, in, o, &req, &resp, err);
        if (rc == 0 && had == 1)
            outcome = ZF_OUTCOME_EXISTING; /* found, but there before this call */
    } else if (rc == 0) {
        body = resp.json ? json_incref(resp.json) : json_object();
        if (had >= 0)
            outcome = had ? ZF_OUTCOME_EXISTING : ZF_OUTCOME_CREATED;
        else if (a->kind == ZF_ACTION_CREATE && a->existed && body)
            check_existed(&outcome, a, in, body, o, sent, &resp);
    } else if (done_before(res, a, in, &resp, err)) {
        rc = 0;
        outcome = ZF_OUTCOME_GONE;
    }
    if (rc != 0) {
        scope_message(a, err);
        goto done;
    }
    if (had >= 0 && zf_action_known_add(o->known, in) != 0)
        zf_log(ZF_LOG_WARN, "action",
               "%s: out of memory keeping the %ss made; the next calls "
               "check each one with a request",
               a->name, a->item_type ? a->item_type : "object");
    rc = a->output ? a->output(res, in, outcome, now_s(o), err)
                   : zf_action_normalise(&res->output, a, body, outcome, err);
    if (rc != 0)
        goto done;
    if (a->read_back && outcome != ZF_OUTCOME_GONE)
        read_back(res, a, in, o);
    if (a->kind == ZF_ACTION_CREATE)
        warn_daily(res, a, in, o, outcome == ZF_OUTCOME_CREATED ? &resp : NULL);
done:
    json_decref(body);
    zf_zoom_resp_free(&resp);
    zf_action_request_free(&req);
    zf_problems_free(&local);
    return rc;
}
