/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tables.c - the fixed-layout ACPI tables of the pc machine: RSDP (ACPI
 * 6.4 5.2.5.3), RSDT (5.2.7), XSDT (5.2.8), FADT revision 3 (5.2.9), FACS
 * (5.2.10), MADT (5.2.12) and the HPET description table (IA-PC HPET
 * specification 1.0a, 3.2.4), laid out in the two blobs the table loader
 * places.  The DSDT is in dsdt.c, the loader script in loader.c.
 *
 * The values follow what QEMU 6.2 gives its pc machine (PIIX4 PM block at
 * 0x600, GPE0 at 0xafe0, SCI on IRQ 9, reset through 0xcf9) so guests see
 * the platform they expect from QEMU.
 */
#include "emu/osdep.h"

#include "emu/acpi/tables.h"   /* the API */
#include "emu/acpi/loader.h"   /* loader_* commands */

/* OEM fields as QEMU fills them: some guests key quirks on "BOCHS". */
#define ACPI_OEM_ID "BOCHS "
#define ACPI_OEM_TABLE_ID "BXPC    "
#define ACPI_CREATOR_ID "BXPC"

/* FADT flags (5.2.9, Table 5.10). */
#define FADT_F_WBINVD (1u << 0)
#define FADT_F_PROC_C1 (1u << 2)
#define FADT_F_PWR_BUTTON (1u << 4)
#define FADT_F_SLP_BUTTON (1u << 5)
#define FADT_F_RTC_S4 (1u << 7)
#define FADT_F_TMR_VAL_EXT (1u << 8)
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_F_USE_PLATFORM_CLOCK (1u << 15)
#define FADT_F_FORCE_APIC_PHYS (1u << 19)

/* ================================================================
 * Shared helpers
 * ================================================================ */

uint8_t acpi_sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--) {
        s += *p++;
    }
    return s;
}

size_t acpi_header(struct aml *t, const char *sig, uint8_t rev)
{
    size_t off = aml_reserve(t, ACPI_HEADER_SIZE);
    memcpy(t->data + off, sig, 4);
    t->data[off + 8] = rev;
    memcpy(t->data + off + 10, ACPI_OEM_ID, 6);
    memcpy(t->data + off + 16, ACPI_OEM_TABLE_ID, 8);
    aml_put_le(t, off + 24, 1, 4);                 /* OEM revision */
    memcpy(t->data + off + 28, ACPI_CREATOR_ID, 4);
    aml_put_le(t, off + 32, 1, 4);                 /* creator revision */
    return off;
}

void acpi_finish(struct aml *t, size_t off)
{
    size_t len = t->len - off;
    aml_put_le(t, off + 4, len, 4);
    t->data[off + 9] = 0;
    t->data[off + 9] = (uint8_t)-acpi_sum(t->data + off, len);
}

/* A Generic Address Structure (5.2.3.2). */
static void acpi_gas(struct aml *t, uint8_t space, uint8_t bits,
                     uint8_t access, uint64_t addr)
{
    aml_byte(t, space);
    aml_byte(t, bits);
    aml_byte(t, 0);                    /* bit offset */
    aml_byte(t, access);
    aml_le64(t, addr);
}

/* A System I/O block for the X_ fields: zero length means "absent". */
static void acpi_gas_io(struct aml *t, uint16_t port, uint8_t len)
{
    if (len) {
        acpi_gas(t, 1, (uint8_t)(len * 8), 0, port);
    } else {
        acpi_gas(t, 0, 0, 0, 0);
    }
}

/* ================================================================
 * FACS, FADT
 * ================================================================ */

static void acpi_build_facs(struct aml *t)
{
    /* No checksum: the firmware and the OS write into it. */
    size_t off = aml_reserve(t, 64);
    memcpy(t->data + off, "FACS", 4);
    aml_put_le(t, off + 4, 64, 4);
    t->data[off + 32] = 1;             /* version */
}

static void acpi_build_fadt(struct aml *t, const struct acpi_config *c,
                            size_t facs, size_t dsdt)
{
    uint16_t pm1a_evt = c->pm_io_base;
    uint16_t pm1a_cnt = c->pm_io_base + 4;
    uint16_t pm_tmr = c->pm_io_base + 8;
    uint32_t flags = FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON |
                     FADT_F_RTC_S4 | FADT_F_RESET_REG_SUP |
                     FADT_F_USE_PLATFORM_CLOCK;
    size_t off = acpi_header(t, "FACP", 3);

    if (c->pwrbtn_method) {
        flags |= FADT_F_PWR_BUTTON;
    }
    if (c->pm_tmr_32bit) {
        flags |= FADT_F_TMR_VAL_EXT;
    }
    if (c->ncpus > 8) {
        flags |= FADT_F_FORCE_APIC_PHYS;
    }
    /* The pointers hold blob offsets; the loader relocates them.  A FACS
     * below 4 GiB goes in FIRMWARE_CTRL only (X_FIRMWARE_CTRL stays 0). */
    aml_le32(t, (uint32_t)facs);
    aml_le32(t, (uint32_t)dsdt);
    aml_byte(t, 0);                    /* reserved (INT_MODEL in 1.0) */
    aml_byte(t, 0);                    /* preferred PM profile */
    aml_le16(t, c->sci_irq);
    aml_le32(t, c->smi_cmd);
    aml_byte(t, c->smi_cmd ? c->acpi_enable : 0);
    aml_byte(t, c->smi_cmd ? c->acpi_disable : 0);
    aml_byte(t, 0);                    /* S4BIOS_REQ */
    aml_byte(t, 0);                    /* PSTATE_CNT */
    aml_le32(t, pm1a_evt);
    aml_le32(t, 0);                    /* PM1b_EVT_BLK */
    aml_le32(t, pm1a_cnt);
    aml_le32(t, 0);                    /* PM1b_CNT_BLK */
    aml_le32(t, 0);                    /* PM2_CNT_BLK */
    aml_le32(t, pm_tmr);
    aml_le32(t, c->gpe0_len ? c->gpe0_base : 0);
    aml_le32(t, 0);                    /* GPE1_BLK */
    aml_byte(t, 4);                    /* PM1_EVT_LEN */
    aml_byte(t, 2);                    /* PM1_CNT_LEN */
    aml_byte(t, 0);                    /* PM2_CNT_LEN */
    aml_byte(t, 4);                    /* PM_TMR_LEN */
    aml_byte(t, c->gpe0_len);
    aml_byte(t, 0);                    /* GPE1_BLK_LEN */
    aml_byte(t, 0);                    /* GPE1_BASE */
    aml_byte(t, 0);                    /* CST_CNT */
    aml_le16(t, 0xfff);                /* P_LVL2_LAT: C2 not supported */
    aml_le16(t, 0xfff);                /* P_LVL3_LAT: C3 not supported */
    aml_le16(t, 0);                    /* FLUSH_SIZE */
    aml_le16(t, 0);                    /* FLUSH_STRIDE */
    aml_byte(t, 0);                    /* DUTY_OFFSET */
    aml_byte(t, 0);                    /* DUTY_WIDTH */
    aml_byte(t, 0);                    /* DAY_ALRM */
    aml_byte(t, 0);                    /* MON_ALRM */
    aml_byte(t, 0x32);                 /* CENTURY: CMOS index */
    aml_le16(t, 0x0003);               /* IAPC_BOOT_ARCH: legacy, 8042 */
    aml_byte(t, 0);
    aml_le32(t, flags);
    acpi_gas(t, 1, 8, 1, c->reset_port);   /* RESET_REG: byte I/O */
    aml_byte(t, c->reset_value);
    aml_le16(t, 0);                    /* ARM_BOOT_ARCH (reserved in 3) */
    aml_byte(t, 0);                    /* FADT minor version */
    aml_le64(t, 0);                    /* X_FIRMWARE_CTRL */
    aml_le64(t, dsdt);                 /* X_DSDT */
    acpi_gas_io(t, pm1a_evt, 4);
    acpi_gas_io(t, 0, 0);              /* X_PM1b_EVT_BLK */
    acpi_gas_io(t, pm1a_cnt, 2);
    acpi_gas_io(t, 0, 0);              /* X_PM1b_CNT_BLK */
    acpi_gas_io(t, 0, 0);              /* X_PM2_CNT_BLK */
    acpi_gas_io(t, pm_tmr, 4);
    acpi_gas_io(t, c->gpe0_base, c->gpe0_len);
    acpi_gas_io(t, 0, 0);              /* X_GPE1_BLK */
    acpi_finish(t, off);
}

/* ================================================================
 * MADT, HPET
 * ================================================================ */

static void acpi_build_madt(struct aml *t, const struct acpi_config *c)
{
    size_t off = acpi_header(t, "APIC", 1);

    aml_le32(t, c->lapic_addr);
    aml_le32(t, 1);                    /* PCAT_COMPAT: 8259s present */
    for (unsigned i = 0; i < c->ncpus; i++) {
        /* Processor Local APIC (5.2.12.2): the UID matches the _UID of
         * the processor device in the DSDT. */
        aml_byte(t, 0);
        aml_byte(t, 8);
        aml_byte(t, (uint8_t)i);
        aml_byte(t, c->apic_ids ? c->apic_ids[i] : (uint8_t)i);
        aml_le32(t, 1);                /* enabled */
    }
    /* I/O APIC (5.2.12.3) */
    aml_byte(t, 1);
    aml_byte(t, 12);
    aml_byte(t, c->ioapic_id);
    aml_byte(t, 0);
    aml_le32(t, c->ioapic_addr);
    aml_le32(t, 0);                    /* GSI base */
    /* Interrupt Source Overrides (5.2.12.5).  The PIT's IRQ0 is wired
     * to IOAPIC pin 2; the PCI link IRQs are level, active high. */
    if (c->irq0_override) {
        aml_byte(t, 2);
        aml_byte(t, 10);
        aml_byte(t, 0);                /* ISA bus */
        aml_byte(t, 0);                /* source IRQ */
        aml_le32(t, 2);
        aml_le16(t, 0);                /* conforms to the bus */
    }
    for (int irq = 1; irq < 16; irq++) {
        if (!(c->pci_irq_mask & (1u << irq))) {
            continue;
        }
        aml_byte(t, 2);
        aml_byte(t, 10);
        aml_byte(t, 0);
        aml_byte(t, (uint8_t)irq);
        aml_le32(t, irq);
        aml_le16(t, 0x000d);           /* level (3 << 2), high (1) */
    }
    /* Local APIC NMI (5.2.12.7): LINT1 of every processor. */
    aml_byte(t, 4);
    aml_byte(t, 6);
    aml_byte(t, 0xff);
    aml_le16(t, 0);
    aml_byte(t, 1);
    acpi_finish(t, off);
}

static void acpi_build_hpet(struct aml *t, const struct acpi_config *c)
{
    size_t off = acpi_header(t, "HPET", 1);

    /* Event Timer Block ID: the low half of the capabilities register
     * (vendor 8086, legacy route capable, 64-bit counter, 3 timers). */
    aml_le32(t, 0x8086a201);
    acpi_gas(t, 0, 64, 0, c->hpet_addr);
    aml_byte(t, 0);                    /* HPET number */
    aml_le16(t, 128);                  /* minimum periodic tick */
    aml_byte(t, 0);                    /* no page protection */
    acpi_finish(t, off);
}

/* ================================================================
 * RSDT, XSDT, RSDP
 * ================================================================ */

static void acpi_build_sdt(struct aml *t, const char *sig, int width,
                           const size_t *entries, int n)
{
    size_t off = acpi_header(t, sig, 1);
    for (int i = 0; i < n; i++) {
        if (width == 4) {
            aml_le32(t, (uint32_t)entries[i]);
        } else {
            aml_le64(t, entries[i]);
        }
    }
    acpi_finish(t, off);
}

static void acpi_build_rsdp(struct aml *r, size_t rsdt, size_t xsdt)
{
    size_t off = aml_reserve(r, 36);
    memcpy(r->data + off, "RSD PTR ", 8);
    memcpy(r->data + off + 9, ACPI_OEM_ID, 6);
    r->data[off + 15] = 2;             /* revision: ACPI 2.0+, has XSDT */
    aml_put_le(r, off + 16, rsdt, 4);
    aml_put_le(r, off + 20, 36, 4);
    aml_put_le(r, off + 24, xsdt, 8);
    /* First checksum: bytes 0-19; extended: all 36 (including the
     * first checksum). */
    r->data[off + 8] = (uint8_t)-acpi_sum(r->data + off, 20);
    r->data[off + 32] = (uint8_t)-acpi_sum(r->data + off, 36);
}

/* ================================================================
 * Configuration and the whole build
 * ================================================================ */

void acpi_config_init(struct acpi_config *c, unsigned ncpus,
                      uint64_t ram_below_4g, uint64_t ram_above_4g)
{
    const uint64_t gib = 1ull << 30;

    memset(c, 0, sizeof(*c));
    c->ncpus = ncpus;
    c->com[0] = true;
    c->hpet = true;
    c->ram_below_4g = ram_below_4g;
    c->ram_above_4g = ram_above_4g;
    /* QEMU's i440fx: the 32-bit hole runs from the top of low RAM to the
     * IOAPIC; the 64-bit one (2 GiB) starts at the next GiB above RAM. */
    c->pci_hole_start = (uint32_t)ram_below_4g;
    c->pci_hole_end = 0xfebfffff;
    c->pci_hole64_start = ((1ull << 32) + ram_above_4g + gib - 1) &
                          ~(gib - 1);
    c->pci_hole64_size = 2 * gib;
    c->pm_io_base = 0x600;
    c->gpe0_base = 0xafe0;
    c->gpe0_len = 4;
    c->sci_irq = 9;
    c->smi_cmd = 0xb2;
    c->acpi_enable = 0xf1;
    c->acpi_disable = 0xf0;
    c->reset_port = 0xcf9;
    c->reset_value = 0x06;
    c->lapic_addr = 0xfee00000;
    c->ioapic_addr = 0xfec00000;
    c->ioapic_id = 0;
    c->hpet_addr = 0xfed00000;
    c->irq0_override = true;
    c->pci_irq_mask = (1u << 5) | (1u << 9) | (1u << 10) | (1u << 11);
    c->s3 = true;
    c->s4 = true;
    c->lnks = true;
}

static int acpi_config_check(const struct acpi_config *c)
{
    if (c->ncpus < 1 || c->ncpus > ACPI_MAX_CPUS) {
        return -EINVAL;
    }
    if (c->pci_hole_start > c->pci_hole_end || c->sci_irq > 15) {
        return -EINVAL;
    }
    if (c->pci_hole64_size &&
        c->pci_hole64_start + c->pci_hole64_size - 1 < c->pci_hole64_start) {
        return -EINVAL;
    }
    if (c->pwrbtn_method && c->pwrbtn_gpe >= c->gpe0_len * 4) {
        return -EINVAL;                /* half the block is status bits */
    }
    return 0;
}

int acpi_build(const struct acpi_config *c, struct acpi_build *b)
{
    struct aml *t = &b->tables;
    size_t entries[3];
    int n = 0;
    int ret = acpi_config_check(c);

    memset(b, 0, sizeof(*b));
    if (ret < 0) {
        return ret;
    }

    /* The blob is allocated 64-aligned, which the FACS needs (5.2.10). */
    b->facs = t->len;
    acpi_build_facs(t);
    b->dsdt = t->len;
    acpi_build_dsdt(t, c);
    b->dsdt_len = t->len - b->dsdt;
    b->fadt = t->len;
    acpi_build_fadt(t, c, b->facs, b->dsdt);
    b->fadt_len = t->len - b->fadt;
    entries[n++] = b->fadt;
    b->madt = t->len;
    acpi_build_madt(t, c);
    b->madt_len = t->len - b->madt;
    entries[n++] = b->madt;
    if (c->hpet) {
        b->hpet = t->len;
        acpi_build_hpet(t, c);
        b->hpet_len = t->len - b->hpet;
        entries[n++] = b->hpet;
    }
    b->rsdt = t->len;
    acpi_build_sdt(t, "RSDT", 4, entries, n);
    b->rsdt_len = t->len - b->rsdt;
    b->xsdt = t->len;
    acpi_build_sdt(t, "XSDT", 8, entries, n);
    b->xsdt_len = t->len - b->xsdt;
    acpi_build_rsdp(&b->rsdp, b->rsdt, b->xsdt);

    acpi_build_loader(&b->loader, b);
    return 0;
}

void acpi_build_free(struct acpi_build *b)
{
    aml_free(&b->tables);
    aml_free(&b->rsdp);
    aml_free(&b->loader);
}
