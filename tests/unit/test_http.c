/*
 * Unit tests: http.c against real local servers: zoomsim (from
 * $ZF_BUILD_DIR, else beside this binary) over HTTP and HTTPS with a CA
 * made here by the openssl command, plus a tiny canned-response server in a
 * thread that records the raw request it received. Ports are chosen free.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "http_internal.h"
#include "zoomflow/zoomflow.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- processes -------------------------------------------------------- */

static int run_quiet(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void zoomsim_path(char *out, size_t n)
{
    const char *dir = getenv("ZF_BUILD_DIR");
    if (dir && *dir) {
        snprintf(out, n, "%s/zoomsim", dir);
        return;
    }
    char self[PATH_MAX - 16];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(len > 0);
    self[len] = '\0';
    char *slash = strrchr(self, '/');
    *slash = '\0';
    snprintf(out, n, "%s/zoomsim", self);
}

typedef struct simproc {
    pid_t pid;
    int port;
    char dir[64];
} simproc;

/* Starts zoomsim --control on a free port; cert/key NULL for plain HTTP. */
static void sim_start(simproc *s, const char *cert, const char *key)
{
    char bin[PATH_MAX], portfile[128];
    zoomsim_path(bin, sizeof bin);
    if (access(bin, X_OK) != 0)
        fail_msg("zoomsim not found at %s (build it, or set ZF_BUILD_DIR)", bin);
    snprintf(s->dir, sizeof s->dir, "/tmp/zf-http-sim-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(portfile, sizeof portfile, "%s/port", s->dir);
    char *argv[12] = {bin, "--port", "0", "--port-file", portfile, "--control", "--quiet"};
    int n = 7;
    if (cert) {
        argv[n++] = "--tls-cert";
        argv[n++] = (char *)cert;
        argv[n++] = "--tls-key";
        argv[n++] = (char *)key;
    }
    argv[n] = NULL;
    char logfile[128];
    snprintf(logfile, sizeof logfile, "%s/stderr", s->dir);
    s->pid = fork();
    if (s->pid == 0) {
        /* zoomsim reports failed TLS handshakes on stderr; keep them out of
         * the test output */
        int fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0)
            dup2(fd, 2);
        execv(bin, argv);
        _exit(127);
    }
    for (int i = 0; i < 300; i++) { /* up to 30 s (valgrind runs are slow) */
        FILE *f = fopen(portfile, "r");
        if (f) {
            int ok = fscanf(f, "%d", &s->port) == 1;
            fclose(f);
            if (ok)
                return;
        }
        usleep(100 * 1000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    fail_msg("zoomsim did not start");
}

static void sim_stop(simproc *s)
{
    char cmd[128];
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- a canned-response server ----------------------------------------- */

typedef struct canned {
    int fd, port, conns;
    const char *response;
    char request[16384];
    size_t reqlen;
    pthread_t th;
} canned;

static int listen_any(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    socklen_t alen = sizeof a;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    *port = ntohs(a.sin_port);
    struct timeval tv = {10, 0}; /* accept() gives up after 10 s */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Reads one request (headers, then Content-Length bytes), answers, closes. */
static void *canned_main(void *arg)
{
    canned *c = arg;
    for (int i = 0; i < c->conns; i++) {
        int cfd = accept(c->fd, NULL, NULL);
        if (cfd < 0)
            return NULL;
        size_t start = c->reqlen;
        char *end = NULL;
        long clen = 0;
        while (c->reqlen < sizeof c->request - 1) {
            ssize_t n = recv(cfd, c->request + c->reqlen, sizeof c->request - 1 - c->reqlen, 0);
            if (n <= 0)
                break;
            c->reqlen += (size_t)n;
            c->request[c->reqlen] = '\0';
            if (!end && (end = strstr(c->request + start, "\r\n\r\n"))) {
                char *cl = strstr(c->request + start, "Content-Length: ");
                clen = cl && cl < end ? strtol(cl + 16, NULL, 10) : 0;
            }
            if (end && c->reqlen - (size_t)(end + 4 - c->request) >= (size_t)clen)
                break;
        }
        send(cfd, c->response, strlen(c->response), MSG_NOSIGNAL);
        close(cfd);
    }
    return NULL;
}

static void canned_start(canned *c, const char *response, int conns)
{
    memset(c, 0, sizeof *c);
    c->response = response;
    c->conns = conns;
    c->fd = listen_any(&c->port);
    assert_int_equal(pthread_create(&c->th, NULL, canned_main, c), 0);
}

static void canned_stop(canned *c)
{
    pthread_join(c->th, NULL);
    close(c->fd);
}

/* ---- helpers ---------------------------------------------------------- */

static zf_http *client(long timeout_ms, size_t max_response, const char *ca_file)
{
    zf_http_opts o = ZF_HTTP_OPTS_INIT;
    o.timeout_ms = timeout_ms;
    o.max_response = max_response;
    o.ca_file = ca_file;
    zf_http *h = NULL;
    zf_error err = ZF_ERROR_INIT;
    if (zf_http_new(&h, &o, &err) != 0)
        fail_msg("zf_http_new: %s", err.message);
    return h;
}

static int get(zf_http *h, const char *url, zf_http_resp *resp, zf_error *err)
{
    zf_http_req req = ZF_HTTP_REQ_INIT;
    req.method = "GET";
    req.url = url;
    return zf_http_do(h, &req, resp, err);
}

/* ---- tests: zoomsim over HTTP ----------------------------------------- */

static void test_http_keepalive_reuses_one_connection(void **state)
{
    simproc s;
    sim_start(&s, NULL, NULL);
    zf_http *h = client(10000, 1 << 20, NULL);
    char url[128];
    zf_http_resp r;
    zf_http_resp_init(&r);
    zf_error err = ZF_ERROR_INIT;
    for (int i = 0; i < 3; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/nothing-here-%d", s.port, i);
        assert_int_equal(get(h, url, &r, &err), 0);
        assert_int_equal(r.status, 404);
        assert_int_equal(r.sent, 1);
        assert_non_null(strstr(zf_buf_cstr(&r.body), "\"code\":2300"));
        char ct[64];
        assert_non_null(zf_http_resp_header(&r, "content-type", ct, sizeof ct));
        assert_string_equal(ct, "application/json;charset=UTF-8");
        assert_null(zf_http_resp_header(&r, "x-absent", ct, sizeof ct));
    }
    assert_int_equal(zf_http__connects(h), 1);
    /* and the emulator saw all three */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/_sim/requests", s.port);
    assert_int_equal(get(h, url, &r, &err), 0);
    assert_non_null(strstr(zf_buf_cstr(&r.body), "\"total\":3"));
    assert_int_equal(zf_http__connects(h), 1);
    zf_http_resp_free(&r);
    zf_http_free(h);
    zf_http_free(NULL);
    sim_stop(&s);
}

static int post(zf_http *h, const char *url, const char *body, zf_http_resp *resp, zf_error *err)
{
    zf_http_req req = ZF_HTTP_REQ_INIT;
    req.method = "POST";
    req.url = url;
    req.body = body;
    req.body_len = strlen(body);
    return zf_http_do(h, &req, resp, err);
}

/* A write never goes out on a reused connection: libcurl would resend it
 * unasked when that connection dies before the answer (issue 8). Here the
 * server processes the POST and drops the connection; the POST must have
 * reached it once, and the reads around it still share a connection. */
static void test_http_writes_take_a_fresh_connection(void **state)
{
    simproc s;
    sim_start(&s, NULL, NULL);
    zf_http *h = client(10000, 1 << 20, NULL), *ctl = client(10000, 1 << 20, NULL);
    char url[128], token[128], faults[128];
    zf_http_resp r;
    zf_http_resp_init(&r);
    zf_error err = ZF_ERROR_INIT;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/nothing-here", s.port);
    snprintf(token, sizeof token, "http://127.0.0.1:%d/oauth/token", s.port);
    snprintf(faults, sizeof faults, "http://127.0.0.1:%d/_sim/faults", s.port);

    assert_int_equal(get(h, url, &r, &err), 0);
    assert_int_equal(zf_http__connects(h), 1);
    assert_int_equal(post(h, token, "grant_type=nothing", &r, &err), 0);
    assert_int_equal(r.status, 401); /* answered (no client credentials), on a new connection */
    assert_int_equal(zf_http__connects(h), 2);
    assert_int_equal(get(h, url, &r, &err), 0);
    assert_int_equal(zf_http__connects(h), 2); /* reads reuse */

    /* processed, then the connection closes without an answer, on a
     * connection that had carried a request before (the old trap) or not */
    assert_int_equal(post(ctl, faults, "{\"kind\":\"drop\",\"route\":\"oauth.token\"}", &r, &err),
                     0);
    assert_int_equal(r.status, 201);
    zf_error_reset(&err);
    assert_int_equal(post(h, token, "grant_type=nothing", &r, &err), ZF_ENET);
    assert_int_equal(r.sent, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(zf_http__connects(h), 3);
    assert_int_equal(get(ctl, faults, &r, &err), 0);
    assert_non_null(strstr(zf_buf_cstr(&r.body), "\"matched\":1,"));

    zf_http_resp_free(&r);
    zf_http_free(h);
    zf_http_free(ctl);
    sim_stop(&s);
}

static void test_http_size_cap(void **state)
{
    simproc s;
    sim_start(&s, NULL, NULL);
    zf_http *h = client(10000, 16, NULL);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/nope", s.port);
    zf_http_resp r;
    zf_http_resp_init(&r);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(get(h, url, &r, &err), ZF_ETOOBIG);
    assert_int_equal(err.code, ZF_ETOOBIG);
    assert_non_null(strstr(err.message, "127.0.0.1"));
    assert_non_null(strstr(err.message, "16-byte limit"));
    assert_true(r.body.len <= 16);
    zf_http_resp_free(&r);
    zf_http_free(h);
    sim_stop(&s);
}

typedef struct sinkbuf {
    zf_buf b;
    int stop_after;
    int calls;
} sinkbuf;

static int sink(void *ctx, const void *data, size_t n)
{
    sinkbuf *sb = ctx;
    sb->calls++;
    if (sb->stop_after && sb->calls >= sb->stop_after)
        return 1;
    return zf_buf_append(&sb->b, data, n);
}

static void test_http_streaming_sink(void **state)
{
    simproc s;
    sim_start(&s, NULL, NULL);
    /* the cap is for buffered bodies; streaming is not limited by it */
    zf_http *h = client(10000, 8, NULL);
    zf_http *big = client(10000, 1 << 20, NULL);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/_sim/state", s.port);
    zf_http_resp r, whole;
    zf_http_resp_init(&r);
    zf_http_resp_init(&whole);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(get(big, url, &whole, &err), 0);
    assert_int_equal(whole.status, 200);
    assert_true(whole.body.len > 8);

    sinkbuf sb = {ZF_BUF_INIT(1 << 20), 0, 0};
    zf_http_req req = ZF_HTTP_REQ_INIT;
    req.url = url;
    req.sink = sink;
    req.sink_ctx = &sb;
    assert_int_equal(zf_http_do(h, &req, &r, &err), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    assert_string_equal(zf_buf_cstr(&sb.b), zf_buf_cstr(&whole.body));

    /* a sink that says stop -> ZF_ECANCELED */
    zf_buf_reset(&sb.b);
    sb.calls = 0;
    sb.stop_after = 1;
    assert_int_equal(zf_http_do(h, &req, &r, &err), ZF_ECANCELED);
    assert_non_null(strstr(err.message, "canceled"));

    /* an error status is buffered, not streamed, so its JSON can be read */
    zf_buf_reset(&sb.b);
    sb.calls = 0;
    sb.stop_after = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/nope", s.port);
    assert_int_equal(zf_http_do(big, &req, &r, &err), 0);
    assert_int_equal(r.status, 404);
    assert_int_equal(sb.calls, 0);
    assert_non_null(strstr(zf_buf_cstr(&r.body), "2300"));
    zf_buf_free(&sb.b);
    zf_http_resp_free(&r);
    zf_http_resp_free(&whole);
    zf_http_free(h);
    zf_http_free(big);
    sim_stop(&s);
}

/* ---- tests: canned server --------------------------------------------- */

static void test_http_timeout(void **state)
{
    int port;
    int fd = listen_any(&port); /* the kernel accepts; nobody ever answers */
    zf_http *h = client(300, 1 << 20, NULL);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/slow", port);
    zf_http_resp r;
    zf_http_resp_init(&r);
    zf_error err = ZF_ERROR_INIT;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(get(h, url, &r, &err), ZF_ETIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(secs >= 0.25 && secs < 5);
    assert_int_equal(r.sent, 1); /* connected: the request may have been read */
    assert_int_equal(r.status, 0);
    char host[64];
    snprintf(host, sizeof host, "127.0.0.1:%d", port);
    assert_non_null(strstr(err.message, host));
    /* a per-request timeout overrides the handle's */
    zf_http *patient = client(60000, 1 << 20, NULL);
    zf_http_req req = ZF_HTTP_REQ_INIT;
    req.url = url;
    req.timeout_ms = 200;
    assert_int_equal(zf_http_do(patient, &req, &r, &err), ZF_ETIMEOUT);
    zf_http_resp_free(&r);
    zf_http_free(h);
    zf_http_free(patient);
    close(fd);
}

static void test_http_stall_without_total_timeout(void **state)
{
    int port;
    int fd = listen_any(&port); /* accepted by the kernel, then silence */
    zf_http_opts o = ZF_HTTP_OPTS_INIT;
    o.timeout_ms = 0;          /* like a download: no total limit */
    o.stall_timeout_ms = 1000; /* but a stall ends it */
    zf_http *h;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_http_new(&h, &o, &err), 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/stalled", port);
    zf_http_resp r;
    zf_http_resp_init(&r);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(get(h, url, &r, &err), ZF_ETIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(secs >= 0.9 && secs < 8);
    zf_http_resp_free(&r);
    zf_http_free(h);
    close(fd);
}

static void test_http_connection_refused(void **state)
{
    int port;
    int fd = listen_any(&port);
    close(fd); /* nothing listens there now */
    zf_http *h = client(5000, 1 << 20, NULL);
    char url[128], host[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/users", port);
    snprintf(host, sizeof host, "127.0.0.1:%d", port);
    zf_http_resp r;
    zf_http_resp_init(&r);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(get(h, url, &r, &err), ZF_ENET);
    assert_int_equal(r.sent, 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(err.message, host));
    assert_non_null(strstr(err.message, "onnect")); /* curl's reason */
    assert_true(err.hint[0] != '\0');
    zf_http_resp_free(&r);
    zf_http_free(h);
}

static const char ok_response[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    "x-zm-trackingid: v=2.0;clid=us06;rid=WEB_abc123\r\nContent-Length: 55\r\n"
    "Connection: close\r\n\r\n"
    "{\"access_token\":\"RESPONSE-SECRET-TOKEN-9876\",\"ok\":true}";

static void test_http_bearer_basic_range_request_id(void **state)
{
    canned c;
    canned_start(&c, ok_response, 3);
    zf_http *h = client(5000, 1 << 20, NULL);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/users?page_size=1", c.port);
    zf_secret tok = ZF_SECRET_INIT;
    zf_secret_set(&tok, "BEARER-TOKEN-1234", 17);
    const char *hdrs[] = {"Accept: application/json", "Content-Type: application/json", NULL};
    zf_http_req req = ZF_HTTP_REQ_INIT;
    req.method = "POST";
    req.url = url;
    req.headers = hdrs;
    req.body = "{\"a\":1}";
    req.body_len = 7;
    req.bearer = &tok;
    zf_http_resp r;
    zf_http_resp_init(&r);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_http_do(h, &req, &r, &err), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.request_id, "v=2.0;clid=us06;rid=WEB_abc123");
    assert_non_null(strstr(c.request, "POST /v2/users?page_size=1 HTTP/1.1\r\n"));
    assert_non_null(strstr(c.request, "\r\nAuthorization: Bearer BEARER-TOKEN-1234\r\n"));
    assert_non_null(strstr(c.request, "\r\nAccept: application/json\r\n"));
    assert_non_null(strstr(c.request, "\r\nUser-Agent: zoomflow/"));
    assert_non_null(strstr(c.request, "\r\n\r\n{\"a\":1}"));
    assert_null(strstr(c.request, "Expect:"));

    /* Range (downloads resume where they stopped) */
    size_t mark = c.reqlen;
    zf_http_req ranged = ZF_HTTP_REQ_INIT;
    ranged.url = url;
    ranged.range_from = 100;
    assert_int_equal(zf_http_do(h, &ranged, &r, &err), 0);
    assert_non_null(strstr(c.request + mark, "GET /v2/users?page_size=1 HTTP/1.1\r\n"));
    assert_non_null(strstr(c.request + mark, "\r\nRange: bytes=100-\r\n"));
    assert_null(strstr(c.request + mark, "Bearer")); /* per-request options do not leak */

    /* HTTP Basic for OAuth client authentication: base64("cid:csecret") */
    mark = c.reqlen;
    zf_secret pass = ZF_SECRET_INIT;
    zf_secret_set(&pass, "csecret", 7);
    zf_http_req basic = ZF_HTTP_REQ_INIT;
    basic.method = "POST";
    basic.url = url;
    basic.body = "grant_type=refresh_token";
    basic.body_len = 24;
    basic.basic_user = "cid";
    basic.basic_pass = &pass;
    assert_int_equal(zf_http_do(h, &basic, &r, &err), 0);
    assert_non_null(strstr(c.request + mark, "\r\nAuthorization: Basic Y2lkOmNzZWNyZXQ=\r\n"));
    assert_null(strstr(c.request + mark, "Range:"));
    assert_null(strstr(c.request + mark, "Bearer"));
    canned_stop(&c);
    zf_secret_free(&tok);
    zf_secret_free(&pass);
    zf_http_resp_free(&r);
    zf_http_free(h);
}

typedef struct tracelog {
    zf_buf all;
} tracelog;

static void trace_sink(void *ctx, zf_log_level level, const char *line)
{
    tracelog *t = ctx;
    zf_buf_puts(&t->all, line);
    zf_buf_putc(&t->all, '\n');
}

static void test_http_trace_is_redacted(void **state)
{
    canned c;
    canned_start(&c, ok_response, 1);
    tracelog t = {ZF_BUF_INIT(1 << 20)};
    zf_log_configure(trace_sink, &t, ZF_LOG_TRACE, 0);
    zf_http_opts o = ZF_HTTP_OPTS_INIT;
    o.trace = 1;
    zf_http *h = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_http_new(&h, &o, &err), 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/oauth/token", c.port);
    zf_secret tok = ZF_SECRET_INIT;
    zf_secret_set(&tok, "BEARER-TOKEN-1234", 17);
    zf_http_req req = ZF_HTTP_REQ_INIT;
    req.method = "POST";
    req.url = url;
    req.bearer = &tok;
    req.body = "grant_type=refresh_token&refresh_token=REFRESH-SECRET-5555";
    req.body_len = strlen(req.body);
    zf_http_resp r;
    zf_http_resp_init(&r);
    assert_int_equal(zf_http_do(h, &req, &r, &err), 0);
    zf_log_configure(NULL, NULL, ZF_LOG_WARN, 0);
    const char *log = zf_buf_cstr(&t.all);
    assert_non_null(strstr(log, "Authorization: [redacted]"));
    assert_non_null(strstr(log, "refresh_token=[redacted]"));
    assert_non_null(strstr(log, "\"access_token\":\"[redacted]\""));
    assert_non_null(strstr(log, "x-zm-trackingid"));
    assert_null(strstr(log, "BEARER-TOKEN-1234"));
    assert_null(strstr(log, "REFRESH-SECRET-5555"));
    assert_null(strstr(log, "RESPONSE-SECRET-TOKEN-9876"));
    /* the caller still gets the real body */
    assert_non_null(strstr(zf_buf_cstr(&r.body), "RESPONSE-SECRET-TOKEN-9876"));
    canned_stop(&c);
    zf_buf_free(&t.all);
    zf_secret_free(&tok);
    zf_http_resp_free(&r);
    zf_http_free(h);
}

static void test_http_redirects_only_when_asked(void **state)
{
    simproc s;
    sim_start(&s, NULL, NULL);
    char resp[256];
    snprintf(resp, sizeof resp,
             "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:%d/_sim/state\r\n"
             "Content-Length: 0\r\nConnection: close\r\n\r\n",
             s.port);
    canned c;
    canned_start(&c, resp, 2);
    zf_http *h = client(5000, 1 << 20, NULL);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/rec/download/x", c.port);
    zf_http_resp r;
    zf_http_resp_init(&r);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(get(h, url, &r, &err), 0);
    assert_int_equal(r.status, 302);
    zf_http_req req = ZF_HTTP_REQ_INIT;
    req.url = url;
    req.follow_redirects = 1;
    assert_int_equal(zf_http_do(h, &req, &r, &err), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(zf_buf_cstr(&r.body), "{"));
    char loc[8];
    assert_null(zf_http_resp_header(&r, "location", loc, sizeof loc)); /* final headers only */
    canned_stop(&c);
    zf_http_resp_free(&r);
    zf_http_free(h);
    sim_stop(&s);
}

static void test_http_proxy_from_environment(void **state)
{
    canned c;
    canned_start(&c, ok_response, 1);
    char proxy[64];
    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", c.port);
    setenv("http_proxy", proxy, 1);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    zf_http *h = client(5000, 1 << 20, NULL);
    zf_http_resp r;
    zf_http_resp_init(&r);
    zf_error err = ZF_ERROR_INIT;
    int rc = get(h, "http://zoomflow-proxy-test.invalid/v2/users", &r, &err);
    unsetenv("http_proxy");
    assert_int_equal(rc, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(c.request, "GET http://zoomflow-proxy-test.invalid/v2/users HTTP/1.1"));
    canned_stop(&c);
    zf_http_resp_free(&r);
    zf_http_free(h);
}

static void test_http_https_to_plain_port(void **state)
{
    simproc s;
    sim_start(&s, NULL, NULL);
    zf_http *h = client(5000, 1 << 20, NULL);
    char url[128];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/v2/nope", s.port);
    zf_http_resp r;
    zf_http_resp_init(&r);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(get(h, url, &r, &err), ZF_ETLS);
    assert_int_equal(r.sent, 0); /* no HTTP request went out */
    assert_non_null(strstr(err.message, "TLS handshake with 127.0.0.1"));
    /* initialised as usual (test_http_lean: the lean way): OpenSSL's own
     * words, no errstr tip, and too late to go lean */
    assert_non_null(strstr(err.message, "SSL routines"));
    assert_null(strstr(err.message, "openssl errstr"));
    assert_int_equal(zf_http_global_init_lean(), ZF_EINVAL);
    assert_non_null(strstr(err.hint, "speaks HTTPS"));
    zf_http_resp_free(&r);
    zf_http_free(h);
    sim_stop(&s);
}

static void test_http_bad_requests(void **state)
{
    zf_http *h = client(5000, 1 << 20, NULL);
    zf_http_resp r;
    zf_http_resp_init(&r);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(get(h, "ftp://127.0.0.1/x", &r, &err), ZF_EINVAL);
    assert_non_null(strstr(err.message, "not an absolute http(s) URL"));
    assert_int_equal(get(h, "/v2/users", &r, &err), ZF_EINVAL);
    assert_int_equal(get(h, "http://127.0.0.1/x\r\nX: y", &r, &err), ZF_EINVAL);
    const char *hdrs[] = {"X-Evil: a\r\nHost: b", NULL};
    zf_http_req req = ZF_HTTP_REQ_INIT;
    req.url = "http://127.0.0.1:1/";
    req.headers = hdrs;
    assert_int_equal(zf_http_do(h, &req, &r, &err), ZF_EINVAL);
    assert_non_null(strstr(err.message, "must be one \"Name: value\" line"));
    zf_http_opts o = ZF_HTTP_OPTS_INIT;
    o.ca_file = "/nonexistent/ca.pem";
    zf_http *bad = (zf_http *)1;
    assert_int_equal(zf_http_new(&bad, &o, &err), ZF_ECONFIG);
    assert_null(bad);
    assert_non_null(strstr(err.message, "/nonexistent/ca.pem"));
    zf_http_resp_free(&r);
    zf_http_free(h);
}

/* ---- TLS -------------------------------------------------------------- */

/* Makes dir/NAME-ca.pem and a server certificate for IP 127.0.0.1 signed by
 * it (dir/NAME-srv.pem, dir/NAME-srv.key). */
static void make_ca_and_cert(const char *dir, const char *name)
{
    char cakey[256], ca[256], key[256], csr[256], crt[256], ext[256], srl[256], subj[64];
    snprintf(cakey, sizeof cakey, "%s/%s-ca.key", dir, name);
    snprintf(ca, sizeof ca, "%s/%s-ca.pem", dir, name);
    snprintf(key, sizeof key, "%s/%s-srv.key", dir, name);
    snprintf(csr, sizeof csr, "%s/%s-srv.csr", dir, name);
    snprintf(crt, sizeof crt, "%s/%s-srv.pem", dir, name);
    snprintf(ext, sizeof ext, "%s/%s-ext.cnf", dir, name);
    snprintf(srl, sizeof srl, "%s/%s-ca.srl", dir, name);
    snprintf(subj, sizeof subj, "/CN=zoomflow test CA %s", name);
    char *ca_argv[] = {
        "openssl", "req",     "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes",  "-keyout", cakey,   "-out",    ca,   "-days",    "2",
        "-subj",   subj,      NULL};
    assert_int_equal(run_quiet(ca_argv), 0);
    char *csr_argv[] = {
        "openssl", "req",     "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes",  "-keyout", key,    "-out",    csr,  "-subj",    "/CN=127.0.0.1",
        NULL};
    assert_int_equal(run_quiet(csr_argv), 0);
    FILE *f = fopen(ext, "w");
    assert_non_null(f);
    fputs("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
          "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
          f);
    fclose(f);
    char *sign_argv[] = {"openssl", "x509",   "-req",  "-in",       csr,        "-CA",
                         ca,        "-CAkey", cakey,   "-CAserial", srl,        "-CAcreateserial",
                         "-out",    crt,      "-days", "2",         "-extfile", ext,
                         NULL};
    assert_int_equal(run_quiet(sign_argv), 0);
}

static void test_http_tls_private_ca(void **state)
{
    char dir[] = "/tmp/zf-http-tls-XXXXXX";
    assert_non_null(mkdtemp(dir));
    make_ca_and_cert(dir, "one");
    make_ca_and_cert(dir, "two");
    char ca1[128], crt1[128], key1[128], crt2[128], key2[128];
    snprintf(ca1, sizeof ca1, "%s/one-ca.pem", dir);
    snprintf(crt1, sizeof crt1, "%s/one-srv.pem", dir);
    snprintf(key1, sizeof key1, "%s/one-srv.key", dir);
    snprintf(crt2, sizeof crt2, "%s/two-srv.pem", dir);
    snprintf(key2, sizeof key2, "%s/two-srv.key", dir);

    simproc s;
    sim_start(&s, crt1, key1);
    char url[128];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/v2/nope", s.port);
    zf_http_resp r;
    zf_http_resp_init(&r);
    zf_error err = ZF_ERROR_INIT;

    /* (a) the system trust store does not know our CA */
    zf_http *plain = client(10000, 1 << 20, NULL);
    assert_int_equal(get(plain, url, &r, &err), ZF_ETLS);
    assert_int_equal(r.sent, 0);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(err.message, "127.0.0.1"));
    assert_non_null(strstr(err.hint, "the server's certificate is not trusted"));
    assert_non_null(strstr(err.hint, "extra trusted CA file")); /* the CLI says --ca-file */
    assert_int_equal(err.hint_id, ZF_HINT_TRUST_CA);

    /* (b) with the CA it works (and keeps the TLS connection alive) */
    zf_http *trusting = client(10000, 1 << 20, ca1);
    assert_int_equal(get(trusting, url, &r, &err), 0);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(zf_buf_cstr(&r.body), "2300"));
    assert_int_equal(get(trusting, url, &r, &err), 0);
    assert_int_equal(zf_http__connects(trusting), 1);
    sim_stop(&s);

    /* (c) a server whose certificate comes from another, unknown CA */
    sim_start(&s, crt2, key2);
    snprintf(url, sizeof url, "https://127.0.0.1:%d/v2/nope", s.port);
    assert_int_equal(get(trusting, url, &r, &err), ZF_ETLS);
    assert_int_equal(r.sent, 0);
    sim_stop(&s);

    zf_http_resp_free(&r);
    zf_http_free(plain);
    zf_http_free(trusting);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    unsetenv("http_proxy");
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_keepalive_reuses_one_connection),
        cmocka_unit_test(test_http_writes_take_a_fresh_connection),
        cmocka_unit_test(test_http_size_cap),
        cmocka_unit_test(test_http_streaming_sink),
        cmocka_unit_test(test_http_timeout),
        cmocka_unit_test(test_http_stall_without_total_timeout),
        cmocka_unit_test(test_http_connection_refused),
        cmocka_unit_test(test_http_bearer_basic_range_request_id),
        cmocka_unit_test(test_http_trace_is_redacted),
        cmocka_unit_test(test_http_redirects_only_when_asked),
        cmocka_unit_test(test_http_proxy_from_environment),
        cmocka_unit_test(test_http_https_to_plain_port),
        cmocka_unit_test(test_http_bad_requests),
        cmocka_unit_test(test_http_tls_private_ca),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
