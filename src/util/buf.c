/*
 * zf_buf: growable, capped, always NUL-terminated. See buf.h for the
 * invariants. Growth doubles, so appends are amortised O(1).
 */
#include "zoomflow/buf.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/error.h"

void zf_buf_init(zf_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->failed = 0;
}

static int grow(zf_buf *b, size_t need)
{
    if (b->failed)
        return ZF_ENOMEM;
    if (need > b->max || need + 1 < need) {
        b->failed = 1;
        return ZF_ENOMEM;
    }
    if (need + 1 <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need + 1)
        ncap *= 2;
    char *p = realloc(b->ptr, ncap);
    if (!p) {
        b->failed = 1;
        return ZF_ENOMEM;
    }
    b->ptr = p;
    b->cap = ncap;
    return 0;
}

int zf_buf_append(zf_buf *b, const void *data, size_t len)
{
    if (grow(b, b->len + len) != 0)
        return ZF_ENOMEM;
    if (len)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return 0;
}

int zf_buf_fit(zf_buf *b, size_t total)
{
    if (b->failed || total > b->max || total + 1 < total) {
        b->failed = 1;
        return ZF_ENOMEM;
    }
    if (total + 1 <= b->cap)
        return 0;
    char *p = realloc(b->ptr, total + 1);
    if (!p) {
        b->failed = 1;
        return ZF_ENOMEM;
    }
    if (!b->ptr)
        p[0] = '\0';
    b->ptr = p;
    b->cap = total + 1;
    return 0;
}

int zf_buf_reserve(zf_buf *b, size_t extra)
{
    if (b->len + extra < b->len) {
        b->failed = 1;
        return ZF_ENOMEM;
    }
    return grow(b, b->len + extra);
}

int zf_buf_puts(zf_buf *b, const char *s)
{
    return zf_buf_append(b, s, strlen(s));
}

int zf_buf_putc(zf_buf *b, char c)
{
    return zf_buf_append(b, &c, 1);
}

int zf_buf_vappendf(zf_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, cp);
    va_end(cp);
    if (n < 0) {
        b->failed = 1;
        return ZF_ENOMEM;
    }
    if ((size_t)n < sizeof small)
        return zf_buf_append(b, small, (size_t)n);
    if (grow(b, b->len + (size_t)n) != 0)
        return ZF_ENOMEM;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int zf_buf_appendf(zf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = zf_buf_vappendf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int zf_buf_put_urlenc(zf_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            zf_buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            zf_buf_append(b, e, 3);
        }
    }
    return b->failed ? ZF_ENOMEM : 0;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one
 * (bad lead byte, missing continuation, overlong form, surrogate, > U+10FFFF). */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned char c = p[0];
    size_t n;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0; /* also stops at the terminating NUL */
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Always valid JSON: control characters escaped, invalid UTF-8 replaced by
 * U+FFFD, so bytes from anywhere (paths, methods, user input) can be echoed. */
int zf_buf_put_jsonstr(zf_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    zf_buf_putc(b, '"');
    const unsigned char *run = (const unsigned char *)s, *p = run;
    while (*p) {
        unsigned char c = *p;
        size_t n = c >= 0x80 ? utf8_seq(p) : 1;
        if (c >= 0x80 ? n > 0 : (c >= 0x20 && c != '"' && c != '\\')) {
            p += n;
            continue;
        }
        zf_buf_append(b, run, (size_t)(p - run));
        switch (c) {
        case '"':
            zf_buf_append(b, "\\\"", 2);
            break;
        case '\\':
            zf_buf_append(b, "\\\\", 2);
            break;
        case '\n':
            zf_buf_append(b, "\\n", 2);
            break;
        case '\r':
            zf_buf_append(b, "\\r", 2);
            break;
        case '\t':
            zf_buf_append(b, "\\t", 2);
            break;
        default:
            if (c >= 0x80) {
                zf_buf_append(b, "\\ufffd", 6);
            } else {
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                zf_buf_append(b, e, 6);
            }
        }
        p++;
        run = p;
    }
    zf_buf_append(b, run, (size_t)(p - run));
    zf_buf_putc(b, '"');
    return b->failed ? ZF_ENOMEM : 0;
}

void zf_buf_reset(zf_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

char *zf_buf_take(zf_buf *b)
{
    if (b->failed)
        return NULL;
    char *p = b->ptr;
    if (!p) {
        p = malloc(1);
        if (p)
            p[0] = '\0';
    }
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}

void zf_buf_free(zf_buf *b)
{
    if (b->ptr) {
        OPENSSL_cleanse(b->ptr, b->cap);
        free(b->ptr);
    }
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

const char *zf_buf_cstr(const zf_buf *b)
{
    return b->ptr ? b->ptr : "";
}
