/*
 * The loopback listener's decision over one connection's bytes (see
 * oauth_loopback.h for the refusal table). Spans point into the caller's
 * bytes; nothing here reads a socket or a clock.
 */
#include "zoomflow/oauth_loopback.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "zoomflow/oauth.h"

typedef struct span {
    const char *p;
    size_t n;
} span;

typedef struct head {
    span method, target;
    int nhost, norigin;
    span host, origin;
} head;

static const struct {
    int status;
    const char *text;
} status_texts[] = {
    {200, "OK"},
    {400, "Bad Request"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {408, "Request Timeout"},
    {414, "URI Too Long"},
    {421, "Misdirected Request"},
    {431, "Request Header Fields Too Large"},
    {503, "Service Unavailable"},
    {505, "HTTP Version Not Supported"},
};

const char *zf_oauth_loopback_status_text(int status)
{
    for (size_t i = 0; i < sizeof status_texts / sizeof status_texts[0]; i++)
        if (status_texts[i].status == status)
            return status_texts[i].text;
    return "Error";
}

static void refuse(zf_oauth_loopback_verdict *v, zf_oauth_loopback_kind kind, int status,
                   const char *reason)
{
    v->outcome = ZF_LOOPBACK_REFUSE;
    v->kind = kind;
    v->status = status;
    v->reason = reason;
}

/* RFC 9110 tchar */
static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int span_eq_ci(span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

/* Length of the line at p (without its CRLF or LF), or -1 when no LF
 * follows within end. *next is the byte after the LF. */
static long line_at(const char *p, const char *end, const char **next)
{
    const char *lf = memchr(p, '\n', (size_t)(end - p));
    if (!lf)
        return -1;
    *next = lf + 1;
    return (long)(lf > p && lf[-1] == '\r' ? lf - 1 - p : lf - p);
}

/* "GET /callback?x HTTP/1.1" -> 0, or the refusal status. */
static int request_line(head *h, const char *p, size_t n)
{
    const char *end = p + n, *sp1 = memchr(p, ' ', n);
    if (!sp1 || sp1 == p)
        return 400;
    const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
    if (!sp2 || sp2 == sp1 + 1)
        return 400;
    h->method = (span){p, (size_t)(sp1 - p)};
    h->target = (span){sp1 + 1, (size_t)(sp2 - sp1 - 1)};
    for (size_t i = 0; i < h->method.n; i++)
        if (!is_tchar((unsigned char)p[i]))
            return 400;
    for (size_t i = 0; i < h->target.n; i++)
        if ((unsigned char)h->target.p[i] <= 0x20 || (unsigned char)h->target.p[i] == 0x7f)
            return 400;
    span v = {sp2 + 1, (size_t)(end - sp2 - 1)};
    if (v.n == 8 && (memcmp(v.p, "HTTP/1.1", 8) == 0 || memcmp(v.p, "HTTP/1.0", 8) == 0))
        return 0;
    return v.n > 5 && memcmp(v.p, "HTTP/", 5) == 0 ? 505 : 400;
}

/* "Name: value" (optional whitespace around the value). */
static int header_line(head *h, const char *p, size_t n)
{
    const char *colon = memchr(p, ':', n);
    if (!colon || colon == p)
        return 400;
    for (const char *c = p; c < colon; c++)
        if (!is_tchar((unsigned char)*c))
            return 400; /* also obs-fold: a line starting with whitespace */
    const char *v = colon + 1, *ve = p + n;
    for (const char *c = v; c < ve; c++)
        if (((unsigned char)*c < 0x20 && *c != '\t') || (unsigned char)*c == 0x7f)
            return 400;
    while (v < ve && (*v == ' ' || *v == '\t'))
        v++;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
    span name = {p, (size_t)(colon - p)}, val = {v, (size_t)(ve - v)};
    if (span_eq_ci(name, "Host")) {
        h->nhost++;
        h->host = val;
    } else if (span_eq_ci(name, "Origin")) {
        h->norigin++;
        h->origin = val;
    }
    return 0;
}

/* What parse_head made of the bytes so far. */
typedef enum head_state {
    HEAD_MORE,    /* the head is not complete: wait for more bytes */
    HEAD_DONE,    /* h holds the parsed head */
    HEAD_REFUSED, /* v says why */
} head_state;

static head_state parse_head(head *h, zf_oauth_loopback_verdict *v, const char *bytes, size_t len,
                             int eof)
{
    const char *end = bytes + len, *next;
    long n = line_at(bytes, end, &next);
    if ((n < 0 && len > ZF_LOOPBACK_LINE_MAX) || n > ZF_LOOPBACK_LINE_MAX) {
        refuse(v, ZF_LOOPBACK_NOT_CALLBACK, 414, "the request line is longer than 8192 bytes");
        return HEAD_REFUSED;
    }
    int st = 0, fields = 0;
    if (n >= 0 && (st = request_line(h, bytes, (size_t)n)) != 0) {
        refuse(v, ZF_LOOPBACK_NOT_CALLBACK, st,
               st == 505 ? "only HTTP/1.1 and 1.0 are served" : "this is not an HTTP request");
        return HEAD_REFUSED;
    }
    for (const char *p = next; n >= 0; p = next) {
        if ((n = line_at(p, end, &next)) == 0)
            break;
        if (next - bytes > ZF_LOOPBACK_HEAD_MAX || ++fields > ZF_LOOPBACK_FIELDS_MAX ||
            (n < 0 && len > ZF_LOOPBACK_HEAD_MAX)) {
            refuse(v, ZF_LOOPBACK_NOT_CALLBACK, 431,
                   "the request headers are larger than "
                   "16384 bytes or 100 lines");
            return HEAD_REFUSED;
        }
        if (n > 0 && header_line(h, p, (size_t)n) != 0) {
            refuse(v, ZF_LOOPBACK_NOT_CALLBACK, 400, "a request header is malformed");
            return HEAD_REFUSED;
        }
    }
    if (n == 0)
        return HEAD_DONE;
    if (eof) {
        refuse(v, ZF_LOOPBACK_NOT_CALLBACK, 400, "the request ended before its headers did");
        return HEAD_REFUSED;
    }
    return HEAD_MORE;
}

/* host[:port] names the listener: the authority itself, or without ":80"
 * (browsers leave out the default port). */
static int names_listener(span hp, const char *authority)
{
    size_t n = strlen(authority);
    if (span_eq_ci(hp, authority))
        return 1;
    return n > 3 && strcmp(authority + n - 3, ":80") == 0 && hp.n == n - 3 &&
           strncasecmp(hp.p, authority, hp.n) == 0;
}

/* Host and Origin must name this listener exactly (DNS rebinding); false
 * with v set when they do not. */
static bool check_listener(const head *h, zf_oauth_loopback_verdict *v,
                           const zf_oauth_loopback_expect *ex)
{
    if (!span_eq_ci(h->method, "GET")) {
        refuse(v, ZF_LOOPBACK_NOT_CALLBACK, 405, "the OAuth callback is a GET request");
        return false;
    }
    if (h->nhost != 1) {
        refuse(v, ZF_LOOPBACK_NOT_CALLBACK, 400,
               h->nhost ? "the request has two Host headers" : "the request has no Host header");
        return false;
    }
    if (!names_listener(h->host, ex->authority)) {
        refuse(v, ZF_LOOPBACK_NOT_CALLBACK, 421,
               "the Host header does not name this listener "
               "(the redirect URI's host and port)");
        return false;
    }
    if (h->norigin > 1 ||
        (h->norigin == 1 &&
         !(h->origin.n > 7 && strncasecmp(h->origin.p, "http://", 7) == 0 &&
           names_listener((span){h->origin.p + 7, h->origin.n - 7}, ex->authority)))) {
        refuse(v, ZF_LOOPBACK_NOT_CALLBACK, 403,
               "the request comes from another web site "
               "(its Origin is not this listener)");
        return false;
    }
    return true;
}

static int state_eq(const char *a, const char *b)
{
    size_t n = strlen(b);
    if (strlen(a) != n)
        return 0;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static void check_callback(const head *h, zf_oauth_loopback_verdict *v,
                           const zf_oauth_loopback_expect *ex)
{
    const char *t = h->target.p, *q = memchr(t, '?', h->target.n);
    size_t plen = q ? (size_t)(q - t) : h->target.n;
    if (plen != strlen(ex->path) || memcmp(t, ex->path, plen) != 0) {
        refuse(v, ZF_LOOPBACK_NOT_CALLBACK, 404, "this is not the OAuth callback path");
        return;
    }
    size_t qlen = q ? h->target.n - plen - 1 : 0;
    zf_oauth_callback cb;
    zf_error err = ZF_ERROR_INIT;
    if (zf_oauth_parse_callback(&cb, q ? q + 1 : "", qlen, &err) < 0) {
        refuse(v, ZF_LOOPBACK_BAD_CALLBACK, 400, "the callback's query is malformed");
        return;
    }
    if (!cb.state || !cb.state[0])
        refuse(v, ZF_LOOPBACK_WRONG_STATE, 400, "the callback carries no state");
    else if (!state_eq(cb.state, ex->state))
        refuse(v, ZF_LOOPBACK_WRONG_STATE, 400,
               "the callback's state is not this connect "
               "attempt's (an old or foreign link)");
    else if (!cb.error && zf_secret_empty(&cb.code))
        refuse(v, ZF_LOOPBACK_BAD_CALLBACK, 400, "the callback carries no code");
    else {
        v->outcome = ZF_LOOPBACK_FINISH;
        v->query = q ? q + 1 : t + plen;
        v->query_len = qlen;
    }
    zf_oauth_callback_free(&cb);
}

void zf_oauth_loopback_decide(zf_oauth_loopback_verdict *out, const char *bytes, size_t len,
                              int eof, const zf_oauth_loopback_expect *ex)
{
    head h;
    memset(&h, 0, sizeof h);
    memset(out, 0, sizeof *out);
    if (memchr(bytes, '\0', len)) {
        refuse(out, ZF_LOOPBACK_NOT_CALLBACK, 400, "the request contains a NUL byte");
        return;
    }
    if (parse_head(&h, out, bytes, len, eof) == HEAD_DONE && check_listener(&h, out, ex))
        check_callback(&h, out, ex);
}
