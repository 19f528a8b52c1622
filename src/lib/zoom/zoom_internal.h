/*
 * Internals of the zoom client shared by the files of src/lib/zoom, the
 * unit tests and the fuzz targets. Everything here except the transport hook is a pure
 * function: no socket, no clock, no sleep, so the retry and error decisions
 * can be tested exhaustively.
 */
#ifndef ZOOMFLOW_ZOOM_INTERNAL_H
#define ZOOMFLOW_ZOOM_INTERNAL_H

#include <stdbool.h>

#include "zoomflow/zoom.h"
#include "text.h"

/* Caps on what the client reads from Zoom's answers before parsing. */
#define ZF_ZOOM_ERRBODY_MAX ((size_t)64 << 10)
#define ZF_ZOOM_URL_MAX ((size_t)16 << 10)

/* --- path.c */

/* out = {origin of base}/v2{path}[?|&]{query}; base must be
 * http(s)://host[:port] with nothing after it but an optional "/", "/v2" or
 * "/v2/" (zf_tokens hands out "{api_url}/v2"). path must have passed
 * zf_zoom_check_path. */
int zf_zoom__build_url(zf_buf *out, const char *base, const char *path, const zf_zoom_param *query,
                       size_t nquery, zf_error *err);
/* Writes "scheme://host[:port]" of an http(s) URL, lower-cased; false when
 * url is not one or the origin does not fit in outlen. */
bool zf_zoom__url_origin(const char *url, char *out, size_t outlen);
/* 0 when base is an acceptable API base (see build_url), else ZF_ECONFIG. */
int zf_zoom__check_base(const char *base, zf_error *err);

/* --- headers.c (and the header lookup of util's text.h) */

/* Case-insensitive header lookup in a "Name: value\r\n" block; the trimmed
 * value goes to out. Returns out or NULL. One parser for the whole tree
 * (util's text.h); the zoom files and tests keep this name for it. */
#define zf_zoom__header zf_header_find
/* Retry-After as delta seconds, ISO-8601 date-time (Z or +hh[:mm] offset,
 * optional fraction; no offset = UTC) or HTTP-date (IMF-fixdate). Sets *at_s
 * to the absolute unix time. 0, or ZF_EPARSE for anything else (ZF_EINVAL
 * when v is NULL). */
int zf_zoom__parse_retry_after(const char *v, int64_t now_s, int64_t *at_s);
/* Next 00:00 UTC strictly after now_s. */
int64_t zf_zoom__next_utc_midnight(int64_t now_s);

/* --- retry.c */

/* Full jitter: a value in [0, min(max_backoff, base * 2^n)], from rnd. */
int64_t zf_zoom__backoff_ms(const zf_zoom_retry *policy, int n, uint64_t rnd);

/* What one HTTP exchange produced, as the decision sees it. */
typedef struct zf_zoom_outcome {
    int transport_err; /* 0, or the zf_code zf_http_do returned */
    const char *transport_msg;
    int sent;    /* as zf_http_resp.sent */
    long status; /* 0 when no response */
    const char *headers;
    const char *body;
    size_t body_len;
    int body_bad; /* a 2xx whose body is not the JSON it should be */
} zf_zoom_outcome;

typedef enum zf_zoom_action {
    ZF_ZOOM_DONE = 0, /* success: hand the response to the caller */
    ZF_ZOOM_RETRY,    /* sleep delay_ms, then send again */
    ZF_ZOOM_REAUTH,   /* reject the token, then send again at once */
    ZF_ZOOM_FAIL      /* err holds the failure */
} zf_zoom_action;

typedef struct zf_zoom_decision {
    zf_zoom_action action;
    int64_t delay_ms;
    int qps_limited; /* a per-second 429: the pacer backs off the category */
} zf_zoom_decision;

typedef struct zf_zoom_attempt {
    int attempt;        /* 1 for the first exchange */
    int64_t elapsed_ms; /* since the call started */
    int64_t now_s;      /* wall clock, for Retry-After dates */
    uint64_t rnd;       /* randomness for jitter */
    int rejected;       /* the token was already rejected once in this call */
} zf_zoom_attempt;

/* The whole retry policy. On FAIL, err is filled (code, status, Zoom code,
 * message, hint); err may be touched on other actions too. */
void zf_zoom__decide(const zf_zoom_retry *policy, zf_zoom_kind kind, const zf_zoom_outcome *o,
                     const zf_zoom_attempt *a, zf_zoom_decision *d, zf_error *err);

/* --- errors.c */

/* Maps a non-2xx answer to err (never 0). attempts goes into the hints
 * that mention retries. */
int zf_zoom__map_error(long status, const char *headers, const char *body, size_t len, int attempts,
                       int64_t now_s, zf_error *err);
/* A 429 that is a daily limit (X-RateLimit-Type or Zoom's message). */
int zf_zoom__is_daily_limit(const char *headers, const char *body, size_t len);
/* Zoom's numeric code from an error body, 0 when none. */
int zf_zoom__body_code(const char *body, size_t len);
/* Fills err for a daily limit reached, resetting at reset_s. */
int zf_zoom__daily_error(zf_error *err, long status, int64_t reset_s, int per_host);
/* Appends up to max bytes of body to out, control bytes escaped, secrets
 * redacted. */
void zf_zoom__snippet(const char *body, size_t len, size_t max, char *out, size_t outlen);

/* --- pacer.c */

#define ZF_ZOOM_NCAT 5 /* Light, Medium, Heavy, Resource-intensive, unknown */

typedef struct zf_zoom_pace {
    int64_t interval_ms; /* spacing between requests, 0 = none */
    int64_t next_ms;     /* monotonic time the next request may go */
    int64_t penalty_ms;  /* extra spacing after QPS 429s, decays on success */
    long limit;          /* last X-RateLimit-Limit (-1 unknown) */
    long remaining;      /* last X-RateLimit-Remaining (-1 unknown) */
} zf_zoom_pace;

typedef struct zf_zoom_pacer {
    zf_zoom_pace cat[ZF_ZOOM_NCAT];
    /* learned category per route ("GET /users/{id}"), small and overwritten */
    struct {
        char route[96];
        int cat;
    } routes[32];
    unsigned next_route;
} zf_zoom_pacer;

void zf_zoom__pacer_init(zf_zoom_pacer *p);
/* Category index of a name ("light", ...); ZF_ZOOM_NCAT-1 when unknown. */
int zf_zoom__category(const char *name);
/* The category to pace a request with: the hint, else what was learned for
 * its route, else unknown. */
int zf_zoom__pacer_category(const zf_zoom_pacer *p, const char *hint, const char *method,
                            const char *path);
/* Milliseconds to wait before sending in category c at now_ms; reserves the
 * slot (the next request in c goes after this one). */
int64_t zf_zoom__pacer_wait(zf_zoom_pacer *p, int c, int64_t now_ms);
/* Learns from an answer's headers (category, limit, remaining) and, after
 * a QPS 429, backs the category off. */
void zf_zoom__pacer_update(zf_zoom_pacer *p, int c, const char *method, const char *path,
                           const char *headers, long status, int qps_limited, int64_t now_ms);

/* --- test hook (client.c): replaces zf_http_do for this client. */
typedef int (*zf_zoom__transport_fn)(void *ctx, const zf_http_req *req, zf_http_resp *resp,
                                     zf_error *err);
void zf_zoom__set_transport(zf_zoom *z, zf_zoom__transport_fn fn, void *ctx);
/* Replaces the jitter source (tests); NULL restores the default. */
void zf_zoom__set_random(zf_zoom *z, uint64_t (*fn)(void *ctx), void *ctx);

#endif
