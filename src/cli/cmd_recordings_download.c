/*
 * zoomflow recordings download --meeting-id ID [--dir DIR]: every file of a
 * meeting's cloud recording into DIR (default: the current directory; the
 * id may also be given alone, as the positional MEETING) (see include/zoomflow/download.h for what
 * is guaranteed: streamed, resumable, size-checked, SHA256SUMS beside them). A progress bar goes to
 * stderr when it is a terminal, redrawn at most ten times a second; a one-line summary goes to
 * stdout at the end.
 */
#include "cli.h"
#include "lib.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "zoomflow/download.h"
#include "zoomflow/zoom.h"

#define BAR_WIDTH 24
#define REDRAW_NS 100000000LL /* 10 redraws a second at most */

typedef struct bar {
    int on;          /* stderr is a terminal and --no-progress was not given */
    int64_t last_ns; /* last redraw */
    int drawn;       /* a line is on screen */
    int64_t start_ns;
} bar;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void human(char out[16], uint64_t b)
{
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int i = 0;
    while (v >= 1024 && i < 4) {
        v /= 1024;
        i++;
    }
    snprintf(out, 16, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static void draw(bar *b, const zf_download_progress *p)
{
    char done[16], total[16];
    human(done, p->all_done);
    human(total, p->all_total);
    double frac = p->all_total ? (double)p->all_done / (double)p->all_total : 0;
    if (frac > 1)
        frac = 1;
    int fill = (int)(frac * BAR_WIDTH);
    char cells[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++)
        cells[i] = i < fill ? '#' : '.';
    cells[BAR_WIDTH] = '\0';
    double secs = (double)(now_ns() - b->start_ns) / 1e9;
    char rate[16];
    human(rate, secs > 0 ? (uint64_t)((double)p->all_done / secs) : 0);
    fprintf(stderr, "\r\033[K[%s] %3d%% %s / %s  %s/s  file %d/%d %.40s", cells, (int)(frac * 100),
            done, total, rate, p->index + 1, p->count, p->name);
    fflush(stderr);
    b->drawn = 1;
}

static void on_progress(void *ctx, const zf_download_progress *p)
{
    bar *b = ctx;
    if (!b->on)
        return;
    int64_t t = now_ns();
    /* data events are throttled; a file's start, end or skip always shows */
    if (p->event == ZF_DL_EV_DATA && t - b->last_ns < REDRAW_NS)
        return;
    b->last_ns = t;
    draw(b, p);
}

static int run(cli_ctx *ctx, int argc, char **argv);

typedef struct download_args {
    const char *meeting, *meeting_id, *dir;
    int no_progress;
} download_args;

static const cli_opt download_opts[] = {
    {.kind = CLI_OPT_POSITIONAL,
     .name = "MEETING",
     .at = CLI_AT(download_args, meeting),
     .help = "the same as --meeting-id (either one, not both)"},
    {.kind = CLI_OPT_VALUE,
     .name = "meeting-id",
     .value_name = "ID",
     .at = CLI_AT(download_args, meeting_id),
     .help = "a meeting id (its latest recording) or a meeting instance UUID,\n"
             "as every command names a meeting"},
    {.kind = CLI_OPT_VALUE,
     .name = "dir",
     .value_name = "DIR",
     .at = CLI_AT(download_args, dir),
     .help = "where the files go (default: the current directory; created\n"
             "if missing; its parent must exist)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "no-progress",
     .at = CLI_AT(download_args, no_progress),
     .help = "no progress bar (it only shows on a terminal anyway)"},
    {0}};

const zf_cmd zf_cmd_recordings_download = {
    .name = "recordings download",
    .summary = "download every file of a meeting's cloud recording (resumable, verified)",
    .opts = download_opts,
    .help = "Each file is written to NAME.part and renamed when its size matches Zoom's\n"
            "listing. An interrupted download resumes where it stopped when run again;\n"
            "files already complete are skipped. DIR/SHA256SUMS lists every file's SHA-256\n"
            "(check with: cd DIR && sha256sum -c SHA256SUMS).\n",
    .run = run,
};

static void summary(const zf_download_result *r, double secs)
{
    char total[16], got[16];
    human(total, r->total);
    human(got, r->bytes);
    printf("%d file%s: %d downloaded, %d skipped; %s on disk, %s (%llu bytes) received "
           "in %.1f s\n",
           r->files, r->files == 1 ? "" : "s", r->downloaded, r->skipped, total, got,
           (unsigned long long)r->bytes, secs);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    download_args a = {NULL, NULL, NULL, 0};
    int rc = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    if (rc)
        return rc;
    if (a.meeting && a.meeting_id && strcmp(a.meeting, a.meeting_id) != 0)
        return cli_usage_error(ctx->cmd,
                               "two meetings given: MEETING %s and --meeting-id %s "
                               "(give one)",
                               a.meeting, a.meeting_id);
    if (!a.meeting)
        a.meeting = a.meeting_id;
    if (!a.meeting || !*a.meeting)
        return cli_usage_error(ctx->cmd, "--meeting-id ID is required (a meeting id or a "
                                         "meeting instance UUID)");
    if (!a.dir)
        a.dir = ".";
    zf_error err = ZF_ERROR_INIT;
    zf_session *s = NULL;
    const zf_zoom_tokens *src = NULL;
    zf_zoom *z = NULL;
    bar b = {!a.no_progress && ctx->err_tty, 0, 0, now_ns()};
    zf_download_result res;
    memset(&res, 0, sizeof res);
    if ((rc = cli_session(ctx, &s, &err)) != 0 ||
        (rc = zf_session_token_source(s, &src, &err)) != 0 ||
        (rc = zf_session_zoom(s, &z, NULL, &err)) != 0)
        goto done;
    zf_download_opts o = ZF_DOWNLOAD_OPTS_INIT;
    o.zoom = z;
    o.tokens = src;
    cli_http_opts(ctx, &o.http);
    o.http.timeout_ms = 0; /* a large file may take hours; stalls end in TCP keepalive */
    o.progress = on_progress;
    o.progress_ctx = &b;
    rc = zf_download_recording(&res, &o, a.meeting, a.dir, &err);
done:
    if (b.drawn)
        fputc('\n', stderr);
    if (rc)
        return cli_fail(ctx, &err);
    summary(&res, (double)(now_ns() - b.start_ns) / 1e9);
    return 0;
}
