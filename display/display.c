/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * display.c - the -vga option and the pc board's display set-up: as in
 * QEMU, "std" is the default card (at 00:02.0), -nodefaults drops the
 * default, -nographic and -display none keep the card.
 */
#include "emu/osdep.h"

#include "display/console.h"
#include "display/display.h"
#include "display/vga.h"
#include "emu/cli/keyval.h"
#include "emu/hw/dev.h"
#include "emu/hw/i8042.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"

enum vga_choice vga_choice = VGA_DEFAULT;

extern const struct dev_type vga_pci_type;
#ifdef CONFIG_SPICE
extern const struct dev_type qxl_vga_type;
#endif

int opt_vga(const char *arg, struct err **errp)
{
    if (!strcmp(arg, "help")) {
        printf("%-10s standard VGA (default)\n%-10s no VGA card\n", "std",
               "none");
#ifdef CONFIG_SPICE
        printf("%-10s QXL paravirtual graphic card\n", "qxl");
#endif
        return 1;
    }
    if (!strcmp(arg, "std")) {
        vga_choice = VGA_STD;
        return 0;
    }
    if (!strcmp(arg, "none")) {
        vga_choice = VGA_NONE;
        return 0;
    }
#ifdef CONFIG_SPICE
    if (!strcmp(arg, "qxl")) {
        vga_choice = VGA_QXL;
        return 0;
    }
#endif
    static const char *const known[] = { "cirrus", "vmware", "qxl", "xenfb",
                                         "tcx", "cg3", "virtio", NULL };
    for (int i = 0; known[i]; i++) {
        if (!strcmp(arg, known[i])) {
            err_setf(errp, "%s: not supported", arg);
            return -1;
        }
    }
    err_setf(errp, "unknown vga type: %s", arg);
    return -1;
}

static void kbd_put(void *opaque, const uint8_t *codes, int n)
{
    i8042_put_keycodes(opaque, codes, n);
}

static void mouse_put(void *opaque, int dx, int dy, int dz, uint8_t buttons)
{
    i8042_mouse_event(opaque, dx, dy, dz, buttons);
}

static const struct console_input_ops i8042_input = {
    .key_set2 = kbd_put,
    .pointer = mouse_put,
};

int display_pc_init(struct mem_region **legacy_slot, struct i8042 *kbc,
                    struct err **errp)
{
    vga_legacy_slot = legacy_slot;
    if (kbc) {
        console_set_input(&i8042_input, kbc);
    }
    if (vga_choice == VGA_STD || (vga_choice == VGA_DEFAULT && !cfg.nodefaults)) {
        struct kvlist *kv = kvlist_new();
        kv_set(kv, "addr", "2");
        struct device *d = dev_create(&vga_pci_type, kv, errp);
        kvlist_free(kv);
        if (!d) {
            return -1;
        }
    }
#ifdef CONFIG_SPICE
    if (vga_choice == VGA_QXL) {
        struct kvlist *kv = kvlist_new();
        kv_set(kv, "addr", "2");
        struct device *d = dev_create(&qxl_vga_type, kv, errp);
        kvlist_free(kv);
        if (!d) {
            return -1;
        }
    }
#endif
    return 0;
}
