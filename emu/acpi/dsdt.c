/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dsdt.c - the Differentiated System Description Table of the pc machine
 * (ACPI 6.4 5.2.11.1): the i440FX PCI host bridge (PNP0A03, 6.1 and 6.2)
 * with its windows and interrupt routing (_PRT, 6.2.13) through the PIIX3
 * PIRQ link devices (PNP0C0F, 6.2.13 and 6.2.16 _SRS), the ISA devices
 * behind the PIIX3, the HPET, processor devices (ACPI0007, 8.4), the
 * power button (4.8.3.1) and the sleep state packages (7.4.2).
 */
#include "emu/osdep.h"

#include "emu/acpi/tables.h"   /* acpi_config, acpi_header */
#include "emu/acpi/aml.h"      /* the encoder */

/* Legacy COM port resources (as QEMU's isa-serial defaults). */
static const struct {
    uint16_t port;
    uint8_t irq;
} dsdt_com[4] = {
    { 0x3f8, 4 }, { 0x2f8, 3 }, { 0x3e8, 4 }, { 0x2e8, 3 },
};

/* Name (_CRS, ResourceTemplate () { r }) and free r. */
static void dsdt_crs(struct aml *a, struct aml *r, const char *name)
{
    aml_name_decl(a, name);
    aml_res_template(a, r);
    aml_free(r);
}

/* Device (name) { Name (_HID, EisaId (hid)) ... } left open. */
static size_t dsdt_device(struct aml *a, const char *name, const char *hid)
{
    size_t h = aml_device_open(a, name);
    aml_name_decl(a, "_HID");
    aml_eisaid(a, hid);
    return h;
}

/* Name (name, Package (4) { a, b, 0, 0 }): a sleep state (7.4.2). */
static void dsdt_sleep_state(struct aml *a, const char *name, uint8_t typ)
{
    aml_name_decl(a, name);
    size_t h = aml_package_open(a, 4);
    aml_int(a, typ);                   /* PM1a_CNT.SLP_TYP */
    aml_int(a, typ);                   /* PM1b_CNT.SLP_TYP */
    aml_int(a, 0);
    aml_int(a, 0);
    aml_close(a, h);
}

/* ================================================================
 * PCI host bridge
 * ================================================================ */

static void dsdt_pci_crs(struct aml *a, const struct acpi_config *c)
{
    struct aml r;
    aml_init(&r);

    aml_res_word_bus(&r, 0x00, 0xff);
    aml_res_io(&r, 0xcf8, 0xcf8, 1, 8);            /* config mechanism #1 */
    aml_res_word_io(&r, 0x0000, 0x0cf7);
    aml_res_word_io(&r, 0x0d00, 0xffff);
    aml_res_dword_mem(&r, 0x000a0000, 0x000bffff, true);  /* VGA window */
    if (c->pci_hole_start < c->pci_hole_end) {
        aml_res_dword_mem(&r, c->pci_hole_start, c->pci_hole_end, false);
    }
    if (c->pci_hole64_size) {
        aml_res_qword_mem(&r, c->pci_hole64_start,
                          c->pci_hole64_start + c->pci_hole64_size - 1,
                          true);
    }
    dsdt_crs(a, &r, "_CRS");
}

/*
 * _PRT: every slot's INTA-INTD.  The PIIX3 routes pin p of slot s to PIRQ
 * (p + s - 1) mod 4, and PIRQA-D are the link devices LNKA-LNKD.  Slot 1
 * INTA belongs to the PIIX4 PM function, whose SCI is hard-wired (LNKS).
 */
static void dsdt_pci_prt(struct aml *a, const struct acpi_config *c)
{
    char link[5] = "LNK?";

    aml_name_decl(a, "_PRT");
    size_t pkg = aml_package_open(a, 128);
    for (int slot = 0; slot < 32; slot++) {
        for (int pin = 0; pin < 4; pin++) {
            size_t h = aml_package_open(a, 4);
            aml_int(a, ((uint32_t)slot << 16) | 0xffff);
            aml_int(a, pin);
            if (c->lnks && slot == 1 && pin == 0) {
                aml_name(a, "LNKS");
            } else {
                link[3] = (char)('A' + ((pin + slot - 1) & 3));
                aml_name(a, link);
            }
            aml_int(a, 0);
            aml_close(a, h);
        }
    }
    aml_close(a, pkg);
}

/* ================================================================
 * ISA devices behind the PIIX3 (00:01.0)
 * ================================================================ */

static void dsdt_isa(struct aml *a, const struct acpi_config *c)
{
    struct aml r;
    size_t h, d;

    h = aml_device_open(a, "ISA");
    aml_name_decl(a, "_ADR");
    aml_int(a, 0x00010000);
    /* PIRQRC[A:D], PCI configuration 0x60-0x63 of the PIIX3 */
    aml_opregion(a, "P40C", AML_PCI_CONFIG, 0x60, 4);

    d = dsdt_device(a, "KBD", "PNP0303");
    aml_init(&r);
    aml_res_io(&r, 0x60, 0x60, 1, 1);
    aml_res_io(&r, 0x64, 0x64, 1, 1);
    aml_res_irq_noflags(&r, 1u << 1);
    dsdt_crs(a, &r, "_CRS");
    aml_close(a, d);

    d = dsdt_device(a, "MOU", "PNP0F13");
    aml_init(&r);
    aml_res_irq_noflags(&r, 1u << 12);
    dsdt_crs(a, &r, "_CRS");
    aml_close(a, d);

    for (int i = 0; i < 4; i++) {
        char name[16];
        if (!c->com[i]) {
            continue;
        }
        snprintf(name, sizeof(name), "COM%d", i + 1);
        d = dsdt_device(a, name, "PNP0501");
        aml_name_decl(a, "_UID");
        aml_int(a, i + 1);
        aml_init(&r);
        aml_res_io(&r, dsdt_com[i].port, dsdt_com[i].port, 0, 8);
        aml_res_irq_noflags(&r, 1u << dsdt_com[i].irq);
        dsdt_crs(a, &r, "_CRS");
        aml_close(a, d);
    }

    d = dsdt_device(a, "RTC", "PNP0B00");
    aml_init(&r);
    aml_res_io(&r, 0x70, 0x70, 1, 8);              /* as QEMU reports it */
    aml_res_irq_noflags(&r, 1u << 8);
    dsdt_crs(a, &r, "_CRS");
    aml_close(a, d);

    d = dsdt_device(a, "TMR", "PNP0100");
    aml_init(&r);
    aml_res_io(&r, 0x40, 0x40, 1, 4);
    aml_res_irq_noflags(&r, 1u << 0);
    dsdt_crs(a, &r, "_CRS");
    aml_close(a, d);

    d = dsdt_device(a, "PIC", "PNP0000");
    aml_init(&r);
    aml_res_io(&r, 0x20, 0x20, 1, 2);
    aml_res_io(&r, 0xa0, 0xa0, 1, 2);
    aml_res_io(&r, 0x4d0, 0x4d0, 1, 2);            /* ELCR */
    aml_res_irq_noflags(&r, 1u << 2);
    dsdt_crs(a, &r, "_CRS");
    aml_close(a, d);

    aml_close(a, h);
}

/* ================================================================
 * PCI interrupt links (PIIX3 PIRQA-D)
 * ================================================================ */

/* Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) { PCI IRQs } */
static void dsdt_link_prs(struct aml *a, const struct acpi_config *c)
{
    uint32_t irqs[16];
    int n = 0;
    struct aml r;

    for (int irq = 1; irq < 16; irq++) {
        if ((c->pci_irq_mask & (1u << irq)) && irq != c->sci_irq) {
            irqs[n++] = irq;
        }
    }
    aml_init(&r);
    aml_res_interrupt(&r, irqs, n, true, false, true);
    dsdt_crs(a, &r, "_PRS");
}

/* The helpers every link shares: a PIRQ register reads 0x80 when routing
 * is disabled, else the ISA IRQ in bits 0-3. */
static void dsdt_link_helpers(struct aml *a)
{
    struct aml r;
    uint32_t zero = 0;
    size_t m, h;

    /* Method (IQST, 1) { If (0x80 & Arg0) { Return (9) } Return (0x0b) } */
    m = aml_method_open(a, "IQST", 1);
    h = aml_if_open(a);
    aml_and(a);
    aml_int(a, 0x80);
    aml_arg(a, 0);
    aml_null_target(a);
    aml_return(a);
    aml_int(a, 0x09);                  /* present, not enabled */
    aml_close(a, h);
    aml_return(a);
    aml_int(a, 0x0b);                  /* present, enabled, functioning */
    aml_close(a, m);

    /* Method (IQCR, 1, Serialized): the _CRS buffer for a PIRQ value. */
    m = aml_method_open(a, "IQCR", 1 | AML_SERIALIZED);
    aml_name_decl(a, "PRR0");
    aml_init(&r);
    aml_res_interrupt(&r, &zero, 1, true, false, true);
    aml_res_template(a, &r);
    aml_free(&r);
    aml_create_dword_field(a);
    aml_name(a, "PRR0");
    aml_int(a, 5);                     /* the first IRQ of the descriptor */
    aml_name(a, "PRRI");
    h = aml_if_open(a);
    aml_lless(a);
    aml_arg(a, 0);
    aml_int(a, 0x80);
    aml_store(a);
    aml_and(a);
    aml_arg(a, 0);
    aml_int(a, 0x0f);
    aml_null_target(a);
    aml_name(a, "PRRI");
    aml_close(a, h);
    aml_return(a);
    aml_name(a, "PRR0");
    aml_close(a, m);
}

static void dsdt_link(struct aml *a, const struct acpi_config *c, int i)
{
    char name[16], prq[16];
    size_t d, m;

    snprintf(name, sizeof(name), "LNK%c", 'A' + i);
    snprintf(prq, sizeof(prq), "PRQ%d", i);
    d = dsdt_device(a, name, "PNP0C0F");
    aml_name_decl(a, "_UID");
    aml_int(a, i);
    dsdt_link_prs(a, c);

    m = aml_method_open(a, "_STA", 0);
    aml_return(a);
    aml_name(a, "IQST");
    aml_name(a, prq);
    aml_close(a, m);

    m = aml_method_open(a, "_DIS", 0);  /* Or (PRQn, 0x80, PRQn) */
    aml_or(a);
    aml_name(a, prq);
    aml_int(a, 0x80);
    aml_name(a, prq);
    aml_close(a, m);

    m = aml_method_open(a, "_CRS", 0);
    aml_return(a);
    aml_name(a, "IQCR");
    aml_name(a, prq);
    aml_close(a, m);

    /* _SRS: the OS hands back a _PRS-style buffer; store its IRQ. */
    m = aml_method_open(a, "_SRS", 1 | AML_SERIALIZED);
    aml_create_dword_field(a);
    aml_arg(a, 0);
    aml_int(a, 5);
    aml_name(a, "PRRI");
    aml_store(a);
    aml_name(a, "PRRI");
    aml_name(a, prq);
    aml_close(a, m);

    aml_close(a, d);
}

/* LNKS: the SCI, fixed at its IRQ, for the PM function's INTA. */
static void dsdt_link_sci(struct aml *a, const struct acpi_config *c)
{
    uint32_t sci = c->sci_irq;
    struct aml r;
    size_t d, m;

    d = dsdt_device(a, "LNKS", "PNP0C0F");
    aml_name_decl(a, "_UID");
    aml_int(a, 4);
    m = aml_method_open(a, "_STA", 0);
    aml_return(a);
    aml_int(a, 0x0b);
    aml_close(a, m);
    aml_init(&r);
    aml_res_interrupt(&r, &sci, 1, true, false, true);
    dsdt_crs(a, &r, "_PRS");
    m = aml_method_open(a, "_DIS", 0);  /* cannot be disabled */
    aml_close(a, m);
    m = aml_method_open(a, "_SRS", 1);
    aml_close(a, m);
    m = aml_method_open(a, "_CRS", 0);
    aml_return(a);
    aml_name(a, "_PRS");
    aml_close(a, m);
    aml_close(a, d);
}

/* ================================================================
 * The whole table
 * ================================================================ */

static void dsdt_sb(struct aml *a, const struct acpi_config *c)
{
    struct aml r;
    size_t sb, h, d;

    sb = aml_scope_open(a, "\\_SB");

    /* QEMU also gives PCI0 an _ADR of 0, but 6.1 allows _HID or _ADR,
     * not both (iasl warns when the result is recompiled). */
    h = dsdt_device(a, "PCI0", "PNP0A03");
    aml_name_decl(a, "_UID");
    aml_int(a, 0);
    dsdt_pci_crs(a, c);
    dsdt_pci_prt(a, c);
    dsdt_isa(a, c);
    aml_close(a, h);

    /* Field (PCI0.ISA.P40C, ByteAcc, NoLock, Preserve) { PRQ0-3, 8 } */
    h = aml_field_open(a, "PCI0.ISA.P40C", AML_FIELD_BYTE_ACC);
    for (int i = 0; i < 4; i++) {
        char prq[16];
        snprintf(prq, sizeof(prq), "PRQ%d", i);
        aml_field_entry(a, prq, 8);
    }
    aml_close(a, h);
    dsdt_link_helpers(a);
    for (int i = 0; i < 4; i++) {
        dsdt_link(a, c, i);
    }
    if (c->lnks) {
        dsdt_link_sci(a, c);
    }

    if (c->hpet) {
        d = dsdt_device(a, "HPET", "PNP0103");
        aml_name_decl(a, "_UID");
        aml_int(a, 0);
        h = aml_method_open(a, "_STA", 0);
        aml_return(a);
        aml_int(a, 0x0f);
        aml_close(a, h);
        aml_init(&r);
        aml_res_mem32_fixed(&r, c->hpet_addr, 0x400, false);
        dsdt_crs(a, &r, "_CRS");
        aml_close(a, d);
    }

    if (c->pwrbtn_method) {
        d = dsdt_device(a, "PWRB", "PNP0C0C");
        aml_name_decl(a, "_UID");
        aml_int(a, 0);
        aml_close(a, d);
    }

    /* Processor devices (8.4): _UID is the MADT's ACPI processor UID. */
    for (unsigned i = 0; i < c->ncpus; i++) {
        char name[16];
        snprintf(name, sizeof(name), "C%03X", i & 0xfff);
        d = aml_device_open(a, name);
        aml_name_decl(a, "_HID");
        aml_string(a, "ACPI0007");
        aml_name_decl(a, "_UID");
        aml_int(a, i);
        aml_close(a, d);
    }

    aml_close(a, sb);
}

static void dsdt_gpe(struct aml *a, const struct acpi_config *c)
{
    size_t s = aml_scope_open(a, "\\_GPE");
    aml_name_decl(a, "_HID");
    aml_string(a, "ACPI0006");
    if (c->pwrbtn_method) {
        /* A level GPE: Notify (\_SB.PWRB, 0x80) "button pressed". */
        char name[16];
        snprintf(name, sizeof(name), "_L%02X", c->pwrbtn_gpe);
        size_t m = aml_method_open(a, name, 0);
        aml_notify(a);
        aml_name(a, "\\_SB.PWRB");
        aml_int(a, 0x80);
        aml_close(a, m);
    }
    aml_close(a, s);
}

void acpi_build_dsdt(struct aml *t, const struct acpi_config *c)
{
    /* Revision 1 (32-bit integers) as QEMU's pc: nothing here needs more. */
    size_t off = acpi_header(t, "DSDT", 1);

    /* SLP_TYP values of QEMU's PIIX4 PM: 1 = S3, 2 = S4, 0 = soft off. */
    if (c->s3) {
        dsdt_sleep_state(t, "\\_S3", 1);
    }
    if (c->s4) {
        dsdt_sleep_state(t, "\\_S4", 2);
    }
    dsdt_sleep_state(t, "\\_S5", 0);
    dsdt_sb(t, c);
    dsdt_gpe(t, c);
    acpi_finish(t, off);
}
