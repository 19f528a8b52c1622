/*
 * The service core's own parts, shared by the files of src/server (never
 * by routes/ handlers, which see server.h): the context, the request's
 * private half, the response, and the pure parsers (parse.c) the fuzz
 * targets drive.
 */
#ifndef ZOOMFLOW_SERVER_CORE_H
#define ZOOMFLOW_SERVER_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "server.h"
#include "zoomflow/access.h"

/* ---- pure parsers (parse.c) ------------------------------------------ */

#define SRV_PATH_MAX 2048
#define SRV_PARAMS_MAX 8
#define SRV_SEGMENTS_MAX 32
#define SRV_QUERY_MAX 64
#define SRV_COOKIES_MAX 64

typedef struct srv_kv {
    char *name;
    char *value;
} srv_kv;

typedef struct srv_kvlist {
    srv_kv items[SRV_QUERY_MAX > SRV_COOKIES_MAX ? SRV_QUERY_MAX : SRV_COOKIES_MAX];
    size_t n;
} srv_kvlist;

/* The decoded, checked path of a raw request target's path part (no
 * query): percent escapes decoded once, then refused when the result has
 * a NUL, a backslash, a control byte, an empty segment ("//"), a "." or
 * ".." segment, or is longer than SRV_PATH_MAX; an invalid escape ("%zz",
 * "%4") or a '%' that decodes to '/' is refused too. A trailing '/' (not
 * the root) is refused as an empty segment. out gets the path (out_cap
 * bytes). 0, or ZF_EVALIDATION with the reason in why (a static string). */
int srv_path_clean(const char *raw, size_t len, char *out, size_t out_cap, const char **why);

/* How a route pattern matches a clean path. */
#define SRV_MATCH_NONE 0
#define SRV_MATCH_PATH 1 /* the path matches, the method does not */
#define SRV_MATCH_OK 2
typedef struct srv_match {
    const srv_route *route; /* SRV_MATCH_OK */
    size_t nparams;
    srv_kv params[SRV_PARAMS_MAX]; /* name points into the pattern; value malloc'd */
    char allow[96];                /* SRV_MATCH_PATH: "GET, POST" */
} srv_match;

/* Matches method + clean path against routes (a table ended by a NULL
 * method). A {name} segment matches one non-empty segment. A literal
 * segment beats a {param} in the same place (first match in table order
 * among equals). Pure. Returns SRV_MATCH_*; srv_match_free afterwards. */
int srv_route_match(const srv_route *routes, const char *method, const char *path, srv_match *out);
void srv_match_free(srv_match *m);

/* a=1&b=x%20y&c (application/x-www-form-urlencoded: '+' is a space):
 * pairs decoded into out (at most SRV_QUERY_MAX; more is ZF_EVALIDATION),
 * an invalid escape or a decoded NUL is ZF_EVALIDATION. */
int srv_query_parse(const char *q, size_t len, srv_kvlist *out, const char **why);
/* Cookie: a=1; b=2 (RFC 6265 cookie-string; quoted values unquoted;
 * pairs without '=' skipped; names must be tokens). Never fails on odd
 * bytes: a bad pair is skipped. At most SRV_COOKIES_MAX pairs. */
int srv_cookie_parse(const char *h, size_t len, srv_kvlist *out);
void srv_kvlist_free(srv_kvlist *l);
/* The value of name in l (case-sensitive), NULL when absent. */
const char *srv_kvlist_get(const srv_kvlist *l, const char *name);

/* 1 when id is 1-64 bytes of [A-Za-z0-9._-]. */
int srv_request_id_ok(const char *id);

/* A trusted proxy: an address or a CIDR block (IPv4 kept as ::ffff:a.b.c.d,
 * bits counted over the 16 bytes). */
typedef struct srv_net {
    unsigned char addr[16];
    int bits;
} srv_net;
#define SRV_NETS_MAX 32
/* "10.0.0.0/8" or "::1" (len bytes): 0, or -1 when it is not an address,
 * the prefix is out of range, or host bits are set under the prefix. */
int srv_net_parse(const char *s, size_t len, srv_net *out);
/* A list separated by commas or spaces into out (at most cap): 0, or -1
 * with the entry at fault copied into bad. */
int srv_net_list_parse(const char *list, srv_net *out, size_t cap, size_t *n, char *bad,
                       size_t bad_cap);
/* 1 when the address text addr is in one of nets. */
int srv_net_match(const srv_net *nets, size_t n, const char *addr);
/* The client behind trusted proxies: X-Forwarded-For (len bytes) read from
 * the right, each hop in nets skipped; 1 with the first other address
 * (normalised) in out, 0 when an entry is not a bare address (a port,
 * "unknown", garbage) or every hop is trusted: then the peer is the client. */
int srv_forwarded_client(const char *xff, size_t len, const srv_net *nets, size_t n, char *out,
                         size_t cap);

/* ---- the context ----------------------------------------------------- */

typedef struct srv_metrics srv_metrics;

typedef struct srv_org_session {
    char org[ZF_ORG_SLUG_MAX + 1];
    zf_session *s;
    struct srv_org_session *next;
} srv_org_session;

struct srv_ctx {
    srv_opts opts;         /* strings are borrowed from srv_main's caller */
    char public_url[1024]; /* no trailing '/' */
    char listen_url[300];
    int tls;
    int secure_cookies;
    zf_session *base;  /* the shared store's session (conn_id NULL) */
    zf_access *access; /* over base's store; NULL until opened */
    zf_access_opts access_opts;
    pthread_mutex_t lock; /* orgs */
    srv_org_session *orgs;
    srv_metrics *metrics;
    atomic_int probes;             /* /readyz store probes still running (routes/health.c) */
    srv_net trusted[SRV_NETS_MAX]; /* --trusted-proxy: whose X-Forwarded-For counts */
    size_t ntrusted;
};

/* ---- requests and responses ------------------------------------------ */

struct srv_req_priv {
    srv_kvlist query;
    srv_kvlist cookies;
    srv_match match;
    void *conn; /* struct MHD_Connection * */
    zf_principal principal;
    srv_principal who;
    char path[SRV_PATH_MAX + 1];
    char request_id[72];
    char client[64];
};

typedef struct srv_hdr {
    char *name;
    char *value;
} srv_hdr;

struct srv_resp {
    int status;
    char *ctype;
    char *body; /* owned unless borrowed */
    const void *borrowed;
    size_t len;
    srv_hdr *hdrs;
    size_t nhdrs, caphdrs;
    int filled;
    int failed; /* out of memory on the way */
    srv_ctx *ctx;
    const char *request_id;
    char err_code[24]; /* the zf_code name of an error body, for the log */
};

void srv_resp_init(srv_resp *r, srv_ctx *ctx, const char *request_id);
void srv_resp_clear(srv_resp *r);

/* hints.c: the service's words for a hint id (a label and the route of a
 * button on the page), NULL when it has none. */
typedef struct srv_hint_row {
    int id;
    const char *text;  /* the advice, as the page shows it */
    const char *label; /* a button's label, NULL when none */
    const char *href;  /* where the button goes, NULL when none */
} srv_hint_row;
const srv_hint_row *srv_hint_find(int id);
/* The ids the service never emits (each with where it comes from), ended
 * by ZF_HINT_NONE: every other id of ZF_HINT_MAP has a row. */
typedef struct srv_hint_skip {
    int id;
    const char *why;
} srv_hint_skip;
extern const srv_hint_skip srv_hints_not_emitted[];

/* metrics.c */
int srv_metrics_new(srv_metrics **out);
void srv_metrics_free(srv_metrics *m);
void srv_metrics_observe(srv_ctx *ctx, const char *route, const char *method, int status,
                         double seconds);
int srv_metrics_render(srv_ctx *ctx, zf_buf *out);

/* openapi.c: the document from the table (+ modules). */
json_t *srv_openapi_doc(srv_ctx *ctx);

/* access.c: authenticates req (cookie or bearer) into req->who, then the
 * row's rules. 0 when the handler may run; else resp is filled (401, 403). */
int srv_access_check(srv_req *req, srv_resp *resp);

/* listener.c: the listening socket and the thread that accepts on it and
 * hands each connection to mhd (started MHD_USE_NO_LISTEN_SOCKET). */
struct MHD_Daemon;
struct sockaddr_storage;
typedef struct srv_listener srv_listener;
/* Binds and listens on ss (sl bytes); port gets the port bound (the
 * kernel's choice for port 0). 0, or -1 with errnum. */
int srv_listener_open(const struct sockaddr_storage *ss, unsigned sl, srv_listener **out, int *port,
                      int *errnum);
/* Starts accepting for mhd. 0, or -1 when the thread cannot start. */
int srv_listener_start(srv_listener *l, struct MHD_Daemon *mhd);
/* Stops accepting and closes the socket: a new connection is refused at
 * once (the connections made stay with mhd). */
void srv_listener_stop(srv_listener *l);
/* srv_listener_stop, then frees l. NULL is fine. */
void srv_listener_close(srv_listener *l);

/* log.c */
/* The request whose handler runs on this thread (library log lines carry
 * its id); NULL after it. */
void srv_log_set_current(const srv_req *req);
/* Library log lines (zf_log) as the service's JSON lines. */
void srv_log_setup(void);
void srv_log_access(const srv_req *req, const srv_resp *resp, const char *pattern, double seconds);

#endif
