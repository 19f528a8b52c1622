/*
 * list_past_meeting_participants: GET /past_meetings/{meetingId}/participants
 * (Meetings API, pastMeetingParticipants): who attended a meeting that has
 * ended. A meeting id means its latest ended instance; an instance UUID one
 * instance (a UUID that starts with '/' or contains "//" is encoded twice).
 * Someone who left and rejoined appears once per stay.
 */
#include "actions_internal.h"

static const zf_field input[] = {
    ZF_FIELD_MEETING_ID(ZF_FMT_MEETING_ID_UUID,
                        "meeting id (its latest ended instance) or an instance UUID"),
    ZF_FIELD_PAGE_SIZE(300, "participants per page"),
    ZF_FIELD_NEXT_PAGE_TOKEN,
    ZF_FIELD_ALL,
    ZF_FIELD_LIMIT,
    {0},
};

static const char *const rules[] = {ZF_LIST_RULE, ZF_LIMIT_RULE, NULL};

static const char *const output_keys[] = {
    "id",       "user_id",       "name",   "user_email", "join_time",     "leave_time",
    "duration", "registrant_id", "status", "failover",   "internal_user", NULL,
};
static const char *const notes[] = {
    "Zoom returns no participants for a meeting that only one person attended, and none for "
    "a meeting more than a year ago (code 12702).",
    "Right after a large meeting ends Zoom may still be computing attendance (durations of "
    "0); run it again a little later.",
    NULL,
};
static const char *const classic[] = {"meeting:read:admin", "meeting:read", NULL};

const zf_action zf_action__list_past_meeting_participants = {
    .name = "list_past_meeting_participants",
    .summary = "List who attended a past meeting: join and leave times, duration.",
    .words = {"participants", "list"},
    .method = "GET",
    .path = "/past_meetings/{meetingId}/participants",
    .scope = "meeting:read:list_past_participants:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_READ,
    .input = input,
    .check = zf_actions__list_check,
    .rules = rules,
    .build = zf_actions__list_build,
    .item_type = "participant",
    .items_key = "participants",
    .output_keys = output_keys,
    .notes = notes,
};
