/* The strict CSV reader of csv.h: one pass over the text, each record's
 * fields decoded into the record's own buffer. */
#include "csv.h"

#include <stdio.h>
#include <string.h>

#include "zoomflow/error.h"

#define CSV_TEXT_MAX (64u << 20) /* a record's decoded text */

void zf_csv_init(zf_csv *c, const char *data, size_t len)
{
    c->p = data;
    c->len = len;
    /* a UTF-8 byte order mark (spreadsheets write one) is no part of the header */
    c->pos = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    c->line = 1;
}

void zf_csv_record_init(zf_csv_record *r)
{
    memset(r, 0, sizeof *r);
    zf_buf_init(&r->text, CSV_TEXT_MAX);
}

void zf_csv_record_free(zf_csv_record *r)
{
    zf_buf_free(&r->text);
    r->count = 0;
}

const char *zf_csv_field(const zf_csv_record *r, size_t i)
{
    return i < r->count ? zf_buf_cstr(&r->text) + r->off[i] : "";
}

static int refuse(char *why, size_t whylen, long line, const char *what)
{
    if (why && whylen)
        snprintf(why, whylen, "line %ld: %s", line, what);
    return ZF_EVALIDATION;
}

/* Ends the field being decoded (its bytes are text[off[count]..len)). */
static int end_field(zf_csv_record *r, char *why, size_t whylen, long line)
{
    if (r->count == ZF_CSV_FIELDS_MAX)
        return refuse(why, whylen, line, "more than 512 fields in one record");
    r->flen[r->count] = r->text.len - r->off[r->count];
    if (zf_buf_putc(&r->text, '\0') != 0)
        return ZF_ENOMEM;
    r->count++;
    if (r->count < ZF_CSV_FIELDS_MAX)
        r->off[r->count] = r->text.len;
    return 0;
}

int zf_csv_next(zf_csv *c, zf_csv_record *r, char *why, size_t whylen)
{
    if (c->pos >= c->len)
        return 0;
    zf_buf_reset(&r->text);
    r->count = 0;
    r->off[0] = 0;
    r->line = c->line;
    size_t i = c->pos;
    long line = c->line;
    for (;;) {
        /* the start of a field */
        if (i < c->len && c->p[i] == '"') {
            long opened = line;
            i++;
            for (;;) {
                if (i >= c->len) {
                    char m[96];
                    snprintf(m, sizeof m, "the quoted field opened on line %ld never closes",
                             opened);
                    return refuse(why, whylen, line, m);
                }
                char ch = c->p[i];
                if (ch == '\0')
                    return refuse(why, whylen, line, "a NUL byte");
                if (ch == '"') {
                    if (i + 1 < c->len && c->p[i + 1] == '"') {
                        zf_buf_putc(&r->text, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (ch == '\n')
                    line++;
                zf_buf_putc(&r->text, ch);
                i++;
            }
            if (i < c->len && c->p[i] != ',' && c->p[i] != '\n' &&
                !(c->p[i] == '\r' && i + 1 < c->len && c->p[i + 1] == '\n'))
                return refuse(why, whylen, line,
                              "text after a quoted field's closing quote (write \"\" for a "
                              "quote inside it)");
        } else {
            while (i < c->len && c->p[i] != ',' && c->p[i] != '\n') {
                char ch = c->p[i];
                if (ch == '"')
                    return refuse(why, whylen, line,
                                  "a quote inside an unquoted field (quote the whole field "
                                  "and write \"\" for the quote)");
                if (ch == '\0')
                    return refuse(why, whylen, line, "a NUL byte");
                if (ch == '\r') {
                    if (i + 1 < c->len && c->p[i + 1] == '\n')
                        break;
                    return refuse(why, whylen, line,
                                  "a carriage return that is not followed by a line feed");
                }
                zf_buf_putc(&r->text, ch);
                i++;
            }
        }
        if (r->text.failed)
            return ZF_ENOMEM;
        int rc = end_field(r, why, whylen, line);
        if (rc)
            return rc;
        if (i >= c->len)
            break;
        if (c->p[i] == ',') {
            i++;
            continue;
        }
        if (c->p[i] == '\r')
            i++;
        i++; /* the LF */
        line++;
        break;
    }
    c->pos = i;
    c->line = line;
    return 1;
}

int zf_csv_utf8_valid(const char *s, size_t n, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        size_t k;
        unsigned min, cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, min = 0x80, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, min = 0x800, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, min = 0x10000, cp = c & 0x07;
        } else {
            *bad = i;
            return 0;
        }
        if (n - i <= k) {
            *bad = i;
            return 0;
        }
        for (size_t j = 1; j <= k; j++) {
            if ((u[i + j] & 0xC0) != 0x80) {
                *bad = i;
                return 0;
            }
            cp = (cp << 6) | (u[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            *bad = i;
            return 0;
        }
        i += k + 1;
    }
    return 1;
}
