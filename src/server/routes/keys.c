/*
 * /api/v1/keys: the org's API keys (admin only). POST answers the key
 * once; the store keeps its SHA-256 only.
 */
#include "common.h"
#include "handlers.h"

#include <string.h>
#include <time.h>

static json_t *opt_time(int64_t t)
{
    return t ? json_integer((json_int_t)t) : json_null();
}

static json_t *key_json(const zf_api_key *k)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:o}", "id", k->id ? k->id : "", "name",
                     k->name ? k->name : "", "role", srv_role_name(k->role), "created_by",
                     k->created_by ? k->created_by : "", "created_at", (json_int_t)k->created_at,
                     "expires_at", opt_time(k->expires_at), "revoked_at", opt_time(k->revoked_at),
                     "last_used_at", opt_time(k->last_used_at));
}

SRV_ORG_LIST_HANDLER(srv_h_keys_list, "keys", zf_api_key, zf_api_key_list, key_json,
                     zf_api_key_free_list)

int srv_h_keys_create(srv_req *req, srv_resp *resp)
{
    static const char *const allowed[] = {"name", "role", "expires_at", "expires_in", NULL};
    srv_body b;
    if (srv_body_begin(&b, req, resp, allowed) < 0)
        return 0;
    const char *name = NULL;
    int role = 0, has_at = 0, has_in = 0;
    int64_t at = 0, in = 0;
    srv_body_str(&b, "name", 1, &name);
    srv_body_role(&b, "role", &role);
    if (!role && !json_object_get(req->json, "role"))
        srv_body_problem(&b, "role", "required");
    srv_body_int(&b, "expires_at", &at, &has_at);
    srv_body_int(&b, "expires_in", &in, &has_in);
    if (has_in && in <= 0)
        srv_body_problem(&b, "expires_in", "must be a positive number of seconds");
    if (has_at && has_in)
        srv_body_problem(&b, "expires_in", "give expires_at or expires_in, not both");
    zf_access *a = srv_body_done(&b, resp, "API key");
    if (!a)
        return 0;
    zf_api_key_req kr = ZF_API_KEY_REQ_INIT;
    kr.org = req->who->org;
    kr.name = name;
    kr.role = role;
    kr.expires_at = has_in ? (int64_t)time(NULL) + in : has_at ? at : 0;
    kr.actor = req->who->actor;
    zf_secret key = ZF_SECRET_INIT;
    zf_api_key k;
    memset(&k, 0, sizeof k);
    zf_error e = ZF_ERROR_INIT;
    if (zf_api_key_create(a, &kr, &key, &k, &e) < 0)
        return srv_error(resp, &e);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", k.id ? k.id : "", "key",
                          zf_secret_reveal(&key), "name", k.name ? k.name : "", "role",
                          srv_role_name(k.role), "expires_at", opt_time(k.expires_at));
    zf_secret_free(&key);
    zf_api_key_free(&k);
    return srv_json(resp, 201, o);
}

int srv_h_keys_delete(srv_req *req, srv_resp *resp)
{
    const char *id = srv_param(req, "id");
    zf_access *a = srv_access_or_fail(req, resp);
    if (!a)
        return 0;
    zf_error e = ZF_ERROR_INIT;
    if (zf_api_key_revoke(a, req->who->org, id, req->who->actor, &e) < 0)
        return srv_error(resp, &e);
    return srv_json(resp, 200, json_pack("{s:s,s:b}", "id", id, "revoked", 1));
}
