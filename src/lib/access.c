/*
 * Access: orgs, accounts and roles, argon2id passwords, rate-limited
 * sign-in, web sessions and API keys over the store's tenancy rows
 * (src/store/accounts.c, api_keys.c, web_sessions.c). The rules are in
 * zoomflow/access.h; here is how.
 *
 * Password hashing is libsodium's crypto_pwhash_str (argon2id). The
 * default cost is libsodium's INTERACTIVE pair (opslimit 2, 64 MiB), about
 * 55 ms per hash on one core of the CI machine: a sign-in is a person
 * waiting, and the memory makes a guess as dear on a GPU. At most
 * HASH_GATE hashes run at once per handle (a flood of sign-ins queues
 * instead of taking 64 MiB per worker thread).
 *
 * Credentials the store never sees: the cookie value (32 random bytes,
 * base64url) is stored as its SHA-256 hex; the CSRF token is
 * HMAC-SHA256(cookie, CSRF_LABEL), base64url, stored as its SHA-256 hex; an
 * API key is stored as the SHA-256 hex of the whole key and compared with
 * CRYPTO_memcmp.
 */
#include "zoomflow/access.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/buf.h"
#include "zoomflow/crypt.h"

#define HASH_GATE 2
#define TOUCH_EVERY 60 /* seconds between writes of last_seen_at / last_used_at */
#define CSRF_LABEL "zoomflow csrf v1"
#define COOKIE_LEN 43 /* base64url of 32 bytes */
#define KEY_PREFIX "zfk_"
#define KEY_LEN (4 + ZF_KEY_ID_LEN + 1 + 43)

struct zf_access {
    zf_store *st;
    zf_access_opts o;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int hashing;                            /* hashes running, <= HASH_GATE */
    char dummy[crypto_pwhash_STRBYTES + 1]; /* the unknown email's hash, "" until made */
};

static const char *const role_words[] = {NULL, "viewer", "operator", "admin"};

const char *zf_role_name(int role)
{
    return role >= ZF_ROLE_VIEWER && role <= ZF_ROLE_ADMIN ? role_words[role] : NULL;
}

int zf_role_parse(const char *s, zf_role *out, zf_error *err)
{
    for (int r = ZF_ROLE_VIEWER; s && r <= ZF_ROLE_ADMIN; r++)
        if (strcmp(s, role_words[r]) == 0) {
            *out = (zf_role)r;
            return 0;
        }
    zf_error_set(err, ZF_EVALIDATION, "\"%s\" is not a role: viewer, operator or admin",
                 s ? s : "");
    zf_error_hint_id(err, ZF_HINT_CHECK_ROLE, NULL);
    zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, "role");
    return ZF_EVALIDATION;
}

static int bad_role(int role, zf_error *err)
{
    if (zf_role_name(role))
        return 0;
    zf_error_set(err, ZF_EVALIDATION, "role %d is not viewer (1), operator (2) or admin (3)", role);
    zf_error_hint_id(err, ZF_HINT_CHECK_ROLE, NULL);
    zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, "role");
    return ZF_EVALIDATION;
}

/* ---- checks of input */

int zf_org_slug_check(const char *slug, zf_error *err)
{
    size_t n = slug ? strlen(slug) : 0;
    int ok = n >= 1 && n <= ZF_ORG_SLUG_MAX &&
             (islower((unsigned char)slug[0]) || isdigit((unsigned char)slug[0]));
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)slug[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    }
    if (ok)
        return 0;
    zf_error_set(err, ZF_EVALIDATION,
                 "\"%.60s\" is not an org name: 1 to %d of a-z, 0-9 and '-', not starting "
                 "with '-'",
                 slug ? slug : "", ZF_ORG_SLUG_MAX);
    zf_error_hint_id(err, ZF_HINT_ORG_SLUG, NULL);
    zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, slug);
    return ZF_EVALIDATION;
}

int zf_password_check(const char *password, size_t len, zf_error *err)
{
    const char *why = NULL;
    if (!password || len == 0)
        why = "the password is empty";
    else if (len < ZF_PASSWORD_MIN)
        why = "the password is shorter than 10 characters";
    else if (len > ZF_PASSWORD_MAX)
        why = "the password is longer than 1024 bytes";
    else {
        unsigned char seen[256] = {0};
        int distinct = 0;
        for (size_t i = 0; i < len; i++)
            if (!seen[(unsigned char)password[i]]++)
                distinct++;
        if (distinct < 5)
            why = "the password uses fewer than 5 different characters";
    }
    if (!why)
        return 0;
    zf_error_set(err, ZF_EVALIDATION, "%s", why);
    zf_error_hint_id(err, ZF_HINT_PASSWORD_RULES, NULL);
    return ZF_EVALIDATION;
}

/* The email lowercased (ASCII) into out; ZF_EVALIDATION when it is not
 * one: 3-254 bytes, one '@' with text on both sides, no space or control
 * byte. */
static int norm_email(const char *in, char out[ZF_EMAIL_MAX + 1], zf_error *err)
{
    size_t n = in ? strlen(in) : 0;
    int at = -1, ok = n >= 3 && n <= ZF_EMAIL_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c <= ' ' || c == 0x7f)
            ok = 0;
        else if (c == '@')
            ok = at < 0 ? (at = (int)i, 1) : 0;
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (ok && at > 0 && (size_t)at < n - 1) {
        out[n] = '\0';
        return 0;
    }
    out[0] = '\0';
    zf_error_set(err, ZF_EVALIDATION, "\"%.80s\" is not an email address", in ? in : "");
    zf_error_hint_id(err, ZF_HINT_CHECK_EMAIL, NULL);
    zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, "email");
    return ZF_EVALIDATION;
}

/* Text for a name: 1..max bytes, no control bytes. */
static int check_name(const char *what, const char *s, size_t max, zf_error *err)
{
    size_t n = s ? strlen(s) : 0;
    int ok = n >= 1 && n <= max;
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)s[i] >= ' ' && s[i] != 0x7f;
    if (ok)
        return 0;
    zf_error_set(err, ZF_EVALIDATION, "the %s must be 1 to %zu characters without control bytes",
                 what, max);
    zf_error_hint_id(err, ZF_HINT_FIX_FIELDS, NULL);
    zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, what);
    return ZF_EVALIDATION;
}

/* ---- the handle */

static int64_t now_of(const zf_access *a)
{
    return a->o.now ? a->o.now(a->o.now_ctx) : (int64_t)time(NULL);
}

int zf_access_new(zf_access **out, zf_store *st, const zf_access_opts *opts, zf_error *err)
{
    *out = NULL;
    if (!st)
        return zf_error_set(err, ZF_EINVAL, "zf_access_new needs a store");
    if (sodium_init() < 0)
        return zf_error_set(err, ZF_ECONFIG, "libsodium failed to initialise");
    zf_access *a = calloc(1, sizeof *a);
    if (!a)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    zf_access_opts d = ZF_ACCESS_OPTS_INIT;
    a->o = opts ? *opts : d;
    if (!a->o.pwhash_ops)
        a->o.pwhash_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    if (!a->o.pwhash_mem)
        a->o.pwhash_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    if (a->o.pwhash_ops < crypto_pwhash_OPSLIMIT_MIN)
        a->o.pwhash_ops = crypto_pwhash_OPSLIMIT_MIN;
    if (a->o.pwhash_mem < crypto_pwhash_MEMLIMIT_MIN)
        a->o.pwhash_mem = crypto_pwhash_MEMLIMIT_MIN;
    if (a->o.session_idle <= 0)
        a->o.session_idle = 2 * 3600;
    if (a->o.session_max <= 0)
        a->o.session_max = 12 * 3600;
    if (a->o.account_failures <= 0)
        a->o.account_failures = 5;
    if (a->o.addr_failures <= 0)
        a->o.addr_failures = 20;
    if (a->o.window <= 0)
        a->o.window = 15 * 60;
    if (a->o.lockout <= 0)
        a->o.lockout = 15 * 60;
    a->st = st;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    *out = a;
    return 0;
}

void zf_access_free(zf_access *a)
{
    if (!a)
        return;
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    free(a);
}

zf_store *zf_access_store(zf_access *a)
{
    return a ? a->st : NULL;
}

/* ---- hashing, at most HASH_GATE at once */

static void gate_enter(zf_access *a)
{
    pthread_mutex_lock(&a->mu);
    while (a->hashing >= HASH_GATE)
        pthread_cond_wait(&a->cv, &a->mu);
    a->hashing++;
    pthread_mutex_unlock(&a->mu);
}

static void gate_leave(zf_access *a)
{
    pthread_mutex_lock(&a->mu);
    a->hashing--;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

int zf_password_hash(zf_access *a, const char *password, size_t len, char **out, zf_error *err)
{
    *out = NULL;
    if (!password && len)
        return zf_error_set(err, ZF_EINVAL, "password NULL with a length");
    char h[crypto_pwhash_STRBYTES];
    gate_enter(a);
    int rc = crypto_pwhash_str(h, password ? password : "", len, a->o.pwhash_ops, a->o.pwhash_mem);
    gate_leave(a);
    if (rc != 0)
        return zf_error_set(err, ZF_ENOMEM, "hashing the password ran out of memory");
    if (!(*out = strdup(h)))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    return 0;
}

int zf_password_verify(const char *hash, const char *password, size_t len, zf_error *err)
{
    if (hash && (password || !len) &&
        crypto_pwhash_str_verify(hash, password ? password : "", len) == 0)
        return 0;
    return zf_error_set(err, ZF_EAUTH, "the password does not match");
}

static int verify_gated(zf_access *a, const char *hash, const char *pw, size_t len)
{
    gate_enter(a);
    int rc = zf_password_verify(hash, pw, len, NULL);
    gate_leave(a);
    return rc;
}

/* The hash an unknown email is checked against, made once per handle with
 * the handle's cost, so that check takes as long as a real one. */
static const char *dummy_hash(zf_access *a)
{
    pthread_mutex_lock(&a->mu);
    int have = a->dummy[0] != '\0';
    pthread_mutex_unlock(&a->mu);
    if (have)
        return a->dummy;
    unsigned char r[16];
    char pw[33], *h = NULL;
    zf_random_bytes(r, sizeof r);
    zf_hex(r, sizeof r, pw);
    if (zf_password_hash(a, pw, 32, &h, NULL) == 0) {
        pthread_mutex_lock(&a->mu);
        if (!a->dummy[0])
            snprintf(a->dummy, sizeof a->dummy, "%s", h);
        pthread_mutex_unlock(&a->mu);
        free(h);
    }
    return a->dummy[0] ? a->dummy : NULL;
}

/* ---- audit */

static void audit_row(zf_access *a, const char *org, const char *actor, const char *action, int rc,
                      const char *detail)
{
    zf_error ignored = ZF_ERROR_INIT;
    zf_store_audit r = {0};
    r.at = now_of(a);
    r.conn_id = (char *)org;
    r.actor = (char *)(actor ? actor : "library");
    r.action = (char *)action;
    r.outcome = (char *)(rc == 0 ? "ok" : zf_code_name(rc));
    r.detail = (char *)detail;
    (void)zf_store_audit_add(a->st, &r, &ignored); /* the change stands without its row */
}

/* One row in the log of each org the account is in (none: conn_id NULL):
 * for a change to the account itself, which every org of it sees. */
static void audit_account(zf_access *a, int64_t id, const char *actor, const char *action, int rc,
                          const char *detail)
{
    zf_store_membership *ms = NULL;
    size_t n = 0;
    if (zf_store_membership_list(a->st, id, &ms, &n, NULL) == 0 && n)
        for (size_t i = 0; i < n; i++)
            audit_row(a, ms[i].org, actor, action, rc, detail);
    else
        audit_row(a, NULL, actor, action, rc, detail);
    zf_store_membership_free_list(ms, n);
}

int zf_access_audit(zf_access *a, const char *org, const char *actor, const char *action,
                    const char *outcome, const char *detail, zf_error *err)
{
    if (!a || !action || !outcome)
        return zf_error_set(err, ZF_EINVAL, "zf_access_audit needs an action and an outcome");
    zf_store_audit r = {0};
    r.at = now_of(a);
    r.conn_id = (char *)org;
    r.actor = (char *)(actor ? actor : "library");
    r.action = (char *)action;
    r.outcome = (char *)outcome;
    r.detail = (char *)detail;
    return zf_store_audit_add(a->st, &r, err);
}

/* Refusals worth a row: not the caller's typos, which change nothing. */
static int audited_failure(int rc)
{
    return rc == ZF_ECONFLICT || rc == ZF_EFORBIDDEN || rc == ZF_ENOTFOUND || rc == ZF_EAUTH ||
           rc == ZF_ESTORE;
}

/* Ends a change made under zf_store_lock_org: on rc 0 its audit row goes
 * in the same transaction, then the commit; else a rollback and, for a
 * refusal, a row saying so. */
static int finish(zf_access *a, int rc, const char *org, const char *actor, const char *action,
                  const char *detail, zf_error *err)
{
    if (rc == 0) {
        zf_store_audit r = {0};
        r.at = now_of(a);
        r.conn_id = (char *)org;
        r.actor = (char *)(actor ? actor : "library");
        r.action = (char *)action;
        r.outcome = (char *)"ok";
        r.detail = (char *)detail;
        if ((rc = zf_store_audit_add(a->st, &r, err)) == 0 &&
            (rc = zf_store_commit(a->st, err)) == 0)
            return 0;
    }
    zf_store_rollback(a->st);
    if (audited_failure(rc))
        audit_row(a, org, actor, action, rc, detail);
    return rc;
}

/* ---- orgs */

static int org_from(zf_org *out, zf_store_org *o)
{
    out->slug = o->slug;
    out->name = o->name;
    out->created_at = o->created_at;
    memset(o, 0, sizeof *o);
    return 0;
}

void zf_org_free(zf_org *o)
{
    if (!o)
        return;
    free(o->slug);
    free(o->name);
    memset(o, 0, sizeof *o);
}

void zf_org_free_list(zf_org *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        zf_org_free(&list[i]);
    free(list);
}

int zf_org_create(zf_access *a, const char *slug, const char *name, const char *actor,
                  zf_error *err)
{
    int rc;
    if ((rc = zf_org_slug_check(slug, err)) < 0 ||
        (rc = check_name("org name", name ? name : slug, ZF_ORG_NAME_MAX, err)) < 0)
        return rc;
    zf_store_org o = {(char *)slug, (char *)(name ? name : slug), now_of(a)};
    char detail[300];
    snprintf(detail, sizeof detail, "org=%s", slug);
    if ((rc = zf_store_lock_org(a->st, slug, err)) < 0)
        return rc;
    rc = zf_store_org_add(a->st, &o, err);
    if (rc == ZF_ECONFLICT)
        zf_error_set(err, ZF_ECONFLICT, "the org \"%s\" already exists", slug);
    return finish(a, rc, slug, actor, "org.create", detail, err);
}

static int org_must_exist(zf_access *a, const char *slug, zf_error *err)
{
    zf_store_org o;
    int rc = zf_org_slug_check(slug, err);
    if (rc == 0 && (rc = zf_store_org_get(a->st, slug, &o, err)) == 0)
        zf_store_org_free(&o);
    if (rc == ZF_ENOTFOUND) {
        zf_error_set(err, ZF_ENOTFOUND, "there is no org \"%s\"", slug);
        zf_error_hint_id(err, ZF_HINT_CREATE_ORG, NULL);
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, slug);
    }
    return rc;
}

int zf_org_get(zf_access *a, const char *slug, zf_org *out, zf_error *err)
{
    memset(out, 0, sizeof *out);
    zf_store_org o;
    int rc = zf_org_slug_check(slug, err);
    if (rc == 0 && (rc = zf_store_org_get(a->st, slug, &o, err)) == 0)
        return org_from(out, &o);
    if (rc == ZF_ENOTFOUND)
        zf_error_set(err, ZF_ENOTFOUND, "there is no org \"%s\"", slug);
    return rc;
}

int zf_org_list(zf_access *a, zf_org **out, size_t *n, zf_error *err)
{
    zf_store_org *rows = NULL;
    *out = NULL;
    *n = 0;
    size_t cnt = 0;
    int rc = zf_store_org_list(a->st, &rows, &cnt, err);
    if (rc < 0)
        return rc;
    zf_org *v = cnt ? calloc(cnt, sizeof *v) : NULL;
    if (cnt && !v) {
        zf_store_org_free_list(rows, cnt);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < cnt; i++)
        org_from(&v[i], &rows[i]);
    free(rows);
    *out = v;
    *n = cnt;
    return 0;
}

/* ---- accounts */

void zf_account_free(zf_account *acc)
{
    if (!acc)
        return;
    free(acc->email);
    free(acc->org);
    memset(acc, 0, sizeof *acc);
}

void zf_account_free_list(zf_account *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        zf_account_free(&list[i]);
    free(list);
}

static void account_from(zf_account *out, zf_store_member *m)
{
    out->id = m->account_id;
    out->email = m->email;
    out->org = m->org;
    out->role = m->role;
    out->disabled = m->disabled != 0;
    out->created_at = m->account_created_at;
    out->member_since = m->created_at;
    m->email = m->org = NULL;
    zf_store_member_free(m);
}

static int not_member(const char *org, int64_t id, zf_error *err)
{
    return zf_error_set(err, ZF_ENOTFOUND, "org \"%s\" has no account %lld", org, (long long)id);
}

/* The member, or ZF_ENOTFOUND in the org's words. */
static int member_get(zf_access *a, const char *org, int64_t id, zf_store_member *m, zf_error *err)
{
    int rc = zf_store_member_get(a->st, org, id, m, err);
    if (rc == ZF_ENOTFOUND)
        not_member(org, id, err);
    return rc;
}

int zf_account_get(zf_access *a, const char *org, int64_t id, zf_account *out, zf_error *err)
{
    memset(out, 0, sizeof *out);
    zf_store_member m;
    int rc = zf_org_slug_check(org, err);
    if (rc == 0 && (rc = member_get(a, org, id, &m, err)) == 0)
        account_from(out, &m);
    return rc;
}

int zf_account_get_by_email(zf_access *a, const char *org, const char *email, zf_account *out,
                            zf_error *err)
{
    char e[ZF_EMAIL_MAX + 1];
    zf_store_account acc;
    memset(out, 0, sizeof *out);
    int rc = zf_org_slug_check(org, err);
    if (rc == 0)
        rc = norm_email(email, e, err);
    if (rc == 0 && (rc = zf_store_account_get_by_email(a->st, e, &acc, err)) == 0) {
        int64_t id = acc.id;
        zf_store_account_free(&acc);
        return zf_account_get(a, org, id, out, err);
    }
    if (rc == ZF_ENOTFOUND)
        zf_error_set(err, ZF_ENOTFOUND, "org \"%s\" has no account %s", org, e);
    return rc;
}

int zf_account_list(zf_access *a, const char *org, zf_account **out, size_t *n, zf_error *err)
{
    zf_store_member *rows = NULL;
    size_t cnt = 0;
    *out = NULL;
    *n = 0;
    int rc = zf_org_slug_check(org, err);
    if (rc < 0 || (rc = zf_store_member_list(a->st, org, &rows, &cnt, err)) < 0)
        return rc;
    zf_account *v = cnt ? calloc(cnt, sizeof *v) : NULL;
    if (cnt && !v) {
        zf_store_member_free_list(rows, cnt);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < cnt; i++)
        account_from(&v[i], &rows[i]);
    free(rows);
    *out = v;
    *n = cnt;
    return 0;
}

int zf_account_create(zf_access *a, const zf_account_new_req *req, zf_account *out, int *created,
                      zf_error *err)
{
    char email[ZF_EMAIL_MAX + 1], detail[400];
    char *hash = NULL;
    int role = req && req->role ? req->role : ZF_ROLE_VIEWER, made = 0, rc;
    if (out)
        memset(out, 0, sizeof *out);
    if (created)
        *created = 0;
    if (!req)
        return zf_error_set(err, ZF_EINVAL, "zf_account_create needs a request");
    if ((rc = org_must_exist(a, req->org, err)) < 0 ||
        (rc = norm_email(req->email, email, err)) < 0 || (rc = bad_role(role, err)) < 0)
        return rc;
    zf_store_account acc;
    rc = zf_store_account_get_by_email(a->st, email, &acc, err);
    if (rc == ZF_ENOTFOUND) {
        /* hashed before the lock: the hash is the slow part */
        if ((rc = zf_password_check(req->password, req->password_len, err)) < 0 ||
            (rc = zf_password_hash(a, req->password, req->password_len, &hash, err)) < 0)
            return rc;
        memset(&acc, 0, sizeof acc);
        made = 1;
    } else if (rc < 0) {
        return rc;
    }
    snprintf(detail, sizeof detail, "email=%s role=%s%s", email, zf_role_name(role),
             made ? " new account" : "");
    if ((rc = zf_store_lock_org(a->st, req->org, err)) < 0) {
        free(hash);
        zf_store_account_free(&acc);
        return rc;
    }
    if (made) {
        zf_store_account row = {0, email, hash, now_of(a), 0};
        rc = zf_store_account_add(a->st, &row, err);
        acc.id = row.id;
    }
    if (rc == 0) {
        zf_store_membership m = {acc.id, (char *)req->org, role, now_of(a)};
        rc = zf_store_membership_add(a->st, &m, err);
        if (rc == ZF_ECONFLICT)
            zf_error_set(err, ZF_ECONFLICT, "%s is already a member of the org \"%s\"", email,
                         req->org);
    }
    free(hash);
    int64_t id = acc.id;
    zf_store_account_free(&acc);
    if ((rc = finish(a, rc, req->org, req->actor, "account.create", detail, err)) < 0)
        return rc;
    if (created)
        *created = made;
    return out ? zf_account_get(a, req->org, id, out, err) : 0;
}

/* ZF_ECONFLICT when taking m's admin role away (or disabling it) would
 * leave the org without an enabled admin. */
static int keeps_an_admin(zf_access *a, const zf_store_member *m, zf_error *err)
{
    int64_t admins = 0;
    if (m->role != ZF_ROLE_ADMIN || m->disabled)
        return 0;
    int rc = zf_store_member_admins(a->st, m->org, &admins, err);
    if (rc < 0 || admins > 1)
        return rc;
    zf_error_set(err, ZF_ECONFLICT, "%s is the org's last admin", m->email);
    zf_error_hint_id(err, ZF_HINT_KEEP_AN_ADMIN, NULL);
    zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, m->org);
    return ZF_ECONFLICT;
}

/* ZF_EFORBIDDEN when the account belongs to another org than org too. */
static int only_in(zf_access *a, const char *org, int64_t id, const char *email, zf_error *err)
{
    zf_store_membership *ms = NULL;
    size_t n = 0;
    int rc = zf_store_membership_list(a->st, id, &ms, &n, err);
    zf_store_membership_free_list(ms, n);
    if (rc < 0 || n <= 1)
        return rc;
    zf_error_set(err, ZF_EFORBIDDEN,
                 "%s belongs to %zu orgs: an admin of one may not change it for the others", email,
                 n);
    zf_error_hint_id(err, ZF_HINT_REMOVE_FROM_ORG, NULL);
    zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, org);
    return ZF_EFORBIDDEN;
}

int zf_account_set_role(zf_access *a, const char *org, int64_t id, int role, const char *actor,
                        zf_error *err)
{
    char detail[400];
    zf_store_member m;
    int rc;
    if ((rc = zf_org_slug_check(org, err)) < 0 || (rc = bad_role(role, err)) < 0)
        return rc;
    if ((rc = zf_store_lock_org(a->st, org, err)) < 0)
        return rc;
    snprintf(detail, sizeof detail, "account=%lld role=%s", (long long)id, zf_role_name(role));
    if ((rc = member_get(a, org, id, &m, err)) == 0) {
        snprintf(detail, sizeof detail, "account=%lld email=%s role=%s->%s", (long long)id, m.email,
                 zf_role_name(m.role) ? zf_role_name(m.role) : "none", zf_role_name(role));
        if (role != ZF_ROLE_ADMIN)
            rc = keeps_an_admin(a, &m, err);
        if (rc == 0 && m.role != role &&
            (rc = zf_store_membership_set_role(a->st, org, id, role, err)) == 0)
            rc = zf_store_web_session_delete_account(a->st, id, org, NULL, err);
        zf_store_member_free(&m);
    }
    return finish(a, rc, org, actor, "account.role", detail, err);
}

int zf_account_disable(zf_access *a, const char *org, int64_t id, int disabled, const char *actor,
                       zf_error *err)
{
    char detail[400];
    const char *action = disabled ? "account.disable" : "account.enable";
    zf_store_member m;
    zf_store_account acc;
    int rc;
    snprintf(detail, sizeof detail, "account=%lld", (long long)id);
    if (!org) { /* the deployment's operator: no org to keep an admin in */
        if ((rc = zf_store_account_get(a->st, id, &acc, err)) < 0)
            return rc;
        snprintf(detail, sizeof detail, "account=%lld email=%s", (long long)id, acc.email);
        zf_store_account_free(&acc);
        rc = zf_store_account_set_disabled(a->st, id, disabled, err);
        if (rc == 0 && disabled)
            rc = zf_store_web_session_delete_account(a->st, id, NULL, NULL, err);
        audit_account(a, id, actor, action, rc, detail);
        return rc;
    }
    if ((rc = zf_org_slug_check(org, err)) < 0 || (rc = zf_store_lock_org(a->st, org, err)) < 0)
        return rc;
    if ((rc = member_get(a, org, id, &m, err)) == 0) {
        snprintf(detail, sizeof detail, "account=%lld email=%s", (long long)id, m.email);
        rc = only_in(a, org, id, m.email, err);
        if (rc == 0 && disabled)
            rc = keeps_an_admin(a, &m, err);
        if (rc == 0)
            rc = zf_store_account_set_disabled(a->st, id, disabled, err);
        if (rc == 0 && disabled)
            rc = zf_store_web_session_delete_account(a->st, id, NULL, NULL, err);
        zf_store_member_free(&m);
    }
    return finish(a, rc, org, actor, action, detail, err);
}

int zf_account_remove(zf_access *a, const char *org, int64_t id, const char *actor, zf_error *err)
{
    char detail[400];
    zf_store_member m;
    zf_store_membership *left = NULL;
    size_t nleft = 0;
    int rc;
    if ((rc = zf_org_slug_check(org, err)) < 0 || (rc = zf_store_lock_org(a->st, org, err)) < 0)
        return rc;
    snprintf(detail, sizeof detail, "account=%lld", (long long)id);
    if ((rc = member_get(a, org, id, &m, err)) == 0) {
        snprintf(detail, sizeof detail, "account=%lld email=%s", (long long)id, m.email);
        if ((rc = keeps_an_admin(a, &m, err)) == 0 &&
            (rc = zf_store_membership_delete(a->st, org, id, err)) == 0 &&
            (rc = zf_store_web_session_delete_account(a->st, id, org, NULL, err)) == 0 &&
            (rc = zf_store_membership_list(a->st, id, &left, &nleft, err)) == 0 && nleft == 0) {
            /* in no org any more: the account (and its password hash) goes */
            rc = zf_store_account_delete(a->st, id, err);
            if (rc == 0)
                snprintf(detail + strlen(detail), sizeof detail - strlen(detail),
                         " account deleted");
        }
        zf_store_membership_free_list(left, nleft);
        zf_store_member_free(&m);
    }
    return finish(a, rc, org, actor, "account.remove", detail, err);
}

/* Stores the new password's hash, ends every session of the account and
 * writes one audit row per org the account is in. */
static int put_password(zf_access *a, const zf_store_account *acc, const char *pw, size_t len,
                        const char *actor, const char *action, zf_error *err)
{
    char *hash = NULL, detail[400];
    size_t ended = 0;
    int rc;
    if ((rc = zf_password_check(pw, len, err)) < 0 ||
        (rc = zf_password_hash(a, pw, len, &hash, err)) < 0)
        return rc;
    rc = zf_store_account_set_password(a->st, acc->id, hash, err);
    free(hash);
    if (rc == 0)
        rc = zf_store_web_session_delete_account(a->st, acc->id, NULL, &ended, err);
    snprintf(detail, sizeof detail, "account=%lld email=%s sessions ended=%zu", (long long)acc->id,
             acc->email, ended);
    audit_account(a, acc->id, actor, action, rc, detail);
    return rc;
}

int zf_account_change_password(zf_access *a, int64_t id, const char *old_pw, size_t old_len,
                               const char *new_pw, size_t new_len, const char *actor, zf_error *err)
{
    zf_store_account acc;
    int rc = zf_store_account_get(a->st, id, &acc, err);
    if (rc == ZF_ENOTFOUND)
        zf_error_set(err, ZF_ENOTFOUND, "there is no account %lld", (long long)id);
    if (rc < 0)
        return rc;
    if (verify_gated(a, acc.password_hash, old_pw, old_pw ? old_len : 0) != 0) {
        rc = zf_error_set(err, ZF_EAUTH, "the current password is wrong");
        zf_error_hint_id(err, ZF_HINT_CHECK_CREDENTIALS, NULL);
        audit_account(a, id, actor, "account.password", rc, "current password wrong");
    } else {
        rc = put_password(a, &acc, new_pw, new_len, actor, "account.password", err);
    }
    zf_store_account_free(&acc);
    return rc;
}

int zf_account_set_password(zf_access *a, const char *org, int64_t id, const char *new_pw,
                            size_t new_len, const char *actor, zf_error *err)
{
    zf_store_account acc;
    zf_store_member m;
    int rc;
    if (org) {
        if ((rc = zf_org_slug_check(org, err)) < 0 || (rc = member_get(a, org, id, &m, err)) < 0)
            return rc;
        rc = only_in(a, org, id, m.email, err);
        zf_store_member_free(&m);
        if (rc < 0) {
            audit_row(a, org, actor, "account.password_reset", rc, "belongs to other orgs");
            return rc;
        }
    }
    if ((rc = zf_store_account_get(a->st, id, &acc, err)) == ZF_ENOTFOUND)
        zf_error_set(err, ZF_ENOTFOUND, "there is no account %lld", (long long)id);
    if (rc < 0)
        return rc;
    rc = put_password(a, &acc, new_pw, new_len, actor, "account.password_reset", err);
    zf_store_account_free(&acc);
    return rc;
}

/* ---- the principal */

int zf_principal_allows(const zf_principal *p, int min_role)
{
    return p && p->role >= ZF_ROLE_VIEWER && p->role <= ZF_ROLE_ADMIN && p->role >= min_role;
}

int zf_principal_csrf_check(const zf_principal *p, const char *token, size_t len, zf_error *err)
{
    if (!p)
        return zf_error_set(err, ZF_EINVAL, "no principal");
    if (p->kind == ZF_PRINCIPAL_KEY)
        return 0;
    int ok = token && len == ZF_CSRF_LEN && strlen(p->csrf) == ZF_CSRF_LEN &&
             CRYPTO_memcmp(token, p->csrf, ZF_CSRF_LEN) == 0;
    if (ok)
        return 0;
    zf_error_set(err, ZF_EFORBIDDEN,
                 !token || !len ? "the request carries no CSRF token"
                                : "the request's CSRF token is not the session's");
    zf_error_hint_id(err, ZF_HINT_SEND_CSRF_TOKEN, NULL);
    return ZF_EFORBIDDEN;
}

static void put_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* ---- web sessions */

static void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char d[32];
    zf_sha256(p, n, d);
    zf_hex(d, 32, out);
}

static void csrf_of(const char *cookie, size_t len, char out[ZF_CSRF_LEN + 1])
{
    unsigned char mac[32];
    zf_hmac_sha256(cookie, len, CSRF_LABEL, strlen(CSRF_LABEL), mac);
    zf_base64url(mac, 32, out);
}

static int b64url_chars(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '-' && c != '_')
            return 0;
    }
    return 1;
}

static int session_gone(zf_error *err, const char *why)
{
    zf_error_set(err, ZF_EAUTH, "%s", why);
    zf_error_hint_id(err, ZF_HINT_SIGN_IN_AGAIN, NULL);
    return ZF_EAUTH;
}

static void session_principal(zf_principal *out, const zf_store_member *m, const char *csrf,
                              int64_t idle_end, int64_t max_end)
{
    memset(out, 0, sizeof *out);
    out->kind = ZF_PRINCIPAL_SESSION;
    put_str(out->org, sizeof out->org, m->org);
    out->role = m->role;
    out->account_id = m->account_id;
    put_str(out->email, sizeof out->email, m->email);
    snprintf(out->actor, sizeof out->actor, "account:%s", m->email);
    put_str(out->csrf, sizeof out->csrf, csrf);
    out->expires_at = idle_end < max_end ? idle_end : max_end;
    out->session_max_at = max_end;
}

static int mint_session(zf_access *a, const zf_store_member *m, zf_secret *cookie,
                        zf_principal *out, zf_error *err)
{
    unsigned char r[32];
    char value[COOKIE_LEN + 1], csrf[ZF_CSRF_LEN + 1], id_hash[65], csrf_hash[65];
    if (zf_random_bytes(r, sizeof r) != 0)
        return zf_error_set(err, ZF_EIO, "no random bytes for a session");
    zf_base64url(r, sizeof r, value);
    sodium_memzero(r, sizeof r);
    sha256_hex(value, COOKIE_LEN, id_hash);
    csrf_of(value, COOKIE_LEN, csrf);
    sha256_hex(csrf, ZF_CSRF_LEN, csrf_hash);
    int64_t now = now_of(a);
    zf_store_web_session s = {id_hash, m->account_id,          m->org, csrf_hash,
                              now,     now + a->o.session_max, now};
    int rc = zf_store_web_session_add(a->st, &s, err);
    if (rc == 0 && (rc = zf_secret_set(cookie, value, COOKIE_LEN)) != 0)
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    if (rc == 0)
        session_principal(out, m, csrf, now + a->o.session_idle, now + a->o.session_max);
    sodium_memzero(value, sizeof value);
    sodium_memzero(csrf, sizeof csrf);
    return rc;
}

int zf_web_session_check(zf_access *a, const char *cookie, size_t len, zf_principal *out,
                         zf_error *err)
{
    char id_hash[65], csrf[ZF_CSRF_LEN + 1], csrf_hash[65];
    zf_store_web_session s;
    zf_store_member m;
    memset(out, 0, sizeof *out);
    if (!cookie || len != COOKIE_LEN || !b64url_chars(cookie, len))
        return session_gone(err, "not signed in (no valid session)");
    sha256_hex(cookie, len, id_hash);
    int rc = zf_store_web_session_get(a->st, id_hash, &s, err);
    if (rc == ZF_ENOTFOUND)
        return session_gone(err, "not signed in (the session is unknown or has ended)");
    if (rc < 0)
        return rc;
    int64_t now = now_of(a), max_end = s.expires_at, idle_end = s.last_seen_at + a->o.session_idle;
    csrf_of(cookie, len, csrf);
    sha256_hex(csrf, ZF_CSRF_LEN, csrf_hash);
    int intact =
        s.csrf_hash && strlen(s.csrf_hash) == 64 && CRYPTO_memcmp(csrf_hash, s.csrf_hash, 64) == 0;
    if (now >= max_end || now >= idle_end || !intact) {
        zf_store_web_session_free(&s);
        (void)zf_store_web_session_delete(a->st, id_hash, NULL);
        sodium_memzero(csrf, sizeof csrf);
        return session_gone(err, "the session has expired");
    }
    rc = zf_store_member_get(a->st, s.org, s.account_id, &m, err);
    zf_store_web_session_free(&s);
    if (rc == ZF_ENOTFOUND || (rc == 0 && m.disabled)) {
        if (rc == 0)
            zf_store_member_free(&m);
        (void)zf_store_web_session_delete(a->st, id_hash, NULL);
        return session_gone(err, "the session's account no longer has access");
    }
    if (rc < 0)
        return rc;
    if (now - TOUCH_EVERY >= idle_end - a->o.session_idle) {
        if (zf_store_web_session_touch(a->st, id_hash, now, now - TOUCH_EVERY + 1, NULL) == 0)
            idle_end = now + a->o.session_idle;
    }
    session_principal(out, &m, csrf, idle_end, max_end);
    zf_store_member_free(&m);
    sodium_memzero(csrf, sizeof csrf);
    return 0;
}

int zf_web_session_end(zf_access *a, const char *cookie, size_t len, zf_error *err)
{
    char id_hash[65];
    zf_store_web_session s;
    if (!cookie || len != COOKIE_LEN || !b64url_chars(cookie, len))
        return 0;
    sha256_hex(cookie, len, id_hash);
    int rc = zf_store_web_session_get(a->st, id_hash, &s, err);
    if (rc == ZF_ENOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    zf_store_account acc;
    char actor[ZF_ACTOR_MAX] = "library";
    if (zf_store_account_get(a->st, s.account_id, &acc, NULL) == 0) {
        snprintf(actor, sizeof actor, "account:%s", acc.email);
        zf_store_account_free(&acc);
    }
    rc = zf_store_web_session_delete(a->st, id_hash, err);
    audit_row(a, s.org, actor, "signout", rc, NULL);
    zf_store_web_session_free(&s);
    return rc;
}

int zf_web_session_end_account(zf_access *a, int64_t account_id, const char *org, size_t *ended,
                               zf_error *err)
{
    return zf_store_web_session_delete_account(a->st, account_id, org, ended, err);
}

/* ---- sign-in */

static int throttle_key(char *out, size_t cap, const char *kind, const char *v)
{
    return snprintf(out, cap, "%s:%s", kind, v) < (int)cap;
}

/* ZF_ERATELIMIT when key is locked at now (retry_after the seconds left). */
static int locked(zf_access *a, const char *key, int64_t now, int64_t *left, zf_error *err)
{
    zf_store_throttle t;
    int rc = zf_store_throttle_get(a->st, key, &t, err);
    if (rc < 0)
        return rc;
    if (t.locked_until > now && t.locked_until - now > *left)
        *left = t.locked_until - now;
    zf_store_throttle_free(&t);
    return 0;
}

/* Counts the failure for both keys; *lock_for gets the lock it set, if any. */
static void count_failure(zf_access *a, const char *akey, const char *dkey, int64_t now,
                          int64_t *lock_for)
{
    zf_store_throttle t;
    *lock_for = 0;
    if (zf_store_throttle_fail(a->st, akey, now, a->o.account_failures, a->o.window, a->o.lockout,
                               &t, NULL) == 0) {
        if (t.locked_until > now)
            *lock_for = t.locked_until - now;
        zf_store_throttle_free(&t);
    }
    if (dkey[0] && zf_store_throttle_fail(a->st, dkey, now, a->o.addr_failures, a->o.window,
                                          a->o.lockout, &t, NULL) == 0) {
        if (t.locked_until - now > *lock_for)
            *lock_for = t.locked_until - now;
        zf_store_throttle_free(&t);
    }
}

static int signin_refused(zf_error *err)
{
    zf_error_set(err, ZF_EAUTH, "the email or the password is wrong");
    zf_error_hint_id(err, ZF_HINT_CHECK_CREDENTIALS, NULL);
    return ZF_EAUTH;
}

int zf_signin(zf_access *a, const zf_signin_req *req, zf_secret *cookie, zf_principal *out,
              zf_error *err)
{
    char email[ZF_EMAIL_MAX + 1], akey[ZF_EMAIL_MAX + 16], dkey[300] = "", detail[600];
    zf_store_account acc;
    zf_store_membership *ms = NULL;
    size_t nms = 0;
    int rc;
    memset(out, 0, sizeof *out);
    if (!req)
        return zf_error_set(err, ZF_EINVAL, "zf_signin needs a request");
    if ((rc = norm_email(req->email, email, err)) < 0)
        return rc;
    if (!req->password || !req->password_len) {
        zf_error_set(err, ZF_EVALIDATION, "the password is empty");
        zf_error_hint_id(err, ZF_HINT_CHECK_CREDENTIALS, NULL);
        return ZF_EVALIDATION;
    }
    const char *org = req->org;
    if (org && zf_org_slug_check(org, NULL) < 0)
        org = NULL; /* a name no org has: the same refusal as a wrong password, below */
    int org_ok = !req->org || org;
    throttle_key(akey, sizeof akey, "account", email);
    if (req->addr && req->addr[0])
        throttle_key(dkey, sizeof dkey, "addr", req->addr);
    snprintf(detail, sizeof detail, "email=%s addr=%s", email, req->addr ? req->addr : "-");

    int64_t now = now_of(a), left = 0;
    if ((rc = locked(a, akey, now, &left, err)) < 0 ||
        (dkey[0] && (rc = locked(a, dkey, now, &left, err)) < 0))
        return rc;
    if (left > 0) {
        zf_error_set(err, ZF_ERATELIMIT, "too many failed sign-ins; try again in %lld s",
                     (long long)left);
        if (err)
            err->retry_after = left;
        zf_error_hint_id(err, ZF_HINT_SIGNIN_WAIT, NULL);
        return ZF_ERATELIMIT;
    }

    rc = zf_store_account_get_by_email(a->st, email, &acc, err);
    if (rc < 0 && rc != ZF_ENOTFOUND)
        return rc;
    int known = rc == 0;
    /* read for an unknown email too (account 0 has none): the same queries
     * either way */
    if ((rc = zf_store_membership_list(a->st, known ? acc.id : 0, &ms, &nms, err)) < 0) {
        if (known)
            zf_store_account_free(&acc);
        return rc;
    }
    const char *hash = known ? acc.password_hash : dummy_hash(a);
    int good = verify_gated(a, hash, req->password, req->password_len) == 0 && known &&
               !acc.disabled && org_ok;
    const char *in_org = NULL;
    for (size_t i = 0; good && i < nms; i++)
        if (org ? strcmp(ms[i].org, org) == 0 : nms == 1)
            in_org = ms[i].org;
    good = good && (in_org || (!org && nms > 1));
    if (!good) {
        int64_t lock_for = 0;
        count_failure(a, akey, dkey, now, &lock_for);
        if (lock_for > 0)
            snprintf(detail + strlen(detail), sizeof detail - strlen(detail), " locked=%llds",
                     (long long)lock_for);
        signin_refused(err);
        /* in the log of the org asked for, else of each org the account is in */
        if (org || !nms)
            audit_row(a, org, "anonymous", "signin", ZF_EAUTH, detail);
        for (size_t i = 0; !org && i < nms; i++)
            audit_row(a, ms[i].org, "anonymous", "signin", ZF_EAUTH, detail);
        zf_store_membership_free_list(ms, nms);
        if (known)
            zf_store_account_free(&acc);
        return ZF_EAUTH;
    }
    (void)zf_store_throttle_clear(a->st, akey, NULL);
    if (!in_org) { /* the right password, several orgs and none named */
        zf_buf names = ZF_BUF_INIT(1024);
        for (size_t i = 0; i < nms; i++)
            zf_buf_appendf(&names, "%s%s", i ? ", " : "", ms[i].org);
        zf_error_set(err, ZF_EVALIDATION, "%s belongs to several orgs (%s): name one", email,
                     zf_buf_cstr(&names));
        zf_error_hint_id(err, ZF_HINT_CHOOSE_ORG, NULL);
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, zf_buf_cstr(&names));
        zf_buf_free(&names);
        zf_store_membership_free_list(ms, nms);
        zf_store_account_free(&acc);
        return ZF_EVALIDATION;
    }
    zf_store_member m;
    char actor[ZF_ACTOR_MAX];
    snprintf(actor, sizeof actor, "account:%s", email);
    if ((rc = zf_store_member_get(a->st, in_org, acc.id, &m, err)) == 0) {
        rc = mint_session(a, &m, cookie, out, err);
        audit_row(a, m.org, actor, "signin", rc, detail);
        zf_store_member_free(&m);
    }
    zf_store_membership_free_list(ms, nms);
    zf_store_account_free(&acc);
    return rc;
}

/* ---- API keys */

void zf_api_key_free(zf_api_key *k)
{
    if (!k)
        return;
    free(k->id);
    free(k->org);
    free(k->name);
    free(k->created_by);
    memset(k, 0, sizeof *k);
}

void zf_api_key_free_list(zf_api_key *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        zf_api_key_free(&list[i]);
    free(list);
}

static void key_from(zf_api_key *out, zf_store_api_key *k)
{
    out->id = k->id;
    out->org = k->org;
    out->name = k->name;
    out->role = k->role;
    out->created_by = k->created_by;
    out->created_at = k->created_at;
    out->expires_at = k->expires_at;
    out->revoked_at = k->revoked_at;
    out->last_used_at = k->last_used_at;
    k->id = k->org = k->name = k->created_by = NULL;
    zf_store_api_key_free(k);
}

int zf_api_key_create(zf_access *a, const zf_api_key_req *req, zf_secret *key, zf_api_key *out,
                      zf_error *err)
{
    char detail[400], id[ZF_KEY_ID_LEN + 1], secret[44], whole[KEY_LEN + 1], hash[65];
    unsigned char r[32];
    int rc;
    if (out)
        memset(out, 0, sizeof *out);
    if (!req)
        return zf_error_set(err, ZF_EINVAL, "zf_api_key_create needs a request");
    if ((rc = org_must_exist(a, req->org, err)) < 0 ||
        (rc = check_name("name", req->name, ZF_KEY_NAME_MAX, err)) < 0 ||
        (rc = bad_role(req->role, err)) < 0)
        return rc;
    int64_t now = now_of(a);
    if (req->expires_at < 0 || (req->expires_at && req->expires_at <= now)) {
        zf_error_set(err, ZF_EVALIDATION, "the key's expiry must be in the future (or 0: never)");
        zf_error_hint_id(err, ZF_HINT_FIX_FIELDS, NULL);
        zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, "expires_at");
        return ZF_EVALIDATION;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
        if (zf_random_bytes(r, 8) != 0)
            return zf_error_set(err, ZF_EIO, "no random bytes for a key");
        zf_hex(r, 8, id);
        if (zf_random_bytes(r, 32) != 0)
            return zf_error_set(err, ZF_EIO, "no random bytes for a key");
        zf_base64url(r, 32, secret);
        sodium_memzero(r, sizeof r);
        snprintf(whole, sizeof whole, KEY_PREFIX "%s_%s", id, secret);
        sodium_memzero(secret, sizeof secret);
        sha256_hex(whole, KEY_LEN, hash);
        zf_store_api_key k = {id,
                              (char *)req->org,
                              (char *)req->name,
                              req->role,
                              hash,
                              (char *)(req->actor ? req->actor : "library"),
                              now,
                              req->expires_at,
                              0,
                              0};
        snprintf(detail, sizeof detail, "key=%s name=%s role=%s expires_at=%lld", id, req->name,
                 zf_role_name(req->role), (long long)req->expires_at);
        if ((rc = zf_store_lock_org(a->st, req->org, err)) < 0)
            break;
        rc = zf_store_api_key_add(a->st, &k, err);
        if (rc == ZF_ECONFLICT) { /* an id drawn twice: draw again */
            zf_store_rollback(a->st);
            continue;
        }
        rc = finish(a, rc, req->org, req->actor, "key.create", detail, err);
        break;
    }
    if (rc == 0 && zf_secret_set(key, whole, KEY_LEN) != 0)
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    sodium_memzero(whole, sizeof whole);
    if (rc == 0 && out)
        rc = zf_api_key_get(a, req->org, id, out, err);
    return rc;
}

static int key_refused(zf_error *err)
{
    zf_error_set(err, ZF_EAUTH, "the API key is not valid (unknown, revoked or expired)");
    zf_error_hint_id(err, ZF_HINT_CHECK_API_KEY, NULL);
    return ZF_EAUTH;
}

int zf_api_key_check(zf_access *a, const char *key, size_t len, zf_principal *out, zf_error *err)
{
    char id[ZF_KEY_ID_LEN + 1], hash[65];
    zf_store_api_key k;
    memset(out, 0, sizeof *out);
    if (!key || len != KEY_LEN || memcmp(key, KEY_PREFIX, 4) != 0 || key[4 + ZF_KEY_ID_LEN] != '_')
        return key_refused(err);
    for (size_t i = 0; i < ZF_KEY_ID_LEN; i++) {
        char c = key[4 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return key_refused(err);
        id[i] = c;
    }
    id[ZF_KEY_ID_LEN] = '\0';
    if (!b64url_chars(key + 5 + ZF_KEY_ID_LEN, 43))
        return key_refused(err);
    int rc = zf_store_api_key_get(a->st, id, &k, err);
    if (rc == ZF_ENOTFOUND)
        return key_refused(err);
    if (rc < 0)
        return rc;
    sha256_hex(key, len, hash);
    int64_t now = now_of(a);
    int match = k.key_hash && strlen(k.key_hash) == 64 && CRYPTO_memcmp(hash, k.key_hash, 64) == 0;
    if (!match || k.revoked_at || (k.expires_at && now >= k.expires_at) || !zf_role_name(k.role)) {
        zf_store_api_key_free(&k);
        return key_refused(err);
    }
    if (k.last_used_at <= now - TOUCH_EVERY)
        (void)zf_store_api_key_touch(a->st, id, now, now - TOUCH_EVERY + 1, NULL);
    out->kind = ZF_PRINCIPAL_KEY;
    put_str(out->org, sizeof out->org, k.org);
    out->role = k.role;
    put_str(out->key_id, sizeof out->key_id, id);
    snprintf(out->actor, sizeof out->actor, "key:%s", id);
    out->expires_at = k.expires_at;
    zf_store_api_key_free(&k);
    return 0;
}

int zf_api_key_revoke(zf_access *a, const char *org, const char *id, const char *actor,
                      zf_error *err)
{
    char detail[100];
    int rc;
    if ((rc = zf_org_slug_check(org, err)) < 0)
        return rc;
    snprintf(detail, sizeof detail, "key=%.20s", id ? id : "");
    if ((rc = zf_store_lock_org(a->st, org, err)) < 0)
        return rc;
    rc = zf_store_api_key_revoke(a->st, org, id ? id : "", now_of(a), err);
    if (rc == ZF_ENOTFOUND)
        zf_error_set(err, ZF_ENOTFOUND, "org \"%s\" has no API key %.20s", org, id ? id : "");
    if (rc == 0) { /* already revoked: nothing changed, nothing to log */
        zf_store_rollback(a->st);
        return 0;
    }
    return finish(a, rc < 0 ? rc : 0, org, actor, "key.revoke", detail, err);
}

int zf_api_key_get(zf_access *a, const char *org, const char *id, zf_api_key *out, zf_error *err)
{
    zf_store_api_key k;
    memset(out, 0, sizeof *out);
    int rc = zf_org_slug_check(org, err);
    if (rc == 0 && (rc = zf_store_api_key_get(a->st, id ? id : "", &k, err)) == 0) {
        if (strcmp(k.org, org) == 0) {
            key_from(out, &k);
            return 0;
        }
        zf_store_api_key_free(&k);
        rc = ZF_ENOTFOUND;
    }
    if (rc == ZF_ENOTFOUND)
        zf_error_set(err, ZF_ENOTFOUND, "org \"%s\" has no API key %.20s", org, id ? id : "");
    return rc;
}

int zf_api_key_list(zf_access *a, const char *org, zf_api_key **out, size_t *n, zf_error *err)
{
    zf_store_api_key *rows = NULL;
    size_t cnt = 0;
    *out = NULL;
    *n = 0;
    int rc = zf_org_slug_check(org, err);
    if (rc < 0 || (rc = zf_store_api_key_list(a->st, org, &rows, &cnt, err)) < 0)
        return rc;
    zf_api_key *v = cnt ? calloc(cnt, sizeof *v) : NULL;
    if (cnt && !v) {
        zf_store_api_key_free_list(rows, cnt);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < cnt; i++)
        key_from(&v[i], &rows[i]);
    free(rows);
    *out = v;
    *n = cnt;
    return 0;
}

/* ---- upkeep */

int zf_access_purge(zf_access *a, zf_error *err)
{
    int64_t now = now_of(a);
    int rc = zf_store_web_session_purge(a->st, now, now - a->o.session_idle, err);
    if (rc == 0)
        rc = zf_store_throttle_purge(a->st, now - a->o.window, err);
    return rc;
}
