/*
 * The service's path check and route matcher (src/server/parse.c) on any
 * bytes: "METHOD PATH" (the first space splits; no space = GET). Beyond
 * "no crash, no hang":
 *   - a path srv_path_clean accepts starts with '/', holds no NUL, no
 *     backslash, no control byte, no empty, "." or ".." segment (however
 *     it was spelled: %2e%2e, %2E., ...), and fits SRV_PATH_MAX;
 *   - a match has the pattern's segment count and every {param} value is
 *     one non-empty segment (no '/');
 *   - a method mismatch lists the allowed methods, and the method asked
 *     is not among them; a path that matches no row lists none.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int h(srv_req *req, srv_resp *resp)
{
    return 0;
}

static const srv_route table[] = {
    {"GET", "/", h, 0, 0, SRV_ANON, "", NULL, NULL},
    {"GET", "/healthz", h, 0, 0, SRV_ANON, "", NULL, NULL},
    {"GET", "/assets/{file}", h, 0, 0, SRV_ANON, "", NULL, NULL},
    {"GET", "/api/v1/keys", h, 3, 0, 0, "", NULL, NULL},
    {"POST", "/api/v1/keys", h, 3, 0, 0, "", NULL, NULL},
    {"DELETE", "/api/v1/keys/{id}", h, 3, 0, 0, "", NULL, NULL},
    {"GET", "/api/v1/actions/{name}", h, 1, 0, 0, "", NULL, NULL},
    {"POST", "/api/v1/actions/{name}", h, 2, 0, 0, "", NULL, NULL},
    {"GET", "/api/v1/actions/list", h, 1, 0, 0, "", NULL, NULL},
    {"POST", "/webhooks/zoom/{org}", h, 0, 0, SRV_ANON | SRV_RAW, "", NULL, NULL},
    {"PATCH", "/api/v1/accounts/{id}", h, 3, 0, 0, "", NULL, NULL},
    {"GET", "/a/{x}/b/{y}", h, 1, 0, 0, "", NULL, NULL},
    {NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL},
};

static size_t segments(const char *p)
{
    if (strcmp(p, "/") == 0)
        return 0;
    size_t n = 0;
    for (; *p; p++)
        if (*p == '/')
            n++;
    return n;
}

static void check_clean(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || p[0] != '/' || n > SRV_PATH_MAX)
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            abort();
    }
    if (strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../"))
        abort();
    if ((n >= 2 && strcmp(p + n - 2, "/.") == 0) || (n >= 3 && strcmp(p + n - 3, "/..") == 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4 * SRV_PATH_MAX)
        return 0;
    const char *sp = memchr(data, ' ', size);
    char method[16] = "GET";
    const char *raw = (const char *)data;
    size_t rlen = size;
    if (sp && (size_t)(sp - (const char *)data) < sizeof method) {
        size_t ml = (size_t)(sp - (const char *)data);
        memcpy(method, data, ml);
        method[ml] = '\0';
        if (memchr(method, '\0', ml))
            return 0;
        raw = sp + 1;
        rlen = size - ml - 1;
    }
    char path[SRV_PATH_MAX + 1];
    const char *why = NULL;
    int rc = srv_path_clean(raw, rlen, path, sizeof path, &why);
    if (rc < 0) {
        if (!why)
            abort();
        return 0;
    }
    check_clean(path);
    srv_match m;
    int k = srv_route_match(table, method, path, &m);
    if (k == SRV_MATCH_OK) {
        if (!m.route || segments(m.route->pattern) != segments(path))
            abort();
        for (size_t i = 0; i < m.nparams; i++)
            if (!m.params[i].value[0] || strchr(m.params[i].value, '/') || !m.params[i].name[0])
                abort();
    } else if (k == SRV_MATCH_PATH) {
        if (!m.allow[0])
            abort();
        /* the method asked is not one of those allowed */
        const char *s = m.allow;
        size_t ml = strlen(method);
        while (*s) {
            const char *e = strstr(s, ", ");
            size_t l = e ? (size_t)(e - s) : strlen(s);
            if (l == ml && memcmp(s, method, ml) == 0)
                abort();
            s = e ? e + 2 : s + l;
        }
    } else if (m.allow[0] || m.nparams) {
        abort();
    }
    srv_match_free(&m);
    return 0;
}
