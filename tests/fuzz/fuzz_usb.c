/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_usb.c - libFuzzer target for the USB stack as a hostile guest
 * drives it: the UHCI's registers and schedule walk (emu/hw/usb/uhci.c),
 * the core's control transfers (usb-core.c) and the HID devices
 * (usb-hid.c).  The input is a program: its first 4 KiB become guest RAM
 * (frame list entries, TDs, QHs, setup packets, buffers), then 8-byte
 * operations:
 *   op 0: write a UHCI register (offset, value, size 1/2/4)
 *   op 1: read a UHCI register
 *   op 2: run frames (1-4)
 *   op 3: input events (pointer absolute/relative, key) to the devices
 *   op 4: unplug or plug a device
 *   op 5: a packet straight to a device (pid, endpoint, bytes from RAM)
 *   op 6: write an xHCI register (offset, value), doorbells included
 *   op 7: read an xHCI register
 *   op 8: run the xHCI's NAK retry (as its timer would)
 * Three HID devices (tablet, mouse, keyboard) sit on the buses; devices
 * unplugged and plugged again may land on the xHCI's ports.
 */
#include "emu/osdep.h"

#include "emu/hw/usb/uhci.h"
#include "emu/hw/usb/usb-hid.h"
#include "emu/hw/usb/xhci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"

#define RAM_SIZE 0x10000

static struct addr_space *mem;
static struct mem_region ram;
static struct uhci *hc, *hc2;
static struct xhci *xhc;
static struct usb_hid *devs[3];

static void set_irq(struct uhci *s, int level)
{
}

static void xirq(struct xhci *s, int level)
{
}

static void setup(void)
{
    loop_init();
    mem = as_new("mem", 1ULL << 32, 0);
    mem_region_init_ram(&ram, "ram", RAM_SIZE, NULL);
    as_map(mem, 0, &ram, 0, RAM_SIZE, 0);
    hc = calloc(1, sizeof(*hc));
    hc->pci_irq = set_irq;
    uhci_init(hc, mem);
    hc2 = calloc(1, sizeof(*hc2));
    hc2->pci_irq = set_irq;
    uhci_init(hc2, mem);
    xhc = calloc(1, sizeof(*xhc));
    xhc->irq_cb = xirq;
    xhci_init(xhc, mem);
    static const char *const types[3] = { "usb-tablet", "usb-mouse", "usb-kbd" };
    for (int i = 0; i < 3; i++) {
        struct err *e = NULL;
        devs[i] = (struct usb_hid *)dev_create(dev_type_find(types[i]), NULL, &e);
        if (!devs[i]) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!hc) {
        setup();
    }
    for (int i = 0; i < 3; i++) {
        if (!devs[i]->usb.port) {
            usb_device_attach(&devs[i]->usb, NULL);
        }
    }
    uhci_io_write(hc, 0, 4, 2);     /* global reset */
    uhci_io_write(hc, 0, 0, 2);
    uhci_io_write(hc2, 0, 4, 2);
    uhci_io_write(hc2, 0, 0, 2);
    xhci_mmio_write(xhc, 0x40, 2, 4);   /* HCRST */
    memset(ram.ram, 0, RAM_SIZE);
    size_t n = size < 4096 ? size : 4096;
    memcpy(ram.ram, data, n);
    data += n;
    size -= n;
    for (; size >= 8; data += 8, size -= 8) {
        struct uhci *s = data[0] & 0x80 ? hc2 : hc;
        uint8_t a = data[1], b = data[2], c = data[3];
        uint32_t val = data[4] | data[5] << 8 | data[6] << 16 |
                       (uint32_t)data[7] << 24;
        switch ((data[0] & 0x7f) % 9) {
        case 0: {
            static const unsigned sizes[3] = { 1, 2, 4 };
            unsigned sz = sizes[b % 3];
            unsigned off = a % 0x20;
            off &= ~(sz - 1);
            uhci_io_write(s, off, val, sz);
            break;
        }
        case 1:
            (void)uhci_io_read(s, a % 0x20, 2);
            break;
        case 2:
            for (int i = 0; i <= (a & 3); i++) {
                uhci_run_frame(s);
                s->frnum = (s->frnum + 1) & 0x7ff;
            }
            break;
        case 3: {
            struct usb_hid *h = devs[a % 3];
            int x = (int16_t)(val & 0xffff), y = (int16_t)(val >> 16);
            switch (b % 3) {
            case 0:
                usb_hid_pointer_abs(h, x, y, (int8_t)c, c);
                break;
            case 1:
                usb_hid_pointer_rel(h, x, y, (int8_t)c, c);
                break;
            case 2:
                usb_hid_key(h, val & 0x1ff, c & 1);
                break;
            }
            break;
        }
        case 4: {
            struct usb_hid *h = devs[a % 3];
            if (h->usb.port) {
                usb_device_detach(&h->usb);
            } else {
                usb_device_attach(&h->usb, NULL);
            }
            break;
        }
        case 5: {
            struct usb_hid *h = devs[a % 3];
            static const int pids[3] = { USB_TOKEN_SETUP, USB_TOKEN_IN,
                                         USB_TOKEN_OUT };
            uint8_t buf[1280];
            size_t len = val % sizeof(buf);
            size_t off = (val >> 16) % (RAM_SIZE - sizeof(buf));
            memcpy(buf, ram.ram + off, sizeof(buf));
            struct usb_packet p = { .pid = pids[b % 3], .ep = c & 0xf,
                                    .data = buf, .len = len };
            int r = usb_handle_packet(&h->usb, &p);
            if (r == USB_RET_SUCCESS && p.actual > len) {
                abort();
            }
            break;
        }
        case 6:
            /* Mostly the interesting registers: operational, the
             * interrupter, the ports and the first doorbells. */
            xhci_mmio_write(xhc, (a & 0x80 ? 0x2000 : b & 1 ? 0x1000 : 0x40) +
                            ((uint32_t)(a & 0x7f) << 2) +
                            (b & 2 ? 0x400 : 0), val, 4);
            break;
        case 7:
            (void)xhci_mmio_read(xhc, ((uint32_t)a << 4 | (b & 0xf)) & 0x3ffc, 4);
            break;
        case 8:
            xhci_mmio_write(xhc, 0x2000 + 4 * (a % (XHCI_SLOTS + 1)), b, 4);
            break;
        }
    }
    return 0;
}
