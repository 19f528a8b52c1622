/*
 * Store drivers plug in through this versioned function table (like
 * libgit2's sys/refdb_backend.h, PowerDNS's gsql drivers). A driver is
 * chosen by its DSN scheme. It knows one database engine and nothing of
 * zoomflow's tables: every query is written once, in src/store's domain
 * files, as portable SQL with $1, $2, ... parameters, and runs unchanged on
 * every driver; `dialect` picks the rare per-dialect override.
 *
 * Contract for every driver (`db` is what open() made):
 *   - `version` is ZF_STORE_DRIVER_VERSION; zf_store refuses others.
 *   - open() takes the whole DSN (its scheme included), connects, and does
 *     not migrate: zf_store runs the migrations through exec and script.
 *   - exec() runs one SQL statement whose parameters are $1..$n, each of
 *     params[] used (a text naming fewer, more or other placeholders is a
 *     caller mistake: ZF_EINVAL). It has run the statement when it returns:
 *     an autocommitted write has committed, and a constraint violation or a
 *     lock timeout is reported by exec itself, not by a later step. Rows,
 *     when asked for (rows non-NULL), are then read with step() and
 *     column() and released with finish(); with rows NULL they are dropped.
 *   - step() moves to the next row: 1 there is one, 0 no more, < 0 failed.
 *   - column() reads column i of the current row as the type wanted
 *     (converted as the engine converts; ZF_STORE_NULL whatever was wanted
 *     when the value is NULL). Text and blob bytes are borrowed until the
 *     next step() or finish(); text is NUL-terminated.
 *   - begin() starts a write transaction; lock_row() then excludes, until
 *     commit() or rollback(), every other holder of the same (domain, key)
 *     in every process (SQLite: begin is BEGIN IMMEDIATE, which already
 *     excludes every writer; PostgreSQL: a transaction-scoped advisory lock
 *     or SELECT ... FOR UPDATE). Reads inside see the latest committed data.
 *     rollback() cannot fail.
 *   - script() runs a text of several statements without parameters
 *     (migrations, settings).
 *   - Calls outside a transaction are autocommitted.
 *   - A server's driver reconnects on its own outside a transaction: a
 *     connection found closed before a statement is reopened and the
 *     statement sent; one lost during a statement is reopened and the
 *     statement repeated only when it is a read. A write cut off is
 *     reported (FAULT_LOST): it may or may not have happened. Inside a
 *     transaction nothing is reopened or repeated; calls fail with
 *     FAULT_LOST until rollback(). A commit() lost on the way may have
 *     committed; every other failing commit() has rolled back.
 *   - A failing call returns ZF_ESTORE (ZF_ENOMEM, ZF_EINVAL for caller
 *     mistakes) with the engine's message in err, and fault() then says
 *     what kind of failure it was, so callers can decide whether a retry
 *     can help; fault() is ZF_STORE_FAULT_NONE after a call that worked.
 * zf_store gives each driver handle to one thread at a time (it keeps a
 * pool of them per zf_store), so drivers need no locking of their own; a row cursor is used by the
 * thread that made it, before its next exec on the same handle (drivers may hold one statement at a
 * time).
 */
#ifndef ZOOMFLOW_SYS_STORE_DRIVER_H
#define ZOOMFLOW_SYS_STORE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/error.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

#define ZF_STORE_DRIVER_VERSION 1

typedef enum zf_store_type {
    ZF_STORE_NULL = 0,
    ZF_STORE_INT64 = 1,
    ZF_STORE_TEXT = 2,
    ZF_STORE_BLOB = 3
} zf_store_type;

/* One parameter or column value. p is borrowed: TEXT is NUL-terminated
 * (len = strlen), BLOB is len bytes. */
typedef struct zf_store_value {
    zf_store_type type;
    int64_t i;
    const char *p;
    size_t len;
} zf_store_value;

/* What a failure was, for the caller deciding on a retry. */
typedef enum zf_store_fault {
    ZF_STORE_FAULT_NONE = 0,
    ZF_STORE_FAULT_OTHER = 1,  /* anything else: retrying will not help */
    ZF_STORE_FAULT_BUSY = 2,   /* a lock waited past its timeout: retry later */
    ZF_STORE_FAULT_UNIQUE = 3, /* a unique or primary key was already taken */
    ZF_STORE_FAULT_LOST = 4    /* the connection to the server is gone */
} zf_store_fault;

typedef struct zf_store_driver {
    int version;
    const char *scheme;  /* DSN scheme before ':' ("sqlite", "postgresql") */
    const char *dialect; /* "sqlite", "postgresql": picks SQL overrides */
    int (*open)(void **db, const char *dsn, zf_error *err);
    void (*close)(void *db);
    int (*exec)(void *db, const char *sql, const zf_store_value *params, size_t n, void **rows,
                zf_error *err);
    int (*step)(void *rows, zf_error *err);
    int (*column)(void *rows, size_t i, zf_store_type want, zf_store_value *out, zf_error *err);
    void (*finish)(void *rows);
    int (*begin)(void *db, zf_error *err);
    int (*lock_row)(void *db, const char *domain, const char *key, zf_error *err);
    int (*commit)(void *db, zf_error *err);
    void (*rollback)(void *db);
    int (*script)(void *db, const char *sql, zf_error *err);
    int (*fault)(void *db); /* a zf_store_fault */
} zf_store_driver;

extern const zf_store_driver zf_store_sqlite_driver;
extern const zf_store_driver zf_store_postgresql_driver;

ZF_PUBLIC_END

#endif
