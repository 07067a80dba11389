/*
 * Portable TLS glue, backend-independent part: turns a struct sfo_net (plain
 * TCP) and a struct sfo_platform (clocks, entropy, sleep, log) into a
 * complete struct sfo_port, with the TLS engine and crypto of
 * port/tls/<backend>.c. No platform header, no allocation here.
 */
#include <string.h>

#include "sfo_port_impl.h"

static struct sfo_tls *T(void *ctx)
{
    return (struct sfo_tls *)ctx;
}

/* ------------------------------------------------------- platform forwarders */
int64_t sfo__tls_mono(const struct sfo_tls *t)
{
    return t->plat.mono_ms(t->plat.ctx);
}

int64_t sfo__tls_wall(const struct sfo_tls *t)
{
    return t->plat.wall_s(t->plat.ctx);
}

int sfo__tls_random(const struct sfo_tls *t, uint8_t *buf, size_t len)
{
    int rc = t->plat.random(t->plat.ctx, buf, len);
    if (rc != SFO_OK) {
        sfo_wipe(buf, len);
        return SFO_E_ENTROPY; /* whatever the platform said: fail closed */
    }
    return SFO_OK;
}

int sfo__tls_log_enabled(const struct sfo_tls *t, int level)
{
    return t != NULL && t->plat.log != NULL && level <= t->plat.log_level;
}

void sfo__tls_log(const struct sfo_tls *t, int level, const char *msg, const char *detail,
                  size_t detail_len)
{
    if (sfo__tls_log_enabled(t, level)) {
        t->plat.log(t->plat.log_ctx, level, msg, detail, detail_len);
    }
}

void sfo__tls_log_err(const struct sfo_tls *t, const char *msg, int rc)
{
    const char *name = sfo_errname(rc);
    sfo__tls_log(t, SFO_LOG_ERROR, msg, name, strlen(name));
}

static int64_t p_mono(void *ctx)
{
    return sfo__tls_mono(T(ctx));
}
static int64_t p_wall(void *ctx)
{
    return sfo__tls_wall(T(ctx));
}
static int p_random(void *ctx, uint8_t *buf, size_t len)
{
    if (buf == NULL && len > 0) {
        return SFO_E_ARG;
    }
    return sfo__tls_random(T(ctx), buf, len);
}
static void p_sleep(void *ctx, uint32_t ms)
{
    T(ctx)->plat.sleep_ms(T(ctx)->plat.ctx, ms);
}

/* ------------------------------------------------------------ network for TLS */
/* Wait out one SFO_E_AGAIN of the net: SFO_OK to call again, or SFO_E_TIMEOUT. */
static int again_wait(struct sfo_tls *t)
{
    if (sfo__tls_mono(t) >= t->deadline) {
        return SFO_E_TIMEOUT;
    }
    t->plat.sleep_ms(t->plat.ctx, SFO_TLS_AGAIN_MS);
    return SFO_OK;
}

int sfo__tls_net_send(struct sfo_tls *t, const uint8_t *buf, size_t len)
{
    for (;;) {
        int r = t->net.send(t->net.ctx, buf, len, t->deadline);
        if (r != SFO_E_AGAIN) {
            return r == 0 ? SFO_E_IO : r; /* a send of 0 bytes breaks the contract */
        }
        r = again_wait(t);
        if (r != SFO_OK) {
            return r;
        }
    }
}

int sfo__tls_net_recv(struct sfo_tls *t, uint8_t *buf, size_t len)
{
    for (;;) {
        int r = t->net.recv(t->net.ctx, buf, len, t->deadline);
        if (r != SFO_E_AGAIN) {
            return r;
        }
        r = again_wait(t);
        if (r != SFO_OK) {
            return r;
        }
    }
}

/* ------------------------------------------------------------- port functions */
static int p_connect(void *ctx, const char *host, uint16_t port, int64_t deadline_ms,
                     struct sfo_transport *out)
{
    struct sfo_tls *t = T(ctx);
    int rc;
    if (t == NULL || host == NULL || host[0] == '\0' || port == 0 || out == NULL) {
        return SFO_E_ARG;
    }
    if (t->connected) {
        return SFO_E_STATE_MACHINE;
    }
    rc = t->net.connect(t->net.ctx, host, port, deadline_ms);
    if (rc != SFO_OK) {
        return rc;
    }
    t->connected = 1;
    t->tls = 0;
    out->ctx = t->net.ctx; /* the plaintext stream is the net itself */
    out->send = t->net.send;
    out->recv = t->net.recv;
    return SFO_OK;
}

static int p_tls_start(void *ctx, const char *server_name, int64_t deadline_ms,
                       struct sfo_transport *io)
{
    struct sfo_tls *t = T(ctx);
    int rc;
    if (t == NULL || server_name == NULL || server_name[0] == '\0' || io == NULL) {
        return SFO_E_ARG;
    }
    if (!t->connected || t->tls) {
        return SFO_E_STATE_MACHINE;
    }
    if (sfo__tls_be_count(t) == 0) {
        sfo__tls_log(t, SFO_LOG_ERROR, "no trust anchors loaded", NULL, 0);
        return SFO_E_TLS_CA;
    }
    t->deadline = deadline_ms;
    t->io_err = 0;
    rc = sfo__tls_be_start(t, server_name, io);
    if (rc != SFO_OK) {
        sfo__tls_log_err(t, "TLS handshake failed", rc);
        return rc;
    }
    t->tls = 1;
    return SFO_OK;
}

static void p_close(void *ctx)
{
    struct sfo_tls *t = T(ctx);
    if (t == NULL || !t->inited) {
        return;
    }
    if (t->connected) {
        t->deadline = sfo__tls_mono(t) + SFO_TLS_CLOSE_NOTIFY_MS;
        sfo__tls_be_shutdown(t); /* close_notify when TLS is up; drops the session */
        t->net.close(t->net.ctx);
    }
    t->connected = 0;
    t->tls = 0;
    t->io_err = 0;
}

/* ---------------------------------------------------------------- trust anchors */
static int is_cert_label(const char *label)
{
    return strcmp(label, "CERTIFICATE") == 0 || strcmp(label, "X509 CERTIFICATE") == 0 ||
           strcmp(label, "TRUSTED CERTIFICATE") == 0;
}

int sfo_tls_trust_add_pem(struct sfo_tls *t, const uint8_t *pem, size_t len)
{
    char label[48];
    size_t pos = 0, der_len = 0, cap = 0;
    uint8_t *der;
    int r, added = 0;
    if (t == NULL || !t->inited || (pem == NULL && len > 0)) {
        return SFO_E_ARG;
    }
    if (len == 0) {
        return 0;
    }
    der = sfo__tls_be_scratch(t, &cap);
    if (der == NULL) {
        return SFO_E_TLS_CA;
    }
    while ((r = sfo__pem_next(pem, len, &pos, label, sizeof label, der, cap, &der_len)) == 1) {
        if (!is_cert_label(label)) {
            continue;
        }
        r = sfo__tls_be_add_der(t, der, der_len);
        if (r == SFO_E_NOT_FOUND) {
            sfo__tls_log(t, SFO_LOG_INFO, "trust anchor skipped (does not decode or weak key)",
                         NULL, 0);
        } else if (r != SFO_OK) {
            break;
        } else {
            added++;
        }
    }
    sfo__tls_be_scratch_done(t, der, cap);
    if (r != 0) {
        sfo__tls_log(t, SFO_LOG_ERROR, "trust anchors not loadable (PEM text or limits)", NULL, 0);
        return SFO_E_TLS_CA;
    }
    return added;
}

size_t sfo_tls_trust_count(const struct sfo_tls *t)
{
    return (t != NULL && t->inited) ? sfo__tls_be_count(t) : 0;
}

/* Load cfg's anchors: SFO_OK or SFO_E_TLS_CA. */
static int load_trust(struct sfo_tls *t, const struct sfo_tls_trust *tr)
{
    size_t i;
    int r;
    if (tr->salesforce) {
        for (i = 0; i < sfo__sf_roots_count; i++) {
            if (sfo__tls_be_add_der(t, sfo__sf_roots[i].der, sfo__sf_roots[i].len) != SFO_OK) {
                return SFO_E_TLS_CA;
            }
        }
    }
    for (i = 0; i < tr->n_der; i++) {
        if (sfo__tls_be_add_der(t, tr->der[i].der, tr->der[i].len) != SFO_OK) {
            sfo__tls_log(t, SFO_LOG_ERROR, "DER trust anchor not usable", NULL, 0);
            return SFO_E_TLS_CA;
        }
    }
    r = sfo_tls_trust_add_pem(t, tr->pem, tr->pem_len);
    if (r < 0) {
        return r;
    }
    if ((tr->salesforce || tr->n_der > 0 || tr->pem_len > 0) && sfo__tls_be_count(t) == 0) {
        sfo__tls_log(t, SFO_LOG_ERROR, "no usable trust anchor given", NULL, 0);
        return SFO_E_TLS_CA;
    }
    return SFO_OK;
}

/* ------------------------------------------------------------ crypto entries */
/* The port's crypto entries: the argument checks of struct sfo_port that every
 * backend shares, then the backend's function, which takes them as given. */
static int p_sha256(void *ctx, const struct sfo_iov *msg, size_t n, uint8_t out[SFO_SHA256_LEN])
{
    if ((msg == NULL && n > 0) || out == NULL) {
        return SFO_E_ARG;
    }
    return sfo__tls_sha256(ctx, msg, n, out);
}

static int p_hmac_sha256(void *ctx, const uint8_t *key, size_t key_len, const struct sfo_iov *msg,
                         size_t n, uint8_t out[SFO_SHA256_LEN])
{
    if ((msg == NULL && n > 0) || out == NULL || (key == NULL && key_len > 0)) {
        return SFO_E_ARG;
    }
    return sfo__tls_hmac_sha256(ctx, key, key_len, msg, n, out);
}

/* More than SFO_KEY_INPUT_MAX bytes is SFO_E_KEY before any decoding. */
static int p_key_load(void *ctx, const uint8_t *data, size_t len)
{
    if (ctx == NULL || data == NULL || len == 0) {
        return SFO_E_ARG;
    }
    if (len > SFO_KEY_INPUT_MAX) {
        return SFO_E_KEY;
    }
    return sfo__tls_key_load(ctx, data, len);
}

/* No key loaded is SFO_E_KEY. */
static int p_rsa_sign(void *ctx, const uint8_t digest[SFO_SHA256_LEN], uint8_t *sig, size_t sig_cap,
                      size_t *sig_len)
{
    if (ctx == NULL || digest == NULL || sig == NULL || sig_len == NULL) {
        return SFO_E_ARG;
    }
    if (!T(ctx)->key_loaded) {
        return SFO_E_KEY;
    }
    return sfo__tls_rsa_sign(ctx, digest, sig, sig_cap, sig_len);
}

static void p_key_clear(void *ctx)
{
    if (ctx != NULL) {
        sfo__tls_key_clear(ctx);
    }
}

/* ------------------------------------------------------------------ set-up */
/* SFO_OK when cfg names every required function and consistent trust. */
static int check_config(const struct sfo_tls_config *cfg)
{
    const struct sfo_net *n = &cfg->net;
    const struct sfo_platform *p = &cfg->platform;
    const struct sfo_tls_trust *tr = &cfg->trust;
    if (n->connect == NULL || n->send == NULL || n->recv == NULL || n->close == NULL ||
        p->mono_ms == NULL || p->wall_s == NULL || p->random == NULL || p->sleep_ms == NULL) {
        return SFO_E_ARG;
    }
    if ((tr->der == NULL && tr->n_der > 0) || (tr->pem == NULL && tr->pem_len > 0)) {
        return SFO_E_ARG;
    }
    return SFO_OK;
}

int sfo_tls_port_init(struct sfo_tls *t, const struct sfo_tls_config *cfg, struct sfo_port *out)
{
    int rc;
    if (t == NULL || out == NULL) {
        return SFO_E_ARG;
    }
    memset(t, 0, sizeof *t);
    memset(out, 0, sizeof *out);
    if (cfg == NULL || check_config(cfg) != SFO_OK) {
        return SFO_E_ARG;
    }
    t->net = cfg->net;
    t->plat = cfg->platform;
    rc = sfo__tls_be_init(t);
    t->inited = 1; /* from here on deinit has backend state to free */
    if (rc == SFO_OK) {
        rc = load_trust(t, &cfg->trust);
    }
    if (rc != SFO_OK) {
        return rc;
    }
    out->ctx = t;
    out->mono_ms = p_mono;
    out->wall_s = p_wall;
    out->random = p_random;
    out->sleep_ms = p_sleep;
    out->connect = p_connect;
    out->tls_start = p_tls_start;
    out->close = p_close;
    out->sha256 = p_sha256;
    out->hmac_sha256 = p_hmac_sha256;
    out->key_load = p_key_load;
    out->rsa_sign = p_rsa_sign;
    out->key_clear = p_key_clear;
    out->log = t->plat.log;
    out->log_ctx = t->plat.log_ctx;
    out->log_level = t->plat.log_level;
    return SFO_OK;
}

void sfo_tls_port_deinit(struct sfo_tls *t)
{
    if (t == NULL || !t->inited) {
        return;
    }
    p_close(t);
    sfo__tls_be_deinit(t);
    sfo_wipe(t, sizeof *t);
}
