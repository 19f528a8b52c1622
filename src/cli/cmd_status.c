/*
 * zoomflow status: the connection's health, honestly: account, kind, state,
 * granted vs required scopes, token expiry, last refresh, last error and
 * what to do about it. Exit 0 when usable, 3 when not connected or when the
 * connection needs re-authorization, so scripts can check it.
 */
#include "cli.h"
#include "lib.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static json_t *scopes_json(const char *s)
{
    json_t *a = json_array();
    while (s && *s) {
        const char *sp = strchr(s, ' ');
        size_t n = sp ? (size_t)(sp - s) : strlen(s);
        if (n)
            json_array_append_new(a, json_stringn(s, n));
        s = sp ? sp + 1 : s + n;
    }
    return a;
}

static json_t *info_json(const zf_conn_info *i)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?}", "profile", i->id, "kind",
                          zf_conn_kind_name(i->kind), "state", zf_conn_state_name(i->state),
                          "account_id", i->account_id, "client_id", i->client_id,
                          "oauth_base", i->oauth_base, "api_base", i->api_base);
    json_object_set_new(o, "granted_scopes", scopes_json(i->scopes));
    json_object_set_new(o, "missing_scopes", scopes_json(i->missing_scopes));
    json_object_set_new(o, "access_expires_at", json_integer(i->expires_at));
    json_object_set_new(o, "connected_at", json_integer(i->connected_at));
    json_object_set_new(o, "last_refresh_at", json_integer(i->last_refresh_at));
    json_object_set_new(o, "refresh_count", json_integer(i->refresh_count));
    json_object_set_new(o, "last_error", i->last_error ? json_string(i->last_error) : json_null());
    json_object_set_new(o, "hint", i->last_hint ? json_string(i->last_hint) : json_null());
    json_object_set_new(o, "token_endpoint",
                        i->token_endpoint ? json_string(i->token_endpoint) : json_null());
    json_object_set_new(o, "revoke_endpoint",
                        i->revoke_endpoint ? json_string(i->revoke_endpoint) : json_null());
    json_object_set_new(o, "refresh_started",
                        i->refresh_started_at
                            ? json_pack("{s:I,s:I,s:s,s:b}", "at", (json_int_t)i->refresh_started_at,
                                        "pid", (json_int_t)i->refresh_pid, "host",
                                        i->refresh_host ? i->refresh_host : "?", "interrupted",
                                        i->refresh_interrupted)
                            : json_null());
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
        printf("interrupted:   a refresh started %s by pid %lld on host %s never completed%s\n",
               at, (long long)i->refresh_pid, i->refresh_host ? i->refresh_host : "?",
               i->state == ZF_CONN_VALID ? " (if it reached the server, the next refresh "
                                           "will need a reconnect)" : "");
    else
        printf("refreshing:    since %s (pid %lld on host %s)\n", at,
               (long long)i->refresh_pid, i->refresh_host ? i->refresh_host : "?");
}

static void print_text(const zf_conn_info *i)
{
    int64_t now = (int64_t)time(NULL);
    char exp[64], con[64], ref[64];
    fmt_time(exp, i->expires_at, now);
    fmt_time(con, i->connected_at, now);
    fmt_time(ref, i->last_refresh_at, now);
    size_t granted = 0, missing = 0;
    json_t *g = scopes_json(i->scopes), *m = scopes_json(i->missing_scopes);
    granted = json_array_size(g);
    missing = json_array_size(m);
    json_decref(g);
    json_decref(m);
    printf("profile:       %s\n", i->id);
    printf("state:         %s\n", zf_conn_state_name(i->state));
    printf("kind:          %s (client %s)\n", zf_conn_kind_name(i->kind),
           i->client_id ? i->client_id : "?");
    printf("account:       %s\n", i->account_id ? i->account_id : "(unknown)");
    printf("api:           %s\n", i->api_base ? i->api_base : "?");
    printf("access token:  expires %s\n", exp);
    printf("connected:     %s\n", con);
    printf("last refresh:  %s (%lld refreshes)\n", ref, (long long)i->refresh_count);
    printf("scopes:        %zu granted; %s%s\n", granted,
           missing ? "missing: " : "all required scopes present",
           missing ? i->missing_scopes : "");
    if (i->token_endpoint || i->revoke_endpoint)
        printf("endpoints:     token %s, revoke %s\n",
               i->token_endpoint ? i->token_endpoint : ZF_OAUTH_TOKEN_PATH,
               i->revoke_endpoint ? i->revoke_endpoint : ZF_OAUTH_REVOKE_PATH);
    print_refresh_claim(i, now);
    if (i->last_error)
        printf("last error:    %s\n", i->last_error);
    if (i->last_hint)
        printf("what to do:    %s\n", i->last_hint);
}

static int run(cli_ctx *ctx, int argc, char **argv);

typedef struct status_args {
    int json;
} status_args;

static const cli_opt status_opts[] = {
    {.kind = CLI_OPT_SWITCH, .name = "json", .at = CLI_AT(status_args, json),
     .help = "machine-readable output"},
    {0}};

const zf_cmd zf_cmd_status = {
    .name = "status",
    .summary = "show the connection: account, state, scopes, token expiry, last error",
    .opts = status_opts,
    .help = "Exit 0 when the connection is usable; 3 when the profile is not connected or\n"
            "needs re-authorization (the output says what to do).\n",
    .run = run,
};

static int run(cli_ctx *ctx, int argc, char **argv)
{
    status_args a = {0};
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    if (status)
        return status;
    int json = a.json;
    zf_error err = ZF_ERROR_INIT;
    zf_tokens *tk = NULL;
    zf_conn_info info;
    int rc = cli_tokens(ctx, &tk, &err);
    if (rc == 0)
        rc = zf_tokens_info(&info, tk, ctx->cfg.profile, &err);
    if (rc == ZF_ENOTCONNECTED && json) {
        printf("{\"profile\":\"%s\",\"state\":\"ABSENT\"}\n", ctx->cfg.profile);
        return 3;
    }
    if (rc)
        return cli_fail(ctx, &err);
    if (json) {
        json_t *o = info_json(&info);
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    } else {
        print_text(&info);
    }
    int usable = info.state == ZF_CONN_VALID;
    zf_conn_info_free(&info);
    return usable ? 0 : 3;
}
