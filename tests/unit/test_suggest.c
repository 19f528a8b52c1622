/* src/cli/suggest.c: the bounded Damerau-Levenshtein distance (optimal
 * string alignment) and the nearest-candidate pick behind did-you-mean. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "suggest.h"

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(zf_edit_distance("", "", 3), 0);
    assert_int_equal(zf_edit_distance("topic", "topic", 3), 0);
    assert_int_equal(zf_edit_distance("topc", "topic", 3), 1);   /* insertion */
    assert_int_equal(zf_edit_distance("topics", "topic", 3), 1); /* deletion */
    assert_int_equal(zf_edit_distance("topix", "topic", 3), 1);  /* substitution */
    assert_int_equal(zf_edit_distance("tpoic", "topic", 3), 1);  /* one swap */
    assert_int_equal(zf_edit_distance("meetngs", "meetings", 3), 1);
    assert_int_equal(zf_edit_distance("Europe/Londn", "Europe/London", 3), 1);
    assert_int_equal(zf_edit_distance("LIST", "list", 3), 0); /* ASCII case folded */
    assert_int_equal(zf_edit_distance("ab", "ba", 3), 1);
    assert_int_equal(zf_edit_distance("ca", "abc", 3), 3); /* OSA, not full DL (2) */
    assert_int_equal(zf_edit_distance("kitten", "sitting", 5), 3);
    assert_int_equal(zf_edit_distance("", "abc", 5), 3);
}

static void test_bound(void **state)
{
    (void)state;
    /* past the bound: bound + 1, whatever the true distance */
    assert_int_equal(zf_edit_distance("kitten", "sitting", 2), 3);
    assert_int_equal(zf_edit_distance("a", "abcdefgh", 2), 3);    /* lengths alone */
    assert_int_equal(zf_edit_distance("abcdef", "uvwxyz", 1), 2); /* early row exit */
    assert_int_equal(zf_edit_distance("abc", "abd", 0), 1);
    assert_int_equal(zf_edit_distance("abc", "abc", -4), 0); /* negative: 0 */
    char longw[ZF_SUGGEST_LEN_MAX + 2];
    memset(longw, 'a', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    assert_int_equal(zf_edit_distance(longw, longw, 3), 4); /* too long: no match */
    longw[ZF_SUGGEST_LEN_MAX] = '\0';
    assert_int_equal(zf_edit_distance(longw, longw, 3), 0); /* at the limit: fine */
}

static void test_suggest_max(void **state)
{
    (void)state;
    assert_int_equal(zf_suggest_max(""), 1);
    assert_int_equal(zf_suggest_max("db"), 1);
    assert_int_equal(zf_suggest_max("topc"), 1);
    assert_int_equal(zf_suggest_max("meetngs"), 2);
    assert_int_equal(zf_suggest_max("Europe/Londn"), 3);
    assert_int_equal(zf_suggest_max("a-very-long-flag-name"), 3);
}

static void test_nearest(void **state)
{
    (void)state;
    zf_suggest s;
    const char *cands[] = {"topic", "type", "timezone", "duration", NULL};
    zf_suggest_init(&s, "topc");
    for (const char **c = cands; *c; c++)
        zf_suggest_offer(&s, *c);
    assert_non_null(s.best);
    assert_string_equal(s.best, "topic");
    /* nothing near: no suggestion */
    zf_suggest_init(&s, "zzzz");
    for (const char **c = cands; *c; c++)
        zf_suggest_offer(&s, *c);
    assert_null(s.best);
    /* a tie keeps the first offered; the word itself and NULL are skipped */
    zf_suggest_init(&s, "tipe");
    zf_suggest_offer(&s, NULL);
    zf_suggest_offer(&s, "tipe");
    zf_suggest_offer(&s, "type");
    zf_suggest_offer(&s, "pipe");
    assert_string_equal(s.best, "type");
    assert_int_equal(s.best_d, 1);
    /* a prefix is near, but an edit within the bound comes first */
    zf_suggest_init(&s, "meeting");
    zf_suggest_offer(&s, "meeting-id");
    assert_string_equal(s.best, "meeting-id");
    assert_int_equal(s.best_d, s.max);
    zf_suggest_offer(&s, "meetings");
    assert_string_equal(s.best, "meetings");
    zf_suggest_init(&s, "me"); /* too short to count as a prefix */
    zf_suggest_offer(&s, "meeting-id");
    assert_null(s.best);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_suggest_max),
        cmocka_unit_test(test_nearest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
