/*
 * Access-token table. Tokens are random 48-char strings; the record says who
 * the token speaks for (app, account, user = "me"), its granted scopes and
 * its expiry in sim time. Expired tokens stay known for a day so the API can
 * say "Access token is expired." rather than "Invalid access token.".
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

struct sim_auth {
    sim_map tokens; /* token -> sim_access* */
    size_t issued_since_purge;
};

static void access_free(void *p)
{
    sim_access *a = p;
    if (a)
        free(a->scopes);
    free(a);
}

static void purge(sim *s)
{
    struct sim_auth *au = s->auth;
    int64_t now = sim_now(s);
    for (size_t i = 0; i < au->tokens.cap; i++) {
        if (!sim_map_live(&au->tokens, i))
            continue;
        sim_access *a = au->tokens.vals[i];
        if (a->expires_at + 86400 < now)
            access_free(sim_map_del(&au->tokens, au->tokens.keys[i]));
    }
    au->issued_since_purge = 0;
}

const sim_access *sim_auth_issue(sim *s, const char *client_id, const char *account_id,
                                 const char *user_id, const char *scopes, int64_t ttl,
                                 int s2s, uint64_t grant_id)
{
    struct sim_auth *au = s->auth;
    if (++au->issued_since_purge > 4096)
        purge(s);
    sim_access *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    sim_random_id(a->token, sizeof a->token, 48);
    memcpy(a->token, "zsa_", 4); /* recognisable in logs of the sandbox */
    snprintf(a->client_id, sizeof a->client_id, "%s", client_id ? client_id : "");
    snprintf(a->account_id, sizeof a->account_id, "%s", account_id ? account_id : "");
    snprintf(a->user_id, sizeof a->user_id, "%s", user_id ? user_id : "");
    a->scopes = strdup(scopes ? scopes : "");
    a->expires_at = sim_now(s) + ttl;
    a->s2s = s2s;
    a->grant_id = grant_id;
    if (!a->scopes || sim_map_put(&au->tokens, a->token, a) != 0) {
        access_free(a);
        return NULL;
    }
    return a;
}

const sim_access *sim_auth_lookup(sim *s, const char *token, int *expired)
{
    sim_access *a = sim_map_get(&s->auth->tokens, token);
    *expired = a && sim_now(s) >= a->expires_at;
    return a;
}

void sim_auth_revoke_grant(sim *s, uint64_t grant_id)
{
    struct sim_auth *au = s->auth;
    for (size_t i = 0; i < au->tokens.cap; i++) {
        if (!sim_map_live(&au->tokens, i))
            continue;
        sim_access *a = au->tokens.vals[i];
        if (a->grant_id == grant_id)
            access_free(sim_map_del(&au->tokens, au->tokens.keys[i]));
    }
}

int sim_auth_has_scope(const sim_access *a, const char *scope)
{
    size_t n = strlen(scope);
    for (const char *p = a->scopes; *p;) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        if (len == n && memcmp(p, scope, n) == 0)
            return 1;
        if (!sp)
            break;
        p = sp + 1;
    }
    return 0;
}

static int auth_init(sim *s)
{
    s->auth = calloc(1, sizeof *s->auth);
    if (!s->auth)
        return -1;
    sim_map_init(&s->auth->tokens);
    return 0;
}

static void auth_reset(sim *s)
{
    sim_map_clear(&s->auth->tokens, access_free);
}

static void auth_destroy(sim *s)
{
    if (!s->auth)
        return;
    auth_reset(s);
    free(s->auth);
    s->auth = NULL;
}

static json_t *auth_dump(sim *s)
{
    json_t *arr = json_array();
    struct sim_auth *au = s->auth;
    for (size_t i = 0; i < au->tokens.cap; i++) {
        if (!sim_map_live(&au->tokens, i))
            continue;
        sim_access *a = au->tokens.vals[i];
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:I}",
            "token", a->token, "client_id", a->client_id, "account_id", a->account_id,
            "user_id", a->user_id, "scopes", a->scopes, "expires_at", (json_int_t)a->expires_at,
            "s2s", a->s2s, "grant_id", (json_int_t)a->grant_id));
    }
    return json_pack("{s:o}", "tokens", arr);
}

static const char *jstr(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static int auth_load(sim *s, json_t *obj)
{
    json_t *arr = json_object_get(obj, "tokens"), *t;
    size_t i;
    json_array_foreach(arr, i, t) {
        sim_access *a = calloc(1, sizeof *a);
        if (!a)
            return -1;
        snprintf(a->token, sizeof a->token, "%s", jstr(t, "token"));
        snprintf(a->client_id, sizeof a->client_id, "%s", jstr(t, "client_id"));
        snprintf(a->account_id, sizeof a->account_id, "%s", jstr(t, "account_id"));
        snprintf(a->user_id, sizeof a->user_id, "%s", jstr(t, "user_id"));
        a->scopes = strdup(jstr(t, "scopes"));
        a->expires_at = json_integer_value(json_object_get(t, "expires_at"));
        a->s2s = json_is_true(json_object_get(t, "s2s"));
        a->grant_id = (uint64_t)json_integer_value(json_object_get(t, "grant_id"));
        if (!a->token[0] || !a->scopes || sim_map_put(&s->auth->tokens, a->token, a) != 0) {
            access_free(a);
            return -1;
        }
    }
    return 0;
}

const sim_module sim_mod_auth = {
    "auth", NULL, auth_init, auth_reset, auth_destroy, auth_dump, auth_load,
};
