/* Emulator lifecycle: module init/reset/destroy and whole-state dump/load. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_new(sim **out, const sim_opts *opts)
{
    sim *s = calloc(1, sizeof *s);
    if (!s)
        return ZF_ENOMEM;
    pthread_mutex_init(&s->lock, NULL);
    s->opts = *opts;
    snprintf(s->account_id, sizeof s->account_id, "%s",
             opts->account_id ? opts->account_id : "zsimAcct0000000000001");
    for (int m = 0; sim_modules[m]; m++) {
        int rc = sim_modules[m]->init ? sim_modules[m]->init(s) : 0;
        if (rc != 0) {
            if (rc != ZF_ECONFIG)
                fprintf(stderr, "zoomsim: module %s failed to start\n", sim_modules[m]->name);
            sim_free(s);
            return rc;
        }
    }
    /* modules may run threads from init on (webhook delivery): hold the lock
     * as sim_reset's contract says */
    pthread_mutex_lock(&s->lock);
    sim_reset(s);
    pthread_mutex_unlock(&s->lock);
    *out = s;
    return 0;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    for (int m = 0; sim_modules[m]; m++)
        if (sim_modules[m]->destroy)
            sim_modules[m]->destroy(s);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void sim_reset(sim *s)
{
    s->clock_offset = 0;
    for (int m = 0; sim_modules[m]; m++)
        if (sim_modules[m]->reset)
            sim_modules[m]->reset(s);
}

json_t *sim_dump(sim *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "version", json_integer(1));
    json_object_set_new(j, "account_id", json_string(s->account_id));
    json_object_set_new(j, "clock_offset", json_integer(s->clock_offset));
    for (int m = 0; sim_modules[m]; m++) {
        if (!sim_modules[m]->dump)
            continue;
        json_t *part = sim_modules[m]->dump(s);
        if (part)
            json_object_set_new(j, sim_modules[m]->name, part);
    }
    return j;
}

int sim_load(sim *s, json_t *state)
{
    if (!json_is_object(state) || json_integer_value(json_object_get(state, "version")) != 1)
        return ZF_EPARSE;
    sim_reset(s);
    s->clock_offset = json_integer_value(json_object_get(state, "clock_offset"));
    for (int m = 0; sim_modules[m]; m++) {
        json_t *part = json_object_get(state, sim_modules[m]->name);
        int rc = part && sim_modules[m]->load ? sim_modules[m]->load(s, part) : 0;
        if (rc != 0)
            return rc;
    }
    return 0;
}
