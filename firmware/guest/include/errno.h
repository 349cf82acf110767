// Cross build shim: firmware error codes are Linux's errno values (they reach the host and the
// testbench as numbers). Picolibc numbers most of them the same; these differ or are missing
// (Linux include/uapi/asm-generic/errno.h: ETIMEDOUT 110, EREMOTEIO 121; picolibc has
// ETIMEDOUT 116 and no EREMOTEIO). Only firmware code sees these values, the C library never
// reports an error the firmware reads.
#pragma once

#include_next <errno.h>

#undef ETIMEDOUT
#define ETIMEDOUT 110
#ifndef EREMOTEIO
#define EREMOTEIO 121
#endif
