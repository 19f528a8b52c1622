/*
 * zf_buf: the one growable byte buffer.
 *
 * Invariants: ptr is NULL or NUL-terminated at ptr[len]; len never exceeds
 * max (the cap given at init, a named constant at each use). A failed append
 * (cap reached or allocation failure) sets `failed`, leaves the contents as
 * they were, and makes every later append a no-op: callers check once, at
 * the end. The int-returning functions return 0, or ZF_ENOMEM once the
 * buffer has failed (the cap is a memory bound, so both causes are the one
 * code).
 */
#ifndef ZOOMFLOW_BUF_H
#define ZOOMFLOW_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

typedef struct zf_buf {
    char *ptr;
    size_t len;
    size_t cap;
    size_t max;
    int failed;
} zf_buf;

#define ZF_BUF_INIT(maxbytes)                                                                      \
    {                                                                                              \
        NULL, 0, 0, (maxbytes), 0                                                                  \
    }

void zf_buf_init(zf_buf *b, size_t max);
int zf_buf_append(zf_buf *b, const void *data, size_t len);
int zf_buf_puts(zf_buf *b, const char *s);
int zf_buf_putc(zf_buf *b, char c);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int zf_buf_appendf(zf_buf *b, const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
int zf_buf_vappendf(zf_buf *b, const char *fmt, va_list ap);
/* Appends s percent-encoded (RFC 3986 unreserved characters kept). */
int zf_buf_put_urlenc(zf_buf *b, const char *s);
/* Appends s as a JSON string literal, quotes included. */
int zf_buf_put_jsonstr(zf_buf *b, const char *s);
/* Makes room for `extra` more bytes past len (plus the NUL), for callers
 * that write in place at ptr + len and then raise len themselves (keeping
 * ptr[len] == '\0'). 0, or ZF_ENOMEM with `failed` set (cap or memory). */
int zf_buf_reserve(zf_buf *b, size_t extra);
void zf_buf_reset(zf_buf *b);
/* Room for total bytes (plus the NUL) in one allocation of exactly that
 * size when it must grow (no doubling: for a size known in advance, such
 * as a body's Content-Length). 0, or ZF_ENOMEM (past max: b->failed). */
int zf_buf_fit(zf_buf *b, size_t total);
/* Hands the contents to the caller (free()) and resets the buffer; never
 * NULL unless the buffer failed. */
char *zf_buf_take(zf_buf *b);
/* Zeroes the contents (they may be secret) and frees them. */
void zf_buf_free(zf_buf *b);
const char *zf_buf_cstr(const zf_buf *b);

ZF_PUBLIC_END

#endif
