/*
 * Logging and secrets.
 *
 * zf_secret holds a token, client secret, PKCE verifier or webhook secret:
 * zeroed when freed, compared in constant time, and never printed: the log
 * functions have no way to format one, and zf_log_redact() scrubs
 * Authorization headers and token-shaped fields from any text that is
 * about to be logged or traced.
 *
 * The log sink is the library's one mutable global (STYLE.md): set it once
 * at start-up, before threads run.
 */
#ifndef ZOOMFLOW_LOG_H
#define ZOOMFLOW_LOG_H

#include <stddef.h>

#define ZF_REDACTED "[redacted]"

typedef struct zf_secret {
    char *ptr; /* NUL-terminated; NULL when empty */
    size_t len;
} zf_secret;

#define ZF_SECRET_INIT {NULL, 0}

/* Copies len bytes of v (replacing any old value, which is wiped). */
int zf_secret_set(zf_secret *s, const char *v, size_t len);
int zf_secret_copy(zf_secret *dst, const zf_secret *src);
/* Wipes and frees; the secret is empty afterwards. NULL-safe. */
void zf_secret_free(zf_secret *s);
/* Constant-time equality with v (length is not secret). */
int zf_secret_eq(const zf_secret *s, const char *v, size_t len);
int zf_secret_empty(const zf_secret *s);
/* The plaintext, for the few places that must send it (HTTP layer,
 * encryption). "" when empty. */
const char *zf_secret_reveal(const zf_secret *s);

typedef enum zf_log_level {
    ZF_LOG_ERROR = 0,
    ZF_LOG_WARN,
    ZF_LOG_INFO,
    ZF_LOG_DEBUG,
    ZF_LOG_TRACE
} zf_log_level;

/* line: one redacted log line without a trailing newline. */
typedef void (*zf_log_sink_fn)(void *ctx, zf_log_level level, const char *line);

/* Default: text lines to stderr at WARN and above. json != 0 writes JSON
 * lines {"ts","level","module","msg"}. sink NULL = stderr. */
void zf_log_configure(zf_log_sink_fn sink, void *ctx, zf_log_level max, int json);
int zf_log_enabled(zf_log_level level);
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void zf_log(zf_log_level level, const char *module, const char *fmt, ...);

/* Scrubs secrets from text in place (the text can only shrink): values of
 * Authorization / Proxy-Authorization headers, and of access_token,
 * refresh_token, client_secret, code, code_verifier, password,
 * download_access_token, plainToken/encryptedToken, token in JSON fields,
 * query strings and form bodies become [redacted]. */
void zf_log_redact(char *text);

#endif
