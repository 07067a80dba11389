/* Test support: see faultport.h. */
#include "faultport.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static struct fp_port *F(void *ctx)
{
    return (struct fp_port *)ctx;
}

static void real_sleep_ms(int64_t ms)
{
    if (ms <= 0) return;
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {}
}

/* The inner clock, without counting a call. */
static int64_t inner_now(const struct fp_port *f)
{
    return f->inner->mono_ms(f->inner->ctx);
}

/* A deadline of the shim's clock on the inner clock. */
static int64_t inner_dl(const struct fp_port *f, int64_t dl)
{
    return dl - f->mono_offset;
}

/* Count a call of op; returns true when it must fail now. */
static bool hit(struct fp_port *f, enum fp_op op)
{
    unsigned n = ++f->calls[op];
    if (f->fault_op != (int)op || f->fault_nth == 0) return false;
    if (n == f->fault_nth || (f->fault_persist && n > f->fault_nth)) {
        f->faults++;
        return true;
    }
    return false;
}

/* The injected result of a failing call with deadline dl (shim clock). */
static int fail(struct fp_port *f, int64_t dl)
{
    if (f->fault_stall) {
        real_sleep_ms(inner_dl(f, dl) - inner_now(f));
        return SFO_E_TIMEOUT;
    }
    return f->fault_code;
}

/* ---- clocks, entropy, sleep ---- */
static int64_t fp_mono(void *ctx)
{
    struct fp_port *f = F(ctx);
    unsigned n = ++f->calls[FP_MONO];
    if (f->jump_at != 0 && n == f->jump_at) f->mono_offset += f->jump_ms;
    return inner_now(f) + f->mono_offset;
}

static int64_t fp_wall(void *ctx)
{
    struct fp_port *f = F(ctx);
    return f->inner->wall_s(f->inner->ctx) + f->wall_offset;
}

static int fp_random(void *ctx, uint8_t *buf, size_t len)
{
    struct fp_port *f = F(ctx);
    return f->inner->random(f->inner->ctx, buf, len);
}

static void fp_sleep(void *ctx, uint32_t ms)
{
    struct fp_port *f = F(ctx);
    if (f->virtual_sleep) {
        f->mono_offset += ms;
    } else if (f->inner->sleep_ms != NULL) {
        f->inner->sleep_ms(f->inner->ctx, ms);
    } else {
        real_sleep_ms(ms);
    }
}

/* ---- the stream ---- */

/* Shaping common to send and recv: AGAIN every other call, one byte. */
static int shape(struct fp_port *f, size_t *len)
{
    if (f->again) {
        if ((f->calls[FP_SEND] + f->calls[FP_RECV]) % 2u == 1u) {
            f->again_n++;
            return SFO_E_AGAIN;
        }
    }
    if (f->one_byte && *len > 1) *len = 1;
    return SFO_OK;
}

static int fp_send(void *ctx, const uint8_t *buf, size_t len, int64_t dl)
{
    struct fp_port *f = F(ctx);
    int rc;
    if (hit(f, FP_SEND)) return fail(f, dl);
    rc = shape(f, &len);
    if (rc != SFO_OK) return rc;
    rc = f->inner_io.send(f->inner_io.ctx, buf, len, inner_dl(f, dl));
    if (rc > 0) f->sent += (uint64_t)rc;
    return rc;
}

static int fp_recv(void *ctx, uint8_t *buf, size_t len, int64_t dl)
{
    struct fp_port *f = F(ctx);
    int rc;
    if (hit(f, FP_RECV)) return fail(f, dl);
    rc = shape(f, &len);
    if (rc != SFO_OK) return rc;
    rc = f->inner_io.recv(f->inner_io.ctx, buf, len, inner_dl(f, dl));
    if (rc > 0) f->received += (uint64_t)rc;
    return rc;
}

static int fp_connect(void *ctx, const char *host, uint16_t port, int64_t dl,
                      struct sfo_transport *out)
{
    struct fp_port *f = F(ctx);
    int rc;
    if (hit(f, FP_CONNECT)) return fail(f, dl);
    rc = f->inner->connect(f->inner->ctx, host, port, inner_dl(f, dl), &f->inner_io);
    if (rc != SFO_OK) return rc;
    f->opens++;
    out->ctx = f;
    out->send = fp_send;
    out->recv = fp_recv;
    return SFO_OK;
}

static int fp_tls_start(void *ctx, const char *server_name, int64_t dl, struct sfo_transport *io)
{
    struct fp_port *f = F(ctx);
    int rc;
    if (hit(f, FP_TLS_START)) return fail(f, dl);
    rc = f->inner->tls_start(f->inner->ctx, server_name, inner_dl(f, dl), &f->inner_io);
    if (rc != SFO_OK) return rc;
    io->ctx = f;
    io->send = fp_send;
    io->recv = fp_recv;
    return SFO_OK;
}

static void fp_close(void *ctx)
{
    struct fp_port *f = F(ctx);
    f->closes++;
    f->inner->close(f->inner->ctx);
    memset(&f->inner_io, 0, sizeof f->inner_io);
}

/* ---- crypto: forwarded ---- */
static int fp_sha256(void *ctx, const struct sfo_iov *msg, size_t n, uint8_t out[SFO_SHA256_LEN])
{
    struct fp_port *f = F(ctx);
    return f->inner->sha256(f->inner->ctx, msg, n, out);
}

static int fp_hmac(void *ctx, const uint8_t *key, size_t key_len, const struct sfo_iov *msg,
                   size_t n, uint8_t out[SFO_SHA256_LEN])
{
    struct fp_port *f = F(ctx);
    return f->inner->hmac_sha256(f->inner->ctx, key, key_len, msg, n, out);
}

static int fp_key_load(void *ctx, const uint8_t *data, size_t len)
{
    struct fp_port *f = F(ctx);
    f->key_loads++;
    return f->inner->key_load(f->inner->ctx, data, len);
}

static int fp_rsa_sign(void *ctx, const uint8_t digest[SFO_SHA256_LEN], uint8_t *sig,
                       size_t sig_cap, size_t *sig_len)
{
    struct fp_port *f = F(ctx);
    return f->inner->rsa_sign(f->inner->ctx, digest, sig, sig_cap, sig_len);
}

static void fp_key_clear(void *ctx)
{
    struct fp_port *f = F(ctx);
    f->key_clears++;
    f->inner->key_clear(f->inner->ctx);
}

void fp_reset(struct fp_port *f)
{
    const struct sfo_port *inner = f->inner;
    struct sfo_port port = f->port;
    memset(f, 0, sizeof *f);
    f->inner = inner;
    f->port = port;
    f->fault_op = -1;
}

void fp_fault(struct fp_port *f, enum fp_op op, unsigned nth, int code)
{
    f->fault_op = (int)op;
    f->fault_nth = nth;
    f->fault_code = code;
}

void fp_init(struct fp_port *f, const struct sfo_port *inner)
{
    memset(f, 0, sizeof *f);
    f->inner = inner;
    f->fault_op = -1;
    f->port.ctx = f;
    f->port.mono_ms = fp_mono;
    f->port.wall_s = fp_wall;
    f->port.random = fp_random;
    f->port.sleep_ms = fp_sleep;
    f->port.connect = fp_connect;
    f->port.tls_start = inner->tls_start != NULL ? fp_tls_start : NULL;
    f->port.close = fp_close;
    f->port.sha256 = fp_sha256;
    f->port.hmac_sha256 = fp_hmac;
    f->port.key_load = fp_key_load;
    f->port.rsa_sign = fp_rsa_sign;
    f->port.key_clear = fp_key_clear;
    f->port.log = inner->log;
    f->port.log_ctx = inner->log_ctx;
    f->port.log_level = inner->log_level;
}
