/*
 * Column tables and the query helpers every domain file uses
 * (store_internal.h): a row type's table drives the SQL column lists, the
 * parameters bound and the fields read, so a column is named once.
 *
 * Everything here goes through the driver table; nothing knows an engine.
 * A failure keeps the driver's message and hint, prefixed with the query's
 * `what` ("reading a connection failed: database ...: ..."), and its code.
 */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "zoomflow/buf.h"

/* Longest SQL text after expansion. */
#define SQL_MAX 16384
/* Most rows one zf_store__get_all reads (audit lists are capped lower). */
#define ROWS_MAX 1000000

#define FIELD(obj, col) ((char *)(obj) + (col)->offset)

const char *zf_store__enum_name(const char *const *names, int value)
{
    for (int i = 0; names[i]; i++)
        if (i == value)
            return names[i];
    return names[0];
}

static int enum_value(const char *const *names, const char *text)
{
    for (int i = 0; text && names[i]; i++)
        if (strcmp(names[i], text) == 0)
            return i;
    return 0;
}

const char *zf_store__dialect_text(const char *dialect, const char *sql, const char *sql_sqlite,
                                   const char *sql_postgresql)
{
    const struct {
        const char *dialect;
        const char *sql;
    } overrides[] = {{"sqlite", sql_sqlite}, {"postgresql", sql_postgresql}};
    for (size_t i = 0; i < sizeof overrides / sizeof overrides[0]; i++)
        if (overrides[i].sql && strcmp(dialect, overrides[i].dialect) == 0)
            return overrides[i].sql;
    return sql;
}

/* --- placeholders: each appends its list of row's columns to b */

static void put_columns(zf_buf *b, const zf_store_row *row)
{
    for (size_t i = 0; i < row->n; i++)
        zf_buf_appendf(b, "%s%s", i ? ", " : "", row->cols[i].name);
}

static void put_insert(zf_buf *b, const zf_store_row *row)
{
    size_t k = 0;
    zf_buf_putc(b, '(');
    for (size_t i = 0; i < row->n; i++)
        if (!(row->cols[i].flags & ZF_COL_AUTO))
            zf_buf_appendf(b, "%s%s", k++ ? ", " : "", row->cols[i].name);
    zf_buf_puts(b, ") VALUES (");
    for (size_t i = 1; i <= k; i++)
        zf_buf_appendf(b, "%s$%zu", i > 1 ? ", " : "", i);
    zf_buf_putc(b, ')');
}

static void put_update(zf_buf *b, const zf_store_row *row)
{
    size_t k = 0;
    for (size_t i = 0; i < row->n; i++)
        if (!(row->cols[i].flags & (ZF_COL_AUTO | ZF_COL_KEY)))
            zf_buf_appendf(b, "%s%s = excluded.%s", k++ ? ", " : "", row->cols[i].name,
                           row->cols[i].name);
}

static const struct {
    const char *name;
    void (*put)(zf_buf *b, const zf_store_row *row);
} placeholders[] = {
    {"{columns}", put_columns},
    {"{insert}", put_insert},
    {"{update}", put_update},
};

/* Appends the placeholder at *s (advancing *s past it); 0, or -1 when *s
 * starts no placeholder this row can fill. */
static int expand_one(zf_buf *b, const char **s, const zf_store_row *row)
{
    for (size_t i = 0; row && i < sizeof placeholders / sizeof placeholders[0]; i++) {
        size_t n = strlen(placeholders[i].name);
        if (strncmp(*s, placeholders[i].name, n) == 0) {
            placeholders[i].put(b, row);
            *s += n;
            return 0;
        }
    }
    return -1;
}

int zf_store__sql(char **out, const zf_store_db *db, const zf_store_query *q, zf_error *err)
{
    const char *s =
        zf_store__dialect_text(db->drv->dialect, q->sql, q->sql_sqlite, q->sql_postgresql);
    zf_buf b = ZF_BUF_INIT(SQL_MAX);
    *out = NULL;
    while (*s) {
        const char *open = strchr(s, '{');
        size_t plain = open ? (size_t)(open - s) : strlen(s);
        zf_buf_append(&b, s, plain);
        s += plain;
        if (open && expand_one(&b, &s, q->row) < 0) {
            zf_buf_free(&b);
            return zf_error_set(err, ZF_EINVAL,
                                "%s: the SQL names an unknown placeholder "
                                "at \"%.40s\" (or the query has no row table)",
                                q->what, s);
        }
    }
    if (b.failed || !b.ptr) {
        zf_buf_free(&b);
        return zf_error_set(err, ZF_ENOMEM, "%s: SQL text too long", q->what);
    }
    *out = zf_buf_take(&b);
    return 0;
}

size_t zf_store__params(const zf_store_row *row, const void *obj,
                        zf_store_value out[ZF_STORE_PARAMS_MAX])
{
    size_t k = 0;
    for (size_t i = 0; i < row->n && k < ZF_STORE_PARAMS_MAX; i++) {
        const zf_store_column *c = &row->cols[i];
        const char *f = (const char *)obj + c->offset;
        if (c->flags & ZF_COL_AUTO)
            continue;
        if (c->type == ZF_COL_TEXT)
            out[k++] = zf_store__text(*(char *const *)f);
        else if (c->type == ZF_COL_INT64)
            out[k++] = zf_store__int64(*(const int64_t *)f);
        else
            out[k++] = zf_store__text(zf_store__enum_name(c->names, *(const int *)f));
    }
    return k;
}

void zf_store__release(const zf_store_row *row, void *obj)
{
    if (!obj)
        return;
    for (size_t i = 0; i < row->n; i++)
        if (row->cols[i].type == ZF_COL_TEXT)
            free(*(char **)FIELD(obj, &row->cols[i]));
    memset(obj, 0, row->size);
}

void zf_store__release_list(const zf_store_row *row, void *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        zf_store__release(row, (char *)list + i * row->size);
    free(list);
}

/* One column into its field. */
static int read_column(const zf_store_db *db, void *rows, size_t i, const zf_store_column *c,
                       void *obj, zf_error *err)
{
    zf_store_value v;
    zf_store_type want = c->type == ZF_COL_INT64 ? ZF_STORE_INT64 : ZF_STORE_TEXT;
    int rc = db->drv->column(rows, i, want, &v, err);
    if (rc < 0)
        return rc;
    int null = v.type == ZF_STORE_NULL;
    if (c->type == ZF_COL_INT64) {
        *(int64_t *)FIELD(obj, c) = null ? 0 : v.i;
    } else if (c->type == ZF_COL_ENUM) {
        *(int *)FIELD(obj, c) = enum_value(c->names, null ? NULL : v.p);
    } else if (!null && !(*(char **)FIELD(obj, c) = strdup(v.p))) {
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    return 0;
}

int zf_store__read(const zf_store_db *db, void *rows, const zf_store_row *row, void *obj,
                   zf_error *err)
{
    memset(obj, 0, row->size);
    for (size_t i = 0; i < row->n; i++) {
        int rc = read_column(db, rows, i, &row->cols[i], obj, err);
        if (rc < 0) {
            zf_store__release(row, obj);
            return rc;
        }
    }
    return 0;
}

/* The driver's failure, told with the step it broke. */
static int failed(const zf_store_query *q, int rc, zf_error *err)
{
    if (rc < 0 && err && err->code == rc)
        return zf_error_restate(err, rc, "%s failed: %s", q->what, err->message);
    return rc;
}

/* Expands and runs q; *rows as the driver's exec. */
static int exec(const zf_store_db *db, const zf_store_query *q, const zf_store_value *params,
                size_t n, void **rows, zf_error *err)
{
    char *sql = NULL;
    int rc = zf_store__sql(&sql, db, q, err);
    if (rc == 0)
        rc = failed(q, db->drv->exec(db->h, sql, params, n, rows, err), err);
    free(sql);
    return rc;
}

int zf_store__run(const zf_store_db *db, const zf_store_query *q, const zf_store_value *params,
                  size_t n, zf_error *err)
{
    return exec(db, q, params, n, NULL, err);
}

int zf_store__get(const zf_store_db *db, const zf_store_query *q, const zf_store_value *params,
                  size_t n, void *obj, zf_error *err)
{
    void *rows = NULL;
    memset(obj, 0, q->row->size);
    int rc = exec(db, q, params, n, &rows, err);
    if (rc < 0)
        return rc;
    if ((rc = db->drv->step(rows, err)) < 0)
        rc = failed(q, rc, err);
    else if (rc == 1 && (rc = zf_store__read(db, rows, q->row, obj, err)) == 0)
        rc = 1;
    db->drv->finish(rows);
    return rc;
}

/* Room for one more struct at the end of *arr. */
static void *grow(void **arr, size_t count, size_t size)
{
    if (count >= ROWS_MAX)
        return NULL;
    char *nv = realloc(*arr, (count + 1) * size);
    if (!nv)
        return NULL;
    *arr = nv;
    return nv + count * size;
}

int zf_store__get_all(const zf_store_db *db, const zf_store_query *q, const zf_store_value *params,
                      size_t n, void **out, size_t *count, zf_error *err)
{
    void *rows = NULL, *arr = NULL, *slot;
    size_t cnt = 0;
    int rc = exec(db, q, params, n, &rows, err), s = 0;
    *out = NULL;
    *count = 0;
    if (rc < 0)
        return rc;
    while ((s = db->drv->step(rows, err)) == 1) {
        if (!(slot = grow(&arr, cnt, q->row->size))) {
            rc = zf_error_set(err, ZF_ENOMEM, "%s: out of memory", q->what);
            break;
        }
        if ((rc = zf_store__read(db, rows, q->row, slot, err)) < 0)
            break;
        cnt++;
    }
    if (rc == 0 && s < 0)
        rc = failed(q, s, err);
    db->drv->finish(rows);
    if (rc < 0) {
        zf_store__release_list(q->row, arr, cnt);
        return rc;
    }
    *out = arr;
    *count = cnt;
    return 0;
}
