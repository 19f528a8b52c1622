/*
 * zf_session: opens the key, the store, the token manager, the token source
 * and a Zoom client on first use, in that order, under one mutex.
 */
#include "zoomflow/session.h"
#include "zoomflow/oauth.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PATH_CAP 4096

struct zf_session {
    pthread_mutex_t mu;
    /* copies of the options' strings */
    char *db, *key_file, *conn_id, *actor, *api_base, *oauth_base;
    zf_http_opts http;
    /* opened on first use */
    zf_crypt *crypt;
    zf_store *store;
    zf_tokens *tokens;
    zf_zoom_tokens source; /* source.get != NULL once built */
    char *granted;
    zf_zoom *zoom;
};

/* --- default directories */

typedef struct dir_row {
    const char *xdg;      /* the XDG variable */
    const char *fallback; /* under $HOME */
} dir_row;

static const dir_row dirs[] = {
    [ZF_DIR_CONFIG] = {"XDG_CONFIG_HOME", ".config"},
    [ZF_DIR_DATA] = {"XDG_DATA_HOME", ".local/share"},
};

int zf_default_dir(zf_dir which, zf_buf *out, zf_error *err)
{
    if ((unsigned)which >= sizeof dirs / sizeof dirs[0])
        return zf_error_set(err, ZF_EINVAL, "zf_default_dir: unknown directory %d", (int)which);
    const char *x = getenv(dirs[which].xdg), *home = getenv("HOME");
    zf_buf_reset(out);
    if (x && x[0] == '/')
        zf_buf_appendf(out, "%s/zoomflow", x);
    else if (home && home[0])
        zf_buf_appendf(out, "%s/%s/zoomflow", home, dirs[which].fallback);
    else {
        zf_error_set(err, ZF_ECONFIG, "cannot find a %s directory: neither %s nor HOME is set",
                     which == ZF_DIR_CONFIG ? "config" : "data", dirs[which].xdg);
        zf_error_hint_id(err, ZF_HINT_SET_MASTER_KEY, "set HOME or %s", dirs[which].xdg);
        return ZF_ECONFIG;
    }
    if (out->failed)
        return zf_error_set(err, ZF_ENOMEM, "the %s directory's path is longer than %zu bytes",
                            dirs[which].xdg, out->max);
    return 0;
}

/* mkdir -p with mode 0700. false when a directory cannot be made: errno
 * says why and *at names it (path is cut there). */
static bool mkdirs(char *path, const char **at)
{
    *at = path;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int bad = mkdir(path, 0700) != 0 && errno != EEXIST;
        if (bad)
            return false;
        *p = '/';
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST;
}

/* --- open and free */

/* *dst = a copy of src (NULL stays NULL); false when out of memory. */
static bool dup_opt(char **dst, const char *src)
{
    *dst = NULL;
    return !src || (*dst = strdup(src)) != NULL;
}

int zf_session_open(zf_session **out, const zf_session_opts *opts, zf_error *err)
{
    if (!out || !opts)
        return zf_error_set(err, ZF_EINVAL, "zf_session_open: output and options needed");
    *out = NULL;
    zf_session *s = calloc(1, sizeof *s);
    if (!s)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    pthread_mutex_init(&s->mu, NULL);
    s->http = opts->http;
    if (!dup_opt(&s->db, opts->db) || !dup_opt(&s->key_file, opts->key_file) ||
        !dup_opt(&s->conn_id, opts->conn_id ? opts->conn_id : "default") ||
        !dup_opt(&s->actor, opts->actor) || !dup_opt(&s->api_base, opts->api_base) ||
        !dup_opt(&s->oauth_base, opts->oauth_base) ||
        !dup_opt((char **)&s->http.ca_file, opts->http.ca_file) ||
        !dup_opt((char **)&s->http.user_agent, opts->http.user_agent)) {
        zf_session_free(s);
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    *out = s;
    return 0;
}

void zf_session_free(zf_session *s)
{
    if (!s)
        return;
    zf_zoom_free(s->zoom);
    zf_zoom_tokens_free(&s->source);
    free(s->granted);
    zf_tokens_free(s->tokens);
    zf_store_free(s->store);
    zf_crypt_free(s->crypt);
    free(s->db);
    free(s->key_file);
    free(s->conn_id);
    free(s->actor);
    free(s->api_base);
    free(s->oauth_base);
    free((char *)s->http.ca_file);
    free((char *)s->http.user_agent);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* --- lazy opens; each *_locked runs under s->mu */

/* A key file is created (zf_crypt_new) only for a store with nothing
 * sealed in it yet: a missing key file beside stored connections is a
 * mistyped path or a lost key, and a fresh key would only hide that (its
 * secrets could never be opened). ZF_ECONFIG then; 0 when the file exists
 * (crypt.c checks the rest) or the store holds no connection. To start
 * over with a new key, the user creates the key file (or moves the store). */
static int refuse_new_key_locked(zf_session *s, const char *path, zf_error *err)
{
    struct stat st;
    if (lstat(path, &st) == 0 || errno != ENOENT)
        return 0;
    int rc;
    if (!s->store && (rc = zf_store_open(&s->store, s->db, err)) != 0)
        return rc;
    char **ids = NULL;
    size_t n = 0;
    if ((rc = zf_store_conn_list(s->store, &ids, &n, err)) != 0)
        return rc;
    if (n > 0) {
        rc = zf_error_set(err, ZF_ECONFIG,
                          "the key file %s does not exist, but the store "
                          "already holds %zu connection%s (%s%s) sealed with a master key; a "
                          "new key would not open %s, so none was created",
                          path, n, n == 1 ? "" : "s", ids[0], n > 1 ? ", ..." : "",
                          n == 1 ? "it" : "them");
        zf_error_hint_id(err, ZF_HINT_RESTORE_MASTER_KEY,
                         "give the key file the connections "
                         "were stored under (is the path mistyped?); to start over with a new "
                         "key, create the file (openssl rand -hex 32 > FILE, mode 0600) and "
                         "connect again");
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, path);
    }
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    return rc;
}

static int open_crypt_locked(zf_session *s, zf_error *err)
{
    if (s->crypt)
        return 0;
    const char *env = getenv("ZOOMFLOW_MASTER_KEY"); /* the one variable crypt.c reads */
    if (env && *env)
        return zf_crypt_new(&s->crypt, s->key_file, err);
    if (s->key_file || env) {
        int rc = s->key_file && *s->key_file ? refuse_new_key_locked(s, s->key_file, err) : 0;
        return rc ? rc : zf_crypt_new(&s->crypt, s->key_file, err);
    }
    zf_buf path = ZF_BUF_INIT(PATH_CAP);
    const char *at = NULL;
    int rc = zf_default_dir(ZF_DIR_CONFIG, &path, err);
    if (rc == 0 && !mkdirs(path.ptr, &at)) {
        int e = errno;
        rc = zf_error_set(err, ZF_ECONFIG, "cannot create the config directory %s: %s", at,
                          strerror(e));
        zf_error_hint_id(err, ZF_HINT_SET_MASTER_KEY,
                         "make it writable, point XDG_CONFIG_HOME "
                         "or HOME elsewhere, give a key file, or set ZOOMFLOW_MASTER_KEY");
    }
    if (rc == 0 && (zf_buf_puts(&path, "/master.key"), path.failed))
        rc =
            zf_error_set(err, ZF_ECONFIG, "the key file's path is longer than %zu bytes", path.max);
    if (rc == 0)
        rc = refuse_new_key_locked(s, path.ptr, err);
    if (rc == 0)
        rc = zf_crypt_new(&s->crypt, path.ptr, err);
    zf_buf_free(&path);
    return rc;
}

static int open_tokens_locked(zf_session *s, int want_tokens, zf_error *err)
{
    int rc;
    if ((rc = open_crypt_locked(s, err)) != 0)
        return rc;
    if (!s->store && (rc = zf_store_open(&s->store, s->db, err)) != 0)
        return rc;
    if (!want_tokens || s->tokens)
        return 0;
    zf_tokens_opts o = ZF_TOKENS_OPTS_INIT;
    o.store = s->store;
    o.crypt = s->crypt;
    o.actor = s->actor;
    o.http = s->http;
    return zf_tokens_new(&s->tokens, &o, err);
}

/* The connection's token source (pinned when asked) and its granted scopes. */
static int open_source_locked(zf_session *s, zf_error *err)
{
    if (s->source.get)
        return 0;
    int rc = open_tokens_locked(s, 1, err);
    zf_conn_info info;
    if (rc || (rc = zf_tokens_info(&info, s->tokens, s->conn_id, err)) != 0)
        return rc;
    free(s->granted);
    s->granted = info.scopes ? strdup(info.scopes) : NULL;
    int oom = info.scopes && !s->granted;
    zf_conn_info_free(&info);
    if (oom)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    zf_zoom_tokens src;
    if ((rc = zf_zoom_tokens_conn(&src, s->tokens, s->conn_id, err)) != 0)
        return rc;
    if (s->api_base && (rc = zf_zoom_tokens_pin_base(&src, s->api_base, err)) != 0) {
        zf_zoom_tokens_free(&src);
        return rc;
    }
    s->source = src;
    return 0;
}

static int new_zoom_locked(zf_session *s, zf_zoom **out, const zf_zoom_opts *opts, zf_error *err)
{
    int rc = open_source_locked(s, err);
    if (rc)
        return rc;
    zf_zoom_opts o = ZF_ZOOM_OPTS_INIT;
    if (opts)
        o = *opts;
    o.tokens = s->source;
    o.http = s->http;
    return zf_zoom_new(out, &o, err);
}

/* --- accessors */

int zf_session_store(zf_session *s, zf_store **out, zf_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    int rc = open_tokens_locked(s, 0, err);
    if (rc == 0)
        *out = s->store;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int zf_session_crypt(zf_session *s, zf_crypt **out, zf_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    int rc = open_tokens_locked(s, 0, err);
    if (rc == 0)
        *out = s->crypt;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int zf_session_tokens(zf_session *s, zf_tokens **out, zf_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    int rc = open_tokens_locked(s, 1, err);
    if (rc == 0)
        *out = s->tokens;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int zf_session_zoom(zf_session *s, zf_zoom **out, const char **granted, zf_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    int rc = s->zoom ? 0 : new_zoom_locked(s, &s->zoom, NULL, err);
    if (rc == 0) {
        *out = s->zoom;
        if (granted)
            *granted = s->granted;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int zf_session_zoom_new(zf_session *s, zf_zoom **out, const zf_zoom_opts *opts,
                        const char **granted, zf_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    int rc = new_zoom_locked(s, out, opts, err);
    if (rc == 0 && granted)
        *granted = s->granted;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int zf_session_token_source(zf_session *s, const zf_zoom_tokens **out, zf_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    int rc = open_source_locked(s, err);
    if (rc == 0)
        *out = &s->source;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int zf_session_api_base(zf_session *s, zf_buf *out)
{
    zf_error err = ZF_ERROR_INIT;
    zf_conn_info info;
    zf_tokens *tk = NULL;
    int have_row = 0;
    memset(&info, 0, sizeof info);
    zf_buf_reset(out);
    if (!s->api_base && zf_session_tokens(s, &tk, &err) == 0 &&
        zf_tokens_info(&info, tk, s->conn_id, &err) == 0)
        have_row = 1;
    if (s->api_base) {
        zf_buf_puts(out, s->api_base);
    } else if (have_row && info.api_base && info.api_base[0]) {
        zf_buf_puts(out, info.api_base);
    } else {
        /* the connection's OAuth host, or the configured one, decides */
        char *derived = NULL;
        const char *base = have_row && info.oauth_base ? info.oauth_base : s->oauth_base;
        if (zf_oauth_default_api_base(&derived, base) < 0) {
            zf_conn_info_free(&info);
            return ZF_ENOMEM;
        }
        zf_buf_puts(out, derived);
        free(derived);
    }
    zf_conn_info_free(&info);
    while (out->len && out->ptr[out->len - 1] == '/')
        out->ptr[--out->len] = '\0';
    if (out->len < 3 || strcmp(out->ptr + out->len - 3, "/v2") != 0)
        zf_buf_puts(out, "/v2");
    return out->failed ? ZF_ENOMEM : 0;
}
