/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pc-machine.c - the `pc` machine type (QEMU's "Standard PC (i440FX + PIIX,
 * 1996)"): the pc board (pc.c) with its vCPUs.  The PIC's INTR goes to the
 * boot CPU, whose interrupt acknowledge is the PIC's; A20 from the board
 * goes to every CPU.  One CPU until the local APIC brings INIT/SIPI.
 */
#include "emu/osdep.h"

#include "emu/accel/tcg.h"
#include "emu/accel/vcpu.h"
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

static void pc_cpu_intr(void *opaque, int n, int level)
{
    struct vcpu *v = vcpu_get(0);
    if (v) {
        vcpu_set_irq(v, VCPU_IRQ_INTR, level);
    }
}

static int pc_irq_ack(void *opaque)
{
    return i8259_inta(board.pic);
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
    vcpu_get(0)->irq_ack = pc_irq_ack;
    board.a20_set = set_cpus_a20;
    vm_register_reset(pc_reset, NULL);
    return 0;
}

const struct machine_type machine_pc = {
    .name = "pc-i440fx-6.2",
    .alias = "pc",
    .desc = "Standard PC (i440FX + PIIX, 1996)",
    .is_default = true,
    .max_cpus = 1,
    .min_cpus = 1,
    .default_cpu_type = "qemu64-x86_64-cpu",
    .default_ram_id = "pc.ram",
    .default_ram_size = 128ULL << 20,
    .buses = (1u << BUS_ISA) | (1u << BUS_PCI),
    .init = pc_init,
};
