# CMake toolchain file: bare-metal AArch64 (EL1, no operating system) with Debian's
# gcc-aarch64-linux-gnu and picolibc-aarch64-linux-gnu. The compiler's own C library headers
# (glibc) are replaced by picolibc's (-nostdinc, then libstdc++, the shims in include/, picolibc
# and the compiler's headers, in that order); libstdc++ is the one Debian ships for the triple,
# used without exceptions, RTTI or thread-safe statics (the runtime supplies what it needs).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(EPVP_CROSS aarch64-linux-gnu-)
set(CMAKE_C_COMPILER ${EPVP_CROSS}gcc)
set(CMAKE_CXX_COMPILER ${EPVP_CROSS}g++)
set(CMAKE_ASM_COMPILER ${EPVP_CROSS}gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(EPVP_PICOLIBC_DIR /usr/lib/picolibc/aarch64-linux-gnu CACHE PATH "picolibc for AArch64")
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -dumpversion OUTPUT_VARIABLE EPVP_GCC_VERSION
                OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-libgcc-file-name
                OUTPUT_VARIABLE EPVP_LIBGCC OUTPUT_STRIP_TRAILING_WHITESPACE)
get_filename_component(EPVP_GCC_LIB_DIR ${EPVP_LIBGCC} DIRECTORY)
set(EPVP_CXX_INCLUDE /usr/aarch64-linux-gnu/include/c++/${EPVP_GCC_VERSION})

# Cortex-A53, MMU off: all data accesses are to Device memory, so nothing may be unaligned.
set(EPVP_ARCH_FLAGS "-mcpu=cortex-a53 -mstrict-align")
set(EPVP_SYSTEM_INCLUDES
    "-nostdinc -isystem ${CMAKE_CURRENT_LIST_DIR}/include -isystem ${EPVP_CXX_INCLUDE} \
-isystem ${EPVP_CXX_INCLUDE}/aarch64-linux-gnu -isystem ${EPVP_PICOLIBC_DIR}/include \
-isystem ${EPVP_GCC_LIB_DIR}/include")
# -ffreestanding implies -fno-builtin; -fbuiltin gives memcpy and friends back to the optimiser.
set(CMAKE_C_FLAGS_INIT "${EPVP_ARCH_FLAGS} ${EPVP_SYSTEM_INCLUDES} -ffreestanding -fbuiltin")
set(CMAKE_CXX_FLAGS_INIT
    "${EPVP_ARCH_FLAGS} ${EPVP_SYSTEM_INCLUDES} -ffreestanding -fbuiltin -fno-exceptions \
-fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_ASM_FLAGS_INIT "${EPVP_ARCH_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -nostartfiles -static -Wl,--gc-sections -Wl,--build-id=none \
-L${EPVP_PICOLIBC_DIR}/lib -L${EPVP_GCC_LIB_DIR}")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
