/*
 * Time zone offsets from the system's TZif files (RFC 8536), shared by the
 * library's actions and zoomsim (util layer; not installed). Nothing here
 * reads or sets TZ or any other process-wide state, so any thread may call
 * it (setenv("TZ") races with every getenv, libcurl's included).
 *
 * Files are read from $TZDIR, else /usr/share/zoneinfo. Instants past the
 * file's last transition keep that transition's offset (Debian's files
 * list transitions up to 2037); instants before the first take the first
 * local time type. tests/unit/test_tzif.c checks the answers against the C
 * library's own reader, so the library and zoomsim cannot share a wrong one.
 */
#ifndef ZF_UTIL_TZIF_H
#define ZF_UTIL_TZIF_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/error.h"

/* The most of a zone file that is read (Debian's largest is under 4 KiB). */
#define ZF_TZIF_MAX_BYTES (256u << 10)

/* The UTC offset in seconds at the UTC instant t, from the TZif image
 * img[0..n): its 64-bit (version 2+) data block when it has one, else the
 * version 1 block. Pure: bytes in, no I/O. ZF_OK, or ZF_EPARSE when the
 * image is not TZif or is cut short. */
int zf_tzif_offset_at(const unsigned char *img, size_t n, int64_t t, int32_t *off);

/* The offset of the IANA zone (a file name below the zone directory) at
 * the UTC instant t. Errors, with a message naming the zone in err (may be
 * NULL): ZF_EPATH for a name that is empty or could leave the directory
 * (leading '/', ".."); ZF_ECONFIG when the file cannot be read (unknown
 * zone or no tz database; the hint says to install tzdata); ZF_ENOMEM;
 * ZF_EPARSE when the file is damaged. */
int zf_tzif_zone_offset(const char *zone, int64_t t, int32_t *off, zf_error *err);

/* The zone's file, malloc'd into *img (the caller frees it), for callers
 * that convert many instants with zf_tzif_offset_at. Errors as
 * zf_tzif_zone_offset. */
int zf_tzif_read_zone(const char *zone, unsigned char **img, size_t *n, zf_error *err);

/* Wall-clock time in the zone (read as if it were UTC) -> the UTC instant:
 * wall - offset(wall - offset(wall)), from one read of the file. A wall
 * time skipped by a forward shift or repeated by a backward one gets that
 * rule's answer. Errors as zf_tzif_zone_offset. */
int zf_tzif_local_to_utc(const char *zone, int64_t wall, int64_t *out, zf_error *err);

#endif
