/*
 * Times for the actions: Zoom's two date-time forms, and local time in a
 * named zone to UTC (reconcile compares a meeting's start time in UTC).
 *
 * Zone offsets come from the system tz database (TZif files, RFC 8536)
 * read without touching TZ or any other global: the zone id is first
 * checked against the committed list, so it can never name another file.
 * Instants past the file's last transition use the last transition's
 * offset (Debian ships "fat" files with transitions to 2037).
 */
#include "actions_internal.h"
#include "civil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZIF_MAX_BYTES (256 * 1024)

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

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static int tzif_header(const unsigned char *p, size_t n, tzif_counts *c)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0)
        return -1;
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    return c->type == 0 || c->type > 256 || c->time > 100000 ? -1 : 0;
}

static size_t tzif_block(const tzif_counts *c, size_t tsize)
{
    return c->time * tsize + c->time + c->type * 6 + c->chars + c->leap * (tsize + 4) +
           c->isstd + c->isut;
}

/* Offset at t from a TZif image (version 2+ data block when present). */
static int tzif_offset(const unsigned char *p, size_t n, int64_t t, int32_t *off)
{
    tzif_counts c;
    if (tzif_header(p, n, &c) != 0)
        return -1;
    size_t tsize = 4, at = 44;
    if (p[4] >= '2') {
        at += tzif_block(&c, 4);
        if (at > n || tzif_header(p + at, n - at, &c) != 0)
            return -1;
        at += 44;
        tsize = 8;
    }
    if (at + tzif_block(&c, tsize) > n)
        return -1;
    const unsigned char *times = p + at, *idx = times + c.time * tsize;
    const unsigned char *types = idx + c.time;
    size_t type = 0;
    for (uint32_t i = 0; i < c.time; i++) {
        int64_t tt = tsize == 8 ? be64(times + i * 8) : (int32_t)be32(times + i * 4);
        if (tt > t)
            break;
        type = idx[i];
    }
    if (type >= c.type)
        return -1;
    *off = (int32_t)be32(types + type * 6);
    return 0;
}

static int read_zone_file(unsigned char **out, size_t *n, const char *zone, zf_error *err)
{
    const char *dir = getenv("TZDIR");
    zf_buf path = ZF_BUF_INIT(4096);
    zf_buf_appendf(&path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", zone);
    FILE *f = path.failed ? NULL : fopen(path.ptr, "rb");
    int rc = 0;
    *out = NULL;
    if (!f) {
        rc = zf_error_set(err, ZF_ECONFIG, "cannot read the time zone database for %s", zone);
        zf_error_hint(err, "install the tzdata package (or set TZDIR to a zoneinfo directory)");
        goto done;
    }
    *out = malloc(TZIF_MAX_BYTES);
    *n = *out ? fread(*out, 1, TZIF_MAX_BYTES, f) : 0;
    if (!*out)
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory reading a time zone");
done:
    if (f)
        fclose(f);
    zf_buf_free(&path);
    return rc;
}

int zf_actions__zone_offset(const char *zone, int64_t t, int32_t *off, zf_error *err)
{
    if (!zone || !zf_actions__timezone_known(zone))
        return zf_error_set(err, ZF_EINVAL, "unknown time zone \"%s\"", zone ? zone : "");
    if (strcmp(zone, "UTC") == 0 || strcmp(zone, "GMT") == 0) {
        *off = 0;
        return 0;
    }
    unsigned char *img = NULL;
    size_t n = 0;
    int rc = read_zone_file(&img, &n, zone, err);
    if (rc == 0 && tzif_offset(img, n, t, off) != 0)
        rc = zf_error_set(err, ZF_EPARSE, "the time zone file for %s is damaged", zone);
    free(img);
    return rc;
}

int zf_actions__local_to_utc(const char *zone, int64_t wall, int64_t *out, zf_error *err)
{
    int32_t off1, off2;
    int rc = zf_actions__zone_offset(zone, wall, &off1, err);
    if (rc == 0)
        rc = zf_actions__zone_offset(zone, wall - off1, &off2, err);
    if (rc == 0)
        *out = wall - off2;
    return rc;
}
