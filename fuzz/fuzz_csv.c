/* libFuzzer: the strict CSV reader (src/util/csv.h). Properties: nothing
 * reads past the input (ASan); each record's fields are NUL-free and lie
 * within its buffer; the reader always moves forward and ends; and the
 * records of accepted text, written back out with every field quoted,
 * read back to the same fields; the UTF-8 check names a byte inside the
 * field, with valid text before it. */
#include "csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RECORDS_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zf_csv c;
    zf_csv_record r;
    zf_buf again = ZF_BUF_INIT(1u << 24);
    char why[256];
    zf_csv_init(&c, (const char *)data, size);
    zf_csv_record_init(&r);
    int rc, n = 0;
    size_t last = 0;
    while ((rc = zf_csv_next(&c, &r, why, sizeof why)) == 1) {
        if (c.pos <= last && size)
            abort(); /* no progress */
        last = c.pos;
        for (size_t i = 0; i < r.count; i++) {
            const char *f = zf_csv_field(&r, i);
            if (strlen(f) != r.flen[i] || r.off[i] + r.flen[i] >= r.text.len + 1)
                abort();
            /* the UTF-8 check: the first bad byte lies in the field, and
             * the text before it is valid */
            size_t bad = 0, bad2 = 0;
            if (!zf_csv_utf8_valid(f, r.flen[i], &bad) &&
                (bad >= r.flen[i] || !zf_csv_utf8_valid(f, bad, &bad2)))
                abort();
            zf_buf_putc(&again, '"');
            for (const char *p = f; *p; p++) {
                if (*p == '"')
                    zf_buf_putc(&again, '"');
                zf_buf_putc(&again, *p);
            }
            zf_buf_puts(&again, i + 1 < r.count ? "\"," : "\"\r\n");
        }
        if (++n == RECORDS_MAX)
            break;
    }
    if (rc != 1 && rc != 0 && rc != ZF_EVALIDATION && rc != ZF_ENOMEM)
        abort();
    if (rc == 0 && !again.failed) {
        /* the first records again, from their all-quoted form */
        zf_csv c2, c3;
        zf_csv_record r2, r3;
        zf_csv_init(&c2, zf_buf_cstr(&again), again.len);
        zf_csv_init(&c3, (const char *)data, size);
        zf_csv_record_init(&r2);
        zf_csv_record_init(&r3);
        for (int k = 0; k < n; k++) {
            if (zf_csv_next(&c2, &r2, NULL, 0) != 1 || zf_csv_next(&c3, &r3, NULL, 0) != 1 ||
                r2.count != r3.count)
                abort();
            for (size_t i = 0; i < r2.count; i++)
                if (r2.flen[i] != r3.flen[i] ||
                    memcmp(zf_csv_field(&r2, i), zf_csv_field(&r3, i), r2.flen[i]) != 0)
                    abort();
        }
        zf_csv_record_free(&r2);
        zf_csv_record_free(&r3);
    }
    zf_csv_record_free(&r);
    zf_buf_free(&again);
    return 0;
}
