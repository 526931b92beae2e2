/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usb.h - the USB device model shared by host controllers and devices
 * (USB 2.0 specification chapter 9: device states, standard requests and
 * descriptors; §8.5.3 control transfers).  A controller owns a bus of
 * root ports; a device plugs into a free port, answers packets
 * (SETUP/IN/OUT tokens with their data) synchronously, and says NAK
 * when it has nothing to send.  The core runs endpoint 0 (the three
 * stages of a control transfer and the standard requests); a device
 * type supplies its descriptors, class requests and its other
 * endpoints.
 */
#ifndef HEMU_EMU_HW_USB_USB_H
#define HEMU_EMU_HW_USB_USB_H

#include "emu/hw/dev.h"

#define USB_TOKEN_SETUP 0x2d
#define USB_TOKEN_IN 0x69
#define USB_TOKEN_OUT 0xe1

/* Packet results. */
#define USB_RET_SUCCESS 0
#define USB_RET_NAK (-1)
#define USB_RET_STALL (-2)
#define USB_RET_NODEV (-3)
#define USB_RET_BABBLE (-4)

#define USB_SPEED_LOW 0
#define USB_SPEED_FULL 1
#define USB_SPEED_HIGH 2
#define USB_SPEED_SUPER 3

/* Standard requests (USB 2.0 table 9-4). */
#define USB_REQ_GET_STATUS 0
#define USB_REQ_CLEAR_FEATURE 1
#define USB_REQ_SET_FEATURE 3
#define USB_REQ_SET_ADDRESS 5
#define USB_REQ_GET_DESCRIPTOR 6
#define USB_REQ_SET_DESCRIPTOR 7
#define USB_REQ_GET_CONFIGURATION 8
#define USB_REQ_SET_CONFIGURATION 9
#define USB_REQ_GET_INTERFACE 10
#define USB_REQ_SET_INTERFACE 11

#define USB_DT_DEVICE 1
#define USB_DT_CONFIG 2
#define USB_DT_STRING 3
#define USB_DT_INTERFACE 4
#define USB_DT_ENDPOINT 5

/* Largest control transfer data stage the core buffers. */
#define USB_CTRL_BUF 4096

struct usb_packet {
    int pid;                /* USB_TOKEN_* */
    uint8_t ep;             /* endpoint number (0-15) */
    uint8_t *data;          /* OUT/SETUP: what was sent; IN: room */
    size_t len;             /* OUT: bytes sent; IN: room */
    size_t actual;          /* bytes moved */
};

struct usb_device;

struct usb_device_ops {
    /* A class/vendor/interface request, or a standard one the core does
     * not answer (GET_DESCRIPTOR of a class type).  For IN requests fill
     * data (at most USB_CTRL_BUF bytes) and return the length; for OUT
     * requests data holds wLength bytes.  Negative: stall. */
    int (*control)(struct usb_device *d, uint8_t type, uint8_t req,
                   uint16_t value, uint16_t index, uint16_t length,
                   uint8_t *data);
    /* A packet to an endpoint other than 0: USB_RET_*. */
    int (*data)(struct usb_device *d, struct usb_packet *p);
    /* Bus reset: back to the default state (the core clears address
     * and configuration). */
    void (*reset)(struct usb_device *d);
    /* Now attached to / detached from a port (e.g. to take input). */
    void (*attached)(struct usb_device *d, bool on);
};

/* Descriptors a device type hands to the core, as bytes. */
struct usb_descs {
    const uint8_t *device;          /* 18 bytes */
    const uint8_t *config;          /* the whole configuration tree */
    size_t config_len;
    const char *const *strings;     /* index 1.. (NULL-terminated) */
};

enum usb_ctrl_state {
    CTRL_IDLE,
    CTRL_DATA_IN,       /* device to host data stage */
    CTRL_DATA_OUT,      /* host to device data stage */
    CTRL_STATUS_IN,     /* the host's IN status stage is next */
    CTRL_STALLED,
};

struct usb_port;

struct usb_device {
    struct device dev;
    const struct usb_device_ops *ops;
    const struct usb_descs *descs;
    char *bus_name;         /* bus= property */
    char *port_name;        /* port= property */
    int speed;
    struct usb_port *port;
    uint8_t addr;
    uint8_t pending_addr;
    uint8_t config;
    bool remote_wakeup;
    /* endpoint 0 */
    enum usb_ctrl_state state;
    uint8_t setup[8];
    uint8_t buf[USB_CTRL_BUF];
    size_t buf_len, buf_pos;
    /* endpoint halt bits, IN (0-15) and OUT (16-31) */
    uint32_t halted;
};

/* Properties every USB device type takes (bus=, port=). */
#define USB_DEVICE_PROPS(st)                                              \
    PROP("bus", PROP_STR, st, usb.bus_name, NULL, "USB bus"),            \
    PROP("port", PROP_STR, st, usb.port_name, NULL, "root port number")

struct usb_bus;

struct usb_port_ops {
    /* The device on the port changed (attach or detach). */
    void (*changed)(void *opaque, int port);
};

struct usb_port {
    struct usb_bus *bus;
    int index;              /* 0-based */
    struct usb_device *dev;
    int speed_mask;         /* which speeds the port accepts */
};

#define USB_MAX_PORTS 16

struct usb_bus {
    char name[32];          /* "usb-bus.N" */
    int nports;
    struct usb_port ports[USB_MAX_PORTS];
    const struct usb_port_ops *ops;
    void *opaque;
    int devfn;              /* the controller's PCI address (boot paths) */
    struct usb_bus *next;
};

/* A controller registers its root ports (named usb-bus.0, .1, ...). */
struct usb_bus *usb_bus_new(int nports, int speed_mask,
                            const struct usb_port_ops *ops, void *opaque);
void usb_bus_free(struct usb_bus *b);
struct usb_bus *usb_bus_first(void);

/* Realize helper for device types: set ops/descs first, then plug into
 * bus= (or the first bus with a free port) at port= (or the first free). */
int usb_device_attach(struct usb_device *d, struct err **errp);
void usb_device_detach(struct usb_device *d);
/* Bus reset of the device (port reset). */
void usb_device_reset(struct usb_device *d);
/* Run one packet; USB_RET_*, p->actual set. */
int usb_handle_packet(struct usb_device *d, struct usb_packet *p);
/* The device behind address addr among the enabled ports' devices. */
struct usb_device *usb_bus_find(struct usb_bus *b, uint8_t addr,
                                const bool *enabled);

/* -usb / -usbdevice (emu/hw/usb/usb-cli.c). */
int opt_usb(const char *arg, struct err **errp);
int opt_usbdevice(const char *arg, struct err **errp);
/* -usb or -usbdevice was given (the machine must have USB). */
bool usb_requested(void);
/* The board adds the UHCI at 00:01.2 when -usb asked for it, then the
 * -usbdevice devices. */
int usb_pc_init(struct err **errp);

#endif
