/*
 * Arbitrary JSON through every action's validator; inputs that pass are
 * also built into requests, and every input is normalised as if it were
 * Zoom's answer. The first byte picks the action.
 */
#include <stddef.h>
#include <stdint.h>

#include "zoomflow/actions.h"

#define FUZZ_INPUT_MAX (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_INPUT_MAX)
        return 0;
    const zf_action *const *all = zf_actions();
    size_t n = 0;
    while (all[n])
        n++;
    const zf_action *a = all[data[0] % n];
    json_t *in = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, NULL);
    if (!in)
        return 0;
    zf_problems p = ZF_PROBLEMS_INIT;
    if (zf_action_validate(&p, a, in) == 0) {
        zf_action_request req;
        zf_error err = ZF_ERROR_INIT;
        if (zf_action_build(&req, a, in, &err) == 0)
            zf_action_request_free(&req);
    } else {
        json_t *arr = NULL;
        zf_error err = ZF_ERROR_INIT;
        zf_problems_json(&arr, &p);
        json_decref(arr);
        zf_problems_to_error(&err, &p);
    }
    zf_problems_free(&p);
    json_t *out = NULL;
    zf_error err = ZF_ERROR_INIT;
    if (zf_action_normalise(&out, a, in, ZF_OUTCOME_FOUND, &err) == 0)
        json_decref(out);
    json_decref(in);
    return 0;
}
