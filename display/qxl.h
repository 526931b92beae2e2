/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qxl.h - the QXL display devices (qxl.c, qxl-dev.c): what the fuzz target drives
 * besides the guest's view (I/O ports, ring memory).
 */
#ifndef HEMU_DISPLAY_QXL_H
#define HEMU_DISPLAY_QXL_H

#include "emu/osdep.h"

#include <spice.h>

struct qxl;

/* The first realized card, or NULL. */
struct qxl *qxl_device(void);
/* A card with its memory but no PCI bus or spice-server (fuzzing): BAR 0
 * at guest address 0, BAR 1 right after it; qxl-vga or the secondary. */
struct qxl *qxl_fuzz_new(bool vga_compat);
/* BAR 0, BAR 1 host memory and sizes (fuzzing). */
uint8_t *qxl_bar(struct qxl *d, int n, uint64_t *size);
/* Host pointer for len bytes at a guest QXL address, or NULL. */
uint8_t *qxl_translate(struct qxl *d, QXLPHYSICAL addr, uint64_t len);
void qxl_io_write(struct qxl *d, unsigned port, uint32_t val);
int qxl_get_command(struct qxl *d, QXLCommandExt *ext);
int qxl_get_cursor_command(struct qxl *d, QXLCommandExt *ext);
/* Release a command the guest handed over (as the worker does). */
void qxl_release(struct qxl *d, QXLPHYSICAL cmd);

#endif
