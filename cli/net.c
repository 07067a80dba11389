/*
 * The CLI's wrapper around the POSIX port: remembers which host, port and
 * stage (resolving, connecting, TLS handshake) a network call reached, so that
 * an error names them; does not repeat a DNS lookup that failed nor sleep
 * before repeating it; keeps every sleep inside --max-time; keeps the leaf
 * certificate subject the port logs for the untrusted-certificate message.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"

static struct sfo_port g_inner;
static struct cli_net g_net;
static int64_t g_end_ms;   /* monotonic end of --max-time, 0 when unset */
static int64_t g_wait_end; /* a person is being waited for until then (countdown) */
static bool g_counted;     /* a countdown line is on the terminal */

/* Contract in cmd.h. */
void cli_net_countdown(int64_t end_ms)
{
    if (end_ms == 0 && g_counted) fputc('\n', stderr);
    g_counted = false;
    g_wait_end = end_ms != 0 && isatty(2) ? end_ms : 0;
}

/* Where the last connection got to. */
const struct cli_net *cli_net_state(void)
{
    return &g_net;
}

/* connect, remembering host, port and stage; a name that did not resolve fails at once. */
static int w_connect(void *ctx, const char *host, uint16_t port, int64_t deadline_ms,
                     struct sfo_transport *out)
{
    bool same = strncmp(g_net.host, host, sizeof g_net.host) == 0 && g_net.port == port;
    if (same && g_net.dns_failed) return SFO_E_DNS; /* a name that did not resolve stays so */
    cli_snprintf(g_net.host, sizeof g_net.host, "%s", host);
    g_net.port = port;
    g_net.stage = NET_CONNECT;
    g_net.subject[0] = '\0';
    int rc = g_inner.connect(ctx, host, port, deadline_ms, out);
    g_net.rc = rc;
    g_net.dns_failed = rc == SFO_E_DNS;
    if (rc == SFO_OK) g_net.stage = NET_REQUEST;
    return rc;
}

/* -v: the response's status line and headers, read as they pass (the library keeps
 * only the few it needs). One connection at a time: static state. */
static struct sfo_transport g_tls; /* the TLS stream being wrapped */
static bool g_in_head;             /* between a request and the blank line */
static bool g_head_shown;          /* this response's head was traced here */
static char g_line[1024];
static size_t g_line_len;

/* Trace one response head line (CR/LF removed); Set-Cookie values are hidden. */
static void head_line(void)
{
    g_line[g_line_len] = '\0';
    if (g_line_len > 0 && g_line[g_line_len - 1] == '\r') g_line[--g_line_len] = '\0';
    if (g_line_len == 0) {
        g_in_head = false;
        return;
    }
    if (strncasecmp(g_line, "Set-Cookie:", 11) == 0) {
        fputs("< Set-Cookie: [redacted]\n", stderr);
        return;
    }
    if (strncasecmp(g_line, "Location:", 9) == 0) {
        /* a redirect query may carry a code: shown without it */
        char *q = strchr(g_line, '?');
        if (q != NULL) {
            *q = '\0';
            g_line_len = (size_t)(q - g_line);
        }
    }
    char *r = cli_redact(g_line, g_line_len);
    fputs("< ", stderr);
    cli_put_safe(stderr, r ? r : "");
    fputc('\n', stderr);
    free(r);
}

/* recv over TLS; under -v the response head is traced as it passes. */
static int w_recv(void *ctx, uint8_t *buf, size_t len, int64_t deadline_ms)
{
    int rc = g_tls.recv(ctx, buf, len, deadline_ms);
    for (int i = 0; i < rc && g_in_head; i++) {
        g_head_shown = true;
        if (buf[i] == '\n') {
            head_line();
            g_line_len = 0;
        } else if (g_line_len < sizeof g_line - 1) {
            g_line[g_line_len++] = (char)buf[i];
        }
    }
    return rc;
}

/* send over TLS: a response head comes next. */
static int w_send(void *ctx, const uint8_t *buf, size_t len, int64_t deadline_ms)
{
    g_in_head = true; /* the answer to this request comes next */
    g_head_shown = false;
    g_line_len = 0;
    return g_tls.send(ctx, buf, len, deadline_ms);
}

/* tls_start, remembering the stage; under -v the TLS stream is wrapped. */
static int w_tls_start(void *ctx, const char *server_name, int64_t deadline_ms,
                       struct sfo_transport *io)
{
    g_net.stage = NET_TLS;
    int rc = g_inner.tls_start(ctx, server_name, deadline_ms, io);
    g_net.rc = rc;
    if (rc == SFO_OK) g_net.stage = NET_REQUEST;
    if (rc == SFO_OK && cli_verbose > 0) {
        g_tls = *io;
        g_in_head = false;
        io->send = w_send;
        io->recv = w_recv;
    }
    return rc;
}

/* sleep_ms within --max-time; none before repeating a failed DNS lookup. */
static void w_sleep_ms(void *ctx, uint32_t ms)
{
    if (g_net.dns_failed) return; /* the retry fails at once: no reason to wait */
    if (g_end_ms > 0) {
        int64_t left = g_end_ms - g_inner.mono_ms(ctx);
        if (left <= 0) return;
        if ((int64_t)ms > left) ms = (uint32_t)left;
    }
    g_inner.sleep_ms(ctx, ms);
    if (g_wait_end != 0) {
        int64_t left = g_wait_end - g_inner.mono_ms(ctx);
        cli_fprintf(stderr, "\rstill waiting: %lld s left ",
                    (long long)(left > 0 ? left / 1000 : 0));
        g_counted = true;
    }
}

/* Contract in cmd.h. */
void cli_net_log(void *ctx, int level, const char *msg, const char *detail, size_t n)
{
    if (strcmp(msg, "TLS peer certificate subject") == 0 && detail != NULL) {
        size_t k = n < sizeof g_net.subject - 1 ? n : sizeof g_net.subject - 1;
        memcpy(g_net.subject, detail, k);
        g_net.subject[k] = '\0';
    }
    /* a request starts: what follows from the library is its own trace again */
    if (strcmp(msg, "GET") == 0 || strcmp(msg, "POST") == 0 || strncmp(msg, "http >", 6) == 0)
        g_head_shown = false;
    /* the response head was traced from the stream: not the library's copy of it */
    if (g_head_shown && level == SFO_LOG_DEBUG &&
        (strncmp(msg, "http <", 6) == 0 || (detail != NULL && strchr(msg, ' ') == NULL)))
        return;
    if (cli_verbose > 0 && level <= SFO_LOG_DEBUG) cli_trace_log(ctx, level, msg, detail, n);
}

/* Contract in cmd.h. */
void cli_net_wrap(struct sfo_port *p, int64_t end_ms)
{
    g_inner = *p;
    g_end_ms = end_ms;
    p->connect = w_connect;
    p->tls_start = w_tls_start;
    p->sleep_ms = w_sleep_ms;
}

/* What failed, in words, for a network or TLS code. */
static const char *plain(int rc)
{
    switch (rc) {
    case SFO_E_DNS: return "the name did not resolve";
    case SFO_E_CONNREFUSED: return "connection refused";
    case SFO_E_CONNECT: return "no route to the host";
    case SFO_E_TIMEOUT: return "timed out";
    case SFO_E_RESET: return "connection reset by the server";
    case SFO_E_CLOSED: return "the server closed the connection";
    default: return NULL;
    }
}

/* Contract in cmd.h. */
int cli_net_where(int rc, char *buf, size_t cap)
{
    if (g_net.host[0] == '\0') return 0;
    const char *h = g_net.host;
    bool v6 = strchr(h, ':') != NULL;
    const char *w = plain(rc);
    switch (g_net.stage) {
    case NET_CONNECT:
        if (rc == SFO_E_DNS)
            return cli_snprintf(buf, cap, "resolving %s: %s", h, w ? w : sfo_strerror(rc));
        return cli_snprintf(buf, cap, "connecting to %s%s%s:%u: %s", v6 ? "[" : "", h,
                            v6 ? "]" : "", (unsigned)g_net.port, w ? w : sfo_strerror(rc));
    case NET_TLS:
        return cli_snprintf(buf, cap, "TLS handshake with %s%s%s:%u: %s", v6 ? "[" : "", h,
                            v6 ? "]" : "", (unsigned)g_net.port, w ? w : sfo_strerror(rc));
    default:
        return cli_snprintf(buf, cap, "exchanging with %s%s%s:%u: %s", v6 ? "[" : "", h,
                            v6 ? "]" : "", (unsigned)g_net.port, w ? w : sfo_strerror(rc));
    }
}
