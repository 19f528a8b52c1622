/*
 * The service's logs: JSON lines on stderr, one per request (the access
 * line) and one per event, each with the request id when there is one.
 * Text that could hold a secret goes through zf_log_redact; cookies,
 * Authorization headers, passwords and keys are never logged at all.
 */
#include "core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/log.h"

static _Thread_local const srv_req *current;

void srv_log_set_current(const srv_req *req)
{
    current = req;
}

static const char *level_name(int level)
{
    switch (level) {
    case ZF_LOG_ERROR:
        return "error";
    case ZF_LOG_WARN:
        return "warn";
    case ZF_LOG_INFO:
        return "info";
    case ZF_LOG_DEBUG:
        return "debug";
    default:
        return "trace";
    }
}

static void put_ts(json_t *o)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char b[40];
    size_t n = strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(b + n, sizeof b - n, ".%03ldZ", ts.tv_nsec / 1000000L);
    json_object_set_new(o, "ts", json_string(b));
}

static void put_str(json_t *o, const char *k, const char *v)
{
    if (v && *v) {
        json_t *s = json_string(v);
        if (!s) /* not UTF-8: as a JSON escape of each byte would be noise */
            s = json_string("(not UTF-8)");
        json_object_set_new(o, k, s);
    }
}

static void emit(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (!s)
        return;
    /* one write per line: lines of threads do not interleave */
    size_t n = strlen(s);
    s[n] = '\n';
    fwrite(s, 1, n + 1, stderr);
    s[n] = '\0';
    free(s);
}

static void put_req(json_t *o, const srv_req *req)
{
    if (!req)
        return;
    put_str(o, "request_id", req->request_id);
    if (req->route)
        put_str(o, "route", req->route->pattern);
    if (req->who) {
        put_str(o, "actor", req->who->actor);
        put_str(o, "org", req->who->org);
    }
}

void srv_log(const srv_req *req, int level, const char *event, const char *fmt, ...)
{
    if (!zf_log_enabled((zf_log_level)level))
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    zf_log_redact(msg);
    json_t *o = json_object();
    if (!o)
        return;
    put_ts(o);
    put_str(o, "level", level_name(level));
    put_str(o, "event", event);
    put_req(o, req ? req : current);
    put_str(o, "msg", msg);
    emit(o);
}

void srv_log_access(const srv_req *req, const srv_resp *resp, const char *pattern, double seconds)
{
    json_t *o = json_object();
    if (!o)
        return;
    put_ts(o);
    put_str(o, "level", resp->status >= 500 ? "error" : "info");
    put_str(o, "event", "http");
    put_str(o, "request_id", req->request_id);
    put_str(o, "method", req->method);
    put_str(o, "route", pattern);
    /* the path of a matched route; never the query (it may hold a code or
     * a token) */
    char path[SRV_PATH_MAX + 1];
    snprintf(path, sizeof path, "%s", req->path ? req->path : "");
    zf_log_redact(path);
    put_str(o, "path", path);
    json_object_set_new(o, "status", json_integer(resp->status));
    json_object_set_new(o, "ms", json_real((double)(long long)(seconds * 1e6) / 1e3));
    put_str(o, "client", req->client);
    if (req->who) {
        put_str(o, "actor", req->who->actor);
        put_str(o, "org", req->who->org);
    }
    put_str(o, "error", resp->err_code);
    emit(o);
}

/* Library lines (zf_log): already redacted text, wrapped with the id of
 * the request being handled on this thread. */
static void lib_sink(void *ctx, zf_log_level level, const char *line)
{
    json_t *o = json_object();
    if (!o)
        return;
    put_ts(o);
    put_str(o, "level", level_name(level));
    put_str(o, "event", "lib");
    put_req(o, current);
    put_str(o, "msg", line);
    emit(o);
}

void srv_log_setup(void)
{
    zf_log_configure(lib_sink, NULL, ZF_LOG_INFO, 0);
}
