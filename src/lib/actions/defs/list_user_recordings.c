/*
 * list_user_recordings: GET /users/{userId}/recordings (Meetings API,
 * recordingsList): a user's cloud recordings, one item per recorded
 * meeting instance with its files.
 *
 * Zoom answers at most one month between `from` and `to` per request, so
 * the caller's range is listed month by month (calendar months, each day in
 * exactly one of them) and every month page by page: a caller asking for a
 * year gets a year. Trash listings take no date range (Zoom's rule).
 */
#include "actions_internal.h"

static const char *const trash_types[] = {"meeting_recordings", "recording_file", NULL};
static const char *const mc_values[] = {"true", "false", NULL};

static const zf_field input[] = {
    ZF_FIELD_USER_ID("whose recordings: \"me\", an email or a user id"),
    ZF_FIELD_MONTHS_FROM,
    ZF_FIELD_MONTHS_TO,
    {.name = "meeting_id",
     .types = ZF_T_INTEGER,
     .in = ZF_IN_QUERY,
     .flags = ZF_F_MIN,
     .min = 1,
     .summary = "only this meeting's recordings",
     .spec_diff = ZF_DIFF_MIN,
     .spec_note = "a meeting id is positive; Zoom's schema gives no minimum"},
    {.name = "trash",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .default_json = "false",
     .summary = "list the trash instead (no from/to then)"},
    {.name = "trash_type",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .enum_str = trash_types,
     .default_json = "\"meeting_recordings\"",
     .summary = "with trash: meeting_recordings (whole recordings) or recording_file "
                "(single files)",
     .spec_diff = ZF_DIFF_ENUM,
     .spec_note = "Zoom's schema names the two values in the description only"},
    {.name = "mc",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .enum_str = mc_values,
     .default_json = "\"false\"",
     .summary = "\"true\": also on-premise meeting connector metadata",
     .spec_diff = ZF_DIFF_ENUM,
     .spec_note = "Zoom's schema types this flag as a string with default \"false\" and no "
                  "enum; only true and false mean anything"},
    ZF_FIELD_PAGE_SIZE(300, "recordings per page"),
    ZF_FIELD_LIMIT,
    {0},
};

static void check(zf_problems *p, const json_t *in)
{
    int trash = json_is_true(json_object_get(in, "trash"));
    static const char *const dates[] = {"from", "to"};
    for (size_t i = 0; trash && i < ZF_NELEM(dates); i++)
        if (json_object_get(in, dates[i]))
            zf_problems_add(p, dates[i], "conflict", json_object_get(in, dates[i]), -1,
                            "Zoom does not filter the trash by date: drop %s or trash", dates[i]);
    if (!trash && json_object_get(in, "trash_type"))
        zf_problems_add(p, "trash_type", "dependency", json_object_get(in, "trash_type"), -1,
                        "trash_type chooses what the trash listing holds: it needs trash: "
                        "true");
    zf_actions__months_check(p, in);
}

static const char *const rules[] = {
    ZF_MONTHS_RULE,
    ZF_MONTHS_ORDER_RULE,
    "trash excludes from and to; trash_type needs trash.",
    ZF_MONTHS_LIMIT_RULE,
    NULL,
};

/* One recorded meeting instance; the files carry the download URLs. */
const char *const zf_actions__recording_keys[] = {
    "uuid",
    "id",
    "account_id",
    "host_id",
    "host_email",
    "topic",
    "type",
    "start_time",
    "duration",
    "total_size",
    "recording_count",
    "share_url",
    "recording_play_passcode",
    "auto_delete",
    "auto_delete_date",
    "recording_files",
    "participant_audio_files",
    NULL,
};
static const char *const classic[] = {"recording:read:admin", "recording:read", NULL};

const zf_action zf_action__list_user_recordings = {
    .name = "list_user_recordings",
    .summary = "List a user's cloud recordings over any date range (Zoom's one-month "
               "window is paged for you).",
    .words = {"recordings", "list"},
    .method = "GET",
    .path = "/users/{userId}/recordings",
    .scope = "cloud_recording:read:list_user_recordings:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_READ,
    .input = input,
    .check = check,
    .rules = rules,
    .build = zf_actions__months_build,
    .item_type = "recording",
    .items_key = "meetings",
    .output_keys = zf_actions__recording_keys,
};
