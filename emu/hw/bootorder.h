/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bootorder.h - the boot order list SeaBIOS reads from fw_cfg "bootorder":
 * devices with bootindex= (and the -kernel loader ROM, index 0) register
 * their firmware device path; the machine writes the list, sorted by
 * index, once every device exists.
 */
#ifndef HEMU_EMU_HW_BOOTORDER_H
#define HEMU_EMU_HW_BOOTORDER_H

#include "emu/osdep.h"

struct device;
struct err;

/* Register a firmware device path ("/pci@i0cf8/ethernet@3",
 * "/rom@genroms/linuxboot.bin") at bootindex; an index already used is
 * an error, as in QEMU. */
int bootorder_add(int32_t bootindex, const char *fw_path, struct err **errp);
/* For front ends: register dev when -device gave it bootindex= (a no-op
 * otherwise); fw_path is where the firmware finds it. */
int dev_boot_register(struct device *dev, const char *fw_path,
                      struct err **errp);
/* For PCI front ends: register "/pci@i0cf8/NAME@SLOT[,FN]SUFFIX" at
 * bootindex (a no-op for -1). */
int bootorder_add_pci(int32_t bootindex, const char *name, int devfn,
                      const char *suffix, struct err **errp);
/* The fw_cfg "bootorder" file: paths by increasing index, one per line,
 * "HALT" last with strict; NUL-terminated and *len counts the NUL.  NULL
 * when the list is empty and not strict (no file at all then). */
char *bootorder_build(bool strict, size_t *len);
/* Forget every entry (tests). */
void bootorder_clear(void);

#endif
