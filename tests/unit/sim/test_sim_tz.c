/* zoomsim's local-time conversion from the TZif files (tz.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim.h"

static int64_t at(const char *iso)
{
    int64_t t;
    int zone;
    assert_int_equal(sim_parse_time(iso, &t, &zone), 0);
    return t;
}

static void conv(const char *zone, const char *local, const char *utc)
{
    char out[32];
    sim_fmt_time(out, sim_tz_local_to_utc(zone, at(local)));
    assert_string_equal(out, utc);
}

static void test_tz_standard_and_summer_time(void **state)
{
    conv("Europe/Berlin", "2030-03-02T09:30:00", "2030-03-02T08:30:00Z");
    conv("Europe/Berlin", "2030-07-01T09:30:00", "2030-07-01T07:30:00Z");
    conv("America/New_York", "2030-01-15T09:00:00", "2030-01-15T14:00:00Z");
    conv("America/New_York", "2030-07-15T09:00:00", "2030-07-15T13:00:00Z");
    conv("Europe/London", "2030-03-02T09:00:00", "2030-03-02T09:00:00Z");
}

static void test_tz_fractional_offsets(void **state)
{
    conv("Asia/Kolkata", "2030-05-01T10:00:00", "2030-05-01T04:30:00Z");
    conv("Asia/Kathmandu", "2030-05-01T10:00:00", "2030-05-01T04:15:00Z");
    /* Lord Howe: +10:30 in winter, +11 in summer (a half-hour DST shift) */
    conv("Australia/Lord_Howe", "2030-07-01T12:00:00", "2030-07-01T01:30:00Z");
    conv("Australia/Lord_Howe", "2030-01-01T12:00:00", "2030-01-01T01:00:00Z");
}

static void test_tz_utc_and_unknown(void **state)
{
    conv("UTC", "2030-05-01T10:00:00", "2030-05-01T10:00:00Z");
    conv("Mars/Olympus_Mons", "2030-05-01T10:00:00", "2030-05-01T10:00:00Z");
    conv("../../etc/passwd", "2030-05-01T10:00:00", "2030-05-01T10:00:00Z");
    conv("/etc/passwd", "2030-05-01T10:00:00", "2030-05-01T10:00:00Z");
}

static void test_tz_offset_at_instant(void **state)
{
    assert_int_equal(sim_tz_offset("America/New_York", at("2031-03-09T06:59:59Z")), -5 * 3600);
    assert_int_equal(sim_tz_offset("America/New_York", at("2031-03-09T07:00:00Z")), -4 * 3600);
    assert_int_equal(sim_tz_offset("Asia/Kathmandu", at("2031-03-09T07:00:00Z")), 20700);
    assert_int_equal(sim_tz_offset("Mars/Olympus_Mons", at("2031-03-09T07:00:00Z")), 0);
    assert_int_equal(sim_tz_offset(NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tz_standard_and_summer_time),
        cmocka_unit_test(test_tz_fractional_offsets),
        cmocka_unit_test(test_tz_utc_and_unknown),
        cmocka_unit_test(test_tz_offset_at_instant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
