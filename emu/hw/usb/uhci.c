/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uhci.c - the PIIX3 USB function (Intel 82371SB datasheet, function 2:
 * 8086:7020) as a UHCI host controller (Universal Host Controller
 * Interface Design Guide rev 1.1): the I/O registers of §2.1 in BAR 4,
 * two root ports, and the schedule of §3: a 1024-entry frame list whose
 * entries lead to chains of transfer descriptors and queue heads that
 * the controller walks once per 1 ms frame.  Everything in the schedule
 * is guest memory: a walk visits at most UHCI_MAX_ELEMS elements per
 * frame and stops early when it comes back to a queue head without
 * having done anything since (Linux links its last queue head back to
 * an earlier one for bandwidth reclamation), so a hostile schedule
 * costs bounded time; a TD's length is checked against the 1280-byte
 * limit before any copy.
 */
#include "emu/osdep.h"
#include <endian.h>

#include "emu/hw/pci.h"
#include "emu/hw/usb/uhci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"

/* USBCMD */
#define CMD_RS 0x0001
#define CMD_HCRESET 0x0002
#define CMD_GRESET 0x0004
#define CMD_EGSM 0x0008
#define CMD_FGR 0x0010
#define CMD_MAXP 0x0080
/* USBSTS */
#define STS_USBINT 0x0001
#define STS_ERRINT 0x0002
#define STS_RD 0x0004
#define STS_HSE 0x0008
#define STS_HCPE 0x0010
#define STS_HCH 0x0020
/* USBINTR */
#define INTR_TIMEOUT 0x0001
#define INTR_RESUME 0x0002
#define INTR_IOC 0x0004
#define INTR_SP 0x0008
/* PORTSC */
#define PORT_CCS 0x0001
#define PORT_CSC 0x0002
#define PORT_PE 0x0004
#define PORT_PEC 0x0008
#define PORT_LS 0x0030
#define PORT_RD 0x0040
#define PORT_ONE 0x0080     /* reserved, reads as 1 */
#define PORT_LSDA 0x0100
#define PORT_PR 0x0200
#define PORT_SUSP 0x1000

/* Link pointers */
#define LINK_T 0x1
#define LINK_Q 0x2
#define LINK_VF 0x4
/* TD control/status */
#define TD_ACTLEN 0x7ff
#define TD_BITSTUFF (1u << 17)
#define TD_CRCTIMEO (1u << 18)
#define TD_NAK (1u << 19)
#define TD_BABBLE (1u << 20)
#define TD_DBE (1u << 21)
#define TD_STALLED (1u << 22)
#define TD_ACTIVE (1u << 23)
#define TD_IOC (1u << 24)
#define TD_IOS (1u << 25)
#define TD_LS (1u << 26)
#define TD_CERR_SHIFT 27
#define TD_SPD (1u << 29)

#define UHCI_MAX_LEN 1280

static void update_irq(struct uhci *s)
{
    bool level = ((s->sts & STS_USBINT) && (s->pending & s->intr & (INTR_IOC | INTR_SP))) ||
                 ((s->sts & STS_ERRINT) && (s->intr & INTR_TIMEOUT)) ||
                 ((s->sts & STS_RD) && (s->intr & INTR_RESUME)) ||
                 (s->sts & (STS_HSE | STS_HCPE));
    if (s->pci_irq) {
        s->pci_irq(s, level);
    } else {
        pci_set_irq(&s->pci, level);
    }
}

static uint32_t rd32(struct uhci *s, uint32_t addr)
{
    uint32_t v = 0;
    as_rw(s->dma, addr, &v, 4, false);
    return le32toh(v);
}

static void wr32(struct uhci *s, uint32_t addr, uint32_t v)
{
    v = htole32(v);
    as_rw(s->dma, addr, &v, 4, true);
}

/* ---------------------------------------------------------------------------
 * Ports
 */

static void port_update(struct uhci *s, int i)
{
    struct usb_device *d = s->bus->ports[i].dev;
    uint16_t old = s->portsc[i];
    if (d) {
        s->portsc[i] |= PORT_CCS;
        if (d->speed == USB_SPEED_LOW) {
            s->portsc[i] |= PORT_LSDA;
        } else {
            s->portsc[i] &= ~PORT_LSDA;
        }
    } else {
        s->portsc[i] &= ~(PORT_CCS | PORT_LSDA);
        if (s->portsc[i] & PORT_PE) {
            s->portsc[i] &= ~PORT_PE;
            s->portsc[i] |= PORT_PEC;
        }
    }
    if ((old ^ s->portsc[i]) & PORT_CCS) {
        s->portsc[i] |= PORT_CSC;
        /* A connect while suspended is a resume event (§2.1.2). */
        if (s->cmd & CMD_EGSM) {
            s->sts |= STS_RD;
            update_irq(s);
        }
    }
}

static void port_changed(void *opaque, int port)
{
    struct uhci *s = opaque;
    if (port >= 0 && port < UHCI_PORTS) {
        port_update(s, port);
    }
}

static const struct usb_port_ops port_ops = { port_changed };

static struct usb_device *find_dev(struct uhci *s, uint8_t addr)
{
    bool en[UHCI_PORTS];
    for (int i = 0; i < UHCI_PORTS; i++) {
        en[i] = (s->portsc[i] & PORT_PE) && !(s->portsc[i] & PORT_SUSP);
    }
    return usb_bus_find(s->bus, addr, en);
}

/* ---------------------------------------------------------------------------
 * Schedule
 */

enum td_result { TD_DONE, TD_NEXT_QH, TD_INACTIVE };

/* Carry out one TD; writes its status back. */
static enum td_result run_td(struct uhci *s, uint32_t addr, uint32_t *link)
{
    uint32_t ctl = rd32(s, addr + 4);
    uint32_t token = rd32(s, addr + 8);
    uint32_t buf = rd32(s, addr + 12);
    *link = rd32(s, addr);
    if (!(ctl & TD_ACTIVE)) {
        return TD_INACTIVE;
    }
    s->progress = true;
    unsigned maxlen = ((token >> 21) + 1) & 0x7ff;
    uint8_t pid = token & 0xff;
    uint8_t devaddr = (token >> 8) & 0x7f;
    uint8_t ep = (token >> 15) & 0xf;
    uint32_t err = 0;
    int r;
    size_t actual = 0;
    if (maxlen > UHCI_MAX_LEN ||
        (pid != USB_TOKEN_IN && pid != USB_TOKEN_OUT && pid != USB_TOKEN_SETUP)) {
        /* Not a valid TD: the controller stops with a process error. */
        s->sts |= STS_HCPE | STS_HCH;
        s->cmd &= ~CMD_RS;
        update_irq(s);
        return TD_NEXT_QH;
    }
    struct usb_device *d = find_dev(s, devaddr);
    if (!d) {
        r = USB_RET_NODEV;
    } else {
        struct usb_packet p = { .pid = pid, .ep = ep, .data = s->xfer,
                                .len = maxlen };
        if (pid != USB_TOKEN_IN && maxlen) {
            as_rw(s->dma, buf, s->xfer, maxlen, false);
        }
        r = usb_handle_packet(d, &p);
        actual = MIN(p.actual, (size_t)maxlen);
        if (r == USB_RET_SUCCESS && pid == USB_TOKEN_IN && actual) {
            as_rw(s->dma, buf, s->xfer, actual, true);
        }
    }
    switch (r) {
    case USB_RET_SUCCESS:
        break;
    case USB_RET_NAK:
        ctl |= TD_NAK;
        wr32(s, addr + 4, ctl);
        return TD_NEXT_QH;
    case USB_RET_STALL:
        err = TD_STALLED;
        break;
    case USB_RET_BABBLE:
        err = TD_STALLED | TD_BABBLE;
        break;
    default:
        err = TD_CRCTIMEO | TD_STALLED;
        break;
    }
    ctl &= ~(TD_ACTIVE | TD_NAK | TD_ACTLEN | TD_STALLED | TD_BABBLE |
             TD_CRCTIMEO | TD_DBE | TD_BITSTUFF);
    ctl |= ((actual - 1) & TD_ACTLEN) | err;
    if (err) {
        ctl &= ~(3u << TD_CERR_SHIFT);
    }
    wr32(s, addr + 4, ctl);
    if (err) {
        s->sts |= STS_ERRINT;
        if (ctl & TD_IOC) {
            s->sts |= STS_USBINT;
            s->pending |= INTR_IOC;
        }
        update_irq(s);
        return TD_NEXT_QH;
    }
    if (ctl & TD_IOC) {
        s->sts |= STS_USBINT;
        s->pending |= INTR_IOC;
    }
    if (pid == USB_TOKEN_IN && actual < maxlen && (ctl & TD_SPD)) {
        /* Short packet: the queue stops here for the driver to see. */
        s->sts |= STS_USBINT;
        s->pending |= INTR_SP;
        update_irq(s);
        return TD_NEXT_QH;
    }
    return TD_DONE;
}

void uhci_run_frame(struct uhci *s)
{
    uint32_t entry = s->flbase + 4 * (s->frnum & 1023);
    uint32_t link = rd32(s, entry);
    uint32_t qh_seen[UHCI_MAX_QH_SEEN];
    bool qh_progress[UHCI_MAX_QH_SEEN];
    int nseen = 0;
    s->progress = false;
    for (int n = 0; n < UHCI_MAX_ELEMS && !(link & LINK_T); n++) {
        if (!(s->cmd & CMD_RS)) {
            break;
        }
        uint32_t addr = link & ~0xfu;
        if (!(link & LINK_Q)) {
            uint32_t next;
            run_td(s, addr, &next);
            link = next;
            continue;
        }
        /* A queue head: stop if we are back without having done
         * anything since the last visit. */
        int k;
        for (k = 0; k < nseen && qh_seen[k] != addr; k++) {
        }
        if (k < nseen) {
            if (!qh_progress[k] && !s->progress) {
                break;
            }
            qh_progress[k] = s->progress;
        } else if (nseen < UHCI_MAX_QH_SEEN) {
            qh_seen[nseen] = addr;
            qh_progress[nseen++] = s->progress;
        }
        s->progress = false;
        uint32_t head = rd32(s, addr);
        uint32_t elem = rd32(s, addr + 4);
        /* The queue's TDs, depth first while VF says so. */
        for (; n < UHCI_MAX_ELEMS && !(elem & LINK_T); n++) {
            if (elem & LINK_Q) {
                /* A queue head in the vertical direction: not used by
                 * drivers we know; take it as the next horizontal one. */
                head = elem;
                break;
            }
            uint32_t next;
            enum td_result r = run_td(s, elem & ~0xfu, &next);
            if (r != TD_DONE) {
                break;
            }
            elem = next;
            wr32(s, addr + 4, elem);
            if (!(next & LINK_VF)) {
                break;
            }
        }
        link = head;
    }
    if (s->pending) {
        update_irq(s);
    }
}

static void frame_timer(void *opaque)
{
    struct uhci *s = opaque;
    if (!(s->cmd & CMD_RS)) {
        return;
    }
    int64_t now = clock_ns(CLOCK_VIRT);
    /* Catch up a little when late; beyond that, frames are skipped (a
     * loaded host must not make the guest's schedule pile up). */
    for (int i = 0; i < 8 && s->next_frame <= now && (s->cmd & CMD_RS); i++) {
        uhci_run_frame(s);
        s->frnum = (s->frnum + 1) & 0x7ff;
        s->next_frame += 1000000;
    }
    if (s->next_frame <= now) {
        s->next_frame = now + 1000000;
    }
    if (s->cmd & CMD_RS) {
        timer_mod(s->timer, s->next_frame);
    }
}

/* ---------------------------------------------------------------------------
 * Registers
 */

static void hc_reset(struct uhci *s, bool global)
{
    s->cmd = 0;
    s->sts = STS_HCH;
    s->intr = 0;
    s->frnum = 0;
    s->flbase = 0;
    s->sofmod = 64;
    s->pending = 0;
    for (int i = 0; i < UHCI_PORTS; i++) {
        s->portsc[i] = PORT_ONE;
        struct usb_device *d = s->bus->ports[i].dev;
        if (d) {
            if (global) {
                usb_device_reset(d);
            }
            port_update(s, i);
        }
    }
    if (s->timer) {
        timer_del(s->timer);
    }
    update_irq(s);
}

uint64_t uhci_io_read(void *opaque, uint64_t off, unsigned size)
{
    struct uhci *s = opaque;
    uint32_t v;
    switch (off & ~1u) {
    case 0x00: v = s->cmd; break;
    case 0x02: v = s->sts; break;
    case 0x04: v = s->intr; break;
    case 0x06: v = s->frnum; break;
    case 0x08: v = s->flbase & 0xffff; break;
    case 0x0a: v = s->flbase >> 16; break;
    case 0x0c: v = s->sofmod; break;
    case 0x10: case 0x12: v = s->portsc[(off - 0x10) >> 1]; break;
    /* Linux counts ports until one reads without bit 7 (or all ones). */
    default: v = 0xffff; break;
    }
    if (size == 4 && (off & ~1u) == 0x08) {
        return s->flbase;
    }
    if (size == 4) {
        return v | (uhci_io_read(opaque, off + 2, 2) << 16);
    }
    if (size == 1) {
        return (v >> (8 * (off & 1))) & 0xff;
    }
    return v;
}

static void port_write(struct uhci *s, int i, uint16_t val)
{
    uint16_t p = s->portsc[i];
    struct usb_device *d = s->bus->ports[i].dev;
    if ((p & PORT_PR) && !(val & PORT_PR) && d) {
        /* End of port reset: the device is back at address 0. */
        usb_device_reset(d);
    }
    p &= ~(val & (PORT_CSC | PORT_PEC));
    p = (p & ~(PORT_PE | PORT_RD | PORT_PR | PORT_SUSP)) |
        (val & (PORT_PE | PORT_RD | PORT_PR | PORT_SUSP));
    if (!(p & PORT_CCS)) {
        p &= ~PORT_PE;
    }
    s->portsc[i] = p | PORT_ONE;
}

void uhci_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct uhci *s = opaque;
    if (size == 4) {
        if ((off & ~1u) == 0x08) {
            s->flbase = val & ~0xfffu;
            return;
        }
        uhci_io_write(opaque, off, val & 0xffff, 2);
        uhci_io_write(opaque, off + 2, (val >> 16) & 0xffff, 2);
        return;
    }
    if (size == 1) {
        /* Byte writes: merge into the 16-bit register (SOFMOD is one). */
        if ((off & ~1u) == 0x0c) {
            if (!(off & 1)) {
                s->sofmod = val & 0x7f;
            }
            return;
        }
        uint32_t cur = uhci_io_read(opaque, off & ~1u, 2);
        if ((off & ~1u) == 0x02 || (off & ~1u) == 0x10 || (off & ~1u) == 0x12) {
            cur &= ~(STS_USBINT | STS_ERRINT | STS_RD | STS_HSE | STS_HCPE |
                     PORT_CSC | PORT_PEC);
            if ((off & ~1u) == 0x02) {
                cur = 0;
            }
        }
        unsigned sh = 8 * (off & 1);
        val = (cur & ~(0xffu << sh)) | (val & 0xff) << sh;
        off &= ~1u;
    }
    switch (off) {
    case 0x00: {
        uint16_t old = s->cmd;
        if (val & CMD_GRESET) {
            hc_reset(s, true);
            s->cmd = CMD_GRESET;
            return;
        }
        if (val & CMD_HCRESET) {
            hc_reset(s, false);
            return;
        }
        s->cmd = val & 0xff;
        if ((val & CMD_RS) && !(old & CMD_RS)) {
            s->sts &= ~STS_HCH;
            s->next_frame = clock_ns(CLOCK_VIRT) + 1000000;
            if (s->timer) {
                timer_mod(s->timer, s->next_frame);
            }
        } else if (!(val & CMD_RS)) {
            s->sts |= STS_HCH;
            if (s->timer) {
                timer_del(s->timer);
            }
        }
        break;
    }
    case 0x02:
        s->sts &= ~(val & (STS_USBINT | STS_ERRINT | STS_RD | STS_HSE | STS_HCPE));
        if (!(s->sts & STS_USBINT)) {
            s->pending = 0;
        }
        update_irq(s);
        break;
    case 0x04:
        s->intr = val & 0xf;
        update_irq(s);
        break;
    case 0x06:
        /* Writable only while stopped (§2.1.5). */
        if (s->sts & STS_HCH) {
            s->frnum = val & 0x7ff;
        }
        break;
    case 0x08:
        s->flbase = (s->flbase & 0xffff0000u) | (val & 0xf000);
        break;
    case 0x0a:
        s->flbase = (s->flbase & 0xffff) | (uint32_t)(val & 0xffff) << 16;
        break;
    case 0x0c:
        s->sofmod = val & 0x7f;
        break;
    case 0x10: case 0x12:
        port_write(s, (off - 0x10) >> 1, val);
        break;
    }
}

static const struct mem_ops io_ops = {
    .read = uhci_io_read, .write = uhci_io_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 4,
};

static void uhci_dev_reset(struct device *dev)
{
    struct uhci *s = (struct uhci *)dev;
    pci_device_reset(&s->pci);
    /* USBLEGSUP: PIRQD routing on, as the BIOS leaves it. */
    pci_set_word(s->pci.config + 0xc0, 0x2000);
    hc_reset(s, true);
}

void uhci_init(struct uhci *s, struct addr_space *dma)
{
    s->dma = dma;
    s->bus = usb_bus_new(UHCI_PORTS, (1 << USB_SPEED_LOW) | (1 << USB_SPEED_FULL),
                         &port_ops, s);
    hc_reset(s, false);
}

static int uhci_realize(struct device *dev, struct err **errp)
{
    struct uhci *s = (struct uhci *)dev;
    if (!pci_default_bus) {
        err_setf(errp, "No 'PCI' bus found for device 'piix3-usb-uhci'");
        return -1;
    }
    if (pci_device_plug(pci_default_bus, &s->pci, errp) < 0) {
        return -1;
    }
    uint8_t *c = s->pci.config;
    pci_set_word(c + PCI_VENDOR_ID, 0x8086);
    pci_set_word(c + PCI_DEVICE_ID, 0x7020);
    pci_set_word(c + PCI_CLASS_DEVICE, 0x0c03);
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
    pci_set_word(c + PCI_SUBSYSTEM_ID, 0x1100);
    c[PCI_INTERRUPT_PIN] = 4;       /* INTD, as the PIIX3 wires it */
    c[0x60] = 0x10;                 /* SBRN: USB 1.0 */
    s->pci.wmask[0xc0] = 0xff;
    s->pci.wmask[0xc1] = 0xff;
    mem_region_init_io(&s->io, "uhci", 0x20, &io_ops, s);
    pci_register_bar(&s->pci, 4, PCI_BAR_IO, &s->io);
    uhci_init(s, pci_default_bus->mem);
    s->bus->devfn = s->pci.devfn;
    s->timer = timer_new(CLOCK_VIRT, frame_timer, s);
    uhci_dev_reset(dev);
    return 0;
}

static const struct prop uhci_props[] = {
    PCI_DEVICE_PROPS(struct uhci),
    { NULL },
};

const struct dev_type uhci_type = {
    .name = "piix3-usb-uhci",
    .category = "USB",
    .bus = BUS_PCI,
    .size = sizeof(struct uhci),
    .props = uhci_props,
    .user_creatable = true,
    .realize = uhci_realize,
    .reset = uhci_dev_reset,
};
DEV_TYPE(uhci_type);
