/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i8237.h - the PC/AT's two cascaded Intel 8237A DMA controllers with
 * their page registers (i8237.c), as ISA devices (the floppy controller)
 * use them.
 */
#ifndef HEMU_EMU_HW_I8237_H
#define HEMU_EMU_HW_I8237_H

#include "emu/osdep.h"

struct isa_bus;
struct addr_space;
struct err;
struct isa_dma;

struct isa_dma *isa_dma_create(struct isa_bus *bus, struct addr_space *mem,
                               struct err **errp);
/* The board's controller (NULL: none), for the ISA devices it serves. */
extern struct isa_dma *isa_dma_current;

/*
 * One transfer on channel ch for a device with buf of len bytes: moves
 * as many bytes as the channel's programmed count allows (nothing when it
 * is masked), in the direction its mode says (write: device to memory,
 * read: memory to device, verify: no memory access).  Returns the bytes
 * moved; *tc says the count ran out (terminal count).
 */
uint32_t isa_dma_transfer(struct isa_dma *d, unsigned ch, uint8_t *buf,
                          uint32_t len, bool *tc);

#endif
