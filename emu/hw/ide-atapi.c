/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ide-atapi.c - the ATAPI CD-ROM of an IDE channel (ATA/ATAPI-6 PACKET
 * protocol; SCSI MMC-3 commands): TEST UNIT READY, REQUEST SENSE,
 * INQUIRY, READ CAPACITY, READ(10)/(12)/CD, READ TOC (formats 0 and 1,
 * LBA and MSF), GET CONFIGURATION, GET EVENT STATUS NOTIFICATION, MODE
 * SENSE(10) pages 01h/2Ah, MECHANISM STATUS, START STOP UNIT (eject),
 * PREVENT ALLOW MEDIUM REMOVAL, with UNIT ATTENTION after a media change.
 * Replies go out by PIO in chunks of the guest's byte count limit, or by
 * DMA.  Every length and address in the packet is checked.
 */
#include "emu/osdep.h"

#include "block-protocols/blk-backend.h"
#include "emu/hw/ide.h"
#include "emu/util/cutils.h"

#define SENSE_NONE 0
#define SENSE_NOT_READY 2
#define SENSE_ILLEGAL 5
#define SENSE_UNIT_ATTENTION 6
#define ASC_NO_MEDIUM 0x3a
#define ASC_MEDIUM_CHANGED 0x28
#define ASC_INVALID_OPCODE 0x20
#define ASC_LBA_RANGE 0x21
#define ASC_INVALID_FIELD 0x24
#define ASC_REMOVAL_PREVENTED 0x53


static bool has_medium(const struct ide_dev *s)
{
    return s->blk->root && !s->blk->tray_open;
}

static uint32_t capacity(const struct ide_dev *s)
{
    return has_medium(s) ? blk_getlength(s->blk) / ATAPI_SECTOR : 0;
}

void ide_atapi_identify(struct ide_dev *s)
{
    uint16_t *w = s->identify;
    memset(w, 0, 512);
    char serial[21];
    ide_serial(s, serial, sizeof(serial));
    uint8_t *p;
    w[0] = (2 << 14) | (5 << 8) | (1 << 7) | (2 << 5);
    const char *strs[3] = { serial, s->ver ? s->ver : "2.5+",
                            s->model ? s->model : "QEMU DVD-ROM" };
    int offs[3] = { 10, 23, 27 }, lens[3] = { 20, 8, 40 };
    for (int k = 0; k < 3; k++) {
        p = (uint8_t *)(w + offs[k]);
        const char *src = strs[k];
        for (int i = 0; i < lens[k]; i++) {
            p[i ^ 1] = *src ? *src++ : ' ';
        }
    }
    w[48] = 1;
    w[49] = (1 << 11) | (1 << 9) | (1 << 8);
    w[53] = 7;
    w[62] = 7;
    w[63] = 7;
    w[64] = 3;
    w[65] = 0xb4;
    w[66] = 0xb4;
    w[67] = 0x12c;
    w[68] = 0xb4;
    w[71] = 30;
    w[72] = 30;
    w[80] = 0x1e;
    w[82] = 1 << 4;     /* PACKET feature set */
    w[88] = 0x3f | (1 << 13);
}

void ide_atapi_media_changed(void *opaque, bool load)
{
    struct ide_dev *s = opaque;
    s->media_changed = true;
    (void)load;
}

static void cmd_ok(struct ide_dev *s)
{
    s->error = 0;
    s->status = IDE_DRDY | IDE_DSC;
    s->nsector = 3;     /* I/O = 1, C/D = 1: status phase */
    s->pos = s->end = 0;
    ide_set_irq(s->bus);
}

static void cmd_error(struct ide_dev *s, uint8_t key, uint8_t asc)
{
    s->sense_key = key;
    s->asc = asc;
    s->error = key << 4;
    s->status = IDE_DRDY | IDE_ERR;
    s->nsector = 3;
    s->pos = s->end = 0;
    s->dma_pending = false;
    ide_set_irq(s->bus);
}

/* Send the next PIO chunk of the reply in buf[s->reply_off..]. */
static void send_chunk(struct ide_dev *s)
{
    uint32_t limit = s->atapi_byte_limit;
    if (!limit || limit == 0xffff) {
        limit = 0xfffe;
    }
    limit &= ~1u;
    uint32_t n = MIN(s->atapi_total, limit);
    s->pos = s->reply_off;
    s->end = s->reply_off + n;
    s->pio_write = false;
    s->lcyl = n;
    s->hcyl = n >> 8;
    s->nsector = 2;     /* I/O = 1, C/D = 0: data to the host */
    s->status = IDE_DRDY | IDE_DSC | IDE_DRQ;
    ide_set_irq(s->bus);
}

/* Reply with len bytes of buf, cut to the guest's allocation length. */
static void reply(struct ide_dev *s, uint32_t len, uint32_t alloc)
{
    len = MIN(len, alloc);
    if (!len) {
        cmd_ok(s);
        return;
    }
    s->atapi_nblocks = 0;
    s->atapi_total = len;
    s->reply_off = 0;
    if (s->dma_atapi) {
        s->io_bytes = len;
        s->dma_pending = true;
        s->status = IDE_DRDY | IDE_DSC | IDE_DRQ;
        if (s->bus->dma && s->bus->dma->active(s->bus->dma_opaque)) {
            ide_atapi_dma_start(s);
        }
        return;
    }
    send_chunk(s);
}

static void read_batch(struct ide_dev *s);

static void read_cb(void *opaque, int ret)
{
    struct ide_dev *s = opaque;
    if (ret < 0) {
        cmd_error(s, has_medium(s) ? 3 : SENSE_NOT_READY,
                  has_medium(s) ? 0x11 : ASC_NO_MEDIUM);
        return;
    }
    s->reply_off = 0;
    send_chunk(s);
}

static void read_batch(struct ide_dev *s)
{
    uint32_t k = MIN(s->atapi_nblocks, (uint32_t)(IDE_BUF_SIZE / ATAPI_SECTOR));
    s->atapi_total = k * ATAPI_SECTOR;
    uint64_t off = (uint64_t)s->atapi_lba * ATAPI_SECTOR;
    s->atapi_lba += k;
    s->atapi_nblocks -= k;
    s->status = IDE_DRDY | IDE_BSY;
    blk_submit(s->blk, BLK_READ, off, s->buf, s->atapi_total, read_cb, s);
}

void ide_atapi_pio_done(struct ide_dev *s)
{
    if (s->packet_phase) {
        s->packet_phase = false;
        ide_atapi_packet(s);
        return;
    }
    /* end_transfer cleared pos/end: recompute from the chunk size. */
    uint32_t n = s->lcyl | s->hcyl << 8;
    s->reply_off += n;
    s->atapi_total -= MIN(n, s->atapi_total);
    if (s->atapi_total) {
        send_chunk(s);
    } else if (s->atapi_nblocks) {
        read_batch(s);
    } else {
        cmd_ok(s);
    }
}

static void dma_read_cb(void *opaque, int ret)
{
    struct ide_dev *s = opaque;
    s->dma_pending = false;
    if (ret < 0) {
        free(s->dma_data);
        s->dma_data = NULL;
        s->bus->dma->done(s->bus->dma_opaque, true);
        cmd_error(s, 3, 0x11);
        return;
    }
    s->bus->dma->rw(s->bus->dma_opaque, s->dma_data, s->io_bytes, true);
    free(s->dma_data);
    s->dma_data = NULL;
    s->bus->dma->done(s->bus->dma_opaque, false);
    cmd_ok(s);
}

void ide_atapi_dma_start(struct ide_dev *s)
{
    if (s->atapi_nblocks) {
        /* A READ: the whole range at once. */
        s->io_bytes = (uint64_t)s->atapi_nblocks * ATAPI_SECTOR;
        s->dma_data = xmalloc(s->io_bytes);
        uint64_t off = (uint64_t)s->atapi_lba * ATAPI_SECTOR;
        s->atapi_nblocks = 0;
        s->status = IDE_DRDY | IDE_BSY;
        blk_submit(s->blk, BLK_READ, off, s->dma_data, s->io_bytes, dma_read_cb, s);
        return;
    }
    s->dma_pending = false;
    s->bus->dma->rw(s->bus->dma_opaque, s->buf, s->io_bytes, true);
    s->bus->dma->done(s->bus->dma_opaque, false);
    cmd_ok(s);
}

static void start_read(struct ide_dev *s, uint32_t lba, uint32_t n)
{
    if (!has_medium(s)) {
        cmd_error(s, SENSE_NOT_READY, ASC_NO_MEDIUM);
        return;
    }
    uint32_t cap = capacity(s);
    if (lba > cap || n > cap - lba) {
        cmd_error(s, SENSE_ILLEGAL, ASC_LBA_RANGE);
        return;
    }
    if (!n) {
        cmd_ok(s);
        return;
    }
    if (s->dma_atapi && (uint64_t)n * ATAPI_SECTOR > (32u << 20)) {
        cmd_error(s, SENSE_ILLEGAL, ASC_INVALID_FIELD);
        return;
    }
    s->atapi_lba = lba;
    s->atapi_nblocks = n;
    if (s->dma_atapi) {
        s->dma_pending = true;
        s->status = IDE_DRDY | IDE_DSC | IDE_DRQ;
        if (s->bus->dma && s->bus->dma->active(s->bus->dma_opaque)) {
            ide_atapi_dma_start(s);
        }
        return;
    }
    read_batch(s);
}

static void lba_to_msf(uint8_t *p, uint32_t lba)
{
    lba += 150;
    p[0] = lba / (60 * 75);
    p[1] = (lba / 75) % 60;
    p[2] = lba % 75;
}

static uint32_t build_toc(struct ide_dev *s, uint8_t *b, bool msf, int start)
{
    uint8_t *q = b + 2;
    *q++ = 1;   /* first track */
    *q++ = 1;   /* last track */
    if (start <= 1) {
        *q++ = 0;
        *q++ = 0x14;    /* data track, ADR 1 */
        *q++ = 1;
        *q++ = 0;
        if (msf) {
            *q++ = 0;
            lba_to_msf(q, 0);
            q += 3;
        } else {
            be32_put(q, 0);
            q += 4;
        }
    }
    *q++ = 0;
    *q++ = 0x16;
    *q++ = 0xaa;    /* lead-out */
    *q++ = 0;
    uint32_t cap = capacity(s);
    if (msf) {
        *q++ = 0;
        lba_to_msf(q, cap);
        q += 3;
    } else {
        be32_put(q, cap);
        q += 4;
    }
    uint32_t len = q - b;
    be16_put(b, len - 2);
    return len;
}

void ide_atapi_packet(struct ide_dev *s)
{
    uint8_t cmd[12];
    memcpy(cmd, s->buf, 12);
    uint8_t *b = s->buf;
    s->atapi_nblocks = 0;
    /* A pending media change is reported first, except to the commands
     * that must work anyway. */
    if (s->media_changed && cmd[0] != 0x03 && cmd[0] != 0x12 &&
        cmd[0] != 0x4a) {
        s->media_changed = false;
        cmd_error(s, SENSE_UNIT_ATTENTION, ASC_MEDIUM_CHANGED);
        return;
    }
    switch (cmd[0]) {
    case 0x00:  /* TEST UNIT READY */
        if (!has_medium(s)) {
            cmd_error(s, SENSE_NOT_READY, ASC_NO_MEDIUM);
        } else {
            cmd_ok(s);
        }
        return;
    case 0x03:  /* REQUEST SENSE */
        memset(b, 0, 18);
        b[0] = 0x70;
        b[2] = s->sense_key;
        b[7] = 10;
        b[12] = s->asc;
        if (s->sense_key == SENSE_UNIT_ATTENTION) {
            s->sense_key = 0;
            s->asc = 0;
        }
        reply(s, 18, cmd[4]);
        return;
    case 0x12:  /* INQUIRY */
        memset(b, 0, 36);
        b[0] = 0x05;    /* CD/DVD */
        b[1] = 0x80;    /* removable */
        b[2] = 0x00;
        b[3] = 0x21;
        b[4] = 31;
        memcpy(b + 8, "QEMU    ", 8);
        memcpy(b + 16, "QEMU DVD-ROM    ", 16);
        memcpy(b + 32, "2.5+", 4);
        reply(s, 36, cmd[4]);
        return;
    case 0x1b: { /* START STOP UNIT */
        bool loej = cmd[4] & 2, start = cmd[4] & 1;
        if (loej && !start) {
            if (s->tray_locked) {
                cmd_error(s, SENSE_NOT_READY, ASC_REMOVAL_PREVENTED);
                return;
            }
            s->blk->tray_open = true;
        } else if (loej && start) {
            s->blk->tray_open = false;
        }
        cmd_ok(s);
        return;
    }
    case 0x1e:  /* PREVENT ALLOW MEDIUM REMOVAL */
        s->tray_locked = cmd[4] & 1;
        s->blk->locked = s->tray_locked;
        cmd_ok(s);
        return;
    case 0x25:  /* READ CAPACITY */
        if (!has_medium(s)) {
            cmd_error(s, SENSE_NOT_READY, ASC_NO_MEDIUM);
            return;
        }
        be32_put(b, capacity(s) - 1);
        be32_put(b + 4, ATAPI_SECTOR);
        reply(s, 8, 8);
        return;
    case 0x28:  /* READ(10) */
        start_read(s, be32_get(cmd + 2), be16_get(cmd + 7));
        return;
    case 0xa8:  /* READ(12) */
        start_read(s, be32_get(cmd + 2), be32_get(cmd + 6));
        return;
    case 0xbe:  /* READ CD: user data only */
        if ((cmd[9] & 0xf8) != 0x10) {
            cmd_error(s, SENSE_ILLEGAL, ASC_INVALID_FIELD);
            return;
        }
        start_read(s, be32_get(cmd + 2),
                   cmd[6] << 16 | cmd[7] << 8 | cmd[8]);
        return;
    case 0x2b: case 0xbb: case 0x35: case 0x55: /* SEEK, SET SPEED, SYNC */
        cmd_ok(s);
        return;
    case 0x43: { /* READ TOC */
        if (!has_medium(s)) {
            cmd_error(s, SENSE_NOT_READY, ASC_NO_MEDIUM);
            return;
        }
        int format = cmd[2] & 0x0f;
        if (!format) {
            format = cmd[9] >> 6;
        }
        bool msf = cmd[1] & 2;
        uint32_t alloc = be16_get(cmd + 7);
        if (format == 0) {
            reply(s, build_toc(s, b, msf, cmd[6]), alloc);
        } else if (format == 1) {
            memset(b, 0, 12);
            b[1] = 0x0a;
            b[2] = 1;
            b[3] = 1;
            b[5] = 0x14;
            b[6] = 1;
            reply(s, 12, alloc);
        } else {
            cmd_error(s, SENSE_ILLEGAL, ASC_INVALID_FIELD);
        }
        return;
    }
    case 0x46: { /* GET CONFIGURATION */
        uint32_t alloc = be16_get(cmd + 7);
        uint16_t profile = has_medium(s) ?
            (capacity(s) > 1382400 / 4 ? 0x0010 : 0x0008) : 0;
        memset(b, 0, 40);
        be16_put(b + 6, profile);
        /* Profile list feature: DVD-ROM and CD-ROM. */
        be16_put(b + 8, 0x0000);
        b[10] = 0x03;
        b[11] = 8;
        be16_put(b + 12, 0x0010);
        b[14] = profile == 0x0010;
        be16_put(b + 16, 0x0008);
        b[18] = profile == 0x0008;
        /* Core feature. */
        be16_put(b + 20, 0x0001);
        b[22] = 0x0b;
        b[23] = 8;
        be32_put(b + 24, 2);    /* ATAPI */
        b[28] = 1;
        be32_put(b, 30 - 4);
        reply(s, 30, alloc);
        return;
    }
    case 0x4a: { /* GET EVENT STATUS NOTIFICATION */
        if (!(cmd[1] & 1)) {
            cmd_error(s, SENSE_ILLEGAL, ASC_INVALID_FIELD);
            return;
        }
        uint32_t alloc = be16_get(cmd + 7);
        memset(b, 0, 8);
        b[3] = 0x10;    /* media class supported */
        if (cmd[4] & 0x10) {
            be16_put(b, 6);
            b[2] = 4;
            if (s->media_changed) {
                b[4] = 2;   /* new media */
                s->media_changed = false;
            }
            b[5] = (s->blk->tray_open ? 1 : 0) | (has_medium(s) ? 2 : 0);
            reply(s, 8, alloc);
        } else {
            be16_put(b, 2);
            b[2] = 0x80;
            reply(s, 4, alloc);
        }
        return;
    }
    case 0x5a: { /* MODE SENSE(10) */
        uint32_t alloc = be16_get(cmd + 7);
        int page = cmd[2] & 0x3f;
        uint8_t *q = b + 8;
        memset(b, 0, 64);
        b[2] = has_medium(s) ? 0x70 : 0x71;
        if (page == 0x01 || page == 0x3f) {
            q[0] = 0x01;
            q[1] = 6;
            q[3] = 5;   /* retry count */
            q += 8;
        }
        if (page == 0x2a || page == 0x3f) {
            q[0] = 0x2a;
            q[1] = 0x12;
            q[2] = 0x3b;    /* reads CD-R, CD-RW, DVD-ROM */
            q[4] = 0x71;
            q[5] = 0x03;
            q[6] = 0x2d | (s->tray_locked ? 2 : 0);    /* eject, lock */
            q[7] = 0x03;
            be16_put(q + 8, 706);
            be16_put(q + 10, 2);
            be16_put(q + 12, 512);
            be16_put(q + 14, 706);
            q += 20;
        }
        if (q == b + 8) {
            cmd_error(s, SENSE_ILLEGAL, ASC_INVALID_FIELD);
            return;
        }
        be16_put(b, (q - b) - 2);
        reply(s, q - b, alloc);
        return;
    }
    case 0xbd: { /* MECHANISM STATUS */
        memset(b, 0, 8);
        be16_put(b + 6, 0);
        reply(s, 8, be16_get(cmd + 8));
        return;
    }
    default:
        cmd_error(s, SENSE_ILLEGAL, ASC_INVALID_OPCODE);
        return;
    }
}
