/* limits.c internals shared with the fault module and the unit tests. */
#ifndef ZOOMSIM_LIMITS_H
#define ZOOMSIM_LIMITS_H

#include "sim.h"

/* A token bucket: holds up to `cap` tokens, refills `rate` tokens per second
 * of the monotonic clock. */
typedef struct sim_bucket {
    double tokens;
    double last; /* monotonic seconds of the last refill */
} sim_bucket;

/* Refills b up to now, then takes one token: 1 when taken, 0 when empty. */
int sim_limits__take(sim_bucket *b, double rate, double cap, double now);
/* Seconds until b holds a whole token again (0 when it does). */
double sim_limits__wait(const sim_bucket *b, double rate);

/* The category's request limit per window (X-RateLimit-Limit of a QPS 429). */
int sim_limits__rate_limit(sim *s, sim_category cat);
/* "Light", "Medium", "Heavy", "Resource-intensive" (NULL for SIM_CAT_NONE). */
const char *sim_limits__category_name(sim_category cat);

/* Tests: pin the monotonic clock at t seconds (t < 0: the real clock). */
void sim_limits__set_mono(sim *s, double t);

#endif
