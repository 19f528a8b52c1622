#ifndef ZOOMFLOW_CLI_FIELDS_H
#define ZOOMFLOW_CLI_FIELDS_H
/*
 * The body fields of `zoomflow api -f/-F`, built as gh api builds them:
 *   name=v          {"name": v}            (a later pair for name wins)
 *   a.b=v           {"a": {"b": v}}        (zoomflow's dotted keys)
 *   name[sub]=v     {"name": {"sub": v}}   (any depth: a[b][c]=v)
 *   name[]=v        {"name": [.., v]}      (each pair appends)
 *   name[]          {"name": []}           (the empty array; no '=')
 *   name[][k]=v     {"name": [{"k": v}]}   the last object of the array
 *                   takes k unless it has k already; then a new object
 *                   starts, so k=1 j=2 k=3 gives [{k:1,j:2},{k:3}]
 * A key is NAME followed by [SUB] or [] groups: NAME is not empty, no group
 * holds '[' or ']', nothing follows the last ']', and "[][]" (an array of
 * arrays) is refused. A value never changes a member's kind: a list where a
 * string is, or a field inside a value, is refused naming the key.
 */
#include <jansson.h>
#include <stddef.h>

#include "zoomflow/error.h"

#define CLI_FIELD_KEY_MAX 512 /* bytes of a key, the part before '=' */

/* Splits arg at its first '=': the key into key[0..cap) as a C string and
 * *value to the text after '=', or NULL when arg has no '=' (allowed only
 * for a key ending in "[]"). 0, or ZF_EVALIDATION naming arg. */
int cli_field_split(const char *arg, char *key, size_t cap, const char **value, zf_error *err);

/* Puts value (stolen; NULL: the empty array of "name[]") at key in the
 * object root by the grammar above. 0, ZF_EVALIDATION naming the key, or
 * ZF_ENOMEM. */
int cli_field_put(json_t *root, const char *key, json_t *value, zf_error *err);

#endif
