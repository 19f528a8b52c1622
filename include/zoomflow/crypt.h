/*
 * Secrets at rest: AES-256-GCM with a random 96-bit nonce per value.
 *
 * The 32-byte master key comes from ZOOMFLOW_MASTER_KEY (64 hex chars, or
 * base64 of 32 bytes) or else from a key file, created with mode 0600 and
 * fresh random bytes when it does not exist (an existing key file with
 * looser permissions is refused). Sealed values are text:
 *   "zf1:" key-id ":" base64(nonce || ciphertext || tag)
 * where key-id is a short fingerprint of the key, so a value sealed under
 * another key fails with ZF_ECRYPT and a hint naming both fingerprints,
 * never with garbage. `aad` binds a value to its place (e.g.
 * "connection/default/refresh_token"), so values cannot be swapped.
 */
#ifndef ZOOMFLOW_CRYPT_H
#define ZOOMFLOW_CRYPT_H

#include <stddef.h>

#include "zoomflow/error.h"
#include "zoomflow/log.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

typedef struct zf_crypt zf_crypt;

/* key_file may be NULL when ZOOMFLOW_MASTER_KEY is set. */
int zf_crypt_new(zf_crypt **out, const char *key_file, zf_error *err);
void zf_crypt_free(zf_crypt *c);
/* The key's fingerprint (e.g. "k:3f9a1c2e"), for status output. */
const char *zf_crypt_key_id(const zf_crypt *c);

int zf_crypt_seal(zf_crypt *c, const void *plain, size_t len, const char *aad, char **out,
                  zf_error *err);
int zf_crypt_open(zf_crypt *c, const char *sealed, const char *aad, zf_secret *out, zf_error *err);

/* Random bytes (OpenSSL RAND); and base64url without padding, for state
 * values, PKCE verifiers and request ids. */
int zf_random_bytes(void *out, size_t n);
int zf_random_token(char *out, size_t nchars_plus_nul);
/* SHA-256 and HMAC-SHA256 into 32-byte out; hex into 65-byte out. */
void zf_sha256(const void *data, size_t len, unsigned char out[32]);
void zf_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
                    unsigned char out[32]);
void zf_hex(const unsigned char *in, size_t n, char *out);
/* base64url (no padding) of in; out must hold 4*ceil(n/3)+1 bytes. */
void zf_base64url(const unsigned char *in, size_t n, char *out);
/* Decodes len chars of standard or url-safe base64 (padding optional) into
 * out: the byte count, or -1 when s is not canonical base64 or needs more
 * than max bytes. */
long zf_base64_decode(const char *s, size_t len, unsigned char *out, size_t max);

ZF_PUBLIC_END

#endif
