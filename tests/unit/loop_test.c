/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loop_test.c - the main loop: timer order and re-arming, the virtual clock
 * stopping while the VM is stopped, bottom halves from other threads, fd
 * handlers and their removal during dispatch, fds watched from another
 * thread. */
#include "emu/osdep.h"
#include <pthread.h>

#include "emu/loop/loop.h"
#include "tests/unit/test.h"

static int order[8], norder;

static void record(void *opaque)
{
    if (norder < 8) {
        order[norder++] = (int)(intptr_t)opaque;
    }
}

static void setup(void)
{
    static bool done;
    if (!done) {
        loop_init();
        bql_lock();
        done = true;
    }
    norder = 0;
}

TEST(timers_fire_in_deadline_order)
{
    setup();
    struct timer *a = timer_new(CLOCK_RT, record, (void *)1);
    struct timer *b = timer_new(CLOCK_RT, record, (void *)2);
    struct timer *c = timer_new(CLOCK_RT, record, (void *)3);
    int64_t now = clock_ns(CLOCK_RT);
    timer_mod(c, now + 3000000);
    timer_mod(a, now + 1000000);
    timer_mod(b, now + 2000000);
    int64_t end = now + 1000000000;
    while (norder < 3 && clock_ns(CLOCK_RT) < end) {
        loop_wait(100000000);
    }
    EXPECT_EQ(norder, 3);
    EXPECT_EQ(order[0], 1);
    EXPECT_EQ(order[1], 2);
    EXPECT_EQ(order[2], 3);
    EXPECT(!timer_pending(a));
    timer_free(a);
    timer_free(b);
    timer_free(c);
}

TEST(timer_del_prevents_firing)
{
    setup();
    struct timer *a = timer_new(CLOCK_RT, record, (void *)7);
    timer_mod_in(a, 1000000);
    EXPECT(timer_pending(a));
    timer_del(a);
    EXPECT(!timer_pending(a));
    int64_t end = clock_ns(CLOCK_RT) + 20000000;
    while (clock_ns(CLOCK_RT) < end) {
        loop_wait(5000000);
    }
    EXPECT_EQ(norder, 0);
    timer_free(a);
}

static struct timer *rearm_timer;
static int rearm_count;

static void rearm(void *opaque)
{
    if (++rearm_count < 5) {
        timer_mod_in(rearm_timer, 1000000);
    }
}

TEST(timer_rearms_itself)
{
    setup();
    rearm_count = 0;
    rearm_timer = timer_new(CLOCK_RT, rearm, NULL);
    timer_mod_in(rearm_timer, 1000000);
    int64_t end = clock_ns(CLOCK_RT) + 1000000000;
    while (rearm_count < 5 && clock_ns(CLOCK_RT) < end) {
        loop_wait(100000000);
    }
    EXPECT_EQ(rearm_count, 5);
    EXPECT(!timer_pending(rearm_timer));
    timer_free(rearm_timer);
}

TEST(virtual_clock_stops_while_stopped)
{
    setup();
    clock_virt_set_running(false);
    int64_t v0 = clock_ns(CLOCK_VIRT);
    usleep(20000);
    EXPECT_EQ(clock_ns(CLOCK_VIRT), v0);

    /* A virtual timer does not fire while stopped. */
    struct timer *t = timer_new(CLOCK_VIRT, record, (void *)9);
    timer_mod(t, v0 + 1000000);
    loop_wait(20000000);
    EXPECT_EQ(norder, 0);

    clock_virt_set_running(true);
    usleep(20000);
    int64_t v1 = clock_ns(CLOCK_VIRT);
    EXPECT(v1 - v0 >= 15000000);
    EXPECT(v1 - v0 < 1000000000);
    int64_t end = clock_ns(CLOCK_RT) + 1000000000;
    while (norder == 0 && clock_ns(CLOCK_RT) < end) {
        loop_wait(100000000);
    }
    EXPECT_EQ(norder, 1);
    clock_virt_set_running(false);
    timer_free(t);
}

static void *schedule_from_thread(void *opaque)
{
    usleep(10000);
    bh_schedule(opaque);
    return NULL;
}

TEST(bottom_half_from_another_thread_wakes_loop)
{
    setup();
    struct bh *bh = bh_new(record, (void *)5);
    pthread_t th;
    pthread_create(&th, NULL, schedule_from_thread, bh);
    int64_t t0 = clock_ns(CLOCK_RT);
    /* No timers pending: only the bottom half can end this wait early. */
    while (norder == 0 && clock_ns(CLOCK_RT) - t0 < 2000000000) {
        loop_wait(-1);
    }
    pthread_join(th, NULL);
    EXPECT_EQ(norder, 1);
    EXPECT_EQ(order[0], 5);
    EXPECT(clock_ns(CLOCK_RT) - t0 < 1000000000);
    /* Scheduled once, runs once. */
    loop_wait(10000000);
    EXPECT_EQ(norder, 1);
    bh_free(bh);
}

static int pipe_fds[2];
static int reads;

static void on_pipe_read(void *opaque)
{
    char buf[16];
    if (read(pipe_fds[0], buf, sizeof(buf)) > 0) {
        reads++;
    }
    /* Removing ourselves during dispatch must be safe. */
    loop_set_fd(pipe_fds[0], NULL, NULL, NULL);
}

TEST(fd_handler_runs_and_can_remove_itself)
{
    setup();
    reads = 0;
    EXPECT_EQ(pipe(pipe_fds), 0);
    loop_set_fd(pipe_fds[0], on_pipe_read, NULL, NULL);
    EXPECT_EQ(write(pipe_fds[1], "x", 1), 1);
    loop_wait(1000000000);
    EXPECT_EQ(reads, 1);
    EXPECT_EQ(write(pipe_fds[1], "y", 1), 1);
    loop_wait(20000000);
    EXPECT_EQ(reads, 1);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

static void *watch_from_thread(void *opaque)
{
    usleep(10000);
    bql_lock();
    loop_set_fd(pipe_fds[0], on_pipe_read, NULL, NULL);
    bql_unlock();
    return NULL;
}

/* A vCPU that lets a back end read again (a NIC's RX ring refilled) sets
 * the fd from its own thread while the loop sleeps on the old set. */
TEST(fd_watched_from_another_thread_wakes_loop)
{
    setup();
    reads = 0;
    EXPECT_EQ(pipe(pipe_fds), 0);
    EXPECT_EQ(write(pipe_fds[1], "x", 1), 1);
    pthread_t th;
    pthread_create(&th, NULL, watch_from_thread, NULL);
    int64_t t0 = clock_ns(CLOCK_RT);
    while (reads == 0 && clock_ns(CLOCK_RT) - t0 < 3000000000) {
        loop_wait(3000000000);
    }
    pthread_join(th, NULL);
    EXPECT_EQ(reads, 1);
    /* Without the wake-up the poll runs to its 3 s limit. */
    EXPECT(clock_ns(CLOCK_RT) - t0 < 2000000000);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

TEST_MAIN()
