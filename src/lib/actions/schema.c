/*
 * The schema engine behind the action descriptors.
 *
 * Guarantees: checking never stops at the first fault — every field is
 * visited and every fault becomes one zf_problem (up to ZF_PROBLEMS_MAX),
 * each naming the field path, the rule, the offending value and the fix.
 * Secret fields (ZF_F_SECRET) are never echoed. The same zf_field tables
 * produce the JSON Schema (draft 2020-12) that the REST service publishes,
 * so what is checked and what is published cannot drift apart.
 */
#include "actions_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBLEM_TEXT_MAX 4096
#define VALUE_SHOWN_MAX 80

/* ---- problems ----------------------------------------------------------- */

void zf_problems_free(zf_problems *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i].path);
        free(p->items[i].value);
        free(p->items[i].message);
    }
    free(p->items);
    memset(p, 0, sizeof *p);
}

/* Characters no text field may hold: controls, and the bidirectional
 * formatting characters that make a name or topic display differently from
 * what it is (Zoom shows these to other people, in other languages' UIs).
 * TAB, LF and CR are only for ZF_F_MULTILINE fields. Ranges are inclusive. */
static const struct {
    uint32_t lo, hi;
    const char *name;
} REFUSED_CHARS[] = {
    {0x0000, 0x001F, "a control character"},
    {0x007F, 0x009F, "a control character"},
    {0x061C, 0x061C, "ARABIC LETTER MARK, a bidi control"},
    {0x200E, 0x200E, "LEFT-TO-RIGHT MARK, a bidi control"},
    {0x200F, 0x200F, "RIGHT-TO-LEFT MARK, a bidi control"},
    {0x2028, 0x2028, "LINE SEPARATOR"},
    {0x2029, 0x2029, "PARAGRAPH SEPARATOR"},
    {0x202A, 0x202A, "LEFT-TO-RIGHT EMBEDDING, a bidi control"},
    {0x202B, 0x202B, "RIGHT-TO-LEFT EMBEDDING, a bidi control"},
    {0x202C, 0x202C, "POP DIRECTIONAL FORMATTING, a bidi control"},
    {0x202D, 0x202D, "LEFT-TO-RIGHT OVERRIDE, a bidi control"},
    {0x202E, 0x202E, "RIGHT-TO-LEFT OVERRIDE, a bidi control"},
    {0x2066, 0x2066, "LEFT-TO-RIGHT ISOLATE, a bidi control"},
    {0x2067, 0x2067, "RIGHT-TO-LEFT ISOLATE, a bidi control"},
    {0x2068, 0x2068, "FIRST STRONG ISOLATE, a bidi control"},
    {0x2069, 0x2069, "POP DIRECTIONAL ISOLATE, a bidi control"},
};

/* Decodes one UTF-8 sequence at s (n bytes left): its length, or 0 when it
 * is not valid UTF-8 (overlong, surrogate, above U+10FFFF, cut short). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    static const uint32_t min_of[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len = s[0] < 0x80                    ? 1
                 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
                 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
                                                : 0;
    if (!len || len > n)
        return 0;
    uint32_t c = len == 1 ? s[0] : (uint32_t)(s[0] & (0x7F >> len));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min_of[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

static const char *refused_char(uint32_t c, int multiline)
{
    if (multiline && (c == '\t' || c == '\n' || c == '\r'))
        return NULL;
    for (size_t i = 0; i < sizeof REFUSED_CHARS / sizeof REFUSED_CHARS[0]; i++)
        if (c >= REFUSED_CHARS[i].lo && c <= REFUSED_CHARS[i].hi)
            return REFUSED_CHARS[i].name;
    return NULL;
}

/* 1 when the dumped JSON text s holds a character that could reorder or
 * hide the rest of a problem line on a terminal, or is not UTF-8. */
static int shows_badly(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t len = utf8_next((const unsigned char *)s + i, n - i, &c);
        if (!len || refused_char(c, 0))
            return 1;
        i += len;
    }
    return 0;
}

/* The value as JSON text for a problem, non-ASCII escaped (\u202e) when it
 * holds a refused character, a placeholder when it is not UTF-8. */
static char *value_text(const json_t *v)
{
    if (!v)
        return strdup("");
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!s && json_is_string(v))
        return strdup("\"[not valid UTF-8]\"");
    if (s && shows_badly(s)) {
        free(s);
        s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII);
    }
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (n > VALUE_SHOWN_MAX) {
        /* cut on a UTF-8 boundary and mark the cut: "..." and its NUL end
         * at most at s[VALUE_SHOWN_MAX], inside the n + 1 bytes */
        size_t cut = VALUE_SHOWN_MAX - 3;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
        memcpy(s + cut, "...", 4);
    }
    return s;
}

static zf_problem *problem_slot(zf_problems *p)
{
    if (p->count >= ZF_PROBLEMS_MAX) {
        p->truncated = 1;
        return NULL;
    }
    if (p->count == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 8;
        zf_problem *n = realloc(p->items, ncap * sizeof *n);
        if (!n) {
            p->oom = 1;
            return NULL;
        }
        p->items = n;
        p->cap = ncap;
    }
    return &p->items[p->count];
}

__attribute__((format(printf, 7, 0))) static void
problem_vadd(zf_problems *p, const char *path, const char *rule, const json_t *value, int secret,
             long pos, const char *fmt, va_list ap)
{
    zf_problem *slot = problem_slot(p);
    if (!slot)
        return;
    zf_buf msg = ZF_BUF_INIT(PROBLEM_TEXT_MAX);
    zf_buf_vappendf(&msg, fmt, ap);
    json_t *redacted = secret && value ? json_string("[redacted]") : NULL;
    slot->path = strdup(path);
    slot->rule = rule;
    slot->value = value_text(redacted ? redacted : value);
    slot->pos = pos;
    slot->message = zf_buf_take(&msg);
    json_decref(redacted);
    if (!slot->path || !slot->value || !slot->message) {
        free(slot->path);
        free(slot->value);
        free(slot->message);
        zf_buf_free(&msg);
        p->oom = 1;
        return;
    }
    p->count++;
}

void zf_problems_add(zf_problems *p, const char *path, const char *rule, const json_t *value,
                     long pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    problem_vadd(p, path, rule, value, 0, pos, fmt, ap);
    va_end(ap);
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void
fault(zf_problems *p, const zf_field *f, const char *path, const json_t *value, const char *fmt,
      ...);

/* fault() with a rule and position; keeps call sites short. */
#if defined(__GNUC__)
__attribute__((format(printf, 7, 8)))
#endif
static void
faultx(zf_problems *p, const zf_field *f, const char *path, const char *rule, const json_t *value,
       long pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    problem_vadd(p, path, rule, value, f && (f->flags & ZF_F_SECRET), pos, fmt, ap);
    va_end(ap);
}

static void fault(zf_problems *p, const zf_field *f, const char *path, const json_t *value,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    problem_vadd(p, path, "type", value, f && (f->flags & ZF_F_SECRET), -1, fmt, ap);
    va_end(ap);
}

int zf_problems_json(json_t **out, const zf_problems *p)
{
    *out = NULL;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < p->count; i++) {
        const zf_problem *q = &p->items[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "field", q->path, "rule", q->rule, "value",
                              q->value, "message", q->message);
        if (o && q->pos >= 0)
            json_object_set_new(o, "position", json_integer(q->pos));
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return ZF_ENOMEM;
        }
    }
    if (!arr)
        return ZF_ENOMEM;
    *out = arr;
    return 0;
}

int zf_problems_to_error(zf_error *err, const zf_problems *p)
{
    if (p->oom)
        return zf_error_set(err, ZF_ENOMEM, "out of memory while validating input");
    zf_buf b = ZF_BUF_INIT(ZF_ERROR_MSG_MAX - 1);
    zf_buf_appendf(&b, "%zu problem%s in the input%s", p->count, p->count == 1 ? "" : "s",
                   p->truncated ? " (more not shown)" : "");
    for (size_t i = 0; i < p->count && !b.failed; i++)
        zf_buf_appendf(&b, "; %s: %s", p->items[i].path, p->items[i].message);
    /* a full buffer keeps what fitted: the first problems are the summary */
    zf_error_set(err, ZF_EVALIDATION, "%s", b.ptr ? b.ptr : "invalid input");
    zf_error_hint_id(err, ZF_HINT_SEE_ACTION_HELP,
                     "fix every field listed (all problems are "
                     "reported at once); the action's input description gives the fields and "
                     "their rules");
    zf_buf_free(&b);
    return ZF_EVALIDATION;
}

/* ---- paths -------------------------------------------------------------- */

static char *path_join(const char *parent, const char *name)
{
    zf_buf b = ZF_BUF_INIT(PROBLEM_TEXT_MAX);
    if (parent && *parent)
        zf_buf_appendf(&b, "%s.%s", parent, name);
    else
        zf_buf_puts(&b, name);
    return zf_buf_take(&b);
}

static char *path_index(const char *parent, size_t i)
{
    zf_buf b = ZF_BUF_INIT(PROBLEM_TEXT_MAX);
    zf_buf_appendf(&b, "%s[%zu]", parent, i);
    return zf_buf_take(&b);
}

/* ---- formats ------------------------------------------------------------ */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}
static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* yyyy-MM-dd at s; returns 1 or 0 with *pos at the fault. */
static int date_ok(const char *s, long *pos)
{
    static const char shape[] = "dddd-dd-dd";
    for (int i = 0; i < 10; i++) {
        if ((shape[i] == 'd' && !is_digit(s[i])) || (shape[i] == '-' && s[i] != '-')) {
            *pos = i;
            return 0;
        }
    }
    int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
    if (m < 1 || m > 12) {
        *pos = 5;
        return 0;
    }
    if (d < 1 || d > days_in_month(y, m)) {
        *pos = 8;
        return 0;
    }
    return 1;
}

/* yyyy-MM-ddTHH:mm:ss + zone part per `zone`: 0 none/optional, 1 Z only. */
static int datetime_ok(const char *s, int z_only, long *pos)
{
    if (strlen(s) < 19) {
        *pos = (long)strlen(s);
        return 0;
    }
    if (!date_ok(s, pos))
        return 0;
    static const char shape[] = "Tdd:dd:dd";
    for (int i = 0; i < 9; i++) {
        char c = s[10 + i];
        if ((shape[i] == 'd' && !is_digit(c)) || (shape[i] != 'd' && c != shape[i])) {
            *pos = 10 + i;
            return 0;
        }
    }
    if (num(s + 11, 2) > 23 || num(s + 14, 2) > 59 || num(s + 17, 2) > 59) {
        *pos = 11;
        return 0;
    }
    const char *z = s + 19;
    if (z_only) {
        *pos = 19;
        return strcmp(z, "Z") == 0;
    }
    if (*z == '\0' || strcmp(z, "Z") == 0)
        return 1;
    if ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && digits(z + 1, 2) && z[3] == ':' &&
        digits(z + 4, 2) && num(z + 1, 2) <= 14 && num(z + 4, 2) <= 59)
        return 1;
    *pos = 19;
    return 0;
}

static int email_ok(const char *s, long *pos)
{
    const char *at = strchr(s, '@');
    for (const char *c = s; *c; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == ',' || *c == ';' || *c == '<' ||
            *c == '>' || (*c == '@' && c != at)) {
            *pos = c - s;
            return 0;
        }
    }
    if (!at || at == s) {
        *pos = at ? 0 : (long)strlen(s);
        return 0;
    }
    const char *dom = at + 1, *dot = strrchr(dom, '.');
    if (!*dom || !dot || dot == dom || dot[1] == '\0' || strstr(dom, "..") || *dom == '.') {
        *pos = dom - s;
        return 0;
    }
    return 1;
}

static int weekdays_ok(const char *s, long *pos)
{
    unsigned seen = 0;
    const char *c = s;
    for (;;) {
        if (*c < '1' || *c > '7' || (seen & (1u << (*c - '0')))) {
            *pos = c - s;
            return 0;
        }
        seen |= 1u << (*c - '0');
        c++;
        if (*c == '\0')
            return 1;
        if (*c != ',') {
            *pos = c - s;
            return 0;
        }
        c++;
    }
}

static int meeting_id_ok(const char *s, long *pos)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i])) {
            *pos = (long)i;
            return 0;
        }
    }
    *pos = n > 11 ? 11 : (long)n;
    return n >= 9 && n <= 11 && s[0] != '0';
}

static int uuid_ok(const char *s, long *pos)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '/' && c != '=') {
            *pos = (long)i;
            return 0;
        }
    }
    *pos = (long)n;
    return n >= 16 && n <= 64;
}

static int passcode_ok(const char *s, long *pos)
{
    for (const char *c = s; *c; c++) {
        if (*c <= ' ' || *c >= 0x7f) {
            *pos = c - s;
            return 0;
        }
    }
    return 1;
}

/* Zoom's default ("basic") user password rules (Users spec, userCreate). */
static int user_password_ok(const char *s, long *pos)
{
    int up = 0, low = 0, dig = 0, same = 1, inc = 1, dec = 1;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < ' ' || s[i] == 0x7f) {
            *pos = (long)i;
            return 0;
        }
        up |= is_upper(s[i]);
        low |= is_lower(s[i]);
        dig |= is_digit(s[i]);
        if (i > 0) {
            same &= s[i] == s[i - 1];
            inc &= s[i] == s[i - 1] + 1;
            dec &= s[i] == s[i - 1] - 1;
        }
    }
    *pos = -1;
    return up && low && dig && !(n > 1 && (same || inc || dec));
}

static int id_list_ok(const char *s, long *pos)
{
    const char *c = s;
    for (;;) {
        const char *start = c;
        while (is_digit(*c))
            c++;
        if (c == start || (*c != ',' && *c != '\0')) {
            *pos = c - s;
            return 0;
        }
        if (*c == '\0')
            return 1;
        c++;
    }
}

/* Zoom's occurrence ids are the occurrence's start in milliseconds since
 * 1970 (13 digits today); at most 19 digits keeps them an int64. */
static int occurrence_id_ok(const char *s, long *pos)
{
    size_t n = 0;
    while (is_digit(s[n]))
        n++;
    *pos = (long)(n > 19 ? 19 : n);
    return n >= 1 && n <= 19 && s[n] == '\0';
}

static int ci_prefix(const char *s, const char *pre)
{
    for (; *pre; s++, pre++)
        if (!*s || (*s | 0x20) != (*pre | 0x20))
            return 0;
    return 1;
}

/* A dot segment, plain or percent-encoded, between slashes at s. */
static int dot_dot_at(const char *s, size_t *len)
{
    size_t i = 0, dots = 0;
    while (s[i] && s[i] != '/') {
        if (s[i] == '.') {
            i++;
            dots++;
        } else if (ci_prefix(s + i, "%2e")) {
            i += 3;
            dots++;
        } else {
            *len = i;
            return 0;
        }
    }
    *len = i;
    return dots == 2 || dots == 1;
}

static int api_path_ok(const char *s, long *pos)
{
    if (s[0] != '/' || s[1] == '/') {
        *pos = s[0] == '/' ? 1 : 0;
        return 0;
    }
    if (strcmp(s, "/v2") == 0 || strncmp(s, "/v2/", 4) == 0) {
        *pos = 0;
        return 0;
    }
    for (const char *c = s; *c; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == '?' || *c == '#' || *c == '\\' ||
            ci_prefix(c, "%00")) {
            *pos = c - s;
            return 0;
        }
        size_t len;
        if (*c == '/' && dot_dot_at(c + 1, &len)) {
            *pos = c + 1 - s;
            return 0;
        }
    }
    return 1;
}

int zf_actions__timezone_known(const char *zone)
{
    const char *const *z = zf_schema_timezones();
    size_t lo = 0, hi = zf_actions__timezone_count();
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(zone, z[mid]);
        if (c == 0)
            return 1;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

int zf_schema_format_ok(zf_format fmt, const char *s, long *pos)
{
    *pos = -1;
    switch (fmt) {
    case ZF_FMT_NONE:
        return 1;
    case ZF_FMT_EMAIL:
        return email_ok(s, pos);
    case ZF_FMT_DATE:
        if (strlen(s) != 10) {
            *pos = strlen(s) < 10 ? (long)strlen(s) : 10;
            return 0;
        }
        return date_ok(s, pos);
    case ZF_FMT_ZOOM_DATETIME:
        return datetime_ok(s, 0, pos);
    case ZF_FMT_UTC_DATETIME:
        return datetime_ok(s, 1, pos);
    case ZF_FMT_TIMEZONE:
        return zf_actions__timezone_known(s);
    case ZF_FMT_MEETING_ID:
        return meeting_id_ok(s, pos);
    case ZF_FMT_MEETING_ID_UUID: {
        const char *c = s;
        while (is_digit(*c))
            c++;
        return (*c == '\0' && c != s) ? meeting_id_ok(s, pos) : uuid_ok(s, pos);
    }
    case ZF_FMT_USER_ID:
        if (strchr(s, '@'))
            return email_ok(s, pos);
        for (const char *c = s; *c; c++) {
            if (!is_alpha(*c) && !is_digit(*c) && *c != '-' && *c != '_') {
                *pos = c - s;
                return 0;
            }
        }
        return *s != '\0';
    case ZF_FMT_WEEKDAYS:
        return weekdays_ok(s, pos);
    case ZF_FMT_COUNTRY:
        *pos = !is_upper(s[0]) ? 0 : !is_upper(s[1]) ? 1 : 2;
        return is_upper(s[0]) && is_upper(s[1]) && s[2] == '\0';
    case ZF_FMT_PASSCODE:
        return passcode_ok(s, pos);
    case ZF_FMT_USER_PASSWORD:
        return user_password_ok(s, pos);
    case ZF_FMT_ID_LIST:
        return id_list_ok(s, pos);
    case ZF_FMT_API_PATH:
        return api_path_ok(s, pos);
    case ZF_FMT_OCCURRENCE_ID:
        return occurrence_id_ok(s, pos);
    }
    return 0;
}

/* What each format expects, for the problem message and the docs. */
static const struct {
    zf_format fmt;
    const char *name;
    const char *expect;
} formats[] = {
    {ZF_FMT_NONE, NULL, NULL},
    {ZF_FMT_EMAIL, "email", "an email address like name@example.com"},
    {ZF_FMT_DATE, "date", "a date as yyyy-MM-dd, e.g. 2026-05-01"},
    {ZF_FMT_ZOOM_DATETIME, "zoom-date-time",
     "yyyy-MM-ddTHH:mm:ss (local time in `timezone`) or yyyy-MM-ddTHH:mm:ssZ (UTC)"},
    {ZF_FMT_UTC_DATETIME, "date-time", "a UTC time as yyyy-MM-ddTHH:mm:ssZ"},
    {ZF_FMT_TIMEZONE, "zoom-timezone", "a time-zone id such as America/New_York or UTC"},
    {ZF_FMT_MEETING_ID, "zoom-meeting-id", "a meeting id: 9 to 11 digits, e.g. 85746065432"},
    {ZF_FMT_MEETING_ID_UUID, "zoom-meeting-id-or-uuid",
     "a meeting id (9 to 11 digits) or a meeting UUID such as atsXxhSEQWit9t+U02HXNQ=="},
    {ZF_FMT_USER_ID, "zoom-user-id", "\"me\", the user's email, or the user's Zoom id"},
    {ZF_FMT_WEEKDAYS, "zoom-weekdays",
     "days 1 (Sunday) to 7 (Saturday), comma-separated, e.g. \"2,4\""},
    {ZF_FMT_COUNTRY, "iso3166-alpha2", "a two-letter upper-case country code such as US"},
    {ZF_FMT_PASSCODE, "zoom-passcode", "letters, digits and symbols such as !@#, no spaces"},
    {ZF_FMT_USER_PASSWORD, "password",
     "upper- and lower-case letters and a digit, not one repeated character, "
     "not a consecutive run like 12345678 or abcdefgh"},
    {ZF_FMT_ID_LIST, "zoom-id-list",
     "comma-separated numeric ids, e.g. 1648194360000,1648367160000"},
    {ZF_FMT_API_PATH, "zoom-api-path",
     "a path relative to /v2 starting with one '/', e.g. /users/me, without '?', '#', "
     "'\\', '.' or '..' segments (also percent-encoded) or control characters"},
    {ZF_FMT_OCCURRENCE_ID, "zoom-occurrence-id",
     "one occurrence id: digits, e.g. 1648194360000 (the occurrence's start in ms)"},
};

const char *zf_schema_format_name(zf_format fmt)
{
    for (size_t i = 0; i < ZF_NELEM(formats); i++)
        if (formats[i].fmt == fmt)
            return formats[i].name;
    return NULL;
}

const char *zf_schema_format_text(zf_format fmt)
{
    for (size_t i = 0; i < ZF_NELEM(formats); i++)
        if (formats[i].fmt == fmt)
            return formats[i].expect;
    return "";
}

/* ---- checking ------------------------------------------------------------ */

static unsigned json_type_bit(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return ZF_T_STRING;
    case JSON_INTEGER:
        return ZF_T_INTEGER;
    case JSON_TRUE:
    case JSON_FALSE:
        return ZF_T_BOOLEAN;
    case JSON_OBJECT:
        return ZF_T_OBJECT;
    case JSON_ARRAY:
        return ZF_T_ARRAY;
    default:
        return 0;
    }
}

static void types_text(zf_buf *b, unsigned types)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{ZF_T_STRING, "a string"},
                 {ZF_T_INTEGER, "an integer"},
                 {ZF_T_BOOLEAN, "true or false (or yes/no, 1/0)"},
                 {ZF_T_OBJECT, "an object"},
                 {ZF_T_ARRAY, "an array"}};
    int first = 1;
    for (size_t i = 0; i < ZF_NELEM(names); i++) {
        if (types & names[i].bit) {
            zf_buf_appendf(b, "%s%s", first ? "" : " or ", names[i].name);
            first = 0;
        }
    }
}

static size_t utf8_chars(const char *s, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static void check_string_enum(zf_problems *p, const zf_field *f, const char *path, const json_t *v,
                              const char *s)
{
    for (const char *const *e = f->enum_str; *e; e++)
        if (strcmp(*e, s) == 0)
            return;
    zf_buf b = ZF_BUF_INIT(PROBLEM_TEXT_MAX);
    for (const char *const *e = f->enum_str; *e; e++)
        zf_buf_appendf(&b, "%s\"%s\"", e == f->enum_str ? "" : ", ", *e);
    faultx(p, f, path, "enum", v, -1, "must be one of %s", b.ptr ? b.ptr : "");
    zf_buf_free(&b);
}

static void check_format(zf_problems *p, const zf_field *f, const char *path, const json_t *v,
                         const char *s)
{
    long pos;
    if (zf_schema_format_ok(f->format, s, &pos))
        return;
    if (f->format == ZF_FMT_API_PATH && (strcmp(s, "/v2") == 0 || strncmp(s, "/v2/", 4) == 0)) {
        faultx(p, f, path, "format", v, 0, "the path is relative to /v2: write \"%s\", not \"%s\"",
               s[3] ? s + 3 : "/", s);
        return;
    }
    if (pos >= 0)
        faultx(p, f, path, "format", v, pos, "must be %s (fault at character %ld)",
               zf_schema_format_text(f->format), pos + 1);
    else
        faultx(p, f, path, "format", v, -1, "must be %s", zf_schema_format_text(f->format));
}

/* 1 when s is valid UTF-8 holding no refused character; else a problem
 * naming the first bad one by code point and character position. */
static int check_chars(zf_problems *p, const zf_field *f, const char *path, const json_t *v,
                       const char *s, size_t bytes)
{
    int multiline = (f->flags & ZF_F_MULTILINE) != 0;
    long at = 0;
    for (size_t i = 0; i < bytes; at++) {
        uint32_t c;
        size_t len = utf8_next((const unsigned char *)s + i, bytes - i, &c);
        if (!len) {
            faultx(p, f, path, "characters", v, at,
                   "is not valid UTF-8 at character %ld "
                   "(byte %zu); save the text as UTF-8",
                   at + 1, i + 1);
            return 0;
        }
        const char *what = refused_char(c, multiline);
        if (what) {
            int line_break = c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
            faultx(p, f, path, "characters", v, at,
                   "contains U+%04X (%s) at character %ld; "
                   "%s",
                   (unsigned)c, what, at + 1,
                   line_break ? "this field is one line: remove the line break"
                              : "control and bidirectional-formatting characters change how "
                                "the text displays: remove it");
            return 0;
        }
        i += len;
    }
    return 1;
}

static void check_string(zf_problems *p, const zf_field *f, const char *path, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t bytes = json_string_length(v);
    if (strlen(s) != bytes) {
        faultx(p, f, path, "format", v, (long)strlen(s), "must not contain NUL characters");
        return;
    }
    /* a format or enum has its own, more precise words for a stray byte */
    size_t before = p->count;
    int grammar = f->enum_str || f->format != ZF_FMT_NONE;
    if (!grammar)
        check_chars(p, f, path, v, s, bytes);
    size_t n = utf8_chars(s, bytes);
    if (f->max_len > 0 && n > (size_t)f->max_len)
        faultx(p, f, path, "maxLength", v, f->max_len,
               "is %zu characters long; at most %d are allowed", n, f->max_len);
    if (f->min_len > 0 && n < (size_t)f->min_len)
        faultx(p, f, path, "minLength", v, -1, "is %zu characters long; at least %d are required",
               n, f->min_len);
    if (f->enum_str)
        check_string_enum(p, f, path, v, s);
    if (f->format != ZF_FMT_NONE)
        check_format(p, f, path, v, s);
    if (grammar && p->count == before)
        check_chars(p, f, path, v, s, bytes);
}

static void check_integer(zf_problems *p, const zf_field *f, const char *path, const json_t *v)
{
    json_int_t n = json_integer_value(v);
    if (f->n_enum_int) {
        size_t i = 0;
        while (i < f->n_enum_int && f->enum_int[i] != n)
            i++;
        if (i == f->n_enum_int) {
            zf_buf b = ZF_BUF_INIT(PROBLEM_TEXT_MAX);
            for (i = 0; i < f->n_enum_int; i++)
                zf_buf_appendf(&b, "%s%lld", i ? ", " : "", (long long)f->enum_int[i]);
            faultx(p, f, path, "enum", v, -1, "must be one of %s", b.ptr ? b.ptr : "");
            zf_buf_free(&b);
        }
    }
    if ((f->flags & ZF_F_MIN) && n < f->min)
        faultx(p, f, path, "minimum", v, -1, "must be at least %lld", (long long)f->min);
    if ((f->flags & ZF_F_MAX) && n > f->max)
        faultx(p, f, path, "maximum", v, -1, "must be at most %lld", (long long)f->max);
    if (f->format != ZF_FMT_NONE) {
        char txt[32];
        snprintf(txt, sizeof txt, "%lld", (long long)n);
        long pos;
        if (!zf_schema_format_ok(f->format, txt, &pos))
            faultx(p, f, path, "format", v, -1, "must be %s", zf_schema_format_text(f->format));
    }
}

static void check_array(zf_problems *p, const zf_field *f, const char *path, const json_t *v)
{
    size_t n = json_array_size(v);
    if (f->max_items > 0 && n > (size_t)f->max_items)
        faultx(p, f, path, "maxItems", v, -1, "has %zu items; at most %d are allowed", n,
               f->max_items);
    if (!f->items)
        return;
    for (size_t i = 0; i < n; i++) {
        char *ip = path_index(path, i);
        if (!ip) {
            p->oom = 1;
            return;
        }
        zf_schema_check(p, f->items, ip, json_array_get(v, i));
        free(ip);
    }
}

void zf_schema_check(zf_problems *p, const zf_field *f, const char *path, const json_t *value)
{
    if (f->types & ZF_T_ANY)
        return;
    unsigned t = json_type_bit(value);
    if (!(t & f->types)) {
        zf_buf b = ZF_BUF_INIT(256);
        types_text(&b, f->types);
        fault(p, f, path, value, "must be %s", b.ptr ? b.ptr : "a value");
        zf_buf_free(&b);
        return;
    }
    switch (t) {
    case ZF_T_STRING:
        check_string(p, f, path, value);
        break;
    case ZF_T_INTEGER:
        check_integer(p, f, path, value);
        break;
    case ZF_T_OBJECT:
        if (f->fields)
            zf_schema_check_object(p, f->fields, path, value, (f->flags & ZF_F_OPEN) != 0);
        break;
    case ZF_T_ARRAY:
        check_array(p, f, path, value);
        break;
    default:
        break;
    }
}

static const zf_field *field_named(const zf_field *fields, const char *name)
{
    for (const zf_field *f = fields; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static void unknown_key(zf_problems *p, const zf_field *fields, const char *path, const char *key,
                        const json_t *v)
{
    zf_buf b = ZF_BUF_INIT(PROBLEM_TEXT_MAX);
    for (const zf_field *f = fields; f->name; f++)
        zf_buf_appendf(&b, "%s%s", f == fields ? "" : ", ", f->name);
    char *kp = path_join(path, key);
    zf_problems_add(p, kp ? kp : key, "unknown", v, -1,
                    "unknown field \"%s\"%s%s; known fields: %s", key, *path ? " in " : "", path,
                    b.ptr ? b.ptr : "");
    free(kp);
    zf_buf_free(&b);
}

void zf_schema_check_object(zf_problems *p, const zf_field *fields, const char *path,
                            const json_t *obj, int open)
{
    for (const zf_field *f = fields; f->name; f++) {
        json_t *v = json_object_get(obj, f->name);
        char *fp = path_join(path, f->name);
        if (!fp) {
            p->oom = 1;
            return;
        }
        if (v && !json_is_null(v))
            zf_schema_check(p, f, fp, v);
        else if (f->flags & ZF_F_REQUIRED)
            zf_problems_add(p, fp, "required", NULL, -1, "is required: %s", f->summary);
        free(fp);
    }
    if (open)
        return;
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)obj, key, v) {
        if (!field_named(fields, key))
            unknown_key(p, fields, path, key, v);
    }
}

/* ---- JSON Schema ---------------------------------------------------------- */

static json_t *types_json(unsigned types)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{ZF_T_INTEGER, "integer"},
                 {ZF_T_STRING, "string"},
                 {ZF_T_BOOLEAN, "boolean"},
                 {ZF_T_OBJECT, "object"},
                 {ZF_T_ARRAY, "array"}};
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < ZF_NELEM(names); i++)
        if (types & names[i].bit)
            json_array_append_new(arr, json_string(names[i].name));
    if (arr && json_array_size(arr) == 1) {
        json_t *one = json_incref(json_array_get(arr, 0));
        json_decref(arr);
        return one;
    }
    return arr;
}

static json_t *diff_json(unsigned diff)
{
    static const struct {
        unsigned bit;
        const char *kw;
    } kws[] = {{ZF_DIFF_ENUM, "enum"},         {ZF_DIFF_MIN, "minimum"},
               {ZF_DIFF_MAX, "maximum"},       {ZF_DIFF_MINLEN, "minLength"},
               {ZF_DIFF_MAXLEN, "maxLength"},  {ZF_DIFF_REQUIRED, "required"},
               {ZF_DIFF_MAXITEMS, "maxItems"}, {ZF_DIFF_TYPE, "type"}};
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < ZF_NELEM(kws); i++)
        if (diff & kws[i].bit)
            json_array_append_new(arr, json_string(kws[i].kw));
    return arr;
}

static int object_json(json_t *o, const zf_field *fields, int open)
{
    json_t *props = json_object(), *req = json_array();
    if (!props || !req)
        goto fail;
    for (const zf_field *f = fields; f->name; f++) {
        json_t *fs;
        if (zf_schema_field_json(&fs, f) != 0)
            goto fail;
        json_object_set_new(props, f->name, fs);
        if (f->flags & ZF_F_REQUIRED)
            json_array_append_new(req, json_string(f->name));
    }
    json_object_set_new(o, "properties", props);
    if (json_array_size(req))
        json_object_set_new(o, "required", req);
    else
        json_decref(req);
    json_object_set_new(o, "additionalProperties", json_boolean(open));
    return 0;
fail:
    json_decref(props);
    json_decref(req);
    return ZF_ENOMEM;
}

static void enum_json(json_t *o, const zf_field *f)
{
    json_t *e = json_array();
    if (f->enum_str)
        for (const char *const *s = f->enum_str; *s; s++)
            json_array_append_new(e, json_string(*s));
    for (size_t i = 0; i < f->n_enum_int; i++)
        json_array_append_new(e, json_integer(f->enum_int[i]));
    json_object_set_new(o, "enum", e);
}

static void scalar_keywords(json_t *o, const zf_field *f)
{
    if (f->min_len > 0)
        json_object_set_new(o, "minLength", json_integer(f->min_len));
    if (f->max_len > 0)
        json_object_set_new(o, "maxLength", json_integer(f->max_len));
    if (f->flags & ZF_F_MIN)
        json_object_set_new(o, "minimum", json_integer(f->min));
    if (f->flags & ZF_F_MAX)
        json_object_set_new(o, "maximum", json_integer(f->max));
    if (f->enum_str || f->n_enum_int)
        enum_json(o, f);
    const char *fmt = zf_schema_format_name(f->format);
    if (fmt)
        json_object_set_new(o, "format", json_string(fmt));
    if (f->max_items > 0)
        json_object_set_new(o, "maxItems", json_integer(f->max_items));
    if (f->default_json)
        json_object_set_new(o, "default", json_loads(f->default_json, JSON_DECODE_ANY, NULL));
    if (f->flags & ZF_F_SECRET)
        json_object_set_new(o, "writeOnly", json_true());
}

int zf_schema_field_json(json_t **out, const zf_field *f)
{
    static const char *const where[] = {"body", "path", "query", "local"};
    *out = NULL;
    json_t *o = json_object();
    if (!o)
        return ZF_ENOMEM;
    if (!(f->types & ZF_T_ANY))
        json_object_set_new(o, "type", types_json(f->types));
    json_object_set_new(o, "description", json_string(f->summary));
    scalar_keywords(o, f);
    if (f->in != ZF_IN_BODY)
        json_object_set_new(o, "x-zoom-in", json_string(where[f->in]));
    if (f->wire)
        json_object_set_new(o, "x-zoom-name", json_string(f->wire));
    if (f->spec_diff) {
        json_object_set_new(o, "x-zoomflow-differs-from-zoom", diff_json(f->spec_diff));
        json_object_set_new(o, "$comment", json_string(f->spec_note));
    }
    if (f->fields && object_json(o, f->fields, (f->flags & ZF_F_OPEN) != 0) != 0)
        goto fail;
    if (f->items) {
        json_t *it;
        if (zf_schema_field_json(&it, f->items) != 0)
            goto fail;
        json_object_set_new(o, "items", it);
    }
    *out = o;
    return 0;
fail:
    json_decref(o);
    return ZF_ENOMEM;
}

int zf_action_schema_json(json_t **out, const zf_action *a)
{
    *out = NULL;
    json_t *o = json_object();
    if (!o)
        return ZF_ENOMEM;
    zf_buf id = ZF_BUF_INIT(256);
    zf_buf_appendf(&id, "urn:zoomflow:action:%s", a->name);
    json_object_set_new(o, "$schema", json_string("https://json-schema.org/draft/2020-12/schema"));
    json_object_set_new(o, "$id", json_string(id.ptr ? id.ptr : a->name));
    json_object_set_new(o, "title", json_string(a->name));
    json_object_set_new(o, "description", json_string(a->summary));
    json_object_set_new(o, "type", json_string("object"));
    zf_buf_free(&id);
    if (object_json(o, a->input, 0) != 0) {
        json_decref(o);
        return ZF_ENOMEM;
    }
    if (a->rules) {
        zf_buf r = ZF_BUF_INIT(PROBLEM_TEXT_MAX);
        for (const char *const *s = a->rules; *s; s++)
            zf_buf_appendf(&r, "%s%s", s == a->rules ? "Also checked: " : " ", *s);
        json_object_set_new(o, "$comment", json_string(r.ptr ? r.ptr : ""));
        zf_buf_free(&r);
    }
    json_t *req = json_object();
    if (a->method)
        json_object_set_new(req, "method", json_string(a->method));
    if (a->path)
        json_object_set_new(req, "path", json_string(a->path));
    if (a->scope)
        json_object_set_new(req, "scope", json_string(a->scope));
    if (a->items_key)
        json_object_set_new(req, "items_key", json_string(a->items_key));
    json_object_set_new(req, "item_type", json_string(a->item_type));
    json_object_set_new(o, "x-zoomflow-action", req);
    *out = o;
    return 0;
}
