/*
 * The doctor: the failures every Zoom integration meets again and again,
 * diagnosed for one connection (docs/doctor.md). One table of checks,
 * each giving a verdict (ok / warn / fail), what it found, what to do and
 * a hint id; the CLI (`zoomflow doctor`) and the service
 * (GET /api/v1/doctor) render the same report.
 *
 *   ok    nothing to do
 *   warn  works now, but something is near a limit or was refused lately
 *   fail  something needs a person: the advice says what
 *
 * What the checks read: the stored connection (tokens.h), the store's
 * signals (store.h: 429s and daily limits met by actions, refused
 * webhooks, url_validation answers), the webhook secret row, the store's
 * migration version, and, unless opts.offline, one cheap call to Zoom
 * (GET /users?page_size=1, whose Date header gives the clock skew) and an
 * unauthenticated GET of the API and OAuth bases (reachability, TLS).
 */
#ifndef ZOOMFLOW_DOCTOR_H
#define ZOOMFLOW_DOCTOR_H

#include <jansson.h>
#include <stdint.h>

#include "zoomflow/error.h"
#include "zoomflow/export.h"
#include "zoomflow/http.h"
#include "zoomflow/session.h"

ZF_PUBLIC_BEGIN

typedef enum zf_verdict { ZF_VERDICT_OK = 0, ZF_VERDICT_WARN = 1, ZF_VERDICT_FAIL = 2 } zf_verdict;

/* Clock skew past which token expiry misleads (warn) and past which
 * Zoom's webhook timestamps fall out of the verify window (fail). */
#define ZF_DOCTOR_SKEW_WARN 30
#define ZF_DOCTOR_SKEW_FAIL 120
/* The signals window: 429s, daily limits and webhook refusals this recent. */
#define ZF_DOCTOR_WINDOW 86400
/* Free space under which the archive directory warns and fails. */
#define ZF_DOCTOR_DISK_WARN ((int64_t)5 << 30)
#define ZF_DOCTOR_DISK_FAIL ((int64_t)512 << 20)
/* A write lock that took this long (ms) to get warns. */
#define ZF_DOCTOR_LOCK_WARN_MS 1000

typedef struct zf_doctor_opts {
    const char *conn_id;     /* NULL = "default" (the service: the org's slug) */
    const char *dsn;         /* the store's DSN as opened (NULL = the default), shown redacted */
    const char *archive_dir; /* where recordings are archived; NULL = not checked */
    /* The proxy variables to report, "NAME=value" strings, NULL-terminated
     * (e.g. environ; only *_PROXY / *_proxy entries are read), or NULL. The
     * library reads no environment itself. */
    const char *const *env;
    zf_http_opts http; /* for the reachability probes */
    int offline;       /* 1 = ask Zoom nothing: clock, reachability and the live call are skipped */
    int webhooks;      /* 1 = the webhook checks matter (the service); 0 = warn-free when unset */
    int64_t now;       /* unix seconds; 0 = time(NULL) */
} zf_doctor_opts;

#define ZF_DOCTOR_OPTS_INIT                                                                        \
    {                                                                                              \
        NULL, NULL, NULL, NULL, ZF_HTTP_OPTS_INIT, 0, 0, 0                                         \
    }

/* Runs every check over s and fills *out (the caller's, json_decref):
 * {"connection", "at", "verdict", "counts": {ok, warn, fail},
 *  "checks": [{check, title, verdict, found, todo, hint_id, details}]}
 * with verdict "ok" | "warn" | "fail", todo and hint_id null when there
 * is nothing to do. A check that cannot look (no store, no connection)
 * says so in its own row; the call fails only on ZF_ENOMEM / ZF_EINVAL. */
int zf_doctor_run(json_t **out, zf_session *s, const zf_doctor_opts *opts, zf_error *err);

/* "ok", "warn", "fail"; NULL for anything else. */
const char *zf_verdict_name(int v);
/* The checks' names in report order, NULL-terminated (a constant table). */
const char *const *zf_doctor_checks(void);

/*
 * A connection's health from what the store says (no Zoom call), as the
 * service's /readyz shows it:
 *   VALID            stored VALID and the access token current, or expired
 *                    with no failed refresh recorded (the next call refreshes)
 *   NEEDS_REAUTH     Zoom refused the tokens, the grant was revoked or
 *                    ended, or the app was removed in Zoom
 *   REFRESH_FAILING  stored VALID, but the token expired and the last
 *                    refresh failed without Zoom refusing it
 */
const char *zf_conn_health(int state, int64_t access_expires_at, const char *last_error,
                           int64_t now);
/* 1 when last_error says the app was removed in Zoom (app_deauthorized). */
int zf_conn_deauthorized(const char *last_error);
/* The prefix of that last_error. */
#define ZF_CONN_DEAUTH_PREFIX "deauthorized in Zoom: "

/* The troubleshooting table of the integration's setup page, word for
 * word: {title, cause, resolution, button: {label, href}} for a failure
 * with this hint id and zf_code, or NULL when the page has no words for
 * it. The button's href is the admin page's. */
json_t *zf_seed_problem(int hint_id, int code);
/* The same shape for a connection whose app was removed in Zoom. */
json_t *zf_seed_deauthorized(void);

ZF_PUBLIC_END

#endif
