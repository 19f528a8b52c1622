/*
 * The signals domain (store.h "signals"): one counter row per
 * (conn_id, kind, label, hour), bumped by one upsert, so concurrent adds
 * from several processes never lose a count and a flood grows a number,
 * not the table. Reads sum the hours since a time.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store_internal.h"

#define SIG_TEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_signal, f), 0, NULL
#define SIG_INT(f) #f, ZF_COL_INT64, offsetof(zf_store_signal, f), 0, NULL

static const zf_store_column signal_columns[] = {
    {SIG_TEXT(conn_id)}, {SIG_TEXT(kind)},   {SIG_TEXT(label)},
    {SIG_INT(count)},    {SIG_INT(last_at)}, {SIG_INT(value)},
};
static const zf_store_row signal_row = ZF_STORE_ROW(zf_store_signal, signal_columns);

static const zf_store_query q_add = {
    .what = "counting a signal",
    .sql = "INSERT INTO signals (conn_id, kind, label, hour, count, last_at, value) "
           "VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT (conn_id, kind, label, hour) "
           "DO UPDATE SET count = signals.count + 1, "
           "last_at = CASE WHEN excluded.last_at > signals.last_at THEN excluded.last_at "
           "ELSE signals.last_at END, "
           "value = CASE WHEN excluded.last_at >= signals.last_at THEN excluded.value "
           "ELSE signals.value END",
};
static const zf_store_query q_purge = {
    .what = "dropping old signals",
    .sql = "DELETE FROM signals WHERE conn_id = $1 AND hour < $2",
};
/* value: the newest row's (MAX over rows of one label is close enough for
 * a reset time, which only moves forward). */
static const zf_store_query q_list = {
    .what = "reading signals",
    .sql = "SELECT conn_id, kind, label, CAST(SUM(count) AS BIGINT) AS count, "
           "MAX(last_at) AS last_at, MAX(value) AS value FROM signals "
           "WHERE conn_id = $1 AND hour >= $2 GROUP BY conn_id, kind, label "
           "ORDER BY kind, label",
    .sql_postgresql = "SELECT conn_id, kind, label, CAST(SUM(count) AS BIGINT) AS count, "
                      "MAX(last_at) AS last_at, MAX(value) AS value FROM signals "
                      "WHERE conn_id = $1 AND hour >= $2 GROUP BY conn_id, kind, label "
                      "ORDER BY kind COLLATE \"C\", label COLLATE \"C\"",
    .row = &signal_row,
};

void zf_store_signal_free_list(zf_store_signal *list, size_t n)
{
    zf_store__release_list(&signal_row, list, n);
}

int zf_store_signal_add(zf_store *st, const char *conn_id, const char *kind, const char *label,
                        int64_t at, int64_t value, zf_error *err)
{
    if (!st || !conn_id || !kind)
        return zf_error_set(err, ZF_EINVAL, "zf_store_signal_add: missing a field");
    int64_t hour = at - at % 3600;
    zf_store_value v[] = {
        zf_store__text(conn_id), zf_store__text(kind), zf_store__text(label ? label : ""),
        zf_store__int64(hour),   zf_store__int64(at),  zf_store__int64(value)};
    const zf_store_db *db = zf_store__enter(st);
    int rc = zf_store__run(db, &q_add, v, 6, err);
    if (rc == 0) {
        zf_store_value p[] = {zf_store__text(conn_id),
                              zf_store__int64(hour - ZF_STORE_SIGNAL_KEEP)};
        rc = zf_store__run(db, &q_purge, p, 2, err);
    }
    zf_store__leave(st);
    return rc;
}

int zf_store_signal_list(zf_store *st, const char *conn_id, int64_t since, zf_store_signal **out,
                         size_t *n, zf_error *err)
{
    void *list = NULL;
    *out = NULL;
    *n = 0;
    zf_store_value v[] = {zf_store__text(conn_id), zf_store__int64(since - since % 3600)};
    int rc = zf_store__get_all(zf_store__enter(st), &q_list, v, 2, &list, n, err);
    zf_store__leave(st);
    *out = list;
    return rc;
}
