/*
 * docs/actions.md is generated: the committed file must equal
 * zf_actions_markdown(). Also the tool that regenerates it and dumps the
 * published JSON Schemas:
 *
 *   build/test_actions_docs --write          rewrite docs/actions.md
 *   build/test_actions_docs --schema NAME    print NAME's JSON Schema
 *   build/test_actions_docs --schemas        print {name: schema, ...}
 *   build/test_actions_docs --validate NAME  validate stdin, print problems
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zoomflow/actions.h"

#define DOC_MAX (4 * 1024 * 1024)

static void docs_path(char *out, size_t n)
{
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    int dir = slash ? (int)(slash - here) : 0;
    snprintf(out, n, "%.*s%s../../docs/actions.md", dir, here, slash ? "/" : "");
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, DOC_MAX + 1);
    size_t n = buf ? fread(buf, 1, DOC_MAX, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static void test_committed_docs_are_generated(void **state)
{
    char path[4096];
    docs_path(path, sizeof path);
    zf_buf md = ZF_BUF_INIT(DOC_MAX);
    assert_int_equal(zf_actions_markdown(&md), 0);
    char *committed = read_all(path);
    if (!committed || strcmp(committed, md.ptr) != 0)
        fprintf(stderr, "%s is stale: run build/test_actions_docs --write and commit it\n", path);
    assert_non_null(committed);
    assert_string_equal(committed, md.ptr);
    free(committed);
    zf_buf_free(&md);
}

static void test_docs_cover_every_action_and_field(void **state)
{
    zf_buf md = ZF_BUF_INIT(DOC_MAX);
    assert_int_equal(zf_actions_markdown(&md), 0);
    char needle[256];
    for (const zf_action *const *a = zf_actions(); *a; a++) {
        snprintf(needle, sizeof needle, "## %s\n", (*a)->name);
        assert_non_null(strstr(md.ptr, needle));
        for (const zf_field *f = (*a)->input; f->name; f++) {
            snprintf(needle, sizeof needle, "| `%s` |", f->name);
            assert_non_null(strstr(md.ptr, needle));
        }
    }
    assert_non_null(strstr(md.ptr, "| `settings.jbh_time` | INT |"));
    assert_non_null(strstr(md.ptr, "| `custom_questions[].value` |"));
    assert_non_null(strstr(md.ptr, "one of 0, 5, 10, 15"));
    zf_buf_free(&md);
}

static int write_docs(void)
{
    char path[4096];
    docs_path(path, sizeof path);
    zf_buf md = ZF_BUF_INIT(DOC_MAX);
    FILE *f = zf_actions_markdown(&md) == 0 ? fopen(path, "wb") : NULL;
    int ok = f && fwrite(md.ptr, 1, md.len, f) == md.len;
    if (f)
        ok &= fclose(f) == 0;
    zf_buf_free(&md);
    fprintf(stderr, "%s %s\n", ok ? "wrote" : "cannot write", path);
    return ok ? 0 : 1;
}

static int print_schema(const char *name)
{
    json_t *out = NULL;
    if (name) {
        const zf_action *a = zf_action_find(name);
        if (!a) {
            fprintf(stderr, "no action named %s\n", name);
            return 2;
        }
        if (zf_action_schema_json(&out, a) != 0)
            return 1;
    } else {
        out = json_object();
        for (const zf_action *const *a = zf_actions(); *a; a++) {
            json_t *s;
            if (zf_action_schema_json(&s, *a) != 0)
                return 1;
            json_object_set_new(out, (*a)->name, s);
        }
    }
    json_dumpf(out, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(out);
    return 0;
}

/* Prints the problems (a JSON array, [] when valid) of the input on stdin. */
static int validate_stdin(const char *name)
{
    const zf_action *a = zf_action_find(name);
    json_error_t e;
    json_t *in = a ? json_loadf(stdin, JSON_DECODE_ANY, &e) : NULL;
    if (!in) {
        fprintf(stderr, "%s\n", a ? e.text : "no such action");
        return 2;
    }
    zf_problems p = ZF_PROBLEMS_INIT;
    zf_action_validate(&p, a, in);
    json_t *arr = NULL;
    int rc = zf_problems_json(&arr, &p);
    if (rc == 0) {
        json_dumpf(arr, stdout, JSON_COMPACT);
        fputc('\n', stdout);
    }
    json_decref(arr);
    json_decref(in);
    zf_problems_free(&p);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "--validate") == 0)
        return validate_stdin(argv[2]);
    if (argc > 1 && strcmp(argv[1], "--write") == 0)
        return write_docs();
    if (argc > 2 && strcmp(argv[1], "--schema") == 0)
        return print_schema(argv[2]);
    if (argc > 1 && strcmp(argv[1], "--schemas") == 0)
        return print_schema(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committed_docs_are_generated),
        cmocka_unit_test(test_docs_cover_every_action_and_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
