/* libFuzzer: the strict JSON scanner (src/util/json_scan.h) against jansson.
 * Properties: the scanner accepts exactly what json_loadb(JSON_DECODE_ANY |
 * JSON_ALLOW_NUL) accepts, except the documented differences (numbers
 * jansson cannot represent, "\u0000" in keys; duplicate keys both accept);
 * the top-level span is exactly the value; every member / element span of
 * a top-level container parses on its own to the value jansson has there;
 * decoded strings equal jansson's; zf_json_scan_canon writes what
 * json_dumps(JSON_COMPACT | JSON_ENSURE_ASCII) writes for json_loadb(flags
 * 0), or declines. Nothing may read past the input (ASan). */
#include "json_scan.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The span alone parses to exactly `want` and has no whitespace around. */
static void check_span(zf_jspan s, const json_t *want)
{
    if (!s.n || is_ws(s.p[0]) || is_ws(s.p[s.n - 1]))
        abort();
    json_t *j = json_loadb(s.p, s.n, FLAGS, NULL);
    if (!j || !json_equal(j, (json_t *)want))
        abort();
    if (json_is_string(want)) {
        size_t n = json_string_length(want);
        char *buf = malloc(n + 1);
        if (!buf || zf_json_scan_str(s, buf, n + 1) != n ||
            memcmp(buf, json_string_value(want), n) != 0)
            abort();
        free(buf);
    }
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy so ASan sees any read past the end */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    json_error_t je;
    json_t *j = json_loadb(buf, size, FLAGS, &je);
    zf_jspan v;
    int rc = zf_json_scan_validate(buf, size, &v, NULL, NULL);
    /* jansson 2.14 loses a raw NUL byte right after a number ("[1\0]"
     * loads as [1]); the scanner refuses it, as RFC 8259 does */
    if (j && rc != 0 && !memchr(buf, 0, size))
        abort(); /* refused what jansson accepts */
    if (!j && rc == 0 && !strstr(je.text, "too big") && !strstr(je.text, "overflow") &&
        !strstr(je.text, "NUL byte in object key"))
        abort(); /* accepted what jansson refuses for syntax */
    if (j && rc == 0) {
        check_span(v, j);
        zf_jiter it;
        zf_jspan key, val;
        if (json_is_array(j)) {
            size_t i = 0;
            if (zf_json_scan_elements(&it, v) != 0)
                abort();
            while (zf_json_scan_next_element(&it, &val) == 1)
                check_span(val, json_array_get(j, i++));
            if (i != json_array_size(j))
                abort();
        } else if (json_is_object(j)) {
            size_t n = 0;
            if (zf_json_scan_members(&it, v) != 0)
                abort();
            while (zf_json_scan_next_member(&it, &key, &val) == 1)
                n++;
            /* duplicates: jansson keeps the last, so compare only then */
            zf_json_scan_members(&it, v);
            while (n == json_object_size(j) && zf_json_scan_next_member(&it, &key, &val) == 1) {
                char k[256];
                if (zf_json_scan_str(key, k, sizeof k) >= sizeof k)
                    continue;
                const json_t *want = json_object_get(j, k);
                if (!want || !zf_json_scan_str_eq(key, k))
                    abort();
                check_span(val, want);
            }
        }
        zf_buf b = ZF_BUF_INIT(size + 1);
        if (zf_json_scan_compact(v, &b) != 0)
            abort();
        json_t *c = json_loadb(b.ptr, b.len, FLAGS, NULL);
        if (!c || !json_equal(c, j))
            abort();
        json_decref(c);
        zf_buf_free(&b);
    }
    /* jansson's form: when the scanner writes it, it is json_dumps's of
     * json_loadb(flags 0); "jansson safe" texts jansson loads */
    if (rc == 0) {
        json_t *strict = json_loadb(buf, size, JSON_DECODE_ANY, NULL);
        if (zf_json_scan_jansson_safe(buf, size) && !strict)
            abort();
        zf_buf cb = ZF_BUF_INIT((size_t)1 << 24);
        int cr = zf_json_scan_canon(v, &cb);
        if (cr == 0) {
            char *d = strict
                          ? json_dumps(strict, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY)
                          : NULL;
            if (!d || strcmp(d, cb.ptr) != 0)
                abort();
            free(d);
        } else if (cr != 1 || cb.len != 0) {
            abort();
        }
        zf_buf_free(&cb);
        json_decref(strict);
    }
    json_decref(j);
    free(buf);
    return 0;
}
