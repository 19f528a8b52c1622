/*
 * Local wall-clock time in an IANA zone -> UTC for zoomsim, from the
 * system's TZif files through util's reader (tzif.h), so no thread ever
 * switches the process-wide TZ variable. Where Zoom would know the zone
 * and this machine does not (no such file, no tz database), the time is
 * read as UTC.
 */
#include "sim.h"
#include "tzif.h"

int32_t sim_tz_offset(const char *zone, int64_t t)
{
    int32_t off;
    return zf_tzif_zone_offset(zone, t, &off, NULL) == ZF_OK ? off : 0;
}

int64_t sim_tz_local_to_utc(const char *zone, int64_t wall)
{
    int64_t utc;
    return zf_tzif_local_to_utc(zone, wall, &utc, NULL) == ZF_OK ? utc : wall;
}
