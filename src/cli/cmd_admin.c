/* zoomflow admin create / admin list: the service's accounts from the
 * shell, for the deployment's operator. `admin create` makes the first
 * admin of an org (and the org when it is missing), with the password
 * from a file, stdin or a prompt with no echo, never from argv: a
 * command line is visible to every user (ps, /proc/PID/cmdline) and kept
 * in shell history. The org's Zoom connection is the profile named like
 * the org (zoomflow --profile ORG connect). */
#include <errno.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "lib.h"
#include "zoomflow/access.h"
#include "zoomflow/secret.h"
#include "zoomflow/session.h"

#define PASSWORD_FILE_MAX (ZF_PASSWORD_MAX + 2) /* the password and a line end */

typedef struct admin_args {
    const char *org;
    const char *email;
    const char *role;
    const char *password_file;
    const char *password; /* refused: present only to say why */
    const char *name;
    const char *format;
} admin_args;

static const char *const role_choices[] = {"viewer", "operator", "admin", NULL};

static const cli_opt create_opts[] = {
    {.kind = CLI_OPT_VALUE,
     .name = "org",
     .value_name = "ORG",
     .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(admin_args, org),
     .help = "the org (1-40 of a-z, 0-9, '-'); made when missing. Its Zoom\n"
             "connection is the profile of the same name"},
    {.kind = CLI_OPT_VALUE,
     .name = "email",
     .value_name = "EMAIL",
     .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(admin_args, email),
     .help = "the account's email (its sign-in name, lowercased)"},
    {.kind = CLI_OPT_VALUE,
     .name = "role",
     .value_name = "ROLE",
     .at = CLI_AT(admin_args, role),
     .choices = role_choices,
     .help = "admin (the default), operator or viewer"},
    {.kind = CLI_OPT_VALUE,
     .name = "password-file",
     .value_name = "FILE",
     .at = CLI_AT(admin_args, password_file),
     .help = "read the password from FILE ('-' = stdin; one line, its line end\n"
             "dropped); without it the password is asked twice on the terminal"},
    {.kind = CLI_OPT_VALUE,
     .name = "org-name",
     .value_name = "NAME",
     .at = CLI_AT(admin_args, name),
     .help = "the org's display name when it is made (default: the org)"},
    {.kind = CLI_OPT_VALUE,
     .name = "password",
     .flags = CLI_OPT_HIDDEN,
     .at = CLI_AT(admin_args, password)},
    {0}};

static const cli_opt list_opts[] = {
    {.kind = CLI_OPT_VALUE,
     .name = "org",
     .value_name = "ORG",
     .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(admin_args, org),
     .help = "the org whose accounts to list"},
    {.kind = CLI_OPT_VALUE,
     .name = "format",
     .value_name = "FMT",
     .at = CLI_AT(admin_args, format),
     .choices = cli_format_names,
     .help = "table (the default on a terminal), json, ndjson or csv"},
    {0}};

/* "cli:<login>", for the audit log. */
static void actor_of(char *out, size_t cap)
{
    struct passwd *pw = getpwuid(geteuid());
    snprintf(out, cap, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
}

/* One line from the terminal with echo off (the line end dropped). */
static int prompt_line(const char *prompt, zf_buf *out, zf_error *err)
{
    struct termios old, quiet;
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return zf_error_set(err, ZF_EIO, "cannot read the terminal: %s", strerror(errno));
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    /* echo off before the prompt shows, so nothing typed after it is lost */
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
        return zf_error_set(err, ZF_EIO, "cannot turn off the terminal's echo: %s",
                            strerror(errno));
    fputs(prompt, stderr);
    fflush(stderr);
    int rc = 0, c;
    zf_buf_reset(out);
    while ((c = getchar()) != EOF && c != '\n')
        if (zf_buf_putc(out, (char)c) != 0) {
            rc = zf_error_set(err, ZF_EVALIDATION, "the password is longer than %d bytes",
                              ZF_PASSWORD_MAX);
            break;
        }
    tcsetattr(STDIN_FILENO, TCSANOW, &old); /* keeps what is typed ahead */
    if (out->len && out->ptr[out->len - 1] == '\r')
        out->ptr[--out->len] = '\0';
    return rc;
}

/* The password into *pw: from the file (or stdin), or asked twice on the
 * terminal. */
static int read_password(const admin_args *a, const char *email, zf_secret *pw, zf_error *err)
{
    zf_buf b = ZF_BUF_INIT(PASSWORD_FILE_MAX), again = ZF_BUF_INIT(PASSWORD_FILE_MAX);
    int rc = 0;
    if (a->password_file) {
        if ((rc = cli_read_file(a->password_file, PASSWORD_FILE_MAX, &b, err)) != 0)
            goto done;
        if (b.len && b.ptr[b.len - 1] == '\n')
            b.ptr[--b.len] = '\0';
        if (b.len && b.ptr[b.len - 1] == '\r')
            b.ptr[--b.len] = '\0';
        if (memchr(b.ptr ? b.ptr : "", '\n', b.len)) {
            rc = zf_error_set(err, ZF_EVALIDATION, "the password file %s holds more than one line",
                              a->password_file);
            zf_error_hint(err, "put the password alone on the file's one line");
            goto done;
        }
    } else if (isatty(STDIN_FILENO)) {
        char prompt[ZF_EMAIL_MAX + 32];
        snprintf(prompt, sizeof prompt, "Password for %s: ", email);
        if ((rc = prompt_line(prompt, &b, err)) != 0 ||
            (rc = prompt_line("Password again: ", &again, err)) != 0)
            goto done;
        if (b.len != again.len || (b.len && memcmp(b.ptr, again.ptr, b.len) != 0)) {
            rc = zf_error_set(err, ZF_EVALIDATION, "the two passwords differ");
            zf_error_hint(err, "run the command again and type the same password twice");
            goto done;
        }
    } else {
        rc = zf_error_set(err, ZF_EVALIDATION,
                          "no password given, and stdin is not a terminal "
                          "to ask on");
        zf_error_hint(err, "pass --password-file FILE, or --password-file - to read it from "
                           "stdin");
        goto done;
    }
    if ((rc = zf_password_check(b.ptr, b.len, err)) != 0) {
        zf_error_restate(err, rc, "password refused: %s", err->message);
        zf_error_hint(err, "choose a password of 10 to 1024 characters with at least 5 "
                           "different ones");
        goto done;
    }
    if (zf_secret_set(pw, b.ptr ? b.ptr : "", b.len) != 0)
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
done:
    if (b.ptr)
        memset(b.ptr, 0, b.len);
    if (again.ptr)
        memset(again.ptr, 0, again.len);
    zf_buf_free(&b);
    zf_buf_free(&again);
    return rc;
}

static int open_access(cli_ctx *ctx, zf_access **out, zf_error *err)
{
    zf_session *s = NULL;
    zf_store *st = NULL;
    int rc = cli_session(ctx, &s, err);
    if (rc == 0)
        rc = zf_session_store(s, &st, err);
    if (rc == 0)
        rc = zf_access_new(out, st, NULL, err);
    return rc;
}

static int run_create(cli_ctx *ctx, int argc, char **argv)
{
    admin_args a = {0};
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    if (status)
        return status;
    if (a.password)
        return cli_usage_error(ctx->cmd,
                               "--password is refused: a password on the command line is seen "
                               "by every user of the machine (ps, /proc) and kept in shell "
                               "history; use --password-file FILE, --password-file - (stdin) "
                               "or the prompt");
    zf_error err = ZF_ERROR_INIT;
    zf_role role = ZF_ROLE_ADMIN;
    if (a.role && zf_role_parse(a.role, &role, &err) != 0)
        return cli_usage_fail(ctx->cmd, &err);
    if (zf_org_slug_check(a.org, &err) != 0)
        return cli_usage_fail(ctx->cmd, &err);
    char actor[300];
    actor_of(actor, sizeof actor);
    zf_access *ac = NULL;
    zf_secret pw = ZF_SECRET_INIT;
    zf_org org;
    zf_account acc = {0};
    int rc = open_access(ctx, &ac, &err), made_org = 0, created = 0;
    if (rc == 0 && (rc = zf_org_get(ac, a.org, &org, &err)) == 0)
        zf_org_free(&org);
    if (rc == ZF_ENOTFOUND && (rc = zf_org_create(ac, a.org, a.name, actor, &err)) == 0)
        made_org = 1;
    /* an email with an account already keeps its password: none is asked */
    int exists = 0;
    size_t n = strlen(a.email);
    if (rc == 0 && n <= ZF_EMAIL_MAX) {
        zf_error quiet = ZF_ERROR_INIT;
        zf_store_account known;
        char lower[ZF_EMAIL_MAX + 1];
        for (size_t i = 0; i <= n; i++)
            lower[i] =
                (char)(a.email[i] >= 'A' && a.email[i] <= 'Z' ? a.email[i] + 32 : a.email[i]);
        if (zf_store_account_get_by_email(zf_access_store(ac), lower, &known, &quiet) == 0) {
            exists = 1;
            zf_store_account_free(&known);
        }
    }
    if (rc == 0 && !exists)
        rc = read_password(&a, a.email, &pw, &err);
    if (rc == 0) {
        zf_account_new_req r = ZF_ACCOUNT_NEW_REQ_INIT;
        r.org = a.org;
        r.email = a.email;
        r.role = role;
        r.password = exists ? NULL : zf_secret_reveal(&pw);
        r.password_len = exists ? 0 : pw.len;
        r.actor = actor;
        rc = zf_account_create(ac, &r, &acc, &created, &err);
    }
    zf_secret_free(&pw);
    if (rc == 0) {
        if (made_org)
            printf("Created org '%s'. Its Zoom connection is the profile '%s' "
                   "(zoomflow --profile %s connect).\n",
                   a.org, a.org, a.org);
        printf("%s account %s (id %lld) as %s of org '%s'%s.\n", created ? "Created" : "Added",
               acc.email, (long long)acc.id, zf_role_name(acc.role), a.org,
               created ? "" : "; it keeps the password it has");
    }
    zf_account_free(&acc);
    zf_access_free(ac);
    if (rc == ZF_EVALIDATION)
        return cli_usage_fail(ctx->cmd, &err);
    return rc ? cli_fail(ctx, &err) : 0;
}

static const char *const list_columns[] = {"id", "email", "role", "disabled", "created_at", NULL};

static int run_list(cli_ctx *ctx, int argc, char **argv)
{
    admin_args a = {0};
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    if (status)
        return status;
    zf_error err = ZF_ERROR_INIT;
    cli_format fmt = ctx->out_tty ? CLI_FMT_TABLE : CLI_FMT_JSON;
    if (a.format && cli_format_parse(a.format, &fmt, &err) != 0)
        return cli_usage_fail(ctx->cmd, &err);
    if (fmt == CLI_FMT_AUTO)
        fmt = ctx->out_tty ? CLI_FMT_TABLE : CLI_FMT_JSON;
    zf_access *ac = NULL;
    zf_account *list = NULL;
    zf_org org;
    size_t n = 0;
    cli_out *out = NULL;
    int rc = open_access(ctx, &ac, &err);
    if (rc == 0 && (rc = zf_org_get(ac, a.org, &org, &err)) == 0)
        zf_org_free(&org);
    if (rc == 0)
        rc = zf_account_list(ac, a.org, &list, &n, &err);
    if (rc == 0 && cli_out_new(&out, stdout, fmt, ctx->out_tty, list_columns) != 0)
        rc = zf_error_set(&err, ZF_ENOMEM, "out of memory");
    if (rc == 0 && cli_out_list(out, "accounts") != 0)
        rc = zf_error_set(&err, ZF_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *item =
            json_pack("{sI ss ss sb sI}", "id", (json_int_t)list[i].id, "email", list[i].email,
                      "role", zf_role_name(list[i].role) ? zf_role_name(list[i].role) : "none",
                      "disabled", list[i].disabled, "created_at", (json_int_t)list[i].created_at);
        if (!item || cli_out_item(out, item) != 0)
            rc = zf_error_set(&err, ZF_ENOMEM, "out of memory");
        json_decref(item);
    }
    if (out) {
        if (rc)
            cli_out_failed(out);
        cli_out_end(out);
    }
    zf_account_free_list(list, n);
    zf_access_free(ac);
    if (rc == ZF_EVALIDATION)
        return cli_usage_fail(ctx->cmd, &err);
    return rc ? cli_fail(ctx, &err) : 0;
}

const zf_cmd zf_cmd_admin_create = {
    .name = "admin create",
    .summary = "make an account of the service (the first admin of an org)",
    .opts = create_opts,
    .help = "Makes the account with the role in the org, and the org when it is missing. An\n"
            "email that already has an account (in another org) joins this one and keeps\n"
            "its password. The password is read from --password-file (- for stdin) or\n"
            "asked twice on the terminal, never taken from the command line (--password\n"
            "is refused: other users see a command line, and shell history keeps it).\n"
            "It must be 10 to 1024 characters with at least 5 different ones; it is\n"
            "stored as an argon2id hash. The org's Zoom connection is the profile named\n"
            "like the org: zoomflow --profile ORG connect. Recorded in the org's audit\n"
            "log as cli:<login>.\n",
    .run = run_create,
};

const zf_cmd zf_cmd_admin_list = {
    .name = "admin list",
    .summary = "list an org's accounts and their roles",
    .opts = list_opts,
    .help = "One row per account of the org: id, email, role, disabled, created_at (unix\n"
            "seconds). Never a password or its hash.\n",
    .run = run_list,
};
