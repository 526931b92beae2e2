/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pc_board_test.c - the pc board without a CPU: the memory map (RAM split
 * at the PCI hole, the BIOS at 4 GiB and behind PAM at 0xe0000 so that the
 * reset vector reads the firmware's last bytes), the chipset IDs through
 * 0xcf8, CMOS memory sizes, and the fw_cfg items SeaBIOS reads; the ACPI
 * tables and the PM function they describe; ISA IRQs reaching the IOAPIC
 * (IRQ0 at pin 2) and HPET legacy replacement taking IRQ0 over. */
#include "emu/osdep.h"

#include "emu/hw/fw_cfg.h"
#include "emu/hw/hpet.h"
#include "emu/hw/ioapic.h"
#include "emu/hw/pc.h"
#include "emu/loop/loop.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"
#include "tests/unit/test.h"

static struct irq_line intr;

static void make(struct pc_board *b, uint64_t ram)
{
    config_init();
    cfg.ram_size = ram;
    cfg.smp = (struct smp_config){ 2, 2, 1, 1, 2, 1 };
    struct err *e = NULL;
    int r = pc_board_create(b, &intr, &e);
    if (r < 0) {
        printf("#   pc_board_create: %s\n", e ? e->msg : "?");
    }
    EXPECT_EQ(r, 0);
}

static uint8_t cmos(struct pc_board *b, unsigned idx)
{
    as_write(b->io, 0x70, idx, 1);
    return (uint8_t)as_read(b->io, 0x71, 1);
}

/* Boards live for the whole run (static, one per test): the board has no
 * teardown, and reachable memory is not a leak to LeakSanitizer. */
TEST(memory_map_and_reset_vector)
{
    static struct pc_board b;
    loop_init();
    make(&b, 128 << 20);
    EXPECT_EQ(b.below_4g, 128 << 20);
    EXPECT_EQ(b.above_4g, 0);
    /* The reset vector at 0xfffffff0 and its 1 MiB alias at 0xffff0 both
     * show the last 16 bytes of bios.bin. */
    uint8_t *tail = b.bios.ram + b.bios.size - 16;
    for (int i = 0; i < 16; i++) {
        EXPECT_EQ(as_read(b.mem, 0xfffffff0ULL + i, 1), tail[i]);
        EXPECT_EQ(as_read(b.mem, 0xffff0 + i, 1), tail[i]);
    }
    /* SeaBIOS's reset vector is a far jump (0xea). */
    EXPECT_EQ(tail[0], 0xea);
    as_write(b.mem, 0x7c00, 0x55aa, 2);
    EXPECT_EQ(as_read(b.mem, 0x7c00, 2), 0x55aa);
    /* Nothing between the top of RAM and the BIOS. */
    EXPECT_EQ(as_read(b.mem, 0x10000000, 4), 0);
}

TEST(chipset_and_cmos)
{
    static struct pc_board b;
    make(&b, 128 << 20);
    as_write(b.io, 0xcf8, 0x80000000, 4);
    EXPECT_EQ(as_read(b.io, 0xcfc, 4), 0x12378086);
    as_write(b.io, 0xcf8, 0x80000800, 4);
    EXPECT_EQ(as_read(b.io, 0xcfc, 4), 0x70008086);
    /* Extended memory in KiB above 1 MiB (capped at 0xffff) and 64 KiB
     * blocks above 16 MiB; the CPU count minus one at 0x5f. */
    EXPECT_EQ(cmos(&b, 0x30) | cmos(&b, 0x31) << 8, 0xffff);
    EXPECT_EQ(cmos(&b, 0x34) | cmos(&b, 0x35) << 8, (128 - 16) * 16);
    EXPECT_EQ(cmos(&b, 0x5f), 1);
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

TEST(fw_cfg_items_and_e820_above_4g)
{
    static struct pc_board b;
    make(&b, 4ULL << 30);
    EXPECT_EQ(b.below_4g, 3ULL << 30);
    EXPECT_EQ(b.above_4g, 1ULL << 30);
    /* RAM continues at 4 GiB. */
    as_write(b.mem, 1ULL << 32, 0x1234, 2);
    EXPECT_EQ(as_read(b.mem, 1ULL << 32, 2), 0x1234);
    EXPECT_EQ(b.ram.ram[3ULL << 30], 0x34);

    size_t len;
    const uint8_t *e820 = fw_cfg_file(b.fw_cfg, "etc/e820", &len);
    EXPECT(e820 != NULL);
    EXPECT_EQ(len, 40);
    if (e820 && len == 40) {
        EXPECT_EQ(le(e820, 8), 0);
        EXPECT_EQ(le(e820 + 8, 8), 3ULL << 30);
        EXPECT_EQ(le(e820 + 16, 4), 1);
        EXPECT_EQ(le(e820 + 20, 8), 1ULL << 32);
        EXPECT_EQ(le(e820 + 28, 8), 1ULL << 30);
    }
    /* Through the ports, as SeaBIOS reads them. */
    as_write(b.io, 0x510, FW_CFG_NB_CPUS, 2);
    EXPECT_EQ(as_read(b.io, 0x511, 1), 2);
    as_write(b.io, 0x510, FW_CFG_SIGNATURE, 2);
    EXPECT_EQ(as_read(b.io, 0x511, 1), 'Q');
    /* CMOS above-4G: 64 KiB units in 0x5b-0x5d. */
    uint32_t hi = cmos(&b, 0x5b) | cmos(&b, 0x5c) << 8 | cmos(&b, 0x5d) << 16;
    EXPECT_EQ(hi, (1ULL << 30) >> 16);
}

static int a20_calls, a20_state = -1;

static void a20_hook(void *opaque, bool on)
{
    a20_calls++;
    a20_state = on;
}

TEST(a20_is_open_while_either_gate_is)
{
    static struct pc_board b;
    make(&b, 32 << 20);
    b.a20_set = a20_hook;
    EXPECT(pc_a20(&b));
    /* Keyboard controller closes A20 (output port bit 1 = 0). */
    as_write(b.io, 0x64, 0xd1, 1);
    as_write(b.io, 0x60, 0x01, 1);
    EXPECT(!pc_a20(&b));
    EXPECT_EQ(a20_state, 0);
    /* Port 0x92 opens it. */
    as_write(b.io, 0x92, 0x02, 1);
    EXPECT(pc_a20(&b));
    EXPECT_EQ(a20_state, 1);
    EXPECT_EQ(as_read(b.io, 0x92, 1), 0x02);
    /* The keyboard controller opening too changes nothing visible. */
    int calls = a20_calls;
    as_write(b.io, 0x64, 0xdf, 1);
    EXPECT_EQ(a20_calls, calls);
}

TEST(acpi_tables_and_pm_function)
{
    static struct pc_board b;
    make(&b, 64 << 20);
    size_t len;
    EXPECT(fw_cfg_file(b.fw_cfg, "etc/table-loader", &len) != NULL);
    EXPECT(len > 0 && len % 128 == 0);
    const uint8_t *rsdp = fw_cfg_file(b.fw_cfg, "etc/acpi/rsdp", &len);
    EXPECT(rsdp && !memcmp(rsdp, "RSD PTR ", 8));
    /* The tables describe an HPET, since the board has one. */
    const uint8_t *t = fw_cfg_file(b.fw_cfg, "etc/acpi/tables", &len);
    EXPECT(t && memmem(t, len, "HPET", 4));
    EXPECT_EQ(as_read(b.mem, HPET_DEFAULT_BASE + 4, 4), HPET_PERIOD_FS);
    /* PIIX4 PM at 00:01.3 */
    as_write(b.io, 0xcf8, 0x80000b00, 4);
    EXPECT_EQ(as_read(b.io, 0xcfc, 4), 0x71138086);
    /* SeaBIOS's setup: PMBA 0x600, enable; then the PM timer runs. */
    as_write(b.io, 0xcf8, 0x80000b40, 4);
    as_write(b.io, 0xcfc, 0x601, 4);
    as_write(b.io, 0xcf8, 0x80000b80, 4);
    as_write(b.io, 0xcfc, 1, 1);
    EXPECT_EQ(as_read(b.io, 0x604, 2), 0);
    EXPECT(as_read(b.io, 0x608, 4) <= 0xffffff);
}

static uint32_t ioapic_reg(struct pc_board *b, unsigned reg, bool write,
                           uint32_t v)
{
    as_write(b->mem, IOAPIC_DEFAULT_BASE, reg, 4);
    if (write) {
        as_write(b->mem, IOAPIC_DEFAULT_BASE + 0x10, v, 4);
    }
    return as_read(b->mem, IOAPIC_DEFAULT_BASE + 0x10, 4);
}

static bool pin_remote_irr(struct pc_board *b, int pin)
{
    return ioapic_reg(b, 0x10 + 2 * pin, false, 0) & IOAPIC_RTE_REMOTE_IRR;
}

TEST(isa_irqs_reach_the_ioapic)
{
    static struct pc_board b;
    make(&b, 64 << 20);
    EXPECT_EQ(ioapic_reg(&b, 1, false, 0), 0x00170020);
    /* Level pins show a delivery as Remote IRR (no CPU takes the EOI). */
    ioapic_reg(&b, 0x10 + 2 * 2, true, IOAPIC_RTE_LEVEL | 0x30);
    ioapic_reg(&b, 0x10 + 2 * 4, true, IOAPIC_RTE_LEVEL | 0x34);
    irq_set(isa_irq(&b.isa, 4), 1);
    EXPECT(pin_remote_irr(&b, 4));
    irq_set(isa_irq(&b.isa, 4), 0);
    /* IRQ0 arrives at pin 2. */
    irq_set(isa_irq(&b.isa, 0), 1);
    EXPECT(pin_remote_irr(&b, 2));
    irq_set(isa_irq(&b.isa, 0), 0);
    ioapic_reg(&b, 0x10 + 2 * 2, true, IOAPIC_RTE_MASKED);
    ioapic_reg(&b, 0x10 + 2 * 2, true, IOAPIC_RTE_LEVEL | 0x30);
    /* HPET legacy replacement cuts the PIT's IRQ0 off. */
    as_write(b.mem, HPET_DEFAULT_BASE + HPET_CFG, HPET_CFG_LEGACY, 4);
    irq_set(isa_irq(&b.isa, 0), 1);
    EXPECT(!pin_remote_irr(&b, 2));
    irq_set(isa_irq(&b.isa, 0), 0);
    /* Without local APICs the window reads nothing. */
    EXPECT_EQ(as_read(b.mem, 0xfee00020, 4), 0);
}

/* -boot: the CMOS order bytes (once= first), the menu, its wait, the
 * reboot timeout and strict's HALT as SeaBIOS reads them. */
TEST(boot_options_in_cmos_and_fw_cfg)
{
    static struct pc_board b;
    config_init();
    cfg.ram_size = 64 << 20;
    cfg.smp = (struct smp_config){ 1, 1, 1, 1, 1, 1 };
    cfg.boot_order = "nc";
    cfg.boot_once = "dca";
    cfg.boot_menu = true;
    cfg.boot_splash_time = 2500;
    cfg.boot_reboot_timeout = 1000;
    cfg.boot_strict = true;
    struct err *e = NULL;
    EXPECT_EQ(pc_board_create(&b, &intr, &e), 0);
    pc_board_boot_done(&b);
    /* d=3, c=2 in 0x3d; a=1 in 0x38's high nibble, floppy check on. */
    EXPECT_EQ(cmos(&b, 0x3d), 0x23);
    EXPECT_EQ(cmos(&b, 0x38), 0x10);
    size_t len;
    const uint8_t *w = fw_cfg_file(b.fw_cfg, "etc/boot-menu-wait", &len);
    EXPECT(w && len == 2 && (w[0] | w[1] << 8) == 2500);
    const uint8_t *rt = fw_cfg_file(b.fw_cfg, "etc/boot-fail-wait", &len);
    EXPECT(rt && len == 4 && (rt[0] | rt[1] << 8) == 1000);
    const uint8_t *o = fw_cfg_file(b.fw_cfg, "bootorder", &len);
    EXPECT(o && len == 5 && !memcmp(o, "HALT", 5));
    cfg.boot_order = cfg.boot_once = NULL;
}

TEST_MAIN()
