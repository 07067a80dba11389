/*
 * Test support: a fault-injecting struct sfo_port that wraps a real port.
 *
 * Every entry is forwarded to the inner port; the shim can
 *   - make connect, tls_start, send or recv fail at their N-th call (1-based,
 *     counted since fp_reset) with any code (recv: 0 = end of stream),
 *     once or on every later call, or stall there until the deadline the
 *     library passed (then SFO_E_TIMEOUT);
 *   - make send/recv move one byte per call;
 *   - answer SFO_E_AGAIN (would block) on every other send/recv call;
 *   - shift the monotonic clock (a jump at the N-th mono_ms call: deadline
 *     expiry) and the wall clock (JWT exp);
 *   - sleep virtually: sleep_ms advances the shifted monotonic clock instead
 *     of blocking (backoff and device polling cost no real time).
 * Deadlines handed to the inner port are translated back to its clock.
 * The stream the library sees is always the shim's own (connect and
 * tls_start hand out fp_send / fp_recv over the inner stream).
 * Test-only code: uses libc freely. One shim per client, one thread.
 */
#ifndef SFO_FAULTPORT_H
#define SFO_FAULTPORT_H

#include <stdbool.h>
#include "sfoauth_port.h"

enum fp_op { FP_CONNECT = 0, FP_TLS_START, FP_SEND, FP_RECV, FP_MONO, FP_NOPS };

struct fp_port {
    const struct sfo_port *inner;
    struct sfo_port port;          /* give &port to sfo_client_init */
    struct sfo_transport inner_io; /* the inner port's current stream */
    /* fault: op fails at its nth call with code */
    int fault_op; /* enum fp_op, or -1 for none */
    unsigned fault_nth;
    int fault_code;
    bool fault_persist; /* every call from nth on, not only the nth */
    bool fault_stall;   /* block until the call's deadline, return SFO_E_TIMEOUT */
    /* stream shaping */
    bool one_byte; /* send/recv move at most 1 byte per call */
    bool again;    /* SFO_E_AGAIN on every other send/recv call */
    /* clocks */
    int64_t mono_offset; /* added to the inner monotonic clock */
    int64_t wall_offset; /* added to the inner wall clock */
    unsigned jump_at;    /* at this mono_ms call (1-based; 0 none) ... */
    int64_t jump_ms;     /* ... the monotonic clock jumps forward this much */
    bool virtual_sleep;  /* sleep_ms advances mono_offset only */
    /* counters since fp_reset */
    unsigned calls[FP_NOPS];
    unsigned faults;  /* faults injected */
    unsigned again_n; /* SFO_E_AGAIN answers given */
    unsigned key_loads, key_clears;
    unsigned opens, closes;  /* successful connects, close calls */
    uint64_t sent, received; /* bytes through the stream */
};

/* Wrap inner: every entry forwarded, no fault, real clocks, real sleep. */
void fp_init(struct fp_port *f, const struct sfo_port *inner);
/* Clear the fault, shaping, clock settings and counters (keeps inner). */
void fp_reset(struct fp_port *f);
/* Arm one fault: op fails at its nth call with code. */
void fp_fault(struct fp_port *f, enum fp_op op, unsigned nth, int code);

#endif
