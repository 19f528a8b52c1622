/*
 * Secrets: zf_secret holds a token, client secret, PKCE verifier or webhook
 * secret: zeroed when freed, compared in constant time, and never printed
 * (log.h has no way to format one).
 */
#ifndef ZOOMFLOW_SECRET_H
#define ZOOMFLOW_SECRET_H

#include <stddef.h>

#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

typedef struct zf_secret {
    char *ptr; /* NUL-terminated; NULL when empty */
    size_t len;
} zf_secret;

#define ZF_SECRET_INIT                                                                             \
    {                                                                                              \
        NULL, 0                                                                                    \
    }

/* Copies len bytes of v (replacing any old value, which is wiped). */
int zf_secret_set(zf_secret *s, const char *v, size_t len);
int zf_secret_copy(zf_secret *dst, const zf_secret *src);
/* Wipes and frees; the secret is empty afterwards. NULL-safe. */
void zf_secret_free(zf_secret *s);
/* Constant-time equality with v (length is not secret). */
int zf_secret_eq(const zf_secret *s, const char *v, size_t len);
int zf_secret_empty(const zf_secret *s);
/* The plaintext, for the few places that must send it (HTTP layer,
 * encryption). "" when empty. */
const char *zf_secret_reveal(const zf_secret *s);

ZF_PUBLIC_END

#endif
