/*
 * Fault injection: rules that spoil requests to non-control routes.
 *
 * A rule matches a request by route name (sim_route.name, "users.create"),
 * by raw path prefix ("/v2/users") or, with neither, every request; an
 * optional method narrows it, and so does "connection": "reused" (only a
 * request that arrives on a keep-alive connection which already carried
 * one) or "new" (only the first request on its connection). "skip": N lets
 * the first N matching requests pass untouched. A matching rule fires either with a
 * probability (a per-rule RNG seeded from the POSTed "seed", so the same
 * requests in the same order fire the same way) or for the next `count`
 * matching requests; with neither it always fires.
 *
 * Kinds, by when they act (the router calls before/after under s->lock):
 *   before the handler, unprocessed:  status, rate_limit, drop_before
 *   before the handler, processed:    latency (the router sleeps unlocked)
 *   after the handler, processed:     status_after, drop, truncate, malformed
 * Rules are evaluated in creation order; the first answering "before" rule
 * ends the walk, latencies add up.
 */
#include "faults.h"
#include "sim_limits.h"
#include "text.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RULES 256

typedef enum fkind {
    F_STATUS,
    F_STATUS_AFTER,
    F_RATE_LIMIT,
    F_LATENCY,
    F_DROP,
    F_DROP_BEFORE,
    F_TRUNCATE,
    F_MALFORMED,
    F_NKIND
} fkind;

static const struct kind_row {
    const char *name;
    int after; /* acts in sim_faults_after */
} kinds[F_NKIND] = {
    [F_STATUS] = {"status", 0},
    [F_STATUS_AFTER] = {"status_after", 1},
    [F_RATE_LIMIT] = {"rate_limit", 0},
    [F_LATENCY] = {"latency", 0},
    [F_DROP] = {"drop", 1},
    [F_DROP_BEFORE] = {"drop_before", 0},
    [F_TRUNCATE] = {"truncate", 1},
    [F_MALFORMED] = {"malformed", 1},
};

typedef struct rule {
    uint64_t id;
    fkind kind;
    char route[64];   /* route name, or "" */
    char prefix[128]; /* raw path prefix, or "" */
    char method[8];   /* or "" for any */
    int conn;         /* CONN_ANY, CONN_NEW, CONN_REUSED */
    int64_t skip;     /* matching requests still to let pass */
    int64_t skip_init;
    double probability; /* used when count < 0 */
    int64_t count;      /* -1: probability; else how many more may fire */
    int64_t count_init;
    int status, code; /* status, status_after */
    char message[128];
    int delay_ms;    /* latency */
    int retry_after; /* rate_limit: seconds */
    int daily;       /* rate_limit: Daily-limit instead of QPS */
    uint64_t rng;
    uint64_t matched, fired;
} rule;

struct sim_faults {
    rule rules[MAX_RULES];
    int n;
    uint64_t next_id;
    uint64_t seed;
};

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

enum { CONN_ANY, CONN_NEW, CONN_REUSED };
static const char *const conn_names[] = {"any", "new", "reused", NULL};

static int rule_matches(const rule *r, const sim_req *rq)
{
    if (r->method[0] && strcmp(r->method, rq->method) != 0)
        return 0;
    if (r->conn == CONN_NEW && rq->conn_request != 1)
        return 0;
    if (r->conn == CONN_REUSED && rq->conn_request < 2)
        return 0;
    if (r->route[0])
        return rq->route && rq->route->name && strcmp(r->route, rq->route->name) == 0;
    if (r->prefix[0])
        return strncmp(rq->path, r->prefix, strlen(r->prefix)) == 0;
    return 1;
}

/* Counts the match and decides whether the rule fires this time. */
static int rule_fires(rule *r)
{
    r->matched++;
    int fire;
    if (r->skip > 0) {
        r->skip--;
        fire = 0;
    } else if (r->count >= 0) {
        fire = r->count > 0;
        if (fire)
            r->count--;
    } else {
        double u = (double)(splitmix(&r->rng) >> 11) / 9007199254740992.0; /* [0,1) */
        fire = u < r->probability;
    }
    if (fire)
        r->fired++;
    return fire;
}

static const char *default_message(int status)
{
    switch (status) {
    case 500:
        return "Internal Server Error.";
    case 502:
        return "Bad Gateway.";
    case 503:
        return "Service Unavailable.";
    case 504:
        return "Gateway Timeout.";
    default:
        return "Injected fault.";
    }
}

static void answer_status(const rule *r, sim_resp *rs)
{
    rs->nheaders = 0;
    rs->stream = 0;
    rs->content_type = "application/json;charset=UTF-8";
    sim_error(rs, r->status, r->code ? r->code : r->status, "%s",
              r->message[0] ? r->message : default_message(r->status));
}

static void answer_rate_limit(sim *s, const rule *r, const sim_req *rq, sim_resp *rs)
{
    sim_category c = rq->route ? rq->route->cat : SIM_CAT_NONE;
    const char *cat = sim_limits__category_name(c);
    rs->nheaders = 0;
    if (r->daily) {
        char reset[32];
        sim_fmt_time(reset, (rq->now / 86400 + 1) * 86400);
        sim_error(rs, 429, 429,
                  "You have reached the maximum daily rate limit for this API. Refer to the "
                  "response header for details on when you can make another request.");
        sim_resp_header_add(rs, "X-RateLimit-Category", "%s", cat ? cat : "Light");
        sim_resp_header_add(rs, "X-RateLimit-Type", "Daily-limit");
        sim_resp_header_add(rs, "Retry-After", "%s", reset);
    } else {
        sim_error(rs, 429, 429,
                  "You have reached the maximum per-second rate limit for this API. Try again "
                  "later.");
        sim_resp_header_add(rs, "X-RateLimit-Category", "%s", cat ? cat : "Light");
        sim_resp_header_add(rs, "X-RateLimit-Type", "QPS");
        if (c != SIM_CAT_NONE)
            sim_resp_header_add(rs, "X-RateLimit-Limit", "%d", sim_limits__rate_limit(s, c));
        sim_resp_header_add(rs, "X-RateLimit-Remaining", "0");
        sim_resp_header_add(rs, "Retry-After", "%d", r->retry_after);
    }
}

int sim_faults_before(sim *s, sim_req *rq, sim_resp *rs, int *delay_ms)
{
    struct sim_faults *f = s->faults;
    *delay_ms = 0;
    for (int i = 0; i < f->n; i++) {
        rule *r = &f->rules[i];
        if (kinds[r->kind].after || !rule_matches(r, rq) || !rule_fires(r))
            continue;
        switch (r->kind) {
        case F_LATENCY:
            *delay_ms += r->delay_ms;
            break;
        case F_STATUS:
            answer_status(r, rs);
            return 1;
        case F_RATE_LIMIT:
            answer_rate_limit(s, r, rq, rs);
            return 1;
        case F_DROP_BEFORE:
            sim_empty(rs, 500);
            rs->drop = 1;
            return 1;
        default:
            break;
        }
    }
    return 0;
}

void sim_faults_after(sim *s, sim_req *rq, sim_resp *rs)
{
    struct sim_faults *f = s->faults;
    for (int i = 0; i < f->n; i++) {
        rule *r = &f->rules[i];
        if (!kinds[r->kind].after || !rule_matches(r, rq) || !rule_fires(r))
            continue;
        switch (r->kind) {
        case F_STATUS_AFTER:
            answer_status(r, rs);
            break;
        case F_DROP:
            rs->drop = 1;
            break;
        case F_TRUNCATE:
            rs->truncate = 1;
            break;
        case F_MALFORMED:
            rs->malformed = 1;
            break;
        default:
            break;
        }
    }
}

/* --- rules from JSON */

static int str_member(json_t *o, const char *key, char *out, size_t outlen, char *err,
                      size_t errlen)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) >= outlen) {
        snprintf(err, errlen, "\"%s\" must be a non-empty string of at most %zu characters.", key,
                 outlen - 1);
        return ZF_EVALIDATION;
    }
    snprintf(out, outlen, "%s", json_string_value(v));
    return 0;
}

/* 1 and *out when o has key, 0 when it has not, ZF_EVALIDATION (why in err)
 * when the value is not an integer in [lo, hi]. */
static int int_member(json_t *o, const char *key, int64_t lo, int64_t hi, int64_t *out, char *err,
                      size_t errlen)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        snprintf(err, errlen, "\"%s\" must be an integer from %lld to %lld.", key, (long long)lo,
                 (long long)hi);
        return ZF_EVALIDATION;
    }
    *out = json_integer_value(v);
    return 1;
}

static const char *const rule_keys[] = {
    "kind",    "route",    "path_prefix", "method", "probability", "count", "status", "code",
    "message", "delay_ms", "retry_after", "type",   "connection",  "skip",  NULL,
};

static int parse_kind(json_t *o, rule *r, char *err, size_t errlen)
{
    const char *k = json_string_value(json_object_get(o, "kind"));
    for (int i = 0; k && i < F_NKIND; i++) {
        if (strcmp(k, kinds[i].name) == 0) {
            r->kind = (fkind)i;
            return 0;
        }
    }
    snprintf(err, errlen,
             "\"kind\" must be one of status, status_after, rate_limit, latency, "
             "drop, drop_before, truncate, malformed.");
    return ZF_EVALIDATION;
}

static int parse_match(json_t *o, rule *r, char *err, size_t errlen)
{
    if (str_member(o, "route", r->route, sizeof r->route, err, errlen) ||
        str_member(o, "path_prefix", r->prefix, sizeof r->prefix, err, errlen) ||
        str_member(o, "method", r->method, sizeof r->method, err, errlen))
        return ZF_EVALIDATION;
    if (r->route[0] && r->prefix[0]) {
        snprintf(err, errlen, "give \"route\" or \"path_prefix\", not both.");
        return ZF_EVALIDATION;
    }
    if (r->prefix[0] && r->prefix[0] != '/') {
        snprintf(err, errlen, "\"path_prefix\" must start with '/', e.g. \"/v2/users\".");
        return ZF_EVALIDATION;
    }
    const char *conn = json_string_value(json_object_get(o, "connection"));
    r->conn = CONN_ANY;
    if (json_object_get(o, "connection")) {
        int i = 0;
        while (conn && conn_names[i] && strcmp(conn_names[i], conn) != 0)
            i++;
        if (!conn || !conn_names[i]) {
            snprintf(err, errlen, "\"connection\" must be \"any\", \"new\" or \"reused\".");
            return ZF_EVALIDATION;
        }
        r->conn = i;
    }
    int64_t skip = 0;
    if (int_member(o, "skip", 0, INT64_MAX, &skip, err, errlen) < 0)
        return ZF_EVALIDATION;
    r->skip = r->skip_init = skip;
    json_t *p = json_object_get(o, "probability");
    int64_t count = -1;
    if (int_member(o, "count", 1, INT64_MAX, &count, err, errlen) < 0)
        return ZF_EVALIDATION;
    if (p && count >= 0) {
        snprintf(err, errlen, "give \"probability\" or \"count\", not both.");
        return ZF_EVALIDATION;
    }
    if (p && (!json_is_number(p) || json_number_value(p) < 0 || json_number_value(p) > 1)) {
        snprintf(err, errlen, "\"probability\" must be a number from 0 to 1.");
        return ZF_EVALIDATION;
    }
    r->probability = p ? json_number_value(p) : 1.0;
    r->count = r->count_init = count;
    return 0;
}

static int parse_params(json_t *o, rule *r, char *err, size_t errlen)
{
    int64_t v = 0;
    r->status = r->kind == F_STATUS || r->kind == F_STATUS_AFTER ? 500 : 0;
    if (int_member(o, "status", 100, 599, &v, err, errlen) < 0)
        return ZF_EVALIDATION;
    if (json_object_get(o, "status"))
        r->status = (int)v;
    if (int_member(o, "code", 0, 1000000, &v, err, errlen) < 0)
        return ZF_EVALIDATION;
    r->code = json_object_get(o, "code") ? (int)v : 0;
    if (str_member(o, "message", r->message, sizeof r->message, err, errlen))
        return ZF_EVALIDATION;
    r->retry_after = 1;
    if (int_member(o, "retry_after", 0, 86400, &v, err, errlen) < 0)
        return ZF_EVALIDATION;
    if (json_object_get(o, "retry_after"))
        r->retry_after = (int)v;
    const char *type = json_string_value(json_object_get(o, "type"));
    if (json_object_get(o, "type") &&
        (!type || (strcmp(type, "QPS") && strcmp(type, "Daily-limit")))) {
        snprintf(err, errlen, "\"type\" must be \"QPS\" or \"Daily-limit\".");
        return ZF_EVALIDATION;
    }
    r->daily = type && strcmp(type, "Daily-limit") == 0;
    int has_delay = int_member(o, "delay_ms", 0, 600000, &v, err, errlen);
    if (has_delay < 0)
        return ZF_EVALIDATION;
    if (r->kind == F_LATENCY && !has_delay) {
        snprintf(err, errlen, "a latency rule needs \"delay_ms\" (milliseconds, 0 to 600000).");
        return ZF_EVALIDATION;
    }
    r->delay_ms = has_delay ? (int)v : 0;
    return 0;
}

static int parse_rule(json_t *o, rule *r, char *err, size_t errlen)
{
    if (!json_is_object(o)) {
        snprintf(err, errlen,
                 "each rule must be an object like {\"kind\":\"status\","
                 "\"status\":503,\"count\":1}.");
        return ZF_EVALIDATION;
    }
    const char *k;
    json_t *v;
    json_object_foreach (o, k, v) {
        int i = 0;
        while (rule_keys[i] && strcmp(rule_keys[i], k) != 0)
            i++;
        if (!rule_keys[i]) {
            snprintf(err, errlen, "\"%s\" is not a rule field; see docs/zoomsim-control.md.", k);
            return ZF_EVALIDATION;
        }
    }
    memset(r, 0, sizeof *r);
    return parse_kind(o, r, err, errlen) || parse_match(o, r, err, errlen) ||
                   parse_params(o, r, err, errlen)
               ? ZF_EVALIDATION
               : 0;
}

static void seed_rule(struct sim_faults *f, rule *r)
{
    uint64_t x = f->seed ^ (r->id * 0xd1342543de82ef95ull);
    r->rng = splitmix(&x);
}

/* Body: one rule object, or {"seed"?: N, "rules"?: [rule...]}. A new seed
 * re-seeds every existing rule too, so a test can replay a sequence. */
int sim_faults__add(sim *s, json_t *body, char *err, size_t errlen)
{
    struct sim_faults *f = s->faults;
    json_t *seed = json_object_get(body, "seed"), *list = json_object_get(body, "rules");
    if (seed && (!json_is_integer(seed) || json_integer_value(seed) < 0)) {
        snprintf(err, errlen, "\"seed\" must be a non-negative integer.");
        return ZF_EVALIDATION;
    }
    json_t *single = json_object_get(body, "kind") ? body : NULL;
    if (single && (seed || list)) {
        snprintf(err, errlen, "post one rule, or {\"seed\":N,\"rules\":[...]}, not both.");
        return ZF_EVALIDATION;
    }
    if (list && !json_is_array(list)) {
        snprintf(err, errlen, "\"rules\" must be an array of rule objects.");
        return ZF_EVALIDATION;
    }
    if (!single && !list && !seed) {
        snprintf(err, errlen,
                 "nothing to do: post a rule ({\"kind\":...}) or {\"seed\":N,"
                 "\"rules\":[...]}.");
        return ZF_EVALIDATION;
    }
    size_t n = single ? 1 : json_array_size(list);
    if ((size_t)f->n + n > MAX_RULES) {
        snprintf(err, errlen, "at most %d rules; DELETE /_sim/faults first.", MAX_RULES);
        return ZF_EVALIDATION;
    }
    for (size_t i = 0; i < n; i++) {
        rule *r = &f->rules[f->n + (int)i];
        if (parse_rule(single ? single : json_array_get(list, i), r, err, errlen) != 0) {
            char pre[32];
            if (!single) {
                snprintf(pre, sizeof pre, "rules[%zu]: ", i);
                size_t pl = strlen(pre), el = strlen(err);
                if (pl + el < errlen) {
                    memmove(err + pl, err, el + 1);
                    memcpy(err, pre, pl);
                }
            }
            return ZF_EVALIDATION;
        }
    }
    if (seed) {
        f->seed = (uint64_t)json_integer_value(seed);
        for (int i = 0; i < f->n; i++)
            seed_rule(f, &f->rules[i]);
    }
    for (size_t i = 0; i < n; i++) {
        rule *r = &f->rules[f->n++];
        r->id = ++f->next_id;
        seed_rule(f, r);
    }
    return 0;
}

static json_t *rule_json(const rule *r)
{
    json_t *o = json_pack("{s:I,s:s}", "id", (json_int_t)r->id, "kind", kinds[r->kind].name);
    if (r->route[0])
        json_object_set_new(o, "route", json_string(r->route));
    if (r->prefix[0])
        json_object_set_new(o, "path_prefix", json_string(r->prefix));
    if (r->method[0])
        json_object_set_new(o, "method", json_string(r->method));
    if (r->conn != CONN_ANY)
        json_object_set_new(o, "connection", json_string(conn_names[r->conn]));
    if (r->skip_init > 0)
        json_object_set_new(o, "skip", json_integer(r->skip_init));
    if (r->count >= 0) {
        json_object_set_new(o, "count", json_integer(r->count_init));
        json_object_set_new(o, "remaining", json_integer(r->count));
    } else {
        json_object_set_new(o, "probability", json_real(r->probability));
    }
    if (r->status)
        json_object_set_new(o, "status", json_integer(r->status));
    if (r->kind == F_LATENCY)
        json_object_set_new(o, "delay_ms", json_integer(r->delay_ms));
    if (r->kind == F_RATE_LIMIT)
        json_object_set_new(o, "type", json_string(r->daily ? "Daily-limit" : "QPS"));
    json_object_set_new(o, "matched", json_integer((json_int_t)r->matched));
    json_object_set_new(o, "fired", json_integer((json_int_t)r->fired));
    return o;
}

json_t *sim_faults__list(sim *s)
{
    struct sim_faults *f = s->faults;
    json_t *arr = json_array();
    for (int i = 0; i < f->n; i++)
        json_array_append_new(arr, rule_json(&f->rules[i]));
    return json_pack("{s:I,s:o}", "seed", (json_int_t)f->seed, "rules", arr);
}

/* Ids restart too, so re-posting the same rules with the same seed replays
 * the same decisions. */
void sim_faults__clear(sim *s)
{
    s->faults->n = 0;
    s->faults->next_id = 0;
}

/* --- control plane */

static void h_faults_get(sim_req *rq, sim_resp *rs)
{
    sim_json(rs, 200, sim_faults__list(rq->s));
}

static void h_faults_post(sim_req *rq, sim_resp *rs)
{
    json_t *j = sim_body_json(rq, rs);
    if (!j)
        return;
    char err[256];
    int before = rq->s->faults->n;
    if (sim_faults__add(rq->s, j, err, sizeof err) != 0) {
        sim_error(rs, 400, 300, "%s", err);
    } else {
        json_t *added = json_array();
        for (int i = before; i < rq->s->faults->n; i++)
            json_array_append_new(added, rule_json(&rq->s->faults->rules[i]));
        sim_json(rs, 201,
                 json_pack("{s:I,s:o}", "seed", (json_int_t)rq->s->faults->seed, "rules", added));
    }
    json_decref(j);
}

static void h_faults_delete(sim_req *rq, sim_resp *rs)
{
    sim_faults__clear(rq->s);
    sim_empty(rs, 204);
}

static void h_fault_delete(sim_req *rq, sim_resp *rs)
{
    struct sim_faults *f = rq->s->faults;
    uint64_t id = 0;
    int ok = zf_parse_u64(rq->param[0], UINT64_MAX, &id) == 0;
    for (int i = 0; ok && i < f->n; i++) {
        if (f->rules[i].id == id) {
            memmove(&f->rules[i], &f->rules[i + 1], (size_t)(f->n - i - 1) * sizeof *f->rules);
            f->n--;
            sim_empty(rs, 204);
            return;
        }
    }
    sim_error(rs, 404, 300, "No fault rule with id %s; GET /_sim/faults lists them.", rq->param[0]);
}

static const sim_route routes[] = {
    {"GET", "/_sim/faults", h_faults_get, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.faults"},
    {"POST", "/_sim/faults", h_faults_post, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.faults.add"},
    {"DELETE",
     "/_sim/faults",
     h_faults_delete,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.faults.clear"},
    {"DELETE",
     "/_sim/faults/{id}",
     h_fault_delete,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.faults.delete"},
    {0}, /* terminator */
};

static int faults_init(sim *s)
{
    s->faults = calloc(1, sizeof *s->faults);
    return s->faults ? 0 : ZF_ENOMEM;
}

/* No rules; a fresh random seed (a POSTed seed makes runs reproducible). */
static void faults_reset(sim *s)
{
    struct sim_faults *f = s->faults;
    f->n = 0;
    f->next_id = 0;
    if (RAND_bytes((unsigned char *)&f->seed, sizeof f->seed) != 1)
        f->seed = 1;
    f->seed &= INT64_MAX; /* shown and accepted as a JSON integer */
}

static void faults_destroy(sim *s)
{
    free(s->faults);
    s->faults = NULL;
}

const sim_module sim_mod_faults = {
    "faults", routes, faults_init, faults_reset, faults_destroy, NULL, NULL,
};
