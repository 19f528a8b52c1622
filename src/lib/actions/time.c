/*
 * Times for the actions: Zoom's two date-time forms, and local time in a
 * named zone to UTC (reconcile compares a meeting's start time in UTC).
 *
 * Zone offsets come from the system tz database through util's TZif
 * reader (tzif.h: no TZ or other global touched): the zone id is first
 * checked against the committed list, so it can never name another file.
 */
#include "actions_internal.h"
#include "civil.h"
#include "tzif.h"

#include <stdbool.h>
#include <string.h>

static int two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

int zf_actions__parse_datetime(const char *s, int64_t *out, int *has_zone)
{
    long pos;
    if (!s || !zf_schema_format_ok(ZF_FMT_ZOOM_DATETIME, s, &pos))
        return ZF_EINVAL;
    int64_t y = two(s) * 100 + two(s + 2);
    int64_t t = zf_days_from_civil(y, (unsigned)two(s + 5), (unsigned)two(s + 8)) * 86400 +
                two(s + 11) * 3600 + two(s + 14) * 60 + two(s + 17);
    const char *z = s + 19;
    *has_zone = *z != '\0';
    if (*z == '+' || *z == '-') {
        int64_t off = two(z + 1) * 3600 + two(z + 4) * 60;
        t -= *z == '+' ? off : -off;
    }
    *out = t;
    return 0;
}

/* 0 for a zone of the committed list (so it names no other file), *utc
 * set for UTC and GMT, which need no file. */
static int check_zone(const char *zone, int *utc, zf_error *err)
{
    if (!zone || !zf_actions__timezone_known(zone))
        return zf_error_set(err, ZF_EINVAL, "unknown time zone \"%s\"", zone ? zone : "");
    *utc = strcmp(zone, "UTC") == 0 || strcmp(zone, "GMT") == 0;
    return 0;
}

int zf_actions__zone_offset(const char *zone, int64_t t, int32_t *off, zf_error *err)
{
    int utc, rc = check_zone(zone, &utc, err);
    if (rc == 0 && utc)
        *off = 0;
    return rc != 0 || utc ? rc : zf_tzif_zone_offset(zone, t, off, err);
}

int zf_actions__local_to_utc(const char *zone, int64_t wall, int64_t *out, zf_error *err)
{
    int utc, rc = check_zone(zone, &utc, err);
    if (rc == 0 && utc)
        *out = wall;
    return rc != 0 || utc ? rc : zf_tzif_local_to_utc(zone, wall, out, err);
}

/* ---- month windows -------------------------------------------------------- */

typedef struct ymd {
    int y, m, d;
} ymd;

static int days_in_month(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : n[m - 1];
}

static bool read_date(const char *s, ymd *out)
{
    long pos;
    if (!s || !zf_schema_format_ok(ZF_FMT_DATE, s, &pos))
        return false;
    out->y = two(s) * 100 + two(s + 2);
    out->m = two(s + 5);
    out->d = two(s + 8);
    return true;
}

/* y 0..9999, m 1..12, d 1..31 (read_date and the month walk keep them so) */
static void write_date(char out[11], ymd t)
{
    const int v[3] = {t.y, t.m, t.d}, width[3] = {4, 2, 2};
    char *o = out;
    for (int i = 0; i < 3; i++) {
        if (i)
            *o++ = '-';
        for (int k = width[i] - 1, n = v[i]; k >= 0; k--, n /= 10)
            o[k] = (char)('0' + n % 10);
        o += width[i];
    }
    *o = '\0';
}

static int date_cmp(ymd a, ymd b)
{
    return a.y != b.y   ? (a.y < b.y ? -1 : 1)
           : a.m != b.m ? (a.m < b.m ? -1 : 1)
                        : (a.d > b.d) - (a.d < b.d);
}

int zf_action_next_month(char from[11], char to[11], const char *first, const char *last)
{
    ymd start, end, prev;
    if (!from || !to || !read_date(first, &start) || !read_date(last, &end))
        return ZF_EINVAL;
    if (from[0]) {
        if (!read_date(to, &prev))
            return ZF_EINVAL;
        start = prev;
        if (++start.d > days_in_month(start.y, start.m)) {
            start.d = 1;
            if (++start.m > 12) {
                start.m = 1;
                start.y++;
            }
        }
    }
    if (date_cmp(start, end) > 0 || start.y > 9999)
        return 0;
    ymd stop = {start.y, start.m, days_in_month(start.y, start.m)};
    if (date_cmp(stop, end) > 0)
        stop = end;
    write_date(from, start);
    write_date(to, stop);
    return 1;
}
