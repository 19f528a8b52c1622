/* libFuzzer: zf_log_redact on arbitrary text. Checks its promises: it never
 * grows the text, redacting its own output changes nothing, and no byte sequence makes it read or
 * write out of bounds (ASan). */
#include "zoomflow/log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    size_t before = strlen(s);
    zf_log_redact(s);
    if (strlen(s) > before)
        abort();
    /* redaction is a fixed point: scrubbed text has nothing left to scrub */
    char *again = strdup(s);
    if (again) {
        zf_log_redact(again);
        if (strcmp(again, s) != 0)
            abort();
        free(again);
    }
    free(s);
    return 0;
}
