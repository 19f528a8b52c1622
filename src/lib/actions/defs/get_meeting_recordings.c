/*
 * get_meeting_recordings: GET /meetings/{meetingId}/recordings
 * (Meetings API, recordingGet). meetingId is a meeting id (its latest
 * instance) or an instance UUID; a UUID that starts with '/' or contains
 * "//" is percent-encoded twice (the path builder applies Zoom's rule).
 */
#include "actions_internal.h"

static const zf_field input[] = {
    ZF_FIELD_MEETING_ID(ZF_FMT_MEETING_ID_UUID,
                        "meeting id (latest instance) or a meeting instance UUID"),
    {.name = "include_download_token",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_LOCAL,
     .summary = "also return download_access_token (sent as include_fields)"},
    {.name = "ttl",
     .types = ZF_T_INTEGER,
     .in = ZF_IN_QUERY,
     .flags = ZF_F_MIN | ZF_F_MAX,
     .min = 0,
     .max = 604800,
     .summary = "download token lifetime in seconds (up to 7 days)"},
    {0},
};

static void check(zf_problems *p, const json_t *in)
{
    if (json_object_get(in, "ttl") && !json_is_true(json_object_get(in, "include_download_token")))
        zf_problems_add(p, "ttl", "dependency", json_object_get(in, "ttl"), -1,
                        "ttl sets the download token's lifetime: it needs "
                        "include_download_token: true");
}

static int build(zf_action_request *req, const json_t *in, zf_error *err)
{
    if (!json_is_true(json_object_get(in, "include_download_token")))
        return 0;
    int rc = zf_action_request_add_query(req, "include_fields", "download_access_token");
    return rc ? zf_error_set(err, rc, "cannot build the request") : 0;
}

static const char *const rules[] = {"ttl needs include_download_token.", NULL};

static const char *const output_keys[] = {
    "uuid",
    "id",
    "account_id",
    "host_id",
    "topic",
    "type",
    "start_time",
    "duration",
    "total_size",
    "recording_count",
    "share_url",
    "password",
    "recording_play_passcode",
    "auto_delete",
    "auto_delete_date",
    "download_access_token",
    "recording_files",
    "participant_audio_files",
    NULL,
};
static const char *const classic[] = {"recording:read", "phone_recording:read:admin", NULL};

const zf_action zf_action__get_meeting_recordings = {
    .name = "get_meeting_recordings",
    .summary = "Get a meeting's cloud recordings and their download links.",
    .words = {"recordings", "get"},
    .method = "GET",
    .path = "/meetings/{meetingId}/recordings",
    .scope = "cloud_recording:read:list_recording_files:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_READ,
    .input = input,
    .check = check,
    .rules = rules,
    .build = build,
    .item_type = "recording",
    .output_keys = output_keys,
};
