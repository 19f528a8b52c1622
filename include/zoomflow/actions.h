/*
 * The action registry: the product's verbs as constant descriptors.
 *
 * One zf_action row per verb drives input validation, the Zoom request, the
 * output shape, CLI flags and --help, the JSON Schema published by the REST
 * service, and docs/actions.md. Nothing about an action is written twice:
 * the CLI, the server, workflows and the admin page walk these tables.
 *
 * Pipeline of a call (DESIGN §4):
 *   zf_action_validate      every problem at once, before any traffic
 *   zf_action_scope_check   the connection's granted scopes cover the action
 *   zf_action_build         a plain request description for the Zoom client
 *   (the client sends it)
 *   zf_action_normalise     the response as the action's output object
 *   zf_action_reconcile     after an ambiguous create: did it happen?
 *
 * Memory: everything returned through `**out` or filled into a caller's
 * struct is owned by the caller and freed with the matching *_free();
 * descriptors and the strings they point to are static and borrowed.
 */
#ifndef ZOOMFLOW_ACTIONS_H
#define ZOOMFLOW_ACTIONS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"
#include "zoomflow/schema.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* ---- the request description handed to the Zoom client ----------------- */

typedef enum zf_action_kind {
    ZF_ACTION_READ = 0, /* safe to retry */
    ZF_ACTION_CREATE,   /* not idempotent: ambiguous failure -> reconcile */
    ZF_ACTION_WRITE     /* PATCH/PUT/DELETE */
} zf_action_kind;

typedef struct zf_query_pair {
    char *key;
    char *value; /* raw; the client encodes the query */
} zf_query_pair;

#define ZF_ACTION_QUERY_MAX 16

typedef struct zf_action_request {
    char method[8]; /* "GET", "POST", ... */
    char *path;     /* relative to /v2, path params already encoded */
    zf_query_pair query[ZF_ACTION_QUERY_MAX];
    size_t nquery;
    char *body; /* compact JSON text, or NULL */
    zf_action_kind kind;
    int follow_pages; /* list actions with all=true (or a limit): the pager
                         follows next_page_token and merges `items_key`
                         arrays */
    int64_t limit;    /* lists: stop once this many items are out, fetching
                         no page past the one holding the last; 0 = none */
    /* Lists whose Zoom call covers at most one month between its `from` and
     * `to` query values (the recordings lists): the caller's whole range,
     * inclusive yyyy-MM-dd dates, listed month by month (zf_action_next_month)
     * and each month page by page. The request's own from/to are the first
     * month's. month_from "" = not split; month_to "" = up to the runner's
     * current UTC date. */
    char month_from[11], month_to[11];
} zf_action_request;

void zf_action_request_free(zf_action_request *req);
/* Value of a query key, or NULL. */
const char *zf_action_request_query(const zf_action_request *req, const char *key);
/* Appends a pair (copies both); ZF_ENOMEM / ZF_EINVAL when full. */
int zf_action_request_add_query(zf_action_request *req, const char *key, const char *value);

/* ---- the lookups reconcile needs (satisfied by the Zoom client) ---------- */

typedef struct zf_action_source {
    void *ctx;
    /* One GET. *out receives the parsed body (caller frees). A 404 returns
     * ZF_ENOTFOUND; a token lacking the scope returns ZF_ESCOPE. */
    int (*get)(void *ctx, json_t **out, const zf_action_request *req, zf_error *err);
    /* A list GET, every page: calls each(arg, items) with the page's
     * `items_key` array until the last page or until each() returns
     * non-zero (then returns 0: stopping early is not an error). */
    int (*list)(void *ctx, const zf_action_request *req, const char *items_key,
                int (*each)(void *arg, const json_t *items), void *arg, zf_error *err);
} zf_action_source;

typedef struct zf_reconcile_opts {
    int64_t attempt_started; /* unix seconds the create was first sent */
    int64_t skew;            /* seconds of clock skew tolerated */
} zf_reconcile_opts;

#define ZF_RECONCILE_SKEW_DEFAULT 120
#define ZF_RECONCILE_OPTS_INIT                                                                     \
    {                                                                                              \
        0, ZF_RECONCILE_SKEW_DEFAULT                                                               \
    }

/* ---- the objects already there, listed once for many calls -------------- */

/* Creates with `existed` whose objects a caller may list once for many
 * calls in one scope (a batch's registrant adds to one meeting), so that
 * telling an object already there from a new one costs no request per
 * call (zf_action_known below). */
typedef struct zf_action_known_rule {
    /* The listing's scope for input `in` (the meeting id as text) into
     * out[n]: 0, or ZF_EINVAL when `in` names none or it does not fit. */
    int (*scope)(char *out, size_t n, const json_t *in);
    /* The key that tells an object there (the email, trimmed and in lower
     * case), of an input or of a listed item, into out[n]: 0, or
     * ZF_EINVAL when it has none or it does not fit. */
    int (*key)(char *out, size_t n, const json_t *obj);
    /* Every object of in's scope, one item at a time: each(arg, items)
     * with a one-item array until the end or until each() returns
     * non-zero (then 0: stopping is not an error). */
    int (*list)(const json_t *in, const zf_action_source *src,
                int (*each)(void *arg, const json_t *items), void *arg, zf_error *err);
    /* Requests the listing takes at least (one per status listed), and the
     * items one page holds: the listing costs list_min + items / page_items
     * requests, the per-call check one request a call. */
    int list_min;
    int page_items;
} zf_action_known_rule;

/* ---- the descriptor ------------------------------------------------------ */

typedef enum zf_outcome {
    ZF_OUTCOME_READ = 0, /* a read: no marker */
    ZF_OUTCOME_CREATED,  /* "created": true */
    ZF_OUTCOME_FOUND,    /* "created": false, "found": true (reconciled) */
    ZF_OUTCOME_EXISTING, /* "created": false, "existing": true (there before) */
    /* a write found its target gone after an earlier attempt of the same
     * call reached Zoom without an answer: that attempt did the work (a
     * delete retried after a dropped response). Only for actions with a
     * `gone` rule; their `output` says so. */
    ZF_OUTCOME_GONE
} zf_outcome;

typedef struct zf_action zf_action;
typedef struct zf_action_result zf_action_result;

struct zf_action {
    const char *name;
    const char *summary;
    /* The command words that name the action on every surface, as neutral
     * data: a group and a verb ({"meetings", "create"}), or one word and
     * NULL ({"api", NULL}). The CLI makes `zoomflow meetings create` of
     * them, the REST service its route; no surface writes them again. */
    const char *words[2];
    const char *method;                /* NULL: chosen by the input (call_api) */
    const char *path;                  /* template, params as {wire}; NULL: input */
    const char *scope;                 /* the granular scope requested at connect */
    const char *const *classic_scopes; /* older apps' scopes that also work */
    zf_action_kind kind;
    const zf_field *input; /* NULL-terminated top-level fields */
    /* Rules between fields, after the per-field checks. May be NULL.
     * `rules` says each in words, for --help, the docs and the schema. */
    void (*check)(zf_problems *p, const json_t *in);
    const char *const *rules;
    /* Fills what the generic builder cannot (local fields). May be NULL. */
    int (*build)(zf_action_request *req, const json_t *in, zf_error *err);
    const char *item_type;          /* "user", "meeting", ... */
    const char *items_key;          /* list actions: "users"; NULL otherwise */
    const char *const *output_keys; /* kept from the object (or each item) */
    /* List actions: the table's columns when the user names none (the
     * CLI's --columns), in order, each one of output_keys; NULL: every
     * output key. CSV takes every output key unless --columns says which.
     * Every list item is written with the same columns, present or not. */
    const char *const *columns;
    /* Creates: looks for the object an ambiguous attempt may have made.
     * Returns 1 and *found, 0 when not there, or a negative zf_code. */
    int (*reconcile)(json_t **found, const json_t *in, const zf_reconcile_opts *o,
                     const zf_action_source *src, zf_error *err);
    /* Creates that Zoom answers with success when the object was already
     * there (a second registrant add answers with the first registrant):
     * tells which, after a create that succeeded at once. `created` is
     * Zoom's answer. 1: the object predates the attempt (started before
     * o->attempt_started less o->skew); 0: made now, or no way to tell;
     * or a negative zf_code (the caller keeps "created"). May be NULL. */
    int (*existed)(const json_t *created, const json_t *in, const zf_reconcile_opts *o,
                   const zf_action_source *src, zf_error *err);
    /* Actions Zoom answers without a body (204): the output made from the
     * input instead of Zoom's answer, so it says what was done (the
     * output_keys list its members). `now` is unix seconds, for warnings
     * about the input (res->warnings); res->output is set on success.
     * 0 or a negative zf_code. NULL: Zoom's answer, shaped by output_keys. */
    int (*output)(zf_action_result *res, const json_t *in, zf_outcome outcome, int64_t now,
                  zf_error *err);
    /* Writes that may be repeated (a DELETE): 1 when Zoom's refusal `err`
     * means the target no longer exists (404 code 3001), so a retry after
     * an attempt with an unknown outcome is reported as done
     * (ZF_OUTCOME_GONE) instead of failing. NULL: never. */
    int (*gone)(const json_t *in, const zf_error *err);
    /* The output in words when `output` makes it; NULL otherwise. */
    const char *output_doc;
    /* What a caller should know beyond the fields and rules (idempotency,
     * what Zoom does silently), for --help and the docs; NULL-terminated
     * or NULL. */
    const char *const *notes;
    /* Writes whose output shows the object as Zoom now has it (update_user
     * reads the user back): builds that GET. After the write succeeded the
     * runner sends it, shapes the answer by output_keys and lays `output`'s
     * members over it; a read that fails leaves `output`'s result and adds
     * a warning (the write happened). NULL: no read. */
    int (*read_back)(zf_action_request *req, const json_t *in, zf_error *err);
    /* Markdown for docs/actions.md after the fields: how the action fits a
     * workflow (delete_user: offboarding). NULL: none. */
    const char *guide;
    /* Creates with `existed`: how many calls in one scope can tell an
     * existing object from one listing instead of a request each (the
     * batch, zf_action_known). NULL: every call asks `existed`. */
    const zf_action_known_rule *known;
};

/* The registry, in the order the docs list it; NULL-terminated. */
const zf_action *const *zf_actions(void);
const zf_action *zf_action_find(const char *name);

/* Pipeline ---------------------------------------------------------------- */

/* Every problem of `in` at once. 0, or ZF_EVALIDATION with *p filled. */
int zf_action_validate(zf_problems *p, const zf_action *a, const json_t *in);
/* Validates then builds; on invalid input err summarises the problems. */
int zf_action_build(zf_action_request *req, const zf_action *a, const json_t *in, zf_error *err);
/* 1 when running `a` with `in` follows pages (a list with `all`, a
 * `limit`, or a range listed month by month), so a surface should stream
 * the items; 0 otherwise, and for input that does not validate. */
int zf_action_follows_pages(const zf_action *a, const json_t *in);
/* Splits the inclusive date range [first, last] (yyyy-MM-dd) at calendar
 * months, for the lists Zoom limits to one month per request. Call with
 * from[0] == '\0' for the first window; each call moves from/to to the
 * next window and returns 1, then 0 once past `last` (at once when first
 * is after last). Each window starts the day after the previous one ends:
 * no gap, no overlap. ZF_EINVAL for a date that is not yyyy-MM-dd. */
int zf_action_next_month(char from[11], char to[11], const char *first, const char *last);
/* `granted`: the space-separated scope string of the token. 0, or ZF_ESCOPE
 * with a message naming the missing scope. call_api always passes. */
int zf_action_scope_check(const zf_action *a, const char *granted, zf_error *err);
/* Response body -> output: the object's output_keys (list actions: an
 * `items_key` array of such objects plus total_records and
 * next_page_token), plus the created/found marker. */
int zf_action_normalise(json_t **out, const zf_action *a, const json_t *resp, zf_outcome outcome,
                        zf_error *err);
/* One list item's JSON bytes -> the same item as zf_action_normalise
 * would output it, written to out as compact JSON without building a tree:
 * the action's output_keys present in the item, in output_keys order (a
 * key repeated in the item: its last value), each value's bytes copied as
 * they are minus the whitespace outside strings. No output_keys: the whole
 * item, compacted. `item` must be one valid JSON value (as
 * zf_pager_next_raw hands out: the page was checked); it is not checked
 * again. Returns 1 written, 0 not an object (skipped, as normalise skips
 * it), ZF_ENOMEM when out failed, ZF_EINVAL when the action has more than
 * 64 output keys. */
int zf_action_shape_raw(const zf_action *a, const char *item, size_t len, zf_buf *out);
/* One page of a list action's answer (Zoom's body, checked by the strict
 * scanner) shaped from its bytes: appends to out exactly the text
 * json_dumps(JSON_COMPACT | JSON_ENSURE_ASCII) writes for what
 * zf_action_normalise(ZF_OUTCOME_READ) makes of json_loadb(body, 0) (items
 * shaped by the output keys, total_records, next_page_token). Returns 1
 * written; 0 when the bytes alone cannot tell (reals, integers of 19+
 * digits, "\u0000", a body jansson might refuse, a nested object with
 * repeated or escaped keys, an action without items_key or output keys):
 * out is left as it was and the caller parses the body instead;
 * ZF_ENOMEM. */
int zf_action_shape_page_raw(const zf_action *a, const char *page, size_t len, zf_buf *out);
int zf_action_reconcile(json_t **found, const zf_action *a, const json_t *in,
                        const zf_reconcile_opts *o, const zf_action_source *src, zf_error *err);

/* The objects already there, for many calls of one create (a batch): per
 * scope (a meeting) the keys (emails) of the objects there, listed once,
 * plus the keys the calls made since. Used only for actions with a
 * `known` rule and only for scopes with more calls planned than the
 * listing costs (its list_min requests): a batch of three adds to one
 * meeting asks `existed` per add as a single add does. A listing that
 * grows past the planned calls' worth of requests (a meeting with many
 * registrants and few rows) is stopped and the scope falls back to
 * `existed` per call: it never costs more than the calls' own checks
 * would. Not thread-safe: one caller at a time. */
typedef struct zf_action_known zf_action_known;

/* *out NULL (and 0) when `a` has no known rule; ZF_ENOMEM. */
int zf_action_known_new(zf_action_known **out, const zf_action *a);
void zf_action_known_free(zf_action_known *k);
/* One call planned in in's scope (every row a batch is to run). 0 or
 * ZF_ENOMEM; input without a scope is left out. */
int zf_action_known_plan(zf_action_known *k, const json_t *in);
/* Before the call of `in`: the first time for in's scope with enough
 * calls planned, lists it. 0: ready (listed now or before, or the scope is
 * not worth a listing: the call asks `existed`); < 0 with err: the listing
 * failed now (a missing scope, the network): the scope then falls back to
 * `existed` per call, and later calls in it get 0. */
int zf_action_known_prepare(zf_action_known *k, const json_t *in, const zf_action_source *src,
                            zf_error *err);
/* 1: in's key is there (listed, or made by an earlier call); 0: not;
 * -1: no set for in's scope (the caller asks `existed`). */
int zf_action_known_has(const zf_action_known *k, const json_t *in);
/* After a create of `in` succeeded: its key is there now. 0 or ZF_ENOMEM
 * (the scope then falls back to `existed` per call). */
int zf_action_known_add(zf_action_known *k, const json_t *in);

/* Results carry warnings (e.g. the client's "close to the host's 100
 * creates a day"): not errors, shown to the user beside the output. */
struct zf_action_result {
    json_t *output;   /* owned */
    json_t *warnings; /* array of strings, owned; created on first warning */
};

#define ZF_ACTION_RESULT_INIT                                                                      \
    {                                                                                              \
        NULL, NULL                                                                                 \
    }

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int zf_action_result_warn(zf_action_result *r, const char *fmt, ...);
void zf_action_result_free(zf_action_result *r);

/* Surfaces ---------------------------------------------------------------- */

/* JSON Schema (draft 2020-12) of the action's input. */
int zf_action_schema_json(json_t **out, const zf_action *a);
/* "--user-id" for field "user_id" (into buf). */
int zf_action_flag_name(zf_buf *out, const zf_field *f);
/* The top-level field a flag names ("--user-id", "user-id" or "user_id"),
 * or NULL. */
const zf_field *zf_action_flag_field(const zf_action *a, const char *flag);
/* The one rule that turns a flag's text into a field's JSON value, for
 * every surface that takes fields as text (the CLI's --flag VALUE and
 * --field.key VALUE, zf_action_set_flag):
 *   f NULL (no description) or ZF_T_ANY: the JSON value when the text is
 *     one (12, true, null, "x", [..], {..}), else the text as a string;
 *   objects and arrays (without ZF_T_STRING): JSON, parsed as
 *     zf_json_parse_value parses it (duplicate keys, out-of-range numbers
 *     refused); what names the flag in its messages ("--settings");
 *   integers: '-'? and digits within 64 bits (no spaces, '+', fractions);
 *     an id that may also be a string keeps a leading zero as text;
 *   booleans: true/false, yes/no, 1/0 (zf_action_flag_bool);
 *   anything else: the text as a string.
 * Returns 0 with *out typed; 1 with *out the text as a string although the
 * field takes no strings ("45m" for an integer): zf_action_validate reports
 * it by field name, with every other problem; ZF_EVALIDATION (err set)
 * for JSON that does not parse; ZF_ENOMEM. *out is the caller's. */
int zf_action_flag_value(json_t **out, const zf_field *f, const char *what, const char *text,
                         zf_error *err);
/* The boolean words of every flag: 1 for true/yes/1, 0 for false/no/0 (in
 * any case: Yes, TRUE), -1 for any other text (NULL included). */
int zf_action_flag_bool(const char *text);
/* One boolean grammar for flags and JSON input: in `in` (an action's input
 * read from JSON), every value of a field that takes booleans but not the
 * value's own type, written as a boolean word ("yes", "false") or as 1/0,
 * becomes true/false, through objects and arrays the descriptor describes.
 * Anything else is left for zf_action_validate to judge. */
void zf_action_input_words(json_t *in, const zf_action *a);
/* Sets the field named by `flag` in `input` from the flag's text, typed by
 * zf_action_flag_value, and refuses here, one flag at a time, what that
 * rule leaves for validation: ZF_EINVAL with a message naming the flag and
 * the type it is not, or the JSON error, or (unknown flag) the known
 * fields. Checks only the conversion; zf_action_validate checks the value.
 * For callers that report per flag; the CLI types with
 * zf_action_flag_value and lets validation report every problem at once. */
int zf_action_set_flag(json_t *input, const zf_action *a, const char *flag, const char *text,
                       zf_error *err);
/* Views: the actions as surfaces show them (the service's routes, the
 * admin page's forms). Every json_t returned is the caller's. ------------ */

/* "read", "create", "write". */
const char *zf_action_kind_name(int kind);
/* {name, summary, words: [group, verb?], scopes: [granular scope],
 * classic_scopes: [...], kind, input_schema: zf_action_schema_json}. */
int zf_action_view_json(json_t **out, const zf_action *a);
/* {"actions": [zf_action_view_json of every registry row, in order]}. */
int zf_actions_view_json(json_t **out);
/* Validates and builds without sending: {dry_run: true, action, request:
 * {method, path (from "/v2"), query: {key: value}, body (JSON or null),
 * follows_pages (only when true)}}. ZF_EVALIDATION with *p filled (and
 * err summarising it) when the input does not validate. */
#define ZF_ACTION_PATH_SHOWN_MAX 4096
int zf_action_dry_run_json(json_t **out, const zf_action *a, const json_t *in, zf_problems *p,
                           zf_error *err);
/* The actions a token granted `granted` (space-separated) cannot run for
 * want of a scope: [{action, scope, words}], registry order; an empty
 * array when granted is NULL (unknown). NULL when out of memory. */
json_t *zf_actions_unavailable_json(const char *granted);
/* What a run did, from its kind and output's marks: "read", "created",
 * "found" (a create reconciled), "existing", "gone" (already deleted),
 * "written". */
const char *zf_action_outcome_name(const zf_action *a, const json_t *output);
/* {action, outcome, output, warnings: [...]} of a finished run. */
int zf_action_result_json(json_t **out, const zf_action *a, const zf_action_result *res);
/* The same as text, with the output given as JSON text (a read run's
 * output_raw): exactly what json_dumps(JSON_COMPACT | JSON_ENSURE_ASCII)
 * writes for zf_action_result_json's object. 0 or ZF_ENOMEM. */
int zf_action_result_text(zf_buf *out, const zf_action *a, const zf_action_result *res,
                          const char *output, size_t len);

/* The CLI's `zoomflow <action> --help` text. */
int zf_action_help(zf_buf *out, const zf_action *a);
/* docs/actions.md. */
int zf_actions_markdown(zf_buf *out);

ZF_PUBLIC_END

#endif
