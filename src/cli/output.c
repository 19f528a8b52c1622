/*
 * Output formats for command results: json (pretty on a terminal, compact
 * otherwise), ndjson (one item per line), table (aligned columns, for
 * people) and csv (RFC 4180). Lists stream: an item is written as soon as
 * it arrives, so `users list --all` over any number of users holds one page
 * at most. A table sizes its columns on the first TABLE_SAMPLE items and
 * truncates wider cells with "…" afterwards.
 *
 * Columns (table, csv): the set given to cli_out_new, fixed for the whole
 * list, so an item without a key gets an empty cell and a later item's key
 * is never dropped; without one, the first item's keys. Objects and arrays
 * are compact JSON in their cell. The header is written even when no item
 * comes. A list framed with cli_out_list is one JSON object in json, the
 * same shape as a single page: {"<key>": [items...], tail members...}.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define TABLE_SAMPLE 64
#define TABLE_MAX_COL 48
#define MAX_COLS 64 /* zf_action_shape_raw's limit on output keys too */
/* Items are serialised into one reused buffer and written with one fwrite:
 * jansson's json_dumpf calls fwrite once per token, which cost a tenth of
 * the CPU time of `users list --all --format ndjson`. The buffer is bounded
 * by memory only (an item comes from a response that fitted in memory); if
 * memory runs out, the item is written token by token with json_dumpf. */
#define ITEM_BUF_MAX ((size_t)-1 / 2)

struct cli_out {
    FILE *f;
    cli_format fmt;
    int tty;
    size_t count;
    char *cols[MAX_COLS]; /* owned copies: items may be freed */
    int ncols;
    json_t *sample; /* table: items held until widths are known */
    int widths[MAX_COLS];
    int widths_done;
    zf_buf line;    /* json/ndjson: the item being written */
    char *list_key; /* json: items framed as {"<key>": [...]} */
    int closed;     /* json: the array (and frame) is written */
    int failed;     /* the listing failed: no closing, header or "(no items)" */
};

static const struct {
    const char *name;
    cli_format f;
} formats[] = {{"json", CLI_FMT_JSON},
               {"ndjson", CLI_FMT_NDJSON},
               {"table", CLI_FMT_TABLE},
               {"csv", CLI_FMT_CSV},
               {"auto", CLI_FMT_AUTO}};

/* Edit distance of two short words (format names), capped at 9. */
static int distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 15 || nb > 15)
        return 9;
    int d[16][16];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[na][nb] > 9 ? 9 : d[na][nb];
}

const char *const cli_format_names[] = {"json", "ndjson", "table", "csv", NULL};

static int taken(const char *name, const char *const *allowed)
{
    if (!allowed)
        return 1;
    for (; *allowed; allowed++)
        if (!strcmp(*allowed, name))
            return 1;
    return 0;
}

/* "json, ndjson, table or csv" */
static void name_list(zf_buf *b, const char *const *names)
{
    size_t n = 0;
    while (names[n])
        n++;
    for (size_t i = 0; i < n; i++)
        zf_buf_appendf(b, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
}

int cli_format_parse_in(const char *s, const char *const *allowed, cli_format *out, zf_error *err)
{
    const char *near = NULL;
    int best = 3; /* farther than two edits is no suggestion */
    int known = 0;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (strcmp(s, formats[i].name) == 0) {
            known = 1;
            if (taken(s, allowed)) {
                *out = formats[i].f;
                return 0;
            }
        }
        int d = distance(s, formats[i].name);
        if (d < best && taken(formats[i].name, allowed)) {
            best = d;
            near = formats[i].name;
        }
    }
    zf_buf names = ZF_BUF_INIT(256);
    if (allowed)
        name_list(&names, allowed);
    else
        zf_buf_puts(&names, "json, ndjson, table, csv or auto");
    zf_error_set(err, ZF_EVALIDATION, "--format %s is not %s; the formats%s are %s", s,
                 known ? "taken here" : "a format", allowed ? " here" : "", zf_buf_cstr(&names));
    if (near)
        zf_error_hint(err, "did you mean --format %s?", near);
    else if (allowed)
        zf_error_hint(err, "use --format %s", zf_buf_cstr(&names));
    else
        zf_error_hint(err, "use --format json, ndjson, table, csv or auto (the default: table "
                           "on a terminal, json otherwise)");
    zf_buf_free(&names);
    return ZF_EVALIDATION;
}

int cli_format_parse(const char *s, cli_format *out, zf_error *err)
{
    return cli_format_parse_in(s, NULL, out, err);
}

int cli_out_new(cli_out **out, FILE *f, cli_format fmt, int tty, const char *const *columns)
{
    cli_out *o = calloc(1, sizeof *o);
    if (!o)
        return ZF_ENOMEM;
    o->f = f;
    o->tty = tty;
    zf_buf_init(&o->line, ITEM_BUF_MAX);
    o->fmt = fmt == CLI_FMT_AUTO ? (tty ? CLI_FMT_TABLE : CLI_FMT_JSON) : fmt;
    for (int i = 0; columns && columns[i] && i < MAX_COLS; i++)
        if ((o->cols[o->ncols] = strdup(columns[i])))
            o->ncols++;
    /* no column set: the first item's keys (pick_columns) */
    o->sample = json_array();
    *out = o;
    return o->sample ? 0 : ZF_ENOMEM;
}

/* Cell text: strings as they are, other scalars as JSON, objects/arrays as
 * compact JSON. Returns malloc'd text. */
static char *cell(json_t *item, const char *col)
{
    json_t *v = json_object_get(item, col);
    if (!v || json_is_null(v))
        return strdup("");
    if (json_is_string(v))
        return strdup(json_string_value(v));
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void pick_columns(cli_out *o, json_t *item)
{
    if (o->ncols)
        return;
    const char *key;
    json_t *v;
    json_object_foreach (item, key, v) {
        (void)v;
        if (o->ncols == MAX_COLS)
            break;
        if ((o->cols[o->ncols] = strdup(key)))
            o->ncols++;
    }
}

/* Display width of UTF-8 text (code points; good enough for names). */
static int u8len(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void print_cell(FILE *f, const char *s, int width, int last)
{
    int n = u8len(s);
    if (n > width) {
        /* cut at a code point boundary, leave room for the ellipsis */
        int shown = 0;
        const char *p = s;
        while (*p && shown < width - 1) {
            p++;
            while (((unsigned char)*p & 0xC0) == 0x80)
                p++;
            shown++;
        }
        fprintf(f, "%.*s…", (int)(p - s), s);
        n = width;
    } else {
        fputs(s, f);
    }
    if (!last)
        fprintf(f, "%*s", width - n + 2, "");
}

static void table_row(cli_out *o, json_t *item, int header)
{
    for (int i = 0; i < o->ncols; i++) {
        char *c = header ? strdup(o->cols[i]) : cell(item, o->cols[i]);
        for (char *p = c; p && *p; p++)
            if (*p == '\n' || *p == '\r' || *p == '\t')
                *p = ' ';
        print_cell(o->f, c ? c : "", o->widths[i], i == o->ncols - 1);
        free(c);
    }
    fputc('\n', o->f);
}

static void table_flush_sample(cli_out *o)
{
    size_t i;
    json_t *item;
    for (int c = 0; c < o->ncols; c++)
        o->widths[c] = u8len(o->cols[c]);
    json_array_foreach (o->sample, i, item) {
        for (int c = 0; c < o->ncols; c++) {
            char *t = cell(item, o->cols[c]);
            int w = t ? u8len(t) : 0;
            free(t);
            if (w > o->widths[c])
                o->widths[c] = w > TABLE_MAX_COL ? TABLE_MAX_COL : w;
        }
    }
    o->widths_done = 1;
    table_row(o, NULL, 1);
    json_array_foreach (o->sample, i, item)
        table_row(o, item, 0);
    json_array_clear(o->sample);
}

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_row(cli_out *o, json_t *item, int header)
{
    for (int i = 0; i < o->ncols; i++) {
        if (i)
            fputc(',', o->f);
        char *c = header ? strdup(o->cols[i]) : cell(item, o->cols[i]);
        csv_field(o->f, c ? c : "");
        free(c);
    }
    fputs("\r\n", o->f);
}

static int line_cb(const char *data, size_t n, void *ctx)
{
    return zf_buf_append(ctx, data, n);
}

/* One item as JSON: serialised into o->line, then written at once. */
static void write_json(cli_out *o, json_t *item, size_t flags)
{
    zf_buf_reset(&o->line);
    if (json_dump_callback(item, line_cb, &o->line, flags) == 0 && !o->line.failed) {
        fwrite(o->line.ptr, 1, o->line.len, o->f);
        return;
    }
    zf_buf_free(&o->line);
    zf_buf_init(&o->line, ITEM_BUF_MAX);
    json_dumpf(item, o->f, flags);
}

/* The opening of a json list: "[" or the frame's {"key":[ ; once. */
static void json_open(cli_out *o)
{
    if (o->count)
        fputs(",\n", o->f);
    else if (!o->list_key)
        fputs("[\n", o->f);
    else {
        fputs("{", o->f);
        json_t *k = json_string(o->list_key);
        if (k)
            json_dumpf(k, o->f, JSON_ENCODE_ANY);
        json_decref(k);
        fputs(o->tty ? ": [\n" : ":[\n", o->f);
    }
}

int cli_out_list(cli_out *o, const char *key)
{
    free(o->list_key);
    o->list_key = key ? strdup(key) : NULL;
    return key && !o->list_key ? ZF_ENOMEM : 0;
}

/* Closes a json list: "]" and, for a framed one, tail's members and "}". */
static void json_close(cli_out *o, const json_t *tail)
{
    if (o->closed)
        return;
    o->closed = 1;
    if (!o->list_key) {
        fputs(o->count ? "\n]\n" : "[]\n", o->f);
        return;
    }
    if (!o->count)
        json_open(o);
    fputs("\n]", o->f);
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)tail, key, v) {
        json_t *k = json_string(key);
        fputs(o->tty ? ", " : ",", o->f);
        if (k)
            json_dumpf(k, o->f, JSON_ENCODE_ANY);
        fputs(o->tty ? ": " : ":", o->f);
        json_dumpf(v, o->f, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
        json_decref(k);
    }
    fputs("}\n", o->f);
}

int cli_out_item(cli_out *o, json_t *item)
{
    size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
    switch (o->fmt) {
    case CLI_FMT_JSON:
        json_open(o);
        write_json(o, item, o->tty ? JSON_INDENT(2) | JSON_PRESERVE_ORDER : flags);
        break;
    case CLI_FMT_NDJSON:
    case CLI_FMT_AUTO:
        write_json(o, item, flags);
        fputc('\n', o->f);
        break;
    case CLI_FMT_TABLE:
        pick_columns(o, item);
        if (!o->widths_done) {
            json_array_append(o->sample, item);
            if (json_array_size(o->sample) >= TABLE_SAMPLE)
                table_flush_sample(o);
        } else {
            table_row(o, item, 0);
        }
        break;
    case CLI_FMT_CSV:
        if (!o->count) {
            pick_columns(o, item);
            csv_row(o, NULL, 1);
        }
        csv_row(o, item, 0);
        break;
    }
    o->count++;
    return ferror(o->f) ? ZF_EIO : 0;
}

int cli_out_raw_ok(const cli_out *o)
{
    return o->fmt == CLI_FMT_NDJSON || (o->fmt == CLI_FMT_JSON && !o->tty);
}

int cli_out_raw(cli_out *o, const char *json, size_t len)
{
    if (o->fmt == CLI_FMT_JSON)
        json_open(o);
    fwrite(json, 1, len, o->f);
    if (o->fmt != CLI_FMT_JSON)
        fputc('\n', o->f);
    o->count++;
    return ferror(o->f) ? ZF_EIO : 0;
}

int cli_out_object(cli_out *o, json_t *obj)
{
    if (o->fmt == CLI_FMT_TABLE) {
        /* one object: key/value lines read better than a one-row table */
        const char *key;
        json_t *v;
        int w = 0;
        json_object_foreach (obj, key, v)
            if (u8len(key) > w)
                w = u8len(key);
        json_object_foreach (obj, key, v) {
            char *t = json_is_string(v) ? strdup(json_string_value(v))
                                        : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            fprintf(o->f, "%-*s  %s\n", w, key, t ? t : "");
            free(t);
        }
        o->count = 1;
        o->fmt = CLI_FMT_NDJSON; /* nothing left to close */
        return ferror(o->f) ? ZF_EIO : 0;
    }
    if (o->fmt == CLI_FMT_JSON) {
        json_dumpf(obj, o->f, (o->tty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER);
        fputc('\n', o->f);
        o->fmt = CLI_FMT_NDJSON;
        o->count = 1;
        return ferror(o->f) ? ZF_EIO : 0;
    }
    return cli_out_item(o, obj);
}

int cli_out_close(cli_out *o, const json_t *tail)
{
    if (o->fmt == CLI_FMT_JSON)
        json_close(o, tail);
    return ferror(o->f) ? ZF_EIO : 0;
}

void cli_out_failed(cli_out *o)
{
    if (o)
        o->failed = 1;
}

int cli_out_end(cli_out *o)
{
    if (!o)
        return 0;
    if (o->failed) {
        /* what arrived stays (a table's held rows too); nothing says the
         * list is complete, or empty: a json list is left open */
        if (o->fmt == CLI_FMT_TABLE && !o->widths_done && o->count)
            table_flush_sample(o);
    } else if (o->fmt == CLI_FMT_JSON)
        json_close(o, NULL);
    else if (o->fmt == CLI_FMT_TABLE && !o->widths_done && o->ncols)
        table_flush_sample(o); /* the header alone when no item came */
    else if (o->fmt == CLI_FMT_CSV && !o->count && o->ncols)
        csv_row(o, NULL, 1);
    if (o->fmt == CLI_FMT_TABLE && !o->count && o->tty && !o->failed)
        fputs("(no items)\n", o->f);
    fflush(o->f);
    int rc = ferror(o->f) ? ZF_EIO : 0;
    json_decref(o->sample);
    for (int i = 0; i < o->ncols; i++)
        free(o->cols[i]);
    zf_buf_free(&o->line);
    free(o->list_key);
    free(o);
    return rc;
}
