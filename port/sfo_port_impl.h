/*
 * Internal interface between port/posix/ (sockets, clocks, entropy, helpers)
 * and the TLS/crypto backend port/tls_<backend>.c. Not installed.
 */
#ifndef SFO_PORT_IMPL_H
#define SFO_PORT_IMPL_H

#include "sfoauth_posix.h"

/* ---- provided by port/posix/posix_port.c ---- */
int64_t sfo_px_mono_ms(void *ctx);
int64_t sfo_px_wall_s(void *ctx);
int sfo_px_random(void *ctx, uint8_t *buf, size_t len);
/* Raw socket I/O bounded by deadline_ms: count >= 1, 0 at EOF (recv only),
 * SFO_E_TIMEOUT, SFO_E_RESET, SFO_E_CLOSED (send to a closed peer), SFO_E_IO. */
int sfo_px_sock_send(struct sfo_posix_port *pp, const uint8_t *buf, size_t len,
                     int64_t deadline_ms);
int sfo_px_sock_recv(struct sfo_posix_port *pp, uint8_t *buf, size_t len,
                     int64_t deadline_ms);
/* Log one line at level when the table's callback wants it. */
void sfo_px_log(const struct sfo_posix_port *pp, int level, const char *msg,
                const char *detail, size_t detail_len);
int sfo_px_log_enabled(const struct sfo_posix_port *pp, int level);

/* ---- provided by port/posix/x509_util.c (portable, no platform calls) ---- */
/* Parse an IPv4 dotted quad or IPv6 literal: 4 or 16 bytes into out, or 0 when
 * host is not an IP literal. */
size_t sfo_ip_parse(const char *host, uint8_t out[16]);
/* Leaf certificate DER: SFO_OK when a subjectAltName iPAddress equals ip,
 * SFO_E_TLS_HOSTNAME when none does (or there is no SAN), SFO_E_TLS when the
 * DER cannot be walked. */
int sfo_x509_ip_san_match(const uint8_t *der, size_t len, const uint8_t *ip, size_t ip_len);
/* Format a DER Name as "CN=a, O=b" (CN, O, OU, C, ST, L only) into out (NUL
 * terminated); returns the length written (truncated to cap - 1). */
size_t sfo_x509_dn_format(const uint8_t *der, size_t len, char *out, size_t cap);
/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
int64_t sfo_days_from_civil(int64_t y, unsigned m, unsigned d);
/*
 * Iterate PEM objects in text (any line endings, not NUL-terminated). From
 * *pos, finds the next "-----BEGIN label-----" and decodes its base64 body
 * into der (cap bytes). Returns 1 with *der_len, label copied into
 * label (NUL-terminated, cap label_cap) and *pos advanced past the END line;
 * 0 when no further object; SFO_E_TOO_LONG when der or label is too small;
 * SFO_E_B64 on a malformed body or missing END line.
 */
int sfo_pem_next(const uint8_t *text, size_t len, size_t *pos, char *label,
                 size_t label_cap, uint8_t *der, size_t cap, size_t *der_len);

/* Compiled-in Salesforce roots (port/sf_roots.c): DER certificates. */
struct sfo_der_cert {
    const uint8_t *der;
    size_t len;
};
extern const struct sfo_der_cert sfo_sf_roots[];
extern const size_t sfo_sf_roots_count;

/* ---- provided by the backend port/tls_<backend>.c ---- */
/* Set up backend state and load trust anchors (see sfo_posix_port_init). */
int sfo_tls_init(struct sfo_posix_port *pp, const struct sfo_posix_config *cfg);
void sfo_tls_deinit(struct sfo_posix_port *pp);
size_t sfo_tls_anchor_count(const struct sfo_posix_port *pp);
/* Send close_notify (best effort, short deadline) and drop the TLS session. */
void sfo_tls_shutdown(struct sfo_posix_port *pp);
int sfo_tls_start(void *ctx, const char *server_name, int64_t deadline_ms,
                  struct sfo_transport *io);
int sfo_tls_sha256(void *ctx, const struct sfo_iov *msg, size_t n, uint8_t out[SFO_SHA256_LEN]);
int sfo_tls_hmac_sha256(void *ctx, const uint8_t *key, size_t key_len,
                        const struct sfo_iov *msg, size_t n, uint8_t out[SFO_SHA256_LEN]);
int sfo_tls_key_load(void *ctx, const uint8_t *data, size_t len);
int sfo_tls_rsa_sign(void *ctx, const uint8_t digest[SFO_SHA256_LEN], uint8_t *sig,
                     size_t sig_cap, size_t *sig_len);
void sfo_tls_key_clear(void *ctx);

/* SFO_PX_CLOSE_NOTIFY_MS and SFO_KEY_INPUT_MAX: sfoauth_config.h. */
#define SFO_RSA_MIN_BITS 2048u
#define SFO_RSA_MAX_BITS 4096u

#endif
