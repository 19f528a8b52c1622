/*
 * The audit log's paging cursor (zf_store_audit_cursor_parse, the text of
 * GET /api/v1/audit?before=) on any bytes. Beyond "no crash, no hang":
 *   - accepted exactly when the text (up to a NUL) is 32 lowercase hex
 *     digits whose last 16 name an id from 1 to INT64_MAX;
 *   - what is accepted formats back to the same text (one text a position);
 *   - refused: ZF_EVALIDATION with the AUDIT_CURSOR hint.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cursor_ok(const char *s)
{
    if (strlen(s) != ZF_STORE_AUDIT_CURSOR_LEN)
        return 0;
    for (size_t i = 0; i < ZF_STORE_AUDIT_CURSOR_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    /* id: the last 16 digits, 1 to INT64_MAX */
    return s[16] <= '7' && strspn(s + 16, "0") < 16;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    zf_store_audit_cursor c;
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_store_audit_cursor_parse(s, &c, &err);
    if ((rc == 0) != cursor_ok(s))
        abort();
    if (rc == 0) {
        zf_store_audit row = {c.id, c.at, NULL, NULL, NULL, NULL, NULL};
        char back[ZF_STORE_AUDIT_CURSOR_LEN + 1];
        zf_store_audit_cursor_format(&row, back);
        if (strcmp(back, s) != 0 || c.id < 1)
            abort();
    } else if (rc != ZF_EVALIDATION || err.hint_id != ZF_HINT_AUDIT_CURSOR || !err.message[0]) {
        abort();
    }
    free(s);
    return 0;
}
