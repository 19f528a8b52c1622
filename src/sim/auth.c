/*
 * Access-token table. Tokens are shaped like Zoom's: a JWT
 *   base64url(header) "." base64url(payload) "." base64url(HMAC-SHA512)
 * with header {"alg":"HS512","v":"2.0","kid":..} and payload claims aud,
 * uid (user), ver, auid, nbf, iss ("zm:cid:<client id>"), gno, exp, type
 * (3 user OAuth, 0 Server-to-Server), iat, aid (account), signed with a
 * secret drawn when the sim starts. Clients may read the claims (zoomflow
 * takes the account id from `aid`) but the sim never verifies them: the
 * table, keyed on the whole string, is what makes a token valid, so dumped
 * tokens load back without the secret. The record says who the token speaks
 * for (app, account, user = "me"), its granted scopes and its expiry in sim
 * time. Expired tokens stay known for a day so the API can say "Access
 * token is expired." rather than "Invalid access token.".
 *
 * Tolerance (docs/zoomsim-oauth.md "Token tolerance"): Zoom keeps only so
 * many access tokens of one grant valid; issuing another invalidates the
 * oldest at once. oauth.c says how many (the app's token_tolerance) with
 * sim_auth_supersede; a superseded token stays in the table, marked, until
 * it would have expired, so introspection can tell it from an unknown one.
 */
#include "sim.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#define JWT_MAX 4096
#define ZOOM_AUD "https://oauth.zoom.us"

struct sim_auth {
    sim_map tokens; /* token -> sim_access* */
    size_t issued_since_purge;
    uint64_t next_seq;        /* sim_access.seq of the next token */
    unsigned char secret[64]; /* signs the JWTs */
};

static void access_free(void *p)
{
    sim_access *a = p;
    if (a) {
        free(a->token);
        free(a->scopes);
    }
    free(a);
}

static void b64url_append(zf_buf *b, const unsigned char *in, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        char out[4] = {abc[v >> 18 & 63], abc[v >> 12 & 63], abc[v >> 6 & 63], abc[v & 63]};
        zf_buf_append(b, out, i + 2 < n ? 4 : i + 1 < n ? 3 : 2);
    }
}

static void b64url_json(zf_buf *b, json_t *j)
{
    char *txt = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (txt)
        b64url_append(b, (const unsigned char *)txt, strlen(txt));
    else
        b->failed = 1;
    free(txt);
    json_decref(j);
}

/* A Zoom-shaped access token for a (fields other than token set); NULL when
 * out of memory. */
static char *mint_jwt(const struct sim_auth *au, const sim_access *a, int64_t iat)
{
    char kid[33], auid[65], iss[80];
    unsigned char mac[64];
    unsigned int maclen = sizeof mac;
    zf_buf b = ZF_BUF_INIT(JWT_MAX);
    sim_random_id(kid, sizeof kid, 32);
    sim_random_hex(auid, 32);
    snprintf(iss, sizeof iss, "zm:cid:%s", a->client_id);
    b64url_json(&b, json_pack("{s:s,s:s,s:s}", "alg", "HS512", "v", "2.0", "kid", kid));
    zf_buf_puts(&b, ".");
    b64url_json(&b, json_pack("{s:s,s:s,s:i,s:s,s:I,s:s,s:i,s:I,s:i,s:I,s:s}", "aud", ZOOM_AUD,
                              "uid", a->user_id, "ver", 9, "auid", auid, "nbf", (json_int_t)iat,
                              "iss", iss, "gno", 0, "exp", (json_int_t)a->expires_at, "type",
                              a->s2s ? 0 : 3, "iat", (json_int_t)iat, "aid", a->account_id));
    if (b.failed || !HMAC(EVP_sha512(), au->secret, sizeof au->secret, (const unsigned char *)b.ptr,
                          b.len, mac, &maclen)) {
        zf_buf_free(&b);
        return NULL;
    }
    zf_buf_puts(&b, ".");
    b64url_append(&b, mac, maclen);
    if (b.failed) {
        zf_buf_free(&b);
        return NULL;
    }
    return zf_buf_take(&b);
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
                                 const char *user_id, const char *scopes, int64_t ttl, int s2s,
                                 uint64_t grant_id)
{
    struct sim_auth *au = s->auth;
    if (++au->issued_since_purge > 4096)
        purge(s);
    sim_access *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    snprintf(a->client_id, sizeof a->client_id, "%s", client_id ? client_id : "");
    snprintf(a->account_id, sizeof a->account_id, "%s", account_id ? account_id : "");
    snprintf(a->user_id, sizeof a->user_id, "%s", user_id ? user_id : "");
    a->scopes = strdup(scopes ? scopes : "");
    a->expires_at = sim_now(s) + ttl;
    a->s2s = s2s;
    a->grant_id = grant_id;
    a->seq = ++au->next_seq;
    a->slot = -1;
    if (a->scopes)
        a->token = mint_jwt(au, a, sim_now(s));
    if (!a->token || sim_map_get(&au->tokens, a->token) ||
        sim_map_put(&au->tokens, a->token, a) != 0) {
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

/* Tokens that compete for one tolerance: those of one user grant, or every
 * Server-to-Server token of one app and account (Zoom counted S2S tokens
 * per app). Tokens of no grant (control plane, downloads) compete with none. */
static bool same_lineage(const sim_access *a, const sim_access *b)
{
    if (a->s2s || b->s2s)
        return a->s2s && b->s2s && !strcmp(a->client_id, b->client_id) &&
               !strcmp(a->account_id, b->account_id);
    return a->grant_id && a->grant_id == b->grant_id;
}

/* The live tokens of fresh's lineage other than fresh; *oldest the first
 * issued of them (NULL when none). */
static size_t rivals(sim *s, const sim_access *fresh, sim_access **oldest)
{
    sim_map *m = &s->auth->tokens;
    size_t n = 0;
    int64_t now = sim_now(s);
    *oldest = NULL;
    for (size_t i = 0; i < m->cap; i++) {
        if (!sim_map_live(m, i))
            continue;
        sim_access *a = m->vals[i];
        if (a == fresh || a->superseded || now >= a->expires_at || !same_lineage(a, fresh))
            continue;
        n++;
        if (!*oldest || a->seq < (*oldest)->seq)
            *oldest = a;
    }
    return n;
}

void sim_auth_supersede(sim *s, const sim_access *fresh, int tolerance, int slot)
{
    sim_map *m = &s->auth->tokens;
    sim_access *f = sim_map_get(m, fresh->token), *old;
    if (!f || tolerance <= 0)
        return;
    f->slot = slot;
    if (slot >= 0) {
        for (size_t i = 0; i < m->cap; i++)
            if (sim_map_live(m, i) && m->vals[i] != f && ((sim_access *)m->vals[i])->slot == slot &&
                same_lineage(m->vals[i], f))
                ((sim_access *)m->vals[i])->superseded = true;
        return;
    }
    for (size_t n = rivals(s, f, &old); old && n >= (size_t)tolerance; n--) {
        old->superseded = true;
        rivals(s, f, &old);
    }
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
        return ZF_ENOMEM;
    if (RAND_bytes(s->auth->secret, sizeof s->auth->secret) != 1) {
        free(s->auth);
        s->auth = NULL;
        return ZF_EIO; /* no random source */
    }
    sim_map_init(&s->auth->tokens);
    return 0;
}

static void auth_reset(sim *s)
{
    sim_map_clear(&s->auth->tokens, access_free);
    s->auth->next_seq = 0;
}

static void auth_destroy(sim *s)
{
    if (!s->auth)
        return;
    auth_reset(s);
    OPENSSL_cleanse(s->auth->secret, sizeof s->auth->secret);
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
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:I,s:I,s:i,s:b}", "token", a->token,
                           "client_id", a->client_id, "account_id", a->account_id, "user_id",
                           a->user_id, "scopes", a->scopes, "expires_at", (json_int_t)a->expires_at,
                           "s2s", a->s2s, "grant_id", (json_int_t)a->grant_id, "seq",
                           (json_int_t)a->seq, "slot", a->slot, "superseded", a->superseded));
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
    json_array_foreach (arr, i, t) {
        sim_access *a = calloc(1, sizeof *a);
        if (!a)
            return ZF_ENOMEM;
        a->token = strdup(jstr(t, "token"));
        snprintf(a->client_id, sizeof a->client_id, "%s", jstr(t, "client_id"));
        snprintf(a->account_id, sizeof a->account_id, "%s", jstr(t, "account_id"));
        snprintf(a->user_id, sizeof a->user_id, "%s", jstr(t, "user_id"));
        a->scopes = strdup(jstr(t, "scopes"));
        a->expires_at = json_integer_value(json_object_get(t, "expires_at"));
        a->s2s = json_is_true(json_object_get(t, "s2s"));
        a->grant_id = (uint64_t)json_integer_value(json_object_get(t, "grant_id"));
        a->seq = (uint64_t)json_integer_value(json_object_get(t, "seq"));
        json_t *slot = json_object_get(t, "slot");
        a->slot = json_is_integer(slot) ? (int)json_integer_value(slot) : -1;
        a->superseded = json_is_true(json_object_get(t, "superseded"));
        if (a->seq > s->auth->next_seq)
            s->auth->next_seq = a->seq;
        int rc = !a->token || !a->scopes ? ZF_ENOMEM
                 : !a->token[0]          ? ZF_EPARSE
                                         : sim_map_put(&s->auth->tokens, a->token, a);
        if (rc != 0) {
            access_free(a);
            return rc;
        }
    }
    return 0;
}

const sim_module sim_mod_auth = {
    "auth", NULL, auth_init, auth_reset, auth_destroy, auth_dump, auth_load,
};
