/*
 * update_user: PATCH /users/{userId} (Users API, userUpdate). Only the
 * fields given change (Zoom's PATCH); Zoom answers 204 with no body, so the
 * output is the user re-read with GET /users/{userId}: what a workflow
 * needs next (the display name Zoom derived, the PMI it now has). The
 * re-read needs user:read:user:admin; when it fails the update still
 * happened, so the output says so and a warning says why there is no more.
 */
#include "actions_internal.h"

#include <stdbool.h>
#include <string.h>

static const int64_t login_types[] = {0, 1, 11, 21, 23, 24, 27, 97, 98, 99, 100, 101};
static const int64_t user_types[] = {1, 2, 4};
static const int64_t pronoun_options[] = {1, 2, 3};
static const char *const phone_labels[] = {"Mobile", "Office", "Home", "Fax", NULL};
static const char *const united_types[] = {
    "1",    "2",    "4",    "8",    "16",    "32",    "64",    "128",    "256",  "512",
    "1024", "2048", "4096", "8192", "16384", "32768", "65536", "131072", "none", NULL,
};

static const zf_field phone_fields[] = {
    {.name = "code", .types = ZF_T_STRING, .summary = "country calling code, e.g. +1"},
    {.name = "country",
     .types = ZF_T_STRING,
     .format = ZF_FMT_COUNTRY,
     .summary = "country id, e.g. US"},
    {.name = "label",
     .types = ZF_T_STRING,
     .enum_str = phone_labels,
     .summary = "Mobile, Office, Home or Fax"},
    {.name = "number", .types = ZF_T_STRING, .summary = "the number"},
    {0},
};
static const zf_field phone_item = {
    .name = "phone", .types = ZF_T_OBJECT, .fields = phone_fields, .summary = "a phone number"};

static const zf_field attribute_fields[] = {
    {.name = "key", .types = ZF_T_STRING, .summary = "the custom attribute's key"},
    {.name = "name", .types = ZF_T_STRING, .summary = "the custom attribute's name"},
    {.name = "value", .types = ZF_T_STRING, .summary = "its value"},
    {0},
};
static const zf_field attribute_item = {.name = "attribute",
                                        .types = ZF_T_OBJECT,
                                        .fields = attribute_fields,
                                        .summary = "a custom attribute"};

static const zf_field feature_fields[] = {
    {.name = "zoom_phone",
     .types = ZF_T_BOOLEAN,
     .summary = "Zoom Phone on (false unassigns the user's numbers and phones)"},
    {0},
};

static const zf_field input[] = {
    ZF_FIELD_USER_ID("\"me\", the user's email or the user's id"),
    {.name = "login_type",
     .types = ZF_T_INTEGER,
     .in = ZF_IN_QUERY,
     .enum_int = login_types,
     .n_enum_int = ZF_NELEM(login_types),
     .summary = "the login method whose profile to change (see get_user)"},
    {.name = "remove_tsp_credentials",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "also remove the user's TSP (telephony) credentials"},
    {.name = "first_name", .types = ZF_T_STRING, .max_len = 64, .summary = "first name"},
    {.name = "last_name", .types = ZF_T_STRING, .max_len = 64, .summary = "last name"},
    {.name = "display_name",
     .types = ZF_T_STRING,
     .max_len = 128,
     .summary = "display name (\"\": Zoom derives it from first and last name)"},
    {.name = "type",
     .types = ZF_T_INTEGER,
     .enum_int = user_types,
     .n_enum_int = ZF_NELEM(user_types),
     .summary = "1 Basic, 2 Licensed, 4 Unassigned without Meetings Basic",
     .spec_diff = ZF_DIFF_ENUM,
     .spec_note = "Zoom's 2026 schema still lists 99 (None) but its description strikes it out "
                  "as deprecated"},
    {.name = "pmi",
     .types = ZF_T_INTEGER,
     .flags = ZF_F_MIN | ZF_F_MAX,
     .min = 1000000000,
     .max = 9999999999,
     .summary = "personal meeting id: 10 digits",
     .spec_diff = ZF_DIFF_MIN | ZF_DIFF_MAX | ZF_DIFF_MINLEN | ZF_DIFF_MAXLEN,
     .spec_note = "Zoom's schema gives this integer minLength and maxLength 10, meaning 10 "
                  "digits; here that is the range 1000000000 to 9999999999"},
    {.name = "use_pmi",
     .types = ZF_T_BOOLEAN,
     .default_json = "false",
     .summary = "use the PMI for instant meetings"},
    {.name = "timezone",
     .types = ZF_T_STRING,
     .format = ZF_FMT_TIMEZONE,
     .summary = "the user's time zone, e.g. Europe/Berlin"},
    {.name = "language", .types = ZF_T_STRING, .summary = "language, e.g. en-US"},
    {.name = "dept", .types = ZF_T_STRING, .summary = "department"},
    {.name = "job_title", .types = ZF_T_STRING, .max_len = 128, .summary = "job title"},
    {.name = "company", .types = ZF_T_STRING, .max_len = 255, .summary = "company"},
    {.name = "location", .types = ZF_T_STRING, .max_len = 256, .summary = "location"},
    {.name = "manager",
     .types = ZF_T_STRING,
     .summary = "the manager's email (or display name) within the account"},
    {.name = "cost_center", .types = ZF_T_STRING, .summary = "cost center"},
    {.name = "group_id", .types = ZF_T_STRING, .summary = "add a pending user to this group"},
    {.name = "host_key",
     .types = ZF_T_STRING,
     .min_len = 6,
     .max_len = 10,
     .summary = "host key: 6 to 10 digits"},
    {.name = "vanity_name", .types = ZF_T_STRING, .summary = "personal meeting room name"},
    {.name = "cms_user_id", .types = ZF_T_STRING, .summary = "Kaltura user id"},
    {.name = "pronouns", .types = ZF_T_STRING, .summary = "pronouns"},
    {.name = "pronouns_option",
     .types = ZF_T_INTEGER,
     .enum_int = pronoun_options,
     .n_enum_int = ZF_NELEM(pronoun_options),
     .summary = "show pronouns: 1 ask every time, 2 always, 3 never"},
    {.name = "about_me",
     .types = ZF_T_STRING,
     .max_len = 150,
     .summary = "self-introduction (no links or HTML)"},
    {.name = "linkedin_url",
     .types = ZF_T_STRING,
     .summary = "LinkedIn profile URL (must contain linkedin.com)"},
    {.name = "plan_united_type",
     .types = ZF_T_STRING,
     .enum_str = united_types,
     .summary = "Zoom United plan (none: turn it off)"},
    {.name = "phone_numbers",
     .types = ZF_T_ARRAY,
     .items = &phone_item,
     .max_items = 3,
     .summary = "phone numbers: [{\"code\", \"country\", \"label\", \"number\"}]"},
    {.name = "custom_attributes",
     .types = ZF_T_ARRAY,
     .items = &attribute_item,
     .max_items = 5,
     .summary = "custom attributes: [{\"key\", \"name\", \"value\"}]"},
    {.name = "feature",
     .types = ZF_T_OBJECT,
     .fields = feature_fields,
     .summary = "features: {\"zoom_phone\": BOOL}"},
    {0},
};

static bool all_digits(const char *s)
{
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Zoom refuses links and HTML in about_me (code 300). */
static bool has_link_or_html(const char *s)
{
    return strchr(s, '<') || strchr(s, '>') || strstr(s, "://") || strstr(s, "www.");
}

static void check(zf_problems *p, const json_t *in)
{
    int changes = 0;
    for (const zf_field *f = input; f->name; f++)
        changes += f->in == ZF_IN_BODY && json_object_get(in, f->name) != NULL;
    if (!changes)
        zf_problems_add(p, "", "required", NULL, -1,
                        "nothing to update: give at least one field to change, e.g. "
                        "first_name or timezone");
    const char *key = zf_actions__str(in, "host_key");
    if (key && !all_digits(key))
        zf_problems_add(p, "host_key", "format", json_object_get(in, "host_key"), -1,
                        "a host key is 6 to 10 digits");
    const char *about = zf_actions__str(in, "about_me");
    if (about && has_link_or_html(about))
        zf_problems_add(p, "about_me", "format", json_object_get(in, "about_me"), -1,
                        "about_me may not hold links or HTML (Zoom refuses them)");
    const char *url = zf_actions__str(in, "linkedin_url");
    if (url && !strstr(url, "linkedin.com"))
        zf_problems_add(p, "linkedin_url", "format", json_object_get(in, "linkedin_url"), -1,
                        "a LinkedIn URL must contain linkedin.com");
}

static const char *const rules[] = {
    "At least one field to change is given (user_id, login_type and remove_tsp_credentials "
    "alone change nothing).",
    "host_key is digits only; about_me holds no links or HTML; linkedin_url contains "
    "linkedin.com.",
    NULL,
};

/* ---- output: the user as Zoom has it now ---------------------------------- */

static int output(zf_action_result *res, const json_t *in, zf_outcome outcome, int64_t now,
                  zf_error *err)
{
    res->output = json_pack("{s:s,s:b}", "user_id", zf_actions__str(in, "user_id"), "updated", 1);
    (void)outcome;
    (void)now;
    return res->output ? 0
                       : zf_error_set(err, ZF_ENOMEM,
                                      "out of memory making "
                                      "update_user's output");
}

/* GET /users/{userId}: the same user_id the PATCH named. */
static int read_back(zf_action_request *req, const json_t *in, zf_error *err)
{
    zf_buf path = ZF_BUF_INIT(1024);
    zf_buf_puts(&path, "/users/");
    int rc = zf_actions__encode_segment(&path, zf_actions__str(in, "user_id"), 0);
    if (rc == 0)
        rc = zf_actions__lookup_request(req, path.ptr);
    zf_buf_free(&path);
    return rc ? zf_error_set(err, rc, "out of memory") : 0;
}

static const char *const classic[] = {"user:write:admin", "user:write", NULL};

const zf_action zf_action__update_user = {
    .name = "update_user",
    .summary = "Change a user's profile: only the fields given change.",
    .words = {"users", "update"},
    .method = "PATCH",
    .path = "/users/{userId}",
    .scope = "user:update:user:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_WRITE,
    .input = input,
    .check = check,
    .rules = rules,
    .item_type = "user",
    .output_keys = zf_actions__user_keys,
    .output = output,
    .read_back = read_back,
    .output_doc = "the user as Zoom has it after the change (read back with GET "
                  "/users/{userId}, which needs user:read:user:admin) with `user_id` and "
                  "`updated`: true; when that read fails, `{\"user_id\", \"updated\": true}` "
                  "and a warning saying why",
};
