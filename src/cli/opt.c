/*
 * Option specs (opt.h): one parser and one --help renderer over the same
 * table. The parser walks argv once, left to right; an option is looked up
 * in the command's table, then in the second one (`also`); positionals
 * fill the POSITIONAL rows in order. Nothing is printed here: every
 * failure is a zf_error the command reports.
 */
#include "opt.h"

#include <string.h>

#include "zoomflow/actions.h"

#define SHOW_MAX 64   /* bytes of an argument quoted in a message */
#define LEFT_MAX 28   /* help: a longer "--name VALUE" puts its text below */
#define USAGE_NAMED 2 /* usage: optional options shown by name, at most */

static int is_option(const cli_opt *o)
{
    return o->kind == CLI_OPT_SWITCH || o->kind == CLI_OPT_BOOL || o->kind == CLI_OPT_VALUE ||
           o->kind == CLI_OPT_LIST;
}

static int takes_value(const cli_opt *o)
{
    return o->kind == CLI_OPT_VALUE || o->kind == CLI_OPT_LIST;
}

static int is_positional(const cli_opt *o)
{
    return o->kind == CLI_OPT_POSITIONAL || o->kind == CLI_OPT_REST;
}

static const char *value_name(const cli_opt *o)
{
    return o->value_name ? o->value_name : "VALUE";
}

static int name_eq(const char *spec, const char *arg, size_t len, unsigned flags)
{
    size_t i = 0;
    for (; i < len && spec[i]; i++)
        if (arg[i] != spec[i] &&
            !((flags & CLI_OPT_FOLD_UNDERSCORE) && arg[i] == '-' && spec[i] == '_'))
            return 0;
    return i == len && !spec[i];
}

const cli_opt *cli_opt_find(const cli_opt *specs, const char *name, size_t len, unsigned flags)
{
    for (const cli_opt *o = specs; o && o->kind != CLI_OPT_END; o++)
        if (is_option(o) && name_eq(o->name, name, len, flags))
            return o;
    return NULL;
}

static const cli_opt *find_short(const cli_opt *specs, char c)
{
    for (const cli_opt *o = specs; o && o->kind != CLI_OPT_END; o++)
        if (is_option(o) && o->alias && o->alias == c)
            return o;
    return NULL;
}

/* ---- errors -------------------------------------------------------------- */

static void see_help(const cli_opt_parser *p, zf_error *err)
{
    if (p->command)
        zf_error_hint(err, "see `zoomflow %s --help`", p->command);
    else
        zf_error_hint(err, "see `zoomflow --help` for the global flags");
}

static int fail(cli_opt_parser *p, cli_opt_fault fault, const char *arg, const cli_opt *spec)
{
    p->fault = fault;
    p->arg = arg;
    p->spec = spec;
    return ZF_EVALIDATION;
}

/* "--name" or "-x" as the user wrote it. */
static void flag_text(char *out, size_t n, const cli_opt *o, int by_alias)
{
    if (by_alias)
        snprintf(out, n, "-%c", o->alias);
    else
        snprintf(out, n, "--%s", o->name);
}

static int no_value(cli_opt_parser *p, const cli_opt *o, int by_alias, const char *arg,
                    const char *next, zf_error *err)
{
    char f[SHOW_MAX + 3];
    flag_text(f, sizeof f, o, by_alias);
    if (!by_alias && arg && strncmp(arg, "--", 2) == 0) /* --settings.approval_type as given */
        snprintf(f, sizeof f, "%.*s", (int)strcspn(arg, "="), arg);
    zf_error_set(err, ZF_EVALIDATION, "%s needs a value: %s %s%s%s%s", f, f, value_name(o),
                 next ? " (" : "", next ? next : "",
                 next ? " is a flag; a value that starts with -- is written --name=VALUE)" : "");
    see_help(p, err);
    return fail(p, CLI_OPT_NO_VALUE, arg, o);
}

/* "METHOD and PATH are required (PATH is missing)": every required
 * positional named, when any of them is missing. */
static int missing_positional(cli_opt_parser *p, int npos, zf_error *err)
{
    const cli_opt *first_missing = NULL;
    int k = 0, nreq = 0, given = 0;
    for (const cli_opt *o = p->specs; o->kind != CLI_OPT_END; o++) {
        if (!is_positional(o))
            continue;
        int seen = k++ < npos;
        if (o->flags & CLI_OPT_REQUIRED) {
            nreq++;
            given += seen;
            if (!seen && !first_missing)
                first_missing = o;
        }
    }
    if (!first_missing)
        return 0;
    zf_buf names = ZF_BUF_INIT(ZF_ERROR_MSG_MAX);
    int i = 0;
    for (const cli_opt *o = p->specs; o->kind != CLI_OPT_END; o++) {
        if (!is_positional(o) || !(o->flags & CLI_OPT_REQUIRED))
            continue;
        zf_buf_puts(&names, i == 0 ? "" : i == nreq - 1 ? " and " : ", ");
        zf_buf_puts(&names, o->name);
        i++;
    }
    zf_error_set(err, ZF_EVALIDATION, "%s %s required", zf_buf_cstr(&names),
                 nreq == 1 ? "is" : "are");
    zf_buf_free(&names);
    if (given)
        zf_error_restate(err, ZF_EVALIDATION, "%s (%s is missing)", err->message,
                         first_missing->name);
    see_help(p, err);
    return fail(p, CLI_OPT_MISSING, NULL, first_missing);
}

/* A required VALUE whose member is still unset (or empty). */
static int missing_option(cli_opt_parser *p, zf_error *err)
{
    for (const cli_opt *o = p->specs; o->kind != CLI_OPT_END; o++) {
        if (o->kind != CLI_OPT_VALUE || !(o->flags & CLI_OPT_REQUIRED) || !o->at || !p->args)
            continue;
        const char *const *v = (const char *const *)((char *)p->args + o->at - 1);
        if (*v && **v)
            continue;
        zf_error_set(err, ZF_EVALIDATION, "--%s %s is required", o->name, value_name(o));
        see_help(p, err);
        return fail(p, CLI_OPT_MISSING, NULL, o);
    }
    return 0;
}

/* ---- storing ------------------------------------------------------------- */

/* Stores value for o (in args, or through on_value); key: a dotted member.
 * REST rows are stored by positional(), never here. */
static int apply(cli_opt_parser *p, const cli_opt *o, void *args, const char *arg, const char *key,
                 const char *value, zf_error *err)
{
    void *m = o->at && args && o->kind != CLI_OPT_LIST && !key ? (char *)args + o->at - 1 : NULL;
    if (m && o->kind == CLI_OPT_SWITCH) {
        (*(int *)m)++;
        return 0;
    }
    if (m) {
        *(const char **)m = value;
        return 0;
    }
    if (!p->on_value)
        return zf_error_set(err, ZF_EINVAL, "option %s has no member and no on_value", o->name);
    int rc = p->on_value(p->ctx, o, key, value, err);
    if (rc)
        fail(p, CLI_OPT_REFUSED, arg, o);
    return rc;
}

/* One positional argument (argv[i]). *stop = 1 when a REST spec took it
 * and everything after. */
static int positional(cli_opt_parser *p, int *npos, int i, int argc, char **argv, int *stop,
                      zf_error *err)
{
    int k = 0;
    for (const cli_opt *o = p->specs; o->kind != CLI_OPT_END; o++) {
        if (o->kind == CLI_OPT_REST) {
            if (o->at && p->args) {
                cli_opt_rest *r = (cli_opt_rest *)((char *)p->args + o->at - 1);
                r->argc = argc - i;
                r->argv = argv + i;
            }
            (*npos)++;
            *stop = 1;
            return 0;
        }
        if (o->kind != CLI_OPT_POSITIONAL || k++ < *npos)
            continue;
        (*npos)++;
        return apply(p, o, p->args, argv[i], NULL, argv[i], err);
    }
    int n = (int)strlen(argv[i]);
    zf_error_set(err, ZF_EVALIDATION, "unexpected argument '%.*s%s'", n > SHOW_MAX ? SHOW_MAX : n,
                 argv[i], n > SHOW_MAX ? "..." : "");
    if (!k)
        zf_error_restate(err, ZF_EVALIDATION, "%s: %s%s takes no arguments", err->message,
                         p->command ? "zoomflow " : "the global options",
                         p->command ? p->command : "");
    see_help(p, err);
    return fail(p, CLI_OPT_EXTRA, argv[i], NULL);
}

/* ---- options ------------------------------------------------------------- */

typedef struct hit {
    const cli_opt *o;
    void *args;
    const char *key; /* after the dot, for a dotted match */
} hit;

static int lookup_long(const cli_opt_parser *p, const char *name, size_t len, hit *h)
{
    const cli_opt *tables[2] = {p->specs, p->also};
    void *args[2] = {p->args, p->also_args};
    for (int t = 0; t < 2; t++) {
        const cli_opt *o = cli_opt_find(tables[t], name, len, p->flags);
        if (o) {
            *h = (hit){o, args[t], NULL};
            return 1;
        }
    }
    const char *dot = memchr(name, '.', len);
    for (int t = 0; dot && t < 2; t++) {
        const cli_opt *o = cli_opt_find(tables[t], name, (size_t)(dot - name), p->flags);
        if (o && (o->flags & CLI_OPT_DOTTED) && dot + 1 < name + len) {
            *h = (hit){o, args[t], dot + 1};
            return 1;
        }
    }
    return 0;
}

static int is_flag_like(const char *a)
{
    return a && a[0] == '-' && a[1] == '-';
}

/* argv[*i] is "--name", "--name=value" or "--name.key ...". */
static int long_option(cli_opt_parser *p, int *i, int argc, char **argv, zf_error *err)
{
    const char *arg = argv[*i], *name = arg + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const char *next = *i + 1 < argc ? argv[*i + 1] : NULL;
    hit h;
    if (!lookup_long(p, name, len, &h)) {
        int n = len > SHOW_MAX ? SHOW_MAX : (int)len;
        zf_error_set(err, ZF_EVALIDATION, "unknown %sflag --%.*s%s%s%s",
                     p->command ? "" : "global ", n, name, len > SHOW_MAX ? "..." : "",
                     p->command ? " for zoomflow " : "", p->command ? p->command : "");
        see_help(p, err);
        return fail(p, CLI_OPT_UNKNOWN, arg, NULL);
    }
    char key[SHOW_MAX * 4];
    if (h.key) { /* "settings.approval_type" of "--settings.approval_type=0" */
        size_t klen = (size_t)(name + len - h.key);
        if (klen >= sizeof key) {
            zf_error_set(err, ZF_EVALIDATION, "flag %.*s... is too long", SHOW_MAX, arg);
            see_help(p, err);
            return fail(p, CLI_OPT_UNKNOWN, arg, NULL);
        }
        memcpy(key, h.key, klen);
        key[klen] = '\0';
    }
    const char *value = eq ? eq + 1 : NULL;
    if (h.o->kind == CLI_OPT_SWITCH && !h.key) {
        if (value) {
            zf_error_set(err, ZF_EVALIDATION, "--%s takes no value (got %.*s)", h.o->name, SHOW_MAX,
                         arg);
            see_help(p, err);
            return fail(p, CLI_OPT_UNWANTED, arg, h.o);
        }
    } else if ((h.o->kind == CLI_OPT_BOOL && !h.key) ||
               (h.key && p->bool_key && p->bool_key(p->args, h.o, key))) {
        if (!value && next && zf_action_flag_bool(next) >= 0)
            value = argv[++*i];
        else if (!value)
            value = "true";
    } else if (!value) {
        if (!next || is_flag_like(next))
            return no_value(p, h.o, 0, arg, next, err);
        value = argv[++*i];
    }
    return apply(p, h.o, h.args, arg, h.key ? key : NULL, value, err);
}

/* argv[*i] is "-x", "-xVALUE" or "-abc". */
static int short_options(cli_opt_parser *p, int *i, int argc, char **argv, zf_error *err)
{
    const char *arg = argv[*i];
    for (const char *c = arg + 1; *c; c++) {
        hit h = {find_short(p->specs, *c), p->args, NULL};
        if (!h.o)
            h = (hit){find_short(p->also, *c), p->also_args, NULL};
        if (!h.o) {
            zf_error_set(err, ZF_EVALIDATION, "unknown %sflag -%c%s%.*s%s%s%s",
                         p->command ? "" : "global ", *c, c > arg + 1 ? " (in " : "",
                         c > arg + 1 ? SHOW_MAX : 0, arg, c > arg + 1 ? ")" : "",
                         p->command ? " for zoomflow " : "", p->command ? p->command : "");
            see_help(p, err);
            return fail(p, CLI_OPT_UNKNOWN, arg, NULL);
        }
        if (!takes_value(h.o)) {
            int rc =
                apply(p, h.o, h.args, arg, NULL, h.o->kind == CLI_OPT_BOOL ? "true" : NULL, err);
            if (rc)
                return rc;
            continue;
        }
        const char *value = c[1] ? c + 1 : NULL; /* -xVALUE */
        if (!value) {
            const char *next = *i + 1 < argc ? argv[*i + 1] : NULL;
            if (!next || is_flag_like(next))
                return no_value(p, h.o, 1, arg, next, err);
            value = argv[++*i];
        }
        return apply(p, h.o, h.args, arg, NULL, value, err);
    }
    return 0;
}

int cli_opt_parse(cli_opt_parser *p, int argc, char **argv, zf_error *err)
{
    if (!p || !p->specs || !err || (argc > 0 && !argv))
        return zf_error_set(err, ZF_EINVAL, "cli_opt_parse: no table, argv or err");
    p->fault = CLI_OPT_OK;
    p->arg = NULL;
    p->spec = NULL;
    int npos = 0, options = 1, stop = 0, rc = 0;
    for (int i = 1; i < argc && !stop && rc == 0; i++) {
        const char *a = argv[i];
        if (options && strcmp(a, "--") == 0)
            options = 0;
        else if (options && a[0] == '-' && a[1] == '-')
            rc = long_option(p, &i, argc, argv, err);
        else if (options && a[0] == '-' && a[1])
            rc = short_options(p, &i, argc, argv, err);
        else
            rc = positional(p, &npos, i, argc, argv, &stop, err);
    }
    if (rc == 0)
        rc = missing_positional(p, npos, err);
    return rc ? rc : missing_option(p, err);
}

/* ---- help ---------------------------------------------------------------- */

static int shown(const cli_opt *o)
{
    return o->help && !(o->flags & CLI_OPT_HIDDEN);
}

static void left_text(zf_buf *b, const cli_opt *o)
{
    if (is_positional(o)) {
        zf_buf_puts(b, o->name);
        return;
    }
    if (o->alias)
        zf_buf_appendf(b, "-%c, ", o->alias);
    zf_buf_appendf(b, "--%s", o->name);
    if (takes_value(o))
        zf_buf_appendf(b, " %s", value_name(o));
}

static size_t left_width(const cli_opt *o)
{
    zf_buf b = ZF_BUF_INIT(256);
    left_text(&b, o);
    size_t n = b.len;
    zf_buf_free(&b);
    return n;
}

static void help_line(zf_buf *out, const cli_opt *o, size_t col)
{
    size_t start = out->len;
    zf_buf_puts(out, "  ");
    left_text(out, o);
    if (out->len - start + 2 > col) { /* too wide: the text goes below */
        zf_buf_putc(out, '\n');
        start = out->len;
    }
    while (out->len - start < col && !out->failed)
        zf_buf_putc(out, ' ');
    for (const char *h = o->help; *h; h++) {
        zf_buf_putc(out, *h);
        for (size_t k = 0; *h == '\n' && k < col; k++)
            zf_buf_putc(out, ' ');
    }
    if (o->kind == CLI_OPT_LIST)
        zf_buf_puts(out, " (repeatable)");
    zf_buf_putc(out, '\n');
}

static void section(zf_buf *out, const cli_opt *specs, const char *heading, int positionals,
                    size_t col, int *sections)
{
    int any = 0;
    for (const cli_opt *o = specs; o->kind != CLI_OPT_END; o++) {
        if (!shown(o) || is_positional(o) != positionals)
            continue;
        if (!any++)
            zf_buf_appendf(out, "%s%s:\n", (*sections)++ ? "\n" : "", heading);
        help_line(out, o, col);
    }
}

int cli_opt_help(zf_buf *out, const cli_opt *specs, const char *heading)
{
    size_t widest = 0;
    for (const cli_opt *o = specs; o && o->kind != CLI_OPT_END; o++) {
        size_t w = shown(o) ? left_width(o) : 0;
        if (w <= LEFT_MAX && w > widest)
            widest = w;
    }
    size_t col = 2 + widest + 2;
    int sections = 0;
    if (specs) {
        section(out, specs, "Arguments", 1, col, &sections);
        section(out, specs, heading ? heading : "Options", 0, col, &sections);
    }
    return out->failed ? ZF_ENOMEM : 0;
}

int cli_opt_usage(zf_buf *out, const cli_opt *specs)
{
    size_t optional = 0;
    const char *sep = "";
    for (const cli_opt *o = specs; o && o->kind != CLI_OPT_END; o++) {
        if (o->flags & CLI_OPT_HIDDEN)
            continue;
        if (is_positional(o)) {
            int req = o->flags & CLI_OPT_REQUIRED;
            zf_buf_appendf(out, "%s%s%s%s%s", sep, req ? "" : "[", o->name,
                           o->kind == CLI_OPT_REST ? " ..." : "", req ? "" : "]");
            sep = " ";
        } else if (o->kind == CLI_OPT_VALUE && (o->flags & CLI_OPT_REQUIRED)) {
            zf_buf_appendf(out, "%s--%s %s", sep, o->name, value_name(o));
            sep = " ";
        } else if (is_option(o)) {
            optional++;
        }
    }
    for (const cli_opt *o = specs; optional && o->kind != CLI_OPT_END; o++) {
        if (optional > USAGE_NAMED) {
            zf_buf_appendf(out, "%s[options]", sep);
            break;
        }
        if (!is_option(o) || (o->flags & CLI_OPT_HIDDEN) ||
            (o->kind == CLI_OPT_VALUE && (o->flags & CLI_OPT_REQUIRED)))
            continue;
        zf_buf_appendf(out, "%s[--%s%s%s]", sep, o->name, takes_value(o) ? " " : "",
                       takes_value(o) ? value_name(o) : "");
        sep = " ";
    }
    return out->failed ? ZF_ENOMEM : 0;
}
