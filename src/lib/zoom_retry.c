/*
 * The retry policy of the Zoom client as pure functions (DESIGN §6): what to
 * do after one HTTP exchange, how long to wait, Retry-After parsing. No
 * clock or randomness is read here; the caller passes them in, so every
 * branch is unit-tested without sleeping.
 */
#include "zoom_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *zf_zoom__header(const char *headers, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    const char *line = headers;
    while (line && *line) {
        const char *eol = strpbrk(line, "\r\n");
        size_t llen = eol ? (size_t)(eol - line) : strlen(line);
        if (llen > nlen && line[nlen] == ':' && strncasecmp(line, name, nlen) == 0) {
            const char *v = line + nlen + 1, *end = line + llen;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
            size_t vlen = (size_t)(end - v);
            if (vlen >= outlen)
                vlen = outlen - 1;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return out;
        }
        if (!eol)
            break;
        line = eol + 1;
    }
    return NULL;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads exactly n digits at *p. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int valid_time(int y, int mo, int d, int h, int mi, int s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= mdays[mo - 1] &&
           h <= 23 && mi <= 59 && s <= 60;
}

static int64_t to_unix(int y, int mo, int d, int h, int mi, int s)
{
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

/* 2020-05-31T00:00:00Z, 2020-05-31T02:00:00.5+02:00, 2020-05-31 00:00, ... */
static int parse_iso(const char *p, int64_t *at)
{
    int y, mo, d, h, mi, s = 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
        return -1;
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
        return -1;
    if (*p == ':') {
        p++;
        if (digits(&p, 2, &s))
            return -1;
        if (*p == '.' || *p == ',') {
            p++;
            if (*p < '0' || *p > '9')
                return -1;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (digits(&p, 2, &oh))
            return -1;
        if (*p == ':')
            p++;
        if (*p && digits(&p, 2, &om))
            return -1;
        if (oh > 23 || om > 59)
            return -1;
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p || !valid_time(y, mo, d, h, mi, s))
        return -1;
    *at = to_unix(y, mo, d, h, mi, s) - off;
    return 0;
}

/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110). */
static int parse_http_date(const char *p, int64_t *at)
{
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *const wdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    int wd_ok = 0, mo = 0, y, d, h, mi, s;
    for (int i = 0; i < 7; i++)
        wd_ok |= strncmp(p, wdays[i], 3) == 0;
    if (!wd_ok || p[3] != ',' || p[4] != ' ')
        return -1;
    p += 5;
    if (digits(&p, 2, &d) || *p++ != ' ')
        return -1;
    for (int i = 0; i < 12; i++)
        if (strncmp(p, mons[i], 3) == 0)
            mo = i + 1;
    if (!mo || p[3] != ' ')
        return -1;
    p += 4;
    if (digits(&p, 4, &y) || *p++ != ' ' || digits(&p, 2, &h) || *p++ != ':' ||
        digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &s) || strcmp(p, " GMT") != 0)
        return -1;
    if (!valid_time(y, mo, d, h, mi, s))
        return -1;
    *at = to_unix(y, mo, d, h, mi, s);
    return 0;
}

int zf_zoom__parse_retry_after(const char *v, int64_t now_s, int64_t *at_s)
{
    char buf[64];
    if (!v)
        return -1;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (!n || n >= sizeof buf)
        return -1;
    memcpy(buf, v, n);
    buf[n] = '\0';
    if (strspn(buf, "0123456789") == n) {
        if (n > 9) /* over 31 years: not a delay anyone means */
            return -1;
        int64_t secs = 0;
        for (size_t i = 0; i < n; i++)
            secs = secs * 10 + (buf[i] - '0');
        *at_s = now_s + secs;
        return 0;
    }
    if (parse_iso(buf, at_s) == 0 || parse_http_date(buf, at_s) == 0)
        return 0;
    return -1;
}

int64_t zf_zoom__backoff_ms(const zf_zoom_retry *policy, int n, uint64_t rnd)
{
    int64_t cap = policy->max_backoff_ms > 0 ? policy->max_backoff_ms : 0;
    int64_t ceil = policy->base_ms > 0 ? policy->base_ms : 0;
    for (int i = 0; i < n && ceil < cap; i++)
        ceil *= 2;
    if (ceil > cap)
        ceil = cap;
    return (int64_t)(rnd % (uint64_t)(ceil + 1));
}

int64_t zf_zoom__next_utc_midnight(int64_t now_s)
{
    int64_t day = now_s >= 0 ? now_s / 86400 : (now_s - 86399) / 86400;
    return (day + 1) * 86400;
}

/* --- the decision */

typedef enum verdict { V_DONE, V_RETRY, V_AMBIGUOUS, V_FAIL } verdict;

static int is_fatal_transport(int code)
{
    return code == ZF_ETLS || code == ZF_ETOOBIG || code == ZF_ECANCELED ||
           code == ZF_EINVAL || code == ZF_ENOMEM;
}

/* Describes the last answer for give-up and ambiguity messages. */
static void last_answer(const zf_zoom_outcome *o, char *out, size_t n)
{
    if (o->transport_err)
        snprintf(out, n, "%s (%s)", o->transport_msg && *o->transport_msg
                                        ? o->transport_msg : zf_strerror(o->transport_err),
                 o->sent ? "after the request was sent" : "before the request was sent");
    else if (o->body_bad)
        snprintf(out, n, "HTTP %ld with a truncated or malformed body", o->status);
    else
        snprintf(out, n, "HTTP %ld", o->status);
}

static int fail_ambiguous(const zf_zoom_outcome *o, const zf_zoom_attempt *a, zf_error *err)
{
    char last[256];
    last_answer(o, last, sizeof last);
    if (o->status >= 300)
        zf_zoom__map_error(o->status, o->headers, o->body, o->body_len, a->attempt, a->now_s,
                           err);
    err->http_status = (int)o->status;
    zf_error_set(err, ZF_EAMBIGUOUS,
                 "the create request may or may not have been processed by Zoom: %s", last);
    zf_error_hint_id(err, ZF_HINT_CHECK_IN_ZOOM, "do not simply retry: look for the object "
                     "first (the actions reconcile this automatically) so it is not created "
                     "twice");
    return ZF_EAMBIGUOUS;
}

/* Out of attempts or time: the error of the last answer, saying so. */
static void fail_gave_up(const zf_zoom_outcome *o, const zf_zoom_attempt *a,
                         int64_t wanted_ms, const zf_zoom_retry *policy, zf_error *err)
{
    char last[256], why[160];
    last_answer(o, last, sizeof last);
    if (a->elapsed_ms + wanted_ms > policy->budget_ms && a->attempt < policy->max_attempts)
        snprintf(why, sizeof why, "waiting %lld ms more would pass the time budget of %lld ms",
                 (long long)wanted_ms, (long long)policy->budget_ms);
    else
        snprintf(why, sizeof why, "that was the last of %d attempts", policy->max_attempts);
    if (o->transport_err)
        zf_error_restate(err, o->transport_err, "gave up after %d attempt%s in %lld ms (%s); "
                     "last answer: %s", a->attempt, a->attempt == 1 ? "" : "s",
                     (long long)a->elapsed_ms, why, last);
    else {
        zf_zoom__map_error(o->status, o->headers, o->body, o->body_len, a->attempt, a->now_s,
                           err);
        if (o->body_bad)
            err->code = ZF_EPARSE;
        char detail[ZF_ERROR_MSG_MAX];
        snprintf(detail, sizeof detail, "%s", err->message);
        zf_error_restate(err, err->code, "gave up after %d attempt%s in %lld ms (%s); last "
                     "answer: %s: %s", a->attempt, a->attempt == 1 ? "" : "s",
                     (long long)a->elapsed_ms, why, last, detail);
    }
    if (wanted_ms > 0)
        err->retry_after = (wanted_ms + 999) / 1000;
}

/* Milliseconds the answer's Retry-After asks for, -1 when absent or bad. */
static int64_t retry_after_ms(const zf_zoom_outcome *o, const zf_zoom_attempt *a)
{
    char v[64];
    int64_t at;
    if (!zf_zoom__header(o->headers ? o->headers : "", "Retry-After", v, sizeof v) ||
        zf_zoom__parse_retry_after(v, a->now_s, &at) != 0)
        return -1;
    return at > a->now_s ? (at - a->now_s) * 1000 : 0;
}

/* Classifies one exchange without regard to attempts or time. */
static verdict classify(zf_zoom_kind kind, const zf_zoom_outcome *o, const zf_zoom_attempt *a,
                        zf_zoom_decision *d, int64_t *ra_ms, zf_error *err)
{
    if (o->transport_err) {
        if (is_fatal_transport(o->transport_err)) {
            zf_error_restate(err, o->transport_err, "%s", o->transport_msg && *o->transport_msg
                             ? o->transport_msg : zf_strerror(o->transport_err));
            return V_FAIL;
        }
        return (o->sent && kind == ZF_ZOOM_CREATE) ? V_AMBIGUOUS : V_RETRY;
    }
    if (o->status >= 200 && o->status < 300) {
        if (!o->body_bad)
            return V_DONE;
        return kind == ZF_ZOOM_CREATE ? V_AMBIGUOUS : V_RETRY;
    }
    int zcode = zf_zoom__body_code(o->body, o->body_len);
    if ((o->status == 401 || o->status == 400) && zcode == 124 && !a->rejected) {
        d->action = ZF_ZOOM_REAUTH;
        return V_DONE;
    }
    if (o->status == 429) {
        if (zf_zoom__is_daily_limit(o->headers, o->body, o->body_len)) {
            zf_zoom__map_error(o->status, o->headers, o->body, o->body_len, a->attempt,
                               a->now_s, err);
            return V_FAIL;
        }
        *ra_ms = retry_after_ms(o, a);
        d->qps_limited = 1;
        return V_RETRY; /* per-second limit: Zoom did not process it */
    }
    if (o->status >= 500) {
        *ra_ms = retry_after_ms(o, a); /* a 503 may say when to come back */
        return kind == ZF_ZOOM_CREATE ? V_AMBIGUOUS : V_RETRY;
    }
    zf_zoom__map_error(o->status, o->headers, o->body, o->body_len, a->attempt, a->now_s, err);
    return V_FAIL;
}

void zf_zoom__decide(const zf_zoom_retry *policy, zf_zoom_kind kind,
                     const zf_zoom_outcome *o, const zf_zoom_attempt *a,
                     zf_zoom_decision *d, zf_error *err)
{
    int64_t ra_ms = -1;
    d->action = ZF_ZOOM_FAIL;
    d->delay_ms = 0;
    d->qps_limited = 0;
    switch (classify(kind, o, a, d, &ra_ms, err)) {
    case V_DONE:
        if (d->action != ZF_ZOOM_REAUTH)
            d->action = ZF_ZOOM_DONE;
        return;
    case V_FAIL:
        return;
    case V_AMBIGUOUS:
        fail_ambiguous(o, a, err);
        return;
    case V_RETRY:
        break;
    }
    int64_t delay = ra_ms >= 0 ? ra_ms : zf_zoom__backoff_ms(policy, a->attempt - 1, a->rnd);
    if (a->attempt >= policy->max_attempts || a->elapsed_ms + delay > policy->budget_ms) {
        fail_gave_up(o, a, delay, policy, err);
        return;
    }
    d->action = ZF_ZOOM_RETRY;
    d->delay_ms = delay;
}
