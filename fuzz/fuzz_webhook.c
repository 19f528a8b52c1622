/* libFuzzer: a Zoom webhook delivery on untrusted bytes. The input is
 * "SIGNATURE\nTIMESTAMP\nBODY"; the target checks:
 *  - zf_webhook_verify never accepts a signature it did not make for these
 *    bytes and always says why it refused (a refusal and a message);
 *  - the body signed here with the same secret verifies (when the
 *    timestamp is one), and one flipped body byte then fails;
 *  - zf_webhook_decode either fails saying why, or gives an envelope whose
 *    fields hold the rules (a name, an id of 68 characters for an event,
 *    a plainToken for url_validation, a client id and no object for
 *    app_deauthorized), and decoding again gives the same
 *    id: the id depends on the bytes alone. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/webhook.h"

#define NOW 1785368934

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *line(const char **p, const char *end, char *out, size_t cap)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return NULL;
    size_t n = (size_t)(nl - *p);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p = nl + 1;
    return out;
}

static void check_verify(const zf_secret *k, const char *sig, const char *ts, const char *body,
                         size_t len)
{
    zf_webhook_request rq = {sig, ts, NULL, NULL, body, len};
    zf_webhook_refusal why = ZF_WEBHOOK_MALFORMED;
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_webhook_verify(&rq, k, NOW, &why, &err);
    if (rc == 0) {
        char want[68];
        zf_webhook_sign(k, ts, body, len, want);
        if (why != ZF_WEBHOOK_OK || strcmp(want, sig) != 0)
            __builtin_trap(); /* accepted what it would not have signed */
    } else if (rc != ZF_EAUTH || !err.message[0] ||
               (why != ZF_WEBHOOK_SIGNATURE && why != ZF_WEBHOOK_TIMESTAMP)) {
        __builtin_trap();
    }
}

static void check_signed(const zf_secret *k, const char *ts, char *body, size_t len)
{
    char sig[68];
    zf_webhook_sign(k, ts, body, len, sig);
    zf_webhook_request rq = {sig, ts, NULL, NULL, body, len};
    zf_webhook_refusal why = ZF_WEBHOOK_OK;
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_webhook_verify(&rq, k, NOW, &why, &err);
    if (rc != 0 && why != ZF_WEBHOOK_TIMESTAMP)
        __builtin_trap(); /* its own signature refused */
    if (rc != 0 || len == 0)
        return;
    body[len / 2] ^= 0x20;
    if (zf_webhook_verify(&rq, k, NOW, &why, &err) != ZF_EAUTH || why != ZF_WEBHOOK_SIGNATURE)
        __builtin_trap(); /* an altered body passed */
    body[len / 2] ^= 0x20;
}

static void check_decode(const char *body, size_t len)
{
    zf_webhook_event ev, again;
    zf_error err = ZF_ERROR_INIT;
    if (zf_webhook_decode(&ev, body, len, &err) != 0) {
        if (!err.message[0] || ev.name)
            __builtin_trap();
        return;
    }
    if (!ev.name || !ev.name[0] || ev.event_ts < 0)
        __builtin_trap();
    if (ev.is_validation
            ? (!ev.plain_token || ev.id[0])
            : (!ev.account_id || strlen(ev.id) != ZF_WEBHOOK_ID_LEN ||
               (ev.is_deauthorization ? (!ev.client_id || ev.object ||
                                         strcmp(ev.name, ZF_WEBHOOK_DEAUTHORIZED_EVENT) != 0)
                                      : (!json_is_object(ev.object) || ev.client_id))))
        __builtin_trap();
    if (zf_webhook_decode(&again, body, len, &err) != 0 || strcmp(again.id, ev.id) != 0)
        __builtin_trap();
    zf_webhook_event_free(&again);
    zf_webhook_event_free(&ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1); /* exact size: ASan sees any overread */
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    const char *p = buf, *end = buf + size;
    char sig[128], ts[64];
    zf_secret k = ZF_SECRET_INIT;
    zf_secret_set(&k, "fuzz-secret", 11);
    if (line(&p, end, sig, sizeof sig) && line(&p, end, ts, sizeof ts)) {
        size_t len = (size_t)(end - p);
        char *body = malloc(len ? len : 1);
        if (body) {
            memcpy(body, p, len);
            check_verify(&k, sig, ts, body, len);
            check_signed(&k, ts, body, len);
            check_decode(body, len);
            free(body);
        }
    } else {
        check_decode(buf, size);
    }
    zf_secret_free(&k);
    free(buf);
    return 0;
}
