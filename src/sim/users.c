/*
 * Users: POST /users, GET /users, GET /users/{userId}, GET
 * /users/{userId}/settings, plus the validation helpers the other data files
 * share (PATCH and DELETE are users_write.c). Lists are written straight
 * into the response buffer (no jansson): GET /users?page_size=300 must
 * sustain thousands of pages a second.
 */
#include "data.h"
#include "text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const sim_data_status_names[U_NSTATUS] = {"active", "inactive", "pending"};
static const char *const role_names[U_NROLE] = {"Owner", "Admin", "Member"};

/* --- shared helpers */

void sim_data_verr(json_t *errs, const char *field, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(errs, json_pack("{s:s,s:s}", "field", field, "message", msg));
}

const char *sim_data_vstr(json_t *errs, json_t *obj, const char *key, const char *field,
                          int required, size_t maxlen)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            sim_data_verr(errs, field, "%s is required.", field);
        return NULL;
    }
    if (!json_is_string(v)) {
        sim_data_verr(errs, field, "%s must be a string.", field);
        return NULL;
    }
    const char *s = json_string_value(v);
    if (required && !*s) {
        sim_data_verr(errs, field, "%s is required and must not be empty.", field);
        return NULL;
    }
    if (maxlen && strlen(s) > maxlen) {
        sim_data_verr(errs, field, "%s must be at most %zu characters long.", field, maxlen);
        return NULL;
    }
    return s;
}

int sim_data_email_ok(const char *e)
{
    const char *at = strchr(e, '@');
    if (!at || at == e || strchr(at + 1, '@'))
        return 0;
    for (const char *p = e; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == ',' || *p == ';' || *p == '<' || *p == '>')
            return 0;
    const char *dot = strrchr(at + 1, '.');
    return dot && dot > at + 1 && dot[1] && at[1] != '.' && e[strlen(e) - 1] != '.';
}

int sim_data_qint(sim_req *rq, json_t *errs, const char *key, long def, long lo, long hi, long *out)
{
    const char *v = sim_query(rq, key);
    *out = def;
    if (!v || !*v)
        return 0;
    int64_t n;
    if (zf_parse_i64(v, lo, hi, &n) < 0) {
        sim_data_verr(errs, key, "%s must be an integer between %ld and %ld.", key, lo, hi);
        return ZF_EVALIDATION;
    }
    *out = n;
    return 0;
}

char *sim_data_strdup0(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

void sim_data_lower(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < n; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

int32_t sim_data_day(int64_t t)
{
    return (int32_t)((t >= 0 ? t : t - 86399) / 86400);
}

void sim_data_daily_429(sim_resp *rs, int64_t now, long limit, const char *msg)
{
    sim_error(rs, 429, 429, "%s", msg);
    sim_limits_daily_headers(rs, "Light", limit, sim_data_day(now));
}

void sim_data_page_tail(zf_buf *b, const char *token, long page_size, long page_number,
                        size_t total)
{
    size_t pages = total ? (total + (size_t)page_size - 1) / (size_t)page_size : 0;
    zf_buf_appendf(b,
                   "\"page_count\":%zu,\"page_number\":%ld,\"page_size\":%ld,"
                   "\"total_records\":%zu,\"next_page_token\":",
                   pages, page_number, page_size, total);
    zf_buf_put_jsonstr(b, token);
}

/* --- the user table */

void sim_data_user_free(sim_user *u)
{
    if (!u)
        return;
    free(u->email);
    free(u->first_name);
    free(u->last_name);
    free(u->display_name);
    free(u->timezone);
    json_decref(u->profile);
    free(u->meetings);
    free(u);
}

sim_user *sim_data_user_add(sim *s, const char *id, const char *email, int type, int status,
                            int role, const char *first, const char *last, const char *display)
{
    struct sim_data *d = s->data;
    char low[160];
    if (d->nusers == d->capusers) {
        size_t ncap = d->capusers ? d->capusers * 2 : 64;
        sim_user **n = realloc(d->users, ncap * sizeof *n);
        if (!n)
            return NULL;
        d->users = n;
        d->capusers = ncap;
    }
    sim_user *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    if (id)
        snprintf(u->id, sizeof u->id, "%s", id);
    while (!id && (!u->id[0] || sim_map_get(&d->by_id, u->id)))
        sim_random_id(u->id, sizeof u->id, 22);
    u->type = (uint8_t)type;
    u->status = (uint8_t)status;
    u->role = (uint8_t)role;
    u->email = strdup(email);
    u->first_name = sim_data_strdup0(first);
    u->last_name = sim_data_strdup0(last);
    u->display_name = sim_data_strdup0(display);
    u->created_at = sim_now(s);
    uint64_t h = 1469598103934665603ull;
    for (const char *p = u->id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    u->pmi = 2000000000LL + (int64_t)(h % 7999999999ull); /* 10 digits */
    sim_data_lower(low, sizeof low, email);
    if (!u->email || sim_map_put(&d->by_id, u->id, u) || sim_map_put(&d->by_email, low, u)) {
        sim_map_del(&d->by_id, u->id);
        sim_data_user_free(u);
        return NULL;
    }
    d->users[d->nusers++] = u;
    d->count[status][role]++;
    return u;
}

sim_user *sim_data_user_find(sim *s, const sim_req *rq, const char *key)
{
    if (strcmp(key, "me") == 0)
        key = rq && rq->auth ? rq->auth->user_id : s->owner_id;
    sim_user *u = sim_map_get(&s->data->by_id, key);
    if (u || !strchr(key, '@'))
        return u;
    char low[160];
    sim_data_lower(low, sizeof low, key);
    return sim_map_get(&s->data->by_email, low);
}

static void put_kv(zf_buf *b, const char *k, const char *v)
{
    zf_buf_appendf(b, "\"%s\":", k);
    zf_buf_put_jsonstr(b, v ? v : "");
    zf_buf_putc(b, ',');
}

static const char *user_tz(const sim_user *u)
{
    return u->timezone ? u->timezone : "America/Los_Angeles";
}

/* "key":<the profile's value, or dflt (JSON text)>, */
static void put_profile(zf_buf *b, const sim_user *u, const char *key, const char *dflt)
{
    json_t *v = json_object_get(u->profile, key);
    char *text = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    zf_buf_appendf(b, "\"%s\":%s,", key, text ? text : dflt);
    free(text);
}

/* The profile keys the user objects write in place; the others follow. */
static const char *const profile_in_place[] = {"use_pmi", "dept", "language", NULL};

static void put_profile_rest(zf_buf *b, const sim_user *u)
{
    const char *key;
    json_t *v;
    json_object_foreach (u->profile, key, v) {
        int in_place = 0;
        for (int i = 0; profile_in_place[i]; i++)
            in_place |= strcmp(key, profile_in_place[i]) == 0;
        char *text = in_place ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (text)
            zf_buf_appendf(b, ",\"%s\":%s", key, text);
        free(text);
    }
}

/* One users[] item of GET /users (Zoom omits id for pending users). */
void sim_data_user_list_json(zf_buf *b, const sim_user *u)
{
    char iso[32];
    sim_fmt_time(iso, u->created_at);
    zf_buf_putc(b, '{');
    if (u->status != U_PENDING)
        put_kv(b, "id", u->id);
    put_kv(b, "first_name", u->first_name);
    put_kv(b, "last_name", u->last_name);
    put_kv(b, "display_name", u->display_name);
    put_kv(b, "email", u->email);
    zf_buf_appendf(b, "\"type\":%d,\"pmi\":%lld,", u->type, (long long)u->pmi);
    put_kv(b, "timezone", user_tz(u));
    put_profile(b, u, "dept", "\"\"");
    put_profile(b, u, "language", "\"en-US\"");
    zf_buf_appendf(b,
                   "\"verified\":%d,\"user_created_at\":\"%s\","
                   "\"created_at\":\"%s\",\"status\":\"%s\","
                   "\"role_id\":\"%d\",\"group_ids\":[],\"im_group_ids\":[]}",
                   u->status == U_ACTIVE, iso, iso, sim_data_status_names[u->status], u->role);
}

static void user_full_json(sim *s, zf_buf *b, const sim_user *u)
{
    char iso[32];
    sim_fmt_time(iso, u->created_at);
    zf_buf_putc(b, '{');
    put_kv(b, "id", u->id);
    put_kv(b, "first_name", u->first_name);
    put_kv(b, "last_name", u->last_name);
    put_kv(b, "display_name", u->display_name);
    put_kv(b, "email", u->email);
    zf_buf_appendf(b,
                   "\"type\":%d,\"role_name\":\"%s\",\"pmi\":%lld,"
                   "\"personal_meeting_url\":\"%s/j/%lld\",",
                   u->type, role_names[u->role], (long long)u->pmi, s->base_url, (long long)u->pmi);
    put_profile(b, u, "use_pmi", "false");
    put_profile(b, u, "dept", "\"\"");
    put_profile(b, u, "language", "\"en-US\"");
    put_kv(b, "timezone", user_tz(u));
    zf_buf_appendf(b,
                   "\"verified\":%d,\"created_at\":\"%s\",\"user_created_at\":\"%s\","
                   "\"phone_number\":\"\",\"status\":\"%s\",\"role_id\":\"%d\","
                   "\"account_id\":\"%s\",\"account_number\":10000001,"
                   "\"cluster\":\"us06\",\"login_types\":[100],\"group_ids\":[],"
                   "\"im_group_ids\":[],\"jid\":\"%s@xmpp.zoom.us\"",
                   u->status == U_ACTIVE, iso, iso, sim_data_status_names[u->status], u->role,
                   s->account_id, u->id);
    put_profile_rest(b, u);
    zf_buf_putc(b, '}');
}

/* --- POST /users */

static const char *const actions[] = {"create", "autoCreate", "custCreate", "ssoCreate"};

/* Zoom's default password rules: 8-32 chars, a letter and a digit, upper and
 * lower case, not one repeated character, not a consecutive run. */
static const char *password_problem(const char *p)
{
    size_t n = strlen(p);
    int up = 0, lo = 0, dig = 0, same = 1, run = 1;
    if (n < 8 || n > 32)
        return "must be 8 to 32 characters long";
    for (size_t i = 0; i < n; i++) {
        up |= isupper((unsigned char)p[i]) != 0;
        lo |= islower((unsigned char)p[i]) != 0;
        dig |= isdigit((unsigned char)p[i]) != 0;
        if (i) {
            same &= p[i] == p[0];
            run &= p[i] == p[i - 1] + 1;
        }
    }
    if (!(up && lo && dig))
        return "must contain upper and lower case letters and a digit";
    if (same)
        return "must not be one repeated character";
    if (run)
        return "must not be a run of consecutive characters";
    return NULL;
}

static long create_quota(const sim *s)
{
    switch (s->opts.plan) {
    case SIM_PLAN_FREE:
        return 50;
    case SIM_PLAN_BUSINESS:
        return 10000;
    default:
        return 1500;
    }
}

static int validate_user(json_t *body, json_t *errs, int *action)
{
    const char *act = sim_data_vstr(errs, body, "action", "action", 1, 0);
    *action = -1;
    for (int i = 0; act && i < 4; i++)
        if (strcmp(act, actions[i]) == 0)
            *action = i;
    if (act && *action < 0)
        sim_data_verr(errs, "action",
                      "action must be one of create, autoCreate, custCreate, ssoCreate.");
    json_t *ui = json_object_get(body, "user_info");
    if (!json_is_object(ui)) {
        sim_data_verr(errs, "user_info", "user_info is required and must be an object.");
        return ZF_EVALIDATION;
    }
    const char *email = sim_data_vstr(errs, ui, "email", "user_info.email", 1, 128);
    if (email && !sim_data_email_ok(email))
        sim_data_verr(errs, "user_info.email", "user_info.email is not a valid email address.");
    json_t *t = json_object_get(ui, "type");
    json_int_t tv = json_integer_value(t);
    if (!t)
        sim_data_verr(errs, "user_info.type", "user_info.type is required.");
    else if (!json_is_integer(t) || (tv != 1 && tv != 2 && tv != 4))
        sim_data_verr(errs, "user_info.type", "user_info.type must be 1, 2 or 4.");
    sim_data_vstr(errs, ui, "first_name", "user_info.first_name", 0, 64);
    sim_data_vstr(errs, ui, "last_name", "user_info.last_name", 0, 64);
    sim_data_vstr(errs, ui, "display_name", "user_info.display_name", 0, 128);
    if (*action == 1) {
        const char *pw = sim_data_vstr(errs, ui, "password", "user_info.password", 0, 0);
        const char *why = pw ? password_problem(pw) : NULL;
        if (why)
            sim_data_verr(errs, "user_info.password", "user_info.password %s.", why);
    }
    return json_array_size(errs) ? ZF_EVALIDATION : 0;
}

/* --- webhooks: the user.* events */

json_t *sim_data_user_hook_json(const sim_user *u)
{
    json_t *j =
        json_pack("{s:s,s:s,s:s}", "id", u->id, "first_name", u->first_name ? u->first_name : "",
                  "last_name", u->last_name ? u->last_name : "");
    if (u->display_name)
        json_object_set_new(j, "display_name", json_string(u->display_name));
    json_object_set_new(j, "email", json_string(u->email));
    json_object_set_new(j, "type", json_integer(u->type));
    return j;
}

void sim_data_user_emit(sim_req *rq, const char *event, const sim_user *u, const char *extra_key,
                        const char *extra)
{
    json_t *pl = sim_webhook_operator(rq->s, rq);
    if (extra_key)
        json_object_set_new(pl, extra_key, json_string(extra));
    json_object_set_new(pl, "object", sim_data_user_hook_json(u));
    sim_webhook_emit_payload(rq->s, event, pl, NULL);
}

void sim_h_users_create(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    struct sim_data *d = s->data;
    json_t *body = sim_body_json(rq, rs), *errs = json_array();
    int action;
    if (!body)
        goto done;
    if (validate_user(body, errs, &action) != 0) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    json_t *ui = json_object_get(body, "user_info");
    const char *email = json_string_value(json_object_get(ui, "email"));
    if (sim_data_user_find(s, rq, email)) {
        sim_error(rs, 409, 1005, "Email %s has already been used.", email);
        goto done;
    }
    if (action == 0) {
        if (d->create_day != sim_data_day(rq->now)) {
            d->create_day = sim_data_day(rq->now);
            d->user_creates = 0;
        }
        long q = create_quota(s);
        if (d->user_creates >= (uint32_t)q) {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "You have exceeded the daily rate limit (%ld) of user invite requests "
                     "permitted for this account. You may resume these requests at GMT "
                     "00:00:00.",
                     q);
            sim_data_daily_429(rs, rq->now, q, msg);
            goto done;
        }
        d->user_creates++;
    }
    sim_user *u =
        sim_data_user_add(s, NULL, email, (int)json_integer_value(json_object_get(ui, "type")),
                          action == 0 ? U_PENDING : U_ACTIVE, ROLE_MEMBER,
                          json_string_value(json_object_get(ui, "first_name")),
                          json_string_value(json_object_get(ui, "last_name")),
                          json_string_value(json_object_get(ui, "display_name")));
    if (!u) {
        sim_error(rs, 500, 500, "out of memory");
        goto done;
    }
    json_t *out = json_pack("{s:s,s:s,s:i}", "id", u->id, "email", u->email, "type", u->type);
    json_object_set_new(out, "first_name", json_string(u->first_name ? u->first_name : ""));
    json_object_set_new(out, "last_name", json_string(u->last_name ? u->last_name : ""));
    sim_json(rs, 201, out);
    sim_data_user_emit(rq, "user.created", u, "creation_type", actions[action]);
done:
    json_decref(body);
    json_decref(errs);
}

/* --- GET /users */

static int role_index(const char *r)
{
    if (!r || !*r)
        return -1;
    if (r[1] == '\0' && r[0] >= '0' && r[0] <= '2')
        return r[0] - '0';
    return U_NROLE; /* matches nobody */
}

static int status_index(const char *st)
{
    if (!st || !*st)
        return U_ACTIVE;
    for (int i = 0; i < U_NSTATUS; i++)
        if (strcmp(st, sim_data_status_names[i]) == 0)
            return i;
    return -1;
}

void sim_h_users_list(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    struct sim_data *d = s->data;
    json_t *errs = json_array();
    long ps, pn;
    const char *st = sim_query(rq, "status"), *tok = sim_query(rq, "next_page_token");
    int status = status_index(st), role = role_index(sim_query(rq, "role_id"));
    sim_user **page = NULL;
    if (status < 0)
        sim_data_verr(errs, "status", "status must be one of active, inactive, pending.");
    sim_data_qint(rq, errs, "page_size", 30, 1, 2000, &ps);
    sim_data_qint(rq, errs, "page_number", 1, 1, 1000000000, &pn);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        return;
    }
    json_decref(errs);
    size_t total = 0;
    for (int r = 0; r < U_NROLE; r++)
        if (role < 0 || role == r)
            total += d->count[status][r];
    char key[64];
    snprintf(key, sizeof key, "users|%d|%d", status, role);
    sim_page pg;
    if (sim_page_start(s, rs, tok, key, ps, pn, &pg) != 0)
        return;
    page = malloc((size_t)ps * sizeof *page);
    if (!page) {
        sim_error(rs, 500, 500, "out of memory");
        return;
    }
    size_t got = 0, i = (size_t)pg.pos;
    for (; i < d->nusers && got < (size_t)ps; i++) {
        sim_user *u = d->users[i];
        if (u->deleted || u->status != status || (role >= 0 && u->role != role))
            continue;
        if (pg.skip) {
            pg.skip--;
            continue;
        }
        page[got++] = u;
    }
    char next[33];
    sim_page_next(s, key, &pg, i, got, total, ps, next);
    zf_buf *b = &rs->body;
    zf_buf_reset(b);
    zf_buf_putc(b, '{');
    sim_data_page_tail(b, next, ps, pg.number, total);
    zf_buf_puts(b, ",\"users\":[");
    for (size_t k = 0; k < got; k++) {
        if (k)
            zf_buf_putc(b, ',');
        sim_data_user_list_json(b, page[k]);
    }
    zf_buf_puts(b, "]}");
    rs->status = 200;
    free(page);
}

/* --- GET /users/{userId}, /settings */

void sim_h_user_get(sim_req *rq, sim_resp *rs)
{
    sim_user *u = sim_data_user_find(rq->s, rq, rq->param[0]);
    if (!u) {
        sim_error(rs, 404, 1001, "User does not exist: %s.", rq->param[0]);
        return;
    }
    zf_buf_reset(&rs->body);
    user_full_json(rq->s, &rs->body, u);
    rs->status = 200;
}

/* A realistic (abridged) settings object; the data that matters to clients
 * (passcode requirements, recording, registration-related switches). */
static const char settings_json[] =
    "{\"schedule_meeting\":{\"host_video\":false,\"participants_video\":false,"
    "\"audio_type\":\"both\",\"join_before_host\":false,\"jbh_time\":0,"
    "\"force_pmi_jbh_password\":false,\"pstn_password_protected\":false,"
    "\"use_pmi_for_scheduled_meetings\":false,\"use_pmi_for_instant_meetings\":false,"
    "\"require_password_for_scheduling_new_meetings\":true,"
    "\"require_password_for_instant_meetings\":true,"
    "\"require_password_for_pmi_meetings\":\"all\",\"embed_password_in_join_link\":true,"
    "\"meeting_password_requirement\":{\"length\":6,\"have_letter\":false,"
    "\"have_number\":false,\"have_special_character\":false,\"only_allow_numeric\":false,"
    "\"have_upper_and_lower_characters\":false,\"consecutive_characters_length\":0,"
    "\"weak_enhance_detection\":false},\"personal_meeting\":true,"
    "\"default_password_for_scheduled_meetings\":\"\",\"mute_upon_entry\":false,"
    "\"continuous_meeting_chat\":{\"enable\":true,\"can_add_external_users\":false,"
    "\"auto_add_invited_external_users\":false}},"
    "\"in_meeting\":{\"e2e_encryption\":false,\"chat\":true,\"private_chat\":true,"
    "\"auto_saving_chat\":false,\"entry_exit_chime\":\"none\","
    "\"record_play_voice\":false,\"feedback\":false,\"co_host\":true,\"polling\":true,"
    "\"attendee_on_hold\":false,\"annotation\":true,\"remote_control\":true,"
    "\"non_verbal_feedback\":true,\"breakout_room\":true,\"remote_support\":false,"
    "\"closed_caption\":true,\"group_hd\":false,\"virtual_background\":true,"
    "\"far_end_camera_control\":false,\"share_dual_camera\":false,\"waiting_room\":true,"
    "\"allow_live_streaming\":false,\"workplace_by_facebook\":false,"
    "\"custom_live_streaming\":false,\"show_meeting_control_toolbar\":false,"
    "\"data_center_regions\":[],\"meeting_reactions\":true,\"screen_sharing\":true,"
    "\"who_can_share_screen\":\"host\",\"who_can_share_screen_when_someone_is_sharing\":"
    "\"host\",\"allow_participants_chat_with\":4,\"allow_users_save_chats\":2},"
    "\"email_notification\":{\"jbh_reminder\":true,\"cancel_meeting_reminder\":true,"
    "\"alternative_host_reminder\":true,\"schedule_for_reminder\":true,"
    "\"cloud_recording_available_reminder\":true,\"recording_available_reminder_"
    "schedulers\":true,\"recording_available_reminder_alternative_hosts\":false},"
    "\"recording\":{\"local_recording\":true,\"cloud_recording\":true,"
    "\"record_speaker_view\":true,\"record_gallery_view\":false,"
    "\"record_audio_file\":true,\"save_chat_text\":true,\"show_timestamp\":true,"
    "\"recording_audio_transcript\":true,\"auto_recording\":\"none\","
    "\"cloud_recording_download\":true,\"cloud_recording_download_host\":true,"
    "\"account_user_access_recording\":false,\"auto_delete_cmr\":false,"
    "\"auto_delete_cmr_days\":30,\"record_audio_file_each_participant\":false,"
    "\"host_pause_stop_recording\":true,\"recording_disclaimer\":true,"
    "\"recording_password_requirement\":{\"length\":8,\"have_letter\":false,"
    "\"have_number\":false,\"have_special_character\":false,\"only_allow_numeric\":false}},"
    "\"telephony\":{\"third_party_audio\":false,\"audio_conference_info\":\"\","
    "\"show_international_numbers_link\":true,\"telephony_regions\":{"
    "\"allowed_values\":[\"US\"],\"selection_values\":\"US\"}},"
    "\"feature\":{\"meeting_capacity\":100,\"large_meeting\":false,\"webinar\":false,"
    "\"cn_meeting\":false,\"in_meeting\":false,\"zoom_phone\":false,"
    "\"concurrent_meeting\":\"Basic\",\"zoom_events\":false},"
    "\"security\":{\"waiting_room\":true,\"embed_password_in_join_link\":true,"
    "\"password_requirement\":{\"minimum_password_length\":8,\"have_special_character\":"
    "false,\"consecutive_characters_length\":0,\"weak_enhance_detection\":false},"
    "\"require_password_for_scheduled_meetings\":true,\"only_authenticated_can_join_from_"
    "webclient\":false,\"phone_password\":false,\"pmi_password\":true},"
    "\"tsp\":{\"call_out\":false,\"show_international_numbers_link\":false},"
    "\"profile\":{\"recording_storage_location\":{\"allowed_values\":[\"US\"],"
    "\"value\":\"US\"}}}";

void sim_h_user_settings(sim_req *rq, sim_resp *rs)
{
    sim_user *u = sim_data_user_find(rq->s, rq, rq->param[0]);
    if (!u) {
        sim_error(rs, 404, 1001, "User does not exist: %s.", rq->param[0]);
        return;
    }
    zf_buf_reset(&rs->body);
    zf_buf_append(&rs->body, settings_json, sizeof settings_json - 1);
    rs->status = 200;
}
