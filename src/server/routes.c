/*
 * The one route table: every route of the service, what it needs and what
 * it says about itself (the OpenAPI document at /api/v1/openapi.json is
 * made from these rows). Each branch adds its rows in its own group;
 * handlers live in routes/<domain>.c, declared in handlers.h.
 */
#include "handlers.h"
#include "server.h"
#include "zoomflow/webhook.h"

#define KIB(n) ((size_t)(n)*1024u)

const srv_route srv_routes[] = {
    /* --- svccore: health, metrics, the document, the page */
    {"GET", "/healthz", srv_h_healthz, SRV_ROLE_ANON, 0, SRV_ANON, "Process is up", NULL, "Health"},
    {"GET", "/readyz", srv_h_readyz, SRV_ROLE_ANON, 0, SRV_ANON,
     "Store reachable, each org's Zoom connection as stored "
     "(503 naming the part that failed; ?require=connection: 503 too while one needs a person)",
     NULL, "Ready"},
    {"GET", "/metrics", srv_h_metrics, SRV_ROLE_ANON, 0, SRV_ANON, "Prometheus text exposition",
     NULL, NULL},
    {"GET", "/api/v1/openapi.json", srv_h_openapi, SRV_ROLE_ANON, 0, SRV_ANON,
     "This document (OpenAPI 3.1)", NULL, NULL},
    {"GET", "/", srv_h_index, SRV_ROLE_ANON, 0, SRV_ANON | SRV_HIDDEN, "The admin page", NULL,
     NULL},
    {"GET", "/assets/{file}", srv_h_asset, SRV_ROLE_ANON, 0, SRV_ANON | SRV_HIDDEN,
     "The admin page's assets", NULL, NULL},

    /* --- svccore: session, accounts, keys, audit */
    {"POST", "/api/v1/session", srv_h_session_create, SRV_ROLE_ANON, KIB(8), SRV_ANON | SRV_NO_CSRF,
     "Sign in (sets the zf_session cookie)", "SignIn", "Session"},
    {"GET", "/api/v1/session", srv_h_session_get, SRV_ROLE_VIEWER, 0, 0, "The signed-in session",
     NULL, "Session"},
    {"DELETE", "/api/v1/session", srv_h_session_delete, SRV_ROLE_VIEWER, 0, 0, "Sign out", NULL,
     NULL},
    {"GET", "/api/v1/accounts", srv_h_accounts_list, SRV_ROLE_ADMIN, 0, 0,
     "The org's accounts and their roles", NULL, "AccountList"},
    {"POST", "/api/v1/accounts", srv_h_accounts_create, SRV_ROLE_ADMIN, KIB(8), 0,
     "Create an account in the org (or give an existing one a role)", "AccountCreate", "Account"},
    {"PATCH", "/api/v1/accounts/{id}", srv_h_accounts_update, SRV_ROLE_ADMIN, KIB(8), 0,
     "Change an account's role or password", "AccountUpdate", "Account"},
    {"DELETE", "/api/v1/accounts/{id}", srv_h_accounts_delete, SRV_ROLE_ADMIN, 0, 0,
     "Remove an account from the org", NULL, NULL},
    {"GET", "/api/v1/keys", srv_h_keys_list, SRV_ROLE_ADMIN, 0, 0, "The org's API keys", NULL,
     "KeyList"},
    {"POST", "/api/v1/keys", srv_h_keys_create, SRV_ROLE_ADMIN, KIB(8), 0,
     "Create an API key (the key is answered once)", "KeyCreate", "KeyCreated"},
    {"DELETE", "/api/v1/keys/{id}", srv_h_keys_delete, SRV_ROLE_ADMIN, 0, 0, "Revoke an API key",
     NULL, NULL},
    {"GET", "/api/v1/audit", srv_h_audit_list, SRV_ROLE_ADMIN, 0, 0,
     "The org's audit log, newest first (?limit=&before=)", NULL, "AuditList"},

    /* --- svcactions: actions, connection, OAuth */
    {"GET", "/api/v1/actions", srv_h_actions_list, SRV_ROLE_VIEWER, 0, 0,
     "The actions: name, summary, words, scopes, kind and input JSON Schema", NULL, "ActionList"},
    {"GET", "/api/v1/actions/{name}", srv_h_actions_get, SRV_ROLE_VIEWER, 0, 0,
     "One action: name, summary, words, scopes, kind and input JSON Schema", NULL, "Action"},
    {"POST", "/api/v1/actions/{name}", srv_h_actions_run, SRV_ROLE_OPERATOR, KIB(1024), 0,
     "Run an action (?dry_run=1 shows the Zoom request without sending it; "
     "Idempotency-Key: a repeat gets the first answer)",
     "ActionInput", "ActionResult"},
    {"GET", "/api/v1/connection", srv_h_connection_get, SRV_ROLE_VIEWER, 0, 0,
     "The org's Zoom connection: state, account, granted vs required scopes, token times, "
     "last error",
     NULL, "Connection"},
    {"POST", "/api/v1/connection", srv_h_connection_s2s, SRV_ROLE_ADMIN, KIB(8), 0,
     "Connect with Server-to-Server OAuth credentials", "ConnectionS2S", "Connection"},
    {"DELETE", "/api/v1/connection", srv_h_connection_delete, SRV_ROLE_ADMIN, 0, 0,
     "Disconnect: revoke at Zoom and wipe the tokens", NULL, "Disconnected"},
    {"GET", "/api/v1/doctor", srv_h_doctor, SRV_ROLE_ADMIN, 0, 0,
     "Diagnose the org's Zoom integration: connection, scopes, app type, clock, reachability, "
     "rate limits, webhooks, store (each ok / warn / fail with what to do)",
     NULL, NULL},
    {"GET", "/oauth/zoom/connect", srv_h_oauth_connect, SRV_ROLE_ADMIN, 0, SRV_HIDDEN,
     "Start the OAuth flow (an admin's session): 303 to Zoom's authorize page", NULL, NULL},
    {"GET", "/oauth/zoom/callback", srv_h_oauth_callback, SRV_ROLE_ANON, 0,
     SRV_ANON | SRV_NO_CSRF | SRV_HIDDEN,
     "Zoom's redirect back (authenticated by the one-time state)", NULL, NULL},

    /* --- svcwebhook: webhook settings and intake */
    {"GET", "/api/v1/webhook", srv_h_webhook_get, SRV_ROLE_ADMIN, 0, 0,
     "Whether the org's Zoom webhook secret token is set, and the URL to give Zoom", NULL,
     "WebhookSettings"},
    {"PUT", "/api/v1/webhook", srv_h_webhook_put, SRV_ROLE_ADMIN, KIB(8), 0,
     "Set the Zoom app's webhook Secret Token (stored encrypted)", "WebhookSecret",
     "WebhookSettings"},
    {"POST", "/webhooks/zoom/{org}", srv_h_webhook_intake, SRV_ROLE_ANON, ZF_WEBHOOK_BODY_MAX,
     SRV_ANON | SRV_NO_CSRF | SRV_RAW,
     "Zoom event intake (x-zm-signature over the raw body; url_validation answered)", NULL, NULL},

    /* --- wfrest: stored workflows and their runs (docs/runs.md) */
    {"GET", "/api/v1/workflows", srv_h_workflows_list, SRV_ROLE_VIEWER, 0, 0,
     "The latest version of each of the org's workflows", NULL, "WorkflowList"},
    {"GET", "/api/v1/workflows/{name}", srv_h_workflows_get, SRV_ROLE_VIEWER, 0, 0,
     "One workflow version with its definition (?version=N, default the latest)", NULL, "Workflow"},
    {"POST", "/api/v1/workflows", srv_h_workflows_create, SRV_ROLE_ADMIN, KIB(1024), SRV_RAW,
     "Save a definition (JSON, or YAML as application/yaml): checked, every problem with "
     "line:column; a new version only when it changed",
     NULL, "Workflow"},
    {"DELETE", "/api/v1/workflows/{name}", srv_h_workflows_delete, SRV_ROLE_ADMIN, 0, 0,
     "Delete a workflow: gone from the list and the triggers; its versions stay, so runs in "
     "progress go on with theirs (404 naming the org's workflows when there is none)",
     NULL, "WorkflowDeleted"},
    {"GET", "/api/v1/runs", srv_h_runs_list, SRV_ROLE_VIEWER, 0, 0,
     "The org's runs, newest first (?state=&workflow=&trigger=&limit=&before=)", NULL, "RunList"},
    {"GET", "/api/v1/runs/{id}", srv_h_runs_get, SRV_ROLE_VIEWER, 0, 0,
     "One run with its steps: state, attempts, input, output, error", NULL, "Run"},
    {"POST", "/api/v1/runs/{id}/retry", srv_h_runs_retry, SRV_ROLE_OPERATOR, 0, 0,
     "Queue a failed run again, from its failed step (409 in another state)", NULL, "Run"},
    {"POST", "/api/v1/runs/{id}/cancel", srv_h_runs_cancel, SRV_ROLE_OPERATOR, 0, 0,
     "Cancel a queued, running or failed run (409 once it ended)", NULL, "Run"},
    /* --- wfserve: events that trigger workflows */
    {"POST", "/api/v1/events/{name}", srv_h_events_post, SRV_ROLE_OPERATOR, KIB(1024), 0,
     "Post an event: starts a run of each workflow whose trigger is `on: {event: NAME}` (the "
     "body is the event; Idempotency-Key or the body's id: the same event again makes no new "
     "run)",
     "Event", "EventRuns"},

    {NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL},
};

const srv_module srv_modules[] = {
    /* one row per part with state of its own:
     * {"name", init, fini, openapi, ready, start, stop} */
    {"zoom", srv_zoom_module_init, srv_zoom_module_fini, NULL, NULL, NULL, NULL},
    {"oauth", srv_oauth_module_init, srv_oauth_module_fini, NULL, NULL, NULL, NULL},
    {"actions", NULL, NULL, srv_actions_openapi, NULL, NULL, NULL},
    {"webhooks", srv_webhooks_init, NULL, srv_webhooks_openapi, NULL, NULL, NULL},
    {"connection", srv_conn_health_init, NULL, NULL, srv_conn_health_ready, NULL, NULL},
    /* --- wfserve: workflows (triggers, the worker pool, the scheduler) */
    {"workflows", srv_wf_init, srv_wf_fini, srv_events_openapi, NULL, srv_wf_start, srv_wf_stop},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};
