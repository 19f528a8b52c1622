/*
 * Error codes and the error detail record.
 *
 * Every public function returns int: 0 on success, a negative zf_code on
 * failure. The detail (HTTP status, Zoom's numeric code, retry-after, a
 * one-line message and a hint that says what to do) is written into a
 * zf_error by the function that detects the failure; callers pass it up
 * unchanged. Numbers in ZF_ERRNO_MAP never change once released. A hint is
 * an id with neutral words and arguments (hint.h); surfaces render it, and
 * surfaces map codes to their own outcomes (the CLI's exit statuses live in
 * src/cli/errors.c).
 */
#ifndef ZOOMFLOW_ERROR_H
#define ZOOMFLOW_ERROR_H

#include <stdint.h>

#include "zoomflow/export.h"
#include "zoomflow/hint.h"

ZF_PUBLIC_BEGIN

/* X(name, number, short description) */
#define ZF_ERRNO_MAP(X)                                                                            \
    X(EINVAL, -1, "invalid argument")                                                              \
    X(ENOMEM, -2, "out of memory")                                                                 \
    X(EIO, -3, "input/output error")                                                               \
    X(ENET, -4, "network error")                                                                   \
    X(ETIMEOUT, -5, "timed out")                                                                   \
    X(ETLS, -6, "TLS certificate verification failed")                                             \
    X(EHTTP, -7, "unexpected HTTP response")                                                       \
    X(EPARSE, -8, "malformed response")                                                            \
    X(EAUTH, -9, "authentication failed")                                                          \
    X(EREAUTH, -10, "connection needs re-authorization")                                           \
    X(ESCOPE, -11, "missing OAuth scope")                                                          \
    X(ERATELIMIT, -12, "rate limited")                                                             \
    X(EDAILYLIMIT, -13, "daily limit reached")                                                     \
    X(EZOOM, -14, "Zoom rejected the request")                                                     \
    X(ESERVER, -15, "Zoom server error")                                                           \
    X(ENOTFOUND, -16, "not found")                                                                 \
    X(ECONFLICT, -17, "conflict")                                                                  \
    X(EVALIDATION, -18, "invalid input")                                                           \
    X(ESTORE, -19, "store error")                                                                  \
    X(ECRYPT, -20, "cannot decrypt stored secrets")                                                \
    X(ENOTCONNECTED, -21, "not connected")                                                         \
    X(ESTATE, -22, "OAuth state invalid")                                                          \
    X(EPATH, -23, "path refused")                                                                  \
    X(ETOOBIG, -24, "response too large")                                                          \
    X(ECONFIG, -25, "configuration error")                                                         \
    X(EAMBIGUOUS, -26, "outcome unknown")                                                          \
    X(EBUSY, -27, "resource busy")                                                                 \
    X(ECANCELED, -28, "canceled")                                                                  \
    X(EFORBIDDEN, -29, "permission denied")

typedef enum zf_code {
    ZF_OK = 0,
#define ZF_X_ENUM(name, num, desc) ZF_##name = num,
    ZF_ERRNO_MAP(ZF_X_ENUM)
#undef ZF_X_ENUM
} zf_code;

#define ZF_ERROR_MSG_MAX 512
#define ZF_ERROR_HINT_MAX 512
#define ZF_ERROR_HINT_ARG_MAX 256

typedef struct zf_error {
    int code;            /* zf_code, 0 when no error */
    int http_status;     /* 0 when no HTTP exchange was involved */
    int zoom_code;       /* Zoom's numeric "code", 0 when none */
    int64_t retry_after; /* seconds to wait, or -1 when unknown */
    int64_t reset_at;    /* unix time a daily limit resets, 0 when unknown */
    char message[ZF_ERROR_MSG_MAX];
    char hint[ZF_ERROR_HINT_MAX]; /* the advice in neutral words, "" when none */
    int hint_id;                  /* zf_hint, ZF_HINT_NONE when none */
    /* the values the advice names, by zf_hint_arg; "" when not given */
    char hint_arg[ZF_HINT_ARG_COUNT][ZF_ERROR_HINT_ARG_MAX];
} zf_error;

#define ZF_ERROR_INIT                                                                              \
    {                                                                                              \
        0, 0, 0, -1, 0, {0}, {0}, ZF_HINT_NONE,                                                    \
        {                                                                                          \
            {                                                                                      \
                0                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

const char *zf_strerror(int code);
const char *zf_code_name(int code);

void zf_error_reset(zf_error *err);
/* A new error: sets code and message (printf-style) and drops the hint of
 * any earlier error (words, id, arguments), so set the hint after it.
 * Returns code so callers can `return zf_error_set(err, ZF_EINVAL, "...")`.
 * err may be NULL. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int zf_error_set(zf_error *err, int code, const char *fmt, ...);
/* The same failure told again (more context, another code): sets code and
 * message like zf_error_set but keeps the hint, whose advice still holds.
 * The message may be built from err->message. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int zf_error_restate(zf_error *err, int code, const char *fmt, ...);
/* The library's hint: id and neutral words (printf-style; NULL fmt = the
 * id's words from ZF_HINT_MAP). Clears the arguments of an earlier hint. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void zf_error_hint_id(zf_error *err, zf_hint id, const char *fmt, ...);
/* Sets one argument of the hint (cut to ZF_ERROR_HINT_ARG_MAX - 1; NULL = ""). */
void zf_error_hint_arg(zf_error *err, zf_hint_arg which, const char *value);
/* A surface's own hint, in its own words (id ZF_HINT_NONE): for the CLI
 * and the service, never the library (tests/unit/test_hints.c checks). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void zf_error_hint(zf_error *err, const char *fmt, ...);

ZF_PUBLIC_END

#endif
