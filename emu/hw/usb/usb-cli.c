/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usb-cli.c - -usb and -usbdevice (QEMU 6.2 manual, "USB convenience
 * options"): -usb adds the board's UHCI at 00:01.2 as QEMU's pc does;
 * -usbdevice tablet|mouse|keyboard implies -usb and adds the device on
 * it before the -device ones.
 */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/hw/pci.h"
#include "emu/hw/usb/uhci.h"
#include "emu/hw/usb/usb.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

static bool usb_on;
static const char *legacy[32];
static int n_legacy;

int opt_usb(const char *arg, struct err **errp)
{
    (void)arg;
    (void)errp;
    usb_on = true;
    return 0;
}

static const char *legacy_type(const char *name)
{
    if (!strcmp(name, "tablet")) {
        return "usb-tablet";
    }
    if (!strcmp(name, "mouse")) {
        return "usb-mouse";
    }
    if (!strcmp(name, "keyboard")) {
        return "usb-kbd";
    }
    return NULL;
}

int opt_usbdevice(const char *arg, struct err **errp)
{
    if (!legacy_type(arg)) {
        err_setf(errp, "'%s': not supported (hemu has tablet, mouse and "
                 "keyboard)", arg);
        return -1;
    }
    if (n_legacy == (int)ARRAY_SIZE(legacy)) {
        err_setf(errp, "too many USB devices");
        return -1;
    }
    legacy[n_legacy++] = legacy_type(arg);
    usb_on = true;
    return 0;
}

bool usb_requested(void)
{
    return usb_on;
}

int usb_pc_init(struct err **errp)
{
    if (!usb_on) {
        return 0;
    }
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "addr", "01.2");
    struct device *d = dev_create(&uhci_type, kv, errp);
    kvlist_free(kv);
    if (!d) {
        return -1;
    }
    for (int i = 0; i < n_legacy; i++) {
        if (!dev_create(dev_type_find(legacy[i]), NULL, errp)) {
            return -1;
        }
    }
    return 0;
}
