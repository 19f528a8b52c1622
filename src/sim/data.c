/*
 * The data module: route table, lifecycle and state persistence of users,
 * meetings, registrants and recordings (see data.h for the invariants).
 *
 * On reset the account holds exactly one user, the owner (admin, licensed,
 * active) with a fixed id, so tokens minted before a restart still mean the
 * same "me". The dump is also what GET /_sim/state shows; its "counts" are
 * what tests read.
 */
#include "data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OWNER_ID "zsimOwner000000000001"
#define OWNER_EMAIL "owner@example.com"

#define RS_REC "cloud_recording:read:list_recording_files"
#define RS_USER_RECS "cloud_recording:read:list_user_recordings"
#define RS_ACCOUNT_RECS "cloud_recording:read:list_account_recordings"
static const sim_route routes[] = {
    {"POST",
     "/v2/users",
     sim_h_users_create,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"user:write:user:admin", NULL},
     "users.create"},
    {"GET",
     "/v2/users",
     sim_h_users_list,
     SIM_R_BEARER,
     SIM_CAT_MEDIUM,
     {"user:read:list_users:admin", NULL},
     "users.list"},
    {"GET",
     "/v2/users/{userId}",
     sim_h_user_get,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"user:read:user", "user:read:user:admin", NULL},
     "users.get"},
    {"GET",
     "/v2/users/{userId}/settings",
     sim_h_user_settings,
     SIM_R_BEARER,
     SIM_CAT_MEDIUM,
     {"user:read:settings", "user:read:settings:admin", NULL},
     "users.settings"},
    {"PATCH",
     "/v2/users/{userId}",
     sim_h_user_patch,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"user:update:user", "user:update:user:admin", NULL},
     "users.update"},
    {"DELETE",
     "/v2/users/{userId}",
     sim_h_user_delete,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"user:delete:user", "user:delete:user:admin", NULL},
     "users.delete"},
    {"PUT",
     "/v2/users/{userId}/status",
     sim_h_user_status,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"user:update:status", "user:update:status:admin", NULL},
     "users.status"},
    {"GET",
     "/v2/users/{userId}/recordings",
     sim_h_recordings_list_user,
     SIM_R_BEARER,
     SIM_CAT_MEDIUM,
     {RS_USER_RECS, RS_USER_RECS ":admin", RS_USER_RECS ":master", NULL},
     "recordings.list_user"},
    {"GET",
     "/v2/accounts/{accountId}/recordings",
     sim_h_recordings_list_account,
     SIM_R_BEARER,
     SIM_CAT_MEDIUM,
     {RS_ACCOUNT_RECS ":admin", RS_ACCOUNT_RECS ":master", NULL},
     "recordings.list_account"},
    {"POST",
     "/v2/users/{userId}/meetings",
     sim_h_meeting_create,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"meeting:write:meeting", "meeting:write:meeting:admin", NULL},
     "meetings.create"},
    {"GET",
     "/v2/users/{userId}/meetings",
     sim_h_meetings_list,
     SIM_R_BEARER,
     SIM_CAT_MEDIUM,
     {"meeting:read:list_meetings", "meeting:read:list_meetings:admin", NULL},
     "meetings.list"},
    {"GET",
     "/v2/meetings/{meetingId}",
     sim_h_meeting_get,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"meeting:read:meeting", "meeting:read:meeting:admin", NULL},
     "meetings.get"},
    {"PATCH",
     "/v2/meetings/{meetingId}",
     sim_h_meeting_patch,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"meeting:update:meeting", "meeting:update:meeting:admin", NULL},
     "meetings.update"},
    {"DELETE",
     "/v2/meetings/{meetingId}",
     sim_h_meeting_delete,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"meeting:delete:meeting", "meeting:delete:meeting:admin", NULL},
     "meetings.delete"},
    {"POST",
     "/v2/meetings/{meetingId}/registrants",
     sim_h_registrant_add,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"meeting:write:registrant", "meeting:write:registrant:admin", NULL},
     "registrants.create"},
    {"GET",
     "/v2/meetings/{meetingId}/registrants",
     sim_h_registrants_list,
     SIM_R_BEARER,
     SIM_CAT_MEDIUM,
     {"meeting:read:list_registrants", "meeting:read:list_registrants:admin", NULL},
     "registrants.list"},
    /* after a meeting is made: registrant status, registration questions,
     * attendance (issue 9) */
    {"PUT",
     "/v2/meetings/{meetingId}/registrants/status",
     sim_h_registrants_status,
     SIM_R_BEARER,
     SIM_CAT_MEDIUM,
     {"meeting:update:registrant_status", "meeting:update:registrant_status:admin", NULL},
     "registrants.status"},
    {"GET",
     "/v2/meetings/{meetingId}/registrants/questions",
     sim_h_questions_get,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"meeting:read:list_registration_questions", "meeting:read:list_registration_questions:admin",
      NULL},
     "registrants.questions"},
    {"PATCH",
     "/v2/meetings/{meetingId}/registrants/questions",
     sim_h_questions_patch,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"meeting:update:registration_question", "meeting:update:registration_question:admin", NULL},
     "registrants.questions.update"},
    {"GET",
     "/v2/past_meetings/{meetingId}/participants",
     sim_h_past_participants,
     SIM_R_BEARER,
     SIM_CAT_MEDIUM,
     {"meeting:read:list_past_participants", "meeting:read:list_past_participants:admin", NULL},
     "past_meetings.participants"},
    {"GET",
     "/v2/meetings/{meetingId}/recordings",
     sim_h_recordings_get,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {RS_REC, RS_REC ":admin", RS_REC ":master", NULL},
     "recordings.get"},
    {"GET",
     "/v2/contacts",
     sim_h_contacts,
     SIM_R_BEARER,
     SIM_CAT_MEDIUM,
     {"contact:read:list_contacts", "contact:read:list_contacts:admin", NULL},
     "contacts.search"},
    /* downloads check their own tokens (access, download_access_token, ?access_token=) */
    {"GET",
     "/rec/download/{fileId}",
     sim_h_rec_download,
     0,
     SIM_CAT_NONE,
     {NULL},
     "recordings.download"},
    {"GET",
     "/rec/webhook_download/{fileId}",
     sim_h_rec_download,
     0,
     SIM_CAT_NONE,
     {NULL},
     "recordings.webhook_download"},
    /* after every literal /registrants/<word> route: the first match wins */
    {"GET",
     "/v2/meetings/{meetingId}/registrants/{registrantId}",
     sim_h_registrant_get,
     SIM_R_BEARER,
     SIM_CAT_LIGHT,
     {"meeting:read:registrant", "meeting:read:registrant:admin", NULL},
     "registrants.get"},
    {"POST",
     "/_sim/seed/users",
     sim_h_seed_users,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.seed.users"},
    {"POST",
     "/_sim/seed/meetings",
     sim_h_seed_meetings,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.seed.meetings"},
    {"POST",
     "/_sim/recordings",
     sim_h_sim_recording,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.recordings"},
    {"POST",
     "/_sim/past_meetings",
     sim_h_sim_past_meeting,
     SIM_R_CONTROL,
     SIM_CAT_NONE,
     {NULL},
     "sim.past_meetings"},
    {NULL, NULL, NULL, 0, SIM_CAT_NONE, {NULL}, NULL},
};

static void data_clear(sim *s)
{
    struct sim_data *d = s->data;
    for (size_t i = 0; i < d->nall; i++)
        sim_data_meeting_free(d->all_meetings[i]);
    free(d->all_meetings);
    for (size_t i = 0; i < d->nusers; i++)
        sim_data_user_free(d->users[i]);
    free(d->users);
    sim_map_clear(&d->by_id, NULL);
    sim_map_clear(&d->by_email, NULL);
    sim_map_clear(&d->meetings, NULL);
    sim_map_clear(&d->by_uuid, NULL);
    sim_map_clear(&d->files, NULL);
    free(d->recs);
    sim_map_clear(&d->past_by_uuid, NULL);
    memset(d, 0, sizeof *d);
}

static int data_init(sim *s)
{
    s->data = calloc(1, sizeof *s->data);
    return s->data ? 0 : ZF_ENOMEM;
}

static void data_reset(sim *s)
{
    data_clear(s);
    sim_user *o = sim_data_user_add(s, OWNER_ID, OWNER_EMAIL, 2, U_ACTIVE, ROLE_OWNER, "Account",
                                    "Owner", "Account Owner");
    snprintf(s->owner_id, sizeof s->owner_id, "%s", o ? o->id : OWNER_ID);
}

static void data_destroy(sim *s)
{
    if (!s->data)
        return;
    data_clear(s);
    free(s->data);
    s->data = NULL;
}

/* --- dump */

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v)
        json_object_set_new(o, k, json_string(v));
}

static json_t *dump_user(const sim_user *u)
{
    json_t *j = json_pack("{s:s,s:s,s:i,s:i,s:i,s:I,s:I,s:i,s:i}", "id", u->id, "email", u->email,
                          "type", u->type, "status", u->status, "role", u->role, "pmi",
                          (json_int_t)u->pmi, "created_at", (json_int_t)u->created_at, "mtg_day",
                          u->mtg_day, "mtg_writes", u->mtg_writes);
    set_str(j, "first_name", u->first_name);
    set_str(j, "last_name", u->last_name);
    set_str(j, "display_name", u->display_name);
    set_str(j, "timezone", u->timezone);
    if (u->profile)
        json_object_set(j, "profile", u->profile);
    return j;
}

/* The host to dump: a deleted meeting kept for its recordings may have a
 * host who left the account; its recordings' owner stands in. */
static const sim_user *dump_host(const sim_meeting *m)
{
    for (int i = 0; m->host->deleted && i < m->nrecs; i++)
        if (sim_data_recording_live(m->recs[i]))
            return m->recs[i]->owner;
    return m->host;
}

static json_t *dump_meeting(const sim_meeting *m)
{
    json_t *j = json_pack("{s:I,s:s,s:s,s:i,s:s,s:s,s:s,s:I,s:i,s:I,s:O}", "id", (json_int_t)m->id,
                          "uuid", m->uuid, "host_id", dump_host(m)->id, "type", m->type, "topic",
                          m->topic, "password", m->password, "timezone", m->timezone, "start_time",
                          (json_int_t)m->start_time, "duration", m->duration, "created_at",
                          (json_int_t)m->created_at, "settings", m->settings);
    set_str(j, "agenda", m->agenda);
    if (m->recurrence)
        json_object_set(j, "recurrence", m->recurrence);
    if (m->tracking_fields)
        json_object_set(j, "tracking_fields", m->tracking_fields);
    json_t *regs = json_array();
    for (uint32_t i = 0; i < m->nregs; i++) {
        const sim_registrant *r = m->regs[i];
        json_t *rj =
            json_pack("{s:s,s:s,s:i,s:I,s:O}", "id", r->id, "email", r->email, "status", r->status,
                      "create_time", (json_int_t)r->create_time, "fields", r->fields);
        set_str(rj, "occurrence_ids", r->occurrence_ids);
        json_array_append_new(regs, rj);
    }
    json_object_set_new(j, "registrants", regs);
    json_t *recs = json_array();
    for (int i = 0; i < m->nrecs; i++) {
        const sim_recording *rec = m->recs[i];
        if (!sim_data_recording_live(rec))
            continue;
        json_t *files = json_array();
        for (int k = 0; k < rec->nfiles; k++)
            json_array_append_new(files, json_pack("{s:s,s:s,s:I}", "id", rec->files[k].id,
                                                   "file_type", rec->files[k].file_type, "size",
                                                   (json_int_t)rec->files[k].size));
        json_t *rj = json_pack("{s:s,s:I,s:o}", "uuid", rec->uuid, "start", (json_int_t)rec->start,
                               "files", files);
        if (rec->owner != m->host)
            json_object_set_new(rj, "owner", json_string(rec->owner->id));
        if (rec->kept)
            json_object_set_new(rj, "kept", json_true());
        json_array_append_new(recs, rj);
    }
    json_object_set_new(j, "recordings", recs);
    if (m->deleted)
        json_object_set_new(j, "deleted", json_true());
    if (m->occ)
        json_object_set(j, "occurrences", m->occ);
    if (m->questions)
        json_object_set(j, "questions", m->questions);
    json_t *pasts = json_array();
    for (int i = 0; i < m->npasts; i++)
        json_array_append_new(pasts, json_pack("{s:s,s:I,s:I,s:O}", "uuid", m->pasts[i]->uuid,
                                               "start", (json_int_t)m->pasts[i]->start, "end",
                                               (json_int_t)m->pasts[i]->end, "participants",
                                               m->pasts[i]->participants));
    json_object_set_new(j, "past_meetings", pasts);
    return j;
}

/* A deleted meeting is kept in the dump only for recordings that outlive it. */
static bool dump_deleted(const sim_meeting *m)
{
    for (int i = 0; i < m->nrecs; i++)
        if (sim_data_recording_live(m->recs[i]))
            return true;
    return false;
}

static json_t *data_dump(sim *s)
{
    struct sim_data *d = s->data;
    json_t *users = json_array(), *meetings = json_array(), *regc = json_object();
    size_t nusers = 0, live = 0;
    for (size_t i = 0; i < d->nusers; i++) {
        if (d->users[i]->deleted)
            continue;
        nusers++;
        json_array_append_new(users, dump_user(d->users[i]));
    }
    for (size_t i = 0; i < d->nall; i++) {
        const sim_meeting *m = d->all_meetings[i];
        if (m->deleted) {
            if (dump_deleted(m))
                json_array_append_new(meetings, dump_meeting(m));
            continue;
        }
        live++;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)m->id);
        json_object_set_new(regc, key, json_integer(m->nregs));
        json_array_append_new(meetings, dump_meeting(m));
    }
    json_t *counts = json_pack("{s:I,s:I,s:o}", "users", (json_int_t)nusers, "meetings",
                               (json_int_t)live, "registrants", regc);
    return json_pack("{s:o,s:i,s:I,s:o,s:o}", "counts", counts, "create_day", d->create_day,
                     "user_creates", (json_int_t)d->user_creates, "users", users, "meetings",
                     meetings);
}

/* --- load */

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int load_user(sim *s, json_t *uj)
{
    const char *id = jstr(uj, "id"), *email = jstr(uj, "email");
    int st = (int)json_integer_value(json_object_get(uj, "status"));
    int role = (int)json_integer_value(json_object_get(uj, "role"));
    if (!id || strlen(id) > 22 || !email || st < 0 || st >= U_NSTATUS || role < 0 ||
        role >= U_NROLE || sim_map_get(&s->data->by_id, id))
        return ZF_EPARSE;
    sim_user *u = sim_data_user_add(
        s, id, email, (int)json_integer_value(json_object_get(uj, "type")), st, role,
        jstr(uj, "first_name"), jstr(uj, "last_name"), jstr(uj, "display_name"));
    if (!u)
        return ZF_EPARSE; /* a second user with that email, or no memory */
    u->timezone = sim_data_strdup0(jstr(uj, "timezone"));
    u->pmi = json_integer_value(json_object_get(uj, "pmi"));
    u->created_at = json_integer_value(json_object_get(uj, "created_at"));
    u->mtg_day = (int32_t)json_integer_value(json_object_get(uj, "mtg_day"));
    u->mtg_writes = (uint16_t)json_integer_value(json_object_get(uj, "mtg_writes"));
    json_t *profile = json_object_get(uj, "profile");
    if (profile && !json_is_object(profile))
        return ZF_EPARSE;
    u->profile = profile ? json_deep_copy(profile) : NULL;
    return 0;
}

static int load_registrants(sim *s, sim_meeting *m, json_t *arr)
{
    json_t *rj;
    size_t i;
    json_array_foreach (arr, i, rj) {
        const char *email = jstr(rj, "email"), *id = jstr(rj, "id");
        json_t *f = json_object_get(rj, "fields");
        int existed, st = (int)json_integer_value(json_object_get(rj, "status"));
        if (!email || !id || !json_is_object(f) || st < 0 || st > 2)
            return ZF_EPARSE;
        sim_registrant *r = sim_data_registrant_add(s, m, email, json_deep_copy(f),
                                                    jstr(rj, "occurrence_ids"), 0, &existed);
        if (!r || existed)
            return ZF_EPARSE; /* a second registrant with that email, or no memory */
        snprintf(r->id, sizeof r->id, "%s", id);
        m->nregs_status[r->status]--;
        r->status = (uint8_t)st;
        m->nregs_status[st]++;
        r->create_time = json_integer_value(json_object_get(rj, "create_time"));
    }
    return 0;
}

static int load_recordings(sim *s, sim_meeting *m, json_t *arr)
{
    json_t *rj, *fj;
    size_t i, k;
    json_array_foreach (arr, i, rj) {
        json_t *files = json_object_get(rj, "files");
        const char *types[16];
        uint64_t sizes[16];
        int n = 0;
        json_array_foreach (files, k, fj) {
            if (n == 16 || !jstr(fj, "file_type") || !jstr(fj, "id"))
                return ZF_EPARSE;
            types[n] = jstr(fj, "file_type");
            sizes[n++] = (uint64_t)json_integer_value(json_object_get(fj, "size"));
        }
        sim_recording *rec = sim_data_recording_add(
            s, m, jstr(rj, "uuid"), json_integer_value(json_object_get(rj, "start")), n, types,
            sizes);
        if (!rec)
            return ZF_EPARSE; /* a second recording with that uuid, or no memory */
        for (int f = 0; f < n; f++) {
            sim_map_del(&s->data->files, rec->files[f].id);
            snprintf(rec->files[f].id, sizeof rec->files[f].id, "%s",
                     jstr(json_array_get(files, (size_t)f), "id"));
            sim_map_put(&s->data->files, rec->files[f].id, &rec->files[f]);
        }
        const char *owner = jstr(rj, "owner");
        if (owner && !(rec->owner = sim_map_get(&s->data->by_id, owner)))
            return ZF_EPARSE;
        rec->kept = json_is_true(json_object_get(rj, "kept"));
    }
    return 0;
}

static int load_pasts(sim *s, sim_meeting *m, json_t *arr)
{
    json_t *pj;
    size_t i;
    json_array_foreach (arr, i, pj) {
        json_t *parts = json_object_get(pj, "participants");
        if (!jstr(pj, "uuid") || !json_is_array(parts))
            return ZF_EPARSE;
        if (!sim_data_past_add(
                s, m, jstr(pj, "uuid"), json_integer_value(json_object_get(pj, "start")),
                json_integer_value(json_object_get(pj, "end")), json_deep_copy(parts)))
            return ZF_EPARSE; /* a second instance with that uuid, or no memory */
    }
    return 0;
}

static int load_meeting(sim *s, json_t *mj)
{
    const char *host = jstr(mj, "host_id"), *uuid = jstr(mj, "uuid");
    sim_user *u = host ? sim_map_get(&s->data->by_id, host) : NULL;
    json_t *settings = json_object_get(mj, "settings");
    if (!u || !uuid || strlen(uuid) > 24 || !json_is_object(settings))
        return ZF_EPARSE;
    sim_meeting *m = calloc(1, sizeof *m);
    if (!m)
        return ZF_ENOMEM;
    sim_map_init(&m->reg_email);
    m->host = u;
    m->id = json_integer_value(json_object_get(mj, "id"));
    snprintf(m->uuid, sizeof m->uuid, "%s", uuid);
    m->type = (int)json_integer_value(json_object_get(mj, "type"));
    m->topic = strdup(jstr(mj, "topic") ? jstr(mj, "topic") : "");
    m->password = strdup(jstr(mj, "password") ? jstr(mj, "password") : "");
    m->timezone = strdup(jstr(mj, "timezone") ? jstr(mj, "timezone") : "UTC");
    m->agenda = sim_data_strdup0(jstr(mj, "agenda"));
    m->start_time = json_integer_value(json_object_get(mj, "start_time"));
    m->duration = (int)json_integer_value(json_object_get(mj, "duration"));
    m->created_at = json_integer_value(json_object_get(mj, "created_at"));
    m->settings = json_deep_copy(settings);
    m->recurrence = json_deep_copy(json_object_get(mj, "recurrence"));
    m->tracking_fields = json_deep_copy(json_object_get(mj, "tracking_fields"));
    m->occ = json_deep_copy(json_object_get(mj, "occurrences"));
    m->questions = json_deep_copy(json_object_get(mj, "questions"));
    int rc = !m->topic || !m->password || !m->timezone ? ZF_ENOMEM : sim_data_meeting_insert(s, m);
    if (rc != 0) {
        sim_data_meeting_free(m);
        return rc;
    }
    rc = load_registrants(s, m, json_object_get(mj, "registrants"));
    if (rc == 0)
        rc = load_recordings(s, m, json_object_get(mj, "recordings"));
    if (rc == 0)
        rc = load_pasts(s, m, json_object_get(mj, "past_meetings"));
    if (rc == 0 && json_is_true(json_object_get(mj, "deleted"))) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)m->id);
        m->deleted = 1;
        sim_map_del(&s->data->meetings, key);
    }
    return rc;
}

static int data_load(sim *s, json_t *obj)
{
    json_t *users = json_object_get(obj, "users"), *meetings = json_object_get(obj, "meetings");
    json_t *v;
    size_t i;
    if (!json_is_array(users) || json_array_size(users) == 0)
        return ZF_EPARSE;
    data_clear(s);
    int rc;
    json_array_foreach (users, i, v) {
        if ((rc = load_user(s, v)) != 0)
            return rc;
    }
    snprintf(s->owner_id, sizeof s->owner_id, "%s", s->data->users[0]->id);
    json_array_foreach (meetings, i, v) {
        if ((rc = load_meeting(s, v)) != 0)
            return rc;
    }
    s->data->create_day = (int32_t)json_integer_value(json_object_get(obj, "create_day"));
    s->data->user_creates = (uint32_t)json_integer_value(json_object_get(obj, "user_creates"));
    return 0;
}

const sim_module sim_mod_data = {
    "data", routes, data_init, data_reset, data_destroy, data_dump, data_load,
};
