/*
 * list_account_recordings: GET /accounts/{accountId}/recordings: the cloud
 * recordings of every user of an account, for the compliance archive.
 * accountId `me` is the account the token belongs to (scope
 * cloud_recording:read:list_account_recordings:admin); a sub account's id
 * needs the :master form of the scope.
 *
 * This endpoint is in none of Zoom's 2026 OpenAPI files kept with the
 * project (Zoom documents it with its account-level APIs); its query takes
 * the same from/to/page_size/next_page_token as GET
 * /users/{userId}/recordings, against which the spec test compares it.
 * The same one-month limit holds, so the range is listed month by month.
 */
#include "actions_internal.h"

static const zf_field input[] = {
    {.name = "account_id",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .in = ZF_IN_PATH,
     .wire = "accountId",
     .min_len = 1,
     .max_len = 64,
     .summary = "\"me\" (the connection's own account) or a sub account's id (needs the "
                ":master scope)"},
    ZF_FIELD_MONTHS_FROM,
    ZF_FIELD_MONTHS_TO,
    ZF_FIELD_PAGE_SIZE(300, "recordings per page"),
    ZF_FIELD_LIMIT,
    {0},
};

static const char *const rules[] = {
    ZF_MONTHS_RULE,
    ZF_MONTHS_ORDER_RULE,
    ZF_MONTHS_LIMIT_RULE,
    NULL,
};

static const char *const classic[] = {"recording:read:admin", "account:read:admin", NULL};

const zf_action zf_action__list_account_recordings = {
    .name = "list_account_recordings",
    .summary = "List the cloud recordings of every user of the account over any date range "
               "(month by month, as Zoom requires).",
    .words = {"recordings", "list-account"},
    .method = "GET",
    .path = "/accounts/{accountId}/recordings",
    .scope = "cloud_recording:read:list_account_recordings:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_READ,
    .input = input,
    .check = zf_actions__months_check,
    .rules = rules,
    .build = zf_actions__months_build,
    .item_type = "recording",
    .items_key = "meetings",
    .output_keys = zf_actions__recording_keys,
};
