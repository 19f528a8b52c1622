/*
 * update_registrant_status: PUT /meetings/{meetingId}/registrants/status
 * (Meetings API, meetingRegistrantStatus): approve, deny or cancel up to 30
 * registrants at once (a town hall with manual approval). Each registrant
 * is named by its registrant id or its email. Zoom answers 204 without a
 * body; applying the same status twice changes nothing, so a dropped
 * connection is retried.
 */
#include "actions_internal.h"

#include <stdio.h>

#define REGISTRANTS_MAX 30

static const char *const actions[] = {"approve", "cancel", "deny", NULL};

static const zf_field registrant_fields[] = {
    {.name = "id",
     .types = ZF_T_STRING,
     .max_len = 64,
     .summary = "the registrant id (registrant_id from add_meeting_registrant)",
     .spec_diff = ZF_DIFF_MAXLEN,
     .spec_note = "bounded here; Zoom's registrant ids are 22 characters"},
    {.name = "email",
     .types = ZF_T_STRING,
     .max_len = 128,
     .format = ZF_FMT_EMAIL,
     .summary = "the registrant's email",
     .spec_diff = ZF_DIFF_MAXLEN,
     .spec_note = "bounded as add_meeting_registrant's email (Zoom's 128); Zoom's schema here "
                  "has no limit"},
    {0},
};
static const zf_field registrant_item = {.name = "registrant",
                                         .types = ZF_T_OBJECT,
                                         .summary = "one registrant: {\"id\"} or {\"email\"}",
                                         .fields = registrant_fields};

static const zf_field input[] = {
    ZF_FIELD_MEETING_ID(ZF_FMT_MEETING_ID, "the meeting id (registration must be enabled on it)"),
    {.name = "occurrence_id",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .format = ZF_FMT_OCCURRENCE_ID,
     .summary = "only for this occurrence"},
    {.name = "action",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .enum_str = actions,
     .summary = "approve, deny (a pending registrant) or cancel (an approved one)"},
    {.name = "registrants",
     .types = ZF_T_ARRAY,
     .flags = ZF_F_REQUIRED,
     .items = &registrant_item,
     .max_items = REGISTRANTS_MAX,
     .summary = "whom: [{\"id\": ...} or {\"email\": ...}], 1 to 30",
     .spec_diff = ZF_DIFF_REQUIRED | ZF_DIFF_MAX | ZF_DIFF_MAXITEMS,
     .spec_note = "Zoom's schema writes the limit of 30 as `maximum` on the array (maxItems "
                  "is meant) and leaves the list optional; zoomflow names the registrants so a "
                  "status change never reaches people it was not meant for"},
    {0},
};

static void check(zf_problems *p, const json_t *in)
{
    json_t *regs = json_object_get(in, "registrants"), *r;
    size_t i;
    if (json_is_array(regs) && json_array_size(regs) == 0)
        zf_problems_add(p, "registrants", "minItems", regs, -1,
                        "name at least one registrant: [{\"email\": ...}] or [{\"id\": ...}]");
    json_array_foreach (regs, i, r) {
        char path[64];
        snprintf(path, sizeof path, "registrants[%zu]", i);
        if (json_is_object(r) && !json_object_get(r, "id") && !json_object_get(r, "email"))
            zf_problems_add(p, path, "required", r, -1,
                            "give the registrant's id or email, e.g. {\"email\": "
                            "\"ann@example.com\"}");
    }
}

static const char *const rules[] = {
    "registrants names 1 to 30 registrants, each by id or email.",
    NULL,
};

static int output(zf_action_result *res, const json_t *in, zf_outcome outcome, int64_t now,
                  zf_error *err)
{
    json_t *occ = json_object_get(in, "occurrence_id");
    res->output = json_pack(
        "{s:b,s:O,s:O,s:O,s:I}", "updated", 1, "meeting_id", json_object_get(in, "meeting_id"),
        "occurrence_id", occ ? occ : json_null(), "action", json_object_get(in, "action"),
        "registrants", (json_int_t)json_array_size(json_object_get(in, "registrants")));
    (void)outcome;
    (void)now;
    return res->output ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
}

static const char *const output_keys[] = {"updated", "meeting_id",  "occurrence_id",
                                          "action",  "registrants", NULL};
static const char *const notes[] = {
    "Zoom answers 204 without a body and does not say which registrants it did not know: "
    "list_meeting_registrants with the new status shows the result.",
    "Approving sends the registrant the join link (when the meeting's "
    "registrants_email_notification is on); cancel takes back an approval.",
    NULL,
};
static const char *const classic[] = {"meeting:write:admin", "meeting:write", NULL};

const zf_action zf_action__update_registrant_status = {
    .name = "update_registrant_status",
    .summary = "Approve, deny or cancel meeting registrants (manual approval).",
    .words = {"registrants", "set-status"},
    .method = "PUT",
    .path = "/meetings/{meetingId}/registrants/status",
    .scope = "meeting:update:registrant_status:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_WRITE,
    .input = input,
    .check = check,
    .rules = rules,
    .item_type = "registrant",
    .output_keys = output_keys,
    .output = output,
    .output_doc = "`{\"updated\": true, \"meeting_id\", \"occurrence_id\" (or null), "
                  "\"action\", \"registrants\": how many were named}`",
    .notes = notes,
};
