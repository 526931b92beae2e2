/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linuxboot.c - -kernel/-initrd/-append for the pc machine: a Linux bzImage
 * per the x86 boot protocol 2.06+ (Linux Documentation/x86/boot.rst, "The
 * real-mode kernel header" and "Loading the rest of the kernel"), handed
 * to hemu's option ROM (roms/linuxboot.asm) through fw_cfg's kernel items
 * (QEMU docs/specs/fw_cfg: KERNEL_*, SETUP_*, INITRD_*, CMDLINE_*).  The
 * ROM runs from SeaBIOS's boot menu as the first entry (bootorder), so the
 * kernel's setup code sees SeaBIOS's INT 15h e820, INT 10h and ACPI
 * tables, as under QEMU.  Multiboot kernels go to multiboot.c.
 */
#include "emu/osdep.h"
#include <sys/stat.h>

#include "emu/hw/fw_cfg.h"      /* fw_cfg_add_* and the kernel keys */
#include "emu/hw/bootorder.h"
#include "emu/hw/linuxboot.h"
#include "emu/hw/multiboot.h"   /* the other kind of -kernel */
#include "emu/util/cutils.h"    /* xmalloc */
#include "emu/util/err.h"

/* The option ROM images, assembled from roms/ at build time. */
extern const unsigned char linuxboot_rom[];
extern const unsigned int linuxboot_rom_len;

/* ---------------------------------------------------------------------------
 * The setup header (boot.rst, "THE REAL-MODE KERNEL HEADER")
 */

#define HDR_SETUP_SECTS 0x1f1
#define HDR_VID_MODE 0x1fa
#define HDR_HEADER 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_CMDLINE_SIZE 0x238
#define HDR_END_206 0x23c       /* the 2.06 header ends here */

#define LOADED_HIGH 0x01
#define CAN_USE_HEAP 0x80

/* The layout QEMU's loader uses for a protocol 2.02+ bzImage: the setup
 * code at 0x10000 with its heap up to the command line at 0x20000, the
 * kernel at 1 MiB.  The loader ID is QEMU's (0xb0): the guest cannot
 * tell the two apart. */
#define REAL_ADDR 0x10000u
#define CMDLINE_ADDR 0x20000u
#define PROT_ADDR 0x100000u
#define LOADER_ID 0xb0
/* Keep the initrd under the ACPI tables SeaBIOS puts at the top of the
 * low RAM, as QEMU's pc does (acpi_data_size). */
#define ACPI_DATA_SIZE 0x28000u
/* Old kernels without initrd_addr_max (boot.rst: before 2.03). */
#define INITRD_MAX_OLD 0x37ffffffu
/* The command line area ends below the EBDA. */
#define CMDLINE_AREA_MAX (0x9f000u - CMDLINE_ADDR)

static uint16_t get16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = v >> (8 * i);
    }
}

bool linux_is_bzimage(const uint8_t *img, size_t len)
{
    return len >= HDR_HEADER + 4 && !memcmp(img + HDR_HEADER, "HdrS", 4);
}

int linux_vga_mode(const char *cmdline)
{
    /* As QEMU: the first "vga=" anywhere in the line. */
    const char *v = cmdline ? strstr(cmdline, "vga=") : NULL;
    if (!v) {
        return -1;
    }
    v += 4;
    if (!strncmp(v, "normal", 6)) {
        return 0xffff;
    }
    if (!strncmp(v, "ext", 3)) {
        return 0xfffe;
    }
    if (!strncmp(v, "ask", 3)) {
        return 0xfffd;
    }
    return (uint16_t)strtol(v, NULL, 0);
}

void linux_boot_free(struct linux_boot *lb)
{
    free(lb->setup);
    lb->setup = NULL;
}

int linux_boot_prepare(struct linux_boot *lb, const uint8_t *img, size_t len,
                       const char *cmdline, uint64_t initrd_size,
                       uint64_t below_4g, struct err **errp)
{
    memset(lb, 0, sizeof(*lb));
    if (!cmdline) {
        cmdline = "";
    }
    if (!linux_is_bzimage(img, len)) {
        err_setf(errp, "not a Linux kernel: no setup header signature");
        return -1;
    }
    lb->protocol = get16(img + HDR_VERSION);
    if (lb->protocol < 0x206) {
        err_setf(errp, "Linux boot protocol %u.%02u is too old (2.06 or later "
                 "is needed)", lb->protocol >> 8, lb->protocol & 0xff);
        return -1;
    }
    if (len < HDR_END_206) {
        err_setf(errp, "kernel image truncated in its setup header");
        return -1;
    }
    if (!(img[HDR_LOADFLAGS] & LOADED_HIGH)) {
        err_setf(errp, "not a bzImage: the kernel does not load at 1 MiB");
        return -1;
    }
    unsigned sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
    lb->setup_size = (sects + 1) * 512;
    if (lb->setup_size > CMDLINE_ADDR - REAL_ADDR - 0x200) {
        err_setf(errp, "kernel setup code too large (%u bytes)", lb->setup_size);
        return -1;
    }
    if (len <= lb->setup_size) {
        err_setf(errp, "kernel image truncated: %zu bytes, its setup code "
                 "alone takes %u", len, lb->setup_size);
        return -1;
    }
    if (len - lb->setup_size > below_4g) {
        err_setf(errp, "kernel too large for the guest's RAM");
        return -1;
    }
    lb->setup_addr = REAL_ADDR;
    lb->kernel_addr = PROT_ADDR;
    lb->kernel_size = (uint32_t)(len - lb->setup_size);
    if ((uint64_t)PROT_ADDR + lb->kernel_size > below_4g) {
        err_setf(errp, "kernel too large for the guest's RAM (%" PRIu64
                 " MiB below 4 GiB)", below_4g >> 20);
        return -1;
    }

    /* The command line: the kernel says how long it may be. */
    size_t clen = strlen(cmdline);
    uint32_t cmax = get32(img + HDR_CMDLINE_SIZE);
    if (clen > cmax || clen >= CMDLINE_AREA_MAX) {
        err_setf(errp, "kernel command line too long: %zu bytes, the kernel "
                 "takes at most %u", clen, MIN(cmax, CMDLINE_AREA_MAX - 1));
        return -1;
    }
    lb->cmdline_addr = CMDLINE_ADDR;
    lb->cmdline_size = (uint32_t)clen + 1;

    /* The initrd: as high as the kernel allows and the RAM has room. */
    if (initrd_size) {
        uint32_t initrd_max = get32(img + HDR_INITRD_ADDR_MAX);
        if (!initrd_max) {
            initrd_max = INITRD_MAX_OLD;
        }
        if (below_4g > ACPI_DATA_SIZE && initrd_max >= below_4g - ACPI_DATA_SIZE) {
            initrd_max = (uint32_t)(below_4g - ACPI_DATA_SIZE - 1);
        }
        if (initrd_size >= initrd_max) {
            err_setf(errp, "initrd is too large, cannot support. (max: %u, "
                     "need %" PRIu64 ")", initrd_max, initrd_size);
            return -1;
        }
        lb->initrd_size = (uint32_t)initrd_size;
        lb->initrd_addr = (uint32_t)((initrd_max - initrd_size) & ~4095ULL);
        if (lb->initrd_addr < PROT_ADDR + lb->kernel_size) {
            err_setf(errp, "initrd does not fit above the kernel: the guest "
                     "needs more memory (-m)");
            return -1;
        }
    }

    /* boot.rst "Details of header fields": what a boot loader writes. */
    lb->setup = xmalloc(lb->setup_size);
    memcpy(lb->setup, img, lb->setup_size);
    uint8_t *h = lb->setup;
    h[HDR_TYPE_OF_LOADER] = LOADER_ID;
    h[HDR_LOADFLAGS] |= CAN_USE_HEAP;
    put16(h + HDR_HEAP_END_PTR, CMDLINE_ADDR - REAL_ADDR - 0x200);
    put32(h + HDR_CMD_LINE_PTR, CMDLINE_ADDR);
    put32(h + HDR_RAMDISK_IMAGE, lb->initrd_addr);
    put32(h + HDR_RAMDISK_SIZE, lb->initrd_size);
    lb->vid_mode = linux_vga_mode(cmdline);
    if (lb->vid_mode >= 0) {
        put16(h + HDR_VID_MODE, (uint16_t)lb->vid_mode);
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Files and the option ROM
 */

uint8_t *linuxboot_read_file(const char *path, uint64_t max, size_t *len,
                             const char *what, struct err **errp)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_setf(errp, "could not open %s file '%s': %s", what, path,
                 strerror(errno));
        return NULL;
    }
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
        err_setf(errp, "could not load %s '%s': not a regular file", what, path);
        goto fail;
    }
    if ((uint64_t)st.st_size > max) {
        err_setf(errp, "could not load %s '%s': file too large", what, path);
        goto fail;
    }
    buf = xmalloc(st.st_size ? st.st_size : 1);
    if (fread(buf, 1, st.st_size, f) != (size_t)st.st_size) {
        err_setf(errp, "could not load %s '%s': %s", what, path,
                 ferror(f) ? strerror(errno) : "short read");
        goto fail;
    }
    fclose(f);
    *len = st.st_size;
    return buf;
fail:
    free(buf);
    fclose(f);
    return NULL;
}

uint8_t *linuxboot_make_rom(const uint8_t *rom, size_t len, size_t *out_len)
{
    /* One spare byte for the checksum, then whole 512-byte blocks. */
    size_t n = (len + 1 + 511) & ~(size_t)511;
    uint8_t *r = xzalloc(n);
    memcpy(r, rom, len);
    r[2] = n / 512;
    uint16_t pnp = get16(r + 0x1a);
    if (pnp && pnp + 32 <= n && !memcmp(r + pnp, "$PnP", 4)) {
        uint8_t sum = 0;
        r[pnp + 9] = 0;
        for (int i = 0; i < 32; i++) {
            sum += r[pnp + i];
        }
        r[pnp + 9] = -sum;
    }
    uint8_t sum = 0;
    r[n - 1] = 0;
    for (size_t i = 0; i < n; i++) {
        sum += r[i];
    }
    r[n - 1] = -sum;
    *out_len = n;
    return r;
}

void linuxboot_add_rom(struct fw_cfg *f, const char *name,
                       const uint8_t *body, size_t len)
{
    char path[FW_CFG_FILE_NAME_LEN], order[FW_CFG_FILE_NAME_LEN + 8];
    struct err *e = NULL;
    size_t rlen;
    uint8_t *rom = linuxboot_make_rom(body, len, &rlen);
    snprintf(path, sizeof(path), "genroms/%s", name);
    fw_cfg_add_file(f, path, rom, rlen);
    free(rom);
    /* QEMU gives the loader ROM bootindex 0: SeaBIOS boots it first. */
    snprintf(order, sizeof(order), "/rom@%s", path);
    if (bootorder_add(0, order, &e) < 0) {
        /* bootindex=0 on a device wins over the loader, as in QEMU. */
        err_free(e);
    }
}

static int load_linux(struct fw_cfg *f, uint64_t below_4g, const uint8_t *img,
                      size_t len, const char *kernel, const char *initrd,
                      const char *append, struct err **errp)
{
    uint8_t *rd = NULL;
    size_t rd_len = 0;
    if (initrd) {
        rd = linuxboot_read_file(initrd, LINUXBOOT_MAX_FILE, &rd_len,
                                 "initrd", errp);
        if (!rd) {
            return -1;
        }
    }
    struct linux_boot lb;
    if (linux_boot_prepare(&lb, img, len, append, rd_len, below_4g, errp) < 0) {
        err_prepend(errp, "could not load kernel '%s': ", kernel);
        free(rd);
        return -1;
    }
    fw_cfg_add_i32(f, FW_CFG_SETUP_ADDR, lb.setup_addr);
    fw_cfg_add_i32(f, FW_CFG_SETUP_SIZE, lb.setup_size);
    fw_cfg_add_bytes(f, FW_CFG_SETUP_DATA, lb.setup, lb.setup_size);
    fw_cfg_add_i32(f, FW_CFG_KERNEL_ADDR, lb.kernel_addr);
    fw_cfg_add_i32(f, FW_CFG_KERNEL_SIZE, lb.kernel_size);
    fw_cfg_add_bytes(f, FW_CFG_KERNEL_DATA, img + lb.setup_size, lb.kernel_size);
    fw_cfg_add_i32(f, FW_CFG_CMDLINE_ADDR, lb.cmdline_addr);
    fw_cfg_add_i32(f, FW_CFG_CMDLINE_SIZE, lb.cmdline_size);
    fw_cfg_add_string(f, FW_CFG_CMDLINE_DATA, append ? append : "");
    fw_cfg_add_i32(f, FW_CFG_INITRD_ADDR, lb.initrd_addr);
    fw_cfg_add_i32(f, FW_CFG_INITRD_SIZE, lb.initrd_size);
    fw_cfg_add_bytes(f, FW_CFG_INITRD_DATA, rd, rd_len);
    linux_boot_free(&lb);
    free(rd);
    linuxboot_add_rom(f, "linuxboot.bin", linuxboot_rom, linuxboot_rom_len);
    return 0;
}

int linuxboot_load(struct fw_cfg *f, uint64_t below_4g, const char *kernel,
                   const char *initrd, const char *append, struct err **errp)
{
    size_t len;
    uint8_t *img = linuxboot_read_file(kernel, LINUXBOOT_MAX_FILE, &len,
                                       "kernel", errp);
    if (!img) {
        return -1;
    }
    int r;
    /* As QEMU: the Linux header wins, then the multiboot header. */
    if (linux_is_bzimage(img, len)) {
        r = load_linux(f, below_4g, img, len, kernel, initrd, append, errp);
    } else if (multiboot_find_header(img, len) >= 0) {
        r = multiboot_load(f, below_4g, img, len, kernel, initrd, append, errp);
    } else {
        err_setf(errp, "could not load kernel '%s': neither a Linux bzImage "
                 "nor a multiboot kernel", kernel);
        r = -1;
    }
    free(img);
    return r;
}
