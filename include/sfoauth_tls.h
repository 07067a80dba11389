/*
 * sfoauth portable TLS glue: a complete struct sfo_port (clocks, entropy,
 * connect/TLS/send/recv/close, SHA-256/HMAC/RSA) built from what a platform
 * has to write itself, and nothing more:
 *
 *   struct sfo_net       a plaintext TCP stream: connect(host, port, deadline),
 *                        send, recv, close (sockets, lwIP, a modem's AT stack);
 *   struct sfo_platform  mono_ms, wall_s, random (fail closed), sleep_ms and an
 *                        optional log callback;
 *   trust anchors        DER certificates in memory, a PEM buffer, and/or the
 *                        compiled-in Salesforce roots (DigiCert Global Root CA
 *                        and Global Root G2).
 *
 * The TLS engine (mbedTLS 2.28 or BearSSL 0.6) runs over the sfo_net stream and
 * takes time, randomness and logging only through sfo_platform: the glue
 * (port/tls/) includes no POSIX or OS header and builds freestanding for
 * microcontrollers. port/posix/ is one user of it; a firmware port supplies
 * its own sfo_net and sfo_platform and calls sfo_tls_port_init().
 *
 * Memory: the caller allocates struct sfo_tls (one per client; no globals).
 * The BearSSL build allocates nothing: engine, record buffer, anchors and key
 * are inside the struct (sizes: SFO_BR_* below). The mbedTLS build allocates
 * through mbedTLS's own allocator (the C heap, or a static pool when the
 * build enables MBEDTLS_MEMORY_BUFFER_ALLOC_C and calls
 * mbedtls_memory_buffer_alloc_init() first).
 *
 * The backend is chosen at build time: compile everything that includes this
 * header with -DSFO_BACKEND_MBEDTLS=1 or -DSFO_BACKEND_BEARSSL=1.
 *
 * Certificate policy (both backends, README "Certificate policy"): chain to a
 * trust anchor, every certificate within its dates on the platform's wall
 * clock, host name (DNS SAN / CN) or IP address SAN match, RSA keys of at
 * least 2048 bits and EC keys on P-256 or larger, signatures with SHA-256 or
 * stronger. Verification cannot be switched off.
 *
 * Return codes: SFO_OK (0) or a negative SFO_E_* code from sfoauth_types.h;
 * functions returning a count return >= 0 on success.
 */
#ifndef SFOAUTH_TLS_H
#define SFOAUTH_TLS_H

#include "sfoauth_port.h"

#if defined(SFO_BACKEND_MBEDTLS) && SFO_BACKEND_MBEDTLS
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#elif defined(SFO_BACKEND_BEARSSL) && SFO_BACKEND_BEARSSL
#include <bearssl.h>
#else
#error "define SFO_BACKEND_MBEDTLS=1 or SFO_BACKEND_BEARSSL=1"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ what a platform writes */

/*
 * A plaintext TCP stream. One sfo_net carries at most one connection at a time.
 * Every call receives ctx as first argument. deadline_ms is absolute, on the
 * clock of sfo_platform.mono_ms.
 *
 * connect: open a TCP connection to host:port. host is a DNS name, a dotted
 *     IPv4 address or an IPv6 literal without brackets (NUL-terminated).
 *     Try every resolved address in turn until deadline_ms.
 *     Returns SFO_OK, or SFO_E_DNS (name did not resolve), SFO_E_CONNREFUSED
 *     (every address refused), SFO_E_CONNECT (unreachable, other failure),
 *     SFO_E_TIMEOUT (deadline passed), SFO_E_IO. The glue never calls connect
 *     while a connection is open.
 * send: write 1..len bytes (len >= 1). Returns the count written (>= 1), or
 *     SFO_E_AGAIN (nothing could be written yet: the glue calls again, after
 *     sleep_ms(SFO_TLS_AGAIN_MS), until deadline_ms), SFO_E_TIMEOUT,
 *     SFO_E_RESET (peer reset), SFO_E_CLOSED (peer gone), SFO_E_IO.
 *     A send that blocks must return by deadline_ms.
 * recv: read 1..len bytes (len >= 1). Returns the count read (>= 1), 0 at end
 *     of stream (peer's FIN; never 0 for "no data yet"), SFO_E_AGAIN (no data
 *     yet: called again as for send), SFO_E_TIMEOUT, SFO_E_RESET, SFO_E_IO.
 *     A recv that blocks must return by deadline_ms.
 * close: close the connection; safe to call when none is open. Never fails.
 */
struct sfo_net {
    void *ctx;
    int (*connect)(void *ctx, const char *host, uint16_t port, int64_t deadline_ms);
    int (*send)(void *ctx, const uint8_t *buf, size_t len, int64_t deadline_ms);
    int (*recv)(void *ctx, uint8_t *buf, size_t len, int64_t deadline_ms);
    void (*close)(void *ctx);
};

/*
 * Time, entropy, waiting and logging. Every function receives ctx first
 * (log receives log_ctx). All but log are required.
 *
 * mono_ms:  monotonic milliseconds since any origin; never goes back.
 * wall_s:   seconds since 1970-01-01T00:00:00Z (certificate dates, JWT exp).
 *           A device without a set clock must not return a guess: return -1
 *           until it is set (every certificate then fails with
 *           SFO_E_TLS_NOT_YET_VALID, on both backends).
 * random:   fill buf with len cryptographically strong random bytes and return
 *           SFO_OK, or return SFO_E_ENTROPY (never weak bytes: fail closed).
 * sleep_ms: block about ms milliseconds (may return early).
 * log:      optional (NULL: no log). One line: msg is a constant phrase, detail
 *           (may be NULL) detail_len bytes, not NUL-terminated. Lines up to
 *           log_level (enum sfo_log_level) are passed. Never receives secrets.
 */
struct sfo_platform {
    void *ctx;
    int64_t (*mono_ms)(void *ctx);
    int64_t (*wall_s)(void *ctx);
    int (*random)(void *ctx, uint8_t *buf, size_t len);
    void (*sleep_ms)(void *ctx, uint32_t ms);
    void (*log)(void *log_ctx, int level, const char *msg, const char *detail, size_t detail_len);
    void *log_ctx;
    int log_level;
};

/* A DER certificate in memory. */
struct sfo_der_cert {
    const uint8_t *der;
    size_t len;
};

/*
 * Trust anchors. Any combination may be given; all are read (and copied)
 * during sfo_tls_port_init only, so the caller may free them afterwards.
 *
 * salesforce: nonzero adds the compiled-in DigiCert Global Root CA and
 *     DigiCert Global Root G2 (what Salesforce endpoints chain to).
 * der, n_der: DER certificates; each one must decode and meet the key-size
 *     policy (else SFO_E_TLS_CA).
 * pem, pem_len: PEM text (need not be NUL-terminated) holding one or more
 *     "CERTIFICATE" objects; other objects are ignored; a certificate the
 *     backend cannot decode, or one whose key is below the policy's size, is
 *     skipped with an INFO log line (as in a system bundle).
 */
struct sfo_tls_trust {
    int salesforce;
    const struct sfo_der_cert *der;
    size_t n_der;
    const uint8_t *pem;
    size_t pem_len;
};

/* Everything sfo_tls_port_init needs. net and platform are copied. */
struct sfo_tls_config {
    struct sfo_net net;
    struct sfo_platform platform;
    struct sfo_tls_trust trust;
};

/* The leaf certificate of the last handshake, also of a refused one, for a
 * message that names it (sfo_tls_peer_cert). */
struct sfo_tls_peer {
    char subject[256];  /* "CN=a, O=b" (CN O OU C ST L), "" when unknown */
    char issuer[256];   /* the same for its issuer, "" when unknown */
    uint8_t sha256[32]; /* SHA-256 of the leaf's DER */
    int have;           /* a leaf certificate was seen */
};

/* ------------------------------------------------------- the context (opaque) */
/* Members are private to port/tls/; they are here only so that the caller can
 * allocate the context statically or on its stack. */
#if defined(SFO_BACKEND_MBEDTLS) && SFO_BACKEND_MBEDTLS

#define SFO_TLS_BACKEND_MEMBERS                                                         \
    mbedtls_ctr_drbg_context drbg; /* seeded from platform.random; TLS, RSA blinding */ \
    mbedtls_x509_crt ca;           /* trust anchors (mbedTLS allocator) */              \
    mbedtls_ssl_config conf;                                                            \
    mbedtls_ssl_context ssl;                                                            \
    mbedtls_pk_context key; /* signing key */                                           \
    int ssl_setup;          /* mbedtls_ssl_setup done (once per context) */             \
    int ssl_dirty;          /* a session ran since the last reset */                    \
    int host_is_ip;         /* current server name is an IP literal */                  \
    uint8_t host_ip[16];    /* its address bytes (4 or 16) */                           \
    size_t host_ip_len;                                                                 \
    struct sfo_tls_peer peer; /* leaf of the last handshake */

#else /* BearSSL */

/* sizeof(struct sfo_tls): about 143 KiB on x86-64 with the defaults below (room
 * for the system bundle); with -DSFO_BR_MAX_ANCHORS=2 -DSFO_BR_ANCHOR_BYTES=1024
 * (the compiled-in Salesforce roots) about 35 KiB on x86-64 and 34.5 KiB on
 * Cortex-M4, most of it the 16.3 KiB record buffer and the 8 KiB leaf copy. */

/* X.509 engine wrapping br_x509_minimal: adds the IP SAN check, the key-size
 * and signature-algorithm policy, and tells an expired chain from a
 * not-yet-valid one. Private to port/tls/bearssl.c. */
struct sfo_br_x509 {
    const br_x509_class *vtable; /* must stay first */
    const br_x509_class **inner; /* the minimal engine */
    br_x509_decoder_context dec; /* decodes each chain certificate */
    uint32_t days, seconds;      /* now, in BearSSL's time base */
    unsigned cert_index;         /* 0 for the leaf */
    int dates;                   /* 0 ok, 1 some expired, 2 some not yet valid */
    int check_ip;                /* host is an IP literal */
    uint8_t ip[16];
    size_t ip_len;
    uint8_t leaf[SFO_BR_LEAF_MAX]; /* leaf DER */
    size_t leaf_len;
    int leaf_overflow;
    int ip_result;             /* SFO_OK or the leaf rule that failed */
    uint8_t dn[SFO_BR_DN_MAX]; /* leaf subject DN (DER) for the log */
    size_t dn_len;
    uint8_t idn[SFO_BR_DN_MAX]; /* subject DN of the second certificate sent:
                                             the leaf's issuer as the server names it */
    size_t idn_len;
    br_sha256_context leaf_hash; /* over the leaf's DER */
    uint8_t leaf_sha256[32];
    int leaf_seen; /* a leaf was received in this handshake */
};

#define SFO_TLS_BACKEND_MEMBERS                                                               \
    br_ssl_client_context sc;                                                                 \
    br_x509_minimal_context xc;                                                               \
    struct sfo_br_x509 xw;                                                                    \
    uint8_t iobuf[SFO_BR_IOBUF_SIZE]; /* also holds one DER certificate while anchors load */ \
    br_x509_trust_anchor anchors[SFO_BR_MAX_ANCHORS];                                         \
    size_t n_anchors;                                                                         \
    uint8_t store[SFO_BR_ANCHOR_BYTES]; /* DNs and keys the anchors point into */             \
    size_t store_used;                                                                        \
    br_rsa_private_key key; /* points into keybuf */                                          \
    uint8_t keybuf[BR_RSA_KBUF_PRIV_SIZE(4096)];

#endif

struct sfo_tls {
    struct sfo_net net;       /* copied from the configuration */
    struct sfo_platform plat; /* copied from the configuration */
    int inited;               /* set by init, cleared by deinit */
    int connected;            /* net connection open */
    int tls;                  /* TLS session up over it */
    int key_loaded;           /* a signing key is loaded */
    int64_t deadline;         /* deadline of the TLS call in progress */
    int io_err;               /* SFO_E_* of a transport failure seen by the engine */
    SFO_TLS_BACKEND_MEMBERS
};

/* ------------------------------------------------------------------ functions */

/*
 * Initialise t from cfg (net and platform copied; trust anchors loaded) and
 * fill *out with a complete port (out->ctx = t): clocks, random and sleep
 * forward to cfg->platform; connect opens cfg->net and hands the core the
 * plaintext stream; tls_start runs the handshake over it and verifies the
 * chain per the certificate policy; close sends close_notify then closes
 * cfg->net; sha256, hmac_sha256, key_load, rsa_sign, key_clear come from the
 * TLS library; log is cfg->platform.log.
 * Must be paired with sfo_tls_port_deinit, also after a failure.
 * Returns SFO_OK, or
 *   SFO_E_ARG      t, cfg or out NULL; a required net/platform function NULL;
 *                  trust.der with n_der > 0 NULL, trust.pem NULL with pem_len > 0;
 *   SFO_E_TLS_CA   a DER anchor does not decode or has a weak key; PEM text
 *                  malformed (BEGIN
 *                  without END, bad base64); trust anchors were given but none
 *                  is usable; (BearSSL) more than SFO_BR_MAX_ANCHORS /
 *                  SFO_BR_ANCHOR_BYTES;
 *   SFO_E_ENTROPY  platform.random failed (mbedTLS: DRBG not seeded);
 *   SFO_E_TLS      the TLS library could not be configured.
 * No trust at all (all fields empty) is allowed here: anchors may be added
 * with sfo_tls_trust_add_pem; tls_start fails with SFO_E_TLS_CA while there
 * is none.
 */
int sfo_tls_port_init(struct sfo_tls *t, const struct sfo_tls_config *cfg, struct sfo_port *out);

/*
 * Add the certificates of a PEM text as trust anchors (e.g. a bundle read in
 * pieces from a file system: each call must hold whole PEM objects).
 * Certificates that do not decode or fall below the key-size policy are
 * skipped with an INFO log line. Returns the number of anchors added (>= 0),
 * or SFO_E_ARG (t not initialised, pem NULL with len > 0), SFO_E_TLS_CA
 * (malformed PEM, or (BearSSL) anchor limits reached).
 */
int sfo_tls_trust_add_pem(struct sfo_tls *t, const uint8_t *pem, size_t len);

/* Number of trust anchors loaded (0 for NULL or an uninitialised t). */
size_t sfo_tls_trust_count(const struct sfo_tls *t);

/* The leaf certificate of the last handshake (accepted or refused) into *out;
 * out->have is 0 when none was received. */
void sfo_tls_peer_cert(const struct sfo_tls *t, struct sfo_tls_peer *out);

/* Close any connection (close_notify first), wipe the key, free and wipe all
 * backend state. Safe to call twice and after a failed init. */
void sfo_tls_port_deinit(struct sfo_tls *t);

#ifdef __cplusplus
}
#endif
#endif /* SFOAUTH_TLS_H */
