/* libFuzzer: zf_oauth_token_claims on untrusted access tokens (Zoom's are
 * JWTs carrying the account id in "aid"). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/oauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An id handed out must be 1..ZF_OAUTH_ID_MAX of [A-Za-z0-9_-]. */
static void check_id(const char *id)
{
    static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    if (!id)
        return;
    size_t n = strlen(id);
    if (n == 0 || n > ZF_OAUTH_ID_MAX || strspn(id, ok) != n)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *aid = NULL, *uid = NULL;
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_oauth_token_claims(&aid, &uid, (const char *)data, size, &err);
    if (rc == 0) {
        check_id(aid);
        check_id(uid);
    } else if (aid || uid || !err.message[0]) {
        __builtin_trap();
    }
    free(aid);
    free(uid);
    return 0;
}
