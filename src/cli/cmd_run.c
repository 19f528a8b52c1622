/*
 * zoomflow run FILE --event JSON|@file [--trigger-id ID] | --csv FILE: a
 * workflow run in this process, step by step on the terminal (runner.h).
 * The run is started (or found, by its trigger id), claimed by id and
 * executed under a lease like any worker's, so a run interrupted here is
 * resumed by the next `zoomflow run` with the same trigger id or by a
 * worker (`zoomflow runs work`) once the lease ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "input.h"
#include "lib.h"
#include "runs_cli.h"
#include "../util/csv.h"
#include "zoomflow/crypt.h"
#include "zoomflow/json.h"

#define DEF_MAX (1u << 20)
#define EVENT_MAX (4u << 20)
#define CSV_MAX (64u << 20)

typedef struct run_args {
    const char *file, *event, *trigger_id, *org, *csv, *key, *lease_ttl, *env;
    int json, queue, no_progress;
} run_args;

static const cli_opt run_opts[] = {
    {.kind = CLI_OPT_POSITIONAL,
     .name = "FILE",
     .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(run_args, file),
     .help = "the workflow definition (YAML or JSON)"},
    {.kind = CLI_OPT_VALUE,
     .name = "event",
     .value_name = "JSON",
     .at = CLI_AT(run_args, event),
     .help = "the run's input: a JSON object, or @FILE holding one (@- = stdin)"},
    {.kind = CLI_OPT_VALUE,
     .name = "trigger-id",
     .value_name = "ID",
     .at = CLI_AT(run_args, trigger_id),
     .help = "makes one run however often it is given: a second `run` with it\n"
             "shows (or resumes) that run instead of starting another"},
    {.kind = CLI_OPT_VALUE,
     .name = "csv",
     .value_name = "FILE",
     .at = CLI_AT(run_args, csv),
     .help = "one run per row (the header names the input's keys, --event's\n"
             "members are laid under each row), then a summary"},
    {.kind = CLI_OPT_VALUE,
     .name = "key",
     .value_name = "COLUMN",
     .at = CLI_AT(run_args, key),
     .help = "with --csv: the column whose value is each row's trigger id\n"
             "(default: FILE:LINE)"},
    {.kind = CLI_OPT_VALUE,
     .name = "org",
     .value_name = "ORG",
     .at = CLI_AT(run_args, org),
     .help = "the run's org, whose connection runs the steps (default: the profile)"},
    {.kind = CLI_OPT_VALUE,
     .name = "lease-ttl",
     .value_name = "S",
     .at = CLI_AT(run_args, lease_ttl),
     .help = "seconds of the run's lease, renewed every third of it (default 30)"},
    {.kind = CLI_OPT_VALUE,
     .name = "env",
     .value_name = "NAMES",
     .at = CLI_AT(run_args, env),
     .help = CLI_ENV_HELP},
    {.kind = CLI_OPT_SWITCH,
     .name = "no-progress",
     .at = CLI_AT(run_args, no_progress),
     .help = "with --csv: no progress bar (it only shows when stderr is a terminal)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "queue",
     .at = CLI_AT(run_args, queue),
     .help = "only start the run(s), queued for a worker (`zoomflow runs work`)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "json",
     .at = CLI_AT(run_args, json),
     .help = "print the run with its steps as JSON (step lines go to stderr)"},
    {0}};

typedef struct run_env {
    cli_ctx *ctx;
    const run_args *a;
    const char *org;
    zf_runner *r;
    zf_store *st;
    const zf_workflow *w;
    cli_orgs *orgs;
    zf_zoom *own_zoom; /* another org's client, made here */
    int64_t ttl;
    char owner[96];
} run_env;

enum { OUT_CREATED, OUT_THERE, OUT_FAILED };

static void print_wf_problems(const zf_wf_problems *p)
{
    for (size_t i = 0; i < p->count; i++) {
        const zf_wf_problem *x = &p->items[i];
        fprintf(stderr, "%s:%d:%d: %s\n", x->file, x->line, x->col, x->message);
        if (x->hint[0])
            fprintf(stderr, "  hint: %s\n", x->hint);
    }
}

static int load_workflow(cli_ctx *ctx, const char *file, const char *const *env, zf_workflow **w,
                         zf_buf *src)
{
    zf_error err = ZF_ERROR_INIT;
    if (cli_read_file(file, DEF_MAX, src, &err) != 0)
        return cli_fail(ctx, &err);
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    zf_wf_load_opts o = ZF_WF_LOAD_OPTS_INIT;
    o.env_allowed = env;
    int rc = zf_workflow_load(w, file, src->ptr ? src->ptr : "", src->len, &o, &p);
    if (rc != 0) {
        print_wf_problems(&p);
        zf_wf_problems_free(&p);
        return 1;
    }
    zf_wf_problems_free(&p);
    return 0;
}

static int read_event(cli_ctx *ctx, const char *text, json_t **out)
{
    zf_error err = ZF_ERROR_INIT;
    *out = NULL;
    if (!text) {
        *out = json_object();
        return 0;
    }
    zf_buf b = ZF_BUF_INIT(EVENT_MAX);
    const char *data = text;
    size_t len = strlen(text);
    if (text[0] == '@') {
        if (cli_read_file(text + 1, EVENT_MAX, &b, &err) != 0) {
            zf_buf_free(&b);
            return cli_fail(ctx, &err);
        }
        data = b.ptr ? b.ptr : "";
        len = b.len;
    }
    int rc = zf_json_parse(out, data, len, EVENT_MAX, "--event", &err);
    zf_buf_free(&b);
    if (rc == 0 && !json_is_object(*out))
        rc = zf_error_set(&err, ZF_EVALIDATION, "--event: the input must be a JSON object");
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
        err.code = ZF_EVALIDATION;
        zf_error_hint(&err, "give --event '{\"key\": \"value\"}' or --event @file.json");
        return cli_usage_fail(ctx->cmd, &err);
    }
    return 0;
}

/* Claims the run and executes it here. 0 when it finished (*state). */
static int execute(run_env *e, zf_store_run *run, int *state, zf_error *err)
{
    zf_store_run claimed;
    int rc =
        zf_store_run_claim_id(e->st, run->id, e->owner, (int64_t)time(NULL), e->ttl, &claimed, err);
    zf_store_run_free(run);
    *run = claimed;
    if (rc == ZF_EBUSY && run->state != ZF_RUN_RUNNING && run->state != ZF_RUN_QUEUED) {
        *state = run->state;
        return 0;
    }
    if (rc != 0)
        return rc;
    zf_zoom *z = NULL;
    const char *granted = NULL;
    zf_session *s = NULL;
    rc = cli_orgs_session(e->orgs, e->org, &s, err);
    if (rc == 0 && strcmp(e->org, e->ctx->cfg.profile) == 0)
        rc = zf_session_zoom(s, &z, &granted, err);
    else if (rc == 0 && !e->own_zoom)
        rc = zf_session_zoom_new(s, &e->own_zoom, NULL, &granted, err);
    if (rc == 0 && !z)
        z = e->own_zoom;
    if (rc != 0) {
        zf_store_lease l = zf_store_run_lease(run);
        zf_error rerr = ZF_ERROR_INIT;
        zf_store_run_release(e->st, &l, (int64_t)time(NULL), (int64_t)time(NULL), &rerr);
        return rc;
    }
    return zf_runner_exec(e->r, run, z, granted, state, err);
}

/* One run: started (or found by its trigger id), executed, reported. The
 * exit status; *outcome for the CSV summary. */
static int run_one(run_env *e, const json_t *input, const char *trigger_id, int *outcome)
{
    zf_error err = ZF_ERROR_INIT;
    zf_problems p = ZF_PROBLEMS_INIT;
    zf_runner_start_opts so = {0};
    so.org = e->org;
    so.trigger_kind = ZF_TRIGGER_MANUAL;
    so.trigger_id = trigger_id;
    so.input = input;
    so.created_by = "cli";
    zf_store_run run;
    int created = 0, state = 0;
    *outcome = OUT_FAILED;
    int rc = zf_runner_start(e->r, e->w, &so, &run, &created, &p, &err);
    if (rc == ZF_EVALIDATION) {
        cli_report_problems("the event", &p);
        zf_problems_free(&p);
        return cli_fail(e->ctx, &err);
    }
    zf_problems_free(&p);
    if (rc != 0)
        return cli_fail(e->ctx, &err);
    if (!created)
        fprintf(e->a->json ? stderr : stdout, "run %lld of trigger id %s is there already (%s)\n",
                (long long)run.id, trigger_id, zf_run_state_name(run.state));
    else
        fprintf(e->a->json ? stderr : stdout, "run %lld started (%s v%lld)\n", (long long)run.id,
                run.workflow, (long long)run.version);
    if (e->a->queue) {
        *outcome = created ? OUT_CREATED : OUT_THERE;
        if (e->a->json && !e->a->csv)
            rc = cli_run_print(e->st, &run, 1, &err);
        zf_store_run_free(&run);
        return rc ? cli_fail(e->ctx, &err) : 0;
    }
    rc = execute(e, &run, &state, &err);
    zf_error perr = ZF_ERROR_INIT;
    if (rc == 0 || rc == ZF_EBUSY) {
        zf_store_run now;
        if (zf_store_run_get(e->st, NULL, run.id, &now, &perr) == 0) {
            zf_store_run_free(&run);
            run = now;
        }
        if (e->a->json && !e->a->csv)
            cli_run_print(e->st, &run, 1, &perr);
    }
    int status = 0;
    if (rc != 0) {
        status = cli_fail(e->ctx, &err);
    } else if (run.state == ZF_RUN_DONE) {
        *outcome = created ? OUT_CREATED : OUT_THERE;
        if (!e->a->json)
            printf("run %lld done\n", (long long)run.id);
    } else {
        if (run.state == ZF_RUN_FAILED)
            cli_run_error(&run, &err);
        else
            zf_error_set(&err, ZF_ECANCELED, "run %lld is %s", (long long)run.id,
                         zf_run_state_name(run.state));
        status = cli_fail(e->ctx, &err);
    }
    zf_store_run_free(&run);
    return status;
}

/* ---- --csv ---------------------------------------------------------------------- */

#define BAR_WIDTH 24
#define REDRAW_NS 100000000LL /* 10 redraws a second at most */
#define FAILED_LISTED 20

/* The --csv progress bar on stderr (a terminal only): rows done of all,
 * the counts so far and the rate; redrawn at most ten times a second and
 * once at the end, erased before a row's own lines. */
typedef struct csv_bar {
    int on, drawn;
    long rows, done;
    int64_t start_ns, last_ns;
} csv_bar;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void bar_erase(csv_bar *b)
{
    if (b->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        b->drawn = 0;
    }
}

static void bar_draw(csv_bar *b, const long counts[3], int force)
{
    if (!b->on)
        return;
    int64_t t = mono_ns();
    if (!force && b->drawn && t - b->last_ns < REDRAW_NS)
        return;
    b->last_ns = t;
    double frac = b->rows > 0 ? (double)b->done / (double)b->rows : 1;
    if (frac > 1)
        frac = 1;
    int fill = (int)(frac * BAR_WIDTH);
    char cells[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++)
        cells[i] = i < fill ? '#' : '.';
    cells[BAR_WIDTH] = '\0';
    double secs = (double)(t - b->start_ns) / 1e9;
    fflush(stdout);
    fprintf(stderr,
            "\r\033[K[%s] %3d%% %ld/%ld rows  %ld created, %ld already there, %ld failed  "
            "%.1f rows/s",
            cells, (int)(frac * 100), b->done, b->rows, counts[OUT_CREATED], counts[OUT_THERE],
            counts[OUT_FAILED], secs > 0 ? (double)b->done / secs : 0.0);
    fflush(stderr);
    b->drawn = 1;
}

/* The data rows of the file (after the header), for the bar's total. */
static long csv_rows(const zf_buf *b)
{
    zf_csv c;
    zf_csv_record r;
    char why[64];
    zf_csv_init(&c, b->ptr ? b->ptr : "", b->len);
    zf_csv_record_init(&r);
    long n = -1;
    while (zf_csv_next(&c, &r, why, sizeof why) == 1)
        n++;
    zf_csv_record_free(&r);
    return n < 0 ? 0 : n;
}

static json_t *row_input(const json_t *base, const zf_csv_record *hdr, const zf_csv_record *row)
{
    json_t *in = json_deep_copy(base);
    for (size_t i = 0; i < hdr->count && i < row->count; i++)
        json_object_set_new(in, zf_csv_field(hdr, i), json_string(zf_csv_field(row, i)));
    return in;
}

static int key_column(const run_env *e, const zf_csv_record *hdr, size_t *col)
{
    *col = (size_t)-1;
    if (!e->a->key)
        return 0;
    for (size_t i = 0; i < hdr->count; i++)
        if (strcmp(zf_csv_field(hdr, i), e->a->key) == 0) {
            *col = i;
            return 0;
        }
    return cli_usage_error(e->ctx->cmd, "--key %s: the CSV's header has no such column", e->a->key);
}

static int run_csv(run_env *e, const json_t *base)
{
    zf_error err = ZF_ERROR_INIT;
    zf_buf b = ZF_BUF_INIT(CSV_MAX);
    if (cli_read_file(e->a->csv, CSV_MAX, &b, &err) != 0) {
        zf_buf_free(&b);
        return cli_fail(e->ctx, &err);
    }
    zf_csv c;
    zf_csv_record hdr, row;
    zf_csv_init(&c, b.ptr ? b.ptr : "", b.len);
    zf_csv_record_init(&hdr);
    zf_csv_record_init(&row);
    char why[256] = "";
    long counts[3] = {0, 0, 0};
    size_t col = 0;
    csv_bar bar = {!e->a->no_progress && e->ctx->err_tty, 0, 0, 0, mono_ns(), 0};
    if (bar.on)
        bar.rows = csv_rows(&b);
    char *failed[FAILED_LISTED];
    size_t nfailed = 0;
    int status = zf_csv_next(&c, &hdr, why, sizeof why) == 1
                     ? key_column(e, &hdr, &col)
                     : cli_usage_error(e->ctx->cmd, "--csv %s: %s", e->a->csv,
                                       why[0] ? why : "no header row");
    int rc;
    while (!status && !zf_runner_stopping(e->r) &&
           (rc = zf_csv_next(&c, &row, why, sizeof why)) != 0) {
        if (rc < 0) {
            status = cli_usage_error(e->ctx->cmd, "--csv %s: %s", e->a->csv, why);
            break;
        }
        char tid[512];
        if (col != (size_t)-1 && col < row.count)
            snprintf(tid, sizeof tid, "%s", zf_csv_field(&row, col));
        else
            snprintf(tid, sizeof tid, "%s:%ld", e->a->csv, row.line);
        json_t *in = row_input(base, &hdr, &row);
        int outcome;
        bar_erase(&bar);
        run_one(e, in, tid, &outcome);
        counts[outcome]++;
        if (outcome == OUT_FAILED && nfailed < FAILED_LISTED)
            failed[nfailed++] = strdup(tid);
        json_decref(in);
        bar.done++;
        bar_draw(&bar, counts, 0);
    }
    if (bar.on) {
        bar_draw(&bar, counts, 1);
        fputc('\n', stderr);
    }
    for (size_t i = 0; i < nfailed; i++) {
        printf("failed: %s\n", failed[i] ? failed[i] : "?");
        free(failed[i]);
    }
    if (counts[OUT_FAILED] > (long)nfailed)
        printf("failed: ... and %ld more\n", counts[OUT_FAILED] - (long)nfailed);
    printf("%ld created, %ld already there, %ld failed\n", counts[OUT_CREATED], counts[OUT_THERE],
           counts[OUT_FAILED]);
    zf_csv_record_free(&hdr);
    zf_csv_record_free(&row);
    zf_buf_free(&b);
    return status ? status : counts[OUT_FAILED] ? 1 : 0;
}

static void make_owner(char *out, size_t cap)
{
    unsigned char rnd[4] = {0};
    char hex[9];
    zf_random_bytes(rnd, sizeof rnd);
    zf_hex(rnd, sizeof rnd, hex);
    snprintf(out, cap, "cli:%ld:%s", (long)getpid(), hex);
}

static int run_run(cli_ctx *ctx, int argc, char **argv)
{
    run_args a = {0};
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    run_env e;
    memset(&e, 0, sizeof e);
    if (status || (status = cli_lease_ttl(ctx, a.lease_ttl, &e.ttl)) != 0)
        return status;
    zf_workflow *w = NULL;
    json_t *event = NULL;
    zf_buf src = ZF_BUF_INIT(DEF_MAX);
    cli_env env;
    if ((status = cli_env_names(ctx, a.env, &env)) != 0)
        return status;
    if ((status = load_workflow(ctx, a.file, env.names, &w, &src)) != 0 ||
        (status = read_event(ctx, a.event, &event)) != 0) {
        zf_workflow_free(w);
        zf_buf_free(&src);
        cli_env_free(&env);
        return status;
    }
    e.ctx = ctx;
    e.a = &a;
    e.org = a.org ? a.org : ctx->cfg.profile;
    e.w = w;
    make_owner(e.owner, sizeof e.owner);
    zf_error err = ZF_ERROR_INIT;
    zf_session *s = NULL;
    zf_runner_opts ro = ZF_RUNNER_OPTS_INIT;
    int rc = cli_orgs_new(&e.orgs, ctx) ? zf_error_set(&err, ZF_ENOMEM, "out of memory") : 0;
    if (rc == 0 && (rc = cli_session(ctx, &s, &err)) == 0)
        rc = zf_session_store(s, &e.st, &err);
    ro.store = e.st;
    ro.lease_ttl = e.ttl;
    ro.env_allowed = env.names;
    zf_http_opts dl_http = ZF_HTTP_OPTS_INIT;
    cli_http_opts(ctx, &dl_http);
    ro.download_http = &dl_http;
    ro.on_step = cli_run_step_line;
    ro.step_ctx = a.json ? (void *)1 : NULL;
    if (rc == 0)
        rc = zf_runner_new(&e.r, &ro, &err);
    if (rc != 0) {
        status = cli_fail(ctx, &err);
    } else {
        int outcome;
        cli_runs_on_signal(e.r);
        status = a.csv ? run_csv(&e, event) : run_one(&e, event, a.trigger_id, &outcome);
        cli_runs_on_signal(NULL);
    }
    zf_runner_free(e.r);
    zf_zoom_free(e.own_zoom);
    cli_orgs_free(e.orgs);
    json_decref(event);
    zf_workflow_free(w);
    zf_buf_free(&src);
    cli_env_free(&env);
    return status;
}

const zf_cmd zf_cmd_run = {
    .name = "run",
    .summary = "run a workflow here, step by step (one run per --trigger-id)",
    .opts = run_opts,
    .help = "The run is kept in the store like any other (docs/runs.md): each step is\n"
            "recorded as sent before its request and done with its output after, so a\n"
            "run interrupted here (Ctrl-C releases it; a crash leaves its lease to end)\n"
            "is resumed by the same command with the same --trigger-id, or by `zoomflow\n"
            "runs work`, and a create that may have happened is looked up in Zoom, never\n"
            "sent twice. The exit status is non-zero when the run failed. With --csv a\n"
            "progress bar shows on stderr when it is a terminal; the summary counts the\n"
            "rows created, already there (their trigger id had a done run) and failed.\n",
    .run = run_run,
};
