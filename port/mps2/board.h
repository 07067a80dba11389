/*
 * Board support for the Arm MPS2 AN386 (Cortex-M4) as modelled by QEMU
 * (qemu-system-arm -M mps2-an386): CMSDK APB UARTs, the CMSDK APB timer as a
 * monotonic clock, ARM semihosting. Reusable by any firmware on this board
 * (the sfoauth images, a network-stack port); nothing here knows about sfoauth.
 *
 * Memory map (QEMU hw/arm/mps2.c): code in SSRAM1, 4 MiB at 0x00000000; data in
 * SSRAM2/3, 4 MiB at 0x20000000; APB peripherals at 0x40000000 (timer0
 * 0x40000000, timer1 0x40001000, UART0..2 at 0x40004000/0x40005000/0x40006000);
 * system clock 25 MHz.
 */
#ifndef SFO_MPS2_BOARD_H
#define SFO_MPS2_BOARD_H

#include <stddef.h>
#include <stdint.h>

#define MPS2_SYSCLK_HZ   25000000u
#define MPS2_UART0_BASE  0x40004000u
#define MPS2_UART1_BASE  0x40005000u
#define MPS2_UART2_BASE  0x40006000u
#define MPS2_TIMER0_BASE 0x40000000u
#define MPS2_TIMER1_BASE 0x40001000u

/* A 32-bit peripheral register at base + off. */
static inline volatile uint32_t *mps2_reg(uintptr_t base, uint32_t off)
{
    return (volatile uint32_t *)(base + off);
}

/* ---- CMSDK APB UART (polled; QEMU's -serial N maps to UART N) ---- */
/* Enable transmitter and receiver. */
void mps2_uart_init(uintptr_t base);
/* Write one byte if the transmitter has room: 1 written, 0 full. */
int mps2_uart_try_put(uintptr_t base, uint8_t b);
/* Read one byte if one is waiting: 0..255, or -1 when none. */
int mps2_uart_try_get(uintptr_t base);

/* ---- monotonic clock from CMSDK timer 0 (free-running at MPS2_SYSCLK_HZ) ---- */
/* A timer's wrap state: the 32-bit down counter is extended to 64 bits by
 * software, so it must be read at least once per 171 s (2^32 / 25 MHz). */
struct mps2_clock {
    uint32_t last;  /* counter value at the previous read */
    uint64_t ticks; /* ticks counted since init */
};
/* Start timer `base` free-running from 0xffffffff. */
void mps2_clock_init(struct mps2_clock *c, uintptr_t base);
/* Ticks of MPS2_SYSCLK_HZ since init; never goes back. */
uint64_t mps2_clock_ticks(struct mps2_clock *c, uintptr_t base);

/* ---- ARM semihosting (needs a debugger or QEMU -semihosting-config enable=on) ---- */
/* Write a NUL-terminated string to the host console. */
void mps2_sh_puts(const char *s);
/* Copy the command line the host passed (QEMU: -append) into buf (NUL-terminated).
 * Returns its length, or -1 (none, or does not fit). */
int mps2_sh_cmdline(char *buf, size_t cap);
/* Open a host file for binary reading: handle >= 0, or -1. */
int mps2_sh_open_read(const char *path);
/* Length of an open file, or -1. */
long mps2_sh_flen(int h);
/* Read up to len bytes: the count read (0 at end of file), or -1. */
long mps2_sh_read(int h, void *buf, size_t len);
void mps2_sh_close(int h);
/* Host wall clock, seconds since 1970 (SYS_TIME). */
int64_t mps2_sh_time(void);
/* Stop the simulation with exit status code (SYS_EXIT_EXTENDED). Never returns. */
void mps2_sh_exit(int code) __attribute__((noreturn));

/* ---- memory figures (startup.c, the linker script) ---- */
/* Bytes of the stack ever used since reset (the painted stack's high-water mark). */
size_t mps2_stack_high_water(void);
/* Size of the stack region reserved by the linker script. */
size_t mps2_stack_size(void);

#endif /* SFO_MPS2_BOARD_H */
