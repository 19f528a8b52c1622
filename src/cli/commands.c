#include "commands.h"

extern const zf_cmd zf_cmd_config, zf_cmd_connect, zf_cmd_disconnect, zf_cmd_status,
    zf_cmd_recordings_download;

/* Order is the order of `zoomflow --help`. */
const zf_cmd *const cli_commands[] = {
    &zf_cmd_connect,
    &zf_cmd_status,
    &zf_cmd_disconnect,
    &zf_cmd_config,
    &zf_cmd_recordings_download,
    NULL,
};
