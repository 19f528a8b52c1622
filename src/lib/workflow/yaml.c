/*
 * Definition files -> one JSON model and a map of places (workflow_internal.h).
 *
 * libfyaml is driven as an event parser: the tree is built here, so an
 * alias is refused where it appears and can never be expanded (no
 * billion-laughs), every key is checked for duplicates with the place of
 * both, and every value's place is kept under its path for the checks
 * that come later. Errors are collected, not printed.
 */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "text.h"
#include "workflow_internal.h"
#include "zoomflow/buf.h"

#define PATH_MAX_LEN 1024

typedef struct frame {
    json_t *node;
    int is_map;
    char *path;
    char *key; /* a mapping's pending key, or NULL */
    int key_line, key_col;
    size_t index; /* sequences: the next item's index */
} frame;

typedef struct reader {
    zf_wf__doc *doc;
    const char *file;
    zf_wf_problems *p;
    frame stack[ZF_WF_DEPTH_MAX + 1];
    int depth;
    size_t nodes;
    int failed;
    int json; /* read as JSON */
    json_t *root;
    const char *bytes; /* the input, for the character before a mark */
    size_t len;
} reader;

static void mark_of(struct fy_event *e, int *line, int *col)
{
    const struct fy_mark *m = fy_event_start_mark(e);
    *line = m ? m->line + 1 : 0;
    *col = m ? m->column + 1 : 0;
}

static void fail(reader *r, int line, int col, const char *hint, const char *msg)
{
    zf_wf__problem(r->p, r->file, line, col, hint, "%s", msg);
    r->failed = 1;
}

static json_t *place(int line, int col)
{
    return json_pack("[ii]", line, col);
}

/* The path of the next value in the top frame (the root: ""); NULL with
 * *oom 0 when it would pass PATH_MAX_LEN, 1 when memory ran out. */
static char *child_path(const frame *f, int *oom)
{
    zf_buf b = ZF_BUF_INIT(PATH_MAX_LEN);
    *oom = 0;
    if (!f)
        zf_buf_puts(&b, "");
    else if (f->is_map)
        zf_buf_appendf(&b, "%s%s%s", f->path, f->path[0] ? "." : "", f->key ? f->key : "");
    else
        zf_buf_appendf(&b, "%s[%zu]", f->path, f->index);
    if (b.failed) {
        size_t need = 0; /* the path's length: within the cap, memory ran out */
        if (f && f->is_map)
            need = strlen(f->path) + (f->path[0] != '\0') + (f->key ? strlen(f->key) : 0);
        else if (f)
            need = strlen(f->path) + 2 + (size_t)snprintf(NULL, 0, "%zu", f->index);
        *oom = need <= PATH_MAX_LEN;
        zf_buf_free(&b);
        return NULL;
    }
    char *s = zf_buf_take(&b);
    *oom = !s;
    return s;
}

static int is_digits(const char *s, const char *set)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr(set, *s))
            return 0;
    return 1;
}

/* YAML 1.2 core schema for a plain scalar; *bad for .inf/.nan and
 * integers out of range (JSON has no place for them). */
static json_t *plain_value(const char *s, int *bad)
{
    *bad = 0;
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
        return json_null();
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return json_true();
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return json_false();
    const char *d = (*s == '-' || *s == '+') ? s + 1 : s;
    if (is_digits(d, "0123456789")) {
        /* +12, 0012: decimal; past int64 is out of range, never memory */
        const char *z = d + strspn(d, "0");
        if (!*z)
            z--; /* all zeros: "0" */
        char tmp[24];
        int64_t v;
        if (strlen(z) > 19 ||
            snprintf(tmp, sizeof tmp, "%s%s", *s == '-' ? "-" : "", z) >= (int)sizeof tmp ||
            zf_parse_i64(tmp, INT64_MIN, INT64_MAX, &v) != 0) {
            *bad = 1;
            return NULL;
        }
        return json_integer((json_int_t)v); /* NULL: memory */
    }
    if (!strcmp(s, ".inf") || !strcmp(s, "-.inf") || !strcmp(s, "+.inf") || !strcmp(s, ".nan") ||
        !strcmp(s, ".Inf") || !strcmp(s, ".NaN") || !strcmp(s, ".INF") || !strcmp(s, ".NAN")) {
        *bad = 1;
        return NULL;
    }
    /* floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
    const char *q = d;
    size_t ip = strspn(q, "0123456789");
    q += ip;
    size_t fp = 0;
    if (*q == '.') {
        fp = strspn(q + 1, "0123456789");
        q += 1 + fp;
    }
    if (ip + fp == 0)
        return json_string(s);
    if (*q == 'e' || *q == 'E') {
        const char *e = q + 1;
        if (*e == '-' || *e == '+')
            e++;
        size_t ep = strspn(e, "0123456789");
        if (!ep)
            return json_string(s);
        q = e + ep;
    }
    if (*q)
        return json_string(s);
    char *end = NULL;
    double x = strtod(s, &end);
    if (end == s || x != x || x > 1.7e308 || x < -1.7e308) {
        *bad = 1;
        return NULL;
    }
    return json_real(x);
}

/* Attaches v (a new node, reference stolen) at the top of the stack,
 * recording its place. */
static int attach(reader *r, json_t *v, int line, int col)
{
    if (!v) {
        r->p->oom = 1;
        return -1;
    }
    if (++r->nodes > ZF_WF_NODES_MAX) {
        json_decref(v);
        fail(r, line, col, "split the definition into smaller workflows",
             "the definition has more than "
             "20000"
             " values");
        return -1;
    }
    frame *f = r->depth ? &r->stack[r->depth - 1] : NULL;
    int oom;
    char *path = child_path(f, &oom);
    if (!path && oom) {
        json_decref(v);
        r->p->oom = 1;
        return -1;
    }
    if (!path) {
        json_decref(v);
        fail(r, line, col, "use shorter keys or nest less",
             "the path to this value is longer than 1024 characters");
        return -1;
    }
    json_object_set_new(r->doc->pos, path, place(line, col));
    int rc = 0;
    if (!f) {
        r->root = v;
    } else if (f->is_map) {
        json_object_set_new(r->doc->kpos, path, place(f->key_line, f->key_col));
        rc = json_object_set_new(f->node, f->key, v);
        free(f->key);
        f->key = NULL;
    } else {
        rc = json_array_append_new(f->node, v);
        f->index++;
    }
    free(path);
    if (rc) {
        r->p->oom = 1;
        return -1;
    }
    return 0;
}

static int refuse_props(reader *r, struct fy_token *anchor, struct fy_token *tag, int line, int col)
{
    const struct fy_mark *m = fy_token_start_mark(anchor ? anchor : tag);
    if (m) { /* the place of the property itself */
        line = m->line + 1;
        col = m->column + (anchor && m->column > 0 ? 0 : 1); /* an anchor's mark is past '&' */
    }
    if (anchor) {
        fail(r, line, col, "write the value out where it is used",
             "anchors (&name) are not allowed in a workflow definition");
        return -1;
    }
    if (tag) {
        fail(r, line, col, "remove the tag; a value's type comes from how it is written",
             "tags (!name, !!type) are not allowed in a workflow definition");
        return -1;
    }
    return 0;
}

static int on_key(reader *r, frame *f, struct fy_event *e, int line, int col)
{
    struct fy_token *t = e->scalar.value;
    size_t n = 0;
    const char *txt = fy_token_get_text(t, &n);
    if (!txt || memchr(txt, '\0', n)) {
        fail(r, line, col, "remove the \\0 escape: a key cannot hold a NUL character",
             "a key holds a NUL character");
        return -1;
    }
    char *key = strndup(txt, n);
    if (!key) {
        r->p->oom = 1;
        return -1;
    }
    if (fy_token_scalar_style(t) == FYSS_PLAIN) {
        int bad;
        json_t *v = plain_value(key, &bad);
        int text = v && json_is_string(v);
        json_decref(v);
        if (!v && !bad) {
            free(key);
            r->p->oom = 1;
            return -1;
        }
        if (!text) {
            zf_wf__problem(r->p, r->file, line, col, "quote the key to make it text",
                           "the key %s is not text (keys must be strings)", key);
            r->failed = 1;
            free(key);
            return -1;
        }
    }
    if (json_object_get(f->node, key)) {
        zf_buf b = ZF_BUF_INIT(PATH_MAX_LEN);
        zf_buf_appendf(&b, "%s%s%s", f->path, f->path[0] ? "." : "", key);
        int l0 = 0, c0 = 0;
        json_t *k0 = b.failed ? NULL : json_object_get(r->doc->kpos, b.ptr);
        if (k0) {
            l0 = (int)json_integer_value(json_array_get(k0, 0));
            c0 = (int)json_integer_value(json_array_get(k0, 1));
        }
        zf_buf_free(&b);
        zf_wf__problem(r->p, r->file, line, col, "keep one of them",
                       "the key %s is given twice (first at line %d, column %d)", key, l0, c0);
        r->failed = 1;
        free(key);
        return -1;
    }
    f->key = key;
    f->key_line = line;
    f->key_col = col;
    return 0;
}

static int on_scalar(reader *r, struct fy_event *e, int line, int col)
{
    if (refuse_props(r, e->scalar.anchor, e->scalar.tag, line, col))
        return -1;
    frame *f = r->depth ? &r->stack[r->depth - 1] : NULL;
    if (f && f->is_map && !f->key)
        return on_key(r, f, e, line, col);
    size_t n = 0;
    const char *txt = fy_token_get_text(e->scalar.value, &n);
    if (!txt)
        txt = "";
    if (memchr(txt, '\0', n)) {
        fail(r, line, col, "remove the \\0 escape: text cannot hold a NUL character",
             "a value holds a NUL character");
        return -1;
    }
    char *s = strndup(txt, n);
    if (!s) {
        r->p->oom = 1;
        return -1;
    }
    json_t *v;
    if (fy_token_scalar_style(e->scalar.value) == FYSS_PLAIN) {
        int bad;
        v = plain_value(s, &bad); /* NULL without bad: memory, which attach() reports */
        if (bad) {
            zf_wf__problem(r->p, r->file, line, col, "quote it to keep it as text",
                           "the number %s is out of range", s);
            r->failed = 1;
            free(s);
            return -1;
        }
    } else {
        v = json_stringn(s, n);
        size_t at;
        if (!v && zf_csv_utf8_valid(s, n, &at)) { /* valid text: memory */
            free(s);
            r->p->oom = 1;
            return -1;
        }
        if (!v) { /* an escape that makes no character ("\ud800") */
            fail(r, line, col, "write the character itself, or a valid \\u escape",
                 "a value is not valid UTF-8");
            free(s);
            return -1;
        }
    }
    free(s);
    return attach(r, v, line, col);
}

static int on_start(reader *r, int is_map, struct fy_event *e, int line, int col)
{
    struct fy_token *anchor = is_map ? e->mapping_start.anchor : e->sequence_start.anchor;
    struct fy_token *tag = is_map ? e->mapping_start.tag : e->sequence_start.tag;
    if (refuse_props(r, anchor, tag, line, col))
        return -1;
    frame *top = r->depth ? &r->stack[r->depth - 1] : NULL;
    if (top && top->is_map && !top->key) {
        fail(r, line, col, "use a plain word as the key",
             "a key is a mapping or a list (keys must be strings)");
        return -1;
    }
    if (r->depth >= ZF_WF_DEPTH_MAX) {
        fail(r, line, col, "flatten the definition", "the definition nests more than 32 levels");
        return -1;
    }
    int oom;
    char *path = child_path(top, &oom);
    if (!path && oom) {
        r->p->oom = 1;
        return -1;
    }
    if (!path) {
        fail(r, line, col, "use shorter keys or nest less",
             "the path to this value is longer than 1024 characters");
        return -1;
    }
    json_t *node = is_map ? json_object() : json_array();
    if (!node) {
        free(path);
        r->p->oom = 1;
        return -1;
    }
    json_incref(node);
    if (attach(r, node, line, col)) {
        json_decref(node);
        free(path);
        return -1;
    }
    frame *f = &r->stack[r->depth++];
    *f = (frame){.node = node, .is_map = is_map, .path = path};
    return 0;
}

static void pop(reader *r)
{
    frame *f = &r->stack[--r->depth];
    json_decref(f->node);
    free(f->path);
    free(f->key);
}

static int on_event(reader *r, struct fy_event *e, int *docs)
{
    int line, col;
    mark_of(e, &line, &col);
    switch (e->type) {
    case FYET_DOCUMENT_START:
        if (++*docs > 1) {
            fail(r, line, col, "put each workflow in its own file",
                 "the file holds more than one document");
            return -1;
        }
        return 0;
    case FYET_ALIAS: {
        /* an alias's mark is past its '*': the place of the '*' itself */
        const struct fy_mark *m = fy_event_start_mark(e);
        if (m && m->input_pos > 0 && m->input_pos <= r->len && r->bytes[m->input_pos - 1] == '*' &&
            col > 1)
            col--;
        fail(r, line, col, "write the value out where it is used",
             "aliases (*name) are not allowed in a workflow definition");
        return -1;
    }
    case FYET_SCALAR:
        return on_scalar(r, e, line, col);
    case FYET_MAPPING_START:
    case FYET_SEQUENCE_START:
        return on_start(r, e->type == FYET_MAPPING_START, e, line, col);
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END:
        if (r->depth)
            pop(r);
        return 0;
    default:
        return 0;
    }
}

/* libfyaml's own syntax errors, with their places. */
static void syntax_errors(reader *r, struct fy_parser *fyp)
{
    struct fy_diag *diag = fy_parser_get_diag(fyp);
    void *it = NULL;
    struct fy_diag_error *de;
    int any = 0;
    while (diag && (de = fy_diag_errors_iterate(diag, &it)) != NULL) {
        if (de->type < FYET_ERROR)
            continue;
        /* the diag's places are 1-based already */
        zf_wf__problem(r->p, r->file, de->line, de->column,
                       "correct the syntax at that place (examples/workflows has working files)",
                       "not valid %s: %s", r->json ? "JSON" : "YAML",
                       de->msg ? de->msg : "a syntax error");
        any = 1;
        break;
    }
    if (diag)
        fy_diag_unref(diag);
    if (!any)
        zf_wf__problem(r->p, r->file, 0, 0, "", "%s is not valid %s", r->file,
                       r->json ? "JSON" : "YAML");
    r->failed = 1;
}

static void reader_init(reader *r, zf_wf__doc *out, const char *file, zf_wf_problems *p)
{
    memset(r, 0, sizeof *r);
    r->doc = out;
    r->file = file;
    r->p = p;
}

int zf_wf__read(zf_wf__doc *out, const char *file, const void *bytes, size_t len, int json,
                zf_wf_problems *p)
{
    memset(out, 0, sizeof *out);
    reader r;
    reader_init(&r, out, file, p);
    r.json = json;
    r.bytes = bytes;
    r.len = len;
    if (len > ZF_WF_FILE_MAX) {
        zf_wf__problem(p, file, 0, 0, "split it into smaller workflows", "%s is larger than 1 MiB",
                       file);
        return ZF_EVALIDATION;
    }
    /* Text only, checked before libfyaml sees it: 0.7.12 loops forever on
     * a byte that is not UTF-8 inside a directive ("%x\x92"). */
    const char *b = bytes;
    const char *nul = len ? memchr(b, '\0', len) : NULL;
    size_t bad = len;
    int text = zf_csv_utf8_valid(b, len, &bad);
    if (nul || !text) {
        size_t at = text ? len : bad;
        int is_nul = nul && (size_t)(nul - b) <= at;
        if (is_nul)
            at = (size_t)(nul - b);
        int line = 1, col = 1;
        for (size_t i = 0; i < at; i++) {
            if (b[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)b[i] & 0xC0) != 0x80)
                col++;
        }
        zf_wf__problem(p, file, line, col, "save the file as UTF-8 text",
                       "not UTF-8 text (a %s byte here)", is_nul ? "NUL" : "stray");
        return ZF_EVALIDATION;
    }
    out->pos = json_object();
    out->kpos = json_object();
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.level = FYET_ERROR;
    dcfg.output_fn = NULL;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (diag)
        fy_diag_set_collect_errors(diag, true); /* kept for syntax_errors, never printed */
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_DISABLE_MMAP_OPT |
                                        (json ? FYPCF_JSON_FORCE : FYPCF_JSON_NONE) |
                                        FYPCF_DEFAULT_VERSION_1_2,
                               .diag = diag};
    struct fy_parser *fyp = (out->pos && out->kpos && diag) ? fy_parser_create(&cfg) : NULL;
    if (!fyp || fy_parser_set_string(fyp, len ? bytes : "", len) != 0) {
        if (fyp)
            fy_parser_destroy(fyp);
        if (diag)
            fy_diag_unref(diag);
        zf_wf__doc_free(out);
        p->oom = 1;
        return ZF_ENOMEM;
    }
    int docs = 0;
    struct fy_event *e;
    /* fy_parser_parse ends (NULL) at the stream's end or its first error */
    while (!r.failed && !p->oom && (e = fy_parser_parse(fyp)) != NULL) {
        on_event(&r, e, &docs);
        fy_parser_event_free(fyp, e);
    }
    if (!r.failed && !p->oom && fy_parser_get_stream_error(fyp))
        syntax_errors(&r, fyp);
    fy_parser_destroy(fyp);
    /* the errors a diag collected are freed only when collecting stops */
    fy_diag_set_collect_errors(diag, false);
    fy_diag_unref(diag);
    while (r.depth)
        pop(&r);
    out->model = r.root;
    if (!r.failed && !p->oom && !out->model)
        zf_wf__problem(p, file, 0, 0, "start from an example in examples/workflows", "%s is empty",
                       file);
    if (r.failed || p->oom || !out->model) {
        int oom = p->oom && !r.failed;
        zf_wf__doc_free(out);
        return oom ? ZF_ENOMEM : ZF_EVALIDATION;
    }
    return 0;
}

void zf_wf__doc_free(zf_wf__doc *d)
{
    json_decref(d->model);
    json_decref(d->pos);
    json_decref(d->kpos);
    memset(d, 0, sizeof *d);
}

int zf_wf__place(const zf_wf__doc *d, const char *path, int key, int *line, int *col)
{
    *line = *col = 0;
    char buf[PATH_MAX_LEN];
    snprintf(buf, sizeof buf, "%s", path);
    int exact = 1;
    for (;;) {
        json_t *at = json_object_get(key && exact ? d->kpos : d->pos, buf);
        if (at) {
            *line = (int)json_integer_value(json_array_get(at, 0));
            *col = (int)json_integer_value(json_array_get(at, 1));
            return exact ? 0 : -1;
        }
        if (!buf[0])
            return -1;
        exact = 0;
        char *dot = strrchr(buf, '.'), *br = strrchr(buf, '[');
        char *cut = dot > br ? dot : br;
        if (cut)
            *cut = '\0';
        else
            buf[0] = '\0';
    }
}
