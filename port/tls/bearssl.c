/*
 * TLS transport and crypto over BearSSL 0.6 (Debian libbearssl-dev).
 * No allocation: the engine, its record buffer (mono mode, SFO_BR_IOBUF_SIZE),
 * the trust anchors (SFO_BR_MAX_ANCHORS, SFO_BR_ANCHOR_BYTES) and the key all
 * live in the caller's struct sfo_tls. The engine's I/O is the platform's
 * struct sfo_net; entropy, clock and log come from its struct sfo_platform.
 *
 * TLS 1.2 only (BearSSL 0.6 has no 1.3), ECDHE suites, AES-GCM first. The
 * chain goes through br_x509_minimal wrapped by struct sfo_br_x509, which
 *   - decodes every chain certificate's validity to tell an expired chain
 *     (SFO_E_TLS_EXPIRED) from a not-yet-valid one (SFO_E_TLS_NOT_YET_VALID):
 *     br_x509_minimal reports both as BR_ERR_X509_EXPIRED;
 *   - keeps the leaf DER (up to SFO_BR_LEAF_MAX bytes; a larger leaf is
 *     refused) and applies the leaf rules shared with the mbedTLS backend
 *     (subjectAltName required, extendedKeyUsage serverAuth, exact key size);
 *   - for IP-literal hosts (no SNI, no DNS-name check by BearSSL) requires an
 *     iPAddress SAN equal to the host;
 *   - keeps the leaf subject DN for the log.
 * Certificate dates are checked against the port's wall clock.
 */
#include <string.h>

#include <bearssl.h>

#include "sfo_port_impl.h"

static const uint16_t k_suites[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

static const struct {
    uint16_t id;
    const char *name;
} k_suite_names[] = {
    { BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256" },
    { BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256" },
    { BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384" },
    { BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384" },
};

/* Days from 0000-01-01 (BearSSL's origin) to 1970-01-01. */
#define BR_DAYS_TO_EPOCH 719528u

/* Bytes of random seed injected into each engine. */
#define SFO_BR_SEED_LEN 32u

static struct sfo_tls *T(void *ctx)
{
    return (struct sfo_tls *)ctx;
}

/* ============================================================ trust anchors */
struct loader {
    struct sfo_tls *t;
    size_t dn_len;
    int store_overflow;
};

static uint8_t *store_take(struct sfo_tls *t, size_t n)
{
    uint8_t *p;
    if (sizeof t->store - t->store_used < n) {
        return NULL;
    }
    p = t->store + t->store_used;
    t->store_used += n;
    return p;
}

static void dn_to_store(void *ctx, const void *buf, size_t len)
{
    struct loader *ld = (struct loader *)ctx;
    uint8_t *p = store_take(ld->t, len);
    if (p == NULL) {
        ld->store_overflow = 1;
        return;
    }
    memcpy(p, buf, len);
    ld->dn_len += len;
}

/* Bits of a big-endian unsigned integer. */
static size_t bitlen(const unsigned char *x, size_t len)
{
    size_t i = 0;
    unsigned v;
    while (i < len && x[i] == 0) {
        i++;
    }
    if (i == len) {
        return 0;
    }
    v = x[i];
    len = (len - i - 1) * 8u;
    while (v != 0) {
        len++;
        v >>= 1;
    }
    return len;
}

/* Key within the policy: RSA >= SFO_CERT_RSA_MIN_BITS, EC on P-256/384/521. */
static int key_ok(const br_x509_pkey *pk)
{
    if (pk->key_type == BR_KEYTYPE_RSA) {
        return bitlen(pk->key.rsa.n, pk->key.rsa.nlen) >= SFO_CERT_RSA_MIN_BITS;
    }
    return pk->key_type == BR_KEYTYPE_EC &&
           (pk->key.ec.curve == BR_EC_secp256r1 || pk->key.ec.curve == BR_EC_secp384r1 ||
            pk->key.ec.curve == BR_EC_secp521r1);
}

/* Copy the anchor's public key into the store. SFO_OK or SFO_E_TLS_CA. */
static int anchor_key(struct sfo_tls *t, br_x509_trust_anchor *ta, const br_x509_pkey *pk)
{
    uint8_t *p;
    ta->pkey.key_type = pk->key_type;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        p = store_take(t, pk->key.rsa.nlen + pk->key.rsa.elen);
        if (p == NULL) {
            return SFO_E_TLS_CA;
        }
        memcpy(p, pk->key.rsa.n, pk->key.rsa.nlen);
        memcpy(p + pk->key.rsa.nlen, pk->key.rsa.e, pk->key.rsa.elen);
        ta->pkey.key.rsa.n = p;
        ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
        ta->pkey.key.rsa.e = p + pk->key.rsa.nlen;
        ta->pkey.key.rsa.elen = pk->key.rsa.elen;
        return SFO_OK;
    }
    p = store_take(t, pk->key.ec.qlen);
    if (p == NULL) {
        return SFO_E_TLS_CA;
    }
    memcpy(p, pk->key.ec.q, pk->key.ec.qlen);
    ta->pkey.key.ec.curve = pk->key.ec.curve;
    ta->pkey.key.ec.q = p;
    ta->pkey.key.ec.qlen = pk->key.ec.qlen;
    return SFO_OK;
}

int sfo__tls_be_add_der(struct sfo_tls *t, const uint8_t *der, size_t len)
{
    struct loader ld;
    br_x509_decoder_context dc;
    br_x509_trust_anchor *ta;
    const br_x509_pkey *pk;
    size_t mark = t->store_used;
    if (t->n_anchors >= SFO_BR_MAX_ANCHORS) {
        sfo__tls_log(t, SFO_LOG_ERROR, "too many trust anchors (SFO_BR_MAX_ANCHORS)", NULL, 0);
        return SFO_E_TLS_CA;
    }
    ld.t = t;
    ld.dn_len = 0;
    ld.store_overflow = 0;
    br_x509_decoder_init(&dc, dn_to_store, &ld);
    br_x509_decoder_push(&dc, der, len);
    pk = br_x509_decoder_get_pkey(&dc);
    ta = &t->anchors[t->n_anchors];
    memset(ta, 0, sizeof *ta);
    ta->dn.data = t->store + mark;
    ta->dn.len = ld.dn_len;
    ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    if (!ld.store_overflow && pk != NULL && key_ok(pk) && anchor_key(t, ta, pk) == SFO_OK) {
        t->n_anchors++;
        return SFO_OK;
    }
    t->store_used = mark;
    if (ld.store_overflow || (pk != NULL && key_ok(pk))) {
        sfo__tls_log(t, SFO_LOG_ERROR, "trust anchors exceed SFO_BR_ANCHOR_BYTES", NULL, 0);
        return SFO_E_TLS_CA;
    }
    return SFO_E_NOT_FOUND; /* does not decode, or a key below the policy */
}

size_t sfo__tls_be_count(const struct sfo_tls *t)
{
    return t->n_anchors;
}

uint8_t *sfo__tls_be_scratch(struct sfo_tls *t, size_t *cap)
{
    *cap = sizeof t->iobuf; /* the record buffer is idle while anchors load */
    return t->iobuf;
}

void sfo__tls_be_scratch_done(struct sfo_tls *t, uint8_t *p, size_t cap)
{
    (void)t;
    sfo_wipe(p, cap);
}

int sfo__tls_be_init(struct sfo_tls *t)
{
    (void)t; /* everything lives in t, zeroed by sfo_tls_port_init */
    return SFO_OK;
}

void sfo__tls_be_deinit(struct sfo_tls *t)
{
    /* engine keys, records and the signing key: wiped with t by the caller */
    (void)t;
}

/* ================================================= X.509 wrapper engine */
static struct sfo_br_x509 *XW(const br_x509_class **ctx)
{
    return (struct sfo_br_x509 *)(void *)ctx;
}

static void xw_dn(void *ctx, const void *buf, size_t len)
{
    struct sfo_br_x509 *w = (struct sfo_br_x509 *)ctx;
    if (sizeof w->dn - w->dn_len >= len) {
        memcpy(w->dn + w->dn_len, buf, len);
        w->dn_len += len;
    }
}

/* Subject DN of the second certificate of the chain: the leaf's issuer as sent. */
static void xw_idn(void *ctx, const void *buf, size_t len)
{
    struct sfo_br_x509 *w = ctx;
    if (sizeof w->idn - w->idn_len >= len) {
        memcpy(w->idn + w->idn_len, buf, len);
        w->idn_len += len;
    }
}

static void xw_start_chain(const br_x509_class **ctx, const char *server_name)
{
    struct sfo_br_x509 *w = XW(ctx);
    w->cert_index = 0;
    w->dates = 0;
    w->leaf_len = 0;
    w->leaf_overflow = 0;
    w->ip_result = SFO_OK;
    w->dn_len = 0;
    w->idn_len = 0;
    w->leaf_seen = 0;
    br_sha256_init(&w->leaf_hash);
    (*w->inner)->start_chain(w->inner, server_name);
}

static void xw_start_cert(const br_x509_class **ctx, uint32_t length)
{
    struct sfo_br_x509 *w = XW(ctx);
    (*w->inner)->start_cert(w->inner, length);
    br_x509_decoder_init(&w->dec,
                         w->cert_index == 0   ? xw_dn
                         : w->cert_index == 1 ? xw_idn
                                              : NULL,
                         w);
}

static void xw_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    struct sfo_br_x509 *w = XW(ctx);
    (*w->inner)->append(w->inner, buf, len);
    br_x509_decoder_push(&w->dec, buf, len);
    if (w->cert_index == 0) {
        br_sha256_update(&w->leaf_hash, buf, len);
        if (sizeof w->leaf - w->leaf_len >= len) {
            memcpy(w->leaf + w->leaf_len, buf, len);
            w->leaf_len += len;
        } else {
            w->leaf_overflow = 1;
        }
    }
}

/* -1, 0, 1 as (d1, s1) is before, equal to, after (d2, s2). */
static int cmp_time(uint32_t d1, uint32_t s1, uint32_t d2, uint32_t s2)
{
    if (d1 != d2) {
        return d1 < d2 ? -1 : 1;
    }
    return s1 < s2 ? -1 : (s1 > s2 ? 1 : 0);
}

static void xw_end_cert(const br_x509_class **ctx)
{
    struct sfo_br_x509 *w = XW(ctx);
    (*w->inner)->end_cert(w->inner);
    if (w->cert_index == 0) {
        br_sha256_out(&w->leaf_hash, w->leaf_sha256);
        w->leaf_seen = 1;
    }
    if (br_x509_decoder_last_error(&w->dec) == 0) {
        if (cmp_time(w->days, w->seconds, w->dec.notbefore_days, w->dec.notbefore_seconds) < 0) {
            w->dates |= 2;
        }
        if (cmp_time(w->days, w->seconds, w->dec.notafter_days, w->dec.notafter_seconds) > 0) {
            w->dates |= 1;
        }
    }
    w->cert_index++;
}

/* After br_x509_minimal accepted the chain: the leaf rules shared with the
 * mbedTLS backend (sfo__x509_leaf_policy), the exact leaf key size, and for IP
 * hosts the iPAddress SAN. A leaf larger than SFO_BR_LEAF_MAX is refused. */
static unsigned xw_end_chain(const br_x509_class **ctx)
{
    struct sfo_br_x509 *w = XW(ctx);
    unsigned err = (*w->inner)->end_chain(w->inner), usages;
    const br_x509_pkey *pk;
    int rc;
    if (err != 0) {
        return err;
    }
    pk = (*w->inner)->get_pkey(w->inner, &usages);
    if (w->leaf_overflow || pk == NULL || !key_ok(pk)) {
        return w->leaf_overflow ? BR_ERR_X509_LIMIT_EXCEEDED : BR_ERR_X509_WEAK_PUBLIC_KEY;
    }
    rc = sfo__x509_leaf_policy(w->leaf, w->leaf_len);
    if (rc == SFO_OK && w->check_ip) {
        rc = sfo__x509_ip_san_match(w->leaf, w->leaf_len, w->ip, w->ip_len);
        rc = rc == SFO_OK ? SFO_OK : SFO_E_TLS_HOSTNAME;
    }
    w->ip_result = rc;
    if (rc == SFO_E_TLS_HOSTNAME) {
        return BR_ERR_X509_BAD_SERVER_NAME;
    }
    return rc == SFO_OK ? 0 : BR_ERR_X509_FORBIDDEN_KEY_USAGE;
}

static const br_x509_pkey *xw_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    const struct sfo_br_x509 *w = (const struct sfo_br_x509 *)(const void *)ctx;
    return (*w->inner)->get_pkey(w->inner, usages);
}

static const br_x509_class k_xw_class = { sizeof(struct sfo_br_x509),
                                          xw_start_chain,
                                          xw_start_cert,
                                          xw_append,
                                          xw_end_cert,
                                          xw_end_chain,
                                          xw_get_pkey };

/* ========================================================= engine driver */
/* Error of a closed engine: during the handshake or after it. */
static int closed_err(struct sfo_tls *t, int in_handshake)
{
    int e = br_ssl_engine_last_error(&t->sc.eng);
    if (t->io_err != 0) {
        return t->io_err;
    }
    if (e == BR_ERR_OK) {
        return in_handshake ? SFO_E_TLS_HANDSHAKE : 0;
    }
    if (in_handshake) {
        switch (e) {
        case BR_ERR_X509_EXPIRED:
            return (t->xw.dates & 1) || !(t->xw.dates & 2) ? SFO_E_TLS_EXPIRED
                                                           : SFO_E_TLS_NOT_YET_VALID;
        case BR_ERR_X509_BAD_SERVER_NAME: return SFO_E_TLS_HOSTNAME;
        case BR_ERR_X509_NOT_TRUSTED:
        case BR_ERR_WRONG_KEY_USAGE: /* the leaf's key usage forbids the key exchange */
            return SFO_E_TLS_UNTRUSTED;
        default:
            if (e >= BR_ERR_X509_OK && e < 64) {
                return SFO_E_TLS_UNTRUSTED; /* other chain defects */
            }
            return SFO_E_TLS_HANDSHAKE;
        }
    }
    if ((e >= BR_ERR_RECV_FATAL_ALERT && e < BR_ERR_SEND_FATAL_ALERT)) {
        return SFO_E_TLS_CLOSED;
    }
    return SFO_E_TLS;
}

/*
 * Drive the engine until a state in target is reached (sending records
 * first, reading records when needed). SFO_OK, SFO_E_TIMEOUT (engine intact,
 * may be resumed), or the end of the session: 0 is returned as 1 when the
 * peer closed cleanly (close_notify), else an error. A socket failure other
 * than a timeout ends the session for good (io_err).
 */
#define RUN_CLEAN_CLOSE 1
static int run_until(struct sfo_tls *t, unsigned target, int in_handshake)
{
    br_ssl_engine_context *eng = &t->sc.eng;
    for (;;) {
        unsigned st;
        if (t->io_err != 0) {
            return t->io_err;
        }
        st = br_ssl_engine_current_state(eng);
        if (st & BR_SSL_CLOSED) {
            int rc = closed_err(t, in_handshake);
            return rc == 0 ? RUN_CLEAN_CLOSE : rc;
        }
        if (st & BR_SSL_SENDREC) {
            size_t len;
            unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);
            int r = sfo__tls_net_send(t, buf, len);
            if (r < 0) {
                if (r != SFO_E_TIMEOUT) {
                    t->io_err = (r == SFO_E_CLOSED && !in_handshake) ? SFO_E_TLS_CLOSED : r;
                }
                return r == SFO_E_CLOSED && !in_handshake ? SFO_E_TLS_CLOSED : r;
            }
            br_ssl_engine_sendrec_ack(eng, (size_t)r);
            continue;
        }
        if (st & target) {
            return SFO_OK;
        }
        if (st & BR_SSL_RECVREC) {
            size_t len;
            unsigned char *buf = br_ssl_engine_recvrec_buf(eng, &len);
            int r = sfo__tls_net_recv(t, buf, len);
            if (r == 0) {
                /* TCP FIN without close_notify */
                t->io_err = in_handshake ? SFO_E_CLOSED : SFO_E_TLS_CLOSED;
                return t->io_err;
            }
            if (r < 0) {
                if (r != SFO_E_TIMEOUT) {
                    t->io_err = r;
                }
                return r;
            }
            br_ssl_engine_recvrec_ack(eng, (size_t)r);
            continue;
        }
        br_ssl_engine_flush(eng, 0);
    }
}

static int tls_send(void *ctx, const uint8_t *buf, size_t len, int64_t deadline_ms)
{
    struct sfo_tls *t = T(ctx);
    br_ssl_engine_context *eng = &t->sc.eng;
    size_t alen;
    unsigned char *abuf;
    int rc;
    if (!t->tls) {
        return SFO_E_CLOSED;
    }
    if (buf == NULL || len == 0) {
        return SFO_E_ARG;
    }
    t->deadline = deadline_ms;
    rc = run_until(t, BR_SSL_SENDAPP, 0);
    if (rc != SFO_OK) {
        return rc == RUN_CLEAN_CLOSE ? SFO_E_CLOSED : rc;
    }
    abuf = br_ssl_engine_sendapp_buf(eng, &alen);
    if (alen > len) {
        alen = len;
    }
    if (alen > (size_t)INT32_MAX) {
        alen = (size_t)INT32_MAX;
    }
    memcpy(abuf, buf, alen);
    br_ssl_engine_sendapp_ack(eng, alen);
    br_ssl_engine_flush(eng, 0);
    /* push the record out now: the caller waits for an answer next */
    rc = run_until(t, BR_SSL_SENDAPP | BR_SSL_RECVAPP, 0);
    if (rc != SFO_OK && rc != RUN_CLEAN_CLOSE) {
        return rc;
    }
    return (int)alen;
}

static int tls_recv(void *ctx, uint8_t *buf, size_t len, int64_t deadline_ms)
{
    struct sfo_tls *t = T(ctx);
    br_ssl_engine_context *eng = &t->sc.eng;
    size_t alen;
    unsigned char *abuf;
    int rc;
    if (!t->tls) {
        return SFO_E_CLOSED;
    }
    if (buf == NULL || len == 0) {
        return SFO_E_ARG;
    }
    t->deadline = deadline_ms;
    rc = run_until(t, BR_SSL_RECVAPP, 0);
    if (rc == RUN_CLEAN_CLOSE) {
        return 0;
    }
    if (rc != SFO_OK) {
        return rc;
    }
    abuf = br_ssl_engine_recvapp_buf(eng, &alen);
    if (alen > len) {
        alen = len;
    }
    if (alen > (size_t)INT32_MAX) {
        alen = (size_t)INT32_MAX;
    }
    memcpy(buf, abuf, alen);
    br_ssl_engine_recvapp_ack(eng, alen);
    return (int)alen;
}

static void log_session(struct sfo_tls *t)
{
    br_ssl_session_parameters sp;
    unsigned v;
    const char *s = "unknown";
    char text[SFO_BR_DN_MAX + 64];
    size_t i, n;
    if (!sfo__tls_log_enabled(t, SFO_LOG_INFO)) {
        return;
    }
    v = br_ssl_engine_get_version(&t->sc.eng);
    s = v == BR_TLS12 ? "TLSv1.2" : v == BR_TLS11 ? "TLSv1.1" : "TLSv1.0";
    sfo__tls_log(t, SFO_LOG_INFO, "TLS version", s, strlen(s));
    br_ssl_engine_get_session_parameters(&t->sc.eng, &sp);
    s = "unknown";
    for (i = 0; i < sizeof k_suite_names / sizeof k_suite_names[0]; i++) {
        if (k_suite_names[i].id == sp.cipher_suite) {
            s = k_suite_names[i].name;
        }
    }
    sfo__tls_log(t, SFO_LOG_INFO, "TLS cipher suite", s, strlen(s));
    n = sfo__x509_dn_format(t->xw.dn, t->xw.dn_len, text, sizeof text);
    sfo__tls_log(t, SFO_LOG_INFO, "TLS peer certificate subject", text, n);
    sfo_wipe(&sp, sizeof sp); /* holds the master secret */
}

/*
 * The client profile: only what k_suites needs, so a static link carries no
 * unused algorithm (br_ssl_client_init_full would pull in every cipher, hash
 * and curve BearSSL has). TLS 1.2; ECDHE key exchange with RSA or ECDSA server
 * signatures; AES-GCM only; certificates signed with SHA-256/384/512 (RSA or
 * ECDSA).
 */
static void client_profile(struct sfo_tls *t)
{
    static const br_hash_class *const hashes[] = { &br_sha256_vtable, &br_sha384_vtable,
                                                   &br_sha512_vtable };
    br_ssl_engine_context *eng = &t->sc.eng;
    size_t i;

    br_ssl_client_zero(&t->sc);
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    /* AES-GCM suites only: no CBC record layer, no constant-time HMAC and no
     * AES decryption in the link */
    br_ssl_engine_set_suites(eng, k_suites, sizeof k_suites / sizeof k_suites[0]);
    br_x509_minimal_init(&t->xc, &br_sha256_vtable, t->anchors, t->n_anchors);
    for (i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
        int id = (int)((hashes[i]->desc >> BR_HASHDESC_ID_OFF) & BR_HASHDESC_ID_MASK);
        br_ssl_engine_set_hash(eng, id, hashes[i]);
        br_x509_minimal_set_hash(&t->xc, id, hashes[i]);
    }
    br_x509_minimal_set_rsa(&t->xc, br_rsa_pkcs1_vrfy_get_default());
    br_x509_minimal_set_ecdsa(&t->xc, br_ec_get_default(), br_ecdsa_vrfy_asn1_get_default());
    br_x509_minimal_set_minrsa(&t->xc, (int)(SFO_CERT_RSA_MIN_BITS / 8u));
    br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
    /* BearSSL's default EC code: X25519 (what servers pick first; P-256 alone
     * costs ~5 M more instructions a handshake), P-256, P-384/521 */
    br_ssl_engine_set_default_ec(eng);
    br_ssl_engine_set_default_rsavrfy(eng);
    br_ssl_engine_set_default_ecdsa(eng);
    br_ssl_engine_set_default_aes_gcm(eng);
    br_ssl_engine_set_x509(eng, &t->xc.vtable);
}

/* Install the X.509 wrapper for server_name at the platform's current time. */
static void wrapper_setup(struct sfo_tls *t, const char *server_name)
{
    int64_t now = sfo__tls_wall(t);
    if (now < 0) {
        now = 0;
    }
    t->xw.vtable = &k_xw_class;
    t->xw.inner = &t->xc.vtable;
    t->xw.leaf_seen = 0; /* sfo_tls_peer_cert: nothing of an earlier handshake */
    t->xw.days = (uint32_t)(now / 86400) + BR_DAYS_TO_EPOCH;
    t->xw.seconds = (uint32_t)(now % 86400);
    t->xw.ip_len = sfo__ip_parse(server_name, t->xw.ip);
    t->xw.check_ip = t->xw.ip_len != 0;
    br_x509_minimal_set_time(&t->xc, t->xw.days, t->xw.seconds);
    br_ssl_engine_set_x509(&t->sc.eng, &t->xw.vtable);
}

int sfo__tls_be_start(struct sfo_tls *t, const char *server_name, struct sfo_transport *io)
{
    uint8_t seed[SFO_BR_SEED_LEN];
    int rc;
    client_profile(t);
    wrapper_setup(t, server_name);
    br_ssl_engine_set_buffer(&t->sc.eng, t->iobuf, sizeof t->iobuf, 0);
    rc = sfo__tls_random(t, seed, sizeof seed);
    if (rc != SFO_OK) {
        return rc;
    }
    br_ssl_engine_inject_entropy(&t->sc.eng, seed, sizeof seed);
    sfo_wipe(seed, sizeof seed);
    /* DNS name: SNI and name check by br_x509_minimal. IP: neither (the wrapper checks). */
    if (!br_ssl_client_reset(&t->sc, t->xw.check_ip ? NULL : server_name, 0)) {
        return SFO_E_TLS;
    }
    rc = run_until(t, BR_SSL_SENDAPP | BR_SSL_RECVAPP, 1);
    if (rc != SFO_OK) {
        return rc == RUN_CLEAN_CLOSE ? SFO_E_TLS_HANDSHAKE : rc;
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
    br_ssl_engine_context *eng = &t->sc.eng;
    if (t->tls && t->io_err == 0) {
        /* queue close_notify and send what is pending; do not wait for the
         * peer's close_notify */
        br_ssl_engine_close(eng);
        while ((br_ssl_engine_current_state(eng) & BR_SSL_SENDREC) != 0) {
            size_t len;
            unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);
            int r = sfo__tls_net_send(t, buf, len);
            if (r <= 0) {
                break;
            }
            br_ssl_engine_sendrec_ack(eng, (size_t)r);
        }
    }
    t->tls = 0;
    /* drop session keys and buffered records */
    sfo_wipe(&t->sc, sizeof t->sc);
    sfo_wipe(t->iobuf, sizeof t->iobuf);
    t->io_err = 0;
}

/* ================================================================ crypto */
int sfo__tls_sha256(void *ctx, const struct sfo_iov *msg, size_t n, uint8_t out[SFO_SHA256_LEN])
{
    br_sha256_context c;
    size_t i;
    (void)ctx;
    br_sha256_init(&c);
    for (i = 0; i < n; i++) {
        br_sha256_update(&c, msg[i].ptr, msg[i].len);
    }
    br_sha256_out(&c, out);
    return SFO_OK;
}

int sfo__tls_hmac_sha256(void *ctx, const uint8_t *key, size_t key_len, const struct sfo_iov *msg,
                         size_t n, uint8_t out[SFO_SHA256_LEN])
{
    br_hmac_key_context kc;
    br_hmac_context hc;
    size_t i;
    (void)ctx;
    br_hmac_key_init(&kc, &br_sha256_vtable, key, key_len);
    br_hmac_init(&hc, &kc, 0);
    for (i = 0; i < n; i++) {
        br_hmac_update(&hc, msg[i].ptr, msg[i].len);
    }
    (void)br_hmac_out(&hc, out);
    sfo_wipe(&kc, sizeof kc);
    sfo_wipe(&hc, sizeof hc);
    return SFO_OK;
}

struct key_pem {
    br_skey_decoder_context dc;
    br_pem_decoder_context pem;
    int in_key;    /* inside a private-key object */
    int found;     /* a private-key object ended */
    int encrypted; /* an ENCRYPTED PRIVATE KEY object was seen */
};

static void key_bytes(void *ctx, const void *buf, size_t len)
{
    br_skey_decoder_push(&((struct key_pem *)ctx)->dc, buf, len);
}

/* Feed PEM text to the key decoder: SFO_OK when a key object was read. */
static int key_from_pem(struct key_pem *k, const uint8_t *data, size_t len)
{
    int pass;
    br_pem_decoder_init(&k->pem);
    for (pass = 0; pass < 2 && !k->found; pass++) {
        const uint8_t *p = pass == 0 ? data : (const uint8_t *)"\n";
        size_t l = pass == 0 ? len : 1;
        while (l > 0 && !k->found) {
            size_t n = br_pem_decoder_push(&k->pem, p, l);
            p += n;
            l -= n;
            switch (br_pem_decoder_event(&k->pem)) {
            case BR_PEM_BEGIN_OBJ: {
                const char *name = br_pem_decoder_name(&k->pem);
                k->in_key = strcmp(name, "RSA PRIVATE KEY") == 0 ||
                            strcmp(name, "PRIVATE KEY") == 0 || strcmp(name, "EC PRIVATE KEY") == 0;
                if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0) {
                    k->encrypted = 1;
                }
                br_pem_decoder_setdest(&k->pem, k->in_key ? key_bytes : NULL, k);
                break;
            }
            case BR_PEM_END_OBJ:
                if (k->in_key) {
                    k->found = 1;
                }
                break;
            case BR_PEM_ERROR: return SFO_E_KEY;
            default: break;
            }
        }
    }
    return k->found ? SFO_OK : SFO_E_KEY;
}

/* Copy one private-key component to o, point the key at it; returns o + len. */
static unsigned char *kcopy(unsigned char *o, unsigned char **field, size_t *field_len,
                            const unsigned char *src, size_t len)
{
    memcpy(o, src, len);
    *field = o;
    *field_len = len;
    return o + len;
}

int sfo__tls_key_load(void *ctx, const uint8_t *data, size_t len)
{
    struct sfo_tls *t = T(ctx);
    struct key_pem k;
    const br_rsa_private_key *sk;
    br_rsa_private_key *dst;
    size_t total;
    uint8_t *o;
    int rc = SFO_OK;
    memset(&k, 0, sizeof k);
    br_skey_decoder_init(&k.dc);
    if (sfo__mem_contains(data, len, "-----BEGIN ")) {
        rc = key_from_pem(&k, data, len);
    } else {
        br_skey_decoder_push(&k.dc, data, len);
    }
    if (rc == SFO_OK && br_skey_decoder_last_error(&k.dc) != 0) {
        rc = SFO_E_KEY;
    }
    if (rc == SFO_OK && br_skey_decoder_key_type(&k.dc) != BR_KEYTYPE_RSA) {
        rc = SFO_E_KEY_TYPE;
    }
    if (rc == SFO_OK) {
        sk = br_skey_decoder_get_rsa(&k.dc);
        total = sk->plen + sk->qlen + sk->dplen + sk->dqlen + sk->iqlen;
        if (sk->n_bitlen < SFO_RSA_MIN_BITS || sk->n_bitlen > SFO_RSA_MAX_BITS) {
            rc = SFO_E_KEY_TYPE;
        } else if (total > sizeof t->keybuf) {
            rc = SFO_E_KEY;
        } else {
            sfo__tls_key_clear(t);
            dst = &t->key;
            o = t->keybuf;
            dst->n_bitlen = sk->n_bitlen;
            o = kcopy(o, &dst->p, &dst->plen, sk->p, sk->plen);
            o = kcopy(o, &dst->q, &dst->qlen, sk->q, sk->qlen);
            o = kcopy(o, &dst->dp, &dst->dplen, sk->dp, sk->dplen);
            o = kcopy(o, &dst->dq, &dst->dqlen, sk->dq, sk->dqlen);
            (void)kcopy(o, &dst->iq, &dst->iqlen, sk->iq, sk->iqlen);
            t->key_loaded = 1;
        }
    }
    sfo_wipe(&k, sizeof k);
    return rc;
}

int sfo__tls_rsa_sign(void *ctx, const uint8_t digest[SFO_SHA256_LEN], uint8_t *sig, size_t sig_cap,
                      size_t *sig_len)
{
    struct sfo_tls *t = T(ctx);
    br_rsa_pkcs1_sign fn;
    size_t need;
    need = (t->key.n_bitlen + 7u) / 8u;
    if (sig_cap < need) {
        return SFO_E_TOO_LONG;
    }
    fn = br_rsa_pkcs1_sign_get_default();
    if (fn == NULL || fn(BR_HASH_OID_SHA256, digest, SFO_SHA256_LEN, &t->key, sig) != 1) {
        return SFO_E_CRYPTO;
    }
    *sig_len = need;
    return SFO_OK;
}

void sfo__tls_key_clear(void *ctx)
{
    struct sfo_tls *t = T(ctx);
    sfo_wipe(t->keybuf, sizeof t->keybuf);
    sfo_wipe(&t->key, sizeof t->key);
    t->key_loaded = 0;
}

/* see sfoauth_tls.h */
void sfo_tls_peer_cert(const struct sfo_tls *t, struct sfo_tls_peer *out)
{
    if (out == NULL) return;
    memset(out, 0, sizeof *out);
    if (t == NULL || !t->xw.leaf_seen) return;
    (void)sfo__x509_dn_format(t->xw.dn, t->xw.dn_len, out->subject, sizeof out->subject);
    (void)sfo__x509_dn_format(t->xw.idn, t->xw.idn_len, out->issuer, sizeof out->issuer);
    memcpy(out->sha256, t->xw.leaf_sha256, sizeof out->sha256);
    out->have = 1;
}
