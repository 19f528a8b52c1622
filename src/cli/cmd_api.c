/*
 * zoomflow api [METHOD] PATH: the seed's "Call API" action from a shell,
 * with gh api's habits (-X, -H, -f/-F with key[] and key[sub], @file,
 * --include, --silent, --paginate --slurp, --jq).
 *
 * The path is checked (zf_zoom_check_path) before anything else is opened,
 * so a refused path costs no token and no traffic: the bearer token only
 * ever goes to {api_base}/v2, and -H cannot replace it (Authorization, Host
 * and the framing headers are refused). The request goes through the
 * call_api action (validation) and the Zoom client (retries, token refresh
 * on 401 124). --paginate follows next_page_token and streams the items of
 * the list key as NDJSON, one page in memory at a time; --slurp holds every
 * page instead and prints one array of the pages. --jq runs Debian's libjq
 * over what would be printed: the body, each item of --paginate, the array
 * of --slurp. The expression is compiled before anything is sent.
 */
#include "cli.h"
#include "fields.h"
#include "input.h"
#include "lib.h"

#include "zoomflow/json.h"

#include <jq.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "zoomflow/action_run.h"
#include "zoomflow/actions.h"

#define BODY_MAX (16u << 20)
#define SLURP_MAX (64u << 20) /* bytes of all pages --slurp holds */
#define ITEMS_KEY_MAX 128
#define JQ_ERR_MAX 1024

typedef struct api_args {
    const char *method, *path, *xmethod, *input, *items, *jq;
    int paginate, include, silent, slurp, nfields, stdin_used;
    const char *first_field; /* the first -f/-F, for the hint of a GET */
    const char *headers[ZF_ZOOM_HEADERS_MAX + 1];
    int nheaders;
    json_t *body;  /* from -f/-F */
    json_t *query; /* from -q */
} api_args;

enum { API_FIELD = 1, API_TYPED_FIELD, API_QUERY, API_HEADER };

static const cli_opt api_opts[] = {
    {.kind = CLI_OPT_POSITIONAL,
     .name = "METHOD",
     .at = CLI_AT(api_args, method),
     .help = "GET, POST, PATCH, PUT or DELETE (any case); may be\nleft out: PATH alone, "
             "with -X or the default"},
    {.kind = CLI_OPT_POSITIONAL,
     .name = "PATH",
     .at = CLI_AT(api_args, path),
     .help = "under the API base's /v2, e.g. /users/me (no URL,\nno ?query: use -q)"},
    {.kind = CLI_OPT_VALUE,
     .name = "method",
     .alias = 'X',
     .value_name = "METHOD",
     .at = CLI_AT(api_args, xmethod),
     .help = "the HTTP method (default: GET, or POST when -f, -F\nor --input give a body)"},
    {.kind = CLI_OPT_LIST,
     .name = "field",
     .alias = 'f',
     .value_name = "KEY=VALUE",
     .id = API_FIELD,
     .help = "body field as a string; a.b=v and a[b]=v nest,\na[]=v appends, a[] is [] "
             "(gh api's grammar)"},
    {.kind = CLI_OPT_LIST,
     .name = "raw-field",
     .value_name = "KEY=VALUE",
     .id = API_FIELD,
     .flags = CLI_OPT_HIDDEN,
     .help = "-f by the name gh gives it"},
    {.kind = CLI_OPT_LIST,
     .name = "typed-field",
     .alias = 'F',
     .value_name = "KEY=VALUE",
     .id = API_TYPED_FIELD,
     .help = "body field as JSON when it parses (numbers,\ntrue, false, null, [..], {..}), "
             "else as a\nstring; KEY=@FILE reads FILE, KEY=@- stdin"},
    {.kind = CLI_OPT_VALUE,
     .name = "input",
     .value_name = "FILE|-",
     .at = CLI_AT(api_args, input),
     .help = "the JSON body from a file or stdin (not with -f/-F)"},
    {.kind = CLI_OPT_LIST,
     .name = "query",
     .alias = 'q',
     .value_name = "KEY=VALUE",
     .id = API_QUERY,
     .help = "query parameter"},
    {.kind = CLI_OPT_LIST,
     .name = "header",
     .alias = 'H',
     .value_name = "HEADER",
     .id = API_HEADER,
     .help = "an extra request header, 'Name: value' (not\n"
             "Authorization or Host: the token is zoomflow's)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "paginate",
     .at = CLI_AT(api_args, paginate),
     .help = "GET only: follow next_page_token and stream the\n"
             "items of every page as NDJSON"},
    {.kind = CLI_OPT_VALUE,
     .name = "items",
     .value_name = "KEY",
     .at = CLI_AT(api_args, items),
     .help = "the list key for --paginate (default: the answer's\narray field)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "slurp",
     .at = CLI_AT(api_args, slurp),
     .help = "with --paginate: one JSON array of all the pages"},
    {.kind = CLI_OPT_VALUE,
     .name = "jq",
     .value_name = "EXPR",
     .at = CLI_AT(api_args, jq),
     .help = "filter the output with a jq expression (libjq);\nstrings print raw"},
    {.kind = CLI_OPT_SWITCH,
     .name = "include",
     .alias = 'i',
     .at = CLI_AT(api_args, include),
     .help = "print the HTTP status line and headers before the\nbody (stdout)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "silent",
     .at = CLI_AT(api_args, silent),
     .help = "do not print the body"},
    {0}};

static int run(cli_ctx *ctx, int argc, char **argv);

const zf_cmd zf_cmd_api = {
    .name = "api",
    .summary = "call any Zoom API endpoint under /v2 (GET, POST, PATCH, PUT, DELETE)",
    .opts = api_opts,
    .help = "Options may come before, between or after METHOD and PATH. Absolute URLs,\n"
            "//host, '..' or '.' segments (also percent-encoded), backslashes, CR/LF, NUL\n"
            "and paths over 2048 bytes are refused before anything is sent.\n"
            "GET sends no body: query parameters go with -q, not -f or ?a=b in PATH.\n"
            "Output: the answer's JSON body (nothing for 204); --jq, --silent and\n"
            "--include change it as in gh api.\n",
    .run = run,
    .action = "call_api", /* the call_api action's command; its own flags and help */
};

/* The headers zoomflow owns: the token, the host it goes to, the framing. */
static const char *const owned_headers[] = {
    "Authorization",     "Proxy-Authorization", "Host", "Content-Length",
    "Transfer-Encoding", "Connection",          NULL};

static int header_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* -H 'Name: value': a token name, a value without control bytes, not one
 * of owned_headers. */
static int add_header(api_args *a, const char *h, zf_error *err)
{
    size_t n = 0;
    while (header_char((unsigned char)h[n]))
        n++;
    if (n == 0 || h[n] != ':') {
        zf_error_set(err, ZF_EVALIDATION, "-H '%.100s' is not 'Name: value'", h);
        zf_error_hint(err, "write it as -H 'Accept-Language: en' (a name, a colon, the value)");
        return ZF_EVALIDATION;
    }
    for (const unsigned char *v = (const unsigned char *)h + n + 1; *v; v++)
        if ((*v < 0x20 && *v != '\t') || *v == 0x7f)
            return zf_error_set(err, ZF_EVALIDATION,
                                "-H %.*s: the value holds a control byte "
                                "(CR, LF, ...)",
                                (int)n, h);
    for (size_t i = 0; owned_headers[i]; i++)
        if (strlen(owned_headers[i]) == n && strncasecmp(h, owned_headers[i], n) == 0) {
            zf_error_set(err, ZF_EVALIDATION, "-H %s is refused: zoomflow sets it itself%s",
                         owned_headers[i],
                         i < 3 ? " (the bearer token is the connection's and goes only to "
                                 "the API base)"
                               : "");
            zf_error_hint(err,
                          "drop -H %s; `zoomflow --profile NAME api` picks another "
                          "connection",
                          owned_headers[i]);
            return ZF_EVALIDATION;
        }
    if (a->nheaders == ZF_ZOOM_HEADERS_MAX)
        return zf_error_set(err, ZF_EVALIDATION, "at most %d -H headers", ZF_ZOOM_HEADERS_MAX);
    a->headers[a->nheaders++] = h;
    return 0;
}

/* -F KEY=@FILE / @-: the file's bytes as a string, as gh reads them. */
static int read_at(api_args *a, const char *key, const char *file, json_t **out, zf_error *err)
{
    if (strcmp(file, "-") == 0) {
        if (a->stdin_used)
            return zf_error_set(err, ZF_EVALIDATION,
                                "-F %s=@-: stdin is already read by "
                                "another @-",
                                key);
        a->stdin_used = 1;
    }
    zf_buf b;
    int rc = cli_read_file(file, BODY_MAX, &b, err);
    if (rc)
        zf_error_restate(err, err->code, "-F %s=@%s: %s", key, file, err->message);
    if (rc == 0 && !(*out = json_stringn(b.len ? b.ptr : "", b.len)))
        rc = zf_error_set(err, ZF_EVALIDATION,
                          "-F %s=@%s: the file is not UTF-8 text "
                          "(or holds a NUL byte)",
                          key, file);
    if (rc == 0 && memchr(b.ptr ? b.ptr : "", '\0', b.len)) {
        json_decref(*out);
        rc = zf_error_set(err, ZF_EVALIDATION, "-F %s=@%s: the file holds a NUL byte", key, file);
    }
    zf_buf_free(&b);
    return rc;
}

/* -f, -F, -q and -H, in the order given (a later pair wins). */
static int on_pair(void *ctx, const cli_opt *o, const char *unused, const char *value,
                   zf_error *err)
{
    api_args *a = ctx;
    if (o->id == API_QUERY)
        return cli_json_set_pair(a->query, value, 0, err);
    if (o->id == API_HEADER)
        return add_header(a, value, err);
    char key[CLI_FIELD_KEY_MAX];
    const char *text;
    json_t *v = NULL;
    int rc = cli_field_split(value, key, sizeof key, &text, err);
    if (rc)
        return rc;
    if (!a->nfields++)
        a->first_field = value;
    if (!text)
        v = NULL; /* key[]: the empty list */
    else if (o->id == API_FIELD)
        v = json_string(text);
    else if (text[0] == '@')
        rc = read_at(a, key, text + 1, &v, err);
    else if ((rc = zf_action_flag_value(&v, NULL, key, text, err)) > 0)
        rc = 0;
    if (rc)
        return rc;
    if (text && !v)
        return zf_error_set(err, ZF_EVALIDATION, "-f %.100s: the value is not UTF-8 text", key);
    return cli_field_put(a->body, key, v, err);
}

static int hex_of(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : 16;
}

/* "a=b%20c&d" as -q 'a=b c' -q 'd=' for the hint of a PATH with a query. */
static void query_hint(zf_error *err, const char *method, const char *path, const char *q)
{
    char out[ZF_ERROR_HINT_MAX - 64], *o = out, *end = out + sizeof out - 8;
    for (const char *p = q; *p && o < end;) {
        o += snprintf(o, (size_t)(end - o), " -q '");
        int has_eq = 0;
        for (; *p && *p != '&' && o < end; p++) {
            unsigned hi, lo;
            char c = *p;
            if (c == '%' && p[1] && p[2] && (hi = (unsigned)hex_of(p[1])) < 16 &&
                (lo = (unsigned)hex_of(p[2])) < 16) {
                c = (char)(hi << 4 | lo);
                p += 2;
            }
            has_eq |= c == '=';
            if (c == '\'') /* ' closes, \' is one quote, ' reopens */
                o += snprintf(o, (size_t)(end - o), "'\\''");
            else if ((unsigned char)c >= 0x20)
                *o++ = c;
        }
        if (!has_eq && o < end)
            *o++ = '=';
        if (o < end)
            *o++ = '\'';
        while (*p == '&')
            p++;
    }
    *o = '\0';
    zf_error_hint(err, "give the query with -q: zoomflow api %s %.*s%s", method,
                  (int)(strchr(path, '?') - path), path, out);
}

/* What the specs cannot say: how the options go together. */
static int check(const api_args *a, const char *method, zf_error *err)
{
    if (a->input && a->nfields)
        return zf_error_set(err, ZF_EVALIDATION, "--input and -f/-F both set the body; use one");
    if (a->input && strcmp(a->input, "-") == 0 && a->stdin_used)
        return zf_error_set(err, ZF_EVALIDATION,
                            "--input - and -F KEY=@- both read stdin; "
                            "use one");
    if (a->nfields && strcmp(method, "GET") == 0) {
        zf_error_set(err, ZF_EVALIDATION,
                     "GET sends no body, so -f/-F fields have nowhere to "
                     "go");
        const char *f = a->first_field, *eq = strchr(f, '=');
        if (eq && !memchr(f, '[', (size_t)(eq - f)) && eq[1] != '@' && !strchr(f, '\''))
            zf_error_hint(err,
                          "query parameters go with -q: -q '%.200s' (or send a body with "
                          "-X POST)",
                          f);
        else /* a[]=, @file or a quote: no one -q spells it */
            zf_error_hint(err, "query parameters go with -q KEY=VALUE, one per parameter (or "
                               "send a body with -X POST)");
        return ZF_EVALIDATION;
    }
    if (a->paginate && strcmp(method, "GET") != 0)
        return zf_error_set(err, ZF_EVALIDATION, "--paginate follows pages of a GET list only");
    if (a->slurp && !a->paginate)
        return zf_error_set(err, ZF_EVALIDATION,
                            "--slurp gathers the pages of --paginate; add "
                            "--paginate");
    if (a->paginate && json_object_get(a->query, "next_page_token"))
        return zf_error_set(err, ZF_EVALIDATION,
                            "--paginate sets next_page_token itself; drop "
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

/* --jq: one compiled expression; compile messages gathered for the error. */
typedef struct api_jq {
    jq_state *jq;
    const char *expr;
    char errs[JQ_ERR_MAX];
} api_jq;

/* libjq hands its messages here (owning msg): "jq: error: ..." lines. */
static void jq_on_error(void *ctx, jv msg)
{
    api_jq *j = ctx;
    if (jv_get_kind(msg) != JV_KIND_STRING)
        msg = jv_dump_string(msg, 0);
    const char *s = jv_string_value(msg);
    if (strncmp(s, "jq: error: ", 11) == 0)
        s += 11;
    size_t used = strlen(j->errs);
    if (strncmp(s, "jq: ", 4) != 0 && used + 3 < sizeof j->errs) /* not "jq: 1 compile error" */
        snprintf(j->errs + used, sizeof j->errs - used, "%s%s", used ? "; " : "", s);
    jv_free(msg);
}

static int jq_open(api_jq *j, const char *expr, zf_error *err)
{
    memset(j, 0, sizeof *j);
    j->expr = expr;
    if (!expr)
        return 0;
    if (!(j->jq = jq_init()))
        return zf_error_set(err, ZF_ENOMEM, "out of memory (libjq)");
    jq_set_error_cb(j->jq, jq_on_error, j);
    if (jq_compile(j->jq, expr))
        return 0;
    /* one line: libjq ends its message with the expression on its own line */
    for (char *c = j->errs; *c; c++)
        if (*c == '\n')
            *c = ' ';
    for (size_t n = strlen(j->errs); n && j->errs[n - 1] == ' '; n--)
        j->errs[n - 1] = '\0';
    zf_error_set(err, ZF_EVALIDATION, "--jq '%.200s' does not compile: %s", expr,
                 j->errs[0] ? j->errs : "(libjq said nothing)");
    zf_error_hint(err, "the expression is jq's language (jq 1.6), e.g. --jq '.users[].email'");
    return ZF_EVALIDATION;
}

static void jq_close(api_jq *j)
{
    if (j->jq)
        jq_teardown(&j->jq);
}

/* Runs the expression over v: strings raw, anything else as JSON. */
static int jq_run(const cli_ctx *ctx, api_jq *j, const json_t *v, zf_error *err)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    if (!text)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    jv in = jv_parse(text);
    free(text);
    if (!jv_is_valid(in)) {
        jv_free(in);
        return zf_error_set(err, ZF_EPARSE, "libjq could not read the answer");
    }
    jq_start(j->jq, in, 0);
    jv r;
    while (jv_is_valid(r = jq_next(j->jq))) {
        if (jv_get_kind(r) != JV_KIND_STRING)
            r = jv_dump_string(r, ctx->out_tty ? JV_PRINT_INDENT_FLAGS(2) : 0);
        fwrite(jv_string_value(r), 1, (size_t)jv_string_length_bytes(jv_copy(r)), stdout);
        fputc('\n', stdout);
        jv_free(r);
    }
    int rc = 0;
    if (jv_invalid_has_msg(jv_copy(r))) {
        jv msg = jv_invalid_get_msg(r);
        if (jv_get_kind(msg) != JV_KIND_STRING)
            msg = jv_dump_string(msg, 0);
        rc = zf_error_set(err, ZF_EPARSE, "--jq '%.200s' failed on the answer: %s", j->expr,
                          jv_string_value(msg));
        zf_error_hint(err, "--jq . shows the answer the expression runs on");
        jv_free(msg);
    } else {
        jv_free(r);
    }
    return rc;
}

/* What the user sees of one value: nothing (--silent), --jq's output, or
 * the JSON (pretty on a terminal unless compact: NDJSON items). */
static int emit(const cli_ctx *ctx, const api_args *a, api_jq *j, const json_t *v, int compact,
                zf_error *err)
{
    if (a->silent)
        return 0;
    if (j->jq)
        return jq_run(ctx, j, v, err);
    json_dumpf(v, stdout,
               (ctx->out_tty && !compact ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER |
                   JSON_ENCODE_ANY);
    fputc('\n', stdout);
    return 0;
}

static const char *reason_of(long status)
{
    static const struct {
        long status;
        const char *reason;
    } rows[] = {{200, "OK"},
                {201, "Created"},
                {202, "Accepted"},
                {204, "No Content"},
                {400, "Bad Request"},
                {401, "Unauthorized"},
                {403, "Forbidden"},
                {404, "Not Found"},
                {409, "Conflict"},
                {429, "Too Many Requests"},
                {500, "Internal Server Error"},
                {502, "Bad Gateway"},
                {503, "Service Unavailable"},
                {504, "Gateway Timeout"},
                {0, ""}};
    size_t i = 0;
    while (rows[i].status && rows[i].status != status)
        i++;
    return rows[i].reason;
}

/* --include: the status line and headers, then a blank line, to stdout
 * before the body (as gh api prints them). */
static void print_head(const zf_zoom_resp *r)
{
    printf("HTTP %ld %s\n", r->status, reason_of(r->status));
    const char *h = zf_buf_cstr(&r->headers);
    int nl = 1;
    for (; *h; h++)
        if (*h != '\r') {
            fputc(*h, stdout);
            nl = *h == '\n';
        }
    fputs(nl ? "\n" : "\n\n", stdout);
}

/* A call Zoom refused: its body as it came, to stdout, as gh api prints
 * it (the error and its hint follow on stderr); nothing with --silent. */
static void print_refusal(const api_args *a, const zf_zoom_resp *r)
{
    if (!r->status || !r->body.len || a->silent)
        return;
    fwrite(r->body.ptr, 1, r->body.len, stdout);
    if (r->body.ptr[r->body.len - 1] != '\n')
        fputc('\n', stdout);
    fflush(stdout);
}

/* "id, email, ..." for messages about what a page holds. */
static void keys_of(const json_t *page, char *out, size_t cap)
{
    const char *key;
    json_t *v;
    size_t used = 0;
    out[0] = '\0';
    json_object_foreach ((json_t *)page, key, v) {
        int n = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", key);
        if (n < 0 || (size_t)n >= cap - used) {
            if (cap > 4)
                memcpy(out + (used < cap - 4 ? used : cap - 4), "...", 4);
            return;
        }
        used += (size_t)n;
    }
}

/* Zoom's list answers carry these beside the list (zoom-api.md §E). */
static int is_list_page(const json_t *page)
{
    static const char *const paging[] = {"next_page_token", "page_size", "page_count",
                                         "total_records", NULL};
    for (size_t i = 0; paging[i]; i++)
        if (json_object_get(page, paging[i]))
            return 1;
    return 0;
}

static const char *first_array(const json_t *page)
{
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)page, key, v)
        if (json_is_array(v))
            return key;
    return NULL;
}

/* The list of one page under key (found on the first page), or an error
 * naming the keys the page has. */
static int list_of(const api_args *a, const json_t *page, long n, char *key, json_t **arr,
                   zf_error *err)
{
    char keys[300];
    *arr = NULL;
    if (!json_is_object(page))
        return zf_error_set(err, ZF_EPARSE,
                            "page %ld of %s is not a JSON object, so it has no "
                            "list to page through",
                            n, a->path);
    if (!key[0]) {
        /* a user's group_ids is no list of users: without --items, the
         * answer must be a page (paging members beside the list) */
        const char *k = a->items ? a->items : is_list_page(page) ? first_array(page) : NULL;
        if (!k) {
            keys_of(page, keys, sizeof keys);
            zf_error_set(err, ZF_EPARSE,
                         "the answer of %s is not a list: no next_page_token, "
                         "page_size or total_records beside an array (its keys: %s)",
                         a->path, keys[0] ? keys : "none");
            zf_error_hint(err, "--paginate is for list endpoints; drop it, or name the list with "
                               "--items KEY");
            return ZF_EPARSE;
        }
        snprintf(key, ITEMS_KEY_MAX, "%s", k);
    }
    json_t *v = json_object_get(page, key);
    if (json_is_array(v)) {
        *arr = v;
        return 0;
    }
    keys_of(page, keys, sizeof keys);
    const char *arr_key = first_array(page);
    if (v)
        zf_error_set(err, ZF_EPARSE, "\"%s\" in the answer of %s is not a list (its keys: %s)", key,
                     a->path, keys);
    else
        zf_error_set(err, ZF_EPARSE, "page %ld of %s has no \"%s\" (its keys: %s)", n, a->path, key,
                     keys[0] ? keys : "none");
    if (arr_key)
        zf_error_hint(err, "name the list field with --items %s", arr_key);
    else
        zf_error_hint(err, "name the list field with --items KEY");
    return ZF_EPARSE;
}

/* One page after another; only the current page is held (all of them with
 * --slurp, up to SLURP_MAX bytes). */
static int paginate(cli_ctx *ctx, const api_args *a, api_jq *j, zf_zoom *z, zf_zoom_req *zr,
                    zf_zoom_param *q, size_t nq, zf_error *err)
{
    char key[ITEMS_KEY_MAX] = "";
    char *token = NULL;
    long pages = 0, items = 0;
    size_t held = 0;
    json_t *all = a->slurp ? json_array() : NULL;
    int rc = a->slurp && !all ? zf_error_set(err, ZF_ENOMEM, "out of memory") : 0;
    while (rc == 0) {
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
        if (a->include && resp.status)
            print_head(&resp);
        if (rc != 0)
            print_refusal(a, &resp);
        const json_t *page = resp.json;
        json_t *arr = NULL;
        if (rc == 0)
            rc = list_of(a, page, pages + 1, key, &arr, err);
        size_t i;
        json_t *it;
        if (rc == 0 && all) {
            held += resp.body.len;
            if (held > SLURP_MAX) {
                rc = zf_error_set(err, ZF_ETOOBIG,
                                  "--slurp holds every page in memory, and "
                                  "the pages of %s pass %u MiB",
                                  a->path, SLURP_MAX >> 20);
                zf_error_hint(err, "drop --slurp: --paginate alone streams the items");
            } else if (json_array_append(all, (json_t *)page) != 0) {
                rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
            }
        }
        if (rc == 0 && !all)
            json_array_foreach (arr, i, it) {
                if ((rc = emit(ctx, a, j, it, 1, err)) != 0)
                    break;
            }
        items += (long)json_array_size(arr);
        const char *next =
            rc == 0 ? json_string_value(json_object_get(page, "next_page_token")) : NULL;
        if (rc == 0 && next && *next && token && strcmp(next, token) == 0 && !json_array_size(arr))
            rc = zf_error_set(err, ZF_EPARSE,
                              "Zoom repeated next_page_token with an empty page; "
                              "stopping instead of looping");
        free(token);
        token = rc == 0 && next && *next ? strdup(next) : NULL;
        zf_zoom_resp_free(&resp);
        pages++;
        if (!token)
            break;
    }
    free(token);
    if (rc == 0 && all)
        rc = emit(ctx, a, j, all, 0, err);
    json_decref(all);
    fflush(stdout);
    if (ctx->verbose)
        fprintf(stderr, "%ld items in %ld pages\n", items, pages);
    return rc;
}

static zf_zoom_kind kind_of(zf_action_kind k)
{
    return k == ZF_ACTION_CREATE  ? ZF_ZOOM_CREATE
           : k == ZF_ACTION_WRITE ? ZF_ZOOM_WRITE
                                  : ZF_ZOOM_READ;
}

/* `me` on a Server-to-Server connection: sent anyway, said on stderr and
 * counted for the doctor (zf_action_s2s_me) as call_api. */
static void warn_s2s_me(cli_ctx *ctx, zf_zoom *z, const char *path)
{
    zf_session *s = NULL;
    zf_store *st = NULL;
    zf_error quiet = ZF_ERROR_INIT;
    if (cli_session(ctx, &s, &quiet) != 0 || zf_session_store(s, &st, &quiet) != 0)
        st = NULL;
    if (zf_action_s2s_me(z, path, st, ctx->cfg.profile, "call_api", (int64_t)time(NULL))) {
        fprintf(stderr, "warning: ");
        fprintf(stderr, ZF_ACTION_S2S_ME_WARNING, "call_api");
        fputc('\n', stderr);
    }
}

static int call(cli_ctx *ctx, const api_args *a, api_jq *j, const zf_action_request *req,
                zf_error *err)
{
    zf_zoom *z;
    int rc = cli_zoom(ctx, &z, NULL, err);
    if (rc)
        return rc;
    warn_s2s_me(ctx, z, req->path);
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
    zr.headers = a->nheaders ? a->headers : NULL;
    if (a->paginate)
        return paginate(ctx, a, j, z, &zr, q, req->nquery, err);
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    rc = zf_zoom_call(z, &zr, &resp, err);
    if (a->include && resp.status)
        print_head(&resp);
    if (rc != 0)
        print_refusal(a, &resp);
    else if (resp.json)
        rc = emit(ctx, a, j, resp.json, 0, err);
    else if (resp.body.len && !a->silent) /* a 2xx body that is not JSON: as it came */
        fwrite(resp.body.ptr, 1, resp.body.len, stdout);
    zf_zoom_resp_free(&resp);
    return rc;
}

static int is_method(const char *s)
{
    static const char *const methods[] = {"GET", "POST", "PATCH", "PUT", "DELETE", NULL};
    for (size_t i = 0; methods[i]; i++)
        if (strcasecmp(s, methods[i]) == 0)
            return 1;
    return 0;
}

/* METHOD PATH, PATH alone, -X: which method, which path. */
static int resolve(api_args *a, char *method, size_t cap, zf_error *err)
{
    if (a->method && !a->path) { /* one positional: the PATH (gh's form) */
        if (is_method(a->method) && a->method[0] != '/') {
            zf_error_set(err, ZF_EVALIDATION,
                         "api needs a PATH after %s (METHOD and PATH, or "
                         "PATH with -X METHOD)",
                         a->method);
            zf_error_hint(err, "e.g. zoomflow api %s /users/me", a->method);
            return ZF_EVALIDATION;
        }
        a->path = a->method;
        a->method = NULL;
    }
    if (!a->path) {
        zf_error_set(err, ZF_EVALIDATION,
                     "api needs a PATH (METHOD and PATH, or PATH with -X "
                     "METHOD)");
        zf_error_hint(err, "e.g. zoomflow api /users/me");
        return ZF_EVALIDATION;
    }
    if (a->method && a->xmethod && strcasecmp(a->method, a->xmethod) != 0)
        return zf_error_set(err, ZF_EVALIDATION,
                            "two methods: %s before PATH and -X %s; give "
                            "one",
                            a->method, a->xmethod);
    const char *m = a->xmethod ? a->xmethod : a->method;
    if (!m)
        m = a->nfields || a->input ? "POST" : "GET"; /* gh's default */
    size_t i = 0;
    for (; m[i] && i < cap - 1; i++)
        method[i] = (char)(m[i] >= 'a' && m[i] <= 'z' ? m[i] - 32 : m[i]);
    method[i] = '\0';
    return 0;
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
    api_jq j;
    memset(&j, 0, sizeof j);
    json_t *in = NULL, *body = NULL;
    char method[8] = "";
    int rc = 0, status = cli_parse_args(ctx->cmd, &a, on_pair, &a, argc, argv);
    if (status)
        goto done;
    if ((rc = resolve(&a, method, sizeof method, &err)) != 0 ||
        (rc = check(&a, method, &err)) != 0) {
        status = cli_usage_fail(ctx->cmd, &err);
        goto done;
    }
    const char *qmark = strchr(a.path, '?');
    if (qmark) { /* the pages and -q would fight over a query in the path */
        zf_error_set(&err, ZF_EVALIDATION,
                     "PATH %.200s carries a query (?%.100s); zoomflow "
                     "takes query parameters only with -q",
                     a.path, qmark + 1);
        query_hint(&err, method, a.path, qmark + 1);
        status = cli_fail(ctx, &err);
        goto done;
    }
    /* the path first: a refused path never opens the store or the token */
    if ((rc = zf_zoom_check_path(a.path, &err)) != 0) {
        zf_error_hint(&err, "give a path relative to /v2, like /users/me or "
                            "/meetings/123/registrants");
        status = cli_fail(ctx, &err);
        goto done;
    }
    if ((rc = jq_open(&j, a.jq, &err)) != 0) {
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
    if ((rc = zf_action_build(&req, act, in, &err)) != 0 ||
        (rc = call(ctx, &a, &j, &req, &err)) != 0)
        status = cli_fail(ctx, &err);
done:
    fflush(stdout);
    jq_close(&j);
    zf_action_request_free(&req);
    zf_problems_free(&probs);
    json_decref(in);
    json_decref(body);
    json_decref(a.body);
    json_decref(a.query);
    return status;
}
