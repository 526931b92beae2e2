/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i8237.c - two Intel 8237A DMA controllers as on the PC/AT (Intel 8237A
 * datasheet; IBM PC/AT Technical Reference "DMA Controller"): the 8-bit
 * controller (channels 0-3, ports 0x00-0x0f) and the 16-bit one
 * (channels 4-7, ports 0xc0-0xdf, one register every two ports; channel 4
 * cascades the first), and the page registers at 0x80-0x8f that give
 * address bits 16-23.  Transfers run when a device asks
 * (isa_dma_transfer), in single or block mode alike; the address
 * increments or decrements within its 64 KiB (128 KiB for 16-bit
 * channels) page as the 8237 does, and auto-initialisation reloads the
 * base registers at terminal count.  Every value comes from the guest, so
 * memory is reached only through the address space (bounds-checked).
 */
#include "emu/osdep.h"

#include "emu/hw/dev.h"
#include "emu/hw/i8237.h"
#include "emu/hw/isa.h"
#include "emu/mem/mem.h"
#include "emu/util/cutils.h"

struct dma_chan {
    uint16_t base_addr, base_count, addr, count;
    uint8_t mode;
};

struct dma_ctrl {
    struct dma_chan ch[4];
    bool flipflop;
    uint8_t command, status, mask, request, temp;
    int shift;          /* 0: 8-bit controller, 1: 16-bit */
    struct isa_dma *d;
    struct mem_region mr;
};

struct isa_dma {
    struct device dev;
    struct dma_ctrl c[2];
    uint8_t page[16];   /* ports 0x80-0x8f, the unused ones as scratch */
    struct mem_region page_mr;
    struct addr_space *mem;
};

struct isa_dma *isa_dma_current;

/* Page register port (offset from 0x80) of each channel. */
static const uint8_t page_port[8] = { 7, 3, 1, 2, 0xf, 0xb, 9, 0xa };

static void ctrl_reset(struct dma_ctrl *c)
{
    c->command = c->status = c->request = c->temp = 0;
    c->mask = 0x0f;
    c->flipflop = false;
}

static uint64_t ctrl_read(void *opaque, uint64_t off, unsigned size)
{
    struct dma_ctrl *c = opaque;
    unsigned reg = (off >> c->shift) & 0x0f;
    if (reg < 8) {
        struct dma_chan *ch = &c->ch[reg >> 1];
        uint16_t v = reg & 1 ? ch->count : ch->addr;
        uint8_t b = c->flipflop ? v >> 8 : v & 0xff;
        c->flipflop = !c->flipflop;
        return b;
    }
    switch (reg) {
    case 8: {
        uint8_t s = c->status;
        c->status &= 0xf0;      /* reading clears the terminal count bits */
        return s;
    }
    case 0xd:
        return c->temp;
    case 0xf:
        return c->mask | 0xf0;
    default:
        return 0xff;
    }
}

static void ctrl_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dma_ctrl *c = opaque;
    unsigned reg = (off >> c->shift) & 0x0f;
    uint8_t v = val;
    if (reg < 8) {
        struct dma_chan *ch = &c->ch[reg >> 1];
        uint16_t *base = reg & 1 ? &ch->base_count : &ch->base_addr;
        uint16_t *cur = reg & 1 ? &ch->count : &ch->addr;
        *base = c->flipflop ? (*base & 0xff) | v << 8 : (*base & 0xff00) | v;
        *cur = *base;
        c->flipflop = !c->flipflop;
        return;
    }
    switch (reg) {
    case 8:
        c->command = v;
        break;
    case 9:     /* software request: bit 2 set/clear, bits 0-1 channel */
        c->request = v & 4 ? c->request | 1 << (v & 3)
                           : c->request & ~(1 << (v & 3));
        break;
    case 0xa:
        c->mask = v & 4 ? c->mask | 1 << (v & 3) : c->mask & ~(1 << (v & 3));
        break;
    case 0xb:
        c->ch[v & 3].mode = v;
        break;
    case 0xc:
        c->flipflop = false;
        break;
    case 0xd:   /* master clear */
        ctrl_reset(c);
        break;
    case 0xe:
        c->mask = 0;
        break;
    case 0xf:
        c->mask = v & 0x0f;
        break;
    }
}

static const struct mem_ops ctrl_ops = {
    .read = ctrl_read, .write = ctrl_write, .valid_min = 1, .valid_max = 1,
};

static uint64_t page_read(void *opaque, uint64_t off, unsigned size)
{
    return ((struct isa_dma *)opaque)->page[off & 0x0f];
}

static void page_write(void *opaque, uint64_t off, uint64_t val,
                       unsigned size)
{
    ((struct isa_dma *)opaque)->page[off & 0x0f] = val;
}

static const struct mem_ops page_ops = {
    .read = page_read, .write = page_write, .valid_min = 1, .valid_max = 1,
};

uint32_t isa_dma_transfer(struct isa_dma *d, unsigned chn, uint8_t *buf,
                          uint32_t len, bool *tc)
{
    *tc = false;
    if (!d || chn >= 8 || chn == 4) {
        return 0;
    }
    struct dma_ctrl *c = &d->c[chn >> 2];
    unsigned i = chn & 3;
    struct dma_chan *ch = &c->ch[i];
    if ((c->mask & (1 << i)) || (c->command & 0x04)) {
        return 0;   /* masked, or the controller disabled */
    }
    unsigned w = c->shift;              /* bytes per unit: 1 << w */
    unsigned type = (ch->mode >> 2) & 3;   /* 0 verify, 1 write, 2 read */
    bool down = ch->mode & 0x20;
    uint32_t page = d->page[page_port[chn]];
    uint32_t done = 0;
    while (done + (1u << w) <= len) {
        /* Physical address: the page register above the 16-bit address
         * (16-bit channels: word address, page bit 0 unused). */
        uint64_t pa = w ? ((uint64_t)(page & 0xfe) << 16) |
                          ((uint32_t)ch->addr << 1)
                        : ((uint64_t)page << 16) | ch->addr;
        if (type == 1) {
            as_rw(d->mem, pa, buf + done, 1u << w, true);
        } else if (type == 2) {
            as_rw(d->mem, pa, buf + done, 1u << w, false);
        }
        done += 1u << w;
        ch->addr += down ? -1 : 1;
        if (ch->count-- == 0) {
            *tc = true;
            c->status |= 1 << i;
            c->request &= ~(1 << i);
            if (ch->mode & 0x10) {      /* auto-initialise */
                ch->addr = ch->base_addr;
                ch->count = ch->base_count;
            } else {
                c->mask |= 1 << i;
            }
            break;
        }
    }
    return done;
}

static void dma_reset(struct device *dev)
{
    struct isa_dma *d = (struct isa_dma *)dev;
    ctrl_reset(&d->c[0]);
    ctrl_reset(&d->c[1]);
    /* The second controller's channel 4 cascades the first: unmasked. */
    d->c[1].mask = 0x0e;
}

static const struct dev_type isa_dma_type = {
    .name = "i8257",
    .category = "Misc devices",
    .desc = "ISA DMA controllers (8237A pair)",
    .bus = BUS_ISA,
    .size = sizeof(struct isa_dma),
    .reset = dma_reset,
};
DEV_TYPE(isa_dma_type);

struct isa_dma *isa_dma_create(struct isa_bus *bus, struct addr_space *mem,
                               struct err **errp)
{
    struct isa_dma *d = (struct isa_dma *)dev_create(&isa_dma_type, NULL,
                                                     errp);
    if (!d) {
        return NULL;
    }
    d->mem = mem;
    for (int k = 0; k < 2; k++) {
        d->c[k].shift = k;
        d->c[k].d = d;
        mem_region_init_io(&d->c[k].mr, k ? "dma-cont" : "dma-chan",
                           k ? 0x20 : 0x10, &ctrl_ops, &d->c[k]);
        isa_map_io(bus, &d->c[k].mr, k ? 0xc0 : 0x00);
    }
    mem_region_init_io(&d->page_mr, "dma-page", 0x10, &page_ops, d);
    isa_map_io(bus, &d->page_mr, 0x80);
    dma_reset(&d->dev);
    isa_dma_current = d;
    return d;
}
