/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_fdc.c - libFuzzer target for the floppy controller and the ISA
 * DMA controllers as a hostile guest programs them (emu/hw/fdc.c,
 * emu/hw/i8237.c): a 1.44M and a 720K drive over image files, 1 MiB of
 * guest RAM behind the DMA controller; each input is a program of port
 * writes and reads on the FDC's ports (0x3f0-0x3f5, 0x3f7), the DMA
 * registers (0x00-0x0f, 0xc0-0xdf) and page registers (0x80-0x8f), and
 * whole FDC commands taken from the input.
 */
#include "emu/osdep.h"

#include <fcntl.h>

#include "block-protocols/blk-backend.h"
#include "emu/hw/fdc.h"
#include "emu/hw/i8237.h"
#include "emu/hw/isa.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"

static struct isa_bus bus;
static struct addr_space *mem;
static struct mem_region ram;

static void irq_cb(void *opaque, int n, int level)
{
}

static struct blk *image(const char *name, size_t size)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/fuzz-fdc-%s.%d", name, (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, size) < 0) {
        abort();
    }
    close(fd);
    struct err *e = NULL;
    struct bdrv *bs = bdrv_open(path, "raw", NULL, BDRV_O_RDWR, &e);
    if (!bs) {
        abort();
    }
    unlink(path);
    return blk_new(name, bs);
}

static void setup(void)
{
    loop_init();
    struct err *e = NULL;
    bus.io = as_new("io", 0x10000, ~0ULL);
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        bus.irq[i] = (struct irq_line){ irq_cb, NULL, i };
    }
    mem = as_new("memory", 1 << 24, 0);
    if (mem_region_init_ram(&ram, "ram", 1 << 20, &e) < 0) {
        abort();
    }
    as_map(mem, 0, &ram, 0, 1 << 20, 0);
    struct isa_dma *dma = isa_dma_create(&bus, mem, &e);
    struct blk *drives[2] = { image("a", 1474560), image("b", 737280) };
    drives[1]->read_only = true;
    if (!dma || !fdc_create(&bus, dma, drives, &e)) {
        abort();
    }
}

static const uint16_t ports[] = {
    0x3f0, 0x3f1, 0x3f2, 0x3f3, 0x3f4, 0x3f5, 0x3f7,
    0x00, 0x01, 0x04, 0x05, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x81, 0x87, 0x8b, 0xc4, 0xc6, 0xd0, 0xd4, 0xd6, 0xd8, 0xde,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    /* Out of reset, 500 kbit/s, DMA channel 2 unmasked for a transfer
     * to low memory, so that commands get as far as the image. */
    as_write(bus.io, 0x3f2, 0x08, 1);
    as_write(bus.io, 0x3f2, 0x0c, 1);
    as_write(bus.io, 0x3f7, 0x00, 1);
    as_write(bus.io, 0x0c, 0, 1);
    for (size_t i = 0; i + 2 < size; i += 3) {
        uint8_t op = data[i], a = data[i + 1], v = data[i + 2];
        uint16_t port = ports[a % ARRAY_SIZE(ports)];
        switch (op % 4) {
        case 0:
            as_write(bus.io, port, v, 1);
            break;
        case 1:
            as_read(bus.io, port, 1);
            break;
        case 2:
            /* A whole command from the input, then its result. */
            for (int k = 0; k < 9 && i + 3 + k < size; k++) {
                as_write(bus.io, 0x3f5, data[i + 3 + k], 1);
            }
            for (int k = 0; k < 10; k++) {
                as_read(bus.io, 0x3f5, 1);
            }
            i += 9;
            break;
        default:
            /* Channel 2 set up for v+1 bytes (256 * a) in mode v. */
            as_write(bus.io, 0x0a, 0x06, 1);
            as_write(bus.io, 0x0c, 0, 1);
            as_write(bus.io, 0x0b, (v & 0xfc) | 2, 1);
            as_write(bus.io, 0x04, 0, 1);
            as_write(bus.io, 0x04, a, 1);
            as_write(bus.io, 0x81, v >> 4, 1);
            as_write(bus.io, 0x05, v, 1);
            as_write(bus.io, 0x05, a, 1);
            as_write(bus.io, 0x0a, 0x02, 1);
            break;
        }
    }
    return 0;
}
