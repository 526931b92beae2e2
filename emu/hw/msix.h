/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * msix.h - PCI MSI-X (PCI Local Bus 3.0, 6.8.2): the capability in
 * configuration space, the vector table and pending bit array in a memory
 * BAR, per-vector and function masking with pending bits, messages
 * handed to the bus's MSI sink (the pc machine's local APICs).
 */
#ifndef HEMU_EMU_HW_MSIX_H
#define HEMU_EMU_HW_MSIX_H

#include "emu/hw/pci.h"
#include "emu/mem/mem.h"

#define MSIX_MAX_VECTORS 64
#define MSIX_BAR_SIZE 0x1000
#define MSIX_PBA_OFF 0x800

struct msix {
    struct pci_device *dev;
    unsigned nvec;              /* 0: not present */
    unsigned cap;               /* capability offset in config space */
    uint8_t table[MSIX_MAX_VECTORS * 16];
    uint64_t pba;               /* one bit per vector */
    struct mem_region mr;       /* table at 0, PBA at MSIX_PBA_OFF */
};

/* Add the capability at config offset cap (linked after prev, or first
 * when prev is 0) with nvec vectors (1..MSIX_MAX_VECTORS) and map the
 * table/PBA as BAR bar. */
void msix_init(struct msix *m, struct pci_device *d, unsigned nvec,
               unsigned cap, unsigned prev, int bar);
/* MSI-X Enable set in the capability (INTx is then off). */
bool msix_enabled(const struct msix *m);
/* Signal vector v: sent, or left pending while masked.  Out of range
 * vectors do nothing. */
void msix_notify(struct msix *m, unsigned v);
/* Call after every configuration write: a function unmask delivers what
 * is pending. */
void msix_config_written(struct msix *m);
/* Power-on state: every vector masked, nothing pending, disabled. */
void msix_reset(struct msix *m);
/* Table/PBA accesses (the BAR's callbacks, exposed for tests). */
uint64_t msix_mmio_read(void *opaque, uint64_t off, unsigned size);
void msix_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size);

#endif
