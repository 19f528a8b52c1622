/*
 * Inside the store: what the domain files (connections.c, states.c,
 * audit.c, and later keys, accounts, events, runs) are written with.
 *
 * A domain file holds SQL texts (zf_store_query) and a column table per
 * row type (zf_store_row), and calls the helpers below, never a driver's
 * engine directly: so each query is written once and runs on every driver.
 *
 * A query's text is portable SQL (SQLite >= 3.35 and PostgreSQL >= 13:
 * $N parameters, RETURNING, ON CONFLICT ... DO UPDATE) in which three
 * placeholders expand from the query's row table, in the table's order:
 *   {columns}  every column: "id, kind, ..."          (SELECT, RETURNING)
 *   {insert}   "(c1, ...) VALUES ($1, ...)" of the columns the database
 *              does not make (not ZF_COL_AUTO)           (INSERT)
 *   {update}   "c = excluded.c, ..." of those, less the key (ZF_COL_KEY)
 *                                                        (ON CONFLICT)
 * so the columns a statement names, the values zf_store__params binds
 * and the fields zf_store__read fills are one list. Where a dialect
 * genuinely differs, sql_<dialect> replaces the text for that dialect.
 */
#ifndef ZF_STORE_INTERNAL_H
#define ZF_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/store.h"
#include "zoomflow/sys/store_driver.h"

/* One open database: its driver and the driver's handle. */
typedef struct zf_store_db {
    const zf_store_driver *drv;
    void *h;
} zf_store_db;

/* store.c: the handle's mutex, held from enter to leave (recursive, so a
 * call inside a transaction on the owning thread goes straight in). */
const zf_store_db *zf_store__enter(zf_store *st);
void zf_store__leave(zf_store *st);
/* Opens a write transaction holding the (domain, key) row lock; the mutex
 * stays held until zf_store_commit or zf_store_rollback. domain NULL: a
 * write transaction without a row lock (its statements' own row locks
 * serialise it, e.g. runs.c's lease check on the run row). */
int zf_store__lock(zf_store *st, const char *domain, const char *key, zf_error *err);

/* --- rows.c: column tables and the query helpers */

typedef enum zf_store_col_type {
    ZF_COL_TEXT,  /* char * (heap, NULL = SQL NULL) */
    ZF_COL_INT64, /* int64_t (NULL reads as 0) */
    ZF_COL_ENUM   /* int, stored as names[value] (unknown text reads as 0) */
} zf_store_col_type;

#define ZF_COL_KEY 1u  /* the conflict key: left out of {update} */
#define ZF_COL_AUTO 2u /* made by the database: left out of {insert} and params */

typedef struct zf_store_column {
    const char *name;
    zf_store_col_type type;
    size_t offset;            /* offsetof the field in the row struct */
    unsigned flags;           /* ZF_COL_KEY, ZF_COL_AUTO */
    const char *const *names; /* ZF_COL_ENUM: NULL-ended; value i is names[i] */
} zf_store_column;

typedef struct zf_store_row {
    const zf_store_column *cols;
    size_t n;
    size_t size; /* sizeof the row struct */
} zf_store_row;

#define ZF_STORE_ROW(type, cols)                                                                   \
    {                                                                                              \
        (cols), sizeof(cols) / sizeof((cols)[0]), sizeof(type)                                     \
    }

typedef struct zf_store_query {
    const char *what;       /* names the step in messages: "reading a connection" */
    const char *sql;        /* portable text */
    const char *sql_sqlite; /* overrides, NULL when sql does */
    const char *sql_postgresql;
    const zf_store_row *row; /* what {columns}, {insert}, {update} name */
} zf_store_query;

/* Most parameters a statement binds. */
#define ZF_STORE_PARAMS_MAX 64

static inline zf_store_value zf_store__text(const char *s)
{
    zf_store_value v = {s ? ZF_STORE_TEXT : ZF_STORE_NULL, 0, s, 0};
    return v;
}

static inline zf_store_value zf_store__int64(int64_t i)
{
    zf_store_value v = {ZF_STORE_INT64, i, NULL, 0};
    return v;
}

/* The stored text of an enum value (names[0] when out of range). */
const char *zf_store__enum_name(const char *const *names, int value);
/* The text of one dialect: its override when there is one, else sql. */
const char *zf_store__dialect_text(const char *dialect, const char *sql, const char *sql_sqlite,
                                   const char *sql_postgresql);
/* q's text for db's dialect with the placeholders expanded; *out is the
 * caller's (free()). */
int zf_store__sql(char **out, const zf_store_db *db, const zf_store_query *q, zf_error *err);
/* The values of row's written columns in obj (not ZF_COL_AUTO), in table
 * order, as $1..$n; borrowed from obj. Returns n. */
size_t zf_store__params(const zf_store_row *row, const void *obj,
                        zf_store_value out[ZF_STORE_PARAMS_MAX]);
/* Fills obj's fields from the current row's columns, in table order
 * (strings copied to the heap); on failure obj is released. */
int zf_store__read(const zf_store_db *db, void *rows, const zf_store_row *row, void *obj,
                   zf_error *err);
/* Frees obj's text fields and zeroes it. NULL-safe. */
void zf_store__release(const zf_store_row *row, void *obj);
/* Releases each of list[0..n) (an array of row's structs), then frees the
 * array. NULL-safe. */
void zf_store__release_list(const zf_store_row *row, void *list, size_t n);

/* Runs q; its rows are dropped. */
int zf_store__run(const zf_store_db *db, const zf_store_query *q, const zf_store_value *params,
                  size_t n, zf_error *err);
/* Runs q and reads its first row into obj (q->row's struct): 1 when there
 * was one, 0 when none (obj zeroed, err untouched), < 0 on failure. */
int zf_store__get(const zf_store_db *db, const zf_store_query *q, const zf_store_value *params,
                  size_t n, void *obj, zf_error *err);
/* Runs q and reads every row into a new array of q->row's structs (*out,
 * *count; release each with zf_store__release, then free the array). */
int zf_store__get_all(const zf_store_db *db, const zf_store_query *q, const zf_store_value *params,
                      size_t n, void **out, size_t *count, zf_error *err);

/* --- migrations.c */

/* One numbered schema change. `sql` is the portable text (several
 * statements); a dialect that differs uses its own text when non-NULL. */
typedef struct zf_store_migration {
    int version;
    const char *name;
    const char *sql;
    const char *sql_sqlite;
    const char *sql_postgresql;
} zf_store_migration;

extern const zf_store_migration zf_store__migrations[];
extern const size_t zf_store__migrations_count;

/* Applies migs[0..n) not yet applied, all in one transaction under the
 * ("schema_version", "migrate") row lock, so processes starting together
 * apply each once; *version gets the schema version after. */
int zf_store__migrate(const zf_store_db *db, const zf_store_migration *migs, size_t n, int *version,
                      zf_error *err);

/* --- the row tables of the domains (for the tests: schema vs mapping) */
extern const zf_store_row zf_store__conn_row;
extern const zf_store_row zf_store__state_row;
extern const zf_store_row zf_store__audit_row;
extern const zf_store_row zf_store__webhook_event_row;
extern const zf_store_row zf_store__webhook_secret_row;
extern const zf_store_row zf_store__org_row;
extern const zf_store_row zf_store__account_row;
extern const zf_store_row zf_store__membership_row;
extern const zf_store_row zf_store__api_key_row;
extern const zf_store_row zf_store__web_session_row;
extern const zf_store_row zf_store__throttle_row;
extern const zf_store_row zf_store__idem_row;
extern const zf_store_row zf_store__workflow_row;
extern const zf_store_row zf_store__run_row;
extern const zf_store_row zf_store__step_row;

#endif
