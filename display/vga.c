/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga.c - VGA register file, the 0xa0000 memory window with its write
 * modes 0-3, read modes 0-1, chain-4 and odd/even addressing, and the
 * Bochs VBE DISPI registers.  Reference: IBM VGA Technical Reference
 * (registers and data flow), Bochs vbe.h (DISPI interface).
 */
#include "emu/osdep.h"

#include "display/console.h"
#include "display/vga.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

/* Sequencer memory mode bits. */
#define SR4_ODD_EVEN_OFF 0x04
#define SR4_CHAIN4 0x08
/* Graphics mode register bits. */
#define GR5_HOST_ODD_EVEN 0x10

/* Writable bits of each register (reserved bits read as 0). */
static const uint8_t sr_mask[8] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0, 0, 0 };
static const uint8_t gr_mask[16] = { 0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f,
                                     0x0f, 0xff };

struct mem_region **vga_legacy_slot;

static void vbe_update(struct vga *s);

/* ---------------------------------------------------------------------------
 * Ports 0x3b0-0x3df
 */

static bool crtc_port_ok(struct vga *s, uint16_t port)
{
    /* Misc bit 0 chooses between the mono (0x3bx) and colour (0x3dx)
     * addresses of the CRTC and input status 1. */
    bool color = s->misc & 1;
    return (port >> 4 == 0x3d) == color;
}

uint32_t vga_ioport_read(struct vga *s, uint16_t port)
{
    if ((port >= 0x3b0 && port < 0x3c0) || (port >= 0x3d0 && port < 0x3e0)) {
        if (!crtc_port_ok(s, port)) {
            return 0xff;
        }
    }
    switch (port) {
    case 0x3c0:
        return s->ar_flip ? 0 : s->ar_index;
    case 0x3c1:
        return (s->ar_index & 0x1f) < 21 ? s->ar[s->ar_index & 0x1f] : 0;
    case 0x3c2:
        return 0;       /* input status 0: no switch sense, no IRQ */
    case 0x3c4:
        return s->sr_index;
    case 0x3c5:
        return s->sr[s->sr_index];
    case 0x3c6:
        return s->pel_mask;
    case 0x3c7:
        return s->dac_state;
    case 0x3c8:
        return s->dac_write_index;
    case 0x3c9: {
        uint8_t v = s->palette[s->dac_read_index * 3 + s->dac_sub];
        if (++s->dac_sub == 3) {
            s->dac_sub = 0;
            s->dac_read_index++;
        }
        return v;
    }
    case 0x3ca:
        return s->fcr;
    case 0x3cc:
        return s->misc;
    case 0x3ce:
        return s->gr_index;
    case 0x3cf:
        return s->gr[s->gr_index];
    case 0x3b4:
    case 0x3d4:
        return s->cr_index;
    case 0x3b5:
    case 0x3d5:
        return s->cr[s->cr_index];
    case 0x3ba:
    case 0x3da: {
        /* Input status 1: reading resets the attribute flip-flop.  The
         * retrace bits toggle on every read so that polling loops that
         * wait for either edge finish. */
        s->ar_flip = false;
        s->st01 ^= 0x09;
        return s->st01;
    }
    default:
        return 0xff;
    }
}

void vga_ioport_write(struct vga *s, uint16_t port, uint32_t val)
{
    val &= 0xff;
    if ((port >= 0x3b0 && port < 0x3c0) || (port >= 0x3d0 && port < 0x3e0)) {
        if (!crtc_port_ok(s, port)) {
            return;
        }
    }
    switch (port) {
    case 0x3c0:
        if (!s->ar_flip) {
            s->ar_index = val & 0x3f;
            s->full_update = true;
        } else {
            unsigned i = s->ar_index & 0x1f;
            static const uint8_t ar_mask[21] = {
                0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
                0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0xef, 0xff, 0x3f, 0x0f,
                0x0f,
            };
            if (i < 21) {
                s->ar[i] = val & ar_mask[i];
                s->full_update = true;
            }
        }
        s->ar_flip = !s->ar_flip;
        break;
    case 0x3c2:
        s->misc = val & ~0x10;
        s->full_update = true;
        break;
    case 0x3c4:
        s->sr_index = val & 7;
        break;
    case 0x3c5:
        s->sr[s->sr_index] = val & sr_mask[s->sr_index];
        s->full_update = true;
        break;
    case 0x3c6:
        s->pel_mask = val;
        s->full_update = true;
        break;
    case 0x3c7:
        s->dac_read_index = val;
        s->dac_sub = 0;
        s->dac_state = 3;
        break;
    case 0x3c8:
        s->dac_write_index = val;
        s->dac_sub = 0;
        s->dac_state = 0;
        break;
    case 0x3c9:
        s->dac_cache[s->dac_sub++] = val;
        if (s->dac_sub == 3) {
            memcpy(&s->palette[s->dac_write_index * 3], s->dac_cache, 3);
            s->dac_sub = 0;
            s->dac_write_index++;
            s->full_update = true;
        }
        break;
    case 0x3ce:
        s->gr_index = val & 0x0f;
        break;
    case 0x3cf:
        s->gr[s->gr_index] = val & (s->gr_index < 9 ? gr_mask[s->gr_index] : 0);
        s->full_update = true;
        break;
    case 0x3b4:
    case 0x3d4:
        s->cr_index = val;
        break;
    case 0x3b5:
    case 0x3d5:
        if (s->cr_index > 0x18) {
            break;      /* no extended CRTC registers */
        }
        /* CR11 bit 7 protects CR0-CR7, except CR7's line compare bit. */
        if ((s->cr[0x11] & 0x80) && s->cr_index <= 7) {
            if (s->cr_index == 7) {
                s->cr[7] = (s->cr[7] & ~0x10) | (val & 0x10);
            }
            break;
        }
        s->cr[s->cr_index] = val;
        s->full_update = true;
        break;
    case 0x3ba:
    case 0x3da:
        s->fcr = val & 0x10;
        break;
    default:
        break;
    }
}

/* ---------------------------------------------------------------------------
 * The memory window
 */

/* Byte b of a 32-bit latch is plane b. */
static inline uint32_t expand4(uint8_t planes)
{
    uint32_t v = 0;
    for (int p = 0; p < 4; p++) {
        if (planes & (1 << p)) {
            v |= 0xffu << (8 * p);
        }
    }
    return v;
}

/* Map the window offset (0 = 0xa0000) through GR6's memory map select;
 * returns false when the address is outside the selected window. */
static bool window_offset(struct vga *s, uint32_t *addr)
{
    uint32_t a = *addr;
    switch ((s->gr[6] >> 2) & 3) {
    case 0:
        break;
    case 1:
        if (a >= 0x10000) {
            return false;
        }
        break;
    case 2:
        if (a < 0x10000 || a >= 0x18000) {
            return false;
        }
        a -= 0x10000;
        break;
    case 3:
        if (a < 0x18000) {
            return false;
        }
        a -= 0x18000;
        break;
    }
    *addr = a;
    return true;
}

static bool vbe_linear(struct vga *s)
{
    return (s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) &&
           s->vbe_regs[VBE_DISPI_INDEX_BPP] > 4;
}

static uint32_t bank_offset(struct vga *s)
{
    if (!(s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED)) {
        return 0;
    }
    return (uint32_t)s->vbe_regs[VBE_DISPI_INDEX_BANK] << 16;
}

static inline void mark(struct vga *s, uint32_t off)
{
    mem_region_set_dirty(&s->vram_mr, off, 1);
}

uint32_t vga_mem_read(struct vga *s, uint32_t addr)
{
    if (vbe_linear(s)) {
        if (addr >= 0x10000) {
            return 0xff;
        }
        uint32_t off = bank_offset(s) + addr;
        return off < s->vram_size ? s->vram[off] : 0xff;
    }
    if (!window_offset(s, &addr)) {
        return 0xff;
    }
    addr += bank_offset(s) >> 2;
    if (s->sr[4] & SR4_CHAIN4) {
        return addr < s->vram_size ? s->vram[addr] : 0xff;
    }
    if (s->gr[5] & GR5_HOST_ODD_EVEN) {
        unsigned plane = (s->gr[4] & 2) | (addr & 1);
        uint32_t off = ((addr & ~1u) << 1) | plane;
        return off < s->vram_size ? s->vram[off] : 0xff;
    }
    if ((uint64_t)addr * 4 + 3 >= s->vram_size) {
        return 0xff;
    }
    memcpy(&s->latch, &s->vram[addr * 4], 4);
    if (!(s->gr[5] & 0x08)) {
        return (s->latch >> ((s->gr[4] & 3) * 8)) & 0xff;
    }
    /* Read mode 1: colour compare over the planes that matter. */
    uint32_t dc = expand4(s->gr[7]);
    uint32_t diff = (s->latch ^ expand4(s->gr[2])) & dc;
    uint8_t r = (diff | diff >> 8 | diff >> 16 | diff >> 24) & 0xff;
    return (uint8_t)~r;
}

void vga_mem_write(struct vga *s, uint32_t addr, uint32_t val)
{
    val &= 0xff;
    if (vbe_linear(s)) {
        uint32_t off = bank_offset(s) + addr;
        if (addr < 0x10000 && off < s->vram_size) {
            s->vram[off] = val;
            mark(s, off);
        }
        return;
    }
    if (!window_offset(s, &addr)) {
        return;
    }
    addr += bank_offset(s) >> 2;
    uint8_t map_mask = s->sr[2] & 0xf;
    if (s->sr[4] & SR4_CHAIN4) {
        if ((map_mask & (1 << (addr & 3))) && addr < s->vram_size) {
            s->vram[addr] = val;
            mark(s, addr);
        }
        return;
    }
    if (!(s->sr[4] & SR4_ODD_EVEN_OFF) || (s->gr[5] & GR5_HOST_ODD_EVEN)) {
        /* Odd/even: address bit 0 picks plane 0/1 (2/3 with the page bit). */
        unsigned plane = (s->gr[4] & 2) | (addr & 1);
        uint32_t off = ((addr & ~1u) << 1) | plane;
        if ((map_mask & (1 << plane)) && off < s->vram_size) {
            s->vram[off] = val;
            mark(s, off);
        }
        return;
    }
    if ((uint64_t)addr * 4 + 3 >= s->vram_size) {
        return;
    }
    unsigned mode = s->gr[5] & 3;
    uint32_t v, bitmask = s->gr[8];
    unsigned rot = s->gr[3] & 7;
    switch (mode) {
    case 0:
        val = ((val >> rot) | (val << (8 - rot))) & 0xff;
        v = val * 0x01010101u;
        {
            uint32_t en = expand4(s->gr[1]);
            v = (v & ~en) | (expand4(s->gr[0]) & en);
        }
        break;
    case 1:
        v = s->latch;
        goto store;
    case 2:
        v = expand4(val);
        break;
    default:
        val = ((val >> rot) | (val << (8 - rot))) & 0xff;
        bitmask &= val;
        v = expand4(s->gr[0]);
        break;
    }
    switch ((s->gr[3] >> 3) & 3) {
    case 1:
        v &= s->latch;
        break;
    case 2:
        v |= s->latch;
        break;
    case 3:
        v ^= s->latch;
        break;
    }
    {
        uint32_t bm = bitmask * 0x01010101u;
        v = (v & bm) | (s->latch & ~bm);
    }
store: {
        uint32_t wm = expand4(map_mask), old;
        memcpy(&old, &s->vram[addr * 4], 4);
        v = (old & ~wm) | (v & wm);
        memcpy(&s->vram[addr * 4], &v, 4);
        mark(s, addr * 4);
    }
}

/* ---------------------------------------------------------------------------
 * Bochs VBE
 */

static unsigned vbe_bytes_pp(unsigned bpp)
{
    return bpp == 15 ? 2 : (bpp + 7) / 8;
}

/* Derive start address and line length from the registers, keeping
 * every value within what vram holds. */
static void vbe_update(struct vga *s)
{
    uint16_t *r = s->vbe_regs;
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];
    if (bpp != 4 && bpp != 8 && bpp != 15 && bpp != 16 && bpp != 24 &&
        bpp != 32) {
        bpp = r[VBE_DISPI_INDEX_BPP] = 8;
    }
    r[VBE_DISPI_INDEX_XRES] = MAX(r[VBE_DISPI_INDEX_XRES] & ~7u, 8u);
    r[VBE_DISPI_INDEX_YRES] = MAX(r[VBE_DISPI_INDEX_YRES], 1u);
    if (r[VBE_DISPI_INDEX_VIRT_WIDTH] < r[VBE_DISPI_INDEX_XRES]) {
        r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
    }
    uint32_t line = bpp == 4 ? r[VBE_DISPI_INDEX_VIRT_WIDTH] / 2
                             : r[VBE_DISPI_INDEX_VIRT_WIDTH] * vbe_bytes_pp(bpp);
    s->vbe_line_offset = line;
    r[VBE_DISPI_INDEX_VIRT_HEIGHT] = MIN(s->vram_size / line, 0xffffu);
    uint64_t start = (uint64_t)r[VBE_DISPI_INDEX_Y_OFFSET] * line;
    start += bpp == 4 ? r[VBE_DISPI_INDEX_X_OFFSET] / 2
                      : r[VBE_DISPI_INDEX_X_OFFSET] * vbe_bytes_pp(bpp);
    s->vbe_start_addr = start < s->vram_size ? start : 0;
    s->full_update = true;
}

uint16_t vbe_read(struct vga *s, uint16_t index)
{
    uint16_t *r = s->vbe_regs;
    if (index >= VBE_DISPI_INDEX_NB) {
        return 0;
    }
    if (r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) {
        switch (index) {
        case VBE_DISPI_INDEX_XRES:
            return VBE_DISPI_MAX_XRES;
        case VBE_DISPI_INDEX_YRES:
            return VBE_DISPI_MAX_YRES;
        case VBE_DISPI_INDEX_BPP:
            return VBE_DISPI_MAX_BPP;
        }
    }
    if (index == VBE_DISPI_INDEX_VIDEO_MEMORY_64K) {
        return s->vram_size >> 16;
    }
    return r[index];
}

void vbe_write(struct vga *s, uint16_t index, uint16_t val)
{
    uint16_t *r = s->vbe_regs;
    switch (index) {
    case VBE_DISPI_INDEX_ID:
        if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5) {
            r[index] = val;
        }
        break;
    case VBE_DISPI_INDEX_XRES:
    case VBE_DISPI_INDEX_YRES:
    case VBE_DISPI_INDEX_BPP:
        r[index] = val;
        if (index == VBE_DISPI_INDEX_XRES) {
            r[VBE_DISPI_INDEX_VIRT_WIDTH] = 0;
        }
        if (r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) {
            vbe_update(s);
        }
        break;
    case VBE_DISPI_INDEX_BANK:
        r[index] = val & ((s->vram_size >> 16) - 1);
        break;
    case VBE_DISPI_INDEX_ENABLE: {
        bool was = r[index] & VBE_DISPI_ENABLED;
        r[index] = val & (VBE_DISPI_ENABLED | VBE_DISPI_GETCAPS |
                          VBE_DISPI_8BIT_DAC | VBE_DISPI_LFB_ENABLED |
                          VBE_DISPI_NOCLEARMEM);
        if ((val & VBE_DISPI_ENABLED) && !was) {
            r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
            r[VBE_DISPI_INDEX_X_OFFSET] = 0;
            r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
            r[VBE_DISPI_INDEX_BANK] = 0;
            vbe_update(s);
            if (!(val & VBE_DISPI_NOCLEARMEM)) {
                uint64_t n = (uint64_t)s->vbe_line_offset *
                             r[VBE_DISPI_INDEX_YRES];
                memset(s->vram, 0, MIN(n, (uint64_t)s->vram_size));
                mem_region_set_dirty(&s->vram_mr, 0, MIN(n, (uint64_t)s->vram_size));
            }
            /* The VGA side as a graphics mode with the 64 KiB window at
             * 0xa0000, as a VBE BIOS leaves it. */
            s->gr[6] = (s->gr[6] & ~0x0c) | 0x05;
            s->gr[5] &= ~0x10;
            if (r[VBE_DISPI_INDEX_BPP] == 4) {
                s->sr[4] = (s->sr[4] & ~SR4_CHAIN4) | SR4_ODD_EVEN_OFF;
            } else {
                s->sr[4] |= SR4_CHAIN4 | SR4_ODD_EVEN_OFF;
            }
        }
        s->full_update = true;
        break;
    }
    case VBE_DISPI_INDEX_VIRT_WIDTH:
    case VBE_DISPI_INDEX_X_OFFSET:
    case VBE_DISPI_INDEX_Y_OFFSET:
        r[index] = val;
        vbe_update(s);
        break;
    default:
        break;
    }
}

/* ---------------------------------------------------------------------------
 * Regions
 */

static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
    return vga_ioport_read(opaque, 0x3b0 + off);
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    vga_ioport_write(opaque, 0x3b0 + off, val);
}

static const struct mem_ops io_ops = {
    .read = io_read, .write = io_write,
    .valid_min = 1, .valid_max = 2, .impl_min = 1, .impl_max = 1,
};

static uint64_t vbe_io_read(void *opaque, uint64_t off, unsigned size)
{
    struct vga *s = opaque;
    if (off == 0) {
        return s->vbe_index;
    }
    return vbe_read(s, s->vbe_index);
}

static void vbe_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct vga *s = opaque;
    if (off == 0) {
        s->vbe_index = val;
    } else {
        vbe_write(s, s->vbe_index, val);
    }
}

static const struct mem_ops vbe_ops = {
    .read = vbe_io_read, .write = vbe_io_write,
    .valid_min = 1, .valid_max = 2, .impl_min = 2, .impl_max = 2,
};

/* The host bridge forwards accesses of up to 4 bytes as they come; the
 * VGA's data path is byte-wide, so wider ones are bytes, low first. */
static uint64_t low_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size && i < 8; i++) {
        v |= (uint64_t)vga_mem_read(opaque, (off + i) & 0x1ffff) << (8 * i);
    }
    return v;
}

static void low_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    for (unsigned i = 0; i < size && i < 8; i++) {
        vga_mem_write(opaque, (off + i) & 0x1ffff, val >> (8 * i));
    }
}

static const struct mem_ops low_ops = {
    .read = low_read, .write = low_write,
    .valid_min = 1, .valid_max = 8, .impl_min = 1, .impl_max = 1,
};

static const struct console_hw_ops vga_console_ops = {
    .refresh = vga_refresh,
    .invalidate = vga_invalidate,
};

void vga_reset(struct vga *s)
{
    s->misc = s->fcr = 0;
    s->sr_index = s->gr_index = s->cr_index = s->ar_index = 0;
    memset(s->sr, 0, sizeof(s->sr));
    memset(s->gr, 0, sizeof(s->gr));
    memset(s->cr, 0, sizeof(s->cr));
    memset(s->ar, 0, sizeof(s->ar));
    s->ar_flip = false;
    s->latch = 0;
    s->dac_read_index = s->dac_write_index = s->dac_sub = s->dac_state = 0;
    memset(s->palette, 0, sizeof(s->palette));
    s->pel_mask = 0xff;
    s->vbe_index = 0;
    memset(s->vbe_regs, 0, sizeof(s->vbe_regs));
    s->vbe_regs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID0;
    s->vbe_start_addr = s->vbe_line_offset = 0;
    s->full_update = true;
}

int vga_init(struct vga *s, uint32_t vram_size, struct addr_space *mem,
             struct addr_space *io, struct err **errp)
{
    if (vram_size < (256 << 10) || (vram_size & (vram_size - 1)) ||
        vram_size > (512u << 20)) {
        err_setf(errp, "vgamem_mb: must be a power of two between 1 and 512");
        return -1;
    }
    if (mem_region_init_ram(&s->vram_mr, "vga.vram", vram_size, errp) < 0) {
        return -1;
    }
    s->vram = s->vram_mr.ram;
    s->vram_size = vram_size;
    s->shadow = xzalloc(vram_size);
    mem_region_init_io(&s->lowmem_mr, "vga-lowmem", 0x20000, &low_ops, s);
    mem_region_init_io(&s->ioport_mr, "vga", 0x30, &io_ops, s);
    mem_region_init_io(&s->vbe_mr, "vbe", 3, &vbe_ops, s);
    if (mem) {
        as_map(mem, 0xa0000, &s->lowmem_mr, 0, 0x20000, 1);
    } else if (vga_legacy_slot && !*vga_legacy_slot) {
        *vga_legacy_slot = &s->lowmem_mr;
    }
    if (io) {
        as_map(io, 0x3b0, &s->ioport_mr, 0, 0x30, 0);
        as_map(io, 0x1ce, &s->vbe_mr, 0, 3, 0);
    }
    vga_reset(s);
    s->con = console_new("VGA", &vga_console_ops, s);
    return 0;
}

struct console *vga_console(struct vga *s)
{
    return s->con;
}
