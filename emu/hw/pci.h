/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pci.h - a conventional PCI bus (PCI Local Bus Specification 3.0): 256
 * bytes of configuration space per function with per-bit write masks, BARs
 * that the guest sizes and moves (mapped into the bus's memory and I/O
 * address spaces only while the command register enables them), the
 * expansion ROM BAR, and INTx pins that the host bridge routes.
 */
#ifndef HEMU_EMU_HW_PCI_H
#define HEMU_EMU_HW_PCI_H

#include "emu/hw/dev.h"
#include "emu/hw/irq.h"

struct addr_space;
struct as_mapping;
struct mem_region;

/* Configuration space offsets (PCI 3.0 §6.1). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0a
#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_LATENCY_TIMER 0x0d
#define PCI_HEADER_TYPE 0x0e
#define PCI_BASE_ADDRESS_0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_ROM_ADDRESS 0x30
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS_INTERRUPT 0x08
#define PCI_STATUS_CAP_LIST 0x10

enum pci_bar_type {
    PCI_BAR_IO = 1,
    PCI_BAR_MEM32 = 0,
    PCI_BAR_MEM64 = 4,
    PCI_BAR_PREFETCH = 8,
};

#define PCI_NUM_BARS 6
#define PCI_ROM_SLOT 6

struct pci_bar {
    uint64_t size;              /* power of two; 0 = unused */
    unsigned type;              /* enum pci_bar_type bits */
    struct mem_region *mr;
    struct as_mapping *map;     /* NULL while unmapped */
    uint64_t addr;              /* where it is mapped */
};

struct pci_bus;

struct pci_device {
    struct device dev;
    struct pci_bus *bus;
    int32_t devfn;              /* addr= property; -1 = first free slot */
    char *romfile;              /* romfile= property */
    bool multifunction;
    uint8_t config[256];
    uint8_t wmask[256];         /* bits the guest may write */
    uint8_t w1cmask[256];       /* bits the guest clears by writing 1 */
    struct msix *msix;          /* its MSI-X state, if it has the capability */
    struct pci_bar bars[PCI_NUM_BARS + 1];
    struct mem_region *rom_mr;
    int irq_level;              /* INTx as the device drives it */
    bool intx_asserted;         /* what the bus currently sees */
    /* Devices with special registers hook config accesses; they call
     * pci_default_config_* for the rest. */
    uint32_t (*config_read)(struct pci_device *d, unsigned off, unsigned len);
    void (*config_write)(struct pci_device *d, unsigned off, uint32_t val,
                         unsigned len);
};

/* The host bridge maps a device's pin (0 = INTA) to an input it owns, and
 * is told when that input's level changes. */
struct msix;

struct pci_bus {
    struct addr_space *mem, *io;
    struct pci_device *devs[256];
    int (*map_irq)(struct pci_device *d, int pin);
    void (*set_irq)(void *opaque, int input, int level);
    void *irq_opaque;
    int irq_count[16];          /* devices asserting each input */
    /* Where MSI-X messages go (NULL: nowhere). */
    void (*msi)(void *opaque, uint64_t addr, uint32_t data);
    void *msi_opaque;
};

struct pci_bus *pci_bus_new(struct addr_space *mem, struct addr_space *io);
/* The machine's bus that -device PCI devices plug into. */
extern struct pci_bus *pci_default_bus;

/* Plug d (already allocated by dev_create) into bus at d->devfn or the
 * first free slot; sets the standard write masks.  Called by realize. */
int pci_device_plug(struct pci_bus *bus, struct pci_device *d,
                    struct err **errp);
void pci_register_bar(struct pci_device *d, int n, unsigned type,
                      struct mem_region *mr);
/* Load d->romfile (or default_rom if romfile is unset; "" = none) into an
 * expansion ROM BAR. */
int pci_load_rom(struct pci_device *d, const char *default_rom,
                 struct err **errp);
void pci_set_irq(struct pci_device *d, int level);

uint32_t pci_default_config_read(struct pci_device *d, unsigned off,
                                 unsigned len);
void pci_default_config_write(struct pci_device *d, unsigned off,
                              uint32_t val, unsigned len);
/* Config mechanism #1 entry points for the host bridge (devfn, offset). */
uint32_t pci_config_read(struct pci_bus *bus, int devfn, unsigned off,
                         unsigned len);
void pci_config_write(struct pci_bus *bus, int devfn, unsigned off,
                      uint32_t val, unsigned len);
/* Back to power-on state (BARs unmapped, command cleared). */
void pci_device_reset(struct pci_device *d);

static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static inline uint32_t pci_get_long(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Common properties of every PCI device type (addr, romfile,
 * multifunction), for inclusion in a type's table. */
#define PCI_DEVICE_PROPS(st)                                              \
    PROP("addr", PROP_PCI_ADDR, st, pci.devfn, NULL, "slot and function"), \
    PROP("romfile", PROP_STR, st, pci.romfile, NULL, "option ROM file"),   \
    PROP("multifunction", PROP_BOOL, st, pci.multifunction, "off",         \
         "multifunction device")

#endif
