/*
 * The doctor's rows (doctor.h): the verdict names and how a check fills
 * its row. Every check file writes through these, so a row always has the
 * same members.
 */
#include "doctor_internal.h"

#include <stdio.h>

#include "zoomflow/hint.h"

#define FOUND_MAX 2048

static const char *const verdicts[] = {"ok", "warn", "fail"};

const char *zf_verdict_name(int v)
{
    return v >= 0 && v <= ZF_VERDICT_FAIL ? verdicts[v] : NULL;
}

void zf_doctor__say(json_t *row, int verdict, int hint, const char *todo, const char *fmt, ...)
{
    char found[FOUND_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(found, sizeof found, fmt, ap);
    va_end(ap);
    json_object_set_new(row, "verdict", json_string(zf_verdict_name(verdict)));
    json_object_set_new(row, "found", json_string(found));
    json_object_set_new(row, "todo", todo && *todo ? json_string(todo) : json_null());
    json_object_set_new(row, "hint_id",
                        hint != ZF_HINT_NONE ? json_string(zf_hint_name(hint)) : json_null());
}

json_t *zf_doctor__details(json_t *row)
{
    json_t *d = json_object_get(row, "details");
    if (!d) {
        d = json_object();
        json_object_set_new(row, "details", d);
    }
    return d;
}
