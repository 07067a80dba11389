/*
 * Test-only board bring-up for the lwIP image on QEMU's MPS2 AN386: reset and
 * vector table, SysTick millisecond clock, ARM semihosting console, exit,
 * command line, host files, wall clock and entropy (the host's /dev/urandom).
 * Nothing here is for a product: a board supplies its own clock, RNG and RTC.
 */
#ifndef SFO_MPS2_MIN_H
#define SFO_MPS2_MIN_H

#include <stddef.h>
#include <stdint.h>

int64_t sfo_mps2_ms(void);                   /* monotonic ms since reset */
/* Nanoseconds since reset at SysTick resolution (40 ns). Under QEMU's
 * -icount shift=0 one instruction takes one virtual nanosecond, so a
 * difference of two readings counts the instructions in between. */
uint64_t sfo_mps2_ns(void);
int64_t sfo_mps2_wall_s(void);               /* host's clock (semihosting SYS_TIME) */
int sfo_mps2_random(uint8_t *buf, size_t len); /* 0, or -1 on failure */
void sfo_mps2_puts(const char *s);           /* console, no newline added */
void sfo_mps2_exit(int status) __attribute__((noreturn));
int sfo_mps2_cmdline(char *buf, size_t cap);  /* 0 or -1 */
/* Reads a whole host file into buf; returns its length or -1 (missing, too big). */
long sfo_mps2_read_file(const char *path, uint8_t *buf, size_t cap);
/* Lowest free stack address seen so far (stack painted at reset). */
size_t sfo_mps2_stack_used(void);

#endif
