/*
 * sfoauth port for the MPS2 AN386 board (QEMU): the platform half of the
 * portable TLS glue (sfoauth_tls.h). Fills a struct sfo_tls_config with
 *   net:      a byte pipe over a CMSDK UART. There is no TCP stack: the peer
 *             is whatever the UART is wired to (QEMU: -chardev socket to a
 *             host TCP port), so connect() ignores host and port and succeeds
 *             once per run; recv() never reports end of stream (only
 *             SFO_E_TIMEOUT at the deadline); close() ends the run's one
 *             connection (a second connect returns SFO_E_CONNECT).
 *   platform: mono_ms from CMSDK timer 0, sleep_ms by polling it, wall_s and
 *             random from the caller's sources, log optional.
 * Fail-closed: without an entropy source sfo_mps2_init returns SFO_E_ENTROPY,
 * without a wall clock SFO_E_ARG. A product supplies its TRNG and RTC; the
 * semihosted sources below are for tests in QEMU only.
 */
#ifndef SFOAUTH_MPS2_H
#define SFOAUTH_MPS2_H

#include "board.h"
#include "sfoauth_tls.h"

struct sfo_mps2_config {
    uintptr_t uart; /* UART carrying the connection (MPS2_UARTn_BASE) */
    /* Entropy: fill buf with len strong random bytes, SFO_OK or SFO_E_ENTROPY. */
    int (*random)(void *ctx, uint8_t *buf, size_t len);
    /* Wall clock: seconds since 1970 from an RTC (or SNTP), or -1 when not set. */
    int64_t (*wall_s)(void *ctx);
    void *source_ctx; /* passed to random and wall_s */
    void (*log)(void *log_ctx, int level, const char *msg, const char *detail,
                size_t detail_len); /* optional */
    void *log_ctx;
    int log_level;
};

/* Port state; one per connection pipe. Members are private. */
struct sfo_mps2 {
    uintptr_t uart;
    struct mps2_clock clock;
    int connected; /* the one connection is open */
    int used;      /* it has been opened this run */
    int (*random)(void *ctx, uint8_t *buf, size_t len);
    int64_t (*wall_s)(void *ctx);
    void *source_ctx;
    uint64_t wait_ticks; /* timer ticks spent waiting on the UART (figures) */
};

/*
 * Start the clock and UART and fill out->net and out->platform (out->trust is
 * left to the caller). Returns SFO_OK, SFO_E_ARG (NULL argument, no wall
 * clock), SFO_E_ENTROPY (no entropy source).
 */
int sfo_mps2_init(struct sfo_mps2 *m, const struct sfo_mps2_config *cfg,
                  struct sfo_tls_config *out);

/* Timer ticks (MPS2_SYSCLK_HZ) since init, and those spent waiting for the
 * UART: the figures of `make bench`. */
uint64_t sfo_mps2_ticks(struct sfo_mps2 *m);

/* TEST-ONLY (QEMU): host entropy read through semihosting from /dev/urandom,
 * and the host's wall clock (SYS_TIME). Never for a product: the host is not
 * the device's RNG or clock. ctx unused. */
int sfo_mps2_test_random(void *ctx, uint8_t *buf, size_t len);
int64_t sfo_mps2_test_wall_s(void *ctx);

#endif /* SFOAUTH_MPS2_H */
