/*
 * The meeting fields create_meeting and update_meeting share, written
 * once: the top-level members of a meeting body as initializer lists, the
 * settings, recurrence and tracking-field tables, and the checks between
 * fields (start_time against timezone, the recurrence rules).
 *
 * Zoom's two schemas differ in small ways the spec test sees, so some
 * tables exist twice, made from one list in meeting_fields.c: a create
 * states Zoom's defaults (what an absent field becomes) and an update
 * states none (an absent field stays as it is); Zoom's update schema lacks
 * settings.show_join_info and does not require tracking_fields[].field.
 */
#ifndef ZF_ACTIONS_MEETING_FIELDS_H
#define ZF_ACTIONS_MEETING_FIELDS_H

#include "actions_internal.h"

extern const int64_t zf_actions__meeting_types[5];
extern const zf_field zf_actions__meeting_recurrence[];
/* settings: a new meeting's (with Zoom's defaults) and a change's */
extern const zf_field zf_actions__meeting_settings_new[];
extern const zf_field zf_actions__meeting_settings_change[];
/* one tracking field: {field, value}, field required (create) or not */
extern const zf_field zf_actions__tracking_field_new;
extern const zf_field zf_actions__tracking_field_change;

#define ZF_MEETING_DEFAULT(json) .default_json = (json)
#define ZF_MEETING_NO_DEFAULT(json) .default_json = NULL

/* topic, type, start_time, duration, timezone, password: the members
 * before create_meeting's default_password. DEFAULT is ZF_MEETING_DEFAULT
 * or ZF_MEETING_NO_DEFAULT. */
#define ZF_MEETING_FIELDS_HEAD(DEFAULT)                                                            \
    {.name = "topic", .types = ZF_T_STRING, .max_len = 200, .summary = "the meeting's topic"},     \
        {.name = "type",                                                                           \
         .types = ZF_T_INTEGER,                                                                    \
         .enum_int = zf_actions__meeting_types,                                                    \
         .n_enum_int = ZF_NELEM(zf_actions__meeting_types),                                        \
         DEFAULT("2"),                                                                             \
         .summary = "1 instant, 2 scheduled, 3 recurring without fixed time, 8 recurring with "    \
                    "fixed time, 10 screen share only"},                                           \
        {.name = "start_time",                                                                     \
         .types = ZF_T_STRING,                                                                     \
         .format = ZF_FMT_ZOOM_DATETIME,                                                           \
         .summary = "types 2 and 8: local yyyy-MM-ddTHH:mm:ss with `timezone`, or UTC ending in "  \
                    "Z without `timezone`"},                                                       \
        {.name = "duration",                                                                       \
         .types = ZF_T_INTEGER,                                                                    \
         .flags = ZF_F_MIN | ZF_F_MAX,                                                             \
         .min = 1,                                                                                 \
         .max = 1440,                                                                              \
         DEFAULT("60"),                                                                            \
         .summary = "minutes"},                                                                    \
        {.name = "timezone",                                                                       \
         .types = ZF_T_STRING,                                                                     \
         .format = ZF_FMT_TIMEZONE,                                                                \
         .summary = "zone of a local start_time, e.g. America/New_York"},                          \
    {                                                                                              \
        .name = "password", .types = ZF_T_STRING, .flags = ZF_F_SECRET, .max_len = 10,             \
        .format = ZF_FMT_PASSCODE,                                                                 \
        .summary = "meeting passcode (the account may impose more rules)"                          \
    }

/* agenda, pre_schedule, schedule_for, template_id, tracking_fields,
 * recurrence, settings. SETTINGS and TRACKING are the tables above. */
#define ZF_MEETING_FIELDS_TAIL(DEFAULT, SETTINGS, TRACKING)                                        \
    {.name = "agenda",                                                                             \
     .types = ZF_T_STRING,                                                                         \
     .flags = ZF_F_MULTILINE,                                                                      \
     .max_len = 2000,                                                                              \
     .summary = "description"},                                                                    \
        {.name = "pre_schedule",                                                                   \
         .types = ZF_T_BOOLEAN,                                                                    \
         DEFAULT("false"),                                                                         \
         .summary = "a GSuite pre-scheduled meeting (types 2 and 3)"},                             \
        {.name = "schedule_for",                                                                   \
         .types = ZF_T_STRING,                                                                     \
         .format = ZF_FMT_USER_ID,                                                                 \
         .summary = "schedule on behalf of this user (email or id; not for instant meetings)"},    \
        {.name = "template_id", .types = ZF_T_STRING, .summary = "an admin meeting template id"},  \
        {.name = "tracking_fields",                                                                \
         .types = ZF_T_ARRAY,                                                                      \
         .items = &(TRACKING),                                                                     \
         .summary = "tracking fields: [{\"field\": ..., \"value\": ...}]"},                        \
        {.name = "recurrence",                                                                     \
         .types = ZF_T_OBJECT,                                                                     \
         .fields = zf_actions__meeting_recurrence,                                                 \
         .summary = "type 8 only: how the meeting repeats"},                                       \
    {                                                                                              \
        .name = "settings", .types = ZF_T_OBJECT, .fields = (SETTINGS),                            \
        .summary = "meeting settings (known keys only)"                                            \
    }

/* start_time with Z or an offset together with timezone: Zoom would
 * silently ignore the zone. */
void zf_actions__check_start_zone(zf_problems *p, const json_t *in);
/* The rules inside one recurrence object (`rec` is the object, problems
 * are named recurrence.<key>): repeat_interval per type, end_times vs
 * end_date_time, weekly_days for weekly only, the monthly members. */
void zf_actions__check_recurrence_members(zf_problems *p, const json_t *rec);
/* The rule texts of the two checks above, in that order, NULL-terminated
 * by the caller's list: ZF_MEETING_RULE_ZONE then ZF_MEETING_RULES_RECURRENCE. */
#define ZF_MEETING_RULE_ZONE                                                                       \
    "start_time with Z or an offset is refused together with timezone (Zoom ignores the zone)."
#define ZF_MEETING_RULES_RECURRENCE                                                                \
    "repeat_interval is at most 99 (daily), 50 (weekly) or 10 (monthly).",                         \
        "end_times and end_date_time exclude each other.",                                         \
        "weekly_days is required for weekly and only for weekly recurrence; monthly_day, "         \
        "monthly_week and monthly_week_day only for monthly.",                                     \
        "monthly_week and monthly_week_day go together, and exclude monthly_day."

#endif
