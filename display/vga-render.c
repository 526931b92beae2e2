/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga-render.c - draws what the VGA would scan out into the console's
 * XRGB8888 surface: text modes with the glyphs that the BIOS loaded into
 * plane 2 (cursor and blink included), planar 16-colour, CGA 2-bit
 * interleaved and 256-colour graphics, and the Bochs VBE linear modes.
 * Only what changed is redrawn: each scan line's bytes of vram are
 * compared with a shadow of what was last drawn, so writes that bypass
 * the device (the CPU writing straight into the LFB) are seen too.
 * Reference: IBM VGA Technical Reference (CRTC addressing, attribute
 * controller, DAC).
 */
#include "emu/osdep.h"

#include "display/console.h"
#include "display/vga.h"
#include "emu/loop/loop.h"

enum { KIND_BLANK, KIND_TEXT, KIND_GFX, KIND_VBE };

/* Blink periods in ms: the cursor toggles every 16 frames, blinking
 * characters every 32, at about 60 frames a second. */
#define CURSOR_BLINK_MS 266
#define CHAR_BLINK_MS 533

int vga_mode_kind(struct vga *s)
{
    /* Palette address source clear: the attribute controller is being
     * programmed and the screen is blank, in VBE modes too (bochs-drm
     * blanks this way; QEMU shows nothing either). */
    if (!(s->ar_index & 0x20)) {
        return KIND_BLANK;
    }
    if (s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) {
        return KIND_VBE;
    }
    if (s->sr[1] & 0x20) {
        return KIND_BLANK;
    }
    return (s->gr[6] & 1) ? KIND_GFX : KIND_TEXT;
}

void vga_invalidate(void *opaque)
{
    struct vga *s = opaque;
    s->full_update = true;
}

static inline uint8_t c6to8(uint8_t v)
{
    v &= 0x3f;
    return (uint8_t)(v << 2 | v >> 4);
}

/* The DAC's 256 entries as XRGB; true if any changed. */
static bool update_palette(struct vga *s)
{
    bool dac8 = s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC;
    bool changed = false;
    for (int i = 0; i < 256; i++) {
        const uint8_t *p = &s->palette[(i & s->pel_mask) * 3];
        uint32_t rgb = dac8 ? (uint32_t)p[0] << 16 | p[1] << 8 | p[2]
                            : (uint32_t)c6to8(p[0]) << 16 | c6to8(p[1]) << 8 |
                              c6to8(p[2]);
        if (rgb != s->palette_cache[i]) {
            s->palette_cache[i] = rgb;
            changed = true;
        }
    }
    return changed;
}

/* A 4-bit pixel or text colour through the attribute palette. */
static inline uint32_t ar_color(struct vga *s, unsigned v)
{
    uint8_t c = s->ar[v & 0xf];
    if (s->ar[0x10] & 0x80) {
        c = (c & 0x0f) | ((s->ar[0x14] & 0x03) << 4);
    } else {
        c &= 0x3f;
    }
    c |= (s->ar[0x14] & 0x0c) << 4;
    return s->palette_cache[c];
}

/* Bytes [off, off+len) of vram differ from the shadow (the part past the
 * end of vram counts as unchanged). */
static bool range_changed(struct vga *s, uint64_t off, uint64_t len)
{
    if (off >= s->vram_size) {
        return false;
    }
    len = MIN(len, s->vram_size - off);
    return memcmp(s->vram + off, s->shadow + off, len) != 0;
}

static void range_sync(struct vga *s, uint64_t off, uint64_t len)
{
    if (off >= s->vram_size) {
        return;
    }
    len = MIN(len, s->vram_size - off);
    memcpy(s->shadow + off, s->vram + off, len);
}

static inline uint8_t vbyte(struct vga *s, uint64_t off)
{
    return off < s->vram_size ? s->vram[off] : 0;
}

/* Report consecutive changed lines as one rectangle each. */
static void flush_lines(struct vga *s, const bool *changed, int h, int w,
                        int scale)
{
    for (int y = 0; y < h;) {
        if (!changed[y]) {
            y++;
            continue;
        }
        int y0 = y;
        while (y < h && changed[y]) {
            y++;
        }
        console_dirty(s->con, 0, y0 * scale, w, (y - y0) * scale);
    }
}

/* ---------------------------------------------------------------------------
 * Text
 */

struct text_geom {
    int cols, rows, cw, ch;
    bool dclk;          /* half dot clock: pixels twice as wide */
    uint32_t start, offset;
};

static bool text_geometry(struct vga *s, struct text_geom *g)
{
    g->cw = (s->sr[1] & 1) ? 8 : 9;
    g->dclk = s->sr[1] & 0x08;
    g->ch = (s->cr[9] & 0x1f) + 1;
    g->cols = s->cr[1] + 1;
    int vde = s->cr[0x12] | ((s->cr[7] & 0x02) << 7) | ((s->cr[7] & 0x40) << 3);
    int lines = vde + 1;
    if (s->cr[9] & 0x80) {
        lines /= 2;
    }
    g->rows = lines / g->ch;
    g->start = (uint32_t)s->cr[0x0c] << 8 | s->cr[0x0d];
    g->offset = (uint32_t)s->cr[0x13] * 2;
    int w = g->cols * g->cw * (g->dclk ? 2 : 1);
    return g->rows > 0 && w <= VGA_MAX_WIDTH && g->rows * g->ch <= VGA_MAX_HEIGHT;
}

static uint32_t font_base(unsigned map)
{
    static const uint32_t base[8] = { 0x0000, 0x4000, 0x8000, 0xc000,
                                      0x2000, 0x6000, 0xa000, 0xe000 };
    return base[map & 7];
}

static void draw_text(struct vga *s, bool full)
{
    struct text_geom g;
    text_geometry(s, &g);
    struct surface *sf = console_surface(s->con);
    int xs = g.dclk ? 2 : 1;
    unsigned sr3 = s->sr[3];
    uint32_t font_a = font_base(((sr3 >> 2) & 3) | ((sr3 >> 3) & 4));
    uint32_t font_b = font_base((sr3 & 3) | ((sr3 >> 2) & 4));
    /* New glyphs redraw everything. */
    for (int i = 0; i < 2; i++) {
        uint32_t fb = i ? font_b : font_a;
        if (range_changed(s, (uint64_t)fb * 4, 8192 * 4)) {
            full = true;
        }
    }
    if (full) {
        range_sync(s, (uint64_t)font_a * 4, 8192 * 4);
        range_sync(s, (uint64_t)font_b * 4, 8192 * 4);
    }

    int64_t now_ms = clock_ns(CLOCK_RT) / 1000000;
    bool cursor_on = (now_ms / CURSOR_BLINK_MS) & 1;
    bool blink_on = (now_ms / CHAR_BLINK_MS) & 1;
    bool blink_en = s->ar[0x10] & 0x08;
    uint32_t cpos = (uint32_t)s->cr[0x0e] << 8 | s->cr[0x0f];
    int cstart = s->cr[0x0a] & 0x1f, cend = s->cr[0x0b] & 0x1f;
    bool cursor_vis = !(s->cr[0x0a] & 0x20) && cstart <= cend;
    bool blink_changed = blink_en && blink_on != s->last_blink_on;

    bool changed[VGA_MAX_HEIGHT];
    for (int r = 0; r < g.rows; r++) {
        uint64_t off = ((uint64_t)g.start + (uint64_t)r * g.offset) * 4;
        changed[r] = full || blink_changed ||
                     range_changed(s, off, (uint64_t)g.cols * 4);
        uint32_t rs = g.start + r * g.offset;
        bool has_cursor = cpos >= rs && cpos < rs + g.cols;
        bool had_cursor = s->last_cursor >= rs && s->last_cursor < rs + g.cols;
        if ((has_cursor || had_cursor) &&
            (cursor_on != s->last_cursor_on || cpos != s->last_cursor)) {
            changed[r] = true;
        }
    }
    for (int r = 0; r < g.rows; r++) {
        if (!changed[r]) {
            continue;
        }
        uint32_t rs = g.start + r * g.offset;
        for (int c = 0; c < g.cols; c++) {
            uint64_t cell = (uint64_t)(rs + c) * 4;
            uint8_t chr = vbyte(s, cell), at = vbyte(s, cell + 1);
            unsigned bgi = at >> 4;
            if (blink_en) {
                bgi &= 7;
            }
            uint32_t fg = ar_color(s, at & 0xf), bg = ar_color(s, bgi);
            bool hide = blink_en && (at & 0x80) && !blink_on;
            uint32_t fb = (at & 0x08) ? font_a : font_b;
            bool cur_here = cursor_vis && cursor_on && rs + c == cpos;
            for (int line = 0; line < g.ch; line++) {
                uint8_t bits = hide ? 0 : vbyte(s, ((uint64_t)fb + chr * 32 + line) * 4 + 2);
                if (cur_here && line >= cstart && line <= cend) {
                    bits = 0xff;
                }
                bool ninth = g.cw == 9 && (s->ar[0x10] & 0x04) &&
                             chr >= 0xc0 && chr <= 0xdf && (bits & 1);
                if (cur_here && line >= cstart && line <= cend) {
                    ninth = true;
                }
                uint32_t *d = (uint32_t *)((uint8_t *)sf->data +
                                           (size_t)(r * g.ch + line) * sf->stride) +
                              c * g.cw * xs;
                for (int x = 0; x < g.cw; x++) {
                    bool on = x < 8 ? (bits >> (7 - x)) & 1 : ninth;
                    for (int k = 0; k < xs; k++) {
                        *d++ = on ? fg : bg;
                    }
                }
            }
        }
        range_sync(s, ((uint64_t)rs) * 4, (uint64_t)g.cols * 4);
    }
    s->last_cursor = cpos;
    s->last_cursor_on = cursor_on;
    s->last_blink_on = blink_on;
    flush_lines(s, changed, g.rows, sf->width, g.ch);
}

/* ---------------------------------------------------------------------------
 * VGA graphics
 */

struct gfx_geom {
    int width, height;
    int shift;          /* GR5 shift control: 0 planar, 1 CGA, 2+ 256 */
    int lpr;            /* scan lines per character row */
    bool collapse;      /* no row-scan address substitution: one line per row */
    uint32_t start, offset;
};

static bool gfx_geometry(struct vga *s, struct gfx_geom *g)
{
    g->shift = (s->gr[5] >> 5) & 3;
    int cols = s->cr[1] + 1;
    g->width = g->shift >= 2 ? cols * 4 : cols * 8;
    int vde = s->cr[0x12] | ((s->cr[7] & 0x02) << 7) | ((s->cr[7] & 0x40) << 3);
    int scan = vde + 1;
    if (s->cr[9] & 0x80) {
        scan /= 2;
    }
    g->lpr = (s->cr[9] & 0x1f) + 1;
    g->collapse = (s->cr[0x17] & 3) == 3;
    g->height = g->collapse ? scan / g->lpr : scan;
    g->start = (uint32_t)s->cr[0x0c] << 8 | s->cr[0x0d];
    g->offset = (uint32_t)s->cr[0x13] * 2;
    return g->width > 0 && g->height > 0 && g->width <= VGA_MAX_WIDTH &&
           g->height <= VGA_MAX_HEIGHT;
}

/* Plane offset of surface line y. */
static uint32_t gfx_line_addr(struct vga *s, const struct gfx_geom *g, int y)
{
    if (g->collapse) {
        return g->start + (uint32_t)y * g->offset;
    }
    int row = y / g->lpr, rs = y % g->lpr;
    uint32_t a = g->start + (uint32_t)row * g->offset;
    /* CRTC mode control bits 0/1 clear: row scan bits 0/1 replace
     * address bits 13/14 (the CGA/Hercules interleave). */
    if (!(s->cr[0x17] & 1)) {
        a = (a & ~(1u << 13)) | ((rs & 1) << 13);
    }
    if (!(s->cr[0x17] & 2)) {
        a = (a & ~(1u << 14)) | (((rs >> 1) & 1) << 14);
    }
    return a;
}

static void draw_gfx_line(struct vga *s, const struct gfx_geom *g, uint32_t a,
                          uint32_t *d)
{
    unsigned pmask = s->ar[0x12] & 0xf;
    int units = g->shift >= 2 ? g->width / 4 : g->width / 8;
    for (int u = 0; u < units; u++) {
        uint64_t o = ((uint64_t)a + u) * 4;
        uint8_t p0 = vbyte(s, o), p1 = vbyte(s, o + 1), p2 = vbyte(s, o + 2),
                p3 = vbyte(s, o + 3);
        if (g->shift >= 2) {
            *d++ = s->palette_cache[p0];
            *d++ = s->palette_cache[p1];
            *d++ = s->palette_cache[p2];
            *d++ = s->palette_cache[p3];
        } else if (g->shift == 1) {
            for (int k = 0; k < 8; k++) {
                uint8_t lo = k < 4 ? p0 : p1, hi = k < 4 ? p2 : p3;
                int sh = 6 - 2 * (k & 3);
                unsigned v = ((lo >> sh) & 3) | (((hi >> sh) & 3) << 2);
                *d++ = ar_color(s, v & pmask);
            }
        } else {
            for (int k = 7; k >= 0; k--) {
                unsigned v = ((p0 >> k) & 1) | ((p1 >> k) & 1) << 1 |
                             ((p2 >> k) & 1) << 2 | ((p3 >> k) & 1) << 3;
                *d++ = ar_color(s, v & pmask);
            }
        }
    }
}

static void draw_gfx(struct vga *s, bool full)
{
    struct gfx_geom g;
    gfx_geometry(s, &g);
    struct surface *sf = console_surface(s->con);
    int units = g.shift >= 2 ? g.width / 4 : g.width / 8;
    bool changed[VGA_MAX_HEIGHT];
    for (int y = 0; y < g.height; y++) {
        uint32_t a = gfx_line_addr(s, &g, y);
        changed[y] = full || range_changed(s, (uint64_t)a * 4, (uint64_t)units * 4);
    }
    for (int y = 0; y < g.height; y++) {
        if (changed[y]) {
            uint32_t a = gfx_line_addr(s, &g, y);
            draw_gfx_line(s, &g, a,
                          (uint32_t *)((uint8_t *)sf->data + (size_t)y * sf->stride));
        }
    }
    for (int y = 0; y < g.height; y++) {
        if (changed[y]) {
            range_sync(s, (uint64_t)gfx_line_addr(s, &g, y) * 4, (uint64_t)units * 4);
        }
    }
    flush_lines(s, changed, g.height, sf->width, 1);
}

/* ---------------------------------------------------------------------------
 * Bochs VBE
 */

static void draw_vbe_line(struct vga *s, unsigned bpp, uint64_t o, int w,
                          uint32_t *d)
{
    switch (bpp) {
    case 4: {
        /* Planar, vram offset in interleaved bytes. */
        for (int x = 0; x < w; x += 8) {
            uint64_t u = o + (uint64_t)(x / 8) * 4;
            uint8_t p0 = vbyte(s, u), p1 = vbyte(s, u + 1), p2 = vbyte(s, u + 2),
                    p3 = vbyte(s, u + 3);
            for (int k = 7; k >= 0; k--) {
                unsigned v = ((p0 >> k) & 1) | ((p1 >> k) & 1) << 1 |
                             ((p2 >> k) & 1) << 2 | ((p3 >> k) & 1) << 3;
                *d++ = ar_color(s, v);
            }
        }
        break;
    }
    case 8:
        for (int x = 0; x < w; x++) {
            *d++ = s->palette_cache[vbyte(s, o + x)];
        }
        break;
    case 15:
    case 16:
        for (int x = 0; x < w; x++) {
            unsigned v = vbyte(s, o + 2 * x) | vbyte(s, o + 2 * x + 1) << 8;
            unsigned r, gg, b;
            if (bpp == 15) {
                r = (v >> 10) & 0x1f;
                gg = ((v >> 5) & 0x1f) << 1 | ((v >> 9) & 1);
                b = v & 0x1f;
            } else {
                r = (v >> 11) & 0x1f;
                gg = (v >> 5) & 0x3f;
                b = v & 0x1f;
            }
            *d++ = (uint32_t)(r << 3 | r >> 2) << 16 | (gg << 2 | gg >> 4) << 8 |
                   (b << 3 | b >> 2);
        }
        break;
    case 24:
        for (int x = 0; x < w; x++) {
            uint64_t p = o + 3 * (uint64_t)x;
            *d++ = (uint32_t)vbyte(s, p + 2) << 16 | vbyte(s, p + 1) << 8 |
                   vbyte(s, p);
        }
        break;
    default:
        if (o + (uint64_t)w * 4 <= s->vram_size) {
            const uint8_t *src = s->vram + o;
            for (int x = 0; x < w; x++, src += 4) {
                *d++ = (uint32_t)src[2] << 16 | src[1] << 8 | src[0];
            }
        } else {
            for (int x = 0; x < w; x++) {
                uint64_t p = o + 4 * (uint64_t)x;
                *d++ = (uint32_t)vbyte(s, p + 2) << 16 | vbyte(s, p + 1) << 8 |
                       vbyte(s, p);
            }
        }
        break;
    }
}

static int vbe_line_bytes(unsigned bpp, int w)
{
    return bpp == 4 ? w / 2 : bpp == 15 ? w * 2 : w * ((bpp + 7) / 8);
}

static void draw_vbe(struct vga *s, bool full)
{
    struct surface *sf = console_surface(s->con);
    unsigned bpp = s->vbe_regs[VBE_DISPI_INDEX_BPP];
    int w = sf->width, h = sf->height;
    uint64_t len = vbe_line_bytes(bpp, w);
    bool changed[VGA_MAX_HEIGHT];
    for (int y = 0; y < h; y++) {
        uint64_t o = s->vbe_start_addr + (uint64_t)y * s->vbe_line_offset;
        changed[y] = full || range_changed(s, o, len);
        if (changed[y]) {
            draw_vbe_line(s, bpp, o, w,
                          (uint32_t *)((uint8_t *)sf->data + (size_t)y * sf->stride));
        }
    }
    for (int y = 0; y < h; y++) {
        if (changed[y]) {
            range_sync(s, s->vbe_start_addr + (uint64_t)y * s->vbe_line_offset, len);
        }
    }
    flush_lines(s, changed, h, w, 1);
}

/* ---------------------------------------------------------------------------
 * Refresh
 */

void vga_refresh(void *opaque)
{
    struct vga *s = opaque;
    int kind = vga_mode_kind(s);
    int w = 0, h = 0;
    struct text_geom tg;
    struct gfx_geom gg;

    switch (kind) {
    case KIND_TEXT:
        if (!text_geometry(s, &tg)) {
            kind = KIND_BLANK;
            break;
        }
        w = tg.cols * tg.cw * (tg.dclk ? 2 : 1);
        h = tg.rows * tg.ch;
        break;
    case KIND_GFX:
        if (!gfx_geometry(s, &gg)) {
            kind = KIND_BLANK;
            break;
        }
        w = gg.width;
        h = gg.height;
        break;
    case KIND_VBE:
        w = s->vbe_regs[VBE_DISPI_INDEX_XRES];
        h = s->vbe_regs[VBE_DISPI_INDEX_YRES];
        if (w > VGA_MAX_WIDTH || h > VGA_MAX_HEIGHT || w <= 0 || h <= 0) {
            kind = KIND_BLANK;
        }
        break;
    }
    if (kind == KIND_BLANK) {
        /* Keep the size; show black. */
        struct surface *sf = console_surface(s->con);
        w = sf->width;
        h = sf->height;
    }
    bool full = s->full_update;
    s->full_update = false;
    if (update_palette(s)) {
        full = true;
    }
    if (kind != s->last_kind || w != s->last_w || h != s->last_h) {
        console_resize(s->con, w, h);
        s->last_kind = kind;
        s->last_w = w;
        s->last_h = h;
        full = true;
    }
    switch (kind) {
    case KIND_TEXT:
        draw_text(s, full);
        break;
    case KIND_GFX:
        draw_gfx(s, full);
        break;
    case KIND_VBE:
        draw_vbe(s, full);
        break;
    default:
        if (full) {
            struct surface *sf = console_surface(s->con);
            memset(sf->data, 0, (size_t)sf->stride * sf->height);
            console_dirty(s->con, 0, 0, sf->width, sf->height);
        }
        break;
    }
}
