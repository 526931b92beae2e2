/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * piix3.c - PIIX3 function 0 (Intel 82371SB datasheet §2.2: PIRQRC[A:D],
 * §2.3 RC at 0xcf9).  A PIRQ register routes its line to ISA IRQ bits 3:0
 * unless bit 7 disables it; only 3-7, 9-12, 14 and 15 are valid targets.
 * The ACPI tables (later) must describe the same swizzle in _PRT.
 */
#include "emu/osdep.h"

#include "emu/hw/piix3.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"
#include "emu/vm/runstate.h"

int piix3_map_irq(struct pci_device *d, int pin)
{
    return (pin + (d->devfn >> 3) - 1) & 3;
}

static int route(const struct piix3 *p, int pirq)
{
    uint8_t v = p->pci.config[PIIX3_PIRQC + pirq];
    if (v & 0x80) {
        return -1;
    }
    v &= 0x0f;
    /* IRQ 0-2, 8 and 13 are reserved for the board's own devices. */
    if (v < 3 || v == 8 || v == 13) {
        return -1;
    }
    return v;
}

/* Recompute each ISA line from all PIRQs routed to it. */
static void update_isa(struct piix3 *p)
{
    int level[ISA_NUM_IRQS] = { 0 };
    for (int i = 0; i < 4; i++) {
        int irq = route(p, i);
        if (irq >= 0 && p->pirq_level[i]) {
            level[irq] = 1;
        }
    }
    for (int n = 0; n < ISA_NUM_IRQS; n++) {
        if (level[n] != p->isa_level[n]) {
            p->isa_level[n] = level[n];
            irq_set(isa_irq(p->isa, n), level[n]);
        }
    }
}

static void piix3_set_irq(void *opaque, int pirq, int level)
{
    struct piix3 *p = opaque;
    if (pirq < 0 || pirq > 3) {
        return;
    }
    p->pirq_level[pirq] = level;
    update_isa(p);
}

static void piix3_config_write(struct pci_device *d, unsigned off, uint32_t val,
                               unsigned len)
{
    pci_default_config_write(d, off, val, len);
    if (off < PIIX3_PIRQC + 4 && off + len > PIIX3_PIRQC) {
        update_isa((struct piix3 *)d);
    }
}

static uint64_t rcr_read(void *opaque, uint64_t off, unsigned size)
{
    return ((struct piix3 *)opaque)->rcr;
}

static void rcr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct piix3 *p = opaque;
    /* RST (bit 2) resets; SRST (bit 1) chooses hard or soft, which for an
     * emulated machine is the same full reset. */
    if (val & 4) {
        vm_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
        return;
    }
    p->rcr = val & 2;
}

static const struct mem_ops rcr_ops = {
    .read = rcr_read, .write = rcr_write, .valid_min = 1, .valid_max = 1,
};

static void piix3_reset(struct device *dev)
{
    struct piix3 *p = (struct piix3 *)dev;
    for (int i = 0; i < 4; i++) {
        p->pci.config[PIIX3_PIRQC + i] = 0x80;
    }
    p->rcr = 0;
    update_isa(p);
}

static const struct dev_type piix3_type = {
    .name = "PIIX3",
    .category = "Bridge devices",
    .desc = "ISA bridge",
    .bus = BUS_PCI,
    .size = sizeof(struct piix3),
    .user_creatable = false,
    .reset = piix3_reset,
};
DEV_TYPE(piix3_type);

struct piix3 *piix3_create(struct pci_bus *bus, struct isa_bus *isa,
                           struct err **errp)
{
    struct piix3 *p = (struct piix3 *)dev_create(&piix3_type, NULL, errp);
    if (!p) {
        return NULL;
    }
    p->isa = isa;
    p->pci.devfn = 1 << 3;
    p->pci.multifunction = true;
    if (pci_device_plug(bus, &p->pci, errp) < 0) {
        return NULL;
    }
    uint8_t *c = p->pci.config;
    pci_set_word(c + PCI_VENDOR_ID, 0x8086);
    pci_set_word(c + PCI_DEVICE_ID, 0x7000);
    pci_set_word(c + PCI_CLASS_DEVICE, 0x0601);
    memset(p->pci.wmask + PIIX3_PIRQC, 0x8f, 4);
    p->pci.config_write = piix3_config_write;
    bus->map_irq = piix3_map_irq;
    bus->set_irq = piix3_set_irq;
    bus->irq_opaque = p;
    mem_region_init_io(&p->rcr_mr, "piix3-reset-control", 1, &rcr_ops, p);
    /* Above the 4-byte CONFADD register at 0xcf8 (see mem.c). */
    as_map(isa->io, 0xcf9, &p->rcr_mr, 0, 1, 1);
    piix3_reset(&p->pci.dev);
    return p;
}
