/* webhooks.c internals shared with its unit tests. */
#ifndef ZOOMSIM_WEBHOOKS_H
#define ZOOMSIM_WEBHOOKS_H

#include "sim.h"

/* hex(HMAC-SHA256(key, msg)) into out (64 hex digits + NUL). */
void sim_webhook__hmac_hex(const char *key, const void *msg, size_t len, char out[65]);
/* x-zm-signature value for body sent at unix time ts: "v0=" + hex(HMAC(secret,
 * "v0:" + ts + ":" + body)). */
void sim_webhook__signature(const char *secret, int64_t ts, const char *body, size_t len,
                            char out[68]);
/* The serialised envelope {"event","event_ts","payload":{"account_id","object"}}
 * plus top's keys (malloc'd; object and top are borrowed). */
char *sim_webhook__envelope(sim *s, const char *event, json_t *object, json_t *top);
/* The same with payload's members after account_id (borrowed). */
char *sim_webhook__envelope_payload(sim *s, const char *event, json_t *payload, json_t *top);
/* GET /_sim/webhooks/deliveries as JSON (new reference); event may be NULL. */
json_t *sim_webhook__deliveries(sim *s, const char *event, uint64_t since);
/* The same for one app's subscription (app NULL: every one). */
json_t *sim_webhook__deliveries_of(sim *s, const char *event, const char *app, uint64_t since);

#endif
