/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vga_text_test.c - the VGA core driven only through its ports and the
 * 0xa0000 window: a text mode set up register by register (80x25, 9x16
 * cells) with a font fixture loaded into plane 2 the way a VGA BIOS does,
 * rendered into the console surface and compared with a golden checksum
 * and with pixels computed independently from the fixture; the cursor;
 * mode 13h through chain-4; planar mode 12h write mode 2; Bochs VBE
 * 1024x768x32 through the banked window; partial redraw of what changed;
 * hostile register values clamp instead of overrunning. */
#include "emu/osdep.h"

#include "display/console.h"
#include "display/vga.h"
#include "emu/loop/loop.h"
#include "tests/unit/test.h"

/* FNV-1a of the 720x400 XRGB picture of text_mode(), recorded from this
 * renderer: it guards the whole picture, and the per-cell check above
 * verifies the same picture independently. */
#define GOLDEN_TEXT 0x64ad09a9u

static struct vga vga;
static struct vga *s = &vga;

static void out8(uint16_t port, uint8_t v)
{
    vga_ioport_write(s, port, v);
}

static void seq(uint8_t i, uint8_t v)
{
    out8(0x3c4, i);
    out8(0x3c5, v);
}

static void gr(uint8_t i, uint8_t v)
{
    out8(0x3ce, i);
    out8(0x3cf, v);
}

static void crtc(uint8_t i, uint8_t v)
{
    out8(0x3d4, i);
    out8(0x3d5, v);
}

static void attr(uint8_t i, uint8_t v)
{
    vga_ioport_read(s, 0x3da);      /* reset the flip-flop */
    out8(0x3c0, i);
    out8(0x3c0, v);
}

/* The fixture font: glyph c, line l is a pattern no real font has, so a
 * renderer that ignored plane 2 could not match it. */
static uint8_t glyph(unsigned c, unsigned l)
{
    return (uint8_t)((c * 37) ^ (l * 11) ^ (c >> 3));
}

static void setup(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    loop_init();
    EXPECT_EQ(vga_init(s, 16 << 20, NULL, NULL, NULL), 0);
}

/* Standard VGA palette entries 0-15 in the DAC (6-bit), identity AR. */
static void load_palette(void)
{
    static const uint8_t ega[16][3] = {
        { 0, 0, 0 }, { 0, 0, 42 }, { 0, 42, 0 }, { 0, 42, 42 },
        { 42, 0, 0 }, { 42, 0, 42 }, { 42, 21, 0 }, { 42, 42, 42 },
        { 21, 21, 21 }, { 21, 21, 63 }, { 21, 63, 21 }, { 21, 63, 63 },
        { 63, 21, 21 }, { 63, 21, 63 }, { 63, 63, 21 }, { 63, 63, 63 },
    };
    out8(0x3c8, 0);
    for (int i = 0; i < 16; i++) {
        out8(0x3c9, ega[i][0]);
        out8(0x3c9, ega[i][1]);
        out8(0x3c9, ega[i][2]);
    }
    for (int i = 0; i < 16; i++) {
        attr(i, i);
    }
}

static uint32_t rgb6(uint8_t r, uint8_t g, uint8_t b)
{
    return (uint32_t)(r << 2 | r >> 4) << 16 | (g << 2 | g >> 4) << 8 |
           (b << 2 | b >> 4);
}

static void text_mode(void)
{
    vga_reset(s);
    out8(0x3c2, 0x67);          /* colour addresses */
    seq(1, 0x00);               /* 9-dot cells */
    seq(3, 0x00);               /* font map 0 */
    crtc(0x11, 0x00);           /* unprotect */
    crtc(0x01, 79);             /* 80 columns */
    crtc(0x07, 0x1f);           /* VDE bit 8 */
    crtc(0x09, 0x4f);           /* 16 scan lines a row */
    crtc(0x12, 0x8f);           /* VDE = 399 */
    crtc(0x13, 40);
    crtc(0x17, 0xa3);
    crtc(0x0a, 0x20);           /* cursor off for the golden picture */
    attr(0x10, 0x0c);           /* line graphics, blink */
    attr(0x12, 0x0f);
    load_palette();
    vga_ioport_read(s, 0x3da);
    out8(0x3c0, 0x20);          /* palette address source: display on */

    /* Font into plane 2, as a BIOS does: planar, map mask 4. */
    seq(2, 0x04);
    seq(4, 0x06);
    gr(4, 0x02);
    gr(5, 0x00);
    gr(6, 0x04);                /* 64K at a0000 */
    gr(8, 0xff);                /* all bits from the CPU */
    for (unsigned c = 0; c < 256; c++) {
        for (unsigned l = 0; l < 32; l++) {
            vga_mem_write(s, c * 32 + l, l < 16 ? glyph(c, l) : 0);
        }
    }
    /* Back to text: odd/even, planes 0/1, b8000. */
    seq(2, 0x03);
    seq(4, 0x02);
    gr(4, 0x00);
    gr(5, 0x10);
    gr(6, 0x0e);
    const char *msg = "hemu VGA text: glyphs from plane 2";
    for (int i = 0; i < 80 * 25; i++) {
        uint8_t ch = i < (int)strlen(msg) ? msg[i] : (uint8_t)(i * 7);
        uint8_t at = (uint8_t)(0x07 + (i % 7) * 0x10) & 0x7f;
        vga_mem_write(s, 0x18000 + 2 * i, ch);
        vga_mem_write(s, 0x18000 + 2 * i + 1, at);
    }
}

static uint32_t fnv(const struct surface *sf)
{
    uint32_t h = 2166136261u;
    for (int y = 0; y < sf->height; y++) {
        const uint32_t *p = (const uint32_t *)((const uint8_t *)sf->data +
                                               (size_t)y * sf->stride);
        for (int x = 0; x < sf->width; x++) {
            for (int k = 0; k < 4; k++) {
                h = (h ^ ((p[x] >> (8 * k)) & 0xff)) * 16777619u;
            }
        }
    }
    return h;
}

static uint32_t px(int x, int y)
{
    struct surface *sf = console_surface(vga_console(s));
    return ((uint32_t *)((uint8_t *)sf->data + (size_t)y * sf->stride))[x];
}

TEST(text_mode_matches_fixture_and_golden)
{
    setup();
    text_mode();
    struct console *con = vga_console(s);
    console_refresh(con);
    struct surface *sf = console_surface(con);
    EXPECT_EQ(sf->width, 720);
    EXPECT_EQ(sf->height, 400);
    EXPECT_EQ(vga_mode_kind(s), 1);
    /* Every pixel against the fixture, computed here. */
    int bad = 0;
    for (int i = 0; i < 80 * 25 && bad < 5; i++) {
        uint8_t ch = vga_mem_read(s, 0x18000 + 2 * i);
        uint8_t at = vga_mem_read(s, 0x18000 + 2 * i + 1);
        static const uint8_t ega[16][3] = {
            { 0, 0, 0 }, { 0, 0, 42 }, { 0, 42, 0 }, { 0, 42, 42 },
            { 42, 0, 0 }, { 42, 0, 42 }, { 42, 21, 0 }, { 42, 42, 42 },
            { 21, 21, 21 }, { 21, 21, 63 }, { 21, 63, 21 }, { 21, 63, 63 },
            { 63, 21, 21 }, { 63, 21, 63 }, { 63, 63, 21 }, { 63, 63, 63 },
        };
        uint32_t fg = rgb6(ega[at & 15][0], ega[at & 15][1], ega[at & 15][2]);
        unsigned b = (at >> 4) & 7;
        uint32_t bg = rgb6(ega[b][0], ega[b][1], ega[b][2]);
        for (int l = 0; l < 16; l++) {
            uint8_t bits = glyph(ch, l);
            for (int x = 0; x < 9; x++) {
                bool on = x < 8 ? (bits >> (7 - x)) & 1
                                : (ch >= 0xc0 && ch <= 0xdf && (bits & 1));
                uint32_t want = on ? fg : bg;
                if (px((i % 80) * 9 + x, (i / 80) * 16 + l) != want) {
                    if (!bad) {
                        printf("# cell %d ch %02x at %02x line %d x %d: %06x want %06x\n",
                               i, ch, at, l, x, px((i % 80) * 9 + x, (i / 80) * 16 + l), want);
                    }
                    bad++;
                }
            }
        }
    }
    EXPECT_EQ(bad, 0);
    /* The golden checksum of the whole picture (fixture font, palette,
     * attributes above): guards everything the per-cell check shares. */
    EXPECT_EQ(fnv(sf), 0u + GOLDEN_TEXT);
}

TEST(only_changed_rows_are_redrawn)
{
    setup();
    text_mode();
    /* No character blink: its phase follows the wall clock, and a flip
     * between the two refreshes would redraw every row. */
    attr(0x10, 0x04);
    vga_ioport_read(s, 0x3da);
    out8(0x3c0, 0x20);          /* display on again */
    struct console *con = vga_console(s);
    console_refresh(con);
    console_refresh(con);
    EXPECT_EQ(console_last_dirty(con), 0);
    vga_mem_write(s, 0x18000 + 2 * (80 * 10 + 5), 'X');
    console_refresh(con);
    EXPECT_EQ(console_last_dirty(con), 1);
}

TEST(cursor_is_drawn)
{
    setup();
    text_mode();
    crtc(0x0a, 14);
    crtc(0x0b, 15);
    crtc(0x0e, 0);
    crtc(0x0f, 0);
    /* Blank cell 0 so that only the cursor can light it. */
    vga_mem_write(s, 0x18000, ' ');
    vga_mem_write(s, 0x18001, 0x07);
    struct console *con = vga_console(s);
    bool seen_on = false, seen_off = false;
    for (int i = 0; i < 80 && !(seen_on && seen_off); i++) {
        console_refresh(con);
        uint32_t c = px(0, 15);
        uint32_t blank = px(0, 5);
        if (c != blank) {
            seen_on = true;
        } else {
            seen_off = true;
        }
        usleep(10000);
    }
    EXPECT(seen_on);
    EXPECT(seen_off);
}

TEST(mode13h_chain4)
{
    setup();
    vga_reset(s);
    out8(0x3c2, 0x63);
    seq(1, 0x01);
    seq(2, 0x0f);
    seq(4, 0x0e);               /* chain 4 */
    gr(5, 0x40);                /* 256 colours */
    gr(6, 0x05);
    crtc(0x11, 0);
    crtc(0x01, 79);
    crtc(0x07, 0x1f);
    crtc(0x09, 0x41);
    crtc(0x12, 0x8f);
    crtc(0x13, 40);
    crtc(0x14, 0x40);
    crtc(0x17, 0xa3);
    attr(0x10, 0x41);
    vga_ioport_read(s, 0x3da);
    out8(0x3c0, 0x20);
    out8(0x3c8, 5);
    out8(0x3c9, 63);
    out8(0x3c9, 0);
    out8(0x3c9, 0);
    vga_mem_write(s, 320 * 100 + 160, 5);
    console_refresh(vga_console(s));
    struct surface *sf = console_surface(vga_console(s));
    EXPECT_EQ(sf->width, 320);
    EXPECT_EQ(sf->height, 200);
    EXPECT_EQ(px(160, 100), 0xff0000);
    EXPECT_EQ(px(161, 100), 0);
}

TEST(mode12h_planar_write_mode2)
{
    setup();
    vga_reset(s);
    memset(s->vram, 0, 1 << 20);
    out8(0x3c2, 0xe3);
    seq(1, 0x01);
    seq(2, 0x0f);
    seq(4, 0x06);
    gr(5, 0x02);                /* write mode 2 */
    gr(6, 0x05);
    gr(8, 0x80);                /* leftmost pixel only */
    crtc(0x11, 0);
    crtc(0x01, 79);
    crtc(0x07, 0x3e);
    crtc(0x09, 0x40);
    crtc(0x12, 0xdf);           /* VDE 479 */
    crtc(0x13, 40);
    crtc(0x17, 0xe3);
    attr(0x10, 0x01);
    attr(0x12, 0x0f);
    load_palette();
    vga_ioport_read(s, 0x3da);
    out8(0x3c0, 0x20);
    vga_mem_read(s, 80 * 10 + 2);    /* load the latches */
    vga_mem_write(s, 80 * 10 + 2, 12);
    console_refresh(vga_console(s));
    struct surface *sf = console_surface(vga_console(s));
    EXPECT_EQ(sf->width, 640);
    EXPECT_EQ(sf->height, 480);
    EXPECT_EQ(px(16, 10), rgb6(63, 21, 21));
    EXPECT_EQ(px(17, 10), 0);
    /* read mode 1: colour compare finds the pixel */
    gr(5, 0x08);
    gr(2, 12);
    gr(7, 0x0f);
    EXPECT_EQ(vga_mem_read(s, 80 * 10 + 2), 0x80);
}

TEST(vbe_1024x768x32_banked)
{
    setup();
    vga_reset(s);
    EXPECT_EQ(vbe_read(s, VBE_DISPI_INDEX_ID), VBE_DISPI_ID0);
    vbe_write(s, VBE_DISPI_INDEX_ID, VBE_DISPI_ID5);
    EXPECT_EQ(vbe_read(s, VBE_DISPI_INDEX_ID), VBE_DISPI_ID5);
    EXPECT_EQ(vbe_read(s, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), 256);
    vbe_write(s, VBE_DISPI_INDEX_XRES, 1024);
    vbe_write(s, VBE_DISPI_INDEX_YRES, 768);
    vbe_write(s, VBE_DISPI_INDEX_BPP, 32);
    vbe_write(s, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    /* Palette address source clear blanks VBE modes too (as in QEMU). */
    console_refresh(vga_console(s));
    EXPECT(console_surface(vga_console(s))->width != 1024);
    vga_ioport_read(s, 0x3da);
    out8(0x3c0, 0x20);
    /* pixel (10, 100) = byte 4 * (100 * 1024 + 10): bank 6 */
    uint32_t off = 4 * (100 * 1024 + 10);
    vbe_write(s, VBE_DISPI_INDEX_BANK, off >> 16);
    vga_mem_write(s, (off & 0xffff) + 0, 0x33);
    vga_mem_write(s, (off & 0xffff) + 1, 0x22);
    vga_mem_write(s, (off & 0xffff) + 2, 0x11);
    /* and one straight into vram, as the CPU writes the LFB BAR */
    s->vram[4 * (767 * 1024 + 1023) + 1] = 0xff;
    console_refresh(vga_console(s));
    struct surface *sf = console_surface(vga_console(s));
    EXPECT_EQ(sf->width, 1024);
    EXPECT_EQ(sf->height, 768);
    EXPECT_EQ(px(10, 100), 0x112233);
    EXPECT_EQ(px(1023, 767), 0x00ff00);
    /* panning moves the picture */
    vbe_write(s, VBE_DISPI_INDEX_Y_OFFSET, 100);
    console_refresh(vga_console(s));
    EXPECT_EQ(px(10, 0), 0x112233);
    vbe_write(s, VBE_DISPI_INDEX_ENABLE, 0);
}

TEST(hostile_values_stay_in_bounds)
{
    setup();
    vga_reset(s);
    vbe_write(s, VBE_DISPI_INDEX_XRES, 0xffff);
    vbe_write(s, VBE_DISPI_INDEX_YRES, 0xffff);
    vbe_write(s, VBE_DISPI_INDEX_BPP, 32);
    vbe_write(s, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_NOCLEARMEM);
    vbe_write(s, VBE_DISPI_INDEX_Y_OFFSET, 0xffff);
    vbe_write(s, VBE_DISPI_INDEX_X_OFFSET, 0xffff);
    console_refresh(vga_console(s));    /* too big: blank, no overrun */
    vbe_write(s, VBE_DISPI_INDEX_XRES, 800);
    vbe_write(s, VBE_DISPI_INDEX_YRES, 600);
    vbe_write(s, VBE_DISPI_INDEX_BPP, 77);
    console_refresh(vga_console(s));
    EXPECT_EQ(vbe_read(s, VBE_DISPI_INDEX_BPP), 8);
    vbe_write(s, VBE_DISPI_INDEX_ENABLE, 0);
    /* CRTC at its maximum: clamped by the renderer */
    out8(0x3c2, 0x67);
    crtc(0x11, 0);
    for (int i = 0; i < 0x19; i++) {
        crtc(i, 0xff);
    }
    gr(6, 0x01);
    vga_ioport_read(s, 0x3da);
    out8(0x3c0, 0x20);
    console_refresh(vga_console(s));
    gr(6, 0x00);
    console_refresh(vga_console(s));
    for (uint32_t a = 0; a < 0x20000; a += 0x1001) {
        vga_mem_write(s, a, 0xaa);
        vga_mem_read(s, a);
    }
    EXPECT(1);
}

TEST(keycodes_to_set2)
{
    uint8_t b[8];
    EXPECT_EQ(console_keycode_to_set2(0x1e, true, b), 1);   /* a */
    EXPECT_EQ(b[0], 0x1c);
    EXPECT_EQ(console_keycode_to_set2(0x1e, false, b), 2);
    EXPECT_EQ(b[0], 0xf0);
    EXPECT_EQ(b[1], 0x1c);
    EXPECT_EQ(console_keycode_to_set2(0x9d, true, b), 2);   /* right ctrl */
    EXPECT_EQ(b[0], 0xe0);
    EXPECT_EQ(b[1], 0x14);
    EXPECT_EQ(console_keycode_to_set2(0x41, true, b), 1);   /* F7 */
    EXPECT_EQ(b[0], 0x83);
    EXPECT_EQ(console_keycode_to_set2(0x1000, true, b), 0);
}

TEST_MAIN()
