/* Rate limits: bucket maths and sim_limits_check with a pinned monotonic
 * clock and fake requests (no HTTP). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sim_limits.h"

static const sim_route light = {"GET",         "/v2/x", NULL,     SIM_R_BEARER,
                                SIM_CAT_LIGHT, {NULL},  "x.light"};
static const sim_route heavy = {"GET",         "/v2/h", NULL,     SIM_R_BEARER,
                                SIM_CAT_HEAVY, {NULL},  "x.heavy"};
static const sim_route resource = {"GET",  "/v2/r",     NULL, SIM_R_BEARER, SIM_CAT_RESOURCE,
                                   {NULL}, "x.resource"};
static const sim_route none = {"POST",       "/oauth/token", NULL,         0,
                               SIM_CAT_NONE, {NULL},         "oauth.token"};

static sim *new_sim(sim_plan plan)
{
    sim_opts o;
    memset(&o, 0, sizeof o);
    o.plan = plan;
    o.webhook_retry_scale = 1.0;
    sim *s;
    assert_int_equal(sim_new(&s, &o), 0);
    sim_limits__set_mono(s, 1000.0);
    pthread_mutex_lock(&s->lock); /* the webhook thread shares module state */
    sim_reset(s);                 /* buckets refilled at the pinned time */
    pthread_mutex_unlock(&s->lock);
    return s;
}

static const char *header(const sim_resp *rs, const char *name)
{
    for (int i = 0; i < rs->nheaders; i++)
        if (strcmp(rs->headers[i].name, name) == 0)
            return rs->headers[i].value;
    return NULL;
}

/* One check; returns the status (200 when let through). hdr/val: a header
 * to copy out (may be NULL). */
static int check(sim *s, const sim_route *r, const char *hdr, char *val, size_t vlen)
{
    sim_req rq;
    memset(&rq, 0, sizeof rq);
    rq.s = s;
    rq.route = r;
    rq.method = r->method;
    rq.path = r->pattern;
    rq.now = sim_now(s);
    sim_resp rs;
    sim_resp_init(&rs);
    int rc = sim_limits_check(s, &rq, &rs);
    int status = rc ? rs.status : 200;
    if (hdr) {
        const char *v = header(&rs, hdr);
        snprintf(val, vlen, "%s", v ? v : "(none)");
    }
    sim_resp_free(&rs);
    return status;
}

static void bucket_takes_refills_and_caps(void **state)
{
    sim_bucket b = {2.0, 0.0};
    assert_int_equal(sim_limits__take(&b, 2.0, 2.0, 0.0), 1);
    assert_int_equal(sim_limits__take(&b, 2.0, 2.0, 0.0), 1);
    assert_int_equal(sim_limits__take(&b, 2.0, 2.0, 0.0), 0);
    assert_true(sim_limits__wait(&b, 2.0) > 0.49 && sim_limits__wait(&b, 2.0) < 0.51);
    assert_int_equal(sim_limits__take(&b, 2.0, 2.0, 0.25), 0); /* half a token */
    assert_int_equal(sim_limits__take(&b, 2.0, 2.0, 0.5), 1);
    /* a long idle time refills to the cap, not beyond */
    assert_int_equal(sim_limits__take(&b, 2.0, 2.0, 100.0), 1);
    assert_int_equal(sim_limits__take(&b, 2.0, 2.0, 100.0), 1);
    assert_int_equal(sim_limits__take(&b, 2.0, 2.0, 100.0), 0);
    /* a clock that goes backwards refills nothing */
    assert_int_equal(sim_limits__take(&b, 2.0, 2.0, 50.0), 0);
}

static void pro_light_qps_with_headers(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    char v[200];
    for (int i = 0; i < 30; i++) {
        assert_int_equal(check(s, &light, "X-RateLimit-Remaining", v, sizeof v), 200);
        char want[16];
        snprintf(want, sizeof want, "%d", 29 - i);
        assert_string_equal(v, want);
    }
    assert_int_equal(check(s, &light, "X-RateLimit-Type", v, sizeof v), 429);
    assert_string_equal(v, "QPS");
    check(s, &light, "X-RateLimit-Limit", v, sizeof v);
    assert_string_equal(v, "30");
    check(s, &light, "Retry-After", v, sizeof v);
    assert_string_equal(v, "1");
    sim_limits__set_mono(s, 1000.1); /* 3 tokens back */
    for (int i = 0; i < 3; i++)
        assert_int_equal(check(s, &light, NULL, NULL, 0), 200);
    assert_int_equal(check(s, &light, NULL, NULL, 0), 429);
    sim_free(s);
}

static void clock_advance_does_not_refill(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    for (int i = 0; i < 30; i++)
        check(s, &light, NULL, NULL, 0);
    s->clock_offset += 7 * 86400;
    assert_int_equal(check(s, &light, NULL, NULL, 0), 429);
    sim_free(s);
}

static void free_plan_daily_cap_rolls_at_sim_midnight(void **state)
{
    sim *s = new_sim(SIM_PLAN_FREE);
    double t = 1000.0;
    char v[200];
    for (int i = 0; i < 6000; i++) {
        t += 0.25; /* 4/s: always a token */
        sim_limits__set_mono(s, t);
        assert_int_equal(check(s, &light, NULL, NULL, 0), 200);
    }
    sim_limits__set_mono(s, t + 10);
    assert_int_equal(check(s, &light, "X-RateLimit-Type", v, sizeof v), 429);
    assert_string_equal(v, "Daily-limit");
    check(s, &light, "X-RateLimit-Limit", v, sizeof v);
    assert_string_equal(v, "6000");
    check(s, &light, "Retry-After", v, sizeof v);
    char want[32];
    sim_fmt_time(want, (sim_now(s) / 86400 + 1) * 86400);
    assert_string_equal(v, want);
    /* Medium has its own cap and is untouched */
    assert_int_equal(
        check(s, &(sim_route){"GET", "/m", NULL, 0, SIM_CAT_MEDIUM, {NULL}, "m"}, NULL, NULL, 0),
        200);
    s->clock_offset += 86400 - sim_now(s) % 86400; /* next 00:00 UTC */
    assert_int_equal(check(s, &light, NULL, NULL, 0), 200);
    sim_free(s);
}

static void pro_heavy_and_resource_share_a_daily_cap(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    double t = 1000.0;
    char v[200];
    for (int i = 0; i < 30000; i++) {
        t += 0.1; /* Heavy: 10/s */
        sim_limits__set_mono(s, t);
        assert_int_equal(check(s, &heavy, NULL, NULL, 0), 200);
    }
    sim_limits__set_mono(s, t + 100);
    assert_int_equal(check(s, &resource, "X-RateLimit-Limit", v, sizeof v), 429);
    assert_string_equal(v, "30000");
    check(s, &resource, "X-RateLimit-Category", v, sizeof v);
    assert_string_equal(v, "Resource-intensive");
    assert_int_equal(check(s, &light, NULL, NULL, 0), 200);
    sim_free(s);
}

static void resource_intensive_is_per_minute(void **state)
{
    sim *s = new_sim(SIM_PLAN_BUSINESS);
    char v[200];
    for (int i = 0; i < 20; i++)
        assert_int_equal(check(s, &resource, NULL, NULL, 0), 200);
    assert_int_equal(check(s, &resource, "Retry-After", v, sizeof v), 429);
    assert_string_equal(v, "3"); /* 20/min: a token every 3 s */
    sim_limits__set_mono(s, 1002.0);
    assert_int_equal(check(s, &resource, NULL, NULL, 0), 429);
    sim_limits__set_mono(s, 1003.0);
    assert_int_equal(check(s, &resource, NULL, NULL, 0), 200);
    sim_free(s);
}

static void uncategorised_routes_are_not_limited(void **state)
{
    sim *s = new_sim(SIM_PLAN_FREE);
    char v[200];
    for (int i = 0; i < 100; i++)
        assert_int_equal(check(s, &none, "X-RateLimit-Limit", v, sizeof v), 200);
    assert_string_equal(v, "(none)");
    sim_free(s);
}

static void rejected_requests_consume_nothing(void **state)
{
    sim *s = new_sim(SIM_PLAN_FREE);
    for (int i = 0; i < 4; i++)
        check(s, &light, NULL, NULL, 0);
    for (int i = 0; i < 50; i++)
        assert_int_equal(check(s, &light, NULL, NULL, 0), 429);
    sim_limits__set_mono(s, 1000.25);
    assert_int_equal(check(s, &light, NULL, NULL, 0), 200);
    sim_free(s);
}

static void dump_and_load_keep_daily_counters(void **state)
{
    sim *s = new_sim(SIM_PLAN_FREE);
    for (int i = 0; i < 3; i++)
        check(s, &light, NULL, NULL, 0);
    pthread_mutex_lock(&s->lock);
    json_t *st = sim_dump(s);
    pthread_mutex_unlock(&s->lock);
    sim *t = new_sim(SIM_PLAN_PRO);
    pthread_mutex_lock(&t->lock);
    assert_int_equal(sim_load(t, st), 0);
    json_t *back = sim_dump(t);
    pthread_mutex_unlock(&t->lock);
    json_t *lim = json_object_get(back, "limits");
    assert_string_equal(json_string_value(json_object_get(lim, "plan")), "free");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(lim, "used"), "light")), 3);
    json_decref(back);
    json_decref(st);
    sim_free(s);
    sim_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bucket_takes_refills_and_caps),
        cmocka_unit_test(pro_light_qps_with_headers),
        cmocka_unit_test(clock_advance_does_not_refill),
        cmocka_unit_test(free_plan_daily_cap_rolls_at_sim_midnight),
        cmocka_unit_test(pro_heavy_and_resource_share_a_daily_cap),
        cmocka_unit_test(resource_intensive_is_per_minute),
        cmocka_unit_test(uncategorised_routes_are_not_limited),
        cmocka_unit_test(rejected_requests_consume_nothing),
        cmocka_unit_test(dump_and_load_keep_daily_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
