#ifndef ZOOMFLOW_CLI_INPUT_H
#define ZOOMFLOW_CLI_INPUT_H
#include <jansson.h>
#include <stdio.h>

#include "zoomflow/actions.h"
#include "zoomflow/error.h"

/* Lays over's members over dst's: an object member over an object is
 * merged member by member (json_object_update_recursive), anything else
 * replaces. How --input and flags combine, and a batch row and the
 * common flags. */
void cli_json_merge(json_t *dst, const json_t *over);
/* Sets root.a.b.c = value (steals value), making objects on the way. */
int cli_json_set_path(json_t *root, const char *dotted, json_t *value, zf_error *err);
/* "a.b=value": a string (typed = 0), or typed = 1 the JSON literal when the
 * value is one, else a string (zf_action_flag_value without a field).
 * Malformed pairs and keys: ZF_EVALIDATION naming them. */
int cli_json_set_pair(json_t *root, const char *pair, int typed, zf_error *err);
/* Whole decimal numbers from the command line, the environment and the
 * config file: an optional '-' and 1 to 19 digits, nothing else (no spaces,
 * '+', fractions, exponents or hex), within [min, max]. Bytes, not a C
 * string: text[0..len) is read, no NUL needed. 0 and *out set, or
 * ZF_EVALIDATION (err-free: cli_number says why). */
int cli_parse_int(const char *text, size_t len, long long min, long long max, long long *out);
/* cli_parse_int that explains a refusal in err (ZF_EVALIDATION): "<what>: '<text>'
 * is not a whole number of <unit> from <min> to <max>". */
int cli_number(long long *out, const char *what, const char *text, size_t len, long long min,
               long long max, const char *unit, zf_error *err);
/* Prints every problem (field, message, value, position, rule); returns 2. */
int cli_report_problems(const char *what, const zf_problems *p);
/* The same, calling note after each problem's line (a did-you-mean). */
typedef void (*cli_problem_note)(void *ctx, const zf_problem *x, FILE *f);
int cli_report_problems_with(const char *what, const zf_problems *p, cli_problem_note note,
                             void *ctx);
#endif
