/*
 * The Idempotency-Key header's check and the request hash
 * (zoomflow/idempotency.h) on any bytes. Beyond "no crash, no hang":
 *   - zf_idem_check_key accepts exactly 1 to ZF_IDEM_KEY_MAX bytes of
 *     printable ASCII without spaces (a NUL ends the key, as in a C string);
 *   - when the bytes are a JSON value, its request hash is 64 hex digits
 *     and the same for the value re-read from its own compact, key-sorted
 *     text (a request written in another order is the same request), and
 *     differs from the hash of the same value under another action name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/idempotency.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int key_ok(const uint8_t *d, size_t n)
{
    if (n == 0 || n > ZF_IDEM_KEY_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] <= 0x20 || d[i] >= 0x7f)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    size_t n = strlen(s); /* what a C caller sees */
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_idem_check_key(s, &err);
    if ((rc == 0) != key_ok((const uint8_t *)s, n) || (rc != 0 && rc != ZF_EVALIDATION))
        abort();
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (v) {
        char a[65], b[65], c[65];
        char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        json_t *again = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
        if (again && (zf_idem_request_hash(a, "create_meeting", v, &err) != 0 ||
                      zf_idem_request_hash(b, "create_meeting", again, &err) != 0 ||
                      zf_idem_request_hash(c, "create_user", v, &err) != 0 || strlen(a) != 64 ||
                      strcmp(a, b) != 0 || strcmp(a, c) == 0))
            abort();
        json_decref(again);
        free(text);
        json_decref(v);
    }
    free(s);
    return 0;
}
