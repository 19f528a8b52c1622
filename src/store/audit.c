/*
 * The audit domain: an append-only log of what was done to a connection
 * (connect, refresh, disconnect, ...) and how it ended. The id is made by
 * the database (the one auto-increment key, whose DDL differs per dialect
 * in migrations.c) and orders the log: newest first is id descending.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "text.h"

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

/* Keyset paging: the row-value comparison is written once for both
 * dialects, and audit_log_page (migration 9) serves it and the order. */
static const zf_store_query q_page = {
    .what = "reading a page of the audit log",
    .sql = "SELECT {columns} FROM audit_log WHERE conn_id = $1 AND (at, id) < ($2, $3) "
           "ORDER BY at DESC, id DESC LIMIT $4",
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

int zf_store_audit_page(zf_store *st, const char *conn_id, const zf_store_audit_cursor *before,
                        size_t limit, zf_store_audit **out, size_t *n, zf_error *err)
{
    void *list = NULL;
    zf_store_value v[] = {zf_store__text(conn_id), zf_store__int64(before ? before->at : INT64_MAX),
                          zf_store__int64(before ? before->id : INT64_MAX),
                          zf_store__int64(limit > INT64_MAX ? INT64_MAX : (int64_t)limit)};
    int rc = zf_store__get_all(zf_store__enter(st), &q_page, v, 4, &list, n, err);
    zf_store__leave(st);
    *out = list;
    return rc;
}

/* at and id as two 16-digit hex numbers (at's two's complement bits). */
void zf_store_audit_cursor_format(const zf_store_audit *row,
                                  char out[ZF_STORE_AUDIT_CURSOR_LEN + 1])
{
    snprintf(out, ZF_STORE_AUDIT_CURSOR_LEN + 1, "%016llx%016llx", (unsigned long long)row->at,
             (unsigned long long)row->id);
}

static uint64_t hex16(const char *s)
{
    uint64_t v = 0;
    for (int i = 0; i < 16; i++)
        v = v << 4 | (uint64_t)zf_hexval((unsigned char)s[i]);
    return v;
}

int zf_store_audit_cursor_parse(const char *s, zf_store_audit_cursor *out, zf_error *err)
{
    size_t len = strnlen(s, 41); /* 40 are quoted in an error */
    int ok = len == ZF_STORE_AUDIT_CURSOR_LEN;
    for (size_t i = 0; ok && i < len; i++)
        ok = zf_hexval((unsigned char)s[i]) >= 0 && !(s[i] >= 'A' && s[i] <= 'F');
    if (ok) {
        uint64_t at = hex16(s), id = hex16(s + 16);
        ok = id >= 1 && id <= INT64_MAX;
        out->at = (int64_t)at; /* the bits format wrote: the same int64_t again */
        out->id = (int64_t)id;
    }
    if (ok)
        return 0;
    zf_error_set(err, ZF_EVALIDATION,
                 "\"%.40s%s\" is not an audit log cursor: a cursor is the %d hex digits a "
                 "page of the log gave as its next cursor",
                 s, len > 40 ? "..." : "", ZF_STORE_AUDIT_CURSOR_LEN);
    zf_error_hint_id(err, ZF_HINT_AUDIT_CURSOR, NULL);
    return ZF_EVALIDATION;
}
