/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fw_cfg_test.c - the firmware configuration device through its ports:
 * signature and ID, legacy keys, the file directory, DMA reads with select,
 * skip and zero fill, DMA errors, the DMA signature. */
#include "emu/osdep.h"

#include "emu/hw/fw_cfg.h"
#include "emu/mem/mem.h"
#include "tests/unit/test.h"

static struct addr_space *io, *mem;
static struct mem_region ram;
static struct fw_cfg *fw;

static void setup(void)
{
    if (fw) {
        return;
    }
    io = as_new("io", 0x10000, ~0ULL);
    mem = as_new("mem", 1ULL << 32, 0);
    mem_region_init_ram(&ram, "ram", 1 << 20, NULL);
    as_map(mem, 0, &ram, 0, 1 << 20, 0);
    fw = fw_cfg_new(io, 0x510, mem);
}

static void sel(uint16_t key)
{
    as_write(io, 0x510, key, 2);
}

static void read_data(uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf[i] = (uint8_t)as_read(io, 0x511, 1);
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

TEST(signature_and_id)
{
    setup();
    uint8_t buf[8];
    sel(FW_CFG_SIGNATURE);
    read_data(buf, 4);
    EXPECT(!memcmp(buf, "QEMU", 4));
    sel(FW_CFG_ID);
    read_data(buf, 4);
    EXPECT_EQ(buf[0], 3);   /* traditional + DMA */
    /* Reading past the end gives zeros; reselecting restarts. */
    read_data(buf, 2);
    EXPECT_EQ(buf[0], 0);
    sel(FW_CFG_SIGNATURE);
    read_data(buf, 1);
    EXPECT_EQ(buf[0], 'Q');
    /* An unknown key reads as zeros. */
    sel(0x7ff);
    read_data(buf, 1);
    EXPECT_EQ(buf[0], 0);
}

TEST(legacy_keys_little_endian)
{
    setup();
    fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, 2);
    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, 0x123456789aULL);
    uint8_t buf[8];
    sel(FW_CFG_NB_CPUS);
    read_data(buf, 2);
    EXPECT_EQ(buf[0] | buf[1] << 8, 2);
    sel(FW_CFG_RAM_SIZE);
    read_data(buf, 8);
    EXPECT_EQ(buf[0], 0x9a);
    EXPECT_EQ(buf[4], 0x12);
}

TEST(file_directory)
{
    setup();
    EXPECT_EQ(fw_cfg_add_file(fw, "etc/boot-menu-wait", "\x10\x00", 2), 0);
    EXPECT_EQ(fw_cfg_add_file(fw, "bootorder", "/pci@i0cf8/ide@1,1/drive@0/disk@0\n", 35), 0);
    /* Replacing keeps the selector and the count. */
    EXPECT_EQ(fw_cfg_add_file(fw, "etc/boot-menu-wait", "\x20\x00", 2), 0);
    char longname[80];
    memset(longname, 'x', sizeof(longname));
    longname[79] = 0;
    EXPECT_EQ(fw_cfg_add_file(fw, longname, "", 0), -1);

    uint8_t dir[4 + 64 * 2];
    sel(FW_CFG_FILE_DIR);
    read_data(dir, sizeof(dir));
    EXPECT_EQ(be32(dir), 2);
    EXPECT_EQ(be32(dir + 4), 2);
    EXPECT_EQ(dir[8] << 8 | dir[9], FW_CFG_FILE_FIRST);
    EXPECT_STR((char *)dir + 12, "etc/boot-menu-wait");
    EXPECT_EQ(be32(dir + 68), 35);
    EXPECT_STR((char *)dir + 76, "bootorder");
    uint8_t v[2];
    sel(FW_CFG_FILE_FIRST);
    read_data(v, 2);
    EXPECT_EQ(v[0], 0x20);
}

static void put_desc(uint64_t at, uint32_t control, uint32_t len, uint64_t addr)
{
    uint8_t d[16];
    for (int i = 0; i < 4; i++) {
        d[i] = control >> (24 - 8 * i);
        d[4 + i] = len >> (24 - 8 * i);
    }
    for (int i = 0; i < 8; i++) {
        d[8 + i] = addr >> (56 - 8 * i);
    }
    as_rw(mem, at, d, 16, true);
}

static void kick(uint64_t desc)
{
    as_write(io, 0x514, __builtin_bswap32((uint32_t)(desc >> 32)), 4);
    as_write(io, 0x518, __builtin_bswap32((uint32_t)desc), 4);
}

TEST(dma_read_select_skip_and_zero_fill)
{
    setup();
    /* select bootorder (second file), skip 5, read 40 (35-5 data + zeros) */
    memset(ram.ram + 0x2000, 0xee, 64);
    put_desc(0x1000, (FW_CFG_FILE_FIRST + 1) << 16 | 0x08 | 0x04, 5, 0);
    kick(0x1000);
    EXPECT_EQ(be32(ram.ram + 0x1000), 0);
    put_desc(0x1000, 0x02, 40, 0x2000);
    kick(0x1000);
    EXPECT_EQ(be32(ram.ram + 0x1000), 0);
    EXPECT(!memcmp(ram.ram + 0x2000, "i0cf8", 5));
    EXPECT_EQ(ram.ram[0x2000 + 30], 0);      /* beyond the file: zero */
    EXPECT_EQ(ram.ram[0x2000 + 39], 0);
    EXPECT_EQ(ram.ram[0x2000 + 40], 0xee);   /* beyond the length: untouched */
}

TEST(dma_errors)
{
    setup();
    /* A destination outside RAM sets the error bit. */
    put_desc(0x1000, FW_CFG_SIGNATURE << 16 | 0x08 | 0x02, 4, 0x80000000ULL);
    kick(0x1000);
    EXPECT_EQ(be32(ram.ram + 0x1000), 0x01);
    /* Writes are refused. */
    put_desc(0x1000, FW_CFG_SIGNATURE << 16 | 0x08 | 0x10, 4, 0x2000);
    kick(0x1000);
    EXPECT_EQ(be32(ram.ram + 0x1000), 0x01);
    /* A descriptor outside RAM is ignored without harm. */
    kick(0x90000000ULL);
}

TEST(dma_signature)
{
    setup();
    uint32_t hi = (uint32_t)as_read(io, 0x514, 4);
    uint32_t lo = (uint32_t)as_read(io, 0x518, 4);
    EXPECT(!memcmp(&hi, "QEMU", 4));
    EXPECT(!memcmp(&lo, " CFG", 4));
}

TEST_MAIN()
