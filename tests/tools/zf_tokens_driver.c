/*
 * zf_tokens_driver: runs the tokens module against a real zoomsim for the
 * integration tests (tests/integration/test_tokens.py). Never prints a
 * token: only the first 12 hex digits of its SHA-256.
 *
 *   zf_tokens_driver --db DSN --sim URL [--id ID] [--sim-clock] [--own-store] COMMAND
 *     connect               user OAuth with PKCE (zoomsim --auto-approve)
 *     connect-s2s ACCOUNT   Server-to-Server
 *     access                token -> GET /_sim/tokens/me; on 401 reject + retry
 *     hammer --threads N --calls M   N threads x M zf_tokens_access calls;
 *       prints "hammer ok=K failed=F" and, for bench/store-bench, the
 *       calls' wall times (max_us, sum_us) and the realtime instants
 *       (microseconds since the epoch) the calls began and the last ended
 *   --own-store: each hammer thread opens its own store handle (its own
 *     connection pool) and tokens object, so that nothing in the process
 *     serialises them and only the store's row lock stands between them;
 *     the threads start their calls together.
 *   --at MS: hammer starts at this realtime instant (milliseconds since the
 *     epoch), so that processes started one after the other begin together.
 *     info | disconnect
 *   --sim-clock: the library's clock follows zoomsim's (GET /_sim/clock).
 *   --token-endpoint E: connect with this token endpoint (path or URL).
 *   --client-id ID --client-secret S: connect as this OAuth app (default
 *     zoomsim-client; one user authorizing an app again kills its earlier
 *     grant, so distinct connections of one user need distinct apps).
 *   --margin SECS: refresh a token that expires within SECS (default 300),
 *     e.g. 3590 for a process that refreshes while the token still works.
 * Exit status: 0; 3 when the failure is about the connection (not
 * connected, authentication, re-authorization), as the CLI's exit table
 * says; else 1. The failure is printed as "error: CODE: message" and
 * "hint: ..." on stderr.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "zoomflow/tokens.h"

static int64_t clock_offset;

static int64_t sim_clock(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL) + clock_offset;
}

typedef struct drv {
    const char *db, *sim, *id, *token_endpoint, *client_id, *client_secret;
    int sim_clock, threads, calls, own_store;
    long margin;   /* -1: the library's default */
    long long at;  /* hammer's start, ms since the epoch; 0: at once */
    zf_store *st;
    zf_crypt *crypt;
    zf_tokens *tk;
} drv;

static int tokens_exit_status(int rc)
{
    return rc == ZF_ENOTCONNECTED || rc == ZF_EAUTH || rc == ZF_EREAUTH || rc == ZF_ESCOPE ||
                   rc == ZF_ESTATE
               ? 3
               : 1;
}

static int fail(int rc, const zf_error *err)
{
    fprintf(stderr, "error: %s: %s\n", zf_code_name(rc), err->message);
    if (err->hint[0])
        fprintf(stderr, "hint: %s\n", err->hint);
    return tokens_exit_status(rc);
}

static void sha_prefix(const zf_secret *t, char out[13])
{
    unsigned char d[32];
    char hex[65];
    zf_sha256(zf_secret_reveal(t), t->len, d);
    zf_hex(d, sizeof d, hex);
    memcpy(out, hex, 12);
    out[12] = '\0';
}

/* GET url with an optional bearer; status and Location header out. */
static int get(const char *url, const zf_secret *bearer, long *status, char *loc, size_t loclen,
               zf_buf *body, zf_error *err)
{
    zf_http *h = NULL;
    zf_http_opts o = ZF_HTTP_OPTS_INIT;
    zf_http_req rq = ZF_HTTP_REQ_INIT;
    zf_http_resp rs;
    int rc = zf_http_new(&h, &o, err);
    if (rc < 0)
        return rc;
    zf_http_resp_init(&rs);
    rq.method = "GET";
    rq.url = url;
    rq.bearer = bearer;
    if ((rc = zf_http_do(h, &rq, &rs, err)) == 0) {
        *status = rs.status;
        if (loc && !zf_http_resp_header(&rs, "Location", loc, loclen))
            loc[0] = '\0';
        if (body)
            zf_buf_puts(body, rs.body.ptr ? rs.body.ptr : "");
    }
    zf_http_resp_free(&rs);
    zf_http_free(h);
    return rc;
}

static int sync_clock(drv *d, zf_error *err)
{
    char url[512];
    long st = 0;
    zf_buf b = ZF_BUF_INIT(1 << 16);
    snprintf(url, sizeof url, "%s/_sim/clock", d->sim);
    int rc = get(url, NULL, &st, NULL, 0, &b, err);
    json_t *j = rc == 0 ? json_loads(b.ptr ? b.ptr : "", 0, NULL) : NULL;
    if (rc == 0 && !json_is_integer(json_object_get(j, "now")))
        rc = zf_error_set(err, ZF_EPARSE, "zoomsim /_sim/clock answered %ld without \"now\"", st);
    if (rc == 0)
        clock_offset = json_integer_value(json_object_get(j, "now")) - (int64_t)time(NULL);
    json_decref(j);
    zf_buf_free(&b);
    return rc;
}

static zf_connect_cfg base_cfg(drv *d)
{
    zf_connect_cfg c = ZF_CONNECT_CFG_INIT;
    c.id = d->id;
    c.oauth_base = d->sim;
    c.client_id = d->client_id ? d->client_id : "zoomsim-client";
    c.client_secret = d->client_secret ? d->client_secret : "zoomsim-secret";
    c.redirect_uri = "http://127.0.0.1:9/callback";
    c.token_endpoint = d->token_endpoint;
    return c;
}

static int cmd_connect(drv *d, zf_error *err)
{
    zf_oauth_authz a;
    zf_connect_cfg c = base_cfg(d);
    char loc[4096];
    long st = 0;
    int rc = zf_tokens_connect_begin(&a, d->tk, &c, err);
    if (rc < 0)
        return rc;
    rc = get(a.url, NULL, &st, loc, sizeof loc, NULL, err);
    if (rc == 0 && (st != 302 || !strchr(loc, '?')))
        rc = zf_error_set(err, ZF_EHTTP, "authorize answered %ld (start zoomsim with "
                                         "--auto-approve)", st);
    if (rc == 0)
        rc = zf_tokens_connect_finish(NULL, d->tk, strchr(loc, '?'), strlen(strchr(loc, '?')),
                                      err);
    if (rc == 0)
        printf("connected %s\n", d->id ? d->id : "default");
    zf_oauth_authz_free(&a);
    return rc;
}

static int cmd_connect_s2s(drv *d, const char *account, zf_error *err)
{
    zf_connect_cfg c = base_cfg(d);
    c.client_id = "zoomsim-s2s";
    c.client_secret = "zoomsim-s2s-secret";
    c.account_id = account;
    int rc = zf_tokens_connect_s2s(d->tk, &c, err);
    if (rc == 0)
        printf("connected %s\n", d->id ? d->id : "default");
    return rc;
}

static int cmd_access(drv *d, zf_error *err)
{
    zf_secret t = ZF_SECRET_INIT, t2 = ZF_SECRET_INIT;
    char url[512], sha[13];
    long st = 0;
    int rejected = 0;
    int rc = zf_tokens_access(&t, NULL, d->tk, d->id, err);
    snprintf(url, sizeof url, "%s/_sim/tokens/me", d->sim);
    if (rc == 0)
        rc = get(url, &t, &st, NULL, 0, NULL, err);
    if (rc == 0 && st == 401) {
        rejected = 1;
        if ((rc = zf_tokens_reject(&t2, NULL, d->tk, d->id, &t, err)) == 0) {
            zf_secret_free(&t);
            t = t2;
            rc = get(url, &t, &st, NULL, 0, NULL, err);
        }
    }
    if (rc == 0) {
        sha_prefix(&t, sha);
        printf("ok sha=%s status=%ld rejected=%d\n", sha, st, rejected);
    }
    zf_secret_free(&t);
    return rc;
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A store handle, key and tokens object on d's settings. */
static int open_tokens(drv *d, zf_store **st, zf_crypt **crypt, zf_tokens **tk, zf_error *err)
{
    zf_tokens_opts o = ZF_TOKENS_OPTS_INIT;
    int rc;
    if ((rc = zf_store_open(st, d->db, err)) < 0 || (rc = zf_crypt_new(crypt, NULL, err)) < 0)
        return rc;
    o.store = *st;
    o.crypt = *crypt;
    o.clock = d->sim_clock ? sim_clock : NULL;
    o.actor = "zf_tokens_driver";
    if (d->margin >= 0)
        o.refresh_margin = d->margin;
    return zf_tokens_new(tk, &o, err);
}

typedef struct hres {
    drv *d;
    pthread_barrier_t *start;
    int ok, failed;
    long long max_us, sum_us, end_us;
    char sha[13];
    char msg[512];
} hres;

static void *hammer_thread(void *arg)
{
    hres *r = arg;
    zf_store *st = NULL;
    zf_crypt *crypt = NULL;
    zf_tokens *tk = r->d->tk;
    if (r->d->own_store) {
        zf_error err = ZF_ERROR_INIT;
        tk = NULL;
        if (open_tokens(r->d, &st, &crypt, &tk, &err) < 0) {
            r->failed = r->d->calls;
            snprintf(r->msg, sizeof r->msg, "%s: %.400s", zf_code_name(err.code), err.message);
        }
        pthread_barrier_wait(r->start);
    }
    for (int i = 0; tk && i < r->d->calls; i++) {
        zf_secret t = ZF_SECRET_INIT;
        zf_error err = ZF_ERROR_INIT;
        long long t0 = now_us();
        int rc = zf_tokens_access(&t, NULL, tk, r->d->id, &err);
        r->end_us = now_us();
        r->sum_us += r->end_us - t0;
        if (r->end_us - t0 > r->max_us)
            r->max_us = r->end_us - t0;
        if (rc == 0) {
            r->ok++;
            sha_prefix(&t, r->sha);
        } else {
            r->failed++;
            snprintf(r->msg, sizeof r->msg, "%s: %.400s", zf_code_name(err.code), err.message);
        }
        zf_secret_free(&t);
    }
    if (r->d->own_store) {
        zf_tokens_free(tk);
        zf_crypt_free(crypt);
        zf_store_free(st);
    }
    return NULL;
}

static int cmd_hammer(drv *d, zf_error *err)
{
    int n = d->threads > 0 && d->threads <= 64 ? d->threads : 8, ok = 0, failed = 0;
    long long max_us = 0, sum_us = 0, end_us = 0, start_us;
    pthread_t th[64];
    pthread_barrier_t start;
    hres r[64];
    memset(r, 0, sizeof r);
    pthread_barrier_init(&start, NULL, (unsigned)n);
    if (d->at > 0) { /* absolute: told apart from the library's naps in strace */
        struct timespec at = {(time_t)(d->at / 1000), (long)(d->at % 1000) * 1000000};
        while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL) == EINTR)
            ;
    }
    start_us = now_us();
    for (int i = 0; i < n; i++) {
        r[i].d = d;
        r[i].start = &start;
        pthread_create(&th[i], NULL, hammer_thread, &r[i]);
    }
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        ok += r[i].ok;
        failed += r[i].failed;
        sum_us += r[i].sum_us;
        max_us = r[i].max_us > max_us ? r[i].max_us : max_us;
        end_us = r[i].end_us > end_us ? r[i].end_us : end_us;
        if (r[i].failed)
            fprintf(stderr, "thread %d: %s\n", i, r[i].msg);
    }
    pthread_barrier_destroy(&start);
    printf("hammer ok=%d failed=%d max_us=%lld sum_us=%lld start_us=%lld end_us=%lld\n", ok,
           failed, max_us, sum_us, start_us, end_us);
    if (failed)
        return zf_error_set(err, ZF_EIO, "%d of %d calls failed", failed, ok + failed);
    return 0;
}

static int cmd_info(drv *d, zf_error *err)
{
    zf_conn_info i;
    int rc = zf_tokens_info(&i, d->tk, d->id, err);
    if (rc < 0)
        return rc;
    printf("state: %s\nkind: %s\napi_base: %s\nexpires_at: %lld\nrefresh_count: %lld\n"
           "missing_scopes: %s\nlast_error: %s\nlast_hint: %s\nrefresh_started_at: %lld\n"
           "refresh_pid: %lld\nrefresh_interrupted: %d\ntoken_endpoint: %s\n",
           zf_conn_state_name(i.state), zf_conn_kind_name(i.kind), i.api_base,
           (long long)i.expires_at, (long long)i.refresh_count,
           i.missing_scopes ? i.missing_scopes : "", i.last_error ? i.last_error : "",
           i.last_hint ? i.last_hint : "", (long long)i.refresh_started_at,
           (long long)i.refresh_pid, i.refresh_interrupted,
           i.token_endpoint ? i.token_endpoint : "");
    zf_conn_info_free(&i);
    return 0;
}

static int cmd_disconnect(drv *d, zf_error *err)
{
    zf_error rerr = ZF_ERROR_INIT;
    int rc = zf_tokens_disconnect(d->tk, d->id, &rerr, err);
    if (rc == 0)
        printf(rerr.code ? "disconnected; revoke failed: %s\n" : "disconnected%s\n",
               rerr.code ? rerr.message : "");
    return rc;
}

static int run(drv *d, int argc, char **argv, zf_error *err)
{
    int rc;
    if (d->sim_clock && (rc = sync_clock(d, err)) < 0)
        return rc;
    if ((rc = open_tokens(d, &d->st, &d->crypt, &d->tk, err)) < 0)
        return rc;
    const char *cmd = argv[0];
    if (!strcmp(cmd, "connect"))
        return cmd_connect(d, err);
    if (!strcmp(cmd, "connect-s2s") && argc > 1)
        return cmd_connect_s2s(d, argv[1], err);
    if (!strcmp(cmd, "access"))
        return cmd_access(d, err);
    if (!strcmp(cmd, "hammer"))
        return cmd_hammer(d, err);
    if (!strcmp(cmd, "info"))
        return cmd_info(d, err);
    if (!strcmp(cmd, "disconnect"))
        return cmd_disconnect(d, err);
    return zf_error_set(err, ZF_EINVAL, "unknown command \"%s\"", cmd);
}

int main(int argc, char **argv)
{
    drv d = {0};
    d.margin = -1;
    zf_error err = ZF_ERROR_INIT;
    int i = 1;
    for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--sim-clock"))
            d.sim_clock = 1;
        else if (!strcmp(argv[i], "--own-store"))
            d.own_store = 1;
        else if (!v)
            break;
        else if (!strcmp(argv[i], "--db") && ++i)
            d.db = v;
        else if (!strcmp(argv[i], "--sim") && ++i)
            d.sim = v;
        else if (!strcmp(argv[i], "--id") && ++i)
            d.id = v;
        else if (!strcmp(argv[i], "--token-endpoint") && ++i)
            d.token_endpoint = v;
        else if (!strcmp(argv[i], "--threads") && ++i)
            d.threads = (int)strtol(v, NULL, 10);
        else if (!strcmp(argv[i], "--calls") && ++i)
            d.calls = (int)strtol(v, NULL, 10);
        else if (!strcmp(argv[i], "--margin") && ++i)
            d.margin = strtol(v, NULL, 10);
        else if (!strcmp(argv[i], "--client-id") && ++i)
            d.client_id = v;
        else if (!strcmp(argv[i], "--client-secret") && ++i)
            d.client_secret = v;
        else if (!strcmp(argv[i], "--at") && ++i)
            d.at = strtoll(v, NULL, 10);
        else
            break;
    }
    if (i >= argc || !d.db || !d.sim) {
        fprintf(stderr, "usage: zf_tokens_driver --db DSN --sim URL [--id ID] [--sim-clock] "
                        "[--margin SECS] [--at MS] [--threads N --calls M [--own-store]] connect|connect-s2s ACCOUNT|access|hammer|"
                        "info|disconnect\n");
        return 2;
    }
    if (d.calls <= 0)
        d.calls = 1;
    int rc = run(&d, argc - i, argv + i, &err);
    zf_tokens_free(d.tk);
    zf_crypt_free(d.crypt);
    zf_store_free(d.st);
    return rc < 0 ? fail(rc, &err) : 0;
}
