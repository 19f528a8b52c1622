/* The zoom client over real HTTP against build/zoomsim (--control) on
 * 127.0.0.1 with a port it picks itself: a round trip, 124 handling with
 * an expired token, and path refusals that never reach the server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zoom_internal.h"
#include "zoomflow/crypt.h"
#include "zoomflow/store.h"
#include "zoomflow/tokens.h"

typedef struct sim {
    pid_t pid;
    char base[64];
    char dir[64];
    zf_http *http;
} sim;

static int read_port(const char *file)
{
    FILE *f = fopen(file, "r");
    char line[16] = {0};
    if (!f)
        return -1;
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    char *end;
    long p = ok ? strtol(line, &end, 10) : -1;
    return (ok && p > 0 && p < 65536 && (*end == '\n' || *end == '\0')) ? (int)p : -1;
}

static int sim_start(void **state)
{
    const char *bin = "./zoomsim";
    if (access(bin, X_OK) != 0)
        return 0; /* each test skips */
    sim *s = calloc(1, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/zftest-live-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    char port_file[96];
    snprintf(port_file, sizeof port_file, "%s/port", s->dir);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        execl(bin, bin, "--host", "127.0.0.1", "--port", "0", "--port-file", port_file, "--control",
              "--quiet", (char *)NULL);
        _exit(127);
    }
    int port = -1;
    for (int i = 0; i < 200 && port < 0; i++) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        port = read_port(port_file);
    }
    assert_true(port > 0);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", port);
    zf_http_opts ho = ZF_HTTP_OPTS_INIT;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_http_new(&s->http, &ho, &err), 0);
    *state = s;
    return 0;
}

static int sim_stop(void **state)
{
    sim *s = *state;
    if (!s)
        return 0;
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    zf_http_free(s->http);
    char port_file[96];
    snprintf(port_file, sizeof port_file, "%s/port", s->dir);
    unlink(port_file);
    rmdir(s->dir);
    free(s);
    return 0;
}

/* A control-plane request; returns the parsed JSON body (or NULL). */
static json_t *control(sim *s, const char *method, const char *path, const char *body, long want)
{
    char url[160];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    zf_http_req req = ZF_HTTP_REQ_INIT;
    const char *hdrs[] = {"Content-Type: application/json", NULL};
    req.method = method;
    req.url = url;
    req.headers = hdrs;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    zf_http_resp resp;
    zf_http_resp_init(&resp);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_http_do(s->http, &req, &resp, &err), 0);
    if (resp.status != want)
        fail_msg("%s %s: HTTP %ld: %s", method, path, resp.status, zf_buf_cstr(&resp.body));
    json_t *j = resp.body.len ? json_loadb(resp.body.ptr, resp.body.len, 0, NULL) : NULL;
    zf_http_resp_free(&resp);
    return j;
}

/* Token source minting tokens through /_sim/token; reject mints anew. */
typedef struct sim_tokens {
    sim *s;
    int ttl;
    int rejects;
    char token[4096]; /* a zoomsim JWT is ~550 characters */
} sim_tokens;

static void mint(sim_tokens *t)
{
    char body[64];
    snprintf(body, sizeof body, "{\"ttl\":%d}", t->ttl);
    json_t *j = control(t->s, "POST", "/_sim/token", body, 201);
    snprintf(t->token, sizeof t->token, "%s",
             json_string_value(json_object_get(j, "access_token")));
    json_decref(j);
}

static int st_get(void *ctx, zf_secret *token, char **api_base, zf_error *err)
{
    sim_tokens *t = ctx;
    *api_base = strdup(t->s->base);
    return zf_secret_set(token, t->token, strlen(t->token));
}

static int st_reject(void *ctx, const zf_secret *rejected, zf_secret *token, zf_error *err)
{
    sim_tokens *t = ctx;
    t->rejects++;
    t->ttl = 3600;
    mint(t);
    return zf_secret_set(token, t->token, strlen(t->token));
}

static zf_zoom *client(sim_tokens *t)
{
    zf_zoom_opts o = ZF_ZOOM_OPTS_INIT;
    o.tokens = (zf_zoom_tokens){t, st_get, st_reject, NULL, NULL};
    o.retry.budget_ms = 5000;
    zf_zoom *z = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_new(&z, &o, &err), 0);
    return z;
}

static int64_t requests_total(sim *s)
{
    json_t *j = control(s, "GET", "/_sim/requests", NULL, 200);
    int64_t n = json_integer_value(json_object_get(j, "total"));
    json_decref(j);
    return n;
}

static void test_live_round_trip_unknown_endpoint(void **state)
{
    sim *s = *state;
    if (!s)
        skip();
    sim_tokens t = {s, 3600, 0, {0}};
    mint(&t);
    zf_zoom *z = client(&t);
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.path = "/no/such/endpoint";
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_call(z, &req, &resp, &err), ZF_ENOTFOUND);
    assert_int_equal(err.http_status, 404);
    assert_int_equal(err.zoom_code, 2300);
    assert_string_equal(err.message, "Zoom: This API endpoint is not recognized.");
    json_t *log = control(s, "GET", "/_sim/requests", NULL, 200);
    json_t *last = json_array_get(json_object_get(log, "requests"),
                                  json_array_size(json_object_get(log, "requests")) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "path")), "/v2/no/such/endpoint");
    json_decref(log);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

static void test_live_expired_token_rejected_once(void **state)
{
    sim *s = *state;
    if (!s)
        skip();
    sim_tokens t = {s, 60, 0, {0}};
    mint(&t);
    json_decref(control(s, "POST", "/_sim/clock/advance", "{\"seconds\":120}", 200));
    zf_zoom *z = client(&t);
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.path = "/users/me";
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_zoom_call(z, &req, &resp, &err);
    if (rc == ZF_ENOTFOUND && err.zoom_code == 2300) {
        /* this zoomsim has no /v2 data routes (they come with sim-data) */
        zf_zoom_resp_free(&resp);
        zf_zoom_free(z);
        skip();
    }
    assert_int_equal(t.rejects, 1);
    assert_int_equal(rc, 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 2);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

static void test_live_refused_paths_never_reach_server(void **state)
{
    sim *s = *state;
    if (!s)
        skip();
    sim_tokens t = {s, 3600, 0, {0}};
    mint(&t);
    zf_zoom *z = client(&t);
    json_decref(control(s, "DELETE", "/_sim/requests", NULL, 204));
    const char *bad[] = {"https://127.0.0.1:1/v2/users",
                         "//127.0.0.1/users",
                         "/../_sim/state",
                         "/%2e%2e/_sim/state",
                         "/users\r\nX-Evil: 1",
                         "/users%0d%0aX:1",
                         "/users#x",
                         "/a\\..\\_sim",
                         NULL};
    for (int i = 0; bad[i]; i++) {
        zf_zoom_req req = ZF_ZOOM_REQ_INIT;
        req.path = bad[i];
        zf_zoom_resp resp;
        zf_zoom_resp_init(&resp);
        zf_error err = ZF_ERROR_INIT;
        assert_int_equal(zf_zoom_call(z, &req, &resp, &err), ZF_EPATH);
        zf_zoom_resp_free(&resp);
    }
    assert_int_equal(requests_total(s), 0);
    /* the counter does count: one accepted call shows up */
    zf_zoom_req ok = ZF_ZOOM_REQ_INIT;
    ok.path = "/users/me/x";
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    zf_error err = ZF_ERROR_INIT;
    zf_zoom_call(z, &ok, &resp, &err);
    assert_true(resp.attempts <= 1);
    assert_int_equal(requests_total(s), 1);
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

/* The zf_tokens adapter: a Server-to-Server connection to zoomsim, its
 * token and "{api_url}/v2" base used by the client; after the token expires
 * at zoomsim (clock advanced), a 124 makes tokens.c fetch a new one. */
static void test_live_stored_connection(void **state)
{
    sim *s = *state;
    if (!s)
        skip();
    char dsn[128];
    snprintf(dsn, sizeof dsn, "sqlite:%s/zf.db", s->dir);
    setenv("ZOOMFLOW_MASTER_KEY",
           "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
    zf_error err = ZF_ERROR_INIT;
    zf_store *st = NULL;
    zf_crypt *cr = NULL;
    zf_tokens *tk = NULL;
    assert_int_equal(zf_store_open(&st, dsn, &err), 0);
    assert_int_equal(zf_crypt_new(&cr, NULL, &err), 0);
    zf_tokens_opts to = ZF_TOKENS_OPTS_INIT;
    to.store = st;
    to.crypt = cr;
    assert_int_equal(zf_tokens_new(&tk, &to, &err), 0);
    zf_connect_cfg cfg = ZF_CONNECT_CFG_INIT;
    cfg.oauth_base = s->base;
    cfg.client_id = "zoomsim-s2s";
    cfg.client_secret = "zoomsim-s2s-secret";
    cfg.account_id = "zsimAcct0000000000001";
    if (zf_tokens_connect_s2s(tk, &cfg, &err) != 0)
        fail_msg("connect_s2s: %s (%s)", err.message, err.hint);
    zf_zoom_tokens src;
    assert_int_equal(zf_zoom_tokens_conn(&src, tk, NULL, &err), 0);
    zf_zoom_opts o = ZF_ZOOM_OPTS_INIT;
    o.tokens = src;
    zf_zoom *z = NULL;
    assert_int_equal(zf_zoom_new(&z, &o, &err), 0);
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.path = "/no/such/endpoint";
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    assert_int_equal(zf_zoom_call(z, &req, &resp, &err), ZF_ENOTFOUND);
    assert_int_equal(err.zoom_code, 2300);
    zf_zoom_resp_free(&resp);
    json_decref(control(s, "POST", "/_sim/clock/advance", "{\"seconds\":7200}", 200));
    req.path = "/users/me";
    zf_zoom_resp_init(&resp);
    zf_error e2 = ZF_ERROR_INIT;
    int rc = zf_zoom_call(z, &req, &resp, &e2);
    int data_routes = !(rc == ZF_ENOTFOUND && e2.zoom_code == 2300);
    if (data_routes) {
        if (rc != 0)
            fail_msg("after expiry: %s (%s)", e2.message, e2.hint);
        assert_int_equal(resp.attempts, 2);
    }
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
    zf_zoom_tokens_free(&src);
    zf_tokens_free(tk);
    zf_crypt_free(cr);
    zf_store_free(st);
    char path[128];
    const char *files[] = {"zf.db", "zf.db-wal", "zf.db-shm", NULL};
    for (int i = 0; files[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", s->dir, files[i]);
        unlink(path);
    }
    if (!data_routes)
        skip(); /* the expiry half needs sim-data's /v2/users/me */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live_round_trip_unknown_endpoint),
        cmocka_unit_test(test_live_expired_token_rejected_once),
        cmocka_unit_test(test_live_refused_paths_never_reach_server),
        cmocka_unit_test(test_live_stored_connection),
    };
    return cmocka_run_group_tests(tests, sim_start, sim_stop);
}
