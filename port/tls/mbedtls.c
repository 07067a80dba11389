/*
 * TLS engine and crypto of the portable glue over mbedTLS 2.28 (Debian
 * libmbedtls-dev); also builds against 3.x (MBEDTLS_VERSION_NUMBER >=
 * 0x03000000 branches). The engine's I/O is the platform's struct sfo_net;
 * entropy, clock and log come from its struct sfo_platform. Needs no
 * MBEDTLS_FS_IO, MBEDTLS_NET_C or MBEDTLS_TIMING_C.
 *
 * TLS: 1.2 minimum (1.3 when the library has it enabled), ECDHE suites only,
 * AES-GCM first. The chain is always verified (authmode REQUIRED). A verify
 * callback replaces mbedTLS's own date check by one against the port's wall
 * clock, applies the leaf rules shared with BearSSL (sfo__x509_leaf_policy:
 * subjectAltName required, extendedKeyUsage serverAuth) and, for IP-literal
 * hosts, checks the leaf's iPAddress SANs (mbedTLS 2.28 matches DNS names
 * only; for IP hosts no SNI is sent and no DNS-name check is made).
 *
 * mbedTLS allocates its SSL buffers, certificates and big numbers through
 * its configured allocator; everything is released by sfo_tls_port_deinit /
 * key_clear.
 */
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/platform.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "sfo_port_impl.h"

#define MBED3 (MBEDTLS_VERSION_NUMBER >= 0x03000000)

/* The bio's failure codes: the values of MBEDTLS_ERR_NET_SEND_FAILED and
 * MBEDTLS_ERR_NET_RECV_FAILED (mbedtls/net_sockets.h is not used: no sockets
 * here; the cause is kept in t->io_err). */
#define SFO_MBED_ERR_SEND (-0x004E)
#define SFO_MBED_ERR_RECV (-0x004C)

/*
 * The certificate policy (README "Certificate policy"): signatures with
 * SHA-256/384/512 only, RSA (>= 2048 bits) or ECDSA keys on P-256/384/521.
 * mbedTLS applies it to every certificate of the chain but the anchor's own
 * signature; anchors with weak keys are refused when loaded.
 */
static const mbedtls_x509_crt_profile k_profile = {
    MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) |
        MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512),
    MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_RSA) | MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECKEY) |
        MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECDSA),
    MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP256R1) |
        MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP384R1) |
        MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP521R1),
    SFO_CERT_RSA_MIN_BITS,
};

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

static struct sfo_tls *T(void *ctx)
{
    return (struct sfo_tls *)ctx;
}

/* ---------------------------------------------------------------- entropy */
static int entropy_cb(void *ctx, unsigned char *buf, size_t len)
{
    return sfo__tls_random(T(ctx), buf, len) == SFO_OK ? 0
                                                       : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/* ------------------------------------------------------------ trust anchors */
/* Key of crt within the policy (RSA >= 2048 bits, EC on an allowed curve). */
static int key_ok(const mbedtls_x509_crt *crt)
{
    return (
        (mbedtls_pk_get_type(&crt->pk) == MBEDTLS_PK_RSA &&
         mbedtls_pk_get_bitlen(&crt->pk) >= SFO_CERT_RSA_MIN_BITS) ||
        (mbedtls_pk_can_do(&crt->pk, MBEDTLS_PK_ECKEY) &&
         mbedtls_pk_get_bitlen(&crt->pk) >= SFO_CERT_EC_MIN_BITS &&
         (k_profile.allowed_curves & MBEDTLS_X509_ID_FLAG(mbedtls_pk_ec(crt->pk)->grp.id)) != 0));
}

int sfo__tls_be_add_der(struct sfo_tls *t, const uint8_t *der, size_t len)
{
    mbedtls_x509_crt tmp;
    int ok;
    if (der == NULL || len == 0) {
        return SFO_E_NOT_FOUND;
    }
    mbedtls_x509_crt_init(&tmp);
    ok = mbedtls_x509_crt_parse_der(&tmp, der, len) == 0 && key_ok(&tmp);
    mbedtls_x509_crt_free(&tmp);
    if (!ok) {
        return SFO_E_NOT_FOUND;
    }
    return mbedtls_x509_crt_parse_der(&t->ca, der, len) == 0 ? SFO_OK : SFO_E_TLS_CA;
}

size_t sfo__tls_be_count(const struct sfo_tls *t)
{
    const mbedtls_x509_crt *c;
    size_t n = 0;
    for (c = &t->ca; c != NULL && c->version != 0; c = c->next) {
        n++;
    }
    return n;
}

uint8_t *sfo__tls_be_scratch(struct sfo_tls *t, size_t *cap)
{
    (void)t;
    *cap = SFO_MBED_CERT_MAX;
    return (uint8_t *)mbedtls_calloc(1, SFO_MBED_CERT_MAX);
}

void sfo__tls_be_scratch_done(struct sfo_tls *t, uint8_t *p, size_t cap)
{
    (void)t;
    if (p != NULL) {
        sfo_wipe(p, cap);
        mbedtls_free(p);
    }
}

/* ------------------------------------------------------- verification hook */
static int64_t x509_time_unix(const mbedtls_x509_time *tm)
{
    return sfo__days_from_civil(tm->year, (unsigned)tm->mon, (unsigned)tm->day) * 86400 +
           (int64_t)tm->hour * 3600 + (int64_t)tm->min * 60 + (int64_t)tm->sec;
}

/* 1 when crt is one of the trust anchors (byte for byte). */
static int is_anchor(const struct sfo_tls *t, const mbedtls_x509_crt *crt)
{
    const mbedtls_x509_crt *c;
    for (c = &t->ca; c != NULL && c->version != 0; c = c->next) {
        if (c->raw.len == crt->raw.len && memcmp(c->raw.p, crt->raw.p, c->raw.len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Keep the leaf's names and fingerprint for sfo_tls_peer_cert, also when it
 * is refused. */
static void keep_peer(struct sfo_tls *t, const mbedtls_x509_crt *crt)
{
    struct sfo_tls_peer *pe = &t->peer;
    struct sfo_iov iov = { crt->raw.p, crt->raw.len };
    (void)sfo__x509_dn_format(crt->subject_raw.p, crt->subject_raw.len, pe->subject,
                              sizeof pe->subject);
    (void)sfo__x509_dn_format(crt->issuer_raw.p, crt->issuer_raw.len, pe->issuer,
                              sizeof pe->issuer);
    pe->have = sfo__tls_sha256(NULL, &iov, 1, pe->sha256) == SFO_OK;
}

/* Dates against the platform's wall clock (an anchor's own dates are not
 * checked, as with BearSSL: RFC 5280 6.1 takes the anchor as an input), and
 * for IP-literal hosts the leaf's iPAddress SANs. */
static int verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    struct sfo_tls *t = T(ctx);
    int64_t now = sfo__tls_wall(t);
    *flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
    if (depth == 0 || !is_anchor(t, crt)) {
        if (now > x509_time_unix(&crt->valid_to)) {
            *flags |= MBEDTLS_X509_BADCERT_EXPIRED;
        }
        if (now < x509_time_unix(&crt->valid_from)) {
            *flags |= MBEDTLS_X509_BADCERT_FUTURE;
        }
    }
    if (depth == 0) {
        int rc;
        keep_peer(t, crt);
        rc = sfo__x509_leaf_policy(crt->raw.p, crt->raw.len);
        if (rc == SFO_OK && t->host_is_ip) {
            rc = sfo__x509_ip_san_match(crt->raw.p, crt->raw.len, t->host_ip, t->host_ip_len);
        }
        if (rc == SFO_E_TLS_HOSTNAME || (rc != SFO_OK && t->host_is_ip)) {
            *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
        } else if (rc != SFO_OK) {
            *flags |= MBEDTLS_X509_BADCERT_EXT_KEY_USAGE;
        }
    }
    return 0;
}

static int map_verify(uint32_t flags)
{
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) return SFO_E_TLS_UNTRUSTED;
    if (flags & MBEDTLS_X509_BADCERT_EXPIRED) return SFO_E_TLS_EXPIRED;
    if (flags & MBEDTLS_X509_BADCERT_FUTURE) return SFO_E_TLS_NOT_YET_VALID;
    if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) return SFO_E_TLS_HOSTNAME;
    return SFO_E_TLS_UNTRUSTED; /* key usage, weak hash or key, ... (the policy) */
}

/* ------------------------------------------------------------------- init */
int sfo__tls_be_init(struct sfo_tls *t)
{
    static const char k_pers[] = "sfoauth";
    mbedtls_ctr_drbg_init(&t->drbg);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_ssl_init(&t->ssl);
    mbedtls_pk_init(&t->key);
    if (mbedtls_ctr_drbg_seed(&t->drbg, entropy_cb, t, (const unsigned char *)k_pers,
                              sizeof k_pers - 1) != 0) {
        return SFO_E_ENTROPY;
    }
    if (mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
        return SFO_E_TLS;
    }
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_cert_profile(&t->conf, &k_profile);
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    mbedtls_ssl_conf_verify(&t->conf, verify_cb, t);
    mbedtls_ssl_conf_ciphersuites(&t->conf, k_suites);
#if MBED3
    mbedtls_ssl_conf_min_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    return SFO_OK;
}

void sfo__tls_be_deinit(struct sfo_tls *t)
{
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_pk_free(&t->key);
    mbedtls_ctr_drbg_free(&t->drbg);
    t->key_loaded = 0;
    t->ssl_setup = 0;
}

/* -------------------------------------------------------------------- bio */
static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct sfo_tls *t = T(ctx);
    int r = sfo__tls_net_send(t, buf, len);
    if (r > 0) {
        return r;
    }
    t->io_err = r;
    return r == SFO_E_TIMEOUT ? MBEDTLS_ERR_SSL_WANT_WRITE : SFO_MBED_ERR_SEND;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct sfo_tls *t = T(ctx);
    int r = sfo__tls_net_recv(t, buf, len);
    if (r == 0) {
        /* TCP FIN: mbedtls_ssl_read reports it as 0 like close_notify, so
         * remember it to tell the two apart */
        t->io_err = SFO_E_CLOSED;
        return 0;
    }
    if (r > 0) {
        return r;
    }
    t->io_err = r;
    return r == SFO_E_TIMEOUT ? MBEDTLS_ERR_SSL_WANT_READ : SFO_MBED_ERR_RECV;
}

/* ------------------------------------------------------------ TLS stream */
/* Map an mbedTLS error of a call after the handshake. */
static int map_io(struct sfo_tls *t, int ret)
{
    if (t->io_err != 0) {
        return t->io_err == SFO_E_CLOSED ? SFO_E_TLS_CLOSED : t->io_err;
    }
    switch (ret) {
    case MBEDTLS_ERR_SSL_CONN_EOF:
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE: return SFO_E_TLS_CLOSED;
    case MBEDTLS_ERR_SSL_WANT_READ:
    case MBEDTLS_ERR_SSL_WANT_WRITE: return SFO_E_TIMEOUT;
    default: return SFO_E_TLS;
    }
}

static int tls_send(void *ctx, const uint8_t *buf, size_t len, int64_t deadline_ms)
{
    struct sfo_tls *t = T(ctx);
    int ret;
    if (!t->tls) {
        return SFO_E_CLOSED;
    }
    if (len == 0) {
        return SFO_E_ARG;
    }
    t->deadline = deadline_ms;
    t->io_err = 0;
    ret = mbedtls_ssl_write(&t->ssl, buf, len);
    return ret > 0 ? ret : map_io(t, ret);
}

static int tls_recv(void *ctx, uint8_t *buf, size_t len, int64_t deadline_ms)
{
    struct sfo_tls *t = T(ctx);
    int ret;
    if (!t->tls) {
        return SFO_E_CLOSED;
    }
    if (len == 0) {
        return SFO_E_ARG;
    }
    if (len > (size_t)INT32_MAX) {
        len = (size_t)INT32_MAX;
    }
    t->deadline = deadline_ms;
    t->io_err = 0;
    for (;;) {
        ret = mbedtls_ssl_read(&t->ssl, buf, len);
        if (ret > 0) {
            return ret;
        }
        if (ret == 0 && t->io_err == SFO_E_CLOSED) {
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
        return map_io(t, ret);
    }
}

static void log_session(struct sfo_tls *t)
{
    const mbedtls_x509_crt *peer;
    const char *s;
    char dn[256];
    int n;
    if (!sfo__tls_log_enabled(t, SFO_LOG_INFO)) {
        return;
    }
    s = mbedtls_ssl_get_version(&t->ssl);
    sfo__tls_log(t, SFO_LOG_INFO, "TLS version", s, strlen(s));
    s = mbedtls_ssl_get_ciphersuite(&t->ssl);
    sfo__tls_log(t, SFO_LOG_INFO, "TLS cipher suite", s, strlen(s));
    peer = mbedtls_ssl_get_peer_cert(&t->ssl);
    if (peer != NULL) {
        n = mbedtls_x509_dn_gets(dn, sizeof dn, &peer->subject);
        if (n > 0) {
            sfo__tls_log(t, SFO_LOG_INFO, "TLS peer certificate subject", dn, (size_t)n);
        }
    }
}

/* Map a failed handshake to an SFO_E_* code. */
static int map_handshake(struct sfo_tls *t, int ret)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&t->ssl);
    /* a chain or usage defect (also one found by the certificate-usage check,
     * which fails with MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE) */
    if (flags != 0 && flags != 0xFFFFFFFFu) {
        return map_verify(flags);
    }
    if (t->io_err != 0) {
        return t->io_err;
    }
    if (ret == MBEDTLS_ERR_SSL_CONN_EOF) {
        return SFO_E_CLOSED;
    }
    return SFO_E_TLS_HANDSHAKE;
}

int sfo__tls_be_start(struct sfo_tls *t, const char *server_name, struct sfo_transport *io)
{
    int ret;
    if (!t->ssl_setup) {
        if (mbedtls_ssl_setup(&t->ssl, &t->conf) != 0) {
            return SFO_E_TLS;
        }
        t->ssl_setup = 1;
    } else if (t->ssl_dirty) {
        if (mbedtls_ssl_session_reset(&t->ssl) != 0) {
            return SFO_E_TLS;
        }
    }
    t->ssl_dirty = 1;
    memset(&t->peer, 0, sizeof t->peer);
    t->host_ip_len = sfo__ip_parse(server_name, t->host_ip);
    t->host_is_ip = t->host_ip_len != 0;
    /* DNS name: SNI and name check by mbedTLS. IP: neither (checked in verify_cb). */
    if (mbedtls_ssl_set_hostname(&t->ssl, t->host_is_ip ? NULL : server_name) != 0) {
        return SFO_E_ARG;
    }
    mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
    ret = mbedtls_ssl_handshake(&t->ssl);
    if (ret != 0) {
        return map_handshake(t, ret);
    }
    t->tls = 1;
    log_session(t);
    io->ctx = t;
    io->send = tls_send;
    io->recv = tls_recv;
    return SFO_OK;
}

void sfo__tls_be_shutdown(struct sfo_tls *t)
{
    if (t->tls) {
        t->io_err = 0;
        (void)mbedtls_ssl_close_notify(&t->ssl);
    }
    if (t->ssl_setup && t->ssl_dirty) {
        (void)mbedtls_ssl_session_reset(&t->ssl);
        t->ssl_dirty = 0;
    }
    t->tls = 0;
}

/* ----------------------------------------------------------------- crypto */
int sfo__tls_sha256(void *ctx, const struct sfo_iov *msg, size_t n, uint8_t out[SFO_SHA256_LEN])
{
    mbedtls_sha256_context c;
    size_t i;
    int ret;
    (void)ctx;
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

int sfo__tls_hmac_sha256(void *ctx, const uint8_t *key, size_t key_len, const struct sfo_iov *msg,
                         size_t n, uint8_t out[SFO_SHA256_LEN])
{
    mbedtls_md_context_t c;
    size_t i;
    int ret;
    (void)ctx;
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

/* Parse an RSA key of SFO_RSA_MIN_BITS..SFO_RSA_MAX_BITS from DER (PKCS#1 or
 * PKCS#8) into *pk: SFO_OK, SFO_E_KEY, SFO_E_KEY_TYPE (pk freed on failure). */
static int parse_rsa(struct sfo_tls *t, mbedtls_pk_context *pk, const uint8_t *in, size_t len)
{
    int ret, rc = SFO_OK;
    size_t bits;
    mbedtls_pk_init(pk);
#if MBED3
    ret = mbedtls_pk_parse_key(pk, in, len, NULL, 0, mbedtls_ctr_drbg_random, &t->drbg);
#else
    (void)t;
    ret = mbedtls_pk_parse_key(pk, in, len, NULL, 0);
#endif
    if (ret != 0) {
        rc = SFO_E_KEY;
    } else if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_RSA) {
        rc = SFO_E_KEY_TYPE;
    } else {
        bits = mbedtls_pk_get_bitlen(pk);
        if (bits < SFO_RSA_MIN_BITS || bits > SFO_RSA_MAX_BITS) {
            rc = SFO_E_KEY_TYPE;
        }
    }
    if (rc != SFO_OK) {
        mbedtls_pk_free(pk);
    }
    return rc;
}

/* PEM keys are decoded into a buffer from mbedTLS's allocator (not the stack:
 * firmware stacks are small), wiped and freed before returning. */
int sfo__tls_key_load(void *ctx, const uint8_t *data, size_t len)
{
    struct sfo_tls *t = T(ctx);
    uint8_t *der = NULL;
    size_t der_len = 0;
    mbedtls_pk_context pk;
    int rc;
    if (sfo__mem_contains(data, len, "-----BEGIN ")) {
        char label[40];
        size_t pos = 0;
        der = (uint8_t *)mbedtls_calloc(1, SFO_KEY_INPUT_MAX);
        if (der == NULL) {
            return SFO_E_KEY;
        }
        rc = sfo__pem_next(data, len, &pos, label, sizeof label, der, SFO_KEY_INPUT_MAX, &der_len);
        rc = (rc != 1 || strcmp(label, "ENCRYPTED PRIVATE KEY") == 0)
                 ? SFO_E_KEY
                 : parse_rsa(t, &pk, der, der_len);
        sfo_wipe(der, SFO_KEY_INPUT_MAX);
        mbedtls_free(der);
    } else {
        rc = parse_rsa(t, &pk, data, len);
    }
    if (rc != SFO_OK) {
        return rc;
    }
    sfo__tls_key_clear(t);
    t->key = pk; /* takes over the parsed key (a shallow handle) */
    t->key_loaded = 1;
    return SFO_OK;
}

int sfo__tls_rsa_sign(void *ctx, const uint8_t digest[SFO_SHA256_LEN], uint8_t *sig, size_t sig_cap,
                      size_t *sig_len)
{
    struct sfo_tls *t = T(ctx);
    size_t need, got = 0;
    int ret;
    need = mbedtls_pk_get_len(&t->key);
    if (sig_cap < need) {
        return SFO_E_TOO_LONG;
    }
#if MBED3
    ret = mbedtls_pk_sign(&t->key, MBEDTLS_MD_SHA256, digest, SFO_SHA256_LEN, sig, sig_cap, &got,
                          mbedtls_ctr_drbg_random, &t->drbg);
#else
    ret = mbedtls_pk_sign(&t->key, MBEDTLS_MD_SHA256, digest, SFO_SHA256_LEN, sig, &got,
                          mbedtls_ctr_drbg_random, &t->drbg);
#endif
    if (ret != 0 || got != need) {
        return SFO_E_CRYPTO;
    }
    *sig_len = got;
    return SFO_OK;
}

void sfo__tls_key_clear(void *ctx)
{
    struct sfo_tls *t = T(ctx);
    mbedtls_pk_free(&t->key); /* frees and zeroizes the RSA numbers */
    mbedtls_pk_init(&t->key);
    t->key_loaded = 0;
}

/* see sfoauth_tls.h */
void sfo_tls_peer_cert(const struct sfo_tls *t, struct sfo_tls_peer *out)
{
    if (out == NULL) return;
    memset(out, 0, sizeof *out);
    if (t != NULL) *out = t->peer;
}
