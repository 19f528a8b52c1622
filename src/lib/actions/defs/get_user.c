/* get_user: GET /users/{userId} (Users API, operationId `user`). */
#include "actions_internal.h"

/* Zoom's login methods (11, 21, 23 exist only in China). */
static const int64_t login_types[] = {0, 1, 11, 21, 23, 24, 27, 97, 98, 99, 100, 101};

static const zf_field input[] = {
    ZF_FIELD_USER_ID("\"me\", the user's email or the user's id"),
    {.name = "login_type",
     .types = ZF_T_INTEGER,
     .in = ZF_IN_QUERY,
     .enum_int = login_types,
     .n_enum_int = ZF_NELEM(login_types),
     .summary = "the login method whose profile to read: 0 Facebook, 1 Google, 24 Apple, "
                "27 Microsoft, 97 mobile, 98 RingCentral, 99 API user, 100 Zoom Work email, "
                "101 SSO (11 phone, 21 WeChat, 23 Alipay: China only)"},
    {.name = "encrypted_email",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .default_json = "false",
     .summary = "user_id is an encrypted email address"},
    {.name = "search_by_unique_id",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "user_id is an employee unique id (SSO)"},
    {0},
};

/* What a workflow reads of a user; also update_user's output (it re-reads). */
const char *const zf_actions__user_keys[] = {
    "id",
    "email",
    "first_name",
    "last_name",
    "display_name",
    "type",
    "status",
    "role_name",
    "role_id",
    "pmi",
    "use_pmi",
    "personal_meeting_url",
    "timezone",
    "language",
    "dept",
    "job_title",
    "company",
    "location",
    "manager",
    "phone_numbers",
    "group_ids",
    "account_id",
    "verified",
    "login_types",
    "user_created_at",
    "last_login_time",
    NULL,
};
static const char *const classic[] = {
    "user:read",      "user:write", "user:read:admin", "user:write:admin", "user_profile",
    "user_info:read", NULL};

const zf_action zf_action__get_user = {
    .name = "get_user",
    .summary = "Get one user of the account (by id, email or \"me\").",
    .words = {"users", "get"},
    .method = "GET",
    .path = "/users/{userId}",
    .scope = "user:read:user:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_READ,
    .input = input,
    .item_type = "user",
    .output_keys = zf_actions__user_keys,
};
