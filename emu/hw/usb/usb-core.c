/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usb-core.c - buses, ports and endpoint 0 of every USB device (USB 2.0
 * §8.5.3 control transfers, §9.4 standard device requests).  A control
 * transfer is SETUP, an optional data stage, and a status stage in the
 * other direction; requests without a device-to-host data stage take
 * effect at the status stage (SET_ADDRESS must: the status stage still
 * goes to the old address, §9.4.6).  Everything the host sends is
 * checked: a request the device cannot answer stalls the transfer.
 */
#include "emu/osdep.h"

#include "emu/hw/usb/usb.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

static struct usb_bus *buses;
static int bus_count;

struct usb_bus *usb_bus_new(int nports, int speed_mask,
                            const struct usb_port_ops *ops, void *opaque)
{
    struct usb_bus *b = xzalloc(sizeof(*b));
    snprintf(b->name, sizeof(b->name), "usb-bus.%d", bus_count++);
    b->nports = MIN(nports, USB_MAX_PORTS);
    for (int i = 0; i < b->nports; i++) {
        b->ports[i].bus = b;
        b->ports[i].index = i;
        b->ports[i].speed_mask = speed_mask;
    }
    b->ops = ops;
    b->opaque = opaque;
    struct usb_bus **pp = &buses;
    while (*pp) {
        pp = &(*pp)->next;
    }
    *pp = b;
    return b;
}

void usb_bus_free(struct usb_bus *b)
{
    for (struct usb_bus **pp = &buses; *pp; pp = &(*pp)->next) {
        if (*pp == b) {
            *pp = b->next;
            break;
        }
    }
    for (int i = 0; i < b->nports; i++) {
        if (b->ports[i].dev) {
            b->ports[i].dev->port = NULL;
        }
    }
    free(b);
}

struct usb_bus *usb_bus_first(void)
{
    return buses;
}

static struct usb_bus *bus_by_name(const char *name)
{
    for (struct usb_bus *b = buses; b; b = b->next) {
        if (!strcmp(b->name, name)) {
            return b;
        }
    }
    return NULL;
}

int usb_device_attach(struct usb_device *d, struct err **errp)
{
    const char *tn = d->dev.type->name;
    struct usb_bus *b;
    if (d->bus_name) {
        b = bus_by_name(d->bus_name);
        if (!b) {
            err_setf(errp, "Bus '%s' not found", d->bus_name);
            return -1;
        }
    } else {
        b = buses;
        if (!b) {
            err_setf(errp, "No 'usb-bus' bus found for device '%s'", tn);
            return -1;
        }
    }
    struct usb_port *port = NULL;
    if (d->port_name) {
        char *end;
        long n = strtol(d->port_name, &end, 10);
        if (*end == '.') {
            err_setf(errp, "usb port %s: hubs are not supported", d->port_name);
            return -1;
        }
        if (!*d->port_name || *end || n < 1 || n > b->nports) {
            err_setf(errp, "usb port %s (bus %s) not found", d->port_name,
                     b->name);
            return -1;
        }
        port = &b->ports[n - 1];
        if (port->dev) {
            err_setf(errp, "usb port %s (bus %s) is in use", d->port_name,
                     b->name);
            return -1;
        }
    } else {
        /* Without bus=, any bus with a free port (as QEMU's free list). */
        for (struct usb_bus *bb = b; bb && !port; bb = d->bus_name ? NULL : bb->next) {
            for (int i = 0; i < bb->nports; i++) {
                if (!bb->ports[i].dev &&
                    (bb->ports[i].speed_mask & (1 << d->speed))) {
                    port = &bb->ports[i];
                    break;
                }
            }
        }
        if (!port) {
            err_setf(errp, "Failed to assign port for device '%s'", tn);
            return -1;
        }
    }
    if (!(port->speed_mask & (1 << d->speed))) {
        err_setf(errp, "Warning: speed mismatch trying to attach usb device "
                 "\"%s\" to bus \"%s\"", tn, port->bus->name);
        return -1;
    }
    port->dev = d;
    d->port = port;
    usb_device_reset(d);
    if (d->ops->attached) {
        d->ops->attached(d, true);
    }
    if (port->bus->ops && port->bus->ops->changed) {
        port->bus->ops->changed(port->bus->opaque, port->index);
    }
    return 0;
}

void usb_device_detach(struct usb_device *d)
{
    struct usb_port *port = d->port;
    if (!port) {
        return;
    }
    if (d->ops->attached) {
        d->ops->attached(d, false);
    }
    port->dev = NULL;
    d->port = NULL;
    if (port->bus->ops && port->bus->ops->changed) {
        port->bus->ops->changed(port->bus->opaque, port->index);
    }
}

void usb_device_reset(struct usb_device *d)
{
    d->addr = 0;
    d->pending_addr = 0;
    d->config = 0;
    d->state = CTRL_IDLE;
    d->halted = 0;
    d->remote_wakeup = false;
    if (d->ops->reset) {
        d->ops->reset(d);
    }
}

struct usb_device *usb_bus_find(struct usb_bus *b, uint8_t addr,
                                const bool *enabled)
{
    for (int i = 0; i < b->nports; i++) {
        struct usb_device *d = b->ports[i].dev;
        if (d && (!enabled || enabled[i]) && d->addr == addr) {
            return d;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------------------
 * Standard requests
 */

/* A string descriptor from ASCII: UTF-16LE (§9.6.7). */
static int string_desc(const char *s, uint8_t *out)
{
    size_t n = strlen(s);
    n = MIN(n, (size_t)126);
    out[0] = 2 + 2 * n;
    out[1] = USB_DT_STRING;
    for (size_t i = 0; i < n; i++) {
        out[2 + 2 * i] = s[i];
        out[3 + 2 * i] = 0;
    }
    return 2 + 2 * n;
}

static int get_descriptor(struct usb_device *d, uint16_t value, uint8_t *out)
{
    uint8_t type = value >> 8, index = value & 0xff;
    const struct usb_descs *ds = d->descs;
    switch (type) {
    case USB_DT_DEVICE:
        memcpy(out, ds->device, 18);
        return 18;
    case USB_DT_CONFIG:
        if (index != 0 || ds->config_len > USB_CTRL_BUF) {
            return -1;
        }
        memcpy(out, ds->config, ds->config_len);
        return ds->config_len;
    case USB_DT_STRING:
        if (index == 0) {
            /* LANGID 0x0409, English (United States). */
            out[0] = 4;
            out[1] = USB_DT_STRING;
            out[2] = 0x09;
            out[3] = 0x04;
            return 4;
        }
        for (int i = 1; ds->strings && ds->strings[i - 1]; i++) {
            if (i == index) {
                return string_desc(ds->strings[i - 1], out);
            }
        }
        return -1;
    default:
        return -1;
    }
}

/* The number of the interface the configuration tree has, for range
 * checks of GET/SET_INTERFACE. */
static int interface_count(const struct usb_descs *ds)
{
    return ds->config_len >= 5 ? ds->config[4] : 0;
}

/* Run the request in d->setup with data in/out of d->buf; the length of
 * IN data, 0 for others, negative to stall. */
static int do_request(struct usb_device *d, uint16_t length)
{
    uint8_t type = d->setup[0], req = d->setup[1];
    uint16_t value = d->setup[2] | d->setup[3] << 8;
    uint16_t index = d->setup[4] | d->setup[5] << 8;
    int recipient = type & 0x1f;
    if ((type & 0x60) == 0) {
        switch (req) {
        case USB_REQ_GET_STATUS:
            if (!(type & 0x80) || length < 2) {
                break;
            }
            d->buf[0] = 0;
            d->buf[1] = 0;
            if (recipient == 0) {
                /* Self-powered, remote wakeup as the host set it. */
                d->buf[0] = 1 | (d->remote_wakeup ? 2 : 0);
            } else if (recipient == 2) {
                int ep = index & 0xf;
                d->buf[0] = (d->halted >> (ep + (index & 0x80 ? 0 : 16))) & 1;
            }
            return 2;
        case USB_REQ_CLEAR_FEATURE:
        case USB_REQ_SET_FEATURE: {
            bool on = req == USB_REQ_SET_FEATURE;
            if (type & 0x80) {
                return -1;
            }
            if (recipient == 0 && value == 1) {         /* remote wakeup */
                d->remote_wakeup = on;
                return 0;
            }
            if (recipient == 2 && value == 0) {         /* endpoint halt */
                uint32_t bit = 1u << ((index & 0xf) + (index & 0x80 ? 0 : 16));
                d->halted = on ? d->halted | bit : d->halted & ~bit;
                return 0;
            }
            if (recipient == 0 && value == 2) {         /* test mode */
                return 0;
            }
            return -1;
        }
        case USB_REQ_SET_ADDRESS:
            if (type != 0 || value > 127) {
                return -1;
            }
            d->addr = value;
            return 0;
        case USB_REQ_GET_DESCRIPTOR:
            if (type == 0x80) {
                return get_descriptor(d, value, d->buf);
            }
            break;      /* an interface's (HID report) descriptor */
        case USB_REQ_GET_CONFIGURATION:
            if (type != 0x80) {
                return -1;
            }
            d->buf[0] = d->config;
            return 1;
        case USB_REQ_SET_CONFIGURATION: {
            if (type != 0) {
                return -1;
            }
            uint8_t cv = d->descs->config_len >= 6 ? d->descs->config[5] : 1;
            if ((value & 0xff) != 0 && (value & 0xff) != cv) {
                return -1;
            }
            d->config = value & 0xff;
            d->halted = 0;
            return 0;
        }
        case USB_REQ_GET_INTERFACE:
            if (type != 0x81 || !d->config ||
                index >= interface_count(d->descs)) {
                return -1;
            }
            d->buf[0] = 0;
            return 1;
        case USB_REQ_SET_INTERFACE:
            if (type != 0x01 || !d->config || value != 0 ||
                index >= interface_count(d->descs)) {
                return -1;
            }
            return 0;
        default:
            return -1;
        }
    }
    if (!d->ops->control) {
        return -1;
    }
    int r = d->ops->control(d, type, req, value, index, length, d->buf);
    return r > USB_CTRL_BUF ? -1 : r;
}

static int control_packet(struct usb_device *d, struct usb_packet *p)
{
    p->actual = 0;
    if (p->pid == USB_TOKEN_SETUP) {
        /* A SETUP always starts over, whatever stage we were in. */
        if (p->len != 8) {
            d->state = CTRL_STALLED;
            return USB_RET_STALL;
        }
        memcpy(d->setup, p->data, 8);
        uint16_t length = d->setup[6] | d->setup[7] << 8;
        d->buf_pos = 0;
        d->buf_len = 0;
        if (d->setup[0] & 0x80) {
            int r = do_request(d, length);
            if (r < 0) {
                d->state = CTRL_STALLED;
            } else {
                d->buf_len = MIN((size_t)r, (size_t)length);
                d->state = CTRL_DATA_IN;
            }
        } else if (length) {
            if (length > USB_CTRL_BUF) {
                d->state = CTRL_STALLED;
            } else {
                d->buf_len = length;
                d->state = CTRL_DATA_OUT;
            }
        } else {
            d->state = CTRL_STATUS_IN;
        }
        p->actual = 8;
        return USB_RET_SUCCESS;
    }
    switch (d->state) {
    case CTRL_DATA_IN:
        if (p->pid == USB_TOKEN_IN) {
            size_t n = MIN(p->len, d->buf_len - d->buf_pos);
            memcpy(p->data, d->buf + d->buf_pos, n);
            d->buf_pos += n;
            p->actual = n;
            return USB_RET_SUCCESS;
        }
        /* The OUT status stage ends the transfer (possibly early). */
        d->state = CTRL_IDLE;
        return USB_RET_SUCCESS;
    case CTRL_DATA_OUT:
        if (p->pid == USB_TOKEN_OUT) {
            size_t n = MIN(p->len, d->buf_len - d->buf_pos);
            if (p->len > n) {
                d->state = CTRL_STALLED;
                return USB_RET_STALL;
            }
            memcpy(d->buf + d->buf_pos, p->data, n);
            d->buf_pos += n;
            p->actual = n;
            if (d->buf_pos == d->buf_len) {
                d->state = CTRL_STATUS_IN;
            }
            return USB_RET_SUCCESS;
        }
        d->state = CTRL_STALLED;
        return USB_RET_STALL;
    case CTRL_STATUS_IN: {
        if (p->pid != USB_TOKEN_IN) {
            d->state = CTRL_STALLED;
            return USB_RET_STALL;
        }
        uint16_t length = d->setup[6] | d->setup[7] << 8;
        int r = do_request(d, length);
        d->state = r < 0 ? CTRL_STALLED : CTRL_IDLE;
        return r < 0 ? USB_RET_STALL : USB_RET_SUCCESS;
    }
    case CTRL_STALLED:
        return USB_RET_STALL;
    case CTRL_IDLE:
    default:
        /* A status stage repeated, or a stray token: nothing to do. */
        return p->pid == USB_TOKEN_IN || !p->len ? USB_RET_SUCCESS
                                                  : USB_RET_STALL;
    }
}

int usb_handle_packet(struct usb_device *d, struct usb_packet *p)
{
    p->actual = 0;
    if (p->ep == 0) {
        return control_packet(d, p);
    }
    if (p->pid == USB_TOKEN_SETUP || !d->config || !d->ops->data) {
        return USB_RET_STALL;
    }
    uint32_t bit = 1u << ((p->ep & 0xf) + (p->pid == USB_TOKEN_IN ? 0 : 16));
    if (d->halted & bit) {
        return USB_RET_STALL;
    }
    int r = d->ops->data(d, p);
    if (r == USB_RET_SUCCESS && p->actual > p->len) {
        p->actual = p->len;
        return USB_RET_BABBLE;
    }
    return r;
}
