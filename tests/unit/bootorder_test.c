/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bootorder_test.c - the fw_cfg "bootorder" list: paths sorted by
 * bootindex whatever the registration order, a bootindex used twice
 * refused, strict=on's HALT line, devices without bootindex= left out,
 * and the generic bootindex= property of bootable device types. */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/hw/bootorder.h"
#include "emu/hw/dev.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

/* Whether e says what (and free it). */
static bool err_has(struct err *e, const char *what)
{
    bool r = e && strstr(e->msg, what);
    if (!r) {
        printf("#   error %s, want \"%s\"\n", e ? e->msg : "(none)", what);
    }
    err_free(e);
    return r;
}

TEST(sorted_by_index)
{
    bootorder_clear();
    struct err *e = NULL;
    EXPECT_EQ(bootorder_add(5, "/pci@i0cf8/ethernet@3", &e), 0);
    EXPECT_EQ(bootorder_add(1, "/pci@i0cf8/ide@1,1/drive@0/disk@0", &e), 0);
    EXPECT_EQ(bootorder_add(3, "/rom@genroms/linuxboot.bin", &e), 0);
    EXPECT_EQ(bootorder_add(-1, "/not/listed", &e), 0);
    size_t len;
    char *s = bootorder_build(false, &len);
    EXPECT_STR(s, "/pci@i0cf8/ide@1,1/drive@0/disk@0\n"
                  "/rom@genroms/linuxboot.bin\n/pci@i0cf8/ethernet@3");
    EXPECT_EQ(len, strlen(s) + 1);
    free(s);
    s = bootorder_build(true, &len);
    EXPECT(s && strstr(s, "/pci@i0cf8/ethernet@3\nHALT") != NULL);
    EXPECT_EQ(len, strlen(s) + 1);
    free(s);
}

TEST(duplicate_index_refused)
{
    bootorder_clear();
    struct err *e = NULL;
    EXPECT_EQ(bootorder_add(2, "/a", &e), 0);
    EXPECT_EQ(bootorder_add(2, "/b", &e), -1);
    EXPECT(err_has(e, "The bootindex 2 has already been used"));
}

TEST(empty_list)
{
    bootorder_clear();
    size_t len = 7;
    EXPECT(bootorder_build(false, &len) == NULL);
    EXPECT_EQ(len, 0);
    char *s = bootorder_build(true, &len);
    EXPECT_STR(s, "HALT");
    EXPECT_EQ(len, 5);
    free(s);
}

/* A bootable front end as the disk and NIC models will be. */
struct bootdev {
    struct device dev;
};

static int bootdev_realize(struct device *dev, struct err **errp)
{
    return dev_boot_register(dev, "/test@1", errp);
}

static const struct prop bootdev_props[] = { { NULL } };

static const struct dev_type bootdev_type = {
    .name = "test-bootdev", .category = "Misc devices", .desc = "test",
    .bus = BUS_SYSTEM, .size = sizeof(struct bootdev),
    .props = bootdev_props, .user_creatable = true, .bootable = true,
    .realize = bootdev_realize,
};

static const struct dev_type plain_type = {
    .name = "test-plain", .category = "Misc devices", .desc = "test",
    .bus = BUS_SYSTEM, .size = sizeof(struct bootdev),
    .props = bootdev_props, .user_creatable = true,
};

TEST(bootindex_property)
{
    bootorder_clear();
    struct err *e = NULL;
    struct kvlist *kv = kvlist_new();
    EXPECT_EQ(kvlist_parse(kv, "test-bootdev,bootindex=4", "driver", &e), 0);
    struct device *d = dev_create(&bootdev_type, kv, &e);
    EXPECT(d != NULL);
    EXPECT_EQ(d ? d->bootindex : 0, 4);
    size_t len;
    char *s = bootorder_build(false, &len);
    EXPECT_STR(s, "/test@1");
    free(s);
    kvlist_free(kv);
    /* Without bootindex= the device is not listed. */
    kv = kvlist_new();
    EXPECT_EQ(kvlist_parse(kv, "test-bootdev", "driver", &e), 0);
    d = dev_create(&bootdev_type, kv, &e);
    EXPECT(d && d->bootindex == -1);
    kvlist_free(kv);
    /* Bad values, and types that cannot boot. */
    kv = kvlist_new();
    EXPECT_EQ(kvlist_parse(kv, "test-bootdev,bootindex=x", "driver", &e), 0);
    EXPECT(dev_create(&bootdev_type, kv, &e) == NULL);
    EXPECT(err_has(e, "Parameter 'bootindex' expects an int32 value"));
    e = NULL;
    kvlist_free(kv);
    kv = kvlist_new();
    EXPECT_EQ(kvlist_parse(kv, "test-plain,bootindex=1", "driver", &e), 0);
    EXPECT(dev_create(&plain_type, kv, &e) == NULL);
    EXPECT(err_has(e, "Property 'test-plain.bootindex' not found"));
    kvlist_free(kv);
}

TEST_MAIN()
