/*
 * The HTTP transport: the only code that includes curl.h.
 *
 * One zf_http per thread (it is not thread-safe); it keeps connections alive
 * between requests. TLS verification is always on; ca_file adds a CA bundle
 * (tests use their own CA). Proxies come from the environment (libcurl's
 * http_proxy/https_proxy/no_proxy). Buffered bodies are capped at
 * max_response bytes (ZF_ETOOBIG beyond). A non-2xx status is not an error
 * here: zf_http_do returns 0 with resp->status set; errors are transport
 * failures (ZF_ENET, ZF_ETIMEOUT, ZF_ETLS, ZF_ETOOBIG, ZF_ECANCELED). A
 * request that breaks the contract of zf_http_req (a URL that is not an
 * absolute http(s) URL, a header that is not one "Name: value" line, a CR
 * or LF in the bearer token or the basic credentials) is the caller's
 * mistake: ZF_EINVAL, and nothing is sent.
 *
 * At most once: a request whose method is not GET, HEAD or OPTIONS (POST,
 * PATCH, PUT, DELETE, and any other) never goes out on a reused keep-alive
 * connection; it always opens a new one. libcurl silently resends a request
 * when a reused connection dies before the answer starts ("Connection died,
 * retrying a fresh connect"), and offers no switch to turn that off; on a
 * connection opened for the request it never resends. So a zf_http_do sends
 * a non-idempotent request at most once, and when it fails after sending
 * (resp->sent 1, no status) the caller alone decides whether to reconcile
 * or resend: a create must not be duplicated, a DELETE resent would answer
 * 404 for the caller's own success, and OAuth's POST /oauth/token must not
 * spend a single-use refresh token twice. The choice is derived from the
 * method, not a per-request flag, so no caller can forget it. Cost: one TCP
 * (and TLS) connect per write; the new connection is kept, so the reads that
 * follow reuse it.
 */
#ifndef ZOOMFLOW_HTTP_H
#define ZOOMFLOW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"
#include "zoomflow/log.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

typedef struct zf_http zf_http;

typedef struct zf_http_opts {
    long connect_timeout_ms; /* default 10 s */
    long timeout_ms;         /* whole request; 0 = no limit (downloads) */
    const char *ca_file;     /* extra trusted CA bundle (PEM), or NULL */
    size_t max_response;     /* cap for buffered response bodies */
    const char *user_agent;  /* NULL = "zoomflow/<version>" */
    int trace;               /* log each exchange at ZF_LOG_TRACE, redacted */
    long stall_timeout_ms;   /* fail when no byte moves for this long, even
                                with timeout_ms 0 (downloads); 0 = never */
} zf_http_opts;

#define ZF_HTTP_OPTS_INIT                                                                          \
    {                                                                                              \
        10000, 60000, NULL, (size_t)64 << 20, NULL, 0, 60000                                       \
    }

int zf_http_new(zf_http **out, const zf_http_opts *opts, zf_error *err);
void zf_http_free(zf_http *h);

typedef struct zf_http_req {
    const char *method;         /* "GET", "POST", ... */
    const char *url;            /* absolute http(s) URL */
    const char *const *headers; /* "Name: value", NULL-terminated, or NULL */
    const char *body;           /* may be NULL */
    size_t body_len;
    const zf_secret *bearer; /* Authorization: Bearer ..., or NULL */
    const char *basic_user;  /* HTTP Basic (OAuth client auth), or NULL */
    const zf_secret *basic_pass;
    long timeout_ms; /* overrides the handle's when > 0 */
    /* Streaming: when sink is set a 2xx body goes there, not to resp->body
     * (other statuses are buffered, so Zoom's JSON error can be read).
     * Return non-zero from sink to abort (ZF_ECANCELED). */
    int (*sink)(void *ctx, const void *data, size_t n);
    void *sink_ctx;
    uint64_t range_from;  /* > 0 sends Range: bytes=N- (GET only) */
    int follow_redirects; /* downloads follow Zoom's redirects */
} zf_http_req;

#define ZF_HTTP_REQ_INIT                                                                           \
    {                                                                                              \
        NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0, NULL, NULL, 0, 0                           \
    }

typedef struct zf_http_resp {
    long status;         /* 0 when no response arrived */
    zf_buf body;         /* buffered body (NUL-terminated) unless streamed */
    zf_buf headers;      /* the final response's header lines, "Name: value\r\n" */
    int sent;            /* 0 only when the request provably never reached the
                            server (DNS, connect or TLS handshake failed) */
    char request_id[48]; /* Zoom's x-zm-trackingid when present */
    double seconds;      /* wall time of the exchange */
    long redirects;      /* redirects followed: the final answer may be another host's */
} zf_http_resp;

void zf_http_resp_init(zf_http_resp *r);
void zf_http_resp_free(zf_http_resp *r);
/* Case-insensitive lookup in resp->headers; copies the trimmed value into
 * out (truncated to outlen-1). Returns out, or NULL when absent. */
const char *zf_http_resp_header(const zf_http_resp *r, const char *name, char *out, size_t outlen);

/* resp must have been set up with zf_http_resp_init; zf_http_do releases
 * what it held first, so one resp can serve many requests. */
int zf_http_do(zf_http *h, const zf_http_req *req, zf_http_resp *resp, zf_error *err);

/* Call once before threads start (curl_global_init); zf_http_new calls it
 * too, guarded by pthread_once. */
int zf_http_global_init(void);

/* zf_http_global_init for a program that owns its process and wants it
 * small (zoomflow serve): OpenSSL is initialised without its error-string
 * tables (about 0.5 MiB resident), its configuration file still read.
 * OpenSSL's reasons in TLS errors are then codes, and the error says which
 * `openssl errstr CODE` explains. Call it first, before anything uses
 * OpenSSL or libcurl; it cannot take the strings back out: ZF_EINVAL when
 * zf_http_global_init already ran (initialised as usual), ZF_EIO when
 * libcurl fails. Not for a library host that reports OpenSSL's errors
 * itself: the strings are gone for the whole process. */
int zf_http_global_init_lean(void);

ZF_PUBLIC_END

#endif
