/*
 * The SQLite store driver ("sqlite:PATH"): the engine only, no zoomflow
 * table or query (those are in the domain files, written once for every
 * driver).
 *
 * WAL mode (readers never wait for the one writer), synchronous=FULL (a
 * committed refresh token survives power loss, not only a crash), a busy
 * timeout longer than a token request, waited out by polling every
 * BUSY_POLL_MS (SQLite's own handler sleeps 1, 2, 5, ... 25, 50, 100 ms
 * between tries, so a waiter went on sleeping long after a refresh had
 * committed: the slowest of 4 processes refreshing one connection waited
 * over 200 ms; bench/store-bench), and the database file created 0600
 * before SQLite opens it (its -wal/-shm files inherit that mode), in
 * directories made 0700 when missing.
 *
 * begin is BEGIN IMMEDIATE: SQLite has one writer per database, so the
 * transaction excludes writers of every row, in every process, until
 * COMMIT or ROLLBACK, and lock_row has nothing left to do. Taking the
 * write lock at the start also means a transaction never fails later on
 * upgrading a read lock. A process killed inside leaves the last committed
 * data only.
 *
 * Parameters: SQLite reads "$1" as a named parameter; exec binds each
 * placeholder by its name, so $N means the same in any order and repeated.
 * Statements: up to STMT_CACHE prepared statements are kept per handle
 * (prepare_v3 PERSISTENT), found by the query text's hash and confirmed by
 * the text; reused after sqlite3_reset and clear_bindings (so a failed
 * step leaves nothing behind), prepared again by SQLite on SQLITE_SCHEMA,
 * finalized on close. A query whose kept statement is in use by an open
 * cursor gets one of its own, finalized after use.
 * Rows: a read-only statement streams (exec takes the first step); a write
 * with RETURNING is run to completion inside exec, its rows copied, so the
 * write, and the commit of an autocommitted one, have happened (or failed)
 * when exec returns, as on a server.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zoomflow/buf.h"
#include "zoomflow/sys/store_driver.h"

#define BUSY_TIMEOUT_MS 60000
#define BUSY_POLL_MS 2
#define WAL_RETRY_MS 10
#define PATH_MAX_BYTES 4096
#define STMT_CACHE 32 /* prepared statements kept per handle */

/* A prepared statement kept for the next exec of the same query text
 * (the domain files' queries are expanded from templates into a new
 * buffer per call, so the text, not its address, is the key): found by
 * the text's hash, confirmed by the text itself. */
typedef struct cached_stmt {
    uint64_t hash; /* of the query text */
    sqlite3_stmt *st;
    int busy; /* handed to an open row cursor */
} cached_stmt;

typedef struct sqlite_db {
    sqlite3 *db;
    char *path;
    zf_store_fault fault; /* of the last call */
    int64_t busy_since;   /* ms, monotonic: the current wait's start */
    cached_stmt cache[STMT_CACHE];
    unsigned evict; /* the next slot to reuse when all are taken */
} sqlite_db;

/* A copied column of a write's RETURNING row. */
typedef struct cell {
    zf_store_type type;
    int64_t i;
    char *p; /* text or blob, NUL-terminated */
    size_t len;
} cell;

typedef struct sqlite_rows {
    sqlite_db *d;
    sqlite3_stmt *st;  /* streaming; NULL once copied */
    cached_stmt *slot; /* st's cache slot, NULL for one finalized after use */
    int pending;       /* st: exec's step found a row not handed out yet */
    int done;
    cell *cells;              /* copied: nrows * ncols, row-major */
    size_t nrows, ncols, cur; /* cur: 1-based row handed out last */
} sqlite_rows;

/* Engine result codes by what they mean to a caller; extended codes first. */
static const struct {
    int code;
    zf_store_fault fault;
} fault_map[] = {
    {SQLITE_CONSTRAINT_PRIMARYKEY, ZF_STORE_FAULT_UNIQUE},
    {SQLITE_CONSTRAINT_UNIQUE, ZF_STORE_FAULT_UNIQUE},
    {SQLITE_BUSY, ZF_STORE_FAULT_BUSY},
    {SQLITE_LOCKED, ZF_STORE_FAULT_BUSY},
};

static zf_store_fault classify(int extended)
{
    for (size_t i = 0; i < sizeof fault_map / sizeof fault_map[0]; i++)
        if (fault_map[i].code == extended)
            return fault_map[i].fault;
    for (size_t i = 0; i < sizeof fault_map / sizeof fault_map[0]; i++)
        if (fault_map[i].code == (extended & 0xff))
            return fault_map[i].fault;
    return ZF_STORE_FAULT_OTHER;
}

/* The engine's last failure into err, classified. */
static int db_fail(sqlite_db *d, zf_error *err)
{
    d->fault = classify(sqlite3_extended_errcode(d->db));
    zf_error_set(err, ZF_ESTORE, "database %s: %s", d->path, sqlite3_errmsg(d->db));
    if (d->fault == ZF_STORE_FAULT_BUSY)
        zf_error_hint_id(err, ZF_HINT_DATABASE_BUSY,
                         "Another process held the database lock "
                         "for over %d s; retry, and check for a stuck process.",
                         BUSY_TIMEOUT_MS / 1000);
    return ZF_ESTORE;
}

/* A caller mistake in the statement, not the database's failure. */
static int misuse(sqlite_db *d, zf_error *err, const char *what, const char *sql)
{
    d->fault = ZF_STORE_FAULT_OTHER;
    return zf_error_set(err, ZF_EINVAL, "database %s: %s in \"%.80s\"", d->path, what, sql);
}

static int nomem(sqlite_db *d, zf_error *err)
{
    d->fault = ZF_STORE_FAULT_OTHER;
    return zf_error_set(err, ZF_ENOMEM, "out of memory");
}

static int sqlite_script(void *h, const char *sql, zf_error *err)
{
    sqlite_db *d = h;
    d->fault = ZF_STORE_FAULT_NONE;
    if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(d, err);
    return 0;
}

/* --- open and close */

/* Creates every missing directory of path's parent with mode 0700. */
static int make_parents(const char *path, zf_error *err)
{
    zf_buf b = ZF_BUF_INIT(PATH_MAX_BYTES);
    int rc = 0;
    zf_buf_puts(&b, path);
    if (b.failed)
        return zf_error_set(err, ZF_ENOMEM, "database path too long");
    char *p = b.ptr;
    for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            rc = zf_error_set(err, ZF_ESTORE, "cannot create directory %s: %s", p, strerror(errno));
            zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE,
                             "Create it yourself or choose "
                             "another database (sqlite:PATH).");
            goto done;
        }
        *s = '/';
    }
done:
    zf_buf_free(&b);
    return rc;
}

static void sqlite_close(void *h)
{
    sqlite_db *d = h;
    if (!d)
        return;
    for (size_t i = 0; i < STMT_CACHE; i++)
        sqlite3_finalize(d->cache[i].st);
    sqlite3_close(d->db);
    free(d->path);
    free(d);
}

/* The file, made 0600 before SQLite opens it. */
/* Creates the file 0600 when it does not exist. An existing file is never
 * opened here: closing any descriptor of a file drops every POSIX lock the
 * process holds on it, including those of another store of this process
 * that has the database open (SQLite's locks). Seen in `zoomflow serve`,
 * which opens a store per org's session: after such an open, its commits
 * were seen by no other process until it exited
 * (integ.test_serve_webhooks, test_every_accepted_event_is_seen_...). */
static int create_file(const char *path, zf_error *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST && access(path, R_OK | W_OK) == 0)
        return 0;
    if (fd < 0) {
        zf_error_set(err, ZF_ESTORE, "cannot open database %s", path);
        zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE,
                         "Check that the directory exists and is "
                         "writable, or choose another database (sqlite:PATH).");
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, path);
        return ZF_ESTORE;
    }
    close(fd);
    return 0;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The busy handler: 1 to try again after a nap, 0 (SQLITE_BUSY) once the
 * wait that began with tries == 0 has lasted BUSY_TIMEOUT_MS. */
static int busy_wait(void *ctx, int tries)
{
    sqlite_db *d = ctx;
    const struct timespec nap = {0, BUSY_POLL_MS * 1000000L};
    int64_t now = mono_ms();
    if (tries == 0)
        d->busy_since = now;
    if (now - d->busy_since >= BUSY_TIMEOUT_MS)
        return 0;
    nanosleep(&nap, NULL);
    return 1;
}

/* Switching a new database to WAL reads, then takes the write lock; when
 * another process holds a read lock there, SQLite answers BUSY at once
 * instead of calling the busy handler (waiting could deadlock), so
 * processes that open a new database together retry here, within the busy
 * timeout. */
static int enter_wal(sqlite_db *d, zf_error *err)
{
    const struct timespec pause = {0, WAL_RETRY_MS * 1000000L};
    for (int waited = 0;; waited += WAL_RETRY_MS) {
        int rc = sqlite_script(d, "PRAGMA journal_mode=WAL", err);
        if (rc == 0 || d->fault != ZF_STORE_FAULT_BUSY || waited >= BUSY_TIMEOUT_MS)
            return rc;
        nanosleep(&pause, NULL);
    }
}

static int sqlite_open(void **out, const char *dsn, zf_error *err)
{
    const char *path = strncmp(dsn, "sqlite:", 7) == 0 ? dsn + 7 : dsn;
    sqlite_db *d = NULL;
    int rc = 0;
    *out = NULL;
    if (!*path) {
        zf_error_set(err, ZF_ECONFIG, "database DSN \"%s\" names no path", dsn);
        zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE, "Use a DSN of the form sqlite:PATH.");
        return ZF_ECONFIG;
    }
    if ((path[0] == '/' && (rc = make_parents(path, err)) < 0) || (rc = create_file(path, err)) < 0)
        return rc;
    if (!(d = calloc(1, sizeof *d)) || !(d->path = strdup(path))) {
        free(d);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        rc = d->db ? db_fail(d, err) : zf_error_set(err, ZF_ENOMEM, "out of memory");
        goto done;
    }
    sqlite3_busy_handler(d->db, busy_wait, d);
    if ((rc = enter_wal(d, err)) < 0 || (rc = sqlite_script(d, "PRAGMA synchronous=FULL", err)) < 0)
        goto done;
    *out = d;
    d = NULL;
done:
    sqlite_close(d);
    return rc;
}

/* --- statements */

/* k of "$k" (1..n), 0 when name is no such placeholder. */
static size_t placeholder(const char *name, size_t n)
{
    size_t k = 0;
    if (!name || name[0] != '$' || !name[1])
        return 0;
    for (const char *p = name + 1; *p; p++) {
        if (*p < '0' || *p > '9' || k > n)
            return 0;
        k = k * 10 + (size_t)(*p - '0');
    }
    return k <= n ? k : 0;
}

static int bind_one(sqlite3_stmt *st, int j, const zf_store_value *v)
{
    switch (v->type) {
    case ZF_STORE_INT64:
        return sqlite3_bind_int64(st, j, v->i);
    case ZF_STORE_TEXT:
        return sqlite3_bind_text(st, j, v->p, -1, SQLITE_TRANSIENT);
    case ZF_STORE_BLOB:
        return v->p ? sqlite3_bind_blob64(st, j, v->p, v->len, SQLITE_TRANSIENT)
                    : sqlite3_bind_zeroblob(st, j, 0);
    default:
        return sqlite3_bind_null(st, j);
    }
}

/* Binds params by placeholder name; every one of $1..$n must appear, and
 * nothing else. */
static int bind_all(sqlite_db *d, sqlite3_stmt *st, const char *sql, const zf_store_value *params,
                    size_t n, zf_error *err)
{
    int count = sqlite3_bind_parameter_count(st);
    if ((size_t)count != n)
        return misuse(d, err, "placeholders and parameters differ in number", sql);
    for (int j = 1; j <= count; j++) {
        size_t k = placeholder(sqlite3_bind_parameter_name(st, j), n);
        if (!k)
            return misuse(d, err, "a placeholder other than $1..$n", sql);
        if (bind_one(st, j, &params[k - 1]) != SQLITE_OK)
            return db_fail(d, err);
    }
    return 0;
}

/* A copy of column i of st's current row. */
static int copy_cell(sqlite3_stmt *st, int i, cell *c)
{
    c->type = sqlite3_column_type(st, i) == SQLITE_NULL   ? ZF_STORE_NULL
              : sqlite3_column_type(st, i) == SQLITE_BLOB ? ZF_STORE_BLOB
                                                          : ZF_STORE_TEXT;
    if (c->type == ZF_STORE_NULL)
        return 0;
    c->i = sqlite3_column_int64(st, i);
    const void *p = c->type == ZF_STORE_BLOB ? sqlite3_column_blob(st, i)
                                             : (const void *)sqlite3_column_text(st, i);
    c->len = (size_t)sqlite3_column_bytes(st, i);
    if (!(c->p = malloc(c->len + 1)))
        return -1;
    if (c->len)
        memcpy(c->p, p, c->len);
    c->p[c->len] = '\0';
    return 0;
}

static void free_cells(sqlite_rows *r)
{
    for (size_t i = 0; i < r->nrows * r->ncols; i++)
        free(r->cells[i].p);
    free(r->cells);
    r->cells = NULL;
    r->nrows = 0;
}

/* Gives r's statement back: reset, bindings cleared, kept in its slot
 * (a failed step's error is reported already); or finalized. */
static void release_stmt(sqlite_rows *r)
{
    if (!r->st)
        return;
    if (r->slot) {
        sqlite3_reset(r->st);
        sqlite3_clear_bindings(r->st);
        r->slot->busy = 0;
    } else {
        sqlite3_finalize(r->st);
    }
    r->st = NULL;
    r->slot = NULL;
}

/* Runs a write to the end, copying its rows when keep. */
static int run_write(sqlite_rows *r, int keep, zf_error *err)
{
    int s;
    r->ncols = (size_t)sqlite3_column_count(r->st);
    while ((s = sqlite3_step(r->st)) == SQLITE_ROW) {
        if (!keep || !r->ncols)
            continue;
        cell *nv = realloc(r->cells, (r->nrows + 1) * r->ncols * sizeof *nv);
        if (!nv)
            return nomem(r->d, err);
        r->cells = nv;
        cell *row = &nv[r->nrows * r->ncols];
        memset(row, 0, r->ncols * sizeof *row);
        r->nrows++;
        for (size_t i = 0; i < r->ncols; i++)
            if (copy_cell(r->st, (int)i, &row[i]) < 0)
                return nomem(r->d, err);
    }
    if (s != SQLITE_DONE)
        return db_fail(r->d, err);
    release_stmt(r);
    return 0;
}

static void sqlite_finish(void *h)
{
    sqlite_rows *r = h;
    if (!r)
        return;
    release_stmt(r);
    free_cells(r);
    free(r);
}

/* Prepares sql, which must be one statement. */
static int prepare(sqlite_db *d, const char *sql, unsigned flags, sqlite3_stmt **st, zf_error *err)
{
    const char *tail = NULL;
    if (sqlite3_prepare_v3(d->db, sql, -1, flags, st, &tail) != SQLITE_OK)
        return db_fail(d, err);
    if (!*st)
        return misuse(d, err, "no statement", sql);
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
        tail++;
    if (tail && *tail) {
        sqlite3_finalize(*st);
        *st = NULL;
        return misuse(d, err, "more than one statement", sql);
    }
    return 0;
}

/* r->st for sql: the cached statement when one is free (a schema change
 * since is SQLite's to handle: a v3 statement prepares itself again on
 * SQLITE_SCHEMA), else a new one, kept in a free or the oldest idle slot;
 * with every slot busy (nested cursors) one finalized after use. */
static uint64_t text_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int take_stmt(sqlite_db *d, sqlite_rows *r, const char *sql, zf_error *err)
{
    cached_stmt *spare = NULL;
    uint64_t hash = text_hash(sql);
    for (size_t i = 0; i < STMT_CACHE; i++) {
        cached_stmt *c = &d->cache[i];
        if (c->busy)
            continue;
        if (c->hash == hash && c->st && strcmp(sqlite3_sql(c->st), sql) == 0) {
            c->busy = 1;
            r->st = c->st;
            r->slot = c;
            return 0;
        }
        if (!spare && !c->st)
            spare = c;
    }
    for (size_t i = 0; !spare && i < STMT_CACHE; i++) {
        cached_stmt *c = &d->cache[d->evict++ % STMT_CACHE];
        if (!c->busy)
            spare = c;
    }
    int rc = prepare(d, sql, spare ? SQLITE_PREPARE_PERSISTENT : 0, &r->st, err);
    if (rc < 0 || !spare)
        return rc;
    sqlite3_finalize(spare->st);
    spare->hash = hash;
    spare->st = r->st;
    spare->busy = 1;
    r->slot = spare;
    return 0;
}

/* One statement without parameters or rows, through the cache. */
static int run_simple(sqlite_db *d, const char *sql, zf_error *err)
{
    sqlite_rows r;
    memset(&r, 0, sizeof r);
    r.d = d;
    d->fault = ZF_STORE_FAULT_NONE;
    int rc = take_stmt(d, &r, sql, err);
    if (rc == 0 && sqlite3_step(r.st) != SQLITE_DONE)
        rc = db_fail(d, err);
    release_stmt(&r);
    return rc;
}

static int sqlite_exec(void *h, const char *sql, const zf_store_value *params, size_t n,
                       void **rows, zf_error *err)
{
    sqlite_db *d = h;
    sqlite_rows *r = calloc(1, sizeof *r);
    int rc = 0;
    if (rows)
        *rows = NULL;
    d->fault = ZF_STORE_FAULT_NONE;
    if (!r)
        return nomem(d, err);
    r->d = d;
    if ((rc = take_stmt(d, r, sql, err)) < 0 || (rc = bind_all(d, r->st, sql, params, n, err)) < 0)
        goto done;
    if (!sqlite3_stmt_readonly(r->st)) {
        rc = run_write(r, rows != NULL, err);
    } else {
        int s = sqlite3_step(r->st);
        if (s == SQLITE_ROW)
            r->pending = 1;
        else if (s == SQLITE_DONE)
            r->done = 1;
        else
            rc = db_fail(d, err);
    }
done:
    if (rc < 0 || !rows) {
        sqlite_finish(r);
        return rc;
    }
    *rows = r;
    return 0;
}

static int sqlite_step(void *h, zf_error *err)
{
    sqlite_rows *r = h;
    if (!r->st) { /* copied rows */
        if (r->cur >= r->nrows)
            return 0;
        r->cur++;
        return 1;
    }
    if (r->pending) {
        r->pending = 0;
        return 1;
    }
    if (r->done)
        return 0;
    int s = sqlite3_step(r->st);
    if (s == SQLITE_ROW)
        return 1;
    r->done = 1;
    return s == SQLITE_DONE ? 0 : db_fail(r->d, err);
}

/* Column i of the streaming statement's current row. */
static void stream_column(sqlite3_stmt *st, int i, zf_store_type want, zf_store_value *out)
{
    out->type = want;
    if (want == ZF_STORE_INT64) {
        out->i = sqlite3_column_int64(st, i);
        return;
    }
    out->p = want == ZF_STORE_BLOB ? sqlite3_column_blob(st, i)
                                   : (const char *)sqlite3_column_text(st, i);
    out->len = (size_t)sqlite3_column_bytes(st, i);
    if (!out->p) /* a zero-length blob */
        out->p = "";
}

static int sqlite_column(void *h, size_t i, zf_store_type want, zf_store_value *out, zf_error *err)
{
    sqlite_rows *r = h;
    size_t ncols = r->st ? (size_t)sqlite3_column_count(r->st) : r->ncols;
    memset(out, 0, sizeof *out);
    if (i >= ncols || (!r->st && r->cur == 0))
        return zf_error_set(err, ZF_EINVAL, "database %s: no column %zu in this row", r->d->path,
                            i);
    if (r->st) {
        if (sqlite3_column_type(r->st, (int)i) != SQLITE_NULL)
            stream_column(r->st, (int)i, want, out);
        return 0;
    }
    const cell *c = &r->cells[(r->cur - 1) * r->ncols + i];
    if (c->type == ZF_STORE_NULL)
        return 0;
    out->type = want;
    out->i = c->i;
    out->p = c->p;
    out->len = c->len;
    return 0;
}

/* --- transactions */

static int sqlite_begin(void *h, zf_error *err)
{
    return run_simple(h, "BEGIN IMMEDIATE", err);
}

/* BEGIN IMMEDIATE holds the database's one write lock: every row is held. */
static int sqlite_lock_row(void *h, const char *domain, const char *key, zf_error *err)
{
    sqlite_db *d = h;
    d->fault = ZF_STORE_FAULT_NONE;
    if (sqlite3_get_autocommit(d->db))
        return misuse(d, err, "lock_row outside a transaction", domain);
    return 0;
}

static void sqlite_rollback(void *h)
{
    sqlite_db *d = h;
    zf_error ignored = ZF_ERROR_INIT;
    zf_store_fault was = d->fault; /* a failed commit's, kept */
    if (!sqlite3_get_autocommit(d->db))
        run_simple(d, "ROLLBACK", &ignored);
    d->fault = was;
}

static int sqlite_commit(void *h, zf_error *err)
{
    int rc = run_simple(h, "COMMIT", err);
    if (rc < 0)
        sqlite_rollback(h);
    return rc;
}

static int sqlite_fault(void *h)
{
    return ((sqlite_db *)h)->fault;
}

const zf_store_driver zf_store_sqlite_driver = {
    ZF_STORE_DRIVER_VERSION,
    "sqlite",
    "sqlite",
    sqlite_open,
    sqlite_close,
    sqlite_exec,
    sqlite_step,
    sqlite_column,
    sqlite_finish,
    sqlite_begin,
    sqlite_lock_row,
    sqlite_commit,
    sqlite_rollback,
    sqlite_script,
    sqlite_fault,
};
