/* libFuzzer: the bounded JSON parser and the typed getters over whatever it
 * accepts. Failures must set a message; successes must be objects or
 * arrays; nothing may leak or read past the input (ASan). */
#include "zoomflow/json.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = NULL;
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_json_parse(&j, data, size, 64 << 10, "fuzz input", &err);
    if (rc != 0) {
        if (j || err.message[0] == '\0')
            abort();
        return 0;
    }
    if (!json_is_object(j) && !json_is_array(j))
        abort();
    const char *s;
    int64_t i;
    int b;
    json_t *o;
    static const char *const fields[] = {
        "id", "code", "message", "users", "next_page_token", "settings", "total_records"};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        zf_json_opt_str(j, fields[k], &s, NULL, &err);
        zf_json_opt_int(j, fields[k], &i, 0, &err);
        zf_json_opt_bool(j, fields[k], &b, 0, &err);
        zf_json_opt_obj(j, fields[k], &o, &err);
        zf_json_get_arr(j, fields[k], &o, &err);
    }
    zf_buf out = ZF_BUF_INIT(256 << 10);
    zf_json_dump(j, &out, &err);
    zf_buf_free(&out);
    json_decref(j);
    return 0;
}
