/*
 * zoomflow man: the manual page, in roff (man(7)), made from the text
 * --help prints: each command's cli_help_text (commands.h), the global
 * options, notes, environment and exit table of `zoomflow --help`, turned
 * into roff by one converter (help_to_roff). So the page says what --help
 * says, flag for flag and note for note; docs/zoomflow.1 is this output,
 * committed, and tests/integration/test_cli_completion.py checks both.
 *
 *   zoomflow man | man -l -        # read it
 *   zoomflow man > docs/zoomflow.1 # after adding a command or flag
 */
#include "commands.h"
#include "globals.h"

#include <ctype.h>
#include <string.h>

/* n bytes of s, escaped */
static void roffn(FILE *f, const char *s, size_t n, int bol)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        if (bol && (s[i] == '.' || s[i] == '\''))
            fputs("\\&", f);
        if (s[i] == '\\')
            fputs("\\e", f);
        else if (s[i] == '-')
            fputs("\\-", f);
        else
            fputc(s[i], f);
        bol = 0;
    }
}

/* An item's left side ("-v, --verbose", "--user-info JSON", "0",
 * "ZOOMFLOW_DB"): its first word and any flag bold, the rest italic. */
static void left_side(FILE *f, const char *s, size_t n)
{
    int first = 1;
    for (size_t i = 0; i < n;) {
        size_t w = 0;
        while (i + w < n && s[i + w] != ' ')
            w++;
        int bold = first || s[i] == '-', comma = w > 1 && s[i + w - 1] == ',';
        fputs(bold ? "\\fB" : "\\fI", f);
        roffn(f, s + i, w - (size_t)comma, 0);
        fputs(comma ? "\\fR," : "\\fR", f);
        i += w;
        while (i < n && s[i] == ' ')
            i++;
        if (i < n)
            fputc(' ', f);
        first = 0;
    }
}

static size_t indent_of(const char *line)
{
    size_t n = 0;
    while (line[n] == ' ')
        n++;
    return n;
}

static size_t line_len(const char *line)
{
    return strcspn(line, "\n");
}

/* "Zoom call: ...", "Scope: ...": a short label before ": " */
static int label_line(const char *line, size_t len)
{
    size_t i = 0;
    if (!isupper((unsigned char)line[0]))
        return 0;
    while (i < len && i < 24 && (isalpha((unsigned char)line[i]) || line[i] == ' '))
        i++;
    return i + 1 < len && line[i] == ':' && line[i + 1] == ' ';
}

/* A heading: a line at column 0 ending in ':' with an indented line next. */
static int heading(const char *line, size_t len)
{
    const char *next = line[len] ? line + len + 1 : "";
    return len > 1 && line[0] != ' ' && line[len - 1] == ':' && next[0] == ' ' && next[1] == ' ';
}

/* Help text to roff. Paragraphs (lines at column 0) are filled, a label
 * line ("Scope: ...") on its own line; a heading ("Options:") starts a
 * list of items: "  LEFT  TEXT" (TEXT continued on deeper-indented lines)
 * becomes .TP, "  - TEXT" a bullet; indented lines outside a list stay as
 * they are (.nf). skip_first: the first heading is the section's title. */
static void help_to_roff(FILE *f, const char *text, int skip_first)
{
    int in_list = 0, para = 0, headings = 0;
    const char *line = text;
    while (*line) {
        size_t len = line_len(line);
        const char *next = line[len] ? line + len + 1 : line + len;
        if (len == 0) {
            in_list = 0;
            para = 0;
            line = next;
            continue;
        }
        if (heading(line, len)) {
            if (headings++ || !skip_first) {
                fputs(".PP\n\\fB", f);
                roffn(f, line, len, 0);
                fputs("\\fR\n", f);
            }
            in_list = 1;
            para = 0;
            line = next;
            continue;
        }
        size_t ind = indent_of(line);
        if (ind == 0) {
            if (!para++)
                fputs(".PP\n", f);
            roffn(f, line, len, 1);
            fputc('\n', f);
            if (*next && next[0] != ' ' && next[0] != '\n' && label_line(next, line_len(next)))
                fputs(".br\n", f);
            line = next;
            continue;
        }
        if (!in_list) { /* an example: as it is */
            fputs(".PP\n.nf\n", f);
            while (*line && line[0] == ' ') {
                len = line_len(line);
                roffn(f, line, len, 1);
                fputc('\n', f);
                line = line[len] ? line + len + 1 : line + len;
            }
            fputs(".fi\n", f);
            para = 0;
            continue;
        }
        const char *s = line + ind;
        size_t n = len - ind;
        int any = 1; /* the item's line has text of its own */
        if (n >= 2 && s[0] == '-' && s[1] == ' ') {
            fputs(".IP \\(bu 2\n", f);
            roffn(f, s + 2, n - 2, 1);
        } else {
            const char *gap = strstr(s, "  ");
            size_t left = gap && gap < s + n ? (size_t)(gap - s) : n;
            fputs(".TP\n", f);
            left_side(f, s, left);
            fputc('\n', f);
            const char *t = s + left;
            while (t < s + n && *t == ' ')
                t++;
            roffn(f, t, (size_t)(s + n - t), 1);
            any = t < s + n;
        }
        /* continuation lines: deeper than the item's indent */
        while (*next && indent_of(next) > ind && next[indent_of(next)] != '\n') {
            size_t nl = line_len(next), ni = indent_of(next);
            if (any)
                fputc(' ', f);
            roffn(f, next + ni, nl - ni, !any);
            any = 1;
            next = next[nl] ? next + nl + 1 : next + nl;
        }
        fputc('\n', f);
        line = next;
    }
}

static void help_buf_to_roff(FILE *f, const zf_buf *b, int skip_first)
{
    help_to_roff(f, zf_buf_cstr(b), skip_first);
}

static void page(FILE *f)
{
    fputs(".\\\" generated by `zoomflow man` from the --help texts; do not edit\n"
          ".TH ZOOMFLOW 1 \"\" \"zoomflow\" \"User Commands\"\n"
          ".SH NAME\nzoomflow \\- Zoom actions from scripts and workflows\n"
          ".SH SYNOPSIS\n.B zoomflow\n[\\fIglobal options\\fR]\n\\fICOMMAND\\fR "
          "[\\fIoptions\\fR]\n"
          ".SH DESCRIPTION\nConnect a Zoom account once (OAuth 2.0 or Server\\-to\\-Server), "
          "then run Zoom actions from scripts and workflows.\n"
          "\\fBzoomflow help\\fR \\fICOMMAND\\fR or \\fBzoomflow\\fR \\fICOMMAND\\fR "
          "\\fB\\-\\-help\\fR prints a command's section of this page.\n"
          ".SH GLOBAL OPTIONS\n",
          f);
    zf_buf b = ZF_BUF_INIT(1 << 22);
    cli_opt_help(&b, cli_global_opts, CLI_GLOBALS_HEADING);
    zf_buf_puts(&b, "\n");
    zf_buf_puts(&b, cli_global_notes);
    help_buf_to_roff(f, &b, 1);
    fputs(".SH COMMANDS\nEvery action command (one per action of the registry):\n", f);
    help_to_roff(f, cli_action_help, 0);
    for (const zf_cmd *const *c = cli_commands(); *c; c++) {
        zf_buf_reset(&b);
        cli_cmd_usage(*c, &b);
        fputs(".SS ", f);
        roffn(f, (*c)->name, strlen((*c)->name), 0);
        fputs("\n.B zoomflow ", f);
        roffn(f, (*c)->name, strlen((*c)->name), 0);
        fputc('\n', f);
        if (b.len) {
            roffn(f, b.ptr, b.len, 1);
            fputc('\n', f);
        }
        zf_buf_reset(&b);
        cli_help_text(*c, &b, 0);
        help_buf_to_roff(f, &b, 0);
    }
    fputs(".SH ENVIRONMENT\n", f);
    zf_buf_reset(&b);
    cli_env_help(&b);
    help_buf_to_roff(f, &b, 1);
    fputs(".SH EXIT STATUS\n", f);
    help_to_roff(f, cli_exit_help, 1);
    fputs(".SH SEE ALSO\ndocs/cli.md, docs/actions.md; "
          "\\fBzoomflow completion\\fR bash|zsh\n",
          f);
    zf_buf_free(&b);
}

static int run(cli_ctx *ctx, int argc, char **argv)
{
    int status = cli_parse_args(ctx->cmd, NULL, NULL, NULL, argc, argv);
    if (status)
        return status;
    page(stdout);
    return 0;
}

const zf_cmd zf_cmd_man = {
    .name = "man",
    .summary = "print the manual page (roff), made from the command table",
    .help = "Read it with: zoomflow man | man -l -\n",
    .run = run,
};
