/*
 * Zoom's app_deauthorized (routes/deauthorize.c): the app was removed from
 * a Zoom account in the App Marketplace. The org's connection to that
 * account and app is marked NEEDS_REAUTH with its tokens wiped, and says
 * so (the connection view, /readyz).
 */
#ifndef ZOOMFLOW_SERVER_DEAUTHORIZE_H
#define ZOOMFLOW_SERVER_DEAUTHORIZE_H

#include "server.h"
#include "zoomflow/doctor.h"

/* How the stored last_error of a deauthorized connection begins
 * (zf_conn_deauthorized reads it). */
#define SRV_DEAUTH_PREFIX ZF_CONN_DEAUTH_PREFIX

/* After the intake verified and stored (or found stored) body, an
 * app_deauthorized delivered to org: acts on the org's connection when it
 * is that account's and app's, audits it, and returns what was done
 * ({"connection": "wiped" | "already_wiped" | "none" | "other_app"}), or
 * NULL when body is not app_deauthorized. Idempotent: Zoom's retry (a
 * duplicate) changes nothing more. */
json_t *srv_deauthorize(srv_req *req, const char *org, zf_error *err, int *rc);

#endif
