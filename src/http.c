/*
 * HTTP/1.1 client: request writer streaming through the caller's window,
 * keep-alive reuse with one retry on a stale connection, HTTPS through an
 * HTTP CONNECT proxy, and one absolute deadline per request. See sfo_http.h.
 *
 * Firmware switches (-D): SFO_NO_PROXY leaves out the CONNECT path (a client
 * with proxy_host set gets SFO_E_ARG); SFO_NO_LOG leaves out every debug log
 * line (port->log is never called from here).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include "sfo_http.h"
#include "sfo_codec.h"

#define CONNECT_TIMEOUT_DEFAULT 10000
#define REQUEST_TIMEOUT_DEFAULT 30000

/* The request being written into the window; flushed to the transport when full. */
struct wr {
    struct sfo_http_client *c;
    int64_t dl;
    size_t n;
    int err;
};

#ifdef SFO_NO_LOG
#define dbg(c, msg, d, n)  ((void)(c), (void)(msg), (void)(d), (void)(n))
#define log_response(c, r) ((void)0)
#else
/* One debug log line (msg, n bytes of d) when the port logs at debug level. */
static void dbg(const struct sfo_http_client *c, const char *msg, const char *d, size_t n)
{
    const struct sfo_port *p = c->port;
    if (p->log != NULL && p->log_level >= SFO_LOG_DEBUG)
        p->log(p->log_ctx, SFO_LOG_DEBUG, msg, d, n);
}
#endif

/* SFO_E_TIMEOUT once the monotonic clock has reached dl, else SFO_OK. */
static int dl_check(const struct sfo_http_client *c, int64_t dl)
{
    return c->port->mono_ms(c->port->ctx) >= dl ? SFO_E_TIMEOUT : SFO_OK;
}

/* Send n bytes at p before dl, retrying on SFO_E_AGAIN. Returns SFO_OK,
 * SFO_E_TIMEOUT, the transport's code, or SFO_E_IO for a send of 0 bytes. */
static int send_all(struct sfo_http_client *c, const uint8_t *p, size_t n, int64_t dl)
{
    while (n > 0) {
        int rc = dl_check(c, dl);
        if (rc == SFO_OK) rc = c->io.send(c->io.ctx, p, n, dl);
        if (rc == SFO_E_AGAIN) continue;
        if (rc <= 0) return rc < 0 ? rc : SFO_E_IO;
        p += rc;
        n -= (size_t)rc;
    }
    return SFO_OK;
}

/* Send what the window holds (unless an error already stuck in w->err). */
static void flush(struct wr *w)
{
    if (w->err == SFO_OK && w->n > 0) w->err = send_all(w->c, w->c->win, w->n, w->dl);
    w->n = 0;
}

/* Append n bytes to the request, flushing the window whenever it fills; a
 * send error sticks in w->err and the rest is dropped. */
static void put(struct wr *w, const void *src, size_t n)
{
    const uint8_t *s = src;
    while (n > 0 && w->err == SFO_OK) {
        size_t k = w->c->win_len - w->n;
        if (k == 0) {
            flush(w);
            continue;
        }
        if (k > n) k = n;
        memcpy(w->c->win + w->n, s, k);
        w->n += k;
        s += k;
        n -= k;
    }
}

/* put for a NUL-terminated s. */
static void puts_(struct wr *w, const char *s)
{
    put(w, s, strlen(s));
}

/* put the decimal digits of v. */
static void put_dec(struct wr *w, uint64_t v)
{
    char b[20];
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put(w, b + i, sizeof b - i);
}

/* "name: value\r\n", logged (value replaced when secret). */
static void header(struct wr *w, const char *name, const char *value, bool secret)
{
    puts_(w, name);
    puts_(w, ": ");
    puts_(w, value);
    puts_(w, "\r\n");
    if (secret) value = "[redacted]";
    dbg(w->c, name, value, strlen(value));
}

/* host[:port] with IPv6 brackets; the port only when not the scheme default. */
static void authority(struct wr *w, const char *host, uint16_t port, uint16_t dflt)
{
    bool v6 = false;
    for (const char *s = host; *s != '\0'; s++) v6 |= (*s == ':');
    if (v6) puts_(w, "[");
    puts_(w, host);
    if (v6) puts_(w, "]");
    if (port != dflt) {
        puts_(w, ":");
        put_dec(w, port);
    }
}

/* Form-encode n bytes into the request, 16 input bytes at a time. */
static void form_put(struct wr *w, const uint8_t *s, size_t n)
{
    char e[16 * 3 + 1];
    while (n > 0 && w->err == SFO_OK) {
        size_t k = n < 16 ? n : 16, m = 0;
        w->err = sfo_form_encode(s, k, e, sizeof e, &m);
        put(w, e, m);
        s += k;
        n -= k;
    }
    sfo_wipe(e, sizeof e);
}

/* No byte that could end or split a header line. */
static bool clean(const char *s, bool space_ok)
{
    if (s == NULL) return true;
    for (; *s != '\0'; s++)
        if ((uint8_t)*s < 0x20 || *s == 0x7f || (*s == ' ' && !space_ok)) return false;
    return true;
}

/* Are the NUL-terminated strings a and b equal? */
static bool streq(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && memcmp(a, b, n) == 0;
}

/* Can the client keep host for a kept connection? */
static bool host_fits(const struct sfo_http_client *c, const char *host)
{
    return c->host_buf != NULL && strlen(host) < c->host_cap;
}

/* Read one response into the parser until it completes. *got: response bytes
 * seen; *extra: bytes followed the response (never expected). */
static int read_response(struct sfo_http_client *c, struct sfo_http_parser *p, int64_t dl,
                         size_t *got, bool *extra)
{
    for (;;) {
        size_t used = 0, n;
        int rc = dl_check(c, dl);
        if (rc == SFO_OK) rc = c->io.recv(c->io.ctx, c->win, c->win_len, dl);
        if (rc == SFO_E_AGAIN) continue;
        if (rc < 0) return rc;
        if (rc == 0) return sfo_http_parser_eof(p);
        n = (size_t)rc;
        *got += n;
        rc = sfo_http_parser_feed(p, c->win, n, &used);
        if (rc != SFO_OK) return rc;
        if (sfo_http_parser_done(p)) {
            *extra = used < n;
            return SFO_OK;
        }
    }
}

#ifndef SFO_NO_LOG
/* Log the status line and the kept headers of r (Location without its query). */
static void log_response(const struct sfo_http_client *c, const struct sfo_http_response *r)
{
    static const char *const k_kept[SFO_HTTP_KEPT] = { "Content-Type", "Location",
                                                       "WWW-Authenticate" };
    char st[12] = "HTTP/1.x NNN";
    int s = r->status;
    st[7] = (char)('0' + r->minor);
    st[9] = (char)('0' + s / 100);
    st[10] = (char)('0' + s / 10 % 10);
    st[11] = (char)('0' + s % 10);
    dbg(c, "http <", st, sizeof st);
    for (unsigned i = 0; i < SFO_HTTP_KEPT; i++) {
        const char *v = r->hdr[i].buf;
        size_t n = 0;
        if (v == NULL || r->hdr[i].cap == 0) continue;
        /* a redirect query may carry a code: Location is logged without it */
        while (v[n] != '\0' && !(i == SFO_HTTP_LOCATION && v[n] == '?')) n++;
        if (n > 0) dbg(c, k_kept[i], v, n);
    }
}
#endif

/* Connect to the origin (through the CONNECT proxy for https when set). The
 * proxy's answer is read with the request's parser p into resp. */
static int open_conn(struct sfo_http_client *c, const struct sfo_http_request *req, uint16_t port,
                     int64_t dl, struct sfo_http_parser *p, struct sfo_http_response *r)
{
    const struct sfo_port *pt = c->port;
#ifdef SFO_NO_PROXY
    const bool proxy = false;
#else
    bool proxy = req->https && c->proxy_host != NULL;
#endif
    int32_t ct = c->connect_timeout_ms > 0 ? c->connect_timeout_ms : CONNECT_TIMEOUT_DEFAULT;
    int64_t cdl = pt->mono_ms(pt->ctx) + ct;
    int rc;

    if (cdl > dl) cdl = dl;
    rc = pt->connect(pt->ctx, proxy ? c->proxy_host : req->host, proxy ? c->proxy_port : port, cdl,
                     &c->io);
    if (rc != SFO_OK) return rc;
    c->open = true;
    if (c->host_buf != NULL && c->host_cap > 0) c->host_buf[0] = '\0';
    if (proxy) {
        struct wr w = { c, dl, 0, SFO_OK };
        size_t got = 0;
        bool extra = false;
        puts_(&w, "CONNECT ");
        authority(&w, req->host, port, 0);
        puts_(&w, " HTTP/1.1\r\nHost: ");
        authority(&w, req->host, port, 0);
        puts_(&w, "\r\n");
        dbg(c, "http > CONNECT", req->host, strlen(req->host));
        if (c->proxy_auth != NULL) header(&w, "Proxy-Authorization", c->proxy_auth, true);
        puts_(&w, "\r\n");
        flush(&w);
        sfo_wipe(c->win, c->win_len);
        if (w.err != SFO_OK) return w.err;
        /* a 2xx answer to CONNECT has no body: the tunnel starts right after it */
        sfo_http_parser_init(p, r, true, c->header_max, 1, NULL, NULL);
        rc = read_response(c, p, dl, &got, &extra);
        if (rc != SFO_OK) return rc;
        log_response(c, r);
        if (r->status < 200 || r->status > 299 || extra) { /* the server speaks after us */
            c->proxy_status = r->status;
            return SFO_E_PROXY;
        }
    }
    if (req->https) {
        if (pt->tls_start == NULL) return SFO_E_ARG;
        rc = pt->tls_start(pt->ctx, req->host, dl, &c->io);
        if (rc != SFO_OK) return rc;
    }
    if (host_fits(c, req->host)) memcpy(c->host_buf, req->host, strlen(req->host) + 1);
    c->open_https = req->https;
    c->open_port = port;
    return SFO_OK;
}

/* Write and send the request head and body (form pairs encoded on the way,
 * Content-Length counted first) before dl; the window is wiped after.
 * Returns SFO_OK or the send error. */
static int send_request(struct sfo_http_client *c, const struct sfo_http_request *req,
                        uint16_t port, int64_t dl)
{
    struct wr w = { c, dl, 0, SFO_OK };
    uint64_t blen = req->body_len;
    bool has_body = req->body != NULL || req->form != NULL || streq(req->method, "POST");
    const char *ct = req->content_type;
    size_t i;

    if (req->form != NULL) {
        blen = 0;
        for (i = 0; i < req->form_n; i++) {
            const struct sfo_http_field *f = &req->form[i];
            blen += (i ? 2u : 1u) +
                    sfo_form_encoded_len((const uint8_t *)f->name, strlen(f->name)) +
                    sfo_form_encoded_len((const uint8_t *)f->value, f->value_len);
        }
        if (ct == NULL) ct = "application/x-www-form-urlencoded";
    }
    puts_(&w, req->method);
    puts_(&w, " ");
    puts_(&w, req->target);
    puts_(&w, " HTTP/1.1\r\nHost: ");
    dbg(c, req->method, req->target, strlen(req->target));
    authority(&w, req->host, port, req->https ? 443 : 80);
    puts_(&w, "\r\n");
    header(&w, "User-Agent", "sfoauth/" SFO_VERSION, false);
    header(&w, "Accept", "application/json", false);
    if (req->authorization != NULL) header(&w, "Authorization", req->authorization, true);
    if (ct != NULL && has_body) header(&w, "Content-Type", ct, false);
    if (has_body) {
        puts_(&w, "Content-Length: ");
        put_dec(&w, blen);
        puts_(&w, "\r\n");
    }
    header(&w, "Connection", "keep-alive", false);
    puts_(&w, "\r\n");
    if (req->form != NULL) {
        for (i = 0; i < req->form_n; i++) {
            const struct sfo_http_field *f = &req->form[i];
            if (i) puts_(&w, "&");
            form_put(&w, (const uint8_t *)f->name, strlen(f->name));
            puts_(&w, "=");
            form_put(&w, (const uint8_t *)f->value, f->value_len);
        }
    } else if (req->body != NULL) {
        /* the head is sent first: a raw body goes straight from the caller's buffer */
        flush(&w);
        if (w.err == SFO_OK) w.err = send_all(c, req->body, req->body_len, dl);
    }
    flush(&w);
    sfo_wipe(c->win, c->win_len);
    return w.err;
}

void sfo_http_close(struct sfo_http_client *c)
{
    if (c != NULL && c->open) {
        c->port->close(c->port->ctx);
        c->open = false;
    }
}

/* The arguments of sfo_http_request checked: SFO_E_ARG for a missing port hook,
 * window or struct, SFO_E_HTTP_REQUEST for a request it must not send (a field
 * with CR/LF/CTL, a relative target, an over-long host, body and form both). */
static int request_check(const struct sfo_http_client *c, const struct sfo_http_request *req,
                         const struct sfo_http_response *resp)
{
    if (c == NULL || req == NULL || resp == NULL || c->port == NULL || c->win == NULL ||
        c->port->mono_ms == NULL || c->port->connect == NULL || c->port->close == NULL)
        return SFO_E_ARG;
    if (c->win_len < SFO_HTTP_WINDOW_MIN || req->method == NULL || req->host == NULL ||
        req->target == NULL || req->target[0] != '/' || req->host[0] == '\0' ||
        strlen(req->host) >= SFO_HTTP_HOST_MAX || !clean(req->method, false) ||
        !clean(req->host, false) || !clean(req->target, false) ||
        !clean(req->authorization, true) || !clean(req->content_type, true) ||
        !clean(c->proxy_auth, true) || (req->body != NULL && req->form != NULL))
        return SFO_E_HTTP_REQUEST;
#ifdef SFO_NO_PROXY
    if (c->proxy_host != NULL) return SFO_E_ARG;
#endif
    return SFO_OK;
}

int sfo_http_request(struct sfo_http_client *c, const struct sfo_http_request *req,
                     struct sfo_http_response *resp, sfo_http_sink sink, void *sink_ctx)
{
    const struct sfo_port *pt;
    struct sfo_http_parser p;
    int64_t dl;
    uint16_t port;
    int rc = request_check(c, req, resp);

    if (rc != SFO_OK) return rc;
    pt = c->port;
    port = req->port ? req->port : (req->https ? 443 : 80);
    dl = pt->mono_ms(pt->ctx) + (c->timeout_ms > 0 ? c->timeout_ms : REQUEST_TIMEOUT_DEFAULT);
    c->proxy_status = 0;
    if (c->open && !(c->open_https == req->https && c->open_port == port &&
                     host_fits(c, req->host) && streq(c->host_buf, req->host)))
        sfo_http_close(c);

    for (int attempt = 0; attempt < 2; attempt++) {
        size_t got = 0;
        bool extra = false;
        c->reused = c->open;
        if (!c->open) {
            rc = open_conn(c, req, port, dl, &p, resp);
            if (rc != SFO_OK) break;
        }
        sfo_http_parser_init(&p, resp, streq(req->method, "HEAD"), c->header_max, c->body_max, sink,
                             sink_ctx);
        rc = send_request(c, req, port, dl);
        if (rc == SFO_OK) rc = read_response(c, &p, dl, &got, &extra);
        if (extra) resp->keep_alive = false; /* not a server to keep talking to */
        /* a kept connection the server dropped meanwhile: once more on a fresh one */
        if (rc != SFO_OK && c->reused && got == 0 && rc != SFO_E_TIMEOUT) {
            sfo_http_close(c);
            continue;
        }
        break;
    }
    if (rc == SFO_OK) log_response(c, resp);
    if (rc != SFO_OK || !resp->keep_alive || !host_fits(c, req->host)) sfo_http_close(c);
    sfo_wipe(c->win, c->win_len);
    return rc;
}
