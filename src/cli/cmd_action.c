/*
 * The action commands (`zoomflow meetings create`, `users list`, ...): the
 * command table (commands.c) makes one row per registry action, named by
 * its descriptor's words, that runs cli_action_run; flags, --help and checks
 * all come from the descriptor, so no action has hand-written flag parsing
 * or a row of its own here.
 *
 * Flags: --<field-name> VALUE (or =VALUE) for every top-level field, parsed
 * by the option specs (opt.h) made from the descriptor and typed by the
 * library's one rule (zf_action_flag_value; booleans may stand alone:
 * --all); dotted flags reach into objects (--settings.approval_type 0);
 * --input FILE|- gives the whole input as JSON, and flags given beside it
 * override its members. Also: --format, --columns (a list's table/csv
 * columns, from the descriptor's output keys), --dry-run (prints the
 * request, sends nothing, needs no token).
 *
 * A list prints as one shape in json with or without --all: the page's
 * object, {"<items>": [...], "total_records": N} plus next_page_token when
 * there is a next page (--all follows them all, so it has none).
 */
#include "cli.h"
#include "commands.h"
#include "input.h"
#include "suggest.h"
#include "lib.h"

#include <stdlib.h>
#include <string.h>

#include "zoomflow/action_run.h"
#include "zoomflow/actions.h"
#include "zoomflow/json.h"

#define INPUT_MAX (4u << 20)
#define FLAG_MAX 128
#define COLUMNS_MAX 64 /* cli_out's limit */

typedef struct action_args {
    const zf_action *a;
    const char *input;
    const char *format; /* as given; parsed after the flags */
    cli_format fmt;
    int dry_run;
    const char *columns; /* as given: "a,b,c" */
    char *col_text;      /* columns' copy, cut at the commas */
    const char *cols[COLUMNS_MAX + 1];
    cli_field_sink fields; /* field values from flags, applied over --input */
} action_args;

const cli_opt cli_action_opts[] = {
    {.kind = CLI_OPT_VALUE,
     .name = "input",
     .value_name = "FILE|-",
     .at = CLI_AT(action_args, input),
     .help = "the input as a JSON object (flags override its members)"},
    {.kind = CLI_OPT_VALUE,
     .name = "format",
     .value_name = "FMT",
     .at = CLI_AT(action_args, format),
     .choices = cli_format_names,
     .help = "json, ndjson, table or csv (default: table on a\nterminal, json otherwise)"},
    {.kind = CLI_OPT_VALUE,
     .name = "columns",
     .value_name = "NAMES",
     .at = CLI_AT(action_args, columns),
     .help = "lists: the table and csv columns, in order, e.g.\n--columns id,email "
             "(default: the table columns, or\nevery output key in csv; json and ndjson "
             "keep\nevery key)"},
    {.kind = CLI_OPT_SWITCH,
     .name = "dry-run",
     .at = CLI_AT(action_args, dry_run),
     .help = "print the request that would be sent; send nothing"},
    {0}};

const char cli_action_help[] =
    "An object field also takes its members one by one: --FIELD.KEY VALUE, e.g.\n"
    "--settings.approval_type 0. Booleans are true/false, yes/no or 1/0; a boolean\n"
    "flag alone means true (--all). Values that are not of the field's type are\n"
    "reported with every other problem before anything is sent.\n"
    "\n"
    "Creates print \"created\": true, or \"created\": false with \"found\": true when\n"
    "an interrupted earlier attempt had already created the object (zoomflow looks\n"
    "before it retries, so nothing is created twice), or with \"existing\": true\n"
    "when it was there before this call (a registrant already registered).\n"
    "\n"
    "Lists print in json as one object with or without --all: {\"<items>\": [...],\n"
    "\"total_records\": N}, and \"next_page_token\" when another page follows.\n";

/* The command's specs: the common options, then one per top-level field
 * (named as the field; '-' in the flag matches its '_'), so the fields'
 * flags cannot differ from the descriptor. The help of the fields is the
 * descriptor's own (zf_action_help), printed from the same rows. Then the
 * shorthands: each member of a required object field whose name no
 * top-level field or common option takes is a flag of its own (users
 * create --email for --user-info.email, as registrants add takes
 * --email), id CLI_ACTION_MEMBER + field * CLI_ACTION_MEMBERS_MAX + member. */
static int shorthand_of(const zf_action *a, const cli_opt *common, const zf_field *f,
                        const zf_field *m)
{
    if (!(f->types & ZF_T_OBJECT) || !(f->flags & ZF_F_REQUIRED) ||
        m - f->fields >= CLI_ACTION_MEMBERS_MAX)
        return 0;
    for (const zf_field *t = a->input; t->name; t++)
        if (!strcmp(t->name, m->name))
            return 0;
    return cli_opt_find(common, m->name, strlen(m->name), 0) == NULL;
}

int cli_action_specs(cli_opt **out, const zf_action *a)
{
    return cli_action_specs_with(out, a, cli_action_opts);
}

int cli_action_specs_with(cli_opt **out, const zf_action *a, const cli_opt *common)
{
    size_t nc = 0, nf = 0, nm = 0;
    while (common[nc].kind != CLI_OPT_END)
        nc++;
    for (const zf_field *f = a->input; f->name; f++, nf++)
        for (const zf_field *m = f->fields; m && m->name; m++)
            nm += (size_t)shorthand_of(a, common, f, m);
    cli_opt *s = calloc(nc + nf + nm + 1, sizeof *s);
    if (!s)
        return ZF_ENOMEM;
    memcpy(s, common, nc * sizeof *s);
    size_t k = nc + nf;
    for (size_t i = 0; i < nf; i++) {
        const zf_field *f = &a->input[i];
        s[nc + i] = (cli_opt){.kind = f->types == ZF_T_BOOLEAN ? CLI_OPT_BOOL : CLI_OPT_VALUE,
                              .name = f->name,
                              .value_name = "VALUE",
                              .id = (int)i,
                              .flags = f->types & (ZF_T_OBJECT | ZF_T_ANY) ? CLI_OPT_DOTTED : 0};
        for (const zf_field *m = f->fields; m && m->name; m++)
            if (shorthand_of(a, common, f, m))
                s[k++] = (cli_opt){.kind = m->types == ZF_T_BOOLEAN ? CLI_OPT_BOOL : CLI_OPT_VALUE,
                                   .name = m->name,
                                   .value_name = "VALUE",
                                   .help = m->summary,
                                   .id = CLI_ACTION_MEMBER + (int)i * CLI_ACTION_MEMBERS_MAX +
                                         (int)(m - f->fields)};
    }
    *out = s;
    return 0;
}

/* Defaults the CLI gives a required field left out, shown in --help: an
 * `action` of users create is nearly always "create" (Zoom emails an
 * activation link). Not the descriptor's default_json, which is Zoom's
 * own default and checked against Zoom's schema. */
const cli_action_default cli_action_defaults[] = {
    {"create_user", "action", "create"},
    {NULL, NULL, NULL},
};

/* Walks "approval_type" (or "a.b") below top through the descriptor; NULL
 * when a key is not described (the value is then typed without it). */
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

const zf_field *cli_action_field_at(const zf_action *a, const char *dotted)
{
    size_t n = strcspn(dotted, ".");
    for (const zf_field *f = a->input; f->name; f++)
        if (strlen(f->name) == n && strncmp(f->name, dotted, n) == 0)
            return dotted[n] ? nested_field(f, dotted + n + 1) : f;
    return NULL;
}

void cli_action_apply_defaults(json_t *in, const zf_action *a)
{
    for (const cli_action_default *d = cli_action_defaults; d->action; d++)
        if (!strcmp(d->action, a->name) && !json_object_get(in, d->field))
            json_object_set_new(in, d->field, json_string(d->value));
}

int cli_action_bool_key(const zf_action *a, const cli_opt *o, const char *key)
{
    if (o->id < 0 || o->id >= CLI_ACTION_MEMBER)
        return 0;
    char rest[FLAG_MAX * 4];
    snprintf(rest, sizeof rest, "%s", key);
    for (char *p = rest; *p; p++)
        if (*p == '-')
            *p = '_';
    const zf_field *f = nested_field(&a->input[o->id], rest);
    return f && f->types == ZF_T_BOOLEAN;
}

/* --settings.mute_upon_entry: a boolean member (alone = true). */
static int bool_member(void *args, const cli_opt *o, const char *key)
{
    const action_args *x = args;
    return cli_action_bool_key(x->a, o, key);
}

/* One field flag: typed by the library's one rule (zf_action_flag_value);
 * text that is not of the field's type is set as it is, for validation to
 * report with every other problem. */
int cli_action_on_field(void *ctx, const cli_opt *o, const char *key, const char *value,
                        zf_error *err)
{
    cli_field_sink *x = ctx;
    if (o->id >= CLI_ACTION_MEMBER) { /* a shorthand: --email is user_info.email */
        int i = (o->id - CLI_ACTION_MEMBER) / CLI_ACTION_MEMBERS_MAX;
        const zf_field *obj = &x->a->input[i];
        const zf_field *m = &obj->fields[(o->id - CLI_ACTION_MEMBER) % CLI_ACTION_MEMBERS_MAX];
        char mpath[FLAG_MAX * 2], mwhat[FLAG_MAX + 3];
        snprintf(mpath, sizeof mpath, "%s.%s", obj->name, m->name);
        snprintf(mwhat, sizeof mwhat, "--%s", o->name);
        json_t *v = NULL;
        int rc = zf_action_flag_value(&v, m, mwhat, value, err);
        return rc < 0 ? rc : cli_json_set_path(x->flags, mpath, v, err);
    }
    const zf_field *top = &x->a->input[o->id];
    char path[FLAG_MAX * 4], what[FLAG_MAX * 4 + 3];
    /* field.key.key, '-' read as '_' after the field name too */
    snprintf(path, sizeof path, "%s%s%s", top->name, key ? "." : "", key ? key : "");
    for (char *p = path + strlen(top->name); *p; p++)
        if (*p == '-')
            *p = '_';
    snprintf(what, sizeof what, "--%s", path);
    for (char *p = what + 2; *p && *p != '.'; p++)
        if (*p == '_')
            *p = '-';
    json_t *v = NULL;
    const zf_field *f = key ? nested_field(top, path + strlen(top->name) + 1) : top;
    int rc = zf_action_flag_value(&v, f, what, value, err);
    if (rc < 0)
        return rc;
    if (!key) {
        /* an object flag merges into members set before it (--settings.x
         * then --settings '{..}'), member by member, the later flag winning:
         * the same in either order, as --input and flags merge */
        json_t *cur = json_object_get(x->flags, top->name);
        if (json_is_object(cur) && json_is_object(v)) {
            int rc2 = json_object_update_recursive(cur, v);
            json_decref(v);
            return rc2 == 0 ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
        }
        return json_object_set_new(x->flags, top->name, v) == 0
                   ? 0
                   : zf_error_set(err, ZF_ENOMEM, "out of memory");
    }
    return cli_json_set_path(x->flags, path, v, err);
}

/* Is name one of the action's output keys? (No keys: Zoom's answer as is,
 * so any name.) */
static int output_key(const zf_action *a, const char *name)
{
    for (const char *const *k = a->output_keys; k && *k; k++)
        if (strcmp(*k, name) == 0)
            return 1;
    return !a->output_keys;
}

/* --columns "a,b,c" -> x->cols; a usage error naming the valid columns. */
static int parse_columns(action_args *x, zf_error *err)
{
    const zf_action *a = x->a;
    if (!a->items_key) {
        zf_error_set(err, ZF_EVALIDATION, "--columns applies to lists; %s prints one %s", a->name,
                     a->item_type ? a->item_type : "object");
        zf_error_hint(err, "leave out --columns, or use --format json to see every key");
        return ZF_EVALIDATION;
    }
    if (!(x->col_text = strdup(x->columns)))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    size_t n = 0;
    for (char *p = x->col_text, *end; p; p = end) {
        end = strchr(p, ',');
        if (end)
            *end++ = '\0';
        if (!*p || !output_key(a, p) || n == COLUMNS_MAX) {
            zf_buf keys = ZF_BUF_INIT(4096);
            for (const char *const *k = a->output_keys; k && *k; k++)
                zf_buf_appendf(&keys, "%s%s", k == a->output_keys ? "" : ",", *k);
            if (n == COLUMNS_MAX)
                zf_error_set(err, ZF_EVALIDATION, "--columns names more than %d columns",
                             COLUMNS_MAX);
            else if (!*p)
                zf_error_set(err, ZF_EVALIDATION, "--columns %s has an empty column name",
                             x->columns);
            else
                zf_error_set(err, ZF_EVALIDATION, "--columns: %s has no column '%s'", a->name, p);
            zf_error_hint(err, "the columns are %s", zf_buf_cstr(&keys));
            zf_buf_free(&keys);
            return ZF_EVALIDATION;
        }
        x->cols[n++] = p;
    }
    x->cols[n] = NULL;
    return 0;
}

/* The table/csv columns of a list: --columns, else the descriptor's
 * (table: its table columns; csv: every output key); NULL otherwise. */
static const char *const *list_columns(const cli_ctx *ctx, const action_args *x, cli_format fmt)
{
    const zf_action *a = x->a;
    cli_format eff = fmt == CLI_FMT_AUTO ? (ctx->out_tty ? CLI_FMT_TABLE : CLI_FMT_JSON) : fmt;
    if (!a->items_key || (eff != CLI_FMT_TABLE && eff != CLI_FMT_CSV))
        return NULL;
    if (x->columns)
        return x->cols;
    return eff == CLI_FMT_TABLE && a->columns ? a->columns : a->output_keys;
}

/* 0, or the exit status of a usage error (printed). */
static int parse(const cli_ctx *ctx, action_args *x, int argc, char **argv)
{
    cli_opt *specs = NULL;
    zf_error err = ZF_ERROR_INIT;
    cli_opt_parser p = CLI_OPT_PARSER_INIT;
    if (cli_action_specs(&specs, x->a) != 0) {
        fputs("zoomflow: out of memory\n", stderr);
        return 1;
    }
    p.specs = specs;
    p.args = x;
    p.on_value = cli_action_on_field;
    p.bool_key = bool_member;
    p.ctx = &x->fields;
    p.flags = CLI_OPT_FOLD_UNDERSCORE;
    int status = cli_parse(ctx->cmd, &p, argc, argv);
    free(specs);
    if (status == 0 && x->format && cli_format_parse(x->format, &x->fmt, &err) != 0)
        status = cli_usage_fail(ctx->cmd, &err);
    if (status == 0 && x->columns && parse_columns(x, &err) != 0)
        status = cli_usage_fail(ctx->cmd, &err);
    return status;
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
            rc = err->code = ZF_EVALIDATION; /* the user's input, not Zoom's */
        zf_buf_free(&b);
        if (rc && !err->hint[0])
            zf_error_hint(err, "--input takes a file holding a JSON object, or - for stdin");
        if (rc)
            return rc;
    } else {
        in = json_object();
    }
    if (!in)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    cli_json_merge(in, x->fields.flags);
    cli_action_apply_defaults(in, x->a);
    /* the flags' boolean words inside JSON too: --input, --settings '{..}' */
    zf_action_input_words(in, x->a);
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
static int print_output(const cli_ctx *ctx, const action_args *x, cli_format fmt, json_t *o)
{
    const zf_action *a = x->a;
    cli_out *out;
    int rc = cli_out_new(&out, stdout, fmt, ctx->out_tty, list_columns(ctx, x, fmt));
    if (rc)
        return rc;
    cli_format eff = fmt == CLI_FMT_AUTO ? (ctx->out_tty ? CLI_FMT_TABLE : CLI_FMT_JSON) : fmt;
    json_t *items = a->items_key ? json_object_get(o, a->items_key) : NULL;
    if (items && eff != CLI_FMT_JSON) {
        size_t i;
        json_t *it;
        json_array_foreach (items, i, it)
            if ((rc = cli_out_item(out, it)) != 0)
                break;
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
        status = rc == ZF_EVALIDATION ? cli_report_problems_with(ctx->cmd->name, &probs,
                                                                 cli_note_nearest_value, (void *)a)
                                      : 1;
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
    if (zf_action_follows_pages(a, in)) { /* --all, --limit, a month-split range */
        if (cli_out_new(&out, stdout, x->fmt, ctx->out_tty, list_columns(ctx, x, x->fmt)) != 0 ||
            cli_out_list(out, a->items_key) != 0) {
            status = 1;
            goto done;
        }
        o.on_item = emit_item;
        if (cli_out_raw_ok(out) && !tree_forced())
            o.on_item_raw = emit_raw;
        o.item_ctx = out;
    }
    rc = zf_action_run(&res, a, in, &o, &probs, &err);
    if (out && rc == 0) {
        /* the page's shape: total_records after the items, no next page */
        json_t *tail =
            json_pack("{s:O}", "total_records", json_object_get(res.output, "total_records"));
        if (!tail || cli_out_close(out, tail) != 0)
            rc = zf_error_set(&err, tail ? ZF_EIO : ZF_ENOMEM, "cannot write the output");
        json_decref(tail);
    }
    if (rc)
        cli_out_failed(out);
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
        fprintf(stderr,
                "note: an earlier, interrupted attempt had already created this %s; "
                "it was found, not created again\n",
                a->item_type);
    if (json_is_true(json_object_get(res.output, "existing")))
        fprintf(stderr,
                "note: this %s was already there before this call; Zoom answered "
                "with it, nothing new was created\n",
                a->item_type);
    if (!o.on_item && print_output(ctx, x, x->fmt, res.output) != 0)
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
    action_args x = {.a = a, .fmt = CLI_FMT_AUTO, .fields = {a, json_object()}};
    zf_error err = ZF_ERROR_INIT;
    json_t *in = NULL;
    int status;
    if (!a || !x.fields.flags) {
        if (!a)
            fprintf(stderr, "zoomflow: action %s is not in the registry\n", ctx->cmd->action);
        else
            fputs("zoomflow: out of memory\n", stderr);
        status = 1;
    } else if ((status = parse(ctx, &x, argc, argv)) != 0) {
        /* printed */
    } else if (assemble(&in, &x, &err) != 0) {
        status = cli_fail(ctx, &err);
    } else if (x.dry_run) {
        zf_problems probs = ZF_PROBLEMS_INIT;
        int rc = zf_action_validate(&probs, a, in);
        status = rc == ZF_EVALIDATION ? cli_report_problems_with(ctx->cmd->name, &probs,
                                                                 cli_note_nearest_value, (void *)a)
                 : rc                 ? 1
                                      : dry_run(ctx, a, in);
        zf_problems_free(&probs);
    } else {
        status = execute(ctx, a, &x, in);
    }
    json_decref(in);
    json_decref(x.fields.flags);
    free(x.col_text);
    return status;
}

/* ---- zoomflow actions [schema NAME] -------------------------------------- */

/* "meetings create" for create_meeting, "-" when no command runs it. */
static const char *cli_name_of(const char *action)
{
    const zf_cmd *c = cli_command_for_action(action);
    return c ? c->name : "-";
}

const zf_action *cli_action_named(const char *name)
{
    const zf_action *a = zf_action_find(name);
    for (const zf_action *const *p = zf_actions(); !a && *p; p++)
        if (!strcmp(cli_name_of((*p)->name), name))
            a = *p;
    return a;
}

const char *cli_action_nearest(const char *name)
{
    zf_suggest near;
    zf_suggest_init(&near, name);
    for (const zf_action *const *p = zf_actions(); *p; p++) {
        zf_suggest_offer(&near, (*p)->name);
        zf_suggest_offer(&near, cli_name_of((*p)->name));
    }
    return near.best;
}

static int run_actions(cli_ctx *ctx, int argc, char **argv)
{
    int status = cli_parse_args(ctx->cmd, NULL, NULL, NULL, argc, argv);
    if (status)
        return status;
    for (const zf_action *const *a = zf_actions(); *a; a++)
        printf("%-30s %-25s  %s\n", (*a)->name, cli_name_of((*a)->name), (*a)->summary);
    return 0;
}

typedef struct schema_args {
    const char *name;
} schema_args;

static const cli_opt schema_opts[] = {
    {.kind = CLI_OPT_POSITIONAL,
     .name = "NAME",
     .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(schema_args, name),
     .help = "the action (create_meeting) or its command (\"users create\"), as\n"
             "`zoomflow actions` lists them"},
    {0}};

static int run_schema(cli_ctx *ctx, int argc, char **argv)
{
    schema_args x = {NULL};
    int status = cli_parse_args(ctx->cmd, &x, NULL, NULL, argc, argv);
    if (status)
        return status;
    const zf_action *a = cli_action_named(x.name);
    if (!a) {
        const char *near = cli_action_nearest(x.name);
        if (near)
            return cli_usage_error(ctx->cmd, "unknown action '%s'; did you mean %s?", x.name, near);
        return cli_usage_error(ctx->cmd, "unknown action '%s' (`zoomflow actions` lists them)",
                               x.name);
    }
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
    .name = "actions",
    .summary = "list the actions: registry name, CLI command, summary",
    .run = run_actions,
};
const zf_cmd zf_cmd_actions_schema = {
    .name = "actions schema",
    .summary = "print an action's input as JSON Schema (draft 2020-12)",
    .opts = schema_opts,
    .run = run_schema,
};
