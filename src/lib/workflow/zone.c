/*
 * One time zone read once (util's tzif), and the rule for wall times that
 * a DST shift skips or repeats, shared by the date filters and cron:
 * skipped -> moved forward by the gap (02:30 -> 03:30 on a spring-forward
 * night), repeated -> the first occurrence (the second is reported too).
 * Assumes at most one transition within a day of any instant, true of
 * every zone in the tz database.
 */
#include <stdlib.h>
#include <string.h>

#include "tzif.h"
#include "workflow_internal.h"

#define DAY 86400

int zf_wf__days_in_month(int64_t y, unsigned m)
{
    static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return n[m - 1] + (m == 2 && leap);
}

int zf_wf__zone_open(zf_wf__zone *z, const char *name, zf_error *err)
{
    memset(z, 0, sizeof *z);
    if (!name || strlen(name) >= sizeof z->name)
        return zf_error_set(err, ZF_EVALIDATION, "\"%s\" is not a time zone name",
                            name ? name : "");
    memcpy(z->name, name, strlen(name) + 1);
    if (!strcmp(name, "UTC") || !strcmp(name, "Etc/UTC") || !strcmp(name, "GMT")) {
        z->utc = 1;
        return 0;
    }
    int rc = zf_tzif_read_zone(name, &z->img, &z->n, err);
    if (rc == ZF_EPATH)
        return zf_error_restate(err, ZF_EVALIDATION, "\"%s\" is not a time zone name", name);
    int32_t off;
    if (rc == 0 && zf_tzif_offset_at(z->img, z->n, 0, &off) != 0) {
        zf_wf__zone_close(z);
        return zf_error_set(err, ZF_EVALIDATION, "\"%s\" is not a time zone of the tz database",
                            name);
    }
    if (rc == ZF_ECONFIG)
        return zf_error_restate(err, ZF_EVALIDATION, "\"%s\" is not a time zone of the tz database",
                                name);
    return rc;
}

void zf_wf__zone_close(zf_wf__zone *z)
{
    free(z->img);
    z->img = NULL;
}

int zf_wf__zone_offset(const zf_wf__zone *z, int64_t t, int32_t *off)
{
    if (z->utc) {
        *off = 0;
        return 0;
    }
    return zf_tzif_offset_at(z->img, z->n, t, off);
}

int zf_wf__zone_resolve(const zf_wf__zone *z, int64_t wall, int64_t *out, int *kind,
                        int64_t *second)
{
    int32_t oe, ol, a, b;
    if (zf_wf__zone_offset(z, wall - DAY, &oe) || zf_wf__zone_offset(z, wall + DAY, &ol))
        return ZF_EPARSE;
    int64_t te = wall - oe, tl = wall - ol;
    if (zf_wf__zone_offset(z, te, &a) || zf_wf__zone_offset(z, tl, &b))
        return ZF_EPARSE;
    int ve = a == oe, vl = b == ol;
    *kind = 0;
    if (ve && vl && te != tl) {
        *kind = 2;
        *out = te < tl ? te : tl;
        if (second)
            *second = te < tl ? tl : te;
    } else if (ve || vl) {
        *out = ve ? te : tl;
    } else {
        *kind = 1; /* in the gap: read with the offset before it */
        *out = te;
    }
    return 0;
}
