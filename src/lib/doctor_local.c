/*
 * The doctor's checks of what the store holds (doctor.h): the signals of
 * the last ZF_DOCTOR_WINDOW seconds (429s by category and daily limits
 * met by actions, refused webhook deliveries, url_validation answers),
 * the webhook secret row, and the store itself: backend, schema version,
 * how long the write lock took, and the free space of the recordings'
 * archive directory.
 */
#include "doctor_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "zoomflow/hint.h"

typedef struct signals {
    zf_store_signal *list;
    size_t n;
    int rc;
    zf_error err;
} signals;

static void read_signals(zf_doctor__ctx *c, signals *sg)
{
    zf_error none = ZF_ERROR_INIT;
    sg->list = NULL;
    sg->n = 0;
    sg->err = none;
    sg->rc = c->st ? zf_store_signal_list(c->st, c->conn_id, c->now - ZF_DOCTOR_WINDOW, &sg->list,
                                          &sg->n, &sg->err)
             : c->store_err.code ? c->store_err.code
                                 : ZF_ESTORE;
    if (!c->st)
        sg->err = c->store_err;
}

static int no_store(zf_doctor__ctx *c, json_t *row, const signals *sg)
{
    if (sg->rc >= 0)
        return 0;
    zf_doctor__say(row, ZF_VERDICT_FAIL, sg->err.hint_id, zf_hint_words(sg->err.hint_id),
                   "not checked: the store cannot be read: %s", sg->err.message);
    (void)c;
    return 1;
}

static void fmt_utc(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- rate limits ---------------------------------------------------------- */

void zf_doctor__limits(zf_doctor__ctx *c, json_t *row)
{
    signals sg;
    read_signals(c, &sg);
    if (no_store(c, row, &sg))
        return;
    json_t *d = zf_doctor__details(row), *by = json_object(), *daily = json_array();
    zf_buf text = ZF_BUF_INIT(4096), caps = ZF_BUF_INIT(4096);
    int64_t total = 0, capped = 0;
    for (size_t k = 0; k < sg.n; k++) {
        const zf_store_signal *s = &sg.list[k];
        char at[32], reset[32];
        fmt_utc(at, s->last_at);
        if (!strcmp(s->kind, "rate_limited")) {
            total += s->count;
            json_object_set_new(by, s->label,
                                json_pack("{s:I,s:I}", "count", (json_int_t)s->count, "last_at",
                                          (json_int_t)s->last_at));
            zf_buf_appendf(&text, "%s%s %lld (last %s)", text.len ? ", " : "", s->label,
                           (long long)s->count, at);
        } else if (!strcmp(s->kind, "daily_limit") && s->value > c->now) {
            capped++;
            fmt_utc(reset, s->value);
            json_array_append_new(daily, json_pack("{s:s,s:I,s:I}", "category", s->label,
                                                   "reached_at", (json_int_t)s->last_at,
                                                   "resets_at", (json_int_t)s->value));
            zf_buf_appendf(&caps, "%s%s reached %s, resets %s", caps.len ? "; " : "", s->label, at,
                           reset);
        }
    }
    json_object_set_new(d, "window_seconds", json_integer(ZF_DOCTOR_WINDOW));
    json_object_set_new(d, "rate_limited", by);
    json_object_set_new(d, "daily_limits", daily);
    if (capped)
        zf_doctor__say(row, ZF_VERDICT_FAIL, ZF_HINT_WAIT_FOR_RESET,
                       "wait until the daily limit resets (00:00 UTC), or spread the work over "
                       "days",
                       "a daily limit is reached: %s%s%s", zf_buf_cstr(&caps),
                       total ? "; 429s in the last 24 h: " : "", zf_buf_cstr(&text));
    else if (total)
        zf_doctor__say(row, ZF_VERDICT_WARN, ZF_HINT_SLOW_DOWN, zf_hint_words(ZF_HINT_SLOW_DOWN),
                       "%lld rate-limited answers (429) in the last 24 h: %s", (long long)total,
                       zf_buf_cstr(&text));
    else
        zf_doctor__say(row, ZF_VERDICT_OK, ZF_HINT_NONE, NULL,
                       "no 429 and no daily limit met by actions in the last 24 h");
    zf_buf_free(&text);
    zf_buf_free(&caps);
    zf_store_signal_free_list(sg.list, sg.n);
}

/* ---- webhooks ------------------------------------------------------------- */

static void webhook_verdict(zf_doctor__ctx *c, json_t *row, int have_secret, int64_t validated,
                            int64_t sig, int64_t ts, int64_t other)
{
    char at[32] = "never";
    if (validated)
        fmt_utc(at, validated);
    if (!have_secret) {
        zf_doctor__say(row, c->o->webhooks ? ZF_VERDICT_WARN : ZF_VERDICT_OK,
                       c->o->webhooks ? ZF_HINT_WEBHOOK_SECRET : ZF_HINT_NONE,
                       c->o->webhooks ? zf_hint_words(ZF_HINT_WEBHOOK_SECRET) : NULL,
                       "no webhook secret token is set: Zoom's deliveries are refused");
        return;
    }
    if (ts)
        zf_doctor__say(row, ZF_VERDICT_FAIL, ZF_HINT_WEBHOOK_CLOCK,
                       zf_hint_words(ZF_HINT_WEBHOOK_CLOCK),
                       "%lld deliveries refused for their timestamp in the last 24 h (and %lld "
                       "for the signature); last url_validation: %s",
                       (long long)ts, (long long)sig, at);
    else if (sig)
        zf_doctor__say(row, ZF_VERDICT_FAIL, ZF_HINT_WEBHOOK_SECRET_MISMATCH,
                       zf_hint_words(ZF_HINT_WEBHOOK_SECRET_MISMATCH),
                       "%lld deliveries refused for their signature in the last 24 h: the "
                       "secret token differs from the app's; last url_validation: %s",
                       (long long)sig, at);
    else if (other)
        zf_doctor__say(row, ZF_VERDICT_WARN, ZF_HINT_NONE, NULL,
                       "%lld malformed deliveries refused in the last 24 h; last "
                       "url_validation: %s",
                       (long long)other, at);
    else if (!validated)
        zf_doctor__say(row, ZF_VERDICT_WARN, ZF_HINT_WEBHOOK_SECRET,
                       "validate the endpoint URL in the Zoom app's Event Subscriptions",
                       "secret token set; no url_validation answered in the last 24 h");
    else
        zf_doctor__say(row, ZF_VERDICT_OK, ZF_HINT_NONE, NULL,
                       "secret token set; last url_validation %s; no refused delivery in the "
                       "last 24 h",
                       at);
}

void zf_doctor__webhooks(zf_doctor__ctx *c, json_t *row)
{
    signals sg;
    read_signals(c, &sg);
    if (no_store(c, row, &sg))
        return;
    zf_store_webhook_secret sec;
    zf_error e = ZF_ERROR_INIT;
    int have = zf_store_webhook_secret_get(c->st, c->conn_id, &sec, &e) == 0;
    if (have)
        zf_store_webhook_secret_free(&sec);
    int64_t validated = 0, sig = 0, ts = 0, other = 0;
    json_t *refused = json_object();
    for (size_t k = 0; k < sg.n; k++) {
        const zf_store_signal *s = &sg.list[k];
        if (!strcmp(s->kind, "url_validation"))
            validated = s->last_at;
        if (strcmp(s->kind, "webhook_refused") != 0)
            continue;
        json_object_set_new(refused, s->label, json_integer(s->count));
        *(!strcmp(s->label, "signature")   ? &sig
          : !strcmp(s->label, "timestamp") ? &ts
                                           : &other) += s->count;
    }
    json_t *d = zf_doctor__details(row);
    json_object_set_new(d, "secret_set", json_boolean(have));
    json_object_set_new(d, "last_url_validation", json_integer(validated));
    json_object_set_new(d, "refused", refused);
    webhook_verdict(c, row, have, validated, sig, ts, other);
    zf_store_signal_free_list(sg.list, sg.n);
}

/* ---- store ---------------------------------------------------------------- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The archive's free space: 0 ok, 1 warn, 2 fail; text says it. */
static int disk(const char *dir, json_t *d, zf_buf *text)
{
    struct statvfs vs;
    if (!dir)
        return 0;
    if (statvfs(dir, &vs) != 0) {
        zf_buf_appendf(text, "; the archive directory %s cannot be read", dir);
        json_object_set_new(d, "archive", json_pack("{s:s,s:n}", "dir", dir, "free_bytes"));
        return ZF_VERDICT_FAIL;
    }
    int64_t free_b = (int64_t)vs.f_bavail * (int64_t)vs.f_frsize;
    json_object_set_new(d, "archive",
                        json_pack("{s:s,s:I}", "dir", dir, "free_bytes", (json_int_t)free_b));
    zf_buf_appendf(text, "; %.1f GiB free in %s", (double)free_b / (1024.0 * 1024 * 1024), dir);
    return free_b < ZF_DOCTOR_DISK_FAIL   ? ZF_VERDICT_FAIL
           : free_b < ZF_DOCTOR_DISK_WARN ? ZF_VERDICT_WARN
                                          : ZF_VERDICT_OK;
}

static void backend(const zf_doctor_opts *o, json_t *d, zf_buf *text)
{
    char *dsn = NULL, *shown = NULL;
    zf_error e = ZF_ERROR_INIT;
    if (o->dsn || zf_store_default_dsn(&dsn, &e) == 0)
        zf_store_redact_dsn(&shown, o->dsn ? o->dsn : dsn, &e);
    const char *s = shown ? shown : "?";
    const char *kind = !strncmp(s, "sqlite:", 7) ? "sqlite" : "postgresql";
    json_object_set_new(d, "backend", json_string(kind));
    json_object_set_new(d, "dsn", json_string(s));
    zf_buf_appendf(text, "%s (%s)", kind, s);
    free(dsn);
    free(shown);
}

void zf_doctor__store(zf_doctor__ctx *c, json_t *row)
{
    json_t *d = zf_doctor__details(row);
    zf_buf text = ZF_BUF_INIT(4096);
    backend(c->o, d, &text);
    if (!c->st) {
        zf_doctor__say(row, ZF_VERDICT_FAIL, c->store_err.hint_id,
                       zf_hint_words(c->store_err.hint_id), "%s: %s", zf_buf_cstr(&text),
                       c->store_err.message);
        zf_buf_free(&text);
        return;
    }
    int version = 0;
    zf_error e = ZF_ERROR_INIT;
    int rc = zf_store_migrate(c->st, &version, &e);
    int64_t t0 = mono_ms();
    if (rc == 0 && (rc = zf_store_lock_connection(c->st, c->conn_id, &e)) == 0)
        zf_store_rollback(c->st);
    int64_t waited = mono_ms() - t0;
    json_object_set_new(d, "schema_version", json_integer(version));
    json_object_set_new(d, "lock_wait_ms", json_integer(waited));
    zf_buf_appendf(&text, ", schema version %d, write lock in %lld ms", version, (long long)waited);
    int dv = disk(c->o->archive_dir, d, &text);
    if (rc < 0)
        zf_doctor__say(row, ZF_VERDICT_FAIL, e.hint_id, zf_hint_words(e.hint_id), "%s: %s",
                       zf_buf_cstr(&text), e.message);
    else if (dv == ZF_VERDICT_FAIL)
        zf_doctor__say(row, dv, ZF_HINT_FREE_DISK, zf_hint_words(ZF_HINT_FREE_DISK), "%s",
                       zf_buf_cstr(&text));
    else if (dv == ZF_VERDICT_WARN || waited >= ZF_DOCTOR_LOCK_WARN_MS)
        zf_doctor__say(row, ZF_VERDICT_WARN, dv ? ZF_HINT_FREE_DISK : ZF_HINT_DATABASE_BUSY,
                       zf_hint_words(dv ? ZF_HINT_FREE_DISK : ZF_HINT_DATABASE_BUSY), "%s",
                       zf_buf_cstr(&text));
    else
        zf_doctor__say(row, ZF_VERDICT_OK, ZF_HINT_NONE, NULL, "%s", zf_buf_cstr(&text));
    zf_buf_free(&text);
}
