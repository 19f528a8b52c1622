/*
 * zoomsim internals: the emulator's core types and the contract between the
 * core (server, router, auth, paging, control plane) and the feature modules
 * (oauth, data = users/meetings/registrants/recordings/contacts, limits,
 * faults, webhooks).
 *
 * Concurrency: libmicrohttpd calls handlers from several threads. Every
 * handler runs with s->lock held (the router takes it), so module state needs
 * no locking of its own. Anything slow (injected latency, webhook delivery)
 * happens outside the lock.
 *
 * Time: all module logic reads sim_now(s) (unix seconds of sim time =
 * wall clock + s->clock_offset), never time(), so /_sim/clock/advance moves
 * token expiry, code expiry, page-token expiry and daily limits together.
 *
 * Names: every non-static name starts with sim_, a module's with its module
 * (sim_auth_issue, sim_data_user_find; route handlers sim_h_*); static stay bare.
 *
 * Results: what can fail returns 0 or a negative zf_code (zoomflow/error.h):
 * ZF_ENOMEM, ZF_EIO (a system call), ZF_EPARSE (malformed bytes: a state
 * file, a date, an escape), ZF_EVALIDATION (a value refused, said in err or
 * in the response), ZF_ECONFIG (bad --app/--config, already reported). A
 * yes/no answer is a bool; -1 is only ever a value ("none", an fd).
 */
#ifndef ZOOMSIM_SIM_H
#define ZOOMSIM_SIM_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"

#define SIM_MAX_BODY (4u << 20)   /* request bodies above this get 413 */
#define SIM_MAX_RESP (256u << 20) /* cap for any buffered response */
#define SIM_MAX_PARAMS 4
#define SIM_MAX_HEADERS 12
#define SIM_MAX_SCOPES 64
#define SIM_MAX_TOKEN_TOLERANCE 100 /* an app's token_tolerance, --token-tolerance */

typedef enum sim_category {
    SIM_CAT_NONE = 0, /* not rate limited (OAuth, control plane) */
    SIM_CAT_LIGHT,
    SIM_CAT_MEDIUM,
    SIM_CAT_HEAVY,
    SIM_CAT_RESOURCE,
    SIM_NCAT
} sim_category;

typedef enum sim_plan { SIM_PLAN_FREE, SIM_PLAN_PRO, SIM_PLAN_BUSINESS } sim_plan;

/* An issued access token as the API sees it (auth.c owns the table). */
typedef struct sim_access {
    char *token;        /* a Zoom-shaped JWT (auth.c), heap; the table's key */
    char client_id[64]; /* app that got it */
    char account_id[32];
    char user_id[32];   /* the authorizing user: what "me" means */
    char *scopes;       /* space-separated granted scopes */
    int64_t expires_at; /* sim time */
    int s2s;            /* issued by account_credentials */
    uint64_t grant_id;  /* authorization it belongs to (revoke kills all) */
    uint64_t seq;       /* issue order (sim_auth_supersede drops the oldest) */
    int slot;           /* S2S token_index it was issued at, -1 none */
    bool superseded;    /* a newer token of its grant took its place: 401/124 */
} sim_access;

typedef struct sim_resp_header {
    char name[48];
    char value[2048]; /* room for an OAuth redirect Location with its state */
} sim_resp_header;

typedef struct sim_resp {
    int status;
    zf_buf body;
    const char *content_type; /* static string; default JSON */
    int nheaders;
    sim_resp_header headers[SIM_MAX_HEADERS];
    /* Streamed body instead of `body` (recording downloads): bytes
     * [stream_off, stream_off + stream_len) of a deterministic file of
     * stream_total bytes generated from stream_seed (sim_stream_byte()). */
    int stream;
    uint64_t stream_seed, stream_off, stream_len, stream_total;
    /* Set by the fault module: what to do to the reply after processing. */
    int drop;      /* close the connection without replying */
    int truncate;  /* send a Content-Length then cut the body short */
    int malformed; /* replace the body with invalid JSON */
} sim_resp;

typedef struct sim sim;
typedef struct sim_route sim_route;

typedef struct sim_req {
    sim *s;
    struct MHD_Connection *conn;
    uint64_t conn_request; /* 1 for the first request on its
                              connection, 2.. when reused, 0 unknown */
    const sim_route *route;
    const char *method;
    const char *path;            /* raw (still percent-encoded) path */
    char *param[SIM_MAX_PARAMS]; /* path parameters, decoded once */
    int nparam;
    const char *body;
    size_t body_len;
    const sim_access *auth; /* bearer token (routes with SIM_R_BEARER) */
    int64_t now;            /* sim time when the request arrived */
    int64_t arrived_ms;     /* real clock (unix ms) when it arrived, for the log */
    uint64_t seq;           /* request number, for the request log */
    char log_detail[96];    /* extra text for the request log (e.g.
                               "grant_type=refresh_token"); never a secret */
    char *qbuf[16];         /* decoded query values (util.c frees) */
    int nq;
} sim_req;

typedef void (*sim_handler)(sim_req *rq, sim_resp *rs);

#define SIM_R_BEARER 0x01u      /* needs a valid access token (401/124 otherwise) */
#define SIM_R_CONTROL 0x02u     /* /_sim/ control plane: only with --control */
#define SIM_R_MTG_WRITE 0x04u   /* counts against the host's 100 creates/updates a day */
#define SIM_R_USER_CREATE 0x08u /* counts against the account's daily user creates */

struct sim_route {
    const char *method;  /* "GET", "POST", ... */
    const char *pattern; /* "/v2/users/{userId}/meetings" */
    sim_handler fn;
    unsigned flags;
    sim_category cat;
    const char *scopes[6]; /* any one suffices; NULL-terminated; none = no check */
    const char *name;      /* stable name for faults/logs, e.g. "users.list" */
};

/* A feature module: routes plus state hooks. Every hook may be NULL. */
typedef struct sim_module {
    const char *name;
    const sim_route *routes; /* terminated by a {NULL} row */
    int (*init)(sim *s);     /* allocate state; called once; ZF_ECONFIG
                                = bad configuration (already reported) */
    void (*reset)(sim *s);   /* back to the initial state */
    void (*destroy)(sim *s);
    json_t *(*dump)(sim *s);          /* new reference; for state/--state */
    int (*load)(sim *s, json_t *obj); /* inverse of dump; ZF_EPARSE, ZF_ENOMEM */
} sim_module;

/* Registered OAuth app (oauth.c parses --app / --config). */
typedef struct sim_app {
    char *client_id;
    char *client_secret;
    char *name;
    char **redirect_uris;
    int nredirect;
    char *scopes; /* space-separated scopes the app is granted */
    int s2s;      /* Server-to-Server app (account_credentials) */
    /* Access tokens of one grant (a user authorization; all of an S2S app's)
     * that stay valid at once; a new one beyond supersedes the oldest.
     * 0 = no limit. -1 only while parsing: the default is set on push. */
    int token_tolerance;
} sim_app;

typedef struct sim_opts {
    const char *host; /* 127.0.0.1 */
    int port;         /* 0 = pick a free one */
    const char *port_file;
    const char *state_file;
    const char *tls_cert, *tls_key;
    const char *config_file;
    int control;
    int auto_approve;
    int threads; /* 0 = thread per connection */
    sim_plan plan;
    const char *webhook_url;
    const char *webhook_secret;
    double webhook_retry_scale; /* 1.0 = Zoom's schedule; 0.001 compresses */
    int quiet;
    const char *account_id;
    const char *app_specs[8]; /* --app ID:SECRET:REDIRECT[,REDIRECT...][:SCOPES] */
    int napp_specs;
    json_t *config;      /* parsed --config file, or NULL (borrowed) */
    int64_t refresh_ttl; /* --refresh-ttl: refresh token lifetime, 0 = none */
    /* --token-tolerance: the tolerance of apps that name none; unset, it
     * follows the kind (OAuth 1, Server-to-Server 0 = no limit) */
    bool token_tolerance_set;
    int token_tolerance;
} sim_opts;

struct sim {
    pthread_mutex_t lock;
    sim_opts opts;
    char base_url[128]; /* http(s)://127.0.0.1:PORT */
    char account_id[32];
    char owner_id[32];    /* the account owner's user id (data module) */
    int64_t clock_offset; /* seconds added to the wall clock */
    uint64_t seq;         /* requests seen */
    sim_app *apps;
    int napps;

    /* module state, owned by the module named in the comment */
    struct sim_auth *auth;     /* auth.c */
    struct sim_paging *paging; /* paging.c */
    struct sim_reqlog *reqlog; /* control.c */
    struct sim_oauth *oauth;   /* oauth.c */
    struct sim_data *data;     /* users.c, meetings.c, registrants.c, recordings.c */
    struct sim_limits *limits; /* limits.c */
    struct sim_faults *faults; /* faults.c */
    struct sim_hooks *hooks;   /* webhooks.c */
};

/* String-keyed open-addressing hash map (map.c). Keys are copied. */
typedef struct sim_map {
    char **keys;
    void **vals;
    size_t cap, n, used; /* used counts tombstones too */
} sim_map;
void sim_map_init(sim_map *m);
int sim_map_put(sim_map *m, const char *key, void *val); /* replaces; ZF_ENOMEM */
void *sim_map_get(const sim_map *m, const char *key);
void *sim_map_del(sim_map *m, const char *key); /* returns the value */
void sim_map_clear(sim_map *m, void (*freeval)(void *));
/* Iteration: for (size_t i = 0; i < m->cap; i++) if (sim_map_live(m, i)) ... */
int sim_map_live(const sim_map *m, size_t i);

/* The modules, in dispatch order (modules.c). */
extern const sim_module *const sim_modules[];

/* --- lifecycle (core.c) */
/* 0; ZF_ECONFIG when --app/--config is wrong and ZF_EINVAL when options
 * contradict (a module printed why); ZF_ENOMEM or ZF_EIO otherwise. */
int sim_new(sim **out, const sim_opts *opts);
void sim_free(sim *s);
void sim_reset(sim *s);   /* caller holds s->lock */
json_t *sim_dump(sim *s); /* caller holds s->lock */
/* 0; ZF_EPARSE when state is not a version 1 dump; ZF_ENOMEM. Caller holds
 * s->lock. */
int sim_load(sim *s, json_t *state);
int64_t sim_now(const sim *s);

/* --- dispatch (router.c): turns one complete request into a response.
 * Takes the lock itself. headers/query come through the connection. */
void sim_dispatch(sim *s, sim_req *rq, sim_resp *rs);

/* --- requests (util.c) */
const char *sim_header(const sim_req *rq, const char *name);
/* Query value, percent-decoded ('+' is a space); NULL when absent. Valid
 * until the request ends. */
const char *sim_query(sim_req *rq, const char *key);
/* Parses the body as a JSON object; on failure writes Zoom's error and
 * returns NULL. */
json_t *sim_body_json(sim_req *rq, sim_resp *rs);
/* Parses an application/x-www-form-urlencoded body value (decoded, malloc'd). */
char *sim_form_value(const char *body, size_t len, const char *key);
/* Percent-decodes s (no '+' handling); malloc'd, NULL on a bad escape. */
char *sim_urldecode(const char *s, size_t len, int plus_is_space);

/* --- responses (util.c) */
void sim_resp_init(sim_resp *rs);
void sim_resp_free(sim_resp *rs);
void sim_resp_header_add(sim_resp *rs, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 200/201 with a JSON body (steals j). */
void sim_json(sim_resp *rs, int status, json_t *j);
/* Zoom's error body {"code":code,"message":msg}. */
void sim_error(sim_resp *rs, int status, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Validation failure: 400 {"code":300,"message":"Validation Failed.",
 * "errors":[{field,message}...]} (steals errors, a JSON array). */
void sim_validation_error(sim_resp *rs, json_t *errors);
void sim_empty(sim_resp *rs, int status); /* 204 and friends */

/* --- JSON text (jsonout.c): what JavaScript's JSON.stringify(JSON.parse())
 * gives back byte for byte (shortest round-trip decimals, index-like keys
 * first), so a body signed here verifies in receivers that re-serialise. */
/* Appends j; 0, ZF_ENOMEM (b failed) or ZF_EVALIDATION (nesting too deep,
 * b unchanged). */
int sim_json_write(zf_buf *b, const json_t *j);
/* The text, malloc'd; NULL on failure. */
char *sim_json_text(const json_t *j);
/* One finite double as ECMAScript's Number::toString writes it. */
void sim_json_number(zf_buf *b, double d);

/* --- ids, time (util.c) */
void sim_random_id(char *out, size_t outlen, size_t nchars); /* [A-Za-z0-9_-] */
void sim_random_hex(char *out, size_t nbytes);               /* out: 2n+1 */
/* n random bytes (n <= 32), and a Zoom-style meeting UUID (16 random bytes
 * in standard base64, 24 characters). */
void sim_data_rand_bytes(unsigned char *out, size_t n);
void sim_data_new_uuid(char out[25]);
/* yyyy-MM-ddTHH:mm:ssZ */
void sim_fmt_time(char out[32], int64_t t);
/* Accepts yyyy-MM-ddTHH:mm:ss[Z|±hh:mm]; *has_zone says whether it had one.
 * Returns 0 and unix time (local times taken as UTC), ZF_EPARSE when
 * malformed. */
int sim_parse_time(const char *s, int64_t *out, int *has_zone);
/* Wall-clock time (read as UTC) in IANA zone -> UTC (tz.c, from the TZif
 * files; no TZ switching). Unknown zones read as UTC. */
int64_t sim_tz_local_to_utc(const char *zone, int64_t wall);
/* The zone's UTC offset in seconds at instant t (0 for unknown zones). */
int32_t sim_tz_offset(const char *zone, int64_t t);
/* Deterministic content of streamed files. */
uint8_t sim_stream_byte(uint64_t seed, uint64_t off);
void sim_stream_fill(uint64_t seed, uint64_t off, uint8_t *dst, size_t n);

/* --- tokens (auth.c) */
/* Issues a token; scopes copied. Returns the stored record (borrowed). */
const sim_access *sim_auth_issue(sim *s, const char *client_id, const char *account_id,
                                 const char *user_id, const char *scopes, int64_t ttl, int s2s,
                                 uint64_t grant_id);
/* NULL when unknown; *expired set when known but past expires_at. A
 * superseded token is returned too (a->superseded): it is invalid. */
const sim_access *sim_auth_lookup(sim *s, const char *token, int *expired);
/* Zoom's token tolerance, applied once fresh is issued: of the live tokens
 * of its lineage (its grant's; an S2S app's), those beyond tolerance (fresh
 * included, the oldest first) are superseded; with slot >= 0 (an S2S
 * token_index) only the live token issued at that slot is. tolerance 0 is
 * no limit. Each call scans the table once (a few thousand tokens). */
void sim_auth_supersede(sim *s, const sim_access *fresh, int tolerance, int slot);
void sim_auth_revoke_grant(sim *s, uint64_t grant_id);
int sim_auth_has_scope(const sim_access *a, const char *scope);

/* --- paging (paging.c): next_page_token <-> opaque cursor, 15 min life */
#define SIM_PAGE_TOKEN_TTL (15 * 60)
/* Stores the cursor (key identifies the list + its filters; pos where the next
 * page starts) and writes a new 32-char token into out[33]. */
void sim_paging_put(sim *s, const char *key, uint64_t pos, uint64_t extra, char out[33]);
/* true and the cursor when token is live and was issued for key; false
 * otherwise (unknown, expired or for another list). */
bool sim_paging_get(sim *s, const char *token, const char *key, uint64_t *pos, uint64_t *extra);

/* Where a list page starts: from next_page_token (array position + items
 * already delivered) or, without one, from the deprecated page_number
 * (skip that many matching items from the start). */
typedef struct sim_page {
    uint64_t pos;    /* array index to scan from */
    uint64_t offset; /* matching items before this page */
    size_t skip;     /* matching items to pass over first (page_number) */
    long number;     /* page_number to report */
} sim_page;
/* ZF_EVALIDATION after writing Zoom's 400/300 "The next page token is
 * invalid or expired." into rs; 0 and *pg otherwise. */
int sim_page_start(sim *s, sim_resp *rs, const char *token, const char *key, long page_size,
                   long page_number, sim_page *pg);
/* After a scan that stopped at array index `end` having taken `got` items:
 * a token for the next page into next[33], or "" on the last page. */
void sim_page_next(sim *s, const char *key, const sim_page *pg, size_t end, size_t got,
                   size_t total, long page_size, char next[33]);

/* --- hooks other modules call (their owners implement them) */
/* webhooks.c: queue an event for delivery. object becomes payload.object;
 * top (may be NULL) holds extra top-level envelope keys, e.g. recording.
 * completed's download_token. Both are stolen. */
void sim_webhook_emit(sim *s, const char *event, json_t *object, json_t *top);
/* The same with the whole payload given: its members follow account_id
 * (operator, operator_id, object, old_object, time_stamp, ...). Stolen. */
void sim_webhook_emit_payload(sim *s, const char *event, json_t *payload, json_t *top);
/* An event only one app's subscription gets (Marketplace events such as
 * app_deauthorized; the default subscription when that app has none), its
 * whole envelope given as Zoom shapes it (stolen). Returns the event id. */
uint64_t sim_webhook_emit_app(sim *s, const char *client_id, json_t *envelope);
/* {"operator": email, "operator_id": id} of who made the request (the
 * token's user; the account owner without one). New reference. */
json_t *sim_webhook_operator(sim *s, const sim_req *rq);
/* Sim time in milliseconds (event_ts, payload.time_stamp). */
int64_t sim_webhook_now_ms(const sim *s);
/* limits.c: 0 to proceed; otherwise ZF_ERATELIMIT or ZF_EDAILYLIMIT with
 * the 429 written into rs. */
int sim_limits_check(sim *s, sim_req *rq, sim_resp *rs);
/* The headers of a Daily-limit 429 (limit, Remaining 0, Retry-After at the
 * next 00:00 UTC of day), replacing any X-RateLimit-* and Retry-After the
 * per-window limiter already put on rs for this request: Zoom sends one
 * coherent set. category NULL keeps the one already there, else "Light". */
void sim_limits_daily_headers(sim_resp *rs, const char *category, long limit, int64_t day);
/* faults.c: before: may answer instead of the handler (returns 1) or set a
 * latency in *delay_ms (slept outside the lock); after: may spoil rs. */
int sim_faults_before(sim *s, sim_req *rq, sim_resp *rs, int *delay_ms);
void sim_faults_after(sim *s, sim_req *rq, sim_resp *rs);
/* control.c */
void sim_reqlog_add(sim *s, const sim_req *rq, int status);

#endif
