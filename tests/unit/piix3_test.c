/* SPDX-License-Identifier: GPL-2.0-or-later */
/* piix3_test.c - PIIX3 function 0: IDs, PIRQ routing of PCI INTx to ISA
 * IRQs (with the slot swizzle, disabled and reserved routes, rerouting
 * while asserted, two PIRQs on one IRQ) and the 0xcf9 reset register
 * coexisting with CONFADD at 0xcf8. */
#include "emu/osdep.h"

#include "emu/hw/i440fx.h"
#include "emu/hw/piix3.h"
#include "emu/loop/loop.h"
#include "tests/unit/test.h"

static struct addr_space *mem, *io;
static struct mem_region ram, pc_rom, bios;
static struct isa_bus isa;
static struct piix3 *piix;
static int isa_levels[16];

static void isa_set(void *opaque, int n, int level)
{
    isa_levels[n] = level;
}

/* A PCI device in slot 3 that can drive INTA. */
struct tdev {
    struct pci_device pci;
};

static const struct dev_type tdev_type = {
    .name = "x-piix-testdev", .category = "Misc devices", .bus = BUS_PCI,
    .size = sizeof(struct tdev),
};
DEV_TYPE(tdev_type);

static struct pci_device *slot3, *slot4;

static void setup(void)
{
    if (piix) {
        return;
    }
    loop_init();
    mem = as_new("mem", 1ULL << 36, 0);
    io = as_new("io", 0x10000, ~0ULL);
    mem_region_init_ram(&ram, "ram", 16 << 20, NULL);
    mem_region_init_rom(&pc_rom, "pc.rom", 0x20000, NULL);
    mem_region_init_rom(&bios, "bios", 128 << 10, NULL);
    as_map(mem, 0, &ram, 0, ram.size, 0);
    isa.io = io;
    for (int i = 0; i < 16; i++) {
        isa.irq[i] = (struct irq_line){ isa_set, NULL, i };
    }
    struct i440fx *h = i440fx_create(mem, io, &ram, &pc_rom, &bios, NULL);
    piix = piix3_create(h->bus, &isa, NULL);
    struct pci_device *d3 = (struct pci_device *)dev_create(&tdev_type, NULL, NULL);
    d3->devfn = 3 << 3;
    pci_device_plug(h->bus, d3, NULL);
    d3->config[PCI_INTERRUPT_PIN] = 1;
    struct pci_device *d4 = (struct pci_device *)dev_create(&tdev_type, NULL, NULL);
    d4->devfn = 4 << 3;
    pci_device_plug(h->bus, d4, NULL);
    d4->config[PCI_INTERRUPT_PIN] = 1;
    slot3 = d3;
    slot4 = d4;
}

static void cfg_write(int devfn, unsigned reg, uint32_t v, unsigned size)
{
    as_write(io, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
    as_write(io, 0xcfc + (reg & 3), v, size);
}

static uint32_t cfg_read(int devfn, unsigned reg, unsigned size)
{
    as_write(io, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
    return (uint32_t)as_read(io, 0xcfc + (reg & 3), size);
}

TEST(ids_and_defaults)
{
    setup();
    EXPECT(piix != NULL);
    EXPECT_EQ(cfg_read(8, 0, 4), 0x70008086);
    EXPECT_EQ(cfg_read(8, PCI_CLASS_DEVICE, 2), 0x0601);
    EXPECT_EQ(cfg_read(8, PCI_HEADER_TYPE, 1) & 0x80, 0x80);
    EXPECT_EQ(cfg_read(8, PIIX3_PIRQC, 4), 0x80808080);
}

TEST(swizzle)
{
    setup();
    /* Slot 1 INTA is PIRQA; slot 3 INTA is PIRQC; slot 4 INTA is PIRQD. */
    EXPECT_EQ(piix3_map_irq(&piix->pci, 0), 0);
    EXPECT_EQ(piix3_map_irq(slot3, 0), 2);
    EXPECT_EQ(piix3_map_irq(slot4, 0), 3);
    EXPECT_EQ(piix3_map_irq(slot4, 1), 0);
}

TEST(routing)
{
    setup();
    /* Disabled route: nothing reaches the ISA side. */
    pci_set_irq(slot3, 1);
    for (int i = 0; i < 16; i++) {
        EXPECT_EQ(isa_levels[i], 0);
    }
    /* Route PIRQC to IRQ 11: the level appears at once. */
    cfg_write(8, PIIX3_PIRQC + 2, 11, 1);
    EXPECT_EQ(isa_levels[11], 1);
    /* Reroute while asserted: moves from 11 to 10. */
    cfg_write(8, PIIX3_PIRQC + 2, 10, 1);
    EXPECT_EQ(isa_levels[11], 0);
    EXPECT_EQ(isa_levels[10], 1);
    /* PIRQD on the same IRQ: the line stays up until both are low. */
    cfg_write(8, PIIX3_PIRQC + 3, 10, 1);
    pci_set_irq(slot4, 1);
    pci_set_irq(slot3, 0);
    EXPECT_EQ(isa_levels[10], 1);
    pci_set_irq(slot4, 0);
    EXPECT_EQ(isa_levels[10], 0);
    /* Reserved targets are not routed. */
    cfg_write(8, PIIX3_PIRQC + 3, 8, 1);
    pci_set_irq(slot4, 1);
    EXPECT_EQ(isa_levels[8], 0);
    pci_set_irq(slot4, 0);
}

TEST(reset_control_beside_confadd)
{
    setup();
    as_write(io, 0xcf9, 0x02, 1);
    EXPECT_EQ(as_read(io, 0xcf9, 1), 0x02);
    /* A dword at 0xcf8 still reaches CONFADD. */
    as_write(io, 0xcf8, 0x80000800, 4);
    EXPECT_EQ(as_read(io, 0xcf8, 4), 0x80000800);
    EXPECT_EQ(as_read(io, 0xcf9, 1), 0x02);
}

TEST_MAIN()
