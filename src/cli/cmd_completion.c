/*
 * zoomflow completion bash|zsh: a completion script made from the command
 * table and the option specs (commands.h, globals.h), so a new action or
 * flag completes without an edit here. It completes command words (a
 * group, then its verbs; `help`'s words as command words), then the
 * command's flags and the global flags, and a flag's value: its choices
 * (cli_opt.choices, or the enum of an action's field: `--format`,
 * `--status`), else file names; a positional with choices (`completion
 * bash|zsh`) the same. What it lists is what --help lists:
 * tests/integration/test_cli_completion.py checks it by running the bash
 * script, and the zsh one with stand-ins for zsh's completion builtins.
 *
 *   source <(zoomflow completion bash)        # bash, e.g. in ~/.bashrc
 *   zoomflow completion zsh > ~/.zfunc/_zoomflow   # zsh, a dir in $fpath
 */
#include "commands.h"
#include "globals.h"

#include <inttypes.h>
#include <string.h>

typedef struct completion_args {
    const char *shell;
} completion_args;

static const char *const shell_names[] = {"bash", "zsh", NULL};

static const cli_opt completion_opts[] = {{.kind = CLI_OPT_POSITIONAL,
                                           .name = "bash|zsh",
                                           .at = CLI_AT(completion_args, shell),
                                           .choices = shell_names,
                                           .help = "the shell the script is for"},
                                          {0}};

/* "--name" as typed (a field's '_' as '-'), space-separated, into a buf. */
static void put_flag(void *ctx, const cli_opt *o)
{
    zf_buf *b = ctx;
    if (o->kind == CLI_OPT_POSITIONAL || o->kind == CLI_OPT_REST)
        return;
    zf_buf_appendf(b, "%s--", b->len ? " " : "");
    for (const char *c = o->name; *c; c++)
        zf_buf_putc(b, *c == '_' ? '-' : *c);
    if (o->alias)
        zf_buf_appendf(b, " -%c", o->alias);
}

static int is_first_of_group(const zf_cmd *const *c, const zf_cmd *const *all)
{
    size_t n = strcspn((*c)->name, " ");
    for (const zf_cmd *const *p = all; p < c; p++)
        if (strcspn((*p)->name, " ") == n && !strncmp((*p)->name, (*c)->name, n))
            return 0;
    return 1;
}

/* The top words (one-word commands and groups), space-separated. */
static void top_words(zf_buf *b)
{
    const zf_cmd *const *all = cli_commands();
    for (const zf_cmd *const *c = all; *c; c++)
        if (is_first_of_group(c, all))
            zf_buf_appendf(b, "%s%.*s", b->len ? " " : "", (int)strcspn((*c)->name, " "),
                           (*c)->name);
}

/* One case arm per command: its name echoes its flags. */
static int per_command(FILE *f)
{
    for (const zf_cmd *const *c = cli_commands(); *c; c++) {
        zf_buf b = ZF_BUF_INIT(1 << 16);
        zf_buf_puts(&b, "--help"); /* every command takes it (main.c) */
        if (cli_cmd_each_opt(*c, put_flag, &b) != 0 || b.failed) {
            zf_buf_free(&b);
            return ZF_ENOMEM;
        }
        fprintf(f, "    \"%s\") echo \"%s\" ;;\n", (*c)->name, zf_buf_cstr(&b));
        zf_buf_free(&b);
    }
    return 0;
}

static int print_verbs(FILE *f)
{
    const zf_cmd *const *all = cli_commands();
    for (const zf_cmd *const *c = all; *c; c++) {
        if (!is_first_of_group(c, all)) /* "actions" heads "actions schema" too */
            continue;
        size_t n = strcspn((*c)->name, " ");
        zf_buf b = ZF_BUF_INIT(1 << 12);
        for (const zf_cmd *const *v = c; *v; v++)
            if (strcspn((*v)->name, " ") == n && !strncmp((*v)->name, (*c)->name, n) &&
                (*v)->name[n] == ' ')
                zf_buf_appendf(&b, "%s%s", b.len ? " " : "", (*v)->name + n + 1);
        if (b.len)
            fprintf(f, "    %.*s) echo \"%s\" ;;\n", (int)n, (*c)->name, zf_buf_cstr(&b));
        zf_buf_free(&b);
    }
    return 0;
}

/* ---- values ---------------------------------------------------------------- */

static int takes_value(const cli_opt *o)
{
    return o->kind == CLI_OPT_VALUE || o->kind == CLI_OPT_LIST;
}

/* o's choices, space-separated: cli_opt.choices, else the enum of the
 * action field the flag sets; nothing: a free value. */
static void put_choices(zf_buf *b, const cli_opt *o, const zf_action *a)
{
    const zf_field *f = a ? cli_action_opt_field(a, o) : NULL;
    const char *const *words = o->choices ? o->choices : f ? f->enum_str : NULL;
    for (const char *const *w = words; w && *w; w++)
        zf_buf_appendf(b, "%s%s", b->len ? " " : "", *w);
    for (size_t i = 0; !words && f && i < f->n_enum_int; i++)
        zf_buf_appendf(b, "%s%" PRId64, b->len ? " " : "", f->enum_int[i]);
}

/* "--name" as typed, and "-x" */
static void put_names(zf_buf *b, const cli_opt *o, const char *sep)
{
    zf_buf_puts(b, "--");
    for (const char *c = o->name; *c; c++)
        zf_buf_putc(b, *c == '_' ? '-' : *c);
    if (o->alias)
        zf_buf_appendf(b, "%s-%c", sep, o->alias);
}

typedef struct value_arms {
    FILE *f;
    const zf_cmd *cmd;
    const zf_action *a;
    int rc;
} value_arms;

/* One case arm per value flag of a command: "CMD --flag") echo CHOICES */
static void value_arm(void *ctx, const cli_opt *o)
{
    value_arms *v = ctx;
    if (!takes_value(o))
        return;
    zf_buf names = ZF_BUF_INIT(1 << 10), choices = ZF_BUF_INIT(1 << 14);
    zf_buf_appendf(&names, "\"%s --", v->cmd->name);
    for (const char *c = o->name; *c; c++)
        zf_buf_putc(&names, *c == '_' ? '-' : *c);
    zf_buf_putc(&names, '"');
    if (o->alias)
        zf_buf_appendf(&names, "|\"%s -%c\"", v->cmd->name, o->alias);
    put_choices(&choices, o, v->a);
    if (names.failed || choices.failed)
        v->rc = ZF_ENOMEM;
    fprintf(v->f, "    %s) echo \"%s\" ;;\n", zf_buf_cstr(&names), zf_buf_cstr(&choices));
    zf_buf_free(&names);
    zf_buf_free(&choices);
}

/* _zoomflow_value CMD FLAG: prints FLAG's choices (nothing: files) and
 * returns 0 when FLAG takes a value there, 1 when it does not. */
static int print_values(FILE *f)
{
    value_arms v = {f, NULL, NULL, 0};
    fputs("_zoomflow_value() {\n    case \"$1 $2\" in\n", f);
    for (const zf_cmd *const *c = cli_commands(); *c; c++) {
        v.cmd = *c;
        v.a = (*c)->action_flags ? zf_action_find((*c)->action) : NULL;
        if (cli_cmd_each_opt(*c, value_arm, &v) != 0)
            v.rc = ZF_ENOMEM;
    }
    fputs("    *)\n        case \"$2\" in\n", f);
    zf_buf globals = ZF_BUF_INIT(1 << 12);
    for (const cli_opt *o = cli_global_opts; o->kind != CLI_OPT_END; o++) {
        if (!takes_value(o))
            continue;
        zf_buf_puts(&globals, globals.len ? "|" : "");
        put_names(&globals, o, "|");
    }
    fprintf(f, "        %s) ;;\n        *) return 1 ;;\n        esac ;;\n    esac\n}\n",
            zf_buf_cstr(&globals));
    zf_buf_free(&globals);
    return v.rc;
}

/* _zoomflow_args CMD: the choices of the command's first positional
 * (completion: bash zsh); _zoomflow_cmdwords: the commands whose
 * positionals are command words (help), as a case pattern. */
static int print_args(FILE *f, zf_buf *cmdwords)
{
    fputs("_zoomflow_args() {\n    case \"$1\" in\n", f);
    for (const zf_cmd *const *c = cli_commands(); *c; c++) {
        for (const cli_opt *o = (*c)->opts; o && o->kind != CLI_OPT_END; o++) {
            if (o->kind != CLI_OPT_POSITIONAL && o->kind != CLI_OPT_REST)
                continue;
            if (o->complete == CLI_COMPLETE_COMMAND)
                zf_buf_appendf(cmdwords, "%s\"%s\"", cmdwords->len ? "|" : "", (*c)->name);
            zf_buf b = ZF_BUF_INIT(1 << 12);
            put_choices(&b, o, NULL);
            if (b.len)
                fprintf(f, "    \"%s\") echo \"%s\" ;;\n", (*c)->name, zf_buf_cstr(&b));
            zf_buf_free(&b);
            break; /* the first positional */
        }
    }
    fputs("    esac\n}\n", f);
    if (!cmdwords->len)
        zf_buf_puts(cmdwords, "\"\"");
    return cmdwords->failed ? ZF_ENOMEM : 0;
}

/* The parts both scripts share: verbs, flags, values, args. */
static int print_tables(FILE *f, zf_buf *cmdwords)
{
    fputs("_zoomflow_verbs() {\n    case \"$1\" in\n", f);
    print_verbs(f);
    fputs("    esac\n}\n_zoomflow_flags() {\n    case \"$1\" in\n", f);
    int rc = per_command(f);
    fputs("    esac\n}\n", f);
    if (rc == 0)
        rc = print_values(f);
    if (rc == 0)
        rc = print_args(f, cmdwords);
    return rc;
}

static int bash(FILE *f)
{
    zf_buf top = ZF_BUF_INIT(1 << 12), globals = ZF_BUF_INIT(1 << 12),
           cmdwords = ZF_BUF_INIT(1 << 12);
    top_words(&top);
    for (const cli_opt *o = cli_global_opts; o->kind != CLI_OPT_END; o++)
        put_flag(&globals, o);
    fputs("# bash completion for zoomflow (generated by `zoomflow completion bash`)\n", f);
    int rc = print_tables(f, &cmdwords);
    fprintf(f,
            "_zoomflow_setcmd() {\n"
            "    local n=${#words[@]}\n"
            "    if ((n >= 2)) && [[ -n \"$(_zoomflow_flags \"${words[0]} ${words[1]}\")\" ]]; "
            "then\n"
            "        cmd=\"${words[0]} ${words[1]}\"\n"
            "    elif ((n >= 1)) && [[ -n \"$(_zoomflow_flags \"${words[0]}\")\" ]]; then\n"
            "        cmd=\"${words[0]}\"\n"
            "    fi\n"
            "}\n"
            "_zoomflow() {\n"
            "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\" i w skip=0 cmd=\"\" nwords=0 "
            "vals\n"
            "    local -a words=() cw=()\n"
            "    ((COMP_CWORD > 1)) && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
            "    if [[ \"$prev\" == \"=\" ]] && ((COMP_CWORD > 2)); then\n"
            "        prev=\"${COMP_WORDS[COMP_CWORD-2]}\"\n"
            "    fi\n"
            "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
            "        w=\"${COMP_WORDS[i]}\"\n"
            "        if ((skip)); then skip=0; continue; fi\n"
            "        case \"$w\" in\n"
            "        =) skip=1 ;;\n"
            "        --*=*) ;;\n"
            "        -*) [[ \"${COMP_WORDS[i+1]}\" != \"=\" ]] && _zoomflow_value \"$cmd\" \"$w\" "
            ">/dev/null && skip=1 ;;\n"
            "        *) words+=(\"$w\"); _zoomflow_setcmd ;;\n"
            "        esac\n"
            "    done\n"
            "    nwords=${#words[@]}\n"
            "    if [[ \"$cur\" != -* && \"$prev\" == -* ]] && vals=\"$(_zoomflow_value \"$cmd\" "
            "\"$prev\")\"; then\n"
            "        if [[ -n \"$vals\" ]]; then\n"
            "            COMPREPLY=($(compgen -W \"$vals\" -- \"$cur\"))\n"
            "        else\n"
            "            COMPREPLY=($(compgen -f -- \"$cur\"))\n"
            "        fi\n"
            "        return 0\n"
            "    fi\n"
            "    if [[ \"$cur\" == -* ]]; then\n"
            "        COMPREPLY=($(compgen -W \"$(_zoomflow_flags \"$cmd\") %s\" -- \"$cur\"))\n"
            "        return 0\n"
            "    fi\n"
            "    case \"$cmd\" in\n"
            "    %s) words=(\"${words[@]:1}\"); nwords=$((nwords - 1)); cmd=\"\" ;;\n"
            "    esac\n"
            "    cw=($cmd)\n"
            "    if ((nwords == 0)); then\n"
            "        COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n"
            "    elif ((nwords == 1)) && [[ -n \"$(_zoomflow_verbs \"${words[0]}\")\" ]]; then\n"
            "        COMPREPLY=($(compgen -W \"$(_zoomflow_verbs \"${words[0]}\")\" -- \"$cur\"))\n"
            "    elif ((nwords == ${#cw[@]})) && vals=\"$(_zoomflow_args \"$cmd\")\" && "
            "[[ -n \"$vals\" ]]; then\n"
            "        COMPREPLY=($(compgen -W \"$vals\" -- \"$cur\"))\n"
            "    else\n"
            "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
            "    fi\n"
            "}\n"
            "complete -o filenames -F _zoomflow zoomflow\n",
            zf_buf_cstr(&globals), zf_buf_cstr(&cmdwords), zf_buf_cstr(&top));
    zf_buf_free(&top);
    zf_buf_free(&globals);
    zf_buf_free(&cmdwords);
    return rc;
}

static int zsh(FILE *f)
{
    zf_buf top = ZF_BUF_INIT(1 << 12), globals = ZF_BUF_INIT(1 << 12),
           cmdwords = ZF_BUF_INIT(1 << 12);
    top_words(&top);
    for (const cli_opt *o = cli_global_opts; o->kind != CLI_OPT_END; o++)
        put_flag(&globals, o);
    fputs("#compdef zoomflow\n"
          "# zsh completion for zoomflow (generated by `zoomflow completion zsh`)\n",
          f);
    int rc = print_tables(f, &cmdwords);
    fprintf(
        f,
        "_zoomflow_setcmd() {\n"
        "    if (( ${#typed} >= 2 )) && [[ -n \"$(_zoomflow_flags \"${typed[1]} ${typed[2]}\")\" "
        "]]; then\n"
        "        cmd=\"${typed[1]} ${typed[2]}\"\n"
        "    elif (( ${#typed} >= 1 )) && [[ -n \"$(_zoomflow_flags \"${typed[1]}\")\" ]]; then\n"
        "        cmd=\"${typed[1]}\"\n"
        "    fi\n"
        "}\n"
        "_zoomflow() {\n"
        "    local cur=\"${words[CURRENT]}\" prev=\"\" w cmd=\"\" skip=0 vals i\n"
        "    local -a typed cw\n"
        "    (( CURRENT > 2 )) && prev=\"${words[CURRENT-1]}\"\n"
        "    for (( i = 2; i < CURRENT; i++ )); do\n"
        "        w=\"${words[i]}\"\n"
        "        if (( skip )); then skip=0; continue; fi\n"
        "        case \"$w\" in\n"
        "        --*=*) ;;\n"
        "        -*) _zoomflow_value \"$cmd\" \"$w\" >/dev/null && skip=1 ;;\n"
        "        *) typed+=(\"$w\"); _zoomflow_setcmd ;;\n"
        "        esac\n"
        "    done\n"
        "    if [[ \"$cur\" == --*=* ]] && vals=\"$(_zoomflow_value \"$cmd\" \"${cur%%%%=*}\")\"; "
        "then\n"
        "        compset -P '*='\n"
        "        if [[ -n \"$vals\" ]]; then compadd -- ${=vals}; else _files; fi\n"
        "        return\n"
        "    fi\n"
        "    if [[ \"$cur\" != -* && \"$prev\" == -* ]] && vals=\"$(_zoomflow_value \"$cmd\" "
        "\"$prev\")\"; then\n"
        "        if [[ -n \"$vals\" ]]; then compadd -- ${=vals}; else _files; fi\n"
        "        return\n"
        "    fi\n"
        "    if [[ \"$cur\" == -* ]]; then\n"
        "        compadd -- ${=$(_zoomflow_flags \"$cmd\")} %s\n"
        "        return\n"
        "    fi\n"
        "    case \"$cmd\" in\n"
        "    %s) typed=(\"${(@)typed[2,-1]}\"); cmd=\"\" ;;\n"
        "    esac\n"
        "    cw=(${=cmd})\n"
        "    if (( ${#typed} == 0 )); then\n"
        "        compadd -- %s\n"
        "    elif (( ${#typed} == 1 )) && [[ -n \"$(_zoomflow_verbs \"${typed[1]}\")\" ]]; then\n"
        "        compadd -- ${=$(_zoomflow_verbs \"${typed[1]}\")}\n"
        "    elif (( ${#typed} == ${#cw} )) && vals=\"$(_zoomflow_args \"$cmd\")\" && "
        "[[ -n \"$vals\" ]]; then\n"
        "        compadd -- ${=vals}\n"
        "    else\n"
        "        _files\n"
        "    fi\n"
        "}\n"
        "_zoomflow \"$@\"\n",
        zf_buf_cstr(&globals), zf_buf_cstr(&cmdwords), zf_buf_cstr(&top));
    zf_buf_free(&top);
    zf_buf_free(&globals);
    zf_buf_free(&cmdwords);
    return rc;
}

/* in shell_names' order */
static int (*const printers[])(FILE *f) = {bash, zsh};

static int run(cli_ctx *ctx, int argc, char **argv)
{
    completion_args a = {NULL};
    int status = cli_parse_args(ctx->cmd, &a, NULL, NULL, argc, argv);
    if (status)
        return status;
    if (!a.shell)
        return cli_usage_error(ctx->cmd, "completion needs the shell: zoomflow completion %s",
                               ctx->cmd->usage);
    for (size_t i = 0; shell_names[i]; i++)
        if (!strcmp(shell_names[i], a.shell))
            return printers[i](stdout) == 0 ? 0 : 1;
    return cli_usage_error(ctx->cmd, "no completion for shell '%s' (bash or zsh)", a.shell);
}

const zf_cmd zf_cmd_completion = {
    .name = "completion",
    .summary = "print a bash or zsh completion script made from the command table",
    .usage = "bash|zsh",
    .opts = completion_opts,
    .help = "bash: source <(zoomflow completion bash), e.g. in ~/.bashrc\n"
            "zsh:  zoomflow completion zsh > DIR/_zoomflow, DIR in $fpath (then compinit)\n",
    .run = run,
};
