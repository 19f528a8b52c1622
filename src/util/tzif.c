/*
 * TZif reading (RFC 8536 §3): a 44-byte header, a data block of 32-bit
 * times, and from version 2 on a second header and block of 64-bit times,
 * which is the one read when present. Only transition times, their type
 * indices and the types' UT offsets are used; leap seconds, abbreviations
 * and the POSIX footer are skipped (past the last transition the last
 * offset holds, which is what the footer's rule gives up to the file's end
 * year).
 */
#include "tzif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/buf.h"

#define TZIF_HEADER 44
#define TZIF_MAX_TIMES 100000u /* far above any real zone (~250) */
#define TZIF_MAX_TYPES 256u    /* type indices are one byte */
#define TZIF_PATH_MAX 4096

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

/* The six counts of the header at p; false when p[0..n) holds no sane one. */
static int read_header(const unsigned char *p, size_t n, tzif_counts *c)
{
    if (n < TZIF_HEADER || memcmp(p, "TZif", 4) != 0)
        return 0;
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    return c->type != 0 && c->type <= TZIF_MAX_TYPES && c->time <= TZIF_MAX_TIMES;
}

/* Bytes of the data block after a header, with tsize-byte times. */
static size_t block_size(const tzif_counts *c, size_t tsize)
{
    return (size_t)c->time * (tsize + 1) + (size_t)c->type * 6 + c->chars +
           (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

static int64_t time_at(const unsigned char *times, size_t tsize, size_t i)
{
    return tsize == 8 ? be64(times + i * 8) : (int32_t)be32(times + i * 4);
}

int zf_tzif_offset_at(const unsigned char *img, size_t n, int64_t t, int32_t *off)
{
    tzif_counts c;
    if (!img || !read_header(img, n, &c))
        return ZF_EPARSE;
    size_t tsize = 4, at = TZIF_HEADER;
    if (img[4] >= '2') {
        at += block_size(&c, 4);
        if (at > n || !read_header(img + at, n - at, &c))
            return ZF_EPARSE;
        at += TZIF_HEADER;
        tsize = 8;
    }
    if (block_size(&c, tsize) > n - at)
        return ZF_EPARSE;
    const unsigned char *times = img + at, *idx = times + (size_t)c.time * tsize;
    const unsigned char *types = idx + c.time;
    size_t lo = 0, hi = c.time; /* -> the number of transitions at or before t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (time_at(times, tsize, mid) <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t type = lo > 0 ? idx[lo - 1] : 0;
    if (type >= c.type)
        return ZF_EPARSE;
    *off = (int32_t)be32(types + type * 6);
    return ZF_OK;
}

/* The zone's file, malloc'd into *img; the errors of zf_tzif_zone_offset. */
int zf_tzif_read_zone(const char *zone, unsigned char **img, size_t *n, zf_error *err)
{
    *img = NULL;
    *n = 0;
    if (!zone || !zone[0] || zone[0] == '/' || strstr(zone, ".."))
        return zf_error_set(err, ZF_EPATH, "\"%s\" is not a time zone name", zone ? zone : "");
    const char *dir = getenv("TZDIR");
    zf_buf path = ZF_BUF_INIT(TZIF_PATH_MAX);
    const char *base = dir && *dir ? dir : "/usr/share/zoneinfo";
    zf_buf_appendf(&path, "%s/%s", base, zone);
    FILE *f = path.failed ? NULL : fopen(path.ptr, "rb");
    int rc = ZF_OK;
    if (path.failed && strlen(base) + strlen(zone) + 2 <= TZIF_PATH_MAX) { /* it fitted */
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory reading a time zone");
        goto done;
    }
    if (!f) {
        rc = zf_error_set(err, ZF_ECONFIG, "cannot read the time zone database for %s", zone);
        zf_error_hint_id(err, ZF_HINT_INSTALL_TZDATA, NULL);
        goto done;
    }
    *img = malloc(ZF_TZIF_MAX_BYTES);
    if (!*img) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory reading a time zone");
        goto done;
    }
    *n = fread(*img, 1, ZF_TZIF_MAX_BYTES, f);
done:
    if (f)
        fclose(f);
    zf_buf_free(&path);
    return rc;
}

static int damaged(zf_error *err, const char *zone)
{
    return zf_error_set(err, ZF_EPARSE, "the time zone file for %s is damaged", zone);
}

int zf_tzif_zone_offset(const char *zone, int64_t t, int32_t *off, zf_error *err)
{
    unsigned char *img;
    size_t n;
    int rc = zf_tzif_read_zone(zone, &img, &n, err);
    if (rc == ZF_OK && zf_tzif_offset_at(img, n, t, off) != ZF_OK)
        rc = damaged(err, zone);
    free(img);
    return rc;
}

int zf_tzif_local_to_utc(const char *zone, int64_t wall, int64_t *out, zf_error *err)
{
    unsigned char *img;
    size_t n;
    int32_t off1, off2;
    int rc = zf_tzif_read_zone(zone, &img, &n, err);
    if (rc == ZF_OK && (zf_tzif_offset_at(img, n, wall, &off1) != ZF_OK ||
                        zf_tzif_offset_at(img, n, wall - off1, &off2) != ZF_OK))
        rc = damaged(err, zone);
    if (rc == ZF_OK)
        *out = wall - off2;
    free(img);
    return rc;
}
