/*
 * HTTP client over an in-memory mock port: exact request bytes, form bodies
 * streamed through a 512-byte window, keep-alive reuse, stale connection
 * retry, send/recv errors, deadlines on a fake clock, log redaction.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sfo_http.h"

/* ---- mock port ------------------------------------------------------------------------ */
#define MAXR 4
struct script {             /* one connection */
    const char *resp[MAXR]; /* response served after the k-th request; NULL: EOF */
    int send_err;           /* returned by the first send, if non-zero */
    int recv_err;           /* returned by recv instead of data, if non-zero */
    size_t drip;            /* bytes per recv (0: as many as fit) */
    int again;              /* this many SFO_E_AGAIN before each data recv */
};

struct mock {
    int64_t now, tick; /* clock, advanced by tick at every recv */
    struct script sc[4];
    int nsc, connects, closes, tls;
    int cur, req, againleft;
    bool open, sent_since_recv;
    size_t pos, max_send;
    char sent[4][16384];
    size_t sent_n[4];
    char log[16384];
    size_t log_n;
    uint16_t last_port;
    char last_host[64];
};

static int64_t m_mono(void *ctx)
{
    return ((struct mock *)ctx)->now;
}

static int m_send(void *ctx, const uint8_t *b, size_t n, int64_t dl)
{
    struct mock *m = ctx;
    struct script *s = &m->sc[m->cur];
    assert_true(dl > m->now);
    if (s->send_err) return s->send_err;
    if (n > m->max_send) m->max_send = n;
    assert_true(m->sent_n[m->cur] + n < sizeof m->sent[0]);
    memcpy(m->sent[m->cur] + m->sent_n[m->cur], b, n);
    m->sent_n[m->cur] += n;
    m->sent_since_recv = true;
    return (int)n;
}

static int m_recv(void *ctx, uint8_t *b, size_t n, int64_t dl)
{
    struct mock *m = ctx;
    struct script *s = &m->sc[m->cur];
    assert_true(dl > m->now);
    m->now += m->tick;
    if (m->sent_since_recv) {
        m->req++;
        m->pos = 0;
        m->sent_since_recv = false;
        m->againleft = s->again;
    }
    if (s->recv_err) return s->recv_err;
    if (m->againleft > 0) {
        m->againleft--;
        return SFO_E_AGAIN;
    }
    m->againleft = s->again;
    const char *r = m->req >= 1 && m->req <= MAXR ? s->resp[m->req - 1] : NULL;
    if (r == NULL) return 0;
    size_t left = strlen(r) - m->pos;
    if (left == 0) return 0;
    if (n > left) n = left;
    if (s->drip && n > s->drip) n = s->drip;
    memcpy(b, r + m->pos, n);
    m->pos += n;
    return (int)n;
}

static int m_connect(void *ctx, const char *host, uint16_t port, int64_t dl,
                     struct sfo_transport *out)
{
    struct mock *m = ctx;
    assert_false(m->open);
    assert_true(dl > m->now);
    if (m->connects >= m->nsc) return SFO_E_CONNREFUSED;
    m->cur = m->connects++;
    m->req = 0;
    m->open = true;
    m->sent_since_recv = false;
    m->last_port = port;
    snprintf(m->last_host, sizeof m->last_host, "%s", host);
    out->ctx = m;
    out->send = m_send;
    out->recv = m_recv;
    return 0;
}

static int m_tls(void *ctx, const char *name, int64_t dl, struct sfo_transport *io)
{
    struct mock *m = ctx;
    (void)name;
    (void)dl;
    (void)io;
    m->tls++;
    return 0;
}

static void m_close(void *ctx)
{
    struct mock *m = ctx;
    m->open = false;
    m->closes++;
}

static void m_log(void *ctx, int level, const char *msg, const char *d, size_t n)
{
    struct mock *m = ctx;
    assert_int_equal(level, SFO_LOG_DEBUG);
    m->log_n += (size_t)snprintf(m->log + m->log_n, sizeof m->log - m->log_n, "%s|%.*s\n", msg,
                                 (int)n, d ? d : "");
}

struct fixture {
    struct mock m;
    struct sfo_port port;
    struct sfo_http_client c;
    uint8_t win[SFO_HTTP_WINDOW_MIN];
    char host[SFO_HTTP_HOST_MAX];
    struct sfo_http_response r;
    char body[8192];
    size_t body_n;
};

static int sink(void *ctx, const uint8_t *d, size_t n)
{
    struct fixture *f = ctx;
    assert_true(f->body_n + n < sizeof f->body);
    memcpy(f->body + f->body_n, d, n);
    f->body_n += n;
    return 0;
}

static struct fixture *fx_new(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->port.ctx = &f->m;
    f->port.mono_ms = m_mono;
    f->port.connect = m_connect;
    f->port.tls_start = m_tls;
    f->port.close = m_close;
    f->port.log = m_log;
    f->port.log_ctx = &f->m;
    f->port.log_level = SFO_LOG_DEBUG;
    f->m.now = 1000;
    f->c.port = &f->port;
    f->c.win = f->win;
    f->c.win_len = sizeof f->win;
    f->c.host_buf = f->host;
    f->c.host_cap = sizeof f->host;
    return f;
}

static int fx_get(struct fixture *f, const char *target)
{
    struct sfo_http_request rq = {
        .method = "GET", .host = "127.0.0.1", .port = 8080, .target = target
    };
    f->body_n = 0;
    return sfo_http_request(&f->c, &rq, &f->r, sink, f);
}

static const char *OK_KA = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

/* ---- tests ---------------------------------------------------------------------------- */

static void get_request_bytes(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->m.nsc = 1;
    f->m.sc[0].resp[0] = OK_KA;
    struct sfo_http_request rq = { .method = "GET",
                                   .https = true,
                                   .host = "login.example.com",
                                   .target = "/services/oauth2/userinfo?x=1",
                                   .authorization = "Bearer 00Dsecret!token" };
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, sink, f), 0);
    assert_string_equal(f->m.sent[0], "GET /services/oauth2/userinfo?x=1 HTTP/1.1\r\n"
                                      "Host: login.example.com\r\n"
                                      "User-Agent: sfoauth/" SFO_VERSION "\r\n"
                                      "Accept: application/json\r\n"
                                      "Authorization: Bearer 00Dsecret!token\r\n"
                                      "Connection: keep-alive\r\n\r\n");
    assert_int_equal(f->m.tls, 1);
    assert_int_equal(f->m.last_port, 443);
    assert_string_equal(f->m.last_host, "login.example.com");
    assert_int_equal(f->r.status, 200);
    assert_int_equal(f->body_n, 5);
    assert_true(f->c.open);
    /* log: request line, headers, Authorization redacted, status */
    assert_non_null(strstr(f->m.log, "GET|/services/oauth2/userinfo?x=1\n"));
    assert_non_null(strstr(f->m.log, "Authorization|[redacted]\n"));
    assert_null(strstr(f->m.log, "secret"));
    assert_non_null(strstr(f->m.log, "http <|HTTP/1.1 200\n"));
    for (size_t i = 0; i < sizeof f->win; i++) assert_int_equal(f->win[i], 0);
    sfo_http_close(&f->c);
    assert_false(f->c.open);
    free(f);
}

static void host_header_forms(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->m.nsc = 3;
    for (int i = 0; i < 3; i++)
        f->m.sc[i].resp[0] = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
    struct sfo_http_request rq = {
        .method = "GET", .host = "::1", .port = 8443, .https = true, .target = "/"
    };
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, NULL, NULL), 0);
    assert_non_null(strstr(f->m.sent[0], "\r\nHost: [::1]:8443\r\n"));
    assert_false(f->c.open); /* Connection: close */
    rq = (struct sfo_http_request){
        .method = "HEAD", .host = "example.com", .port = 80, .target = "/x"
    };
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, NULL, NULL), 0);
    assert_non_null(strstr(f->m.sent[1], "HEAD /x HTTP/1.1\r\nHost: example.com\r\n"));
    assert_int_equal(f->m.tls, 1);
    /* raw body */
    rq = (struct sfo_http_request){ .method = "POST",
                                    .host = "h",
                                    .port = 81,
                                    .target = "/p",
                                    .content_type = "application/json",
                                    .body = (const uint8_t *)"{\"a\":1}",
                                    .body_len = 7 };
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, NULL, NULL), 0);
    assert_string_equal(
        f->m.sent[2],
        "POST /p HTTP/1.1\r\nHost: h:81\r\nUser-Agent: sfoauth/" SFO_VERSION "\r\n"
        "Accept: application/json\r\nContent-Type: application/json\r\nContent-Length: 7\r\n"
        "Connection: keep-alive\r\n\r\n{\"a\":1}");
    /* bad descriptions */
    rq.target = "no-slash";
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, NULL, NULL), SFO_E_HTTP_REQUEST);
    rq.target = "/a b";
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, NULL, NULL), SFO_E_HTTP_REQUEST);
    rq.target = "/";
    rq.authorization = "Bearer x\r\nX-Injected: 1";
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, NULL, NULL), SFO_E_HTTP_REQUEST);
    f->c.win_len = 511;
    rq.authorization = NULL;
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, NULL, NULL), SFO_E_HTTP_REQUEST);
    assert_int_equal(sfo_http_request(NULL, &rq, &f->r, NULL, NULL), SFO_E_ARG);
    free(f);
}

/* Reference form encoding. */
static size_t enc(const char *s, size_t n, char *o)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            c == '*' || c == '-' || c == '.' || c == '_')
            o[k++] = (char)c;
        else if (c == ' ')
            o[k++] = '+';
        else
            k += (size_t)sprintf(o + k, "%%%02X", c);
    }
    return k;
}

static void form_streamed_through_512(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->m.nsc = 1;
    f->m.sc[0].resp[0] = OK_KA;
    static char assertion[1500], secret[700];
    for (size_t i = 0; i < sizeof assertion; i++) assertion[i] = "abcXYZ09-_.+/= &%"[i % 17];
    for (size_t i = 0; i < sizeof secret; i++) secret[i] = (char)(i * 7 + 1);
    struct sfo_http_field form[] = {
        { "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", 43 },
        { "assertion", assertion, sizeof assertion },
        { "client_secret", secret, sizeof secret },
    };
    struct sfo_http_request rq = { .method = "POST",
                                   .host = "127.0.0.1",
                                   .port = 80,
                                   .target = "/services/oauth2/token",
                                   .form = form,
                                   .form_n = 3 };
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, sink, f), 0);
    static char want[8192];
    size_t k = 0;
    for (int i = 0; i < 3; i++) {
        if (i) want[k++] = '&';
        k += enc(form[i].name, strlen(form[i].name), want + k);
        want[k++] = '=';
        k += enc(form[i].value, form[i].value_len, want + k);
    }
    char *sent = f->m.sent[0];
    char *body = strstr(sent, "\r\n\r\n");
    assert_non_null(body);
    body += 4;
    assert_int_equal(f->m.sent_n[0] - (size_t)(body - sent), k);
    assert_memory_equal(body, want, k);
    char cl[64];
    snprintf(cl, sizeof cl, "\r\nContent-Length: %zu\r\n", k);
    assert_non_null(strstr(sent, cl));
    assert_non_null(strstr(sent, "\r\nContent-Type: application/x-www-form-urlencoded\r\n"));
    assert_true(f->m.max_send <= 512);
    for (size_t i = 0; i < sizeof f->win; i++) assert_int_equal(f->win[i], 0);
    /* values never logged */
    assert_null(strstr(f->m.log, "abcXYZ"));
    assert_null(strstr(f->m.log, "jwt-bearer"));
    free(f);
}

static void keep_alive_reuse(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->m.nsc = 2;
    f->m.sc[0].resp[0] = OK_KA;
    f->m.sc[0].resp[1] =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    f->m.sc[0].resp[2] = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nzz";
    f->m.sc[1].resp[0] = OK_KA;
    assert_int_equal(fx_get(f, "/1"), 0);
    assert_false(f->c.reused);
    assert_int_equal(fx_get(f, "/2"), 0);
    assert_true(f->c.reused);
    assert_int_equal(f->body_n, 3);
    assert_int_equal(fx_get(f, "/3"), 0);
    assert_true(f->c.reused);
    assert_false(f->c.open); /* server said close */
    assert_int_equal(f->m.connects, 1);
    assert_int_equal(fx_get(f, "/4"), 0);
    assert_int_equal(f->m.connects, 2);
    /* another origin: the kept connection is closed first */
    struct sfo_http_request rq = {
        .method = "GET", .host = "127.0.0.2", .port = 8080, .target = "/"
    };
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, NULL, NULL), SFO_E_CONNREFUSED);
    assert_int_equal(f->m.closes, 2);
    free(f);
}

static void stale_connection_retried_once(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->m.nsc = 3;
    f->m.sc[0].resp[0] = OK_KA;
    f->m.sc[0].resp[1] = NULL; /* server dropped the idle connection */
    f->m.sc[1].resp[0] = OK_KA;
    f->m.sc[1].resp[1] = NULL; /* and again */
    f->m.sc[2].resp[0] = NULL; /* fresh connection closes at once */
    assert_int_equal(fx_get(f, "/a"), 0);
    assert_int_equal(fx_get(f, "/b"), 0);
    assert_int_equal(f->m.connects, 2);
    assert_false(f->c.reused);
    assert_int_equal(f->body_n, 5);
    /* stale again, and the fresh one fails too: the error comes back, no third try */
    assert_int_equal(fx_get(f, "/c"), SFO_E_CLOSED);
    assert_int_equal(f->m.connects, 3);
    assert_false(f->c.open);
    free(f);
}

static void stale_send_error_retried(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->m.nsc = 2;
    f->m.sc[0].resp[0] = OK_KA;
    f->m.sc[1].resp[0] = OK_KA;
    assert_int_equal(fx_get(f, "/a"), 0);
    f->m.sc[0].send_err = SFO_E_RESET;
    assert_int_equal(fx_get(f, "/b"), 0);
    assert_int_equal(f->m.connects, 2);
    free(f);
}

static void send_recv_errors(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->m.nsc = 4;
    f->m.sc[0].send_err = SFO_E_RESET;
    f->m.sc[1].recv_err = SFO_E_IO;
    f->m.sc[2].resp[0] = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc";
    f->m.sc[3].resp[0] = "garbage";
    assert_int_equal(fx_get(f, "/"), SFO_E_RESET); /* fresh connection: no retry */
    assert_false(f->c.open);
    assert_int_equal(fx_get(f, "/"), SFO_E_IO);
    assert_int_equal(fx_get(f, "/"), SFO_E_HTTP_TRUNCATED);
    assert_int_equal(fx_get(f, "/"), SFO_E_HTTP_STATUS_LINE);
    assert_int_equal(f->m.connects, 4);
    assert_int_equal(fx_get(f, "/"), SFO_E_CONNREFUSED);
    assert_false(f->c.open);
    free(f);
}

static void deadline_fake_clock(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->m.nsc = 3;
    /* slow drip: one byte a second, body would take 60 s; deadline 5 s */
    f->m.sc[0].resp[0] =
        "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n0123456789012345678901234567890123456789";
    f->m.sc[0].drip = 1;
    f->m.tick = 1000;
    f->c.timeout_ms = 5000;
    int64_t t0 = f->m.now;
    assert_int_equal(fx_get(f, "/"), SFO_E_TIMEOUT);
    assert_true(f->m.now - t0 <= 6000);
    /* a port that never has data (SFO_E_AGAIN forever) */
    f->m.sc[1].again = 1000000;
    f->m.sc[1].resp[0] = OK_KA;
    f->m.tick = 7;
    t0 = f->m.now;
    assert_int_equal(fx_get(f, "/"), SFO_E_TIMEOUT);
    assert_true(f->m.now - t0 <= 5007);
    /* a few AGAINs are fine */
    f->m.sc[2].again = 3;
    f->m.sc[2].drip = 4;
    f->m.sc[2].resp[0] = OK_KA;
    f->m.tick = 1;
    assert_int_equal(fx_get(f, "/"), 0);
    assert_int_equal(f->body_n, 5);
    free(f);
}

static void proxy_connect(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->m.nsc = 2;
    f->m.sc[0].resp[0] = "HTTP/1.0 200 Connection established\r\nProxy-agent: x\r\n\r\n";
    f->m.sc[0].resp[1] = OK_KA;
    f->m.sc[1].resp[0] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\n\r\nno!";
    f->c.proxy_host = "127.0.0.1";
    f->c.proxy_port = 3128;
    f->c.proxy_auth = "Basic dXNlcjpwYXNz";
    struct sfo_http_request rq = {
        .method = "GET", .https = true, .host = "login.example.com", .target = "/x"
    };
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, sink, f), 0);
    assert_int_equal(f->m.last_port, 3128);
    assert_string_equal(f->m.last_host, "127.0.0.1");
    assert_int_equal(f->m.tls, 1);
    assert_memory_equal(f->m.sent[0],
                        "CONNECT login.example.com:443 HTTP/1.1\r\nHost: login.example.com:443\r\n"
                        "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\nGET /x HTTP/1.1\r\n",
                        122);
    assert_null(strstr(f->m.log, "dXNlcjpwYXNz"));
    assert_int_equal(f->r.status, 200);
    sfo_http_close(&f->c);
    assert_int_equal(sfo_http_request(&f->c, &rq, &f->r, sink, f), SFO_E_PROXY);
    assert_int_equal(f->c.proxy_status, 403);
    assert_false(f->c.open);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_request_bytes),
        cmocka_unit_test(host_header_forms),
        cmocka_unit_test(form_streamed_through_512),
        cmocka_unit_test(keep_alive_reuse),
        cmocka_unit_test(stale_connection_retried_once),
        cmocka_unit_test(stale_send_error_retried),
        cmocka_unit_test(send_recv_errors),
        cmocka_unit_test(deadline_fake_clock),
        cmocka_unit_test(proxy_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
