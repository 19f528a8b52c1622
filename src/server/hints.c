/*
 * The service's rendering of hint ids (as src/cli/errors.c does for the
 * CLI): the advice as the admin page and API clients read it, and the
 * button that carries it out on the page (a label and where it goes).
 * An id without a row keeps the words the error carries.
 */
#include "core.h"

#include "zoomflow/hint.h"

static const srv_hint_row srv_hints[] = {
    {ZF_HINT_CONNECT, "connect the org's Zoom account first (Settings > App Store > Zoom)",
     "Connect", "/oauth/zoom/connect"},
    {ZF_HINT_RECONNECT, "reconnect Zoom to get new tokens", "Reconnect", "/oauth/zoom/connect"},
    {ZF_HINT_CHECK_CONNECTION, "see the Zoom connection's health on the admin page", "Open",
     "/#connection"},
    {ZF_HINT_ADD_SCOPE, "add the missing scope to the Zoom app, then reconnect", "Reconnect",
     "/oauth/zoom/connect"},
    {ZF_HINT_SEE_ACTION_HELP, "see the action's input schema (GET /api/v1/actions/{name})", NULL,
     NULL},
    {ZF_HINT_FIX_FIELDS, "fix the fields named in problems and send the request again", NULL, NULL},
    {ZF_HINT_SIGN_IN_AGAIN, "sign in again (POST /api/v1/session), or send a valid API key",
     "Sign in", "/#signin"},
    {ZF_HINT_NEED_ROLE, "ask an org admin for a role that allows it", NULL, NULL},
    {ZF_HINT_SEND_CSRF_TOKEN,
     "send the X-CSRF-Token header with the csrf_token the session answered (GET /api/v1/session)",
     NULL, NULL},
    {ZF_HINT_SEND_JSON, "send the body as JSON with Content-Type: application/json", NULL, NULL},
    {ZF_HINT_SMALLER_BODY, "send a smaller request body", NULL, NULL},
    {ZF_HINT_CHECK_ROUTE, "check the path and method against GET /api/v1/openapi.json", NULL, NULL},
    {ZF_HINT_SIGNIN_WAIT, "wait the seconds in Retry-After, then sign in again", NULL, NULL},
    {ZF_HINT_CHECK_API_KEY, "check the API key; an org admin can make a new one on the admin page",
     "API keys", "/#keys"},
    {ZF_HINT_NONE, NULL, NULL, NULL},
};

const srv_hint_row *srv_hint_find(int id)
{
    for (const srv_hint_row *r = srv_hints; r->id != ZF_HINT_NONE; r++)
        if (r->id == id)
            return r;
    return NULL;
}
