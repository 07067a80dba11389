/*
 * SMSC LAN9118 / LAN9220 Ethernet controller as a polled lwIP netif (NO_SYS).
 *
 * The controller sits on a 32-bit memory bus (MPS2 AN385/AN386: base
 * 0x40200000, IRQ 13; this driver does not use the IRQ). Frames move through
 * the controller's TX/RX data FIFOs by programmed I/O; the driver keeps no
 * frame buffer of its own: received frames go straight into PBUF_POOL pbufs.
 *
 * Use:
 *   static struct sfo_lan9118 eth = { .base = 0x40200000u };
 *   netif_add(&nif, &ip, &mask, &gw, &eth, sfo_lan9118_netif_init, netif_input);
 *   netif_set_default(&nif); netif_set_up(&nif);
 *   for (;;) { sfo_lan9118_poll(&nif); sys_check_timeouts(); ... }
 */
#ifndef SFO_LAN9118_H
#define SFO_LAN9118_H

#include <stdint.h>
#include "lwip/netif.h"

struct sfo_lan9118 {
    uintptr_t base;      /* register base address (set by the caller) */
    uint8_t mac[6];      /* all zero: taken from the controller (EEPROM) */
    uint32_t rx_frames;  /* frames handed to lwIP */
    uint32_t rx_dropped; /* frames dropped (error status, no pbuf, input refused) */
    uint32_t tx_frames;
    uint32_t tx_dropped;
    uint32_t polls; /* poll passes (the link is checked every 256th) */
};

/*
 * netif init function for netif_add (netif->state is the struct sfo_lan9118):
 * checks the controller is there (BYTE_TEST), soft-resets it, reads the MAC
 * address the controller loaded from its EEPROM unless mac[] is set, resets
 * the PHY and starts auto-negotiation, enables the transmitter and receiver.
 * Returns ERR_OK, ERR_IF (no controller, reset timeout, no valid MAC).
 * The link is reported up by sfo_lan9118_poll once the PHY says so.
 */
err_t sfo_lan9118_netif_init(struct netif *netif);

/*
 * Move every frame waiting in the RX FIFO into lwIP (netif->input), and
 * track the PHY link state (netif_set_link_up/down). Call from the poll loop.
 * Returns the number of frames received.
 */
int sfo_lan9118_poll(struct netif *netif);

/* 1 when the PHY reports the link up. */
int sfo_lan9118_link(struct netif *netif);

#endif /* SFO_LAN9118_H */
