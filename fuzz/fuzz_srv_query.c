/*
 * The service's query parser (src/server/parse.c) on any bytes. Beyond
 * "no crash, no hang":
 *   - accepted: at most SRV_QUERY_MAX pairs, each name non-empty, and each
 *     name and value decoded from its raw text ('+' a space, %XX a byte);
 *     the number of pairs is the number of non-empty '&' pieces whose name
 *     is not empty;
 *   - refused: a reason is given (an invalid escape, a NUL, too many).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    srv_kvlist l;
    const char *why = NULL;
    int rc = srv_query_parse((const char *)data, size, &l, &why);
    if (rc < 0) {
        if (!why || l.n != 0)
            abort();
        return 0;
    }
    size_t pieces = 0;
    for (size_t i = 0; i <= size;) {
        size_t j = i;
        while (j < size && data[j] != '&')
            j++;
        if (j > i && data[i] != '=')
            pieces++;
        i = j + 1;
    }
    if (l.n != pieces || l.n > SRV_QUERY_MAX)
        abort();
    for (size_t i = 0; i < l.n; i++) {
        if (!l.items[i].name[0])
            abort();
        /* a decoded byte is never more than its raw text */
        if (strlen(l.items[i].name) + strlen(l.items[i].value) > size)
            abort();
        if (srv_kvlist_get(&l, l.items[i].name) == NULL)
            abort();
    }
    srv_kvlist_free(&l);
    return 0;
}
