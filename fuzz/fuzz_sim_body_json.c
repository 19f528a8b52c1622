/*
 * Arbitrary bytes as a request body through sim_body_json, the one entry
 * every JSON route uses. It must return an object or NULL with Zoom's
 * 400 / code 300 error written, never anything else.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sim_req rq;
    memset(&rq, 0, sizeof rq);
    rq.method = "POST";
    rq.path = "/v2/users";
    rq.body = (const char *)data;
    rq.body_len = size;
    sim_resp rs;
    sim_resp_init(&rs);
    json_t *j = sim_body_json(&rq, &rs);
    if (j) {
        if (!json_is_object(j) || rs.body.len != 0)
            abort();
        json_decref(j);
    } else {
        json_t *err = json_loadb(rs.body.ptr, rs.body.len, 0, NULL);
        if (rs.status != 400 || !err || json_integer_value(json_object_get(err, "code")) != 300)
            abort();
        json_decref(err);
    }
    sim_resp_free(&rs);
    return 0;
}
