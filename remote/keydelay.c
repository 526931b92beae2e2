/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keydelay.c - -vnc key-delay-ms=: spaces out the key events VNC clients
 * send (QEMU 6.2 manual: "keyboards are low-bandwidth devices", a guest
 * fed a burst of events can lose some).  Events wait in a FIFO; a
 * real-time timer hands the next one to the keyboard once the delay
 * since the previous one has passed.
 */
#include "emu/osdep.h"

#include "display/console.h"
#include "emu/loop/loop.h"
#include "remote/keydelay.h"

/* A client that floods keys must not grow hemu: past this many waiting
 * events the oldest goes out at once (order is kept, nothing is lost). */
#define KEYQ_MAX 4096

static struct {
    unsigned delay_ms;
    struct timer *timer;
    int64_t last_ns;            /* when the previous event went out */
    bool sent_any;
    unsigned head, count;
    uint16_t ev[KEYQ_MAX];      /* keycode << 1 | down */
} kq;

static void deliver(uint16_t e)
{
    console_key_event(e >> 1, e & 1);
    kq.last_ns = clock_ns(CLOCK_RT);
    kq.sent_any = true;
}

static void pop(void)
{
    uint16_t e = kq.ev[kq.head];
    kq.head = (kq.head + 1) % KEYQ_MAX;
    kq.count--;
    deliver(e);
}

static void arm(void)
{
    if (kq.count && !timer_pending(kq.timer)) {
        timer_mod(kq.timer, kq.last_ns + (int64_t)kq.delay_ms * 1000000);
    }
}

static void tick(void *opaque)
{
    if (kq.count) {
        pop();
    }
    arm();
}

void keydelay_set(unsigned ms)
{
    kq.delay_ms = ms;
}

void keydelay_key(unsigned keycode, bool down)
{
    uint16_t e = (uint16_t)((keycode & 0x7fff) << 1 | (down ? 1 : 0));
    int64_t now = clock_ns(CLOCK_RT);
    if (!kq.delay_ms ||
        (!kq.count && (!kq.sent_any ||
                       now - kq.last_ns >= (int64_t)kq.delay_ms * 1000000))) {
        deliver(e);
        return;
    }
    if (!kq.timer) {
        kq.timer = timer_new(CLOCK_RT, tick, NULL);
    }
    if (kq.count == KEYQ_MAX) {
        pop();
    }
    kq.ev[(kq.head + kq.count) % KEYQ_MAX] = e;
    kq.count++;
    arm();
}

unsigned keydelay_pending(void)
{
    return kq.count;
}
