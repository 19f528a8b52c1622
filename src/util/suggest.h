#ifndef ZF_UTIL_SUGGEST_H
#define ZF_UTIL_SUGGEST_H
/* (util layer; not installed: on every layer's path, so the CLI and the
 * workflow loader share one did-you-mean) */
/*
 * Did-you-mean: the nearest of a few candidates to what the user typed, by
 * Damerau-Levenshtein distance (optimal string alignment: insertions,
 * deletions, substitutions and swaps of two neighbours each cost 1), with
 * ASCII letters compared without case. Bounded: words longer than
 * ZF_SUGGEST_LEN_MAX never match, and a distance above the bound is
 * reported as bound + 1 without being computed further.
 */
#include <stddef.h>

#define ZF_SUGGEST_LEN_MAX 64

/* The distance between a and b, or max + 1 when it is larger than max (or
 * either is longer than ZF_SUGGEST_LEN_MAX). */
int zf_edit_distance(const char *a, const char *b, int max);

/* The bound a suggestion for word must stay within: a third of its length,
 * at least 1, at most 3 ("topc" -> 1, "meetngs" -> 2). */
int zf_suggest_max(const char *word);

/* Keeps the nearest candidate seen so far: feed every candidate to
 * zf_suggest_offer, then read best (NULL: none within the bound). Ties
 * keep the first offered, so table order decides. A candidate that begins
 * with the word (3 letters or more) counts as at the bound. */
typedef struct zf_suggest {
    const char *word;
    int max;
    const char *best;
    int best_d;
} zf_suggest;

void zf_suggest_init(zf_suggest *s, const char *word);
void zf_suggest_offer(zf_suggest *s, const char *candidate);

#endif
