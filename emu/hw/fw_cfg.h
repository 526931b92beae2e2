/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw_cfg.h - the QEMU firmware configuration device that SeaBIOS and Linux
 * read (QEMU docs/specs/fw_cfg: selector port 0x510, data port 0x511,
 * DMA address 0x514/0x518; a file directory at key 0x19).
 */
#ifndef HEMU_EMU_HW_FW_CFG_H
#define HEMU_EMU_HW_FW_CFG_H

#include "emu/osdep.h"

struct addr_space;

/* Well-known keys (fw_cfg spec, "Firmware Configuration Items"). */
enum {
    FW_CFG_SIGNATURE = 0x00,
    FW_CFG_ID = 0x01,
    FW_CFG_UUID = 0x02,
    FW_CFG_RAM_SIZE = 0x03,
    FW_CFG_NOGRAPHIC = 0x04,
    FW_CFG_NB_CPUS = 0x05,
    FW_CFG_MACHINE_ID = 0x06,
    FW_CFG_KERNEL_ADDR = 0x07,
    FW_CFG_KERNEL_SIZE = 0x08,
    FW_CFG_KERNEL_CMDLINE = 0x09,
    FW_CFG_INITRD_ADDR = 0x0a,
    FW_CFG_INITRD_SIZE = 0x0b,
    FW_CFG_BOOT_DEVICE = 0x0c,
    FW_CFG_NUMA = 0x0d,
    FW_CFG_BOOT_MENU = 0x0e,
    FW_CFG_MAX_CPUS = 0x0f,
    FW_CFG_KERNEL_ENTRY = 0x10,
    FW_CFG_KERNEL_DATA = 0x11,
    FW_CFG_INITRD_DATA = 0x12,
    FW_CFG_CMDLINE_ADDR = 0x13,
    FW_CFG_CMDLINE_SIZE = 0x14,
    FW_CFG_CMDLINE_DATA = 0x15,
    FW_CFG_SETUP_ADDR = 0x16,
    FW_CFG_SETUP_SIZE = 0x17,
    FW_CFG_SETUP_DATA = 0x18,
    FW_CFG_FILE_DIR = 0x19,
    FW_CFG_FILE_FIRST = 0x20,
    FW_CFG_WRITE_CHANNEL = 0x4000,
    FW_CFG_ARCH_LOCAL = 0x8000,
    /* x86 arch-local keys */
    FW_CFG_ACPI_TABLES = 0x8000,
    FW_CFG_SMBIOS_ENTRIES = 0x8001,
    FW_CFG_IRQ0_OVERRIDE = 0x8002,
    FW_CFG_E820_TABLE = 0x8003,
    FW_CFG_HPET = 0x8004,
};

#define FW_CFG_MAX_FILES 0x1000
#define FW_CFG_FILE_NAME_LEN 56

struct fw_cfg;

/* Map the device's ports at io_base in io; DMA goes to mem (NULL: no DMA
 * interface, ID bit 1 clear). */
struct fw_cfg *fw_cfg_new(struct addr_space *io, uint16_t io_base,
                          struct addr_space *mem);
void fw_cfg_free(struct fw_cfg *f);

/* Items hold copies of the data. */
void fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data,
                      size_t len);
void fw_cfg_add_i16(struct fw_cfg *f, uint16_t key, uint16_t v);
void fw_cfg_add_i32(struct fw_cfg *f, uint16_t key, uint32_t v);
void fw_cfg_add_i64(struct fw_cfg *f, uint16_t key, uint64_t v);
void fw_cfg_add_string(struct fw_cfg *f, uint16_t key, const char *s);
/* A named file (replaces one of the same name); -1 if the directory is
 * full or the name too long. */
int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data,
                    size_t len);
/* Contents of a file (for tests and the ACPI loader). */
const uint8_t *fw_cfg_file(struct fw_cfg *f, const char *name, size_t *len);
/* Back to power-on state: selector 0, offset 0. */
void fw_cfg_reset(struct fw_cfg *f);

#endif
