/* libFuzzer: the OAuth loopback callback on untrusted bytes, twice over:
 * zf_oauth_parse_callback reads them as a callback query, and
 * zf_oauth_loopback_decide as what a connection sent the listener (at EOF
 * and not). The corpus holds both queries and whole HTTP requests. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/oauth_loopback.h"
#include "zoomflow/oauth.h"

#define STATE "fuzz-state"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_query(const char *q, size_t n)
{
    zf_oauth_callback cb;
    zf_error err = ZF_ERROR_INIT;
    if (zf_oauth_parse_callback(&cb, q, n, &err) == 0) {
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
}

/* FINISH hands over a query of this attempt: parseable, with its state. */
static void check_finish(const zf_oauth_loopback_verdict *v, const char *buf, size_t size)
{
    zf_oauth_callback cb;
    zf_error err = ZF_ERROR_INIT;
    if (v->query < buf || v->query_len > size || v->query + v->query_len > buf + size)
        __builtin_trap();
    if (zf_oauth_parse_callback(&cb, v->query, v->query_len, &err) != 0)
        __builtin_trap();
    if (!cb.state || strcmp(cb.state, STATE) != 0 || (!cb.error && zf_secret_empty(&cb.code)))
        __builtin_trap();
    zf_oauth_callback_free(&cb);
}

static void check_request(const char *buf, size_t size, int eof)
{
    static const zf_oauth_loopback_expect ex = {"127.0.0.1:8000", "/callback", STATE};
    zf_oauth_loopback_verdict v;
    zf_oauth_loopback_decide(&v, buf, size, eof, &ex);
    switch (v.outcome) {
    case ZF_LOOPBACK_MORE:
        /* more bytes can only help while the head may still fit */
        if (eof || size > ZF_LOOPBACK_HEAD_MAX)
            __builtin_trap();
        break;
    case ZF_LOOPBACK_REFUSE:
        if (!v.reason || !v.reason[0] ||
            strcmp(zf_oauth_loopback_status_text(v.status), "Error") == 0 || v.status < 400)
            __builtin_trap();
        break;
    case ZF_LOOPBACK_FINISH:
        check_finish(&v, buf, size);
        break;
    default:
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy: reading past the bytes is caught by ASan */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    check_query(buf, size);
    check_request(buf, size, 0);
    check_request(buf, size, 1);
    free(buf);
    return 0;
}
