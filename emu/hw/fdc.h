/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdc.h - the ISA floppy disk controller (fdc.c) at 0x3f0, IRQ 6, DMA
 * channel 2, with up to two drives.
 */
#ifndef HEMU_EMU_HW_FDC_H
#define HEMU_EMU_HW_FDC_H

#include "emu/osdep.h"

struct isa_bus;
struct isa_dma;
struct blk;
struct err;
struct fdc;

/* drives[0..1]: the images of A: and B: (NULL: no drive). */
struct fdc *fdc_create(struct isa_bus *bus, struct isa_dma *dma,
                       struct blk *drives[2], struct err **errp);
/* The CMOS drive type (register 0x10 nibble: 0 none, 1 360K, 2 1.2M,
 * 3 720K, 4 1.44M, 5 2.88M) of drive n. */
int fdc_cmos_type(struct fdc *f, int n);

#endif
