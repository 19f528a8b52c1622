/*
 * Users, the writes to one user: PATCH /users/{userId} (only the fields
 * given change) and DELETE /users/{userId} (disassociate or delete, with
 * the transfers of meetings and recordings). Apart from users.c because
 * they reach into meetings and recordings, which depend on users.c's
 * helpers: here nothing depends back.
 */
#include "data.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- webhooks: what user.updated compares (the user.* helpers are in users.c) */

/* What a PATCH can change, as user.updated names it. */
static json_t *user_fields(const sim_user *u)
{
    json_t *j = json_pack(
        "{s:s,s:s,s:s,s:i,s:I,s:s}", "first_name", u->first_name ? u->first_name : "", "last_name",
        u->last_name ? u->last_name : "", "display_name", u->display_name ? u->display_name : "",
        "type", u->type, "pmi", (json_int_t)u->pmi, "timezone", u->timezone ? u->timezone : "");
    if (u->profile)
        json_object_update(j, u->profile);
    return j;
}

/* --- PATCH /users/{userId}: only the fields given change */

typedef enum pf_kind { PF_STR, PF_BOOL, PF_INT, PF_ARRAY, PF_OBJECT } pf_kind;

/* Profile fields kept in sim_user.profile; `max` is a string's length, an
 * array's items or an integer's maximum (0: none), `min` an integer's
 * minimum or a string's least length. */
static const struct profile_field {
    const char *key;
    pf_kind kind;
    long max, min;
} profile_fields[] = {
    {"use_pmi", PF_BOOL, 0, 0},
    {"language", PF_STR, 0, 0},
    {"dept", PF_STR, 0, 0},
    {"job_title", PF_STR, 128, 0},
    {"company", PF_STR, 255, 0},
    {"location", PF_STR, 256, 0},
    {"manager", PF_STR, 0, 0},
    {"cost_center", PF_STR, 0, 0},
    {"group_id", PF_STR, 0, 0},
    {"host_key", PF_STR, 10, 6},
    {"vanity_name", PF_STR, 0, 0},
    {"cms_user_id", PF_STR, 0, 0},
    {"pronouns", PF_STR, 0, 0},
    {"pronouns_option", PF_INT, 3, 1},
    {"about_me", PF_STR, 150, 0},
    {"linkedin_url", PF_STR, 0, 0},
    {"plan_united_type", PF_STR, 0, 0},
    {"phone_numbers", PF_ARRAY, 3, 0},
    {"custom_attributes", PF_ARRAY, 5, 0},
    {"division_ids", PF_ARRAY, 1, 0},
    {"feature", PF_OBJECT, 0, 0},
};

static const char *const united_types[] = {
    "1",    "2",    "4",    "8",    "16",    "32",    "64",    "128",    "256",  "512",
    "1024", "2048", "4096", "8192", "16384", "32768", "65536", "131072", "none", NULL,
};

static bool only_digits(const char *s)
{
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static void check_profile_field(const struct profile_field *pf, json_t *v, json_t *errs)
{
    const char *k = pf->key;
    switch (pf->kind) {
    case PF_BOOL:
        if (!json_is_boolean(v))
            sim_data_verr(errs, k, "%s must be true or false.", k);
        return;
    case PF_INT:
        if (!json_is_integer(v) || json_integer_value(v) < pf->min ||
            json_integer_value(v) > pf->max)
            sim_data_verr(errs, k, "%s must be an integer between %ld and %ld.", k, pf->min,
                          pf->max);
        return;
    case PF_ARRAY:
        if (!json_is_array(v) || (pf->max && json_array_size(v) > (size_t)pf->max))
            sim_data_verr(errs, k, "%s must be an array of at most %ld items.", k, pf->max);
        return;
    case PF_OBJECT:
        if (!json_is_object(v))
            sim_data_verr(errs, k, "%s must be an object.", k);
        return;
    case PF_STR:
        break;
    }
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    if (!s || (pf->max && n > (size_t)pf->max) || n < (size_t)pf->min)
        sim_data_verr(errs, k, "%s must be a string of %ld to %ld characters.", k, pf->min,
                      pf->max ? pf->max : 1024L);
    else if (!strcmp(k, "host_key") && !only_digits(s))
        sim_data_verr(errs, k, "The host key must be 6 to 10 digits.");
    else if (!strcmp(k, "about_me") && (strchr(s, '<') || strstr(s, "://") || strstr(s, "www.")))
        sim_data_verr(errs, k,
                      "The `about_me` field is illegal and can't contain hyperlinks "
                      "or HTML code.");
    else if (!strcmp(k, "linkedin_url") && !strstr(s, "linkedin.com"))
        sim_data_verr(errs, k,
                      "The `linkedin_url` field is illegal. The URL must contain "
                      "`linkedin.com`.");
    else if (!strcmp(k, "plan_united_type")) {
        int ok = 0;
        for (int i = 0; united_types[i]; i++)
            ok |= strcmp(s, united_types[i]) == 0;
        if (!ok)
            sim_data_verr(errs, k,
                          "The value provided for \"plan_united_type\" parameter is "
                          "invalid. Try again with a valid value.");
    }
}

/* Every field of the patch at once; unknown keys are ignored, as Zoom does. */
static void validate_patch(json_t *b, json_t *errs)
{
    sim_data_vstr(errs, b, "first_name", "first_name", 0, 64);
    sim_data_vstr(errs, b, "last_name", "last_name", 0, 64);
    sim_data_vstr(errs, b, "display_name", "display_name", 0, 128);
    json_t *t = json_object_get(b, "type"), *pmi = json_object_get(b, "pmi");
    json_int_t tv = json_integer_value(t);
    if (t && (!json_is_integer(t) || (tv != 1 && tv != 2 && tv != 4)))
        sim_data_verr(errs, "type", "type must be 1, 2 or 4.");
    if (pmi && (!json_is_integer(pmi) || json_integer_value(pmi) < 1000000000LL ||
                json_integer_value(pmi) > 9999999999LL))
        sim_data_verr(errs, "pmi", "pmi must be a 10-digit number.");
    const char *tz = sim_data_vstr(errs, b, "timezone", "timezone", 0, 0);
    if (tz && *tz && !sim_data_tz_valid(tz))
        sim_data_verr(errs, "timezone", "timezone \"%s\" is not a Zoom time zone id.", tz);
    for (size_t i = 0; i < sizeof profile_fields / sizeof profile_fields[0]; i++) {
        json_t *v = json_object_get(b, profile_fields[i].key);
        if (v)
            check_profile_field(&profile_fields[i], v, errs);
    }
}

static void set_name(char **field, json_t *b, const char *key)
{
    json_t *v = json_object_get(b, key);
    if (!json_is_string(v))
        return;
    free(*field);
    *field = sim_data_strdup0(json_string_value(v));
}

static void apply_patch(sim_user *u, json_t *b)
{
    set_name(&u->first_name, b, "first_name");
    set_name(&u->last_name, b, "last_name");
    set_name(&u->display_name, b, "display_name");
    json_t *dn = json_object_get(b, "display_name");
    if (json_is_string(dn) && !*json_string_value(dn)) {
        /* Zoom derives an empty display name from the first and last names */
        char both[160];
        snprintf(both, sizeof both, "%s%s%s", u->first_name ? u->first_name : "",
                 u->first_name && u->last_name ? " " : "", u->last_name ? u->last_name : "");
        u->display_name = sim_data_strdup0(both);
    }
    set_name(&u->timezone, b, "timezone");
    if (json_object_get(b, "type"))
        u->type = (uint8_t)json_integer_value(json_object_get(b, "type"));
    if (json_object_get(b, "pmi"))
        u->pmi = json_integer_value(json_object_get(b, "pmi"));
    for (size_t i = 0; i < sizeof profile_fields / sizeof profile_fields[0]; i++) {
        json_t *v = json_object_get(b, profile_fields[i].key);
        if (v && (u->profile || (u->profile = json_object())))
            json_object_set(u->profile, profile_fields[i].key, v);
    }
}

void sim_h_user_patch(sim_req *rq, sim_resp *rs)
{
    sim_user *u = sim_data_user_find(rq->s, rq, rq->param[0]);
    json_t *b = NULL, *errs = json_array();
    if (!u) {
        sim_error(rs, 404, 1001, "User does not exist: %s.", rq->param[0]);
        goto done;
    }
    if (!(b = sim_body_json(rq, rs)))
        goto done;
    validate_patch(b, errs);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    json_t *t = json_object_get(b, "type");
    if (json_object_get(b, "pmi") && (t ? json_integer_value(t) : u->type) == 4) {
        sim_error(rs, 400, 200,
                  "You cannot change PMI information for a \"No Meetings "
                  "License\" user.");
        goto done;
    }
    json_t *before = user_fields(u);
    apply_patch(u, b);
    sim_empty(rs, 204);
    /* user.updated: id and what the patch changed, old values in
     * old_object */
    json_t *after = user_fields(u), *obj = json_pack("{s:s}", "id", u->id),
           *old = json_pack("{s:s}", "id", u->id), *v;
    const char *k;
    json_object_foreach (after, k, v) {
        json_t *was = json_object_get(before, k);
        if (!json_object_get(b, k) || json_equal(v, was))
            continue;
        json_object_set(obj, k, v);
        if (was)
            json_object_set(old, k, was);
    }
    json_decref(before);
    json_decref(after);
    json_t *pl = sim_webhook_operator(rq->s, rq);
    json_object_set_new(pl, "object", obj);
    json_object_set_new(pl, "time_stamp", json_integer(sim_webhook_now_ms(rq->s)));
    json_object_set_new(pl, "old_object", old);
    sim_webhook_emit_payload(rq->s, "user.updated", pl, NULL);
done:
    json_decref(b);
    json_decref(errs);
}

/* --- DELETE /users/{userId}: disassociate (Zoom's default) or delete */

static const char *const transfer_keys[] = {
    "transfer_meeting",   "transfer_webinar", "transfer_recording", "transfer_whiteboard",
    "transfer_clipfiles", "transfer_notes",   "transfer_visitors",  "transfer_docs",
};
enum { T_MEETING, T_WEBINAR, T_RECORDING, T_NKEYS = 8 };

typedef struct leave {
    int delete; /* action=delete, else disassociate */
    bool transfer[T_NKEYS];
    const char *to_email;
    sim_user *to;
} leave;

/* The query of a DELETE: false after writing Zoom's 300 into rs. */
static bool leave_query(sim_req *rq, sim_resp *rs, leave *l)
{
    json_t *errs = json_array();
    const char *act = sim_query(rq, "action");
    l->delete = act && !strcmp(act, "delete");
    if (act && *act && !l->delete &&strcmp(act, "disassociate"))
        sim_data_verr(errs, "action", "action must be disassociate or delete.");
    bool any = false;
    for (int i = 0; i < T_NKEYS; i++) {
        const char *v = sim_query(rq, transfer_keys[i]);
        l->transfer[i] = v && !strcmp(v, "true");
        any |= l->transfer[i];
        if (v && *v && !l->transfer[i] && strcmp(v, "false"))
            sim_data_verr(errs, transfer_keys[i], "%s must be true or false.", transfer_keys[i]);
    }
    l->to_email = sim_query(rq, "transfer_email");
    if (l->to_email && !*l->to_email)
        l->to_email = NULL;
    if (any && !l->to_email)
        sim_data_verr(errs, "transfer_email",
                      "transfer_email is required to transfer the "
                      "user's data.");
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        return false;
    }
    json_decref(errs);
    return true;
}

/* Zoom's refusals, in its order; 0 when u may leave. */
static int leave_refused(sim_req *rq, sim_resp *rs, const sim_user *u, leave *l)
{
    char a[160], b[160];
    if (l->to_email) {
        sim_data_lower(a, sizeof a, l->to_email);
        sim_data_lower(b, sizeof b, u->email);
        if (!strcmp(a, b)) {
            sim_error(rs, 400, 300,
                      "The transfer-to email address cannot be the same as the "
                      "unlinked or deleted user's email address.");
            return ZF_EVALIDATION;
        }
        l->to = sim_data_user_find(rq->s, rq, l->to_email);
        if (!l->to || l->to->status != U_ACTIVE) {
            sim_error(rs, 400, 300,
                      "The transfer-to user %s is not an active user of this "
                      "account.",
                      l->to_email);
            return ZF_EVALIDATION;
        }
    }
    if (!l->delete &&u->role != ROLE_MEMBER) {
        sim_error(rs, 400, 1117, "You can not disassociate an Admin user.");
        return ZF_EVALIDATION;
    }
    if (l->delete &&u->role == ROLE_OWNER) {
        sim_error(rs, 400, 200, "Cannot delete the account owner: %s.", u->email);
        return ZF_EVALIDATION;
    }
    if (l->delete &&u->status == U_PENDING) {
        sim_error(rs, 400, 300, "To delete a pending user, use action disassociate.");
        return ZF_EVALIDATION;
    }
    return 0;
}

static void give_meeting(sim_user *to, sim_meeting *m)
{
    if (to->nmeetings == to->capmeetings) {
        uint32_t nc = to->capmeetings ? to->capmeetings * 2 : 4;
        sim_meeting **n = realloc(to->meetings, nc * sizeof *n);
        if (!n)
            return; /* the meeting stays listed with its old host */
        to->meetings = n;
        to->capmeetings = nc;
    }
    to->meetings[to->nmeetings++] = m;
    m->host = to;
}

/* The user leaves: meetings and recordings go to l->to or with them; the
 * user stays in users[] (page positions) but leaves the maps and counts. */
static void user_leave(sim *s, sim_user *u, const leave *l)
{
    struct sim_data *d = s->data;
    /* recordings first: once their meeting is deleted they are no longer live */
    sim_data_recordings_hand_over(s, u, l->transfer[T_RECORDING] ? l->to : NULL);
    for (uint32_t i = 0; i < u->nmeetings; i++) {
        sim_meeting *m = u->meetings[i];
        if (m->deleted || m->host != u)
            continue;
        if (l->transfer[T_MEETING]) {
            give_meeting(l->to, m);
            continue;
        }
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)m->id);
        m->deleted = 1;
        sim_map_del(&d->meetings, key);
    }
    char low[160];
    sim_data_lower(low, sizeof low, u->email);
    sim_map_del(&d->by_email, low);
    sim_map_del(&d->by_id, u->id);
    d->count[u->status][u->role]--;
    u->deleted = 1;
}

void sim_h_user_delete(sim_req *rq, sim_resp *rs)
{
    sim_user *u = sim_data_user_find(rq->s, rq, rq->param[0]);
    leave l = {0};
    if (!u) {
        sim_error(rs, 404, 1001, "User does not exist: %s.", rq->param[0]);
        return;
    }
    if (!leave_query(rq, rs, &l) || leave_refused(rq, rs, u, &l) != 0)
        return;
    user_leave(rq->s, u, &l);
    sim_empty(rs, 204);
    sim_data_user_emit(rq, l.delete ? "user.deleted" : "user.disassociated", u, NULL, NULL);
}

/* --- PUT /users/{userId}/status {action}: deactivate / activate */

void sim_h_user_status(sim_req *rq, sim_resp *rs)
{
    static const char *const acts[] = {"activate", "deactivate", "clock_in", "clock_out"};
    sim *s = rq->s;
    sim_user *u = sim_data_user_find(s, rq, rq->param[0]);
    json_t *b = NULL, *errs = json_array();
    if (!u) {
        sim_error(rs, 404, 1001, "User does not exist: %s.", rq->param[0]);
        goto done;
    }
    if (!(b = sim_body_json(rq, rs)))
        goto done;
    const char *a = sim_data_vstr(errs, b, "action", "action", 1, 0);
    int act = -1;
    for (int i = 0; a && i < 4; i++)
        if (strcmp(a, acts[i]) == 0)
            act = i;
    if (a && act < 0)
        sim_data_verr(errs, "action",
                      "action must be activate, deactivate, clock_in or clock_out.");
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    if (act >= 2) { /* clock in/out: nothing the emulator keeps */
        sim_empty(rs, 204);
        goto done;
    }
    if (u->role != ROLE_MEMBER) {
        sim_error(rs, 400, 200,
                  "Zoom Room and Admin users' status cannot be activated or "
                  "deactivated.");
        goto done;
    }
    if (u->status == U_PENDING) {
        sim_error(rs, 400, 300,
                  "The user has not accepted the invitation yet; a pending user "
                  "cannot be activated or deactivated.");
        goto done;
    }
    int to = act == 0 ? U_ACTIVE : U_INACTIVE;
    if (u->status != to) {
        s->data->count[u->status][u->role]--;
        u->status = (uint8_t)to;
        s->data->count[to][u->role]++;
        sim_data_user_emit(rq, act == 0 ? "user.activated" : "user.deactivated", u, NULL, NULL);
    }
    sim_empty(rs, 204);
done:
    json_decref(b);
    json_decref(errs);
}
