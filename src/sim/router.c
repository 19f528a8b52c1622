/*
 * Routing and the checks every Zoom endpoint shares, in Zoom's order:
 * route -> bearer token (401, code 124) -> granular scope (400, code 4711)
 * -> rate limits (429) -> fault injection -> handler -> fault injection on
 * the answer -> request log.
 *
 * Paths are matched segment by segment on the raw path, each segment
 * percent-decoded once. A parameter that decodes to something starting
 * with '/' or containing '//' would have broken Zoom's routing, so it
 * matches nothing: this is why meeting UUIDs that start with '/' or contain
 * '//' must be encoded twice (the recordings handler decodes its parameter a
 * second time). Literal segments never contain '/'.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <unistd.h>

#define MAX_SEGS 12

static void free_segs(char **segs, int n)
{
    for (int i = 0; i < n; i++)
        free(segs[i]);
}

/* The decoded segments of path and their count; ZF_EPARSE when path does
 * not start with '/', is deeper than max or has a bad escape. */
static int split(const char *path, char **segs, int max)
{
    int n = 0;
    const char *p = path;
    if (*p != '/')
        return ZF_EPARSE;
    while (*p == '/') {
        p++;
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *d = n < max ? sim_urldecode(p, len, 0) : NULL;
        if (!d) { /* too deep or a bad escape: nothing matches */
            free_segs(segs, n);
            return ZF_EPARSE;
        }
        segs[n++] = d;
        p += len;
    }
    return n;
}

/* 1 when the pattern matches; path params are moved into rq. */
static int match(const char *pattern, char **segs, int nsegs, sim_req *rq)
{
    char *psegs[MAX_SEGS];
    int np = split(pattern, psegs, MAX_SEGS);
    int ok = np == nsegs, nparam = 0;
    for (int i = 0; ok && i < np; i++) {
        if (psegs[i][0] == '{') {
            /* Zoom's front end decodes once, then routes: a value that then
             * starts with '/' or holds "//" breaks the route (so such UUIDs
             * must be encoded twice); a lone inner '/' survives. */
            ok = segs[i][0] != '\0' && segs[i][0] != '/' && !strstr(segs[i], "//") &&
                 nparam < SIM_MAX_PARAMS;
            nparam++;
        } else {
            ok = strcmp(psegs[i], segs[i]) == 0;
        }
    }
    if (ok) {
        rq->nparam = 0;
        for (int i = 0; i < np; i++) {
            if (psegs[i][0] == '{') {
                rq->param[rq->nparam++] = segs[i];
                segs[i] = NULL;
            }
        }
    }
    free_segs(psegs, np > 0 ? np : 0);
    return ok;
}

static const sim_route *find_route(sim *s, sim_req *rq, int *path_known)
{
    char *segs[MAX_SEGS];
    int n = split(rq->path, segs, MAX_SEGS);
    *path_known = 0;
    if (n <= 0)
        return NULL;
    const sim_route *found = NULL;
    for (int m = 0; sim_modules[m] && !found; m++) {
        const sim_route *r = sim_modules[m]->routes;
        for (; r && r->method && !found; r++) {
            if ((r->flags & SIM_R_CONTROL) && !s->opts.control)
                continue;
            char *copy[MAX_SEGS];
            for (int i = 0; i < n; i++)
                copy[i] = segs[i];
            sim_req probe = *rq;
            if (!match(r->pattern, copy, n, &probe))
                continue;
            *path_known = 1;
            if (strcmp(r->method, rq->method) != 0)
                continue; /* probe's params still belong to segs */
            /* params now owned by probe; the rest stay in segs */
            for (int i = 0; i < n; i++)
                if (!copy[i])
                    segs[i] = NULL;
            rq->nparam = probe.nparam;
            memcpy(rq->param, probe.param, sizeof rq->param);
            found = r;
        }
    }
    free_segs(segs, n);
    return found;
}

/* 0 and rq->auth set, or ZF_EAUTH with Zoom's 401 in rs. */
static int check_bearer(sim *s, sim_req *rq, sim_resp *rs)
{
    const char *h = sim_header(rq, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7]) {
        sim_error(rs, 401, 124, "Invalid access token.");
        return ZF_EAUTH;
    }
    int expired;
    const sim_access *a = sim_auth_lookup(s, h + 7, &expired);
    if (!a || a->superseded) { /* a newer token of its grant replaced it */
        sim_error(rs, 401, 124, "Invalid access token.");
        return ZF_EAUTH;
    }
    if (expired) {
        sim_error(rs, 401, 124, "Access token is expired.");
        return ZF_EAUTH;
    }
    rq->auth = a;
    return 0;
}

/* 0 when the token has one of the route's scopes, or ZF_ESCOPE with Zoom's
 * 400/4711 in rs. */
static int check_scopes(sim_req *rq, sim_resp *rs)
{
    const sim_route *r = rq->route;
    if (!r->scopes[0])
        return 0;
    for (int i = 0; r->scopes[i]; i++)
        if (sim_auth_has_scope(rq->auth, r->scopes[i]))
            return 0;
    zf_buf list = ZF_BUF_INIT(1024);
    for (int i = 0; r->scopes[i]; i++)
        zf_buf_appendf(&list, "%s%s", i ? ", " : "", r->scopes[i]);
    sim_error(rs, 400, 4711, "Invalid access token, does not contain scopes:[%s].",
              zf_buf_cstr(&list));
    zf_buf_free(&list);
    return ZF_ESCOPE;
}

void sim_dispatch(sim *s, sim_req *rq, sim_resp *rs)
{
    int path_known, delay_ms = 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    rq->arrived_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    pthread_mutex_lock(&s->lock);
    rq->seq = ++s->seq;
    rq->now = sim_now(s);
    const sim_route *r = find_route(s, rq, &path_known);
    rq->route = r;
    if (!r) {
        if (path_known)
            sim_error(rs, 405, 2300, "Method %s is not allowed for this API endpoint.", rq->method);
        else
            sim_error(rs, 404, 2300, "This API endpoint is not recognized.");
        goto log;
    }
    if ((r->flags & SIM_R_BEARER) && (check_bearer(s, rq, rs) || check_scopes(rq, rs)))
        goto log;
    if (r->cat != SIM_CAT_NONE && sim_limits_check(s, rq, rs))
        goto log;
    if (!(r->flags & SIM_R_CONTROL) && sim_faults_before(s, rq, rs, &delay_ms))
        goto log;
    if (delay_ms > 0) {
        pthread_mutex_unlock(&s->lock);
        usleep((useconds_t)delay_ms * 1000);
        pthread_mutex_lock(&s->lock);
        rq->now = sim_now(s);
        /* the token may have been revoked meanwhile */
        if ((r->flags & SIM_R_BEARER) && check_bearer(s, rq, rs))
            goto log;
    }
    r->fn(rq, rs);
    if (!(r->flags & SIM_R_CONTROL))
        sim_faults_after(s, rq, rs);
log:
    sim_reqlog_add(s, rq, rs->drop ? 0 : rs->status);
    pthread_mutex_unlock(&s->lock);
}
