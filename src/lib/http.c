/*
 * The HTTP transport over one libcurl easy handle (the only file that
 * includes curl.h).
 *
 * Guarantees:
 *  - TLS peer and host verification are on for every request; ca_file only
 *    adds trust. Proxy options are never set, so libcurl's environment
 *    handling (http_proxy, https_proxy, no_proxy) applies.
 *  - The easy handle is reused, so its connection cache keeps connections
 *    alive; curl_easy_reset() after each request drops every per-request
 *    option (and pointers into the caller's memory) but keeps connections.
 *  - Only http and https are spoken; redirects are followed only when the
 *    request asks (downloads), and libcurl never forwards the Authorization
 *    header to another host.
 *  - A buffered body never exceeds max_response (ZF_ETOOBIG). A streamed
 *    request sends 2xx bodies to the sink; other statuses are buffered, so
 *    callers can read Zoom's JSON error.
 *  - The bearer header is built in a zf_buf and every copy we own is wiped
 *    after the request. Traces (opts.trace and ZF_LOG_TRACE) go through
 *    zf_log_redact: Authorization shows as [redacted], bodies are scrubbed.
 *  - resp->sent is 0 only when the request provably never reached the
 *    server: name resolution, connect or the TLS handshake failed.
 *  - Only GET, HEAD and OPTIONS go out on a reused connection; every other
 *    method gets CURLOPT_FRESH_CONNECT (see http.h for why). The fresh
 *    connection joins the cache afterwards, so the reads that follow reuse
 *    it; FORBID_REUSE is not needed since the next write is fresh again.
 */
#include "zoomflow/http.h"

#include "http_internal.h"
#include "zoomflow/zoomflow.h"
#include "text.h"

#include <ctype.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HEADERS_MAX ((size_t)256 << 10)
#define TRACE_BODY_MAX ((size_t)16 << 10)

struct zf_http {
    CURL *curl;
    zf_http_opts opts;
    char *ca_file;
    char *user_agent;
    long connects;
};

/* One exchange's state, shared with the curl callbacks. */
typedef struct xfer {
    zf_http *h;
    const zf_http_req *req;
    zf_http_resp *resp;
    int too_big;  /* the body or headers passed their cap */
    int canceled; /* the sink asked to stop */
    zf_buf trace_out, trace_in;
} xfer;

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;
static int lean_wanted; /* set before global_once runs, read in it */
static int lean;        /* OpenSSL runs without its error strings */

static void global_init_once(void)
{
    /* OpenSSL's init steps run once each: with the strings' step taken
     * here (as "not loaded"), libcurl's OPENSSL_init_ssl leaves them out;
     * the configuration file is still read */
    if (lean_wanted &&
        OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_SSL_STRINGS | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS,
                         NULL) == 1)
        lean = 1;
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int zf_http_global_init(void)
{
    pthread_once(&global_once, global_init_once);
    return global_rc == CURLE_OK ? 0 : ZF_EIO;
}

int zf_http_global_init_lean(void)
{
    lean_wanted = 1;
    int rc = zf_http_global_init();
    if (rc < 0)
        return rc;
    return lean ? 0 : ZF_EINVAL;
}

/* "; `openssl errstr CODE` names OpenSSL's reason" when why carries an
 * OpenSSL error code without its words (lean: "error:0A00010B:lib(20)::
 * reason(267)"), else "". */
static void errstr_tip(const char *why, char *out, size_t n)
{
    out[0] = '\0';
    const char *e = lean ? strstr(why, "error:") : NULL;
    if (!e)
        return;
    e += 6;
    size_t k = 0;
    while (k < 8 && isxdigit((unsigned char)e[k]))
        k++;
    if (k == 8 && e[8] == ':' && strncmp(e + 9, "lib(", 4) == 0)
        snprintf(out, n, "; `openssl errstr %.8s` names OpenSSL's reason", e);
}

long zf_http__connects(const zf_http *h)
{
    return h ? h->connects : 0;
}

int zf_http_new(zf_http **out, const zf_http_opts *opts, zf_error *err)
{
    if (!out)
        return zf_error_set(err, ZF_EINVAL, "zf_http_new: output needed");
    *out = NULL;
    zf_http_opts dflt = ZF_HTTP_OPTS_INIT;
    if (zf_http_global_init() != 0)
        return zf_error_set(err, ZF_EIO, "cannot initialise libcurl");
    if (!opts)
        opts = &dflt;
    if (opts->ca_file && access(opts->ca_file, R_OK) != 0) {
        zf_error_set(err, ZF_ECONFIG, "CA file %s cannot be read", opts->ca_file);
        zf_error_hint_id(err, ZF_HINT_CHECK_CA_FILE, NULL);
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, opts->ca_file);
        return ZF_ECONFIG;
    }
    zf_http *h = calloc(1, sizeof *h);
    if (!h)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    h->opts = *opts;
    zf_buf ua = ZF_BUF_INIT(1024);
    if (opts->user_agent)
        zf_buf_puts(&ua, opts->user_agent);
    else
        zf_buf_appendf(&ua, "zoomflow/%s", zf_version());
    h->user_agent = zf_buf_take(&ua);
    h->ca_file = opts->ca_file ? strdup(opts->ca_file) : NULL;
    h->curl = curl_easy_init();
    if (!h->user_agent || !h->curl || (opts->ca_file && !h->ca_file)) {
        zf_http_free(h);
        return zf_error_set(err, ZF_ENOMEM, "out of memory (creating the HTTP client)");
    }
    h->opts.ca_file = h->ca_file;
    h->opts.user_agent = h->user_agent;
    *out = h;
    return 0;
}

void zf_http_free(zf_http *h)
{
    if (!h)
        return;
    if (h->curl)
        curl_easy_cleanup(h->curl);
    free(h->ca_file);
    free(h->user_agent);
    free(h);
}

void zf_http_resp_init(zf_http_resp *r)
{
    memset(r, 0, sizeof *r);
    zf_buf_init(&r->body, 0);
    zf_buf_init(&r->headers, HEADERS_MAX);
}

void zf_http_resp_free(zf_http_resp *r)
{
    if (!r)
        return;
    zf_buf_free(&r->body);
    zf_buf_free(&r->headers);
}

const char *zf_http_resp_header(const zf_http_resp *r, const char *name, char *out, size_t outlen)
{
    return zf_header_find(zf_buf_cstr(&r->headers), name, out, outlen);
}

/* ---- callbacks -------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    xfer *x = ctx;
    size_t n = size * nmemb;
    long status = 0;
    curl_easy_getinfo(x->h->curl, CURLINFO_RESPONSE_CODE, &status);
    if (x->req->sink && status >= 200 && status < 300) {
        if (x->req->sink(x->req->sink_ctx, data, n) != 0) {
            x->canceled = 1;
            return 0;
        }
        return n;
    }
    curl_off_t cl = -1;
    /* a body of announced size: read into one allocation of that size
     * (reused buffers then fit the next page without growing by doubling) */
    if (x->resp->body.len == 0 &&
        curl_easy_getinfo(x->h->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
        cl > 0 && (uint64_t)cl <= x->resp->body.max)
        zf_buf_fit(&x->resp->body, (size_t)cl);
    if (zf_buf_append(&x->resp->body, data, n) != 0) {
        x->too_big = 1;
        return 0;
    }
    return n;
}

static void keep_request_id(zf_http_resp *r, const char *line, size_t n)
{
    static const char name[] = "x-zm-trackingid:";
    size_t k = sizeof name - 1;
    if (n <= k || strncasecmp(line, name, k) != 0)
        return;
    const char *v = line + k, *e = line + n;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
        e--;
    snprintf(r->request_id, sizeof r->request_id, "%.*s", (int)(e - v), v);
}

/* Keeps the final response's header lines: a new status line (after a
 * redirect or a 100 Continue) starts over. */
static size_t on_header(char *line, size_t size, size_t nmemb, void *ctx)
{
    xfer *x = ctx;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        zf_buf_reset(&x->resp->headers);
        x->resp->request_id[0] = '\0';
        return n;
    }
    if (n <= 2 && (line[0] == '\r' || line[0] == '\n'))
        return n;
    keep_request_id(x->resp, line, n);
    if (zf_buf_append(&x->resp->headers, line, n) != 0) {
        x->too_big = 1;
        return 0;
    }
    return n;
}

static void trace_block(char dir, const char *data, size_t n)
{
    zf_buf b = ZF_BUF_INIT(TRACE_BODY_MAX + 64);
    zf_buf_append(&b, data, n < TRACE_BODY_MAX ? n : TRACE_BODY_MAX);
    while (b.len && (b.ptr[b.len - 1] == '\n' || b.ptr[b.len - 1] == '\r'))
        b.ptr[--b.len] = '\0';
    if (b.ptr)
        zf_log_redact(b.ptr);
    /* zf_log redacts again; redacting here first keeps the intent local */
    zf_log(ZF_LOG_TRACE, "http", "%c %s", dir, zf_buf_cstr(&b));
    zf_buf_free(&b);
}

static int on_debug(CURL *c, curl_infotype type, char *data, size_t n, void *ctx)
{
    xfer *x = ctx;
    switch (type) {
    case CURLINFO_TEXT:
        trace_block('*', data, n);
        break;
    case CURLINFO_HEADER_OUT:
        trace_block('>', data, n);
        break;
    case CURLINFO_HEADER_IN:
        trace_block('<', data, n);
        break;
    /* bodies are logged whole at the end, so a secret split across two
     * chunks is still recognised by zf_log_redact */
    case CURLINFO_DATA_OUT:
        zf_buf_append(&x->trace_out, data, n);
        break;
    case CURLINFO_DATA_IN:
        zf_buf_append(&x->trace_in, data, n);
        break;
    default:
        break;
    }
    return 0;
}

static void trace_bodies(xfer *x)
{
    if (x->trace_out.len)
        trace_block('>', x->trace_out.ptr, x->trace_out.len);
    if (x->trace_in.len)
        trace_block('<', x->trace_in.ptr, x->trace_in.len);
    if (x->trace_in.failed || x->trace_out.failed)
        zf_log(ZF_LOG_TRACE, "http", "* (body trace truncated at %zu bytes)", TRACE_BODY_MAX);
}

/* ---- request setup ---------------------------------------------------- */

static int has_crlf(const char *s)
{
    return s && strpbrk(s, "\r\n") != NULL;
}

/* Frees a header list after wiping every string in it (one may carry the
 * bearer token). */
static void wipe_slist(struct curl_slist *l)
{
    for (struct curl_slist *p = l; p; p = p->next)
        OPENSSL_cleanse(p->data, strlen(p->data));
    curl_slist_free_all(l);
}

/* false when out of memory (*l is kept). */
static bool add_header(struct curl_slist **l, const char *line)
{
    struct curl_slist *n = curl_slist_append(*l, line);
    if (!n)
        return false;
    *l = n;
    return true;
}

static int build_headers(const zf_http_req *req, struct curl_slist **out, zf_error *err)
{
    struct curl_slist *l = NULL;
    int rc = 0;
    zf_buf auth = ZF_BUF_INIT(64 << 10);
    for (const char *const *p = req->headers; p && *p; p++) {
        if (has_crlf(*p) || !strchr(*p, ':')) {
            rc = zf_error_set(err, ZF_EINVAL,
                              "request header \"%.40s\" must be one "
                              "\"Name: value\" line",
                              *p);
            goto done;
        }
        if (!add_header(&l, *p))
            goto nomem;
    }
    if (req->bearer && !zf_secret_empty(req->bearer)) {
        if (has_crlf(zf_secret_reveal(req->bearer))) {
            rc = zf_error_set(err, ZF_EINVAL, "the access token contains a line break");
            goto done;
        }
        zf_buf_puts(&auth, "Authorization: Bearer ");
        zf_buf_puts(&auth, zf_secret_reveal(req->bearer));
        if (auth.failed || !add_header(&l, auth.ptr))
            goto nomem;
    }
    /* no "Expect: 100-continue" round trip before bodies */
    if (!add_header(&l, "Expect:"))
        goto nomem;
    goto done;
nomem:
    rc = zf_error_set(err, ZF_ENOMEM, "out of memory (request headers)");
done:
    zf_buf_free(&auth); /* wipes */
    if (rc != 0) {
        wipe_slist(l);
        l = NULL;
    }
    *out = l;
    return rc;
}

/* Methods libcurl may send on a kept-alive connection: safe (RFC 9110
 * 9.2.1), so its silent resend after a dead reused connection changes
 * nothing on the server. Anything else, unknown methods included, is
 * sent on a new connection. */
static const char *const reusable_methods[] = {"GET", "HEAD", "OPTIONS", NULL};

static int may_reuse(const zf_http_req *req)
{
    const char *m = req->method ? req->method : "GET";
    for (const char *const *p = reusable_methods; *p; p++)
        if (strcmp(m, *p) == 0)
            return 1;
    return 0;
}

static void set_method(CURL *c, const zf_http_req *req)
{
    const char *m = req->method ? req->method : "GET";
    if (strcmp(m, "GET") == 0 && !req->body) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        return;
    }
    if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        return;
    }
    if (req->body || strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body ? req->body_len : 0));
    }
    if (strcmp(m, "POST") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
}

static void set_options(zf_http *h, xfer *x, struct curl_slist *hdrs, char *errbuf)
{
    CURL *c = h->curl;
    const zf_http_req *req = x->req;
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->opts.connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     req->timeout_ms > 0 ? req->timeout_ms : h->opts.timeout_ms);
    /* a server that keeps the connection open but stops sending must not
     * hang a download that has no total timeout: under 1 byte/s for the
     * stall time is a timeout */
    long stall_s = (h->opts.stall_timeout_ms + 999) / 1000;
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, stall_s > 0 ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall_s > 0 ? stall_s : 0L);
    /* Never off. VERIFYHOST 2 is libcurl's documented "verify" value (1 has
     * meant the same since 7.66). */
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (h->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
    curl_easy_setopt(c, CURLOPT_USERAGENT, h->user_agent);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req->follow_redirects ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    if (!req->sink)
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->opts.max_response);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    if (req->basic_user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, req->basic_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, zf_secret_reveal(req->basic_pass));
    }
    if (req->range_from > 0) {
        char range[32];
        snprintf(range, sizeof range, "%llu-", (unsigned long long)req->range_from);
        curl_easy_setopt(c, CURLOPT_RANGE, range); /* libcurl copies it */
    }
    if (h->opts.trace && zf_log_enabled(ZF_LOG_TRACE)) {
        curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(c, CURLOPT_DEBUGDATA, x);
        curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    }
    /* libcurl 7.88 resends a request whose reused connection dies before
     * any answer byte ("Connection died, retrying a fresh connect") and has
     * no option to stop it; on a connection made for this request it never
     * does, so a write reaches the server at most once per zf_http_do */
    if (!may_reuse(req))
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
    set_method(c, req);
}

/* ---- errors ----------------------------------------------------------- */

static int never_sent(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return 1;
    default:
        return 0;
    }
}

static int is_cert_error(CURLcode rc)
{
    return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
           rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
           rc == CURLE_SSL_INVALIDCERTSTATUS;
}

static int map_error(const zf_http *h, const xfer *x, CURLcode rc, const char *host,
                     const char *why, zf_error *err)
{
    if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        zf_error_set(err, ZF_ETOOBIG, "response from %s exceeds the %zu-byte limit", host,
                     h->opts.max_response);
        zf_error_hint_id(err, ZF_HINT_STREAM_LARGE, NULL);
        return ZF_ETOOBIG;
    }
    if (x->canceled)
        return zf_error_set(err, ZF_ECANCELED, "transfer from %s canceled by its receiver", host);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        zf_error_set(err, ZF_ETIMEOUT, "request to %s timed out: %s", host, why);
        zf_error_hint_id(err, ZF_HINT_RAISE_TIMEOUT,
                         "the server or the network is slow; try "
                         "again, or raise the request timeout");
        return ZF_ETIMEOUT;
    }
    if (is_cert_error(rc)) {
        char tip[96];
        errstr_tip(why, tip, sizeof tip);
        zf_error_set(err, ZF_ETLS, "TLS certificate of %s rejected: %s%s", host, why, tip);
        zf_error_hint_id(err, ZF_HINT_TRUST_CA, "the server's certificate is not trusted: %s",
                         zf_hint_words(ZF_HINT_TRUST_CA));
        return ZF_ETLS;
    }
    if (rc == CURLE_SSL_CONNECT_ERROR) {
        char tip[96];
        errstr_tip(why, tip, sizeof tip);
        zf_error_set(err, ZF_ETLS, "TLS handshake with %s failed: %s%s", host, why, tip);
        zf_error_hint_id(err, ZF_HINT_CHECK_NETWORK,
                         "check that the URL's port speaks HTTPS "
                         "and that no proxy interferes with TLS");
        return ZF_ETLS;
    }
    zf_error_set(err, ZF_ENET, "cannot reach %s: %s", host, why);
    zf_error_hint_id(err, ZF_HINT_CHECK_NETWORK,
                     "check the network, the host name, and proxy "
                     "settings (https_proxy, no_proxy)");
    return ZF_ENET;
}

/* "host:port" of url for messages, or EINVAL when url is not http(s). */
static int url_host(const char *url, char *out, size_t outlen, zf_error *err)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL, *scheme = NULL;
    int rc = 0;
    if (!u)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    if (!url || has_crlf(url) || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = zf_error_set(err, ZF_EINVAL, "not an absolute http(s) URL: %.200s",
                          url ? url : "(null)");
        goto done;
    }
    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    snprintf(out, outlen, "%s:%s", host, port ? port : "?");
done:
    curl_free(host);
    curl_free(port);
    curl_free(scheme);
    curl_url_cleanup(u);
    return rc;
}

/* ---- the exchange ----------------------------------------------------- */

static void finish(zf_http *h, xfer *x, CURLcode rc)
{
    long status = 0, connects = 0;
    double secs = 0;
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &connects);
    curl_easy_getinfo(h->curl, CURLINFO_TOTAL_TIME, &secs);
    curl_easy_getinfo(h->curl, CURLINFO_REDIRECT_COUNT, &x->resp->redirects);
    h->connects += connects;
    x->resp->status = status;
    x->resp->seconds = secs;
    x->resp->sent = !never_sent(rc);
    if (h->opts.trace && zf_log_enabled(ZF_LOG_TRACE)) {
        trace_bodies(x);
        zf_log(ZF_LOG_TRACE, "http", "* %s %s -> %ld in %.3f s (%s connection)",
               x->req->method ? x->req->method : "GET", x->req->url, status, secs,
               connects ? "new" : "reused");
    }
}

int zf_http_do(zf_http *h, const zf_http_req *req, zf_http_resp *resp, zf_error *err)
{
    if (!h || !req || !resp)
        return zf_error_set(err, ZF_EINVAL, "zf_http_do: handle, request and response needed");
    zf_buf room = resp->body; /* its allocation is kept for this body */
    zf_buf_init(&resp->body, 0);
    zf_http_resp_free(resp);
    zf_http_resp_init(resp);
    resp->body = room;
    zf_buf_reset(&resp->body);
    resp->body.max = h->opts.max_response;
    char host[300], errbuf[CURL_ERROR_SIZE] = "";
    int rc = url_host(req->url, host, sizeof host, err);
    if (rc != 0)
        return rc;
    if (has_crlf(req->basic_user) || (req->basic_pass && has_crlf(req->basic_pass->ptr)))
        return zf_error_set(err, ZF_EINVAL, "client credentials contain a line break");
    struct curl_slist *hdrs = NULL;
    if ((rc = build_headers(req, &hdrs, err)) != 0)
        return rc;
    xfer x = {h, req, resp, 0, 0, ZF_BUF_INIT(TRACE_BODY_MAX), ZF_BUF_INIT(TRACE_BODY_MAX)};
    set_options(h, &x, hdrs, errbuf);
    CURLcode cc = curl_easy_perform(h->curl);
    finish(h, &x, cc);
    if (cc != CURLE_OK || x.too_big || x.canceled)
        rc = map_error(h, &x, cc, host, errbuf[0] ? errbuf : curl_easy_strerror(cc), err);
    /* forget the request's options (and its pointers into caller memory);
     * the connection cache survives a reset */
    curl_easy_reset(h->curl);
    wipe_slist(hdrs);
    zf_buf_free(&x.trace_out);
    zf_buf_free(&x.trace_in);
    return rc;
}
