/*
 * Pagination by next_page_token (zoom-api.md §E).
 *
 * Invariants: at most one page (one parsed response) is held, also while
 * the next one is fetched and parsed; every page
 * request carries the caller's query parameters unchanged plus
 * next_page_token when there is one; an item handed out stays valid until
 * the next zf_pager_next or zf_pager_free. With opts.restart, the keys of
 * delivered items are kept (one string each) so a restart from the first
 * page never delivers an item twice.
 *
 *   FIRST --fetch--> PAGE --items used up, token ""--> END
 *                     ^  \--items used up, token--> fetch next page
 *                     |  \--400/300 token expired--> restart? FIRST : error
 *
 * Prefetch (raw mode, opts.prefetch): a thread of the pager's own fetches,
 * checks and reads each page; the next page is asked for as soon as the
 * page handed over gives its token, so it arrives while the caller works
 * through the current one. Then two pages are held (the one handed out,
 * the one arriving), and the client belongs to that thread from the first
 * zf_pager_next_raw until zf_pager_free: the caller must not use it
 * meanwhile. Errors, restarts and what is delivered are as without it.
 *
 * Raw mode reads each page in one pass (zf_json_scan_page as the client's
 * body check): the strict check, the top-level next_page_token and
 * total_records and the items' spans together. Two page buffers (bytes
 * and item spans) alternate: the used-up page's are read into again, so
 * memory stays at two pages however long the list.
 */
#include "json_scan.h"
#include "zoom_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A page read in raw mode: its bytes, what the one pass over them found
 * (scan: the items' spans, kept allocated from page to page), the next
 * item to hand out, its next_page_token and total_records (-1 when not an
 * integer). */
typedef struct raw_page {
    zf_buf body;
    zf_jpage scan;
    size_t idx;
    int has_items;
    char *next_token;
    int64_t total;
} raw_page;

enum { PF_IDLE, PF_ASKED, PF_DONE };

struct zf_pager {
    zf_zoom *z;
    char *path;
    zf_zoom_param *query; /* nquery caller params + one slot for the token */
    size_t nquery;
    char *items_key;
    char *dedupe_key;
    char *category;
    int restart;
    int max_restarts;
    int restarts;
    json_t *page;  /* the page held */
    json_t *items; /* borrowed from page */
    size_t idx;
    char *next_token; /* NULL before the first page; "" after the last */
    int64_t total;
    int64_t delivered;
    json_t *seen; /* keys delivered, when restart is on */
    int keyless;  /* an item without dedupe_key was delivered */
    int raw;      /* raw mode: the page held is `cur` */
    raw_page cur; /* raw mode: the page held (its buffers stay for reuse) */
    /* prefetch: the thread and its one page in flight (pf_page; without
     * prefetch, the spare buffers the next page is read into) */
    int prefetch;
    int pf_started, pf_stop, pf_state; /* PF_*; guarded by pf_mu */
    int pf_pending;                    /* the caller's own: a page is asked for */
    pthread_t pf_thread;
    pthread_mutex_t pf_mu;
    pthread_cond_t pf_cv;
    char *pf_token; /* the token of the page asked for, NULL for the first */
    raw_page pf_page;
    int pf_rc;
    zf_error pf_err;
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void pf_stop(zf_pager *p);

void zf_pager_free(zf_pager *p)
{
    if (!p)
        return;
    pf_stop(p);
    for (size_t i = 0; p->query && i < p->nquery; i++) {
        free((char *)p->query[i].key);
        free((char *)p->query[i].value);
    }
    free(p->query);
    free(p->path);
    free(p->items_key);
    free(p->dedupe_key);
    free(p->category);
    free(p->next_token);
    json_decref(p->page);
    json_decref(p->seen);
    zf_buf_free(&p->cur.body);
    zf_jpage_free(&p->cur.scan);
    free(p->cur.next_token);
    zf_buf_free(&p->pf_page.body);
    zf_jpage_free(&p->pf_page.scan);
    free(p->pf_page.next_token);
    pthread_cond_destroy(&p->pf_cv);
    pthread_mutex_destroy(&p->pf_mu);
    free(p);
}

int zf_pager_new(zf_pager **out, zf_zoom *z, const char *path, const zf_zoom_param *query,
                 size_t nquery, const char *items_key, const zf_pager_opts *opts, zf_error *err)
{
    static const zf_pager_opts dflt = ZF_PAGER_OPTS_INIT;
    *out = NULL;
    if (!opts)
        opts = &dflt;
    if (!z || !items_key || !*items_key)
        return zf_error_set(err, ZF_EINVAL, "zf_pager_new: client and items_key are required");
    if (opts->restart && (!opts->dedupe_key || !*opts->dedupe_key))
        return zf_error_set(err, ZF_EINVAL,
                            "zf_pager_new: restart needs a dedupe_key (e.g. "
                            "\"id\" or \"email\")");
    int rc = zf_zoom_check_path(path, err);
    if (rc)
        return rc;
    zf_pager *p = calloc(1, sizeof *p);
    if (!p)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    p->z = z;
    p->total = -1;
    p->restart = opts->restart;
    p->max_restarts = opts->max_restarts;
    p->raw = opts->raw;
    p->prefetch = opts->raw && opts->prefetch;
    pthread_mutex_init(&p->pf_mu, NULL);
    pthread_cond_init(&p->pf_cv, NULL);
    p->path = strdup(path);
    p->items_key = strdup(items_key);
    p->dedupe_key = dup_or_null(opts->dedupe_key);
    p->cur.scan.items_key = p->pf_page.scan.items_key = p->items_key;
    p->category = dup_or_null(opts->category);
    p->query = calloc(nquery + 1, sizeof *p->query);
    p->seen = opts->restart ? json_object() : NULL;
    int oom = !p->path || !p->items_key || !p->query || (opts->dedupe_key && !p->dedupe_key) ||
              (opts->category && !p->category) || (opts->restart && !p->seen);
    for (size_t i = 0; !oom && i < nquery; i++) {
        if (!query[i].key || strcmp(query[i].key, "next_page_token") == 0) {
            zf_pager_free(p);
            return zf_error_set(err, ZF_EINVAL,
                                "zf_pager_new: query parameter %zu is empty "
                                "or next_page_token (the pager sets that itself)",
                                i + 1);
        }
        p->query[i].key = strdup(query[i].key);
        p->query[i].value = strdup(query[i].value ? query[i].value : "");
        p->nquery = i + 1;
        oom = !p->query[i].key || !p->query[i].value;
    }
    if (oom) {
        zf_pager_free(p);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    *out = p;
    return 0;
}

int64_t zf_pager_total(const zf_pager *p)
{
    return p ? p->total : -1;
}

int64_t zf_pager_delivered(const zf_pager *p)
{
    return p ? p->delivered : 0;
}

/* The dedupe key of an item as "s:<string>" / "i:<int>", or "" if none. */
static void key_of(const zf_pager *p, const json_t *item, char *out, size_t n)
{
    json_t *v = json_object_get(item, p->dedupe_key);
    if (json_is_string(v))
        snprintf(out, n, "s:%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, n, "i:%lld", (long long)json_integer_value(v));
    else
        out[0] = '\0';
}

/* The same for an item's raw bytes (validated: they come from a page). */
static void key_of_raw(const zf_pager *p, zf_jspan item, char *out, size_t n)
{
    zf_jiter it;
    zf_jspan k, v, found = {NULL, 0};
    out[0] = '\0';
    if (zf_json_scan_members(&it, item) != 0)
        return;
    while (zf_json_scan_next_member(&it, &k, &v) == 1)
        if (zf_json_scan_str_eq(k, p->dedupe_key))
            found = v; /* the last one counts, as in jansson */
    int64_t i;
    if (!found.p)
        return;
    if (zf_json_scan_type(found) == ZF_JT_STRING && n > 2) {
        out[0] = 's';
        out[1] = ':';
        zf_json_scan_str(found, out + 2, n - 2);
    } else if (zf_json_scan_type(found) == ZF_JT_NUMBER && zf_json_scan_int(found, &i)) {
        snprintf(out, n, "i:%lld", (long long)i);
    }
}

static int expired_token(const zf_pager *p, const zf_error *err)
{
    if (!p->next_token || !*p->next_token || err->http_status != 400 || err->zoom_code != 300)
        return 0;
    for (const char *m = err->message; *m; m++)
        if (strncasecmp(m, "token", 5) == 0)
            return 1;
    return 0;
}

static int fail_incomplete(const zf_pager *p, const char *why, zf_error *err)
{
    zf_error_set(err, ZF_EZOOM,
                 "Zoom says the next page token is invalid or expired after "
                 "%lld item%s %s delivered: the list is incomplete%s",
                 (long long)p->delivered, p->delivered == 1 ? "" : "s",
                 p->delivered == 1 ? "was" : "were", why);
    zf_error_hint_id(err, ZF_HINT_RUN_AGAIN,
                     "rerun it: page tokens expire after 15 minutes, "
                     "so a slow consumer can outlive them (restart mode re-reads from the "
                     "first page and skips what was already delivered)");
    err->http_status = 400;
    err->zoom_code = 300;
    return ZF_EZOOM;
}

static int take_page(zf_pager *p, zf_zoom_resp *resp, zf_error *err)
{
    json_t *page = resp->json;
    if (!json_is_object(page))
        return zf_error_set(err, ZF_EPARSE, "a page of %s is not a JSON object", p->path);
    json_t *items = json_object_get(page, p->items_key);
    if (items && !json_is_array(items))
        return zf_error_set(err, ZF_EPARSE, "\"%s\" in a page of %s is %s, not an array",
                            p->items_key, p->path, json_is_null(items) ? "null" : "not a list");
    const char *tok = json_string_value(json_object_get(page, "next_page_token"));
    if (tok && *tok && p->next_token && strcmp(tok, p->next_token) == 0 &&
        json_array_size(items) == 0)
        return zf_error_set(err, ZF_EPARSE,
                            "Zoom returned an empty page of %s with the same "
                            "next_page_token: stopping instead of looping",
                            p->path);
    char *nt = strdup(tok ? tok : "");
    if (!nt)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    json_t *total = json_object_get(page, "total_records");
    if (p->total < 0 && json_is_integer(total))
        p->total = json_integer_value(total);
    free(p->next_token);
    p->next_token = nt;
    json_decref(p->page);
    p->page = page;
    resp->json = NULL;
    p->items = items;
    p->idx = 0;
    return 0;
}

/* Raw mode: the page as the one pass of zf_zoom_call's check found it
 * (pg->scan, filled by raw_check), the same checks as take_page; `sent` is
 * the token the page was asked for with. The body moves into pg->body.
 * Reads only what zf_pager_new set, so the prefetch thread calls it too. */
static int parse_raw_page(const zf_pager *p, const char *sent, zf_zoom_resp *resp, raw_page *pg,
                          zf_error *err)
{
    const zf_jpage *sc = &pg->scan;
    if (sc->oom)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    /* an empty body was not checked (nor scanned) */
    if (!resp->body.len || !sc->is_object)
        return zf_error_set(err, ZF_EPARSE, "a page of %s is not a JSON object", p->path);
    if (sc->items.p && sc->items.p[0] != '[')
        return zf_error_set(err, ZF_EPARSE, "\"%s\" in a page of %s is %s, not an array",
                            p->items_key, p->path,
                            zf_json_scan_type(sc->items) == ZF_JT_NULL ? "null" : "not a list");
    char *nt = NULL;
    if (sc->next_token.p && zf_json_scan_type(sc->next_token) == ZF_JT_STRING) {
        size_t n = zf_json_scan_str(sc->next_token, NULL, 0);
        if ((nt = malloc(n + 1)))
            zf_json_scan_str(sc->next_token, nt, n + 1);
    } else {
        nt = strdup("");
    }
    if (!nt)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    if (*nt && sent && strcmp(nt, sent) == 0 && sc->nelems == 0) {
        free(nt);
        return zf_error_set(err, ZF_EPARSE,
                            "Zoom returned an empty page of %s with the same "
                            "next_page_token: stopping instead of looping",
                            p->path);
    }
    int64_t t;
    pg->total = sc->total.p && zf_json_scan_type(sc->total) == ZF_JT_NUMBER &&
                        zf_json_scan_int(sc->total, &t)
                    ? t
                    : -1;
    free(pg->next_token);
    pg->next_token = nt;
    zf_buf_free(&pg->body); /* normally empty: zf_zoom_call took it as body_room */
    pg->body = resp->body;  /* the spans in scan point into these bytes */
    zf_buf_init(&resp->body, pg->body.max);
    pg->idx = 0;
    pg->has_items = sc->items.p != NULL;
    return 0;
}

/* The page read becomes the page held; the used-up one (its buffers)
 * goes to *pg, for the next page to be read into. */
static void take_raw_page(zf_pager *p, raw_page *pg)
{
    if (p->total < 0 && pg->total >= 0)
        p->total = pg->total;
    free(p->next_token);
    p->next_token = pg->next_token;
    pg->next_token = NULL;
    raw_page used = p->cur;
    p->cur = *pg;
    *pg = used;
    pg->has_items = 0;
}

/* zf_zoom_req.raw_check for pages: the strict check and the page's cut
 * in one pass over the body. */
static int page_check(void *ctx, const char *body, size_t len)
{
    return zf_json_scan_page(body, len, ctx, NULL, NULL) == ZF_EPARSE;
}

/* One page asked for with `token` (NULL or "" for the first), parsed as
 * the mode says into the pager (tree) or into *pg (raw). */
static int fetch_page(zf_pager *p, const char *token, raw_page *pg, zf_error *err)
{
    size_t nq = p->nquery;
    if (token && *token) {
        p->query[nq].key = "next_page_token";
        p->query[nq].value = token;
        nq++;
    }
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.path = p->path;
    req.query = p->query;
    req.nquery = nq;
    req.kind = ZF_ZOOM_READ;
    req.category = p->category;
    req.raw_json = p->raw;
    if (p->raw) {
        req.raw_check = page_check;
        req.raw_check_ctx = &pg->scan;
        req.body_room = &pg->body;
        pg->scan.is_object = 0; /* until this answer's body is scanned */
        pg->scan.nelems = 0;
        pg->scan.oom = 0;
    }
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    int rc = zf_zoom_call(p->z, &req, &resp, err);
    p->query[p->nquery].key = p->query[p->nquery].value = NULL;
    if (rc == 0)
        rc = p->raw ? parse_raw_page(p, token, &resp, pg, err) : take_page(p, &resp, err);
    zf_zoom_resp_free(&resp);
    return rc;
}

/* ---- prefetch ----------------------------------------------------------- */

static void *pf_main(void *arg)
{
    zf_pager *p = arg;
    pthread_mutex_lock(&p->pf_mu);
    for (;;) {
        while (!p->pf_stop && p->pf_state != PF_ASKED)
            pthread_cond_wait(&p->pf_cv, &p->pf_mu);
        if (p->pf_stop)
            break;
        pthread_mutex_unlock(&p->pf_mu);
        /* the caller does not touch the client, the query or pf_* while
         * a page is asked for */
        zf_error e = ZF_ERROR_INIT;
        int rc = fetch_page(p, p->pf_token, &p->pf_page, &e);
        pthread_mutex_lock(&p->pf_mu);
        p->pf_rc = rc;
        p->pf_err = e;
        p->pf_state = PF_DONE;
        pthread_cond_broadcast(&p->pf_cv);
    }
    pthread_mutex_unlock(&p->pf_mu);
    return NULL;
}

/* Asks the thread (started at the first call) for the page after the one
 * whose token is p->next_token. */
static int pf_ask(zf_pager *p, zf_error *err)
{
    char *tok = p->next_token && *p->next_token ? strdup(p->next_token) : NULL;
    if (p->next_token && *p->next_token && !tok)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    if (!p->pf_started) {
        if (pthread_create(&p->pf_thread, NULL, pf_main, p) != 0) {
            free(tok);
            return zf_error_set(err, ZF_ENOMEM, "cannot start the page prefetch thread");
        }
        p->pf_started = 1;
    }
    pthread_mutex_lock(&p->pf_mu);
    free(p->pf_token);
    p->pf_token = tok;
    p->pf_state = PF_ASKED;
    pthread_cond_signal(&p->pf_cv);
    pthread_mutex_unlock(&p->pf_mu);
    p->pf_pending = 1;
    return 0;
}

/* Waits for the page in flight (asking for it first when none is) and
 * holds it; then asks for the next one at once when there is a next. */
static int pf_take(zf_pager *p, zf_error *err)
{
    int rc = 0;
    if (!p->pf_pending && (rc = pf_ask(p, err)) != 0)
        return rc;
    pthread_mutex_lock(&p->pf_mu);
    while (p->pf_state != PF_DONE)
        pthread_cond_wait(&p->pf_cv, &p->pf_mu);
    p->pf_state = PF_IDLE;
    p->pf_pending = 0;
    rc = p->pf_rc;
    if (rc)
        *err = p->pf_err;
    pthread_mutex_unlock(&p->pf_mu);
    if (rc)
        return rc;
    take_raw_page(p, &p->pf_page); /* the thread is idle until pf_ask */
    return *p->next_token ? pf_ask(p, err) : 0;
}

/* Waits for a page still in flight, drops it, ends the thread. */
static void pf_stop(zf_pager *p)
{
    if (!p->pf_started)
        return;
    pthread_mutex_lock(&p->pf_mu);
    while (p->pf_state == PF_ASKED)
        pthread_cond_wait(&p->pf_cv, &p->pf_mu);
    p->pf_stop = 1;
    pthread_cond_signal(&p->pf_cv);
    pthread_mutex_unlock(&p->pf_mu);
    pthread_join(p->pf_thread, NULL);
    p->pf_started = 0;
    free(p->pf_token);
    p->pf_token = NULL;
}

static int fetch(zf_pager *p, zf_error *err)
{
    /* the items of the page held are used up: drop it before the next one
     * is read and parsed, so at most one parsed page is alive at a time
     * (prefetch: the next one is already arriving) */
    json_decref(p->page);
    p->page = NULL;
    p->items = NULL;
    p->cur.has_items = 0; /* raw: its buffers are read into again later */
    if (p->prefetch)
        return pf_take(p, err);
    int rc = fetch_page(p, p->next_token, &p->pf_page, err);
    if (rc == 0 && p->raw)
        take_raw_page(p, &p->pf_page);
    return rc;
}

static int restart_or_fail(zf_pager *p, zf_error *err)
{
    if (!p->restart || p->restarts >= p->max_restarts)
        return fail_incomplete(p, p->restart ? " (restarted already; giving up)" : "", err);
    if (p->keyless) {
        char why[160];
        snprintf(why, sizeof why,
                 " (cannot restart: some items have no \"%s\" to skip "
                 "duplicates by)",
                 p->dedupe_key);
        return fail_incomplete(p, why, err);
    }
    zf_log(ZF_LOG_WARN, "zoom",
           "next page token expired after %lld items of %s; restarting "
           "from the first page, skipping items already delivered",
           (long long)p->delivered, p->path);
    p->restarts++;
    free(p->next_token);
    p->next_token = NULL;
    json_decref(p->page);
    p->page = NULL;
    p->items = NULL;
    p->cur.has_items = 0;
    zf_error_reset(err);
    return 0;
}

/* 1 = deliver item, 0 = skip it (already delivered before a restart). */
static int admit(zf_pager *p, const json_t *item, const zf_jspan *raw)
{
    if (!p->seen)
        return 1;
    char key[320];
    if (raw)
        key_of_raw(p, *raw, key, sizeof key);
    else
        key_of(p, item, key, sizeof key);
    if (!key[0]) {
        p->keyless = 1;
        return 1;
    }
    if (json_object_get(p->seen, key))
        return 0;
    json_object_set_new(p->seen, key, json_true());
    return 1;
}

int zf_pager_next(zf_pager *p, json_t **item, zf_error *err)
{
    *item = NULL;
    if (!p)
        return zf_error_set(err, ZF_EINVAL, "zf_pager_next: no pager");
    if (p->raw)
        return zf_error_set(err, ZF_EINVAL,
                            "zf_pager_next: this pager is in raw mode (use "
                            "zf_pager_next_raw)");
    for (;;) {
        while (p->items && p->idx < json_array_size(p->items)) {
            json_t *it = json_array_get(p->items, p->idx++);
            if (admit(p, it, NULL)) {
                p->delivered++;
                *item = it;
                return 1;
            }
        }
        if (p->next_token && !*p->next_token)
            return 0;
        int rc = fetch(p, err);
        if (rc && expired_token(p, err))
            rc = restart_or_fail(p, err);
        if (rc)
            return rc;
    }
}

int zf_pager_next_raw(zf_pager *p, const char **item, size_t *len, zf_error *err)
{
    *item = NULL;
    *len = 0;
    if (!p)
        return zf_error_set(err, ZF_EINVAL, "zf_pager_next_raw: no pager");
    if (!p->raw)
        return zf_error_set(err, ZF_EINVAL,
                            "zf_pager_next_raw: this pager was not made with "
                            "opts.raw = 1 (use zf_pager_next)");
    for (;;) {
        while (p->cur.has_items && p->cur.idx < p->cur.scan.nelems) {
            zf_jspan v = p->cur.scan.elems[p->cur.idx++];
            if (admit(p, NULL, &v)) {
                p->delivered++;
                *item = v.p;
                *len = v.n;
                return 1;
            }
        }
        p->cur.has_items = 0;
        if (p->next_token && !*p->next_token)
            return 0;
        int rc = fetch(p, err);
        if (rc && expired_token(p, err))
            rc = restart_or_fail(p, err);
        if (rc)
            return rc;
    }
}
