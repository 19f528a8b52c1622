/* Users: POST/GET /users, GET /users/{userId}, GET /users/{userId}/settings. */
#include "sim.h"

#include <stdio.h>

static void data_reset(sim *s)
{
    snprintf(s->owner_id, sizeof s->owner_id, "%s", "zsimOwner000000000001");
}

const sim_module sim_mod_data = {"data", NULL, NULL, data_reset, NULL, NULL, NULL};
