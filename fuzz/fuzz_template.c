/* libFuzzer: the template compiler and renderer (workflow.h) over any
 * text, rendered against a fixed context. Properties: no crash, leak or
 * overread (ASan); compiling fails with a problem or succeeds; rendering
 * a compiled template gives a value or an error with a message, never
 * both; a value of one template with text around it is a string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/workflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ctx_text[] =
    "{\"event\": {\"email\": \"Ada@Example.com\", \"n\": 42, \"list\": [1, \"b\", null],"
    " \"start_date\": \"2026-03-08\", \"timezone\": \"America/New_York\","
    " \"at\": \"2026-11-01T05:30:00Z\", \"o\": {\"k\": [true]}},"
    " \"steps\": {\"a\": {\"output\": {\"id\": 85746065432}}},"
    " \"env\": {\"HOME_TZ\": \"Europe/Berlin\"}, \"item\": {\"email\": \" x@y.z \"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > ZF_WF_TEMPLATE_MAX + 16)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    static const char *const before[] = {"a", NULL};
    static const char *const all[] = {"a", "b", NULL};
    zf_wf_scope sc = {
        .file = "t.yaml", .step = "b", .steps_before = before, .steps_all = all, .has_item = 1};
    zf_wf_template *t = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    int rc = zf_wf_template_compile_string(&t, text, &sc, 1, 1, &p);
    if ((rc == 0) != (t != NULL) || (rc != 0 && !p.count && !p.oom))
        abort();
    if (t) {
        json_t *ctx = json_loads(ctx_text, 0, NULL);
        json_t *out = NULL;
        zf_error err = ZF_ERROR_INIT;
        int r = zf_wf_render(&out, t, ctx, &err);
        if ((r == 0) != (out != NULL) || (r != 0 && !err.message[0]))
            abort();
        (void)zf_wf_truthy(out);
        json_decref(out);
        json_decref(ctx);
    }
    zf_wf_template_free(t);
    zf_wf_problems_free(&p);
    free(text);
    return 0;
}
