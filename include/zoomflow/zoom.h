/*
 * The Zoom API client: builds {api_base}/v2{path}?{query}, attaches the
 * bearer token (only ever to the API base's origin), paces requests per
 * rate-limit category, retries what is safe to retry, and maps Zoom's error
 * bodies to zf_error with a hint that says what to do.
 *
 * Retry contract (DESIGN §6), by request kind:
 *   READ    (GET)              retried on transport errors, 429 and 5xx.
 *   WRITE   (PATCH/PUT/DELETE) treated as idempotent: retried like READ.
 *           A PATCH that Zoom applied twice leaves the same state; a DELETE
 *           repeated after success answers 404, which the caller sees.
 *   CREATE  (POST)             retried only when provably unprocessed: the
 *           request never reached Zoom (DNS/connect/TLS failure) or a
 *           per-second 429. Anything ambiguous (timeout or cut after
 *           sending, 5xx, truncated or malformed 2xx body) returns
 *           ZF_EAMBIGUOUS so the action layer reconciles before retrying.
 *   any     401 code 124: the token is rejected once through the token
 *           source (a forced refresh) and the request repeated; a second 124
 *           is ZF_EREAUTH. Daily-limit 429s fail fast with ZF_EDAILYLIMIT
 *           and err->reset_at.
 * Backoff is exponential with full jitter, Retry-After wins when given, and
 * no sleep ever goes past the total time budget.
 *
 * One zf_zoom per thread (like zf_http, which it owns).
 */
#ifndef ZOOMFLOW_ZOOM_H
#define ZOOMFLOW_ZOOM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"
#include "zoomflow/http.h"
#include "zoomflow/log.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* Longest path (after /v2) zf_zoom_check_path accepts. */
#define ZF_ZOOM_PATH_MAX 2048
/* Extra request headers zf_zoom_req.headers may carry; more are ignored. */
#define ZF_ZOOM_HEADERS_MAX 16

/*
 * Where the client gets its access token. get() fills token with a valid
 * access token and *api_base with the API origin (malloc'd, e.g.
 * "https://api.zoom.us" or "https://api.zoom.us/v2"; the client frees it).
 * reject() is called after a 401 code 124 with the token that was refused; it forces one refresh
 * unless someone already replaced that token, and fills token with the new one. release() (may be
 * NULL) frees ctx; zf_zoom_tokens_free() calls it. kind() (may be NULL: not
 * known) says whose token it is: the zf_conn_kind of store.h (0 a user's
 * OAuth grant, 1 Server-to-Server, no user behind it), or -1 when it cannot
 * tell; asked only when a request needs to know (a path naming `me`).
 */
typedef struct zf_zoom_tokens {
    void *ctx;
    int (*get)(void *ctx, zf_secret *token, char **api_base, zf_error *err);
    int (*reject)(void *ctx, const zf_secret *rejected, zf_secret *token, zf_error *err);
    void (*release)(void *ctx);
    int (*kind)(void *ctx);
} zf_zoom_tokens;

/* A fixed token (`--token`, tests): reject() cannot refresh, so a 124 ends
 * in ZF_EREAUTH. api_base NULL = "https://api.zoom.us". */
int zf_zoom_tokens_static(zf_zoom_tokens *out, const char *token, const char *api_base,
                          zf_error *err);
/* A stored connection (tokens.h): zf_tokens_access / zf_tokens_reject for
 * conn_id (NULL = "default"). tk is borrowed and must outlive the source. */
typedef struct zf_tokens zf_tokens;
int zf_zoom_tokens_conn(zf_zoom_tokens *out, zf_tokens *tk, const char *conn_id, zf_error *err);
void zf_zoom_tokens_free(zf_zoom_tokens *src);
/* Sends every call from src to api_base instead of the base src hands out
 * (e.g. the connection's, from Zoom's api_url): an explicit --api-base /
 * ZOOMFLOW_API_BASE, to reach Zoom through a proxy or pin a cluster. The
 * token and refresh behaviour stay src's. On success src is wrapped in
 * place (releasing it releases the original too); api_base is checked like
 * any base (ZF_ECONFIG naming the problem) and on failure src is untouched. */
int zf_zoom_tokens_pin_base(zf_zoom_tokens *src, const char *api_base, zf_error *err);

typedef struct zf_zoom_retry {
    int max_attempts;       /* including the first; >= 1 */
    int64_t base_ms;        /* first backoff ceiling */
    int64_t max_backoff_ms; /* ceiling of any one backoff */
    int64_t budget_ms;      /* total time for one zf_zoom_call, sleeps included */
} zf_zoom_retry;

#define ZF_ZOOM_RETRY_INIT                                                                         \
    {                                                                                              \
        5, 500, 30000, 120000                                                                      \
    }

typedef struct zf_zoom_opts {
    zf_zoom_tokens tokens; /* borrowed: must outlive the client */
    zf_http_opts http;
    zf_zoom_retry retry;
    /* Monotonic milliseconds, wall-clock unix seconds and sleep; NULL = the
     * system's. Tests pass fakes so nothing really sleeps. */
    int64_t (*mono_ms)(void *ctx);
    int64_t (*wall_s)(void *ctx);
    void (*sleep_ms)(void *ctx, int64_t ms);
    void *clock_ctx;
    int pacer; /* 1 = pace requests per rate-limit category (default) */
} zf_zoom_opts;

#define ZF_ZOOM_OPTS_INIT                                                                          \
    {                                                                                              \
        {NULL, NULL, NULL, NULL, NULL}, ZF_HTTP_OPTS_INIT, ZF_ZOOM_RETRY_INIT, NULL, NULL, NULL,   \
            NULL, 1                                                                                \
    }

typedef struct zf_zoom zf_zoom;

int zf_zoom_new(zf_zoom **out, const zf_zoom_opts *opts, zf_error *err);
/* A client for another thread made from z: the same token source (which
 * must then be thread-safe, as a session's is), retry policy, clocks and
 * HTTP options (their strings must outlive both), its own connections and
 * stats, and z's rate-limit pacer shared under a lock, so that requests
 * from z and all its siblings are paced together (a for_each with
 * concurrency, runner.h). Each is freed on its own, in any order. */
int zf_zoom_sibling_new(zf_zoom **out, zf_zoom *z, zf_error *err);
/* The token source z was made with (borrowed; lives as long as z). */
const zf_zoom_tokens *zf_zoom_token_source(const zf_zoom *z);
/* The kind of z's connection (zf_zoom_tokens.kind): 0 user OAuth, 1
 * Server-to-Server, -1 not known (a fixed token, or the row unreadable). */
int zf_zoom_conn_kind(const zf_zoom *z);
void zf_zoom_free(zf_zoom *z);

typedef enum zf_zoom_kind {
    ZF_ZOOM_READ = 0, /* GET */
    ZF_ZOOM_CREATE,   /* POST: not idempotent at Zoom */
    ZF_ZOOM_WRITE     /* PATCH, PUT, DELETE: treated as idempotent */
} zf_zoom_kind;

typedef struct zf_zoom_param {
    const char *key;
    const char *value; /* both percent-encoded by the client */
} zf_zoom_param;

typedef struct zf_zoom_req {
    const char *method; /* NULL = from kind: GET / POST / PATCH */
    const char *path;   /* relative to {api_base}/v2, e.g. "/users/me" */
    const zf_zoom_param *query;
    size_t nquery;
    const char *body; /* JSON, sent with Content-Type: application/json */
    size_t body_len;
    zf_zoom_kind kind;
    /* Rate-limit category hint ("Light", "Medium", "Heavy",
     * "Resource-intensive"), or NULL to learn it from Zoom's answers. */
    const char *category;
    /* Streaming: 2xx bodies go to sink instead of resp->body. */
    int (*sink)(void *ctx, const void *data, size_t n);
    void *sink_ctx;
    /* 1 = a 2xx body is only checked (strict RFC 8259, json_scan), not
     * parsed: resp->json stays NULL and resp->body holds the JSON. A body
     * that fails the check is a malformed answer, as when parsing. */
    int raw_json;
    /* Extra request headers, "Name: value", NULL-terminated, or NULL. One
     * named Accept or Content-Type replaces the client's own; the caller
     * keeps Authorization and Host out (the bearer token is the client's)
     * and CR/LF out of every line. */
    const char *const *headers;
    /* With raw_json: the check of a 2xx body instead of the plain strict
     * one, e.g. one pass that also finds what the caller needs (the
     * pager's). 0 = valid JSON; anything else makes it a malformed answer.
     * Called once per attempt, on the calling thread. NULL = plain. */
    int (*raw_check)(void *ctx, const char *body, size_t len);
    void *raw_check_ctx;
    /* A buffer whose allocation the first attempt reads its body into
     * (its bytes are dropped; it is left empty), so that a caller reading
     * page after page reuses its memory instead of growing a new one each
     * time. NULL = a new buffer. */
    zf_buf *body_room;
} zf_zoom_req;

#define ZF_ZOOM_REQ_INIT                                                                           \
    {                                                                                              \
        NULL, NULL, NULL, 0, NULL, 0, ZF_ZOOM_READ, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL    \
    }

typedef struct zf_zoom_resp {
    long status;
    zf_buf body;         /* the raw body (empty when streamed) */
    json_t *json;        /* parsed 2xx body, NULL when empty or streamed */
    char request_id[48]; /* Zoom's tracking id, "" when none */
    int attempts;        /* HTTP exchanges made (also set on failure) */
    zf_buf headers;      /* the answer's raw "Name: value\r\n" header block */
    /* 1 when an attempt of this call reached Zoom and its outcome is
     * unknown (sent, then no answer; a 5xx; a malformed 2xx), so a write
     * retried after it may find its work already done. Also set on
     * failure: a DELETE whose retry answers 404 after such an attempt most
     * likely deleted the object the first time. */
    int unsure;
} zf_zoom_resp;

void zf_zoom_resp_init(zf_zoom_resp *r);
void zf_zoom_resp_free(zf_zoom_resp *r);
/* Value of response header `name` (case-insensitive, trimmed) into out;
 * NULL when absent. */
const char *zf_zoom_resp_header(const zf_zoom_resp *r, const char *name, char *out, size_t outlen);

/* 0 with resp filled on a 2xx answer; otherwise a negative zf_code with
 * err filled (http_status, zoom_code, retry_after, reset_at, hint),
 * resp->attempts and resp->unsure set, and, when the failure is Zoom's
 * answer (not a transport error, not a streamed body), resp->status,
 * headers and body holding that answer (json NULL). resp is the caller's
 * to free either way. */
int zf_zoom_call(zf_zoom *z, const zf_zoom_req *req, zf_zoom_resp *resp, zf_error *err);

/* What a client did since it was made, for metrics: read by the thread
 * that owns the client (like every zf_zoom call), e.g. before and after a
 * call to count that call's share. */
typedef struct zf_zoom_stats {
    int64_t calls;        /* zf_zoom_call invocations that sent something */
    int64_t attempts;     /* HTTP exchanges */
    int64_t retries;      /* exchanges repeated after a retryable failure */
    int64_t reauths;      /* 401 code 124 answers: a token rejected, refreshed */
    int64_t rate_limited; /* 429 answers */
    int64_t status_2xx, status_4xx, status_5xx, transport_errors; /* per attempt */
    int64_t pacer_waits;   /* times the rate-limit pacer made a request wait */
    int64_t pacer_wait_ms; /* and for how long in all */
    int64_t backoff_ms;    /* time slept between retries */
} zf_zoom_stats;

void zf_zoom_stats_get(const zf_zoom *z, zf_zoom_stats *out);

/* Refuses anything that could leave {api_base}/v2 (DESIGN §4): absolute
 * URLs, //host, '.'/'..' segments (also percent-encoded, at any decoding
 * depth), backslashes, control bytes (raw or encoded), '@' before the first
 * '/', '#', raw spaces and non-ASCII bytes, malformed %-escapes, empty or
 * longer than ZF_ZOOM_PATH_MAX. A '?' starts a query, checked the same way
 * except for segments. Returns 0 or ZF_EPATH with a message. */
int zf_zoom_check_path(const char *path, zf_error *err);

/* Appends value to b as one path segment, percent-encoded. A meeting UUID
 * that starts with '/' or contains "//" is encoded twice, as Zoom requires
 * (DESIGN §4); anything else once. Returns 0, or ZF_ENOMEM when b failed. */
int zf_zoom_put_segment(zf_buf *b, const char *value);

/* 1 when path (relative to /v2, before any '?') has a segment that is
 * Zoom's `me` keyword, the user behind the token ("/users/me",
 * "/users/me/meetings", "/report/users/me/meetings"), else 0. Pure. */
int zf_zoom_path_names_me(const char *path);

/*
 * Pagination by next_page_token (zoom-api.md §E). Streams page by page: one
 * page is held at a time; items returned by zf_pager_next are borrowed and
 * valid until the next call. The caller's query parameters are sent
 * identically on every page, plus next_page_token.
 *
 * When Zoom answers "The next page token is invalid or expired." (400/300)
 * part-way, the pager fails with ZF_EZOOM saying how many items were
 * delivered, unless opts.restart is set: then it starts again from the
 * first page (at most max_restarts times) and skips items whose
 * opts.dedupe_key field ("id", "email") it already delivered. Restarting
 * keeps one key per delivered item in memory.
 *
 * Raw mode (opts.raw = 1; then zf_pager_next_raw, not zf_pager_next): no
 * jansson tree is built. Each page body is checked with the strict scanner
 * (json_scan.h) and items are handed out as the bytes of their JSON value
 * inside the page body (compact or not, as Zoom sent them), valid until the
 * next call. next_page_token, total_records and the dedupe key are read
 * with the scanner; where a page repeats a key, the last one counts, as
 * with jansson. Everything else (query stability, the expired-token
 * failure or restart, one page held at a time) is as above.
 */
typedef struct zf_pager_opts {
    int restart;
    const char *dedupe_key;
    int max_restarts;
    const char *category; /* rate-limit category hint, as in zf_zoom_req */
    int raw;              /* 1 = raw mode: zf_pager_next_raw */
    /* raw mode: 1 = the next page is fetched on a thread of the pager's
     * while the caller works through the current one (two pages held);
     * the client is the pager's until zf_pager_free, and one page past the
     * last the caller takes may be fetched */
    int prefetch;
} zf_pager_opts;

#define ZF_PAGER_OPTS_INIT                                                                         \
    {                                                                                              \
        0, "id", 1, NULL, 0, 0                                                                     \
    }

typedef struct zf_pager zf_pager;

/* path, query and items_key are copied. opts may be NULL. */
int zf_pager_new(zf_pager **out, zf_zoom *z, const char *path, const zf_zoom_param *query,
                 size_t nquery, const char *items_key, const zf_pager_opts *opts, zf_error *err);
/* 1 with *item set (borrowed), 0 at the end, < 0 on error. */
int zf_pager_next(zf_pager *p, json_t **item, zf_error *err);
/* Raw mode: 1 with *item / *len set to the item's JSON bytes (borrowed, not
 * NUL-terminated), 0 at the end, < 0 on error. */
int zf_pager_next_raw(zf_pager *p, const char **item, size_t *len, zf_error *err);
/* total_records from the first page, -1 before it or when absent. */
int64_t zf_pager_total(const zf_pager *p);
/* Items delivered so far. */
int64_t zf_pager_delivered(const zf_pager *p);
void zf_pager_free(zf_pager *p);

ZF_PUBLIC_END

#endif
