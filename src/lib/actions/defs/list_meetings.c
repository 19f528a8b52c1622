/* list_meetings: GET /users/{userId}/meetings (Meetings API, `meetings`). */
#include "actions_internal.h"

#include <string.h>

static const char *const types[] = {"scheduled",         "live", "upcoming", "upcoming_meetings",
                                    "previous_meetings", NULL};

static const zf_field input[] = {
    ZF_FIELD_USER_ID("the host: \"me\", an email or a user id"),
    {.name = "type",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .enum_str = types,
     .default_json = "\"scheduled\"",
     .summary = "scheduled, live, upcoming, upcoming_meetings or previous_meetings"},
    {.name = "from",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .format = ZF_FMT_DATE,
     .summary = "first day (yyyy-MM-dd)"},
    {.name = "to",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .format = ZF_FMT_DATE,
     .summary = "last day (yyyy-MM-dd), not before `from`"},
    {.name = "timezone",
     .types = ZF_T_STRING,
     .in = ZF_IN_QUERY,
     .format = ZF_FMT_TIMEZONE,
     .summary = "zone of from/to, e.g. Europe/Berlin"},
    ZF_FIELD_PAGE_SIZE(300, "meetings per page"),
    ZF_FIELD_NEXT_PAGE_TOKEN,
    ZF_FIELD_ALL,
    ZF_FIELD_LIMIT,
    {0},
};

static void check(zf_problems *p, const json_t *in)
{
    const char *from = zf_actions__str(in, "from"), *to = zf_actions__str(in, "to");
    long pos;
    /* yyyy-MM-dd compares as text once both are well formed */
    if (from && to && zf_schema_format_ok(ZF_FMT_DATE, from, &pos) &&
        zf_schema_format_ok(ZF_FMT_DATE, to, &pos) && strcmp(from, to) > 0)
        zf_problems_add(p, "to", "conflict", json_object_get(in, "to"), -1,
                        "`to` (%s) is before `from` (%s); swap them", to, from);
    zf_actions__list_check(p, in);
}

static const char *const rules[] = {
    "from must not be after to.",
    ZF_LIST_RULE,
    ZF_LIMIT_RULE,
    NULL,
};

static const char *const output_keys[] = {
    "id",       "uuid",   "host_id",    "topic",    "type", "start_time", "duration",
    "timezone", "agenda", "created_at", "join_url", "pmi",  NULL,
};
static const char *const columns[] = {
    "id", "topic", "type", "start_time", "duration", "timezone", "host_id", "join_url", NULL,
};
static const char *const classic[] = {"meeting:read", "meeting:read:admin", NULL};

const zf_action zf_action__list_meetings = {
    .name = "list_meetings",
    .summary = "List a host's meetings.",
    .words = {"meetings", "list"},
    .method = "GET",
    .path = "/users/{userId}/meetings",
    .scope = "meeting:read:list_meetings:admin",
    .classic_scopes = classic,
    .kind = ZF_ACTION_READ,
    .input = input,
    .check = check,
    .rules = rules,
    .build = zf_actions__list_build,
    .item_type = "meeting",
    .items_key = "meetings",
    .output_keys = output_keys,
    .columns = columns,
};
