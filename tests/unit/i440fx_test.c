/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i440fx_test.c - the host bridge through ports 0xcf8/0xcfc: IDs that
 * SeaBIOS checks, PAM switching of the BIOS area between ROM, read-only
 * and read/write RAM (how SeaBIOS shadows itself), SMRAM and the VGA
 * window, disabled/other-bus configuration cycles. */
#include "emu/osdep.h"

#include "emu/hw/i440fx.h"
#include "tests/unit/test.h"

static struct addr_space *mem, *io;
static struct mem_region ram, pc_rom, bios;
static struct i440fx *host;

static void setup(void)
{
    if (host) {
        return;
    }
    mem = as_new("mem", 1ULL << 36, 0);
    io = as_new("io", 0x10000, ~0ULL);
    mem_region_init_ram(&ram, "ram", 16 << 20, NULL);
    mem_region_init_rom(&pc_rom, "pc.rom", 0x20000, NULL);
    mem_region_init_rom(&bios, "bios", 256 << 10, NULL);
    /* Recognisable contents: the BIOS's last 128 KiB start with 0xB1. */
    memset(bios.ram, 0xB0, bios.size);
    memset(bios.ram + bios.size - 0x20000, 0xB1, 0x20000);
    memset(pc_rom.ram, 0xC0, pc_rom.size);
    as_map(mem, 0, &ram, 0, ram.size, 0);
    as_map(mem, 0x100000000ULL - bios.size, &bios, 0, bios.size, 0);
    host = i440fx_create(mem, io, &ram, &pc_rom, &bios, NULL);
}

static uint32_t cfg_read(int devfn, unsigned reg, unsigned size)
{
    as_write(io, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
    return (uint32_t)as_read(io, 0xcfc + (reg & 3), size);
}

static void cfg_write(int devfn, unsigned reg, uint32_t v, unsigned size)
{
    as_write(io, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
    as_write(io, 0xcfc + (reg & 3), v, size);
}

TEST(ids_seabios_checks)
{
    setup();
    EXPECT(host != NULL);
    EXPECT_EQ(cfg_read(0, 0, 4), 0x12378086);
    EXPECT_EQ(cfg_read(0, PCI_CLASS_DEVICE, 2), 0x0600);
    EXPECT_EQ(cfg_read(0, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
    EXPECT_EQ(cfg_read(0, PCI_SUBSYSTEM_ID, 2), 0x1100);
    /* CONFADD reads back; disabled or foreign-bus cycles see nothing. */
    as_write(io, 0xcf8, 0x80000010, 4);
    EXPECT_EQ(as_read(io, 0xcf8, 4), 0x80000010);
    as_write(io, 0xcf8, 0x00000000, 4);
    EXPECT_EQ(as_read(io, 0xcfc, 4), 0xffffffff);
    as_write(io, 0xcf8, 0x80010000, 4);
    EXPECT_EQ(as_read(io, 0xcfc, 2), 0xffff);
}

TEST(pam_shadowing_like_seabios)
{
    setup();
    /* Power-on: the BIOS area reads the ROM, writes go nowhere. */
    EXPECT_EQ(as_read(mem, 0xf0000, 1), 0xB1);
    EXPECT_EQ(as_read(mem, 0xfffff, 1), 0xB1);
    EXPECT_EQ(as_read(mem, 0xc0000, 1), 0xC0);
    as_write(mem, 0xf0000, 0x11, 1);
    EXPECT_EQ(as_read(mem, 0xf0000, 1), 0xB1);
    EXPECT_EQ(ram.ram[0xf0000], 0);

    /* Make it writable (0x33 everywhere), copy, then read-only (0x11). */
    for (unsigned r = I440FX_PAM; r < I440FX_PAM + 7; r++) {
        cfg_write(0, r, 0x33, 1);
    }
    EXPECT_EQ(as_read(mem, 0xf0000, 1), 0);
    as_write(mem, 0xf0000, 0x5a, 1);
    as_write(mem, 0xe4000, 0x5b, 1);
    EXPECT_EQ(ram.ram[0xf0000], 0x5a);
    for (unsigned r = I440FX_PAM; r < I440FX_PAM + 7; r++) {
        cfg_write(0, r, 0x11, 1);
    }
    EXPECT_EQ(as_read(mem, 0xf0000, 1), 0x5a);
    EXPECT_EQ(as_read(mem, 0xe4000, 1), 0x5b);
    as_write(mem, 0xf0000, 0x77, 1);
    EXPECT_EQ(as_read(mem, 0xf0000, 1), 0x5a);
    EXPECT_EQ(cfg_read(0, I440FX_PAM, 1), 0x11);

    /* Per-segment: PAM1 low nibble is 0xc0000-0xc3fff only. */
    cfg_write(0, I440FX_PAM + 1, 0x03, 1);
    as_write(mem, 0xc0000, 0x42, 1);
    EXPECT_EQ(as_read(mem, 0xc0000, 1), 0x42);
    EXPECT_EQ(as_read(mem, 0xc4000, 1), 0xC0);   /* high nibble 0: ROM */
    cfg_write(0, I440FX_PAM + 1, 0x00, 1);
    EXPECT_EQ(as_read(mem, 0xc0000, 1), 0xC0);
    EXPECT_EQ(as_read(mem, 0xc4000, 1), 0xC0);

    /* Reset returns to ROM. */
    i440fx_reset(host);
    EXPECT_EQ(as_read(mem, 0xf0000, 1), 0xB1);
    EXPECT_EQ(cfg_read(0, I440FX_PAM, 1), 0);
}

TEST(smram_and_vga_window)
{
    setup();
    ram.ram[0xa0000] = 0x99;
    EXPECT_EQ(cfg_read(0, I440FX_SMRAM, 1), 0x02);
    EXPECT_EQ(as_read(mem, 0xa0000, 1), 0);      /* no VGA: nothing */
    cfg_write(0, I440FX_SMRAM, 0x4a, 1);         /* D_OPEN | G_SMRAME */
    EXPECT_EQ(as_read(mem, 0xa0000, 1), 0x99);
    cfg_write(0, I440FX_SMRAM, 0x0a, 1);
    EXPECT_EQ(as_read(mem, 0xa0000, 1), 0);
    /* RAM just below the window is plain RAM. */
    as_write(mem, 0x9ffff, 0x12, 1);
    EXPECT_EQ(as_read(mem, 0x9ffff, 1), 0x12);
}

TEST_MAIN()
