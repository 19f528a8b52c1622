/*
 * Cron schedules (workflow.h): five fields parsed into bit sets, and the
 * next fire time found by walking local days and, on a matching day, its
 * matching wall times in order, each resolved to an instant in the zone
 * (zone.c). DST: a wall time in a gap fires at the shifted time; one in
 * an overlap fires once, at its first occurrence -- unless the hour field
 * is '*', when the schedule follows real time and fires in both.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "civil.h"
#include "workflow_internal.h"

#define DAY 86400
#define SEARCH_DAYS (366 * 8 + 2)

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

typedef struct field {
    const char *name;
    int lo, hi;
    const char *const *names; /* names[0] is value lo (months) or 0 (days) */
    int nnames;
} field;

static const field fields[5] = {{"minute", 0, 59, NULL, 0},
                                {"hour", 0, 23, NULL, 0},
                                {"day of month", 1, 31, NULL, 0},
                                {"month", 1, 12, months, 12},
                                {"day of week", 0, 7, days, 7}};

static int bad(int *col, int at, zf_error *err, const char *what, const field *f)
{
    *col = at + 1;
    zf_error_set(err, ZF_EVALIDATION, "%s%s%s (column %d)", what, f ? " in the " : "",
                 f ? f->name : "", at + 1);
    zf_error_hint_id(err, ZF_HINT_FIX_WORKFLOW,
                     "write five fields: minute hour day-of-month month day-of-week, e.g. "
                     "\"0 9 * * mon-fri\"");
    return ZF_EVALIDATION;
}

/* A number or a name at s[*i]. */
static int value(const char *s, int *i, const field *f, int *out)
{
    if (s[*i] >= '0' && s[*i] <= '9') {
        int v = 0, n = 0;
        while (s[*i] >= '0' && s[*i] <= '9' && n < 3) {
            v = v * 10 + (s[(*i)++] - '0');
            n++;
        }
        if (s[*i] >= '0' && s[*i] <= '9')
            return -1;
        *out = v;
        return v < f->lo || v > f->hi ? -2 : 0;
    }
    for (int k = 0; k < f->nnames; k++)
        if (!strncasecmp(s + *i, f->names[k], 3)) {
            *i += 3;
            *out = k + (f->names == months ? 1 : 0);
            return 0;
        }
    return -1;
}

/* One field s[b..e) into *bits. */
static int parse_field(const char *s, int b, int e, const field *f, uint64_t *bits, int *star,
                       int *col, zf_error *err)
{
    *bits = 0;
    *star = e - b == 1 && s[b] == '*';
    int i = b;
    while (i < e) {
        int lo, hi, step = 1, at = i, rc, ranged = 0;
        if (s[i] == '*') {
            lo = f->lo;
            hi = f->hi == 7 ? 6 : f->hi;
            i++;
        } else {
            if ((rc = value(s, &i, f, &lo)) != 0)
                return bad(col, at, err, rc == -2 ? "a value out of range" : "a value expected", f);
            hi = lo;
            if (i < e && s[i] == '-') {
                ranged = 1;
                i++;
                at = i;
                if ((rc = value(s, &i, f, &hi)) != 0)
                    return bad(col, at, err, rc == -2 ? "a value out of range" : "a value expected",
                               f);
                if (hi < lo)
                    return bad(col, at, err, "a range that ends before it starts", f);
            }
        }
        if (i < e && s[i] == '/') {
            i++;
            at = i;
            field sf = {f->name, 1, f->hi + 1, NULL, 0};
            if (value(s, &i, &sf, &step) != 0)
                return bad(col, at, err, "a step of 1 or more expected", f);
            if (!ranged && s[at - 2] != '*')
                hi = f->hi == 7 ? 6 : f->hi; /* N/S: from N to the end */
        }
        for (int v = lo; v <= hi; v += step)
            *bits |= (uint64_t)1 << (f->hi == 7 && v == 7 ? 0 : v);
        if (i < e && s[i] != ',')
            return bad(col, i, err, "an unexpected character", f);
        if (i < e)
            i++;
        if (i == e && s[e - 1] == ',')
            return bad(col, e - 1, err, "a value expected after ','", f);
    }
    return 0;
}

int zf_cron_parse(zf_cron *out, const char *text, int *col, zf_error *err)
{
    memset(out, 0, sizeof *out);
    *col = 0;
    int i = 0, n = 0;
    uint64_t bits[5];
    int star[5];
    size_t len = strlen(text);
    if (len > 256)
        return bad(col, 0, err, "a schedule longer than 256 characters", NULL);
    while (text[i]) {
        while (text[i] == ' ' || text[i] == '\t')
            i++;
        if (!text[i])
            break;
        int b = i;
        while (text[i] && text[i] != ' ' && text[i] != '\t')
            i++;
        if (n == 5)
            return bad(col, b, err, "more than five fields", NULL);
        int rc = parse_field(text, b, i, &fields[n], &bits[n], &star[n], col, err);
        if (rc)
            return rc;
        n++;
    }
    if (n < 5)
        return bad(col, (int)len, err, "fewer than five fields", NULL);
    out->minute = bits[0];
    out->hour = (uint32_t)bits[1];
    out->dom = (uint32_t)bits[2];
    out->month = (uint16_t)bits[3];
    out->dow = (uint8_t)bits[4];
    out->dom_star = star[2];
    out->dow_star = star[4];
    out->hour_star = star[1];
    return 0;
}

static int day_matches(const zf_cron *c, int64_t dayn)
{
    int64_t y;
    unsigned m, d;
    zf_civil_from_days(dayn, &y, &m, &d);
    if (!(c->month & (1u << m)))
        return 0;
    int wd = (int)(((dayn % 7) + 7 + 4) % 7); /* 1970-01-01: Thursday (4) */
    int dom_ok = (c->dom >> d) & 1, dow_ok = (c->dow >> wd) & 1;
    if (c->dom_star || c->dow_star)
        return dom_ok && dow_ok;
    return dom_ok || dow_ok;
}

int zf_cron_next(const zf_cron *c, const char *zone, int64_t after, int64_t *next, zf_error *err)
{
    zf_wf__zone z;
    int rc = zf_wf__zone_open(&z, zone, err);
    if (rc)
        return rc;
    int32_t off;
    if (zf_wf__zone_offset(&z, after, &off)) {
        zf_wf__zone_close(&z);
        return zf_error_set(err, ZF_EPARSE, "the time zone file for %s is damaged", zone);
    }
    int64_t w = after + off;
    int64_t day0 = (w >= 0 ? w / DAY : -((-w + DAY - 1) / DAY)) - 1; /* a day early: overlaps */
    int64_t best = INT64_MAX;
    for (int64_t dn = day0; dn < day0 + SEARCH_DAYS && best == INT64_MAX; dn++) {
        if (!day_matches(c, dn))
            continue;
        for (int h = 0; h < 24 && best == INT64_MAX; h++) {
            if (!((c->hour >> h) & 1))
                continue;
            for (int m = 0; m < 60; m++) {
                if (!((c->minute >> m) & 1))
                    continue;
                int64_t inst, second = 0;
                int kind;
                if (zf_wf__zone_resolve(&z, dn * DAY + h * 3600 + m * 60, &inst, &kind, &second))
                    continue;
                if (kind == 1 && c->hour_star)
                    continue; /* real time: the skipped wall times do not exist */
                if (inst > after && inst < best)
                    best = inst;
                else if (kind == 2 && c->hour_star && second > after && second < best)
                    best = second;
            }
        }
    }
    zf_wf__zone_close(&z);
    if (best == INT64_MAX)
        return zf_error_set(err, ZF_ENOTFOUND, "the schedule never fires (within 8 years)");
    *next = best;
    return 0;
}
