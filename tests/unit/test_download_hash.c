/* download_hash.h: the SHA-256 thread behind a download's receive path.
 * Every digest is compared with a one-shot SHA-256 of the bytes that
 * should have been hashed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "download_hash.h"

static void sha256(const unsigned char *p, size_t n, unsigned char out[32])
{
    unsigned int dl = 0;
    assert_int_equal(EVP_Digest(p, n, out, &dl, EVP_sha256(), NULL), 1);
    assert_int_equal(dl, 32);
}

/* Fills the current slot with len bytes of pattern seed, hands it over,
 * and appends the bytes to `all` (when not NULL). */
static void feed(zf_dl_hash *h, size_t len, unsigned seed, unsigned char *all, size_t *alen)
{
    unsigned char *b = zf_dl_hash_slot(h);
    assert_non_null(b);
    for (size_t i = 0; i < len; i++)
        b[i] = (unsigned char)(i * 31u + seed * 7u + (i >> 9));
    if (all) {
        memcpy(all + *alen, b, len);
        *alen += len;
    }
    zf_dl_hash_submit(h, len);
}

static void test_in_order_many_buffers(void **state)
{
    /* more buffers than slots, of odd sizes: the writer waits for slots
     * and the hash is of the bytes in the order handed over */
    size_t cap = 24 * ZF_DL_HASH_SLOT;
    unsigned char *all = malloc(cap), want[32], got[32];
    size_t alen = 0;
    assert_non_null(all);
    zf_dl_hash *h = zf_dl_hash_new();
    assert_non_null(h);
    for (unsigned i = 0; i < 20; i++)
        feed(h, i % 3 == 0 ? ZF_DL_HASH_SLOT : 1 + i * 4099u, i, all, &alen);
    zf_dl_hash_submit(h, 0); /* nothing */
    assert_true(zf_dl_hash_final(h, got));
    sha256(all, alen, want);
    assert_memory_equal(got, want, 32);
    assert_int_equal(zf_dl_hash__hashed(h), 20);
    assert_int_equal(zf_dl_hash__dropped(h), 0);
    assert_false(zf_dl_hash_final(h, got)); /* finished once */
    zf_dl_hash_free(h);
    free(all);
}

static void test_empty(void **state)
{
    unsigned char want[32], got[32];
    zf_dl_hash *h = zf_dl_hash_new();
    assert_non_null(h);
    assert_true(zf_dl_hash_final(h, got));
    sha256((const unsigned char *)"", 0, want);
    assert_memory_equal(got, want, 32);
    zf_dl_hash_free(h);
}

static void test_restart_while_queued(void **state)
{
    /* A 200 to a Range request while buffers of the old bytes wait: the
     * reset drops them, and the digest is of the new bytes only. The hold
     * keeps the hasher from taking any, so they are surely queued. */
    size_t cap = 8 * ZF_DL_HASH_SLOT;
    unsigned char *all = malloc(cap), want[32], got[32];
    size_t alen = 0;
    assert_non_null(all);
    zf_dl_hash *h = zf_dl_hash_new();
    assert_non_null(h);
    feed(h, ZF_DL_HASH_SLOT, 1, NULL, NULL); /* hashed before the hold */
    zf_dl_hash__hold(h, true);
    for (unsigned i = 0; i < ZF_DL_HASH_SLOTS - 1; i++)
        feed(h, ZF_DL_HASH_SLOT - i, 10 + i, NULL, NULL);
    /* the first may still be in the hasher's hands, the rest are queued */
    assert_true(zf_dl_hash_reset(h));
    assert_true(zf_dl_hash__dropped(h) >= ZF_DL_HASH_SLOTS - 1);
    /* the writer's slot after the reset is free, and so are the others */
    feed(h, 1000, 50, all, &alen);
    feed(h, ZF_DL_HASH_SLOT, 51, all, &alen);
    feed(h, 77, 52, all, &alen);
    zf_dl_hash__hold(h, false);
    feed(h, ZF_DL_HASH_SLOT, 53, all, &alen);
    feed(h, 5, 54, all, &alen);
    assert_true(zf_dl_hash_final(h, got));
    sha256(all, alen, want);
    assert_memory_equal(got, want, 32);
    zf_dl_hash_free(h);
    free(all);
}

static void test_restart_races_the_hasher(void **state)
{
    /* resets at every point of the ring, the hasher running free: each
     * round's digest is of that round's bytes alone */
    size_t cap = 8 * ZF_DL_HASH_SLOT;
    unsigned char *all = malloc(cap), want[32], got[32];
    assert_non_null(all);
    for (unsigned round = 0; round < 12; round++) {
        zf_dl_hash *h = zf_dl_hash_new();
        assert_non_null(h);
        size_t alen = 0;
        for (unsigned i = 0; i < round % 7; i++)
            feed(h, ZF_DL_HASH_SLOT / (i + 1), round + i, NULL, NULL);
        assert_true(zf_dl_hash_reset(h));
        for (unsigned i = 0; i < 1 + round % 5; i++)
            feed(h, ZF_DL_HASH_SLOT - 3 * i, 100 + round + i, all, &alen);
        assert_true(zf_dl_hash_final(h, got));
        sha256(all, alen, want);
        assert_memory_equal(got, want, 32);
        zf_dl_hash_free(h);
    }
    free(all);
}

static void test_free_with_buffers_queued(void **state)
{
    /* an error path frees the hasher without a final: no wait, no leak */
    zf_dl_hash *h = zf_dl_hash_new();
    assert_non_null(h);
    zf_dl_hash__hold(h, true);
    for (unsigned i = 0; i < ZF_DL_HASH_SLOTS; i++)
        feed(h, ZF_DL_HASH_SLOT, i, NULL, NULL);
    zf_dl_hash_free(h);
    zf_dl_hash_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_many_buffers),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_restart_while_queued),
        cmocka_unit_test(test_restart_races_the_hasher),
        cmocka_unit_test(test_free_with_buffers_queued),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
