/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dev.h - device types and instances (DESIGN.md "device types", STYLE.md
 * §2 "Devices").  A type is static data: a name as QEMU spells it, the bus
 * it plugs into, its instance size, a property table, realize and reset.
 * DEV_TYPE(x) registers it in a linker section; the same table answers
 * -device help, -device X,help, -global and (later) QMP
 * device-list-properties.  No object system: an instance is a struct that
 * starts with struct device.
 */
#ifndef HEMU_EMU_HW_DEV_H
#define HEMU_EMU_HW_DEV_H

#include "emu/osdep.h"

struct err;
struct kvlist;
struct chardev;

enum prop_type {
    PROP_BOOL,      /* bool */
    PROP_U8,        /* uint8_t */
    PROP_U16,       /* uint16_t */
    PROP_U32,       /* uint32_t */
    PROP_U64,       /* uint64_t */
    PROP_SIZE,      /* uint64_t, with K/M/G suffixes */
    PROP_STR,       /* char *, malloc'd */
    PROP_CHR,       /* struct chardev *, by chardev id */
    PROP_PCI_ADDR,  /* int32_t devfn ("slot[.fn]"), -1 = any */
    PROP_MAC,       /* uint8_t[6] ("52:54:00:12:34:56") */
};

struct prop {
    const char *name;
    enum prop_type type;
    size_t offset;          /* into the instance struct */
    const char *def;        /* default as text; NULL = zero/NULL */
    const char *help;
};

#define PROP(name_, type_, st, field, def_, help_) \
    { name_, type_, offsetof(st, field), def_, help_ }

enum dev_bus {
    BUS_SYSTEM,     /* built into the machine, not on a user bus */
    BUS_ISA,
    BUS_PCI,
    BUS_USB,
};

struct device;

struct dev_type {
    const char *name;
    const char *category;   /* "Network devices", "Misc devices", ... */
    const char *desc;
    enum dev_bus bus;
    size_t size;            /* instance size, >= sizeof(struct device) */
    const struct prop *props;   /* terminated by { NULL } */
    bool user_creatable;    /* may be given to -device */
    /* Takes the generic bootindex= property (a front end that firmware
     * can boot from registers itself with dev_boot_register()). */
    bool bootable;
    int (*realize)(struct device *dev, struct err **errp);
    void (*reset)(struct device *dev);
};

struct device {
    const struct dev_type *type;
    char *id;               /* -device id=, NULL if none */
    int32_t bootindex;      /* bootindex=, -1 if none */
    struct device *next;
};

#define DEV_TYPE(t)                                                     \
    static const struct dev_type *const dev_type_ptr_##t                \
        __attribute__((section("hemu_dev_types"), used, aligned(8))) = &t

/* Iterate over every registered type. */
const struct dev_type *dev_type_find(const char *name);
void dev_type_foreach(void (*fn)(const struct dev_type *t, void *opaque),
                      void *opaque);
void dev_print_types(FILE *f);
void dev_print_props(FILE *f, const struct dev_type *t);

/* -global driver.prop=value / driver=,property=,value= */
int dev_global_add(const char *arg, struct err **errp);

/*
 * Create an instance: defaults, then -global values, then opts (which must
 * all be consumed), then realize.  Machines pass opts = NULL for built-in
 * devices.  The instance is kept in creation order and reset on every
 * system reset.
 */
struct device *dev_create(const struct dev_type *t, struct kvlist *opts,
                          struct err **errp);
struct device *dev_find(const char *id);
void dev_reset_all(void);
/* Set one property from text (exposed for tests and -global). */
int dev_prop_set(struct device *dev, const struct prop *p, const char *val,
                 struct err **errp);

#endif
