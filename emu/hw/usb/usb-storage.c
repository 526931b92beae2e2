/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usb-storage.c - a USB mass storage disk (USB Mass Storage Class
 * Bulk-Only Transport 1.0: CBW/data/CSW on bulk endpoints 0x81 and 0x02,
 * the Reset and Get Max LUN requests) speaking the SCSI commands Linux's
 * sd and SeaBIOS's usb-msc use (SPC-3/SBC-3: TEST UNIT READY, REQUEST
 * SENSE, INQUIRY, MODE SENSE(6/10), READ CAPACITY(10/16), READ/WRITE
 * (6/10/12/16), SYNCHRONIZE CACHE, VERIFY, START STOP UNIT, PREVENT
 * ALLOW MEDIUM REMOVAL, REPORT LUNS).  READ and WRITE go through the
 * block backend asynchronously; the bulk endpoints NAK until the data
 * or the status is there.  Everything in a CBW is checked: a bad
 * signature or length halts both endpoints (the host then does reset
 * recovery), transfers longer than the buffer fail the command, block
 * ranges are checked against the disk's size.
 */
#include "emu/osdep.h"

#include "block-protocols/blk-backend.h"
#include "emu/blk/drive.h"
#include "emu/hw/bootorder.h"
#include "emu/hw/usb/usb.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#define MSC_BUF (1u << 20)     /* largest data phase (Linux asks <= 240 KiB) */
#define MSC_PKT 64

enum msc_state { MSC_CBW, MSC_DATA_IN, MSC_DATA_OUT, MSC_CSW };

struct usb_msc {
    struct usb_device usb;
    char *drive;
    struct blk *blk;
    enum msc_state state;
    uint32_t tag, expect;       /* from the CBW */
    bool dir_in;
    uint8_t cdb[16];
    uint8_t *buf;
    uint32_t len, pos;          /* data the device has / has moved */
    uint8_t status;             /* CSW status */
    bool busy;                  /* a block request is in flight */
    uint64_t io_off;
    uint8_t sense[3];           /* key, ASC, ASCQ */
    uint64_t sectors;
};

static void set_sense(struct usb_msc *s, uint8_t key, uint8_t asc, uint8_t ascq)
{
    s->sense[0] = key;
    s->sense[1] = asc;
    s->sense[2] = ascq;
    s->status = key ? 1 : 0;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static void io_done(void *opaque, int ret)
{
    struct usb_msc *s = opaque;
    s->busy = false;
    if (ret < 0) {
        /* MEDIUM ERROR: unrecovered read error / write fault */
        set_sense(s, 3, s->dir_in ? 0x11 : 0x0c, 0);
        /* A data phase still runs (as zeros); the CSW says it failed. */
        s->len = 0;
    }
}

/* Start READ/WRITE of n blocks at lba. */
static void rw(struct usb_msc *s, uint64_t lba, uint32_t n, bool write)
{
    uint64_t bytes = (uint64_t)n * 512;
    if (lba > s->sectors || n > s->sectors - lba) {
        set_sense(s, 5, 0x21, 0);   /* LBA out of range */
        return;
    }
    if (bytes > MSC_BUF || bytes > s->expect || write == s->dir_in) {
        /* More than the host said it would move, or the wrong way. */
        s->status = 2;
        return;
    }
    if (write && s->blk->read_only) {
        set_sense(s, 7, 0x27, 0);   /* write protected */
        return;
    }
    s->len = bytes;
    s->io_off = lba * 512;
    if (!write && bytes) {
        s->busy = true;
        blk_submit(s->blk, BLK_READ, s->io_off, s->buf, bytes, io_done, s);
    }
}

static int inquiry(struct usb_msc *s, uint8_t *b)
{
    if (s->cdb[1] & 1) {
        /* VPD: only the list of supported pages. */
        if (s->cdb[2] != 0) {
            set_sense(s, 5, 0x24, 0);
            return 0;
        }
        b[0] = 0;
        b[1] = 0;
        b[2] = 0;
        b[3] = 1;
        b[4] = 0;
        return 5;
    }
    memset(b, 0, 36);
    b[0] = 0;           /* direct access block device */
    b[1] = 0x80;        /* removable, as QEMU's usb-storage */
    b[2] = 5;           /* SPC-3 */
    b[3] = 2;
    b[4] = 31;
    memcpy(b + 8, "QEMU    ", 8);
    memcpy(b + 16, "QEMU HARDDISK   ", 16);
    memcpy(b + 32, "2.5+", 4);
    return 36;
}

static int mode_sense(struct usb_msc *s, uint8_t *b, bool ten)
{
    int page = s->cdb[2] & 0x3f;
    int h = ten ? 8 : 4;
    memset(b, 0, 64);
    int n = h;
    if (page == 0x08 || page == 0x3f) {
        /* Caching page: write cache as the drive has it. */
        b[n] = 0x08;
        b[n + 1] = 0x12;
        b[n + 2] = s->blk->write_cache ? 0x04 : 0;
        n += 20;
    } else if (page != 0) {
        set_sense(s, 5, 0x24, 0);
        return 0;
    }
    uint8_t wp = s->blk->read_only ? 0x80 : 0;
    if (ten) {
        b[0] = (n - 2) >> 8;
        b[1] = (n - 2) & 0xff;
        b[3] = wp;
    } else {
        b[0] = n - 1;
        b[2] = wp;
    }
    return n;
}

/* Carry out the CBW's command; sets len/buf for the data phase. */
static void scsi_command(struct usb_msc *s)
{
    uint8_t *b = s->buf;
    const uint8_t *c = s->cdb;
    s->len = 0;
    set_sense(s, 0, 0, 0);
    switch (c[0]) {
    case 0x00:      /* TEST UNIT READY */
    case 0x1b:      /* START STOP UNIT */
    case 0x1e:      /* PREVENT ALLOW MEDIUM REMOVAL */
    case 0x2f:      /* VERIFY(10) */
        break;
    case 0x35:      /* SYNCHRONIZE CACHE(10) */
        s->busy = true;
        blk_submit(s->blk, BLK_FLUSH, 0, NULL, 0, io_done, s);
        break;
    case 0x03: {    /* REQUEST SENSE: the last error, then cleared */
        uint8_t key = s->sense[0], asc = s->sense[1], ascq = s->sense[2];
        memset(b, 0, 18);
        b[0] = 0x70;
        b[2] = key;
        b[7] = 10;
        b[12] = asc;
        b[13] = ascq;
        s->len = 18;
        break;
    }
    case 0x12:      /* INQUIRY */
        s->len = inquiry(s, b);
        break;
    case 0x1a:      /* MODE SENSE(6) */
        s->len = mode_sense(s, b, false);
        break;
    case 0x5a:      /* MODE SENSE(10) */
        s->len = mode_sense(s, b, true);
        break;
    case 0x25: {    /* READ CAPACITY(10) */
        uint64_t last = s->sectors ? s->sectors - 1 : 0;
        be32(b, last > 0xffffffffu ? 0xffffffffu : (uint32_t)last);
        be32(b + 4, 512);
        s->len = 8;
        break;
    }
    case 0x9e:      /* SERVICE ACTION IN(16) */
        if ((c[1] & 0x1f) != 0x10) {
            set_sense(s, 5, 0x24, 0);
            break;
        }
        memset(b, 0, 32);
        be32(b, (uint32_t)((s->sectors - 1) >> 32));
        be32(b + 4, (uint32_t)(s->sectors - 1));
        be32(b + 8, 512);
        s->len = 32;
        break;
    case 0xa0:      /* REPORT LUNS: LUN 0 */
        memset(b, 0, 16);
        b[3] = 8;
        s->len = 16;
        break;
    case 0x08: case 0x0a: {     /* READ(6) / WRITE(6) */
        uint32_t lba = (c[1] & 0x1f) << 16 | c[2] << 8 | c[3];
        rw(s, lba, c[4] ? c[4] : 256, c[0] == 0x0a);
        return;
    }
    case 0x28: case 0x2a:       /* READ(10) / WRITE(10) */
        rw(s, get_be32(c + 2), c[7] << 8 | c[8], c[0] == 0x2a);
        return;
    case 0xa8: case 0xaa:       /* READ(12) / WRITE(12) */
        rw(s, get_be32(c + 2), get_be32(c + 6), c[0] == 0xaa);
        return;
    case 0x88: case 0x8a:       /* READ(16) / WRITE(16) */
        rw(s, get_be64(c + 2), get_be32(c + 10), c[0] == 0x8a);
        return;
    default:
        set_sense(s, 5, 0x20, 0);   /* invalid command operation code */
        return;
    }
    /* Commands with a data-in phase: the host may ask for less. */
    if (s->len && !s->dir_in) {
        s->status = 2;
        s->len = 0;
    }
    s->len = MIN(s->len, s->expect);
}

static void bot_reset(struct usb_msc *s)
{
    s->state = MSC_CBW;
    s->len = s->pos = 0;
}

static int do_cbw(struct usb_msc *s, struct usb_packet *p)
{
    const uint8_t *c = p->data;
    if (p->len != 31 || get_be32(c) != 0x55534243 || (c[13] & 0xf) != 0 ||
        c[14] < 1 || c[14] > 16) {
        /* Not a valid/meaningful CBW (BOT 6.6.1): halt until reset. */
        s->usb.halted |= (1u << 1) | (1u << (16 + 2));
        return USB_RET_STALL;
    }
    s->tag = c[4] | c[5] << 8 | c[6] << 16 | (uint32_t)c[7] << 24;
    s->expect = c[8] | c[9] << 8 | c[10] << 16 | (uint32_t)c[11] << 24;
    s->dir_in = c[12] & 0x80;
    memset(s->cdb, 0, sizeof(s->cdb));
    memcpy(s->cdb, c + 15, c[14]);
    s->pos = 0;
    p->actual = 31;
    scsi_command(s);
    if (!s->expect) {
        s->state = MSC_CSW;
    } else {
        s->state = s->dir_in ? MSC_DATA_IN : MSC_DATA_OUT;
    }
    return USB_RET_SUCCESS;
}

static int msc_data(struct usb_device *d, struct usb_packet *p)
{
    struct usb_msc *s = (struct usb_msc *)d;
    bool in = p->pid == USB_TOKEN_IN;
    if ((in && p->ep != 1) || (!in && p->ep != 2)) {
        return USB_RET_STALL;
    }
    if (s->busy) {
        return USB_RET_NAK;
    }
    switch (s->state) {
    case MSC_CBW:
        return in ? USB_RET_STALL : do_cbw(s, p);
    case MSC_DATA_IN: {
        if (!in) {
            return USB_RET_STALL;
        }
        /* Our data, then zero padding up to what the host expects
         * (BOT 6.7.2 case 5: the residue tells it). */
        size_t n = MIN(p->len, (size_t)(s->expect - s->pos));
        size_t have = s->pos < s->len ? MIN(n, (size_t)(s->len - s->pos)) : 0;
        memcpy(p->data, s->buf + s->pos, have);
        memset(p->data + have, 0, n - have);
        s->pos += n;
        p->actual = n;
        if (s->pos >= s->expect) {
            s->state = MSC_CSW;
        }
        return USB_RET_SUCCESS;
    }
    case MSC_DATA_OUT: {
        if (in) {
            return USB_RET_STALL;
        }
        size_t n = MIN(p->len, (size_t)(s->expect - s->pos));
        if (s->pos < s->len) {
            memcpy(s->buf + s->pos, p->data, MIN(n, (size_t)(s->len - s->pos)));
        }
        s->pos += n;
        p->actual = n;
        if (s->pos >= s->expect) {
            s->state = MSC_CSW;
            if (s->len && s->status == 0) {
                s->busy = true;
                blk_submit(s->blk, BLK_WRITE, s->io_off, s->buf, s->len,
                           io_done, s);
                return USB_RET_SUCCESS;
            }
        }
        return USB_RET_SUCCESS;
    }
    case MSC_CSW:
    default: {
        if (!in || p->len < 13) {
            return USB_RET_STALL;
        }
        uint8_t *o = p->data;
        uint32_t residue = s->status ? s->expect : s->expect - MIN(s->pos, s->len);
        o[0] = 'U';
        o[1] = 'S';
        o[2] = 'B';
        o[3] = 'S';
        for (int i = 0; i < 4; i++) {
            o[4 + i] = s->tag >> (8 * i);
            o[8 + i] = residue >> (8 * i);
        }
        o[12] = s->status;
        p->actual = 13;
        s->state = MSC_CBW;
        return USB_RET_SUCCESS;
    }
    }
}

static int msc_control(struct usb_device *d, uint8_t type, uint8_t req,
                       uint16_t value, uint16_t index, uint16_t length,
                       uint8_t *data)
{
    struct usb_msc *s = (struct usb_msc *)d;
    if (type == 0x21 && req == 0xff && index == 0) {   /* BOT reset */
        bot_reset(s);
        return 0;
    }
    if (type == 0xa1 && req == 0xfe && index == 0) {   /* Get Max LUN */
        data[0] = 0;
        return 1;
    }
    return -1;
}

static void msc_reset(struct usb_device *d)
{
    bot_reset((struct usb_msc *)d);
}

static const uint8_t msc_device_desc[18] = {
    18, USB_DT_DEVICE, 0x00, 0x02, 0, 0, 0, 64,
    0xf4, 0x46, 0x01, 0x00, 0x00, 0x00, 1, 2, 3, 1,
};

static const uint8_t msc_config[32] = {
    9, USB_DT_CONFIG, 32, 0, 1, 1, 0, 0xc0, 50,
    9, USB_DT_INTERFACE, 0, 0, 2, 8, 6, 0x50, 0,   /* SCSI, bulk-only */
    7, USB_DT_ENDPOINT, 0x81, 2, MSC_PKT, 0, 0,
    7, USB_DT_ENDPOINT, 0x02, 2, MSC_PKT, 0, 0,
};

static const char *const msc_strings[] = {
    "QEMU", "QEMU USB HARDDRIVE", "1-0000:00:01.2-1", NULL
};

static const struct usb_descs msc_descs = {
    msc_device_desc, msc_config, sizeof(msc_config), msc_strings,
};

static const struct usb_device_ops msc_ops = {
    .control = msc_control,
    .data = msc_data,
    .reset = msc_reset,
};

static int msc_realize(struct device *dev, struct err **errp)
{
    struct usb_msc *s = (struct usb_msc *)dev;
    if (!s->drive) {
        err_setf(errp, "drive property not set");
        return -1;
    }
    s->blk = drive_claim_by_id(s->drive, errp);
    if (!s->blk) {
        return -1;
    }
    if (!s->blk->root) {
        err_setf(errp, "Device needs media, but drive is empty");
        return -1;
    }
    s->sectors = blk_getlength(s->blk) / 512;
    s->buf = xzalloc(MSC_BUF);
    s->usb.ops = &msc_ops;
    s->usb.descs = &msc_descs;
    s->usb.speed = USB_SPEED_FULL;
    if (usb_device_attach(&s->usb, errp) < 0) {
        return -1;
    }
    s->blk->attached_to = xasprintf("usb-storage %s", s->drive);
    /* SeaBIOS's name for it: the controller, the root port, LUN 0. */
    char path[96];
    struct usb_bus *b = s->usb.port->bus;
    int devfn = b->devfn;
    if (devfn & 7) {
        snprintf(path, sizeof(path), "/pci@i0cf8/usb@%x,%x/storage@%d/channel@0/disk@0,0",
                 devfn >> 3, devfn & 7, s->usb.port->index + 1);
    } else {
        snprintf(path, sizeof(path), "/pci@i0cf8/usb@%x/storage@%d/channel@0/disk@0,0",
                 devfn >> 3, s->usb.port->index + 1);
    }
    return dev_boot_register(dev, path, errp);
}

static const struct prop msc_props[] = {
    USB_DEVICE_PROPS(struct usb_msc),
    PROP("drive", PROP_STR, struct usb_msc, drive, NULL,
         "the -drive id or -blockdev node-name"),
    { NULL },
};

static void msc_dev_reset(struct device *dev)
{
    (void)dev;
}

static const struct dev_type msc_type = {
    .name = "usb-storage", .category = "Storage devices",
    .bus = BUS_USB, .size = sizeof(struct usb_msc), .props = msc_props,
    .user_creatable = true, .bootable = true, .realize = msc_realize,
    .reset = msc_dev_reset,
};
DEV_TYPE(msc_type);
