/*
 * zf_session: lazy opening, the default paths under a fake HOME / XDG
 * directories, errors that name the path and what to set, and freeing a
 * NULL, half-open or failed session.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zoomflow/session.h"

typedef struct fx {
    char dir[64];
    char db[160], dsn[170], key[160];
} fx;

static int rm_tree(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/zf_session_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/data/z.db", f->dir);
    snprintf(f->dsn, sizeof f->dsn, "sqlite:%s", f->db);
    snprintf(f->key, sizeof f->key, "%s/master.key", f->dir);
    unsetenv("ZOOMFLOW_MASTER_KEY");
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", f->dir, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    rm_tree(f->dir);
    free(f);
    return 0;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (unsigned)(st.st_mode & 0777);
}

static zf_session *open_session(const fx *f, const char *api_base)
{
    zf_session_opts o = ZF_SESSION_OPTS_INIT;
    o.db = f->dsn;
    o.key_file = f->key;
    o.conn_id = "work";
    o.actor = "test";
    o.api_base = api_base;
    zf_session *s = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_session_open(&s, &o, &err), 0);
    assert_non_null(s);
    return s;
}

/* A connection row for "work", its access token sealed under the key file. */
static void put_conn(const fx *f, zf_store *st)
{
    zf_crypt *c = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_crypt_new(&c, f->key, &err), 0);
    zf_store_conn row;
    memset(&row, 0, sizeof row);
    row.id = strdup("work");
    row.kind = ZF_CONN_S2S;
    row.oauth_base = strdup("https://zoom.us");
    row.api_base = strdup("https://api-eu.zoom.us/");
    row.client_id = strdup("cid");
    row.account_id = strdup("aid");
    row.scopes = strdup("user:read:list_users:admin");
    row.state = ZF_CONN_VALID;
    row.access_expires_at = (int64_t)time(NULL) + 3600;
    assert_int_equal(zf_crypt_seal(c, "sec", 3, "connection/work/client_secret",
                                   &row.client_secret_sealed, &err),
                     0);
    assert_int_equal(
        zf_crypt_seal(c, "tok", 3, "connection/work/access_token", &row.access_token_sealed, &err),
        0);
    int rc = zf_store_conn_put(st, &row, &err);
    if (rc)
        fprintf(stderr, "conn_put: %s\n", err.message);
    assert_int_equal(rc, 0);
    zf_store_conn_free(&row);
    zf_crypt_free(c);
}

static void test_session_opens_nothing_until_asked(void **state)
{
    fx *f = *state;
    zf_session *s = open_session(f, NULL);
    /* open touches no file */
    assert_false(exists(f->key));
    assert_false(exists(f->db));
    zf_store *st = NULL, *st2 = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_session_store(s, &st, &err), 0);
    assert_non_null(st);
    assert_true(exists(f->key));
    assert_true(exists(f->db));
    assert_int_equal(mode_of(f->key), 0600);
    /* kept: the second call hands out the same store */
    assert_int_equal(zf_session_store(s, &st2, &err), 0);
    assert_ptr_equal(st, st2);
    zf_tokens *tk = NULL, *tk2 = NULL;
    assert_int_equal(zf_session_tokens(s, &tk, &err), 0);
    assert_int_equal(zf_session_tokens(s, &tk2, &err), 0);
    assert_non_null(tk);
    assert_ptr_equal(tk, tk2);
    /* no connection yet: no client, and the reason says so */
    zf_zoom *z = (zf_zoom *)1;
    assert_int_equal(zf_session_zoom(s, &z, NULL, &err), ZF_ENOTCONNECTED);
    assert_null(z);
    assert_non_null(strstr(err.message, "work"));
    zf_session_free(s);
}

static void test_session_zoom_over_connection(void **state)
{
    fx *f = *state;
    zf_session *s = open_session(f, NULL);
    zf_store *st = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_session_store(s, &st, &err), 0);
    put_conn(f, st);

    zf_zoom *z = NULL, *z2 = NULL, *mine = NULL;
    const char *granted = NULL;
    assert_int_equal(zf_session_zoom(s, &z, &granted, &err), 0);
    assert_non_null(z);
    assert_string_equal(granted, "user:read:list_users:admin");
    assert_int_equal(zf_session_zoom(s, &z2, NULL, &err), 0);
    assert_ptr_equal(z, z2);
    /* a per-thread client is new and the caller's */
    assert_int_equal(zf_session_zoom_new(s, &mine, NULL, NULL, &err), 0);
    assert_non_null(mine);
    assert_ptr_not_equal(mine, z);
    zf_zoom_free(mine);
    const zf_zoom_tokens *src = NULL;
    assert_int_equal(zf_session_token_source(s, &src, &err), 0);
    assert_non_null(src);
    assert_non_null(src->get);

    /* the connection's base, with one /v2 */
    zf_buf b = ZF_BUF_INIT(1024);
    assert_int_equal(zf_session_api_base(s, &b), 0);
    assert_string_equal(zf_buf_cstr(&b), "https://api-eu.zoom.us/v2");
    zf_buf_free(&b);
    zf_session_free(s);
}

static void test_session_api_base_pin_and_default(void **state)
{
    fx *f = *state;
    zf_buf b = ZF_BUF_INIT(1024);
    /* a pin wins and opens nothing */
    zf_session *s = open_session(f, "http://127.0.0.1:9/v2/");
    assert_int_equal(zf_session_api_base(s, &b), 0);
    assert_string_equal(zf_buf_cstr(&b), "http://127.0.0.1:9/v2");
    assert_false(exists(f->db));
    zf_session_free(s);
    /* no pin, no connection: Zoom's default */
    s = open_session(f, NULL);
    assert_int_equal(zf_session_api_base(s, &b), 0);
    assert_string_equal(zf_buf_cstr(&b), "https://api.zoom.us/v2");
    zf_session_free(s);
    zf_buf_free(&b);
}

static void test_session_bad_pin_fails_the_client_only(void **state)
{
    fx *f = *state;
    zf_session *s = open_session(f, "ftp://example.com");
    zf_store *st = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_session_store(s, &st, &err), 0);
    put_conn(f, st);
    zf_zoom *z = NULL;
    int rc = zf_session_zoom(s, &z, NULL, &err);
    assert_int_equal(rc, ZF_ECONFIG);
    assert_null(z);
    assert_non_null(strstr(err.message, "API base"));
    zf_session_free(s);
}

static void test_session_default_paths_home(void **state)
{
    fx *f = *state;
    zf_session_opts o = ZF_SESSION_OPTS_INIT;
    zf_session *s = NULL;
    zf_store *st = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_session_open(&s, &o, &err), 0);
    assert_int_equal(zf_session_store(s, &st, &err), 0);
    char p[256];
    snprintf(p, sizeof p, "%s/.config/zoomflow/master.key", f->dir);
    assert_true(exists(p));
    assert_int_equal(mode_of(p), 0600);
    snprintf(p, sizeof p, "%s/.config/zoomflow", f->dir);
    assert_int_equal(mode_of(p), 0700);
    snprintf(p, sizeof p, "%s/.local/share/zoomflow/zoomflow.db", f->dir);
    assert_true(exists(p));
    snprintf(p, sizeof p, "%s/.local/share/zoomflow", f->dir);
    assert_int_equal(mode_of(p), 0700);
    zf_session_free(s);
}

static void test_session_default_paths_xdg(void **state)
{
    fx *f = *state;
    char cfg[128], data[128], p[256];
    snprintf(cfg, sizeof cfg, "%s/xc", f->dir);
    snprintf(data, sizeof data, "%s/xd", f->dir);
    setenv("XDG_CONFIG_HOME", cfg, 1);
    setenv("XDG_DATA_HOME", data, 1);
    zf_session_opts o = ZF_SESSION_OPTS_INIT;
    zf_session *s = NULL;
    zf_store *st = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_session_open(&s, &o, &err), 0);
    assert_int_equal(zf_session_store(s, &st, &err), 0);
    snprintf(p, sizeof p, "%s/zoomflow/master.key", cfg);
    assert_true(exists(p));
    snprintf(p, sizeof p, "%s/zoomflow/zoomflow.db", data);
    assert_true(exists(p));
    zf_session_free(s);

    zf_buf b = ZF_BUF_INIT(1024);
    assert_int_equal(zf_default_dir(ZF_DIR_CONFIG, &b, &err), 0);
    snprintf(p, sizeof p, "%s/zoomflow", cfg);
    assert_string_equal(zf_buf_cstr(&b), p);
    /* a relative XDG value is ignored (XDG spec): HOME's default */
    setenv("XDG_DATA_HOME", "relative/dir", 1);
    assert_int_equal(zf_default_dir(ZF_DIR_DATA, &b, &err), 0);
    snprintf(p, sizeof p, "%s/.local/share/zoomflow", f->dir);
    assert_string_equal(zf_buf_cstr(&b), p);
    /* neither: ZF_ECONFIG naming both variables */
    unsetenv("XDG_DATA_HOME");
    unsetenv("HOME");
    assert_int_equal(zf_default_dir(ZF_DIR_DATA, &b, &err), ZF_ECONFIG);
    assert_non_null(strstr(err.message, "XDG_DATA_HOME"));
    assert_non_null(strstr(err.message, "HOME"));
    assert_int_equal(zf_default_dir((zf_dir)7, &b, &err), ZF_EINVAL);
    zf_buf_free(&b);
}

static void test_session_unwritable_config_dir(void **state)
{
    fx *f = *state;
    /* HOME is a file, so $HOME/.config cannot be made (root included) */
    char home[128];
    snprintf(home, sizeof home, "%s/plainfile", f->dir);
    FILE *fp = fopen(home, "w");
    assert_non_null(fp);
    fclose(fp);
    setenv("HOME", home, 1);
    zf_session_opts o = ZF_SESSION_OPTS_INIT;
    o.db = f->dsn;
    zf_session *s = NULL;
    zf_store *st = (zf_store *)1;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_session_open(&s, &o, &err), 0);
    assert_int_equal(zf_session_store(s, &st, &err), ZF_ECONFIG);
    assert_null(st);
    char want[192];
    snprintf(want, sizeof want, "cannot create the config directory %s/.config", home);
    assert_non_null(strstr(err.message, want));
    assert_non_null(strstr(err.hint, "XDG_CONFIG_HOME"));
    assert_non_null(strstr(err.hint, "ZOOMFLOW_MASTER_KEY"));
    assert_non_null(strstr(err.hint, "key file"));
    /* the key failed first: no database file was made */
    assert_false(exists(f->db));
    /* a failure is not remembered: fixed, the next call opens */
    setenv("HOME", f->dir, 1);
    assert_int_equal(zf_session_store(s, &st, &err), 0);
    assert_non_null(st);
    zf_session_free(s);
}

static void test_session_master_key_env_skips_key_file(void **state)
{
    fx *f = *state;
    setenv("ZOOMFLOW_MASTER_KEY",
           "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
    zf_session_opts o = ZF_SESSION_OPTS_INIT;
    o.db = f->dsn;
    zf_session *s = NULL;
    zf_store *st = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_session_open(&s, &o, &err), 0);
    assert_int_equal(zf_session_store(s, &st, &err), 0);
    char p[192];
    snprintf(p, sizeof p, "%s/.config", f->dir);
    assert_false(exists(p)); /* no config directory was made */
    zf_session_free(s);
    unsetenv("ZOOMFLOW_MASTER_KEY");
}

static void test_session_free_null_and_half_open(void **state)
{
    fx *f = *state;
    zf_session_free(NULL);
    /* opened, never used */
    zf_session_free(open_session(f, NULL));
    /* store open, no tokens or client */
    zf_session *s = open_session(f, NULL);
    zf_store *st = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_session_store(s, &st, &err), 0);
    zf_session_free(s);
    /* the key unreadable (a directory): every open fails, free is clean */
    zf_session_opts o = ZF_SESSION_OPTS_INIT;
    o.db = f->dsn;
    o.key_file = f->dir;
    assert_int_equal(zf_session_open(&s, &o, &err), 0);
    zf_tokens *tk = (zf_tokens *)1;
    assert_true(zf_session_tokens(s, &tk, &err) < 0);
    assert_null(tk);
    zf_session_free(s);
    assert_int_equal(zf_session_open(NULL, &o, &err), ZF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_session_opens_nothing_until_asked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_zoom_over_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_api_base_pin_and_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_bad_pin_fails_the_client_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_session_default_paths_home, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_default_paths_xdg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_unwritable_config_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_master_key_env_skips_key_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_session_free_null_and_half_open, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
