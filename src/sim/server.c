/*
 * libmicrohttpd glue: collects a request body (capped), hands the complete
 * request to sim_dispatch and turns the sim_resp into an MHD response.
 *
 * Keep-alive trap (DESIGN §10): MHD closes a keep-alive connection when a
 * response is queued on the first handler call, so the first call only
 * allocates the per-request context and the answer goes out on a later call.
 * Paths and query strings reach us undecoded (unescape callback below), so
 * the router can apply Zoom's percent-encoding rules itself.
 */
#include "sim.h"
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *tls_pem[2]; /* one daemon per process */

typedef struct req_ctx {
    zf_buf body;
} req_ctx;

/* Per connection: how many requests it has carried (fault rules can match
 * only reused connections). */
typedef struct conn_ctx {
    uint64_t requests;
} conn_ctx;

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    (void)c;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = calloc(1, sizeof(conn_ctx));
    } else {
        free(*socket_context);
        *socket_context = NULL;
    }
}

/* 1 for the first request on conn, 2 for the next, ...; 0 when unknown. */
static uint64_t count_conn_request(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    conn_ctx *cc = ci ? ci->socket_context : NULL;
    return cc ? ++cc->requests : 0;
}

typedef struct stream_ctx {
    uint64_t seed, off, end, cut; /* cut: stop early (truncation fault) */
    int corrupt;                  /* malformed fault: same length, wrong bytes */
} stream_ctx;

static size_t keep_raw(void *cls, struct MHD_Connection *c, char *s)
{
    return strlen(s);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream_ctx *st = cls;
    uint64_t abs = st->off + pos;
    if (abs >= st->cut)
        return abs >= st->end ? MHD_CONTENT_READER_END_OF_STREAM
                              : MHD_CONTENT_READER_END_WITH_ERROR;
    uint64_t n = st->cut - abs;
    if (n > max)
        n = max;
    sim_stream_fill(st->seed, abs, (uint8_t *)buf, (size_t)n);
    for (uint64_t i = 0; st->corrupt && i < n; i++)
        buf[i] = (char)(buf[i] ^ 0x5a);
    return (ssize_t)n;
}

static ssize_t cut_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    zf_buf *b = cls;
    size_t half = b->len / 2;
    if (pos >= half)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = half - (size_t)pos < max ? half - (size_t)pos : max;
    memcpy(buf, b->ptr + pos, n);
    return (ssize_t)n;
}

static void free_zbuf(void *cls)
{
    zf_buf *b = cls;
    zf_buf_free(b);
    free(b);
}

static struct MHD_Response *build(sim_resp *rs)
{
    if (rs->stream) {
        stream_ctx *st = malloc(sizeof *st);
        if (!st)
            return NULL;
        st->seed = rs->stream_seed;
        st->off = rs->stream_off;
        st->end = rs->stream_off + rs->stream_len;
        st->cut = rs->truncate ? st->off + rs->stream_len / 2 : st->end;
        st->corrupt = rs->malformed; /* a file cannot be "invalid JSON" */
        return MHD_create_response_from_callback(rs->stream_len, 64 * 1024, stream_read, st, free);
    }
    if (rs->truncate && rs->body.len > 1) {
        zf_buf *b = malloc(sizeof *b);
        if (!b)
            return NULL;
        *b = rs->body;
        zf_buf_init(&rs->body, SIM_MAX_RESP);
        return MHD_create_response_from_callback(b->len, 16 * 1024, cut_read, b, free_zbuf);
    }
    size_t len = rs->body.len;
    char *p = zf_buf_take(&rs->body);
    if (!p)
        return NULL;
    return MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
}

/* Date in sim time (rq.now, read under the lock), so /_sim/clock/advance
 * skews the clock a client sees, as a Zoom whose clock differs would; MHD
 * then adds none of its own. */
static void add_date(struct MHD_Response *resp, int64_t now)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (now <= 0)
        return;
    time_t t = (time_t)now;
    struct tm tm;
    char date[40];
    gmtime_r(&t, &tm);
    snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d GMT", wd[tm.tm_wday], tm.tm_mday,
             mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_DATE, date);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    sim *s = cls;
    req_ctx *cx = *con_cls;
    if (!cx) {
        cx = calloc(1, sizeof *cx);
        if (!cx)
            return MHD_NO;
        zf_buf_init(&cx->body, SIM_MAX_BODY);
        *con_cls = cx;
        return MHD_YES;
    }
    if (*upload_size) {
        zf_buf_append(&cx->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    sim_req rq;
    memset(&rq, 0, sizeof rq);
    rq.s = s;
    rq.conn = conn;
    rq.conn_request = count_conn_request(conn);
    rq.method = method;
    rq.path = url;
    rq.body = cx->body.ptr;
    rq.body_len = cx->body.len;
    sim_resp rs;
    sim_resp_init(&rs);
    if (cx->body.failed)
        sim_error(&rs, 413, 300, "Request body is larger than %u bytes.", SIM_MAX_BODY);
    else
        sim_dispatch(s, &rq, &rs);
    for (int i = 0; i < rq.nparam; i++)
        free(rq.param[i]);
    for (int i = 0; i < rq.nq; i++)
        free(rq.qbuf[i]);

    enum MHD_Result ret = MHD_NO;
    if (rs.drop)
        goto done; /* processed, but the client never hears back */
    if (rs.malformed && !rs.stream) {
        zf_buf_reset(&rs.body);
        zf_buf_puts(&rs.body, "{\"code\":200,\"message\":<html>Bad Gateway");
    }
    struct MHD_Response *resp = build(&rs);
    if (!resp)
        goto done;
    if (rs.stream || rs.body.len || rs.status != 204)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rs.content_type);
    for (int i = 0; i < rs.nheaders; i++)
        MHD_add_response_header(resp, rs.headers[i].name, rs.headers[i].value);
    add_date(resp, rq.now);
    ret = MHD_queue_response(conn, (unsigned)rs.status, resp);
    MHD_destroy_response(resp);
done:
    sim_resp_free(&rs);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    req_ctx *cx = *con_cls;
    if (!cx)
        return;
    zf_buf_free(&cx->body);
    free(cx);
    *con_cls = NULL;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    zf_buf b = ZF_BUF_INIT(1 << 20);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        zf_buf_append(&b, tmp, n);
    fclose(f);
    return zf_buf_take(&b);
}

struct MHD_Daemon *sim_server_start(sim *s, char *err, size_t errlen)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)s->opts.port);
    if (inet_pton(AF_INET, s->opts.host, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "--host %s is not an IPv4 address", s->opts.host);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    int pool = s->opts.threads;
    if (pool > 0)
        flags |= MHD_USE_EPOLL;
    else
        flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
    char *cert = NULL, *key = NULL;
    if (s->opts.tls_cert || s->opts.tls_key) {
        if (!s->opts.tls_cert || !s->opts.tls_key) {
            snprintf(err, errlen, "--tls-cert and --tls-key go together");
            return NULL;
        }
        cert = slurp(s->opts.tls_cert);
        key = slurp(s->opts.tls_key);
        if (!cert || !key) {
            snprintf(err, errlen, "cannot read %s", !cert ? s->opts.tls_cert : s->opts.tls_key);
            free(cert);
            free(key);
            return NULL;
        }
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem ops[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, NULL},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)keep_raw, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, 4096, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 256 * 1024, NULL},
        {pool > 0 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, pool, NULL},
        {MHD_OPTION_END, 0, NULL},
        {MHD_OPTION_END, 0, NULL},
        {MHD_OPTION_END, 0, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    if (cert) {
        int i = pool > 0 ? 8 : 7;
        ops[i] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, cert};
        ops[i + 1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, key};
    }
    /* the handlers read base_url under s->lock from the moment the daemon
     * starts: with a fixed --port a client may be answered before
     * MHD_start_daemon returns, so the URL is in place first; with --port 0
     * it is completed, under the lock, once the port is known (no client
     * knows the port before --port-file is written, after this) */
    const char *scheme = cert ? "https" : "http";
    snprintf(s->base_url, sizeof s->base_url, "%s://%s:%d", scheme, s->opts.host, s->opts.port);
    struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY,
                                            ops, MHD_OPTION_END);
    if (!d) {
        free(cert);
        free(key);
        snprintf(err, errlen, "cannot listen on %s:%d (port in use, or TLS files invalid)",
                 s->opts.host, s->opts.port);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int port = info ? info->port : s->opts.port;
    pthread_mutex_lock(&s->lock);
    snprintf(s->base_url, sizeof s->base_url, "%s://%s:%d", scheme, s->opts.host, port);
    s->opts.port = port;
    pthread_mutex_unlock(&s->lock);
    tls_pem[0] = cert; /* must outlive the daemon */
    tls_pem[1] = key;
    return d;
}

void sim_server_stop(struct MHD_Daemon *d)
{
    if (d)
        MHD_stop_daemon(d);
    free(tls_pem[0]);
    free(tls_pem[1]);
    tls_pem[0] = tls_pem[1] = NULL;
}
