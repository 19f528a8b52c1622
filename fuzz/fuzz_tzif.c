/* libFuzzer: util's TZif reader (src/util/tzif.h) on arbitrary bytes, the
 * zone files the library's actions and zoomsim both read. Properties: the
 * answer is ZF_OK or ZF_EPARSE and nothing is read past the image (ASan);
 * the reader looks only at the headers and data blocks, so bytes appended
 * after an image (a longer footer) never change its answers. */
#include "tzif.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int64_t instants[] = {INT64_MIN, -2208988800, -1, 0, 1919289600, INT64_MAX};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > ZF_TZIF_MAX_BYTES)
        return 0;
    unsigned char *longer = malloc(size + 16);
    if (!longer)
        return 0;
    memcpy(longer, data, size);
    memset(longer + size, 0xA5, 16);
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
        int32_t off = 0, off2 = 0;
        int rc = zf_tzif_offset_at(data, size, instants[i], &off);
        if (rc != ZF_OK && rc != ZF_EPARSE)
            abort();
        if (rc == ZF_OK &&
            (zf_tzif_offset_at(longer, size + 16, instants[i], &off2) != ZF_OK || off2 != off))
            abort();
    }
    free(longer);
    return 0;
}
