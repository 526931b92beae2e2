/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop.h - the main loop: fd handlers, timers on two clocks, bottom halves,
 * and the big lock (DESIGN.md "threads").  One thread runs loop_wait() in a
 * loop; it holds the big lock except while it sleeps in poll().  Other
 * threads (vCPUs, workers) take the lock to touch device state and use
 * bh_schedule()/loop_notify() to hand work to the main loop.
 */
#ifndef HEMU_EMU_LOOP_LOOP_H
#define HEMU_EMU_LOOP_LOOP_H

#include "emu/osdep.h"
#include <pthread.h>

typedef void loop_fn(void *opaque);

enum clock_type {
    CLOCK_VIRT,     /* guest time: stops while the VM is not running */
    CLOCK_RT,       /* host monotonic time, always runs */
};

void loop_init(void);

/* Watch fd; NULL for both callbacks removes it.  Any thread holding the big
 * lock (the loop is woken to watch the new set). */
void loop_set_fd(int fd, loop_fn *on_read, loop_fn *on_write, void *opaque);

/* Timers (main-loop thread, or with the big lock held). */
struct timer;
struct timer *timer_new(enum clock_type clock, loop_fn *cb, void *opaque);
void timer_mod(struct timer *t, int64_t expire_ns);   /* absolute */
void timer_mod_in(struct timer *t, int64_t delta_ns); /* from now */
void timer_del(struct timer *t);
bool timer_pending(const struct timer *t);
void timer_free(struct timer *t);
int64_t clock_ns(enum clock_type clock);
/* The VM's run state drives the virtual clock. */
void clock_virt_set_running(bool running);

/* Bottom halves: run once in the main loop soon after scheduling.
 * bh_schedule() may be called from any thread. */
struct bh;
struct bh *bh_new(loop_fn *cb, void *opaque);
void bh_schedule(struct bh *bh);
void bh_cancel(struct bh *bh);
void bh_free(struct bh *bh);

/* One iteration: sleep until an fd, timer or bh is ready (at most
 * max_ns, -1 for no limit), then dispatch. */
void loop_wait(int64_t max_ns);
/* Wake the main loop from any thread (signal-safe). */
void loop_notify(void);

/* The big lock. */
void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);
/* Wait on a condition variable with the big lock as its mutex. */
void bql_cond_wait(pthread_cond_t *cond);

#endif
