/*
 * Option specs: a command declares what it takes in one constant table, and
 * that table is both its parser (cli_opt_parse) and the Options section and
 * usage line of its --help (cli_opt_help, cli_opt_usage), so help and
 * parsing cannot disagree. The table stays reachable from the command's
 * row (zf_cmd.opts), for whatever else reads it: did-you-mean suggestions,
 * shell completion, a man page.
 *
 * The grammar (getopt_long's, with positionals anywhere):
 *   --name VALUE, --name=VALUE  a value; a VALUE given as its own argument
 *                               may not begin with "--" (write --name=--x)
 *   -x VALUE, -xVALUE           the same by its short letter
 *   -abc                        short switches together; a letter that
 *                               takes a value takes the rest, or the next
 *                               argument when nothing is left (-vf KEY=V)
 *   --name                      a switch; each time counts (-vv is 2)
 *   --name, --name=V, --name V  a boolean: V as its own argument only when
 *                               it is a boolean word (zf_action_flag_bool)
 *   --name.key VALUE            a member of a CLI_OPT_DOTTED option
 *   --                          ends the options: the rest is positional
 *   -                           a positional (stdin, by convention)
 * Options and positionals mix in any order; positionals fill the
 * POSITIONAL specs in table order. A REST spec takes the first positional
 * left over and everything after it, unparsed (the global options stop
 * there, at the command). Long names match exactly: no abbreviations.
 *
 * Failures (an unknown flag, a missing value, a value for a switch, an
 * extra argument, a missing required one) are ZF_EVALIDATION in err, with
 * a message naming the flag or argument and a hint naming the command's
 * --help; the parser prints nothing. The parser also records what failed
 * (fault, arg, spec), so a caller can say more, such as the nearest flag.
 */
#ifndef ZOOMFLOW_CLI_OPT_H
#define ZOOMFLOW_CLI_OPT_H

#include <stddef.h>

#include "zoomflow/buf.h"
#include "zoomflow/error.h"

typedef enum cli_opt_kind {
    CLI_OPT_END = 0,    /* the {0} row that ends a table */
    CLI_OPT_SWITCH,     /* int: +1 per occurrence */
    CLI_OPT_BOOL,       /* const char *: the value given, or "true" alone */
    CLI_OPT_VALUE,      /* const char *: the value (the last one given wins) */
    CLI_OPT_LIST,       /* repeatable value: each one, in order, to on_value */
    CLI_OPT_POSITIONAL, /* const char *: the next positional argument */
    CLI_OPT_REST        /* cli_opt_rest: the first left-over positional onwards
                           (after the table's POSITIONAL rows) */
} cli_opt_kind;

#define CLI_OPT_REQUIRED                                                                           \
    0x01u                    /* a POSITIONAL or REST that must be given; a VALUE                   \
                                with a member that must be given, not empty */
#define CLI_OPT_DOTTED 0x02u /* --name.key VALUE too, to on_value with key */
#define CLI_OPT_HIDDEN 0x04u /* parsed, but not shown in help or usage */

typedef struct cli_opt {
    cli_opt_kind kind;
    const char *name;           /* long name without "--"; a positional's NAME */
    char alias;                 /* short letter, or 0 */
    const char *value_name;     /* "KEY=VALUE" in help; NULL: "VALUE" */
    const char *help;           /* '\n' starts a further line; NULL: no help line */
    size_t at;                  /* CLI_AT(args type, member); 0: to on_value */
    unsigned flags;             /* CLI_OPT_REQUIRED | CLI_OPT_DOTTED | CLI_OPT_HIDDEN */
    int id;                     /* the caller's tag, for on_value */
    const char *const *choices; /* the values it takes (NULL-terminated), for
                                   completion; the command checks them */
    unsigned complete;          /* CLI_COMPLETE_*: what completion offers
                                   for a value without choices */
} cli_opt;

#define CLI_COMPLETE_FILES 0u   /* file names (the shell's default) */
#define CLI_COMPLETE_COMMAND 1u /* command words (help COMMAND...) */

/* Where an option is stored: a member of the args struct handed to the
 * parser (offset + 1, so that 0 means "no member"). */
#define CLI_AT(type, member) (offsetof(type, member) + 1)

typedef struct cli_opt_rest {
    int argc;
    char **argv;
} cli_opt_rest;

/* Called for every occurrence of an option without a member (LIST always):
 * key is the part after the dot of a dotted option (else NULL), value the
 * value ("true" for a lone BOOL, NULL for a SWITCH). Non-zero stops the
 * parse and is returned; err should then say why. */
typedef int (*cli_opt_fn)(void *ctx, const cli_opt *o, const char *key, const char *value,
                          zf_error *err);

typedef enum cli_opt_fault {
    CLI_OPT_OK = 0,
    CLI_OPT_UNKNOWN,  /* arg is no flag of the tables */
    CLI_OPT_NO_VALUE, /* spec takes a value and arg has none */
    CLI_OPT_UNWANTED, /* spec is a switch and arg gives it a value */
    CLI_OPT_EXTRA,    /* arg is a positional no spec takes */
    CLI_OPT_MISSING,  /* spec is required and was not given */
    CLI_OPT_REFUSED   /* on_value refused arg's value */
} cli_opt_fault;

/* Matching: '-' in an argument also matches '_' in a spec's name */
#define CLI_OPT_FOLD_UNDERSCORE 0x01u

typedef struct cli_opt_parser {
    const cli_opt *specs; /* the command's table */
    void *args;           /* the struct the specs' CLI_AT members are in */
    const cli_opt *also;  /* a second table tried after specs (NULL: none),
                             e.g. global options accepted after a command */
    void *also_args;
    const char *command; /* "api", "meetings create"; NULL: the global options */
    cli_opt_fn on_value;
    void *ctx;
    unsigned flags; /* CLI_OPT_FOLD_UNDERSCORE */
    /* set by a failed cli_opt_parse */
    cli_opt_fault fault;
    const char *arg;     /* the argument at fault (NULL for MISSING) */
    const cli_opt *spec; /* the spec at fault (NULL for UNKNOWN, EXTRA) */
    /* Dotted flags: 1 when member `key` of o takes a boolean, so that
     * "--settings.mute_upon_entry" alone means true and a boolean word
     * after it is its value, as for a CLI_OPT_BOOL. Called with p->args.
     * NULL: never. */
    int (*bool_key)(void *args, const cli_opt *o, const char *key);
} cli_opt_parser;

#define CLI_OPT_PARSER_INIT                                                                        \
    {                                                                                              \
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, CLI_OPT_OK, NULL, NULL, NULL                  \
    }

/* Parses argv[1..argc) (argv[0] is the program's or command's name, as for
 * getopt) into p->args and on_value; err is required. 0, or ZF_EVALIDATION
 * with err and the fault fields set (or what on_value returned); ZF_EINVAL
 * for the caller's slips (no table, no err, an option with no member and
 * no on_value). */
int cli_opt_parse(cli_opt_parser *p, int argc, char **argv, zf_error *err);

/* The spec of long option name[0..len) in specs, or NULL. */
const cli_opt *cli_opt_find(const cli_opt *specs, const char *name, size_t len, unsigned flags);

/* The usage after the command's name: "METHOD PATH [options]",
 * "MEETING --dir DIR [--no-progress]": required positionals and options,
 * then up to two optional ones by name or "[options]". */
int cli_opt_usage(zf_buf *out, const cli_opt *specs);

/* "Arguments:" (positionals with help) and "<heading>:" (the options), one
 * line each plus continuation lines, in table order, aligned; nothing for
 * a table without either. */
int cli_opt_help(zf_buf *out, const cli_opt *specs, const char *heading);

#endif
