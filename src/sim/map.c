/*
 * sim_map: open addressing with linear probing, FNV-1a hashing, tombstones.
 * Load (live + tombstones) stays under 1/2, so probes are short; a rehash
 * drops the tombstones.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

static char tombstone;
#define TOMB (&tombstone)

static uint64_t hash(const char *k)
{
    uint64_t h = 1469598103934665603ull;
    for (; *k; k++) {
        h ^= (unsigned char)*k;
        h *= 1099511628211ull;
    }
    return h;
}

void sim_map_init(sim_map *m)
{
    memset(m, 0, sizeof *m);
}

int sim_map_live(const sim_map *m, size_t i)
{
    return m->keys[i] && m->keys[i] != TOMB;
}

static size_t find_slot(const sim_map *m, const char *key, int *found)
{
    size_t mask = m->cap - 1, i = hash(key) & mask, first_tomb = SIZE_MAX;
    for (;;) {
        char *k = m->keys[i];
        if (!k) {
            *found = 0;
            return first_tomb != SIZE_MAX ? first_tomb : i;
        }
        if (k == TOMB) {
            if (first_tomb == SIZE_MAX)
                first_tomb = i;
        } else if (strcmp(k, key) == 0) {
            *found = 1;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static int rehash(sim_map *m, size_t ncap)
{
    sim_map n = {calloc(ncap, sizeof(char *)), calloc(ncap, sizeof(void *)), ncap, 0, 0};
    if (!n.keys || !n.vals) {
        free(n.keys);
        free(n.vals);
        return ZF_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!sim_map_live(m, i))
            continue;
        int found;
        size_t j = find_slot(&n, m->keys[i], &found);
        n.keys[j] = m->keys[i];
        n.vals[j] = m->vals[i];
        n.n++;
        n.used++;
    }
    free(m->keys);
    free(m->vals);
    *m = n;
    return 0;
}

int sim_map_put(sim_map *m, const char *key, void *val)
{
    if ((m->used + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap : 16;
        while ((m->n + 1) * 4 > ncap)
            ncap *= 2;
        if (rehash(m, ncap) != 0)
            return ZF_ENOMEM;
    }
    int found;
    size_t i = find_slot(m, key, &found);
    if (found) {
        m->vals[i] = val;
        return 0;
    }
    char *k = strdup(key);
    if (!k)
        return ZF_ENOMEM;
    if (!m->keys[i])
        m->used++;
    m->keys[i] = k;
    m->vals[i] = val;
    m->n++;
    return 0;
}

void *sim_map_get(const sim_map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    int found;
    size_t i = find_slot(m, key, &found);
    return found ? m->vals[i] : NULL;
}

void *sim_map_del(sim_map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    int found;
    size_t i = find_slot(m, key, &found);
    if (!found)
        return NULL;
    void *v = m->vals[i];
    free(m->keys[i]);
    m->keys[i] = TOMB;
    m->vals[i] = NULL;
    m->n--;
    return v;
}

void sim_map_clear(sim_map *m, void (*freeval)(void *))
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!sim_map_live(m, i))
            continue;
        if (freeval)
            freeval(m->vals[i]);
        free(m->keys[i]);
    }
    free(m->keys);
    free(m->vals);
    sim_map_init(m);
}
