/*
 * zoomflow workflows validate|list|show: the definitions of a directory
 * (--workflows DIR, or ZOOMFLOW_WORKFLOWS) or of files named, loaded and
 * checked by the library (workflow.h) without any store or network.
 * validate prints every problem as file:line:col: message, then its hint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "runs_cli.h"
#include "zoomflow/workflow.h"

typedef struct wf_args {
    const char *dir;
    const char *name;
    int json;
    cli_opt_rest files;
} wf_args;

#define DIR_OPT                                                                                    \
    {                                                                                              \
        .kind = CLI_OPT_VALUE, .name = "workflows", .value_name = "DIR",                           \
        .at = CLI_AT(wf_args, dir),                                                                \
        .help = "the directory of definitions (*.yaml, *.yml, *.json; default:\n"                  \
                "$ZOOMFLOW_WORKFLOWS)"                                                             \
    }
#define JSON_OPT                                                                                   \
    {                                                                                              \
        .kind = CLI_OPT_SWITCH, .name = "json", .at = CLI_AT(wf_args, json), .help = "print JSON"  \
    }

static const cli_opt validate_opts[] = {
    DIR_OPT,
    JSON_OPT,
    {.kind = CLI_OPT_REST,
     .name = "FILE",
     .at = CLI_AT(wf_args, files),
     .help = "definition files to check instead of a directory"},
    {0}};
static const cli_opt list_opts[] = {DIR_OPT, JSON_OPT, {0}};
static const cli_opt show_opts[] = {DIR_OPT,
                                    JSON_OPT,
                                    {.kind = CLI_OPT_POSITIONAL,
                                     .name = "NAME",
                                     .flags = CLI_OPT_REQUIRED,
                                     .at = CLI_AT(wf_args, name),
                                     .help = "the workflow's name"},
                                    {0}};

void cli_wf_print_problems(const zf_wf_problems *p)
{
    for (size_t i = 0; i < p->count; i++) {
        const zf_wf_problem *x = &p->items[i];
        if (x->line)
            fprintf(stderr, "%s:%d:%d: %s\n", x->file, x->line, x->col, x->message);
        else
            fprintf(stderr, "%s: %s\n", x->file, x->message);
        if (x->hint[0])
            fprintf(stderr, "  hint: %s\n", x->hint);
    }
    if (p->truncated)
        fprintf(stderr, "(more problems not shown)\n");
}

static void print_json(json_t *j)
{
    char *t = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
    if (t)
        puts(t);
    free(t);
    json_decref(j);
}

/* Loads the files or the directory; 0, or the exit status after printing
 * the problems (2 for a usage slip, 1 for definitions with problems). */
static int load(cli_ctx *ctx, const wf_args *a, zf_workflow_set **out, int quiet_ok)
{
    const char *dir = a->dir ? a->dir : ctx->cfg.workflows;
    if (!a->files.argc && (!dir || !*dir))
        return cli_usage_error(ctx->cmd, "no workflows: give --workflows DIR (or FILE...)");
    zf_workflow_set *s = NULL;
    zf_wf_problems p = ZF_WF_PROBLEMS_INIT;
    if (zf_workflow_set_new(&s) != 0) {
        fprintf(stderr, "zoomflow: out of memory\n");
        return cli_exit_status(ZF_ENOMEM);
    }
    zf_wf_load_opts o = ZF_WF_LOAD_OPTS_INIT;
    if (a->files.argc)
        for (int i = 0; i < a->files.argc; i++)
            zf_workflow_set_load_file(s, a->files.argv[i], &o, &p);
    else
        zf_workflow_set_load_dir(s, dir, &o, &p);
    int status = 0;
    if (p.count || p.oom) {
        if (a->json && quiet_ok)
            print_json(json_pack("{sb so}", "valid", 0, "problems", zf_wf_problems_json(&p)));
        else
            cli_wf_print_problems(&p);
        status = cli_exit_status(p.oom && !p.count ? ZF_ENOMEM : ZF_EVALIDATION);
        if (status == 2)
            status = 1; /* bad definitions, not bad usage */
        zf_workflow_set_free(s);
        s = NULL;
    }
    zf_wf_problems_free(&p);
    *out = s;
    return status;
}

static const char *trigger_text(const zf_workflow *w, char *buf, size_t cap)
{
    zf_wf_trigger t = zf_workflow_trigger(w);
    if (t == ZF_WF_ON_MANUAL)
        snprintf(buf, cap, "manual");
    else if (t == ZF_WF_ON_SCHEDULE)
        snprintf(buf, cap, "schedule \"%s\" %s", zf_workflow_trigger_value(w),
                 zf_workflow_timezone(w));
    else
        snprintf(buf, cap, "%s %s", zf_wf_trigger_name(t), zf_workflow_trigger_value(w));
    return buf;
}

static int run_validate(cli_ctx *ctx, int argc, char **argv)
{
    wf_args a = {0};
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    zf_workflow_set *s = NULL;
    if (status || (status = load(ctx, &a, &s, 1)) != 0)
        return status;
    size_t n = zf_workflow_set_count(s), steps = 0;
    for (size_t i = 0; i < n; i++)
        steps += zf_workflow_step_count(zf_workflow_set_at(s, i));
    if (a.json)
        print_json(json_pack("{sb si si}", "valid", 1, "workflows", (int)n, "steps", (int)steps));
    else
        printf("%zu workflow%s valid (%zu step%s)\n", n, n == 1 ? "" : "s", steps,
               steps == 1 ? "" : "s");
    zf_workflow_set_free(s);
    return 0;
}

static int run_list(cli_ctx *ctx, int argc, char **argv)
{
    wf_args a = {0};
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    zf_workflow_set *s = NULL;
    if (status || (status = load(ctx, &a, &s, 0)) != 0)
        return status;
    json_t *list = json_array();
    for (size_t i = 0; i < zf_workflow_set_count(s); i++) {
        const zf_workflow *w = zf_workflow_set_at(s, i);
        char trig[256];
        if (a.json)
            json_array_append_new(list, zf_workflow_json(w));
        else
            printf("%-28s %-14s %-40s %zu steps  %s\n", zf_workflow_name(w), zf_workflow_version(w),
                   trigger_text(w, trig, sizeof trig), zf_workflow_step_count(w),
                   zf_workflow_file(w));
    }
    if (a.json)
        print_json(json_pack("{so}", "workflows", list));
    else
        json_decref(list);
    zf_workflow_set_free(s);
    return 0;
}

static int run_show(cli_ctx *ctx, int argc, char **argv)
{
    wf_args a = {0};
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    zf_workflow_set *s = NULL;
    if (status || (status = load(ctx, &a, &s, 0)) != 0)
        return status;
    const zf_workflow *w = zf_workflow_set_find(s, a.name);
    if (!w) {
        zf_error err = ZF_ERROR_INIT;
        zf_error_set(&err, ZF_ENOTFOUND, "no workflow named %s", a.name);
        zf_error_hint(&err, "list the workflows with `zoomflow workflows list`");
        zf_workflow_set_free(s);
        return cli_fail(ctx, &err);
    }
    if (a.json) {
        print_json(zf_workflow_json(w));
    } else {
        char trig[256];
        printf("name:        %s\nversion:     %s\nfile:        %s\ntrigger:     %s\n",
               zf_workflow_name(w), zf_workflow_version(w), zf_workflow_file(w),
               trigger_text(w, trig, sizeof trig));
        if (zf_workflow_description(w)[0])
            printf("description: %s\n", zf_workflow_description(w));
        printf("steps:\n");
        for (size_t i = 0; i < zf_workflow_step_count(w); i++) {
            const zf_wf_step *st = zf_workflow_step(w, i);
            printf("  %zu. %-20s %s%s%s%s\n", i + 1, st->id,
                   st->action ? st->action->name : "download: recording",
                   st->for_each ? " (for each item" : "", st->for_each ? ")" : "",
                   st->cond ? " (if)" : "");
        }
    }
    zf_workflow_set_free(s);
    return 0;
}

static const char wf_help[] =
    "Definitions are checked without a store or network: their keys, the trigger\n"
    "(a known Zoom event, a cron with a time zone), each step's action and its\n"
    "inputs against the action's schema, and every template. docs/workflows.md\n"
    "describes the format. Problems print as FILE:LINE:COL: message, then a hint;\n"
    "the exit status is 1 when a definition has problems.\n";

const zf_cmd zf_cmd_workflows_validate = {
    .name = "workflows validate",
    .summary = "check workflow definitions (every problem with file:line:col)",
    .opts = validate_opts,
    .help = wf_help,
    .run = run_validate,
};

const zf_cmd zf_cmd_workflows_list = {
    .name = "workflows list",
    .summary = "list the workflows of a directory",
    .opts = list_opts,
    .help = wf_help,
    .run = run_list,
};

const zf_cmd zf_cmd_workflows_show = {
    .name = "workflows show",
    .summary = "show one workflow: trigger, version and steps",
    .opts = show_opts,
    .help = wf_help,
    .run = run_show,
};
