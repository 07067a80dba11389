/* Test-only MPS2 AN386 bring-up: see mps2_min.h. */
#include "mps2_min.h"

#include <string.h>

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SYSCLK_HZ 25000000u
#define STACK_PAINT 0xA5A5A5A5u

#define SEMI_OPEN 0x01
#define SEMI_CLOSE 0x02
#define SEMI_WRITE0 0x04
#define SEMI_READ 0x06
#define SEMI_FLEN 0x0c
#define SEMI_TIME 0x11
#define SEMI_CMDLINE 0x15
#define SEMI_EXIT 0x18

extern uint32_t _data_load, _data_start, _data_end, _bss_start, _bss_end;
extern uint32_t _stack_bottom, _stack_top;
int main(void);
void sfo_mps2_reset(void);
void sfo_mps2_fault(void);
void sfo_mps2_systick(void);

static volatile uint32_t ticks;

static int semi(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sfo_mps2_systick(void) { ticks++; }

int64_t sfo_mps2_ms(void) { return (int64_t)ticks; }

uint64_t sfo_mps2_ns(void)
{
    uint32_t t, c;
    do {
        t = ticks;
        c = SYST_CVR;
    } while (t != ticks);
    return (uint64_t)t * 1000000u + (uint64_t)(SYST_RVR - c) * (1000000000u / SYSCLK_HZ);
}

int64_t sfo_mps2_wall_s(void) { return (int64_t)(uint32_t)semi(SEMI_TIME, NULL); }

void sfo_mps2_puts(const char *s) { (void)semi(SEMI_WRITE0, s); }

void sfo_mps2_exit(int status)
{
    uint32_t reason = status == 0 ? 0x20026u /* ApplicationExit */ : 0x20024u /* RunTimeError */;
    for (;;) (void)semi(SEMI_EXIT, (const void *)(uintptr_t)reason);
}

int sfo_mps2_cmdline(char *buf, size_t cap)
{
    uint32_t blk[2] = { (uint32_t)(uintptr_t)buf, (uint32_t)cap };
    return semi(SEMI_CMDLINE, blk) == 0 ? 0 : -1;
}

long sfo_mps2_read_file(const char *path, uint8_t *buf, size_t cap)
{
    uint32_t op[3] = { (uint32_t)(uintptr_t)path, 1u /* "rb" */, (uint32_t)strlen(path) };
    int h = semi(SEMI_OPEN, op);
    if (h < 0) return -1;
    uint32_t hb[1] = { (uint32_t)h };
    long len = semi(SEMI_FLEN, hb);
    long rc = -1;
    if (len >= 0 && (size_t)len <= cap) {
        uint32_t rd[3] = { (uint32_t)h, (uint32_t)(uintptr_t)buf, (uint32_t)len };
        rc = semi(SEMI_READ, rd) == 0 ? len : -1; /* returns bytes NOT read */
    }
    (void)semi(SEMI_CLOSE, hb);
    return rc;
}

int sfo_mps2_random(uint8_t *buf, size_t len)
{
    static const char dev[] = "/dev/urandom";
    uint32_t op[3] = { (uint32_t)(uintptr_t)dev, 1u, sizeof dev - 1u };
    int h = semi(SEMI_OPEN, op);
    if (h < 0) return -1;
    uint32_t rd[3] = { (uint32_t)h, (uint32_t)(uintptr_t)buf, (uint32_t)len };
    int left = semi(SEMI_READ, rd);
    uint32_t hb[1] = { (uint32_t)h };
    (void)semi(SEMI_CLOSE, hb);
    return left == 0 ? 0 : -1;
}

size_t sfo_mps2_stack_used(void)
{
    const uint32_t *p = &_stack_bottom;
    while (p < &_stack_top && *p == STACK_PAINT) p++;
    return (size_t)((const uint8_t *)&_stack_top - (const uint8_t *)p);
}

void sfo_mps2_fault(void)
{
    sfo_mps2_puts("FAULT: hard fault\n");
    sfo_mps2_exit(1);
}

void sfo_mps2_reset(void)
{
    uint32_t *s = &_data_load, *d = &_data_start;
    while (d < &_data_end) *d++ = *s++;
    for (d = &_bss_start; d < &_bss_end;) *d++ = 0;
    /* paint the stack below the current frame for the high-water mark */
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (d = &_stack_bottom; d < sp - 64; d++) *d = STACK_PAINT;
    SCB_CPACR |= 0xFu << 20; /* FPU on (hard-float builds) */
    SYST_RVR = SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* processor clock, interrupt, enable */
    sfo_mps2_exit(main());
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)&_stack_top, sfo_mps2_reset, sfo_mps2_fault, sfo_mps2_fault,
    sfo_mps2_fault, sfo_mps2_fault, sfo_mps2_fault, 0, 0, 0, 0, sfo_mps2_fault, 0, 0,
    sfo_mps2_fault, sfo_mps2_systick,
};
