/* The web flow's OAuth app (routes/oauth.c), for the connection routes. */
#ifndef ZOOMFLOW_SERVER_OAUTH_APP_H
#define ZOOMFLOW_SERVER_OAUTH_APP_H

#include "server.h"

/* The configured app; client_id NULL when there is none. Borrowed. */
const srv_oauth_app *srv_oauth_app_get(void);

#endif
