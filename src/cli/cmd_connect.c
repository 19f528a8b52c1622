/*
 * zoomflow connect: connects a profile to a Zoom account.
 *
 * User OAuth: listens on a loopback port (chosen free at runtime unless the
 * configured redirect URI names one), prints the authorize URL, opens a
 * browser when there is one ($BROWSER, else xdg-open on a desktop), and
 * waits for Zoom's redirect to /callback. The state and PKCE verifier are
 * kept by the library (single use, expiring); the callback is checked there.
 * The listener itself only passes on the request whose Host, Origin, path
 * and state are this attempt's (zoomflow/oauth_loopback.h); it answers every
 * other request with a page saying why and keeps waiting.
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
#include "zoomflow/oauth_loopback.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct connect_args {
    int s2s;
    int no_browser;
    long wait_s;
    const char *secret_file;
    const char *wait; /* --wait as given */
    int force;        /* connect even when another profile holds this app's grant */
} connect_args;

/* http://127.0.0.1:PORT/PATH or http://localhost:PORT/PATH -> host, port,
 * path; false for any other URI. */
static bool parse_loopback_uri(const char *uri, const char **host, int *port, const char **path)
{
    static const char *const hosts[] = {"127.0.0.1", "localhost"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        char prefix[32];
        int n = snprintf(prefix, sizeof prefix, "http://%s:", hosts[i]);
        if (strncmp(uri, prefix, (size_t)n) != 0)
            continue;
        const char *p = uri + n;
        size_t digits = strspn(p, "0123456789");
        long long v;
        if (p[digits] != '/' || cli_parse_int(p, digits, 1, 65535, &v) != 0)
            return false;
        *host = hosts[i];
        *port = (int)v;
        *path = p + digits;
        return true;
    }
    return false;
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
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        zf_error_set(err, ZF_EIO, "cannot listen on 127.0.0.1:%d for the OAuth callback: %s", port,
                     strerror(errno));
        zf_error_hint(err, "free that port or change redirect_uri (the Zoom app must list "
                           "the same URI)");
        close(fd);
        return ZF_EIO;
    }
    *bound = ntohs(sa.sin_port);
    return fd;
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

/*
 * The callback listener: one thread polling the listening socket and up to
 * SLOTS connections at once, so idle or slow connections cannot hold the
 * real callback back. Each connection has HEAD_MS to send its request head;
 * when all slots are busy the oldest connection makes room. What each one
 * sent is judged by zf_oauth_loopback_decide (pure, fuzzed); refused
 * requests get a page saying why and the wait goes on until the callback
 * with this attempt's state arrives or --wait ends. An answered connection
 * is drained (up to DRAIN_MAX bytes, DRAIN_MS) before it is closed, so that
 * unread request bytes do not turn the answer into a reset.
 */
#define SLOTS 16
#define HEAD_MS 5000
#define DRAIN_MS 1000
#define DRAIN_MAX 65536
#define NOTES_MAX 10 /* refused requests reported on stderr */

typedef struct slot {
    int fd; /* -1: free */
    int draining;
    long long opened_ms, deadline_ms;
    size_t len, drained;
    char buf[ZF_LOOPBACK_HEAD_MAX + 2];
} slot;

typedef struct listener {
    int lfd;
    slot *slots;
    zf_oauth_loopback_expect ex;
    const char *redirect_uri;
    int refused, callbacks;         /* requests refused; those that reached the callback checks */
    zf_oauth_loopback_verdict last; /* the last refused callback */
} listener;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reply(int fd, int status, const char *title, const char *text)
{
    char msg[3072];
    int bl = snprintf(msg, sizeof msg,
                      "<!doctype html><meta charset=utf-8><title>zoomflow</title>"
                      "<body style=\"font-family:sans-serif;margin:3em\"><h1>%s</h1><p>%s</p>"
                      "</body>\n",
                      title, text);
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                      "Content-Length: %d\r\nCache-Control: no-store\r\n"
                      "Connection: close\r\n\r\n",
                      status, zf_oauth_loopback_status_text(status), bl);
    /* small enough for an empty socket buffer; a client that does not read
     * loses its answer, nothing else. MSG_NOSIGNAL: a client that closed
     * first must not kill connect with SIGPIPE. */
    if (send(fd, head, (size_t)hl, MSG_NOSIGNAL) == hl &&
        send(fd, msg, (size_t)bl, MSG_NOSIGNAL) == bl)
        shutdown(fd, SHUT_WR);
}

static void slot_close(slot *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

static void slot_answer(slot *s, int status, const char *title, const char *text)
{
    reply(s->fd, status, title, text);
    s->draining = 1;
    s->drained = 0;
    s->deadline_ms = now_ms() + DRAIN_MS;
}

static void refuse(listener *l, slot *s, const zf_oauth_loopback_verdict *v)
{
    char text[512];
    snprintf(text, sizeof text,
             "zoomflow refused this request: %s. It is still waiting for "
             "Zoom's redirect with the authorization of the URL it printed.",
             v->reason);
    slot_answer(s, v->status, "This request was not accepted", text);
    if (v->kind != ZF_LOOPBACK_NOT_CALLBACK) {
        l->callbacks++;
        l->last = *v;
    }
    if (++l->refused <= NOTES_MAX)
        fprintf(stderr, "Refused a request to the callback listener (%d %s: %s)%s\n", v->status,
                zf_oauth_loopback_status_text(v->status), v->reason,
                l->refused == NOTES_MAX ? "; further refusals are not shown" : "");
}

static void accept_all(listener *l)
{
    int fd;
    while ((fd = accept(l->lfd, NULL, NULL)) >= 0) {
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        slot *s = NULL, *oldest = &l->slots[0];
        for (int i = 0; i < SLOTS && !s; i++) {
            if (l->slots[i].fd < 0)
                s = &l->slots[i];
            else if (l->slots[i].opened_ms < oldest->opened_ms)
                oldest = &l->slots[i];
        }
        if (!s) {
            slot_close(oldest);
            s = oldest;
        }
        s->fd = fd;
        s->draining = 0;
        s->len = 0;
        s->opened_ms = now_ms();
        s->deadline_ms = s->opened_ms + HEAD_MS;
    }
}

/* Reads what the connection sent. 1 when it is this attempt's callback. */
static int serve(listener *l, slot *s, long long now, zf_oauth_loopback_verdict *v)
{
    if (s->draining) {
        char sink[4096];
        ssize_t r = read(s->fd, sink, sizeof sink);
        if (r > 0)
            s->drained += (size_t)r;
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR) || now >= s->deadline_ms ||
            s->drained > DRAIN_MAX)
            slot_close(s);
        return 0;
    }
    ssize_t r = read(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len);
    if (r < 0 && errno != EAGAIN && errno != EINTR) {
        slot_close(s);
        return 0;
    }
    if (r > 0)
        s->len += (size_t)r;
    s->buf[s->len] = '\0';
    zf_oauth_loopback_decide(v, s->buf, s->len, r == 0, &l->ex);
    if (v->outcome == ZF_LOOPBACK_MORE && now >= s->deadline_ms) {
        slot_answer(s, 408, "This request was not accepted",
                    "The request did not arrive within 5 seconds.");
        return 0;
    }
    if (v->outcome == ZF_LOOPBACK_REFUSE)
        refuse(l, s, v);
    return v->outcome == ZF_LOOPBACK_FINISH;
}

/* Waits until a slot holds this attempt's callback: its index, or
 * ZF_ETIMEOUT when the deadline passes, ZF_EIO when poll fails (errno). */
static int listen_for_callback(listener *l, long long deadline, zf_oauth_loopback_verdict *v)
{
    struct pollfd pf[SLOTS + 1];
    int map[SLOTS + 1];
    for (;;) {
        long long now = now_ms(), wake = deadline;
        if (now >= deadline)
            return ZF_ETIMEOUT;
        int n = 0;
        pf[n++] = (struct pollfd){l->lfd, POLLIN, 0};
        for (int i = 0; i < SLOTS; i++) {
            if (l->slots[i].fd < 0)
                continue;
            map[n] = i;
            pf[n++] = (struct pollfd){l->slots[i].fd, POLLIN, 0};
            if (l->slots[i].deadline_ms < wake)
                wake = l->slots[i].deadline_ms;
        }
        if (poll(pf, (nfds_t)n, (int)(wake > now ? wake - now : 0)) < 0 && errno != EINTR)
            return ZF_EIO;
        now = now_ms();
        for (int k = 1; k < n; k++) {
            slot *s = &l->slots[map[k]];
            if ((pf[k].revents || now >= s->deadline_ms) && serve(l, s, now, v))
                return map[k];
        }
        if (pf[0].revents & POLLIN)
            accept_all(l);
    }
}

/* --wait ended without this attempt's callback. */
static int no_callback(const listener *l, const char *client_id, long wait_s, zf_error *err)
{
    const char *redirect = l->redirect_uri;
    if (l->callbacks) {
        int rc = l->last.kind == ZF_LOOPBACK_WRONG_STATE ? ZF_ESTATE : ZF_EAUTH;
        zf_error_set(err, rc,
                     "no usable OAuth callback arrived within %ld s: the last one was "
                     "refused because %s",
                     wait_s, l->last.reason);
        zf_error_hint(err, "run `zoomflow connect` again and finish in the browser it opens; "
                           "a link from an earlier attempt does not work");
        return rc;
    }
    zf_error_set(err, ZF_EAUTH,
                 "no authorization arrived within %ld s; most likely Zoom "
                 "refused the authorization request (\"Authentication failure\"): the app's "
                 "redirect URL is not %s, or client id %s is wrong%s",
                 wait_s, redirect, client_id,
                 l->refused ? " (other requests to the listener were refused)" : "");
    zf_error_hint(err,
                  "Zoom shows that error in the browser and does not redirect. In the "
                  "Zoom App Marketplace (your app > App Credentials) add exactly %s as "
                  "a redirect URL and allow-list it, check the client id, and run "
                  "`zoomflow connect` again (--wait SECONDS allows more time)",
                  redirect);
    return ZF_EAUTH;
}

static int wait_callback(cli_ctx *ctx, int lfd, const zf_oauth_loopback_expect *ex,
                         const char *redirect_uri, long wait_s, zf_tokens *tk, zf_error *err)
{
    listener l;
    memset(&l, 0, sizeof l);
    l.lfd = lfd;
    l.ex = *ex;
    l.redirect_uri = redirect_uri;
    if (!(l.slots = calloc(SLOTS, sizeof *l.slots)))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    for (int i = 0; i < SLOTS; i++)
        l.slots[i].fd = -1;
    int flags = fcntl(lfd, F_GETFL);
    fcntl(lfd, F_SETFL, flags | O_NONBLOCK);
    zf_oauth_loopback_verdict v;
    int rc, i = listen_for_callback(&l, now_ms() + wait_s * 1000, &v);
    if (i == ZF_EIO) {
        rc =
            zf_error_set(err, ZF_EIO, "waiting for the OAuth callback failed: %s", strerror(errno));
    } else if (i < 0) {
        rc = no_callback(&l, ctx->cfg.client_id, wait_s, err);
    } else {
        char *id = NULL;
        rc = zf_tokens_connect_finish(&id, tk, v.query, v.query_len, err);
        free(id);
        if (rc == 0)
            reply(l.slots[i].fd, 200, "zoomflow is connected to Zoom",
                  "You can close this window and return to the terminal.");
        else
            reply(l.slots[i].fd, 400, "zoomflow could not connect",
                  "The authorization did not complete; the terminal says why.");
    }
    for (int k = 0; k < SLOTS; k++)
        slot_close(&l.slots[k]);
    free(l.slots);
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
               "actions that need them will fail until then.\n",
               info.missing_scopes);
    else
        printf("All required scopes are granted.\n");
    if (info.scopes) {
        json_t *u = cli_unavailable_actions(info.scopes);
        if (json_array_size(u))
            printf("%zu commands need a scope the app was not granted (add it in the app's "
                   "Scopes to use them):\n",
                   json_array_size(u));
        json_decref(u);
        cli_print_unavailable(info.scopes, "  ");
    }
    zf_conn_info_free(&info);
    return 0;
}

/*
 * Zoom keeps one grant per user and app: authorizing an app again as the
 * same user revokes the earlier grant ("last token issued is valid", 4741;
 * zoom-api.md §B4). So a second profile connected with the same client id
 * at the same OAuth base kills the first if the same user signs in. Which
 * user signs in is known only after the exchange, so connect refuses
 * beforehand while another such profile is VALID, unless --force; after a
 * forced connect, the profiles whose grant (by the access token's user)
 * was that user's are marked NEEDS_REAUTH with the reason, so `status`
 * and their next call say it. Server-to-Server tokens do not supersede
 * each other ("several tokens may be live at once", zoom-api.md §B4).
 */
typedef struct same_app {
    zf_conn_info *v;
    size_t n;
} same_app;

static void same_app_free(same_app *o)
{
    for (size_t i = 0; i < o->n; i++)
        zf_conn_info_free(&o->v[i]);
    free(o->v);
    o->v = NULL;
    o->n = 0;
}

/* The other VALID user-OAuth profiles with this client id and OAuth base. */
static int find_same_app(cli_ctx *ctx, zf_tokens *tk, same_app *out, zf_error *err)
{
    char **ids = NULL;
    size_t n = 0;
    memset(out, 0, sizeof *out);
    int rc = zf_tokens_list(&ids, &n, tk, err);
    if (rc == 0 && n && !(out->v = calloc(n, sizeof *out->v)))
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        zf_conn_info info;
        if (rc == 0 && strcmp(ids[i], ctx->cfg.profile) != 0 &&
            (rc = zf_tokens_info(&info, tk, ids[i], err)) == 0) {
            if (info.kind == ZF_CONN_OAUTH && info.state == ZF_CONN_VALID && info.client_id &&
                info.oauth_base && !strcmp(info.client_id, ctx->cfg.client_id) &&
                !strcmp(info.oauth_base, ctx->cfg.oauth_base))
                out->v[out->n++] = info;
            else
                zf_conn_info_free(&info);
        }
        free(ids[i]);
    }
    free(ids);
    if (rc)
        same_app_free(out);
    return rc;
}

static int refuse_same_app(const same_app *o, const char *client_id, zf_error *err)
{
    const zf_conn_info *i = &o->v[0];
    char who[256] = "";
    if (i->user_id || i->account_id)
        snprintf(who, sizeof who, " for Zoom user %s of account %s",
                 i->user_id ? i->user_id : "(unknown)",
                 i->account_id ? i->account_id : "(unknown)");
    zf_error_set(err, ZF_EVALIDATION,
                 "profile '%s' is already connected with this Zoom app "
                 "(client id %s)%s; Zoom keeps one grant per user and app, so authorizing it "
                 "again as the same Zoom user revokes the grant of '%s' and its next call "
                 "fails%s",
                 i->id, client_id, who, i->id,
                 o->n > 1 ? " (more profiles use this app: `zoomflow status --all` lists them)"
                          : "");
    zf_error_hint(err,
                  "nothing was sent to Zoom. For that user use `zoomflow --profile %s`; "
                  "to connect another Zoom user with this app, or to move the grant here "
                  "anyway ('%s' is then marked NEEDS_REAUTH), run the same command with "
                  "--force",
                  i->id, i->id);
    return ZF_EVALIDATION;
}

/* After a forced connect: the profiles whose grant was the same user's are
 * revoked by Zoom now; they are marked so. */
static void mark_superseded(cli_ctx *ctx, zf_tokens *tk, const same_app *o)
{
    zf_conn_info me;
    zf_error err = ZF_ERROR_INIT;
    if (!o->n || zf_tokens_info(&me, tk, ctx->cfg.profile, &err) != 0)
        return;
    for (size_t k = 0; k < o->n; k++) {
        const zf_conn_info *i = &o->v[k];
        if (!me.user_id || !i->user_id) {
            fprintf(stderr,
                    "warning: profile '%s' uses the same Zoom app; if it was "
                    "connected as the same Zoom user, Zoom has revoked it (`zoomflow "
                    "--profile %s status` checks)\n",
                    i->id, i->id);
            continue;
        }
        if (strcmp(me.user_id, i->user_id) != 0)
            continue; /* another user's grant: untouched by Zoom */
        char reason[512];
        snprintf(reason, sizeof reason,
                 "revoked by Zoom: profile '%s' was connected with "
                 "the same app (client id %s) for the same Zoom user (%s), and Zoom keeps one "
                 "grant per user and app; connecting this profile again as that user "
                 "revokes '%s' in turn",
                 me.id, me.client_id ? me.client_id : "?", me.user_id, me.id);
        if (zf_tokens_mark_reauth(tk, i->id, reason, &err) == 0)
            fprintf(stderr,
                    "warning: profile '%s' was connected as the same Zoom user with "
                    "the same app; Zoom revoked its grant, so it is now marked "
                    "NEEDS_REAUTH (`zoomflow --profile %s connect --force` moves "
                    "the grant back)\n",
                    i->id, i->id);
        else
            fprintf(stderr,
                    "warning: Zoom revoked the grant of profile '%s' (same user and "
                    "app), but marking it failed: %s\n",
                    i->id, err.message);
    }
    zf_conn_info_free(&me);
}

static int run(cli_ctx *ctx, int argc, char **argv);

/* Options with no member set the configuration (cli_cfg_set_flag) under
 * their own name, '-' read as '_': --client-id -> client_id. */
enum { CONNECT_SETTING = 1, CONNECT_ARGV_SECRET };

static const cli_opt connect_opts[] = {
    {.kind = CLI_OPT_VALUE,
     .name = "client-id",
     .value_name = "ID",
     .id = CONNECT_SETTING,
     .help = "the Zoom app's client id (or client_id in config)"},
    {.kind = CLI_OPT_VALUE,
     .name = "client-secret-file",
     .value_name = "FILE",
     .at = CLI_AT(connect_args, secret_file),
     .help = "read the client secret from FILE; '-' reads stdin;\n"
             "or set ZOOMFLOW_CLIENT_SECRET. Never on the command line."},
    {.kind = CLI_OPT_VALUE,
     .name = "client-secret",
     .value_name = "SECRET",
     .id = CONNECT_ARGV_SECRET,
     .flags = CLI_OPT_HIDDEN,
     .help = "refused: it would show in the process list"},
    {.kind = CLI_OPT_SWITCH,
     .name = "s2s",
     .at = CLI_AT(connect_args, s2s),
     .help = "Server-to-Server OAuth app (needs --account-id)"},
    {.kind = CLI_OPT_VALUE,
     .name = "account-id",
     .value_name = "ID",
     .id = CONNECT_SETTING,
     .help = "the Zoom account id (Server-to-Server)"},
    {.kind = CLI_OPT_VALUE,
     .name = "redirect-uri",
     .value_name = "URI",
     .id = CONNECT_SETTING,
     .help = "the callback the Zoom app allows; a loopback URI\n"
             "(http://127.0.0.1:PORT/PATH) makes zoomflow listen\n"
             "there. Default: http://127.0.0.1:<free port>/callback"},
    {.kind = CLI_OPT_SWITCH,
     .name = "no-browser",
     .at = CLI_AT(connect_args, no_browser),
     .help = "only print the authorize URL"},
    {.kind = CLI_OPT_SWITCH,
     .name = "force",
     .at = CLI_AT(connect_args, force),
     .help = "connect even though another profile holds a grant\n"
             "of this app (Zoom revokes it if the same user signs\n"
             "in; that profile is then marked NEEDS_REAUTH)"},
    {.kind = CLI_OPT_VALUE,
     .name = "wait",
     .value_name = "SECONDS",
     .at = CLI_AT(connect_args, wait),
     .help = "seconds to wait for the authorization (default 300)"},
    {.kind = CLI_OPT_VALUE,
     .name = "authorize-endpoint",
     .value_name = "E",
     .id = CONNECT_SETTING,
     .help = "the OAuth authorize endpoint: a path under the OAuth\n"
             "base or a URL (default Zoom's /oauth/authorize)"},
    {.kind = CLI_OPT_VALUE,
     .name = "token-endpoint",
     .value_name = "E",
     .id = CONNECT_SETTING,
     .help = "the token endpoint (default /oauth/token); kept\n"
             "with the connection for refreshes"},
    {.kind = CLI_OPT_VALUE,
     .name = "revoke-endpoint",
     .value_name = "E",
     .id = CONNECT_SETTING,
     .help = "the revocation endpoint (default /oauth/revoke);\n"
             "kept with the connection for disconnect"},
    {0}};

const zf_cmd zf_cmd_connect = {
    .name = "connect",
    .summary = "connect this profile to a Zoom account (OAuth 2.0 or Server-to-Server)",
    .opts = connect_opts,
    .help = "The browser comes from $BROWSER, else xdg-open on a desktop. The authorize URL\n"
            "carries a one-time state and a PKCE S256 challenge. The listener takes only the\n"
            "callback with that state, on the redirect URI's path, with a Host (and Origin, if\n"
            "any) naming the redirect URI's host:port; it answers other requests with a page\n"
            "saying why and keeps waiting. That callback ends connect even when it carries an\n"
            "error (declined) or comes after the state expired (10 minutes). No callback at all\n"
            "by the end of --wait usually means Zoom refused the redirect URI or client id on\n"
            "its own page (exit 3).\n"
            "Zoom keeps one grant per user and app: connecting a second profile with the same\n"
            "client id for the same Zoom user revokes the first. So connect refuses (exit 2,\n"
            "nothing sent) while another profile holds a valid grant of this app, unless\n"
            "--force; after a forced connect as the same user the other profile is marked\n"
            "NEEDS_REAUTH, and `zoomflow status` says why.\n",
    .run = run,
};

static int on_setting(void *vctx, const cli_opt *o, const char *key, const char *value,
                      zf_error *err)
{
    cli_ctx *ctx = vctx;
    if (o->id == CONNECT_ARGV_SECRET)
        return zf_error_set(err, ZF_EVALIDATION,
                            "--client-secret would expose the secret in "
                            "the process list; use --client-secret-file FILE (or - for stdin) "
                            "or ZOOMFLOW_CLIENT_SECRET");
    char setting[64];
    snprintf(setting, sizeof setting, "%s", o->name);
    for (char *p = setting; *p; p++)
        if (*p == '-')
            *p = '_';
    return cli_cfg_set_flag(&ctx->cfg, setting, value, err);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    connect_args a = {0, 0, 300, NULL, NULL, 0};
    zf_error err = ZF_ERROR_INIT;
    int status = cli_parse_args(ctx->cmd, &a, on_setting, ctx, argc, argv);
    if (status)
        return status;
    long long w;
    if (a.wait && cli_number(&w, "--wait", a.wait, strlen(a.wait), 1, 86400, "seconds", &err))
        return cli_usage_fail(ctx->cmd, &err);
    if (a.wait)
        a.wait_s = (long)w;
    if (!ctx->cfg.client_id)
        return cli_usage_error(&zf_cmd_connect,
                               "the client id is missing: pass --client-id, "
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
    zf_buf redirect = ZF_BUF_INIT(2048), authority = ZF_BUF_INIT(64);
    same_app others = {NULL, 0};
    if ((rc = cli_client_secret(&ctx->cfg, a.secret_file, 1, &secret, &err)) != 0 ||
        (rc = cli_tokens(ctx, &tk, &err)) != 0)
        goto done;
    zf_connect_cfg cfg = ZF_CONNECT_CFG_INIT;
    cfg.id = ctx->cfg.profile;
    cfg.oauth_base = ctx->cfg.oauth_base;
    cfg.api_base = ctx->cfg.api_base_from == CLI_FROM_DEFAULT ? NULL : ctx->cfg.api_base;
    cfg.client_id = ctx->cfg.client_id;
    cfg.client_secret = zf_secret_reveal(&secret);
    cfg.account_id = ctx->cfg.account_id;
    cfg.authorize_endpoint = ctx->cfg.authorize_endpoint;
    cfg.token_endpoint = ctx->cfg.token_endpoint;
    cfg.revoke_endpoint = ctx->cfg.revoke_endpoint;
    if (a.s2s) {
        rc = zf_tokens_connect_s2s(tk, &cfg, &err);
        goto done;
    }
    if ((rc = find_same_app(ctx, tk, &others, &err)) != 0)
        goto done;
    if (others.n && !a.force) {
        rc = refuse_same_app(&others, ctx->cfg.client_id, &err);
        goto done;
    }
    int port = 0, bound = 0;
    const char *path = "/callback", *host = "127.0.0.1";
    if (ctx->cfg.redirect_uri && !parse_loopback_uri(ctx->cfg.redirect_uri, &host, &port, &path)) {
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
    fprintf(stderr,
            "Open this URL in a browser, sign in with a Zoom admin account and "
            "click Authorize:\n\n  %s\n\nWaiting for the authorization on %s ...\n",
            authz.url, redirect.ptr);
    if (!a.no_browser)
        browser = open_browser(authz.url);
    zf_buf_appendf(&authority, "%s:%d", host, bound);
    zf_oauth_loopback_expect ex = {authority.ptr, path, authz.state};
    rc = wait_callback(ctx, lfd, &ex, redirect.ptr, a.wait_s, tk, &err);
    if (rc == 0)
        mark_superseded(ctx, tk, &others);
done:
    same_app_free(&others);
    if (lfd >= 0)
        close(lfd);
    if (browser > 0)
        waitpid(browser, NULL, WNOHANG); /* a real browser may stay open */
    zf_oauth_authz_free(&authz);
    zf_secret_free(&secret);
    zf_buf_free(&redirect);
    zf_buf_free(&authority);
    if (rc)
        return cli_fail(ctx, &err);
    return print_summary(ctx, tk);
}
