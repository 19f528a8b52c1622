/*
 * GET /api/v1/doctor (admin): the library's doctor (zoomflow/doctor.h)
 * over the org's connection, answered as the library makes it, the same
 * JSON as `zoomflow doctor --json`. The webhook checks count (the service
 * is where Zoom delivers); no archive directory is checked (the service
 * archives nothing). 200 whatever the verdicts: the body says them.
 */
#include <stdlib.h>

#include "handlers.h"
#include "server.h"
#include "zoomflow/doctor.h"

extern char **environ;

int srv_h_doctor(srv_req *req, srv_resp *resp)
{
    zf_error err = ZF_ERROR_INIT;
    zf_session *s;
    int rc = srv_ctx_session(req->ctx, req->who->org, &s, &err);
    if (rc)
        return srv_error(resp, &err);
    const srv_opts *so = srv_ctx_opts(req->ctx);
    zf_doctor_opts o = ZF_DOCTOR_OPTS_INIT;
    o.conn_id = req->who->org;
    o.dsn = so->session.db;
    o.env = (const char *const *)environ;
    o.http = so->session.http;
    o.webhooks = 1;
    json_t *r = NULL;
    if ((rc = zf_doctor_run(&r, s, &o, &err)) != 0)
        return srv_error(resp, &err);
    return srv_json(resp, 200, r);
}
