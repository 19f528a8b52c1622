/*
 * The doctor's checks that ask the network (doctor.h): the clock against
 * Zoom's Date header (from the runner's live call), and whether the API
 * and OAuth bases answer at all over HTTP(S), with TLS failures named and
 * the proxy settings the HTTP library will use reported. Skipped offline.
 */
#include "doctor_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoom/zoom_internal.h"
#include "zoomflow/hint.h"
#include "zoomflow/oauth.h"

#define PROBE_TIMEOUT_MS 10000

/* ---- clock ---------------------------------------------------------------- */

void zf_doctor__clock(zf_doctor__ctx *c, json_t *row)
{
    if (c->o->offline) {
        zf_doctor__say(row, ZF_VERDICT_OK, ZF_HINT_NONE, NULL, "not checked (offline)");
        return;
    }
    int64_t at = 0;
    /* a Date is an IMF-fixdate: a bare number would parse as a delay */
    if (!c->date[0] || strspn(c->date, "0123456789 ") == strlen(c->date) ||
        zf_zoom__parse_retry_after(c->date, 0, &at) != 0) {
        zf_doctor__say(row, ZF_VERDICT_WARN, ZF_HINT_CHECK_NETWORK, NULL,
                       c->asked ? "Zoom's answer carried no readable Date header%s%s"
                                : "not checked: Zoom was not asked%s%s",
                       c->date[0] ? ": " : "", c->date);
        if (!c->asked)
            json_object_set_new(row, "verdict", json_string("ok"));
        return;
    }
    int64_t skew = c->now - at, ad = skew < 0 ? -skew : skew;
    json_t *d = zf_doctor__details(row);
    json_object_set_new(d, "zoom_date", json_string(c->date));
    json_object_set_new(d, "skew_seconds", json_integer(skew));
    const char *dir = skew > 0 ? "ahead of" : "behind";
    if (ad >= ZF_DOCTOR_SKEW_FAIL)
        zf_doctor__say(row, ZF_VERDICT_FAIL, ZF_HINT_FIX_CLOCK, zf_hint_words(ZF_HINT_FIX_CLOCK),
                       "this clock is %lld s %s Zoom's (Date: %s): webhook timestamps fall "
                       "outside the %d s window and token expiry is misjudged",
                       (long long)ad, dir, c->date, 300);
    else if (ad >= ZF_DOCTOR_SKEW_WARN)
        zf_doctor__say(row, ZF_VERDICT_WARN, ZF_HINT_FIX_CLOCK, zf_hint_words(ZF_HINT_FIX_CLOCK),
                       "this clock is %lld s %s Zoom's (Date: %s)", (long long)ad, dir, c->date);
    else
        zf_doctor__say(row, ZF_VERDICT_OK, ZF_HINT_NONE, NULL,
                       "within %lld s of Zoom's clock (Date: %s)", (long long)ad, c->date);
}

/* ---- reachability --------------------------------------------------------- */

static int proxy_var(const char *e)
{
    const char *eq = strchr(e, '=');
    size_t n = eq ? (size_t)(eq - e) : 0;
    return n >= 6 && (memcmp(e + n - 6, "_PROXY", 6) == 0 || memcmp(e + n - 6, "_proxy", 6) == 0);
}

/* The proxy variables, values with any user:password@ cut. */
static json_t *proxies(const zf_doctor_opts *o, zf_buf *text)
{
    json_t *p = json_object();
    for (const char *const *e = o->env; e && *e; e++) {
        if (!proxy_var(*e))
            continue;
        const char *eq = strchr(*e, '='), *v = eq + 1, *at = strchr(v, '@');
        const char *scheme = strstr(v, "://");
        char shown[512];
        if (at && (!strchr(v, '/') || (scheme && at > scheme)))
            snprintf(shown, sizeof shown, "%.*s[redacted]@%s", scheme ? (int)(scheme + 3 - v) : 0,
                     v, at + 1);
        else
            snprintf(shown, sizeof shown, "%s", v);
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
        json_object_set_new(p, name, json_string(shown));
        zf_buf_appendf(text, "%s%s=%s", text->len ? ", " : "", name, shown);
    }
    return p;
}

/* One unauthenticated GET: any HTTP answer means the host is reachable. */
static int probe(zf_http *h, const char *url, json_t *d, zf_buf *bad)
{
    zf_http_req rq = ZF_HTTP_REQ_INIT;
    rq.method = "GET";
    rq.url = url;
    rq.timeout_ms = PROBE_TIMEOUT_MS;
    zf_http_resp resp;
    zf_http_resp_init(&resp);
    zf_error e = ZF_ERROR_INIT;
    int rc = zf_http_do(h, &rq, &resp, &e);
    json_t *r = json_pack("{s:s,s:I,s:f}", "url", url, "status", (json_int_t)resp.status, "seconds",
                          resp.seconds);
    if (rc) {
        json_object_set_new(r, "error", json_string(zf_code_name(rc)));
        json_object_set_new(r, "message", json_string(e.message));
        zf_buf_appendf(bad, "%s%s: %s%s", bad->len ? "; " : "", url,
                       rc == ZF_ETLS ? "TLS failed: " : "", e.message);
    }
    json_array_append_new(json_object_get(d, "probes"), r);
    zf_http_resp_free(&resp);
    return rc;
}

static void oauth_url(char *out, size_t n, const zf_doctor__ctx *c)
{
    const char *b = c->have_info && c->info.oauth_base ? c->info.oauth_base : "https://zoom.us";
    size_t len = strlen(b);
    snprintf(out, n, "%.*s%s", (int)(len && b[len - 1] == '/' ? len - 1 : len), b,
             ZF_OAUTH_TOKEN_PATH);
}

void zf_doctor__reach(zf_doctor__ctx *c, json_t *row)
{
    zf_buf ptext = ZF_BUF_INIT(4096), bad = ZF_BUF_INIT(4096);
    json_t *d = zf_doctor__details(row);
    json_object_set_new(d, "proxy", proxies(c->o, &ptext));
    json_object_set_new(d, "probes", json_array());
    char proxy_note[4200];
    snprintf(proxy_note, sizeof proxy_note, "; proxy: %s",
             ptext.len ? zf_buf_cstr(&ptext) : "none set");
    if (c->o->offline) {
        zf_doctor__say(row, ZF_VERDICT_OK, ZF_HINT_NONE, NULL, "not checked (offline)%s",
                       proxy_note);
        goto done;
    }
    zf_http *h = NULL;
    zf_error e = ZF_ERROR_INIT;
    if (zf_http_new(&h, &c->o->http, &e) != 0) {
        zf_doctor__say(row, ZF_VERDICT_FAIL, e.hint_id, zf_hint_words(e.hint_id), "%s", e.message);
        goto done;
    }
    char oauth[1024];
    oauth_url(oauth, sizeof oauth, c);
    int tls = 0, any = 0;
    if (c->base[0]) {
        int rc = probe(h, c->base, d, &bad);
        tls |= rc == ZF_ETLS;
        any |= rc != 0;
    }
    int rc = probe(h, oauth, d, &bad);
    tls |= rc == ZF_ETLS;
    any |= rc != 0;
    zf_http_free(h);
    if (any)
        zf_doctor__say(row, ZF_VERDICT_FAIL, tls ? ZF_HINT_TRUST_CA : ZF_HINT_CHECK_NETWORK,
                       zf_hint_words(tls ? ZF_HINT_TRUST_CA : ZF_HINT_CHECK_NETWORK), "%s%s",
                       zf_buf_cstr(&bad), proxy_note);
    else
        zf_doctor__say(row, ZF_VERDICT_OK, ZF_HINT_NONE, NULL, "%s%s%s answered%s",
                       c->base[0] ? c->base : "", c->base[0] ? " and " : "", oauth, proxy_note);
done:
    zf_buf_free(&ptext);
    zf_buf_free(&bad);
}
