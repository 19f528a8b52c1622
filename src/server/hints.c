/*
 * The service's rendering of hint ids (as src/cli/errors.c does for the
 * CLI): the advice as the admin page and API clients read it, and the
 * button that carries it out on the page (a label and where it goes).
 * Every id of the map has a row here except those the service never
 * emits (srv_hints_not_emitted: the CLI's own sites); tests/unit/
 * test_server.c walks the map and holds the two lists to that.
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
    {ZF_HINT_FIX_QUERY,
     "fix the query parameter named in problems (the message says what it accepts), or leave it "
     "out, and send the request again",
     NULL, NULL},
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
    {ZF_HINT_LIST_USERS,
     "see the account's users with the list_users action (POST /api/v1/actions/list_users)", NULL,
     NULL},
    {ZF_HINT_CHECK_CA_FILE,
     "the service's extra trusted CA file (ca_file, ZOOMFLOW_CA_FILE) must be a readable PEM "
     "bundle with the CA that signed the server's certificate; fix it and restart the service",
     NULL, NULL},
    {ZF_HINT_TRUST_CA,
     "check the clock of the service's host and the Zoom URLs it is set to; for a private CA (a "
     "TLS inspecting proxy) give it to the service as ca_file (ZOOMFLOW_CA_FILE) and restart it",
     NULL, NULL},
    {ZF_HINT_RAISE_TIMEOUT,
     "send the request again; if it keeps timing out, raise the service's request timeout "
     "(timeout, ZOOMFLOW_TIMEOUT)",
     NULL, NULL},
    {ZF_HINT_CHECK_NETWORK,
     "the service could not reach Zoom: check its host's network, DNS and proxy settings, then "
     "send the request again",
     NULL, NULL},
    {ZF_HINT_CHECK_API_BASE,
     "check the service's Zoom API base setting (api_base, ZOOMFLOW_API_BASE)", NULL, NULL},
    {ZF_HINT_CHECK_OAUTH_BASE,
     "set the service's OAuth base (oauth_base, ZOOMFLOW_OAUTH_BASE) to https://zoom.us, "
     "https://zoomgov.com or a zoomsim URL",
     NULL, NULL},
    {ZF_HINT_APP_CREDENTIALS,
     "copy it from the Zoom app's App Credentials page in the App Marketplace", NULL, NULL},
    {ZF_HINT_CHECK_REDIRECT_URI,
     "connect again; the Zoom app must list the service's redirect URI (oauth.redirect_uri of GET "
     "/api/v1/connection) exactly",
     "Connect", "/oauth/zoom/connect"},
    {ZF_HINT_SET_MASTER_KEY,
     "the service has no master key: set ZOOMFLOW_MASTER_KEY (openssl rand -hex 32) or its key "
     "file, then restart it",
     NULL, NULL},
    {ZF_HINT_RESTORE_MASTER_KEY,
     "restart the service with the master key the secrets were stored under", NULL, NULL},
    {ZF_HINT_KEY_FILE_MODE,
     "make the service's key file readable by its owner only (chmod 600), then restart it", NULL,
     NULL},
    {ZF_HINT_CHOOSE_DATABASE,
     "check the service's store (db, ZOOMFLOW_DB): sqlite:PATH or "
     "postgresql://USER@HOST:PORT/DATABASE",
     NULL, NULL},
    {ZF_HINT_DATABASE_BUSY, "the store was busy: send the request again", NULL, NULL},
    {ZF_HINT_RUN_AGAIN, "send the request again", NULL, NULL},
    {ZF_HINT_CHECK_IN_ZOOM,
     "look for the object in Zoom before sending the request again (or send it with the same "
     "Idempotency-Key), so it is not created twice",
     NULL, NULL},
    {ZF_HINT_RETRY_LATER,
     "Zoom is having trouble: check https://status.zoom.us and send the request again later", NULL,
     NULL},
    {ZF_HINT_SLOW_DOWN, "slow down: wait the seconds in Retry-After and spread bulk work over time",
     NULL, NULL},
    {ZF_HINT_WAIT_FOR_RESET,
     "Zoom's daily limit for this request is used up: wait until it resets (Retry-After)", NULL,
     NULL},
    {ZF_HINT_CHECK_IDS, "check the ids in the request", NULL, NULL},
    {ZF_HINT_CHECK_RECORDING, "check the recording in Zoom's web portal", NULL, NULL},
    {ZF_HINT_INSTALL_TZDATA,
     "install the tzdata package on the service's host (or set TZDIR to a zoneinfo directory), "
     "then restart the service",
     NULL, NULL},
    {ZF_HINT_REMOVE_APP,
     "remove the app from the Zoom account in the App Marketplace (Manage > Added Apps), then "
     "connect again",
     "Connect", "/oauth/zoom/connect"},
    {ZF_HINT_SEE_MESSAGE, "see Zoom's message", NULL, NULL},
    {ZF_HINT_CHECK_APP,
     "check the Zoom app in the App Marketplace: its scopes, its activation, and that the "
     "connecting user is an admin of the Zoom account",
     NULL, NULL},
    {ZF_HINT_CHECK_PATH,
     "give call_api's path relative to /v2, starting with '/', with reserved characters in values "
     "percent-encoded (e.g. /users/me/meetings)",
     NULL, NULL},
    {ZF_HINT_STREAM_LARGE,
     "Zoom's answer is larger than the service takes: ask for less (a smaller page_size or a "
     "narrower range)",
     NULL, NULL},
    {ZF_HINT_DATABASE_LOGIN,
     "the service's operator must check the database user and password (kept in a password file "
     "such as PGPASSFILE, not in the DSN)",
     NULL, NULL},
    {ZF_HINT_DATABASE_UNREACHABLE,
     "the service's database is unreachable: check that it runs and accepts connections from the "
     "service; send the request again once it does",
     NULL, NULL},
    {ZF_HINT_DATABASE_MISSING,
     "create the service's database, or correct its name in the service's DSN", NULL, NULL},
    {ZF_HINT_DATABASE_GRANTS,
     "grant the service's database role the privileges the store needs (docs/postgresql.md)", NULL,
     NULL},
    {ZF_HINT_DATABASE_TLS,
     "check the service DSN's sslmode and sslrootcert against the database server's TLS setup",
     NULL, NULL},
    {ZF_HINT_DATABASE_TOO_NEW,
     "run a zoomflow release at least as new as the one that last upgraded the database", NULL,
     NULL},
    {ZF_HINT_DATABASE_LOST,
     "the service lost its database connection: send the request again once the database is "
     "reachable",
     NULL, NULL},
    {ZF_HINT_ORG_SLUG,
     "name the org with 1 to 40 lowercase letters, digits and hyphens, starting with a letter or "
     "digit",
     NULL, NULL},
    {ZF_HINT_PASSWORD_RULES,
     "choose a password of 10 to 1024 characters that is not one character repeated", NULL, NULL},
    {ZF_HINT_CHECK_CREDENTIALS, "check the email address and the password", "Sign in", "/#signin"},
    {ZF_HINT_KEEP_AN_ADMIN,
     "make another account an admin of the org first (PATCH /api/v1/accounts/{id} with role admin)",
     "Accounts", "/#accounts"},
    {ZF_HINT_CHOOSE_ORG, "name the org to sign in to (the org member of POST /api/v1/session)",
     "Sign in", "/#signin"},
    {ZF_HINT_REMOVE_FROM_ORG,
     "the account belongs to other orgs too: remove it from this org (DELETE "
     "/api/v1/accounts/{id}) instead",
     "Accounts", "/#accounts"},
    {ZF_HINT_CHECK_EMAIL, "give an email address such as name@example.com", NULL, NULL},
    {ZF_HINT_CHECK_ROLE, "use one of the roles viewer, operator or admin", NULL, NULL},
    {ZF_HINT_CREATE_ORG,
     "create the org first (zoomflow admin create --org ORG on the service's host), or check its "
     "name",
     NULL, NULL},
    {ZF_HINT_FIX_CLOCK,
     "set the service host's clock right (NTP): token expiry and webhook timestamps depend on it",
     "Doctor", "/#doctor"},
    {ZF_HINT_MATCH_APP_TYPE,
     "connect an admin-managed OAuth app, or a Server-to-Server app with the :admin scopes "
     "(App Marketplace > your app > Scopes)",
     "Connect", "/oauth/zoom/connect"},
    {ZF_HINT_NAME_USER,
     "name the user by id or email instead of `me` (the action's user_id, or call_api's path): "
     "a Server-to-Server token has no user behind it",
     "Doctor", "/#doctor"},
    {ZF_HINT_WEBHOOK_CLOCK,
     "check the clocks (NTP) of the service's host and of whatever sends the webhooks: a "
     "delivery's timestamp must be within 5 minutes of now",
     NULL, NULL},
    {ZF_HINT_WEBHOOK_SECRET_MISMATCH,
     "store the Zoom app's current Secret Token (App Marketplace > your app > Features > Access > "
     "Secret Token) with PUT /api/v1/webhook",
     NULL, NULL},
    {ZF_HINT_WEBHOOK_SECRET,
     "set the org's webhook secret token to the Zoom app's Secret Token with PUT /api/v1/webhook "
     "(App Marketplace > your app > Features > Access)",
     NULL, NULL},
    {ZF_HINT_NEW_IDEMPOTENCY_KEY,
     "send a new Idempotency-Key for a different request; the same key answers the first request's "
     "answer again",
     NULL, NULL},
    {ZF_HINT_RETRY_IN_PROGRESS,
     "the first request with this Idempotency-Key is still running: send the same request again "
     "after the seconds in Retry-After",
     NULL, NULL},
    {ZF_HINT_AUDIT_CURSOR,
     "give ?before= the next_before of the page before, as GET /api/v1/audit answered it, or "
     "leave it out for the newest entries",
     NULL, NULL},
    /* wfrest: the workflows and runs routes */
    {ZF_HINT_FIX_WORKFLOW,
     "fix the definition at the line:column each problem names, then POST it again", NULL, NULL},
    {ZF_HINT_LIST_WORKFLOWS, "list the workflows (GET /api/v1/workflows) to find its name", NULL,
     NULL},
    {ZF_HINT_LIST_RUNS,
     "list the runs (GET /api/v1/runs; page on with ?before= the next_before it answered)", "Runs",
     "/#runs"},
    {ZF_HINT_RUN_NOT_FAILED,
     "only a failed run can be retried: look at the run's state and steps (GET /api/v1/runs/{id})",
     NULL, NULL},
    {ZF_HINT_RUN_FINISHED, "the run has ended; start a new run instead", NULL, NULL},
    {ZF_HINT_CHECK_RUN_DATA,
     "give the event the fields named in problems, of the types the workflow's input schema "
     "names, and post it again",
     NULL, NULL},
    {ZF_HINT_UNKNOWN_EVENT,
     "post one of the event names the message lists: each is the `on: {event: NAME}` of a "
     "workflow of the org (serve --workflows DIR)",
     NULL, NULL},
    {ZF_HINT_NONE, NULL, NULL, NULL},
};

/* Ids no code path of the service reaches, with where they come from. */
const srv_hint_skip srv_hints_not_emitted[] = {
    {ZF_HINT_LIST_CONNECTIONS, "the CLI's profiles (zoomflow status); an org has one connection"},
    {ZF_HINT_GET_TOKEN, "a fixed access token (zoomflow api --token); the service's come from "
                        "the store"},
    {ZF_HINT_CHOOSE_DIRECTORY, "recordings download to a directory (the CLI's download)"},
    {ZF_HINT_CHECK_DISK, "recordings download to a directory (the CLI's download)"},
    {ZF_HINT_FREE_DISK, "the doctor's archive directory (zoomflow doctor --archive-dir); the "
                        "service archives nothing"},
    {ZF_HINT_CHECK_DOWNLOAD_URL, "recordings download (the CLI's download)"},
    {ZF_HINT_RUN_LEASE_LOST, "workflow runs (zoomflow workflows)"},
    {ZF_HINT_RUN_HELD, "a run another worker executes (zoomflow run, runs work)"},
    {ZF_HINT_NONE, NULL},
};

const srv_hint_row *srv_hint_find(int id)
{
    for (const srv_hint_row *r = srv_hints; r->id != ZF_HINT_NONE; r++)
        if (r->id == id)
            return r;
    return NULL;
}
