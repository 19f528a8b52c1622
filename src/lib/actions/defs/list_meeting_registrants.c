/* list_meeting_registrants: GET /meetings/{meetingId}/registrants
 * (Meetings API, meetingRegistrants). */
#include "actions_internal.h"

static const char *const statuses[] = {"pending", "approved", "denied", NULL};

static const zf_field input[] = {
    ZF_FIELD_MEETING_ID(ZF_FMT_MEETING_ID, "the meeting id"),
    {.name = "status",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .enum_str = statuses,
     .default_json = "\"approved\"",
     .summary = "pending, approved or denied"},
    {.name = "occurrence_id",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .format = ZF_FMT_ID_LIST,
     .summary = "only this occurrence's registrants"},
    ZF_FIELD_PAGE_SIZE(300, "registrants per page"),
    ZF_FIELD_NEXT_PAGE_TOKEN,
    ZF_FIELD_ALL,
    ZF_FIELD_LIMIT,
    {0},
};

static const char *const rules[] = {ZF_LIST_RULE, ZF_LIMIT_RULE, NULL};

/* Every member of Zoom's registrant (meetingRegistrants' 200 schema). */
static const char *const output_keys[] = {
    "id",
    "email",
    "first_name",
    "last_name",
    "status",
    "create_time",
    "join_url",
    "participant_pin_code",
    "custom_questions",
    "org",
    "job_title",
    "country",
    "comments",
    "address",
    "city",
    "state",
    "zip",
    "phone",
    "industry",
    "no_of_employees",
    "purchasing_time_frame",
    "role_in_purchase_process",
    "language",
    NULL,
};
static const char *const columns[] = {
    "id",        "email",   "first_name", "last_name",        "status",   "create_time", "org",
    "job_title", "country", "comments",   "custom_questions", "join_url", NULL,
};
static const char *const classic[] = {"meeting:read", "meeting:read:admin", NULL};

const zf_action zf_action__list_meeting_registrants = {
    .name = "list_meeting_registrants",
    .summary = "List a meeting's registrants.",
    .words = {"registrants", "list"},
    .method = "GET",
    .path = "/meetings/{meetingId}/registrants",
    .scope = "meeting:read:list_registrants:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_READ,
    .input = input,
    .check = zf_actions__list_check,
    .rules = rules,
    .build = zf_actions__list_build,
    .item_type = "registrant",
    .items_key = "registrants",
    .output_keys = output_keys,
    .columns = columns,
};
