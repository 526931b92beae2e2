/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci_test.c - PCI configuration space: identification, write masks,
 * BAR sizing and mapping under the command register, 64-bit BARs, the
 * expansion ROM BAR, INTx routing with INTx Disable, slot conflicts. */
#include "emu/osdep.h"

#include "emu/hw/pci.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

struct tdev {
    struct pci_device pci;
    struct mem_region mmio, pio, big;
};

static uint64_t t_read(void *o, uint64_t off, unsigned size)
{
    return 0xC0DE0000 | off;
}

static void t_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
}

static const struct mem_ops t_ops = { .read = t_read, .write = t_write,
                                      .valid_min = 1, .valid_max = 4 };

static int t_realize(struct device *dev, struct err **errp)
{
    struct tdev *t = (struct tdev *)dev;
    if (pci_device_plug(pci_default_bus, &t->pci, errp) < 0) {
        return -1;
    }
    pci_set_word(t->pci.config + PCI_VENDOR_ID, 0x1234);
    pci_set_word(t->pci.config + PCI_DEVICE_ID, 0x5678);
    t->pci.config[PCI_INTERRUPT_PIN] = 1;
    mem_region_init_io(&t->mmio, "t-mmio", 0x1000, &t_ops, t);
    mem_region_init_io(&t->pio, "t-pio", 0x20, &t_ops, t);
    mem_region_init_io(&t->big, "t-big", 1 << 20, &t_ops, t);
    pci_register_bar(&t->pci, 0, PCI_BAR_MEM32, &t->mmio);
    pci_register_bar(&t->pci, 1, PCI_BAR_IO, &t->pio);
    pci_register_bar(&t->pci, 2, PCI_BAR_MEM64 | PCI_BAR_PREFETCH, &t->big);
    return 0;
}

static const struct prop t_props[] = {
    PCI_DEVICE_PROPS(struct tdev),
    { NULL },
};

static const struct dev_type t_type = {
    .name = "x-pci-testdev", .category = "Misc devices", .bus = BUS_PCI,
    .size = sizeof(struct tdev), .props = t_props, .realize = t_realize,
};
DEV_TYPE(t_type);

static int irq_levels[16];

static int t_map_irq(struct pci_device *d, int pin)
{
    return ((d->devfn >> 3) + pin) & 3;
}

static void t_set_irq(void *opaque, int input, int level)
{
    irq_levels[input] = level;
}

static struct addr_space *mem, *io;

static struct tdev *make(void)
{
    struct err *e = NULL;
    struct device *d = dev_create(&t_type, NULL, &e);
    if (!d) {
        printf("#   %s\n", e->msg);
        return NULL;
    }
    return (struct tdev *)d;
}

static uint32_t cfg_r(struct tdev *t, unsigned off, unsigned len)
{
    return pci_config_read(pci_default_bus, t->pci.devfn, off, len);
}

static void cfg_w(struct tdev *t, unsigned off, uint32_t v, unsigned len)
{
    pci_config_write(pci_default_bus, t->pci.devfn, off, v, len);
}

static void setup(void)
{
    if (!mem) {
        mem = as_new("mem", 1ULL << 40, 0);
        io = as_new("io", 0x10000, ~0ULL);
        pci_default_bus = pci_bus_new(mem, io);
        pci_default_bus->map_irq = t_map_irq;
        pci_default_bus->set_irq = t_set_irq;
    }
}

TEST(identification_and_absent_functions)
{
    setup();
    struct tdev *t = make();
    EXPECT(t != NULL);
    EXPECT_EQ(t->pci.devfn, 0);
    EXPECT_EQ(cfg_r(t, PCI_VENDOR_ID, 2), 0x1234);
    EXPECT_EQ(cfg_r(t, PCI_VENDOR_ID, 4), 0x56781234);
    /* Read-only fields ignore writes. */
    cfg_w(t, PCI_VENDOR_ID, 0xffffffff, 4);
    EXPECT_EQ(cfg_r(t, PCI_VENDOR_ID, 4), 0x56781234);
    /* An empty slot and a function behind a single-function device read
     * as all ones. */
    EXPECT_EQ(pci_config_read(pci_default_bus, 0x50, 0, 4), 0xffffffff);
    EXPECT_EQ(pci_config_read(pci_default_bus, 1, 0, 2), 0xffff);
}

TEST(bar_sizing_and_mapping)
{
    setup();
    struct tdev *t = (struct tdev *)pci_default_bus->devs[0];
    /* Sizing: write all ones, read back the size mask with the type bits. */
    cfg_w(t, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    EXPECT_EQ(cfg_r(t, PCI_BASE_ADDRESS_0, 4), 0xfffff000);
    cfg_w(t, PCI_BASE_ADDRESS_0 + 4, 0xffffffff, 4);
    EXPECT_EQ(cfg_r(t, PCI_BASE_ADDRESS_0 + 4, 4), 0xffffffe1);
    cfg_w(t, PCI_BASE_ADDRESS_0 + 8, 0xffffffff, 4);
    cfg_w(t, PCI_BASE_ADDRESS_0 + 12, 0xffffffff, 4);
    EXPECT_EQ(cfg_r(t, PCI_BASE_ADDRESS_0 + 8, 4), 0xfff0000c);
    EXPECT_EQ(cfg_r(t, PCI_BASE_ADDRESS_0 + 12, 4), 0xffffffff);

    /* Program addresses; nothing is mapped until the command enables it. */
    cfg_w(t, PCI_BASE_ADDRESS_0, 0xfebf0000, 4);
    cfg_w(t, PCI_BASE_ADDRESS_0 + 4, 0xc000, 4);
    cfg_w(t, PCI_BASE_ADDRESS_0 + 8, 0x00000000, 4);
    cfg_w(t, PCI_BASE_ADDRESS_0 + 12, 0x00000008, 4);   /* 32 GiB */
    EXPECT_EQ(as_read(mem, 0xfebf0004, 4), 0);
    EXPECT_EQ(as_read(io, 0xc004, 2), 0xffff);
    cfg_w(t, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
    EXPECT_EQ(as_read(mem, 0xfebf0004, 4), 0xC0DE0004);
    EXPECT_EQ(as_read(io, 0xc004, 2), 0x0004);
    EXPECT_EQ(as_read(mem, 0x800000010ULL, 4), 0xC0DE0010);

    /* Moving a BAR moves the mapping. */
    cfg_w(t, PCI_BASE_ADDRESS_0, 0xfeb00000, 4);
    EXPECT_EQ(as_read(mem, 0xfebf0004, 4), 0);
    EXPECT_EQ(as_read(mem, 0xfeb00008, 4), 0xC0DE0008);
    /* Turning memory decoding off unmaps memory BARs but not I/O. */
    cfg_w(t, PCI_COMMAND, PCI_COMMAND_IO, 2);
    EXPECT_EQ(as_read(mem, 0xfeb00008, 4), 0);
    EXPECT_EQ(as_read(io, 0xc004, 2), 0x0004);
    cfg_w(t, PCI_COMMAND, 0, 2);
}

TEST(intx_routing_and_disable)
{
    setup();
    struct tdev *t = (struct tdev *)pci_default_bus->devs[0];
    int input = t_map_irq(&t->pci, 0);
    pci_set_irq(&t->pci, 1);
    EXPECT_EQ(irq_levels[input], 1);
    EXPECT(cfg_r(t, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    cfg_w(t, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    EXPECT_EQ(irq_levels[input], 0);
    EXPECT(cfg_r(t, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    cfg_w(t, PCI_COMMAND, 0, 2);
    EXPECT_EQ(irq_levels[input], 1);
    pci_set_irq(&t->pci, 0);
    EXPECT_EQ(irq_levels[input], 0);
    EXPECT(!(cfg_r(t, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT));
}

TEST(shared_interrupt_input_stays_up_while_any_asserts)
{
    setup();
    struct tdev *a = (struct tdev *)pci_default_bus->devs[0];
    struct tdev *b = make();     /* next free slot: 1 */
    EXPECT(b != NULL);
    EXPECT_EQ(b->pci.devfn, 8);
    /* Slot 1 pin D and slot 0 pin A land on the same input. */
    b->pci.config[PCI_INTERRUPT_PIN] = 4;
    int input = t_map_irq(&a->pci, 0);
    EXPECT_EQ(t_map_irq(&b->pci, 3), input);
    pci_set_irq(&a->pci, 1);
    pci_set_irq(&b->pci, 1);
    pci_set_irq(&a->pci, 0);
    EXPECT_EQ(irq_levels[input], 1);
    pci_set_irq(&b->pci, 0);
    EXPECT_EQ(irq_levels[input], 0);
}

TEST(reset_unmaps)
{
    setup();
    struct tdev *t = (struct tdev *)pci_default_bus->devs[0];
    cfg_w(t, PCI_COMMAND, PCI_COMMAND_IO, 2);
    EXPECT_EQ(as_read(io, 0xc004, 2), 0x0004);
    pci_device_reset(&t->pci);
    EXPECT_EQ(as_read(io, 0xc004, 2), 0xffff);
    EXPECT_EQ(cfg_r(t, PCI_BASE_ADDRESS_0 + 4, 4), 1);
    EXPECT_EQ(cfg_r(t, PCI_COMMAND, 2), 0);
}

TEST_MAIN()
