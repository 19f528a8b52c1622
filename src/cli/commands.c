#include "commands.h"

extern const zf_cmd zf_cmd_config, zf_cmd_connect, zf_cmd_disconnect, zf_cmd_status,
    zf_cmd_api, zf_cmd_actions, zf_cmd_actions_schema, zf_cmd_meetings_create,
    zf_cmd_meetings_list, zf_cmd_users_create, zf_cmd_users_list, zf_cmd_registrants_add,
    zf_cmd_registrants_list, zf_cmd_recordings_get, zf_cmd_recordings_download;

/* Order is the order of `zoomflow --help`. */
const zf_cmd *const cli_commands[] = {
    &zf_cmd_connect,
    &zf_cmd_status,
    &zf_cmd_disconnect,
    &zf_cmd_config,
    &zf_cmd_api,
    &zf_cmd_meetings_create,
    &zf_cmd_meetings_list,
    &zf_cmd_users_create,
    &zf_cmd_users_list,
    &zf_cmd_registrants_add,
    &zf_cmd_registrants_list,
    &zf_cmd_recordings_get,
    &zf_cmd_recordings_download,
    &zf_cmd_actions,
    &zf_cmd_actions_schema,
    NULL,
};
