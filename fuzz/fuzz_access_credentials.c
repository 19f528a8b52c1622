/* libFuzzer: the credential checks of access.h on untrusted bytes: a
 * bearer API key, a session cookie value, a CSRF header, and the slug and
 * password rules. One store (SQLite in a temporary directory) holds one
 * org with one account, one signed-in session and one key, made on the
 * first call; an input is accepted only when it is exactly one of them. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zoomflow/access.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static zf_store *st;
static zf_access *ac;
static zf_secret cookie = ZF_SECRET_INIT, key = ZF_SECRET_INIT;
static zf_principal session;
static char dir[64];

static void cleanup(void)
{
    char cmd[128];
    zf_access_free(ac);
    zf_store_free(st);
    zf_secret_free(&cookie);
    zf_secret_free(&key);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static void init(void)
{
    char dsn[128];
    zf_error err = ZF_ERROR_INIT;
    zf_access_opts o = ZF_ACCESS_OPTS_INIT;
    o.pwhash_ops = 1;
    o.pwhash_mem = 8192;
    snprintf(dir, sizeof dir, "/tmp/zf-fuzz-access-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(dsn, sizeof dsn, "sqlite:%s/zf.db", dir);
    zf_account_new_req r = ZF_ACCOUNT_NEW_REQ_INIT;
    r.org = "acme";
    r.email = "ann@example.com";
    r.role = ZF_ROLE_ADMIN;
    r.password = "a fine password";
    r.password_len = 15;
    zf_signin_req in = ZF_SIGNIN_REQ_INIT;
    in.email = r.email;
    in.password = r.password;
    in.password_len = r.password_len;
    zf_api_key_req kr = ZF_API_KEY_REQ_INIT;
    kr.org = "acme";
    kr.name = "fuzz";
    kr.role = ZF_ROLE_VIEWER;
    if (zf_store_open(&st, dsn, &err) || zf_access_new(&ac, st, &o, &err) ||
        zf_org_create(ac, "acme", NULL, "fuzz", &err) ||
        zf_account_create(ac, &r, NULL, NULL, &err) ||
        zf_signin(ac, &in, &cookie, &session, &err) ||
        zf_api_key_create(ac, &kr, &key, NULL, &err)) {
        fprintf(stderr, "fuzz setup: %s\n", err.message);
        abort();
    }
    atexit(cleanup);
}

static int same(const uint8_t *data, size_t size, const char *s, size_t len)
{
    return size == len && memcmp(data, s, len) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zf_error err = ZF_ERROR_INIT;
    zf_principal p;
    if (!ac)
        init();
    const char *s = (const char *)data;
    int rc = zf_api_key_check(ac, s, size, &p, &err);
    if ((rc == 0) != same(data, size, zf_secret_reveal(&key), key.len))
        __builtin_trap();
    if (rc == 0 && (p.kind != ZF_PRINCIPAL_KEY || strcmp(p.org, "acme") != 0))
        __builtin_trap();
    if (rc != 0 && rc != ZF_EAUTH)
        __builtin_trap();
    rc = zf_web_session_check(ac, s, size, &p, &err);
    if ((rc == 0) != same(data, size, zf_secret_reveal(&cookie), cookie.len))
        __builtin_trap();
    rc = zf_principal_csrf_check(&session, s, size, &err);
    if ((rc == 0) != same(data, size, session.csrf, strlen(session.csrf)))
        __builtin_trap();
    (void)zf_password_check(s, size, &err);
    char *z = malloc(size + 1);
    if (!z)
        return 0;
    memcpy(z, data, size);
    z[size] = '\0';
    if (zf_org_slug_check(z, &err) == 0 && (strlen(z) == 0 || strlen(z) > ZF_ORG_SLUG_MAX))
        __builtin_trap();
    free(z);
    return 0;
}
