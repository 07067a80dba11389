/* CMSDK APB UART, polled (board.h). */
#include "board.h"

#define UART_DATA     0x00u
#define UART_STATE    0x04u
#define UART_CTRL     0x08u
#define UART_BAUDDIV  0x10u
#define STATE_TX_FULL 0x1u
#define STATE_RX_FULL 0x2u
#define CTRL_TX_EN    0x1u
#define CTRL_RX_EN    0x2u

/* Enables TX and RX; the baud divisor matters only on hardware (>= 16). */
void mps2_uart_init(uintptr_t base)
{
    *mps2_reg(base, UART_BAUDDIV) = 16u;
    *mps2_reg(base, UART_CTRL) = CTRL_TX_EN | CTRL_RX_EN;
}

/* 1 when b was queued, 0 when the transmitter is full. */
int mps2_uart_try_put(uintptr_t base, uint8_t b)
{
    if ((*mps2_reg(base, UART_STATE) & STATE_TX_FULL) != 0u) return 0;
    *mps2_reg(base, UART_DATA) = b;
    return 1;
}

/* The waiting byte, or -1. */
int mps2_uart_try_get(uintptr_t base)
{
    if ((*mps2_reg(base, UART_STATE) & STATE_RX_FULL) == 0u) return -1;
    return (int)(*mps2_reg(base, UART_DATA) & 0xffu);
}
