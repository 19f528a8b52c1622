/*
 * The daemon: libmicrohttpd with an internal epoll thread pool, HTTP/1.1
 * keep-alive, one request's life (route, body, parse, access, handler,
 * answer, log, metrics), the slow-client watchdog and the graceful stop.
 *
 * A request's life in MHD's access handler:
 *  - the URI log callback (before the headers) makes the request's state
 *    with the raw request target (MHD's own unescaping is off: the path
 *    check sees the bytes the client sent);
 *  - first call (headers in): route, request id, Content-Length against
 *    the row's body limit. Nothing is queued on this call: MHD would close
 *    a keep-alive connection (the first-call trap);
 *  - upload calls: the body is kept up to the limit; past it the 413 is
 *    queued at once (MHD then closes the connection, the rest unread);
 *  - the last call (no more data): the request is answered.
 */
#include "core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zoomflow/hint.h"
#include "zoomflow/json.h"
#include "zoomflow/log.h"
#include "text.h"

/* body bytes past a limit read and dropped before the connection is cut */
#define SRV_BODY_DRAIN (1024u * 1024u)

/* ---- clock, ids ------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void new_request_id(char *out, size_t cap)
{
    unsigned char r[12];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        static atomic_uint_fast64_t seq;
        uint64_t v = atomic_fetch_add(&seq, 1) ^ (uint64_t)time(NULL) << 20;
        memcpy(r, &v, sizeof v);
        memset(r + sizeof v, 0, sizeof r - sizeof v);
    }
    static const char hx[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < sizeof r && o + 2 < cap; i++) {
        out[o++] = hx[r[i] >> 4];
        out[o++] = hx[r[i] & 15];
    }
    out[o] = '\0';
}

/* ---- the context ----------------------------------------------------- */

const char *srv_role_name(int role)
{
    switch (role) {
    case SRV_ROLE_VIEWER:
        return "viewer";
    case SRV_ROLE_OPERATOR:
        return "operator";
    case SRV_ROLE_ADMIN:
        return "admin";
    default:
        return "anonymous";
    }
}

int srv_ctx_store(srv_ctx *ctx, zf_store **out, zf_error *err)
{
    return zf_session_store(ctx->base, out, err);
}

int srv_ctx_access(srv_ctx *ctx, zf_access **out, zf_error *err)
{
    pthread_mutex_lock(&ctx->lock);
    int rc = 0;
    if (!ctx->access) {
        zf_store *st;
        rc = zf_session_store(ctx->base, &st, err);
        if (rc == 0)
            rc = zf_access_new(&ctx->access, st, &ctx->access_opts, err);
    }
    *out = ctx->access;
    pthread_mutex_unlock(&ctx->lock);
    return rc;
}

int srv_ctx_session(srv_ctx *ctx, const char *org, zf_session **out, zf_error *err)
{
    if (!org || !*org)
        return zf_error_set(err, ZF_EINVAL, "no org given for the session");
    pthread_mutex_lock(&ctx->lock);
    for (srv_org_session *o = ctx->orgs; o; o = o->next)
        if (strcmp(o->org, org) == 0) {
            *out = o->s;
            pthread_mutex_unlock(&ctx->lock);
            return 0;
        }
    srv_org_session *o = calloc(1, sizeof *o);
    int rc = o ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
    if (rc == 0) {
        snprintf(o->org, sizeof o->org, "%s", org);
        zf_session_opts so = ctx->opts.session;
        so.conn_id = o->org;
        if (!so.actor)
            so.actor = "service";
        rc = zf_session_open(&o->s, &so, err);
    }
    if (rc == 0) {
        o->next = ctx->orgs;
        ctx->orgs = o;
        *out = o->s;
    } else {
        free(o);
    }
    pthread_mutex_unlock(&ctx->lock);
    return rc;
}

const char *srv_ctx_public_url(const srv_ctx *ctx)
{
    return ctx->public_url;
}

int srv_ctx_secure(const srv_ctx *ctx)
{
    return ctx->secure_cookies;
}

const srv_opts *srv_ctx_opts(const srv_ctx *ctx)
{
    return &ctx->opts;
}

/* ---- request accessors ----------------------------------------------- */

const char *srv_param(const srv_req *req, const char *name)
{
    if (!req || !req->priv || !name)
        return NULL;
    const srv_match *m = &req->priv->match;
    for (size_t i = 0; i < m->nparams; i++)
        if (strcmp(m->params[i].name, name) == 0)
            return m->params[i].value;
    return NULL;
}

const char *srv_query(const srv_req *req, const char *name)
{
    return req && req->priv ? srv_kvlist_get(&req->priv->query, name) : NULL;
}

const char *srv_query_name(const srv_req *req, size_t i)
{
    if (!req || !req->priv || i >= req->priv->query.n)
        return NULL;
    return req->priv->query.items[i].name;
}

const char *srv_header(const srv_req *req, const char *name)
{
    if (!req || !req->priv || !req->priv->conn || !name)
        return NULL;
    return MHD_lookup_connection_value(req->priv->conn, MHD_HEADER_KIND, name);
}

const char *srv_cookie(const srv_req *req, const char *name)
{
    return req && req->priv ? srv_kvlist_get(&req->priv->cookies, name) : NULL;
}

/* ---- connections and the watchdog ------------------------------------ */

/* One per TCP connection (MHD's socket context), on the context's list
 * while open, so the watchdog can cut a client that sends its request too
 * slowly: MHD's own timeout is an idle timeout, which a byte a second
 * never trips. */
typedef struct srv_conn {
    int fd;
    double phase_start; /* the connection's start or its last request's end */
    int phase;          /* 0 waiting for headers, 1 reading the body, 2 handling/sending */
    int cut;
    struct srv_conn *prev, *next;
} srv_conn;

typedef struct srv_daemon {
    srv_ctx *ctx;
    struct MHD_Daemon *mhd;
    srv_listener *listener; /* the listening socket: MHD has none */
    pthread_mutex_t lock;   /* conns */
    srv_conn *conns;
    atomic_int inflight;
    atomic_int stopping;
    pthread_t watchdog;
    int watchdog_started;
    double timeout;
} srv_daemon;

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    srv_daemon *d = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        srv_conn *sc = calloc(1, sizeof *sc);
        if (!sc)
            return;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        sc->fd = ci ? ci->connect_fd : -1;
        sc->phase_start = now_s();
        pthread_mutex_lock(&d->lock);
        sc->next = d->conns;
        if (d->conns)
            d->conns->prev = sc;
        d->conns = sc;
        pthread_mutex_unlock(&d->lock);
        *socket_context = sc;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        srv_conn *sc = *socket_context;
        if (!sc)
            return;
        pthread_mutex_lock(&d->lock);
        if (sc->prev)
            sc->prev->next = sc->next;
        else
            d->conns = sc->next;
        if (sc->next)
            sc->next->prev = sc->prev;
        pthread_mutex_unlock(&d->lock);
        free(sc);
        *socket_context = NULL;
    }
}

static srv_conn *conn_of(srv_daemon *d, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? (srv_conn *)ci->socket_context : NULL;
}

static void conn_phase(srv_daemon *d, struct MHD_Connection *c, int phase)
{
    srv_conn *sc = conn_of(d, c);
    if (!sc)
        return;
    pthread_mutex_lock(&d->lock);
    sc->phase = phase;
    if (phase == 0)
        sc->phase_start = now_s();
    pthread_mutex_unlock(&d->lock);
}

static void *watchdog_main(void *arg)
{
    srv_daemon *d = arg;
    while (!atomic_load(&d->stopping)) {
        struct timespec ts = {0, 250 * 1000 * 1000};
        nanosleep(&ts, NULL);
        double t = now_s();
        pthread_mutex_lock(&d->lock);
        for (srv_conn *sc = d->conns; sc; sc = sc->next) {
            /* a request that has not arrived whole in the timeout: headers
             * (phase 0, counted from the connection's start or the last
             * answer, which also bounds an idle keep-alive) or body (1) */
            if (sc->phase < 2 && !sc->cut && sc->fd >= 0 && t - sc->phase_start > d->timeout) {
                shutdown(sc->fd, SHUT_RDWR);
                sc->cut = 1;
                srv_log(NULL, ZF_LOG_INFO, "slow_client",
                        "cut a connection that sent no whole request in %.0f s", d->timeout);
            }
        }
        pthread_mutex_unlock(&d->lock);
    }
    return NULL;
}

/* ---- one request ----------------------------------------------------- */

typedef struct srv_rstate {
    srv_daemon *d;
    char *uri; /* the raw request target */
    double t0;
    int calls;    /* access handler calls so far */
    int routed;   /* SRV_MATCH_* */
    int path_bad; /* the path check failed (why) */
    const char *why;
    size_t limit;
    int too_big;
    size_t dropped; /* body bytes read past the limit and dropped */
    int answered;
    zf_buf body;
    srv_req req;
    srv_req_priv priv;
    srv_resp resp;
    char method[16];
} srv_rstate;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    srv_daemon *d = cls;
    srv_rstate *rs = calloc(1, sizeof *rs);
    if (!rs)
        return NULL;
    rs->d = d;
    rs->t0 = now_s();
    rs->uri = strdup(uri ? uri : "");
    atomic_fetch_add(&d->inflight, 1);
    return rs;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    srv_daemon *d = cls;
    srv_rstate *rs = *con_cls;
    if (!rs)
        return;
    srv_kvlist_free(&rs->priv.query);
    srv_kvlist_free(&rs->priv.cookies);
    srv_match_free(&rs->priv.match);
    if (rs->req.json)
        json_decref(rs->req.json);
    zf_buf_free(&rs->body);
    srv_resp_clear(&rs->resp);
    free(rs->uri);
    free(rs);
    *con_cls = NULL;
    atomic_fetch_sub(&d->inflight, 1);
    conn_phase(d, c, 0);
}

/* MHD's unescaping is off: the raw bytes reach srv_path_clean. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *uri)
{
    return strlen(uri);
}

static int is_html(const char *ctype)
{
    return ctype && strncasecmp(ctype, "text/html", 9) == 0;
}

static enum MHD_Result queue(srv_rstate *rs, struct MHD_Connection *c)
{
    srv_resp *r = &rs->resp;
    if (!r->filled) {
        zf_error e = ZF_ERROR_INIT;
        zf_error_set(&e, ZF_EIO, "the handler gave no answer");
        srv_error_status(r, 500, &e);
    }
    struct MHD_Response *mr;
    if (r->borrowed)
        mr = MHD_create_response_from_buffer(r->len, (void *)r->borrowed, MHD_RESPMEM_PERSISTENT);
    else if (r->body) {
        mr = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
        if (mr)
            r->body = NULL;
    } else
        mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!mr)
        return MHD_NO;
    int status = r->status ? r->status : 500;
    if (r->ctype)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
    MHD_add_response_header(mr, "X-Request-Id", rs->priv.request_id);
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
    if (is_html(r->ctype)) {
        MHD_add_response_header(mr, "Content-Security-Policy",
                                "default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                                "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
        MHD_add_response_header(mr, "X-Frame-Options", "DENY");
    }
    int has_cache = 0;
    for (size_t i = 0; i < r->nhdrs; i++) {
        if (strcasecmp(r->hdrs[i].name, "Cache-Control") == 0)
            has_cache = 1;
        MHD_add_response_header(mr, r->hdrs[i].name, r->hdrs[i].value);
    }
    if (!has_cache && strncmp(rs->priv.path, "/assets/", 8) != 0)
        MHD_add_response_header(mr, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, mr);
    MHD_destroy_response(mr);
    rs->answered = 1;
    const char *pattern = rs->req.route                  ? rs->req.route->pattern
                          : rs->routed == SRV_MATCH_PATH ? "(method)"
                                                         : "(none)";
    double dt = now_s() - rs->t0;
    r->status = status;
    srv_log_access(&rs->req, r, pattern, dt);
    srv_metrics_observe(rs->d->ctx, pattern, rs->method, status, dt);
    conn_phase(rs->d, c, 2);
    return ok;
}

__attribute__((format(printf, 6, 7))) static enum MHD_Result
fail_now(srv_rstate *rs, struct MHD_Connection *c, int status, int code, int hint, const char *fmt,
         ...)
{
    zf_error e = ZF_ERROR_INIT;
    char msg[ZF_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    zf_error_set(&e, code, "%s", msg);
    if (hint != ZF_HINT_NONE)
        zf_error_hint_id(&e, (zf_hint)hint, NULL);
    srv_error_status(&rs->resp, status, &e);
    return queue(rs, c);
}

/* First call: route and check what the headers already tell. */
static void first_call(srv_rstate *rs, struct MHD_Connection *c, const char *method)
{
    srv_ctx *ctx = rs->d->ctx;
    snprintf(rs->method, sizeof rs->method, "%s", method);
    srv_req *q = &rs->req;
    q->priv = &rs->priv;
    q->ctx = ctx;
    q->method = rs->method;
    q->path = rs->priv.path;
    q->request_id = rs->priv.request_id;
    q->client = rs->priv.client;
    rs->priv.conn = c;
    const char *rid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
    if (srv_request_id_ok(rid))
        snprintf(rs->priv.request_id, sizeof rs->priv.request_id, "%s", rid);
    else
        new_request_id(rs->priv.request_id, sizeof rs->priv.request_id);
    srv_resp_init(&rs->resp, ctx, rs->priv.request_id);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, rs->priv.client,
                      sizeof rs->priv.client);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, rs->priv.client,
                      sizeof rs->priv.client);
    }
    /* behind a trusted proxy the client is the one its X-Forwarded-For
     * names (sign-in limits per address, logs); anyone else's is ignored */
    if (ctx->ntrusted && srv_net_match(ctx->trusted, ctx->ntrusted, rs->priv.client)) {
        const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
        if (xff)
            srv_forwarded_client(xff, strlen(xff), ctx->trusted, ctx->ntrusted, rs->priv.client,
                                 sizeof rs->priv.client);
    }
    /* the target: path ? query */
    const char *uri = rs->uri ? rs->uri : "";
    const char *qm = strchr(uri, '?');
    size_t plen = qm ? (size_t)(qm - uri) : strlen(uri);
    q->query_raw = qm ? qm + 1 : "";
    if (srv_path_clean(uri, plen, rs->priv.path, sizeof rs->priv.path, &rs->why) < 0) {
        rs->path_bad = 1;
        snprintf(rs->priv.path, sizeof rs->priv.path, "%s", "(refused)");
        return;
    }
    rs->routed = srv_route_match(srv_routes, method, rs->priv.path, &rs->priv.match);
    if (rs->routed == SRV_MATCH_OK) {
        q->route = rs->priv.match.route;
        rs->limit = q->route->body_limit ? q->route->body_limit : SRV_BODY_DEFAULT;
        if (rs->limit > SRV_BODY_MAX)
            rs->limit = SRV_BODY_MAX;
    }
    if (rs->routed != SRV_MATCH_OK)
        rs->limit = SRV_BODY_DEFAULT; /* what is read (and dropped) before the 400/404/405 */
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
        uint64_t n;
        if (zf_parse_u64(cl, rs->limit, &n) < 0)
            rs->too_big = 1;
    }
}

static int content_type_json(const char *ct)
{
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    if (strncasecmp(ct, "application/json", 16) != 0)
        return 0;
    ct += 16;
    while (*ct == ' ')
        ct++;
    return *ct == '\0' || *ct == ';';
}

/* Last call: every check, then the handler. */
static enum MHD_Result answer(srv_rstate *rs, struct MHD_Connection *c)
{
    srv_req *q = &rs->req;
    if (rs->path_bad)
        return fail_now(rs, c, 400, ZF_EVALIDATION, ZF_HINT_CHECK_ROUTE, "path refused: %s",
                        rs->why ? rs->why : "invalid");
    if (rs->routed == SRV_MATCH_NONE)
        return fail_now(rs, c, 404, ZF_ENOTFOUND, ZF_HINT_CHECK_ROUTE, "no route %s %s", rs->method,
                        rs->priv.path);
    if (rs->routed == SRV_MATCH_PATH) {
        srv_resp_header(&rs->resp, "Allow", rs->priv.match.allow);
        return fail_now(rs, c, 405, ZF_EVALIDATION, ZF_HINT_CHECK_ROUTE,
                        "method %s is not allowed on %s (allowed: %s)", rs->method, rs->priv.path,
                        rs->priv.match.allow);
    }
    const char *why = NULL;
    if (srv_query_parse(q->query_raw, strlen(q->query_raw), &rs->priv.query, &why) < 0)
        return fail_now(rs, c, 400, ZF_EVALIDATION, ZF_HINT_NONE, "query refused: %s",
                        why ? why : "invalid");
    const char *ck = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
    if (ck)
        srv_cookie_parse(ck, strlen(ck), &rs->priv.cookies);
    if (rs->body.len || rs->body.ptr) {
        q->body = zf_buf_cstr(&rs->body);
        q->body_len = rs->body.len;
    }
    if (q->body_len > 0 && !(q->route->flags & SRV_RAW)) {
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        if (!content_type_json(ct))
            return fail_now(rs, c, 415, ZF_EVALIDATION, ZF_HINT_SEND_JSON,
                            "the body must be application/json (Content-Type: %s)",
                            ct ? ct : "none");
        zf_error e = ZF_ERROR_INIT;
        if (zf_json_parse_value(&q->json, q->body, q->body_len, rs->limit, "request body", &e) <
            0) {
            zf_error_restate(&e, ZF_EVALIDATION, "%s", e.message);
            zf_error_hint_id(&e, ZF_HINT_SEND_JSON, NULL);
            srv_error_status(&rs->resp, 400, &e);
            return queue(rs, c);
        }
    }
    if (srv_access_check(q, &rs->resp) != 0)
        return queue(rs, c);
    srv_log_set_current(q);
    int rc = q->route->handler(q, &rs->resp);
    srv_log_set_current(NULL);
    if (rc != 0 && !rs->resp.filled) {
        zf_error e = ZF_ERROR_INIT;
        zf_error_set(&e, rc < 0 ? rc : ZF_EIO, "the request failed");
        srv_error(&rs->resp, &e);
    }
    return queue(rs, c);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    srv_daemon *d = cls;
    srv_rstate *rs = *con_cls;
    if (!rs)
        return MHD_NO; /* out of memory in on_uri */
    if (rs->answered) {
        *upload_data_size = 0; /* the rest of a refused body: dropped */
        return MHD_YES;
    }
    if (rs->calls++ == 0) {
        first_call(rs, c, method);
        conn_phase(d, c, 1);
        /* A Content-Length over the limit is answered now, before the body
         * is read: MHD then closes the connection (the body is never
         * read), which is what a refused upload wants. Anything else waits
         * for the last call: an answer queued on the first call would
         * close a keep-alive connection. */
        if (rs->too_big) {
            if (rs->path_bad || rs->routed != SRV_MATCH_OK)
                return answer(rs, c);
            return fail_now(rs, c, 413, ZF_ETOOBIG, ZF_HINT_SMALLER_BODY,
                            "the request body is larger than this route takes (%zu bytes)",
                            rs->limit);
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        /* MHD takes no answer in the middle of a body: past the limit the
         * rest is dropped and the 413 (or the 400/404/405) goes at the end;
         * a body that goes on past another SRV_BODY_DRAIN bytes is cut. */
        if (rs->too_big || rs->path_bad || rs->routed != SRV_MATCH_OK ||
            rs->body.len + n > rs->limit) {
            rs->too_big = rs->too_big || rs->routed == SRV_MATCH_OK;
            rs->dropped += n;
            return rs->dropped > SRV_BODY_DRAIN ? MHD_NO : MHD_YES;
        }
        if (!rs->body.max)
            zf_buf_init(&rs->body, rs->limit + 1);
        if (zf_buf_append(&rs->body, upload_data, n) < 0)
            return fail_now(rs, c, 500, ZF_ENOMEM, ZF_HINT_NONE, "out of memory");
        return MHD_YES;
    }
    conn_phase(d, c, 2);
    if (rs->too_big && !rs->path_bad && rs->routed == SRV_MATCH_OK)
        return fail_now(rs, c, 413, ZF_ETOOBIG, ZF_HINT_SMALLER_BODY,
                        "the request body is larger than this route takes (%zu bytes)", rs->limit);
    return answer(rs, c);
}

/* libmicrohttpd's own printf-style messages (its format strings) */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    srv_log(NULL, ZF_LOG_INFO, "mhd", "%s", line);
}

/* ---- start-up -------------------------------------------------------- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sl, char *host,
                        size_t hcap, zf_error *err)
{
    const char *l = listen ? listen : "127.0.0.1:8080";
    const char *colon = strrchr(l, ':');
    if (!colon)
        return zf_error_set(err, ZF_ECONFIG, "--listen %s: expected HOST:PORT", l);
    char h[256];
    size_t hl = (size_t)(colon - l);
    if (hl >= sizeof h)
        return zf_error_set(err, ZF_ECONFIG, "--listen: the host is too long");
    memcpy(h, l, hl);
    h[hl] = '\0';
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        memmove(h, h + 1, hl - 2);
        h[hl - 2] = '\0';
    }
    if (!h[0])
        snprintf(h, sizeof h, "%s", "127.0.0.1");
    int64_t port;
    if (zf_parse_i64(colon + 1, 0, 65535, &port) < 0)
        return zf_error_set(err, ZF_ECONFIG, "--listen %s: the port must be 0-65535", l);
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, h, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        *sl = sizeof *s4;
    } else if (inet_pton(AF_INET6, h, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *sl = sizeof *s6;
    } else {
        return zf_error_set(
            err, ZF_ECONFIG,
            "--listen %s: the host must be an IP address (127.0.0.1, [::1], 0.0.0.0)", l);
    }
    snprintf(host, hcap, "%s", h);
    return 0;
}

static int read_file(const char *path, char **out, zf_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return zf_error_set(err, ZF_ECONFIG, "cannot read %s: %s", path, strerror(errno));
    zf_buf b = ZF_BUF_INIT(1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        zf_buf_append(&b, chunk, n);
    int bad = ferror(f) || b.failed;
    fclose(f);
    if (bad) {
        zf_buf_free(&b);
        return zf_error_set(err, ZF_ECONFIG, "cannot read %s (or it is over 1 MiB)", path);
    }
    zf_buf_putc(&b, '\0');
    *out = zf_buf_take(&b);
    return *out ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    n *= 2;
    return n > 8 ? 8 : (int)n;
}

static void ctx_free(srv_ctx *ctx)
{
    for (srv_org_session *o = ctx->orgs; o;) {
        srv_org_session *n = o->next;
        zf_session_free(o->s);
        free(o);
        o = n;
    }
    ctx->orgs = NULL;
    zf_access_free(ctx->access);
    ctx->access = NULL;
    zf_session_free(ctx->base);
    ctx->base = NULL;
    srv_metrics_free(ctx->metrics);
    ctx->metrics = NULL;
    pthread_mutex_destroy(&ctx->lock);
}

static int write_port_file(const char *path, const char *url, zf_error *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return zf_error_set(err, ZF_ECONFIG, "--port-file: the path is too long");
    FILE *f = fopen(tmp, "w");
    if (!f)
        return zf_error_set(err, ZF_ECONFIG, "--port-file %s: %s", path, strerror(errno));
    int bad = fprintf(f, "%s\n", url) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return zf_error_set(err, ZF_ECONFIG, "--port-file %s: cannot write it", path);
    }
    return 0;
}

/* The libmicrohttpd daemon: an epoll thread pool, keep-alive, the raw
 * (not unescaped) target; TLS when cert is set. It has no listening
 * socket: listener.c accepts and hands it the connections. NULL when it
 * cannot start (or the certificate does not load). */
static struct MHD_Daemon *start_mhd(srv_daemon *d, const srv_opts *opts, int threads, char *cert,
                                    char *key)
{
    unsigned flags =
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET;
    if (cert)
        flags |= MHD_USE_TLS;
    unsigned mem = opts->conn_memory_limit ? (unsigned)opts->conn_memory_limit : 32u * 1024u;
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
    return MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, d, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)d->timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)mem,
        MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0u,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, d, MHD_OPTION_NOTIFY_COMPLETED, on_completed, d,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, d, MHD_OPTION_UNESCAPE_CALLBACK, no_unescape,
        NULL, MHD_OPTION_ARRAY, cert ? tls_opts : no_opts, MHD_OPTION_END);
}

/* The listening socket, then MHD on it. 0, or ZF_ECONFIG with err (d->mhd
 * is set when MHD started: it is stopped as usual). */
static int listen_and_start(srv_daemon *d, const srv_opts *opts, const struct sockaddr_storage *ss,
                            socklen_t sl, int threads, char *cert, char *key, int *port,
                            zf_error *err)
{
    const char *listen = opts->listen ? opts->listen : "127.0.0.1:8080";
    int errnum = 0;
    if (srv_listener_open(ss, (unsigned)sl, &d->listener, port, &errnum) < 0) {
        zf_error_set(err, ZF_ECONFIG, "cannot listen on %s: %s", listen, strerror(errnum));
        zf_error_hint(err, errnum == EADDRINUSE
                               ? "another process listens there: stop it or pick another "
                                 "--listen port (port 0 lets the kernel choose)"
                               : "give an address of this host (--listen 127.0.0.1:8080)");
        return ZF_ECONFIG;
    }
    d->mhd = start_mhd(d, opts, threads, cert, key);
    if (!d->mhd || srv_listener_start(d->listener, d->mhd) < 0)
        return zf_error_set(err, ZF_ECONFIG, "cannot serve on %s%s", listen,
                            cert ? " (the TLS certificate and key do not load)" : "");
    return 0;
}

/* The listen URL with the port the kernel chose, and the public URL
 * (--public-url, else the listen URL; no trailing slash). */
static void set_urls(srv_ctx *cp, int port, const struct sockaddr_storage *ss, const char *host,
                     int tls)
{
    int v6 = ss->ss_family == AF_INET6;
    snprintf(cp->listen_url, sizeof cp->listen_url, "%s://%s%s%s:%d", tls ? "https" : "http",
             v6 ? "[" : "", host, v6 ? "]" : "", port);
    const char *pub =
        cp->opts.public_url && *cp->opts.public_url ? cp->opts.public_url : cp->listen_url;
    snprintf(cp->public_url, sizeof cp->public_url, "%s", pub);
    size_t pl = strlen(cp->public_url);
    while (pl > 0 && cp->public_url[pl - 1] == '/')
        cp->public_url[--pl] = '\0';
    cp->secure_cookies = tls || strncasecmp(cp->public_url, "https://", 8) == 0;
}

/* Waits for SIGTERM or SIGINT, then stops accepting and lets the requests
 * in flight finish within the grace. */
static void wait_and_drain(srv_daemon *d, const srv_opts *opts, const sigset_t *sigs)
{
    int sig = 0;
    while (sigwait(sigs, &sig) != 0)
        ;
    srv_log(NULL, ZF_LOG_INFO, "stop", "signal %d: no new connections, finishing %d request(s)",
            sig, atomic_load(&d->inflight));
    /* Stop accepting: the listening socket is closed (a new connection is
     * refused), the connections made stay with MHD. */
    srv_listener_stop(d->listener);
    double grace = opts->shutdown_grace_s > 0 ? opts->shutdown_grace_s : 10;
    double until = now_s() + grace;
    while (atomic_load(&d->inflight) > 0 && now_s() < until) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int left = atomic_load(&d->inflight);
    if (left > 0)
        srv_log(NULL, ZF_LOG_WARN, "stop", "%d request(s) still running after %.0f s: closing",
                left, grace);
}

/* Once listening, before the "listening on" line: the modules' start
 * hooks (the workflow engine's threads, ...), so that whoever waits for the
 * line or the port file finds a service started whole; a start that fails
 * (a store spoiled since the open) fails the start. *started: how many ran,
 * for stop_modules. 0, or the failed start's code with err. */
static int start_modules(srv_daemon *d, size_t *started, zf_error *err)
{
    *started = 0;
    for (const srv_module *m = srv_modules; m->name; m++, (*started)++)
        if (m->start) {
            int rc = m->start(d->ctx, err);
            if (rc < 0)
                return zf_error_restate(err, rc, "starting %s: %s", m->name, err->message);
        }
    return 0;
}

/* The stop hooks of the modules started, in reverse (after the requests in
 * flight were drained). */
static void stop_modules(srv_daemon *d, size_t started)
{
    for (size_t i = started; i-- > 0;)
        if (srv_modules[i].stop)
            srv_modules[i].stop(d->ctx);
}

/* Frees the context, unless a /readyz probe stuck in a hung store still
 * holds it after 2 s: then it is left to the probe. */
static void ctx_release(srv_ctx *cp)
{
    for (int i = 0; i < 200 && atomic_load(&cp->probes) > 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&cp->probes) == 0) {
        ctx_free(cp);
        free(cp);
    } else {
        srv_log(NULL, ZF_LOG_WARN, "stop",
                "a store probe is still waiting: the store is left open");
    }
}

int srv_main(const srv_opts *opts, zf_error *err)
{
    srv_opts none = SRV_OPTS_INIT;
    if (!opts)
        opts = &none;
    if ((opts->tls_cert && *opts->tls_cert) != (opts->tls_key && *opts->tls_key))
        return zf_error_set(err, ZF_ECONFIG, "--tls-cert and --tls-key go together: give both");
    int tls = opts->tls_cert && *opts->tls_cert;
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return zf_error_set(err, ZF_ECONFIG,
                            "this libmicrohttpd was built without TLS: serve plain HTTP behind "
                            "a TLS proxy instead");
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    char host[256];
    int rc = parse_listen(opts->listen, &ss, &sl, host, sizeof host, err);
    if (rc < 0)
        return rc;
    char *cert = NULL, *key = NULL;
    if (tls && ((rc = read_file(opts->tls_cert, &cert, err)) < 0 ||
                (rc = read_file(opts->tls_key, &key, err)) < 0)) {
        free(cert);
        return rc;
    }

    /* on the heap: a /readyz probe stuck in a hung store may outlive the
     * wait at the end, and then the context is left to it (not freed) */
    srv_ctx *cp = calloc(1, sizeof *cp);
    if (!cp) {
        free(cert);
        free(key);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    cp->opts = *opts;
    cp->tls = tls;
    char bad[96];
    if (opts->trusted_proxies &&
        srv_net_list_parse(opts->trusted_proxies, cp->trusted, SRV_NETS_MAX, &cp->ntrusted, bad,
                           sizeof bad) < 0) {
        free(cert);
        free(key);
        free(cp);
        zf_error_set(err, ZF_ECONFIG, "trusted proxy \"%s\" is not an address or a CIDR block",
                     bad);
        zf_error_hint(err,
                      "give addresses or blocks such as 127.0.0.1, ::1 or 10.0.0.0/8 "
                      "(host bits zero), at most %d, separated by commas (--trusted-proxy, "
                      "ZOOMFLOW_TRUSTED_PROXY or trusted_proxy in the config file)",
                      SRV_NETS_MAX);
        return ZF_ECONFIG;
    }
    pthread_mutex_init(&cp->lock, NULL);
    cp->access_opts = (zf_access_opts)ZF_ACCESS_OPTS_INIT;
    cp->access_opts.session_idle = opts->session_idle_s;
    cp->access_opts.session_max = opts->session_max_s;
    srv_log_setup();
    if ((rc = srv_metrics_new(&cp->metrics)) < 0) {
        zf_error_set(err, rc, "out of memory");
        goto out_early;
    }
    zf_session_opts bo = opts->session;
    bo.conn_id = NULL;
    if (!bo.actor)
        bo.actor = "service";
    if ((rc = zf_session_open(&cp->base, &bo, err)) < 0)
        goto out_early;
    /* the store now, so a wrong DSN or key fails the start, not the first
     * request */
    zf_store *st;
    if ((rc = zf_session_store(cp->base, &st, err)) < 0)
        goto out_early;
    zf_access *acc;
    if ((rc = srv_ctx_access(cp, &acc, err)) < 0)
        goto out_early;

    srv_daemon d;
    memset(&d, 0, sizeof d);
    d.ctx = cp;
    d.timeout = opts->conn_timeout_s > 0 ? opts->conn_timeout_s : 30;
    pthread_mutex_init(&d.lock, NULL);

    /* The signals go to sigwait below, not to the pool threads nor to any
     * thread a module starts. */
    sigset_t sigs, old;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    signal(SIGPIPE, SIG_IGN);

    size_t mods = 0;
    for (const srv_module *m = srv_modules; m->name; m++, mods++)
        if (m->init && (rc = m->init(cp, err)) < 0) {
            zf_error_restate(err, rc, "starting %s: %s", m->name, err->message);
            goto out_modules;
        }

    int threads = opts->threads > 0 ? opts->threads : default_threads();
    if (threads > 64)
        threads = 64;
    int port = 0;
    size_t started = 0;
    if ((rc = listen_and_start(&d, opts, &ss, sl, threads, tls ? cert : NULL, key, &port, err)) <
        0) {
        if (d.mhd)
            goto out_daemon;
        goto out_modules;
    }
    set_urls(cp, port, &ss, host, tls);

    if (pthread_create(&d.watchdog, NULL, watchdog_main, &d) == 0)
        d.watchdog_started = 1;
    if ((rc = start_modules(&d, &started, err)) < 0)
        goto out_started;
    /* the line first, then the port file: whoever waits for the file
     * (a supervisor, the tests) finds the line written when it appears */
    printf("listening on %s\n", cp->listen_url);
    fflush(stdout);
    if (opts->port_file && *opts->port_file &&
        (rc = write_port_file(opts->port_file, cp->listen_url, err)) < 0)
        goto out_started;
    srv_log(NULL, ZF_LOG_INFO, "start", "listening on %s (%d threads%s), public URL %s",
            cp->listen_url, threads, tls ? ", TLS" : "", cp->public_url);
    wait_and_drain(&d, opts, &sigs);
out_started:
    atomic_store(&d.stopping, 1);
    stop_modules(&d, started);
out_daemon:
    srv_listener_stop(d.listener);
    MHD_stop_daemon(d.mhd);
    if (d.watchdog_started)
        pthread_join(d.watchdog, NULL);
out_modules:
    srv_listener_close(d.listener);
    for (size_t i = mods; i-- > 0;)
        if (srv_modules[i].fini)
            srv_modules[i].fini(cp);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_mutex_destroy(&d.lock);
out_early:
    ctx_release(cp);
    if (key) {
        explicit_bzero(key, strlen(key));
        free(key);
    }
    free(cert);
    if (rc == 0)
        srv_log(NULL, ZF_LOG_INFO, "stop", "stopped");
    return rc;
}
