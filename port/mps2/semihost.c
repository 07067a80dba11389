/* ARM semihosting calls (board.h); operation numbers from the ARM semihosting
 * specification. */
#include <string.h>

#include "board.h"

#define SYS_OPEN                     0x01u
#define SYS_CLOSE                    0x02u
#define SYS_WRITE0                   0x04u
#define SYS_READ                     0x06u
#define SYS_FLEN                     0x0cu
#define SYS_TIME                     0x11u
#define SYS_GET_CMDLINE              0x15u
#define SYS_EXIT                     0x18u
#define SYS_EXIT_EXTENDED            0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define OPEN_MODE_RB                 1u

/* One semihosting trap: operation op, argument arg (a value or a block address). */
static uintptr_t sh_call(uint32_t op, const void *arg)
{
    register uintptr_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void mps2_sh_puts(const char *s)
{
    (void)sh_call(SYS_WRITE0, s);
}

int mps2_sh_cmdline(char *buf, size_t cap)
{
    uintptr_t blk[2] = { (uintptr_t)buf, cap };
    if (cap == 0u || sh_call(SYS_GET_CMDLINE, blk) != 0u) return -1;
    if (blk[1] >= cap) return -1;
    buf[blk[1]] = '\0';
    return (int)blk[1];
}

int mps2_sh_open_read(const char *path)
{
    uintptr_t blk[3] = { (uintptr_t)path, OPEN_MODE_RB, strlen(path) };
    return (int)sh_call(SYS_OPEN, blk);
}

long mps2_sh_flen(int h)
{
    uintptr_t blk[1] = { (uintptr_t)h };
    return (long)(intptr_t)sh_call(SYS_FLEN, blk);
}

/* SYS_READ returns the number of bytes NOT read. */
long mps2_sh_read(int h, void *buf, size_t len)
{
    uintptr_t blk[3] = { (uintptr_t)h, (uintptr_t)buf, len };
    uintptr_t left = sh_call(SYS_READ, blk);
    if (left > len) return -1;
    return (long)(len - left);
}

void mps2_sh_close(int h)
{
    uintptr_t blk[1] = { (uintptr_t)h };
    (void)sh_call(SYS_CLOSE, blk);
}

int64_t mps2_sh_time(void)
{
    return (int64_t)sh_call(SYS_TIME, NULL);
}

void mps2_sh_exit(int code)
{
    uintptr_t blk[2] = { ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)(unsigned)code };
    (void)sh_call(SYS_EXIT_EXTENDED, blk);
    /* a host without the extended call: plain exit (status 0 or 1) */
    (void)sh_call(SYS_EXIT,
                  (const void *)(uintptr_t)(code == 0 ? ADP_STOPPED_APPLICATION_EXIT : 0x20023u));
    for (;;) {}
}
