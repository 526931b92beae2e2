/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_qxl.c - libFuzzer target for the QXL cards (display/qxl*.c) as a
 * hostile guest drives it: everything it reads from the guest (the
 * QXLRam header with its rings, memory slot and surface arguments, the
 * release infos commands point to) is arbitrary.  The card runs without
 * spice-server (qxl_fuzz_new): what is exercised is hemu's own checking -
 * ring indexes, memory slots against the BARs, address translation,
 * primary surface bounds, the release ring and its chains.  The input is
 * a byte choosing the card (even: qxl-vga, odd: the secondary "qxl",
 * whose BAR 0 is its own memory and which has no VGA mode to fall back
 * to), the QXLRam header's first bytes, then 8-byte operations:
 *   op 0: I/O port write (port, val32)
 *   op 1: take a command from the command ring, as the worker would,
 *         read 64 bytes at its address and release it
 *   op 2: the same from the cursor ring
 *   op 3: guest writes 4 bytes of BAR 0 / BAR 1 memory (offset, value)
 *   op 4: memory slot arguments (start and length in pages of BAR 0/1)
 *   op 5: translate an address made of the operation's bytes
 *   op 6: move a ring's prod/cons/notify fields (which ring, field, val)
 */
#include "emu/osdep.h"

#include "emu/loop/loop.h"

#ifdef CONFIG_SPICE
#include "display/qxl.h"

static struct qxl *cards[2], *d;
static uint8_t *bar0, *bar1;
static uint64_t size0, size1;

static uint32_t rd32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void touch(QXLCommandExt *ext)
{
    volatile uint8_t x = 0;
    uint8_t *p = qxl_translate(d, ext->cmd.data, 64);
    if (p) {
        for (int i = 0; i < 64; i++) {
            x ^= p[i];
        }
    }
    qxl_release(d, ext->cmd.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (!cards[0]) {
        loop_init();
        bql_lock();
        cards[0] = qxl_fuzz_new(true);
        cards[1] = qxl_fuzz_new(false);
    }
    if (len < 1) {
        return 0;
    }
    d = cards[data[0] & 1];
    data++;
    len--;
    bar0 = qxl_bar(d, 0, &size0);
    bar1 = qxl_bar(d, 1, &size1);
    /* A fresh card each run: reset through the guest's own port. */
    qxl_io_write(d, QXL_IO_RESET, 0);
    uint64_t hdr_off = size0 - ((sizeof(QXLRam) + 4095) / 4096 * 4096);
    size_t head = MIN(len, (size_t)512);
    memcpy(bar0 + hdr_off, data, head);
    data += head;
    len -= head;
    for (; len >= 8; data += 8, len -= 8) {
        uint32_t val = rd32(data + 4);
        QXLCommandExt ext;
        switch (data[0] % 7) {
        case 0:
            qxl_io_write(d, data[1] % 32, val);
            break;
        case 1:
            if (qxl_get_command(d, &ext)) {
                touch(&ext);
            }
            break;
        case 2:
            if (qxl_get_cursor_command(d, &ext)) {
                touch(&ext);
            }
            break;
        case 3: {
            uint32_t off = (data[1] | data[2] << 8 | data[3] << 16) * 4;
            uint8_t *b = (data[1] & 1) ? bar1 : bar0;
            uint64_t sz = (data[1] & 1) ? size1 : size0;
            if (off + 4 <= sz) {
                memcpy(b + off, data + 4, 4);
            }
            break;
        }
        case 4: {
            QXLRam *ram = (QXLRam *)(bar0 + hdr_off);
            /* BAR 0 at 0, BAR 1 right after it (qxl_fuzz_new). */
            uint64_t start = (uint64_t)(data[1] | data[2] << 8) << 12;
            uint64_t pages = data[3] | (val & 0xfff) << 8;
            ram->mem_slot.mem_start = start;
            ram->mem_slot.mem_end = start + (pages << 12);
            break;
        }
        case 5: {
            uint64_t a = (uint64_t)val << 32 | rd32(data);
            volatile uint8_t *p = qxl_translate(d, a, data[1]);
            if (p && data[1]) {
                (void)p[data[1] - 1];
            }
            break;
        }
        case 6: {
            QXLRam *ram = (QXLRam *)(bar0 + hdr_off);
            uint32_t *f;
            switch (data[1] % 3) {
            case 0:
                f = (uint32_t *)((uint8_t *)ram + offsetof(QXLRam, cmd_ring));
                break;
            case 1:
                f = (uint32_t *)((uint8_t *)ram + offsetof(QXLRam, cursor_ring));
                break;
            default:
                f = (uint32_t *)((uint8_t *)ram + offsetof(QXLRam, release_ring));
                break;
            }
            f[data[2] % 5] = val;
            break;
        }
        }
    }
    /* What the main loop would run: the interrupt updates. */
    loop_wait(0);
    return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    return 0;
}
#endif
