/*
 * zoomflow doctor: the library's checks (zoomflow/doctor.h) of one
 * connection, rendered: a line per check with its verdict, what it found
 * and what to do; colours when stdout is a terminal (and NO_COLOR is
 * unset); --json prints the library's report as it is, the same JSON as
 * the service's GET /api/v1/doctor. Exit 0 when no check fails (warnings
 * included), 1 when one does: something needs a person.
 */
#include "cli.h"
#include "commands.h"
#include "lib.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/doctor.h"

extern char **environ;

typedef struct doctor_args {
    int json;
    int offline;
    int webhooks;
    const char *archive_dir;
} doctor_args;

static int run(cli_ctx *ctx, int argc, char **argv);

static const cli_opt doctor_opts[] = {
    {.kind = CLI_OPT_SWITCH,
     .name = "json",
     .at = CLI_AT(doctor_args, json),
     .help = "the report as JSON (the service's GET /api/v1/doctor shape)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "offline",
     .at = CLI_AT(doctor_args, offline),
     .help = "ask Zoom nothing: the clock, reachability and live checks are skipped"},
    {.kind = CLI_OPT_VALUE,
     .name = "archive-dir",
     .value_name = "DIR",
     .at = CLI_AT(doctor_args, archive_dir),
     .help = "where recordings are archived: its free space is checked"},
    {.kind = CLI_OPT_SWITCH,
     .name = "webhooks",
     .at = CLI_AT(doctor_args, webhooks),
     .help = "this connection receives webhooks: warn when no secret token is set"},
    {0}};

const zf_cmd zf_cmd_doctor = {
    .name = "doctor",
    .summary = "diagnose the usual Zoom failures: connection, scopes, app type, clock, limits",
    .opts = doctor_opts,
    .help = "Checks, each ok, warn or fail with what it found and what to do: connection\n"
            "(state, token age, last refresh, NEEDS_REAUTH and why), scopes (granted vs the\n"
            "ten required, and the actions each missing one disables), app type, clock skew\n"
            "against Zoom's Date header, reachability and TLS of the API and OAuth hosts\n"
            "(with the proxy variables), rate limits (429s by category, daily limits and\n"
            "when they reset), webhooks (secret, last url_validation, refused deliveries),\n"
            "store (backend, schema version, lock wait, free disk under --archive-dir).\n"
            "One cheap call to Zoom (GET /users, page_size 1) unless --offline.\n"
            "Exit 0 when no check fails (warnings included), 1 when one does.\n"
            "docs/doctor.md says what each check reads and its verdict rules.\n",
    .run = run,
};

typedef struct palette {
    const char *ok, *warn, *fail, *dim, *off;
} palette;

static const palette colours = {"\033[32m", "\033[33m", "\033[1;31m", "\033[2m", "\033[0m"};
static const palette plain = {"", "", "", "", ""};

static const char *colour_of(const palette *p, const char *v)
{
    return !strcmp(v, "fail") ? p->fail : !strcmp(v, "warn") ? p->warn : p->ok;
}

static void print_text(const json_t *r, const palette *p)
{
    char at[32];
    time_t t = (time_t)json_integer_value(json_object_get(r, "at"));
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("zoomflow doctor: profile %s, %s\n\n",
           json_string_value(json_object_get(r, "connection")), at);
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get(r, "checks"), i, c) {
        const char *v = json_string_value(json_object_get(c, "verdict"));
        const char *todo = json_string_value(json_object_get(c, "todo"));
        char tag[8];
        snprintf(tag, sizeof tag, "%s",
                 !strcmp(v, "ok")     ? "ok"
                 : !strcmp(v, "warn") ? "WARN"
                                      : "FAIL");
        printf("%s%-4s%s  %-13s %s\n", colour_of(p, v), tag, p->off,
               json_string_value(json_object_get(c, "check")),
               json_string_value(json_object_get(c, "found")));
        if (todo)
            printf("      %s%-13s%s %s\n", p->dim, "what to do:", p->off, todo);
    }
    json_t *n = json_object_get(r, "counts");
    const char *v = json_string_value(json_object_get(r, "verdict"));
    printf("\n%s%lld failed, %lld warnings, %lld ok%s\n", colour_of(p, v),
           (long long)json_integer_value(json_object_get(n, "fail")),
           (long long)json_integer_value(json_object_get(n, "warn")),
           (long long)json_integer_value(json_object_get(n, "ok")), p->off);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    doctor_args a = {0};
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    if (status)
        return status;
    zf_error err = ZF_ERROR_INIT;
    zf_session *s;
    if (cli_session(ctx, &s, &err) != 0)
        return cli_fail(ctx, &err);
    zf_doctor_opts o = ZF_DOCTOR_OPTS_INIT;
    o.conn_id = ctx->cfg.profile;
    o.dsn = ctx->cfg.db;
    o.archive_dir = a.archive_dir;
    o.env = (const char *const *)environ;
    o.offline = a.offline;
    o.webhooks = a.webhooks;
    cli_http_opts(ctx, &o.http);
    json_t *r = NULL;
    if (zf_doctor_run(&r, s, &o, &err) != 0)
        return cli_fail(ctx, &err);
    if (a.json) {
        json_dumpf(r, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
    } else {
        const char *nc = getenv("NO_COLOR");
        print_text(r, ctx->out_tty && !(nc && *nc) ? &colours : &plain);
    }
    status = strcmp(json_string_value(json_object_get(r, "verdict")), "fail") == 0;
    json_decref(r);
    return status;
}
