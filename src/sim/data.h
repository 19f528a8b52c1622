/*
 * zoomsim data module internals: users, meetings, registrants, recordings,
 * contacts. Everything here runs under s->lock (see sim.h).
 *
 * Invariants:
 *  - users[] and each meeting's registrants[] only grow (Zoom's lists keep
 *    insertion order); a page token stores the array position where the
 *    next page starts, so items added between pages are never skipped or
 *    repeated, and resuming costs nothing.
 *  - deleted meetings stay in the host's meetings[] with deleted=1 (so stored
 *    positions stay valid) but leave the id map; they are freed on reset.
 *    Deleted (or disassociated) users likewise stay in users[] with
 *    deleted=1 and leave the id and email maps and the counts.
 *  - a recording belongs to its meeting (which frees it) and sits in the
 *    cloud of `owner` (the host, or whom it was transferred to); recs[]
 *    lists every recording in creation order for the recordings lists. It
 *    is live while not deleted and its meeting is not, or while kept (a
 *    recording transferred away from a meeting deleted with its host).
 *  - strings are allocated to size (100,000 users must fit in well under
 *    100 MB).
 */
#ifndef ZOOMSIM_DATA_H
#define ZOOMSIM_DATA_H

#include "sim.h"

enum { U_ACTIVE = 0, U_INACTIVE = 1, U_PENDING = 2, U_NSTATUS };
enum { ROLE_OWNER = 0, ROLE_ADMIN = 1, ROLE_MEMBER = 2, U_NROLE };

#define DATA_MAX_USER_MEETINGS_PER_DAY 100
#define DATA_MAX_REGISTRANTS 4999

typedef struct sim_meeting sim_meeting;

typedef struct sim_user {
    char id[23];
    uint8_t type, status, role;
    char *email;                                 /* as given */
    char *first_name, *last_name, *display_name; /* NULL when empty */
    char *timezone;                              /* NULL = account default */
    json_t *profile;                             /* other PATCHed profile fields, NULL when none */
    uint8_t deleted;                             /* removed from the account (DELETE /users/{id}) */
    int64_t pmi;
    int64_t created_at;
    int32_t mtg_day;        /* UTC day of mtg_writes */
    uint16_t mtg_writes;    /* meeting creates + updates that day */
    sim_meeting **meetings; /* hosted, in creation order */
    uint32_t nmeetings, capmeetings;
} sim_user;

typedef struct sim_registrant {
    char id[23];
    uint8_t status; /* 0 approved, 1 pending, 2 denied */
    char *email;
    json_t *fields;       /* validated body: first_name, last_name, ... */
    char *occurrence_ids; /* comma list or NULL = all */
    int64_t create_time;
} sim_registrant;

typedef struct sim_recfile {
    char id[37];
    char file_type[16];
    uint64_t size;
    int64_t start, end;
    struct sim_recording *rec;
} sim_recfile;

typedef struct sim_recording {
    char uuid[64];
    int64_t start;
    int duration;
    sim_recfile *files;
    int nfiles;
    sim_meeting *m;
    sim_user *owner; /* whose cloud it is in: the host, or a transferee */
    uint8_t deleted; /* went with its owner (DELETE /users without transfer) */
    uint8_t kept;    /* transferred: outlives its meeting */
} sim_recording;

/* One ended instance of a meeting (past_meetings.c): who attended. */
typedef struct sim_past {
    char uuid[64];
    int64_t start, end;   /* UTC */
    json_t *participants; /* array of Zoom-shaped participant objects */
    sim_meeting *m;
} sim_past;

struct sim_meeting {
    int64_t id;
    char uuid[25];
    sim_user *host;
    int deleted;
    int type;
    char *topic, *agenda, *password, *timezone;
    int64_t start_time; /* UTC */
    int duration;
    int64_t created_at;
    json_t *settings;        /* full settings object (defaults + given) */
    json_t *recurrence;      /* type 8 only, else NULL */
    json_t *tracking_fields; /* NULL when none */
    sim_registrant **regs;
    uint32_t nregs, capregs;
    uint32_t nregs_status[3];
    sim_map reg_email;    /* lowercase email -> sim_registrant */
    sim_recording **recs; /* instances, oldest first */
    int nrecs;
    /* type 8: per occurrence (key: occurrence_id) what differs from the
     * series: start_time (UTC seconds), duration, agenda, settings (the
     * changed keys), deleted (true). NULL when nothing differs. */
    json_t *occ;
    /* registration questions {questions, custom_questions}; NULL = none */
    json_t *questions;
    sim_past **pasts; /* ended instances, in the order they were added */
    int npasts;
};

struct sim_data {
    sim_user **users;
    size_t nusers, capusers;
    size_t count[U_NSTATUS][U_NROLE];
    sim_map by_id, by_email; /* user id / lowercase email -> sim_user */
    sim_map meetings;        /* decimal id -> sim_meeting */
    sim_map by_uuid;         /* recording instance uuid -> sim_recording */
    sim_map files;           /* file id -> sim_recfile */
    sim_recording **recs;    /* every recording, in creation order (borrowed) */
    size_t nrecs, caprecs;
    sim_map past_by_uuid;       /* past instance uuid -> sim_past */
    sim_meeting **all_meetings; /* every meeting ever made (owns them) */
    size_t nall, capall;
    int32_t create_day;    /* UTC day of user_creates */
    uint32_t user_creates; /* action=create users that day */
};

/* --- users.c */
sim_user *sim_data_user_find(sim *s, const sim_req *rq, const char *key);
/* id NULL = a new random id. The user is appended to the listing order. */
sim_user *sim_data_user_add(sim *s, const char *id, const char *email, int type, int status,
                            int role, const char *first, const char *last, const char *display);
void sim_data_user_free(sim_user *u);
void sim_data_user_list_json(zf_buf *b, const sim_user *u);
extern const char *const sim_data_status_names[U_NSTATUS];
/* The user as the user.* webhooks carry it (id, first_name,
 * last_name, display_name, email, type), and the emission of such an event
 * (payload operator, operator_id[, extra_key: extra], object). */
json_t *sim_data_user_hook_json(const sim_user *u);
void sim_data_user_emit(sim_req *rq, const char *event, const sim_user *u, const char *extra_key,
                        const char *extra);

/* handlers (one file each) */
void sim_h_users_create(sim_req *rq, sim_resp *rs);
void sim_h_users_list(sim_req *rq, sim_resp *rs);
void sim_h_user_get(sim_req *rq, sim_resp *rs);
void sim_h_user_settings(sim_req *rq, sim_resp *rs);
void sim_h_user_patch(sim_req *rq, sim_resp *rs);
void sim_h_user_delete(sim_req *rq, sim_resp *rs);
void sim_h_user_status(sim_req *rq, sim_resp *rs);
void sim_h_meeting_create(sim_req *rq, sim_resp *rs);
void sim_h_meetings_list(sim_req *rq, sim_resp *rs);
void sim_h_meeting_get(sim_req *rq, sim_resp *rs);
void sim_h_meeting_patch(sim_req *rq, sim_resp *rs);
void sim_h_meeting_delete(sim_req *rq, sim_resp *rs);
void sim_h_registrant_add(sim_req *rq, sim_resp *rs);
void sim_h_registrants_list(sim_req *rq, sim_resp *rs);
void sim_h_registrant_get(sim_req *rq, sim_resp *rs);
void sim_h_recordings_get(sim_req *rq, sim_resp *rs);
void sim_h_recordings_list_user(sim_req *rq, sim_resp *rs);
void sim_h_recordings_list_account(sim_req *rq, sim_resp *rs);
void sim_h_rec_download(sim_req *rq, sim_resp *rs);
void sim_h_contacts(sim_req *rq, sim_resp *rs);
void sim_h_seed_users(sim_req *rq, sim_resp *rs);
void sim_h_seed_meetings(sim_req *rq, sim_resp *rs);
void sim_h_sim_recording(sim_req *rq, sim_resp *rs);
void sim_h_registrants_status(sim_req *rq, sim_resp *rs);
void sim_h_questions_get(sim_req *rq, sim_resp *rs);
void sim_h_questions_patch(sim_req *rq, sim_resp *rs);
void sim_h_past_participants(sim_req *rq, sim_resp *rs);
void sim_h_sim_past_meeting(sim_req *rq, sim_resp *rs);

/* --- meetings.c */
sim_meeting *sim_data_meeting_find(sim *s, const char *id);
/* Adds a filled meeting to the id map and the host's and account's lists;
 * 0 or ZF_ENOMEM. */
int sim_data_meeting_insert(sim *s, sim_meeting *m);
/* Creates a meeting for host from a validated-or-not JSON body; errors go
 * into errs (validation) and the return is NULL. */
sim_meeting *sim_data_meeting_new(sim *s, sim_user *host, json_t *body, json_t *errs, int64_t now);
void sim_data_meeting_free(sim_meeting *m);
json_t *sim_data_meeting_json(sim *s, const sim_meeting *m, int full);
/* The meeting as the registration webhooks carry it: uuid, id, host_id,
 * topic, type, start_time, duration, timezone and, for type 8, every
 * occurrence {occurrence_id, start_time}. */
json_t *sim_data_meeting_hook_json(sim *s, const sim_meeting *m);
int sim_data_tz_valid(const char *tz);
int sim_data_registration_on(const sim_meeting *m);
/* 0 when the host may write one more meeting today; otherwise ZF_EDAILYLIMIT
 * after writing the 429. */
int sim_data_meeting_quota(sim *s, sim_user *u, int64_t now, sim_resp *rs);
/* The occurrence `oid` of a type 8 meeting: 1 with its start and duration
 * (overrides applied), or 0 when the meeting has no such occurrence or it
 * was deleted. */
int sim_data_occurrence(const sim_meeting *m, const char *oid, int64_t *start, int *duration);
/* 404 code 3001 for an unknown meeting id (written into rs), else the meeting. */
sim_meeting *sim_data_meeting_or_404(sim_req *rq, sim_resp *rs);

/* --- past_meetings.c */
/* Adds an ended instance to m (uuid NULL = a new one); participants is
 * stolen. NULL when out of memory or the uuid is taken. */
sim_past *sim_data_past_add(sim *s, sim_meeting *m, const char *uuid, int64_t start, int64_t end,
                            json_t *participants);
void sim_data_past_free(sim_past *p);

/* --- registrants.c */
sim_registrant *sim_data_registrant_add(sim *s, sim_meeting *m, const char *email, json_t *f,
                                        const char *occ, int64_t now, int *existed);
json_t *sim_data_registrant_json(sim *s, const sim_meeting *m, const sim_registrant *r);

/* --- recordings.c */
sim_recording *sim_data_recording_add(sim *s, sim_meeting *m, const char *uuid, int64_t start,
                                      int nfiles, const char *const *types, const uint64_t *sizes);
json_t *sim_data_recording_json(sim *s, const sim_recording *rec, int webhook);
void sim_data_recording_free(sim_recording *rec);
bool sim_data_recording_live(const sim_recording *rec);
/* A user leaves the account: their live recordings go to `to` (kept even
 * if their meeting is deleted) or, with to NULL, are deleted. */
void sim_data_recordings_hand_over(sim *s, sim_user *from, sim_user *to);

/* --- validation helpers (users.c) */
void sim_data_verr(json_t *errs, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* String field: absent ok unless required; type and max length checked.
 * Returns the value or NULL. */
const char *sim_data_vstr(json_t *errs, json_t *obj, const char *key, const char *field,
                          int required, size_t maxlen);
int sim_data_email_ok(const char *e);
/* Query integer: returns 0 and *out (def when absent); ZF_EVALIDATION and
 * an error entry when not an integer in [lo, hi]. */
int sim_data_qint(sim_req *rq, json_t *errs, const char *key, long def, long lo, long hi,
                  long *out);
char *sim_data_strdup0(const char *s); /* NULL for NULL or "" */
void sim_data_lower(char *dst, size_t n, const char *src);
int32_t sim_data_day(int64_t t);
void sim_data_daily_429(sim_resp *rs, int64_t now, long limit, const char *msg);

/* paging fields; writes the tail of a list response */
void sim_data_page_tail(zf_buf *b, const char *token, long page_size, long page_number,
                        size_t total);

#endif
