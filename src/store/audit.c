/*
 * The audit domain: an append-only log of what was done to a connection
 * (connect, refresh, disconnect, ...) and how it ended. The id is made by
 * the database (the one auto-increment key, whose DDL differs per dialect
 * in migrations.c) and orders the log: newest first is id descending.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store_internal.h"

#define TEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_audit, f), 0, NULL

static const zf_store_column audit_columns[] = {
    {"id", ZF_COL_INT64, offsetof(zf_store_audit, id), ZF_COL_AUTO, NULL},
    {"at", ZF_COL_INT64, offsetof(zf_store_audit, at), 0, NULL},
    {TEXT(conn_id)},
    {TEXT(actor)},
    {TEXT(action)},
    {TEXT(outcome)},
    {TEXT(detail)},
};

const zf_store_row zf_store__audit_row = ZF_STORE_ROW(zf_store_audit, audit_columns);

static const zf_store_query q_add = {
    .what = "writing the audit log",
    .sql = "INSERT INTO audit_log {insert}",
    .row = &zf_store__audit_row,
};
/* $1 NULL = every connection (the CAST tells PostgreSQL the type of a NULL
 * parameter, which `$1 IS NULL` alone does not). */
static const zf_store_query q_list = {
    .what = "reading the audit log",
    .sql = "SELECT {columns} FROM audit_log WHERE (CAST($1 AS TEXT) IS NULL OR conn_id = $1) "
           "ORDER BY id DESC LIMIT $2",
    .row = &zf_store__audit_row,
};

void zf_store_audit_free(zf_store_audit *a)
{
    zf_store__release(&zf_store__audit_row, a);
}

void zf_store_audit_free_list(zf_store_audit *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        zf_store_audit_free(&list[i]);
    free(list);
}

int zf_store_audit_add(zf_store *st, const zf_store_audit *a, zf_error *err)
{
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    size_t n = zf_store__params(&zf_store__audit_row, a, v);
    int rc = zf_store__run(zf_store__enter(st), &q_add, v, n, err);
    zf_store__leave(st);
    return rc;
}

int zf_store_audit_list(zf_store *st, const char *conn_id, size_t limit, zf_store_audit **out,
                        size_t *n, zf_error *err)
{
    void *list = NULL;
    zf_store_value v[] = {zf_store__text(conn_id),
                          zf_store__int64(limit > INT64_MAX ? INT64_MAX : (int64_t)limit)};
    int rc = zf_store__get_all(zf_store__enter(st), &q_list, v, 2, &list, n, err);
    zf_store__leave(st);
    *out = list;
    return rc;
}
