/* zoomflow serve: the HTTP service (the REST API, the admin page, Zoom's
 * webhooks, health and metrics) on the store the CLI uses. The settings
 * resolve as the CLI's do (flags > ZOOMFLOW_* > config file); the rest is
 * the server layer's (src/server/server.h: srv_main). */
#include "cli.h"
#include "input.h"
#include "lib.h"
#include "runs_cli.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"
#include "zoomflow/secret.h"

typedef struct serve_args {
    const char *listen, *threads, *public_url, *tls_cert, *tls_key; /* settings */
    const char *trusted_proxy;
    const char *client_id, *client_secret_file;
    const char *port_file;
    const char *client_timeout;
    const char *session_idle;
    const char *session_max;
    const char *grace;
    const char *workflows, *workflows_org, *workers, *lease_ttl; /* settings */
    const char *clock_skew;
    const char *env; /* --env NAMES: what the workflows may read as env.NAME */
} serve_args;

enum { SERVE_ARGV_SECRET = 1 };

static const cli_opt serve_opts[] = {
    {.kind = CLI_OPT_VALUE,
     .name = "listen",
     .at = CLI_AT(serve_args, listen),
     .value_name = "ADDRESS",
     .help = "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 =\n"
             "a free one, printed as \"listening on URL\"; env ZOOMFLOW_LISTEN)"},
    {.kind = CLI_OPT_VALUE,
     .name = "port-file",
     .value_name = "FILE",
     .at = CLI_AT(serve_args, port_file),
     .help = "write the URL listened on to FILE once listening"},
    {.kind = CLI_OPT_VALUE,
     .name = "threads",
     .at = CLI_AT(serve_args, threads),
     .value_name = "N",
     .help = "worker threads, 1-64 (default 2 x cores, at most 8;\n"
             "env ZOOMFLOW_THREADS)"},
    {.kind = CLI_OPT_VALUE,
     .name = "public-url",
     .at = CLI_AT(serve_args, public_url),
     .value_name = "URL",
     .help = "the URL browsers and Zoom reach the service at, for links and the\n"
             "OAuth redirect URI behind a proxy (env ZOOMFLOW_PUBLIC_URL)"},
    {.kind = CLI_OPT_VALUE,
     .name = "trusted-proxy",
     .at = CLI_AT(serve_args, trusted_proxy),
     .value_name = "LIST",
     .help = "proxies (addresses or CIDR blocks, comma separated) whose\n"
             "X-Forwarded-For names the client, for sign-in limits and logs\n"
             "(default none: the peer is the client; env ZOOMFLOW_TRUSTED_PROXY)"},
    {.kind = CLI_OPT_VALUE,
     .name = "tls-cert",
     .at = CLI_AT(serve_args, tls_cert),
     .value_name = "FILE",
     .help = "serve HTTPS with this certificate chain (PEM; with --tls-key;\n"
             "env ZOOMFLOW_TLS_CERT)"},
    {.kind = CLI_OPT_VALUE,
     .name = "tls-key",
     .at = CLI_AT(serve_args, tls_key),
     .value_name = "FILE",
     .help = "the certificate's private key (PEM; env ZOOMFLOW_TLS_KEY)"},
    {.kind = CLI_OPT_VALUE,
     .name = "client-id",
     .value_name = "ID",
     .at = CLI_AT(serve_args, client_id),
     .help = "the client id of the Zoom OAuth app admins connect their org\n"
             "with (Settings > App Store > Zoom; env ZOOMFLOW_CLIENT_ID)"},
    {.kind = CLI_OPT_VALUE,
     .name = "client-secret-file",
     .value_name = "FILE",
     .at = CLI_AT(serve_args, client_secret_file),
     .help = "read that app's client secret from FILE (env\n"
             "ZOOMFLOW_CLIENT_SECRET_FILE). Never on the command line."},
    {.kind = CLI_OPT_VALUE,
     .name = "client-secret",
     .value_name = "SECRET",
     .id = SERVE_ARGV_SECRET,
     .flags = CLI_OPT_HIDDEN,
     .help = "refused: it would show in the process list"},
    {.kind = CLI_OPT_VALUE,
     .name = "client-timeout",
     .value_name = "SECONDS",
     .at = CLI_AT(serve_args, client_timeout),
     .help = "a client must send each whole request within this time,\n"
             "and an idle connection closes after it (default 30)"},
    {.kind = CLI_OPT_VALUE,
     .name = "session-idle",
     .value_name = "SECONDS",
     .at = CLI_AT(serve_args, session_idle),
     .help = "a web session ends after this long unused (default 7200)"},
    {.kind = CLI_OPT_VALUE,
     .name = "session-max",
     .value_name = "SECONDS",
     .at = CLI_AT(serve_args, session_max),
     .help = "a web session ends this long after sign-in (default 43200)"},
    {.kind = CLI_OPT_VALUE,
     .name = "shutdown-grace",
     .value_name = "SECONDS",
     .at = CLI_AT(serve_args, grace),
     .help = "on SIGTERM, how long requests in flight may take to\n"
             "finish (default 10)"},
    {.kind = CLI_OPT_VALUE,
     .name = "workflows",
     .value_name = "DIR",
     .at = CLI_AT(serve_args, workflows),
     .help = "workflow definitions (*.yaml, *.yml, *.json) checked at start (any\n"
             "problem stops it, as `zoomflow workflows validate`) and saved as\n"
             "versions of each org (env ZOOMFLOW_WORKFLOWS)"},
    {.kind = CLI_OPT_VALUE,
     .name = "workflows-org",
     .value_name = "ORGS",
     .at = CLI_AT(serve_args, workflows_org),
     .help = "the orgs (comma separated) the --workflows definitions are saved for (default:\n"
             "every org; env ZOOMFLOW_WORKFLOWS_ORG)"},
    {.kind = CLI_OPT_VALUE,
     .name = "workers",
     .value_name = "N",
     .at = CLI_AT(serve_args, workers),
     .help = "threads executing workflow runs, 0-64 (default 4; 0: this\n"
             "process only triggers runs; env ZOOMFLOW_WORKERS)"},
    {.kind = CLI_OPT_VALUE,
     .name = "lease-ttl",
     .value_name = "SECONDS",
     .at = CLI_AT(serve_args, lease_ttl),
     .help = "a run's lease: a worker that dies holding one has its run taken\n"
             "over after this long (default 30; env ZOOMFLOW_LEASE_TTL)"},
    {.kind = CLI_OPT_VALUE,
     .name = "env",
     .value_name = "NAMES",
     .at = CLI_AT(serve_args, env),
     .help = CLI_ENV_HELP},
    {.kind = CLI_OPT_VALUE,
     .name = "clock-skew",
     .value_name = "SECONDS",
     .at = CLI_AT(serve_args, clock_skew),
     .flags = CLI_OPT_HIDDEN,
     .help = "tests: seconds added to the scheduler's clock"},
    {0},
};

/* The settings among the flags, applied after the parse (and after any
 * global option given after the command, which reloads the configuration):
 * a flag wins over the environment and the config file. */
static int apply_settings(cli_ctx *ctx, const serve_args *a, zf_error *err)
{
    const struct {
        const char *key, *value;
    } set[] = {{"listen", a->listen},         {"threads", a->threads},
               {"public_url", a->public_url}, {"trusted_proxy", a->trusted_proxy},
               {"tls_cert", a->tls_cert},     {"tls_key", a->tls_key},
               {"client_id", a->client_id},   {"client_secret_file", a->client_secret_file},
               {"workflows", a->workflows},   {"workflows_org", a->workflows_org},
               {"workers", a->workers},       {"lease_ttl", a->lease_ttl}};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++) {
        int rc = set[i].value ? cli_cfg_set_flag(&ctx->cfg, set[i].key, set[i].value, err) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

static int seconds(const char *flag, const char *v, long long min, long long max, long long *out,
                   zf_error *err)
{
    *out = 0;
    return v ? cli_number(out, flag, v, strlen(v), min, max, "seconds", err) : 0;
}

static int refuse_argv_secret(void *vctx, const cli_opt *o, const char *key, const char *value,
                              zf_error *err)
{
    return zf_error_set(err, ZF_EVALIDATION,
                        "--client-secret would expose the secret in the process list; use "
                        "--client-secret-file FILE or ZOOMFLOW_CLIENT_SECRET_FILE");
}

/* A setting as the library wants it: NULL when only the default is there
 * (the service's NULL is Zoom's endpoint). */
static const char *given(const char *v, cli_origin from)
{
    return from == CLI_FROM_DEFAULT ? NULL : v;
}

/* The web flow's OAuth app: the client id and the secret's file resolve as
 * every setting does (flags > env > config); neither is no app (Server-to-
 * Server connections only); one without the other stops the start. */
static int web_app(const cli_ctx *ctx, zf_error *err)
{
    const cli_cfg *c = &ctx->cfg;
    srv_oauth_app app = {NULL, NULL, NULL, NULL, NULL};
    if (!c->client_id && !c->client_secret_file)
        return srv_oauth_app_set(&app, err);
    if (!c->client_id) {
        zf_error_set(err, ZF_ECONFIG,
                     "the Zoom OAuth app's client secret is set but not its client id");
        zf_error_hint(err, "pass --client-id, set ZOOMFLOW_CLIENT_ID, or client_id in the config "
                           "file (App Marketplace > your app > App Credentials)");
        return ZF_ECONFIG;
    }
    zf_secret secret = ZF_SECRET_INIT;
    int rc = cli_client_secret(c, NULL, 0, &secret, err);
    if (rc == 0) {
        app.client_id = c->client_id;
        app.client_secret = zf_secret_reveal(&secret);
        app.authorize_endpoint = given(c->authorize_endpoint, c->authorize_endpoint_from);
        app.token_endpoint = given(c->token_endpoint, c->token_endpoint_from);
        app.revoke_endpoint = given(c->revoke_endpoint, c->revoke_endpoint_from);
        rc = srv_oauth_app_set(&app, err);
    }
    zf_secret_free(&secret);
    return rc;
}

/* The --workflows directory loaded and checked: 0 (*out NULL without a
 * directory), or the exit status after every problem was printed. */
static int load_workflows(cli_ctx *ctx, const char *const *env, zf_workflow_set **out)
{
    *out = NULL;
    const char *dir = ctx->cfg.workflows;
    if (!dir || !*dir)
        return 0;
    zf_workflow_set *s = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    if (zf_workflow_set_new(&s) != 0) {
        fprintf(stderr, "zoomflow: out of memory\n");
        return cli_exit_status(ZF_ENOMEM);
    }
    zf_wf_load_opts o = ZF_WF_LOAD_OPTS_INIT;
    o.env_allowed = env;
    int rc = zf_workflow_set_load_dir(s, dir, &o, &p);
    if (rc != 0 || p.count || p.oom) {
        cli_wf_print_problems(&p);
        fprintf(stderr,
                "zoomflow serve: the workflows in %s have problems (above); fix them "
                "(zoomflow workflows validate --workflows %s) and start again\n",
                dir, dir);
        zf_wf_problems_free(&p);
        zf_workflow_set_free(s);
        return 1;
    }
    zf_wf_problems_free(&p);
    *out = s;
    return 0;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    serve_args a = {0};
    zf_error err = ZF_ERROR_INIT;
    /* One malloc arena for all the threads, before any starts: each thread
     * that allocates would otherwise keep an arena of its own (0.3-0.4 MiB
     * of the idle service once a few requests came in), and with two cores
     * the shared lock cost no list_users throughput (bench/README.md). An
     * arena_max in GLIBC_TUNABLES is the operator's and wins. */
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (!tunables || !strstr(tunables, "malloc.arena_max"))
        mallopt(M_ARENA_MAX, 1);
    int status0 = cli_parse_args(ctx->cmd, &a, refuse_argv_secret, NULL, argc, argv);
    if (status0)
        return status0;
    if (apply_settings(ctx, &a, &err))
        return cli_usage_fail(ctx->cmd, &err);
    if (web_app(ctx, &err))
        return cli_fail(ctx, &err);
    long long timeout, idle, max, grace, threads = 0;
    if (seconds("--client-timeout", a.client_timeout, 1, 3600, &timeout, &err) ||
        seconds("--session-idle", a.session_idle, 1, 30LL * 86400, &idle, &err) ||
        seconds("--session-max", a.session_max, 1, 366LL * 86400, &max, &err) ||
        seconds("--shutdown-grace", a.grace, 1, 3600, &grace, &err))
        return cli_usage_fail(ctx->cmd, &err);
    long long skew = 0;
    if (a.clock_skew && cli_number(&skew, "--clock-skew", a.clock_skew, strlen(a.clock_skew),
                                   -(1LL << 40), 1LL << 40, "seconds", &err) != 0)
        return cli_usage_fail(ctx->cmd, &err);
    /* checked when the configuration was loaded (config.c) */
    long long workers = 4, ttl = 0;
    if (ctx->cfg.threads)
        cli_parse_int(ctx->cfg.threads, strlen(ctx->cfg.threads), 1, 64, &threads);
    if (ctx->cfg.workers)
        cli_parse_int(ctx->cfg.workers, strlen(ctx->cfg.workers), 0, 64, &workers);
    if (ctx->cfg.lease_ttl)
        cli_parse_int(ctx->cfg.lease_ttl, strlen(ctx->cfg.lease_ttl), 1, 3600, &ttl);
    cli_env env;
    int status = cli_env_names(ctx, a.env, &env);
    if (status)
        return status;
    zf_workflow_set *wfs = NULL;
    if ((status = load_workflows(ctx, env.names, &wfs)) != 0) {
        cli_env_free(&env);
        return status;
    }
    srv_opts o = SRV_OPTS_INIT;
    o.listen = ctx->cfg.listen;
    o.port_file = a.port_file;
    o.threads = (int)threads;
    o.public_url = ctx->cfg.public_url;
    o.trusted_proxies = ctx->cfg.trusted_proxy;
    o.tls_cert = ctx->cfg.tls_cert;
    o.tls_key = ctx->cfg.tls_key;
    o.conn_timeout_s = (int)timeout;
    o.session_idle_s = idle;
    o.session_max_s = max;
    o.shutdown_grace_s = (int)grace;
    cli_session_opts(ctx, &o.session);
    o.session.conn_id = NULL;
    o.session.actor = "service";
    o.workflows = wfs;
    o.workflows_dir = ctx->cfg.workflows;
    o.workflows_orgs = ctx->cfg.workflows_org;
    o.workers = (int)workers;
    o.lease_ttl = ttl;
    o.clock_skew = skew;
    o.workflows_env = env.names;
    int rc = srv_main(&o, &err);
    zf_workflow_set_free(wfs);
    cli_env_free(&env);
    if (rc < 0)
        return cli_fail(ctx, &err);
    return 0;
}

const zf_cmd zf_cmd_serve = {
    .name = "serve",
    .summary = "run the HTTP service: REST API, admin page, webhooks, metrics",
    .opts = serve_opts,
    .help = "Serves the REST API (/api/v1/..., described at /api/v1/openapi.json), the admin\n"
            "page (/), Zoom's webhooks and /healthz, /readyz, /metrics until SIGTERM or\n"
            "SIGINT, then stops accepting, lets requests in flight finish (bounded by\n"
            "--shutdown-grace) and exits 0. Logs are JSON lines on stderr. The store and the\n"
            "master key are the CLI's (--db, --key-file); each org's Zoom connection is the\n"
            "connection named by the org's slug. Create the first admin with\n"
            "`zoomflow admin create`. The Zoom OAuth app admins connect with is\n"
            "--client-id and --client-secret-file (or their ZOOMFLOW_* and config keys);\n"
            "without them only Server-to-Server connections can be made.\n"
            "\n"
            "Workflows: --workflows DIR is checked at start (a problem stops it, with its\n"
            "file:line:col) and saved as versions of every org (or of --workflows-org). An\n"
            "org's workflows are the latest stored version of each name. POST\n"
            "/api/v1/events/NAME starts the runs of `on: {event: NAME}` workflows, stored\n"
            "Zoom webhook events those of `on: {zoom: EVENT}`, and schedules fire on their\n"
            "own (after downtime the most recent missed fire time fires once). --workers\n"
            "threads execute the runs (0: another process does); SIGTERM releases the runs\n"
            "in progress after their current step, and they resume after a restart. See\n"
            "docs/service.md.\n",
    .run = run,
};
