/*
 * zf_api_loop: GET /users/me through libzoomflow in one process, for
 * bench/api-bench's "one call in process" row. The connection is the
 * stored one (zf_session over the CLI profile's store, as `zoomflow api`
 * opens it: token read from the store, decrypted, then kept in memory by
 * tokens.c while it is valid), not a token handed in.
 *
 *   ZOOMFLOW_DB=DSN ZOOMFLOW_OAUTH_BASE=URL zf_api_loop N
 *
 * N warm-up calls, then N timed calls; prints
 * {"per_call_ms": mean, "min_ms": fastest, "calls": N}. The master key is
 * the session's default ($XDG_CONFIG_HOME/zoomflow/master.key), as the
 * CLI's. Exit status 1 with "error: ..." on stderr when a call fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "zoomflow/session.h"
#include "zoomflow/zoom.h"
#include "text.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int one_call(zf_zoom *z, zf_error *err)
{
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.path = "/users/me";
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    int rc = zf_zoom_call(z, &req, &resp, err);
    zf_zoom_resp_free(&resp);
    return rc;
}

int main(int argc, char **argv)
{
    int64_t n = 0;
    if (argc != 2 || zf_parse_i64(argv[1], 1, INT64_MAX, &n) != 0 || n < 1) {
        fprintf(stderr, "usage: zf_api_loop N (N >= 1)\n");
        return 2;
    }
    zf_session_opts o = ZF_SESSION_OPTS_INIT;
    o.db = getenv("ZOOMFLOW_DB");
    o.oauth_base = getenv("ZOOMFLOW_OAUTH_BASE");
    o.actor = "zf_api_loop";
    zf_session *s = NULL;
    zf_zoom *z = NULL;
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_session_open(&s, &o, &err);
    if (rc == 0)
        rc = zf_session_zoom(s, &z, NULL, &err);
    for (int64_t i = 0; rc == 0 && i < n; i++)
        rc = one_call(z, &err);
    double sum = 0, min = 1e300;
    for (int64_t i = 0; rc == 0 && i < n; i++) {
        double t0 = now_ms();
        rc = one_call(z, &err);
        double ms = now_ms() - t0;
        sum += ms;
        min = ms < min ? ms : min;
    }
    if (rc == 0)
        printf("{\"per_call_ms\": %.4f, \"min_ms\": %.4f, \"calls\": %lld}\n", sum / (double)n,
               min, (long long)n);
    else
        fprintf(stderr, "error: %s: %s\n", zf_code_name(err.code), err.message);
    zf_session_free(s);
    return rc == 0 ? 0 : 1;
}
