// The endpoint CPU's own address map when it runs the firmware as a binary (cpu.kind = iss):
// the blocks the ELF is linked against and the guest HAL backend reaches at fixed addresses,
// below the board's configurable map (DBI, glue, SMMU, aperture, DRAM: hal::ep_board).
//
// Plain macros: the linker script and the start-up assembly include this file too.
//
//   0x1000_0000  SRAM, 16 MiB: code, data, heap and stacks of the ELF; the first 64 KiB are
//                the boot parameter block the platform writes before reset (guest/boot_params.h)
//   0x1100_0000  timer (hal/timer_regs.h)
//   0x1100_1000  UART (hal/uart_regs.h)
//   0x1100_2000  interrupt controller, CPU view (hal/intc_regs.h)
//   0x1100_3000  the CPU's bus interface status (hal/cpu_regs.h)
#pragma once

#define ISS_SRAM_BASE 0x10000000
#define ISS_SRAM_BYTES 0x01000000
#define ISS_BOOT_PARAMS_BYTES 0x10000
#define ISS_IMAGE_BASE (ISS_SRAM_BASE + ISS_BOOT_PARAMS_BYTES) /* the reset vector */
#define ISS_STACK_BYTES 0x100000                               /* at the top of SRAM */
#define ISS_TIMER_BASE 0x11000000
#define ISS_UART_BASE 0x11001000
#define ISS_INTC_BASE 0x11002000
#define ISS_CPU_BASE 0x11003000
#define ISS_BLOCK_BYTES 0x1000 /* each peripheral block */

// How the ELF ends (the instruction-set simulator decodes the immediate of the BRK it stops on):
// BRK #ISS_BRK_EXIT with the exit status in x0, BRK #ISS_BRK_PANIC after a panic message.
#define ISS_BRK_EXIT 0x0
#define ISS_BRK_PANIC 0x1
