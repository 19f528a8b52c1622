/*
 * The service layer (`zoomflow serve`): the HTTP daemon, the router over the
 * one route table (routes.c), requests, responses, access and metrics.
 *
 * Layers (docs/internals.md): the server sees the public headers and util;
 * it never includes src/cli. The CLI sees this header only and calls
 * srv_main(). Handlers live in src/server/routes/<domain>.c and see this
 * header (plus the public headers they need).
 *
 * A handler gets a request and fills a response:
 *
 *   static int hello(srv_req *req, srv_resp *resp)
 *   {
 *       const char *name = srv_param(req, "name");
 *       return srv_json(resp, 200, json_pack("{s:s}", "hello", name));
 *   }
 *
 * and is one row of srv_routes[] (routes.c):
 *
 *   {"GET", "/api/v1/hello/{name}", hello, SRV_ROLE_VIEWER, 0, 0,
 *    "Says hello", NULL, "Hello"},
 *
 * Before the handler runs the core has: matched the path (params decoded),
 * refused a body over the row's body_limit (413), parsed a JSON body
 * (415 without Content-Type application/json, 400 naming line and column
 * when malformed) unless SRV_RAW, authenticated the request (session cookie
 * or API key), refused it below min_role (401/403), checked CSRF on a
 * state-changing session request unless SRV_NO_CSRF. After it: the request
 * id header, the security headers on HTML, the access log line, metrics.
 *
 * Threads: handlers run on the daemon's pool threads, many at once. A
 * srv_req and its srv_resp belong to the one thread running the handler.
 * srv_ctx accessors are thread-safe.
 */
#ifndef ZOOMFLOW_SERVER_H
#define ZOOMFLOW_SERVER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"
#include "zoomflow/http.h"
#include "zoomflow/session.h"
#include "zoomflow/store.h"
#include "zoomflow/workflow.h"

/* ---- start-up (the CLI's one entry) ---------------------------------- */

typedef struct srv_opts {
    const char *listen;     /* "HOST:PORT" (PORT 0 = any free one); NULL = 127.0.0.1:8080 */
    const char *port_file;  /* written with "http://HOST:PORT\n" once listening; NULL = none */
    int threads;            /* pool threads; 0 = 2 x cores, at most 8 */
    const char *public_url; /* base of links and redirect URIs; NULL = from listen */
    const char *tls_cert;   /* PEM files; both or neither */
    const char *tls_key;
    /* The template of every org's zf_session (db, key_file, http, api_base,
     * oauth_base); conn_id and actor are set per org / per request. */
    zf_session_opts session;
    int conn_timeout_s;       /* idle / slow client timeout; 0 = 30 */
    size_t conn_memory_limit; /* per-connection memory (headers); 0 = 32 KiB */
    int shutdown_grace_s;     /* bounded wait for in-flight requests; 0 = 10 */
    int log_json;             /* 1 (default) JSON lines on stderr */
    int64_t session_idle_s;   /* web session idle end; 0 = access.h's default (2 h) */
    int64_t session_max_s;    /* web session absolute end; 0 = the default (12 h) */
    /* proxies whose X-Forwarded-For names the client (addresses or CIDR
     * blocks, comma or space separated); NULL = none: the peer is the client */
    const char *trusted_proxies;
    /* Workflows (routes/wf_engine.c, docs/service.md "Workflows"): the
     * definitions of --workflows DIR, loaded and checked by the caller
     * (borrowed; NULL: none), saved as versions for each org of
     * workflows_orgs (a comma list of org ids; NULL or "*": every org);
     * workflows_dir names them (created_by "directory DIR"). */
    const zf_workflow_set *workflows;
    const char *workflows_dir;
    const char *workflows_orgs;
    int workers;        /* run-executing threads; 0 = none (runs wait for a worker elsewhere) */
    int64_t lease_ttl;  /* a run's lease, seconds; 0 = the runner's default */
    int64_t clock_skew; /* seconds added to the scheduler's clock (tests); 0 */
    /* the environment variables the workflows may read as env.NAME
     * (NULL-terminated, borrowed; NULL: none) */
    const char *const *workflows_env;
} srv_opts;

#define SRV_OPTS_INIT                                                                              \
    {                                                                                              \
        NULL, NULL, 0, NULL, NULL, NULL, ZF_SESSION_OPTS_INIT, 0, 0, 0, 1, 0, 0, NULL, NULL, NULL, \
            NULL, 0, 0, 0, NULL                                                                    \
    }

/* Runs the service until SIGTERM/SIGINT: prints "listening on URL" on
 * stdout once bound, serves, then stops accepting, waits for in-flight
 * requests (bounded), closes the store. 0 on a clean stop; a negative
 * zf_code with err filled when it cannot start (bad listen address, TLS
 * unsupported or unreadable files, store unreachable). */
int srv_main(const srv_opts *opts, zf_error *err);

/* ---- access ---------------------------------------------------------- */

typedef enum srv_role {
    SRV_ROLE_ANON = 0, /* no principal needed (the row also has SRV_ANON) */
    SRV_ROLE_VIEWER = 1,
    SRV_ROLE_OPERATOR = 2,
    SRV_ROLE_ADMIN = 3
} srv_role;

/* "viewer", "operator", "admin" ("anonymous" for 0). */
const char *srv_role_name(int role);

typedef enum srv_auth_kind {
    SRV_AUTH_SESSION = 1, /* the zf_session cookie (CSRF applies) */
    SRV_AUTH_KEY = 2      /* Authorization: Bearer zfk_... */
} srv_auth_kind;

#define SRV_ID_MAX 128

/* Who is asking: filled by the core from access.h's zf_principal. Every
 * /api/v1 route acts on who->org only. */
typedef struct srv_principal {
    int kind;                 /* srv_auth_kind */
    int role;                 /* srv_role in who->org */
    char org[SRV_ID_MAX];     /* the org's id as the store knows it */
    char account[SRV_ID_MAX]; /* account id (sessions) or the key's id (keys) */
    char email[256];          /* the account's email ("" for keys) */
    char actor[288];          /* for the audit log: "account:EMAIL" or "key:ID" */
    char csrf[128];           /* the session's CSRF token ("" for keys) */
    /* access.h's principal as the core got it (struct zf_principal *), for
     * handlers that call access.h themselves; NULL when anonymous. */
    const void *zf;
} srv_principal;

/* ---- the service ----------------------------------------------------- */

typedef struct srv_ctx srv_ctx;

/* The store every org shares (borrowed, thread-safe). */
int srv_ctx_store(srv_ctx *ctx, zf_store **out, zf_error *err);
/* The org's zf_session (conn_id = the org's connection, opened lazily on
 * first use, kept until shutdown; borrowed, thread-safe as session.h says:
 * one zf_zoom per thread through zf_session_zoom_new). */
int srv_ctx_session(srv_ctx *ctx, const char *org, zf_session **out, zf_error *err);
/* The access handle (access.h) over the shared store, opened on first use
 * (borrowed, thread-safe). */
struct zf_access;
int srv_ctx_access(srv_ctx *ctx, struct zf_access **out, zf_error *err);
/* The public base URL without a trailing '/' ("https://zf.example.com"). */
const char *srv_ctx_public_url(const srv_ctx *ctx);
/* 1 when cookies get Secure (TLS, or an https public URL). */
int srv_ctx_secure(const srv_ctx *ctx);
/* The options the service was started with (borrowed). */
const srv_opts *srv_ctx_opts(const srv_ctx *ctx);

/* ---- requests -------------------------------------------------------- */

typedef struct srv_route srv_route;
typedef struct srv_req_priv srv_req_priv;

typedef struct srv_req {
    const char *method;    /* "GET", "POST", ... */
    const char *path;      /* decoded, normalised ("/api/v1/keys/7") */
    const char *query_raw; /* after '?', "" when none (not decoded) */
    const char *body;      /* raw body (NUL-terminated copy), NULL when none */
    size_t body_len;
    json_t *json;             /* the parsed body (borrowed) unless SRV_RAW; NULL when none */
    const char *request_id;   /* the X-Request-Id every response carries */
    const char *client;       /* the client's address ("127.0.0.1") */
    const srv_principal *who; /* NULL when anonymous */
    srv_ctx *ctx;
    const srv_route *route; /* the row that matched */
    srv_req_priv *priv;     /* the core's (params, headers, cookies, query) */
} srv_req;

/* A {param} segment of the route's pattern, percent-decoded; NULL when the
 * pattern has no such name. */
const char *srv_param(const srv_req *req, const char *name);
/* A query parameter, decoded (the first when repeated); NULL when absent. */
const char *srv_query(const srv_req *req, const char *name);
/* The name of the query's i-th parameter (decoded), NULL past the last. */
const char *srv_query_name(const srv_req *req, size_t i);
/* A request header by name, case-insensitive; NULL when absent. */
const char *srv_header(const srv_req *req, const char *name);
/* A cookie by name; NULL when absent. */
const char *srv_cookie(const srv_req *req, const char *name);

/* ---- responses ------------------------------------------------------- */

typedef struct srv_resp srv_resp;

/* Each of these fills the response (a later call replaces the body and
 * status; headers add up) and returns 0, or ZF_ENOMEM. */

/* A JSON answer; takes the reference of body (NULL body: ZF_ENOMEM and a
 * 500, so `srv_json(resp, 200, json_pack(...))` is safe). */
int srv_json(srv_resp *resp, int status, json_t *steal);
/* The contract's error body from err, status from its code
 * (srv_status_of); Retry-After when err->retry_after >= 0 on a 429/503. */
int srv_error(srv_resp *resp, const zf_error *err);
/* The same with the status given (400 malformed JSON, 415 content type). */
int srv_error_status(srv_resp *resp, int status, const zf_error *err);
/* The same with "problems": [{field, message}] (takes the reference). */
int srv_error_problems(srv_resp *resp, const zf_error *err, json_t *steal_problems);
/* The same with the status given: 400 for a query that is refused (422 is
 * for a body that fails its schema). */
int srv_error_status_problems(srv_resp *resp, int status, const zf_error *err,
                              json_t *steal_problems);
/* Shorthand: a new error of code with the message (printf-style). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int srv_fail(srv_resp *resp, int code, const char *fmt, ...);
/* A redirect (301/302/303/307/308) to url (absolute or a path). */
int srv_redirect(srv_resp *resp, int status, const char *url);
/* Text of any content type, copied ("text/plain; charset=utf-8"). HTML
 * ("text/html...") gets the security headers. */
int srv_text(srv_resp *resp, int status, const char *content_type, const char *body, size_t len);
/* The same without a copy: body must outlive the response (embedded
 * assets, string literals). */
int srv_static(srv_resp *resp, int status, const char *content_type, const void *body, size_t len);
/* Adds a header (copied). Content-Length, X-Request-Id and the security
 * headers are the core's. */
int srv_resp_header(srv_resp *resp, const char *name, const char *value);
/* Set-Cookie: name=value; Path=/; HttpOnly; SameSite=Strict, plus Secure
 * when srv_ctx_secure; Max-Age=max_age when >= 0 (0 deletes the cookie). */
int srv_set_cookie(srv_resp *resp, const char *name, const char *value, int64_t max_age);

/* The HTTP status of a zf_code, as the contract's table says. */
int srv_status_of(int code);
/* The error body's JSON ({"error": {...}}) for err; request_id may be NULL.
 * NULL when out of memory. */
json_t *srv_error_json(const zf_error *err, int status, const char *request_id);

/* ---- logs ------------------------------------------------------------ */

/* A JSON log line on stderr with the request's id, route and actor
 * ({"ts","level","event","request_id","route","actor","msg"}), redacted
 * by zf_log_redact. req may be NULL (a line of the service itself). */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void srv_log(const srv_req *req, int zf_log_level, const char *event, const char *fmt, ...);

/* ---- routes ---------------------------------------------------------- */

typedef int (*srv_handler)(srv_req *req, srv_resp *resp);

/* Route flags */
#define SRV_ANON 0x1u    /* no principal needed (min_role is ignored) */
#define SRV_NO_CSRF 0x2u /* no CSRF check (sign-in, webhooks, OAuth callback) */
#define SRV_RAW 0x4u     /* the body is not parsed as JSON (webhooks) */
#define SRV_HIDDEN 0x8u  /* left out of the OpenAPI document */

/* Body limits */
#define SRV_BODY_NONE 0 /* the row's default: 64 KiB */
#define SRV_BODY_DEFAULT (64u * 1024u)
#define SRV_BODY_MAX (16u * 1024u * 1024u)

struct srv_route {
    const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *pattern; /* "/api/v1/keys/{id}": literal segments and {name} segments */
    srv_handler handler;
    int min_role;                /* srv_role; ignored with SRV_ANON */
    size_t body_limit;           /* bytes; SRV_BODY_NONE = SRV_BODY_DEFAULT */
    unsigned flags;              /* SRV_ANON | SRV_NO_CSRF | SRV_RAW | SRV_HIDDEN */
    const char *summary;         /* one line, for the OpenAPI document */
    const char *request_schema;  /* a components/schemas name, or NULL */
    const char *response_schema; /* a components/schemas name, or NULL */
};

/* The one route table (routes.c), ended by a row whose method is NULL. */
extern const srv_route srv_routes[];

/* ---- modules: start-up hooks of other parts of the service ----------- */

/* A part of the service with state or metrics of its own (the Zoom client
 * counters, the webhook intake): init runs once before the daemon starts
 * (a failure stops the start), fini after it stopped, openapi may add
 * schemas and paths' details to the document (doc is the whole document).
 * ready joins /readyz. Rows in srv_modules[] (routes.c), ended by a row
 * whose name is NULL. */
typedef struct srv_module {
    const char *name;
    int (*init)(srv_ctx *ctx, zf_error *err);
    void (*fini)(srv_ctx *ctx);
    int (*openapi)(srv_ctx *ctx, json_t *doc);
    /* /readyz (and the scrape of a module's gauges through srv_ready_probe):
     * 0 when the part is ready, SRV_READY_DEGRADED when it works but
     * something in it needs a person (the process stays ready unless the
     * request says ?require=NAME), else a negative zf_code with err saying
     * what failed (the answer names the module). check is the module's
     * member of the answer's "checks" ({"status"} is the core's); the hook
     * may add to it. Runs on the probe's own thread, after the store
     * answered, bounded with it to 2 s; a store read, never a Zoom call.
     * NULL: none. */
    int (*ready)(srv_ctx *ctx, json_t *check, zf_error *err);
    /* Once listening, before the "listening on" line and the port file
     * (threads of the module's own start here; a failure
     * stops the service), and on SIGTERM once the requests in flight are
     * done, before fini (the threads stop and are joined). NULL: none. */
    int (*start)(srv_ctx *ctx, zf_error *err);
    void (*stop)(srv_ctx *ctx);
} srv_module;

#define SRV_READY_DEGRADED 1

extern const srv_module srv_modules[];

/* ---- metrics --------------------------------------------------------- */

/* Counters in families: declare a family once (in a module's init), then
 * add to a label set; a label set is the Prometheus text between the
 * braces, e.g. "endpoint=\"/users\",status=\"200\"" (srv_metric_label
 * escapes a value). Thread-safe and cheap (a mutex-free read path for a
 * label set seen before). */
typedef enum srv_metric_type { SRV_METRIC_COUNTER = 1, SRV_METRIC_GAUGE = 2 } srv_metric_type;

/* 0, or ZF_EINVAL for a bad name / a family declared with another type. */
int srv_metric_declare(srv_ctx *ctx, const char *family, int type, const char *help);
/* Adds v to the family's label set (labels may be "" or NULL). */
void srv_metric_add(srv_ctx *ctx, const char *family, const char *labels, double v);
/* Sets a gauge. */
void srv_metric_set(srv_ctx *ctx, const char *family, const char *labels, double v);
/* Appends name="value" (escaped, comma first when out is not empty). */
int srv_metric_label(zf_buf *out, const char *name, const char *value);
/* A collector writes exposition text of its own at each scrape (with its
 * own # HELP / # TYPE lines). */
typedef int (*srv_metrics_fn)(void *arg, zf_buf *out);
int srv_metrics_collector(srv_ctx *ctx, srv_metrics_fn fn, void *arg);

/* ---- the Zoom OAuth app of the web flow (routes/oauth.c) ------------- */

/* The app GET /oauth/zoom/connect sends an org admin to (the same settings
 * as the CLI's connect: client_id, client_secret_file, authorize_endpoint,
 * token_endpoint, revoke_endpoint; oauth_base and api_base are the
 * session template's). Strings are copied. Call before srv_main; without
 * it the service reads ZOOMFLOW_CLIENT_ID, ZOOMFLOW_CLIENT_SECRET_FILE,
 * ZOOMFLOW_AUTHORIZE_ENDPOINT, ZOOMFLOW_TOKEN_ENDPOINT and
 * ZOOMFLOW_REVOKE_ENDPOINT at start. The redirect URI is always the
 * public URL + /oauth/zoom/callback. */
typedef struct srv_oauth_app {
    const char *client_id;
    const char *client_secret; /* the secret itself (read from its file by the caller) */
    const char *authorize_endpoint;
    const char *token_endpoint;
    const char *revoke_endpoint;
} srv_oauth_app;

int srv_oauth_app_set(const srv_oauth_app *app, zf_error *err);

#endif
