/*
 * Token sources for the zoom client: a fixed token (`--token`, tests) and
 * an adapter over zf_tokens (stored connections, refreshed by tokens.c).
 */
#include "zoom_internal.h"

#include <stdlib.h>
#include <string.h>

#include "zoomflow/tokens.h"

/* --- static token source */

typedef struct static_src {
    zf_secret token;
    char *base;
} static_src;

static int static_get(void *ctx, zf_secret *token, char **api_base, zf_error *err)
{
    static_src *s = ctx;
    *api_base = strdup(s->base);
    if (!*api_base || zf_secret_copy(token, &s->token) != 0) {
        free(*api_base);
        *api_base = NULL;
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    return 0;
}

static int static_reject(void *ctx, const zf_secret *rejected, zf_secret *token, zf_error *err)
{
    zf_error_set(err, ZF_EREAUTH,
                 "Zoom refused the access token (401, code 124: invalid or "
                 "expired) and a fixed token cannot be refreshed");
    zf_error_hint_id(err, ZF_HINT_GET_TOKEN, NULL);
    return ZF_EREAUTH;
}

static void static_release(void *ctx)
{
    static_src *s = ctx;
    if (!s)
        return;
    zf_secret_free(&s->token);
    free(s->base);
    free(s);
}

int zf_zoom_tokens_static(zf_zoom_tokens *out, const char *token, const char *api_base,
                          zf_error *err)
{
    memset(out, 0, sizeof *out);
    if (!token || !*token)
        return zf_error_set(err, ZF_EINVAL, "the access token is empty");
    if (!api_base)
        api_base = "https://api.zoom.us";
    int rc = zf_zoom__check_base(api_base, err);
    if (rc)
        return rc;
    static_src *s = calloc(1, sizeof *s);
    if (!s || !(s->base = strdup(api_base)) ||
        zf_secret_set(&s->token, token, strlen(token)) != 0) {
        static_release(s);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    out->ctx = s;
    out->get = static_get;
    out->reject = static_reject;
    out->release = static_release;
    return 0;
}

void zf_zoom_tokens_free(zf_zoom_tokens *src)
{
    if (src && src->release)
        src->release(src->ctx);
    if (src)
        memset(src, 0, sizeof *src);
}

/* --- stored connection (zf_tokens) */

typedef struct conn_src {
    zf_tokens *tk;
    char *id; /* NULL = the default connection */
} conn_src;

static int conn_get(void *ctx, zf_secret *token, char **api_base, zf_error *err)
{
    conn_src *s = ctx;
    return zf_tokens_access(token, api_base, s->tk, s->id, err);
}

static int conn_reject(void *ctx, const zf_secret *rejected, zf_secret *token, zf_error *err)
{
    conn_src *s = ctx;
    return zf_tokens_reject(token, NULL, s->tk, s->id, rejected, err);
}

static int conn_kind(void *ctx)
{
    conn_src *s = ctx;
    zf_error quiet = ZF_ERROR_INIT;
    int k = zf_tokens_kind(s->tk, s->id, &quiet);
    return k < 0 ? -1 : k;
}

static void conn_release(void *ctx)
{
    conn_src *s = ctx;
    if (!s)
        return;
    free(s->id);
    free(s);
}

int zf_zoom_tokens_conn(zf_zoom_tokens *out, zf_tokens *tk, const char *conn_id, zf_error *err)
{
    memset(out, 0, sizeof *out);
    if (!tk)
        return zf_error_set(err, ZF_EINVAL, "zf_zoom_tokens_conn: no zf_tokens");
    conn_src *s = calloc(1, sizeof *s);
    if (!s || (conn_id && !(s->id = strdup(conn_id)))) {
        conn_release(s);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    s->tk = tk;
    out->ctx = s;
    out->get = conn_get;
    out->reject = conn_reject;
    out->release = conn_release;
    out->kind = conn_kind;
    return 0;
}

/* --- a fixed API base in front of another source */

typedef struct pinned_src {
    zf_zoom_tokens inner;
    char *base;
} pinned_src;

static int pinned_get(void *ctx, zf_secret *token, char **api_base, zf_error *err)
{
    pinned_src *s = ctx;
    char *theirs = NULL;
    int rc = s->inner.get(s->inner.ctx, token, &theirs, err);
    free(theirs);
    *api_base = NULL;
    if (rc)
        return rc;
    if (!(*api_base = strdup(s->base))) {
        zf_secret_free(token);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    return 0;
}

static int pinned_reject(void *ctx, const zf_secret *rejected, zf_secret *token, zf_error *err)
{
    pinned_src *s = ctx;
    return s->inner.reject(s->inner.ctx, rejected, token, err);
}

static int pinned_kind(void *ctx)
{
    pinned_src *s = ctx;
    return s->inner.kind ? s->inner.kind(s->inner.ctx) : -1;
}

static void pinned_release(void *ctx)
{
    pinned_src *s = ctx;
    if (!s)
        return;
    zf_zoom_tokens_free(&s->inner);
    free(s->base);
    free(s);
}

int zf_zoom_tokens_pin_base(zf_zoom_tokens *src, const char *api_base, zf_error *err)
{
    if (!src || !src->get || !src->reject)
        return zf_error_set(err, ZF_EINVAL, "zf_zoom_tokens_pin_base: no token source");
    int rc = zf_zoom__check_base(api_base, err);
    if (rc)
        return rc;
    pinned_src *s = calloc(1, sizeof *s);
    if (!s || !(s->base = strdup(api_base))) {
        free(s);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    s->inner = *src;
    src->ctx = s;
    src->get = pinned_get;
    src->reject = pinned_reject;
    src->release = pinned_release;
    src->kind = pinned_kind;
    return 0;
}
