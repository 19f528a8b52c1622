/*
 * What only a database server does to the store (ZF_TEST_DB=postgresql;
 * ctest: unit.test_store_pg.pg): the DSN forms libpq takes, a clear error
 * naming the problem and its fix for a refused password, an unreachable
 * server, a missing database and missing grants (never quoting the
 * password), reconnecting after the server ends a session, the bounded lock
 * wait and the lock freed when its holder's session dies. Roles made here
 * are named zt_<pid>_... and dropped at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "store_internal.h"
#include "store_test_db.h"
#include "zoomflow/store.h"

/* The test server's parts, from its DSN. */
static struct {
    char host[256], port[16], db[128], user[128], passfile[512];
} srv;

static void read_server(void)
{
    char *msg = NULL;
    PQconninfoOption *o = PQconninfoParse(tdb_conninfo(tdb_srv.base), &msg);
    assert_non_null(o);
    for (PQconninfoOption *p = o; p->keyword; p++) {
        struct {
            const char *k;
            char *dst;
            size_t cap;
        } want[] = {{"host", srv.host, sizeof srv.host},
                    {"port", srv.port, sizeof srv.port},
                    {"dbname", srv.db, sizeof srv.db},
                    {"user", srv.user, sizeof srv.user},
                    {"passfile", srv.passfile, sizeof srv.passfile}};
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
            if (p->val && !strcmp(p->keyword, want[i].k))
                snprintf(want[i].dst, want[i].cap, "%s", p->val);
    }
    PQconninfoFree(o);
    if (!srv.host[0])
        snprintf(srv.host, sizeof srv.host, "127.0.0.1");
    if (!srv.port[0])
        snprintf(srv.port, sizeof srv.port, "5432");
}

static char role_pw[64], role_ro[64];

static int group_setup(void **state)
{
    (void)state;
    char sql[256];
    read_server();
    snprintf(role_pw, sizeof role_pw, "zt_%ld_pw", (long)getpid());
    snprintf(role_ro, sizeof role_ro, "zt_%ld_ro", (long)getpid());
    snprintf(sql, sizeof sql, "CREATE ROLE %s LOGIN PASSWORD 'right-pw-1'", role_pw);
    tdb_admin(sql);
    snprintf(sql, sizeof sql, "CREATE ROLE %s LOGIN PASSWORD 'ro-pw-1'", role_ro);
    tdb_admin(sql);
    setenv("PGPASSFILE", "/nonexistent/zf-test-pgpass", 1); /* no ~/.pgpass help */
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    char sql[256];
    snprintf(sql, sizeof sql, "DROP ROLE IF EXISTS %s; DROP ROLE IF EXISTS %s", role_pw, role_ro);
    tdb_admin(sql);
    return 0;
}

static int setup(void **state)
{
    tdb *t = calloc(1, sizeof *t);
    tdb_fresh(t);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tdb_drop(*state);
    free(*state);
    return 0;
}

/* Opens dsn expecting failure rc; the message and hint are in err. */
static void refused(const char *dsn, int rc, zf_error *err)
{
    zf_store *st = NULL;
    assert_int_equal(zf_store_open(&st, dsn, err), rc);
    assert_null(st);
}

static void opens(const char *dsn)
{
    zf_store *st = NULL;
    zf_error err = ZF_ERROR_INIT;
    int rc = zf_store_open(&st, dsn, &err);
    if (rc != 0)
        fail_msg("%s: %s (%s)", dsn, err.message, err.hint);
    zf_store_free(st);
}

/* A URI for the test server as user[:password] on schema t's search_path. */
static void uri_as(char *out, size_t cap, const tdb *t, const char *user, const char *pw,
                   const char *db)
{
    snprintf(out, cap, "postgresql://%s%s%s@%s:%s/%s?options=-csearch_path%%3D%s", user,
             pw ? ":" : "", pw ? pw : "", srv.host, srv.port, db ? db : srv.db,
             t ? t->schema : "public");
}

/* URI (postgresql:// and postgres://) and keyword forms reach the same
 * database; the environment fills what the DSN leaves out. */
static void test_pg_dsn_forms(void **state)
{
    tdb *t = *state;
    char dsn[2048];
    opens(t->dsn);
    assert_non_null(strstr(t->dsn, "postgresql://"));
    snprintf(dsn, sizeof dsn, "postgres://%s", t->dsn + strlen("postgresql://"));
    opens(dsn);
    snprintf(dsn, sizeof dsn,
             "postgresql:host=%s port=%s dbname=%s user=%s passfile='%s' "
             "options='-csearch_path=%s'",
             srv.host, srv.port, srv.db, srv.user, srv.passfile, t->schema);
    opens(dsn);
    setenv("PGPORT", srv.port, 1); /* PG* variables as libpq reads them */
    snprintf(dsn, sizeof dsn,
             "postgresql:host=%s dbname=%s user=%s passfile='%s' "
             "options='-csearch_path=%s'",
             srv.host, srv.db, srv.user, srv.passfile, t->schema);
    opens(dsn);
    unsetenv("PGPORT");
    zf_error err = ZF_ERROR_INIT;
    refused("postgresql://zf:s3cret-pw@[::1/zoomflow", ZF_ECONFIG, &err);
    assert_null(strstr(err.message, "s3cret-pw"));
    assert_non_null(strstr(err.message, "zf:[redacted]@"));
    assert_int_equal(err.hint_id, ZF_HINT_CHOOSE_DATABASE);
}

/* A wrong password, and none: named, with where a password belongs; the
 * password itself never shows. The right one works (the check works). */
static void test_pg_wrong_password(void **state)
{
    tdb *t = *state;
    char dsn[1024];
    zf_error err = ZF_ERROR_INIT;
    uri_as(dsn, sizeof dsn, t, role_pw, "wrong-s3cret", NULL);
    refused(dsn, ZF_ESTORE, &err);
    assert_non_null(strstr(err.message, "password authentication failed"));
    assert_non_null(strstr(err.message, "cannot connect to the database postgresql://"));
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_LOGIN);
    assert_non_null(strstr(err.hint, "password file"));
    assert_null(strstr(err.message, "wrong-s3cret"));
    assert_null(strstr(err.hint, "wrong-s3cret"));
    uri_as(dsn, sizeof dsn, t, role_pw, NULL, NULL);
    refused(dsn, ZF_ESTORE, &err);
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_LOGIN);
    assert_non_null(strstr(err.hint, "none was found"));
    /* the right password gets as far as the schema, where it may not create */
    uri_as(dsn, sizeof dsn, t, role_pw, "right-pw-1", NULL);
    refused(dsn, ZF_ESTORE, &err);
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_GRANTS);
}

/* A port nothing listens on: refused at once, naming host and port. */
static void test_pg_unreachable(void **state)
{
    (void)state;
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s); /* free again, and nothing listens there */
    char dsn[256], port[32];
    zf_error err = ZF_ERROR_INIT;
    snprintf(port, sizeof port, "port %d", ntohs(a.sin_port));
    snprintf(dsn, sizeof dsn, "postgresql://zf:pw-s3cret@127.0.0.1:%d/zoomflow", ntohs(a.sin_port));
    refused(dsn, ZF_ESTORE, &err);
    assert_non_null(strstr(err.message, "Connection refused"));
    assert_non_null(strstr(err.message, port));
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_UNREACHABLE);
    assert_non_null(strstr(err.hint, "host and port"));
    assert_null(strstr(err.message, "pw-s3cret"));
}

static void test_pg_missing_database(void **state)
{
    tdb *t = *state;
    char dsn[1024], db[64];
    zf_error err = ZF_ERROR_INIT;
    snprintf(db, sizeof db, "zt_%ld_nodb", (long)getpid());
    uri_as(dsn, sizeof dsn, t, role_pw, "right-pw-1", db);
    refused(dsn, ZF_ESTORE, &err);
    assert_non_null(strstr(err.message, "does not exist"));
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_MISSING);
    assert_non_null(strstr(err.hint, "CREATE DATABASE"));
    assert_string_equal(err.hint_arg[ZF_HINT_ARG_VALUE], db);
}

/* A role without the grants: may use no schema, may not create the
 * tables, may not read them; with the grants docs/postgresql.md lists it
 * works, on tables another role migrated. */
static void test_pg_missing_grants(void **state)
{
    tdb *t = *state;
    char dsn[1024], sql[512];
    zf_error err = ZF_ERROR_INIT;
    uri_as(dsn, sizeof dsn, t, role_ro, "ro-pw-1", NULL);
    refused(dsn, ZF_ESTORE, &err);
    assert_non_null(strstr(err.message, "creating schema_version failed"));
    assert_non_null(strstr(err.message, "no schema has been selected"));
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_GRANTS);
    assert_non_null(strstr(err.hint, "USAGE"));
    assert_null(strstr(err.message, "ro-pw-1"));
    snprintf(sql, sizeof sql, "GRANT USAGE ON SCHEMA %s TO %s", t->schema, role_ro);
    tdb_admin(sql);
    refused(dsn, ZF_ESTORE, &err);
    assert_non_null(strstr(err.message, "permission denied for schema"));
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_GRANTS);
    assert_non_null(strstr(err.hint, "USAGE and CREATE on the schema"));
    opens(t->dsn); /* the owner migrates */
    refused(dsn, ZF_ESTORE, &err);
    assert_non_null(strstr(err.message, "permission denied for table schema_version"));
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_GRANTS);
    snprintf(sql, sizeof sql,
             "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO %s", t->schema,
             role_ro);
    tdb_admin(sql);
    zf_store *st = NULL;
    zf_store_audit a = {0, 5, "default", "me", "connect", "ok", NULL};
    zf_store_state s = {"h1", "default", "v", "r", "b", "c", "s", NULL, 1, 10, NULL, NULL};
    assert_int_equal(zf_store_open(&st, dsn, &err), 0);
    assert_int_equal(zf_store_audit_add(st, &a, &err), 0); /* the identity needs no grant */
    assert_int_equal(zf_store_state_put(st, &s, &err), 0);
    assert_int_equal(zf_store_lock_connection(st, "default", &err), 0);
    assert_int_equal(zf_store_commit(st, &err), 0);
    zf_store_free(st);
}

/* Ends every session of application_name app, waiting until they are gone. */
static void end_sessions(const char *app)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
             "WHERE application_name = '%s'",
             app);
    tdb_admin(sql);
}

static void with_app(char *out, size_t cap, const tdb *t, const char *app)
{
    tdb_dsn_with(out, cap, t->dsn, "application_name", app, app);
}

/* The server ends the store's session (as a restart does): the next calls,
 * a read and a write, reconnect and work. Inside a transaction the loss is
 * reported, and the call after the rollback reconnects. */
static void test_pg_reconnects(void **state)
{
    tdb *t = *state;
    char dsn[2048], app[64];
    zf_error err = ZF_ERROR_INIT;
    zf_store *st = NULL;
    zf_store_conn c = {0}, got;
    snprintf(app, sizeof app, "zt_%ld_re", (long)getpid());
    with_app(dsn, sizeof dsn, t, app);
    assert_int_equal(zf_store_open(&st, dsn, &err), 0);
    c.id = "r1";
    c.oauth_base = c.api_base = c.client_id = c.client_secret_sealed = "x";
    assert_int_equal(zf_store_conn_put(st, &c, &err), 0);
    end_sessions(app);
    assert_int_equal(zf_store_conn_get(st, "r1", &got, &err), 0);
    zf_store_conn_free(&got);
    end_sessions(app);
    assert_int_equal(zf_store_conn_put(st, &c, &err), 0);
    assert_int_equal(tdb_long(t, "SELECT generation FROM connections WHERE id = 'r1'"), 2);

    assert_int_equal(zf_store_lock_connection(st, "r1", &err), 0);
    end_sessions(app);
    assert_int_equal(zf_store_conn_put(st, &c, &err), ZF_ESTORE);
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_LOST);
    assert_non_null(strstr(err.message, "inside a transaction"));
    assert_int_equal(zf_store_conn_get(st, "r1", &got, &err), ZF_ESTORE); /* still lost */
    assert_int_equal(zf_store_commit(st, &err), ZF_ESTORE);
    assert_non_null(strstr(err.message, "rolled back"));
    assert_int_equal(zf_store_conn_get(st, "r1", &got, &err), 0);
    assert_int_equal(got.generation, 2); /* the lost write did not happen */
    zf_store_conn_free(&got);
    zf_store_free(st);
}

/* Cut off during a statement: a read is run again, once; a write is not
 * (it is reported, as it may or may not have happened). The statements end
 * their own session the first time they run (nextval is not rolled back). */
static void test_pg_retries_reads_only(void **state)
{
    tdb *t = *state;
    const zf_store_driver *drv = &zf_store_postgresql_driver;
    zf_error err = ZF_ERROR_INIT;
    void *db = NULL, *rows = NULL;
    zf_store_value v;
    tdb_exec(t, "CREATE SEQUENCE s1; CREATE SEQUENCE s2; CREATE TABLE w (n BIGINT)");
    assert_int_equal(drv->open(&db, t->dsn, &err), 0);
    assert_int_equal(drv->exec(db,
                               "SELECT CASE WHEN nextval('s1') = 1 THEN "
                               "pg_terminate_backend(pg_backend_pid()) ELSE true END",
                               NULL, 0, &rows, &err),
                     0);
    assert_int_equal(drv->step(rows, &err), 1);
    assert_int_equal(drv->column(rows, 0, ZF_STORE_INT64, &v, &err), 0);
    assert_int_equal(v.i, 1); /* true, from the second run */
    drv->finish(rows);
    assert_int_equal(tdb_long(t, "SELECT last_value FROM s1"), 2);
    assert_int_equal(drv->exec(db,
                               "INSERT INTO w SELECT nextval('s2') WHERE "
                               "pg_terminate_backend(pg_backend_pid())",
                               NULL, 0, NULL, &err),
                     ZF_ESTORE);
    assert_int_equal(drv->fault(db), ZF_STORE_FAULT_LOST);
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_LOST);
    assert_int_equal(tdb_long(t, "SELECT last_value FROM s2"), 1); /* not run again */
    assert_int_equal(tdb_long(t, "SELECT COUNT(*) FROM w"), 0);
    assert_int_equal(drv->exec(db, "SELECT 1", NULL, 0, NULL, &err), 0); /* reconnected */
    drv->close(db);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Another store holding a connection's lock: a wait past lock_timeout (1 s
 * here, from the DSN's options) fails saying another process or replica is
 * refreshing it; the lock is freed when its holder's session ends, as when
 * the holding process is killed. Other rows and other schemas never wait. */
static void test_pg_lock_wait_bounded(void **state)
{
    tdb *t = *state, other;
    char dsn[2048], app[64], opts[128], kw[128];
    zf_error err = ZF_ERROR_INIT;
    zf_store *holder = NULL, *waiter = NULL, *elsewhere = NULL;
    snprintf(app, sizeof app, "zt_%ld_lk", (long)getpid());
    snprintf(opts, sizeof opts, "-csearch_path%%3D%s%%20-clock_timeout%%3D1s", t->schema);
    snprintf(kw, sizeof kw, "-csearch_path=%s -clock_timeout=1s", t->schema);
    tdb_dsn_with(dsn, sizeof dsn, tdb_srv.base, "options", opts, kw);
    assert_int_equal(zf_store_open(&waiter, dsn, &err), 0);
    with_app(dsn, sizeof dsn, t, app);
    assert_int_equal(zf_store_open(&holder, dsn, &err), 0);
    assert_int_equal(zf_store_lock_connection(holder, "c1", &err), 0);
    double t0 = now_s();
    assert_int_equal(zf_store_lock_connection(waiter, "c1", &err), ZF_ESTORE);
    double waited = now_s() - t0;
    assert_true(waited >= 0.9 && waited < 10);
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_BUSY);
    assert_non_null(strstr(err.hint, "another process or replica is refreshing this connection"));
    assert_int_equal(zf_store_lock_connection(waiter, "c2", &err), 0); /* another row */
    assert_int_equal(zf_store_commit(waiter, &err), 0);
    tdb_fresh(&other);
    assert_int_equal(zf_store_open(&elsewhere, other.dsn, &err), 0);
    assert_int_equal(zf_store_lock_connection(elsewhere, "c1", &err), 0); /* another schema */
    zf_store_rollback(elsewhere);
    zf_store_free(elsewhere);
    tdb_drop(&other);
    end_sessions(app); /* the holder "dies" */
    t0 = now_s();
    assert_int_equal(zf_store_lock_connection(waiter, "c1", &err), 0);
    assert_true(now_s() - t0 < 0.9);
    assert_int_equal(zf_store_commit(waiter, &err), 0);
    zf_store_rollback(holder); /* its session is gone: nothing to undo */
    zf_store_free(holder);
    zf_store_free(waiter);
}

int main(void)
{
    const char *which = getenv("ZF_TEST_DB");
    if (!which || strcmp(which, "postgresql") != 0)
        tdb_skip("the PostgreSQL server tests run with ZF_TEST_DB=postgresql "
                 "(ctest: unit.test_store_pg.pg)");
    tdb_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pg_dsn_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_wrong_password, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_unreachable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_missing_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_missing_grants, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_reconnects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_retries_reads_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_lock_wait_bounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
