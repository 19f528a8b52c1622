/* The SQLite store driver through its table (zoomflow/sys/store_driver.h),
 * on a temporary file: the contract every driver keeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zoomflow/sys/store_driver.h"

static const zf_store_driver *const drv = &zf_store_sqlite_driver;

typedef struct fx {
    char dir[64];
    char dsn[128];
    void *db;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    zf_error err = ZF_ERROR_INIT;
    snprintf(f->dir, sizeof f->dir, "/tmp/zf-drv-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->dsn, sizeof f->dsn, "sqlite:%s/d.db", f->dir);
    assert_int_equal(drv->open(&f->db, f->dsn, &err), 0);
    assert_int_equal(
        drv->script(f->db,
                    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, "
                    "n BIGINT, b BLOB);",
                    &err),
        0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char cmd[128];
    drv->close(f->db);
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static zf_store_value text(const char *s)
{
    zf_store_value v = {ZF_STORE_TEXT, 0, s, s ? strlen(s) : 0};
    return v;
}

static zf_store_value int64(int64_t i)
{
    zf_store_value v = {ZF_STORE_INT64, i, NULL, 0};
    return v;
}

/* Rows in t, read through the driver. */
static int64_t count(void *db)
{
    zf_error err = ZF_ERROR_INIT;
    void *rows = NULL;
    zf_store_value v;
    assert_int_equal(drv->exec(db, "SELECT COUNT(*) FROM t", NULL, 0, &rows, &err), 0);
    assert_int_equal(drv->step(rows, &err), 1);
    assert_int_equal(drv->column(rows, 0, ZF_STORE_INT64, &v, &err), 0);
    drv->finish(rows);
    return v.i;
}

static void test_driver_names(void **state)
{
    (void)state;
    assert_int_equal(drv->version, ZF_STORE_DRIVER_VERSION);
    assert_string_equal(drv->scheme, "sqlite");
    assert_string_equal(drv->dialect, "sqlite");
}

/* int64, text, NULL and blob go in as parameters and come out as columns. */
static void test_driver_params_each_type(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    static const char blob[] = {'a', 0, 'b', (char)0xff};
    zf_store_value in[] = {int64(INT64_MIN + 1),
                           text("h\xc3\xa9llo"),
                           {ZF_STORE_NULL, 0, NULL, 0},
                           {ZF_STORE_BLOB, 0, blob, sizeof blob}};
    assert_int_equal(drv->exec(f->db,
                               "INSERT INTO t (id, name, n, b) VALUES ($1, $2, $3, $4)",
                               in, 4, NULL, &err),
                     0);
    void *rows = NULL;
    zf_store_value key = int64(INT64_MIN + 1), v;
    assert_int_equal(drv->exec(f->db, "SELECT id, name, n, b FROM t WHERE id = $1", &key,
                               1, &rows, &err),
                     0);
    assert_int_equal(drv->step(rows, &err), 1);
    assert_int_equal(drv->column(rows, 0, ZF_STORE_INT64, &v, &err), 0);
    assert_int_equal(v.type, ZF_STORE_INT64);
    assert_true(v.i == INT64_MIN + 1);
    assert_int_equal(drv->column(rows, 1, ZF_STORE_TEXT, &v, &err), 0);
    assert_int_equal(v.type, ZF_STORE_TEXT);
    assert_string_equal(v.p, "h\xc3\xa9llo");
    assert_int_equal(v.len, 6);
    assert_int_equal(drv->column(rows, 2, ZF_STORE_INT64, &v, &err), 0);
    assert_int_equal(v.type, ZF_STORE_NULL); /* NULL whatever was wanted */
    assert_int_equal(drv->column(rows, 2, ZF_STORE_TEXT, &v, &err), 0);
    assert_int_equal(v.type, ZF_STORE_NULL);
    assert_null(v.p);
    assert_int_equal(drv->column(rows, 3, ZF_STORE_BLOB, &v, &err), 0);
    assert_int_equal(v.type, ZF_STORE_BLOB);
    assert_int_equal(v.len, sizeof blob);
    assert_memory_equal(v.p, blob, sizeof blob);
    /* converted as the engine converts: an integer read as text */
    assert_int_equal(drv->column(rows, 0, ZF_STORE_TEXT, &v, &err), 0);
    assert_string_equal(v.p, "-9223372036854775807");
    assert_int_equal(drv->column(rows, 4, ZF_STORE_TEXT, &v, &err), ZF_EINVAL);
    assert_int_equal(drv->step(rows, &err), 0);
    assert_int_equal(drv->step(rows, &err), 0);
    drv->finish(rows);
}

/* $N is bound by its number wherever and however often it appears. */
static void test_driver_params_by_number(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_value in[] = {text("one"), text("two")}, v;
    void *rows = NULL;
    assert_int_equal(drv->exec(f->db, "SELECT $2, $1, $2 || $1", in, 2, &rows, &err), 0);
    assert_int_equal(drv->step(rows, &err), 1);
    assert_int_equal(drv->column(rows, 0, ZF_STORE_TEXT, &v, &err), 0);
    assert_string_equal(v.p, "two");
    assert_int_equal(drv->column(rows, 1, ZF_STORE_TEXT, &v, &err), 0);
    assert_string_equal(v.p, "one");
    assert_int_equal(drv->column(rows, 2, ZF_STORE_TEXT, &v, &err), 0);
    assert_string_equal(v.p, "twoone");
    drv->finish(rows);
}

/* A text whose placeholders are not exactly $1..$n, or that holds more
 * than one statement, is the caller's mistake, named in the message. */
static void test_driver_refuses_mismatched_params(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_value in[] = {int64(1), int64(2), int64(3)};
    assert_int_equal(drv->exec(f->db, "SELECT $1, $2", in, 1, NULL, &err), ZF_EINVAL);
    assert_non_null(strstr(err.message, "in number"));
    assert_int_equal(drv->exec(f->db, "SELECT $1", in, 3, NULL, &err), ZF_EINVAL);
    assert_int_equal(drv->exec(f->db, "SELECT $1, $3", in, 2, NULL, &err), ZF_EINVAL);
    assert_non_null(strstr(err.message, "$1..$n"));
    assert_int_equal(drv->exec(f->db, "SELECT ?, ?", in, 2, NULL, &err), ZF_EINVAL);
    assert_int_equal(drv->exec(f->db, "SELECT :a", in, 1, NULL, &err), ZF_EINVAL);
    assert_int_equal(drv->exec(f->db, "SELECT 1; SELECT 2", NULL, 0, NULL, &err),
                     ZF_EINVAL);
    assert_non_null(strstr(err.message, "more than one statement"));
    assert_int_equal(drv->exec(f->db, "SELECT 1;  \n", NULL, 0, NULL, &err), 0);
}

/* A taken unique key is ZF_ESTORE classified UNIQUE; other failures are
 * OTHER; a call that works clears the class. */
static void test_driver_classifies_faults(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_value in[] = {int64(1), text("dup")};
    assert_int_equal(
        drv->exec(f->db, "INSERT INTO t (id, name) VALUES ($1, $2)", in, 2, NULL, &err),
        0);
    assert_int_equal(drv->fault(f->db), ZF_STORE_FAULT_NONE);
    in[0] = int64(2);
    assert_int_equal(
        drv->exec(f->db, "INSERT INTO t (id, name) VALUES ($1, $2)", in, 2, NULL, &err),
        ZF_ESTORE);
    assert_int_equal(drv->fault(f->db), ZF_STORE_FAULT_UNIQUE);
    assert_non_null(strstr(err.message, "UNIQUE"));
    assert_non_null(strstr(err.message, f->dir)); /* names the database */
    in[1] = text("other");
    in[0] = int64(1); /* the primary key this time */
    assert_int_equal(
        drv->exec(f->db, "INSERT INTO t (id, name) VALUES ($1, $2)", in, 2, NULL, &err),
        ZF_ESTORE);
    assert_int_equal(drv->fault(f->db), ZF_STORE_FAULT_UNIQUE);
    assert_int_equal(drv->exec(f->db, "SELEC nonsense", NULL, 0, NULL, &err), ZF_ESTORE);
    assert_int_equal(drv->fault(f->db), ZF_STORE_FAULT_OTHER);
    assert_int_equal(drv->script(f->db, "NOT SQL AT ALL", &err), ZF_ESTORE);
    assert_int_equal(drv->fault(f->db), ZF_STORE_FAULT_OTHER);
    assert_int_equal(count(f->db), 1);
    assert_int_equal(drv->fault(f->db), ZF_STORE_FAULT_NONE);
}

static void test_driver_rollback_and_commit(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_value in[] = {text("tx")};
    assert_int_equal(drv->lock_row(f->db, "t", "tx", &err),
                     ZF_EINVAL); /* no transaction */
    assert_int_equal(drv->begin(f->db, &err), 0);
    assert_int_equal(drv->lock_row(f->db, "t", "tx", &err), 0);
    assert_int_equal(
        drv->exec(f->db, "INSERT INTO t (name) VALUES ($1)", in, 1, NULL, &err), 0);
    assert_int_equal(count(f->db), 1); /* seen inside */
    drv->rollback(f->db);
    assert_int_equal(count(f->db), 0);
    drv->rollback(f->db); /* none open: nothing happens */
    assert_int_equal(drv->begin(f->db, &err), 0);
    assert_int_equal(
        drv->exec(f->db, "INSERT INTO t (name) VALUES ($1)", in, 1, NULL, &err), 0);
    assert_int_equal(drv->commit(f->db, &err), 0);
    assert_int_equal(count(f->db), 1);
    /* a failed commit leaves no transaction open */
    assert_int_equal(drv->commit(f->db, &err), ZF_ESTORE);
    assert_int_equal(drv->begin(f->db, &err), 0);
    drv->rollback(f->db);
}

/* A write's rows are read after the write has happened: another handle
 * sees the delete before the first row is stepped to. */
static void test_driver_returning_runs_in_exec(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    void *other = NULL, *rows = NULL;
    zf_store_value v;
    const char *names[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        zf_store_value in = text(names[i]);
        assert_int_equal(drv->exec(f->db, "INSERT INTO t (name, n) VALUES ($1, 7)", &in,
                                   1, NULL, &err),
                         0);
    }
    assert_int_equal(drv->open(&other, f->dsn, &err), 0);
    assert_int_equal(drv->exec(f->db, "DELETE FROM t WHERE n = 7 RETURNING name, n", NULL,
                               0, &rows, &err),
                     0);
    assert_int_equal(count(other), 0);
    int seen = 0;
    while (drv->step(rows, &err) == 1) {
        assert_int_equal(drv->column(rows, 0, ZF_STORE_TEXT, &v, &err), 0);
        assert_non_null(strchr("abc", v.p[0]));
        assert_int_equal(drv->column(rows, 1, ZF_STORE_INT64, &v, &err), 0);
        assert_int_equal(v.i, 7);
        assert_int_equal(drv->column(rows, 1, ZF_STORE_TEXT, &v, &err), 0);
        assert_string_equal(v.p, "7");
        seen++;
    }
    assert_int_equal(seen, 3);
    drv->finish(rows);
    drv->finish(NULL);
    /* a RETURNING write whose rows are dropped has still happened */
    zf_store_value in = text("d");
    assert_int_equal(drv->exec(f->db, "INSERT INTO t (name) VALUES ($1) RETURNING id",
                               &in, 1, NULL, &err),
                     0);
    assert_int_equal(count(other), 1);
    drv->close(other);
    drv->close(NULL);
}

static void test_driver_open_refuses(void **state)
{
    (void)state;
    zf_error err = ZF_ERROR_INIT;
    void *db = NULL;
    assert_int_equal(drv->open(&db, "sqlite:", &err), ZF_ECONFIG);
    assert_null(db);
    assert_int_equal(err.hint_id, ZF_HINT_CHOOSE_DATABASE);
    assert_int_equal(drv->open(&db, "sqlite:/proc/zf-no/such/dir/x.db", &err), ZF_ESTORE);
    assert_null(db);
    assert_int_equal(err.hint_id, ZF_HINT_CHOOSE_DATABASE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_driver_names),
        cmocka_unit_test_setup_teardown(test_driver_params_each_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_driver_params_by_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_driver_refuses_mismatched_params, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_driver_classifies_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_driver_rollback_and_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_driver_returning_runs_in_exec, setup,
                                        teardown),
        cmocka_unit_test(test_driver_open_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
