/*
 * Port conformance suite: checks any struct sfo_port (clocks, entropy,
 * transport, TLS certificate verification, SHA-256 / HMAC / RSA known-answer
 * vectors, key loading) against the contract of sfoauth_port.h.
 *
 * Portable C11: the suite uses only <stddef.h> <stdint.h> <string.h> and the
 * port under test, allocates nothing, and reports through the fixture's print
 * callback, so a firmware image can run it and print to its own console.
 * Everything platform-specific (making the port, the test servers, the test
 * data) comes from the fixture. The suite carries no test data: known-answer
 * vectors are supplied by the fixture (the POSIX fixture reads them from
 * testdata/vectors; a firmware build embeds them at build time).
 *
 * Test servers: a TLS echo server per certificate kind below (the POSIX
 * fixture runs tests/server/tls_server.py): after the handshake it echoes
 * each line, answers "BYE\n" with close_notify and "FIN\n" with a TCP close
 * without close_notify.
 */
#ifndef SFO_CONFORMANCE_H
#define SFO_CONFORMANCE_H

#include <stddef.h>
#include <stdint.h>

#include "sfoauth_port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Server certificates the fixture may offer (each signed by the CA the port
 * trusts, except SFO_CONF_UNKNOWN_CA). */
enum sfo_conf_cert {
    SFO_CONF_GOOD = 0,   /* valid now; SAN DNS:<name> and IP:<host> */
    SFO_CONF_UNKNOWN_CA, /* valid, names right, issued by a CA the port does not trust */
    SFO_CONF_EXPIRED,    /* names right, notAfter in the past */
    SFO_CONF_WRONG_HOST, /* valid, SAN DNS:wrong.example only */
    SFO_CONF_NO_IP_SAN,  /* valid, SAN DNS:<name> only (no iPAddress SAN) */
    SFO_CONF_CERT_COUNT
};

/* SHA-256(msg) = want (32 bytes). */
struct sfo_conf_kat_sha256 {
    const char *id;
    const uint8_t *msg;
    size_t msg_len;
    const uint8_t *want;
};

/* HMAC-SHA256(key, msg) starts with want[0..want_len) (RFC 4231 case 5 gives
 * only 16 bytes). */
struct sfo_conf_kat_hmac {
    const char *id;
    const uint8_t *key;
    size_t key_len;
    const uint8_t *msg;
    size_t msg_len;
    const uint8_t *want;
    size_t want_len;
};

/* RSASSA-PKCS1-v1_5 SHA-256 signature of msg with key (PEM or DER) = sig. */
struct sfo_conf_kat_rsa {
    const char *id;
    const uint8_t *key;
    size_t key_len;
    const uint8_t *msg;
    size_t msg_len;
    const uint8_t *sig;
    size_t sig_len;
};

/* A key that key_load must refuse with code want (SFO_E_KEY or SFO_E_KEY_TYPE). */
struct sfo_conf_bad_key {
    const char *id;
    const uint8_t *key;
    size_t key_len;
    int want;
};

struct sfo_conf_fixture {
    void *ctx; /* first argument of every callback */

    /* Make a fresh port trusting the test CA (and nothing else); SFO_OK or an
     * error (the test then fails). Every port_open is paired with port_close. */
    int (*port_open)(void *ctx, struct sfo_port *port);
    void (*port_close)(void *ctx, struct sfo_port *port);

    /* Where the TLS echo server presenting certificate `which` listens: host as
     * given to connect (an IP literal, which the IP-SAN tests also use as server
     * name), port, and the DNS server name its certificate carries. SFO_OK, or
     * SFO_E_NOT_FOUND when the fixture has no such server (tests are skipped). */
    int (*server)(void *ctx, int which, const char **host, uint16_t *port, const char **name);

    /* Optional network cases (NULL / 0: skipped). */
    const char *refused_host; /* host:refused_port refuses TCP connections */
    uint16_t refused_port;
    const char *dns_fail_host; /* a name that does not resolve (e.g. "nonexistent.invalid") */

    /* Known-answer vectors and refused keys (n = 0: skipped). */
    const struct sfo_conf_kat_sha256 *sha256;
    size_t n_sha256;
    const struct sfo_conf_kat_hmac *hmac;
    size_t n_hmac;
    const struct sfo_conf_kat_rsa *rsa;
    size_t n_rsa;
    const struct sfo_conf_bad_key *bad_keys;
    size_t n_bad_keys;

    /* One output line, NUL-terminated, without newline (console, UART, ...). */
    void (*print)(void *ctx, const char *line);
};

struct sfo_conf_result {
    unsigned passed, failed, skipped;
};

/*
 * Run every test against the fixture, printing "PASS <test>", "FAIL <test>:
 * <what>" or "SKIP <test>: <why>" per test and last "<N> passed, <N> failed"
 * (skipped ones counted apart). res may be NULL. Returns the number of failed
 * tests (0: the port conforms).
 */
unsigned sfo_conformance_run(const struct sfo_conf_fixture *fx, struct sfo_conf_result *res);

#ifdef __cplusplus
}
#endif
#endif /* SFO_CONFORMANCE_H */
