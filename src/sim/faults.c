/* Fault injection (per route or global). */
#include "sim.h"

int sim_faults_before(sim *s, sim_req *rq, sim_resp *rs, int *delay_ms)
{
    *delay_ms = 0;
    return 0;
}

void sim_faults_after(sim *s, sim_req *rq, sim_resp *rs)
{
}

const sim_module sim_mod_faults = {"faults", NULL, NULL, NULL, NULL, NULL, NULL};
