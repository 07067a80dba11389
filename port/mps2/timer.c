/* Monotonic clock from a CMSDK APB timer (board.h). */
#include "board.h"

#define TIMER_CTRL   0x00u
#define TIMER_VALUE  0x04u
#define TIMER_RELOAD 0x08u
#define CTRL_ENABLE  0x1u

/* Starts the timer free-running from 0xffffffff, no interrupt. */
void mps2_clock_init(struct mps2_clock *c, uintptr_t base)
{
    *mps2_reg(base, TIMER_CTRL) = 0u;
    *mps2_reg(base, TIMER_RELOAD) = 0xffffffffu;
    *mps2_reg(base, TIMER_VALUE) = 0xffffffffu;
    *mps2_reg(base, TIMER_CTRL) = CTRL_ENABLE;
    c->last = *mps2_reg(base, TIMER_VALUE);
    c->ticks = 0u;
}

/* Adds the ticks elapsed since the previous read (the counter counts down and
 * wraps at 2^32, so one wrap between reads is accounted for). */
uint64_t mps2_clock_ticks(struct mps2_clock *c, uintptr_t base)
{
    uint32_t now = *mps2_reg(base, TIMER_VALUE);
    c->ticks += (uint32_t)(c->last - now);
    c->last = now;
    return c->ticks;
}
