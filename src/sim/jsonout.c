/*
 * JSON text as JavaScript's JSON.stringify(JSON.parse(text)) writes it.
 *
 * Why: receivers built on Zoom's own Node SDK (@zoom/rivet) check
 * x-zm-signature over JSON.stringify of the parsed body, not over the raw
 * bytes, so a webhook body must be its own JSON.stringify image or the
 * signature fails there. jansson differs in three places: reals are written
 * with 17 significant digits (0.1 -> 0.10000000000000001) and integral reals
 * keep ".0"; control characters are escaped as \u00XX with upper-case hex;
 * and keys that look like array indexes keep insertion order, where
 * JavaScript puts them first in ascending order. Here:
 *  - reals: the shortest digits that read back as the same double, laid
 *    out as ECMAScript's Number::toString does (1e21 -> "1e+21", 1e-7 ->
 *    "1e-7", 5.0 -> "5", -0 -> "0");
 *  - strings: only '"', '\\' and characters below 0x20 are escaped
 *    (\b \f \n \r \t, else \u00xx lower-case), everything else as is;
 *  - objects: array-index keys ("0".."4294967294" in canonical form)
 *    first, ascending, then the rest in insertion order;
 *  - no whitespace.
 * The emulator's API answers use it too, so every decimal it writes is the
 * shortest round-trip form.
 */
#include "sim.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest round-trip digits of finite d > 0: digits (no dot) and the
 * decimal exponent n such that d = 0.DIGITS x 10^n. */
static int shortest_digits(double d, char digits[24], int *n)
{
    char tmp[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d || p == 17)
            break;
    }
    /* tmp: D[.DDD]e[+-]XX */
    int k = 0;
    const char *c = tmp;
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            digits[k++] = *c;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    /* printf's exponent: a sign and two or three digits */
    int neg = c[0] == 'e' && c[1] == '-';
    uint64_t e = 0;
    if (c[0] == 'e')
        (void)zf_parse_u64(c + 2, 999, &e);
    *n = (neg ? -(int)e : (int)e) + 1;
    return k;
}

void sim_json_number(zf_buf *b, double d)
{
    if (d == 0 || d != d || d - d != 0) { /* 0, -0; NaN/Inf never reach here */
        zf_buf_putc(b, '0');
        return;
    }
    if (d < 0) {
        zf_buf_putc(b, '-');
        d = -d;
    }
    char dg[24];
    int n, k = shortest_digits(d, dg, &n);
    if (k <= n && n <= 21) {
        zf_buf_append(b, dg, (size_t)k);
        for (int i = k; i < n; i++)
            zf_buf_putc(b, '0');
    } else if (0 < n && n <= 21) {
        zf_buf_append(b, dg, (size_t)n);
        zf_buf_putc(b, '.');
        zf_buf_append(b, dg + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        zf_buf_puts(b, "0.");
        for (int i = 0; i < -n; i++)
            zf_buf_putc(b, '0');
        zf_buf_append(b, dg, (size_t)k);
    } else {
        zf_buf_putc(b, dg[0]);
        if (k > 1) {
            zf_buf_putc(b, '.');
            zf_buf_append(b, dg + 1, (size_t)(k - 1));
        }
        zf_buf_appendf(b, "e%c%d", n - 1 < 0 ? '-' : '+', n - 1 < 0 ? 1 - n : n - 1);
    }
}

static void put_string(zf_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    zf_buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        zf_buf_append(b, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
        }
        zf_buf_puts(b, esc);
    }
    zf_buf_append(b, s + run, len - run);
    zf_buf_putc(b, '"');
}

/* An array index as ECMAScript defines one: canonical decimal below
 * 2^32 - 1. *out is its value. */
static bool index_key(const char *k, unsigned long long *out)
{
    size_t n = strlen(k);
    if (n == 0 || n > 10 || (n > 1 && k[0] == '0'))
        return false;
    unsigned long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (k[i] < '0' || k[i] > '9')
            return false;
        v = v * 10 + (unsigned)(k[i] - '0');
    }
    *out = v;
    return v < 4294967295ull;
}

typedef struct ikey {
    unsigned long long v;
    const char *k;
} ikey;

static int ikey_cmp(const void *a, const void *b)
{
    const ikey *x = a, *y = b;
    return x->v < y->v ? -1 : x->v > y->v;
}

static int put_value(zf_buf *b, const json_t *j, int depth);

static int put_member(zf_buf *b, const char *k, const json_t *v, int *first, int depth)
{
    if (!*first)
        zf_buf_putc(b, ',');
    *first = 0;
    put_string(b, k, strlen(k));
    zf_buf_putc(b, ':');
    return put_value(b, v, depth);
}

static int put_object(zf_buf *b, const json_t *j, int depth)
{
    const char *k;
    json_t *v;
    size_t nidx = 0;
    unsigned long long iv;
    json_object_foreach ((json_t *)j, k, v)
        nidx += index_key(k, &iv);
    ikey *idx = NULL;
    if (nidx && !(idx = malloc(nidx * sizeof *idx)))
        return ZF_ENOMEM;
    size_t i = 0;
    json_object_foreach ((json_t *)j, k, v)
        if (index_key(k, &iv))
            idx[i++] = (ikey){iv, k};
    if (nidx)
        qsort(idx, nidx, sizeof *idx, ikey_cmp);
    int first = 1, rc = 0;
    zf_buf_putc(b, '{');
    for (i = 0; i < nidx && rc == 0; i++)
        rc = put_member(b, idx[i].k, json_object_get(j, idx[i].k), &first, depth);
    json_object_foreach ((json_t *)j, k, v) {
        if (rc != 0)
            break;
        if (!index_key(k, &iv))
            rc = put_member(b, k, v, &first, depth);
    }
    zf_buf_putc(b, '}');
    free(idx);
    return rc;
}

static int put_value(zf_buf *b, const json_t *j, int depth)
{
    if (depth > 2048)
        return ZF_EVALIDATION; /* jansson's own parse depth limit is lower */
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return put_object(b, j, depth + 1);
    case JSON_ARRAY: {
        zf_buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i)
                zf_buf_putc(b, ',');
            int rc = put_value(b, json_array_get(j, i), depth + 1);
            if (rc != 0)
                return rc;
        }
        zf_buf_putc(b, ']');
        return 0;
    }
    case JSON_STRING:
        put_string(b, json_string_value(j), json_string_length(j));
        return 0;
    case JSON_INTEGER:
        zf_buf_appendf(b, "%lld", (long long)json_integer_value(j));
        return 0;
    case JSON_REAL:
        sim_json_number(b, json_real_value(j));
        return 0;
    case JSON_TRUE:
        zf_buf_puts(b, "true");
        return 0;
    case JSON_FALSE:
        zf_buf_puts(b, "false");
        return 0;
    default:
        zf_buf_puts(b, "null");
        return 0;
    }
}

int sim_json_write(zf_buf *b, const json_t *j)
{
    size_t before = b->len;
    int rc = j ? put_value(b, j, 0) : ZF_EVALIDATION;
    if (rc == 0 && b->failed)
        rc = ZF_ENOMEM;
    if (rc != 0 && b->ptr && !b->failed) {
        b->len = before;
        b->ptr[before] = '\0';
    }
    return rc;
}

char *sim_json_text(const json_t *j)
{
    zf_buf b = ZF_BUF_INIT(SIM_MAX_RESP);
    if (sim_json_write(&b, j) != 0) {
        zf_buf_free(&b);
        return NULL;
    }
    return zf_buf_take(&b);
}
