/*
 * Control-plane seeding: POST /_sim/seed/users {count, status?, domain?} and
 * /_sim/seed/meetings {user_id?, count, registration?, registrants?,
 * with_recordings?, recording_file_size?, files_per_recording?}.
 * Seeding bypasses quotas (it is not an API call) and is linear: 100,000
 * users take well under a second.
 */
#include "data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED_MAX_USERS 1000000
#define SEED_MAX_MEETINGS 100000
#define SEED_MAX_FILES 8

static const char *const firsts[] = {"Ada",     "Grace", "Alan",  "Edsger", "Barbara",  "Donald",
                                     "Frances", "Ken",   "Radia", "Dennis", "Margaret", "Linus"};
static const char *const lasts[] = {"Lovelace", "Hopper",  "Turing",   "Dijkstra",
                                    "Liskov",   "Knuth",   "Allen",    "Thompson",
                                    "Perlman",  "Ritchie", "Hamilton", "Torvalds"};

static long jint(json_t *b, const char *k, long def)
{
    json_t *v = json_object_get(b, k);
    return json_is_integer(v) ? (long)json_integer_value(v) : def;
}

void sim_h_seed_users(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    json_t *b = sim_body_json(rq, rs), *errs = json_array();
    if (!b)
        goto done;
    long count = jint(b, "count", -1);
    const char *st = json_string_value(json_object_get(b, "status"));
    const char *dom = json_string_value(json_object_get(b, "domain"));
    int status = U_ACTIVE;
    if (count < 1 || count > SEED_MAX_USERS)
        sim_data_verr(errs, "count", "count must be an integer 1-%d.", SEED_MAX_USERS);
    if (st) {
        status = -1;
        for (int i = 0; i < U_NSTATUS; i++)
            if (strcmp(st, sim_data_status_names[i]) == 0)
                status = i;
        if (status < 0)
            sim_data_verr(errs, "status", "status must be active, inactive or pending.");
    }
    if (dom && (!*dom || strlen(dom) > 60 || strchr(dom, '@')))
        sim_data_verr(errs, "domain", "domain must be a host name like example.com.");
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    struct sim_data *d = s->data;
    long made = 0;
    char email[128];
    for (size_t n = d->nusers; made < count; n++) {
        snprintf(email, sizeof email, "user%zu@%s", n, dom ? dom : "example.com");
        if (sim_data_user_find(s, NULL, email))
            continue;
        if (!sim_data_user_add(s, NULL, email, 1 + (made % 2), status, ROLE_MEMBER, firsts[n % 12],
                               lasts[(n / 12) % 12], NULL))
            break;
        made++;
    }
    sim_json(
        rs, 201,
        json_pack("{s:I,s:I}", "created", (json_int_t)made, "total_users", (json_int_t)d->nusers));
done:
    json_decref(b);
    json_decref(errs);
}

static const char *const seed_types[] = {"MP4",      "M4A", "TRANSCRIPT", "CHAT",
                                         "TIMELINE", "CC",  "CSV",        "SUMMARY"};

void sim_h_seed_meetings(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    json_t *b = sim_body_json(rq, rs), *errs = json_array(), *ids = NULL;
    if (!b)
        goto done;
    const char *uid = json_string_value(json_object_get(b, "user_id"));
    sim_user *u = sim_data_user_find(s, NULL, uid ? uid : s->owner_id);
    long count = jint(b, "count", -1), fsize = jint(b, "recording_file_size", 1048576);
    long nfiles = jint(b, "files_per_recording", 2);
    int recs = json_is_true(json_object_get(b, "with_recordings"));
    long nreg = jint(b, "registrants", 0);
    int reg = json_is_true(json_object_get(b, "registration")) || nreg > 0;
    if (!u)
        sim_data_verr(errs, "user_id", "user_id names no user (use an id or an email).");
    if (count < 1 || count > SEED_MAX_MEETINGS)
        sim_data_verr(errs, "count", "count must be an integer 1-%d.", SEED_MAX_MEETINGS);
    if (fsize < 0)
        sim_data_verr(errs, "recording_file_size", "recording_file_size must be >= 0.");
    if (nfiles < 1 || nfiles > SEED_MAX_FILES)
        sim_data_verr(errs, "files_per_recording", "files_per_recording must be 1-%d.",
                      SEED_MAX_FILES);
    if (nreg < 0 || nreg > DATA_MAX_REGISTRANTS)
        sim_data_verr(errs, "registrants", "registrants must be 0-%d (per meeting).",
                      DATA_MAX_REGISTRANTS);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    ids = json_array();
    uint64_t sizes[SEED_MAX_FILES];
    for (int i = 0; i < SEED_MAX_FILES; i++)
        sizes[i] = (uint64_t)fsize;
    for (long i = 0; i < count; i++) {
        char topic[64], st[32];
        snprintf(topic, sizeof topic, "Seeded meeting %ld", i + 1);
        sim_fmt_time(st, rq->now + 3600 * (i + 1));
        json_t *mb = json_pack("{s:s,s:i,s:s,s:i,s:{s:i}}", "topic", topic, "type", 2, "start_time",
                               st, "duration", 60, "settings", "approval_type", reg ? 0 : 2);
        sim_meeting *m = sim_data_meeting_new(s, u, mb, errs, rq->now);
        json_decref(mb);
        if (!m)
            break;
        for (long r = 0; r < nreg; r++) {
            char email[64];
            int existed;
            snprintf(email, sizeof email, "registrant%ld@example.net", r);
            sim_data_registrant_add(s, m, email, json_pack("{s:s}", "first_name", firsts[r % 12]),
                                    NULL, rq->now, &existed);
        }
        if (recs)
            sim_data_recording_add(s, m, NULL, m->start_time, (int)nfiles, seed_types, sizes);
        json_array_append_new(ids, json_integer((json_int_t)m->id));
    }
    sim_json(
        rs, 201,
        json_pack("{s:I,s:O}", "created", (json_int_t)json_array_size(ids), "meeting_ids", ids));
done:
    json_decref(ids);
    json_decref(b);
    json_decref(errs);
}
