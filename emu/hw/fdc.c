/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdc.c - an ISA floppy disk controller compatible with the Intel 82078
 * (Intel 82078 44-pin CHMOS single-chip floppy disk controller datasheet;
 * the command set is the NEC uPD765's with the 82077/82078 additions):
 * ports 0x3f0-0x3f5 and 0x3f7 (0x3f6 belongs to the IDE controller),
 * IRQ 6, DMA channel 2, two drives whose geometry (360K, 720K, 1.2M,
 * 1.44M, 2.88M) follows from the image size (1.44M or 2.88M for other
 * sizes up to 2.88M).
 *
 * Commands: READ/WRITE DATA (and the deleted-data variants), READ TRACK,
 * VERIFY, READ ID, FORMAT TRACK, RECALIBRATE, SEEK (relative too), SENSE
 * INTERRUPT STATUS, SENSE DRIVE STATUS, SPECIFY, CONFIGURE (implied
 * seek), VERSION, DUMPREG, LOCK/UNLOCK, PERPENDICULAR MODE, PART ID.
 * Data moves through the DMA controller only (SPECIFY's non-DMA bit makes
 * transfers end with an overrun, as a controller whose host never reads
 * would); a transfer stops at the DMA terminal count (normal end) or at
 * the end of the track (abnormal, "end of cylinder").  Commands execute
 * when their last byte arrives, then IRQ 6 rises.  The data rate must
 * match the medium, as firmware and Linux probe formats by it.  Every
 * cylinder, head, sector, size and count the guest gives is checked
 * before the image is touched.
 */
#include "emu/osdep.h"

#include "block-protocols/blk-backend.h"
#include "emu/hw/dev.h"
#include "emu/hw/fdc.h"
#include "emu/hw/i8237.h"
#include "emu/hw/isa.h"
#include "emu/mem/mem.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#define FDC_DMA_CHANNEL 2
#define SECTOR 512

/* ST0 */
#define ST0_ABNORMAL 0x40
#define ST0_INVALID 0x80
#define ST0_SEEK_END 0x20
#define ST0_EQUIP_CHECK 0x10
/* ST1 */
#define ST1_MISSING_AM 0x01
#define ST1_NOT_WRITABLE 0x02
#define ST1_NO_DATA 0x04
#define ST1_OVERRUN 0x10
#define ST1_END_OF_CYL 0x80
/* ST2 */
#define ST2_WRONG_CYL 0x10

/* MSR */
#define MSR_RQM 0x80
#define MSR_DIO 0x40
#define MSR_BUSY 0x10

/* Data rates (DSR/CCR bits 0-1). */
enum { RATE_500K, RATE_300K, RATE_250K, RATE_1M };

struct geometry {
    uint64_t bytes;
    uint8_t cyls, heads, spt, rate, cmos;
};

static const struct geometry geometries[] = {
    { 1474560, 80, 2, 18, RATE_500K, 4 },
    { 2949120, 80, 2, 36, RATE_1M, 5 },
    { 737280, 80, 2, 9, RATE_250K, 3 },
    { 1228800, 80, 2, 15, RATE_500K, 2 },
    { 368640, 40, 2, 9, RATE_250K, 1 },
};

struct fdrive {
    struct blk *blk;
    const struct geometry *geo;
    uint8_t cyl;            /* where the head is */
    bool changed;           /* DIR bit 7: the disk-change line */
};

struct fdc {
    struct device dev;
    struct mem_region mr, mr_dir;
    const struct irq_line *irq;
    struct isa_dma *dma;
    struct fdrive drv[2];
    uint8_t dor, tdr, rate;
    uint8_t cmd[9];
    unsigned cmd_len, cmd_pos;
    uint8_t res[10];
    unsigned res_len, res_pos;
    bool irq_on;
    /* Interrupt status for SENSE INTERRUPT STATUS: after a seek, or the
     * four drives' "ready changed" after a reset. */
    uint8_t int_st0[4];
    unsigned int_count;
    uint8_t spec[2], config, pretrk, perp, last_eot;
    bool lock;
    uint8_t sec[SECTOR];
};

static void set_irq(struct fdc *f, bool on)
{
    /* DOR bit 3 gates the IRQ and DRQ lines onto the bus. */
    bool level = on && (f->dor & 0x08);
    if (f->irq && level != f->irq_on) {
        irq_set(f->irq, level);
    }
    f->irq_on = level;
}

static struct fdrive *cur_drive(struct fdc *f, uint8_t sel)
{
    return (sel & 3) < 2 ? &f->drv[sel & 3] : NULL;
}

static void result(struct fdc *f, const uint8_t *r, unsigned n, bool irq)
{
    memcpy(f->res, r, n);
    f->res_len = n;
    f->res_pos = 0;
    if (irq) {
        set_irq(f, true);
    }
}

static void controller_reset(struct fdc *f)
{
    f->cmd_len = f->cmd_pos = 0;
    f->res_len = f->res_pos = 0;
    f->int_count = 0;
    set_irq(f, false);
}

/* Reset ends: the 82078 reports "ready changed" for each of 4 drives. */
static void reset_done(struct fdc *f)
{
    for (int i = 0; i < 4; i++) {
        f->int_st0[i] = 0xc0 | i;
    }
    f->int_count = 4;
    set_irq(f, true);
}

static bool medium_ok(struct fdc *f, struct fdrive *d)
{
    return d && d->blk && d->blk->root && d->geo && f->rate == d->geo->rate;
}

/* ---- data transfers ---- */

static void rw_result(struct fdc *f, uint8_t st0, uint8_t st1, uint8_t st2,
                      uint8_t c, uint8_t h, uint8_t r, uint8_t n)
{
    uint8_t res[7] = { st0, st1, st2, c, h, r, n };
    result(f, res, 7, true);
}

/* READ/WRITE DATA, READ TRACK, VERIFY: cmd = op, HDS|DS, C, H, R, N, EOT,
 * GPL, DTL. */
static void cmd_rw(struct fdc *f, bool write, bool verify)
{
    uint8_t *p = f->cmd;
    bool mt = p[0] & 0x80;
    unsigned sel = p[1] & 3, head = (p[1] >> 2) & 1;
    uint8_t c = p[2], h = p[3], r = p[4], n = p[5], eot = p[6];
    uint8_t st0 = head << 2 | sel;
    struct fdrive *d = cur_drive(f, sel);
    f->last_eot = eot;
    if (!medium_ok(f, d)) {
        rw_result(f, st0 | ST0_ABNORMAL, ST1_MISSING_AM, 0, c, h, r, n);
        return;
    }
    const struct geometry *g = d->geo;
    if (d->cyl != c) {
        if (f->config & 0x40) {     /* EIS: implied seek */
            d->cyl = c;
        } else {
            rw_result(f, st0 | ST0_ABNORMAL, ST1_NO_DATA, ST2_WRONG_CYL,
                      c, h, r, n);
            return;
        }
    }
    if (write && d->blk->read_only) {
        rw_result(f, st0 | ST0_ABNORMAL, ST1_NOT_WRITABLE, 0, c, h, r, n);
        return;
    }
    if (f->spec[1] & 1) {
        /* Non-DMA mode: the host is not served here. */
        rw_result(f, st0 | ST0_ABNORMAL, ST1_OVERRUN, 0, c, h, r, n);
        return;
    }
    uint8_t st1 = 0;
    bool tc = false;
    for (;;) {
        if (n != 2 || c >= g->cyls || head >= g->heads || h != head ||
            r < 1 || r > g->spt) {
            st1 = ST1_NO_DATA;
            break;
        }
        uint64_t lba = ((uint64_t)c * g->heads + head) * g->spt + (r - 1);
        uint32_t moved;
        if (write) {
            moved = isa_dma_transfer(f->dma, FDC_DMA_CHANNEL, f->sec, SECTOR,
                                     &tc);
            if (moved == SECTOR &&
                blk_pwrite(d->blk, lba * SECTOR, f->sec, SECTOR) < 0) {
                st1 = ST1_NO_DATA;
                break;
            }
        } else {
            if (blk_pread(d->blk, lba * SECTOR, f->sec, SECTOR) < 0) {
                st1 = ST1_NO_DATA;
                break;
            }
            moved = verify ? SECTOR :
                    isa_dma_transfer(f->dma, FDC_DMA_CHANNEL, f->sec, SECTOR,
                                     &tc);
        }
        if (moved < SECTOR && !tc) {
            st1 = ST1_OVERRUN;
            break;
        }
        /* The next sector, as the result phase reports it. */
        bool track_end = false;
        if (r < eot) {
            r++;
        } else if (mt && head == 0) {
            r = 1;          /* multi-track: on to side 1 */
            head = h = 1;
        } else {
            r = 1;
            c++;
            if (mt) {
                head = h = 0;
            }
            track_end = true;
        }
        if (tc || (verify && track_end)) {
            break;
        }
        if (track_end) {
            st1 = ST1_END_OF_CYL;
            break;
        }
    }
    rw_result(f, st0 | (st1 ? ST0_ABNORMAL : 0), st1, 0, c, h, r, n);
}

/* FORMAT TRACK: op, HDS|DS, N, SC, GPL, D; the DMA supplies C, H, R, N
 * for each sector, D fills it. */
static void cmd_format(struct fdc *f)
{
    unsigned sel = f->cmd[1] & 3, head = (f->cmd[1] >> 2) & 1;
    uint8_t st0 = head << 2 | sel;
    struct fdrive *d = cur_drive(f, sel);
    uint8_t id[4] = { 0 };
    if (!medium_ok(f, d) || f->cmd[2] != 2 || f->cmd[3] > d->geo->spt ||
        head >= d->geo->heads) {
        rw_result(f, st0 | ST0_ABNORMAL, ST1_MISSING_AM, 0, 0, 0, 0, 0);
        return;
    }
    if (d->blk->read_only) {
        rw_result(f, st0 | ST0_ABNORMAL, ST1_NOT_WRITABLE, 0, 0, 0, 0, 0);
        return;
    }
    memset(f->sec, f->cmd[5], SECTOR);
    uint8_t st1 = 0;
    for (unsigned i = 0; i < f->cmd[3]; i++) {
        bool tc;
        if (isa_dma_transfer(f->dma, FDC_DMA_CHANNEL, id, 4, &tc) < 4) {
            st1 = ST1_OVERRUN;
            break;
        }
        const struct geometry *g = d->geo;
        if (id[0] >= g->cyls || id[1] != head || id[2] < 1 ||
            id[2] > g->spt || id[3] != 2) {
            st1 = ST1_NO_DATA;
            break;
        }
        uint64_t lba = ((uint64_t)id[0] * g->heads + head) * g->spt +
                       (id[2] - 1);
        if (blk_pwrite(d->blk, lba * SECTOR, f->sec, SECTOR) < 0) {
            st1 = ST1_NO_DATA;
            break;
        }
        if (tc) {
            break;
        }
    }
    rw_result(f, st0 | (st1 ? ST0_ABNORMAL : 0), st1, 0, id[0], id[1], id[2],
              id[3]);
}

static void seek_done(struct fdc *f, unsigned sel, unsigned head, bool ok)
{
    f->int_st0[0] = ST0_SEEK_END | head << 2 | sel |
                    (ok ? 0 : ST0_ABNORMAL | ST0_EQUIP_CHECK);
    f->int_count = 1;
    set_irq(f, true);
}

/* ---- command dispatch ---- */

/* Bytes of each command (command byte included), by its low 5 bits. */
static unsigned cmd_length(uint8_t op)
{
    switch (op & 0x1f) {
    case 0x02: case 0x05: case 0x06: case 0x09: case 0x0c: case 0x16:
    case 0x11: case 0x19: case 0x1d:
        return 9;
    case 0x0d:
        return 6;
    case 0x03: case 0x0f:
        return 3;
    case 0x13:
        return 4;
    case 0x04: case 0x07: case 0x0a: case 0x12:
        return 2;
    default:
        return 1;
    }
}

static void execute(struct fdc *f)
{
    uint8_t *p = f->cmd;
    unsigned sel = p[1] & 3, head = (p[1] >> 2) & 1;
    struct fdrive *d = f->cmd_len > 1 ? cur_drive(f, sel) : NULL;
    uint8_t r[10];
    switch (p[0] & 0x1f) {
    case 0x06: case 0x0c: case 0x02:    /* read data/deleted/track */
        cmd_rw(f, false, false);
        break;
    case 0x16:                          /* verify */
        cmd_rw(f, false, true);
        break;
    case 0x05: case 0x09:               /* write data/deleted */
        cmd_rw(f, true, false);
        break;
    case 0x0d:
        cmd_format(f);
        break;
    case 0x0a: {                        /* read id */
        uint8_t st0 = head << 2 | sel;
        if (!medium_ok(f, d) || head >= d->geo->heads) {
            rw_result(f, st0 | ST0_ABNORMAL, ST1_MISSING_AM, 0, 0, 0, 0, 0);
        } else {
            rw_result(f, st0, 0, 0, d->cyl, head, 1, 2);
        }
        break;
    }
    case 0x07:                          /* recalibrate */
        if (d) {
            d->cyl = 0;
            if (d->blk && d->blk->root) {
                d->changed = false;
            }
        }
        seek_done(f, sel, 0, d && d->blk);
        break;
    case 0x0f: {                        /* seek, relative seek */
        if (d) {
            int target = p[2];
            if (p[0] & 0x80) {
                target = p[0] & 0x40 ? d->cyl - p[2] : d->cyl + p[2];
                target = target < 0 ? 0 : target > 255 ? 255 : target;
            }
            d->cyl = target;
            if (d->blk && d->blk->root) {
                d->changed = false;
            }
        }
        seek_done(f, sel, head, d && d->blk);
        break;
    }
    case 0x08:                          /* sense interrupt status */
        if (!f->int_count) {
            r[0] = ST0_INVALID;
            result(f, r, 1, false);
        } else {
            uint8_t st0 = f->int_st0[0];
            memmove(f->int_st0, f->int_st0 + 1, 3);
            f->int_count--;
            struct fdrive *dd = cur_drive(f, st0 & 3);
            r[0] = st0;
            r[1] = dd ? dd->cyl : 0;
            result(f, r, 2, false);
        }
        if (!f->int_count) {
            set_irq(f, false);
        }
        break;
    case 0x04: {                        /* sense drive status */
        r[0] = 0x20 | head << 2 | sel;
        if (d && d->blk) {
            r[0] |= (d->blk->read_only ? 0x40 : 0) | (d->cyl ? 0 : 0x10) |
                    0x08;
        }
        result(f, r, 1, false);
        break;
    }
    case 0x03:                          /* specify */
        f->spec[0] = p[1];
        f->spec[1] = p[2];
        break;
    case 0x13:                          /* configure */
        f->config = p[2];
        f->pretrk = p[3];
        break;
    case 0x12:                          /* perpendicular mode */
        if (p[1] & 0x80) {
            f->perp = p[1] & 0x3f;
        }
        break;
    case 0x10:                          /* version: an enhanced controller */
        r[0] = 0x90;
        result(f, r, 1, false);
        break;
    case 0x18:                          /* part id: 82078, stepping 1 */
        r[0] = 0x41;
        result(f, r, 1, false);
        break;
    case 0x14:                          /* lock (bit 7) / unlock */
        f->lock = p[0] & 0x80;
        r[0] = f->lock << 4;
        result(f, r, 1, false);
        break;
    case 0x0e:                          /* dumpreg */
        r[0] = f->drv[0].cyl;
        r[1] = f->drv[1].cyl;
        r[2] = r[3] = 0;
        r[4] = f->spec[0];
        r[5] = f->spec[1];
        r[6] = f->last_eot;
        r[7] = f->lock << 7 | f->perp;
        r[8] = f->config;
        r[9] = f->pretrk;
        result(f, r, 10, false);
        break;
    default:
        r[0] = ST0_INVALID;
        result(f, r, 1, false);
        break;
    }
}

static void fifo_write(struct fdc *f, uint8_t v)
{
    if (f->res_pos < f->res_len) {
        return;         /* result phase: the host should be reading */
    }
    if (!f->cmd_len) {
        f->cmd_len = cmd_length(v);
        f->cmd_pos = 0;
    }
    if (f->cmd_pos < sizeof(f->cmd)) {
        f->cmd[f->cmd_pos++] = v;
    }
    if (f->cmd_pos >= f->cmd_len) {
        f->res_len = f->res_pos = 0;
        execute(f);
        f->cmd_len = f->cmd_pos = 0;
    }
}

static uint8_t fifo_read(struct fdc *f)
{
    if (f->res_pos >= f->res_len) {
        return 0xff;
    }
    /* Reading the result acknowledges the command's interrupt. */
    if (f->int_count == 0) {
        set_irq(f, false);
    }
    uint8_t v = f->res[f->res_pos++];
    if (f->res_pos >= f->res_len) {
        f->res_len = f->res_pos = 0;
    }
    return v;
}

static uint64_t fdc_read(void *opaque, uint64_t off, unsigned size)
{
    struct fdc *f = opaque;
    switch (off) {
    case 0:     /* status A, B: nothing PS/2-specific */
    case 1:
        return 0;
    case 2:
        return f->dor;
    case 3:
        return f->tdr;
    case 4: {
        if (!(f->dor & 0x04)) {
            return 0;           /* held in reset */
        }
        uint8_t msr = MSR_RQM;
        if (f->res_pos < f->res_len) {
            msr |= MSR_DIO | MSR_BUSY;
        } else if (f->cmd_len) {
            msr |= MSR_BUSY;
        }
        return msr;
    }
    case 5:
        return fifo_read(f);
    case 7: {   /* DIR: the selected drive's disk-change line */
        struct fdrive *d = cur_drive(f, f->dor);
        return d && d->changed ? 0x80 : 0;
    }
    default:
        return 0xff;
    }
}

static void fdc_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct fdc *f = opaque;
    uint8_t v = val;
    switch (off) {
    case 2: {   /* DOR */
        uint8_t old = f->dor;
        f->dor = v;
        if (!(v & 0x04)) {
            controller_reset(f);
        } else if (!(old & 0x04)) {
            reset_done(f);
        } else if ((old ^ v) & 0x08) {
            set_irq(f, f->irq_on || f->int_count);
        }
        break;
    }
    case 3:
        f->tdr = v & 3;
        break;
    case 4:     /* DSR */
        f->rate = v & 3;
        if (v & 0x80) {
            controller_reset(f);
            reset_done(f);
        }
        break;
    case 5:
        if (f->dor & 0x04) {
            fifo_write(f, v);
        }
        break;
    case 7:     /* CCR */
        f->rate = v & 3;
        break;
    }
}

static uint64_t dir_read(void *opaque, uint64_t off, unsigned size)
{
    return fdc_read(opaque, 7, size);
}

static void dir_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    fdc_write(opaque, 7, val, size);
}

static const struct mem_ops fdc_ops = {
    .read = fdc_read, .write = fdc_write, .valid_min = 1, .valid_max = 1,
};
static const struct mem_ops dir_ops = {
    .read = dir_read, .write = dir_write, .valid_min = 1, .valid_max = 1,
};

static void fdc_reset(struct device *dev)
{
    struct fdc *f = (struct fdc *)dev;
    f->dor = 0x0c;      /* out of reset, DMA and IRQ enabled (as firmware
                         * finds a controller after power-on) */
    f->tdr = 0;
    f->rate = RATE_500K;
    f->spec[0] = f->spec[1] = 0;
    f->config = 0x20;   /* FIFO disabled, polling on */
    f->pretrk = f->perp = 0;
    f->lock = false;
    controller_reset(f);
    for (int i = 0; i < 2; i++) {
        f->drv[i].cyl = 0;
        f->drv[i].changed = f->drv[i].blk != NULL;
    }
}

static const struct dev_type fdc_type = {
    .name = "isa-fdc",
    .category = "Storage devices",
    .desc = "ISA floppy disk controller (82078 compatible)",
    .bus = BUS_ISA,
    .size = sizeof(struct fdc),
    .reset = fdc_reset,
};
DEV_TYPE(fdc_type);

int fdc_cmos_type(struct fdc *f, int n)
{
    return n >= 0 && n < 2 && f->drv[n].geo ? f->drv[n].geo->cmos : 0;
}

struct fdc *fdc_create(struct isa_bus *bus, struct isa_dma *dma,
                       struct blk *drives[2], struct err **errp)
{
    const struct geometry *geo[2] = { NULL, NULL };
    for (int i = 0; i < 2; i++) {
        if (!drives[i] || !drives[i]->root) {
            continue;
        }
        uint64_t size = blk_getlength(drives[i]);
        for (size_t k = 0; k < ARRAY_SIZE(geometries); k++) {
            if (geometries[k].bytes == size) {
                geo[i] = &geometries[k];
            }
        }
        if (!geo[i] && size > geometries[1].bytes) {
            err_setf(errp, "floppy image '%s' has %" PRIu64 " bytes: larger "
                     "than a 2.88M disk", drives[i]->id, size);
            return NULL;
        }
        if (!geo[i]) {
            /* As QEMU: another size gets the geometry of the next larger
             * standard disk (sectors past the image's end fail to read). */
            geo[i] = size > geometries[0].bytes ? &geometries[1]
                                                : &geometries[0];
        }
    }
    struct fdc *f = (struct fdc *)dev_create(&fdc_type, NULL, errp);
    if (!f) {
        return NULL;
    }
    f->dma = dma;
    f->irq = isa_irq(bus, 6);
    for (int i = 0; i < 2; i++) {
        f->drv[i].blk = drives[i];
        f->drv[i].geo = geo[i];
    }
    /* 0x3f6 is the primary IDE channel's control register. */
    mem_region_init_io(&f->mr, "fdc", 6, &fdc_ops, f);
    isa_map_io(bus, &f->mr, 0x3f0);
    mem_region_init_io(&f->mr_dir, "fdc-dir", 1, &dir_ops, f);
    isa_map_io(bus, &f->mr_dir, 0x3f7);
    fdc_reset(&f->dev);
    return f;
}
