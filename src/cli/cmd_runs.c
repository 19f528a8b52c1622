/*
 * zoomflow runs list|show|retry|cancel|work: the workflow runs of the
 * store (docs/runs.md), and a headless worker executing queued runs and
 * runs whose lease expired (runner.h). A run's org is the connection its
 * steps use (`--org`, default: the profile), as `zoomflow serve` maps an
 * org to the connection of the same id.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "input.h"
#include "lib.h"
#include "runs_cli.h"
#include "zoomflow/json.h"
#include "zoomflow/session.h"

/* ---- shared with cmd_run.c -------------------------------------------------- */

typedef struct org_session {
    char *org;
    zf_session *s;
    struct org_session *next;
} org_session;

struct cli_orgs {
    cli_ctx *ctx;
    pthread_mutex_t mu;
    org_session *list;
};

int cli_orgs_new(cli_orgs **out, cli_ctx *ctx)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return ZF_ENOMEM;
    (*out)->ctx = ctx;
    pthread_mutex_init(&(*out)->mu, NULL);
    return 0;
}

void cli_orgs_free(cli_orgs *o)
{
    if (!o)
        return;
    while (o->list) {
        org_session *x = o->list;
        o->list = x->next;
        zf_session_free(x->s);
        free(x->org);
        free(x);
    }
    pthread_mutex_destroy(&o->mu);
    free(o);
}

int cli_orgs_session(void *arg, const char *org, zf_session **out, zf_error *err)
{
    cli_orgs *o = arg;
    pthread_mutex_lock(&o->mu);
    int rc = 0;
    if (strcmp(org, o->ctx->cfg.profile) == 0) {
        rc = cli_session(o->ctx, out, err);
        pthread_mutex_unlock(&o->mu);
        return rc;
    }
    for (org_session *x = o->list; x; x = x->next)
        if (strcmp(x->org, org) == 0) {
            *out = x->s;
            pthread_mutex_unlock(&o->mu);
            return 0;
        }
    org_session *x = calloc(1, sizeof *x);
    rc = x && (x->org = strdup(org)) ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
    if (rc == 0) {
        zf_session_opts so;
        cli_session_opts(o->ctx, &so);
        so.conn_id = x->org;
        rc = zf_session_open(&x->s, &so, err);
    }
    if (rc == 0) {
        x->next = o->list;
        o->list = x;
        *out = x->s;
    } else if (x) {
        free(x->org);
        free(x);
    }
    pthread_mutex_unlock(&o->mu);
    return rc;
}

static const char *outcome_word(const json_t *out)
{
    if (json_is_true(json_object_get(out, "found")))
        return "found (made by an earlier attempt)";
    if (json_is_true(json_object_get(out, "existing")))
        return "already there";
    if (json_is_true(json_object_get(out, "created")))
        return "created";
    return NULL;
}

void cli_run_step_line(void *ctx, const zf_store_run *run, const char *step_id, int64_t item,
                       int state, const json_t *detail, const char *note)
{
    FILE *f = ctx ? stderr : stdout;
    char it[32] = "";
    if (item >= 0)
        snprintf(it, sizeof it, "[%lld]", (long long)item);
    const char *word = state == ZF_STEP_DONE ? outcome_word(detail) : NULL;
    const char *id =
        state == ZF_STEP_DONE ? json_string_value(json_object_get(detail, "id")) : NULL;
    json_int_t nid = json_integer_value(json_object_get(detail, "id"));
    fprintf(f, "run %lld %s%s: %s", (long long)run->id, step_id, it, zf_step_state_name(state));
    if (word)
        fprintf(f, " (%s)", word);
    if (id)
        fprintf(f, " id=%s", id);
    else if (state == ZF_STEP_DONE && nid)
        fprintf(f, " id=%lld", (long long)nid);
    if (state == ZF_STEP_FAILED && json_is_string(detail))
        fprintf(f, ": %s", json_string_value(detail));
    if (note)
        fprintf(f, "%s%s", state == ZF_STEP_FAILED ? "\n  hint: " : " -- ", note);
    fputc('\n', f);
    fflush(f);
}

void cli_run_error(const zf_store_run *run, zf_error *err)
{
    zf_runner_error_from_json(err, run->error ? run->error : "{}");
    json_t *j = json_loads(run->error ? run->error : "{}", 0, NULL);
    const char *step = json_string_value(json_object_get(j, "step"));
    char msg[ZF_ERROR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", err->message);
    zf_error_restate(err, err->code, "run %lld failed%s%s: %.400s", (long long)run->id,
                     step ? " at step " : "", step ? step : "", msg);
    json_decref(j);
}

static void print_steps(const zf_store_step *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char it[32] = "";
        if (s[i].item >= 0)
            snprintf(it, sizeof it, "[%lld]", (long long)s[i].item);
        printf("  %-24s %-8s attempts %lld", s[i].step_id, zf_step_state_name(s[i].state),
               (long long)s[i].attempts);
        printf("%s%s\n", it[0] ? " item " : "", it);
        if (s[i].error)
            printf("    error: %s\n", s[i].error);
    }
}

int cli_run_print(zf_store *st, const zf_store_run *run, int json, zf_error *err)
{
    zf_store_step *steps = NULL;
    size_t n = 0;
    int rc = zf_store_step_list(st, run->id, &steps, &n, err);
    if (rc != 0)
        return rc;
    if (json) {
        json_t *j = zf_runner_run_json(run, steps, n);
        char *t = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
        if (t)
            puts(t);
        free(t);
        json_decref(j);
    } else {
        printf("run %lld  %s v%lld  %s  trigger %s%s%s  attempts %lld\n", (long long)run->id,
               run->workflow, (long long)run->version, zf_run_state_name(run->state),
               zf_trigger_kind_name(run->trigger_kind), run->trigger_id ? " " : "",
               run->trigger_id ? run->trigger_id : "", (long long)run->attempts);
        print_steps(steps, n);
        if (run->error)
            printf("  error: %s\n", run->error);
    }
    zf_store_step_free_list(steps, n);
    return 0;
}

static zf_runner *volatile signal_runner;

static void on_signal(int sig)
{
    (void)sig;
    zf_runner_stop(signal_runner);
}

void cli_runs_on_signal(zf_runner *r)
{
    signal_runner = r;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = r ? on_signal : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_lease_ttl(cli_ctx *ctx, const char *text, int64_t *ttl)
{
    *ttl = ZF_RUNNER_TTL_DEFAULT;
    if (!text)
        return 0;
    long long v;
    zf_error err = ZF_ERROR_INIT;
    if (cli_number(&v, "--lease-ttl", text, strlen(text), 1, CLI_LEASE_TTL_MAX, "seconds", &err) !=
        0)
        return cli_usage_fail(ctx->cmd, &err);
    *ttl = v;
    return 0;
}

int cli_env_names(cli_ctx *ctx, const char *text, cli_env *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return 0;
    size_t n = 1;
    for (const char *c = text; *c; c++)
        n += *c == ',';
    out->buf = strdup(text);
    out->names = calloc(n + 1, sizeof *out->names);
    if (!out->buf || !out->names) {
        cli_env_free(out);
        return cli_usage_error(ctx->cmd, "--env: out of memory");
    }
    size_t k = 0;
    for (char *tok = out->buf, *next; tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        size_t len = strlen(tok), ok = len >= 1 && len <= 64;
        for (size_t i = 0; ok && i < len; i++)
            ok = (tok[i] >= 'A' && tok[i] <= 'Z') || (tok[i] >= 'a' && tok[i] <= 'z') ||
                 (tok[i] >= '0' && tok[i] <= '9') || tok[i] == '_';
        if (!ok) {
            int st = cli_usage_error(ctx->cmd,
                                     "--env: \"%s\" is not a variable name (give NAME[,NAME...]: "
                                     "letters, digits and '_')",
                                     tok);
            cli_env_free(out);
            return st;
        }
        out->names[k++] = tok;
    }
    return 0;
}

void cli_env_free(cli_env *e)
{
    free(e->buf);
    free(e->names);
    memset(e, 0, sizeof *e);
}

/* ---- the commands --------------------------------------------------------------- */

typedef struct runs_args {
    const char *org, *workflow, *state, *id, *limit, *before, *workers, *lease_ttl, *env;
    int json, once;
} runs_args;

#define ORG_OPT                                                                                    \
    {                                                                                              \
        .kind = CLI_OPT_VALUE, .name = "org", .value_name = "ORG", .at = CLI_AT(runs_args, org),   \
        .help = "the org whose runs (default: the profile; its connection runs the steps)"         \
    }
#define JSON_OPT                                                                                   \
    {                                                                                              \
        .kind = CLI_OPT_SWITCH, .name = "json", .at = CLI_AT(runs_args, json),                     \
        .help = "print JSON"                                                                       \
    }
#define ID_OPT                                                                                     \
    {                                                                                              \
        .kind = CLI_OPT_POSITIONAL, .name = "ID", .flags = CLI_OPT_REQUIRED,                       \
        .at = CLI_AT(runs_args, id), .help = "the run's id"                                        \
    }

static const cli_opt list_opts[] = {
    ORG_OPT,
    {.kind = CLI_OPT_VALUE,
     .name = "workflow",
     .value_name = "NAME",
     .at = CLI_AT(runs_args, workflow),
     .help = "only this workflow's runs"},
    {.kind = CLI_OPT_VALUE,
     .name = "state",
     .value_name = "STATE",
     .at = CLI_AT(runs_args, state),
     .help = "only runs in this state: queued, running, done, failed, cancelled"},
    {.kind = CLI_OPT_VALUE,
     .name = "limit",
     .value_name = "N",
     .at = CLI_AT(runs_args, limit),
     .help = "at most N runs, newest first (1-1000, default 50)"},
    {.kind = CLI_OPT_VALUE,
     .name = "before",
     .value_name = "ID",
     .at = CLI_AT(runs_args, before),
     .help = "only runs older than run ID: the next page, with the next_before\n"
             "the page before printed"},
    JSON_OPT,
    {0}};
static const cli_opt show_opts[] = {ORG_OPT, JSON_OPT, ID_OPT, {0}};
static const cli_opt change_opts[] = {ORG_OPT, JSON_OPT, ID_OPT, {0}};
static const cli_opt work_opts[] = {
    {.kind = CLI_OPT_VALUE,
     .name = "workers",
     .value_name = "N",
     .at = CLI_AT(runs_args, workers),
     .help = "worker threads (1-64, default 1), each with its own Zoom client"},
    {.kind = CLI_OPT_SWITCH,
     .name = "once",
     .at = CLI_AT(runs_args, once),
     .help = "stop when none of the org's runs is queued or running"},
    {.kind = CLI_OPT_VALUE,
     .name = "lease-ttl",
     .value_name = "S",
     .at = CLI_AT(runs_args, lease_ttl),
     .help = "seconds a claimed run's lease lasts, renewed every third of it\n"
             "(1-3600, default 30); a dead worker's runs are taken over after it"},
    {.kind = CLI_OPT_VALUE,
     .name = "env",
     .value_name = "NAMES",
     .at = CLI_AT(runs_args, env),
     .help = CLI_ENV_HELP},
    ORG_OPT,
    {0}};

static const char *org_of(cli_ctx *ctx, const runs_args *a)
{
    return a->org ? a->org : ctx->cfg.profile;
}

static int open_store(cli_ctx *ctx, zf_store **st, zf_error *err)
{
    zf_session *s;
    int rc = cli_session(ctx, &s, err);
    return rc ? rc : zf_session_store(s, st, err);
}

static int parse_id(cli_ctx *ctx, const char *text, int64_t *id)
{
    long long v;
    zf_error err = ZF_ERROR_INIT;
    if (cli_number(&v, "ID", text, strlen(text), 1, INT64_MAX, "a run id", &err) != 0)
        return cli_usage_fail(ctx->cmd, &err);
    *id = v;
    return 0;
}

static int filter_of(cli_ctx *ctx, const runs_args *a, zf_store_run_filter *f)
{
    f->org = org_of(ctx, a);
    f->workflow = a->workflow;
    if (a->state && (f->state = zf_run_state_parse(a->state)) < 0)
        return cli_usage_error(ctx->cmd,
                               "--state %s: not a run state (queued, running, done, failed, "
                               "cancelled)",
                               a->state);
    long long lim = 50;
    zf_error err = ZF_ERROR_INIT;
    if (a->limit &&
        cli_number(&lim, "--limit", a->limit, strlen(a->limit), 1, 1000, "runs", &err) != 0)
        return cli_usage_fail(ctx->cmd, &err);
    f->limit = (size_t)lim;
    long long before = 0;
    if (a->before && cli_number(&before, "--before", a->before, strlen(a->before), 1, INT64_MAX,
                                "a run id", &err) != 0)
        return cli_usage_fail(ctx->cmd, &err);
    f->before = before;
    return 0;
}

static int run_list(cli_ctx *ctx, int argc, char **argv)
{
    runs_args a = {0};
    zf_store_run_filter f = ZF_STORE_RUN_FILTER_INIT;
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    if (status || (status = filter_of(ctx, &a, &f)) != 0)
        return status;
    zf_error err = ZF_ERROR_INIT;
    zf_store *st;
    zf_store_run *list = NULL;
    size_t n = 0;
    int64_t next = 0;
    int rc = open_store(ctx, &st, &err);
    if (rc == 0)
        rc = zf_store_run_list(st, &f, &list, &n, &next, &err);
    if (rc != 0)
        return cli_fail(ctx, &err);
    json_t *arr = a.json ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        const zf_store_run *r = &list[i];
        if (arr)
            json_array_append_new(arr, zf_runner_run_json(r, NULL, 0));
        else
            printf("%-8lld %-28s v%-4lld %-10s %-9s %s\n", (long long)r->id, r->workflow,
                   (long long)r->version, zf_run_state_name(r->state),
                   zf_trigger_kind_name(r->trigger_kind), r->trigger_id ? r->trigger_id : "-");
    }
    if (arr) {
        json_t *j = json_pack("{s:o, s:o}", "runs", arr, "next_before",
                              next ? json_integer(next) : json_null());
        char *t = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
        if (t)
            puts(t);
        free(t);
        json_decref(j);
    } else if (next) {
        fprintf(stderr, "more runs: the same command with --before %lld shows the next page\n",
                (long long)next);
    }
    zf_store_run_free_list(list, n);
    return 0;
}

static int run_show(cli_ctx *ctx, int argc, char **argv)
{
    runs_args a = {0};
    int64_t id = 0;
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    if (status || (status = parse_id(ctx, a.id, &id)) != 0)
        return status;
    zf_error err = ZF_ERROR_INIT;
    zf_store *st;
    zf_store_run run;
    memset(&run, 0, sizeof run);
    int rc = open_store(ctx, &st, &err);
    if (rc == 0)
        rc = zf_store_run_get(st, org_of(ctx, &a), id, &run, &err);
    if (rc == 0)
        rc = cli_run_print(st, &run, a.json, &err);
    zf_store_run_free(&run);
    return rc ? cli_fail(ctx, &err) : 0;
}

/* retry and cancel: one guarded change, then the run as it is. */
static int run_change(cli_ctx *ctx, int argc, char **argv, int retry)
{
    runs_args a = {0};
    int64_t id = 0;
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    if (status || (status = parse_id(ctx, a.id, &id)) != 0)
        return status;
    zf_error err = ZF_ERROR_INIT;
    zf_store *st;
    zf_store_run run;
    memset(&run, 0, sizeof run);
    int rc = open_store(ctx, &st, &err);
    if (rc == 0)
        rc = retry ? zf_store_run_retry(st, org_of(ctx, &a), id, (int64_t)time(NULL), &run, &err)
                   : zf_store_run_cancel(st, org_of(ctx, &a), id, (int64_t)time(NULL), &run, &err);
    if (rc == 0) {
        if (!a.json)
            printf("run %lld %s\n", (long long)id,
                   retry ? "queued again: a worker (`zoomflow runs work`) goes on from its failed "
                           "step"
                         : "cancelled");
        zf_error perr = ZF_ERROR_INIT;
        if (a.json)
            cli_run_print(st, &run, 1, &perr);
    }
    zf_store_run_free(&run);
    return rc ? cli_fail(ctx, &err) : 0;
}

static int run_retry(cli_ctx *ctx, int argc, char **argv)
{
    return run_change(ctx, argc, argv, 1);
}

static int run_cancel(cli_ctx *ctx, int argc, char **argv)
{
    return run_change(ctx, argc, argv, 0);
}

static int run_work(cli_ctx *ctx, int argc, char **argv)
{
    runs_args a = {0};
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    zf_runner_opts ro = ZF_RUNNER_OPTS_INIT;
    if (status || (status = cli_lease_ttl(ctx, a.lease_ttl, &ro.lease_ttl)) != 0)
        return status;
    long long workers = 1;
    zf_error err = ZF_ERROR_INIT;
    if (a.workers && cli_number(&workers, "--workers", a.workers, strlen(a.workers), 1, 64,
                                "threads", &err) != 0)
        return cli_usage_fail(ctx->cmd, &err);
    cli_env env;
    if ((status = cli_env_names(ctx, a.env, &env)) != 0)
        return status;
    ro.env_allowed = env.names;
    zf_http_opts dl_http = ZF_HTTP_OPTS_INIT;
    cli_http_opts(ctx, &dl_http);
    ro.download_http = &dl_http;
    cli_orgs *orgs = NULL;
    zf_runner *r = NULL;
    int rc = open_store(ctx, &ro.store, &err);
    if (rc == 0 && (rc = cli_orgs_new(&orgs, ctx)) != 0)
        zf_error_set(&err, rc, "out of memory");
    ro.session_for = cli_orgs_session;
    ro.session_ctx = orgs;
    ro.on_step = cli_run_step_line;
    if (rc == 0)
        rc = zf_runner_new(&r, &ro, &err);
    zf_runner_work_stats stats = {0};
    if (rc == 0) {
        zf_runner_work_opts wo = ZF_RUNNER_WORK_OPTS_INIT;
        wo.workers = (int)workers;
        wo.once = a.once;
        wo.once_org = a.once ? org_of(ctx, &a) : NULL;
        cli_runs_on_signal(r);
        rc = zf_runner_work(r, &wo, &stats, &err);
        cli_runs_on_signal(NULL);
        fprintf(stderr, "runs: %lld claimed, %lld done, %lld failed, %lld lost, %lld released\n",
                (long long)stats.claimed, (long long)stats.done, (long long)stats.failed,
                (long long)stats.lost, (long long)stats.released);
    }
    zf_runner_free(r);
    cli_orgs_free(orgs);
    cli_env_free(&env);
    return rc ? cli_fail(ctx, &err) : 0;
}

static const char runs_help[] =
    "Runs are kept in the store (docs/runs.md): `zoomflow run FILE` starts one, a\n"
    "worker (`zoomflow runs work`, or `zoomflow serve`) executes queued runs. A run's\n"
    "org names the connection its steps use (the profile by default).\n";

const zf_cmd zf_cmd_runs_list = {
    .name = "runs list",
    .summary = "list workflow runs, newest first",
    .opts = list_opts,
    .help = runs_help,
    .run = run_list,
};
const zf_cmd zf_cmd_runs_show = {
    .name = "runs show",
    .summary = "show a run with its steps, inputs, outputs and errors",
    .opts = show_opts,
    .help = runs_help,
    .run = run_show,
};
const zf_cmd zf_cmd_runs_retry = {
    .name = "runs retry",
    .summary = "queue a failed run again, from its failed step",
    .opts = change_opts,
    .help = runs_help,
    .run = run_retry,
};
const zf_cmd zf_cmd_runs_cancel = {
    .name = "runs cancel",
    .summary = "cancel a queued, running or failed run",
    .opts = change_opts,
    .help = runs_help,
    .run = run_cancel,
};
const zf_cmd zf_cmd_runs_work = {
    .name = "runs work",
    .summary = "a headless worker: claim and execute queued runs until stopped",
    .opts = work_opts,
    .help = "Claims queued runs and runs whose lease expired (a dead worker's), one\n"
            "per thread, and executes them step by step; each step is recorded as sent\n"
            "before its request, and a sent create is reconciled on resume, never sent\n"
            "twice. SIGINT or SIGTERM stop it after the current step: the runs it holds\n"
            "are released (queued again). The owner of its leases is host:pid:random.\n",
    .run = run_work,
};
