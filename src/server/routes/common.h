/*
 * Small helpers the core's own handlers share (the routes of svccore):
 * body members with problems, ids from the path.
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
/* 0 when no problem, else the 422 answered (and 1 returned). */
int srv_body_end(srv_body *b, srv_resp *resp, const char *what);
/* The {id} parameter as an int64 > 0, else 0 (a 404 answer follows). */
int64_t srv_param_id(const srv_req *req, const char *name);
/* The access handle or the error answered (NULL). */
zf_access *srv_access_or_fail(srv_req *req, srv_resp *resp);
#endif
