/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tables.h - the ACPI tables of the pc machine: RSDP, RSDT, XSDT, FADT,
 * FACS, MADT, HPET and the DSDT (ACPI 6.4 chapter 5.2 "ACPI System
 * Description Tables"; HPET: IA-PC HPET specification 1.0a, 3.2.4).
 *
 * The machine fills a struct acpi_config (acpi_config_init() gives QEMU's
 * pc defaults) and calls acpi_build().  The result is two blobs laid out
 * as QEMU lays them out for its table loader: "etc/acpi/tables" (FACS,
 * DSDT, FADT, MADT, HPET, RSDT, XSDT) and "etc/acpi/rsdp".  Every pointer
 * between tables holds the offset of its target inside its blob; the
 * loader commands (emu/acpi/loader.h) tell the firmware to add the blob's
 * address to it and to fix the checksums.
 */
#ifndef HEMU_EMU_ACPI_TABLES_H
#define HEMU_EMU_ACPI_TABLES_H

#include "emu/osdep.h"
#include "emu/acpi/aml.h"   /* struct aml */

#define ACPI_MAX_CPUS 255
#define ACPI_HEADER_SIZE 36

/* FADT fields that point at other tables (5.2.9, Table 5.9). */
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_X_DSDT 140

struct acpi_config {
    unsigned ncpus;                 /* 1..ACPI_MAX_CPUS */
    const uint8_t *apic_ids;        /* ncpus entries; NULL: id = index */
    bool com[4];                    /* COM1-COM4 present */
    bool hpet;                      /* -machine hpet=on */
    uint64_t ram_below_4g;
    uint64_t ram_above_4g;
    /* PCI windows for \_SB.PCI0._CRS (inclusive ends); a 64-bit hole of
     * size 0 is left out. */
    uint32_t pci_hole_start;
    uint32_t pci_hole_end;
    uint64_t pci_hole64_start;
    uint64_t pci_hole64_size;
    uint16_t pm_io_base;            /* PIIX4 PM block (QEMU: 0x600) */
    uint16_t gpe0_base;             /* GPE0 block (QEMU: 0xafe0) */
    uint8_t gpe0_len;               /* bytes (QEMU: 4) */
    uint8_t sci_irq;                /* 9 */
    uint16_t smi_cmd;               /* 0xb2; 0: no SMI command port */
    uint8_t acpi_enable;            /* 0xf1 */
    uint8_t acpi_disable;           /* 0xf0 */
    bool pm_tmr_32bit;              /* PIIX4's timer is 24 bits */
    uint16_t reset_port;            /* 0xcf9 */
    uint8_t reset_value;            /* 0x06 */
    uint32_t lapic_addr;            /* 0xfee00000 */
    uint32_t ioapic_addr;           /* 0xfec00000 */
    uint8_t ioapic_id;              /* 0 */
    uint32_t hpet_addr;             /* 0xfed00000 */
    bool irq0_override;             /* IRQ0 -> GSI2 in the MADT */
    uint16_t pci_irq_mask;          /* level/high ISA IRQs: 5,9,10,11 */
    bool s3, s4;                    /* \_S3 and \_S4 packages */
    /* Power button: false = fixed feature (QEMU), true = a PNP0C0C device
     * notified from GPE pwrbtn_gpe's _Lxx method. */
    bool pwrbtn_method;
    uint8_t pwrbtn_gpe;
    /* Slot 1 INTA (the PIIX4 PM function) goes to LNKS, fixed at the SCI
     * IRQ, as in QEMU. */
    bool lnks;
};

/* Offsets of each table inside the "etc/acpi/tables" blob. */
struct acpi_build {
    struct aml tables;              /* "etc/acpi/tables" */
    struct aml rsdp;                /* "etc/acpi/rsdp" */
    struct aml loader;              /* "etc/table-loader" */
    size_t facs, dsdt, fadt, madt, hpet, rsdt, xsdt;
    size_t dsdt_len, fadt_len, madt_len, hpet_len, rsdt_len, xsdt_len;
};

/* QEMU pc defaults for ncpus CPUs and the given RAM split; COM1 only. */
void acpi_config_init(struct acpi_config *c, unsigned ncpus,
                      uint64_t ram_below_4g, uint64_t ram_above_4g);
/* Build every table and the loader script; -EINVAL on a bad config.
 * Free with acpi_build_free(). */
int acpi_build(const struct acpi_config *c, struct acpi_build *b);
void acpi_build_free(struct acpi_build *b);

/* Append a complete DSDT to t (emu/acpi/dsdt.c). */
void acpi_build_dsdt(struct aml *t, const struct acpi_config *c);

/* Table header helpers shared by the builders. */
size_t acpi_header(struct aml *t, const char *sig, uint8_t rev);
/* Set the length and checksum of the table at off that ends at t->len. */
void acpi_finish(struct aml *t, size_t off);
/* Sum of n bytes, mod 256. */
uint8_t acpi_sum(const uint8_t *p, size_t n);

#endif
