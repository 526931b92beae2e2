/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vcpu.c - one thread per vCPU running the accelerator, the exit switch
 * that carries out port and MMIO accesses on the machine's address spaces,
 * halt/wake, and pausing every vCPU when the VM stops (see vcpu.h).
 */
#include "emu/osdep.h"
#include <pthread.h>

#include "emu/accel/vcpu.h"
#include "emu/loop/loop.h"      /* bql_*, bh_* */
#include "emu/mem/mem.h"        /* as_read, as_write */
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/runstate.h"

static struct vcpu **vcpus;
static int nvcpus;
/* One condition for every state change; broadcasts wake all threads, which
 * is cheap for the handful of vCPUs a PC has. */
static pthread_cond_t vcpu_cond = PTHREAD_COND_INITIALIZER;
static bool paused = true;
static struct bh *internal_error_bh;
static __thread struct vcpu *current_vcpu;

int vcpu_count(void)
{
    return nvcpus;
}

struct vcpu *vcpu_get(int index)
{
    return index >= 0 && index < nvcpus ? vcpus[index] : NULL;
}

static void internal_error(void *opaque)
{
    vm_stop(RUN_STATE_INTERNAL_ERROR);
}

static void handle_exit(struct vcpu *v, enum vcpu_exit e)
{
    switch (e) {
    case VCPU_EXIT_NONE:
        break;
    case VCPU_EXIT_IO:
        if (v->io.write) {
            as_write(v->io_space, v->io.port, v->io.data, v->io.size);
        } else {
            v->io.data = (uint32_t)as_read(v->io_space, v->io.port, v->io.size);
        }
        break;
    case VCPU_EXIT_MMIO:
        if (v->mmio.write) {
            as_write(v->mem_space, v->mmio.addr, v->mmio.data, v->mmio.size);
        } else {
            v->mmio.data = as_read(v->mem_space, v->mmio.addr, v->mmio.size);
        }
        break;
    case VCPU_EXIT_HLT:
        v->halted = true;
        break;
    case VCPU_EXIT_RESET:
        vm_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
        /* Stay out of the CPU until the reset has been carried out. */
        v->halted = true;
        break;
    case VCPU_EXIT_SHUTDOWN:
        vm_request_shutdown(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        v->halted = true;
        break;
    case VCPU_EXIT_INTERNAL_ERROR:
        err_report("vCPU %d: internal error, stopping the VM", v->index);
        v->halted = true;
        bh_schedule(internal_error_bh);
        break;
    }
}

static void *vcpu_thread(void *opaque)
{
    struct vcpu *v = opaque;
    current_vcpu = v;
    v->tid = (int)gettid();
    bql_lock();
    while (!v->quit) {
        if (paused) {
            if (!v->stopped) {
                v->stopped = true;
                pthread_cond_broadcast(&vcpu_cond);
            }
            bql_cond_wait(&vcpu_cond);
            continue;
        }
        v->stopped = false;
        if (v->halted) {
            if (v->ops->has_work && v->ops->has_work(v)) {
                v->halted = false;
            } else {
                bql_cond_wait(&vcpu_cond);
                continue;
            }
        }
        bql_unlock();
        enum vcpu_exit e = v->ops->vcpu_run(v);
        bql_lock();
        v->exits++;
        handle_exit(v, e);
    }
    v->stopped = true;
    pthread_cond_broadcast(&vcpu_cond);
    bql_unlock();
    return NULL;
}

void vcpu_wake(struct vcpu *v)
{
    pthread_cond_broadcast(&vcpu_cond);
    if (v->ops->vcpu_kick) {
        v->ops->vcpu_kick(v);
    }
}

void vcpu_set_irq(struct vcpu *v, enum vcpu_irq line, int level)
{
    if (v->ops->set_irq) {
        v->ops->set_irq(v, line, level);
    }
    vcpu_wake(v);
}

void vcpus_pause(void)
{
    /* A vCPU waiting for itself to stop would wait forever: stopping the
     * VM from a vCPU must go through a main-loop request. */
    if (current_vcpu) {
        fprintf(stderr, "hemu: internal error: vCPU %d paused the VM itself\n",
                current_vcpu->index);
        abort();
    }
    paused = true;
    for (int i = 0; i < nvcpus; i++) {
        vcpu_wake(vcpus[i]);
    }
    for (;;) {
        bool all = true;
        for (int i = 0; i < nvcpus; i++) {
            all &= vcpus[i]->stopped;
        }
        if (all) {
            return;
        }
        bql_cond_wait(&vcpu_cond);
    }
}

void vcpus_resume(void)
{
    paused = false;
    pthread_cond_broadcast(&vcpu_cond);
}

static void on_state_change(void *opaque, bool running, enum run_state s)
{
    if (running) {
        vcpus_resume();
    } else {
        vcpus_pause();
    }
}

static void reset_all(void *opaque)
{
    for (int i = 0; i < nvcpus; i++) {
        struct vcpu *v = vcpus[i];
        if (v->ops->vcpu_reset) {
            v->ops->vcpu_reset(v);
        }
        /* The bootstrap processor runs after reset; application processors
         * wait in HLT-like wait-for-SIPI, which the accelerator models via
         * has_work. */
        v->halted = i != 0;
    }
}

int vcpus_create(const struct accel_ops *ops, int n, struct addr_space *mem,
                 struct addr_space *io, struct err **errp)
{
    if (ops->init && ops->init(errp) < 0) {
        return -1;
    }
    internal_error_bh = bh_new(internal_error, NULL);
    vcpus = xrealloc(vcpus, (nvcpus + n) * sizeof(*vcpus));
    for (int i = 0; i < n; i++) {
        struct vcpu *v = xzalloc(sizeof(*v));
        v->index = nvcpus;
        v->ops = ops;
        v->mem_space = mem;
        v->io_space = io;
        v->stopped = true;
        v->halted = v->index != 0;
        if (ops->vcpu_create && ops->vcpu_create(v, errp) < 0) {
            free(v);
            return -1;
        }
        vcpus[nvcpus++] = v;
        if (pthread_create(&v->thread, NULL, vcpu_thread, v)) {
            err_setf(errp, "cannot create vCPU thread: %s", strerror(errno));
            return -1;
        }
        v->created = true;
    }
    paused = !runstate_is_running();
    vm_register_state_change(on_state_change, NULL);
    vm_register_reset(reset_all, NULL);
    return 0;
}

void vcpus_destroy(void)
{
    for (int i = 0; i < nvcpus; i++) {
        vcpus[i]->quit = true;
        vcpu_wake(vcpus[i]);
    }
    for (int i = 0; i < nvcpus; i++) {
        bql_unlock();
        pthread_join(vcpus[i]->thread, NULL);
        bql_lock();
        free(vcpus[i]);
    }
    free(vcpus);
    vcpus = NULL;
    nvcpus = 0;
}
