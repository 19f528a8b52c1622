/* Hex digits, percent escapes, header lookup and bounded numbers (text.h). */
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

int zf_parse_u64_prefix(const char *s, const char **end, uint64_t max, uint64_t *out)
{
    const char *p = s;
    uint64_t v = 0;
    int over = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            over = 1;
        else
            v = v * 10 + d;
    }
    if (end)
        *end = p;
    if (p == s || over || v > max)
        return -1;
    *out = v;
    return 0;
}

int zf_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    const char *end;
    uint64_t v;
    if (!s || zf_parse_u64_prefix(s, &end, max, &v) < 0 || *end)
        return -1;
    *out = v;
    return 0;
}

int zf_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || min > max)
        return -1;
    int neg = s[0] == '-' && min < 0;
    uint64_t mag;
    /* the magnitude of INT64_MIN is INT64_MAX + 1 */
    uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (max < 0 ? 0 : (uint64_t)max);
    if (zf_parse_u64(s + neg, lim, &mag) < 0)
        return -1;
    int64_t v = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}
