/*
 * delete_user: DELETE /users/{userId} (Users API, userDelete): offboarding.
 *
 * `action` disassociate (Zoom's default) unlinks the user from the account
 * and leaves them a free Zoom account of their own; `delete` removes the
 * user and their data for good. Either way their meetings, webinars, cloud
 * recordings and whiteboards can go to another user of the account first
 * (transfer_email plus transfer_*). Zoom answers 204 with no body.
 *
 * A delete is repeated by the Zoom client after an attempt that may have
 * been applied (cut off after sending, timed out, 5xx); Zoom then answers
 * 404 code 1001 for the user the first attempt removed. The `gone` rule
 * turns that 404 into success with already_deleted: true, while a 404 with
 * no such attempt before it stays a clear "user does not exist".
 */
#include "actions_internal.h"

#include <string.h>

static const char *const actions[] = {"disassociate", "delete", NULL};

/* The transfer switches: each needs transfer_email. */
static const char *const transfers[] = {
    "transfer_meeting",   "transfer_webinar", "transfer_recording", "transfer_whiteboard",
    "transfer_clipfiles", "transfer_notes",   "transfer_visitors",  "transfer_docs",
};

static const zf_field input[] = {
    ZF_FIELD_USER_ID("the user leaving: \"me\", their email or their id"),
    {.name = "action",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .enum_str = actions,
     .default_json = "\"disassociate\"",
     .summary = "disassociate (unlink: the user keeps a free account of their own; also the "
                "way to remove a pending user) or delete (permanently, with their data)"},
    {.name = "transfer_email",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .max_len = 128,
     .format = ZF_FMT_EMAIL,
     .summary = "the account user who receives what the transfer_* switches name (required "
                "by Zoom when the user has Zoom Events data)",
     .spec_diff = ZF_DIFF_MAXLEN,
     .spec_note = "Zoom emails are at most 128 characters; Zoom's schema has no limit"},
    {.name = "transfer_meeting",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "give their meetings to transfer_email"},
    {.name = "transfer_webinar",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "give their webinars to transfer_email"},
    {.name = "transfer_recording",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "give their cloud recordings to transfer_email"},
    {.name = "transfer_whiteboard",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "give their Zoom Whiteboard data to transfer_email"},
    {.name = "transfer_clipfiles",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "give their clips to transfer_email"},
    {.name = "transfer_notes",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "give their notes to transfer_email"},
    {.name = "transfer_visitors",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "give their visitors to transfer_email"},
    {.name = "transfer_docs",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .summary = "give their docs to transfer_email"},
    {.name = "encrypted_email",
     .types = ZF_T_BOOLEAN,
     .in = ZF_IN_QUERY,
     .default_json = "false",
     .summary = "user_id is an encrypted email address"},
    {0},
};

static void check(zf_problems *p, const json_t *in)
{
    const char *to = zf_actions__str(in, "transfer_email");
    const char *uid = zf_actions__str(in, "user_id");
    for (size_t i = 0; !to && i < ZF_NELEM(transfers); i++)
        if (json_is_true(json_object_get(in, transfers[i])))
            zf_problems_add(p, transfers[i], "dependency", json_true(), -1,
                            "%s needs transfer_email: the account user who receives it",
                            transfers[i]);
    if (to && uid && zf_actions__email_eq(to, uid))
        zf_problems_add(p, "transfer_email", "conflict", json_object_get(in, "transfer_email"), -1,
                        "transfer_email is the user being removed; name the user who "
                        "takes over (e.g. their manager)");
}

static const char *const rules[] = {
    "Each transfer_* switch set to true needs transfer_email.",
    "transfer_email is not the user being removed.",
    NULL,
};

/* ---- output ------------------------------------------------------------- */

/* Zoom's "User does not exist" to a retry: the dropped attempt removed them. */
static int gone(const json_t *in, const zf_error *err)
{
    return err->code == ZF_ENOTFOUND && err->zoom_code == 1001;
}

static int output(zf_action_result *res, const json_t *in, zf_outcome outcome, int64_t now,
                  zf_error *err)
{
    const char *action = zf_actions__str(in, "action");
    const char *to = zf_actions__str(in, "transfer_email");
    res->output = json_pack("{s:s,s:s,s:b,s:b}", "user_id", zf_actions__str(in, "user_id"),
                            "action", action ? action : "disassociate", "deleted", 1,
                            "already_deleted", outcome == ZF_OUTCOME_GONE);
    if (res->output && to)
        json_object_set_new(res->output, "transfer_email", json_string(to));
    (void)now;
    return res->output ? 0
                       : zf_error_set(err, ZF_ENOMEM,
                                      "out of memory making "
                                      "delete_user's output");
}

static const char guide[] =
    "### Offboarding\n"
    "\n"
    "Offboarding is onboarding's twin. A workflow for a leaver usually:\n"
    "\n"
    "1. reads the user (`get_user`) to keep a record of who they were;\n"
    "2. archives their cloud recordings if policy asks for it: `list_user_recordings` with "
    "`from`/`to` covering their time at the company (any span: zoomflow asks Zoom month by "
    "month), then downloads each file;\n"
    "3. removes them with `delete_user`, handing their work to a successor in the same call: "
    "`transfer_email` (an active user of the account, not the leaver) plus "
    "`transfer_meeting`, `transfer_recording`, `transfer_webinar`, `transfer_whiteboard` "
    "(and the clips, notes, visitors and docs switches) set to true. Zoom moves those items "
    "before it removes the user; without a switch, that kind of data leaves the account with "
    "the user (`disassociate`) or is deleted with them (`delete`).\n"
    "\n"
    "`action` chooses what removal means. `disassociate`, Zoom's default, unlinks the user "
    "from the account and leaves them a free Zoom account of their own under the same "
    "email; it is also the only way to remove a pending user (invited, never activated). "
    "`delete` removes the user and their data from Zoom for good; the email can sign up "
    "again later. Zoom refuses to disassociate an admin (code 1117) and answers a user that "
    "does not exist with 404 code 1001, which zoomflow reports as not found.\n"
    "\n"
    "The delete is safe to repeat: when the answer to an attempt is lost (cut connection, "
    "timeout, 5xx) the Zoom client sends it again, and a 404 to that repeat means the first "
    "attempt removed the user. The output then says `\"already_deleted\": true` (with a "
    "warning) instead of failing. A new, separate call for a user already removed gets the "
    "404 like any unknown user.\n";

static const char *const output_keys[] = {"user_id", "action",          "transfer_email",
                                          "deleted", "already_deleted", NULL};
static const char *const classic[] = {"user:write:admin", "user:write", NULL};

const zf_action zf_action__delete_user = {
    .name = "delete_user",
    .summary = "Offboard a user: disassociate (Zoom's default) or delete, optionally "
               "handing their meetings and recordings to another user first.",
    .words = {"users", "delete"},
    .method = "DELETE",
    .path = "/users/{userId}",
    .scope = "user:delete:user:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_WRITE,
    .input = input,
    .check = check,
    .rules = rules,
    .item_type = "user",
    .output_keys = output_keys,
    .output = output,
    .gone = gone,
    .guide = guide,
    .output_doc = "`{\"user_id\", \"action\", \"transfer_email\" (when given), \"deleted\": "
                  "true, \"already_deleted\"}`: already_deleted is true (with a warning) when "
                  "a repeat of a cut-off attempt found the user gone, i.e. that attempt did "
                  "the delete; a user that never existed is Zoom's 404 code 1001, a failure",
};
