/*
 * The token lifecycle (DESIGN §5).
 *
 *   ABSENT --connect_finish() / connect_s2s()--> VALID
 *   VALID --access(): expires within margin--> refresh_locked()
 *   VALID --reject(): Zoom said 401/124 ------> refresh_locked()
 *   refresh_locked(): claim_refresh() commits "refresh started" (time, pid, host,
 *       seq) -> STARTED, relocks, then asks the token endpoint:
 *     STARTED --ok--> VALID, new pair and the cleared claim in one commit
 *     STARTED --Zoom 4xx (invalid_grant, invalid_client)--> NEEDS_REAUTH
 *     STARTED --network / 5xx / 429--> VALID, old pair kept, last_error set
 *     STARTED --process killed--> the claim stays committed (INTERRUPTED);
 *       the next refresh_locked() finds it, and when Zoom then answers
 *       invalid_grant the message says that refresh never completed
 *       (when, pid, host) and to reconnect; the claim stays as evidence
 *   NEEDS_REAUTH --access()--> ZF_EREAUTH at once, Zoom is not called again
 *   any --disconnect()--> ABSENT; connect clears any claim
 * (Server-to-Server connections make no claim: nothing can be lost.)
 *
 * Invariants:
 *  - In this process at most one refresh per connection runs (flight.busy);
 *    the threads that find one running wait for it and take its outcome.
 *  - Across processes the refresh runs inside zf_store_lock_connection();
 *    the row is re-read there, and a token refreshed meanwhile is used
 *    without calling Zoom. Committing the claim releases the lock for a
 *    moment before claim_refresh() takes it again: a process that gets in then
 *    sees a claim of a live process and waits (CLAIM_GRACE_MS at most; a
 *    claim whose process is gone on this host is stale at once).
 *  - A new pair is committed before it is returned or the lock released.
 *    A kill at any point leaves the old pair or the new pair committed.
 *  - A new pair whose save is cut off by the database (a restart, a network
 *    cut: the transaction and the row lock are gone) is saved again, in a
 *    new transaction, for SAVE_WAIT_MS, as long as the claim in the row is
 *    still this refresh's: the server rotated the refresh token, and the
 *    pair in this process's memory is the only copy of the new one. The
 *    others wait on the claim meanwhile (CLAIM_GRACE_MS after the server is
 *    back, for a live process; the retries come every SAVE_POLL_MS).
 *  - The one unavoidable loss: a refresh that reached Zoom whose answer was
 *    lost (connection cut after sending, or the process killed) leaves the
 *    stored refresh token dead at Zoom. We keep it (we cannot know); a cut
 *    is recorded in last_error, a kill by the claim, and the next refresh
 *    turns the connection NEEDS_REAUTH saying which of the two happened.
 *  - Secrets are sealed with an aad naming row and column
 *    ("connection/<id>/refresh_token", "oauth_state/<hash>/verifier").
 */
#include "zoomflow/tokens.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zoomflow/buf.h"

#define AAD_MAX 512
#define DEFAULT_ID "default"
#define TEXT_MAX 4096
/* A token that expires within this many seconds is not handed out even
 * when a refresh failed and the old one is all there is. */
#define LAST_RESORT_MIN 10
#define TOKEN_TIMEOUT_MS 30000
/* A claim of a process that may be alive is waited for this long (it is
 * between committing its claim and taking the lock again: milliseconds),
 * polling after CLAIM_POLL_FIRST_MS, then twice as long each time up to
 * CLAIM_POLL_MS (on PostgreSQL the lock's queue hands the lock to a waiter
 * in that window, so the first poll decides how long a contended refresh
 * takes: bench/store-bench); claim() gives up after CLAIM_TRIES rounds
 * (about 9.8 s of polls, beyond the grace). */
#define CLAIM_GRACE_MS 5000
#define CLAIM_POLL_FIRST_MS 2
#define CLAIM_POLL_MS 50
#define CLAIM_TRIES 200
#define HOST_MAX 256
#define SAVE_WAIT_MS 30000
#define SAVE_POLL_MS 200
#define HINT_RECONNECT                                                                             \
    "Reconnect the Zoom connection. The interrupted refresh cannot be recovered; to "              \
    "avoid it, let the process finish (SIGTERM, not kill -9)."
/* record_failure() ends last_error with this when a refresh may have reached
 * the server; refresh_locked() looks for it when the next one is refused. */
#define CUT_NOTE                                                                                   \
    " (the request may have reached the token endpoint; if it did, the stored refresh "            \
    "token was rotated and the next refresh will report that re-authorization is needed)"
#define HINT_RECONNECT_CUT                                                                         \
    "Reconnect the Zoom connection. A refresh whose answer is lost on the way back "               \
    "cannot be recovered: the server rotated the refresh token when it processed it."

/* The access token a request read last is kept (with the row's api_base
 * and scopes) for at most TOKEN_CACHE_S seconds of the clock, and only
 * while it is fresh by the margin: a long-running process (zoomflow serve)
 * then reads and decrypts the row about once a second per connection
 * instead of on every call. The store is read again sooner when Zoom
 * refuses the token (reject: the kept copy is dropped first), and this
 * process drops it on its own connect, disconnect and mark_reauth. What
 * another process does to the row (a disconnect, a reconnect, a refresh
 * from a replica) is seen within TOKEN_CACHE_S; a token it revoked at Zoom
 * is refused at once, and the re-read then reports the row's real state. */
#define TOKEN_CACHE_S 1

typedef struct flight {
    struct flight *next;
    char *id;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int busy;       /* a refresh of this connection runs in this process */
    uint64_t epoch; /* bumped when a refresh ends */
    int rc;         /* its outcome */
    zf_error err;
    /* the kept token (TOKEN_CACHE_S), under mu; kept = 0: none */
    int kept;
    zf_secret token;
    char *api_base, *scopes;
    int kind; /* zf_conn_kind */
    int64_t expires_at, read_at;
} flight;

struct zf_tokens {
    zf_tokens_opts opts;
    char *actor;
    pthread_mutex_t mu; /* guards flights */
    flight *flights;
    /* refreshes this process sent to the token endpoint, and those that
     * failed (zf_tokens_stats); atomic */
    int64_t refreshes, refresh_failures;
};

void zf_tokens_stats(zf_tokens *tk, int64_t *refreshes, int64_t *failures)
{
    if (refreshes)
        *refreshes = tk ? __atomic_load_n(&tk->refreshes, __ATOMIC_RELAXED) : 0;
    if (failures)
        *failures = tk ? __atomic_load_n(&tk->refresh_failures, __ATOMIC_RELAXED) : 0;
}

static int64_t now_of(zf_tokens *tk)
{
    return tk->opts.clock ? tk->opts.clock(tk->opts.clock_ctx) : (int64_t)time(NULL);
}

static const char *id_or_default(const char *id)
{
    return id && *id ? id : DEFAULT_ID;
}

int zf_tokens_new(zf_tokens **out, const zf_tokens_opts *opts, zf_error *err)
{
    *out = NULL;
    if (!opts || !opts->store || !opts->crypt)
        return zf_error_set(err, ZF_EINVAL, "zf_tokens_new needs a store and a crypt handle");
    zf_tokens *tk = calloc(1, sizeof *tk);
    if (!tk || !(tk->actor = strdup(opts->actor ? opts->actor : "library"))) {
        free(tk);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    tk->opts = *opts;
    tk->opts.actor = tk->actor;
    if (tk->opts.refresh_margin < 0)
        tk->opts.refresh_margin = 0;
    if (tk->opts.state_ttl <= 0)
        tk->opts.state_ttl = 600;
    /* Refreshes run while other processes queue on the store lock (60 s
     * busy timeout in the SQLite backend): keep token calls well below. */
    if (tk->opts.http.timeout_ms <= 0 || tk->opts.http.timeout_ms > TOKEN_TIMEOUT_MS)
        tk->opts.http.timeout_ms = TOKEN_TIMEOUT_MS;
    pthread_mutex_init(&tk->mu, NULL);
    *out = tk;
    return 0;
}

void zf_tokens_free(zf_tokens *tk)
{
    if (!tk)
        return;
    for (flight *f = tk->flights, *n; f; f = n) {
        n = f->next;
        zf_secret_free(&f->token);
        free(f->api_base);
        free(f->scopes);
        pthread_mutex_destroy(&f->mu);
        pthread_cond_destroy(&f->cv);
        free(f->id);
        free(f);
    }
    pthread_mutex_destroy(&tk->mu);
    free(tk->actor);
    free(tk);
}

/* The flight record of a connection, created on first use and kept until
 * zf_tokens_free (one per connection ever used: a handful). */
static flight *flight_of(zf_tokens *tk, const char *id)
{
    flight *f;
    pthread_mutex_lock(&tk->mu);
    for (f = tk->flights; f && strcmp(f->id, id) != 0; f = f->next)
        ;
    if (!f && (f = calloc(1, sizeof *f)) != NULL) {
        if (!(f->id = strdup(id))) {
            free(f);
            f = NULL;
        } else {
            pthread_mutex_init(&f->mu, NULL);
            pthread_cond_init(&f->cv, NULL);
            f->next = tk->flights;
            tk->flights = f;
        }
    }
    pthread_mutex_unlock(&tk->mu);
    return f;
}

/* --- the kept token (under f->mu) */

static void keep_drop(flight *f)
{
    f->kept = 0;
    zf_secret_free(&f->token);
    free(f->api_base);
    free(f->scopes);
    f->api_base = f->scopes = NULL;
}

/* Keeps token and the row's api_base, scopes and kind; a failed copy keeps
 * nothing. */
static void keep_put(zf_tokens *tk, flight *f, const zf_secret *token, const zf_store_conn *c)
{
    keep_drop(f);
    if (zf_secret_copy(&f->token, token) != 0 ||
        !(f->api_base = strdup(c->api_base ? c->api_base : "")) ||
        (c->scopes && !(f->scopes = strdup(c->scopes)))) {
        keep_drop(f);
        return;
    }
    f->kind = c->kind;
    f->expires_at = c->access_expires_at;
    f->read_at = now_of(tk);
    f->kept = 1;
}

static int keep_fresh(zf_tokens *tk, const flight *f)
{
    int64_t now = now_of(tk);
    return f->kept && now >= f->read_at && now - f->read_at < TOKEN_CACHE_S &&
           f->expires_at - now > tk->opts.refresh_margin;
}

/* This process changed the row: the kept token goes. */
static void forget(zf_tokens *tk, const char *id)
{
    flight *f = flight_of(tk, id);
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    keep_drop(f);
    pthread_mutex_unlock(&f->mu);
}

/* --- sealing */

static int seal_col(zf_tokens *tk, const char *table, const char *row, const char *col,
                    const char *plain, size_t len, char **out, zf_error *err)
{
    char aad[AAD_MAX];
    snprintf(aad, sizeof aad, "%s/%s/%s", table, row, col);
    return zf_crypt_seal(tk->opts.crypt, plain, len, aad, out, err);
}

static int open_col(zf_tokens *tk, const char *table, const char *row, const char *col,
                    const char *sealed, zf_secret *out, zf_error *err)
{
    char aad[AAD_MAX];
    if (!sealed)
        return zf_error_set(err, ZF_ECRYPT, "%s %s has no stored %s", table, row, col);
    snprintf(aad, sizeof aad, "%s/%s/%s", table, row, col);
    return zf_crypt_open(tk->opts.crypt, sealed, aad, out, err);
}

static int replace_str(char **slot, const char *v)
{
    char *n = v ? strdup(v) : NULL;
    if (v && !n)
        return ZF_ENOMEM;
    free(*slot);
    *slot = n;
    return 0;
}

/* "{api_url}/v2" from the token response, else the fallback. */
static int api_base_from(char **out, const zf_token_set *set, const char *fallback)
{
    zf_buf b = ZF_BUF_INIT(TEXT_MAX);
    if (set->api_url)
        zf_buf_appendf(&b, "%s/v2", set->api_url);
    else
        zf_buf_puts(&b, fallback);
    if (b.failed)
        return ZF_ENOMEM;
    free(*out);
    *out = zf_buf_take(&b);
    return 0;
}

/* The API base when the token response names none: pinned, else the rule. */
static int default_api_base(char **out, const char *oauth_base, const char *pinned)
{
    if (pinned)
        return (*out = strdup(pinned)) ? 0 : ZF_ENOMEM;
    return zf_oauth_default_api_base(out, oauth_base);
}

/* An optional string copied into a row field; 0 or ZF_ENOMEM. */
static int dup_opt(char **slot, const char *v)
{
    *slot = v && *v ? strdup(v) : NULL;
    return v && *v && !*slot ? ZF_ENOMEM : 0;
}

/* Zoom names no account in its token answers, and GET /users/me needs a
 * scope zoomflow does not ask for; but Zoom's access tokens are JWTs that
 * carry it ("aid"). A token that is not one leaves the account unknown. */
static int learn_account(zf_store_conn *c, const zf_secret *access)
{
    char *aid = NULL;
    zf_error ignored = ZF_ERROR_INIT;
    if (c->account_id && *c->account_id)
        return 0;
    int rc = zf_oauth_token_claims(&aid, NULL, zf_secret_reveal(access), access->len, &ignored);
    if (rc == ZF_ENOMEM)
        return rc;
    if (aid) {
        free(c->account_id);
        c->account_id = aid;
    }
    return 0;
}

/* Stores the token set into the row (sealed), marking it VALID. */
static int apply_tokens(zf_tokens *tk, zf_store_conn *c, const zf_token_set *set, zf_error *err)
{
    char *at = NULL, *rt = NULL;
    int rc = seal_col(tk, "connection", c->id, "access_token", zf_secret_reveal(&set->access_token),
                      set->access_token.len, &at, err);
    if (rc == 0 && !zf_secret_empty(&set->refresh_token))
        rc = seal_col(tk, "connection", c->id, "refresh_token",
                      zf_secret_reveal(&set->refresh_token), set->refresh_token.len, &rt, err);
    if (rc < 0) {
        free(at);
        return rc;
    }
    free(c->access_token_sealed);
    c->access_token_sealed = at;
    if (rt || c->kind == ZF_CONN_S2S) {
        free(c->refresh_token_sealed);
        c->refresh_token_sealed = rt;
    }
    c->access_expires_at = set->expires_at;
    c->state = ZF_CONN_VALID;
    if ((set->scope && replace_str(&c->scopes, set->scope) < 0) ||
        api_base_from(&c->api_base, set, c->api_base) < 0 ||
        learn_account(c, &set->access_token) < 0 || replace_str(&c->last_error, NULL) < 0 ||
        replace_str(&c->last_hint, NULL) < 0)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    return 0;
}

static void audit_as(zf_tokens *tk, const char *actor, const char *id, const char *action, int rc,
                     const char *detail)
{
    zf_store_audit a = {0,
                        now_of(tk),
                        (char *)id,
                        (char *)(actor && *actor ? actor : tk->actor),
                        (char *)action,
                        (char *)(rc < 0 ? zf_code_name(rc) : "ok"),
                        (char *)detail};
    zf_error ignored = ZF_ERROR_INIT;
    if (zf_store_audit_add(tk->opts.store, &a, &ignored) < 0)
        zf_log(ZF_LOG_WARN, "tokens", "audit record for %s %s not written: %s", action, id,
               ignored.message);
}

static void audit(zf_tokens *tk, const char *id, const char *action, int rc, const char *detail)
{
    audit_as(tk, NULL, id, action, rc, detail);
}

/* The one answer for a connection id the store does not hold, whatever the
 * caller wanted to do with it. */
static int not_connected(const char *id, zf_error *err)
{
    zf_error_set(err, ZF_ENOTCONNECTED, "no Zoom connection named \"%s\"", id);
    zf_error_hint_id(err, ZF_HINT_CONNECT, "Connect the Zoom account first.");
    zf_error_hint_arg(err, ZF_HINT_ARG_CONNECTION, id);
    return ZF_ENOTCONNECTED;
}

/* --- connect */

static int check_cfg(const zf_connect_cfg *cfg, int s2s, zf_error *err)
{
    if (!cfg)
        return zf_error_set(err, ZF_EINVAL, "no connection settings given");
    const char *missing = !cfg->oauth_base || !*cfg->oauth_base            ? "the OAuth base URL"
                          : !cfg->client_id || !*cfg->client_id            ? "the client id"
                          : !cfg->client_secret || !*cfg->client_secret    ? "the client secret"
                          : s2s && (!cfg->account_id || !*cfg->account_id) ? "the account id"
                          : !s2s && (!cfg->redirect_uri || !*cfg->redirect_uri) ? "the redirect URI"
                                                                                : NULL;
    if (missing) {
        zf_error_set(err, ZF_ECONFIG, "cannot connect: %s is missing", missing);
        zf_error_hint_id(err, ZF_HINT_APP_CREDENTIALS,
                         "Give %s from the Zoom app's App "
                         "Credentials page.",
                         missing);
        return ZF_ECONFIG;
    }
    return 0;
}

static void state_hash(const char *state, char hex[65])
{
    unsigned char d[32];
    zf_sha256(state, strlen(state), d);
    zf_hex(d, sizeof d, hex);
}

int zf_tokens_connect_begin(zf_oauth_authz *out, zf_tokens *tk, const zf_connect_cfg *cfg,
                            zf_error *err)
{
    zf_secret secret = ZF_SECRET_INIT;
    zf_store_state st = {0};
    char hash[65];
    int64_t now = now_of(tk);
    memset(out, 0, sizeof *out);
    int rc = check_cfg(cfg, 0, err);
    if (rc < 0)
        return rc;
    if ((rc = zf_secret_set(&secret, cfg->client_secret, strlen(cfg->client_secret))) < 0) {
        zf_error_set(err, rc, "out of memory");
        goto done;
    }
    zf_oauth_app app = {
        cfg->oauth_base,     cfg->client_id,      &secret, NULL, cfg->authorize_endpoint,
        cfg->token_endpoint, cfg->revoke_endpoint};
    char *probe = NULL; /* a bad token or revoke endpoint fails now, not after consent */
    if ((rc = zf_oauth_authorize_begin(out, &app, cfg->redirect_uri, err)) < 0 ||
        (rc = zf_oauth_endpoint_url(&probe, cfg->oauth_base, cfg->token_endpoint,
                                    ZF_OAUTH_TOKEN_PATH, err)) < 0)
        goto done;
    free(probe);
    if ((rc = zf_oauth_endpoint_url(&probe, cfg->oauth_base, cfg->revoke_endpoint,
                                    ZF_OAUTH_REVOKE_PATH, err)) < 0)
        goto done;
    free(probe);
    state_hash(out->state, hash);
    st.state_hash = hash;
    st.conn_id = (char *)id_or_default(cfg->id);
    st.redirect_uri = (char *)cfg->redirect_uri;
    st.oauth_base = (char *)cfg->oauth_base;
    st.client_id = (char *)cfg->client_id;
    st.token_endpoint =
        cfg->token_endpoint && *cfg->token_endpoint ? (char *)cfg->token_endpoint : NULL;
    st.revoke_endpoint =
        cfg->revoke_endpoint && *cfg->revoke_endpoint ? (char *)cfg->revoke_endpoint : NULL;
    st.actor = (char *)(cfg->actor && *cfg->actor ? cfg->actor : tk->actor);
    st.created_at = now;
    st.expires_at = now + tk->opts.state_ttl;
    if ((rc = seal_col(tk, "oauth_state", hash, "verifier", zf_secret_reveal(&out->verifier),
                       out->verifier.len, &st.verifier_sealed, err)) < 0 ||
        (rc = seal_col(tk, "oauth_state", hash, "client_secret", cfg->client_secret,
                       strlen(cfg->client_secret), &st.client_secret_sealed, err)) < 0)
        goto done;
    zf_store_state_purge(tk->opts.store, now, NULL);
    if ((rc = zf_store_state_put(tk->opts.store, &st, err)) < 0)
        goto done;
    audit_as(tk, st.actor, st.conn_id, "connect_begin", 0, cfg->redirect_uri);
done:
    free(st.verifier_sealed);
    free(st.client_secret_sealed);
    zf_secret_free(&secret);
    if (rc < 0)
        zf_oauth_authz_free(out);
    return rc;
}

/* Consumes the callback's state: it must exist, be unused and unexpired. */
static int take_state(zf_tokens *tk, const zf_oauth_callback *cb, zf_store_state *st, zf_error *err)
{
    char hash[65];
    if (!cb->state || !*cb->state) {
        zf_error_set(err, ZF_ESTATE, "the OAuth callback has no state parameter");
        zf_error_hint_id(err, ZF_HINT_CONNECT,
                         "Open the callback only through Zoom's redirect; "
                         "connect again.");
        return ZF_ESTATE;
    }
    state_hash(cb->state, hash);
    zf_error e = ZF_ERROR_INIT;
    int rc = zf_store_state_take(tk->opts.store, hash, st, &e);
    if (rc == ZF_ENOTFOUND) {
        zf_error_set(err, ZF_ESTATE, "the OAuth state is unknown or was already used");
        zf_error_hint_id(err, ZF_HINT_CONNECT,
                         "Each authorization link works once. Connect "
                         "again.");
        return ZF_ESTATE;
    }
    if (rc < 0) {
        *err = e;
        return rc;
    }
    if (now_of(tk) > st->expires_at) {
        zf_error_set(err, ZF_ESTATE,
                     "the OAuth state expired (authorizations must finish "
                     "within %lld s)",
                     (long long)tk->opts.state_ttl);
        zf_error_hint_id(err, ZF_HINT_CONNECT,
                         "Connect again and approve within the time "
                         "limit.");
        zf_error_hint_arg(err, ZF_HINT_ARG_CONNECTION, st->conn_id);
        return ZF_ESTATE;
    }
    return 0;
}

static int callback_error(const zf_oauth_callback *cb, const zf_store_state *st, zf_error *err)
{
    if (cb->error) {
        char server[256];
        zf_oauth_server_name(st->oauth_base, server, sizeof server);
        zf_error_set(err, ZF_EAUTH, "%s did not authorize the app: %s%s%s", server, cb->error,
                     cb->error_description ? ": " : "",
                     cb->error_description ? cb->error_description : "");
        if (strcmp(cb->error, "access_denied") == 0)
            zf_error_hint_id(err, ZF_HINT_CONNECT,
                             "The authorization was declined. Connect "
                             "again and choose Authorize.");
        else
            zf_error_hint_id(err, ZF_HINT_CHECK_REDIRECT_URI,
                             "Re-initiate the OAuth flow: "
                             "connect again; check that the redirect URI registered in the "
                             "Zoom app matches %s exactly.",
                             st->redirect_uri);
        return ZF_EAUTH;
    }
    if (zf_secret_empty(&cb->code)) {
        zf_error_set(err, ZF_EAUTH, "the OAuth callback has no code");
        zf_error_hint_id(err, ZF_HINT_CONNECT, "Connect again.");
        return ZF_EAUTH;
    }
    return 0;
}

/* Writes the new connection row (under the store lock). */
static int store_new_conn(zf_tokens *tk, zf_store_conn *c, const char *secret,
                          const zf_token_set *set, zf_error *err)
{
    zf_store_conn old = {0};
    zf_error ignored = ZF_ERROR_INIT;
    int rc = zf_store_lock_connection(tk->opts.store, c->id, err);
    if (rc < 0)
        return rc;
    if (zf_store_conn_get(tk->opts.store, c->id, &old, &ignored) == 0) {
        c->generation = old.generation;
        c->refresh_seq = old.refresh_seq; /* a new pair: no claim stands */
    }
    zf_store_conn_free(&old);
    c->connected_at = c->updated_at = now_of(tk);
    if ((rc = seal_col(tk, "connection", c->id, "client_secret", secret, strlen(secret),
                       &c->client_secret_sealed, err)) < 0 ||
        (rc = apply_tokens(tk, c, set, err)) < 0 ||
        (rc = zf_store_conn_put(tk->opts.store, c, err)) < 0) {
        zf_store_rollback(tk->opts.store);
        return rc;
    }
    rc = zf_store_commit(tk->opts.store, err);
    forget(tk, c->id);
    return rc;
}

static int finish_exchange(zf_tokens *tk, const zf_oauth_callback *cb, zf_store_state *st,
                           zf_error *err)
{
    zf_secret verifier = ZF_SECRET_INIT, secret = ZF_SECRET_INIT;
    zf_token_set set = ZF_TOKEN_SET_INIT;
    zf_store_conn c = {0};
    zf_http *http = NULL;
    int rc;
    if ((rc = open_col(tk, "oauth_state", st->state_hash, "verifier", st->verifier_sealed,
                       &verifier, err)) < 0 ||
        (rc = open_col(tk, "oauth_state", st->state_hash, "client_secret", st->client_secret_sealed,
                       &secret, err)) < 0 ||
        (rc = zf_http_new(&http, &tk->opts.http, err)) < 0)
        goto done;
    zf_oauth_app app = {st->oauth_base,     st->client_id,      &secret, NULL, NULL,
                        st->token_endpoint, st->revoke_endpoint};
    if ((rc = zf_oauth_exchange_code(&set, http, &app, &cb->code, st->redirect_uri, &verifier,
                                     now_of(tk), err)) < 0)
        goto done;
    c.kind = ZF_CONN_OAUTH;
    if (!(c.id = strdup(st->conn_id)) || !(c.oauth_base = strdup(st->oauth_base)) ||
        !(c.client_id = strdup(st->client_id)) || !(c.redirect_uri = strdup(st->redirect_uri)) ||
        dup_opt(&c.token_endpoint, st->token_endpoint) < 0 ||
        dup_opt(&c.revoke_endpoint, st->revoke_endpoint) < 0 ||
        default_api_base(&c.api_base, st->oauth_base, NULL) < 0) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
        goto done;
    }
    rc = store_new_conn(tk, &c, zf_secret_reveal(&secret), &set, err);
done:
    zf_http_free(http);
    zf_secret_free(&verifier);
    zf_secret_free(&secret);
    zf_token_set_free(&set);
    zf_store_conn_free(&c);
    return rc;
}

int zf_tokens_connect_finish(char **id_out, zf_tokens *tk, const char *query, size_t len,
                             zf_error *err)
{
    zf_oauth_callback cb = ZF_OAUTH_CALLBACK_INIT;
    zf_store_state st = {0};
    if (id_out)
        *id_out = NULL;
    int rc = zf_oauth_parse_callback(&cb, query, len, err);
    if (rc < 0) {
        /* not what Zoom's redirect sends (too long, a parameter twice, bad
         * percent-encoding): no state is consumed, nothing changes */
        if (rc != ZF_ENOMEM)
            zf_error_hint_id(err, ZF_HINT_CONNECT,
                             "Open the callback only through Zoom's redirect; connect again.");
        return rc;
    }
    if ((rc = take_state(tk, &cb, &st, err)) < 0 || (rc = callback_error(&cb, &st, err)) < 0 ||
        (rc = finish_exchange(tk, &cb, &st, err)) < 0)
        goto done;
    if (id_out && !(*id_out = strdup(st.conn_id)))
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
done:
    audit_as(tk, st.actor, st.conn_id ? st.conn_id : "?", "connect", rc,
             rc < 0 ? err->message : "oauth");
    zf_oauth_callback_free(&cb);
    zf_store_state_free(&st);
    return rc;
}

int zf_tokens_connect_s2s(zf_tokens *tk, const zf_connect_cfg *cfg, zf_error *err)
{
    zf_secret secret = ZF_SECRET_INIT;
    zf_token_set set = ZF_TOKEN_SET_INIT;
    zf_store_conn c = {0};
    zf_http *http = NULL;
    int rc = check_cfg(cfg, 1, err);
    if (rc < 0)
        return rc;
    const char *id = id_or_default(cfg->id);
    if ((rc = zf_secret_set(&secret, cfg->client_secret, strlen(cfg->client_secret))) < 0 ||
        (rc = zf_http_new(&http, &tk->opts.http, err)) < 0)
        goto done;
    zf_oauth_app app = {cfg->oauth_base,     cfg->client_id,      &secret, cfg->account_id, NULL,
                        cfg->token_endpoint, cfg->revoke_endpoint};
    if ((rc = zf_oauth_s2s_token(&set, http, &app, now_of(tk), err)) < 0)
        goto done;
    c.kind = ZF_CONN_S2S;
    if (!(c.id = strdup(id)) || !(c.oauth_base = strdup(cfg->oauth_base)) ||
        !(c.client_id = strdup(cfg->client_id)) || !(c.account_id = strdup(cfg->account_id)) ||
        dup_opt(&c.token_endpoint, cfg->token_endpoint) < 0 ||
        dup_opt(&c.revoke_endpoint, cfg->revoke_endpoint) < 0 ||
        default_api_base(&c.api_base, cfg->oauth_base, cfg->api_base) < 0) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
        goto done;
    }
    rc = store_new_conn(tk, &c, cfg->client_secret, &set, err);
done:
    audit_as(tk, cfg->actor, id, "connect", rc, rc < 0 ? err->message : "s2s");
    zf_http_free(http);
    zf_secret_free(&secret);
    zf_token_set_free(&set);
    zf_store_conn_free(&c);
    return rc;
}

/* --- disconnect */

static int revoke_at_zoom(zf_tokens *tk, const zf_store_conn *c, zf_error *rerr)
{
    zf_secret secret = ZF_SECRET_INIT, token = ZF_SECRET_INIT;
    zf_http *http = NULL;
    int rc;
    if ((rc = open_col(tk, "connection", c->id, "client_secret", c->client_secret_sealed, &secret,
                       rerr)) < 0 ||
        (rc = open_col(tk, "connection", c->id, "access_token", c->access_token_sealed, &token,
                       rerr)) < 0 ||
        (rc = zf_http_new(&http, &tk->opts.http, rerr)) < 0)
        goto done;
    zf_oauth_app app = {c->oauth_base, c->client_id,      &secret,           c->account_id,
                        NULL,          c->token_endpoint, c->revoke_endpoint};
    rc = zf_oauth_revoke(http, &app, &token, rerr);
done:
    zf_http_free(http);
    zf_secret_free(&secret);
    zf_secret_free(&token);
    return rc;
}

int zf_tokens_disconnect(zf_tokens *tk, const char *id, zf_error *revoke_err, zf_error *err)
{
    zf_store_conn c = {0};
    zf_error rerr = ZF_ERROR_INIT;
    id = id_or_default(id);
    int rc = zf_store_lock_connection(tk->opts.store, id, err);
    if (rc < 0)
        return rc;
    if ((rc = zf_store_conn_get(tk->opts.store, id, &c, err)) == ZF_ENOTFOUND) {
        zf_store_rollback(tk->opts.store);
        return not_connected(id, err);
    }
    /* no token held (the app was removed at Zoom, which wiped them): there
     * is nothing to revoke, and trying would only fail */
    int nothing_held = rc == 0 && !c.access_token_sealed && !c.refresh_token_sealed;
    if (rc == 0 && !nothing_held) {
        int revoked = revoke_at_zoom(tk, &c, &rerr);
        if (revoked < 0)
            zf_error_hint_id(&rerr, ZF_HINT_REMOVE_APP,
                             "The tokens were deleted here but may "
                             "still be valid at Zoom: remove the app from the account in the "
                             "Zoom App Marketplace (Manage > Added Apps) to be sure.");
    }
    if (rc == 0)
        rc = zf_store_conn_delete(tk->opts.store, id, err);
    if (rc == 0)
        rc = zf_store_commit(tk->opts.store, err);
    else
        zf_store_rollback(tk->opts.store);
    forget(tk, id);
    audit(tk, id, "disconnect", rc < 0 ? rc : rerr.code,
          rc < 0         ? err->message
          : rerr.code    ? "wiped; revoke failed"
          : nothing_held ? "wiped; no token held to revoke"
                         : "revoked and wiped");
    if (revoke_err)
        *revoke_err = rerr;
    zf_store_conn_free(&c);
    return rc == 0 && nothing_held ? 1 : rc;
}

/* --- the refresh claim */

static void this_host(char out[HOST_MAX])
{
    if (gethostname(out, HOST_MAX) != 0)
        snprintf(out, HOST_MAX, "unknown");
    out[HOST_MAX - 1] = '\0';
}

/* 1 when the claim's process is known to be gone: same host, no such pid. */
static int claim_owner_gone(const zf_store_conn *c)
{
    char host[HOST_MAX];
    this_host(host);
    if (!c->refresh_host || strcmp(host, c->refresh_host) != 0 || c->refresh_pid <= 0 ||
        c->refresh_pid == (int64_t)getpid())
        return 0;
    return kill((pid_t)c->refresh_pid, 0) != 0 && errno == ESRCH;
}

/* The claim fields of a row, kept aside (the evidence of a stale claim). */
typedef struct claim {
    int64_t started_at, pid, seq;
    char host[HOST_MAX];
} claim;

static void claim_get(claim *k, const zf_store_conn *c)
{
    k->started_at = c->refresh_started_at;
    k->pid = c->refresh_pid;
    k->seq = c->refresh_seq;
    snprintf(k->host, sizeof k->host, "%s", c->refresh_host ? c->refresh_host : "?");
}

/* Sets the row's claim to k (started_at 0: clears it); seq is kept. */
static int claim_put(zf_store_conn *c, const claim *k)
{
    c->refresh_started_at = k ? k->started_at : 0;
    c->refresh_pid = k ? k->pid : 0;
    return replace_str(&c->refresh_host, k && k->started_at ? k->host : NULL);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- info */

void zf_conn_info_free(zf_conn_info *info)
{
    if (!info)
        return;
    char *strs[] = {
        info->id,        info->account_id,     info->client_id,       info->oauth_base,
        info->api_base,  info->scopes,         info->missing_scopes,  info->last_error,
        info->last_hint, info->token_endpoint, info->revoke_endpoint, info->refresh_host,
        info->user_id};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(strs[i]);
    memset(info, 0, sizeof *info);
}

static int has_scope(const char *list, const char *scope)
{
    size_t n = strlen(scope);
    for (const char *p = list; p && (p = strstr(p, scope)) != NULL; p += n)
        if ((p == list || p[-1] == ' ' || p[-1] == ',') &&
            (p[n] == '\0' || p[n] == ' ' || p[n] == ','))
            return 1;
    return 0;
}

static char *missing_scopes(const char *granted)
{
    zf_buf b = ZF_BUF_INIT(TEXT_MAX);
    for (size_t i = 0; zf_oauth_required_scopes[i]; i++)
        if (!has_scope(granted, zf_oauth_required_scopes[i]))
            zf_buf_appendf(&b, "%s%s", b.len ? " " : "", zf_oauth_required_scopes[i]);
    return b.len ? zf_buf_take(&b) : NULL;
}

/* The grant's user from the stored access token's "uid" claim, best
 * effort: *out stays NULL when the token cannot be opened or is no JWT. */
static void conn_user(zf_tokens *tk, const zf_store_conn *c, char **out)
{
    zf_secret token = ZF_SECRET_INIT;
    zf_error ignored = ZF_ERROR_INIT;
    if (open_col(tk, "connection", c->id, "access_token", c->access_token_sealed, &token,
                 &ignored) == 0)
        zf_oauth_token_claims(NULL, out, zf_secret_reveal(&token), token.len, &ignored);
    zf_secret_free(&token);
}

int zf_tokens_info(zf_conn_info *out, zf_tokens *tk, const char *id, zf_error *err)
{
    zf_store_conn c = {0};
    memset(out, 0, sizeof *out);
    id = id_or_default(id);
    int rc = zf_store_conn_get(tk->opts.store, id, &c, err);
    if (rc == ZF_ENOTFOUND)
        return not_connected(id, err);
    if (rc < 0)
        return rc;
    out->id = c.id;
    out->kind = c.kind;
    out->state = c.state;
    out->account_id = c.account_id;
    out->client_id = c.client_id;
    out->oauth_base = c.oauth_base;
    out->api_base = c.api_base;
    out->scopes = c.scopes;
    out->missing_scopes = missing_scopes(c.scopes);
    out->expires_at = c.access_expires_at;
    out->connected_at = c.connected_at;
    out->last_refresh_at = c.last_refresh_at;
    out->refresh_count = c.refresh_count;
    out->last_error = c.last_error;
    out->last_hint = c.last_hint;
    out->token_endpoint = c.token_endpoint;
    out->revoke_endpoint = c.revoke_endpoint;
    out->refresh_started_at = c.refresh_started_at;
    out->refresh_pid = c.refresh_pid;
    out->refresh_host = c.refresh_host;
    out->refresh_interrupted =
        c.refresh_started_at && (c.state == ZF_CONN_NEEDS_REAUTH || claim_owner_gone(&c) ||
                                 now_of(tk) - c.refresh_started_at > TOKEN_TIMEOUT_MS / 1000 + 60);
    if (c.kind == ZF_CONN_OAUTH)
        conn_user(tk, &c, &out->user_id);
    /* the strings moved to out; the sealed ones are freed here */
    free(c.client_secret_sealed);
    free(c.access_token_sealed);
    free(c.refresh_token_sealed);
    free(c.redirect_uri);
    return 0;
}

int zf_tokens_kind(zf_tokens *tk, const char *id, zf_error *err)
{
    zf_store_conn c = {0};
    id = id_or_default(id);
    flight *f = flight_of(tk, id);
    if (!f)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    pthread_mutex_lock(&f->mu);
    int fresh = keep_fresh(tk, f), kind = f->kind;
    pthread_mutex_unlock(&f->mu);
    if (fresh)
        return kind;
    int rc = zf_store_conn_get(tk->opts.store, id, &c, err);
    if (rc == ZF_ENOTFOUND)
        return not_connected(id, err);
    if (rc == 0)
        rc = c.kind;
    zf_store_conn_free(&c);
    return rc;
}

int zf_tokens_scopes(char **out, zf_tokens *tk, const char *id, zf_error *err)
{
    zf_store_conn c = {0};
    *out = NULL;
    id = id_or_default(id);
    flight *f = flight_of(tk, id);
    if (!f)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    pthread_mutex_lock(&f->mu);
    int fresh = keep_fresh(tk, f);
    int failed = 0;
    if (fresh && f->scopes)
        failed = !(*out = strdup(f->scopes));
    pthread_mutex_unlock(&f->mu);
    if (fresh)
        return failed ? zf_error_set(err, ZF_ENOMEM, "out of memory") : 0;
    int rc = zf_store_conn_get(tk->opts.store, id, &c, err);
    if (rc == ZF_ENOTFOUND)
        return not_connected(id, err);
    if (rc == 0 && c.scopes && !(*out = strdup(c.scopes)))
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    zf_store_conn_free(&c);
    return rc;
}

int zf_tokens_list(char ***ids, size_t *n, zf_tokens *tk, zf_error *err)
{
    return zf_store_conn_list(tk->opts.store, ids, n, err);
}

int zf_tokens_mark_reauth(zf_tokens *tk, const char *id, const char *reason, zf_error *err)
{
    zf_store_conn c = {0};
    id = id_or_default(id);
    int rc = zf_store_lock_connection(tk->opts.store, id, err);
    if (rc < 0)
        return rc;
    if ((rc = zf_store_conn_get(tk->opts.store, id, &c, err)) == ZF_ENOTFOUND) {
        zf_store_rollback(tk->opts.store);
        return not_connected(id, err);
    }
    if (rc == 0) {
        c.state = ZF_CONN_NEEDS_REAUTH;
        c.updated_at = now_of(tk);
        if (replace_str(&c.last_error, reason && *reason ? reason : "the grant was revoked") < 0 ||
            replace_str(&c.last_hint, "Reconnect the Zoom connection to get new tokens.") < 0)
            rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    if (rc == 0 && (rc = zf_store_conn_put(tk->opts.store, &c, err)) == 0)
        rc = zf_store_commit(tk->opts.store, err);
    else
        zf_store_rollback(tk->opts.store);
    forget(tk, id);
    audit(tk, id, "mark_reauth", rc, rc < 0 ? err->message : reason);
    zf_store_conn_free(&c);
    return rc;
}

/* --- access and refresh */

static int reauth_error(const zf_store_conn *c, zf_error *err)
{
    zf_error_set(err, ZF_EREAUTH, "the Zoom connection \"%s\" needs re-authorization: %s", c->id,
                 c->last_error ? c->last_error : "the authorization server refused its tokens");
    /* a connection needs re-authorization: whatever the stored words say,
     * reconnecting is the step that heals it */
    zf_error_hint_id(err, ZF_HINT_RECONNECT, "%s",
                     c->last_hint
                         ? c->last_hint
                         : "Re-authenticate the integration: reconnect the Zoom connection.");
    zf_error_hint_arg(err, ZF_HINT_ARG_CONNECTION, c->id);
    return ZF_EREAUTH;
}

/* Reads the row and its access token. ZF_ENOTCONNECTED when absent. */
static int load(zf_tokens *tk, const char *id, zf_store_conn *c, zf_secret *token, zf_error *err)
{
    int rc = zf_store_conn_get(tk->opts.store, id, c, err);
    if (rc == ZF_ENOTFOUND)
        return not_connected(id, err);
    if (rc < 0)
        return rc;
    if (c->state == ZF_CONN_NEEDS_REAUTH)
        return reauth_error(c, err);
    return open_col(tk, "connection", id, "access_token", c->access_token_sealed, token, err);
}

/* A token can be handed out: fresh by the margin, and not the rejected one. */
static int usable(zf_tokens *tk, const zf_store_conn *c, const zf_secret *token,
                  const zf_secret *rejected)
{
    if (c->access_expires_at - now_of(tk) <= tk->opts.refresh_margin)
        return 0;
    return !rejected || !zf_secret_eq(token, zf_secret_reveal(rejected), rejected->len);
}

static int hand_out(zf_secret *out, char **api_base, zf_secret *token, const zf_store_conn *c,
                    zf_error *err)
{
    if (api_base && !(*api_base = strdup(c->api_base ? c->api_base : "")))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    *out = *token; /* moves the secret */
    token->ptr = NULL;
    token->len = 0;
    return 0;
}

/* Calls Zoom for a new token (refresh_token or account_credentials). */
static int call_zoom(zf_tokens *tk, const zf_store_conn *c, zf_token_set *set, int *sent,
                     zf_error *err)
{
    zf_secret secret = ZF_SECRET_INIT, refresh = ZF_SECRET_INIT;
    zf_http *http = NULL;
    int rc;
    *sent = 0;
    if ((rc = open_col(tk, "connection", c->id, "client_secret", c->client_secret_sealed, &secret,
                       err)) < 0 ||
        (c->kind == ZF_CONN_OAUTH && (rc = open_col(tk, "connection", c->id, "refresh_token",
                                                    c->refresh_token_sealed, &refresh, err)) < 0) ||
        (rc = zf_http_new(&http, &tk->opts.http, err)) < 0)
        goto done;
    zf_oauth_app app = {c->oauth_base, c->client_id,      &secret,           c->account_id,
                        NULL,          c->token_endpoint, c->revoke_endpoint};
    if (c->kind == ZF_CONN_S2S) {
        rc = zf_oauth_s2s_token(set, http, &app, now_of(tk), err);
        *sent = 1;
    } else {
        rc = zf_oauth_refresh(set, http, &app, &refresh, now_of(tk), sent, err);
    }
done:
    zf_http_free(http);
    zf_secret_free(&secret);
    zf_secret_free(&refresh);
    return rc;
}

/* Records a failed refresh in the row. Zoom's refusals (EAUTH, EREAUTH)
 * end in NEEDS_REAUTH; transient failures keep the pair and say whether
 * the request may have reached Zoom. */
static void record_failure(zf_tokens *tk, zf_store_conn *c, int rc, int sent, zf_error *err)
{
    zf_buf msg = ZF_BUF_INIT(TEXT_MAX);
    if (rc == ZF_EREAUTH || rc == ZF_EAUTH) {
        c->state = ZF_CONN_NEEDS_REAUTH;
        zf_buf_puts(&msg, err->message);
        if (rc == ZF_EAUTH && !err->hint[0])
            zf_error_hint_id(err, ZF_HINT_RECONNECT,
                             "Re-authenticate the integration: "
                             "reconnect the Zoom connection.");
        zf_error_hint_arg(err, ZF_HINT_ARG_CONNECTION, c->id);
    } else {
        zf_buf_appendf(&msg, "token refresh failed: %s", err->message);
        if (sent && c->kind == ZF_CONN_OAUTH)
            zf_buf_puts(&msg, CUT_NOTE);
    }
    c->updated_at = now_of(tk);
    if (!msg.failed) {
        free(c->last_error);
        c->last_error = zf_buf_take(&msg);
    }
    replace_str(&c->last_hint, err->hint[0] ? err->hint : NULL);
    zf_buf_free(&msg);
}

/* Takes the store lock and re-reads the row into c and token. */
static int lock_and_load(zf_tokens *tk, const char *id, zf_store_conn *c, zf_secret *token,
                         zf_error *err)
{
    int rc = zf_store_lock_connection(tk->opts.store, id, err);
    if (rc < 0)
        return rc;
    zf_store_conn_free(c);
    zf_secret_free(token);
    if ((rc = load(tk, id, c, token, err)) < 0)
        zf_store_rollback(tk->opts.store);
    return rc;
}

/*
 * Returns with the store lock held and the row in c, either with a token
 * someone else refreshed (*fresh = 1) or with this process's claim to
 * refresh committed (user OAuth; Server-to-Server makes none). A claim found
 * in the row whose process is gone, or that outlives CLAIM_GRACE_MS, is
 * stale: its refresh never completed; it is copied into *stale.
 */
static int claim_refresh(zf_tokens *tk, const char *id, const zf_secret *rejected, zf_store_conn *c,
                         zf_secret *token, int *fresh, claim *stale, zf_error *err)
{
    int64_t seen_seq = -1, seen_at = 0;
    long poll_ms = CLAIM_POLL_FIRST_MS;
    char host[HOST_MAX];
    this_host(host);
    *fresh = 0;
    for (int tries = 0; tries < CLAIM_TRIES; tries++) {
        int rc = lock_and_load(tk, id, c, token, err);
        if (rc < 0)
            return rc;
        if (usable(tk, c, token, rejected)) {
            *fresh = 1;
            return 0;
        }
        if (c->kind == ZF_CONN_S2S)
            return 0;
        if (c->refresh_started_at && !claim_owner_gone(c)) {
            if (c->refresh_seq != seen_seq) {
                seen_seq = c->refresh_seq;
                seen_at = mono_ms();
                poll_ms = CLAIM_POLL_FIRST_MS;
            }
            if (mono_ms() - seen_at < CLAIM_GRACE_MS) {
                zf_store_rollback(tk->opts.store); /* its owner is about to relock */
                struct timespec nap = {0, poll_ms * 1000000L};
                nanosleep(&nap, NULL);
                poll_ms = poll_ms * 2 < CLAIM_POLL_MS ? poll_ms * 2 : CLAIM_POLL_MS;
                continue;
            }
        }
        if (c->refresh_started_at)
            claim_get(stale, c);
        claim mine = {now_of(tk), (int64_t)getpid(), c->refresh_seq + 1, ""};
        snprintf(mine.host, sizeof mine.host, "%s", host);
        c->refresh_seq = mine.seq;
        c->updated_at = mine.started_at;
        if (claim_put(c, &mine) < 0) {
            zf_store_rollback(tk->opts.store);
            return zf_error_set(err, ZF_ENOMEM, "out of memory");
        }
        if ((rc = zf_store_conn_put(tk->opts.store, c, err)) < 0) {
            zf_store_rollback(tk->opts.store);
            return rc;
        }
        if ((rc = zf_store_commit(tk->opts.store, err)) < 0 ||
            (rc = lock_and_load(tk, id, c, token, err)) < 0)
            return rc;
        if (c->refresh_seq == mine.seq && c->refresh_pid == mine.pid &&
            c->refresh_started_at == mine.started_at)
            return 0; /* still ours: the lock is held until the outcome commits */
        zf_store_rollback(tk->opts.store); /* taken over meanwhile: look again */
        seen_seq = -1;
    }
    zf_error_set(err, ZF_ESTORE,
                 "could not claim the token refresh of \"%s\": another "
                 "process kept claiming it",
                 id);
    zf_error_hint_id(err, ZF_HINT_RETRY_LATER,
                     "Retry; if it persists, look for a stuck process "
                     "holding the store.");
    return ZF_ESTORE;
}

/* The refresh that an earlier process claimed never completed and the server
 * now refuses the refresh token: it was rotated by that refresh. */
static void interrupted_error(const claim *k, const char *id, zf_error *err)
{
    char when[64], was[ZF_ERROR_MSG_MAX];
    time_t t = (time_t)k->started_at;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    snprintf(was, sizeof was, "%s", err->message);
    zf_error_set(err, ZF_EREAUTH,
                 "a refresh started at %s by pid %lld on host %s never completed - the "
                 "process was probably killed after the server rotated the token; the old "
                 "refresh token is no longer valid: reconnect (%s)",
                 when, (long long)k->pid, k->host, was);
    zf_error_hint_id(err, ZF_HINT_RECONNECT, HINT_RECONNECT);
    zf_error_hint_arg(err, ZF_HINT_ARG_CONNECTION, id);
}

/* The refresh before this one was cut off after it was sent (prev, the
 * last_error holding CUT_NOTE) and the server now refuses the refresh token:
 * that refresh rotated it and its answer was lost; nobody revoked anything. */
static void cut_error(const char *prev, const char *id, zf_error *err)
{
    char was[ZF_ERROR_MSG_MAX];
    int n = (int)(strstr(prev, CUT_NOTE) - prev);
    snprintf(was, sizeof was, "%s", err->message);
    zf_error_set(err, ZF_EREAUTH,
                 "the refresh before this one was cut off after it was sent (%.*s) - the "
                 "server most likely rotated the refresh token then and its answer was "
                 "lost; the old refresh token is no longer valid: reconnect (%s)",
                 n, prev, was);
    zf_error_hint_id(err, ZF_HINT_RECONNECT, HINT_RECONNECT_CUT);
    zf_error_hint_arg(err, ZF_HINT_ARG_CONNECTION, id);
}

/* The outcome of a refresh Zoom answered with set, into the row c: the new
 * pair, counted, the claim cleared (or left as keep, the evidence of a
 * stale one this refresh did not settle). */
static int settle(zf_tokens *tk, zf_store_conn *c, const zf_token_set *set, zf_error *err)
{
    int rc = apply_tokens(tk, c, set, err);
    if (rc == 0) {
        c->last_refresh_at = c->updated_at = now_of(tk);
        c->refresh_count++;
    }
    return rc;
}

/* A store failure that is the database going away, not the statement. */
static int database_gone(int rc, const zf_error *err)
{
    return rc == ZF_ESTORE &&
           (err->hint_id == ZF_HINT_DATABASE_LOST || err->hint_id == ZF_HINT_DATABASE_UNREACHABLE);
}

/*
 * The save of a refreshed pair was cut off by the database (err): save it
 * again until the database is back, in a new transaction, as long as the
 * row's claim is still this refresh's (seq). A pair found already stored
 * (a COMMIT that was lost on the way back had committed) is done. Returns
 * with no transaction open; c holds the row as last read.
 */
static int save_again(zf_tokens *tk, const char *id, int64_t seq, const zf_token_set *set,
                      zf_store_conn *c, zf_error *err)
{
    zf_secret stored = ZF_SECRET_INIT;
    int64_t t0 = mono_ms();
    int rc = ZF_ESTORE;
    zf_log(ZF_LOG_WARN, "tokens",
           "the refreshed token of %s was not saved (%s); saving it again once the "
           "database is back",
           id, err->message);
    while (database_gone(rc, err) && mono_ms() - t0 < SAVE_WAIT_MS) {
        struct timespec nap = {0, SAVE_POLL_MS * 1000000L};
        nanosleep(&nap, NULL);
        zf_store_rollback(tk->opts.store);
        zf_error_reset(err);
        if ((rc = lock_and_load(tk, id, c, &stored, err)) < 0)
            continue;
        if (zf_secret_eq(&stored, zf_secret_reveal(&set->access_token), set->access_token.len)) {
            zf_store_rollback(tk->opts.store);
            rc = 0;
            break;
        }
        if (c->refresh_seq != seq) {
            zf_store_rollback(tk->opts.store);
            rc = zf_error_set(err, ZF_ESTORE,
                              "the token refresh of \"%s\" succeeded but its new token could "
                              "not be saved before the database was back, and another "
                              "process has taken the refresh over since",
                              id);
            zf_error_hint_id(err, ZF_HINT_RECONNECT, HINT_RECONNECT_CUT);
            zf_error_hint_arg(err, ZF_HINT_ARG_CONNECTION, id);
            break;
        }
        if ((rc = settle(tk, c, set, err)) < 0 || claim_put(c, NULL) < 0 ||
            (rc = zf_store_conn_put(tk->opts.store, c, err)) < 0 ||
            (rc = zf_store_commit(tk->opts.store, err)) < 0) {
            rc = rc < 0 ? rc : zf_error_set(err, ZF_ENOMEM, "out of memory");
            zf_store_rollback(tk->opts.store);
            continue;
        }
        zf_log(ZF_LOG_INFO, "tokens", "the refreshed token of %s is saved", id);
    }
    zf_store_rollback(tk->opts.store);
    zf_secret_free(&stored);
    if (database_gone(rc, err)) {
        char was[ZF_ERROR_MSG_MAX];
        snprintf(was, sizeof was, "%s", err->message);
        zf_error_set(err, ZF_ESTORE,
                     "the token refresh of \"%s\" succeeded but its new token could not be "
                     "saved: the database stayed unreachable for %d s (%s)",
                     id, SAVE_WAIT_MS / 1000, was);
        zf_error_hint_id(err, ZF_HINT_RECONNECT, HINT_RECONNECT_CUT);
        zf_error_hint_arg(err, ZF_HINT_ARG_CONNECTION, id);
    }
    return rc;
}

/*
 * The cross-process part: claim (lock, re-read, use a token someone else
 * got, or record the refresh as started), call the token endpoint, and
 * commit the outcome, which clears the claim, before returning. *token
 * holds the token to hand out on success.
 */
static int refresh_locked(zf_tokens *tk, const char *id, const zf_secret *rejected,
                          zf_store_conn *c, zf_secret *token, zf_error *err)
{
    zf_token_set set = ZF_TOKEN_SET_INIT;
    claim stale = {0, 0, 0, ""};
    int sent = 0, fresh = 0;
    int rc = claim_refresh(tk, id, rejected, c, token, &fresh, &stale, err);
    if (rc < 0 || fresh) {
        if (rc == 0)
            zf_store_rollback(tk->opts.store); /* another process refreshed */
        return rc;
    }
    int cut = c->kind == ZF_CONN_OAUTH && c->last_error && strstr(c->last_error, CUT_NOTE);
    int64_t seq = c->refresh_seq;
    int zrc = call_zoom(tk, c, &set, &sent, err);
    __atomic_add_fetch(&tk->refreshes, 1, __ATOMIC_RELAXED);
    if (zrc < 0)
        __atomic_add_fetch(&tk->refresh_failures, 1, __ATOMIC_RELAXED);
    if (zrc == 0 && (rc = settle(tk, c, &set, err)) == 0) {
        zf_secret_free(token);
        rc = zf_secret_copy(token, &set.access_token) < 0
                 ? zf_error_set(err, ZF_ENOMEM, "out of memory")
                 : 0;
    } else if (zrc < 0) {
        if (zrc == ZF_EREAUTH && stale.started_at)
            interrupted_error(&stale, id, err);
        else if (zrc == ZF_EREAUTH && cut)
            cut_error(c->last_error, id, err);
        record_failure(tk, c, zrc, sent, err);
    }
    /* a stale claim stays as the evidence, unless this refresh settled it */
    if (rc == 0 && claim_put(c, zrc == 0 || !stale.started_at ? NULL : &stale) < 0)
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
    if (rc == 0 && (rc = zf_store_conn_put(tk->opts.store, c, err)) == 0)
        rc = zf_store_commit(tk->opts.store, err);
    else
        zf_store_rollback(tk->opts.store);
    if (zrc == 0 && c->kind == ZF_CONN_OAUTH && database_gone(rc, err))
        rc = save_again(tk, id, seq, &set, c, err);
    audit(tk, id, c->kind == ZF_CONN_S2S ? "s2s_token" : "refresh", zrc < 0 ? zrc : rc,
          zrc < 0            ? c->last_error
          : stale.started_at ? "after an interrupted refresh"
                             : NULL);
    zf_token_set_free(&set);
    return zrc < 0 ? zrc : rc;
}

/* After a transient refresh failure the old token may still do for a
 * while; it is handed out unless it is the rejected one or nearly dead. */
static int last_resort(zf_tokens *tk, const zf_store_conn *c, const zf_secret *token,
                       const zf_secret *rejected, int rc)
{
    if (rc == ZF_EREAUTH || rc == ZF_EAUTH || rc == ZF_ECRYPT || rc == ZF_ESTORE ||
        rc == ZF_ENOTCONNECTED || zf_secret_empty(token) || !c->id)
        return 0;
    if (rejected && zf_secret_eq(token, zf_secret_reveal(rejected), rejected->len))
        return 0;
    return c->access_expires_at - now_of(tk) > LAST_RESORT_MIN;
}

/* Runs one refresh for this process and publishes its outcome. */
static int fly(zf_tokens *tk, flight *f, const char *id, const zf_secret *rejected, zf_secret *out,
               char **api_base, zf_error *err)
{
    zf_store_conn c = {0};
    zf_secret token = ZF_SECRET_INIT;
    int rc = refresh_locked(tk, id, rejected, &c, &token, err);
    if (rc < 0 && last_resort(tk, &c, &token, rejected, rc)) {
        zf_log(ZF_LOG_WARN, "tokens",
               "refresh of %s failed (%s); using the current token, "
               "valid until %lld",
               id, err->message, (long long)c.access_expires_at);
        zf_error_reset(err);
        rc = 0;
    }
    pthread_mutex_lock(&f->mu);
    f->busy = 0;
    f->epoch++;
    f->rc = rc;
    f->err = *err;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    if (rc == 0)
        rc = hand_out(out, api_base, &token, &c, err);
    zf_secret_free(&token);
    zf_store_conn_free(&c);
    return rc;
}

static int get_token(zf_secret *out, char **api_base, zf_tokens *tk, const char *id,
                     const zf_secret *rejected, zf_error *err)
{
    zf_secret token = ZF_SECRET_INIT;
    zf_store_conn c = {0};
    int rc;
    out->ptr = NULL;
    out->len = 0;
    if (api_base)
        *api_base = NULL;
    id = id_or_default(id);
    flight *f = flight_of(tk, id);
    if (!f)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    int waited = 0;
    pthread_mutex_lock(&f->mu);
    while (f->busy) { /* single flight: wait for the one in the air */
        uint64_t epoch = f->epoch;
        while (f->busy)
            pthread_cond_wait(&f->cv, &f->mu);
        if (f->epoch != epoch && f->rc < 0) {
            *err = f->err;
            rc = f->rc;
            pthread_mutex_unlock(&f->mu);
            return rc;
        }
        waited = 1;
    }
    if (!rejected && keep_fresh(tk, f)) {
        rc = zf_secret_copy(out, &f->token) != 0 || (api_base && !(*api_base = strdup(f->api_base)))
                 ? zf_error_set(err, ZF_ENOMEM, "out of memory")
                 : 0;
        pthread_mutex_unlock(&f->mu);
        if (rc < 0) {
            zf_secret_free(out);
            if (api_base) {
                free(*api_base);
                *api_base = NULL;
            }
        }
        return rc;
    }
    if (rejected)
        keep_drop(f); /* Zoom refused a token: the row decides */
    rc = load(tk, id, &c, &token, err);
    if (rc == 0 && usable(tk, &c, &token, rejected))
        keep_put(tk, f, &token, &c);
    else
        keep_drop(f);
    /* After a flight, its outcome stands: a token it kept as a last resort
     * is used as it is, rather than each waiter asking Zoom again. */
    if (rc == 0 && (usable(tk, &c, &token, rejected) ||
                    (waited && last_resort(tk, &c, &token, rejected, ZF_ENET)))) {
        pthread_mutex_unlock(&f->mu);
        rc = hand_out(out, api_base, &token, &c, err);
        goto done;
    }
    if (rc < 0) {
        pthread_mutex_unlock(&f->mu);
        goto done;
    }
    f->busy = 1;
    pthread_mutex_unlock(&f->mu);
    rc = fly(tk, f, id, rejected, out, api_base, err);
done:
    zf_secret_free(&token);
    zf_store_conn_free(&c);
    return rc;
}

int zf_tokens_access(zf_secret *token, char **api_base, zf_tokens *tk, const char *id,
                     zf_error *err)
{
    return get_token(token, api_base, tk, id, NULL, err);
}

int zf_tokens_reject(zf_secret *token, char **api_base, zf_tokens *tk, const char *id,
                     const zf_secret *rejected, zf_error *err)
{
    if (!rejected || zf_secret_empty(rejected))
        return zf_error_set(err, ZF_EINVAL, "zf_tokens_reject needs the rejected token");
    return get_token(token, api_base, tk, id, rejected, err);
}
