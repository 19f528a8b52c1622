#ifndef ZOOMSIM_SERVER_H
#define ZOOMSIM_SERVER_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include "sim.h"
/* Starts listening (s->opts.host/port/tls/threads); fills s->base_url and
 * s->opts.port. NULL and a message in err on failure. */
struct MHD_Daemon *sim_server_start(sim *s, char *err, size_t errlen);
void sim_server_stop(struct MHD_Daemon *d);
#endif
