/*
 * sfoauth's plaintext TCP transport over lwIP's raw API (NO_SYS, polled): a
 * struct sfo_net (include/sfoauth_tls.h) for the portable TLS glue, so that
 * sfo_tls_port_init() turns it into a complete struct sfo_port.
 *
 * Nothing blocks inside lwIP: every call runs one pass of the poll loop
 * (driver receive + lwIP timers) and looks at what the callbacks recorded.
 * connect waits (polling) until connected, refused, failed or the deadline;
 * send and recv return SFO_E_AGAIN when they cannot make progress yet, so
 * the caller (TLS glue, HTTP client) decides how long to keep trying.
 *
 * lwIP itself is one global instance in a NO_SYS build: sfo_lwip_stack_init
 * runs lwip_init() and installs the clock and entropy lwIP uses (sys_now,
 * LWIP_RAND). Each struct sfo_lwip carries one connection; it is the caller's
 * (no allocation). All calls come from the one thread that runs lwIP.
 *
 * Errors (as sfo_net requires): SFO_E_DNS (name unknown, no DNS server,
 * resolver timeout), SFO_E_CONNREFUSED (peer answered the SYN with RST),
 * SFO_E_CONNECT (no route, SYN retries exhausted, IPv6 literal: this build is
 * IPv4 only), SFO_E_TIMEOUT (deadline passed), SFO_E_RESET (RST on an open
 * connection), SFO_E_CLOSED (no connection), SFO_E_IO (no pcb free by the
 * deadline, out of memory, entropy failure, lwIP gave up retransmitting).
 * close sends FIN (lwIP finishes the handshake and frees the pcb after
 * TIME_WAIT, or reuses it earlier), or a reset when data was left unread or a
 * send/recv timed out.
 */
#ifndef SFO_LWIP_H
#define SFO_LWIP_H

#include <stdint.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "sfoauth_tls.h"

struct sfo_lwip {
    /* configuration (set by sfo_lwip_net_init) */
    struct netif *netif;
    int (*driver_poll)(struct netif *netif); /* moves received frames into lwIP */
    const struct sfo_platform *plat;         /* mono_ms for deadlines */
    /* connection state: private */
    struct tcp_pcb *pcb;
    struct pbuf *rx; /* received, not yet read */
    int connected;
    int fin;       /* peer sent FIN */
    int timed_out; /* a call timed out: close resets the connection */
    int err;       /* SFO_E_* recorded by a callback */
    int dns_pending;
    int dns_ok;
    ip_addr_t dns_addr;
};

/*
 * Initialise lwIP (lwip_init) and bind sys_now() to plat->mono_ms and
 * LWIP_RAND() to plat->random. plat must outlive the stack. Call once, before
 * netif_add.
 */
void sfo_lwip_stack_init(const struct sfo_platform *plat);

/*
 * Prepare l for connections over netif (already added and up) and fill *out
 * with the sfo_net functions (out->ctx = l). driver_poll is the netif's
 * receive pump (e.g. sfo_lan9118_poll).
 */
void sfo_lwip_net_init(struct sfo_lwip *l, struct netif *netif,
                       int (*driver_poll)(struct netif *netif), const struct sfo_platform *plat,
                       struct sfo_net *out);

/* One pass of the poll loop: driver receive, then lwIP's timers. */
void sfo_lwip_poll(struct sfo_lwip *l);

/* Run the poll loop for about ms milliseconds (a sleep_ms that keeps the
 * stack alive: ARP, ACKs, retransmissions). */
void sfo_lwip_sleep(struct sfo_lwip *l, uint32_t ms);

#endif /* SFO_LWIP_H */
