/*
 * libFuzzer target: private-key loading of the POSIX port's TLS backend
 * (mbedTLS or BearSSL, chosen by the build: BACKEND=...).
 *
 * The port is initialised once with the compiled-in Salesforce roots. Each
 * input goes to key_load; when it succeeds a fixed digest is signed; then
 * key_clear. Checks: key_load returns only SFO_OK, SFO_E_KEY or
 * SFO_E_KEY_TYPE; rsa_sign after a refused load says SFO_E_KEY (nothing was
 * loaded), after a successful one gives SFO_OK with a 256..512-byte
 * signature or SFO_E_CRYPTO (an inconsistent key); no crash, no leak; after
 * key_clear the key storage of the port is all zero (BearSSL: the key
 * buffer and the key struct; mbedTLS: the pk handle, the numbers themselves
 * are freed and zeroized by mbedTLS).
 */
#include <string.h>
#include "sfoauth_posix.h"
#include "fuzz_util.h"

static struct sfo_posix_port g_pp;
static struct sfo_port g_port;
static int g_ready;

static void all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) FZ_ASSERT(b[i] == 0);
}

static void storage_clear(void)
{
    FZ_ASSERT(g_pp.b.key_loaded == 0);
#if defined(SFO_BACKEND_BEARSSL) && SFO_BACKEND_BEARSSL
    all_zero(g_pp.b.keybuf, sizeof g_pp.b.keybuf);
    all_zero(&g_pp.b.key, sizeof g_pp.b.key);
#else
    all_zero(&g_pp.b.key, sizeof g_pp.b.key);
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    static const uint8_t digest[SFO_SHA256_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    uint8_t sig[SFO_RSA_MAX_SIG];
    size_t sig_len = 0;
    int rc, src;

    if (!g_ready) {
        struct sfo_posix_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.ca_source = SFO_CA_SALESFORCE;
        FZ_ASSERT(sfo_posix_port_init(&g_pp, &cfg, &g_port) == SFO_OK);
        g_ready = 1;
    }
    if (n == 0) {
        FZ_ASSERT(g_port.key_load(g_port.ctx, d, 0) == SFO_E_ARG);
        return 0;
    }
    /* the input in its own allocation: ASan sees any read past its end */
    uint8_t *in = malloc(n);
    FZ_ASSERT(in != NULL);
    memcpy(in, d, n);
    rc = g_port.key_load(g_port.ctx, in, n);
    FZ_ASSERT(rc == SFO_OK || rc == SFO_E_KEY || rc == SFO_E_KEY_TYPE);
    FZ_ASSERT(memcmp(in, d, n) == 0); /* input untouched */
    free(in);
    src = g_port.rsa_sign(g_port.ctx, digest, sig, sizeof sig, &sig_len);
    if (rc == SFO_OK) {
        FZ_ASSERT(g_pp.b.key_loaded == 1);
        FZ_ASSERT(src == SFO_OK || src == SFO_E_CRYPTO);
        if (src == SFO_OK) FZ_ASSERT(sig_len >= 256 && sig_len <= SFO_RSA_MAX_SIG);
        /* too small a signature buffer is refused, not overrun */
        FZ_ASSERT(g_port.rsa_sign(g_port.ctx, digest, sig, 255, &sig_len) == SFO_E_TOO_LONG);
    } else {
        FZ_ASSERT(src == SFO_E_KEY);
    }
    g_port.key_clear(g_port.ctx);
    storage_clear();
    FZ_ASSERT(g_port.rsa_sign(g_port.ctx, digest, sig, sizeof sig, &sig_len) == SFO_E_KEY);
    return 0;
}
