/* Shared between the action registry's files; not installed. */
#ifndef ZF_ACTIONS_INTERNAL_H
#define ZF_ACTIONS_INTERNAL_H

#include "zoomflow/actions.h"

#include <stdint.h>

size_t zf_actions__timezone_count(void);
int zf_actions__timezone_known(const char *zone);

/* Integer enum lists are written once as arrays; this counts them. */
#define ZF_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Parses "yyyy-MM-ddTHH:mm:ss" with optional "Z" or "±hh:mm".
 * *has_zone tells whether the string carried Z or an offset. Returns 0 and
 * the instant (or, without a zone, the wall-clock time read as UTC). */
int zf_actions__parse_datetime(const char *s, int64_t *out, int *has_zone);
/* UTC offset in seconds of `zone` at the UTC instant `t`, from the system
 * tz database (TZif files under /usr/share/zoneinfo). */
int zf_actions__zone_offset(const char *zone, int64_t t, int32_t *off, zf_error *err);
/* Wall-clock time (read as UTC) in `zone` -> the UTC instant. */
int zf_actions__local_to_utc(const char *zone, int64_t wall, int64_t *out, zf_error *err);

/* Helpers for the per-action files. */
const char *zf_actions__str(const json_t *in, const char *key);
/* Case-insensitive ASCII equality (emails). */
int zf_actions__email_eq(const char *a, const char *b);
/* Reconcile's list callback for "the item with this email": set email,
 * pass as `arg`; on a match `found` holds a copy and the walk stops. */
typedef struct zf_email_match {
    const char *email;
    json_t *found;
} zf_email_match;
int zf_actions__find_email(void *arg, const json_t *items);
/* get_user's output keys, shared by update_user (which re-reads the user),
 * and a recording's (list_user_recordings, list_account_recordings). */
extern const char *const zf_actions__user_keys[];
extern const char *const zf_actions__recording_keys[];
/* A read request on `path` (already encoded) for reconcile lookups. */
int zf_actions__lookup_request(zf_action_request *req, const char *path);
/* Percent-encodes one path segment; twice for meeting UUIDs that start
 * with '/' or contain "//" (Zoom's rule). */
int zf_actions__encode_segment(zf_buf *out, const char *value, int uuid_rule);

/* The paging fields every list action shares, written once. */
#define ZF_FIELD_NEXT_PAGE_TOKEN                                                                   \
    {                                                                                              \
        .name = "next_page_token", .types = ZF_T_STRING, .in = ZF_IN_QUERY,                        \
        .summary = "continue a listing from this token (valid 15 minutes)"                         \
    }
#define ZF_FIELD_ALL                                                                               \
    {                                                                                              \
        .name = "all", .types = ZF_T_BOOLEAN, .in = ZF_IN_LOCAL,                                   \
        .summary = "follow every page and return all items"                                        \
    }
/* The rows most actions share, one definition each: a user in the path
 * ("me", an email or an id; bounded here, Zoom's schema has none), a
 * meeting in the path (fmt: ZF_FMT_MEETING_ID, or ..._UUID where an
 * instance UUID is taken too), and a page size of 1..max. */
#define ZF_FIELD_USER_ID(what)                                                                     \
    {                                                                                              \
        .name = "user_id", .types = ZF_T_STRING, .flags = ZF_F_REQUIRED, .in = ZF_IN_PATH,         \
        .wire = "userId", .max_len = 128, .format = ZF_FMT_USER_ID, .summary = what,               \
        .spec_diff = ZF_DIFF_MAXLEN,                                                               \
        .spec_note = "bounded here (Zoom emails are at most 128 characters); Zoom's schema has "   \
                     "no limit"                                                                    \
    }
#define ZF_FIELD_MEETING_ID(fmt, what)                                                             \
    {                                                                                              \
        .name = "meeting_id", .types = ZF_T_INTEGER | ZF_T_STRING, .flags = ZF_F_REQUIRED,         \
        .in = ZF_IN_PATH, .wire = "meetingId", .format = fmt, .summary = what                      \
    }
#define ZF_FIELD_PAGE_SIZE(max_, what)                                                             \
    {                                                                                              \
        .name = "page_size", .types = ZF_T_INTEGER, .in = ZF_IN_QUERY,                             \
        .flags = ZF_F_MIN | ZF_F_MAX, .min = 1, .max = max_, .default_json = "30",                 \
        .summary = what, .spec_diff = ZF_DIFF_MIN,                                                 \
        .spec_note = "a page holds at least one record; Zoom's schema only gives the maximum"      \
    }
/* from/to of the listings split by month (zf_actions__months_*). */
#define ZF_FIELD_MONTHS_FROM                                                                       \
    {                                                                                              \
        .name = "from", .types = ZF_T_STRING, .in = ZF_IN_QUERY, .format = ZF_FMT_DATE,            \
        .summary = "first day, UTC (yyyy-MM-dd); any distance from `to`"                           \
    }
#define ZF_FIELD_MONTHS_TO                                                                         \
    {                                                                                              \
        .name = "to", .types = ZF_T_STRING, .in = ZF_IN_QUERY, .format = ZF_FMT_DATE,              \
        .summary = "last day, UTC (yyyy-MM-dd); default today"                                     \
    }
/* Every list action has it: follow pages until that many items are out. */
#define ZF_FIELD_LIMIT                                                                             \
    {                                                                                              \
        .name = "limit", .types = ZF_T_INTEGER, .in = ZF_IN_LOCAL, .flags = ZF_F_MIN, .min = 1,    \
        .summary = "stop after this many items, following pages as needed (no page "               \
                   "past the one holding the last item is fetched)"                                \
    }
/* check/build hooks of list actions: `all` excludes next_page_token and
 * makes the request follow pages; so does `limit`, which also stops the
 * walk once that many items are out. */
#define ZF_LIST_RULE "all follows every page and excludes next_page_token."
#define ZF_LIMIT_RULE                                                                              \
    "limit follows pages from the first until that many items are out; it excludes "               \
    "next_page_token."
void zf_actions__list_check(zf_problems *p, const json_t *in);
int zf_actions__list_build(zf_action_request *req, const json_t *in, zf_error *err);

/* Lists Zoom limits to one month between `from` and `to` per request (the
 * recordings lists). The check: `to` needs `from`, and `from` is not after
 * `to`; plus the list check. The build: the whole range goes into
 * req->month_from/month_to, the first month's end replaces the query's
 * `to`, and the request always follows pages (a caller asking for a year
 * gets a year). */
#define ZF_MONTHS_RULE                                                                             \
    "from..to may span any number of months: zoomflow asks Zoom for one calendar "                 \
    "month at a time (Zoom's limit) and follows each month's pages; without to, up "               \
    "to today (UTC); without from and to, Zoom's default (today)."
#define ZF_MONTHS_ORDER_RULE "from must not be after to, and to needs from."
#define ZF_MONTHS_LIMIT_RULE                                                                       \
    "limit stops the listing once that many items are out (no "                                    \
    "further page or month is fetched)."
void zf_actions__months_check(zf_problems *p, const json_t *in);
int zf_actions__months_build(zf_action_request *req, const json_t *in, zf_error *err);

/* What shaping learnt from the items before, for a list walk that shapes
 * item after item of one action: its output keys' lengths and, per member
 * position, which output key the member there was (items of one list
 * mostly list their members in one order), checked against each item's
 * bytes before it is trusted. Zero it first. */
#define ZF_SHAPE_MEMO_MEMBERS 32
#define ZF_SHAPE_MEMO_KEY 24
typedef struct zf_shape_memo {
    const zf_action *a; /* lens and nk are this action's; NULL: not yet */
    size_t nk, lens[64];
    unsigned char valid[ZF_SHAPE_MEMO_MEMBERS];
    signed char map[ZF_SHAPE_MEMO_MEMBERS]; /* output key index, -1 none */
    unsigned char kn[ZF_SHAPE_MEMO_MEMBERS];
    char kb[ZF_SHAPE_MEMO_MEMBERS][ZF_SHAPE_MEMO_KEY]; /* map -1: the key's bytes */
} zf_shape_memo;

/* zf_action_shape_raw with a memo (NULL: none); the same output. */
int zf_action__shape_raw_memo(const zf_action *a, const char *item, size_t len, zf_buf *out,
                              zf_shape_memo *memo);

#endif
