/* The views surfaces show (actions.h "Views", tokens.h connection views):
 * the action list, a dry run's request and its problems, the actions a
 * grant leaves out and the missing scopes with what they disable, a
 * connection as JSON, a run's {action, outcome, output, warnings}. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "zoomflow/actions.h"
#include "zoomflow/hint.h"
#include "zoomflow/oauth.h"
#include "zoomflow/tokens.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void test_view_every_action(void **state)
{
    json_t *all;
    assert_int_equal(zf_actions_view_json(&all), 0);
    json_t *list = json_object_get(all, "actions");
    size_t n = 0;
    for (const zf_action *const *a = zf_actions(); *a; a++)
        n++;
    assert_int_equal(json_array_size(list), n);
    size_t i;
    json_t *v;
    json_array_foreach (list, i, v) {
        const zf_action *a = zf_action_find(str(v, "name"));
        assert_non_null(a);
        assert_string_equal(str(v, "summary"), a->summary);
        assert_string_equal(str(v, "kind"), zf_action_kind_name(a->kind));
        assert_true(json_is_object(json_object_get(v, "input_schema")));
        assert_string_equal(json_string_value(json_array_get(json_object_get(v, "words"), 0)),
                            a->words[0]);
        assert_int_equal(json_array_size(json_object_get(v, "scopes")), a->scope ? 1 : 0);
    }
    json_t *cm;
    assert_int_equal(zf_action_view_json(&cm, zf_action_find("create_meeting")), 0);
    assert_string_equal(str(cm, "kind"), "create");
    assert_string_equal(json_string_value(json_array_get(json_object_get(cm, "scopes"), 0)),
                        "meeting:write:meeting:admin");
    assert_string_equal(json_string_value(json_array_get(json_object_get(cm, "words"), 1)),
                        "create");
    json_decref(cm);
    json_decref(all);
}

static void test_dry_run_shows_request(void **state)
{
    zf_problems p = ZF_PROBLEMS_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *out, *in = json_pack("{s:s,s:s,s:i}", "user_id", "host@example.com", "topic", "Day 1",
                                 "duration", 30);
    assert_int_equal(zf_action_dry_run_json(&out, zf_action_find("create_meeting"), in, &p, &err),
                     0);
    json_t *r = json_object_get(out, "request");
    assert_true(json_is_true(json_object_get(out, "dry_run")));
    assert_string_equal(str(r, "method"), "POST");
    assert_string_equal(str(r, "path"), "/v2/users/host%40example.com/meetings");
    assert_string_equal(str(json_object_get(r, "body"), "topic"), "Day 1");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "body"), "duration")),
                     30);
    json_decref(out);
    json_decref(in);
    /* a list's query */
    in = json_pack("{s:s,s:i}", "status", "active", "page_size", 5);
    assert_int_equal(zf_action_dry_run_json(&out, zf_action_find("list_users"), in, &p, &err), 0);
    r = json_object_get(out, "request");
    assert_string_equal(str(r, "method"), "GET");
    assert_string_equal(str(r, "path"), "/v2/users");
    assert_string_equal(str(json_object_get(r, "query"), "status"), "active");
    assert_true(json_is_null(json_object_get(r, "body")));
    json_decref(out);
    json_decref(in);
}

static void test_dry_run_names_the_field(void **state)
{
    zf_problems p = ZF_PROBLEMS_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *out = NULL,
           *in = json_pack("{s:s,s:s,s:s}", "user_id", "me", "topic", "t", "duration", "45m");
    assert_int_equal(zf_action_dry_run_json(&out, zf_action_find("create_meeting"), in, &p, &err),
                     ZF_EVALIDATION);
    assert_null(out);
    assert_true(p.count >= 1);
    int named = 0;
    for (size_t i = 0; i < p.count; i++)
        named |= strcmp(p.items[i].path, "duration") == 0;
    assert_true(named);
    assert_non_null(strstr(err.message, "duration"));
    zf_problems_free(&p);
    json_decref(in);
}

/* call_api never leaves /v2: absolute URLs, //host, dot segments (also
 * encoded) are problems of the path field; nothing is built. */
static void test_dry_run_call_api_paths(void **state)
{
    static const char *const bad[] = {"https://evil.example/v2/users",
                                      "//evil.example/users",
                                      "/users/../../oauth/token",
                                      "/users/%2e%2e/x",
                                      "/v2/users",
                                      "users",
                                      "/users?x=1",
                                      "/users#frag",
                                      "/a\\b",
                                      NULL};
    for (const char *const *b = bad; *b; b++) {
        zf_problems p = ZF_PROBLEMS_INIT;
        zf_error err = ZF_ERROR_INIT;
        json_t *out = NULL, *in = json_pack("{s:s,s:s}", "method", "GET", "path", *b);
        assert_int_equal(zf_action_dry_run_json(&out, zf_action_find("call_api"), in, &p, &err),
                         ZF_EVALIDATION);
        assert_null(out);
        assert_string_equal(p.items[0].path, "path");
        zf_problems_free(&p);
        json_decref(in);
    }
    zf_problems p = ZF_PROBLEMS_INIT;
    zf_error err = ZF_ERROR_INIT;
    json_t *out, *in = json_pack("{s:s,s:s,s:{s:i}}", "method", "GET", "path", "/users/me", "query",
                                 "page_size", 1);
    assert_int_equal(zf_action_dry_run_json(&out, zf_action_find("call_api"), in, &p, &err), 0);
    assert_string_equal(str(json_object_get(out, "request"), "path"), "/v2/users/me");
    json_decref(out);
    json_decref(in);
}

static void test_missing_scopes_and_actions(void **state)
{
    /* every required scope but the meeting write one */
    char granted[2048] = "";
    for (size_t i = 0; zf_oauth_required_scopes[i]; i++)
        if (strcmp(zf_oauth_required_scopes[i], "meeting:write:meeting:admin") != 0) {
            strcat(granted, granted[0] ? " " : "");
            strcat(granted, zf_oauth_required_scopes[i]);
        }
    json_t *m = zf_scopes_missing_json(granted);
    assert_int_equal(json_array_size(m), 1);
    json_t *one = json_array_get(m, 0);
    assert_string_equal(str(one, "scope"), "meeting:write:meeting:admin");
    json_t *acts = json_object_get(one, "actions");
    int has_create = 0;
    size_t i;
    json_t *a;
    json_array_foreach (acts, i, a)
        has_create |= strcmp(json_string_value(a), "create_meeting") == 0;
    assert_true(has_create);
    json_decref(m);
    json_t *u = zf_actions_unavailable_json(granted);
    has_create = 0;
    json_array_foreach (u, i, a) {
        has_create |= strcmp(str(a, "action"), "create_meeting") == 0;
        assert_string_not_equal(str(a, "action"), "list_users");
    }
    assert_true(has_create);
    json_decref(u);
    /* nothing granted: every required scope missing */
    m = zf_scopes_missing_json("");
    size_t n = 0;
    while (zf_oauth_required_scopes[n])
        n++;
    assert_int_equal(json_array_size(m), n);
    json_decref(m);
    /* unknown grant: nothing is said unavailable */
    u = zf_actions_unavailable_json(NULL);
    assert_int_equal(json_array_size(u), 0);
    json_decref(u);
}

static void test_conn_info_json(void **state)
{
    zf_conn_info i;
    memset(&i, 0, sizeof i);
    i.id = "acme";
    i.kind = ZF_CONN_OAUTH;
    i.state = ZF_CONN_NEEDS_REAUTH;
    i.account_id = "acc1";
    i.scopes = "user:read:list_users:admin";
    i.expires_at = 1800000000;
    i.last_refresh_at = 1799990000;
    i.refresh_count = 3;
    i.last_error = "the refresh token has expired";
    i.last_hint = "The refresh token has expired or been revoked.";
    json_t *o;
    assert_int_equal(zf_conn_info_json(&o, &i), 0);
    assert_string_equal(str(o, "state"), "NEEDS_REAUTH");
    assert_string_equal(str(o, "kind"), "oauth");
    assert_string_equal(str(o, "account_id"), "acc1");
    assert_int_equal(json_array_size(json_object_get(o, "granted_scopes")), 1);
    assert_true(json_array_size(json_object_get(o, "missing_scopes")) > 1);
    assert_true(json_array_size(json_object_get(o, "unavailable_actions")) > 1);
    assert_int_equal(json_integer_value(json_object_get(o, "refresh_count")), 3);
    json_t *le = json_object_get(o, "last_error");
    assert_string_equal(str(le, "hint_id"), "RECONNECT");
    assert_string_equal(str(le, "message"), "the refresh token has expired");
    char *text = json_dumps(o, 0);
    assert_null(strstr(text, "secret"));
    free(text);
    json_decref(o);
    i.state = ZF_CONN_VALID;
    i.last_error = NULL;
    assert_int_equal(zf_conn_info_json(&o, &i), 0);
    assert_true(json_is_null(json_object_get(o, "last_error")));
    json_decref(o);
}

static void test_result_json(void **state)
{
    zf_action_result r = ZF_ACTION_RESULT_INIT;
    r.output = json_pack("{s:I,s:b}", "id", (json_int_t)85746065432, "created", 1);
    zf_action_result_warn(&r, "close to the limit");
    json_t *o;
    assert_int_equal(zf_action_result_json(&o, zf_action_find("create_meeting"), &r), 0);
    assert_string_equal(str(o, "action"), "create_meeting");
    assert_string_equal(str(o, "outcome"), "created");
    assert_int_equal(json_array_size(json_object_get(o, "warnings")), 1);
    json_decref(o);
    json_object_set_new(r.output, "created", json_false());
    json_object_set_new(r.output, "found", json_true());
    assert_string_equal(zf_action_outcome_name(zf_action_find("create_meeting"), r.output),
                        "found");
    assert_string_equal(zf_action_outcome_name(zf_action_find("list_users"), r.output), "read");
    zf_action_result_free(&r);
    json_t *del = json_pack("{s:b,s:b}", "deleted", 1, "already_deleted", 1);
    assert_string_equal(zf_action_outcome_name(zf_action_find("delete_meeting"), del), "gone");
    json_decref(del);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_every_action),
        cmocka_unit_test(test_dry_run_shows_request),
        cmocka_unit_test(test_dry_run_names_the_field),
        cmocka_unit_test(test_dry_run_call_api_paths),
        cmocka_unit_test(test_missing_scopes_and_actions),
        cmocka_unit_test(test_conn_info_json),
        cmocka_unit_test(test_result_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
