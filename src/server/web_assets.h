/* The admin page's files (src/server/web/), embedded in the binary at build
 * time: cmake/embed_web.cmake writes web_assets.c into the build tree from
 * every file there, so a changed file rebuilds it. The server layer serves
 * them (GET / is "index.html", GET /assets/{file} is "{file}").
 *
 * A path is the file's name relative to src/server/web/ ("index.html",
 * "app.js"), matched exactly: no prefix, "..", "." or percent-decoding is
 * looked at here, so a request path can only name a file that exists. */
#ifndef ZF_SERVER_WEB_ASSETS_H
#define ZF_SERVER_WEB_ASSETS_H

#include <stddef.h>

typedef struct srv_asset {
    const char *path;           /* "app.js" */
    const char *content_type;   /* "text/javascript; charset=utf-8" */
    const unsigned char *bytes; /* len bytes, then a NUL not counted in len */
    size_t len;
    const char *etag; /* strong, quoted: "\"<32 hex of the SHA-256 of the bytes>\"" */
} srv_asset;

/* The asset at path, or NULL (also for NULL or ""). */
const srv_asset *srv_web_asset(const char *path);
/* Every asset, sorted by path: srv_web_asset_at(0 .. count-1). */
size_t srv_web_asset_count(void);
const srv_asset *srv_web_asset_at(size_t i);

#endif
