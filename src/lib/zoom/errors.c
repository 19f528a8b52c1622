/*
 * Zoom's error answers -> zf_error, from one table (zoom-api.md §1.1, §C).
 *
 * Bodies are untrusted: at most ZF_ZOOM_ERRBODY_MAX bytes are parsed, every
 * string copied into a message is cut to size with control bytes replaced
 * and secrets redacted, and nothing here allocates beyond jansson's parse.
 */
#include "zoom_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ANY_CODE (-1)

typedef struct zoom_body {
    int code;          /* Zoom's "code", 0 when none */
    char message[256]; /* sanitized "message", "" when none */
    char fields[320];  /* "field: message; ..." from errors[] */
    int parsed;        /* the body was a JSON object */
} zoom_body;

typedef struct hint_ctx {
    long status;
    int attempts;
    const zoom_body *zb;
} hint_ctx;

typedef void (*hint_fn)(zf_error *err, const hint_ctx *c);

typedef struct err_row {
    long status_lo, status_hi;
    int zoom_code; /* ANY_CODE matches every code */
    int code;
    zf_hint hint_id;
    const char *hint; /* neutral words; NULL = the id's own */
    hint_fn hint_fn;  /* overrides hint when set */
} err_row;

static void hint_scope(zf_error *err, const hint_ctx *c);
static void hint_server(zf_error *err, const hint_ctx *c);
static void hint_ratelimit(zf_error *err, const hint_ctx *c);

static const err_row ROWS[] = {
    {400, 401, 124, ZF_EREAUTH, ZF_HINT_RECONNECT,
     "Zoom refused the access token even after a refresh: reconnect the Zoom connection "
     "to re-authorize it",
     NULL},
    {400, 403, 4711, ZF_ESCOPE, ZF_HINT_ADD_SCOPE, NULL, hint_scope},
    {400, 403, 4700, ZF_ESCOPE, ZF_HINT_ADD_SCOPE, NULL, hint_scope},
    {404, 404, 1001, ZF_ENOTFOUND, ZF_HINT_LIST_USERS,
     "check the user (id or email) or meeting id: list the account's users to find it", NULL},
    {404, 404, 3001, ZF_ENOTFOUND, ZF_HINT_CHECK_IDS,
     "check the meeting id: the meeting may have ended, been deleted, or belong to "
     "another account",
     NULL},
    {404, 404, 3301, ZF_ENOTFOUND, ZF_HINT_CHECK_RECORDING,
     "the meeting has no cloud recording: it was not recorded to the cloud, or Zoom is "
     "still processing it (recording.completed fires when it is ready)",
     NULL},
    {400, 404, 2300, ZF_ENOTFOUND, ZF_HINT_CHECK_PATH,
     "Zoom does not know this endpoint: check the method and path against "
     "https://developers.zoom.us/docs/api/",
     NULL},
    {409, 409, 1005, ZF_ECONFLICT, ZF_HINT_LIST_USERS,
     "a user with this email already exists: find it in the account's users instead of "
     "creating it",
     NULL},
    {400, 400, 300, ZF_EVALIDATION, ZF_HINT_FIX_FIELDS,
     "fix the fields Zoom names and send the request again", NULL},
    {429, 429, ANY_CODE, ZF_ERATELIMIT, ZF_HINT_SLOW_DOWN, NULL, hint_ratelimit},
    {500, 599, ANY_CODE, ZF_ESERVER, ZF_HINT_RETRY_LATER, NULL, hint_server},
    {401, 401, ANY_CODE, ZF_EAUTH, ZF_HINT_CHECK_CONNECTION,
     "Zoom refused the credentials: check the connection's status, and reconnect it if "
     "it is broken",
     NULL},
    {403, 403, ANY_CODE, ZF_EZOOM, ZF_HINT_CHECK_APP,
     "Zoom denied access: check the app's scopes and that the connected user is an admin "
     "of the account (or that the feature is enabled for it)",
     NULL},
    {404, 404, ANY_CODE, ZF_ENOTFOUND, ZF_HINT_CHECK_IDS, "check the ids in the path", NULL},
    {400, 499, ANY_CODE, ZF_EZOOM, ZF_HINT_SEE_MESSAGE,
     "Zoom rejected the request: see its message", NULL},
};

/* Copies s, cut to outlen, with bytes outside printable ASCII replaced. */
static void clean_copy(const char *s, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < outlen; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
    }
    out[o] = '\0';
}

void zf_zoom__snippet(const char *body, size_t len, size_t max, char *out, size_t outlen)
{
    if (!body)
        len = 0;
    if (len > max)
        len = max;
    clean_copy(body ? body : "", len, out, outlen);
    zf_log_redact(out);
}

static void append_field(char *out, size_t outlen, const char *field, const char *msg)
{
    size_t used = strlen(out);
    if (used + 1 >= outlen)
        return;
    snprintf(out + used, outlen - used, "%s%s: %s", used ? "; " : "", field, msg);
}

static void parse_body(const char *body, size_t len, zoom_body *zb)
{
    memset(zb, 0, sizeof *zb);
    if (!body || !len || len > ZF_ZOOM_ERRBODY_MAX)
        return;
    json_t *j = json_loadb(body, len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    zb->parsed = 1;
    json_t *code = json_object_get(j, "code");
    if (json_is_integer(code) && json_integer_value(code) > 0 && json_integer_value(code) < 1000000)
        zb->code = (int)json_integer_value(code);
    const char *msg = json_string_value(json_object_get(j, "message"));
    if (msg)
        clean_copy(msg, strlen(msg), zb->message, sizeof zb->message);
    json_t *errs = json_object_get(j, "errors");
    size_t i;
    json_t *e;
    json_array_foreach (errs, i, e) {
        char f[96], m[160];
        const char *fs = json_string_value(json_object_get(e, "field"));
        const char *ms = json_string_value(json_object_get(e, "message"));
        clean_copy(fs ? fs : "?", fs ? strlen(fs) : 1, f, sizeof f);
        clean_copy(ms ? ms : "invalid", ms ? strlen(ms) : 7, m, sizeof m);
        append_field(zb->fields, sizeof zb->fields, f, m);
        if (i >= 20)
            break;
    }
    json_decref(j);
    zf_log_redact(zb->message);
    zf_log_redact(zb->fields);
}

int zf_zoom__body_code(const char *body, size_t len)
{
    zoom_body zb;
    parse_body(body, len, &zb);
    return zb.code;
}

/* "does not contain scopes:[a:b, c:d]." -> "a:b, c:d" (safe characters only). */
static void parse_scopes(const char *msg, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *p = strstr(msg, "scopes");
    if (!p)
        return;
    p += 6;
    while (*p == ':' || *p == ' ' || *p == '[')
        p++;
    size_t o = 0;
    for (; *p && *p != ']' && o + 1 < outlen; p++) {
        char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == ':' || c == '_' || c == ',' || c == ' ' || c == '-')
            out[o++] = c;
        else
            break;
    }
    while (o && (out[o - 1] == ' ' || out[o - 1] == ','))
        o--;
    out[o] = '\0';
}

static void hint_scope(zf_error *err, const hint_ctx *c)
{
    char scopes[200];
    parse_scopes(c->zb->message, scopes, sizeof scopes);
    zf_error_hint_id(err, ZF_HINT_ADD_SCOPE,
                     "the connection's token lacks the scope %s: "
                     "re-authorize the app with that scope added (Zoom Marketplace > your app "
                     "> Scopes), then reconnect the Zoom connection",
                     *scopes ? scopes : "this endpoint needs");
    zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, scopes);
}

static void hint_server(zf_error *err, const hint_ctx *c)
{
    int retries = c->attempts > 0 ? c->attempts - 1 : 0;
    zf_error_hint_id(err, ZF_HINT_RETRY_LATER,
                     "Zoom is having trouble (HTTP %ld). Check "
                     "https://status.zoom.us and retry; it was retried %d time%s.",
                     c->status, retries, retries == 1 ? "" : "s");
}

static void hint_ratelimit(zf_error *err, const hint_ctx *c)
{
    zf_error_hint_id(err, ZF_HINT_SLOW_DOWN,
                     "Zoom's per-second rate limit for this API was "
                     "hit (retried %d time%s): slow down or spread bulk work; limits are per "
                     "account, shared with every app on it",
                     c->attempts > 0 ? c->attempts - 1 : 0, c->attempts == 2 ? "" : "s");
}

static const err_row *find_row(long status, int zcode)
{
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
        const err_row *r = &ROWS[i];
        if (status >= r->status_lo && status <= r->status_hi &&
            (r->zoom_code == ANY_CODE || r->zoom_code == zcode))
            return r;
    }
    return NULL;
}

int zf_zoom__is_daily_limit(const char *headers, const char *body, size_t len)
{
    char v[64];
    if (zf_zoom__header(headers ? headers : "", "X-RateLimit-Type", v, sizeof v) &&
        strcasecmp(v, "Daily-limit") == 0)
        return 1;
    zoom_body zb;
    parse_body(body, len, &zb);
    for (const char *p = zb.message; *p; p++)
        if (strncasecmp(p, "daily rate limit", 16) == 0)
            return 1;
    return 0;
}

static void format_time(int64_t t, int local, char *out, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!(local ? localtime_r(&tt, &tm) : gmtime_r(&tt, &tm)) ||
        !strftime(out, n, local ? "%Y-%m-%d %H:%M:%S %Z" : "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(out, n, "@%lld", (long long)t);
}

int zf_zoom__daily_error(zf_error *err, long status, int64_t reset_s, int per_host)
{
    char utc[64], local[64];
    format_time(reset_s, 0, utc, sizeof utc);
    format_time(reset_s, 1, local, sizeof local);
    zf_error_set(err, ZF_EDAILYLIMIT,
                 "%s is reached (HTTP %ld); it resets at %s (%s local "
                 "time)",
                 per_host ? "the daily limit of 100 meeting creates/updates for this "
                            "host"
                          : "Zoom's daily rate limit for this API",
                 status, utc, local);
    zf_error_hint_id(err, ZF_HINT_WAIT_FOR_RESET,
                     "wait until %s, or spread the work over more "
                     "%s; retrying before then fails again",
                     utc, per_host ? "hosts or days" : "days");
    err->reset_at = reset_s;
    err->http_status = (int)status;
    return ZF_EDAILYLIMIT;
}

static int map_daily(long status, const char *headers, const zoom_body *zb, int64_t now_s,
                     zf_error *err)
{
    char v[64];
    int64_t at;
    if (!zf_zoom__header(headers ? headers : "", "Retry-After", v, sizeof v) ||
        zf_zoom__parse_retry_after(v, now_s, &at) != 0 || at <= now_s)
        at = zf_zoom__next_utc_midnight(now_s);
    zf_zoom__daily_error(err, status, at, strstr(zb->message, "Meeting Create/Update") != NULL);
    err->retry_after = at - now_s;
    err->zoom_code = zb->code;
    return ZF_EDAILYLIMIT;
}

int zf_zoom__map_error(long status, const char *headers, const char *body, size_t len, int attempts,
                       int64_t now_s, zf_error *err)
{
    zoom_body zb;
    parse_body(body, len, &zb);
    if (status == 429 && zf_zoom__is_daily_limit(headers, body, len))
        return map_daily(status, headers, &zb, now_s, err);
    const err_row *row = find_row(status, zb.code);
    int code = row ? row->code : ZF_EHTTP;
    if (!zb.parsed && status != 429 && status < 500) {
        char snip[120];
        zf_zoom__snippet(body, len, 80, snip, sizeof snip);
        zf_error_set(err, ZF_EPARSE,
                     "Zoom answered HTTP %ld with a body that is not a Zoom "
                     "error (first bytes: \"%s\")",
                     status, snip);
        zf_error_hint_id(err, ZF_HINT_CHECK_API_BASE,
                         "check that the API base points at Zoom "
                         "(or zoomsim), not a proxy or captive portal");
    } else {
        if (zb.message[0] && zb.fields[0])
            zf_error_set(err, code, "Zoom: %s (%s)", zb.message, zb.fields);
        else if (zb.message[0])
            zf_error_set(err, code, "Zoom: %s", zb.message);
        else
            zf_error_set(err, code, "Zoom answered HTTP %ld%s", status,
                         zb.parsed ? " without a message" : "");
        hint_ctx hc = {status, attempts, &zb};
        if (row && row->hint_fn)
            row->hint_fn(err, &hc);
        else if (row && row->hint)
            zf_error_hint_id(err, row->hint_id, "%s", row->hint);
        else if (row)
            zf_error_hint_id(err, row->hint_id, NULL);
        else
            zf_error_hint_id(err, ZF_HINT_SEE_MESSAGE, "Zoom answered an unexpected HTTP %ld",
                             status);
    }
    err->http_status = (int)status;
    err->zoom_code = zb.code;
    return err->code;
}
