/* Library handles a command needs, opened on first use and closed once. */
#include "commands.h"

#include <stdlib.h>

struct cli_lib {
    int opened;
};

void cli_lib_close(cli_ctx *ctx)
{
    free(ctx->lib);
    ctx->lib = NULL;
}
