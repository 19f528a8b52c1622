/*
 * Test driver: seeds the access rows a service test needs, through
 * access.h on the store the service uses (cheap argon2id parameters, so
 * sign-ins in tests are fast; the hash carries its own parameters).
 *
 *   zf_access_seed DSN org SLUG
 *   zf_access_seed DSN account SLUG EMAIL ROLE PASSWORD   -> prints the id
 *   zf_access_seed DSN key SLUG NAME ROLE [EXPIRES_AT]     -> prints the key
 *   zf_access_seed DSN revoke SLUG KEY_ID
 *   zf_access_seed DSN audit SLUG N SPREAD
 *       N audit rows in SLUG's log in one transaction, row i at the time
 *       1000 + (i * 37) % SPREAD (so about N / SPREAD rows share each
 *       time, in no order of id), action "seed.<i>"
 * Exit 0, or 1 with the error on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/access.h"
#include "zoomflow/store.h"

static int fail(const zf_error *e)
{
    fprintf(stderr, "zf_access_seed: %s (%s)\n", e->message, zf_code_name(e->code));
    return 1;
}

static int seed_audit(zf_store *st, const char *slug, long long n, long long spread, zf_error *e)
{
    if (n < 0 || spread < 1)
        return zf_error_set(e, ZF_EINVAL, "audit: N >= 0 and SPREAD >= 1");
    int rc = zf_store_lock_org(st, slug, e);
    for (long long i = 0; rc == 0 && i < n; i++) {
        char action[32];
        snprintf(action, sizeof action, "seed.%lld", i);
        zf_store_audit a = {0, 1000 + (i * 37) % spread, (char *)slug, "test", action, "ok", NULL};
        rc = zf_store_audit_add(st, &a, e);
    }
    if (rc == 0)
        return zf_store_commit(st, e);
    zf_store_rollback(st);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: zf_access_seed DSN org|account|key|revoke ARGS...\n");
        return 2;
    }
    zf_error e = ZF_ERROR_INIT;
    zf_store *st = NULL;
    zf_access *a = NULL;
    zf_access_opts o = ZF_ACCESS_OPTS_INIT;
    o.pwhash_ops = 1;
    o.pwhash_mem = 8192;
    if (zf_store_open(&st, argv[1], &e) < 0 || zf_access_new(&a, st, &o, &e) < 0)
        return fail(&e);
    int rc = 0;
    const char *cmd = argv[2];
    if (strcmp(cmd, "org") == 0) {
        rc = zf_org_create(a, argv[3], NULL, "test", &e);
    } else if (strcmp(cmd, "account") == 0 && argc == 7) {
        zf_role role;
        rc = zf_role_parse(argv[5], &role, &e);
        zf_account_new_req r = ZF_ACCOUNT_NEW_REQ_INIT;
        r.org = argv[3];
        r.email = argv[4];
        r.role = (int)role;
        r.password = argv[6];
        r.password_len = strlen(argv[6]);
        r.actor = "test";
        zf_account acc;
        memset(&acc, 0, sizeof acc);
        if (rc == 0 && (rc = zf_account_create(a, &r, &acc, NULL, &e)) == 0) {
            printf("%lld\n", (long long)acc.id);
            zf_account_free(&acc);
        }
    } else if (strcmp(cmd, "key") == 0 && (argc == 6 || argc == 7)) {
        zf_role role;
        rc = zf_role_parse(argv[5], &role, &e);
        zf_api_key_req r = ZF_API_KEY_REQ_INIT;
        r.org = argv[3];
        r.name = argv[4];
        r.role = (int)role;
        r.expires_at = argc == 7 ? strtoll(argv[6], NULL, 10) : 0;
        r.actor = "test";
        zf_secret key = ZF_SECRET_INIT;
        if (rc == 0 && (rc = zf_api_key_create(a, &r, &key, NULL, &e)) == 0)
            printf("%s\n", zf_secret_reveal(&key));
        zf_secret_free(&key);
    } else if (strcmp(cmd, "revoke") == 0 && argc == 5) {
        rc = zf_api_key_revoke(a, argv[3], argv[4], "test", &e);
    } else if (strcmp(cmd, "audit") == 0 && argc == 6) {
        rc = seed_audit(st, argv[3], strtoll(argv[4], NULL, 10), strtoll(argv[5], NULL, 10), &e);
    } else {
        fprintf(stderr, "zf_access_seed: unknown command or arguments\n");
        rc = -1;
        e.code = ZF_EINVAL;
    }
    zf_access_free(a);
    zf_store_free(st);
    return rc < 0 ? fail(&e) : 0;
}
