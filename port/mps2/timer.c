/* Monotonic clock from a CMSDK APB timer (board.h). */
#include "board.h"

#define TIMER_CTRL 0x00u
#define TIMER_VALUE 0x04u
#define TIMER_RELOAD 0x08u
#define CTRL_ENABLE 0x1u

static volatile uint32_t *treg(uintptr_t base, uint32_t off)
{
    return (volatile uint32_t *)(base + off);
}

/* Starts the timer free-running from 0xffffffff, no interrupt. */
void mps2_clock_init(struct mps2_clock *c, uintptr_t base)
{
    *treg(base, TIMER_CTRL) = 0u;
    *treg(base, TIMER_RELOAD) = 0xffffffffu;
    *treg(base, TIMER_VALUE) = 0xffffffffu;
    *treg(base, TIMER_CTRL) = CTRL_ENABLE;
    c->last = *treg(base, TIMER_VALUE);
    c->ticks = 0u;
}

/* Adds the ticks elapsed since the previous read (the counter counts down and
 * wraps at 2^32, so one wrap between reads is accounted for). */
uint64_t mps2_clock_ticks(struct mps2_clock *c, uintptr_t base)
{
    uint32_t now = *treg(base, TIMER_VALUE);
    c->ticks += (uint32_t)(c->last - now);
    c->last = now;
    return c->ticks;
}
