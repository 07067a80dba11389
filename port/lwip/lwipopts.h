/*
 * lwIP 2.1 configuration for sfoauth on a microcontroller: NO_SYS (no RTOS),
 * raw API driven by the port's poll loop, IPv4 + ARP + ICMP + UDP (DNS) + TCP,
 * sized for one TLS client connection at a time.
 *
 * What matters for sfoauth (README "sfoauth on lwIP"):
 *   - MEMP_NUM_TCP_PCB 3: the live connection plus two still closing (a peer
 *     that never sends its FIN holds one in FIN_WAIT_2 for 20 s; lwIP reuses
 *     TIME_WAIT pcbs itself when it needs one).
 *   - TCP_WND 4 * MSS and PBUF_POOL_SIZE 6: a full window of segments fits
 *     in the pool with room for ARP/DNS; a 16 KiB TLS record streams in as
 *     the TLS engine reads; out-of-order segments are not queued.
 *   - TCP_SND_BUF 2 * MSS, MEM_SIZE 6 KiB: outgoing data is copied into
 *     PBUF_RAM (tcp_write with TCP_WRITE_FLAG_COPY); a ClientHello or a
 *     request fits.
 *   - LWIP_DNS 1 with a 2-entry cache: the token host and the instance host.
 *   - TCP_MSL 2 s: TIME_WAIT lasts 4 s instead of 2 min, so the pools are back
 *     to their starting counts soon after the last close (the leak check).
 *   - MEMP_STATS/MEM_STATS on: lwip_stats tells a leaked pcb or pbuf.
 * Every value may be overridden with -D.
 */
#ifndef SFO_LWIPOPTS_H
#define SFO_LWIPOPTS_H

#define NO_SYS               1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET          0
#define LWIP_NETCONN         0
#define LWIP_NETIF_API       0

#define LWIP_IPV4     1
#define LWIP_IPV6     0
#define LWIP_ARP      1
#define LWIP_ETHERNET 1
#define LWIP_ICMP     1
#define LWIP_RAW      0
#define LWIP_UDP      1
#define LWIP_TCP      1
#define LWIP_IGMP     0
#ifndef LWIP_DHCP
#define LWIP_DHCP 0 /* static addressing; -DLWIP_DHCP=1 for DHCP */
#endif
#define LWIP_AUTOIP         0
#define LWIP_SINGLE_NETIF   1
#define LWIP_HAVE_LOOPIF    0
#define LWIP_NETIF_LOOPBACK 0
#define IP_REASSEMBLY       0 /* TCP never needs it (MSS fits the MTU) */
#define IP_FRAG             0

/* ---- memory ---- */
#define MEM_ALIGNMENT 4
#ifndef MEM_SIZE
#define MEM_SIZE (6 * 1024)
#endif
#define MEMP_NUM_PBUF           4 /* PBUF_ROM/REF: unused by TCP with COPY */
#define MEMP_NUM_UDP_PCB        2 /* DNS (+ DHCP) */
#define MEMP_NUM_TCP_PCB        3
#define MEMP_NUM_TCP_PCB_LISTEN 1
#define MEMP_NUM_TCP_SEG        12
#define MEMP_NUM_ARP_QUEUE      4
#define MEMP_NUM_SYS_TIMEOUT    (LWIP_NUM_SYS_TIMEOUT_INTERNAL)
#ifndef PBUF_POOL_SIZE
#define PBUF_POOL_SIZE 6
#endif
#define ARP_TABLE_SIZE 4
#define ARP_QUEUEING   1

/* ---- TCP ---- */
#define TCP_MSS 1460
#ifndef TCP_WND
#define TCP_WND (4 * TCP_MSS)
#endif
#define TCP_SND_BUF        (2 * TCP_MSS)
#define TCP_SND_QUEUELEN   ((4 * (TCP_SND_BUF) + (TCP_MSS - 1)) / (TCP_MSS))
#define TCP_QUEUE_OOSEQ    0
#define TCP_LISTEN_BACKLOG 0
#define LWIP_TCP_KEEPALIVE 0
#ifndef TCP_MSL
#define TCP_MSL 2000UL
#endif
#define LWIP_TCP_TIMESTAMPS 0
#define LWIP_WND_SCALE      0
#define LWIP_CALLBACK_API   1

/* ---- DNS ---- */
#define LWIP_DNS            1
#define DNS_TABLE_SIZE      2
#define DNS_MAX_NAME_LENGTH 128
#define DNS_MAX_SERVERS     2
#define LWIP_DNS_SECURE                                                   \
    (LWIP_DNS_SECURE_RAND_XID | LWIP_DNS_SECURE_NO_MULTIPLE_OUTSTANDING | \
     LWIP_DNS_SECURE_RAND_SRC_PORT)

/* ---- netif ---- */
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK   0
#define LWIP_NETIF_HOSTNAME        0
#define ETH_PAD_SIZE               0

/* ---- checksums: the LAN9118 does none in the QEMU model; done in software ---- */
#define CHECKSUM_GEN_IP     1
#define CHECKSUM_GEN_UDP    1
#define CHECKSUM_GEN_TCP    1
#define CHECKSUM_GEN_ICMP   1
#define CHECKSUM_CHECK_IP   1
#define CHECKSUM_CHECK_UDP  1
#define CHECKSUM_CHECK_TCP  1
#define CHECKSUM_CHECK_ICMP 1

/* ---- statistics: memory pools only (the leak check) ---- */
#define LWIP_STATS         1
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS          1
#define MEMP_STATS         1
#define LINK_STATS         0
#define ETHARP_STATS       0
#define IP_STATS           0
#define IPFRAG_STATS       0
#define ICMP_STATS         0
#define UDP_STATS          0
#define TCP_STATS          0
#define SYS_STATS          0

/* ---- randomness: TCP ISNs, DNS ids and source ports come from the port's
 * entropy source (sfo_lwip_rand in port/lwip/sfo_lwip.c). ---- */
#include <stdint.h>
uint32_t sfo_lwip_rand(void);
#define LWIP_RAND() sfo_lwip_rand()

#endif /* SFO_LWIPOPTS_H */
