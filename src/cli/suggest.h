#ifndef ZOOMFLOW_CLI_SUGGEST_H
#define ZOOMFLOW_CLI_SUGGEST_H
/*
 * Did-you-mean: the nearest of a few candidates to what the user typed, by
 * Damerau-Levenshtein distance (optimal string alignment: insertions,
 * deletions, substitutions and swaps of two neighbours each cost 1), with
 * ASCII letters compared without case. Bounded: words longer than
 * CLI_SUGGEST_LEN_MAX never match, and a distance above the bound is
 * reported as bound + 1 without being computed further.
 */
#include <stddef.h>

#define CLI_SUGGEST_LEN_MAX 64

/* The distance between a and b, or max + 1 when it is larger than max (or
 * either is longer than CLI_SUGGEST_LEN_MAX). */
int cli_edit_distance(const char *a, const char *b, int max);

/* The bound a suggestion for word must stay within: a third of its length,
 * at least 1, at most 3 ("topc" -> 1, "meetngs" -> 2). */
int cli_suggest_max(const char *word);

/* Keeps the nearest candidate seen so far: feed every candidate to
 * cli_suggest_offer, then read best (NULL: none within the bound). Ties
 * keep the first offered, so table order decides. A candidate that begins
 * with the word (3 letters or more) counts as at the bound. */
typedef struct cli_suggest {
    const char *word;
    int max;
    const char *best;
    int best_d;
} cli_suggest;

void cli_suggest_init(cli_suggest *s, const char *word);
void cli_suggest_offer(cli_suggest *s, const char *candidate);

#endif
