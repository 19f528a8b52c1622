/*
 * The CLI's readers of user text: the config-file parser (any bytes, for the
 * profile "default") and the number parser behind every numeric setting and
 * flag. The first byte picks which. Beyond "no crash, no hang":
 *   - a parsed config is freeable, and a timeout it accepted is one the
 *     number parser takes (1..86400): the file cannot smuggle a bad value;
 *   - a refused config says why (a message);
 *   - cli_parse_int agrees with an independent reference (strtoll on the
 *     same bytes after a syntax check) for each of a few ranges.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "input.h"

#define FUZZ_INPUT_MAX (64 * 1024)
#define NUM_TEXT_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void config(const char *text, size_t len)
{
    cli_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    zf_error err = ZF_ERROR_INIT;
    long long t;
    if (cli_cfg_parse(text, len, "fuzz.ini", "default", &cfg, &err) == 0) {
        if (cfg.timeout && cli_parse_int(cfg.timeout, strlen(cfg.timeout), CLI_TIMEOUT_MIN,
                                         CLI_TIMEOUT_MAX, &t) != 0)
            abort();
    } else if (!err.message[0]) {
        abort();
    }
    cli_cfg_free(&cfg);
}

/* The reference: -?[0-9]{1,19}, strtoll without overflow, in range. */
static int reference(const char *text, size_t len, long long min, long long max, long long *out)
{
    char buf[NUM_TEXT_MAX + 1];
    size_t i = len && text[0] == '-';
    if (len > NUM_TEXT_MAX || i == len || len - i > 19)
        return -1;
    for (size_t k = i; k < len; k++)
        if (text[k] < '0' || text[k] > '9')
            return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    errno = 0;
    long long v = strtoll(buf, NULL, 10); /* libc as the oracle: lint-banned: allow */
    if (errno || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static void number(const char *text, size_t len)
{
    static const long long ranges[][2] = {
        {CLI_TIMEOUT_MIN, CLI_TIMEOUT_MAX}, {LLONG_MIN, LLONG_MAX}, {-5, 5}, {0, 0}};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        long long got = 0, want = 0;
        int a = cli_parse_int(text, len, ranges[r][0], ranges[r][1], &got);
        int b = reference(text, len, ranges[r][0], ranges[r][1], &want);
        if ((a == 0) != (b == 0) || (a == 0 && got != want))
            abort();
        zf_error err = ZF_ERROR_INIT;
        if (cli_number(&got, "fuzz", text, len, ranges[r][0], ranges[r][1], "units", &err) !=
                (a == 0 ? 0 : ZF_EVALIDATION) ||
            (a != 0 && !err.message[0]))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_INPUT_MAX)
        return 0;
    const char *text = (const char *)data + 1;
    if (data[0] & 1)
        number(text, size - 1);
    else
        config(text, size - 1);
    return 0;
}
