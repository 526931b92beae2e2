/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * multiboot.c - multiboot v1 kernels for -kernel (Multiboot Specification
 * 0.6.96, sections 3.1 "OS image format" and 3.3 "Boot information
 * format").  The kernel (ELF32 segments, or the a.out kludge's load
 * range), its bss, the modules (page-aligned), the module list and the
 * command lines form one image for fw_cfg's kernel items; the boot
 * information structure goes to fw_cfg's initrd items for 0x9000.  The
 * option ROM (roms/multiboot.asm) copies both, adds SeaBIOS's e820 map and
 * enters the kernel in flat 32-bit protected mode.  Layout and values
 * follow QEMU's loader, so that a kernel sees the same boot information.
 */
#include "emu/osdep.h"

#include "emu/hw/fw_cfg.h"
#include "emu/hw/linuxboot.h"   /* linuxboot_read_file, linuxboot_add_rom */
#include "emu/hw/multiboot.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

extern const unsigned char multiboot_rom[];
extern const unsigned int multiboot_rom_len;

/* Header flags (spec 3.1.2): bits 0-15 are requirements. */
#define MBH_PAGE_ALIGN 0x00000001u
#define MBH_MEMORY_INFO 0x00000002u
#define MBH_VIDEO_MODE 0x00000004u
#define MBH_AOUT_KLUDGE 0x00010000u
#define MBH_SEARCH 8192
/* Boot information flags (spec 3.3). */
#define MBI_F_MEMORY 0x001u
#define MBI_F_BOOT_DEVICE 0x002u
#define MBI_F_CMDLINE 0x004u
#define MBI_F_MODS 0x008u
#define MBI_F_MMAP 0x040u
#define MBI_F_LOADER_NAME 0x200u

#define PAGE_ALIGN(x) (((x) + 4095) & ~(uint64_t)4095)
/* Room left at the top of the low RAM for SeaBIOS's ACPI tables. */
#define MB_TOP_RESERVE 0x28000u

static uint16_t get16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = v >> (8 * i);
    }
}

long multiboot_find_header(const uint8_t *img, size_t len)
{
    /* 32-bit aligned, within the first 8192 bytes (spec 3.1.1). */
    for (size_t off = 0; off + 12 <= len && off + 12 <= MBH_SEARCH; off += 4) {
        const uint8_t *h = img + off;
        if (get32(h) == MULTIBOOT_MAGIC &&
            (uint32_t)(get32(h) + get32(h + 4) + get32(h + 8)) == 0) {
            return (long)off;
        }
    }
    return -1;
}

/* ---------------------------------------------------------------------------
 * The kernel image: a.out kludge or ELF32
 */

struct mb_kernel {
    uint32_t low;               /* load address */
    uint64_t size;              /* up to the end of the bss */
    uint32_t entry;
    uint8_t *data;
};

static int load_aout(struct mb_kernel *k, const uint8_t *img, size_t len,
                     long hdr, struct err **errp)
{
    if ((size_t)hdr + 32 > len) {
        err_setf(errp, "multiboot header truncated");
        return -1;
    }
    const uint8_t *h = img + hdr;
    uint32_t header_addr = get32(h + 12), load_addr = get32(h + 16);
    uint32_t load_end = get32(h + 20), bss_end = get32(h + 24);
    k->entry = get32(h + 28);
    /* The header's address says where the file's start goes. */
    if (load_addr > header_addr || header_addr - load_addr > (uint32_t)hdr) {
        err_setf(errp, "multiboot header: load_addr 0x%x does not fit "
                 "header_addr 0x%x", load_addr, header_addr);
        return -1;
    }
    size_t file_off = hdr - (header_addr - load_addr);
    uint64_t load_len = load_end ? (uint64_t)load_end - load_addr
                                 : len - file_off;
    if (load_end && load_end < load_addr) {
        err_setf(errp, "multiboot header: load_end_addr below load_addr");
        return -1;
    }
    if (file_off + load_len > len) {
        err_setf(errp, "kernel truncated: the multiboot header loads %" PRIu64
                 " bytes from offset %zu of %zu", load_len, file_off, len);
        return -1;
    }
    uint64_t mem_len = load_len;
    if (bss_end) {
        if ((uint64_t)bss_end < load_addr + load_len) {
            err_setf(errp, "multiboot header: bss_end_addr below load_end_addr");
            return -1;
        }
        mem_len = (uint64_t)bss_end - load_addr;
    }
    k->low = load_addr;
    k->size = mem_len;
    k->data = xzalloc(mem_len ? mem_len : 1);
    memcpy(k->data, img + file_off, load_len);
    return 0;
}

#define PT_LOAD 1

static int load_elf(struct mb_kernel *k, const uint8_t *img, size_t len,
                    uint64_t below_4g, struct err **errp)
{
    if (len < 52 || memcmp(img, "\177ELF", 4)) {
        err_setf(errp, "multiboot kernel is not ELF and has no a.out kludge");
        return -1;
    }
    if (img[4] == 2) {
        err_setf(errp, "Cannot load x86-64 image, give a 32bit one.");
        return -1;
    }
    if (img[4] != 1 || img[5] != 1 || get16(img + 18) != 3) {
        err_setf(errp, "multiboot kernel is not a little-endian ELF32 i386 "
                 "image");
        return -1;
    }
    uint32_t phoff = get32(img + 28);
    unsigned phentsize = get16(img + 42), phnum = get16(img + 44);
    if (phentsize < 32 || (uint64_t)phoff + (uint64_t)phnum * phentsize > len) {
        err_setf(errp, "ELF program headers out of the file");
        return -1;
    }
    uint64_t low = UINT64_MAX, high = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + i * phentsize;
        if (get32(ph) != PT_LOAD || !get32(ph + 20)) {
            continue;
        }
        uint64_t off = get32(ph + 4), paddr = get32(ph + 12);
        uint64_t filesz = get32(ph + 16), memsz = get32(ph + 20);
        if (filesz > memsz || off + filesz > len) {
            err_setf(errp, "ELF segment %u out of the file", i);
            return -1;
        }
        if (paddr + memsz > 1ULL << 32) {
            err_setf(errp, "ELF segment %u above 4 GiB", i);
            return -1;
        }
        low = MIN(low, paddr);
        high = MAX(high, paddr + memsz);
    }
    if (low == UINT64_MAX) {
        err_setf(errp, "ELF kernel has no loadable segment");
        return -1;
    }
    if (high - low > below_4g) {
        err_setf(errp, "kernel too large for the guest's RAM");
        return -1;
    }
    k->low = (uint32_t)low;
    k->size = high - low;
    k->data = xzalloc(k->size);
    k->entry = get32(img + 24);
    bool entry_in_paddr = false;
    uint32_t entry_phys = k->entry;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + i * phentsize;
        if (get32(ph) != PT_LOAD || !get32(ph + 20)) {
            continue;
        }
        uint32_t vaddr = get32(ph + 8), paddr = get32(ph + 12);
        uint32_t memsz = get32(ph + 20);
        memcpy(k->data + (paddr - low), img + get32(ph + 4), get32(ph + 16));
        if (k->entry - paddr < memsz) {
            entry_in_paddr = true;
        } else if (k->entry - vaddr < memsz) {
            entry_phys = k->entry - vaddr + paddr;
        }
    }
    /* A kernel linked high gives a virtual entry: run it where it is. */
    if (!entry_in_paddr) {
        k->entry = entry_phys;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * The boot image and the boot information
 */

void multiboot_free(struct multiboot_image *mb)
{
    free(mb->image);
    mb->image = NULL;
}

int multiboot_prepare(struct multiboot_image *mb, const uint8_t *img,
                      size_t len, const char *kernel_name, const char *append,
                      const struct multiboot_module *mods, int nmods,
                      uint64_t below_4g, struct err **errp)
{
    memset(mb, 0, sizeof(*mb));
    long hdr = multiboot_find_header(img, len);
    if (hdr < 0) {
        err_setf(errp, "no multiboot header in the first 8 KiB");
        return -1;
    }
    uint32_t flags = get32(img + hdr + 4);
    /* Requirements we cannot meet make the load fail (spec 3.1.2).  A
     * video mode request is ignored, as QEMU does. */
    uint32_t known = MBH_PAGE_ALIGN | MBH_MEMORY_INFO | MBH_VIDEO_MODE;
    if (flags & 0xffff & ~known) {
        err_setf(errp, "multiboot header requires unsupported features "
                 "(flags 0x%x)", flags);
        return -1;
    }
    struct mb_kernel k = { 0 };
    int r = flags & MBH_AOUT_KLUDGE ? load_aout(&k, img, len, hdr, errp)
                                    : load_elf(&k, img, len, below_4g, errp);
    if (r < 0) {
        return -1;
    }
    if (k.low < 0x100000) {
        err_setf(errp, "multiboot kernel loads at 0x%x, below 1 MiB", k.low);
        free(k.data);
        return -1;
    }

    /* [kernel+bss][modules, each page-aligned][module list][strings] */
    char *cmdline = xasprintf("%s %s", kernel_name, append ? append : "");
    uint64_t off = PAGE_ALIGN(k.size);
    uint64_t mods_off = off;
    for (int i = 0; i < nmods; i++) {
        off = PAGE_ALIGN(off + mods[i].len);
    }
    uint64_t list_off = off;
    uint64_t str_off = list_off + 16ULL * nmods;
    uint64_t total = str_off + strlen(cmdline) + 1;
    for (int i = 0; i < nmods; i++) {
        total += strlen(mods[i].cmdline) + 1;
    }
    uint64_t top = below_4g > MB_TOP_RESERVE ? below_4g - MB_TOP_RESERVE : 0;
    if (k.low + total > top) {
        err_setf(errp, "kernel and modules (%" PRIu64 " bytes at 0x%x) do not "
                 "fit in the guest's RAM", total, k.low);
        free(k.data);
        free(cmdline);
        return -1;
    }
    mb->load_addr = k.low;
    mb->entry = k.entry;
    mb->image_len = total;
    mb->image = xzalloc(total);
    memcpy(mb->image, k.data, k.size);
    free(k.data);

    uint64_t s = str_off;
    uint32_t cmdline_addr = (uint32_t)(k.low + s);
    memcpy(mb->image + s, cmdline, strlen(cmdline) + 1);
    s += strlen(cmdline) + 1;
    free(cmdline);
    off = mods_off;
    for (int i = 0; i < nmods; i++) {
        uint8_t *e = mb->image + list_off + 16 * i;
        uint32_t addr = (uint32_t)(k.low + off);
        memcpy(mb->image + off, mods[i].data, mods[i].len);
        put32(e, addr);
        put32(e + 4, addr + (uint32_t)mods[i].len);
        put32(e + 8, (uint32_t)(k.low + s));
        put32(e + 12, 0);
        if (i < (int)ARRAY_SIZE(mb->mods_addr)) {
            mb->mods_addr[i] = addr;
        }
        size_t cl = strlen(mods[i].cmdline) + 1;
        memcpy(mb->image + s, mods[i].cmdline, cl);
        s += cl;
        off = PAGE_ALIGN(off + mods[i].len);
    }

    /* The boot information; the ROM adds the e820 map and its length. */
    uint8_t *b = mb->low;
    put32(b + MBI_FLAGS, MBI_F_MEMORY | MBI_F_BOOT_DEVICE | MBI_F_CMDLINE |
          MBI_F_MODS | MBI_F_MMAP | MBI_F_LOADER_NAME);
    put32(b + MBI_MEM_LOWER, 640);
    put32(b + MBI_MEM_UPPER, (uint32_t)(below_4g / 1024 - 1024));
    put32(b + MBI_BOOT_DEVICE, 0x8000ffff);     /* first disk, no partition */
    put32(b + MBI_CMDLINE, cmdline_addr);
    put32(b + MBI_MODS_COUNT, nmods);
    put32(b + MBI_MODS_ADDR, (uint32_t)(k.low + list_off));
    put32(b + MBI_MMAP_ADDR, MULTIBOOT_INFO_ADDR + MULTIBOOT_MMAP_OFF);
    put32(b + MBI_BOOT_LOADER_NAME, MULTIBOOT_INFO_ADDR + MULTIBOOT_NAME_OFF);
    memcpy(b + MULTIBOOT_NAME_OFF, "qemu", 5);
    return 0;
}

char **multiboot_split_modules(const char *initrd, int *n)
{
    char **v = NULL;
    *n = 0;
    const char *p = initrd;
    while (*p) {
        char *one = xmalloc(strlen(p) + 1);
        size_t k = 0;
        for (; *p; p++) {
            if (*p == ',') {
                if (p[1] != ',') {
                    p++;
                    break;
                }
                p++;        /* ",," is a comma in the name */
            }
            one[k++] = *p;
        }
        one[k] = 0;
        v = xrealloc(v, (*n + 1) * sizeof(*v));
        v[(*n)++] = one;
    }
    return v;
}

int multiboot_load(struct fw_cfg *f, uint64_t below_4g, const uint8_t *img,
                   size_t len, const char *kernel, const char *initrd,
                   const char *append, struct err **errp)
{
    int nmods = 0, r = -1;
    char **names = initrd ? multiboot_split_modules(initrd, &nmods) : NULL;
    struct multiboot_module *mods = xzalloc((nmods + 1) * sizeof(*mods));
    struct multiboot_image mb = { 0 };
    for (int i = 0; i < nmods; i++) {
        /* The file name ends at the first space; the module's command
         * line is the whole entry. */
        char *path = xstrdup(names[i]);
        char *sp = strchr(path, ' ');
        if (sp) {
            *sp = 0;
        }
        mods[i].cmdline = names[i];
        mods[i].data = linuxboot_read_file(path, LINUXBOOT_MAX_FILE,
                                           &mods[i].len, "multiboot module",
                                           errp);
        free(path);
        if (!mods[i].data) {
            goto out;
        }
    }
    if (multiboot_prepare(&mb, img, len, kernel, append, mods, nmods,
                          below_4g, errp) < 0) {
        err_prepend(errp, "could not load kernel '%s': ", kernel);
        goto out;
    }
    fw_cfg_add_i32(f, FW_CFG_KERNEL_ADDR, mb.load_addr);
    fw_cfg_add_i32(f, FW_CFG_KERNEL_SIZE, (uint32_t)mb.image_len);
    fw_cfg_add_bytes(f, FW_CFG_KERNEL_DATA, mb.image, mb.image_len);
    fw_cfg_add_i32(f, FW_CFG_KERNEL_ENTRY, mb.entry);
    fw_cfg_add_i32(f, FW_CFG_INITRD_ADDR, MULTIBOOT_INFO_ADDR);
    fw_cfg_add_i32(f, FW_CFG_INITRD_SIZE, sizeof(mb.low));
    fw_cfg_add_bytes(f, FW_CFG_INITRD_DATA, mb.low, sizeof(mb.low));
    linuxboot_add_rom(f, "multiboot.bin", multiboot_rom, multiboot_rom_len);
    r = 0;
out:
    multiboot_free(&mb);
    for (int i = 0; i < nmods; i++) {
        free((void *)mods[i].data);
        free(names[i]);
    }
    free(mods);
    free(names);
    return r;
}
