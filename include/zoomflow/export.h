/*
 * What the shared library exports. It is built with -fvisibility=hidden:
 * only declarations between ZF_PUBLIC_BEGIN and ZF_PUBLIC_END (every public
 * header wraps its declarations in the pair) are visible to its users, and
 * the internal zf_*__ functions, declared in private headers, are not.
 * ZF_EXTERN marks one declaration outside such a block.
 */
#ifndef ZOOMFLOW_EXPORT_H
#define ZOOMFLOW_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define ZF_EXTERN __attribute__((visibility("default")))
#define ZF_PUBLIC_BEGIN _Pragma("GCC visibility push(default)")
#define ZF_PUBLIC_END _Pragma("GCC visibility pop")
#else
#define ZF_EXTERN
#define ZF_PUBLIC_BEGIN
#define ZF_PUBLIC_END
#endif

#endif
