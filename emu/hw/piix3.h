/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * piix3.h - the PIIX3 PCI-to-ISA bridge (function 0 of the 82371SB) as the
 * pc machine uses it: PIRQ[A-D] routing to ISA IRQs (registers 0x60-0x63)
 * and the reset control register at port 0xcf9.
 */
#ifndef HEMU_EMU_HW_PIIX3_H
#define HEMU_EMU_HW_PIIX3_H

#include "emu/hw/isa.h"
#include "emu/hw/pci.h"
#include "emu/mem/mem.h"

#define PIIX3_PIRQC 0x60

struct piix3 {
    struct pci_device pci;      /* 01.0 */
    struct isa_bus *isa;
    struct mem_region rcr_mr;
    uint8_t rcr;
    int pirq_level[4];
    int isa_level[ISA_NUM_IRQS];    /* what the PIRQs drive on each line */
};

/* Create at 01.0 on bus, route its PIRQs to isa's lines, and become the
 * bus's interrupt router. */
struct piix3 *piix3_create(struct pci_bus *bus, struct isa_bus *isa,
                           struct err **errp);
/* QEMU's swizzle: PIRQ = (pin + slot - 1) mod 4. */
int piix3_map_irq(struct pci_device *d, int pin);

#endif
