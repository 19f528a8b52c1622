/*
 * The runs domain: workflow runs and their steps, claimed by owners
 * (runner processes, replicas) under leases. docs/runs.md gives the state
 * machine and the exactly-once argument; store.h the calls.
 *
 * How the promises are kept, statement by statement:
 *   - one run per trigger: the unique index on (org, trigger_kind,
 *     trigger_id, workflow); a create is INSERT ... ON CONFLICT DO NOTHING
 *     RETURNING, and the create that gets no row reads the one that won.
 *   - one owner per lease: a claim is one UPDATE over the runs it picks
 *     (PostgreSQL: picked FOR UPDATE SKIP LOCKED in a materialised CTE, so
 *     each is locked, re-checked against its latest version and skipped
 *     when another claimer holds it; SQLite: the one writer), bumping
 *     lease_seq; a run is only picked while queued or with its lease past.
 *   - a lost lease writes nothing: every write to a running run is an
 *     UPDATE of the run row guarded by (owner, seq, state, expiry > now),
 *     and a step's write runs in the same transaction after that guard,
 *     which holds the run row (its row lock; SQLite's write lock) until
 *     commit, so a claim cannot take the run over between the check and
 *     the write.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static const char *const trigger_names[] = {"event", "zoom", "schedule", "manual", "api", NULL};
static const char *const run_states[] = {"queued", "running", "done", "failed", "cancelled", NULL};
static const char *const step_states[] = {"pending", "sent", "done", "failed", "skipped", NULL};

static const char *name_of(const char *const *names, int v)
{
    for (int i = 0; names[i]; i++)
        if (i == v)
            return names[i];
    return NULL;
}

static int parse_name(const char *const *names, const char *s)
{
    for (int i = 0; s && names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

const char *zf_trigger_kind_name(int kind)
{
    return name_of(trigger_names, kind);
}

const char *zf_run_state_name(int state)
{
    return name_of(run_states, state);
}

const char *zf_step_state_name(int state)
{
    return name_of(step_states, state);
}

int zf_trigger_kind_parse(const char *name)
{
    return parse_name(trigger_names, name);
}

int zf_run_state_parse(const char *name)
{
    return parse_name(run_states, name);
}

int zf_step_state_parse(const char *name)
{
    return parse_name(step_states, name);
}

/* --- the rows */

#define RTEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_run, f), 0, NULL
#define RINT(f) #f, ZF_COL_INT64, offsetof(zf_store_run, f), 0, NULL

static const zf_store_column run_columns[] = {
    {"id", ZF_COL_INT64, offsetof(zf_store_run, id), ZF_COL_AUTO, NULL},
    {RTEXT(org)},
    {RTEXT(workflow)},
    {RINT(version)},
    {"trigger_kind", ZF_COL_ENUM, offsetof(zf_store_run, trigger_kind), 0, trigger_names},
    {RTEXT(trigger_id)},
    {RTEXT(input)},
    {"state", ZF_COL_ENUM, offsetof(zf_store_run, state), 0, run_states},
    {RTEXT(lease_owner)},
    {RINT(lease_seq)},
    {RINT(lease_expires_at)},
    {RINT(attempts)},
    {RINT(run_after)},
    {RINT(created_at)},
    {RINT(updated_at)},
    {RINT(finished_at)},
    {RTEXT(error)},
};

const zf_store_row zf_store__run_row = ZF_STORE_ROW(zf_store_run, run_columns);

#define STEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_step, f), 0, NULL
#define SINT(f) #f, ZF_COL_INT64, offsetof(zf_store_step, f), 0, NULL

static const zf_store_column step_columns[] = {
    {"run_id", ZF_COL_INT64, offsetof(zf_store_step, run_id), ZF_COL_KEY, NULL},
    {"step_id", ZF_COL_TEXT, offsetof(zf_store_step, step_id), ZF_COL_KEY, NULL},
    {"item", ZF_COL_INT64, offsetof(zf_store_step, item), ZF_COL_KEY, NULL},
    {SINT(step_index)},
    {"state", ZF_COL_ENUM, offsetof(zf_store_step, state), 0, step_states},
    {STEXT(input)},
    {STEXT(output)},
    {STEXT(error)},
    {SINT(attempts)},
    {SINT(sent_at)},
    {SINT(done_at)},
    {SINT(updated_at)},
};

const zf_store_row zf_store__step_row = ZF_STORE_ROW(zf_store_step, step_columns);

/* RETURNING the run's id only: the lease check. */
typedef struct id_row {
    int64_t id;
} id_row;

static const zf_store_column id_columns[] = {{"id", ZF_COL_INT64, offsetof(id_row, id), 0, NULL}};
static const zf_store_row id_row_type = ZF_STORE_ROW(id_row, id_columns);

/* --- the queries */

static const zf_store_query q_create = {
    .what = "creating a workflow run",
    .sql = "INSERT INTO workflow_runs {insert} "
           "ON CONFLICT (org, trigger_kind, trigger_id, workflow) DO NOTHING RETURNING {columns}",
    .row = &zf_store__run_row,
};
static const zf_store_query q_by_trigger = {
    .what = "reading a workflow run",
    .sql = "SELECT {columns} FROM workflow_runs WHERE org = $1 AND trigger_kind = $2 "
           "AND trigger_id = $3 AND workflow = $4",
    .row = &zf_store__run_row,
};
/* The runs a claim may take: $2 now. */
#define CLAIMABLE                                                                                  \
    "(state = 'queued' AND run_after <= $2) OR (state = 'running' AND lease_expires_at <= $2)"
#define CLAIM_SET                                                                                  \
    "SET state = 'running', lease_owner = $1, lease_seq = lease_seq + 1, "                         \
    "lease_expires_at = $2 + $3, updated_at = $2 "
static const zf_store_query q_claim = {
    .what = "claiming workflow runs",
    .sql = "UPDATE workflow_runs " CLAIM_SET
           "WHERE id IN (SELECT id FROM workflow_runs WHERE " CLAIMABLE
           " ORDER BY id LIMIT $4) RETURNING {columns}",
    .sql_postgresql =
        "WITH c AS MATERIALIZED (SELECT id AS claim_id FROM workflow_runs WHERE " CLAIMABLE
        " ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) "
        "UPDATE workflow_runs " CLAIM_SET "FROM c WHERE id = c.claim_id "
        "RETURNING {columns}",
    .row = &zf_store__run_row,
};
/* The lease guard: $1 run, $2 owner, $3 seq, $4 now. */
#define HELD                                                                                       \
    "WHERE id = $1 AND lease_owner = $2 AND lease_seq = $3 AND state = 'running' "                 \
    "AND lease_expires_at > $4 "
static const zf_store_query q_renew = {
    .what = "renewing a run's lease",
    .sql = "UPDATE workflow_runs SET lease_expires_at = $4 + $5, updated_at = $4 " HELD
           "RETURNING {columns}",
    .row = &zf_store__run_row,
};
static const zf_store_query q_release = {
    .what = "releasing a workflow run",
    .sql = "UPDATE workflow_runs SET state = 'queued', lease_expires_at = 0, run_after = $5, "
           "updated_at = $4 " HELD "RETURNING {columns}",
    .row = &zf_store__run_row,
};
static const zf_store_query q_finish = {
    .what = "finishing a workflow run",
    .sql = "UPDATE workflow_runs SET state = $5, error = $6, finished_at = $4, updated_at = $4, "
           "lease_expires_at = 0 " HELD "RETURNING {columns}",
    .row = &zf_store__run_row,
};
/* The guard of a step's write, taking the run row: $5 a second state the
 * run may be in ('running' again, or 'cancelled' for an outcome). */
static const zf_store_query q_hold = {
    .what = "checking a run's lease",
    .sql = "UPDATE workflow_runs SET updated_at = $4 WHERE id = $1 AND lease_owner = $2 "
           "AND lease_seq = $3 AND state IN ('running', $5) AND lease_expires_at > $4 "
           "RETURNING id",
    .row = &id_row_type,
};
static const zf_store_query q_cancel = {
    .what = "cancelling a workflow run",
    .sql = "UPDATE workflow_runs SET state = 'cancelled', finished_at = $3, updated_at = $3 "
           "WHERE org = $1 AND id = $2 AND state IN ('queued', 'running', 'failed') "
           "RETURNING {columns}",
    .row = &zf_store__run_row,
};
static const zf_store_query q_retry = {
    .what = "retrying a workflow run",
    .sql = "UPDATE workflow_runs SET state = 'queued', attempts = attempts + 1, error = NULL, "
           "finished_at = 0, lease_expires_at = 0, run_after = $3, updated_at = $3 "
           "WHERE org = $1 AND id = $2 AND state = 'failed' RETURNING {columns}",
    .row = &zf_store__run_row,
};
static const zf_store_query q_retry_steps = {
    .what = "retrying a run's failed steps",
    .sql = "UPDATE workflow_steps SET state = 'pending', error = NULL, done_at = 0, "
           "updated_at = $2 WHERE run_id = $1 AND state = 'failed'",
};
/* $1 NULL = any org. */
static const zf_store_query q_get = {
    .what = "reading a workflow run",
    .sql = "SELECT {columns} FROM workflow_runs WHERE id = $2 AND "
           "(CAST($1 AS TEXT) IS NULL OR org = $1)",
    .row = &zf_store__run_row,
};
static const zf_store_query q_list = {
    .what = "listing workflow runs",
    .sql = "SELECT {columns} FROM workflow_runs WHERE org = $1 "
           "AND (CAST($2 AS TEXT) IS NULL OR workflow = $2) "
           "AND (CAST($3 AS TEXT) IS NULL OR state = $3) "
           "AND (CAST($4 AS TEXT) IS NULL OR trigger_kind = $4) "
           "AND (CAST($5 AS TEXT) IS NULL OR trigger_id = $5) "
           "AND ($6 = 0 OR id < $6) ORDER BY id DESC LIMIT $7",
    .row = &zf_store__run_row,
};

static const zf_store_query q_step_add = {
    .what = "adding a run's steps",
    .sql = "INSERT INTO workflow_steps {insert} ON CONFLICT (run_id, step_id, item) DO NOTHING",
    .row = &zf_store__step_row,
};
static const zf_store_query q_step_get = {
    .what = "reading a run's step",
    .sql = "SELECT {columns} FROM workflow_steps WHERE run_id = $1 AND step_id = $2 AND item = $3",
    .row = &zf_store__step_row,
};
static const zf_store_query q_step_list = {
    .what = "reading a run's steps",
    .sql = "SELECT {columns} FROM workflow_steps WHERE run_id = $1 ORDER BY step_index, item",
    .row = &zf_store__step_row,
};

/* The step moves: $1 run, $2 step, $3 item, then $4 the JSON recorded
 * and $5 now, or (no JSON) $4 now. */
#define STEP_KEY "WHERE run_id = $1 AND step_id = $2 AND item = $3 "
static const zf_store_query q_step_send = {
    .what = "marking a step sent",
    .sql = "UPDATE workflow_steps SET state = 'sent', input = $4, attempts = attempts + 1, "
           "sent_at = $5, updated_at = $5 " STEP_KEY "AND state = 'pending' RETURNING {columns}",
    .row = &zf_store__step_row,
};
static const zf_store_query q_step_done = {
    .what = "marking a step done",
    .sql = "UPDATE workflow_steps SET state = 'done', output = $4, done_at = $5, updated_at = "
           "$5 " STEP_KEY "AND state = 'sent' RETURNING {columns}",
    .row = &zf_store__step_row,
};
static const zf_store_query q_step_fail = {
    .what = "marking a step failed",
    .sql = "UPDATE workflow_steps SET state = 'failed', error = $4, done_at = $5, updated_at = "
           "$5 " STEP_KEY "AND state IN ('pending', 'sent') RETURNING {columns}",
    .row = &zf_store__step_row,
};
static const zf_store_query q_step_skip = {
    .what = "marking a step skipped",
    .sql = "UPDATE workflow_steps SET state = 'skipped', done_at = $4, updated_at = $4 " STEP_KEY
           "AND state = 'pending' RETURNING {columns}",
    .row = &zf_store__step_row,
};
static const zf_store_query q_step_reset = {
    .what = "marking a step pending again",
    .sql = "UPDATE workflow_steps SET state = 'pending', error = NULL, done_at = 0, "
           "updated_at = $4 " STEP_KEY "AND state IN ('sent', 'failed') RETURNING {columns}",
    .row = &zf_store__step_row,
};

/* --- frees */

void zf_store_run_free(zf_store_run *r)
{
    zf_store__release(&zf_store__run_row, r);
}

void zf_store_run_free_list(zf_store_run *list, size_t n)
{
    zf_store__release_list(&zf_store__run_row, list, n);
}

void zf_store_step_free(zf_store_step *s)
{
    zf_store__release(&zf_store__step_row, s);
}

void zf_store_step_free_list(zf_store_step *list, size_t n)
{
    zf_store__release_list(&zf_store__step_row, list, n);
}

zf_store_lease zf_store_run_lease(const zf_store_run *r)
{
    zf_store_lease l = {r->id, r->lease_owner, r->lease_seq};
    return l;
}

/* --- errors */

static int lease_lost(const zf_store_lease *l, zf_error *err)
{
    zf_error_set(err, ZF_EBUSY,
                 "run %lld is not held by \"%s\" under claim %lld any more: its lease expired, "
                 "another owner took it over, or it was cancelled or finished",
                 (long long)l->run_id, l->owner ? l->owner : "", (long long)l->seq);
    zf_error_hint_id(err, ZF_HINT_RUN_LEASE_LOST, NULL);
    return ZF_EBUSY;
}

static int no_run(int64_t id, zf_error *err)
{
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)id);
    zf_error_set(err, ZF_ENOTFOUND, "no run %lld", (long long)id);
    zf_error_hint_id(err, ZF_HINT_LIST_RUNS, NULL);
    zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, v);
    return ZF_ENOTFOUND;
}

static int bad_lease(const zf_store_lease *l, zf_error *err)
{
    if (!l || !l->owner || !*l->owner)
        return zf_error_set(err, ZF_EINVAL, "a run's lease needs its owner");
    return 0;
}

/* --- runs */

int zf_store_run_create(zf_store *st, const zf_store_run *r, int64_t now, zf_store_run *out,
                        int *created, zf_error *err)
{
    *created = 0;
    if (!r || !r->org || !r->workflow || !r->input || !zf_trigger_kind_name(r->trigger_kind) ||
        r->version < 1)
        return zf_error_set(err, ZF_EINVAL, "zf_store_run_create: missing or invalid field");
    zf_store_run row = *r;
    row.state = ZF_RUN_QUEUED;
    row.lease_owner = NULL;
    row.lease_seq = row.lease_expires_at = row.finished_at = 0;
    row.attempts = 1;
    row.created_at = row.updated_at = now;
    row.error = NULL;
    const zf_store_db *db = zf_store__enter(st);
    zf_store_value v[ZF_STORE_PARAMS_MAX];
    size_t n = zf_store__params(&zf_store__run_row, &row, v);
    int rc = zf_store__get(db, &q_create, v, n, out, err);
    if (rc == 1) {
        *created = 1;
    } else if (rc == 0) {
        /* the trigger's run exists (a NULL trigger id never conflicts) */
        zf_store_value k[] = {zf_store__text(r->org),
                              zf_store__text(zf_trigger_kind_name(r->trigger_kind)),
                              zf_store__text(r->trigger_id), zf_store__text(r->workflow)};
        if ((rc = zf_store__get(db, &q_by_trigger, k, 4, out, err)) == 0)
            rc = zf_error_set(err, ZF_ECONFLICT, "the run of trigger \"%s\" vanished",
                              r->trigger_id ? r->trigger_id : "");
    }
    zf_store__leave(st);
    return rc < 0 ? rc : 0;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const zf_store_run *)a)->id, y = ((const zf_store_run *)b)->id;
    return x < y ? -1 : x > y;
}

int zf_store_run_claim(zf_store *st, const char *owner, int64_t now, int64_t ttl, size_t max,
                       zf_store_run **out, size_t *n, zf_error *err)
{
    *out = NULL;
    *n = 0;
    if (!owner || !*owner || ttl <= 0)
        return zf_error_set(err, ZF_EINVAL, "a claim needs an owner and a lease time");
    if (max == 0)
        return 0;
    void *list = NULL;
    zf_store_value v[] = {zf_store__text(owner), zf_store__int64(now), zf_store__int64(ttl),
                          zf_store__int64(max > 10000 ? 10000 : (int64_t)max)};
    int rc = zf_store__get_all(zf_store__enter(st), &q_claim, v, 4, &list, n, err);
    zf_store__leave(st);
    if (rc < 0)
        return rc;
    if (*n > 1)
        qsort(list, *n, sizeof(zf_store_run), by_id); /* RETURNING's order is the engine's */
    *out = list;
    return 0;
}

static const zf_store_query q_claim_id = {
    .what = "claiming a workflow run",
    .sql =
        "UPDATE workflow_runs " CLAIM_SET "WHERE id = $4 AND (" CLAIMABLE ") RETURNING {columns}",
    .row = &zf_store__run_row,
};

int zf_store_run_claim_id(zf_store *st, int64_t id, const char *owner, int64_t now, int64_t ttl,
                          zf_store_run *out, zf_error *err)
{
    memset(out, 0, sizeof *out);
    if (!owner || !*owner || ttl <= 0)
        return zf_error_set(err, ZF_EINVAL, "a claim needs an owner and a lease time");
    zf_store_value v[] = {zf_store__text(owner), zf_store__int64(now), zf_store__int64(ttl),
                          zf_store__int64(id)};
    int rc = zf_store__get(zf_store__enter(st), &q_claim_id, v, 4, out, err);
    zf_store__leave(st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        zf_store_run cur;
        rc = zf_store_run_get(st, NULL, id, &cur, err);
        if (rc < 0)
            return rc;
        zf_error_set(err, ZF_EBUSY, "run %lld is %s%s: it cannot be claimed now", (long long)id,
                     zf_run_state_name(cur.state),
                     cur.state == ZF_RUN_RUNNING ? " under another worker's lease" : "");
        if (cur.state == ZF_RUN_RUNNING || cur.state == ZF_RUN_QUEUED) {
            char idv[24];
            snprintf(idv, sizeof idv, "%lld", (long long)id);
            zf_error_hint_id(err, ZF_HINT_RUN_HELD, NULL);
            zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, idv);
        }
        *out = cur;
        return ZF_EBUSY;
    }
    return 0;
}

/* Runs one lease-guarded UPDATE of the run row (params begin with the
 * guard's four). */
static int held_update(zf_store *st, const zf_store_query *q, const zf_store_lease *l,
                       const zf_store_value *v, size_t n, zf_error *err)
{
    int rc = bad_lease(l, err);
    if (rc < 0)
        return rc;
    zf_store_run got;
    rc = zf_store__get(zf_store__enter(st), q, v, n, &got, err);
    zf_store__leave(st);
    if (rc == 1)
        zf_store_run_free(&got);
    if (rc == 0)
        return lease_lost(l, err);
    return rc < 0 ? rc : 0;
}

#define GUARD(l, now)                                                                              \
    zf_store__int64((l)->run_id), zf_store__text((l)->owner), zf_store__int64((l)->seq),           \
        zf_store__int64(now)

int zf_store_run_renew(zf_store *st, const zf_store_lease *l, int64_t now, int64_t ttl,
                       zf_error *err)
{
    if (ttl <= 0)
        return zf_error_set(err, ZF_EINVAL, "a lease time must be positive");
    zf_store_value v[] = {GUARD(l, now), zf_store__int64(ttl)};
    return held_update(st, &q_renew, l, v, 5, err);
}

int zf_store_run_release(zf_store *st, const zf_store_lease *l, int64_t now, int64_t run_after,
                         zf_error *err)
{
    zf_store_value v[] = {GUARD(l, now), zf_store__int64(run_after)};
    return held_update(st, &q_release, l, v, 5, err);
}

int zf_store_run_finish(zf_store *st, const zf_store_lease *l, int state, const char *error,
                        int64_t now, zf_error *err)
{
    if (state != ZF_RUN_DONE && state != ZF_RUN_FAILED)
        return zf_error_set(err, ZF_EINVAL, "a run finishes done or failed");
    zf_store_value v[] = {GUARD(l, now), zf_store__text(zf_run_state_name(state)),
                          zf_store__text(error)};
    return held_update(st, &q_finish, l, v, 6, err);
}

/* An org's run that a guarded change did not match: ZF_ENOTFOUND when
 * absent, else ZF_ECONFLICT saying its state (*out gets it). */
static int not_changed(zf_store *st, const char *org, int64_t id, const char *what, int hint,
                       zf_store_run *out, zf_error *err)
{
    zf_store_run cur;
    int rc = zf_store_run_get(st, org, id, &cur, err);
    if (rc < 0)
        return rc;
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)id);
    zf_error_set(err, ZF_ECONFLICT, "run %lld is %s: it cannot be %s", (long long)id,
                 zf_run_state_name(cur.state), what);
    zf_error_hint_id(err, hint, NULL);
    zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, v);
    if (out)
        *out = cur;
    else
        zf_store_run_free(&cur);
    return ZF_ECONFLICT;
}

/* *out when given, else freed. */
static void give(zf_store_run *got, zf_store_run *out)
{
    if (out)
        *out = *got;
    else
        zf_store_run_free(got);
}

int zf_store_run_cancel(zf_store *st, const char *org, int64_t id, int64_t now, zf_store_run *out,
                        zf_error *err)
{
    if (!org)
        return zf_error_set(err, ZF_EINVAL, "cancelling a run needs its org");
    zf_store_run got;
    zf_store_value v[] = {zf_store__text(org), zf_store__int64(id), zf_store__int64(now)};
    int rc = zf_store__get(zf_store__enter(st), &q_cancel, v, 3, &got, err);
    zf_store__leave(st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return not_changed(st, org, id, "cancelled", ZF_HINT_RUN_FINISHED, out, err);
    give(&got, out);
    return 0;
}

int zf_store_run_retry(zf_store *st, const char *org, int64_t id, int64_t now, zf_store_run *out,
                       zf_error *err)
{
    if (!org)
        return zf_error_set(err, ZF_EINVAL, "retrying a run needs its org");
    int rc = zf_store__lock(st, NULL, NULL, err);
    if (rc < 0)
        return rc;
    const zf_store_db *db = zf_store__enter(st);
    zf_store_run got;
    zf_store_value v[] = {zf_store__text(org), zf_store__int64(id), zf_store__int64(now)};
    zf_store_value s[] = {zf_store__int64(id), zf_store__int64(now)};
    rc = zf_store__get(db, &q_retry, v, 3, &got, err);
    if (rc == 1) {
        int src = zf_store__run(db, &q_retry_steps, s, 2, err);
        if (src < 0) {
            zf_store_run_free(&got);
            rc = src;
        }
    }
    zf_store__leave(st);
    if (rc <= 0) {
        zf_store_rollback(st);
        return rc < 0 ? rc : not_changed(st, org, id, "retried", ZF_HINT_RUN_NOT_FAILED, out, err);
    }
    if ((rc = zf_store_commit(st, err)) < 0) {
        zf_store_run_free(&got);
        return rc;
    }
    give(&got, out);
    return 0;
}

int zf_store_run_get(zf_store *st, const char *org, int64_t id, zf_store_run *out, zf_error *err)
{
    zf_store_value v[] = {zf_store__text(org), zf_store__int64(id)};
    int rc = zf_store__get(zf_store__enter(st), &q_get, v, 2, out, err);
    zf_store__leave(st);
    if (rc == 0)
        return no_run(id, err);
    return rc < 0 ? rc : 0;
}

#define LIST_DEFAULT 50
#define LIST_MAX 1000

int zf_store_run_list(zf_store *st, const zf_store_run_filter *f, zf_store_run **out, size_t *n,
                      int64_t *next, zf_error *err)
{
    *out = NULL;
    *n = 0;
    *next = 0;
    if (!f || !f->org)
        return zf_error_set(err, ZF_EINVAL, "listing runs needs the org");
    size_t limit = f->limit == 0 ? LIST_DEFAULT : f->limit > LIST_MAX ? LIST_MAX : f->limit;
    void *list = NULL;
    size_t got = 0;
    const char *kind = f->trigger_kind >= 0 ? zf_trigger_kind_name(f->trigger_kind) : NULL;
    const char *state = f->state >= 0 ? zf_run_state_name(f->state) : NULL;
    if ((f->trigger_kind >= 0 && !kind) || (f->state >= 0 && !state))
        return zf_error_set(err, ZF_EINVAL, "listing runs: unknown state or trigger kind");
    /* one more than a page, to know whether another follows */
    zf_store_value v[] = {zf_store__text(f->org),
                          zf_store__text(f->workflow),
                          zf_store__text(state),
                          zf_store__text(kind),
                          zf_store__text(f->trigger_id),
                          zf_store__int64(f->before),
                          zf_store__int64((int64_t)limit + 1)};
    int rc = zf_store__get_all(zf_store__enter(st), &q_list, v, 7, &list, &got, err);
    zf_store__leave(st);
    if (rc < 0)
        return rc;
    zf_store_run *runs = list;
    if (got > limit) {
        zf_store_run_free(&runs[limit]);
        got = limit;
        *next = runs[limit - 1].id;
    }
    *out = runs;
    *n = got;
    return 0;
}

/* --- steps */

/* Opens the transaction of a step's write and checks the lease in it,
 * taking the run row: 0 with the transaction open, or < 0 (closed).
 * outcome: a request's outcome, which a cancelled run still records. */
static int hold(zf_store *st, const zf_store_lease *l, int64_t now, int outcome, zf_error *err)
{
    int rc = bad_lease(l, err);
    if (rc < 0 || (rc = zf_store__lock(st, NULL, NULL, err)) < 0)
        return rc;
    id_row got;
    zf_store_value v[] = {GUARD(l, now), zf_store__text(outcome ? "cancelled" : "running")};
    rc = zf_store__get(zf_store__enter(st), &q_hold, v, 5, &got, err);
    zf_store__leave(st);
    if (rc == 1)
        return 0;
    zf_store_rollback(st);
    return rc < 0 ? rc : lease_lost(l, err);
}

int zf_store_step_add(zf_store *st, const zf_store_lease *l, const zf_store_step *steps, size_t n,
                      int64_t now, zf_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!steps[i].step_id)
            return zf_error_set(err, ZF_EINVAL, "zf_store_step_add: a step without its id");
    int rc = hold(st, l, now, 0, err);
    if (rc < 0)
        return rc;
    const zf_store_db *db = zf_store__enter(st);
    for (size_t i = 0; i < n && rc == 0; i++) {
        zf_store_step row = {.run_id = l->run_id,
                             .step_id = steps[i].step_id,
                             .item = steps[i].item,
                             .step_index = steps[i].step_index,
                             .state = ZF_STEP_PENDING,
                             .updated_at = now};
        zf_store_value v[ZF_STORE_PARAMS_MAX];
        size_t k = zf_store__params(&zf_store__step_row, &row, v);
        rc = zf_store__run(db, &q_step_add, v, k, err);
    }
    zf_store__leave(st);
    if (rc < 0) {
        zf_store_rollback(st);
        return rc;
    }
    return zf_store_commit(st, err);
}

/* The step a move did not match: ZF_ENOTFOUND, or ZF_ECONFLICT with its
 * state (and *out the step). */
static int step_not_moved(const zf_store_db *db, const zf_store_lease *l, const char *step_id,
                          int64_t item, const char *what, zf_store_step *out, zf_error *err)
{
    zf_store_step cur;
    zf_store_value k[] = {zf_store__int64(l->run_id), zf_store__text(step_id),
                          zf_store__int64(item)};
    int rc = zf_store__get(db, &q_step_get, k, 3, &cur, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zf_error_set(err, ZF_ENOTFOUND, "run %lld has no step \"%s\" (item %lld)",
                            (long long)l->run_id, step_id, (long long)item);
    zf_error_set(err, ZF_ECONFLICT, "step \"%s\" (item %lld) of run %lld is %s: it cannot be %s",
                 step_id, (long long)item, (long long)l->run_id, zf_step_state_name(cur.state),
                 what);
    if (out)
        *out = cur;
    else
        zf_store_step_free(&cur);
    return ZF_ECONFLICT;
}

typedef struct step_move {
    const zf_store_query *q;
    const char *what;
    int with_json; /* binds the JSON recorded as $4 */
    int outcome;   /* records a request's outcome (allowed on a cancelled run) */
} step_move;

static const step_move mv_send = {&q_step_send, "sent", 1, 0};
static const step_move mv_done = {&q_step_done, "done", 1, 1};
static const step_move mv_fail = {&q_step_fail, "failed", 1, 1};
static const step_move mv_skip = {&q_step_skip, "skipped", 0, 0};
static const step_move mv_reset = {&q_step_reset, "pending again", 0, 0};

static int move(zf_store *st, const step_move *m, const zf_store_lease *l, const char *step_id,
                int64_t item, const char *json, int64_t now, zf_store_step *out, zf_error *err)
{
    /* *out is always the caller's to free, whatever the outcome (a lost
     * connection included): empty unless the move or its refusal fills it */
    if (out)
        memset(out, 0, sizeof *out);
    if (!step_id)
        return zf_error_set(err, ZF_EINVAL, "a step move needs the step's id");
    int rc = hold(st, l, now, m->outcome, err);
    if (rc < 0)
        return rc;
    const zf_store_db *db = zf_store__enter(st);
    zf_store_step got;
    zf_store_value v[] = {
        zf_store__int64(l->run_id), zf_store__text(step_id), zf_store__int64(item),
        m->with_json ? zf_store__text(json) : zf_store__int64(now), zf_store__int64(now)};
    rc = zf_store__get(db, m->q, v, m->with_json ? 5 : 4, &got, err);
    if (rc == 0)
        rc = step_not_moved(db, l, step_id, item, m->what, out, err);
    zf_store__leave(st);
    if (rc < 0) {
        zf_store_rollback(st);
        return rc;
    }
    if ((rc = zf_store_commit(st, err)) < 0) {
        zf_store_step_free(&got);
        return rc;
    }
    if (out)
        *out = got;
    else
        zf_store_step_free(&got);
    return 0;
}

int zf_store_step_send(zf_store *st, const zf_store_lease *l, const char *step_id, int64_t item,
                       const char *input, int64_t now, zf_store_step *out, zf_error *err)
{
    return move(st, &mv_send, l, step_id, item, input, now, out, err);
}

int zf_store_step_done(zf_store *st, const zf_store_lease *l, const char *step_id, int64_t item,
                       const char *output, int64_t now, zf_store_step *out, zf_error *err)
{
    return move(st, &mv_done, l, step_id, item, output, now, out, err);
}

int zf_store_step_fail(zf_store *st, const zf_store_lease *l, const char *step_id, int64_t item,
                       const char *error, int64_t now, zf_store_step *out, zf_error *err)
{
    return move(st, &mv_fail, l, step_id, item, error, now, out, err);
}

int zf_store_step_skip(zf_store *st, const zf_store_lease *l, const char *step_id, int64_t item,
                       int64_t now, zf_store_step *out, zf_error *err)
{
    return move(st, &mv_skip, l, step_id, item, NULL, now, out, err);
}

int zf_store_step_reset(zf_store *st, const zf_store_lease *l, const char *step_id, int64_t item,
                        int64_t now, zf_store_step *out, zf_error *err)
{
    return move(st, &mv_reset, l, step_id, item, NULL, now, out, err);
}

int zf_store_step_list(zf_store *st, int64_t run_id, zf_store_step **out, size_t *n, zf_error *err)
{
    void *list = NULL;
    zf_store_value k = zf_store__int64(run_id);
    int rc = zf_store__get_all(zf_store__enter(st), &q_step_list, &k, 1, &list, n, err);
    zf_store__leave(st);
    *out = list;
    return rc;
}
