/* Request/response helpers, ids, time and deterministic file content. */
#include "sim.h"
#include "text.h"
#include "civil.h"

#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *sim_header(const sim_req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

char *sim_urldecode(const char *s, size_t len, int plus_is_space)
{
    char *out = malloc(len + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            int h = zf_pct_byte(s + i, len - i);
            if (h < 0) {
                free(out);
                return NULL;
            }
            *o++ = (char)h;
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            *o++ = ' ';
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

const char *sim_query(sim_req *rq, const char *key)
{
    const char *raw = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
    if (!raw)
        return NULL;
    if ((size_t)rq->nq >= sizeof rq->qbuf / sizeof rq->qbuf[0])
        return NULL;
    char *v = sim_urldecode(raw, strlen(raw), 1);
    if (!v)
        return NULL;
    rq->qbuf[rq->nq++] = v;
    return v;
}

json_t *sim_body_json(sim_req *rq, sim_resp *rs)
{
    json_error_t e;
    if (!rq->body || rq->body_len == 0) {
        sim_error(rs, 400, 300, "Request Body should be a valid JSON object.");
        return NULL;
    }
    json_t *j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        sim_error(rs, 400, 300, "Request Body should be a valid JSON object.");
        return NULL;
    }
    return j;
}

char *sim_form_value(const char *body, size_t len, const char *key)
{
    size_t klen = strlen(key);
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq && (size_t)(eq - p) == klen && memcmp(p, key, klen) == 0)
            return sim_urldecode(eq + 1, (size_t)(stop - eq - 1), 1);
        p = stop + 1;
    }
    return NULL;
}

void sim_resp_init(sim_resp *rs)
{
    memset(rs, 0, sizeof *rs);
    rs->status = 500;
    zf_buf_init(&rs->body, SIM_MAX_RESP);
    rs->content_type = "application/json;charset=UTF-8";
}

void sim_resp_free(sim_resp *rs)
{
    free(rs->body.ptr);
    rs->body.ptr = NULL;
}

void sim_resp_header_add(sim_resp *rs, const char *name, const char *fmt, ...)
{
    if (rs->nheaders >= SIM_MAX_HEADERS)
        return;
    sim_resp_header *h = &rs->headers[rs->nheaders++];
    snprintf(h->name, sizeof h->name, "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->value, sizeof h->value, fmt, ap);
    va_end(ap);
}

void sim_json(sim_resp *rs, int status, json_t *j)
{
    zf_buf_reset(&rs->body);
    rs->status = status;
    int rc = sim_json_write(&rs->body, j);
    json_decref(j);
    if (rc != 0) {
        rs->status = 500;
        zf_buf_reset(&rs->body);
        zf_buf_puts(&rs->body, "{\"code\":500,\"message\":\"out of memory\"}");
    }
}

void sim_error(sim_resp *rs, int status, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    zf_buf_reset(&rs->body);
    rs->status = status;
    zf_buf_appendf(&rs->body, "{\"code\":%d,\"message\":", code);
    zf_buf_put_jsonstr(&rs->body, msg);
    zf_buf_putc(&rs->body, '}');
}

void sim_validation_error(sim_resp *rs, json_t *errors)
{
    json_t *j =
        json_pack("{s:i,s:s,s:o}", "code", 300, "message", "Validation Failed.", "errors", errors);
    sim_json(rs, 400, j);
}

void sim_empty(sim_resp *rs, int status)
{
    zf_buf_reset(&rs->body);
    rs->status = status;
}

void sim_random_id(char *out, size_t outlen, size_t nchars)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    unsigned char r[128];
    if (nchars >= outlen)
        nchars = outlen - 1;
    if (nchars > sizeof r)
        nchars = sizeof r;
    if (RAND_bytes(r, (int)nchars) != 1)
        abort();
    for (size_t i = 0; i < nchars; i++)
        out[i] = abc[r[i] & 63];
    out[nchars] = '\0';
}

void sim_random_hex(char *out, size_t nbytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[64];
    if (nbytes > sizeof r)
        nbytes = sizeof r;
    if (RAND_bytes(r, (int)nbytes) != 1)
        abort();
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[2 * nbytes] = '\0';
}

void sim_fmt_time(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The n decimal digits at s, or ZF_EPARSE. */
static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return ZF_EPARSE;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int sim_parse_time(const char *s, int64_t *out, int *has_zone)
{
    int Y, M, D, h, m, sec;
    size_t n = strlen(s);
    if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':')
        return ZF_EPARSE;
    if (digits(s, 4, &Y) || digits(s + 5, 2, &M) || digits(s + 8, 2, &D) || digits(s + 11, 2, &h) ||
        digits(s + 14, 2, &m) || digits(s + 17, 2, &sec))
        return ZF_EPARSE;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || sec > 60)
        return ZF_EPARSE;
    if (M == 2 && D == 29 && !((Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0))
        return ZF_EPARSE;
    const char *z = s + 19;
    if (*z == '.') { /* fractional seconds */
        z++;
        if (*z < '0' || *z > '9')
            return ZF_EPARSE;
        while (*z >= '0' && *z <= '9')
            z++;
    }
    int64_t off = 0;
    *has_zone = 0;
    if (*z == 'Z' && z[1] == '\0') {
        *has_zone = 1;
    } else if ((*z == '+' || *z == '-') && strlen(z) == 6 && z[3] == ':') {
        int oh, om;
        if (digits(z + 1, 2, &oh) || digits(z + 4, 2, &om) || oh > 23 || om > 59)
            return ZF_EPARSE;
        off = (oh * 3600 + om * 60) * (*z == '+' ? 1 : -1);
        *has_zone = 1;
    } else if (*z != '\0') {
        return ZF_EPARSE;
    }
    *out = zf_days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + m * 60 + sec - off;
    return 0;
}

/* splitmix64 over 8-byte blocks: cheap, deterministic, random-looking. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint8_t sim_stream_byte(uint64_t seed, uint64_t off)
{
    uint64_t w = mix(seed ^ (off >> 3) * 0x100000001b3ull);
    return (uint8_t)(w >> ((off & 7) * 8));
}

void sim_stream_fill(uint64_t seed, uint64_t off, uint8_t *dst, size_t n)
{
    size_t i = 0;
    while (i < n && ((off + i) & 7))
        dst[i] = sim_stream_byte(seed, off + i), i++;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = mix(seed ^ ((off + i) >> 3) * 0x100000001b3ull);
        memcpy(dst + i, &w, 8); /* little-endian hosts: same bytes as stream_byte */
    }
    for (; i < n; i++)
        dst[i] = sim_stream_byte(seed, off + i);
}

/* The emulator's clock: wall time plus the control API's offset. */
int64_t sim_now(const sim *s)
{
    return (int64_t)time(NULL) + s->clock_offset;
}

void sim_data_rand_bytes(unsigned char *out, size_t n)
{
    char hex[65];
    sim_random_hex(hex, n);
    for (size_t i = 0; i < n; i++) {
        out[i] = (unsigned char)(zf_hexval(hex[2 * i]) * 16 + zf_hexval(hex[2 * i + 1]));
    }
}

/* 16 random bytes in standard base64: 22 characters + "==", like Zoom's. */
void sim_data_new_uuid(char out[25])
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char r[16];
    sim_data_rand_bytes(r, 16);
    int o = 0;
    for (int i = 0; i < 15; i += 3) {
        uint32_t v = (uint32_t)r[i] << 16 | (uint32_t)r[i + 1] << 8 | r[i + 2];
        for (int k = 3; k >= 0; k--)
            out[o++] = b64[(v >> (6 * k)) & 63];
    }
    out[o++] = b64[r[15] >> 2];
    out[o++] = b64[(r[15] & 3) << 4];
    out[o++] = '=';
    out[o++] = '=';
    out[o] = '\0';
}
