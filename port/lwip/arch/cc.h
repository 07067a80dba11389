/*
 * lwIP compiler/platform glue for sfoauth firmware images (arm-none-eabi-gcc,
 * newlib): standard integer types and printf formats come from the C library;
 * diagnostics and assertions go to sfo_lwip_diag / sfo_lwip_assert, which the
 * board provides (port/lwip/sfo_lwip.h).
 */
#ifndef SFO_LWIP_ARCH_CC_H
#define SFO_LWIP_ARCH_CC_H

#include <stdint.h>
#include <stddef.h>

#define LWIP_NO_INTTYPES_H 0
#define BYTE_ORDER         LITTLE_ENDIAN
#define LWIP_ERR_T         int

void sfo_lwip_diag(const char *msg);
void sfo_lwip_assert(const char *msg, const char *file, int line);

#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        (void)0;              \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) sfo_lwip_assert((x), __FILE__, __LINE__)

#endif /* SFO_LWIP_ARCH_CC_H */
