/*
 * sfoauth POSIX port: struct sfo_port over BSD sockets, clock_gettime,
 * getrandom and one TLS/crypto backend (mbedTLS 2.28 or BearSSL 0.6).
 * It supplies the struct sfo_net and struct sfo_platform of the portable TLS
 * glue (sfoauth_tls.h) and loads CA bundle files; the glue does the rest.
 *
 * The caller owns a struct sfo_posix_port (one per client; no globals) and
 * fills its function table with sfo_posix_port_init(). Everything the port
 * needs lives in that struct: the socket, the TLS engine, the trust anchors
 * and the signing key. mbedTLS itself allocates from the heap (its X.509
 * and SSL contexts); the BearSSL build allocates nothing: every buffer is
 * inside the struct, sized by the SFO_BR_* constants of sfoauth_tls.h.
 *
 * The backend is chosen at build time: compile everything that includes this
 * header with -DSFO_BACKEND_MBEDTLS=1 or -DSFO_BACKEND_BEARSSL=1 (the
 * Makefile does, from BACKEND=mbedtls|bearssl).
 *
 * Error codes at abrupt ends of a TLS stream (documented choice, both
 * backends): a TCP reset reads as SFO_E_RESET; a TLS fatal alert, or a TCP
 * FIN without close_notify after the handshake, reads as SFO_E_TLS_CLOSED;
 * close_notify reads as 0 (clean end of stream).
 */
#ifndef SFOAUTH_POSIX_H
#define SFOAUTH_POSIX_H

#include "sfoauth_tls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the trust anchors come from. */
enum sfo_posix_ca {
    SFO_CA_SYSTEM = 0,    /* PEM bundle SFO_POSIX_CA_FILE_DEFAULT */
    SFO_CA_FILE = 1,      /* PEM bundle at cfg->ca_file */
    SFO_CA_PEM = 2,       /* PEM text in memory: cfg->ca_pem, cfg->ca_pem_len */
    SFO_CA_SALESFORCE = 3 /* compiled in: DigiCert Global Root CA + Global Root G2 */
};

struct sfo_posix_config {
    int ca_source;         /* enum sfo_posix_ca */
    const char *ca_file;   /* SFO_CA_FILE: path, NUL-terminated */
    const uint8_t *ca_pem; /* SFO_CA_PEM: PEM text (need not be NUL-terminated); */
    size_t ca_pem_len;     /*   only read during sfo_posix_port_init */
    /* Optional log callback copied into the port table (NULL: no log). */
    void (*log)(void *log_ctx, int level, const char *msg, const char *detail, size_t detail_len);
    void *log_ctx;
    int log_level; /* highest enum sfo_log_level passed to log */
};

/* -------------------------------------------------------------- the port */
struct sfo_posix_port {
    int fd;     /* connected socket, -1 when none */
    int inited; /* set by init, cleared by deinit */
    void (*log)(void *log_ctx, int level, const char *msg, const char *detail,
                size_t detail_len); /* copied from the configuration */
    void *log_ctx;
    int log_level;
    struct sfo_tls b; /* the portable TLS glue over this socket and clock */
};

/*
 * Initialise pp, load the trust anchors named by cfg (NULL: system bundle, no
 * log) and fill *out with the port functions (out->ctx = pp). Must be paired
 * with sfo_posix_port_deinit, also after a failure.
 * Errors: SFO_E_ARG (pp or out NULL, unknown ca_source, SFO_CA_FILE without a
 * path, SFO_CA_PEM without data), SFO_E_TLS_CA (file missing/unreadable, no
 * certificate the backend can use in it, or (BearSSL) more anchors than
 * SFO_BR_MAX_ANCHORS / SFO_BR_ANCHOR_BYTES hold; certificates of a bundle
 * that the backend cannot decode are skipped with an INFO log line),
 * SFO_E_ENTROPY
 * (random generator could not be seeded).
 */
int sfo_posix_port_init(struct sfo_posix_port *pp, const struct sfo_posix_config *cfg,
                        struct sfo_port *out);

/* Close any connection, wipe the key, free backend state. Safe to call twice
 * and after a failed init. */
void sfo_posix_port_deinit(struct sfo_posix_port *pp);

/* The leaf certificate of the last handshake (accepted or refused) into *out;
 * out->have is 0 when none was received (sfo_tls_peer_cert). */
void sfo_posix_peer_cert(const struct sfo_posix_port *pp, struct sfo_tls_peer *out);

/* Number of trust anchors loaded (for tests and diagnostics). */
size_t sfo_posix_port_anchor_count(const struct sfo_posix_port *pp);

#ifdef __cplusplus
}
#endif
#endif /* SFOAUTH_POSIX_H */
