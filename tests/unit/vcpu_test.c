/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vcpu_test.c - vCPU threads with a scripted accelerator: port exits reach
 * the I/O space, HLT sleeps until an interrupt, pausing waits for every
 * vCPU to leave the accelerator, resuming continues, reset. */
#include "emu/osdep.h"
#include <pthread.h>

#include "emu/accel/vcpu.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"
#include "emu/vm/runstate.h"
#include "tests/unit/test.h"

/* The fake CPU: writes an increasing counter to port 0x80 until it has
 * written `limit` values, then executes HLT; an INTR raises the limit. */
struct fake {
    uint32_t counter, limit;
    int intr;
    volatile int in_run;
    int resets;
};

static enum vcpu_exit fake_run(struct vcpu *v)
{
    struct fake *f = v->priv;
    __atomic_add_fetch(&f->in_run, 1, __ATOMIC_SEQ_CST);
    usleep(100);
    __atomic_sub_fetch(&f->in_run, 1, __ATOMIC_SEQ_CST);
    if (f->counter >= f->limit) {
        return VCPU_EXIT_HLT;
    }
    v->io.port = 0x80;
    v->io.size = 4;
    v->io.write = true;
    v->io.data = ++f->counter;
    return VCPU_EXIT_IO;
}

static bool fake_has_work(struct vcpu *v)
{
    return ((struct fake *)v->priv)->intr;
}

static void fake_set_irq(struct vcpu *v, enum vcpu_irq line, int level)
{
    struct fake *f = v->priv;
    if (line == VCPU_IRQ_INTR) {
        f->intr = level;
        if (level) {
            f->limit += 10;
        }
    }
}

static struct fake fakes[2];

static int fake_create(struct vcpu *v, struct err **errp)
{
    v->priv = &fakes[v->index];
    fakes[v->index].limit = 5;
    return 0;
}

static void fake_reset(struct vcpu *v)
{
    ((struct fake *)v->priv)->resets++;
}

static const struct accel_ops fake_ops = {
    .name = "fake",
    .vcpu_create = fake_create,
    .vcpu_run = fake_run,
    .set_irq = fake_set_irq,
    .has_work = fake_has_work,
    .vcpu_reset = fake_reset,
};

static uint32_t port80[2];
static int port80_writes;

static uint64_t p80_read(void *o, uint64_t off, unsigned size)
{
    return 0;
}

static void p80_write(void *o, uint64_t off, uint64_t val, unsigned size)
{
    port80_writes++;
    port80[0] = (uint32_t)val;
}

static const struct mem_ops p80_ops = { .read = p80_read, .write = p80_write };

/* Wait (releasing the big lock) until cond holds or 5 s pass. */
#define WAIT_FOR(cond)                                            \
    do {                                                          \
        for (int i_ = 0; i_ < 500 && !(cond); i_++) {             \
            bql_unlock();                                         \
            usleep(10000);                                        \
            bql_lock();                                           \
        }                                                         \
    } while (0)

static struct addr_space *io;

TEST(vcpus_run_exits_and_halt)
{
    static struct mem_region mr;    /* outlives this test: the vCPU uses it */
    struct err *e = NULL;
    loop_init();
    bql_lock();
    io = as_new("io", 0x10000, ~0ULL);
    mem_region_init_io(&mr, "port80", 4, &p80_ops, NULL);
    as_map(io, 0x80, &mr, 0, 4, 0);
    EXPECT_EQ(vcpus_create(&fake_ops, 1, NULL, io, &e), 0);
    EXPECT_EQ(vcpu_count(), 1);

    /* Prelaunch: the vCPU does not run. */
    usleep(20000);
    EXPECT_EQ(port80_writes, 0);

    EXPECT_EQ(vm_start(&e), 0);
    WAIT_FOR(vcpu_get(0)->halted);
    EXPECT(vcpu_get(0)->halted);
    EXPECT_EQ(port80_writes, 5);
    EXPECT_EQ(port80[0], 5);

    /* Halted with no work: it stays asleep. */
    unsigned long exits = vcpu_get(0)->exits;
    bql_unlock();
    usleep(50000);
    bql_lock();
    EXPECT_EQ(vcpu_get(0)->exits, exits);

    /* An interrupt wakes it; it writes ten more values. */
    vcpu_set_irq(vcpu_get(0), VCPU_IRQ_INTR, 1);
    WAIT_FOR(port80_writes == 15);
    EXPECT_EQ(port80_writes, 15);
    vcpu_set_irq(vcpu_get(0), VCPU_IRQ_INTR, 0);
    WAIT_FOR(vcpu_get(0)->halted);
}

TEST(pause_waits_for_vcpus_to_leave_the_accelerator)
{
    fakes[0].limit = 1000000;   /* keep it busy */
    vcpu_wake(vcpu_get(0));
    fakes[0].intr = 1;
    WAIT_FOR(port80_writes > 20);
    vm_stop(RUN_STATE_PAUSED);
    /* Every vCPU is out of vcpu_run and stays out. */
    EXPECT(vcpu_get(0)->stopped);
    EXPECT_EQ(fakes[0].in_run, 0);
    int w = port80_writes;
    bql_unlock();
    usleep(30000);
    bql_lock();
    EXPECT_EQ(port80_writes, w);
    EXPECT_EQ(vm_start(NULL), 0);
    WAIT_FOR(port80_writes > w + 10);
    EXPECT(port80_writes > w + 10);
    vm_stop(RUN_STATE_PAUSED);
}

TEST(destroy_ends_threads)
{
    vcpus_destroy();
    EXPECT_EQ(vcpu_count(), 0);
}

TEST_MAIN()
