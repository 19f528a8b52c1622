/*
 * Local wall-clock time in an IANA zone -> UTC, read straight from the
 * system's TZif files (RFC 8536), so no thread ever has to switch the
 * process-wide TZ variable (setenv races with every getenv, libcurl's in
 * the webhook thread included). Written for zoomsim alone: the library has
 * its own reader, and the two must not share a bug (DESIGN §2).
 *
 * Times after the last transition in the file keep that transition's offset;
 * Debian's files list transitions up to 2037.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZIF_MAX (256u << 10)

static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t i64(const unsigned char *p)
{
    return (int64_t)((uint64_t)u32(p) << 32 | u32(p + 4));
}

/* Counts from a header at p: isut, isstd, leap, time, type, char. */
static int header(const unsigned char *p, size_t n, uint32_t c[6])
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0)
        return -1;
    for (int i = 0; i < 6; i++)
        c[i] = u32(p + 20 + 4 * i);
    return c[4] == 0 || c[3] > 100000 || c[4] > 256 ? -1 : 0;
}

static size_t v1_size(const uint32_t c[6])
{
    return 44 + (size_t)c[3] * 5 + (size_t)c[4] * 6 + c[5] + (size_t)c[2] * 8 + c[1] + c[0];
}

/* UTC offset in seconds at instant t, from the 64-bit (v2+) data block. */
static int offset_at(const unsigned char *p, size_t n, int64_t t, int32_t *off)
{
    uint32_t c[6];
    if (header(p, n, c) != 0 || p[4] < '2')
        return -1;
    size_t skip = v1_size(c);
    if (skip >= n || header(p + skip, n - skip, c) != 0)
        return -1;
    const unsigned char *d = p + skip + 44;
    size_t need = (size_t)c[3] * 9 + (size_t)c[4] * 6;
    if (need > n - skip - 44)
        return -1;
    const unsigned char *times = d, *idx = d + (size_t)c[3] * 8, *types = idx + c[3];
    size_t type = 0; /* before the first transition: the first type */
    size_t lo = 0, hi = c[3];
    while (lo < hi) { /* the last transition at or before t */
        size_t mid = lo + (hi - lo) / 2;
        if (i64(times + mid * 8) <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0)
        type = idx[lo - 1];
    if (type >= c[4])
        return -1;
    *off = (int32_t)u32(types + type * 6);
    return 0;
}

static int zone_offset(const char *zone, int64_t t, int32_t *off)
{
    if (!zone[0] || zone[0] == '/' || strstr(zone, ".."))
        return -1;
    char path[512];
    const char *dir = getenv("TZDIR");
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", zone);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char *img = malloc(TZIF_MAX);
    size_t n = img ? fread(img, 1, TZIF_MAX, f) : 0;
    fclose(f);
    int rc = img ? offset_at(img, n, t, off) : -1;
    free(img);
    return rc;
}

int32_t sim_tz_offset(const char *zone, int64_t t)
{
    int32_t off;
    return zone && zone_offset(zone, t, &off) == 0 ? off : 0;
}

int64_t sim_tz_local_to_utc(const char *zone, int64_t wall)
{
    int32_t off1, off2;
    if (!zone || zone_offset(zone, wall, &off1) != 0 ||
        zone_offset(zone, wall - off1, &off2) != 0)
        return wall; /* unknown zone or no tz database: read it as UTC */
    return wall - off2;
}
