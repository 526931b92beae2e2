/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * multiboot.h - loading a multiboot v1 kernel (Multiboot Specification
 * 0.6.96): the header in the first 8 KiB, an ELF32 image or the a.out
 * kludge (header flag 16), modules from -initrd "file args,file args", and
 * the boot information structure.  The option ROM (roms/multiboot.asm)
 * adds the BIOS memory map and enters the kernel in 32-bit protected mode.
 */
#ifndef HEMU_EMU_HW_MULTIBOOT_H
#define HEMU_EMU_HW_MULTIBOOT_H

#include "emu/osdep.h"

struct err;
struct fw_cfg;

#define MULTIBOOT_MAGIC 0x1badb002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u
/* Where the boot information goes, as on QEMU (below the EBDA, out of
 * SeaBIOS's way at boot time). */
#define MULTIBOOT_INFO_ADDR 0x9000u
/* Offsets in the low blob at MULTIBOOT_INFO_ADDR. */
#define MULTIBOOT_NAME_OFF 0x80u
#define MULTIBOOT_MMAP_OFF 0x100u
#define MULTIBOOT_MMAP_MAX 64      /* 24-byte entries the ROM may write */
#define MULTIBOOT_LOW_SIZE (MULTIBOOT_MMAP_OFF + 24 * MULTIBOOT_MMAP_MAX)

/* The boot information structure (spec 3.3): byte offsets. */
enum {
    MBI_FLAGS = 0, MBI_MEM_LOWER = 4, MBI_MEM_UPPER = 8, MBI_BOOT_DEVICE = 12,
    MBI_CMDLINE = 16, MBI_MODS_COUNT = 20, MBI_MODS_ADDR = 24,
    MBI_MMAP_LENGTH = 44, MBI_MMAP_ADDR = 48, MBI_BOOT_LOADER_NAME = 64,
};

struct multiboot_module {
    const uint8_t *data;
    size_t len;
    const char *cmdline;        /* "file args", as given to -initrd */
};

struct multiboot_image {
    uint32_t load_addr;         /* where image goes */
    uint32_t entry;
    uint8_t *image;             /* kernel, bss, modules, module list, strings */
    size_t image_len;
    uint8_t low[MULTIBOOT_LOW_SIZE];    /* goes to MULTIBOOT_INFO_ADDR */
    uint32_t mods_addr[16];     /* first module addresses (for tests) */
};

/* Offset of a valid multiboot header in the first 8 KiB, or -1. */
long multiboot_find_header(const uint8_t *img, size_t len);

/*
 * Build the boot image of the kernel img[0..len) with the command line
 * "kernel_name append" and the modules; the whole of it must fit in the
 * RAM below the PCI hole (below_4g).  Free with multiboot_free.
 */
int multiboot_prepare(struct multiboot_image *mb, const uint8_t *img,
                      size_t len, const char *kernel_name, const char *append,
                      const struct multiboot_module *mods, int nmods,
                      uint64_t below_4g, struct err **errp);
void multiboot_free(struct multiboot_image *mb);

/* Split -initrd's "file args,file args" (",," is a comma) into module
 * command lines: a malloc'd array of malloc'd strings. */
char **multiboot_split_modules(const char *initrd, int *n);

/* Read the modules named by initrd and put the prepared kernel into f. */
int multiboot_load(struct fw_cfg *f, uint64_t below_4g, const uint8_t *img,
                   size_t len, const char *kernel, const char *initrd,
                   const char *append, struct err **errp);

#endif
