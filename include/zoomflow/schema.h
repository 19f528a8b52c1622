/*
 * The input schema engine: field descriptors (zf_field), the problems a
 * check finds (zf_problems), and the checks themselves. The actions
 * (actions.h) are built on it; anything with a zf_field table can use it.
 */
#ifndef ZOOMFLOW_SCHEMA_H
#define ZOOMFLOW_SCHEMA_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "zoomflow/error.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* ---- input schema ------------------------------------------------------ */

/* JSON types a field accepts (a mask: meeting ids take integer or string). */
#define ZF_T_STRING 0x01u
#define ZF_T_INTEGER 0x02u
#define ZF_T_BOOLEAN 0x04u
#define ZF_T_OBJECT 0x08u
#define ZF_T_ARRAY 0x10u
#define ZF_T_ANY 0x20u /* any JSON value (call_api's body) */

/* String formats checked by the schema engine. */
typedef enum zf_format {
    ZF_FMT_NONE = 0,
    ZF_FMT_EMAIL,           /* local@domain.tld, no spaces */
    ZF_FMT_DATE,            /* yyyy-MM-dd, a real calendar date */
    ZF_FMT_ZOOM_DATETIME,   /* yyyy-MM-ddTHH:mm:ss with optional Z or ±hh:mm */
    ZF_FMT_UTC_DATETIME,    /* yyyy-MM-ddTHH:mm:ssZ only */
    ZF_FMT_TIMEZONE,        /* a zone id of the committed list */
    ZF_FMT_MEETING_ID,      /* 9-11 digits (int64), integer or string */
    ZF_FMT_MEETING_ID_UUID, /* a meeting id or a meeting UUID */
    ZF_FMT_USER_ID,         /* "me", an email, or a Zoom user id */
    ZF_FMT_WEEKDAYS,        /* "1".."7", comma-separated, no repeats */
    ZF_FMT_COUNTRY,         /* two upper-case letters (ISO 3166-1 alpha-2) */
    ZF_FMT_PASSCODE,        /* meeting passcode: printable ASCII, no space */
    ZF_FMT_USER_PASSWORD,   /* Zoom's default user password rules */
    ZF_FMT_ID_LIST,         /* comma-separated digit ids */
    ZF_FMT_API_PATH,        /* call_api path: relative to /v2, no escapes */
    ZF_FMT_OCCURRENCE_ID    /* one occurrence id: digits (ms of its start) */
} zf_format;

/* Where a top-level field goes in the request. */
typedef enum zf_in {
    ZF_IN_BODY = 0, /* a key of the JSON body */
    ZF_IN_PATH,     /* {wire} in the path template */
    ZF_IN_QUERY,    /* a query pair */
    ZF_IN_LOCAL     /* read by the action itself (e.g. `all`) */
} zf_in;

/* Field flags. */
#define ZF_F_REQUIRED 0x01u  /* must be present */
#define ZF_F_MIN 0x02u       /* `min` applies (integer) */
#define ZF_F_MAX 0x04u       /* `max` applies (integer) */
#define ZF_F_SECRET 0x08u    /* never echoed back in a problem */
#define ZF_F_OPEN 0x10u      /* object accepts keys it does not describe */
#define ZF_F_MULTILINE 0x20u /* text may hold TAB, LF and CR (an agenda) */

/* Where a descriptor's constraint knowingly differs from Zoom's 2026
 * OpenAPI schema for the same field (the spec test checks each such
 * difference exists and every other constraint is equal). */
#define ZF_DIFF_ENUM 0x01u
#define ZF_DIFF_MIN 0x02u
#define ZF_DIFF_MAX 0x04u
#define ZF_DIFF_MINLEN 0x08u
#define ZF_DIFF_MAXLEN 0x10u
#define ZF_DIFF_REQUIRED 0x20u
#define ZF_DIFF_MAXITEMS 0x40u
#define ZF_DIFF_TYPE 0x80u

typedef struct zf_field {
    const char *name;            /* input key; NULL ends a field list */
    unsigned types;              /* ZF_T_* mask */
    unsigned flags;              /* ZF_F_* */
    const char *summary;         /* one line for --help, docs and the schema */
    zf_in in;                    /* top-level fields only */
    const char *wire;            /* name at Zoom when it differs from `name` */
    int64_t min, max;            /* integer range when ZF_F_MIN / ZF_F_MAX */
    int min_len, max_len;        /* characters; 0 = no limit */
    const char *const *enum_str; /* NULL-terminated allowed strings */
    const int64_t *enum_int;     /* allowed integers ... */
    size_t n_enum_int;           /* ... and how many */
    zf_format format;
    const struct zf_field *fields; /* object members */
    const struct zf_field *items;  /* array item schema (one field) */
    int max_items;                 /* arrays; 0 = no limit */
    const char *default_json;      /* Zoom's default, as JSON text */
    unsigned spec_diff;            /* ZF_DIFF_* */
    const char *spec_note;         /* why it differs (required with spec_diff) */
} zf_field;

/* ---- validation problems ----------------------------------------------- */

typedef struct zf_problem {
    char *path;       /* "settings.jbh_time", "custom_questions[1].value" */
    const char *rule; /* "required", "type", "enum", "minimum", "maximum",
                         "minLength", "maxLength", "maxItems", "format",
                         "unknown", "conflict", "dependency",
                         "characters" (a control or bidi character) */
    char *value;      /* the offending value as JSON text ("" if absent) */
    long pos;         /* character position of the fault in a string, -1 */
    char *message;    /* what is wrong and how to fix it */
} zf_problem;

/* Validation stops collecting past this many problems (`truncated` set). */
#define ZF_PROBLEMS_MAX 64

typedef struct zf_problems {
    zf_problem *items;
    size_t count;
    size_t cap;
    int truncated;
    int oom;
} zf_problems;

#define ZF_PROBLEMS_INIT                                                                           \
    {                                                                                              \
        NULL, 0, 0, 0, 0                                                                           \
    }

void zf_problems_free(zf_problems *p);
/* [{"field":..,"rule":..,"value":..,"position":..,"message":..}, ...] */
int zf_problems_json(json_t **out, const zf_problems *p);
/* Summarises the list into err (ZF_EVALIDATION) and returns that code. */
int zf_problems_to_error(zf_error *err, const zf_problems *p);
/* Adds one problem; `value` may be NULL (absent), `fmt` is the message. */
#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
void zf_problems_add(zf_problems *p, const char *path, const char *rule,
                     const json_t *value, long pos, const char *fmt, ...);

/* Checks `value` against one field (recursively), adding problems under
 * `path`. Used by the actions and by anyone with a zf_field table. */
void zf_schema_check(zf_problems *p, const zf_field *f, const char *path, const json_t *value);
/* Checks an object against a NULL-terminated field list: required fields,
 * unknown keys (unless `open`), and each member. */
void zf_schema_check_object(zf_problems *p, const zf_field *fields, const char *path,
                            const json_t *obj, int open);
/* 1 when the string matches the format, else 0 and *pos = fault position. */
int zf_schema_format_ok(zf_format fmt, const char *s, long *pos);
/* Name used in JSON Schema "format" for fmt ("email", "date", ...). */
const char *zf_schema_format_name(zf_format fmt);
/* What a value of fmt looks like, in words (for messages and docs). */
const char *zf_schema_format_text(zf_format fmt);
/* The committed list of accepted time-zone ids (sorted, NULL-terminated). */
const char *const *zf_schema_timezones(void);
/* JSON Schema (draft 2020-12) for one field. */
int zf_schema_field_json(json_t **out, const zf_field *f);

ZF_PUBLIC_END

#endif
