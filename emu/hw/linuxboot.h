/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linuxboot.h - direct kernel boot (-kernel/-initrd/-append) for the pc
 * machine: a Linux bzImage per the x86 boot protocol 2.06+ (Linux
 * Documentation/x86/boot.rst), or a multiboot v1 kernel (multiboot.h).
 * The loader parses the files and fills fw_cfg's kernel, setup, initrd and
 * command-line items; hemu's own option ROM (roms/linuxboot.asm or
 * roms/multiboot.asm), offered to SeaBIOS as a genroms/ file, copies them
 * into place at boot and enters the kernel, as QEMU's loader ROMs do.
 */
#ifndef HEMU_EMU_HW_LINUXBOOT_H
#define HEMU_EMU_HW_LINUXBOOT_H

#include "emu/osdep.h"

struct err;
struct fw_cfg;

/* The largest -kernel, -initrd or module file hemu reads (as QEMU, the
 * files end up below 4 GiB). */
#define LINUXBOOT_MAX_FILE (2048ULL << 20)

/* Where the Linux loader puts things, and the patched setup code. */
struct linux_boot {
    uint16_t protocol;          /* 0x0206 for 2.06 */
    uint32_t setup_addr;        /* the real-mode code and boot_params */
    uint32_t setup_size;        /* (setup_sects + 1) * 512 */
    uint32_t kernel_addr;       /* the protected-mode kernel, 1 MiB */
    uint32_t kernel_size;
    uint32_t cmdline_addr;
    uint32_t cmdline_size;      /* with the NUL */
    uint32_t initrd_addr;       /* 0 without an initrd */
    uint32_t initrd_size;
    int vid_mode;               /* -1: vga= absent, header unchanged */
    uint8_t *setup;             /* setup_size bytes, header filled in */
};

/*
 * Check the bzImage in img[0..len) and plan the boot: cmdline is -append
 * ("" if absent), initrd_size the -initrd file's size (0: none), below_4g
 * the RAM below the PCI hole.  Fills lb (free with linux_boot_free).
 */
int linux_boot_prepare(struct linux_boot *lb, const uint8_t *img, size_t len,
                       const char *cmdline, uint64_t initrd_size,
                       uint64_t below_4g, struct err **errp);
void linux_boot_free(struct linux_boot *lb);
/* Whether img carries the setup header signature "HdrS". */
bool linux_is_bzimage(const uint8_t *img, size_t len);
/* The vid_mode value for a command line's vga= (normal, ext, ask or a
 * number), -1 if it has none. */
int linux_vga_mode(const char *cmdline);

/*
 * Read a whole file of at most max bytes: a malloc'd buffer, or NULL with
 * *errp set (what, e.g. "kernel", names the file in the message).
 */
uint8_t *linuxboot_read_file(const char *path, uint64_t max, size_t *len,
                             const char *what, struct err **errp);
/* Turn a ROM image into a valid option ROM: pad to 512 bytes, set the
 * size byte, the $PnP header checksum and the image checksum.  Returns a
 * malloc'd copy and its length in *out_len. */
uint8_t *linuxboot_make_rom(const uint8_t *rom, size_t len, size_t *out_len);

/* Offer body as the option ROM genroms/NAME and boot it first. */
void linuxboot_add_rom(struct fw_cfg *f, const char *name,
                       const uint8_t *body, size_t len);

/*
 * The pc machine's entry: load the kernel (Linux or multiboot) named by
 * kernel, with initrd (may be NULL) and append (may be NULL), into f and
 * offer the matching option ROM as the first boot entry.
 */
int linuxboot_load(struct fw_cfg *f, uint64_t below_4g, const char *kernel,
                   const char *initrd, const char *append, struct err **errp);

#endif
