/*
 * Path safety and URL building for the Zoom client (DESIGN §4).
 *
 * Guarantee: a path accepted by zf_zoom_check_path, joined by
 * zf_zoom__build_url with an accepted base, gives a URL whose origin is the
 * base's origin and whose path starts with /v2/, at every depth of
 * percent-decoding a server or proxy might apply: each part is decoded until
 * nothing is left to decode (%25 nested to any depth) and every level is
 * checked. That is what keeps the bearer token at Zoom: the token is only
 * attached to URLs built here.
 */
#include "zoom_internal.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char WHERE[] = "zoomflow only calls paths under the API base's /v2 "
                            "(e.g. /users/me)";

/* One level of percent-decoding into out (same size is enough); invalid
 * escapes are kept literally. Returns 1 if anything was decoded. */
static int decode_once(const char *in, size_t n, char *out, size_t *outn)
{
    size_t o = 0;
    int changed = 0;
    for (size_t i = 0; i < n; i++) {
        int b = in[i] == '%' ? zf_pct_byte(in + i, n - i) : -1;
        if (b >= 0) {
            out[o++] = (char)b;
            i += 2;
            changed = 1;
        } else {
            out[o++] = in[i];
        }
    }
    *outn = o;
    return changed;
}

/* A '.' or '..' segment, also as "..;params" (servers that strip matrix
 * parameters see ".."). */
static int is_dot_segment(const char *s, size_t n)
{
    const char *semi = memchr(s, ';', n);
    if (semi)
        n = (size_t)(semi - s);
    return (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

static int has_dot_segment(const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '/' || s[i] == '\\') {
            if (is_dot_segment(s + start, i - start))
                return 1;
            start = i + 1;
        }
    }
    return 0;
}

static int refuse(zf_error *err, const char *what)
{
    zf_error_set(err, ZF_EPATH, "path %s: %s", what, WHERE);
    zf_error_hint_id(err, ZF_HINT_CHECK_PATH, NULL);
    return ZF_EPATH;
}

/* Raw bytes: what may never appear literally. */
static int check_raw(const char *path, size_t n, zf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c == '\r' || c == '\n')
            return refuse(err, "contains a CR or LF byte");
        if (c < 0x20 || c == 0x7f)
            return refuse(err, "contains a control byte");
        if (c == '\\')
            return refuse(err, "contains a backslash");
        if (c == '#')
            return refuse(err, "contains a '#' fragment (percent-encode it as %23 if it is data)");
        if (c == ' ' || c >= 0x80)
            return refuse(err, "contains a space or non-ASCII byte (percent-encode it)");
        if (c == '%' && zf_pct_byte(path + i, n - i) < 0)
            return refuse(err, "contains a '%' that is not followed by two hex digits "
                               "(write a literal '%' as %25)");
    }
    return 0;
}

/* What a decoded level may not contain. is_path: the part before '?'. */
static int check_decoded(const char *s, size_t n, int is_path, zf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n' || c == 0)
            return refuse(err, "contains a CR, LF or NUL byte when percent-decoded "
                               "(%0d, %0a, %00)");
        if (c < 0x20 || c == 0x7f)
            return refuse(err, "contains a control byte when percent-decoded");
        if (is_path && c == '\\')
            return refuse(err, "contains a backslash when percent-decoded (%5c)");
    }
    if (is_path && has_dot_segment(s, n))
        return refuse(err, "contains a '..' or '.' segment (also when percent-encoded)");
    return 0;
}

/* Checks every decoding level of part until a level decodes to itself. This
 * ends: a level that changes is at least 2 bytes shorter than the one before,
 * so a 2048-byte path has at most ~1000 levels. */
static int check_levels(const char *part, size_t n, int is_path, zf_error *err)
{
    char *a = malloc(n + 1), *b = malloc(n + 1);
    int rc = 0;
    if (!a || !b) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory checking a path");
        goto done;
    }
    memcpy(a, part, n);
    size_t len = n;
    for (;;) {
        if ((rc = check_decoded(a, len, is_path, err)) != 0)
            goto done;
        size_t nlen;
        if (!decode_once(a, len, b, &nlen))
            break;
        char *t = a;
        a = b;
        b = t;
        len = nlen;
    }
done:
    free(a);
    free(b);
    return rc;
}

int zf_zoom_check_path(const char *path, zf_error *err)
{
    if (!path || !*path)
        return refuse(err, "is empty");
    size_t n = strnlen(path, ZF_ZOOM_PATH_MAX + 1);
    if (n > ZF_ZOOM_PATH_MAX)
        return refuse(err, "is longer than 2048 bytes");
    size_t first_slash = strcspn(path, "/");
    /* "https:", "mailto:", "javascript:" ... anything with a scheme */
    if (path[0] != '/' && memchr(path, ':', first_slash))
        return refuse(err, "is an absolute URL (it has a scheme:)");
    if (path[0] == '/' && path[1] == '/')
        return refuse(err, "starts with '//' (a scheme-relative URL naming another host)");
    if (memchr(path, '@', first_slash))
        return refuse(err, "contains '@' before the first '/' (it would name another host)");
    int rc = check_raw(path, n, err);
    if (rc)
        return rc;
    const char *q = strchr(path, '?');
    size_t plen = q ? (size_t)(q - path) : n;
    if ((rc = check_levels(path, plen, 1, err)) != 0)
        return rc;
    if (q && (rc = check_levels(q + 1, n - plen - 1, 0, err)) != 0)
        return rc;
    return 0;
}

/* Length of "scheme://authority" when s is an http(s) URL, else 0. */
static size_t origin_len(const char *s)
{
    size_t skip;
    if (strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else if (strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else
        return 0;
    size_t auth = strcspn(s + skip, "/?#\\");
    return auth ? skip + auth : 0;
}

bool zf_zoom__url_origin(const char *url, char *out, size_t outlen)
{
    size_t n = url ? origin_len(url) : 0;
    if (!n || n + 1 > outlen)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = url[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[n] = '\0';
    return true;
}

int zf_zoom__check_base(const char *base, zf_error *err)
{
    size_t n = base ? origin_len(base) : 0;
    const char *why = NULL;
    if (!n)
        why = "is not an http(s) URL with a host";
    else if (strcmp(base + n, "") != 0 && strcmp(base + n, "/") != 0 &&
             strcmp(base + n, "/v2") != 0 && strcmp(base + n, "/v2/") != 0)
        why = "has a path (other than /v2), query or fragment after the host";
    else {
        for (size_t i = 0; i < n && !why; i++) {
            unsigned char c = (unsigned char)base[i];
            if (c == '@')
                why = "contains user credentials ('@')";
            else if (c <= 0x20 || c >= 0x7f)
                why = "contains a space, control or non-ASCII byte";
        }
    }
    if (!why)
        return 0;
    zf_error_set(err, ZF_ECONFIG,
                 "API base URL %s: it must look like https://api.zoom.us "
                 "(or https://api.zoom.us/v2)",
                 why);
    zf_error_hint_id(err, ZF_HINT_CHECK_API_BASE,
                     "check the connection's api_url (its status "
                     "shows it) or the API base setting");
    zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, base);
    return ZF_ECONFIG;
}

int zf_zoom__build_url(zf_buf *out, const char *base, const char *path, const zf_zoom_param *query,
                       size_t nquery, zf_error *err)
{
    int rc = zf_zoom__check_base(base, err);
    if (rc)
        return rc;
    size_t blen = origin_len(base);
    zf_buf_append(out, base, blen);
    zf_buf_puts(out, "/v2");
    if (path[0] != '/')
        zf_buf_putc(out, '/');
    zf_buf_puts(out, path);
    char sep = strchr(path, '?') ? '&' : '?';
    for (size_t i = 0; i < nquery; i++) {
        if (!query[i].key || !*query[i].key)
            return zf_error_set(err, ZF_EINVAL, "query parameter %zu has no name", i + 1);
        zf_buf_putc(out, sep);
        zf_buf_put_urlenc(out, query[i].key);
        zf_buf_putc(out, '=');
        zf_buf_put_urlenc(out, query[i].value ? query[i].value : "");
        sep = '&';
    }
    if (out->failed)
        return zf_error_set(err, ZF_ETOOBIG, "request URL longer than %zu bytes",
                            (size_t)ZF_ZOOM_URL_MAX);
    return 0;
}

int zf_zoom_put_segment(zf_buf *b, const char *value)
{
    if (value[0] != '/' && !strstr(value, "//"))
        return zf_buf_put_urlenc(b, value);
    zf_buf once = ZF_BUF_INIT(ZF_ZOOM_URL_MAX);
    zf_buf_put_urlenc(&once, value);
    if (once.failed) {
        b->failed = 1;
        zf_buf_free(&once);
        return ZF_ENOMEM;
    }
    int rc = zf_buf_put_urlenc(b, zf_buf_cstr(&once));
    zf_buf_free(&once);
    return rc;
}

int zf_zoom_path_names_me(const char *path)
{
    const char *p = path ? path : "";
    while (*p && *p != '?' && *p != '#') {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/?#");
        if (n == 2 && p[0] == 'm' && p[1] == 'e')
            return 1;
        p += n;
    }
    return 0;
}
