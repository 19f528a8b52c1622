/*
 * zoomsim: a stateful, offline Zoom emulator (OAuth + REST + rate limits +
 * faults + webhooks) for tests, benchmarks and sandboxes.
 */
#include "server.h"
#include "sim.h"
#include "text.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: zoomsim [options]\n"
    "\n"
    "A faithful offline Zoom: OAuth (authorization code + PKCE, refresh with\n"
    "rotation, Server-to-Server), the REST API under /v2, Zoom's errors, paging,\n"
    "rate limits and webhooks. State lives in memory (or --state FILE).\n"
    "\n"
    "  --host ADDR          listen address (default 127.0.0.1)\n"
    "  --port N             port; 0 picks a free one (default 0)\n"
    "  --port-file FILE     write the chosen port to FILE once listening\n"
    "  --state FILE         load state from FILE at start, save it at exit\n"
    "  --tls-cert FILE      serve HTTPS with this certificate (PEM) ...\n"
    "  --tls-key FILE       ... and this private key (PEM)\n"
    "  --config FILE        JSON config: {\"apps\":[...], \"plan\":..., ...}\n"
    "  --app SPEC           register an OAuth app (repeatable):\n"
    "                       CLIENT_ID:SECRET:REDIRECT[,REDIRECT...][:SCOPES]\n"
    "                       (scopes comma-separated; default: all of them). Redirect\n"
    "                       URIs match exactly, except a loopback host's port '*'\n"
    "                       (http://127.0.0.1:*/callback) matches any port\n"
    "  --s2s-app SPEC       register a Server-to-Server app: CLIENT_ID:SECRET[:SCOPES]\n"
    "                       Without --app/--s2s-app/--config apps, two apps exist:\n"
    "                       zoomsim-client/zoomsim-secret (OAuth, redirect URIs\n"
    "                       http://127.0.0.1:*/callback, http://localhost:*/callback)\n"
    "                       and zoomsim-s2s/zoomsim-s2s-secret (Server-to-Server)\n"
    "  --account-id ID      the emulated account's id\n"
    "  --auto-approve       skip the consent page of /oauth/authorize\n"
    "  --refresh-ttl SECS   refresh tokens expire after SECS (default: never)\n"
    "  --token-tolerance N  access tokens of one grant valid at once, for apps that\n"
    "                       set no \"token_tolerance\": a new one beyond N makes the\n"
    "                       oldest answer 401 code 124; 0 = no limit (default: as\n"
    "                       Zoom, 1 for OAuth apps, no limit for Server-to-Server)\n"
    "  --control            enable the /_sim/ control plane (tests, benchmarks)\n"
    "  --plan PLAN          rate-limit plan: free, pro or business (default pro)\n"
    "  --threads N          serve with a pool of N threads (default: one thread\n"
    "                       per connection, so injected latency blocks no one else)\n"
    "  --webhook-url URL    deliver webhook events to URL\n"
    "  --webhook-secret S   the app's secret token for x-zm-signature\n"
    "  --webhook-retry-scale X  multiply Zoom's retry delays (5/20/60 min) by X\n"
    "  --quiet              print nothing but errors\n"
    "  -h, --help           this text\n"
    "\n"
    "Prints \"zoomsim listening on URL\" when ready. Stops on SIGINT/SIGTERM.\n"
    "Exit status: 0 after a clean stop, 1 on a runtime failure, 2 on bad usage.\n";

enum {
    O_HOST = 256,
    O_PORT,
    O_PORT_FILE,
    O_STATE,
    O_CERT,
    O_KEY,
    O_CONFIG,
    O_APP,
    O_S2S_APP,
    O_ACCOUNT,
    O_AUTO,
    O_CONTROL,
    O_PLAN,
    O_THREADS,
    O_WH_URL,
    O_WH_SECRET,
    O_WH_SCALE,
    O_QUIET,
    O_REFRESH_TTL,
    O_TOLERANCE
};

static const struct option longopts[] = {
    {"host", required_argument, NULL, O_HOST},
    {"port", required_argument, NULL, O_PORT},
    {"port-file", required_argument, NULL, O_PORT_FILE},
    {"state", required_argument, NULL, O_STATE},
    {"tls-cert", required_argument, NULL, O_CERT},
    {"tls-key", required_argument, NULL, O_KEY},
    {"config", required_argument, NULL, O_CONFIG},
    {"app", required_argument, NULL, O_APP},
    {"s2s-app", required_argument, NULL, O_S2S_APP},
    {"account-id", required_argument, NULL, O_ACCOUNT},
    {"auto-approve", no_argument, NULL, O_AUTO},
    {"control", no_argument, NULL, O_CONTROL},
    {"plan", required_argument, NULL, O_PLAN},
    {"threads", required_argument, NULL, O_THREADS},
    {"webhook-url", required_argument, NULL, O_WH_URL},
    {"webhook-secret", required_argument, NULL, O_WH_SECRET},
    {"webhook-retry-scale", required_argument, NULL, O_WH_SCALE},
    {"quiet", no_argument, NULL, O_QUIET},
    {"refresh-ttl", required_argument, NULL, O_REFRESH_TTL},
    {"token-tolerance", required_argument, NULL, O_TOLERANCE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_long(const char *s, long lo, long hi, long *out)
{
    int64_t v;
    if (zf_parse_i64(s, lo, hi, &v) < 0)
        return ZF_EVALIDATION;
    *out = (long)v;
    return 0;
}

static int bad(const char *what, const char *val, const char *fix)
{
    fprintf(stderr, "zoomsim: %s '%s' is not valid: %s\n", what, val, fix);
    return 2;
}

/* --s2s-app specs get an "s2s:" prefix in memory we own until exit. */
static char *owned_specs[8];
static int nowned_specs;

static void free_owned_specs(void)
{
    while (nowned_specs > 0)
        free(owned_specs[--nowned_specs]);
}

static int parse_args(int argc, char **argv, sim_opts *o, json_t **config)
{
    int c;
    long v;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_HOST:
            o->host = optarg;
            break;
        case O_PORT:
            if (parse_long(optarg, 0, 65535, &v))
                return bad("--port", optarg, "give a number from 0 to 65535");
            o->port = (int)v;
            break;
        case O_PORT_FILE:
            o->port_file = optarg;
            break;
        case O_STATE:
            o->state_file = optarg;
            break;
        case O_CERT:
            o->tls_cert = optarg;
            break;
        case O_KEY:
            o->tls_key = optarg;
            break;
        case O_CONFIG: {
            json_error_t e;
            json_decref(*config); /* a second --config replaces the first */
            *config = json_load_file(optarg, 0, &e);
            if (!*config) {
                fprintf(stderr, "zoomsim: --config %s: line %d: %s (a JSON object is needed)\n",
                        optarg, e.line, e.text);
                return 2;
            }
            if (!json_is_object(*config)) {
                fprintf(stderr,
                        "zoomsim: --config %s: the file holds JSON but not an object: "
                        "write {\"apps\": [...], ...} (docs/zoomsim.md)\n",
                        optarg);
                json_decref(*config);
                *config = NULL;
                return 2;
            }
            o->config_file = optarg;
            break;
        }
        case O_APP:
        case O_S2S_APP:
            if (o->napp_specs == (int)(sizeof o->app_specs / sizeof o->app_specs[0]))
                return bad("--app", optarg, "at most 8 apps on the command line; use --config");
            /* an "s2s:" prefix tells oauth.c the app kind */
            if (c == O_S2S_APP) {
                size_t n = strlen(optarg) + 5;
                char *p = malloc(n);
                if (!p)
                    return 1;
                snprintf(p, n, "s2s:%s", optarg);
                if (nowned_specs == 0)
                    atexit(free_owned_specs);
                owned_specs[nowned_specs++] = p;
                o->app_specs[o->napp_specs++] = p;
            } else {
                o->app_specs[o->napp_specs++] = optarg;
            }
            break;
        case O_ACCOUNT:
            o->account_id = optarg;
            break;
        case O_AUTO:
            o->auto_approve = 1;
            break;
        case O_CONTROL:
            o->control = 1;
            break;
        case O_PLAN:
            if (!strcmp(optarg, "free"))
                o->plan = SIM_PLAN_FREE;
            else if (!strcmp(optarg, "pro"))
                o->plan = SIM_PLAN_PRO;
            else if (!strcmp(optarg, "business"))
                o->plan = SIM_PLAN_BUSINESS;
            else
                return bad("--plan", optarg, "use free, pro or business");
            break;
        case O_THREADS:
            if (parse_long(optarg, 0, 256, &v))
                return bad("--threads", optarg, "give a number from 0 to 256");
            o->threads = (int)v;
            break;
        case O_WH_URL:
            o->webhook_url = optarg;
            break;
        case O_WH_SECRET:
            o->webhook_secret = optarg;
            break;
        case O_WH_SCALE: {
            char *end;
            double d = strtod(optarg, &end);
            if (end == optarg || *end || d < 0 || d > 10)
                return bad("--webhook-retry-scale", optarg, "give a number from 0 to 10");
            o->webhook_retry_scale = d;
            break;
        }
        case O_QUIET:
            o->quiet = 1;
            break;
        case O_REFRESH_TTL:
            if (parse_long(optarg, 1, 20L * 365 * 86400, &v))
                return bad("--refresh-ttl", optarg, "give a number of seconds from 1 to 630720000");
            o->refresh_ttl = v;
            break;
        case O_TOLERANCE:
            if (parse_long(optarg, 0, SIM_MAX_TOKEN_TOLERANCE, &v))
                return bad("--token-tolerance", optarg,
                           "give a number from 0 (no limit) to "
                           "100");
            o->token_tolerance = (int)v;
            o->token_tolerance_set = true;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "zoomsim: unexpected argument '%s' (see zoomsim --help)\n", argv[optind]);
        return 2;
    }
    return 0;
}

static int write_port_file(const char *path, int port)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return ZF_EIO;
    fprintf(f, "%d\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return ZF_EIO;
    }
    return 0;
}

static int load_state(sim *s, const char *path)
{
    if (access(path, F_OK) != 0)
        return 0; /* first run: the file is created at exit */
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    int rc = ZF_EPARSE;
    if (j) { /* sim_load's contract: caller holds the lock (webhook thread runs) */
        pthread_mutex_lock(&s->lock);
        rc = sim_load(s, j);
        pthread_mutex_unlock(&s->lock);
    }
    json_decref(j);
    if (rc != 0)
        fprintf(stderr,
                "zoomsim: --state %s is not a zoomsim state file (%s); move it away "
                "or pass another path\n",
                path, j ? "wrong version" : e.text);
    return rc;
}

static int save_state(sim *s, const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    pthread_mutex_lock(&s->lock);
    json_t *j = sim_dump(s);
    pthread_mutex_unlock(&s->lock);
    int rc = json_dump_file(j, tmp, JSON_COMPACT);
    json_decref(j);
    if (rc != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        fprintf(stderr, "zoomsim: cannot save state to %s: %s\n", path, strerror(errno));
        return ZF_EIO;
    }
    return 0;
}

int main(int argc, char **argv)
{
    sim_opts o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.plan = SIM_PLAN_PRO;
    o.webhook_retry_scale = 1.0;
    json_t *config = NULL;
    int rc = parse_args(argc, argv, &o, &config);
    if (rc) {
        json_decref(config); /* a --config read before the bad argument */
        return rc;
    }
    o.config = config;

    /* SIGPIPE: a client that hangs up must not kill the emulator */
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads inherit; main waits */

    sim *s;
    rc = sim_new(&s, &o);
    if (rc != 0) {
        json_decref(config);
        return rc == ZF_ECONFIG ? 2 : 1; /* a bad --app/--config, already explained */
    }
    if (o.state_file && load_state(s, o.state_file) != 0) {
        sim_free(s);
        json_decref(config);
        return 1;
    }
    char err[256];
    struct MHD_Daemon *d = sim_server_start(s, err, sizeof err);
    if (!d) {
        fprintf(stderr, "zoomsim: %s\n", err);
        sim_free(s);
        json_decref(config);
        return 1;
    }
    if (o.port_file && write_port_file(o.port_file, s->opts.port) != 0) {
        fprintf(stderr, "zoomsim: cannot write --port-file %s: %s\n", o.port_file, strerror(errno));
        rc = 1;
    } else {
        if (!o.quiet)
            printf("zoomsim listening on %s\n", s->base_url);
        fflush(stdout);
        int sig;
        sigwait(&set, &sig);
    }
    sim_server_stop(d);
    if (o.state_file && save_state(s, o.state_file) != 0)
        rc = 1;
    sim_free(s);
    json_decref(config);
    return rc;
}
