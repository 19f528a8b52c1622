/*
 * What the headers of Zoom's answers say about time, as pure functions:
 * Retry-After (delta seconds, ISO-8601, HTTP-date) and the daily limits'
 * reset at 00:00 UTC. Used by the retry decision (retry.c) and the error
 * mapping (errors.c), which both depend on this file and not on each other.
 */
#include "zoom_internal.h"
#include "civil.h"

#include <stdbool.h>
#include <string.h>

/* Reads exactly n digits at *p (advancing it); false when one is not a digit. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static int valid_time(int y, int mo, int d, int h, int mi, int s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= mdays[mo - 1] &&
           h <= 23 && mi <= 59 && s <= 60;
}

static int64_t to_unix(int y, int mo, int d, int h, int mi, int s)
{
    return zf_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
}

/* 2020-05-31T00:00:00Z, 2020-05-31T02:00:00.5+02:00, 2020-05-31 00:00, ... */
static bool parse_iso(const char *p, int64_t *at)
{
    int y, mo, d, h, mi, s = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
        return false;
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
        return false;
    if (*p == ':') {
        p++;
        if (!digits(&p, 2, &s))
            return false;
        if (*p == '.' || *p == ',') {
            p++;
            if (*p < '0' || *p > '9')
                return false;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
        if (!digits(&p, 2, &oh))
            return false;
        if (*p == ':')
            p++;
        if (*p && !digits(&p, 2, &om))
            return false;
        if (oh > 23 || om > 59)
            return false;
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p || !valid_time(y, mo, d, h, mi, s))
        return false;
    *at = to_unix(y, mo, d, h, mi, s) - off;
    return true;
}

/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110). */
static bool parse_http_date(const char *p, int64_t *at)
{
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *const wdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    int wd_ok = 0, mo = 0, y, d, h, mi, s;
    for (int i = 0; i < 7; i++)
        wd_ok |= strncmp(p, wdays[i], 3) == 0;
    if (!wd_ok || p[3] != ',' || p[4] != ' ')
        return false;
    p += 5;
    if (!digits(&p, 2, &d) || *p++ != ' ')
        return false;
    for (int i = 0; i < 12; i++)
        if (strncmp(p, mons[i], 3) == 0)
            mo = i + 1;
    if (!mo || p[3] != ' ')
        return false;
    p += 4;
    if (!digits(&p, 4, &y) || *p++ != ' ' || !digits(&p, 2, &h) || *p++ != ':' ||
        !digits(&p, 2, &mi) || *p++ != ':' || !digits(&p, 2, &s) || strcmp(p, " GMT") != 0)
        return false;
    if (!valid_time(y, mo, d, h, mi, s))
        return false;
    *at = to_unix(y, mo, d, h, mi, s);
    return true;
}

int zf_zoom__parse_retry_after(const char *v, int64_t now_s, int64_t *at_s)
{
    char buf[64];
    if (!v)
        return ZF_EINVAL;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (!n || n >= sizeof buf)
        return ZF_EPARSE;
    memcpy(buf, v, n);
    buf[n] = '\0';
    if (strspn(buf, "0123456789") == n) {
        if (n > 9) /* over 31 years: not a delay anyone means */
            return ZF_EPARSE;
        int64_t secs = 0;
        for (size_t i = 0; i < n; i++)
            secs = secs * 10 + (buf[i] - '0');
        *at_s = now_s + secs;
        return 0;
    }
    return parse_iso(buf, at_s) || parse_http_date(buf, at_s) ? 0 : ZF_EPARSE;
}

int64_t zf_zoom__next_utc_midnight(int64_t now_s)
{
    int64_t day = now_s >= 0 ? now_s / 86400 : (now_s - 86399) / 86400;
    return (day + 1) * 86400;
}
