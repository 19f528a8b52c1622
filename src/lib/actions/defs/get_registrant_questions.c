/*
 * get_registrant_questions: GET /meetings/{meetingId}/registrants/questions
 * (Meetings API, meetingRegistrantsQuestionsGet): the registration form's
 * questions, which fields it asks and which it requires, and its custom
 * questions. add_meeting_registrant must answer the required ones.
 */
#include "actions_internal.h"

static const zf_field input[] = {
    ZF_FIELD_MEETING_ID(ZF_FMT_MEETING_ID, "the meeting id (registration must be enabled on it)"),
    {0},
};

static const char *const output_keys[] = {"questions", "custom_questions", NULL};
static const char *const classic[] = {"meeting:read", "meeting:read:admin", NULL};

const zf_action zf_action__get_registrant_questions = {
    .name = "get_registrant_questions",
    .summary = "Get a meeting's registration questions (which answers registrants must give).",
    .words = {"registrants", "questions"},
    .method = "GET",
    .path = "/meetings/{meetingId}/registrants/questions",
    .scope = "meeting:read:list_registration_questions:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_READ,
    .input = input,
    .item_type = "registration form",
    .output_keys = output_keys,
};
