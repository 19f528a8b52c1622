/* Column tables (src/store/rows.c): placeholders, binds and reads from one
 * table per row type, and the domains' tables against the real schema, on
 * the driver ZF_TEST_DB names (store_test_db.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_internal.h"
#include "store_test_db.h"

/* A toy row type: every column type and both flags. */
typedef struct toy {
    int64_t id; /* made by the database */
    char *name; /* the key */
    int color;
    int64_t n;
    char *note;
} toy;

static const char *const colors[] = {"red", "green", "blue", NULL};

static const zf_store_column toy_columns[] = {
    {"id", ZF_COL_INT64, offsetof(toy, id), ZF_COL_AUTO, NULL},
    {"name", ZF_COL_TEXT, offsetof(toy, name), ZF_COL_KEY, NULL},
    {"color", ZF_COL_ENUM, offsetof(toy, color), 0, colors},
    {"n", ZF_COL_INT64, offsetof(toy, n), 0, NULL},
    {"note", ZF_COL_TEXT, offsetof(toy, note), 0, NULL},
};

static const zf_store_row toy_row = ZF_STORE_ROW(toy, toy_columns);

static const zf_store_query q_upsert = {
    "writing a toy", "INSERT INTO toys {insert} ON CONFLICT (name) DO UPDATE SET {update}", NULL,
    NULL, &toy_row};
static const zf_store_query q_get = {"reading a toy", "SELECT {columns} FROM toys WHERE name = $1",
                                     NULL, NULL, &toy_row};
static const zf_store_query q_all = {"listing toys", "SELECT {columns} FROM toys ORDER BY id", NULL,
                                     NULL, &toy_row};

typedef struct fx {
    tdb t;
    zf_store_db db;
} fx;

static const char *const toys_sql[][2] = {
    {"sqlite", "CREATE TABLE toys (id INTEGER PRIMARY KEY AUTOINCREMENT, "
               "name TEXT UNIQUE NOT NULL, color TEXT, n BIGINT, note TEXT)"},
    {"postgresql", "CREATE TABLE toys (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                   "name TEXT UNIQUE NOT NULL, color TEXT, n BIGINT, note TEXT)"},
};

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    zf_error err = ZF_ERROR_INIT;
    tdb_fresh(&f->t);
    f->db.drv = tdb_driver();
    assert_int_equal(f->db.drv->open(&f->db.h, f->t.dsn, &err), 0);
    for (size_t i = 0; i < sizeof toys_sql / sizeof toys_sql[0]; i++)
        if (strcmp(toys_sql[i][0], f->db.drv->dialect) == 0)
            assert_int_equal(f->db.drv->script(f->db.h, toys_sql[i][1], &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    f->db.drv->close(f->db.h);
    tdb_drop(&f->t);
    free(f);
    return 0;
}

static void test_rows_placeholders_expand_in_table_order(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    char *sql = NULL;
    assert_int_equal(zf_store__sql(&sql, &f->db, &q_upsert, &err), 0);
    assert_string_equal(sql, "INSERT INTO toys (name, color, n, note) VALUES ($1, $2, $3, $4) "
                             "ON CONFLICT (name) DO UPDATE SET color = excluded.color, "
                             "n = excluded.n, note = excluded.note");
    free(sql);
    assert_int_equal(zf_store__sql(&sql, &f->db, &q_get, &err), 0);
    assert_string_equal(sql, "SELECT id, name, color, n, note FROM toys WHERE name = $1");
    free(sql);
    zf_store_query bad = {"a bad query", "SELECT {colums} FROM toys", NULL, NULL, &toy_row};
    assert_int_equal(zf_store__sql(&sql, &f->db, &bad, &err), ZF_EINVAL);
    assert_null(sql);
    assert_non_null(strstr(err.message, "{colums}"));
    bad.sql = "SELECT {columns} FROM toys";
    bad.row = NULL;
    assert_int_equal(zf_store__sql(&sql, &f->db, &bad, &err), ZF_EINVAL);
}

/* The override of the driver's dialect replaces the text; others do not. */
static void test_rows_dialect_override(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    (void)f;
    zf_store_db pg = {&zf_store_postgresql_driver, NULL};
    zf_store_db lite = {&zf_store_sqlite_driver, NULL};
    zf_store_query q = {"x", "SELECT 1", NULL, "SELECT {columns}", &toy_row};
    char *sql = NULL;
    assert_int_equal(zf_store__sql(&sql, &pg, &q, &err), 0);
    assert_string_equal(sql, "SELECT id, name, color, n, note");
    free(sql);
    assert_int_equal(zf_store__sql(&sql, &lite, &q, &err), 0);
    assert_string_equal(sql, "SELECT 1");
    free(sql);
    q.sql_sqlite = "SELECT 2";
    assert_int_equal(zf_store__sql(&sql, &lite, &q, &err), 0);
    assert_string_equal(sql, "SELECT 2");
    free(sql);
    assert_string_equal(zf_store__dialect_text("mysql", "a", "b", "c"), "a");
}

static void test_rows_params_from_table(void **state)
{
    (void)state;
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    toy t = {99, "kite", 2, -5, NULL};
    size_t n = zf_store__params(&toy_row, &t, v);
    assert_int_equal(n, 4); /* id is the database's */
    assert_int_equal(v[0].type, ZF_STORE_TEXT);
    assert_string_equal(v[0].p, "kite");
    assert_int_equal(v[1].type, ZF_STORE_TEXT);
    assert_string_equal(v[1].p, "blue");
    assert_int_equal(v[2].type, ZF_STORE_INT64);
    assert_int_equal(v[2].i, -5);
    assert_int_equal(v[3].type, ZF_STORE_NULL);
    t.color = 7; /* out of range: the first name, as zf_conn_kind_name does */
    zf_store__params(&toy_row, &t, v);
    assert_string_equal(v[1].p, "red");
    t.color = -1;
    zf_store__params(&toy_row, &t, v);
    assert_string_equal(v[1].p, "red");
}

static void test_rows_roundtrip(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    toy a = {0, "kite", 1, 42, "high"}, b = {0, "ball", 2, 0, NULL}, got;
    assert_int_equal(zf_store__run(&f->db, &q_upsert, v, zf_store__params(&toy_row, &a, v), &err),
                     0);
    assert_int_equal(zf_store__run(&f->db, &q_upsert, v, zf_store__params(&toy_row, &b, v), &err),
                     0);
    a.n = 43; /* the upsert updates in place */
    assert_int_equal(zf_store__run(&f->db, &q_upsert, v, zf_store__params(&toy_row, &a, v), &err),
                     0);
    zf_store_value key = zf_store__text("kite");
    assert_int_equal(zf_store__get(&f->db, &q_get, &key, 1, &got, &err), 1);
    assert_int_equal(got.id, 1);
    assert_string_equal(got.name, "kite");
    assert_int_equal(got.color, 1);
    assert_int_equal(got.n, 43);
    assert_string_equal(got.note, "high");
    zf_store__release(&toy_row, &got);
    assert_null(got.name);
    key = zf_store__text("none");
    got.n = 5;
    assert_int_equal(zf_store__get(&f->db, &q_get, &key, 1, &got, &err), 0);
    assert_int_equal(got.n, 0); /* zeroed */
    assert_null(got.name);

    void *list = NULL;
    size_t n = 0;
    assert_int_equal(zf_store__get_all(&f->db, &q_all, NULL, 0, &list, &n, &err), 0);
    assert_int_equal(n, 2);
    toy *t = list;
    assert_string_equal(t[0].name, "kite");
    assert_string_equal(t[1].name, "ball");
    assert_int_equal(t[1].color, 2);
    assert_null(t[1].note);
    for (size_t i = 0; i < n; i++)
        zf_store__release(&toy_row, &t[i]);
    free(list);
}

/* What another writer left: an unknown enum text reads as value 0, NULLs
 * as 0 and NULL. */
static void test_rows_read_tolerates(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    toy got;
    assert_int_equal(
        f->db.drv->script(f->db.h, "INSERT INTO toys (name, color) VALUES ('odd', 'purple')", &err),
        0);
    zf_store_value key = zf_store__text("odd");
    assert_int_equal(zf_store__get(&f->db, &q_get, &key, 1, &got, &err), 1);
    assert_int_equal(got.color, 0);
    assert_int_equal(got.n, 0);
    assert_null(got.note);
    zf_store__release(&toy_row, &got);
    zf_store__release(&toy_row, NULL);
}

/* A driver failure keeps its code and hint, and names the step. */
static void test_rows_failure_names_the_step(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    toy a = {0, NULL, 0, 0, NULL}; /* name is NOT NULL */
    assert_int_equal(zf_store__run(&f->db, &q_upsert, v, zf_store__params(&toy_row, &a, v), &err),
                     ZF_ESTORE);
    assert_non_null(strstr(err.message, "writing a toy failed: database "));
    assert_non_null(strstr(err.message, tdb_pg() ? "not-null" : "NOT NULL"));
}

/* Each domain's column table names exactly the columns its table has
 * after every migration (a column added by a migration but not mapped,
 * or mapped but never created, fails here). */
typedef struct seen_cols {
    const char *table;
    const zf_store_row *row;
    size_t seen;
} seen_cols;

static void one_column(void *ctx, const char *name)
{
    seen_cols *c = ctx;
    size_t i = 0;
    while (i < c->row->n && strcmp(c->row->cols[i].name, name) != 0)
        i++;
    if (i == c->row->n)
        fail_msg("%s.%s is in the schema but not in the column table", c->table, name);
    c->seen++;
}

static void check_table(const tdb *t, const char *table, const zf_store_row *row)
{
    seen_cols c = {table, row, 0};
    tdb_each(t,
             tdb_pg() ? "SELECT column_name FROM information_schema.columns WHERE "
                        "table_schema = current_schema() AND table_name = $1"
                      : "SELECT name FROM pragma_table_info(?1)",
             table, one_column, &c);
    assert_int_equal(c.seen, row->n);
}

static void test_rows_domains_match_schema(void **state)
{
    fx *f = *state;
    zf_error err = ZF_ERROR_INIT;
    int v = 0;
    assert_int_equal(
        zf_store__migrate(&f->db, zf_store__migrations, zf_store__migrations_count, &v, &err), 0);
    check_table(&f->t, "connections", &zf_store__conn_row);
    check_table(&f->t, "oauth_states", &zf_store__state_row);
    check_table(&f->t, "audit_log", &zf_store__audit_row);
    check_table(&f->t, "idempotency_keys", &zf_store__idem_row);
    check_table(&f->t, "orgs", &zf_store__org_row);
    check_table(&f->t, "accounts", &zf_store__account_row);
    check_table(&f->t, "memberships", &zf_store__membership_row);
    check_table(&f->t, "api_keys", &zf_store__api_key_row);
    check_table(&f->t, "web_sessions", &zf_store__web_session_row);
    check_table(&f->t, "signin_throttle", &zf_store__throttle_row);
    check_table(&f->t, "webhook_events", &zf_store__webhook_event_row);
    check_table(&f->t, "webhook_secrets", &zf_store__webhook_secret_row);
    check_table(&f->t, "workflow_versions", &zf_store__workflow_row);
    check_table(&f->t, "workflow_runs", &zf_store__run_row);
    check_table(&f->t, "workflow_steps", &zf_store__step_row);
    assert_int_equal(zf_store__conn_row.size, sizeof(zf_store_conn));
}

int main(void)
{
    tdb_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_placeholders_expand_in_table_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rows_dialect_override, setup, teardown),
        cmocka_unit_test(test_rows_params_from_table),
        cmocka_unit_test_setup_teardown(test_rows_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_read_tolerates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_failure_names_the_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_domains_match_schema, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
