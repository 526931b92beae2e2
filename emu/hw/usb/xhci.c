/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xhci.c - an xHCI host controller (eXtensible Host Controller Interface
 * for USB, rev 1.1) as qemu-xhci (1b36:000d) and nec-usb-xhci
 * (1033:0194): capability, operational, runtime and doorbell registers
 * in BAR 0 (§5), four USB 2 and four USB 3 root ports described by
 * Supported Protocol capabilities (§7.2), the command ring (§4.6: enable
 * and disable slot, address device, configure endpoint, evaluate
 * context, reset/stop endpoint, set TR dequeue pointer, reset device,
 * no-op), transfer rings with Setup/Data/Status/Normal/Link/Event Data
 * TRBs (§4.11), one interrupter with its event ring segment table (§4.9.4)
 * and INTx.  The guest owns every ring and context: ring walks are
 * bounded per doorbell, slot and endpoint numbers and segment table
 * sizes are range-checked, and transfer lengths are capped at the TRB's
 * 17 bits before any copy.  Endpoints a device NAKs are retried on a
 * 2 ms timer while any is waiting.
 */
#include "emu/osdep.h"
#include <endian.h>

#include "emu/hw/pci.h"
#include "emu/hw/usb/xhci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"

#define CAP_LEN 0x40
#define OPER 0x40
#define PORTS_OFF (OPER + 0x400)
#define RT_OFF 0x1000
#define DB_OFF 0x2000
#define MMIO_SIZE 0x4000

/* USBCMD / USBSTS */
#define CMD_RS 0x1
#define CMD_HCRST 0x2
#define CMD_INTE 0x4
#define STS_HCH 0x1
#define STS_HSE 0x4
#define STS_EINT 0x8
#define STS_PCD 0x10
#define STS_CNR 0x800
#define STS_HCE 0x1000
/* PORTSC */
#define PS_CCS (1u << 0)
#define PS_PED (1u << 1)
#define PS_PR (1u << 4)
#define PS_PLS_SHIFT 5
#define PS_PLS_MASK (0xfu << 5)
#define PS_PP (1u << 9)
#define PS_SPEED_SHIFT 10
#define PS_LWS (1u << 16)
#define PS_CHANGES (0x7fu << 17)
#define PS_CSC (1u << 17)
#define PS_PEC (1u << 18)
#define PS_PRC (1u << 21)
#define PS_PLC (1u << 22)
#define PS_WAKE (7u << 25)
/* TRB types */
#define TRB_NORMAL 1
#define TRB_SETUP 2
#define TRB_DATA 3
#define TRB_STATUS 4
#define TRB_LINK 6
#define TRB_EVDATA 7
#define TRB_NOOP 8
#define CMD_ENABLE_SLOT 9
#define CMD_DISABLE_SLOT 10
#define CMD_ADDRESS 11
#define CMD_CONFIGURE 12
#define CMD_EVALUATE 13
#define CMD_RESET_EP 14
#define CMD_STOP_EP 15
#define CMD_SET_DEQ 16
#define CMD_RESET_DEV 17
#define CMD_NOOP 23
#define EV_TRANSFER 32
#define EV_CMD_DONE 33
#define EV_PORT 34
/* TRB control bits */
#define C_CYCLE 0x1
#define C_TC 0x2        /* link: toggle cycle */
#define C_ISP 0x4
#define C_CH 0x10
#define C_IOC 0x20
#define C_IDT 0x40
/* completion codes */
#define CC_SUCCESS 1
#define CC_TRB_ERROR 5
#define CC_STALL 6
#define CC_TX_ERROR 4
#define CC_BABBLE 3
#define CC_SLOT_NOT_ENABLED 11
#define CC_EP_NOT_ENABLED 12
#define CC_SHORT 13
#define CC_CONTEXT_STATE 19
#define CC_NO_SLOTS 9
#define CC_PARAMETER 17
/* endpoint states */
#define EP_DISABLED 0
#define EP_RUNNING 1
#define EP_HALTED 2
#define EP_STOPPED 3

#define RING_BUDGET 1024    /* TRBs one doorbell may consume */

static void update_irq(struct xhci *s)
{
    bool level = (s->iman & 1) && (s->iman & 2) && (s->cmd & CMD_INTE);
    if (s->irq_cb) {
        s->irq_cb(s, level);
    } else {
        pci_set_irq(&s->pci, level);
    }
}

static void rd(struct xhci *s, uint64_t a, void *buf, size_t n)
{
    memset(buf, 0, n);
    as_rw(s->dma, a, buf, n, false);
}

static uint32_t rd32(struct xhci *s, uint64_t a)
{
    uint32_t v;
    rd(s, a, &v, 4);
    return le32toh(v);
}

static void wr32(struct xhci *s, uint64_t a, uint32_t v)
{
    v = htole32(v);
    as_rw(s->dma, a, &v, 4, true);
}

struct trb {
    uint64_t param;
    uint32_t status, control;
    uint64_t addr;
};

static void read_trb(struct xhci *s, uint64_t a, struct trb *t)
{
    uint32_t w[4];
    rd(s, a, w, 16);
    t->param = le32toh(w[0]) | (uint64_t)le32toh(w[1]) << 32;
    t->status = le32toh(w[2]);
    t->control = le32toh(w[3]);
    t->addr = a;
}

/* ---------------------------------------------------------------------------
 * Event ring (one interrupter)
 */

static void er_reset(struct xhci *s)
{
    s->er_seg = 0;
    s->er_idx = 0;
    s->er_pcs = true;
    s->er_full = false;
    if (s->erstsz) {
        uint32_t e[4];
        rd(s, s->erstba, e, 16);
        s->er_base = le32toh(e[0]) | (uint64_t)le32toh(e[1]) << 32;
        s->er_base &= ~0x3fULL;
        s->er_size = le32toh(e[2]) & 0xffff;
    }
}

static void post_event(struct xhci *s, uint64_t param, uint32_t status,
                       uint32_t control)
{
    if (!(s->cmd & CMD_RS) || !s->erstsz || s->er_size < 16) {
        return;
    }
    uint64_t at = s->er_base + 16 * (uint64_t)s->er_idx;
    /* Full when the next slot is where the guest will read (§4.9.4). */
    uint32_t nidx = s->er_idx + 1;
    unsigned nseg = s->er_seg;
    uint64_t nbase = s->er_base;
    if (nidx >= s->er_size) {
        nidx = 0;
        nseg = (s->er_seg + 1) % s->erstsz;
        uint32_t e[4];
        rd(s, s->erstba + 16 * nseg, e, 16);
        nbase = (le32toh(e[0]) | (uint64_t)le32toh(e[1]) << 32) & ~0x3fULL;
    }
    if ((s->erdp & ~0xfULL) == nbase + 16 * (uint64_t)nidx) {
        s->er_full = true;
        s->sts |= STS_HCE;
        return;
    }
    uint32_t w[3] = { htole32((uint32_t)param), htole32(param >> 32),
                      htole32(status) };
    as_rw(s->dma, at, w, 12, true);
    /* The cycle bit last: the guest may be reading the ring already. */
    wr32(s, at + 12, (control & ~1u) | (s->er_pcs ? 1 : 0));
    s->er_idx = nidx;
    if (nseg != s->er_seg || nidx == 0) {
        if (nseg <= s->er_seg) {
            s->er_pcs = !s->er_pcs;
        }
        s->er_seg = nseg;
        s->er_base = nbase;
        uint32_t e[4];
        rd(s, s->erstba + 16 * nseg, e, 16);
        s->er_size = le32toh(e[2]) & 0xffff;
    }
    s->erdp |= 8;           /* event handler busy until the guest clears it */
    s->iman |= 1;
    s->sts |= STS_EINT;
    update_irq(s);
}

/* ---------------------------------------------------------------------------
 * Ports
 */

static int port_speed(struct usb_device *d)
{
    switch (d->speed) {
    case USB_SPEED_LOW: return 2;
    case USB_SPEED_HIGH: return 3;
    case USB_SPEED_SUPER: return 4;
    default: return 1;
    }
}

static void port_event(struct xhci *s, int i)
{
    s->sts |= STS_PCD;
    post_event(s, (uint64_t)(i + 1) << 24, CC_SUCCESS << 24, EV_PORT << 10);
}

static void port_update(struct xhci *s, int i, bool notify)
{
    uint32_t p = s->portsc[i] & (PS_PP | PS_CHANGES | PS_WAKE);
    struct usb_device *d = i < XHCI_PORTS2 ? s->bus->ports[i].dev : NULL;
    bool was = s->portsc[i] & PS_CCS;
    if (d) {
        p |= PS_CCS | port_speed(d) << PS_SPEED_SHIFT | 7u << PS_PLS_SHIFT;
    } else {
        p |= (i < XHCI_PORTS2 ? 5u : 5u) << PS_PLS_SHIFT;    /* RxDetect */
    }
    if (was != !!d) {
        p |= PS_CSC;
        if (!d && (s->portsc[i] & PS_PED)) {
            p |= PS_PEC;
        }
    }
    s->portsc[i] = p;
    if (notify && (p & PS_CSC)) {
        port_event(s, i);
    }
}

static void port_changed(void *opaque, int port)
{
    struct xhci *s = opaque;
    if (port >= 0 && port < XHCI_PORTS2) {
        port_update(s, port, true);
    }
}

static const struct usb_port_ops port_ops = { port_changed };

static void port_write(struct xhci *s, int i, uint32_t v)
{
    uint32_t p = s->portsc[i];
    p &= ~(v & PS_CHANGES);
    if (v & PS_PED) {
        p &= ~PS_PED;           /* writing 1 disables */
    }
    p = (p & ~PS_WAKE) | (v & PS_WAKE);
    if ((v & PS_LWS) && (p & PS_PED)) {
        uint32_t pls = (v & PS_PLS_MASK) >> PS_PLS_SHIFT;
        if (pls == 0 || pls == 3) {
            p = (p & ~PS_PLS_MASK) | pls << PS_PLS_SHIFT;
        }
    }
    s->portsc[i] = p;
    if ((v & PS_PR) && (p & PS_CCS)) {
        /* A USB 2 port reset completes at once: enabled, in U0. */
        struct usb_device *d = i < XHCI_PORTS2 ? s->bus->ports[i].dev : NULL;
        if (d) {
            usb_device_reset(d);
        }
        s->portsc[i] = (p & ~PS_PLS_MASK) | PS_PED | PS_PRC;
        port_event(s, i);
    }
}

/* ---------------------------------------------------------------------------
 * Contexts
 */

static uint64_t dev_ctx(struct xhci *s, int slot)
{
    uint64_t a = s->dcbaap + 8 * (uint64_t)slot;
    return (rd32(s, a) | (uint64_t)rd32(s, a + 4) << 32) & ~0x3fULL;
}

/* Write the endpoint's state and dequeue pointer to the output context. */
static void ep_sync(struct xhci *s, int slot, int dci)
{
    struct xhci_ep *ep = &s->slots[slot].ep[dci];
    uint64_t a = dev_ctx(s, slot) + 32 * (uint64_t)dci;
    uint32_t d0 = rd32(s, a);
    wr32(s, a, (d0 & ~7u) | ep->state);
    uint64_t deq = ep->deq | (ep->ccs ? 1 : 0);
    wr32(s, a + 8, (uint32_t)deq);
    wr32(s, a + 12, deq >> 32);
}

static void slot_state(struct xhci *s, int slot, unsigned state, unsigned addr)
{
    uint64_t a = dev_ctx(s, slot);
    uint32_t d3 = rd32(s, a + 12);
    wr32(s, a + 12, (d3 & 0x07ffff00u) | state << 27 | addr);
}

static void ep_init(struct xhci *s, int slot, int dci, const uint32_t *ctx)
{
    struct xhci_ep *ep = &s->slots[slot].ep[dci];
    uint64_t deq = ctx[2] | (uint64_t)ctx[3] << 32;
    ep->state = EP_RUNNING;
    ep->type = (ctx[1] >> 3) & 7;
    ep->deq = deq & ~0xfULL;
    ep->ccs = deq & 1;
    ep->nak = false;
}

static struct usb_device *slot_dev(struct xhci *s, int slot)
{
    int port = s->slots[slot].port;
    if (port < 1 || port > XHCI_PORTS2) {
        return NULL;
    }
    return s->bus->ports[port - 1].dev;
}

/* ---------------------------------------------------------------------------
 * Transfers
 */

static void transfer_event(struct xhci *s, int slot, int dci, uint64_t trb,
                           unsigned cc, uint32_t residual, bool ed)
{
    post_event(s, trb, cc << 24 | (residual & 0xffffff),
               EV_TRANSFER << 10 | (ed ? 4 : 0) | dci << 16 |
               (uint32_t)slot << 24);
}

static int run_packet(struct xhci *s, struct usb_device *d, int pid, int epnum,
                      uint64_t buf, uint32_t len, bool idt, uint64_t param,
                      size_t *actual)
{
    struct usb_packet p = { .pid = pid, .ep = epnum, .data = s->xfer,
                            .len = len };
    if (pid != USB_TOKEN_IN && len) {
        if (idt) {
            uint64_t v = htole64(param);
            memcpy(s->xfer, &v, MIN(len, 8u));
        } else {
            rd(s, buf, s->xfer, len);
        }
    }
    int r = usb_handle_packet(d, &p);
    *actual = MIN(p.actual, (size_t)len);
    if (r == USB_RET_SUCCESS && pid == USB_TOKEN_IN && *actual) {
        as_rw(s->dma, buf, s->xfer, *actual, true);
    }
    return r;
}

/* Work through an endpoint's transfer ring until it is empty, NAKs, or
 * stops with an error. */
static void ep_kick(struct xhci *s, int slot, int dci)
{
    struct xhci_ep *ep = &s->slots[slot].ep[dci];
    struct usb_device *d = slot_dev(s, slot);
    if (ep->state != EP_RUNNING || !d) {
        return;
    }
    ep->nak = false;
    int epnum = dci / 2;
    bool in_ep = dci & 1;
    bool skip = false;      /* rest of a chain after a short packet */
    for (int n = 0; n < RING_BUDGET; n++) {
        struct trb t;
        read_trb(s, ep->deq, &t);
        if ((t.control & C_CYCLE) != (ep->ccs ? 1u : 0u)) {
            break;
        }
        unsigned type = (t.control >> 10) & 0x3f;
        uint64_t next = ep->deq + 16;
        if (type == TRB_LINK) {
            if (t.control & C_TC) {
                ep->ccs = !ep->ccs;
            }
            ep->deq = t.param & ~0xfULL;
            if (t.control & C_IOC) {
                transfer_event(s, slot, dci, t.addr, CC_SUCCESS, 0, false);
            }
            continue;
        }
        if (skip) {
            skip = t.control & C_CH;
            ep->deq = next;
            continue;
        }
        int pid;
        uint32_t len = t.status & 0x1ffff;
        switch (type) {
        case TRB_SETUP:
            pid = USB_TOKEN_SETUP;
            len = 8;
            if (!(t.control & C_IDT)) {
                transfer_event(s, slot, dci, t.addr, CC_TRB_ERROR, 0, false);
                ep->deq = next;
                continue;
            }
            break;
        case TRB_DATA:
            pid = (t.control & (1u << 16)) ? USB_TOKEN_IN : USB_TOKEN_OUT;
            break;
        case TRB_STATUS:
            pid = (t.control & (1u << 16)) ? USB_TOKEN_IN : USB_TOKEN_OUT;
            len = 0;
            break;
        case TRB_NORMAL:
            pid = dci == 1 ? USB_TOKEN_OUT : in_ep ? USB_TOKEN_IN : USB_TOKEN_OUT;
            break;
        case TRB_EVDATA:
            if (t.control & C_IOC) {
                transfer_event(s, slot, dci, t.param, CC_SUCCESS, 0, true);
            }
            ep->deq = next;
            continue;
        case TRB_NOOP:
            if (t.control & C_IOC) {
                transfer_event(s, slot, dci, t.addr, CC_SUCCESS, 0, false);
            }
            ep->deq = next;
            continue;
        default:
            transfer_event(s, slot, dci, t.addr, CC_TRB_ERROR, 0, false);
            ep->deq = next;
            continue;
        }
        size_t actual = 0;
        int r = run_packet(s, d, pid, epnum, t.param, len,
                           t.control & C_IDT, t.param, &actual);
        if (r == USB_RET_NAK) {
            ep->nak = true;
            s->any_nak = true;
            break;
        }
        ep->deq = next;
        if (r != USB_RET_SUCCESS) {
            unsigned cc = r == USB_RET_STALL ? CC_STALL :
                          r == USB_RET_BABBLE ? CC_BABBLE : CC_TX_ERROR;
            ep->state = EP_HALTED;
            transfer_event(s, slot, dci, t.addr, cc, len - actual, false);
            ep_sync(s, slot, dci);
            return;
        }
        if (pid == USB_TOKEN_IN && actual < len) {
            if (t.control & (C_ISP | C_IOC)) {
                transfer_event(s, slot, dci, t.addr, CC_SHORT, len - actual,
                               false);
            }
            skip = t.control & C_CH;
            continue;
        }
        if (t.control & C_IOC) {
            transfer_event(s, slot, dci, t.addr, CC_SUCCESS, 0, false);
        }
    }
    ep_sync(s, slot, dci);
}

static void retry_timer(void *opaque)
{
    struct xhci *s = opaque;
    if (!(s->cmd & CMD_RS)) {
        return;
    }
    s->any_nak = false;
    for (int i = 1; i <= XHCI_SLOTS; i++) {
        if (!s->slots[i].enabled) {
            continue;
        }
        for (int k = 1; k < 32; k++) {
            if (s->slots[i].ep[k].nak) {
                ep_kick(s, i, k);
            }
        }
    }
    if (s->any_nak && s->timer) {
        timer_mod_in(s->timer, 2000000);
    }
}

static void arm_retry(struct xhci *s)
{
    if (s->any_nak && s->timer && !timer_pending(s->timer)) {
        timer_mod_in(s->timer, 2000000);
    }
}

/* ---------------------------------------------------------------------------
 * Commands
 */

static unsigned cmd_address(struct xhci *s, int slot, uint64_t ictx, bool bsr)
{
    uint32_t ic[8], sc[8], e0[8];
    rd(s, ictx, ic, 32);
    rd(s, ictx + 32, sc, 32);
    rd(s, ictx + 64, e0, 32);
    for (int i = 0; i < 8; i++) {
        ic[i] = le32toh(ic[i]);
        sc[i] = le32toh(sc[i]);
        e0[i] = le32toh(e0[i]);
    }
    if ((ic[1] & 3) != 3) {
        return CC_PARAMETER;
    }
    int port = (sc[1] >> 16) & 0xff;
    if (port < 1 || port > XHCI_PORTS || port > XHCI_PORTS2 ||
        !s->bus->ports[port - 1].dev ||
        !(s->portsc[port - 1] & PS_PED)) {
        return CC_TX_ERROR;
    }
    s->slots[slot].port = port;
    uint64_t out = dev_ctx(s, slot);
    if (!out) {
        return CC_PARAMETER;
    }
    /* Output slot and EP0 contexts from the input ones. */
    uint32_t w[16];
    for (int i = 0; i < 8; i++) {
        w[i] = htole32(sc[i]);
        w[8 + i] = htole32(e0[i]);
    }
    as_rw(s->dma, out, w, 64, true);
    ep_init(s, slot, 1, e0);
    slot_state(s, slot, bsr ? 1 : 2, bsr ? 0 : slot);
    ep_sync(s, slot, 1);
    return CC_SUCCESS;
}

static unsigned cmd_configure(struct xhci *s, int slot, uint64_t ictx, bool dc)
{
    struct xhci_slot *sl = &s->slots[slot];
    uint64_t out = dev_ctx(s, slot);
    if (dc) {
        for (int k = 2; k < 32; k++) {
            sl->ep[k].state = EP_DISABLED;
            sl->ep[k].nak = false;
        }
        slot_state(s, slot, 2, slot);
        return CC_SUCCESS;
    }
    uint32_t ic[8];
    rd(s, ictx, ic, 32);
    uint32_t drop = le32toh(ic[0]), add = le32toh(ic[1]);
    for (int k = 2; k < 32; k++) {
        if (drop & (1u << k)) {
            sl->ep[k].state = EP_DISABLED;
            sl->ep[k].nak = false;
            wr32(s, out + 32 * k, 0);
        }
    }
    for (int k = 2; k < 32; k++) {
        if (!(add & (1u << k))) {
            continue;
        }
        uint32_t e[8];
        rd(s, ictx + 32 * (uint64_t)(k + 1), e, 32);
        for (int i = 0; i < 8; i++) {
            e[i] = le32toh(e[i]);
        }
        ep_init(s, slot, k, e);
        uint32_t w[8];
        for (int i = 0; i < 8; i++) {
            w[i] = htole32(e[i]);
        }
        as_rw(s->dma, out + 32 * k, w, 32, true);
        ep_sync(s, slot, k);
    }
    if (add & 1) {
        /* The slot context's Context Entries and the like. */
        uint32_t sc[8];
        rd(s, ictx + 32, sc, 32);
        uint32_t cur = rd32(s, out);
        wr32(s, out, (le32toh(sc[0]) & 0xf8000000u) | (cur & 0x07ffffffu));
    }
    slot_state(s, slot, 3, slot);
    return CC_SUCCESS;
}

/* EP0's max packet size (what the driver learnt from the device
 * descriptor) into the output context (§6.2.3.3). */
static unsigned cmd_evaluate(struct xhci *s, int slot, uint64_t ictx)
{
    uint32_t add = rd32(s, ictx + 4);
    uint64_t out = dev_ctx(s, slot);
    if (add & 2) {
        uint32_t in1 = rd32(s, ictx + 64 + 4);
        uint32_t cur = rd32(s, out + 32 + 4);
        wr32(s, out + 32 + 4, (cur & 0xffff) | (in1 & 0xffff0000u));
    }
    if (add & 1) {
        uint32_t in1 = rd32(s, ictx + 32 + 4), in2 = rd32(s, ictx + 32 + 8);
        uint32_t c1 = rd32(s, out + 4), c2 = rd32(s, out + 8);
        wr32(s, out + 4, (c1 & 0xffff0000u) | (in1 & 0xffff));
        wr32(s, out + 8, (c2 & 0x003fffffu) | (in2 & 0xffc00000u));
    }
    return CC_SUCCESS;
}

static void run_commands(struct xhci *s)
{
    if (!(s->cmd & CMD_RS)) {
        return;
    }
    s->crr = true;
    for (int n = 0; n < RING_BUDGET; n++) {
        struct trb t;
        read_trb(s, s->cr_deq, &t);
        if ((t.control & C_CYCLE) != (s->cr_ccs ? 1u : 0u)) {
            break;
        }
        unsigned type = (t.control >> 10) & 0x3f;
        if (type == TRB_LINK) {
            if (t.control & C_TC) {
                s->cr_ccs = !s->cr_ccs;
            }
            s->cr_deq = t.param & ~0xfULL;
            continue;
        }
        s->cr_deq += 16;
        int slot = t.control >> 24;
        unsigned cc = CC_SUCCESS;
        bool slot_ok = slot >= 1 && slot <= XHCI_SLOTS && slot <= s->max_slots_en &&
                       s->slots[slot].enabled;
        int dci = (t.control >> 16) & 0x1f;
        switch (type) {
        case CMD_ENABLE_SLOT:
            slot = 0;
            cc = CC_NO_SLOTS;
            for (int i = 1; i <= XHCI_SLOTS && i <= s->max_slots_en; i++) {
                if (!s->slots[i].enabled) {
                    memset(&s->slots[i], 0, sizeof(s->slots[i]));
                    s->slots[i].enabled = true;
                    slot = i;
                    cc = CC_SUCCESS;
                    break;
                }
            }
            break;
        case CMD_DISABLE_SLOT:
            if (!slot_ok) {
                cc = CC_SLOT_NOT_ENABLED;
                break;
            }
            memset(&s->slots[slot], 0, sizeof(s->slots[slot]));
            break;
        case CMD_ADDRESS:
            cc = slot_ok ? cmd_address(s, slot, t.param & ~0xfULL,
                                       t.control & (1u << 9))
                         : CC_SLOT_NOT_ENABLED;
            break;
        case CMD_CONFIGURE:
            cc = slot_ok ? cmd_configure(s, slot, t.param & ~0xfULL,
                                         t.control & (1u << 9))
                         : CC_SLOT_NOT_ENABLED;
            break;
        case CMD_EVALUATE:
            cc = slot_ok ? cmd_evaluate(s, slot, t.param & ~0xfULL)
                         : CC_SLOT_NOT_ENABLED;
            break;
        case CMD_RESET_EP:
        case CMD_STOP_EP:
        case CMD_SET_DEQ: {
            if (!slot_ok) {
                cc = CC_SLOT_NOT_ENABLED;
                break;
            }
            struct xhci_ep *ep = &s->slots[slot].ep[dci];
            if (dci < 1 || ep->state == EP_DISABLED) {
                cc = CC_EP_NOT_ENABLED;
                break;
            }
            if (type == CMD_RESET_EP) {
                if (ep->state != EP_HALTED) {
                    cc = CC_CONTEXT_STATE;
                    break;
                }
                ep->state = EP_STOPPED;
            } else if (type == CMD_STOP_EP) {
                ep->state = EP_STOPPED;
                ep->nak = false;
            } else {
                if (ep->state != EP_STOPPED && ep->state != EP_HALTED) {
                    cc = CC_CONTEXT_STATE;
                    break;
                }
                ep->deq = t.param & ~0xfULL;
                ep->ccs = t.param & 1;
                ep->state = EP_STOPPED;
            }
            ep_sync(s, slot, dci);
            break;
        }
        case CMD_RESET_DEV:
            if (!slot_ok) {
                cc = CC_SLOT_NOT_ENABLED;
                break;
            }
            for (int k = 2; k < 32; k++) {
                s->slots[slot].ep[k].state = EP_DISABLED;
                s->slots[slot].ep[k].nak = false;
            }
            slot_state(s, slot, 1, 0);
            break;
        case CMD_NOOP:
            break;
        default:
            cc = CC_TRB_ERROR;
            break;
        }
        post_event(s, t.addr, cc << 24,
                   EV_CMD_DONE << 10 | (uint32_t)slot << 24);
    }
    s->crr = false;
}

/* ---------------------------------------------------------------------------
 * Registers
 */

static void hc_reset(struct xhci *s)
{
    s->cmd = 0;
    s->sts = STS_HCH;
    s->dnctrl = 0;
    s->cr_deq = 0;
    s->cr_ccs = false;
    s->crr = false;
    s->dcbaap = 0;
    s->max_slots_en = 0;
    s->iman = 0;
    s->imod = 4000;
    s->erstsz = 0;
    s->erstba = 0;
    s->erdp = 0;
    s->any_nak = false;
    memset(s->slots, 0, sizeof(s->slots));
    for (int i = 0; i < XHCI_PORTS; i++) {
        s->portsc[i] = PS_PP;
        port_update(s, i, false);
    }
    if (s->timer) {
        timer_del(s->timer);
    }
    update_irq(s);
}

static uint32_t cap_read(struct xhci *s, unsigned off)
{
    switch (off) {
    case 0x00: return CAP_LEN | 0x0100u << 16;
    case 0x04: return XHCI_SLOTS | 1u << 8 | (uint32_t)XHCI_PORTS << 24;
    case 0x08: return 4u << 4;              /* ERST Max: 16 entries */
    case 0x0c: return 0;
    case 0x10: return 1 | (0x20u / 4) << 16; /* AC64, xECP at 0x20 */
    case 0x14: return DB_OFF;
    case 0x18: return RT_OFF;
    case 0x1c: return 0;
    /* Supported Protocol: USB 2.0 on ports 1-4, then USB 3.0 on 5-8. */
    case 0x20: return 2 | 4u << 8 | 0x0200u << 16;
    case 0x24: return 0x20425355;           /* "USB " */
    case 0x28: return 1 | XHCI_PORTS2 << 8;
    case 0x2c: return 0;
    case 0x30: return 2 | 0x0300u << 16;
    case 0x34: return 0x20425355;
    case 0x38: return (XHCI_PORTS2 + 1) | (XHCI_PORTS - XHCI_PORTS2) << 8;
    default: return 0;
    }
}

static uint32_t reg_read(struct xhci *s, unsigned off)
{
    if (off < CAP_LEN) {
        return cap_read(s, off);
    }
    if (off >= PORTS_OFF && off < PORTS_OFF + 0x10 * XHCI_PORTS) {
        unsigned i = (off - PORTS_OFF) / 0x10;
        return (off & 0xf) == 0 ? s->portsc[i] : 0;
    }
    if (off >= OPER && off < OPER + 0x400) {
        switch (off - OPER) {
        case 0x00: return s->cmd;
        case 0x04: return s->sts;
        case 0x08: return 1;                /* 4 KiB pages */
        case 0x14: return s->dnctrl;
        case 0x18: return s->crr ? 8 : 0;   /* the pointer reads as 0 */
        case 0x1c: return 0;
        case 0x30: return (uint32_t)s->dcbaap;
        case 0x34: return s->dcbaap >> 32;
        case 0x38: return s->max_slots_en;
        }
        return 0;
    }
    if (off >= RT_OFF && off < RT_OFF + 0x40) {
        switch (off - RT_OFF) {
        case 0x00: return (clock_ns(CLOCK_VIRT) / 125000) & 0x3fff;
        case 0x20: return s->iman;
        case 0x24: return s->imod;
        case 0x28: return s->erstsz;
        case 0x30: return (uint32_t)s->erstba;
        case 0x34: return s->erstba >> 32;
        case 0x38: return (uint32_t)s->erdp;
        case 0x3c: return s->erdp >> 32;
        }
        return 0;
    }
    return 0;   /* doorbells read as 0 */
}

static void oper_write(struct xhci *s, unsigned off, uint32_t v)
{
    switch (off) {
    case 0x00:
        if (v & CMD_HCRST) {
            hc_reset(s);
            return;
        }
        if ((v & CMD_RS) && !(s->cmd & CMD_RS)) {
            s->sts &= ~STS_HCH;
        } else if (!(v & CMD_RS) && (s->cmd & CMD_RS)) {
            s->sts |= STS_HCH;
            s->crr = false;
        }
        s->cmd = v & 0x3f0d;
        update_irq(s);
        break;
    case 0x04:
        s->sts &= ~(v & (STS_HSE | STS_EINT | STS_PCD | (1u << 10)));
        update_irq(s);
        break;
    case 0x14:
        s->dnctrl = v & 0xffff;
        break;
    case 0x18:
        if (!s->crr) {
            s->cr_deq = (s->cr_deq & 0xffffffff00000000ULL) | (v & ~0x3fu);
            s->cr_ccs = v & 1;
        } else if (v & 6) {
            /* Command stop/abort: the ring stops after the current one. */
            s->crr = false;
        }
        break;
    case 0x1c:
        if (!s->crr) {
            s->cr_deq = (s->cr_deq & 0xffffffffULL) | (uint64_t)v << 32;
        }
        break;
    case 0x30:
        s->dcbaap = (s->dcbaap & 0xffffffff00000000ULL) | (v & ~0x3fu);
        break;
    case 0x34:
        s->dcbaap = (s->dcbaap & 0xffffffffULL) | (uint64_t)v << 32;
        break;
    case 0x38:
        s->max_slots_en = MIN(v & 0xff, (uint32_t)XHCI_SLOTS);
        break;
    }
}

static void rt_write(struct xhci *s, unsigned off, uint32_t v)
{
    switch (off) {
    case 0x20:
        s->iman = (s->iman & ~(v & 1)) & 1;
        s->iman |= v & 2;
        update_irq(s);
        break;
    case 0x24:
        s->imod = v;
        break;
    case 0x28:
        s->erstsz = MIN(v & 0xffff, 16u);
        er_reset(s);
        break;
    case 0x30:
        s->erstba = (s->erstba & 0xffffffff00000000ULL) | (v & ~0x3fu);
        er_reset(s);
        break;
    case 0x34:
        s->erstba = (s->erstba & 0xffffffffULL) | (uint64_t)v << 32;
        er_reset(s);
        break;
    case 0x38: {
        /* EHB (bit 3) is write-1-to-clear; the rest is the pointer. */
        uint64_t busy = (s->erdp & 8) && !(v & 8) ? 8 : 0;
        s->erdp = (s->erdp & 0xffffffff00000000ULL) | (v & ~0xfu) | busy;
        if (s->er_full) {
            s->er_full = false;
        }
        break;
    }
    case 0x3c:
        s->erdp = (s->erdp & 0xffffffffULL) | (uint64_t)v << 32;
        break;
    }
}

static void doorbell(struct xhci *s, unsigned n, uint32_t v)
{
    if (!(s->cmd & CMD_RS)) {
        return;
    }
    if (n == 0) {
        if ((v & 0xff) == 0) {
            run_commands(s);
        }
        return;
    }
    unsigned dci = v & 0xff;
    if (n > XHCI_SLOTS || !s->slots[n].enabled || dci < 1 || dci > 31) {
        return;
    }
    struct xhci_ep *ep = &s->slots[n].ep[dci];
    if (ep->state == EP_STOPPED) {
        ep->state = EP_RUNNING;
    }
    ep_kick(s, n, dci);
    arm_retry(s);
}

uint64_t xhci_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct xhci *s = opaque;
    uint32_t v = reg_read(s, off & ~3u);
    if (size == 8) {
        return v | (uint64_t)reg_read(s, (off & ~3u) + 4) << 32;
    }
    v >>= 8 * (off & 3);
    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

void xhci_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct xhci *s = opaque;
    if (size == 8) {
        xhci_mmio_write(opaque, off, (uint32_t)val, 4);
        xhci_mmio_write(opaque, off + 4, val >> 32, 4);
        return;
    }
    if (size != 4 || (off & 3)) {
        return;     /* the registers are dword-wide (§5.1) */
    }
    uint32_t v = val;
    if (off >= PORTS_OFF && off < PORTS_OFF + 0x10 * XHCI_PORTS) {
        if ((off & 0xf) == 0) {
            port_write(s, (off - PORTS_OFF) / 0x10, v);
        }
    } else if (off >= OPER && off < OPER + 0x400) {
        oper_write(s, off - OPER, v);
    } else if (off >= RT_OFF && off < RT_OFF + 0x40) {
        rt_write(s, off - RT_OFF, v);
    } else if (off >= DB_OFF && off < DB_OFF + 4 * (XHCI_SLOTS + 1)) {
        doorbell(s, (off - DB_OFF) / 4, v);
    }
}

static const struct mem_ops mmio_ops = {
    .read = xhci_mmio_read, .write = xhci_mmio_write,
    .valid_min = 1, .valid_max = 8, .impl_min = 1, .impl_max = 8,
};

void xhci_init(struct xhci *s, struct addr_space *dma)
{
    s->dma = dma;
    s->bus = usb_bus_new(XHCI_PORTS2, (1 << USB_SPEED_LOW) |
                         (1 << USB_SPEED_FULL) | (1 << USB_SPEED_HIGH),
                         &port_ops, s);
    hc_reset(s);
}

static void xhci_dev_reset(struct device *dev)
{
    struct xhci *s = (struct xhci *)dev;
    pci_device_reset(&s->pci);
    hc_reset(s);
}

static int realize(struct device *dev, uint16_t vendor, uint16_t device,
                   struct err **errp)
{
    struct xhci *s = (struct xhci *)dev;
    if (!pci_default_bus) {
        err_setf(errp, "No 'PCI' bus found for device '%s'", dev->type->name);
        return -1;
    }
    if (pci_device_plug(pci_default_bus, &s->pci, errp) < 0) {
        return -1;
    }
    uint8_t *c = s->pci.config;
    pci_set_word(c + PCI_VENDOR_ID, vendor);
    pci_set_word(c + PCI_DEVICE_ID, device);
    c[PCI_REVISION_ID] = 1;
    c[PCI_CLASS_PROG] = 0x30;
    pci_set_word(c + PCI_CLASS_DEVICE, 0x0c03);
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
    pci_set_word(c + PCI_SUBSYSTEM_ID, 0x1100);
    c[PCI_INTERRUPT_PIN] = 1;
    c[0x60] = 0x30;         /* SBRN: USB 3.0 */
    c[0x61] = 0x20;         /* FLADJ */
    mem_region_init_io(&s->mmio, "xhci", MMIO_SIZE, &mmio_ops, s);
    pci_register_bar(&s->pci, 0, PCI_BAR_MEM64, &s->mmio);
    xhci_init(s, pci_default_bus->mem);
    s->bus->devfn = s->pci.devfn;
    s->timer = timer_new(CLOCK_VIRT, retry_timer, s);
    xhci_dev_reset(dev);
    return 0;
}

static int qemu_xhci_realize(struct device *dev, struct err **errp)
{
    return realize(dev, 0x1b36, 0x000d, errp);
}

static int nec_xhci_realize(struct device *dev, struct err **errp)
{
    return realize(dev, 0x1033, 0x0194, errp);
}

static const struct prop xhci_props[] = {
    PCI_DEVICE_PROPS(struct xhci),
    { NULL },
};

static const struct dev_type qemu_xhci_type = {
    .name = "qemu-xhci", .category = "USB", .bus = BUS_PCI,
    .size = sizeof(struct xhci), .props = xhci_props, .user_creatable = true,
    .realize = qemu_xhci_realize, .reset = xhci_dev_reset,
};
DEV_TYPE(qemu_xhci_type);

static const struct dev_type nec_xhci_type = {
    .name = "nec-usb-xhci", .category = "USB", .bus = BUS_PCI,
    .size = sizeof(struct xhci), .props = xhci_props, .user_creatable = true,
    .realize = nec_xhci_realize, .reset = xhci_dev_reset,
};
DEV_TYPE(nec_xhci_type);
