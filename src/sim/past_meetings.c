/*
 * Past meetings: GET /past_meetings/{meetingId}/participants, and the
 * control route POST /_sim/past_meetings that makes an ended instance with
 * its participants (nobody holds meetings in the emulator).
 *
 * Zoom's rules: a meeting id means its latest ended instance, a UUID one
 * instance (a UUID starting with '/' or holding "//" arrives encoded twice);
 * no instance: 404 code 3001; an instance that started more than a year ago
 * (sim time): 400 code 12702 "Can not access a meeting a year ago."; an
 * instance with only one participant lists none ("the API doesn't return
 * results if there's only one participant"). Pages of at most 300 (default
 * 30) with next_page_token; a page token belongs to one instance.
 */
#include "data.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAST_MAX_PARTICIPANTS 100000
#define PAST_MAX_AGE (365 * 86400)

sim_past *sim_data_past_add(sim *s, sim_meeting *m, const char *uuid, int64_t start, int64_t end,
                            json_t *participants)
{
    struct sim_data *d = s->data;
    sim_past *p = calloc(1, sizeof *p);
    sim_past **np = realloc(m->pasts, (size_t)(m->npasts + 1) * sizeof *np);
    if (np)
        m->pasts = np;
    if (!p || !np || (uuid && *uuid && sim_map_get(&d->past_by_uuid, uuid))) {
        free(p);
        json_decref(participants);
        return NULL;
    }
    /* the first instance carries the meeting's own uuid, as recordings do */
    if (uuid && *uuid)
        snprintf(p->uuid, sizeof p->uuid, "%s", uuid);
    else if (!sim_map_get(&d->past_by_uuid, m->uuid))
        snprintf(p->uuid, sizeof p->uuid, "%s", m->uuid);
    else
        sim_data_new_uuid(p->uuid);
    p->start = start;
    p->end = end;
    p->participants = participants;
    p->m = m;
    if (sim_map_put(&d->past_by_uuid, p->uuid, p) != 0) {
        sim_data_past_free(p);
        return NULL;
    }
    m->pasts[m->npasts++] = p;
    return p;
}

/* --- GET /past_meetings/{meetingId}/participants */

static sim_past *find_past(sim *s, const char *param)
{
    int digits = *param != '\0';
    for (const char *c = param; *c; c++)
        digits &= isdigit((unsigned char)*c) != 0;
    if (digits) {
        sim_meeting *m = sim_data_meeting_find(s, param);
        sim_past *latest = NULL;
        for (int i = 0; m && i < m->npasts; i++)
            if (!latest || m->pasts[i]->start >= latest->start)
                latest = m->pasts[i];
        return latest;
    }
    sim_past *p = sim_map_get(&s->data->past_by_uuid, param);
    if (p || !strchr(param, '%'))
        return p;
    /* Zoom's double-encoding rule: the router decoded once; decode again */
    char *twice = sim_urldecode(param, strlen(param), 0);
    p = twice ? sim_map_get(&s->data->past_by_uuid, twice) : NULL;
    free(twice);
    return p;
}

void sim_h_past_participants(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    json_t *errs = json_array();
    long ps;
    sim_past *p = find_past(s, rq->param[0]);
    if (!p) {
        sim_error(rs, 404, 3001, "Meeting does not exist: %s.", rq->param[0]);
        goto done;
    }
    sim_data_qint(rq, errs, "page_size", 30, 1, 300, &ps);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    if (rq->now - p->start > PAST_MAX_AGE) {
        sim_error(rs, 400, 12702, "Can not access a meeting a year ago.");
        goto done;
    }
    char key[96];
    snprintf(key, sizeof key, "past|%s", p->uuid);
    size_t all = json_array_size(p->participants), total = all == 1 ? 0 : all;
    sim_page pg;
    if (sim_page_start(s, rs, sim_query(rq, "next_page_token"), key, ps, 1, &pg) != 0)
        goto done;
    json_t *arr = json_array();
    size_t i = (size_t)pg.pos, got = 0;
    for (; i < total && got < (size_t)ps; i++, got++)
        json_array_append(arr, json_array_get(p->participants, i));
    char next[33];
    sim_page_next(s, key, &pg, i, got, total, ps, next);
    size_t pages = total ? (total + (size_t)ps - 1) / (size_t)ps : 0;
    sim_json(rs, 200,
             json_pack("{s:I,s:i,s:I,s:s,s:o}", "page_count", (json_int_t)pages, "page_size",
                       (int)ps, "total_records", (json_int_t)total, "next_page_token", next,
                       "participants", arr));
done:
    json_decref(errs);
}

/* --- POST /_sim/past_meetings */

static bool time_of(json_t *errs, json_t *o, const char *key, const char *field, int64_t dflt,
                    int64_t *out)
{
    json_t *v = json_object_get(o, key);
    int hz;
    *out = dflt;
    if (!v)
        return true;
    if (json_is_string(v) && sim_parse_time(json_string_value(v), out, &hz) == 0 && hz)
        return true;
    sim_data_verr(errs, field, "%s must be a UTC time like 2031-03-04T09:30:00Z.", field);
    return false;
}

/* One participant as Zoom lists it, from the control body's entry `in`
 * (name required; the rest defaults to a stay from start to end). A
 * participant whose email is an account user's carries that user's id and
 * internal_user true. NULL when refused (errs says why). */
static json_t *participant(sim *s, json_t *in, size_t i, int64_t start, int64_t end, json_t *errs)
{
    char field[64], iso_in[32], iso_out[32], pid[24];
    snprintf(field, sizeof field, "participants[%zu]", i);
    const char *name = json_string_value(json_object_get(in, "name"));
    const char *email = json_string_value(json_object_get(in, "user_email"));
    const char *status = json_string_value(json_object_get(in, "status"));
    int64_t join, leave;
    bool ok = json_is_object(in) && name && *name;
    if (!ok)
        sim_data_verr(errs, field, "%s needs a name.", field);
    ok &= time_of(errs, in, "join_time", field, start, &join);
    ok &= time_of(errs, in, "leave_time", field, end, &leave);
    if (ok && leave < join) {
        sim_data_verr(errs, field, "%s leaves before joining.", field);
        ok = false;
    }
    if (status && strcmp(status, "in_meeting") != 0 && strcmp(status, "in_waiting_room") != 0) {
        sim_data_verr(errs, field, "%s: status must be in_meeting or in_waiting_room.", field);
        ok = false;
    }
    if (!ok)
        return NULL;
    sim_user *u = email && *email ? sim_data_user_find(s, NULL, email) : NULL;
    sim_fmt_time(iso_in, join);
    sim_fmt_time(iso_out, leave);
    snprintf(pid, sizeof pid, "%zu", 16778240 + i);
    json_t *j =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:s,s:b}", "id", u ? u->id : "", "user_id", pid,
                  "name", name, "user_email", email ? email : "", "join_time", iso_in, "leave_time",
                  iso_out, "duration", (json_int_t)(leave - join), "failover",
                  json_is_true(json_object_get(in, "failover")), "status",
                  status ? status : "in_meeting", "internal_user", u != NULL);
    const char *rid = json_string_value(json_object_get(in, "registrant_id"));
    if (j && rid)
        json_object_set_new(j, "registrant_id", json_string(rid));
    return j;
}

static json_t *participants_of(sim *s, json_t *b, int64_t start, int64_t end, json_t *errs)
{
    json_t *given = json_object_get(b, "participants"),
           *count = json_object_get(b, "participant_count");
    json_t *out = json_array(), *v;
    size_t i;
    if (given && count)
        sim_data_verr(errs, "participants", "give participants or participant_count, not both.");
    if (given && (!json_is_array(given) || json_array_size(given) > PAST_MAX_PARTICIPANTS))
        sim_data_verr(errs, "participants",
                      "participants must be an array of at most %d "
                      "{name, user_email?, join_time?, leave_time?, ...}.",
                      PAST_MAX_PARTICIPANTS);
    if (count && (!json_is_integer(count) || json_integer_value(count) < 0 ||
                  json_integer_value(count) > PAST_MAX_PARTICIPANTS))
        sim_data_verr(errs, "participant_count", "participant_count must be 0-%d.",
                      PAST_MAX_PARTICIPANTS);
    if (json_array_size(errs))
        return out;
    json_array_foreach (given, i, v) {
        json_t *p = participant(s, v, i, start, end, errs);
        if (p)
            json_array_append_new(out, p);
    }
    for (json_int_t n = 0; count && n < json_integer_value(count); n++) {
        char name[32], email[64];
        snprintf(name, sizeof name, "Participant %lld", (long long)n + 1);
        snprintf(email, sizeof email, "participant%lld@example.net", (long long)n + 1);
        json_t *in = json_pack("{s:s,s:s}", "name", name, "user_email", email);
        json_array_append_new(out, participant(s, in, (size_t)n, start, end, errs));
        json_decref(in);
    }
    return out;
}

void sim_h_sim_past_meeting(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    json_t *b = sim_body_json(rq, rs), *errs = json_array(), *parts = NULL;
    if (!b)
        goto done;
    json_t *mid = json_object_get(b, "meeting_id");
    char key[32] = "";
    if (json_is_integer(mid))
        snprintf(key, sizeof key, "%lld", (long long)json_integer_value(mid));
    else if (json_is_string(mid))
        snprintf(key, sizeof key, "%s", json_string_value(mid));
    sim_meeting *m = sim_data_meeting_find(s, key);
    if (!m) {
        sim_error(rs, 404, 3001, "Meeting does not exist: %s.", key);
        goto done;
    }
    int64_t start, end;
    json_t *dur = json_object_get(b, "duration");
    if (dur &&
        (!json_is_integer(dur) || json_integer_value(dur) < 1 || json_integer_value(dur) > 1440))
        sim_data_verr(errs, "duration", "duration must be 1-1440 minutes.");
    int64_t len = 60 * (json_is_integer(dur) ? (int64_t)json_integer_value(dur) : m->duration);
    /* by default the meeting's own start when it is over, else just ended */
    int64_t dflt = m->start_time + len <= rq->now ? m->start_time : rq->now - len;
    time_of(errs, b, "start_time", "start_time", dflt, &start);
    end = start + len;
    if (end > rq->now)
        sim_data_verr(errs, "start_time",
                      "the instance must have ended by now (sim time): "
                      "give an earlier start_time or a shorter duration.");
    const char *uuid = json_string_value(json_object_get(b, "uuid"));
    if (uuid && (!*uuid || strlen(uuid) >= sizeof((sim_past *)0)->uuid ||
                 sim_map_get(&s->data->past_by_uuid, uuid)))
        sim_data_verr(errs, "uuid", "uuid must be a new, non-empty id of at most 63 characters.");
    parts = participants_of(s, b, start, end, errs);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    sim_past *p = sim_data_past_add(s, m, uuid, start, end, parts);
    parts = NULL;
    if (!p) {
        sim_error(rs, 500, 500, "out of memory");
        goto done;
    }
    char st[32], en[32];
    sim_fmt_time(st, p->start);
    sim_fmt_time(en, p->end);
    sim_json(rs, 201,
             json_pack("{s:s,s:I,s:s,s:s,s:I}", "uuid", p->uuid, "id", (json_int_t)m->id,
                       "start_time", st, "end_time", en, "participants_count",
                       (json_int_t)json_array_size(p->participants)));
done:
    json_decref(b);
    json_decref(errs);
    json_decref(parts);
}
