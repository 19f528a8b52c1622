/*
 * The product's troubleshooting words (the integration's setup page:
 * "Troubleshoot common issues"): for a failure the admin page shows, the
 * error's title, its cause and the resolution, with the page's button
 * that carries it out. Chosen by the library's hint id (and code).
 */
#ifndef ZOOMFLOW_SERVER_SEED_TEXTS_H
#define ZOOMFLOW_SERVER_SEED_TEXTS_H

#include <jansson.h>

/* {title, cause, resolution, button: {label, href}} for a failure with
 * this hint id and zf_code, or NULL when the page has no words of its own
 * for it. */
json_t *srv_seed_problem(int hint_id, int code);
/* The same shape for a connection whose app was removed in Zoom. */
json_t *srv_seed_deauthorized(void);

#endif
