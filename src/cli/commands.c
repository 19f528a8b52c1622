/*
 * The one command table, and what is read from it: finding a command by
 * its words, the command of an action, and each command's --help. Written
 * rows for the commands with code of their own (cmd_<name>.c), and the
 * action commands made from the action registry on first use: an action's descriptor carries its
 * command words
 * ({"meetings", "create"}), so adding an action adds its command without
 * an edit here. A written row that names an action (api → call_api)
 * stands for that action instead.
 *
 * Order: the written rows as listed, the made rows where ACTIONS_HERE
 * stands, in registry order; then commands that share their first word are
 * pulled together (the first of a group keeps its place), so
 * `recordings download` follows `recordings get`.
 *
 * Why made at start, not an X-macro over ZF_ACTION_ROWS: the CLI sees the
 * library's public headers only, and the row list is the library's private
 * table; zf_actions() is the public view of the same rows, which the REST
 * service walks too. The cost is one walk of a few rows per process.
 */
#include "commands.h"
#include "globals.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/actions.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

extern const zf_cmd zf_cmd_admin_create, zf_cmd_admin_list;
extern const zf_cmd zf_cmd_config, zf_cmd_connect, zf_cmd_disconnect, zf_cmd_status, zf_cmd_api,
    zf_cmd_help, zf_cmd_completion, zf_cmd_man, zf_cmd_actions, zf_cmd_actions_schema,
    zf_cmd_recordings_download, zf_cmd_batch, zf_cmd_serve, zf_cmd_doctor;
extern const zf_cmd zf_cmd_workflows_validate, zf_cmd_workflows_list, zf_cmd_workflows_show;
extern const zf_cmd zf_cmd_run, zf_cmd_runs_list, zf_cmd_runs_show, zf_cmd_runs_retry,
    zf_cmd_runs_cancel, zf_cmd_runs_work;

static const zf_cmd actions_here; /* a marker, never run */
#define ACTIONS_HERE (&actions_here)

static const zf_cmd *const written[] = {
    &zf_cmd_connect,
    &zf_cmd_status,
    &zf_cmd_doctor,
    &zf_cmd_disconnect,
    &zf_cmd_config,
    &zf_cmd_api,
    ACTIONS_HERE,
    &zf_cmd_recordings_download,
    &zf_cmd_batch,
    &zf_cmd_serve,
    &zf_cmd_actions,
    &zf_cmd_actions_schema,
    &zf_cmd_help,
    &zf_cmd_completion,
    &zf_cmd_man,
    &zf_cmd_admin_create,
    &zf_cmd_admin_list,
    &zf_cmd_workflows_validate,
    &zf_cmd_workflows_list,
    &zf_cmd_workflows_show,
    &zf_cmd_run,
    &zf_cmd_runs_list,
    &zf_cmd_runs_show,
    &zf_cmd_runs_retry,
    &zf_cmd_runs_cancel,
    &zf_cmd_runs_work,
};

#define MADE_MAX 256 /* action commands; the registry test keeps well below */
#define NAME_MAX_LEN 64

static zf_cmd made[MADE_MAX];
static char made_names[MADE_MAX][NAME_MAX_LEN];
static const zf_cmd *table[MADE_MAX + NELEM(written) + 1];

static const zf_cmd *written_for(const char *action)
{
    for (size_t i = 0; i < NELEM(written); i++)
        if (written[i]->action && strcmp(written[i]->action, action) == 0)
            return written[i];
    return NULL;
}

/* The action's command row in made[n]: true, or false when it cannot have
 * one (no words, a name too long, the table full). */
static bool make(size_t n, const zf_action *a)
{
    if (!a->words[0] || n >= MADE_MAX)
        return false;
    int len = snprintf(made_names[n], NAME_MAX_LEN, "%s%s%s", a->words[0], a->words[1] ? " " : "",
                       a->words[1] ? a->words[1] : "");
    if (len < 0 || len >= NAME_MAX_LEN)
        return false;
    made[n] = (zf_cmd){.name = made_names[n],
                       .usage = "[flags]",
                       .opts = cli_action_opts,
                       .help = cli_action_help,
                       .run = cli_action_run,
                       .action = a->name,
                       .action_flags = 1};
    return true;
}

static size_t first_word_len(const char *name)
{
    return strcspn(name, " ");
}

static int same_group(const zf_cmd *x, const zf_cmd *y)
{
    size_t n = first_word_len(x->name);
    return n == first_word_len(y->name) && strncmp(x->name, y->name, n) == 0;
}

/* Stable: each command moves up to just after the last earlier one of its
 * group. */
static void group(size_t count)
{
    for (size_t i = 1; i < count; i++) {
        size_t to = i;
        for (size_t j = 0; j < i; j++)
            if (same_group(table[j], table[i]))
                to = j + 1;
        const zf_cmd *c = table[i];
        memmove(&table[to + 1], &table[to], (i - to) * sizeof *table);
        table[to] = c;
    }
}

static void build(void)
{
    size_t count = 0, nmade = 0;
    for (size_t i = 0; i < NELEM(written); i++) {
        if (written[i] != ACTIONS_HERE) {
            table[count++] = written[i];
            continue;
        }
        for (const zf_action *const *a = zf_actions(); *a; a++) {
            if (written_for((*a)->name))
                continue;
            if (!make(nmade, *a)) {
                /* a descriptor without usable words: no command; the
                 * registry test names it */
                fprintf(stderr, "zoomflow: action %s has no command words\n", (*a)->name);
                continue;
            }
            table[count++] = &made[nmade++];
        }
    }
    table[count] = NULL;
    group(count);
}

const zf_cmd *const *cli_commands(void)
{
    if (!table[0])
        build();
    return table;
}

const zf_cmd *cli_command_for_action(const char *action)
{
    for (const zf_cmd *const *c = cli_commands(); action && *c; c++)
        if ((*c)->action && strcmp((*c)->action, action) == 0)
            return *c;
    return NULL;
}

const zf_cmd *cli_find(int argc, char **argv, int *consumed)
{
    const zf_cmd *const *cmds = cli_commands();
    /* two-word commands first ("meetings create"), then one word */
    for (int words = 2; words >= 1; words--) {
        if (argc < words)
            continue;
        for (int i = 0; cmds[i]; i++) {
            const char *n = cmds[i]->name;
            size_t l0 = strlen(argv[0]);
            if (words == 1 && strcmp(n, argv[0]) == 0) {
                *consumed = 1;
                return cmds[i];
            }
            if (words == 2 && strncmp(n, argv[0], l0) == 0 && n[l0] == ' ' &&
                strcmp(n + l0 + 1, argv[1]) == 0) {
                *consumed = 2;
                return cmds[i];
            }
        }
    }
    return NULL;
}

const char *cli_cmd_summary(const zf_cmd *cmd)
{
    const zf_action *a = cmd->action ? zf_action_find(cmd->action) : NULL;
    if (cmd->summary)
        return cmd->summary;
    return a ? a->summary : "";
}

int cli_cmd_usage(const zf_cmd *cmd, zf_buf *out)
{
    if (cmd->usage)
        return zf_buf_puts(out, cmd->usage) == 0 ? 0 : ZF_ENOMEM;
    return cli_opt_usage(out, cmd->opts);
}

int cli_parse(const zf_cmd *cmd, cli_opt_parser *p, int argc, char **argv)
{
    static const cli_opt none[] = {{0}};
    zf_error err = ZF_ERROR_INIT;
    if (!p->specs)
        p->specs = cmd->opts ? cmd->opts : none;
    if (!p->command)
        p->command = cmd->name;
    /* the global flags after the command too (globals.h) */
    cli_late late;
    cli_late_wire(&late, p);
    int status = 0;
    if (cli_opt_parse(p, argc, argv, &err) != 0)
        status = cli_parse_failed(cmd, p, &err);
    cli_late_unwire(&late, p);
    if (status) {
        cli_late_free(&late);
        return status;
    }
    return cli_late_apply(&late, cmd);
}

int cli_parse_args(const zf_cmd *cmd, void *args, cli_opt_fn on_value, void *ctx, int argc,
                   char **argv)
{
    cli_opt_parser p = CLI_OPT_PARSER_INIT;
    p.args = args;
    p.on_value = on_value;
    p.ctx = ctx;
    return cli_parse(cmd, &p, argc, argv);
}

/* The shorthand flags of an action command (cli_action_specs), from the
 * rows that parse them. */
static void put_shorthands(zf_buf *out, const zf_action *a)
{
    cli_opt *specs = NULL, *mine = NULL;
    size_t n = 0, k = 0;
    if (cli_action_specs(&specs, a) != 0) {
        out->failed = 1;
        return;
    }
    for (const cli_opt *o = specs; o->kind != CLI_OPT_END; o++)
        n++;
    mine = calloc(n + 1, sizeof *mine);
    char(*names)[NAME_MAX_LEN] = calloc(n + 1, sizeof *names);
    for (const cli_opt *o = specs; mine && names && o->kind != CLI_OPT_END; o++) {
        if (o->id < CLI_ACTION_MEMBER)
            continue;
        mine[k] = *o; /* shown as typed: first-name for first_name */
        snprintf(names[k], NAME_MAX_LEN, "%s", o->name);
        for (char *c = names[k]; *c; c++)
            if (*c == '_')
                *c = '-';
        mine[k].name = names[k];
        k++;
    }
    if (!mine || !names)
        out->failed = 1;
    zf_buf b = ZF_BUF_INIT(1 << 16);
    if (k && cli_opt_help(&b, mine, "Shorthand flags (members of a required object)") == 0)
        zf_buf_appendf(out, "\n%s", zf_buf_cstr(&b));
    zf_buf_free(&b);
    free(names);
    free(mine);
    free(specs);
}

/* The descriptor's text, minus its own usage line and summary, with a
 * field the CLI fills in (cli_action_defaults) shown as defaulted here,
 * not required: "--action TEXT  (default here: create) ...". */
static void put_action_text(zf_buf *out, const zf_action *a)
{
    zf_buf b = ZF_BUF_INIT(1 << 20);
    zf_action_help(&b, a);
    const char *body = b.ptr ? strstr(b.ptr, "\n\n") : NULL;
    body = body ? strstr(body + 2, "\n\n") : NULL;
    zf_buf_appendf(out, "\nAction: %s\n", a->name);
    for (const char *line = body ? body + 1 : ""; *line;) {
        size_t len = strcspn(line, "\n");
        const cli_action_default *d = cli_action_defaults;
        for (; d->action; d++) {
            char lead[NAME_MAX_LEN + 4];
            size_t n = (size_t)snprintf(lead, sizeof lead, "  --%s ", d->field);
            for (char *c = lead + 4; *c; c++)
                if (*c == '_')
                    *c = '-';
            if (!strcmp(d->action, a->name) && len > n && !strncmp(line, lead, n))
                break;
        }
        const char *req = d->action ? strstr(line, "(required) ") : NULL;
        if (req && req < line + len) {
            zf_buf_append(out, line, (size_t)(req - line));
            zf_buf_appendf(out, "(default here: %s) ", d->value);
            zf_buf_append(out, req + 11, len - (size_t)(req + 11 - line));
        } else {
            zf_buf_append(out, line, len);
        }
        line += len;
        if (*line == '\n')
            zf_buf_putc(out, *line++);
    }
    zf_buf_free(&b);
}

int cli_help_text(const zf_cmd *cmd, zf_buf *out, unsigned parts)
{
    zf_buf b = ZF_BUF_INIT(1 << 20);
    cli_cmd_usage(cmd, &b);
    if (parts & CLI_HELP_USAGE)
        zf_buf_appendf(out, "usage: zoomflow %s%s%s\n\n", cmd->name, b.len ? " " : "",
                       zf_buf_cstr(&b));
    zf_buf_appendf(out, "%s\n", cli_cmd_summary(cmd));
    zf_buf_reset(&b);
    const zf_action *a = cmd->action_flags ? zf_action_find(cmd->action) : NULL;
    if (a) {
        put_action_text(out, a);
        put_shorthands(out, a);
    }
    /* the options from the same table that parses them */
    if (cmd->opts && cli_opt_help(&b, cmd->opts, a ? "Common options" : "Options") == 0 && b.len)
        zf_buf_appendf(out, "\n%s", b.ptr);
    zf_buf_free(&b);
    if (cmd->help && cmd->help[0] && (cmd->help != cli_action_help || (parts & CLI_HELP_SHARED)))
        zf_buf_appendf(out, "\n%s", cmd->help);
    if (parts & CLI_HELP_EXIT)
        zf_buf_appendf(out, "\n%s", cli_exit_help);
    return out->failed ? ZF_ENOMEM : 0;
}

void cli_print_help(const zf_cmd *cmd, FILE *f)
{
    zf_buf b = ZF_BUF_INIT(1 << 22);
    if (cli_help_text(cmd, &b, CLI_HELP_ALL) != 0)
        fputs("zoomflow: out of memory\n", stderr);
    fputs(zf_buf_cstr(&b), f);
    zf_buf_free(&b);
}

int cli_cmd_each_opt(const zf_cmd *cmd, cli_opt_visit fn, void *ctx)
{
    const zf_action *a = cmd->action_flags ? zf_action_find(cmd->action) : NULL;
    cli_opt *own = NULL;
    if (a && cli_action_specs(&own, a) != 0)
        return ZF_ENOMEM;
    const cli_opt *specs = a ? own : cmd->opts;
    for (const cli_opt *o = specs; o && o->kind != CLI_OPT_END; o++)
        if (!(o->flags & CLI_OPT_HIDDEN))
            fn(ctx, o);
    free(own);
    return 0;
}

const zf_field *cli_action_opt_field(const zf_action *a, const cli_opt *o)
{
    if (!a || o->at || o->id < 0)
        return NULL; /* a common option: a member of the command's args */
    size_t nf = 0;
    while (a->input[nf].name)
        nf++;
    if (o->id < CLI_ACTION_MEMBER)
        return (size_t)o->id < nf ? &a->input[o->id] : NULL;
    size_t i = (size_t)(o->id - CLI_ACTION_MEMBER) / CLI_ACTION_MEMBERS_MAX,
           m = (size_t)(o->id - CLI_ACTION_MEMBER) % CLI_ACTION_MEMBERS_MAX;
    if (i >= nf || !a->input[i].fields)
        return NULL;
    for (size_t k = 0; k <= m; k++)
        if (!a->input[i].fields[k].name)
            return NULL;
    return &a->input[i].fields[m];
}
