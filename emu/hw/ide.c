/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ide.c - an IDE channel and its ATA hard disks (ATA/ATAPI-6, T13/1410D):
 * task file with HOB registers for LBA48, device control (nIEN, SRST),
 * signatures, IDENTIFY DEVICE data that Linux's ata_piix and SeaBIOS
 * accept, PIO data-in/data-out (READ/WRITE SECTORS, MULTIPLE, EXT), DMA
 * (READ/WRITE DMA, EXT) through the controller's bus master, FLUSH CACHE,
 * SET FEATURES, READ NATIVE MAX and the housekeeping commands.  I/O is
 * asynchronous (blk-backend.h): BSY stays set until the completion.
 * DMA moves data straight between the image and the guest RAM the PRD
 * table names (the bus master maps it), and a read the page cache holds
 * completes at once, in the bus master start.
 * The guest controls every register: counts and addresses are checked
 * against the medium, the buffer window against its size.
 */
#include "emu/osdep.h"

#include "block-protocols/blk-backend.h"
#include "emu/hw/ide.h"
#include "emu/mem/mem.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#define MAX_MULT 16

static struct ide_dev *cur(struct ide_bus *bus)
{
    return &bus->dev[bus->cur];
}

static bool present(const struct ide_dev *s)
{
    return s->blk != NULL;
}

void ide_set_irq(struct ide_bus *bus)
{
    bus->irq_pending = true;
    if (bus->dma && bus->dma->irq) {
        bus->dma->irq(bus->dma_opaque);
    }
    if (!(bus->devctl & 0x02)) {
        irq_raise(&bus->irq);
    }
}

static void clear_irq(struct ide_bus *bus)
{
    bus->irq_pending = false;
    irq_lower(&bus->irq);
}

static void put_str(uint16_t *w, const char *src, int len)
{
    uint8_t *p = (uint8_t *)w;
    for (int i = 0; i < len; i++) {
        /* ATA strings are big-endian words. */
        p[i ^ 1] = *src ? *src++ : ' ';
    }
}

static void set_signature(struct ide_dev *s)
{
    s->select &= 0xf0;
    s->nsector = 1;
    s->sector = 1;
    if (s->cd) {
        s->lcyl = 0x14;
        s->hcyl = 0xeb;
    } else if (present(s)) {
        s->lcyl = 0;
        s->hcyl = 0;
    } else {
        s->lcyl = 0xff;
        s->hcyl = 0xff;
    }
}

static uint64_t nb_sectors(const struct ide_dev *s)
{
    return blk_getlength(s->blk) / 512;
}

static void build_identify(struct ide_dev *s)
{
    uint16_t *w = s->identify;
    uint64_t total = nb_sectors(s);
    char serial[21];
    memset(w, 0, 512);
    ide_serial(s, serial, sizeof(serial));
    w[0] = 0x0040;
    w[1] = s->cyls;
    w[3] = s->heads;
    w[4] = 512 * s->secs;
    w[5] = 512;
    w[6] = s->secs;
    put_str(w + 10, serial, 20);
    w[20] = 3;
    w[21] = 512;
    w[22] = 4;
    put_str(w + 23, s->ver ? s->ver : "2.5+", 8);
    put_str(w + 27, s->model ? s->model : "QEMU HARDDISK", 40);
    w[47] = 0x8000 | MAX_MULT;
    w[48] = 1;
    w[49] = (1 << 11) | (1 << 9) | (1 << 8);    /* IORDY, LBA, DMA */
    w[51] = 0x200;
    w[52] = 0x200;
    w[53] = 1 | 2 | 4;
    w[54] = s->cyls;
    w[55] = s->heads;
    w[56] = s->secs;
    uint32_t chs = s->cyls * s->heads * s->secs;
    w[57] = chs;
    w[58] = chs >> 16;
    if (s->mult_sectors) {
        w[59] = 0x100 | s->mult_sectors;
    }
    uint32_t lba28 = total > 0x0fffffff ? 0x0fffffff : total;
    w[60] = lba28;
    w[61] = lba28 >> 16;
    w[62] = 0x07;
    w[63] = 0x07;
    w[64] = 0x03;
    w[65] = 120;
    w[66] = 120;
    w[67] = 120;
    w[68] = 120;
    w[80] = 0xf0;       /* ATA-4 to ATA-7 */
    w[81] = 0x16;
    w[82] = (1 << 14) | (1 << 5) | 1;           /* NOP, write cache, SMART */
    w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10);  /* LBA48, flush */
    w[84] = 1 << 14;
    w[85] = (1 << 14) | (s->blk->write_cache ? 1 << 5 : 0) | 1;
    w[86] = (1 << 13) | (1 << 12) | (1 << 10);
    w[87] = 1 << 14;
    w[88] = 0x3f | (1 << 13);                   /* UDMA 0-5, mode 5 on */
    w[93] = 1 | (1 << 14) | 0x2000;
    w[100] = total;
    w[101] = total >> 16;
    w[102] = total >> 32;
    w[103] = total >> 48;
}

void ide_serial(const struct ide_dev *s, char *buf, size_t len)
{
    const char *ser = s->serial ? s->serial : s->blk->serial;
    if (ser) {
        snprintf(buf, len, "%s", ser);
    } else {
        snprintf(buf, len, "QM%05d", s->bus->index * 2 + s->unit + 1);
    }
}

void ide_set_strings(struct ide_dev *s, const char *serial, const char *model,
                     const char *ver)
{
    s->serial = serial;
    s->model = model;
    s->ver = ver;
    if (s->cd) {
        ide_atapi_identify(s);
    } else {
        build_identify(s);
    }
}

void ide_bus_init(struct ide_bus *bus, int index, struct irq_line irq)
{
    memset(bus, 0, sizeof(*bus));
    bus->index = index;
    bus->irq = irq;
    for (int i = 0; i < 2; i++) {
        bus->dev[i].bus = bus;
        bus->dev[i].unit = i;
        bus->dev[i].bootindex = -1;
        bus->dev[i].buf = xzalloc(IDE_BUF_SIZE);
    }
}

int ide_attach(struct ide_bus *bus, int unit, struct blk *blk, bool cd,
               int32_t bootindex, struct err **errp)
{
    struct ide_dev *s = &bus->dev[unit];
    if (s->blk) {
        err_setf(errp, "IDE unit %d of bus %d is in use", unit, bus->index);
        return -1;
    }
    if (!cd && !blk->root) {
        err_setf(errp, "Device needs media, but drive is empty");
        return -1;
    }
    if (!cd && blk->read_only && !blk->root->read_only) {
        /* readonly=on disks still appear writable to the guest, whose
         * writes then fail with an error (as in QEMU). */
    }
    s->blk = blk;
    s->cd = cd;
    s->bootindex = bootindex;
    if (!cd) {
        uint64_t total = nb_sectors(s);
        uint64_t cyl = total / (16 * 63);
        s->cyls = cyl > 16383 ? 16383 : cyl < 2 ? 2 : cyl;
        s->heads = 16;
        s->secs = 63;
        build_identify(s);
    } else {
        blk->media_changed = ide_atapi_media_changed;
        blk->dev_opaque = s;
        ide_atapi_identify(s);
    }
    blk->attached_to = xasprintf("ide%d-%s%d", bus->index, cd ? "cd" : "hd",
                                 unit);
    return 0;
}

static void dev_reset(struct ide_dev *s)
{
    s->mult_sectors = MAX_MULT;
    s->feature = s->hob_feature = 0;
    s->error = 1;
    s->pos = s->end = 0;
    s->dma_pending = false;
    s->packet_phase = false;
    s->cmd = 0;
    s->select = 0xa0 | (s->unit << 4);
    set_signature(s);
    s->status = s->cd ? 0 : present(s) ? IDE_DRDY | IDE_DSC : 0;
}

void ide_bus_reset(struct ide_bus *bus)
{
    bus->cur = 0;
    bus->devctl = 0;
    clear_irq(bus);
    for (int i = 0; i < 2; i++) {
        dev_reset(&bus->dev[i]);
        if (bus->dev[i].cd) {
            bus->dev[i].tray_locked = false;
        }
    }
}

void ide_abort(struct ide_dev *s)
{
    s->status = IDE_DRDY | IDE_ERR;
    s->error = IDE_ABRT;
    s->pos = s->end = 0;
    ide_set_irq(s->bus);
}

static void io_error(struct ide_dev *s, int ret)
{
    s->status = IDE_DRDY | IDE_ERR;
    s->error = ret == -EPERM || ret == -EROFS || ret == -ENOMEDIUM ?
               IDE_ABRT : IDE_UNC | IDE_ABRT;
    s->pos = s->end = 0;
    ide_set_irq(s->bus);
}

void ide_transfer_start(struct ide_dev *s, uint32_t len, bool write)
{
    s->pos = 0;
    s->end = MIN(len, (uint32_t)IDE_BUF_SIZE);
    s->pio_write = write;
    s->status = IDE_DRDY | IDE_DSC | IDE_DRQ;
}

/* ---- sector addressing ---- */

static uint64_t get_sector(struct ide_dev *s)
{
    if (s->lba48) {
        return (uint64_t)s->hob_hcyl << 40 | (uint64_t)s->hob_lcyl << 32 |
               (uint64_t)s->hob_sector << 24 | (uint32_t)s->hcyl << 16 |
               s->lcyl << 8 | s->sector;
    }
    if (s->select & 0x40) {
        return (uint32_t)(s->select & 0x0f) << 24 | (uint32_t)s->hcyl << 16 |
               s->lcyl << 8 | s->sector;
    }
    uint32_t cyl = s->hcyl << 8 | s->lcyl;
    if (!s->sector) {
        return UINT64_MAX;   /* sectors count from 1 in CHS */
    }
    return ((uint64_t)cyl * s->heads + (s->select & 0x0f)) * s->secs +
           (s->sector - 1);
}

static void set_sector(struct ide_dev *s, uint64_t n)
{
    if (s->lba48) {
        s->sector = n;
        s->lcyl = n >> 8;
        s->hcyl = n >> 16;
        s->hob_sector = n >> 24;
        s->hob_lcyl = n >> 32;
        s->hob_hcyl = n >> 40;
    } else if (s->select & 0x40) {
        s->select = (s->select & 0xf0) | ((n >> 24) & 0x0f);
        s->hcyl = n >> 16;
        s->lcyl = n >> 8;
        s->sector = n;
    } else if (s->heads && s->secs) {
        uint32_t cyl = n / (s->heads * s->secs);
        uint32_t r = n % (s->heads * s->secs);
        s->hcyl = cyl >> 8;
        s->lcyl = cyl;
        s->select = (s->select & 0xf0) | ((r / s->secs) & 0x0f);
        s->sector = r % s->secs + 1;
    }
}

static uint32_t get_count(struct ide_dev *s)
{
    if (s->lba48) {
        uint32_t n = s->hob_nsector << 8 | s->nsector;
        return n ? n : 65536;
    }
    return s->nsector ? s->nsector : 256;
}

/* Check and load the sector range of a read/write command. */
static bool start_range(struct ide_dev *s)
{
    uint64_t lba = get_sector(s);
    uint32_t n = get_count(s);
    uint64_t total = nb_sectors(s);
    if (lba == UINT64_MAX || lba > total || n > total - lba) {
        s->status = IDE_DRDY | IDE_ERR;
        s->error = IDE_IDNF | IDE_ABRT;
        ide_set_irq(s->bus);
        return false;
    }
    s->lba = lba;
    s->nsec_left = n;
    return true;
}

/* ---- PIO reads and writes ---- */

static void pio_read_next(struct ide_dev *s);

static void pio_read_cb(void *opaque, int ret)
{
    struct ide_dev *s = opaque;
    if (ret < 0) {
        io_error(s, ret);
        return;
    }
    ide_transfer_start(s, s->xfer_sectors * 512, false);
    ide_set_irq(s->bus);
}

static void pio_read_next(struct ide_dev *s)
{
    bool mult = s->cmd == 0xc4 || s->cmd == 0x29;
    uint32_t n = mult ? MIN(s->nsec_left, (uint32_t)MAX(s->mult_sectors, 1))
                      : 1;
    n = MIN(n, s->nsec_left);
    s->xfer_sectors = n;
    s->status = IDE_DRDY | IDE_BSY;
    blk_submit(s->blk, BLK_READ, s->lba * 512, s->buf, n * 512ULL,
               pio_read_cb, s);
}

static void pio_write_next(struct ide_dev *s)
{
    bool mult = s->cmd == 0xc5 || s->cmd == 0x39;
    uint32_t n = mult ? MIN(s->nsec_left, (uint32_t)MAX(s->mult_sectors, 1))
                      : 1;
    s->xfer_sectors = n;
    ide_transfer_start(s, n * 512, true);
}

static void pio_write_cb(void *opaque, int ret)
{
    struct ide_dev *s = opaque;
    if (ret < 0) {
        io_error(s, ret);
        return;
    }
    s->lba += s->xfer_sectors;
    s->nsec_left -= s->xfer_sectors;
    set_sector(s, s->lba);
    if (s->nsec_left) {
        pio_write_next(s);
    } else {
        s->status = IDE_DRDY | IDE_DSC;
        s->pos = s->end = 0;
    }
    ide_set_irq(s->bus);
}

/* The guest has moved the whole PIO window. */
static void end_transfer(struct ide_dev *s)
{
    s->pos = s->end = 0;
    if (s->cd) {
        ide_atapi_pio_done(s);
        return;
    }
    switch (s->cmd) {
    case 0x20: case 0x21: case 0x24: case 0xc4: case 0x29:
        s->lba += s->xfer_sectors;
        s->nsec_left -= s->xfer_sectors;
        set_sector(s, s->lba);
        if (s->nsec_left) {
            pio_read_next(s);
        } else {
            s->status = IDE_DRDY | IDE_DSC;
        }
        break;
    case 0x30: case 0x31: case 0x34: case 0xc5: case 0x39:
        s->status = IDE_DRDY | IDE_BSY;
        blk_submit(s->blk, BLK_WRITE, s->lba * 512, s->buf,
                   s->xfer_sectors * 512ULL, pio_write_cb, s);
        break;
    default:
        s->status = IDE_DRDY | IDE_DSC;
        break;
    }
}

/* ---- DMA ---- */

/* Each device has its own bounce buffer: both channels can have a DMA
 * request in flight at once. */
static uint8_t *get_dma_buf(struct ide_dev *s, uint64_t len)
{
    if (s->dma_buf_size < len) {
        free(s->dma_buf);
        s->dma_buf = xmalloc(len);
        s->dma_buf_size = len;
    }
    return s->dma_buf;
}

static void dma_finish(struct ide_dev *s, bool error)
{
    s->dma_pending = false;
    if (!error) {
        s->status = IDE_DRDY | IDE_DSC;
    }
    if (s->bus->dma) {
        s->bus->dma->done(s->bus->dma_opaque, error);
    }
    ide_set_irq(s->bus);
}

void ide_sg_add(struct ide_sg *sg, void *p, uint64_t len,
                struct mem_region *mr, uint64_t off)
{
    if (sg->n == sg->cap) {
        sg->cap = sg->cap ? sg->cap * 2 : 16;
        sg->iov = xrealloc(sg->iov, sg->cap * sizeof(*sg->iov));
        sg->ram = xrealloc(sg->ram, sg->cap * sizeof(*sg->ram));
    }
    sg->iov[sg->n] = (struct iovec){ p, len };
    sg->ram[sg->n++] = (struct ide_sg_ram){ mr, off };
    sg->size += len;
}

/* Keep the first len bytes of sg. */
static void sg_trim(struct ide_sg *sg, uint64_t len)
{
    uint64_t at = 0;
    for (int i = 0; i < sg->n; i++) {
        if (at + sg->iov[i].iov_len >= len) {
            sg->iov[i].iov_len = len - at;
            sg->n = sg->iov[i].iov_len ? i + 1 : i;
            break;
        }
        at += sg->iov[i].iov_len;
    }
    sg->size = MIN(sg->size, len);
}

static void dma_read_cb(void *opaque, int ret)
{
    struct ide_dev *s = opaque;
    if (ret < 0) {
        s->status = IDE_DRDY | IDE_ERR;
        s->error = IDE_UNC | IDE_ABRT;
        dma_finish(s, true);
        return;
    }
    if (s->bus->dma->map) {
        for (int i = 0; i < s->sg.n; i++) {
            if (s->sg.ram[i].mr) {
                mem_region_set_dirty(s->sg.ram[i].mr, s->sg.ram[i].off,
                                     s->sg.iov[i].iov_len);
            }
        }
    } else {
        s->bus->dma->rw(s->bus->dma_opaque, s->dma_buf, s->io_bytes, true);
    }
    s->lba += s->nsec_left;
    set_sector(s, s->lba);
    s->nsec_left = 0;
    dma_finish(s, false);
}

static void dma_write_cb(void *opaque, int ret)
{
    struct ide_dev *s = opaque;
    if (ret < 0) {
        s->status = IDE_DRDY | IDE_ERR;
        s->error = ret == -EPERM ? IDE_ABRT : IDE_UNC | IDE_ABRT;
        dma_finish(s, true);
        return;
    }
    s->lba += s->nsec_left;
    set_sector(s, s->lba);
    s->nsec_left = 0;
    dma_finish(s, false);
}

void ide_dma_start(struct ide_bus *bus)
{
    struct ide_dev *s = cur(bus);
    if (!present(s) || !s->dma_pending || !bus->dma) {
        return;
    }
    if (s->dma_atapi) {
        ide_atapi_dma_start(s);
        return;
    }
    s->io_bytes = (uint64_t)s->nsec_left * 512;
    s->status = IDE_DRDY | IDE_BSY;
    if (bus->dma->map) {
        if (!bus->dma->map(bus->dma_opaque, &s->sg, s->io_bytes,
                           !s->dma_write)) {
            /* A PRD names something that is not RAM. */
            s->status = IDE_DRDY | IDE_ERR;
            s->error = IDE_ABRT;
            dma_finish(s, true);
            return;
        }
        if (s->sg.size < s->io_bytes) {
            /* The PRD table is shorter than the command: move what fits. */
            s->io_bytes = s->sg.size & ~511ULL;
            sg_trim(&s->sg, s->io_bytes);
            if (s->dma_write) {
                s->nsec_left = s->io_bytes / 512;
            }
        }
        if (s->dma_write) {
            blk_submitv(s->blk, BLK_WRITE, s->lba * 512, s->sg.iov, s->sg.n,
                        dma_write_cb, s);
        } else if (blk_try_readv_now(s->blk, s->lba * 512, s->sg.iov,
                                     s->sg.n) == 0) {
            dma_read_cb(s, 0);
        } else {
            blk_submitv(s->blk, BLK_READ, s->lba * 512, s->sg.iov, s->sg.n,
                        dma_read_cb, s);
        }
        return;
    }
    uint8_t *buf = get_dma_buf(s, s->io_bytes);
    if (s->dma_write) {
        uint64_t got = bus->dma->rw(bus->dma_opaque, buf, s->io_bytes, false);
        if (got < s->io_bytes) {
            /* The PRD table is shorter than the command: write what came. */
            s->io_bytes = got & ~511ULL;
            s->nsec_left = s->io_bytes / 512;
        }
        blk_submit(s->blk, BLK_WRITE, s->lba * 512, buf, s->io_bytes,
                   dma_write_cb, s);
    } else {
        blk_submit(s->blk, BLK_READ, s->lba * 512, buf, s->io_bytes,
                   dma_read_cb, s);
    }
}

/* ---- commands ---- */

static void flush_cb(void *opaque, int ret)
{
    struct ide_dev *s = opaque;
    if (ret < 0) {
        io_error(s, ret);
        return;
    }
    s->status = IDE_DRDY | IDE_DSC;
    ide_set_irq(s->bus);
}

static void ok_irq(struct ide_dev *s)
{
    s->status = IDE_DRDY | IDE_DSC;
    ide_set_irq(s->bus);
}

static void exec_cmd(struct ide_bus *bus, uint8_t cmd)
{
    struct ide_dev *s = cur(bus);
    if (!present(s)) {
        return;     /* nobody answers */
    }
    if ((s->status & IDE_BSY) && cmd != 0x08) {
        return;
    }
    s->cmd = cmd;
    s->error = 0;
    s->lba48 = false;
    s->dma_pending = false;
    s->dma_atapi = false;
    switch (cmd) {
    case 0xec:  /* IDENTIFY DEVICE */
        if (s->cd) {
            set_signature(s);
            ide_abort(s);
            return;
        }
        build_identify(s);
        memcpy(s->buf, s->identify, 512);
        ide_transfer_start(s, 512, false);
        ide_set_irq(bus);
        return;
    case 0xa1:  /* IDENTIFY PACKET DEVICE */
        if (!s->cd) {
            ide_abort(s);
            return;
        }
        ide_atapi_identify(s);
        memcpy(s->buf, s->identify, 512);
        ide_transfer_start(s, 512, false);
        ide_set_irq(bus);
        return;
    case 0xa0:  /* PACKET */
        if (!s->cd) {
            ide_abort(s);
            return;
        }
        s->dma_atapi = s->feature & 1;
        s->atapi_byte_limit = s->lcyl | s->hcyl << 8;
        s->nsector = 1;     /* C/D = 1: command bytes wanted */
        s->packet_phase = true;
        ide_transfer_start(s, 12, true);
        return;
    case 0x08:  /* DEVICE RESET */
        if (!s->cd) {
            ide_abort(s);
            return;
        }
        set_signature(s);
        s->status = 0;
        s->error = 1;
        return;
    case 0x90:  /* EXECUTE DEVICE DIAGNOSTIC */
        set_signature(s);
        s->error = 1;
        s->status = s->cd ? 0 : IDE_DRDY | IDE_DSC;
        ide_set_irq(bus);
        return;
    }
    if (s->cd && cmd != 0xef && cmd != 0xe5 && cmd != 0xe0 && cmd != 0xe1 &&
        cmd != 0xe2 && cmd != 0xe3 && cmd != 0xe6) {
        /* ATAPI devices answer only the commands above, SET FEATURES and
         * the power management ones. */
        set_signature(s);
        ide_abort(s);
        return;
    }
    switch (cmd) {
    case 0x24: case 0x29: case 0x34: case 0x39: case 0x25: case 0x35:
    case 0x27: case 0xea: case 0x42:
        s->lba48 = true;
        break;
    }
    switch (cmd) {
    case 0x20: case 0x21: case 0x24: case 0xc4: case 0x29:
        if ((cmd == 0xc4 || cmd == 0x29) && !s->mult_sectors) {
            ide_abort(s);
            return;
        }
        if (start_range(s)) {
            pio_read_next(s);
        }
        return;
    case 0x30: case 0x31: case 0x34: case 0xc5: case 0x39:
        if ((cmd == 0xc5 || cmd == 0x39) && !s->mult_sectors) {
            ide_abort(s);
            return;
        }
        if (start_range(s)) {
            pio_write_next(s);
        }
        return;
    case 0xc8: case 0xc9: case 0x25: case 0xca: case 0xcb: case 0x35:
        if (start_range(s)) {
            s->dma_pending = true;
            s->dma_write = cmd == 0xca || cmd == 0xcb || cmd == 0x35;
            s->status = IDE_DRDY | IDE_DSC | IDE_DRQ;
            if (bus->dma && bus->dma->active(bus->dma_opaque)) {
                ide_dma_start(bus);
            }
        }
        return;
    case 0x40: case 0x41: case 0x42:   /* READ VERIFY */
        if (start_range(s)) {
            set_sector(s, s->lba + s->nsec_left - 1);
            ok_irq(s);
        }
        return;
    case 0xc6:  /* SET MULTIPLE MODE */
        if (s->nsector > MAX_MULT || (s->nsector & (s->nsector - 1))) {
            ide_abort(s);
            return;
        }
        s->mult_sectors = s->nsector;
        ok_irq(s);
        return;
    case 0xe7: case 0xea:   /* FLUSH CACHE (EXT) */
        s->status = IDE_DRDY | IDE_BSY;
        blk_submit(s->blk, BLK_FLUSH, 0, NULL, 0, flush_cb, s);
        return;
    case 0xef:  /* SET FEATURES */
        switch (s->feature) {
        case 0x02:
            s->blk->write_cache = true;
            break;
        case 0x82:
            s->blk->write_cache = false;
            break;
        case 0x03: case 0xaa: case 0x55: case 0xcc: case 0x66: case 0x05:
        case 0x85: case 0x31: case 0x42: case 0xc2:
            break;
        default:
            ide_abort(s);
            return;
        }
        if (!s->cd) {
            build_identify(s);
        }
        ok_irq(s);
        return;
    case 0xf8: case 0x27: { /* READ NATIVE MAX ADDRESS */
        uint64_t total = nb_sectors(s);
        set_sector(s, total ? total - 1 : 0);
        ok_irq(s);
        return;
    }
    case 0x91:  /* INITIALIZE DEVICE PARAMETERS */
    case 0x10: case 0x70:   /* RECALIBRATE, SEEK */
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xe6: /* power */
    case 0x00:  /* NOP */
        if (cmd == 0x00) {
            ide_abort(s);
            return;
        }
        ok_irq(s);
        return;
    case 0xe5:  /* CHECK POWER MODE */
        s->nsector = 0xff;
        ok_irq(s);
        return;
    default:
        ide_abort(s);
        return;
    }
}

uint32_t ide_ioport_read(struct ide_bus *bus, unsigned reg)
{
    struct ide_dev *s = cur(bus);
    bool hob = bus->devctl & 0x80;
    bool none = !bus->dev[0].blk && !bus->dev[1].blk;
    if (reg == 0) {
        return ide_data_read(bus, 1);
    }
    if (none || (!present(s) && reg != 6)) {
        return 0;
    }
    switch (reg) {
    case 1: return hob ? s->hob_feature : s->error;
    case 2: return hob ? s->hob_nsector : s->nsector;
    case 3: return hob ? s->hob_sector : s->sector;
    case 4: return hob ? s->hob_lcyl : s->lcyl;
    case 5: return hob ? s->hob_hcyl : s->hcyl;
    case 6: return s->select;
    default:
        clear_irq(bus);
        return s->status;
    }
}

void ide_ioport_write(struct ide_bus *bus, unsigned reg, uint32_t val)
{
    val &= 0xff;
    if (reg == 0) {
        ide_data_write(bus, val, 1);
        return;
    }
    if (reg >= 1 && reg <= 5) {
        bus->devctl &= ~0x80;
    }
    /* Task file writes go to both devices, as on the real cable. */
    for (int i = 0; i < 2; i++) {
        struct ide_dev *s = &bus->dev[i];
        switch (reg) {
        case 1: s->hob_feature = s->feature; s->feature = val; break;
        case 2: s->hob_nsector = s->nsector; s->nsector = val; break;
        case 3: s->hob_sector = s->sector; s->sector = val; break;
        case 4: s->hob_lcyl = s->lcyl; s->lcyl = val; break;
        case 5: s->hob_hcyl = s->hcyl; s->hcyl = val; break;
        case 6: s->select = (val & ~0x10) | (i << 4) | 0xa0; break;
        }
    }
    if (reg == 6) {
        bus->cur = (val >> 4) & 1;
    } else if (reg == 7) {
        clear_irq(bus);
        exec_cmd(bus, val);
    }
}

uint32_t ide_data_read(struct ide_bus *bus, unsigned size)
{
    struct ide_dev *s = cur(bus);
    if (!present(s) || s->pio_write || s->pos >= s->end ||
        !(s->status & IDE_DRQ)) {
        return size == 4 ? 0xffffffffu : size == 2 ? 0xffff : 0xff;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size && s->pos < s->end; i++) {
        v |= (uint32_t)s->buf[s->pos++] << (8 * i);
    }
    if (s->pos >= s->end) {
        end_transfer(s);
    }
    return v;
}

void ide_data_write(struct ide_bus *bus, uint32_t val, unsigned size)
{
    struct ide_dev *s = cur(bus);
    if (!present(s) || !s->pio_write || s->pos >= s->end ||
        !(s->status & IDE_DRQ)) {
        return;
    }
    for (unsigned i = 0; i < size && s->pos < s->end; i++) {
        s->buf[s->pos++] = val >> (8 * i);
    }
    if (s->pos >= s->end) {
        end_transfer(s);
    }
}

uint8_t ide_status_read(struct ide_bus *bus)
{
    struct ide_dev *s = cur(bus);
    if ((!bus->dev[0].blk && !bus->dev[1].blk) || !present(s)) {
        return 0;
    }
    return s->status;
}

void ide_ctrl_write(struct ide_bus *bus, uint8_t val)
{
    uint8_t old = bus->devctl;
    bus->devctl = val;
    if (!(old & 0x04) && (val & 0x04)) {
        for (int i = 0; i < 2; i++) {
            bus->dev[i].status = IDE_BSY | IDE_DSC;
            bus->dev[i].error = 1;
        }
    } else if ((old & 0x04) && !(val & 0x04)) {
        for (int i = 0; i < 2; i++) {
            dev_reset(&bus->dev[i]);
        }
        bus->cur = 0;
    }
    /* nIEN masks the line without losing the pending interrupt. */
    irq_set(&bus->irq, bus->irq_pending && !(val & 0x02));
}

int ide_boot_path(const struct ide_dev *s, int pci_slot, int pci_fn,
                  char *buf, size_t len)
{
    return snprintf(buf, len, "/pci@i0cf8/ide@%x,%x/drive@%x/disk@%x",
                    pci_slot, pci_fn, s->bus->index, s->unit);
}
