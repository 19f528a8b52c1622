/*
 * Small text helpers shared by the library and zoomsim (util layer; not
 * installed): hex digits, percent escapes, header lookup.
 */
#ifndef ZF_UTIL_TEXT_H
#define ZF_UTIL_TEXT_H

#include <stddef.h>

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

#endif
