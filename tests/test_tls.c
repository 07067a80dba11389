/*
 * TLS over the selected backend against a loopback server
 * (tests/server/tls_server.py) presenting each leaf of the test PKI.
 *
 * Abrupt ends after the handshake (documented in sfoauth_posix.h): a TCP FIN
 * without close_notify reads as SFO_E_TLS_CLOSED, a TCP reset as SFO_E_RESET,
 * close_notify as 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sfoauth_posix.h"
#include "testenv.h"

struct fx {
    struct sfo_posix_port pp;
    struct sfo_port port;
    char log[2048];
};

static void log_cb(void *ctx, int level, const char *msg, const char *detail, size_t n)
{
    struct fx *f = ctx;
    size_t used = strlen(f->log);
    (void)level;
    snprintf(f->log + used, sizeof f->log - used, "%s: %.*s\n", msg, (int)n, detail ? detail : "");
}

static int port_init(struct fx *f, struct sfo_posix_config *cfg)
{
    cfg->log = log_cb;
    cfg->log_ctx = f;
    cfg->log_level = SFO_LOG_INFO;
    f->log[0] = '\0';
    return sfo_posix_port_init(&f->pp, cfg, &f->port);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct sfo_posix_config cfg = { .ca_source = SFO_CA_FILE };
    if (f == NULL) return -1;
    cfg.ca_file = t_path("%s/ca.pem", t_pki());
    if (port_init(f, &cfg) != SFO_OK) return -1;
    *state = f;
    return 0;
}

/* The server of the running test, stopped by teardown even after a failure. */
static struct t_server *g_srv;

static void stop_server(struct t_server *s)
{
    t_server_stop(s);
    g_srv = NULL;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    if (g_srv != NULL) stop_server(g_srv);
    sfo_posix_port_deinit(&f->pp);
    free(f);
    return 0;
}

static void start_server(struct t_server *s, const char *cert, const char *key)
{
    const char *pki = t_pki();
    char a0[4096], a1[4096], a2[4096], a3[4096];
    snprintf(a0, sizeof a0, "%s", t_python());
    snprintf(a1, sizeof a1, "%s/tests/server/tls_server.py", t_root());
    snprintf(a2, sizeof a2, "%s/%s", pki, cert);
    snprintf(a3, sizeof a3, "%s/%s", pki, key);
    char *argv[] = { a0, a1, a2, a3, NULL };
    assert_int_equal(t_server_start(s, argv), 0);
    g_srv = s;
}

static int64_t in_ms(struct fx *f, int64_t ms)
{
    return f->port.mono_ms(f->port.ctx) + ms;
}

/* Connect to the server and run the handshake for host; returns its result. */
static int handshake(struct fx *f, const struct t_server *s, const char *host,
                     struct sfo_transport *t)
{
    int rc = f->port.connect(f->port.ctx, "127.0.0.1", (uint16_t)s->port, in_ms(f, 5000), t);
    assert_int_equal(rc, SFO_OK);
    rc = f->port.tls_start(f->port.ctx, host, in_ms(f, 10000), t);
    if (rc != SFO_OK) {
        fprintf(stderr, "  handshake %s: %s\n", host, sfo_errname(rc));
        f->port.close(f->port.ctx);
    }
    return rc;
}

static void send_all(struct fx *f, struct sfo_transport *t, const char *s)
{
    size_t len = strlen(s), off = 0;
    while (off < len) {
        int r = t->send(t->ctx, (const uint8_t *)s + off, len - off, in_ms(f, 5000));
        assert_true(r > 0);
        off += (size_t)r;
    }
}

static void expect_line(struct fx *f, struct sfo_transport *t, const char *want)
{
    char buf[256];
    size_t got = 0, len = strlen(want);
    while (got < len) {
        int r = t->recv(t->ctx, (uint8_t *)buf + got, sizeof buf - got, in_ms(f, 5000));
        assert_true(r > 0);
        got += (size_t)r;
    }
    assert_int_equal(got, len);
    assert_memory_equal(buf, want, len);
}

static void valid_chain(void **state)
{
    struct fx *f = *state;
    static struct t_server s;
    struct sfo_transport t;
    start_server(&s, "server-chain.pem", "server.key");
    for (int i = 0; i < 2; i++) {
        const char *host = i == 0 ? "localhost" : "127.0.0.1";
        assert_int_equal(handshake(f, &s, host, &t), SFO_OK);
        send_all(f, &t, "hello over TLS\n");
        expect_line(f, &t, "hello over TLS\n");
        /* a larger round trip, several records */
        static char big[40001];
        memset(big, 'x', sizeof big - 2);
        big[sizeof big - 2] = '\n';
        send_all(f, &t, big);
        size_t got = 0;
        static char rb[40001];
        while (got < sizeof big - 1) {
            int r = t.recv(t.ctx, (uint8_t *)rb + got, sizeof rb - got, in_ms(f, 5000));
            assert_true(r > 0);
            got += (size_t)r;
        }
        assert_memory_equal(rb, big, sizeof big - 1);
        send_all(f, &t, "BYE\n");
        uint8_t b[8];
        assert_int_equal(t.recv(t.ctx, b, sizeof b, in_ms(f, 5000)), 0); /* close_notify */
        f->port.close(f->port.ctx);
    }
    fprintf(stderr, "%s", f->log);
    assert_non_null(strstr(f->log, "TLS version: TLS"));
    assert_non_null(strstr(f->log, "TLS cipher suite: "));
    assert_non_null(strstr(f->log, "TLS peer certificate subject: CN=localhost"));
    stop_server(&s);
}

static void one_reject(struct fx *f, const char *cert, const char *key, const char *host, int want)
{
    static struct t_server s;
    struct sfo_transport t;
    start_server(&s, cert, key);
    assert_int_equal(handshake(f, &s, host, &t), want);
    stop_server(&s);
}

static void expired(void **state)
{
    one_reject(*state, "expired.pem", "expired.key", "localhost", SFO_E_TLS_EXPIRED);
}
static void not_yet_valid(void **state)
{
    one_reject(*state, "notyet.pem", "notyet.key", "localhost", SFO_E_TLS_NOT_YET_VALID);
}
static void wrong_host(void **state)
{
    one_reject(*state, "wronghost.pem", "wronghost.key", "localhost", SFO_E_TLS_HOSTNAME);
}
static void self_signed(void **state)
{
    one_reject(*state, "selfsigned.pem", "selfsigned.key", "localhost", SFO_E_TLS_UNTRUSTED);
}
static void unknown_ca(void **state)
{
    one_reject(*state, "unknownca.pem", "unknownca.key", "localhost", SFO_E_TLS_UNTRUSTED);
}

static void ip_host_without_ip_san(void **state)
{
    struct fx *f = *state;
    static struct t_server s;
    struct sfo_transport t;
    start_server(&s, "noip.pem", "noip.key");
    assert_int_equal(handshake(f, &s, "127.0.0.1", &t), SFO_E_TLS_HOSTNAME);
    /* the same certificate is fine for its DNS name */
    assert_int_equal(handshake(f, &s, "localhost", &t), SFO_OK);
    f->port.close(f->port.ctx);
    /* an IP the certificate does not carry, and a DNS name it does not carry */
    stop_server(&s);
    start_server(&s, "server-chain.pem", "server.key");
    assert_int_equal(handshake(f, &s, "127.0.0.2", &t), SFO_E_TLS_HOSTNAME);
    assert_int_equal(handshake(f, &s, "localhost.example", &t), SFO_E_TLS_HOSTNAME);
    stop_server(&s);
}

static void abrupt_close(void **state)
{
    struct fx *f = *state;
    static struct t_server s;
    struct sfo_transport t;
    uint8_t b[16];
    start_server(&s, "server-chain.pem", "server.key");
    assert_int_equal(handshake(f, &s, "localhost", &t), SFO_OK);
    send_all(f, &t, "FIN\n");
    assert_int_equal(t.recv(t.ctx, b, sizeof b, in_ms(f, 5000)), SFO_E_TLS_CLOSED);
    f->port.close(f->port.ctx);

    assert_int_equal(handshake(f, &s, "localhost", &t), SFO_OK);
    send_all(f, &t, "RST\n");
    assert_int_equal(t.recv(t.ctx, b, sizeof b, in_ms(f, 5000)), SFO_E_RESET);
    f->port.close(f->port.ctx);

    /* no data: the deadline passes */
    assert_int_equal(handshake(f, &s, "localhost", &t), SFO_OK);
    assert_int_equal(t.recv(t.ctx, b, sizeof b, in_ms(f, 200)), SFO_E_TIMEOUT);
    f->port.close(f->port.ctx);
    stop_server(&s);
}

static void anchors_from_memory(void **state)
{
    struct fx *f = *state;
    struct fx g;
    size_t len;
    char *pem = t_read_file(t_path("%s/ca.pem", t_pki()), &len);
    struct sfo_posix_config cfg = { .ca_source = SFO_CA_PEM };
    static struct t_server s;
    struct sfo_transport t;
    (void)f;
    assert_non_null(pem);
    memset(&g, 0, sizeof g);
    cfg.ca_pem = (const uint8_t *)pem;
    cfg.ca_pem_len = len - 1; /* not NUL-terminated, without the last newline */
    assert_int_equal(port_init(&g, &cfg), SFO_OK);
    assert_int_equal(sfo_posix_port_anchor_count(&g.pp), 1);
    free(pem);
    start_server(&s, "server-chain.pem", "server.key");
    assert_int_equal(handshake(&g, &s, "localhost", &t), SFO_OK);
    send_all(&g, &t, "BYE\n");
    g.port.close(g.port.ctx);
    stop_server(&s);
    sfo_posix_port_deinit(&g.pp);
}

static void anchors_failures(void **state)
{
    struct fx *f = *state;
    struct fx *g = calloc(1, sizeof *g);
    struct sfo_posix_config cfg = { .ca_source = SFO_CA_FILE, .ca_file = "/nonexistent/ca.pem" };
    (void)f;
    assert_int_equal(port_init(g, &cfg), SFO_E_TLS_CA);
    sfo_posix_port_deinit(&g->pp);
    /* a file without any certificate */
    cfg.ca_file = t_path("%s/client.key", t_pki());
    assert_int_equal(port_init(g, &cfg), SFO_E_TLS_CA);
    sfo_posix_port_deinit(&g->pp);
    static const char junk[] = "no certificates here\n";
    struct sfo_posix_config mem = { .ca_source = SFO_CA_PEM,
                                    .ca_pem = (const uint8_t *)junk,
                                    .ca_pem_len = sizeof junk - 1 };
    assert_int_equal(port_init(g, &mem), SFO_E_TLS_CA);
    sfo_posix_port_deinit(&g->pp);
    static const char badb64[] = "-----BEGIN CERTIFICATE-----\nMII*\n-----END CERTIFICATE-----\n";
    mem.ca_pem = (const uint8_t *)badb64;
    mem.ca_pem_len = sizeof badb64 - 1;
    assert_int_equal(port_init(g, &mem), SFO_E_TLS_CA);
    sfo_posix_port_deinit(&g->pp);
    struct sfo_posix_config bad = { .ca_source = SFO_CA_FILE };
    assert_int_equal(port_init(g, &bad), SFO_E_ARG);
    sfo_posix_port_deinit(&g->pp);
    free(g);
}

static void salesforce_roots(void **state)
{
    struct fx *f = *state;
    struct fx *g = calloc(1, sizeof *g);
    struct sfo_posix_config cfg = { .ca_source = SFO_CA_SALESFORCE };
    static struct t_server s;
    struct sfo_transport t;
    (void)f;
    assert_int_equal(port_init(g, &cfg), SFO_OK);
    assert_int_equal(sfo_posix_port_anchor_count(&g->pp), 2);
    /* the test server's chain does not lead to DigiCert */
    start_server(&s, "server-chain.pem", "server.key");
    assert_int_equal(handshake(g, &s, "localhost", &t), SFO_E_TLS_UNTRUSTED);
    stop_server(&s);
    sfo_posix_port_deinit(&g->pp);
    free(g);
}

static void system_bundle(void **state)
{
    struct fx *g = calloc(1, sizeof *g);
    struct sfo_posix_config cfg = { .ca_source = SFO_CA_SYSTEM };
    (void)state;
    if (access(SFO_POSIX_CA_FILE_DEFAULT, R_OK) != 0) {
        fprintf(stderr, "NOTE: no system bundle; skipped\n");
        free(g);
        skip();
    }
    assert_int_equal(port_init(g, &cfg), SFO_OK);
    assert_true(sfo_posix_port_anchor_count(&g->pp) > 50);
    sfo_posix_port_deinit(&g->pp);
    /* NULL configuration means the same */
    assert_int_equal(sfo_posix_port_init(&g->pp, NULL, &g->port), SFO_OK);
    sfo_posix_port_deinit(&g->pp);
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(valid_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(expired, setup, teardown),
        cmocka_unit_test_setup_teardown(not_yet_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_host, setup, teardown),
        cmocka_unit_test_setup_teardown(self_signed, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_ca, setup, teardown),
        cmocka_unit_test_setup_teardown(ip_host_without_ip_san, setup, teardown),
        cmocka_unit_test_setup_teardown(abrupt_close, setup, teardown),
        cmocka_unit_test_setup_teardown(anchors_from_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(anchors_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(salesforce_roots, setup, teardown),
        cmocka_unit_test(system_bundle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
