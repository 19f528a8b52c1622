/*
 * The strict, allocation-free JSON scanner (json_scan.h).
 *
 * Validation is one forward pass without recursion: the kind of each open
 * container is one bit of a fixed stack of ZF_JSON_SCAN_MAX_DEPTH bits, so
 * hostile nesting costs neither stack nor heap. The walkers skip values
 * already known to be valid by counting brackets outside strings.
 */
#include "json_scan.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#define IS_WS(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')
#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')

/* 1 for bytes a string can hold as they are: printable ASCII but '"' and
 * '\\' (control bytes, quotes, backslashes and UTF-8 stop the fast loop). */
static const unsigned char plain[256] = {
#define R8(x) x, x, x, x, x, x, x, x
    R8(0), R8(0), R8(0), R8(0),                                                  /* 0x00-0x1F */
    1,     1,     0,     1,     1,     1,     1,     1,     R8(1), R8(1), R8(1), /* 0x20-0x3F: '"'
                                                                                  */
    R8(1), R8(1), R8(1), 1,     1,     1,     1,     0,     1,     1,     1, /* 0x40-0x5F: '\\' */
    R8(1), R8(1), R8(1), R8(1),                                              /* 0x60-0x7F */
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
    R8(0), R8(0), R8(0), R8(0)
#undef R8
};

/* 1 for bytes skip_value must look at inside a container: quotes and
 * brackets. */
static const unsigned char special[256] = {
    ['"'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1,
};

/* Word-at-a-time tests over 8 bytes (loaded with memcpy: any alignment,
 * host byte order; only "is there such a byte" is asked, so order does not
 * matter). ONES * b repeats byte b. */
#define ONES ((uint64_t)0x0101010101010101ull)
#define HIGHS ((uint64_t)0x8080808080808080ull)

static uint64_t load8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* Nonzero when some byte of w is zero. Exact as a yes/no answer (a borrow
 * can only mark bytes above a byte that really is zero). */
static uint64_t has_zero(uint64_t w)
{
    return (w - ONES) & ~w & HIGHS;
}

/* Nonzero when some byte of w is '"' or '\\'. */
static uint64_t has_quote_or_bs(uint64_t w)
{
    return has_zero(w ^ (ONES * '"')) | has_zero(w ^ (ONES * '\\'));
}

/* Nonzero when some byte of w is not `plain` (below 0x20, 0x80 or above,
 * '"' or '\\'). */
static uint64_t has_unplain(uint64_t w)
{
    return (w & HIGHS) | ((w - ONES * 0x20) & ~w & HIGHS) | has_quote_or_bs(w);
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && IS_WS(*p))
        p++;
    return p;
}

/* Four hex digits at p (p + 4 <= end checked by the caller) or -1. */
static long hex4(const unsigned char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = zf_hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* One UTF-8 sequence of 2..4 bytes starting at p (p[0] >= 0x80): its
 * length, or 0 when invalid (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* p at the opening quote: returns just past the closing one, or NULL with
 * *why set. */
static const char *scan_string(const char *s, const char *e, const char **why)
{
    const unsigned char *p = (const unsigned char *)s + 1, *end = (const unsigned char *)e;
    for (;;) {
        while (end - p >= 8 && !has_unplain(load8(p)))
            p += 8;
        while (p < end && plain[*p])
            p++;
        if (p >= end) {
            *why = "a string is not closed";
            return NULL;
        }
        unsigned char c = *p;
        if (c == '"')
            return (const char *)p + 1;
        if (c < 0x20) {
            *why = "a raw control character in a string (it must be escaped)";
            return NULL;
        }
        if (c >= 0x80) {
            size_t n = utf8_seq(p, end);
            if (!n) {
                *why = "invalid UTF-8 in a string";
                return NULL;
            }
            p += n;
            continue;
        }
        /* backslash */
        if (end - p < 2) {
            *why = "a string is not closed";
            return NULL;
        }
        c = p[1];
        if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
            c == 't') {
            p += 2;
            continue;
        }
        if (c != 'u') {
            *why = "an invalid escape in a string";
            return NULL;
        }
        long u = end - p >= 6 ? hex4(p + 2) : -1;
        if (u < 0) {
            *why = "\\u needs four hex digits";
            return NULL;
        }
        p += 6;
        if (u >= 0xDC00 && u <= 0xDFFF) {
            *why = "a lone low surrogate (\\uDC00-\\uDFFF) in a string";
            return NULL;
        }
        if (u >= 0xD800 && u <= 0xDBFF) {
            long lo = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF) {
                *why = "a high surrogate (\\uD800-\\uDBFF) not followed by a low one";
                return NULL;
            }
            p += 6;
        }
    }
}

static const char *scan_number(const char *p, const char *end, const char **why)
{
    *why = "an invalid number";
    if (p < end && *p == '-')
        p++;
    if (p >= end || !IS_DIGIT(*p))
        return NULL;
    if (*p == '0')
        p++;
    else
        while (p < end && IS_DIGIT(*p))
            p++;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !IS_DIGIT(*p))
            return NULL;
        while (p < end && IS_DIGIT(*p))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !IS_DIGIT(*p))
            return NULL;
        while (p < end && IS_DIGIT(*p))
            p++;
    }
    return p;
}

static const char *scan_word(const char *p, const char *end, const char *w, size_t n,
                             const char **why)
{
    if ((size_t)(end - p) < n || memcmp(p, w, n) != 0) {
        *why = "an invalid literal (expected true, false or null)";
        return NULL;
    }
    return p + n;
}

/* Which member of a page's top-level object a value belongs to. */
enum { PM_OTHER, PM_ITEMS, PM_TOKEN, PM_TOTAL };

static int page_member(const zf_jpage *pg, const char *k, const char *kend)
{
    zf_jspan key = {k, (size_t)(kend - k)};
    if (pg->items_key && zf_json_scan_str_eq(key, pg->items_key))
        return PM_ITEMS;
    if (zf_json_scan_str_eq(key, "next_page_token"))
        return PM_TOKEN;
    if (zf_json_scan_str_eq(key, "total_records"))
        return PM_TOTAL;
    return PM_OTHER;
}

static void page_element(zf_jpage *pg, const char *s, const char *e)
{
    if (pg->nelems == pg->cap) {
        size_t cap = pg->cap ? 2 * pg->cap : 256;
        zf_jspan *a = pg->oom ? NULL : realloc(pg->elems, cap * sizeof *a);
        if (!a) {
            pg->oom = 1;
            return;
        }
        pg->elems = a;
        pg->cap = cap;
    }
    pg->elems[pg->nelems].p = s;
    pg->elems[pg->nelems++].n = (size_t)(e - s);
}

static void page_value(zf_jpage *pg, int member, const char *s, const char *e)
{
    zf_jspan v = {s, (size_t)(e - s)};
    if (member == PM_ITEMS)
        pg->items = v;
    else if (member == PM_TOKEN)
        pg->next_token = v;
    else if (member == PM_TOTAL)
        pg->total = v;
}

/* scan_core's page work: the member whose value is being read, where that
 * value and the current element of the items array began. */
typedef struct page_walk {
    zf_jpage *pg;
    const char *mstart, *estart;
    int member, in_items;
} page_walk;

/* A value begins at p, depth 1 (a member's) or 2. */
static void walk_value(page_walk *w, size_t depth, const char *p)
{
    if (depth == 1) {
        w->mstart = p;
        if (w->member == PM_ITEMS)
            w->pg->nelems = 0; /* a repeated items key: the last one counts */
        w->in_items = w->member == PM_ITEMS && *p == '[';
    } else if (w->in_items) {
        w->estart = p;
    }
}

/* A value ended at p, inside a container at depth 1 or 2. */
static void walk_after(page_walk *w, size_t depth, const char *p)
{
    if (depth == 1) {
        page_value(w->pg, w->member, w->mstart, p);
        w->in_items = 0;
    } else if (w->in_items) {
        page_element(w->pg, w->estart, p);
    }
}

/* The validator; with pg (and a top-level object) it also notes the
 * page's members and the items array's elements on the way (pager.c's
 * one pass per page). The page work runs only at depths 1 and 2. */
static int scan_core(const char *buf, size_t n, zf_jspan *value, size_t *err_at, const char **why,
                     zf_jpage *pg)
{
    unsigned char stack[ZF_JSON_SCAN_MAX_DEPTH / 8]; /* bit set = object */
    size_t depth = 0;
    const char *end = buf + n, *p = skip_ws(buf, end), *start = p, *msg = NULL;
    page_walk w = {pg, NULL, NULL, PM_OTHER, 0};
    if (!buf)
        p = start = end = NULL;
    int track = pg && p < end && *p == '{';
    if (pg)
        pg->is_object = track;
    goto value;

value:
    if (p >= end) {
        msg = "a value is missing";
        goto fail;
    }
    if (track && depth - 1 < 2)
        walk_value(&w, depth, p);
    switch (*p) {
    case '{':
    case '[':
        if (depth == ZF_JSON_SCAN_MAX_DEPTH) {
            msg = "nested deeper than 2048 levels";
            goto fail;
        }
        if (*p == '{')
            stack[depth / 8] |= (unsigned char)(1u << (depth % 8));
        else
            stack[depth / 8] &= (unsigned char)~(1u << (depth % 8));
        depth++;
        p = skip_ws(p + 1, end);
        if (p < end && (*p == '}' || *p == ']')) {
            if ((*p == '}') != ((stack[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1)) {
                msg = "a bracket does not match";
                goto fail;
            }
            depth--;
            p++;
            goto after;
        }
        if (stack[(depth - 1) / 8] >> ((depth - 1) % 8) & 1)
            goto key;
        goto value;
    case '"':
        p = scan_string(p, end, &msg);
        break;
    case 't':
        p = scan_word(p, end, "true", 4, &msg);
        break;
    case 'f':
        p = scan_word(p, end, "false", 5, &msg);
        break;
    case 'n':
        p = scan_word(p, end, "null", 4, &msg);
        break;
    default:
        if (*p != '-' && !IS_DIGIT(*p)) {
            msg = "an unexpected character where a value should be";
            goto fail;
        }
        {
            const char *q = scan_number(p, end, &msg);
            if (!q)
                goto fail;
            p = q;
        }
        break;
    }
    if (!p)
        goto fail_nopos;
    goto after;

after:
    if (track && depth - 1 < 2)
        walk_after(&w, depth, p);
    if (depth == 0) {
        const char *vend = p;
        p = skip_ws(p, end);
        if (p != end) {
            msg = "more data after the JSON value";
            goto fail;
        }
        if (value) {
            value->p = start;
            value->n = (size_t)(vend - start);
        }
        return 0;
    }
    p = skip_ws(p, end);
    if (p >= end) {
        msg = "the document ends inside an object or array";
        goto fail;
    }
    {
        int obj = stack[(depth - 1) / 8] >> ((depth - 1) % 8) & 1;
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            if (obj)
                goto key;
            goto value;
        }
        if (*p == (obj ? '}' : ']')) {
            depth--;
            p++;
            goto after;
        }
        msg = obj ? "expected ',' or '}' after an object member"
                  : "expected ',' or ']' after an array element";
        goto fail;
    }

key:
    if (p >= end || *p != '"') {
        msg = "an object key must be a string";
        goto fail;
    }
    {
        const char *q = scan_string(p, end, &msg);
        if (!q)
            goto fail_nopos;
        if (track && depth == 1)
            w.member = page_member(pg, p, q);
        p = skip_ws(q, end);
    }
    if (p >= end || *p != ':') {
        msg = "expected ':' after an object key";
        goto fail;
    }
    p = skip_ws(p + 1, end);
    goto value;

fail_nopos:
    /* the scanner stopped inside a token; report where the token began
     * is less useful than nothing: keep the offset of the end seen */
    p = end;
fail:
    if (err_at)
        *err_at = p ? (size_t)(p - buf) : 0;
    if (why)
        *why = msg ? msg : "invalid JSON";
    return ZF_EPARSE;
}

int zf_json_scan_validate(const char *buf, size_t n, zf_jspan *value, size_t *err_at,
                          const char **why)
{
    return scan_core(buf, n, value, err_at, why, NULL);
}

int zf_json_scan_page(const char *buf, size_t n, zf_jpage *pg, size_t *err_at, const char **why)
{
    pg->items.p = pg->next_token.p = pg->total.p = NULL;
    pg->items.n = pg->next_token.n = pg->total.n = 0;
    pg->nelems = 0;
    pg->oom = 0;
    pg->is_object = 0;
    int rc = scan_core(buf, n, NULL, err_at, why, pg);
    if (rc == 0 && pg->oom)
        return ZF_ENOMEM;
    if (rc == 0 && (!pg->items.p || pg->items.p[0] != '['))
        pg->nelems = 0; /* the last items member is not an array */
    return rc;
}

void zf_jpage_free(zf_jpage *pg)
{
    free(pg->elems);
    pg->elems = NULL;
    pg->nelems = pg->cap = 0;
}

zf_jtype zf_json_scan_type(zf_jspan v)
{
    switch (v.n ? v.p[0] : 'n') {
    case '{':
        return ZF_JT_OBJECT;
    case '[':
        return ZF_JT_ARRAY;
    case '"':
        return ZF_JT_STRING;
    case 't':
        return ZF_JT_TRUE;
    case 'f':
        return ZF_JT_FALSE;
    case 'n':
        return ZF_JT_NULL;
    default:
        return ZF_JT_NUMBER;
    }
}

/* ---- walking validated values ------------------------------------------- */

/* p at the opening quote of a valid string (its closing quote before
 * end): just past its closing quote. */
static const char *skip_string(const char *p, const char *end)
{
    const unsigned char *q = (const unsigned char *)p + 1, *e = (const unsigned char *)end;
    for (;;) {
        while (e - q >= 8 && !has_quote_or_bs(load8(q)))
            q += 8;
        /* valid: a '"' or '\\' comes before the end; other bytes pass */
        while (*q != '"' && *q != '\\')
            q++;
        if (*q == '"')
            return (const char *)q + 1;
        q += 2;
    }
}

/* p at the first byte of a valid value: just past its last byte. */
static const char *skip_value(const char *p, const char *end)
{
    if (*p == '"')
        return skip_string(p, end);
    if (*p == '{' || *p == '[') {
        size_t depth = 0;
        while (p < end) {
            while (p < end && !special[(unsigned char)*p])
                p++;
            if (p >= end)
                break;
            char c = *p;
            if (c == '"') {
                p = skip_string(p, end);
                continue;
            }
            p++;
            if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return p;
        }
        return p;
    }
    while (p < end && *p != ',' && *p != ']' && *p != '}' && !IS_WS(*p))
        p++;
    return p;
}

int zf_json_scan_members(zf_jiter *it, zf_jspan v)
{
    if (v.n < 2 || v.p[0] != '{')
        return ZF_EPARSE;
    it->p = v.p + 1;
    it->end = v.p + v.n - 1;
    return 0;
}

int zf_json_scan_elements(zf_jiter *it, zf_jspan v)
{
    if (v.n < 2 || v.p[0] != '[')
        return ZF_EPARSE;
    it->p = v.p + 1;
    it->end = v.p + v.n - 1;
    return 0;
}

int zf_json_scan_next_element(zf_jiter *it, zf_jspan *value)
{
    const char *p = skip_ws(it->p, it->end);
    if (p < it->end && *p == ',')
        p = skip_ws(p + 1, it->end);
    if (p >= it->end) {
        it->p = it->end;
        return 0;
    }
    const char *q = skip_value(p, it->end);
    value->p = p;
    value->n = (size_t)(q - p);
    it->p = q;
    return 1;
}

int zf_json_scan_next_member_as(zf_jiter *it, const char *key, size_t klen, zf_jspan *k,
                                zf_jspan *value)
{
    const char *p = skip_ws(it->p, it->end);
    if (p < it->end && *p == ',')
        p = skip_ws(p + 1, it->end);
    if (p >= it->end) {
        it->p = it->end;
        return 0;
    }
    /* key is a whole string's content, so a quote right after it closes
     * the key here too */
    int hit = key && (size_t)(it->end - p) > klen + 1 && p[klen + 1] == '"' &&
              memcmp(p + 1, key, klen) == 0;
    const char *q = hit ? p + klen + 2 : skip_string(p, it->end);
    k->p = p;
    k->n = (size_t)(q - p);
    p = skip_ws(q, it->end);
    p = skip_ws(p + 1, it->end); /* the ':' */
    q = skip_value(p, it->end);
    value->p = p;
    value->n = (size_t)(q - p);
    it->p = q;
    return 1 + hit;
}

int zf_json_scan_next_member(zf_jiter *it, zf_jspan *key, zf_jspan *value)
{
    return zf_json_scan_next_member_as(it, NULL, 0, key, value);
}

/* ---- strings and numbers ---------------------------------------------------- */

/* Decodes the escape at p (p[0] == '\\') into up to 4 UTF-8 bytes in u8;
 * returns their count and advances *pp past the escape. */
static size_t decode_escape(const char **pp, unsigned char u8[4])
{
    const char *p = *pp;
    char c = p[1];
    *pp = p + 2;
    switch (c) {
    case 'b':
        u8[0] = '\b';
        return 1;
    case 'f':
        u8[0] = '\f';
        return 1;
    case 'n':
        u8[0] = '\n';
        return 1;
    case 'r':
        u8[0] = '\r';
        return 1;
    case 't':
        u8[0] = '\t';
        return 1;
    case 'u':
        break;
    default:
        u8[0] = (unsigned char)c;
        return 1;
    }
    long u = hex4((const unsigned char *)p + 2);
    *pp = p + 6;
    if (u >= 0xD800 && u <= 0xDBFF) {
        long lo = hex4((const unsigned char *)p + 8);
        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        *pp = p + 12;
    }
    if (u < 0x80) {
        u8[0] = (unsigned char)u;
        return 1;
    }
    if (u < 0x800) {
        u8[0] = (unsigned char)(0xC0 | (u >> 6));
        u8[1] = (unsigned char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        u8[0] = (unsigned char)(0xE0 | (u >> 12));
        u8[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
        u8[2] = (unsigned char)(0x80 | (u & 0x3F));
        return 3;
    }
    u8[0] = (unsigned char)(0xF0 | (u >> 18));
    u8[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
    u8[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
    u8[3] = (unsigned char)(0x80 | (u & 0x3F));
    return 4;
}

int zf_json_scan_str_eq(zf_jspan s, const char *c)
{
    const char *p = s.p + 1, *end = s.p + s.n - 1;
    size_t clen = strlen(c);
    if (!memchr(p, '\\', (size_t)(end - p)))
        return (size_t)(end - p) == clen && memcmp(p, c, clen) == 0;
    while (p < end) {
        if (*p != '\\') {
            if (*c++ != *p++)
                return 0;
            continue;
        }
        unsigned char u8[4];
        size_t n = decode_escape(&p, u8);
        for (size_t i = 0; i < n; i++)
            if (u8[i] == 0 || (unsigned char)*c++ != u8[i])
                return 0;
    }
    return *c == '\0';
}

size_t zf_json_scan_str(zf_jspan s, char *out, size_t cap)
{
    const char *p = s.p + 1, *end = s.p + s.n - 1;
    size_t len = 0;
    while (p < end) {
        unsigned char u8[4];
        size_t n = 1;
        if (*p == '\\') {
            n = decode_escape(&p, u8);
        } else {
            u8[0] = (unsigned char)*p++;
        }
        for (size_t i = 0; i < n; i++, len++)
            if (len + 1 < cap)
                out[len] = (char)u8[i];
    }
    if (cap)
        out[len < cap ? len : cap - 1] = '\0';
    return len;
}

int zf_json_scan_int(zf_jspan v, int64_t *out)
{
    const char *p = v.p, *end = v.p + v.n;
    int neg = p < end && *p == '-';
    p += neg;
    if (p >= end)
        return 0;
    uint64_t acc = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; p < end; p++) {
        if (!IS_DIGIT(*p))
            return 0;
        unsigned d = (unsigned)(*p - '0');
        if (acc > (lim - d) / 10)
            return 0;
        acc = acc * 10 + d;
    }
    *out = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
    return 1;
}

size_t zf_json_scan_compact_to(zf_jspan v, char *dst)
{
    const char *p = v.p, *end = v.p + v.n, *run = p;
    char *d = dst;
    if (v.p[0] != '{' && v.p[0] != '[') {
        memcpy(d, v.p, v.n);
        return v.n;
    }
    while (p < end) {
        char c = *p;
        if (c == '"') {
            p = skip_string(p, end);
            continue;
        }
        if (IS_WS(c)) {
            memcpy(d, run, (size_t)(p - run));
            d += p - run;
            while (p < end && IS_WS(*p))
                p++;
            run = p;
            continue;
        }
        p++;
    }
    memcpy(d, run, (size_t)(p - run));
    d += p - run;
    return (size_t)(d - dst);
}

int zf_json_scan_compact(zf_jspan v, zf_buf *b)
{
    const char *p = v.p, *end = v.p + v.n, *run = p;
    if (v.p[0] == '"' || (v.p[0] != '{' && v.p[0] != '['))
        return zf_buf_append(b, v.p, v.n);
    while (p < end) {
        char c = *p;
        if (c == '"') {
            p = skip_string(p, end);
            continue;
        }
        if (IS_WS(c)) {
            if (p > run && zf_buf_append(b, run, (size_t)(p - run)))
                return ZF_ENOMEM;
            while (p < end && IS_WS(*p))
                p++;
            run = p;
            continue;
        }
        p++;
    }
    if (p > run && zf_buf_append(b, run, (size_t)(p - run)))
        return ZF_ENOMEM;
    return 0;
}

/* ---- jansson's form ----------------------------------------------------------- */

#define CANON_DEPTH_MAX 64 /* deeper values are left to jansson */
#define CANON_KEYS_MAX 32  /* nested objects with more members too */

/* Writes one code point as json_dumps(JSON_ENSURE_ASCII) does; returns
 * the end. At most 12 bytes (a surrogate pair). */
static char *canon_cp(char *d, unsigned long cp)
{
    static const char hexd[] = "0123456789ABCDEF";
    char c = cp == '"'    ? '"'
             : cp == '\\' ? '\\'
             : cp == '\b' ? 'b'
             : cp == '\f' ? 'f'
             : cp == '\n' ? 'n'
             : cp == '\r' ? 'r'
             : cp == '\t' ? 't'
                          : 0;
    if (c) {
        *d++ = '\\';
        *d++ = c;
        return d;
    }
    if (cp >= 0x20 && cp < 0x80) {
        *d++ = (char)cp;
        return d;
    }
    unsigned long u[2] = {cp, 0};
    size_t n = 1;
    if (cp >= 0x10000) {
        cp -= 0x10000;
        u[0] = 0xD800 | (cp >> 10);
        u[1] = 0xDC00 | (cp & 0x3FF);
        n = 2;
    }
    for (size_t i = 0; i < n; i++) {
        *d++ = '\\';
        *d++ = 'u';
        for (int k = 0; k < 4; k++)
            *d++ = hexd[(u[i] >> (12 - 4 * k)) & 0xF];
    }
    return d;
}

/* The code point of the valid UTF-8 sequence at p of len bytes. */
static unsigned long utf8_cp(const unsigned char *p, size_t len)
{
    unsigned long cp = p[0] & (0xFF >> (len + 1));
    for (size_t i = 1; i < len; i++)
        cp = (cp << 6) | (p[i] & 0x3F);
    return cp;
}

/* Every canon_* writes at most 3 bytes per byte of its value plus 2 (a
 * 2-byte UTF-8 sequence becomes 6, a 4-byte one 12; nothing else grows),
 * and returns the end, or NULL when jansson must decide. */
static char *canon_string(zf_jspan s, char *d)
{
    const unsigned char *p = (const unsigned char *)s.p + 1;
    const unsigned char *end = (const unsigned char *)s.p + s.n - 1;
    *d++ = '"';
    while (p < end) {
        const unsigned char *run = p;
        while (p < end && plain[*p])
            p++;
        memcpy(d, run, (size_t)(p - run));
        d += p - run;
        if (p >= end)
            break;
        unsigned long cp;
        if (*p == '\\') {
            char c = (char)p[1];
            if (c != 'u') {
                cp = c == 'b'   ? '\b'
                     : c == 'f' ? '\f'
                     : c == 'n' ? '\n'
                     : c == 'r' ? '\r'
                     : c == 't' ? '\t'
                                : (unsigned char)c;
                p += 2;
            } else {
                cp = (unsigned long)hex4(p + 2);
                p += 6;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)hex4(p + 2) - 0xDC00);
                    p += 6;
                }
                if (cp == 0)
                    return NULL; /* jansson refuses "\u0000" */
            }
        } else {
            size_t len = utf8_seq(p, end);
            if (!len) /* not from a validated value */
                return NULL;
            cp = utf8_cp(p, len);
            p += len;
        }
        d = canon_cp(d, cp);
    }
    *d++ = '"';
    return d;
}

static char *canon_value(zf_jspan v, char *d, int depth);

static char *canon_object(zf_jspan v, char *d, int depth)
{
    zf_jspan keys[CANON_KEYS_MAX], k, val;
    size_t nk = 0;
    zf_jiter it;
    zf_json_scan_members(&it, v);
    *d++ = '{';
    while (d && zf_json_scan_next_member(&it, &k, &val) == 1) {
        /* jansson keeps a repeated key once, where it first was, with
         * the last value: left to it, as are escaped keys */
        if (nk == CANON_KEYS_MAX || memchr(k.p, '\\', k.n))
            return NULL;
        for (size_t i = 0; i < nk; i++)
            if (keys[i].n == k.n && memcmp(keys[i].p, k.p, k.n) == 0)
                return NULL;
        if (nk)
            *d++ = ',';
        keys[nk++] = k;
        d = canon_string(k, d);
        if (d) {
            *d++ = ':';
            d = canon_value(val, d, depth + 1);
        }
    }
    if (d)
        *d++ = '}';
    return d;
}

static char *canon_array(zf_jspan v, char *d, int depth)
{
    zf_jiter it;
    zf_jspan e;
    int first = 1;
    zf_json_scan_elements(&it, v);
    *d++ = '[';
    while (d && zf_json_scan_next_element(&it, &e) == 1) {
        if (!first)
            *d++ = ',';
        first = 0;
        d = canon_value(e, d, depth + 1);
    }
    if (d)
        *d++ = ']';
    return d;
}

/* An integer as jansson prints it (json_int_t, "%lld"); NULL for a real or
 * an integer that may not fit. */
static char *canon_number(zf_jspan v, char *d)
{
    size_t neg = v.p[0] == '-';
    for (size_t i = neg; i < v.n; i++)
        if (!IS_DIGIT(v.p[i]))
            return NULL;
    if (v.n - neg >= 19)
        return NULL;
    if (neg && v.n == 2 && v.p[1] == '0') {
        *d++ = '0';
        return d;
    }
    memcpy(d, v.p, v.n);
    return d + v.n;
}

static char *canon_value(zf_jspan v, char *d, int depth)
{
    if (depth > CANON_DEPTH_MAX)
        return NULL;
    switch (v.p[0]) {
    case '"':
        return canon_string(v, d);
    case '{':
        return canon_object(v, d, depth);
    case '[':
        return canon_array(v, d, depth);
    case 't':
    case 'f':
    case 'n':
        memcpy(d, v.p, v.n);
        return d + v.n;
    default:
        return canon_number(v, d);
    }
}

size_t zf_json_scan_canon_max(zf_jspan v)
{
    return 3 * v.n + 2;
}

char *zf_json_scan_canon_to(zf_jspan v, char *dst)
{
    return v.n ? canon_value(v, dst, 0) : NULL;
}

int zf_json_scan_canon(zf_jspan v, zf_buf *b)
{
    if (zf_buf_reserve(b, zf_json_scan_canon_max(v) + 1) != 0)
        return ZF_ENOMEM;
    char *d = zf_json_scan_canon_to(v, b->ptr + b->len);
    if (!d) {
        b->ptr[b->len] = '\0';
        return 1;
    }
    *d = '\0';
    b->len = (size_t)(d - b->ptr);
    return 0;
}

/* Bytes jansson_safe must look at: digits and backslashes. */
static const unsigned char risky[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,  ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['\\'] = 2,
};

int zf_json_scan_jansson_safe(const char *buf, size_t n)
{
    const unsigned char *p = (const unsigned char *)buf, *end = p + n, *start = p;
    for (;;) {
        while (p < end && !risky[*p])
            p++;
        if (p >= end)
            return 1;
        if (risky[*p] == 1) {
            const unsigned char *run = p;
            while (p < end && IS_DIGIT(*p))
                p++;
            if (p - run >= 19)
                return 0;
            if (p - run >= 3) { /* an exponent of 3 digits: e123, E+123, e-123 */
                const unsigned char *q = run;
                if (q > start && (q[-1] == '+' || q[-1] == '-'))
                    q--;
                if (q > start && (q[-1] == 'e' || q[-1] == 'E'))
                    return 0;
            }
            continue;
        }
        if (end - p >= 6 && memcmp(p + 1, "u0000", 5) == 0)
            return 0;
        p += end - p >= 2 ? 2 : 1; /* past the escaped byte */
    }
}
