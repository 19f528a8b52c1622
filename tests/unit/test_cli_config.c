/*
 * The CLI's settings (src/cli/config.c): the config file's small INI, the
 * environment and flags over it, and the client secret's sources. Every
 * refusal names where the bad value is (the file and line, the variable,
 * the flag) and what to do; a typo in another profile's section is refused
 * too, so it never silently falls back to a default.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "zoomflow/secret.h"

static int parse(const char *text, const char *profile, cli_cfg *cfg, zf_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    return cli_cfg_parse(text, strlen(text), "cfg.ini", profile, cfg, err);
}

/* text refused with ZF_ECONFIG and a message holding want (and hint, if any) */
static void refused(const char *text, const char *want, const char *hint)
{
    cli_cfg cfg;
    zf_error err = ZF_ERROR_INIT;
    int rc = parse(text, "default", &cfg, &err);
    if (rc != ZF_ECONFIG || err.code != ZF_ECONFIG)
        fail_msg("'%s': %d (%s), not ZF_ECONFIG", text, rc, err.message);
    if (!strstr(err.message, want))
        fail_msg("message '%s' lacks '%s'", err.message, want);
    if (hint && !strstr(err.hint, hint))
        fail_msg("hint '%s' lacks '%s'", err.hint, hint);
    cli_cfg_free(&cfg);
}

static void test_profiles_quotes_comments(void **state)
{
    (void)state;
    const char *text = "# comment\n"
                       "; also a comment\n"
                       "\n"
                       "oauth_base = http://outside.example\n" /* before any section: no profile */
                       "[default]\r\n"
                       "  client_id = \"quoted id\"  \r\n"
                       "\taccount_id='single'\n"
                       "timeout = 30\n"
                       "redirect_uri = \"\n" /* one quote alone is kept */
                       "[ work ]\n"
                       "client_id = work-id\n"
                       "timeout = 5";
    cli_cfg cfg;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(parse(text, "default", &cfg, &err), 0);
    assert_null(cfg.oauth_base);
    assert_string_equal(cfg.client_id, "quoted id");
    assert_int_equal(cfg.client_id_from, CLI_FROM_FILE);
    assert_string_equal(cfg.account_id, "single");
    assert_string_equal(cfg.timeout, "30");
    assert_string_equal(cfg.redirect_uri, "\"");
    cli_cfg_free(&cfg);
    /* the spaces inside [ work ] do not count; the last line needs no newline */
    assert_int_equal(parse(text, "work", &cfg, &err), 0);
    assert_string_equal(cfg.client_id, "work-id");
    assert_string_equal(cfg.timeout, "5");
    assert_null(cfg.account_id);
    cli_cfg_free(&cfg);
    assert_int_equal(parse("", "default", &cfg, &err), 0);
    assert_null(cfg.client_id);
}

static void test_malformed_lines(void **state)
{
    (void)state;
    refused("[default]\nclient_id abc\n", "cfg.ini line 2: expected key = value",
            "known keys: db, key_file");
    refused("[default\n", "cfg.ini line 1: a section header is [NAME]", NULL);
    refused("[]\n", "cfg.ini line 1: a section header is [NAME]", NULL);
    refused("[default]\nclient_idd = x\n", "cfg.ini line 2: unknown key 'client_idd'",
            "known keys:");
    /* the unknown key is named at most 64 bytes long */
    char longkey[200];
    memset(longkey, 'k', 100);
    strcpy(longkey + 100, " = v\n");
    refused(longkey,
            "unknown key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk'", NULL);
    /* a typo in another profile's section is refused as well */
    refused("[other]\ntimout = 3\n", "cfg.ini line 2: unknown key 'timout'", NULL);
    refused("[other]\ntimeout = soon\n", "cfg.ini line 2: timeout", NULL);
    refused("[default]\nthreads = 65\n", "cfg.ini line 2: threads", NULL);
    refused("[default]\nworkers = -1\n", "cfg.ini line 2: workers", NULL);
    refused("[default]\nlease_ttl = 0\n", "cfg.ini line 2: lease_ttl", NULL);
}

static void test_bytes_and_sizes(void **state)
{
    (void)state;
    cli_cfg cfg;
    zf_error err = ZF_ERROR_INIT;
    const char nul[] = "[default]\nclient_id = a\0b\n";
    memset(&cfg, 0, sizeof cfg);
    assert_int_equal(cli_cfg_parse(nul, sizeof nul - 1, "cfg.ini", "default", &cfg, &err),
                     ZF_ECONFIG);
    assert_string_equal(err.message, "cfg.ini line 2 contains a NUL byte");

    size_t n = 5000;
    char *line = malloc(n + 1);
    assert_non_null(line);
    memset(line, '#', n);
    line[n] = '\0';
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(parse(line, "default", &cfg, &err), ZF_ECONFIG);
    assert_string_equal(err.message, "cfg.ini line 1 is longer than 4096 bytes");
    free(line);

    size_t big = (1u << 20) + 1;
    char *file = malloc(big);
    assert_non_null(file);
    memset(file, '\n', big);
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(cli_cfg_parse(file, big, "cfg.ini", "default", &cfg, &err), ZF_ECONFIG);
    assert_string_equal(err.message, "cfg.ini is larger than 1048576 bytes");
    free(file);
}

static void test_set_flag(void **state)
{
    (void)state;
    cli_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(cli_cfg_set_flag(&cfg, "api_base", "http://127.0.0.1:9/v2", &err), 0);
    assert_string_equal(cfg.api_base, "http://127.0.0.1:9/v2");
    assert_int_equal(cfg.api_base_from, CLI_FROM_FLAG);
    assert_string_equal(cli_origin_name(cfg.api_base_from), "flag");
    /* a later value replaces the first */
    assert_int_equal(cli_cfg_set_flag(&cfg, "api_base", "http://127.0.0.1:10/v2", &err), 0);
    assert_string_equal(cfg.api_base, "http://127.0.0.1:10/v2");
    /* a bad number names the flag as a person types it */
    assert_int_equal(cli_cfg_set_flag(&cfg, "lease_ttl", "3601", &err), ZF_ECONFIG);
    if (!strstr(err.message, "--lease-ttl"))
        fail_msg("%s", err.message);
    assert_null(cfg.lease_ttl);
    /* a setting no table has is the caller's slip */
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(cli_cfg_set_flag(&cfg, "no_such", "x", &err), ZF_EINVAL);
    assert_string_equal(err.message, "unknown setting no_such");
    cli_cfg_free(&cfg);
    assert_null(cfg.api_base);
}

/* ---- cli_cfg_load: a file in a scratch directory, the environment ---- */

static char dir[64];

static int setup_dir(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/zf-cfg-XXXXXX");
    assert_non_null(mkdtemp(dir));
    setenv("XDG_CONFIG_HOME", dir, 1);
    return 0;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    unsetenv("ZOOMFLOW_TIMEOUT");
    unsetenv("ZOOMFLOW_CLIENT_ID");
    unsetenv("ZOOMFLOW_CLIENT_SECRET");
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_load_precedence(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/my.ini", dir);
    write_file(path, "[default]\nclient_id = from-file\naccount_id = acct\ntimeout = 20\n");
    cli_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.profile = "default";
    cfg.config_path = path;
    setenv("ZOOMFLOW_CLIENT_ID", "from-env", 1);
    setenv("ZOOMFLOW_TIMEOUT", "", 1); /* empty: as if unset */
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(cli_cfg_load(&cfg, &err), 0);
    assert_string_equal(cfg.client_id, "from-env");
    assert_int_equal(cfg.client_id_from, CLI_FROM_ENV);
    assert_string_equal(cfg.account_id, "acct");
    assert_int_equal(cfg.account_id_from, CLI_FROM_FILE);
    assert_string_equal(cfg.timeout, "20");
    assert_string_equal(cfg.oauth_base, "https://zoom.us");
    assert_int_equal(cfg.oauth_base_from, CLI_FROM_DEFAULT);
    assert_string_equal(cli_origin_name(CLI_FROM_FILE), "config file");
    assert_string_equal(cli_origin_name(CLI_FROM_DEFAULT), "default");
    /* a bad number in the environment names the variable */
    cli_cfg_free(&cfg);
    setenv("ZOOMFLOW_TIMEOUT", "0", 1);
    assert_int_equal(cli_cfg_load(&cfg, &err), ZF_ECONFIG);
    if (!strstr(err.message, "ZOOMFLOW_TIMEOUT"))
        fail_msg("%s", err.message);
    cli_cfg_free(&cfg);
    unsetenv("ZOOMFLOW_TIMEOUT");
    unsetenv("ZOOMFLOW_CLIENT_ID");
}

static void test_load_missing_file(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/absent.ini", dir);
    cli_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.profile = "default";
    cfg.config_path = path;
    zf_error err = ZF_ERROR_INIT;
    /* named explicitly: it must be there */
    assert_int_equal(cli_cfg_load(&cfg, &err), ZF_ECONFIG);
    if (!strstr(err.message, "absent.ini") || !strstr(err.message, "No such file"))
        fail_msg("%s", err.message);
    assert_string_equal(err.hint, "create it or drop --config / ZOOMFLOW_CONFIG");
    cli_cfg_free(&cfg);
    /* the default path (XDG_CONFIG_HOME/zoomflow/config) may be missing */
    cfg.config_path = NULL;
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(cli_cfg_load(&cfg, &err), 0);
    assert_string_equal(cfg.timeout, "60");
    cli_cfg_free(&cfg);
    /* a directory named as the config file */
    cfg.config_path = dir;
    assert_int_equal(cli_cfg_load(&cfg, &err), ZF_ECONFIG);
    if (!strstr(err.message, "is a directory; give a file"))
        fail_msg("%s", err.message);
    cli_cfg_free(&cfg);
    /* a path that goes through a file: not "missing", refused when named */
    char file[128], through[160];
    snprintf(file, sizeof file, "%s/plain", dir);
    write_file(file, "");
    snprintf(through, sizeof through, "%s/config", file);
    cfg.config_path = through;
    assert_int_equal(cli_cfg_load(&cfg, &err), ZF_ECONFIG);
    if (!strstr(err.message, "Not a directory"))
        fail_msg("%s", err.message);
    cli_cfg_free(&cfg);
    /* a path longer than the buffer */
    char huge[5000];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    cfg.config_path = huge;
    err = (zf_error)ZF_ERROR_INIT;
    assert_int_equal(cli_cfg_load(&cfg, &err), ZF_ECONFIG);
    if (!strstr(err.message, "the config file's path is longer than"))
        fail_msg("%s", err.message);
    cli_cfg_free(&cfg);
}

/* ---- the client secret: a file, the environment, never the command line */

static void secret_refused(cli_cfg *cfg, const char *file, int allow_env, const char *want,
                           const char *hint)
{
    zf_secret s;
    memset(&s, 0, sizeof s);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(cli_client_secret(cfg, file, allow_env, &s, &err), ZF_ECONFIG);
    if (!strstr(err.message, want))
        fail_msg("message '%s' lacks '%s'", err.message, want);
    if (!strstr(err.hint, hint))
        fail_msg("hint '%s' lacks '%s'", err.hint, hint);
}

static void test_client_secret(void **state)
{
    (void)state;
    cli_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    unsetenv("ZOOMFLOW_CLIENT_SECRET");
    secret_refused(&cfg, NULL, 1, "the client secret is missing", "or set ZOOMFLOW_CLIENT_SECRET");
    secret_refused(&cfg, NULL, 0, "the client secret is missing",
                   "client_secret_file in the config file");
    /* the environment counts only when allowed */
    setenv("ZOOMFLOW_CLIENT_SECRET", "s3cret \n", 1);
    secret_refused(&cfg, NULL, 0, "the client secret is missing", "--client-secret-file FILE");
    zf_secret s;
    memset(&s, 0, sizeof s);
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(cli_client_secret(&cfg, NULL, 1, &s, &err), 0);
    assert_int_equal(s.len, 6); /* trailing blanks and newlines trimmed */
    assert_memory_equal(s.ptr, "s3cret", 6);
    zf_secret_free(&s);
    unsetenv("ZOOMFLOW_CLIENT_SECRET");

    char path[128];
    snprintf(path, sizeof path, "%s/secret", dir);
    write_file(path, " \r\n\n");
    /* an empty file, named by the flag */
    secret_refused(&cfg, path, 1, "the client secret is empty (--client-secret-file)",
                   "App Credentials");
    /* a missing file named by the config file: where the name came from */
    cfg.client_secret_file = (char *)"/nonexistent/zf-secret";
    cfg.client_secret_file_from = CLI_FROM_FILE;
    cfg.config_path = (char *)"/etc/zf.ini";
    secret_refused(&cfg, NULL, 1,
                   "the client secret file (client_secret_file in /etc/zf.ini) cannot be read: "
                   "cannot open /nonexistent/zf-secret",
                   "into /nonexistent/zf-secret, readable by this user only (chmod 600)");
    cfg.client_secret_file_from = CLI_FROM_ENV;
    secret_refused(&cfg, NULL, 1, "(ZOOMFLOW_CLIENT_SECRET_FILE) cannot be read", "chmod 600");
    cfg.config_path = NULL;
    cfg.client_secret_file_from = CLI_FROM_FILE;
    secret_refused(&cfg, NULL, 1, "(client_secret_file in the config file)", "chmod 600");
    /* a good file */
    write_file(path, "abc\n");
    cfg.client_secret_file = path;
    memset(&s, 0, sizeof s);
    assert_int_equal(cli_client_secret(&cfg, NULL, 0, &s, &err), 0);
    assert_int_equal(s.len, 3);
    assert_memory_equal(s.ptr, "abc", 3);
    zf_secret_free(&s);
}

/* ---- every setting of CLI_CFG_MAP from each source ------------------- */

static const struct setting {
    const char *key, *env, *def;
    size_t at, from;
} settings[] = {
#define X_ROW(f, k, env, def, help)                                                                \
    {k, env, def, offsetof(cli_cfg, f), offsetof(cli_cfg, f##_from)},
    CLI_CFG_MAP(X_ROW)
#undef X_ROW
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

static const char *value_of(const cli_cfg *c, const struct setting *s)
{
    return *(char *const *)((const char *)c + s->at);
}

static cli_origin origin_of(const cli_cfg *c, const struct setting *s)
{
    return *(const cli_origin *)((const char *)c + s->from);
}

/* A good value of each setting, told apart by source (numbers in range). */
static void value_for(const struct setting *s, const char *source, char *out, size_t cap)
{
    static const char *const numbers[] = {"timeout", "threads", "workers", "lease_ttl"};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        if (strcmp(s->key, numbers[i]) == 0) {
            snprintf(out, cap, "%d", source[0] == 'f' ? 2 : source[0] == 'e' ? 3 : 4);
            return;
        }
    snprintf(out, cap, "%s-%s", source, s->key);
}

static void unset_all(void)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        unsetenv(settings[i].env);
}

static void test_every_setting_every_source(void **state)
{
    (void)state;
    char path[128], v[128];
    snprintf(path, sizeof path, "%s/all.ini", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    /* another profile holds every key too: checked, not used */
    fputs("[other]\n", f);
    for (size_t i = 0; i < NSETTINGS; i++) {
        value_for(&settings[i], "other", v, sizeof v);
        fprintf(f, "%s = %s\n", settings[i].key, v);
    }
    fputs("[default]\n", f);
    for (size_t i = 0; i < NSETTINGS; i++) {
        value_for(&settings[i], "file", v, sizeof v);
        fprintf(f, "%s = %s\n", settings[i].key, v);
    }
    assert_int_equal(fclose(f), 0);
    unset_all();

    /* defaults only (no file): the map's defaults, from "default" */
    cli_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.profile = "default";
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(cli_cfg_load(&cfg, &err), 0);
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *s = &settings[i];
        if (s->def) {
            assert_string_equal(value_of(&cfg, s), s->def);
            assert_int_equal(origin_of(&cfg, s), CLI_FROM_DEFAULT);
        } else {
            assert_null(value_of(&cfg, s));
        }
    }
    cli_cfg_free(&cfg);

    /* the file over the defaults, every key */
    cfg.config_path = path;
    assert_int_equal(cli_cfg_load(&cfg, &err), 0);
    for (size_t i = 0; i < NSETTINGS; i++) {
        value_for(&settings[i], "file", v, sizeof v);
        assert_string_equal(value_of(&cfg, &settings[i]), v);
        assert_int_equal(origin_of(&cfg, &settings[i]), CLI_FROM_FILE);
    }
    cli_cfg_free(&cfg);

    /* the environment over the file; an empty variable counts as unset */
    for (size_t i = 0; i < NSETTINGS; i++) {
        value_for(&settings[i], "env", v, sizeof v);
        setenv(settings[i].env, i % 5 == 4 ? "" : v, 1);
    }
    assert_int_equal(cli_cfg_load(&cfg, &err), 0);
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *src = i % 5 == 4 ? "file" : "env";
        value_for(&settings[i], src, v, sizeof v);
        assert_string_equal(value_of(&cfg, &settings[i]), v);
        assert_int_equal(origin_of(&cfg, &settings[i]), i % 5 == 4 ? CLI_FROM_FILE : CLI_FROM_ENV);
    }
    /* flags over both */
    for (size_t i = 0; i < NSETTINGS; i++) {
        value_for(&settings[i], "flag", v, sizeof v);
        assert_int_equal(cli_cfg_set_flag(&cfg, settings[i].key, v, &err), 0);
        assert_string_equal(value_of(&cfg, &settings[i]), v);
        assert_int_equal(origin_of(&cfg, &settings[i]), CLI_FROM_FLAG);
    }
    cli_cfg_free(&cfg);

    /* a number out of range in any source names that source */
    static const char *const numbers[] = {"ZOOMFLOW_TIMEOUT", "ZOOMFLOW_THREADS",
                                          "ZOOMFLOW_WORKERS", "ZOOMFLOW_LEASE_TTL"};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        char *keep = strdup(getenv(numbers[i]));
        setenv(numbers[i], "99999999", 1);
        err = (zf_error)ZF_ERROR_INIT;
        assert_int_equal(cli_cfg_load(&cfg, &err), ZF_ECONFIG);
        assert_int_equal(err.code, ZF_ECONFIG);
        if (strncmp(err.message, numbers[i], strlen(numbers[i])) != 0 ||
            !strstr(err.message, "'99999999' is not a whole number"))
            fail_msg("%s", err.message);
        cli_cfg_free(&cfg);
        setenv(numbers[i], keep, 1);
        free(keep);
    }
    unset_all();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profiles_quotes_comments),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_bytes_and_sizes),
        cmocka_unit_test(test_set_flag),
        cmocka_unit_test_setup_teardown(test_load_precedence, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_load_missing_file, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_client_secret, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_every_setting_every_source, setup_dir, teardown_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
