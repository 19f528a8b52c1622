/*
 * The listening socket and its accept thread. libmicrohttpd runs without a
 * listening socket of its own (MHD_USE_NO_LISTEN_SOCKET): this thread
 * accepts and hands each connection to the pool (MHD_add_connection), so
 * that the graceful stop can close the socket at once, safely.
 *
 * Why not MHD_quiesce_daemon: with an epoll thread pool it races the pool
 * threads over removing the socket from their epoll sets, and the loser
 * aborts the process ("Failed to remove listen FD from epoll set", seen
 * in CI at a SIGTERM right after a request; libmicrohttpd 0.9.75).
 */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zoomflow/log.h"

struct srv_listener {
    int fd;
    int wake[2]; /* a pipe: a byte on wake[1] stops the thread */
    struct MHD_Daemon *mhd;
    pthread_t thread;
    int started;
};

/* close-on-exec and non-blocking */
static int set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int srv_listener_open(const struct sockaddr_storage *ss, unsigned sl, srv_listener **out, int *port,
                      int *errnum)
{
    *out = NULL;
    *errnum = 0;
    srv_listener *l = calloc(1, sizeof *l);
    if (!l) {
        *errnum = ENOMEM;
        return -1;
    }
    l->fd = l->wake[0] = l->wake[1] = -1;
    int one = 1;
    l->fd = socket(ss->ss_family, SOCK_STREAM, 0);
    if (l->fd < 0 || set_flags(l->fd) < 0 ||
        setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        (ss->ss_family == AF_INET6 &&
         setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
        bind(l->fd, (const struct sockaddr *)ss, sl) < 0 || listen(l->fd, SOMAXCONN) < 0 ||
        pipe(l->wake) < 0 || set_flags(l->wake[0]) < 0 || set_flags(l->wake[1]) < 0) {
        *errnum = errno;
        srv_listener_close(l);
        return -1;
    }
    struct sockaddr_storage bound;
    socklen_t bl = sizeof bound;
    *port = 0;
    if (getsockname(l->fd, (struct sockaddr *)&bound, &bl) == 0)
        *port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                  : ((struct sockaddr_in *)&bound)->sin_port);
    *out = l;
    return 0;
}

/* A short pause when the process is out of descriptors (the pending
 * connection stays in the backlog: accepting again at once would spin). */
static void pause_ms(long ms)
{
    struct timespec ts = {0, ms * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static void *accept_main(void *arg)
{
    srv_listener *l = arg;
    struct pollfd pf[2] = {{l->fd, POLLIN, 0}, {l->wake[0], POLLIN, 0}};
    for (;;) {
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            srv_log(NULL, ZF_LOG_ERROR, "listen", "poll: %s: no longer accepting", strerror(errno));
            return NULL;
        }
        if (pf[1].revents)
            return NULL;
        for (;;) {
            struct sockaddr_storage peer;
            socklen_t pl = sizeof peer;
            int c = accept(l->fd, (struct sockaddr *)&peer, &pl);
            if (c < 0 || set_flags(c) < 0) {
                if (c >= 0) {
                    close(c);
                    continue;
                }
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    srv_log(NULL, ZF_LOG_WARN, "listen", "accept: %s: retrying in 100 ms",
                            strerror(errno));
                    pause_ms(100);
                }
                break; /* EAGAIN, ECONNABORTED, EINTR...: back to poll */
            }
            /* MHD closes the socket itself when it cannot take it (the
             * connection limit, memory) */
            if (MHD_add_connection(l->mhd, c, (const struct sockaddr *)&peer, pl) != MHD_YES)
                srv_log(NULL, ZF_LOG_WARN, "listen", "a connection refused: %s", strerror(errno));
        }
    }
}

int srv_listener_start(srv_listener *l, struct MHD_Daemon *mhd)
{
    l->mhd = mhd;
    if (pthread_create(&l->thread, NULL, accept_main, l) != 0)
        return -1;
    l->started = 1;
    return 0;
}

void srv_listener_stop(srv_listener *l)
{
    if (!l)
        return;
    if (l->started) {
        ssize_t w;
        do
            w = write(l->wake[1], "x", 1);
        while (w < 0 && errno == EINTR);
        pthread_join(l->thread, NULL);
        l->started = 0;
    }
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}

void srv_listener_close(srv_listener *l)
{
    if (!l)
        return;
    srv_listener_stop(l);
    for (int i = 0; i < 2; i++)
        if (l->wake[i] >= 0)
            close(l->wake[i]);
    free(l);
}
