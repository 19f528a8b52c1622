/*
 * libzoomflow: the umbrella header. Include this one: it includes every
 * public header (zoomflow/sys/ holds the store backend interface, for
 * backend authors only).
 *
 * API rules, stated once for every function in the library:
 *
 *  - Outputs come first: zf_thing_new(&out, &opts, &err).
 *  - `T **out` means the caller owns the result and releases it with the
 *    matching zf_*_free (or free() where a header says so for plain
 *    strings). Memory from the library is freed by the library.
 *  - A returned `const T *` is borrowed: valid while the object it came
 *    from lives and is not modified; never free it.
 *  - Every function that can fail returns int: 0 on success or a negative
 *    zf_code (error.h). The detail (message, hint, HTTP status, Zoom's
 *    code, retry-after) is in the zf_error passed in or held by the handle.
 *  - Every zf_*_free accepts NULL and cannot fail.
 *  - Release verbs, one rule for every type:
 *      zf_T_new / zf_T_open -> zf_T_free   a handle (opaque, heap); _open
 *                                          where it opens something outside
 *                                          (a database, a session), both
 *                                          released by _free (no _close);
 *      zf_T_free(T *v)                     a value the caller embeds (a row,
 *                                          zf_buf, zf_secret, zf_conn_info,
 *                                          zf_zoom_tokens, a response): frees
 *                                          what v holds and zeroes it, so v
 *                                          may be reused; never frees v;
 *      zf_T_reset(T *v)                    empties v for reuse and gives no
 *                                          memory back (zf_buf_reset,
 *                                          zf_error_reset).
 *    No _close, _release, _clear or _dispose (zf_crypt_open decrypts: not a
 *    lifetime verb).
 *  - Options structs are initialised with their _INIT macro, so fields
 *    added later get their defaults.
 *  - Handles are not thread-safe unless their header says otherwise; use
 *    one per thread. Secrets travel in zf_secret (log.h), never in char *.
 */
#ifndef ZOOMFLOW_ZOOMFLOW_H
#define ZOOMFLOW_ZOOMFLOW_H

#include "zoomflow/access.h"
#include "zoomflow/action_run.h"
#include "zoomflow/actions.h"
#include "zoomflow/buf.h"
#include "zoomflow/crypt.h"
#include "zoomflow/doctor.h"
#include "zoomflow/download.h"
#include "zoomflow/error.h"
#include "zoomflow/hint.h"
#include "zoomflow/http.h"
#include "zoomflow/idempotency.h"
#include "zoomflow/json.h"
#include "zoomflow/log.h"
#include "zoomflow/oauth.h"
#include "zoomflow/oauth_loopback.h"
#include "zoomflow/schema.h"
#include "zoomflow/secret.h"
#include "zoomflow/session.h"
#include "zoomflow/store.h"
#include "zoomflow/tokens.h"
#include "zoomflow/webhook.h"
#include "zoomflow/zoom.h"
#include "zoomflow/runner.h"
#include "zoomflow/workflow.h"
#include "zoomflow/export.h"

ZF_PUBLIC_BEGIN

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *zf_version(void);

ZF_PUBLIC_END

#endif
