/*
 * The doctor's checks (doctor.h), shared between doctor.c (the table, the
 * runner), doctor_report.c (the rows), doctor_conn.c (the connection's
 * state, scopes, app type), doctor_net.c (Zoom asked: clock,
 * reachability) and doctor_local.c (what the store holds: limits,
 * webhooks, the store itself).
 */
#ifndef ZOOMFLOW_LIB_DOCTOR_INTERNAL_H
#define ZOOMFLOW_LIB_DOCTOR_INTERNAL_H

#include <stdarg.h>

#include "zoomflow/doctor.h"
#include "zoomflow/store.h"
#include "zoomflow/tokens.h"
#include "zoomflow/zoom.h"

/* What the checks share: read once by the runner. */
typedef struct zf_doctor__ctx {
    zf_session *s;
    const zf_doctor_opts *o;
    const char *conn_id;
    int64_t now;
    zf_store *st; /* NULL when the store did not open (store_err says why) */
    zf_error store_err;
    int have_info; /* 1: info holds the connection */
    int info_rc;   /* zf_tokens_info's result when not */
    zf_error info_err;
    zf_conn_info info;
    /* The live call (GET /users?page_size=1), unless offline. */
    int asked;
    int live_rc;
    zf_error live_err;
    long live_status;
    char date[64];  /* Zoom's Date header, "" when none */
    char base[512]; /* the API base asked ("{base}/v2") */
} zf_doctor__ctx;

/* Sets row's verdict, found (printf), todo (NULL = none) and hint id. */
void zf_doctor__say(json_t *row, int verdict, int hint, const char *todo, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The row's details object (made on first use). */
json_t *zf_doctor__details(json_t *row);

void zf_doctor__connection(zf_doctor__ctx *c, json_t *row);
void zf_doctor__scopes(zf_doctor__ctx *c, json_t *row);
void zf_doctor__app_type(zf_doctor__ctx *c, json_t *row);
void zf_doctor__clock(zf_doctor__ctx *c, json_t *row);
void zf_doctor__reach(zf_doctor__ctx *c, json_t *row);
void zf_doctor__limits(zf_doctor__ctx *c, json_t *row);
void zf_doctor__webhooks(zf_doctor__ctx *c, json_t *row);
void zf_doctor__store(zf_doctor__ctx *c, json_t *row);

#endif
