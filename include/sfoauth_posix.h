/*
 * sfoauth POSIX port: struct sfo_port over BSD sockets, clock_gettime,
 * getrandom and one TLS/crypto backend (mbedTLS 2.28 or BearSSL 0.6).
 *
 * The caller owns a struct sfo_posix_port (one per client; no globals) and
 * fills its function table with sfo_posix_port_init(). Everything the port
 * needs lives in that struct: the socket, the TLS engine, the trust anchors
 * and the signing key. mbedTLS itself allocates from the heap (its X.509
 * and SSL contexts); the BearSSL build allocates nothing: every buffer is
 * inside the struct, sized by the SFO_BR_* constants below.
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

/* PEM bundle used when the configuration names no trust anchors. */
#ifndef SFO_POSIX_CA_FILE_DEFAULT
#define SFO_POSIX_CA_FILE_DEFAULT "/etc/ssl/certs/ca-certificates.crt"
#endif

/* Where the trust anchors come from. */
enum sfo_posix_ca {
    SFO_CA_SYSTEM = 0,   /* PEM bundle SFO_POSIX_CA_FILE_DEFAULT */
    SFO_CA_FILE = 1,     /* PEM bundle at cfg->ca_file */
    SFO_CA_PEM = 2,      /* PEM text in memory: cfg->ca_pem, cfg->ca_pem_len */
    SFO_CA_SALESFORCE = 3/* compiled in: DigiCert Global Root CA + Global Root G2 */
};

struct sfo_posix_config {
    int ca_source;            /* enum sfo_posix_ca */
    const char *ca_file;      /* SFO_CA_FILE: path, NUL-terminated */
    const uint8_t *ca_pem;    /* SFO_CA_PEM: PEM text (need not be NUL-terminated); */
    size_t ca_pem_len;        /*   only read during sfo_posix_port_init */
    /* Optional log callback copied into the port table (NULL: no log). */
    void (*log)(void *log_ctx, int level, const char *msg, const char *detail,
                size_t detail_len);
    void *log_ctx;
    int log_level;            /* highest enum sfo_log_level passed to log */
};

/* The leaf certificate of the last TLS handshake, also of a refused one, for a
 * message that names it (sfo_posix_peer_cert). */
struct sfo_posix_peer {
    char subject[256];   /* "CN=a, O=b" (CN O OU C ST L), "" when unknown */
    char issuer[256];    /* the same for its issuer, "" when unknown */
    uint8_t sha256[32];  /* SHA-256 of the leaf's DER */
    int have;            /* a leaf certificate was seen */
};

/* ---------------------------------------------------------------- backends */
#if defined(SFO_BACKEND_MBEDTLS) && SFO_BACKEND_MBEDTLS

struct sfo_tls_backend {
    mbedtls_ctr_drbg_context drbg; /* seeded from getrandom; TLS and RSA blinding */
    mbedtls_x509_crt ca;           /* trust anchors (heap, freed by deinit) */
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    mbedtls_pk_context key;        /* signing key */
    int key_loaded;
    int ssl_setup;                 /* mbedtls_ssl_setup done (once per context) */
    int ssl_dirty;                 /* a session ran since the last reset */
    int64_t deadline;              /* deadline of the TLS call in progress (for the bio) */
    int host_is_ip;                /* current server name is an IP literal */
    uint8_t host_ip[16];           /* its address bytes (4 or 16) */
    size_t host_ip_len;
    int io_err;                    /* SFO_E_* of the last socket failure seen by the bio */
    struct sfo_posix_peer peer;    /* leaf of the last handshake */
};

#else /* BearSSL */

/* sizeof(struct sfo_posix_port) on x86-64: about 139 KiB with the defaults
 * below (room for the system bundle); about 27 KiB with
 * -DSFO_BR_MAX_ANCHORS=2 -DSFO_BR_ANCHOR_BYTES=1024 -DSFO_BR_LEAF_MAX=16
 * (compiled-in Salesforce roots, DNS host names only). */

/* Most trust anchors held (the Debian bundle has about 150). */
#ifndef SFO_BR_MAX_ANCHORS
#define SFO_BR_MAX_ANCHORS 200u
#endif
/* Bytes for the anchors' DNs and public keys (Debian bundle: about 60 KiB;
 * the two Salesforce roots: under 1 KiB). */
#ifndef SFO_BR_ANCHOR_BYTES
#define SFO_BR_ANCHOR_BYTES (96u * 1024u)
#endif
/* Engine record buffer: mono (half-duplex) mode, one full TLS record. */
#ifndef SFO_BR_IOBUF_SIZE
#define SFO_BR_IOBUF_SIZE BR_SSL_BUFSIZE_MONO
#endif
/* Largest leaf certificate kept for the IP-address SAN check (IP hosts only). */
#ifndef SFO_BR_LEAF_MAX
#define SFO_BR_LEAF_MAX 4096u
#endif
/* Bytes of the leaf subject DN kept for the log line. */
#ifndef SFO_BR_DN_MAX
#define SFO_BR_DN_MAX 256u
#endif

/* X.509 engine wrapping br_x509_minimal: adds the IP SAN check and tells an
 * expired chain from a not-yet-valid one. */
struct sfo_br_x509 {
    const br_x509_class *vtable;         /* must stay first */
    const br_x509_class **inner;          /* the minimal engine */
    br_x509_decoder_context dec;          /* decodes each chain certificate */
    uint32_t days, seconds;               /* now, in BearSSL's time base */
    unsigned cert_index;                  /* 0 for the leaf */
    int dates;                            /* 0 ok, 1 some expired, 2 some not yet valid */
    int check_ip;                         /* host is an IP literal */
    uint8_t ip[16];
    size_t ip_len;
    uint8_t leaf[SFO_BR_LEAF_MAX];        /* leaf DER (IP hosts only) */
    size_t leaf_len;
    int leaf_overflow;
    int ip_result;                        /* SFO_OK or SFO_E_TLS_HOSTNAME */
    uint8_t dn[SFO_BR_DN_MAX];            /* leaf subject DN (DER) for the log */
    size_t dn_len;
    uint8_t idn[SFO_BR_DN_MAX];           /* subject DN of the next certificate sent:
                                             the leaf's issuer as the server names it */
    size_t idn_len;
    br_sha256_context leaf_hash;          /* over the leaf's DER */
    uint8_t leaf_sha256[32];
    int leaf_seen;
};

struct sfo_tls_backend {
    br_ssl_client_context sc;
    br_x509_minimal_context xc;
    struct sfo_br_x509 xw;
    uint8_t iobuf[SFO_BR_IOBUF_SIZE];     /* also holds one DER certificate while
                                             anchors load (largest: SFO_BR_IOBUF_SIZE) */
    br_x509_trust_anchor anchors[SFO_BR_MAX_ANCHORS];
    size_t n_anchors;
    uint8_t store[SFO_BR_ANCHOR_BYTES];   /* DNs and keys the anchors point into */
    size_t store_used;
    int64_t deadline;                     /* of the TLS call in progress */
    int io_err;                           /* SFO_E_* of a socket failure that ended the engine */
    br_rsa_private_key key;               /* points into keybuf */
    uint8_t keybuf[BR_RSA_KBUF_PRIV_SIZE(4096)];
    int key_loaded;
};

#endif

/* -------------------------------------------------------------- the port */
struct sfo_posix_port {
    int fd;                       /* connected socket, -1 when none */
    int tls;                      /* TLS running over fd */
    int inited;                   /* set by init, cleared by deinit */
    void (*log)(void *log_ctx, int level, const char *msg, const char *detail,
                size_t detail_len);   /* copied from the configuration */
    void *log_ctx;
    int log_level;
    struct sfo_tls_backend b;
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

/* The leaf certificate of the last handshake (succeeded or refused) into *out;
 * out->have is 0 when none was received. */
void sfo_posix_peer_cert(const struct sfo_posix_port *pp, struct sfo_posix_peer *out);

/* Number of trust anchors loaded (for tests and diagnostics). */
size_t sfo_posix_port_anchor_count(const struct sfo_posix_port *pp);

#ifdef __cplusplus
}
#endif
#endif /* SFOAUTH_POSIX_H */
