/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vcpu.h - vCPU threads.  Each vCPU runs the accelerator in its own thread
 * without the big lock, takes the lock to carry out exits (port and MMIO
 * accesses go to the machine's address spaces), sleeps while halted with
 * nothing pending (an idle guest costs no host CPU), and stops whenever
 * the VM is not running.
 */
#ifndef HEMU_EMU_ACCEL_VCPU_H
#define HEMU_EMU_ACCEL_VCPU_H

#include <pthread.h>

#include "emu/accel/accel.h"

struct addr_space;

struct vcpu_lapic_ops {
    uint64_t (*get_base)(void *opaque);
    bool (*set_base)(void *opaque, uint64_t base);  /* false: #GP */
    uint64_t (*read)(void *opaque, uint64_t off, unsigned size);
    void (*write)(void *opaque, uint64_t off, uint64_t val, unsigned size);
};

struct vcpu {
    int index;
    const struct accel_ops *ops;
    void *priv;                 /* the accelerator's state */
    struct addr_space *io_space;    /* for VCPU_EXIT_IO */
    struct addr_space *mem_space;   /* for VCPU_EXIT_MMIO */
    /* Exit data, filled by the accelerator, completed by the loop. */
    struct {
        uint16_t port;
        uint8_t size;
        bool write;
        uint32_t data;
    } io;
    struct {
        uint64_t addr;
        uint8_t size;
        bool write;
        uint64_t data;
    } mmio;
    /* Interrupt acknowledge for the accelerator: the vector of the
     * pending external interrupt, or -1 (called with the big lock held).
     * The machine sets it (the PIC's INTA for the boot CPU). */
    int (*irq_ack)(void *opaque);
    void *irq_opaque;
    /* The vCPU's own local APIC (NULL: none), set by the machine and
     * called with the big lock held: IA32_APIC_BASE, which also says where
     * this CPU alone sees the APIC's 4 KiB window, and accesses to that
     * window. */
    const struct vcpu_lapic_ops *lapic;
    void *lapic_opaque;
    /* Thread state, guarded by the big lock. */
    pthread_t thread;
    int tid;                    /* the thread's id, for query-cpus-fast */
    bool created, halted, stopped, quit;
    unsigned long exits;        /* statistics for tests and info */
};

/* Create n vCPUs with the accelerator and start their threads (stopped
 * until the VM runs). */
int vcpus_create(const struct accel_ops *ops, int n, struct addr_space *mem,
                 struct addr_space *io, struct err **errp);
int vcpu_count(void);
struct vcpu *vcpu_get(int index);
/* Wake a vCPU: halted, it re-checks has_work; running, it is kicked. */
void vcpu_wake(struct vcpu *v);
/* Forward an interrupt line to a vCPU and wake it. */
void vcpu_set_irq(struct vcpu *v, enum vcpu_irq line, int level);
/* Stop every vCPU and wait until all are outside the accelerator (big
 * lock held; returns with it held). */
void vcpus_pause(void);
void vcpus_resume(void);
/* End the threads (at exit). */
void vcpus_destroy(void);

#endif
