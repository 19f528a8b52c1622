/*
 * zoomflow batch ACTION --input FILE|- | --csv FILE|- [--state-file FILE]
 * [--keep-going] [--no-progress] [field flags]: one action per row of a
 * file, in one process over one Zoom client (one keep-alive connection,
 * the client's rate limiter pacing and its 429 handling).
 *
 *   read       NDJSON (one object a line, blank lines skipped) or CSV (the
 *              header row names the fields, dotted for nested ones; an
 *              empty cell leaves the field out; cells typed against the
 *              descriptor by zf_action_flag_value, as flags are). Field
 *              flags on the command line apply to every row; a row's own
 *              value wins (objects merged member by member).
 *   validate   every row, before anything is sent: all bad rows reported
 *              by line, exit 2, nothing sent; --keep-going sends the good
 *              rows and reports the bad ones as failed results
 *   run        row by row in input order: the state file gets "sent N T"
 *              (on disk before the row is sent) and "done N RESULT" after;
 *              stdout gets one NDJSON result line per row, in input order
 *   resume     the same command with the same --state-file: rows done are
 *              not sent again (their result lines are printed from the
 *              file); a create left "sent" without a result, or failed
 *              with an unknown outcome, is looked for first
 *              (zf_action_reconcile; when it was sent less than the request
 *              timeout + a margin ago and is not there, once more after
 *              that window: it may still be in flight): found = "found",
 *              proven absent = sent, unsure = failed, not sent. A row Zoom
 *              refused is sent again without a look.
 *   ids        a create's object (registrant_id, else id) is held by its
 *              row: one found by a look that another row holds is not this
 *              row's (EAMBIGUOUS, not sent again); one Zoom answers with
 *              again (a registrant's same email) is "found".
 *   known      creates with a `known` rule (add_meeting_registrant): the
 *              rows are planned per scope (meeting) and a scope is listed
 *              once before its first row (zf_action_known, actions.h), so
 *              an existing registrant is told without a GET per row; a
 *              listing that fails is said once and leaves the GET.
 *   stop       a failure every later row would meet too (not connected,
 *              authentication, scopes, the store, the network, the daily
 *              limit, 3 server/transport failures in a row) stops the
 *              run: the rows left are "skipped" (not recorded, so a resume
 *              runs them). SIGINT/SIGTERM finish the row in flight, then
 *              stop the same way and say how to resume; a second one of
 *              either kind kills.
 *
 * Exit status: 0 when every row is done or found; else the status of the
 * first row that failed (2 for an invalid row), or 128+signal when
 * interrupted.
 */
#include "batch_state.h"
#include "cli.h"
#include "commands.h"
#include "input.h"
#include "lib.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "zoomflow/action_run.h"
#include "zoomflow/actions.h"
#include "zoomflow/json.h"

#define BATCH_INPUT_MAX (256u << 20)
#define BATCH_STATE_MAX (512u << 20)
#define ROW_JSON_MAX (4u << 20)
#define BAR_WIDTH 24
#define REDRAW_NS 100000000LL
#define INFLIGHT_MARGIN_S 5 /* past the request timeout, before a create left sent is given up */
#define TRANSIENT_STOP 3    /* server/transport failures in a row that stop the run */

enum { ST_NONE, ST_DONE, ST_FOUND, ST_FAILED, ST_SKIPPED };
static const char *const status_names[] = {"", "done", "found", "failed", "skipped"};

typedef struct batch_args {
    const char *action, *input, *csv, *state;
    int keep_going, no_progress;
    const zf_action *a; /* the action, for bool_member */
} batch_args;

static const cli_opt batch_opts[] = {
    {.kind = CLI_OPT_POSITIONAL,
     .name = "ACTION",
     .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(batch_args, action),
     .help = "the action to run per row (add_meeting_registrant) or its\n"
             "command (\"registrants add\"), as `zoomflow actions` lists them"},
    {.kind = CLI_OPT_VALUE,
     .name = "input",
     .value_name = "FILE|-",
     .at = CLI_AT(batch_args, input),
     .help = "the rows as NDJSON: one JSON object a line (- = stdin)"},
    {.kind = CLI_OPT_VALUE,
     .name = "csv",
     .value_name = "FILE|-",
     .at = CLI_AT(batch_args, csv),
     .help = "the rows as CSV (RFC 4180); the header row names the\n"
             "fields, dotted for nested ones (user_info.email)"},
    {.kind = CLI_OPT_VALUE,
     .name = "state-file",
     .value_name = "FILE",
     .at = CLI_AT(batch_args, state),
     .help = "record progress in FILE; run the same command with it\n"
             "again to resume without sending a row twice (default: none)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "keep-going",
     .at = CLI_AT(batch_args, keep_going),
     .help = "send the valid rows even when others are invalid (these\n"
             "are reported as failed)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "no-progress",
     .at = CLI_AT(batch_args, no_progress),
     .help = "no progress bar (it only shows on a terminal anyway)"},
    {0}};

static int run(cli_ctx *ctx, int argc, char **argv);

/* --settings.join_before_host: a boolean member (alone = true). */
static int bool_member(void *args, const cli_opt *o, const char *key)
{
    const batch_args *x = args;
    return cli_action_bool_key(x->a, o, key);
}

const zf_cmd zf_cmd_batch = {
    .name = "batch",
    .summary = "run one action per row of an NDJSON or CSV file, in one process",
    .usage = "ACTION (--input FILE|- | --csv FILE|-) [--state-file FILE] [field flags]",
    .opts = batch_opts,
    .help = "Field flags (the action's own, as `zoomflow ACTION --help` lists them) apply\n"
            "to every row; a row's own value wins. In CSV an empty cell leaves the field\n"
            "out, and cells are typed as flags are (booleans true/false, yes/no, 1/0).\n"
            "\n"
            "Every row is checked first: any invalid row is reported with its line, and\n"
            "nothing is sent (unless --keep-going). Then rows run in order, one request\n"
            "after another through one Zoom client and token, paced by the rate limiter\n"
            "(reads share one keep-alive connection; each write opens its own, so a lost\n"
            "answer is never sent again by libcurl). stdout gets one line per row, in\n"
            "input order:\n"
            "  {\"row\": N, \"line\": L, \"status\": \"done\"|\"found\"|\"failed\"|\"skipped\",\n"
            "   \"output\": {...}} (or \"error\": {\"code\", \"message\", \"hint\"})\n"
            "\"found\": the object was there already (found after an interruption, or a\n"
            "registrant already registered; \"same_as_row\": M when Zoom gave the object of\n"
            "row M again). A row whose lost answer is looked for and found to be another\n"
            "row's object fails (EAMBIGUOUS, not sent again: check Zoom). A summary goes to\n"
            "stderr. The daily limit, or 3 server or network failures in a row, stop the\n"
            "run (the rows left are skipped). Registrant adds (more than 3 to a meeting)\n"
            "list the meeting's registrants once to tell one already there, instead of a\n"
            "GET per row (stderr says when the listing fails: then each row does the GET).\n"
            "\n"
            "With --state-file FILE an interrupted run (Ctrl-C, a crash, kill -9) continues\n"
            "where it stopped when the same command runs again: done rows are not sent\n"
            "again, a create in flight is looked for in Zoom before it is sent (one sent\n"
            "less than the request timeout + 5 s ago is waited for and looked for again),\n"
            "and a row Zoom refused is sent again at once. A state file of another action,\n"
            "profile, input or flags is refused (exit 2): resume with the original input,\n"
            "as a new state file would send the done rows again. FILE must be a regular\n"
            "file (it is created when missing).\n"
            "\n"
            "When a row failed, the exit status is that of the first failed row (2: an\n"
            "invalid row); 128+N when signal N stopped the run.\n",
    .run = run,
};

/* ---- rows ---------------------------------------------------------------- */

typedef struct row {
    long line;
    json_t *in; /* the row's assembled input; NULL when it could not be read */
    zf_problems probs;
    int bad;
} row;

typedef struct batch {
    cli_ctx *ctx;
    const zf_action *a;
    batch_args x;
    cli_field_sink common;
    zf_buf text; /* the input's bytes */
    row *rows;
    size_t nrows, cap;
    /* the run */
    int state_fd;
    cli_bstate st;
    zf_action_run_opts o;
    int opened;
    int counts[5];
    int first_fail_status;
    int fatal;
    int transient_streak;   /* rows in a row failed by the server or the transport */
    char **ids;             /* per row: the object id a done/found row holds (creates) */
    zf_action_known *known; /* the objects already there, per scope (actions.h) */
    int known_said;         /* the listing's failure was said on stderr */
    int64_t inflight_s;     /* a create sent this long ago may still be in flight */
    /* the bar */
    int bar_on, drawn;
    int64_t last_ns, start_ns;
} batch;

static volatile sig_atomic_t stop_signal;

/* The first SIGINT or SIGTERM asks the run to stop after the row in
 * flight; from then on either one kills (the default action), whichever
 * came first. */
static void on_signal(int sig)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    stop_signal = sig;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static row *new_row(batch *b, long line)
{
    if (b->nrows == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        row *r = realloc(b->rows, cap * sizeof *r);
        if (!r)
            return NULL;
        b->rows = r;
        b->cap = cap;
    }
    row *r = &b->rows[b->nrows++];
    *r = (row){.line = line, .probs = ZF_PROBLEMS_INIT};
    return r;
}

/* The common flags, then the row over them, then the CLI's defaults. */
static json_t *assemble(const batch *b, const json_t *own)
{
    json_t *in = json_deep_copy(b->common.flags);
    if (!in)
        return NULL;
    cli_json_merge(in, own);
    cli_action_apply_defaults(in, b->a);
    /* boolean words in a row's JSON, as in --input ("yes", 1) */
    zf_action_input_words(in, b->a);
    return in;
}

static int read_ndjson(batch *b, zf_error *err)
{
    const char *p = zf_buf_cstr(&b->text), *end = p + b->text.len;
    for (long line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t k = 0;
        while (k < n && (p[k] == ' ' || p[k] == '\t' || p[k] == '\r'))
            k++;
        if (k < n) {
            row *r = new_row(b, line);
            if (!r)
                return zf_error_set(err, ZF_ENOMEM, "out of memory");
            json_t *own = NULL;
            zf_error e = ZF_ERROR_INIT;
            if (zf_json_parse(&own, p, n, ROW_JSON_MAX, "the line", &e) != 0) {
                zf_problems_add(&r->probs, "", "syntax", NULL, -1, "%s", e.message);
                r->bad = 1;
            } else if (!json_is_object(own)) {
                zf_problems_add(&r->probs, "", "type", NULL, -1,
                                "the line is a JSON %s, not an object (one object a line)",
                                zf_json_type_name(own));
                r->bad = 1;
            } else if (!(r->in = assemble(b, own))) {
                json_decref(own);
                return zf_error_set(err, ZF_ENOMEM, "out of memory");
            }
            json_decref(own);
        }
        p += n + (nl != NULL);
    }
    return 0;
}

/* The first part of a dotted column name names one of the action's fields. */
static int top_field(const zf_action *a, const char *name)
{
    size_t n = strcspn(name, ".");
    for (const zf_field *f = a->input; f->name; f++)
        if (strlen(f->name) == n && !strncmp(f->name, name, n))
            return 1;
    return 0;
}

static int read_csv(batch *b, zf_error *err)
{
    zf_csv c;
    zf_csv_record hdr, rec;
    char why[256];
    int rc;
    zf_csv_init(&c, zf_buf_cstr(&b->text), b->text.len);
    zf_csv_record_init(&hdr);
    zf_csv_record_init(&rec);
    if ((rc = zf_csv_next(&c, &hdr, why, sizeof why)) != 1) {
        if (rc == 0)
            rc = zf_error_set(err, ZF_EVALIDATION, "--csv %s is empty: it needs a header row",
                              b->x.csv);
        else
            zf_error_set(err, rc, "--csv %s: %s", b->x.csv,
                         rc == ZF_ENOMEM ? "out of memory" : why);
        goto done;
    }
    /* the names: valid UTF-8, '-' read as '_', none empty or twice */
    for (size_t i = 0; i < hdr.count; i++) {
        char *name = hdr.text.ptr + hdr.off[i];
        size_t at;
        if (!zf_csv_utf8_valid(name, hdr.flen[i], &at)) {
            rc = zf_error_set(err, ZF_EVALIDATION,
                              "--csv %s: line %ld: column %zu's name is not valid UTF-8 (byte "
                              "0x%02X at byte %zu of the name)",
                              b->x.csv, hdr.line, i + 1, (unsigned char)name[at], at + 1);
            zf_error_hint(err, "save the file as UTF-8 (a spreadsheet's \"CSV UTF-8\")");
            goto done;
        }
        for (char *q = name; *q; q++)
            if (*q == '-')
                *q = '_';
        if (*name && !top_field(b->a, name)) {
            char known[600] = "";
            for (const zf_field *f = b->a->input; f->name; f++)
                if (strlen(known) + strlen(f->name) + 3 < sizeof known)
                    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                             known[0] ? ", " : "", f->name);
            rc = zf_error_set(err, ZF_EVALIDATION,
                              "--csv %s: line %ld: column %zu (%.100s) is not a field of %s; "
                              "known fields: %s",
                              b->x.csv, hdr.line, i + 1, name, b->a->name, known);
            zf_error_hint(err,
                          "rename or remove that column; `zoomflow %s --help` lists the "
                          "fields (the flags without --, '-' read as '_')",
                          b->a->name);
            goto done;
        }
        int dup = 0;
        for (size_t j = 0; j < i; j++)
            dup |= !strcmp(zf_csv_field(&hdr, j), name);
        if (!*name || dup) {
            rc = zf_error_set(err, ZF_EVALIDATION, "--csv %s: line %ld: column %zu %s", b->x.csv,
                              hdr.line, i + 1, dup ? "names a field twice" : "has no name");
            zf_error_hint(err, "the first row names the fields, one per column "
                               "(user_info.email for a nested one)");
            goto done;
        }
    }
    while ((rc = zf_csv_next(&c, &rec, why, sizeof why)) == 1) {
        if (rec.count == 1 && rec.flen[0] == 0)
            continue; /* a blank line */
        row *r = new_row(b, rec.line);
        json_t *own = json_object();
        if (!r || !own) {
            json_decref(own);
            rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
            goto done;
        }
        if (rec.count != hdr.count) {
            zf_problems_add(&r->probs, "", "columns", NULL, -1,
                            "the row has %zu field%s, the header %zu", rec.count,
                            rec.count == 1 ? "" : "s", hdr.count);
            r->bad = 1;
        }
        for (size_t i = 0; i < rec.count && i < hdr.count; i++) {
            const char *name = zf_csv_field(&hdr, i), *cell = zf_csv_field(&rec, i);
            if (!*cell)
                continue;
            size_t at;
            if (!zf_csv_utf8_valid(cell, rec.flen[i], &at)) {
                zf_problems_add(&r->probs, name, "utf8", NULL, -1,
                                "column %s: not valid UTF-8 (byte 0x%02X at byte %zu of the cell)",
                                name, (unsigned char)cell[at], at + 1);
                r->bad = 1;
                continue;
            }
            zf_error e = ZF_ERROR_INIT;
            json_t *v = NULL;
            char what[300];
            snprintf(what, sizeof what, "column %s", name);
            int vr = zf_action_flag_value(&v, cli_action_field_at(b->a, name), what, cell, &e);
            if (vr >= 0)
                vr = cli_json_set_path(own, name, v, &e);
            else
                json_decref(v);
            if (vr < 0) {
                zf_problems_add(&r->probs, name, "syntax", NULL, -1, "%s", e.message);
                r->bad = 1;
            }
        }
        if (!(r->in = assemble(b, own))) {
            json_decref(own);
            rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
            goto done;
        }
        json_decref(own);
    }
    if (rc < 0)
        zf_error_set(err, rc, "--csv %s: %s", b->x.csv, rc == ZF_ENOMEM ? "out of memory" : why);
    if (rc == ZF_EVALIDATION)
        zf_error_hint(err, "quote a field holding a comma, a quote or a line break, and write "
                           "a quote inside it twice (\"Smith, \"\"Ann\"\"\")");
done:
    zf_csv_record_free(&hdr);
    zf_csv_record_free(&rec);
    return rc < 0 ? rc : 0;
}

/* Every row checked; 0, or the number of bad rows. */
static size_t validate(batch *b)
{
    size_t nbad = 0;
    for (size_t i = 0; i < b->nrows; i++) {
        row *r = &b->rows[i];
        if (!r->bad && r->in && zf_action_validate(&r->probs, b->a, r->in) != 0)
            r->bad = 1;
        nbad += (size_t)r->bad;
    }
    return nbad;
}

static void report_bad(const batch *b, size_t nbad)
{
    fprintf(stderr, "zoomflow: batch %s: %zu of %zu row%s invalid; nothing was sent:\n", b->a->name,
            nbad, b->nrows, b->nrows == 1 ? " is" : "s are");
    for (size_t i = 0; i < b->nrows; i++) {
        const row *r = &b->rows[i];
        for (size_t k = 0; r->bad && k < r->probs.count; k++) {
            const zf_problem *p = &r->probs.items[k];
            fprintf(stderr, "  line %ld (row %zu): %s: %s", r->line, i + 1,
                    p->path && p->path[0] ? p->path : "(row)", p->message ? p->message : p->rule);
            if (p->value && p->value[0])
                fprintf(stderr, " (got %s)", p->value);
            fprintf(stderr, " [%s]\n", p->rule);
            cli_note_nearest_value((void *)b->a, p, stderr); /* did you mean */
        }
    }
    fputs("hint: fix every row listed and run it again, or add --keep-going to send the "
          "valid rows\n",
          stderr);
}

/* ---- the state file ------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* "zoomflow-batch 1 ACTION HASH ROWS FLAGS INPUT": HASH over all of the
 * run, FLAGS over the profile and the common flags, INPUT over the input's
 * bytes (so a refusal can say which one differs). */
static void header_line(const batch *b, char *out, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL, hf = h, hi = h;
    char *flags = json_dumps(b->common.flags, JSON_COMPACT | JSON_SORT_KEYS);
    const char *profile = b->ctx->cfg.profile ? b->ctx->cfg.profile : "";
    const char *fl = flags ? flags : "";
    h = fnv(h, b->a->name, strlen(b->a->name) + 1);
    h = fnv(h, profile, strlen(profile) + 1); /* another account: its own run */
    h = fnv(h, fl, strlen(fl) + 1);
    h = fnv(h, b->x.csv ? "csv" : "ndjson", b->x.csv ? 4 : 7);
    h = fnv(h, zf_buf_cstr(&b->text), b->text.len);
    hf = fnv(hf, profile, strlen(profile) + 1);
    hf = fnv(hf, fl, strlen(fl) + 1);
    hi = fnv(hi, b->x.csv ? "csv" : "ndjson", b->x.csv ? 4 : 7);
    hi = fnv(hi, zf_buf_cstr(&b->text), b->text.len);
    free(flags);
    snprintf(out, n, CLI_BSTATE_MAGIC "%s %016llx %zu %016llx %016llx", b->a->name,
             (unsigned long long)h, b->nrows, (unsigned long long)hf, (unsigned long long)hi);
}

/* Appends one record; durable: on disk before this returns. A "sent"
 * must be (the row goes out next); a "done" need not: if a crash loses it,
 * the row reads as sent and a resume looks for it before anything is sent
 * (so it is found, not made twice), and the next "sent" syncs it anyway. */
static int state_put(batch *b, const char *rec, int durable, zf_error *err)
{
    if (b->state_fd < 0)
        return 0;
    size_t n = strlen(rec), off = 0;
    while (off < n) {
        ssize_t w = write(b->state_fd, rec + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return zf_error_set(err, ZF_EIO, "cannot write the state file %s: %s", b->x.state,
                                strerror(errno));
        off += (size_t)w;
    }
    if (durable && fdatasync(b->state_fd) != 0)
        return zf_error_set(err, ZF_EIO, "cannot sync the state file %s: %s", b->x.state,
                            strerror(errno));
    return 0;
}

static int not_regular(const batch *b, const struct stat *sb, zf_error *err)
{
    const char *what = S_ISDIR(sb->st_mode)                           ? "a directory"
                       : S_ISFIFO(sb->st_mode)                        ? "a FIFO"
                       : S_ISSOCK(sb->st_mode)                        ? "a socket"
                       : S_ISCHR(sb->st_mode) || S_ISBLK(sb->st_mode) ? "a device"
                                                                      : "not a regular file";
    zf_error_set(err, ZF_EPATH, "the state file %s is %s, not a regular file", b->x.state, what);
    zf_error_hint(err, "give --state-file the path of a regular file (it is created when "
                       "missing), e.g. --state-file batch.state");
    return ZF_EPATH;
}

static int state_open(batch *b, zf_error *err)
{
    char header[300];
    header_line(b, header, sizeof header);
    struct stat sb;
    /* a FIFO would hang the read, a device read without end, a directory
     * not open: only a regular file (or none yet) is a state file */
    if (stat(b->x.state, &sb) == 0 && !S_ISREG(sb.st_mode))
        return not_regular(b, &sb, err);
    int fd = open(b->x.state, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
    if (fd < 0)
        return zf_error_set(err, ZF_EIO, "cannot open the state file %s: %s", b->x.state,
                            strerror(errno));
    b->state_fd = fd;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return not_regular(b, &sb, err);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        zf_error_set(err, ZF_EBUSY, "the state file %s is in use by another zoomflow batch",
                     b->x.state);
        zf_error_hint(err, "wait for that run to end, or give this one another --state-file");
        return ZF_EBUSY;
    }
    zf_buf t = ZF_BUF_INIT(BATCH_STATE_MAX);
    for (;;) {
        if (zf_buf_reserve(&t, 65536) != 0) {
            zf_buf_free(&t);
            return zf_error_set(err, ZF_ENOMEM, "the state file %s is too large", b->x.state);
        }
        ssize_t got = read(fd, t.ptr + t.len, 65536);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            zf_buf_free(&t);
            return zf_error_set(err, ZF_EIO, "cannot read the state file %s: %s", b->x.state,
                                strerror(errno));
        }
        if (got == 0)
            break;
        t.len += (size_t)got;
        t.ptr[t.len] = '\0';
    }
    zf_error e = ZF_ERROR_INIT;
    int rc = cli_bstate_parse(&b->st, zf_buf_cstr(&t), t.len, header, b->nrows, &e);
    zf_buf_free(&t);
    if (rc) {
        zf_error_set(err, rc, "state file %s: %s", b->x.state, e.message);
        if (e.hint[0])
            zf_error_hint(err, "%s", e.hint);
        else if (rc == ZF_EVALIDATION)
            zf_error_hint(err, "it is not a state file this command wrote; give a new --state-file "
                               "file (the rows it recorded may then be sent again)");
        return rc;
    }
    if (b->st.truncated)
        fprintf(stderr,
                "zoomflow: state file %s: its last line was cut short (an earlier run "
                "stopped while writing it); it is ignored\n",
                b->x.state);
    if (ftruncate(fd, (off_t)b->st.good_len) != 0 || lseek(fd, 0, SEEK_END) < 0)
        return zf_error_set(err, ZF_EIO, "cannot cut the state file %s: %s", b->x.state,
                            strerror(errno));
    if (!b->st.has_header) {
        char line[320];
        snprintf(line, sizeof line, "%s\n", header);
        return state_put(b, line, 1, err);
    }
    return 0;
}

/* ---- running ---------------------------------------------------------------- */

static void bar_draw(batch *b, size_t done, int force)
{
    if (!b->bar_on)
        return;
    int64_t t = now_ns();
    if (!force && t - b->last_ns < REDRAW_NS)
        return;
    b->last_ns = t;
    int fill = b->nrows ? (int)((double)done / (double)b->nrows * BAR_WIDTH) : BAR_WIDTH;
    char cells[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++)
        cells[i] = i < fill ? '#' : '.';
    cells[BAR_WIDTH] = '\0';
    double secs = (double)(t - b->start_ns) / 1e9;
    fprintf(stderr, "\r\033[K[%s] %zu/%zu  %d done  %d found  %d failed  %.1f/s", cells, done,
            b->nrows, b->counts[ST_DONE], b->counts[ST_FOUND], b->counts[ST_FAILED],
            secs > 0 ? (double)done / secs : 0.0);
    fflush(stderr);
    b->drawn = 1;
}

static void bar_clear(batch *b)
{
    if (b->drawn)
        fputs("\r\033[K", stderr);
    b->drawn = 0;
}

/* Prints one result line (and counts it). */
static int emit(batch *b, const char *line, int status)
{
    b->counts[status]++;
    if (fputs(line, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
        return ZF_EIO;
    return 0;
}

static int status_of(const char *s)
{
    for (int i = ST_DONE; i <= ST_SKIPPED; i++)
        if (!strcmp(status_names[i], s))
            return i;
    return ST_FAILED;
}

static json_t *result_head(size_t i, const row *r, int status)
{
    return json_pack("{s:I,s:I,s:s}", "row", (json_int_t)(i + 1), "line", (json_int_t)r->line,
                     "status", status_names[status]);
}

static json_t *error_json(const zf_error *e)
{
    json_t *o = json_pack("{s:s,s:s}", "code", zf_code_name(e->code), "message", e->message);
    if (o && e->hint[0])
        json_object_set_new(o, "hint", json_string(e->hint));
    return o;
}

static int fatal_code(int code)
{
    switch (code) {
    case ZF_EAUTH:
    case ZF_EREAUTH:
    case ZF_ESCOPE:
    case ZF_ENOTCONNECTED:
    case ZF_ECRYPT:
    case ZF_ESTORE:
    case ZF_ENET:
    case ZF_ETLS:
    case ZF_ECONFIG:
    case ZF_ENOMEM:
    case ZF_EIO:
    case ZF_EDAILYLIMIT: /* every later row would hit it until Zoom's day ends */
        return 1;
    default:
        return 0;
    }
}

/* A failure of the server or the way to it: a few in a row stop the run. */
static int transient_code(int code)
{
    return code == ZF_ESERVER || code == ZF_ETIMEOUT || code == ZF_EHTTP || code == ZF_EPARSE ||
           code == ZF_EAMBIGUOUS;
}

/* The object a result's output names: the first of registrant_id and id
 * present, as text; 0 when it names none. */
static int object_id(const json_t *output, char *buf, size_t n)
{
    static const char *const keys[] = {"registrant_id", "id"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const json_t *v = json_object_get(output, keys[k]);
        if (json_is_string(v) && json_string_length(v)) {
            snprintf(buf, n, "%s", json_string_value(v));
            return 1;
        }
        if (json_is_integer(v)) {
            snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            return 1;
        }
    }
    return 0;
}

/* Which other row (from 1) holds the object id, or 0. */
static size_t held_by(const batch *b, size_t i, const char *id)
{
    for (size_t j = 0; b->ids && j < b->nrows; j++)
        if (j != i && b->ids[j] && !strcmp(b->ids[j], id))
            return j + 1;
    return 0;
}

/* Row i now holds the object its output names (creates only). */
static void hold(batch *b, size_t i, const json_t *output)
{
    char id[256];
    if (!b->ids || b->a->kind != ZF_ACTION_CREATE || !object_id(output, id, sizeof id))
        return;
    free(b->ids[i]);
    b->ids[i] = strdup(id);
}

static void note_failure(batch *b, int exit_status)
{
    if (!b->first_fail_status)
        b->first_fail_status = exit_status ? exit_status : 1;
}

/* Writes the result: the state (unless it is not to be kept), stdout.
 * When the state file cannot take it, the result is printed and counted
 * all the same (the row did happen in Zoom), then the run stops. */
static int finish(batch *b, size_t i, json_t *res, int status, int keep, zf_error *err)
{
    char *text = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(res);
    if (!text)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    int rc = 0;
    if (keep) {
        size_t n = strlen(text) + 40;
        char *rec = malloc(n);
        if (!rec) {
            free(text);
            return zf_error_set(err, ZF_ENOMEM, "out of memory");
        }
        snprintf(rec, n, "done %zu %s\n", i + 1, text);
        rc = state_put(b, rec, 0, err);
        free(rec);
    }
    if (emit(b, text, status) != 0 && rc == 0)
        rc = zf_error_set(err, ZF_EIO, "cannot write the results to stdout");
    else if (rc != 0) {
        char why[ZF_ERROR_MSG_MAX];
        memcpy(why, err->message, sizeof why);
        zf_error_set(err, ZF_EIO,
                     "%.300s; row %zu was %s in Zoom (its result is on stdout) but is not "
                     "recorded, so the batch stops here",
                     why, i + 1, status_names[status]);
        zf_error_hint(err,
                      "free space for the state file and run the same command again: row %zu "
                      "is looked for in Zoom before anything is sent, and the rows after it run",
                      i + 1);
    }
    free(text);
    return rc;
}

static int open_zoom(batch *b, zf_error *err)
{
    if (b->opened)
        return 0;
    zf_session *s;
    int rc = cli_zoom(b->ctx, &b->o.zoom, &b->o.granted_scopes, err);
    if (rc == 0 && (rc = cli_session(b->ctx, &s, err)) == 0)
        rc = zf_session_store(s, &b->o.store, err);
    b->o.conn_id = b->ctx->cfg.profile;
    if (rc == 0)
        b->opened = 1;
    return rc;
}

/* A create an earlier run sent without recording its outcome: 1 found
 * (*out its output), 0 proven absent, 2 interrupted while waiting, or a
 * negative code with err. A create sent less than the request timeout
 * (plus a margin) ago may still be in flight at Zoom (a process's death
 * ends its wait, not the server's work): when it is not there yet, wait
 * until that window has passed, then look once more. */
static int look_again(batch *b, size_t i, int64_t sent_at, json_t **out, zf_error *err)
{
    const row *r = &b->rows[i];
    zf_action_source src;
    zf_reconcile_opts ro = ZF_RECONCILE_OPTS_INIT;
    json_t *found = NULL;
    zf_action_source_zoom(&src, b->o.zoom);
    ro.attempt_started = sent_at;
    int rc = zf_action_reconcile(&found, b->a, r->in, &ro, &src, err);
    int64_t until = sent_at + b->inflight_s;
    if (rc == 0 && (int64_t)time(NULL) < until) {
        char when[32];
        time_t u = (time_t)until;
        struct tm tm;
        gmtime_r(&u, &tm);
        strftime(when, sizeof when, "%H:%M:%S UTC", &tm);
        bar_clear(b);
        fprintf(stderr,
                "zoomflow: row %zu's create was sent %llds ago and may still be in flight; "
                "waiting until %s (the request timeout and %d s) before looking again\n",
                i + 1, (long long)((int64_t)time(NULL) - sent_at), when, INFLIGHT_MARGIN_S);
        while (!stop_signal && (int64_t)time(NULL) < until) {
            struct timespec ts = {0, 200000000L};
            nanosleep(&ts, NULL);
        }
        if (stop_signal)
            return 2;
        rc = zf_action_reconcile(&found, b->a, r->in, &ro, &src, err);
    }
    if (rc == 1) {
        rc = zf_action_normalise(out, b->a, found, ZF_OUTCOME_FOUND, err);
        json_decref(found);
        return rc ? rc : 1;
    }
    json_decref(found);
    if (rc < 0) {
        char why[ZF_ERROR_MSG_MAX];
        memcpy(why, err->message, sizeof why);
        zf_error_set(err, ZF_EAMBIGUOUS,
                     "an earlier, interrupted run sent this %s and looking for it failed: "
                     "%.300s; it was not sent again",
                     b->a->item_type ? b->a->item_type : "object", why);
        zf_error_hint(err, "look for it in Zoom; once you know, run the batch again (the "
                           "look is repeated first)");
        return ZF_EAMBIGUOUS;
    }
    return 0;
}

/* A row whose output Zoom's answer or a look gave: the status it is
 * reported with (*st), or -1 with e set when the object is one another row
 * of this run holds and it was found by looking (the look cannot tell the
 * two rows apart, so this row's own may be lost or made twice). */
static int check_held(batch *b, size_t i, json_t *output, int *st, zf_error *e, size_t *same)
{
    char id[256];
    *same = 0;
    if (b->a->kind != ZF_ACTION_CREATE || !object_id(output, id, sizeof id))
        return 0;
    size_t m = held_by(b, i, id);
    if (!m)
        return 0;
    const char *what = b->a->item_type ? b->a->item_type : "object";
    if (json_is_true(json_object_get(output, "found"))) {
        zf_error_set(e, ZF_EAMBIGUOUS,
                     "this row's %s was looked for in Zoom after its answer was lost, and the "
                     "one found is %s %s, which row %zu holds: the two rows look the same, so "
                     "this row's own may or may not have been made; it was not sent again",
                     what, what, id, m);
        zf_error_hint(e,
                      "check in Zoom whether there are two; if there is only one, take this "
                      "row out of the input (or make it differ from row %zu) and run the "
                      "same command again",
                      m);
        return -1;
    }
    *st = ST_FOUND; /* Zoom gave the same object again: already there */
    *same = m;
    return 0;
}

/* The result of row i with its output: done or found, or failed when
 * another row holds the object and this one was found by looking. */
static int finish_output(batch *b, size_t i, json_t *output, int st, zf_error *err)
{
    zf_error e = ZF_ERROR_INIT;
    size_t same = 0;
    const row *r = &b->rows[i];
    if (check_held(b, i, output, &st, &e, &same) != 0) {
        json_decref(output);
        json_t *res = result_head(i, r, ST_FAILED);
        json_object_set_new(res, "error", error_json(&e));
        note_failure(b, cli_exit_status(e.code));
        b->transient_streak = 0;
        bar_clear(b);
        fprintf(stderr, "line %ld: %s\n", r->line, e.message);
        return finish(b, i, res, ST_FAILED, 1, err);
    }
    json_t *res = result_head(i, r, st);
    if (same)
        json_object_set_new(res, "same_as_row", json_integer((json_int_t)same));
    hold(b, i, output);
    json_object_set_new(res, "output", output);
    b->transient_streak = 0;
    return finish(b, i, res, st, 1, err);
}

/* The rows about to run, per scope (a meeting), for the action's set of
 * objects already there (actions.h, zf_action_known): the rows done in an
 * earlier run are not counted. Out of memory: no set, each row checks. */
static void plan_known(batch *b)
{
    if (zf_action_known_new(&b->known, b->a) != 0 || !b->known)
        return;
    for (size_t i = 0; i < b->nrows; i++) {
        const row *r = &b->rows[i];
        if (r->bad || !r->in || (b->state_fd >= 0 && b->st.rows[i].ok))
            continue;
        if (zf_action_known_plan(b->known, r->in) != 0) {
            zf_action_known_free(b->known);
            b->known = NULL;
            return;
        }
    }
    b->o.known = b->known;
}

/* Before row i is sent: its scope listed once (the first row of it). A
 * listing that fails leaves that scope to the per-row check, said once. */
static void know(batch *b, size_t i)
{
    if (!b->known)
        return;
    zf_action_source src;
    zf_error e = ZF_ERROR_INIT;
    zf_action_source_zoom(&src, b->o.zoom);
    if (zf_action_known_prepare(b->known, b->rows[i].in, &src, &e) == 0 || b->known_said)
        return;
    b->known_said = 1;
    bar_clear(b);
    fprintf(stderr,
            "zoomflow: line %ld: cannot list the %ss already there (%s); each row checks its "
            "own %s after sending it instead (one more request a row)\n",
            b->rows[i].line, b->a->item_type ? b->a->item_type : "object", e.message,
            b->a->item_type ? b->a->item_type : "object");
}

/* Row i, sent (or found); 0, or a failure of the run itself (state, stdout). */
static int run_row(batch *b, size_t i, zf_error *err)
{
    row *r = &b->rows[i];
    cli_bstate_row *sr = b->state_fd >= 0 ? &b->st.rows[i] : NULL;
    zf_error e = ZF_ERROR_INIT;
    json_t *out = NULL;
    int rc = open_zoom(b, &e);
    if (rc == 0 && sr && sr->sent && b->a->kind == ZF_ACTION_CREATE)
        rc = look_again(b, i, sr->sent_at, &out, &e);
    if (rc == 2)
        return 0; /* interrupted while waiting: not run */
    if (rc == 1)
        return finish_output(b, i, out, ST_FOUND, err);
    if (rc == 0) {
        char rec[64];
        snprintf(rec, sizeof rec, "sent %zu %lld\n", i + 1, (long long)time(NULL));
        if (state_put(b, rec, 1, err) != 0)
            return err->code;
        if (sr && !sr->sent) {
            sr->sent = 1;
            sr->sent_at = (int64_t)time(NULL);
        }
        know(b, i);
        zf_action_result ar = ZF_ACTION_RESULT_INIT;
        zf_problems probs = ZF_PROBLEMS_INIT;
        rc = zf_action_run(&ar, b->a, r->in, &b->o, &probs, &e);
        zf_problems_free(&probs);
        for (size_t k = 0; k < json_array_size(ar.warnings); k++) {
            bar_clear(b);
            fprintf(stderr, "line %ld: warning: %s\n", r->line,
                    json_string_value(json_array_get(ar.warnings, k)));
        }
        if (rc == 0) {
            int found = json_is_true(json_object_get(ar.output, "found")) ||
                        json_is_true(json_object_get(ar.output, "existing"));
            json_t *output = json_incref(ar.output);
            zf_action_result_free(&ar);
            return finish_output(b, i, output, found ? ST_FOUND : ST_DONE, err);
        }
        zf_action_result_free(&ar);
    }
    /* failed */
    json_t *res = result_head(i, r, ST_FAILED);
    json_object_set_new(res, "error", error_json(&e));
    note_failure(b, cli_exit_status(e.code));
    b->transient_streak = transient_code(e.code) ? b->transient_streak + 1 : 0;
    if (fatal_code(e.code)) {
        b->fatal = 1;
        bar_clear(b);
        fprintf(stderr, "zoomflow: batch stops at line %ld: %s\n", r->line, e.message);
    } else if (b->transient_streak >= TRANSIENT_STOP) {
        b->fatal = 1;
        bar_clear(b);
        fprintf(stderr,
                "zoomflow: batch stops at line %ld: %d rows in a row failed with a server or "
                "network error (the last: %s)\n",
                r->line, b->transient_streak, e.message);
    }
    return finish(b, i, res, ST_FAILED, 1, err);
}

static int run_all(batch *b, zf_error *err)
{
    size_t i = 0;
    /* the objects the rows done in earlier runs hold */
    b->ids = calloc(b->nrows ? b->nrows : 1, sizeof *b->ids);
    for (size_t j = 0; b->ids && b->state_fd >= 0 && j < b->nrows; j++) {
        if (!b->st.rows[j].ok)
            continue;
        json_t *o = json_loads(b->st.rows[j].result, 0, NULL);
        hold(b, j, json_object_get(o, "output"));
        json_decref(o);
    }
    for (; i < b->nrows; i++) {
        row *r = &b->rows[i];
        cli_bstate_row *sr = b->state_fd >= 0 ? &b->st.rows[i] : NULL;
        int rc = 0;
        if (stop_signal)
            break;
        if (sr && sr->ok) {
            json_t *o = json_loads(sr->result, 0, NULL);
            int st = status_of(json_string_value(json_object_get(o, "status")));
            json_decref(o);
            if (emit(b, sr->result, st) != 0)
                rc = zf_error_set(err, ZF_EIO, "cannot write the results to stdout");
        } else if (b->fatal) {
            json_t *res = result_head(i, r, ST_SKIPPED);
            json_object_set_new(res, "error",
                                json_pack("{s:s,s:s}", "code", "SKIPPED", "message",
                                          "not sent: the batch stopped at an earlier row"));
            rc = finish(b, i, res, ST_SKIPPED, 0, err);
        } else if (r->bad) {
            json_t *res = result_head(i, r, ST_FAILED);
            json_t *probs = NULL;
            zf_problems_json(&probs, &r->probs);
            json_t *e =
                json_pack("{s:s,s:s,s:o}", "code", zf_code_name(ZF_EVALIDATION), "message",
                          "invalid row; not sent", "problems", probs ? probs : json_array());
            json_object_set_new(res, "error", e);
            note_failure(b, 2);
            rc = finish(b, i, res, ST_FAILED, 0, err);
        } else {
            rc = run_row(b, i, err);
        }
        if (rc)
            return rc;
        bar_draw(b, i + 1, 0);
    }
    return 0;
}

static void summary(batch *b, int interrupted, size_t left)
{
    double secs = (double)(now_ns() - b->start_ns) / 1e9;
    bar_clear(b);
    fprintf(stderr, "batch %s: %zu row%s: %d done, %d already there, %d failed", b->a->name,
            b->nrows, b->nrows == 1 ? "" : "s", b->counts[ST_DONE], b->counts[ST_FOUND],
            b->counts[ST_FAILED]);
    if (b->counts[ST_SKIPPED])
        fprintf(stderr, ", %d skipped", b->counts[ST_SKIPPED]);
    if (left)
        fprintf(stderr, ", %zu not run", left);
    fprintf(stderr, " (%.2f s)\n", secs);
    if (!interrupted && !b->counts[ST_SKIPPED])
        return;
    if (b->x.state)
        fprintf(stderr,
                "to continue, run the same command again with --state-file %s; rows done "
                "are not sent again\n",
                b->x.state);
    else
        fputs("this run had no --state-file: running it again sends every row again (the "
              "creates are looked for first only with --state-file)\n",
              stderr);
}

static const zf_action *find_action(const zf_cmd *cmd, const char *name)
{
    const zf_action *a = cli_action_named(name);
    if (a)
        return a;
    const char *near = cli_action_nearest(name);
    if (near)
        cli_usage_error(cmd, "unknown action '%s'; did you mean %s?", name, near);
    else
        cli_usage_error(cmd, "unknown action '%s' (`zoomflow actions` lists them)", name);
    return NULL;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    batch b = {.ctx = ctx, .state_fd = -1, .text = ZF_BUF_INIT(BATCH_INPUT_MAX)};
    zf_error err = ZF_ERROR_INIT;
    zf_action_run_opts o = ZF_ACTION_RUN_OPTS_INIT;
    int status = 0, interrupted = 0;
    size_t left = 0;
    b.o = o;
    /* the action first: its fields are flags too */
    if (argc < 2 || argv[1][0] == '-') {
        status = cli_parse_args(ctx->cmd, &b.x, NULL, NULL, argc, argv);
        return status ? status
                      : cli_usage_error(ctx->cmd,
                                        "ACTION comes first: zoomflow batch ACTION --csv FILE");
    }
    if (!(b.a = find_action(ctx->cmd, argv[1])))
        return 2;
    cli_opt *specs = NULL;
    if (cli_action_specs_with(&specs, b.a, batch_opts) != 0 || !(b.common.flags = json_object())) {
        free(specs);
        fputs("zoomflow: out of memory\n", stderr);
        return 1;
    }
    b.common.a = b.x.a = b.a;
    cli_opt_parser p = CLI_OPT_PARSER_INIT;
    p.specs = specs;
    p.args = &b.x;
    p.on_value = cli_action_on_field;
    p.bool_key = bool_member;
    p.ctx = &b.common;
    p.flags = CLI_OPT_FOLD_UNDERSCORE;
    status = cli_parse(ctx->cmd, &p, argc, argv);
    free(specs);
    if (status)
        goto done;
    if (!b.x.input == !b.x.csv) {
        status = cli_usage_error(ctx->cmd, b.x.input ? "give --input or --csv, not both"
                                                     : "the rows are missing: give --input "
                                                       "FILE.ndjson or --csv FILE (- = stdin)");
        goto done;
    }
    const char *path = b.x.input ? b.x.input : b.x.csv;
    if (cli_read_file(path, BATCH_INPUT_MAX, &b.text, &err) != 0 ||
        (b.x.input ? read_ndjson(&b, &err) : read_csv(&b, &err)) != 0) {
        status = cli_fail(ctx, &err);
        goto done;
    }
    size_t nbad = validate(&b);
    if (nbad && !b.x.keep_going) {
        report_bad(&b, nbad);
        status = 2;
        goto done;
    }
    if (b.x.state && state_open(&b, &err) != 0) {
        status = cli_fail(ctx, &err);
        goto done;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = 0; /* on_signal: a second signal of either kind kills */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    b.bar_on = ctx->err_tty && !b.x.no_progress;
    zf_http_opts ho;
    cli_http_opts(ctx, &ho);
    b.inflight_s = (ho.timeout_ms > 0 ? ho.timeout_ms / 1000 : 60) + INFLIGHT_MARGIN_S;
    b.start_ns = now_ns();
    plan_known(&b);
    int rc = run_all(&b, &err);
    size_t ran = 0;
    for (int k = ST_DONE; k <= ST_SKIPPED; k++)
        ran += (size_t)b.counts[k];
    left = b.nrows - ran;
    interrupted = stop_signal != 0 && left > 0;
    summary(&b, interrupted, left);
    if (rc)
        status = cli_fail(ctx, &err);
    else if (interrupted)
        status = 128 + stop_signal;
    else
        status = b.first_fail_status;
done:
    if (b.state_fd >= 0) {
        fdatasync(b.state_fd);
        close(b.state_fd);
    }
    cli_bstate_free(&b.st);
    for (size_t i = 0; i < b.nrows; i++) {
        json_decref(b.rows[i].in);
        zf_problems_free(&b.rows[i].probs);
    }
    free(b.rows);
    for (size_t i = 0; b.ids && i < b.nrows; i++)
        free(b.ids[i]);
    free(b.ids);
    zf_action_known_free(b.known);
    zf_buf_free(&b.text);
    json_decref(b.common.flags);
    return status;
}
