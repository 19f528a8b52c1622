/*
 * Small helpers the core's own handlers share (the routes of svccore):
 * body members with problems, ids from the path, the org's lists.
 */
#ifndef ZOOMFLOW_SERVER_ROUTES_COMMON_H
#define ZOOMFLOW_SERVER_ROUTES_COMMON_H
#include "../server.h"

#include "zoomflow/access.h"

/* Collects problems for a JSON object body. */
typedef struct srv_body {
    srv_req *req;
    json_t *problems;
} srv_body;

/* 0 with b ready, or a 422 answered (not an object). */
int srv_body_begin(srv_body *b, srv_req *req, srv_resp *resp, const char *const *allowed);
/* Members: *out NULL / unchanged when absent; a wrong type adds a problem. */
void srv_body_str(srv_body *b, const char *field, int required, const char **out);
void srv_body_int(srv_body *b, const char *field, int64_t *out, int *present);
void srv_body_bool(srv_body *b, const char *field, int *out, int *present);
/* A role name member: *out 0 when absent; a bad name adds a problem. */
void srv_body_role(srv_body *b, const char *field, int *out);
/* A problem with one member of the body (a rule the helpers above do not
 * check: a combination, a range). */
void srv_body_problem(srv_body *b, const char *field, const char *message);
/* 0 when no problem, else the 422 answered (and 1 returned). */
int srv_body_end(srv_body *b, srv_resp *resp, const char *what);
/* srv_body_end, then the access handle: NULL when either answered. */
zf_access *srv_body_done(srv_body *b, srv_resp *resp, const char *what);
/* A query parameter that is refused: a 400 (not 422, which is for a body
 * that fails its schema) naming field, the value given and what it accepts
 * (problems [{field, message: accepts}]) with the hint (ZF_HINT_NONE:
 * FIX_QUERY). Returns -1 (answered). */
int srv_bad_query(srv_resp *resp, const char *field, const char *value, const char *accepts,
                  int hint);
/* 0 when every query parameter is one of allowed (NULL-ended; NULL or
 * empty: none is), else the 400 answered naming the first unknown one and
 * the ones the route takes (-1). */
int srv_query_only(srv_req *req, srv_resp *resp, const char *const *allowed);
/* The {id} parameter as an int64 > 0, else 0 (a 404 answer follows). */
int64_t srv_param_id(const srv_req *req, const char *name);
/* The access handle or the error answered (NULL). */
zf_access *srv_access_or_fail(srv_req *req, srv_resp *resp);

/* A GET of the org's rows (accounts, keys) answered as {member: [row_json
 * of each row]}: list reads the principal's org's rows (an array of n rows
 * of row_size bytes), free_list releases them. */
typedef struct srv_org_list {
    const char *member;
    size_t row_size;
    int (*list)(zf_access *a, const char *org, void **rows, size_t *n, zf_error *err);
    json_t *(*row_json)(const void *row);
    void (*free_list)(void *rows, size_t n);
} srv_org_list;
int srv_answer_org_list(srv_req *req, srv_resp *resp, const srv_org_list *l);

/* Defines the handler fn over srv_answer_org_list: list_fn (zf_access *,
 * org, type **, size_t *, zf_error *), to_json (const type *) and free_fn
 * (type *, size_t) typed for one kind of row. */
#define SRV_ORG_LIST_HANDLER(fn, member, type, list_fn, to_json, free_fn)                          \
    static int fn##_rows(zf_access *a, const char *org, void **rows, size_t *n, zf_error *err)     \
    {                                                                                              \
        type *l = NULL;                                                                            \
        int rc = list_fn(a, org, &l, n, err);                                                      \
        *rows = l;                                                                                 \
        return rc;                                                                                 \
    }                                                                                              \
    static json_t *fn##_json(const void *row)                                                      \
    {                                                                                              \
        return to_json((const type *)row);                                                         \
    }                                                                                              \
    static void fn##_free(void *rows, size_t n)                                                    \
    {                                                                                              \
        free_fn((type *)rows, n);                                                                  \
    }                                                                                              \
    int fn(srv_req *req, srv_resp *resp)                                                           \
    {                                                                                              \
        static const srv_org_list l = {member, sizeof(type), fn##_rows, fn##_json, fn##_free};     \
        return srv_answer_org_list(req, resp, &l);                                                 \
    }
/* An "ok" audit row of the principal's org for action (detail: no
 * secret); a failure to write it is logged, not answered. */
struct zf_store;
void srv_audit_ok(struct zf_store *st, const srv_req *req, const char *action, const char *detail);
#endif
