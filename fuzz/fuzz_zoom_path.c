/*
 * Fuzzes zf_zoom_check_path + URL building. Property: any accepted path,
 * joined with the base, yields a URL that curl's own parser reads with the
 * base's scheme, host and port, and a path under /v2/ — so the bearer token
 * can only go to the API base. And however many times a server decodes it
 * (%25 nested to any depth), it never shows a '..' segment or a CR/LF.
 */
#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zoom_internal.h"

static const char *const BASES[] = {"https://api.zoom.us", "http://127.0.0.1:8080/",
                                    "https://eu01api.zoom.us/v2"};

static char *part(CURLU *u, CURLUPart what)
{
    char *v = NULL;
    if (curl_url_get(u, what, &v, CURLU_DEFAULT_PORT) != CURLUE_OK)
        return NULL;
    return v;
}

static void same(CURLU *a, CURLU *b, CURLUPart what)
{
    char *x = part(a, what), *y = part(b, what);
    if (!x || !y || strcmp(x, y) != 0)
        abort();
    curl_free(x);
    curl_free(y);
}

static int hex(int c)
{
    return (c >= '0' && c <= '9')                 ? c - '0'
           : ((c | 32) >= 'a' && (c | 32) <= 'f') ? (c | 32) - 'a' + 10
                                                  : -1;
}

/* An independent oracle: decode in place until stable, checking each level. */
static void check_every_decoding(const char *path)
{
    char *s = strdup(path);
    for (int changed = 1; changed;) {
        size_t q = strcspn(s, "?");
        if (strcspn(s, "\r\n") != strlen(s))
            abort();
        for (size_t i = 0, start = 0; i <= q; i++) {
            if (i == q || s[i] == '/') {
                if (i - start == 2 && s[start] == '.' && s[start + 1] == '.')
                    abort();
                start = i + 1;
            }
        }
        changed = 0;
        size_t o = 0;
        for (size_t i = 0; s[i]; i++) {
            if (s[i] == '%' && s[i + 1] && s[i + 2] && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
                s[o++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
                i += 2;
                changed = 1;
            } else {
                s[o++] = s[i];
            }
        }
        s[o] = '\0';
    }
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *base = BASES[data[0] % 3];
    char *path = malloc(size);
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';
    zf_error err = ZF_ERROR_INIT;
    if (zf_zoom_check_path(path, &err) != 0) {
        if (err.code != ZF_EPATH || !strstr(err.message, "/v2"))
            abort();
        free(path);
        return 0;
    }
    check_every_decoding(path);
    zf_buf url = ZF_BUF_INIT(ZF_ZOOM_URL_MAX);
    zf_zoom_param q[] = {{"k", path}};
    if (zf_zoom__build_url(&url, base, path, q, 1, &err) != 0)
        abort();
    char o1[128], o2[128];
    if (!zf_zoom__url_origin(base, o1, sizeof o1) || !zf_zoom__url_origin(url.ptr, o2, sizeof o2) ||
        strcmp(o1, o2) != 0 || strncmp(url.ptr + strlen(o1), "/v2/", 4) != 0)
        abort();
    CURLU *cu = curl_url(), *cb = curl_url();
    if (curl_url_set(cu, CURLUPART_URL, url.ptr, 0) != CURLUE_OK ||
        curl_url_set(cb, CURLUPART_URL, base, 0) != CURLUE_OK)
        abort();
    same(cu, cb, CURLUPART_SCHEME);
    same(cu, cb, CURLUPART_HOST);
    same(cu, cb, CURLUPART_PORT);
    char *p = part(cu, CURLUPART_PATH), *user = part(cu, CURLUPART_USER);
    if (!p || strncmp(p, "/v2/", 4) != 0 || user)
        abort();
    curl_free(p);
    curl_url_cleanup(cu);
    curl_url_cleanup(cb);
    zf_buf_free(&url);
    free(path);
    return 0;
}
