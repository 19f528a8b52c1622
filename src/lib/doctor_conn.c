/*
 * The doctor's checks of the connection itself (doctor.h): its state as
 * /readyz sees it (zf_conn_health) with the seed's resolution, token age
 * and expiry, the last refresh; the scopes granted against the ten
 * required and the actions each missing one disables; and whether the
 * app's type fits (user-managed OAuth, Server-to-Server without admin
 * scopes, Server-to-Server requests that named the user `me`).
 */
#include "doctor_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/hint.h"
#include "zoomflow/oauth.h"

static void fmt_ago(char *out, size_t n, int64_t t, int64_t now)
{
    int64_t d = now - t, ad = d < 0 ? -d : d;
    const char *unit = ad >= 86400 ? "d" : ad >= 3600 ? "h" : ad >= 60 ? "min" : "s";
    int64_t v = ad >= 86400 ? ad / 86400 : ad >= 3600 ? ad / 3600 : ad >= 60 ? ad / 60 : ad;
    if (t <= 0)
        snprintf(out, n, "never");
    else
        snprintf(out, n, "%s%lld %s%s", d >= 0 ? "" : "in ", (long long)v, unit,
                 d >= 0 ? " ago" : "");
}

/* A row that cannot look without the connection. */
static int need_info(zf_doctor__ctx *c, json_t *row)
{
    if (c->have_info)
        return 1;
    zf_doctor__say(row, ZF_VERDICT_WARN, ZF_HINT_CONNECT, "connect the Zoom account first",
                   "not checked: there is no usable connection to read");
    return 0;
}

/* ---- connection --------------------------------------------------------- */

static void conn_broken(zf_doctor__ctx *c, json_t *row, const char *health)
{
    const zf_conn_info *i = &c->info;
    int reauth = strcmp(health, "NEEDS_REAUTH") == 0;
    int gone = reauth && zf_conn_deauthorized(i->last_error);
    json_t *seed = gone ? zf_seed_deauthorized()
                        : zf_seed_problem(reauth ? ZF_HINT_RECONNECT : ZF_HINT_RETRY_LATER, 0);
    const char *fix = json_string_value(json_object_get(seed, "resolution"));
    char exp[64];
    fmt_ago(exp, sizeof exp, i->expires_at, c->now);
    if (reauth)
        zf_doctor__say(row, ZF_VERDICT_FAIL, ZF_HINT_RECONNECT, fix, "NEEDS_REAUTH: %s%s",
                       i->last_error ? i->last_error : "Zoom refused the tokens",
                       gone ? " (the app was removed in Zoom)" : "");
    else
        zf_doctor__say(row, ZF_VERDICT_FAIL, ZF_HINT_RETRY_LATER, fix,
                       "REFRESH_FAILING: the access token expired %s and the last refresh "
                       "failed: %s",
                       exp, i->last_error);
    if (seed)
        json_object_set_new(zf_doctor__details(row), "resolution", seed);
}

void zf_doctor__connection(zf_doctor__ctx *c, json_t *row)
{
    if (!c->have_info) {
        int absent = c->info_rc == ZF_ENOTCONNECTED;
        zf_doctor__say(
            row, ZF_VERDICT_FAIL, absent ? ZF_HINT_CONNECT : c->info_err.hint_id,
            absent ? "connect the Zoom account first" : zf_hint_words(c->info_err.hint_id), "%s",
            absent ? "no Zoom connection is stored under this name" : c->info_err.message);
        json_object_set_new(zf_doctor__details(row), "state",
                            json_string(absent ? "ABSENT" : "UNKNOWN"));
        return;
    }
    const zf_conn_info *i = &c->info;
    const char *health = zf_conn_health(i->state, i->expires_at, i->last_error, c->now);
    json_t *d = zf_doctor__details(row);
    json_object_set_new(d, "state", json_string(health));
    json_object_set_new(d, "kind", json_string(zf_conn_kind_name(i->kind)));
    json_object_set_new(d, "access_expires_at", json_integer(i->expires_at));
    json_object_set_new(d, "connected_at", json_integer(i->connected_at));
    json_object_set_new(d, "last_refresh_at", json_integer(i->last_refresh_at));
    json_object_set_new(d, "refresh_count", json_integer(i->refresh_count));
    json_object_set_new(d, "last_error", i->last_error ? json_string(i->last_error) : json_null());
    if (strcmp(health, "VALID") != 0) {
        conn_broken(c, row, health);
        return;
    }
    char exp[64], con[64], ref[64];
    fmt_ago(exp, sizeof exp, i->expires_at, c->now);
    fmt_ago(con, sizeof con, i->connected_at, c->now);
    fmt_ago(ref, sizeof ref, i->last_refresh_at, c->now);
    if (i->refresh_started_at && i->refresh_interrupted) {
        zf_doctor__say(row, ZF_VERDICT_WARN, ZF_HINT_CHECK_CONNECTION,
                       zf_hint_words(ZF_HINT_CHECK_CONNECTION),
                       "VALID, but a refresh started by pid %lld on %s never completed: if it "
                       "reached Zoom, the next refresh will need a reconnect",
                       (long long)i->refresh_pid, i->refresh_host ? i->refresh_host : "?");
        return;
    }
    zf_doctor__say(row, ZF_VERDICT_OK, ZF_HINT_NONE, NULL,
                   "VALID %s connection to account %s; access token expires %s; connected %s; "
                   "last refresh %s (%lld refreshes)%s",
                   zf_conn_kind_name(i->kind), i->account_id ? i->account_id : "(unknown)", exp,
                   con, ref, (long long)i->refresh_count,
                   c->asked && c->live_rc == 0 ? "; Zoom accepted its token just now" : "");
}

/* ---- scopes --------------------------------------------------------------- */

/* Words of a scope list with exactly one ':' between two parts and
 * ":admin" or ":read"/":write" (Zoom's classic scopes, before the granular
 * migration: "meeting:write:admin", "user:read"). */
static int classic_scope(const char *w, size_t n)
{
    int colons = 0;
    for (size_t k = 0; k < n; k++)
        colons += w[k] == ':';
    int admin = n >= 6 && memcmp(w + n - 6, ":admin", 6) == 0;
    return colons == 1 || (colons == 2 && admin);
}

static void scan_scopes(const char *s, int *admin, int *user, zf_buf *classic)
{
    *admin = *user = 0;
    while (s && *s) {
        const char *sp = strpbrk(s, " ,");
        size_t n = sp ? (size_t)(sp - s) : strlen(s);
        if (n && classic_scope(s, n))
            zf_buf_appendf(classic, "%s%.*s", classic->len ? " " : "", (int)n, s);
        else if (n >= 6 && memcmp(s + n - 6, ":admin", 6) == 0)
            (*admin)++;
        else if (n)
            (*user)++;
        s = sp ? sp + 1 : s + n;
    }
}

static void missing_text(zf_buf *b, const json_t *missing)
{
    size_t k, j;
    json_t *e, *a;
    json_array_foreach (missing, k, e) {
        zf_buf_appendf(b, "%s%s", k ? "; " : "", json_string_value(json_object_get(e, "scope")));
        json_t *acts = json_object_get(e, "actions");
        json_array_foreach (acts, j, a)
            zf_buf_appendf(b, "%s%s", j ? ", " : " (disables ", json_string_value(a));
        if (json_array_size(acts))
            zf_buf_putc(b, ')');
    }
}

void zf_doctor__scopes(zf_doctor__ctx *c, json_t *row)
{
    if (!need_info(c, row))
        return;
    size_t required = 0;
    while (zf_oauth_required_scopes[required])
        required++;
    json_t *missing = zf_scopes_missing_json(c->info.scopes);
    int admin, user;
    zf_buf classic = ZF_BUF_INIT(4096), text = ZF_BUF_INIT(8192);
    scan_scopes(c->info.scopes, &admin, &user, &classic);
    json_t *d = zf_doctor__details(row);
    json_object_set_new(d, "required", json_integer((json_int_t)required));
    json_object_set_new(d, "missing", missing);
    json_object_set_new(d, "classic", json_string(zf_buf_cstr(&classic)));
    size_t n = json_array_size(missing);
    missing_text(&text, missing);
    if (n)
        zf_doctor__say(row, ZF_VERDICT_FAIL, ZF_HINT_ADD_SCOPE, zf_hint_words(ZF_HINT_ADD_SCOPE),
                       "%zu of the %zu required scopes not granted: %s%s%s", n, required,
                       zf_buf_cstr(&text), classic.len ? "; classic scopes granted instead: " : "",
                       zf_buf_cstr(&classic));
    else if (c->asked && c->live_rc == ZF_ESCOPE)
        zf_doctor__say(row, ZF_VERDICT_FAIL, ZF_HINT_ADD_SCOPE, zf_hint_words(ZF_HINT_ADD_SCOPE),
                       "the stored grant has every required scope, but Zoom refused the check "
                       "call for a scope: %s",
                       c->live_err.message);
    else
        zf_doctor__say(row, ZF_VERDICT_OK, ZF_HINT_NONE, NULL, "all %zu required scopes granted",
                       required);
    zf_buf_free(&classic);
    zf_buf_free(&text);
}

/* ---- app type ------------------------------------------------------------- */

static const char APP_TODO_S2S[] =
    "a Server-to-Server app acts for the whole account: add the required :admin scopes to it "
    "in the App Marketplace, or use an admin-managed user OAuth app";
static const char APP_TODO_USER[] =
    "zoomflow needs an admin-managed (account-level) OAuth app or a Server-to-Server app: "
    "create one with the :admin scopes and connect it";

/* The requests naming `me` on this (Server-to-Server) connection in the
 * doctor's window (signal "s2s_me", label the action, actions/run.c):
 * how many, and the newest's action and time. A store that cannot be read
 * counts none: the store check says so. */
typedef struct me_uses {
    int64_t count, last_at;
    char last[64];
} me_uses;

static void read_me_uses(zf_doctor__ctx *c, me_uses *u)
{
    memset(u, 0, sizeof *u);
    zf_store_signal *list = NULL;
    size_t n = 0;
    zf_error quiet = ZF_ERROR_INIT;
    if (!c->st ||
        zf_store_signal_list(c->st, c->conn_id, c->now - ZF_DOCTOR_WINDOW, &list, &n, &quiet) != 0)
        return;
    for (size_t k = 0; k < n; k++) {
        if (strcmp(list[k].kind, "s2s_me") != 0)
            continue;
        u->count += list[k].count;
        if (list[k].last_at >= u->last_at) {
            u->last_at = list[k].last_at;
            snprintf(u->last, sizeof u->last, "%s", list[k].label);
        }
    }
    zf_store_signal_free_list(list, n);
}

static void say_me_uses(zf_doctor__ctx *c, json_t *row, const me_uses *u)
{
    char ago[64], todo[256];
    fmt_ago(ago, sizeof ago, u->last_at, c->now);
    snprintf(todo, sizeof todo,
             "name the user by id or email instead of `me` in %s's %s: a Server-to-Server "
             "token has no user behind it",
             u->last, strcmp(u->last, "call_api") == 0 ? "path" : "input (user_id)");
    zf_doctor__say(row, ZF_VERDICT_WARN, ZF_HINT_NAME_USER, todo,
                   "Server-to-Server app for account %s, but %lld request%s in the last 24 h "
                   "named the user `me`, which Zoom documents for user-level apps only; the "
                   "last: %s, %s",
                   c->info.account_id ? c->info.account_id : "(unknown)", (long long)u->count,
                   u->count == 1 ? "" : "s", u->last, ago);
}

void zf_doctor__app_type(zf_doctor__ctx *c, json_t *row)
{
    if (!need_info(c, row))
        return;
    const zf_conn_info *i = &c->info;
    int admin, user;
    zf_buf classic = ZF_BUF_INIT(4096);
    scan_scopes(i->scopes, &admin, &user, &classic);
    zf_buf_free(&classic);
    int s2s = i->kind == ZF_CONN_S2S;
    json_t *d = zf_doctor__details(row);
    json_object_set_new(d, "kind", json_string(zf_conn_kind_name(i->kind)));
    json_object_set_new(d, "admin_scopes", json_integer(admin));
    json_object_set_new(d, "user_scopes", json_integer(user));
    me_uses me = {0, 0, ""};
    if (s2s)
        read_me_uses(c, &me);
    json_object_set_new(d, "me_requests",
                        json_pack("{s:I,s:s?,s:I}", "count", (json_int_t)me.count, "last_action",
                                  me.count ? me.last : NULL, "last_at", (json_int_t)me.last_at));
    if (s2s && admin == 0)
        zf_doctor__say(row, ZF_VERDICT_FAIL, ZF_HINT_MATCH_APP_TYPE, APP_TODO_S2S,
                       "a Server-to-Server (account-level) token without any admin scope (%d "
                       "user-level): every account-wide call is refused",
                       user);
    else if (!s2s && admin == 0 && user > 0)
        zf_doctor__say(row, ZF_VERDICT_FAIL, ZF_HINT_MATCH_APP_TYPE, APP_TODO_USER,
                       "a user-managed OAuth app: its %d scopes are all user-level, so it can "
                       "only act as the user who authorized it (`me`), never on other users",
                       user);
    else if (s2s && me.count)
        say_me_uses(c, row, &me);
    else if (s2s)
        zf_doctor__say(row, ZF_VERDICT_OK, ZF_HINT_NONE, NULL,
                       "Server-to-Server app for account %s: no user behind the token, so "
                       "name users by id or email rather than `me`",
                       i->account_id ? i->account_id : "(unknown)");
    else
        zf_doctor__say(row, ZF_VERDICT_OK, ZF_HINT_NONE, NULL,
                       "admin-managed user OAuth app (user %s of account %s)",
                       i->user_id ? i->user_id : "(unknown)",
                       i->account_id ? i->account_id : "(unknown)");
}
