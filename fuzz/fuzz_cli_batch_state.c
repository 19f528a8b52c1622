/*
 * The state file of `zoomflow batch --state` (src/cli/batch_state.c): a
 * file on disk that a crash may cut short and a person may edit. The
 * input is the file's bytes for a run of 8 rows with a fixed header.
 * Beyond "no crash, no leak": a refusal says why; an accepted file has
 * good_len within it, at a line's end, with only a cut last line (no
 * newline) past it; every result kept is a JSON object of its own row;
 * and parsing the accepted part alone gives the same rows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "batch_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER CLI_BSTATE_MAGIC "create_user 0123456789abcdef 8"
#define ROWS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    cli_bstate st, again;
    zf_error err = ZF_ERROR_INIT;
    int rc = cli_bstate_parse(&st, text, size, HEADER, ROWS, &err);
    if (rc) {
        if (rc != ZF_EVALIDATION && rc != ZF_ECONFLICT && rc != ZF_ENOMEM)
            abort();
        if (!err.message[0])
            abort();
        return 0;
    }
    if (st.good_len > size || (st.good_len && text[st.good_len - 1] != '\n'))
        abort();
    if (memchr(text + st.good_len, '\n', size - st.good_len))
        abort();
    if (st.truncated != (st.good_len < size))
        abort();
    for (size_t i = 0; i < ROWS; i++) {
        const cli_bstate_row *r = &st.rows[i];
        if (r->ok && (!r->result || r->sent))
            abort();
        if (r->result) {
            json_t *o = json_loads(r->result, 0, NULL);
            if (!json_is_object(o) ||
                json_integer_value(json_object_get(o, "row")) != (json_int_t)(i + 1))
                abort();
            json_decref(o);
        }
    }
    zf_error e2 = ZF_ERROR_INIT;
    if (cli_bstate_parse(&again, text, st.good_len, HEADER, ROWS, &e2) != 0 || again.truncated)
        abort();
    for (size_t i = 0; i < ROWS; i++) {
        const cli_bstate_row *x = &st.rows[i], *y = &again.rows[i];
        if (x->sent != y->sent || x->ok != y->ok || x->sent_at != y->sent_at ||
            !x->result != !y->result || (x->result && strcmp(x->result, y->result) != 0))
            abort();
    }
    cli_bstate_free(&again);
    cli_bstate_free(&st);
    return 0;
}
