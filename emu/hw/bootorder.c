/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bootorder.c - the boot order list behind fw_cfg "bootorder".  SeaBIOS
 * (src/boot.c, loadBootOrder) reads it as newline-separated Open Firmware
 * style device paths, the first the most preferred, and stops at a "HALT"
 * line (-boot strict=on: nothing unlisted boots).  Front ends call
 * dev_boot_register() from realize with their path; the machine calls
 * bootorder_build() once every device exists.
 */
#include "emu/osdep.h"

#include "emu/hw/bootorder.h"
#include "emu/hw/dev.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

struct boot_entry {
    int32_t index;
    char *path;
    struct boot_entry *next;    /* sorted by index */
};

static struct boot_entry *entries;

int bootorder_add(int32_t bootindex, const char *fw_path, struct err **errp)
{
    if (bootindex < 0) {
        return 0;
    }
    struct boot_entry **pp = &entries;
    while (*pp && (*pp)->index < bootindex) {
        pp = &(*pp)->next;
    }
    if (*pp && (*pp)->index == bootindex) {
        err_setf(errp, "The bootindex %d has already been used",
                 (int)bootindex);
        return -1;
    }
    struct boot_entry *e = xzalloc(sizeof(*e));
    e->index = bootindex;
    e->path = xstrdup(fw_path);
    e->next = *pp;
    *pp = e;
    return 0;
}

int dev_boot_register(struct device *dev, const char *fw_path,
                      struct err **errp)
{
    return bootorder_add(dev->bootindex, fw_path, errp);
}

int bootorder_add_pci(int32_t bootindex, const char *name, int devfn,
                      const char *suffix, struct err **errp)
{
    char path[128];

    if (devfn & 7) {
        snprintf(path, sizeof(path), "/pci@i0cf8/%s@%x,%x%s", name,
                 devfn >> 3, devfn & 7, suffix);
    } else {
        snprintf(path, sizeof(path), "/pci@i0cf8/%s@%x%s", name, devfn >> 3,
                 suffix);
    }
    return bootorder_add(bootindex, path, errp);
}

char *bootorder_build(bool strict, size_t *len)
{
    size_t n = strict ? sizeof("HALT") : 0;
    for (struct boot_entry *e = entries; e; e = e->next) {
        n += strlen(e->path) + 1;
    }
    if (!n) {
        *len = 0;
        return NULL;
    }
    char *s = xzalloc(n), *p = s;
    for (struct boot_entry *e = entries; e; e = e->next) {
        p += sprintf(p, "%s%s", p == s ? "" : "\n", e->path);
    }
    if (strict) {
        sprintf(p, "%sHALT", p == s ? "" : "\n");
    }
    *len = strlen(s) + 1;
    return s;
}

void bootorder_clear(void)
{
    while (entries) {
        struct boot_entry *e = entries;
        entries = e->next;
        free(e->path);
        free(e);
    }
}
