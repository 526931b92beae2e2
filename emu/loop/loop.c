/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop.c - ppoll(2)-based main loop with fd handlers, timers on the
 * virtual and real-time clocks, bottom halves and the big lock.  The poll
 * timeout is the nearest timer deadline, to the nanosecond (a guest's
 * 100 us one-shot must not wait for a whole millisecond), so an idle VM
 * costs no host CPU.
 */
#include "emu/osdep.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>

#include "emu/loop/loop.h"
#include "emu/util/cutils.h"  /* xzalloc, clock_monotonic_ns */

/* ---------------------------------------------------------------------------
 * The big lock
 */

static pthread_mutex_t bql = PTHREAD_MUTEX_INITIALIZER;
static __thread bool bql_held;

void bql_lock(void)
{
    pthread_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    bql_held = false;
    pthread_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

void bql_cond_wait(pthread_cond_t *cond)
{
    bql_held = false;
    pthread_cond_wait(cond, &bql);
    bql_held = true;
}

/* ---------------------------------------------------------------------------
 * Clocks
 */

/* Virtual time = virt_base while stopped, virt_base + (now - virt_start)
 * while running. */
static int64_t virt_base, virt_start;
static bool virt_running;

int64_t clock_ns(enum clock_type clock)
{
    if (clock == CLOCK_RT) {
        return clock_monotonic_ns();
    }
    if (!virt_running) {
        return virt_base;
    }
    return virt_base + (clock_monotonic_ns() - virt_start);
}

void clock_virt_set_running(bool running)
{
    if (running == virt_running) {
        return;
    }
    if (running) {
        virt_start = clock_monotonic_ns();
    } else {
        virt_base += clock_monotonic_ns() - virt_start;
    }
    virt_running = running;
    loop_notify();
}

/* ---------------------------------------------------------------------------
 * Timers: one list per clock, sorted by expiry.
 */

struct timer {
    enum clock_type clock;
    loop_fn *cb;
    void *opaque;
    int64_t expire;
    bool pending;
    struct timer *next;
};

static struct timer *timers[2];

/* Set in the thread that runs loop_wait: it recomputes its deadline before
   every poll, so timers it arms need no wake-up. */
static __thread bool in_loop_thread;

struct timer *timer_new(enum clock_type clock, loop_fn *cb, void *opaque)
{
    struct timer *t = xzalloc(sizeof(*t));
    t->clock = clock;
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

void timer_del(struct timer *t)
{
    if (!t->pending) {
        return;
    }
    for (struct timer **pp = &timers[t->clock]; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->pending = false;
    t->next = NULL;
}

void timer_mod(struct timer *t, int64_t expire_ns)
{
    timer_del(t);
    t->expire = expire_ns;
    t->pending = true;
    struct timer **pp = &timers[t->clock];
    while (*pp && (*pp)->expire <= expire_ns) {
        pp = &(*pp)->next;
    }
    t->next = *pp;
    *pp = t;
    /* Only a new earliest deadline can be sooner than the one the loop
       sleeps on; waking it for every re-arm costs the vCPU threads an
       eventfd write and a big-lock hand-over each. */
    if (timers[t->clock] == t && !in_loop_thread) {
        loop_notify();
    }
}

void timer_mod_in(struct timer *t, int64_t delta_ns)
{
    timer_mod(t, clock_ns(t->clock) + delta_ns);
}

bool timer_pending(const struct timer *t)
{
    return t->pending;
}

void timer_free(struct timer *t)
{
    if (t) {
        timer_del(t);
        free(t);
    }
}

/* Nanoseconds until the first timer fires, -1 if none. */
static int64_t timers_deadline(void)
{
    int64_t best = -1;
    for (int c = 0; c < 2; c++) {
        if (!timers[c] || (c == CLOCK_VIRT && !virt_running)) {
            continue;
        }
        int64_t d = timers[c]->expire - clock_ns(c);
        if (d < 0) {
            d = 0;
        }
        if (best < 0 || d < best) {
            best = d;
        }
    }
    return best;
}

static void timers_run(void)
{
    for (int c = 0; c < 2; c++) {
        if (c == CLOCK_VIRT && !virt_running) {
            continue;
        }
        int64_t now = clock_ns(c);
        /* A callback may re-arm its own or other timers; take one at a time
         * from the head and stop at the first one in the future. */
        while (timers[c] && timers[c]->expire <= now) {
            struct timer *t = timers[c];
            timers[c] = t->next;
            t->next = NULL;
            t->pending = false;
            t->cb(t->opaque);
        }
    }
}

/* ---------------------------------------------------------------------------
 * Bottom halves
 */

struct bh {
    loop_fn *cb;
    void *opaque;
    bool scheduled;
    struct bh *next;
};

static pthread_mutex_t bh_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bh *bh_list;

struct bh *bh_new(loop_fn *cb, void *opaque)
{
    struct bh *bh = xzalloc(sizeof(*bh));
    bh->cb = cb;
    bh->opaque = opaque;
    pthread_mutex_lock(&bh_lock);
    bh->next = bh_list;
    bh_list = bh;
    pthread_mutex_unlock(&bh_lock);
    return bh;
}

void bh_schedule(struct bh *bh)
{
    __atomic_store_n(&bh->scheduled, true, __ATOMIC_RELEASE);
    loop_notify();
}

void bh_cancel(struct bh *bh)
{
    __atomic_store_n(&bh->scheduled, false, __ATOMIC_RELEASE);
}

void bh_free(struct bh *bh)
{
    pthread_mutex_lock(&bh_lock);
    for (struct bh **pp = &bh_list; *pp; pp = &(*pp)->next) {
        if (*pp == bh) {
            *pp = bh->next;
            break;
        }
    }
    pthread_mutex_unlock(&bh_lock);
    free(bh);
}

static bool bhs_pending(void)
{
    bool any = false;
    pthread_mutex_lock(&bh_lock);
    for (struct bh *bh = bh_list; bh; bh = bh->next) {
        any |= __atomic_load_n(&bh->scheduled, __ATOMIC_ACQUIRE);
    }
    pthread_mutex_unlock(&bh_lock);
    return any;
}

static void bhs_run(void)
{
    /* Callbacks may create or free bottom halves (including their own), so
     * restart the walk after each one; every pass clears one flag. */
    for (;;) {
        struct bh *ready = NULL;
        pthread_mutex_lock(&bh_lock);
        for (struct bh *bh = bh_list; bh; bh = bh->next) {
            if (__atomic_exchange_n(&bh->scheduled, false, __ATOMIC_ACQ_REL)) {
                ready = bh;
                break;
            }
        }
        pthread_mutex_unlock(&bh_lock);
        if (!ready) {
            return;
        }
        ready->cb(ready->opaque);
    }
}

/* ---------------------------------------------------------------------------
 * fd handlers and the poll loop
 */

struct fd_handler {
    int fd;
    loop_fn *on_read, *on_write;
    void *opaque;
    bool deleted;
};

static struct fd_handler *fds;
static int nfds, fds_cap;
static int notify_fd = -1;

void loop_set_fd(int fd, loop_fn *on_read, loop_fn *on_write, void *opaque)
{
    /* From another thread (a vCPU whose register write lets a back end
     * read again, say) the loop may be asleep on the old set: wake it. */
    if (!in_loop_thread) {
        loop_notify();
    }
    for (int i = 0; i < nfds; i++) {
        if (fds[i].fd == fd && !fds[i].deleted) {
            if (!on_read && !on_write) {
                fds[i].deleted = true;
            } else {
                fds[i].on_read = on_read;
                fds[i].on_write = on_write;
                fds[i].opaque = opaque;
            }
            return;
        }
    }
    if (!on_read && !on_write) {
        return;
    }
    if (nfds == fds_cap) {
        fds_cap = fds_cap ? fds_cap * 2 : 16;
        fds = xrealloc(fds, fds_cap * sizeof(*fds));
    }
    fds[nfds++] = (struct fd_handler){ fd, on_read, on_write, opaque, false };
}

static void fds_compact(void)
{
    int j = 0;
    for (int i = 0; i < nfds; i++) {
        if (!fds[i].deleted) {
            fds[j++] = fds[i];
        }
    }
    nfds = j;
}

static void notify_drain(void *opaque)
{
    (void)opaque;
    uint64_t v;
    while (read(notify_fd, &v, sizeof(v)) > 0) {
    }
}

void loop_init(void)
{
    if (notify_fd >= 0) {
        return;
    }
    notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (notify_fd < 0) {
        perror("hemu: eventfd");
        exit(1);
    }
    loop_set_fd(notify_fd, notify_drain, NULL, NULL);
}

void loop_notify(void)
{
    if (notify_fd >= 0) {
        uint64_t one = 1;
        ssize_t r = write(notify_fd, &one, sizeof(one));
        (void)r;
    }
}

void loop_wait(int64_t max_ns)
{
    static struct pollfd *pfds;
    static int pfds_cap;

    in_loop_thread = true;

    /* Work handed over before this poll (an OPENED event, say) runs before
     * the fd handlers the poll wakes, so that a peer's early input cannot
     * overtake it. */
    bhs_run();
    fds_compact();
    if (pfds_cap < nfds) {
        pfds_cap = nfds;
        pfds = xrealloc(pfds, pfds_cap * sizeof(*pfds));
    }
    int n = nfds;
    for (int i = 0; i < n; i++) {
        pfds[i].fd = fds[i].fd;
        pfds[i].events = (fds[i].on_read ? POLLIN : 0) |
                         (fds[i].on_write ? POLLOUT : 0);
        pfds[i].revents = 0;
    }

    int64_t timeout = timers_deadline();
    if (bhs_pending()) {
        timeout = 0;
    }
    if (max_ns >= 0 && (timeout < 0 || timeout > max_ns)) {
        timeout = max_ns;
    }
    /* Nanosecond resolution: a device timer due in 50 us (e1000's
     * interrupt throttling) must not wait for the next millisecond. */
    struct timespec ts = { timeout / 1000000000, timeout % 1000000000 };

    bql_unlock();
    int r = ppoll(pfds, n, timeout < 0 ? NULL : &ts, NULL);
    bql_lock();

    if (r > 0) {
        for (int i = 0; i < n; i++) {
            short re = pfds[i].revents;
            /* Entries may have been deleted or replaced by earlier
             * callbacks in this pass. */
            if (!re || fds[i].deleted || fds[i].fd != pfds[i].fd) {
                continue;
            }
            if ((re & (POLLIN | POLLHUP | POLLERR)) && fds[i].on_read) {
                fds[i].on_read(fds[i].opaque);
            }
            if (!fds[i].deleted && (re & (POLLOUT | POLLERR)) &&
                fds[i].on_write) {
                fds[i].on_write(fds[i].opaque);
            }
            if (re & POLLNVAL) {
                fds[i].deleted = true;
            }
        }
    }
    timers_run();
    bhs_run();
}
