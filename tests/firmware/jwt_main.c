/*
 * sfoauth-jwt firmware image (MPS2 AN386 in QEMU): one JWT bearer token fetch.
 *
 * Semihosting command line: sfoauth-jwt LOGIN_URL CLIENT_ID USERNAME KEY_FILE CA_FILE
 * (host files, read through semihosting). The connection is the byte pipe of
 * UART0 (QEMU -serial to a TCP socket at the token server). Exit status: 0 and
 * "sfoauth-jwt: ok ..." when a token was received, else the magnitude of the
 * SFO_E_* code and one line naming it (with the server's error for SFO_E_OAUTH).
 * The token itself is never printed, only its length. The host's entropy and
 * clock are used (TEST-ONLY sources of the MPS2 port).
 */
#include <string.h>

#include "fw_util.h"
#include "sfoauth.h"
#include "sfoauth_mps2.h"

#define FILE_MAX 2048u

static struct sfo_mps2 board;
static struct sfo_tls tls;
static struct sfo_token tok;
static uint8_t work[2048];
static uint8_t file_buf[FILE_MAX]; /* the CA, then the key (RSA-2048 PEM: ~1.7 KiB) */
static char cmdline[512];

/* Figures for `make bench`: timer ticks spent in the RSA signature and in the
 * TLS handshake (and, of those, waiting for the UART), measured by wrapping
 * the port's functions. */
static struct {
    int (*rsa_sign)(void *, const uint8_t *, uint8_t *, size_t, size_t *);
    int (*tls_start)(void *, const char *, int64_t, struct sfo_transport *);
    uint64_t sign, hs, hs_wait;
} fig;

static int fig_rsa_sign(void *ctx, const uint8_t digest[SFO_SHA256_LEN], uint8_t *sig, size_t cap,
                        size_t *len)
{
    uint64_t t = sfo_mps2_ticks(&board);
    int rc = fig.rsa_sign(ctx, digest, sig, cap, len);
    fig.sign += sfo_mps2_ticks(&board) - t;
    return rc;
}

static int fig_tls_start(void *ctx, const char *name, int64_t deadline, struct sfo_transport *io)
{
    uint64_t t = sfo_mps2_ticks(&board), w = board.wait_ticks;
    int rc = fig.tls_start(ctx, name, deadline, io);
    fig.hs += sfo_mps2_ticks(&board) - t;
    fig.hs_wait += board.wait_ticks - w;
    return rc;
}

/* Prints the outcome and returns the exit status. */
static int report(int rc, uint64_t t_start)
{
    if (rc == SFO_OK) {
        fw_puts("sfoauth-jwt: ok instance_url=");
        fw_puts(tok.instance_url);
        fw_puts(" token_type=");
        fw_puts(tok.token_type);
        fw_putu(" access_token_len=", (unsigned long)strlen(tok.access_token));
    } else {
        fw_puts("sfoauth-jwt: error ");
        fw_puts(sfo_errname(rc));
        if (rc == SFO_E_OAUTH) {
            fw_puts(" error=");
            fw_puts(tok.err.error);
            fw_puts(" error_description=");
            fw_puts(tok.err.error_description);
        }
        fw_puts("\n");
    }
    fw_putu("fw: ticks total ", (unsigned long)(sfo_mps2_ticks(&board) - t_start));
    fw_putu("fw: ticks waiting ", (unsigned long)board.wait_ticks);
    fw_putu("fw: ticks rsa_sign ", (unsigned long)fig.sign);
    fw_putu("fw: ticks handshake ", (unsigned long)fig.hs);
    fw_putu("fw: ticks handshake waiting ", (unsigned long)fig.hs_wait);
    fw_putu("fw: stack high-water ", (unsigned long)mps2_stack_high_water());
    fw_putu("fw: pool high-water ", (unsigned long)fw_pool_high_water());
    return rc == SFO_OK ? 0 : -rc;
}

/* Loads the CA, makes the port, reads the key, fetches the token. */
static int run(char *argv[])
{
    struct sfo_mps2_config mc;
    struct sfo_tls_config tc;
    struct sfo_port port;
    struct sfo_client c;
    struct sfo_jwt j;
    uint64_t t0;
    long n;
    int rc;

    memset(&mc, 0, sizeof mc);
    mc.uart = MPS2_UART0_BASE;
    mc.random = sfo_mps2_test_random; /* TEST-ONLY: a product passes its TRNG */
    mc.wall_s = sfo_mps2_test_wall_s; /* TEST-ONLY: a product passes its RTC */
    rc = sfo_mps2_init(&board, &mc, &tc);
    if (rc != SFO_OK) return report(rc, 0);
    t0 = sfo_mps2_ticks(&board);
    n = fw_read_file(argv[5], file_buf, sizeof file_buf);
    if (n < 0) return report(SFO_E_TLS_CA, t0);
    tc.trust.pem = file_buf;
    tc.trust.pem_len = (size_t)n;
    rc = sfo_tls_port_init(&tls, &tc, &port);
    fig.rsa_sign = port.rsa_sign;
    fig.tls_start = port.tls_start;
    port.rsa_sign = fig_rsa_sign;
    port.tls_start = fig_tls_start;
    if (rc == SFO_OK) rc = sfo_client_init(&c, &port, argv[1], argv[2], work, sizeof work);
    n = fw_read_file(argv[4], file_buf, sizeof file_buf);
    if (rc == SFO_OK && n < 0) rc = SFO_E_KEY;
    if (rc == SFO_OK) {
        memset(&j, 0, sizeof j);
        j.username = argv[3];
        j.key = file_buf;
        j.key_len = (size_t)n;
        rc = sfo_jwt_bearer(&c, &j, &tok);
    }
    sfo_wipe(file_buf, sizeof file_buf);
    rc = report(rc, t0);
    sfo_token_wipe(&tok);
    sfo_tls_port_deinit(&tls);
    return rc;
}

int main(void)
{
    char *argv[FW_MAX_ARGS];
    fw_pool_init();
    if (fw_args(cmdline, sizeof cmdline, argv) != 6) {
        fw_puts("usage: sfoauth-jwt LOGIN_URL CLIENT_ID USERNAME KEY_FILE CA_FILE\n");
        return 2;
    }
    return run(argv);
}
