/* OAuth as Zoom does it: /oauth/authorize, /oauth/token, /oauth/revoke. */
#include "sim.h"

const sim_module sim_mod_oauth = {"oauth", NULL, NULL, NULL, NULL, NULL, NULL};
