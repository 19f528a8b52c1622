/*
 * The CLI's option specs (src/cli/opt.c): every form of the grammar in
 * opt.h, every failure (its code, message, hint and fault fields), the
 * second table, and the help and usage made from the same table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "opt.h"

#define MAX_SEEN 16

typedef struct args {
    const char *method, *path, *input, *dir, *all;
    int verbose, json, dry;
    cli_opt_rest rest;
} args;

/* What on_value saw, in order: "id:key=value". */
typedef struct seen {
    char items[MAX_SEEN][128];
    int n;
    int refuse_id; /* on_value refuses this id */
} seen;

enum { ID_FIELD = 1, ID_QUERY, ID_SETTINGS, ID_NAME };

static int on_value(void *ctx, const cli_opt *o, const char *key, const char *value, zf_error *err)
{
    seen *s = ctx;
    if (o->id && o->id == s->refuse_id)
        return zf_error_set(err, ZF_EVALIDATION, "%s refused", o->name);
    if (s->n < MAX_SEEN)
        snprintf(s->items[s->n++], sizeof s->items[0], "%d:%s=%s", o->id, key ? key : "",
                 value ? value : "(null)");
    return 0;
}

static const cli_opt specs[] = {
    {.kind = CLI_OPT_POSITIONAL,
     .name = "METHOD",
     .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(args, method),
     .help = "the method"},
    {.kind = CLI_OPT_POSITIONAL,
     .name = "PATH",
     .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(args, path),
     .help = "the path"},
    {.kind = CLI_OPT_LIST,
     .name = "field",
     .alias = 'f',
     .value_name = "KEY=VALUE",
     .id = ID_FIELD,
     .help = "a field\nsecond line"},
    {.kind = CLI_OPT_LIST,
     .name = "query",
     .alias = 'q',
     .value_name = "KEY=VALUE",
     .id = ID_QUERY,
     .help = "a query"},
    {.kind = CLI_OPT_VALUE,
     .name = "input",
     .value_name = "FILE",
     .at = CLI_AT(args, input),
     .help = "the input"},
    {.kind = CLI_OPT_SWITCH,
     .name = "verbose",
     .alias = 'v',
     .at = CLI_AT(args, verbose),
     .help = "louder"},
    {.kind = CLI_OPT_SWITCH,
     .name = "json",
     .alias = 'j',
     .at = CLI_AT(args, json),
     .help = "JSON"},
    {.kind = CLI_OPT_BOOL, .name = "all", .at = CLI_AT(args, all), .help = "every page"},
    {.kind = CLI_OPT_VALUE,
     .name = "settings",
     .value_name = "JSON",
     .id = ID_SETTINGS,
     .flags = CLI_OPT_DOTTED,
     .help = "an object"},
    {.kind = CLI_OPT_SWITCH,
     .name = "secret",
     .at = CLI_AT(args, dry),
     .flags = CLI_OPT_HIDDEN,
     .help = "not shown"},
    {0}};

typedef struct run {
    char *argv[32]; /* kept here: a REST row points into it */
    args a;
    seen s;
    zf_error err;
    cli_opt_parser p;
    int rc;
} run;

/* Parses the NULL-terminated words after a command name "cmd". */
static void parse_with(run *r, const cli_opt *table, const char *command, unsigned flags,
                       const char *const *words)
{
    int argc = 0;
    memset(r, 0, sizeof *r);
    char **argv = r->argv;
    argv[argc++] = "cmd";
    for (; *words && argc < 31; words++)
        argv[argc++] = (char *)*words;
    argv[argc] = NULL;
    zf_error_reset(&r->err);
    cli_opt_parser init = CLI_OPT_PARSER_INIT;
    r->p = init;
    r->p.specs = table;
    r->p.args = &r->a;
    r->p.command = command;
    r->p.on_value = on_value;
    r->p.ctx = &r->s;
    r->p.flags = flags;
    r->rc = cli_opt_parse(&r->p, argc, argv, &r->err);
}

#define PARSE(r, ...) parse_with(r, specs, "api", 0, (const char *const[]){__VA_ARGS__, NULL})

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static void test_long_forms(void **state)
{
    run r;
    PARSE(&r, "GET", "/users", "--input=in.json", "--field", "a=1", "--field=b=2");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.a.method, "GET");
    assert_string_equal(r.a.path, "/users");
    assert_string_equal(r.a.input, "in.json");
    assert_int_equal(r.s.n, 2);
    assert_string_equal(r.s.items[0], "1:=a=1");
    assert_string_equal(r.s.items[1], "1:=b=2"); /* the first '=' ends the name */
    /* the last value wins; an empty value after '=' is a value */
    PARSE(&r, "GET", "/u", "--input", "x", "--input=");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.a.input, "");
}

static void test_short_forms(void **state)
{
    run r;
    PARSE(&r, "-f", "a=1", "-fb=2", "GET", "/u", "-vv", "-vjq", "k=v", "-jfc=3");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.a.verbose, 3);
    assert_int_equal(r.a.json, 2);
    assert_int_equal(r.s.n, 4);
    assert_string_equal(r.s.items[0], "1:=a=1");
    assert_string_equal(r.s.items[1], "1:=b=2");
    assert_string_equal(r.s.items[2], "2:=k=v");
    assert_string_equal(r.s.items[3], "1:=c=3");
}

static void test_any_order_and_list_order(void **state)
{
    run r;
    /* options before, between and after the positionals; LIST in order */
    PARSE(&r, "-q", "a=1", "POST", "--field", "x=1", "/users", "-q", "b=2", "--json");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.a.method, "POST");
    assert_string_equal(r.a.path, "/users");
    assert_int_equal(r.a.json, 1);
    assert_int_equal(r.s.n, 3);
    assert_string_equal(r.s.items[0], "2:=a=1");
    assert_string_equal(r.s.items[1], "1:=x=1");
    assert_string_equal(r.s.items[2], "2:=b=2");
}

static void test_double_dash_and_lone_dash(void **state)
{
    run r;
    PARSE(&r, "--json", "--", "--input", "-v");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.a.json, 1);
    assert_null(r.a.input);
    assert_string_equal(r.a.method, "--input");
    assert_string_equal(r.a.path, "-v");
    assert_int_equal(r.a.verbose, 0);
    PARSE(&r, "GET", "-", "--input", "-");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.a.path, "-");
    assert_string_equal(r.a.input, "-");
}

static void test_bool_forms(void **state)
{
    run r;
    static const char *const words[] = {"true", "false", "yes", "no", "1", "0"};
    PARSE(&r, "GET", "/u", "--all");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.a.all, "true");
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        PARSE(&r, "GET", "--all", words[i], "/u");
        assert_int_equal(r.rc, 0);
        assert_string_equal(r.a.all, words[i]);
        assert_string_equal(r.a.path, "/u");
    }
    /* not a boolean word: --all stands alone and the word is a positional */
    PARSE(&r, "GET", "--all", "/u");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.a.all, "true");
    assert_string_equal(r.a.path, "/u");
    /* with '=' any text is the value (validation judges it) */
    PARSE(&r, "GET", "/u", "--all=maybe");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.a.all, "maybe");
}

static void test_dotted(void **state)
{
    run r;
    PARSE(&r, "GET", "/u", "--settings.approval_type", "0", "--settings.a.b=x", "--settings", "{}");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.s.n, 3);
    assert_string_equal(r.s.items[0], "3:approval_type=0");
    assert_string_equal(r.s.items[1], "3:a.b=x");
    assert_string_equal(r.s.items[2], "3:={}");
    /* only DOTTED options take members; a dotted member needs a value */
    PARSE(&r, "GET", "/u", "--input.x", "1");
    assert_int_equal(r.rc, ZF_EVALIDATION);
    assert_int_equal(r.p.fault, CLI_OPT_UNKNOWN);
    PARSE(&r, "GET", "/u", "--settings.x");
    assert_int_equal(r.rc, ZF_EVALIDATION);
    assert_int_equal(r.p.fault, CLI_OPT_NO_VALUE);
    PARSE(&r, "GET", "/u", "--settings.");
    assert_int_equal(r.p.fault, CLI_OPT_UNKNOWN);
    char longkey[400];
    memset(longkey, 'k', sizeof longkey - 1);
    memcpy(longkey, "--settings.", 11);
    longkey[sizeof longkey - 1] = '\0';
    PARSE(&r, "GET", "/u", longkey, "1");
    assert_int_equal(r.rc, ZF_EVALIDATION);
    assert_int_equal(r.p.fault, CLI_OPT_UNKNOWN);
    assert_non_null(strstr(r.err.message, "is too long"));
}

static void test_unknown_flags(void **state)
{
    run r;
    PARSE(&r, "GET", "/u", "--bogus=1");
    assert_int_equal(r.rc, ZF_EVALIDATION);
    assert_int_equal(r.err.code, ZF_EVALIDATION);
    assert_string_equal(r.err.message, "unknown flag --bogus for zoomflow api");
    assert_string_equal(r.err.hint, "see `zoomflow api --help`");
    assert_int_equal(r.p.fault, CLI_OPT_UNKNOWN);
    assert_string_equal(r.p.arg, "--bogus=1");
    assert_null(r.p.spec);
    /* no abbreviations: --inp is not --input */
    PARSE(&r, "GET", "/u", "--inp", "x");
    assert_int_equal(r.p.fault, CLI_OPT_UNKNOWN);
    PARSE(&r, "-x");
    assert_string_equal(r.err.message, "unknown flag -x for zoomflow api");
    PARSE(&r, "-vjx");
    assert_string_equal(r.err.message, "unknown flag -x (in -vjx) for zoomflow api");
    assert_string_equal(r.p.arg, "-vjx");
    /* the global options (no command) say so */
    parse_with(&r, specs, NULL, 0, (const char *const[]){"--bogus", NULL});
    assert_string_equal(r.err.message, "unknown global flag --bogus");
    assert_string_equal(r.err.hint, "see `zoomflow --help` for the global flags");
}

static void test_missing_value(void **state)
{
    run r;
    PARSE(&r, "GET", "/u", "--input");
    assert_int_equal(r.rc, ZF_EVALIDATION);
    assert_int_equal(r.p.fault, CLI_OPT_NO_VALUE);
    assert_string_equal(r.p.spec->name, "input");
    assert_string_equal(r.err.message, "--input needs a value: --input FILE");
    assert_string_equal(r.err.hint, "see `zoomflow api --help`");
    /* a separate value may not look like a flag */
    PARSE(&r, "GET", "/u", "--input", "--json");
    assert_int_equal(r.p.fault, CLI_OPT_NO_VALUE);
    assert_contains(r.err.message, "(--json is a flag; a value that starts with -- is "
                                   "written --name=VALUE)");
    assert_int_equal(r.a.json, 0);
    PARSE(&r, "GET", "/u", "--input=--json");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.a.input, "--json");
    PARSE(&r, "GET", "/u", "-f");
    assert_string_equal(r.err.message, "-f needs a value: -f KEY=VALUE");
    PARSE(&r, "GET", "/u", "-vf");
    assert_int_equal(r.p.fault, CLI_OPT_NO_VALUE);
    assert_string_equal(r.p.arg, "-vf");
    /* a single-dash value is a value */
    PARSE(&r, "GET", "/u", "--input", "-5");
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.a.input, "-5");
}

static void test_value_for_a_switch(void **state)
{
    run r;
    PARSE(&r, "GET", "/u", "--json=yes");
    assert_int_equal(r.rc, ZF_EVALIDATION);
    assert_int_equal(r.p.fault, CLI_OPT_UNWANTED);
    assert_string_equal(r.p.spec->name, "json");
    assert_string_equal(r.err.message, "--json takes no value (got --json=yes)");
}

static void test_extra_and_missing_positionals(void **state)
{
    run r;
    PARSE(&r, "GET", "/u", "extra");
    assert_int_equal(r.rc, ZF_EVALIDATION);
    assert_int_equal(r.p.fault, CLI_OPT_EXTRA);
    assert_string_equal(r.p.arg, "extra");
    assert_string_equal(r.err.message, "unexpected argument 'extra'");
    assert_string_equal(r.err.hint, "see `zoomflow api --help`");
    parse_with(&r, specs, NULL, 0, (const char *const[]){NULL});
    assert_string_equal(r.err.message, "METHOD and PATH are required");
    assert_int_equal(r.p.fault, CLI_OPT_MISSING);
    assert_string_equal(r.p.spec->name, "METHOD");
    assert_null(r.p.arg);
    PARSE(&r, "GET");
    assert_string_equal(r.err.message, "METHOD and PATH are required (PATH is missing)");
    assert_string_equal(r.p.spec->name, "PATH");
    /* a command without positionals says it takes none */
    static const cli_opt none[] = {
        {.kind = CLI_OPT_SWITCH, .name = "json", .at = CLI_AT(args, json), .help = "JSON"}, {0}};
    parse_with(&r, none, "status", 0, (const char *const[]){"--json", "x", NULL});
    assert_int_equal(r.p.fault, CLI_OPT_EXTRA);
    assert_string_equal(r.err.message,
                        "unexpected argument 'x': zoomflow status takes no arguments");
}

static const cli_opt required_opt[] = {
    {.kind = CLI_OPT_POSITIONAL,
     .name = "MEETING",
     .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(args, method),
     .help = "a meeting"},
    {.kind = CLI_OPT_VALUE,
     .name = "dir",
     .value_name = "DIR",
     .flags = CLI_OPT_REQUIRED,
     .at = CLI_AT(args, dir),
     .help = "where"},
    {.kind = CLI_OPT_SWITCH, .name = "no-progress", .at = CLI_AT(args, verbose), .help = "quiet"},
    {0}};

static void test_required_option(void **state)
{
    run r;
    const char *const given[] = {"--dir", "out", "123", NULL};
    parse_with(&r, required_opt, "recordings download", 0, given);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.a.dir, "out");
    assert_string_equal(r.a.method, "123");
    parse_with(&r, required_opt, "recordings download", 0, (const char *const[]){"123", NULL});
    assert_int_equal(r.rc, ZF_EVALIDATION);
    assert_int_equal(r.p.fault, CLI_OPT_MISSING);
    assert_string_equal(r.err.message, "--dir DIR is required");
    /* an empty value is not given */
    parse_with(&r, required_opt, "recordings download", 0,
               (const char *const[]){"123", "--dir=", NULL});
    assert_string_equal(r.err.message, "--dir DIR is required");
    /* the positional is reported first */
    parse_with(&r, required_opt, "recordings download", 0, (const char *const[]){NULL});
    assert_string_equal(r.err.message, "MEETING is required");
}

static const cli_opt globals[] = {
    {.kind = CLI_OPT_VALUE,
     .name = "profile",
     .value_name = "NAME",
     .at = CLI_AT(args, input),
     .help = "the profile"},
    {.kind = CLI_OPT_SWITCH,
     .name = "verbose",
     .alias = 'v',
     .at = CLI_AT(args, verbose),
     .help = "louder"},
    {.kind = CLI_OPT_REST, .name = "COMMAND", .at = CLI_AT(args, rest)},
    {0}};

static void test_rest_stops_at_the_command(void **state)
{
    run r;
    parse_with(&r, globals, NULL, 0,
               (const char *const[]){"-v", "--profile", "w", "users", "list", "--all", NULL});
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.a.verbose, 1);
    assert_string_equal(r.a.input, "w");
    assert_int_equal(r.a.rest.argc, 3);
    assert_string_equal(r.a.rest.argv[0], "users");
    assert_string_equal(r.a.rest.argv[2], "--all");
    parse_with(&r, globals, NULL, 0, (const char *const[]){"-v", NULL});
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.a.rest.argc, 0);
    parse_with(&r, globals, NULL, 0, (const char *const[]){"--", "-v", NULL});
    assert_int_equal(r.a.verbose, 0);
    assert_int_equal(r.a.rest.argc, 1);
    assert_string_equal(r.a.rest.argv[0], "-v");
}

static void test_second_table(void **state)
{
    /* global options after a command: the command's table first, then also */
    args g;
    memset(&g, 0, sizeof g);
    run r;
    memset(&r, 0, sizeof r);
    cli_opt_parser init = CLI_OPT_PARSER_INIT;
    r.p = init;
    r.p.specs = specs;
    r.p.args = &r.a;
    r.p.also = globals;
    r.p.also_args = &g;
    r.p.command = "api";
    r.p.on_value = on_value;
    r.p.ctx = &r.s;
    char *argv[] = {"api", "GET", "--profile", "work", "/u", "-v", "--json", NULL};
    r.rc = cli_opt_parse(&r.p, 7, argv, &r.err);
    assert_int_equal(r.rc, 0);
    assert_string_equal(g.input, "work");
    assert_int_equal(r.a.verbose, 1); /* -v is the command's own first */
    assert_int_equal(g.verbose, 0);
    assert_int_equal(r.a.json, 1);
    assert_string_equal(r.a.path, "/u");
}

static void test_on_value_refusal_and_fold(void **state)
{
    run r;
    memset(&r, 0, sizeof r);
    PARSE(&r, "GET", "/u", "-f", "a=1");
    assert_int_equal(r.rc, 0);
    /* a refusal stops the parse with on_value's code and message */
    static const char *const words[] = {"GET", "/u", "--query", "k=v", NULL};
    run r2;
    memset(&r2, 0, sizeof r2);
    cli_opt_parser init = CLI_OPT_PARSER_INIT;
    r2.p = init;
    r2.p.specs = specs;
    r2.p.args = &r2.a;
    r2.p.command = "api";
    r2.p.on_value = on_value;
    r2.p.ctx = &r2.s;
    r2.s.refuse_id = ID_QUERY;
    char *argv[] = {"api", (char *)words[0], (char *)words[1], (char *)words[2], (char *)words[3],
                    NULL};
    zf_error err = ZF_ERROR_INIT;
    assert_int_equal(cli_opt_parse(&r2.p, 5, argv, &err), ZF_EVALIDATION);
    assert_string_equal(err.message, "query refused");
    assert_int_equal(r2.p.fault, CLI_OPT_REFUSED);
    assert_string_equal(r2.p.arg, "--query");
    /* FOLD_UNDERSCORE: --user-id and --user_id both name user_id */
    static const cli_opt fields[] = {
        {.kind = CLI_OPT_VALUE, .name = "user_id", .id = ID_NAME},
        {.kind = CLI_OPT_SWITCH, .name = "dry-run", .at = CLI_AT(args, dry)},
        {0}};
    parse_with(&r, fields, "meetings create", CLI_OPT_FOLD_UNDERSCORE,
               (const char *const[]){"--user-id", "me", "--user_id=you", "--dry-run", NULL});
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.s.n, 2);
    assert_string_equal(r.s.items[0], "4:=me");
    assert_string_equal(r.s.items[1], "4:=you");
    assert_int_equal(r.a.dry, 1);
    /* folding reads '-' as '_', not the other way */
    parse_with(&r, fields, "meetings create", CLI_OPT_FOLD_UNDERSCORE,
               (const char *const[]){"--dry_run", NULL});
    assert_int_equal(r.p.fault, CLI_OPT_UNKNOWN);
    parse_with(&r, fields, "meetings create", 0, (const char *const[]){"--user-id", "x", NULL});
    assert_int_equal(r.p.fault, CLI_OPT_UNKNOWN);
}

static void test_find(void **state)
{
    assert_ptr_equal(cli_opt_find(specs, "input", 5, 0), &specs[4]);
    assert_ptr_equal(cli_opt_find(specs, "inputx", 5, 0), &specs[4]);
    assert_null(cli_opt_find(specs, "inp", 3, 0));
    assert_null(cli_opt_find(specs, "METHOD", 6, 0)); /* positionals are not flags */
    assert_null(cli_opt_find(NULL, "x", 1, 0));
}

static void test_caller_mistakes(void **state)
{
    zf_error err = ZF_ERROR_INIT;
    cli_opt_parser p = CLI_OPT_PARSER_INIT;
    char *argv[] = {"x", "--settings", "{}", NULL};
    assert_int_equal(cli_opt_parse(NULL, 1, argv, &err), ZF_EINVAL);
    assert_int_equal(cli_opt_parse(&p, 1, argv, &err), ZF_EINVAL); /* no table */
    p.specs = specs; /* --settings has no member and there is no on_value */
    assert_int_equal(cli_opt_parse(&p, 3, argv, &err), ZF_EINVAL);
}

static void test_help_from_the_table(void **state)
{
    zf_buf b = ZF_BUF_INIT(1 << 16);
    assert_int_equal(cli_opt_help(&b, specs, "Options"), 0);
    assert_string_equal(b.ptr, "Arguments:\n"
                               "  METHOD                 the method\n"
                               "  PATH                   the path\n"
                               "\n"
                               "Options:\n"
                               "  -f, --field KEY=VALUE  a field\n"
                               "                         second line (repeatable)\n"
                               "  -q, --query KEY=VALUE  a query (repeatable)\n"
                               "  --input FILE           the input\n"
                               "  -v, --verbose          louder\n"
                               "  -j, --json             JSON\n"
                               "  --all                  every page\n"
                               "  --settings JSON        an object\n");
    zf_buf_reset(&b);
    /* a name wider than the column puts its text on the next line */
    static const cli_opt wide[] = {{.kind = CLI_OPT_VALUE,
                                    .name = "a-very-long-option-name",
                                    .value_name = "VALUE",
                                    .help = "text"},
                                   {.kind = CLI_OPT_SWITCH, .name = "x", .help = "short"},
                                   {0}};
    assert_int_equal(cli_opt_help(&b, wide, "Common options"), 0);
    assert_string_equal(b.ptr, "Common options:\n"
                               "  --a-very-long-option-name VALUE\n"
                               "       text\n"
                               "  --x  short\n");
    zf_buf_reset(&b);
    static const cli_opt empty[] = {{0}};
    assert_int_equal(cli_opt_help(&b, empty, NULL), 0);
    assert_int_equal(b.len, 0);
    zf_buf_free(&b);
}

static void test_usage_from_the_table(void **state)
{
    zf_buf b = ZF_BUF_INIT(4096);
    assert_int_equal(cli_opt_usage(&b, specs), 0);
    assert_string_equal(b.ptr, "METHOD PATH [options]");
    zf_buf_reset(&b);
    assert_int_equal(cli_opt_usage(&b, required_opt), 0);
    assert_string_equal(b.ptr, "MEETING --dir DIR [--no-progress]");
    zf_buf_reset(&b);
    assert_int_equal(cli_opt_usage(&b, globals), 0);
    assert_string_equal(b.ptr, "[COMMAND ...] [--profile NAME] [--verbose]");
    zf_buf_reset(&b);
    assert_int_equal(cli_opt_usage(&b, NULL), 0);
    assert_int_equal(b.len, 0);
    zf_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_forms),
        cmocka_unit_test(test_short_forms),
        cmocka_unit_test(test_any_order_and_list_order),
        cmocka_unit_test(test_double_dash_and_lone_dash),
        cmocka_unit_test(test_bool_forms),
        cmocka_unit_test(test_dotted),
        cmocka_unit_test(test_unknown_flags),
        cmocka_unit_test(test_missing_value),
        cmocka_unit_test(test_value_for_a_switch),
        cmocka_unit_test(test_extra_and_missing_positionals),
        cmocka_unit_test(test_required_option),
        cmocka_unit_test(test_rest_stops_at_the_command),
        cmocka_unit_test(test_second_table),
        cmocka_unit_test(test_on_value_refusal_and_fold),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_caller_mistakes),
        cmocka_unit_test(test_help_from_the_table),
        cmocka_unit_test(test_usage_from_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
