/*
 * Secrets (secret.h).
 *
 * Guarantees: a zf_secret's bytes are wiped (OPENSSL_cleanse) before their
 * memory is released or replaced, and zf_secret_eq takes the same time for
 * every value of a given length.
 */
#include "zoomflow/secret.h"

#include "zoomflow/error.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

int zf_secret_set(zf_secret *s, const char *v, size_t len)
{
    char *p = malloc(len + 1);
    if (!p)
        return ZF_ENOMEM;
    if (len)
        memcpy(p, v, len);
    p[len] = '\0';
    zf_secret_free(s);
    s->ptr = p;
    s->len = len;
    return 0;
}

int zf_secret_copy(zf_secret *dst, const zf_secret *src)
{
    if (!src || !src->ptr) {
        zf_secret_free(dst);
        return 0;
    }
    return zf_secret_set(dst, src->ptr, src->len);
}

void zf_secret_free(zf_secret *s)
{
    if (!s)
        return;
    if (s->ptr) {
        OPENSSL_cleanse(s->ptr, s->len + 1);
        free(s->ptr);
    }
    s->ptr = NULL;
    s->len = 0;
}

int zf_secret_eq(const zf_secret *s, const char *v, size_t len)
{
    size_t have = s ? s->len : 0;
    if (have != len)
        return 0;
    if (len == 0)
        return 1;
    return CRYPTO_memcmp(s->ptr, v, len) == 0;
}

int zf_secret_empty(const zf_secret *s)
{
    return !s || !s->ptr || s->len == 0;
}

const char *zf_secret_reveal(const zf_secret *s)
{
    return s && s->ptr ? s->ptr : "";
}
