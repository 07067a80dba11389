/* Helpers of the MPS2 firmware images: see fw_util.h. */
#include <string.h>

#include "board.h"
#include "fw_util.h"
#include "sfoauth_tls.h"

#if defined(SFO_BACKEND_MBEDTLS) && SFO_BACKEND_MBEDTLS
#include <mbedtls/memory_buffer_alloc.h>
/* mbedTLS's heap for one TLS 1.2 session: records (16 KiB in, 2 KiB out),
 * certificates, bignums. */
#ifndef FW_POOL_SIZE
#define FW_POOL_SIZE (32u * 1024u)
#endif
#else
#define FW_POOL_SIZE 4u /* BearSSL allocates nothing */
#endif
#define POOL_PAINT 0x5au
#define POOL_HEAD  64u /* > the allocator's block header */

static uint8_t pool[FW_POOL_SIZE] __attribute__((aligned(8)));

int fw_args(char *buf, size_t cap, char *argv[FW_MAX_ARGS])
{
    int argc = 0;
    char *p = buf;
    if (mps2_sh_cmdline(buf, cap) < 0) return 0;
    while (*p != '\0' && argc < FW_MAX_ARGS) {
        while (*p == ' ') *p++ = '\0';
        if (*p == '\0') break;
        argv[argc++] = p;
        while (*p != '\0' && *p != ' ') p++;
    }
    return argc;
}

long fw_read_file(const char *path, uint8_t *buf, size_t cap)
{
    int h = mps2_sh_open_read(path);
    long n, got;
    if (h < 0) return -1;
    n = mps2_sh_flen(h);
    if (n < 0 || (size_t)n > cap) {
        mps2_sh_close(h);
        return -1;
    }
    got = mps2_sh_read(h, buf, (size_t)n);
    mps2_sh_close(h);
    return got == n ? n : -1;
}

void fw_puts(const char *s)
{
    mps2_sh_puts(s);
}

void fw_putu(const char *label, unsigned long v)
{
    char d[24];
    size_t i = sizeof d - 1u;
    d[i] = '\0';
    do {
        d[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u && i > 0u);
    mps2_sh_puts(label);
    mps2_sh_puts(&d[i]);
    mps2_sh_puts("\n");
}

/* mbedTLS's init clears the pool and writes one free-block header at its start;
 * the bytes after that header carry no allocator state until handed out, so
 * they are painted afterwards. */
void fw_pool_init(void)
{
#if defined(SFO_BACKEND_MBEDTLS) && SFO_BACKEND_MBEDTLS
    mbedtls_memory_buffer_alloc_init(pool, sizeof pool);
    memset(pool + POOL_HEAD, POOL_PAINT, sizeof pool - POOL_HEAD);
#else
    memset(pool, POOL_PAINT, sizeof pool);
#endif
}

/* The allocator hands out memory from the pool's start: the highest byte
 * that lost the pattern bounds the peak use. */
size_t fw_pool_high_water(void)
{
    size_t n = sizeof pool;
    while (n > 0u && pool[n - 1u] == POOL_PAINT) n--;
    return n;
}

size_t fw_pool_size(void)
{
    return sizeof pool;
}
