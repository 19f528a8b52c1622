/*
 * Finding your way from what was typed (commands.h): the overview of
 * `zoomflow --help`, a group word alone (`zoomflow meetings`) listing its
 * verbs, and "did you mean" for a mistyped command or flag. Everything is
 * read from the command table and the option specs, so a new action or
 * flag is suggested without an edit here.
 *
 * A group word alone exits 0 with its verbs on stdout, as `gh repo` does:
 * asking what a group holds is not a mistake. A wrong verb after a group
 * word, or an unknown word, exits 2 (bad usage) with the suggestion.
 */
#include "commands.h"
#include "globals.h"
#include "suggest.h"

#include <string.h>

#define NAME_MAX_LEN 128 /* "--settings.approval-type", "meetings create" */

static size_t first_word_len(const char *name)
{
    return strcspn(name, " ");
}

static int in_group(const zf_cmd *c, const char *group)
{
    size_t n = strlen(group);
    return first_word_len(c->name) == n && strncmp(c->name, group, n) == 0 && c->name[n] == ' ';
}

int cli_is_group(const char *word)
{
    for (const zf_cmd *const *c = cli_commands(); *c; c++)
        if (in_group(*c, word))
            return 1;
    return 0;
}

void cli_print_overview(FILE *f)
{
    fputs("usage: zoomflow [global options] COMMAND [options]\n\n"
          "Connect a Zoom account once (OAuth 2.0 or Server-to-Server), then run Zoom\n"
          "actions from scripts and workflows.\n\nCommands:\n",
          f);
    for (const zf_cmd *const *c = cli_commands(); *c; c++)
        fprintf(f, "  %-26s %s\n", (*c)->name, cli_cmd_summary(*c));
    zf_buf b = ZF_BUF_INIT(1 << 16), env = ZF_BUF_INIT(1 << 16);
    cli_opt_help(&b, cli_global_opts, CLI_GLOBALS_HEADING);
    cli_env_help(&env);
    fprintf(f, "\n%s\n%s\n%s\n%s", zf_buf_cstr(&b), cli_global_notes, zf_buf_cstr(&env),
            cli_exit_help);
    zf_buf_free(&b);
    zf_buf_free(&env);
}

int cli_print_group(const char *group, FILE *f)
{
    if (!cli_is_group(group))
        return 0;
    fprintf(f, "usage: zoomflow %s COMMAND [flags]\n\nCommands:\n", group);
    for (const zf_cmd *const *c = cli_commands(); *c; c++)
        if (in_group(*c, group))
            fprintf(f, "  %-26s %s\n", (*c)->name, cli_cmd_summary(*c));
    fprintf(f, "\n`zoomflow %s COMMAND --help` shows a command's flags.\n", group);
    return 1;
}

/* The nearest command to argv[0] (argv[1]): a whole name, or a group
 * whose verb is argv[1] ("meetngs list" -> "meetings list"). */
static void nearest_command(char *out, size_t n, int argc, char **argv)
{
    zf_suggest s;
    char want[NAME_MAX_LEN];
    out[0] = '\0';
    if (argc >= 2) { /* two words first: "meetngs lsit" */
        snprintf(want, sizeof want, "%s %s", argv[0], argv[1]);
        zf_suggest_init(&s, want);
        for (const zf_cmd *const *c = cli_commands(); *c; c++)
            if (strchr((*c)->name, ' '))
                zf_suggest_offer(&s, (*c)->name);
        if (s.best) {
            snprintf(out, n, "%s", s.best);
            return;
        }
    }
    zf_suggest_init(&s, argv[0]);
    char words[64][NAME_MAX_LEN];
    size_t nw = 0;
    for (const zf_cmd *const *c = cli_commands(); *c && nw < 64; c++) {
        size_t l = first_word_len((*c)->name);
        snprintf(words[nw], NAME_MAX_LEN, "%.*s", (int)l, (*c)->name);
        zf_suggest_offer(&s, words[nw]);
        if (s.best == words[nw])
            nw++;
    }
    if (s.best)
        snprintf(out, n, "%s", s.best);
}

int cli_no_such_command(int argc, char **argv)
{
    if (cli_is_group(argv[0])) {
        if (argc == 1) {
            cli_print_group(argv[0], stdout);
            return 0;
        }
        zf_suggest s;
        char want[NAME_MAX_LEN];
        snprintf(want, sizeof want, "%s %s", argv[0], argv[1]);
        zf_suggest_init(&s, want);
        for (const zf_cmd *const *c = cli_commands(); *c; c++)
            if (in_group(*c, argv[0]))
                zf_suggest_offer(&s, (*c)->name);
        fprintf(stderr, "zoomflow: unknown command '%s %s'\n", argv[0], argv[1]);
        if (s.best)
            fprintf(stderr, "hint: did you mean `zoomflow %s`?\n", s.best);
        cli_print_group(argv[0], stderr);
        return cli_exit_status(ZF_EVALIDATION);
    }
    char best[NAME_MAX_LEN];
    nearest_command(best, sizeof best, argc, argv);
    fprintf(stderr, "zoomflow: unknown command '%s'\n", argv[0]);
    fputs("usage: zoomflow [global options] COMMAND [options]\n", stderr);
    if (best[0])
        fprintf(stderr, "hint: did you mean `zoomflow %s`?\n", best);
    else
        fputs("hint: see `zoomflow --help` for the commands\n", stderr);
    return cli_exit_status(ZF_EVALIDATION);
}

/* ---- flags ---------------------------------------------------------------- */

typedef struct near_flag {
    zf_suggest s;
    char word[NAME_MAX_LEN];
    char best[NAME_MAX_LEN];
} near_flag;

/* Offers "--name" (name's '_' shown as '-', as typed). */
static void offer_flag(near_flag *nf, const char *prefix, const char *name)
{
    char cand[NAME_MAX_LEN];
    snprintf(cand, sizeof cand, "%s%s", prefix, name);
    for (char *p = cand; *p; p++)
        if (*p == '_')
            *p = '-';
    const char *before = nf->s.best;
    zf_suggest_offer(&nf->s, cand);
    if (nf->s.best != before) {
        snprintf(nf->best, sizeof nf->best, "%s", cand);
        nf->s.best = nf->best;
    }
}

static void offer_table(near_flag *nf, const cli_opt *specs)
{
    for (const cli_opt *o = specs; o && o->kind != CLI_OPT_END; o++)
        if (o->kind != CLI_OPT_POSITIONAL && o->kind != CLI_OPT_REST &&
            !(o->flags & CLI_OPT_HIDDEN))
            offer_flag(nf, "", o->name);
}

/* The members of the action's object fields, as --field.member: a flag
 * named as a member ("--mute-upon-entry") points at where it lives. */
static void offer_members(near_flag *nf, const zf_cmd *cmd)
{
    const zf_action *a = cmd && cmd->action_flags ? zf_action_find(cmd->action) : NULL;
    for (const zf_field *f = a ? a->input : NULL; f && f->name; f++) {
        if (!(f->types & ZF_T_OBJECT))
            continue;
        char prefix[NAME_MAX_LEN];
        snprintf(prefix, sizeof prefix, "%s.", f->name);
        for (const zf_field *m = f->fields; m && m->name; m++) {
            /* a member's own name, typed without its object, is near it */
            char bare[NAME_MAX_LEN];
            snprintf(bare, sizeof bare, "%s", m->name);
            for (char *p = bare; *p; p++)
                if (*p == '_')
                    *p = '-';
            if (zf_edit_distance(nf->word, bare, nf->s.max) <= nf->s.max &&
                zf_edit_distance(nf->word, bare, nf->s.max) < nf->s.best_d) {
                nf->s.best_d = zf_edit_distance(nf->word, bare, nf->s.max);
                snprintf(nf->best, sizeof nf->best, "%s%s", prefix, m->name);
                for (char *p = nf->best; *p; p++)
                    if (*p == '_')
                        *p = '-';
                nf->s.best = nf->best;
            }
        }
    }
}

int cli_parse_failed(const zf_cmd *cmd, const cli_opt_parser *p, zf_error *err)
{
    if (p->fault != CLI_OPT_UNKNOWN || !p->arg || p->arg[0] != '-' || p->arg[1] != '-')
        return cli_usage_fail(cmd, err);
    near_flag nf;
    const char *name = p->arg + 2;
    snprintf(nf.word, sizeof nf.word, "%.*s", (int)strcspn(name, "="), name);
    for (char *q = nf.word; *q; q++)
        if (*q == '_')
            *q = '-';
    nf.best[0] = '\0';
    char *dot = strchr(nf.word, '.');
    if (dot) {
        /* --setings.approval_type: the object flag before the dot is the
         * word; what follows is kept */
        char tail[NAME_MAX_LEN]; /* as typed: members keep their '_' */
        const char *raw = strchr(name, '.');
        snprintf(tail, sizeof tail, "%.*s", (int)strcspn(raw, "="), raw);
        *dot = '\0';
        zf_suggest_init(&nf.s, nf.word);
        for (const cli_opt *o = p->specs; o && o->kind != CLI_OPT_END; o++)
            if (o->flags & CLI_OPT_DOTTED)
                offer_flag(&nf, "", o->name);
        if (nf.s.best) {
            size_t hl = strlen(nf.best);
            if (hl + strlen(tail) < sizeof nf.best)
                memcpy(nf.best + hl, tail, strlen(tail) + 1);
            else
                nf.s.best = NULL;
        }
    } else {
        zf_suggest_init(&nf.s, nf.word);
        offer_table(&nf, p->specs);
        offer_table(&nf, p->also);
        offer_members(&nf, cmd);
    }
    if (nf.s.best) {
        char see[ZF_ERROR_HINT_MAX];
        snprintf(see, sizeof see, "%s", err->hint);
        zf_error_hint(err, "did you mean --%s? %s", nf.s.best, see);
    }
    return cli_usage_fail(cmd, err);
}

/* ---- values ---------------------------------------------------------------- */

/* The field at a problem's path ("settings.approval_type",
 * "custom_questions[1].value"), or NULL. */
static const zf_field *field_at(const zf_action *a, const char *path)
{
    const zf_field *list = a->input, *f = NULL;
    while (path && *path && list) {
        size_t n = strcspn(path, ".[");
        f = NULL;
        for (const zf_field *k = list; k->name && !f; k++)
            if (strlen(k->name) == n && !strncmp(k->name, path, n))
                f = k;
        if (!f)
            return NULL;
        path += n;
        while (*path == '[') { /* an array's item */
            path += strcspn(path, "]");
            path += *path == ']';
            f = f->items;
            if (!f)
                return NULL;
        }
        list = f->fields;
        path += *path == '.';
    }
    return f;
}

/* An unknown member ("settings.aproval_type"): the nearest of its
 * object's members, as a path. */
static void note_nearest_key(const zf_action *a, const char *path, FILE *out)
{
    const char *last = strrchr(path, '.');
    const zf_field *list = a->input;
    char parent[256] = "";
    if (last) {
        snprintf(parent, sizeof parent, "%.*s", (int)(last - path), path);
        const zf_field *pf = field_at(a, parent);
        list = pf ? pf->fields : NULL;
    }
    const char *word = last ? last + 1 : path;
    zf_suggest s;
    zf_suggest_init(&s, word);
    for (const zf_field *k = list; k && k->name; k++)
        zf_suggest_offer(&s, k->name);
    if (s.best)
        fprintf(out, "    did you mean %s%s%s?\n", parent, last ? "." : "", s.best);
}

void cli_note_nearest_value(void *ctx, const zf_problem *x, FILE *out)
{
    const zf_action *a = ctx;
    if (a && x->path && x->rule && !strcmp(x->rule, "unknown")) {
        note_nearest_key(a, x->path, out);
        return;
    }
    const zf_field *f = a && x->path ? field_at(a, x->path) : NULL;
    if (!f || !x->value || (strcmp(x->rule, "enum") && strcmp(x->rule, "format")))
        return;
    json_t *v = json_loads(x->value, JSON_DECODE_ANY, NULL);
    const char *given = json_string_value(v);
    zf_suggest s;
    if (given) {
        zf_suggest_init(&s, given);
        const char *const *cands = f->enum_str;
        if (!cands && f->format == ZF_FMT_TIMEZONE)
            cands = zf_schema_timezones();
        for (; cands && *cands; cands++)
            zf_suggest_offer(&s, *cands);
        if (s.best)
            fprintf(out, "    did you mean \"%s\"?\n", s.best);
    }
    json_decref(v);
}
