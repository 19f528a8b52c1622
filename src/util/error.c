/* One table of codes (ZF_ERRNO_MAP) generates names, texts and exit codes. */
#include "zoomflow/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *zf_strerror(int code)
{
    switch (code) {
    case ZF_OK: return "success";
#define ZF_X_STR(name, num, exit, desc) case num: return desc;
        ZF_ERRNO_MAP(ZF_X_STR)
#undef ZF_X_STR
    }
    return "unknown error";
}

const char *zf_code_name(int code)
{
    switch (code) {
    case ZF_OK: return "OK";
#define ZF_X_NAME(name, num, exit, desc) case num: return #name;
        ZF_ERRNO_MAP(ZF_X_NAME)
#undef ZF_X_NAME
    }
    return "EUNKNOWN";
}

int zf_code_exit_status(int code)
{
    switch (code) {
    case ZF_OK: return 0;
#define ZF_X_EXIT(name, num, exit, desc) case num: return exit;
        ZF_ERRNO_MAP(ZF_X_EXIT)
#undef ZF_X_EXIT
    }
    return 1;
}

void zf_error_clear(zf_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->retry_after = -1;
}

int zf_error_set(zf_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

void zf_error_hint(zf_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
}
