/*
 * update_registrant_questions: PATCH
 * /meetings/{meetingId}/registrants/questions (Meetings API,
 * meetingRegistrantQuestionUpdate): which registration fields the form
 * asks (and requires), and its custom questions. Each list given replaces
 * the form's list whole; a list not given stays. Zoom answers 204.
 */
#include "actions_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const field_names[] = {
    "last_name",
    "address",
    "city",
    "country",
    "zip",
    "state",
    "phone",
    "industry",
    "org",
    "job_title",
    "purchasing_time_frame",
    "role_in_purchase_process",
    "no_of_employees",
    "comments",
    NULL,
};
static const char *const question_types[] = {"short", "single", NULL};

static const zf_field question_fields[] = {
    {.name = "field_name",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .enum_str = field_names,
     .summary = "the registrant field the form asks for",
     .spec_diff = ZF_DIFF_REQUIRED,
     .spec_note = "Zoom's schema leaves it optional; a question without its field asks nothing"},
    {.name = "required", .types = ZF_T_BOOLEAN, .summary = "registrants must fill it in"},
    {0},
};
static const zf_field question_item = {.name = "question",
                                       .types = ZF_T_OBJECT,
                                       .summary = "one field of the form",
                                       .fields = question_fields};

static const zf_field answer_item = {
    .name = "answer", .types = ZF_T_STRING, .summary = "one choice"};
static const zf_field custom_fields[] = {
    {.name = "title",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .summary = "the question as shown; registrants answer it by this title",
     .spec_diff = ZF_DIFF_REQUIRED,
     .spec_note = "Zoom's schema leaves it optional; registrants answer a custom question by "
                  "its title, so one without a title cannot be answered"},
    {.name = "type",
     .types = ZF_T_STRING,
     .enum_str = question_types,
     .summary = "short (free text) or single (one of answers)"},
    {.name = "required", .types = ZF_T_BOOLEAN, .summary = "registrants must answer it"},
    {.name = "answers",
     .types = ZF_T_ARRAY,
     .items = &answer_item,
     .summary = "the choices of a single question"},
    {0},
};
static const zf_field custom_item = {.name = "custom_question",
                                     .types = ZF_T_OBJECT,
                                     .summary = "one custom question",
                                     .fields = custom_fields};

static const zf_field input[] = {
    ZF_FIELD_MEETING_ID(ZF_FMT_MEETING_ID, "the meeting id (registration must be enabled on it)"),
    {.name = "questions",
     .types = ZF_T_ARRAY,
     .items = &question_item,
     .summary = "the form's fields: [{\"field_name\": \"org\", \"required\": true}]"},
    {.name = "custom_questions",
     .types = ZF_T_ARRAY,
     .items = &custom_item,
     .summary = "custom questions: [{\"title\", \"type\", \"required\", \"answers\"}]"},
    {0},
};

static void check_questions(zf_problems *p, const json_t *list)
{
    json_t *q;
    size_t i, j;
    json_array_foreach (list, i, q) {
        const char *name = zf_actions__str(q, "field_name");
        for (j = 0; name && j < i; j++) {
            const char *other = zf_actions__str(json_array_get(list, j), "field_name");
            if (!other || strcmp(other, name) != 0)
                continue;
            char path[64];
            snprintf(path, sizeof path, "questions[%zu].field_name", i);
            zf_problems_add(p, path, "conflict", json_object_get(q, "field_name"), -1,
                            "%s is already questions[%zu]: ask each field once", name, j);
            break;
        }
    }
}

static void check_custom(zf_problems *p, const json_t *list)
{
    json_t *q;
    size_t i, j;
    json_array_foreach (list, i, q) {
        char path[64];
        const char *title = zf_actions__str(q, "title"), *type = zf_actions__str(q, "type");
        json_t *answers = json_object_get(q, "answers");
        int single = type && strcmp(type, "single") == 0;
        for (j = 0; title && j < i; j++) {
            const char *other = zf_actions__str(json_array_get(list, j), "title");
            if (other && strcmp(other, title) == 0) {
                snprintf(path, sizeof path, "custom_questions[%zu].title", i);
                zf_problems_add(p, path, "conflict", json_object_get(q, "title"), -1,
                                "custom_questions[%zu] has the same title: registrants answer "
                                "by title, so titles must differ",
                                j);
                break;
            }
        }
        snprintf(path, sizeof path, "custom_questions[%zu].answers", i);
        if (single && json_array_size(answers) == 0)
            zf_problems_add(p, path, "required", answers, -1,
                            "a single question needs its choices, e.g. [\"S\", \"M\", \"L\"]");
        else if (!single && answers)
            zf_problems_add(p, path, "dependency", answers, -1,
                            "answers are the choices of a type single question; set type to "
                            "single or drop answers (a short question takes free text)");
    }
}

static void check(zf_problems *p, const json_t *in)
{
    json_t *qs = json_object_get(in, "questions"), *cq = json_object_get(in, "custom_questions");
    if (!qs && !cq)
        zf_problems_add(p, "", "required", NULL, -1,
                        "nothing to change: give questions, custom_questions or both (each "
                        "replaces the form's list; [] empties it)");
    check_questions(p, qs);
    check_custom(p, cq);
}

static const char *const rules[] = {
    "questions or custom_questions (or both).",
    "each field_name at most once; custom question titles differ.",
    "answers only for type single, which needs them.",
    NULL,
};

static int output(zf_action_result *res, const json_t *in, zf_outcome outcome, int64_t now,
                  zf_error *err)
{
    json_t *fields = json_array();
    static const char *const lists[] = {"questions", "custom_questions"};
    for (size_t i = 0; fields && i < ZF_NELEM(lists); i++)
        if (json_object_get(in, lists[i]))
            json_array_append_new(fields, json_string(lists[i]));
    res->output = json_pack("{s:b,s:O,s:o}", "updated", 1, "meeting_id",
                            json_object_get(in, "meeting_id"), "fields", fields);
    (void)outcome;
    (void)now;
    return res->output ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
}

static const char *const output_keys[] = {"updated", "meeting_id", "fields", NULL};
static const char *const notes[] = {
    "Each list given replaces the form's list whole ([] removes every question of that "
    "kind); a list not given stays as it is.",
    "Once a field or custom question is required, add_meeting_registrant without it is "
    "refused by Zoom (code 300, naming the field).",
    NULL,
};
static const char *const classic[] = {"meeting:write", "meeting:write:admin", NULL};

const zf_action zf_action__update_registrant_questions = {
    .name = "update_registrant_questions",
    .summary = "Set a meeting's registration questions (what registrants must answer).",
    .words = {"registrants", "set-questions"},
    .method = "PATCH",
    .path = "/meetings/{meetingId}/registrants/questions",
    .scope = "meeting:update:registration_question:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_WRITE,
    .input = input,
    .check = check,
    .rules = rules,
    .item_type = "registration form",
    .output_keys = output_keys,
    .output = output,
    .output_doc = "`{\"updated\": true, \"meeting_id\", \"fields\": [the lists replaced]}`",
    .notes = notes,
};
