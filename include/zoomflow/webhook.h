/*
 * Zoom webhooks: the checks and decoding of one delivery, as pure functions
 * over bytes (no socket, file or clock: the caller passes "now"), and the
 * intake that stores an accepted event once (zf_webhook_intake).
 *
 * What Zoom sends (shared/docs/zoom-api.md §D; Zoom's webhook-sample):
 *   POST, JSON body {"event", "event_ts", "payload": {"account_id",
 *   "object"}}, headers x-zm-signature: "v0=" + hex(HMAC-SHA256(secret
 *   token, "v0:" + x-zm-request-timestamp + ":" + raw body)) and
 *   x-zm-request-timestamp (unix seconds). endpoint.url_validation carries
 *   payload.plainToken and wants {"plainToken", "encryptedToken":
 *   hex(HMAC-SHA256(secret token, plainToken))} back within 3 s.
 *
 * The order of checks (zf_webhook_intake): the headers are parsed strictly
 * (the signature is "v0=" and 64 lowercase hex digits, exactly what Zoom
 * makes; the timestamp 1-12 decimal digits), the MAC over the raw bytes is
 * compared in constant time (CRYPTO_memcmp), then the timestamp must be
 * within ZF_WEBHOOK_WINDOW seconds of now either way, and only then is the
 * body decoded. url_validation is signed too and checked the same way
 * first, as Zoom's sample does.
 *
 * The dedupe id (zf_webhook_event.id). Zoom's webhook bodies carry no event
 * id: the 105 events of the Meetings webhooks OpenAPI file
 * (shared/zoom-openapi/zoom-meetings-webhooks-2026-03.json) have only
 * event, event_ts ("a timestamp when the event occurred", ms), payload and,
 * for recordings, download_token. The request headers x-zm-request-id and
 * x-zm-trackingid are in no Zoom document or OpenAPI file; Zoom's forum
 * staff call x-zm-trackingid "unique per delivery"
 * (devforum.zoom.us/t/142066), whether either stays the same on a retry was
 * asked and never answered (devforum.zoom.us/t/53977), and Nango's
 * maintainers declined to dedupe on x-zm-request-id for that reason
 * (github.com/NangoHQ/nango/pull/7484). A key that changes per attempt
 * would let every retry (+5, +20, +60 min) in as a new event. And two
 * deliveries of the same recording.completed differed only in
 * download_token and the download URLs (devforum.zoom.us/t/128602), which
 * Zoom mints per delivery. So the id is made from the body, less those:
 *   id = "zb1-" + hex(SHA-256(canonical JSON of the envelope without the
 *        top-level download_token and without every "download_url"
 *        member, keys sorted, compact))
 * It stays the same when Zoom resends an event (same event, event_ts and
 * object; fresh tokens and timestamps are left out), whatever the
 * whitespace or key order of the resend, and differs between two real
 * events, which differ in event_ts (ms) or in what they describe. Two
 * events of the same name, millisecond and content are one event to any
 * receiver. The request id and tracking id are kept with the event
 * (support tickets name them), never as its key.
 *
 * Errors: ZF_EAUTH for a missing, malformed or wrong signature and for a
 * missing, malformed or out-of-window timestamp (zf_webhook_result.refusal
 * says which); ZF_EPARSE for a body that is not an envelope, the message
 * naming the part (event, event_ts, payload, payload.account_id,
 * payload.object, payload.plainToken, payload.client_id); ZF_ETOOBIG over
 * ZF_WEBHOOK_BODY_MAX;
 * ZF_ENOTFOUND for an org without a webhook secret token.
 */
#ifndef ZOOMFLOW_WEBHOOK_H
#define ZOOMFLOW_WEBHOOK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "zoomflow/crypt.h"
#include "zoomflow/error.h"
#include "zoomflow/secret.h"
#include "zoomflow/store.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* Seconds a delivery's x-zm-request-timestamp may be off now, either way. */
#define ZF_WEBHOOK_WINDOW 300
/* Largest body decoded (Zoom's largest events are recording.completed with
 * many files: tens of KiB). */
#define ZF_WEBHOOK_BODY_MAX (1024u * 1024u)
/* "zb1-" + 64 hex digits. */
#define ZF_WEBHOOK_ID_LEN 68
/* Longest secret token accepted (Zoom's are 22 characters). */
#define ZF_WEBHOOK_SECRET_MAX 256

#define ZF_WEBHOOK_VALIDATION_EVENT "endpoint.url_validation"
/* The Marketplace's notice that the app was removed from a Zoom account
 * (shared/zoom-openapi/zoom-marketplace-webhooks-2026-03.json):
 * {"event": "app_deauthorized", "payload": {"account_id", "user_id",
 * "client_id", "signature", "deauthorization_time", "event_ts"}}: no
 * payload.object, and event_ts inside the payload (top-level event_ts is
 * taken when present too). */
#define ZF_WEBHOOK_DEAUTHORIZED_EVENT "app_deauthorized"

/* Why a delivery was refused (the service counts them by this name). */
typedef enum zf_webhook_refusal {
    ZF_WEBHOOK_OK = 0,
    ZF_WEBHOOK_SIGNATURE,   /* x-zm-signature missing, malformed or wrong */
    ZF_WEBHOOK_TIMESTAMP,   /* x-zm-request-timestamp missing, malformed, stale or future */
    ZF_WEBHOOK_MALFORMED,   /* the body is not a webhook envelope (or too big) */
    ZF_WEBHOOK_UNKNOWN_ORG, /* no secret token for the org (unknown org included) */
    ZF_WEBHOOK_REFUSAL_COUNT
} zf_webhook_refusal;

/* "ok", "signature", "timestamp", "malformed", "unknown_org". */
const char *zf_webhook_refusal_name(int refusal);

/* One delivery as received: header values (NULL when absent) and the raw
 * body bytes, all borrowed. */
typedef struct zf_webhook_request {
    const char *signature;   /* x-zm-signature */
    const char *timestamp;   /* x-zm-request-timestamp */
    const char *request_id;  /* x-zm-request-id (kept, not checked) */
    const char *tracking_id; /* x-zm-trackingid (kept, not checked) */
    const void *body;
    size_t body_len;
} zf_webhook_request;

/* Checks the signature over the raw body and then the timestamp window
 * against now (unix seconds). 0, or ZF_EAUTH with *refusal SIGNATURE or
 * TIMESTAMP (refusal may be NULL) and a message naming the header, or
 * naming the window for a stale or future timestamp. */
int zf_webhook_verify(const zf_webhook_request *rq, const zf_secret *secret, int64_t now,
                      zf_webhook_refusal *refusal, zf_error *err);

/* The x-zm-signature value Zoom would send for body at timestamp ts (a
 * decimal string): "v0=" + 64 hex digits + NUL into out. For tests and
 * tools that play Zoom. */
void zf_webhook_sign(const zf_secret *secret, const char *ts, const void *body, size_t len,
                     char out[3 + 64 + 1]);

/* A decoded envelope. Strings and object are owned (zf_webhook_event_free). */
typedef struct zf_webhook_event {
    char *name;                     /* "recording.completed", "endpoint.url_validation" */
    int64_t event_ts;               /* as Zoom sends it: milliseconds */
    char *account_id;               /* payload.account_id; NULL for url_validation */
    json_t *object;                 /* payload.object; NULL for url_validation */
    char *plain_token;              /* payload.plainToken of url_validation, else NULL */
    int is_validation;              /* name is endpoint.url_validation */
    char id[ZF_WEBHOOK_ID_LEN + 1]; /* the dedupe id (above); "" for url_validation */
    /* app_deauthorized (object NULL): payload.client_id (required), and
     * payload.user_id, payload.deauthorization_time, payload.signature
     * (NULL when absent) */
    int is_deauthorization;
    char *client_id;
    char *user_id;
    char *deauthorization_time;
    char *signature;
} zf_webhook_event;

/* Decodes body (no duplicate keys, no NUL, valid UTF-8, at most
 * ZF_WEBHOOK_BODY_MAX bytes). event: 1-128 of [A-Za-z0-9._-]; event_ts: an
 * integer >= 0; payload: an object; payload.account_id: a non-empty string
 * and payload.object an object, except for url_validation, which needs
 * payload.plainToken (1-256 printable ASCII), and app_deauthorized, which
 * needs payload.client_id (1-256 printable) instead of payload.object and
 * takes event_ts from the payload when the top has none (a number, else
 * 0: Zoom's own example sends a date string there); its user_id,
 * deauthorization_time and signature must be printable strings when
 * present. On failure *out is zeroed. */
int zf_webhook_decode(zf_webhook_event *out, const void *body, size_t len, zf_error *err);
void zf_webhook_event_free(zf_webhook_event *e);

/* The dedupe id of a decoded envelope (the JSON of a whole body) into out. */
int zf_webhook_event_id(const json_t *envelope, char out[ZF_WEBHOOK_ID_LEN + 1], zf_error *err);

/* The url_validation answer {"plainToken", "encryptedToken"} (new
 * reference, *out). */
int zf_webhook_validation_answer(json_t **out, const zf_secret *secret, const char *plain_token,
                                 zf_error *err);

/* --- the intake: the checks above, then the event stored once */

typedef enum zf_webhook_outcome {
    ZF_WEBHOOK_REFUSED = 0, /* refusal says why; the function returned < 0 */
    ZF_WEBHOOK_ACCEPTED,    /* a new event, committed */
    ZF_WEBHOOK_DUPLICATE,   /* the event was stored before: nothing written */
    ZF_WEBHOOK_ANSWERED     /* url_validation: answer holds the reply */
} zf_webhook_outcome;

typedef struct zf_webhook_result {
    zf_webhook_outcome outcome;
    zf_webhook_refusal refusal;
    char event[129];                      /* the event's name, "" when unknown */
    char event_id[ZF_WEBHOOK_ID_LEN + 1]; /* the dedupe id, "" when none */
    json_t *answer;                       /* ANSWERED: owned by the caller */
} zf_webhook_result;

/* The whole intake of one delivery to org: its secret token (from the
 * store, opened with c), verify, decode, and for an event an insert that
 * the database refuses for a known (org, id), also from another process
 * or replica on the same database. The row is committed when this returns
 * ACCEPTED. 0 for ACCEPTED, DUPLICATE and ANSWERED; < 0 otherwise: the
 * refusals above (outcome REFUSED), ZF_ESTORE or ZF_ECRYPT when the store
 * or the key fails (refusal OK: nothing was decided, the sender should
 * retry). now is unix seconds. */
int zf_webhook_intake(zf_webhook_result *out, zf_store *st, zf_crypt *c, const char *org,
                      const zf_webhook_request *rq, int64_t now, zf_error *err);

/* The org's secret token, sealed under the master key (aad
 * "webhook/{org}/secret_token") and stored, and the change written to the
 * org's audit log (action "webhook.secret.set", actor; never the token);
 * ZF_EVALIDATION for an empty, too long or non-printable token. */
int zf_webhook_secret_set(zf_store *st, zf_crypt *c, const char *org, const char *secret,
                          size_t len, const char *actor, int64_t now, zf_error *err);
/* The org's secret token, opened; ZF_ENOTFOUND when none is set. */
int zf_webhook_secret_get(zf_store *st, zf_crypt *c, const char *org, zf_secret *out,
                          zf_error *err);

ZF_PUBLIC_END

#endif
