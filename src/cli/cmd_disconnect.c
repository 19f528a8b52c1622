/* zoomflow disconnect: revokes the tokens at Zoom and wipes the stored
 * connection. The wipe happens even when Zoom cannot be reached; then the
 * output says so, since the grant may still be listed in Zoom. */
#include "cli.h"
#include "lib.h"

static int run(cli_ctx *ctx, int argc, char **argv)
{
    int status = cli_parse_args(ctx->cmd, NULL, NULL, NULL, argc, argv);
    if (status)
        return status;
    zf_error err = ZF_ERROR_INIT, revoke_err = ZF_ERROR_INIT;
    zf_tokens *tk = NULL;
    int rc = cli_tokens(ctx, &tk, &err);
    if (rc == 0)
        rc = zf_tokens_disconnect(tk, ctx->cfg.profile, &revoke_err, &err);
    if (rc == ZF_ENOTCONNECTED)
        cli_unknown_profile(ctx, tk, ctx->cfg.profile, &err);
    if (rc < 0)
        return cli_fail(ctx, &err);
    if (rc == 1) {
        printf("Disconnected profile '%s': the connection held no token (the app was removed "
               "at Zoom), so there was nothing to revoke; wiped.\n",
               ctx->cfg.profile);
    } else if (revoke_err.code) {
        printf("Disconnected profile '%s': stored tokens wiped.\n", ctx->cfg.profile);
        fprintf(stderr,
                "warning: Zoom did not confirm the revocation: %s\n"
                "hint: remove the app under Zoom App Marketplace > Manage > Added "
                "Apps to be sure.\n",
                revoke_err.message);
    } else {
        printf("Disconnected profile '%s': tokens revoked at Zoom and wiped.\n", ctx->cfg.profile);
    }
    return 0;
}

const zf_cmd zf_cmd_disconnect = {
    .name = "disconnect",
    .summary = "revoke the profile's tokens at Zoom and wipe them",
    .help = "Revokes the grant at Zoom (access and refresh token), then deletes the stored\n"
            "connection. When Zoom cannot be reached the local copy is still wiped. The\n"
            "profile is the global option: zoomflow --profile NAME disconnect.\n",
    .run = run,
};
