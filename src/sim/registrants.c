/*
 * Registrants: POST/GET /meetings/{meetingId}/registrants, GET
 * /meetings/{meetingId}/registrants/{registrantId} (meetingRegistrantGet:
 * the registrant as the list shows it, create_time included), PUT
 * .../registrants/status, GET/PATCH .../registrants/questions.
 *
 * Registration must be on (settings.approval_type 0 or 1). A second add with
 * the same email (case-insensitive) returns the first registrant's id and
 * join_url with 201, as Zoom does. Manual approval (1) leaves registrants
 * pending with no join_url, unless the body says auto_approve. At most
 * DATA_MAX_REGISTRANTS per meeting (then 400, code 3043).
 *
 * The registration questions say which fields the form requires and which
 * custom questions it asks: an add without a required field or answer, or
 * with an answer that is not one of a single question's choices, is 400
 * code 300 naming each. Status: approve makes a registrant approved, deny
 * and cancel make it denied (Zoom lists no other status; cancel takes back
 * an approval, so it changes approved registrants only); registrants are
 * named by id or email, at most 30, and unknown ones are skipped, as
 * Zoom's answer (204, no body) does not name them.
 */
#include "data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const reg_status[] = {"approved", "pending", "denied"};

static const struct {
    const char *key;
    const char *enums; /* "|a|b|" or NULL */
    size_t maxlen;
} reg_fields[] = {
    {"last_name", NULL, 64},
    {"address", NULL, 0},
    {"city", NULL, 0},
    {"state", NULL, 0},
    {"zip", NULL, 0},
    {"country", NULL, 0},
    {"phone", NULL, 0},
    {"comments", NULL, 0},
    {"industry", NULL, 0},
    {"job_title", NULL, 0},
    {"org", NULL, 0},
    {"no_of_employees",
     "||1-20|21-50|51-100|101-500|500-1,000|1,001-5,000|5,001-10,000|More than 10,000|", 0},
    {"purchasing_time_frame",
     "||Within a month|1-3 months|4-6 months|More than 6 months|No timeframe|", 0},
    {"role_in_purchase_process", "||Decision Maker|Evaluator/Recommender|Influencer|Not involved|",
     0},
    {"language",
     "|en-US|de-DE|es-ES|fr-FR|jp-JP|pt-PT|ru-RU|zh-CN|zh-TW|ko-KO|it-IT|vi-VN|"
     "pl-PL|Tr-TR|",
     0},
    {NULL, NULL, 0},
};

/* Validates body and returns a new object with the accepted fields. */
static json_t *validate_registrant(json_t *b, json_t *errs)
{
    json_t *out = json_object();
    const char *email = sim_data_vstr(errs, b, "email", "email", 1, 128);
    if (email && !sim_data_email_ok(email))
        sim_data_verr(errs, "email", "email is not a valid email address.");
    const char *first = sim_data_vstr(errs, b, "first_name", "first_name", 1, 64);
    if (first)
        json_object_set_new(out, "first_name", json_string(first));
    for (int i = 0; reg_fields[i].key; i++) {
        const char *k = reg_fields[i].key;
        const char *v = sim_data_vstr(errs, b, k, k, 0, reg_fields[i].maxlen);
        if (!v)
            continue;
        char pat[80];
        snprintf(pat, sizeof pat, "|%s|", v);
        if (reg_fields[i].enums && !strstr(reg_fields[i].enums, pat))
            sim_data_verr(errs, k, "%s must be one of %s.", k, reg_fields[i].enums);
        else
            json_object_set_new(out, k, json_string(v));
    }
    json_t *cq = json_object_get(b, "custom_questions"), *q;
    size_t i;
    if (cq && !json_is_array(cq))
        sim_data_verr(errs, "custom_questions",
                      "custom_questions must be an array of "
                      "{title, value}.");
    json_array_foreach (cq, i, q) {
        const char *v = json_string_value(json_object_get(q, "value"));
        if (!json_is_string(json_object_get(q, "title")) || (v && strlen(v) > 128))
            sim_data_verr(errs, "custom_questions",
                          "each custom question needs a title and a value of at most 128 "
                          "characters.");
    }
    if (json_is_array(cq))
        json_object_set(out, "custom_questions", cq);
    json_t *aa = json_object_get(b, "auto_approve");
    if (aa && !json_is_boolean(aa))
        sim_data_verr(errs, "auto_approve", "auto_approve must be a boolean.");
    return out;
}

/* The value an add's body gives to the custom question `title`, or NULL. */
static const char *answer_to(json_t *b, const char *title)
{
    json_t *q;
    size_t i;
    json_array_foreach (json_object_get(b, "custom_questions"), i, q) {
        const char *t = json_string_value(json_object_get(q, "title"));
        if (t && title && strcmp(t, title) == 0)
            return json_string_value(json_object_get(q, "value"));
    }
    return NULL;
}

static bool is_choice(json_t *answers, const char *v)
{
    json_t *a;
    size_t i;
    json_array_foreach (answers, i, a) {
        if (json_is_string(a) && strcmp(json_string_value(a), v) == 0)
            return true;
    }
    return false;
}

/* The meeting's registration questions against an add's body: every
 * required field filled in, every required custom question answered, an
 * answer to a single question one of its choices. */
static void check_answers(const sim_meeting *m, json_t *b, json_t *errs)
{
    json_t *q;
    size_t i;
    json_array_foreach (json_object_get(m->questions, "questions"), i, q) {
        const char *f = json_string_value(json_object_get(q, "field_name"));
        const char *v = f ? json_string_value(json_object_get(b, f)) : NULL;
        if (f && json_is_true(json_object_get(q, "required")) && (!v || !*v))
            sim_data_verr(errs, f, "%s is required by this meeting's registration questions.", f);
    }
    json_array_foreach (json_object_get(m->questions, "custom_questions"), i, q) {
        const char *title = json_string_value(json_object_get(q, "title"));
        const char *type = json_string_value(json_object_get(q, "type"));
        const char *v = answer_to(b, title);
        if (!title)
            continue;
        if (json_is_true(json_object_get(q, "required")) && (!v || !*v))
            sim_data_verr(errs, "custom_questions",
                          "The custom question \"%s\" is required: "
                          "answer it with {\"title\": \"%s\", \"value\": ...}.",
                          title, title);
        else if (v && *v && type && strcmp(type, "single") == 0 &&
                 !is_choice(json_object_get(q, "answers"), v))
            sim_data_verr(errs, "custom_questions",
                          "\"%s\" is not one of the answers of the "
                          "custom question \"%s\".",
                          v, title);
    }
}

sim_registrant *sim_data_registrant_add(sim *s, sim_meeting *m, const char *email, json_t *f,
                                        const char *occ, int64_t now, int *existed)
{
    char low[160];
    sim_data_lower(low, sizeof low, email);
    sim_registrant *r = sim_map_get(&m->reg_email, low);
    *existed = r != NULL;
    if (r) {
        json_decref(f);
        return r;
    }
    if (m->nregs == m->capregs) {
        uint32_t nc = m->capregs ? m->capregs * 2 : 8;
        sim_registrant **n = realloc(m->regs, nc * sizeof *n);
        if (!n)
            goto fail;
        m->regs = n;
        m->capregs = nc;
    }
    r = calloc(1, sizeof *r);
    if (!r)
        goto fail;
    sim_random_id(r->id, sizeof r->id, 22);
    r->email = strdup(email);
    r->fields = f;
    r->occurrence_ids = sim_data_strdup0(occ);
    r->create_time = now;
    json_int_t approval = json_integer_value(json_object_get(m->settings, "approval_type"));
    r->status = approval == 1 && !json_is_true(json_object_get(f, "auto_approve")) ? 1 : 0;
    json_object_del(f, "auto_approve");
    if (!r->email || sim_map_put(&m->reg_email, low, r) != 0) {
        free(r->email);
        free(r->occurrence_ids);
        json_decref(r->fields);
        free(r);
        return NULL;
    }
    m->regs[m->nregs++] = r;
    m->nregs_status[r->status]++;
    (void)s;
    return r;
fail:
    json_decref(f);
    return NULL;
}

static void join_url(sim *s, const sim_meeting *m, const sim_registrant *r, char *out, size_t n)
{
    snprintf(out, n, "%s/w/%lld?tk=%s", s->base_url, (long long)m->id, r->id);
}

json_t *sim_data_registrant_json(sim *s, const sim_meeting *m, const sim_registrant *r)
{
    char iso[32], url[256];
    sim_fmt_time(iso, r->create_time);
    json_t *j = json_pack("{s:s,s:s}", "id", r->id, "email", r->email);
    json_object_update(j, r->fields);
    json_object_set_new(j, "status", json_string(reg_status[r->status]));
    json_object_set_new(j, "create_time", json_string(iso));
    if (r->status == 0) {
        join_url(s, m, r, url, sizeof url);
        json_object_set_new(j, "join_url", json_string(url));
    }
    return j;
}

static long pin_code(const sim_registrant *r);

/* The registrant as the registration webhooks carry it: the join_url is
 * there whatever the status (the spec requires it; a pending registrant's
 * link works once approved). */
static json_t *hook_registrant(sim *s, const sim_meeting *m, const sim_registrant *r)
{
    char url[256];
    json_t *reg = sim_data_registrant_json(s, m, r);
    json_object_del(reg, "create_time");
    json_object_del(reg, "auto_approve");
    join_url(s, m, r, url, sizeof url);
    json_object_set_new(reg, "join_url", json_string(url));
    json_object_set_new(reg, "participant_pin_code", json_integer(pin_code(r)));
    return reg;
}

static void emit_created(sim *s, const sim_meeting *m, const sim_registrant *r)
{
    json_t *obj = sim_data_meeting_hook_json(s, m);
    json_object_set_new(obj, "registrant", hook_registrant(s, m, r));
    sim_webhook_emit(s, "meeting.registration_created", obj, NULL);
}

/* meeting.registration_approved / _denied / _cancelled: who did it, the
 * meeting and the registrant (approved: with its join_url). */
static void emit_status(sim_req *rq, const sim_meeting *m, const sim_registrant *r, int action)
{
    static const char *const events[] = {"meeting.registration_approved",
                                         "meeting.registration_denied",
                                         "meeting.registration_cancelled"};
    json_t *reg = hook_registrant(rq->s, m, r);
    json_object_del(reg, "status");
    if (action != 0) {
        json_object_del(reg, "join_url");
        json_object_del(reg, "participant_pin_code");
    }
    json_t *obj = sim_data_meeting_hook_json(rq->s, m);
    json_object_set_new(obj, "registrant", reg);
    json_t *pl = sim_webhook_operator(rq->s, rq);
    json_object_set_new(pl, "object", obj);
    sim_webhook_emit_payload(rq->s, events[action], pl, NULL);
}
/* A registrant's six-digit PIN, the same in every answer about it (a
 * second add of the same email answers with the first registrant's). */
static long pin_code(const sim_registrant *r)
{
    uint32_t h = 2166136261u; /* FNV-1a over the id */
    for (const char *p = r->id; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return 100000 + (long)(h % 900000u);
}

void sim_h_registrant_add(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    json_t *body = NULL, *errs = json_array(), *f = NULL;
    sim_meeting *m = sim_data_meeting_find(s, rq->param[0]);
    if (!m) {
        sim_error(rs, 404, 1001, "Meeting does not exist: %s.", rq->param[0]);
        goto done;
    }
    if (!(body = sim_body_json(rq, rs)))
        goto done;
    if (!sim_data_registration_on(m)) {
        sim_error(rs, 400, 404, "Registration has not been enabled for this meeting: %s.",
                  rq->param[0]);
        goto done;
    }
    f = validate_registrant(body, errs);
    check_answers(m, body, errs);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    if (json_is_true(json_object_get(body, "auto_approve")))
        json_object_set_new(f, "auto_approve", json_true());
    const char *email = json_string_value(json_object_get(body, "email"));
    char low[160];
    sim_data_lower(low, sizeof low, email);
    if (!sim_map_get(&m->reg_email, low) && m->nregs >= DATA_MAX_REGISTRANTS) {
        sim_error(rs, 400, 3043, "Meeting has reached maximum attendee capacity.");
        goto done;
    }
    int existed;
    sim_registrant *r =
        sim_data_registrant_add(s, m, email, f, sim_query(rq, "occurrence_ids"), rq->now, &existed);
    f = NULL;
    if (!r) {
        sim_error(rs, 500, 500, "out of memory");
        goto done;
    }
    char iso[32], url[256];
    sim_fmt_time(iso, m->start_time);
    json_t *out = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)m->id, "registrant_id", r->id,
                            "topic", m->topic, "start_time", iso);
    if (r->status == 0) {
        join_url(s, m, r, url, sizeof url);
        json_object_set_new(out, "join_url", json_string(url));
    }
    json_object_set_new(out, "participant_pin_code", json_integer(pin_code(r)));
    sim_json(rs, 201, out);
    if (!existed)
        emit_created(s, m, r);
done:
    json_decref(body);
    json_decref(errs);
    json_decref(f);
}

void sim_h_registrants_list(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    json_t *errs = json_array();
    long ps, pn;
    int st = -1;
    sim_meeting *m = sim_data_meeting_find(s, rq->param[0]);
    if (!m) {
        sim_error(rs, 404, 3001, "Meeting does not exist: %s.", rq->param[0]);
        goto done;
    }
    const char *sq = sim_query(rq, "status"), *tok = sim_query(rq, "next_page_token");
    const char *occ = sim_query(rq, "occurrence_id");
    for (int i = 0; i < 3; i++)
        if (!sq || !*sq ? i == 0 : strcmp(sq, reg_status[i]) == 0)
            st = i;
    if (st < 0)
        sim_data_verr(errs, "status", "status must be one of pending, approved, denied.");
    sim_data_qint(rq, errs, "page_size", 30, 1, 300, &ps);
    sim_data_qint(rq, errs, "page_number", 1, 1, 1000000000, &pn);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    char key[128];
    snprintf(key, sizeof key, "registrants|%lld|%d|%.60s", (long long)m->id, st, occ ? occ : "");
    size_t total = 0;
    if (occ && *occ) {
        for (uint32_t i = 0; i < m->nregs; i++)
            total += m->regs[i]->status == st &&
                     (!m->regs[i]->occurrence_ids || strstr(m->regs[i]->occurrence_ids, occ));
    } else {
        total = m->nregs_status[st];
    }
    sim_page pg;
    if (sim_page_start(s, rs, tok, key, ps, pn, &pg) != 0)
        goto done;
    json_t *arr = json_array();
    size_t got = 0, i = (size_t)pg.pos;
    for (; i < m->nregs && got < (size_t)ps; i++) {
        sim_registrant *r = m->regs[i];
        if (r->status != st ||
            (occ && *occ && r->occurrence_ids && !strstr(r->occurrence_ids, occ)))
            continue;
        if (pg.skip) {
            pg.skip--;
            continue;
        }
        json_array_append_new(arr, sim_data_registrant_json(s, m, r));
        got++;
    }
    char next[33];
    sim_page_next(s, key, &pg, i, got, total, ps, next);
    size_t pages = total ? (total + (size_t)ps - 1) / (size_t)ps : 0;
    sim_json(rs, 200,
             json_pack("{s:I,s:i,s:i,s:I,s:s,s:o}", "page_count", (json_int_t)pages, "page_number",
                       (int)pg.number, "page_size", (int)ps, "total_records", (json_int_t)total,
                       "next_page_token", next, "registrants", arr));
done:
    json_decref(errs);
}

void sim_h_registrant_get(sim_req *rq, sim_resp *rs)
{
    sim_meeting *m = sim_data_meeting_find(rq->s, rq->param[0]);
    if (!m) {
        sim_error(rs, 404, 3001, "Meeting does not exist: %s.", rq->param[0]);
        return;
    }
    for (uint32_t i = 0; i < m->nregs; i++)
        if (strcmp(m->regs[i]->id, rq->param[1]) == 0) {
            sim_json(rs, 200, sim_data_registrant_json(rq->s, m, m->regs[i]));
            return;
        }
    sim_error(rs, 404, 3001, "Registrant does not exist: %s.", rq->param[1]);
}

/* --- PUT /meetings/{meetingId}/registrants/status */

static bool registration_or_400(const sim_meeting *m, sim_req *rq, sim_resp *rs)
{
    if (sim_data_registration_on(m))
        return true;
    sim_error(rs, 400, 404, "Registration has not been enabled for this meeting: %s.",
              rq->param[0]);
    return false;
}

#define STATUS_MAX_REGISTRANTS 30

static const char *const status_actions[] = {"approve", "deny", "cancel"};

static sim_registrant *registrant_named(const sim_meeting *m, json_t *who)
{
    const char *id = json_string_value(json_object_get(who, "id"));
    const char *email = json_string_value(json_object_get(who, "email"));
    for (uint32_t i = 0; id && i < m->nregs; i++)
        if (strcmp(m->regs[i]->id, id) == 0)
            return m->regs[i];
    if (!email)
        return NULL;
    char low[160];
    sim_data_lower(low, sizeof low, email);
    return sim_map_get(&m->reg_email, low);
}

/* -1 when body is refused (errs says why), else the action's index. */
static int check_status_body(json_t *body, json_t *errs)
{
    const char *a = sim_data_vstr(errs, body, "action", "action", 1, 0);
    int action = -1;
    for (int i = 0; a && i < 3; i++)
        if (strcmp(a, status_actions[i]) == 0)
            action = i;
    if (a && action < 0)
        sim_data_verr(errs, "action", "action must be approve, cancel or deny.");
    json_t *regs = json_object_get(body, "registrants"), *r;
    size_t i;
    if (regs && !json_is_array(regs))
        sim_data_verr(errs, "registrants", "registrants must be an array of {id} or {email}.");
    if (json_array_size(regs) > STATUS_MAX_REGISTRANTS)
        sim_data_verr(errs, "registrants", "registrants: at most %d per request.",
                      STATUS_MAX_REGISTRANTS);
    json_array_foreach (regs, i, r) {
        if (!json_is_string(json_object_get(r, "id")) &&
            !json_is_string(json_object_get(r, "email"))) {
            sim_data_verr(errs, "registrants", "each registrant needs an id or an email.");
            break;
        }
    }
    return json_array_size(errs) ? -1 : action;
}

void sim_h_registrants_status(sim_req *rq, sim_resp *rs)
{
    json_t *body = NULL, *errs = json_array(), *who;
    sim_meeting *m = sim_data_meeting_or_404(rq, rs);
    const char *oid = sim_query(rq, "occurrence_id");
    int64_t start;
    int duration, action;
    size_t i;
    if (!m || !registration_or_400(m, rq, rs) || !(body = sim_body_json(rq, rs)))
        goto done;
    if (oid && !sim_data_occurrence(m, oid, &start, &duration)) {
        sim_error(rs, 400, 300, "Invalid parameter: occurrence_id.");
        goto done;
    }
    if ((action = check_status_body(body, errs)) < 0) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    int changed = 0;
    json_array_foreach (json_object_get(body, "registrants"), i, who) {
        sim_registrant *r = registrant_named(m, who);
        int to = action == 0 ? 0 : 2;
        if (!r || r->status == to || (action == 2 && r->status != 0))
            continue;
        m->nregs_status[r->status]--;
        r->status = (uint8_t)to;
        m->nregs_status[to]++;
        changed++;
        emit_status(rq, m, r, action);
    }
    snprintf(rq->log_detail, sizeof rq->log_detail, "%s: %d of %zu changed", status_actions[action],
             changed, json_array_size(json_object_get(body, "registrants")));
    sim_empty(rs, 204);
done:
    json_decref(body);
    json_decref(errs);
}

/* --- GET/PATCH /meetings/{meetingId}/registrants/questions */

static const char *const field_names[] = {
    "last_name",
    "address",
    "city",
    "country",
    "zip",
    "state",
    "phone",
    "industry",
    "org",
    "job_title",
    "purchasing_time_frame",
    "role_in_purchase_process",
    "no_of_employees",
    "comments",
    NULL,
};

void sim_h_questions_get(sim_req *rq, sim_resp *rs)
{
    sim_meeting *m = sim_data_meeting_or_404(rq, rs);
    if (!m || !registration_or_400(m, rq, rs))
        return;
    json_t *qs = json_object_get(m->questions, "questions");
    json_t *cq = json_object_get(m->questions, "custom_questions");
    sim_json(rs, 200,
             json_pack("{s:o,s:o}", "questions", qs ? json_deep_copy(qs) : json_array(),
                       "custom_questions", cq ? json_deep_copy(cq) : json_array()));
}

static void check_questions(json_t *qs, json_t *errs)
{
    json_t *q;
    size_t i;
    if (qs && !json_is_array(qs))
        sim_data_verr(errs, "questions", "questions must be an array of {field_name, required}.");
    json_array_foreach (qs, i, q) {
        const char *f = json_string_value(json_object_get(q, "field_name"));
        json_t *req = json_object_get(q, "required");
        int known = 0;
        for (int k = 0; f && field_names[k]; k++)
            known |= strcmp(f, field_names[k]) == 0;
        if (!known)
            sim_data_verr(errs, "questions.field_name",
                          "field_name must be one of last_name, "
                          "address, city, country, zip, state, phone, industry, org, job_title, "
                          "purchasing_time_frame, role_in_purchase_process, no_of_employees, "
                          "comments.");
        if (req && !json_is_boolean(req))
            sim_data_verr(errs, "questions.required", "required must be a boolean.");
    }
}

static void check_custom(json_t *cq, json_t *errs)
{
    json_t *q;
    size_t i, k;
    if (cq && !json_is_array(cq))
        sim_data_verr(errs, "custom_questions",
                      "custom_questions must be an array of {title, "
                      "type, required, answers}.");
    json_array_foreach (cq, i, q) {
        const char *title = json_string_value(json_object_get(q, "title"));
        const char *type = json_string_value(json_object_get(q, "type"));
        json_t *answers = json_object_get(q, "answers"), *a, *req = json_object_get(q, "required");
        int single = type && strcmp(type, "single") == 0;
        if (!title || !*title)
            sim_data_verr(errs, "custom_questions.title", "each custom question needs a title.");
        if (json_object_get(q, "type") && !single && (!type || strcmp(type, "short") != 0))
            sim_data_verr(errs, "custom_questions.type", "type must be short or single.");
        if (req && !json_is_boolean(req))
            sim_data_verr(errs, "custom_questions.required", "required must be a boolean.");
        if (answers && !json_is_array(answers))
            sim_data_verr(errs, "custom_questions.answers", "answers must be an array of strings.");
        json_array_foreach (answers, k, a) {
            if (!json_is_string(a)) {
                sim_data_verr(errs, "custom_questions.answers", "answers must be strings.");
                break;
            }
        }
        if (single && json_array_size(answers) == 0)
            sim_data_verr(errs, "custom_questions.answers", "a single question needs answers.");
        else if (!single && json_array_size(answers))
            sim_data_verr(errs, "custom_questions.answers",
                          "answers can not be used for a short "
                          "question.");
    }
}

void sim_h_questions_patch(sim_req *rq, sim_resp *rs)
{
    json_t *body = NULL, *errs = json_array();
    sim_meeting *m = sim_data_meeting_or_404(rq, rs);
    if (!m || !registration_or_400(m, rq, rs) || !(body = sim_body_json(rq, rs)))
        goto done;
    json_t *qs = json_object_get(body, "questions"),
           *cq = json_object_get(body, "custom_questions");
    check_questions(qs, errs);
    check_custom(cq, errs);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    if (!m->questions &&
        !(m->questions = json_pack("{s:[],s:[]}", "questions", "custom_questions"))) {
        sim_error(rs, 500, 500, "out of memory");
        goto done;
    }
    if (qs)
        json_object_set(m->questions, "questions", qs);
    if (cq)
        json_object_set(m->questions, "custom_questions", cq);
    sim_empty(rs, 204);
done:
    json_decref(body);
    json_decref(errs);
}
