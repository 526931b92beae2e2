/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * accel.h - the accelerator interface (DESIGN.md "Interfaces", STYLE.md §2
 * "Accelerator", after kvmtool's exit switch and QEMU's AccelOpsClass).
 * An accelerator runs a vCPU until something needs the platform: a port
 * or MMIO access it does not handle itself, HLT, a triple fault, a kick.
 * One loop (vcpu.c), one thread per vCPU, serves every accelerator, so the
 * soft CPU and a future KVM back end share every device.
 */
#ifndef HEMU_EMU_ACCEL_ACCEL_H
#define HEMU_EMU_ACCEL_ACCEL_H

#include "emu/osdep.h"

struct err;
struct vcpu;

enum vcpu_exit {
    VCPU_EXIT_NONE,         /* budget spent or kicked: just loop */
    VCPU_EXIT_IO,           /* port access in vcpu->io */
    VCPU_EXIT_MMIO,         /* MMIO access in vcpu->mmio */
    VCPU_EXIT_HLT,          /* HLT with nothing pending: sleep */
    VCPU_EXIT_RESET,        /* triple fault or the like: reset the system */
    VCPU_EXIT_SHUTDOWN,     /* the CPU asks for a shutdown */
    VCPU_EXIT_INTERNAL_ERROR,
};

/* Interrupt lines into a vCPU (from the PIC/LAPIC). */
enum vcpu_irq {
    VCPU_IRQ_INTR,          /* maskable, level */
    VCPU_IRQ_NMI,           /* edge */
    VCPU_IRQ_INIT,
    VCPU_IRQ_SIPI,
    VCPU_IRQ__MAX,
};

struct accel_ops {
    const char *name;
    int (*init)(struct err **errp);
    /* Create the accelerator's state for vcpu (sets vcpu->priv). */
    int (*vcpu_create)(struct vcpu *vcpu, struct err **errp);
    /* Run until an exit; called without the big lock. */
    enum vcpu_exit (*vcpu_run)(struct vcpu *vcpu);
    /* Make a running vcpu_run return soon (any thread). */
    void (*vcpu_kick)(struct vcpu *vcpu);
    void (*vcpu_reset)(struct vcpu *vcpu);
    /* An interrupt line changed (big lock held). */
    void (*set_irq)(struct vcpu *vcpu, enum vcpu_irq line, int level);
    /* Would the vCPU leave HLT now (an unmasked interrupt is pending)? */
    bool (*has_work)(struct vcpu *vcpu);
    /* HMP "info registers". */
    void (*dump_state)(struct vcpu *vcpu, FILE *f);
};

/* The accelerators hemu has, by name; NULL if unknown. */
const struct accel_ops *accel_find(const char *name);

#endif
