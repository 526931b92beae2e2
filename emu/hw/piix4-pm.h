/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * piix4-pm.h - the power-management function of the PIIX4 (82371AB
 * function 3, 8086:7113) as QEMU's pc presents it at 00:01.3: the ACPI
 * PM1 event/control registers and PM timer at the PMBA I/O base, the GPE0
 * block at 0xafe0, the APM command port 0xb2 that switches SCI_EN, and the
 * SCI on an ISA IRQ.  No SMBus.
 */
#ifndef HEMU_EMU_HW_PIIX4_PM_H
#define HEMU_EMU_HW_PIIX4_PM_H

#include "emu/hw/isa.h"
#include "emu/hw/pci.h"
#include "emu/mem/mem.h"

/* PCI configuration registers (82371AB §7.1). */
#define PIIX4_PM_PMBA 0x40          /* PM I/O base, bits 15:6 */
#define PIIX4_PM_PMREGMISC 0x80     /* bit 0: PM I/O space enable */

/* PM1 registers, offsets from PMBA (ACPI 6.4 4.8.3). */
#define PIIX4_PM1_STS 0x00
#define PIIX4_PM1_EN 0x02
#define PIIX4_PM1_CNT 0x04
#define PIIX4_PM_TMR 0x08

#define PM1_TMR_STS (1u << 0)
#define PM1_GBL_STS (1u << 5)
#define PM1_PWRBTN_STS (1u << 8)
#define PM1_RTC_STS (1u << 10)
#define PM1_WAK_STS (1u << 15)
#define PM1_CNT_SCI_EN (1u << 0)
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_EN (1u << 13)

#define PIIX4_PM_TIMER_HZ 3579545
#define PIIX4_GPE0_PORT 0xafe0
#define PIIX4_GPE0_LEN 4
#define PIIX4_APM_CNT_PORT 0xb2
#define PIIX4_ACPI_ENABLE 0xf1
#define PIIX4_ACPI_DISABLE 0xf0

struct isa_timer;

struct piix4_pm {
    struct pci_device pci;          /* 01.3 */
    const struct irq_line *sci;     /* the SCI's ISA line */
    struct addr_space *io;
    struct mem_region pm_mr, gpe_mr, apm_mr;
    struct as_mapping *pm_map;      /* NULL while PMIOSE is off */
    uint16_t pm_base;
    uint16_t pm1_sts, pm1_en, pm1_cnt;
    uint8_t gpe_sts[2], gpe_en[2];
    uint8_t apm_cnt, apm_sts;
    int sci_level;
    struct isa_timer *tmr;          /* fires when timer bit 23 flips */
    unsigned poweroffs;             /* soft-off requests made (tests) */
};

/* Create at 00:01.3 on bus; I/O regions go into isa->io, the SCI onto
 * ISA IRQ sci_irq.  Registers a powerdown hook (the power button). */
struct piix4_pm *piix4_pm_create(struct pci_bus *bus, struct isa_bus *isa,
                                 unsigned sci_irq, struct err **errp);
/* Press the power button: PWRBTN_STS, and the SCI if the guest enabled it. */
void piix4_pm_power_button(struct piix4_pm *s);
/* Set GPE0 status bit n (0-15) as a hardware event would. */
void piix4_pm_gpe_event(struct piix4_pm *s, unsigned n);

#endif
