/*
 * Store backends plug in through this versioned function table (like
 * libgit2's sys/refdb_backend.h). A backend is chosen by its DSN scheme.
 *
 * Contract for every backend:
 *   - `version` is ZF_STORE_BACKEND_VERSION; zf_store refuses others.
 *   - open() parses the DSN remainder, connects, and does NOT migrate;
 *     zf_store runs migrate() with the shared table (zf_store_migrations).
 *   - lock_connection() starts a write transaction that excludes other
 *     writers of that connection row in every process until commit() or
 *     rollback(); reads inside it see the latest committed data.
 *   - state_take() deletes and returns in one statement (DELETE ...
 *     RETURNING), so a state can be consumed once, whoever races for it.
 *   - Calls outside a transaction are autocommitted.
 * zf_store serialises calls per handle, so backends need no locking of
 * their own.
 */
#ifndef ZOOMFLOW_SYS_STORE_BACKEND_H
#define ZOOMFLOW_SYS_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/error.h"
#include "zoomflow/store.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

#define ZF_STORE_BACKEND_VERSION 1

/* One numbered schema change. `sql` is the portable text; a backend whose
 * dialect differs uses its own override when non-NULL. */
typedef struct zf_store_migration {
    int version;
    const char *name;
    const char *sql;
    const char *sql_sqlite;
    const char *sql_postgresql;
} zf_store_migration;

extern const zf_store_migration zf_store_migrations[];
extern const size_t zf_store_migrations_count;

typedef struct zf_store_backend {
    int version;
    const char *scheme; /* "sqlite" */
    int (*open)(void **out, const char *dsn_rest, zf_error *err);
    void (*close)(void *be);
    int (*migrate)(void *be, const zf_store_migration *migs, size_t n, int *version,
                   zf_error *err);
    int (*lock_connection)(void *be, const char *id, zf_error *err);
    int (*commit)(void *be, zf_error *err);
    void (*rollback)(void *be);
    int (*conn_get)(void *be, const char *id, zf_store_conn *out, zf_error *err);
    int (*conn_put)(void *be, zf_store_conn *c, zf_error *err);
    int (*conn_delete)(void *be, const char *id, zf_error *err);
    int (*conn_list)(void *be, char ***ids, size_t *n, zf_error *err);
    int (*state_put)(void *be, const zf_store_state *s, zf_error *err);
    int (*state_take)(void *be, const char *state_hash, zf_store_state *out, zf_error *err);
    int (*state_purge)(void *be, int64_t now, zf_error *err);
    int (*audit_add)(void *be, const zf_store_audit *a, zf_error *err);
    int (*audit_list)(void *be, const char *conn_id, size_t limit, zf_store_audit **out,
                      size_t *n, zf_error *err);
} zf_store_backend;

extern const zf_store_backend zf_store_sqlite_backend;

ZF_PUBLIC_END

#endif
