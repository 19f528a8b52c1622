/*
 * The troubleshooting table of the Zoom integration's setup page, word for
 * word, keyed by what the library says to do about a failure (doctor.h):
 * the service's page and the doctor show the same resolutions. Moved down
 * from the service so the CLI's doctor can say them too.
 */
#include "zoomflow/doctor.h"

#include <stddef.h>
#include <string.h>

#include "zoomflow/error.h"
#include "zoomflow/hint.h"
#include "zoomflow/store.h"

#define AUTH_TITLE "Authentication failure"
#define AUTH_CAUSE "The OAuth authorization code has expired or the redirect URI doesn't match."
#define AUTH_FIX "Re-initiate the OAuth flow from Settings > App Store > Zoom."
#define REFRESH_TITLE "Token refresh failure"
#define REFRESH_CAUSE "The refresh token has expired or been revoked."
#define REFRESH_FIX "Re-authenticate the integration to generate new tokens."
#define API_TITLE "API errors (5xx)"
#define API_CAUSE "The Zoom API is experiencing issues."
#define API_FIX "Check the Zoom status page and retry the operation."

static json_t *row(const char *title, const char *cause, const char *fix, const char *label,
                   const char *href)
{
    json_t *o = json_pack("{s:s,s:s,s:s}", "title", title, "cause", cause, "resolution", fix);
    if (o && label)
        json_object_set_new(o, "button", json_pack("{s:s,s:s}", "label", label, "href", href));
    return o;
}

json_t *zf_seed_problem(int hint_id, int code)
{
    switch (hint_id) {
    case ZF_HINT_RECONNECT:
        return row(REFRESH_TITLE, REFRESH_CAUSE, REFRESH_FIX, "Reconnect", "/oauth/zoom/connect");
    case ZF_HINT_CHECK_REDIRECT_URI:
        return row(AUTH_TITLE, AUTH_CAUSE, AUTH_FIX, "Connect", "/oauth/zoom/connect");
    case ZF_HINT_RETRY_LATER:
        return row(API_TITLE, API_CAUSE, API_FIX, "Zoom status", "https://status.zoom.us");
    default:
        break;
    }
    if (code == ZF_EREAUTH)
        return row(REFRESH_TITLE, REFRESH_CAUSE, REFRESH_FIX, "Reconnect", "/oauth/zoom/connect");
    if (code == ZF_EAUTH || code == ZF_ESTATE)
        return row(AUTH_TITLE, AUTH_CAUSE, AUTH_FIX, "Connect", "/oauth/zoom/connect");
    if (code == ZF_ESERVER)
        return row(API_TITLE, API_CAUSE, API_FIX, "Zoom status", "https://status.zoom.us");
    return NULL;
}

/* Not a row of the setup page's table: the page's words for a connection
 * whose app was removed in Zoom (app_deauthorized), in the same shape. */
json_t *zf_seed_deauthorized(void)
{
    return row("App removed in Zoom",
               "The Zoom app was removed (deauthorized) from the Zoom account in the Zoom App "
               "Marketplace, so Zoom ended its tokens; they were deleted here.",
               "Reconnect from Settings > App Store > Zoom.", "Reconnect", "/oauth/zoom/connect");
}

int zf_conn_deauthorized(const char *last_error)
{
    return last_error &&
           strncmp(last_error, ZF_CONN_DEAUTH_PREFIX, strlen(ZF_CONN_DEAUTH_PREFIX)) == 0;
}

const char *zf_conn_health(int state, int64_t access_expires_at, const char *last_error,
                           int64_t now)
{
    if (state == ZF_CONN_NEEDS_REAUTH)
        return "NEEDS_REAUTH";
    if (access_expires_at <= now && last_error && *last_error)
        return "REFRESH_FAILING";
    return "VALID";
}
