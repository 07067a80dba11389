/*
 * sfoauth transport over lwIP's raw API: see sfo_lwip.h.
 *
 * Implementation notes. The tcp_pcb's callbacks only record events in the
 * struct sfo_lwip (connected, received pbufs chained on rx, FIN, error);
 * the sfo_net functions run the poll loop and turn those records into
 * return codes. lwIP frees a pcb itself before calling the error callback,
 * so the callback forgets it. Received data is acknowledged to lwIP
 * (tcp_recved, which reopens the window) only once the caller has read it;
 * close frees unread pbufs, and lwIP then resets the connection instead of
 * closing it gracefully, as a socket does.
 */
#include "sfo_lwip.h"

#include <string.h>

#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"

/* The clock and entropy behind sys_now() and LWIP_RAND(): lwIP is a single
 * global instance in a NO_SYS build, so its hooks are too. */
static const struct sfo_platform *stack_plat;
static int rand_failed;

u32_t sys_now(void)
{
    return (u32_t)stack_plat->mono_ms(stack_plat->ctx);
}

uint32_t sfo_lwip_rand(void)
{
    uint8_t b[4];
    if (stack_plat->random(stack_plat->ctx, b, sizeof b) != SFO_OK) {
        rand_failed = 1; /* connect fails with SFO_E_IO from now on */
        return 0;
    }
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void sfo_lwip_stack_init(const struct sfo_platform *plat)
{
    stack_plat = plat;
    lwip_init();
}

void sfo_lwip_poll(struct sfo_lwip *l)
{
    if (l->driver_poll != NULL) (void)l->driver_poll(l->netif);
    sys_check_timeouts();
}

static int64_t now(const struct sfo_lwip *l)
{
    return l->plat->mono_ms(l->plat->ctx);
}

void sfo_lwip_sleep(struct sfo_lwip *l, uint32_t ms)
{
    int64_t end = now(l) + (int64_t)ms;
    do {
        sfo_lwip_poll(l);
    } while (now(l) < end);
}

/* ---- callbacks: record, never call back into the caller ---- */

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)pcb;
    struct sfo_lwip *l = (struct sfo_lwip *)arg;
    if (l != NULL && err == ERR_OK) l->connected = 1;
    return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)err;
    struct sfo_lwip *l = (struct sfo_lwip *)arg;
    if (l == NULL) { /* detached: drop what still arrives */
        if (p != NULL) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    if (p == NULL) {
        l->fin = 1;
    } else if (l->rx == NULL) {
        l->rx = p;
    } else {
        pbuf_cat(l->rx, p);
    }
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    struct sfo_lwip *l = (struct sfo_lwip *)arg;
    if (l == NULL) return;
    l->pcb = NULL; /* already freed by lwIP */
    if (err == ERR_RST) {
        l->err = l->connected ? SFO_E_RESET : SFO_E_CONNREFUSED;
    } else if (err == ERR_ABRT && !l->connected) {
        l->err = SFO_E_CONNECT; /* SYN retries exhausted */
    } else if (err == ERR_CLSD) {
        l->err = SFO_E_CLOSED;
    } else {
        l->err = SFO_E_IO;
    }
}

static void on_dns(const char *name, const ip_addr_t *addr, void *arg)
{
    (void)name;
    struct sfo_lwip *l = (struct sfo_lwip *)arg;
    if (!l->dns_pending) return; /* a lookup given up on earlier */
    l->dns_pending = 0;
    if (addr != NULL) {
        l->dns_addr = *addr;
        l->dns_ok = 1;
    }
}

/* ---- sfo_net ---- */

/* Forget the pcb (callbacks off) and drop unread data. */
static void detach(struct sfo_lwip *l)
{
    if (l->pcb != NULL) {
        tcp_arg(l->pcb, NULL);
        tcp_recv(l->pcb, NULL);
        tcp_err(l->pcb, NULL);
    }
    if (l->rx != NULL) {
        pbuf_free(l->rx);
        l->rx = NULL;
    }
}

static void lw_close(void *ctx)
{
    struct sfo_lwip *l = (struct sfo_lwip *)ctx;
    struct tcp_pcb *pcb = l->pcb;
    detach(l);
    if (pcb != NULL && (l->timed_out || tcp_close(pcb) != ERR_OK)) tcp_abort(pcb);
    l->pcb = NULL;
    l->timed_out = 0;
    l->connected = 0;
    l->fin = 0;
    l->err = 0;
    l->dns_pending = 0;
}

/* Resolve host (dotted IPv4 or DNS name) into *addr by deadline. */
static int resolve(struct sfo_lwip *l, const char *host, ip_addr_t *addr, int64_t deadline)
{
    if (ipaddr_aton(host, addr)) return SFO_OK;
    if (strchr(host, ':') != NULL) return SFO_E_CONNECT; /* IPv6 literal: IPv4-only build */
    l->dns_pending = 1;
    l->dns_ok = 0;
    err_t e = dns_gethostbyname(host, addr, on_dns, l);
    if (e == ERR_OK) {
        l->dns_pending = 0;
        return SFO_OK;
    }
    if (e != ERR_INPROGRESS) {
        l->dns_pending = 0;
        return SFO_E_DNS;
    }
    while (l->dns_pending) {
        if (now(l) >= deadline) {
            l->dns_pending = 0; /* on_dns ignores the late answer */
            return SFO_E_TIMEOUT;
        }
        sfo_lwip_poll(l);
    }
    if (!l->dns_ok) return SFO_E_DNS;
    *addr = l->dns_addr;
    return SFO_OK;
}

/* Open a TCP connection to addr:port, polling until deadline. While every pcb
 * is taken (earlier connections still closing), the loop keeps the stack
 * running so that one frees; none by the deadline is SFO_E_IO. */
static int tcp_open(struct sfo_lwip *l, const ip_addr_t *addr, uint16_t port, int64_t deadline)
{
    while ((l->pcb = tcp_new_ip_type(IPADDR_TYPE_V4)) == NULL) {
        if (now(l) >= deadline) return SFO_E_IO;
        sfo_lwip_poll(l);
    }
    tcp_arg(l->pcb, l);
    tcp_recv(l->pcb, on_recv);
    tcp_err(l->pcb, on_err);
    if (tcp_connect(l->pcb, addr, port, on_connected) != ERR_OK) {
        lw_close(l);
        return SFO_E_CONNECT;
    }
    for (;;) {
        sfo_lwip_poll(l);
        if (l->connected) return SFO_OK;
        if (l->err != 0) break;
        if (now(l) >= deadline) {
            if (l->pcb != NULL) {
                detach(l);
                tcp_abort(l->pcb);
                l->pcb = NULL;
            }
            l->err = SFO_E_TIMEOUT;
            break;
        }
    }
    int rc = l->err;
    lw_close(l);
    return rc;
}

/*
 * sfo_net connect: lwIP's resolver gives one IPv4 address per name, so
 * "every address in turn" is that one address (or the literal).
 */
static int lw_connect(void *ctx, const char *host, uint16_t port, int64_t deadline)
{
    struct sfo_lwip *l = (struct sfo_lwip *)ctx;
    ip_addr_t addr;
    if (host == NULL || port == 0) return SFO_E_ARG;
    lw_close(l);
    if (rand_failed) return SFO_E_IO;
    if (!netif_is_up(l->netif) || !netif_is_link_up(l->netif)) return SFO_E_CONNECT;
    int rc = resolve(l, host, &addr, deadline);
    if (rc != SFO_OK) return rc;
    rc = tcp_open(l, &addr, port, deadline);
    if (rc == SFO_OK && rand_failed) { /* the ISN came from a failed entropy source */
        lw_close(l);
        rc = SFO_E_IO;
    }
    return rc;
}

/* Status of a connection that cannot move data now: error, or again/timeout. */
static int stalled(struct sfo_lwip *l, int64_t deadline)
{
    if (l->err != 0) return l->err;
    if (l->pcb == NULL) return SFO_E_CLOSED;
    if (now(l) < deadline) return SFO_E_AGAIN;
    l->timed_out = 1; /* close resets it: a FIN handshake would only hold the pcb */
    return SFO_E_TIMEOUT;
}

static int lw_send(void *ctx, const uint8_t *buf, size_t len, int64_t deadline)
{
    struct sfo_lwip *l = (struct sfo_lwip *)ctx;
    sfo_lwip_poll(l);
    if (l->err != 0 || l->pcb == NULL) return stalled(l, deadline);
    size_t n = tcp_sndbuf(l->pcb);
    if (n > len) n = len;
    if (n > 0xffffu) n = 0xffffu;
    if (n == 0 || tcp_sndqueuelen(l->pcb) >= TCP_SND_QUEUELEN) return stalled(l, deadline);
    err_t e = tcp_write(l->pcb, buf, (u16_t)n, TCP_WRITE_FLAG_COPY);
    if (e == ERR_MEM) {
        (void)tcp_output(l->pcb);
        return stalled(l, deadline);
    }
    if (e != ERR_OK) return SFO_E_IO;
    (void)tcp_output(l->pcb);
    return (int)n;
}

static int lw_recv(void *ctx, uint8_t *buf, size_t len, int64_t deadline)
{
    struct sfo_lwip *l = (struct sfo_lwip *)ctx;
    sfo_lwip_poll(l);
    if (l->rx != NULL) {
        u16_t n = l->rx->tot_len;
        if (n > len) n = (u16_t)len;
        n = pbuf_copy_partial(l->rx, buf, n, 0);
        l->rx = pbuf_free_header(l->rx, n);
        if (l->pcb != NULL) tcp_recved(l->pcb, n);
        return (int)n;
    }
    if (l->fin) return 0;
    return stalled(l, deadline);
}

void sfo_lwip_net_init(struct sfo_lwip *l, struct netif *netif,
                       int (*driver_poll)(struct netif *netif), const struct sfo_platform *plat,
                       struct sfo_net *out)
{
    memset(l, 0, sizeof *l);
    l->netif = netif;
    l->driver_poll = driver_poll;
    l->plat = plat;
    out->ctx = l;
    out->connect = lw_connect;
    out->send = lw_send;
    out->recv = lw_recv;
    out->close = lw_close;
}
