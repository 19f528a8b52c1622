/*
 * reconcile ("never duplicated"): each create looks for what an ambiguous
 * attempt may have made, through the zf_action_source interface, here fed
 * with canned pages. Also the time helpers it relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actions_internal.h"

/* ---- a canned source ------------------------------------------------------ */

typedef struct canned {
    json_t *pages;   /* {"<path>?<query>": [page, page, ...]} */
    json_t *objects; /* {"<path>": object} for get */
    int get_rc;      /* forced get result when non-zero */
    int list_rc;     /* forced list result when non-zero */
    char log[4096];  /* requests seen, one per line */
    int pages_served;
} canned;

static void request_key(char *out, size_t n, const zf_action_request *req)
{
    size_t len = (size_t)snprintf(out, n, "%s", req->path);
    for (size_t i = 0; i < req->nquery && len < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%c%s=%s", i ? '&' : '?', req->query[i].key,
                                req->query[i].value);
}

static void note(canned *c, const char *verb, const zf_action_request *req)
{
    char key[512];
    request_key(key, sizeof key, req);
    size_t len = strlen(c->log);
    snprintf(c->log + len, sizeof c->log - len, "%s %s\n", verb, key);
}

static int fake_get(void *ctx, json_t **out, const zf_action_request *req, zf_error *err)
{
    canned *c = ctx;
    note(c, req->method, req);
    assert_string_equal(req->method, "GET");
    assert_int_equal(req->kind, ZF_ACTION_READ);
    if (c->get_rc)
        return zf_error_set(err, c->get_rc, "forced");
    json_t *o = json_object_get(c->objects, req->path);
    if (!o)
        return zf_error_set(err, ZF_ENOTFOUND, "404");
    *out = json_deep_copy(o);
    return 0;
}

static int fake_list(void *ctx, const zf_action_request *req, const char *items_key,
                     int (*each)(void *arg, const json_t *items), void *arg, zf_error *err)
{
    canned *c = ctx;
    note(c, "LIST", req);
    if (c->list_rc)
        return zf_error_set(err, c->list_rc, "forced");
    char key[512];
    request_key(key, sizeof key, req);
    size_t i;
    json_t *page;
    json_array_foreach (json_object_get(c->pages, key), i, page) {
        c->pages_served++;
        if (each(arg, json_object_get(page, items_key)))
            break;
    }
    return 0;
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("bad test JSON: %s", e.text);
    return j;
}

static int run(canned *c, json_t **found, const char *action, const char *input,
               int64_t attempt_started, zf_error *err)
{
    zf_action_source src = {c, fake_get, fake_list};
    zf_reconcile_opts o = ZF_RECONCILE_OPTS_INIT;
    o.attempt_started = attempt_started;
    json_t *in = parse(input);
    int rc = zf_action_reconcile(found, zf_action_find(action), in, &o, &src, err);
    json_decref(in);
    return rc;
}

static void canned_free(canned *c)
{
    json_decref(c->pages);
    json_decref(c->objects);
}

/* ---- create_user ----------------------------------------------------------- */

#define NEW_USER                                                                                   \
    "{\"action\":\"create\",\"user_info\":{\"email\":\"Ann+1@Example.com\",\"type\":1}}"

static void test_user_found_by_email(void **state)
{
    canned c = {.objects = parse("{\"/users/Ann%2B1%40Example.com\":{\"id\":\"u1\","
                                 "\"email\":\"ann+1@example.com\",\"type\":1}}")};
    json_t *found = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(run(&c, &found, "create_user", NEW_USER, 0, &err), 1);
    assert_string_equal(json_string_value(json_object_get(found, "id")), "u1");
    assert_string_equal(c.log, "GET /users/Ann%2B1%40Example.com\n");
    json_decref(found);
    canned_free(&c);
}

static void test_user_not_found(void **state)
{
    canned c = {0};
    json_t *found = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(run(&c, &found, "create_user", NEW_USER, 0, &err), 0);
    assert_null(found);
}

static void test_user_lookup_without_read_scope_lists_every_status(void **state)
{
    canned c = {.get_rc = ZF_ESCOPE,
                .pages = parse("{\"/users?status=active&page_size=300\":[{\"users\":[{\"email\":"
                               "\"x@example.com\"}]},{\"users\":[]}],"
                               "\"/users?status=pending&page_size=300\":[{\"users\":[{\"email\":"
                               "\"ANN+1@example.com\",\"status\":\"pending\"}]}]}")};
    json_t *found = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(run(&c, &found, "create_user", NEW_USER, 0, &err), 1);
    assert_string_equal(json_string_value(json_object_get(found, "status")), "pending");
    assert_string_equal(c.log, "GET /users/Ann%2B1%40Example.com\n"
                               "LIST /users?status=active&page_size=300\n"
                               "LIST /users?status=inactive&page_size=300\n"
                               "LIST /users?status=pending&page_size=300\n");
    assert_int_equal(err.code, 0);
    json_decref(found);
    canned_free(&c);
}

static void test_user_lookup_failure_is_returned(void **state)
{
    canned c = {.get_rc = ZF_ENET};
    json_t *found = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(run(&c, &found, "create_user", NEW_USER, 0, &err), ZF_ENET);
    assert_null(found);
}

/* ---- add_meeting_registrant ----------------------------------------------- */

#define NEW_REG "{\"meeting_id\":85746065432,\"email\":\"rae@example.com\",\"first_name\":\"Rae\"}"

static void test_registrant_found_in_pending(void **state)
{
    canned c = {.pages =
                    parse("{\"/meetings/85746065432/registrants?status=approved&page_size=300\":"
                          "[{\"registrants\":[{\"id\":\"a\",\"email\":\"x@example.com\"}]},"
                          " {\"registrants\":[{\"id\":\"b\",\"email\":\"y@example.com\"}]}],"
                          "\"/meetings/85746065432/registrants?status=pending&page_size=300\":"
                          "[{\"registrants\":[{\"id\":\"r9\",\"email\":\"RAE@example.com\","
                          "\"status\":\"pending\",\"first_name\":\"Rae\"}]}]}")};
    json_t *found = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(run(&c, &found, "add_meeting_registrant", NEW_REG, 0, &err), 1);
    /* shaped like the create's answer: id is the meeting, registrant_id the person */
    assert_int_equal(json_integer_value(json_object_get(found, "id")), 85746065432LL);
    assert_string_equal(json_string_value(json_object_get(found, "registrant_id")), "r9");
    assert_string_equal(json_string_value(json_object_get(found, "status")), "pending");
    assert_null(json_object_get(found, "first_name"));
    assert_int_equal(c.pages_served, 3);
    assert_null(strstr(c.log, "denied"));
    json_decref(found);
    canned_free(&c);
}

static void test_registrant_not_found_checks_all_statuses(void **state)
{
    canned c = {0};
    json_t *found = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(run(&c, &found, "add_meeting_registrant", NEW_REG, 0, &err), 0);
    assert_string_equal(c.log,
                        "LIST /meetings/85746065432/registrants?status=approved&page_size=300\n"
                        "LIST /meetings/85746065432/registrants?status=pending&page_size=300\n"
                        "LIST /meetings/85746065432/registrants?status=denied&page_size=300\n");
}

static void test_registrant_list_failure_is_returned(void **state)
{
    canned c = {.list_rc = ZF_ETIMEOUT};
    json_t *found = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(run(&c, &found, "add_meeting_registrant", NEW_REG, 0, &err), ZF_ETIMEOUT);
    assert_null(found);
}

/* ---- the set of registrants already there (zf_action_known) --------------- */

#define REG_LIST "/meetings/85746065432/registrants?status="

static zf_action_source canned_source(canned *c)
{
    zf_action_source src = {c, fake_get, fake_list};
    return src;
}

static json_t *reg_in(const char *meeting, const char *email)
{
    return json_pack("{s:s,s:s,s:s}", "meeting_id", meeting, "email", email, "first_name", "R");
}

/* n calls planned for meeting 85746065432 */
static zf_action_known *planned(int n)
{
    zf_action_known *k = NULL;
    assert_int_equal(zf_action_known_new(&k, zf_action_find("add_meeting_registrant")), 0);
    assert_non_null(k);
    json_t *in = reg_in("85746065432", "p@example.com");
    for (int i = 0; i < n; i++)
        assert_int_equal(zf_action_known_plan(k, in), 0);
    json_decref(in);
    return k;
}

static int has(zf_action_known *k, const char *meeting, const char *email)
{
    json_t *in = reg_in(meeting, email);
    int r = zf_action_known_has(k, in);
    json_decref(in);
    return r;
}

static void test_known_one_listing_then_no_request(void **state)
{
    canned c = {.pages =
                    parse("{\"" REG_LIST "approved&page_size=300\":"
                          "[{\"registrants\":[{\"id\":\"a\",\"email\":\"X@Example.com\"}]},"
                          " {\"registrants\":[{\"id\":\"b\",\"email\":\" y@example.com \"},"
                          "                  {\"id\":\"c\"}]}],"
                          "\"" REG_LIST "denied&page_size=300\":"
                          "[{\"registrants\":[{\"id\":\"d\",\"email\":\"d@example.com\"}]}]}")};
    zf_action_source src = canned_source(&c);
    zf_action_known *k = planned(4);
    zf_error err = ZF_ERROR_INIT;
    json_t *in = reg_in("85746065432", "new@example.com");
    assert_int_equal(has(k, "85746065432", "x@example.com"), -1); /* not listed yet */
    assert_int_equal(zf_action_known_prepare(k, in, &src, &err), 0);
    assert_string_equal(c.log, "LIST " REG_LIST "approved&page_size=300\n"
                               "LIST " REG_LIST "pending&page_size=300\n"
                               "LIST " REG_LIST "denied&page_size=300\n");
    assert_int_equal(zf_action_known_prepare(k, in, &src, &err), 0);
    assert_int_equal(c.pages_served, 3); /* listed once */
    /* case-insensitive, trimmed, every status */
    assert_int_equal(has(k, "85746065432", "x@EXAMPLE.com"), 1);
    assert_int_equal(has(k, "85746065432", "Y@example.com"), 1);
    assert_int_equal(has(k, "85746065432", "d@example.com"), 1);
    assert_int_equal(zf_action_known_has(k, in), 0);
    assert_int_equal(zf_action_known_add(k, in), 0);
    assert_int_equal(has(k, "85746065432", "NEW@example.com"), 1);
    /* another meeting: no set (nothing planned there) */
    assert_int_equal(has(k, "85746065433", "x@example.com"), -1);
    json_t *other = reg_in("85746065433", "x@example.com");
    assert_int_equal(zf_action_known_prepare(k, other, &src, &err), 0);
    assert_int_equal(zf_action_known_add(k, other), 0);
    assert_int_equal(zf_action_known_has(k, other), -1);
    json_decref(other);
    json_decref(in);
    zf_action_known_free(k);
    canned_free(&c);
}

static void test_known_three_calls_no_listing(void **state)
{
    canned c = {0};
    zf_action_source src = canned_source(&c);
    zf_action_known *k = planned(3); /* the listing's three requests: no gain */
    zf_error err = ZF_ERROR_INIT;
    json_t *in = reg_in("85746065432", "new@example.com");
    assert_int_equal(zf_action_known_prepare(k, in, &src, &err), 0);
    assert_string_equal(c.log, "");
    assert_int_equal(zf_action_known_has(k, in), -1);
    json_decref(in);
    zf_action_known_free(k);
}

static void test_known_listing_failure_falls_back(void **state)
{
    canned c = {.list_rc = ZF_ESCOPE};
    zf_action_source src = canned_source(&c);
    zf_action_known *k = planned(10);
    zf_error err = ZF_ERROR_INIT;
    json_t *in = reg_in("85746065432", "new@example.com");
    assert_int_equal(zf_action_known_prepare(k, in, &src, &err), ZF_ESCOPE);
    assert_int_equal(zf_action_known_has(k, in), -1);
    assert_int_equal(zf_action_known_prepare(k, in, &src, &err), 0); /* said once */
    assert_string_equal(c.log, "LIST " REG_LIST "approved&page_size=300\n");
    json_decref(in);
    zf_action_known_free(k);
}

/* Four calls: a listing past its three least requests (a second page of
 * approved registrants) costs more than the calls' GETs: stopped. */
static void test_known_listing_too_large_stops(void **state)
{
    json_t *items = json_array();
    for (int i = 0; i < 301; i++) {
        char email[32];
        snprintf(email, sizeof email, "u%d@example.com", i);
        json_array_append_new(items, json_pack("{s:s,s:s}", "id", "r", "email", email));
    }
    canned c = {
        .pages = json_pack("{s:[{s:o}]}", REG_LIST "approved&page_size=300", "registrants", items)};
    zf_action_source src = canned_source(&c);
    zf_action_known *k = planned(4);
    zf_error err = ZF_ERROR_INIT;
    json_t *in = reg_in("85746065432", "u1@example.com");
    assert_int_equal(zf_action_known_prepare(k, in, &src, &err), 0);
    assert_int_equal(zf_action_known_has(k, in), -1);
    assert_string_equal(c.log, "LIST " REG_LIST "approved&page_size=300\n");
    json_decref(in);
    zf_action_known_free(k);
    canned_free(&c);

    /* an action without the rule has no set */
    zf_action_known *none = (zf_action_known *)1;
    assert_int_equal(zf_action_known_new(&none, zf_action_find("create_user")), 0);
    assert_null(none);
}

/* ---- create_meeting --------------------------------------------------------- */

#define LIST_KEY "/users/me/meetings?type=scheduled&page_size=300"
/* 2026-05-01T12:00:00Z */
#define ATTEMPT 1777636800

static canned meeting_pages(void)
{
    canned c = {.pages = parse(
                    "{\"" LIST_KEY "\":["
                    "{\"meetings\":["
                    " {\"id\":1,\"topic\":\"Day 1\",\"start_time\":\"2026-05-04T14:00:00Z\","
                    "  \"created_at\":\"2026-05-01T12:00:05Z\"},"
                    " {\"id\":2,\"topic\":\"Day 1\",\"start_time\":\"2026-05-04T13:00:00Z\","
                    "  \"created_at\":\"2026-04-01T00:00:00Z\"}]},"
                    "{\"meetings\":["
                    " {\"id\":3,\"topic\":\"Day 1\",\"start_time\":\"2026-05-04T13:00:00Z\","
                    "  \"created_at\":\"2026-05-01T11:59:00Z\",\"timezone\":\"America/New_York\"},"
                    " {\"id\":4,\"topic\":\"Day 1\",\"start_time\":\"2026-05-04T08:00:00Z\","
                    "  \"created_at\":\"2026-05-01T12:00:01Z\",\"timezone\":\"Europe/Berlin\"}]},"
                    "{\"meetings\":[{\"id\":5,\"topic\":\"Other\"}]}]}")};
    return c;
}

static int64_t found_id(canned *c, const char *input)
{
    json_t *found = NULL;
    zf_error err = ZF_ERROR_INIT;
    int rc = run(c, &found, "create_meeting", input, ATTEMPT, &err);
    if (rc < 0)
        fprintf(stderr, "reconcile: %s\n", err.message);
    int64_t id = rc == 1 ? (int64_t)json_integer_value(json_object_get(found, "id")) : rc;
    json_decref(found);
    return id;
}

static void test_meeting_matched_in_utc(void **state)
{
    canned c = meeting_pages();
    /* id 2 has the start but was created a month before the attempt; id 3
     * was created 60 s before it (within the skew) */
    assert_int_equal(found_id(&c, "{\"user_id\":\"me\",\"topic\":\"Day 1\",\"type\":2,"
                                  "\"start_time\":\"2026-05-04T13:00:00Z\"}"),
                     3);
    assert_int_equal(c.pages_served, 2);
    assert_string_equal(c.log, "LIST " LIST_KEY "\n");
    canned_free(&c);
}

static void test_meeting_matched_from_local_time_and_zone(void **state)
{
    canned c = meeting_pages();
    /* 09:00 in New York in May (EDT, -4) is 13:00Z */
    assert_int_equal(found_id(&c, "{\"user_id\":\"me\",\"topic\":\"Day 1\","
                                  "\"start_time\":\"2026-05-04T09:00:00\","
                                  "\"timezone\":\"America/New_York\"}"),
                     3);
    /* an offset is honoured too: 10:00+01:00 is 09:00Z: nothing */
    assert_int_equal(found_id(&c, "{\"user_id\":\"me\",\"topic\":\"Day 1\","
                                  "\"start_time\":\"2026-05-04T10:00:00+01:00\"}"),
                     0);
    assert_int_equal(found_id(&c, "{\"user_id\":\"me\",\"topic\":\"Day 1\","
                                  "\"start_time\":\"2026-05-04T15:00:00+01:00\"}"),
                     1);
    canned_free(&c);
}

static void test_meeting_local_time_without_zone_uses_listed_zone(void **state)
{
    canned c = meeting_pages();
    /* 10:00 in Berlin in May (CEST, +2) is 08:00Z: id 4; id 3 (New York)
     * would be 14:00Z, and id 1 lists no zone so it cannot be compared */
    assert_int_equal(found_id(&c, "{\"user_id\":\"me\",\"topic\":\"Day 1\","
                                  "\"start_time\":\"2026-05-04T10:00:00\"}"),
                     4);
    canned_free(&c);
}

static void test_meeting_not_found(void **state)
{
    canned c = meeting_pages();
    assert_int_equal(found_id(&c, "{\"user_id\":\"me\",\"topic\":\"Day 2\","
                                  "\"start_time\":\"2026-05-04T13:00:00Z\"}"),
                     0);
    assert_int_equal(c.pages_served, 3);
    /* created before attempt - skew: id 2 only would match, and it is too old */
    assert_int_equal(found_id(&c, "{\"user_id\":\"me\",\"topic\":\"Day 1\","
                                  "\"start_time\":\"2026-05-04T13:00:00Z\"}"),
                     3);
    canned_free(&c);
}

static void test_meeting_recurring_matches_topic_and_creation(void **state)
{
    canned c = meeting_pages();
    assert_int_equal(found_id(&c, "{\"user_id\":\"me\",\"topic\":\"Day 1\",\"type\":8,"
                                  "\"start_time\":\"2026-05-04T09:00:00Z\",\"recurrence\":"
                                  "{\"type\":1,\"end_times\":3}}"),
                     1);
    canned_free(&c);
}

static void test_meeting_instant_cannot_be_reconciled(void **state)
{
    canned c = meeting_pages();
    json_t *found = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(
        run(&c, &found, "create_meeting", "{\"user_id\":\"me\",\"type\":1}", ATTEMPT, &err),
        ZF_EAMBIGUOUS);
    assert_non_null(strstr(err.message, "instant"));
    assert_string_equal(c.log, "");
    canned_free(&c);
}

static void test_reconcile_refuses_reads_and_invalid_input(void **state)
{
    canned c = {0};
    json_t *found = NULL;
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(run(&c, &found, "list_users", "{}", 0, &err), ZF_EINVAL);
    assert_int_equal(run(&c, &found, "create_user", "{\"action\":\"create\"}", 0, &err),
                     ZF_EVALIDATION);
    assert_string_equal(c.log, "");
}

/* ---- time helpers --------------------------------------------------------------- */

static void test_time_helpers(void **state)
{
    int64_t t, u;
    int hz;
    assert_int_equal(zf_actions__parse_datetime("1970-01-01T00:00:00Z", &t, &hz), 0);
    assert_int_equal(t, 0);
    assert_true(hz);
    assert_int_equal(zf_actions__parse_datetime("2026-05-01T12:00:00", &t, &hz), 0);
    assert_int_equal(t, ATTEMPT);
    assert_false(hz);
    assert_int_equal(zf_actions__parse_datetime("2026-05-01T17:30:00+05:30", &t, &hz), 0);
    assert_int_equal(t, ATTEMPT);
    assert_int_equal(zf_actions__parse_datetime("2026-05-01T07:00:00-05:00", &t, &hz), 0);
    assert_int_equal(t, ATTEMPT);
    assert_int_equal(zf_actions__parse_datetime("2026-05-01", &t, &hz), ZF_EINVAL);
    assert_int_equal(zf_actions__parse_datetime(NULL, &t, &hz), ZF_EINVAL);

    zf_error err = ZF_ERROR_INIT;
    /* New York: EST (-5) in January, EDT (-4) in July */
    assert_int_equal(zf_actions__parse_datetime("2026-01-15T09:00:00", &t, &hz), 0);
    assert_int_equal(zf_actions__local_to_utc("America/New_York", t, &u, &err), 0);
    assert_int_equal(u - t, 5 * 3600);
    assert_int_equal(zf_actions__parse_datetime("2026-07-15T09:00:00", &t, &hz), 0);
    assert_int_equal(zf_actions__local_to_utc("America/New_York", t, &u, &err), 0);
    assert_int_equal(u - t, 4 * 3600);
    assert_int_equal(zf_actions__local_to_utc("Asia/Kolkata", t, &u, &err), 0);
    assert_int_equal(t - u, 5 * 3600 + 1800);
    assert_int_equal(zf_actions__local_to_utc("UTC", t, &u, &err), 0);
    assert_int_equal(u, t);
    assert_int_equal(zf_actions__local_to_utc("../etc/passwd", t, &u, &err), ZF_EINVAL);
}

/* A damaged or missing zone file is an error, never a read past its end. */
static void test_damaged_or_missing_zone_files(void **state)
{
    char dir[] = "/tmp/zf_tz_XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/Europe", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    FILE *src = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
    assert_non_null(src);
    unsigned char img[4096];
    size_t n = fread(img, 1, sizeof img, src);
    fclose(src);
    assert_true(n > 100);
    /* truncated inside the version 1 data block, and inside the header */
    static const size_t cuts[] = {60, 20};
    zf_error err = ZF_ERROR_INIT;
    int64_t u;
    setenv("TZDIR", dir, 1);
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/Europe/Berlin", dir);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(img, 1, cuts[i], f), cuts[i]);
        fclose(f);
        assert_int_equal(zf_actions__local_to_utc("Europe/Berlin", 0, &u, &err), ZF_EPARSE);
        assert_non_null(strstr(err.message, "Europe/Berlin"));
        unlink(path);
    }
    assert_int_equal(zf_actions__local_to_utc("Europe/Berlin", 0, &u, &err), ZF_ECONFIG);
    assert_non_null(strstr(err.hint, "tzdata"));
    unsetenv("TZDIR");
    snprintf(path, sizeof path, "%s/Europe", dir);
    rmdir(path);
    rmdir(dir);
    assert_int_equal(zf_actions__local_to_utc("Europe/Berlin", 0, &u, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_found_by_email),
        cmocka_unit_test(test_user_not_found),
        cmocka_unit_test(test_user_lookup_without_read_scope_lists_every_status),
        cmocka_unit_test(test_user_lookup_failure_is_returned),
        cmocka_unit_test(test_registrant_found_in_pending),
        cmocka_unit_test(test_registrant_not_found_checks_all_statuses),
        cmocka_unit_test(test_registrant_list_failure_is_returned),
        cmocka_unit_test(test_known_one_listing_then_no_request),
        cmocka_unit_test(test_known_three_calls_no_listing),
        cmocka_unit_test(test_known_listing_failure_falls_back),
        cmocka_unit_test(test_known_listing_too_large_stops),
        cmocka_unit_test(test_meeting_matched_in_utc),
        cmocka_unit_test(test_meeting_matched_from_local_time_and_zone),
        cmocka_unit_test(test_meeting_local_time_without_zone_uses_listed_zone),
        cmocka_unit_test(test_meeting_not_found),
        cmocka_unit_test(test_meeting_recurring_matches_topic_and_creation),
        cmocka_unit_test(test_meeting_instant_cannot_be_reconciled),
        cmocka_unit_test(test_reconcile_refuses_reads_and_invalid_input),
        cmocka_unit_test(test_time_helpers),
        cmocka_unit_test(test_damaged_or_missing_zone_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
