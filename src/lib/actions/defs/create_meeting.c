/*
 * create_meeting: POST /users/{userId}/meetings (Meetings API, meetingCreate).
 *
 * Settings accept only the keys described here (typed); anything else is an
 * error that lists the known keys, so a typo never silently does nothing.
 * A start_time with Z or an offset together with `timezone` is refused:
 * Zoom would silently ignore the zone.
 */
#include "actions_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOL_SETTING(n, s) {.name = (n), .types = ZF_T_BOOLEAN, .summary = (s)}

static const int64_t meeting_types[] = {1, 2, 3, 8, 10};
static const int64_t recurrence_types[] = {1, 2, 3};
static const int64_t monthly_weeks[] = {-1, 1, 2, 3, 4};
static const int64_t week_days[] = {1, 2, 3, 4, 5, 6, 7};
static const int64_t jbh_times[] = {0, 5, 10, 15};
static const int64_t approval_types[] = {0, 1, 2};
static const int64_t registration_types[] = {1, 2, 3};
static const int64_t calendar_types[] = {1, 2};
static const int64_t summary_receivers[] = {1, 2, 3, 4};
static const int64_t question_askers[] = {1, 2, 3, 4, 5};
static const char *const audio_types[] = {"both", "telephony", "voip", "thirdParty", NULL};
static const char *const recording_types[] = {"local", "cloud", "none", NULL};
static const char *const encryption_types[] = {"enhanced_encryption", "e2ee", NULL};
static const char *const waiting_modes[] = {"follow_setting", "custom", NULL};
static const char *const waiting_who[] = {"everyone", "users_not_in_account",
                                          "users_not_in_account_or_whitelisted_domains",
                                          "users_not_on_invite", NULL};

static const zf_field recurrence_fields[] = {
    {.name = "type", .types = ZF_T_INTEGER, .flags = ZF_F_REQUIRED,
     .summary = "1 daily, 2 weekly, 3 monthly", .enum_int = recurrence_types,
     .n_enum_int = ZF_NELEM(recurrence_types)},
    {.name = "repeat_interval", .types = ZF_T_INTEGER, .flags = ZF_F_MIN | ZF_F_MAX, .min = 1,
     .max = 99, .summary = "every how many days (max 99), weeks (max 50) or months (max 10)",
     .spec_diff = ZF_DIFF_MIN | ZF_DIFF_MAX,
     .spec_note = "Zoom's schema has no range; its description gives 99 days, 50 weeks, 10 months"},
    {.name = "weekly_days", .types = ZF_T_STRING, .format = ZF_FMT_WEEKDAYS,
     .summary = "weekly: days 1 (Sunday) to 7 (Saturday), comma-separated, e.g. \"2,4\"",
     .default_json = "\"1\"", .spec_diff = ZF_DIFF_ENUM,
     .spec_note = "Zoom's schema enumerates single days; its description and API take a "
                  "comma-separated list such as \"1,3\""},
    {.name = "monthly_day", .types = ZF_T_INTEGER, .flags = ZF_F_MIN | ZF_F_MAX, .min = 1,
     .max = 31, .summary = "monthly: day of the month", .default_json = "1",
     .spec_diff = ZF_DIFF_MIN | ZF_DIFF_MAX,
     .spec_note = "range 1 to 31 is in Zoom's description, not its schema"},
    {.name = "monthly_week", .types = ZF_T_INTEGER,
     .summary = "monthly: week of the month (-1 last, 1 to 4), with monthly_week_day",
     .enum_int = monthly_weeks, .n_enum_int = ZF_NELEM(monthly_weeks)},
    {.name = "monthly_week_day", .types = ZF_T_INTEGER,
     .summary = "monthly: day of that week, 1 (Sunday) to 7, with monthly_week",
     .enum_int = week_days, .n_enum_int = ZF_NELEM(week_days)},
    {.name = "end_times", .types = ZF_T_INTEGER, .flags = ZF_F_MIN | ZF_F_MAX, .min = 0,
     .max = 60, .summary = "how many occurrences (0: no end); not with end_date_time",
     .default_json = "1", .spec_diff = ZF_DIFF_MIN,
     .spec_note = "Zoom's schema has no minimum; 0 means no end and a negative count means nothing"},
    {.name = "end_date_time", .types = ZF_T_STRING, .format = ZF_FMT_UTC_DATETIME,
     .summary = "last occurrence, UTC (yyyy-MM-ddTHH:mm:ssZ); not with end_times"},
    {0},
};

static const zf_field invitee_fields[] = {
    {.name = "email", .types = ZF_T_STRING, .format = ZF_FMT_EMAIL, .summary = "invitee's email"},
    {0},
};
static const zf_field invitee_item = {.name = "invitee", .types = ZF_T_OBJECT,
                                      .summary = "one invitee", .fields = invitee_fields};
static const zf_field string_item = {.name = "item", .types = ZF_T_STRING, .summary = "a value"};

static const zf_field waiting_room_fields[] = {
    {.name = "mode", .types = ZF_T_STRING, .flags = ZF_F_REQUIRED,
     .summary = "follow_setting or custom", .enum_str = waiting_modes},
    {.name = "who_goes_to_waiting_room", .types = ZF_T_STRING,
     .summary = "who is sent to the waiting room (mode custom)", .enum_str = waiting_who},
    {0},
};

static const zf_field room_fields[] = {
    {.name = "name", .types = ZF_T_STRING, .summary = "room name"},
    {.name = "participants", .types = ZF_T_ARRAY, .summary = "participants' emails",
     .items = &string_item},
    {0},
};
static const zf_field room_item = {.name = "room", .types = ZF_T_OBJECT,
                                   .summary = "one breakout room", .fields = room_fields};
static const zf_field breakout_fields[] = {
    BOOL_SETTING("enable", "pre-assign breakout rooms"),
    {.name = "rooms", .types = ZF_T_ARRAY, .summary = "the rooms", .items = &room_item},
    {0},
};

static const zf_field settings_fields[] = {
    BOOL_SETTING("host_video", "start with the host's video on"),
    BOOL_SETTING("participant_video", "start with participants' video on"),
    {.name = "join_before_host", .types = ZF_T_BOOLEAN, .default_json = "false",
     .summary = "participants may join before the host"},
    {.name = "jbh_time", .types = ZF_T_INTEGER, .enum_int = jbh_times,
     .n_enum_int = ZF_NELEM(jbh_times),
     .summary = "with join_before_host: minutes before start (0 any time, 5, 10, 15)"},
    {.name = "mute_upon_entry", .types = ZF_T_BOOLEAN, .default_json = "false",
     .summary = "mute participants when they join"},
    BOOL_SETTING("waiting_room", "enable the waiting room"),
    {.name = "waiting_room_options", .types = ZF_T_OBJECT, .fields = waiting_room_fields,
     .summary = "waiting room rules"},
    {.name = "approval_type", .types = ZF_T_INTEGER, .enum_int = approval_types,
     .n_enum_int = ZF_NELEM(approval_types), .default_json = "2",
     .summary = "registration: 0 automatic approval, 1 manual, 2 no registration"},
    {.name = "registration_type", .types = ZF_T_INTEGER, .enum_int = registration_types,
     .n_enum_int = ZF_NELEM(registration_types), .default_json = "1",
     .summary = "recurring meetings: 1 once for all, 2 each occurrence, 3 chosen occurrences"},
    {.name = "audio", .types = ZF_T_STRING, .enum_str = audio_types, .default_json = "\"both\"",
     .summary = "audio options"},
    {.name = "audio_conference_info", .types = ZF_T_STRING, .flags = ZF_F_MULTILINE,
     .max_len = 2048,
     .summary = "third-party audio conference details"},
    {.name = "auto_recording", .types = ZF_T_STRING, .enum_str = recording_types,
     .default_json = "\"none\"", .summary = "record automatically: local, cloud or none"},
    {.name = "alternative_hosts", .types = ZF_T_STRING,
     .summary = "semicolon-separated emails or ids of alternative hosts"},
    {.name = "alternative_hosts_email_notification", .types = ZF_T_BOOLEAN,
     .default_json = "true", .summary = "email alternative hosts"},
    BOOL_SETTING("meeting_authentication", "only authenticated users may join"),
    {.name = "authentication_option", .types = ZF_T_STRING,
     .summary = "authentication profile id"},
    {.name = "authentication_domains", .types = ZF_T_STRING,
     .summary = "domains allowed to join when authenticated"},
    {.name = "contact_name", .types = ZF_T_STRING, .summary = "registration contact name"},
    {.name = "contact_email", .types = ZF_T_STRING, .format = ZF_FMT_EMAIL,
     .summary = "registration contact email"},
    {.name = "email_notification", .types = ZF_T_BOOLEAN, .default_json = "true",
     .summary = "email the host and alternative hosts"},
    BOOL_SETTING("registrants_confirmation_email", "email registrants when they register"),
    BOOL_SETTING("registrants_email_notification", "email registrants about approval"),
    {.name = "close_registration", .types = ZF_T_BOOLEAN, .default_json = "false",
     .summary = "close registration after the event date"},
    BOOL_SETTING("show_share_button", "show social share buttons on registration"),
    BOOL_SETTING("allow_multiple_devices", "attendees may join from several devices"),
    BOOL_SETTING("use_pmi", "use the host's personal meeting id"),
    BOOL_SETTING("watermark", "watermark shared screens"),
    BOOL_SETTING("private_meeting", "hide the topic in the host's calendar"),
    {.name = "encryption_type", .types = ZF_T_STRING, .enum_str = encryption_types,
     .summary = "enhanced_encryption or e2ee"},
    {.name = "calendar_type", .types = ZF_T_INTEGER, .enum_int = calendar_types,
     .n_enum_int = ZF_NELEM(calendar_types), .summary = "1 Outlook, 2 Google Calendar"},
    BOOL_SETTING("focus_mode", "start in focus mode"),
    {.name = "internal_meeting", .types = ZF_T_BOOLEAN, .default_json = "false",
     .summary = "an internal meeting"},
    {.name = "push_change_to_calendar", .types = ZF_T_BOOLEAN, .default_json = "false",
     .summary = "push changes to the host's calendar"},
    BOOL_SETTING("auto_start_meeting_summary", "start the AI meeting summary automatically"),
    {.name = "who_will_receive_summary", .types = ZF_T_INTEGER, .enum_int = summary_receivers,
     .n_enum_int = ZF_NELEM(summary_receivers), .summary = "who receives the summary (1 to 4)"},
    BOOL_SETTING("auto_start_ai_companion_questions", "start AI Companion questions"),
    {.name = "who_can_ask_questions", .types = ZF_T_INTEGER, .enum_int = question_askers,
     .n_enum_int = ZF_NELEM(question_askers), .summary = "who may ask AI Companion (1 to 5)"},
    {.name = "device_testing", .types = ZF_T_BOOLEAN, .default_json = "false",
     .summary = "device testing before joining"},
    {.name = "disable_participant_video", .types = ZF_T_BOOLEAN, .default_json = "false",
     .summary = "turn participants' video off"},
    BOOL_SETTING("show_join_info", "show join information in the meeting"),
    {.name = "meeting_invitees", .types = ZF_T_ARRAY, .items = &invitee_item,
     .summary = "people to invite: [{\"email\": ...}]"},
    {.name = "global_dial_in_countries", .types = ZF_T_ARRAY, .items = &string_item,
     .summary = "dial-in countries"},
    {.name = "breakout_room", .types = ZF_T_OBJECT, .fields = breakout_fields,
     .summary = "pre-assigned breakout rooms"},
    {0},
};

static const zf_field tracking_fields[] = {
    {.name = "field", .types = ZF_T_STRING, .flags = ZF_F_REQUIRED,
     .summary = "tracking field label"},
    {.name = "value", .types = ZF_T_STRING, .summary = "tracking field value"},
    {0},
};
static const zf_field tracking_item = {.name = "tracking_field", .types = ZF_T_OBJECT,
                                       .summary = "one tracking field", .fields = tracking_fields};

static const zf_field input[] = {
    {.name = "user_id", .types = ZF_T_STRING, .flags = ZF_F_REQUIRED, .in = ZF_IN_PATH,
     .wire = "userId", .max_len = 128, .format = ZF_FMT_USER_ID,
     .summary = "the host: \"me\", an email or a user id", .spec_diff = ZF_DIFF_MAXLEN,
     .spec_note = "bounded here (Zoom emails are at most 128 characters); Zoom's schema has no limit"},
    {.name = "topic", .types = ZF_T_STRING, .max_len = 200, .summary = "the meeting's topic"},
    {.name = "type", .types = ZF_T_INTEGER, .enum_int = meeting_types,
     .n_enum_int = ZF_NELEM(meeting_types), .default_json = "2",
     .summary = "1 instant, 2 scheduled, 3 recurring without fixed time, 8 recurring with "
                "fixed time, 10 screen share only"},
    {.name = "start_time", .types = ZF_T_STRING, .format = ZF_FMT_ZOOM_DATETIME,
     .summary = "types 2 and 8: local yyyy-MM-ddTHH:mm:ss with `timezone`, or UTC ending in Z "
                "without `timezone`"},
    {.name = "duration", .types = ZF_T_INTEGER, .flags = ZF_F_MIN | ZF_F_MAX, .min = 1,
     .max = 1440, .default_json = "60", .summary = "minutes"},
    {.name = "timezone", .types = ZF_T_STRING, .format = ZF_FMT_TIMEZONE,
     .summary = "zone of a local start_time, e.g. America/New_York"},
    {.name = "password", .types = ZF_T_STRING, .flags = ZF_F_SECRET, .max_len = 10,
     .format = ZF_FMT_PASSCODE, .summary = "meeting passcode (the account may impose more rules)"},
    {.name = "default_password", .types = ZF_T_BOOLEAN, .default_json = "true",
     .summary = "let Zoom generate a passcode when the account requires one"},
    {.name = "agenda", .types = ZF_T_STRING, .flags = ZF_F_MULTILINE, .max_len = 2000,
     .summary = "description"},
    {.name = "pre_schedule", .types = ZF_T_BOOLEAN, .default_json = "false",
     .summary = "a GSuite pre-scheduled meeting (types 2 and 3)"},
    {.name = "schedule_for", .types = ZF_T_STRING, .format = ZF_FMT_USER_ID,
     .summary = "schedule on behalf of this user (email or id; not for instant meetings)"},
    {.name = "template_id", .types = ZF_T_STRING, .summary = "an admin meeting template id"},
    {.name = "tracking_fields", .types = ZF_T_ARRAY, .items = &tracking_item,
     .summary = "tracking fields: [{\"field\": ..., \"value\": ...}]"},
    {.name = "recurrence", .types = ZF_T_OBJECT, .fields = recurrence_fields,
     .summary = "type 8 only: how the meeting repeats"},
    {.name = "settings", .types = ZF_T_OBJECT, .fields = settings_fields,
     .summary = "meeting settings (known keys only)"},
    {0},
};

static void check_start_zone(zf_problems *p, const json_t *in)
{
    const char *start = zf_actions__str(in, "start_time");
    const char *zone = zf_actions__str(in, "timezone");
    int64_t t;
    int has_zone;
    if (!start || !zone || zf_actions__parse_datetime(start, &t, &has_zone) != 0 || !has_zone)
        return;
    zf_problems_add(p, "start_time", "conflict", json_object_get(in, "start_time"), 19,
                    "start_time \"%s\" carries its own zone (Z or an offset) and timezone \"%s\" "
                    "is also set: Zoom would silently ignore the timezone. Give local time without "
                    "Z plus timezone (e.g. \"%.19s\" with \"%s\"), or UTC with Z and no timezone",
                    start, zone, start, zone);
}

static int64_t rec_int(const json_t *rec, const char *key, int64_t dflt)
{
    json_t *v = json_object_get(rec, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static void only_for(zf_problems *p, const json_t *rec, const char *key, int64_t rtype,
                     int64_t want, const char *what)
{
    json_t *v = json_object_get(rec, key);
    char path[64];
    snprintf(path, sizeof path, "recurrence.%s", key);
    if (v && rtype != want)
        zf_problems_add(p, path, "dependency", v, -1,
                        "is only used by %s recurrence (recurrence.type %lld); remove it or set "
                        "recurrence.type to %lld",
                        what, (long long)want, (long long)want);
}

static void check_recurrence(zf_problems *p, const json_t *in)
{
    json_t *rec = json_object_get(in, "recurrence");
    int64_t type = json_is_integer(json_object_get(in, "type"))
                       ? (int64_t)json_integer_value(json_object_get(in, "type"))
                       : 2;
    if (!json_is_object(rec)) {
        if (type == 8)
            zf_problems_add(p, "recurrence", "required", NULL, -1,
                            "a type 8 meeting (recurring, fixed time) needs recurrence, e.g. "
                            "{\"type\": 2, \"weekly_days\": \"2\", \"end_times\": 10}");
        return;
    }
    if (type != 8)
        zf_problems_add(p, "recurrence", "dependency", rec, -1,
                        "is only used for type 8 meetings (recurring with a fixed time); set type "
                        "to 8 or remove recurrence");
    int64_t rtype = rec_int(rec, "type", 0);
    static const int64_t max_interval[] = {0, 99, 50, 10};
    static const char *const unit[] = {"", "days", "weeks", "months"};
    int64_t every = rec_int(rec, "repeat_interval", 1);
    if (rtype >= 1 && rtype <= 3 && every > max_interval[rtype])
        zf_problems_add(p, "recurrence.repeat_interval", "maximum",
                        json_object_get(rec, "repeat_interval"), -1,
                        "at most %lld %s between occurrences for this recurrence type",
                        (long long)max_interval[rtype], unit[rtype]);
    if (json_object_get(rec, "end_times") && json_object_get(rec, "end_date_time"))
        zf_problems_add(p, "recurrence.end_times", "conflict", json_object_get(rec, "end_times"),
                        -1, "give end_times or end_date_time, not both");
    if (rtype == 2 && !json_object_get(rec, "weekly_days"))
        zf_problems_add(p, "recurrence.weekly_days", "required", NULL, -1,
                        "a weekly recurrence needs weekly_days, e.g. \"2,4\" for Monday and "
                        "Wednesday");
    only_for(p, rec, "weekly_days", rtype, 2, "weekly");
    only_for(p, rec, "monthly_day", rtype, 3, "monthly");
    only_for(p, rec, "monthly_week", rtype, 3, "monthly");
    only_for(p, rec, "monthly_week_day", rtype, 3, "monthly");
    int has_week = json_object_get(rec, "monthly_week") != NULL;
    int has_wday = json_object_get(rec, "monthly_week_day") != NULL;
    if (has_week != has_wday)
        zf_problems_add(p, has_week ? "recurrence.monthly_week_day" : "recurrence.monthly_week",
                        "required", NULL, -1, "monthly_week and monthly_week_day go together");
    if (has_week && json_object_get(rec, "monthly_day"))
        zf_problems_add(p, "recurrence.monthly_day", "conflict",
                        json_object_get(rec, "monthly_day"), -1,
                        "give monthly_day or monthly_week + monthly_week_day, not both");
}

static void check(zf_problems *p, const json_t *in)
{
    check_start_zone(p, in);
    check_recurrence(p, in);
}

static const char *const rules[] = {
    "start_time with Z or an offset is refused together with timezone (Zoom ignores the zone).",
    "type 8 needs recurrence; recurrence is only for type 8.",
    "repeat_interval is at most 99 (daily), 50 (weekly) or 10 (monthly).",
    "end_times and end_date_time exclude each other.",
    "weekly_days is required for weekly and only for weekly recurrence; monthly_day, "
    "monthly_week and monthly_week_day only for monthly.",
    "monthly_week and monthly_week_day go together, and exclude monthly_day.",
    NULL,
};

/* ---- reconcile ----------------------------------------------------------- */

typedef struct meeting_match {
    const char *topic;
    int64_t start_utc;    /* -1: do not compare */
    const char *zone;     /* input zone, or NULL: the listed meeting's own */
    int64_t wall;         /* local start (read as UTC) when zone is unknown */
    int local_unzoned;
    int64_t not_before;
    json_t *found;
    zf_error *err;
    int rc;
} meeting_match;

/* No timezone was given, so Zoom used the account's, which the listing
 * reports per meeting: read the local start in that zone. 0, 1 = skip the
 * meeting, or the tz database's error (also in m->rc). */
static int candidate_start(meeting_match *m, const json_t *it, int64_t *utc)
{
    const char *zone = zf_actions__str(it, "timezone");
    if (!zone || !zf_actions__timezone_known(zone))
        return 1;
    return m->rc = zf_actions__local_to_utc(zone, m->wall, utc, m->err);
}

static int meeting_each(void *arg, const json_t *items)
{
    meeting_match *m = arg;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        const char *topic = zf_actions__str(it, "topic");
        int64_t created, start, want = m->start_utc;
        int hz;
        if ((m->topic && (!topic || strcmp(topic, m->topic) != 0)) ||
            zf_actions__parse_datetime(zf_actions__str(it, "created_at"), &created, &hz) != 0 ||
            created < m->not_before)
            continue;
        int skip = m->local_unzoned ? candidate_start(m, it, &want) : 0;
        if (skip < 0)
            return 1; /* the tz database failed: stop, m->rc says why */
        if (skip)
            continue;
        if (want >= 0 &&
            (zf_actions__parse_datetime(zf_actions__str(it, "start_time"), &start, &hz) != 0 ||
             start != want))
            continue;
        m->found = json_deep_copy(it);
        return 1;
    }
    return 0;
}

static int match_start(meeting_match *m, const json_t *in, zf_error *err)
{
    const char *start = zf_actions__str(in, "start_time");
    json_t *type = json_object_get(in, "type");
    int64_t t;
    int has_zone;
    m->start_utc = -1;
    /* recurring meetings list their next occurrence: topic + creation decide */
    if (!start || (json_is_integer(type) && json_integer_value(type) != 2))
        return 0;
    if (zf_actions__parse_datetime(start, &t, &has_zone) != 0)
        return zf_error_set(err, ZF_EVALIDATION,
                            "start_time \"%s\" is not a Zoom date-time", start);
    if (has_zone) {
        m->start_utc = t;
        return 0;
    }
    const char *zone = zf_actions__str(in, "timezone");
    if (zone)
        return zf_actions__local_to_utc(zone, t, &m->start_utc, err);
    m->local_unzoned = 1;
    m->wall = t;
    return 0;
}

static int reconcile(json_t **found, const json_t *in, const zf_reconcile_opts *o,
                     const zf_action_source *src, zf_error *err)
{
    json_t *type = json_object_get(in, "type");
    if (json_is_integer(type) && json_integer_value(type) == 1) {
        zf_error_set(err, ZF_EAMBIGUOUS, "instant meetings are not listed by Zoom, so an "
                                         "interrupted create_meeting of type 1 cannot be checked");
        zf_error_hint_id(err, ZF_HINT_CHECK_IN_ZOOM, "look in the host's Zoom web portal before "
                                                    "running it again");
        return ZF_EAMBIGUOUS;
    }
    /* no topic given: Zoom chose one, so start and creation time decide */
    meeting_match m = {.topic = zf_actions__str(in, "topic"), .err = err};
    m.not_before = o->attempt_started - o->skew;
    zf_action_request req;
    zf_buf path = ZF_BUF_INIT(4096);
    zf_buf_puts(&path, "/users/");
    zf_actions__encode_segment(&path, zf_actions__str(in, "user_id"), 0);
    zf_buf_puts(&path, "/meetings");
    int rc = match_start(&m, in, err);
    if (rc == 0)
        rc = zf_actions__lookup_request(&req, path.failed ? "" : path.ptr);
    if (rc == 0) {
        rc = zf_action_request_add_query(&req, "type", "scheduled");
        if (rc == 0)
            rc = zf_action_request_add_query(&req, "page_size", "300");
        if (rc == 0)
            rc = src->list(src->ctx, &req, "meetings", meeting_each, &m, err);
        if (rc == 0)
            rc = m.rc;
        zf_action_request_free(&req);
    }
    zf_buf_free(&path);
    if (rc != 0) {
        json_decref(m.found);
        return rc;
    }
    *found = m.found;
    return m.found ? 1 : 0;
}

static const char *const output_keys[] = {
    "id", "uuid", "host_id", "host_email", "topic", "type", "status", "start_time",
    "duration", "timezone", "agenda", "created_at", "join_url", "registration_url",
    "password", "pmi", "occurrences", "recurrence", NULL,
};

static const char *const classic[] = {"meeting:write", "meeting:write:admin", NULL};

const zf_action zf_action__create_meeting = {
    .name = "create_meeting",
    .summary = "Schedule a Zoom meeting for a host.",
    .words = {"meetings", "create"},
    .method = "POST",
    .path = "/users/{userId}/meetings",
    .scope = "meeting:write:meeting:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_CREATE,
    .input = input,
    .check = check,
    .rules = rules,
    .item_type = "meeting",
    .output_keys = output_keys,
    .reconcile = reconcile,
};
