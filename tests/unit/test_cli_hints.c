/*
 * The CLI's side of hints and exits (src/cli/errors.c): every hint row the
 * CLI can print, rendered with sample arguments and with none, names only
 * commands that exist (each is run with --help and must exit 0 with that
 * command's usage) and only flags that command or the global options have;
 * and the exit table keeps the statuses `zoomflow --help` documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "commands.h"
#include "zoomflow/hint.h"

#define OUT_MAX (1 << 20)
#define ARGV_MAX 32

static char zoomflow[4096];

/* Runs zoomflow with args; its stdout into out; returns the exit status. */
static int run_zoomflow(char **args, zf_buf *out)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (!freopen("/dev/null", "w", stderr))
            _exit(126);
        execv(zoomflow, args);
        _exit(127);
    }
    close(fds[1]);
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        zf_buf_append(out, buf, (size_t)n);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void help_of(const char *const *words, size_t nwords, zf_buf *out)
{
    char *args[ARGV_MAX];
    size_t n = 0;
    args[n++] = zoomflow;
    for (size_t i = 0; i < nwords && n < ARGV_MAX - 2; i++)
        args[n++] = (char *)words[i];
    args[n++] = "--help";
    args[n] = NULL;
    int rc = run_zoomflow(args, out);
    if (rc != 0)
        fail_msg("`zoomflow ... %s --help` exited %d", nwords ? words[nwords - 1] : "", rc);
}

/* A flag ("--dir") is listed in help text as a word of its own. */
static int lists_flag(const char *help, const char *flag)
{
    size_t n = strlen(flag);
    for (const char *p = strstr(help, flag); p; p = strstr(p + 1, flag))
        if ((p == help || p[-1] == ' ' || p[-1] == '[' || p[-1] == '\n') &&
            (p[n] == ' ' || p[n] == '\n' || p[n] == ']' || p[n] == '=' || p[n] == ','))
            return 1;
    return 0;
}

static void check_global_flag(const char *flag, const char *span)
{
    zf_buf help = ZF_BUF_INIT(OUT_MAX);
    help_of(NULL, 0, &help);
    if (!lists_flag(zf_buf_cstr(&help), flag))
        fail_msg("`%s`: %s is not a global option", span, flag);
    zf_buf_free(&help);
}

/* Splits copy at spaces, in place. */
static size_t split(char *copy, const char *tok[ARGV_MAX])
{
    size_t n = 0;
    for (char *p = copy; *p && n < ARGV_MAX;) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        tok[n++] = p;
        while (*p && *p != ' ')
            p++;
    }
    return n;
}

/* `zoomflow [--global VALUE]... word word [POSITIONAL] [--flag [VALUE]]...`
 * or a lone global option (`--ca-file FILE`). */
static void check_span(const char *span)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", span);
    const char *tok[ARGV_MAX];
    size_t n = split(copy, tok);
    assert_true(n > 0);
    if (tok[0][0] == '-') { /* a lone flag: a global option */
        check_global_flag(tok[0], span);
        return;
    }
    if (strcmp(tok[0], "zoomflow") != 0)
        fail_msg("`%s` is neither a zoomflow command nor a global option", span);
    size_t i = 1;
    const char *words[ARGV_MAX];
    size_t nw = 0;
    for (; i + 1 < n && tok[i][0] == '-'; i += 2) { /* global options with their values */
        check_global_flag(tok[i], span);
        words[nw++] = tok[i];
        words[nw++] = tok[i + 1];
    }
    size_t first_word = nw;
    for (; i < n && tok[i][0] >= 'a' && tok[i][0] <= 'z'; i++)
        words[nw++] = tok[i];
    if (nw == first_word)
        fail_msg("`%s` names no command", span);
    zf_buf help = ZF_BUF_INIT(OUT_MAX);
    help_of(words, nw, &help);
    /* the command's own help, not the overview */
    char usage[256] = "usage: zoomflow";
    for (size_t w = first_word; w < nw; w++)
        snprintf(usage + strlen(usage), sizeof usage - strlen(usage), " %s", words[w]);
    if (strncmp(zf_buf_cstr(&help), usage, strlen(usage)) != 0)
        fail_msg("`%s`: --help did not print \"%s\"", span, usage);
    for (; i < n; i++)
        if (tok[i][0] == '-' && strcmp(tok[i], "--help") != 0 &&
            !lists_flag(zf_buf_cstr(&help), tok[i]))
            fail_msg("`%s`: %s is not an option of that command", span, tok[i]);
    zf_buf_free(&help);
}

/* Checks every `...` span of a rendered line; "--" only inside spans. */
static int check_rendering(const char *how)
{
    int spans = 0;
    const char *p = how;
    while ((p = strchr(p, '`')) != NULL) {
        const char *e = strchr(p + 1, '`');
        if (!e)
            fail_msg("unclosed ` in \"%s\"", how);
        char span[1024];
        snprintf(span, sizeof span, "%.*s", (int)(e - p - 1), p + 1);
        check_span(span);
        spans++;
        p = e + 1;
    }
    /* outside the spans no flag may hide unchecked */
    int in = 0;
    for (const char *c = how; *c; c++) {
        if (*c == '`')
            in = !in;
        else if (!in && c[0] == '-' && c[1] == '-')
            fail_msg("\"%s\" names a flag outside `...`", how);
    }
    return spans;
}

static void sample(zf_error *err, int id, int with_args)
{
    zf_error_reset(err);
    err->hint_id = id;
    if (!with_args)
        return;
    zf_error_hint_arg(err, ZF_HINT_ARG_CONNECTION, "sample-profile");
    zf_error_hint_arg(err, ZF_HINT_ARG_ACTION, "create_meeting");
    zf_error_hint_arg(err, ZF_HINT_ARG_FIELD, "client_id");
    zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, "sample-value");
}

static void test_every_hint_names_real_commands(void **state)
{
    const zf_hint_row *rows = cli_hint_table();
    size_t nrows = 0, spans = 0;
    const zf_cmd *current = cli_command_for_action("list_meetings");
    assert_non_null(current);
    for (const zf_hint_row *r = rows; r->id != ZF_HINT_NONE; r++, nrows++) {
        assert_non_null(zf_hint_name(r->id));               /* an id the library has */
        assert_ptr_equal(zf_hint_row_find(rows, r->id), r); /* one row per id */
        for (int with_args = 1; with_args >= 0; with_args--) {
            zf_error err;
            sample(&err, r->id, with_args);
            cli_hint_ctx c = {"ctx-profile", current};
            zf_buf how = ZF_BUF_INIT(4096);
            int rc = cli_hint_how(&how, &err, &c);
            if (with_args && rc != 1)
                fail_msg("hint %s did not render with sample arguments", zf_hint_name(r->id));
            if (rc == 1)
                spans += (size_t)check_rendering(zf_buf_cstr(&how));
            zf_buf_free(&how);
        }
    }
    assert_true(nrows >= 10);
    assert_true(spans >= nrows);
}

static void test_fallbacks_of_the_cli(void **state)
{
    zf_error err;
    zf_buf how = ZF_BUF_INIT(4096);
    sample(&err, ZF_HINT_RECONNECT, 0);
    cli_hint_ctx c = {"work", NULL};
    assert_int_equal(cli_hint_how(&how, &err, &c), 1);
    assert_string_equal(zf_buf_cstr(&how), "run `zoomflow --profile work connect`");
    zf_buf_reset(&how);
    cli_hint_ctx none = {NULL, NULL}; /* before a profile is known: words only */
    assert_int_equal(cli_hint_how(&how, &err, &none), 0);
    sample(&err, ZF_HINT_LIST_USERS, 0); /* the action's command from the table */
    assert_int_equal(cli_hint_how(&how, &err, &none), 1);
    assert_string_equal(zf_buf_cstr(&how),
                        "`zoomflow users get --user-id EMAIL` shows that user, pending ones too "
                        "(`zoomflow users list --status pending --all` lists those)");
    zf_buf_reset(&how);
    sample(&err, ZF_HINT_SEE_ACTION_HELP, 1);
    assert_int_equal(cli_hint_how(&how, &err, &none), 1);
    assert_non_null(strstr(zf_buf_cstr(&how), "`zoomflow meetings create --help`"));
    zf_buf_reset(&how);
    sample(&err, ZF_HINT_CHECK_DISK, 1); /* no row: the library's words suffice */
    assert_int_equal(cli_hint_how(&how, &err, &c), 0);
    zf_buf_free(&how);
}

/* The statuses the library's table carried before they moved here. */
static void test_exit_statuses_are_unchanged(void **state)
{
    static const struct {
        int code, status;
    } want[] = {{ZF_OK, 0},         {ZF_EINVAL, 2},        {ZF_ENOMEM, 1},      {ZF_EIO, 1},
                {ZF_ENET, 5},       {ZF_ETIMEOUT, 5},      {ZF_ETLS, 5},        {ZF_EHTTP, 6},
                {ZF_EPARSE, 6},     {ZF_EAUTH, 3},         {ZF_EREAUTH, 3},     {ZF_ESCOPE, 3},
                {ZF_ERATELIMIT, 7}, {ZF_EDAILYLIMIT, 7},   {ZF_EZOOM, 6},       {ZF_ESERVER, 5},
                {ZF_ENOTFOUND, 6},  {ZF_ECONFLICT, 6},     {ZF_EVALIDATION, 2}, {ZF_ESTORE, 1},
                {ZF_ECRYPT, 4},     {ZF_ENOTCONNECTED, 3}, {ZF_ESTATE, 3},      {ZF_EPATH, 2},
                {ZF_ETOOBIG, 6},    {ZF_ECONFIG, 2},       {ZF_EAMBIGUOUS, 6},  {ZF_EBUSY, 1},
                {ZF_ECANCELED, 1},  {ZF_EFORBIDDEN, 3}};
    size_t n = sizeof want / sizeof want[0];
    for (size_t i = 0; i < n; i++)
        if (cli_exit_status(want[i].code) != want[i].status)
            fail_msg("%s exits %d, not %d", zf_code_name(want[i].code),
                     cli_exit_status(want[i].code), want[i].status);
    /* every code has a row here: a new code must be given its status */
    size_t codes = 1;
#define X_COUNT(name, num, desc) codes++;
    ZF_ERRNO_MAP(X_COUNT)
#undef X_COUNT
    assert_int_equal(codes, n);
    assert_int_equal(cli_exit_status(-999), 1);
    assert_non_null(strstr(cli_exit_help, "  3  not connected"));
}

int main(void)
{
    const char *dir = getenv("ZF_BUILD_DIR");
    snprintf(zoomflow, sizeof zoomflow, "%s/zoomflow", dir ? dir : ".");
    if (access(zoomflow, X_OK) != 0) {
        fprintf(stderr, "zoomflow not found at %s (build it, or set ZF_BUILD_DIR)\n", zoomflow);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_hint_names_real_commands),
        cmocka_unit_test(test_fallbacks_of_the_cli),
        cmocka_unit_test(test_exit_statuses_are_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
