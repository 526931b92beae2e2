/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_flatbus.h - the machine most soft-CPU unit tests run on: the
 * includer's ram[RAM_SIZE] from physical address 0, and MMIO and I/O
 * ports that read all-ones and drop writes.  The includer declares ram
 * (and RAM_SIZE) first and builds its struct x86_bus from these callbacks,
 * adding what it needs (irq_ack, code_page).  Reference: struct x86_bus
 * in emu/cpu/x86/cpu.h.
 */
#ifndef HEMU_TESTS_X86_FLATBUS_H
#define HEMU_TESTS_X86_FLATBUS_H

static uint8_t *ram_ptr(void *opaque, uint64_t pa, bool write)
{
    return pa < RAM_SIZE ? ram + (pa & ~0xfffull) : NULL;
}

static uint64_t mmio_read(void *opaque, uint64_t pa, unsigned size)
{
    return ~0ull;
}

static void mmio_write(void *opaque, uint64_t pa, uint64_t v, unsigned size)
{
}

static uint64_t pio_read(void *opaque, uint16_t port, unsigned size)
{
    return ~0ull;
}

static void pio_write(void *opaque, uint16_t port, uint64_t v, unsigned size)
{
}

#endif
