/*
 * The PostgreSQL store driver: "postgresql://..." and "postgres://..." URIs,
 * or "postgresql:" followed by libpq's keyword form ("postgresql:host=db
 * dbname=zoomflow user=zf"). libpq and the engine only; the queries are the
 * domain files', written once for every driver.
 *
 * Connecting: whatever libpq takes, as libpq takes it: the DSN's parameters
 * (sslmode, sslrootcert, passfile, service, target_session_attrs, several
 * hosts, ...), then the PG* environment (PGHOST, PGPASSWORD, PGPASSFILE,
 * PGSSLMODE, ...), then ~/.pgpass. The DSN is parsed with PQconninfoParse
 * and handed to PQconnectdbParams with three additions a DSN (or the
 * environment) may override: fallback_application_name "zoomflow",
 * connect_timeout 10 s, and, ahead of the DSN's `options` (or PGOPTIONS),
 * so that those win, lock_timeout 60 s (SQLite's busy timeout) and
 * statement_timeout 90 s. Those settings travel in the startup packet, so
 * a reconnect (PQreset) keeps them. The server must be 13 or later.
 *
 * Secrets: the database is named in messages as postgresql://user@host:
 * port/dbname, made from what libpq connected with, never from the DSN;
 * libpq's messages about a DSN it cannot read have the DSN replaced by its
 * redacted form; the server's DETAIL lines, which can quote row values, are
 * not copied. A password belongs in a password file, not on a command line
 * (docs/postgresql.md).
 *
 * The row lock is pg_advisory_xact_lock on a 64-bit hash of (schema,
 * domain, key), not SELECT ... FOR UPDATE, because the row it guards need
 * not exist: a connection made for the first time, and schema_version
 * before its table exists (the migration runner's lock). The server frees
 * it at COMMIT or ROLLBACK, and when the session ends, so a killed process
 * never leaves it held. The schema is in the key so that deployments in two
 * schemas of one database do not wait for each other; a hash collision
 * only makes two keys wait for each other. A wait longer than lock_timeout
 * fails with 55P03 (ZF_STORE_FAULT_BUSY, hint DATABASE_BUSY).
 * Transactions are READ COMMITTED whatever the server's default: each
 * statement after the lock sees what the previous holder committed.
 *
 * Reconnecting: before a statement outside a transaction, a connection the
 * server closed while it was idle (a restart) is noticed (poll, then
 * PQconsumeInput) and reset; nothing had been sent, so any statement then
 * goes ahead. A connection lost during a statement is reset and the
 * statement repeated once only when it is a read (SELECT); a write may or
 * may not have happened, so it is reported (ZF_STORE_FAULT_LOST) and the
 * caller decides. Inside a transaction nothing is reset or repeated: the
 * server rolls the transaction back (lost during COMMIT, it may have
 * committed it), every call fails with FAULT_LOST until rollback(), and the
 * next statement after that reconnects.
 *
 * Parameters go as text (int64 as decimal, declared int8; text declared
 * text; NULL untyped, so the server infers it from where it goes: a NULL
 * that only `IS NULL` tests needs a CAST), blobs as binary bytea; rows
 * come back as text and are converted to the type asked for. A placeholder
 * other than $1..$n, or a second statement, is refused before the server
 * sees the text, as the SQLite driver does.
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zoomflow/buf.h"
#include "zoomflow/store.h"
#include "zoomflow/sys/store_driver.h"

#define LOCK_TIMEOUT_S 60
#define STATEMENT_TIMEOUT_S 90
#define CONNECT_TIMEOUT_S "10"
#define SERVER_MIN 130000
#define PARAMS_MAX 64 /* at least the store's ZF_STORE_PARAMS_MAX */
#define MSG_MAX 400
#define NAME_MAX_BYTES 256
#define OPTIONS_MAX 4096

/* Type OIDs (server/catalog/pg_type.h; fixed since PostgreSQL 7). */
#define BOOLOID 16
#define BYTEAOID 17
#define INT8OID 20
#define TEXTOID 25

typedef struct pg_db {
    PGconn *conn;
    char name[NAME_MAX_BYTES]; /* postgresql://user@host:port/dbname */
    int in_tx;                 /* between begin() and commit()/rollback() */
    zf_store_fault fault;      /* of the last call */
} pg_db;

typedef struct pg_rows {
    pg_db *d;
    PGresult *res;
    int nrows, ncols, cur; /* cur: the row handed out, -1 before the first */
    unsigned char **blobs; /* ncols: unescaped bytea of the current row */
} pg_rows;

/* --- messages */

/* msg on one line: runs of white space become one space, none at the ends. */
static void flatten(char *out, size_t cap, const char *msg)
{
    size_t n = 0;
    int space = 0;
    for (const char *p = msg ? msg : ""; *p && n + 1 < cap; p++) {
        if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
            space = n > 0;
            continue;
        }
        if (space && n + 2 < cap)
            out[n++] = ' ';
        space = 0;
        out[n++] = *p;
    }
    out[n] = '\0';
}

/* SQLSTATEs (or their class, two characters) by what they mean to a caller,
 * and the advice when there is more to say than the server's message. */
static const struct {
    const char *state;
    zf_store_fault fault;
    zf_hint hint;
    const char *words;
} state_map[] = {
    {"23505", ZF_STORE_FAULT_UNIQUE, ZF_HINT_NONE, NULL},
    {"40001", ZF_STORE_FAULT_BUSY, ZF_HINT_DATABASE_BUSY,
     "a concurrent transaction conflicted with this one; retry"},
    {"40P01", ZF_STORE_FAULT_BUSY, ZF_HINT_DATABASE_BUSY,
     "the server broke a deadlock between two transactions; retry"},
    {"55P03", ZF_STORE_FAULT_BUSY, ZF_HINT_DATABASE_BUSY,
     "another process or replica held the lock longer than the lock timeout; retry, "
     "and look for a stuck session in pg_stat_activity"},
    {"57014", ZF_STORE_FAULT_BUSY, ZF_HINT_DATABASE_BUSY,
     "the statement ran longer than the statement timeout; retry, and check the "
     "server's load"},
    {"57P01", ZF_STORE_FAULT_LOST, ZF_HINT_DATABASE_LOST, NULL},
    {"57P02", ZF_STORE_FAULT_LOST, ZF_HINT_DATABASE_LOST, NULL},
    {"57P03", ZF_STORE_FAULT_LOST, ZF_HINT_DATABASE_LOST, NULL},
    {"08", ZF_STORE_FAULT_LOST, ZF_HINT_DATABASE_LOST, NULL},
    {"3F000", ZF_STORE_FAULT_OTHER, ZF_HINT_DATABASE_GRANTS,
     "the role may use no schema of its search_path: have the schema's owner grant it "
     "USAGE (and CREATE, to migrate) on the schema, or set search_path in the DSN's "
     "options; see docs/postgresql.md"},
    {"42501", ZF_STORE_FAULT_OTHER, ZF_HINT_DATABASE_GRANTS,
     "the database role lacks a privilege the store needs: have the schema's owner "
     "grant USAGE and CREATE on the schema (or run the migrations as the owner) and "
     "SELECT, INSERT, UPDATE, DELETE on its tables; see docs/postgresql.md"},
};

#define LOST_WORDS                                                                                 \
    "the connection to the database server was lost (a restart or a network cut); it "             \
    "is reopened on the next call: retry once the server is up, and check whether a "              \
    "change being written then was made"

static size_t state_row(const char *state)
{
    size_t n = sizeof state_map / sizeof state_map[0];
    for (size_t i = 0; state && i < n; i++)
        if (strncmp(state, state_map[i].state, strlen(state_map[i].state)) == 0)
            return i;
    return n;
}

static int lost(const pg_db *d)
{
    return PQstatus(d->conn) == CONNECTION_BAD;
}

/* A failed statement (res may be NULL) into err, classified. */
static int res_fail(pg_db *d, const PGresult *res, zf_error *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char msg[MSG_MAX];
    size_t row = state_row(state);
    int found = row < sizeof state_map / sizeof state_map[0];
    flatten(msg, sizeof msg, primary ? primary : PQerrorMessage(d->conn));
    d->fault = found ? state_map[row].fault : ZF_STORE_FAULT_OTHER;
    if (lost(d))
        d->fault = ZF_STORE_FAULT_LOST;
    zf_error_set(err, ZF_ESTORE, "database %s: %s%s%s%s%s", d->name, msg,
                 state ? " (SQLSTATE " : "", state ? state : "", state ? ")" : "",
                 d->fault == ZF_STORE_FAULT_LOST && d->in_tx
                     ? "; inside a transaction, which the server rolls back"
                     : "");
    if (d->fault == ZF_STORE_FAULT_LOST)
        zf_error_hint_id(err, ZF_HINT_DATABASE_LOST, LOST_WORDS);
    else if (found && state_map[row].hint != ZF_HINT_NONE)
        zf_error_hint_id(err, state_map[row].hint, "%s", state_map[row].words);
    return ZF_ESTORE;
}

/* A caller mistake in the statement, not the database's failure. */
static int misuse(pg_db *d, zf_error *err, const char *what, const char *sql)
{
    d->fault = ZF_STORE_FAULT_OTHER;
    return zf_error_set(err, ZF_EINVAL, "database %s: %s in \"%.80s\"", d->name, what, sql);
}

static int nomem(pg_db *d, zf_error *err)
{
    d->fault = ZF_STORE_FAULT_OTHER;
    return zf_error_set(err, ZF_ENOMEM, "out of memory");
}

/* --- connecting */

/* What a failed connection attempt's message means, most specific first
 * (a pg_hba.conf refusal also names the database and SSL). Matched on
 * libpq's and the server's English messages; another language gets the
 * message and the last row's advice. */
static const struct {
    const char *needle;
    zf_hint hint;
    const char *words;
} connect_map[] = {
    {"password authentication failed", ZF_HINT_DATABASE_LOGIN,
     "the server refused the password: check the user and the password; keep the "
     "password in a password file (the DSN's passfile, PGPASSFILE, ~/.pgpass) or "
     "PGPASSWORD, not in the DSN"},
    {"no password supplied", ZF_HINT_DATABASE_LOGIN,
     "the server asks for a password and none was found: put it in a password file "
     "(the DSN's passfile, PGPASSFILE, ~/.pgpass) or PGPASSWORD"},
    {"no pg_hba.conf entry", ZF_HINT_DATABASE_LOGIN,
     "the server accepts no connection from this host for this user and database: "
     "ask its administrator for a pg_hba.conf line (and the sslmode it wants)"},
    {"permission denied for database", ZF_HINT_DATABASE_GRANTS,
     "the role may not connect to this database: GRANT CONNECT ON DATABASE to it"},
    {"role \"", ZF_HINT_DATABASE_LOGIN,
     "check the user in the DSN (or PGUSER): the role must exist on the server and be "
     "allowed to log in (CREATE ROLE ... LOGIN)"},
    {"database \"", ZF_HINT_DATABASE_MISSING,
     "create the database (CREATE DATABASE ... OWNER ...) or correct its name in the "
     "DSN"},
    {"SSL", ZF_HINT_DATABASE_TLS,
     "check the DSN's sslmode (and sslrootcert for verify-ca or verify-full) against "
     "what the server offers"},
    {"certificate", ZF_HINT_DATABASE_TLS,
     "check sslrootcert: it must hold the CA that signed the server's certificate, "
     "and the DSN's host must be a name the certificate carries"},
    {"could not translate host name", ZF_HINT_DATABASE_UNREACHABLE,
     "the host name does not resolve: check the DSN's host (or PGHOST)"},
    {"timeout expired", ZF_HINT_DATABASE_UNREACHABLE,
     "the server did not answer within connect_timeout: check the host, the port and "
     "any firewall between"},
    {"starting up", ZF_HINT_DATABASE_UNREACHABLE,
     "the server is starting or recovering: retry in a moment"},
    {"shutting down", ZF_HINT_DATABASE_UNREACHABLE,
     "the server is shutting down: retry once it is back"},
    {"too many clients", ZF_HINT_DATABASE_UNREACHABLE,
     "the server has no connection slot left (max_connections): retry later, or "
     "make room"},
    {"remaining connection slots", ZF_HINT_DATABASE_UNREACHABLE,
     "the server has no connection slot left for this role: retry later, or make "
     "room"},
    {"", ZF_HINT_DATABASE_UNREACHABLE,
     "check the DSN's host and port (or PGHOST, PGPORT) and that the server runs and "
     "accepts TCP connections from here (listen_addresses, firewalls)"},
};

static void name_of(pg_db *d)
{
    const char *host = PQhost(d->conn), *port = PQport(d->conn);
    snprintf(d->name, sizeof d->name, "postgresql://%s@%s:%s/%s",
             PQuser(d->conn) ? PQuser(d->conn) : "", host && *host ? host : "localhost",
             port && *port ? port : "5432", PQdb(d->conn) ? PQdb(d->conn) : "");
}

/* The connection attempt that failed, named and explained. */
static int connect_fail(pg_db *d, const char *what, zf_error *err)
{
    char msg[MSG_MAX];
    size_t i = 0, n = sizeof connect_map / sizeof connect_map[0];
    flatten(msg, sizeof msg, PQerrorMessage(d->conn));
    const char *says = PQconnectionNeedsPassword(d->conn) ? "no password supplied" : msg;
    while (i + 1 < n && !strstr(says, connect_map[i].needle))
        i++;
    d->fault = ZF_STORE_FAULT_LOST;
    zf_error_set(err, ZF_ESTORE, "%s %s: %s", what, d->name, msg);
    zf_error_hint_id(err, connect_map[i].hint, "%s", connect_map[i].words);
    if (connect_map[i].hint == ZF_HINT_DATABASE_MISSING && PQdb(d->conn))
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, PQdb(d->conn));
    return ZF_ESTORE;
}

static void quiet(void *ctx, const char *message)
{
    (void)ctx; /* notices ("relation already exists, skipping") are not errors */
    (void)message;
}

/* The conninfo libpq reads: a URI as it is; "postgresql:KEYWORDS" without
 * its scheme. */
static const char *conninfo_of(const char *dsn)
{
    static const char *const prefixes[] = {"postgresql:", "postgres:"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(dsn, prefixes[i], n) == 0 && strncmp(dsn + n, "//", 2) != 0)
            return dsn + n;
    }
    return dsn;
}

/* libpq could not read the DSN; its message may quote the DSN whole, so
 * every copy of it is replaced by the redacted form. */
static int parse_fail(const char *dsn, const char *conninfo, const char *libpq_msg, zf_error *err)
{
    char *shown = NULL, msg[MSG_MAX];
    zf_buf b = ZF_BUF_INIT(MSG_MAX * 4);
    zf_error quiet_err = ZF_ERROR_INIT;
    if (zf_store_redact_dsn(&shown, dsn, &quiet_err) < 0)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    const char *p = libpq_msg ? libpq_msg : "", *hit;
    size_t clen = strlen(conninfo);
    while (clen && (hit = strstr(p, conninfo))) {
        zf_buf_append(&b, p, (size_t)(hit - p));
        zf_buf_puts(&b, "(the DSN)");
        p = hit + clen;
    }
    zf_buf_puts(&b, p);
    flatten(msg, sizeof msg, zf_buf_cstr(&b));
    zf_error_set(err, ZF_ECONFIG, "cannot read the database DSN %s: %s", shown, msg);
    zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE,
                     "write it as postgresql://USER@HOST:PORT/DATABASE?PARAMETERS or as "
                     "postgresql: followed by libpq's key=value form");
    zf_buf_free(&b);
    free(shown);
    return ZF_ECONFIG;
}

/* What a DSN's parameter says, NULL when it says nothing. */
static const char *opt_val(const PQconninfoOption *opts, const char *key)
{
    for (const PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val;
    return NULL;
}

/* The parameters we add, which a DSN or the environment may override. */
typedef struct extras {
    char options[OPTIONS_MAX];
    const char *timeout, *app;
} extras;

static int make_extras(extras *x, const PQconninfoOption *opts)
{
    const char *user_opts = opt_val(opts, "options");
    if (!user_opts)
        user_opts = getenv("PGOPTIONS");
    int n = snprintf(x->options, sizeof x->options,
                     "-c lock_timeout=%ds -c statement_timeout=%ds%s%s", LOCK_TIMEOUT_S,
                     STATEMENT_TIMEOUT_S, user_opts ? " " : "", user_opts ? user_opts : "");
    x->timeout = opt_val(opts, "connect_timeout");
    if (!x->timeout && !getenv("PGCONNECT_TIMEOUT"))
        x->timeout = CONNECT_TIMEOUT_S;
    x->app = opt_val(opts, "fallback_application_name");
    if (!x->app)
        x->app = "zoomflow";
    return n < 0 || (size_t)n >= sizeof x->options ? -1 : 0;
}

static int is_extra(const char *key)
{
    return !strcmp(key, "options") || !strcmp(key, "connect_timeout") ||
           !strcmp(key, "fallback_application_name");
}

/* PQconnectdbParams with the DSN's parameters plus the extras. */
static PGconn *connect_with(const PQconninfoOption *opts, const extras *x)
{
    size_t n = 0, k = 0;
    for (const PQconninfoOption *o = opts; o->keyword; o++)
        n++;
    const char **kw = calloc(n + 4, sizeof *kw), **val = calloc(n + 4, sizeof *val);
    const char *add_kw[] = {"options", "fallback_application_name", "connect_timeout"};
    const char *add_val[] = {x->options, x->app, x->timeout};
    PGconn *conn = NULL;
    if (kw && val) {
        for (const PQconninfoOption *o = opts; o->keyword; o++)
            if (o->val && !is_extra(o->keyword)) {
                kw[k] = o->keyword;
                val[k++] = o->val;
            }
        for (size_t i = 0; i < sizeof add_kw / sizeof add_kw[0]; i++)
            if (add_val[i]) {
                kw[k] = add_kw[i];
                val[k++] = add_val[i];
            }
        conn = PQconnectdbParams(kw, val, 0);
    }
    free(kw);
    free(val);
    return conn;
}

/* The password's copy in opts is wiped before it is freed. */
static void free_opts(PQconninfoOption *opts)
{
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (o->val && (!strcmp(o->keyword, "password") || !strcmp(o->keyword, "sslpassword")))
            memset(o->val, 0, strlen(o->val));
    PQconninfoFree(opts);
}

static void pg_close(void *h)
{
    pg_db *d = h;
    if (!d)
        return;
    PQfinish(d->conn);
    free(d);
}

static int check_server(pg_db *d, zf_error *err)
{
    int v = PQserverVersion(d->conn);
    if (v >= SERVER_MIN)
        return 0;
    zf_error_set(err, ZF_ESTORE,
                 "database %s: the server is PostgreSQL %d.%d; zoomflow "
                 "needs 13 or later",
                 d->name, v / 10000, v % 10000);
    zf_error_hint_id(err, ZF_HINT_CHOOSE_DATABASE, "use a PostgreSQL 13 or later server");
    return ZF_ESTORE;
}

static int pg_open(void **out, const char *dsn, zf_error *err)
{
    const char *conninfo = conninfo_of(dsn);
    char *perr = NULL;
    extras x;
    pg_db *d = NULL;
    int rc = 0;
    *out = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    if (!opts) {
        rc = perr ? parse_fail(dsn, conninfo, perr, err)
                  : zf_error_set(err, ZF_ENOMEM, "out of memory");
        PQfreemem(perr);
        return rc;
    }
    if (make_extras(&x, opts) < 0) {
        free_opts(opts);
        return zf_error_set(err, ZF_ECONFIG, "the DSN's options are too long");
    }
    if (!(d = calloc(1, sizeof *d)) || !(d->conn = connect_with(opts, &x))) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
        goto done;
    }
    name_of(d);
    if (PQstatus(d->conn) != CONNECTION_OK) {
        rc = connect_fail(d, "cannot connect to the database", err);
        goto done;
    }
    if ((rc = check_server(d, err)) < 0)
        goto done;
    PQsetNoticeProcessor(d->conn, quiet, NULL);
    *out = d;
    d = NULL;
done:
    free_opts(opts);
    pg_close(d);
    return rc;
}

/* Outside a transaction: a connection the server closed while it was idle
 * (a restart, an idle timeout) is found before anything is sent, and
 * reopened with the same parameters. */
static int ready(pg_db *d, zf_error *err)
{
    if (d->in_tx) {
        if (!lost(d))
            return 0;
        d->fault = ZF_STORE_FAULT_LOST;
        zf_error_set(err, ZF_ESTORE,
                     "database %s: the connection was lost inside a "
                     "transaction, which the server rolls back",
                     d->name);
        zf_error_hint_id(err, ZF_HINT_DATABASE_LOST, LOST_WORDS);
        return ZF_ESTORE;
    }
    struct pollfd p = {PQsocket(d->conn), POLLIN, 0};
    /* readable while idle: an error or notice from the server, then perhaps
     * its end of the connection; read until nothing is left or it is gone */
    for (int i = 0; i < 4 && !lost(d) && p.fd >= 0 && poll(&p, 1, 0) > 0; i++)
        if (!PQconsumeInput(d->conn))
            break;
    if (!lost(d))
        return 0;
    PQreset(d->conn);
    if (PQstatus(d->conn) != CONNECTION_OK)
        return connect_fail(d, "the connection was lost and reconnecting failed: database", err);
    PQsetNoticeProcessor(d->conn, quiet, NULL);
    return 0;
}

/* --- statements */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || is_digit(c) ||
           (unsigned char)c >= 0x80;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* Past the quoted text at s ('...' or "..."; a doubled quote stays inside). */
static const char *skip_quoted(const char *s)
{
    char q = *s++;
    while (*s && *s != q)
        s++;
    return *s ? s + 1 : s;
}

/* Past the dollar-quoted text at s ($$...$$ or $tag$...$tag$), or NULL
 * when s starts none. */
static const char *skip_dollar(const char *s)
{
    size_t n = 1;
    while (is_ident(s[n]) && !is_digit(s[1]))
        n++;
    if (s[n] != '$')
        return NULL;
    n++;
    for (const char *p = s + n; (p = strchr(p, '$')); p++)
        if (strncmp(p, s, n) == 0)
            return p + n;
    return s + strlen(s);
}

typedef struct scan {
    uint64_t seen; /* $k seen: bit k - 1 */
    size_t distinct;
    size_t other; /* placeholders other than $1..$n */
    int statement;
} scan;

/* Handles the placeholder or literal at *p when there is one (advancing
 * *p); 0 when *p starts neither. */
static int scan_token(scan *sc, const char **p, const char *sql, size_t n)
{
    const char *s = *p, *e;
    if (*s == '\'' || *s == '"') {
        *p = skip_quoted(s);
    } else if (s[0] == '-' && s[1] == '-') {
        *p = s + strcspn(s, "\n");
    } else if (s[0] == '/' && s[1] == '*') {
        e = strstr(s + 2, "*/");
        *p = e ? e + 2 : s + strlen(s);
    } else if (*s == '$' && is_digit(s[1])) {
        size_t k = 0;
        for (s++; is_digit(*s); s++)
            k = k < PARAMS_MAX + 1 ? k * 10 + (size_t)(*s - '0') : k;
        if (k == 0 || k > n || k > PARAMS_MAX)
            sc->other++;
        else if (!(sc->seen & (UINT64_C(1) << (k - 1)))) {
            sc->seen |= UINT64_C(1) << (k - 1);
            sc->distinct++;
        }
        *p = s;
    } else if (*s == '$' && (s == sql || !is_ident(s[-1])) && (e = skip_dollar(s))) {
        *p = e;
    } else if (*s == ':' && s[1] == ':') {
        *p = s + 2; /* a cast */
    } else if (*s == '?' || (*s == ':' && is_ident(s[1]) && !is_digit(s[1]))) {
        sc->other++; /* SQLite's ?, :name */
        *p = s + 1;
    } else {
        return 0;
    }
    sc->statement = 1;
    return 1;
}

/* NULL when sql is one statement whose placeholders are exactly $1..$n,
 * else what is wrong with it. */
static const char *check_sql(const char *sql, size_t n)
{
    scan sc = {0, 0, 0, 0};
    const char *p = sql;
    while (*p) {
        if (scan_token(&sc, &p, sql, n))
            continue;
        if (*p == ';') {
            while (*p == ';' || is_blank(*p))
                p++;
            if (*p)
                return "more than one statement";
            break;
        }
        if (!is_blank(*p))
            sc.statement = 1;
        p++;
    }
    if (!sc.statement)
        return "no statement";
    if (n > PARAMS_MAX || sc.distinct + sc.other != n)
        return "placeholders and parameters differ in number";
    return sc.other ? "a placeholder other than $1..$n" : NULL;
}

/* A statement that only reads: repeating it cannot do anything twice. */
static int is_read(const char *sql)
{
    while (is_blank(*sql))
        sql++;
    return strncasecmp(sql, "SELECT", 6) == 0 && !is_ident(sql[6]);
}

typedef struct bound {
    const char *vals[PARAMS_MAX];
    int lens[PARAMS_MAX], fmts[PARAMS_MAX];
    Oid types[PARAMS_MAX];
    char nums[PARAMS_MAX][24];
} bound;

static void bind_all(bound *b, const zf_store_value *params, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const zf_store_value *v = &params[i];
        b->vals[i] = NULL;
        b->lens[i] = 0;
        b->fmts[i] = 0;
        b->types[i] = 0;
        if (v->type == ZF_STORE_INT64) {
            snprintf(b->nums[i], sizeof b->nums[i], "%" PRId64, v->i);
            b->vals[i] = b->nums[i];
            b->types[i] = INT8OID;
        } else if (v->type == ZF_STORE_TEXT) {
            b->vals[i] = v->p;
            b->types[i] = TEXTOID;
        } else if (v->type == ZF_STORE_BLOB) {
            b->vals[i] = v->p ? v->p : "";
            b->lens[i] = (int)v->len;
            b->fmts[i] = 1;
            b->types[i] = BYTEAOID;
        }
    }
}

static PGresult *run(pg_db *d, const char *sql, const bound *b, size_t n)
{
    return PQexecParams(d->conn, sql, (int)n, b->types, b->vals, b->lens, b->fmts, 0);
}

static int worked(const PGresult *res)
{
    ExecStatusType s = PQresultStatus(res);
    return res && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK);
}

static void free_blobs(pg_rows *r)
{
    for (int i = 0; r->blobs && i < r->ncols; i++) {
        PQfreemem(r->blobs[i]);
        r->blobs[i] = NULL;
    }
}

static void pg_finish(void *h)
{
    pg_rows *r = h;
    if (!r)
        return;
    free_blobs(r);
    free(r->blobs);
    PQclear(r->res);
    free(r);
}

static int pg_exec(void *h, const char *sql, const zf_store_value *params, size_t n, void **rows,
                   zf_error *err)
{
    pg_db *d = h;
    bound b;
    const char *wrong = check_sql(sql, n);
    int rc;
    if (rows)
        *rows = NULL;
    d->fault = ZF_STORE_FAULT_NONE;
    if (wrong)
        return misuse(d, err, wrong, sql);
    if ((rc = ready(d, err)) < 0)
        return rc;
    bind_all(&b, params, n);
    PGresult *res = run(d, sql, &b, n);
    if (!worked(res) && lost(d) && !d->in_tx && is_read(sql) && ready(d, err) == 0) {
        PQclear(res); /* a read cut off: the same read again, once */
        res = run(d, sql, &b, n);
    }
    if (!worked(res)) {
        rc = res_fail(d, res, err);
        PQclear(res);
        return rc;
    }
    if (!rows) {
        PQclear(res);
        return 0;
    }
    pg_rows *r = calloc(1, sizeof *r);
    if (!r || !(r->blobs = calloc((size_t)PQnfields(res) + 1, sizeof *r->blobs))) {
        free(r);
        PQclear(res);
        return nomem(d, err);
    }
    r->d = d;
    r->res = res;
    r->nrows = PQntuples(res);
    r->ncols = PQnfields(res);
    r->cur = -1;
    *rows = r;
    return 0;
}

static int pg_step(void *h, zf_error *err)
{
    pg_rows *r = h;
    (void)err; /* every row is in hand: stepping cannot fail */
    free_blobs(r);
    if (r->cur + 1 >= r->nrows) {
        r->cur = r->nrows;
        return 0;
    }
    r->cur++;
    return 1;
}

/* A column's text as int64: booleans as 1 and 0, integers in range. */
static int to_int64(pg_rows *r, size_t i, const char *v, zf_store_value *out, zf_error *err)
{
    if (PQftype(r->res, (int)i) == BOOLOID) {
        out->i = v[0] == 't';
        return 0;
    }
    int neg = *v == '-';
    const char *p = v + neg;
    uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, mag = 0;
    int ok = is_digit(*p);
    for (; ok && is_digit(*p); p++) {
        unsigned dgt = (unsigned)(*p - '0');
        ok = mag <= (lim - dgt) / 10;
        mag = mag * 10 + dgt;
    }
    if (!ok || *p) {
        r->d->fault = ZF_STORE_FAULT_OTHER;
        return zf_error_set(err, ZF_ESTORE,
                            "database %s: column %zu holds \"%.40s\", "
                            "not a 64-bit integer",
                            r->d->name, i, v);
    }
    out->i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return 0;
}

static int pg_column(void *h, size_t i, zf_store_type want, zf_store_value *out, zf_error *err)
{
    pg_rows *r = h;
    memset(out, 0, sizeof *out);
    if (i >= (size_t)r->ncols || r->cur < 0 || r->cur >= r->nrows)
        return zf_error_set(err, ZF_EINVAL, "database %s: no column %zu in this row", r->d->name,
                            i);
    if (PQgetisnull(r->res, r->cur, (int)i))
        return 0;
    const char *v = PQgetvalue(r->res, r->cur, (int)i);
    out->type = want;
    if (want == ZF_STORE_INT64)
        return to_int64(r, i, v, out, err);
    out->p = v;
    out->len = (size_t)PQgetlength(r->res, r->cur, (int)i);
    if (want == ZF_STORE_BLOB && PQftype(r->res, (int)i) == BYTEAOID) {
        size_t len = 0;
        PQfreemem(r->blobs[i]);
        if (!(r->blobs[i] = PQunescapeBytea((const unsigned char *)v, &len)))
            return nomem(r->d, err);
        out->p = (const char *)r->blobs[i];
        out->len = len;
    }
    return 0;
}

/* --- transactions and scripts */

/* A statement without parameters whose rows are dropped. */
static int simple(pg_db *d, const char *sql, zf_error *err)
{
    PGresult *res = PQexec(d->conn, sql);
    int rc = worked(res) ? 0 : res_fail(d, res, err);
    PQclear(res);
    return rc;
}

static int pg_script(void *h, const char *sql, zf_error *err)
{
    pg_db *d = h;
    d->fault = ZF_STORE_FAULT_NONE;
    int rc = ready(d, err);
    return rc < 0 ? rc : simple(d, sql, err);
}

static int pg_begin(void *h, zf_error *err)
{
    pg_db *d = h;
    d->fault = ZF_STORE_FAULT_NONE;
    int rc = ready(d, err);
    if (rc == 0 && d->in_tx)
        return misuse(d, err, "begin inside a transaction", "BEGIN");
    if (rc == 0 && (rc = simple(d, "BEGIN ISOLATION LEVEL READ COMMITTED", err)) == 0)
        d->in_tx = 1;
    return rc;
}

static const char lock_sql[] = "SELECT pg_advisory_xact_lock(hashtextextended("
                               "COALESCE(current_schema(), '') || '/' || $1 || '/' || $2, 0))";

static int pg_lock_row(void *h, const char *domain, const char *key, zf_error *err)
{
    pg_db *d = h;
    d->fault = ZF_STORE_FAULT_NONE;
    if (!d->in_tx)
        return misuse(d, err, "lock_row outside a transaction", domain);
    zf_store_value v[] = {{ZF_STORE_TEXT, 0, domain, 0}, {ZF_STORE_TEXT, 0, key, 0}};
    int rc = pg_exec(d, lock_sql, v, 2, NULL, err);
    if (rc < 0 && d->fault == ZF_STORE_FAULT_BUSY)
        zf_error_hint_id(err, ZF_HINT_DATABASE_BUSY,
                         "another process or replica held the lock of %s \"%s\" longer "
                         "than the lock timeout (%d s unless the DSN's options set "
                         "lock_timeout); retry, and look for a stuck session in "
                         "pg_stat_activity",
                         domain, key, LOCK_TIMEOUT_S);
    return rc;
}

static void pg_rollback(void *h)
{
    pg_db *d = h;
    if (!d->in_tx)
        return;
    d->in_tx = 0;
    if (!lost(d))
        PQclear(PQexec(d->conn, "ROLLBACK"));
}

/* COMMIT of a transaction in which a statement failed is a ROLLBACK on
 * PostgreSQL: that is reported as the failure it is. */
static int pg_commit(void *h, zf_error *err)
{
    pg_db *d = h;
    d->fault = ZF_STORE_FAULT_NONE;
    if (!d->in_tx) {
        d->fault = ZF_STORE_FAULT_OTHER;
        return zf_error_set(err, ZF_ESTORE, "database %s: commit without a transaction", d->name);
    }
    if (lost(d) || PQtransactionStatus(d->conn) == PQTRANS_INERROR) {
        int gone = lost(d);
        pg_rollback(d);
        d->fault = gone ? ZF_STORE_FAULT_LOST : ZF_STORE_FAULT_OTHER;
        zf_error_set(err, ZF_ESTORE, "database %s: %s, so the transaction was rolled back", d->name,
                     gone ? "the connection was lost" : "a statement in it failed");
        if (gone)
            zf_error_hint_id(err, ZF_HINT_DATABASE_LOST, LOST_WORDS);
        return ZF_ESTORE;
    }
    PGresult *res = PQexec(d->conn, "COMMIT");
    int rc = 0;
    d->in_tx = 0;
    if (!worked(res)) {
        rc = res_fail(d, res, err);
        if (d->fault == ZF_STORE_FAULT_LOST)
            zf_error_restate(err, ZF_ESTORE,
                             "database %s: the connection was lost during "
                             "COMMIT: the transaction may or may not have been committed",
                             d->name);
    } else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        d->fault = ZF_STORE_FAULT_OTHER;
        rc = zf_error_set(err, ZF_ESTORE,
                          "database %s: the server rolled the "
                          "transaction back",
                          d->name);
    }
    PQclear(res);
    return rc;
}

static int pg_fault(void *h)
{
    return ((pg_db *)h)->fault;
}

const zf_store_driver zf_store_postgresql_driver = {
    ZF_STORE_DRIVER_VERSION,
    "postgresql",
    "postgresql",
    pg_open,
    pg_close,
    pg_exec,
    pg_step,
    pg_column,
    pg_finish,
    pg_begin,
    pg_lock_row,
    pg_commit,
    pg_rollback,
    pg_script,
    pg_fault,
};
