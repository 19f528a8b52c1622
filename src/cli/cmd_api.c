/*
 * zoomflow api METHOD PATH: the seed's "Call API" action from a shell.
 *
 * The path is checked (zf_zoom_check_path) before anything else is opened,
 * so a refused path costs no token and no traffic: the bearer token only
 * ever goes to {api_base}/v2. The request goes through the call_api action
 * (validation) and the Zoom client (retries, token refresh on 401 124).
 * --paginate follows next_page_token and streams the items of the list key
 * as NDJSON, one page in memory at a time.
 */
#include "cli.h"
#include "input.h"
#include "lib.h"

#include "zoomflow/json.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/actions.h"

#define BODY_MAX (16u << 20)
#define ITEMS_KEY_MAX 128

typedef struct api_args {
    const char *method, *path, *input, *items;
    int paginate, include, nfields;
    json_t *body;  /* from -f/-F */
    json_t *query; /* from -q */
} api_args;

static int run(cli_ctx *ctx, int argc, char **argv);

const zf_cmd zf_cmd_api = {
    "api",
    "call any Zoom API endpoint under /v2 (GET, POST, PATCH, PUT, DELETE)",
    "METHOD PATH [options]",
    "Options:\n"
    "  -f, --field KEY=VALUE        body field as a string; dotted keys nest\n"
    "                               (-f settings.audio=voip)\n"
    "  -F, --typed-field KEY=VALUE  body field as JSON when it parses (numbers, true,\n"
    "                               false, null, [..], {..}), else a string\n"
    "  --input FILE|-               the JSON body from a file or stdin (not with -f/-F)\n"
    "  -q, --query KEY=VALUE        query parameter (repeatable)\n"
    "  --paginate                   GET only: follow next_page_token and stream the\n"
    "                               items of every page as NDJSON\n"
    "  --items KEY                  the list key for --paginate (default: the answer's\n"
    "                               array field)\n"
    "  -i, --include                print the HTTP status and headers to stderr\n"
    "\n"
    "PATH is relative to the API base's /v2 (/users/me, not a URL). Absolute URLs,\n"
    "//host, '..' or '.' segments (also percent-encoded), backslashes, CR/LF, NUL\n"
    "and paths over 2048 bytes are refused before anything is sent.\n"
    "Output: the answer's JSON body (nothing for 204).\n",
    run,
    "call_api", /* the call_api action's command; its own flags and help */
    0,
};

static int parse(api_args *a, int argc, char **argv, zf_error *err)
{
    static const struct option opts[] = {
        {"field", required_argument, NULL, 'f'}, {"typed-field", required_argument, NULL, 'F'},
        {"raw-field", required_argument, NULL, 'f'}, {"input", required_argument, NULL, 'I'},
        {"query", required_argument, NULL, 'q'}, {"paginate", no_argument, NULL, 'P'},
        {"items", required_argument, NULL, 'K'}, {"include", no_argument, NULL, 'i'},
        {NULL, 0, NULL, 0}};
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+f:F:q:i", opts, NULL)) != -1 ||
           (optind < argc && !a->path)) {
        if (c == -1) {
            /* a positional argument: METHOD then PATH; options may follow */
            if (!a->method)
                a->method = argv[optind++];
            else
                a->path = argv[optind++];
            continue;
        }
        int rc = 0;
        switch (c) {
        case 'f': case 'F':
            a->nfields++;
            rc = cli_json_set_pair(a->body, optarg, c == 'F', err);
            break;
        case 'q':
            rc = cli_json_set_pair(a->query, optarg, 0, err);
            break;
        case 'I': a->input = optarg; break;
        case 'P': a->paginate = 1; break;
        case 'K': a->items = optarg; break;
        case 'i': a->include = 1; break;
        default:
            return zf_error_set(err, ZF_EINVAL, "unknown option or missing value: %s",
                                argv[optind - 1]);
        }
        if (rc)
            return rc;
    }
    if (optind < argc)
        return zf_error_set(err, ZF_EINVAL, "unexpected argument '%s'", argv[optind]);
    if (!a->method || !a->path)
        return zf_error_set(err, ZF_EINVAL, "METHOD and PATH are required");
    if (a->input && a->nfields)
        return zf_error_set(err, ZF_EINVAL, "--input and -f/-F both set the body; use one");
    if (a->paginate && strcmp(a->method, "GET") != 0)
        return zf_error_set(err, ZF_EINVAL, "--paginate follows pages of a GET list only");
    if (a->paginate && json_object_get(a->query, "next_page_token"))
        return zf_error_set(err, ZF_EINVAL, "--paginate sets next_page_token itself; drop "
                                            "-q next_page_token");
    return 0;
}

static int read_body(const api_args *a, json_t **out, zf_error *err)
{
    *out = NULL;
    if (a->nfields) {
        *out = json_incref(a->body);
        return 0;
    }
    if (!a->input)
        return 0;
    zf_buf b;
    int rc = cli_read_file(a->input, BODY_MAX, &b, err);
    char what[300];
    snprintf(what, sizeof what, "--input %s", a->input);
    if (rc == 0 && zf_json_parse_value(out, b.ptr, b.len, BODY_MAX, what, err) != 0)
        rc = err->code = ZF_EINVAL; /* the user's input, not Zoom's */
    zf_buf_free(&b);
    return rc;
}

static void print_head(const zf_zoom_resp *r)
{
    fprintf(stderr, "HTTP %ld\n", r->status);
    for (const char *h = zf_buf_cstr(&r->headers); *h; h++)
        if (*h != '\r')
            fputc(*h, stderr);
}

static void print_json(const cli_ctx *ctx, const json_t *v)
{
    json_dumpf(v, stdout, (ctx->out_tty ? JSON_INDENT(2) : JSON_COMPACT) |
                          JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    fputc('\n', stdout);
}

static const char *items_key_of(const api_args *a, const json_t *page)
{
    if (a->items)
        return a->items;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)page, key, v)
        if (json_is_array(v))
            return key;
    return NULL;
}

/* One page after another; only the current page is held. */
static int paginate(cli_ctx *ctx, const api_args *a, zf_zoom *z, zf_zoom_req *zr,
                    zf_zoom_param *q, size_t nq, zf_error *err)
{
    char key[ITEMS_KEY_MAX] = "";
    char *token = NULL;
    long pages = 0, items = 0;
    int rc = 0;
    for (;;) {
        size_t n = nq;
        if (token && *token) {
            q[n].key = "next_page_token";
            q[n++].value = token;
        }
        zr->query = q;
        zr->nquery = n;
        zf_zoom_resp resp;
        zf_zoom_resp_init(&resp);
        rc = zf_zoom_call(z, zr, &resp, err);
        if (rc == 0 && a->include)
            print_head(&resp);
        const json_t *page = resp.json;
        if (rc == 0 && !json_is_object(page))
            rc = zf_error_set(err, ZF_EPARSE, "page %ld of %s is not a JSON object", pages + 1,
                              a->path);
        if (rc == 0 && !key[0]) {
            const char *k = items_key_of(a, page);
            if (!k) {
                rc = zf_error_set(err, ZF_EPARSE, "the answer of %s has no list to page through",
                                  a->path);
                zf_error_hint(err, "name the list field with --items KEY");
            } else {
                snprintf(key, sizeof key, "%s", k);
            }
        }
        json_t *arr = rc == 0 ? json_object_get(page, key) : NULL;
        if (arr && !json_is_array(arr)) {
            rc = zf_error_set(err, ZF_EPARSE, "\"%s\" in the answer of %s is not a list", key,
                              a->path);
            zf_error_hint(err, "name the list field with --items KEY");
            arr = NULL;
        }
        size_t i;
        json_t *it;
        json_array_foreach(arr, i, it) {
            json_dumpf(it, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
            fputc('\n', stdout);
            items++;
        }
        const char *next = rc == 0 ? json_string_value(json_object_get(page, "next_page_token"))
                                   : NULL;
        if (rc == 0 && next && *next && token && strcmp(next, token) == 0 && !json_array_size(arr))
            rc = zf_error_set(err, ZF_EPARSE, "Zoom repeated next_page_token with an empty page; "
                                              "stopping instead of looping");
        free(token);
        token = rc == 0 && next && *next ? strdup(next) : NULL;
        zf_zoom_resp_free(&resp);
        pages++;
        if (rc || !token)
            break;
    }
    free(token);
    fflush(stdout);
    if (ctx->verbose)
        fprintf(stderr, "%ld items in %ld pages\n", items, pages);
    return rc;
}

static zf_zoom_kind kind_of(zf_action_kind k)
{
    return k == ZF_ACTION_CREATE ? ZF_ZOOM_CREATE
           : k == ZF_ACTION_WRITE ? ZF_ZOOM_WRITE : ZF_ZOOM_READ;
}

static int call(cli_ctx *ctx, const api_args *a, const zf_action_request *req, zf_error *err)
{
    zf_zoom *z;
    int rc = cli_zoom(ctx, &z, NULL, err);
    if (rc)
        return rc;
    zf_zoom_param q[ZF_ACTION_QUERY_MAX + 1];
    for (size_t i = 0; i < req->nquery; i++) {
        q[i].key = req->query[i].key;
        q[i].value = req->query[i].value;
    }
    zf_zoom_req zr = ZF_ZOOM_REQ_INIT;
    zr.method = req->method;
    zr.path = req->path;
    zr.query = q;
    zr.nquery = req->nquery;
    zr.body = req->body;
    zr.body_len = req->body ? strlen(req->body) : 0;
    zr.kind = kind_of(req->kind);
    if (a->paginate)
        return paginate(ctx, a, z, &zr, q, req->nquery, err);
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    rc = zf_zoom_call(z, &zr, &resp, err);
    if (rc == 0 && a->include)
        print_head(&resp);
    if (rc == 0 && resp.json)
        print_json(ctx, resp.json);
    else if (rc == 0 && resp.body.len) /* a 2xx body that is not JSON: as it came */
        fwrite(resp.body.ptr, 1, resp.body.len, stdout);
    zf_zoom_resp_free(&resp);
    return rc;
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    api_args a;
    memset(&a, 0, sizeof a);
    a.body = json_object();
    a.query = json_object();
    zf_error err = ZF_ERROR_INIT;
    zf_problems probs = ZF_PROBLEMS_INIT;
    zf_action_request req;
    memset(&req, 0, sizeof req);
    json_t *in = NULL, *body = NULL;
    char method[8] = "";
    int rc = parse(&a, argc, argv, &err), status = 0;
    if (rc) {
        status = cli_usage_error(ctx->cmd, "%s", err.message);
        goto done;
    }
    for (size_t i = 0; a.method[i] && i < sizeof method - 1; i++)
        method[i] = (char)(a.method[i] >= 'a' && a.method[i] <= 'z' ? a.method[i] - 32
                                                                     : a.method[i]);
    /* the path first: a refused path never opens the store or the token */
    if ((rc = zf_zoom_check_path(a.path, &err)) != 0) {
        zf_error_hint(&err, "give a path relative to /v2, like /users/me or "
                            "/meetings/123/registrants");
        status = cli_fail(ctx, &err);
        goto done;
    }
    if ((rc = read_body(&a, &body, &err)) != 0) {
        status = cli_fail(ctx, &err);
        goto done;
    }
    in = json_pack("{s:s,s:s,s:O}", "method", method, "path", a.path, "query", a.query);
    if (body)
        json_object_set(in, "body", body);
    const zf_action *act = zf_action_find("call_api");
    if ((rc = zf_action_validate(&probs, act, in)) != 0) {
        status = rc == ZF_EVALIDATION ? cli_report_problems("api", &probs) : 1;
        goto done;
    }
    if ((rc = zf_action_build(&req, act, in, &err)) != 0 || (rc = call(ctx, &a, &req, &err)) != 0)
        status = cli_fail(ctx, &err);
done:
    zf_action_request_free(&req);
    zf_problems_free(&probs);
    json_decref(in);
    json_decref(body);
    json_decref(a.body);
    json_decref(a.query);
    return status;
}
