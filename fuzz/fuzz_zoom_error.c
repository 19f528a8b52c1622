/*
 * Fuzzes the parsing of Zoom's answers: error mapping, the retry decision
 * and Retry-After. Input: 2 bytes of status selector, 1 byte of header
 * selector, then the body. Checks: a negative code, a NUL-terminated
 * message without control bytes, and no crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zoom_internal.h"

static const long STATUSES[] = {200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503};
static const char *const HEADERS[] = {
    "",
    "X-RateLimit-Type: Daily-limit\r\n",
    "Retry-After: 3\r\nX-RateLimit-Type: QPS\r\n",
    "Retry-After: 2030-01-01T00:00:00Z\r\n",
    "Retry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\n",
    "X-RateLimit-Category: Heavy\r\nX-RateLimit-Limit: 0\r\nX-RateLimit-Remaining: 0\r\n"};

static void check_text(const char *s, size_t cap)
{
    if (!memchr(s, '\0', cap))
        abort();
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    long status = STATUSES[data[0] % (sizeof STATUSES / sizeof STATUSES[0])];
    const char *headers = HEADERS[data[1] % (sizeof HEADERS / sizeof HEADERS[0])];
    zf_zoom_kind kind = (zf_zoom_kind)(data[2] % 3);
    const char *body = (const char *)data + 3;
    size_t len = size - 3;
    zf_error err = ZF_ERROR_INIT;
    if (status >= 300) {
        int rc = zf_zoom__map_error(status, headers, body, len, 2, 1764374400, &err);
        if (rc >= 0 || rc != err.code)
            abort();
        check_text(err.message, sizeof err.message);
    }
    zf_zoom_retry pol = ZF_ZOOM_RETRY_INIT;
    zf_zoom_outcome o = {0, NULL, 1, status, headers, body, len, data[1] & 1};
    zf_zoom_attempt a = {1 + data[2] % 5, 0, 1764374400, 99, data[2] & 8};
    zf_zoom_decision d;
    zf_error e2 = ZF_ERROR_INIT;
    zf_zoom__decide(&pol, kind, &o, &a, &d, &e2);
    if (d.action == ZF_ZOOM_FAIL && e2.code >= 0)
        abort();
    if (d.action == ZF_ZOOM_RETRY && (d.delay_ms < 0 || d.delay_ms > pol.budget_ms))
        abort();
    char *s = malloc(len + 1);
    memcpy(s, body, len);
    s[len] = '\0';
    int64_t at;
    zf_zoom__parse_retry_after(s, 1764374400, &at);
    free(s);
    return 0;
}
