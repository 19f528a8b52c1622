/*
 * A strict RFC 4180 reader for CSV text from users (util layer; not
 * installed): the `zoomflow batch --csv` input, untrusted bytes.
 *
 *   fields are separated by ',' and records end at LF or CRLF; the last
 *   record may end at the end of the text
 *   a field that begins with '"' is quoted: it runs to the next lone '"',
 *   "" inside stands for one '"', and ',' CR and LF inside are data (a
 *   record may span lines); after the closing quote comes ',', the end of
 *   the record or the end of the text, nothing else
 *   refused, with the line: a '"' inside an unquoted field, a CR not
 *   followed by LF outside quotes, a quoted field the text ends inside, a
 *   NUL byte, more than ZF_CSV_FIELDS_MAX fields in a record
 *
 * An empty line is a record of one empty field (the caller decides what
 * that means). A UTF-8 byte order mark at the start of the text is
 * skipped (spreadsheet programs write one). Nothing is allocated but the record's own buffer.
 */
#ifndef ZF_UTIL_CSV_H
#define ZF_UTIL_CSV_H

#include <stddef.h>

#include "zoomflow/buf.h"

#define ZF_CSV_FIELDS_MAX 512

typedef struct zf_csv {
    const char *p;
    size_t len, pos;
    long line; /* the line the next record starts on, from 1 */
} zf_csv;

typedef struct zf_csv_record {
    long line;                      /* the line the record starts on */
    size_t count;                   /* fields in the record */
    size_t off[ZF_CSV_FIELDS_MAX];  /* each field's start in text */
    size_t flen[ZF_CSV_FIELDS_MAX]; /* and its length (no NUL counted) */
    zf_buf text;                    /* the decoded fields, each NUL-ended */
} zf_csv_record;

void zf_csv_init(zf_csv *c, const char *data, size_t len);
void zf_csv_record_init(zf_csv_record *r);
void zf_csv_record_free(zf_csv_record *r);
/* Field i of r as a C string (i < r->count). */
const char *zf_csv_field(const zf_csv_record *r, size_t i);
/* Reads the next record into r: 1, 0 at the end of the text, or
 * ZF_EVALIDATION with why[] saying what is wrong and on which line (why
 * may be NULL), or ZF_ENOMEM. After an error the reader stays at it. */
int zf_csv_next(zf_csv *c, zf_csv_record *r, char *why, size_t whylen);
/* 1 when s[0..n) is valid UTF-8 (no overlong forms, surrogates or code
 * points past U+10FFFF), else 0 with *bad the offset of the first byte
 * that is not. */
int zf_csv_utf8_valid(const char *s, size_t n, size_t *bad);

#endif
