/*
 * The meeting fields create_meeting and update_meeting share
 * (meeting_fields.h says which and why some tables exist twice), and the
 * checks between them.
 */
#include "meeting_fields.h"

#include <stdio.h>

const int64_t zf_actions__meeting_types[5] = {1, 2, 3, 8, 10};

#define BOOL_SETTING(n, s)                                                                         \
    {                                                                                              \
        .name = (n), .types = ZF_T_BOOLEAN, .summary = (s)                                         \
    }

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

const zf_field zf_actions__meeting_recurrence[] = {
    {.name = "type",
     .types = ZF_T_INTEGER,
     .flags = ZF_F_REQUIRED,
     .summary = "1 daily, 2 weekly, 3 monthly",
     .enum_int = recurrence_types,
     .n_enum_int = ZF_NELEM(recurrence_types)},
    {.name = "repeat_interval",
     .types = ZF_T_INTEGER,
     .flags = ZF_F_MIN | ZF_F_MAX,
     .min = 1,
     .max = 99,
     .summary = "every how many days (max 99), weeks (max 50) or months (max 10)",
     .spec_diff = ZF_DIFF_MIN | ZF_DIFF_MAX,
     .spec_note = "Zoom's schema has no range; its description gives 99 days, 50 weeks, 10 months"},
    {.name = "weekly_days",
     .types = ZF_T_STRING,
     .format = ZF_FMT_WEEKDAYS,
     .summary = "weekly: days 1 (Sunday) to 7 (Saturday), comma-separated, e.g. \"2,4\"",
     .default_json = "\"1\"",
     .spec_diff = ZF_DIFF_ENUM,
     .spec_note = "Zoom's schema enumerates single days; its description and API take a "
                  "comma-separated list such as \"1,3\""},
    {.name = "monthly_day",
     .types = ZF_T_INTEGER,
     .flags = ZF_F_MIN | ZF_F_MAX,
     .min = 1,
     .max = 31,
     .summary = "monthly: day of the month",
     .default_json = "1",
     .spec_diff = ZF_DIFF_MIN | ZF_DIFF_MAX,
     .spec_note = "range 1 to 31 is in Zoom's description, not its schema"},
    {.name = "monthly_week",
     .types = ZF_T_INTEGER,
     .summary = "monthly: week of the month (-1 last, 1 to 4), with monthly_week_day",
     .enum_int = monthly_weeks,
     .n_enum_int = ZF_NELEM(monthly_weeks)},
    {.name = "monthly_week_day",
     .types = ZF_T_INTEGER,
     .summary = "monthly: day of that week, 1 (Sunday) to 7, with monthly_week",
     .enum_int = week_days,
     .n_enum_int = ZF_NELEM(week_days)},
    {.name = "end_times",
     .types = ZF_T_INTEGER,
     .flags = ZF_F_MIN | ZF_F_MAX,
     .min = 0,
     .max = 60,
     .summary = "how many occurrences (0: no end); not with end_date_time",
     .default_json = "1",
     .spec_diff = ZF_DIFF_MIN,
     .spec_note =
         "Zoom's schema has no minimum; 0 means no end and a negative count means nothing"},
    {.name = "end_date_time",
     .types = ZF_T_STRING,
     .format = ZF_FMT_UTC_DATETIME,
     .summary = "last occurrence, UTC (yyyy-MM-ddTHH:mm:ssZ); not with end_times"},
    {0},
};

static const zf_field invitee_fields[] = {
    {.name = "email", .types = ZF_T_STRING, .format = ZF_FMT_EMAIL, .summary = "invitee's email"},
    {0},
};
static const zf_field invitee_item = {
    .name = "invitee", .types = ZF_T_OBJECT, .summary = "one invitee", .fields = invitee_fields};
static const zf_field string_item = {.name = "item", .types = ZF_T_STRING, .summary = "a value"};

static const zf_field waiting_room_fields[] = {
    {.name = "mode",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .summary = "follow_setting or custom",
     .enum_str = waiting_modes},
    {.name = "who_goes_to_waiting_room",
     .types = ZF_T_STRING,
     .summary = "who is sent to the waiting room (mode custom)",
     .enum_str = waiting_who},
    {0},
};

static const zf_field room_fields[] = {
    {.name = "name", .types = ZF_T_STRING, .summary = "room name"},
    {.name = "participants",
     .types = ZF_T_ARRAY,
     .summary = "participants' emails",
     .items = &string_item},
    {0},
};
static const zf_field room_item = {
    .name = "room", .types = ZF_T_OBJECT, .summary = "one breakout room", .fields = room_fields};
static const zf_field breakout_fields[] = {
    BOOL_SETTING("enable", "pre-assign breakout rooms"),
    {.name = "rooms", .types = ZF_T_ARRAY, .summary = "the rooms", .items = &room_item},
    {0},
};

#define SETTINGS(D, ONLY_NEW)                                                                      \
    BOOL_SETTING("host_video", "start with the host's video on"),                                  \
        BOOL_SETTING("participant_video", "start with participants' video on"),                    \
        {.name = "join_before_host",                                                               \
         .types = ZF_T_BOOLEAN,                                                                    \
         D("false"),                                                                               \
         .summary = "participants may join before the host"},                                      \
        {.name = "jbh_time",                                                                       \
         .types = ZF_T_INTEGER,                                                                    \
         .enum_int = jbh_times,                                                                    \
         .n_enum_int = ZF_NELEM(jbh_times),                                                        \
         .summary = "with join_before_host: minutes before start (0 any time, 5, 10, 15)"},        \
        {.name = "mute_upon_entry",                                                                \
         .types = ZF_T_BOOLEAN,                                                                    \
         D("false"),                                                                               \
         .summary = "mute participants when they join"},                                           \
        BOOL_SETTING("waiting_room", "enable the waiting room"),                                   \
        {.name = "waiting_room_options",                                                           \
         .types = ZF_T_OBJECT,                                                                     \
         .fields = waiting_room_fields,                                                            \
         .summary = "waiting room rules"},                                                         \
        {.name = "approval_type",                                                                  \
         .types = ZF_T_INTEGER,                                                                    \
         .enum_int = approval_types,                                                               \
         .n_enum_int = ZF_NELEM(approval_types),                                                   \
         D("2"),                                                                                   \
         .summary = "registration: 0 automatic approval, 1 manual, 2 no registration"},            \
        {.name = "registration_type",                                                              \
         .types = ZF_T_INTEGER,                                                                    \
         .enum_int = registration_types,                                                           \
         .n_enum_int = ZF_NELEM(registration_types),                                               \
         D("1"),                                                                                   \
         .summary = "recurring meetings: 1 once for all, 2 each occurrence, 3 chosen "             \
                    "occurrences"},                                                                \
        {.name = "audio",                                                                          \
         .types = ZF_T_STRING,                                                                     \
         .enum_str = audio_types,                                                                  \
         D("\"both\""),                                                                            \
         .summary = "audio options"},                                                              \
        {.name = "audio_conference_info",                                                          \
         .types = ZF_T_STRING,                                                                     \
         .flags = ZF_F_MULTILINE,                                                                  \
         .max_len = 2048,                                                                          \
         .summary = "third-party audio conference details"},                                       \
        {.name = "auto_recording",                                                                 \
         .types = ZF_T_STRING,                                                                     \
         .enum_str = recording_types,                                                              \
         D("\"none\""),                                                                            \
         .summary = "record automatically: local, cloud or none"},                                 \
        {.name = "alternative_hosts",                                                              \
         .types = ZF_T_STRING,                                                                     \
         .summary = "semicolon-separated emails or ids of alternative hosts"},                     \
        {.name = "alternative_hosts_email_notification",                                           \
         .types = ZF_T_BOOLEAN,                                                                    \
         D("true"),                                                                                \
         .summary = "email alternative hosts"},                                                    \
        BOOL_SETTING("meeting_authentication", "only authenticated users may join"),               \
        {.name = "authentication_option",                                                          \
         .types = ZF_T_STRING,                                                                     \
         .summary = "authentication profile id"},                                                  \
        {.name = "authentication_domains",                                                         \
         .types = ZF_T_STRING,                                                                     \
         .summary = "domains allowed to join when authenticated"},                                 \
        {.name = "contact_name", .types = ZF_T_STRING, .summary = "registration contact name"},    \
        {.name = "contact_email",                                                                  \
         .types = ZF_T_STRING,                                                                     \
         .format = ZF_FMT_EMAIL,                                                                   \
         .summary = "registration contact email"},                                                 \
        {.name = "email_notification",                                                             \
         .types = ZF_T_BOOLEAN,                                                                    \
         D("true"),                                                                                \
         .summary = "email the host and alternative hosts"},                                       \
        BOOL_SETTING("registrants_confirmation_email", "email registrants when they register"),    \
        BOOL_SETTING("registrants_email_notification", "email registrants about approval"),        \
        {.name = "close_registration",                                                             \
         .types = ZF_T_BOOLEAN,                                                                    \
         D("false"),                                                                               \
         .summary = "close registration after the event date"},                                    \
        BOOL_SETTING("show_share_button", "show social share buttons on registration"),            \
        BOOL_SETTING("allow_multiple_devices", "attendees may join from several devices"),         \
        BOOL_SETTING("use_pmi", "use the host's personal meeting id"),                             \
        BOOL_SETTING("watermark", "watermark shared screens"),                                     \
        BOOL_SETTING("private_meeting", "hide the topic in the host's calendar"),                  \
        {.name = "encryption_type",                                                                \
         .types = ZF_T_STRING,                                                                     \
         .enum_str = encryption_types,                                                             \
         .summary = "enhanced_encryption or e2ee"},                                                \
        {.name = "calendar_type",                                                                  \
         .types = ZF_T_INTEGER,                                                                    \
         .enum_int = calendar_types,                                                               \
         .n_enum_int = ZF_NELEM(calendar_types),                                                   \
         .summary = "1 Outlook, 2 Google Calendar"},                                               \
        BOOL_SETTING("focus_mode", "start in focus mode"),                                         \
        {.name = "internal_meeting",                                                               \
         .types = ZF_T_BOOLEAN,                                                                    \
         D("false"),                                                                               \
         .summary = "an internal meeting"},                                                        \
        {.name = "push_change_to_calendar",                                                        \
         .types = ZF_T_BOOLEAN,                                                                    \
         D("false"),                                                                               \
         .summary = "push changes to the host's calendar"},                                        \
        BOOL_SETTING("auto_start_meeting_summary", "start the AI meeting summary automatically"),  \
        {.name = "who_will_receive_summary",                                                       \
         .types = ZF_T_INTEGER,                                                                    \
         .enum_int = summary_receivers,                                                            \
         .n_enum_int = ZF_NELEM(summary_receivers),                                                \
         .summary = "who receives the summary (1 to 4)"},                                          \
        BOOL_SETTING("auto_start_ai_companion_questions", "start AI Companion questions"),         \
        {.name = "who_can_ask_questions",                                                          \
         .types = ZF_T_INTEGER,                                                                    \
         .enum_int = question_askers,                                                              \
         .n_enum_int = ZF_NELEM(question_askers),                                                  \
         .summary = "who may ask AI Companion (1 to 5)"},                                          \
        {.name = "device_testing",                                                                 \
         .types = ZF_T_BOOLEAN,                                                                    \
         D("false"),                                                                               \
         .summary = "device testing before joining"},                                              \
        {.name = "disable_participant_video",                                                      \
         .types = ZF_T_BOOLEAN,                                                                    \
         D("false"),                                                                               \
         .summary = "turn participants' video off"},                                               \
        ONLY_NEW(BOOL_SETTING("show_join_info", "show join information in the meeting"), ){        \
            .name = "meeting_invitees",                                                            \
            .types = ZF_T_ARRAY,                                                                   \
            .items = &invitee_item,                                                                \
            .summary = "people to invite: [{\"email\": ...}]"},                                    \
        {.name = "global_dial_in_countries",                                                       \
         .types = ZF_T_ARRAY,                                                                      \
         .items = &string_item,                                                                    \
         .summary = "dial-in countries"},                                                          \
        {.name = "breakout_room",                                                                  \
         .types = ZF_T_OBJECT,                                                                     \
         .fields = breakout_fields,                                                                \
         .summary = "pre-assigned breakout rooms"}, /* end of SETTINGS */

/* A new meeting's settings state Zoom's defaults; a change's state none
 * and lack show_join_info, which Zoom's update schema does not have. */
#define KEEP(...) __VA_ARGS__
#define DROP(...)
const zf_field zf_actions__meeting_settings_new[] = {SETTINGS(ZF_MEETING_DEFAULT, KEEP){0}};
const zf_field zf_actions__meeting_settings_change[] = {SETTINGS(ZF_MEETING_NO_DEFAULT, DROP){0}};

static const zf_field tracking_new[] = {
    {.name = "field",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .summary = "tracking field label"},
    {.name = "value", .types = ZF_T_STRING, .summary = "tracking field value"},
    {0},
};
static const zf_field tracking_change[] = {
    {.name = "field",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .summary = "tracking field label",
     .spec_diff = ZF_DIFF_REQUIRED,
     .spec_note = "Zoom's update schema leaves it optional; a value without its label means "
                  "nothing, and Zoom's create requires it"},
    {.name = "value", .types = ZF_T_STRING, .summary = "tracking field value"},
    {0},
};
const zf_field zf_actions__tracking_field_new = {.name = "tracking_field",
                                                 .types = ZF_T_OBJECT,
                                                 .summary = "one tracking field",
                                                 .fields = tracking_new};
const zf_field zf_actions__tracking_field_change = {.name = "tracking_field",
                                                    .types = ZF_T_OBJECT,
                                                    .summary = "one tracking field",
                                                    .fields = tracking_change};

/* ---- checks between fields ------------------------------------------------ */

void zf_actions__check_start_zone(zf_problems *p, const json_t *in)
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

void zf_actions__check_recurrence_members(zf_problems *p, const json_t *rec)
{
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
