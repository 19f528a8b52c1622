/*
 * The service's trusted-proxy list and X-Forwarded-For reader
 * (src/server/parse.c) on any bytes: the input's first line is the
 * --trusted-proxy list, the rest the header. Beyond "no crash, no hang":
 * a list that parses has at most SRV_NETS_MAX blocks, each with a prefix
 * in range; a client found is a bare address that inet_pton reads, in none
 * of the trusted blocks, and appears in the header; and a header that is one
 * untrusted address alone names exactly that address.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_addr(const char *s)
{
    unsigned char b[16];
    return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8 * 1024)
        return 0;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t llen = nl ? (size_t)(nl - data) : size;
    char *list = malloc(llen + 1);
    if (!list)
        return 0;
    memcpy(list, data, llen);
    list[llen] = '\0';
    if (strlen(list) != llen) { /* a NUL in the list: the CLI never passes one */
        free(list);
        return 0;
    }
    srv_net nets[SRV_NETS_MAX];
    size_t n = 0;
    char bad[96];
    if (srv_net_list_parse(list, nets, SRV_NETS_MAX, &n, bad, sizeof bad) < 0)
        n = 0;
    if (n > SRV_NETS_MAX)
        abort();
    for (size_t i = 0; i < n; i++)
        if (nets[i].bits < 0 || nets[i].bits > 128)
            abort();
    const char *xff = nl ? (const char *)nl + 1 : "";
    size_t xlen = nl ? size - llen - 1 : 0;
    char out[64];
    if (srv_forwarded_client(xff, xlen, nets, n, out, sizeof out) == 1) {
        if (!is_addr(out) || srv_net_match(nets, n, out))
            abort();
    }
    /* the header alone, one address: that address, unless trusted */
    if (xlen > 0 && xlen < 46 && !memchr(xff, ',', xlen) && !memchr(xff, ' ', xlen) &&
        !memchr(xff, '\t', xlen) && !memchr(xff, '\0', xlen)) {
        char one[64];
        memcpy(one, xff, xlen);
        one[xlen] = '\0';
        if (is_addr(one) && !srv_net_match(nets, n, one) &&
            srv_forwarded_client(one, xlen, nets, n, out, sizeof out) != 1)
            abort();
    }
    free(list);
    return 0;
}
