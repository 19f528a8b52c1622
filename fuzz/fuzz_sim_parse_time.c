/*
 * sim_parse_time on arbitrary bytes (query and body date-times such as
 * start_time, from, to). Besides memory safety it checks that an accepted
 * time survives sim_fmt_time -> sim_parse_time unchanged whenever the
 * formatted form is the canonical 20-character yyyy-MM-ddTHH:mm:ssZ (years
 * outside 0000-9999 after applying the zone print differently).
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t t = 0, back = 0;
    int zone = -1, zone2 = -1;
    if (sim_parse_time(s, &t, &zone) == 0) {
        if (zone != 0 && zone != 1)
            abort();
        char iso[32];
        sim_fmt_time(iso, t);
        if (strlen(iso) == 20) {
            if (sim_parse_time(iso, &back, &zone2) != 0 || back != t || zone2 != 1)
                abort();
        }
    }
    free(s);
    return 0;
}
