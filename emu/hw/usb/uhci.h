/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uhci.h - the PIIX3 UHCI USB controller (uhci.c); the state is exposed
 * for the unit tests and the fuzz target, which run frames by hand.
 */
#ifndef HEMU_EMU_HW_USB_UHCI_H
#define HEMU_EMU_HW_USB_UHCI_H

#include "emu/hw/pci.h"
#include "emu/hw/usb/usb.h"
#include "emu/mem/mem.h"

#define UHCI_PORTS 2
/* Schedule elements (TDs and QHs) one frame may visit. */
#define UHCI_MAX_ELEMS 2048
#define UHCI_MAX_QH_SEEN 64

struct timer;

struct uhci {
    struct pci_device pci;
    struct mem_region io;
    struct addr_space *dma;
    struct usb_bus *bus;
    struct timer *timer;
    int64_t next_frame;
    uint16_t cmd, sts, intr, frnum;
    uint32_t flbase;
    uint8_t sofmod;
    uint16_t portsc[UHCI_PORTS];
    unsigned pending;           /* INTR_IOC/INTR_SP causes of USBINT */
    bool progress;
    uint8_t xfer[1280];
    /* Tests: called instead of the PCI INTx when set. */
    void (*pci_irq)(struct uhci *s, int level);
};

extern const struct dev_type uhci_type;

/* Without PCI (tests, fuzzing): DMA from dma, a bus of two ports. */
void uhci_init(struct uhci *s, struct addr_space *dma);
void uhci_run_frame(struct uhci *s);
uint64_t uhci_io_read(void *opaque, uint64_t off, unsigned size);
void uhci_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size);

#endif
