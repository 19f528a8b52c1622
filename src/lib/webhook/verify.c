/*
 * The checks of one delivery: the x-zm-signature over the raw bytes, the
 * x-zm-request-timestamp window, and the url_validation answer
 * (zoomflow/webhook.h). Pure: the clock is the caller's.
 *
 * Both headers are parsed strictly before any MAC is computed, so what is
 * compared is always "v0=" + 64 lowercase hex digits against the same
 * shape: CRYPTO_memcmp over equal lengths, no early exit. The MAC is
 * computed incrementally over "v0:", the timestamp exactly as received,
 * ":" and the body, so a 1 MiB body is not copied.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdbool.h>
#include <string.h>

#include "zoomflow/crypt.h"
#include "zoomflow/hint.h"
#include "zoomflow/webhook.h"

#define TS_DIGITS_MAX 12 /* unix seconds up to the year 33658 */
#define SIG_PREFIX "v0="
#define SIG_HEX 64

static const char *const refusal_names[ZF_WEBHOOK_REFUSAL_COUNT] = {
    "ok", "signature", "timestamp", "malformed", "unknown_org",
};

const char *zf_webhook_refusal_name(int refusal)
{
    if (refusal < 0 || refusal >= ZF_WEBHOOK_REFUSAL_COUNT)
        return "unknown";
    return refusal_names[refusal];
}

/* 1-12 decimal digits, no sign, space or leading zero: *out, else false. */
static bool parse_ts(const char *s, int64_t *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > TS_DIGITS_MAX || (s[0] == '0' && n > 1))
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* "v0=" and exactly 64 lowercase hex digits, as Zoom writes it. */
static bool sig_shape(const char *s)
{
    if (!s || strncmp(s, SIG_PREFIX, 3) != 0 || strlen(s) != 3 + SIG_HEX)
        return false;
    for (const char *p = s + 3; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* HMAC-SHA256(key, parts...) into mac; false when OpenSSL fails. */
static bool hmac_parts(const zf_secret *key, const void *const *parts, const size_t *lens, size_t n,
                       unsigned char mac[32])
{
    EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = m ? EVP_MAC_CTX_new(m) : NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    /* an empty key is given as one zero-length byte string, as HMAC() does */
    static const unsigned char none[1] = {0};
    const unsigned char *k = key->ptr ? (const unsigned char *)key->ptr : none;
    size_t outlen = 0;
    bool ok = ctx && EVP_MAC_init(ctx, k, key->len, params) == 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = lens[i] == 0 || EVP_MAC_update(ctx, parts[i], lens[i]) == 1;
    ok = ok && EVP_MAC_final(ctx, mac, &outlen, 32) == 1 && outlen == 32;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(m);
    return ok;
}

void zf_webhook_sign(const zf_secret *secret, const char *ts, const void *body, size_t len,
                     char out[3 + 64 + 1])
{
    const void *parts[] = {"v0:", ts, ":", body};
    size_t lens[] = {3, strlen(ts), 1, body ? len : 0};
    unsigned char mac[32];
    memcpy(out, SIG_PREFIX, 3);
    if (!hmac_parts(secret, parts, lens, 4, mac))
        memset(mac, 0, sizeof mac);
    zf_hex(mac, 32, out + 3);
    OPENSSL_cleanse(mac, sizeof mac);
}

static int refuse(zf_webhook_refusal *refusal, zf_webhook_refusal why, zf_error *err,
                  const char *msg)
{
    if (refusal)
        *refusal = why;
    zf_error_set(err, ZF_EAUTH, "%s", msg);
    zf_error_hint_id(
        err, why == ZF_WEBHOOK_TIMESTAMP ? ZF_HINT_WEBHOOK_CLOCK : ZF_HINT_WEBHOOK_SECRET_MISMATCH,
        NULL);
    return ZF_EAUTH;
}

static int check_window(int64_t ts, int64_t now, zf_webhook_refusal *refusal, zf_error *err)
{
    int64_t skew = ts - now;
    if (skew >= -ZF_WEBHOOK_WINDOW && skew <= ZF_WEBHOOK_WINDOW)
        return 0;
    if (refusal)
        *refusal = ZF_WEBHOOK_TIMESTAMP;
    zf_error_set(err, ZF_EAUTH,
                 "x-zm-request-timestamp %lld is %lld seconds %s this server's clock; "
                 "deliveries must be within %d seconds (5 minutes) either way",
                 (long long)ts, (long long)(skew < 0 ? -skew : skew),
                 skew < 0 ? "behind" : "ahead of", ZF_WEBHOOK_WINDOW);
    zf_error_hint_id(err, ZF_HINT_WEBHOOK_CLOCK, NULL);
    return ZF_EAUTH;
}

int zf_webhook_verify(const zf_webhook_request *rq, const zf_secret *secret, int64_t now,
                      zf_webhook_refusal *refusal, zf_error *err)
{
    if (!rq || !secret || (!rq->body && rq->body_len))
        return zf_error_set(err, ZF_EINVAL, "zf_webhook_verify: no request or secret");
    if (refusal)
        *refusal = ZF_WEBHOOK_OK;
    int64_t ts = 0;
    if (!rq->signature)
        return refuse(refusal, ZF_WEBHOOK_SIGNATURE, err,
                      "the x-zm-signature header is missing: the delivery is not signed");
    if (!sig_shape(rq->signature))
        return refuse(refusal, ZF_WEBHOOK_SIGNATURE, err,
                      "the x-zm-signature header is malformed: expected \"v0=\" and 64 "
                      "lowercase hex digits");
    if (!rq->timestamp)
        return refuse(refusal, ZF_WEBHOOK_TIMESTAMP, err,
                      "the x-zm-request-timestamp header is missing");
    if (!parse_ts(rq->timestamp, &ts))
        return refuse(refusal, ZF_WEBHOOK_TIMESTAMP, err,
                      "the x-zm-request-timestamp header is malformed: expected unix "
                      "seconds (1-12 digits)");
    char want[3 + 64 + 1];
    zf_webhook_sign(secret, rq->timestamp, rq->body, rq->body_len, want);
    int differ = CRYPTO_memcmp(want, rq->signature, sizeof want - 1);
    OPENSSL_cleanse(want, sizeof want);
    if (differ)
        return refuse(refusal, ZF_WEBHOOK_SIGNATURE, err,
                      "the x-zm-signature does not match the body: not signed with this "
                      "org's webhook secret token, or altered on the way");
    return check_window(ts, now, refusal, err);
}

int zf_webhook_validation_answer(json_t **out, const zf_secret *secret, const char *plain_token,
                                 zf_error *err)
{
    if (!out || !secret || !plain_token)
        return zf_error_set(err, ZF_EINVAL, "zf_webhook_validation_answer: NULL argument");
    const void *parts[] = {plain_token};
    size_t lens[] = {strlen(plain_token)};
    unsigned char mac[32];
    char hex[65];
    if (!hmac_parts(secret, parts, lens, 1, mac))
        return zf_error_set(err, ZF_ECRYPT, "cannot compute HMAC-SHA256 (OpenSSL failed)");
    zf_hex(mac, 32, hex);
    *out = json_pack("{s:s,s:s}", "plainToken", plain_token, "encryptedToken", hex);
    return *out ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
}
