/*
 * POSIX port sockets: connect over IPv4 and IPv6 loopback, refused, timeouts,
 * reset, clean end of stream, DNS failure (in a private network namespace so
 * that no packet leaves the machine).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "sfoauth_posix.h"
#include "testenv.h"

struct fx {
    struct sfo_posix_port pp;
    struct sfo_port port;
    int logged_connect;
};

static void log_cb(void *ctx, int level, const char *msg, const char *detail, size_t n)
{
    struct fx *f = ctx;
    (void)level;
    if (strcmp(msg, "connected to") == 0) f->logged_connect++;
    fprintf(stderr, "  log: %s %.*s\n", msg, (int)n, detail ? detail : "");
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct sfo_posix_config cfg = { .ca_source = SFO_CA_SALESFORCE,
                                    .log = log_cb,
                                    .log_level = SFO_LOG_INFO };
    if (f == NULL) return -1;
    cfg.log_ctx = f;
    if (sfo_posix_port_init(&f->pp, &cfg, &f->port) != SFO_OK) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    sfo_posix_port_deinit(&f->pp);
    sfo_posix_port_deinit(&f->pp); /* twice is safe */
    free(f);
    return 0;
}

/* Listening socket on addr ("127.0.0.1" or "::1"), port chosen by the kernel. */
static int listener(const char *addr, int backlog, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
    int fd = socket(fam, SOCK_STREAM, 0);
    int one = 1;
    if (fd < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&ss, 0, sizeof ss);
    if (fam == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        inet_pton(AF_INET, addr, &a->sin_addr);
        sl = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        inet_pton(AF_INET6, addr, &a->sin6_addr);
        sl = sizeof *a;
    }
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, backlog) != 0) {
        close(fd);
        return -1;
    }
    sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *port = ntohs(fam == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                 : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

static int64_t in_ms(struct fx *f, int64_t ms)
{
    return f->port.mono_ms(f->port.ctx) + ms;
}

static void round_trip(struct fx *f, const char *listen_addr, const char *host)
{
    uint16_t port;
    int lfd = listener(listen_addr, 4, &port);
    if (lfd < 0) {
        fprintf(stderr, "NOTE: no %s listener (%s); skipped\n", listen_addr, strerror(errno));
        skip();
    }
    struct sfo_transport t;
    assert_int_equal(f->port.connect(f->port.ctx, host, port, in_ms(f, 2000), &t), SFO_OK);
    int cfd = accept(lfd, NULL, NULL);
    assert_true(cfd >= 0);
    assert_int_equal(t.send(t.ctx, (const uint8_t *)"ping", 4, in_ms(f, 2000)), 4);
    char buf[16];
    assert_int_equal(read(cfd, buf, sizeof buf), 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(write(cfd, "pong!", 5), 5);
    uint8_t rb[16];
    size_t got = 0;
    while (got < 5) {
        int r = t.recv(t.ctx, rb + got, sizeof rb - got, in_ms(f, 2000));
        assert_true(r > 0);
        got += (size_t)r;
    }
    assert_memory_equal(rb, "pong!", 5);
    /* a second connect while one is open is refused */
    struct sfo_transport t2;
    assert_int_equal(f->port.connect(f->port.ctx, host, port, in_ms(f, 2000), &t2),
                     SFO_E_STATE_MACHINE);
    /* clean EOF */
    close(cfd);
    assert_int_equal(t.recv(t.ctx, rb, sizeof rb, in_ms(f, 2000)), 0);
    f->port.close(f->port.ctx);
    f->port.close(f->port.ctx); /* safe twice */
    close(lfd);
    assert_true(f->logged_connect > 0);
}

static void connect_ipv4(void **state)
{
    round_trip(*state, "127.0.0.1", "127.0.0.1");
}
static void connect_localhost(void **state)
{
    round_trip(*state, "127.0.0.1", "localhost");
}
static void connect_ipv6(void **state)
{
    round_trip(*state, "::1", "::1");
}

static void refused(void **state)
{
    struct fx *f = *state;
    uint16_t port;
    int lfd = listener("127.0.0.1", 1, &port);
    assert_true(lfd >= 0);
    close(lfd); /* nothing listens there now */
    struct sfo_transport t;
    assert_int_equal(f->port.connect(f->port.ctx, "127.0.0.1", port, in_ms(f, 2000), &t),
                     SFO_E_CONNREFUSED);
    assert_int_equal(f->pp.fd, -1);
}

static void recv_timeout(void **state)
{
    struct fx *f = *state;
    uint16_t port;
    int lfd = listener("127.0.0.1", 4, &port);
    assert_true(lfd >= 0);
    struct sfo_transport t;
    assert_int_equal(f->port.connect(f->port.ctx, "127.0.0.1", port, in_ms(f, 2000), &t), SFO_OK);
    int cfd = accept(lfd, NULL, NULL);
    uint8_t b[8];
    int64_t t0 = f->port.mono_ms(f->port.ctx);
    assert_int_equal(t.recv(t.ctx, b, sizeof b, t0 + 200), SFO_E_TIMEOUT);
    int64_t el = f->port.mono_ms(f->port.ctx) - t0;
    assert_true(el >= 190 && el < 2000);
    /* a deadline already in the past */
    assert_int_equal(t.recv(t.ctx, b, sizeof b, t0 - 1), SFO_E_TIMEOUT);
    f->port.close(f->port.ctx);
    close(cfd);
    close(lfd);
}

/* A listener that never accepts, its queue filled: the handshake cannot
 * complete, so connect runs into its deadline. */
static void connect_timeout(void **state)
{
    struct fx *f = *state;
    uint16_t port;
    int lfd = listener("127.0.0.1", 0, &port);
    int fill[8];
    size_t nf = 0;
    assert_true(lfd >= 0);
    for (nf = 0; nf < 8; nf++) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        fill[nf] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fill[nf], (struct sockaddr *)&a, sizeof a);
    }
    usleep(100000);
    struct sfo_transport t;
    int64_t t0 = f->port.mono_ms(f->port.ctx);
    int rc = f->port.connect(f->port.ctx, "127.0.0.1", port, t0 + 300, &t);
    int64_t el = f->port.mono_ms(f->port.ctx) - t0;
    if (rc == SFO_OK) {
        /* this kernel completes handshakes beyond the backlog: time out on recv instead */
        fprintf(stderr, "NOTE: connect completed despite a full backlog; recv timeout checked\n");
        uint8_t b[4];
        assert_int_equal(t.recv(t.ctx, b, sizeof b, f->port.mono_ms(f->port.ctx) + 100),
                         SFO_E_TIMEOUT);
        f->port.close(f->port.ctx);
    } else {
        assert_int_equal(rc, SFO_E_TIMEOUT);
        assert_true(el >= 290 && el < 3000);
    }
    for (size_t i = 0; i < nf; i++) close(fill[i]);
    close(lfd);
}

static void reset_by_peer(void **state)
{
    struct fx *f = *state;
    uint16_t port;
    int lfd = listener("127.0.0.1", 4, &port);
    assert_true(lfd >= 0);
    struct sfo_transport t;
    assert_int_equal(f->port.connect(f->port.ctx, "127.0.0.1", port, in_ms(f, 2000), &t), SFO_OK);
    int cfd = accept(lfd, NULL, NULL);
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(cfd);
    uint8_t b[8];
    assert_int_equal(t.recv(t.ctx, b, sizeof b, in_ms(f, 2000)), SFO_E_RESET);
    f->port.close(f->port.ctx);
    close(lfd);
}

static void bad_arguments(void **state)
{
    struct fx *f = *state;
    struct sfo_transport t;
    assert_int_equal(f->port.connect(f->port.ctx, "", 80, in_ms(f, 100), &t), SFO_E_ARG);
    assert_int_equal(f->port.connect(f->port.ctx, "127.0.0.1", 0, in_ms(f, 100), &t), SFO_E_ARG);
    assert_int_equal(f->port.tls_start(f->port.ctx, "localhost", in_ms(f, 100), &t),
                     SFO_E_STATE_MACHINE);
}

/* DNS failure: resolved inside a new, empty network namespace (root only). */
static void dns_failure(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (unshare(CLONE_NEWNET) != 0) _exit(77);
        struct sfo_posix_port pp;
        struct sfo_port port;
        struct sfo_posix_config cfg = { .ca_source = SFO_CA_SALESFORCE };
        struct sfo_transport t;
        if (sfo_posix_port_init(&pp, &cfg, &port) != SFO_OK) _exit(2);
        int rc =
            port.connect(port.ctx, "sfoauth-test.invalid", 443, port.mono_ms(port.ctx) + 5000, &t);
        sfo_posix_port_deinit(&pp);
        if (rc != SFO_E_DNS) fprintf(stderr, "dns: got %s\n", sfo_errname(rc));
        _exit(rc == SFO_E_DNS ? 0 : 1);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    if (WEXITSTATUS(st) == 77) {
        fprintf(stderr, "NOTE: unshare(CLONE_NEWNET) not permitted; DNS failure case skipped\n");
        skip();
    }
    assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(connect_ipv4, setup, teardown),
        cmocka_unit_test_setup_teardown(connect_localhost, setup, teardown),
        cmocka_unit_test_setup_teardown(connect_ipv6, setup, teardown),
        cmocka_unit_test_setup_teardown(refused, setup, teardown),
        cmocka_unit_test_setup_teardown(recv_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(connect_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(reset_by_peer, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
        cmocka_unit_test(dns_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
