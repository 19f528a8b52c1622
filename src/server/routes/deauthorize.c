/*
 * app_deauthorized: someone removed the app from the Zoom account (App
 * Marketplace > Manage > Added Apps > Remove). Zoom has ended the grant
 * already; the tokens here are dead weight a Marketplace app must not keep.
 *
 * Which connection: only the one of the org the delivery came to (its
 * secret token verified the signature), and only when it is the event's
 * app (client_id) and Zoom account (account_id). A delivery signed with
 * one org's token never touches another org's connection, so an org admin,
 * who knows the token, cannot wipe a neighbour's. Its tokens are wiped
 * (access, refresh; the app's client secret stays, it is the app's), the
 * state becomes NEEDS_REAUTH with a last_error that says what happened, and
 * the org's audit log gets "connection.deauthorized" (also when nothing
 * matched, outcome "ignored", so a misrouted notice is visible).
 */
#include "deauthorize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/log.h"
#include "zoomflow/store.h"
#include "zoomflow/webhook.h"

#define ACTOR "zoom:app_deauthorized"

static void audit(zf_store *st, const char *org, const char *outcome, const char *detail)
{
    zf_error ignored = ZF_ERROR_INIT;
    zf_store_audit a = {0,
                        (int64_t)time(NULL),
                        (char *)org,
                        (char *)ACTOR,
                        (char *)"connection.deauthorized",
                        (char *)outcome,
                        (char *)detail};
    if (zf_store_audit_add(st, &a, &ignored) != 0)
        srv_log(NULL, ZF_LOG_WARN, "audit", "audit record of app_deauthorized not written: %s",
                ignored.message);
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static void wipe(char **sealed)
{
    free(*sealed);
    *sealed = NULL;
}

/* Under the connection's row lock: what to do and, when it is ours, the
 * row rewritten. *what gets the outcome's name. */
static int act(zf_store *st, const char *org, const zf_webhook_event *ev, const char **what,
               char *detail, size_t cap, zf_error *err)
{
    zf_store_conn c;
    memset(&c, 0, sizeof c);
    int rc = zf_store_lock_connection(st, org, err);
    if (rc < 0)
        return rc;
    rc = zf_store_conn_get(st, org, &c, err);
    if (rc == ZF_ENOTFOUND) {
        zf_store_rollback(st);
        *what = "none";
        snprintf(detail, cap, "app %s removed from Zoom account %s; the org has no connection",
                 ev->client_id, ev->account_id);
        return 0;
    }
    if (rc < 0) {
        zf_store_rollback(st);
        return rc;
    }
    if (!same(c.client_id, ev->client_id) || !same(c.account_id, ev->account_id)) {
        zf_store_rollback(st);
        *what = "other_app";
        snprintf(detail, cap,
                 "app %s removed from Zoom account %s; the org's connection is app %s on "
                 "account %s: left as it is",
                 ev->client_id, ev->account_id, c.client_id ? c.client_id : "?",
                 c.account_id ? c.account_id : "?");
        zf_store_conn_free(&c);
        return 0;
    }
    if (c.state == ZF_CONN_NEEDS_REAUTH && zf_conn_deauthorized(c.last_error) &&
        !c.access_token_sealed && !c.refresh_token_sealed) {
        zf_store_rollback(st);
        *what = "already_wiped";
        snprintf(detail, cap, "app %s removed from Zoom account %s again; already wiped",
                 ev->client_id, ev->account_id);
        zf_store_conn_free(&c);
        return 0;
    }
    char msg[768];
    snprintf(msg, sizeof msg,
             SRV_DEAUTH_PREFIX "the app was removed from the Zoom account %s%s%s%s%s; its "
                               "tokens were deleted",
             ev->account_id, ev->user_id ? " by user " : "", ev->user_id ? ev->user_id : "",
             ev->deauthorization_time ? " at " : "",
             ev->deauthorization_time ? ev->deauthorization_time : "");
    char *le = strdup(msg), *lh = strdup("Reconnect from Settings > App Store > Zoom.");
    if (!le || !lh) {
        free(le);
        free(lh);
        zf_store_rollback(st);
        zf_store_conn_free(&c);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    wipe(&c.access_token_sealed);
    wipe(&c.refresh_token_sealed);
    c.access_expires_at = 0;
    c.state = ZF_CONN_NEEDS_REAUTH;
    free(c.last_error);
    c.last_error = le;
    free(c.last_hint);
    c.last_hint = lh;
    c.updated_at = (int64_t)time(NULL);
    rc = zf_store_conn_put(st, &c, err);
    if (rc == 0)
        rc = zf_store_commit(st, err);
    else
        zf_store_rollback(st);
    zf_store_conn_free(&c);
    *what = "wiped";
    snprintf(detail, cap, "%s", msg + strlen(SRV_DEAUTH_PREFIX));
    return rc;
}

json_t *srv_deauthorize(srv_req *req, const char *org, zf_error *err, int *rc)
{
    zf_webhook_event ev;
    zf_error derr = ZF_ERROR_INIT;
    *rc = 0;
    if (zf_webhook_decode(&ev, req->body ? req->body : "", req->body ? req->body_len : 0, &derr) !=
        0)
        return NULL;
    if (!ev.is_deauthorization) {
        zf_webhook_event_free(&ev);
        return NULL;
    }
    zf_store *st;
    const char *what = NULL;
    char detail[1024] = "";
    *rc = srv_ctx_store(req->ctx, &st, err);
    if (*rc == 0)
        *rc = act(st, org, &ev, &what, detail, sizeof detail, err);
    if (*rc == 0) {
        audit(st, org, strcmp(what, "wiped") == 0 ? "ok" : "ignored", detail);
        srv_log(req, ZF_LOG_INFO, "webhook.deauthorized", "org %s: %s (%s)", org, what, detail);
    } else {
        srv_log(req, ZF_LOG_ERROR, "webhook.deauthorized",
                "org %s: app_deauthorized not acted on: %s", org, err->message);
    }
    zf_webhook_event_free(&ev);
    return *rc == 0 ? json_pack("{s:s}", "connection", what) : NULL;
}
