/*
 * sfoauth port contract: everything the portable core (src/) needs from the
 * platform, as one table of function pointers plus an opaque context.
 *
 * The core never calls the C library beyond memcpy/memset/memmove/memcmp/strlen;
 * sockets, clocks, entropy, TLS and crypto all come through struct sfo_port.
 * A port fills the table once; the core only reads it. One port context
 * serves one client (one live connection at a time): two clients in two
 * threads use two port contexts and never share state.
 *
 * Ports shipped: port/posix/ (sockets, clocks, getrandom) over the portable
 * TLS glue port/tls/ (sfoauth_tls.h) with mbedTLS (default) or BearSSL. A
 * firmware port (lwIP/FreeRTOS, bare metal) supplies only a plaintext network
 * table and a platform table to the same glue: see sfoauth_tls.h and README
 * "Porting".
 *
 * Conventions for every function below:
 *   - return SFO_OK (0) or a negative SFO_E_* code from sfoauth_types.h,
 *     except where a byte count is returned (then >= 0 is a count);
 *   - deadline_ms is an absolute time on the port's monotonic clock
 *     (mono_ms); a call that cannot finish by then returns SFO_E_TIMEOUT;
 *   - no function ever writes secret material to the log callback.
 */
#ifndef SFOAUTH_PORT_H
#define SFOAUTH_PORT_H

#include "sfoauth_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The byte stream the HTTP client talks to: two function pointers, like a
 * coreHTTP transport. The port fills one in connect() and replaces it in
 * tls_start() by the encrypted stream over the same socket.
 *
 * send: writes up to len bytes; returns the number written (>= 1), or
 *       SFO_E_AGAIN (nothing could be written yet; the core calls again),
 *       SFO_E_TIMEOUT, SFO_E_RESET, SFO_E_CLOSED, SFO_E_IO, SFO_E_TLS_*.
 * recv: reads up to len bytes; returns the number read (>= 1), 0 at a clean
 *       end of stream (TCP FIN, or TLS close_notify), SFO_E_AGAIN when no
 *       data is available yet (a non-blocking port; the core calls again
 *       until its deadline), or SFO_E_TIMEOUT, SFO_E_RESET, SFO_E_IO,
 *       SFO_E_TLS_CLOSED (alert or close without close_notify where the
 *       backend can tell), SFO_E_TLS.
 */
struct sfo_transport {
    void *ctx;
    int (*send)(void *ctx, const uint8_t *buf, size_t len, int64_t deadline_ms);
    int (*recv)(void *ctx, uint8_t *buf, size_t len, int64_t deadline_ms);
};

/* A segment of a message that is hashed without being copied together. */
struct sfo_iov {
    const void *ptr;
    size_t len;
};

/* Log levels of the optional log callback. */
enum sfo_log_level {
    SFO_LOG_ERROR = 0,
    SFO_LOG_INFO = 1, /* connect, TLS version/cipher, certificate subject */
    SFO_LOG_DEBUG = 2 /* request line and headers (secrets redacted), response headers */
};

#define SFO_SHA256_LEN 32u
/* Largest RSA signature produced by rsa_sign (4096-bit key). */
#define SFO_RSA_MAX_SIG 512u

struct sfo_port {
    void *ctx; /* passed as first argument to every function below */

    /* ---- clocks ---- */
    /* Monotonic milliseconds since an arbitrary origin; never goes back. */
    int64_t (*mono_ms)(void *ctx);
    /* Wall-clock seconds since 1970-01-01T00:00:00Z (JWT exp, certificate dates). */
    int64_t (*wall_s)(void *ctx);

    /* ---- entropy ---- */
    /* Fill buf with len cryptographically strong random bytes, or return
     * SFO_E_ENTROPY (never weak bytes: fail closed). */
    int (*random)(void *ctx, uint8_t *buf, size_t len);

    /* ---- waiting ---- */
    /* Block for about ms milliseconds (retry backoff, device-flow polling).
     * Never fails; may return early on a signal (the core re-checks its clock). */
    void (*sleep_ms)(void *ctx, uint32_t ms);

    /* ---- network ---- */
    /*
     * Open a TCP connection to host:port (host: DNS name, dotted IPv4 or IPv6
     * literal without brackets), trying every resolved address in turn until
     * deadline_ms. On success fills *out with the plaintext stream.
     * Errors: SFO_E_DNS, SFO_E_CONNREFUSED, SFO_E_CONNECT, SFO_E_TIMEOUT, SFO_E_IO.
     * Any previous connection of this context must have been closed.
     */
    int (*connect)(void *ctx, const char *host, uint16_t port, int64_t deadline_ms,
                   struct sfo_transport *out);
    /*
     * Run a TLS 1.2+ client handshake over the connected stream. server_name is
     * sent as SNI (unless it is an IP literal) and the certificate chain is
     * verified against the context's trust anchors, the wall clock and
     * server_name (DNS name or IP address SAN). Verification cannot be turned
     * off. On success replaces *io with the encrypted stream.
     * Errors: SFO_E_TLS_UNTRUSTED, SFO_E_TLS_EXPIRED, SFO_E_TLS_NOT_YET_VALID,
     * SFO_E_TLS_HOSTNAME, SFO_E_TLS_HANDSHAKE, SFO_E_TLS_CA, SFO_E_TIMEOUT,
     * SFO_E_RESET, SFO_E_CLOSED, SFO_E_TLS.
     */
    int (*tls_start)(void *ctx, const char *server_name, int64_t deadline_ms,
                     struct sfo_transport *io);
    /* Close the connection (sending close_notify when TLS is up); safe to call
     * when nothing is open. Never fails. */
    void (*close)(void *ctx);

    /* ---- crypto ---- */
    /* SHA-256 over the concatenation of n segments. */
    int (*sha256)(void *ctx, const struct sfo_iov *msg, size_t n, uint8_t out[SFO_SHA256_LEN]);
    /* HMAC-SHA256 with key over the concatenation of n segments. */
    int (*hmac_sha256)(void *ctx, const uint8_t *key, size_t key_len, const struct sfo_iov *msg,
                       size_t n, uint8_t out[SFO_SHA256_LEN]);
    /*
     * Load the signing key (PEM or DER; PKCS#1 "RSA PRIVATE KEY" or unencrypted
     * PKCS#8 "PRIVATE KEY"; RSA 2048..4096 bits) into the context, replacing
     * (and wiping) any earlier key. The caller may wipe data afterwards.
     * Errors: SFO_E_KEY (unreadable, encrypted), SFO_E_KEY_TYPE (not RSA, bad size).
     */
    int (*key_load)(void *ctx, const uint8_t *data, size_t len);
    /*
     * RSASSA-PKCS1-v1_5 signature of a SHA-256 digest with the loaded key.
     * sig_cap must be at least the modulus size; *sig_len receives it.
     * Errors: SFO_E_KEY (no key loaded), SFO_E_TOO_LONG, SFO_E_CRYPTO.
     */
    int (*rsa_sign)(void *ctx, const uint8_t digest[SFO_SHA256_LEN], uint8_t *sig, size_t sig_cap,
                    size_t *sig_len);
    /* Wipe and forget the loaded key. */
    void (*key_clear)(void *ctx);

    /* ---- log (optional: NULL disables) ---- */
    /*
     * One log line: msg is a constant phrase; detail (may be NULL) is extra
     * text of detail_len bytes, not NUL-terminated. The core redacts secrets
     * before calling; the port must do the same for what it logs.
     */
    void (*log)(void *log_ctx, int level, const char *msg, const char *detail, size_t detail_len);
    void *log_ctx;
    int log_level; /* highest level passed to log */
};

#ifdef __cplusplus
}
#endif
#endif /* SFOAUTH_PORT_H */
