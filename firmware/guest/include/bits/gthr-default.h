// Cross build shim: the firmware is single-threaded; libstdc++'s thread hooks are the
// single-threaded ones (no pthread, which picolibc does not have).
#pragma once

#include <bits/gthr-single.h>
