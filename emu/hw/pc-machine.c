/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pc-machine.c - the `pc` machine type (QEMU's "Standard PC (i440FX + PIIX,
 * 1996)"): the pc board (pc.c) with its vCPUs, each with its local APIC
 * on the board's APIC bus.  A CPU's INTR and interrupt acknowledge are its
 * APIC's (the PIC arrives through the boot CPU's LINT0); A20 from the
 * board goes to every CPU.  One CPU until the soft CPU takes INIT/SIPI.
 */
#include "emu/osdep.h"

#include "emu/accel/tcg.h"
#include "emu/accel/vcpu.h"
#include "emu/hw/apic.h"
#include "emu/hw/fw_cfg.h"
#include "emu/hw/i440fx.h"
#include "emu/hw/i8259.h"
#include "emu/hw/pc.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"
#include "emu/vm/machine.h"
#include "emu/vm/runstate.h"

static struct pc_board board;
static struct irq_line cpu_intr;
static struct apic *apics[APIC_MAX_CPUS];

/* Only without local APICs: the PIC straight to the boot CPU. */
static void pc_cpu_intr(void *opaque, int n, int level)
{
    struct vcpu *v = vcpu_get(0);
    if (v) {
        vcpu_set_irq(v, VCPU_IRQ_INTR, level);
    }
}

static int pc_irq_ack(void *opaque)
{
    return apic_irq_ack(opaque);
}

/* ---- what a local APIC drives in its vCPU ---- */

static void apic_cpu_intr(void *opaque, int level)
{
    vcpu_set_irq(opaque, VCPU_IRQ_INTR, level);
}

static void apic_cpu_nmi(void *opaque)
{
    vcpu_set_irq(opaque, VCPU_IRQ_NMI, 1);
}

static void apic_cpu_init(void *opaque)
{
    vcpu_set_irq(opaque, VCPU_IRQ_INIT, 1);
}

static void apic_cpu_sipi(void *opaque, uint8_t vector)
{
    /* The accelerator takes the start page from the line's level. */
    vcpu_set_irq(opaque, VCPU_IRQ_SIPI, 0x100 | vector);
}

static const struct apic_cpu_ops apic_cpu_ops = {
    .set_intr = apic_cpu_intr,
    .nmi = apic_cpu_nmi,
    .init = apic_cpu_init,
    .sipi = apic_cpu_sipi,
};

/* ---- what a vCPU reaches of its own APIC ---- */

static uint64_t lapic_get_base(void *opaque)
{
    return apic_get_base(opaque);
}

static bool lapic_set_base(void *opaque, uint64_t base)
{
    return apic_set_base(opaque, base);
}

static uint64_t lapic_read(void *opaque, uint64_t off, unsigned size)
{
    return apic_access_read(opaque, off, size);
}

static void lapic_write(void *opaque, uint64_t off, uint64_t val,
                        unsigned size)
{
    apic_access_write(opaque, off, val, size);
}

static const struct vcpu_lapic_ops lapic_ops = {
    .get_base = lapic_get_base,
    .set_base = lapic_set_base,
    .read = lapic_read,
    .write = lapic_write,
};

/* Which vCPU is touching the APIC window: the one whose thread this is.
 * Anyone else (the main loop, a debugger) sees the boot CPU's. */
static int pc_current_cpu(void *opaque)
{
    pthread_t self = pthread_self();
    for (int i = 0; i < vcpu_count(); i++) {
        struct vcpu *v = vcpu_get(i);
        if (v->created && pthread_equal(v->thread, self)) {
            return i;
        }
    }
    return 0;
}

static void set_cpus_a20(void *opaque, bool on)
{
    for (int i = 0; i < vcpu_count(); i++) {
        tcg_vcpu_set_a20(vcpu_get(i), on);
    }
}

static void pc_reset(void *opaque)
{
    /* The chipset state that is not a device's own reset. */
    i440fx_reset(board.host);
    fw_cfg_reset(board.fw_cfg);
    pc_board_reset(&board);
    for (int i = 0; i < board.apic_bus.n; i++) {
        apic_reset(apics[i]);
    }
}

static int pc_init(struct err **errp)
{
    const struct accel_ops *ops = accel_find(cfg.accel ? cfg.accel : "tcg");
    if (!ops) {
        err_setf(errp, "accelerator '%s': not supported", cfg.accel);
        return -1;
    }
    cpu_intr = (struct irq_line){ pc_cpu_intr, NULL, 0 };
    if (pc_board_create(&board, &cpu_intr, errp) < 0) {
        return -1;
    }
    if (vcpus_create(ops, cfg.smp.cpus, board.mem, board.io, errp) < 0) {
        return -1;
    }
    board.apic_bus.current = pc_current_cpu;
    for (int i = 0; i < vcpu_count() && i < APIC_MAX_CPUS; i++) {
        struct vcpu *v = vcpu_get(i);
        apics[i] = apic_create(&board.apic_bus, i, &apic_cpu_ops, v);
        v->irq_ack = pc_irq_ack;
        v->irq_opaque = apics[i];
        v->lapic_opaque = apics[i];
        v->lapic = &lapic_ops;
    }
    /* The PIC's INTR now goes through the boot CPU's LINT0. */
    apic_set_lint(apics[0], 0, i8259_intr_pending(board.pic));
    board.a20_set = set_cpus_a20;
    vm_register_reset(pc_reset, NULL);
    return 0;
}

static int pc_done(struct err **errp)
{
    pc_board_boot_done(&board);
    return 0;
}

const struct machine_type machine_pc = {
    .name = "pc-i440fx-6.2",
    .alias = "pc",
    .desc = "Standard PC (i440FX + PIIX, 1996)",
    .is_default = true,
    .max_cpus = APIC_MAX_CPUS,
    .min_cpus = 1,
    .default_cpu_type = "qemu64-x86_64-cpu",
    .default_ram_id = "pc.ram",
    .default_ram_size = 128ULL << 20,
    .buses = (1u << BUS_ISA) | (1u << BUS_PCI) | (1u << BUS_USB),
    .init = pc_init,
    .done = pc_done,
};
