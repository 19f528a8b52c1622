/*
 * Hints: what the user should do about an error, said by no surface.
 *
 * The library never names a CLI command, a flag or a button. It gives each
 * piece of advice a stable id (ZF_HINT_MAP) and neutral words ("reconnect
 * the Zoom connection"); the values the advice needs (the connection, the
 * action, the field, a URI or scope) travel as structured arguments in
 * zf_error.hint_arg, never baked into surface syntax. Each surface (the
 * CLI, the HTTP service) keeps its own table of zf_hint_row: one template
 * per id it can do better than the words, expanded by zf_hint_render with
 * the same placeholder rules, so a new surface is a second table and a
 * resolver, not a copy of the logic.
 *
 * Numbers never change once released (a surface, a log reader or a stored
 * record may keep them); names are the ids without the prefix ("RECONNECT").
 * docs/cli.md lists how the CLI renders them.
 */
#ifndef ZOOMFLOW_HINT_H
#define ZOOMFLOW_HINT_H

#include <stddef.h>

#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* The arguments a hint may carry (bits in ZF_HINT_MAP's third column). */
typedef enum zf_hint_arg {
    ZF_HINT_ARG_CONNECTION, /* a connection id (the CLI's profile) */
    ZF_HINT_ARG_ACTION,     /* an action's registry name ("create_meeting") */
    ZF_HINT_ARG_FIELD,      /* an input field or setting ("client_id") */
    ZF_HINT_ARG_VALUE,      /* the URI, scope, path or key id the advice names */
    ZF_HINT_ARG_COUNT
} zf_hint_arg;

#define ZF_HA_CONN (1u << ZF_HINT_ARG_CONNECTION)
#define ZF_HA_ACTION (1u << ZF_HINT_ARG_ACTION)
#define ZF_HA_FIELD (1u << ZF_HINT_ARG_FIELD)
#define ZF_HA_VALUE (1u << ZF_HINT_ARG_VALUE)

/* X(name, number, arguments it may carry, the neutral words when a site
 * gives none). The words of a site may be more precise (a file name, a
 * time) but, like these, name no surface command, flag or button. */
#define ZF_HINT_MAP(X)                                                                             \
    X(NONE, 0, 0, "")                                                                              \
    X(CONNECT, 1, ZF_HA_CONN, "connect the Zoom account first")                                    \
    X(RECONNECT, 2, ZF_HA_CONN, "reconnect the Zoom connection to get new tokens")                 \
    X(LIST_CONNECTIONS, 3, 0, "list the connections")                                              \
    X(CHECK_CONNECTION, 4, ZF_HA_CONN,                                                             \
      "check the connection's status, and reconnect it if it is broken")                           \
    X(ADD_SCOPE, 5, ZF_HA_CONN | ZF_HA_VALUE,                                                      \
      "add the scope to the Zoom app (App Marketplace > your app > Scopes), then "                 \
      "reconnect the Zoom connection so it is granted")                                            \
    X(SEE_ACTION_HELP, 6, ZF_HA_ACTION, "see the action's input description")                      \
    X(LIST_USERS, 7, 0, "list the account's users")                                                \
    X(CHECK_CA_FILE, 8, ZF_HA_VALUE,                                                               \
      "give a readable PEM bundle with the CA that signed the server's certificate "               \
      "as the extra trusted CA file")                                                              \
    X(TRUST_CA, 9, 0,                                                                              \
      "check the system clock and that the URL names the right host; for a private "               \
      "CA (a TLS inspecting proxy, a test server) give it as the extra trusted CA file")           \
    X(RAISE_TIMEOUT, 10, 0, "try again, or raise the request timeout")                             \
    X(CHECK_NETWORK, 11, 0, "check the network, the host name and the proxy settings")             \
    X(CHECK_API_BASE, 12, ZF_HA_VALUE, "check the API base URL setting")                           \
    X(CHECK_OAUTH_BASE, 13, 0,                                                                     \
      "use https://zoom.us, https://zoomgov.com or a zoomsim URL as the OAuth base")               \
    X(APP_CREDENTIALS, 14, ZF_HA_FIELD,                                                            \
      "copy it from the Zoom app's App Credentials page in the App Marketplace")                   \
    X(CHECK_REDIRECT_URI, 15, ZF_HA_CONN | ZF_HA_VALUE,                                            \
      "connect again; the redirect URI registered in the Zoom app must match exactly")             \
    X(SET_MASTER_KEY, 16, 0,                                                                       \
      "set ZOOMFLOW_MASTER_KEY (64 hex characters: openssl rand -hex 32) or give a "               \
      "key file")                                                                                  \
    X(RESTORE_MASTER_KEY, 17, ZF_HA_VALUE, "restore the master key the secrets were stored under") \
    X(KEY_FILE_MODE, 18, ZF_HA_VALUE, "make the key file readable by its owner only")              \
    X(CHOOSE_DATABASE, 19, ZF_HA_VALUE,                                                            \
      "choose another database, as a DSN of the form sqlite:PATH or "                              \
      "postgresql://USER@HOST:PORT/DATABASE")                                                      \
    X(DATABASE_BUSY, 20, 0,                                                                        \
      "another process held the database lock; retry, and check for a stuck process")              \
    X(CHOOSE_DIRECTORY, 21, ZF_HA_VALUE, "choose another output directory")                        \
    X(CHECK_DISK, 22, 0, "check the directory's free space and permissions")                       \
    X(RUN_AGAIN, 23, 0, "run it again")                                                            \
    X(CHECK_IN_ZOOM, 24, 0,                                                                        \
      "look for the object in Zoom before running it again, so it is not created "                 \
      "twice")                                                                                     \
    X(RETRY_LATER, 25, 0, "Zoom is having trouble: check https://status.zoom.us and retry later")  \
    X(SLOW_DOWN, 26, 0, "slow down or spread bulk work over time")                                 \
    X(WAIT_FOR_RESET, 27, 0, "wait until the daily limit resets")                                  \
    X(FIX_FIELDS, 28, 0, "fix the fields named and send the request again")                        \
    X(CHECK_IDS, 29, 0, "check the ids in the request")                                            \
    X(CHECK_RECORDING, 30, 0, "check the recording in Zoom's web portal")                          \
    X(INSTALL_TZDATA, 31, 0, "install the tzdata package (or set TZDIR to a zoneinfo directory)")  \
    X(REMOVE_APP, 32, 0,                                                                           \
      "remove the app from the account in the Zoom App Marketplace (Manage > Added "               \
      "Apps)")                                                                                     \
    X(SEE_MESSAGE, 33, 0, "see Zoom's message")                                                    \
    X(CHECK_APP, 34, 0,                                                                            \
      "check the Zoom app in the App Marketplace: its scopes, its activation, and "                \
      "that the connected user is an admin of the account")                                        \
    X(GET_TOKEN, 35, 0,                                                                            \
      "get a fresh access token, or use a stored connection, whose tokens are "                    \
      "refreshed automatically")                                                                   \
    X(CHECK_PATH, 36, 0,                                                                           \
      "give the path relative to /v2, starting with '/', with reserved characters "                \
      "in values percent-encoded (e.g. /users/me/meetings)")                                       \
    X(CHECK_DOWNLOAD_URL, 37, 0,                                                                   \
      "download URLs must be on zoom.us (or the configured API base); check the "                  \
      "listing or the API base setting")                                                           \
    X(STREAM_LARGE, 38, 0, "the answer is larger than expected; for downloads use streaming")      \
    X(DATABASE_LOGIN, 39, 0,                                                                       \
      "check the database user and password; keep the password in a password file "                \
      "(PGPASSFILE, ~/.pgpass), not in the DSN")                                                   \
    X(DATABASE_UNREACHABLE, 40, 0,                                                                 \
      "check the database server's host and port, and that it runs and accepts "                   \
      "connections from here")                                                                     \
    X(DATABASE_MISSING, 41, ZF_HA_VALUE, "create the database, or correct its name in the DSN")    \
    X(DATABASE_GRANTS, 42, 0,                                                                      \
      "grant the database role the privileges the store needs (docs/postgresql.md)")               \
    X(DATABASE_TLS, 43, 0,                                                                         \
      "check the DSN's sslmode and sslrootcert against the server's TLS setup")                    \
    X(DATABASE_TOO_NEW, 44, 0,                                                                     \
      "use a release at least as new as the one that last upgraded the database")                  \
    X(DATABASE_LOST, 45, 0,                                                                        \
      "the database connection was lost; retry once the server is reachable")                      \
    X(ORG_SLUG, 60, ZF_HA_VALUE,                                                                   \
      "name the org with 1 to 40 lowercase letters, digits and hyphens, starting with a "          \
      "letter or digit")                                                                           \
    X(PASSWORD_RULES, 61, 0,                                                                       \
      "choose a password of 10 to 1024 characters that is not one character repeated")             \
    X(SIGNIN_WAIT, 62, 0, "wait until the sign-in lock ends, then try again")                      \
    X(SIGN_IN_AGAIN, 63, 0, "sign in again")                                                       \
    X(CHECK_CREDENTIALS, 64, 0, "check the email address and the password")                        \
    X(CHECK_API_KEY, 65, 0, "check the API key; an admin of the org can make a new one")           \
    X(KEEP_AN_ADMIN, 66, ZF_HA_VALUE, "make another account an admin of the org first")            \
    X(CHOOSE_ORG, 67, ZF_HA_VALUE, "name the org to sign in to")                                   \
    X(SEND_CSRF_TOKEN, 68, 0,                                                                      \
      "send the session's CSRF token with every change, as given at sign-in")                      \
    X(REMOVE_FROM_ORG, 69, ZF_HA_VALUE,                                                            \
      "the account belongs to other orgs too: remove it from this org instead")                    \
    X(CHECK_EMAIL, 70, ZF_HA_FIELD, "give an email address such as name@example.com")              \
    X(CHECK_ROLE, 71, ZF_HA_FIELD, "use one of the roles viewer, operator or admin")               \
    X(CREATE_ORG, 72, ZF_HA_VALUE, "create the org first, or check its name")                      \
    X(AUDIT_CURSOR, 73, 0,                                                                         \
      "pass the cursor the previous page gave, unchanged, or none for the newest entries")         \
    X(NEED_ROLE, 80, ZF_HA_VALUE, "ask an org admin for a role that allows it")                    \
    X(SEND_JSON, 81, 0, "send a JSON body, declared as application/json")                          \
    X(SMALLER_BODY, 82, 0, "send a smaller request body")                                          \
    X(CHECK_ROUTE, 83, 0, "check the request's path and method against the API document")          \
    X(FIX_CLOCK, 84, 0,                                                                            \
      "set this machine's clock right (NTP): token expiry and webhook timestamps depend on it")    \
    X(MATCH_APP_TYPE, 85, 0,                                                                       \
      "use a Zoom app of the type the connection needs: an admin-managed OAuth app or a "          \
      "Server-to-Server app with the :admin scopes")                                               \
    X(FREE_DISK, 86, 0, "free disk space where recordings are archived, or archive elsewhere")     \
    X(WEBHOOK_CLOCK, 100, 0,                                                                       \
      "check the clocks (NTP) of this host and of whatever sends the webhooks: a "                 \
      "delivery's timestamp must be within 5 minutes of now")                                      \
    X(WEBHOOK_SECRET_MISMATCH, 101, 0,                                                             \
      "store the Zoom app's current Secret Token (App Marketplace > your app > Features > "        \
      "Access > Secret Token) as the webhook secret token")                                        \
    X(WEBHOOK_SECRET, 102, 0,                                                                      \
      "set the webhook secret token to the Zoom app's Secret Token (App Marketplace > your app "   \
      "> Features > Access)")                                                                      \
    X(NEW_IDEMPOTENCY_KEY, 120, ZF_HA_VALUE,                                                       \
      "use a new idempotency key for a different request; the same key repeats the first "         \
      "request's answer")                                                                          \
    X(RETRY_IN_PROGRESS, 121, ZF_HA_VALUE,                                                         \
      "the first request with this idempotency key is still running: send the same "               \
      "request again after the wait given")                                                        \
    X(FIX_WORKFLOW, 140, ZF_HA_VALUE,                                                              \
      "fix the workflow definition at the place named, then validate it again")                    \
    X(CHECK_RUN_DATA, 141, ZF_HA_VALUE,                                                            \
      "the run's data lacks a value the template names: give it in the event, or add a "           \
      "default to the template")                                                                   \
    X(UNKNOWN_EVENT, 142, ZF_HA_VALUE,                                                             \
      "post one of the event names the org's workflows listen to (their `on: {event: NAME}`)")     \
    X(FIX_QUERY, 143, 0,                                                                           \
      "fix the query parameter named (the message says what it accepts), or leave it out")         \
    X(NAME_USER, 144, ZF_HA_ACTION,                                                                \
      "name the user by id or email instead of `me`: a Server-to-Server token has no user "        \
      "behind it")                                                                                 \
    X(LIST_RUNS, 160, ZF_HA_VALUE, "list the runs to find the run's id")                           \
    X(RUN_NOT_FAILED, 161, ZF_HA_VALUE,                                                            \
      "only a failed run can be retried; look at the run's state and steps")                       \
    X(RUN_FINISHED, 162, ZF_HA_VALUE, "the run has ended; start a new run instead")                \
    X(RUN_LEASE_LOST, 163, ZF_HA_VALUE,                                                            \
      "this worker's lease on the run ended (it expired, was taken over or the run was "           \
      "cancelled); the run goes on with its new owner")                                            \
    X(LIST_WORKFLOWS, 164, ZF_HA_VALUE, "list the workflows to find its name and versions")        \
    X(RUN_HELD, 170, ZF_HA_VALUE,                                                                  \
      "another worker is executing the run: look at the run's steps, or try again once its "       \
      "lease has ended")

typedef enum zf_hint {
#define ZF_X_HINT_ENUM(name, num, args, words) ZF_HINT_##name = num,
    ZF_HINT_MAP(ZF_X_HINT_ENUM)
#undef ZF_X_HINT_ENUM
} zf_hint;

/* "RECONNECT"; NULL for a number not in the map. */
const char *zf_hint_name(int id);
/* The id's neutral words ("" for NONE); NULL for a number not in the map. */
const char *zf_hint_words(int id);
/* The ZF_HA_* bits of the arguments the id may carry. */
unsigned zf_hint_args(int id);
/* Every id in the map, in order, ending with -1 (for surfaces' tests). */
const int *zf_hint_ids(void);

struct zf_buf;
struct zf_error;

/* One row of a surface's hint table: how that surface carries out the
 * advice of one id. `how` is a template: {connection}, {action}, {field}
 * and {value} are replaced by the surface's resolver with err's argument;
 * {action:list_users} passes the value written after the colon instead;
 * everything else is copied. A table ends with a row whose id is
 * ZF_HINT_NONE. */
typedef struct zf_hint_row {
    int id;
    const char *how;
} zf_hint_row;

/* Writes one argument as the surface shows it (the CLI: a connection as
 * "--profile NAME ", an action as its command name; the service: a route).
 * value is err's argument, "" when the site gave none. Returns 0, or -1
 * when the surface cannot show it (the row is then not rendered). */
typedef int (*zf_hint_resolve_fn)(void *ctx, zf_hint_arg which, const char *value,
                                  struct zf_buf *out);

/* Appends the `how` of err's hint from the surface's table to out.
 * Returns 1 when rendered, 0 when the table has no row for the id or the
 * resolver refused an argument (out is then unchanged), ZF_ENOMEM when
 * out failed. */
int zf_hint_render(struct zf_buf *out, const zf_hint_row *table, const struct zf_error *err,
                   zf_hint_resolve_fn resolve, void *ctx);
/* The table's row for id, or NULL. */
const zf_hint_row *zf_hint_row_find(const zf_hint_row *table, int id);

ZF_PUBLIC_END

#endif
