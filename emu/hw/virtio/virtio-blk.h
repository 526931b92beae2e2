/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-blk.h - virtio-blk-pci (virtio-blk.c): the device type, created
 * by -device virtio-blk-pci,drive=ID or for -drive if=virtio.
 */
#ifndef HEMU_EMU_HW_VIRTIO_VIRTIO_BLK_H
#define HEMU_EMU_HW_VIRTIO_VIRTIO_BLK_H

#include "emu/hw/dev.h"

extern const struct dev_type virtio_blk_pci_type;

/* For emu/hw/bootorder.c: the firmware path ("/pci@i0cf8/scsi@4/disk@0,0")
 * and the bootindex (-1: none) of a virtio-blk-pci device. */
int virtio_blk_boot_path(struct device *dev, char *buf, size_t len,
                         int32_t *bootindex);

#endif
