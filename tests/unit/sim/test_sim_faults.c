/* Fault rules: matching, count/probability firing, what each kind does to
 * the request and the response (no HTTP). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "faults.h"

static const sim_route create = {"POST",        "/v2/users", NULL,          SIM_R_BEARER,
                                 SIM_CAT_LIGHT, {NULL},      "users.create"};
static const sim_route mlist = {
    "GET",          "/v2/users/{userId}/meetings", NULL, SIM_R_BEARER, SIM_CAT_MEDIUM, {NULL},
    "meetings.list"};

static sim *new_sim(void)
{
    sim_opts o;
    memset(&o, 0, sizeof o);
    o.plan = SIM_PLAN_PRO;
    sim *s;
    assert_int_equal(sim_new(&s, &o), 0);
    return s;
}

static void add(sim *s, const char *json)
{
    char err[256] = "";
    json_t *j = json_loads(json, 0, NULL);
    assert_non_null(j);
    int rc = sim_faults__add(s, j, err, sizeof err);
    json_decref(j);
    if (rc != 0)
        fail_msg("rule %s rejected: %s", json, err);
}

static void add_fails(sim *s, const char *json, const char *word)
{
    char err[256] = "";
    json_t *j = json_loads(json, 0, NULL);
    assert_int_equal(sim_faults__add(s, j, err, sizeof err), ZF_EVALIDATION);
    json_decref(j);
    if (!strstr(err, word))
        fail_msg("error for %s does not name %s: %s", json, word, err);
}

typedef struct outcome {
    int answered; /* before() answered instead of the handler */
    int delay_ms;
    int status;
    int drop, truncate, malformed;
    char body[256];
} outcome;

/* Runs before, a handler answering 201 {"id":"u1"} when not answered, after. */
static outcome run(sim *s, const sim_route *r, const char *path)
{
    sim_req rq;
    memset(&rq, 0, sizeof rq);
    rq.s = s;
    rq.route = r;
    rq.method = r->method;
    rq.path = path;
    rq.now = sim_now(s);
    sim_resp rs;
    sim_resp_init(&rs);
    outcome o;
    memset(&o, 0, sizeof o);
    o.answered = sim_faults_before(s, &rq, &rs, &o.delay_ms);
    if (!o.answered) {
        sim_json(&rs, 201, json_pack("{s:s}", "id", "u1"));
        sim_faults_after(s, &rq, &rs);
    }
    o.status = rs.status;
    o.drop = rs.drop;
    o.truncate = rs.truncate;
    o.malformed = rs.malformed;
    memcpy(o.body, zf_buf_cstr(&rs.body), rs.body.len < 255 ? rs.body.len : 255);
    sim_resp_free(&rs);
    return o;
}

static json_t *rule(sim *s, size_t i)
{
    json_t *l = sim_faults__list(s);
    json_t *r = json_incref(json_array_get(json_object_get(l, "rules"), i));
    json_decref(l);
    return r;
}

static void count_rule_fires_n_times(void **state)
{
    sim *s = new_sim();
    add(s, "{\"kind\":\"status\",\"status\":503,\"count\":2,\"route\":\"users.create\"}");
    for (int i = 0; i < 2; i++) {
        outcome o = run(s, &create, "/v2/users");
        assert_true(o.answered);
        assert_int_equal(o.status, 503);
        assert_string_equal(o.body, "{\"code\":503,\"message\":\"Service Unavailable.\"}");
    }
    outcome o = run(s, &create, "/v2/users");
    assert_false(o.answered);
    assert_int_equal(o.status, 201);
    json_t *r = rule(s, 0);
    assert_int_equal(json_integer_value(json_object_get(r, "fired")), 2);
    assert_int_equal(json_integer_value(json_object_get(r, "matched")), 3);
    assert_int_equal(json_integer_value(json_object_get(r, "remaining")), 0);
    json_decref(r);
    sim_free(s);
}

static void matcher_route_prefix_method(void **state)
{
    sim *s = new_sim();
    add(s, "{\"rules\":[{\"kind\":\"drop\",\"route\":\"meetings.list\"},"
           "{\"kind\":\"truncate\",\"path_prefix\":\"/v2/users/abc\"},"
           "{\"kind\":\"malformed\",\"method\":\"POST\"}]}");
    outcome o = run(s, &create, "/v2/users");
    assert_int_equal(o.drop + o.truncate, 0);
    assert_int_equal(o.malformed, 1);
    o = run(s, &mlist, "/v2/users/xyz/meetings");
    assert_int_equal(o.drop, 1);
    assert_int_equal(o.truncate + o.malformed, 0);
    o = run(s, &mlist, "/v2/users/abc/meetings");
    assert_int_equal(o.drop + o.truncate, 2);
    json_t *r = rule(s, 2);
    assert_int_equal(json_integer_value(json_object_get(r, "matched")), 1);
    json_decref(r);
    sim_free(s);
}

static void status_after_runs_the_handler(void **state)
{
    sim *s = new_sim();
    add(s, "{\"kind\":\"status_after\",\"status\":502,\"count\":1}");
    outcome o = run(s, &create, "/v2/users");
    assert_false(o.answered);
    assert_int_equal(o.status, 502);
    assert_string_equal(o.body, "{\"code\":502,\"message\":\"Bad Gateway.\"}");
    sim_free(s);
}

static void rate_limit_and_drop_before_answer(void **state)
{
    sim *s = new_sim();
    add(s, "{\"rules\":[{\"kind\":\"rate_limit\",\"count\":1},{\"kind\":\"drop_before\",\"count\":"
           "1}]}");
    outcome o = run(s, &create, "/v2/users");
    assert_true(o.answered);
    assert_int_equal(o.status, 429);
    assert_non_null(strstr(o.body, "per-second rate limit"));
    o = run(s, &create, "/v2/users");
    assert_true(o.answered);
    assert_int_equal(o.drop, 1);
    o = run(s, &create, "/v2/users");
    assert_false(o.answered);
    sim_free(s);
}

static void latencies_add_up(void **state)
{
    sim *s = new_sim();
    add(s, "{\"rules\":[{\"kind\":\"latency\",\"delay_ms\":100},"
           "{\"kind\":\"latency\",\"delay_ms\":250,\"route\":\"users.create\"}]}");
    assert_int_equal(run(s, &create, "/v2/users").delay_ms, 350);
    assert_int_equal(run(s, &mlist, "/v2/users/me/meetings").delay_ms, 100);
    sim_free(s);
}

static void seeded_probability_replays(void **state)
{
    char a[200], b[200];
    for (int round = 0; round < 2; round++) {
        sim *s = new_sim();
        add(s, "{\"seed\":4242,\"rules\":[{\"kind\":\"status\",\"probability\":0.3}]}");
        char *out = round ? b : a;
        for (int i = 0; i < 199; i++)
            out[i] = run(s, &create, "/v2/users").answered ? 'x' : '.';
        out[199] = '\0';
        sim_free(s);
    }
    assert_string_equal(a, b);
    int fired = 0;
    for (int i = 0; i < 199; i++)
        fired += a[i] == 'x';
    assert_true(fired > 30 && fired < 90); /* about 60 */
}

static void probability_edges(void **state)
{
    sim *s = new_sim();
    add(s, "{\"kind\":\"status\",\"probability\":0}");
    add(s, "{\"kind\":\"truncate\",\"probability\":1}");
    for (int i = 0; i < 50; i++) {
        outcome o = run(s, &create, "/v2/users");
        assert_false(o.answered);
        assert_true(o.truncate);
    }
    sim_free(s);
}

static void bad_rules_are_explained(void **state)
{
    sim *s = new_sim();
    add_fails(s, "{\"kind\":\"boom\"}", "kind");
    add_fails(s, "{\"kind\":\"latency\"}", "delay_ms");
    add_fails(s, "{\"kind\":\"status\",\"route\":\"a\",\"path_prefix\":\"/b\"}", "not both");
    add_fails(s, "{\"kind\":\"status\",\"count\":0}", "count");
    add_fails(s, "{\"kind\":\"rate_limit\",\"type\":\"Hourly\"}", "type");
    add_fails(s, "{\"seed\":-1}", "seed");
    add_fails(s, "{}", "nothing to do");
    add_fails(s, "{\"rules\":[{\"kind\":\"drop\"},7]}", "rules[1]");
    json_t *l = sim_faults__list(s);
    assert_int_equal(json_array_size(json_object_get(l, "rules")), 0);
    json_decref(l);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(count_rule_fires_n_times),
        cmocka_unit_test(matcher_route_prefix_method),
        cmocka_unit_test(status_after_runs_the_handler),
        cmocka_unit_test(rate_limit_and_drop_before_answer),
        cmocka_unit_test(latencies_add_up),
        cmocka_unit_test(seeded_probability_replays),
        cmocka_unit_test(probability_edges),
        cmocka_unit_test(bad_rules_are_explained),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
