/*
 * Error codes and the error detail record.
 *
 * Every public function returns int: 0 on success, a negative zf_code on
 * failure. The detail (HTTP status, Zoom's numeric code, retry-after, a
 * one-line message and a hint that says what to do) is written into a
 * zf_error by the function that detects the failure; callers pass it up
 * unchanged. Numbers in ZF_ERRNO_MAP never change once released.
 */
#ifndef ZOOMFLOW_ERROR_H
#define ZOOMFLOW_ERROR_H

#include <stdint.h>

#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* X(name, number, exit status for the CLI, short description) */
#define ZF_ERRNO_MAP(X)                                                            \
    X(EINVAL, -1, 2, "invalid argument")                                           \
    X(ENOMEM, -2, 1, "out of memory")                                              \
    X(EIO, -3, 1, "input/output error")                                            \
    X(ENET, -4, 5, "network error")                                                \
    X(ETIMEOUT, -5, 5, "timed out")                                                \
    X(ETLS, -6, 5, "TLS certificate verification failed")                         \
    X(EHTTP, -7, 6, "unexpected HTTP response")                                    \
    X(EPARSE, -8, 6, "malformed response")                                         \
    X(EAUTH, -9, 3, "authentication failed")                                       \
    X(EREAUTH, -10, 3, "connection needs re-authorization")                        \
    X(ESCOPE, -11, 3, "missing OAuth scope")                                       \
    X(ERATELIMIT, -12, 7, "rate limited")                                          \
    X(EDAILYLIMIT, -13, 7, "daily limit reached")                                  \
    X(EZOOM, -14, 6, "Zoom rejected the request")                                  \
    X(ESERVER, -15, 5, "Zoom server error")                                        \
    X(ENOTFOUND, -16, 6, "not found")                                              \
    X(ECONFLICT, -17, 6, "conflict")                                               \
    X(EVALIDATION, -18, 2, "invalid input")                                        \
    X(ESTORE, -19, 1, "store error")                                               \
    X(ECRYPT, -20, 4, "cannot decrypt stored secrets")                             \
    X(ENOTCONNECTED, -21, 3, "not connected")                                      \
    X(ESTATE, -22, 3, "OAuth state invalid")                                       \
    X(EPATH, -23, 2, "path refused")                                               \
    X(ETOOBIG, -24, 6, "response too large")                                       \
    X(ECONFIG, -25, 2, "configuration error")                                      \
    X(EAMBIGUOUS, -26, 6, "outcome unknown")                                       \
    X(EBUSY, -27, 1, "resource busy")                                              \
    X(ECANCELED, -28, 1, "canceled")

typedef enum zf_code {
    ZF_OK = 0,
#define ZF_X_ENUM(name, num, exit, desc) ZF_##name = num,
    ZF_ERRNO_MAP(ZF_X_ENUM)
#undef ZF_X_ENUM
} zf_code;

#define ZF_ERROR_MSG_MAX 512
#define ZF_ERROR_HINT_MAX 512

typedef struct zf_error {
    int code;            /* zf_code, 0 when no error */
    int http_status;     /* 0 when no HTTP exchange was involved */
    int zoom_code;       /* Zoom's numeric "code", 0 when none */
    int64_t retry_after; /* seconds to wait, or -1 when unknown */
    int64_t reset_at;    /* unix time a daily limit resets, 0 when unknown */
    char message[ZF_ERROR_MSG_MAX];
    char hint[ZF_ERROR_HINT_MAX];
} zf_error;

#define ZF_ERROR_INIT {0, 0, 0, -1, 0, {0}, {0}}

const char *zf_strerror(int code);
const char *zf_code_name(int code);
/* The CLI's exit status for a code (documented in `zoomflow --help`). */
int zf_code_exit_status(int code);

void zf_error_clear(zf_error *err);
/* Sets code and message (printf-style); returns code so callers can
 * `return zf_error_set(err, ZF_EINVAL, "...")`. err may be NULL. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int zf_error_set(zf_error *err, int code, const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void zf_error_hint(zf_error *err, const char *fmt, ...);

ZF_PUBLIC_END

#endif
