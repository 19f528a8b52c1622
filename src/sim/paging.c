/*
 * next_page_token store. A token names a cursor: the list it belongs to
 * (`key`, which encodes the path and the filters, so a token replayed with
 * other query parameters is refused, as Zoom does) and the position where
 * the next page starts. Tokens live SIM_PAGE_TOKEN_TTL seconds of sim time.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

typedef struct cursor {
    char *key;
    uint64_t pos, extra;
    int64_t expires_at;
} cursor;

struct sim_paging {
    sim_map tokens;
    size_t puts_since_purge;
};

static void cursor_free(void *p)
{
    cursor *c = p;
    if (c)
        free(c->key);
    free(c);
}

static void purge(sim *s)
{
    struct sim_paging *pg = s->paging;
    int64_t now = sim_now(s);
    for (size_t i = 0; i < pg->tokens.cap; i++) {
        if (sim_map_live(&pg->tokens, i) &&
            ((cursor *)pg->tokens.vals[i])->expires_at <= now)
            cursor_free(sim_map_del(&pg->tokens, pg->tokens.keys[i]));
    }
    pg->puts_since_purge = 0;
}

void sim_paging_put(sim *s, const char *key, uint64_t pos, uint64_t extra, char out[33])
{
    struct sim_paging *pg = s->paging;
    if (++pg->puts_since_purge > 8192)
        purge(s);
    cursor *c = calloc(1, sizeof *c);
    out[0] = '\0';
    if (!c || !(c->key = strdup(key))) {
        cursor_free(c);
        return;
    }
    c->pos = pos;
    c->extra = extra;
    c->expires_at = sim_now(s) + SIM_PAGE_TOKEN_TTL;
    sim_random_id(out, 33, 32);
    if (sim_map_put(&pg->tokens, out, c) != 0) {
        cursor_free(c);
        out[0] = '\0';
    }
}

int sim_paging_get(sim *s, const char *token, const char *key, uint64_t *pos,
                   uint64_t *extra)
{
    cursor *c = sim_map_get(&s->paging->tokens, token);
    if (!c || c->expires_at <= sim_now(s) || strcmp(c->key, key) != 0)
        return -1;
    *pos = c->pos;
    *extra = c->extra;
    return 0;
}

static int paging_init(sim *s)
{
    s->paging = calloc(1, sizeof *s->paging);
    return s->paging ? 0 : -1;
}

static void paging_reset(sim *s)
{
    sim_map_clear(&s->paging->tokens, cursor_free);
}

static void paging_destroy(sim *s)
{
    if (!s->paging)
        return;
    paging_reset(s);
    free(s->paging);
    s->paging = NULL;
}

const sim_module sim_mod_paging = {
    "paging", NULL, paging_init, paging_reset, paging_destroy, NULL, NULL,
};
