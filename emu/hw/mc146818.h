/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mc146818.h - the PC/AT real-time clock and CMOS RAM (Motorola MC146818A
 * at ports 0x70/0x71, IRQ 8), and the setters the pc machine uses for the
 * CMOS bytes that SeaBIOS reads.
 */
#ifndef HEMU_EMU_HW_MC146818_H
#define HEMU_EMU_HW_MC146818_H

#include "emu/osdep.h"
#include <time.h>

struct err;
struct isa_bus;
struct rtc;

/* Create on bus with the clock set from the host's UTC time. */
struct rtc *rtc_create(struct isa_bus *bus, struct err **errp);

/* Plain CMOS bytes (idx 0-127; out of range is ignored / reads 0).  The
 * standard checksum at 0x2e/0x2f is kept up to date. */
void rtc_set_cmos(struct rtc *s, unsigned idx, uint8_t val);
uint8_t rtc_get_cmos(struct rtc *s, unsigned idx);

/* Memory sizes as the BIOS expects them: base, extended (KiB above 1 MiB),
 * 64 KiB units above 16 MiB and above 4 GiB. */
void rtc_set_memory(struct rtc *s, uint64_t below_4g, uint64_t above_4g);
/* CPU count at 0x5f (count - 1), cross-checked by SeaBIOS. */
void rtc_set_cpu_count(struct rtc *s, unsigned cpus);
/* Up to three boot devices from -boot order= letters (a/b floppy, c disk,
 * d CD-ROM, n network) at 0x3d/0x38; -1 for an unknown letter. */
int rtc_set_boot_order(struct rtc *s, const char *order, bool fd_check);
/* Set the clock (seconds since the epoch, as the RTC shows them). */
void rtc_set_time(struct rtc *s, time_t t);
time_t rtc_get_time(struct rtc *s);
/* What the clock follows (-rtc clock=): the host's wall clock or its
 * monotonic clock keep running while the VM is paused, the VM's virtual
 * clock stops with it. */
enum rtc_clock { RTC_CLOCK_HOST, RTC_CLOCK_RT, RTC_CLOCK_VM };
void rtc_set_clock(struct rtc *s, enum rtc_clock c);
/* The VM stopped or resumed at host_ns of the clock rtc_clock_ns() reads
 * (the run-state hook calls this; tests call it with their own times). */
void rtc_vm_state(struct rtc *s, bool running, int64_t host_ns);
int64_t rtc_clock_ns(const struct rtc *s);
/* Port 0x70 bit 7: NMIs masked by the guest. */
bool rtc_nmi_masked(const struct rtc *s);

#endif
