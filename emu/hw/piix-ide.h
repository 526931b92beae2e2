/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * piix-ide.h - the PIIX3 IDE function (PCI 00:01.1) with its two legacy
 * channels and bus master DMA; the pc board attaches -drive if=ide drives.
 */
#ifndef HEMU_EMU_HW_PIIX_IDE_H
#define HEMU_EMU_HW_PIIX_IDE_H

#include "emu/osdep.h"

struct pci_bus;
struct isa_bus;
struct err;
struct piix_ide;
struct ide_bus;

/* The pc board's controller (pc-storage.c); NULL on machines without
 * one.  -device ide-hd/ide-cd (ide-dev.c) plug into its channels. */
extern struct piix_ide *pc_ide;

struct piix_ide *piix_ide_create(struct pci_bus *pbus, struct isa_bus *isa,
                                 struct err **errp);
struct ide_bus *piix_ide_bus(struct piix_ide *s, int n);
/* For emu/hw/bootorder.c: the firmware path of drive (bus, unit) and its
 * bootindex (-1: none). */
int piix_ide_boot_path(struct piix_ide *s, int bus, int unit, char *buf,
                       size_t len, int32_t *bootindex);

#endif
