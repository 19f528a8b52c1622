/*
 * The action commands (`zoomflow meetings create`, `users list`, ...): the
 * command table (commands.c) makes one row per registry action, named by
 * its descriptor's words, that runs cli_action_run; flags, --help and checks
 * all come from the descriptor, so no action has hand-written flag parsing
 * or a row of its own here.
 *
 * Flags: --<field-name> VALUE (or =VALUE) for every top-level field, typed
 * by the descriptor (booleans may stand alone: --all); dotted flags reach
 * into objects (--settings.approval_type 0); --input FILE|- gives the whole
 * input as JSON, and flags given beside it override its members.
 * Also: --format, --dry-run (prints the request, sends nothing, needs no
 * token).
 */
#include "cli.h"
#include "commands.h"
#include "input.h"
#include "lib.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/action_run.h"
#include "zoomflow/actions.h"
#include "zoomflow/json.h"

#define INPUT_MAX (4u << 20)
#define FLAG_MAX 128

const char cli_action_help[] =
    "Common options:\n"
    "  --input FILE|-      the input as a JSON object (flags override its members)\n"
    "  --FIELD.KEY VALUE   a member of an object field, e.g. --settings.approval_type 0\n"
    "  --format FMT        json, ndjson, table or csv (default: table on a terminal,\n"
    "                      json otherwise)\n"
    "  --dry-run           print the request that would be sent; send nothing\n"
    "\n"
    "Creates print \"created\": true, or \"created\": false with \"found\": true when\n"
    "an interrupted earlier attempt had already created the object (zoomflow looks\n"
    "before it retries, so nothing is created twice).\n";

typedef struct action_args {
    const char *input;
    cli_format fmt;
    int dry_run;
    json_t *flags; /* field values from flags, applied over --input */
} action_args;

/* The top-level field of "name" or "name.key.key" (name = the flag without --). */
static const zf_field *find_flag(const zf_action *a, const char *name, size_t len)
{
    char top[FLAG_MAX];
    if (len >= sizeof top)
        return NULL;
    memcpy(top, name, len);
    top[len] = '\0';
    return zf_action_flag_field(a, top);
}

/* A value for field f from flag text, typed by the descriptor. */
static json_t *typed_value(const zf_field *f, const char *text)
{
    if (!f)
        return cli_json_typed(text);
    if (f->types & (ZF_T_OBJECT | ZF_T_ARRAY | ZF_T_ANY)) {
        json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
        return v ? v : json_string(text); /* validation names the type problem */
    }
    long long n;
    if ((f->types & ZF_T_INTEGER) &&
        cli_parse_int(text, strlen(text), LLONG_MIN, LLONG_MAX, &n) == 0 &&
        (text[0] != '0' || !text[1] || !(f->types & ZF_T_STRING)))
        return json_integer(n); /* else a string: validation names the type problem */
    if ((f->types & ZF_T_BOOLEAN) && (!strcmp(text, "true") || !strcmp(text, "false")))
        return json_boolean(!strcmp(text, "true"));
    return json_string(text);
}

/* Walks "settings.approval_type" through the descriptor to type the value. */
static const zf_field *nested_field(const zf_field *top, const char *rest)
{
    const zf_field *f = top;
    while (f && rest && *rest) {
        const char *dot = strchr(rest, '.');
        size_t n = dot ? (size_t)(dot - rest) : strlen(rest);
        const zf_field *next = NULL;
        for (const zf_field *k = f->fields; k && k->name && !next; k++)
            if (strlen(k->name) == n && strncmp(k->name, rest, n) == 0)
                next = k;
        f = next;
        rest = dot ? dot + 1 : NULL;
    }
    return f;
}

static int set_flag(const zf_action *a, json_t *flags, const char *name, const char *value,
                    int *used_next, zf_error *err)
{
    const char *dot = strchr(name, '.');
    size_t toplen = dot ? (size_t)(dot - name) : strlen(name);
    const zf_field *f = find_flag(a, name, toplen);
    if (!f) {
        zf_error_set(err, ZF_EINVAL, "unknown flag --%s for %s", name, a->name);
        zf_error_hint(err, "see --help for the flags");
        return ZF_EINVAL;
    }
    *used_next = 0;
    if (!value) {
        if (!dot && f->types == ZF_T_BOOLEAN)
            value = "true";
        else
            return zf_error_set(err, ZF_EINVAL, "--%s needs a value", name);
    }
    if (!dot)
        return zf_action_set_flag(flags, a, name, value, err);
    char path[FLAG_MAX * 4];
    /* field.key.key with '-' read as '_' after the field name too */
    snprintf(path, sizeof path, "%s%s", f->name, dot);
    for (char *p = path + strlen(f->name); *p; p++)
        if (*p == '-')
            *p = '_';
    return cli_json_set_path(flags, path, typed_value(nested_field(f, strchr(path, '.') + 1),
                                                       value), err);
}

static int parse(const zf_action *a, action_args *x, int argc, char **argv, zf_error *err)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || !arg[2])
            return zf_error_set(err, ZF_EINVAL, "unexpected argument '%s' (flags are "
                                "--name value)", arg);
        char name[FLAG_MAX];
        const char *eq = strchr(arg, '=');
        size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (n >= sizeof name)
            return zf_error_set(err, ZF_EINVAL, "flag %.40s... is too long", arg);
        memcpy(name, arg + 2, n);
        name[n] = '\0';
        const char *value = eq ? eq + 1 : NULL;
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        int next_is_value = next && strncmp(next, "--", 2) != 0;
        if (!strcmp(name, "dry-run")) {
            x->dry_run = 1;
            continue;
        }
        if (!strcmp(name, "input") || !strcmp(name, "format")) {
            if (!value && !next_is_value)
                return zf_error_set(err, ZF_EINVAL, "--%s needs a value", name);
            value = value ? value : argv[++i];
            int rc = !strcmp(name, "input") ? (x->input = value, 0)
                                            : cli_format_parse(value, &x->fmt, err);
            if (rc)
                return rc;
            continue;
        }
        if (!value && next_is_value) {
            /* a lone boolean flag (--all) takes only an explicit true/false */
            const zf_field *f = find_flag(a, name, strcspn(name, "."));
            int lone_bool = f && !strchr(name, '.') && f->types == ZF_T_BOOLEAN;
            if (!lone_bool || !strcmp(next, "true") || !strcmp(next, "false"))
                value = argv[++i];
        }
        int used_next;
        int rc = set_flag(a, x->flags, name, value, &used_next, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* --input, then the flags over it (objects merged member by member). */
static int assemble(json_t **out, const action_args *x, zf_error *err)
{
    json_t *in = NULL;
    if (x->input) {
        zf_buf b;
        char what[300];
        snprintf(what, sizeof what, "--input %s", x->input);
        int rc = cli_read_file(x->input, INPUT_MAX, &b, err);
        if (rc == 0 && zf_json_parse(&in, b.ptr, b.len, INPUT_MAX, what, err) != 0)
            rc = err->code = ZF_EINVAL; /* the user's input, not Zoom's */
        zf_buf_free(&b);
        if (rc && !err->hint[0])
            zf_error_hint(err, "--input takes a file holding a JSON object, or - for stdin");
        if (rc)
            return rc;
    } else {
        in = json_object();
    }
    const char *key;
    json_t *v;
    json_object_foreach(x->flags, key, v) {
        json_t *cur = json_object_get(in, key);
        if (json_is_object(cur) && json_is_object(v))
            json_object_update_recursive(cur, v);
        else
            json_object_set(in, key, v);
    }
    *out = in;
    return 0;
}

static int dry_run(cli_ctx *ctx, const zf_action *a, const json_t *in)
{
    zf_action_request req;
    zf_error err = ZF_ERROR_INIT;
    zf_buf url = ZF_BUF_INIT(16384);
    int rc = zf_action_build(&req, a, in, &err);
    if (rc)
        return cli_fail(ctx, &err);
    zf_session *s;
    if (cli_session(ctx, &s, &err) != 0 || zf_session_api_base(s, &url) != 0) {
        zf_action_request_free(&req);
        zf_buf_free(&url);
        return cli_fail(ctx, &err);
    }
    zf_buf_puts(&url, req.path);
    for (size_t i = 0; i < req.nquery; i++) {
        zf_buf_putc(&url, i ? '&' : '?');
        zf_buf_put_urlenc(&url, req.query[i].key);
        zf_buf_putc(&url, '=');
        zf_buf_put_urlenc(&url, req.query[i].value);
    }
    json_t *o = json_pack("{s:s,s:s,s:s}", "action", a->name, "method", req.method, "url",
                          zf_buf_cstr(&url));
    json_object_set_new(o, "body", req.body ? json_loads(req.body, 0, NULL) : json_null());
    if (req.follow_pages)
        json_object_set_new(o, "follows_pages", json_true());
    json_dumpf(o, stdout, (ctx->out_tty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
    zf_buf_free(&url);
    zf_action_request_free(&req);
    return 0;
}

static int emit_item(void *ctx, const json_t *item)
{
    return cli_out_item(ctx, (json_t *)item);
}

static int emit_raw(void *ctx, const char *json, size_t len)
{
    return cli_out_raw(ctx, json, len);
}

/* --all with ndjson (or json into a pipe) takes the fast path: items are
 * shaped from the page bytes, no JSON tree is built. ZOOMFLOW_LIST_TREE=1
 * forces the tree path instead, a debugging aid for comparing the two
 * (tests/integration/test_cli_list_fast.py does). */
static int tree_forced(void)
{
    const char *v = getenv("ZOOMFLOW_LIST_TREE");
    return v && *v && strcmp(v, "0") != 0;
}

/* A list answer (not --all): items as a list in every format but json,
 * where the whole object keeps next_page_token visible. */
static int print_output(const cli_ctx *ctx, const zf_action *a, cli_format fmt, json_t *o)
{
    cli_out *out;
    int rc = cli_out_new(&out, stdout, fmt, ctx->out_tty, NULL);
    if (rc)
        return rc;
    cli_format eff = fmt == CLI_FMT_AUTO ? (ctx->out_tty ? CLI_FMT_TABLE : CLI_FMT_JSON) : fmt;
    json_t *items = a->items_key ? json_object_get(o, a->items_key) : NULL;
    if (items && eff != CLI_FMT_JSON) {
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it) if ((rc = cli_out_item(out, it)) != 0) break;
        const char *next = json_string_value(json_object_get(o, "next_page_token"));
        if (next && *next)
            fprintf(stderr, "more: add --next-page-token %s (or --all for every page)\n", next);
    } else {
        rc = cli_out_object(out, o);
    }
    int rc2 = cli_out_end(out);
    return rc ? rc : rc2;
}

static int execute(cli_ctx *ctx, const zf_action *a, const action_args *x, json_t *in)
{
    zf_error err = ZF_ERROR_INIT;
    zf_problems probs = ZF_PROBLEMS_INIT;
    zf_action_result res = ZF_ACTION_RESULT_INIT;
    zf_action_run_opts o = ZF_ACTION_RUN_OPTS_INIT;
    cli_out *out = NULL;
    int status = 0;
    /* validation first: bad input never opens the store or sends anything */
    int rc = zf_action_validate(&probs, a, in);
    if (rc) {
        status = rc == ZF_EVALIDATION ? cli_report_problems(ctx->cmd->name, &probs) : 1;
        goto done;
    }
    if ((rc = cli_zoom(ctx, &o.zoom, &o.granted_scopes, &err)) != 0) {
        status = cli_fail(ctx, &err);
        goto done;
    }
    zf_session *s;
    if ((rc = cli_session(ctx, &s, &err)) != 0 || (rc = zf_session_store(s, &o.store, &err)) != 0) {
        status = cli_fail(ctx, &err);
        goto done;
    }
    o.conn_id = ctx->cfg.profile;
    if (json_is_true(json_object_get(in, "all")) && a->items_key) {
        if (cli_out_new(&out, stdout, x->fmt, ctx->out_tty, NULL) != 0) {
            status = 1;
            goto done;
        }
        o.on_item = emit_item;
        if (cli_out_raw_ok(out) && !tree_forced())
            o.on_item_raw = emit_raw;
        o.item_ctx = out;
    }
    rc = zf_action_run(&res, a, in, &o, &probs, &err);
    if (out && cli_out_end(out) != 0 && rc == 0)
        rc = zf_error_set(&err, ZF_EIO, "cannot write the output");
    out = NULL;
    for (size_t i = 0; i < json_array_size(res.warnings); i++)
        fprintf(stderr, "warning: %s\n", json_string_value(json_array_get(res.warnings, i)));
    if (rc) {
        status = cli_fail(ctx, &err);
        goto done;
    }
    if (json_is_true(json_object_get(res.output, "found")))
        fprintf(stderr, "note: an earlier, interrupted attempt had already created this %s; "
                        "it was found, not created again\n", a->item_type);
    if (!o.on_item && print_output(ctx, a, x->fmt, res.output) != 0)
        status = 1;
done:
    cli_out_end(out);
    zf_action_result_free(&res);
    zf_problems_free(&probs);
    return status;
}

int cli_action_run(cli_ctx *ctx, int argc, char **argv)
{
    const zf_action *a = zf_action_find(ctx->cmd->action);
    action_args x = {NULL, CLI_FMT_AUTO, 0, json_object()};
    zf_error err = ZF_ERROR_INIT;
    json_t *in = NULL;
    int status;
    if (!a) {
        fprintf(stderr, "zoomflow: action %s is not in the registry\n", ctx->cmd->action);
        status = 1;
    } else if (parse(a, &x, argc, argv, &err) != 0) {
        status = cli_usage_error(ctx->cmd, "%s", err.message);
    } else if (assemble(&in, &x, &err) != 0) {
        status = cli_fail(ctx, &err);
    } else if (x.dry_run) {
        zf_problems probs = ZF_PROBLEMS_INIT;
        int rc = zf_action_validate(&probs, a, in);
        status = rc == ZF_EVALIDATION ? cli_report_problems(ctx->cmd->name, &probs)
                 : rc                 ? 1
                                      : dry_run(ctx, a, in);
        zf_problems_free(&probs);
    } else {
        status = execute(ctx, a, &x, in);
    }
    json_decref(in);
    json_decref(x.flags);
    return status;
}

/* ---- zoomflow actions [schema NAME] -------------------------------------- */

/* "meetings create" for create_meeting, "-" when no command runs it. */
static const char *cli_name_of(const char *action)
{
    const zf_cmd *c = cli_command_for_action(action);
    return c ? c->name : "-";
}

static int run_actions(cli_ctx *ctx, int argc, char **argv)
{
    if (argc > 1)
        return cli_usage_error(ctx->cmd, "unexpected argument '%s'", argv[1]);
    for (const zf_action *const *a = zf_actions(); *a; a++)
        printf("%-30s %-25s  %s\n", (*a)->name, cli_name_of((*a)->name), (*a)->summary);
    return 0;
}

static int run_schema(cli_ctx *ctx, int argc, char **argv)
{
    if (argc != 2)
        return cli_usage_error(ctx->cmd, "name one action (see zoomflow actions)");
    const zf_action *a = zf_action_find(argv[1]);
    for (const zf_action *const *p = zf_actions(); !a && *p; p++)
        if (!strcmp(cli_name_of((*p)->name), argv[1]))
            a = *p;
    if (!a)
        return cli_usage_error(ctx->cmd, "no action named '%s' (see zoomflow actions)", argv[1]);
    json_t *s = NULL;
    if (zf_action_schema_json(&s, a) != 0) {
        fputs("zoomflow: out of memory\n", stderr);
        return 1;
    }
    json_dumpf(s, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(s);
    return 0;
}

const zf_cmd zf_cmd_actions = {
    "actions", "list the actions: registry name, CLI command, summary", "", "", run_actions,
    NULL, 0};
const zf_cmd zf_cmd_actions_schema = {
    "actions schema", "print an action's input as JSON Schema (draft 2020-12)",
    "NAME", "NAME is the action (create_meeting) or its command (\"meetings create\").\n",
    run_schema, NULL, 0};

