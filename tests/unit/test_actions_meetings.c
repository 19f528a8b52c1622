/*
 * The meeting actions of issue 9 (get, update and delete a meeting or an
 * occurrence, registrant status, registration questions, past meeting
 * participants): every rule with valid and invalid values, all problems at
 * once, the occurrence rules, the requests they build, and the texts
 * (--help, docs) that say what their output is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zoomflow/actions.h"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    if (!j)
        fail_msg("bad test JSON %s: %s", text, e.text);
    return j;
}

static int validate(zf_problems *p, const char *action, const char *input)
{
    const zf_action *a = zf_action_find(action);
    assert_non_null(a);
    json_t *in = parse(input);
    int rc = zf_action_validate(p, a, in);
    json_decref(in);
    return rc;
}

static void dump(const zf_problems *p)
{
    for (size_t i = 0; i < p->count; i++)
        fprintf(stderr, "  %s [%s] %s\n", p->items[i].path, p->items[i].rule, p->items[i].message);
}

static const zf_problem *find_problem(const zf_problems *p, const char *path, const char *rule)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->items[i].path, path) == 0 && strcmp(p->items[i].rule, rule) == 0)
            return &p->items[i];
    return NULL;
}

#define MID "\"meeting_id\":85746065432"

static const struct {
    const char *action, *input;
} valid[] = {
    {"get_meeting", "{" MID "}"},
    {"get_meeting", "{\"meeting_id\":\"85746065432\",\"occurrence_id\":\"1648194360000\","
                    "\"show_previous_occurrences\":true}"},
    {"update_meeting", "{" MID ",\"topic\":\"Moved\"}"},
    {"update_meeting", "{" MID ",\"start_time\":\"2031-03-05T10:00:00\",\"timezone\":"
                       "\"Europe/Berlin\",\"duration\":45,\"agenda\":\"a\\nb\",\"password\":"
                       "\"a1!\",\"settings\":{\"approval_type\":1,\"waiting_room\":true}}"},
    {"update_meeting", "{" MID ",\"type\":8,\"recurrence\":{\"type\":2,\"weekly_days\":\"2,4\","
                       "\"end_times\":10}}"},
    {"update_meeting", "{" MID ",\"recurrence\":{\"type\":1,\"end_date_time\":"
                       "\"2031-12-01T00:00:00Z\"}}"},
    /* no show_join_info in Zoom's update schema; tracking fields as in create */
    {"update_meeting", "{" MID ",\"tracking_fields\":[{\"field\":\"cost\",\"value\":\"1\"}]}"},
    {"update_meeting", "{" MID ",\"occurrence_id\":\"1648194360000\",\"start_time\":"
                       "\"2031-03-05T10:00:00Z\",\"duration\":30,\"agenda\":\"x\",\"settings\":"
                       "{\"host_video\":true,\"participant_video\":true,\"join_before_host\":true,"
                       "\"mute_upon_entry\":true,\"waiting_room\":true,\"watermark\":true,"
                       "\"auto_recording\":\"cloud\"}}"},
    {"delete_meeting", "{" MID "}"},
    {"delete_meeting", "{" MID ",\"occurrence_id\":\"1648194360000\",\"schedule_for_reminder\":"
                       "true,\"cancel_meeting_reminder\":false}"},
    {"update_registrant_status", "{" MID ",\"action\":\"approve\",\"registrants\":"
                                 "[{\"email\":\"a@example.com\"}]}"},
    {"update_registrant_status", "{" MID ",\"action\":\"cancel\",\"occurrence_id\":\"1\","
                                 "\"registrants\":[{\"id\":\"9tboDiHUQAeOnbmudzWa5g\","
                                 "\"email\":\"b@example.com\"}]}"},
    {"get_registrant_questions", "{" MID "}"},
    {"update_registrant_questions", "{" MID ",\"questions\":[]}"},
    {"update_registrant_questions",
     "{" MID ",\"questions\":[{\"field_name\":\"org\",\"required\":true},{\"field_name\":"
     "\"comments\"}],\"custom_questions\":[{\"title\":\"Size\",\"type\":\"single\","
     "\"required\":true,\"answers\":[\"S\",\"M\"]},{\"title\":\"Why?\",\"type\":\"short\"},"
     "{\"title\":\"Notes\"}]}"},
    {"list_past_meeting_participants", "{" MID "}"},
    {"list_past_meeting_participants", "{\"meeting_id\":\"/ajXp112QmuoKj4854875==\","
                                       "\"page_size\":300,\"all\":true}"},
    {"list_past_meeting_participants", "{" MID ",\"page_size\":1,\"next_page_token\":\"t\"}"},
};

static void test_valid_inputs_pass(void **state)
{
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        zf_problems p = ZF_PROBLEMS_INIT;
        int rc = validate(&p, valid[i].action, valid[i].input);
        if (rc != 0) {
            fprintf(stderr, "valid case %zu (%s) refused:\n", i, valid[i].action);
            dump(&p);
        }
        assert_int_equal(rc, 0);
        zf_problems_free(&p);
    }
}

static const struct {
    const char *action, *input, *path, *rule;
} invalid[] = {
    {"get_meeting", "{}", "meeting_id", "required"},
    {"get_meeting", "{\"meeting_id\":\"abc\"}", "meeting_id", "format"},
    {"get_meeting", "{" MID ",\"occurrence_id\":\"1,2\"}", "occurrence_id", "format"},
    {"get_meeting", "{" MID ",\"occurrence_id\":\"12345678901234567890\"}", "occurrence_id",
     "format"},
    {"get_meeting", "{" MID ",\"show_previous_occurrences\":\"yes\"}", "show_previous_occurrences",
     "type"},
    {"update_meeting", "{" MID "}", "", "required"},
    {"update_meeting", "{" MID ",\"duration\":1441}", "duration", "maximum"},
    {"update_meeting", "{" MID ",\"settings\":{\"show_join_info\":true}}",
     "settings.show_join_info", "unknown"},
    {"update_meeting", "{" MID ",\"default_password\":true}", "default_password", "unknown"},
    {"update_meeting", "{" MID ",\"start_time\":\"2031-03-05T10:00:00Z\",\"timezone\":\"UTC\"}",
     "start_time", "conflict"},
    {"update_meeting", "{" MID ",\"type\":2,\"recurrence\":{\"type\":1,\"end_times\":2}}",
     "recurrence", "dependency"},
    {"update_meeting", "{" MID ",\"recurrence\":{\"type\":1}}", "recurrence.end_times", "required"},
    {"update_meeting", "{" MID ",\"recurrence\":{\"type\":2,\"end_times\":2}}",
     "recurrence.weekly_days", "required"},
    {"update_meeting",
     "{" MID ",\"recurrence\":{\"type\":3,\"repeat_interval\":11,"
     "\"end_times\":2}}",
     "recurrence.repeat_interval", "maximum"},
    {"update_meeting", "{" MID ",\"tracking_fields\":[{\"value\":\"1\"}]}",
     "tracking_fields[0].field", "required"},
    {"update_meeting", "{" MID ",\"occurrence_id\":\"1\",\"topic\":\"x\"}", "topic", "dependency"},
    {"update_meeting", "{" MID ",\"occurrence_id\":\"1\",\"timezone\":\"UTC\"}", "timezone",
     "dependency"},
    {"update_meeting",
     "{" MID ",\"occurrence_id\":\"1\",\"recurrence\":{\"type\":1,"
     "\"end_times\":2}}",
     "recurrence", "dependency"},
    {"update_meeting", "{" MID ",\"occurrence_id\":\"1\",\"settings\":{\"audio\":\"voip\"}}",
     "settings.audio", "dependency"},
    {"update_meeting", "{" MID ",\"occurrence_id\":\"1\",\"type\":8}", "type", "dependency"},
    {"delete_meeting", "{}", "meeting_id", "required"},
    {"delete_meeting", "{" MID ",\"schedule_for_reminder\":\"true\"}", "schedule_for_reminder",
     "type"},
    {"delete_meeting", "{" MID ",\"occurrence_id\":\"x\"}", "occurrence_id", "format"},
    {"delete_meeting", "{\"meeting_id\":\"atsXxhSEQWit9t+U02HXNQ==\"}", "meeting_id", "format"},
    {"update_registrant_status", "{" MID ",\"registrants\":[{\"email\":\"a@x.com\"}]}", "action",
     "required"},
    {"update_registrant_status",
     "{" MID ",\"action\":\"promote\",\"registrants\":"
     "[{\"email\":\"a@x.com\"}]}",
     "action", "enum"},
    {"update_registrant_status", "{" MID ",\"action\":\"deny\"}", "registrants", "required"},
    {"update_registrant_status", "{" MID ",\"action\":\"deny\",\"registrants\":[]}", "registrants",
     "minItems"},
    {"update_registrant_status", "{" MID ",\"action\":\"deny\",\"registrants\":[{}]}",
     "registrants[0]", "required"},
    {"update_registrant_status",
     "{" MID ",\"action\":\"deny\",\"registrants\":"
     "[{\"email\":\"nope\"}]}",
     "registrants[0].email", "format"},
    {"update_registrant_status",
     "{" MID ",\"action\":\"deny\",\"registrants\":"
     "[{\"name\":\"Ann\"}]}",
     "registrants[0].name", "unknown"},
    {"get_registrant_questions", "{\"meeting_id\":12}", "meeting_id", "format"},
    {"update_registrant_questions", "{" MID "}", "", "required"},
    {"update_registrant_questions", "{" MID ",\"questions\":[{\"field_name\":\"email\"}]}",
     "questions[0].field_name", "enum"},
    {"update_registrant_questions", "{" MID ",\"questions\":[{\"required\":true}]}",
     "questions[0].field_name", "required"},
    {"update_registrant_questions",
     "{" MID ",\"questions\":[{\"field_name\":\"org\"},"
     "{\"field_name\":\"org\"}]}",
     "questions[1].field_name", "conflict"},
    {"update_registrant_questions", "{" MID ",\"custom_questions\":[{\"type\":\"short\"}]}",
     "custom_questions[0].title", "required"},
    {"update_registrant_questions",
     "{" MID ",\"custom_questions\":[{\"title\":\"a\","
     "\"type\":\"long\"}]}",
     "custom_questions[0].type", "enum"},
    {"update_registrant_questions",
     "{" MID ",\"custom_questions\":[{\"title\":\"a\","
     "\"type\":\"single\"}]}",
     "custom_questions[0].answers", "required"},
    {"update_registrant_questions",
     "{" MID ",\"custom_questions\":[{\"title\":\"a\","
     "\"answers\":[\"x\"]}]}",
     "custom_questions[0].answers", "dependency"},
    {"update_registrant_questions",
     "{" MID ",\"custom_questions\":[{\"title\":\"a\"},"
     "{\"title\":\"a\"}]}",
     "custom_questions[1].title", "conflict"},
    {"list_past_meeting_participants", "{" MID ",\"page_size\":301}", "page_size", "maximum"},
    {"list_past_meeting_participants", "{" MID ",\"all\":true,\"next_page_token\":\"t\"}",
     "next_page_token", "conflict"},
    {"list_past_meeting_participants", "{\"meeting_id\":\"a b\"}", "meeting_id", "format"},
};

static void test_invalid_inputs_name_field_and_rule(void **state)
{
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        zf_problems p = ZF_PROBLEMS_INIT;
        int rc = validate(&p, invalid[i].action, invalid[i].input);
        const zf_problem *q = find_problem(&p, invalid[i].path, invalid[i].rule);
        if (rc != ZF_EVALIDATION || !q) {
            fprintf(stderr, "invalid case %zu (%s %s) expected %s/%s, got:\n", i, invalid[i].action,
                    invalid[i].input, invalid[i].path, invalid[i].rule);
            dump(&p);
        }
        assert_int_equal(rc, ZF_EVALIDATION);
        assert_non_null(q);
        assert_true(strlen(q->message) > 5);
        zf_problems_free(&p);
    }
}

/* One occurrence: everything Zoom does not change of it, at once, and the
 * occurrence-only rules do not fire for the whole meeting. */
static void test_occurrence_rules_all_at_once(void **state)
{
    zf_problems p = ZF_PROBLEMS_INIT;
    const char *in = "{" MID ",\"occurrence_id\":\"1648194360000\",\"topic\":\"t\",\"type\":8,"
                     "\"timezone\":\"UTC\",\"password\":\"x\",\"pre_schedule\":true,"
                     "\"settings\":{\"audio\":\"voip\",\"approval_type\":1,\"waiting_room\":true,"
                     "\"nonsense\":1},\"agenda\":\"ok\",\"duration\":30}";
    assert_int_equal(validate(&p, "update_meeting", in), ZF_EVALIDATION);
    static const char *const refused[] = {"topic",
                                          "type",
                                          "timezone",
                                          "password",
                                          "pre_schedule",
                                          "settings.audio",
                                          "settings.approval_type"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_non_null(find_problem(&p, refused[i], "dependency"));
    assert_non_null(find_problem(&p, "settings.nonsense", "unknown"));
    assert_null(find_problem(&p, "settings.nonsense", "dependency"));
    assert_int_equal(p.count, 8);
    assert_non_null(strstr(find_problem(&p, "timezone", "dependency")->message,
                           "give start_time in UTC ending in Z"));
    zf_problems_free(&p);
    assert_int_equal(validate(&p, "update_meeting",
                              "{" MID ",\"topic\":\"t\",\"timezone\":\"UTC\",\"settings\":"
                              "{\"audio\":\"voip\"}}"),
                     0);
    zf_problems_free(&p);
}

static void build_ok(zf_action_request *req, const char *action, const char *input)
{
    zf_error err = ZF_ERROR_INIT;
    json_t *in = parse(input);
    int rc = zf_action_build(req, zf_action_find(action), in, &err);
    if (rc)
        fail_msg("%s: %s", action, err.message);
    json_decref(in);
}

static void test_build_requests(void **state)
{
    static const struct {
        const char *action, *input, *method, *path, *body;
        zf_action_kind kind;
    } cases[] = {
        {"get_meeting", "{\"meeting_id\":\"85746065432\"}", "GET", "/meetings/85746065432", NULL,
         ZF_ACTION_READ},
        {"update_meeting", "{" MID ",\"topic\":\"x\",\"settings\":{\"watermark\":true}}", "PATCH",
         "/meetings/85746065432", "{\"topic\":\"x\",\"settings\":{\"watermark\":true}}",
         ZF_ACTION_WRITE},
        {"delete_meeting", "{" MID "}", "DELETE", "/meetings/85746065432", NULL, ZF_ACTION_WRITE},
        {"update_registrant_status",
         "{" MID ",\"action\":\"deny\",\"registrants\":"
         "[{\"id\":\"r1\"}]}",
         "PUT", "/meetings/85746065432/registrants/status",
         "{\"action\":\"deny\",\"registrants\":[{\"id\":\"r1\"}]}", ZF_ACTION_WRITE},
        {"get_registrant_questions", "{" MID "}", "GET",
         "/meetings/85746065432/registrants/questions", NULL, ZF_ACTION_READ},
        {"update_registrant_questions", "{" MID ",\"questions\":[]}", "PATCH",
         "/meetings/85746065432/registrants/questions", "{\"questions\":[]}", ZF_ACTION_WRITE},
        /* a past meeting's UUID: Zoom's double encoding for '/' first or "//" */
        {"list_past_meeting_participants", "{\"meeting_id\":\"/ajXp112QmuoKj4854875==\"}", "GET",
         "/past_meetings/%252FajXp112QmuoKj4854875%253D%253D/participants", NULL, ZF_ACTION_READ},
        {"list_past_meeting_participants", "{\"meeting_id\":\"atsXxhSEQWit9t+U02HXNQ==\"}", "GET",
         "/past_meetings/atsXxhSEQWit9t%2BU02HXNQ%3D%3D/participants", NULL, ZF_ACTION_READ},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zf_action_request req;
        build_ok(&req, cases[i].action, cases[i].input);
        assert_string_equal(req.method, cases[i].method);
        assert_string_equal(req.path, cases[i].path);
        assert_int_equal(req.kind, cases[i].kind);
        if (cases[i].body) {
            json_t *got = parse(req.body), *want = parse(cases[i].body);
            assert_true(json_equal(got, want));
            json_decref(got);
            json_decref(want);
        } else {
            assert_null(req.body);
        }
        zf_action_request_free(&req);
    }
    zf_action_request req;
    build_ok(&req, "delete_meeting",
             "{" MID ",\"occurrence_id\":\"1648194360000\","
             "\"schedule_for_reminder\":false,"
             "\"cancel_meeting_reminder\":true}");
    assert_string_equal(zf_action_request_query(&req, "occurrence_id"), "1648194360000");
    assert_string_equal(zf_action_request_query(&req, "schedule_for_reminder"), "false");
    assert_string_equal(zf_action_request_query(&req, "cancel_meeting_reminder"), "true");
    zf_action_request_free(&req);
    build_ok(&req, "get_meeting", "{" MID ",\"show_previous_occurrences\":true}");
    assert_string_equal(zf_action_request_query(&req, "show_previous_occurrences"), "true");
    zf_action_request_free(&req);
    build_ok(&req, "list_past_meeting_participants", "{" MID ",\"all\":true,\"page_size\":300}");
    assert_true(req.follow_pages);
    assert_string_equal(zf_action_request_query(&req, "page_size"), "300");
    assert_null(zf_action_request_query(&req, "all"));
    zf_action_request_free(&req);
}

/* The 204 actions' outputs are described in --help and the docs, and so
 * are their notes (the delete's idempotency, the update's PATCH rules). */
static void test_help_and_docs_say_what_the_output_is(void **state)
{
    static const struct {
        const char *action, *words;
    } cases[] = {
        {"update_meeting", "Only the fields given change (Zoom's PATCH)"},
        {"update_meeting", "\"fields\": [the fields sent"},
        {"delete_meeting", "\"already_deleted\": true"},
        {"delete_meeting", "A delete retried after a dropped response does not fail"},
        {"update_registrant_status", "does not say which registrants it did not know"},
        {"update_registrant_questions", "replaces the form's list whole"},
        {"list_past_meeting_participants", "only one person attended"},
    };
    zf_buf md = ZF_BUF_INIT(1 << 22);
    assert_int_equal(zf_actions_markdown(&md), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zf_buf b = ZF_BUF_INIT(1 << 20);
        assert_int_equal(zf_action_help(&b, zf_action_find(cases[i].action)), 0);
        if (!strstr(b.ptr, cases[i].words))
            fail_msg("%s --help lacks \"%s\"", cases[i].action, cases[i].words);
        zf_buf_free(&b);
        if (!strstr(md.ptr, cases[i].words))
            fail_msg("docs lack \"%s\"", cases[i].words);
    }
    assert_non_null(strstr(md.ptr, "| `zoom-occurrence-id` |"));
    zf_buf_free(&md);
}

/* The update and the create read the same meeting fields (one list in
 * meeting_fields.c): a constraint changed there changes both. */
static void test_update_shares_create_fields(void **state)
{
    const zf_action *c = zf_action_find("create_meeting"), *u = zf_action_find("update_meeting");
    size_t shared = 0;
    for (const zf_field *f = u->input; f->name; f++) {
        for (const zf_field *g = c->input; g->name; g++) {
            if (strcmp(f->name, g->name) != 0 || f->in != ZF_IN_BODY)
                continue;
            shared++;
            assert_int_equal(f->types, g->types);
            assert_int_equal(f->max_len, g->max_len);
            assert_int_equal(f->format, g->format);
            assert_ptr_equal(f->enum_int, g->enum_int);
            assert_null(f->default_json); /* an absent field is unchanged, not a default */
            if (strcmp(f->name, "recurrence") == 0)
                assert_ptr_equal(f->fields, g->fields);
        }
    }
    assert_int_equal(shared, 13);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_inputs_pass),
        cmocka_unit_test(test_invalid_inputs_name_field_and_rule),
        cmocka_unit_test(test_occurrence_rules_all_at_once),
        cmocka_unit_test(test_build_requests),
        cmocka_unit_test(test_help_and_docs_say_what_the_output_is),
        cmocka_unit_test(test_update_shares_create_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
