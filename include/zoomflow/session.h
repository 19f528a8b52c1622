/*
 * A session: the one assembly of master key (crypt), store, token manager,
 * token source and Zoom client for one connection, shared by the CLI and
 * the service, so neither wires them by hand.
 *
 *   zf_session_opts o = ZF_SESSION_OPTS_INIT;
 *   o.conn_id = "default";
 *   zf_session *s;
 *   if (zf_session_open(&s, &o, &err) == 0) {
 *       zf_zoom *z;
 *       if (zf_session_zoom(s, &z, NULL, &err) == 0) ... zf_zoom_call(z, ...);
 *   }
 *   zf_session_free(s);
 *
 * zf_session_open copies the options and opens nothing; each accessor opens
 * what it needs on first use and keeps it (zf_session_store: the key and the
 * store; zf_session_tokens: and the token manager; zf_session_zoom: and the
 * connection's token source and a client), so a caller that never asks for
 * a Zoom client never builds one. A failed open is not remembered: the next
 * call tries again.
 *
 * Defaults (each a field left NULL):
 *  - the master key: ZOOMFLOW_MASTER_KEY when set (crypt.h), else the key
 *    file $XDG_CONFIG_HOME/zoomflow/master.key, or
 *    $HOME/.config/zoomflow/master.key (created 0600, its directories 0700);
 *  - the store: sqlite:$XDG_DATA_HOME/zoomflow/zoomflow.db, or
 *    sqlite:$HOME/.local/share/zoomflow/zoomflow.db (store.h).
 * The library reads no other environment variable: callers with their own
 * settings (the CLI's ZOOMFLOW_DB, ZOOMFLOW_KEY_FILE, ...) resolve them and
 * pass the result in the options.
 *
 * Threads: a zf_session may be shared by threads for zf_session_store,
 * zf_session_tokens, zf_session_token_source, zf_session_zoom_new and
 * zf_session_api_base: the lazy
 * opens are serialised by the session's mutex and the store and token
 * manager they hand out are thread-safe themselves. zf_session_zoom hands
 * out the session's own client, which like every zf_zoom belongs to one
 * thread at a time: a single-threaded caller (the CLI) uses it; a service
 * makes one client per thread with zf_session_zoom_new, all over the
 * session's one token source (so one refresh per connection, tokens.h).
 * zf_session_free must come after every other call has returned and after
 * every client from zf_session_zoom_new is freed.
 */
#ifndef ZOOMFLOW_SESSION_H
#define ZOOMFLOW_SESSION_H

#include "zoomflow/buf.h"
#include "zoomflow/crypt.h"
#include "zoomflow/error.h"
#include "zoomflow/http.h"
#include "zoomflow/store.h"
#include "zoomflow/tokens.h"
#include "zoomflow/zoom.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

typedef struct zf_session_opts {
    const char *db;       /* store DSN ("sqlite:PATH"); NULL = the default */
    const char *key_file; /* master key file; NULL = ZOOMFLOW_MASTER_KEY or the default */
    const char *conn_id;  /* the connection (the CLI's profile); NULL = "default" */
    const char *actor;    /* recorded in the audit log; NULL = "library" */
    zf_http_opts http;    /* for the token endpoint and the Zoom API */
    /* Every API call goes here instead of the connection's own base (Zoom's
     * api_url): a proxy or a pinned cluster (zf_zoom_tokens_pin_base).
     * NULL = the connection's base. */
    const char *api_base;
    /* The OAuth base the connection is made against (NULL = Zoom's): with no
     * pin and no connection base, the API base follows it
     * (zf_oauth_default_api_base). */
    const char *oauth_base;
} zf_session_opts;

#define ZF_SESSION_OPTS_INIT                                                                       \
    {                                                                                              \
        NULL, NULL, NULL, NULL, ZF_HTTP_OPTS_INIT, NULL, NULL                                      \
    }

typedef struct zf_session zf_session;

/* Copies opts (strings included; opts may be freed after) and opens
 * nothing, so it fails only when out of memory. A bad api_base fails the
 * first client or token source (ZF_ECONFIG naming it), not the store. */
int zf_session_open(zf_session **out, const zf_session_opts *opts, zf_error *err);
/* Frees the client, the token source, the token manager, the store and
 * the key, whichever were opened. NULL is fine. */
void zf_session_free(zf_session *s);

/* The store (borrowed, valid until zf_session_free), opened with the
 * master key on first use: the key first, so a missing or unreadable key
 * fails before a database file is created. */
int zf_session_store(zf_session *s, zf_store **out, zf_error *err);
/* The master key (borrowed, valid until zf_session_free), opened with the
 * store as zf_session_store does: for the secrets a caller seals itself
 * (the service's webhook secret tokens). zf_crypt_seal and zf_crypt_open
 * read only the key, so threads may share it. */
int zf_session_crypt(zf_session *s, zf_crypt **out, zf_error *err);
/* The token manager over the store (borrowed). */
int zf_session_tokens(zf_session *s, zf_tokens **out, zf_error *err);
/* The session's Zoom client over the connection (borrowed; one thread at a
 * time) and the scopes granted when it was built (borrowed, may be NULL;
 * granted may be NULL). ZF_ENOTCONNECTED with a hint when the connection
 * does not exist. */
int zf_session_zoom(zf_session *s, zf_zoom **out, const char **granted, zf_error *err);
/* A new Zoom client over the session's token source, owned by the caller
 * (zf_zoom_free, before zf_session_free): one per thread. opts may be NULL;
 * its tokens and http fields are ignored (the session's are used). */
int zf_session_zoom_new(zf_session *s, zf_zoom **out, const zf_zoom_opts *opts,
                        const char **granted, zf_error *err);
/* The connection's token source (borrowed, valid until zf_session_free;
 * pinned to opts->api_base when given), the one every session client uses:
 * for zf_download_opts.tokens. Safe to share between threads (its calls go
 * to the thread-safe token manager). */
int zf_session_token_source(zf_session *s, const zf_zoom_tokens **out, zf_error *err);
/* "{base}/v2" into out (reset first): opts->api_base when given, else the
 * connection's, else zf_oauth_default_api_base(opts->oauth_base). Reads the connection row (opening
 * the store when needed) but no token; when that fails the pin or the
 * default is used, so this fails only when out of memory. */
int zf_session_api_base(zf_session *s, zf_buf *out);

/* The default directories, without creating them: ZF_DIR_CONFIG is
 * $XDG_CONFIG_HOME/zoomflow or $HOME/.config/zoomflow, ZF_DIR_DATA is
 * $XDG_DATA_HOME/zoomflow or $HOME/.local/share/zoomflow (an XDG value that
 * is not absolute is ignored, as the XDG spec says). ZF_ECONFIG naming the
 * variables when neither is set. */
typedef enum zf_dir { ZF_DIR_CONFIG = 0, ZF_DIR_DATA = 1 } zf_dir;
int zf_default_dir(zf_dir which, zf_buf *out, zf_error *err);

ZF_PUBLIC_END

#endif
