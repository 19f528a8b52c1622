/*
 * zoomflow status: the connection's health, honestly: account, kind, state,
 * granted vs required scopes, token expiry, last refresh, last error and
 * what to do about it. Exit 0 when usable, 3 when not connected or when the
 * connection needs re-authorization, so scripts can check it.
 *
 * Live by default, like `gh auth status`: a VALID connection is asked one
 * cheap authenticated question through the normal client (GET /users with
 * page_size=1: its scope, user:read:list_users:admin, is one zoomflow
 * requires, while GET /users/me needs one it does not ask for, zoom-api.md
 * §A; and it works for Server-to-Server apps, which must not use `me`). An
 * expired token is refreshed on the way, and a grant Zoom revoked ends in
 * NEEDS_REAUTH with Zoom's reason, stored, so every later call fails fast
 * too. --offline shows the stored view without asking Zoom. --all does the
 * same for every profile.
 */
#include "cli.h"
#include "commands.h"
#include "lib.h"
#include "zoomflow/actions.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIVE_BUDGET_MS 30000
#define LIVE_ATTEMPTS 2

static void fmt_time(char out[64], int64_t t, int64_t now)
{
    if (t <= 0) {
        snprintf(out, 64, "never");
        return;
    }
    char iso[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int64_t d = t - now, ad = d < 0 ? -d : d;
    if (ad < 5) {
        snprintf(out, 64, "%s (just now)", iso);
        return;
    }
    const char *unit = ad >= 86400 ? "d" : ad >= 3600 ? "h" : ad >= 60 ? "min" : "s";
    int64_t v = ad >= 86400 ? ad / 86400 : ad >= 3600 ? ad / 3600 : ad >= 60 ? ad / 60 : ad;
    snprintf(out, 64, "%s (%s%lld %s%s)", iso, d < 0 ? "" : "in ", (long long)v, unit,
             d < 0 ? " ago" : "");
}

/* The outcome of the live check of one connection. */
typedef struct live {
    int asked; /* 1: Zoom was asked (not --offline, and the stored state was VALID) */
    int rc;    /* its zf_code, 0 when the call succeeded */
    zf_error err;
} live;

/* One cheap authenticated call over the stored connection id, through a
 * client like every command's (same token source: refreshes on the way). */
static int live_call(cli_ctx *ctx, zf_tokens *tk, const char *id, zf_error *err)
{
    zf_zoom_tokens src;
    zf_zoom *z = NULL;
    int rc = zf_zoom_tokens_conn(&src, tk, id, err);
    if (rc)
        return rc;
    if (ctx->cfg.api_base_from != CLI_FROM_DEFAULT &&
        (rc = zf_zoom_tokens_pin_base(&src, ctx->cfg.api_base, err)) != 0)
        goto done;
    zf_zoom_opts o = ZF_ZOOM_OPTS_INIT;
    o.tokens = src;
    cli_http_opts(ctx, &o.http);
    /* a status check answers in seconds, not after minutes of retries */
    o.retry.budget_ms = LIVE_BUDGET_MS;
    o.retry.max_attempts = LIVE_ATTEMPTS;
    if ((rc = zf_zoom_new(&z, &o, err)) != 0)
        goto done;
    static const zf_zoom_param query[] = {{"page_size", "1"}};
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.path = "/users";
    req.query = query;
    req.nquery = 1;
    req.category = "Medium";
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    rc = zf_zoom_call(z, &req, &resp, err);
    zf_zoom_resp_free(&resp);
done:
    zf_zoom_free(z);
    zf_zoom_tokens_free(&src);
    return rc;
}

/* The connection's info, checked live unless offline: when Zoom was asked
 * the info is read again, since the check may have refreshed the token or
 * ended the connection in NEEDS_REAUTH. */
static int checked_info(cli_ctx *ctx, zf_tokens *tk, const char *id, int offline,
                        zf_conn_info *info, live *lv, zf_error *err)
{
    live fresh = {0, 0, ZF_ERROR_INIT};
    *lv = fresh;
    int rc = zf_tokens_info(info, tk, id, err);
    if (rc || offline || info->state != ZF_CONN_VALID)
        return rc;
    lv->asked = 1;
    lv->rc = live_call(ctx, tk, id, &lv->err);
    zf_conn_info_free(info);
    return zf_tokens_info(info, tk, id, err);
}

/* Exit status of one checked connection: usable and answered -> 0. */
static int info_status(const zf_conn_info *i, const live *lv)
{
    if (i->state != ZF_CONN_VALID)
        return cli_exit_status(ZF_EREAUTH);
    return lv->rc ? cli_exit_status(lv->rc) : 0;
}

/* A list as zf_actions_unavailable_json makes it, each with its command. */
static json_t *unavailable_with_commands(const json_t *lib)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach (lib, i, e) {
        const char *name = json_string_value(json_object_get(e, "action"));
        const zf_cmd *c = cli_command_for_action(name);
        json_array_append_new(out,
                              json_pack("{s:s,s:s?,s:O}", "action", name, "command",
                                        c ? c->name : NULL, "scope", json_object_get(e, "scope")));
    }
    return out;
}

static void print_unavailable_list(const json_t *u, const char *label)
{
    size_t i;
    json_t *e;
    json_array_foreach (u, i, e) {
        const char *cmd = json_string_value(json_object_get(e, "command"));
        printf("%-15s%s needs %s\n", i ? "" : label,
               cmd ? cmd : json_string_value(json_object_get(e, "action")),
               json_string_value(json_object_get(e, "scope")));
    }
}

json_t *cli_unavailable_actions(const char *granted)
{
    json_t *lib = zf_actions_unavailable_json(granted), *out = unavailable_with_commands(lib);
    json_decref(lib);
    return out;
}

void cli_print_unavailable(const char *granted, const char *label)
{
    json_t *u = cli_unavailable_actions(granted);
    print_unavailable_list(u, label);
    json_decref(u);
}

/* The missing required scopes' names, from the library's view of the
 * connection (zf_conn_info_json: [{scope, actions}]), in its order. */
static json_t *missing_names(const json_t *view)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach (json_object_get(view, "missing_scopes"), i, e)
        json_array_append(out, json_object_get(e, "scope"));
    return out;
}

/* What went wrong, when anything did: the live failure, else the stored one. */
static const char *info_error(const zf_conn_info *i, const live *lv)
{
    if (lv->rc && i->state == ZF_CONN_VALID)
        return lv->err.message[0] ? lv->err.message : zf_strerror(lv->rc);
    return i->state == ZF_CONN_VALID ? NULL : i->last_error;
}

/* status --json: the library's view (zf_conn_info_json) in the CLI's
 * shape: the profile's name, the scopes missing as names, the unavailable
 * actions with their commands, the stored error and hint as text. */
static json_t *info_json(const zf_conn_info *i, const json_t *view)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?}", "profile", i->id, "kind",
                          zf_conn_kind_name(i->kind), "state", zf_conn_state_name(i->state),
                          "account_id", i->account_id, "client_id", i->client_id, "oauth_base",
                          i->oauth_base, "api_base", i->api_base);
    static const char *const times[] = {"access_expires_at", "connected_at", "last_refresh_at",
                                        "refresh_count"};
    json_object_set(o, "user_id", json_object_get(view, "user_id"));
    json_object_set(o, "granted_scopes", json_object_get(view, "granted_scopes"));
    json_object_set_new(o, "missing_scopes", missing_names(view));
    json_object_set_new(o, "unavailable_actions",
                        unavailable_with_commands(json_object_get(view, "unavailable_actions")));
    for (size_t k = 0; k < sizeof times / sizeof times[0]; k++)
        json_object_set(o, times[k], json_object_get(view, times[k]));
    json_object_set_new(o, "last_error", i->last_error ? json_string(i->last_error) : json_null());
    json_object_set_new(o, "hint", i->last_hint ? json_string(i->last_hint) : json_null());
    json_object_set_new(o, "token_endpoint",
                        i->token_endpoint ? json_string(i->token_endpoint) : json_null());
    json_object_set_new(o, "revoke_endpoint",
                        i->revoke_endpoint ? json_string(i->revoke_endpoint) : json_null());
    json_object_set(o, "refresh_started", json_object_get(view, "refresh_started"));
    return o;
}

/* An unfinished refresh: still running, or interrupted (its process died). */
static void print_refresh_claim(const zf_conn_info *i, int64_t now)
{
    char at[64];
    if (!i->refresh_started_at)
        return;
    fmt_time(at, i->refresh_started_at, now);
    if (i->refresh_interrupted)
        printf("interrupted:   a refresh started %s by pid %lld on host %s never completed%s\n", at,
               (long long)i->refresh_pid, i->refresh_host ? i->refresh_host : "?",
               i->state == ZF_CONN_VALID ? " (if it reached the server, the next refresh "
                                           "will need a reconnect)"
                                         : "");
    else
        printf("refreshing:    since %s (pid %lld on host %s)\n", at, (long long)i->refresh_pid,
               i->refresh_host ? i->refresh_host : "?");
}

/* The scopes line's list: the missing scopes' names, space-separated. */
static void join_names(zf_buf *b, const json_t *names)
{
    size_t k;
    json_t *e;
    json_array_foreach (names, k, e)
        zf_buf_appendf(b, "%s%s", k ? " " : "", json_string_value(e));
}

/* The text view, from the library's view (zf_conn_info_json) as --json is. */
static void print_text(const zf_conn_info *i, const json_t *view, const live *lv)
{
    int64_t now = (int64_t)time(NULL);
    char exp[64], con[64], ref[64];
    fmt_time(exp, i->expires_at, now);
    fmt_time(con, i->connected_at, now);
    fmt_time(ref, i->last_refresh_at, now);
    json_t *m = missing_names(view);
    json_t *u = unavailable_with_commands(json_object_get(view, "unavailable_actions"));
    size_t granted = json_array_size(json_object_get(view, "granted_scopes"));
    size_t missing = json_array_size(m);
    zf_buf names = ZF_BUF_INIT(1024);
    join_names(&names, m);
    json_decref(m);
    printf("profile:       %s\n", i->id);
    printf("state:         %s\n", zf_conn_state_name(i->state));
    printf("kind:          %s (client %s)\n", zf_conn_kind_name(i->kind),
           i->client_id ? i->client_id : "?");
    printf("account:       %s\n", i->account_id ? i->account_id : "(unknown)");
    if (i->user_id)
        printf("user:          %s\n", i->user_id);
    printf("api:           %s\n", i->api_base ? i->api_base : "?");
    printf("access token:  expires %s\n", exp);
    printf("connected:     %s\n", con);
    printf("last refresh:  %s (%lld refreshes)\n", ref, (long long)i->refresh_count);
    printf("scopes:        %zu granted; %s%s\n", granted,
           missing ? "missing: " : "all required scopes present",
           missing ? zf_buf_cstr(&names) : "");
    zf_buf_free(&names);
    print_unavailable_list(u, "unavailable:");
    json_decref(u);
    if (i->token_endpoint || i->revoke_endpoint)
        printf("endpoints:     token %s, revoke %s\n",
               i->token_endpoint ? i->token_endpoint : ZF_OAUTH_TOKEN_PATH,
               i->revoke_endpoint ? i->revoke_endpoint : ZF_OAUTH_REVOKE_PATH);
    print_refresh_claim(i, now);
    if (!lv->asked)
        printf("checked:       %s\n", i->state == ZF_CONN_VALID
                                          ? "stored state only (--offline)"
                                          : "stored state (Zoom is not asked again until "
                                            "it is reconnected)");
    else if (lv->rc == 0)
        printf("checked:       live: Zoom accepted the connection's token\n");
    else if (i->state == ZF_CONN_VALID)
        printf("checked:       live: the check failed: %s\n", info_error(i, lv));
    else
        printf("checked:       live: Zoom refused the connection\n");
    if (i->last_error)
        printf("last error:    %s\n", i->last_error);
    if (i->last_hint)
        printf("what to do:    %s\n", i->last_hint);
}

static int run(cli_ctx *ctx, int argc, char **argv);

typedef struct status_args {
    int json;
    int offline;
    int all;
    const char *format;
} status_args;

/* --format: json alone for one profile, the list formats with --all */
static const char *const one_formats[] = {"json", NULL};

static const cli_opt status_opts[] = {
    {.kind = CLI_OPT_SWITCH,
     .name = "json",
     .at = CLI_AT(status_args, json),
     .help = "machine-readable output (the same as --format json)"},
    {.kind = CLI_OPT_VALUE,
     .name = "format",
     .value_name = "FMT",
     .at = CLI_AT(status_args, format),
     .choices = cli_format_names,
     .help = "json; with --all also ndjson, table (the default) or csv"},
    {.kind = CLI_OPT_SWITCH,
     .name = "offline",
     .at = CLI_AT(status_args, offline),
     .help = "show the stored state without asking Zoom"},
    {.kind = CLI_OPT_SWITCH,
     .name = "all",
     .at = CLI_AT(status_args, all),
     .help = "every profile: name, kind, state, account, expiry"},
    {0}};

const zf_cmd zf_cmd_status = {
    .name = "status",
    .summary = "show the connection: account, state, scopes, token expiry, last error",
    .opts = status_opts,
    .help = "Checks the connection live: one cheap authenticated call to Zoom (GET /users,\n"
            "page_size 1), refreshing the token first when it is about to expire; a grant\n"
            "Zoom revoked turns NEEDS_REAUTH with Zoom's reason. --offline shows the\n"
            "stored view only. --all lists every profile (live unless --offline).\n"
            "Exit 0 when the connection (with --all: every one) is usable; 3 when a\n"
            "profile is not connected or needs re-authorization (the output says what to\n"
            "do); when the live check fails otherwise, the exit status of that failure\n"
            "(5 network, 6 Zoom refused the call, 7 rate limited).\n",
    .run = run,
};

int cli_unknown_profile(cli_ctx *ctx, zf_tokens *tk, const char *id, zf_error *err)
{
    char **ids = NULL;
    size_t n = 0;
    zf_error ignored = ZF_ERROR_INIT;
    if (!tk || err->code != ZF_ENOTCONNECTED || zf_tokens_list(&ids, &n, tk, &ignored) != 0 || !n) {
        free(ids);
        return err->code;
    }
    zf_buf names = ZF_BUF_INIT(1024);
    for (size_t i = 0; i < n; i++) {
        zf_buf_appendf(&names, "%s%s", i ? ", " : "", ids[i]);
        free(ids[i]);
    }
    free(ids);
    zf_error_set(err, ZF_ENOTCONNECTED,
                 "no Zoom connection named \"%s\"; the profiles "
                 "connected are: %s",
                 id, names.failed ? "(too many to name)" : zf_buf_cstr(&names));
    zf_error_hint_id(err, ZF_HINT_LIST_CONNECTIONS,
                     "List the connections and pick one of "
                     "them, or connect \"%s\" first.",
                     id);
    zf_buf_free(&names);
    return ZF_ENOTCONNECTED;
}

static const char *const all_columns[] = {"profile", "kind",  "state", "account_id",
                                          "expires", "error", NULL};

static json_t *list_item(const zf_conn_info *i, const live *lv)
{
    char exp[32] = "";
    if (i->expires_at > 0) {
        time_t t = (time_t)i->expires_at;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(exp, sizeof exp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    const char *e = info_error(i, lv);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:I,s:b}", "profile", i->id, "kind",
                          zf_conn_kind_name(i->kind), "state", zf_conn_state_name(i->state),
                          "account_id", i->account_id, "user_id", i->user_id, "client_id",
                          i->client_id, "expires", exp[0] ? exp : NULL, "access_expires_at",
                          (json_int_t)i->expires_at, "live", lv->asked);
    if (o) {
        json_object_set_new(o, "error", e ? json_string(e) : json_null());
        json_object_set_new(o, "hint",
                            i->state != ZF_CONN_VALID && i->last_hint ? json_string(i->last_hint)
                                                                      : json_null());
    }
    return o;
}

/* --all: one row per profile, in the store's order (by name). */
static int run_all(cli_ctx *ctx, zf_tokens *tk, int offline, cli_format fmt)
{
    char **ids = NULL;
    size_t n = 0;
    zf_error err = ZF_ERROR_INIT;
    cli_out *out = NULL;
    int rc = zf_tokens_list(&ids, &n, tk, &err), worst = 0, broken = 0;
    if (rc)
        return cli_fail(ctx, &err);
    if (cli_out_new(&out, stdout, fmt, ctx->out_tty, all_columns) != 0) {
        rc = cli_exit_status(ZF_ENOMEM);
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        zf_conn_info info;
        live lv;
        if (checked_info(ctx, tk, ids[k], offline, &info, &lv, &err) != 0) {
            rc = cli_fail(ctx, &err);
            goto done;
        }
        int st = info_status(&info, &lv);
        broken |= info.state != ZF_CONN_VALID;
        if (st && !worst)
            worst = st;
        json_t *item = list_item(&info, &lv);
        zf_conn_info_free(&info);
        if (!item || cli_out_item(out, item) != 0) {
            json_decref(item);
            rc = cli_exit_status(ZF_ENOMEM);
            goto done;
        }
        json_decref(item);
    }
    if (!n)
        fprintf(stderr, "zoomflow: no profile is connected\nhint: run `zoomflow --profile "
                        "NAME connect` to connect one\n");
    else if (broken)
        fprintf(stderr, "hint: run `zoomflow --profile NAME connect` for each profile whose "
                        "state is NEEDS_REAUTH\n");
    rc = !n || broken ? cli_exit_status(ZF_ENOTCONNECTED) : worst;
done:
    if (out)
        cli_out_end(out);
    for (size_t k = 0; k < n; k++)
        free(ids[k]);
    free(ids);
    return rc;
}

/* Another VALID user-OAuth profile of the same app (client id and OAuth
 * base) as a connection that is not valid: it may hold the one grant Zoom
 * keeps per user and app, so reconnecting here needs --force (connect
 * refuses without it). 1 with its name in out, or 0. */
static int grant_holder(zf_tokens *tk, const zf_conn_info *me, char *out, size_t cap)
{
    char **ids = NULL;
    size_t n = 0;
    zf_error ignored = ZF_ERROR_INIT;
    int found = 0;
    if (me->kind != ZF_CONN_OAUTH || !me->client_id || !me->oauth_base ||
        zf_tokens_list(&ids, &n, tk, &ignored) != 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        zf_conn_info o;
        if (!found && strcmp(ids[i], me->id) != 0 &&
            zf_tokens_info(&o, tk, ids[i], &ignored) == 0) {
            found = o.kind == ZF_CONN_OAUTH && o.state == ZF_CONN_VALID && o.client_id &&
                    o.oauth_base && !strcmp(o.client_id, me->client_id) &&
                    !strcmp(o.oauth_base, me->oauth_base);
            if (found)
                snprintf(out, cap, "%s", o.id);
            zf_conn_info_free(&o);
        }
        free(ids[i]);
    }
    free(ids);
    return found;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    status_args a = {0};
    zf_error err = ZF_ERROR_INIT;
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    if (status)
        return status;
    cli_format fmt = a.all ? CLI_FMT_TABLE : CLI_FMT_AUTO;
    if (a.format &&
        cli_format_parse_in(a.format, a.all ? cli_format_names : one_formats, &fmt, &err) != 0) {
        if (!a.all)
            zf_error_hint(&err, "the list formats (ndjson, table, csv) go with --all");
        return cli_usage_fail(ctx->cmd, &err);
    }
    if (a.json)
        fmt = CLI_FMT_JSON;
    if (!a.all && fmt != CLI_FMT_AUTO && fmt != CLI_FMT_JSON)
        return cli_usage_error(ctx->cmd, "status of one profile is text or --format json; "
                                         "the list formats (ndjson, table, csv) go with --all");
    int json = fmt == CLI_FMT_JSON;
    zf_tokens *tk = NULL;
    zf_conn_info info;
    live lv;
    int rc = cli_tokens(ctx, &tk, &err);
    if (rc == 0 && a.all)
        return run_all(ctx, tk, a.offline, fmt);
    if (rc == 0)
        rc = checked_info(ctx, tk, ctx->cfg.profile, a.offline, &info, &lv, &err);
    if (rc == ZF_ENOTCONNECTED) {
        cli_unknown_profile(ctx, tk, ctx->cfg.profile ? ctx->cfg.profile : "default", &err);
        if (json)
            printf("{\"profile\":\"%s\",\"state\":\"ABSENT\"}\n", ctx->cfg.profile);
    }
    if (rc)
        return cli_fail(ctx, &err);
    json_t *view = NULL;
    if (zf_conn_info_json(&view, &info) != 0) {
        zf_conn_info_free(&info);
        zf_error_set(&err, ZF_ENOMEM, "out of memory");
        return cli_fail(ctx, &err);
    }
    if (json) {
        json_t *o = info_json(&info, view);
        const char *e =
            lv.asked && lv.rc && info.state == ZF_CONN_VALID ? info_error(&info, &lv) : NULL;
        json_object_set_new(o, "live", json_boolean(lv.asked));
        json_object_set_new(o, "live_error", e ? json_string(e) : json_null());
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    } else {
        print_text(&info, view, &lv);
    }
    json_decref(view);
    status = info_status(&info, &lv);
    if (lv.asked && lv.rc && info.state == ZF_CONN_VALID) {
        /* says what to do about the failed check */
        cli_fail(ctx, &lv.err);
        fprintf(stderr,
                "hint: Zoom did not confirm the connection; `zoomflow --profile %s "
                "status --offline` shows the stored view\n",
                info.id);
    } else if (info.state != ZF_CONN_VALID) {
        char holder[256];
        if (grant_holder(tk, &info, holder, sizeof holder))
            fprintf(stderr,
                    "hint: profile '%s' holds this app's grant now (Zoom keeps one per user "
                    "and app): keep using `zoomflow --profile %s`, or run `zoomflow --profile "
                    "%s connect --force` to move the grant back here ('%s' is then marked "
                    "NEEDS_REAUTH)\n",
                    holder, holder, info.id, holder);
        else
            fprintf(stderr, "hint: run `zoomflow --profile %s connect` to re-authorize it\n",
                    info.id);
    }
    zf_conn_info_free(&info);
    return status;
}
