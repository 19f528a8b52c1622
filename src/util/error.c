/* One table of codes (ZF_ERRNO_MAP) generates names and texts; the hint
 * setters keep a hint from outliving the error it was written for. */
#include "zoomflow/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *zf_strerror(int code)
{
    switch (code) {
    case ZF_OK:
        return "success";
#define ZF_X_STR(name, num, desc)                                                                  \
    case num:                                                                                      \
        return desc;
        ZF_ERRNO_MAP(ZF_X_STR)
#undef ZF_X_STR
    }
    return "unknown error";
}

const char *zf_code_name(int code)
{
    switch (code) {
    case ZF_OK:
        return "OK";
#define ZF_X_NAME(name, num, desc)                                                                 \
    case num:                                                                                      \
        return #name;
        ZF_ERRNO_MAP(ZF_X_NAME)
#undef ZF_X_NAME
    }
    return "EUNKNOWN";
}

void zf_error_reset(zf_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->retry_after = -1;
}

static void drop_hint(zf_error *err)
{
    err->hint[0] = '\0';
    err->hint_id = ZF_HINT_NONE;
    memset(err->hint_arg, 0, sizeof err->hint_arg);
}

/* words may have been formatted from the old hint (a site refining it) */
static void put_hint(zf_error *err, zf_hint id, const char words[ZF_ERROR_HINT_MAX])
{
    drop_hint(err);
    err->hint_id = id;
    memcpy(err->hint, words, ZF_ERROR_HINT_MAX);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 0)))
#endif
static int
set_message(zf_error *err, int code, const char *fmt, va_list ap)
{
    char msg[ZF_ERROR_MSG_MAX];
    /* through a copy: restating callers format err->message into itself */
    vsnprintf(msg, sizeof msg, fmt, ap);
    memcpy(err->message, msg, sizeof msg);
    err->code = code;
    return code;
}

int zf_error_set(zf_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    drop_hint(err);
    va_list ap;
    va_start(ap, fmt);
    set_message(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int zf_error_restate(zf_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    set_message(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void zf_error_hint_id(zf_error *err, zf_hint id, const char *fmt, ...)
{
    if (!err)
        return;
    char words[ZF_ERROR_HINT_MAX];
    const char *w = zf_hint_words(id);
    snprintf(words, sizeof words, "%s", w ? w : "");
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(words, sizeof words, fmt, ap);
        va_end(ap);
    }
    put_hint(err, id, words);
}

void zf_error_hint_arg(zf_error *err, zf_hint_arg which, const char *value)
{
    if (!err || (unsigned)which >= ZF_HINT_ARG_COUNT)
        return;
    snprintf(err->hint_arg[which], sizeof err->hint_arg[which], "%s", value ? value : "");
}

void zf_error_hint(zf_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char words[ZF_ERROR_HINT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(words, sizeof words, fmt, ap);
    va_end(ap);
    put_hint(err, ZF_HINT_NONE, words);
}
