/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spice-core.c - hemu's main loop as spice-server's core interface
 * (spice-server/spice-core.h, SPICE_INTERFACE_CORE 1.3): watches are the
 * loop's fd handlers, timers are real-time timers, and channel events go
 * to spice.c (QMP events).  spice-server calls these from the thread that
 * runs its main channels, hemu's main loop thread, which holds the big
 * lock while it dispatches; a channel event from any other thread is
 * queued and delivered there by a bottom half.
 */
#include "emu/osdep.h"

#include <pthread.h>

#include "emu/loop/loop.h"
#include "emu/util/cutils.h"
#include "remote/spice-int.h"

struct SpiceWatch {
    int fd;
    int mask;
    SpiceWatchFunc func;
    void *opaque;
};

struct SpiceTimer {
    struct timer *t;
    SpiceTimerFunc func;
    void *opaque;
};

static pthread_t main_thread;

/* ---- timers ---- */

static void timer_fire(void *opaque)
{
    SpiceTimer *st = opaque;
    st->func(st->opaque);
}

static SpiceTimer *core_timer_add(SpiceTimerFunc func, void *opaque)
{
    SpiceTimer *st = xzalloc(sizeof(*st));
    st->func = func;
    st->opaque = opaque;
    st->t = timer_new(CLOCK_RT, timer_fire, st);
    return st;
}

static void core_timer_start(SpiceTimer *st, uint32_t ms)
{
    timer_mod_in(st->t, (int64_t)ms * 1000000);
}

static void core_timer_cancel(SpiceTimer *st)
{
    timer_del(st->t);
}

static void core_timer_remove(SpiceTimer *st)
{
    timer_free(st->t);
    free(st);
}

/* ---- watches ---- */

static void watch_read(void *opaque)
{
    SpiceWatch *w = opaque;
    w->func(w->fd, SPICE_WATCH_EVENT_READ, w->opaque);
}

static void watch_write(void *opaque)
{
    SpiceWatch *w = opaque;
    w->func(w->fd, SPICE_WATCH_EVENT_WRITE, w->opaque);
}

static void watch_apply(SpiceWatch *w)
{
    loop_set_fd(w->fd, (w->mask & SPICE_WATCH_EVENT_READ) ? watch_read : NULL,
                (w->mask & SPICE_WATCH_EVENT_WRITE) ? watch_write : NULL, w);
}

static SpiceWatch *core_watch_add(int fd, int mask, SpiceWatchFunc func,
                                  void *opaque)
{
    SpiceWatch *w = xzalloc(sizeof(*w));
    w->fd = fd;
    w->mask = mask;
    w->func = func;
    w->opaque = opaque;
    watch_apply(w);
    return w;
}

static void core_watch_update_mask(SpiceWatch *w, int mask)
{
    w->mask = mask;
    watch_apply(w);
}

static void core_watch_remove(SpiceWatch *w)
{
    loop_set_fd(w->fd, NULL, NULL, NULL);
    free(w);
}

/* ---- channel events ---- */

struct queued_event {
    int event;
    SpiceChannelEventInfo info;
    struct queued_event *next;
};

static pthread_mutex_t evq_lock = PTHREAD_MUTEX_INITIALIZER;
static struct queued_event *evq_head, **evq_tail = &evq_head;
static struct bh *evq_bh;

static void evq_run(void *opaque)
{
    pthread_mutex_lock(&evq_lock);
    struct queued_event *q = evq_head;
    evq_head = NULL;
    evq_tail = &evq_head;
    pthread_mutex_unlock(&evq_lock);
    while (q) {
        struct queued_event *next = q->next;
        spice_channel_event(q->event, &q->info);
        free(q);
        q = next;
    }
}

static void core_channel_event(int event, SpiceChannelEventInfo *info)
{
    if (pthread_equal(pthread_self(), main_thread)) {
        spice_channel_event(event, info);
        return;
    }
    struct queued_event *q = xzalloc(sizeof(*q));
    q->event = event;
    q->info = *info;
    pthread_mutex_lock(&evq_lock);
    *evq_tail = q;
    evq_tail = &q->next;
    pthread_mutex_unlock(&evq_lock);
    bh_schedule(evq_bh);
}

static SpiceCoreInterface core = {
    .base = {
        .type = SPICE_INTERFACE_CORE,
        .description = "hemu main loop",
        .major_version = SPICE_INTERFACE_CORE_MAJOR,
        .minor_version = SPICE_INTERFACE_CORE_MINOR,
    },
    .timer_add = core_timer_add,
    .timer_start = core_timer_start,
    .timer_cancel = core_timer_cancel,
    .timer_remove = core_timer_remove,
    .watch_add = core_watch_add,
    .watch_update_mask = core_watch_update_mask,
    .watch_remove = core_watch_remove,
    .channel_event = core_channel_event,
};

SpiceCoreInterface *spice_core_interface(void)
{
    main_thread = pthread_self();
    if (!evq_bh) {
        evq_bh = bh_new(evq_run, NULL);
    }
    return &core;
}
