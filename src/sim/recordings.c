/*
 * Cloud recordings: GET /meetings/{meetingId}/recordings, the lists GET
 * /users/{userId}/recordings and GET /accounts/{accountId}/recordings (at
 * most one month between from and to per request, Zoom's rule), the file
 * download URLs (/rec/download/{fileId}, /rec/webhook_download/{fileId})
 * and the control route that completes a recording (POST /_sim/recordings,
 * which emits recording.completed).
 *
 * File bytes are never stored: a file is (seed, size) and server.c streams
 * sim_stream_fill() output, so multi-GiB files cost nothing and every
 * download (or Range of it) is byte-identical.
 *
 * Download tokens (download_access_token, the webhook's download_token) are
 * ordinary access tokens whose only scope is "zsim:download:<meeting id>":
 * they open that meeting's files and nothing else.
 */
#include "data.h"
#include "text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DL_SCOPE_PREFIX "zsim:download:"
#define DL_CLIENT "zoomsim-download"
#define MAX_FILES 16

typedef struct ftype {
    const char *type, *ext, *rtype, *mime, *suffix;
    int bare; /* CC and TIMELINE items carry no id/status/size/type/play_url */
} ftype;

static const ftype ftypes[] = {
    {"MP4", "MP4", "shared_screen_with_speaker_view", "video/mp4", "Recording_1920x1080", 0},
    {"M4A", "M4A", "audio_only", "audio/mp4", "Recording", 0},
    {"CHAT", "TXT", "chat_file", "text/plain", "Chat", 0},
    {"TRANSCRIPT", "VTT", "audio_transcript", "text/vtt", "Transcript", 0},
    {"CSV", "CSV", "poll", "text/csv", "Poll", 0},
    {"SUMMARY", "JSON", "summary", "application/json", "Summary", 0},
    {"CC", "VTT", "closed_caption", "text/vtt", "CC", 1},
    {"TIMELINE", "JSON", "timeline", "application/json", "Timeline", 1},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

static const ftype *ftype_find(const char *t)
{
    for (int i = 0; t && ftypes[i].type; i++)
        if (strcmp(ftypes[i].type, t) == 0)
            return &ftypes[i];
    return NULL;
}

static void file_id(char out[37])
{
    unsigned char r[16];
    static const char hx[] = "0123456789abcdef";
    sim_data_rand_bytes(r, 16);
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hx[r[i] >> 4];
        out[o++] = hx[r[i] & 15];
    }
    out[o] = '\0';
}

sim_recording *sim_data_recording_add(sim *s, sim_meeting *m, const char *uuid, int64_t start,
                                      int nfiles, const char *const *types, const uint64_t *sizes)
{
    struct sim_data *d = s->data;
    sim_recording *rec = calloc(1, sizeof *rec);
    sim_recording **nr = realloc(m->recs, (size_t)(m->nrecs + 1) * sizeof *nr);
    if (nr)
        m->recs = nr;
    if (!rec || !nr || !(rec->files = calloc((size_t)nfiles + 1, sizeof *rec->files))) {
        sim_data_recording_free(rec);
        return NULL;
    }
    if (uuid && *uuid)
        snprintf(rec->uuid, sizeof rec->uuid, "%s", uuid);
    else if (m->nrecs == 0 && !sim_map_get(&d->by_uuid, m->uuid))
        snprintf(rec->uuid, sizeof rec->uuid, "%s", m->uuid);
    else
        sim_data_new_uuid(rec->uuid);
    if (d->nrecs == d->caprecs) {
        size_t nc = d->caprecs ? d->caprecs * 2 : 64;
        sim_recording **n = realloc(d->recs, nc * sizeof *n);
        if (!n) {
            sim_data_recording_free(rec);
            return NULL;
        }
        d->recs = n;
        d->caprecs = nc;
    }
    rec->start = start;
    rec->duration = m->duration;
    rec->m = m;
    rec->owner = m->host;
    for (int i = 0; i < nfiles; i++) {
        sim_recfile *f = &rec->files[i];
        file_id(f->id);
        snprintf(f->file_type, sizeof f->file_type, "%s", types[i]);
        f->size = sizes[i];
        f->start = start;
        f->end = start + (int64_t)m->duration * 60;
        f->rec = rec;
    }
    rec->nfiles = nfiles;
    sim_map_put(&d->by_uuid, rec->uuid, rec);
    for (int i = 0; i < nfiles; i++)
        sim_map_put(&d->files, rec->files[i].id, &rec->files[i]);
    m->recs[m->nrecs++] = rec;
    d->recs[d->nrecs++] = rec;
    return rec;
}

bool sim_data_recording_live(const sim_recording *rec)
{
    return !rec->deleted && (rec->kept || !rec->m->deleted);
}

void sim_data_recordings_hand_over(sim *s, sim_user *from, sim_user *to)
{
    struct sim_data *d = s->data;
    for (size_t i = 0; i < d->nrecs; i++) {
        sim_recording *rec = d->recs[i];
        if (rec->owner != from || !sim_data_recording_live(rec))
            continue;
        if (to) {
            rec->owner = to;
            rec->kept = 1;
            continue;
        }
        rec->deleted = 1;
        sim_map_del(&d->by_uuid, rec->uuid);
        for (int k = 0; k < rec->nfiles; k++)
            sim_map_del(&d->files, rec->files[k].id);
    }
}

static void file_name(const sim_recfile *f, char *out, size_t n)
{
    const ftype *t = ftype_find(f->file_type);
    time_t st = (time_t)f->start;
    struct tm tm;
    gmtime_r(&st, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "GMT%Y%m%d-%H%M%S", &tm);
    char ext[8];
    sim_data_lower(ext, sizeof ext, t ? t->ext : "bin");
    snprintf(out, n, "%s_%s.%s", stamp, t ? t->suffix : "File", ext);
}

json_t *sim_data_recording_json(sim *s, const sim_recording *rec, int webhook)
{
    const sim_meeting *m = rec->m;
    char iso[32], url[256];
    sim_fmt_time(iso, rec->start);
    uint64_t total = 0;
    json_t *files = json_array();
    for (int i = 0; i < rec->nfiles; i++) {
        const sim_recfile *f = &rec->files[i];
        const ftype *t = ftype_find(f->file_type);
        char a[32], b[32];
        sim_fmt_time(a, f->start);
        sim_fmt_time(b, f->end);
        total += f->size;
        json_t *fj = json_object();
        if (!t->bare || webhook)
            json_object_set_new(fj, "id", json_string(f->id));
        json_object_set_new(fj, "meeting_id", json_string(rec->uuid));
        json_object_set_new(fj, "recording_start", json_string(a));
        json_object_set_new(fj, "recording_end", json_string(b));
        json_object_set_new(fj, "file_type", json_string(f->file_type));
        json_object_set_new(fj, "file_extension", json_string(t->ext));
        if (!t->bare || webhook)
            json_object_set_new(fj, "file_size", json_integer((json_int_t)f->size));
        if (!t->bare) {
            snprintf(url, sizeof url, "%s/rec/play/%s", s->base_url, f->id);
            json_object_set_new(fj, "play_url", json_string(url));
        }
        snprintf(url, sizeof url, "%s/rec/%s/%s", s->base_url,
                 webhook ? "webhook_download" : "download", f->id);
        json_object_set_new(fj, "download_url", json_string(url));
        if (!t->bare || webhook) {
            json_object_set_new(fj, "status", json_string("completed"));
            json_object_set_new(fj, "recording_type", json_string(t->rtype));
        }
        json_array_append_new(files, fj);
    }
    char type[8];
    snprintf(type, sizeof type, "%d", m->type);
    json_t *j =
        json_pack("{s:s,s:I,s:s,s:s,s:s}", "uuid", rec->uuid, "id", (json_int_t)m->id, "account_id",
                  s->account_id, "host_id", rec->owner->id, "topic", m->topic);
    json_object_set_new(j, "type", webhook ? json_integer(m->type) : json_string(type));
    json_object_set_new(j, "start_time", json_string(iso));
    if (webhook) {
        json_object_set_new(j, "host_email", json_string(rec->owner->email));
        json_object_set_new(j, "timezone", json_string(m->timezone));
    }
    json_object_set_new(j, "password", json_string(m->password));
    json_object_set_new(j, "duration", json_integer(rec->duration));
    snprintf(url, sizeof url, "%s/rec/share/%s", s->base_url, rec->files[0].id);
    json_object_set_new(j, "share_url", json_string(url));
    json_object_set_new(j, "total_size", json_integer((json_int_t)total));
    json_object_set_new(j, "recording_count", json_integer(rec->nfiles));
    json_object_set_new(j, "recording_files", files);
    return j;
}

static const char *issue_download_token(sim *s, const sim_meeting *m, int64_t ttl)
{
    char scope[64];
    snprintf(scope, sizeof scope, DL_SCOPE_PREFIX "%lld", (long long)m->id);
    const sim_access *a =
        sim_auth_issue(s, DL_CLIENT, s->account_id, m->host->id, scope, ttl, 0, 0);
    return a ? a->token : NULL;
}

/* --- GET /meetings/{meetingId}/recordings */

static sim_recording *find_recording(sim *s, const char *param)
{
    int digits = *param != '\0';
    for (const char *p = param; *p; p++)
        digits &= isdigit((unsigned char)*p) != 0;
    if (digits) {
        sim_meeting *m = sim_data_meeting_find(s, param);
        for (int i = m ? m->nrecs - 1 : -1; i >= 0; i--)
            if (sim_data_recording_live(m->recs[i]))
                return m->recs[i];
        return NULL;
    }
    sim_recording *rec = sim_map_get(&s->data->by_uuid, param);
    if (rec || !strchr(param, '%'))
        return rec;
    /* Zoom's double-encoding rule: the router decoded once; decode again */
    char *twice = sim_urldecode(param, strlen(param), 0);
    rec = twice ? sim_map_get(&s->data->by_uuid, twice) : NULL;
    free(twice);
    return rec;
}

void sim_h_recordings_get(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    json_t *errs = json_array();
    const char *inc = sim_query(rq, "include_fields");
    long ttl;
    if (inc && *inc && strcmp(inc, "download_access_token") != 0)
        sim_data_verr(errs, "include_fields", "include_fields only accepts download_access_token.");
    sim_data_qint(rq, errs, "ttl", 86400, 0, 604800, &ttl);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        return;
    }
    json_decref(errs);
    sim_recording *rec = find_recording(s, rq->param[0]);
    if (!rec || !sim_data_recording_live(rec)) {
        sim_error(rs, 404, 3301, "There is no recording for this meeting.");
        return;
    }
    json_t *j = sim_data_recording_json(s, rec, 0);
    if (inc && *inc) {
        const char *t = issue_download_token(s, rec->m, ttl ? ttl : 86400);
        json_object_set_new(j, "download_access_token", json_string(t ? t : ""));
    }
    sim_json(rs, 200, j);
}

/* --- GET /users/{userId}/recordings, GET /accounts/{accountId}/recordings */

typedef struct rec_filter {
    const sim_user *owner; /* NULL: every user of the account */
    int64_t from, to;      /* UTC days, inclusive */
    int64_t meeting_id;    /* 0: any */
    int trash;             /* the trash: zoomsim never trashes a recording */
} rec_filter;

static int days_in(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : n[m - 1];
}

/* "yyyy-MM-dd" -> UTC day; ZF_EPARSE when it is no such date. */
static int day_of(const char *s, int64_t *day)
{
    char buf[32];
    int64_t t;
    int hz;
    if (strlen(s) != 10)
        return ZF_EPARSE;
    snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
    if (sim_parse_time(buf, &t, &hz) != 0)
        return ZF_EPARSE;
    *day = sim_data_day(t);
    return 0;
}

static void date_of(char out[11], int64_t day)
{
    char iso[32];
    sim_fmt_time(iso, day * 86400);
    snprintf(out, 11, "%.10s", iso);
}

/* The last day Zoom answers for a range starting on `from`: the same day of
 * the next month, or that month's last day when it is shorter. */
static int64_t month_after(int64_t from)
{
    char d[11];
    date_of(d, from);
    int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    int m = (d[5] - '0') * 10 + (d[6] - '0'), dd = (d[8] - '0') * 10 + (d[9] - '0');
    if (++m > 12) {
        m = 1;
        y++;
    }
    int last = days_in(y, m);
    return from + (days_in(y, m == 1 ? 12 : m - 1) - dd) + (dd > last ? last : dd);
}

static bool rec_match(const sim_recording *rec, const rec_filter *f)
{
    if (f->trash || !sim_data_recording_live(rec) || (f->owner && rec->owner != f->owner))
        return false;
    int64_t day = sim_data_day(rec->start);
    return day >= f->from && day <= f->to && (!f->meeting_id || rec->m->id == f->meeting_id);
}

static bool query_bool(sim_req *rq, json_t *errs, const char *key, int *out)
{
    const char *v = sim_query(rq, key);
    *out = 0;
    if (!v || !*v || !strcmp(v, "false"))
        return true;
    if (!strcmp(v, "true")) {
        *out = 1;
        return true;
    }
    sim_data_verr(errs, key, "%s must be true or false.", key);
    return false;
}

/* Reads the filters every recordings list takes; false after writing
 * Zoom's 300 into rs. Without from the day is today; without to, the day
 * after from; a range of more than a month is cut to one, as Zoom does. */
static bool list_filter(sim_req *rq, sim_resp *rs, rec_filter *f, long *ps)
{
    json_t *errs = json_array();
    const char *fs = sim_query(rq, "from"), *ts = sim_query(rq, "to");
    const char *tt = sim_query(rq, "trash_type"), *mc = sim_query(rq, "mc");
    const char *mid = sim_query(rq, "meeting_id");
    int64_t today = sim_data_day(rq->now);
    f->from = today;
    f->to = today + 1;
    query_bool(rq, errs, "trash", &f->trash);
    if (tt && *tt && strcmp(tt, "meeting_recordings") && strcmp(tt, "recording_file"))
        sim_data_verr(errs, "trash_type",
                      "trash_type must be meeting_recordings or "
                      "recording_file.");
    if (mc && *mc && strcmp(mc, "true") && strcmp(mc, "false"))
        sim_data_verr(errs, "mc", "mc must be true or false.");
    if (fs && *fs && day_of(fs, &f->from) != 0)
        sim_data_verr(errs, "from", "from must be a date yyyy-MM-dd.");
    if (ts && *ts && day_of(ts, &f->to) != 0)
        sim_data_verr(errs, "to", "to must be a date yyyy-MM-dd.");
    else if (!(ts && *ts))
        f->to = fs && *fs ? (today > f->from ? today : f->from) : f->from + 1;
    if (f->to < f->from && !json_array_size(errs))
        sim_data_verr(errs, "to", "to must not be before from.");
    int64_t id = 0;
    if (mid && *mid && zf_parse_i64(mid, 1, INT64_C(999999999999999999), &id) < 0)
        sim_data_verr(errs, "meeting_id", "meeting_id must be a meeting number.");
    f->meeting_id = id;
    sim_data_qint(rq, errs, "page_size", 30, 1, 300, ps);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        return false;
    }
    json_decref(errs);
    if (f->to > month_after(f->from))
        f->to = month_after(f->from);
    return true;
}

static void list_recordings(sim_req *rq, sim_resp *rs, const sim_user *owner)
{
    sim *s = rq->s;
    struct sim_data *d = s->data;
    rec_filter f = {owner, 0, 0, 0, 0};
    long ps;
    if (!list_filter(rq, rs, &f, &ps))
        return;
    char key[160], from[11], to[11];
    date_of(from, f.from);
    date_of(to, f.to);
    /* the range answered, for the request log (tests check month walks) */
    snprintf(rq->log_detail, sizeof rq->log_detail, "from=%s to=%s", from, to);
    snprintf(key, sizeof key, "recordings|%s|%s|%s|%d|%lld", owner ? owner->id : "*", from, to,
             f.trash, (long long)f.meeting_id);
    size_t total = 0;
    for (size_t i = 0; i < d->nrecs; i++)
        total += rec_match(d->recs[i], &f);
    sim_page pg;
    if (sim_page_start(s, rs, sim_query(rq, "next_page_token"), key, ps, 1, &pg) != 0)
        return;
    json_t *arr = json_array();
    size_t got = 0, i = (size_t)pg.pos;
    for (; i < d->nrecs && got < (size_t)ps; i++) {
        if (!rec_match(d->recs[i], &f))
            continue;
        json_t *j = sim_data_recording_json(s, d->recs[i], 0);
        if (!owner)
            json_object_set_new(j, "host_email", json_string(d->recs[i]->owner->email));
        json_array_append_new(arr, j);
        got++;
    }
    char next[33];
    sim_page_next(s, key, &pg, i, got, total, ps, next);
    size_t pages = total ? (total + (size_t)ps - 1) / (size_t)ps : 0;
    sim_json(rs, 200,
             json_pack("{s:s,s:s,s:I,s:i,s:I,s:s,s:o}", "from", from, "to", to, "page_count",
                       (json_int_t)pages, "page_size", (int)ps, "total_records", (json_int_t)total,
                       "next_page_token", next, "meetings", arr));
}

void sim_h_recordings_list_user(sim_req *rq, sim_resp *rs)
{
    sim_user *u = sim_data_user_find(rq->s, rq, rq->param[0]);
    if (!u) {
        sim_error(rs, 404, 1001, "User %s does not exist, or does not belong to this account.",
                  rq->param[0]);
        return;
    }
    list_recordings(rq, rs, u);
}

#define RS_ACCOUNT_RECS "cloud_recording:read:list_account_recordings"

/* `me` is the token's account (the :admin scope suffices); an account id
 * needs the :master scope, and zoomsim has no sub accounts. */
void sim_h_recordings_list_account(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    const char *id = rq->param[0];
    if (strcmp(id, "me") == 0) {
        list_recordings(rq, rs, NULL);
        return;
    }
    if (!sim_auth_has_scope(rq->auth, RS_ACCOUNT_RECS ":master")) {
        sim_error(rs, 400, 4711,
                  "Invalid access token, does not contain scopes:[" RS_ACCOUNT_RECS ":master].");
        return;
    }
    if (strcmp(id, s->account_id) != 0) {
        sim_error(rs, 404, 2001, "Account does not exist: %s.", id);
        return;
    }
    list_recordings(rq, rs, NULL);
}

/* --- downloads */

/* 0 when the request may download f; otherwise ZF_EAUTH (401) or ZF_ESCOPE
 * (403) with the answer written into rs. */
static int download_auth(sim_req *rq, sim_resp *rs, const sim_recfile *f)
{
    const char *h = sim_header(rq, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *tok =
        h && strncasecmp(h, "Bearer ", 7) == 0 ? h + 7 : sim_query(rq, "access_token");
    int expired;
    const sim_access *a = tok && *tok ? sim_auth_lookup(rq->s, tok, &expired) : NULL;
    if (!a || a->superseded) {
        sim_error(rs, 401, 124, "Invalid access token.");
        return ZF_EAUTH;
    }
    if (expired) {
        sim_error(rs, 401, 124, "Access token is expired.");
        return ZF_EAUTH;
    }
    char scope[64];
    snprintf(scope, sizeof scope, DL_SCOPE_PREFIX "%lld", (long long)f->rec->m->id);
    if (strcmp(a->client_id, DL_CLIENT) == 0) {
        if (sim_auth_has_scope(a, scope))
            return 0;
    } else if (strcmp(a->account_id, rq->s->account_id) == 0 &&
               (sim_auth_has_scope(a, "cloud_recording:read:list_recording_files:admin") ||
                sim_auth_has_scope(a, "cloud_recording:read:list_recording_files") ||
                sim_auth_has_scope(a, "cloud_recording:read:list_recording_files:master"))) {
        return 0;
    }
    sim_error(rs, 403, 200, "You do not have the right permissions to download this file.");
    return ZF_ESCOPE;
}

typedef enum range_kind { RANGE_WHOLE, RANGE_PART, RANGE_UNSATISFIABLE } range_kind;

/* Parses a single "bytes=" range: the whole file, a part (*off, *len), or
 * one the file cannot satisfy (416). Malformed or multi-range headers are
 * ignored (whole file), as RFC 9110 allows. */
static range_kind parse_range(const char *h, uint64_t total, uint64_t *off, uint64_t *len)
{
    if (!h || strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
        return RANGE_WHOLE;
    const char *p = h + 6, *dash = strchr(p, '-');
    if (!dash)
        return RANGE_WHOLE;
    const char *end;
    uint64_t n, a, b;
    if (dash == p) {
        if (zf_parse_u64(dash + 1, UINT64_MAX, &n) < 0)
            return RANGE_WHOLE;
        if (n == 0 || total == 0)
            return RANGE_UNSATISFIABLE;
        *len = n > total ? total : n;
        *off = total - *len;
        return RANGE_PART;
    }
    if (zf_parse_u64_prefix(p, &end, UINT64_MAX, &a) < 0 || end != dash)
        return RANGE_WHOLE;
    b = total ? total - 1 : 0;
    if (dash[1]) {
        if (zf_parse_u64(dash + 1, UINT64_MAX, &b) < 0 || b < a)
            return RANGE_WHOLE;
        if (b >= total)
            b = total - 1;
    }
    if (a >= total)
        return RANGE_UNSATISFIABLE;
    *off = a;
    *len = b - a + 1;
    return RANGE_PART;
}

void sim_h_rec_download(sim_req *rq, sim_resp *rs)
{
    sim_recfile *f = sim_map_get(&rq->s->data->files, rq->param[0]);
    if (!f || !sim_data_recording_live(f->rec)) {
        sim_error(rs, 404, 3301, "There is no recording for this meeting.");
        return;
    }
    if (download_auth(rq, rs, f) != 0)
        return;
    const ftype *t = ftype_find(f->file_type);
    char name[96];
    file_name(f, name, sizeof name);
    uint64_t seed = 1469598103934665603ull, off = 0, len = f->size;
    for (const char *p = f->id; *p; p++)
        seed = (seed ^ (unsigned char)*p) * 1099511628211ull;
    range_kind r = parse_range(sim_header(rq, "Range"), f->size, &off, &len);
    sim_resp_header_add(rs, "Accept-Ranges", "bytes");
    if (r == RANGE_UNSATISFIABLE) {
        sim_empty(rs, 416);
        sim_resp_header_add(rs, "Content-Range", "bytes */%llu", (unsigned long long)f->size);
        return;
    }
    zf_buf_reset(&rs->body);
    rs->status = r == RANGE_PART ? 206 : 200;
    rs->content_type = t->mime;
    rs->stream = 1;
    rs->stream_seed = seed;
    rs->stream_off = off;
    rs->stream_len = len;
    rs->stream_total = f->size;
    sim_resp_header_add(rs, "Content-Disposition", "attachment; filename=\"%s\"", name);
    if (r)
        sim_resp_header_add(rs, "Content-Range", "bytes %llu-%llu/%llu", (unsigned long long)off,
                            (unsigned long long)(off + len - 1), (unsigned long long)f->size);
}

/* --- POST /_sim/recordings {meeting_id, files:[{file_type,size}], uuid?,
 * start_time?} (start_time: when the recording began; default the meeting's) */

static void emit_completed(sim *s, const sim_recording *rec, const char *token)
{
    json_t *obj = sim_data_recording_json(s, rec, 1);
    json_t *top = json_pack("{s:s}", "download_token", token ? token : "");
    sim_webhook_emit(s, "recording.completed", obj, top);
}

void sim_h_sim_recording(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    json_t *b = sim_body_json(rq, rs), *errs = json_array(), *fj;
    const char *types[MAX_FILES];
    uint64_t sizes[MAX_FILES];
    int n = 0;
    size_t i;
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
    json_t *files = json_object_get(b, "files");
    if (!files)
        files = json_pack("[{s:s,s:I},{s:s,s:I}]", "file_type", "MP4", "size", (json_int_t)1048576,
                          "file_type", "M4A", "size", (json_int_t)262144);
    else
        json_incref(files);
    if (!json_is_array(files) || json_array_size(files) == 0 || json_array_size(files) > MAX_FILES)
        sim_data_verr(errs, "files", "files must be an array of 1-%d {file_type, size}.",
                      MAX_FILES);
    json_array_foreach (files, i, fj) {
        const char *ft = json_string_value(json_object_get(fj, "file_type"));
        json_t *sz = json_object_get(fj, "size");
        if (!ftype_find(ft) || !json_is_integer(sz) || json_integer_value(sz) < 0 ||
            n >= MAX_FILES) {
            sim_data_verr(errs, "files",
                          "each file needs file_type (MP4, M4A, CHAT, TRANSCRIPT, "
                          "CSV, SUMMARY, CC, TIMELINE) and a size >= 0.");
            break;
        }
        types[n] = ftype_find(ft)->type;
        sizes[n++] = (uint64_t)json_integer_value(sz);
    }
    json_t *stj = json_object_get(b, "start_time");
    int64_t start = m->start_time;
    int zoned = 0;
    if (stj &&
        (!json_is_string(stj) || sim_parse_time(json_string_value(stj), &start, &zoned) || !zoned))
        sim_data_verr(errs, "start_time",
                      "start_time must be a time with a zone, e.g. "
                      "2025-01-31T23:30:00Z.");
    const char *uuid = json_string_value(json_object_get(b, "uuid"));
    if (uuid && (strlen(uuid) >= sizeof((sim_recording *)0)->uuid || !*uuid ||
                 sim_map_get(&s->data->by_uuid, uuid)))
        sim_data_verr(errs, "uuid", "uuid must be a new, non-empty id of at most 63 characters.");
    if (json_array_size(errs)) {
        json_decref(files);
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    json_decref(files);
    sim_recording *rec = sim_data_recording_add(s, m, uuid, start, n, types, sizes);
    if (!rec) {
        sim_error(rs, 500, 500, "out of memory");
        goto done;
    }
    const char *tok = issue_download_token(s, m, 86400);
    json_t *out = sim_data_recording_json(s, rec, 0);
    json_object_set_new(out, "download_token", json_string(tok ? tok : ""));
    sim_json(rs, 201, out);
    emit_completed(s, rec, tok);
done:
    json_decref(b);
    json_decref(errs);
}
