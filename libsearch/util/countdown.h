/* SPDX-License-Identifier: MIT */
/*
 * countdown.h - the test hooks' failure countdown (util/alloc.h ls_alloc_fail_after, util/
 * fileio.h ls_fileio_fail_after), taken atomically: index threads allocate and write too.
 */
#ifndef LS_UTIL_COUNTDOWN_H
#define LS_UTIL_COUNTDOWN_H

#include <stdatomic.h>

/** @return nonzero when this call is one to fail: the countdown is 0. A positive countdown is
 *  decremented; a negative one means off. */
static inline int ls_countdown_hit(atomic_long *c)
{
    long v = atomic_load_explicit(c, memory_order_relaxed);
    for (;;) {
        if (v < 0)
            return 0;
        if (v == 0)
            return 1;
        if (atomic_compare_exchange_weak_explicit(c, &v, v - 1, memory_order_relaxed,
                                                  memory_order_relaxed))
            return 0;
    }
}

#endif
