/*
 * /api/v1/accounts: the org's accounts (admin only, the principal's org
 * only: an id of another org is 404 exactly as one that does not exist).
 */
#include "common.h"
#include "handlers.h"

#include <string.h>

static json_t *account_json(const zf_account *a)
{
    return json_pack("{s:I,s:s,s:s,s:b,s:I,s:I}", "id", (json_int_t)a->id, "email",
                     a->email ? a->email : "", "role", srv_role_name(a->role), "disabled",
                     a->disabled, "created_at", (json_int_t)a->created_at, "member_since",
                     (json_int_t)a->member_since);
}

SRV_ORG_LIST_HANDLER(srv_h_accounts_list, "accounts", zf_account, zf_account_list, account_json,
                     zf_account_free_list)

int srv_h_accounts_create(srv_req *req, srv_resp *resp)
{
    static const char *const allowed[] = {"email", "password", "role", NULL};
    srv_body b;
    if (srv_body_begin(&b, req, resp, allowed) < 0)
        return 0;
    const char *email = NULL, *password = NULL;
    int role = 0;
    srv_body_str(&b, "email", 1, &email);
    srv_body_str(&b, "password", 0, &password);
    srv_body_role(&b, "role", &role);
    zf_access *a = srv_body_done(&b, resp, "account");
    if (!a)
        return 0;
    zf_account_new_req in = ZF_ACCOUNT_NEW_REQ_INIT;
    in.org = req->who->org;
    in.email = email;
    in.role = role ? role : ZF_ROLE_VIEWER;
    in.password = password;
    in.password_len = password ? json_string_length(json_object_get(req->json, "password")) : 0;
    in.actor = req->who->actor;
    zf_account acc;
    memset(&acc, 0, sizeof acc);
    int created = 0;
    zf_error e = ZF_ERROR_INIT;
    if (zf_account_create(a, &in, &acc, &created, &e) < 0)
        return srv_error(resp, &e);
    json_t *o = account_json(&acc);
    zf_account_free(&acc);
    if (o)
        json_object_set_new(o, "created", json_boolean(created));
    return srv_json(resp, 201, o);
}

int srv_h_accounts_update(srv_req *req, srv_resp *resp)
{
    int64_t id = srv_param_id(req, "id");
    if (id <= 0)
        return srv_fail(resp, ZF_ENOTFOUND, "no such account");
    static const char *const allowed[] = {"role", "password", "disabled", NULL};
    srv_body b;
    if (srv_body_begin(&b, req, resp, allowed) < 0)
        return 0;
    const char *password = NULL;
    int role = 0, disabled = 0, has_disabled = 0;
    srv_body_role(&b, "role", &role);
    srv_body_str(&b, "password", 0, &password);
    srv_body_bool(&b, "disabled", &disabled, &has_disabled);
    zf_access *a = srv_body_done(&b, resp, "account change");
    if (!a)
        return 0;
    const char *org = req->who->org, *actor = req->who->actor;
    zf_error e = ZF_ERROR_INIT;
    zf_account acc;
    memset(&acc, 0, sizeof acc);
    /* the account must be the org's before anything changes */
    if (zf_account_get(a, org, id, &acc, &e) < 0)
        return srv_error(resp, &e);
    zf_account_free(&acc);
    if (role && zf_account_set_role(a, org, id, role, actor, &e) < 0)
        return srv_error(resp, &e);
    if (password && zf_account_set_password(
                        a, org, id, password,
                        json_string_length(json_object_get(req->json, "password")), actor, &e) < 0)
        return srv_error(resp, &e);
    if (has_disabled && zf_account_disable(a, org, id, disabled, actor, &e) < 0)
        return srv_error(resp, &e);
    memset(&acc, 0, sizeof acc);
    if (zf_account_get(a, org, id, &acc, &e) < 0)
        return srv_error(resp, &e);
    json_t *o = account_json(&acc);
    zf_account_free(&acc);
    return srv_json(resp, 200, o);
}

int srv_h_accounts_delete(srv_req *req, srv_resp *resp)
{
    int64_t id = srv_param_id(req, "id");
    if (id <= 0)
        return srv_fail(resp, ZF_ENOTFOUND, "no such account");
    zf_access *a = srv_access_or_fail(req, resp);
    if (!a)
        return 0;
    zf_error e = ZF_ERROR_INIT;
    if (zf_account_remove(a, req->who->org, id, req->who->actor, &e) < 0)
        return srv_error(resp, &e);
    return srv_json(resp, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "removed", 1));
}
