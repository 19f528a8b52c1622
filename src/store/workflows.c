/*
 * The workflows domain: definition versions, immutable, numbered 1, 2, ...
 * per (org, name). A save runs under the name's row lock, so two replicas
 * saving the same name at once number their versions apart; inside it, a
 * version with the same content hash is the answer (the same definition
 * posted twice is one version), else the next number is inserted. A run
 * names the version it started with (runs.c), which is never rewritten.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "store_internal.h"
#include "zoomflow/buf.h"

#define WTEXT(f) #f, ZF_COL_TEXT, offsetof(zf_store_workflow, f)
#define WINT(f) #f, ZF_COL_INT64, offsetof(zf_store_workflow, f)

static const zf_store_column workflow_columns[] = {
    {WTEXT(org), ZF_COL_KEY, NULL},    {WTEXT(name), ZF_COL_KEY, NULL},
    {WINT(version), ZF_COL_KEY, NULL}, {WTEXT(source), 0, NULL},
    {WTEXT(definition), 0, NULL},      {WTEXT(content_hash), 0, NULL},
    {WINT(created_at), 0, NULL},       {WTEXT(created_by), 0, NULL},
};

const zf_store_row zf_store__workflow_row = ZF_STORE_ROW(zf_store_workflow, workflow_columns);

static const zf_store_query q_by_hash = {
    .what = "reading a workflow version",
    .sql = "SELECT {columns} FROM workflow_versions WHERE org = $1 AND name = $2 "
           "AND content_hash = $3",
    .row = &zf_store__workflow_row,
};
/* The version is the next one, whatever the caller's row says. */
static const zf_store_query q_insert = {
    .what = "saving a workflow version",
    .sql = "INSERT INTO workflow_versions (org, name, version, source, definition, content_hash, "
           "created_at, created_by) SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5, $6, "
           "$7 FROM workflow_versions WHERE org = $1 AND name = $2 RETURNING {columns}",
    .row = &zf_store__workflow_row,
};
static const zf_store_query q_get = {
    .what = "reading a workflow version",
    .sql = "SELECT {columns} FROM workflow_versions WHERE org = $1 AND name = $2 AND version = $3",
    .row = &zf_store__workflow_row,
};
static const zf_store_query q_latest = {
    .what = "reading a workflow",
    .sql = "SELECT {columns} FROM workflow_versions WHERE org = $1 AND name = $2 "
           "AND version > COALESCE((SELECT d.version FROM workflow_deletions d WHERE d.org = $1 "
           "AND d.name = $2), 0) ORDER BY version DESC LIMIT 1",
    .row = &zf_store__workflow_row,
};
static const zf_store_query q_list = {
    .what = "listing workflows",
    .sql = "SELECT {columns} FROM workflow_versions w WHERE org = $1 AND version = "
           "(SELECT MAX(version) FROM workflow_versions v WHERE v.org = w.org AND v.name = w.name) "
           "AND version > COALESCE((SELECT d.version FROM workflow_deletions d WHERE d.org = w.org "
           "AND d.name = w.name), 0) ORDER BY name",
    .sql_postgresql =
        "SELECT {columns} FROM workflow_versions w WHERE org = $1 AND version = "
        "(SELECT MAX(version) FROM workflow_versions v WHERE v.org = w.org AND v.name = w.name) "
        "AND version > COALESCE((SELECT d.version FROM workflow_deletions d WHERE d.org = w.org "
        "AND d.name = w.name), 0) ORDER BY name COLLATE \"C\"",
    .row = &zf_store__workflow_row,
};

/* A deletion hides the name's versions up to the latest one; saving the
 * name again (a new version, or the content of an old one) ends it. */
static const zf_store_query q_delete = {
    .what = "deleting a workflow",
    .sql = "INSERT INTO workflow_deletions (org, name, version, deleted_at, deleted_by) "
           "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org, name) DO UPDATE SET "
           "version = excluded.version, deleted_at = excluded.deleted_at, "
           "deleted_by = excluded.deleted_by",
};
static const zf_store_query q_undelete = {
    .what = "restoring a deleted workflow",
    .sql = "DELETE FROM workflow_deletions WHERE org = $1 AND name = $2",
};

void zf_store_workflow_free(zf_store_workflow *w)
{
    zf_store__release(&zf_store__workflow_row, w);
}

void zf_store_workflow_free_list(zf_store_workflow *list, size_t n)
{
    zf_store__release_list(&zf_store__workflow_row, list, n);
}

/* The row lock's key: org and name, which hold no newline. */
static int lock_name(zf_store *st, const char *org, const char *name, zf_error *err)
{
    zf_buf key = ZF_BUF_INIT(1024);
    zf_buf_appendf(&key, "%s\n%s", org, name);
    if (key.failed || !key.ptr) {
        zf_buf_free(&key);
        return zf_error_set(err, ZF_EINVAL, "workflow name too long");
    }
    int rc = zf_store__lock(st, "workflow_versions", key.ptr, err);
    zf_buf_free(&key);
    return rc;
}

int zf_store_workflow_save(zf_store *st, const zf_store_workflow *w, zf_store_workflow *out,
                           int *created, zf_error *err)
{
    *created = 0;
    if (!w || !w->org || !w->name || !w->source || !w->definition || !w->content_hash)
        return zf_error_set(err, ZF_EINVAL, "zf_store_workflow_save: missing a field");
    int rc = lock_name(st, w->org, w->name, err);
    if (rc < 0)
        return rc;
    const zf_store_db *db = zf_store__enter(st);
    zf_store_value k[] = {zf_store__text(w->org), zf_store__text(w->name),
                          zf_store__text(w->content_hash)};
    rc = zf_store__get(db, &q_by_hash, k, 3, out, err);
    if (rc >= 0) {
        zf_store_value d[] = {zf_store__text(w->org), zf_store__text(w->name)};
        int urc = zf_store__run(db, &q_undelete, d, 2, err);
        if (urc < 0) {
            if (rc == 1)
                zf_store_workflow_free(out);
            rc = urc;
        }
    }
    if (rc == 0) {
        zf_store_value v[] = {zf_store__text(w->org),          zf_store__text(w->name),
                              zf_store__text(w->source),       zf_store__text(w->definition),
                              zf_store__text(w->content_hash), zf_store__int64(w->created_at),
                              zf_store__text(w->created_by)};
        if ((rc = zf_store__get(db, &q_insert, v, 7, out, err)) == 1)
            *created = 1;
    }
    zf_store__leave(st);
    if (rc < 0) {
        zf_store_rollback(st);
        return rc;
    }
    if ((rc = zf_store_commit(st, err)) < 0) {
        zf_store_workflow_free(out);
        *created = 0;
    }
    return rc;
}

int zf_store_workflow_get(zf_store *st, const char *org, const char *name, int64_t version,
                          zf_store_workflow *out, zf_error *err)
{
    zf_store_value k[] = {zf_store__text(org), zf_store__text(name), zf_store__int64(version)};
    int rc = zf_store__get(zf_store__enter(st), version ? &q_get : &q_latest, k, version ? 3 : 2,
                           out, err);
    zf_store__leave(st);
    if (rc == 0) {
        if (version)
            zf_error_set(err, ZF_ENOTFOUND, "workflow \"%s\" has no version %lld", name,
                         (long long)version);
        else
            zf_error_set(err, ZF_ENOTFOUND, "no workflow \"%s\"", name);
        zf_error_hint_id(err, ZF_HINT_LIST_WORKFLOWS, NULL);
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, name);
        return ZF_ENOTFOUND;
    }
    return rc < 0 ? rc : 0;
}

int zf_store_workflow_list(zf_store *st, const char *org, zf_store_workflow **out, size_t *n,
                           zf_error *err)
{
    void *list = NULL;
    zf_store_value k = zf_store__text(org);
    int rc = zf_store__get_all(zf_store__enter(st), &q_list, &k, 1, &list, n, err);
    zf_store__leave(st);
    *out = list;
    return rc;
}

int zf_store_workflow_delete(zf_store *st, const char *org, const char *name, int64_t at,
                             const char *by, zf_store_workflow *out, zf_error *err)
{
    if (!org || !name)
        return zf_error_set(err, ZF_EINVAL, "zf_store_workflow_delete: missing a field");
    int rc = lock_name(st, org, name, err);
    if (rc < 0)
        return rc;
    const zf_store_db *db = zf_store__enter(st);
    zf_store_value k[] = {zf_store__text(org), zf_store__text(name)};
    rc = zf_store__get(db, &q_latest, k, 2, out, err);
    if (rc == 1) {
        zf_store_value v[] = {zf_store__text(org), zf_store__text(name),
                              zf_store__int64(out->version), zf_store__int64(at),
                              zf_store__text(by)};
        int drc = zf_store__run(db, &q_delete, v, 5, err);
        if (drc < 0) {
            zf_store_workflow_free(out);
            rc = drc;
        }
    }
    zf_store__leave(st);
    if (rc <= 0) {
        zf_store_rollback(st);
        if (rc == 0) {
            zf_error_set(err, ZF_ENOTFOUND, "no workflow \"%s\"", name);
            zf_error_hint_id(err, ZF_HINT_LIST_WORKFLOWS, NULL);
            zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, name);
            return ZF_ENOTFOUND;
        }
        return rc;
    }
    if ((rc = zf_store_commit(st, err)) < 0)
        zf_store_workflow_free(out);
    return rc;
}
