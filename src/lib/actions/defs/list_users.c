/* list_users: GET /users (Users API, operationId `users`). */
#include "actions_internal.h"

static const char *const statuses[] = {"active", "inactive", "pending", NULL};

static const zf_field input[] = {
    {.name = "status",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .enum_str = statuses,
     .default_json = "\"active\"",
     .summary = "which users: active, inactive or pending"},
    {.name = "role_id",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .summary = "only users with this role id"},
    ZF_FIELD_PAGE_SIZE(2000, "users per page (Zoom's older docs and accounts cap at 300)"),
    ZF_FIELD_NEXT_PAGE_TOKEN,
    ZF_FIELD_ALL,
    ZF_FIELD_LIMIT,
    {0},
};

static const char *const rules[] = {ZF_LIST_RULE, ZF_LIMIT_RULE, NULL};

static const char *const output_keys[] = {
    "id",
    "email",
    "first_name",
    "last_name",
    "display_name",
    "type",
    "status",
    "pmi",
    "timezone",
    "dept",
    "role_id",
    "verified",
    "user_created_at",
    "last_login_time",
    NULL,
};

static const char *const columns[] = {
    "id",   "email",    "first_name",      "last_name",       "type", "status",
    "dept", "timezone", "user_created_at", "last_login_time", NULL,
};

static const char *const classic[] = {"user:read", "user:write", "user:read:admin",
                                      "user:write:admin", NULL};

const zf_action zf_action__list_users = {
    .name = "list_users",
    .summary = "List the account's users.",
    .words = {"users", "list"},
    .method = "GET",
    .path = "/users",
    .scope = "user:read:list_users:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_READ,
    .input = input,
    .check = zf_actions__list_check,
    .rules = rules,
    .build = zf_actions__list_build,
    .item_type = "user",
    .items_key = "users",
    .output_keys = output_keys,
    .columns = columns,
};
