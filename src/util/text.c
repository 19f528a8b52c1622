/* Hex digits, percent escapes and header lookup (text.h). */
#include "text.h"

#include <string.h>
#include <strings.h>

int zf_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int zf_pct_byte(const char *s, size_t n)
{
    if (n < 3 || s[0] != '%')
        return -1;
    int hi = zf_hexval((unsigned char)s[1]), lo = zf_hexval((unsigned char)s[2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

const char *zf_header_find(const char *headers, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    for (const char *p = headers ? headers : ""; *p;) {
        const char *eol = strchr(p, '\n');
        size_t llen = eol ? (size_t)(eol - p) : strlen(p);
        if (llen > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
            const char *v = p + nlen + 1, *e = p + llen;
            while (v < e && (*v == ' ' || *v == '\t'))
                v++;
            while (e > v && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if (outlen) {
                size_t vlen = (size_t)(e - v) < outlen ? (size_t)(e - v) : outlen - 1;
                memcpy(out, v, vlen);
                out[vlen] = '\0';
            }
            return out;
        }
        p += llen + (eol ? 1 : 0);
    }
    return NULL;
}
