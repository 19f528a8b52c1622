/*
 * The webhook domain: accepted Zoom events, each stored once per
 * (org, event_id), and each org's sealed secret token.
 *
 * The once is the database's: the insert is one statement, ON CONFLICT
 * (org, event_id) DO NOTHING RETURNING, so of two deliveries of one event
 * racing in two processes (or replicas on one PostgreSQL) exactly one gets
 * the row back and the other none; no read-then-write window exists. An
 * autocommitted insert has committed when the driver returns (driver
 * contract, sys/store_driver.h), which is what lets the service answer 200
 * only after the event is durable.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store_internal.h"

#define ETEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_webhook_event, f)
#define EINT(f) #f, ZF_COL_INT64, offsetof(zf_store_webhook_event, f), 0, NULL

static const zf_store_column event_columns[] = {
    {ETEXT(org), ZF_COL_KEY, NULL},
    {ETEXT(event_id), ZF_COL_KEY, NULL},
    {ETEXT(event), 0, NULL},
    {EINT(event_ts)},
    {EINT(received_at)},
    {ETEXT(account_id), 0, NULL},
    {ETEXT(request_id), 0, NULL},
    {ETEXT(tracking_id), 0, NULL},
    {ETEXT(body), 0, NULL},
    {ETEXT(state), 0, NULL},
    {EINT(consumed_at)},
};

const zf_store_row zf_store__webhook_event_row =
    ZF_STORE_ROW(zf_store_webhook_event, event_columns);

#define STEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_webhook_secret, f)

static const zf_store_column secret_columns[] = {
    {STEXT(org), ZF_COL_KEY, NULL},
    {STEXT(secret_sealed), 0, NULL},
    {"updated_at", ZF_COL_INT64, offsetof(zf_store_webhook_secret, updated_at), 0, NULL},
    {STEXT(updated_by), 0, NULL},
};

const zf_store_row zf_store__webhook_secret_row =
    ZF_STORE_ROW(zf_store_webhook_secret, secret_columns);

/* RETURNING the key only: a replay reads no body back. */
typedef struct key_row {
    char *event_id;
} key_row;

static const zf_store_column key_columns[] = {
    {"event_id", ZF_COL_TEXT, offsetof(key_row, event_id), 0, NULL}};
static const zf_store_row key_row_type = ZF_STORE_ROW(key_row, key_columns);

static const zf_store_query q_event_add = {
    .what = "storing a webhook event",
    .sql = "INSERT INTO webhook_events {insert} ON CONFLICT (org, event_id) DO NOTHING "
           "RETURNING event_id",
    .row = &zf_store__webhook_event_row,
};
/* $2 NULL = every state (the CAST types the NULL for PostgreSQL). */
static const zf_store_query q_event_list = {
    .what = "reading webhook events",
    .sql = "SELECT {columns} FROM webhook_events WHERE org = $1 AND "
           "(CAST($2 AS TEXT) IS NULL OR state = $2) ORDER BY received_at, event_id LIMIT $3",
    .sql_postgresql = "SELECT {columns} FROM webhook_events WHERE org = $1 AND "
                      "(CAST($2 AS TEXT) IS NULL OR state = $2) "
                      "ORDER BY received_at, event_id COLLATE \"C\" LIMIT $3",
    .row = &zf_store__webhook_event_row,
};
static const zf_store_query q_event_consume = {
    .what = "marking a webhook event consumed",
    .sql = "UPDATE webhook_events SET state = 'consumed', consumed_at = $3 "
           "WHERE org = $1 AND event_id = $2 AND state = 'new' RETURNING event_id",
    .row = &key_row_type,
};
static const zf_store_query q_event_key = {
    .what = "reading a webhook event",
    .sql = "SELECT event_id FROM webhook_events WHERE org = $1 AND event_id = $2",
    .row = &key_row_type,
};
static const zf_store_query q_secret_put = {
    .what = "storing the webhook secret token",
    .sql = "INSERT INTO webhook_secrets {insert} ON CONFLICT (org) DO UPDATE SET {update}",
    .row = &zf_store__webhook_secret_row,
};
static const zf_store_query q_secret_get = {
    .what = "reading the webhook secret token",
    .sql = "SELECT {columns} FROM webhook_secrets WHERE org = $1",
    .row = &zf_store__webhook_secret_row,
};
static const zf_store_query q_secret_delete = {
    .what = "deleting the webhook secret token",
    .sql = "DELETE FROM webhook_secrets WHERE org = $1",
};

void zf_store_webhook_event_free(zf_store_webhook_event *e)
{
    zf_store__release(&zf_store__webhook_event_row, e);
}

void zf_store_webhook_event_free_list(zf_store_webhook_event *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        zf_store_webhook_event_free(&list[i]);
    free(list);
}

/* q_event_add's {insert} comes from the event row, its RETURNING is read
 * with key_row: a query whose row is key_row but whose text is expanded
 * from the event row, made once here. */
int zf_store_webhook_event_add(zf_store *st, const zf_store_webhook_event *e, int *inserted,
                               zf_error *err)
{
    *inserted = 0;
    if (!e || !e->org || !e->event_id || !e->event || !e->body || !e->state)
        return zf_error_set(err, ZF_EINVAL, "zf_store_webhook_event_add: missing a field");
    const zf_store_db *db = zf_store__enter(st);
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    size_t n = zf_store__params(&zf_store__webhook_event_row, e, v);
    char *sql = NULL;
    int rc = zf_store__sql(&sql, db, &q_event_add, err);
    if (rc == 0) {
        zf_store_query q = {.what = q_event_add.what, .sql = sql, .row = &key_row_type};
        key_row k = {NULL};
        rc = zf_store__get(db, &q, v, n, &k, err);
        *inserted = rc == 1;
        zf_store__release(&key_row_type, &k);
    }
    free(sql);
    zf_store__leave(st);
    return rc < 0 ? rc : 0;
}

int zf_store_webhook_event_list(zf_store *st, const char *org, const char *state, size_t limit,
                                zf_store_webhook_event **out, size_t *n, zf_error *err)
{
    void *list = NULL;
    zf_store_value v[] = {zf_store__text(org), zf_store__text(state),
                          zf_store__int64(limit > INT64_MAX ? INT64_MAX : (int64_t)limit)};
    int rc = zf_store__get_all(zf_store__enter(st), &q_event_list, v, 3, &list, n, err);
    zf_store__leave(st);
    *out = list;
    return rc;
}

/* The workflows' mark: one UPDATE guarded by state 'new', so of replicas
 * consuming one event at once exactly one sees *consumed 1. */
int zf_store_webhook_event_consume(zf_store *st, const char *org, const char *event_id, int64_t now,
                                   int *consumed, zf_error *err)
{
    *consumed = 0;
    if (!org || !event_id)
        return zf_error_set(err, ZF_EINVAL, "zf_store_webhook_event_consume: missing a field");
    const zf_store_db *db = zf_store__enter(st);
    zf_store_value v[] = {zf_store__text(org), zf_store__text(event_id), zf_store__int64(now)};
    key_row k = {NULL};
    int rc = zf_store__get(db, &q_event_consume, v, 3, &k, err);
    *consumed = rc == 1;
    zf_store__release(&key_row_type, &k);
    if (rc == 0 && (rc = zf_store__get(db, &q_event_key, v, 2, &k, err)) == 0)
        rc = zf_error_set(err, ZF_ENOTFOUND, "no webhook event \"%s\"", event_id);
    zf_store__release(&key_row_type, &k);
    zf_store__leave(st);
    return rc < 0 ? rc : 0;
}

void zf_store_webhook_secret_free(zf_store_webhook_secret *s)
{
    zf_store__release(&zf_store__webhook_secret_row, s);
}

int zf_store_webhook_secret_put(zf_store *st, const zf_store_webhook_secret *s, zf_error *err)
{
    if (!s || !s->org || !s->secret_sealed)
        return zf_error_set(err, ZF_EINVAL, "zf_store_webhook_secret_put: missing a field");
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    size_t n = zf_store__params(&zf_store__webhook_secret_row, s, v);
    int rc = zf_store__run(zf_store__enter(st), &q_secret_put, v, n, err);
    zf_store__leave(st);
    return rc;
}

int zf_store_webhook_secret_get(zf_store *st, const char *org, zf_store_webhook_secret *out,
                                zf_error *err)
{
    zf_store_value key = zf_store__text(org);
    int rc = zf_store__get(zf_store__enter(st), &q_secret_get, &key, 1, out, err);
    zf_store__leave(st);
    if (rc == 0)
        return zf_error_set(err, ZF_ENOTFOUND, "no webhook secret token for this org");
    return rc < 0 ? rc : 0;
}

int zf_store_webhook_secret_delete(zf_store *st, const char *org, zf_error *err)
{
    zf_store_value key = zf_store__text(org);
    int rc = zf_store__run(zf_store__enter(st), &q_secret_delete, &key, 1, err);
    zf_store__leave(st);
    return rc;
}
