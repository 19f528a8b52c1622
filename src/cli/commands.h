#ifndef ZOOMFLOW_COMMANDS_H
#define ZOOMFLOW_COMMANDS_H
#include "cli.h"
#include "zoomflow/actions.h"

/* The command table (commands.c), NULL-terminated, in `zoomflow --help`
 * order: the written rows and one row per registry action without a written
 * row, made from the descriptors on first use. Walked by main.c (lookup),
 * `zoomflow --help`, `zoomflow actions` and whatever generates completion or
 * a man page. */
const zf_cmd *const *cli_commands(void);
const zf_cmd *cli_find(int argc, char **argv, int *consumed);
/* The command that runs an action (registry name), or NULL. */
const zf_cmd *cli_command_for_action(const char *action);
/* --help: usage, summary, the action's flags (action commands), the
 * Options from cmd->opts, the notes, the exit statuses. */
void cli_print_help(const zf_cmd *cmd, FILE *f);
/* The text cli_print_help prints, into out, with the parts asked for
 * (the summary and the flags always): what `zoomflow man` is made from,
 * so the page says what --help says. ZF_ENOMEM. */
#define CLI_HELP_USAGE 0x1u  /* the "usage: zoomflow NAME ..." line */
#define CLI_HELP_SHARED 0x2u /* the notes every action command shares */
#define CLI_HELP_EXIT 0x4u   /* the exit-status table */
#define CLI_HELP_ALL (CLI_HELP_USAGE | CLI_HELP_SHARED | CLI_HELP_EXIT)
int cli_help_text(const zf_cmd *cmd, zf_buf *out, unsigned parts);
/* The usage after the command's name: cmd->usage, else made from its opts. */
int cli_cmd_usage(const zf_cmd *cmd, zf_buf *out);
/* The command's summary line (an action command's comes from its descriptor). */
const char *cli_cmd_summary(const zf_cmd *cmd);
/* discover.c: `zoomflow --help`'s text; a group word's verbs (0 when word
 * is no group); what an unknown command prints (a group word alone: its
 * verbs, exit 0; else did-you-mean, exit 2), returning the exit status. */
void cli_print_overview(FILE *f);
int cli_print_group(const char *group, FILE *f);
/* 1 when word is the first word of two-word commands ("meetings"). */
int cli_is_group(const char *word);
int cli_no_such_command(int argc, char **argv);
/* A failed parse of cmd's arguments (NULL: the global options) reported
 * by cli_usage_fail, with the nearest flag of p's tables when the fault is
 * an unknown flag. Returns the exit status. */
int cli_parse_failed(const zf_cmd *cmd, const cli_opt_parser *p, zf_error *err);
/* A cli_problem_note (input.h): "did you mean" the nearest allowed value
 * of an enum or time-zone problem; ctx is the zf_action. */
void cli_note_nearest_value(void *ctx, const zf_problem *x, FILE *out);
/* Calls fn for every option spec cmd parses with, in table order, hidden
 * ones left out: cmd->opts, or an action command's whole table
 * (cli_action_specs: '_' in a field's name is typed '-'). What completion
 * and the man page are made from. ZF_ENOMEM. */
typedef void (*cli_opt_visit)(void *ctx, const cli_opt *o);
int cli_cmd_each_opt(const zf_cmd *cmd, cli_opt_visit fn, void *ctx);
/* Closes whatever lib.c opened for the command. */
void cli_lib_close(cli_ctx *ctx);

/* cmd_action.c: the run and the common help text of every action command. */
int cli_action_run(cli_ctx *ctx, int argc, char **argv);
extern const char cli_action_help[];
/* The options every action command takes besides its fields (--input,
 * --format, --dry-run). */
extern const cli_opt cli_action_opts[];
/* An action command's whole table: cli_action_opts, then one spec per
 * top-level field of the descriptor, then the shorthand flags (members of
 * a required object, ids from CLI_ACTION_MEMBER, with help) (free() it).
 * ZF_ENOMEM. */
#define CLI_ACTION_MEMBER 10000
#define CLI_ACTION_MEMBERS_MAX 100
/* A value the CLI gives an action's required top-level string field when
 * neither a flag nor --input gives it; {NULL} ends the table. */
typedef struct cli_action_default {
    const char *action, *field, *value;
} cli_action_default;
extern const cli_action_default cli_action_defaults[];
int cli_action_specs(cli_opt **out, const zf_action *a);
/* The same table with `common` (ended by {0}) in place of cli_action_opts:
 * what `zoomflow batch ACTION` parses its common field flags with. */
int cli_action_specs_with(cli_opt **out, const zf_action *a, const cli_opt *common);
/* Where the field flags of those tables go: the on_value of a parser over
 * them (ctx: a cli_field_sink) types each value by zf_action_flag_value
 * and sets it in flags (dotted flags and shorthands nested). */
typedef struct cli_field_sink {
    const zf_action *a;
    json_t *flags;
} cli_field_sink;
int cli_action_on_field(void *ctx, const cli_opt *o, const char *key, const char *value,
                        zf_error *err);
/* A parser's bool_key over those tables: 1 when member `key` of field
 * flag o takes a boolean (--settings.mute_upon_entry alone means true). */
int cli_action_bool_key(const zf_action *a, const cli_opt *o, const char *key);
/* The descriptor of a dotted field name ("settings.approval_type") of a,
 * or NULL when a does not describe it. */
const zf_field *cli_action_field_at(const zf_action *a, const char *dotted);
/* Sets the CLI's defaults (cli_action_defaults) that `in` leaves out. */
void cli_action_apply_defaults(json_t *in, const zf_action *a);
/* The action named by its registry name (create_user) or its command
 * ("users create"), or NULL. */
const zf_action *cli_action_named(const char *name);
/* The action name or command nearest to name (did-you-mean), or NULL. */
const char *cli_action_nearest(const char *name);
/* The field (or shorthand's member) a spec of cli_action_specs sets; NULL
 * for the common options. */
const zf_field *cli_action_opt_field(const zf_action *a, const cli_opt *o);

#endif
