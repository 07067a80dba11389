/*
 * TLS transport and crypto over mbedTLS 2.28 (Debian libmbedtls-dev); also
 * builds against 3.x (MBEDTLS_VERSION_NUMBER >= 0x03000000 branches).
 *
 * TLS: 1.2 minimum (1.3 when the library has it enabled), ECDHE suites only,
 * AES-GCM first. The chain is always verified (authmode REQUIRED). A verify
 * callback replaces mbedTLS's own date check by one against the port's wall
 * clock and, for IP-literal hosts, checks the leaf's iPAddress SANs (mbedTLS
 * 2.28 matches DNS names only; for IP hosts no SNI is sent and no DNS-name
 * check is made).
 *
 * mbedTLS allocates its SSL buffers, certificates and big numbers on the
 * heap; everything is released by sfo_tls_deinit / key_clear.
 */
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "sfo_port_impl.h"

#define MBED3 (MBEDTLS_VERSION_NUMBER >= 0x03000000)

/* Largest DER certificate read from a PEM text (in memory). */
#ifndef SFO_MBED_CERT_MAX
#define SFO_MBED_CERT_MAX 8192u
#endif

static const int k_suites[] = {
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
    MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
    MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
#endif
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
    0
};

static struct sfo_posix_port *PP(void *ctx) { return (struct sfo_posix_port *)ctx; }

/* ---------------------------------------------------------------- entropy */
static int entropy_cb(void *ctx, unsigned char *buf, size_t len)
{
    return sfo_px_random(ctx, buf, len) == SFO_OK ? 0
                                                  : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/* ------------------------------------------------------------ trust anchors */
static int load_pem_mem(struct sfo_posix_port *pp, const uint8_t *pem, size_t len)
{
    uint8_t der[SFO_MBED_CERT_MAX];
    char label[40];
    size_t pos = 0, der_len = 0;
    int r;
    while ((r = sfo_pem_next(pem, len, &pos, label, sizeof label, der, sizeof der,
                             &der_len)) == 1) {
        if (strcmp(label, "CERTIFICATE") != 0 && strcmp(label, "TRUSTED CERTIFICATE") != 0) {
            continue;
        }
        if (mbedtls_x509_crt_parse_der(&pp->b.ca, der, der_len) != 0) {
            sfo_px_log(pp, SFO_LOG_INFO, "trust anchor skipped (does not parse)", NULL, 0);
        }
    }
    return r == 0 ? SFO_OK : SFO_E_TLS_CA;
}

static int load_anchors(struct sfo_posix_port *pp, const struct sfo_posix_config *cfg)
{
    int rc = SFO_OK;
    size_t i;
    switch (cfg->ca_source) {
    case SFO_CA_SYSTEM:
    case SFO_CA_FILE: {
        const char *path = cfg->ca_source == SFO_CA_FILE ? cfg->ca_file
                                                         : SFO_POSIX_CA_FILE_DEFAULT;
        int r = mbedtls_x509_crt_parse_file(&pp->b.ca, path);
        if (r < 0) {
            sfo_px_log(pp, SFO_LOG_ERROR, "trust anchors not loadable", path, strlen(path));
            return SFO_E_TLS_CA;
        }
        if (r > 0) {
            sfo_px_log(pp, SFO_LOG_INFO, "some trust anchors skipped (do not parse)", path,
                       strlen(path));
        }
        break;
    }
    case SFO_CA_PEM:
        rc = load_pem_mem(pp, cfg->ca_pem, cfg->ca_pem_len);
        break;
    case SFO_CA_SALESFORCE:
        for (i = 0; i < sfo_sf_roots_count; i++) {
            if (mbedtls_x509_crt_parse_der(&pp->b.ca, sfo_sf_roots[i].der,
                                           sfo_sf_roots[i].len) != 0) {
                return SFO_E_TLS_CA;
            }
        }
        break;
    default:
        return SFO_E_ARG;
    }
    if (rc == SFO_OK && sfo_tls_anchor_count(pp) == 0) {
        rc = SFO_E_TLS_CA;
    }
    return rc;
}

size_t sfo_tls_anchor_count(const struct sfo_posix_port *pp)
{
    const mbedtls_x509_crt *c;
    size_t n = 0;
    for (c = &pp->b.ca; c != NULL && c->version != 0; c = c->next) {
        n++;
    }
    return n;
}

/* ------------------------------------------------------- verification hook */
static int64_t x509_time_unix(const mbedtls_x509_time *t)
{
    return sfo_days_from_civil(t->year, (unsigned)t->mon, (unsigned)t->day) * 86400 +
           (int64_t)t->hour * 3600 + (int64_t)t->min * 60 + (int64_t)t->sec;
}

static int verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    struct sfo_posix_port *pp = PP(ctx);
    int64_t now = sfo_px_wall_s(pp);
    *flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
    if (now > x509_time_unix(&crt->valid_to)) {
        *flags |= MBEDTLS_X509_BADCERT_EXPIRED;
    }
    if (now < x509_time_unix(&crt->valid_from)) {
        *flags |= MBEDTLS_X509_BADCERT_FUTURE;
    }
    if (depth == 0) {
        /* kept for a message naming the certificate, also when it is refused */
        struct sfo_posix_peer *pe = &pp->b.peer;
        struct sfo_iov iov = { crt->raw.p, crt->raw.len };
        (void)sfo_x509_dn_format(crt->subject_raw.p, crt->subject_raw.len, pe->subject,
                                 sizeof pe->subject);
        (void)sfo_x509_dn_format(crt->issuer_raw.p, crt->issuer_raw.len, pe->issuer,
                                 sizeof pe->issuer);
        pe->have = sfo_tls_sha256(NULL, &iov, 1, pe->sha256) == SFO_OK;
    }
    if (depth == 0 && pp->b.host_is_ip &&
        sfo_x509_ip_san_match(crt->raw.p, crt->raw.len, pp->b.host_ip, pp->b.host_ip_len) !=
            SFO_OK) {
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    }
    return 0;
}

static int map_verify(uint32_t flags)
{
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) return SFO_E_TLS_UNTRUSTED;
    if (flags & MBEDTLS_X509_BADCERT_EXPIRED) return SFO_E_TLS_EXPIRED;
    if (flags & MBEDTLS_X509_BADCERT_FUTURE) return SFO_E_TLS_NOT_YET_VALID;
    if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) return SFO_E_TLS_HOSTNAME;
    return SFO_E_TLS_UNTRUSTED; /* key usage, weak hash or key, revoked, ... */
}

/* ------------------------------------------------------------------- init */
int sfo_tls_init(struct sfo_posix_port *pp, const struct sfo_posix_config *cfg)
{
    static const char k_pers[] = "sfoauth";
    struct sfo_tls_backend *b = &pp->b;
    int rc;
    mbedtls_ctr_drbg_init(&b->drbg);
    mbedtls_x509_crt_init(&b->ca);
    mbedtls_ssl_config_init(&b->conf);
    mbedtls_ssl_init(&b->ssl);
    mbedtls_pk_init(&b->key);
    if (mbedtls_ctr_drbg_seed(&b->drbg, entropy_cb, pp, (const unsigned char *)k_pers,
                              sizeof k_pers - 1) != 0) {
        return SFO_E_ENTROPY;
    }
    rc = load_anchors(pp, cfg);
    if (rc != SFO_OK) {
        return rc;
    }
    if (mbedtls_ssl_config_defaults(&b->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
        return SFO_E_TLS;
    }
    mbedtls_ssl_conf_authmode(&b->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&b->conf, &b->ca, NULL);
    mbedtls_ssl_conf_rng(&b->conf, mbedtls_ctr_drbg_random, &b->drbg);
    mbedtls_ssl_conf_verify(&b->conf, verify_cb, pp);
    mbedtls_ssl_conf_ciphersuites(&b->conf, k_suites);
#if MBED3
    mbedtls_ssl_conf_min_tls_version(&b->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(&b->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    return SFO_OK;
}

void sfo_tls_deinit(struct sfo_posix_port *pp)
{
    struct sfo_tls_backend *b = &pp->b;
    mbedtls_ssl_free(&b->ssl);
    mbedtls_ssl_config_free(&b->conf);
    mbedtls_x509_crt_free(&b->ca);
    mbedtls_pk_free(&b->key);
    mbedtls_ctr_drbg_free(&b->drbg);
    b->key_loaded = 0;
    b->ssl_setup = 0;
}

/* -------------------------------------------------------------------- bio */
static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct sfo_posix_port *pp = PP(ctx);
    int r = sfo_px_sock_send(pp, buf, len, pp->b.deadline);
    if (r > 0) {
        return r;
    }
    pp->b.io_err = r;
    return r == SFO_E_TIMEOUT ? MBEDTLS_ERR_SSL_WANT_WRITE : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct sfo_posix_port *pp = PP(ctx);
    int r = sfo_px_sock_recv(pp, buf, len, pp->b.deadline);
    if (r == 0) {
        /* TCP FIN: mbedtls_ssl_read reports it as 0 like close_notify, so
         * remember it to tell the two apart */
        pp->b.io_err = SFO_E_CLOSED;
        return 0;
    }
    if (r > 0) {
        return r;
    }
    pp->b.io_err = r;
    return r == SFO_E_TIMEOUT ? MBEDTLS_ERR_SSL_WANT_READ : MBEDTLS_ERR_NET_RECV_FAILED;
}

/* ------------------------------------------------------------ TLS stream */
/* Map an mbedTLS error of a call after the handshake. */
static int map_io(struct sfo_posix_port *pp, int ret)
{
    if (pp->b.io_err != 0) {
        return pp->b.io_err == SFO_E_CLOSED ? SFO_E_TLS_CLOSED : pp->b.io_err;
    }
    switch (ret) {
    case MBEDTLS_ERR_SSL_CONN_EOF:
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
        return SFO_E_TLS_CLOSED;
    case MBEDTLS_ERR_SSL_WANT_READ:
    case MBEDTLS_ERR_SSL_WANT_WRITE:
        return SFO_E_TIMEOUT;
    default:
        return SFO_E_TLS;
    }
}

static int tls_send(void *ctx, const uint8_t *buf, size_t len, int64_t deadline_ms)
{
    struct sfo_posix_port *pp = PP(ctx);
    int ret;
    if (!pp->tls) {
        return SFO_E_CLOSED;
    }
    if (len == 0) {
        return SFO_E_ARG;
    }
    pp->b.deadline = deadline_ms;
    pp->b.io_err = 0;
    ret = mbedtls_ssl_write(&pp->b.ssl, buf, len);
    return ret > 0 ? ret : map_io(pp, ret);
}

static int tls_recv(void *ctx, uint8_t *buf, size_t len, int64_t deadline_ms)
{
    struct sfo_posix_port *pp = PP(ctx);
    int ret;
    if (!pp->tls) {
        return SFO_E_CLOSED;
    }
    if (len == 0) {
        return SFO_E_ARG;
    }
    if (len > (size_t)INT32_MAX) {
        len = (size_t)INT32_MAX;
    }
    pp->b.deadline = deadline_ms;
    pp->b.io_err = 0;
    for (;;) {
        ret = mbedtls_ssl_read(&pp->b.ssl, buf, len);
        if (ret > 0) {
            return ret;
        }
        if (ret == 0 && pp->b.io_err == SFO_E_CLOSED) {
            return SFO_E_TLS_CLOSED; /* FIN without close_notify */
        }
        if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
            return 0;
        }
#if MBED3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
        if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
            continue;
        }
#endif
        return map_io(pp, ret);
    }
}

static void log_session(struct sfo_posix_port *pp)
{
    const mbedtls_x509_crt *peer;
    const char *s;
    char dn[256];
    int n;
    if (!sfo_px_log_enabled(pp, SFO_LOG_INFO)) {
        return;
    }
    s = mbedtls_ssl_get_version(&pp->b.ssl);
    sfo_px_log(pp, SFO_LOG_INFO, "TLS version", s, strlen(s));
    s = mbedtls_ssl_get_ciphersuite(&pp->b.ssl);
    sfo_px_log(pp, SFO_LOG_INFO, "TLS cipher suite", s, strlen(s));
    peer = mbedtls_ssl_get_peer_cert(&pp->b.ssl);
    if (peer != NULL) {
        n = mbedtls_x509_dn_gets(dn, sizeof dn, &peer->subject);
        if (n > 0) {
            sfo_px_log(pp, SFO_LOG_INFO, "TLS peer certificate subject", dn, (size_t)n);
        }
    }
}

int sfo_tls_start(void *ctx, const char *server_name, int64_t deadline_ms,
                  struct sfo_transport *io)
{
    struct sfo_posix_port *pp = PP(ctx);
    struct sfo_tls_backend *b;
    int ret;
    if (pp == NULL || server_name == NULL || server_name[0] == '\0' || io == NULL) {
        return SFO_E_ARG;
    }
    b = &pp->b;
    if (pp->fd < 0 || pp->tls) {
        return SFO_E_STATE_MACHINE;
    }
    if (!b->ssl_setup) {
        if (mbedtls_ssl_setup(&b->ssl, &b->conf) != 0) {
            return SFO_E_TLS;
        }
        b->ssl_setup = 1;
    } else if (b->ssl_dirty) {
        if (mbedtls_ssl_session_reset(&b->ssl) != 0) {
            return SFO_E_TLS;
        }
    }
    b->ssl_dirty = 1;
    memset(&b->peer, 0, sizeof b->peer);
    b->host_ip_len = sfo_ip_parse(server_name, b->host_ip);
    b->host_is_ip = b->host_ip_len != 0;
    /* DNS name: SNI and name check by mbedTLS. IP: neither (checked in verify_cb). */
    if (mbedtls_ssl_set_hostname(&b->ssl, b->host_is_ip ? NULL : server_name) != 0) {
        return SFO_E_ARG;
    }
    mbedtls_ssl_set_bio(&b->ssl, pp, bio_send, bio_recv, NULL);
    b->deadline = deadline_ms;
    b->io_err = 0;
    ret = mbedtls_ssl_handshake(&b->ssl);
    if (ret != 0) {
        uint32_t flags = mbedtls_ssl_get_verify_result(&b->ssl);
        int rc;
        if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags != 0) {
            rc = map_verify(flags);
        } else if (b->io_err != 0) {
            rc = b->io_err;
        } else if (ret == MBEDTLS_ERR_SSL_CONN_EOF) {
            rc = SFO_E_CLOSED;
        } else {
            rc = SFO_E_TLS_HANDSHAKE;
        }
        sfo_px_log(pp, SFO_LOG_ERROR, "TLS handshake failed", sfo_errname(rc),
                   strlen(sfo_errname(rc)));
        return rc;
    }
    pp->tls = 1;
    log_session(pp);
    io->ctx = pp;
    io->send = tls_send;
    io->recv = tls_recv;
    return SFO_OK;
}

void sfo_tls_shutdown(struct sfo_posix_port *pp)
{
    if (pp->tls) {
        pp->b.deadline = sfo_px_mono_ms(pp) + SFO_PX_CLOSE_NOTIFY_MS;
        pp->b.io_err = 0;
        (void)mbedtls_ssl_close_notify(&pp->b.ssl);
    }
    if (pp->b.ssl_setup && pp->b.ssl_dirty) {
        (void)mbedtls_ssl_session_reset(&pp->b.ssl);
        pp->b.ssl_dirty = 0;
    }
    pp->tls = 0;
}

/* ----------------------------------------------------------------- crypto */
int sfo_tls_sha256(void *ctx, const struct sfo_iov *msg, size_t n, uint8_t out[SFO_SHA256_LEN])
{
    mbedtls_sha256_context c;
    size_t i;
    int ret;
    (void)ctx;
    if ((msg == NULL && n > 0) || out == NULL) {
        return SFO_E_ARG;
    }
    mbedtls_sha256_init(&c);
#if MBED3
    ret = mbedtls_sha256_starts(&c, 0);
    for (i = 0; ret == 0 && i < n; i++) {
        ret = mbedtls_sha256_update(&c, (const unsigned char *)msg[i].ptr, msg[i].len);
    }
    if (ret == 0) {
        ret = mbedtls_sha256_finish(&c, out);
    }
#else
    ret = mbedtls_sha256_starts_ret(&c, 0);
    for (i = 0; ret == 0 && i < n; i++) {
        ret = mbedtls_sha256_update_ret(&c, (const unsigned char *)msg[i].ptr, msg[i].len);
    }
    if (ret == 0) {
        ret = mbedtls_sha256_finish_ret(&c, out);
    }
#endif
    mbedtls_sha256_free(&c);
    return ret == 0 ? SFO_OK : SFO_E_CRYPTO;
}

int sfo_tls_hmac_sha256(void *ctx, const uint8_t *key, size_t key_len,
                        const struct sfo_iov *msg, size_t n, uint8_t out[SFO_SHA256_LEN])
{
    mbedtls_md_context_t c;
    size_t i;
    int ret;
    (void)ctx;
    if ((msg == NULL && n > 0) || out == NULL || (key == NULL && key_len > 0)) {
        return SFO_E_ARG;
    }
    mbedtls_md_init(&c);
    ret = mbedtls_md_setup(&c, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
    if (ret == 0) {
        ret = mbedtls_md_hmac_starts(&c, key, key_len);
    }
    for (i = 0; ret == 0 && i < n; i++) {
        ret = mbedtls_md_hmac_update(&c, (const unsigned char *)msg[i].ptr, msg[i].len);
    }
    if (ret == 0) {
        ret = mbedtls_md_hmac_finish(&c, out);
    }
    mbedtls_md_free(&c); /* zeroizes the keyed pads */
    return ret == 0 ? SFO_OK : SFO_E_CRYPTO;
}

static int contains(const uint8_t *d, size_t len, const char *s)
{
    size_t n = strlen(s), i;
    for (i = 0; i + n <= len; i++) {
        if (memcmp(d + i, s, n) == 0) {
            return 1;
        }
    }
    return 0;
}

int sfo_tls_key_load(void *ctx, const uint8_t *data, size_t len)
{
    struct sfo_posix_port *pp = PP(ctx);
    uint8_t der[SFO_KEY_INPUT_MAX];
    const uint8_t *in = data;
    size_t in_len = len;
    mbedtls_pk_context pk;
    int ret, rc = SFO_OK;
    size_t bits;
    if (pp == NULL || data == NULL || len == 0) {
        return SFO_E_ARG;
    }
    if (len > SFO_KEY_INPUT_MAX) {
        return SFO_E_KEY;
    }
    if (contains(data, len, "-----BEGIN ")) {
        char label[40];
        size_t pos = 0;
        ret = sfo_pem_next(data, len, &pos, label, sizeof label, der, sizeof der, &in_len);
        if (ret != 1 || strcmp(label, "ENCRYPTED PRIVATE KEY") == 0) {
            sfo_wipe(der, sizeof der);
            return SFO_E_KEY;
        }
        in = der;
    }
    mbedtls_pk_init(&pk);
#if MBED3
    ret = mbedtls_pk_parse_key(&pk, in, in_len, NULL, 0, mbedtls_ctr_drbg_random, &pp->b.drbg);
#else
    ret = mbedtls_pk_parse_key(&pk, in, in_len, NULL, 0);
#endif
    sfo_wipe(der, sizeof der);
    if (ret != 0) {
        rc = SFO_E_KEY;
    } else if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_RSA) {
        rc = SFO_E_KEY_TYPE;
    } else {
        bits = mbedtls_pk_get_bitlen(&pk);
        if (bits < SFO_RSA_MIN_BITS || bits > SFO_RSA_MAX_BITS) {
            rc = SFO_E_KEY_TYPE;
        }
    }
    if (rc != SFO_OK) {
        mbedtls_pk_free(&pk);
        return rc;
    }
    sfo_tls_key_clear(pp);
    pp->b.key = pk; /* takes over the parsed key (a shallow handle) */
    pp->b.key_loaded = 1;
    return SFO_OK;
}

int sfo_tls_rsa_sign(void *ctx, const uint8_t digest[SFO_SHA256_LEN], uint8_t *sig,
                     size_t sig_cap, size_t *sig_len)
{
    struct sfo_posix_port *pp = PP(ctx);
    size_t need, got = 0;
    int ret;
    if (pp == NULL || digest == NULL || sig == NULL || sig_len == NULL) {
        return SFO_E_ARG;
    }
    if (!pp->b.key_loaded) {
        return SFO_E_KEY;
    }
    need = mbedtls_pk_get_len(&pp->b.key);
    if (sig_cap < need) {
        return SFO_E_TOO_LONG;
    }
#if MBED3
    ret = mbedtls_pk_sign(&pp->b.key, MBEDTLS_MD_SHA256, digest, SFO_SHA256_LEN, sig, sig_cap,
                          &got, mbedtls_ctr_drbg_random, &pp->b.drbg);
#else
    ret = mbedtls_pk_sign(&pp->b.key, MBEDTLS_MD_SHA256, digest, SFO_SHA256_LEN, sig, &got,
                          mbedtls_ctr_drbg_random, &pp->b.drbg);
#endif
    if (ret != 0 || got != need) {
        return SFO_E_CRYPTO;
    }
    *sig_len = got;
    return SFO_OK;
}

void sfo_tls_key_clear(void *ctx)
{
    struct sfo_posix_port *pp = PP(ctx);
    if (pp == NULL) {
        return;
    }
    mbedtls_pk_free(&pp->b.key); /* frees and zeroizes the RSA numbers */
    mbedtls_pk_init(&pp->b.key);
    pp->b.key_loaded = 0;
}

void sfo_posix_peer_cert(const struct sfo_posix_port *pp, struct sfo_posix_peer *out)
{
    if (out == NULL) return;
    memset(out, 0, sizeof *out);
    if (pp != NULL) *out = pp->b.peer;
}
