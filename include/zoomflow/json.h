/*
 * JSON helpers over jansson for untrusted bytes (Zoom responses, webhook
 * bodies, workflow files, request bodies).
 *
 * zf_json_parse refuses input over a size cap before parsing and reports
 * syntax errors with line and column. The typed getters report a missing or
 * mistyped field as "field NAME: expected string, got number" in a
 * zf_error (code ZF_EPARSE; callers validating user input may relabel it
 * ZF_EVALIDATION). Borrowed results (`const char **`, `json_t **` from a
 * getter) live as long as the object they came from.
 * A zf_buf-backed string writer is in buf.h (zf_buf_put_jsonstr).
 */
#ifndef ZOOMFLOW_JSON_H
#define ZOOMFLOW_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* Parses len bytes (an object or an array; no NUL inside strings, no
 * duplicate keys). what names the input in messages ("Zoom response",
 * "workflow file new-hire.yaml"). More than max bytes -> ZF_ETOOBIG, bad
 * syntax -> ZF_EPARSE "what: invalid JSON at line L, column C: reason"; a
 * duplicate key -> ZF_EPARSE "what: duplicate key settings.topic (...)", a
 * number beyond int64 or a double -> ZF_EPARSE "what: field duration:
 * number 1e400 is out of range (...): <the range>". */
int zf_json_parse(json_t **out, const void *data, size_t len, size_t max, const char *what,
                  zf_error *err);
/* The same, any JSON value at the top level (a string, a number...). */
int zf_json_parse_value(json_t **out, const void *data, size_t len, size_t max, const char *what,
                        zf_error *err);

/* "object", "array", "string", "integer", "real", "boolean", "null". */
const char *zf_json_type_name(const json_t *j);

/* Required fields: missing, null or mistyped -> ZF_EPARSE naming the field. */
int zf_json_get_str(const json_t *obj, const char *field, const char **out, zf_error *err);
int zf_json_get_int(const json_t *obj, const char *field, int64_t *out, zf_error *err);
int zf_json_get_bool(const json_t *obj, const char *field, int *out, zf_error *err);
int zf_json_get_obj(const json_t *obj, const char *field, json_t **out, zf_error *err);
int zf_json_get_arr(const json_t *obj, const char *field, json_t **out, zf_error *err);

/* Optional fields: missing or null leaves *out = dflt (NULL for objects and
 * arrays) and returns 0; present but mistyped is still an error. */
int zf_json_opt_str(const json_t *obj, const char *field, const char **out, const char *dflt,
                    zf_error *err);
int zf_json_opt_int(const json_t *obj, const char *field, int64_t *out, int64_t dflt,
                    zf_error *err);
int zf_json_opt_bool(const json_t *obj, const char *field, int *out, int dflt, zf_error *err);
int zf_json_opt_obj(const json_t *obj, const char *field, json_t **out, zf_error *err);
int zf_json_opt_arr(const json_t *obj, const char *field, json_t **out, zf_error *err);

/* Appends j serialised compactly (keys in insertion order) to out. */
int zf_json_dump(const json_t *j, zf_buf *out, zf_error *err);

ZF_PUBLIC_END

#endif
