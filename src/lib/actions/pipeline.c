/*
 * The pipeline every action call goes through (the table of actions is
 * registry.c).
 *
 * Guarantees: zf_action_build never returns a request for input that
 * zf_action_validate refuses; path parameters are always percent-encoded
 * (meeting UUIDs starting with '/' or containing "//" twice, Zoom's rule);
 * every surface text (--help, docs/actions.md, JSON Schema) is generated
 * from the same descriptor rows as the checks.
 */
#include "actions_internal.h"
#include "json_scan.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_BYTES 4096
#define BODY_MAX_BYTES (1024 * 1024)
#define TEXT_MAX_BYTES (256 * 1024)
#define SCOPE_MAX 128

/* Caller mistakes: asserted in debug builds, ZF_EINVAL in release builds. */
#define ARG_CHECK(cond)                                                                            \
    do {                                                                                           \
        assert(cond);                                                                              \
        if (!(cond))                                                                               \
            return ZF_EINVAL;                                                                      \
    } while (0)

/* ---- small helpers shared by the action files ---------------------------- */

const char *zf_actions__str(const json_t *in, const char *key)
{
    return json_string_value(json_object_get(in, key));
}

int zf_actions__email_eq(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

int zf_actions__find_email(void *arg, const json_t *items)
{
    zf_email_match *m = arg;
    size_t i;
    json_t *it;
    json_array_foreach (items, i, it) {
        if (zf_actions__email_eq(zf_actions__str(it, "email"), m->email)) {
            m->found = json_deep_copy(it);
            return 1;
        }
    }
    return 0;
}

int zf_actions__encode_segment(zf_buf *out, const char *value, int uuid_rule)
{
    if (uuid_rule && (value[0] == '/' || strstr(value, "//"))) {
        zf_buf once = ZF_BUF_INIT(PATH_MAX_BYTES);
        zf_buf_put_urlenc(&once, value);
        if (!once.failed)
            zf_buf_put_urlenc(out, once.ptr ? once.ptr : "");
        int failed = once.failed;
        zf_buf_free(&once);
        return failed || out->failed ? ZF_ENOMEM : 0;
    }
    zf_buf_put_urlenc(out, value);
    return out->failed ? ZF_ENOMEM : 0;
}

int zf_actions__lookup_request(zf_action_request *req, const char *path)
{
    memset(req, 0, sizeof *req);
    memcpy(req->method, "GET", 4);
    req->kind = ZF_ACTION_READ;
    req->path = strdup(path);
    return req->path ? 0 : ZF_ENOMEM;
}

void zf_actions__list_check(zf_problems *p, const json_t *in)
{
    json_t *token = json_object_get(in, "next_page_token");
    if (json_is_true(json_object_get(in, "all")) && token)
        zf_problems_add(p, "next_page_token", "conflict", token, -1,
                        "`all` already follows every page; drop next_page_token or all");
    else if (json_object_get(in, "limit") && token)
        zf_problems_add(p, "next_page_token", "conflict", token, -1,
                        "`limit` follows pages from the first one; drop next_page_token or "
                        "limit");
}

int zf_actions__list_build(zf_action_request *req, const json_t *in, zf_error *err)
{
    json_t *limit = json_object_get(in, "limit");
    req->limit = json_is_integer(limit) ? (int64_t)json_integer_value(limit) : 0;
    req->follow_pages = json_is_true(json_object_get(in, "all")) || req->limit > 0;
    return 0;
}

void zf_actions__months_check(zf_problems *p, const json_t *in)
{
    const char *from = zf_actions__str(in, "from"), *to = zf_actions__str(in, "to");
    long pos;
    if (to && !from)
        zf_problems_add(p, "to", "dependency", json_object_get(in, "to"), -1,
                        "`to` needs `from` (the first day of the range)");
    /* yyyy-MM-dd compares as text once both are well formed */
    if (from && to && zf_schema_format_ok(ZF_FMT_DATE, from, &pos) &&
        zf_schema_format_ok(ZF_FMT_DATE, to, &pos) && strcmp(from, to) > 0)
        zf_problems_add(p, "to", "conflict", json_object_get(in, "to"), -1,
                        "`to` (%s) is before `from` (%s); swap them", to, from);
    zf_actions__list_check(p, in);
}

/* Replaces the value of the query pair `key` (or adds the pair). */
static int set_query(zf_action_request *req, const char *key, const char *value)
{
    for (size_t i = 0; i < req->nquery; i++) {
        if (strcmp(req->query[i].key, key) != 0)
            continue;
        char *v = strdup(value);
        if (!v)
            return ZF_ENOMEM;
        free(req->query[i].value);
        req->query[i].value = v;
        return 0;
    }
    return zf_action_request_add_query(req, key, value);
}

int zf_actions__months_build(zf_action_request *req, const json_t *in, zf_error *err)
{
    const char *from = zf_actions__str(in, "from"), *to = zf_actions__str(in, "to");
    int rc = zf_actions__list_build(req, in, err);
    req->follow_pages = 1;
    if (rc != 0 || !from)
        return rc;
    char wfrom[11] = "", wto[11];
    snprintf(req->month_from, sizeof req->month_from, "%s", from);
    snprintf(req->month_to, sizeof req->month_to, "%s", to ? to : "");
    /* validated: both are dates and from <= to, so the first month exists */
    if (zf_action_next_month(wfrom, wto, from, to ? to : "9999-12-31") != 1)
        return zf_error_set(err, ZF_EINVAL, "cannot split %s..%s by month", from, to ? to : "");
    rc = set_query(req, "to", wto);
    return rc ? zf_error_set(err, rc, "cannot build the request") : 0;
}

int zf_action_follows_pages(const zf_action *a, const json_t *in)
{
    zf_action_request req;
    zf_error err = ZF_ERROR_INIT;
    if (!a || !in || !a->items_key || zf_action_build(&req, a, in, &err) != 0)
        return 0;
    int follows = req.follow_pages;
    zf_action_request_free(&req);
    return follows;
}

/* ---- requests ----------------------------------------------------------- */

void zf_action_request_free(zf_action_request *req)
{
    if (!req)
        return;
    free(req->path);
    free(req->body);
    for (size_t i = 0; i < req->nquery; i++) {
        free(req->query[i].key);
        free(req->query[i].value);
    }
    memset(req, 0, sizeof *req);
}

const char *zf_action_request_query(const zf_action_request *req, const char *key)
{
    for (size_t i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].key, key) == 0)
            return req->query[i].value;
    return NULL;
}

int zf_action_request_add_query(zf_action_request *req, const char *key, const char *value)
{
    if (req->nquery >= ZF_ACTION_QUERY_MAX)
        return ZF_EINVAL;
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return ZF_ENOMEM;
    }
    req->query[req->nquery].key = k;
    req->query[req->nquery].value = v;
    req->nquery++;
    return 0;
}

static const char *wire_name(const zf_field *f)
{
    return f->wire ? f->wire : f->name;
}

/* A scalar input value as query/path text ("" for other types). */
static void scalar_text(char *out, size_t n, const json_t *v)
{
    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(out, n, "%s", json_is_true(v) ? "true" : "false");
    else
        out[0] = '\0';
}

static const zf_field *path_field(const zf_action *a, const char *name, size_t len)
{
    for (const zf_field *f = a->input; f->name; f++)
        if (f->in == ZF_IN_PATH && strlen(wire_name(f)) == len &&
            strncmp(wire_name(f), name, len) == 0)
            return f;
    return NULL;
}

static int build_path(zf_action_request *req, const zf_action *a, const json_t *in, zf_error *err)
{
    zf_buf b = ZF_BUF_INIT(PATH_MAX_BYTES);
    char text[PATH_MAX_BYTES];
    int rc = 0;
    for (const char *t = a->path; *t;) {
        const char *open = strchr(t, '{');
        if (!open) {
            zf_buf_puts(&b, t);
            break;
        }
        zf_buf_append(&b, t, (size_t)(open - t));
        const char *close = strchr(open, '}');
        const zf_field *f = close ? path_field(a, open + 1, (size_t)(close - open - 1)) : NULL;
        if (!f) {
            rc = zf_error_set(err, ZF_EINVAL, "action %s: path template %s names no field", a->name,
                              a->path);
            goto done;
        }
        scalar_text(text, sizeof text, json_object_get(in, f->name));
        zf_actions__encode_segment(&b, text, f->format == ZF_FMT_MEETING_ID_UUID);
        t = close + 1;
    }
    if (b.failed) {
        rc = zf_error_set(err, ZF_ENOMEM, "request path too long");
        goto done;
    }
    req->path = zf_buf_take(&b);
done:
    zf_buf_free(&b);
    return rc;
}

static int build_query_body(zf_action_request *req, const zf_action *a, const json_t *in,
                            zf_error *err)
{
    char text[PATH_MAX_BYTES];
    json_t *body = json_object();
    int rc = body ? 0 : ZF_ENOMEM;
    for (const zf_field *f = a->input; rc == 0 && f->name; f++) {
        json_t *v = json_object_get(in, f->name);
        if (!v || json_is_null(v))
            continue;
        if (f->in == ZF_IN_QUERY) {
            scalar_text(text, sizeof text, v);
            rc = zf_action_request_add_query(req, wire_name(f), text);
        } else if (f->in == ZF_IN_BODY) {
            rc = json_object_set(body, wire_name(f), v) == 0 ? 0 : ZF_ENOMEM;
        }
    }
    if (rc == 0 && (json_object_size(body) > 0 || strcmp(req->method, "POST") == 0)) {
        req->body = json_dumps(body, JSON_COMPACT);
        rc = req->body ? 0 : ZF_ENOMEM;
    }
    json_decref(body);
    return rc ? zf_error_set(err, rc, "cannot build the %s request", a->name) : 0;
}

int zf_action_validate(zf_problems *p, const zf_action *a, const json_t *in)
{
    ARG_CHECK(p && a && in);
    if (!json_is_object(in)) {
        zf_problems_add(p, "", "type", in, -1, "the input of %s must be a JSON object of fields",
                        a->name);
        return ZF_EVALIDATION;
    }
    zf_schema_check_object(p, a->input, "", in, 0);
    if (a->check)
        a->check(p, in);
    if (p->oom)
        return ZF_ENOMEM;
    return p->count ? ZF_EVALIDATION : 0;
}

int zf_action_build(zf_action_request *req, const zf_action *a, const json_t *in, zf_error *err)
{
    ARG_CHECK(req && a && in);
    zf_problems p = ZF_PROBLEMS_INIT;
    memset(req, 0, sizeof *req);
    int rc = zf_action_validate(&p, a, in);
    if (rc != 0) {
        rc = zf_problems_to_error(err, &p);
        zf_error_hint_arg(err, ZF_HINT_ARG_ACTION, a->name);
        goto done;
    }
    req->kind = a->kind;
    if (a->method)
        snprintf(req->method, sizeof req->method, "%s", a->method);
    if (a->path && (rc = build_path(req, a, in, err)) != 0)
        goto done;
    if ((rc = build_query_body(req, a, in, err)) != 0)
        goto done;
    if (a->build)
        rc = a->build(req, in, err);
done:
    zf_problems_free(&p);
    if (rc != 0)
        zf_action_request_free(req);
    return rc;
}

/* ---- scopes ------------------------------------------------------------- */

static int granted_has(const char *granted, const char *want)
{
    size_t n = strlen(want);
    for (const char *s = granted; s && *s;) {
        while (*s == ' ' || *s == ',')
            s++;
        size_t len = strcspn(s, " ,");
        if (len == n && strncmp(s, want, n) == 0)
            return 1;
        s += len;
    }
    return 0;
}

/* The granular scope, its user-level form and its :admin/:master forms. */
static int scope_forms_granted(const char *scope, const char *granted)
{
    char base[SCOPE_MAX], form[SCOPE_MAX];
    snprintf(base, sizeof base, "%s", scope);
    size_t n = strlen(base);
    if (n > 6 && strcmp(base + n - 6, ":admin") == 0)
        base[n - 6] = '\0';
    else if (n > 7 && strcmp(base + n - 7, ":master") == 0)
        base[n - 7] = '\0';
    static const char *const suffix[] = {"", ":admin", ":master"};
    for (size_t i = 0; i < ZF_NELEM(suffix); i++) {
        snprintf(form, sizeof form, "%s%s", base, suffix[i]);
        if (granted_has(granted, form))
            return 1;
    }
    return 0;
}

int zf_action_scope_check(const zf_action *a, const char *granted, zf_error *err)
{
    ARG_CHECK(a);
    if (!a->scope || scope_forms_granted(a->scope, granted))
        return 0;
    for (const char *const *c = a->classic_scopes; c && *c; c++)
        if (granted_has(granted, *c))
            return 0;
    zf_error_set(err, ZF_ESCOPE,
                 "%s needs the Zoom scope %s, which this connection was not granted", a->name,
                 a->scope);
    zf_error_hint_id(err, ZF_HINT_ADD_SCOPE,
                     "add %s to the Zoom app's scopes (Marketplace > "
                     "your app > Scopes), then reconnect the Zoom connection so the new scope "
                     "is granted",
                     a->scope);
    zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, a->scope);
    return ZF_ESCOPE;
}

/* ---- output ------------------------------------------------------------- */

static json_t *pick_keys(const zf_action *a, const json_t *obj)
{
    json_t *o = json_object();
    for (const char *const *k = a->output_keys; o && k && *k; k++) {
        json_t *v = json_object_get(obj, *k);
        if (v)
            json_object_set(o, *k, v);
    }
    return o;
}

static int normalise_list(json_t *out, const zf_action *a, const json_t *resp)
{
    json_t *items = json_object_get(resp, a->items_key), *arr = json_array();
    if (!arr)
        return ZF_ENOMEM;
    size_t i;
    json_t *it;
    json_array_foreach (items, i, it) {
        if (json_is_object(it))
            json_array_append_new(arr, pick_keys(a, it));
    }
    json_object_set_new(out, a->items_key, arr);
    json_t *total = json_object_get(resp, "total_records");
    json_object_set_new(out, "total_records",
                        json_is_integer(total) ? json_incref(total)
                                               : json_integer((json_int_t)json_array_size(arr)));
    const char *next = json_string_value(json_object_get(resp, "next_page_token"));
    if (next && *next)
        json_object_set_new(out, "next_page_token", json_string(next));
    return 0;
}

/* Index of the output key the member key k (a string token) names, or -1.
 * Items usually list their members in the same order, so the search
 * starts after the last key found. Output keys are plain names (no
 * backslash, no quote), so bytes equal to one are that name; only a key
 * that matched none is looked at for escapes and compared decoded. */
static int raw_key_index(const char *const *keys, const size_t *lens, size_t nk, zf_jspan k,
                         size_t *guess)
{
    const char *body = k.p + 1;
    size_t blen = k.n - 2;
    size_t i = *guess < nk ? *guess : 0;
    for (size_t j = 0; j < nk; j++) {
        if (lens[i] == blen && (blen == 0 || keys[i][0] == body[0]) &&
            memcmp(keys[i], body, blen) == 0) {
            *guess = i + 1;
            return (int)i;
        }
        if (++i == nk)
            i = 0;
    }
    if (!memchr(body, '\\', blen))
        return -1;
    for (i = 0; i < nk; i++) {
        if (zf_json_scan_str_eq(k, keys[i])) {
            *guess = i + 1;
            return (int)i;
        }
    }
    return -1;
}

#define SHAPE_KEYS_MAX 64

/* The output key index of the member at position j with key k, from the
 * memo when the bytes confirm it, else found and noted there. */
static int memo_key_index(zf_shape_memo *m, const char *const *keys, const size_t *lens, size_t nk,
                          size_t j, zf_jspan k, size_t *guess)
{
    const char *body = k.p + 1;
    size_t blen = k.n - 2;
    if (j < ZF_SHAPE_MEMO_MEMBERS && m->valid[j]) {
        int i = m->map[j];
        if (i >= 0 ? lens[i] == blen && memcmp(keys[i], body, blen) == 0
                   : m->kn[j] == blen && memcmp(m->kb[j], body, blen) == 0)
            return i;
    }
    int i = raw_key_index(keys, lens, nk, k, guess);
    if (j < ZF_SHAPE_MEMO_MEMBERS) {
        /* a key that matched none is kept as its bytes (the same bytes
         * match none again); one too long to keep is looked up each time */
        m->valid[j] = i >= 0 || blen <= ZF_SHAPE_MEMO_KEY;
        m->map[j] = (signed char)i;
        if (i < 0 && m->valid[j]) {
            memcpy(m->kb[j], body, blen);
            m->kn[j] = (unsigned char)blen;
        }
    }
    return i;
}

/* One object item shaped by the output keys (lens: their lengths): the
 * last value of a repeated member, in the output keys' order, each value
 * compacted (canon = 0) or in jansson's form (canon = 1). 0 written, 1
 * left to jansson (canon only), ZF_ENOMEM. */
static int shape_item(const zf_action *a, zf_jspan item, const size_t *lens, size_t nk, int canon,
                      zf_shape_memo *memo, zf_buf *out)
{
    zf_jspan found[SHAPE_KEYS_MAX], k, val;
    zf_jiter it;
    size_t guess = 0, need = 2;
    for (size_t i = 0; i < nk; i++)
        found[i].p = NULL;
    zf_json_scan_members(&it, item);
    for (size_t j = 0;; j++) {
        /* the memo's key for this position, if any, is tried first */
        const char *hk = NULL;
        size_t hn = 0;
        int hi = -1;
        if (memo && j < ZF_SHAPE_MEMO_MEMBERS && memo->valid[j]) {
            hi = memo->map[j];
            hk = hi >= 0 ? a->output_keys[hi] : memo->kb[j];
            hn = hi >= 0 ? lens[hi] : memo->kn[j];
        }
        int r = zf_json_scan_next_member_as(&it, hk, hn, &k, &val);
        if (r == 0)
            break;
        int i = r == 2 ? hi
                : memo ? memo_key_index(memo, a->output_keys, lens, nk, j, k, &guess)
                       : raw_key_index(a->output_keys, lens, nk, k, &guess);
        if (i >= 0)
            found[i] = val;
    }
    /* `{`, `}`, and per kept member a comma, the quoted key, a colon and
     * the value (compacted: at most its bytes; jansson's form: canon_max) */
    for (size_t i = 0; i < nk; i++)
        if (found[i].p)
            need += lens[i] + 4 + (canon ? zf_json_scan_canon_max(found[i]) : found[i].n);
    if (zf_buf_reserve(out, need + 1) != 0)
        return ZF_ENOMEM;
    char *d = out->ptr + out->len;
    int first = 1;
    *d++ = '{';
    for (size_t i = 0; d && i < nk; i++) {
        if (!found[i].p)
            continue;
        if (!first)
            *d++ = ',';
        first = 0;
        *d++ = '"';
        memcpy(d, a->output_keys[i], lens[i]);
        d += lens[i];
        *d++ = '"';
        *d++ = ':';
        d = canon ? zf_json_scan_canon_to(found[i], d) : d + zf_json_scan_compact_to(found[i], d);
    }
    if (!d)
        return 1;
    *d++ = '}';
    *d = '\0';
    out->len = (size_t)(d - out->ptr);
    return 0;
}

/* The output keys' lengths; -1 past SHAPE_KEYS_MAX. */
static int key_lens(const zf_action *a, size_t *lens, size_t *nk)
{
    for (*nk = 0; a->output_keys[*nk]; (*nk)++) {
        if (*nk == SHAPE_KEYS_MAX)
            return -1;
        lens[*nk] = strlen(a->output_keys[*nk]);
    }
    return 0;
}

int zf_action__shape_raw_memo(const zf_action *a, const char *item, size_t len, zf_buf *out,
                              zf_shape_memo *memo)
{
    zf_jspan v = {item, len};
    size_t lens_here[SHAPE_KEYS_MAX], nk, *lens = lens_here;
    zf_jiter it;
    if (!len || zf_json_scan_members(&it, v) != 0)
        return 0;
    if (!a->output_keys)
        return zf_json_scan_compact(v, out) ? ZF_ENOMEM : 1;
    if (memo && memo->a != a) {
        memset(memo, 0, sizeof *memo);
        if (key_lens(a, memo->lens, &memo->nk) != 0)
            return ZF_EINVAL; /* the descriptor's mistake; memo stays unset */
        memo->a = a;
    }
    if (memo) {
        lens = memo->lens;
        nk = memo->nk;
    } else if (key_lens(a, lens, &nk) != 0) {
        return ZF_EINVAL;
    }
    return shape_item(a, v, lens, nk, 0, memo, out) == ZF_ENOMEM ? ZF_ENOMEM : 1;
}

int zf_action_shape_raw(const zf_action *a, const char *item, size_t len, zf_buf *out)
{
    return zf_action__shape_raw_memo(a, item, len, out, NULL);
}

static int page_items(const zf_action *a, zf_jspan items, size_t *count, zf_buf *out)
{
    size_t lens[SHAPE_KEYS_MAX], nk;
    zf_jiter it;
    zf_jspan e;
    int rc = 0;
    if (key_lens(a, lens, &nk) != 0)
        return 1;
    *count = 0;
    if (zf_buf_putc(out, '"') || zf_buf_puts(out, a->items_key) || zf_buf_append(out, "\":[", 3))
        return ZF_ENOMEM;
    if (items.p && zf_json_scan_elements(&it, items) == 0) {
        while (zf_json_scan_next_element(&it, &e) == 1) {
            if (e.p[0] != '{')
                continue; /* as normalise_list: only objects are items */
            if ((*count && zf_buf_putc(out, ',')) ||
                (rc = shape_item(a, e, lens, nk, 1, NULL, out)) != 0)
                return rc ? rc : ZF_ENOMEM;
            (*count)++;
        }
    }
    return zf_buf_putc(out, ']') ? ZF_ENOMEM : 0;
}

static int page_shape(const zf_action *a, zf_jspan page, zf_buf *out)
{
    zf_jspan k, v, items = {NULL, 0}, total = {NULL, 0}, next = {NULL, 0};
    zf_jiter it;
    size_t count = 0;
    int rc = 0;
    if (!zf_json_scan_jansson_safe(page.p, page.n) || zf_json_scan_members(&it, page) != 0)
        return 1;
    while (zf_json_scan_next_member(&it, &k, &v) == 1) {
        if (zf_json_scan_str_eq(k, a->items_key))
            items = v;
        else if (zf_json_scan_str_eq(k, "total_records"))
            total = v;
        else if (zf_json_scan_str_eq(k, "next_page_token"))
            next = v;
    }
    if (zf_buf_putc(out, '{') || (rc = page_items(a, items, &count, out)) != 0)
        return rc ? rc : ZF_ENOMEM;
    if (zf_buf_append(out, ",\"total_records\":", 17))
        return ZF_ENOMEM;
    int64_t n;
    if (total.p && zf_json_scan_type(total) == ZF_JT_NUMBER && zf_json_scan_int(total, &n)) {
        if ((rc = zf_json_scan_canon(total, out)) != 0)
            return rc;
    } else if (zf_buf_appendf(out, "%zu", count)) {
        return ZF_ENOMEM;
    }
    if (next.p && next.p[0] == '"' && next.n > 2 &&
        (zf_buf_append(out, ",\"next_page_token\":", 19) ||
         (rc = zf_json_scan_canon(next, out)) != 0))
        return rc ? rc : ZF_ENOMEM;
    return zf_buf_putc(out, '}') ? ZF_ENOMEM : 0;
}

int zf_action_shape_page_raw(const zf_action *a, const char *page, size_t len, zf_buf *out)
{
    if (!a->items_key || !a->output_keys)
        return 0;
    while (len && (page[len - 1] == ' ' || page[len - 1] == '\n' || page[len - 1] == '\r' ||
                   page[len - 1] == '\t'))
        len--;
    while (len && (*page == ' ' || *page == '\n' || *page == '\r' || *page == '\t')) {
        page++;
        len--;
    }
    size_t start = out->len;
    int rc = len ? page_shape(a, (zf_jspan){page, len}, out) : 1;
    if (rc == 0)
        return 1;
    if (out->ptr) {
        out->len = start;
        out->ptr[start] = '\0';
    }
    return rc == 1 ? 0 : ZF_ENOMEM;
}

int zf_action_normalise(json_t **out, const zf_action *a, const json_t *resp, zf_outcome outcome,
                        zf_error *err)
{
    *out = NULL;
    if (!json_is_object(resp))
        return zf_error_set(err, ZF_EPARSE, "%s: Zoom's answer is not a JSON object", a->name);
    json_t *o;
    if (!a->output_keys) {
        o = json_deep_copy(resp);
    } else if (a->items_key) {
        o = json_object();
        if (o && normalise_list(o, a, resp) != 0) {
            json_decref(o);
            o = NULL;
        }
    } else {
        o = pick_keys(a, resp);
    }
    if (!o)
        return zf_error_set(err, ZF_ENOMEM, "out of memory normalising %s", a->name);
    if (outcome != ZF_OUTCOME_READ)
        json_object_set_new(o, "created", json_boolean(outcome == ZF_OUTCOME_CREATED));
    if (outcome == ZF_OUTCOME_FOUND)
        json_object_set_new(o, "found", json_true());
    if (outcome == ZF_OUTCOME_EXISTING)
        json_object_set_new(o, "existing", json_true());
    *out = o;
    return 0;
}

int zf_action_reconcile(json_t **found, const zf_action *a, const json_t *in,
                        const zf_reconcile_opts *o, const zf_action_source *src, zf_error *err)
{
    ARG_CHECK(found && a && in && o && src && src->get && src->list);
    *found = NULL;
    if (!a->reconcile)
        return zf_error_set(err, ZF_EINVAL, "%s is not a create: nothing to reconcile", a->name);
    zf_problems p = ZF_PROBLEMS_INIT;
    int rc = zf_action_validate(&p, a, in);
    if (rc != 0) {
        rc = zf_problems_to_error(err, &p);
        zf_error_hint_arg(err, ZF_HINT_ARG_ACTION, a->name);
    }
    zf_problems_free(&p);
    return rc != 0 ? rc : a->reconcile(found, in, o, src, err);
}

int zf_action_result_warn(zf_action_result *r, const char *fmt, ...)
{
    zf_buf b = ZF_BUF_INIT(TEXT_MAX_BYTES);
    va_list ap;
    va_start(ap, fmt);
    zf_buf_vappendf(&b, fmt, ap);
    va_end(ap);
    int rc = b.failed ? ZF_ENOMEM : 0;
    if (rc == 0 && !r->warnings && !(r->warnings = json_array()))
        rc = ZF_ENOMEM;
    if (rc == 0 && json_array_append_new(r->warnings, json_string(b.ptr ? b.ptr : "")) != 0)
        rc = ZF_ENOMEM;
    zf_buf_free(&b);
    return rc;
}

void zf_action_result_free(zf_action_result *r)
{
    if (!r)
        return;
    json_decref(r->output);
    json_decref(r->warnings);
    r->output = NULL;
    r->warnings = NULL;
}
