/* util's tzif.h: the one TZif reader the library's actions and zoomsim
 * share. Its answers are checked against the C library's own tz code
 * (localtime_r under TZ=zone: another reader of the same files), so the
 * two users of this one cannot agree on a wrong offset unseen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tzif.h"

#define TEST_FILE_MAX (64u << 10)

static const char *const zones[] = {
    "Europe/Berlin",    "America/New_York",    "America/Sao_Paulo", "Asia/Kathmandu",
    "Asia/Tehran",      "Australia/Lord_Howe", "Pacific/Apia",      "Africa/Casablanca",
    "America/St_Johns", "Pacific/Chatham",     "Europe/Dublin",     "UTC",
};

static size_t read_file(const char *path, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    assert_true(n > 44 && n < cap);
    return n;
}

/* Every 3 days and 7 hours from 1850 to 2037 (the files' explicit
 * transitions; past them the C library applies the footer's rule, which
 * this reader does not read), and a second either side of each hour
 * boundary on the way. The C library reads TZ; this test is one thread. */
static void test_offsets_match_the_c_library(void **state)
{
    static unsigned char img[TEST_FILE_MAX];
    const time_t from = -3786825600, to = 2114380800; /* 1850-01-01, 2037-01-01 */
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        char path[256];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zones[z]);
        size_t n = read_file(path, img, sizeof img);
        setenv("TZ", zones[z], 1);
        tzset();
        for (time_t t = from; t < to; t += 3 * 86400 + 7 * 3600) {
            time_t hour = t - t % 3600;
            const time_t probes[] = {t, hour - 1, hour};
            for (size_t p = 0; p < 3; p++) {
                int32_t off = INT32_MIN;
                struct tm tm;
                assert_int_equal(zf_tzif_offset_at(img, n, probes[p], &off), ZF_OK);
                assert_non_null(localtime_r(&probes[p], &tm));
                if (off != tm.tm_gmtoff)
                    fail_msg("%s at %lld: %d, the C library says %ld", zones[z],
                             (long long)probes[p], off, tm.tm_gmtoff);
            }
        }
        /* the same through the zone's name */
        int32_t off1, off2;
        assert_int_equal(zf_tzif_offset_at(img, n, 1919289600, &off1), ZF_OK);
        assert_int_equal(zf_tzif_zone_offset(zones[z], 1919289600, &off2, NULL), ZF_OK);
        assert_int_equal(off1, off2);
    }
    unsetenv("TZ");
    tzset();
}

static int64_t utc_of(const char *zone, int64_t wall)
{
    int64_t out = 0;
    assert_int_equal(zf_tzif_local_to_utc(zone, wall, &out, NULL), ZF_OK);
    return out;
}

/* Berlin 2030: standard and summer time, the skipped hour of 31 March
 * (02:00-03:00 local) and the repeated one of 27 October (02:00-03:00). */
static void test_local_to_utc(void **state)
{
    const int64_t mar31 = 1901145600, oct27 = 1919289600; /* 2030-03-31, 2030-10-27 00:00Z */
    assert_int_equal(utc_of("Europe/Berlin", mar31 + 1 * 3600), mar31);        /* 01:00 +1 */
    assert_int_equal(utc_of("Europe/Berlin", mar31 + 4 * 3600), mar31 + 7200); /* 04:00 +2 */
    /* 02:30 does not exist: read with the offset before the shift */
    assert_int_equal(utc_of("Europe/Berlin", mar31 + 9000), mar31 + 5400);
    /* 02:30 happens twice: the second time (standard time, +1) */
    assert_int_equal(utc_of("Europe/Berlin", oct27 + 9000), oct27 + 5400);
    assert_int_equal(utc_of("Asia/Kathmandu", oct27), oct27 - 20700);
    assert_int_equal(utc_of("UTC", oct27), oct27);
}

static void test_bad_zone_names(void **state)
{
    const char *const bad[] = {NULL, "", "/etc/localtime", "../zoneinfo/UTC", "Europe/../UTC"};
    int32_t off;
    int64_t out;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zf_error err = ZF_ERROR_INIT;
        assert_int_equal(zf_tzif_zone_offset(bad[i], 0, &off, &err), ZF_EPATH);
        assert_non_null(strstr(err.message, "not a time zone name"));
        assert_int_equal(zf_tzif_local_to_utc(bad[i], 0, &out, NULL), ZF_EPATH);
    }
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_tzif_zone_offset("Mars/Olympus_Mons", 0, &off, &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "Mars/Olympus_Mons"));
    assert_int_equal(err.hint_id, ZF_HINT_INSTALL_TZDATA);
}

/* Every cut of a real file is refused or answered, never read past (the
 * ASan and valgrind runs watch); cuts inside the 64-bit block and the
 * headers are refused. */
static void test_cut_images(void **state)
{
    static unsigned char img[TEST_FILE_MAX];
    size_t n = read_file("/usr/share/zoneinfo/Europe/Berlin", img, sizeof img);
    int32_t want, off;
    assert_int_equal(zf_tzif_offset_at(img, n, 1950825600, &want), ZF_OK);
    for (size_t cut = 0; cut < n; cut++) {
        unsigned char *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, img, cut);
        int rc = zf_tzif_offset_at(copy, cut, 1950825600, &off);
        if (cut < 44)
            assert_int_equal(rc, ZF_EPARSE);
        if (rc == ZF_OK)
            assert_int_equal(off, want);
        else
            assert_int_equal(rc, ZF_EPARSE);
        free(copy);
    }
    assert_int_equal(zf_tzif_offset_at(NULL, 0, 0, &off), ZF_EPARSE);
    memcpy(img, "TZiF", 4);
    assert_int_equal(zf_tzif_offset_at(img, n, 0, &off), ZF_EPARSE);
}

/* A version 1 file (the 32-bit block alone) reads like its version 2 twin
 * within 32-bit time. */
static void test_version1_image(void **state)
{
    static unsigned char img[TEST_FILE_MAX];
    size_t n = read_file("/usr/share/zoneinfo/America/New_York", img, sizeof img);
    assert_true(img[4] >= '2');
    unsigned char *v1 = malloc(n);
    assert_non_null(v1);
    memcpy(v1, img, n);
    v1[4] = '\0';
    for (int64_t t = -2000000000; t < 2100000000; t += 86400 * 11 + 3599) {
        int32_t a, b;
        assert_int_equal(zf_tzif_offset_at(img, n, t, &a), ZF_OK);
        assert_int_equal(zf_tzif_offset_at(v1, n, t, &b), ZF_OK);
        assert_int_equal(a, b);
    }
    free(v1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets_match_the_c_library),
        cmocka_unit_test(test_local_to_utc),
        cmocka_unit_test(test_bad_zone_names),
        cmocka_unit_test(test_cut_images),
        cmocka_unit_test(test_version1_image),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
