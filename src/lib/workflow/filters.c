/*
 * The template filters: one row each (name, arguments, summary, function),
 * which the compiler checks names and argument counts against and
 * docs/workflows.md lists. Date filters work on ISO 8601 text:
 * "2026-03-09" (a date), "2026-03-09T09:00:00" (a wall time),
 * "2026-03-09T13:00:00Z" or "...-04:00" (an instant); zone arithmetic
 * goes through zone.c (the tz database, never the TZ variable).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "suggest.h"
#include "template_internal.h"
#include "text.h"
#include "workflow_internal.h"
#include "zoomflow/buf.h"

#define DAY 86400
#define DATE_TEXT_MAX 4096 /* bytes of date()'s text */

typedef int (*filter_fn)(wf_val *, wf_val *, json_t *const *, size_t, char *, size_t);

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
refuse(char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    return ZF_EVALIDATION;
}

static int give(wf_val *out, wf_val *in, json_t *v)
{
    json_decref(in->v);
    in->v = NULL;
    out->v = v;
    return v ? 0 : ZF_ENOMEM;
}

static const char *tname(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "a list";
    case JSON_STRING:
        return "text";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

static int need_string(const wf_val *in, char *msg, size_t cap)
{
    if (json_is_string(in->v))
        return 0;
    return refuse(msg, cap, "needs text, got %s", tname(in->v));
}

static int f_default(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    if (in->v && !json_is_null(in->v)) {
        *out = *in;
        in->v = NULL;
        return 0;
    }
    return give(out, in, json_incref(a[0]));
}

static int map_chars(wf_val *out, wf_val *in, char *msg, size_t cap, int upper)
{
    if (need_string(in, msg, cap))
        return ZF_EVALIDATION;
    char *s = strdup(json_string_value(in->v));
    if (!s)
        return ZF_ENOMEM;
    for (char *c = s; *c; c++)
        *c = (char)(upper ? toupper((unsigned char)*c) : tolower((unsigned char)*c));
    int rc = give(out, in, json_string(s));
    free(s);
    return rc;
}

static int f_lower(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    return map_chars(out, in, msg, cap, 0);
}

static int f_upper(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    return map_chars(out, in, msg, cap, 1);
}

static int f_trim(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    if (need_string(in, msg, cap))
        return ZF_EVALIDATION;
    const char *s = json_string_value(in->v);
    size_t len = json_string_length(in->v), b = 0;
    while (b < len && isspace((unsigned char)s[b]))
        b++;
    while (len > b && isspace((unsigned char)s[len - 1]))
        len--;
    return give(out, in, json_stringn(s + b, len - b));
}

static int f_json(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    char *s = json_dumps(in->v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    if (!s)
        return ZF_ENOMEM;
    int rc = give(out, in, json_string(s));
    free(s);
    return rc;
}

static int f_join(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    if (!json_is_array(in->v))
        return refuse(msg, cap, "needs a list, got %s", tname(in->v));
    const char *sep = n ? json_string_value(a[0]) : ",";
    if (!sep)
        return refuse(msg, cap, "the separator must be text");
    zf_buf b = ZF_BUF_INIT(ZF_WF_RENDER_MAX);
    size_t i, need = 0; /* the bytes the text would take: past the cap, or memory */
    json_t *x;
    json_array_foreach (in->v, i, x) {
        if (json_is_object(x) || json_is_array(x)) {
            zf_buf_free(&b);
            return refuse(msg, cap, "joins text and numbers, not %s", tname(x));
        }
        if (i) {
            zf_buf_puts(&b, sep);
            need += strlen(sep);
        }
        if (json_is_string(x)) {
            zf_buf_puts(&b, json_string_value(x));
            need += json_string_length(x);
        } else if (!json_is_null(x)) {
            char *s = json_dumps(x, JSON_ENCODE_ANY);
            if (!s) {
                zf_buf_free(&b);
                return ZF_ENOMEM;
            }
            zf_buf_puts(&b, s);
            need += strlen(s);
            free(s);
        }
    }
    if (b.failed && need <= ZF_WF_RENDER_MAX) {
        zf_buf_free(&b);
        return ZF_ENOMEM;
    }
    if (b.failed) {
        zf_buf_free(&b);
        return refuse(msg, cap, "the joined text is larger than 1 MiB");
    }
    int rc = give(out, in, json_stringn(b.ptr ? b.ptr : "", b.len));
    zf_buf_free(&b);
    return rc;
}

static int f_length(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    size_t len;
    if (json_is_string(in->v)) {
        len = 0; /* characters, not bytes */
        for (const unsigned char *s = (const unsigned char *)json_string_value(in->v); *s; s++)
            len += (*s & 0xC0) != 0x80;
    } else if (json_is_array(in->v))
        len = json_array_size(in->v);
    else if (json_is_object(in->v))
        len = json_object_size(in->v);
    else
        return refuse(msg, cap, "needs text, a list or an object, got %s", tname(in->v));
    return give(out, in, json_integer((json_int_t)len));
}

static int f_int(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    if (json_is_integer(in->v)) {
        *out = *in;
        in->v = NULL;
        return 0;
    }
    const char *s = json_string_value(in->v);
    if (!s)
        return refuse(msg, cap, "needs digits or a number, got %s", tname(in->v));
    int64_t v;
    if (zf_parse_i64(s, -999999999999999999LL, 999999999999999999LL, &v) != 0)
        return refuse(msg, cap, "\"%s\" is not a whole number of at most 18 digits", s);
    return give(out, in, json_integer(v));
}

static int f_string(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    if (json_is_string(in->v)) {
        *out = *in;
        in->v = NULL;
        return 0;
    }
    if (json_is_object(in->v) || json_is_array(in->v))
        return refuse(msg, cap, "turns a scalar into text, not %s (use json)", tname(in->v));
    if (json_is_null(in->v))
        return give(out, in, json_string(""));
    char *s = json_dumps(in->v, JSON_ENCODE_ANY);
    int rc = s ? give(out, in, json_string(s)) : ZF_ENOMEM;
    free(s);
    return rc;
}

/* ---- dates ---------------------------------------------------------------- */

typedef struct dt {
    int64_t days;
    int32_t secs;
    int has_time;
    int zone; /* 0 none (a wall time), 1 Z, 2 an offset */
    int32_t off;
} dt;

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int parse_dt(const char *s, dt *t)
{
    memset(t, 0, sizeof *t);
    int y, m, d, hh = 0, mm = 0, ss = 0;
    if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
        digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 ||
        d > zf_wf__days_in_month(y, (unsigned)m))
        return -1;
    t->days = zf_days_from_civil(y, (unsigned)m, (unsigned)d);
    s += 10;
    if (!*s)
        return 0;
    if ((*s != 'T' && *s != ' ') || digits(s + 1, 2, &hh) || s[3] != ':' || digits(s + 4, 2, &mm) ||
        hh > 23 || mm > 59)
        return -1;
    s += 6;
    if (*s == ':') {
        if (digits(s + 1, 2, &ss) || ss > 59)
            return -1;
        s += 3;
        if (*s == '.')
            for (s++; *s >= '0' && *s <= '9'; s++)
                ;
    }
    t->has_time = 1;
    t->secs = hh * 3600 + mm * 60 + ss;
    if (*s == 'Z' && !s[1]) {
        t->zone = 1;
        return 0;
    }
    if (*s == '+' || *s == '-') {
        int oh, om;
        const char *o = s + 1;
        if (digits(o, 2, &oh) || oh > 23)
            return -1;
        o += 2;
        if (*o == ':')
            o++;
        if (digits(o, 2, &om) || om > 59 || o[2])
            return -1;
        t->zone = 2;
        t->off = (oh * 3600 + om * 60) * (*s == '-' ? -1 : 1);
        return 0;
    }
    return *s ? -1 : 0;
}

static int64_t instant_of(const dt *t)
{
    return t->days * DAY + t->secs - t->off;
}

/* The instant t shown in the offset off (zone 2) or as Z (zone 1). */
static dt at_offset(int64_t t, int zone, int32_t off)
{
    int64_t w = t + (zone == 2 ? off : 0);
    int64_t days = w >= 0 ? w / DAY : -((-w + DAY - 1) / DAY);
    dt r = {.days = days,
            .secs = (int32_t)(w - days * DAY),
            .has_time = 1,
            .zone = zone,
            .off = zone == 2 ? off : 0};
    return r;
}

static void fmt_offset(char *out, size_t cap, const dt *t)
{
    /* |off| < 24 h: at most "+23:59" */
    if (t->zone == 1)
        snprintf(out, cap, "Z");
    else if (t->zone == 2) {
        int32_t o = t->off < 0 ? -t->off : t->off;
        snprintf(out, cap, "%c%02d:%02d", t->off < 0 ? '-' : '+', (int)(o / 3600 % 24),
                 (int)(o % 3600 / 60));
    } else
        out[0] = '\0';
}

/* NULL when memory ran out; the caller checked the year (dt_year_ok). */
static json_t *dt_json(const dt *t)
{
    int64_t y;
    unsigned m, d;
    zf_civil_from_days(t->days, &y, &m, &d);
    char buf[64], off[16];
    if (!t->has_time) {
        snprintf(buf, sizeof buf, "%04d-%02u-%02u", (int)y, m, d);
        return json_string(buf);
    }
    fmt_offset(off, sizeof off, t);
    snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%s", (int)y, m, d,
             (int)(t->secs / 3600), (int)(t->secs % 3600 / 60), (int)(t->secs % 60), off);
    return json_string(buf);
}

static int need_dt(const wf_val *in, dt *t, char *msg, size_t cap)
{
    const char *s = json_string_value(in->v);
    if (!s)
        return refuse(msg, cap, "needs a date as text (2026-03-09), got %s", tname(in->v));
    if (parse_dt(s, t))
        return refuse(msg, cap,
                      "\"%s\" is not a date (yyyy-MM-dd) or time (yyyy-MM-ddTHH:mm:ss, "
                      "optionally with Z or an offset)",
                      s);
    return 0;
}

static int give_dt(wf_val *out, wf_val *in, const dt *t, char *msg, size_t cap)
{
    int64_t y;
    unsigned m, d;
    zf_civil_from_days(t->days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return refuse(msg, cap, "the date falls outside the years 0000-9999");
    return give(out, in, dt_json(t)); /* NULL: ZF_ENOMEM */
}

static int need_int(json_t *a, int64_t lim, int64_t *n, char *msg, size_t cap)
{
    if (!json_is_integer(a) || json_integer_value(a) > lim || json_integer_value(a) < -lim)
        return refuse(msg, cap, "the amount must be a whole number within range");
    *n = json_integer_value(a);
    return 0;
}

static int add_secs(wf_val *out, wf_val *in, json_t *a, int64_t unit, char *msg, size_t cap)
{
    dt t;
    int64_t n = 0;
    if (need_dt(in, &t, msg, cap) || need_int(a, 3660000, &n, msg, cap))
        return ZF_EVALIDATION;
    if (unit == DAY && !t.has_time) {
        t.days += n;
        return give_dt(out, in, &t, msg, cap);
    }
    if (!t.has_time)
        return refuse(msg, cap, "adds hours and minutes to a time, not to a date");
    dt r = at_offset(instant_of(&t) + n * unit, t.zone ? t.zone : 2, t.off);
    r.zone = t.zone;
    return give_dt(out, in, &r, msg, cap);
}

static int f_add_days(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    return add_secs(out, in, a[0], DAY, msg, cap);
}

static int f_add_hours(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    return add_secs(out, in, a[0], 3600, msg, cap);
}

static int f_add_minutes(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    return add_secs(out, in, a[0], 60, msg, cap);
}

static int open_zone(zf_wf__zone *z, json_t *name, char *msg, size_t cap)
{
    zf_error err = ZF_ERROR_INIT;
    if (!json_is_string(name))
        return refuse(msg, cap, "the time zone must be text (America/New_York)");
    int rc = zf_wf__zone_open(z, json_string_value(name), &err);
    if (rc == ZF_ENOMEM)
        return rc;
    if (rc != 0) {
        snprintf(msg, cap, "%s", err.message);
        return ZF_EVALIDATION;
    }
    return 0;
}

/* date | at("09:00", zone): that wall time on that date in the zone, as an
 * instant with the zone's offset then. */
static int f_at(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    dt t;
    if (need_dt(in, &t, msg, cap))
        return ZF_EVALIDATION;
    const char *hm = json_string_value(a[0]);
    int hh, mm, ss = 0;
    if (!hm)
        return refuse(msg, cap, "the time must be text (\"HH:mm\" or \"HH:mm:ss\")");
    if (strlen(hm) < 5 || digits(hm, 2, &hh) || hm[2] != ':' || digits(hm + 3, 2, &mm) || hh > 23 ||
        mm > 59 || (hm[5] && (hm[5] != ':' || digits(hm + 6, 2, &ss) || ss > 59 || hm[8])))
        return refuse(msg, cap, "the time \"%s\" is not HH:mm or HH:mm:ss", hm);
    zf_wf__zone z;
    int zrc = open_zone(&z, a[1], msg, cap);
    if (zrc)
        return zrc;
    int64_t wall = t.days * DAY + hh * 3600 + mm * 60 + ss, inst;
    int kind;
    int32_t off = 0;
    int rc = zf_wf__zone_resolve(&z, wall, &inst, &kind, NULL);
    if (rc == 0)
        rc = zf_wf__zone_offset(&z, inst, &off);
    zf_wf__zone_close(&z);
    if (rc)
        return refuse(msg, cap, "the time zone's file is damaged");
    dt r = at_offset(inst, 2, off);
    return give_dt(out, in, &r, msg, cap);
}

static int f_in_zone(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    dt t;
    if (need_dt(in, &t, msg, cap))
        return ZF_EVALIDATION;
    if (!t.has_time || !t.zone)
        return refuse(msg, cap,
                      "needs an instant (a time with Z or an offset); for a date or a "
                      "wall time use at(TIME, ZONE)");
    zf_wf__zone z;
    int zrc = open_zone(&z, a[0], msg, cap);
    if (zrc)
        return zrc;
    int32_t off;
    int rc = zf_wf__zone_offset(&z, instant_of(&t), &off);
    zf_wf__zone_close(&z);
    if (rc)
        return refuse(msg, cap, "the time zone's file is damaged");
    dt r = at_offset(instant_of(&t), 2, off);
    return give_dt(out, in, &r, msg, cap);
}

static int f_utc(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    dt t;
    if (need_dt(in, &t, msg, cap))
        return ZF_EVALIDATION;
    if (!t.has_time || !t.zone)
        return refuse(msg, cap, "needs an instant (a time with Z or an offset)");
    dt r = at_offset(instant_of(&t), 1, 0);
    return give_dt(out, in, &r, msg, cap);
}

static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const day_names[] = {"Thursday", "Friday",  "Saturday", "Sunday",
                                        "Monday",   "Tuesday", "Wednesday"};

static int f_date(wf_val *out, wf_val *in, json_t *const *a, size_t n, char *msg, size_t cap)
{
    dt t;
    if (need_dt(in, &t, msg, cap))
        return ZF_EVALIDATION;
    const char *f = n ? json_string_value(a[0]) : "%Y-%m-%d";
    if (!f)
        return refuse(msg, cap, "the format must be text");
    int64_t y;
    unsigned m, d;
    zf_civil_from_days(t.days, &y, &m, &d);
    int64_t wd = ((t.days % 7) + 7) % 7; /* 1970-01-01 was a Thursday */
    zf_buf b = ZF_BUF_INIT(DATE_TEXT_MAX);
    for (; *f; f++) {
        if (*f != '%' || !f[1]) {
            zf_buf_putc(&b, *f);
            continue;
        }
        char off[16];
        switch (*++f) {
        case 'Y':
            zf_buf_appendf(&b, "%04d", (int)y);
            break;
        case 'm':
            zf_buf_appendf(&b, "%02u", m);
            break;
        case 'd':
            zf_buf_appendf(&b, "%02u", d);
            break;
        case 'e':
            zf_buf_appendf(&b, "%u", d);
            break;
        case 'H':
            zf_buf_appendf(&b, "%02d", (int)(t.secs / 3600));
            break;
        case 'I':
            zf_buf_appendf(&b, "%02d", (int)((t.secs / 3600 + 11) % 12 + 1));
            break;
        case 'p':
            zf_buf_puts(&b, t.secs < 43200 ? "AM" : "PM");
            break;
        case 'M':
            zf_buf_appendf(&b, "%02d", (int)(t.secs % 3600 / 60));
            break;
        case 'S':
            zf_buf_appendf(&b, "%02d", (int)(t.secs % 60));
            break;
        case 'B':
            zf_buf_puts(&b, month_names[m - 1]);
            break;
        case 'b':
            zf_buf_append(&b, month_names[m - 1], 3);
            break;
        case 'A':
            zf_buf_puts(&b, day_names[wd]);
            break;
        case 'a':
            zf_buf_append(&b, day_names[wd], 3);
            break;
        case 'z':
            fmt_offset(off, sizeof off, &t);
            zf_buf_puts(&b, off);
            break;
        case '%':
            zf_buf_putc(&b, '%');
            break;
        default: {
            char c[2] = {*f, 0};
            zf_buf_free(&b);
            return refuse(msg, cap, "%%%s is not a date format directive (see docs/workflows.md)",
                          c);
        }
        }
    }
    if (b.failed) {
        /* the longest directive adds 9 bytes: a buffer that failed short of
         * the cap by more than that ran out of memory */
        int oom = b.len + 10 <= DATE_TEXT_MAX; /* 9 bytes and the NUL would fit */
        zf_buf_free(&b);
        return oom ? ZF_ENOMEM : refuse(msg, cap, "the formatted date is too long");
    }
    int rc = give(out, in, json_stringn(b.ptr ? b.ptr : "", b.len));
    zf_buf_free(&b);
    return rc;
}

#define ARGS0 "no arguments"
static const wf_filter_def filters[] = {
    {"default", 1, 1, "one argument (the value when missing or null)",
     "the value, or the argument when the value is missing or null", 1, f_default},
    {"lower", 0, 0, ARGS0, "text in lower case (ASCII letters)", 0, f_lower},
    {"upper", 0, 0, ARGS0, "text in upper case (ASCII letters)", 0, f_upper},
    {"trim", 0, 0, ARGS0, "text without leading and trailing white space", 0, f_trim},
    {"json", 0, 0, ARGS0, "any value as compact JSON text", 0, f_json},
    {"join", 0, 1, "at most one argument (the separator, default \",\")",
     "a list of text and numbers joined into one text", 0, f_join},
    {"length", 0, 0, ARGS0, "the characters of a text, items of a list or keys of an object", 0,
     f_length},
    {"int", 0, 0, ARGS0, "digits as a whole number (\"42\" -> 42)", 0, f_int},
    {"string", 0, 0, ARGS0, "a number or boolean as text (null -> \"\")", 0, f_string},
    {"date", 0, 1, "at most one argument (the format, default \"%Y-%m-%d\")",
     "a date or time formatted: %Y %m %d %e %H %I %p %M %S %B %b %A %a %z %%", 0, f_date},
    {"at", 2, 2, "two arguments (the time \"HH:mm\" and the zone)",
     "that wall time on the date in the zone, as yyyy-MM-ddTHH:mm:ss+hh:mm (a time a DST "
     "shift skips moves forward by the gap; a repeated one is its first occurrence)",
     0, f_at},
    {"in_zone", 1, 1, "one argument (the zone)", "an instant shown with the zone's offset then", 0,
     f_in_zone},
    {"utc", 0, 0, ARGS0, "an instant in UTC (...Z)", 0, f_utc},
    {"add_days", 1, 1, "one argument (the days, may be negative)",
     "a date plus days (calendar days); a time plus 24-hour days", 0, f_add_days},
    {"add_hours", 1, 1, "one argument (the hours, may be negative)", "a time plus hours", 0,
     f_add_hours},
    {"add_minutes", 1, 1, "one argument (the minutes, may be negative)", "a time plus minutes", 0,
     f_add_minutes},
};

#define NFILTERS (sizeof filters / sizeof filters[0])

const wf_filter_def *zf_wf__filter_find(const char *name)
{
    for (size_t i = 0; i < NFILTERS; i++)
        if (!strcmp(filters[i].name, name))
            return &filters[i];
    return NULL;
}

const char *zf_wf__filter_nearest(const char *name)
{
    zf_suggest s;
    zf_suggest_init(&s, name);
    for (size_t i = 0; i < NFILTERS; i++)
        zf_suggest_offer(&s, filters[i].name);
    return s.best;
}

int zf_wf_filter_doc_at(size_t i, zf_wf_filter_doc *out)
{
    if (i >= NFILTERS)
        return -1;
    *out = (zf_wf_filter_doc){filters[i].name, filters[i].args_text, filters[i].summary};
    return 0;
}
