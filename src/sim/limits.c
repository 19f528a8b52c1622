/*
 * Rate limits as Zoom applies them (zoom-api.md §C): per account, per
 * category (Light / Medium / Heavy / Resource-intensive), by plan.
 *
 *   per-window: a token bucket per category holding `rate` tokens that
 *     refills `rate` per `window` seconds of the real monotonic clock, so
 *     /_sim/clock/advance never refills it. Window is 1 s (QPS) except for
 *     Resource-intensive, which Zoom counts per minute.
 *   per-day: counters per category (the Free plan's caps) and one counter
 *     shared by Heavy + Resource-intensive (Pro/Business). Days are sim-time
 *     UTC days: they roll at 00:00 UTC of sim_now(), so advancing the clock
 *     past midnight resets them.
 *
 * Order of checks: daily caps first (a 429 Daily-limit), then the bucket (a
 * 429 QPS). A rejected request consumes nothing. A request that passes takes
 * a token and counts against every daily cap that applies, and gets
 * X-RateLimit-Category/-Limit/-Remaining describing its per-window bucket;
 * a handler that then answers a Daily-limit 429 of its own (a host's 100
 * meeting writes, the account's user invites) replaces them with the daily
 * set (sim_limits_daily_headers), so a 429 never carries two Limits.
 */
#include "sim_limits.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct cat_limit {
    int rate;   /* requests per window; >= 1 */
    int window; /* seconds: 1 (QPS) or 60 */
    int daily;  /* per-category daily cap; 0 = none */
} cat_limit;

typedef struct plan_row {
    const char *name;
    cat_limit cat[SIM_NCAT];
    int shared_daily; /* Heavy + Resource-intensive together; 0 = none */
} plan_row;

/* zoom-api.md §C table (Free's Resource-intensive daily cap is UNCERTAIN). */
static const plan_row plans[] = {
    [SIM_PLAN_FREE] = {"free",
                       {{0, 0, 0}, {4, 1, 6000}, {2, 1, 2000}, {1, 1, 1000}, {10, 60, 30000}},
                       0},
    [SIM_PLAN_PRO] = {"pro", {{0, 0, 0}, {30, 1, 0}, {20, 1, 0}, {10, 1, 0}, {10, 60, 0}}, 30000},
    [SIM_PLAN_BUSINESS] = {"business",
                           {{0, 0, 0}, {80, 1, 0}, {60, 1, 0}, {40, 1, 0}, {20, 60, 0}},
                           60000},
};

static const char *const cat_names[SIM_NCAT] = {NULL, "Light", "Medium", "Heavy",
                                                "Resource-intensive"};
static const char *const cat_keys[SIM_NCAT] = {NULL, "light", "medium", "heavy", "resource"};

struct sim_limits {
    int enabled;
    sim_plan plan;
    cat_limit cat[SIM_NCAT];
    int shared_daily;
    sim_bucket bucket[SIM_NCAT];
    int64_t day;             /* sim-time day number the counters are for */
    uint64_t used[SIM_NCAT]; /* requests let through today */
    uint64_t shared_used;
    uint64_t passed[SIM_NCAT]; /* since reset, for GET */
    uint64_t rejected_qps[SIM_NCAT];
    uint64_t rejected_daily[SIM_NCAT];
    double mono_pin; /* >= 0: tests pin the monotonic clock */
    uint64_t pings;  /* GET /v2/zoomsim/ping handler runs */
};

const char *sim_limits__category_name(sim_category cat)
{
    return cat > SIM_CAT_NONE && cat < SIM_NCAT ? cat_names[cat] : NULL;
}

static double mono_now(const struct sim_limits *l)
{
    if (l->mono_pin >= 0)
        return l->mono_pin;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sim_limits__set_mono(sim *s, double t)
{
    s->limits->mono_pin = t;
}

static void refill(sim_bucket *b, double rate, double cap, double now)
{
    if (now > b->last) {
        b->tokens += (now - b->last) * rate;
        if (b->tokens > cap)
            b->tokens = cap;
        b->last = now;
    }
}

int sim_limits__take(sim_bucket *b, double rate, double cap, double now)
{
    refill(b, rate, cap, now);
    if (b->tokens < 1.0)
        return 0;
    b->tokens -= 1.0;
    return 1;
}

double sim_limits__wait(const sim_bucket *b, double rate)
{
    return b->tokens >= 1.0 ? 0.0 : (1.0 - b->tokens) / rate;
}

int sim_limits__rate_limit(sim *s, sim_category cat)
{
    return cat > SIM_CAT_NONE && cat < SIM_NCAT ? s->limits->cat[cat].rate : 0;
}

static void fill_buckets(struct sim_limits *l)
{
    double now = mono_now(l);
    for (int c = 1; c < SIM_NCAT; c++)
        l->bucket[c] = (sim_bucket){(double)l->cat[c].rate, now};
}

static void apply_plan(struct sim_limits *l, sim_plan plan)
{
    l->plan = plan;
    memcpy(l->cat, plans[plan].cat, sizeof l->cat);
    l->shared_daily = plans[plan].shared_daily;
    fill_buckets(l);
}

static int64_t day_of(int64_t t)
{
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

static void roll_day(struct sim_limits *l, int64_t now)
{
    int64_t d = day_of(now);
    if (d == l->day)
        return;
    l->day = d;
    memset(l->used, 0, sizeof l->used);
    l->shared_used = 0;
}

static int shares_daily(sim_category c)
{
    return c == SIM_CAT_HEAVY || c == SIM_CAT_RESOURCE;
}

static int is_limit_header(const char *name)
{
    return strncasecmp(name, "X-RateLimit-", 12) == 0 || strcasecmp(name, "Retry-After") == 0;
}

void sim_limits_daily_headers(sim_resp *rs, const char *category, long limit, int64_t day)
{
    char kept[48] = "Light", reset[32];
    int n = 0;
    for (int i = 0; i < rs->nheaders; i++) {
        const sim_resp_header *h = &rs->headers[i];
        if (!is_limit_header(h->name)) {
            rs->headers[n++] = *h;
            continue;
        }
        if (strcasecmp(h->name, "X-RateLimit-Category") == 0)
            snprintf(kept, sizeof kept, "%.40s", h->value); /* a category name */
    }
    rs->nheaders = n;
    sim_fmt_time(reset, (day + 1) * 86400);
    sim_resp_header_add(rs, "X-RateLimit-Category", "%s", category ? category : kept);
    sim_resp_header_add(rs, "X-RateLimit-Type", "Daily-limit");
    sim_resp_header_add(rs, "X-RateLimit-Limit", "%ld", limit);
    sim_resp_header_add(rs, "X-RateLimit-Remaining", "0");
    sim_resp_header_add(rs, "Retry-After", "%s", reset);
}

static void too_many_daily(sim *s, sim_resp *rs, sim_category c, int limit)
{
    sim_error(rs, 429, 429,
              "You have reached the maximum daily rate limit for this API. Refer to the "
              "response header for details on when you can make another request.");
    sim_limits_daily_headers(rs, cat_names[c], limit, s->limits->day);
    s->limits->rejected_daily[c]++;
}

static void too_many_qps(sim *s, sim_resp *rs, sim_category c)
{
    struct sim_limits *l = s->limits;
    double rate = (double)l->cat[c].rate / l->cat[c].window;
    double wait = ceil(sim_limits__wait(&l->bucket[c], rate));
    sim_error(rs, 429, 429,
              "You have reached the maximum per-second rate limit for this API. Try again "
              "later.");
    sim_resp_header_add(rs, "X-RateLimit-Category", "%s", cat_names[c]);
    sim_resp_header_add(rs, "X-RateLimit-Type", "QPS");
    sim_resp_header_add(rs, "X-RateLimit-Limit", "%d", l->cat[c].rate);
    sim_resp_header_add(rs, "X-RateLimit-Remaining", "0");
    sim_resp_header_add(rs, "Retry-After", "%d", wait < 1 ? 1 : (int)wait);
    l->rejected_qps[c]++;
}

int sim_limits_check(sim *s, sim_req *rq, sim_resp *rs)
{
    struct sim_limits *l = s->limits;
    sim_category c = rq->route ? rq->route->cat : SIM_CAT_NONE;
    if (!l->enabled || c <= SIM_CAT_NONE || c >= SIM_NCAT)
        return 0;
    roll_day(l, rq->now);
    const cat_limit *cl = &l->cat[c];
    if (cl->daily > 0 && l->used[c] >= (uint64_t)cl->daily) {
        too_many_daily(s, rs, c, cl->daily);
        return ZF_EDAILYLIMIT;
    }
    if (shares_daily(c) && l->shared_daily > 0 && l->shared_used >= (uint64_t)l->shared_daily) {
        too_many_daily(s, rs, c, l->shared_daily);
        return ZF_EDAILYLIMIT;
    }
    if (!sim_limits__take(&l->bucket[c], (double)cl->rate / cl->window, cl->rate, mono_now(l))) {
        too_many_qps(s, rs, c);
        return ZF_ERATELIMIT;
    }
    l->used[c]++;
    if (shares_daily(c))
        l->shared_used++;
    l->passed[c]++;
    sim_resp_header_add(rs, "X-RateLimit-Category", "%s", cat_names[c]);
    sim_resp_header_add(rs, "X-RateLimit-Limit", "%d", cl->rate);
    sim_resp_header_add(rs, "X-RateLimit-Remaining", "%d", (int)floor(l->bucket[c].tokens));
    return 0;
}

/* --- control plane: GET/POST /_sim/limits */

static json_t *limits_json(sim *s)
{
    struct sim_limits *l = s->limits;
    roll_day(l, sim_now(s));
    double now = mono_now(l);
    json_t *cats = json_object();
    for (int c = 1; c < SIM_NCAT; c++) {
        const cat_limit *cl = &l->cat[c];
        sim_bucket b = l->bucket[c];
        refill(&b, (double)cl->rate / cl->window, cl->rate, now);
        json_t *o =
            json_pack("{s:s,s:i,s:i,s:i,s:f,s:I,s:I,s:I,s:I}", "category", cat_names[c], "rate",
                      cl->rate, "window_seconds", cl->window, "daily", cl->daily, "tokens",
                      floor(b.tokens * 100) / 100, "used_today", (json_int_t)l->used[c], "passed",
                      (json_int_t)l->passed[c], "rejected_qps", (json_int_t)l->rejected_qps[c],
                      "rejected_daily", (json_int_t)l->rejected_daily[c]);
        json_object_set_new(cats, cat_keys[c], o);
    }
    char day[32], reset[32];
    sim_fmt_time(day, l->day * 86400);
    sim_fmt_time(reset, (l->day + 1) * 86400);
    day[10] = '\0';
    return json_pack("{s:b,s:s,s:o,s:{s:i,s:I},s:s,s:s}", "enabled", l->enabled, "plan",
                     plans[l->plan].name, "categories", cats, "shared_daily", "limit",
                     l->shared_daily, "used_today", (json_int_t)l->shared_used, "day", day,
                     "resets_at", reset);
}

static void h_limits_get(sim_req *rq, sim_resp *rs)
{
    sim_json(rs, 200, limits_json(rq->s));
}

static bool plan_by_name(const char *name, sim_plan *out)
{
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        if (strcmp(plans[i].name, name) == 0) {
            *out = (sim_plan)i;
            return true;
        }
    }
    return false;
}

/* Reads an integer member in [lo, hi]; 1 when present, 0 when absent,
 * ZF_EVALIDATION when invalid (message in err). */
static int int_member(json_t *o, const char *key, int lo, int hi, int *out, char *err,
                      size_t errlen, const char *where)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        snprintf(err, errlen, "\"%s%s\" must be an integer from %d to %d.", where, key, lo, hi);
        return ZF_EVALIDATION;
    }
    *out = (int)json_integer_value(v);
    return 1;
}

/* Validates one category override into *cl. */
static int parse_override(json_t *o, const char *key, cat_limit *cl, char *err, size_t errlen)
{
    char where[32];
    snprintf(where, sizeof where, "overrides.%s.", key);
    if (!json_is_object(o)) {
        snprintf(err, errlen,
                 "\"overrides.%s\" must be an object like {\"qps\": 5, \"daily\": 100}.", key);
        return ZF_EVALIDATION;
    }
    const char *k;
    json_t *v;
    json_object_foreach (o, k, v) {
        if (strcmp(k, "qps") && strcmp(k, "per_minute") && strcmp(k, "daily")) {
            snprintf(err, errlen, "\"%s%s\" is not a limit; use qps, per_minute or daily.", where,
                     k);
            return ZF_EVALIDATION;
        }
    }
    if (json_object_get(o, "qps") && json_object_get(o, "per_minute")) {
        snprintf(err, errlen, "\"overrides.%s\": give qps or per_minute, not both.", key);
        return ZF_EVALIDATION;
    }
    int n, r;
    if ((r = int_member(o, "qps", 1, 1000000, &n, err, errlen, where)) < 0)
        return ZF_EVALIDATION;
    if (r)
        cl->rate = n, cl->window = 1;
    if ((r = int_member(o, "per_minute", 1, 1000000, &n, err, errlen, where)) < 0)
        return ZF_EVALIDATION;
    if (r)
        cl->rate = n, cl->window = 60;
    if ((r = int_member(o, "daily", 0, 1000000000, &n, err, errlen, where)) < 0)
        return ZF_EVALIDATION;
    if (r)
        cl->daily = n;
    return 0;
}

static int parse_overrides(json_t *ov, cat_limit *cat, int *shared, char *err, size_t errlen)
{
    if (!json_is_object(ov)) {
        snprintf(err, errlen,
                 "\"overrides\" must be an object keyed by light, medium, heavy, "
                 "resource or shared_daily.");
        return ZF_EVALIDATION;
    }
    const char *k;
    json_t *v;
    json_object_foreach (ov, k, v) {
        if (strcmp(k, "shared_daily") == 0) {
            if (int_member(ov, k, 0, 1000000000, shared, err, errlen, "overrides.") < 0)
                return ZF_EVALIDATION;
            continue;
        }
        int c = 1;
        while (c < SIM_NCAT && strcmp(cat_keys[c], k) != 0)
            c++;
        if (c == SIM_NCAT) {
            snprintf(err, errlen,
                     "\"overrides.%s\" is not a category; use light, medium, "
                     "heavy, resource or shared_daily.",
                     k);
            return ZF_EVALIDATION;
        }
        if (parse_override(v, k, &cat[c], err, errlen) != 0)
            return ZF_EVALIDATION;
    }
    return 0;
}

/* POST /_sim/limits {plan?, overrides?, enabled?}: validates everything
 * before changing anything. A plan starts from that plan's table; overrides
 * then change single numbers. Buckets come back full. */
static void h_limits_post(sim_req *rq, sim_resp *rs)
{
    struct sim_limits *l = rq->s->limits;
    json_t *j = sim_body_json(rq, rs);
    if (!j)
        return;
    char err[200] = "";
    sim_plan plan = l->plan;
    cat_limit cat[SIM_NCAT];
    memcpy(cat, l->cat, sizeof cat);
    int shared = l->shared_daily;
    json_t *pj = json_object_get(j, "plan"), *ov = json_object_get(j, "overrides");
    json_t *en = json_object_get(j, "enabled");
    const char *k;
    json_t *v;
    json_object_foreach (j, k, v) {
        if (strcmp(k, "plan") && strcmp(k, "overrides") && strcmp(k, "enabled")) {
            snprintf(err, sizeof err, "\"%s\" is not a setting; use plan, overrides or enabled.",
                     k);
            goto done;
        }
    }
    if (pj) {
        if (!json_is_string(pj) || !plan_by_name(json_string_value(pj), &plan)) {
            snprintf(err, sizeof err, "\"plan\" must be \"free\", \"pro\" or \"business\".");
            goto done;
        }
        memcpy(cat, plans[plan].cat, sizeof cat);
        shared = plans[plan].shared_daily;
    }
    if (ov && parse_overrides(ov, cat, &shared, err, sizeof err) != 0)
        goto done;
    if (en && !json_is_boolean(en)) {
        snprintf(err, sizeof err, "\"enabled\" must be true or false.");
        goto done;
    }
    l->plan = plan;
    memcpy(l->cat, cat, sizeof cat);
    l->shared_daily = shared;
    if (en)
        l->enabled = json_is_true(en);
    fill_buckets(l);
done:
    json_decref(j);
    if (err[0])
        sim_error(rs, 400, 300, "%s", err);
    else
        sim_json(rs, 200, limits_json(rq->s));
}

/* GET /v2/zoomsim/ping: an emulator-only endpoint shaped like Zoom's (bearer
 * token, Light category, Zoom errors) so rate limits and faults can be seen
 * over HTTP without any data route. "handled" counts the handler's runs
 * (since reset), so a test can tell processed from unprocessed faults.
 * ?bytes=N answers a streamed body of N deterministic bytes instead, like a
 * recording download. */
static void h_ping(sim_req *rq, sim_resp *rs)
{
    const char *bytes = sim_query(rq, "bytes");
    rq->s->limits->pings++;
    if (bytes) {
        uint64_t n;
        if (zf_parse_u64(bytes, UINT64_C(1) << 30, &n) < 0) {
            sim_error(rs, 400, 300, "\"bytes\" must be an integer from 0 to 1073741824.");
            return;
        }
        rs->status = 200;
        rs->stream = 1;
        rs->stream_seed = 42;
        rs->stream_off = 0;
        rs->stream_len = rs->stream_total = n;
        rs->content_type = "application/octet-stream";
        return;
    }
    char now[32];
    sim_fmt_time(now, rq->now);
    sim_json(rs, 200,
             json_pack("{s:s,s:s,s:s,s:I,s:I}", "account_id", rq->auth->account_id, "user_id",
                       rq->auth->user_id, "time", now, "request", (json_int_t)rq->seq, "handled",
                       (json_int_t)rq->s->limits->pings));
}

static const sim_route routes[] = {
    {"GET", "/_sim/limits", h_limits_get, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.limits"},
    {"POST", "/_sim/limits", h_limits_post, SIM_R_CONTROL, SIM_CAT_NONE, {NULL}, "sim.limits.set"},
    {"GET", "/v2/zoomsim/ping", h_ping, SIM_R_BEARER, SIM_CAT_LIGHT, {NULL}, "zoomsim.ping"},
    {0}, /* terminator */
};

/* --- lifecycle and state */

static int limits_init(sim *s)
{
    s->limits = calloc(1, sizeof *s->limits);
    if (!s->limits)
        return ZF_ENOMEM;
    s->limits->mono_pin = -1;
    return 0;
}

static void limits_reset(sim *s)
{
    struct sim_limits *l = s->limits;
    double pin = l->mono_pin;
    memset(l, 0, sizeof *l);
    l->mono_pin = pin;
    l->enabled = 1;
    apply_plan(l, s->opts.plan);
    l->day = day_of(sim_now(s));
}

static void limits_destroy(sim *s)
{
    free(s->limits);
    s->limits = NULL;
}

/* Persisted: the settings and today's daily counters (a restart must not
 * hand out a fresh daily quota). Buckets refill on load. */
static json_t *limits_dump(sim *s)
{
    struct sim_limits *l = s->limits;
    json_t *cats = json_object(), *used = json_object();
    for (int c = 1; c < SIM_NCAT; c++) {
        json_object_set_new(cats, cat_keys[c],
                            json_pack("{s:i,s:i,s:i}", "rate", l->cat[c].rate, "window",
                                      l->cat[c].window, "daily", l->cat[c].daily));
        json_object_set_new(used, cat_keys[c], json_integer((json_int_t)l->used[c]));
    }
    return json_pack("{s:b,s:s,s:o,s:i,s:I,s:o,s:I}", "enabled", l->enabled, "plan",
                     plans[l->plan].name, "limits", cats, "shared_daily", l->shared_daily, "day",
                     (json_int_t)l->day, "used", used, "shared_used", (json_int_t)l->shared_used);
}

static int limits_load(sim *s, json_t *o)
{
    struct sim_limits *l = s->limits;
    sim_plan plan;
    const char *pname = json_string_value(json_object_get(o, "plan"));
    if (!pname || !plan_by_name(pname, &plan))
        return ZF_EPARSE;
    apply_plan(l, plan);
    l->enabled = json_is_true(json_object_get(o, "enabled"));
    json_t *cats = json_object_get(o, "limits"), *used = json_object_get(o, "used");
    for (int c = 1; c < SIM_NCAT; c++) {
        json_t *cj = json_object_get(cats, cat_keys[c]);
        int rate = (int)json_integer_value(json_object_get(cj, "rate"));
        int window = (int)json_integer_value(json_object_get(cj, "window"));
        if (rate >= 1 && (window == 1 || window == 60)) {
            l->cat[c].rate = rate;
            l->cat[c].window = window;
            l->cat[c].daily = (int)json_integer_value(json_object_get(cj, "daily"));
        }
        l->used[c] = (uint64_t)json_integer_value(json_object_get(used, cat_keys[c]));
    }
    l->shared_daily = (int)json_integer_value(json_object_get(o, "shared_daily"));
    l->shared_used = (uint64_t)json_integer_value(json_object_get(o, "shared_used"));
    l->day = json_integer_value(json_object_get(o, "day"));
    fill_buckets(l);
    return 0;
}

const sim_module sim_mod_limits = {
    "limits", routes, limits_init, limits_reset, limits_destroy, limits_dump, limits_load,
};
