/*
 * The state file of `zoomflow batch --state-file FILE` (cmd_batch.c): what a run
 * did, so an interrupted one continues without sending a row twice. One
 * record a line, appended and fsync'd as it happens:
 *
 *   zoomflow-batch 1 ACTION HASH ROWS FLAGS INPUT
 *                                        the header: the run it belongs to
 *                                        (HASH: the action, the common
 *                                        flags and the input's bytes;
 *                                        FLAGS and INPUT each apart, to say
 *                                        which differs; a header without
 *                                        them, of an earlier version, is
 *                                        read too)
 *   sent N T                             row N (from 1) is about to be sent,
 *                                        at unix second T
 *   done N {"row":N,...}                 row N's result line, as printed
 *
 * A "failed" result whose error is a definite refusal (a Zoom 4xx or 429,
 * a daily limit, invalid input) clears "sent": nothing was made, so the
 * row is sent again without a look first.
 *
 * The parser is strict (the file may have been edited or damaged): a
 * complete line that is not one of these, a row number out of range, a
 * result that is not an object with a known status, or a second "done"
 * of a row already done is refused, naming the line. Only the last line
 * may be cut short (a crash while appending): it is ignored, and good_len
 * says where the complete lines end, so the writer can cut it off.
 */
#ifndef ZOOMFLOW_CLI_BATCH_STATE_H
#define ZOOMFLOW_CLI_BATCH_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "zoomflow/error.h"

#define CLI_BSTATE_MAGIC "zoomflow-batch 1 "

typedef struct cli_bstate_row {
    int sent;        /* a "sent" without a "done" done/found after it */
    int64_t sent_at; /* the first such attempt's second */
    int ok;          /* done: its result's status is done or found */
    char *result;    /* the last "done" record's result text (owned) */
} cli_bstate_row;

typedef struct cli_bstate {
    size_t nrows;
    cli_bstate_row *rows; /* nrows, from row 1 at [0] */
    int has_header;       /* 0: the file was empty (or its header cut) */
    size_t good_len;      /* bytes of complete lines */
    int truncated;        /* a cut-short last line was ignored */
} cli_bstate;

/* Parses text[0..len) for a run whose header line (without "\n") is
 * `header` and whose input has nrows rows. 0 with *st filled (free with
 * cli_bstate_free), or ZF_EVALIDATION (another run's file: the message says
 * which parts differ, or a bad line: "line N: ..."), ZF_ENOMEM. */
int cli_bstate_parse(cli_bstate *st, const char *text, size_t len, const char *header, size_t nrows,
                     zf_error *err);
void cli_bstate_free(cli_bstate *st);

#endif
