/* Unit tests: crypt.c (sealing, key sources, key file, helpers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "zoomflow/zoomflow.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HEX_KEY_A "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HEX_KEY_B "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
/* base64 of the 32 bytes of HEX_KEY_A */
#define B64_KEY_A "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static zf_crypt *with_env_key(const char *v)
{
    zf_crypt *c = NULL;
    zf_error err = ZF_ERROR_INIT;
    setenv("ZOOMFLOW_MASTER_KEY", v, 1);
    int rc = zf_crypt_new(&c, NULL, &err);
    if (rc != 0)
        fail_msg("zf_crypt_new: %s", err.message);
    return c;
}

static int setup(void **state)
{
    unsetenv("ZOOMFLOW_MASTER_KEY");
    return 0;
}

static void test_crypt_round_trip(void **state)
{
    zf_crypt *c = with_env_key(HEX_KEY_A);
    zf_error err = ZF_ERROR_INIT;
    char *sealed = NULL, *sealed2 = NULL;
    const char *aad = "connection/default/refresh_token";
    assert_int_equal(zf_crypt_seal(c, "my-refresh-token", 16, aad, &sealed, &err), 0);
    assert_non_null(sealed);
    assert_int_equal(strncmp(sealed, "zf1:k:", 6), 0);
    assert_int_equal(strncmp(sealed + 4, zf_crypt_key_id(c), 10), 0);
    assert_null(strstr(sealed, "my-refresh-token"));
    /* a fresh nonce per value */
    assert_int_equal(zf_crypt_seal(c, "my-refresh-token", 16, aad, &sealed2, &err), 0);
    assert_string_not_equal(sealed, sealed2);
    zf_secret s = ZF_SECRET_INIT;
    assert_int_equal(zf_crypt_open(c, sealed, aad, &s, &err), 0);
    assert_true(zf_secret_eq(&s, "my-refresh-token", 16));
    /* empty values and binary values survive too */
    free(sealed);
    assert_int_equal(zf_crypt_seal(c, "", 0, aad, &sealed, &err), 0);
    assert_int_equal(zf_crypt_open(c, sealed, aad, &s, &err), 0);
    assert_int_equal(s.len, 0);
    free(sealed);
    assert_int_equal(zf_crypt_seal(c, "a\0b", 3, NULL, &sealed, &err), 0);
    assert_int_equal(zf_crypt_open(c, sealed, NULL, &s, &err), 0);
    assert_true(zf_secret_eq(&s, "a\0b", 3));
    zf_secret_free(&s);
    free(sealed);
    free(sealed2);
    zf_crypt_free(c);
    zf_crypt_free(NULL);
}

static void test_crypt_tamper_each_part(void **state)
{
    zf_crypt *c = with_env_key(HEX_KEY_A);
    zf_error err = ZF_ERROR_INIT;
    char *sealed = NULL;
    assert_int_equal(zf_crypt_seal(c, "client-secret-value", 19, "app/secret", &sealed, &err), 0);
    size_t len = strlen(sealed);
    size_t b64 = 4 + 10 + 1;
    /* raw = nonce(12) | ciphertext(19) | tag(16) = 47 bytes = 64 base64 chars */
    size_t positions[] = {
        0,        2,                /* "zf1" */
        4,        7,        13,     /* key id */
        14,                         /* separator */
        b64,      b64 + 10,         /* nonce */
        b64 + 20, b64 + 35,         /* ciphertext */
        b64 + 45, len - 3,  len - 2 /* tag, up to its last significant character */
    };
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
        char *t = strdup(sealed);
        size_t p = positions[i];
        t[p] = t[p] == 'A' ? 'B' : (t[p] == ':' ? ';' : 'A');
        if (t[p] == sealed[p])
            t[p] = 'C';
        zf_secret s = ZF_SECRET_INIT;
        zf_error_reset(&err);
        int rc = zf_crypt_open(c, t, "app/secret", &s, &err);
        if (rc != ZF_ECRYPT)
            fail_msg("flipping byte %zu of %s was not detected (rc %d)", p, sealed, rc);
        assert_true(zf_secret_empty(&s));
        assert_true(err.message[0] != '\0');
        free(t);
    }
    /* truncated and garbage values */
    zf_secret s = ZF_SECRET_INIT;
    sealed[len - 8] = '\0';
    assert_int_equal(zf_crypt_open(c, sealed, "app/secret", &s, &err), ZF_ECRYPT);
    assert_int_equal(zf_crypt_open(c, "plaintext-token", "app/secret", &s, &err), ZF_ECRYPT);
    assert_non_null(strstr(err.message, "not a zoomflow sealed value"));
    free(sealed);
    zf_crypt_free(c);
}

static void test_crypt_aad_mismatch(void **state)
{
    zf_crypt *c = with_env_key(HEX_KEY_A);
    zf_error err = ZF_ERROR_INIT;
    char *sealed = NULL;
    assert_int_equal(zf_crypt_seal(c, "tok", 3, "connection/a/access_token", &sealed, &err), 0);
    zf_secret s = ZF_SECRET_INIT;
    assert_int_equal(zf_crypt_open(c, sealed, "connection/b/access_token", &s, &err), ZF_ECRYPT);
    assert_non_null(strstr(err.message, "connection/b/access_token failed its integrity check"));
    assert_int_equal(zf_crypt_open(c, sealed, NULL, &s, &err), ZF_ECRYPT);
    free(sealed);
    zf_crypt_free(c);
}

static void test_crypt_wrong_key_names_both_ids(void **state)
{
    zf_crypt *a = with_env_key(HEX_KEY_A);
    zf_crypt *b = with_env_key(HEX_KEY_B);
    zf_error err = ZF_ERROR_INIT;
    assert_string_not_equal(zf_crypt_key_id(a), zf_crypt_key_id(b));
    char *sealed = NULL;
    assert_int_equal(zf_crypt_seal(a, "tok", 3, "x", &sealed, &err), 0);
    zf_secret s = ZF_SECRET_INIT;
    assert_int_equal(zf_crypt_open(b, sealed, "x", &s, &err), ZF_ECRYPT);
    char want[200];
    snprintf(want, sizeof want, "was sealed with master key %s, but the current key is %s",
             zf_crypt_key_id(a), zf_crypt_key_id(b));
    assert_non_null(strstr(err.message, want));
    assert_non_null(strstr(err.hint, zf_crypt_key_id(a)));
    assert_non_null(strstr(err.hint, "ZOOMFLOW_MASTER_KEY"));
    /* neutral words with the id; the CLI names its own command */
    assert_non_null(strstr(err.hint, "reconnect the Zoom connection"));
    assert_int_equal(err.hint_id, ZF_HINT_RESTORE_MASTER_KEY);
    free(sealed);
    zf_crypt_free(a);
    zf_crypt_free(b);
}

static void test_crypt_env_key_hex_and_base64(void **state)
{
    zf_crypt *h = with_env_key(HEX_KEY_A);
    zf_crypt *b = with_env_key(B64_KEY_A);
    zf_crypt *u = with_env_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"); /* no padding */
    zf_crypt *w = with_env_key("  " HEX_KEY_A "\n");
    assert_string_equal(zf_crypt_key_id(h), zf_crypt_key_id(b));
    assert_string_equal(zf_crypt_key_id(h), zf_crypt_key_id(u));
    assert_string_equal(zf_crypt_key_id(h), zf_crypt_key_id(w));
    zf_error err = ZF_ERROR_INIT;
    char *sealed = NULL;
    zf_secret s = ZF_SECRET_INIT;
    assert_int_equal(zf_crypt_seal(h, "v", 1, "x", &sealed, &err), 0);
    assert_int_equal(zf_crypt_open(b, sealed, "x", &s, &err), 0);
    zf_secret_free(&s);
    free(sealed);
    zf_crypt_free(h);
    zf_crypt_free(b);
    zf_crypt_free(u);
    zf_crypt_free(w);
}

static void test_crypt_env_key_malformed(void **state)
{
    const char *bad[] = {
        "0001020304",   /* too short */
        HEX_KEY_A "00", /* 33 bytes of hex */
        "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ==", /* base64 of 34 bytes */
        "not a key at all",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zf_crypt *c = (zf_crypt *)1;
        zf_error err = ZF_ERROR_INIT;
        setenv("ZOOMFLOW_MASTER_KEY", bad[i], 1);
        assert_int_equal(zf_crypt_new(&c, NULL, &err), ZF_ECONFIG);
        assert_null(c);
        assert_non_null(strstr(err.message, "ZOOMFLOW_MASTER_KEY is malformed"));
        assert_non_null(strstr(err.message, "64 hex characters or the base64 of exactly 32"));
        assert_null(strstr(err.message, bad[i])); /* never echoes key material */
        assert_non_null(strstr(err.hint, "openssl rand -hex 32"));
    }
    unsetenv("ZOOMFLOW_MASTER_KEY");
    zf_crypt *c = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_crypt_new(&c, NULL, &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "no master key"));
}

static char *temp_dir(void)
{
    char tmpl[] = "/tmp/zf-crypt-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_crypt_key_file_created_0600(void **state)
{
    char *dir = temp_dir();
    char path[600], sub[512];
    snprintf(sub, sizeof sub, "%s/zoomflow/keys", dir);
    snprintf(path, sizeof path, "%s/master.key", sub);
    zf_crypt *c = NULL, *again = NULL;
    zf_error err = ZF_ERROR_INIT;
    mode_t old = umask(0);
    int rc = zf_crypt_new(&c, path, &err);
    umask(old);
    if (rc != 0)
        fail_msg("%s", err.message);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, 65);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    /* no temporary file left behind */
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    assert_int_not_equal(access(tmp, F_OK), 0);
    /* reopening reads the same key */
    assert_int_equal(zf_crypt_new(&again, path, &err), 0);
    assert_string_equal(zf_crypt_key_id(c), zf_crypt_key_id(again));
    char *sealed = NULL;
    zf_secret s = ZF_SECRET_INIT;
    assert_int_equal(zf_crypt_seal(c, "v", 1, "x", &sealed, &err), 0);
    assert_int_equal(zf_crypt_open(again, sealed, "x", &s, &err), 0);
    zf_secret_free(&s);
    free(sealed);
    zf_crypt_free(c);
    zf_crypt_free(again);
    rm_rf(dir);
    free(dir);
}

/* Several processes opening a key file that does not exist yet must end
 * up with one key: the loser of the link() race reads the winner's. */
static void test_crypt_key_file_creation_race(void **state)
{
    char *dir = temp_dir();
    char path[600];
    snprintf(path, sizeof path, "%s/new/master.key", dir);
    enum { N = 6 };
    int fds[N][2];
    for (int i = 0; i < N; i++) {
        assert_int_equal(pipe(fds[i]), 0);
        if (fork() == 0) {
            zf_crypt *c = NULL;
            zf_error err = ZF_ERROR_INIT;
            char out[64] = "error";
            if (zf_crypt_new(&c, path, &err) == 0)
                snprintf(out, sizeof out, "%s", zf_crypt_key_id(c));
            if (write(fds[i][1], out, strlen(out) + 1) < 0)
                _exit(2);
            zf_crypt_free(c);
            _exit(0);
        }
        close(fds[i][1]);
    }
    char ids[N][64];
    for (int i = 0; i < N; i++) {
        memset(ids[i], 0, sizeof ids[i]);
        assert_true(read(fds[i][0], ids[i], sizeof ids[i] - 1) > 0);
        close(fds[i][0]);
        wait(NULL);
    }
    zf_crypt *c = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_crypt_new(&c, path, &err), 0);
    for (int i = 0; i < N; i++)
        assert_string_equal(ids[i], zf_crypt_key_id(c));
    zf_crypt_free(c);
    rm_rf(dir);
    free(dir);
}

/* A systemd credential (LoadCredential=) shows 0440 (the ACL mask) in
 * $CREDENTIALS_DIRECTORY: accepted there, and only there, and only while no
 * one else may write it. */
static void test_crypt_key_file_systemd_credential(void **state)
{
    char *dir = temp_dir();
    char creds[512], path[600], sub[600], subpath[700], outside[600];
    snprintf(creds, sizeof creds, "%s/creds", dir);
    assert_int_equal(mkdir(creds, 0500 | 0200), 0);
    snprintf(path, sizeof path, "%s/master.key", creds);
    snprintf(sub, sizeof sub, "%s/nested", creds);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(subpath, sizeof subpath, "%s/master.key", sub);
    snprintf(outside, sizeof outside, "%s/master.key", dir);
    const char *files[] = {path, subpath, outside};
    for (size_t i = 0; i < 3; i++) {
        FILE *f = fopen(files[i], "w");
        assert_non_null(f);
        fputs(HEX_KEY_A "\n", f);
        fclose(f);
        assert_int_equal(chmod(files[i], 0440), 0);
    }
    zf_crypt *c = NULL;
    zf_error err = ZF_ERROR_INIT;
    /* without the variable: the 0440 file is refused as before */
    unsetenv("CREDENTIALS_DIRECTORY");
    assert_int_equal(zf_crypt_new(&c, path, &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "has mode 0440"));
    setenv("CREDENTIALS_DIRECTORY", creds, 1);
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(zf_crypt_new(&c, path, &err), 0);
    zf_crypt *e = with_env_key(HEX_KEY_A);
    assert_string_equal(zf_crypt_key_id(c), zf_crypt_key_id(e));
    zf_crypt_free(e);
    zf_crypt_free(c);
    c = NULL;
    unsetenv("ZOOMFLOW_MASTER_KEY"); /* with_env_key's: it would win over the file */
    /* not directly in the directory, or outside it: refused */
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(zf_crypt_new(&c, subpath, &err), ZF_ECONFIG);
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(zf_crypt_new(&c, outside, &err), ZF_ECONFIG);
    /* writable by the group, or readable by others: refused even there */
    assert_int_equal(chmod(path, 0460), 0);
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(zf_crypt_new(&c, path, &err), ZF_ECONFIG);
    assert_int_equal(chmod(path, 0404), 0);
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(zf_crypt_new(&c, path, &err), ZF_ECONFIG);
    assert_null(c);
    unsetenv("CREDENTIALS_DIRECTORY");
    assert_int_equal(chmod(creds, 0700), 0);
    rm_rf(dir);
    free(dir);
}

static void test_crypt_key_file_0644_refused(void **state)
{
    char *dir = temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/master.key", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(HEX_KEY_A "\n", f);
    fclose(f);
    assert_int_equal(chmod(path, 0644), 0);
    zf_crypt *c = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_crypt_new(&c, path, &err), ZF_ECONFIG);
    assert_null(c);
    assert_non_null(strstr(err.message, "has mode 0644"));
    char want[600];
    snprintf(want, sizeof want, "chmod 600 %s", path);
    assert_non_null(strstr(err.hint, want));
    /* fixed permissions: accepted, and the key is the file's */
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(zf_crypt_new(&c, path, &err), 0);
    zf_crypt *e = with_env_key(HEX_KEY_A);
    assert_string_equal(zf_crypt_key_id(c), zf_crypt_key_id(e));
    zf_crypt_free(e);
    zf_crypt_free(c);
    /* the env key wins over the file */
    unsetenv("ZOOMFLOW_MASTER_KEY");
    f = fopen(path, "w");
    fputs("garbage\n", f);
    fclose(f);
    assert_int_equal(zf_crypt_new(&c, path, &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "does not hold a key"));
    c = with_env_key(HEX_KEY_B);
    assert_non_null(c);
    zf_crypt_free(c);
    rm_rf(dir);
    free(dir);
}

static void test_crypt_helpers(void **state)
{
    unsigned char h[32];
    char hex[65];
    zf_sha256("abc", 3, h);
    zf_hex(h, 32, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* RFC 4231 test case 2 */
    zf_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, h);
    zf_hex(h, 32, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    char b[16];
    zf_base64url((const unsigned char *)"\xfb\xff", 2, b);
    assert_string_equal(b, "-_8");
    zf_base64url((const unsigned char *)"foobar", 6, b);
    assert_string_equal(b, "Zm9vYmFy");
    zf_base64url((const unsigned char *)"f", 1, b);
    assert_string_equal(b, "Zg");
    char t1[44], t2[44];
    assert_int_equal(zf_random_token(t1, sizeof t1), 0);
    assert_int_equal(zf_random_token(t2, sizeof t2), 0);
    assert_int_equal(strlen(t1), 43);
    assert_int_equal(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    assert_string_not_equal(t1, t2);
    unsigned char r[16] = {0}, zero[16] = {0};
    assert_int_equal(zf_random_bytes(r, sizeof r), 0);
    assert_memory_not_equal(r, zero, sizeof r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_crypt_round_trip, setup),
        cmocka_unit_test_setup(test_crypt_tamper_each_part, setup),
        cmocka_unit_test_setup(test_crypt_aad_mismatch, setup),
        cmocka_unit_test_setup(test_crypt_wrong_key_names_both_ids, setup),
        cmocka_unit_test_setup(test_crypt_env_key_hex_and_base64, setup),
        cmocka_unit_test_setup(test_crypt_env_key_malformed, setup),
        cmocka_unit_test_setup(test_crypt_key_file_created_0600, setup),
        cmocka_unit_test_setup(test_crypt_key_file_creation_race, setup),
        cmocka_unit_test_setup(test_crypt_key_file_0644_refused, setup),
        cmocka_unit_test_setup(test_crypt_key_file_systemd_credential, setup),
        cmocka_unit_test_setup(test_crypt_helpers, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
