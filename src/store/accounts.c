/*
 * The accounts domain: orgs, accounts and the memberships between them
 * (one role per account and org), and the org row lock. The checks, the
 * password hashing and the audit are access.c's; this file stores rows.
 *
 * Roles are stored by name (role_names, the zf_role numbers of access.h);
 * an unknown name reads as 0, no role, which no route accepts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store_internal.h"

static const char *const role_names[] = {"none", "viewer", "operator", "admin", NULL};

/* --- orgs */

static const zf_store_column org_columns[] = {
    {"slug", ZF_COL_TEXT, offsetof(zf_store_org, slug), ZF_COL_KEY, NULL},
    {"name", ZF_COL_TEXT, offsetof(zf_store_org, name), 0, NULL},
    {"created_at", ZF_COL_INT64, offsetof(zf_store_org, created_at), 0, NULL},
};

const zf_store_row zf_store__org_row = ZF_STORE_ROW(zf_store_org, org_columns);

static const zf_store_query q_org_add = {
    .what = "adding an org",
    .sql = "INSERT INTO orgs {insert} ON CONFLICT (slug) DO NOTHING RETURNING {columns}",
    .row = &zf_store__org_row,
};
static const zf_store_query q_org_get = {
    .what = "reading an org",
    .sql = "SELECT {columns} FROM orgs WHERE slug = $1",
    .row = &zf_store__org_row,
};
static const zf_store_query q_org_list = {
    .what = "listing orgs",
    .sql = "SELECT {columns} FROM orgs ORDER BY slug",
    .sql_postgresql = "SELECT {columns} FROM orgs ORDER BY slug COLLATE \"C\"",
    .row = &zf_store__org_row,
};

/* --- accounts */

static const zf_store_column account_columns[] = {
    {"id", ZF_COL_INT64, offsetof(zf_store_account, id), ZF_COL_AUTO, NULL},
    {"email", ZF_COL_TEXT, offsetof(zf_store_account, email), 0, NULL},
    {"password_hash", ZF_COL_TEXT, offsetof(zf_store_account, password_hash), 0, NULL},
    {"created_at", ZF_COL_INT64, offsetof(zf_store_account, created_at), 0, NULL},
    {"disabled", ZF_COL_INT64, offsetof(zf_store_account, disabled), 0, NULL},
};

const zf_store_row zf_store__account_row = ZF_STORE_ROW(zf_store_account, account_columns);

static const zf_store_query q_account_add = {
    .what = "adding an account",
    .sql = "INSERT INTO accounts {insert} ON CONFLICT (email) DO NOTHING RETURNING {columns}",
    .row = &zf_store__account_row,
};
static const zf_store_query q_account_get = {
    .what = "reading an account",
    .sql = "SELECT {columns} FROM accounts WHERE id = $1",
    .row = &zf_store__account_row,
};
static const zf_store_query q_account_by_email = {
    .what = "reading an account",
    .sql = "SELECT {columns} FROM accounts WHERE email = $1",
    .row = &zf_store__account_row,
};
static const zf_store_query q_account_password = {
    .what = "changing a password",
    .sql = "UPDATE accounts SET password_hash = $2 WHERE id = $1 RETURNING {columns}",
    .row = &zf_store__account_row,
};
static const zf_store_query q_account_disabled = {
    .what = "disabling an account",
    .sql = "UPDATE accounts SET disabled = $2 WHERE id = $1 RETURNING {columns}",
    .row = &zf_store__account_row,
};
static const zf_store_query q_account_delete = {
    .what = "deleting an account",
    .sql = "DELETE FROM accounts WHERE id = $1 RETURNING {columns}",
    .row = &zf_store__account_row,
};

/* --- memberships */

static const zf_store_column membership_columns[] = {
    {"account_id", ZF_COL_INT64, offsetof(zf_store_membership, account_id), ZF_COL_KEY, NULL},
    {"org", ZF_COL_TEXT, offsetof(zf_store_membership, org), ZF_COL_KEY, NULL},
    {"role", ZF_COL_ENUM, offsetof(zf_store_membership, role), 0, role_names},
    {"created_at", ZF_COL_INT64, offsetof(zf_store_membership, created_at), 0, NULL},
};

const zf_store_row zf_store__membership_row = ZF_STORE_ROW(zf_store_membership, membership_columns);

static const zf_store_query q_member_add = {
    .what = "adding a member",
    .sql = "INSERT INTO memberships {insert} ON CONFLICT (account_id, org) DO NOTHING "
           "RETURNING {columns}",
    .row = &zf_store__membership_row,
};
static const zf_store_query q_member_role = {
    .what = "changing a role",
    .sql = "UPDATE memberships SET role = $3 WHERE org = $1 AND account_id = $2 "
           "RETURNING {columns}",
    .row = &zf_store__membership_row,
};
static const zf_store_query q_member_delete = {
    .what = "removing a member",
    .sql = "DELETE FROM memberships WHERE org = $1 AND account_id = $2 RETURNING {columns}",
    .row = &zf_store__membership_row,
};
static const zf_store_query q_member_orgs = {
    .what = "listing an account's orgs",
    .sql = "SELECT {columns} FROM memberships WHERE account_id = $1 ORDER BY org",
    .sql_postgresql = "SELECT {columns} FROM memberships WHERE account_id = $1 "
                      "ORDER BY org COLLATE \"C\"",
    .row = &zf_store__membership_row,
};

/* A member: the membership's columns, then its account's. The join names
 * its columns itself ({columns} would not qualify them), in the table's
 * order. */
static const zf_store_column member_columns[] = {
    {"account_id", ZF_COL_INT64, offsetof(zf_store_member, account_id), 0, NULL},
    {"org", ZF_COL_TEXT, offsetof(zf_store_member, org), 0, NULL},
    {"role", ZF_COL_ENUM, offsetof(zf_store_member, role), 0, role_names},
    {"created_at", ZF_COL_INT64, offsetof(zf_store_member, created_at), 0, NULL},
    {"email", ZF_COL_TEXT, offsetof(zf_store_member, email), 0, NULL},
    {"disabled", ZF_COL_INT64, offsetof(zf_store_member, disabled), 0, NULL},
    {"account_created_at", ZF_COL_INT64, offsetof(zf_store_member, account_created_at), 0, NULL},
};

static const zf_store_row member_row = ZF_STORE_ROW(zf_store_member, member_columns);

#define MEMBER_SELECT                                                                              \
    "SELECT m.account_id, m.org, m.role, m.created_at, a.email, a.disabled, "                      \
    "a.created_at AS account_created_at FROM memberships m JOIN accounts a ON a.id = "             \
    "m.account_id "

static const zf_store_query q_member_get = {
    .what = "reading a member",
    .sql = MEMBER_SELECT "WHERE m.org = $1 AND m.account_id = $2",
    .row = &member_row,
};
static const zf_store_query q_member_list = {
    .what = "listing members",
    .sql = MEMBER_SELECT "WHERE m.org = $1 ORDER BY a.email",
    .sql_postgresql = MEMBER_SELECT "WHERE m.org = $1 ORDER BY a.email COLLATE \"C\"",
    .row = &member_row,
};

typedef struct count_row {
    int64_t n;
} count_row;

static const zf_store_column count_columns[] = {
    {"n", ZF_COL_INT64, offsetof(count_row, n), 0, NULL}};
static const zf_store_row count_row_type = ZF_STORE_ROW(count_row, count_columns);

static const zf_store_query q_member_admins = {
    .what = "counting an org's admins",
    .sql = "SELECT COUNT(*) AS n FROM memberships m JOIN accounts a ON a.id = m.account_id "
           "WHERE m.org = $1 AND m.role = 'admin' AND a.disabled = 0",
    .row = &count_row_type,
};

/* --- helpers */

static void free_list(const zf_store_row *row, void *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        zf_store__release(row, (char *)list + i * row->size);
    free(list);
}

/* Runs a statement that returns the row it touched: 0 when one did,
 * ZF_ENOTFOUND (with `missing` as the message) when none. */
static int one(zf_store *st, const zf_store_query *q, const zf_store_value *v, size_t n, void *obj,
               int missing_code, const char *missing, zf_error *err)
{
    int rc = zf_store__get(zf_store__enter(st), q, v, n, obj, err);
    zf_store__leave(st);
    if (rc == 0)
        return zf_error_set(err, missing_code, "%s", missing);
    return rc < 0 ? rc : 0;
}

/* As one(), the row it returned dropped. */
static int touch_one(zf_store *st, const zf_store_query *q, const zf_store_value *v, size_t n,
                     const char *missing, zf_error *err)
{
    union {
        zf_store_account a;
        zf_store_membership m;
        zf_store_org o;
    } tmp;
    int rc = one(st, q, v, n, &tmp, ZF_ENOTFOUND, missing, err);
    if (rc == 0)
        zf_store__release(q->row, &tmp);
    return rc;
}

static int all(zf_store *st, const zf_store_query *q, const zf_store_value *v, size_t n, void **out,
               size_t *count, zf_error *err)
{
    void *list = NULL;
    int rc = zf_store__get_all(zf_store__enter(st), q, v, n, &list, count, err);
    zf_store__leave(st);
    *out = list;
    return rc;
}

/* --- public */

void zf_store_org_free(zf_store_org *o)
{
    zf_store__release(&zf_store__org_row, o);
}

void zf_store_org_free_list(zf_store_org *list, size_t n)
{
    free_list(&zf_store__org_row, list, n);
}

void zf_store_account_free(zf_store_account *a)
{
    zf_store__release(&zf_store__account_row, a);
}

void zf_store_membership_free(zf_store_membership *m)
{
    zf_store__release(&zf_store__membership_row, m);
}

void zf_store_membership_free_list(zf_store_membership *list, size_t n)
{
    free_list(&zf_store__membership_row, list, n);
}

void zf_store_member_free(zf_store_member *m)
{
    zf_store__release(&member_row, m);
}

void zf_store_member_free_list(zf_store_member *list, size_t n)
{
    free_list(&member_row, list, n);
}

int zf_store_lock_org(zf_store *st, const char *slug, zf_error *err)
{
    return zf_store__lock(st, "orgs", slug, err);
}

int zf_store_org_add(zf_store *st, const zf_store_org *o, zf_error *err)
{
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    zf_store_org back;
    size_t n = zf_store__params(&zf_store__org_row, o, v);
    int rc = one(st, &q_org_add, v, n, &back, ZF_ECONFLICT, "the org already exists", err);
    zf_store_org_free(&back);
    return rc;
}

int zf_store_org_get(zf_store *st, const char *slug, zf_store_org *out, zf_error *err)
{
    zf_store_value v = zf_store__text(slug);
    return one(st, &q_org_get, &v, 1, out, ZF_ENOTFOUND, "no such org", err);
}

int zf_store_org_list(zf_store *st, zf_store_org **out, size_t *n, zf_error *err)
{
    return all(st, &q_org_list, NULL, 0, (void **)out, n, err);
}

int zf_store_account_add(zf_store *st, zf_store_account *a, zf_error *err)
{
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    zf_store_account back;
    size_t n = zf_store__params(&zf_store__account_row, a, v);
    int rc = one(st, &q_account_add, v, n, &back, ZF_ECONFLICT,
                 "an account with this email already exists", err);
    if (rc == 0)
        a->id = back.id;
    zf_store_account_free(&back);
    return rc;
}

int zf_store_account_get(zf_store *st, int64_t id, zf_store_account *out, zf_error *err)
{
    zf_store_value v = zf_store__int64(id);
    return one(st, &q_account_get, &v, 1, out, ZF_ENOTFOUND, "no such account", err);
}

int zf_store_account_get_by_email(zf_store *st, const char *email, zf_store_account *out,
                                  zf_error *err)
{
    zf_store_value v = zf_store__text(email);
    return one(st, &q_account_by_email, &v, 1, out, ZF_ENOTFOUND, "no such account", err);
}

int zf_store_account_set_password(zf_store *st, int64_t id, const char *password_hash,
                                  zf_error *err)
{
    zf_store_value v[] = {zf_store__int64(id), zf_store__text(password_hash)};
    return touch_one(st, &q_account_password, v, 2, "no such account", err);
}

int zf_store_account_set_disabled(zf_store *st, int64_t id, int disabled, zf_error *err)
{
    zf_store_value v[] = {zf_store__int64(id), zf_store__int64(disabled ? 1 : 0)};
    return touch_one(st, &q_account_disabled, v, 2, "no such account", err);
}

int zf_store_account_delete(zf_store *st, int64_t id, zf_error *err)
{
    zf_store_value v = zf_store__int64(id);
    return touch_one(st, &q_account_delete, &v, 1, "no such account", err);
}

int zf_store_membership_add(zf_store *st, const zf_store_membership *m, zf_error *err)
{
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    zf_store_membership back;
    size_t n = zf_store__params(&zf_store__membership_row, m, v);
    int rc = one(st, &q_member_add, v, n, &back, ZF_ECONFLICT,
                 "the account is already a member of the org", err);
    zf_store_membership_free(&back);
    return rc;
}

int zf_store_membership_set_role(zf_store *st, const char *org, int64_t account_id, int role,
                                 zf_error *err)
{
    zf_store_value v[] = {zf_store__text(org), zf_store__int64(account_id),
                          zf_store__text(zf_store__enum_name(role_names, role))};
    return touch_one(st, &q_member_role, v, 3, "no such member", err);
}

int zf_store_membership_delete(zf_store *st, const char *org, int64_t account_id, zf_error *err)
{
    zf_store_value v[] = {zf_store__text(org), zf_store__int64(account_id)};
    return touch_one(st, &q_member_delete, v, 2, "no such member", err);
}

int zf_store_membership_list(zf_store *st, int64_t account_id, zf_store_membership **out, size_t *n,
                             zf_error *err)
{
    zf_store_value v = zf_store__int64(account_id);
    return all(st, &q_member_orgs, &v, 1, (void **)out, n, err);
}

int zf_store_member_get(zf_store *st, const char *org, int64_t account_id, zf_store_member *out,
                        zf_error *err)
{
    zf_store_value v[] = {zf_store__text(org), zf_store__int64(account_id)};
    return one(st, &q_member_get, v, 2, out, ZF_ENOTFOUND, "no such member", err);
}

int zf_store_member_list(zf_store *st, const char *org, zf_store_member **out, size_t *n,
                         zf_error *err)
{
    zf_store_value v = zf_store__text(org);
    return all(st, &q_member_list, &v, 1, (void **)out, n, err);
}

int zf_store_member_admins(zf_store *st, const char *org, int64_t *count, zf_error *err)
{
    zf_store_value v = zf_store__text(org);
    count_row r;
    int rc = one(st, &q_member_admins, &v, 1, &r, ZF_ESTORE, "counting admins gave no row", err);
    *count = rc == 0 ? r.n : 0;
    return rc;
}
