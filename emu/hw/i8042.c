/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i8042.c - the 8042 keyboard controller (IBM PC/AT Technical Reference,
 * "Keyboard Controller": status register, command byte, commands
 * 0x20-0xff, output port with the system reset and A20 lines; the scan
 * code set 2 to set 1 translation of the PS/2 keyboard interface).
 */
#include "emu/osdep.h"

#include "emu/hw/i8042.h"
#include "emu/hw/isa.h"
#include "emu/util/err.h"
#include "emu/vm/runstate.h"

#define ST_OBF 0x01
#define ST_SYS 0x04
#define ST_CMD 0x08
#define ST_UNLOCKED 0x10
#define ST_AUX_OBF 0x20

#define CB_KBD_INT 0x01
#define CB_AUX_INT 0x02
#define CB_SYS 0x04
#define CB_KBD_DISABLE 0x10
#define CB_AUX_DISABLE 0x20
#define CB_XLATE 0x40

#define OUT_RESET 0x01      /* active low: 0 resets the CPU */
#define OUT_A20 0x02

/* Set 2 make codes 0x00-0x7f to set 1, the translation the 8042 applies
 * when command byte bit 6 is set.  Codes without a key of the PC/AT
 * layout translate to themselves. */
static const uint8_t set2_to_set1[128] = {
    [0x01] = 0x43, [0x03] = 0x3f, [0x04] = 0x3d, [0x05] = 0x3b, [0x06] = 0x3c,
    [0x07] = 0x58, [0x09] = 0x44, [0x0a] = 0x42, [0x0b] = 0x40, [0x0c] = 0x3e,
    [0x0d] = 0x0f, [0x0e] = 0x29, [0x11] = 0x38, [0x12] = 0x2a, [0x13] = 0x70,
    [0x14] = 0x1d, [0x15] = 0x10, [0x16] = 0x02, [0x1a] = 0x2c, [0x1b] = 0x1f,
    [0x1c] = 0x1e, [0x1d] = 0x11, [0x1e] = 0x03, [0x1f] = 0x5b, [0x21] = 0x2e,
    [0x22] = 0x2d, [0x23] = 0x20, [0x24] = 0x12, [0x25] = 0x05, [0x26] = 0x04,
    [0x27] = 0x5c, [0x29] = 0x39, [0x2a] = 0x2f, [0x2b] = 0x21, [0x2c] = 0x14,
    [0x2d] = 0x13, [0x2e] = 0x06, [0x2f] = 0x5d, [0x31] = 0x31, [0x32] = 0x30,
    [0x33] = 0x23, [0x34] = 0x22, [0x35] = 0x15, [0x36] = 0x07, [0x37] = 0x5e,
    [0x3a] = 0x32, [0x3b] = 0x24, [0x3c] = 0x16, [0x3d] = 0x08, [0x3e] = 0x09,
    [0x3f] = 0x5f, [0x41] = 0x33, [0x42] = 0x25, [0x43] = 0x17, [0x44] = 0x18,
    [0x45] = 0x0b, [0x46] = 0x0a, [0x49] = 0x34, [0x4a] = 0x35, [0x4b] = 0x26,
    [0x4c] = 0x27, [0x4d] = 0x19, [0x4e] = 0x0c, [0x51] = 0x73, [0x52] = 0x28,
    [0x54] = 0x1a, [0x55] = 0x0d, [0x58] = 0x3a, [0x59] = 0x36, [0x5a] = 0x1c,
    [0x5b] = 0x1b, [0x5d] = 0x2b, [0x5e] = 0x63, [0x61] = 0x56, [0x64] = 0x79,
    [0x66] = 0x0e, [0x67] = 0x7b, [0x69] = 0x4f, [0x6a] = 0x7d, [0x6b] = 0x4b,
    [0x6c] = 0x47, [0x70] = 0x52, [0x71] = 0x53, [0x72] = 0x50, [0x73] = 0x4c,
    [0x74] = 0x4d, [0x75] = 0x48, [0x76] = 0x01, [0x77] = 0x45, [0x78] = 0x57,
    [0x79] = 0x4e, [0x7a] = 0x51, [0x7b] = 0x4a, [0x7c] = 0x37, [0x7d] = 0x49,
    [0x7e] = 0x46,
};

static uint8_t translate(uint8_t b)
{
    if (b == 0x83) {
        return 0x41;    /* F7, the one set 2 make code above 0x7f */
    }
    if (b >= 0x80) {
        return b;       /* prefixes (0xe0, 0xe1) and replies pass */
    }
    return set2_to_set1[b] ? set2_to_set1[b] : b;
}

static void update_irq(struct i8042 *c)
{
    bool obf = c->status & ST_OBF, aux = c->status & ST_AUX_OBF;
    irq_set(isa_irq(c->isa, 1), obf && !aux && (c->cmdbyte & CB_KBD_INT));
    irq_set(isa_irq(c->isa, 12), obf && aux && (c->cmdbyte & CB_AUX_INT));
}

/* Fill the output buffer if it is empty: controller replies first, then
 * the keyboard, then the mouse (each unless disabled). */
static void refill(struct i8042 *c)
{
    if (!(c->status & ST_OBF)) {
        int b = ps2_queue_get(&c->ctrl);
        if (b >= 0) {
            c->obuf = b;
            c->status = (c->status | ST_OBF) & ~ST_AUX_OBF;
        } else if (!(c->cmdbyte & CB_KBD_DISABLE) && !ps2_queue_empty(&c->kbd.q)) {
            while ((b = ps2_queue_get(&c->kbd.q)) >= 0) {
                if (!(c->cmdbyte & CB_XLATE)) {
                    break;
                }
                if (b == 0xf0) {
                    c->xlate_break = true;
                    continue;
                }
                b = translate(b) | (c->xlate_break ? 0x80 : 0);
                c->xlate_break = false;
                break;
            }
            if (b >= 0) {
                c->obuf = b;
                c->status = (c->status | ST_OBF) & ~ST_AUX_OBF;
            }
        } else if (!(c->cmdbyte & CB_AUX_DISABLE) && !ps2_queue_empty(&c->mouse.q)) {
            c->obuf = ps2_queue_get(&c->mouse.q);
            c->status |= ST_OBF | ST_AUX_OBF;
        }
    }
    update_irq(c);
}

static void set_outport(struct i8042 *c, uint8_t v)
{
    bool a20_changed = (v ^ c->outport) & OUT_A20;
    c->outport = v;
    if (a20_changed && c->a20_set) {
        c->a20_set(c->a20_opaque, v & OUT_A20);
    }
    if (!(v & OUT_RESET)) {
        vm_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8042 *c = opaque;
    uint8_t v = c->obuf;
    c->status &= ~(ST_OBF | ST_AUX_OBF);
    /* The line drops when the buffer is read and rises again with the
     * next byte: an edge-triggered PIC must see every byte (Linux's
     * atkbd waits for each reply byte of a command by interrupt). */
    update_irq(c);
    refill(c);
    return v;
}

static void data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct i8042 *c = opaque;
    uint8_t b = (uint8_t)val;
    int cmd = c->pending;
    c->pending = 0;
    c->status &= ~ST_CMD;
    switch (cmd) {
    case 0x60:
        c->cmdbyte = b;
        c->status = (c->status & ~ST_SYS) | (b & CB_SYS);
        break;
    case 0xd1:
        set_outport(c, b);
        break;
    case 0xd2:          /* as if the keyboard had sent it */
        ps2_queue_put(&c->ctrl, b);
        break;
    case 0xd3:          /* as if the mouse had sent it */
        ps2_queue_put(&c->mouse.q, b);
        break;
    case 0xd4:
        ps2_mouse_write(&c->mouse, b);
        break;
    default:
        /* Talking to the keyboard enables its interface again. */
        c->cmdbyte &= ~CB_KBD_DISABLE;
        ps2_kbd_write(&c->kbd, b);
        break;
    }
    refill(c);
}

static uint64_t status_read(void *opaque, uint64_t off, unsigned size)
{
    return ((struct i8042 *)opaque)->status;
}

static void command_write(void *opaque, uint64_t off, uint64_t val,
                          unsigned size)
{
    struct i8042 *c = opaque;
    uint8_t cmd = (uint8_t)val;
    c->status |= ST_CMD;
    c->pending = 0;
    if (cmd >= 0xf0) {
        /* Pulse output port bits 0-3 that are 0 in the command; bit 0 is
         * the CPU reset line. */
        if (!(cmd & 1)) {
            vm_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
        }
        return;
    }
    switch (cmd) {
    case 0x20:
        ps2_queue_put(&c->ctrl, c->cmdbyte);
        break;
    case 0x60:
    case 0xd1:
    case 0xd2:
    case 0xd3:
    case 0xd4:
        c->pending = cmd;
        break;
    case 0xa7:
        c->cmdbyte |= CB_AUX_DISABLE;
        break;
    case 0xa8:
        c->cmdbyte &= ~CB_AUX_DISABLE;
        break;
    case 0xa9:          /* aux interface test: no error */
    case 0xab:          /* keyboard interface test: no error */
        ps2_queue_put(&c->ctrl, 0x00);
        break;
    case 0xaa:          /* self test passed */
        c->status |= ST_SYS;
        ps2_queue_put(&c->ctrl, 0x55);
        break;
    case 0xad:
        c->cmdbyte |= CB_KBD_DISABLE;
        break;
    case 0xae:
        c->cmdbyte &= ~CB_KBD_DISABLE;
        break;
    case 0xc0:          /* input port: keyboard not inhibited */
        ps2_queue_put(&c->ctrl, 0x80);
        break;
    case 0xd0:
        ps2_queue_put(&c->ctrl, c->outport);
        break;
    case 0xdd:
        set_outport(c, c->outport & ~OUT_A20);
        break;
    case 0xdf:
        set_outport(c, c->outport | OUT_A20);
        break;
    case 0xe0:          /* test inputs */
        ps2_queue_put(&c->ctrl, 0x00);
        break;
    default:
        /* Unknown commands are ignored, as by the real part. */
        break;
    }
    refill(c);
}

static const struct mem_ops data_ops = {
    .read = data_read, .write = data_write, .valid_min = 1, .valid_max = 1,
};
static const struct mem_ops cmd_ops = {
    .read = status_read, .write = command_write, .valid_min = 1, .valid_max = 1,
};

static void i8042_reset(struct device *dev)
{
    struct i8042 *c = (struct i8042 *)dev;
    ps2_kbd_reset(&c->kbd);
    ps2_mouse_reset(&c->mouse);
    c->ctrl.rptr = c->ctrl.count = 0;
    c->status = ST_UNLOCKED;
    c->cmdbyte = CB_KBD_INT | CB_AUX_INT;
    c->outport = OUT_RESET | OUT_A20;
    c->pending = 0;
    c->xlate_break = false;
    update_irq(c);
}

static const struct dev_type i8042_type = {
    .name = "i8042",
    .category = "Input devices",
    .desc = "PC/AT keyboard controller",
    .bus = BUS_ISA,
    .size = sizeof(struct i8042),
    .user_creatable = false,
    .reset = i8042_reset,
};
DEV_TYPE(i8042_type);

struct i8042 *i8042_create(struct isa_bus *bus, struct err **errp)
{
    struct i8042 *c = (struct i8042 *)dev_create(&i8042_type, NULL, errp);
    if (!c) {
        return NULL;
    }
    c->isa = bus;
    mem_region_init_io(&c->data_mr, "i8042-data", 1, &data_ops, c);
    mem_region_init_io(&c->cmd_mr, "i8042-cmd", 1, &cmd_ops, c);
    isa_map_io(bus, &c->data_mr, 0x60);
    isa_map_io(bus, &c->cmd_mr, 0x64);
    i8042_reset(&c->dev);
    return c;
}

void i8042_put_keycodes(struct i8042 *c, const uint8_t *set2, int n)
{
    ps2_kbd_put_set2(&c->kbd, set2, n);
    refill(c);
}

void i8042_mouse_event(struct i8042 *c, int dx, int dy, int dz,
                       uint8_t buttons)
{
    ps2_mouse_event(&c->mouse, dx, dy, dz, buttons);
    refill(c);
}
