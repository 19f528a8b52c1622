/* The strict reader of batch_state.h's records. */
#include "batch_state.h"

#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "zoomflow/json.h"

#define RESULT_MAX (1u << 20)
#define LINE_SHOW 60

static int bad(zf_error *err, long line, const char *what, const char *text, size_t n)
{
    zf_error_set(err, ZF_EVALIDATION, "line %ld: %s: '%.*s%s'", line, what,
                 (int)(n > LINE_SHOW ? LINE_SHOW : n), text, n > LINE_SHOW ? "..." : "");
    return ZF_EVALIDATION;
}

/* "N" within [1, nrows] at s[0..n) (up to a space or the end). */
static int row_number(const char *s, size_t n, size_t nrows, size_t *out)
{
    long long v;
    if (cli_parse_int(s, n, 1, (long long)nrows, &v) != 0)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* Field k (from 0) of a header line s[0..n): its start, *len its length. */
static const char *field(const char *s, size_t n, int k, size_t *len)
{
    size_t i = 0;
    for (int f = 0; f < k; f++) {
        while (i < n && s[i] != ' ')
            i++;
        if (i >= n)
            return *len = 0, NULL;
        i++;
    }
    size_t j = i;
    while (j < n && s[j] != ' ')
        j++;
    *len = j - i;
    return s + i;
}

static int same_field(const char *got, size_t gn, const char *want, int k)
{
    size_t a, b;
    const char *x = field(got, gn, k, &a), *y = field(want, strlen(want), k, &b);
    return x && y && a == b && memcmp(x, y, a) == 0;
}

/* The fields: magic, version, action, hash, rows, flags, input. A file
 * of an earlier version has no flags and input fields. */
static int header_mismatch(zf_error *err, const char *got, size_t n, const char *want)
{
    size_t rl, wl;
    const char *rows = field(got, n, 4, &rl), *wrows = field(want, strlen(want), 4, &wl);
    char what[200];
    if (!same_field(got, n, want, 2)) {
        size_t al;
        const char *act = field(got, n, 2, &al);
        snprintf(what, sizeof what, "another action (%.*s)", act ? (int)(al > 60 ? 60 : al) : 1,
                 act ? act : "?");
    } else if (field(got, n, 6, &rl) == NULL) {
        snprintf(what, sizeof what, "another input or other flags given for every row");
    } else {
        int fl = !same_field(got, n, want, 5), in = !same_field(got, n, want, 6);
        snprintf(what, sizeof what, "%s%s%s", in ? "another input" : "", in && fl ? " and " : "",
                 fl ? "other flags given for every row (or another --profile)" : "");
        if (!in && !fl)
            snprintf(what, sizeof what, "another input");
    }
    rows = field(got, n, 4, &rl);
    zf_error_set(err, ZF_EVALIDATION,
                 "the state file belongs to another run: it was written for %s (its input had "
                 "%.*s rows, this one has %.*s)",
                 what, rows ? (int)(rl > 20 ? 20 : rl) : 1, rows ? rows : "?", wrows ? (int)wl : 1,
                 wrows ? wrows : "?");
    zf_error_hint(err, "resume with the original input and flags; a new --state-file would send "
                       "the rows that run did again (duplicates in Zoom), so remove those rows "
                       "from the new input first if you change it");
    return ZF_EVALIDATION;
}

/* A failure that was Zoom's definite refusal, or never left: nothing was
 * made, so the row is sent again without a look first. */
static int definite_refusal(const char *code)
{
    static const int codes[] = {ZF_EZOOM,     ZF_ERATELIMIT,  ZF_EDAILYLIMIT,   ZF_ENOTFOUND,
                                ZF_ECONFLICT, ZF_EVALIDATION, ZF_EINVAL,        ZF_ESCOPE,
                                ZF_EAUTH,     ZF_EREAUTH,     ZF_ENOTCONNECTED, ZF_ECONFIG};
    for (size_t i = 0; code && i < sizeof codes / sizeof codes[0]; i++)
        if (!strcmp(code, zf_code_name(codes[i])))
            return 1;
    return 0;
}

static int status_ok(const char *s, int *ok)
{
    if (!strcmp(s, "done") || !strcmp(s, "found"))
        *ok = 1;
    else if (!strcmp(s, "failed"))
        *ok = 0;
    else
        return -1;
    return 0;
}

static int record(cli_bstate *st, const char *l, size_t n, long line, zf_error *err)
{
    size_t row;
    if (n > 5 && !memcmp(l, "sent ", 5)) {
        const char *sp = memchr(l + 5, ' ', n - 5);
        long long t;
        if (!sp || row_number(l + 5, (size_t)(sp - l - 5), st->nrows, &row) != 0 ||
            cli_parse_int(sp + 1, n - (size_t)(sp + 1 - l), 0, INT64_MAX, &t) != 0)
            return bad(err, line, "not a 'sent ROW SECONDS' record", l, n);
        cli_bstate_row *r = &st->rows[row - 1];
        if (r->ok)
            return bad(err, line, "a row sent again after it was done", l, n);
        if (!r->sent) {
            r->sent = 1;
            r->sent_at = t;
        }
        return 0;
    }
    if (n > 5 && !memcmp(l, "done ", 5)) {
        const char *sp = memchr(l + 5, ' ', n - 5);
        if (!sp || row_number(l + 5, (size_t)(sp - l - 5), st->nrows, &row) != 0)
            return bad(err, line, "not a 'done ROW RESULT' record", l, n);
        cli_bstate_row *r = &st->rows[row - 1];
        if (r->ok)
            return bad(err, line, "a second result for a row already done", l, n);
        const char *js = sp + 1;
        size_t jn = n - (size_t)(js - l);
        json_t *o = NULL;
        zf_error je = ZF_ERROR_INIT;
        int ok = 0;
        if (zf_json_parse(&o, js, jn, RESULT_MAX, "result", &je) != 0) {
            json_decref(o);
            return bad(err, line, "a result that is not a JSON object", l, n);
        }
        json_t *rn = json_object_get(o, "row");
        const char *status = json_string_value(json_object_get(o, "status"));
        int fit = json_is_integer(rn) && json_integer_value(rn) == (json_int_t)row && status &&
                  status_ok(status, &ok) == 0;
        int refused = !ok && definite_refusal(json_string_value(
                                 json_object_get(json_object_get(o, "error"), "code")));
        json_decref(o);
        if (!fit)
            return bad(err, line, "a result without its row or a known status", l, n);
        char *copy = malloc(jn + 1);
        if (!copy)
            return zf_error_set(err, ZF_ENOMEM, "out of memory");
        memcpy(copy, js, jn);
        copy[jn] = '\0';
        free(r->result);
        r->result = copy;
        r->ok = ok;
        if (ok || refused)
            r->sent = 0; /* done, or refused by Zoom: nothing to look for */
        return 0;
    }
    return bad(err, line, "not a batch state record", l, n);
}

/* An earlier version's header: this one's without the flags and input
 * fields. */
static int old_header(const char *l, size_t n, const char *header)
{
    size_t fl;
    const char *f = field(header, strlen(header), 5, &fl);
    return f && n == (size_t)(f - 1 - header) && memcmp(l, header, n) == 0;
}

int cli_bstate_parse(cli_bstate *st, const char *text, size_t len, const char *header, size_t nrows,
                     zf_error *err)
{
    memset(st, 0, sizeof *st);
    st->nrows = nrows;
    if (!(st->rows = calloc(nrows ? nrows : 1, sizeof *st->rows)))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    size_t pos = 0;
    long line = 0;
    while (pos < len) {
        const char *l = text + pos;
        const char *nl = memchr(l, '\n', len - pos);
        line++;
        if (!nl) { /* cut short by a crash: ignored, cut off by the writer */
            st->truncated = 1;
            break;
        }
        size_t n = (size_t)(nl - l);
        if (memchr(l, '\0', n)) {
            cli_bstate_free(st);
            return bad(err, line, "a NUL byte in", l, strlen(l));
        }
        int rc;
        if (line == 1) {
            size_t mn = strlen(CLI_BSTATE_MAGIC);
            if (n < mn || memcmp(l, CLI_BSTATE_MAGIC, mn) != 0)
                rc = bad(err, line, "not a zoomflow batch state file (its first line is", l, n);
            else if ((n != strlen(header) || memcmp(l, header, n) != 0) &&
                     !old_header(l, n, header))
                rc = header_mismatch(err, l, n, header);
            else
                rc = 0, st->has_header = 1;
        } else {
            rc = record(st, l, n, line, err);
        }
        if (rc) {
            cli_bstate_free(st);
            return rc;
        }
        pos += n + 1;
        st->good_len = pos;
    }
    return 0;
}

void cli_bstate_free(cli_bstate *st)
{
    for (size_t i = 0; st->rows && i < st->nrows; i++)
        free(st->rows[i].result);
    free(st->rows);
    st->rows = NULL;
    st->nrows = 0;
}
