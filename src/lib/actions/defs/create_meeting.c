/*
 * create_meeting: POST /users/{userId}/meetings (Meetings API, meetingCreate).
 *
 * Settings accept only the keys described here (typed); anything else is an
 * error that lists the known keys, so a typo never silently does nothing.
 * A start_time with Z or an offset together with `timezone` is refused:
 * Zoom would silently ignore the zone.
 */
#include "meeting_fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const zf_field input[] = {
    ZF_FIELD_USER_ID("the host: \"me\", an email or a user id"),
    ZF_MEETING_FIELDS_HEAD(ZF_MEETING_DEFAULT),
    {.name = "default_password",
     .types = ZF_T_BOOLEAN,
     .default_json = "true",
     .summary = "let Zoom generate a passcode when the account requires one"},
    ZF_MEETING_FIELDS_TAIL(ZF_MEETING_DEFAULT, zf_actions__meeting_settings_new,
                           zf_actions__tracking_field_new),
    {0},
};

static void check_recurrence(zf_problems *p, const json_t *in)
{
    json_t *rec = json_object_get(in, "recurrence");
    int64_t type = json_is_integer(json_object_get(in, "type"))
                       ? (int64_t)json_integer_value(json_object_get(in, "type"))
                       : 2;
    if (!json_is_object(rec)) {
        if (type == 8)
            zf_problems_add(p, "recurrence", "required", NULL, -1,
                            "a type 8 meeting (recurring, fixed time) needs recurrence, e.g. "
                            "{\"type\": 2, \"weekly_days\": \"2\", \"end_times\": 10}");
        return;
    }
    if (type != 8)
        zf_problems_add(p, "recurrence", "dependency", rec, -1,
                        "is only used for type 8 meetings (recurring with a fixed time); set type "
                        "to 8 or remove recurrence");
    zf_actions__check_recurrence_members(p, rec);
}

static void check(zf_problems *p, const json_t *in)
{
    zf_actions__check_start_zone(p, in);
    check_recurrence(p, in);
}

static const char *const rules[] = {
    ZF_MEETING_RULE_ZONE,
    "type 8 needs recurrence; recurrence is only for type 8.",
    ZF_MEETING_RULES_RECURRENCE,
    NULL,
};

/* ---- reconcile ----------------------------------------------------------- */

typedef struct meeting_match {
    const char *topic;
    int64_t start_utc; /* -1: do not compare */
    const char *zone;  /* input zone, or NULL: the listed meeting's own */
    int64_t wall;      /* local start (read as UTC) when zone is unknown */
    int local_unzoned;
    int64_t not_before;
    json_t *found;
    zf_error *err;
    int rc;
} meeting_match;

/* No timezone was given, so Zoom used the account's, which the listing
 * reports per meeting: read the local start in that zone. 0, 1 = skip the
 * meeting, or the tz database's error (also in m->rc). */
static int candidate_start(meeting_match *m, const json_t *it, int64_t *utc)
{
    const char *zone = zf_actions__str(it, "timezone");
    if (!zone || !zf_actions__timezone_known(zone))
        return 1;
    return m->rc = zf_actions__local_to_utc(zone, m->wall, utc, m->err);
}

static int meeting_each(void *arg, const json_t *items)
{
    meeting_match *m = arg;
    size_t i;
    json_t *it;
    json_array_foreach (items, i, it) {
        const char *topic = zf_actions__str(it, "topic");
        int64_t created, start, want = m->start_utc;
        int hz;
        if ((m->topic && (!topic || strcmp(topic, m->topic) != 0)) ||
            zf_actions__parse_datetime(zf_actions__str(it, "created_at"), &created, &hz) != 0 ||
            created < m->not_before)
            continue;
        int skip = m->local_unzoned ? candidate_start(m, it, &want) : 0;
        if (skip < 0)
            return 1; /* the tz database failed: stop, m->rc says why */
        if (skip)
            continue;
        if (want >= 0 &&
            (zf_actions__parse_datetime(zf_actions__str(it, "start_time"), &start, &hz) != 0 ||
             start != want))
            continue;
        m->found = json_deep_copy(it);
        return 1;
    }
    return 0;
}

static int match_start(meeting_match *m, const json_t *in, zf_error *err)
{
    const char *start = zf_actions__str(in, "start_time");
    json_t *type = json_object_get(in, "type");
    int64_t t;
    int has_zone;
    m->start_utc = -1;
    /* recurring meetings list their next occurrence: topic + creation decide */
    if (!start || (json_is_integer(type) && json_integer_value(type) != 2))
        return 0;
    if (zf_actions__parse_datetime(start, &t, &has_zone) != 0)
        return zf_error_set(err, ZF_EVALIDATION, "start_time \"%s\" is not a Zoom date-time",
                            start);
    if (has_zone) {
        m->start_utc = t;
        return 0;
    }
    const char *zone = zf_actions__str(in, "timezone");
    if (zone)
        return zf_actions__local_to_utc(zone, t, &m->start_utc, err);
    m->local_unzoned = 1;
    m->wall = t;
    return 0;
}

static int reconcile(json_t **found, const json_t *in, const zf_reconcile_opts *o,
                     const zf_action_source *src, zf_error *err)
{
    json_t *type = json_object_get(in, "type");
    if (json_is_integer(type) && json_integer_value(type) == 1) {
        zf_error_set(err, ZF_EAMBIGUOUS,
                     "instant meetings are not listed by Zoom, so an "
                     "interrupted create_meeting of type 1 cannot be checked");
        zf_error_hint_id(err, ZF_HINT_CHECK_IN_ZOOM,
                         "look in the host's Zoom web portal before "
                         "running it again");
        return ZF_EAMBIGUOUS;
    }
    /* no topic given: Zoom chose one, so start and creation time decide */
    meeting_match m = {.topic = zf_actions__str(in, "topic"), .err = err};
    m.not_before = o->attempt_started - o->skew;
    zf_action_request req;
    zf_buf path = ZF_BUF_INIT(4096);
    zf_buf_puts(&path, "/users/");
    zf_actions__encode_segment(&path, zf_actions__str(in, "user_id"), 0);
    zf_buf_puts(&path, "/meetings");
    int rc = match_start(&m, in, err);
    if (rc == 0)
        rc = zf_actions__lookup_request(&req, path.failed ? "" : path.ptr);
    if (rc == 0) {
        rc = zf_action_request_add_query(&req, "type", "scheduled");
        if (rc == 0)
            rc = zf_action_request_add_query(&req, "page_size", "300");
        if (rc == 0)
            rc = src->list(src->ctx, &req, "meetings", meeting_each, &m, err);
        if (rc == 0)
            rc = m.rc;
        zf_action_request_free(&req);
    }
    zf_buf_free(&path);
    if (rc != 0) {
        json_decref(m.found);
        return rc;
    }
    *found = m.found;
    return m.found ? 1 : 0;
}

static const char *const output_keys[] = {
    "id",          "uuid",
    "host_id",     "host_email",
    "topic",       "type",
    "status",      "start_time",
    "duration",    "timezone",
    "agenda",      "created_at",
    "join_url",    "registration_url",
    "password",    "pmi",
    "occurrences", "recurrence",
    NULL,
};

static const char *const classic[] = {"meeting:write", "meeting:write:admin", NULL};

const zf_action zf_action__create_meeting = {
    .name = "create_meeting",
    .summary = "Schedule a Zoom meeting for a host.",
    .words = {"meetings", "create"},
    .method = "POST",
    .path = "/users/{userId}/meetings",
    .scope = "meeting:write:meeting:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_CREATE,
    .input = input,
    .check = check,
    .rules = rules,
    .item_type = "meeting",
    .output_keys = output_keys,
    .reconcile = reconcile,
};
