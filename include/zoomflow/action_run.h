/*
 * Running an action end to end against Zoom (DESIGN §4):
 *
 *   validate        every problem at once, before any traffic
 *   preflight       the connection's granted scopes cover the action
 *   build           the request description (actions.h)
 *   call            zf_zoom_call with the action's kind (retries per zoom.h)
 *   ambiguous create (timeout, cut after sending, 5xx):
 *                   reconcile through the Zoom client (get + list with the
 *                   pager); found -> the object with created=false,
 *                   found=true; proven absent -> one more create, reconciled
 *                   the same way if it is ambiguous too; reconcile failing ->
 *                   ZF_EAMBIGUOUS saying what to check. Never a blind retry.
 *   a write retried by the client after an attempt that reached Zoom
 *   without an answer, refused because its target is gone (the
 *   descriptor's `gone` rule: a delete's 404 code 3001): done by that
 *   attempt, ZF_OUTCOME_GONE with a warning. Without such an attempt the
 *   refusal stands.
 *   normalise       the descriptor's output keys plus the created/found mark;
 *                   actions Zoom answers with 204 make their output from the
 *                   input instead (the descriptor's `output`), and a
 *                   write with `read_back` shows the object read back
 *                   afterwards (update_user)
 *
 * Lists that follow pages (all=true, a limit, a range split by month)
 * stream: each normalised item goes to on_item as the pager delivers it
 * (one page in memory), and the result's output only summarises
 * ({"total_records": n, "delivered": n}; without on_item the items are
 * gathered there too). A limit stops the walk once that many items are
 * out: no page past the one holding the last is fetched. A month-split
 * range runs one pager per calendar month (zf_action_next_month), up to
 * today (UTC, wall_s) when the input has no `to`. With on_item_raw, the
 * pager runs in raw mode and items are shaped from the page's bytes (no
 * JSON tree: the fast path of `--all --format ndjson`), and without a
 * limit the next page is fetched while the current one is shaped.
 *
 * Zoom allows 100 meeting creates/updates per host per UTC day. Zoom's
 * answers to successful creates do not carry the daily remainder (only a
 * Daily-limit 429 does), so the runner counts successful meeting creates per
 * host per UTC day in the store's audit log (action "meeting.create",
 * detail "host=<user_id>") and warns from ZF_ACTION_DAILY_WARN_AT on. When
 * an answer does carry X-RateLimit-Type: Daily-limit with
 * X-RateLimit-Remaining, that figure is used instead.
 *
 * A request whose path names `me` on a Server-to-Server connection
 * (zf_zoom_conn_kind) is sent, with ZF_ACTION_S2S_ME_WARNING in the
 * result's warnings, a log line, and a store signal "s2s_me".
 */
#ifndef ZOOMFLOW_ACTION_RUN_H
#define ZOOMFLOW_ACTION_RUN_H

#include <jansson.h>
#include <stdint.h>

#include "zoomflow/actions.h"
#include "zoomflow/error.h"
#include "zoomflow/store.h"
#include "zoomflow/zoom.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* Zoom's meeting create/update quota per host per UTC day, and when the
 * runner starts warning about it. */
#define ZF_ACTION_DAILY_MEETING_CREATES 100
#define ZF_ACTION_DAILY_WARN_AT 90

/* The warning of a request naming `me` on a Server-to-Server connection
 * (its one %s: the action's name). The request is still sent; the store's
 * signals count it (kind "s2s_me", label the action) for the doctor. */
#define ZF_ACTION_S2S_ME_WARNING                                                                   \
    "%s: the request names the user `me`, but a Server-to-Server token has no user behind it: "    \
    "name the user by id or email instead"

typedef struct zf_action_run_opts {
    zf_zoom *zoom;              /* borrowed; required */
    const char *granted_scopes; /* space-separated; NULL = unknown, no preflight */
    zf_store *store;            /* optional: the per-host daily create count */
    const char *conn_id;        /* whose count (NULL = "default") */
    /* Lists that follow pages: called with each normalised item (borrowed).
     * Non-zero stops the listing and is returned. NULL = items are gathered
     * into the output instead (memory grows with the list). */
    int (*on_item)(void *ctx, const json_t *item);
    void *item_ctx;
    /* Lists that follow pages, the fast path: when set (it wins over
     * on_item), no jansson tree is built. Each item is read from the page's
     * bytes with the strict scanner and shaped by zf_action_shape_raw: the
     * same members as on_item would get, in the same order, as compact
     * JSON (json, len; borrowed until the call returns). Item ctx is
     * item_ctx; non-zero stops the listing as for on_item. Without a
     * limit the next page is fetched on another thread while these calls
     * run (zf_pager_opts.prefetch): on_item_raw must not use the zoom
     * client. */
    int (*on_item_raw)(void *ctx, const char *json, size_t len);
    /* After an ambiguous create, a reconcile that finds nothing is repeated
     * once after settle_ms, so a request still being processed (a timeout
     * ends the client's wait, not the server's work) is seen before any
     * second create. */
    int64_t settle_ms;
    int64_t (*wall_s)(void *ctx);            /* NULL = time() */
    void (*sleep_ms)(void *ctx, int64_t ms); /* NULL = nanosleep */
    void *clock_ctx;
    /* One page of a read list action (no pages followed, output keys, no
     * output hook): when set, the page may be shaped from Zoom's bytes
     * without a jansson tree (zf_action_shape_page_raw): then 0 is
     * returned with res->output NULL and the output's JSON text appended
     * here, the same bytes json_dumps(JSON_COMPACT | JSON_ENSURE_ASCII)
     * writes for the output the tree path makes. Pages the bytes alone
     * cannot tell about take the tree path, res->output set as usual. */
    zf_buf *output_raw;
    /* Creates with a `known` rule (actions.h), many calls (a batch): the
     * objects already there, listed once per scope (the caller plans the
     * calls and calls zf_action_known_prepare before each). When it has a
     * set for the call's scope, a create Zoom answered is existing or
     * created by the set, without `existed`'s request, and its key joins
     * the set; an ambiguous create reconciled and found is existing when
     * the set had it. NULL: `existed` per call. Borrowed. */
    zf_action_known *known;
} zf_action_run_opts;

#define ZF_ACTION_RUN_OPTS_INIT                                                                    \
    {                                                                                              \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2000, NULL, NULL, NULL, NULL, NULL               \
    }

/* Runs `a` with input `in`. 0 with res->output (and res->warnings) set, or
 * a negative zf_code with err filled. Validation failures are ZF_EVALIDATION
 * with *problems filled when problems is not NULL (nothing was sent). */
int zf_action_run(zf_action_result *res, const zf_action *a, const json_t *in,
                  const zf_action_run_opts *opts, zf_problems *problems, zf_error *err);

/* Before sending: 1 when path (relative to /v2) names the user `me` and
 * z's connection is Server-to-Server (zf_zoom_conn_kind), after a log
 * line and the store signal "s2s_me" labelled `action` at `now` (st may be
 * NULL; counting is best effort); else 0. The caller says
 * ZF_ACTION_S2S_ME_WARNING on its surface; zf_action_run does this itself. */
int zf_action_s2s_me(zf_zoom *z, const char *path, zf_store *st, const char *conn_id,
                     const char *action, int64_t now);

/* A zf_action_source over a Zoom client: get = one GET, list = the pager. */
void zf_action_source_zoom(zf_action_source *out, zf_zoom *z);

ZF_PUBLIC_END

#endif
