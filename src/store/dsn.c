/*
 * A DSN as it may be shown: passwords replaced by "[redacted]", everything
 * else kept, so a message can name the database without leaking its
 * credentials. Covers what libpq takes (a URI's user:password@, its
 * ?password= and ?sslpassword= parameters, and the keyword form's
 * password=... and sslpassword=..., quoted or not) and any other
 * scheme://user:password@ URI; a DSN without any is returned unchanged.
 *
 * A text only, not a parser: an ill-formed DSN is redacted as far as it
 * can be read, and a part that cannot be told apart from a password is
 * redacted rather than shown.
 */
#include <stdlib.h>
#include <string.h>

#include "zoomflow/buf.h"
#include "zoomflow/store.h"

#define DSN_SHOWN_MAX 8192
#define REDACTED "[redacted]"

static const char *const secret_keys[] = {"password", "sslpassword"};

static int is_secret_key(const char *k, size_t n)
{
    for (size_t i = 0; i < sizeof secret_keys / sizeof secret_keys[0]; i++)
        if (strlen(secret_keys[i]) == n && strncmp(secret_keys[i], k, n) == 0)
            return 1;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The end of a keyword-form value at s: a quoted one ends after its
 * closing quote (backslash escapes), a bare one at white space. */
static const char *value_end(const char *s)
{
    if (*s != '\'') {
        while (*s && !is_space(*s))
            s++;
        return s;
    }
    for (s++; *s && *s != '\''; s++)
        if (*s == '\\' && s[1])
            s++;
    return *s ? s + 1 : s;
}

/* libpq's keyword form: key = value pairs separated by white space. What
 * is not a pair is copied, unless it follows a password (an ill-quoted
 * password's rest). */
static void redact_keywords(zf_buf *b, const char *s)
{
    int hide = 0;
    while (*s) {
        const char *k = s;
        while (*s && *s != '=' && !is_space(*s))
            s++;
        size_t klen = (size_t)(s - k);
        while (is_space(*s))
            s++;
        if (*s != '=') { /* not a pair: copy up to here and go on */
            if (!hide)
                zf_buf_append(b, k, (size_t)(s - k));
            continue;
        }
        s++;
        while (is_space(*s))
            s++;
        const char *v = s;
        s = value_end(s);
        zf_buf_append(b, k, klen);
        zf_buf_putc(b, '=');
        if ((hide = is_secret_key(k, klen)))
            zf_buf_puts(b, REDACTED);
        else
            zf_buf_append(b, v, (size_t)(s - v));
        while (is_space(*s))
            zf_buf_putc(b, *s++);
    }
}

/* A URI's query: name=value pairs separated by '&'. */
static void redact_query(zf_buf *b, const char *q)
{
    while (*q) {
        size_t n = strcspn(q, "&");
        size_t klen = strcspn(q, "=&");
        if (klen < n && is_secret_key(q, klen)) {
            zf_buf_append(b, q, klen + 1);
            zf_buf_puts(b, REDACTED);
        } else {
            zf_buf_append(b, q, n);
        }
        q += n;
        if (*q == '&')
            zf_buf_putc(b, *q++);
    }
}

/* scheme://[user[:password]@]host[:port][/path][?query] */
static void redact_uri(zf_buf *b, const char *dsn, const char *authority)
{
    size_t alen = strcspn(authority, "/?#");
    const char *at = NULL;
    for (const char *p = authority; p < authority + alen; p++)
        if (*p == '@')
            at = p; /* the last one: an unencoded '@' belongs to the password */
    const char *colon = at ? memchr(authority, ':', (size_t)(at - authority)) : NULL;
    if (colon) {
        zf_buf_append(b, dsn, (size_t)(colon + 1 - dsn));
        zf_buf_puts(b, REDACTED);
        zf_buf_append(b, at, (size_t)(authority + alen - at));
    } else {
        zf_buf_append(b, dsn, (size_t)(authority + alen - dsn));
    }
    const char *rest = authority + alen;
    const char *q = strchr(rest, '?');
    if (!q) {
        zf_buf_puts(b, rest);
        return;
    }
    zf_buf_append(b, rest, (size_t)(q + 1 - rest));
    redact_query(b, q + 1);
}

/* "postgresql:host=... password=...": the scheme is copied, and the rest is
 * libpq's keyword form; a text without a scheme is keywords whole. */
static const char *keywords_after_scheme(zf_buf *b, const char *dsn)
{
    static const char *const schemes[] = {"postgresql:", "postgres:"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i]);
        if (strncmp(dsn, schemes[i], n) == 0) {
            zf_buf_append(b, dsn, n);
            return dsn + n;
        }
    }
    return dsn;
}

int zf_store_redact_dsn(char **out, const char *dsn, zf_error *err)
{
    zf_buf b = ZF_BUF_INIT(DSN_SHOWN_MAX);
    const char *sep = strstr(dsn, "://");
    *out = NULL;
    if (sep)
        redact_uri(&b, dsn, sep + 3);
    else if (strncmp(dsn, "sqlite:", 7) == 0)
        zf_buf_puts(&b, dsn); /* a path: nothing secret in it */
    else
        redact_keywords(&b, keywords_after_scheme(&b, dsn));
    if (b.failed || !(*out = zf_buf_take(&b))) {
        zf_buf_free(&b);
        return zf_error_set(err, ZF_ENOMEM, "database DSN too long to show");
    }
    return 0;
}
