/*
 * Recordings download: every file of one meeting's cloud recording into a
 * directory, intact, resumable, verifiable.
 *
 * Guarantees:
 *  - Constant memory: bodies stream through the HTTP sink straight to
 *    DIR/NAME.part; nothing is buffered whole.
 *  - A file appears under its final NAME only when complete: its size
 *    matches the listing's file_size (or, when the listing gives none, the
 *    server's Content-Range total). A mismatch is ZF_EIO naming the file and
 *    both sizes; the .part stays for a later run to resume.
 *  - Resume: a .part continues with Range: bytes=<its size>-. A 200 instead
 *    of 206 restarts the file from zero; a 416 while the .part already holds
 *    the listed size is accepted (after the size check).
 *  - Files already complete (right size, and the SHA-256 in DIR/SHA256SUMS
 *    when the manifest lists them) are skipped. DIR/SHA256SUMS is rewritten
 *    (atomically) with one sha256sum-compatible line per file:
 *    "<64 hex>  <name>"; lines for other files are kept.
 *  - Names are stable and safe: recording_start + recording_type + file id
 *    + extension, with no '/', no leading '.', no control characters.
 *  - Tokens: the download uses the listing's download_access_token (the
 *    access token when there is none), sent as a Bearer header only to the
 *    API's origin or Zoom's own hosts (zoom.us, zoomgov.com and their
 *    subdomains, https only); any other download_url is refused. Redirects
 *    are followed; libcurl does not carry the header to another origin.
 *    A 401 re-lists the recording for a fresh token and URL.
 *  - One download per directory at a time (flock on DIR): a second one
 *    fails with ZF_EBUSY instead of interleaving .part writes.
 *  - Transport errors and 5xx mid-file are retried (bounded, exponential
 *    backoff with full jitter), each retry resuming with Range.
 */
#ifndef ZOOMFLOW_DOWNLOAD_H
#define ZOOMFLOW_DOWNLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/error.h"
#include "zoomflow/http.h"
#include "zoomflow/zoom.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* Longest file name the sanitiser produces (bytes, without the NUL). */
#define ZF_DOWNLOAD_NAME_MAX 200
#define ZF_DOWNLOAD_MANIFEST "SHA256SUMS"

typedef enum zf_download_event {
    ZF_DL_EV_START = 0, /* a file begins (or resumes: file_done > 0) */
    ZF_DL_EV_DATA,      /* bytes arrived */
    ZF_DL_EV_DONE,      /* a file is complete under its final name */
    ZF_DL_EV_SKIPPED    /* already complete on disk */
} zf_download_event;

typedef struct zf_download_progress {
    zf_download_event event;
    const char *name; /* the file's name in DIR */
    int index;        /* 0-based file index */
    int count;        /* files in the recording */
    uint64_t file_done;
    uint64_t file_total; /* 0 when the listing gives no size */
    uint64_t all_done;   /* bytes on disk over all files, skipped ones included */
    uint64_t all_total;  /* sum of the listed sizes */
} zf_download_progress;

typedef struct zf_download_opts {
    zf_zoom *zoom;                /* borrowed: lists the recording */
    const zf_zoom_tokens *tokens; /* borrowed: the API origin, fallback token */
    zf_http_opts http;            /* the download transport (timeout_ms 0 = none) */
    int max_attempts;             /* per file, transport errors and 5xx; >= 1 */
    int64_t base_ms;              /* first backoff ceiling */
    int64_t max_backoff_ms;
    int max_relists; /* 401s answered by re-listing, per file */
    int64_t ttl;     /* download token lifetime asked for (s); 0 = Zoom's default */
    void (*progress)(void *ctx, const zf_download_progress *p); /* may be NULL */
    void *progress_ctx;
    void (*sleep_ms)(void *ctx, int64_t ms); /* NULL = nanosleep */
    void *sleep_ctx;
} zf_download_opts;

#define ZF_DOWNLOAD_OPTS_INIT                                                                      \
    {                                                                                              \
        NULL, NULL, {10000, 0, NULL, (size_t)1 << 20, NULL, 0, 60000}, 6, 250, 8000, 2, 0, NULL,   \
            NULL, NULL, NULL                                                                       \
    }

typedef struct zf_download_result {
    int files;      /* in the recording */
    int downloaded; /* fetched (fully or resumed) in this run */
    int skipped;    /* already complete */
    uint64_t bytes; /* received over the network in this run */
    uint64_t total; /* bytes of all files on disk at the end */
    int attempts;   /* download requests made */
    int relists;    /* 401s answered by re-listing */
} zf_download_result;

/* Downloads every file of `meeting` (a meeting id or an instance UUID, as
 * given: the path encoding is done here) into dir, which must exist.
 * out may be NULL. Stops at the first file that fails. */
int zf_download_recording(zf_download_result *out, const zf_download_opts *opts,
                          const char *meeting, const char *dir, zf_error *err);

/* --- the pieces, public so they are testable and reusable */

/* Safe stable name for one entry of recording_files (see above) into out
 * (at least ZF_DOWNLOAD_NAME_MAX + 1 bytes). index breaks ties when the
 * entry has neither an id nor a download_url. 0, ZF_EPARSE when the entry
 * is not a JSON object, ZF_ENOMEM, or ZF_EINVAL for a NULL or short out. */
int zf_download_file_name(char *out, size_t outlen, const json_t *file, int index);
/* Makes s (NUL-terminated, changed in place) a safe single path component:
 * bytes other than [A-Za-z0-9._-] become '_', a leading '.' becomes '_',
 * cut to ZF_DOWNLOAD_NAME_MAX; "" becomes "file". */
void zf_download_sanitize(char *s);

/* The manifest: name -> sha256 hex. Parsing is of untrusted bytes: lines
 * that are not "<64 hex>  <name>" (or " *<name>") are ignored; later lines
 * win. */
typedef struct zf_manifest zf_manifest;
int zf_manifest_parse(zf_manifest **out, const char *text, size_t len, zf_error *err);
void zf_manifest_free(zf_manifest *m);
/* The hex digest for name, or NULL (borrowed). */
const char *zf_manifest_get(const zf_manifest *m, const char *name);
int zf_manifest_set(zf_manifest *m, const char *name, const char *hex);
/* The manifest as text, sorted by name (caller frees). */
int zf_manifest_format(char **out, const zf_manifest *m);

/* What to do with one file before sending anything. */
typedef enum zf_download_plan {
    ZF_DL_PLAN_SKIP = 0, /* complete: final file has the size (and hash) */
    ZF_DL_PLAN_FRESH,    /* download from byte 0 (any .part is discarded) */
    ZF_DL_PLAN_RESUME    /* continue the .part with a Range request */
} zf_download_plan;

typedef struct zf_download_disk {
    int64_t final_size;   /* -1 when DIR/NAME does not exist */
    int64_t part_size;    /* -1 when DIR/NAME.part does not exist */
    int64_t listed_size;  /* -1 when the listing gives none */
    int manifest_listed;  /* the manifest has a line for NAME */
    int manifest_matches; /* ...and the final file's hash equals it */
} zf_download_disk;

zf_download_plan zf_download_decide(const zf_download_disk *d);

/* What a response to a (possibly ranged) download request means. */
typedef enum zf_download_verdict {
    ZF_DL_APPEND = 0, /* 206 at the offset asked: write after the .part */
    ZF_DL_RESTART,    /* 200, or a range that does not fit: truncate, write from 0 */
    ZF_DL_COMPLETE,   /* 416 and the .part already holds the full size */
    ZF_DL_REAUTH,     /* 401: the token expired; re-list */
    ZF_DL_RETRY,      /* 5xx, 429: retry after a backoff */
    ZF_DL_FAIL        /* anything else */
} zf_download_verdict;

/* status with the Content-Range header value (NULL when absent), the offset
 * asked for and the listed size (-1 unknown). *total gets the size the
 * server states (Content-Range ".../N" or "*\/N"), or -1. */
zf_download_verdict zf_download_judge(long status, const char *content_range, uint64_t range_from,
                                      int64_t listed_size, int64_t *total);

/* 1 when a token may be sent to url: same origin as api_base, or https on
 * zoom.us / zoomgov.com or a subdomain. */
int zf_download_url_allowed(const char *url, const char *api_base);

/* 1 when a download's 401 may renew the connection's Zoom access token: the
 * answer came from the API's own origin (url, no redirect followed) with
 * Zoom's code 124 (invalid or expired access token). A 401 from any other
 * host (Zoom's file hosts, a redirect's target) or without code 124 only
 * lists the recording again for a fresh download token. */
int zf_download_may_renew(const char *url, long redirects, const char *api_base, int zoom_code);

ZF_PUBLIC_END

#endif
