/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dev_test.c - device types: registration through the linker section,
 * property defaults, -global, -device options and their errors, help
 * output, reset. */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/hw/dev.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

struct testdev {
    struct device dev;
    bool flag;
    uint8_t small;
    uint32_t word;
    uint64_t mem;
    char *label;
    int32_t addr;
    uint8_t mac[6];
    int resets;
    int realized;
};

static int testdev_realize(struct device *dev, struct err **errp)
{
    struct testdev *t = (struct testdev *)dev;
    if (t->word == 13) {
        err_setf(errp, "unlucky word");
        return -1;
    }
    t->realized++;
    return 0;
}

static void testdev_reset(struct device *dev)
{
    ((struct testdev *)dev)->resets++;
}

static const struct prop testdev_props[] = {
    PROP("flag", PROP_BOOL, struct testdev, flag, "on", "a switch"),
    PROP("small", PROP_U8, struct testdev, small, NULL, "a byte"),
    PROP("word", PROP_U32, struct testdev, word, "7", "a word"),
    PROP("mem", PROP_SIZE, struct testdev, mem, "1M", "a size"),
    PROP("label", PROP_STR, struct testdev, label, "none", "a string"),
    PROP("addr", PROP_PCI_ADDR, struct testdev, addr, NULL, "slot.fn"),
    PROP("mac", PROP_MAC, struct testdev, mac, NULL, "a MAC address"),
    { NULL },
};

static const struct dev_type testdev_type = {
    .name = "x-unit-testdev",
    .category = "Misc devices",
    .desc = "unit test device",
    .bus = BUS_SYSTEM,
    .size = sizeof(struct testdev),
    .props = testdev_props,
    .user_creatable = true,
    .realize = testdev_realize,
    .reset = testdev_reset,
};
DEV_TYPE(testdev_type);

static struct testdev *create(const char *opts, struct err **e)
{
    struct kvlist *kv = kvlist_new();
    EXPECT_EQ(kvlist_parse(kv, opts, "driver", NULL), 0);
    struct device *d = dev_create(&testdev_type, kv, e);
    if (d) {
        EXPECT_EQ(kv_check_used(kv, NULL), 0);
    }
    kvlist_free(kv);
    return (struct testdev *)d;
}

TEST(type_is_registered)
{
    EXPECT(dev_type_find("x-unit-testdev") == &testdev_type);
    EXPECT(dev_type_find("e1000") == NULL);
}

TEST(defaults_and_options)
{
    struct err *e = NULL;
    struct testdev *t = create("x-unit-testdev", &e);
    EXPECT(t != NULL);
    EXPECT(t->flag);
    EXPECT_EQ(t->word, 7);
    EXPECT_EQ(t->mem, 1 << 20);
    EXPECT_STR(t->label, "none");
    EXPECT_EQ(t->addr, -1);
    EXPECT_EQ(t->realized, 1);

    t = create("x-unit-testdev,id=d1,flag=off,small=200,word=0x10,mem=2G,"
               "label=a,,b,addr=1f.7,mac=52:54:00:12:34:56", &e);
    EXPECT(t != NULL);
    EXPECT(!t->flag);
    EXPECT_EQ(t->small, 200);
    EXPECT_EQ(t->word, 16);
    EXPECT_EQ(t->mem, 2ULL << 30);
    EXPECT_STR(t->label, "a,b");
    EXPECT_EQ(t->addr, 0x1f << 3 | 7);
    EXPECT_EQ(t->mac[5], 0x56);
    EXPECT(dev_find("d1") == &t->dev);
}

static void expect_error(const char *opts, const char *msg)
{
    struct err *e = NULL;
    EXPECT(create(opts, &e) == NULL);
    EXPECT(e != NULL);
    if (e) {
        if (!strstr(e->msg, msg)) {
            printf("#   '%s': message '%s' lacks '%s'\n", opts, e->msg, msg);
            EXPECT(0);
        }
        err_free(e);
    }
}

TEST(option_errors)
{
    expect_error("x-unit-testdev,bogus=1", "Property 'x-unit-testdev.bogus' not found");
    expect_error("x-unit-testdev,small=256", "Parameter 'small' expects uint8");
    expect_error("x-unit-testdev,flag=maybe", "expects 'on' or 'off'");
    expect_error("x-unit-testdev,addr=20", "doesn't take value '20'");
    expect_error("x-unit-testdev,addr=3.8", "doesn't take value '3.8'");
    expect_error("x-unit-testdev,mac=52:54:00", "doesn't take value");
    expect_error("x-unit-testdev,id=9bad", "expects an identifier");
    expect_error("x-unit-testdev,word=13", "unlucky word");
    struct err *e = NULL;
    EXPECT(create("x-unit-testdev,id=dup", &e) != NULL);
    expect_error("x-unit-testdev,id=dup", "Duplicate device ID 'dup'");
}

TEST(globals_apply_before_options)
{
    struct err *e = NULL;
    EXPECT_EQ(dev_global_add("x-unit-testdev.word=99", &e), 0);
    EXPECT_EQ(dev_global_add("driver=x-unit-testdev,property=small,value=5", &e), 0);
    struct testdev *t = create("x-unit-testdev", &e);
    EXPECT(t != NULL);
    EXPECT_EQ(t->word, 99);
    EXPECT_EQ(t->small, 5);
    t = create("x-unit-testdev,word=3", &e);
    EXPECT_EQ(t->word, 3);
    EXPECT(dev_global_add("nodot=1", &e) < 0);
    err_free(e);
}

TEST(reset_reaches_every_instance)
{
    struct err *e = NULL;
    struct testdev *t = create("x-unit-testdev", &e);
    int before = t->resets;
    dev_reset_all();
    EXPECT_EQ(t->resets, before + 1);
}

TEST(help_lists_type_and_props)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    dev_print_types(f);
    dev_print_props(f, &testdev_type);
    fclose(f);
    EXPECT(strstr(buf, "Misc devices:") != NULL);
    EXPECT(strstr(buf, "name \"x-unit-testdev\", bus System") != NULL);
    EXPECT(strstr(buf, "word=<uint32>") != NULL);
    EXPECT(strstr(buf, "(default: 7)") != NULL);
    free(buf);
}

TEST_MAIN()
