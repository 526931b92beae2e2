/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor.h - monitors on chardevs: QMP (the JSON protocol of QEMU,
 * docs "QEMU Machine Protocol Specification") and HMP (the human monitor,
 * readline mode).  Any number of each.
 */
#ifndef HEMU_EMU_MONITOR_MONITOR_H
#define HEMU_EMU_MONITOR_MONITOR_H

#include "emu/osdep.h"

struct err;
struct chardev;

/* Attach a monitor to chr; qmp selects mode=control, pretty for QMP. */
int monitor_new(struct chardev *chr, bool qmp, bool pretty,
                struct err **errp);
void monitor_cleanup_all(void);

#endif
