/* A set of definitions (workflow.h): the files of a directory, each
 * loaded and checked, with names unique across files. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflow_internal.h"
#include "zoomflow/buf.h"

#define SET_FILES_MAX 1000

struct zf_workflow_set {
    zf_workflow **items;
    size_t n;
};

int zf_workflow_set_new(zf_workflow_set **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : ZF_ENOMEM;
}

void zf_workflow_set_free(zf_workflow_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        zf_workflow_free(s->items[i]);
    free(s->items);
    free(s);
}

size_t zf_workflow_set_count(const zf_workflow_set *s)
{
    return s->n;
}

const zf_workflow *zf_workflow_set_at(const zf_workflow_set *s, size_t i)
{
    return i < s->n ? s->items[i] : NULL;
}

const zf_workflow *zf_workflow_set_find(const zf_workflow_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(zf_workflow_name(s->items[i]), name))
            return s->items[i];
    return NULL;
}

int zf_workflow_set_add(zf_workflow_set *s, const char *file, const void *bytes, size_t len,
                        const zf_wf_load_opts *o, zf_wf_problems *p)
{
    zf_workflow *w;
    int rc = zf_workflow_load(&w, file, bytes, len, o, p);
    if (rc)
        return rc;
    const zf_workflow *old = zf_workflow_set_find(s, zf_workflow_name(w));
    if (old) {
        zf_wf__doc d;
        int line = 0, col = 0;
        if (zf_wf__read(&d, file, bytes, len, 0, p) == 0) {
            zf_wf__place(&d, "name", 0, &line, &col);
            zf_wf__doc_free(&d);
        }
        zf_wf__problem(p, file, line, col, "give each workflow its own name",
                       "the workflow name %s is taken by %s", zf_workflow_name(w),
                       zf_workflow_file(old));
        zf_workflow_free(w);
        return ZF_EVALIDATION;
    }
    zf_workflow **n = realloc(s->items, (s->n + 1) * sizeof *n);
    if (!n) {
        zf_workflow_free(w);
        return ZF_ENOMEM;
    }
    s->items = n;
    s->items[s->n++] = w;
    return 0;
}

static int wanted(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.')
        return 0;
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml")) ||
           (n > 5 && !strcmp(name + n - 5, ".json"));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, zf_buf *b, zf_wf_problems *p)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        zf_wf__problem(p, path, 0, 0, "check the file's permissions", "cannot read %s: %s", path,
                       strerror(errno));
        return ZF_EIO;
    }
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !b->failed)
        zf_buf_append(b, chunk, n);
    fclose(f);
    if (b->failed) {
        zf_wf__problem(p, path, 0, 0, "split it into smaller workflows", "%s is larger than 1 MiB",
                       path);
        return ZF_EVALIDATION;
    }
    return 0;
}

int zf_workflow_set_load_file(zf_workflow_set *s, const char *path, const zf_wf_load_opts *o,
                              zf_wf_problems *p)
{
    zf_buf b = ZF_BUF_INIT(ZF_WF_FILE_MAX);
    int rc = read_file(path, &b, p);
    if (rc == 0)
        rc = zf_workflow_set_add(s, path, b.ptr ? b.ptr : "", b.len, o, p);
    zf_buf_free(&b);
    return rc;
}

int zf_workflow_set_load_dir(zf_workflow_set *s, const char *dir, const zf_wf_load_opts *o,
                             zf_wf_problems *p)
{
    DIR *d = opendir(dir);
    if (!d) {
        zf_wf__problem(p, dir, 0, 0, "give a directory of *.yaml, *.yml or *.json definitions",
                       "cannot open the directory %s: %s", dir, strerror(errno));
        return ZF_EIO;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL && n < SET_FILES_MAX) {
        if (!wanted(e->d_name))
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn || !(nn[n] = strdup(e->d_name))) {
            names = nn ? nn : names;
            rc = ZF_ENOMEM;
            break;
        }
        names = nn;
        n++;
    }
    closedir(d);
    if (names)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        if (rc != ZF_ENOMEM) {
            zf_buf path = ZF_BUF_INIT(4096);
            zf_buf_appendf(&path, "%s/%s", dir, names[i]);
            int r = path.failed ? ZF_ENOMEM : zf_workflow_set_load_file(s, path.ptr, o, p);
            if (r && (!rc || r == ZF_ENOMEM))
                rc = r;
            zf_buf_free(&path);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}
