/* Rate limits (per-account token buckets per category, daily quotas). */
#include "sim.h"

int sim_limits_check(sim *s, sim_req *rq, sim_resp *rs)
{
    return 0;
}

const sim_module sim_mod_limits = {"limits", NULL, NULL, NULL, NULL, NULL, NULL};
