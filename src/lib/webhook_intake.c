/*
 * The intake of one Zoom webhook delivery to an org (zoomflow/webhook.h):
 *
 *   secret token (store, opened with the master key)
 *     --none-->            REFUSED unknown_org   (ZF_ENOTFOUND)
 *   verify signature, then timestamp window
 *     --fails-->           REFUSED signature | timestamp   (ZF_EAUTH)
 *   decode the envelope
 *     --fails-->           REFUSED malformed   (ZF_EPARSE, ZF_ETOOBIG)
 *   url_validation -->     ANSWERED {plainToken, encryptedToken}
 *   insert (org, id) ON CONFLICT DO NOTHING
 *     --row back-->        ACCEPTED   (committed)
 *     --no row-->          DUPLICATE  (nothing written)
 *
 * A refusal (signature, timestamp, malformed) and an answered
 * url_validation are counted as signals for the doctor (store.h), best
 * effort: a failure to count changes nothing of the answer.
 *
 * A store or key failure decides nothing (the sender must retry): it is
 * returned with refusal OK. Secrets are opened per delivery and wiped
 * before returning; nothing here logs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/crypt.h"
#include "zoomflow/hint.h"
#include "zoomflow/store.h"
#include "zoomflow/webhook.h"

#define ORG_MAX 128
#define STATE_NEW "new"

/* An org as it can appear in a path: 1-128 printable ASCII, no '/'. */
static int org_ok(const char *org)
{
    size_t n = org ? strlen(org) : 0;
    if (n == 0 || n > ORG_MAX)
        return 0;
    for (const char *p = org; *p; p++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || *p == '/')
            return 0;
    return 1;
}

static void aad_of(char *out, size_t n, const char *org)
{
    snprintf(out, n, "webhook/%s/secret_token", org);
}

int zf_webhook_secret_set(zf_store *st, zf_crypt *c, const char *org, const char *secret,
                          size_t len, const char *actor, int64_t now, zf_error *err)
{
    if (!st || !c || !secret)
        return zf_error_set(err, ZF_EINVAL, "zf_webhook_secret_set: NULL argument");
    if (!org_ok(org))
        return zf_error_set(err, ZF_EVALIDATION, "the org must be 1-%d printable characters",
                            ORG_MAX);
    int printable = len > 0 && len <= ZF_WEBHOOK_SECRET_MAX;
    for (size_t i = 0; printable && i < len; i++)
        printable = (unsigned char)secret[i] >= 0x21 && (unsigned char)secret[i] <= 0x7e;
    if (!printable) {
        zf_error_set(err, ZF_EVALIDATION,
                     "secret_token must be 1-%d printable ASCII characters without spaces",
                     ZF_WEBHOOK_SECRET_MAX);
        zf_error_hint_id(err, ZF_HINT_WEBHOOK_SECRET, NULL);
        zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, "secret_token");
        return ZF_EVALIDATION;
    }
    char aad[ORG_MAX + 40];
    aad_of(aad, sizeof aad, org);
    zf_store_webhook_secret row = {(char *)org, NULL, now, (char *)actor};
    int rc = zf_crypt_seal(c, secret, len, aad, &row.secret_sealed, err);
    if (rc == 0)
        rc = zf_store_webhook_secret_put(st, &row, err);
    free(row.secret_sealed);
    /* the org's log (access.h: conn_id is the org's slug), never the token */
    zf_store_audit a = {0,
                        now,
                        (char *)org,
                        (char *)(actor ? actor : "library"),
                        (char *)"webhook.secret.set",
                        (char *)(rc == 0 ? "ok" : zf_code_name(rc)),
                        (char *)"the webhook secret token was set"};
    zf_error quiet = ZF_ERROR_INIT;
    int arc = zf_store_audit_add(st, &a, rc == 0 ? err : &quiet);
    return rc < 0 ? rc : arc;
}

int zf_webhook_secret_get(zf_store *st, zf_crypt *c, const char *org, zf_secret *out, zf_error *err)
{
    if (!st || !c || !out)
        return zf_error_set(err, ZF_EINVAL, "zf_webhook_secret_get: NULL argument");
    if (!org_ok(org))
        return zf_error_set(err, ZF_ENOTFOUND, "no webhook secret token for this org");
    zf_store_webhook_secret row;
    int rc = zf_store_webhook_secret_get(st, org, &row, err);
    if (rc < 0)
        return rc;
    char aad[ORG_MAX + 40];
    aad_of(aad, sizeof aad, org);
    rc = zf_crypt_open(c, row.secret_sealed, aad, out, err);
    zf_store_webhook_secret_free(&row);
    return rc;
}

static int refused(zf_webhook_result *out, zf_webhook_refusal why, int rc)
{
    out->outcome = ZF_WEBHOOK_REFUSED;
    out->refusal = why;
    return rc;
}

/* The event stored, or found stored. */
static int store_event(zf_webhook_result *out, zf_store *st, const char *org,
                       const zf_webhook_request *rq, const zf_webhook_event *ev, int64_t now,
                       zf_error *err)
{
    char *body = strndup(rq->body, rq->body_len); /* JSON: no NUL inside (decoded) */
    if (!body)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    zf_store_webhook_event row = {
        (char *)org,
        (char *)ev->id,
        ev->name,
        ev->event_ts,
        now,
        ev->account_id,
        (char *)rq->request_id,
        (char *)rq->tracking_id,
        body,
        (char *)STATE_NEW,
        0, /* consumed_at */
    };
    int inserted = 0, rc = zf_store_webhook_event_add(st, &row, &inserted, err);
    free(body);
    if (rc < 0)
        return rc;
    out->outcome = inserted ? ZF_WEBHOOK_ACCEPTED : ZF_WEBHOOK_DUPLICATE;
    return 0;
}

/* The signal of this delivery, when it is one the doctor reads. */
static void note(zf_store *st, const char *org, const zf_webhook_result *r, int64_t now)
{
    zf_error quiet = ZF_ERROR_INIT;
    if (r->outcome == ZF_WEBHOOK_ANSWERED)
        zf_store_signal_add(st, org, "url_validation", "", now, 0, &quiet);
    else if (r->outcome == ZF_WEBHOOK_REFUSED && r->refusal != ZF_WEBHOOK_OK)
        zf_store_signal_add(st, org, "webhook_refused", zf_webhook_refusal_name(r->refusal), now, 0,
                            &quiet);
}

int zf_webhook_intake(zf_webhook_result *out, zf_store *st, zf_crypt *c, const char *org,
                      const zf_webhook_request *rq, int64_t now, zf_error *err)
{
    if (!out || !st || !c || !rq)
        return zf_error_set(err, ZF_EINVAL, "zf_webhook_intake: NULL argument");
    memset(out, 0, sizeof *out);
    zf_secret secret = ZF_SECRET_INIT;
    zf_webhook_event ev;
    memset(&ev, 0, sizeof ev);
    int rc = zf_webhook_secret_get(st, c, org, &secret, err);
    if (rc == ZF_ENOTFOUND) {
        zf_error_set(err, ZF_ENOTFOUND, "no webhook endpoint here");
        zf_error_hint_id(err, ZF_HINT_WEBHOOK_SECRET, NULL);
        return refused(out, ZF_WEBHOOK_UNKNOWN_ORG, rc);
    }
    if (rc < 0)
        return rc;
    if ((rc = zf_webhook_verify(rq, &secret, now, &out->refusal, err)) < 0) {
        refused(out, out->refusal, rc);
        goto done;
    }
    if ((rc = zf_webhook_decode(&ev, rq->body, rq->body_len, err)) < 0) {
        refused(out, ZF_WEBHOOK_MALFORMED, rc);
        goto done;
    }
    snprintf(out->event, sizeof out->event, "%s", ev.name);
    snprintf(out->event_id, sizeof out->event_id, "%s", ev.id);
    if (ev.is_validation) {
        rc = zf_webhook_validation_answer(&out->answer, &secret, ev.plain_token, err);
        if (rc == 0)
            out->outcome = ZF_WEBHOOK_ANSWERED;
    } else {
        rc = store_event(out, st, org, rq, &ev, now, err);
    }
done:
    note(st, org, out, now);
    zf_webhook_event_free(&ev);
    zf_secret_free(&secret);
    return rc;
}
