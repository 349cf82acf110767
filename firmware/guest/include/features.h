// Cross build shim: Debian's libstdc++ for aarch64-linux-gnu is configured for glibc and its
// os_defines.h includes <features.h> and tests __GLIBC_PREREQ. Picolibc has the feature macros
// in <sys/features.h>; no glibc version is present.
#pragma once

#include <sys/features.h>

#ifndef __GLIBC_PREREQ
#define __GLIBC_PREREQ(major, minor) 0
#endif
