/*
 * Port conformance suite (see sfo_conformance.h). Portable C11, no
 * allocation, no stdio: output goes through the fixture's print callback.
 */
#include <string.h>

#include "sfo_conformance.h"

/* Deadlines the suite gives the port. */
#define CONF_CONNECT_MS 5000
#define CONF_TLS_MS     10000
#define CONF_IO_MS      5000
#define CONF_SHORT_MS   300
/* 2024-01-01T00:00:00Z: a wall clock before this is not set. */
#define CONF_WALL_MIN 1704067200

struct run {
    const struct sfo_conf_fixture *fx;
    struct sfo_conf_result r;
    const char *test; /* running test */
    int failed;       /* the running test failed */
    int skipped;
    char line[192];
    size_t n;
};

/* ------------------------------------------------------------------ output */
static void put(struct run *R, const char *s)
{
    while (*s != '\0' && R->n + 1 < sizeof R->line) {
        R->line[R->n++] = *s++;
    }
    R->line[R->n] = '\0';
}

static void put_int(struct run *R, long long v)
{
    char d[24];
    size_t i = 0;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    if (v < 0) {
        put(R, "-");
    }
    do {
        d[i++] = (char)('0' + (int)(u % 10u));
        u /= 10u;
    } while (u != 0 && i < sizeof d);
    while (i > 0) {
        char c[2] = { d[--i], '\0' };
        put(R, c);
    }
}

static void put_code(struct run *R, int rc)
{
    put(R, sfo_errname(rc));
    put(R, " (");
    put_int(R, rc);
    put(R, ")");
}

static void flush(struct run *R)
{
    R->fx->print(R->fx->ctx, R->line);
    R->n = 0;
    R->line[0] = '\0';
}

/* ------------------------------------------------------------ test control */
static void begin(struct run *R, const char *name)
{
    R->test = name;
    R->failed = 0;
    R->skipped = 0;
}

static void end(struct run *R)
{
    if (R->skipped) {
        R->r.skipped++;
        return; /* skip() printed the line */
    }
    if (R->failed) {
        R->r.failed++;
        return; /* fail() printed the line */
    }
    R->r.passed++;
    put(R, "PASS ");
    put(R, R->test);
    flush(R);
}

static void skip(struct run *R, const char *why)
{
    R->skipped = 1;
    put(R, "SKIP ");
    put(R, R->test);
    put(R, ": ");
    put(R, why);
    flush(R);
}

/* Record a failure (the first one of a test is printed; later ones too, so a
 * console shows everything that went wrong). */
static void fail(struct run *R, const char *what, int got, int want)
{
    R->failed = 1;
    put(R, "FAIL ");
    put(R, R->test);
    put(R, ": ");
    put(R, what);
    if (got != 0 || want != 0) {
        put(R, ": got ");
        put_code(R, got);
        put(R, ", want ");
        put_code(R, want);
    }
    flush(R);
}

/* rc == want, else a failure naming what. Returns 1 when equal. */
static int expect(struct run *R, const char *what, int rc, int want)
{
    if (rc != want) {
        fail(R, what, rc, want);
        return 0;
    }
    return 1;
}

static int check(struct run *R, const char *what, int ok)
{
    if (!ok) {
        fail(R, what, 0, 0);
    }
    return ok;
}

/* Open a port for the running test: 1 on success (a failure is recorded). */
static int open_port(struct run *R, struct sfo_port *p)
{
    memset(p, 0, sizeof *p);
    return expect(R, "port_open", R->fx->port_open(R->fx->ctx, p), SFO_OK);
}

static int64_t in_ms(const struct sfo_port *p, int64_t ms)
{
    return p->mono_ms(p->ctx) + ms;
}

/* ------------------------------------------------------------ clock, entropy */
static void t_clock(struct run *R)
{
    struct sfo_port p;
    int64_t first, prev, now;
    int i, mono_ok = 1;
    begin(R, "clock.monotonic_and_wall");
    if (open_port(R, &p)) {
        first = prev = p.mono_ms(p.ctx);
        for (i = 0; i < 1000; i++) {
            now = p.mono_ms(p.ctx);
            mono_ok &= now >= prev;
            prev = now;
        }
        p.sleep_ms(p.ctx, 20);
        now = p.mono_ms(p.ctx);
        check(R, "mono_ms went back", mono_ok && now >= prev);
        check(R, "mono_ms advanced more than 10 s over a 20 ms sleep", now - first < 10000);
        check(R, "wall_s before 2024: clock not set", p.wall_s(p.ctx) >= CONF_WALL_MIN);
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

static int all_equal(const uint8_t *b, size_t n, uint8_t v)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (b[i] != v) {
            return 0;
        }
    }
    return 1;
}

static void t_entropy(struct run *R)
{
    struct sfo_port p;
    uint8_t a[32], b[32];
    begin(R, "entropy.random");
    if (open_port(R, &p)) {
        memset(a, 0, sizeof a);
        memset(b, 0, sizeof b);
        expect(R, "random(32)", p.random(p.ctx, a, sizeof a), SFO_OK);
        expect(R, "random(32) again", p.random(p.ctx, b, sizeof b), SFO_OK);
        check(R, "random bytes all zero", !all_equal(a, sizeof a, 0));
        check(R, "two random draws equal", memcmp(a, b, sizeof a) != 0);
        expect(R, "random(0)", p.random(p.ctx, a, 0), SFO_OK);
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

/* ------------------------------------------------------------------ network */
static void t_net_refused(struct run *R)
{
    struct sfo_port p;
    struct sfo_transport io;
    begin(R, "net.connect_refused");
    if (R->fx->refused_host == NULL || R->fx->refused_port == 0) {
        skip(R, "fixture names no refusing address");
    } else if (open_port(R, &p)) {
        expect(R, "connect",
               p.connect(p.ctx, R->fx->refused_host, R->fx->refused_port,
                         in_ms(&p, CONF_CONNECT_MS), &io),
               SFO_E_CONNREFUSED);
        p.close(p.ctx);
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

static void t_net_dns(struct run *R)
{
    struct sfo_port p;
    struct sfo_transport io;
    begin(R, "net.connect_dns_failure");
    if (R->fx->dns_fail_host == NULL) {
        skip(R, "fixture names no unresolvable host");
    } else if (open_port(R, &p)) {
        expect(R, "connect",
               p.connect(p.ctx, R->fx->dns_fail_host, 443, in_ms(&p, CONF_CONNECT_MS), &io),
               SFO_E_DNS);
        p.close(p.ctx);
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

/* 1 when s is an IPv4 or IPv6 literal (digits, hex, dots, colons only, with a
 * dot or colon). */
static int is_ip_literal(const char *s)
{
    int sep = 0;
    for (; *s != '\0'; s++) {
        char c = *s;
        if (c == '.' || c == ':') {
            sep = 1;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return sep;
}

/*
 * Connect to the server of certificate `which` and start TLS with the DNS
 * name (by_ip 0), the host literal (by_ip 1) or `name` (by_ip 2). Returns the
 * tls_start code, or 1 when the server is missing (the test is skipped) or
 * connect failed (recorded). On SFO_OK the connection stays open in p/io.
 */
static int handshake(struct run *R, struct sfo_port *p, int which, int by_ip, const char *name,
                     struct sfo_transport *io)
{
    const char *host = NULL, *dns = NULL;
    uint16_t port = 0;
    int rc;
    if (R->fx->server(R->fx->ctx, which, &host, &port, &dns) != SFO_OK) {
        skip(R, "fixture has no server for this certificate");
        return 1;
    }
    if (by_ip == 1 && !is_ip_literal(host)) {
        skip(R, "server host is not an IP literal");
        return 1;
    }
    rc = p->connect(p->ctx, host, port, in_ms(p, CONF_CONNECT_MS), io);
    if (!expect(R, "connect to the test server", rc, SFO_OK)) {
        return 1;
    }
    rc = p->tls_start(p->ctx, by_ip == 1 ? host : (by_ip == 2 ? name : dns), in_ms(p, CONF_TLS_MS),
                      io);
    if (rc != SFO_OK) {
        p->close(p->ctx);
    }
    return rc;
}

/* Send all of s over io by the deadline: 1 on success (failure recorded). */
static int send_all(struct run *R, struct sfo_port *p, struct sfo_transport *io, const char *s)
{
    size_t len = strlen(s), done = 0;
    int64_t dl = in_ms(p, CONF_IO_MS);
    while (done < len) {
        int r = io->send(io->ctx, (const uint8_t *)s + done, len - done, dl);
        if (r == SFO_E_AGAIN && p->mono_ms(p->ctx) < dl) {
            continue;
        }
        if (r <= 0) {
            fail(R, "send", r, (int)(len - done));
            return 0;
        }
        done += (size_t)r;
    }
    return 1;
}

/* One recv, repeating SFO_E_AGAIN until the deadline. */
static int recv_one(struct sfo_port *p, struct sfo_transport *io, uint8_t *buf, size_t cap,
                    int64_t dl)
{
    for (;;) {
        int r = io->recv(io->ctx, buf, cap, dl);
        if (r != SFO_E_AGAIN || p->mono_ms(p->ctx) >= dl) {
            return r == SFO_E_AGAIN ? SFO_E_TIMEOUT : r;
        }
    }
}

/* Read one echoed line and compare it with want (with "\n"). */
static void recv_line(struct run *R, struct sfo_port *p, struct sfo_transport *io, const char *want)
{
    uint8_t buf[64];
    size_t got = 0, len = strlen(want);
    int64_t dl = in_ms(p, CONF_IO_MS);
    while (got < len) {
        int r = recv_one(p, io, buf + got, sizeof buf - got, dl);
        if (r <= 0) {
            fail(R, "recv of the echo", r, 1);
            return;
        }
        got += (size_t)r;
    }
    check(R, "echo differs", got == len && memcmp(buf, want, len) == 0);
}

static void t_tls_echo(struct run *R, int by_ip)
{
    struct sfo_port p;
    struct sfo_transport io;
    uint8_t b[8];
    begin(R, by_ip ? "tls.echo_by_ip_san" : "tls.echo_by_name");
    if (open_port(R, &p)) {
        int rc = handshake(R, &p, SFO_CONF_GOOD, by_ip, NULL, &io);
        if (rc != 1 && expect(R, "tls_start", rc, SFO_OK)) {
            if (send_all(R, &p, &io, "ping\n")) {
                recv_line(R, &p, &io, "ping\n");
            }
            if (send_all(R, &p, &io, "BYE\n")) {
                expect(R, "recv after close_notify",
                       recv_one(&p, &io, b, sizeof b, in_ms(&p, CONF_IO_MS)), 0);
            }
            p.close(p.ctx);
            p.close(p.ctx); /* a second close is harmless */
        }
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

static void t_tls_fin(struct run *R)
{
    struct sfo_port p;
    struct sfo_transport io;
    uint8_t b[8];
    begin(R, "tls.fin_without_close_notify");
    if (open_port(R, &p)) {
        int rc = handshake(R, &p, SFO_CONF_GOOD, 0, NULL, &io);
        if (rc != 1 && expect(R, "tls_start", rc, SFO_OK)) {
            if (send_all(R, &p, &io, "FIN\n")) {
                expect(R, "recv after a bare FIN",
                       recv_one(&p, &io, b, sizeof b, in_ms(&p, CONF_IO_MS)), SFO_E_TLS_CLOSED);
            }
            p.close(p.ctx);
        }
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

static void t_tls_timeout(struct run *R)
{
    struct sfo_port p;
    struct sfo_transport io;
    uint8_t b[8];
    begin(R, "tls.recv_deadline");
    if (open_port(R, &p)) {
        int rc = handshake(R, &p, SFO_CONF_GOOD, 0, NULL, &io);
        if (rc != 1 && expect(R, "tls_start", rc, SFO_OK)) {
            int64_t dl = in_ms(&p, CONF_SHORT_MS);
            expect(R, "recv with nothing sent", recv_one(&p, &io, b, sizeof b, dl), SFO_E_TIMEOUT);
            check(R, "recv returned before its deadline", p.mono_ms(p.ctx) >= dl);
            p.close(p.ctx);
        }
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

static void t_tls_state(struct run *R)
{
    struct sfo_port p;
    struct sfo_transport io;
    begin(R, "tls.start_without_connection");
    if (open_port(R, &p)) {
        expect(R, "tls_start before connect",
               p.tls_start(p.ctx, "localhost", in_ms(&p, CONF_SHORT_MS), &io), SFO_E_STATE_MACHINE);
        p.close(p.ctx); /* nothing open: harmless */
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

/* ------------------------------------------------------------- certificates */
struct cert_case {
    const char *name;
    int which;
    int by_ip;         /* 0 DNS name, 1 IP literal, 2 the name below */
    const char *other; /* by_ip 2 */
    int want;
};

static void t_cert(struct run *R, const struct cert_case *c)
{
    struct sfo_port p;
    struct sfo_transport io;
    begin(R, c->name);
    if (open_port(R, &p)) {
        int rc = handshake(R, &p, c->which, c->by_ip, c->other, &io);
        if (rc != 1) {
            expect(R, "tls_start", rc, c->want);
            p.close(p.ctx);
        }
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

static void t_certs(struct run *R)
{
    static const struct cert_case k_cases[] = {
        { "cert.good_chain", SFO_CONF_GOOD, 0, NULL, SFO_OK },
        { "cert.good_ip_san", SFO_CONF_GOOD, 1, NULL, SFO_OK },
        { "cert.unknown_ca", SFO_CONF_UNKNOWN_CA, 0, NULL, SFO_E_TLS_UNTRUSTED },
        { "cert.expired", SFO_CONF_EXPIRED, 0, NULL, SFO_E_TLS_EXPIRED },
        { "cert.hostname_mismatch", SFO_CONF_WRONG_HOST, 0, NULL, SFO_E_TLS_HOSTNAME },
        { "cert.other_name", SFO_CONF_GOOD, 2, "other.invalid", SFO_E_TLS_HOSTNAME },
        { "cert.ip_without_ip_san", SFO_CONF_NO_IP_SAN, 1, NULL, SFO_E_TLS_HOSTNAME },
    };
    size_t i;
    for (i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
        t_cert(R, &k_cases[i]);
    }
}

/* ------------------------------------------------------------------- crypto */
/* msg split at a third and two thirds, with an empty segment between. */
static size_t split3(const uint8_t *msg, size_t len, struct sfo_iov v[4])
{
    v[0].ptr = msg;
    v[0].len = len / 3;
    v[1].ptr = msg + len / 3;
    v[1].len = 0;
    v[2].ptr = msg + len / 3;
    v[2].len = len / 3;
    v[3].ptr = msg + 2 * (len / 3);
    v[3].len = len - 2 * (len / 3);
    return 4;
}

static void t_sha256(struct run *R)
{
    struct sfo_port p;
    size_t i;
    begin(R, "crypto.sha256_kat");
    if (R->fx->n_sha256 == 0) {
        skip(R, "fixture supplies no SHA-256 vectors");
    } else if (open_port(R, &p)) {
        for (i = 0; i < R->fx->n_sha256; i++) {
            const struct sfo_conf_kat_sha256 *k = &R->fx->sha256[i];
            struct sfo_iov v[4];
            uint8_t out[SFO_SHA256_LEN];
            v[0].ptr = k->msg;
            v[0].len = k->msg_len;
            if (expect(R, k->id, p.sha256(p.ctx, v, 1, out), SFO_OK)) {
                check(R, k->id, memcmp(out, k->want, SFO_SHA256_LEN) == 0);
            }
            if (expect(R, k->id, p.sha256(p.ctx, v, split3(k->msg, k->msg_len, v), out), SFO_OK)) {
                check(R, "segmented message", memcmp(out, k->want, SFO_SHA256_LEN) == 0);
            }
        }
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

static void t_hmac(struct run *R)
{
    struct sfo_port p;
    size_t i;
    begin(R, "crypto.hmac_sha256_kat");
    if (R->fx->n_hmac == 0) {
        skip(R, "fixture supplies no HMAC vectors");
    } else if (open_port(R, &p)) {
        for (i = 0; i < R->fx->n_hmac; i++) {
            const struct sfo_conf_kat_hmac *k = &R->fx->hmac[i];
            struct sfo_iov v[4];
            uint8_t out[SFO_SHA256_LEN];
            size_t n = split3(k->msg, k->msg_len, v);
            if (expect(R, k->id, p.hmac_sha256(p.ctx, k->key, k->key_len, v, n, out), SFO_OK)) {
                check(R, k->id,
                      k->want_len <= SFO_SHA256_LEN && memcmp(out, k->want, k->want_len) == 0);
            }
        }
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

/* One RSA vector: load, sign, compare; then the refusals around signing. */
static void rsa_one(struct run *R, struct sfo_port *p, const struct sfo_conf_kat_rsa *k)
{
    uint8_t digest[SFO_SHA256_LEN], sig[SFO_RSA_MAX_SIG];
    struct sfo_iov v = { k->msg, k->msg_len };
    size_t sig_len = 0;
    if (!expect(R, k->id, p->key_load(p->ctx, k->key, k->key_len), SFO_OK) ||
        !expect(R, k->id, p->sha256(p->ctx, &v, 1, digest), SFO_OK)) {
        return;
    }
    if (expect(R, k->id, p->rsa_sign(p->ctx, digest, sig, sizeof sig, &sig_len), SFO_OK)) {
        check(R, k->id, sig_len == k->sig_len && memcmp(sig, k->sig, sig_len) == 0);
    }
    expect(R, "rsa_sign into a short buffer",
           p->rsa_sign(p->ctx, digest, sig, k->sig_len - 1, &sig_len), SFO_E_TOO_LONG);
    p->key_clear(p->ctx);
    expect(R, "rsa_sign after key_clear", p->rsa_sign(p->ctx, digest, sig, sizeof sig, &sig_len),
           SFO_E_KEY);
}

static void t_rsa(struct run *R)
{
    struct sfo_port p;
    size_t i;
    begin(R, "crypto.rsa_sign_kat");
    if (R->fx->n_rsa == 0) {
        skip(R, "fixture supplies no RSA vectors");
    } else if (open_port(R, &p)) {
        for (i = 0; i < R->fx->n_rsa; i++) {
            rsa_one(R, &p, &R->fx->rsa[i]);
        }
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

static void t_bad_keys(struct run *R)
{
    static const char k_junk[] = "-----BEGIN PRIVATE KEY-----\nnot base64 !\n"
                                 "-----END PRIVATE KEY-----\n";
    struct sfo_port p;
    uint8_t digest[SFO_SHA256_LEN], sig[SFO_RSA_MAX_SIG];
    size_t i, sig_len = 0;
    begin(R, "keys.refused");
    if (open_port(R, &p)) {
        memset(digest, 0, sizeof digest);
        expect(R, "rsa_sign with no key", p.rsa_sign(p.ctx, digest, sig, sizeof sig, &sig_len),
               SFO_E_KEY);
        expect(R, "malformed PEM key",
               p.key_load(p.ctx, (const uint8_t *)k_junk, sizeof k_junk - 1), SFO_E_KEY);
        for (i = 0; i < R->fx->n_bad_keys; i++) {
            const struct sfo_conf_bad_key *k = &R->fx->bad_keys[i];
            expect(R, k->id, p.key_load(p.ctx, k->key, k->key_len), k->want);
        }
        R->fx->port_close(R->fx->ctx, &p);
    }
    end(R);
}

/* --------------------------------------------------------------------- run */
unsigned sfo_conformance_run(const struct sfo_conf_fixture *fx, struct sfo_conf_result *res)
{
    struct run R;
    memset(&R, 0, sizeof R);
    R.fx = fx;
    t_clock(&R);
    t_entropy(&R);
    t_net_refused(&R);
    t_net_dns(&R);
    t_tls_state(&R);
    t_tls_echo(&R, 0);
    t_tls_echo(&R, 1);
    t_tls_fin(&R);
    t_tls_timeout(&R);
    t_certs(&R);
    t_sha256(&R);
    t_hmac(&R);
    t_rsa(&R);
    t_bad_keys(&R);
    put_int(&R, R.r.passed);
    put(&R, " passed, ");
    put_int(&R, R.r.failed);
    put(&R, " failed (");
    put_int(&R, R.r.skipped);
    put(&R, " skipped)");
    flush(&R);
    if (res != NULL) {
        *res = R.r;
    }
    return R.r.failed;
}
