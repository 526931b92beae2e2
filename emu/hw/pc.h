/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pc.h - the board of the `pc` machine (i440FX + PIIX3): memory map, chipset,
 * ISA platform devices and the fw_cfg items SeaBIOS reads.  The machine
 * type adds the vCPUs on top; the board alone is testable without a CPU.
 */
#ifndef HEMU_EMU_HW_PC_H
#define HEMU_EMU_HW_PC_H

#include "emu/hw/apic.h"
#include "emu/hw/isa.h"
#include "emu/mem/mem.h"

struct fw_cfg;
struct i440fx;
struct piix3;
struct i8259;
struct i8254;
struct rtc;
struct i8042;
struct port92;
struct ioapic;
struct piix4_pm;
struct hpet;

/* QEMU's pc: RAM above this address moves above 4 GiB once the RAM
 * reaches 0xe0000000 (gigabyte-aligned since pc-i440fx-2.x). */
#define PC_LOWMEM_SPLIT 0xe0000000ULL
#define PC_LOWMEM_ALIGNED 0xc0000000ULL
#define PC_FW_CFG_PORT 0x510
#define PC_SCI_IRQ 9

struct pc_board {
    struct addr_space *mem, *io;
    struct mem_region ram, bios, pc_rom;
    uint64_t below_4g, above_4g;
    struct isa_bus isa;
    struct i440fx *host;
    struct piix3 *piix3;
    struct i8259 *pic;
    struct i8254 *pit;
    struct rtc *rtc;
    struct fw_cfg *fw_cfg;
    struct i8042 *kbc;
    struct port92 *port92;
    struct piix4_pm *pm;
    /* Every ISA line goes to the PIC and to the IOAPIC (IRQ0 at pin 2,
     * as the MADT's override says); pic_irq keeps the PIC's own inputs. */
    struct irq_line pic_irq[ISA_NUM_IRQS];
    struct irq_line pic_intr;
    struct ioapic *ioapic;
    /* The local APICs, one per vCPU, added by the machine; with none
     * (board tests) the PIC drives cpu_intr directly. */
    struct apic_bus apic_bus;
    struct hpet *hpet;              /* NULL with -machine hpet=off */
    bool hpet_enabled;
    bool (*hpet_legacy)(struct hpet *h);   /* legacy replacement on? */
    /* The CPU's INTR pin: the machine connects it to the boot vCPU. */
    struct irq_line *cpu_intr;
    /* A20 is open while either the keyboard controller or port 0x92
     * opens it; the machine hands the result to the CPUs. */
    bool a20_kbc, a20_p92;
    void (*a20_set)(void *opaque, bool on);
    void *a20_opaque;
};

/* Drive global system interrupt gsi (an IOAPIC pin; GSIs 0-15 also go
 * to the PIC, GSI 2 as its IRQ0) bypassing the ISA lines. */
void pc_gsi_set(struct pc_board *b, int gsi, int level);
/* Open the drives and attach the IDE controller and its disks
 * (pc-storage.c). */
int pc_storage_init(struct pc_board *b, struct err **errp);
/* Back to power-on state: what pc.c owns beyond the device types. */
void pc_board_reset(struct pc_board *b);

/* Every device exists: write the fw_cfg bootorder file. */
void pc_board_boot_done(struct pc_board *b);

/* Whether the A20 gate is open now. */
bool pc_a20(const struct pc_board *b);

/*
 * Build the board from cfg (RAM size, CPUs, -bios/-L, -nographic, ...).
 * cpu_intr receives the PIC's output.
 */
int pc_board_create(struct pc_board *b, struct irq_line *cpu_intr,
                    struct err **errp);

#endif
