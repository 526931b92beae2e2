/* SPDX-License-Identifier: GPL-2.0-or-later */
/* piix4_pm_test.c - the PIIX4 power-management function through PCI
 * configuration and its ports on a manual guest clock: IDs, the PM window
 * that PMBA/PMREGMISC place, the PM timer's rate and 24-bit wrap with
 * TMR_STS, ACPI enable through port 0xb2, the SCI on IRQ 9 for the power
 * button and GPE0, write-1-to-clear status, and soft-off through SLP_EN. */
#include "emu/osdep.h"

#include "emu/hw/piix4-pm.h"
#include "emu/loop/loop.h"
#include "emu/vm/runstate.h"
#include "tests/unit/test.h"

static struct addr_space *mem, *io;
static struct isa_bus isa;
static struct pci_bus *bus;
static struct piix4_pm *pm;
static int sci_level, sci_edges;

static void isa_set(void *opaque, int n, int level)
{
    if (n == 9) {
        if (level && !sci_level) {
            sci_edges++;
        }
        sci_level = level;
    }
}

#define DEVFN ((1 << 3) | 3)

static uint32_t cfg_read(unsigned off, unsigned len)
{
    return pci_config_read(bus, DEVFN, off, len);
}

static void cfg_write(unsigned off, uint32_t v, unsigned len)
{
    pci_config_write(bus, DEVFN, off, v, len);
}

static void setup(void)
{
    if (!pm) {
        loop_init();
        isa_time_set_manual(true);
        mem = as_new("mem", 1ULL << 32, 0);
        io = as_new("io", 0x10000, ~0ULL);
        bus = pci_bus_new(mem, io);
        isa.io = io;
        for (int i = 0; i < 16; i++) {
            isa.irq[i] = (struct irq_line){ isa_set, NULL, i };
        }
        /* Function 3 is only visible behind a multifunction function 0. */
        static struct pci_device fn0;
        fn0.devfn = 1 << 3;
        fn0.config[PCI_HEADER_TYPE] = 0x80;
        bus->devs[1 << 3] = &fn0;
        pm = piix4_pm_create(bus, &isa, 9, NULL);
    }
    dev_reset_all();
    sci_edges = 0;
}

/* What SeaBIOS does: PMBA 0x600, then enable the window. */
static void enable_window(void)
{
    cfg_write(PIIX4_PM_PMBA, 0x601, 4);
    cfg_write(PIIX4_PM_PMREGMISC, 1, 1);
}

TEST(ids_and_window)
{
    setup();
    EXPECT(pm != NULL);
    EXPECT_EQ(cfg_read(0, 4), 0x71138086);
    EXPECT_EQ(cfg_read(PCI_CLASS_DEVICE, 2), 0x0680);
    EXPECT_EQ(cfg_read(PIIX4_PM_PMBA, 4), 1);
    /* Nothing at 0x600 until PMREGMISC enables the window. */
    cfg_write(PIIX4_PM_PMBA, 0x601, 4);
    EXPECT_EQ(cfg_read(PIIX4_PM_PMBA, 4), 0x601);
    EXPECT_EQ(as_read(io, 0x604, 2), 0xffff);
    cfg_write(PIIX4_PM_PMREGMISC, 1, 1);
    EXPECT_EQ(as_read(io, 0x604, 2), 0);
    /* Moving PMBA moves the window. */
    cfg_write(PIIX4_PM_PMBA, 0xb001, 4);
    EXPECT_EQ(as_read(io, 0x604, 2), 0xffff);
    EXPECT_EQ(as_read(io, 0xb004, 2), 0);
    cfg_write(PIIX4_PM_PMREGMISC, 0, 1);
    EXPECT_EQ(as_read(io, 0xb004, 2), 0xffff);
}

TEST(pm_timer_rate_and_wrap)
{
    setup();
    enable_window();
    uint32_t t0 = as_read(io, 0x608, 4);
    EXPECT(t0 <= 0xffffff);
    isa_time_step(NS_PER_SEC);
    uint32_t t1 = as_read(io, 0x608, 4);
    EXPECT_EQ((t1 - t0) & 0xffffff, PIIX4_PM_TIMER_HZ);
    /* Bit 23 flips every 2^23 ticks (~2.34 s): TMR_STS follows. */
    as_write(io, 0x600, PM1_TMR_STS, 2);
    EXPECT_EQ(as_read(io, 0x600, 2) & PM1_TMR_STS, 0);
    isa_time_step(2400000000LL);
    EXPECT_EQ(as_read(io, 0x600, 2) & PM1_TMR_STS, PM1_TMR_STS);
    /* A byte read of the timer sees the same counter. */
    uint32_t lo = as_read(io, 0x608, 1);
    EXPECT_EQ(lo, as_read(io, 0x608, 4) & 0xff);
}

TEST(acpi_enable_and_power_button_sci)
{
    setup();
    enable_window();
    /* SCI_EN is read-only to the OS: the write changes nothing. */
    as_write(io, 0x604, PM1_CNT_SCI_EN, 2);
    EXPECT_EQ(as_read(io, 0x604, 2) & PM1_CNT_SCI_EN, 0);
    as_write(io, 0x602, PM1_PWRBTN_STS, 2);
    vm_request_powerdown();
    piix4_pm_power_button(pm);
    EXPECT_EQ(as_read(io, 0x600, 2) & PM1_PWRBTN_STS, PM1_PWRBTN_STS);
    /* Without SCI_EN the event would be an SMI: no SCI. */
    EXPECT_EQ(sci_level, 0);
    as_write(io, PIIX4_APM_CNT_PORT, PIIX4_ACPI_ENABLE, 1);
    EXPECT_EQ(as_read(io, 0x604, 2) & PM1_CNT_SCI_EN, PM1_CNT_SCI_EN);
    EXPECT_EQ(as_read(io, PIIX4_APM_CNT_PORT, 1), PIIX4_ACPI_ENABLE);
    EXPECT_EQ(sci_level, 1);
    /* Write-1-to-clear drops the SCI; writing 0 leaves the bit alone. */
    as_write(io, 0x600, 0, 2);
    EXPECT_EQ(sci_level, 1);
    as_write(io, 0x600, PM1_PWRBTN_STS, 2);
    EXPECT_EQ(sci_level, 0);
    EXPECT_EQ(as_read(io, 0x600, 2) & PM1_PWRBTN_STS, 0);
    /* A disabled event sets status but raises nothing. */
    as_write(io, 0x602, 0, 2);
    piix4_pm_power_button(pm);
    EXPECT_EQ(sci_level, 0);
    as_write(io, 0x602, PM1_PWRBTN_STS, 2);
    EXPECT_EQ(sci_level, 1);
    EXPECT_EQ(sci_edges, 2);
    as_write(io, PIIX4_APM_CNT_PORT, PIIX4_ACPI_DISABLE, 1);
    EXPECT_EQ(sci_level, 0);
}

TEST(gpe0_block)
{
    setup();
    as_write(io, PIIX4_APM_CNT_PORT, PIIX4_ACPI_ENABLE, 1);
    piix4_pm_gpe_event(pm, 1);
    EXPECT_EQ(as_read(io, 0xafe0, 1), 0x02);
    EXPECT_EQ(sci_level, 0);
    as_write(io, 0xafe2, 0x02, 1);
    EXPECT_EQ(as_read(io, 0xafe0, 4), 0x00020002);
    EXPECT_EQ(sci_level, 1);
    as_write(io, 0xafe0, 0x02, 1);
    EXPECT_EQ(sci_level, 0);
    piix4_pm_gpe_event(pm, 99);     /* out of range: ignored */
    EXPECT_EQ(as_read(io, 0xafe0, 2), 0);
}

TEST(sleep_soft_off)
{
    setup();
    enable_window();
    unsigned before = pm->poweroffs;
    /* SLP_TYP alone does nothing. */
    as_write(io, 0x604, 0 << PM1_CNT_SLP_TYP_SHIFT, 2);
    EXPECT_EQ(pm->poweroffs, before);
    /* S3 (1) is not soft-off: the guest wakes at once. */
    as_write(io, 0x604, (1 << PM1_CNT_SLP_TYP_SHIFT) | PM1_CNT_SLP_EN, 2);
    EXPECT_EQ(pm->poweroffs, before);
    EXPECT_EQ(as_read(io, 0x600, 2) & PM1_WAK_STS, PM1_WAK_STS);
    /* SLP_EN reads back 0; SLP_TYP is kept. */
    EXPECT_EQ(as_read(io, 0x604, 2), 1 << PM1_CNT_SLP_TYP_SHIFT);
    /* \_S5 (0) powers off, as does \_S4 (2). */
    as_write(io, 0x604, PM1_CNT_SLP_EN, 2);
    EXPECT_EQ(pm->poweroffs, before + 1);
    as_write(io, 0x605, (2 << 2) | (PM1_CNT_SLP_EN >> 8), 1);
    EXPECT_EQ(pm->poweroffs, before + 2);
}

TEST_MAIN()
