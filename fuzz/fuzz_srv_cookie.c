/*
 * The service's Cookie header parser (src/server/parse.c) on any bytes.
 * Beyond "no crash, no hang": every pair kept has a token name (no
 * separators, spaces or control bytes) and a value without ';', ',',
 * '"', '\\', spaces or control bytes; at most SRV_COOKIES_MAX pairs; the
 * first of a repeated name wins; and the header
 * "zf_session=V" alone (V the fuzz bytes) keeps V exactly when V is a
 * valid cookie value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int value_ok(const unsigned char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0x21 || v[i] == 0x7f || v[i] == '"' || v[i] == ',' || v[i] == '\\' ||
            v[i] == ';')
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024)
        return 0;
    srv_kvlist l;
    if (srv_cookie_parse((const char *)data, size, &l) < 0)
        return 0;
    if (l.n > SRV_COOKIES_MAX)
        abort();
    for (size_t i = 0; i < l.n; i++) {
        const unsigned char *n = (const unsigned char *)l.items[i].name;
        if (!n[0])
            abort();
        for (; *n; n++)
            if (*n <= 0x20 || *n >= 0x7f || strchr("()<>@,;:\\\"/[]?={}", *n))
                abort();
        if (!value_ok((const unsigned char *)l.items[i].value, strlen(l.items[i].value)))
            abort();
        if (srv_kvlist_get(&l, l.items[i].name) != l.items[i].value) {
            /* a repeat: the first one is the one answered */
            size_t first = 0;
            while (strcmp(l.items[first].name, l.items[i].name) != 0)
                first++;
            if (first >= i)
                abort();
        }
    }
    srv_kvlist_free(&l);
    /* the fuzz bytes as one cookie's value */
    char *h = malloc(size + 12);
    if (!h)
        return 0;
    memcpy(h, "zf_session=", 11);
    memcpy(h + 11, data, size);
    srv_cookie_parse(h, size + 11, &l);
    const char *v = srv_kvlist_get(&l, "zf_session");
    int simple = value_ok(data, size) && size > 0 && !memchr(data, '\0', size) &&
                 !(size >= 2 && data[0] == '"' && data[size - 1] == '"');
    if (simple && (!v || strlen(v) != size || memcmp(v, data, size) != 0))
        abort();
    srv_kvlist_free(&l);
    free(h);
    return 0;
}
