/*
 * The control plane under /_sim/ (only with --control): reset, clock, a token
 * minted without the OAuth dance (tests and benchmarks), the request log and
 * the state dump. Seeding, faults and webhooks add their own /_sim/ routes in
 * their modules.
 *
 * The request log keeps the last REQLOG_MAX requests in a ring plus exact
 * per-route counters that never wrap, so tests can count what really reached
 * the emulator.
 */
#include "sim.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REQLOG_MAX 65536

typedef struct logent {
    uint64_t seq;
    int64_t time;
    int64_t arrived_ms, answered_ms; /* real clock, unix ms */
    int status;
    char method[8];
    char route[40];
    char client_id[64];
    char *path;
    char *detail;
} logent;

struct sim_reqlog {
    logent *ring;
    uint64_t total; /* entries ever added since the last clear */
    sim_map counts; /* "route name" -> (uintptr_t) count */
};

void sim_reqlog_add(sim *s, const sim_req *rq, int status)
{
    struct sim_reqlog *lg = s->reqlog;
    if (rq->route && (rq->route->flags & SIM_R_CONTROL))
        return; /* the control plane does not observe itself */
    logent *e = &lg->ring[lg->total % REQLOG_MAX];
    free(e->path);
    free(e->detail);
    memset(e, 0, sizeof *e);
    e->seq = rq->seq;
    e->time = rq->now;
    e->arrived_ms = rq->arrived_ms;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    e->answered_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    e->status = status;
    snprintf(e->method, sizeof e->method, "%s", rq->method);
    const char *name = rq->route ? rq->route->name : "unknown";
    snprintf(e->route, sizeof e->route, "%s", name);
    if (rq->auth)
        snprintf(e->client_id, sizeof e->client_id, "%s", rq->auth->client_id);
    e->path = strdup(rq->path);
    e->detail = rq->log_detail[0] ? strdup(rq->log_detail) : NULL;
    lg->total++;
    uintptr_t c = (uintptr_t)sim_map_get(&lg->counts, name);
    sim_map_put(&lg->counts, name, (void *)(c + 1));
}

static void reqlog_clear(struct sim_reqlog *lg)
{
    for (size_t i = 0; i < REQLOG_MAX; i++) {
        free(lg->ring[i].path);
        free(lg->ring[i].detail);
    }
    memset(lg->ring, 0, REQLOG_MAX * sizeof *lg->ring);
    lg->total = 0;
    sim_map_clear(&lg->counts, NULL);
}

static void h_reset(sim_req *rq, sim_resp *rs)
{
    sim_reset(rq->s);
    reqlog_clear(rq->s->reqlog);
    sim_empty(rs, 204);
}

static void h_clock_get(sim_req *rq, sim_resp *rs)
{
    char iso[32];
    sim_fmt_time(iso, sim_now(rq->s));
    sim_json(rs, 200,
             json_pack("{s:I,s:s,s:I}", "now", (json_int_t)sim_now(rq->s), "iso", iso, "offset",
                       (json_int_t)rq->s->clock_offset));
}

static void h_clock_advance(sim_req *rq, sim_resp *rs)
{
    json_t *j = sim_body_json(rq, rs);
    if (!j)
        return;
    json_t *sec = json_object_get(j, "seconds");
    if (!json_is_integer(sec) || json_integer_value(sec) < 0) {
        json_decref(j);
        sim_error(rs, 400, 300, "\"seconds\" must be a non-negative integer.");
        return;
    }
    rq->s->clock_offset += json_integer_value(sec);
    json_decref(j);
    h_clock_get(rq, rs);
}

/* Mints an access token directly. Body (all optional): user_id, scopes
 * (space-separated; default: every scope any route checks), ttl, client_id. */
static void h_token(sim_req *rq, sim_resp *rs)
{
    json_t *j = rq->body_len ? sim_body_json(rq, rs) : json_object();
    if (!j)
        return;
    const char *user = json_string_value(json_object_get(j, "user_id"));
    const char *scopes = json_string_value(json_object_get(j, "scopes"));
    const char *client = json_string_value(json_object_get(j, "client_id"));
    json_t *ttlj = json_object_get(j, "ttl");
    int64_t ttl = json_is_integer(ttlj) ? json_integer_value(ttlj) : 3600;
    zf_buf all = ZF_BUF_INIT(1 << 16);
    if (!scopes) {
        for (int m = 0; sim_modules[m]; m++)
            for (const sim_route *r = sim_modules[m]->routes; r && r->method; r++)
                for (int i = 0; r->scopes[i]; i++)
                    if (!strstr(zf_buf_cstr(&all), r->scopes[i]))
                        zf_buf_appendf(&all, "%s%s", all.len ? " " : "", r->scopes[i]);
        scopes = zf_buf_cstr(&all);
    }
    const sim_access *a = sim_auth_issue(rq->s, client ? client : "sim-control", rq->s->account_id,
                                         user ? user : rq->s->owner_id, scopes, ttl, 0, 0);
    if (a)
        sim_json(rs, 201,
                 json_pack("{s:s,s:s,s:I,s:s}", "access_token", a->token, "token_type", "bearer",
                           "expires_in", (json_int_t)ttl, "scope", a->scopes));
    else
        sim_error(rs, 500, 500, "cannot issue a token");
    zf_buf_free(&all);
    json_decref(j);
}

static void h_requests(sim_req *rq, sim_resp *rs)
{
    struct sim_reqlog *lg = rq->s->reqlog;
    const char *since_s = sim_query(rq, "since");
    const char *route = sim_query(rq, "route");
    uint64_t since = 0;
    if (since_s && zf_parse_u64(since_s, UINT64_MAX, &since) < 0) {
        sim_error(rs, 400, 300, "\"since\" must be a request number (0 or more).");
        return;
    }
    uint64_t first = lg->total > REQLOG_MAX ? lg->total - REQLOG_MAX : 0;
    json_t *arr = json_array();
    for (uint64_t i = first; i < lg->total; i++) {
        logent *e = &lg->ring[i % REQLOG_MAX];
        if (e->seq <= since || (route && strcmp(route, e->route) != 0))
            continue;
        json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:i}", "seq", (json_int_t)e->seq, "time",
                              (json_int_t)e->time, "method", e->method, "path", e->path, "route",
                              e->route, "status", e->status);
        json_object_set_new(o, "arrived_ms", json_integer((json_int_t)e->arrived_ms));
        json_object_set_new(o, "answered_ms", json_integer((json_int_t)e->answered_ms));
        if (e->client_id[0])
            json_object_set_new(o, "client_id", json_string(e->client_id));
        if (e->detail)
            json_object_set_new(o, "detail", json_string(e->detail));
        json_array_append_new(arr, o);
    }
    json_t *counts = json_object();
    for (size_t i = 0; i < lg->counts.cap; i++)
        if (sim_map_live(&lg->counts, i))
            json_object_set_new(counts, lg->counts.keys[i],
                                json_integer((json_int_t)(uintptr_t)lg->counts.vals[i]));
    sim_json(rs, 200,
             json_pack("{s:I,s:I,s:o,s:o}", "total", (json_int_t)lg->total, "dropped",
                       (json_int_t)first, "counts", counts, "requests", arr));
}

static void h_requests_clear(sim_req *rq, sim_resp *rs)
{
    reqlog_clear(rq->s->reqlog);
    sim_empty(rs, 204);
}

static void h_state_get(sim_req *rq, sim_resp *rs)
{
    sim_json(rs, 200, sim_dump(rq->s));
}

static void h_state_put(sim_req *rq, sim_resp *rs)
{
    json_t *j = sim_body_json(rq, rs);
    if (!j)
        return;
    if (sim_load(rq->s, j) != 0)
        sim_error(rs, 400, 300, "Not a zoomsim state (version 1) document.");
    else
        sim_empty(rs, 204);
    json_decref(j);
}

static const sim_route routes[] = {
    {"POST", "/_sim/reset", h_reset, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.reset"},
    {"GET", "/_sim/clock", h_clock_get, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.clock"},
    {"POST",
     "/_sim/clock/advance",
     h_clock_advance,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.clock.advance"},
    {"POST", "/_sim/token", h_token, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.token"},
    {"GET", "/_sim/requests", h_requests, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.requests"},
    {"DELETE",
     "/_sim/requests",
     h_requests_clear,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.requests.clear"},
    {"GET", "/_sim/state", h_state_get, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.state"},
    {"PUT", "/_sim/state", h_state_put, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.state.load"},
    {0},
};

static int ctl_init(sim *s)
{
    s->reqlog = calloc(1, sizeof *s->reqlog);
    if (!s->reqlog)
        return ZF_ENOMEM;
    s->reqlog->ring = calloc(REQLOG_MAX, sizeof *s->reqlog->ring);
    sim_map_init(&s->reqlog->counts);
    return s->reqlog->ring ? 0 : ZF_ENOMEM;
}

static void ctl_destroy(sim *s)
{
    if (!s->reqlog)
        return;
    if (s->reqlog->ring)
        reqlog_clear(s->reqlog);
    free(s->reqlog->ring);
    free(s->reqlog);
    s->reqlog = NULL;
}

const sim_module sim_mod_control = {
    "control", routes, ctl_init, NULL, ctl_destroy, NULL, NULL,
};
