/*
 * Action registry: every rule of every action with valid and invalid
 * values, all problems at once, request building (paths, double encoding,
 * query, body), the Z + timezone refusal, scope preflight, output shapes.
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

static const zf_problem *find_problem(const zf_problems *p, const char *path, const char *rule)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->items[i].path, path) == 0 && strcmp(p->items[i].rule, rule) == 0)
            return &p->items[i];
    return NULL;
}

static void dump(const zf_problems *p)
{
    for (size_t i = 0; i < p->count; i++)
        fprintf(stderr, "  %s [%s] %s: %s\n", p->items[i].path, p->items[i].rule, p->items[i].value,
                p->items[i].message);
}

/* ---- valid inputs: one per rule's accepted edge ------------------------- */

static const struct {
    const char *action;
    const char *input;
} valid[] = {
    {"create_meeting", "{\"user_id\":\"me\"}"},
    {"create_meeting", "{\"user_id\":\"ann@example.com\",\"topic\":\"Day 1\",\"type\":2,"
                       "\"start_time\":\"2026-05-01T09:00:00\",\"timezone\":\"America/New_York\","
                       "\"duration\":1440,\"password\":\"a!@#12345Z\",\"agenda\":\"x\","
                       "\"default_password\":false}"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"start_time\":\"2026-05-01T09:00:00Z\",\"duration\":1}"},
    {"create_meeting", "{\"user_id\":\"me\",\"start_time\":\"2026-05-01T09:00:00+05:30\"}"},
    {"create_meeting", "{\"user_id\":\"KDcuGIm1QgePTO8WbOqwIQ\",\"type\":10}"},
    {"create_meeting", "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":1,"
                       "\"repeat_interval\":99,\"end_times\":60}}"},
    {"create_meeting", "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":2,"
                       "\"repeat_interval\":50,\"weekly_days\":\"1,3,7\",\"end_date_time\":"
                       "\"2026-12-01T00:00:00Z\"}}"},
    {"create_meeting", "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":3,"
                       "\"repeat_interval\":10,\"monthly_day\":31,\"end_times\":0}}"},
    {"create_meeting", "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":3,"
                       "\"monthly_week\":-1,\"monthly_week_day\":6}}"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":{\"host_video\":true,\"jbh_time\":15,"
                       "\"join_before_host\":true,\"approval_type\":0,\"registration_type\":3,"
                       "\"audio\":\"thirdParty\",\"auto_recording\":\"cloud\","
                       "\"alternative_hosts\":\"a@x.com;b@x.com\",\"meeting_authentication\":true,"
                       "\"contact_name\":\"Ann\",\"contact_email\":\"ann@x.com\","
                       "\"email_notification\":false,\"waiting_room\":true,"
                       "\"waiting_room_options\":{\"mode\":\"custom\",\"who_goes_to_waiting_room\":"
                       "\"everyone\"},\"meeting_invitees\":[{\"email\":\"c@x.com\"}],"
                       "\"breakout_room\":{\"enable\":true,\"rooms\":[{\"name\":\"r\","
                       "\"participants\":[\"d@x.com\"]}]}},"
                       "\"tracking_fields\":[{\"field\":\"cost\",\"value\":\"1\"}]}"},
    {"list_users", "{}"},
    {"list_users", "{\"status\":\"pending\",\"role_id\":\"2\",\"page_size\":2000,\"all\":true}"},
    {"list_users", "{\"page_size\":1,\"next_page_token\":\"abc\"}"},
    {"create_user", "{\"action\":\"create\",\"user_info\":{\"email\":\"n@x.com\",\"type\":1}}"},
    {"create_user", "{\"action\":\"autoCreate\",\"user_info\":{\"email\":\"n@x.com\",\"type\":2,"
                    "\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"display_name\":\"Ann Lee\","
                    "\"password\":\"Secr3tPw\"}}"},
    {"create_user", "{\"action\":\"ssoCreate\",\"user_info\":{\"email\":\"n@x.com\",\"type\":4}}"},
    {"list_meetings", "{\"user_id\":\"me\",\"type\":\"previous_meetings\",\"from\":\"2026-01-01\","
                      "\"to\":\"2026-01-01\",\"timezone\":\"Europe/Berlin\",\"page_size\":300}"},
    {"list_meetings", "{\"user_id\":\"me\",\"from\":\"2024-02-29\",\"to\":\"2024-03-01\"}"},
    {"add_meeting_registrant", "{\"meeting_id\":85746065432,\"email\":\"r@x.com\","
                               "\"first_name\":\"Rae\"}"},
    {"add_meeting_registrant",
     "{\"meeting_id\":\"857460654\",\"email\":\"r@x.com\",\"first_name\":\"Rae\","
     "\"last_name\":\"L\",\"country\":\"US\",\"occurrence_ids\":\"1648194360000,1648367160000\","
     "\"purchasing_time_frame\":\"\",\"role_in_purchase_process\":\"Evaluator/Recommender\","
     "\"no_of_employees\":\"1,001-5,000\",\"language\":\"Tr-TR\",\"auto_approve\":true,"
     "\"custom_questions\":[{\"title\":\"Why\",\"value\":\"because\"}],\"comments\":\"hi\"}"},
    {"list_meeting_registrants", "{\"meeting_id\":85746065432,\"status\":\"denied\","
                                 "\"occurrence_id\":\"1648194360000\",\"page_size\":300}"},
    {"get_meeting_recordings", "{\"meeting_id\":85746065432}"},
    {"get_meeting_recordings", "{\"meeting_id\":\"/ajXp112QmuoKj4854875==\","
                               "\"include_download_token\":true,\"ttl\":604800}"},
    {"get_meeting_recordings", "{\"meeting_id\":\"atsXxhSEQWit9t+U02HXNQ==\",\"ttl\":0,"
                               "\"include_download_token\":true}"},
    {"list_users", "{\"limit\":1}"},
    {"list_meetings", "{\"user_id\":\"me\",\"limit\":500,\"all\":true}"},
    {"list_meeting_registrants", "{\"meeting_id\":85746065432,\"limit\":3}"},
    {"get_user", "{\"user_id\":\"me\"}"},
    {"get_user", "{\"user_id\":\"Ann@Example.com\",\"login_type\":101,\"encrypted_email\":false}"},
    {"update_user", "{\"user_id\":\"me\",\"first_name\":\"A\"}"},
    {"update_user", "{\"user_id\":\"KDcuGIm1QgePTO8WbOqwIQ\",\"type\":2,\"pmi\":9999999999,"
                    "\"host_key\":\"123456\",\"timezone\":\"Europe/Berlin\",\"display_name\":\"\","
                    "\"about_me\":\"Hello, I run the help desk.\",\"linkedin_url\":"
                    "\"https://www.linkedin.com/in/ann\",\"pronouns_option\":3,"
                    "\"phone_numbers\":[{\"code\":\"+1\",\"country\":\"US\",\"label\":\"Office\","
                    "\"number\":\"5550100\"}],\"feature\":{\"zoom_phone\":false}}"},
    {"delete_user", "{\"user_id\":\"leaver@example.com\"}"},
    {"delete_user", "{\"user_id\":\"leaver@example.com\",\"action\":\"delete\","
                    "\"transfer_email\":\"boss@example.com\",\"transfer_meeting\":true,"
                    "\"transfer_recording\":true,\"transfer_webinar\":false}"},
    {"delete_user", "{\"user_id\":\"me\",\"transfer_meeting\":false}"},
    {"list_user_recordings", "{\"user_id\":\"me\"}"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"from\":\"2024-02-29\",\"to\":\"2026-02-28\","
                             "\"page_size\":300,\"meeting_id\":85746065432,\"mc\":\"true\"}"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"from\":\"2026-01-01\",\"to\":\"2026-01-01\"}"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"from\":\"2026-01-01\"}"},
    {"list_user_recordings",
     "{\"user_id\":\"me\",\"trash\":true,\"trash_type\":\"recording_file\"}"},
    {"list_account_recordings",
     "{\"account_id\":\"me\",\"from\":\"2025-01-15\",\"to\":\"2026-03-10\","
     "\"limit\":10}"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"/users/me\",\"query\":{\"a\":\"b\",\"n\":3,"
                 "\"t\":true}}"},
    {"call_api",
     "{\"method\":\"PATCH\",\"path\":\"/meetings/85746065432\",\"body\":{\"topic\":\"x\"}}"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"/meetings/ab%252F%252Fcd/recordings\"}"},
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

/* ---- invalid inputs: each rule, with the path and rule it must report --- */

static const struct {
    const char *action;
    const char *input;
    const char *path;
    const char *rule;
} invalid[] = {
    /* create_meeting */
    {"create_meeting", "{}", "user_id", "required"},
    {"create_meeting", "{\"user_id\":\"a b\"}", "user_id", "format"},
    {"create_meeting", "{\"user_id\":\"me\",\"topic\":5}", "topic", "type"},
    {"create_meeting", "{\"user_id\":\"me\",\"type\":4}", "type", "enum"},
    {"create_meeting", "{\"user_id\":\"me\",\"type\":\"2\"}", "type", "type"},
    {"create_meeting", "{\"user_id\":\"me\",\"duration\":0}", "duration", "minimum"},
    {"create_meeting", "{\"user_id\":\"me\",\"duration\":1441}", "duration", "maximum"},
    {"create_meeting", "{\"user_id\":\"me\",\"duration\":60.5}", "duration", "type"},
    {"create_meeting", "{\"user_id\":\"me\",\"start_time\":\"2026-05-01 09:00\"}", "start_time",
     "format"},
    {"create_meeting", "{\"user_id\":\"me\",\"start_time\":\"2026-02-30T09:00:00\"}", "start_time",
     "format"},
    {"create_meeting", "{\"user_id\":\"me\",\"start_time\":\"2026-05-01T24:00:00\"}", "start_time",
     "format"},
    {"create_meeting", "{\"user_id\":\"me\",\"start_time\":\"2026-05-01T09:00:00.000Z\"}",
     "start_time", "format"},
    {"create_meeting", "{\"user_id\":\"me\",\"timezone\":\"Mars/Olympus\"}", "timezone", "format"},
    {"create_meeting", "{\"user_id\":\"me\",\"password\":\"12345678901\"}", "password",
     "maxLength"},
    {"create_meeting", "{\"user_id\":\"me\",\"password\":\"ab cd\"}", "password", "format"},
    {"create_meeting", "{\"user_id\":\"me\",\"default_password\":\"no\"}", "default_password",
     "type"},
    {"create_meeting", "{\"user_id\":\"me\",\"schedule_for\":\"x y\"}", "schedule_for", "format"},
    {"create_meeting", "{\"user_id\":\"me\",\"tracking_fields\":[{\"value\":\"1\"}]}",
     "tracking_fields[0].field", "required"},
    {"create_meeting", "{\"user_id\":\"me\",\"recurrence\":{\"type\":1}}", "recurrence",
     "dependency"},
    {"create_meeting", "{\"user_id\":\"me\",\"type\":8}", "recurrence", "required"},
    {"create_meeting", "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{}}", "recurrence.type",
     "required"},
    {"create_meeting", "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":4}}",
     "recurrence.type", "enum"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":1,\"repeat_interval\":0}}",
     "recurrence.repeat_interval", "minimum"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":1,\"repeat_interval\":100}}",
     "recurrence.repeat_interval", "maximum"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":2,\"repeat_interval\":51,\"weekly_"
     "days\":\"1\"}}",
     "recurrence.repeat_interval", "maximum"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":3,\"repeat_interval\":11}}",
     "recurrence.repeat_interval", "maximum"},
    {"create_meeting", "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":2}}",
     "recurrence.weekly_days", "required"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":2,\"weekly_days\":\"1,8\"}}",
     "recurrence.weekly_days", "format"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":2,\"weekly_days\":\"1,1\"}}",
     "recurrence.weekly_days", "format"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":1,\"weekly_days\":\"1\"}}",
     "recurrence.weekly_days", "dependency"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":3,\"monthly_day\":32}}",
     "recurrence.monthly_day", "maximum"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":3,\"monthly_day\":0}}",
     "recurrence.monthly_day", "minimum"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":2,\"weekly_days\":\"1\",\"monthly_"
     "day\":3}}",
     "recurrence.monthly_day", "dependency"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":3,\"monthly_week\":5,\"monthly_week_"
     "day\":1}}",
     "recurrence.monthly_week", "enum"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":3,\"monthly_week\":1,\"monthly_week_"
     "day\":8}}",
     "recurrence.monthly_week_day", "enum"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":3,\"monthly_week\":1}}",
     "recurrence.monthly_week_day", "required"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":3,\"monthly_week_day\":1}}",
     "recurrence.monthly_week", "required"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":3,\"monthly_day\":2,\"monthly_week\":"
     "1,\"monthly_week_day\":1}}",
     "recurrence.monthly_day", "conflict"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":1,\"end_times\":61}}",
     "recurrence.end_times", "maximum"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":1,\"end_times\":-1}}",
     "recurrence.end_times", "minimum"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":1,\"end_times\":3,\"end_date_time\":"
     "\"2026-12-01T00:00:00Z\"}}",
     "recurrence.end_times", "conflict"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":1,\"end_date_time\":\"2026-12-01T00:"
     "00:00\"}}",
     "recurrence.end_date_time", "format"},
    {"create_meeting", "{\"user_id\":\"me\",\"type\":8,\"recurrence\":{\"type\":1,\"every\":2}}",
     "recurrence.every", "unknown"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":{\"jbh_time\":7}}", "settings.jbh_time",
     "enum"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":{\"host_video\":1}}",
     "settings.host_video", "type"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":{\"approval_type\":3}}",
     "settings.approval_type", "enum"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":{\"registration_type\":0}}",
     "settings.registration_type", "enum"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":{\"audio\":\"phone\"}}", "settings.audio",
     "enum"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":{\"auto_recording\":\"yes\"}}",
     "settings.auto_recording", "enum"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":{\"contact_email\":\"nope\"}}",
     "settings.contact_email", "format"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":{\"waiting_room_options\":{}}}",
     "settings.waiting_room_options.mode", "required"},
    {"create_meeting",
     "{\"user_id\":\"me\",\"settings\":{\"meeting_invitees\":[{\"email\":\"x\"}]}}",
     "settings.meeting_invitees[0].email", "format"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":{\"hostvideo\":true}}",
     "settings.hostvideo", "unknown"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":[]}", "settings", "type"},
    {"create_meeting", "{\"user_id\":\"me\",\"colour\":\"red\"}", "colour", "unknown"},
    /* list_users */
    {"list_users", "{\"status\":\"gone\"}", "status", "enum"},
    {"list_users", "{\"page_size\":0}", "page_size", "minimum"},
    {"list_users", "{\"page_size\":2001}", "page_size", "maximum"},
    {"list_users", "{\"role_id\":2}", "role_id", "type"},
    {"list_users", "{\"all\":\"yes\"}", "all", "type"},
    {"list_users", "{\"all\":true,\"next_page_token\":\"t\"}", "next_page_token", "conflict"},
    /* create_user */
    {"create_user", "{\"user_info\":{\"email\":\"a@x.com\",\"type\":1}}", "action", "required"},
    {"create_user", "{\"action\":\"make\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1}}",
     "action", "enum"},
    {"create_user", "{\"action\":\"create\"}", "user_info", "required"},
    {"create_user", "{\"action\":\"create\",\"user_info\":{\"type\":1}}", "user_info.email",
     "required"},
    {"create_user", "{\"action\":\"create\",\"user_info\":{\"email\":\"a@x.com\"}}",
     "user_info.type", "required"},
    {"create_user", "{\"action\":\"create\",\"user_info\":{\"email\":\"a@@x.com\",\"type\":1}}",
     "user_info.email", "format"},
    {"create_user", "{\"action\":\"create\",\"user_info\":{\"email\":\"a@x\",\"type\":1}}",
     "user_info.email", "format"},
    {"create_user", "{\"action\":\"create\",\"user_info\":{\"email\":\"a@x.com\",\"type\":99}}",
     "user_info.type", "enum"},
    {"create_user", "{\"action\":\"create\",\"user_info\":{\"email\":\"a@x.com\",\"type\":3}}",
     "user_info.type", "enum"},
    {"create_user",
     "{\"action\":\"create\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1,\"first_name\":"
     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}",
     "user_info.first_name", "maxLength"},
    {"create_user",
     "{\"action\":\"create\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1,\"last_name\":"
     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}",
     "user_info.last_name", "maxLength"},
    {"create_user",
     "{\"action\":\"autoCreate\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1,\"password\":"
     "\"Ab1\"}}",
     "user_info.password", "minLength"},
    {"create_user",
     "{\"action\":\"autoCreate\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1,\"password\":"
     "\"Ab1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}",
     "user_info.password", "maxLength"},
    {"create_user",
     "{\"action\":\"autoCreate\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1,\"password\":"
     "\"abcdefg1\"}}",
     "user_info.password", "format"},
    {"create_user",
     "{\"action\":\"autoCreate\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1,\"password\":"
     "\"ABCDEFG1\"}}",
     "user_info.password", "format"},
    {"create_user",
     "{\"action\":\"autoCreate\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1,\"password\":"
     "\"Abcdefgh\"}}",
     "user_info.password", "format"},
    {"create_user",
     "{\"action\":\"autoCreate\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1,\"password\":"
     "\"12345678\"}}",
     "user_info.password", "format"},
    {"create_user",
     "{\"action\":\"create\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1,\"password\":"
     "\"Secr3tPw\"}}",
     "user_info.password", "dependency"},
    {"create_user",
     "{\"action\":\"create\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1,\"dept\":\"IT\"}}",
     "user_info.dept", "unknown"},
    /* list_meetings */
    {"list_meetings", "{}", "user_id", "required"},
    {"list_meetings", "{\"user_id\":\"me\",\"type\":\"past\"}", "type", "enum"},
    {"list_meetings", "{\"user_id\":\"me\",\"from\":\"2026-1-01\"}", "from", "format"},
    {"list_meetings", "{\"user_id\":\"me\",\"to\":\"2026-13-01\"}", "to", "format"},
    {"list_meetings", "{\"user_id\":\"me\",\"from\":\"2026-02-01\",\"to\":\"2026-01-31\"}", "to",
     "conflict"},
    {"list_meetings", "{\"user_id\":\"me\",\"timezone\":\"EST\"}", "timezone", "format"},
    {"list_meetings", "{\"user_id\":\"me\",\"page_size\":301}", "page_size", "maximum"},
    {"list_meetings", "{\"user_id\":\"me\",\"page_size\":0}", "page_size", "minimum"},
    {"list_meetings", "{\"user_id\":\"me\",\"all\":true,\"next_page_token\":\"t\"}",
     "next_page_token", "conflict"},
    /* add_meeting_registrant */
    {"add_meeting_registrant", "{\"email\":\"r@x.com\",\"first_name\":\"R\"}", "meeting_id",
     "required"},
    {"add_meeting_registrant",
     "{\"meeting_id\":12345678,\"email\":\"r@x.com\",\"first_name\":\"R\"}", "meeting_id",
     "format"},
    {"add_meeting_registrant",
     "{\"meeting_id\":\"123456789012\",\"email\":\"r@x.com\",\"first_name\":\"R\"}", "meeting_id",
     "format"},
    {"add_meeting_registrant",
     "{\"meeting_id\":\"85746065x\",\"email\":\"r@x.com\",\"first_name\":\"R\"}", "meeting_id",
     "format"},
    {"add_meeting_registrant", "{\"meeting_id\":true,\"email\":\"r@x.com\",\"first_name\":\"R\"}",
     "meeting_id", "type"},
    {"add_meeting_registrant", "{\"meeting_id\":857460654,\"first_name\":\"R\"}", "email",
     "required"},
    {"add_meeting_registrant", "{\"meeting_id\":857460654,\"email\":\"r@x.com\"}", "first_name",
     "required"},
    {"add_meeting_registrant",
     "{\"meeting_id\":857460654,\"email\":\"r x@x.com\",\"first_name\":\"R\"}", "email", "format"},
    {"add_meeting_registrant",
     "{\"meeting_id\":857460654,\"email\":\"r@x.com\",\"first_name\":\"R\",\"country\":\"usa\"}",
     "country", "format"},
    {"add_meeting_registrant",
     "{\"meeting_id\":857460654,\"email\":\"r@x.com\",\"first_name\":\"R\",\"country\":\"us\"}",
     "country", "format"},
    {"add_meeting_registrant",
     "{\"meeting_id\":857460654,\"email\":\"r@x.com\",\"first_name\":\"R\",\"purchasing_time_"
     "frame\":\"soon\"}",
     "purchasing_time_frame", "enum"},
    {"add_meeting_registrant",
     "{\"meeting_id\":857460654,\"email\":\"r@x.com\",\"first_name\":\"R\",\"role_in_purchase_"
     "process\":\"Boss\"}",
     "role_in_purchase_process", "enum"},
    {"add_meeting_registrant",
     "{\"meeting_id\":857460654,\"email\":\"r@x.com\",\"first_name\":\"R\",\"no_of_employees\":\"1-"
     "10\"}",
     "no_of_employees", "enum"},
    {"add_meeting_registrant",
     "{\"meeting_id\":857460654,\"email\":\"r@x.com\",\"first_name\":\"R\",\"language\":\"en-GB\"}",
     "language", "enum"},
    {"add_meeting_registrant",
     "{\"meeting_id\":857460654,\"email\":\"r@x.com\",\"first_name\":\"R\",\"auto_approve\":"
     "\"true\"}",
     "auto_approve", "type"},
    {"add_meeting_registrant",
     "{\"meeting_id\":857460654,\"email\":\"r@x.com\",\"first_name\":\"R\",\"occurrence_ids\":\"1,,"
     "2\"}",
     "occurrence_ids", "format"},
    {"add_meeting_registrant",
     "{\"meeting_id\":857460654,\"email\":\"r@x.com\",\"first_name\":\"R\",\"custom_questions\":[{"
     "\"title\":\"t\",\"value\":"
     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}]}",
     "custom_questions[0].value", "maxLength"},
    {"add_meeting_registrant",
     "{\"meeting_id\":857460654,\"email\":\"r@x.com\",\"first_name\":\"R\",\"custom_questions\":{}"
     "}",
     "custom_questions", "type"},
    /* list_meeting_registrants */
    {"list_meeting_registrants", "{}", "meeting_id", "required"},
    {"list_meeting_registrants", "{\"meeting_id\":857460654,\"status\":\"all\"}", "status", "enum"},
    {"list_meeting_registrants", "{\"meeting_id\":857460654,\"occurrence_id\":\"x\"}",
     "occurrence_id", "format"},
    {"list_meeting_registrants", "{\"meeting_id\":857460654,\"page_size\":301}", "page_size",
     "maximum"},
    {"list_meeting_registrants",
     "{\"meeting_id\":857460654,\"all\":true,\"next_page_token\":\"t\"}", "next_page_token",
     "conflict"},
    /* get_meeting_recordings */
    {"get_meeting_recordings", "{}", "meeting_id", "required"},
    {"get_meeting_recordings", "{\"meeting_id\":\"not a uuid!\"}", "meeting_id", "format"},
    {"get_meeting_recordings", "{\"meeting_id\":\"short==\"}", "meeting_id", "format"},
    {"get_meeting_recordings",
     "{\"meeting_id\":857460654,\"include_download_token\":true,\"ttl\":-1}", "ttl", "minimum"},
    {"get_meeting_recordings",
     "{\"meeting_id\":857460654,\"include_download_token\":true,\"ttl\":604801}", "ttl", "maximum"},
    {"get_meeting_recordings", "{\"meeting_id\":857460654,\"ttl\":60}", "ttl", "dependency"},
    /* limit, on every list */
    {"list_users", "{\"limit\":0}", "limit", "minimum"},
    {"list_users", "{\"limit\":\"5\"}", "limit", "type"},
    {"list_meetings", "{\"user_id\":\"me\",\"limit\":2,\"next_page_token\":\"t\"}",
     "next_page_token", "conflict"},
    {"list_meeting_registrants", "{\"meeting_id\":857460654,\"limit\":-1}", "limit", "minimum"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"limit\":0}", "limit", "minimum"},
    {"list_account_recordings", "{\"account_id\":\"me\",\"limit\":0}", "limit", "minimum"},
    /* get_user, update_user, delete_user */
    {"get_user", "{}", "user_id", "required"},
    {"get_user", "{\"user_id\":\"a b\"}", "user_id", "format"},
    {"get_user", "{\"user_id\":\"me\",\"login_type\":2}", "login_type", "enum"},
    {"get_user", "{\"user_id\":\"me\",\"encrypted_email\":\"yes\"}", "encrypted_email", "type"},
    {"update_user", "{\"user_id\":\"me\"}", "", "required"},
    {"update_user", "{\"user_id\":\"me\",\"login_type\":101}", "", "required"},
    {"update_user", "{\"first_name\":\"A\"}", "user_id", "required"},
    {"update_user", "{\"user_id\":\"me\",\"type\":99}", "type", "enum"},
    {"update_user", "{\"user_id\":\"me\",\"pmi\":123456789}", "pmi", "minimum"},
    {"update_user", "{\"user_id\":\"me\",\"pmi\":10000000000}", "pmi", "maximum"},
    {"update_user", "{\"user_id\":\"me\",\"host_key\":\"12345\"}", "host_key", "minLength"},
    {"update_user", "{\"user_id\":\"me\",\"host_key\":\"12345a\"}", "host_key", "format"},
    {"update_user", "{\"user_id\":\"me\",\"about_me\":\"see https://x.example\"}", "about_me",
     "format"},
    {"update_user", "{\"user_id\":\"me\",\"about_me\":\"<b>hi</b>\"}", "about_me", "format"},
    {"update_user", "{\"user_id\":\"me\",\"linkedin_url\":\"https://example.com/ann\"}",
     "linkedin_url", "format"},
    {"update_user", "{\"user_id\":\"me\",\"timezone\":\"Mars/Olympus\"}", "timezone", "format"},
    {"update_user", "{\"user_id\":\"me\",\"phone_numbers\":[{},{},{},{}]}", "phone_numbers",
     "maxItems"},
    {"update_user", "{\"user_id\":\"me\",\"phone_numbers\":[{\"label\":\"Pager\"}]}",
     "phone_numbers[0].label", "enum"},
    {"update_user", "{\"user_id\":\"me\",\"first_name\":\"A\",\"email\":\"new@x.com\"}", "email",
     "unknown"},
    {"delete_user", "{}", "user_id", "required"},
    {"delete_user", "{\"user_id\":\"x@y.com\",\"action\":\"remove\"}", "action", "enum"},
    {"delete_user", "{\"user_id\":\"x@y.com\",\"transfer_recording\":true}", "transfer_recording",
     "dependency"},
    {"delete_user", "{\"user_id\":\"x@y.com\",\"transfer_email\":\"X@Y.com\"}", "transfer_email",
     "conflict"},
    {"delete_user", "{\"user_id\":\"x@y.com\",\"transfer_email\":\"not an email\"}",
     "transfer_email", "format"},
    {"delete_user", "{\"user_id\":\"x@y.com\",\"transfer_meeting\":\"true\"}", "transfer_meeting",
     "type"},
    /* the recordings lists */
    {"list_user_recordings", "{}", "user_id", "required"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"from\":\"2026-02-30\"}", "from", "format"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"from\":\"2026-1-01\"}", "from", "format"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"from\":\"2026-03-02\",\"to\":\"2026-03-01\"}",
     "to", "conflict"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"to\":\"2026-03-01\"}", "to", "dependency"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"trash\":true,\"from\":\"2026-03-01\"}", "from",
     "conflict"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"trash_type\":\"recording_file\"}", "trash_type",
     "dependency"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"trash\":true,\"trash_type\":\"files\"}",
     "trash_type", "enum"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"mc\":\"yes\"}", "mc", "enum"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"page_size\":301}", "page_size", "maximum"},
    {"list_user_recordings", "{\"user_id\":\"me\",\"all\":true}", "all", "unknown"},
    {"list_account_recordings", "{}", "account_id", "required"},
    {"list_account_recordings", "{\"account_id\":\"\"}", "account_id", "minLength"},
    {"list_account_recordings",
     "{\"account_id\":\"me\",\"from\":\"2026-03-02\",\"to\":\"2026-03-01\"}", "to", "conflict"},
    /* call_api */
    {"call_api", "{\"path\":\"/users\"}", "method", "required"},
    {"call_api", "{\"method\":\"GET\"}", "path", "required"},
    {"call_api", "{\"method\":\"HEAD\",\"path\":\"/users\"}", "method", "enum"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"https://evil.example/v2/users\"}", "path",
     "format"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"//evil.example/users\"}", "path", "format"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"/users/../../oauth/token\"}", "path", "format"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"/users/%2e%2E/x\"}", "path", "format"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"/users\\r\\nHost: x\"}", "path", "format"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"/users?page_size=3\"}", "path", "format"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"/v2/users\"}", "path", "format"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"/users\",\"query\":{\"a\":[1]}}", "query.a",
     "type"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"/users\",\"body\":{}}", "body", "dependency"},
    {"call_api", "{\"method\":\"GET\",\"path\":\"/users\",\"verb\":\"x\"}", "verb", "unknown"},
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

typedef struct char_case {
    const char *action, *input, *path;
    const char *message; /* NULL: accepted */
} char_case;

/* Control and bidi characters in names used to pass to Zoom, which shows
 * them to other people; only multi-line prose takes TAB/LF/CR. */
static const char_case CHAR_CASES[] = {
    {"create_user",
     "{\"action\":\"create\",\"user_info\":{\"email\":\"n@x.com\",\"type\":1,"
     "\"first_name\":\"Ann\\u202Egpj.exe\"}}",
     "user_info.first_name",
     "contains U+202E (RIGHT-TO-LEFT OVERRIDE, a bidi control) at character 4; control and "
     "bidirectional-formatting characters change how the text displays: remove it"},
    {"create_user",
     "{\"action\":\"create\",\"user_info\":{\"email\":\"n@x.com\",\"type\":1,"
     "\"last_name\":\"L\\u0085e\"}}",
     "user_info.last_name",
     "contains U+0085 (a control character) at character 2; control and "
     "bidirectional-formatting characters change how the text displays: remove it"},
    {"create_user",
     "{\"action\":\"create\",\"user_info\":{\"email\":\"n@x.com\",\"type\":1,"
     "\"display_name\":\"\\u00e9\\u2066x\\u2069\"}}",
     "user_info.display_name",
     "contains U+2066 (LEFT-TO-RIGHT ISOLATE, a bidi control) at character 2; control and "
     "bidirectional-formatting characters change how the text displays: remove it"},
    {"create_meeting", "{\"user_id\":\"me\",\"topic\":\"Stand\\nup\"}", "topic",
     "contains U+000A (a control character) at character 6; this field is one line: remove "
     "the line break"},
    {"create_meeting", "{\"user_id\":\"me\",\"topic\":\"a\\tb\"}", "topic",
     "contains U+0009 (a control character) at character 2; control and "
     "bidirectional-formatting characters change how the text displays: remove it"},
    {"create_meeting", "{\"user_id\":\"me\",\"topic\":\"a\\u2028b\"}", "topic",
     "contains U+2028 (LINE SEPARATOR) at character 2; this field is one line: remove the "
     "line break"},
    {"create_meeting", "{\"user_id\":\"me\",\"agenda\":\"1.\\tIntro\\r\\n2. Q&A\"}", "agenda",
     NULL},
    {"create_meeting", "{\"user_id\":\"me\",\"agenda\":\"x\\n\\u200Fy\"}", "agenda",
     "contains U+200F (RIGHT-TO-LEFT MARK, a bidi control) at character 3; control and "
     "bidirectional-formatting characters change how the text displays: remove it"},
    {"create_meeting", "{\"user_id\":\"me\",\"agenda\":\"x\\u001b[31m\"}", "agenda",
     "contains U+001B (a control character) at character 2; control and "
     "bidirectional-formatting characters change how the text displays: remove it"},
    {"create_meeting", "{\"user_id\":\"me\",\"settings\":{\"contact_name\":\"A\\u202Dn\"}}",
     "settings.contact_name",
     "contains U+202D (LEFT-TO-RIGHT OVERRIDE, a bidi control) at character 2; control and "
     "bidirectional-formatting characters change how the text displays: remove it"},
    {"create_meeting", "{\"user_id\":\"me\",\"password\":\"ab\\u007fc\"}", "password",
     "no spaces (fault at character 3)"},
    {"add_meeting_registrant",
     "{\"meeting_id\":85746065432,\"email\":\"r@x.com\","
     "\"first_name\":\"R\",\"custom_questions\":[{\"title\":\"Why\","
     "\"value\":\"\\u061Cb\"}]}",
     "custom_questions[0].value",
     "contains U+061C (ARABIC LETTER MARK, a bidi control) at character 1; control and "
     "bidirectional-formatting characters change how the text displays: remove it"},
    {"add_meeting_registrant",
     "{\"meeting_id\":85746065432,\"email\":\"r@x.com\","
     "\"first_name\":\"R\",\"comments\":\"line 1\\nline 2\"}",
     "comments", NULL},
    /* letters of every script, emoji with joiners: fine */
    {"create_user",
     "{\"action\":\"create\",\"user_info\":{\"email\":\"n@x.com\",\"type\":1,"
     "\"first_name\":\"\\u05e9\\u05e8\\u05d4\",\"last_name\":\"\\u674e\","
     "\"display_name\":\"\\ud83d\\udc69\\u200d\\ud83d\\udcbb Zo\\u00eb\"}}",
     "user_info.first_name", NULL},
};

static void test_control_and_bidi_characters_refused(void **state)
{
    for (size_t i = 0; i < sizeof CHAR_CASES / sizeof CHAR_CASES[0]; i++) {
        const char_case *c = &CHAR_CASES[i];
        zf_problems p = ZF_PROBLEMS_INIT;
        int rc = validate(&p, c->action, c->input);
        if (!c->message) {
            if (rc != 0) {
                fprintf(stderr, "char case %zu refused:\n", i);
                dump(&p);
            }
            assert_int_equal(rc, 0);
            continue;
        }
        assert_int_equal(rc, ZF_EVALIDATION);
        if (p.count != 1 || strcmp(p.items[0].path, c->path) != 0 ||
            !strstr(p.items[0].message, c->message)) {
            fprintf(stderr, "char case %zu: want %s: %s\n", i, c->path, c->message);
            dump(&p);
            fail();
        }
        zf_problems_free(&p);
    }
}

/* Strings built by code (not parsed) may be any bytes. */
static void test_invalid_utf8_refused(void **state)
{
    const zf_action *a = zf_action_find("create_meeting");
    json_t *in = json_pack("{s:s}", "user_id", "me");
    json_object_set_new(in, "topic", json_stringn_nocheck("ab\xc3(x", 5));
    zf_problems p = ZF_PROBLEMS_INIT;
    assert_int_equal(zf_action_validate(&p, a, in), ZF_EVALIDATION);
    assert_int_equal(p.count, 1);
    assert_string_equal(p.items[0].path, "topic");
    assert_string_equal(p.items[0].rule, "characters");
    assert_non_null(strstr(p.items[0].message, "is not valid UTF-8 at character 3 (byte 3)"));
    assert_int_equal(p.items[0].pos, 2);
    assert_string_equal(p.items[0].value, "\"[not valid UTF-8]\"");
    zf_problems_free(&p);
    json_decref(in);
    /* the value echoed in a problem cannot reorder the terminal line */
    assert_int_equal(
        validate(&p, "create_meeting", "{\"user_id\":\"me\",\"topic\":\"caf\u00e9 \u202Eabc\"}"),
        ZF_EVALIDATION);
    assert_string_equal(p.items[0].value, "\"caf\\u00E9 \\u202Eabc\"");
    assert_int_equal(p.items[0].pos, 5);
    zf_problems_free(&p);
}

static void test_all_problems_at_once(void **state)
{
    zf_problems p = ZF_PROBLEMS_INIT;
    int rc =
        validate(&p, "create_meeting",
                 "{\"topic\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
                 "\"duration\":0,\"type\":8,\"settings\":{\"jbh_time\":3,\"bogus\":1},"
                 "\"recurrence\":{\"type\":2,\"weekly_days\":\"9\"}}");
    assert_int_equal(rc, ZF_EVALIDATION);
    assert_non_null(find_problem(&p, "user_id", "required"));
    assert_non_null(find_problem(&p, "topic", "maxLength"));
    assert_non_null(find_problem(&p, "duration", "minimum"));
    assert_non_null(find_problem(&p, "settings.jbh_time", "enum"));
    assert_non_null(find_problem(&p, "settings.bogus", "unknown"));
    assert_non_null(find_problem(&p, "recurrence.weekly_days", "format"));
    assert_int_equal(p.count, 6);

    const zf_problem *w = find_problem(&p, "recurrence.weekly_days", "format");
    assert_string_equal(w->value, "\"9\"");
    assert_int_equal(w->pos, 0);
    const zf_problem *u = find_problem(&p, "settings.bogus", "unknown");
    assert_non_null(strstr(u->message, "known fields: host_video, participant_video"));
    assert_non_null(strstr(u->message, "jbh_time"));

    json_t *arr;
    assert_int_equal(zf_problems_json(&arr, &p), 0);
    assert_int_equal(json_array_size(arr), 6);
    json_t *first = json_array_get(arr, 0);
    assert_non_null(json_object_get(first, "field"));
    assert_non_null(json_object_get(first, "rule"));
    assert_non_null(json_object_get(first, "message"));
    json_decref(arr);

    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_problems_to_error(&err, &p), ZF_EVALIDATION);
    assert_non_null(strstr(err.message, "6 problems"));
    assert_non_null(strstr(err.message, "user_id"));
    assert_true(strlen(err.hint) > 0);
    zf_problems_free(&p);
}

static void test_problems_are_capped(void **state)
{
    zf_buf b = ZF_BUF_INIT(1 << 20);
    zf_buf_puts(&b, "{\"user_id\":\"me\",\"settings\":{");
    for (int i = 0; i < 200; i++)
        zf_buf_appendf(&b, "%s\"k%d\":1", i ? "," : "", i);
    zf_buf_puts(&b, "}}");
    zf_problems p = ZF_PROBLEMS_INIT;
    assert_int_equal(validate(&p, "create_meeting", b.ptr), ZF_EVALIDATION);
    assert_int_equal(p.count, ZF_PROBLEMS_MAX);
    assert_true(p.truncated);
    zf_error err = ZF_ERROR_INIT;
    zf_problems_to_error(&err, &p);
    assert_non_null(strstr(err.message, "more not shown"));
    zf_problems_free(&p);
    zf_buf_free(&b);
}

/* Found by fuzz_action_input: a value one byte past the shown limit made
 * the "..." marker write past the end of the text. */
static void test_long_values_are_cut(void **state)
{
    for (int len = 75; len <= 90; len++) {
        char input[256];
        snprintf(input, sizeof input, "{\"user_id\":\"%.*s\"}", len,
                 "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
                 "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        zf_problems p = ZF_PROBLEMS_INIT;
        assert_int_equal(validate(&p, "list_meetings", input), ZF_EVALIDATION);
        const zf_problem *q = find_problem(&p, "user_id", "format");
        assert_non_null(q);
        assert_true(strlen(q->value) <= 80);
        if (len + 2 > 80)
            assert_non_null(strstr(q->value, "..."));
        else
            assert_null(strstr(q->value, "..."));
        zf_problems_free(&p);
    }
}

static void test_input_must_be_object(void **state)
{
    zf_problems p = ZF_PROBLEMS_INIT;
    assert_int_equal(validate(&p, "list_users", "[1]"), ZF_EVALIDATION);
    assert_int_equal(p.count, 1);
    assert_string_equal(p.items[0].rule, "type");
    zf_problems_free(&p);
}

static void test_secret_values_not_echoed(void **state)
{
    zf_problems p = ZF_PROBLEMS_INIT;
    validate(&p, "create_user",
             "{\"action\":\"autoCreate\",\"user_info\":{\"email\":\"a@x.com\",\"type\":1,"
             "\"password\":\"abcdefg1\"}}");
    const zf_problem *q = find_problem(&p, "user_info.password", "format");
    assert_non_null(q);
    assert_null(strstr(q->value, "abcdefg1"));
    assert_string_equal(q->value, "\"[redacted]\"");
    zf_problems_free(&p);
    validate(&p, "create_meeting", "{\"user_id\":\"me\",\"password\":\"sec ret\"}");
    q = find_problem(&p, "password", "format");
    assert_non_null(q);
    assert_null(strstr(q->value, "sec ret"));
    zf_problems_free(&p);
}

static void test_z_with_timezone_refused_with_explanation(void **state)
{
    zf_problems p = ZF_PROBLEMS_INIT;
    int rc = validate(&p, "create_meeting",
                      "{\"user_id\":\"me\",\"start_time\":\"2026-05-01T09:00:00Z\","
                      "\"timezone\":\"America/New_York\"}");
    assert_int_equal(rc, ZF_EVALIDATION);
    assert_int_equal(p.count, 1);
    const zf_problem *q = find_problem(&p, "start_time", "conflict");
    assert_non_null(q);
    assert_string_equal(q->message,
                        "start_time \"2026-05-01T09:00:00Z\" carries its own zone (Z or an offset) "
                        "and timezone \"America/New_York\" is also set: Zoom would silently ignore "
                        "the timezone. Give local time without Z plus timezone (e.g. "
                        "\"2026-05-01T09:00:00\" with \"America/New_York\"), or UTC with Z and no "
                        "timezone");
    zf_problems_free(&p);
    rc = validate(&p, "create_meeting",
                  "{\"user_id\":\"me\",\"start_time\":\"2026-05-01T09:00:00-04:00\","
                  "\"timezone\":\"America/New_York\"}");
    assert_int_equal(rc, ZF_EVALIDATION);
    assert_non_null(find_problem(&p, "start_time", "conflict"));
    zf_problems_free(&p);
}

/* ---- request building ---------------------------------------------------- */

static void build_ok(zf_action_request *req, const char *action, const char *input)
{
    json_t *in = parse(input);
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_action_build(req, zf_action_find(action), in, &err);
    if (rc != 0)
        fprintf(stderr, "build %s: %s\n", action, err.message);
    assert_int_equal(rc, 0);
    json_decref(in);
}

static void test_build_create_meeting(void **state)
{
    zf_action_request req;
    build_ok(&req, "create_meeting",
             "{\"user_id\":\"ann+ops@example.com\",\"topic\":\"Day 1\",\"type\":2,"
             "\"settings\":{\"approval_type\":0}}");
    assert_string_equal(req.method, "POST");
    assert_string_equal(req.path, "/users/ann%2Bops%40example.com/meetings");
    assert_int_equal(req.kind, ZF_ACTION_CREATE);
    assert_int_equal(req.nquery, 0);
    json_t *body = parse(req.body);
    json_t *want = parse("{\"topic\":\"Day 1\",\"type\":2,\"settings\":{\"approval_type\":0}}");
    assert_true(json_equal(body, want));
    assert_null(json_object_get(body, "user_id"));
    json_decref(body);
    json_decref(want);
    zf_action_request_free(&req);
}

static void test_build_refuses_invalid_input(void **state)
{
    zf_action_request req;
    json_t *in = parse("{\"user_id\":\"me\",\"duration\":0,\"type\":4}");
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_action_build(&req, zf_action_find("create_meeting"), in, &err),
                     ZF_EVALIDATION);
    assert_null(req.path);
    assert_null(req.body);
    assert_non_null(strstr(err.message, "2 problems"));
    assert_non_null(strstr(err.message, "duration"));
    assert_non_null(strstr(err.message, "type"));
    json_decref(in);
}

static void test_build_list_users_query(void **state)
{
    zf_action_request req;
    build_ok(&req, "list_users", "{\"status\":\"inactive\",\"page_size\":300,\"all\":true}");
    assert_string_equal(req.method, "GET");
    assert_string_equal(req.path, "/users");
    assert_int_equal(req.kind, ZF_ACTION_READ);
    assert_string_equal(zf_action_request_query(&req, "status"), "inactive");
    assert_string_equal(zf_action_request_query(&req, "page_size"), "300");
    assert_null(zf_action_request_query(&req, "all"));
    assert_int_equal(req.follow_pages, 1);
    assert_null(req.body);
    zf_action_request_free(&req);
    build_ok(&req, "list_users", "{}");
    assert_int_equal(req.follow_pages, 0);
    assert_int_equal(req.nquery, 0);
    zf_action_request_free(&req);
}

/* ---- limit, month windows ------------------------------------------------ */

static void test_every_list_has_limit(void **state)
{
    int lists = 0;
    for (const zf_action *const *a = zf_actions(); *a; a++) {
        if (!(*a)->items_key)
            continue;
        lists++;
        const zf_field *f = zf_action_flag_field(*a, "limit");
        if (!f)
            fail_msg("list action %s has no `limit` field (add ZF_FIELD_LIMIT)", (*a)->name);
        assert_int_equal(f->in, ZF_IN_LOCAL);
        zf_action_request req;
        zf_error err = ZF_ERROR_INIT;
        /* the required path field of each list, where it has one */
        json_t *in = json_pack("{s:i}", "limit", 7);
        if (zf_action_flag_field(*a, "user_id"))
            json_object_set_new(in, "user_id", json_string("me"));
        if (zf_action_flag_field(*a, "account_id"))
            json_object_set_new(in, "account_id", json_string("me"));
        if (zf_action_flag_field(*a, "meeting_id") &&
            (zf_action_flag_field(*a, "meeting_id")->flags & ZF_F_REQUIRED))
            json_object_set_new(in, "meeting_id", json_integer(85746065432));
        assert_int_equal(zf_action_build(&req, *a, in, &err), 0);
        assert_int_equal(req.limit, 7);
        assert_int_equal(req.follow_pages, 1);
        assert_null(zf_action_request_query(&req, "limit"));
        assert_int_equal(zf_action_follows_pages(*a, in), 1);
        zf_action_request_free(&req);
        json_decref(in);
    }
    assert_true(lists >= 5);
    json_t *in = json_pack("{}");
    assert_int_equal(zf_action_follows_pages(zf_action_find("list_users"), in), 0);
    assert_int_equal(zf_action_follows_pages(zf_action_find("create_user"), in), 0);
    json_object_set_new(in, "limit", json_integer(0)); /* invalid: no */
    assert_int_equal(zf_action_follows_pages(zf_action_find("list_users"), in), 0);
    json_decref(in);
}

/* Walks [first, last] and checks every window is a calendar month's part,
 * the next starting the day after the last ended. Returns the count. */
static int walk_months(const char *first, const char *last, char windows[][2][11], int max)
{
    char from[11] = "", to[11] = "";
    int n = 0, rc;
    while ((rc = zf_action_next_month(from, to, first, last)) == 1) {
        assert_true(n < max);
        memcpy(windows[n][0], from, 11);
        memcpy(windows[n][1], to, 11);
        assert_true(strcmp(from, to) <= 0);
        assert_memory_equal(from, to, 8); /* same year and month */
        n++;
    }
    assert_int_equal(rc, 0);
    return n;
}

static void test_next_month_windows(void **state)
{
    char w[64][2][11];
    /* 14 months and a bit: 15 windows, no gap, no overlap */
    int n = walk_months("2025-01-15", "2026-03-10", w, 64);
    assert_int_equal(n, 15);
    assert_string_equal(w[0][0], "2025-01-15");
    assert_string_equal(w[0][1], "2025-01-31");
    assert_string_equal(w[1][0], "2025-02-01");
    assert_string_equal(w[1][1], "2025-02-28");
    assert_string_equal(w[11][0], "2025-12-01");
    assert_string_equal(w[11][1], "2025-12-31");
    assert_string_equal(w[12][0], "2026-01-01");
    assert_string_equal(w[14][0], "2026-03-01");
    assert_string_equal(w[14][1], "2026-03-10");
    /* leap years: 2024 and 2000 have 29 February, 1900 and 2100 do not */
    assert_int_equal(walk_months("2024-02-10", "2024-03-01", w, 64), 2);
    assert_string_equal(w[0][1], "2024-02-29");
    assert_string_equal(w[1][0], "2024-03-01");
    walk_months("2000-02-01", "2000-02-29", w, 64);
    assert_string_equal(w[0][1], "2000-02-29");
    walk_months("2100-02-01", "2100-03-31", w, 64);
    assert_string_equal(w[0][1], "2100-02-28");
    /* one day; a range inside one month; first after last */
    assert_int_equal(walk_months("2026-05-31", "2026-05-31", w, 64), 1);
    assert_string_equal(w[0][0], "2026-05-31");
    assert_string_equal(w[0][1], "2026-05-31");
    assert_int_equal(walk_months("2026-05-02", "2026-05-30", w, 64), 1);
    assert_int_equal(walk_months("2026-05-02", "2026-05-01", w, 64), 0);
    /* the end of the calendar */
    assert_int_equal(walk_months("9999-12-01", "9999-12-31", w, 64), 1);
    char from[11] = "", to[11] = "";
    assert_int_equal(zf_action_next_month(from, to, "2026-13-01", "2026-12-31"), ZF_EINVAL);
    assert_int_equal(zf_action_next_month(from, to, "2026-01-01", "tomorrow"), ZF_EINVAL);
    assert_int_equal(zf_action_next_month(from, to, NULL, "2026-01-01"), ZF_EINVAL);
}

static void test_build_recordings_months(void **state)
{
    zf_action_request req;
    build_ok(&req, "list_user_recordings",
             "{\"user_id\":\"ann@example.com\",\"from\":\"2025-01-15\",\"to\":\"2026-03-10\","
             "\"page_size\":300,\"meeting_id\":85746065432,\"limit\":40}");
    assert_string_equal(req.path, "/users/ann%40example.com/recordings");
    assert_string_equal(zf_action_request_query(&req, "from"), "2025-01-15");
    assert_string_equal(zf_action_request_query(&req, "to"), "2025-01-31"); /* first month */
    assert_string_equal(zf_action_request_query(&req, "meeting_id"), "85746065432");
    assert_string_equal(req.month_from, "2025-01-15");
    assert_string_equal(req.month_to, "2026-03-10");
    assert_int_equal(req.follow_pages, 1);
    assert_int_equal(req.limit, 40);
    zf_action_request_free(&req);
    /* from alone: up to today, which the runner knows */
    build_ok(&req, "list_account_recordings", "{\"account_id\":\"me\",\"from\":\"2026-02-10\"}");
    assert_string_equal(req.path, "/accounts/me/recordings");
    assert_string_equal(zf_action_request_query(&req, "to"), "2026-02-28");
    assert_string_equal(req.month_from, "2026-02-10");
    assert_string_equal(req.month_to, "");
    zf_action_request_free(&req);
    /* no dates: Zoom's default day, still every page */
    build_ok(&req, "list_user_recordings", "{\"user_id\":\"me\",\"trash\":true}");
    assert_string_equal(req.month_from, "");
    assert_null(zf_action_request_query(&req, "from"));
    assert_string_equal(zf_action_request_query(&req, "trash"), "true");
    assert_int_equal(req.follow_pages, 1);
    zf_action_request_free(&req);
}

/* The problems of an offboarding call and a range, all at once. */
static void test_users_and_recordings_problems_at_once(void **state)
{
    zf_problems p = ZF_PROBLEMS_INIT;
    assert_int_equal(validate(&p, "delete_user",
                              "{\"user_id\":\"x@y.com\",\"action\":\"purge\",\"transfer_meeting\""
                              ":true,\"transfer_recording\":true,\"transfer_docs\":1}"),
                     ZF_EVALIDATION);
    assert_int_equal(p.count, 4);
    assert_non_null(find_problem(&p, "action", "enum"));
    assert_non_null(find_problem(&p, "transfer_meeting", "dependency"));
    assert_non_null(find_problem(&p, "transfer_recording", "dependency"));
    assert_non_null(find_problem(&p, "transfer_docs", "type"));
    zf_problems_free(&p);
    assert_int_equal(validate(&p, "list_user_recordings",
                              "{\"user_id\":\"me\",\"from\":\"2026-04-31\",\"to\":\"2026-13-01\","
                              "\"trash\":true,\"limit\":0}"),
                     ZF_EVALIDATION);
    assert_non_null(find_problem(&p, "from", "format"));
    assert_non_null(find_problem(&p, "to", "format"));
    assert_non_null(find_problem(&p, "from", "conflict"));
    assert_non_null(find_problem(&p, "to", "conflict"));
    assert_non_null(find_problem(&p, "limit", "minimum"));
    assert_int_equal(p.count, 5);
    zf_problems_free(&p);
}

static void test_build_user_writes(void **state)
{
    zf_action_request req;
    build_ok(&req, "update_user",
             "{\"user_id\":\"ann@example.com\",\"login_type\":100,\"first_name\":\"Ann\","
             "\"pmi\":3542471135,\"feature\":{\"zoom_phone\":true}}");
    assert_string_equal(req.method, "PATCH");
    assert_int_equal(req.kind, ZF_ACTION_WRITE);
    assert_string_equal(req.path, "/users/ann%40example.com");
    assert_string_equal(zf_action_request_query(&req, "login_type"), "100");
    assert_string_equal(req.body, "{\"first_name\":\"Ann\",\"pmi\":3542471135,"
                                  "\"feature\":{\"zoom_phone\":true}}");
    zf_action_request_free(&req);
    build_ok(&req, "delete_user", "{\"user_id\":\"me\"}");
    assert_string_equal(req.method, "DELETE");
    assert_string_equal(req.path, "/users/me");
    assert_int_equal(req.nquery, 0); /* Zoom's default action: disassociate */
    assert_null(req.body);
    zf_action_request_free(&req);
    build_ok(&req, "get_user", "{\"user_id\":\"me\",\"login_type\":0,\"encrypted_email\":true}");
    assert_string_equal(req.method, "GET");
    assert_string_equal(zf_action_request_query(&req, "login_type"), "0");
    assert_string_equal(zf_action_request_query(&req, "encrypted_email"), "true");
    zf_action_request_free(&req);
}

static void test_build_list_meetings(void **state)
{
    zf_action_request req;
    build_ok(&req, "list_meetings",
             "{\"user_id\":\"me\",\"type\":\"upcoming\",\"from\":\"2026-01-01\","
             "\"to\":\"2026-02-01\",\"timezone\":\"Asia/Tokyo\",\"next_page_token\":\"T k\"}");
    assert_string_equal(req.path, "/users/me/meetings");
    assert_string_equal(zf_action_request_query(&req, "type"), "upcoming");
    assert_string_equal(zf_action_request_query(&req, "from"), "2026-01-01");
    assert_string_equal(zf_action_request_query(&req, "to"), "2026-02-01");
    assert_string_equal(zf_action_request_query(&req, "timezone"), "Asia/Tokyo");
    assert_string_equal(zf_action_request_query(&req, "next_page_token"), "T k");
    zf_action_request_free(&req);
}

static void test_build_registrants(void **state)
{
    zf_action_request req;
    build_ok(&req, "add_meeting_registrant",
             "{\"meeting_id\":85746065432,\"email\":\"r@x.com\",\"first_name\":\"Rae\","
             "\"occurrence_ids\":\"1648194360000\"}");
    assert_string_equal(req.method, "POST");
    assert_string_equal(req.path, "/meetings/85746065432/registrants");
    assert_string_equal(zf_action_request_query(&req, "occurrence_ids"), "1648194360000");
    json_t *body = parse(req.body);
    assert_null(json_object_get(body, "meeting_id"));
    assert_null(json_object_get(body, "occurrence_ids"));
    assert_string_equal(json_string_value(json_object_get(body, "email")), "r@x.com");
    json_decref(body);
    zf_action_request_free(&req);

    build_ok(&req, "list_meeting_registrants",
             "{\"meeting_id\":\"85746065432\",\"status\":\"pending\"}");
    assert_string_equal(req.path, "/meetings/85746065432/registrants");
    assert_string_equal(zf_action_request_query(&req, "status"), "pending");
    zf_action_request_free(&req);
}

static void test_build_recordings_encoding(void **state)
{
    static const struct {
        const char *id, *path;
    } cases[] = {
        /* plain UUID: once */
        {"\"atsXxhSEQWit9t+U02HXNQ==\"", "/meetings/atsXxhSEQWit9t%2BU02HXNQ%3D%3D/recordings"},
        /* one '/' inside: once */
        {"\"ab/cdXxhSEQWit9t+U02==\"", "/meetings/ab%2FcdXxhSEQWit9t%2BU02%3D%3D/recordings"},
        /* starts with '/': twice */
        {"\"/ajXp112QmuoKj4854875==\"", "/meetings/%252FajXp112QmuoKj4854875%253D%253D/recordings"},
        /* contains "//": twice */
        {"\"ajXp11//QmuoKj4854875==\"",
         "/meetings/ajXp11%252F%252FQmuoKj4854875%253D%253D/recordings"},
        /* numeric id, integer or string */
        {"85746065432", "/meetings/85746065432/recordings"},
        {"\"85746065432\"", "/meetings/85746065432/recordings"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char input[256];
        snprintf(input, sizeof input, "{\"meeting_id\":%s}", cases[i].id);
        zf_action_request req;
        build_ok(&req, "get_meeting_recordings", input);
        assert_string_equal(req.path, cases[i].path);
        assert_null(zf_action_request_query(&req, "include_fields"));
        zf_action_request_free(&req);
    }
    zf_action_request req;
    build_ok(&req, "get_meeting_recordings",
             "{\"meeting_id\":85746065432,\"include_download_token\":true,\"ttl\":3600}");
    assert_string_equal(zf_action_request_query(&req, "include_fields"), "download_access_token");
    assert_string_equal(zf_action_request_query(&req, "ttl"), "3600");
    assert_null(zf_action_request_query(&req, "include_download_token"));
    zf_action_request_free(&req);
}

static void test_build_create_user(void **state)
{
    zf_action_request req;
    build_ok(&req, "create_user",
             "{\"action\":\"create\",\"user_info\":{\"email\":\"n@x.com\",\"type\":1}}");
    assert_string_equal(req.path, "/users");
    json_t *body = parse(req.body);
    json_t *want =
        parse("{\"action\":\"create\",\"user_info\":{\"email\":\"n@x.com\",\"type\":1}}");
    assert_true(json_equal(body, want));
    json_decref(body);
    json_decref(want);
    zf_action_request_free(&req);
}

static void test_build_call_api(void **state)
{
    zf_action_request req;
    build_ok(&req, "call_api",
             "{\"method\":\"PATCH\",\"path\":\"/meetings/85746065432\","
             "\"query\":{\"occurrence_id\":\"1\",\"n\":2,\"b\":false},\"body\":{\"topic\":\"x\"}}");
    assert_string_equal(req.method, "PATCH");
    assert_string_equal(req.path, "/meetings/85746065432");
    assert_int_equal(req.kind, ZF_ACTION_WRITE);
    assert_string_equal(zf_action_request_query(&req, "occurrence_id"), "1");
    assert_string_equal(zf_action_request_query(&req, "n"), "2");
    assert_string_equal(zf_action_request_query(&req, "b"), "false");
    assert_string_equal(req.body, "{\"topic\":\"x\"}");
    zf_action_request_free(&req);
    build_ok(&req, "call_api", "{\"method\":\"GET\",\"path\":\"/users/me\"}");
    assert_int_equal(req.kind, ZF_ACTION_READ);
    assert_null(req.body);
    zf_action_request_free(&req);
    build_ok(&req, "call_api", "{\"method\":\"POST\",\"path\":\"/users\",\"body\":{}}");
    assert_int_equal(req.kind, ZF_ACTION_CREATE);
    zf_action_request_free(&req);
}

static void test_v2_prefix_message(void **state)
{
    zf_problems p = ZF_PROBLEMS_INIT;
    validate(&p, "call_api", "{\"method\":\"GET\",\"path\":\"/v2/users/me\"}");
    const zf_problem *q = find_problem(&p, "path", "format");
    assert_non_null(q);
    assert_non_null(strstr(q->message, "write \"/users/me\""));
    zf_problems_free(&p);
}

/* ---- scopes -------------------------------------------------------------- */

static void test_scope_preflight(void **state)
{
    const zf_action *a = zf_action_find("create_meeting");
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(
        zf_action_scope_check(a, "meeting:read:meeting:admin meeting:write:meeting:admin", &err),
        0);
    assert_int_equal(zf_action_scope_check(a, "meeting:write:meeting", &err), 0);
    assert_int_equal(zf_action_scope_check(a, "meeting:write:meeting:master", &err), 0);
    assert_int_equal(zf_action_scope_check(a, "meeting:write:admin", &err), 0);
    assert_int_equal(
        zf_action_scope_check(a, "user:read:list_users:admin meeting:write:meeting:adminx", &err),
        ZF_ESCOPE);
    assert_non_null(strstr(err.message, "meeting:write:meeting:admin"));
    assert_non_null(strstr(err.message, "create_meeting"));
    assert_non_null(strstr(err.hint, "reconnect"));
    zf_error_reset(&err);
    assert_int_equal(zf_action_scope_check(a, "", &err), ZF_ESCOPE);
    a = zf_action_find("get_meeting_recordings");
    assert_int_equal(
        zf_action_scope_check(a, "cloud_recording:read:list_recording_files:master", &err), 0);
    assert_int_equal(zf_action_scope_check(zf_action_find("call_api"), "", &err), 0);
    /* every action's own scope passes; each is one of the ten DESIGN asks for */
    for (const zf_action *const *x = zf_actions(); *x; x++)
        if ((*x)->scope)
            assert_int_equal(zf_action_scope_check(*x, (*x)->scope, &err), 0);
}

/* ---- output -------------------------------------------------------------- */

static void test_normalise_create_and_found(void **state)
{
    const zf_action *a = zf_action_find("create_meeting");
    json_t *resp = parse("{\"id\":85746065432,\"uuid\":\"u==\",\"topic\":\"T\",\"start_url\":"
                         "\"https://zoom.us/s/secret\",\"join_url\":\"https://zoom.us/j/1\","
                         "\"created_at\":\"2026-01-01T00:00:00Z\",\"settings\":{}}");
    json_t *out;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_action_normalise(&out, a, resp, ZF_OUTCOME_CREATED, &err), 0);
    assert_true(json_is_true(json_object_get(out, "created")));
    assert_null(json_object_get(out, "found"));
    assert_null(json_object_get(out, "start_url"));
    assert_null(json_object_get(out, "settings"));
    assert_int_equal(json_integer_value(json_object_get(out, "id")), 85746065432LL);
    json_decref(out);
    assert_int_equal(zf_action_normalise(&out, a, resp, ZF_OUTCOME_FOUND, &err), 0);
    assert_true(json_is_false(json_object_get(out, "created")));
    assert_true(json_is_true(json_object_get(out, "found")));
    json_decref(out);
    json_decref(resp);
    resp = parse("[1]");
    assert_int_equal(zf_action_normalise(&out, a, resp, ZF_OUTCOME_READ, &err), ZF_EPARSE);
    json_decref(resp);
}

static void test_normalise_list(void **state)
{
    const zf_action *a = zf_action_find("list_users");
    assert_string_equal(a->items_key, "users");
    assert_string_equal(a->item_type, "user");
    json_t *resp = parse("{\"page_size\":2,\"total_records\":3,\"next_page_token\":\"nx\","
                         "\"users\":[{\"id\":\"a\",\"email\":\"a@x.com\",\"custom\":1},"
                         "{\"email\":\"p@x.com\",\"status\":\"pending\"}]}");
    json_t *out;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_action_normalise(&out, a, resp, ZF_OUTCOME_READ, &err), 0);
    json_t *users = json_object_get(out, "users");
    assert_int_equal(json_array_size(users), 2);
    assert_null(json_object_get(json_array_get(users, 0), "custom"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(users, 1), "email")),
                        "p@x.com");
    assert_int_equal(json_integer_value(json_object_get(out, "total_records")), 3);
    assert_string_equal(json_string_value(json_object_get(out, "next_page_token")), "nx");
    assert_null(json_object_get(out, "created"));
    assert_null(json_object_get(out, "page_size"));
    json_decref(out);
    json_decref(resp);
    /* last page: no token; missing array -> empty list */
    resp = parse("{\"next_page_token\":\"\"}");
    assert_int_equal(
        zf_action_normalise(&out, zf_action_find("list_meetings"), resp, ZF_OUTCOME_READ, &err), 0);
    assert_int_equal(json_array_size(json_object_get(out, "meetings")), 0);
    assert_null(json_object_get(out, "next_page_token"));
    json_decref(out);
    json_decref(resp);
}

static void test_normalise_call_api_passthrough(void **state)
{
    json_t *resp = parse("{\"anything\":[1,2],\"x\":{}}"), *out;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(
        zf_action_normalise(&out, zf_action_find("call_api"), resp, ZF_OUTCOME_READ, &err), 0);
    assert_true(json_equal(out, resp));
    json_decref(out);
    json_decref(resp);
}

static void test_result_warnings(void **state)
{
    zf_action_result r = ZF_ACTION_RESULT_INIT;
    assert_null(r.warnings);
    assert_int_equal(
        zf_action_result_warn(&r, "host %s has made %d of 100 meetings today", "ann", 95), 0);
    assert_int_equal(json_array_size(r.warnings), 1);
    assert_string_equal(json_string_value(json_array_get(r.warnings, 0)),
                        "host ann has made 95 of 100 meetings today");
    zf_action_result_free(&r);
    assert_null(r.warnings);
    zf_action_result_free(NULL);
}

/* ---- surfaces ------------------------------------------------------------- */

static void test_registry_and_help(void **state)
{
    static const char *const names[] = {"create_meeting",
                                        "list_users",
                                        "create_user",
                                        "list_meetings",
                                        "add_meeting_registrant",
                                        "list_meeting_registrants",
                                        "get_meeting_recordings",
                                        "get_meeting",
                                        "update_meeting",
                                        "delete_meeting",
                                        "update_registrant_status",
                                        "get_registrant_questions",
                                        "update_registrant_questions",
                                        "list_past_meeting_participants",
                                        "get_user",
                                        "update_user",
                                        "delete_user",
                                        "list_user_recordings",
                                        "list_account_recordings",
                                        "call_api"};
    size_t n = 0;
    for (const zf_action *const *a = zf_actions(); *a; a++, n++)
        assert_string_equal((*a)->name, names[n]);
    assert_int_equal(n, sizeof names / sizeof names[0]);
    assert_null(zf_action_find("delete_everything"));
    assert_null(zf_action_find(NULL));

    zf_buf b = ZF_BUF_INIT(1 << 20);
    assert_int_equal(zf_action_help(&b, zf_action_find("create_meeting")), 0);
    assert_non_null(strstr(b.ptr, "Usage: zoomflow create_meeting"));
    assert_non_null(strstr(b.ptr, "POST /v2/users/{userId}/meetings"));
    assert_non_null(strstr(b.ptr, "--user-id TEXT"));
    assert_non_null(strstr(b.ptr, "(required)"));
    assert_non_null(strstr(b.ptr, "--duration INT"));
    assert_non_null(strstr(b.ptr, "1 to 1440"));
    assert_non_null(strstr(b.ptr, "--settings JSON"));
    assert_non_null(strstr(b.ptr, "jbh_time"));
    assert_non_null(strstr(b.ptr, "Also checked:"));
    zf_buf_free(&b);

    zf_field f = {.name = "include_download_token"};
    assert_int_equal(zf_action_flag_name(&b, &f), 0);
    assert_string_equal(b.ptr, "--include-download-token");
    zf_buf_free(&b);
}

static void test_flags_typed_by_descriptor(void **state)
{
    const zf_action *a = zf_action_find("create_meeting");
    json_t *in = json_object();
    zf_error err = ZF_ERROR_INIT;
    assert_ptr_equal(zf_action_flag_field(a, "--user-id"), zf_action_flag_field(a, "user_id"));
    assert_null(zf_action_flag_field(a, "--user"));
    assert_int_equal(zf_action_set_flag(in, a, "--user-id", "me", &err), 0);
    assert_int_equal(zf_action_set_flag(in, a, "--duration", "45", &err), 0);
    assert_int_equal(zf_action_set_flag(in, a, "--default-password", "no", &err), 0);
    assert_int_equal(zf_action_set_flag(in, a, "--settings", "{\"jbh_time\":5}", &err), 0);
    assert_int_equal(zf_action_set_flag(in, a, "--topic", "42", &err), 0);
    json_t *want = parse("{\"user_id\":\"me\",\"duration\":45,\"default_password\":false,"
                         "\"settings\":{\"jbh_time\":5},\"topic\":\"42\"}");
    assert_true(json_equal(in, want));
    json_decref(want);
    assert_int_equal(zf_action_set_flag(in, a, "--duration", "45m", &err), ZF_EINVAL);
    assert_non_null(strstr(err.message, "--duration"));
    assert_non_null(strstr(err.message, "an integer"));
    assert_int_equal(zf_action_set_flag(in, a, "--default-password", "maybe", &err), ZF_EINVAL);
    assert_int_equal(zf_action_set_flag(in, a, "--settings", "{oops", &err), ZF_EINVAL);
    assert_int_equal(zf_action_set_flag(in, a, "--colour", "red", &err), ZF_EINVAL);
    assert_non_null(strstr(err.message, "no flag --colour"));
    assert_non_null(strstr(err.hint, "user_id")); /* fields: the CLI turns them into flags */
    assert_int_equal(err.hint_id, ZF_HINT_SEE_ACTION_HELP);
    assert_string_equal(err.hint_arg[ZF_HINT_ARG_ACTION], "create_meeting");
    json_decref(in);

    /* ids: digits become a number, a UUID stays a string */
    a = zf_action_find("get_meeting_recordings");
    in = json_object();
    assert_int_equal(zf_action_set_flag(in, a, "--meeting-id", "85746065432", &err), 0);
    assert_true(json_is_integer(json_object_get(in, "meeting_id")));
    assert_int_equal(zf_action_set_flag(in, a, "--meeting-id", "/ab//c==", &err), 0);
    assert_string_equal(json_string_value(json_object_get(in, "meeting_id")), "/ab//c==");
    assert_int_equal(zf_action_set_flag(in, a, "--meeting-id", "99999999999999999999", &err), 0);
    assert_true(json_is_string(json_object_get(in, "meeting_id")));
    json_decref(in);
}

/* The one typing rule (zf_action_flag_value): what each field type makes
 * of flag text, text left for validation (1), and JSON refused at once. */
static void test_flag_value_rule(void **state)
{
    static const struct {
        unsigned types;
        const char *text, *want; /* want: the JSON made */
        int rc;
    } cases[] = {
        {ZF_T_STRING, "42", "\"42\"", 0},
        {ZF_T_INTEGER, "45", "45", 0},
        {ZF_T_INTEGER, "-7", "-7", 0},
        {ZF_T_INTEGER, "045", "45", 0},
        {ZF_T_INTEGER, "45m", "\"45m\"", 1},
        {ZF_T_INTEGER, "+5", "\"+5\"", 1},
        {ZF_T_INTEGER, " 5", "\" 5\"", 1},
        {ZF_T_INTEGER, "99999999999999999999", "\"99999999999999999999\"", 1},
        {ZF_T_INTEGER, "9223372036854775807", "9223372036854775807", 0},
        {ZF_T_INTEGER, "-9223372036854775808", "-9223372036854775808", 0},
        {ZF_T_INTEGER | ZF_T_STRING, "85746065432", "85746065432", 0},
        {ZF_T_INTEGER | ZF_T_STRING, "0", "0", 0},
        {ZF_T_INTEGER | ZF_T_STRING, "0123", "\"0123\"", 0},
        {ZF_T_INTEGER | ZF_T_STRING, "/ab//c==", "\"/ab//c==\"", 0},
        {ZF_T_BOOLEAN, "true", "true", 0},
        {ZF_T_BOOLEAN, "yes", "true", 0},
        {ZF_T_BOOLEAN, "1", "true", 0},
        {ZF_T_BOOLEAN, "false", "false", 0},
        {ZF_T_BOOLEAN, "no", "false", 0},
        {ZF_T_BOOLEAN, "0", "false", 0},
        {ZF_T_BOOLEAN, "maybe", "\"maybe\"", 1},
        {ZF_T_BOOLEAN, "TRUE", "true", 0}, /* any case, as people type them */
        {ZF_T_BOOLEAN, "No", "false", 0},
        {ZF_T_BOOLEAN, "yess", "\"yess\"", 1},
        {ZF_T_OBJECT, "{\"a\":1}", "{\"a\":1}", 0},
        {ZF_T_ARRAY, "[1,2]", "[1,2]", 0},
        {ZF_T_OBJECT, "[1]", "[1]", 0}, /* JSON, but not an object: validation says so */
        {ZF_T_ANY, "12", "12", 0},
        {ZF_T_ANY, "hello", "\"hello\"", 0},
        {ZF_T_ANY, "{oops", "\"{oops\"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zf_field f = {.name = "x", .types = cases[i].types};
        zf_error err = ZF_ERROR_INIT;
        json_t *v = NULL;
        int rc = zf_action_flag_value(&v, &f, "--x", cases[i].text, &err);
        if (rc != cases[i].rc)
            fail_msg("case %zu (%s): rc %d, not %d", i, cases[i].text, rc, cases[i].rc);
        json_t *want = json_loads(cases[i].want, JSON_DECODE_ANY, NULL);
        if (!json_equal(v, want))
            fail_msg("case %zu (%s): not %s", i, cases[i].text, cases[i].want);
        json_decref(want);
        json_decref(v);
    }
    /* no description: a JSON literal when the text is one, else text */
    json_t *v = NULL;
    assert_int_equal(zf_action_flag_value(&v, NULL, "k", "null", NULL), 0);
    assert_true(json_is_null(v));
    json_decref(v);
    assert_int_equal(zf_action_flag_value(&v, NULL, "k", "voip", NULL), 0);
    assert_string_equal(json_string_value(v), "voip");
    json_decref(v);
    /* JSON meant for an object that does not parse is named at once */
    zf_field obj = {.name = "settings", .types = ZF_T_OBJECT};
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_action_flag_value(&v, &obj, "--settings", "{oops", &err), ZF_EVALIDATION);
    assert_null(v);
    assert_int_equal(err.code, ZF_EVALIDATION);
    assert_non_null(strstr(err.message, "--settings: invalid JSON at line 1"));
    assert_int_equal(zf_action_flag_value(&v, &obj, "--settings", "{\"a\":1,\"a\":2}", &err),
                     ZF_EVALIDATION);
    assert_non_null(strstr(err.message, "duplicate key"));
    /* the boolean words, for the parser's lone-boolean rule too */
    assert_int_equal(zf_action_flag_bool("yes"), 1);
    assert_int_equal(zf_action_flag_bool("0"), 0);
    assert_int_equal(zf_action_flag_bool("y"), -1);
    assert_int_equal(zf_action_flag_bool(NULL), -1);
    /* zf_action_set_flag, on the same rule, takes yes/no/1/0 too */
    const zf_action *a = zf_action_find("create_meeting");
    json_t *in = json_object();
    assert_int_equal(zf_action_set_flag(in, a, "--default-password", "1", &err), 0);
    assert_true(json_is_true(json_object_get(in, "default_password")));
    assert_int_equal(zf_action_set_flag(in, a, "--duration", "1e3", &err), ZF_EINVAL);
    assert_non_null(strstr(err.message, "an integer"));
    json_decref(in);
}

static void test_schema_json(void **state)
{
    json_t *s;
    assert_int_equal(zf_action_schema_json(&s, zf_action_find("create_meeting")), 0);
    assert_string_equal(json_string_value(json_object_get(s, "$schema")),
                        "https://json-schema.org/draft/2020-12/schema");
    assert_string_equal(json_string_value(json_object_get(s, "type")), "object");
    assert_true(json_is_false(json_object_get(s, "additionalProperties")));
    json_t *props = json_object_get(s, "properties");
    json_t *req = json_object_get(s, "required");
    assert_int_equal(json_array_size(req), 1);
    assert_string_equal(json_string_value(json_array_get(req, 0)), "user_id");
    json_t *dur = json_object_get(props, "duration");
    assert_int_equal(json_integer_value(json_object_get(dur, "minimum")), 1);
    assert_int_equal(json_integer_value(json_object_get(dur, "maximum")), 1440);
    json_t *jbh = json_object_get(json_object_get(json_object_get(props, "settings"), "properties"),
                                  "jbh_time");
    json_t *want = parse("[0,5,10,15]");
    assert_true(json_equal(json_object_get(jbh, "enum"), want));
    json_decref(want);
    json_t *pw = json_object_get(props, "password");
    assert_true(json_is_true(json_object_get(pw, "writeOnly")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(props, "user_id"), "x-zoom-in")), "path");
    json_decref(s);

    assert_int_equal(zf_action_schema_json(&s, zf_action_find("add_meeting_registrant")), 0);
    json_t *mid = json_object_get(json_object_get(s, "properties"), "meeting_id");
    want = parse("[\"integer\",\"string\"]");
    assert_true(json_equal(json_object_get(mid, "type"), want));
    json_decref(want);
    json_t *cq = json_object_get(json_object_get(s, "properties"), "custom_questions");
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(json_object_get(cq, "items"), "properties"), "value"),
            "maxLength")),
        128);
    json_decref(s);

    /* every action has a schema; call_api's body accepts anything */
    for (const zf_action *const *a = zf_actions(); *a; a++) {
        assert_int_equal(zf_action_schema_json(&s, *a), 0);
        json_decref(s);
    }
    assert_int_equal(zf_action_schema_json(&s, zf_action_find("call_api")), 0);
    assert_null(json_object_get(json_object_get(json_object_get(s, "properties"), "body"), "type"));
    json_decref(s);
}

static void test_timezones_list(void **state)
{
    long pos;
    assert_true(zf_schema_format_ok(ZF_FMT_TIMEZONE, "America/Los_Angeles", &pos));
    assert_true(zf_schema_format_ok(ZF_FMT_TIMEZONE, "UTC", &pos));
    assert_true(zf_schema_format_ok(ZF_FMT_TIMEZONE, "Asia/Calcutta", &pos));
    assert_true(zf_schema_format_ok(ZF_FMT_TIMEZONE, "Asia/Kolkata", &pos));
    assert_false(zf_schema_format_ok(ZF_FMT_TIMEZONE, "america/los_angeles", &pos));
    assert_false(zf_schema_format_ok(ZF_FMT_TIMEZONE, "../../etc/passwd", &pos));
    const char *const *z = zf_schema_timezones();
    size_t n = 0;
    for (; z[n]; n++)
        if (n > 0)
            assert_true(strcmp(z[n - 1], z[n]) < 0);
    assert_true(n > 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_list_has_limit),
        cmocka_unit_test(test_next_month_windows),
        cmocka_unit_test(test_build_recordings_months),
        cmocka_unit_test(test_users_and_recordings_problems_at_once),
        cmocka_unit_test(test_build_user_writes),
        cmocka_unit_test(test_valid_inputs_pass),
        cmocka_unit_test(test_invalid_inputs_name_field_and_rule),
        cmocka_unit_test(test_control_and_bidi_characters_refused),
        cmocka_unit_test(test_invalid_utf8_refused),
        cmocka_unit_test(test_all_problems_at_once),
        cmocka_unit_test(test_problems_are_capped),
        cmocka_unit_test(test_long_values_are_cut),
        cmocka_unit_test(test_input_must_be_object),
        cmocka_unit_test(test_secret_values_not_echoed),
        cmocka_unit_test(test_z_with_timezone_refused_with_explanation),
        cmocka_unit_test(test_build_create_meeting),
        cmocka_unit_test(test_build_refuses_invalid_input),
        cmocka_unit_test(test_build_list_users_query),
        cmocka_unit_test(test_build_list_meetings),
        cmocka_unit_test(test_build_registrants),
        cmocka_unit_test(test_build_recordings_encoding),
        cmocka_unit_test(test_build_create_user),
        cmocka_unit_test(test_build_call_api),
        cmocka_unit_test(test_v2_prefix_message),
        cmocka_unit_test(test_scope_preflight),
        cmocka_unit_test(test_normalise_create_and_found),
        cmocka_unit_test(test_normalise_list),
        cmocka_unit_test(test_normalise_call_api_passthrough),
        cmocka_unit_test(test_result_warnings),
        cmocka_unit_test(test_registry_and_help),
        cmocka_unit_test(test_flags_typed_by_descriptor),
        cmocka_unit_test(test_flag_value_rule),
        cmocka_unit_test(test_schema_json),
        cmocka_unit_test(test_timezones_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
