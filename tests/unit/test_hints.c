/*
 * Hint ids and words (hint.h, error.c): stable numbers, neutral words that
 * name no surface command or flag, a hint that never outlives its error,
 * and the template walk surfaces share. The last test reads the library's
 * sources: every hint written there carries an id and its words carry no
 * CLI syntax.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"
#include "zoomflow/hint.h"
#include "zoomflow/store.h"

/* Released numbers never change: this list only grows. */
static const char FROZEN[] =
    "NONE=0 CONNECT=1 RECONNECT=2 LIST_CONNECTIONS=3 CHECK_CONNECTION=4 ADD_SCOPE=5 "
    "SEE_ACTION_HELP=6 LIST_USERS=7 CHECK_CA_FILE=8 TRUST_CA=9 RAISE_TIMEOUT=10 "
    "CHECK_NETWORK=11 CHECK_API_BASE=12 CHECK_OAUTH_BASE=13 APP_CREDENTIALS=14 "
    "CHECK_REDIRECT_URI=15 SET_MASTER_KEY=16 RESTORE_MASTER_KEY=17 KEY_FILE_MODE=18 "
    "CHOOSE_DATABASE=19 DATABASE_BUSY=20 CHOOSE_DIRECTORY=21 CHECK_DISK=22 RUN_AGAIN=23 "
    "CHECK_IN_ZOOM=24 RETRY_LATER=25 SLOW_DOWN=26 WAIT_FOR_RESET=27 FIX_FIELDS=28 "
    "CHECK_IDS=29 CHECK_RECORDING=30 INSTALL_TZDATA=31 REMOVE_APP=32 SEE_MESSAGE=33 "
    "CHECK_APP=34 GET_TOKEN=35 CHECK_PATH=36 CHECK_DOWNLOAD_URL=37 STREAM_LARGE=38 "
    "DATABASE_LOGIN=39 DATABASE_UNREACHABLE=40 DATABASE_MISSING=41 DATABASE_GRANTS=42 "
    "DATABASE_TLS=43 DATABASE_TOO_NEW=44 DATABASE_LOST=45";

/* Words a surface would say: its program name before a command, a flag. */
static const char *cli_syntax(const char *s)
{
    static const char *const bad[] = {"zoomflow ", "`zoomflow", "--", "admin page"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strcasestr(s, bad[i]))
            return bad[i];
    return NULL;
}

static void test_ids_are_stable(void **state)
{
    zf_buf b = ZF_BUF_INIT(1 << 14);
    for (const int *id = zf_hint_ids(); *id >= 0; id++)
        zf_buf_appendf(&b, "%s%s=%d", b.len ? " " : "", zf_hint_name(*id), *id);
    /* the frozen list is a prefix: ids added later go at the end */
    assert_int_equal(strncmp(zf_buf_cstr(&b), FROZEN, strlen(FROZEN)), 0);
    int prev = -1;
    for (const int *id = zf_hint_ids(); *id >= 0; id++) {
        assert_true(*id > prev); /* unique, ascending */
        prev = *id;
    }
    assert_null(zf_hint_name(9999));
    assert_null(zf_hint_words(-5));
    assert_int_equal(ZF_HINT_RECONNECT, 2);
    zf_buf_free(&b);
}

static void test_words_name_no_surface(void **state)
{
    for (const int *id = zf_hint_ids(); *id >= 0; id++) {
        const char *w = zf_hint_words(*id);
        assert_non_null(w);
        if (*id != ZF_HINT_NONE)
            assert_true(w[0] != '\0');
        if (cli_syntax(w))
            fail_msg("hint %s says \"%s\" (%s is CLI syntax)", zf_hint_name(*id), w, cli_syntax(w));
    }
    /* the arguments an id may carry are the ones the surfaces resolve */
    assert_true(zf_hint_args(ZF_HINT_RECONNECT) & ZF_HA_CONN);
    assert_true(zf_hint_args(ZF_HINT_SEE_ACTION_HELP) & ZF_HA_ACTION);
}

static void test_set_drops_an_earlier_hint(void **state)
{
    zf_error err = ZF_ERROR_INIT;
    zf_error_set(&err, ZF_ENOTCONNECTED, "first");
    zf_error_hint_id(&err, ZF_HINT_CONNECT, NULL);
    zf_error_hint_arg(&err, ZF_HINT_ARG_CONNECTION, "work");
    assert_string_equal(err.hint, zf_hint_words(ZF_HINT_CONNECT));
    zf_error_set(&err, ZF_EIO, "second, unrelated");
    assert_int_equal(err.code, ZF_EIO);
    assert_string_equal(err.hint, "");
    assert_int_equal(err.hint_id, ZF_HINT_NONE);
    assert_string_equal(err.hint_arg[ZF_HINT_ARG_CONNECTION], "");
}

static void test_restate_keeps_the_hint(void **state)
{
    zf_error err = ZF_ERROR_INIT;
    zf_error_set(&err, ZF_ESERVER, "HTTP 503");
    zf_error_hint_id(&err, ZF_HINT_RETRY_LATER, "retry in %d s", 5);
    zf_error_restate(&err, ZF_ESERVER, "gave up after 3 attempts: %s", err.message);
    assert_string_equal(err.message, "gave up after 3 attempts: HTTP 503");
    assert_string_equal(err.hint, "retry in 5 s");
    assert_int_equal(err.hint_id, ZF_HINT_RETRY_LATER);
}

static void test_hint_replaces_hint(void **state)
{
    zf_error err = ZF_ERROR_INIT;
    zf_error_hint_id(&err, ZF_HINT_RECONNECT, NULL);
    zf_error_hint_arg(&err, ZF_HINT_ARG_CONNECTION, "work");
    zf_error_hint(&err, "surface words (%s)", err.hint); /* refining the old words */
    assert_int_equal(err.hint_id, ZF_HINT_NONE);
    assert_string_equal(err.hint_arg[ZF_HINT_ARG_CONNECTION], "");
    assert_non_null(strstr(err.hint, "surface words (reconnect"));
    char longv[600];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    zf_error_hint_arg(&err, ZF_HINT_ARG_VALUE, longv); /* cut, never overrun */
    assert_int_equal(strlen(err.hint_arg[ZF_HINT_ARG_VALUE]), ZF_ERROR_HINT_ARG_MAX - 1);
    zf_error_hint_arg(NULL, ZF_HINT_ARG_VALUE, "x");
    zf_error_hint_id(NULL, ZF_HINT_RECONNECT, NULL);
}

/* A toy surface: buttons, connections as routes. */
static int toy_resolve(void *ctx, zf_hint_arg which, const char *value, zf_buf *out)
{
    (void)ctx;
    if (!*value)
        return -1;
    return zf_buf_appendf(out, which == ZF_HINT_ARG_CONNECTION ? "/connections/%s" : "<%s>", value);
}

static void test_render_walks_a_surface_table(void **state)
{
    static const zf_hint_row rows[] = {{ZF_HINT_RECONNECT, "[Reconnect] {connection}/connect"},
                                       {ZF_HINT_LIST_USERS, "[Users] {action:list_users}"},
                                       {ZF_HINT_NONE, NULL}};
    zf_error err = ZF_ERROR_INIT;
    zf_buf out = ZF_BUF_INIT(256);
    zf_error_hint_id(&err, ZF_HINT_RECONNECT, NULL);
    assert_int_equal(zf_hint_render(&out, rows, &err, toy_resolve, NULL), 0); /* no arg */
    assert_int_equal(out.len, 0);
    zf_error_hint_arg(&err, ZF_HINT_ARG_CONNECTION, "work");
    assert_int_equal(zf_hint_render(&out, rows, &err, toy_resolve, NULL), 1);
    assert_string_equal(zf_buf_cstr(&out), "[Reconnect] /connections/work/connect");
    zf_buf_reset(&out);
    zf_error_hint_id(&err, ZF_HINT_LIST_USERS, NULL);
    assert_int_equal(zf_hint_render(&out, rows, &err, toy_resolve, NULL), 1);
    assert_string_equal(zf_buf_cstr(&out), "[Users] <list_users>");
    zf_buf_reset(&out);
    zf_error_hint_id(&err, ZF_HINT_CHECK_DISK, NULL);
    assert_int_equal(zf_hint_render(&out, rows, &err, toy_resolve, NULL), 0); /* no row */
    assert_null(zf_hint_row_find(rows, ZF_HINT_CHECK_DISK));
    zf_buf_free(&out);
    /* an out too small for the rendering: ZF_ENOMEM, out left as it was */
    static const zf_hint_row plain[] = {{ZF_HINT_CHECK_DISK, "[Disk] free some space"},
                                        {ZF_HINT_NONE, NULL}};
    zf_buf small = ZF_BUF_INIT(8);
    zf_error_hint_id(&err, ZF_HINT_CHECK_DISK, NULL);
    assert_int_equal(zf_hint_render(&small, plain, &err, toy_resolve, NULL), ZF_ENOMEM);
    assert_int_equal(small.len, 0);
    zf_buf_free(&small);
}

static void test_store_hint_has_id_and_no_flag(void **state)
{
    zf_store *st = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_store_open(&st, "mysql://nope", &err), ZF_ECONFIG);
    assert_int_equal(err.hint_id, ZF_HINT_CHOOSE_DATABASE);
    assert_non_null(strstr(err.hint, "sqlite:PATH"));
    assert_null(cli_syntax(err.hint));
}

/* --- the sources: every hint the library writes */

static int failures;

static void check_call(const char *path, const char *text, size_t at)
{
    /* the call's text up to its closing parenthesis */
    int depth = 0, in_str = 0;
    size_t end = at;
    for (; text[end]; end++) {
        char c = text[end];
        if (in_str && c == '\\' && text[end + 1]) {
            end++;
            continue;
        }
        if (c == '"')
            in_str = !in_str;
        else if (!in_str && c == '(')
            depth++;
        else if (!in_str && c == ')' && --depth == 0)
            break;
    }
    char *call = strndup(text + at, end - at + 1);
    const char *bad = call ? cli_syntax(call) : "?";
    if (bad) {
        fprintf(stderr, "%s: a hint says %s: %.300s\n", path, bad, call ? call : "");
        failures++;
    }
    free(call);
}

static void check_text(const char *path, const char *text)
{
    for (const char *p = strstr(text, "zf_error_hint"); p; p = strstr(p + 1, "zf_error_hint")) {
        const char *name_end = p + strlen("zf_error_hint");
        int definition = p >= text + 5 && strncmp(p - 5, "void ", 5) == 0;
        if (*name_end == '(' && !definition) {
            fprintf(stderr, "%s: zf_error_hint() without an id (use zf_error_hint_id)\n", path);
            failures++;
        }
        if (!definition && (*name_end == '(' || strncmp(name_end, "_id(", 4) == 0))
            check_call(path, text, (size_t)(p - text));
    }
    /* hint words kept in macros (oauth.c's HINT_*): up to the line without '\\' */
    for (const char *p = strstr(text, "#define HINT_"); p; p = strstr(p + 1, "#define HINT_")) {
        const char *e = p;
        while ((e = strchr(e, '\n')) && e > p && e[-1] == '\\')
            e++;
        char *macro = strndup(p, e ? (size_t)(e - p) : strlen(p));
        if (macro && cli_syntax(macro)) {
            fprintf(stderr, "%s: hint words say %s: %.300s\n", path, cli_syntax(macro), macro);
            failures++;
        }
        free(macro);
    }
}

static int visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    size_t n = strlen(path);
    if (type != FTW_F || n < 2 || strcmp(path + n - 2, ".c") != 0)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char *text = calloc(1, (size_t)sb->st_size + 1);
    if (text && fread(text, 1, (size_t)sb->st_size, f) == (size_t)sb->st_size)
        check_text(path, text);
    free(text);
    fclose(f);
    return 0;
}

static void test_library_sources_write_neutral_hints(void **state)
{
    const char *src = getenv("ZF_SOURCE_DIR");
    if (!src)
        skip();
    /* the layers that are not a surface (src/util after the layout work) */
    static const char *const dirs[] = {"src/lib", "src/store", "src/util"};
    char path[4096];
    failures = 0;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", src, dirs[i]);
        nftw(path, visit, 16, FTW_PHYS);
    }
    assert_int_equal(failures, 0);
    /* the scan itself finds what it looks for */
    check_text("(sample)", "zf_error_hint(err, \"run `zoomflow connect`\");");
    assert_int_equal(failures, 2);
    failures = 0;
    check_text("(sample)", "zf_error_hint_id(err, ZF_HINT_RECONNECT, \"pass --db\");");
    assert_int_equal(failures, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_are_stable),
        cmocka_unit_test(test_words_name_no_surface),
        cmocka_unit_test(test_set_drops_an_earlier_hint),
        cmocka_unit_test(test_restate_keeps_the_hint),
        cmocka_unit_test(test_hint_replaces_hint),
        cmocka_unit_test(test_render_walks_a_surface_table),
        cmocka_unit_test(test_store_hint_has_id_and_no_flag),
        cmocka_unit_test(test_library_sources_write_neutral_hints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
