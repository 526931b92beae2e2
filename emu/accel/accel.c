/* SPDX-License-Identifier: GPL-2.0-or-later */
/* accel.c - the accelerators built into hemu, by name. */
#include "emu/osdep.h"

#include "emu/accel/accel.h"

/* The soft CPU defines this when it is built in. */
extern const struct accel_ops tcg_accel_ops __attribute__((weak));

const struct accel_ops *accel_find(const char *name)
{
    if (!strcmp(name, "tcg") && &tcg_accel_ops) {
        return &tcg_accel_ops;
    }
    return NULL;
}
