/*
 * zf_action_known: the objects already there, per scope, for many calls of
 * one create (actions.h). Pure: the listing goes through a zf_action_source.
 *
 * One jansson object per scope: {"planned": n, "state": s, "keys": {key:
 * true}} (jansson's objects are hash tables: a lookup per call costs no
 * more than hashing the key). States: not listed yet, listed (the keys are
 * the set), off (not worth it, too large, or the listing failed: `existed`
 * per call).
 */
#include "actions_internal.h"

#include <stdlib.h>
#include <string.h>

#define KEY_MAX 320

enum { ST_UNLISTED = 0, ST_LISTED, ST_OFF };

struct zf_action_known {
    const zf_action_known_rule *rule;
    json_t *scopes; /* scope text -> {"planned", "state", "keys"} */
};

int zf_action_known_new(zf_action_known **out, const zf_action *a)
{
    *out = NULL;
    if (!a || !a->known || a->kind != ZF_ACTION_CREATE || !a->existed)
        return 0;
    zf_action_known *k = calloc(1, sizeof *k);
    if (!k || !(k->scopes = json_object())) {
        free(k);
        return ZF_ENOMEM;
    }
    k->rule = a->known;
    *out = k;
    return 0;
}

void zf_action_known_free(zf_action_known *k)
{
    if (!k)
        return;
    json_decref(k->scopes);
    free(k);
}

static json_t *scope_of(const zf_action_known *k, const json_t *in)
{
    char scope[KEY_MAX];
    if (!k || k->rule->scope(scope, sizeof scope, in) != 0)
        return NULL;
    return json_object_get(k->scopes, scope);
}

static int state_of(const json_t *sc)
{
    return (int)json_integer_value(json_object_get(sc, "state"));
}

static void set_state(json_t *sc, int st)
{
    json_object_set_new(sc, "state", json_integer(st));
}

int zf_action_known_plan(zf_action_known *k, const json_t *in)
{
    char scope[KEY_MAX];
    if (!k || k->rule->scope(scope, sizeof scope, in) != 0)
        return 0;
    json_t *sc = json_object_get(k->scopes, scope);
    if (!sc) {
        sc = json_pack("{s:I,s:i,s:o}", "planned", (json_int_t)0, "state", ST_UNLISTED, "keys",
                       json_object());
        if (!sc || json_object_set_new_nocheck(k->scopes, scope, sc) != 0)
            return ZF_ENOMEM;
    }
    json_int_t n = json_integer_value(json_object_get(sc, "planned"));
    return json_object_set_new(sc, "planned", json_integer(n + 1)) == 0 ? 0 : ZF_ENOMEM;
}

/* The listing's receiver: every key into the set, until the listing has
 * cost as many requests as the planned calls' own checks would. */
typedef struct collect {
    const zf_action_known_rule *rule;
    json_t *keys;
    json_int_t planned, items;
    int too_large, failed;
} collect;

static int collect_each(void *arg, const json_t *items)
{
    collect *c = arg;
    size_t i;
    json_t *it;
    json_array_foreach (items, i, it) {
        char key[KEY_MAX];
        c->items++;
        /* the pages past the listing's least requests that this item needs */
        json_int_t pages = (c->items - 1) / (c->rule->page_items > 0 ? c->rule->page_items : 1);
        if (c->rule->list_min + pages >= c->planned) {
            c->too_large = 1;
            return 1;
        }
        if (c->rule->key(key, sizeof key, it) != 0)
            continue; /* an item without a key tells nothing */
        if (json_object_set_new_nocheck(c->keys, key, json_true()) != 0) {
            c->failed = 1;
            return 1;
        }
    }
    return 0;
}

int zf_action_known_prepare(zf_action_known *k, const json_t *in, const zf_action_source *src,
                            zf_error *err)
{
    json_t *sc = scope_of(k, in);
    if (!sc || state_of(sc) != ST_UNLISTED)
        return 0;
    collect c = {.rule = k->rule,
                 .keys = json_object_get(sc, "keys"),
                 .planned = json_integer_value(json_object_get(sc, "planned"))};
    if (c.planned <= k->rule->list_min) {
        /* the listing costs at least what the calls' own checks would */
        set_state(sc, ST_OFF);
        return 0;
    }
    int rc = k->rule->list(in, src, collect_each, &c, err);
    if (rc == 0 && c.failed)
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory listing the objects already there");
    if (rc != 0 || c.too_large) {
        json_object_clear(c.keys);
        set_state(sc, ST_OFF);
        return rc;
    }
    set_state(sc, ST_LISTED);
    return 0;
}

int zf_action_known_has(const zf_action_known *k, const json_t *in)
{
    json_t *sc = scope_of(k, in);
    char key[KEY_MAX];
    if (!sc || state_of(sc) != ST_LISTED || k->rule->key(key, sizeof key, in) != 0)
        return -1;
    return json_object_get(json_object_get(sc, "keys"), key) != NULL;
}

int zf_action_known_add(zf_action_known *k, const json_t *in)
{
    json_t *sc = scope_of(k, in);
    char key[KEY_MAX];
    if (!sc || state_of(sc) != ST_LISTED || k->rule->key(key, sizeof key, in) != 0)
        return 0;
    if (json_object_set_new_nocheck(json_object_get(sc, "keys"), key, json_true()) == 0)
        return 0;
    /* a key lost would make a later call of it look new: ask `existed` */
    json_object_clear(json_object_get(sc, "keys"));
    set_state(sc, ST_OFF);
    return ZF_ENOMEM;
}
