/*
 * Fuzzes zoomsim's OAuth parsers of untrusted bytes: the Basic client
 * credentials header, redirect URI matching and registration checks, PKCE
 * verification and HTML escaping. Input: up to three NUL-separated fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 3);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = '\0';
    const char *a = buf;
    const char *b = a + strlen(a) + 1;
    const char *c = b <= buf + size ? b + strlen(b) + 1 : b;
    if (b > buf + size)
        b = "";
    if (c > buf + size)
        c = "";

    char *id, *secret, err[256], chal[44];
    if (sim_oauth_basic_parse(a, &id, &secret) == 0) {
        free(id);
        sim_oauth_secret_free(secret);
    }
    (void)sim_oauth_redirect_match(a, b);
    (void)sim_oauth_redirect_check(a, err, sizeof err);
    (void)sim_oauth_pkce_verify("S256", a, b);
    (void)sim_oauth_pkce_verify("plain", a, b);
    (void)sim_oauth_pkce_challenge_ok(c[0] == 'p' ? "plain" : "S256", a);
    sim_oauth_pkce_s256(c, chal);
    zf_buf h = ZF_BUF_INIT(1 << 20);
    sim_oauth_html_escape(&h, a);
    zf_buf_free(&h);
    free(buf);
    return 0;
}
