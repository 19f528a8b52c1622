/*
 * Unit tests: zf_http_global_init_lean (http.c), in a process of its own
 * since OpenSSL's initialisation is once per process: OpenSSL runs without
 * its error strings, and a TLS failure names the `openssl errstr` code
 * instead of the words. The server is a thread here answering plain HTTP
 * on a free loopback port, which an https:// URL cannot handshake with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "zoomflow/zoomflow.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct plain {
    int fd, port;
    pthread_t thread;
} plain;

/* Answers each connection with an HTTP 400, as a plain port does to a TLS
 * ClientHello, until the listening socket is shut down. */
static void *plain_main(void *arg)
{
    plain *p = arg;
    for (;;) {
        int c = accept(p->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        /* the whole ClientHello record (5-byte header, then its length)
         * before answering, and the client's close before ours: unread
         * bytes or an early close would make the kernel reset the
         * connection, and the client would see that instead of the 400 */
        unsigned char buf[16384];
        size_t got = 0, want = 5;
        while (got < want) {
            ssize_t k = read(c, buf + got, sizeof buf - got);
            if (k <= 0)
                break;
            got += (size_t)k;
            if (got >= 5)
                want = 5 + ((size_t)buf[3] << 8 | buf[4]);
            if (want > sizeof buf)
                want = sizeof buf;
        }
        static const char answer[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        (void)!write(c, answer, sizeof answer - 1);
        shutdown(c, SHUT_WR);
        while (read(c, buf, sizeof buf) > 0)
            ;
        close(c);
    }
}

static void plain_start(plain *p)
{
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(p->fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(p->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(p->fd, 8), 0);
    socklen_t n = sizeof a;
    assert_int_equal(getsockname(p->fd, (struct sockaddr *)&a, &n), 0);
    p->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&p->thread, NULL, plain_main, p), 0);
}

static void plain_stop(plain *p)
{
    shutdown(p->fd, SHUT_RDWR);
    pthread_join(p->thread, NULL);
    close(p->fd);
}

static void test_lean_init_leaves_the_strings_out(void **state)
{
    (void)state;
    assert_int_equal(zf_http_global_init_lean(), 0);
    /* again: still lean, nothing to redo */
    assert_int_equal(zf_http_global_init_lean(), 0);
    assert_int_equal(zf_http_global_init(), 0);
    /* libcurl's own OPENSSL_init_ssl ran since, and the words stay out */
    assert_null(ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_WRONG_VERSION_NUMBER)));
}

static void test_lean_handshake_error_names_the_code(void **state)
{
    (void)state;
    plain p;
    plain_start(&p);
    zf_http_opts o = ZF_HTTP_OPTS_INIT;
    o.timeout_ms = 5000;
    zf_http *h = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_http_new(&h, &o, &err), 0);
    char url[96];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/v2/users/me", p.port);
    zf_http_req req = ZF_HTTP_REQ_INIT;
    req.method = "GET";
    req.url = url;
    zf_http_resp r;
    zf_http_resp_init(&r);
    assert_int_equal(zf_http_do(h, &req, &r, &err), ZF_ETLS);
    assert_int_equal(r.sent, 0);
    assert_non_null(strstr(err.message, "TLS handshake with 127.0.0.1"));
    regex_t re;
    assert_int_equal(regcomp(&re,
                             "error:([0-9A-F]{8}):lib\\([0-9]+\\).*; `openssl errstr \\1` names "
                             "OpenSSL's reason$",
                             REG_EXTENDED),
                     0);
    if (regexec(&re, err.message, 0, NULL, 0) != 0)
        fail_msg("no errstr tip naming the code: %s", err.message);
    regfree(&re);
    assert_non_null(strstr(err.hint, "speaks HTTPS"));
    zf_http_resp_free(&r);
    zf_http_free(h);
    plain_stop(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lean_init_leaves_the_strings_out),
        cmocka_unit_test(test_lean_handshake_error_names_the_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
