/*
 * A strict JSON scanner for untrusted bytes that builds nothing and
 * allocates nothing (the fast path of list pages, where building a jansson
 * tree per page cost most of the time).
 *
 * zf_json_scan_validate checks one RFC 8259 JSON text: the grammar of
 * every value (numbers included: no leading zeros, no "1.", no "+1"),
 * nesting at most ZF_JSON_SCAN_MAX_DEPTH containers deep, strings without
 * raw control bytes, with valid escapes, \u surrogates paired and the raw
 * bytes valid UTF-8 (no overlongs, no encoded surrogates, nothing above
 * U+10FFFF). Any value is accepted at the top level.
 *
 * Differences from jansson's json_loadb (flags JSON_DECODE_ANY |
 * JSON_ALLOW_NUL), all deliberate (RFC 8259 is the rule here):
 *   - duplicate object keys are accepted (jansson too, unless
 *     JSON_REJECT_DUPLICATES; readers here take the LAST one, as jansson
 *     does);
 *   - numbers of any size are accepted: jansson refuses integers outside
 *     int64 ("too big integer") and reals that overflow a double;
 *   - "\u0000" inside an object key is accepted (jansson refuses it);
 *   - a raw NUL byte outside strings is refused (jansson 2.14 silently
 *     drops one that directly follows a number: "[1\0]" loads as [1]).
 * Apart from these, whatever one accepts the other accepts
 * (fuzz/fuzz_json_scan.c checks it).
 *
 * The walking functions below take spans that came out of a successful
 * validation (or out of walking one); they do not check again.
 */
#ifndef ZOOMFLOW_JSON_SCAN_H
#define ZOOMFLOW_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"

/* Same cap as jansson's JSON_PARSER_MAX_DEPTH. */
#define ZF_JSON_SCAN_MAX_DEPTH 2048

/* A value's bytes: from its first byte to its last, no whitespace around. */
typedef struct zf_jspan {
    const char *p;
    size_t n;
} zf_jspan;

typedef enum zf_jtype {
    ZF_JT_OBJECT,
    ZF_JT_ARRAY,
    ZF_JT_STRING,
    ZF_JT_NUMBER,
    ZF_JT_TRUE,
    ZF_JT_FALSE,
    ZF_JT_NULL
} zf_jtype;

/* 0 with *value set, or ZF_EPARSE with *err_at (byte offset) and *why
 * (static text such as "invalid UTF-8 in a string"). err_at/why may be
 * NULL. */
int zf_json_scan_validate(const char *buf, size_t n, zf_jspan *value, size_t *err_at,
                          const char **why);

/* One page of a Zoom list, checked and cut in one pass. In: items_key
 * (the list's array member, e.g. "users"; NULL for none) and elems/cap
 * (a growing array kept between pages; zero them at first). Out, after
 * zf_json_scan_page: is_object (the text is an object); items,
 * next_page_token and total_records: the spans of the top-level object's
 * members of those names (the last one of a repeated name; p NULL when
 * absent; members of nested objects never count); elems[0..nelems): the
 * elements of items when it is an array (nelems 0 otherwise). */
typedef struct zf_jpage {
    const char *items_key;
    int is_object;
    zf_jspan items, next_token, total;
    zf_jspan *elems;
    size_t nelems, cap;
    int oom;
} zf_jpage;

/* zf_json_scan_validate's check (same errors, same offsets) plus what
 * zf_jpage says, in the same pass. 0, ZF_EPARSE with *err_at and *why,
 * or ZF_ENOMEM (elems could not grow). */
int zf_json_scan_page(const char *buf, size_t n, zf_jpage *pg, size_t *err_at, const char **why);
void zf_jpage_free(zf_jpage *pg);

zf_jtype zf_json_scan_type(zf_jspan v);

/* Walks a validated object's members or an array's elements in order. */
typedef struct zf_jiter {
    const char *p;
    const char *end;
} zf_jiter;

/* 0, or ZF_EPARSE when v is not an object (resp. array). */
int zf_json_scan_members(zf_jiter *it, zf_jspan v);
int zf_json_scan_elements(zf_jiter *it, zf_jspan v);
/* 1 with the next member (key: the string token, quotes included), 0 at
 * the end. */
int zf_json_scan_next_member(zf_jiter *it, zf_jspan *key, zf_jspan *value);
int zf_json_scan_next_element(zf_jiter *it, zf_jspan *value);
/* zf_json_scan_next_member when the key is likely known: key[0..klen) is
 * the content (between the quotes) of a valid string token, or key is
 * NULL. 2 when the member's key token is exactly that (its bytes are then
 * not scanned), 1 for another key, 0 at the end. */
int zf_json_scan_next_member_as(zf_jiter *it, const char *key, size_t klen, zf_jspan *k,
                                zf_jspan *value);

/* 1 when the string token s decodes to exactly the NUL-free string c. */
int zf_json_scan_str_eq(zf_jspan s, const char *c);
/* Decodes the string token s (escapes, surrogate pairs) to UTF-8 into out
 * (cap bytes, NUL-terminated when cap > 0). Returns the decoded length,
 * which is >= cap when it did not fit (out then holds a prefix). */
size_t zf_json_scan_str(zf_jspan s, char *out, size_t cap);
/* 1 with *out when the number token v is an integer (no fraction, no
 * exponent) within int64, as jansson's json_is_integer; 0 otherwise. */
int zf_json_scan_int(zf_jspan v, int64_t *out);
/* Appends v without the whitespace outside its strings. 0, or ZF_ENOMEM
 * (b failed). */
int zf_json_scan_compact(zf_jspan v, zf_buf *b);
/* The same into dst, which has room for v.n bytes; returns bytes written. */
size_t zf_json_scan_compact_to(zf_jspan v, char *dst);

/* Appends jansson's text of the valid value v: what json_dumps(JSON_COMPACT
 * | JSON_ENSURE_ASCII) writes for json_loadb(flags 0) of it (strings
 * re-escaped, non-ASCII as \uXXXX, "-0" as 0, duplicate-free objects in
 * order). 0; 1 when the bytes alone cannot tell (a real, an integer of 19
 * or more digits, "\u0000", a nested object with an escaped or repeated
 * key or more than 32 members, nesting past 64), b then as it was;
 * ZF_ENOMEM. */
int zf_json_scan_canon(zf_jspan v, zf_buf *b);
/* The same into dst, which has room for zf_json_scan_canon_max(v) bytes:
 * returns the end of what was written, or NULL (the "1" above). */
char *zf_json_scan_canon_to(zf_jspan v, char *dst);
size_t zf_json_scan_canon_max(zf_jspan v);
/* 1 when json_loadb(flags 0) surely accepts the valid JSON text buf (no
 * "\u0000", no run of 19 or more digits, no exponent of 3 or more
 * digits); 0 when it might refuse it (too big a number, a NUL). */
int zf_json_scan_jansson_safe(const char *buf, size_t n);

#endif
