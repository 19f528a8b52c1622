/* faults.c internals shared with its unit tests. */
#ifndef ZOOMSIM_FAULTS_H
#define ZOOMSIM_FAULTS_H

#include "sim.h"

/* Adds rules from a POST /_sim/faults body; 0, or ZF_EVALIDATION with a
 * message in err (nothing added then). */
int sim_faults__add(sim *s, json_t *body, char *err, size_t errlen);
/* GET /_sim/faults as JSON (new reference). */
json_t *sim_faults__list(sim *s);
void sim_faults__clear(sim *s);

#endif
