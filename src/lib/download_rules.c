/*
 * The pure rules of recordings download (download.h): safe names, the
 * SHA256SUMS manifest, the resume decision, the reading of a download
 * response and the origin rule for the token. No I/O here: download.c
 * does the files and the network.
 */
#include "zoomflow/download.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zoom_internal.h"
#include "zoomflow/buf.h"
#include "text.h"

#define MANIFEST_TEXT_MAX ((size_t)64 << 20)

/* ---- names ------------------------------------------------------------ */

static int safe_byte(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '_' || c == '-';
}

void zf_download_sanitize(char *s)
{
    size_t n = 0;
    for (unsigned char *p = (unsigned char *)s; *p && n < ZF_DOWNLOAD_NAME_MAX; p++, n++)
        if (!safe_byte(*p) || *p >= 0x80)
            *p = '_';
    s[n] = '\0';
    if (s[0] == '.')
        s[0] = '_';
    if (!s[0])
        memcpy(s, "file", 5);
}

/* "2031-01-02T09:00:00Z" -> "20310102T090000Z": the digits and letters of
 * the timestamp, so names sort by time and carry no ':'. */
static void put_stamp(zf_buf *b, const char *iso)
{
    for (const char *p = iso; p && *p; p++)
        if (isalnum((unsigned char)*p))
            zf_buf_putc(b, *p);
}

/* The last path segment of a URL (before any query), or NULL. */
static const char *url_last_segment(const char *url, size_t *len)
{
    if (!url)
        return NULL;
    size_t end = strcspn(url, "?#");
    const char *seg = url + end;
    while (seg > url && seg[-1] != '/')
        seg--;
    *len = (size_t)(url + end - seg);
    return *len ? seg : NULL;
}

static const char *str_field(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s && *s ? s : NULL;
}

int zf_download_file_name(char *out, size_t outlen, const json_t *file, int index)
{
    if (!out || outlen < ZF_DOWNLOAD_NAME_MAX + 1 || !file)
        return ZF_EINVAL;
    if (!json_is_object(file))
        return ZF_EPARSE;
    zf_buf b = ZF_BUF_INIT(4096);
    const char *start = str_field(file, "recording_start");
    const char *type = str_field(file, "recording_type");
    const char *ftype = str_field(file, "file_type");
    const char *id = str_field(file, "id");
    const char *ext = str_field(file, "file_extension");
    put_stamp(&b, start ? start : "nostart");
    zf_buf_putc(&b, '_');
    zf_buf_puts(&b, type ? type : ftype ? ftype : "file");
    zf_buf_putc(&b, '_');
    size_t seglen = 0;
    const char *seg = id ? NULL : url_last_segment(str_field(file, "download_url"), &seglen);
    if (id)
        zf_buf_puts(&b, id);
    else if (seg)
        zf_buf_append(&b, seg, seglen);
    else
        zf_buf_appendf(&b, "%d", index);
    /* the extension goes on after the cut, so a long id cannot remove it */
    char tail[24] = "";
    const char *e = ext ? ext : ftype;
    if (e) {
        size_t k = 0;
        tail[k++] = '.';
        for (; *e && k < 16; e++)
            tail[k++] = (char)tolower((unsigned char)*e);
        tail[k] = '\0';
    }
    if (b.failed) {
        zf_buf_free(&b);
        return ZF_ENOMEM;
    }
    size_t tl = strlen(tail), room = ZF_DOWNLOAD_NAME_MAX - tl;
    size_t n = b.len < room ? b.len : room;
    memcpy(out, b.ptr, n);
    memcpy(out + n, tail, tl + 1);
    zf_buf_free(&b);
    zf_download_sanitize(out);
    return 0;
}

/* ---- manifest --------------------------------------------------------- */

typedef struct mentry {
    char *name;
    char hex[65];
} mentry;

struct zf_manifest {
    mentry *v;
    size_t n, cap;
};

void zf_manifest_free(zf_manifest *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].name);
    free(m->v);
    free(m);
}

static mentry *find_entry(const zf_manifest *m, const char *name)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (strcmp(m->v[i].name, name) == 0)
            return &m->v[i];
    return NULL;
}

const char *zf_manifest_get(const zf_manifest *m, const char *name)
{
    mentry *e = name ? find_entry(m, name) : NULL;
    return e ? e->hex : NULL;
}

static int is_hex64(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

int zf_manifest_set(zf_manifest *m, const char *name, const char *hex)
{
    if (!m || !name || !*name || !hex || strlen(hex) != 64 || !is_hex64(hex) ||
        strpbrk(name, "\r\n"))
        return ZF_EINVAL;
    mentry *e = find_entry(m, name);
    if (!e) {
        if (m->n == m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 8;
            mentry *v = realloc(m->v, cap * sizeof *v);
            if (!v)
                return ZF_ENOMEM;
            m->v = v;
            m->cap = cap;
        }
        e = &m->v[m->n];
        if (!(e->name = strdup(name)))
            return ZF_ENOMEM;
        m->n++;
    }
    for (int i = 0; i < 64; i++)
        e->hex[i] = (char)tolower((unsigned char)hex[i]);
    e->hex[64] = '\0';
    return 0;
}

/* One line "<64 hex>  name" or "<64 hex> *name" (sha256sum's binary mark). */
static int parse_line(zf_manifest *m, const char *line, size_t n)
{
    while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
        n--;
    if (n < 67 || !is_hex64(line) || line[64] != ' ' || (line[65] != ' ' && line[65] != '*'))
        return 0;
    char hex[65], name[ZF_DOWNLOAD_NAME_MAX + 1];
    size_t nl = n - 66;
    if (nl > ZF_DOWNLOAD_NAME_MAX || memchr(line + 66, '\0', nl))
        return 0; /* not a name this module writes */
    memcpy(hex, line, 64);
    hex[64] = '\0';
    memcpy(name, line + 66, nl);
    name[nl] = '\0';
    int rc = zf_manifest_set(m, name, hex);
    return rc == ZF_ENOMEM ? rc : 0;
}

int zf_manifest_parse(zf_manifest **out, const char *text, size_t len, zf_error *err)
{
    *out = NULL;
    zf_manifest *m = calloc(1, sizeof *m);
    if (!m)
        return zf_error_set(err, ZF_ENOMEM, "out of memory (manifest)");
    if (len > MANIFEST_TEXT_MAX) {
        zf_manifest_free(m);
        return zf_error_set(err, ZF_ETOOBIG, "%s is larger than %zu bytes", ZF_DOWNLOAD_MANIFEST,
                            MANIFEST_TEXT_MAX);
    }
    size_t i = 0;
    while (text && i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
        if (parse_line(m, text + i, n) != 0) {
            zf_manifest_free(m);
            return zf_error_set(err, ZF_ENOMEM, "out of memory (manifest)");
        }
        i += n + 1;
    }
    *out = m;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const mentry *)a)->name, ((const mentry *)b)->name);
}

int zf_manifest_format(char **out, const zf_manifest *m)
{
    *out = NULL;
    zf_buf b = ZF_BUF_INIT(MANIFEST_TEXT_MAX);
    if (m && m->n)
        qsort(m->v, m->n, sizeof *m->v, by_name);
    for (size_t i = 0; m && i < m->n; i++)
        zf_buf_appendf(&b, "%s  %s\n", m->v[i].hex, m->v[i].name);
    zf_buf_puts(&b, "");
    if (b.failed) {
        zf_buf_free(&b);
        return ZF_ENOMEM;
    }
    *out = zf_buf_take(&b);
    return *out ? 0 : ZF_ENOMEM;
}

/* ---- decisions -------------------------------------------------------- */

zf_download_plan zf_download_decide(const zf_download_disk *d)
{
    int size_ok = d->final_size >= 0 && (d->listed_size < 0 || d->final_size == d->listed_size);
    if (size_ok && (!d->manifest_listed || d->manifest_matches))
        return ZF_DL_PLAN_SKIP;
    if (d->part_size > 0 && (d->listed_size < 0 || d->part_size <= d->listed_size))
        return ZF_DL_PLAN_RESUME;
    return ZF_DL_PLAN_FRESH;
}

/* Content-Range "bytes A-B/N"; A-B or N may be a star. Sets start and
 * total, -1 for a star; false when v is not one. */
static bool parse_content_range(const char *v, int64_t *start, int64_t *total)
{
    *start = *total = -1;
    if (!v || strncasecmp(v, "bytes ", 6) != 0)
        return false;
    const char *p = v + 6, *slash = strchr(p, '/');
    if (!slash)
        return false;
    const char *end;
    uint64_t a, z, t;
    if (*p != '*') {
        if (zf_parse_u64_prefix(p, &end, INT64_MAX, &a) < 0 || *end != '-' ||
            zf_parse_u64_prefix(end + 1, &end, INT64_MAX, &z) < 0 || end != slash || z < a)
            return false;
        *start = (int64_t)a;
    }
    if (slash[1] != '*') {
        if (zf_parse_u64(slash + 1, INT64_MAX, &t) < 0)
            return false;
        *total = (int64_t)t;
    }
    return true;
}

zf_download_verdict zf_download_judge(long status, const char *content_range, uint64_t range_from,
                                      int64_t listed_size, int64_t *total)
{
    int64_t start = -1, t = -1;
    bool cr_ok = parse_content_range(content_range, &start, &t);
    *total = cr_ok ? t : -1;
    if (status == 206)
        return cr_ok && start == (int64_t)range_from ? ZF_DL_APPEND : ZF_DL_RESTART;
    if (status >= 200 && status < 300)
        return ZF_DL_RESTART;
    if (status == 416) {
        int64_t full = listed_size >= 0 ? listed_size : t;
        /* the server's total, when it gives one, must agree too */
        if (range_from > 0 && full >= 0 && (uint64_t)full == range_from && (t < 0 || t == full))
            return ZF_DL_COMPLETE;
        return ZF_DL_RESTART;
    }
    if (status == 401)
        return ZF_DL_REAUTH;
    if (status == 429 || (status >= 500 && status < 600))
        return ZF_DL_RETRY;
    return ZF_DL_FAIL;
}

/* ---- where a token may go --------------------------------------------- */

static int host_is_under(const char *host, size_t hlen, const char *domain)
{
    size_t dl = strlen(domain);
    if (hlen == dl)
        return strncasecmp(host, domain, dl) == 0;
    return hlen > dl && host[hlen - dl - 1] == '.' &&
           strncasecmp(host + hlen - dl, domain, dl) == 0;
}

int zf_download_url_allowed(const char *url, const char *api_base)
{
    char o1[512], o2[512];
    if (!url || !zf_zoom__url_origin(url, o1, sizeof o1))
        return 0;
    for (const char *p = o1; *p; p++)
        if (*p == '@' || (unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return 0; /* userinfo or junk: never guess which host it means */
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return 0;
    if (api_base && zf_zoom__url_origin(api_base, o2, sizeof o2) && strcmp(o1, o2) == 0)
        return 1;
    if (strncmp(o1, "https://", 8) != 0)
        return 0;
    const char *host = o1 + 8;
    size_t hlen = strcspn(host, ":");
    if (host[hlen] == ':' && strcmp(host + hlen, ":443") != 0)
        return 0;
    return host_is_under(host, hlen, "zoom.us") || host_is_under(host, hlen, "zoomgov.com");
}

int zf_download_may_renew(const char *url, long redirects, const char *api_base, int zoom_code)
{
    char o1[512], o2[512];
    if (redirects != 0 || zoom_code != 124 || !url || !api_base ||
        !zf_zoom__url_origin(url, o1, sizeof o1) || !zf_zoom__url_origin(api_base, o2, sizeof o2))
        return 0;
    return strcmp(o1, o2) == 0;
}
