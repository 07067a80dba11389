/* sfoauth port for the MPS2 AN386 board: see sfoauth_mps2.h. */
#include <string.h>

#include "sfoauth_mps2.h"

#define TICKS_PER_MS (MPS2_SYSCLK_HZ / 1000u)

static int64_t m_mono_ms(void *ctx)
{
    struct sfo_mps2 *m = ctx;
    return (int64_t)(mps2_clock_ticks(&m->clock, MPS2_TIMER0_BASE) / TICKS_PER_MS);
}

static int64_t m_wall_s(void *ctx)
{
    struct sfo_mps2 *m = ctx;
    return m->wall_s(m->source_ctx);
}

static int m_random(void *ctx, uint8_t *buf, size_t len)
{
    struct sfo_mps2 *m = ctx;
    return m->random(m->source_ctx, buf, len) == SFO_OK ? SFO_OK : SFO_E_ENTROPY;
}

/* Polls the clock until about ms milliseconds have passed. */
static void m_sleep_ms(void *ctx, uint32_t ms)
{
    int64_t end = m_mono_ms(ctx) + (int64_t)ms;
    while (m_mono_ms(ctx) < end) {}
}

/* The one connection of the run: host and port are decided by the wiring. */
static int m_connect(void *ctx, const char *host, uint16_t port, int64_t deadline_ms)
{
    struct sfo_mps2 *m = ctx;
    (void)host;
    (void)port;
    if (m_mono_ms(ctx) > deadline_ms) return SFO_E_TIMEOUT;
    if (m->used) return SFO_E_CONNECT;
    m->used = 1;
    m->connected = 1;
    return SFO_OK;
}

/* Writes bytes while the transmitter takes them; waits (polling) for the first. */
static int m_send(void *ctx, const uint8_t *buf, size_t len, int64_t deadline_ms)
{
    struct sfo_mps2 *m = ctx;
    size_t n = 0;
    if (!m->connected) return SFO_E_CLOSED;
    while (n < len) {
        if (mps2_uart_try_put(m->uart, buf[n])) {
            n++;
        } else if (n > 0u) {
            break;
        } else if (m_mono_ms(ctx) >= deadline_ms) {
            return SFO_E_TIMEOUT;
        }
    }
    return (int)n;
}

/* Waits for the first byte until the deadline, then takes what is waiting.
 * A UART has no end of stream: never returns 0. */
static int m_recv(void *ctx, uint8_t *buf, size_t len, int64_t deadline_ms)
{
    struct sfo_mps2 *m = ctx;
    size_t n = 0;
    int c;
    uint64_t t0;
    if (!m->connected) return SFO_E_CLOSED;
    t0 = mps2_clock_ticks(&m->clock, MPS2_TIMER0_BASE);
    while ((c = mps2_uart_try_get(m->uart)) < 0) {
        if (m_mono_ms(ctx) >= deadline_ms) return SFO_E_TIMEOUT;
    }
    m->wait_ticks += mps2_clock_ticks(&m->clock, MPS2_TIMER0_BASE) - t0;
    buf[n++] = (uint8_t)c;
    while (n < len && (c = mps2_uart_try_get(m->uart)) >= 0) buf[n++] = (uint8_t)c;
    return (int)n;
}

static void m_close(void *ctx)
{
    struct sfo_mps2 *m = ctx;
    m->connected = 0;
}

int sfo_mps2_init(struct sfo_mps2 *m, const struct sfo_mps2_config *cfg, struct sfo_tls_config *out)
{
    if (m == NULL || cfg == NULL || out == NULL) return SFO_E_ARG;
    if (cfg->random == NULL) return SFO_E_ENTROPY;
    if (cfg->wall_s == NULL) return SFO_E_ARG;
    memset(m, 0, sizeof *m);
    m->uart = cfg->uart;
    m->random = cfg->random;
    m->wall_s = cfg->wall_s;
    m->source_ctx = cfg->source_ctx;
    mps2_clock_init(&m->clock, MPS2_TIMER0_BASE);
    mps2_uart_init(m->uart);
    memset(out, 0, sizeof *out);
    out->net.ctx = m;
    out->net.connect = m_connect;
    out->net.send = m_send;
    out->net.recv = m_recv;
    out->net.close = m_close;
    out->platform.ctx = m;
    out->platform.mono_ms = m_mono_ms;
    out->platform.wall_s = m_wall_s;
    out->platform.random = m_random;
    out->platform.sleep_ms = m_sleep_ms;
    out->platform.log = cfg->log;
    out->platform.log_ctx = cfg->log_ctx;
    out->platform.log_level = cfg->log_level;
    return SFO_OK;
}

uint64_t sfo_mps2_ticks(struct sfo_mps2 *m)
{
    return mps2_clock_ticks(&m->clock, MPS2_TIMER0_BASE);
}

/* TEST-ONLY: the host's /dev/urandom through semihosting. */
int sfo_mps2_test_random(void *ctx, uint8_t *buf, size_t len)
{
    int h = mps2_sh_open_read("/dev/urandom");
    long got;
    (void)ctx;
    if (h < 0) return SFO_E_ENTROPY;
    got = mps2_sh_read(h, buf, len);
    mps2_sh_close(h);
    if (got < 0 || (size_t)got != len) {
        memset(buf, 0, len);
        return SFO_E_ENTROPY;
    }
    return SFO_OK;
}

/* TEST-ONLY: the host's wall clock (SYS_TIME). */
int64_t sfo_mps2_test_wall_s(void *ctx)
{
    (void)ctx;
    return mps2_sh_time();
}
