/*
 * update_meeting: PATCH /meetings/{meetingId} (Meetings API, meetingUpdate).
 *
 * Zoom's PATCH: only the fields given change; settings merge key by key,
 * recurrence and tracking_fields are replaced whole. The fields, the
 * start_time/timezone rule and the recurrence rules are create_meeting's
 * (meeting_fields.h). With occurrence_id one occurrence of a recurring
 * meeting changes, and Zoom changes only agenda, start_time, duration and
 * seven settings of it: anything else is refused here before sending.
 * Zoom answers 204 without a body, so the output says what was sent.
 */
#include "meeting_fields.h"

#include <stdio.h>
#include <string.h>

static const zf_field input[] = {
    ZF_FIELD_MEETING_ID(ZF_FMT_MEETING_ID, "the meeting id"),
    {.name = "occurrence_id",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .format = ZF_FMT_OCCURRENCE_ID,
     .summary = "change only this occurrence of a recurring meeting"},
    ZF_MEETING_FIELDS_HEAD(ZF_MEETING_NO_DEFAULT),
    ZF_MEETING_FIELDS_TAIL(ZF_MEETING_NO_DEFAULT, zf_actions__meeting_settings_change,
                           zf_actions__tracking_field_change),
    {0},
};

/* What Zoom changes of one occurrence (the occurrence_id parameter's
 * description in the 2026 spec). */
static const char *const occurrence_fields[] = {"agenda", "start_time", "duration", "settings",
                                                NULL};
static const char *const occurrence_settings[] = {
    "host_video",   "participant_video", "join_before_host", "mute_upon_entry",
    "waiting_room", "watermark",         "auto_recording",   NULL,
};

static int listed(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

static const zf_field *field_of(const zf_field *fields, const char *name)
{
    for (const zf_field *f = fields; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static void check_occurrence(zf_problems *p, const json_t *in)
{
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)in, key, v) {
        const zf_field *f = field_of(input, key);
        if (!f || f->in != ZF_IN_BODY || listed(occurrence_fields, key))
            continue;
        if (strcmp(key, "timezone") == 0)
            zf_problems_add(p, key, "dependency", v, -1,
                            "an occurrence takes no timezone: Zoom reads a local start_time in "
                            "the meeting's own zone; give start_time in UTC ending in Z, or drop "
                            "occurrence_id to change the series' zone");
        else
            zf_problems_add(p, key, "dependency", v, -1,
                            "cannot be changed for one occurrence (Zoom changes only agenda, "
                            "start_time, duration and some settings of it); drop occurrence_id "
                            "to change the whole series");
    }
    json_object_foreach (json_object_get(in, "settings"), key, v) {
        char path[128];
        snprintf(path, sizeof path, "settings.%s", key);
        /* unknown keys are already refused as unknown */
        if (field_of(zf_actions__meeting_settings_change, key) && !listed(occurrence_settings, key))
            zf_problems_add(p, path, "dependency", v, -1,
                            "cannot be changed for one occurrence: Zoom changes only host_video, "
                            "participant_video, join_before_host, mute_upon_entry, waiting_room, "
                            "watermark and auto_recording of it; drop occurrence_id to change "
                            "the whole series");
    }
}

static int body_fields(const json_t *in)
{
    int n = 0;
    for (const zf_field *f = input; f->name; f++)
        n += f->in == ZF_IN_BODY && json_object_get(in, f->name) != NULL;
    return n;
}

static void check(zf_problems *p, const json_t *in)
{
    if (body_fields(in) == 0)
        zf_problems_add(p, "", "required", NULL, -1,
                        "nothing to change: give at least one field to update, e.g. start_time "
                        "with timezone, or topic");
    zf_actions__check_start_zone(p, in);
    json_t *rec = json_object_get(in, "recurrence"), *type = json_object_get(in, "type");
    if (json_is_object(rec)) {
        if (json_is_integer(type) && json_integer_value(type) != 8)
            zf_problems_add(p, "recurrence", "dependency", rec, -1,
                            "is only used for type 8 meetings (recurring with a fixed time); set "
                            "type to 8 or remove recurrence");
        if (!json_object_get(rec, "end_times") && !json_object_get(rec, "end_date_time"))
            zf_problems_add(p, "recurrence.end_times", "required", NULL, -1,
                            "recurrence replaces the series' pattern whole: give end_times or "
                            "end_date_time, or Zoom's default of one occurrence ends the series");
        zf_actions__check_recurrence_members(p, rec);
    }
    if (json_object_get(in, "occurrence_id"))
        check_occurrence(p, in);
}

static const char *const rules[] = {
    "at least one field to change.",
    ZF_MEETING_RULE_ZONE,
    "recurrence is only for type 8, and gives end_times or end_date_time (it replaces the "
    "series' pattern whole).",
    ZF_MEETING_RULES_RECURRENCE,
    "with occurrence_id only agenda, start_time, duration and settings host_video, "
    "participant_video, join_before_host, mute_upon_entry, waiting_room, watermark and "
    "auto_recording (Zoom's rule); no timezone (a local start_time is read in the meeting's "
    "zone).",
    NULL,
};

/* ---- output -------------------------------------------------------------- */

/* The changed fields as sent: top-level names, settings as settings.<key>
 * (they merge into the meeting's settings one by one). */
static json_t *changed(const json_t *in)
{
    json_t *list = json_array();
    for (const zf_field *f = input; list && f->name; f++) {
        json_t *v = json_object_get(in, f->name);
        if (f->in != ZF_IN_BODY || !v)
            continue;
        if (strcmp(f->name, "settings") != 0) {
            json_array_append_new(list, json_string(f->name));
            continue;
        }
        const char *key;
        json_t *sv;
        json_object_foreach (v, key, sv) {
            char path[128];
            snprintf(path, sizeof path, "settings.%s", key);
            json_array_append_new(list, json_string(path));
        }
    }
    return list;
}

/* 1 when start_time is certainly before now. Without a zone the time is
 * read in the meeting's, which is not known here: only a time more than
 * 14 hours past (the widest UTC offset) is certainly past. */
static int start_in_past(const json_t *in, int64_t now)
{
    const char *start = zf_actions__str(in, "start_time");
    const char *zone = zf_actions__str(in, "timezone");
    int64_t t;
    int has_zone;
    if (!start || zf_actions__parse_datetime(start, &t, &has_zone) != 0)
        return 0;
    if (has_zone)
        return t < now;
    if (zone) {
        zf_error e = ZF_ERROR_INIT;
        return zf_actions__local_to_utc(zone, t, &t, &e) == 0 && t < now;
    }
    return t + 14 * 3600 < now;
}

static int output(zf_action_result *res, const json_t *in, zf_outcome outcome, int64_t now,
                  zf_error *err)
{
    json_t *occ = json_object_get(in, "occurrence_id");
    json_t *o = json_pack("{s:b,s:O,s:O,s:o}", "updated", 1, "meeting_id",
                          json_object_get(in, "meeting_id"), "occurrence_id",
                          occ ? occ : json_null(), "fields", changed(in));
    if (!o)
        return zf_error_set(err, ZF_ENOMEM, "out of memory making update_meeting's output");
    if (start_in_past(in, now) &&
        zf_action_result_warn(res,
                              "start_time %s is in the past: Zoom ignores a past start "
                              "time, so the meeting keeps its time (get_meeting shows it)",
                              zf_actions__str(in, "start_time")) != 0) {
        json_decref(o);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    if (json_object_get(in, "recurrence") && !json_object_get(in, "type") &&
        zf_action_result_warn(res, "recurrence is used only by recurring meetings with a fixed "
                                   "time (type 8): on any other meeting Zoom ignores it; give "
                                   "type 8 too to make this one recurring (get_meeting shows "
                                   "its type)") != 0) {
        json_decref(o);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    (void)outcome;
    res->output = o;
    return 0;
}

static const char *const output_keys[] = {"updated", "meeting_id", "occurrence_id", "fields", NULL};
static const char *const notes[] = {
    "Only the fields given change (Zoom's PATCH): settings merge key by key; recurrence and "
    "tracking_fields are replaced whole.",
    "Zoom answers 204 without a body: the output confirms the update and lists the fields "
    "sent; get_meeting shows the meeting as Zoom now has it.",
    "Zoom ignores a start_time in the past (the meeting keeps its time); zoomflow warns when "
    "it sends one.",
    "Zoom ignores recurrence on a meeting that is not of type 8; zoomflow warns when "
    "recurrence is sent without type (it does not know the meeting's type).",
    "Updates count against Zoom's 100 meeting creates and updates per host per UTC day.",
    "The same change applied twice is the same change, so a dropped connection is retried.",
    NULL,
};
static const char *const classic[] = {"meeting:write", "meeting:write:admin", NULL};

const zf_action zf_action__update_meeting = {
    .name = "update_meeting",
    .summary = "Change a meeting, or one occurrence of a recurring meeting (e.g. reschedule).",
    .words = {"meetings", "update"},
    .method = "PATCH",
    .path = "/meetings/{meetingId}",
    .scope = "meeting:update:meeting:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_WRITE,
    .input = input,
    .check = check,
    .rules = rules,
    .item_type = "meeting",
    .output_keys = output_keys,
    .output = output,
    .output_doc = "`{\"updated\": true, \"meeting_id\", \"occurrence_id\" (null for the whole "
                  "meeting), \"fields\": [the fields sent, settings as settings.KEY]}`",
    .notes = notes,
};
