/* The migration runner on the driver ZF_TEST_DB names (store_test_db.h):
 * processes starting together on an empty database apply each migration
 * once, and a database newer than this build is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_internal.h"
#include "store_test_db.h"
#include "zoomflow/store.h"

#define STARTERS 5

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

/* A child: waits for the start signal (the pipe closing), opens the store
 * (which migrates) and exits 0 when it is at the last version. */
static void starter(const char *dsn, int go)
{
    char c;
    zf_error err = ZF_ERROR_INIT;
    zf_store *st = NULL;
    int v = 0;
    if (read(go, &c, 1) != 0)
        _exit(3);
    int rc = zf_store_open(&st, dsn, &err);
    if (rc == 0)
        rc = zf_store_migrate(st, &v, &err);
    if (rc != 0)
        fprintf(stderr, "starter %d: %s\n", (int)getpid(), err.message);
    zf_store_free(st);
    _exit(rc == 0 && v == zf_store__migrations[zf_store__migrations_count - 1].version ? 0 : 1);
}

/* Five processes released at once on an empty database: every one opens
 * the store, and schema_version holds each migration once (a second
 * application would have failed its CREATE TABLE, and its child with it). */
static void test_migrate_five_processes_at_once(void **state)
{
    tdb *t = *state;
    int go[2];
    pid_t kids[STARTERS];
    assert_int_equal(pipe(go), 0);
    for (int i = 0; i < STARTERS; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            close(go[1]);
            starter(t->dsn, go[0]);
        }
    }
    close(go[0]);
    close(go[1]); /* all of them go */
    int status[STARTERS] = {0};
    for (int i = 0; i < STARTERS; i++) /* all reaped before any assertion */
        assert_int_equal(waitpid(kids[i], &status[i], 0), kids[i]);
    for (int i = 0; i < STARTERS; i++) {
        assert_true(WIFEXITED(status[i]));
        assert_int_equal(WEXITSTATUS(status[i]), 0);
    }
    long n = (long)zf_store__migrations_count;
    assert_int_equal(tdb_long(t, "SELECT COUNT(*) FROM schema_version"), n);
    assert_int_equal(tdb_long(t, "SELECT COUNT(DISTINCT version) FROM schema_version"), n);
    assert_int_equal(tdb_long(t, "SELECT MAX(version) FROM schema_version"),
                     zf_store__migrations[n - 1].version);
    assert_int_equal(tdb_long(t, "SELECT COUNT(*) FROM connections"), 0);
}

/* A schema a newer zoomflow upgraded is refused, saying so, before
 * anything is written; this build's own version still opens. */
static void test_migrate_refuses_newer_schema(void **state)
{
    tdb *t = *state;
    zf_error err = ZF_ERROR_INIT;
    zf_store *st = NULL;
    zf_store_db db = {tdb_driver(), NULL};
    int v = -1;
    assert_int_equal(zf_store_open(&st, t->dsn, &err), 0);
    zf_store_free(st);
    /* a build that knows only the first two migrations */
    assert_int_equal(db.drv->open(&db.h, t->dsn, &err), 0);
    assert_int_equal(zf_store__migrate(&db, zf_store__migrations, 2, &v, &err), ZF_ESTORE);
    assert_non_null(strstr(err.message, "newer than this zoomflow knows (2)"));
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_TOO_NEW);
    db.drv->close(db.h);
    tdb_exec(t, "INSERT INTO schema_version (version, name, applied_at) "
                "VALUES (9999, 'from the future', 0)");
    st = NULL;
    assert_int_equal(zf_store_open(&st, t->dsn, &err), ZF_ESTORE);
    assert_null(st);
    assert_non_null(strstr(err.message, "schema is at version 9999"));
    assert_non_null(strstr(err.message, "a newer zoomflow has upgraded it"));
    assert_int_equal(err.hint_id, ZF_HINT_DATABASE_TOO_NEW);
    assert_int_equal(tdb_long(t, "SELECT COUNT(*) FROM schema_version"),
                     (long)zf_store__migrations_count + 1);
}

int main(void)
{
    tdb_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_five_processes_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_refuses_newer_schema, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
