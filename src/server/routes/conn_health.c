/*
 * Whether each org's Zoom connection is usable, from what the store says
 * (never a Zoom call): the "connection" check of /readyz and the gauges
 * zoomflow_zoom_connection_usable{org} and zoomflow_zoom_connections{state}.
 *
 *   VALID            the stored state is VALID and the access token is
 *                    current, or expired with no failed refresh recorded
 *                    (the next call refreshes it)
 *   NEEDS_REAUTH     Zoom refused the tokens, the grant was revoked or
 *                    ended by another connection, or the app was removed
 *                    in Zoom (deauthorized): only a person reconnecting
 *                    heals it
 *   REFRESH_FAILING  VALID as stored, but the access token expired and the
 *                    last refresh failed without Zoom refusing it (the
 *                    network, Zoom's 5xx): calls fail until one succeeds
 *
 * Orgs without a connection are counted (ABSENT), not listed. Connections
 * that are no org's (CLI profiles in the same store) are left out.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "deauthorize.h"
#include "handlers.h"
#include "zoomflow/doctor.h"
#include "server.h"
#include "zoomflow/hint.h"
#include "zoomflow/store.h"

/* The states' rules are the library's (zf_conn_health, doctor.h): the
 * doctor says the same of a connection as /readyz. */
static const char *classify(const zf_store_conn *c, int64_t now)
{
    return zf_conn_health(c->state, c->access_expires_at, c->last_error, now);
}

static json_t *org_entry(const char *slug, const zf_store_conn *c, const char *state)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:I}", "org", slug, "state", state, "kind",
                          zf_conn_kind_name(c->kind), "access_expires_at",
                          (json_int_t)c->access_expires_at);
    if (!o || strcmp(state, "VALID") == 0)
        return o;
    int reauth = strcmp(state, "NEEDS_REAUTH") == 0;
    int hint = reauth ? ZF_HINT_RECONNECT : ZF_HINT_RETRY_LATER;
    if (c->last_error)
        json_object_set_new(o, "message", json_string(c->last_error));
    json_object_set_new(o, "hint_id", json_string(zf_hint_name(hint)));
    int gone = reauth && zf_conn_deauthorized(c->last_error);
    if (gone)
        json_object_set_new(o, "deauthorized", json_true());
    json_t *seed = gone ? zf_seed_deauthorized() : zf_seed_problem(hint, 0);
    if (seed)
        json_object_set_new(o, "resolution", seed);
    return o;
}

int srv_conn_health_ready(srv_ctx *ctx, json_t *check, zf_error *err)
{
    zf_store *st;
    zf_store_org *orgs = NULL;
    size_t n = 0;
    int rc = srv_ctx_store(ctx, &st, err);
    if (rc < 0 || (rc = zf_store_org_list(st, &orgs, &n, err)) < 0)
        return rc;
    json_t *list = json_array(), *attention = json_array();
    json_int_t valid = 0, reauth = 0, failing = 0, absent = 0;
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; i < n && rc >= 0; i++) {
        zf_store_conn c;
        memset(&c, 0, sizeof c);
        rc = zf_store_conn_get(st, orgs[i].slug, &c, err);
        if (rc == ZF_ENOTFOUND) {
            absent++;
            rc = 0;
            continue;
        }
        if (rc < 0)
            break;
        const char *state = classify(&c, now);
        *(strcmp(state, "VALID") == 0 ? &valid : state[0] == 'N' ? &reauth : &failing) += 1;
        if (strcmp(state, "VALID") != 0)
            json_array_append_new(attention, json_string(orgs[i].slug));
        json_array_append_new(list, org_entry(orgs[i].slug, &c, state));
        zf_store_conn_free(&c);
    }
    zf_store_org_free_list(orgs, n);
    if (rc < 0) {
        json_decref(list);
        json_decref(attention);
        return rc;
    }
    size_t bad = json_array_size(attention);
    if (bad) {
        char msg[256];
        snprintf(msg, sizeof msg, "%zu org%s' Zoom connection%s need%s a person: %s%s", bad,
                 bad == 1 ? "" : "s", bad == 1 ? "" : "s", bad == 1 ? "s" : "",
                 json_string_value(json_array_get(attention, 0)), bad > 1 ? ", ..." : "");
        json_object_set_new(check, "message", json_string(msg));
    }
    json_object_set_new(check, "attention", attention);
    json_object_set_new(check, "orgs", list);
    json_object_set_new(check, "counts",
                        json_pack("{s:I,s:I,s:I,s:I}", "VALID", valid, "NEEDS_REAUTH", reauth,
                                  "REFRESH_FAILING", failing, "ABSENT", absent));
    return bad ? SRV_READY_DEGRADED : 0;
}

/* At each scrape: the same bounded probe as /readyz; nothing is written
 * for the gauges when the store did not answer (the store's failure shows
 * in /readyz). */
static int collect(void *arg, zf_buf *out)
{
    json_t *checks;
    const char *failed, *degraded;
    srv_ready_probe(arg, &checks, &failed, &degraded);
    json_t *check = json_object_get(checks, "connection");
    json_t *orgs = json_object_get(check, "orgs");
    if (!json_is_array(orgs)) {
        json_decref(checks);
        return 0;
    }
    zf_buf_puts(out, "# HELP zoomflow_zoom_connection_usable 1 when the org's Zoom connection "
                     "is VALID as stored, 0 when it needs re-authorization or its refresh "
                     "fails\n# TYPE zoomflow_zoom_connection_usable gauge\n");
    size_t i;
    json_t *o;
    json_array_foreach (orgs, i, o) {
        zf_buf labels = ZF_BUF_INIT(512);
        srv_metric_label(&labels, "org", json_string_value(json_object_get(o, "org")));
        const char *state = json_string_value(json_object_get(o, "state"));
        zf_buf_appendf(out, "zoomflow_zoom_connection_usable{%s} %d\n",
                       labels.ptr ? labels.ptr : "", state && strcmp(state, "VALID") == 0);
        zf_buf_free(&labels);
    }
    zf_buf_puts(out, "# HELP zoomflow_zoom_connections The orgs by the state of their Zoom "
                     "connection\n# TYPE zoomflow_zoom_connections gauge\n");
    const char *key;
    json_t *v;
    json_object_foreach (json_object_get(check, "counts"), key, v)
        zf_buf_appendf(out, "zoomflow_zoom_connections{state=\"%s\"} %lld\n", key,
                       (long long)json_integer_value(v));
    json_decref(checks);
    return out->failed ? ZF_ENOMEM : 0;
}

int srv_conn_health_init(srv_ctx *ctx, zf_error *err)
{
    if (srv_metrics_collector(ctx, collect, ctx) != 0)
        return zf_error_set(err, ZF_ENOMEM, "cannot add the connection gauges");
    return 0;
}
