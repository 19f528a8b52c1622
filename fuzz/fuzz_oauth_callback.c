/* libFuzzer: zf_oauth_parse_callback on untrusted callback queries. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zoomflow/oauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zf_oauth_callback cb;
    zf_error err = ZF_ERROR_INIT;
    if (zf_oauth_parse_callback(&cb, (const char *)data, size, &err) == 0) {
        /* every field is a NUL-terminated string without control bytes */
        const char *f[] = {cb.state, cb.error, cb.error_description, cb.code.ptr};
        for (size_t i = 0; i < 4; i++)
            for (const char *p = f[i]; p && *p; p++)
                if ((unsigned char)*p < 0x20)
                    __builtin_trap();
        zf_oauth_callback_free(&cb);
    } else if (!err.message[0]) {
        __builtin_trap(); /* a failure always says what is wrong */
    }
    return 0;
}
