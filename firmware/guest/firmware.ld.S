/* Linker script of the endpoint firmware ELF, from the CPU's address map (hal/iss_map.h):
   everything in SRAM after the boot parameter block; the stack at the top of SRAM, the heap
   between the image and the stack. Preprocessed by the cross compiler (cpp -P). */
#include "firmware/hal/iss_map.h"

ENTRY(_start)

MEMORY {
    sram (rwx) : ORIGIN = ISS_IMAGE_BASE, LENGTH = ISS_SRAM_BYTES - ISS_BOOT_PARAMS_BYTES
}

SECTIONS {
    .text : {
        KEEP(*(.text.boot))
        KEEP(*(.text.vectors))
        *(.text .text.*)
    } > sram
    .rodata : ALIGN(16) { *(.rodata .rodata.*) } > sram
    .init_array : ALIGN(8) {
        __init_array_start = .;
        KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*)))
        KEEP(*(.init_array .ctors))
        __init_array_end = .;
    } > sram
    .data : ALIGN(16) { *(.data .data.*) } > sram
    /* Thread-local storage of the one thread (picolibc's errno): AArch64 TLS variant 1, the
       thread pointer (TPIDR_EL0) at a 16-byte control block, the variables after it. Only
       zero-initialised TLS is supported: the block lives in .bss. */
    .tdata : { *(.tdata .tdata.*) } > sram
    .tbss : { *(.tbss .tbss.*) } > sram
    ASSERT(SIZEOF(.tdata) == 0, "initialised thread-local data is not supported")
    .bss (NOLOAD) : ALIGN(16) {
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(16);
        __tls_block = .;
        . += 16 + SIZEOF(.tbss);
        . = ALIGN(16);
        __bss_end = .;
    } > sram
    __heap_start = ALIGN(4096);
    __stack_top = ISS_SRAM_BASE + ISS_SRAM_BYTES;
    __heap_end = __stack_top - ISS_STACK_BYTES;
    ASSERT(__heap_start < __heap_end, "the firmware image leaves no room for the heap")

}
