/*
 * The router's path splitting and matching (static in router.c), reached
 * through sim_dispatch: input = METHOD '\n' PATH. No connection is attached
 * (headers and query read as absent), so every route that needs a token
 * stops at the bearer check and no handler runs; the control plane is off.
 * Paths whose first segment names a route that runs without a token (OAuth)
 * are skipped: their handlers read the connection, which is not routing.
 * Checks: unknown paths get 404/405 code 2300, token routes 401 code 124,
 * and path parameters handed to the request are non-empty, neither start
 * with '/' nor hold "//", and number at most SIM_MAX_PARAMS.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sim *the_sim;

static sim *get_sim(void)
{
    if (!the_sim) {
        sim_opts o;
        memset(&o, 0, sizeof o);
        o.host = "127.0.0.1";
        o.plan = SIM_PLAN_PRO;
        o.webhook_retry_scale = 1.0;
        o.quiet = 1;
        if (sim_new(&the_sim, &o) != 0)
            abort();
    }
    return the_sim;
}

/* 1 when the path's first segment, decoded, is the first segment of a route
 * that needs no token (its handler would run). */
static int reaches_open_route(const char *path)
{
    const char *p = path[0] == '/' ? path + 1 : path;
    size_t len = strcspn(p, "/");
    char *seg = sim_urldecode(p, len, 0);
    int hit = 0;
    for (int m = 0; seg && sim_modules[m] && !hit; m++) {
        for (const sim_route *r = sim_modules[m]->routes; r && r->method && !hit; r++) {
            if (r->flags & (SIM_R_BEARER | SIM_R_CONTROL))
                continue;
            const char *q = r->pattern + 1;
            size_t qlen = strcspn(q, "/");
            hit = q[0] == '{' || (qlen == strlen(seg) && memcmp(q, seg, qlen) == 0);
        }
    }
    free(seg);
    return hit;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024)
        return 0;
    const uint8_t *nl = memchr(data, '\n', size < 16 ? size : 16);
    if (!nl)
        return 0;
    char method[17], *path = malloc(size + 1);
    if (!path)
        return 0;
    size_t mlen = (size_t)(nl - data);
    for (size_t i = 0; i < mlen; i++) {
        if (data[i] < 0x21 || data[i] > 0x7e) { /* a method is an ASCII token (RFC 9110) */
            free(path);
            return 0;
        }
    }
    memcpy(method, data, mlen);
    method[mlen] = '\0';
    memcpy(path, nl + 1, size - mlen - 1);
    path[size - mlen - 1] = '\0';

    if (reaches_open_route(path)) {
        free(path);
        return 0;
    }
    sim_req rq;
    memset(&rq, 0, sizeof rq);
    rq.s = get_sim();
    rq.method = method;
    rq.path = path;
    sim_resp rs;
    sim_resp_init(&rs);
    sim_dispatch(rq.s, &rq, &rs);
    json_t *j = json_loadb(rs.body.ptr, rs.body.len, 0, NULL);
    json_int_t code = json_integer_value(json_object_get(j, "code"));
    if (!rq.route && !((rs.status == 404 || rs.status == 405) && code == 2300))
        abort();
    if (rq.route && !(rq.route->flags & SIM_R_BEARER))
        abort(); /* an open route was reached: reaches_open_route is wrong */
    if (rq.route && !(rs.status == 401 && code == 124))
        abort();
    json_decref(j);
    if (rq.nparam < 0 || rq.nparam > SIM_MAX_PARAMS)
        abort();
    for (int i = 0; i < rq.nparam; i++) {
        /* a lone inner '/' survives (as at Zoom); a leading one or "//" not */
        if (!rq.param[i] || !rq.param[i][0] || rq.param[i][0] == '/' || strstr(rq.param[i], "//"))
            abort();
        free(rq.param[i]);
    }
    for (int i = 0; i < rq.nq; i++)
        free(rq.qbuf[i]);
    sim_resp_free(&rs);
    free(path);
    return 0;
}
