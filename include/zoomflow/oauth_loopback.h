/*
 * What the `zoomflow connect` loopback listener does with the bytes one
 * connection has sent so far: read on, refuse (an HTTP status and a page
 * that says why), or hand the callback query of THIS attempt to
 * zf_tokens_connect_finish.
 *
 * A pure function of (bytes, eof, expectations): no socket, clock or
 * allocation that outlives the call; fuzz/fuzz_oauth_callback.c drives it.
 * The listener calls it again after every read, on the whole head so far.
 *
 * Refusals, in the order they are checked:
 *   414  the request line is over ZF_LOOPBACK_LINE_MAX bytes
 *   431  the head is over ZF_LOOPBACK_HEAD_MAX bytes or ZF_LOOPBACK_FIELDS_MAX lines
 *   400  not HTTP/1.x syntax (or the client closed before the head ended)
 *   505  an HTTP version other than 1.0 / 1.1
 *   405  a method other than GET
 *   400  no Host, or two (HTTP/1.0 without Host too: DNS rebinding defence
 *        rests on Host, and every browser sends it)
 *   421  a Host other than the redirect URI's host:port (":80" may be left out)
 *   403  an Origin other than the redirect URI's origin (two Origins too)
 *   404  a path other than the redirect URI's
 *   400  a malformed query, no state, a state not this attempt's, no code
 * A callback with this attempt's state that carries `error=` (the user
 * declined, ...) is FINISH: it ends the flow with that error.
 */
#ifndef ZOOMFLOW_OAUTH_LOOPBACK_H
#define ZOOMFLOW_OAUTH_LOOPBACK_H

#include <stddef.h>

#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

#define ZF_LOOPBACK_LINE_MAX 8192  /* request line, CRLF excluded */
#define ZF_LOOPBACK_HEAD_MAX 16384 /* request line + header lines + blank line */
#define ZF_LOOPBACK_FIELDS_MAX 100 /* header lines */

typedef struct zf_oauth_loopback_expect {
    const char *authority; /* the redirect URI's "host:port", e.g. "127.0.0.1:53682" */
    const char *path;      /* the redirect URI's path, e.g. "/callback" */
    const char *state;     /* this attempt's state (zf_oauth_authz.state) */
} zf_oauth_loopback_expect;

typedef enum zf_oauth_loopback_outcome {
    ZF_LOOPBACK_MORE = 0, /* the head is not complete: read on */
    ZF_LOOPBACK_REFUSE,   /* answer status with reason, keep waiting for the callback */
    ZF_LOOPBACK_FINISH    /* this attempt's callback: pass query to connect_finish */
} zf_oauth_loopback_outcome;

/* Which refusals say something about the authorization itself (the
 * message when --wait ends names the last one). */
typedef enum zf_oauth_loopback_kind {
    ZF_LOOPBACK_NOT_CALLBACK = 0, /* syntax, size, Host, Origin, method, path */
    ZF_LOOPBACK_BAD_CALLBACK,     /* right listener and path, unusable query or no code */
    ZF_LOOPBACK_WRONG_STATE       /* no state, or another attempt's */
} zf_oauth_loopback_kind;

typedef struct zf_oauth_loopback_verdict {
    zf_oauth_loopback_outcome outcome;
    zf_oauth_loopback_kind kind;
    int status;         /* REFUSE: the HTTP status to answer */
    const char *reason; /* REFUSE: static text for the page and the terminal;
                           it never quotes the request */
    const char *query;  /* FINISH: the query (after '?'), borrowed from the bytes */
    size_t query_len;
} zf_oauth_loopback_verdict;

/* eof: the client will send nothing more (an incomplete head is then 400). */
void zf_oauth_loopback_decide(zf_oauth_loopback_verdict *out, const char *bytes, size_t len,
                              int eof, const zf_oauth_loopback_expect *ex);

/* "Bad Request" for 400, ... ; "Error" for a status it does not know. */
const char *zf_oauth_loopback_status_text(int status);

ZF_PUBLIC_END

#endif
