/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qxl-int.h - what the QXL card's files share: the card's state (one
 * struct for both QEMU models, "qxl-vga" with the std VGA core and "qxl",
 * the secondary without it), the guest-facing core (qxl.c: rings,
 * memory slots, surfaces, I/O ports, spice-server's QXL interface,
 * console) and the device types (qxl-dev.c: PCI identity, BARs, ROM).
 */
#ifndef HEMU_DISPLAY_QXL_INT_H
#define HEMU_DISPLAY_QXL_INT_H

#include "emu/osdep.h"

#include <pthread.h>

#include "display/qxl.h"
#include "display/vga.h"
#include "emu/hw/pci.h"

#define QXL_GUEST_GROUP 1
#define QXL_NUM_SLOTS 8
#define QXL_SLOT_ID_BITS 8
#define QXL_SLOT_GEN_BITS 8
#define QXL_NUM_SURFACES 1024
#define QXL_ROM_SIZE 8192
#define QXL_IO_SIZE 32
#define QXL_MAX_DIM 4096
#define QXL_ROUND_UP(n, a) (((n) + (a) - 1) / (a) * (a))

struct qxl_slot {
    bool active;
    uint8_t *host;
    uint64_t size;
};

struct qxl {
    struct pci_device pci;
    uint32_t ram_size_mb, vram_size_mb, vgamem_mb;
    /* qxl-vga: the std VGA core is embedded, its vram is BAR 0 and the
     * card shows it until the driver creates a primary surface.  The
     * secondary has no VGA: BAR 0 is ram_mr and nothing is shown then. */
    bool vga_compat;
    struct vga vga;
    struct mem_region ram_mr;   /* BAR 0 of the secondary */
    struct mem_region *bar0_mr; /* BAR 0: vga.vram_mr or ram_mr */
    uint8_t *bar0;
    struct console *con;
    struct mem_region vram_mr;  /* BAR 1 */
    struct mem_region rom_mr;   /* BAR 2 */
    struct mem_region io_mr;    /* BAR 3 */
    uint32_t ram_header_offset;
    QXLRam *ram;
    QXLRom *rom;

    QXLInstance qxl;
    bool spice_up;
    bool native;                /* the guest's driver owns the display */
    bool have_primary;
    QXLSurfaceCreate primary;   /* as validated at creation */
    struct qxl_slot slots[QXL_NUM_SLOTS];
    uint8_t generation;

    /* Shared with the worker thread. */
    pthread_mutex_t lock;
    uint64_t rel_head;          /* release chain not yet in the ring */
    QXLReleaseInfo *rel_last;
    struct bh *irq_bh;
    bool fuzz;                  /* no bus: BARs at fixed addresses */
};

/* qxl.c */
extern const QXLInterface qxl_sif;
extern const struct mem_ops qxl_io_ops;
extern const struct console_hw_ops qxl_console_ops;
void qxl_irq_bh(void *opaque);
void qxl_ram_init(struct qxl *d);
/* QXL_IO_RESET and a system reset: rings cleared, out of native mode. */
void qxl_hard_reset(struct qxl *d);
/* spice-server has added the card's instance: its worker exists. */
void qxl_spice_added(void *opaque);

#endif
