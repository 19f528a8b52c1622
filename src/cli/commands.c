#include "commands.h"

extern const zf_cmd zf_cmd_config;

const zf_cmd *const cli_commands[] = {
    &zf_cmd_config,
    NULL,
};
