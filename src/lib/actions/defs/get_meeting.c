/*
 * get_meeting: GET /meetings/{meetingId} (Meetings API, meeting). With
 * occurrence_id, Zoom answers that occurrence's start, duration and
 * settings; a recurring meeting lists its occurrences (status available or
 * deleted), the past ones only with show_previous_occurrences.
 */
#include "actions_internal.h"

static const zf_field input[] = {
    ZF_FIELD_MEETING_ID(ZF_FMT_MEETING_ID, "the meeting id"),
    {.name = "occurrence_id",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .format = ZF_FMT_OCCURRENCE_ID,
     .summary = "one occurrence of a recurring meeting (from its occurrences list)"},
    {.name = "show_previous_occurrences",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "also list the occurrences that are already over"},
    {0},
};

static const char *const output_keys[] = {
    "id",           "uuid",
    "host_id",      "host_email",
    "topic",        "type",
    "status",       "start_time",
    "duration",     "timezone",
    "agenda",       "created_at",
    "join_url",     "registration_url",
    "password",     "pmi",
    "pre_schedule", "template_id",
    "occurrences",  "recurrence",
    "settings",     "tracking_fields",
    NULL,
};
static const char *const classic[] = {"meeting:read", "meeting:read:admin", NULL};

const zf_action zf_action__get_meeting = {
    .name = "get_meeting",
    .summary = "Get a meeting: its time, links, settings and occurrences.",
    .words = {"meetings", "get"},
    .method = "GET",
    .path = "/meetings/{meetingId}",
    .scope = "meeting:read:meeting:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_READ,
    .input = input,
    .item_type = "meeting",
    .output_keys = output_keys,
};
