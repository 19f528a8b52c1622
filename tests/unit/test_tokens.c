/*
 * The token state machine against a scripted token endpoint on loopback
 * (a thread in this test), with a fake clock, over the store ZF_TEST_DB
 * names (store_test_db.h: SQLite by default, PostgreSQL in
 * unit.test_tokens.pg).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_test_db.h"
#include "zoomflow/tokens.h"

/* --- scripted token endpoint */

typedef struct fake {
    int fd, port;
    pthread_t th;
    pthread_mutex_t mu;
    int stop;
    int n_code, n_refresh, n_s2s, n_revoke;
    int issued;          /* tokens issued so far */
    char current_rt[64]; /* the one live refresh token (rotation) */
    int fail_status;     /* answer every token call with this status... */
    const char *fail_body;
    int revoke_status;
    int delay_ms;
    int cut_next;        /* rotate on the next refresh, then close unanswered */
    const char *jwt_aid; /* non-NULL: access tokens are JWTs with this "aid" */
    char last_body[2048];
    char last_line[256]; /* request line of the last request */
    char last_auth[512]; /* its Authorization header value */
} fake;

static fake fk;
static int64_t fake_now = 1700000000;

static int64_t clock_fn(void *ctx)
{
    (void)ctx;
    return fake_now;
}

#define ALL_SCOPES                                                                                 \
    "meeting:read:list_meetings:admin meeting:read:meeting:admin "                                 \
    "meeting:write:meeting:admin meeting:read:list_registrants:admin "                             \
    "meeting:write:registrant:admin user:read:list_users:admin user:read:settings:admin "          \
    "user:write:user:admin cloud_recording:read:list_recording_files:admin "                       \
    "contact:read:list_contacts:admin"

static void respond(int c, int status, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     status, strlen(body));
    if (write(c, head, (size_t)n) < 0 || write(c, body, strlen(body)) < 0)
        return;
}

/* The access token for fk.issued: opaque, or a JWT shaped like Zoom's. */
static void access_token(char *out, size_t n)
{
    char claims[128], enc[200];
    if (!fk.jwt_aid) {
        snprintf(out, n, "access-token-PLAINTEXT-%04d", fk.issued);
        return;
    }
    snprintf(claims, sizeof claims, "{\"uid\":\"u1\",\"n\":%d,\"aid\":\"%s\"}", fk.issued,
             fk.jwt_aid);
    zf_base64url((const unsigned char *)claims, strlen(claims), enc);
    snprintf(out, n, "eyJhbGciOiJIUzUxMiJ9.%s.c2lnbmF0dXJl", enc);
}

static void issue(int c, int with_refresh)
{
    char body[1024], at[256];
    fk.issued++;
    access_token(at, sizeof at);
    snprintf(fk.current_rt, sizeof fk.current_rt, "refresh-token-PLAINTEXT-%04d", fk.issued);
    snprintf(body, sizeof body,
             "{\"access_token\":\"%s\",\"token_type\":\"bearer\","
             "%s%s%s\"expires_in\":3599,\"scope\":\"" ALL_SCOPES "\","
             "\"api_url\":\"http://127.0.0.1:%d\"}",
             at, with_refresh ? "\"refresh_token\":\"" : "", with_refresh ? fk.current_rt : "",
             with_refresh ? "\"," : "", fk.port);
    respond(c, 200, body);
}

static void handle(int c)
{
    char req[8192];
    size_t len = 0;
    char *hend = NULL;
    while (len < sizeof req - 1 && !hend) {
        ssize_t r = read(c, req + len, sizeof req - 1 - len);
        if (r <= 0)
            return;
        len += (size_t)r;
        req[len] = '\0';
        hend = strstr(req, "\r\n\r\n");
    }
    const char *cl = strcasestr(req, "Content-Length:");
    size_t want = cl ? strtoul(cl + 15, NULL, 10) : 0;
    while (hend && len - (size_t)(hend + 4 - req) < want && len < sizeof req - 1) {
        ssize_t r = read(c, req + len, sizeof req - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
        req[len] = '\0';
    }
    const char *body = hend ? hend + 4 : "";
    pthread_mutex_lock(&fk.mu);
    snprintf(fk.last_body, sizeof fk.last_body, "%s", body);
    snprintf(fk.last_line, sizeof fk.last_line, "%.*s", (int)strcspn(req, "\r"), req);
    const char *au = strcasestr(req, "\r\nAuthorization: ");
    snprintf(fk.last_auth, sizeof fk.last_auth, "%.*s", au ? (int)strcspn(au + 17, "\r") : 0,
             au ? au + 17 : "");
    int delay = fk.delay_ms;
    pthread_mutex_unlock(&fk.mu);
    if (delay)
        usleep((useconds_t)delay * 1000);
    pthread_mutex_lock(&fk.mu);
    if (strncmp(req, "POST /oauth/revoke", 18) == 0 ||
        strncmp(req, "POST /custom/revoke", 19) == 0) {
        fk.n_revoke++;
        respond(c, fk.revoke_status ? fk.revoke_status : 200,
                fk.revoke_status ? "{\"reason\":\"nope\",\"error\":\"x\"}"
                                 : "{\"status\":\"success\"}");
    } else if (strstr(body, "grant_type=authorization_code")) {
        fk.n_code++;
        issue(c, 1);
    } else if (strstr(body, "grant_type=account_credentials")) {
        fk.n_s2s++;
        if (fk.fail_status)
            respond(c, fk.fail_status, fk.fail_body);
        else
            issue(c, 0);
    } else if (strstr(body, "grant_type=refresh_token")) {
        fk.n_refresh++;
        const char *rt = strstr(body, "refresh_token=");
        if (fk.fail_status)
            respond(c, fk.fail_status, fk.fail_body);
        else if (fk.cut_next && rt && strcmp(rt + 14, fk.current_rt) == 0) {
            fk.cut_next = 0; /* processed: the pair rotated, its answer is lost */
            snprintf(fk.current_rt, sizeof fk.current_rt, "rotated-by-the-lost-answer");
        } else if (!rt || strcmp(rt + 14, fk.current_rt) != 0)
            respond(c, 400, "{\"reason\":\"Invalid Token!\",\"error\":\"invalid_grant\"}");
        else
            issue(c, 1);
    } else {
        respond(c, 404, "{}");
    }
    pthread_mutex_unlock(&fk.mu);
}

static void *serve(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(fk.fd, NULL, NULL);
        if (c < 0)
            return NULL;
        pthread_mutex_lock(&fk.mu);
        int stop = fk.stop;
        pthread_mutex_unlock(&fk.mu);
        if (stop) {
            close(c);
            return NULL;
        }
        handle(c);
        close(c);
    }
}

static void fake_start(void)
{
    struct sockaddr_in a = {0};
    socklen_t al = sizeof a;
    memset(&fk, 0, sizeof fk);
    pthread_mutex_init(&fk.mu, NULL);
    fk.fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fk.fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fk.fd, 64), 0);
    getsockname(fk.fd, (struct sockaddr *)&a, &al);
    fk.port = ntohs(a.sin_port);
    pthread_create(&fk.th, NULL, serve, NULL);
}

static void fake_stop(void)
{
    struct sockaddr_in a = {0};
    pthread_mutex_lock(&fk.mu);
    fk.stop = 1;
    pthread_mutex_unlock(&fk.mu);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)fk.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(s, (struct sockaddr *)&a, sizeof a);
    close(s);
    pthread_join(fk.th, NULL);
    close(fk.fd);
    pthread_mutex_destroy(&fk.mu);
}

static int count(int *field)
{
    pthread_mutex_lock(&fk.mu);
    int n = *field;
    pthread_mutex_unlock(&fk.mu);
    return n;
}

/* --- fixture */

typedef struct fx {
    tdb t;
    char base[64];
    zf_store *st;
    zf_crypt *crypt;
    zf_tokens *tk;
} fx;

/* A zf_tokens on st with the fake clock. */
static zf_tokens *tokens_on(zf_store *st, zf_crypt *crypt, const char *actor)
{
    zf_error err = ZF_ERROR_INIT;
    zf_tokens *tk = NULL;
    zf_tokens_opts o = ZF_TOKENS_OPTS_INIT;
    o.store = st;
    o.crypt = crypt;
    o.clock = clock_fn;
    o.actor = actor;
    assert_int_equal(zf_tokens_new(&tk, &o, &err), 0);
    return tk;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    zf_error err = ZF_ERROR_INIT;
    setenv("ZOOMFLOW_MASTER_KEY",
           "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
    fake_start();
    fake_now = 1700000000;
    tdb_fresh(&f->t);
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", fk.port);
    assert_int_equal(zf_store_open(&f->st, f->t.dsn, &err), 0);
    assert_int_equal(zf_crypt_new(&f->crypt, NULL, &err), 0);
    f->tk = tokens_on(f->st, f->crypt, "unit-test");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    zf_tokens_free(f->tk);
    zf_crypt_free(f->crypt);
    zf_store_free(f->st);
    fake_stop();
    tdb_drop(&f->t);
    free(f);
    return 0;
}

static zf_connect_cfg cfg_of(fx *f)
{
    zf_connect_cfg c = ZF_CONNECT_CFG_INIT;
    c.oauth_base = f->base;
    c.client_id = "client-1";
    c.client_secret = "client-secret-PLAINTEXT";
    c.redirect_uri = "http://127.0.0.1:9/callback";
    c.account_id = "acct-1";
    return c;
}

/* Runs begin + finish; returns the authz (caller frees). */
static void connect_oauth(fx *f, zf_oauth_authz *a)
{
    zf_error err = ZF_ERROR_INIT;
    zf_connect_cfg c = cfg_of(f);
    char q[256];
    assert_int_equal(zf_tokens_connect_begin(a, f->tk, &c, &err), 0);
    snprintf(q, sizeof q, "?code=the-code&state=%s", a->state);
    char *id = NULL;
    assert_int_equal(zf_tokens_connect_finish(&id, f->tk, q, strlen(q), &err), 0);
    assert_string_equal(id, "default");
    free(id);
}

static void expect_token(fx *f, const char *want, int rc_want)
{
    zf_secret t = ZF_SECRET_INIT;
    zf_error err = ZF_ERROR_INIT;
    char *api = NULL;
    assert_int_equal(zf_tokens_access(&t, &api, f->tk, NULL, &err), rc_want);
    if (want) {
        assert_string_equal(zf_secret_reveal(&t), want);
        char exp[80];
        snprintf(exp, sizeof exp, "http://127.0.0.1:%d/v2", fk.port);
        assert_string_equal(api, exp);
    }
    zf_secret_free(&t);
    free(api);
}

/* --- tests */

static void test_tokens_connect_oauth(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_conn_info info;
    zf_error err = ZF_ERROR_INIT;
    connect_oauth(f, &a);
    assert_int_equal(count(&fk.n_code), 1);
    /* the code was exchanged with the PKCE verifier and the redirect URI */
    assert_non_null(strstr(fk.last_body, zf_secret_reveal(&a.verifier)));
    assert_non_null(strstr(fk.last_body, "redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback"));
    assert_int_equal(zf_tokens_info(&info, f->tk, "default", &err), 0);
    assert_int_equal(info.state, ZF_CONN_VALID);
    assert_int_equal(info.kind, ZF_CONN_OAUTH);
    assert_string_equal(info.client_id, "client-1");
    assert_null(info.missing_scopes);
    assert_int_equal(info.expires_at, fake_now + 3599);
    assert_int_equal(info.connected_at, fake_now);
    zf_conn_info_free(&info);
    expect_token(f, "access-token-PLAINTEXT-0001", 0);

    /* secrets never reach the database in clear */
    const char *secrets[] = {"access-token-PLAINTEXT", "refresh-token-PLAINTEXT",
                             "client-secret-PLAINTEXT", zf_secret_reveal(&a.verifier)};
    for (size_t i = 0; i < 4; i++)
        assert_false(tdb_holds(&f->t, secrets[i]));
    assert_true(tdb_holds(&f->t, "client-1")); /* the check works */
    zf_oauth_authz_free(&a);
}

static void test_tokens_state_single_use(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_error err = ZF_ERROR_INIT;
    char q[256];
    connect_oauth(f, &a);
    snprintf(q, sizeof q, "code=the-code&state=%s", a.state);
    assert_int_equal(zf_tokens_connect_finish(NULL, f->tk, q, strlen(q), &err), ZF_ESTATE);
    assert_non_null(strstr(err.message, "already used"));
    assert_non_null(strstr(err.hint, "Connect again"));
    assert_int_equal(err.hint_id, ZF_HINT_CONNECT);
    assert_int_equal(zf_tokens_connect_finish(NULL, f->tk, "code=x&state=forged", 19, &err),
                     ZF_ESTATE);
    assert_int_equal(zf_tokens_connect_finish(NULL, f->tk, "code=x", 6, &err), ZF_ESTATE);
    assert_non_null(strstr(err.message, "no state"));
    assert_int_equal(count(&fk.n_code), 1); /* none of these reached Zoom */
    zf_oauth_authz_free(&a);
}

static void test_tokens_state_expiry(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_error err = ZF_ERROR_INIT;
    zf_connect_cfg c = cfg_of(f);
    char q[256];
    assert_int_equal(zf_tokens_connect_begin(&a, f->tk, &c, &err), 0);
    fake_now += 601;
    snprintf(q, sizeof q, "code=the-code&state=%s", a.state);
    assert_int_equal(zf_tokens_connect_finish(NULL, f->tk, q, strlen(q), &err), ZF_ESTATE);
    assert_non_null(strstr(err.message, "expired"));
    fake_now -= 601; /* consumed even though expired */
    assert_int_equal(zf_tokens_connect_finish(NULL, f->tk, q, strlen(q), &err), ZF_ESTATE);
    assert_int_equal(count(&fk.n_code), 0);
    zf_oauth_authz_free(&a);
}

static void test_tokens_callback_error(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_error err = ZF_ERROR_INIT;
    zf_connect_cfg c = cfg_of(f);
    char q[256];
    assert_int_equal(zf_tokens_connect_begin(&a, f->tk, &c, &err), 0);
    snprintf(q, sizeof q, "error=access_denied&state=%s", a.state);
    assert_int_equal(zf_tokens_connect_finish(NULL, f->tk, q, strlen(q), &err), ZF_EAUTH);
    assert_non_null(strstr(err.message, "access_denied"));
    assert_non_null(strstr(err.hint, "declined"));
    assert_int_equal(zf_tokens_info(&(zf_conn_info){0}, f->tk, NULL, &err), ZF_ENOTCONNECTED);
    zf_oauth_authz_free(&a);
}

static void test_tokens_proactive_refresh_rotates(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_conn_info info;
    zf_error err = ZF_ERROR_INIT;
    connect_oauth(f, &a);
    fake_now += 3599 - 301; /* just outside the margin: no refresh */
    expect_token(f, "access-token-PLAINTEXT-0001", 0);
    assert_int_equal(count(&fk.n_refresh), 0);
    fake_now += 2; /* inside the 300 s margin */
    expect_token(f, "access-token-PLAINTEXT-0002", 0);
    assert_int_equal(count(&fk.n_refresh), 1);
    fake_now += 3599; /* again: the fake only accepts the rotated refresh token */
    expect_token(f, "access-token-PLAINTEXT-0003", 0);
    assert_int_equal(count(&fk.n_refresh), 2);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.refresh_count, 2);
    assert_int_equal(info.last_refresh_at, fake_now);
    assert_null(info.last_error);
    zf_conn_info_free(&info);
    zf_oauth_authz_free(&a);
}

static void test_tokens_reject(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_error err = ZF_ERROR_INIT;
    zf_secret old = ZF_SECRET_INIT, t = ZF_SECRET_INIT;
    connect_oauth(f, &a);
    zf_secret_set(&old, "access-token-PLAINTEXT-0001", 27);
    assert_int_equal(zf_tokens_reject(&t, NULL, f->tk, NULL, &old, &err), 0);
    assert_string_equal(zf_secret_reveal(&t), "access-token-PLAINTEXT-0002");
    assert_int_equal(count(&fk.n_refresh), 1);
    zf_secret_free(&t);
    /* a second caller still holding the first token: someone refreshed already */
    assert_int_equal(zf_tokens_reject(&t, NULL, f->tk, NULL, &old, &err), 0);
    assert_string_equal(zf_secret_reveal(&t), "access-token-PLAINTEXT-0002");
    assert_int_equal(count(&fk.n_refresh), 1);
    zf_secret_free(&t);
    zf_secret_free(&old);
    zf_oauth_authz_free(&a);
}

static void test_tokens_invalid_grant_needs_reauth(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_conn_info info;
    zf_error err = ZF_ERROR_INIT;
    zf_secret t = ZF_SECRET_INIT;
    connect_oauth(f, &a);
    pthread_mutex_lock(&fk.mu);
    snprintf(fk.current_rt, sizeof fk.current_rt, "revoked-elsewhere");
    pthread_mutex_unlock(&fk.mu);
    fake_now += 3600;
    assert_int_equal(zf_tokens_access(&t, NULL, f->tk, NULL, &err), ZF_EREAUTH);
    assert_non_null(strstr(err.hint, "The refresh token has expired or been revoked"));
    assert_int_equal(zf_tokens_access(&t, NULL, f->tk, NULL, &err), ZF_EREAUTH);
    assert_non_null(strstr(err.message, "needs re-authorization"));
    assert_non_null(strstr(err.hint, "reconnect the Zoom connection"));
    assert_int_equal(err.hint_id, ZF_HINT_RECONNECT);
    assert_string_equal(err.hint_arg[ZF_HINT_ARG_CONNECTION], "default");
    assert_int_equal(count(&fk.n_refresh), 1); /* no retry storm */
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.state, ZF_CONN_NEEDS_REAUTH);
    assert_non_null(strstr(info.last_error, "Invalid Token!"));
    assert_non_null(strstr(info.last_hint, "Re-authenticate"));
    zf_conn_info_free(&info);
    /* reconnecting heals it */
    zf_oauth_authz_free(&a);
    connect_oauth(f, &a);
    expect_token(f, "access-token-PLAINTEXT-0002", 0);
    zf_oauth_authz_free(&a);
}

static void test_tokens_transient_failure_keeps_pair(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_conn_info info;
    zf_error err = ZF_ERROR_INIT;
    connect_oauth(f, &a);
    pthread_mutex_lock(&fk.mu);
    fk.fail_status = 503;
    fk.fail_body = "{\"reason\":\"busy\",\"error\":\"server_error\"}";
    pthread_mutex_unlock(&fk.mu);
    fake_now += 3400; /* in the margin, still valid: the old token is used */
    expect_token(f, "access-token-PLAINTEXT-0001", 0);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.state, ZF_CONN_VALID);
    assert_non_null(strstr(info.last_error, "may have reached the token endpoint"));
    assert_non_null(strstr(info.last_error, "the token endpoint at 127.0.0.1:"));
    assert_null(strstr(info.last_error, "Zoom"));
    zf_conn_info_free(&info);
    fake_now += 300; /* expired: the failure is the answer */
    expect_token(f, NULL, ZF_ESERVER);
    pthread_mutex_lock(&fk.mu);
    fk.fail_status = 0;
    pthread_mutex_unlock(&fk.mu);
    expect_token(f, "access-token-PLAINTEXT-0002", 0); /* the kept pair still works */
    zf_oauth_authz_free(&a);
}

typedef struct worker {
    fx *f;
    int rc;
    char tok[64];
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    zf_secret t = ZF_SECRET_INIT;
    zf_error err = ZF_ERROR_INIT;
    w->rc = zf_tokens_access(&t, NULL, w->f->tk, NULL, &err);
    snprintf(w->tok, sizeof w->tok, "%s", zf_secret_reveal(&t));
    zf_secret_free(&t);
    return NULL;
}

static void test_tokens_single_flight(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    pthread_t th[8];
    worker w[8];
    connect_oauth(f, &a);
    fake_now += 4000;
    pthread_mutex_lock(&fk.mu);
    fk.delay_ms = 150;
    pthread_mutex_unlock(&fk.mu);
    for (int i = 0; i < 8; i++) {
        w[i].f = f;
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].rc, 0);
        assert_string_equal(w[i].tok, "access-token-PLAINTEXT-0002");
    }
    assert_int_equal(count(&fk.n_refresh), 1);
    zf_oauth_authz_free(&a);
}

typedef struct cut_worker {
    zf_tokens *tk;
    int rc;
    char tok[64], msg[512];
} cut_worker;

static void *cut_work(void *arg)
{
    cut_worker *w = arg;
    zf_secret t = ZF_SECRET_INIT;
    zf_error err = ZF_ERROR_INIT;
    w->rc = zf_tokens_access(&t, NULL, w->tk, NULL, &err);
    snprintf(w->tok, sizeof w->tok, "%s", zf_secret_reveal(&t));
    snprintf(w->msg, sizeof w->msg, "%s", err.message);
    zf_secret_free(&t);
    return NULL;
}

/* PostgreSQL: the server ends the refreshing session (a restart, a network
 * cut) while the token endpoint, which rotates the refresh token, is
 * answering. The new pair exists only in memory then: it is saved again on
 * a new session, and nothing is refreshed twice or lost. */
static void test_tokens_refresh_saved_after_lost_session(void **state)
{
    fx *f = *state;
    if (!tdb_pg())
        skip(); /* a SQLite file has no session to lose */
    zf_oauth_authz a;
    zf_error err = ZF_ERROR_INIT;
    zf_conn_info info;
    char app[64], dsn[1024], sql[256];
    connect_oauth(f, &a);
    /* a second handle whose sessions alone carry this name */
    snprintf(app, sizeof app, "zf_unit_cut_%ld", (long)getpid());
    tdb_dsn_with(dsn, sizeof dsn, f->t.dsn, "application_name", app, app);
    zf_store *st = NULL;
    zf_tokens *tk = NULL;
    assert_int_equal(zf_store_open(&st, dsn, &err), 0);
    zf_tokens_opts o = ZF_TOKENS_OPTS_INIT;
    o.store = st;
    o.crypt = f->crypt;
    o.clock = clock_fn;
    o.actor = "unit-test";
    assert_int_equal(zf_tokens_new(&tk, &o, &err), 0);
    fake_now += 4000;
    pthread_mutex_lock(&fk.mu);
    fk.delay_ms = 500;
    pthread_mutex_unlock(&fk.mu);
    cut_worker w = {tk, 0, "", ""};
    pthread_t th;
    pthread_create(&th, NULL, cut_work, &w);
    usleep(250 * 1000); /* the refresh is at the endpoint, the row lock held */
    snprintf(sql, sizeof sql,
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
             "application_name = '%s'",
             app);
    tdb_admin(sql);
    pthread_join(th, NULL);
    assert_int_equal(count(&fk.n_refresh), 1);
    if (w.rc != 0)
        fail_msg("the refresh failed: %s", w.msg);
    assert_string_equal(w.tok, "access-token-PLAINTEXT-0002");
    pthread_mutex_lock(&fk.mu);
    fk.delay_ms = 0;
    pthread_mutex_unlock(&fk.mu);
    /* stored: another handle gets it without a refresh, the claim cleared */
    expect_token(f, "access-token-PLAINTEXT-0002", 0);
    assert_int_equal(count(&fk.n_refresh), 1);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.state, ZF_CONN_VALID);
    assert_int_equal(info.refresh_count, 1);
    assert_int_equal(info.refresh_started_at, 0);
    zf_conn_info_free(&info);
    /* and the rotated refresh token stored with it works */
    fake_now += 4000;
    expect_token(f, "access-token-PLAINTEXT-0003", 0);
    assert_int_equal(count(&fk.n_refresh), 2);
    zf_tokens_free(tk);
    zf_store_free(st);
    zf_oauth_authz_free(&a);
}

static void test_tokens_s2s(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_connect_cfg c = cfg_of(f);
    zf_conn_info info;
    assert_int_equal(zf_tokens_connect_s2s(f->tk, &c, &err), 0);
    assert_int_equal(count(&fk.n_s2s), 1);
    assert_non_null(strstr(fk.last_body, "account_id=acct-1"));
    expect_token(f, "access-token-PLAINTEXT-0001", 0);
    fake_now += 3500;
    expect_token(f, "access-token-PLAINTEXT-0002", 0);
    assert_int_equal(count(&fk.n_s2s), 2);
    assert_int_equal(count(&fk.n_refresh), 0);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.kind, ZF_CONN_S2S);
    assert_string_equal(info.account_id, "acct-1");
    zf_conn_info_free(&info);
    c.account_id = NULL;
    assert_int_equal(zf_tokens_connect_s2s(f->tk, &c, &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "account id"));
}

/* Zoom's token answer names no account; its JWT access token does ("aid").
 * An opaque token leaves the account unknown, a JWT one fills it in at the
 * next refresh, and a known account is never overwritten. */
static void test_tokens_account_from_jwt(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_conn_info info;
    zf_error err = ZF_ERROR_INIT;
    connect_oauth(f, &a);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_null(info.account_id);
    zf_conn_info_free(&info);
    pthread_mutex_lock(&fk.mu);
    fk.jwt_aid = "acctFromJwt_1";
    pthread_mutex_unlock(&fk.mu);
    fake_now += 3599;
    expect_token(f, NULL, 0);
    assert_int_equal(count(&fk.n_refresh), 1);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_string_equal(info.account_id, "acctFromJwt_1");
    zf_conn_info_free(&info);
    pthread_mutex_lock(&fk.mu);
    fk.jwt_aid = "acctOther";
    pthread_mutex_unlock(&fk.mu);
    fake_now += 3599;
    expect_token(f, NULL, 0);
    assert_int_equal(count(&fk.n_refresh), 2);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_string_equal(info.account_id, "acctFromJwt_1");
    zf_conn_info_free(&info);
    zf_oauth_authz_free(&a);
}

static void test_tokens_disconnect(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_error err = ZF_ERROR_INIT, rerr = ZF_ERROR_INIT;
    connect_oauth(f, &a);
    assert_int_equal(zf_tokens_disconnect(f->tk, NULL, &rerr, &err), 0);
    assert_int_equal(rerr.code, 0);
    assert_int_equal(count(&fk.n_revoke), 1);
    expect_token(f, NULL, ZF_ENOTCONNECTED);
    assert_int_equal(zf_tokens_disconnect(f->tk, NULL, &rerr, &err), ZF_ENOTCONNECTED);
    zf_oauth_authz_free(&a);
    /* revocation fails: still wiped, and the caller is told */
    connect_oauth(f, &a);
    pthread_mutex_lock(&fk.mu);
    fk.revoke_status = 500;
    pthread_mutex_unlock(&fk.mu);
    assert_int_equal(zf_tokens_disconnect(f->tk, NULL, &rerr, &err), 0);
    assert_int_equal(rerr.code, ZF_ESERVER);
    assert_non_null(strstr(rerr.hint, "may still be valid at Zoom"));
    expect_token(f, NULL, ZF_ENOTCONNECTED);
    zf_oauth_authz_free(&a);
    zf_store_audit *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store_audit_list(f->st, "default", 1, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].action, "disconnect");
    assert_string_equal(list[0].detail, "wiped; revoke failed");
    assert_string_equal(list[0].actor, "unit-test");
    zf_store_audit_free_list(list, n);
}

static char *token_of(zf_tokens *tk, int rc_want)
{
    zf_secret t = ZF_SECRET_INIT;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_tokens_access(&t, NULL, tk, NULL, &err), rc_want);
    char *s = rc_want == 0 ? strdup(zf_secret_reveal(&t)) : NULL;
    zf_secret_free(&t);
    return s;
}

/* The token kept in memory: handed out without the row for at most a
 * second of the clock; another store handle's disconnect or mark_reauth
 * is seen after it, or at once when Zoom refuses the token (reject reads
 * the row: the connection's real state); this zf_tokens' own connect and
 * disconnect drop it at once; never handed out within the margin. */
static void test_tokens_kept_token(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_error err = ZF_ERROR_INIT, rerr = ZF_ERROR_INIT;
    zf_store *st2 = NULL;
    zf_tokens *tk2 = NULL;
    assert_int_equal(zf_store_open(&st2, f->t.dsn, &err), 0);
    tk2 = tokens_on(st2, f->crypt, "replica-b");

    connect_oauth(f, &a);
    zf_oauth_authz_free(&a);
    char *t1 = token_of(f->tk, 0), *scopes = NULL;
    /* the other handle disconnects (and revokes at Zoom) */
    assert_int_equal(zf_tokens_disconnect(tk2, NULL, &rerr, &err), 0);
    char *again = token_of(f->tk, 0); /* kept: the same second */
    assert_string_equal(again, t1);
    free(again);
    assert_int_equal(zf_tokens_scopes(&scopes, f->tk, NULL, &err), 0);
    free(scopes);
    /* Zoom refuses the revoked token: the row says there is none */
    zf_secret old = ZF_SECRET_INIT, t = ZF_SECRET_INIT;
    zf_secret_set(&old, t1, strlen(t1));
    assert_int_equal(zf_tokens_reject(&t, NULL, f->tk, NULL, &old, &err), ZF_ENOTCONNECTED);
    zf_secret_free(&old);
    assert_null(token_of(f->tk, ZF_ENOTCONNECTED));
    assert_int_equal(zf_tokens_scopes(&scopes, f->tk, NULL, &err), ZF_ENOTCONNECTED);

    /* reconnected here: the new token at once */
    connect_oauth(f, &a);
    zf_oauth_authz_free(&a);
    char *t2 = token_of(f->tk, 0);
    assert_string_not_equal(t2, t1);
    /* the other handle marks it for re-authorization: seen a second later */
    assert_int_equal(zf_tokens_mark_reauth(tk2, NULL, "revoked by the admin", &err), 0);
    again = token_of(f->tk, 0);
    assert_string_equal(again, t2);
    free(again);
    fake_now += 1;
    assert_null(token_of(f->tk, ZF_EREAUTH));

    /* disconnected here: at once, with no clock moving */
    connect_oauth(f, &a);
    zf_oauth_authz_free(&a);
    free(token_of(f->tk, 0));
    assert_int_equal(zf_tokens_disconnect(f->tk, NULL, &rerr, &err), 0);
    assert_null(token_of(f->tk, ZF_ENOTCONNECTED));

    /* near expiry: a kept token is not handed out within the margin */
    connect_oauth(f, &a);
    zf_oauth_authz_free(&a);
    int refreshes = count(&fk.n_refresh);
    fake_now += 3599 - 301;
    char *t3 = token_of(f->tk, 0);
    assert_int_equal(count(&fk.n_refresh), refreshes);
    fake_now += 1; /* now inside the 300 s margin */
    char *t4 = token_of(f->tk, 0);
    assert_int_equal(count(&fk.n_refresh), refreshes + 1);
    assert_string_not_equal(t3, t4);
    /* the refreshed token is kept too: the other handle's disconnect
     * shows after the second */
    free(token_of(f->tk, 0));
    assert_int_equal(zf_tokens_disconnect(tk2, NULL, &rerr, &err), 0);
    again = token_of(f->tk, 0);
    assert_string_equal(again, t4);
    free(again);
    fake_now += 1;
    assert_null(token_of(f->tk, ZF_ENOTCONNECTED));
    free(t1);
    free(t2);
    free(t3);
    free(t4);
    zf_tokens_free(tk2);
    zf_store_free(st2);
}

/* info names the grant's user from the token's uid claim (NULL for an
 * opaque token); mark_reauth ends a connection with the reason, fails its
 * next access fast without calling the token endpoint, and a reconnect
 * heals it. */
static void test_tokens_user_and_mark_reauth(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_conn_info info;
    zf_error err = ZF_ERROR_INIT;
    zf_secret t = ZF_SECRET_INIT;
    connect_oauth(f, &a);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_null(info.user_id); /* opaque token */
    zf_conn_info_free(&info);
    zf_oauth_authz_free(&a);
    pthread_mutex_lock(&fk.mu);
    fk.jwt_aid = "acctFromJwt_1";
    pthread_mutex_unlock(&fk.mu);
    connect_oauth(f, &a);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_string_equal(info.user_id, "u1");
    assert_int_equal(info.state, ZF_CONN_VALID);
    zf_conn_info_free(&info);
    assert_int_equal(zf_tokens_mark_reauth(f->tk, NULL, "revoked by Zoom: superseded", &err), 0);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.state, ZF_CONN_NEEDS_REAUTH);
    assert_string_equal(info.last_error, "revoked by Zoom: superseded");
    assert_non_null(strstr(info.last_hint, "Reconnect"));
    assert_string_equal(info.user_id, "u1"); /* the tokens are kept */
    zf_conn_info_free(&info);
    int refreshes = count(&fk.n_refresh);
    char *api = NULL;
    assert_int_equal(zf_tokens_access(&t, &api, f->tk, NULL, &err), ZF_EREAUTH);
    assert_non_null(strstr(err.message, "revoked by Zoom: superseded"));
    assert_int_equal(err.hint_id, ZF_HINT_RECONNECT);
    assert_int_equal(count(&fk.n_refresh), refreshes);
    assert_int_equal(zf_tokens_mark_reauth(f->tk, "absent", "x", &err), ZF_ENOTCONNECTED);
    zf_oauth_authz_free(&a);
    connect_oauth(f, &a);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.state, ZF_CONN_VALID);
    assert_null(info.last_error);
    zf_conn_info_free(&info);
    zf_oauth_authz_free(&a);
    pthread_mutex_lock(&fk.mu);
    fk.jwt_aid = NULL;
    pthread_mutex_unlock(&fk.mu);
}

/* Disconnect, info and access all answer an unknown connection the same way:
 * one message, one hint naming it. */
static void test_tokens_not_connected_one_answer(void **state)
{
    fx *f = *state;
    zf_error e[3] = {ZF_ERROR_INIT, ZF_ERROR_INIT, ZF_ERROR_INIT}, rerr = ZF_ERROR_INIT;
    zf_conn_info info;
    zf_secret t = ZF_SECRET_INIT;
    char *api = NULL;
    assert_int_equal(zf_tokens_disconnect(f->tk, "absent", &rerr, &e[0]), ZF_ENOTCONNECTED);
    assert_int_equal(zf_tokens_info(&info, f->tk, "absent", &e[1]), ZF_ENOTCONNECTED);
    assert_int_equal(zf_tokens_access(&t, &api, f->tk, "absent", &e[2]), ZF_ENOTCONNECTED);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(e[i].code, ZF_ENOTCONNECTED);
        assert_string_equal(e[i].message, "no Zoom connection named \"absent\"");
        assert_int_equal(e[i].hint_id, ZF_HINT_CONNECT);
        assert_string_equal(e[i].hint, e[0].hint);
        assert_string_equal(e[i].hint_arg[ZF_HINT_ARG_CONNECTION], "absent");
    }
    zf_secret_free(&t);
    free(api);
}

/* A pid that is certainly not running: a child that has exited and been reaped. */
static pid_t dead_pid(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    assert_true(p > 0);
    assert_int_equal(waitpid(p, NULL, 0), p);
    return p;
}

/* Writes a claim as a process killed mid-refresh leaves it. */
static void plant_claim(fx *f, pid_t pid, int64_t at)
{
    zf_store_conn c;
    zf_error err = ZF_ERROR_INIT;
    char host[256];
    assert_int_equal(gethostname(host, sizeof host), 0);
    assert_int_equal(zf_store_conn_get(f->st, "default", &c, &err), 0);
    c.refresh_started_at = at;
    c.refresh_pid = pid;
    c.refresh_host = strdup(host);
    c.refresh_seq++;
    assert_int_equal(zf_store_conn_put(f->st, &c, &err), 0);
    zf_store_conn_free(&c);
}

static void test_tokens_cut_refresh_says_so(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_conn_info info;
    zf_error err = ZF_ERROR_INIT;
    zf_secret t = ZF_SECRET_INIT;
    connect_oauth(f, &a);
    pthread_mutex_lock(&fk.mu);
    fk.cut_next = 1;
    pthread_mutex_unlock(&fk.mu);
    fake_now += 3400; /* in the margin: refresh; the answer never comes */
    expect_token(f, "access-token-PLAINTEXT-0001", 0);
    fake_now += 300;
    assert_int_equal(zf_tokens_access(&t, NULL, f->tk, NULL, &err), ZF_EREAUTH);
    assert_non_null(strstr(err.message, "the refresh before this one was cut off after it "
                                        "was sent (token refresh failed: "));
    assert_non_null(strstr(err.message, "its answer was lost"));
    assert_non_null(strstr(err.message, "Invalid Token!"));
    assert_null(strstr(err.message, "may have reached")); /* the note, not repeated */
    assert_null(strstr(err.hint, "expired or been revoked"));
    assert_non_null(strstr(err.hint, "answer is lost"));
    assert_int_equal(err.hint_id, ZF_HINT_RECONNECT);
    assert_int_equal(count(&fk.n_refresh), 2);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.state, ZF_CONN_NEEDS_REAUTH);
    assert_non_null(strstr(info.last_error, "cut off after it was sent"));
    assert_int_equal(info.refresh_interrupted, 0); /* no process was killed */
    zf_conn_info_free(&info);
    assert_int_equal(zf_tokens_access(&t, NULL, f->tk, NULL, &err), ZF_EREAUTH);
    assert_non_null(strstr(err.message, "cut off after it was sent")); /* the same story */
    assert_int_equal(count(&fk.n_refresh), 2);
    zf_oauth_authz_free(&a);
}

static void test_tokens_interrupted_refresh_says_so(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_conn_info info;
    zf_error err = ZF_ERROR_INIT;
    zf_secret t = ZF_SECRET_INIT;
    char pid[32];
    connect_oauth(f, &a);
    pid_t gone = dead_pid();
    snprintf(pid, sizeof pid, "by pid %d on host ", (int)gone);
    plant_claim(f, gone, 1700000060); /* 2023-11-14 22:14:20 UTC */
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.refresh_interrupted, 1);
    assert_int_equal(info.refresh_pid, gone);
    assert_int_equal(info.state, ZF_CONN_VALID);
    zf_conn_info_free(&info);
    pthread_mutex_lock(&fk.mu); /* that refresh rotated the token at the server */
    snprintf(fk.current_rt, sizeof fk.current_rt, "rotated-by-the-killed-process");
    pthread_mutex_unlock(&fk.mu);
    fake_now += 3600;
    assert_int_equal(zf_tokens_access(&t, NULL, f->tk, NULL, &err), ZF_EREAUTH);
    assert_non_null(strstr(err.message, "a refresh started at 2023-11-14 22:14:20 UTC"));
    assert_non_null(strstr(err.message, pid));
    assert_non_null(strstr(err.message, "never completed"));
    assert_non_null(strstr(err.message, "no longer valid: reconnect"));
    assert_null(strstr(err.hint, "expired or been revoked"));
    assert_non_null(strstr(err.hint, "Reconnect"));
    /* later calls fail fast with the same story; status shows the claim */
    assert_int_equal(zf_tokens_access(&t, NULL, f->tk, NULL, &err), ZF_EREAUTH);
    assert_non_null(strstr(err.message, "never completed"));
    assert_int_equal(count(&fk.n_refresh), 1);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.state, ZF_CONN_NEEDS_REAUTH);
    assert_non_null(strstr(info.last_error, pid));
    assert_int_equal(info.refresh_started_at, 1700000060);
    assert_int_equal(info.refresh_interrupted, 1);
    zf_conn_info_free(&info);
    zf_oauth_authz_free(&a);
    connect_oauth(f, &a); /* reconnecting clears the claim */
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.state, ZF_CONN_VALID);
    assert_int_equal(info.refresh_started_at, 0);
    assert_null(info.refresh_host);
    zf_conn_info_free(&info);
    zf_oauth_authz_free(&a);
}

/* Killed before its request went out: the token still works, and the next
 * refresh clears the claim. */
static void test_tokens_interrupted_refresh_harmless(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_conn_info info;
    zf_error err = ZF_ERROR_INIT;
    connect_oauth(f, &a);
    plant_claim(f, dead_pid(), fake_now);
    fake_now += 3600;
    expect_token(f, "access-token-PLAINTEXT-0002", 0);
    assert_int_equal(zf_tokens_info(&info, f->tk, NULL, &err), 0);
    assert_int_equal(info.state, ZF_CONN_VALID);
    assert_int_equal(info.refresh_started_at, 0);
    assert_int_equal(info.refresh_interrupted, 0);
    assert_int_equal(info.refresh_count, 1);
    zf_conn_info_free(&info);
    zf_oauth_authz_free(&a);
}

/* RFC 6749 §2.3.1 Basic credentials, and endpoints other than Zoom's paths,
 * kept with the connection for refresh and revoke. */
static void test_tokens_custom_endpoints_form_encoded_basic(void **state)
{
    fx *f = *state;
    zf_oauth_authz a;
    zf_error err = ZF_ERROR_INIT;
    zf_connect_cfg c = cfg_of(f);
    char q[256], url[128], plain[256];
    c.client_secret = "s+e%c/r:e t";
    c.authorize_endpoint = "/custom/authorize";
    snprintf(url, sizeof url, "%s/custom/token", f->base);
    c.token_endpoint = url; /* an absolute URL */
    c.revoke_endpoint = "/custom/revoke";
    assert_int_equal(zf_tokens_connect_begin(&a, f->tk, &c, &err), 0);
    snprintf(q, sizeof q, "%s/custom/authorize?response_type=code", f->base);
    assert_true(strncmp(a.url, q, strlen(q)) == 0);
    snprintf(q, sizeof q, "?code=the-code&state=%s", a.state);
    assert_int_equal(zf_tokens_connect_finish(NULL, f->tk, q, strlen(q), &err), 0);
    pthread_mutex_lock(&fk.mu);
    assert_string_equal(fk.last_line, "POST /custom/token HTTP/1.1");
    assert_true(strncmp(fk.last_auth, "Basic ", 6) == 0);
    long n = zf_base64_decode(fk.last_auth + 6, strlen(fk.last_auth + 6), (unsigned char *)plain,
                              sizeof plain - 1);
    pthread_mutex_unlock(&fk.mu);
    assert_true(n > 0);
    plain[n] = '\0';
    assert_string_equal(plain, "client-1:s%2Be%25c%2Fr%3Ae%20t");
    fake_now += 3600; /* the refresh uses the stored endpoint */
    expect_token(f, "access-token-PLAINTEXT-0002", 0);
    pthread_mutex_lock(&fk.mu);
    assert_string_equal(fk.last_line, "POST /custom/token HTTP/1.1");
    pthread_mutex_unlock(&fk.mu);
    zf_error rerr = ZF_ERROR_INIT;
    assert_int_equal(zf_tokens_disconnect(f->tk, NULL, &rerr, &err), 0);
    assert_int_equal(rerr.code, 0);
    assert_int_equal(count(&fk.n_revoke), 1);
    pthread_mutex_lock(&fk.mu);
    assert_string_equal(fk.last_line, "POST /custom/revoke HTTP/1.1");
    pthread_mutex_unlock(&fk.mu);
    zf_oauth_authz_free(&a);
    /* a bad endpoint is refused before anything is stored or sent */
    c.token_endpoint = "custom/token";
    assert_int_equal(zf_tokens_connect_begin(&a, f->tk, &c, &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "custom/token"));
}

int main(void)
{
    tdb_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tokens_connect_oauth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_state_single_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_state_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_callback_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_proactive_refresh_rotates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_reject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_invalid_grant_needs_reauth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_cut_refresh_says_so, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_transient_failure_keeps_pair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_single_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_s2s, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_account_from_jwt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_disconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_kept_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_not_connected_one_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_user_and_mark_reauth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_interrupted_refresh_says_so, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_refresh_saved_after_lost_session, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tokens_interrupted_refresh_harmless, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_custom_endpoints_form_encoded_basic, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
