/*
 * `zoomflow api -f/-F` fields (src/cli/fields.c): gh api's key grammar
 * (name, a.b, a[b], a[], a[][k]) is a parser of bytes from the command
 * line. The input is one argument per line; the first byte's low bit
 * picks -F (typed) over -f. Beyond "no crash, no hang, no leak":
 *   - a refused argument says why (a message) and leaves the root an
 *     object that still dumps;
 *   - an accepted plain key (no '.', '[' or ']') reads back as its value;
 *     an accepted plain "name[]=v" ends the list name with v, and a plain
 *     "name[]" leaves it empty;
 *   - the root always dumps as JSON that parses back equal (no cycle, no
 *     stray non-JSON value).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "zoomflow/actions.h"

#define FUZZ_INPUT_MAX (16 * 1024)
#define ARGS_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int plain(const char *key, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (key[i] == '.' || key[i] == '[' || key[i] == ']')
            return 0;
    return n > 0;
}

static void check_back(const json_t *root, const char *key, const char *text, json_t *want)
{
    size_t n = strlen(key);
    if (!want)
        return;
    if (plain(key, n)) {
        if (!json_equal(json_object_get(root, key), want))
            abort();
    } else if (n > 2 && plain(key, n - 2) && strcmp(key + n - 2, "[]") == 0) {
        char name[CLI_FIELD_KEY_MAX];
        memcpy(name, key, n - 2);
        name[n - 2] = '\0';
        json_t *arr = json_object_get(root, name);
        size_t len = json_array_size(arr);
        if (!json_is_array(arr) ||
            (text && (!len || !json_equal(json_array_get(arr, len - 1), want))) || (!text && len))
            abort();
    }
}

static void one(json_t *root, const char *arg, int typed)
{
    char key[CLI_FIELD_KEY_MAX];
    const char *text;
    zf_error err = ZF_ERROR_INIT;
    if (cli_field_split(arg, key, sizeof key, &text, &err) != 0) {
        if (!err.message[0])
            abort();
        return;
    }
    json_t *v = NULL;
    if (text && !typed)
        v = json_string(text);
    else if (text && zf_action_flag_value(&v, NULL, key, text, &err) < 0)
        return;
    if (text && !v)
        return; /* not UTF-8: the CLI refuses it before the builder */
    json_t *want = text ? json_incref(v) : json_array();
    if (cli_field_put(root, key, v, &err) == 0)
        check_back(root, key, text, text ? want : NULL);
    else if (!err.message[0])
        abort();
    if (!text) { /* name[]: check the empty list here */
        size_t n = strlen(key);
        if (n > 2 && plain(key, n - 2) && !err.message[0]) {
            key[n - 2] = '\0';
            if (json_array_size(json_object_get(root, key)) != 0)
                abort();
        }
    }
    json_decref(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_INPUT_MAX)
        return 0;
    char *buf = malloc(size);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    int typed = data[0] & 1;
    json_t *root = json_object();
    char *p = buf;
    for (int n = 0; n < ARGS_MAX && p < buf + size - 1; n++) {
        char *nl = memchr(p, '\n', (size_t)(buf + size - 1 - p));
        if (nl)
            *nl = '\0';
        one(root, p, typed);
        if (!nl)
            break;
        p = nl + 1;
    }
    char *dump = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    if (!dump)
        abort();
    json_t *back = json_loads(dump, 0, NULL);
    if (!back || !json_equal(back, root))
        abort();
    json_decref(back);
    free(dump);
    json_decref(root);
    free(buf);
    return 0;
}
