/*
 * How the CLI reports a failure: the exit table (a zf_code -> the exit
 * status `zoomflow --help` and docs/cli.md document) and the CLI's rendering
 * of the library's hint ids with its own command and flag names.
 *
 * The library says what to do in neutral words with an id (hint.h); this
 * file adds how to do it here: one zf_hint_row per id the CLI can do better
 * than the words, expanded by zf_hint_render with cli_resolve. The HTTP
 * service will do the same with a table of its own (button labels and
 * routes) and its own resolver; the walk and the placeholder rules stay in
 * the library, so nothing here is copied there.
 *
 * Every `zoomflow ...` span a row can print names a command that exists:
 * tests/unit/test_cli_hints.c renders every row with sample arguments and
 * runs each named command with --help.
 */
#include "cli.h"
#include "commands.h"

#include <stdarg.h>
#include <string.h>

#include "zoomflow/hint.h"

/* X(zf code name, exit status); 0 is success, anything not listed is 1. */
/* One code a line, which clang-format cannot keep in a macro: */
// clang-format off
#define CLI_EXIT_MAP(X) \
    X(EINVAL, 2)        \
    X(ENOMEM, 1)        \
    X(EIO, 1)           \
    X(ENET, 5)          \
    X(ETIMEOUT, 5)      \
    X(ETLS, 5)          \
    X(EHTTP, 6)         \
    X(EPARSE, 6)        \
    X(EAUTH, 3)         \
    X(EREAUTH, 3)       \
    X(ESCOPE, 3)        \
    X(ERATELIMIT, 7)    \
    X(EDAILYLIMIT, 7)   \
    X(EZOOM, 6)         \
    X(ESERVER, 5)       \
    X(ENOTFOUND, 6)     \
    X(ECONFLICT, 6)     \
    X(EVALIDATION, 2)   \
    X(ESTORE, 1)        \
    X(ECRYPT, 4)        \
    X(ENOTCONNECTED, 3) \
    X(ESTATE, 3)        \
    X(EPATH, 2)         \
    X(ETOOBIG, 6)       \
    X(ECONFIG, 2)       \
    X(EAMBIGUOUS, 6)    \
    X(EBUSY, 1)         \
    X(ECANCELED, 1)     \
    X(EFORBIDDEN, 3)
// clang-format on

/* The same words as docs/cli.md's "Exit status" table
 * (tests/integration/test_cli_docs.py compares them). */
const char cli_exit_help[] =
    "Exit status:\n"
    "  0  success\n"
    "  1  internal or storage failure\n"
    "  2  bad usage or invalid input (nothing was sent to Zoom), a refused path, or\n"
    "     Zoom's validation error 300\n"
    "  3  not connected, authentication failed, re-authorization needed, or a\n"
    "     missing scope\n"
    "  4  stored secrets cannot be decrypted (wrong master key)\n"
    "  5  network failure, timeout, or Zoom server error (5xx) after the retries\n"
    "  6  Zoom rejected the request (4xx: not found, conflict, ...), its answer was\n"
    "     unusable, or a create's outcome is unknown (check in Zoom before running\n"
    "     it again)\n"
    "  7  rate limited (per-second or daily limit; the daily reset time is printed)\n";

int cli_exit_status(int code)
{
    switch (code) {
    case ZF_OK:
        return 0;
#define CLI_X_EXIT(name, status)                                                                   \
    case ZF_##name:                                                                                \
        return status;
        CLI_EXIT_MAP(CLI_X_EXIT)
#undef CLI_X_EXIT
    }
    return 1;
}

/* How the CLI carries out each piece of advice. {connection} becomes
 * "--profile NAME", {action} the action's command ({action:NAME} names the
 * action here), {field} the connect flag that gives the setting. */
static const zf_hint_row cli_hints[] = {
    {ZF_HINT_CONNECT, "run `zoomflow {connection} connect`"},
    {ZF_HINT_RECONNECT, "run `zoomflow {connection} connect`"},
    {ZF_HINT_LIST_CONNECTIONS, "`zoomflow status --all` lists the profiles; choose one "
                               "with `--profile NAME`"},
    {ZF_HINT_CHECK_CONNECTION, "run `zoomflow {connection} status`, then "
                               "`zoomflow {connection} connect` if it is broken"},
    {ZF_HINT_ADD_SCOPE, "after adding it, run `zoomflow {connection} connect`"},
    {ZF_HINT_SEE_ACTION_HELP, "`zoomflow {action} --help` lists the flags and their types"},
    {ZF_HINT_LIST_USERS, "`zoomflow {action:get_user} --user-id EMAIL` shows that user, "
                         "pending ones too (`zoomflow {action:list_users} --status pending "
                         "--all` lists those)"},
    {ZF_HINT_CHECK_CA_FILE, "pass the bundle with `--ca-file FILE`"},
    {ZF_HINT_TRUST_CA, "pass a private CA with `--ca-file FILE`"},
    {ZF_HINT_RAISE_TIMEOUT, "the timeout is ZOOMFLOW_TIMEOUT or timeout in the config file "
                            "(seconds)"},
    {ZF_HINT_CHECK_API_BASE, "`zoomflow {connection} status` shows the connection's api_url; "
                             "`--api-base URL` overrides it"},
    {ZF_HINT_CHECK_OAUTH_BASE, "pass it with `--oauth-base URL`"},
    {ZF_HINT_APP_CREDENTIALS, "run `zoomflow {connection} connect {field}`"},
    {ZF_HINT_CHECK_REDIRECT_URI, "run `zoomflow {connection} connect --redirect-uri URI` with "
                                 "a URI the Zoom app lists"},
    {ZF_HINT_SET_MASTER_KEY, "a key file is passed with `--key-file FILE`"},
    {ZF_HINT_RESTORE_MASTER_KEY, "a key file is passed with `--key-file FILE`"},
    {ZF_HINT_CHOOSE_DATABASE,
     "pass it with `--db sqlite:PATH` or `--db postgresql://USER@HOST:PORT/DB`"},
    {ZF_HINT_CHOOSE_DIRECTORY,
     "pass it with `zoomflow recordings download --meeting-id ID --dir DIR`"},
    {ZF_HINT_GET_TOKEN, "a stored connection comes from `zoomflow {connection} connect`"},
    {ZF_HINT_NONE, NULL},
};

const zf_hint_row *cli_hint_table(void)
{
    return cli_hints;
}

/* The connect flag that gives a setting the library names by its field. */
static const char *connect_flag(const char *field)
{
    static const struct {
        const char *field, *flag;
    } flags[] = {{"client_id", "--client-id ID"},
                 {"client_secret", "--client-secret-file FILE"},
                 {"account_id", "--s2s --account-id ID"},
                 {"redirect_uri", "--redirect-uri URI"}};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (!strcmp(flags[i].field, field))
            return flags[i].flag;
    return NULL;
}

static int cli_resolve(void *vctx, zf_hint_arg which, const char *value, zf_buf *out)
{
    const cli_hint_ctx *c = vctx;
    const char *v = NULL;
    switch (which) {
    case ZF_HINT_ARG_CONNECTION:
        v = *value ? value : c->profile;
        return v && *v ? zf_buf_appendf(out, "--profile %s", v) : -1;
    case ZF_HINT_ARG_ACTION: {
        const zf_cmd *cmd = *value ? cli_command_for_action(value) : c->cmd;
        return cmd ? zf_buf_puts(out, cmd->name) : -1;
    }
    case ZF_HINT_ARG_FIELD:
        v = connect_flag(value);
        return v ? zf_buf_puts(out, v) : -1;
    case ZF_HINT_ARG_VALUE:
    case ZF_HINT_ARG_COUNT:
        break;
    }
    return *value ? zf_buf_puts(out, value) : -1;
}

int cli_hint_how(zf_buf *out, const zf_error *err, const cli_hint_ctx *c)
{
    return zf_hint_render(out, cli_hints, err, cli_resolve, (void *)c);
}

#define HOW_MAX 1024
#define USAGE_MAX 1024

/* "hint: <words>" and the line that says how to follow them here; 0 when
 * err has no hint at all. */
static int print_hints(const zf_error *err, const cli_hint_ctx *hc)
{
    zf_buf how = ZF_BUF_INIT(HOW_MAX);
    int rendered = cli_hint_how(&how, err, hc) == 1;
    if (err->hint[0])
        fprintf(stderr, "hint: %s\n", err->hint);
    if (rendered)
        fprintf(stderr, "%s%s\n", err->hint[0] ? "      " : "hint: ", zf_buf_cstr(&how));
    zf_buf_free(&how);
    return err->hint[0] || rendered;
}

int cli_fail(cli_ctx *ctx, const zf_error *err)
{
    const char *msg = err->message[0] ? err->message : zf_strerror(err->code);
    fprintf(stderr, "zoomflow: %s\n", msg);
    cli_hint_ctx hc = {ctx ? ctx->cfg.profile : NULL, ctx ? ctx->cmd : NULL};
    print_hints(err, &hc);
    if (ctx && ctx->verbose)
        fprintf(stderr, "(%s, HTTP %d, Zoom code %d, hint %s)\n", zf_code_name(err->code),
                err->http_status, err->zoom_code,
                zf_hint_name(err->hint_id) ? zf_hint_name(err->hint_id) : "?");
    return cli_exit_status(err->code ? err->code : ZF_EIO);
}

int cli_usage_fail(const zf_cmd *cmd, const zf_error *err)
{
    fprintf(stderr, "zoomflow: %s\n", err->message[0] ? err->message : "bad usage");
    zf_buf usage = ZF_BUF_INIT(USAGE_MAX);
    if (!cmd)
        fputs("usage: zoomflow [global options] COMMAND [options]\n", stderr);
    else if (cli_cmd_usage(cmd, &usage) == 0)
        fprintf(stderr, "usage: zoomflow %s%s%s\n", cmd->name, usage.len ? " " : "",
                zf_buf_cstr(&usage));
    zf_buf_free(&usage);
    cli_hint_ctx hc = {NULL, cmd};
    if (!print_hints(err, &hc))
        fprintf(stderr, "hint: see `zoomflow%s%s --help`\n", cmd ? " " : "", cmd ? cmd->name : "");
    /* bad usage, whatever code the parser or a flag's check used */
    return cli_exit_status(err->code == ZF_ENOMEM ? ZF_ENOMEM : ZF_EVALIDATION);
}

int cli_usage_error(const zf_cmd *cmd, const char *fmt, ...)
{
    zf_error err = ZF_ERROR_INIT;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof err.message, fmt, ap);
    va_end(ap);
    err.code = ZF_EVALIDATION;
    return cli_usage_fail(cmd, &err);
}
