/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linuxboot_test.c - the direct kernel boot loaders without a guest: the
 * bzImage setup header (Linux Documentation/x86/boot.rst) and where the
 * pieces go, command line and initrd limits, vga= as vid_mode; multiboot
 * v1 (spec 0.6.96) header search, a.out kludge and ELF32 loading, modules
 * and the boot information; the option ROM wrapper; and truncated or
 * hostile files, which must fail with an error and never crash. */
#include "emu/osdep.h"

#include "emu/hw/fw_cfg.h"
#include "emu/hw/bootorder.h"
#include "emu/hw/linuxboot.h"
#include "emu/hw/multiboot.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

#define MiB (1ULL << 20)

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = v >> (8 * i);
    }
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

/* A bzImage of len bytes: setup_sects 4, protocol 2.15, loaded high. */
static uint8_t *make_bzimage(size_t len)
{
    uint8_t *k = calloc(1, len);
    k[0x1f1] = 4;
    memcpy(k + 0x202, "HdrS", 4);
    wr16(k + 0x206, 0x020f);
    k[0x211] = 0x01;
    wr32(k + 0x22c, 0x7fffffff);
    wr32(k + 0x238, 2047);
    for (size_t i = 2560; i < len; i++) {
        k[i] = (uint8_t)i;
    }
    return k;
}

static bool err_has(struct err *e, const char *what)
{
    bool r = e && strstr(e->msg, what);
    if (!r) {
        printf("#   error %s, want \"%s\"\n", e ? e->msg : "(none)", what);
    }
    err_free(e);
    return r;
}

TEST(bzimage_placement_and_header)
{
    uint8_t *k = make_bzimage(64 * 1024);
    struct linux_boot lb;
    struct err *e = NULL;
    EXPECT(linux_is_bzimage(k, 64 * 1024));
    EXPECT_EQ(linux_boot_prepare(&lb, k, 64 * 1024, "console=ttyS0", 1 * MiB,
                                 128 * MiB, &e), 0);
    EXPECT_EQ(lb.protocol, 0x20f);
    EXPECT_EQ(lb.setup_addr, 0x10000);
    EXPECT_EQ(lb.setup_size, 5 * 512);
    EXPECT_EQ(lb.kernel_addr, 0x100000);
    EXPECT_EQ(lb.kernel_size, 64 * 1024 - 2560);
    EXPECT_EQ(lb.cmdline_addr, 0x20000);
    EXPECT_EQ(lb.cmdline_size, strlen("console=ttyS0") + 1);
    /* Top of the RAM under the ACPI area, page-aligned. */
    EXPECT_EQ(lb.initrd_addr, ((128 * MiB - 0x28000 - 1) - MiB) & ~4095ULL);
    EXPECT_EQ(lb.initrd_size, MiB);
    EXPECT_EQ(lb.vid_mode, -1);
    /* What a boot loader fills in (boot.rst). */
    EXPECT_EQ(lb.setup[0x210], 0xb0);
    EXPECT_EQ(lb.setup[0x211], 0x81);
    EXPECT_EQ(lb.setup[0x224] | lb.setup[0x225] << 8, 0xfe00);
    EXPECT_EQ(rd32(lb.setup + 0x228), 0x20000);
    EXPECT_EQ(rd32(lb.setup + 0x218), lb.initrd_addr);
    EXPECT_EQ(rd32(lb.setup + 0x21c), MiB);
    EXPECT_EQ(memcmp(lb.setup, k, 0x1f0), 0);
    linux_boot_free(&lb);
    free(k);
}

TEST(bzimage_setup_sects_zero_means_four)
{
    uint8_t *k = make_bzimage(8192);
    k[0x1f1] = 0;
    struct linux_boot lb;
    EXPECT_EQ(linux_boot_prepare(&lb, k, 8192, NULL, 0, 32 * MiB, NULL), 0);
    EXPECT_EQ(lb.setup_size, 2560);
    EXPECT_EQ(lb.initrd_addr, 0);
    EXPECT_EQ(lb.cmdline_size, 1);
    linux_boot_free(&lb);
    free(k);
}

TEST(bzimage_initrd_addr_max)
{
    uint8_t *k = make_bzimage(8192);
    wr32(k + 0x22c, 0x37ffffff);
    struct linux_boot lb;
    EXPECT_EQ(linux_boot_prepare(&lb, k, 8192, "", 4096, 2048 * MiB, NULL), 0);
    EXPECT_EQ(lb.initrd_addr, 0x37ffe000);
    EXPECT(lb.initrd_addr + lb.initrd_size <= 0x38000000);
    linux_boot_free(&lb);
    struct err *e = NULL;
    EXPECT_EQ(linux_boot_prepare(&lb, k, 8192, "", 0x40000000, 2048 * MiB, &e),
              -1);
    EXPECT(err_has(e, "initrd is too large"));
    /* Room above the kernel is checked too. */
    e = NULL;
    EXPECT_EQ(linux_boot_prepare(&lb, k, 8192, "", 15 * MiB, 16 * MiB, &e), -1);
    EXPECT(err_has(e, "initrd"));
    free(k);
}

TEST(bzimage_cmdline_limit)
{
    uint8_t *k = make_bzimage(8192);
    wr32(k + 0x238, 16);
    struct linux_boot lb;
    struct err *e = NULL;
    EXPECT_EQ(linux_boot_prepare(&lb, k, 8192, "0123456789abcdef", 0,
                                 32 * MiB, NULL), 0);
    linux_boot_free(&lb);
    EXPECT_EQ(linux_boot_prepare(&lb, k, 8192, "0123456789abcdefg", 0,
                                 32 * MiB, &e), -1);
    EXPECT(err_has(e, "command line too long"));
    free(k);
}

TEST(vga_modes)
{
    EXPECT_EQ(linux_vga_mode("console=ttyS0"), -1);
    EXPECT_EQ(linux_vga_mode(NULL), -1);
    EXPECT_EQ(linux_vga_mode("vga=normal"), 0xffff);
    EXPECT_EQ(linux_vga_mode("quiet vga=ext"), 0xfffe);
    EXPECT_EQ(linux_vga_mode("vga=ask root=/dev/sda"), 0xfffd);
    EXPECT_EQ(linux_vga_mode("vga=0x317"), 0x317);
    EXPECT_EQ(linux_vga_mode("vga=791 quiet"), 791);
    EXPECT_EQ(linux_vga_mode("vga=bogus"), 0);
    uint8_t *k = make_bzimage(8192);
    struct linux_boot lb;
    EXPECT_EQ(linux_boot_prepare(&lb, k, 8192, "vga=0x318", 0, 32 * MiB, NULL),
              0);
    EXPECT_EQ(lb.setup[0x1fa] | lb.setup[0x1fb] << 8, 0x318);
    linux_boot_free(&lb);
    free(k);
}

TEST(bzimage_bad_files)
{
    struct linux_boot lb;
    struct err *e = NULL;
    uint8_t *k = make_bzimage(8192);
    wr16(k + 0x206, 0x0204);
    EXPECT_EQ(linux_boot_prepare(&lb, k, 8192, "", 0, 32 * MiB, &e), -1);
    EXPECT(err_has(e, "too old"));
    wr16(k + 0x206, 0x020f);
    k[0x211] = 0;
    e = NULL;
    EXPECT_EQ(linux_boot_prepare(&lb, k, 8192, "", 0, 32 * MiB, &e), -1);
    EXPECT(err_has(e, "not a bzImage"));
    k[0x211] = 1;
    /* Truncated inside the header, and inside the setup code. */
    e = NULL;
    EXPECT_EQ(linux_boot_prepare(&lb, k, 0x220, "", 0, 32 * MiB, &e), -1);
    EXPECT(err_has(e, "truncated"));
    e = NULL;
    EXPECT_EQ(linux_boot_prepare(&lb, k, 2000, "", 0, 32 * MiB, &e), -1);
    EXPECT(err_has(e, "truncated"));
    e = NULL;
    EXPECT_EQ(linux_boot_prepare(&lb, k, 100, "", 0, 32 * MiB, &e), -1);
    EXPECT(err_has(e, "not a Linux kernel"));
    /* A setup code larger than the room below the command line. */
    k[0x1f1] = 200;
    e = NULL;
    EXPECT_EQ(linux_boot_prepare(&lb, k, 8192, "", 0, 32 * MiB, &e), -1);
    EXPECT(err_has(e, "setup code too large"));
    /* Every truncation of a valid image: an error or success, no crash. */
    k[0x1f1] = 4;
    for (size_t n = 0; n < 8192; n += 7) {
        e = NULL;
        if (linux_boot_prepare(&lb, k, n, "x", 4096, 32 * MiB, &e) == 0) {
            linux_boot_free(&lb);
        }
        err_free(e);
    }
    free(k);
}

/* ---------------------------------------------------------------------------
 * Multiboot
 */

/* A flat a.out-kludge kernel: header at hdr_off, loaded at 1 MiB, a bss
 * of 8 KiB, entry 0x100040. */
static uint8_t *make_aout(size_t len, size_t hdr_off)
{
    uint8_t *k = calloc(1, len);
    uint8_t *h = k + hdr_off;
    uint32_t flags = 0x00010003;
    wr32(h, MULTIBOOT_MAGIC);
    wr32(h + 4, flags);
    wr32(h + 8, -(MULTIBOOT_MAGIC + flags));
    wr32(h + 12, 0x100000 + hdr_off);
    wr32(h + 16, 0x100000);
    wr32(h + 20, 0x100000 + len);
    wr32(h + 24, 0x100000 + len + 8192);
    wr32(h + 28, 0x100040);
    for (size_t i = hdr_off + 32; i < len; i++) {
        k[i] = 0xcc;
    }
    return k;
}

TEST(multiboot_header_search)
{
    uint8_t *k = make_aout(4096, 0x40);
    EXPECT_EQ(multiboot_find_header(k, 4096), 0x40);
    /* A bad checksum, or a header past 8 KiB, is no header. */
    k[0x48] ^= 1;
    EXPECT_EQ(multiboot_find_header(k, 4096), -1);
    free(k);
    k = make_aout(16384, 8192);
    EXPECT_EQ(multiboot_find_header(k, 16384), -1);
    free(k);
    EXPECT_EQ(multiboot_find_header((const uint8_t *)"", 0), -1);
}

TEST(multiboot_aout_with_modules)
{
    uint8_t *k = make_aout(4096, 0x40);
    uint8_t m1[5000], m2[3] = { 1, 2, 3 };
    memset(m1, 0x5a, sizeof(m1));
    struct multiboot_module mods[2] = {
        { m1, sizeof(m1), "mod1 a b" }, { m2, sizeof(m2), "mod2" },
    };
    struct multiboot_image mb;
    EXPECT_EQ(multiboot_prepare(&mb, k, 4096, "kern", "x=1", mods, 2,
                                32 * MiB, NULL), 0);
    EXPECT_EQ(mb.load_addr, 0x100000);
    EXPECT_EQ(mb.entry, 0x100040);
    /* Kernel + bss, then page-aligned modules. */
    EXPECT_EQ(mb.mods_addr[0], 0x100000 + 12288);
    EXPECT_EQ(mb.mods_addr[1], 0x100000 + 12288 + 8192);
    EXPECT_EQ(mb.image[0x40 + 32], 0xcc);
    EXPECT_EQ(mb.image[4096 + 100], 0);            /* bss */
    EXPECT_EQ(mb.image[12288], 0x5a);
    EXPECT_EQ(mb.image[12288 + 8192 + 2], 3);
    const uint8_t *b = mb.low;
    EXPECT_EQ(rd32(b + MBI_FLAGS), 0x24f);
    EXPECT_EQ(rd32(b + MBI_MEM_LOWER), 640);
    EXPECT_EQ(rd32(b + MBI_MEM_UPPER), 32 * 1024 - 1024);
    EXPECT_EQ(rd32(b + MBI_MODS_COUNT), 2);
    EXPECT_EQ(rd32(b + MBI_MMAP_ADDR), 0x9100);
    EXPECT_STR((const char *)b + MULTIBOOT_NAME_OFF, "qemu");
    uint32_t cmd = rd32(b + MBI_CMDLINE) - mb.load_addr;
    EXPECT(cmd < mb.image_len);
    EXPECT_STR((const char *)mb.image + cmd, "kern x=1");
    const uint8_t *list = mb.image + (rd32(b + MBI_MODS_ADDR) - mb.load_addr);
    EXPECT_EQ(rd32(list), mb.mods_addr[0]);
    EXPECT_EQ(rd32(list + 4), mb.mods_addr[0] + 5000);
    EXPECT_STR((const char *)mb.image + (rd32(list + 8) - mb.load_addr),
               "mod1 a b");
    EXPECT_STR((const char *)mb.image + (rd32(list + 24) - mb.load_addr),
               "mod2");
    multiboot_free(&mb);
    free(k);
}

TEST(multiboot_aout_bad_headers)
{
    struct multiboot_image mb;
    struct err *e = NULL;
    uint8_t *k = make_aout(4096, 0x40);
    /* load_end beyond the file */
    wr32(k + 0x40 + 20, 0x100000 + 8192);
    EXPECT_EQ(multiboot_prepare(&mb, k, 4096, "k", NULL, NULL, 0, 32 * MiB, &e),
              -1);
    EXPECT(err_has(e, "truncated"));
    free(k);
    /* header_addr below load_addr */
    k = make_aout(4096, 0x40);
    wr32(k + 0x40 + 12, 0xff000);
    e = NULL;
    EXPECT_EQ(multiboot_prepare(&mb, k, 4096, "k", NULL, NULL, 0, 32 * MiB, &e),
              -1);
    EXPECT(err_has(e, "load_addr"));
    free(k);
    /* does not fit in RAM */
    k = make_aout(4096, 0x40);
    e = NULL;
    EXPECT_EQ(multiboot_prepare(&mb, k, 4096, "k", NULL, NULL, 0, 1 * MiB, &e),
              -1);
    EXPECT(err_has(e, "fit"));
    free(k);
    /* an unknown requirement (flag bit 5) */
    k = make_aout(4096, 0x40);
    uint32_t flags = 0x00010023;
    wr32(k + 0x44, flags);
    wr32(k + 0x48, -(MULTIBOOT_MAGIC + flags));
    e = NULL;
    EXPECT_EQ(multiboot_prepare(&mb, k, 4096, "k", NULL, NULL, 0, 32 * MiB, &e),
              -1);
    EXPECT(err_has(e, "unsupported"));
    free(k);
    /* Every truncation: an error or success, never a crash. */
    k = make_aout(4096, 0x40);
    for (size_t n = 0; n <= 4096; n += 13) {
        e = NULL;
        if (multiboot_prepare(&mb, k, n, "k", "", NULL, 0, 32 * MiB, &e) == 0) {
            multiboot_free(&mb);
        }
        err_free(e);
    }
    free(k);
}

/* An ELF32 kernel: one PT_LOAD of the file at paddr 2 MiB, vaddr
 * 0xc0200000, memsz filesz + 4 KiB, the header at 0x80. */
static uint8_t *make_elf(size_t len, uint32_t entry)
{
    uint8_t *k = calloc(1, len);
    memcpy(k, "\177ELF\1\1\1", 7);
    wr16(k + 16, 2);
    wr16(k + 18, 3);
    wr32(k + 20, 1);
    wr32(k + 24, entry);
    wr32(k + 28, 52);
    wr16(k + 42, 32);
    wr16(k + 44, 1);
    uint8_t *ph = k + 52;
    wr32(ph, 1);
    wr32(ph + 4, 0);
    wr32(ph + 8, 0xc0200000);
    wr32(ph + 12, 0x200000);
    wr32(ph + 16, len);
    wr32(ph + 20, len + 4096);
    uint32_t flags = 3;
    wr32(k + 0x80, MULTIBOOT_MAGIC);
    wr32(k + 0x84, flags);
    wr32(k + 0x88, -(MULTIBOOT_MAGIC + flags));
    k[len - 1] = 0xee;
    return k;
}

TEST(multiboot_elf)
{
    struct multiboot_image mb;
    struct err *e = NULL;
    uint8_t *k = make_elf(1024, 0x200100);
    EXPECT_EQ(multiboot_prepare(&mb, k, 1024, "k", NULL, NULL, 0, 32 * MiB,
                                NULL), 0);
    EXPECT_EQ(mb.load_addr, 0x200000);
    EXPECT_EQ(mb.entry, 0x200100);
    EXPECT_EQ(mb.image[1023], 0xee);
    EXPECT_EQ(mb.image[1024 + 10], 0);
    multiboot_free(&mb);
    free(k);
    /* A virtual entry point runs at its physical address. */
    k = make_elf(1024, 0xc0200200);
    EXPECT_EQ(multiboot_prepare(&mb, k, 1024, "k", NULL, NULL, 0, 32 * MiB,
                                NULL), 0);
    EXPECT_EQ(mb.entry, 0x200200);
    multiboot_free(&mb);
    /* ELF64, program headers or segments out of the file */
    k[4] = 2;
    EXPECT_EQ(multiboot_prepare(&mb, k, 1024, "k", NULL, NULL, 0, 32 * MiB, &e),
              -1);
    EXPECT(err_has(e, "x86-64"));
    k[4] = 1;
    wr16(k + 44, 60);
    e = NULL;
    EXPECT_EQ(multiboot_prepare(&mb, k, 1024, "k", NULL, NULL, 0, 32 * MiB, &e),
              -1);
    EXPECT(err_has(e, "program headers"));
    wr16(k + 44, 1);
    wr32(k + 52 + 16, 4096);
    e = NULL;
    EXPECT_EQ(multiboot_prepare(&mb, k, 1024, "k", NULL, NULL, 0, 32 * MiB, &e),
              -1);
    EXPECT(err_has(e, "segment"));
    wr32(k + 52 + 16, 1024);
    wr32(k + 52 + 12, 0xfffff000);
    e = NULL;
    EXPECT_EQ(multiboot_prepare(&mb, k, 1024, "k", NULL, NULL, 0, 32 * MiB, &e),
              -1);
    EXPECT(err_has(e, "4 GiB"));
    /* Not ELF at all, and no a.out kludge */
    memset(k, 0, 4);
    e = NULL;
    EXPECT_EQ(multiboot_prepare(&mb, k, 1024, "k", NULL, NULL, 0, 32 * MiB, &e),
              -1);
    EXPECT(err_has(e, "not ELF"));
    free(k);
}

TEST(multiboot_module_list)
{
    int n;
    char **v = multiboot_split_modules("a.bin x y,b,,c.bin,d", &n);
    EXPECT_EQ(n, 3);
    EXPECT_STR(v[0], "a.bin x y");
    EXPECT_STR(v[1], "b,c.bin");
    EXPECT_STR(v[2], "d");
    for (int i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
    v = multiboot_split_modules("", &n);
    EXPECT_EQ(n, 0);
    free(v);
}

/* ---------------------------------------------------------------------------
 * The option ROM and the fw_cfg items
 */

TEST(option_rom_wrapper)
{
    uint8_t body[600] = { 0x55, 0xaa, 0, 0xcb };
    wr16(body + 0x1a, 0x20);
    memcpy(body + 0x20, "$PnP", 4);
    body[0x25] = 2;
    size_t n;
    uint8_t *r = linuxboot_make_rom(body, sizeof(body), &n);
    EXPECT_EQ(n, 1024);
    EXPECT_EQ(r[2], 2);
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += r[i];
    }
    EXPECT_EQ(sum, 0);
    sum = 0;
    for (int i = 0; i < 32; i++) {
        sum += r[0x20 + i];
    }
    EXPECT_EQ(sum, 0);
    free(r);
    /* A body of exactly 512 bytes needs a second block for the checksum. */
    r = linuxboot_make_rom(body, 512, &n);
    EXPECT_EQ(n, 1024);
    free(r);
}

static char *write_temp(const void *data, size_t len)
{
    char *path = strdup("/tmp/hemu-linuxboot-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        abort();
    }
    close(fd);
    return path;
}

TEST(load_into_fw_cfg)
{
    struct addr_space *io = as_new("io", 0x10000, ~0ULL);
    struct fw_cfg *f = fw_cfg_new(io, 0x510, NULL);
    uint8_t *k = make_bzimage(16384);
    char *kp = write_temp(k, 16384);
    char *rp = write_temp("initrd", 6);
    struct err *e = NULL;
    EXPECT_EQ(linuxboot_load(f, 64 * MiB, kp, rp, "quiet", &e), 0);
    size_t len;
    const uint8_t *rom = fw_cfg_file(f, "genroms/linuxboot.bin", &len);
    EXPECT(rom && len % 512 == 0 && rom[0] == 0x55 && rom[1] == 0xaa);
    char *order = bootorder_build(false, &len);
    EXPECT_STR(order, "/rom@genroms/linuxboot.bin");
    free(order);
    bootorder_clear();
    /* A multiboot kernel gets the other ROM. */
    uint8_t *mbk = make_aout(4096, 0);
    char *mp = write_temp(mbk, 4096);
    EXPECT_EQ(linuxboot_load(f, 64 * MiB, mp, rp, NULL, &e), 0);
    EXPECT(fw_cfg_file(f, "genroms/multiboot.bin", &len) != NULL);
    /* Missing files and junk are refused with the file's name. */
    EXPECT_EQ(linuxboot_load(f, 64 * MiB, "/nonexistent/k", NULL, NULL, &e), -1);
    EXPECT(err_has(e, "could not open kernel file '/nonexistent/k'"));
    e = NULL;
    EXPECT_EQ(linuxboot_load(f, 64 * MiB, kp, "/nonexistent/i", NULL, &e), -1);
    EXPECT(err_has(e, "could not open initrd file '/nonexistent/i'"));
    e = NULL;
    EXPECT_EQ(linuxboot_load(f, 64 * MiB, rp, NULL, NULL, &e), -1);
    EXPECT(err_has(e, "neither a Linux bzImage nor a multiboot kernel"));
    e = NULL;
    EXPECT_EQ(linuxboot_load(f, 64 * MiB, mp, "/nonexistent/m arg", NULL, &e),
              -1);
    EXPECT(err_has(e, "'/nonexistent/m'"));
    unlink(kp);
    unlink(rp);
    unlink(mp);
    free(kp);
    free(rp);
    free(mp);
    free(k);
    free(mbk);
    as_free(io);
    fw_cfg_free(f);
}

TEST_MAIN()
