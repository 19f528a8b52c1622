/*
 * Rate-limit pacer (DESIGN §6): per client, per Zoom category (Light,
 * Medium, Heavy, Resource-intensive), spaces requests so bulk work runs near
 * the allowed rate instead of bursting into 429s.
 *
 * Per category: interval = 1000 / X-RateLimit-Limit ms between requests
 * (Zoom's per-second limit), plus a penalty that doubles (250 ms .. 2 s) on
 * every per-second 429 and halves on every success. Remaining == 0 holds the
 * category for a second (the per-second window). Daily-limit headers do not
 * pace: a daily 429 fails fast instead. A request's category is the
 * caller's hint, else what Zoom's X-RateLimit-Category said for the same
 * route (method + path with id-like segments as '*'), else "unknown".
 * Pure: the caller passes the monotonic time and does the sleeping.
 */
#include "zoom_internal.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CAT_UNKNOWN (ZF_ZOOM_NCAT - 1)
#define PENALTY_MIN_MS 250
#define PENALTY_MAX_MS 2000
#define WINDOW_MS 1000

static const char *const CAT_NAMES[ZF_ZOOM_NCAT - 1] = {"Light", "Medium", "Heavy",
                                                        "Resource-intensive"};

void zf_zoom__pacer_init(zf_zoom_pacer *p)
{
    memset(p, 0, sizeof *p);
    for (int i = 0; i < ZF_ZOOM_NCAT; i++)
        p->cat[i].limit = p->cat[i].remaining = -1;
}

int zf_zoom__category(const char *name)
{
    for (int i = 0; name && i < ZF_ZOOM_NCAT - 1; i++)
        if (strcasecmp(name, CAT_NAMES[i]) == 0)
            return i;
    return CAT_UNKNOWN;
}

/* "GET /users/{id}/meetings" becomes "GET /users/<star>/meetings": segments
 * holding digits, '@', '%' or '.' are ids; the query is dropped. */
static void route_of(const char *method, const char *path, char *out, size_t n)
{
    size_t o = (size_t)snprintf(out, n, "%s ", method);
    const char *p = path;
    while (*p && *p != '?' && o + 2 < n) {
        if (*p == '/') {
            out[o++] = *p++;
            continue;
        }
        size_t seg = strcspn(p, "/?");
        size_t idlike = strcspn(p, "0123456789@%.");
        if (idlike < seg)
            out[o++] = '*';
        else
            for (size_t i = 0; i < seg && o + 2 < n; i++)
                out[o++] = p[i];
        p += seg;
    }
    out[o < n ? o : n - 1] = '\0';
}

int zf_zoom__pacer_category(const zf_zoom_pacer *p, const char *hint, const char *method,
                            const char *path)
{
    if (hint)
        return zf_zoom__category(hint);
    char route[96];
    route_of(method, path, route, sizeof route);
    for (size_t i = 0; i < sizeof p->routes / sizeof p->routes[0]; i++)
        if (p->routes[i].route[0] && strcmp(p->routes[i].route, route) == 0)
            return p->routes[i].cat;
    return CAT_UNKNOWN;
}

int64_t zf_zoom__pacer_wait(zf_zoom_pacer *p, int c, int64_t now_ms)
{
    zf_zoom_pace *pc = &p->cat[c < 0 || c >= ZF_ZOOM_NCAT ? CAT_UNKNOWN : c];
    int64_t start = pc->next_ms > now_ms ? pc->next_ms : now_ms;
    pc->next_ms = start + pc->interval_ms + pc->penalty_ms;
    return start - now_ms;
}

static void learn_route(zf_zoom_pacer *p, const char *method, const char *path, int c)
{
    char route[96];
    route_of(method, path, route, sizeof route);
    size_t n = sizeof p->routes / sizeof p->routes[0];
    for (size_t i = 0; i < n; i++)
        if (strcmp(p->routes[i].route, route) == 0) {
            p->routes[i].cat = c;
            return;
        }
    size_t slot = p->next_route++ % n;
    snprintf(p->routes[slot].route, sizeof p->routes[slot].route, "%s", route);
    p->routes[slot].cat = c;
}

static long header_long(const char *headers, const char *name)
{
    char v[32];
    int64_t n;
    if (!zf_zoom__header(headers, name, v, sizeof v) || zf_parse_i64(v, 0, 100000000, &n) < 0)
        return -1;
    return (long)n;
}

void zf_zoom__pacer_update(zf_zoom_pacer *p, int c, const char *method, const char *path,
                           const char *headers, long status, int qps_limited, int64_t now_ms)
{
    char v[40];
    headers = headers ? headers : "";
    if (zf_zoom__header(headers, "X-RateLimit-Category", v, sizeof v)) {
        int learned = zf_zoom__category(v);
        if (learned != CAT_UNKNOWN) {
            learn_route(p, method, path, learned);
            c = learned;
        }
    }
    zf_zoom_pace *pc = &p->cat[c < 0 || c >= ZF_ZOOM_NCAT ? CAT_UNKNOWN : c];
    int daily = zf_zoom__header(headers, "X-RateLimit-Type", v, sizeof v) &&
                strcasecmp(v, "Daily-limit") == 0;
    long limit = header_long(headers, "X-RateLimit-Limit");
    long remaining = header_long(headers, "X-RateLimit-Remaining");
    if (!daily) {
        if (limit > 0) {
            pc->limit = limit;
            pc->interval_ms = WINDOW_MS / limit;
        }
        if (remaining >= 0) {
            pc->remaining = remaining;
            if (remaining == 0 && pc->next_ms < now_ms + WINDOW_MS)
                pc->next_ms = now_ms + WINDOW_MS;
        }
    }
    if (qps_limited) {
        pc->penalty_ms = pc->penalty_ms * 2;
        if (pc->penalty_ms < PENALTY_MIN_MS)
            pc->penalty_ms = PENALTY_MIN_MS;
        if (pc->penalty_ms > PENALTY_MAX_MS)
            pc->penalty_ms = PENALTY_MAX_MS;
        if (pc->next_ms < now_ms + pc->penalty_ms)
            pc->next_ms = now_ms + pc->penalty_ms;
    } else if (status >= 200 && status < 300) {
        pc->penalty_ms /= 2;
        if (pc->penalty_ms < PENALTY_MIN_MS / 8)
            pc->penalty_ms = 0;
    }
}
