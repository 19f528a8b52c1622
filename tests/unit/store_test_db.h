/*
 * The database the store's tests run on, chosen by one switch, ZF_TEST_DB:
 *   unset or "sqlite"  a SQLite file in a temporary directory per test;
 *   "postgresql"       a fresh schema per test on a PostgreSQL server:
 *     ZF_TEST_PG_DSN       a server of your own (a role that may create
 *                          schemas, and roles for the tests that need them),
 *     else $ZF_TEST_PG_DIR/dsn, the server ctest's fixture started
 *                          (pg.server.start, scripts/pg-test-server),
 *     else one started for this process with scripts/pg-test-server
 *                          (under $ZF_SOURCE_DIR), stopped at exit.
 * Without PostgreSQL the program exits 77 (ctest: skipped) saying why.
 * Each test's schema is dropped at teardown, so tests never see each other;
 * the store's DSN names it in search_path.
 *
 * Header only: the tests that use it are each one program.
 */
#ifndef ZF_STORE_TEST_DB_H
#define ZF_STORE_TEST_DB_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zoomflow/sys/store_driver.h"

#define TDB_SKIP 77

typedef struct tdb {
    char dir[64];    /* a temporary directory, removed by tdb_drop */
    char dsn[2048];  /* what zf_store_open takes */
    char schema[64]; /* PostgreSQL: the test's schema */
    char path[160];  /* SQLite: the database file */
} tdb;

typedef struct tdb_server {
    int pg;
    char base[1024];  /* the server's DSN */
    char own_dir[64]; /* a server started by this process, else "" */
    pid_t starter;
    PGconn *admin;
    unsigned seq;
} tdb_server;

static tdb_server tdb_srv;

static inline int tdb_pg(void)
{
    return tdb_srv.pg;
}

static inline const zf_store_driver *tdb_driver(void)
{
    return tdb_srv.pg ? &zf_store_postgresql_driver : &zf_store_sqlite_driver;
}

static inline const char *tdb_dialect(void)
{
    return tdb_driver()->dialect;
}

static inline void tdb_skip(const char *why)
{
    fprintf(stderr, "skipped: %s\n", why);
    exit(TDB_SKIP);
}

/* libpq's conninfo for a DSN (without the keyword form's scheme). */
static inline const char *tdb_conninfo(const char *dsn)
{
    return strncmp(dsn, "postgresql:", 11) == 0 && strncmp(dsn + 11, "//", 2) != 0 ? dsn + 11 : dsn;
}

static inline void tdb_stop_own(void)
{
    char cmd[512];
    if (!tdb_srv.own_dir[0] || getpid() != tdb_srv.starter)
        return;
    snprintf(cmd, sizeof cmd, "'%s/scripts/pg-test-server' stop '%s' >/dev/null 2>&1",
             getenv("ZF_SOURCE_DIR"), tdb_srv.own_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not stop the test server in %s\n", tdb_srv.own_dir);
}

/* Starts a server for this process with scripts/pg-test-server. */
static inline void tdb_start_own(void)
{
    const char *src = getenv("ZF_SOURCE_DIR");
    char cmd[512];
    if (!src)
        tdb_skip("ZF_TEST_DB=postgresql needs ZF_TEST_PG_DSN, ZF_TEST_PG_DIR or "
                 "ZF_SOURCE_DIR (to start scripts/pg-test-server)");
    snprintf(tdb_srv.own_dir, sizeof tdb_srv.own_dir, "/tmp/zf-tpg-XXXXXX");
    if (!mkdtemp(tdb_srv.own_dir))
        tdb_skip("cannot make a directory for the test server");
    snprintf(cmd, sizeof cmd, "'%s/scripts/pg-test-server' --if-installed start '%s'", src,
             tdb_srv.own_dir);
    tdb_srv.starter = getpid();
    atexit(tdb_stop_own);
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(tdb_srv.base, sizeof tdb_srv.base, p) ||
        strncmp(tdb_srv.base, "postgresql://", 13) != 0) {
        if (p)
            pclose(p);
        tdb_skip("PostgreSQL is not installed (scripts/install-deps --test installs it)");
    }
    pclose(p);
}

/* Reads the fixture's $ZF_TEST_PG_DIR/dsn into base; 0 when there is none. */
static inline int tdb_fixture(void)
{
    const char *dir = getenv("ZF_TEST_PG_DIR");
    char path[1024];
    if (!dir || !*dir)
        return 0;
    snprintf(path, sizeof path, "%s/dsn", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        tdb_skip("the ctest fixture started no PostgreSQL server: PostgreSQL 15 is not "
                 "installed (scripts/install-deps --test installs it)");
    int got = fgets(tdb_srv.base, sizeof tdb_srv.base, f) != NULL;
    fclose(f);
    if (!got)
        tdb_skip("the fixture's dsn file is empty");
    return 1;
}

/* At main's start: finds the database the switch names. */
static inline void tdb_init(void)
{
    const char *which = getenv("ZF_TEST_DB");
    if (!which || !*which || strcmp(which, "sqlite") == 0)
        return;
    if (strcmp(which, "postgresql") != 0) {
        fprintf(stderr, "ZF_TEST_DB=%s: use sqlite or postgresql\n", which);
        exit(1);
    }
    tdb_srv.pg = 1;
    const char *dsn = getenv("ZF_TEST_PG_DSN");
    if (dsn && *dsn)
        snprintf(tdb_srv.base, sizeof tdb_srv.base, "%s", dsn);
    else if (!tdb_fixture())
        tdb_start_own();
    tdb_srv.base[strcspn(tdb_srv.base, "\r\n")] = '\0';
    tdb_srv.admin = PQconnectdb(tdb_conninfo(tdb_srv.base));
    if (PQstatus(tdb_srv.admin) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to the test server: %s", PQerrorMessage(tdb_srv.admin));
        exit(1);
    }
    PQclear(PQexec(tdb_srv.admin, "SET client_min_messages = warning"));
}

/* Runs sql (several statements may be given) on the admin connection. */
static inline void tdb_admin(const char *sql)
{
    PGresult *r = PQexec(tdb_srv.admin, sql);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        fprintf(stderr, "test SQL failed: %s: %s", sql, PQerrorMessage(tdb_srv.admin));
        abort();
    }
    PQclear(r);
}

/* base plus one more libpq parameter (a URI's query or a keyword). */
static inline void tdb_dsn_with(char *out, size_t cap, const char *base, const char *key,
                                const char *uri_value, const char *kw_value)
{
    int n;
    if (strstr(base, "://"))
        n = snprintf(out, cap, "%s%c%s=%s", base, strchr(base, '?') ? '&' : '?', key, uri_value);
    else
        n = snprintf(out, cap, "%s%s %s='%s'",
                     strncmp(base, "postgresql:", 11) ? "postgresql:" : "", base, key, kw_value);
    if (n < 0 || (size_t)n >= cap)
        abort();
}

/* A fresh database for one test. */
static inline void tdb_fresh(tdb *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/zf-tdb-XXXXXX");
    if (!mkdtemp(t->dir))
        abort();
    snprintf(t->path, sizeof t->path, "%s/zf.db", t->dir);
    if (!tdb_srv.pg) {
        snprintf(t->dsn, sizeof t->dsn, "sqlite:%s", t->path);
        return;
    }
    char sql[128], uri[128], kw[128];
    snprintf(t->schema, sizeof t->schema, "zt_%ld_%u", (long)getpid(), ++tdb_srv.seq);
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", t->schema);
    tdb_admin(sql);
    snprintf(uri, sizeof uri, "-csearch_path%%3D%s", t->schema);
    snprintf(kw, sizeof kw, "-csearch_path=%s", t->schema);
    tdb_dsn_with(t->dsn, sizeof t->dsn, tdb_srv.base, "options", uri, kw);
}

static inline void tdb_drop(tdb *t)
{
    char cmd[160];
    if (tdb_srv.pg && t->schema[0]) {
        snprintf(cmd, sizeof cmd, "DROP SCHEMA IF EXISTS %s CASCADE", t->schema);
        tdb_admin(cmd);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    if (system(cmd) != 0)
        abort();
}

/* Runs sql on t's database, outside the store. */
static inline void tdb_exec(const tdb *t, const char *sql)
{
    if (tdb_srv.pg) {
        char set[128];
        snprintf(set, sizeof set, "SET search_path TO %s", t->schema);
        tdb_admin(set);
        tdb_admin(sql);
        tdb_admin("RESET search_path");
        return;
    }
    sqlite3 *db = NULL;
    char *msg = NULL;
    if (sqlite3_open(t->path, &db) != SQLITE_OK ||
        sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "test SQL failed: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
        abort();
    }
    sqlite3_close(db);
}

/* Calls each(ctx, value) with the first column of every row of sql, run on
 * t's database with param as $1 (PostgreSQL) or ?1 (SQLite) when non-NULL. */
static inline void tdb_each(const tdb *t, const char *sql, const char *param,
                            void (*each)(void *ctx, const char *value), void *ctx)
{
    if (tdb_srv.pg) {
        char set[128];
        snprintf(set, sizeof set, "SET search_path TO %s", t->schema);
        tdb_admin(set);
        PGresult *r = PQexecParams(tdb_srv.admin, sql, param ? 1 : 0, NULL, &param, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "test SQL failed: %s: %s", sql, PQerrorMessage(tdb_srv.admin));
            abort();
        }
        for (int i = 0; i < PQntuples(r); i++)
            each(ctx, PQgetisnull(r, i, 0) ? NULL : PQgetvalue(r, i, 0));
        PQclear(r);
        tdb_admin("RESET search_path");
        return;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open(t->path, &db) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        (param && sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT) != SQLITE_OK)) {
        fprintf(stderr, "test SQL failed: %s: %s\n", sql, sqlite3_errmsg(db));
        abort();
    }
    while (sqlite3_step(st) == SQLITE_ROW)
        each(ctx, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static inline void tdb_count_one(void *ctx, const char *v)
{
    *(long *)ctx = v ? strtol(v, NULL, 10) : 0;
}

/* The integer in the first column of sql's first row (0 when none). */
static inline long tdb_long(const tdb *t, const char *sql)
{
    long n = 0;
    tdb_each(t, sql, NULL, tdb_count_one, &n);
    return n;
}

/* 1 when needle is anywhere in the stored data: SQLite, the file's and its
 * WAL's bytes (freed pages included); PostgreSQL, the text of every row of
 * the store's tables. */
static inline int tdb_holds(const tdb *t, const char *needle)
{
    if (tdb_srv.pg) {
        static const char *const tables[] = {"connections", "oauth_states", "audit_log",
                                             "webhook_secrets", "webhook_events"};
        long n = 0, k = 0;
        char sql[160];
        for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
            snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s x WHERE strpos(x::text, $1) > 0",
                     tables[i]);
            tdb_each(t, sql, needle, tdb_count_one, &k);
            n += k;
        }
        return n > 0;
    }
    static char buf[4 << 20];
    const char *suffix[] = {"", "-wal"};
    for (size_t i = 0; i < 2; i++) {
        char p[200];
        snprintf(p, sizeof p, "%s%s", t->path, suffix[i]);
        FILE *fp = fopen(p, "rb");
        if (!fp)
            continue;
        size_t n = fread(buf, 1, sizeof buf, fp), len = strlen(needle);
        fclose(fp);
        for (size_t at = 0; at + len <= n; at++)
            if (memcmp(buf + at, needle, len) == 0)
                return 1;
    }
    return 0;
}

#endif
