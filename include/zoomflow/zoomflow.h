/*
 * libzoomflow: the umbrella header. Include this one.
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
 *  - Options structs are initialised with their _INIT macro, so fields
 *    added later get their defaults.
 *  - Handles are not thread-safe unless their header says otherwise; use
 *    one per thread. Secrets travel in zf_secret (log.h), never in char *.
 */
#ifndef ZOOMFLOW_ZOOMFLOW_H
#define ZOOMFLOW_ZOOMFLOW_H

#include "zoomflow/buf.h"
#include "zoomflow/crypt.h"
#include "zoomflow/error.h"
#include "zoomflow/http.h"
#include "zoomflow/json.h"
#include "zoomflow/log.h"
#include "zoomflow/zoom.h"

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *zf_version(void);

#endif
