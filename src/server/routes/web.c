/*
 * GET / and GET /assets/{file}: the admin page, embedded at build time
 * (web_assets.h, branch svcweb). The core adds the security headers to
 * every HTML answer (a strict CSP without inline script, nosniff,
 * no-referrer, frame-ancestors 'none'); assets carry their strong ETag
 * and answer 304 to a matching If-None-Match.
 */
#include "handlers.h"
#include "web_assets.h"

#include <string.h>

static int serve_asset(srv_req *req, srv_resp *resp, const srv_asset *a)
{
    if (!a)
        return srv_fail(resp, ZF_ENOTFOUND, "no such file");
    const char *inm = srv_header(req, "If-None-Match");
    srv_resp_header(resp, "ETag", a->etag);
    srv_resp_header(resp, "Cache-Control", "no-cache");
    if (inm && strcmp(inm, a->etag) == 0)
        return srv_static(resp, 304, a->content_type, "", 0);
    return srv_static(resp, 200, a->content_type, a->bytes, a->len);
}

int srv_h_index(srv_req *req, srv_resp *resp)
{
    return serve_asset(req, resp, srv_web_asset("index.html"));
}

int srv_h_asset(srv_req *req, srv_resp *resp)
{
    const char *f = srv_param(req, "file");
    /* the file is one clean segment already (no '/', '.' or '..' alone);
     * the lookup is exact, so only an embedded file can answer */
    if (!f || strcmp(f, "index.html") == 0)
        return srv_fail(resp, ZF_ENOTFOUND, "no such file");
    return serve_asset(req, resp, srv_web_asset(f));
}
