/* zoomsim data module: validation rules, quotas, occurrences, dump/load. The
 * handlers are called directly with a request that has a body and no
 * connection (the ones tested here read no query string). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"

static sim *new_sim(sim_plan plan)
{
    sim_opts o;
    memset(&o, 0, sizeof o);
    o.plan = plan;
    sim *s = NULL;
    assert_int_equal(sim_new(&s, &o), 0);
    snprintf(s->base_url, sizeof s->base_url, "http://127.0.0.1:1");
    return s;
}

/* Runs handler with a JSON body (and path param p0); returns the parsed
 * response body (caller decrefs) and the status in *status. */
static json_t *call(sim *s, sim_handler fn, const char *p0, const char *body, int *status)
{
    sim_req rq;
    sim_resp rs;
    memset(&rq, 0, sizeof rq);
    rq.s = s;
    rq.method = "POST";
    rq.path = "/";
    rq.body = body;
    rq.body_len = strlen(body);
    rq.now = sim_now(s);
    char *param = p0 ? strdup(p0) : NULL;
    rq.param[0] = param;
    rq.nparam = p0 ? 1 : 0;
    sim_resp_init(&rs);
    fn(&rq, &rs);
    *status = rs.status;
    json_t *j = rs.body.len ? json_loads(zf_buf_cstr(&rs.body), 0, NULL) : NULL;
    sim_resp_free(&rs);
    free(param);
    return j;
}

static int has_error_field(json_t *j, const char *field)
{
    json_t *e;
    size_t i;
    json_array_foreach (json_object_get(j, "errors"), i, e) {
        if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
            return 1;
    }
    return 0;
}

static void test_owner_exists_after_reset(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    assert_int_equal(s->data->nusers, 1);
    sim_user *o = sim_data_user_find(s, NULL, "me");
    assert_non_null(o);
    assert_string_equal(o->id, s->owner_id);
    assert_int_equal(o->type, 2);
    assert_int_equal(o->status, U_ACTIVE);
    assert_ptr_equal(sim_data_user_find(s, NULL, "OWNER@example.com"), o);
    sim_free(s);
}

static void test_user_create_validation_lists_every_field(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    int st;
    json_t *j = call(s, sim_h_users_create, NULL,
                     "{\"action\":\"invite\",\"user_info\":{\"email\":\"nope\",\"type\":3,"
                     "\"first_name\":\""
                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                     "\"}}",
                     &st);
    assert_int_equal(st, 400);
    assert_int_equal(json_integer_value(json_object_get(j, "code")), 300);
    assert_true(has_error_field(j, "action"));
    assert_true(has_error_field(j, "user_info.email"));
    assert_true(has_error_field(j, "user_info.type"));
    assert_true(has_error_field(j, "user_info.first_name"));
    json_decref(j);
    sim_free(s);
}

static void test_user_password_rules_only_for_autocreate(void **state)
{
    static const char *const bad[] = {"short1A",      "alllower1", "ALLUPPER1",
                                      "NoDigitsHere", "12345678",  "aaaaaaaa"};
    sim *s = new_sim(SIM_PLAN_PRO);
    int st;
    char body[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(body, sizeof body,
                 "{\"action\":\"autoCreate\",\"user_info\":{\"email\":"
                 "\"p%zu@x.io\",\"type\":1,\"password\":\"%s\"}}",
                 i, bad[i]);
        json_t *j = call(s, sim_h_users_create, NULL, body, &st);
        assert_int_equal(st, 400);
        assert_true(has_error_field(j, "user_info.password"));
        json_decref(j);
    }
    json_decref(call(s, sim_h_users_create, NULL,
                     "{\"action\":\"autoCreate\",\"user_info\":{\"email\":\"ok@x.io\","
                     "\"type\":1,\"password\":\"Str0ngPass\"}}",
                     &st));
    assert_int_equal(st, 201);
    /* custCreate ignores password */
    json_decref(call(s, sim_h_users_create, NULL,
                     "{\"action\":\"custCreate\",\"user_info\":{\"email\":\"c@x.io\","
                     "\"type\":1,\"password\":\"x\"}}",
                     &st));
    assert_int_equal(st, 201);
    sim_free(s);
}

static void test_user_duplicate_email_1005_case_insensitive(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    int st;
    json_decref(call(s, sim_h_users_create, NULL,
                     "{\"action\":\"create\",\"user_info\":{\"email\":\"Dup@x.io\",\"type\":1}}",
                     &st));
    assert_int_equal(st, 201);
    json_t *j =
        call(s, sim_h_users_create, NULL,
             "{\"action\":\"ssoCreate\",\"user_info\":{\"email\":\"dup@X.io\",\"type\":1}}", &st);
    assert_int_equal(st, 409);
    assert_int_equal(json_integer_value(json_object_get(j, "code")), 1005);
    json_decref(j);
    sim_user *u = sim_data_user_find(s, NULL, "dup@x.io");
    assert_int_equal(u->status, U_PENDING); /* action=create waits for the invitee */
    sim_free(s);
}

static void test_user_create_quota_free_plan(void **state)
{
    sim *s = new_sim(SIM_PLAN_FREE);
    int st;
    char body[128];
    for (int i = 0; i < 50; i++) {
        snprintf(body, sizeof body,
                 "{\"action\":\"create\",\"user_info\":{\"email\":\"q%d@x.io\",\"type\":1}}", i);
        json_decref(call(s, sim_h_users_create, NULL, body, &st));
        assert_int_equal(st, 201);
    }
    json_t *j =
        call(s, sim_h_users_create, NULL,
             "{\"action\":\"create\",\"user_info\":{\"email\":\"q50@x.io\",\"type\":1}}", &st);
    assert_int_equal(st, 429);
    assert_non_null(strstr(json_string_value(json_object_get(j, "message")), "(50)"));
    json_decref(j);
    /* autoCreate is not an invite: not counted */
    json_decref(call(s, sim_h_users_create, NULL,
                     "{\"action\":\"custCreate\",\"user_info\":{\"email\":\"q51@x.io\","
                     "\"type\":1}}",
                     &st));
    assert_int_equal(st, 201);
    s->clock_offset += 86400; /* next UTC day */
    json_decref(call(s, sim_h_users_create, NULL,
                     "{\"action\":\"create\",\"user_info\":{\"email\":\"q52@x.io\",\"type\":1}}",
                     &st));
    assert_int_equal(st, 201);
    sim_free(s);
}

static void test_meeting_validation(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    int st;
    json_t *j = call(s, sim_h_meeting_create, "me",
                     "{\"type\":5,\"duration\":1441,\"timezone\":\"Mars/Olympus\","
                     "\"password\":\"has space\",\"start_time\":\"tomorrow\","
                     "\"settings\":{\"approval_type\":3,\"audio\":\"pigeon\","
                     "\"jbh_time\":7,\"host_video\":\"yes\",\"unknown_key\":1}}",
                     &st);
    assert_int_equal(st, 400);
    const char *fields[] = {"type",           "duration",          "timezone",
                            "password",       "start_time",        "settings.approval_type",
                            "settings.audio", "settings.jbh_time", "settings.host_video"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        assert_true(has_error_field(j, fields[i]));
    assert_false(has_error_field(j, "settings.unknown_key"));
    json_decref(j);
    j = call(s, sim_h_meeting_create, "me", "{\"password\":\"12345678901\",\"topic\":\"x\"}", &st);
    assert_int_equal(st, 400);
    assert_true(has_error_field(j, "password"));
    json_decref(j);
    j = call(s, sim_h_meeting_create, "nobody@x.io", "{}", &st);
    assert_int_equal(st, 404);
    assert_int_equal(json_integer_value(json_object_get(j, "code")), 1001);
    json_decref(j);
    sim_free(s);
}

static void test_meeting_defaults_and_local_time(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    int st;
    json_t *j = call(s, sim_h_meeting_create, "me",
                     "{\"topic\":\"Standup\",\"start_time\":\"2031-07-01T09:00:00\","
                     "\"timezone\":\"Europe/Berlin\",\"settings\":{\"approval_type\":1,"
                     "\"bogus\":true}}",
                     &st);
    assert_int_equal(st, 201);
    assert_int_equal(json_integer_value(json_object_get(j, "type")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "duration")), 60);
    /* 09:00 CEST is 07:00 UTC */
    assert_string_equal(json_string_value(json_object_get(j, "start_time")),
                        "2031-07-01T07:00:00Z");
    assert_true(json_integer_value(json_object_get(j, "id")) >= 10000000000LL);
    assert_int_equal(strlen(json_string_value(json_object_get(j, "uuid"))), 24);
    assert_non_null(json_object_get(j, "registration_url"));
    json_t *set = json_object_get(j, "settings");
    assert_null(json_object_get(set, "bogus"));
    assert_string_equal(json_string_value(json_object_get(set, "audio")), "both");
    assert_true(strlen(json_string_value(json_object_get(j, "password"))) > 0);
    json_decref(j);
    sim_free(s);
}

static void test_recurring_occurrences(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    int st;
    /* 2031-07-01 is a Tuesday; weekly on Tue (3) and Thu (5), 4 times */
    json_t *j = call(s, sim_h_meeting_create, "me",
                     "{\"type\":8,\"start_time\":\"2031-07-01T10:00:00Z\",\"recurrence\":"
                     "{\"type\":2,\"weekly_days\":\"3,5\",\"end_times\":4}}",
                     &st);
    assert_int_equal(st, 201);
    json_t *occ = json_object_get(j, "occurrences");
    assert_int_equal(json_array_size(occ), 4);
    const char *want[] = {"2031-07-01T10:00:00Z", "2031-07-03T10:00:00Z", "2031-07-08T10:00:00Z",
                          "2031-07-10T10:00:00Z"};
    for (int i = 0; i < 4; i++)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(occ, (size_t)i), "start_time")),
            want[i]);
    json_decref(j);
    j = call(s, sim_h_meeting_create, "me",
             "{\"type\":8,\"start_time\":\"2031-07-01T10:00:00Z\",\"recurrence\":"
             "{\"type\":3,\"monthly_week\":-1,\"monthly_week_day\":6,\"end_times\":2}}",
             &st);
    occ = json_object_get(j, "occurrences");
    assert_int_equal(json_array_size(occ), 2); /* last Fridays: Jul 25, Aug 29 */
    assert_string_equal(json_string_value(json_object_get(json_array_get(occ, 1), "start_time")),
                        "2031-08-29T10:00:00Z");
    json_decref(j);
    j = call(s, sim_h_meeting_create, "me",
             "{\"type\":8,\"recurrence\":{\"type\":1,\"repeat_interval\":100,\"end_times\":61,"
             "\"end_date_time\":\"2031-01-01T00:00:00Z\"}}",
             &st);
    assert_int_equal(st, 400);
    assert_true(has_error_field(j, "recurrence.repeat_interval"));
    assert_true(has_error_field(j, "recurrence.end_times"));
    json_decref(j);
    j = call(s, sim_h_meeting_create, "me", "{\"type\":8}", &st);
    assert_true(has_error_field(j, "recurrence"));
    json_decref(j);
    sim_free(s);
}

static void test_meeting_daily_limit_100(void **state)
{
    sim *s = new_sim(SIM_PLAN_BUSINESS);
    int st;
    for (int i = 0; i < 100; i++)
        json_decref(call(s, sim_h_meeting_create, "me", "{\"topic\":\"x\"}", &st));
    assert_int_equal(st, 201);
    json_t *j = call(s, sim_h_meeting_create, "me", "{\"topic\":\"x\"}", &st);
    assert_int_equal(st, 429);
    assert_non_null(strstr(json_string_value(json_object_get(j, "message")),
                           "daily rate limit (100) of Meeting Create/Update"));
    json_decref(j);
    s->clock_offset += 86400;
    json_decref(call(s, sim_h_meeting_create, "me", "{\"topic\":\"x\"}", &st));
    assert_int_equal(st, 201);
    sim_free(s);
}

static void test_dump_load_roundtrip(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    int st;
    json_decref(call(s, sim_h_users_create, NULL,
                     "{\"action\":\"custCreate\",\"user_info\":{\"email\":\"r@x.io\","
                     "\"type\":2,\"first_name\":\"Rita\"}}",
                     &st));
    json_t *m = call(s, sim_h_meeting_create, "r@x.io",
                     "{\"topic\":\"kept\",\"settings\":{\"approval_type\":0}}", &st);
    char mid[24];
    snprintf(mid, sizeof mid, "%lld", (long long)json_integer_value(json_object_get(m, "id")));
    sim_meeting *mt = sim_data_meeting_find(s, mid);
    int existed;
    sim_data_registrant_add(s, mt, "Reg@x.io", json_pack("{s:s}", "first_name", "R"), NULL, 5,
                            &existed);
    const char *types[] = {"MP4"};
    uint64_t sizes[] = {12345};
    sim_data_recording_add(s, mt, "/odd//uuid==", 100, 1, types, sizes);
    json_t *dump = sim_dump(s);
    sim *s2 = new_sim(SIM_PLAN_PRO);
    assert_int_equal(sim_load(s2, dump), 0);
    sim_user *u = sim_data_user_find(s2, NULL, "r@x.io");
    assert_non_null(u);
    assert_string_equal(u->first_name, "Rita");
    assert_string_equal(s2->owner_id, s->owner_id);
    sim_meeting *m2 = sim_data_meeting_find(s2, mid);
    assert_non_null(m2);
    assert_string_equal(m2->topic, "kept");
    assert_int_equal(m2->nregs, 1);
    assert_string_equal(m2->regs[0]->id, mt->regs[0]->id);
    assert_non_null(sim_map_get(&s2->data->by_uuid, "/odd//uuid=="));
    assert_non_null(sim_map_get(&s2->data->files, mt->recs[0]->files[0].id));
    json_t *counts = json_object_get(json_object_get(dump, "data"), "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "users")), 2);
    assert_int_equal(json_integer_value(json_object_get(counts, "meetings")), 1);
    json_decref(dump);
    json_decref(m);
    sim_free(s2);
    sim_free(s);
}

/* A state that is not a version 1 dump, or whose parts do not fit, is
 * ZF_EPARSE (PUT /_sim/state answers 400 and --state stops the start). */
static void test_load_refuses_what_is_no_dump(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    json_t *dump = sim_dump(s);
    json_t *v2 = json_deep_copy(dump);
    json_object_set_new(v2, "version", json_integer(2));
    assert_int_equal(sim_load(s, v2), ZF_EPARSE);
    json_t *no_users = json_deep_copy(dump);
    json_object_set_new(json_object_get(no_users, "data"), "users", json_array());
    assert_int_equal(sim_load(s, no_users), ZF_EPARSE);
    json_t *no_plan = json_deep_copy(dump);
    json_object_del(json_object_get(no_plan, "limits"), "plan");
    assert_int_equal(sim_load(s, no_plan), ZF_EPARSE);
    assert_int_equal(sim_load(s, dump), 0);
    json_decref(v2);
    json_decref(no_users);
    json_decref(no_plan);
    json_decref(dump);
    sim_free(s);
}

/* A page token is good for its own list only, and not a byte off. */
static void test_page_token_checks(void **state)
{
    sim *s = new_sim(SIM_PLAN_PRO);
    char tok[33];
    uint64_t pos = 0, extra = 0;
    sim_paging_put(s, "users|active", 30, 60, tok);
    assert_true(sim_paging_get(s, tok, "users|active", &pos, &extra));
    assert_int_equal(pos, 30);
    assert_int_equal(extra, 60);
    assert_false(sim_paging_get(s, tok, "users|inactive", &pos, &extra));
    tok[5] = tok[5] == 'A' ? 'B' : 'A';
    assert_false(sim_paging_get(s, tok, "users|active", &pos, &extra));
    assert_false(sim_paging_get(s, "short", "users|active", &pos, &extra));
    sim_free(s);
}

static void test_email_format(void **state)
{
    assert_true(sim_data_email_ok("a.b+c@example.co.uk"));
    assert_false(sim_data_email_ok("a@b"));
    assert_false(sim_data_email_ok("@b.com"));
    assert_false(sim_data_email_ok("a@@b.com"));
    assert_false(sim_data_email_ok("a b@c.com"));
    assert_false(sim_data_email_ok("a@.com"));
    assert_false(sim_data_email_ok("a@b.com."));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owner_exists_after_reset),
        cmocka_unit_test(test_user_create_validation_lists_every_field),
        cmocka_unit_test(test_user_password_rules_only_for_autocreate),
        cmocka_unit_test(test_user_duplicate_email_1005_case_insensitive),
        cmocka_unit_test(test_user_create_quota_free_plan),
        cmocka_unit_test(test_meeting_validation),
        cmocka_unit_test(test_meeting_defaults_and_local_time),
        cmocka_unit_test(test_recurring_occurrences),
        cmocka_unit_test(test_meeting_daily_limit_100),
        cmocka_unit_test(test_dump_load_roundtrip),
        cmocka_unit_test(test_email_format),
        cmocka_unit_test(test_load_refuses_what_is_no_dump),
        cmocka_unit_test(test_page_token_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
