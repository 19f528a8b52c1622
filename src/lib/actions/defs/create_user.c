/*
 * create_user: POST /users (Users API, userCreate).
 * Reconcile looks the user up by email: GET /users/{email}, or, when the
 * token lacks user:read:user (not among the scopes zoomflow requests), the
 * account's user list in every status.
 */
#include "actions_internal.h"

#include <string.h>

static const char *const create_actions[] = {"create", "autoCreate", "custCreate", "ssoCreate",
                                             NULL};
static const int64_t user_types[] = {1, 2, 4};

static const zf_field user_info_fields[] = {
    {.name = "email",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .max_len = 128,
     .format = ZF_FMT_EMAIL,
     .summary = "the new user's email"},
    {.name = "type",
     .types = ZF_T_INTEGER,
     .flags = ZF_F_REQUIRED,
     .enum_int = user_types,
     .n_enum_int = ZF_NELEM(user_types),
     .summary = "1 Basic, 2 Licensed, 4 Unassigned without Meetings Basic",
     .spec_diff = ZF_DIFF_ENUM,
     .spec_note = "Zoom's 2026 schema still lists 99 (None) but its description strikes it out "
                  "as deprecated"},
    {.name = "first_name", .types = ZF_T_STRING, .max_len = 64, .summary = "first name"},
    {.name = "last_name", .types = ZF_T_STRING, .max_len = 64, .summary = "last name"},
    {.name = "display_name", .types = ZF_T_STRING, .max_len = 128, .summary = "display name"},
    {.name = "password",
     .types = ZF_T_STRING,
     .flags = ZF_F_SECRET,
     .min_len = 8,
     .max_len = 32,
     .format = ZF_FMT_USER_PASSWORD,
     .summary = "autoCreate only: the password (the account may require more)"},
    {0},
};

static const zf_field input[] = {
    {.name = "action",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .enum_str = create_actions,
     .summary = "create (emails an activation link), autoCreate, custCreate or ssoCreate"},
    {.name = "user_info",
     .types = ZF_T_OBJECT,
     .flags = ZF_F_REQUIRED,
     .fields = user_info_fields,
     .summary = "the user",
     .spec_diff = ZF_DIFF_REQUIRED,
     .spec_note = "Zoom's schema only requires `action`, but requires email and type inside "
                  "user_info, so user_info cannot be left out"},
    {0},
};

static void check(zf_problems *p, const json_t *in)
{
    json_t *info = json_object_get(in, "user_info");
    json_t *pw = json_object_get(info, "password");
    const char *action = zf_actions__str(in, "action");
    if (pw && action && strcmp(action, "autoCreate") != 0)
        zf_problems_add(p, "user_info.password", "dependency", NULL, -1,
                        "a password is only used with action autoCreate (with \"%s\" Zoom ignores "
                        "it); remove it or use autoCreate",
                        action);
}

static const char *const rules[] = {
    "user_info.password is only allowed with action autoCreate.",
    NULL,
};

/* ---- reconcile ----------------------------------------------------------- */

static int list_all_statuses(zf_email_match *m, const zf_action_source *src, zf_error *err)
{
    static const char *const statuses[] = {"active", "inactive", "pending"};
    int rc = 0;
    for (size_t i = 0; rc == 0 && !m->found && i < ZF_NELEM(statuses); i++) {
        zf_action_request req;
        rc = zf_actions__lookup_request(&req, "/users");
        if (rc == 0)
            rc = zf_action_request_add_query(&req, "status", statuses[i]);
        if (rc == 0)
            rc = zf_action_request_add_query(&req, "page_size", "300");
        if (rc == 0)
            rc = src->list(src->ctx, &req, "users", zf_actions__find_email, m, err);
        zf_action_request_free(&req);
    }
    return rc;
}

static int reconcile(json_t **found, const json_t *in, const zf_reconcile_opts *o,
                     const zf_action_source *src, zf_error *err)
{
    zf_email_match m = {zf_actions__str(json_object_get(in, "user_info"), "email"), NULL};
    zf_buf path = ZF_BUF_INIT(1024);
    zf_action_request req;
    zf_buf_puts(&path, "/users/");
    int rc = zf_actions__encode_segment(&path, m.email, 0);
    if (rc == 0)
        rc = zf_actions__lookup_request(&req, path.ptr);
    zf_buf_free(&path);
    if (rc != 0)
        return zf_error_set(err, rc, "out of memory");
    json_t *user = NULL;
    rc = src->get(src->ctx, &user, &req, err);
    zf_action_request_free(&req);
    if (rc == ZF_ENOTFOUND)
        return 0;
    if (rc == ZF_ESCOPE) {
        zf_error_reset(err);
        rc = list_all_statuses(&m, src, err);
        user = m.found;
    }
    if (rc != 0) {
        json_decref(user);
        return rc;
    }
    /* GET /users/{email} answers for the account's user with that email */
    if (!user || !zf_actions__email_eq(zf_actions__str(user, "email"), m.email)) {
        json_decref(user);
        return 0;
    }
    *found = user;
    return 1;
}

static const char *const output_keys[] = {"id", "email", "first_name", "last_name", "type", NULL};
static const char *const classic[] = {"user:write", "user:write:admin", NULL};

const zf_action zf_action__create_user = {
    .name = "create_user",
    .summary = "Create a user in the Zoom account.",
    .words = {"users", "create"},
    .method = "POST",
    .path = "/users",
    .scope = "user:write:user:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_CREATE,
    .input = input,
    .check = check,
    .rules = rules,
    .item_type = "user",
    .output_keys = output_keys,
    .reconcile = reconcile,
};
