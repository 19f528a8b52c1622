/*
 * Responses: the helpers handlers fill them with, the contract's error
 * body made from a zf_error (with the service's rendering of its hint,
 * hints.c), and the status of each zf_code.
 */
#include "core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zoomflow/hint.h"
#include "zoomflow/json.h"

void srv_resp_init(srv_resp *r, srv_ctx *ctx, const char *request_id)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    r->request_id = request_id;
}

static void body_clear(srv_resp *r)
{
    free(r->body);
    free(r->ctype);
    r->body = NULL;
    r->ctype = NULL;
    r->borrowed = NULL;
    r->len = 0;
}

void srv_resp_clear(srv_resp *r)
{
    body_clear(r);
    for (size_t i = 0; i < r->nhdrs; i++) {
        free(r->hdrs[i].name);
        free(r->hdrs[i].value);
    }
    free(r->hdrs);
    r->hdrs = NULL;
    r->nhdrs = r->caphdrs = 0;
}

int srv_status_of(int code)
{
    switch (code) {
    case ZF_OK:
        return 200;
    case ZF_EVALIDATION:
    case ZF_EINVAL:
        return 422;
    case ZF_EAUTH:
        return 401;
    case ZF_EFORBIDDEN:
    case ZF_ESCOPE:
        return 403;
    case ZF_ENOTFOUND:
        return 404;
    case ZF_ECONFLICT:
    case ZF_ENOTCONNECTED:
    case ZF_EREAUTH:
        return 409;
    case ZF_ETOOBIG:
        return 413;
    case ZF_ERATELIMIT:
    case ZF_EDAILYLIMIT:
        return 429;
    case ZF_ESERVER:
    case ZF_ENET:
    case ZF_EAMBIGUOUS:
        return 502;
    case ZF_ETIMEOUT:
        return 504;
    case ZF_ESTORE:
        return 503;
    default:
        return 500;
    }
}

static int set_body(srv_resp *r, int status, const char *ctype, char *owned, const void *borrowed,
                    size_t len)
{
    body_clear(r);
    r->ctype = strdup(ctype ? ctype : "application/octet-stream");
    if (!r->ctype) {
        free(owned);
        r->failed = 1;
        r->status = 500;
        r->filled = 1;
        return ZF_ENOMEM;
    }
    r->status = status;
    r->body = owned;
    r->borrowed = borrowed;
    r->len = len;
    r->filled = 1;
    return 0;
}

int srv_json(srv_resp *resp, int status, json_t *steal)
{
    if (!steal) {
        resp->failed = 1;
        return set_body(resp, 500, "application/json", NULL, NULL, 0) < 0 ? ZF_ENOMEM : ZF_ENOMEM;
    }
    char *s = json_dumps(steal, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(steal);
    if (!s) {
        resp->failed = 1;
        set_body(resp, 500, "application/json", NULL, NULL, 0);
        return ZF_ENOMEM;
    }
    size_t n = strlen(s);
    return set_body(resp, status, "application/json", s, NULL, n);
}

int srv_text(srv_resp *resp, int status, const char *content_type, const char *body, size_t len)
{
    char *c = malloc(len + 1);
    if (!c) {
        resp->failed = 1;
        set_body(resp, 500, "text/plain", NULL, NULL, 0);
        return ZF_ENOMEM;
    }
    if (len)
        memcpy(c, body, len);
    c[len] = '\0';
    return set_body(resp, status, content_type ? content_type : "text/plain; charset=utf-8", c,
                    NULL, len);
}

int srv_static(srv_resp *resp, int status, const char *content_type, const void *body, size_t len)
{
    return set_body(resp, status, content_type, NULL, body, len);
}

int srv_resp_header(srv_resp *resp, const char *name, const char *value)
{
    if (!name || !value)
        return ZF_EINVAL;
    /* no header injection: a CR or LF in either refuses the header */
    if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
        return ZF_EINVAL;
    if (resp->nhdrs == resp->caphdrs) {
        size_t cap = resp->caphdrs ? resp->caphdrs * 2 : 8;
        srv_hdr *h = realloc(resp->hdrs, cap * sizeof *h);
        if (!h) {
            resp->failed = 1;
            return ZF_ENOMEM;
        }
        resp->hdrs = h;
        resp->caphdrs = cap;
    }
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        resp->failed = 1;
        return ZF_ENOMEM;
    }
    resp->hdrs[resp->nhdrs].name = n;
    resp->hdrs[resp->nhdrs].value = v;
    resp->nhdrs++;
    return 0;
}

int srv_set_cookie(srv_resp *resp, const char *name, const char *value, int64_t max_age)
{
    if (!name || !value || strpbrk(name, "=; \t\r\n") || strpbrk(value, "; \t\r\n\","))
        return ZF_EINVAL;
    char line[1024];
    char age[48] = "";
    if (max_age >= 0)
        snprintf(age, sizeof age, "; Max-Age=%lld", (long long)max_age);
    int n = snprintf(line, sizeof line, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, value,
                     resp->ctx && srv_ctx_secure(resp->ctx) ? "; Secure" : "", age);
    if (n < 0 || (size_t)n >= sizeof line)
        return ZF_EINVAL;
    return srv_resp_header(resp, "Set-Cookie", line);
}

int srv_redirect(srv_resp *resp, int status, const char *url)
{
    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308)
        status = 303;
    if (!url || strpbrk(url, "\r\n"))
        return ZF_EINVAL;
    int rc = srv_resp_header(resp, "Location", url);
    if (rc < 0)
        return rc;
    return srv_json(resp, status, json_pack("{s:s}", "location", url));
}

/* The service's words for err's hint: its table's row (hints.c) when it
 * has one, else the words the error carries. */
static void put_hint(json_t *e, const zf_error *err)
{
    const srv_hint_row *row = err->hint_id != ZF_HINT_NONE ? srv_hint_find(err->hint_id) : NULL;
    const char *words = row && row->text ? row->text : err->hint;
    if (words && words[0])
        json_object_set_new(e, "hint", json_string(words));
    if (err->hint_id != ZF_HINT_NONE && zf_hint_name(err->hint_id)) {
        json_object_set_new(e, "hint_id", json_string(zf_hint_name(err->hint_id)));
        if (row && row->label && row->href)
            json_object_set_new(e, "hint_button",
                                json_pack("{s:s,s:s}", "label", row->label, "href", row->href));
    }
}

json_t *srv_error_json(const zf_error *err, int status, const char *request_id)
{
    zf_error none = ZF_ERROR_INIT;
    if (!err)
        err = &none;
    int code = err->code ? err->code : ZF_EIO;
    const char *name = zf_code_name(code);
    json_t *e = json_object();
    if (!e)
        return NULL;
    char cname[40];
    snprintf(cname, sizeof cname, "E%s", name ? name : "IO");
    /* zf_code_name gives "EVALIDATION"-style names already when it does */
    json_object_set_new(e, "code", json_string(name && name[0] == 'E' ? name : cname));
    json_object_set_new(e, "status", json_integer(status));
    json_object_set_new(e, "message",
                        json_string(err->message[0] ? err->message : zf_strerror(code)));
    put_hint(e, err);
    if (err->zoom_code)
        json_object_set_new(e, "zoom_code", json_integer(err->zoom_code));
    if (err->retry_after >= 0 && (status == 429 || status == 503))
        json_object_set_new(e, "retry_after", json_integer((json_int_t)err->retry_after));
    if (request_id)
        json_object_set_new(e, "request_id", json_string(request_id));
    /* a message that is not UTF-8 left the member out: say something */
    if (!json_object_get(e, "message"))
        json_object_set_new(e, "message", json_string(zf_strerror(code)));
    return json_pack("{s:o}", "error", e);
}

static int error_out(srv_resp *resp, int status, const zf_error *err, json_t *problems)
{
    json_t *body = srv_error_json(err, status, resp->request_id);
    if (body && problems && json_array_size(problems) > 0)
        json_object_set(json_object_get(body, "error"), "problems", problems);
    json_decref(problems);
    if (body) {
        const char *c = json_string_value(json_object_get(json_object_get(body, "error"), "code"));
        snprintf(resp->err_code, sizeof resp->err_code, "%s", c ? c : "");
    }
    if (err && err->retry_after >= 0 && (status == 429 || status == 503)) {
        char ra[32];
        snprintf(ra, sizeof ra, "%lld", (long long)(err->retry_after > 0 ? err->retry_after : 1));
        srv_resp_header(resp, "Retry-After", ra);
    }
    return srv_json(resp, status, body);
}

int srv_error(srv_resp *resp, const zf_error *err)
{
    return error_out(resp, srv_status_of(err ? err->code : ZF_EIO), err, NULL);
}

int srv_error_status(srv_resp *resp, int status, const zf_error *err)
{
    return error_out(resp, status, err, NULL);
}

int srv_error_problems(srv_resp *resp, const zf_error *err, json_t *steal_problems)
{
    return error_out(resp, srv_status_of(err ? err->code : ZF_EIO), err, steal_problems);
}

int srv_error_status_problems(srv_resp *resp, int status, const zf_error *err,
                              json_t *steal_problems)
{
    return error_out(resp, status, err, steal_problems);
}

int srv_fail(srv_resp *resp, int code, const char *fmt, ...)
{
    zf_error err = ZF_ERROR_INIT;
    char msg[ZF_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    zf_error_set(&err, code, "%s", msg);
    return srv_error(resp, &err);
}
