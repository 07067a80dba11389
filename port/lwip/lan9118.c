/*
 * SMSC LAN9118 / LAN9220 polled lwIP netif driver: see lan9118.h.
 *
 * Implementation notes. Registers are 32-bit, at fixed offsets from base.
 * Received frames: RX_FIFO_INF counts the status words waiting; each status
 * word gives the frame length including the 4-byte FCS, and the data FIFO
 * then holds ceil(length / 4) words, little-endian, FCS last. Transmitted
 * frames: two command words (A: buffer length, first/last segment; B: tag
 * and frame length) then ceil(length / 4) data words; one whole frame is
 * written as one buffer. The MAC and PHY registers are reached indirectly
 * through MAC_CSR_CMD/DATA and the MAC's MII_ACC/MII_DATA.
 */
#include "lan9118.h"

#include <string.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

/* System control and status registers (byte offsets). */
#define RX_DATA_FIFO   0x00u
#define TX_DATA_FIFO   0x20u
#define RX_STATUS_FIFO 0x40u
#define TX_STATUS_FIFO 0x48u
#define ID_REV         0x50u
#define INT_EN         0x5cu
#define BYTE_TEST      0x64u
#define RX_CFG         0x6cu
#define TX_CFG         0x70u
#define HW_CFG         0x74u
#define RX_DP_CTRL     0x78u
#define RX_FIFO_INF    0x7cu
#define TX_FIFO_INF    0x80u
#define PMT_CTRL       0x84u
#define MAC_CSR_CMD    0xa4u
#define MAC_CSR_DATA   0xa8u

#define BYTE_TEST_VALUE 0x87654321u
#define HW_CFG_SRST     0x00000001u
#define PMT_CTRL_READY  0x00000001u
#define TX_CFG_TX_ON    0x00000002u
#define RX_DP_FFWD      0x80000000u
#define CSR_BUSY        0x80000000u
#define CSR_READ        0x40000000u
#define RXS_ERROR       0x00008000u /* error summary */
#define RXS_LEN(s)      (((s) >> 16) & 0x3fffu)
#define TXA_FIRST       0x00002000u
#define TXA_LAST        0x00001000u

/* MAC registers (indices through MAC_CSR_CMD). */
#define MAC_CR       1u
#define MAC_ADDRH    2u
#define MAC_ADDRL    3u
#define MAC_MII_ACC  6u
#define MAC_MII_DATA 7u
#define MAC_CR_FDPX  0x00100000u
#define MAC_CR_TXEN  0x00000008u
#define MAC_CR_RXEN  0x00000004u
#define MII_BUSY     0x00000001u
#define MII_WRITE    0x00000002u
#define PHY_ADDR     1u

/* PHY registers. */
#define PHY_BCR       0u
#define PHY_BSR       1u
#define PHY_BCR_RESET 0x8000u
#define PHY_BCR_ANEG  0x1000u
#define PHY_BCR_RANEG 0x0200u
#define PHY_BSR_LINK  0x0004u

/* Bounded busy-waits: register polls before giving up. */
#define SPIN_LIMIT      100000u
#define ETH_FRAME_MAX   1518u
#define LINK_POLL_EVERY 256u

static volatile uint32_t *reg(const struct sfo_lan9118 *d, uint32_t off)
{
    return (volatile uint32_t *)(d->base + off);
}

static uint32_t rd(const struct sfo_lan9118 *d, uint32_t off)
{
    return *reg(d, off);
}
static void wr(const struct sfo_lan9118 *d, uint32_t off, uint32_t v)
{
    *reg(d, off) = v;
}

/* Wait until (register & mask) == want; 0 on success, -1 after SPIN_LIMIT polls. */
static int spin(const struct sfo_lan9118 *d, uint32_t off, uint32_t mask, uint32_t want)
{
    for (uint32_t i = 0; i < SPIN_LIMIT; i++) {
        if ((rd(d, off) & mask) == want) return 0;
    }
    return -1;
}

/* MAC CSR read/write through MAC_CSR_CMD; a stuck controller reads as 0. */
static uint32_t mac_rd(const struct sfo_lan9118 *d, uint32_t idx)
{
    wr(d, MAC_CSR_CMD, CSR_BUSY | CSR_READ | idx);
    if (spin(d, MAC_CSR_CMD, CSR_BUSY, 0) != 0) return 0;
    return rd(d, MAC_CSR_DATA);
}

static void mac_wr(const struct sfo_lan9118 *d, uint32_t idx, uint32_t v)
{
    wr(d, MAC_CSR_DATA, v);
    wr(d, MAC_CSR_CMD, CSR_BUSY | idx);
    (void)spin(d, MAC_CSR_CMD, CSR_BUSY, 0);
}

/* PHY register access through the MAC's MII port. */
static uint32_t phy_rd(const struct sfo_lan9118 *d, uint32_t r)
{
    mac_wr(d, MAC_MII_ACC, (PHY_ADDR << 11) | (r << 6) | MII_BUSY);
    for (uint32_t i = 0; i < SPIN_LIMIT && (mac_rd(d, MAC_MII_ACC) & MII_BUSY); i++) {}
    return mac_rd(d, MAC_MII_DATA) & 0xffffu;
}

static void phy_wr(const struct sfo_lan9118 *d, uint32_t r, uint32_t v)
{
    mac_wr(d, MAC_MII_DATA, v);
    mac_wr(d, MAC_MII_ACC, (PHY_ADDR << 11) | (r << 6) | MII_WRITE | MII_BUSY);
    for (uint32_t i = 0; i < SPIN_LIMIT && (mac_rd(d, MAC_MII_ACC) & MII_BUSY); i++) {}
}

/* A usable station address: not all-zero, not multicast/broadcast. */
static int mac_valid(const uint8_t m[6])
{
    return (m[0] & 1u) == 0 && (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0;
}

/* Take the MAC from the controller (EEPROM-loaded) or program the given one. */
static int setup_mac(struct sfo_lan9118 *d)
{
    if (mac_valid(d->mac)) {
        mac_wr(d, MAC_ADDRL,
               (uint32_t)d->mac[0] | (uint32_t)d->mac[1] << 8 | (uint32_t)d->mac[2] << 16 |
                   (uint32_t)d->mac[3] << 24);
        mac_wr(d, MAC_ADDRH, (uint32_t)d->mac[4] | (uint32_t)d->mac[5] << 8);
        return 0;
    }
    uint32_t lo = mac_rd(d, MAC_ADDRL), hi = mac_rd(d, MAC_ADDRH);
    for (unsigned i = 0; i < 4; i++) d->mac[i] = (uint8_t)(lo >> (8u * i));
    d->mac[4] = (uint8_t)hi;
    d->mac[5] = (uint8_t)(hi >> 8);
    return mac_valid(d->mac) ? 0 : -1;
}

/* Soft reset, MAC address, PHY auto-negotiation, MAC TX/RX on. 0 or -1. */
static int hw_init(struct sfo_lan9118 *d)
{
    if (rd(d, BYTE_TEST) != BYTE_TEST_VALUE) return -1;
    wr(d, HW_CFG, HW_CFG_SRST);
    if (spin(d, HW_CFG, HW_CFG_SRST, 0) != 0) return -1;
    if (spin(d, PMT_CTRL, PMT_CTRL_READY, PMT_CTRL_READY) != 0) return -1;
    wr(d, INT_EN, 0); /* polled */
    if (setup_mac(d) != 0) return -1;
    phy_wr(d, PHY_BCR, PHY_BCR_RESET);
    for (uint32_t i = 0; i < SPIN_LIMIT && (phy_rd(d, PHY_BCR) & PHY_BCR_RESET); i++) {}
    phy_wr(d, PHY_BCR, PHY_BCR_ANEG | PHY_BCR_RANEG);
    wr(d, RX_CFG, 0); /* no data offset, no end padding */
    wr(d, TX_CFG, TX_CFG_TX_ON);
    mac_wr(d, MAC_CR, MAC_CR_FDPX | MAC_CR_TXEN | MAC_CR_RXEN);
    return 0;
}

/* Streams bytes of a pbuf chain to/from 32-bit FIFO words, little-endian. */
static void fifo_read_chain(const struct sfo_lan9118 *d, struct pbuf *p, uint32_t *words)
{
    uint32_t w = 0;
    unsigned have = 0;
    for (struct pbuf *q = p; q != NULL; q = q->next) {
        uint8_t *b = (uint8_t *)q->payload;
        for (u16_t i = 0; i < q->len; i++) {
            if (have == 0) {
                w = rd(d, RX_DATA_FIFO);
                (*words)++;
                have = 4;
            }
            b[i] = (uint8_t)w;
            w >>= 8;
            have--;
        }
    }
}

/* Reads and discards FIFO words until `got` of `nwords` have been read. */
static void skip_words(const struct sfo_lan9118 *d, uint32_t got, uint32_t nwords)
{
    for (; got < nwords; got++) (void)rd(d, RX_DATA_FIFO);
}

/* Reads one frame of len bytes (FCS excluded) into a new pbuf, or drops it. */
static void rx_frame(struct netif *netif, struct sfo_lan9118 *d, uint32_t status)
{
    uint32_t len = RXS_LEN(status), nwords = (len + 3u) / 4u, got = 0;
    struct pbuf *p = NULL;
    if ((status & RXS_ERROR) == 0 && len >= 18u && len <= ETH_FRAME_MAX + 4u) {
        p = pbuf_alloc(PBUF_RAW, (u16_t)(len - 4u), PBUF_POOL);
    }
    if (p == NULL) { /* bad frame, or the pool is empty: drop it */
        d->rx_dropped++;
        skip_words(d, 0, nwords);
        return;
    }
    fifo_read_chain(d, p, &got);
    skip_words(d, got, nwords); /* the FCS word(s) */
    if (netif->input(p, netif) != ERR_OK) {
        pbuf_free(p);
        d->rx_dropped++;
        return;
    }
    d->rx_frames++;
}

int sfo_lan9118_link(struct netif *netif)
{
    const struct sfo_lan9118 *d = (const struct sfo_lan9118 *)netif->state;
    return (phy_rd(d, PHY_BSR) & PHY_BSR_LINK) != 0;
}

int sfo_lan9118_poll(struct netif *netif)
{
    struct sfo_lan9118 *d = (struct sfo_lan9118 *)netif->state;
    int n = 0;
    /* the PHY is read through two indirections: look at the link every
     * LINK_POLL_EVERY passes only (and at every pass while it is down) */
    if (!netif_is_link_up(netif) || (d->polls++ % LINK_POLL_EVERY) == 0) {
        int up = sfo_lan9118_link(netif);
        if (up && !netif_is_link_up(netif)) netif_set_link_up(netif);
        if (!up && netif_is_link_up(netif)) netif_set_link_down(netif);
    }
    while (((rd(d, RX_FIFO_INF) >> 16) & 0xffu) != 0) {
        rx_frame(netif, d, rd(d, RX_STATUS_FIFO));
        n++;
    }
    while (((rd(d, TX_FIFO_INF) >> 16) & 0xffu) != 0) (void)rd(d, TX_STATUS_FIFO);
    return n;
}

/* linkoutput: one frame (the whole pbuf chain) as one TX buffer. */
static err_t lan9118_linkoutput(struct netif *netif, struct pbuf *p)
{
    struct sfo_lan9118 *d = (struct sfo_lan9118 *)netif->state;
    uint32_t len = p->tot_len, spins = 0;
    if (len > ETH_FRAME_MAX - 4u) {
        d->tx_dropped++;
        return ERR_IF;
    }
    while ((rd(d, TX_FIFO_INF) & 0xffffu) < len + 8u) { /* free bytes in the data FIFO */
        if (++spins == SPIN_LIMIT) {
            d->tx_dropped++;
            return ERR_MEM;
        }
    }
    wr(d, TX_DATA_FIFO, TXA_FIRST | TXA_LAST | len);
    wr(d, TX_DATA_FIFO, (len << 16) | len); /* tag = length */
    uint32_t w = 0;
    unsigned have = 0;
    for (struct pbuf *q = p; q != NULL; q = q->next) {
        const uint8_t *b = (const uint8_t *)q->payload;
        for (u16_t i = 0; i < q->len; i++) {
            w |= (uint32_t)b[i] << (8u * have);
            if (++have == 4) {
                wr(d, TX_DATA_FIFO, w);
                w = 0;
                have = 0;
            }
        }
    }
    if (have != 0) wr(d, TX_DATA_FIFO, w);
    while (((rd(d, TX_FIFO_INF) >> 16) & 0xffu) != 0) (void)rd(d, TX_STATUS_FIFO);
    d->tx_frames++;
    return ERR_OK;
}

err_t sfo_lan9118_netif_init(struct netif *netif)
{
    struct sfo_lan9118 *d = (struct sfo_lan9118 *)netif->state;
    if (d == NULL || hw_init(d) != 0) return ERR_IF;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, d->mac, ETH_HWADDR_LEN);
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    netif->output = etharp_output;
    netif->linkoutput = lan9118_linkoutput;
    return ERR_OK;
}
