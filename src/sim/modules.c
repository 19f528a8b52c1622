/* The module table: dispatch order is the order of this list. */
#include "sim.h"

extern const sim_module sim_mod_auth, sim_mod_paging, sim_mod_control, sim_mod_oauth, sim_mod_data,
    sim_mod_limits, sim_mod_faults, sim_mod_webhooks;

const sim_module *const sim_modules[] = {
    &sim_mod_auth,   &sim_mod_paging, &sim_mod_control,  &sim_mod_oauth, &sim_mod_data,
    &sim_mod_limits, &sim_mod_faults, &sim_mod_webhooks, NULL,
};
