/*
 * Logging. The log functions have no way to format a zf_secret (secret.h),
 * and zf_log_redact() scrubs Authorization headers and token-shaped fields
 * from any text that is about to be logged or traced.
 *
 * The log sink is the library's one mutable global (STYLE.md): set it once
 * at start-up, before threads run.
 */
#ifndef ZOOMFLOW_LOG_H
#define ZOOMFLOW_LOG_H

#include "zoomflow/secret.h"

#include <stddef.h>

#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

#define ZF_REDACTED "[redacted]"

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

ZF_PUBLIC_END

#endif
