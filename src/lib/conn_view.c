/*
 * A connection as a surface shows it (tokens.h, "Views"): state, kind,
 * account, granted vs required scopes with the actions each missing one
 * disables, token times, the last error and the advice's id, so the
 * service's page and the CLI's status say the same from one place. No
 * secret is read or shown.
 */
#include "zoomflow/tokens.h"

#include <jansson.h>
#include <string.h>

#include "zoomflow/actions.h"
#include "zoomflow/hint.h"
#include "zoomflow/oauth.h"

static int has_word(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = list; p && (p = strstr(p, w)) != NULL; p += n)
        if ((p == list || p[-1] == ' ' || p[-1] == ',') &&
            (p[n] == '\0' || p[n] == ' ' || p[n] == ','))
            return 1;
    return 0;
}

static json_t *words_json(const char *s)
{
    json_t *a = json_array();
    while (a && s && *s) {
        const char *sp = strpbrk(s, " ,");
        size_t n = sp ? (size_t)(sp - s) : strlen(s);
        if (n)
            json_array_append_new(a, json_stringn(s, n));
        s = sp ? sp + 1 : s + n;
    }
    return a;
}

json_t *zf_scopes_missing_json(const char *granted)
{
    json_t *out = json_array();
    for (size_t i = 0; out && zf_oauth_required_scopes[i]; i++) {
        const char *s = zf_oauth_required_scopes[i];
        if (has_word(granted, s))
            continue;
        json_t *acts = json_array();
        for (const zf_action *const *a = zf_actions(); acts && *a; a++) {
            zf_error ignored = ZF_ERROR_INIT;
            if ((*a)->scope && strcmp((*a)->scope, s) == 0 &&
                zf_action_scope_check(*a, granted ? granted : "", &ignored) == ZF_ESCOPE)
                json_array_append_new(acts, json_string((*a)->name));
        }
        json_array_append_new(
            out, json_pack("{s:s,s:o}", "scope", s, "actions", acts ? acts : json_array()));
    }
    return out;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The advice for the stored failure: a connection that needs
 * re-authorization is reconnected; another stored error is checked. */
static int last_hint_id(const zf_conn_info *i)
{
    if (i->state == ZF_CONN_NEEDS_REAUTH)
        return ZF_HINT_RECONNECT;
    return i->last_error ? ZF_HINT_CHECK_CONNECTION : ZF_HINT_NONE;
}

int zf_conn_info_json(json_t **out, const zf_conn_info *i)
{
    json_t *o = json_pack("{s:s,s:s,s:s}", "id", i->id ? i->id : "", "state",
                          zf_conn_state_name(i->state), "kind", zf_conn_kind_name(i->kind));
    *out = NULL;
    if (!o)
        return ZF_ENOMEM;
    json_object_set_new(o, "account_id", str_or_null(i->account_id));
    json_object_set_new(o, "user_id", str_or_null(i->user_id));
    json_object_set_new(o, "client_id", str_or_null(i->client_id));
    json_object_set_new(o, "api_base", str_or_null(i->api_base));
    json_object_set_new(o, "granted_scopes", words_json(i->scopes));
    json_object_set_new(o, "required_scopes", words_json(NULL));
    for (size_t k = 0; zf_oauth_required_scopes[k]; k++)
        json_array_append_new(json_object_get(o, "required_scopes"),
                              json_string(zf_oauth_required_scopes[k]));
    json_object_set_new(o, "missing_scopes", zf_scopes_missing_json(i->scopes));
    json_object_set_new(o, "unavailable_actions", zf_actions_unavailable_json(i->scopes));
    json_object_set_new(o, "access_expires_at", json_integer(i->expires_at));
    json_object_set_new(o, "connected_at", json_integer(i->connected_at));
    json_object_set_new(o, "last_refresh_at", json_integer(i->last_refresh_at));
    json_object_set_new(o, "refresh_count", json_integer(i->refresh_count));
    json_object_set_new(
        o, "refresh_started",
        i->refresh_started_at
            ? json_pack("{s:I,s:I,s:s,s:b}", "at", (json_int_t)i->refresh_started_at, "pid",
                        (json_int_t)i->refresh_pid, "host", i->refresh_host ? i->refresh_host : "?",
                        "interrupted", i->refresh_interrupted)
            : json_null());
    int hid = last_hint_id(i);
    json_object_set_new(o, "last_error",
                        i->last_error || hid != ZF_HINT_NONE
                            ? json_pack("{s:o,s:o,s:s}", "message", str_or_null(i->last_error),
                                        "hint", str_or_null(i->last_hint), "hint_id",
                                        zf_hint_name(hid))
                            : json_null());
    *out = o;
    return 0;
}

int zf_conn_view_json(json_t **out, zf_tokens *tk, const char *id, zf_error *err)
{
    zf_conn_info info;
    *out = NULL;
    int rc = zf_tokens_info(&info, tk, id, err);
    if (rc == ZF_ENOTCONNECTED) {
        zf_conn_info none;
        memset(&none, 0, sizeof none);
        none.id = (char *)(id ? id : "default");
        if ((rc = zf_conn_info_json(out, &none)) == 0) {
            json_object_set_new(*out, "state", json_string("ABSENT"));
            json_object_set_new(*out, "kind", json_null());
            json_object_set_new(*out, "unavailable_actions", json_array());
        }
        return rc;
    }
    if (rc)
        return rc;
    rc = zf_conn_info_json(out, &info);
    zf_conn_info_free(&info);
    return rc;
}
