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

#include <string.h>

static int two(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

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
