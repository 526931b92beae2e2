/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pc.c - the pc board: QEMU's pc memory map (RAM below the PCI hole and
 * above 4 GiB, the firmware at the top of 4 GiB with its last 128 KiB
 * behind PAM at 0xe0000, pc.rom at 0xc0000), the i440FX and PIIX3, the
 * PIC, PIT and RTC/CMOS, the IOAPIC and the local APICs' window, the
 * PIIX4 power-management function, the HPET, and fw_cfg with what SeaBIOS
 * reads (shared/reference/firmware-interface.md), the ACPI tables among
 * them.
 */
#include "emu/osdep.h"
#include <sys/stat.h>
#include "display/display.h"

#include "emu/acpi/loader.h"
#include "emu/acpi/tables.h"
#include "emu/hw/bootorder.h"
#include "emu/hw/fw_cfg.h"
#include "emu/cli/keyval.h"
#include "emu/hw/i440fx.h"
#include "emu/hw/hpet.h"
#include "emu/hw/i8042.h"
#include "emu/hw/i8254.h"
#include "emu/hw/i8259.h"
#include "emu/hw/linuxboot.h"    /* linuxboot_load */
#include "emu/hw/ioapic.h"
#include "emu/hw/mc146818.h"
#include "emu/hw/pc.h"
#include "emu/hw/piix3.h"
#include "emu/hw/piix4-pm.h"
#include "emu/hw/port92.h"
#include "emu/hw/serial16550.h"
#include "emu/hw/usb/usb.h"         /* usb_pc_init */
#include "emu/mem/memory-backend.h" /* -machine memory-backend= */
#include "emu/chardev/chardev.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"
#include "netdev/netdev.h"        /* net_create_nics */
#include "emu/vm/runstate.h"      /* vm_register_reset */

static int load_bios(struct pc_board *b, struct err **errp)
{
    /* QEMU's pc machines (since 1.7) default to the 256 KiB SeaBIOS
     * build, which has what the 128 KiB one leaves out (the DSDT parser,
     * among others); the guest cannot tell the two machines apart then. */
    const char *name = cfg.bios ? cfg.bios : "bios-256k.bin";
    char *path = config_find_datafile(name);
    if (!path) {
        err_setf(errp, "could not load PC BIOS '%s'", name);
        return -1;
    }
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) < 0) {
        err_setf(errp, "could not load PC BIOS '%s': %s", path, strerror(errno));
        goto fail;
    }
    /* As QEMU: a whole number of 64 KiB blocks, at most 16 MiB. */
    if (st.st_size <= 0 || st.st_size % 65536 || st.st_size > 16 * 1024 * 1024) {
        err_setf(errp, "could not load PC BIOS '%s'", path);
        goto fail;
    }
    if (mem_region_init_rom(&b->bios, "pc.bios", st.st_size, errp) < 0) {
        goto fail;
    }
    if (fread(b->bios.ram, 1, st.st_size, f) != (size_t)st.st_size) {
        err_setf(errp, "could not load PC BIOS '%s'", path);
        goto fail;
    }
    fclose(f);
    free(path);
    return 0;
fail:
    if (f) {
        fclose(f);
    }
    free(path);
    return -1;
}

/* etc/e820: {le64 address, le64 length, le32 type} per entry. */
static void add_e820(struct pc_board *b)
{
    uint8_t buf[2 * 20];
    int n = 0;
    struct { uint64_t addr, len; } ram[2] = {
        { 0, b->below_4g },
        { 1ULL << 32, b->above_4g },
    };
    for (int i = 0; i < 2; i++) {
        if (!ram[i].len) {
            continue;
        }
        uint8_t *e = buf + 20 * n++;
        for (int k = 0; k < 8; k++) {
            e[k] = ram[i].addr >> (8 * k);
            e[8 + k] = ram[i].len >> (8 * k);
        }
        e[16] = 1;      /* E820_RAM */
        e[17] = e[18] = e[19] = 0;
    }
    fw_cfg_add_file(b->fw_cfg, "etc/e820", buf, 20 * n);
}

static void setup_fw_cfg(struct pc_board *b)
{
    struct fw_cfg *f = b->fw_cfg;
    fw_cfg_add_bytes(f, FW_CFG_UUID, cfg.uuid, 16);
    fw_cfg_add_i64(f, FW_CFG_RAM_SIZE, cfg.ram_size);
    fw_cfg_add_i16(f, FW_CFG_NOGRAPHIC, cfg.nographic);
    fw_cfg_add_i16(f, FW_CFG_NB_CPUS, cfg.smp.cpus);
    fw_cfg_add_i16(f, FW_CFG_MAX_CPUS, cfg.smp.maxcpus);
    /* -boot menu=, splash-time= and reboot-timeout= as SeaBIOS reads
     * them (etc/show-boot-menu is this legacy key; -1 never reboots). */
    fw_cfg_add_i16(f, FW_CFG_BOOT_MENU, cfg.boot_menu);
    if (cfg.boot_splash_time >= 0) {
        uint16_t t = (uint16_t)cfg.boot_splash_time;
        fw_cfg_add_file(f, "etc/boot-menu-wait", &t, 2);
    }
    uint32_t rt = (uint32_t)cfg.boot_reboot_timeout;
    fw_cfg_add_file(f, "etc/boot-fail-wait", &rt, 4);
    /* The PIT's IRQ 0 arrives at IOAPIC pin 2 (the MADT says so too). */
    fw_cfg_add_i32(f, FW_CFG_IRQ0_OVERRIDE, 1);
    /* No NUMA: a zero node count, then a zero node per possible CPU. */
    size_t numa_len = 8 * (1 + cfg.smp.maxcpus);
    uint8_t *numa = xzalloc(numa_len);
    fw_cfg_add_bytes(f, FW_CFG_NUMA, numa, numa_len);
    free(numa);
    /* The legacy E820 key lists only reserved ranges: none. */
    uint8_t e820_legacy[4] = { 0 };
    fw_cfg_add_bytes(f, FW_CFG_E820_TABLE, e820_legacy, sizeof(e820_legacy));
    add_e820(b);
    if (cfg.nographic && cfg.n_serial > 0) {
        /* SeaBIOS's serial console on COM1 for -nographic. */
        uint16_t port = 0x3f8;
        fw_cfg_add_file(f, "etc/sercon-port", &port, 2);
    }
}

/* The ACPI tables, described from the board as built. */
static int setup_acpi(struct pc_board *b, struct err **errp)
{
    struct acpi_config c;
    acpi_config_init(&c, cfg.smp.cpus, b->below_4g, b->above_4g);
    for (int i = 0; i < 4; i++) {
        c.com[i] = i < cfg.n_serial;
    }
    c.hpet = b->hpet_enabled;
    c.sci_irq = PC_SCI_IRQ;
    int r = acpi_setup_fw_cfg(b->fw_cfg, &c);
    if (r < 0) {
        err_setf(errp, "cannot build the ACPI tables: %s", strerror(-r));
        return -1;
    }
    return 0;
}

/* -kernel/-initrd/-append: the loader fills fw_cfg and adds its ROM. */
static int load_kernel(struct pc_board *b, struct err **errp)
{
    if (!cfg.kernel) {
        if (cfg.append) {
            err_setf(errp, "-append only allowed with -kernel option");
            return -1;
        }
        if (cfg.initrd) {
            err_setf(errp, "-initrd only allowed with -kernel option");
            return -1;
        }
        return 0;
    }
    return linuxboot_load(b->fw_cfg, b->below_4g, cfg.kernel, cfg.initrd,
                          cfg.append, errp);
}

/* -rtc base= and clock=: the time the RTC starts from and what it follows. */
static void setup_rtc_time(struct pc_board *b)
{
    time_t t = (time_t)(clock_wall_ns() / NS_PER_SEC);
    if (cfg.rtc_date_set) {
        t = (time_t)cfg.rtc_date;
    } else if (cfg.rtc_localtime) {
        struct tm tm;
        localtime_r(&t, &tm);
        t += tm.tm_gmtoff;      /* the registers show local time */
    }
    rtc_set_clock(b->rtc, (enum rtc_clock)cfg.rtc_clock);
    rtc_set_time(b->rtc, t);
}

/* -boot once=: the first boot's order; the first reset puts back order=. */
static void restore_boot_order(void *opaque)
{
    struct pc_board *b = opaque;
    rtc_set_boot_order(b->rtc, cfg.boot_order ? cfg.boot_order : "cad", true);
}

static void setup_cmos(struct pc_board *b)
{
    setup_rtc_time(b);
    rtc_set_memory(b->rtc, b->below_4g, b->above_4g);
    rtc_set_cpu_count(b->rtc, cfg.smp.cpus);
    /* The letters were checked on the command line (a, b, c, d, n). */
    restore_boot_order(b);
    if (cfg.boot_once) {
        rtc_set_boot_order(b->rtc, cfg.boot_once, true);
        vm_register_reset(restore_boot_order, b);
    }
}

void pc_board_boot_done(struct pc_board *b)
{
    size_t len;
    char *order = bootorder_build(cfg.boot_strict, &len);
    if (order) {
        fw_cfg_add_file(b->fw_cfg, "bootorder", order, len);
    }
    free(order);
}

bool pc_a20(const struct pc_board *b)
{
    return b->a20_kbc || b->a20_p92;
}

static void a20_changed(struct pc_board *b, bool *which, bool on)
{
    bool before = pc_a20(b);
    *which = on;
    if (pc_a20(b) != before && b->a20_set) {
        b->a20_set(b->a20_opaque, pc_a20(b));
    }
}

static void a20_from_kbc(void *opaque, bool on)
{
    struct pc_board *b = opaque;
    a20_changed(b, &b->a20_kbc, on);
}

static void a20_from_port92(void *opaque, bool on)
{
    struct pc_board *b = opaque;
    a20_changed(b, &b->a20_p92, on);
}

/* ---------------------------------------------------------------------------
 * Interrupt routing: ISA lines to the PIC and the IOAPIC, the PIC to the
 * boot CPU's LINT0 (or straight to its INTR without local APICs)
 */

void pc_gsi_set(struct pc_board *b, int gsi, int level)
{
    if (gsi < 0 || gsi >= IOAPIC_NUM_PINS) {
        return;
    }
    /* GSI 2 is the PIC's cascade input: nothing drives it there. */
    if (gsi < ISA_NUM_IRQS && gsi != 2) {
        irq_set(&b->pic_irq[gsi], level);
    }
    /* The timer's IRQ0 sits on pin 2 (the MADT's interrupt source
     * override); pin 0 would be the PIC's ExtINT in virtual wire mode B. */
    ioapic_set_irq(b->ioapic, gsi == 0 ? 2 : gsi, level);
}

static void pc_isa_irq(void *opaque, int n, int level)
{
    struct pc_board *b = opaque;
    /* HPET legacy replacement takes IRQ0 and IRQ8 from the PIT and RTC. */
    if ((n == 0 || n == 8) && b->hpet_legacy && b->hpet_legacy(b->hpet)) {
        return;
    }
    /* Not pc_gsi_set: an ISA card on IRQ2 reaches the PIC (as IRQ9). */
    irq_set(&b->pic_irq[n], level);
    ioapic_set_irq(b->ioapic, n == 0 ? 2 : n, level);
}

static void pc_hpet_irq(void *opaque, int gsi, int level)
{
    pc_gsi_set(opaque, gsi, level);
}

static void pc_pic_intr(void *opaque, int n, int level)
{
    struct pc_board *b = opaque;
    if (b->apic_bus.n) {
        apic_set_lint(b->apic_bus.cpu[0], 0, level);
    } else {
        irq_set(b->cpu_intr, level);
    }
}

static void pc_msi(void *opaque, uint64_t addr, uint32_t data)
{
    struct pc_board *b = opaque;
    apic_bus_msi(&b->apic_bus, addr, data);
}

static int pc_extint_ack(void *opaque)
{
    struct pc_board *b = opaque;
    return i8259_inta(b->pic);
}

static void setup_irqs(struct pc_board *b)
{
    b->ioapic = ioapic_create(&b->apic_bus);
    as_map(b->mem, IOAPIC_DEFAULT_BASE, &b->ioapic->mr, 0, IOAPIC_MMIO_SIZE, 1);
    /* Every CPU sees its own local APIC here (apic.h). */
    as_map(b->mem, APIC_DEFAULT_BASE, &b->apic_bus.mr, 0, APIC_MMIO_SIZE, 1);
    b->apic_bus.eoi = ioapic_eoi;
    b->apic_bus.eoi_opaque = b->ioapic;
    b->apic_bus.extint_ack = pc_extint_ack;
    b->apic_bus.extint_opaque = b;
    for (int n = 0; n < ISA_NUM_IRQS; n++) {
        b->pic_irq[n] = b->isa.irq[n];
        b->isa.irq[n] = (struct irq_line){ pc_isa_irq, b, n };
    }
}

static void setup_hpet(struct pc_board *b)
{
    /* -machine hpet=off is not parsed yet (emu/vm/machine.c): on, as
     * QEMU's pc has it by default. */
    b->hpet_enabled = cfg.hpet;
    if (!b->hpet_enabled) {
        return;
    }
    b->hpet = hpet_create(pc_hpet_irq, b);
    b->hpet_legacy = hpet_legacy;
    as_map(b->mem, HPET_DEFAULT_BASE, &b->hpet->mr, 0, HPET_MMIO_SIZE, 1);
}

void pc_board_reset(struct pc_board *b)
{
    ioapic_reset(b->ioapic);
    if (b->hpet) {
        hpet_reset(b->hpet);
    }
}

/* One isa-serial per -serial, COM1 upwards. */
static int add_serials(struct err **errp)
{
    for (int i = 0; i < cfg.n_serial; i++) {
        struct kvlist *kv = kvlist_new();
        char idx[16];
        snprintf(idx, sizeof(idx), "%d", i);
        kv_set(kv, "chardev", chr_id(cfg.serial_chr[i]));
        kv_set(kv, "index", idx);
        struct device *d = dev_create(&isa_serial_type, kv, errp);
        kvlist_free(kv);
        if (!d) {
            return -1;
        }
    }
    return 0;
}

int pc_board_create(struct pc_board *b, struct irq_line *cpu_intr,
                    struct err **errp)
{
    memset(b, 0, sizeof(*b));
    b->cpu_intr = cpu_intr;
    b->pic_intr = (struct irq_line){ pc_pic_intr, b, 0 };
    apic_bus_init(&b->apic_bus);
    b->mem = as_new("memory", 1ULL << 40, 0);
    b->io = as_new("io", 0x10000, ~0ULL);

    uint64_t ram = cfg.ram_size;
    uint64_t lowmem = ram >= PC_LOWMEM_SPLIT ? PC_LOWMEM_ALIGNED : PC_LOWMEM_SPLIT;
    b->below_4g = MIN(ram, lowmem);
    b->above_4g = ram - b->below_4g;
    if (mem_backend_init_ram(&b->ram, "pc.ram", MAX(ram, 1ULL << 20), errp) < 0) {
        return -1;
    }
    as_map(b->mem, 0, &b->ram, 0, b->below_4g, 0);
    if (b->above_4g) {
        as_map(b->mem, 1ULL << 32, &b->ram, b->below_4g, b->above_4g, 0);
    }
    if (load_bios(b, errp) < 0) {
        return -1;
    }
    as_map(b->mem, (1ULL << 32) - b->bios.size, &b->bios, 0, b->bios.size, 0);
    if (mem_region_init_rom(&b->pc_rom, "pc.rom", 0x20000, errp) < 0) {
        return -1;
    }

    b->host = i440fx_create(b->mem, b->io, &b->ram, &b->pc_rom, &b->bios, errp);
    if (!b->host) {
        return -1;
    }
    b->host->bus->msi = pc_msi;
    b->host->bus->msi_opaque = b;
    b->isa.io = b->io;
    isa_bus_current = &b->isa;
    /* The PIC takes over the ISA lines; PIIX3 routes PCI interrupts onto
     * them, so it comes after. */
    b->pic = i8259_create(&b->isa, &b->pic_intr, errp);
    if (!b->pic) {
        return -1;
    }
    setup_irqs(b);
    setup_hpet(b);
    b->piix3 = piix3_create(b->host->bus, &b->isa, errp);
    b->pm = b->piix3 ? piix4_pm_create(b->host->bus, &b->isa, PC_SCI_IRQ, errp)
                     : NULL;
    if (!b->pm) {
        return -1;
    }
    b->pit = b->piix3 ? i8254_create(&b->isa, errp) : NULL;
    b->rtc = b->pit ? rtc_create(&b->isa, errp) : NULL;
    if (!b->rtc) {
        return -1;
    }
    setup_cmos(b);
    if (pc_storage_init(b, errp) < 0) {
        return -1;
    }
    /* -usb: the PIIX3's USB function at 00:01.2 (and -usbdevice's). */
    if (usb_pc_init(errp) < 0) {
        return -1;
    }
    b->kbc = i8042_create(&b->isa, errp);
    b->port92 = b->kbc ? port92_create(&b->isa, errp) : NULL;
    if (!b->port92) {
        return -1;
    }
    /* The keyboard controller's output port opens A20 at reset. */
    b->a20_kbc = true;
    b->kbc->a20_set = a20_from_kbc;
    b->kbc->a20_opaque = b;
    b->port92->a20_set = a20_from_port92;
    b->port92->a20_opaque = b;
    if (add_serials(errp) < 0) {
        return -1;
    }
    if (display_pc_init(&b->host->vga_legacy, b->kbc, errp) < 0) {
        return -1;
    }
    b->fw_cfg = fw_cfg_new(b->io, PC_FW_CFG_PORT, b->mem);
    setup_fw_cfg(b);
    if (load_kernel(b, errp) < 0) {
        return -1;
    }
    /* -net nic/-nic NICs (and the default one) before -device ones, in
     * the first free slots, as QEMU's pc_nic_init; e1000 by default. */
    if (net_create_nics("e1000", errp) < 0) {
        return -1;
    }
    return setup_acpi(b, errp);
}
