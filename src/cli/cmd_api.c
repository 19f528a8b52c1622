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

enum { API_FIELD = 1, API_TYPED_FIELD, API_QUERY };

static const cli_opt api_opts[] = {
    {.kind = CLI_OPT_POSITIONAL, .name = "METHOD", .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(api_args, method), .help = "GET, POST, PATCH, PUT or DELETE (any case)"},
    {.kind = CLI_OPT_POSITIONAL, .name = "PATH", .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(api_args, path), .help = "under the API base's /v2, e.g. /users/me (no URL)"},
    {.kind = CLI_OPT_LIST, .name = "field", .alias = 'f', .value_name = "KEY=VALUE",
     .id = API_FIELD,
     .help = "body field as a string; dotted keys nest\n(-f settings.audio=voip)"},
    {.kind = CLI_OPT_LIST, .name = "raw-field", .value_name = "KEY=VALUE", .id = API_FIELD,
     .flags = CLI_OPT_HIDDEN, .help = "-f by the name gh gives it"},
    {.kind = CLI_OPT_LIST, .name = "typed-field", .alias = 'F', .value_name = "KEY=VALUE",
     .id = API_TYPED_FIELD,
     .help = "body field as JSON when it parses (numbers,\ntrue, false, null, [..], {..}), "
             "else as a\nstring"},
    {.kind = CLI_OPT_VALUE, .name = "input", .value_name = "FILE|-", .at = CLI_AT(api_args, input),
     .help = "the JSON body from a file or stdin (not with -f/-F)"},
    {.kind = CLI_OPT_LIST, .name = "query", .alias = 'q', .value_name = "KEY=VALUE",
     .id = API_QUERY, .help = "query parameter"},
    {.kind = CLI_OPT_SWITCH, .name = "paginate", .at = CLI_AT(api_args, paginate),
     .help = "GET only: follow next_page_token and stream the\n"
             "items of every page as NDJSON"},
    {.kind = CLI_OPT_VALUE, .name = "items", .value_name = "KEY", .at = CLI_AT(api_args, items),
     .help = "the list key for --paginate (default: the answer's\narray field)"},
    {.kind = CLI_OPT_SWITCH, .name = "include", .alias = 'i', .at = CLI_AT(api_args, include),
     .help = "print the HTTP status and headers to stderr"},
    {0}};

static int run(cli_ctx *ctx, int argc, char **argv);

const zf_cmd zf_cmd_api = {
    .name = "api",
    .summary = "call any Zoom API endpoint under /v2 (GET, POST, PATCH, PUT, DELETE)",
    .opts = api_opts,
    .help = "Options may come before, between or after METHOD and PATH. Absolute URLs,\n"
            "//host, '..' or '.' segments (also percent-encoded), backslashes, CR/LF, NUL\n"
            "and paths over 2048 bytes are refused before anything is sent.\n"
            "Output: the answer's JSON body (nothing for 204).\n",
    .run = run,
    .action = "call_api", /* the call_api action's command; its own flags and help */
};

/* -f, -F and -q, in the order given (a later pair wins). */
static int on_pair(void *ctx, const cli_opt *o, const char *key, const char *value,
                   zf_error *err)
{
    api_args *a = ctx;
    if (o->id == API_QUERY)
        return cli_json_set_pair(a->query, value, 0, err);
    a->nfields++;
    return cli_json_set_pair(a->body, value, o->id == API_TYPED_FIELD, err);
}

/* What the specs cannot say: how the options go together. */
static int check(const api_args *a, zf_error *err)
{
    if (a->input && a->nfields)
        return zf_error_set(err, ZF_EVALIDATION, "--input and -f/-F both set the body; use one");
    if (a->paginate && strcmp(a->method, "GET") != 0)
        return zf_error_set(err, ZF_EVALIDATION, "--paginate follows pages of a GET list only");
    if (a->paginate && json_object_get(a->query, "next_page_token"))
        return zf_error_set(err, ZF_EVALIDATION, "--paginate sets next_page_token itself; drop "
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
        rc = err->code = ZF_EVALIDATION; /* the user's input, not Zoom's */
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
    int rc = 0, status = cli_parse_args(ctx->cmd, &a, on_pair, &a, argc, argv);
    if (status)
        goto done;
    if ((rc = check(&a, &err)) != 0) {
        status = cli_usage_fail(ctx->cmd, &err);
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
