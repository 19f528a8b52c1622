/*
 * sim_urldecode and sim_form_value (query strings, OAuth token request
 * bodies). Input: byte 0 = flags, then up to 32 bytes of key up to the first
 * '\n', then the rest as a form body. Checks, besides memory safety:
 *   - decoding never grows the text;
 *   - without '%' (and without '+' when plus_is_space) decoding is the
 *     identity;
 *   - decode(percent-encode(x)) == x, and sim_form_value finds x again under
 *     key in "a=1&KEY=ENC&b=2" when the key has no '&' or '=';
 *   - sim_form_value on the raw body returns a string no longer than it.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *percent_encode(const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(3 * n + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

static void check_decode(const char *s, size_t n, int plus)
{
    char *d = sim_urldecode(s, n, plus);
    if (!d)
        return;
    if (strlen(d) > n)
        abort();
    if (!memchr(s, '%', n) && !(plus && memchr(s, '+', n)) && !memchr(s, '\0', n) &&
        (strlen(d) != n || memcmp(d, s, n) != 0))
        abort();
    free(d);
}

static void check_roundtrip(const char *key, const char *val, size_t n)
{
    char *enc = percent_encode(val, n);
    if (!enc)
        return;
    char *d = sim_urldecode(enc, strlen(enc), 1);
    if (!d || strlen(d) != n || memcmp(d, val, n) != 0)
        abort();
    free(d);
    if (!strchr(key, '&') && !strchr(key, '=') && strcmp(key, "a") && strcmp(key, "b")) {
        size_t blen = strlen(key) + strlen(enc) + 16;
        char *body = malloc(blen);
        if (body) {
            size_t len = (size_t)snprintf(body, blen, "a=1&%s=%s&b=2", key, enc);
            char *v = sim_form_value(body, len, key);
            if (!v || strlen(v) != n || memcmp(v, val, n) != 0)
                abort();
            free(v);
            free(body);
        }
    }
    free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    int plus = data[0] & 1;
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    check_decode(rest, n, plus);

    char key[33];
    const char *nl = memchr(rest, '\n', n < 32 ? n : 32);
    size_t klen = nl ? (size_t)(nl - rest) : 0;
    memcpy(key, rest, klen);
    key[klen] = '\0';
    const char *body = nl ? nl + 1 : rest;
    size_t blen = n - (size_t)(body - rest);
    char *v = sim_form_value(body, blen, key);
    if (v && strlen(v) > blen)
        abort();
    free(v);
    if (strlen(key) == klen && !memchr(body, '\0', blen))
        check_roundtrip(key, body, blen);
    return 0;
}
