/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xhci.h - the xHCI controller (xhci.c); the state is exposed for the
 * unit tests and the fuzz target, which program it without PCI.
 */
#ifndef HEMU_EMU_HW_USB_XHCI_H
#define HEMU_EMU_HW_USB_XHCI_H

#include "emu/hw/pci.h"
#include "emu/hw/usb/usb.h"
#include "emu/mem/mem.h"

#define XHCI_PORTS2 4           /* USB 2 root ports 1-4 */
#define XHCI_PORTS 8            /* and USB 3 ports 5-8 */
#define XHCI_SLOTS 32

struct timer;

struct xhci_ep {
    uint8_t state, type;
    bool ccs, nak;
    uint64_t deq;
};

struct xhci_slot {
    bool enabled;
    int port;                   /* root port, 1-based */
    struct xhci_ep ep[32];      /* by DCI */
};

struct xhci {
    struct pci_device pci;
    struct mem_region mmio;
    struct addr_space *dma;
    struct usb_bus *bus;
    struct timer *timer;
    uint32_t cmd, sts, dnctrl, max_slots_en;
    uint64_t cr_deq, dcbaap;
    bool cr_ccs, crr;
    uint32_t portsc[XHCI_PORTS];
    /* interrupter 0 and its event ring producer */
    uint32_t iman, imod, erstsz;
    uint64_t erstba, erdp;
    uint64_t er_base;
    uint32_t er_size, er_idx;
    unsigned er_seg;
    bool er_pcs, er_full;
    bool any_nak;
    struct xhci_slot slots[XHCI_SLOTS + 1];
    uint8_t xfer[0x20000];      /* a TRB moves at most 128 KiB - 1 */
    /* Tests: called instead of the PCI INTx when set. */
    void (*irq_cb)(struct xhci *s, int level);
};

void xhci_init(struct xhci *s, struct addr_space *dma);
uint64_t xhci_mmio_read(void *opaque, uint64_t off, unsigned size);
void xhci_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size);

#endif
