/*
 * Did-you-mean (suggest.h): a bounded Damerau-Levenshtein distance in the
 * optimal-string-alignment form (a swapped pair counts 1; a substring is
 * not edited twice), on three rows of at most ZF_SUGGEST_LEN_MAX + 1
 * cells, so it allocates nothing. A row whose smallest cell is already
 * past the bound ends the walk early.
 */
#include "suggest.h"

#include <string.h>
#include <strings.h>

#define SUGGEST_PREFIX_MIN 3 /* letters of a prefix that count as near */

static int fold(char c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : (unsigned char)c;
}

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

int zf_edit_distance(const char *a, const char *b, int max)
{
    size_t la = strlen(a), lb = strlen(b);
    if (max < 0)
        max = 0;
    if (la > ZF_SUGGEST_LEN_MAX || lb > ZF_SUGGEST_LEN_MAX)
        return max + 1;
    if ((la > lb ? la - lb : lb - la) > (size_t)max)
        return max + 1;
    int rows[3][ZF_SUGGEST_LEN_MAX + 1];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        int row_min = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            int cost = fold(a[i - 1]) != fold(b[j - 1]);
            int d = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
                fold(a[i - 2]) == fold(b[j - 1]) && prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
            if (d < row_min)
                row_min = d;
        }
        if (row_min > max)
            return max + 1;
        int *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb] > max ? max + 1 : prev[lb];
}

int zf_suggest_max(const char *word)
{
    int n = (int)strlen(word) / 3;
    return n < 1 ? 1 : n > 3 ? 3 : n;
}

void zf_suggest_init(zf_suggest *s, const char *word)
{
    s->word = word;
    s->max = zf_suggest_max(word);
    s->best = NULL;
    s->best_d = s->max + 1;
}

void zf_suggest_offer(zf_suggest *s, const char *candidate)
{
    if (!candidate || !*candidate || !strcmp(candidate, s->word))
        return;
    int d = zf_edit_distance(s->word, candidate, s->max);
    /* a word the candidate begins with ("--meeting" of --meeting-id) is
     * near too, behind any true edit within the bound */
    size_t n = strlen(s->word);
    if (d > s->max && n >= SUGGEST_PREFIX_MIN && strncasecmp(candidate, s->word, n) == 0)
        d = s->max;
    if (d < s->best_d) {
        s->best = candidate;
        s->best_d = d;
    }
}
