/* Internal to the library and its tests: observability of the transport. */
#ifndef ZF_HTTP_INTERNAL_H
#define ZF_HTTP_INTERNAL_H

#include "zoomflow/http.h"

/* New connections this handle has opened so far (CURLINFO_NUM_CONNECTS
 * summed over its requests): 1 after two requests to one host means the
 * second reused the first's connection. */
long zf_http__connects(const zf_http *h);

#endif
