/* libFuzzer: the workflow loader and its checks (workflow.h) over any
 * bytes, read as YAML (first byte even) or JSON (odd). Properties: no
 * crash, leak or read past the input (ASan); the result is a definition
 * or at least one problem, never both; every problem has a message and a
 * place that is 0:0 (the file) or within the input's lines; a definition
 * that loads has a name, a version and 1..ZF_WF_STEPS_MAX steps, each
 * with an action and a compiled with:. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/workflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libfyaml 0.7.12 leaks one 2 KiB scan buffer when a flow collection
 * breaks off right after a long quoted scalar with escapes (the corpus'
 * libfyaml-quoted-leak); a bare event loop over that input shows it, so
 * the leak is libfyaml's, and LeakSanitizer is told to skip leaks
 * allocated inside libfyaml and nothing else. */
const char *__lsan_default_suppressions(void);
__attribute__((visibility("default"))) const char *__lsan_default_suppressions(void)
{
    return "leak:libfyaml.so\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    const char *file = (data[0] & 1) ? "f.json" : "f.yaml";
    zf_workflow *w = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    int rc = zf_workflow_load(&w, file, data + 1, size - 1, NULL, &p);
    int lines = 1;
    for (size_t i = 1; i < size; i++)
        lines += data[i] == '\n' || data[i] == '\r'; /* YAML breaks lines at CR too */
    if (rc == 0) {
        if (!w || p.count || !zf_workflow_name(w)[0] || !zf_workflow_version(w)[0])
            abort();
        size_t n = zf_workflow_step_count(w);
        if (n < 1 || n > ZF_WF_STEPS_MAX)
            abort();
        for (size_t i = 0; i < n; i++)
            if (!zf_workflow_step(w, i)->action || !zf_workflow_step(w, i)->with)
                abort();
        json_decref(zf_workflow_json(w));
    } else {
        if (w || (!p.count && !p.oom))
            abort();
        for (size_t i = 0; i < p.count; i++)
            if (!p.items[i].message[0] || p.items[i].line < 0 || p.items[i].line > lines + 1)
                abort();
    }
    zf_workflow_free(w);
    zf_wf_problems_free(&p);
    return 0;
}
