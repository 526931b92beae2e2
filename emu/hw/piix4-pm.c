/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * piix4-pm.c - ACPI power management of the PIIX4 (function 3 of the
 * 82371AB) as QEMU's pc machine has it: the PM1 event and control blocks
 * and the 24-bit, 3.579545 MHz PM timer in the I/O window that PMBA (0x40)
 * places and PMREGMISC (0x80) enables, a GPE0 block at 0xafe0, the APM
 * control port 0xb2 (ACPI enable/disable commands turn SCI_EN on and off,
 * since there is no SMM to do it), and the SCI, a level-triggered ISA IRQ.
 * Soft-off (SLP_EN with SLP_TYP 0, or the \_S4 value 2) powers the
 * machine down; the host's power button (QMP system_powerdown) sets
 * PWRBTN_STS.
 *
 * References: Intel 82371AB (PIIX4) datasheet §7 (PCI function 3: PMBA,
 * PMREGMISC), §12.5 (APMC/APMS); ACPI 6.4 §4.8.3 (PM1 registers), §4.8.2.1
 * (PM timer), §5.2.9 (FADT: SCI, SMI_CMD).
 */
#include "emu/osdep.h"

#include "emu/hw/piix4-pm.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"
#include "emu/vm/runstate.h"

/* PM1 status and enable bits that hemu implements; the rest read 0. */
#define PM1_EVENTS (PM1_TMR_STS | PM1_GBL_STS | PM1_PWRBTN_STS | PM1_RTC_STS)
#define PM_IO_SIZE 64

/* ---------------------------------------------------------------------------
 * SCI and the PM timer
 */

static int64_t pm_ticks(void)
{
    return isa_muldiv64(isa_time_ns(), PIIX4_PM_TIMER_HZ, NS_PER_SEC);
}

static void pm_update_sci(struct piix4_pm *s)
{
    bool ev = (s->pm1_sts & s->pm1_en & PM1_EVENTS) ||
              (s->gpe_sts[0] & s->gpe_en[0]) || (s->gpe_sts[1] & s->gpe_en[1]);
    /* With SCI_EN clear the events would be SMIs; without SMM there is
     * no one to take them, so they just stay in the status bits. */
    int level = ev && (s->pm1_cnt & PM1_CNT_SCI_EN);
    if (level != s->sci_level) {
        s->sci_level = level;
        irq_set(s->sci, level);
    }
}

/* Arm the timer for the next flip of bit 23, where TMR_STS is set. */
static void pm_arm_timer(struct piix4_pm *s)
{
    int64_t next = ((pm_ticks() >> 23) + 1) << 23;
    /* Round up so that the callback sees the flip already happened. */
    int64_t ns = isa_muldiv64(next, NS_PER_SEC, PIIX4_PM_TIMER_HZ) + 1;
    isa_timer_mod(s->tmr, ns);
}

static void pm_timer_cb(void *opaque)
{
    struct piix4_pm *s = opaque;
    s->pm1_sts |= PM1_TMR_STS;
    pm_update_sci(s);
    pm_arm_timer(s);
}

/* ---------------------------------------------------------------------------
 * Sleep states
 */

static void pm_sleep(struct piix4_pm *s, unsigned typ)
{
    /* The DSDT's \_S5 is 0 and its \_S4 is 2; hemu has no hibernation
     * image to save, so both are power-off, as on QEMU. */
    if (typ == 0 || typ == 2) {
        s->poweroffs++;
        vm_request_shutdown(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        return;
    }
    /* S3 (typ 1) needs suspend-to-RAM support in the run state machine;
     * until then the guest wakes at once, as if a wake event came. */
    s->pm1_sts |= PM1_WAK_STS;
}

/* ---------------------------------------------------------------------------
 * The PM1 I/O window (PMBA + 0..63)
 */

static uint8_t pm_read_byte(struct piix4_pm *s, unsigned off, uint32_t tmr)
{
    switch (off) {
    case PIIX4_PM1_STS: return s->pm1_sts;
    case PIIX4_PM1_STS + 1: return s->pm1_sts >> 8;
    case PIIX4_PM1_EN: return s->pm1_en;
    case PIIX4_PM1_EN + 1: return s->pm1_en >> 8;
    case PIIX4_PM1_CNT: return s->pm1_cnt;
    case PIIX4_PM1_CNT + 1: return s->pm1_cnt >> 8;
    case PIIX4_PM_TMR ... PIIX4_PM_TMR + 3:
        return tmr >> (8 * (off - PIIX4_PM_TMR));
    default: return 0;
    }
}

static uint64_t pm_io_read(void *opaque, uint64_t off, unsigned size)
{
    struct piix4_pm *s = opaque;
    /* One sample for the whole access so a 32-bit read cannot tear. */
    uint32_t tmr = (uint32_t)pm_ticks() & 0xffffff;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)pm_read_byte(s, off + i, tmr) << (8 * i);
    }
    return v;
}

static void pm_write_byte(struct piix4_pm *s, unsigned off, uint8_t b)
{
    switch (off) {
    case PIIX4_PM1_STS:
    case PIIX4_PM1_STS + 1: {
        /* Write 1 to clear. */
        uint16_t clr = off == PIIX4_PM1_STS ? b : (uint16_t)b << 8;
        s->pm1_sts &= ~clr;
        break;
    }
    case PIIX4_PM1_EN:
        s->pm1_en = (s->pm1_en & 0xff00) | (b & PM1_EVENTS);
        break;
    case PIIX4_PM1_EN + 1:
        s->pm1_en = (s->pm1_en & 0x00ff) | ((b << 8) & PM1_EVENTS);
        break;
    case PIIX4_PM1_CNT:
        /* SCI_EN belongs to the SMI handler (ACPI 4.8.3.2.1): the OS asks
         * for it through SMI_CMD, so it is read-only here. */
        s->pm1_cnt = (s->pm1_cnt & ~0xfeu) | (b & 0x06);
        break;
    case PIIX4_PM1_CNT + 1:
        /* SLP_EN is write-only and acts on the SLP_TYP of the same write
         * (both are in this byte). */
        s->pm1_cnt = (s->pm1_cnt & 0x00ff) | ((b & 0x1c) << 8);
        if (b & (PM1_CNT_SLP_EN >> 8)) {
            pm_sleep(s, (b >> 2) & 7);
        }
        break;
    default:
        break;
    }
}

static void pm_io_write(void *opaque, uint64_t off, uint64_t val,
                        unsigned size)
{
    struct piix4_pm *s = opaque;
    /* Ascending byte order: PM1_CNT's SLP_TYP and SLP_EN share a byte. */
    for (unsigned i = 0; i < size; i++) {
        pm_write_byte(s, off + i, val >> (8 * i));
    }
    pm_update_sci(s);
}

static const struct mem_ops pm_io_ops = {
    .read = pm_io_read, .write = pm_io_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 4,
};

/* ---------------------------------------------------------------------------
 * GPE0 (status bytes 0-1, enable bytes 2-3) and the APM ports
 */

static uint64_t gpe_read(void *opaque, uint64_t off, unsigned size)
{
    struct piix4_pm *s = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < PIIX4_GPE0_LEN; i++) {
        unsigned o = off + i;
        uint8_t b = o < 2 ? s->gpe_sts[o] : s->gpe_en[o - 2];
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

static void gpe_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct piix4_pm *s = opaque;
    for (unsigned i = 0; i < size && off + i < PIIX4_GPE0_LEN; i++) {
        unsigned o = off + i;
        uint8_t b = val >> (8 * i);
        if (o < 2) {
            s->gpe_sts[o] &= ~b;
        } else {
            s->gpe_en[o - 2] = b;
        }
    }
    pm_update_sci(s);
}

static const struct mem_ops gpe_ops = {
    .read = gpe_read, .write = gpe_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 4,
};

/* APMC (0xb2) and APMS (0xb3).  On the chip a write to APMC raises an SMI
 * whose handler sets SCI_EN; hemu has no SMM, so the port does it. */
static uint64_t apm_read(void *opaque, uint64_t off, unsigned size)
{
    struct piix4_pm *s = opaque;
    return off == 0 ? s->apm_cnt : s->apm_sts;
}

static void apm_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct piix4_pm *s = opaque;
    if (off == 1) {
        s->apm_sts = val;
        return;
    }
    s->apm_cnt = val;
    if (val == PIIX4_ACPI_ENABLE) {
        s->pm1_cnt |= PM1_CNT_SCI_EN;
    } else if (val == PIIX4_ACPI_DISABLE) {
        s->pm1_cnt &= ~PM1_CNT_SCI_EN;
    }
    pm_update_sci(s);
}

static const struct mem_ops apm_ops = {
    .read = apm_read, .write = apm_write, .valid_min = 1, .valid_max = 1,
};

/* ---------------------------------------------------------------------------
 * PCI configuration: where the PM window lives
 */

static void pm_update_window(struct piix4_pm *s)
{
    const uint8_t *c = s->pci.config;
    uint16_t base = pci_get_word(c + PIIX4_PM_PMBA) & 0xffc0;
    bool on = c[PIIX4_PM_PMREGMISC] & 1;
    if (s->pm_map && (!on || base != s->pm_base)) {
        as_unmap(s->io, s->pm_map);
        s->pm_map = NULL;
    }
    if (on && !s->pm_map) {
        /* Above the ISA devices: a guest that puts PMBA over them (SeaBIOS
         * does not) sees the PM registers, as PIIX4's positive decode
         * would give it. */
        s->pm_map = as_map(s->io, base, &s->pm_mr, 0, PM_IO_SIZE, 1);
    }
    s->pm_base = base;
}

static void pm_config_write(struct pci_device *d, unsigned off, uint32_t val,
                            unsigned len)
{
    pci_default_config_write(d, off, val, len);
    if ((off < PIIX4_PM_PMBA + 4 && off + len > PIIX4_PM_PMBA) ||
        (off <= PIIX4_PM_PMREGMISC && off + len > PIIX4_PM_PMREGMISC)) {
        pm_update_window((struct piix4_pm *)d);
    }
}

static void piix4_pm_reset(struct device *dev)
{
    struct piix4_pm *s = (struct piix4_pm *)dev;
    uint8_t *c = s->pci.config;
    pci_device_reset(&s->pci);
    pci_set_long(c + PIIX4_PM_PMBA, 1);     /* I/O space indicator */
    c[PIIX4_PM_PMREGMISC] = 0;
    /* DEVACTB (0x58) bit 25, APMC_EN, reads as set: firmware takes SMM as
     * set up already and never raises an SMI that nothing would serve
     * (hemu has no SMM; QEMU's PIIX4 does the same with smm=off). */
    c[0x5b] = 0x02;
    pm_update_window(s);
    s->pm1_sts = s->pm1_en = s->pm1_cnt = 0;
    memset(s->gpe_sts, 0, sizeof(s->gpe_sts));
    memset(s->gpe_en, 0, sizeof(s->gpe_en));
    s->apm_cnt = s->apm_sts = 0;
    pm_update_sci(s);
}

/* ---------------------------------------------------------------------------
 * Events from the host
 */

void piix4_pm_power_button(struct piix4_pm *s)
{
    s->pm1_sts |= PM1_PWRBTN_STS;
    pm_update_sci(s);
}

void piix4_pm_gpe_event(struct piix4_pm *s, unsigned n)
{
    if (n < 16) {
        s->gpe_sts[n / 8] |= 1u << (n % 8);
        pm_update_sci(s);
    }
}

static void pm_powerdown(void *opaque)
{
    piix4_pm_power_button(opaque);
}

static const struct dev_type piix4_pm_type = {
    .name = "PIIX4_PM",
    .category = "Bridge devices",
    .desc = "PM",
    .bus = BUS_PCI,
    .size = sizeof(struct piix4_pm),
    .user_creatable = false,
    .reset = piix4_pm_reset,
};
DEV_TYPE(piix4_pm_type);

struct piix4_pm *piix4_pm_create(struct pci_bus *bus, struct isa_bus *isa,
                                 unsigned sci_irq, struct err **errp)
{
    struct piix4_pm *s =
        (struct piix4_pm *)dev_create(&piix4_pm_type, NULL, errp);
    if (!s) {
        return NULL;
    }
    s->io = isa->io;
    s->sci = isa_irq(isa, sci_irq);
    s->pci.devfn = (1 << 3) | 3;
    if (pci_device_plug(bus, &s->pci, errp) < 0) {
        return NULL;
    }
    uint8_t *c = s->pci.config;
    pci_set_word(c + PCI_VENDOR_ID, 0x8086);
    pci_set_word(c + PCI_DEVICE_ID, 0x7113);
    c[PCI_REVISION_ID] = 0x03;
    pci_set_word(c + PCI_CLASS_DEVICE, 0x0680);
    c[PCI_INTERRUPT_PIN] = 1;
    /* PMBA bits 15:6; PMREGMISC bit 0.  SeaBIOS also programs the SMBus
     * base (0x90) and host config (0xd2): they are plain storage here. */
    pci_set_word(s->pci.wmask + PIIX4_PM_PMBA, 0xffc0);
    s->pci.wmask[PIIX4_PM_PMREGMISC] = 0x01;
    pci_set_word(s->pci.wmask + 0x90, 0xfff0);
    s->pci.wmask[0xd2] = 0x0f;
    s->pci.config_write = pm_config_write;

    mem_region_init_io(&s->pm_mr, "piix4-pm", PM_IO_SIZE, &pm_io_ops, s);
    mem_region_init_io(&s->gpe_mr, "acpi-gpe0", PIIX4_GPE0_LEN, &gpe_ops, s);
    mem_region_init_io(&s->apm_mr, "apm-io", 2, &apm_ops, s);
    isa_map_io(isa, &s->gpe_mr, PIIX4_GPE0_PORT);
    isa_map_io(isa, &s->apm_mr, PIIX4_APM_CNT_PORT);
    s->tmr = isa_timer_new(pm_timer_cb, s);
    piix4_pm_reset(&s->pci.dev);
    pm_arm_timer(s);
    vm_register_powerdown(pm_powerdown, s);
    return s;
}
