/* The library's version, from CMake's project(VERSION) via ZF_VERSION_STRING. */
#include "zoomflow/zoomflow.h"

#ifndef ZF_VERSION_STRING
#error "ZF_VERSION_STRING must come from the build (CMakeLists.txt, zfobj)"
#endif

const char *zf_version(void)
{
    return ZF_VERSION_STRING;
}
