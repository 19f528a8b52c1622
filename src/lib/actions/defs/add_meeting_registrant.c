/*
 * add_meeting_registrant: POST /meetings/{meetingId}/registrants
 * (Meetings API, meetingRegistrantCreate). Reconcile lists the meeting's
 * registrants in every status and looks for the email.
 */
#include "actions_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const employees[] = {
    "",          "1-20",        "21-50",        "51-100",           "101-500",
    "500-1,000", "1,001-5,000", "5,001-10,000", "More than 10,000", NULL};
static const char *const time_frames[] = {
    "", "Within a month", "1-3 months", "4-6 months", "More than 6 months", "No timeframe", NULL};
static const char *const purchase_roles[] = {
    "", "Decision Maker", "Evaluator/Recommender", "Influencer", "Not involved", NULL};
static const char *const languages[] = {"en-US", "de-DE", "es-ES", "fr-FR", "jp-JP",
                                        "pt-PT", "ru-RU", "zh-CN", "zh-TW", "ko-KO",
                                        "it-IT", "vi-VN", "pl-PL", "Tr-TR", NULL};

static const zf_field question_fields[] = {
    {.name = "title", .types = ZF_T_STRING, .summary = "the question"},
    {.name = "value", .types = ZF_T_STRING, .max_len = 128, .summary = "the answer"},
    {0},
};
static const zf_field question_item = {.name = "custom_question",
                                       .types = ZF_T_OBJECT,
                                       .summary = "one answer",
                                       .fields = question_fields};

#define TEXT(n, s)                                                                                 \
    {                                                                                              \
        .name = (n), .types = ZF_T_STRING, .summary = (s)                                          \
    }

static const zf_field input[] = {
    ZF_FIELD_MEETING_ID(ZF_FMT_MEETING_ID, "the meeting id (registration must be enabled on it)"),
    {.name = "occurrence_ids",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .format = ZF_FMT_ID_LIST,
     .summary = "register for these occurrences (comma-separated ids)"},
    {.name = "email",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .max_len = 128,
     .format = ZF_FMT_EMAIL,
     .summary = "the registrant's email"},
    {.name = "first_name",
     .types = ZF_T_STRING,
     .flags = ZF_F_REQUIRED,
     .max_len = 64,
     .summary = "first name"},
    {.name = "last_name", .types = ZF_T_STRING, .max_len = 64, .summary = "last name"},
    TEXT("address", "street address"),
    TEXT("city", "city"),
    TEXT("state", "state or province"),
    TEXT("zip", "postal code"),
    {.name = "country",
     .types = ZF_T_STRING,
     .format = ZF_FMT_COUNTRY,
     .summary = "two-letter country code, e.g. US"},
    TEXT("phone", "phone number"),
    {.name = "comments",
     .types = ZF_T_STRING,
     .flags = ZF_F_MULTILINE,
     .summary = "questions or comments"},
    TEXT("industry", "industry"),
    TEXT("org", "organisation"),
    TEXT("job_title", "job title"),
    {.name = "purchasing_time_frame",
     .types = ZF_T_STRING,
     .enum_str = time_frames,
     .summary = "purchasing time frame"},
    {.name = "role_in_purchase_process",
     .types = ZF_T_STRING,
     .enum_str = purchase_roles,
     .summary = "role in the purchase"},
    {.name = "no_of_employees",
     .types = ZF_T_STRING,
     .enum_str = employees,
     .summary = "organisation size"},
    {.name = "language",
     .types = ZF_T_STRING,
     .enum_str = languages,
     .summary = "language of Zoom's emails to the registrant"},
    {.name = "auto_approve",
     .types = ZF_T_BOOLEAN,
     .summary = "approve at once even when the meeting uses manual approval"},
    {.name = "custom_questions",
     .types = ZF_T_ARRAY,
     .items = &question_item,
     .summary = "answers: [{\"title\": ..., \"value\": ...}]"},
    {0},
};

/* ---- reconcile ----------------------------------------------------------- */

/* The listing's registrant in the shape the create answers with. */
static json_t *as_created(const json_t *reg, const json_t *meeting_id)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set(o, "id", (json_t *)meeting_id);
    json_object_set(o, "registrant_id", json_object_get(reg, "id"));
    static const char *const keep[] = {"email", "status", "join_url", "participant_pin_code",
                                       "create_time"};
    for (size_t i = 0; i < ZF_NELEM(keep); i++) {
        json_t *v = json_object_get(reg, keep[i]);
        if (v)
            json_object_set(o, keep[i], v);
    }
    return o;
}

/* The meeting's id as text (an integer or a string in the input). */
static int meeting_text(char *out, size_t n, const json_t *in)
{
    json_t *id = json_object_get(in, "meeting_id");
    int w;
    if (json_is_integer(id))
        w = snprintf(out, n, "%lld", (long long)json_integer_value(id));
    else if (json_is_string(id) && json_string_length(id))
        w = snprintf(out, n, "%s", json_string_value(id));
    else
        return ZF_EINVAL;
    return w > 0 && (size_t)w < n ? 0 : ZF_EINVAL;
}

static const char *const statuses[] = {"approved", "pending", "denied"};
#define LIST_PAGE_SIZE 300 /* Zoom's largest registrants page (the query below) */

/* Stops the walk over the statuses once the receiver has stopped one. */
typedef struct walk {
    int (*each)(void *arg, const json_t *items);
    void *arg;
    int stopped;
} walk;

static int walk_each(void *arg, const json_t *items)
{
    walk *w = arg;
    if (w->each(w->arg, items) == 0)
        return 0;
    w->stopped = 1;
    return 1;
}

/* The meeting's registrants in every status Zoom lists (one listing each,
 * pages of 300), one item at a time, until each() stops it. */
static int list_registrants(const json_t *in, const zf_action_source *src,
                            int (*each)(void *arg, const json_t *items), void *arg, zf_error *err)
{
    char path[128], idtext[32];
    if (meeting_text(idtext, sizeof idtext, in) != 0)
        return zf_error_set(err, ZF_EINVAL, "the input names no meeting_id");
    snprintf(path, sizeof path, "/meetings/%s/registrants", idtext);
    walk w = {each, arg, 0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && !w.stopped && i < ZF_NELEM(statuses); i++) {
        zf_action_request req;
        rc = zf_actions__lookup_request(&req, path);
        if (rc == 0)
            rc = zf_action_request_add_query(&req, "status", statuses[i]);
        if (rc == 0)
            rc = zf_action_request_add_query(&req, "page_size", "300");
        if (rc == 0)
            rc = src->list(src->ctx, &req, "registrants", walk_each, &w, err);
        zf_action_request_free(&req);
    }
    return rc;
}

static int reconcile(json_t **found, const json_t *in, const zf_reconcile_opts *o,
                     const zf_action_source *src, zf_error *err)
{
    zf_email_match m = {zf_actions__str(in, "email"), NULL};
    (void)o;
    int rc = list_registrants(in, src, zf_actions__find_email, &m, err);
    if (rc != 0 || !m.found) {
        json_decref(m.found);
        return rc;
    }
    *found = as_created(m.found, json_object_get(in, "meeting_id"));
    json_decref(m.found);
    return *found ? 1 : zf_error_set(err, ZF_ENOMEM, "out of memory");
}

/* ---- many adds to one meeting (a batch) ---------------------------------- */

/* An email as Zoom matches it (case-insensitively; trimmed of the blanks
 * a spreadsheet leaves around it). */
static int email_key(char *out, size_t n, const json_t *obj)
{
    const char *e = zf_actions__str(obj, "email");
    if (!e)
        return ZF_EINVAL;
    while (*e == ' ' || *e == '\t')
        e++;
    size_t len = strlen(e);
    while (len && (e[len - 1] == ' ' || e[len - 1] == '\t'))
        len--;
    if (!len || len >= n)
        return ZF_EINVAL;
    for (size_t i = 0; i < len; i++)
        out[i] = (e[i] >= 'A' && e[i] <= 'Z') ? (char)(e[i] + 32) : e[i];
    out[len] = '\0';
    return 0;
}

/* A batch of adds to one meeting lists its registrants once (the three
 * statuses, the reconcile's listing; scope meeting:read:list_registrants,
 * one of the ten every connection has) instead of a GET per add: an add
 * whose email is in the listing, or was added by an earlier row, is
 * existing; any other is created. The add is still sent for an existing
 * email: Zoom's answer carries what the listing lacks (topic, start_time,
 * the occurrences and the join_url of an add with occurrence_ids, which
 * registers the registrant for more occurrences), and an existing email
 * is what the row asks for, not a reason to skip it. */
static const zf_action_known_rule known = {
    .scope = meeting_text,
    .key = email_key,
    .list = list_registrants,
    .list_min = (int)ZF_NELEM(statuses),
    .page_items = LIST_PAGE_SIZE,
};

/* Zoom answers a second add of an email with the first registrant (201, as
 * for a new one); the registrant's create_time tells them apart. */
static int existed(const json_t *created, const json_t *in, const zf_reconcile_opts *o,
                   const zf_action_source *src, zf_error *err)
{
    const char *rid = json_string_value(json_object_get(created, "registrant_id"));
    json_t *mid = json_object_get(in, "meeting_id");
    if (!rid || !*rid)
        return 0;
    zf_buf path = ZF_BUF_INIT(1024);
    char idtext[32];
    if (json_is_integer(mid))
        snprintf(idtext, sizeof idtext, "%lld", (long long)json_integer_value(mid));
    else
        snprintf(idtext, sizeof idtext, "%s", json_string_value(mid) ? json_string_value(mid) : "");
    zf_buf_puts(&path, "/meetings/");
    zf_buf_puts(&path, idtext);
    zf_buf_puts(&path, "/registrants/");
    int rc = zf_actions__encode_segment(&path, rid, 0);
    zf_action_request req;
    json_t *reg = NULL;
    if (rc == 0 && path.failed)
        rc = ZF_ENOMEM;
    if (rc == 0 && (rc = zf_actions__lookup_request(&req, zf_buf_cstr(&path))) == 0) {
        rc = src->get(src->ctx, &reg, &req, err);
        zf_action_request_free(&req);
    }
    zf_buf_free(&path);
    if (rc != 0)
        return rc < 0 ? rc : ZF_EINVAL;
    int64_t t;
    int has_zone;
    const char *ct = zf_actions__str(reg, "create_time");
    int before = ct && zf_actions__parse_datetime(ct, &t, &has_zone) == 0 && has_zone &&
                 t < o->attempt_started - o->skew;
    json_decref(reg);
    return before;
}

static const char *const output_keys[] = {
    "id",          "registrant_id",        "join_url", "topic",  "start_time",
    "occurrences", "participant_pin_code", "email",    "status", NULL,
};
static const char *const classic[] = {"meeting:write", "meeting:write:admin", NULL};
static const char *const notes[] = {
    "Zoom answers a second add of the same email with the first registrant (201, its "
    "registrant_id and join_url): the output then says created: false, existing: true, "
    "found by the registrant's create_time (one more GET, scope "
    "meeting:read:registrant:admin; without it the output stays created: true).",
    "create_time has whole seconds of Zoom's clock: a second add within about two seconds "
    "of the first cannot be told from a new registrant and is reported created: true.",
    "zoomflow batch with more than three adds to one meeting lists the meeting's "
    "registrants once (scope meeting:read:list_registrants:admin) instead of that GET per "
    "add: an email in the listing, or added by an earlier row, is existing: true, any other "
    "created: true (two rows of one email within two seconds too). An email someone else "
    "adds between the listing and the add is reported created: true (and one removed "
    "meanwhile existing: true): only that flag can be wrong, Zoom never holds an email twice. "
    "If the listing fails, every add does the GET.",
    NULL,
};

const zf_action zf_action__add_meeting_registrant = {
    .name = "add_meeting_registrant",
    .summary = "Register someone for a meeting.",
    .words = {"registrants", "add"},
    .method = "POST",
    .path = "/meetings/{meetingId}/registrants",
    .scope = "meeting:write:registrant:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_CREATE,
    .input = input,
    .item_type = "registrant",
    .output_keys = output_keys,
    .reconcile = reconcile,
    .existed = existed,
    .notes = notes,
    .known = &known,
};
