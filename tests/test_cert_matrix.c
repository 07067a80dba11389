/*
 * Differential certificate matrix: one certificate policy for both TLS
 * backends (README "Certificate policy"). Certificates are made by openssl at
 * test time (tests/support/cert_matrix.sh); each case is served by
 * tests/server/tls_server.py on 127.0.0.1 and verified by the POSIX port of
 * this build. The expected verdict and SFO_E_* code of every case is in the
 * table below and is the same for BACKEND=mbedtls and BACKEND=bearssl: `make
 * test` in each build checks its backend against it, so the two agree case by
 * case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sfoauth_posix.h"
#include "testenv.h"

struct mcase {
    const char *cert;   /* <cert>.pem (chain) and <cert>.key in the matrix dir */
    const char *name;   /* server name given to tls_start */
    const char *anchor; /* trust anchor file in the matrix dir */
    int want;           /* tls_start result (or port init result for a refused anchor) */
};

static const struct mcase k_cases[] = {
    /* accepted */
    { "ok_rsa2048", "localhost", "ca.pem", SFO_OK },
    { "ok_rsa2048", "127.0.0.1", "ca.pem", SFO_OK },
    { "ok_rsa2048", "::1", "ca.pem", SFO_OK },
    { "ok_rsa4096", "localhost", "ca.pem", SFO_OK },
    { "ok_ec256", "localhost", "ca.pem", SFO_OK },
    { "ok_ec384", "localhost", "ca.pem", SFO_OK },
    { "ok_sha384", "localhost", "ca.pem", SFO_OK },
    { "ok_intermediate", "localhost", "ca.pem", SFO_OK },
    { "ok_no_eku", "localhost", "ca.pem", SFO_OK },
    { "ok_wildcard", "api.example.test", "ca.pem", SFO_OK },
    /* names */
    { "ok_rsa2048", "127.0.0.2", "ca.pem", SFO_E_TLS_HOSTNAME },
    { "ok_rsa2048", "::2", "ca.pem", SFO_E_TLS_HOSTNAME },
    { "ok_rsa2048", "otherhost", "ca.pem", SFO_E_TLS_HOSTNAME },
    { "ok_wildcard", "a.api.example.test", "ca.pem", SFO_E_TLS_HOSTNAME },
    { "ok_wildcard", "example.test", "ca.pem", SFO_E_TLS_HOSTNAME },
    { "wrong_host", "localhost", "ca.pem", SFO_E_TLS_HOSTNAME },
    { "cn_only", "localhost", "ca.pem", SFO_E_TLS_HOSTNAME },
    /* dates */
    { "expired", "localhost", "ca.pem", SFO_E_TLS_EXPIRED },
    { "notyet", "localhost", "ca.pem", SFO_E_TLS_NOT_YET_VALID },
    { "expired_intermediate", "localhost", "ca.pem", SFO_E_TLS_EXPIRED },
    /* trust, keys, algorithms, usages, constraints */
    { "unknown_ca", "localhost", "ca.pem", SFO_E_TLS_UNTRUSTED },
    { "self_signed", "localhost", "ca.pem", SFO_E_TLS_UNTRUSTED },
    { "weak_rsa1024", "localhost", "ca.pem", SFO_E_TLS_UNTRUSTED },
    { "weak_intermediate", "localhost", "ca.pem", SFO_E_TLS_UNTRUSTED },
    { "sig_sha1", "localhost", "ca.pem", SFO_E_TLS_UNTRUSTED },
    { "sig_md5", "localhost", "ca.pem", SFO_E_TLS_UNTRUSTED },
    { "eku_client_only", "localhost", "ca.pem", SFO_E_TLS_UNTRUSTED },
    { "ku_no_signature", "localhost", "ca.pem", SFO_E_TLS_UNTRUSTED },
    { "issuer_not_ca", "localhost", "ca.pem", SFO_E_TLS_UNTRUSTED },
    { "issuer_no_keycertsign", "localhost", "ca.pem", SFO_E_TLS_UNTRUSTED },
    { "pathlen_exceeded", "localhost", "ca.pem", SFO_E_TLS_UNTRUSTED },
    /* an RSA-1024 root is refused as trust anchor: no anchor left */
    { "under_weak_root", "localhost", "weakroot.pem", SFO_E_TLS_CA },
};

static const char *matrix_dir(void)
{
    static char dir[4096];
    if (dir[0] == '\0') {
        char cmd[8192];
        snprintf(dir, sizeof dir, "%s/cert-matrix", t_build());
        snprintf(cmd, sizeof cmd, "sh '%s/tests/support/cert_matrix.sh' '%s'", t_root(), dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "certificate matrix could not be made: %s\n", cmd);
            abort();
        }
    }
    return dir;
}

/* The verdict of one case: port init with the case's anchor, connect to a
 * server presenting the case's chain, tls_start with the case's name. */
static int run_case(const struct mcase *c)
{
    static struct sfo_posix_port pp;
    struct sfo_posix_config cfg = { .ca_source = SFO_CA_FILE };
    struct sfo_port port;
    struct sfo_transport io;
    struct t_server s;
    const char *dir = matrix_dir();
    char a0[4096], a1[4096], a2[8300], a3[8300];
    int rc;
    cfg.ca_file = t_path("%s/%s", dir, c->anchor);
    rc = sfo_posix_port_init(&pp, &cfg, &port);
    if (rc != SFO_OK) {
        sfo_posix_port_deinit(&pp);
        return rc;
    }
    snprintf(a0, sizeof a0, "%s", t_python());
    snprintf(a1, sizeof a1, "%s/tests/server/tls_server.py", t_root());
    snprintf(a2, sizeof a2, "%s/%s.pem", dir, c->cert);
    snprintf(a3, sizeof a3, "%s/%s.key", dir, c->cert);
    char *argv[] = { a0, a1, a2, a3, NULL };
    assert_int_equal(t_server_start(&s, argv), 0);
    rc = port.connect(port.ctx, "127.0.0.1", (uint16_t)s.port, port.mono_ms(port.ctx) + 5000, &io);
    if (rc == SFO_OK) {
        rc = port.tls_start(port.ctx, c->name, port.mono_ms(port.ctx) + 10000, &io);
    }
    port.close(port.ctx);
    sfo_posix_port_deinit(&pp);
    t_server_stop(&s);
    return rc;
}

static void matrix(void **state)
{
    size_t i, bad = 0;
    (void)state;
    for (i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
        const struct mcase *c = &k_cases[i];
        int rc = run_case(c);
        printf("%-4s %-22s %-20s %-24s want %s\n", rc == c->want ? "ok" : "FAIL", c->cert, c->name,
               sfo_errname(rc), sfo_errname(c->want));
        if (rc != c->want) {
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
