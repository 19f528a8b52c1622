/*
 * Logging and redaction (zf_secret lives in secret.c).
 *
 * Guarantees:
 *  - every line that reaches a sink has been through zf_log_redact, and the
 *    redaction happens on the message before it is JSON-escaped, so a JSON
 *    log line cannot hide a token behind \" escapes;
 *  - zf_log_redact never grows the text: a value of at least
 *    strlen(ZF_REDACTED) bytes becomes ZF_REDACTED, a shorter one becomes as
 *    many '*' (its length is not secret, its bytes are).
 *
 * The sink configuration is the library's one mutable global; it is written
 * by zf_log_configure at start-up only, so reads need no lock.
 */
#include "zoomflow/log.h"

#include "zoomflow/buf.h"
#include "zoomflow/error.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LOG_LINE_MAX ((size_t)1 << 20) /* longer messages are truncated */

/* ---- redaction -------------------------------------------------------- */

/* Field names whose values are secret, in JSON ("name": "v") and in query
 * strings or form bodies (name=v). Matched case-insensitively and as whole
 * names, so "zipcode=" or "token_type" stay readable. */
static const char *const secret_fields[] = {
    "access_token",   "refresh_token", "client_secret",         "code",
    "code_verifier",  "password",      "download_access_token", "plainToken",
    "encryptedToken", "token",         "authorization",         NULL,
};

typedef struct span {
    size_t vs, ve; /* the value to scrub: [vs, ve) */
} span;

static int is_word(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '-';
}

static size_t line_end(const char *t, size_t p)
{
    while (t[p] && t[p] != '\r' && t[p] != '\n')
        p++;
    return p;
}

static size_t skip_ws(const char *t, size_t p)
{
    while (t[p] == ' ' || t[p] == '\t')
        p++;
    return p;
}

/* "Authorization: <anything to end of line>", also Proxy-Authorization, and
 * a bare "Bearer <token>" anywhere. */
static int match_header(const char *t, size_t r, unsigned char prev, span *sp)
{
    if (isalnum(prev))
        return 0;
    if (strncasecmp(t + r, "authorization:", 14) == 0) {
        sp->vs = skip_ws(t, r + 14);
        sp->ve = line_end(t, sp->vs);
        return 1;
    }
    if (strncasecmp(t + r, "bearer ", 7) == 0) {
        size_t p = sp->vs = skip_ws(t, r + 7);
        while (t[p] && !isspace((unsigned char)t[p]) && t[p] != '"' && t[p] != '\\' &&
               t[p] != '\'' && t[p] != ',')
            p++;
        sp->ve = p;
        return 1;
    }
    return 0;
}

/* After the value's opening quote: the end of a JSON string, or of an
 * escaped one (\"...\") embedded in another string. Unterminated strings
 * run to the end: better to scrub too much than too little. */
static size_t json_value_end(const char *t, size_t p, int escaped)
{
    for (; t[p]; p++) {
        if (escaped && t[p] == '\\')
            return p;
        if (t[p] == '\\' && t[p + 1])
            p++;
        else if (t[p] == '"')
            return p;
    }
    return p;
}

/* "name" : "value" (string values only: Zoom's numeric error "code" stays). */
static int match_json(const char *t, size_t r, unsigned char prev, size_t klen, span *sp)
{
    if (prev != '"')
        return 0;
    size_t p = r + klen;
    if (t[p] == '\\' && t[p + 1] == '"')
        p++;
    if (t[p] != '"')
        return 0;
    p = skip_ws(t, p + 1);
    if (t[p] != ':')
        return 0;
    p = skip_ws(t, p + 1);
    int escaped = t[p] == '\\' && t[p + 1] == '"';
    if (escaped)
        p++;
    if (t[p] != '"')
        return 0;
    sp->vs = p + 1;
    sp->ve = json_value_end(t, p + 1, escaped);
    return 1;
}

/* name=value in a query string or form body. */
static int match_query(const char *t, size_t r, unsigned char prev, size_t klen, span *sp)
{
    if (prev && !strchr("?&;\"' \t\r\n", prev))
        return 0;
    if (t[r + klen] != '=')
        return 0;
    size_t p = sp->vs = r + klen + 1;
    while (t[p] && !strchr("&#\"'\\<> \t\r\n", t[p]))
        p++;
    sp->ve = p;
    return 1;
}

static int match_field(const char *t, size_t r, unsigned char prev, span *sp)
{
    if (is_word(prev))
        return 0;
    for (size_t i = 0; secret_fields[i]; i++) {
        size_t klen = strlen(secret_fields[i]);
        if (strncasecmp(t + r, secret_fields[i], klen) != 0)
            continue;
        if (match_json(t, r, prev, klen, sp) || match_query(t, r, prev, klen, sp))
            return 1;
    }
    return 0;
}

/* One pass with a read and a write cursor; w <= r always holds because a
 * replacement is never longer than what it replaces. */
void zf_log_redact(char *text)
{
    if (!text)
        return;
    size_t r = 0, w = 0;
    unsigned char prev = 0;
    const size_t rlen = strlen(ZF_REDACTED);
    while (text[r]) {
        span sp;
        if (!match_header(text, r, prev, &sp) && !match_field(text, r, prev, &sp)) {
            prev = (unsigned char)text[r];
            text[w++] = text[r++];
            continue;
        }
        memmove(text + w, text + r, sp.vs - r);
        w += sp.vs - r;
        size_t n = sp.ve - sp.vs;
        if (n >= rlen) {
            memcpy(text + w, ZF_REDACTED, rlen);
            w += rlen;
        } else {
            memset(text + w, '*', n);
            w += n;
        }
        r = sp.ve;
        prev = 'x'; /* r > the old r: every match consumes its name */
    }
    text[w] = '\0';
}

/* ---- log lines -------------------------------------------------------- */

static struct {
    zf_log_sink_fn sink;
    void *ctx;
    zf_log_level max;
    int json;
} cfg = {NULL, NULL, ZF_LOG_WARN, 0};

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

void zf_log_configure(zf_log_sink_fn sink, void *ctx, zf_log_level max, int json)
{
    cfg.sink = sink;
    cfg.ctx = ctx;
    cfg.max = max;
    cfg.json = json;
}

int zf_log_enabled(zf_log_level level)
{
    return level <= cfg.max;
}

static void utc_now(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void emit(zf_log_level level, const char *module, const char *msg)
{
    char ts[32];
    utc_now(ts);
    zf_buf line = ZF_BUF_INIT(LOG_LINE_MAX + 256);
    const char *lvl = level_names[level];
    if (cfg.json) {
        zf_buf_appendf(&line, "{\"ts\":\"%s\",\"level\":\"%s\",\"module\":", ts, lvl);
        zf_buf_put_jsonstr(&line, module ? module : "zoomflow");
        zf_buf_puts(&line, ",\"msg\":");
        zf_buf_put_jsonstr(&line, msg);
        zf_buf_putc(&line, '}');
    } else {
        zf_buf_appendf(&line, "%s %-5s %s: %s", ts, lvl, module ? module : "zoomflow", msg);
    }
    const char *out = line.failed ? "[log line dropped: out of memory]" : zf_buf_cstr(&line);
    if (cfg.sink)
        cfg.sink(cfg.ctx, level, out);
    else
        fprintf(stderr, "%s\n", out);
    zf_buf_free(&line);
}

void zf_log(zf_log_level level, const char *module, const char *fmt, ...)
{
    if ((int)level < 0 || level > ZF_LOG_TRACE || !zf_log_enabled(level))
        return;
    va_list ap, cp;
    va_start(ap, fmt);
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    size_t len = n < 0 ? 0 : (size_t)n;
    if (len > LOG_LINE_MAX)
        len = LOG_LINE_MAX; /* vsnprintf truncates */
    char *msg = malloc(len + 1);
    if (msg) {
        vsnprintf(msg, len + 1, fmt, ap);
        zf_log_redact(msg);
        emit(level, module, msg);
        OPENSSL_cleanse(msg, len + 1); /* it may have held a secret before redaction */
        free(msg);
    }
    va_end(ap);
}
