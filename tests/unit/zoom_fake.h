/* A scripted fake transport, token source and clock for the Zoom client
 * (zoom_internal.h's test hooks), shared by the unit tests that drive
 * zf_zoom without a network: test_zoom_client.c and test_action_run.c.
 * Include after cmocka.h. MAXX is how many exchanges a test may script. */
#ifndef ZF_TEST_ZOOM_FAKE_H
#define ZF_TEST_ZOOM_FAKE_H

#include "zoom_internal.h"

#define MAXX 24

typedef struct canned {
    int rc, sent;
    long status;
    const char *headers, *body;
} canned;

typedef struct seen_req {
    char method[8];
    char url[512];
    char bearer[64];
    char body[128];
    char headers[256]; /* the request's header lines, each ending in '\n' */
} seen_req;

typedef struct fake {
    canned script[MAXX];
    int n, next;
    seen_req seen[MAXX];
    int64_t mono, slept;
    int64_t wall;
    int rejects;
    char token[64];
    char base[64];
    long live_at_call[MAXX]; /* jansson blocks alive when each request went out */
} fake;

/* jansson blocks alive, when a test counts them (test_zoom_client.c) */
static long json_live;

static int fake_transport(void *ctx, const zf_http_req *req, zf_http_resp *resp, zf_error *err)
{
    fake *f = ctx;
    assert_true(f->next < f->n);
    seen_req *s = &f->seen[f->next];
    snprintf(s->method, sizeof s->method, "%s", req->method);
    snprintf(s->url, sizeof s->url, "%s", req->url);
    snprintf(s->bearer, sizeof s->bearer, "%s", zf_secret_reveal(req->bearer));
    snprintf(s->body, sizeof s->body, "%.*s", (int)req->body_len, req->body ? req->body : "");
    s->headers[0] = '\0';
    for (size_t i = 0; req->headers && req->headers[i]; i++) {
        size_t used = strlen(s->headers);
        snprintf(s->headers + used, sizeof s->headers - used, "%s\n", req->headers[i]);
    }
    assert_int_equal(req->follow_redirects, 0);
    f->live_at_call[f->next] = json_live;
    const canned *c = &f->script[f->next++];
    f->mono += 10;
    resp->sent = c->sent;
    if (c->rc)
        return zf_error_set(err, c->rc, "scripted transport failure");
    resp->status = c->status;
    zf_buf_puts(&resp->headers, c->headers ? c->headers : "");
    const char *b = c->body ? c->body : "";
    if (req->sink)
        return req->sink(req->sink_ctx, b, strlen(b)) ? zf_error_set(err, ZF_ECANCELED, "x") : 0;
    zf_buf_reset(&resp->body); /* as zf_http_do does: the allocation is kept */
    resp->body.max = (size_t)1 << 20;
    zf_buf_puts(&resp->body, b);
    return 0;
}

static int64_t fake_mono(void *ctx)
{
    return ((fake *)ctx)->mono;
}
static int64_t fake_wall(void *ctx)
{
    return ((fake *)ctx)->wall + ((fake *)ctx)->mono / 1000;
}
static void fake_sleep(void *ctx, int64_t ms)
{
    ((fake *)ctx)->mono += ms;
    ((fake *)ctx)->slept += ms;
}
static uint64_t fake_rand(void *ctx)
{
    return 0x7fffffffffffULL;
}

static int tok_get(void *ctx, zf_secret *token, char **api_base, zf_error *err)
{
    fake *f = ctx;
    *api_base = strdup(f->base);
    return zf_secret_set(token, f->token, strlen(f->token));
}

static int tok_reject(void *ctx, const zf_secret *rejected, zf_secret *token, zf_error *err)
{
    fake *f = ctx;
    f->rejects++;
    assert_string_equal(zf_secret_reveal(rejected), f->token);
    snprintf(f->token, sizeof f->token, "fresh-%d", f->rejects);
    return zf_secret_set(token, f->token, strlen(f->token));
}

static zf_zoom *client(fake *f, int pacer)
{
    zf_zoom_opts o = ZF_ZOOM_OPTS_INIT;
    o.tokens = (zf_zoom_tokens){f, tok_get, tok_reject, NULL, NULL};
    o.retry = (zf_zoom_retry){4, 1000, 8000, 30000};
    o.mono_ms = fake_mono;
    o.wall_s = fake_wall;
    o.sleep_ms = fake_sleep;
    o.clock_ctx = f;
    o.pacer = pacer;
    if (!f->token[0])
        snprintf(f->token, sizeof f->token, "tok-1");
    if (!f->base[0])
        snprintf(f->base, sizeof f->base, "https://api.zoom.us");
    if (!f->wall)
        f->wall = 1764374400;
    zf_zoom *z = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(zf_zoom_new(&z, &o, &err), 0);
    zf_zoom__set_transport(z, fake_transport, f);
    zf_zoom__set_random(z, fake_rand, f);
    return z;
}

static void push(fake *f, int rc, int sent, long status, const char *headers, const char *body)
{
    f->script[f->n++] = (canned){rc, sent, status, headers, body};
}

#endif
