/*
 * delete_meeting: DELETE /meetings/{meetingId} (Meetings API,
 * meetingDelete). Without occurrence_id a recurring meeting is deleted
 * whole. Zoom answers 204 without a body.
 *
 * Idempotency: the client retries a DELETE whose connection dropped after
 * sending. When that first attempt did delete the meeting, the retry hears
 * 404 code 3001 (an occurrence: 400 code 300 "Invalid parameter:
 * occurrence_id"); the `gone` rule turns that into "already deleted"
 * (run.c does so only after such an attempt). A delete of a meeting that
 * does not exist still fails with Zoom's not-found.
 */
#include "actions_internal.h"

static const zf_field input[] = {
    ZF_FIELD_MEETING_ID(ZF_FMT_MEETING_ID, "the meeting id"),
    {.name = "occurrence_id",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .format = ZF_FMT_OCCURRENCE_ID,
     .summary = "delete only this occurrence of a recurring meeting"},
    {.name = "schedule_for_reminder",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "email the host and alternative hosts about the cancellation"},
    {.name = "cancel_meeting_reminder",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "email the registrants about the cancellation (Zoom: false when absent)"},
    {0},
};

static int gone(const json_t *in, const zf_error *err)
{
    if (err->code == ZF_ENOTFOUND && err->zoom_code == 3001)
        return 1;
    /* a deleted occurrence is no longer one of the meeting's */
    return json_object_get(in, "occurrence_id") && err->http_status == 400 && err->zoom_code == 300;
}

static int output(zf_action_result *res, const json_t *in, zf_outcome outcome, int64_t now,
                  zf_error *err)
{
    json_t *occ = json_object_get(in, "occurrence_id");
    res->output = json_pack("{s:b,s:O,s:O,s:b}", "deleted", 1, "meeting_id",
                            json_object_get(in, "meeting_id"), "occurrence_id",
                            occ ? occ : json_null(), "already_deleted", outcome == ZF_OUTCOME_GONE);
    (void)now;
    return res->output ? 0
                       : zf_error_set(err, ZF_ENOMEM,
                                      "out of memory making delete_meeting's "
                                      "output");
}

static const char *const output_keys[] = {"deleted", "meeting_id", "occurrence_id",
                                          "already_deleted", NULL};
static const char *const notes[] = {
    "A meeting that does not exist is Zoom's 404 code 3001, reported as not found.",
    "A delete retried after a dropped response does not fail: when the connection drops "
    "after the request was sent, zoomflow sends it again, and if Zoom then answers that the "
    "meeting (or occurrence) does not exist, it is gone either way (most likely the first "
    "attempt deleted it): the output says \"already_deleted\": true, with a warning.",
    NULL,
};
static const char *const classic[] = {"meeting:write:admin", "meeting:write", NULL};

const zf_action zf_action__delete_meeting = {
    .name = "delete_meeting",
    .summary = "Delete a meeting, or one occurrence of a recurring meeting.",
    .words = {"meetings", "delete"},
    .method = "DELETE",
    .path = "/meetings/{meetingId}",
    .scope = "meeting:delete:meeting:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_WRITE,
    .input = input,
    .item_type = "meeting",
    .output_keys = output_keys,
    .output = output,
    .gone = gone,
    .output_doc = "`{\"deleted\": true, \"meeting_id\", \"occurrence_id\" (null for the whole "
                  "meeting), \"already_deleted\": false, or true when a retried request found "
                  "the work done}`",
    .notes = notes,
};
