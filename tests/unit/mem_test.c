/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mem_test.c - address spaces: flattening with priorities and aliases,
 * remapping, listeners, RAM/ROM/MMIO accesses with size adaptation,
 * unassigned reads, bulk copies and dirty tracking. */
#include "emu/osdep.h"

#include "emu/mem/mem.h"
#include "tests/unit/test.h"

/* A device that records its accesses and returns offset-derived data. */
static unsigned last_size;
static uint64_t last_off, last_val;
static int nreads, nwrites;

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
    nreads++;
    last_off = off;
    last_size = size;
    /* bytes 0x10+off, 0x11+off, ... */
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)((0x10 + off + i) & 0xff) << (i * 8);
    }
    return v;
}

static void dev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    nwrites++;
    last_off = off;
    last_size = size;
    last_val = val;
}

static const struct mem_ops ops_4only = {
    .read = dev_read, .write = dev_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 4, .impl_max = 4,
};

static const struct mem_ops ops_1only = {
    .read = dev_read, .write = dev_write,
    .valid_min = 1, .valid_max = 8, .impl_min = 1, .impl_max = 1,
};

static const struct mem_ops ops_strict2 = {
    .read = dev_read, .write = dev_write, .valid_min = 2, .valid_max = 2,
};

static int notified;

static void on_change(void *opaque)
{
    notified++;
}

TEST(priorities_and_aliases)
{
    struct addr_space *as = as_new("mem", 1ULL << 32, 0);
    struct mem_region ram, rom;
    EXPECT_EQ(mem_region_init_ram(&ram, "ram", 1 << 20, NULL), 0);
    EXPECT_EQ(mem_region_init_rom(&rom, "rom", 128 << 10, NULL), 0);
    rom.ram[0] = 0xAA;
    rom.ram[(128 << 10) - 1] = 0xBB;
    as_add_listener(as, on_change, NULL);
    notified = 0;

    as_map(as, 0, &ram, 0, 1 << 20, 0);
    /* The BIOS at the top of 4 GiB and its alias under 1 MiB, above RAM. */
    as_map(as, 0x100000000ULL - (128 << 10), &rom, 0, 128 << 10, 0);
    struct as_mapping *alias = as_map(as, 0xE0000, &rom, 0, 128 << 10, 1);
    EXPECT_EQ(notified, 3);

    EXPECT_EQ(as_read(as, 0xE0000, 1), 0xAA);
    EXPECT_EQ(as_read(as, 0xFFFFF, 1), 0xBB);
    EXPECT_EQ(as_read(as, 0xFFFFFFFF, 1), 0xBB);
    EXPECT_EQ(as_read(as, 0xFFFE0000, 1), 0xAA);
    /* ROM ignores writes; RAM below the alias works. */
    as_write(as, 0xE0000, 0x55, 1);
    EXPECT_EQ(as_read(as, 0xE0000, 1), 0xAA);
    as_write(as, 0xDFFFF, 0x77, 1);
    EXPECT_EQ(as_read(as, 0xDFFFF, 1), 0x77);
    EXPECT_EQ(ram.ram[0xDFFFF], 0x77);

    /* Unmapping the alias shows the RAM beneath (PAM to RAM). */
    as_unmap(as, alias);
    as_write(as, 0xE0000, 0x66, 1);
    EXPECT_EQ(as_read(as, 0xE0000, 1), 0x66);
    EXPECT_EQ(notified, 4);

    /* Unassigned memory reads as 0. */
    EXPECT_EQ(as_read(as, 0x200000, 4), 0);
    as_free(as);
    mem_region_destroy(&ram);
    mem_region_destroy(&rom);
}

TEST(equal_priority_later_wins_and_batching)
{
    struct addr_space *as = as_new("mem", 1 << 20, 0);
    struct mem_region a, b;
    mem_region_init_ram(&a, "a", 0x2000, NULL);
    mem_region_init_ram(&b, "b", 0x1000, NULL);
    a.ram[0x1000] = 1;
    b.ram[0] = 2;
    as_add_listener(as, on_change, NULL);
    notified = 0;
    as_begin(as);
    as_map(as, 0x10000, &a, 0, 0x2000, 0);
    as_map(as, 0x11000, &b, 0, 0x1000, 0);
    as_commit(as);
    EXPECT_EQ(notified, 1);
    EXPECT_EQ(as_read(as, 0x11000, 1), 2);
    struct mem_lookup l = as_lookup(as, 0x10800);
    EXPECT(l.mr == &a);
    EXPECT_EQ(l.off, 0x800);
    EXPECT_EQ(l.len, 0x800);
    as_free(as);
    mem_region_destroy(&a);
    mem_region_destroy(&b);
}

TEST(remap_moves_a_bar)
{
    struct addr_space *as = as_new("mem", 1ULL << 32, 0);
    struct mem_region dev;
    mem_region_init_io(&dev, "bar", 0x100, &ops_1only, NULL);
    struct as_mapping *m = as_map(as, 0xFEB00000, &dev, 0, 0x100, 1);
    EXPECT_EQ(as_read(as, 0xFEB00001, 1), 0x11);
    as_remap(as, m, 0xFEC00000);
    EXPECT_EQ(as_read(as, 0xFEB00001, 1), 0);
    EXPECT_EQ(as_read(as, 0xFEC00001, 1), 0x11);
    as_free(as);
}

TEST(mmio_size_adaptation)
{
    struct addr_space *io = as_new("io", 0x10000, ~0ULL);
    struct mem_region d4, d1, d2;
    mem_region_init_io(&d4, "d4", 0x10, &ops_4only, NULL);
    mem_region_init_io(&d1, "d1", 0x10, &ops_1only, NULL);
    mem_region_init_io(&d2, "d2", 0x10, &ops_strict2, NULL);
    as_map(io, 0x100, &d4, 0, 0x10, 0);
    as_map(io, 0x200, &d1, 0, 0x10, 0);
    as_map(io, 0x300, &d2, 0, 0x10, 0);

    /* A byte read of a 4-byte-only device is widened and extracted. */
    nreads = 0;
    EXPECT_EQ(as_read(io, 0x102, 1), 0x12);
    EXPECT_EQ(last_size, 4);
    EXPECT_EQ(last_off, 0);
    /* A dword read of a byte-only device is split into four. */
    nreads = 0;
    EXPECT_EQ(as_read(io, 0x204, 4), 0x17161514);
    EXPECT_EQ(nreads, 4);
    nwrites = 0;
    as_write(io, 0x200, 0xA1B2C3D4, 4);
    EXPECT_EQ(nwrites, 4);
    EXPECT_EQ(last_val, 0xA1);
    EXPECT_EQ(last_off, 3);
    /* A byte write to a 4-byte implementation is read-modify-write. */
    as_write(io, 0x101, 0xEE, 1);
    EXPECT_EQ(last_size, 4);
    EXPECT_EQ(last_val, 0x1312EE10);
    /* Invalid sizes are dropped: reads give the unassigned value. */
    nreads = 0;
    EXPECT_EQ(as_read(io, 0x300, 1), 0xFF);
    EXPECT_EQ(nreads, 0);
    EXPECT_EQ(as_read(io, 0x300, 2), 0x1110);
    /* Unassigned port reads are all ones. */
    EXPECT_EQ(as_read(io, 0x400, 2), 0xFFFF);
    as_free(io);
}

TEST(device_access_decoded_by_first_address)
{
    /* 0xcf8: a 4-byte index register; 0xcf9: a byte register on top. */
    struct addr_space *io = as_new("io", 0x10000, ~0ULL);
    struct mem_region idx, rcr;
    mem_region_init_io(&idx, "idx", 4, &ops_4only, NULL);
    mem_region_init_io(&rcr, "rcr", 1, &ops_1only, NULL);
    as_map(io, 0xcf8, &idx, 0, 4, 0);
    as_map(io, 0xcf9, &rcr, 0, 1, 1);
    nwrites = 0;
    as_write(io, 0xcf8, 0x80000000, 4);
    EXPECT_EQ(nwrites, 1);
    EXPECT_EQ(last_size, 4);
    EXPECT_EQ(last_val, 0x80000000);
    as_write(io, 0xcf9, 0x06, 1);
    EXPECT_EQ(last_size, 1);
    EXPECT_EQ(last_off, 0);
    EXPECT_EQ(last_val, 0x06);
    as_free(io);
}

TEST(bulk_copies_cross_ranges)
{
    struct addr_space *as = as_new("mem", 1 << 20, 0);
    struct mem_region a, b;
    mem_region_init_ram(&a, "a", 0x1000, NULL);
    mem_region_init_ram(&b, "b", 0x1000, NULL);
    as_map(as, 0x0, &a, 0, 0x1000, 0);
    as_map(as, 0x1000, &b, 0, 0x1000, 0);
    uint8_t buf[64], back[64];
    for (int i = 0; i < 64; i++) {
        buf[i] = (uint8_t)i;
    }
    EXPECT_EQ(as_rw(as, 0x1000 - 32, buf, 64, true), 0);
    EXPECT_EQ(a.ram[0xFFF], 31);
    EXPECT_EQ(b.ram[0], 32);
    EXPECT_EQ(as_rw(as, 0x1000 - 32, back, 64, false), 0);
    EXPECT(!memcmp(buf, back, 64));
    /* A read that runs into a hole reports it and fills with 0. */
    memset(back, 0x5a, sizeof(back));
    EXPECT_EQ(as_rw(as, 0x2000 - 16, back, 32, false), -1);
    EXPECT_EQ(back[31], 0);
    /* A 4-byte access that straddles the two regions. */
    as_write(as, 0xFFE, 0x44332211, 4);
    EXPECT_EQ(as_read(as, 0xFFE, 4), 0x44332211);
    EXPECT_EQ(b.ram[1], 0x44);
    /* Host pointers only within one range. */
    EXPECT(as_ram_ptr(as, 0x10, 16, true) == a.ram + 0x10);
    EXPECT(as_ram_ptr(as, 0xFF0, 32, false) == NULL);
    as_free(as);
    mem_region_destroy(&a);
    mem_region_destroy(&b);
}

TEST(dirty_tracking_per_client)
{
    struct addr_space *as = as_new("mem", 1 << 24, 0);
    struct mem_region vram;
    mem_region_init_ram(&vram, "vram", 1 << 16, NULL);
    as_map(as, 0xA0000, &vram, 0, 1 << 16, 0);
    EXPECT(!mem_region_test_clear_dirty(&vram, 0, 1 << 16, MEM_DIRTY_VGA));
    as_write(as, 0xA0000 + 0x3004, 1, 1);
    EXPECT(!mem_region_test_clear_dirty(&vram, 0, 0x3000, MEM_DIRTY_VGA));
    EXPECT(mem_region_test_clear_dirty(&vram, 0x3000, 0x1000, MEM_DIRTY_VGA));
    EXPECT(!mem_region_test_clear_dirty(&vram, 0x3000, 0x1000, MEM_DIRTY_VGA));
    /* Another client still sees it. */
    EXPECT(mem_region_test_clear_dirty(&vram, 0, 1 << 16, 0x2));
    as_free(as);
    mem_region_destroy(&vram);
}

TEST_MAIN()
