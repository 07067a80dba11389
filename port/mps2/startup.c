/*
 * Reset and exception entry for the MPS2 AN386 (Cortex-M4): vector table,
 * .data copy and .bss clear, stack painting for the high-water mark, the C
 * library hooks a newlib-nano image needs (no heap: _sbrk always fails), and
 * faults reported through semihosting (exit status 99).
 */
#include <stddef.h>
#include <stdint.h>

#include "board.h"

#define STACK_PAINT 0xa5a5a5a5u

/* Linker script symbols. */
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_limit[], __stack_top[];

int main(void);
void Reset_Handler(void);
void Fault_Handler(void);
void Default_Handler(void);
void *_sbrk(ptrdiff_t incr);
void _exit(int code);
struct timeval;
int _gettimeofday(struct timeval *tv, void *tz);

/* Runs before main: copies .data, clears .bss, paints the stack below the
 * current frame, enables no interrupt, exits with main's return value. */
void Reset_Handler(void)
{
    uint32_t *s = __data_load, *d = __data_start;
    volatile uint32_t *p;
    uint32_t here = 0;

    /* linker symbols: compared as addresses */
    while ((uintptr_t)d < (uintptr_t)__data_end) *d++ = *s++;
    for (d = __bss_start; (uintptr_t)d < (uintptr_t)__bss_end; d++) *d = 0u;
    /* paint up to a little below this frame */
    for (p = __stack_limit; (uintptr_t)p < (uintptr_t)&here - 64u; p++) *p = STACK_PAINT;
    mps2_sh_exit(main());
}

size_t mps2_stack_high_water(void)
{
    const uint32_t *p = __stack_limit;
    while ((uintptr_t)p < (uintptr_t)__stack_top && *p == STACK_PAINT) p++;
    return (size_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

size_t mps2_stack_size(void)
{
    return (size_t)((uintptr_t)__stack_top - (uintptr_t)__stack_limit);
}

void Fault_Handler(void)
{
    mps2_sh_puts("fault: hard fault or unexpected exception\n");
    mps2_sh_exit(99);
}

void Default_Handler(void)
{
    Fault_Handler();
}

/* No heap in these images: every allocation request fails. */
void *_sbrk(ptrdiff_t incr)
{
    (void)incr;
    return (void *)-1;
}

/* No clock in the C library: time() fails (-1). The sfoauth port takes the wall
 * clock from its configuration and hands it to the TLS library explicitly. */
int _gettimeofday(struct timeval *tv, void *tz)
{
    (void)tv;
    (void)tz;
    return -1;
}

void _exit(int code)
{
    mps2_sh_exit(code);
}

/* Cortex-M4 core vectors (the board's IRQs are unused: everything is polled). */
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)__stack_top,
    Reset_Handler,
    Default_Handler, /* NMI */
    Fault_Handler,   /* HardFault */
    Fault_Handler,   /* MemManage */
    Fault_Handler,   /* BusFault */
    Fault_Handler,   /* UsageFault */
    0,
    0,
    0,
    0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMon */
    0,
    Default_Handler, /* PendSV */
    Default_Handler, /* SysTick */
};
