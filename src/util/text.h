/*
 * Small text helpers shared by the library and zoomsim (util layer; not
 * installed): hex digits, percent escapes, header lookup, bounded decimal
 * numbers (in place of strtol and kin, which STYLE.md rules out: they skip
 * blanks, take signs and wrap silently).
 */
#ifndef ZF_UTIL_TEXT_H
#define ZF_UTIL_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Value of one hex digit (0-9, a-f, A-F), or -1. */
int zf_hexval(int c);

/* The byte a percent escape "%XY" at s[0..n) stands for (0..255), or -1
 * when s does not start with '%' followed by two hex digits within n. */
int zf_pct_byte(const char *s, size_t n);

/* Case-insensitive lookup of `name` in a block of "Name: value" lines ended
 * by "\r\n" or "\n" (a status line or blank line never matches). The value,
 * with surrounding blanks and a trailing CR trimmed and cut to outlen - 1
 * bytes, goes to out (NUL-terminated when outlen > 0). Returns out, or NULL
 * when there is no such header; headers NULL is an empty block. */
const char *zf_header_find(const char *headers, const char *name, char *out, size_t outlen);

/* The decimal number at s: one or more ASCII digits and nothing before
 * them (no blank, no sign). On success *end is the first byte after the
 * digits and the value is at most max. Returns 0, or -1 when s does not
 * start with a digit or the value is over max (then *out is untouched;
 * *end is still set past the digits, so a caller can report them). */
int zf_parse_u64_prefix(const char *s, const char **end, uint64_t max, uint64_t *out);

/* The whole string s as a decimal number in [0, max]: digits only. */
int zf_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* The whole string s as a decimal number in [min, max]: digits with an
 * optional leading '-' (taken only when min < 0). */
int zf_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
