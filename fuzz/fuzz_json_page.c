/* libFuzzer: zf_json_scan_page, the one pass over a list page that checks
 * it and finds its members and items (src/util/json_scan.h).
 * Properties: it accepts and refuses exactly what zf_json_scan_validate
 * does, with the same offset and reason; on a valid object, items,
 * next_page_token and total_records are the spans a walk of the top-level
 * members finds (the last of a repeated name; nested members never
 * count), and the elements are the ones a walk of that array gives, as
 * many as jansson counts; on anything else nothing is found. The first
 * input byte picks the items key, so escaped and odd names are tried.
 * Nothing may read past the input (ASan). */
#include "json_scan.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(zf_jspan a, zf_jspan b)
{
    return a.p == b.p && (!a.p || a.n == b.n);
}

static const char *const keys[] = {"users", "next_page_token", "total_records", "a", "", "é"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *key = keys[data[0] % (sizeof keys / sizeof keys[0])];
    data++;
    size--;
    /* an exact-size copy so ASan sees any read past the end */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    zf_jspan v;
    size_t at1 = 0, at2 = 0;
    const char *why1 = NULL, *why2 = NULL;
    int rc1 = zf_json_scan_validate(buf, size, &v, &at1, &why1);
    zf_jpage pg;
    memset(&pg, 0, sizeof pg);
    pg.items_key = key;
    /* twice: the second pass reuses elems and must start afresh */
    for (int round = 0; round < 2; round++) {
        int rc2 = zf_json_scan_page(buf, size, &pg, &at2, &why2);
        if (rc2 == ZF_ENOMEM)
            break;
        if ((rc1 == 0) != (rc2 == 0))
            abort();
        if (rc1 != 0) {
            if (at1 != at2 || strcmp(why1, why2) != 0)
                abort();
            continue;
        }
        if (pg.is_object != (v.p[0] == '{'))
            abort();
        zf_jspan want[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
        zf_jiter it;
        zf_jspan k, val;
        if (zf_json_scan_members(&it, v) == 0) {
            while (zf_json_scan_next_member(&it, &k, &val) == 1) {
                if (zf_json_scan_str_eq(k, key))
                    want[0] = val;
                else if (zf_json_scan_str_eq(k, "next_page_token"))
                    want[1] = val;
                else if (zf_json_scan_str_eq(k, "total_records"))
                    want[2] = val;
            }
        }
        /* the walk with a key hint (each member's key tried as the next
         * one's, and the items key) finds the same members */
        zf_jiter a, b;
        zf_jspan ka, va, kb, vb;
        if (zf_json_scan_members(&a, v) == 0 && zf_json_scan_members(&b, v) == 0) {
            const char *hint = key;
            size_t hn = strlen(key);
            for (;;) {
                int ra = zf_json_scan_next_member(&a, &ka, &va);
                int rb = zf_json_scan_next_member_as(&b, hint, hn, &kb, &vb);
                if ((ra == 0) != (rb == 0))
                    abort();
                if (ra == 0)
                    break;
                if (!same(ka, kb) || !same(va, vb) ||
                    (rb == 2) != (ka.n == hn + 2 && memcmp(ka.p + 1, hint, hn) == 0))
                    abort();
                hint = ka.p + 1;
                hn = ka.n - 2;
            }
        }
        if (!same(pg.items, want[0]) || !same(pg.next_token, want[1]) || !same(pg.total, want[2]))
            abort();
        size_t n = 0;
        if (want[0].p && zf_json_scan_elements(&it, want[0]) == 0) {
            while (zf_json_scan_next_element(&it, &val) == 1) {
                if (n >= pg.nelems || !same(pg.elems[n], val))
                    abort();
                n++;
            }
        }
        if (n != pg.nelems)
            abort();
        json_t *j = json_loadb(buf, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        json_t *items = json_is_object(j) && !strchr(key, '\\') ? json_object_get(j, key) : NULL;
        if (json_is_array(items) && json_array_size(items) != pg.nelems)
            abort();
        json_decref(j);
    }
    zf_jpage_free(&pg);
    free(buf);
    return 0;
}
