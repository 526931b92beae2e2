/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i440fx.h - the Intel 440FX PCI host bridge (PMC) of the pc machine:
 * configuration mechanism #1 at 0xcf8/0xcfc, the PAM registers that
 * switch 0xc0000-0xfffff between RAM and the PCI/ROM view, and SMRAM
 * control for the 0xa0000-0xbffff window (82441FX datasheet, §3.2).
 */
#ifndef HEMU_EMU_HW_I440FX_H
#define HEMU_EMU_HW_I440FX_H

#include "emu/hw/pci.h"
#include "emu/mem/mem.h"

#define I440FX_PAM 0x59
#define I440FX_SMRAM 0x72
#define I440FX_NUM_PAM 13

struct i440fx {
    struct pci_device pci;          /* 00.0 */
    struct pci_bus *bus;
    struct addr_space *mem;
    struct mem_region conf_idx, conf_data;
    uint32_t conf_addr;
    /* What the chipset shows where PAM or SMRAM send accesses to PCI. */
    struct mem_region *ram;         /* guest RAM from address 0 */
    struct mem_region *pc_rom;      /* 0xc0000-0xdffff PCI view */
    struct mem_region *bios;        /* its last 128 KiB at 0xe0000 */
    struct mem_region pam_ro[I440FX_NUM_PAM];   /* read-only RAM views */
    struct as_mapping *pam_map[I440FX_NUM_PAM];
    int pam_mode[I440FX_NUM_PAM];
    /* 0xa0000-0xbffff: the VGA window (SMRAM closed) or RAM (open). */
    struct mem_region vga_window, pci_empty;
    struct mem_region *vga_legacy;  /* set by a VGA device; NULL: nothing */
    struct mem_region smram_open;
    struct as_mapping *smram_map;
};

/*
 * Create the host bridge and its PCI bus (which becomes pci_default_bus)
 * on the given address spaces.  ram must cover 0..1 MiB at least;
 * pc_rom is 128 KiB; bios is the firmware image (>= 128 KiB).
 */
struct i440fx *i440fx_create(struct addr_space *mem, struct addr_space *io,
                             struct mem_region *ram, struct mem_region *pc_rom,
                             struct mem_region *bios, struct err **errp);
void i440fx_reset(struct i440fx *h);

#endif
