/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loader.h - the QEMU ACPI table loader script ("etc/table-loader") that
 * SeaBIOS's romfile loader runs: 128-byte commands that allocate fw_cfg
 * files in guest memory, patch pointers between them and fix checksums
 * (QEMU hw/acpi/bios-linker-loader interface, described in SeaBIOS
 * src/fw/romfile_loader.h; ACPI 6.4 5.2.5.3 for the RSDP it places).
 */
#ifndef HEMU_EMU_ACPI_LOADER_H
#define HEMU_EMU_ACPI_LOADER_H

#include "emu/osdep.h"
#include "emu/acpi/aml.h"   /* struct aml */

struct fw_cfg;
struct acpi_config;
struct acpi_build;

/* The fw_cfg files hemu's ACPI tables travel in. */
#define ACPI_TABLES_FILE "etc/acpi/tables"
#define ACPI_RSDP_FILE "etc/acpi/rsdp"
#define ACPI_LOADER_FILE "etc/table-loader"

#define LOADER_CMD_SIZE 128
#define LOADER_FILE_LEN 56

enum {
    LOADER_ALLOCATE = 1,
    LOADER_ADD_POINTER = 2,
    LOADER_ADD_CHECKSUM = 3,
};

enum {
    LOADER_ZONE_HIGH = 1,           /* anywhere in RAM, below 4 GiB */
    LOADER_ZONE_FSEG = 2,           /* 0xe0000-0xfffff, for the RSDP */
};

/* Command layout (all little-endian, zero-padded to 128 bytes):
 *   0: u32 command
 *   ALLOCATE:     4: file[56]  60: u32 align  64: u8 zone
 *   ADD_POINTER:  4: dest[56]  60: src[56]  116: u32 offset  120: u8 size
 *   ADD_CHECKSUM: 4: file[56]  60: u32 result offset  64: u32 start
 *                 68: u32 length
 */
void loader_allocate(struct aml *l, const char *file, uint32_t align,
                     uint8_t zone);
/* At dest+offset, add the address of src to the size-byte value there. */
void loader_add_pointer(struct aml *l, const char *dest, const char *src,
                        uint32_t offset, uint8_t size);
/* Subtract the sum of file[start, start+len) from file[offset]. */
void loader_add_checksum(struct aml *l, const char *file, uint32_t offset,
                         uint32_t start, uint32_t len);

/* The script for the blobs of b (called by acpi_build()). */
void acpi_build_loader(struct aml *l, const struct acpi_build *b);

/* A blob placed in guest memory at addr, for loader_execute(). */
struct loader_blob {
    const char *name;
    uint8_t *data;
    size_t len;
    uint64_t addr;
};

/* Run a script as the firmware does, against blobs the caller has already
 * placed: checks that every ALLOCATE is honoured (alignment, FSEG zone),
 * patches the pointers and checksums in data.  Lets hemu install the
 * tables itself when it boots a guest without firmware.  Returns 0, or
 * -EINVAL for a malformed script or a misplaced blob. */
int loader_execute(const uint8_t *script, size_t len,
                   struct loader_blob *blobs, int n);

/* Build the tables for c and add "etc/acpi/tables", "etc/acpi/rsdp" and
 * "etc/table-loader" to f.  Returns 0 or -errno. */
int acpi_setup_fw_cfg(struct fw_cfg *f, const struct acpi_config *c);

#endif
