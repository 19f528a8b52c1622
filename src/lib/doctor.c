/*
 * The doctor (doctor.h): the table of checks and the runner. A check is a row
 * and one function that fills its verdict, what it found, what to do and
 * the hint id; the runner reads what several checks share first (the
 * store, the live call, then the connection, which the call may have
 * refreshed or ended), so a check only looks.
 */
#include "doctor_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoomflow/hint.h"
#include "zoomflow/oauth.h"

#define LIVE_BUDGET_MS 20000

/* ---- the table and the runner ------------------------------------------ */

typedef struct check_row {
    const char *name;
    const char *title;
    void (*run)(zf_doctor__ctx *c, json_t *row);
} check_row;

/* X(name, title, check): the one list, in report order. */
#define DOCTOR_CHECKS(X)                                                                           \
    X(connection, "Connection", zf_doctor__connection)                                             \
    X(scopes, "Scopes", zf_doctor__scopes)                                                         \
    X(app_type, "App type", zf_doctor__app_type)                                                   \
    X(clock, "Clock skew", zf_doctor__clock)                                                       \
    X(reachability, "Reachability and TLS", zf_doctor__reach)                                      \
    X(rate_limits, "Rate limits", zf_doctor__limits)                                               \
    X(webhooks, "Webhooks", zf_doctor__webhooks)                                                   \
    X(store, "Store and disk", zf_doctor__store)

#define ROW(name, title, fn) {#name, title, fn},
static const check_row checks[] = {DOCTOR_CHECKS(ROW)};
#undef ROW
#define NCHECKS (sizeof checks / sizeof checks[0])

#define NAME(name, title, fn) #name,
static const char *const names[] = {DOCTOR_CHECKS(NAME) NULL};
#undef NAME

const char *const *zf_doctor_checks(void)
{
    return names;
}

static void ask(zf_doctor__ctx *c)
{
    if (c->asked || c->o->offline || !c->have_info || c->info.state != ZF_CONN_VALID)
        return;
    c->asked = 1;
    zf_zoom_opts zo = ZF_ZOOM_OPTS_INIT;
    zo.retry.max_attempts = 1;
    zo.retry.budget_ms = LIVE_BUDGET_MS;
    zf_zoom *z = NULL;
    c->live_rc = zf_session_zoom_new(c->s, &z, &zo, NULL, &c->live_err);
    if (c->live_rc)
        return;
    static const zf_zoom_param query[] = {{"page_size", "1"}};
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.path = "/users";
    req.query = query;
    req.nquery = 1;
    req.category = "Medium";
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    c->live_rc = zf_zoom_call(z, &req, &resp, &c->live_err);
    c->live_status = resp.status;
    if (!zf_zoom_resp_header(&resp, "Date", c->date, sizeof c->date))
        c->date[0] = '\0';
    zf_zoom_resp_free(&resp);
    zf_zoom_free(z);
}

static void read_info(zf_doctor__ctx *c)
{
    zf_tokens *tk = NULL;
    if (c->have_info)
        zf_conn_info_free(&c->info);
    c->have_info = 0;
    c->info_rc = zf_session_tokens(c->s, &tk, &c->info_err);
    if (c->info_rc == 0)
        c->info_rc = zf_tokens_info(&c->info, tk, c->conn_id, &c->info_err);
    c->have_info = c->info_rc == 0;
}

static int run_checks(zf_doctor__ctx *c, json_t *list, json_int_t counts[3])
{
    int worst = ZF_VERDICT_OK;
    for (size_t k = 0; k < NCHECKS; k++) {
        json_t *row = json_pack("{s:s,s:s}", "check", checks[k].name, "title", checks[k].title);
        if (!row)
            return -1;
        checks[k].run(c, row);
        const char *v = json_string_value(json_object_get(row, "verdict"));
        int vi = v && !strcmp(v, "fail")   ? ZF_VERDICT_FAIL
                 : v && !strcmp(v, "warn") ? ZF_VERDICT_WARN
                                           : ZF_VERDICT_OK;
        counts[vi]++;
        worst = vi > worst ? vi : worst;
        zf_doctor__details(row);
        json_array_append_new(list, row);
    }
    return worst;
}

int zf_doctor_run(json_t **out, zf_session *s, const zf_doctor_opts *opts, zf_error *err)
{
    *out = NULL;
    if (!s || !opts)
        return zf_error_set(err, ZF_EINVAL, "zf_doctor_run: NULL argument");
    zf_doctor__ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.o = opts;
    c.conn_id = opts->conn_id ? opts->conn_id : "default";
    c.now = opts->now ? opts->now : (int64_t)time(NULL);
    zf_error none = ZF_ERROR_INIT;
    c.store_err = c.info_err = c.live_err = none;
    if (zf_session_store(s, &c.st, &c.store_err) != 0)
        c.st = NULL;
    read_info(&c);
    ask(&c);
    if (c.asked) /* the call may have refreshed the token or ended the grant */
        read_info(&c);
    zf_buf base = ZF_BUF_INIT(sizeof c.base);
    if (c.have_info && zf_session_api_base(s, &base) == 0)
        snprintf(c.base, sizeof c.base, "%s", zf_buf_cstr(&base));
    zf_buf_free(&base);
    json_t *list = json_array(), *o = json_object();
    json_int_t counts[3] = {0, 0, 0};
    int worst = list && o ? run_checks(&c, list, counts) : -1;
    if (c.have_info)
        zf_conn_info_free(&c.info);
    if (worst < 0) {
        json_decref(list);
        json_decref(o);
        return zf_error_set(err, ZF_ENOMEM, "out of memory running the doctor");
    }
    json_object_set_new(o, "connection", json_string(c.conn_id));
    json_object_set_new(o, "at", json_integer(c.now));
    json_object_set_new(o, "verdict", json_string(zf_verdict_name(worst)));
    json_object_set_new(
        o, "counts",
        json_pack("{s:I,s:I,s:I}", "ok", counts[0], "warn", counts[1], "fail", counts[2]));
    json_object_set_new(o, "checks", list);
    *out = o;
    return 0;
}
