/* Civil (proleptic Gregorian) dates as day counts (util layer; not
 * installed). Shared by the library's and zoomsim's time parsers. */
#ifndef ZF_UTIL_CIVIL_H
#define ZF_UTIL_CIVIL_H

#include <stdint.h>

/* Days from 1970-01-01 to y-m-d (m 1..12, d 1..31, not range-checked:
 * callers validate), negative before the epoch. */
int64_t zf_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The inverse: days from 1970-01-01 -> y-m-d. */
void zf_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
