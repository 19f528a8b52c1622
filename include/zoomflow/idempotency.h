/*
 * Idempotency keys (the service's Idempotency-Key header; later the
 * workflows' steps): a request that carries a key runs at most once, and
 * every repeat of it gets the first answer. As Stripe does it:
 *
 *   zf_idem_begin   claims (org, key) in the store before anything runs
 *                   (one INSERT that does nothing when the row exists, so
 *                   of any number of racing requests, in one process or on
 *                   replicas sharing one database, exactly one claims it)
 *     ZF_IDEM_RUN        claimed: run it, then zf_idem_finish with the
 *                        answer (status and body as the surface sent them),
 *                        or zf_idem_release when the run did nothing a
 *                        repeat must not redo (zf_idem_keeps says which)
 *     ZF_IDEM_REPLAY     answered before with the same request: h->status
 *                        and h->response are that answer, to send again
 *     ZF_IDEM_ABANDONED  its first request claimed it and never finished
 *                        within ZF_IDEM_LEASE_S (its process died): the
 *                        claim is now this request's, which must not run
 *                        (the first may have done the work) but answer
 *                        that the outcome is unknown (ZF_EAMBIGUOUS) and
 *                        zf_idem_finish with that answer, so every later
 *                        repeat gets the same
 *     ZF_ECONFLICT       the first request is still running: nothing ran;
 *                        err->retry_after says when to ask again
 *     ZF_EVALIDATION     the key was used for another request (another
 *                        action or input: the request hash differs), or
 *                        the key is malformed; the message names the key
 *
 * The request hash is the SHA-256 of the action name, a newline and the
 * input as canonical JSON (compact, keys sorted), so the same request
 * written with its members in another order is the same request.
 * Records expire ZF_IDEM_TTL_S after their claim; an expired key is a new
 * key. An outcome that is unknown (ZF_EAMBIGUOUS) is an answer like any
 * other: stored, replayed, never run again under that key.
 */
#ifndef ZOOMFLOW_IDEMPOTENCY_H
#define ZOOMFLOW_IDEMPOTENCY_H

#include <jansson.h>
#include <stdint.h>

#include "zoomflow/error.h"
#include "zoomflow/store.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

#define ZF_IDEM_KEY_MAX 255     /* bytes of printable ASCII */
#define ZF_IDEM_TTL_S 86400     /* a key answers repeats for 24 h */
#define ZF_IDEM_LEASE_S 900     /* a claim older than this is presumed dead */
#define ZF_IDEM_RETRY_AFTER_S 1 /* what ZF_ECONFLICT advises */

typedef enum zf_idem_verdict {
    ZF_IDEM_RUN = 0,
    ZF_IDEM_REPLAY = 1,
    ZF_IDEM_ABANDONED = 2
} zf_idem_verdict;

typedef struct zf_idem {
    zf_store *store; /* borrowed */
    char *org, *key;
    char claim[44];        /* this request's claim token */
    char request_hash[65]; /* hex */
    int verdict;           /* zf_idem_verdict */
    int held;              /* 1 while this request holds a pending claim */
    int64_t status;        /* REPLAY: the stored answer */
    char *response;
} zf_idem;

#define ZF_IDEM_INIT                                                                               \
    {                                                                                              \
        NULL, NULL, NULL, {0}, {0}, 0, 0, 0, NULL                                                  \
    }

/* 0 when key may be an idempotency key (1 to ZF_IDEM_KEY_MAX printable
 * ASCII bytes, no spaces), else ZF_EVALIDATION saying why. */
int zf_idem_check_key(const char *key, zf_error *err);
/* The request hash (hex, 64 chars + NUL) of running `action` with input. */
int zf_idem_request_hash(char out[65], const char *action, const json_t *input, zf_error *err);
/* See above. Returns the verdict (>= 0) or a negative zf_code. now is unix
 * seconds (0 = time()). h is the caller's, freed with zf_idem_free. */
int zf_idem_begin(zf_idem *h, zf_store *st, const char *org, const char *key, const char *action,
                  const json_t *input, int64_t now, zf_error *err);
/* Stores the answer under the claim (RUN, ABANDONED). ZF_ENOTFOUND when the
 * claim was taken over meanwhile (the answer is still the caller's to
 * send). */
int zf_idem_finish(zf_idem *h, int64_t status, const char *response, zf_error *err);
/* Gives the claim up: the next request with the key runs. */
int zf_idem_release(zf_idem *h, zf_error *err);
/* 1 when a run that ended with rc (0 or a zf_code) must be stored under its
 * key; 0 when it provably did nothing at Zoom and a repeat may run again
 * (invalid input, no usable connection, a missing scope, a rate limit, a
 * refused path or setting). */
int zf_idem_keeps(int rc);
/* Frees h's strings; a claim still held is released first (best effort),
 * so a caller that bails out does not leave the key pending. */
void zf_idem_free(zf_idem *h);

ZF_PUBLIC_END

#endif
