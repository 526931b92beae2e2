/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga.h - the VGA core (IBM VGA Technical Reference: sequencer, CRT
 * controller, graphics controller, attribute controller, DAC, general
 * registers) with the Bochs VBE "DISPI" interface (ports 0x1ce/0x1cf, as
 * the Bochs/QEMU VGA BIOS and Linux's bochs-drm program it).  The four
 * planes live interleaved in vram: byte 4*n+p is plane p at offset n, so
 * chain-4 and VBE linear modes see vram as one flat framebuffer.
 */
#ifndef HEMU_DISPLAY_VGA_H
#define HEMU_DISPLAY_VGA_H

#include "emu/osdep.h"
#include "emu/mem/mem.h"

struct console;

/* Bochs DISPI registers. */
enum {
    VBE_DISPI_INDEX_ID,
    VBE_DISPI_INDEX_XRES,
    VBE_DISPI_INDEX_YRES,
    VBE_DISPI_INDEX_BPP,
    VBE_DISPI_INDEX_ENABLE,
    VBE_DISPI_INDEX_BANK,
    VBE_DISPI_INDEX_VIRT_WIDTH,
    VBE_DISPI_INDEX_VIRT_HEIGHT,
    VBE_DISPI_INDEX_X_OFFSET,
    VBE_DISPI_INDEX_Y_OFFSET,
    VBE_DISPI_INDEX_VIDEO_MEMORY_64K,
    VBE_DISPI_INDEX_NB,
};

#define VBE_DISPI_ID0 0xb0c0
#define VBE_DISPI_ID5 0xb0c5
#define VBE_DISPI_ENABLED 0x01
#define VBE_DISPI_GETCAPS 0x02
#define VBE_DISPI_8BIT_DAC 0x20
#define VBE_DISPI_LFB_ENABLED 0x40
#define VBE_DISPI_NOCLEARMEM 0x80
#define VBE_DISPI_MAX_XRES 16000
#define VBE_DISPI_MAX_YRES 12000
#define VBE_DISPI_MAX_BPP 32

/* Largest surface hemu will draw (limits what a guest can make it allocate). */
#define VGA_MAX_WIDTH 4096
#define VGA_MAX_HEIGHT 4096

struct vga {
    uint8_t *vram;
    uint32_t vram_size;         /* power of two, >= 256 KiB */
    struct mem_region vram_mr;  /* RAM: the linear framebuffer BAR */
    struct mem_region lowmem_mr;    /* 0xa0000-0xbffff */
    struct mem_region ioport_mr;    /* 0x3b0-0x3df */
    struct mem_region vbe_mr;       /* 0x1ce-0x1d0 */

    /* general */
    uint8_t misc, fcr, st01;
    /* sequencer, graphics controller, CRTC, attribute controller */
    uint8_t sr_index, sr[8];
    uint8_t gr_index, gr[16];
    uint8_t cr_index, cr[256];
    uint8_t ar_index, ar[21];
    bool ar_flip;               /* next 0x3c0 write is data */
    uint32_t latch;
    /* DAC */
    uint8_t dac_read_index, dac_write_index, dac_sub, dac_state;
    uint8_t dac_cache[3];
    uint8_t palette[768];
    uint8_t pel_mask;
    /* Bochs VBE */
    uint16_t vbe_index;
    uint16_t vbe_regs[VBE_DISPI_INDEX_NB];
    uint32_t vbe_start_addr;    /* bytes */
    uint32_t vbe_line_offset;   /* bytes */

    /* rendering (vga-render.c) */
    struct console *con;
    uint8_t *shadow;            /* vram as last drawn */
    bool full_update;           /* registers changed: redraw all */
    int last_kind, last_w, last_h;
    uint32_t last_cursor;       /* cursor offset and shape drawn */
    bool last_cursor_on, last_blink_on;
    uint32_t palette_cache[256];
};

/* Where the machine's host bridge takes the device that decodes
 * 0xa0000-0xbffff (the first VGA to come claims it); NULL: none. */
extern struct mem_region **vga_legacy_slot;

/* Set up the core with vram_size bytes and map the legacy ports and the
 * 0xa0000 window (into mem, or else the legacy slot; io/mem NULL lets tests
 * drive the callbacks directly). */
int vga_init(struct vga *s, uint32_t vram_size, struct addr_space *mem,
             struct addr_space *io, struct err **errp);
void vga_reset(struct vga *s);
/* The console the core draws into; created by vga_init. */
struct console *vga_console(struct vga *s);

/* Port and memory entry points (also used by the unit tests). */
uint32_t vga_ioport_read(struct vga *s, uint16_t port);
void vga_ioport_write(struct vga *s, uint16_t port, uint32_t val);
uint32_t vga_mem_read(struct vga *s, uint32_t addr);     /* addr from 0xa0000 */
void vga_mem_write(struct vga *s, uint32_t addr, uint32_t val);
uint16_t vbe_read(struct vga *s, uint16_t index);
void vbe_write(struct vga *s, uint16_t index, uint16_t val);

/* vga-render.c */
void vga_refresh(void *opaque);
void vga_invalidate(void *opaque);
/* What the screen shows now: 0 blank, 1 text, 2 graphics, 3 VBE. */
int vga_mode_kind(struct vga *s);

#endif
