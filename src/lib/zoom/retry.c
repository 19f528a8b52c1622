/*
 * The retry policy of the Zoom client as pure functions (DESIGN §6): what to
 * do after one HTTP exchange and how long to wait (Retry-After is read by
 * headers.c). No clock or randomness is read here; the caller passes them
 * in, so every branch is unit-tested without sleeping.
 */
#include "zoom_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int64_t zf_zoom__backoff_ms(const zf_zoom_retry *policy, int n, uint64_t rnd)
{
    int64_t cap = policy->max_backoff_ms > 0 ? policy->max_backoff_ms : 0;
    int64_t ceil = policy->base_ms > 0 ? policy->base_ms : 0;
    for (int i = 0; i < n && ceil < cap; i++)
        ceil *= 2;
    if (ceil > cap)
        ceil = cap;
    return (int64_t)(rnd % (uint64_t)(ceil + 1));
}

/* --- the decision */

typedef enum verdict { V_DONE, V_RETRY, V_AMBIGUOUS, V_FAIL } verdict;

static int is_fatal_transport(int code)
{
    return code == ZF_ETLS || code == ZF_ETOOBIG || code == ZF_ECANCELED || code == ZF_EINVAL ||
           code == ZF_ENOMEM;
}

/* Describes the last answer for give-up and ambiguity messages. */
static void last_answer(const zf_zoom_outcome *o, char *out, size_t n)
{
    if (o->transport_err)
        snprintf(out, n, "%s (%s)",
                 o->transport_msg && *o->transport_msg ? o->transport_msg
                                                       : zf_strerror(o->transport_err),
                 o->sent ? "after the request was sent" : "before the request was sent");
    else if (o->body_bad)
        snprintf(out, n, "HTTP %ld with a truncated or malformed body", o->status);
    else
        snprintf(out, n, "HTTP %ld", o->status);
}

static int fail_ambiguous(const zf_zoom_outcome *o, const zf_zoom_attempt *a, zf_error *err)
{
    char last[256];
    last_answer(o, last, sizeof last);
    if (o->status >= 300)
        zf_zoom__map_error(o->status, o->headers, o->body, o->body_len, a->attempt, a->now_s, err);
    err->http_status = (int)o->status;
    zf_error_set(err, ZF_EAMBIGUOUS,
                 "the create request may or may not have been processed by Zoom: %s", last);
    zf_error_hint_id(err, ZF_HINT_CHECK_IN_ZOOM,
                     "do not simply retry: look for the object "
                     "first (the actions reconcile this automatically) so it is not created "
                     "twice");
    return ZF_EAMBIGUOUS;
}

/* Out of attempts or time: the error of the last answer, saying so. */
static void fail_gave_up(const zf_zoom_outcome *o, const zf_zoom_attempt *a, int64_t wanted_ms,
                         const zf_zoom_retry *policy, zf_error *err)
{
    char last[256], why[160];
    last_answer(o, last, sizeof last);
    if (a->elapsed_ms + wanted_ms > policy->budget_ms && a->attempt < policy->max_attempts)
        snprintf(why, sizeof why, "waiting %lld ms more would pass the time budget of %lld ms",
                 (long long)wanted_ms, (long long)policy->budget_ms);
    else
        snprintf(why, sizeof why, "that was the last of %d attempts", policy->max_attempts);
    if (o->transport_err)
        zf_error_restate(err, o->transport_err,
                         "gave up after %d attempt%s in %lld ms (%s); "
                         "last answer: %s",
                         a->attempt, a->attempt == 1 ? "" : "s", (long long)a->elapsed_ms, why,
                         last);
    else {
        zf_zoom__map_error(o->status, o->headers, o->body, o->body_len, a->attempt, a->now_s, err);
        if (o->body_bad)
            err->code = ZF_EPARSE;
        char detail[ZF_ERROR_MSG_MAX];
        snprintf(detail, sizeof detail, "%s", err->message);
        zf_error_restate(err, err->code,
                         "gave up after %d attempt%s in %lld ms (%s); last "
                         "answer: %s: %s",
                         a->attempt, a->attempt == 1 ? "" : "s", (long long)a->elapsed_ms, why,
                         last, detail);
    }
    if (wanted_ms > 0)
        err->retry_after = (wanted_ms + 999) / 1000;
}

/* Milliseconds the answer's Retry-After asks for, -1 when absent or bad. */
static int64_t retry_after_ms(const zf_zoom_outcome *o, const zf_zoom_attempt *a)
{
    char v[64];
    int64_t at;
    if (!zf_zoom__header(o->headers ? o->headers : "", "Retry-After", v, sizeof v) ||
        zf_zoom__parse_retry_after(v, a->now_s, &at) != 0)
        return -1;
    return at > a->now_s ? (at - a->now_s) * 1000 : 0;
}

/* Classifies one exchange without regard to attempts or time. */
static verdict classify(zf_zoom_kind kind, const zf_zoom_outcome *o, const zf_zoom_attempt *a,
                        zf_zoom_decision *d, int64_t *ra_ms, zf_error *err)
{
    if (o->transport_err) {
        if (is_fatal_transport(o->transport_err)) {
            zf_error_restate(err, o->transport_err, "%s",
                             o->transport_msg && *o->transport_msg ? o->transport_msg
                                                                   : zf_strerror(o->transport_err));
            return V_FAIL;
        }
        return (o->sent && kind == ZF_ZOOM_CREATE) ? V_AMBIGUOUS : V_RETRY;
    }
    if (o->status >= 200 && o->status < 300) {
        if (!o->body_bad)
            return V_DONE;
        return kind == ZF_ZOOM_CREATE ? V_AMBIGUOUS : V_RETRY;
    }
    int zcode = zf_zoom__body_code(o->body, o->body_len);
    if ((o->status == 401 || o->status == 400) && zcode == 124 && !a->rejected) {
        d->action = ZF_ZOOM_REAUTH;
        return V_DONE;
    }
    if (o->status == 429) {
        if (zf_zoom__is_daily_limit(o->headers, o->body, o->body_len)) {
            zf_zoom__map_error(o->status, o->headers, o->body, o->body_len, a->attempt, a->now_s,
                               err);
            return V_FAIL;
        }
        *ra_ms = retry_after_ms(o, a);
        d->qps_limited = 1;
        return V_RETRY; /* per-second limit: Zoom did not process it */
    }
    if (o->status >= 500) {
        *ra_ms = retry_after_ms(o, a); /* a 503 may say when to come back */
        return kind == ZF_ZOOM_CREATE ? V_AMBIGUOUS : V_RETRY;
    }
    zf_zoom__map_error(o->status, o->headers, o->body, o->body_len, a->attempt, a->now_s, err);
    return V_FAIL;
}

void zf_zoom__decide(const zf_zoom_retry *policy, zf_zoom_kind kind, const zf_zoom_outcome *o,
                     const zf_zoom_attempt *a, zf_zoom_decision *d, zf_error *err)
{
    int64_t ra_ms = -1;
    d->action = ZF_ZOOM_FAIL;
    d->delay_ms = 0;
    d->qps_limited = 0;
    switch (classify(kind, o, a, d, &ra_ms, err)) {
    case V_DONE:
        if (d->action != ZF_ZOOM_REAUTH)
            d->action = ZF_ZOOM_DONE;
        return;
    case V_FAIL:
        return;
    case V_AMBIGUOUS:
        fail_ambiguous(o, a, err);
        return;
    case V_RETRY:
        break;
    }
    int64_t delay = ra_ms >= 0 ? ra_ms : zf_zoom__backoff_ms(policy, a->attempt - 1, a->rnd);
    if (a->attempt >= policy->max_attempts || a->elapsed_ms + delay > policy->budget_ms) {
        fail_gave_up(o, a, delay, policy, err);
        return;
    }
    d->action = ZF_ZOOM_RETRY;
    d->delay_ms = delay;
}
