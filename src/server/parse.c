/*
 * The pure parsers of the service: the path check, the route matcher, the
 * query and cookie parsers, the request id check, the trusted proxies and
 * X-Forwarded-For. No I/O, no globals: the
 * fuzz targets (fuzz/fuzz_srv_*.c) drive them with any bytes.
 */
#include "core.h"
#include "text.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int srv_path_clean(const char *raw, size_t len, char *out, size_t out_cap, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *why = NULL;
    if (!raw || !out || out_cap == 0)
        return ZF_EINVAL;
    out[0] = '\0';
    if (len == 0 || raw[0] != '/') {
        *why = "the path must start with '/'";
        return ZF_EVALIDATION;
    }
    if (len > 3 * (size_t)SRV_PATH_MAX) {
        *why = "the path is too long";
        return ZF_EVALIDATION;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)raw[i];
        int encoded = 0;
        if (c == '%') {
            if (i + 2 >= len) {
                *why = "the path has an incomplete percent escape";
                return ZF_EVALIDATION;
            }
            int hi = zf_hexval((unsigned char)raw[i + 1]);
            int lo = zf_hexval((unsigned char)raw[i + 2]);
            if (hi < 0 || lo < 0) {
                *why = "the path has an invalid percent escape";
                return ZF_EVALIDATION;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
            encoded = 1;
        }
        if (c == 0) {
            *why = "the path holds a NUL byte";
            return ZF_EVALIDATION;
        }
        if (c == '\\') {
            *why = "the path holds a backslash";
            return ZF_EVALIDATION;
        }
        if (c < 0x20 || c == 0x7f) {
            *why = "the path holds a control character";
            return ZF_EVALIDATION;
        }
        if (c == '/' && encoded) {
            *why = "the path holds an encoded '/'";
            return ZF_EVALIDATION;
        }
        if (o + 1 >= out_cap || o >= SRV_PATH_MAX) {
            *why = "the path is too long";
            return ZF_EVALIDATION;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    /* segments: none empty (but a trailing one), none "." or ".." */
    const char *p = out + 1;
    size_t nseg = 0;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t sl = e ? (size_t)(e - p) : strlen(p);
        if (sl == 0) {
            *why = "the path has an empty segment ('//')";
            return ZF_EVALIDATION;
        }
        if ((sl == 1 && p[0] == '.') || (sl == 2 && p[0] == '.' && p[1] == '.')) {
            *why = "the path has a '.' or '..' segment";
            return ZF_EVALIDATION;
        }
        if (++nseg > SRV_SEGMENTS_MAX) {
            *why = "the path has too many segments";
            return ZF_EVALIDATION;
        }
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

/* The next segment of s (after a '/'), its length; NULL at the end. */
static const char *seg_next(const char *s, size_t *len)
{
    if (!s || *s != '/')
        return NULL;
    s++;
    const char *e = strchr(s, '/');
    *len = e ? (size_t)(e - s) : strlen(s);
    return s;
}

/* Whether pattern matches path; mask gets a bit per literal segment
 * (the first segment the highest bit), params filled when p != NULL. */
static int pattern_match(const char *pattern, const char *path, uint64_t *mask, srv_match *p)
{
    const char *a = pattern, *b = path;
    uint64_t m = 0;
    size_t np = 0;
    int depth = 0;
    if (strcmp(pattern, "/") == 0 || strcmp(path, "/") == 0) {
        *mask = ~(uint64_t)0;
        return strcmp(pattern, path) == 0;
    }
    for (;;) {
        size_t la = 0, lb = 0;
        const char *sa = seg_next(a, &la), *sb = seg_next(b, &lb);
        if (!sa || !sb)
            return !sa && !sb && (*mask = m, 1);
        if (depth >= 63)
            return 0;
        if (la >= 2 && sa[0] == '{' && sa[la - 1] == '}') {
            if (lb == 0)
                return 0;
            if (p) {
                if (np >= SRV_PARAMS_MAX)
                    return 0;
                char *v = malloc(lb + 1);
                if (!v)
                    return 0;
                memcpy(v, sb, lb);
                v[lb] = '\0';
                p->params[np].name = NULL;
                p->params[np].value = v;
                /* the name without braces, kept as a pointer + length in a
                 * copy */
                char *n = malloc(la - 1);
                if (!n) {
                    free(v);
                    return 0;
                }
                memcpy(n, sa + 1, la - 2);
                n[la - 2] = '\0';
                p->params[np].name = n;
                np++;
                p->nparams = np;
            }
        } else {
            if (la != lb || memcmp(sa, sb, la) != 0)
                return 0;
            m |= (uint64_t)1 << (62 - depth);
        }
        depth++;
        a = sa + la;
        b = sb + lb;
    }
}

void srv_match_free(srv_match *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nparams; i++) {
        free(m->params[i].name);
        free(m->params[i].value);
    }
    m->nparams = 0;
}

static int method_eq(const char *route_m, const char *m)
{
    if (strcmp(route_m, m) == 0)
        return 1;
    return strcmp(m, "HEAD") == 0 && strcmp(route_m, "GET") == 0;
}

int srv_route_match(const srv_route *routes, const char *method, const char *path, srv_match *out)
{
    memset(out, 0, sizeof *out);
    if (!routes || !method || !path)
        return SRV_MATCH_NONE;
    const srv_route *best = NULL;
    uint64_t best_mask = 0;
    uint64_t best_path_mask = 0;
    int any = 0;
    /* the best pattern for the path regardless of method, then the
     * methods of the rows with that same pattern shape */
    for (const srv_route *r = routes; r->method; r++) {
        uint64_t mk;
        if (!pattern_match(r->pattern, path, &mk, NULL))
            continue;
        if (!any || mk > best_path_mask)
            best_path_mask = mk;
        any = 1;
        if (method_eq(r->method, method) && (!best || mk > best_mask)) {
            best = r;
            best_mask = mk;
        }
    }
    if (!any)
        return SRV_MATCH_NONE;
    if (best && best_mask == best_path_mask) {
        uint64_t mk;
        out->route = best;
        if (!pattern_match(best->pattern, path, &mk, out)) {
            srv_match_free(out);
            out->route = NULL;
            return SRV_MATCH_NONE; /* out of memory or too many params */
        }
        return SRV_MATCH_OK;
    }
    /* 405: the methods of the most specific pattern */
    size_t o = 0;
    for (const srv_route *r = routes; r->method; r++) {
        uint64_t mk;
        if (!pattern_match(r->pattern, path, &mk, NULL) || mk != best_path_mask)
            continue;
        /* skip a method already listed */
        size_t ml = strlen(r->method);
        int dup = 0;
        for (const char *s = out->allow; *s;) {
            const char *e = strstr(s, ", ");
            size_t l = e ? (size_t)(e - s) : strlen(s);
            if (l == ml && memcmp(s, r->method, ml) == 0)
                dup = 1;
            s = e ? e + 2 : s + l;
        }
        if (dup)
            continue;
        if (o + ml + 3 >= sizeof out->allow)
            break;
        if (o) {
            memcpy(out->allow + o, ", ", 2);
            o += 2;
        }
        memcpy(out->allow + o, r->method, ml);
        o += ml;
        out->allow[o] = '\0';
    }
    return SRV_MATCH_PATH;
}

void srv_kvlist_free(srv_kvlist *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].name);
        free(l->items[i].value);
    }
    l->n = 0;
}

const char *srv_kvlist_get(const srv_kvlist *l, const char *name)
{
    if (!l || !name)
        return NULL;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return l->items[i].value;
    return NULL;
}

/* Decodes s[0..len) (form rules: '+' a space) into a new string. */
static int form_decode(const char *s, size_t len, char **out, const char **why)
{
    char *d = malloc(len + 1);
    if (!d)
        return ZF_ENOMEM;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 1 < len ? zf_hexval((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < len ? zf_hexval((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(d);
                *why = "the query has an invalid percent escape";
                return ZF_EVALIDATION;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if (c == 0) {
            free(d);
            *why = "the query holds a NUL byte";
            return ZF_EVALIDATION;
        }
        d[o++] = (char)c;
    }
    d[o] = '\0';
    *out = d;
    return 0;
}

int srv_query_parse(const char *q, size_t len, srv_kvlist *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *why = NULL;
    out->n = 0;
    if (!q)
        return 0;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && q[j] != '&')
            j++;
        if (j > i) {
            const char *eq = memchr(q + i, '=', j - i);
            size_t nl = eq ? (size_t)(eq - (q + i)) : j - i;
            if (nl > 0) {
                if (out->n >= SRV_QUERY_MAX) {
                    srv_kvlist_free(out);
                    *why = "the query has too many parameters";
                    return ZF_EVALIDATION;
                }
                char *n = NULL, *v = NULL;
                int rc = form_decode(q + i, nl, &n, why);
                if (rc == 0)
                    rc = eq ? form_decode(eq + 1, (size_t)(q + j - (eq + 1)), &v, why)
                            : form_decode("", 0, &v, why);
                if (rc < 0) {
                    free(n);
                    srv_kvlist_free(out);
                    return rc;
                }
                out->items[out->n].name = n;
                out->items[out->n].value = v;
                out->n++;
            }
        }
        i = j + 1;
    }
    return 0;
}

static int token_char(unsigned char c)
{
    if (c <= 0x20 || c >= 0x7f)
        return 0;
    return strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

int srv_cookie_parse(const char *h, size_t len, srv_kvlist *out)
{
    out->n = 0;
    if (!h)
        return 0;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && h[j] != ';')
            j++;
        size_t a = i, b = j;
        while (a < b && (h[a] == ' ' || h[a] == '\t'))
            a++;
        while (b > a && (h[b - 1] == ' ' || h[b - 1] == '\t'))
            b--;
        const char *eq = memchr(h + a, '=', b - a);
        if (eq && eq > h + a && out->n < SRV_COOKIES_MAX) {
            size_t nl = (size_t)(eq - (h + a));
            int ok = 1;
            for (size_t k = 0; k < nl; k++)
                if (!token_char((unsigned char)h[a + k]))
                    ok = 0;
            const char *v = eq + 1;
            size_t vl = (size_t)(h + b - v);
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                v++;
                vl -= 2;
            }
            for (size_t k = 0; k < vl; k++) {
                unsigned char c = (unsigned char)v[k];
                if (c < 0x21 || c == 0x7f || c == '"' || c == ',' || c == '\\')
                    ok = 0;
            }
            if (ok) {
                char *n = malloc(nl + 1), *vv = malloc(vl + 1);
                if (!n || !vv) {
                    free(n);
                    free(vv);
                    srv_kvlist_free(out);
                    return ZF_ENOMEM;
                }
                memcpy(n, h + a, nl);
                n[nl] = '\0';
                memcpy(vv, v, vl);
                vv[vl] = '\0';
                out->items[out->n].name = n;
                out->items[out->n].value = vv;
                out->n++;
            }
        }
        i = j + 1;
    }
    return 0;
}

int srv_request_id_ok(const char *id)
{
    if (!id)
        return 0;
    size_t n = 0;
    for (const char *p = id; *p; p++, n++) {
        unsigned char c = (unsigned char)*p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
        if (n >= 64)
            return 0;
    }
    return n >= 1 && n <= 64;
}

/* ---- trusted proxies and X-Forwarded-For ------------------------------ */

/* An IPv4 or IPv6 literal of at most 45 bytes, no zone: 16 bytes (IPv4
 * as ::ffff:a.b.c.d, so one compare covers a mapped peer). */
static int ip_parse(const char *s, size_t len, unsigned char out[16], int *v4)
{
    char buf[INET6_ADDRSTRLEN + 1];
    if (len == 0 || len >= sizeof buf || memchr(s, '\0', len))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    struct in_addr a4;
    if (inet_pton(AF_INET, buf, &a4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        *v4 = 1;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, out) != 1)
        return -1;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    *v4 = memcmp(out, mapped, 12) == 0;
    return 0;
}

int srv_net_parse(const char *s, size_t len, srv_net *out)
{
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    int v4;
    if (ip_parse(s, alen, out->addr, &v4) < 0)
        return -1;
    int max = v4 ? 32 : 128, prefix = max;
    if (slash) {
        uint64_t p;
        size_t plen = len - alen - 1;
        char num[4];
        if (plen == 0 || plen > 3)
            return -1;
        memcpy(num, slash + 1, plen);
        num[plen] = '\0';
        if (zf_parse_u64(num, (uint64_t)max, &p) < 0)
            return -1;
        prefix = (int)p;
    }
    out->bits = v4 ? 96 + prefix : prefix;
    /* the host bits must be zero: 10.0.0.1/8 is a typo for a host or a net */
    for (int b = out->bits; b < 128; b++)
        if (out->addr[b / 8] & (0x80 >> (b % 8)))
            return -1;
    return 0;
}

int srv_net_list_parse(const char *list, srv_net *out, size_t cap, size_t *n, char *bad,
                       size_t bad_cap)
{
    *n = 0;
    if (bad_cap)
        bad[0] = '\0';
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ' && *e != '\t')
            e++;
        if (*n >= cap || srv_net_parse(p, (size_t)(e - p), &out[*n]) < 0) {
            if (bad_cap)
                snprintf(bad, bad_cap, "%.*s", (int)(e - p > 80 ? 80 : e - p), p);
            return -1;
        }
        (*n)++;
        p = e;
    }
    return 0;
}

static int net_has(const srv_net *nets, size_t n, const unsigned char a[16])
{
    for (size_t i = 0; i < n; i++) {
        int b = nets[i].bits, whole = b / 8, rest = b % 8;
        if (memcmp(nets[i].addr, a, (size_t)whole) != 0)
            continue;
        if (rest && ((nets[i].addr[whole] ^ a[whole]) & (0xff << (8 - rest)) & 0xff))
            continue;
        return 1;
    }
    return 0;
}

int srv_net_match(const srv_net *nets, size_t n, const char *addr)
{
    unsigned char a[16];
    int v4;
    return addr && ip_parse(addr, strlen(addr), a, &v4) == 0 && net_has(nets, n, a);
}

int srv_forwarded_client(const char *xff, size_t len, const srv_net *nets, size_t n, char *out,
                         size_t cap)
{
    size_t end = len;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        size_t s = start, e = end;
        while (s < e && (xff[s] == ' ' || xff[s] == '\t'))
            s++;
        while (e > s && (xff[e - 1] == ' ' || xff[e - 1] == '\t'))
            e--;
        unsigned char a[16];
        int v4;
        if (ip_parse(xff + s, e - s, a, &v4) < 0)
            return 0; /* garbage (or a port, or "unknown"): keep the peer */
        if (!net_has(nets, n, a)) {
            char text[INET6_ADDRSTRLEN];
            if (!inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? (const void *)(a + 12) : a, text,
                           sizeof text) ||
                strlen(text) >= cap)
                return 0;
            memcpy(out, text, strlen(text) + 1);
            return 1;
        }
        if (start == 0)
            break;
        end = start - 1;
    }
    return 0; /* every hop is a trusted proxy: the peer stays */
}
