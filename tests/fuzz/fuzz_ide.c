/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_ide.c - libFuzzer target for IDE/ATAPI command handling by a
 * hostile guest (emu/hw/ide.c, emu/hw/ide-atapi.c): a channel with an
 * ATA disk (master) and an ATAPI CD-ROM (slave) over small image files;
 * each input is a program of register writes and reads, data port
 * transfers (PACKET command bytes included), device control writes and
 * bus master starts, with every request completed before the next step.
 */
#include "emu/osdep.h"

#include <fcntl.h>

#include "block-protocols/blk-backend.h"
#include "emu/hw/ide.h"
#include "emu/loop/loop.h"
#include "emu/util/err.h"

static struct ide_bus bus;
static uint8_t guest_mem[1 << 16];
static bool bm_on;

static uint64_t dma_rw(void *opaque, uint8_t *buf, uint64_t len, bool to_guest)
{
    uint64_t n = MIN(len, (uint64_t)sizeof(guest_mem));
    if (to_guest) {
        memcpy(guest_mem, buf, n);
    } else {
        memcpy(buf, guest_mem, n);
    }
    return n;
}

/* The mapped path: guest memory in two pieces (a request spanning two
 * RAM ranges), shorter than big transfers. */
static bool dma_map(void *opaque, struct ide_sg *sg, uint64_t len,
                    bool to_guest)
{
    uint64_t half = sizeof(guest_mem) / 2;
    sg->n = 0;
    sg->size = 0;
    uint64_t a = MIN(len, half), b = MIN(len - a, half);
    if (a) {
        ide_sg_add(sg, guest_mem, a, NULL, 0);
    }
    if (b) {
        ide_sg_add(sg, guest_mem + half, b, NULL, half);
    }
    return true;
}

static void dma_done(void *opaque, bool error)
{
    bm_on = false;
}

static bool dma_active(void *opaque)
{
    return bm_on;
}

static const struct ide_dma_ops ops = {
    .rw = dma_rw, .map = dma_map, .done = dma_done, .active = dma_active,
};

static void irq_cb(void *opaque, int n, int level)
{
}

static struct blk *image(const char *name, size_t size, bool cd)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/fuzz-ide-%s.%d", name, (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, size) < 0) {
        abort();
    }
    if (write(fd, "CD001", 5) != 5) {
        abort();
    }
    close(fd);
    struct err *e = NULL;
    struct bdrv *bs = bdrv_open(path, "raw", NULL, cd ? 0 : BDRV_O_RDWR, &e);
    if (!bs) {
        abort();
    }
    unlink(path);
    struct blk *b = blk_new(name, bs);
    b->read_only = cd;
    b->removable = cd;
    return b;
}

static void setup(void)
{
    loop_init();
    ide_bus_init(&bus, 0, (struct irq_line){ irq_cb, NULL, 14 });
    bus.dma = &ops;
    struct err *e = NULL;
    if (ide_attach(&bus, 0, image("hd", 256 << 10, false), false, -1, &e) < 0 ||
        ide_attach(&bus, 1, image("cd", 64 << 10, true), true, -1, &e) < 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    ide_bus_reset(&bus);
    bm_on = false;
    for (size_t i = 0; i + 2 < size; i += 3) {
        uint8_t op = data[i], a = data[i + 1], v = data[i + 2];
        switch (op % 8) {
        case 0:
            ide_ioport_write(&bus, 1 + a % 7, v);
            break;
        case 1:
            ide_ioport_read(&bus, a % 8);
            break;
        case 2:
            ide_data_write(&bus, a | v << 8, 2);
            break;
        case 3:
            for (int k = 0; k < 1 + v; k++) {
                ide_data_read(&bus, a & 1 ? 4 : 2);
            }
            break;
        case 4:
            ide_ctrl_write(&bus, v);
            break;
        case 5:
            bm_on = true;
            ide_dma_start(&bus);
            break;
        case 6:
            ide_status_read(&bus);
            break;
        default:
            /* Twelve PACKET bytes at once from the input. */
            for (int k = 0; k < 6 && i + 3 + 2 * k + 1 < size; k++) {
                ide_data_write(&bus, data[i + 3 + 2 * k] |
                               data[i + 4 + 2 * k] << 8, 2);
            }
            break;
        }
        blk_drain_all();
    }
    blk_drain_all();
    return 0;
}
