// Reset and exception entry of the endpoint firmware ELF (AArch64, EL1h, MMU and caches off).
//
// Reset: stack at the top of SRAM, FP/SIMD enabled (the compiler uses the vector registers),
// VBAR_EL1 to the vector table, .bss cleared, the thread pointer, static constructors, then guest_main(); its
// return value is the exit status (BRK #ISS_BRK_EXIT, see hal/iss_map.h).
// IRQ (current EL, SP_ELx): the caller-saved registers and the return state are saved on the
// stack, guest_irq() runs, and ERET resumes the interrupted code. Any other exception is a panic.
#include "firmware/hal/iss_map.h"

    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x0, =__stack_top
    mov     sp, x0
    mov     x0, #(3 << 20)          // CPACR_EL1.FPEN = 0b11: no trap of FP/SIMD at EL0/EL1
    msr     cpacr_el1, x0
    isb
    ldr     x0, =vectors
    msr     vbar_el1, x0
    msr     daifset, #0xf           // every interrupt masked until the firmware waits for one
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  ldr     x0, =__tls_block            // TLS: see the linker script
    msr     tpidr_el0, x0
    ldr     x19, =__init_array_start
    ldr     x20, =__init_array_end
3:  cmp     x19, x20
    b.hs    4f
    ldr     x0, [x19], #8
    blr     x0
    b       3b
4:  mov     x29, xzr                // the outermost frame: a debugger's backtrace ends here
    mov     x30, xzr
    bl      guest_main
    .global guest_exit
guest_exit:                          // x0: exit status
    brk     #ISS_BRK_EXIT
    b       guest_exit

// Saves x0-x18, x29, x30, ELR_EL1 and SPSR_EL1 (24 slots, 192 bytes, 16-byte aligned).
.macro irq_entry
    sub     sp, sp, #192
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x29, [sp, #144]
    mrs     x0, elr_el1
    mrs     x1, spsr_el1
    stp     x30, x0, [sp, #160]
    str     x1, [sp, #176]
.endm

    .section .text.vectors, "ax"
    .balign 2048
vectors:
    .balign 128
    b       unexpected              // 0x000 current EL, SP_EL0: synchronous
    .balign 128
    b       unexpected              // 0x080 IRQ
    .balign 128
    b       unexpected              // 0x100 FIQ
    .balign 128
    b       unexpected              // 0x180 SError
    .balign 128
    b       unexpected              // 0x200 current EL, SP_ELx: synchronous
    .balign 128
    b       irq                     // 0x280 IRQ
    .balign 128
    b       unexpected              // 0x300 FIQ
    .balign 128
    b       unexpected              // 0x380 SError
    .balign 128
    b       unexpected              // 0x400 lower EL (not used)

irq:
    irq_entry
    // The handler uses the FP/SIMD registers only if the compiler chooses to; guest_irq is
    // built with -mgeneral-regs-only, so q0-q31 need no saving.
    bl      guest_irq
    ldr     x1, [sp, #176]
    ldp     x30, x0, [sp, #160]
    msr     elr_el1, x0
    msr     spsr_el1, x1
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x29, [sp, #144]
    add     sp, sp, #192
    eret

unexpected:
    mrs     x0, esr_el1
    mrs     x1, elr_el1
    bl      guest_unexpected_exception // does not return
    b       unexpected
