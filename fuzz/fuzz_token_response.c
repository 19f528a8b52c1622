/* libFuzzer: zf_oauth_parse_token_response on untrusted token endpoint
 * answers. The first byte picks the grant and the HTTP status. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zoomflow/oauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long statuses[] = {200, 201, 400, 401, 403, 429, 500, 503};
    if (size < 1)
        return 0;
    zf_oauth_exchange ex = {(zf_oauth_grant)(data[0] % 3),
                            statuses[(data[0] >> 2) & 7],
                            1700000000,
                            "fuzz-client",
                            "http://127.0.0.1:1/cb",
                            NULL};
    zf_token_set set;
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_oauth_parse_token_response(&set, &ex, (const char *)data + 1, size - 1, &err);
    if (rc == 0) {
        if (zf_secret_empty(&set.access_token) || set.expires_at <= ex.now ||
            (set.api_url && strncmp(set.api_url, "http", 4) != 0))
            __builtin_trap();
        zf_token_set_free(&set);
    } else if (!err.message[0] || !zf_secret_empty(&set.access_token)) {
        __builtin_trap();
    }
    return 0;
}
