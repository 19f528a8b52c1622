/*
 * zoomflow connect: connects a profile to a Zoom account.
 *
 * User OAuth: listens on a loopback port (chosen free at runtime unless the
 * configured redirect URI names one), prints the authorize URL, opens a
 * browser when there is one ($BROWSER, else xdg-open on a desktop), and
 * waits for Zoom's redirect to /callback. The state and PKCE verifier are
 * kept by the library (single use, expiring); the callback is checked there.
 *
 * Server-to-Server (--s2s): account id + client id + secret, token now.
 *
 * The client secret never comes from argv (other users can read it in the
 * process list): --client-secret-file FILE, '-' for stdin, or
 * ZOOMFLOW_CLIENT_SECRET.
 */
#include "cli.h"
#include "input.h"
#include "lib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define SECRET_MAX 4096
#define REQ_HEAD_MAX 8192

typedef struct connect_args {
    int s2s;
    int no_browser;
    long wait_s;
    const char *secret_file;
} connect_args;

static int read_secret(const cli_ctx *ctx, const char *file, zf_secret *out, zf_error *err)
{
    const char *f = file ? file : ctx->cfg.client_secret_file;
    const char *env = getenv("ZOOMFLOW_CLIENT_SECRET");
    zf_buf b = ZF_BUF_INIT(SECRET_MAX);
    int rc = 0;
    if (f) {
        if ((rc = cli_read_file(f, SECRET_MAX, &b, err)) != 0)
            goto done;
    } else if (env && env[0]) {
        zf_buf_puts(&b, env);
    } else {
        rc = zf_error_set(err, ZF_EINVAL, "the client secret is missing");
        zf_error_hint(err, "pass --client-secret-file FILE (or - for stdin), or set "
                           "ZOOMFLOW_CLIENT_SECRET; never put it on the command line");
        goto done;
    }
    while (b.len && (b.ptr[b.len - 1] == '\n' || b.ptr[b.len - 1] == '\r' ||
                     b.ptr[b.len - 1] == ' '))
        b.ptr[--b.len] = '\0';
    if (!b.len) {
        rc = zf_error_set(err, ZF_EINVAL, "the client secret is empty");
        zf_error_hint(err, "copy it from the Zoom App Marketplace (your app > App Credentials)");
        goto done;
    }
    rc = zf_secret_set(out, b.ptr, b.len);
done:
    zf_buf_free(&b);
    return rc;
}

/* http://127.0.0.1:PORT/PATH or http://localhost:PORT/PATH -> port, path. */
static int parse_loopback_uri(const char *uri, int *port, const char **path)
{
    const char *p;
    if (!strncmp(uri, "http://127.0.0.1:", 17))
        p = uri + 17;
    else if (!strncmp(uri, "http://localhost:", 17))
        p = uri + 17;
    else
        return -1;
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p || v < 1 || v > 65535 || *end != '/')
        return -1;
    *port = (int)v;
    *path = end;
    return 0;
}

static int listen_loopback(int port, int *bound, zf_error *err)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return zf_error_set(err, ZF_EIO, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        zf_error_set(err, ZF_EIO, "cannot listen on 127.0.0.1:%d for the OAuth callback: %s",
                     port, strerror(errno));
        zf_error_hint(err, "free that port or change redirect_uri (the Zoom app must list "
                           "the same URI)");
        close(fd);
        return ZF_EIO;
    }
    *bound = ntohs(sa.sin_port);
    return fd;
}

static void reply(int fd, int status, const char *title, const char *text)
{
    char body[2048], head[256];
    int bl = snprintf(body, sizeof body,
                      "<!doctype html><meta charset=utf-8><title>zoomflow</title>"
                      "<body style=\"font-family:sans-serif;margin:3em\"><h1>%s</h1><p>%s</p>"
                      "</body>", title, text);
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                      "Content-Length: %d\r\nCache-Control: no-store\r\n"
                      "Connection: close\r\n\r\n", status, status == 200 ? "OK" : "Bad Request",
                      bl);
    if (write(fd, head, (size_t)hl) == hl && write(fd, body, (size_t)bl) == bl)
        shutdown(fd, SHUT_WR);
}

/* Reads a request head (capped, with a deadline). Returns the target
 * ("/callback?code=..") in out, or -1 for garbage/timeouts. */
static int read_target(int fd, zf_buf *out)
{
    char head[REQ_HEAD_MAX + 1];
    size_t n = 0;
    while (n < REQ_HEAD_MAX) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0)
            return -1;
        ssize_t r = read(fd, head + n, REQ_HEAD_MAX - n);
        if (r <= 0)
            return -1;
        n += (size_t)r;
        head[n] = '\0';
        if (strstr(head, "\r\n\r\n") || strstr(head, "\n\n"))
            break;
    }
    head[n] = '\0';
    if (strncmp(head, "GET ", 4) != 0)
        return -1;
    const char *t = head + 4, *sp = strchr(t, ' ');
    if (!sp || sp == t)
        return -1;
    zf_buf_reset(out);
    zf_buf_append(out, t, (size_t)(sp - t));
    return out->failed ? -1 : 0;
}

static pid_t open_browser(const char *url)
{
    const char *b = getenv("BROWSER");
    const char *argv0 = NULL;
    if (b && b[0])
        argv0 = b;
    else if (getenv("DISPLAY") || getenv("WAYLAND_DISPLAY"))
        argv0 = "xdg-open";
    if (!argv0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *args[] = {(char *)argv0, (char *)url, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, argv0, &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

static int wait_callback(cli_ctx *ctx, int lfd, const char *path, long wait_s,
                         zf_tokens *tk, zf_error *err)
{
    time_t deadline = time(NULL) + wait_s;
    zf_buf target = ZF_BUF_INIT(REQ_HEAD_MAX);
    size_t plen = strlen(path);
    int rc = ZF_ETIMEOUT;
    for (;;) {
        long left = (long)(deadline - time(NULL));
        struct pollfd p = {lfd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)(left * 1000)) <= 0) {
            zf_error_set(err, ZF_ETIMEOUT, "no authorization arrived within %ld s", wait_s);
            zf_error_hint(err, "open the URL above in a browser, sign in with a Zoom admin "
                               "account and click Authorize; or rerun with --wait SECONDS");
            break;
        }
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0)
            continue;
        if (read_target(cfd, &target) != 0) {
            close(cfd);
            continue;
        }
        const char *t = target.ptr;
        if (strncmp(t, path, plen) != 0 || (t[plen] != '?' && t[plen] != '\0')) {
            reply(cfd, 404, "Not found", "This is zoomflow's OAuth callback listener.");
            close(cfd);
            continue;
        }
        const char *q = t[plen] == '?' ? t + plen + 1 : "";
        char *id = NULL;
        rc = zf_tokens_connect_finish(&id, tk, q, strlen(q), err);
        if (rc == 0)
            reply(cfd, 200, "zoomflow is connected to Zoom",
                  "You can close this window and return to the terminal.");
        else
            reply(cfd, 400, "zoomflow could not connect",
                  "The authorization did not complete; the terminal says why.");
        close(cfd);
        free(id);
        break;
    }
    zf_buf_free(&target);
    (void)ctx;
    return rc;
}

static int print_summary(cli_ctx *ctx, zf_tokens *tk)
{
    zf_conn_info info;
    zf_error err = ZF_ERROR_INIT;
    if (zf_tokens_info(&info, tk, ctx->cfg.profile, &err) != 0)
        return cli_fail(ctx, &err);
    printf("Connected profile '%s' (%s) to Zoom account %s.\n", info.id,
           zf_conn_kind_name(info.kind), info.account_id ? info.account_id : "(unknown)");
    if (info.missing_scopes && info.missing_scopes[0])
        printf("Warning: the app lacks these scopes: %s\n"
               "Add them in the Zoom App Marketplace (your app > Scopes) and connect again;\n"
               "actions that need them will fail until then.\n", info.missing_scopes);
    else
        printf("All required scopes are granted.\n");
    zf_conn_info_free(&info);
    return 0;
}

static int run(cli_ctx *ctx, int argc, char **argv);

const zf_cmd zf_cmd_connect = {
    "connect",
    "connect this profile to a Zoom account (OAuth 2.0 or Server-to-Server)",
    "[--s2s] [--client-id ID] [--client-secret-file FILE|-] [--account-id ID]",
    "Options:\n"
    "  --client-id ID             the Zoom app's client id (or client_id in config)\n"
    "  --client-secret-file FILE  read the client secret from FILE; '-' reads stdin;\n"
    "                             or set ZOOMFLOW_CLIENT_SECRET. Never on the command line.\n"
    "  --s2s                      Server-to-Server OAuth app (needs --account-id)\n"
    "  --account-id ID            the Zoom account id (Server-to-Server)\n"
    "  --redirect-uri URI         the callback the Zoom app allows; a loopback URI\n"
    "                             (http://127.0.0.1:PORT/PATH) makes zoomflow listen there.\n"
    "                             Default: http://127.0.0.1:<free port>/callback\n"
    "  --no-browser               only print the authorize URL\n"
    "  --wait SECONDS             how long to wait for the authorization (default 300)\n"
    "\n"
    "The browser comes from $BROWSER, else xdg-open on a desktop. The authorize URL\n"
    "carries a one-time state and a PKCE S256 challenge; the callback is refused when\n"
    "its state is wrong, reused or expired (10 minutes).\n",
    run,
    NULL,
};

static int run(cli_ctx *ctx, int argc, char **argv)
{
    enum { O_ID = 1, O_SECRET, O_S2S, O_ACCOUNT, O_REDIRECT, O_NOBROWSER, O_WAIT, O_BADSECRET };
    static const struct option opts[] = {
        {"client-id", required_argument, NULL, O_ID},
        {"client-secret-file", required_argument, NULL, O_SECRET},
        {"client-secret", required_argument, NULL, O_BADSECRET},
        {"s2s", no_argument, NULL, O_S2S},
        {"account-id", required_argument, NULL, O_ACCOUNT},
        {"redirect-uri", required_argument, NULL, O_REDIRECT},
        {"no-browser", no_argument, NULL, O_NOBROWSER},
        {"wait", required_argument, NULL, O_WAIT},
        {NULL, 0, NULL, 0}};
    connect_args a = {0, 0, 300, NULL};
    zf_error err = ZF_ERROR_INIT;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_ID: cli_cfg_set_flag(&ctx->cfg, "client_id", optarg, &err); break;
        case O_SECRET: a.secret_file = optarg; break;
        case O_BADSECRET:
            return cli_usage_error(&zf_cmd_connect, "--client-secret would expose the secret "
                                   "in the process list; use --client-secret-file FILE (or "
                                   "- for stdin) or ZOOMFLOW_CLIENT_SECRET");
        case O_S2S: a.s2s = 1; break;
        case O_ACCOUNT: cli_cfg_set_flag(&ctx->cfg, "account_id", optarg, &err); break;
        case O_REDIRECT: cli_cfg_set_flag(&ctx->cfg, "redirect_uri", optarg, &err); break;
        case O_NOBROWSER: a.no_browser = 1; break;
        case O_WAIT: {
            long long w;
            if (cli_number(&w, "--wait", optarg, strlen(optarg), 1, 86400, "seconds", &err))
                return cli_usage_error(&zf_cmd_connect, "%s", err.message);
            a.wait_s = (long)w;
            break;
        }
        default:
            return cli_usage_error(&zf_cmd_connect, "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error(&zf_cmd_connect, "unexpected argument '%s'", argv[optind]);
    if (!ctx->cfg.client_id)
        return cli_usage_error(&zf_cmd_connect, "the client id is missing: pass --client-id, "
                               "set ZOOMFLOW_CLIENT_ID, or client_id in the config file");
    if (a.s2s && !ctx->cfg.account_id)
        return cli_usage_error(&zf_cmd_connect, "--s2s needs --account-id (Zoom App "
                               "Marketplace > your app > App Credentials)");

    zf_secret secret = ZF_SECRET_INIT;
    zf_tokens *tk = NULL;
    int rc, lfd = -1;
    pid_t browser = -1;
    zf_oauth_authz authz;
    memset(&authz, 0, sizeof authz);
    zf_buf redirect = ZF_BUF_INIT(2048);
    if ((rc = read_secret(ctx, a.secret_file, &secret, &err)) != 0 ||
        (rc = cli_tokens(ctx, &tk, &err)) != 0)
        goto done;
    zf_connect_cfg cfg = ZF_CONNECT_CFG_INIT;
    cfg.id = ctx->cfg.profile;
    cfg.oauth_base = ctx->cfg.oauth_base;
    cfg.api_base = ctx->cfg.api_base_from == CLI_FROM_DEFAULT ? NULL : ctx->cfg.api_base;
    cfg.client_id = ctx->cfg.client_id;
    cfg.client_secret = zf_secret_reveal(&secret);
    cfg.account_id = ctx->cfg.account_id;
    if (a.s2s) {
        rc = zf_tokens_connect_s2s(tk, &cfg, &err);
        goto done;
    }
    int port = 0, bound = 0;
    const char *path = "/callback";
    if (ctx->cfg.redirect_uri && parse_loopback_uri(ctx->cfg.redirect_uri, &port, &path) != 0) {
        rc = zf_error_set(&err, ZF_ECONFIG, "redirect URI %s is not a loopback URI",
                          ctx->cfg.redirect_uri);
        zf_error_hint(&err, "the CLI receives the callback itself: use "
                            "http://127.0.0.1:PORT/PATH (or localhost), or connect from the "
                            "admin page of `zoomflow serve`");
        goto done;
    }
    if ((lfd = listen_loopback(port, &bound, &err)) < 0) {
        rc = lfd;
        goto done;
    }
    if (ctx->cfg.redirect_uri)
        zf_buf_puts(&redirect, ctx->cfg.redirect_uri);
    else
        zf_buf_appendf(&redirect, "http://127.0.0.1:%d%s", bound, path);
    cfg.redirect_uri = redirect.ptr;
    if ((rc = zf_tokens_connect_begin(&authz, tk, &cfg, &err)) != 0)
        goto done;
    fprintf(stderr, "Open this URL in a browser, sign in with a Zoom admin account and "
                    "click Authorize:\n\n  %s\n\nWaiting for the authorization on %s ...\n",
            authz.url, redirect.ptr);
    if (!a.no_browser)
        browser = open_browser(authz.url);
    rc = wait_callback(ctx, lfd, path, a.wait_s, tk, &err);
done:
    if (lfd >= 0)
        close(lfd);
    if (browser > 0)
        waitpid(browser, NULL, WNOHANG); /* a real browser may stay open */
    zf_oauth_authz_free(&authz);
    zf_secret_free(&secret);
    zf_buf_free(&redirect);
    if (rc)
        return cli_fail(ctx, &err);
    return print_summary(ctx, tk);
}
